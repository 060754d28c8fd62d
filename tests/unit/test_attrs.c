/* test_attrs.c - user attributes, defined once (runtime/bcp_format.h's
 * BCPF_USER_ATTRS): the table's own invariants, then machine_group, the attribute
 * added as one row of it, through every layer: the checker, lowering (its predicate
 * in the blob), bind and decide, the reference evaluator (which must agree with
 * the runtime), the request reader, and bind's refusals of malformed keyword
 * entries. Run from the repository root; ends with "N passed, M failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "arena.h"
#include "blob.h"
#include "diag.h"
#include "frontend.h"
#include "model.h"
#include "reference.h"
#include "request.h"
#include "bcp_format.h"
#include "harness.h"

/* ---- the table ---- */

static void test_table(void)
{
	CHECK(BCPF_P_MAX == A_COUNT - A_SEGMENT_GROUP - 1);
	for (unsigned k = 1; k <= BCPF_P_MAX; k++) {
		const struct bcpf_attr *a = bcpf_attr(k);
		CHECK(a->keyword && a->json_key);
		CHECK(!strcmp(atom_kind_names[A_SEGMENT_GROUP + k], a->keyword));
		CHECK(atom_pred_kind((enum atom_kind)(A_SEGMENT_GROUP + k)) == k);
		CHECK(bcpf_attr_find(a->keyword, 0) == k && bcpf_attr_find(a->json_key, 1) == k);
		for (unsigned j = 1; j < k; j++)
			CHECK(strcmp(bcpf_attr(j)->keyword, a->keyword) &&
			      strcmp(bcpf_attr(j)->json_key, a->json_key));
		/* Attributes added after the first nine are named in JSON by their keyword. */
		if (k > BCPF_P_COUNTRY)
			CHECK(!strcmp(a->keyword, a->json_key));
	}
	CHECK(atom_pred_kind(A_SEGMENT) == 0 && atom_pred_kind(A_SEGMENT_GROUP) == 0);
	CHECK(bcpf_attr_find("machine_group", 0) == BCPF_P_MACHINE_GROUP);
	CHECK(bcpf_attr_find("machine_grp", 0) == 0 && bcpf_attr_find(NULL, 0) == 0);
	CHECK(bcpf_attr(BCPF_P_MACHINE_GROUP)->shape == BCPF_ONE);
	CHECK(bcpf_attr(BCPF_P_MACHINE_GROUP)->compare == BCPF_EXACT);
	CHECK(BCPF_P_MACHINE_GROUP == 10);
}

/* ---- loading and compiling a policy ---- */

struct policy {
	struct arena arena;
	struct diags diags;
	struct model *m;
};

static int policy_inline(struct policy *p, const char *text, int want_ok)
{
	char path[] = "/tmp/test_attrs_XXXXXX.bcl";
	int fd = mkstemps(path, 4);
	size_t n = strlen(text);
	char *paths[1] = { path };
	if (fd < 0 || write(fd, text, n) != (ssize_t)n) {
		perror("temporary policy");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	arena_init(&p->arena, NULL);
	diags_init(&p->diags, &p->arena);
	p->m = load_policy(paths, 1, &p->arena, &p->diags);
	if (!p->m && want_ok)
		diags_print(&p->diags, stdout);
	unlink(path);
	return p->m ? 0 : -1;
}

/* The text of the diagnostics of a policy that must not check. */
static int policy_fails_with(const char *text, const char *want)
{
	struct policy p;
	char buf[4096] = "";
	FILE *f = fmemopen(buf, sizeof buf - 1, "w");
	int rc = policy_inline(&p, text, 0);
	if (f) {
		diags_print(&p.diags, f);
		fclose(f);
	}
	arena_free(&p.arena);
	if (rc == 0 || !strstr(buf, want)) {
		printf("    want an error with \"%s\", got rc %d:\n%s", want, rc, buf);
		return 0;
	}
	return 1;
}

static const char kiosk_policy[] =
	"tenant \"t\";\n"
	"segment_group \"G\";\n"
	"segment \"Kiosk-App\" { group \"G\"; domains \"kiosk.example\"; tcp 443; }\n"
	"segment \"Admin\" { group \"G\"; domains \"admin.example\"; tcp 443; }\n"
	"segment \"Wiki\" { group \"G\"; domains \"wiki.example\"; tcp 443; }\n"
	"app_profile \"Kiosk\" { when machine_group \"Kiosks\"; set locked = true; }\n"
	"access_policy {\n"
	"    rule \"kiosks\" allow { segment \"Kiosk-App\"; machine_group \"Kiosks\", \"Lobby\"; }\n"
	"    rule \"admins\" allow { segment \"Admin\"; not machine_group \"Kiosks\", \"Lobby\";\n"
	"                           idp \"okta\"; }\n"
	"    rule \"wiki\" allow { segment \"Wiki\"; machine_group \"Lobby\" or idp \"okta\"; }\n"
	"    rule \"rest\" deny { }\n"
	"}\n";

static void test_checker(void)
{
	struct policy p;
	CHECK(policy_inline(&p, kiosk_policy, 1) == 0);
	if (p.m) {
		const struct m_atom *at = &p.m->rules[0].clauses[1].atoms[0];
		CHECK(at->kind == A_MACHINE_GROUP && at->nvalues == 2 && at->attr == NULL &&
		      !strcmp(at->values[0], "Kiosks") && !strcmp(at->values[1], "Lobby"));
	}
	arena_free(&p.arena);
	CHECK(policy_fails_with("segment_group \"G\";\nsegment \"A\" { group \"G\"; domains "
		"\"a.example\"; tcp 1; }\naccess_policy { rule \"r\" allow { machine_group \"k\" = "
		"\"v\"; } }\n", "'machine_group' takes no attribute name (only saml and scim do)"));
	CHECK(policy_fails_with("access_policy { rule \"r\" allow { machine_group Kiosks; } }\n",
		"'machine_group' takes quoted strings, not"));
	CHECK(policy_fails_with("access_policy { rule \"r\" allow { machine_group \"\"; } }\n",
		"empty value in 'machine_group'"));
	CHECK(policy_fails_with("access_policy { rule \"r\" allow { machine_grup \"x\"; } }\n",
		"did you mean 'machine_group'?"));
}

/* ---- blob, runtime and reference ---- */

static EVP_PKEY *key;
static char thumb[45];

static bcp_blob *compile_open(const struct model *m, uint8_t **blob)
{
	struct blob_opts o = { .serial = 1, .not_before = 0, .not_after = 2000000000,
			       .created = 0 };
	const char *tps[] = { thumb };
	struct bcp_open_opts oo = { .thumbprints = tps, .nthumbprints = 1, .now = 1000 };
	struct bcp_error e;
	char err[256];
	size_t len = 0;
	bcp_blob *b = NULL;
	if (blob_build(m, key, &o, blob, &len, err, sizeof err) != 0) {
		printf("    blob_build: %s\n", err);
		return NULL;
	}
	if (bcp_open_buffer(*blob, len, &oo, &b, &e) != BCP_OK)
		printf("    bcp_open_buffer: %s\n", e.message);
	return b;
}

/* The predicate records of kind k, with their values, as "v1,v2,". */
static void preds_of_kind(const uint8_t *blob, unsigned kind, char *out, size_t size)
{
	const uint8_t *d = blob + BCPF_HEADER_SIZE;
	const uint8_t *strings = blob + bcpf_dirent_offset(d + (BCPF_S_STRINGS - 1) * BCPF_DIRENT_SIZE);
	const uint8_t *sec = blob + bcpf_dirent_offset(d + (BCPF_S_PREDICATES - 1) * BCPF_DIRENT_SIZE);
	uint32_t n = bcpf_pred_hdr_count(sec);
	size_t at = 0;
	out[0] = '\0';
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *r = sec + BCPF_PRED_HDR + (size_t)i * BCPF_PRED_SIZE;
		if (bcpf_pred_kind(r) != kind || at >= size)
			continue;
		CHECK(bcpf_pred_attr(r) == BCPF_NONE);
		at += (size_t)snprintf(out + at, size - at, "%s,",
				       (const char *)strings + bcpf_pred_value(r) + 2);
	}
}

/* The runtime and the reference decide host:443 for the user alike, and as wanted. */
static void agree(int line, const struct model *m, const bcp_blob *b,
		  const struct bcp_user_info *u, const char *host, const char *want,
		  const char *want_profile)
{
	struct bcp_decision d;
	struct ref_result r;
	struct bcp_error e;
	bcp_user *bu = NULL;
	if (!check_at(bcp_bind(b, u, &bu, &e) == BCP_OK, __FILE__, line, "bind")) {
		printf("    %s\n", e.message);
		return;
	}
	int rc = bcp_decide_host(bu, host, strlen(host), 443, BCP_TCP, &d);
	int rrc = ref_decide(m, u, host, 443, BCP_TCP, &r);
	int32_t rp = ref_profile(m, u);
	const char *rp_name = rp >= 0 ? m->profiles[rp].name : NULL;
	const char *bp_name = bcp_user_profile(bu);
	int ok = rc == BCP_OK && rrc == 0 && d.verdict == r.verdict &&
		 d.rule_index == r.rule && !strcmp(bcp_verdict_str(d.verdict), want) &&
		 ((!bp_name && !rp_name && !want_profile) ||
		  (bp_name && rp_name && want_profile && !strcmp(bp_name, want_profile) &&
		   !strcmp(rp_name, want_profile)));
	if (!check_at(ok, __FILE__, line, "runtime and reference agree"))
		printf("    %s: runtime %s rule %d profile %s, reference %s rule %d profile %s, "
		       "want %s profile %s\n", host, bcp_verdict_str(d.verdict), d.rule_index,
		       bp_name ? bp_name : "-", bcp_verdict_str(r.verdict), r.rule,
		       rp_name ? rp_name : "-", want, want_profile ? want_profile : "-");
	bcp_user_free(bu);
}

static void test_decisions(void)
{
	struct policy p;
	uint8_t *blob = NULL;
	char kinds[256];
	if (policy_inline(&p, kiosk_policy, 1) != 0) {
		CHECK(0);
		return;
	}
	bcp_blob *b = compile_open(p.m, &blob);
	CHECK(b != NULL);
	if (!b)
		goto out;
	preds_of_kind(blob, BCPF_P_MACHINE_GROUP, kinds, sizeof kinds);
	CHECK(!strcmp(kinds, "Kiosks,Lobby,"));

	const char *kiosks[] = { "Kiosks" }, *lobby[] = { "Lobby" }, *other[] = { "Desks" };
	const char *okta[] = { "okta" }, *two[] = { "Kiosks", "Lobby" };
	struct bcp_user_attr mg_kiosks = { "machine_group", NULL, kiosks, 1 };
	struct bcp_user_attr mg_lobby = { "machine_group", NULL, lobby, 1 };
	struct bcp_user_attr mg_other = { "machine_group", NULL, other, 1 };
	struct bcp_user_attr by_kw[2] = { { "machine_group", NULL, kiosks, 1 },
					  { "idp", NULL, okta, 1 } };
	struct bcp_user_info nobody = { 0 }, k = { .attrs = &mg_kiosks, .nattrs = 1 };
	struct bcp_user_info l = { .attrs = &mg_lobby, .nattrs = 1 };
	struct bcp_user_info o = { .attrs = &mg_other, .nattrs = 1, .idp = "okta" };
	struct bcp_user_info ko = { .attrs = by_kw, .nattrs = 2 };
	struct bcp_user_info okta_only = { .idp = "okta" };

	agree(__LINE__, p.m, b, &nobody, "kiosk.example", "deny", NULL);
	agree(__LINE__, p.m, b, &k, "kiosk.example", "allow", "Kiosk");
	agree(__LINE__, p.m, b, &l, "kiosk.example", "allow", NULL);
	agree(__LINE__, p.m, b, &o, "kiosk.example", "deny", NULL);
	agree(__LINE__, p.m, b, &o, "admin.example", "allow", NULL);
	agree(__LINE__, p.m, b, &ko, "admin.example", "deny", "Kiosk");
	agree(__LINE__, p.m, b, &ko, "kiosk.example", "allow", "Kiosk");
	agree(__LINE__, p.m, b, &okta_only, "admin.example", "allow", NULL);
	agree(__LINE__, p.m, b, &l, "wiki.example", "allow", NULL);
	agree(__LINE__, p.m, b, &k, "wiki.example", "deny", "Kiosk");
	agree(__LINE__, p.m, b, &okta_only, "wiki.example", "allow", NULL);

	/* An attribute of the first nine by keyword counts as its field does. */
	struct bcp_user_attr idp_kw = { "idp", NULL, okta, 1 };
	struct bcp_user_info idp_by_kw = { .attrs = &idp_kw, .nattrs = 1 };
	agree(__LINE__, p.m, b, &idp_by_kw, "admin.example", "allow", NULL);

	/* bind refuses what it cannot take, rather than ignore it. */
	struct bcp_user_attr bad[] = {
		{ "machine_group", NULL, two, 2 },       /* two values of a one-value kind */
		{ "machine_grp", NULL, kiosks, 1 },      /* unknown keyword */
		{ NULL, NULL, kiosks, 1 },               /* no keyword */
		{ "machine_group", "x", kiosks, 1 },     /* a name it does not take */
		{ "saml", NULL, kiosks, 1 },             /* no name where one is needed */
		{ "machine_group", NULL, NULL, 1 },      /* NULL array with a count */
		{ "idp", NULL, okta, 1 },                /* a second idp, beside the field */
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct bcp_user_info u = { .attrs = &bad[i], .nattrs = 1 };
		struct bcp_error e;
		bcp_user *bu = NULL;
		if (i == 6)
			u.idp = "okta";
		if (!CHECK(bcp_bind(b, &u, &bu, &e) == BCP_E_USER && bu == NULL))
			printf("    bad entry %zu bound\n", i);
		bcp_user_free(bu);
	}
	struct bcp_user_info null_attrs = { .nattrs = 1 };
	bcp_user *bu = NULL;
	CHECK(bcp_bind(b, &null_attrs, &bu, NULL) == BCP_E_USER && bu == NULL);
	bcp_close(b);
out:
	free(blob);
	arena_free(&p.arena);
}

/* A policy without machine_group compiles to a blob with no predicate of its kind. */
static void test_no_new_bytes(void)
{
	struct policy p;
	uint8_t *blob = NULL;
	char kinds[64];
	char *paths[1] = { "examples/acme/policy.bcl" };
	arena_init(&p.arena, NULL);
	diags_init(&p.diags, &p.arena);
	p.m = load_policy(paths, 1, &p.arena, &p.diags);
	CHECK(p.m != NULL);
	if (p.m) {
		bcp_blob *b = compile_open(p.m, &blob);
		CHECK(b != NULL);
		if (b) {
			preds_of_kind(blob, BCPF_P_MACHINE_GROUP, kinds, sizeof kinds);
			CHECK(kinds[0] == '\0');
		}
		bcp_close(b);
	}
	free(blob);
	arena_free(&p.arena);
}

/* Every attribute of the table (but idp itself) negated and scoped to an IdP,
 * `(not KIND V from idp "Okta")`, in the checker, the blob, bind and the reference:
 * the rule allows everyone except a user of Okta with the value. */
static void test_every_kind_scoped(void)
{
	for (unsigned k = 1; k <= BCPF_P_MAX; k++) {
		const struct bcpf_attr *a = bcpf_attr(k);
		if (k == BCPF_P_IDP)
			continue;
		const char *v = a->vocab == BCPF_V_PLATFORM ? "windows" :
				a->vocab == BCPF_V_CLIENT_TYPE ? "vdi" :
				a->vocab == BCPF_V_COUNTRY ? "US" : "v";
		char text[1024], atom[128];
		snprintf(atom, sizeof atom, a->shape == BCPF_MAP ? "%s \"a\" = \"%s\"" : "%s \"%s\"",
			 a->keyword, v);
		snprintf(text, sizeof text,
			 "segment_group \"G\";\n"
			 "segment \"App\" { group \"G\"; domains \"app.example\"; tcp 443; }\n"
			 "access_policy { rule \"r\" allow { segment \"App\"; (not %s from idp \"Okta\"); } }\n",
			 atom);
		struct policy p;
		uint8_t *blob = NULL;
		if (!CHECK(policy_inline(&p, text, 1) == 0)) {
			printf("    %s\n", text);
			continue;
		}
		bcp_blob *b = compile_open(p.m, &blob);
		if (CHECK(b != NULL)) {
			const char *vals[] = { v };
			struct bcp_user_attr has = { a->keyword, a->shape == BCPF_MAP ? "a" : NULL, vals, 1 };
			struct bcp_user_info okta = { .attrs = &has, .nattrs = 1, .idp = "Okta" };
			struct bcp_user_info azure = { .attrs = &has, .nattrs = 1, .idp = "Azure" };
			struct bcp_user_info bare = { .idp = "Okta" };
			struct bcp_user_info no_idp = { .attrs = &has, .nattrs = 1 };
			agree(__LINE__, p.m, b, &okta, "app.example", "deny", NULL);
			agree(__LINE__, p.m, b, &azure, "app.example", "allow", NULL);
			agree(__LINE__, p.m, b, &bare, "app.example", "allow", NULL);
			agree(__LINE__, p.m, b, &no_idp, "app.example", "allow", NULL);
		}
		bcp_close(b);
		free(blob);
		arena_free(&p.arena);
	}
	CHECK(policy_fails_with("access_policy { rule \"r\" allow { idp \"A\" from idp \"B\"; } }\n",
				"'idp' cannot be qualified with 'from idp'"));
}

/* ---- the request reader ---- */

static void test_request(void)
{
	struct request r = { 0 };
	char err[256];
	const char *ok = "{\"host\":\"a\",\"port\":1,\"user\":{\"machine_group\":\"Kiosks\","
			 "\"idp\":\"okta\"}}";
	CHECK(request_parse(ok, strlen(ok), &r, err, sizeof err) == 0);
	CHECK(r.user.nattrs == 1 && r.user.attrs && !strcmp(r.user.attrs[0].kind, "machine_group") &&
	      r.user.attrs[0].name == NULL && r.user.attrs[0].nvalues == 1 &&
	      !strcmp(r.user.attrs[0].values[0], "Kiosks") && !strcmp(r.user.idp, "okta"));
	const char *null = "{\"host\":\"a\",\"port\":1,\"user\":{\"machine_group\":null}}";
	CHECK(request_parse(null, strlen(null), &r, err, sizeof err) == 0 && r.user.nattrs == 0);
	const char *bad = "{\"host\":\"a\",\"port\":1,\"user\":{\"machine_group\":[\"x\"]}}";
	CHECK(request_parse(bad, strlen(bad), &r, err, sizeof err) != 0 &&
	      !strcmp(err, "user.machine_group must be a string"));
	const char *typo = "{\"host\":\"a\",\"port\":1,\"user\":{\"machine_groups\":\"x\"}}";
	CHECK(request_parse(typo, strlen(typo), &r, err, sizeof err) != 0 &&
	      strstr(err, "did you mean 'machine_group'?"));
	request_free(&r);
}

int main(void)
{
	unsigned char pub[32];
	size_t publen = sizeof pub;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!key || EVP_PKEY_get_raw_public_key(key, pub, &publen) != 1 ||
	    bcp_thumbprint(pub, thumb) != 0) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	test_table();
	test_checker();
	test_decisions();
	test_no_new_bytes();
	test_request();
	test_every_kind_scoped();
	EVP_PKEY_free(key);
	return harness_summary();
}
