/* test_limits.c - every limit of docs/LANGUAGE.md 2.10, at the limit and one past it.
 * At the limit a policy compiles; one past it, the compile fails with one error that
 * names the limit, at the first item past it; nothing is cut and nothing crashes.
 * The inputs are generated into a temporary folder. The pattern limit (16,777,216)
 * would need gigabytes of syntax tree, so its mechanism is tested with a small
 * limit through check_policy_limits. At the limits the format's u16 counts bind,
 * the policy also goes through the blob writer and the runtime.
 * Run from the repository root; ends with one "N passed, M failed" line. */
#include "blob.h"
#include "check.h"
#include "frontend.h"
#include "bcp.h"
#include "bcp_format.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "harness.h"


/* ---- generated sources ---- */

struct buf {
	char *p;
	size_t n, cap;
};

static void bput(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bput(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->n + (size_t)n + 1 > b->cap) {
		b->cap = (b->n + (size_t)n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			printf("out of memory\n");
			exit(1);
		}
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

/* n copies of byte c. */
static void brepeat(struct buf *b, int c, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			printf("out of memory\n");
			exit(1);
		}
	}
	memset(b->p + b->n, c, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static char tmpdir[256];

/* Writes b to tmpdir/name, empties b, and returns the path (static, 4 in turn). */
static char *save(struct buf *b, const char *name)
{
	static char paths[4][512];
	static int next;
	char *path = paths[next++ % 4];
	snprintf(path, sizeof paths[0], "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b->p ? b->p : "", 1, b->n, f) != b->n || fclose(f) != 0) {
		printf("cannot write %s\n", path);
		exit(1);
	}
	b->n = 0;
	if (b->p)
		b->p[0] = '\0';
	return path;
}

/* ---- running the front end ---- */

/* s is want, where one '*' in want stands for any text. */
static int matches(const char *s, const char *want)
{
	const char *star = strchr(want, '*');
	if (!star)
		return !strcmp(s, want);
	size_t pre = (size_t)(star - want), post = strlen(star + 1), n = strlen(s);
	return n >= pre + post && !strncmp(s, want, pre) && !strcmp(s + n - post, star + 1);
}

/* Compiles paths; want NULL: must succeed with no error; else the first error must
 * match want (see matches), at line want_line when that is not 0, and be the only
 * error when single. */
static void expect_paths(const char *name, char **paths, int n, const char *want, int want_line,
			 int single)
{
	struct arena a;
	struct diags d;
	arena_init(&a, NULL);
	diags_init(&d, &a);
	struct model *m = load_policy(paths, n, &a, &d);
	const struct diag *g = d.head;
	while (g && g->sev != SEV_ERROR)
		g = g->next;
	int ok;
	if (!want) {
		ok = m && d.nerrors == 0;
	} else {
		ok = !m && g && matches(g->msg, want) &&
		     (!want_line || g->loc.line == want_line) && (!single || d.nerrors == 1);
	}
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL %s: want %s%s, got %s (%d errors; first \"%s\" at line %d)\n", name,
		       want ? "error " : "success", want ? want : "", m ? "a model" : "no model",
		       d.nerrors, g ? g->msg : "", g ? g->loc.line : 0);
	}
	arena_free(&a);
}

static void expect(const char *name, struct buf *b, const char *want, int want_line)
{
	char *path = save(b, "p.bcl");
	expect_paths(name, &path, 1, want, want_line, 1);
}

static char *msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *msg(const char *fmt, ...)
{
	static char m[4][600];
	static int next;
	char *p = m[next++ % 4];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p, sizeof m[0], fmt, ap);
	va_end(ap);
	return p;
}

/* ---- the front end's limits ---- */

static void test_source_size(struct buf *b)
{
	/* One comment of exactly 16 MiB, then one byte more. */
	bput(b, "#");
	brepeat(b, 'x', BCL_MAX_SOURCE - 1);
	expect("source of 16 MiB", b, NULL, 0);
	bput(b, "#");
	brepeat(b, 'x', BCL_MAX_SOURCE);
	char *path = save(b, "big.bcl");
	expect_paths("source of 16 MiB + 1", &path, 1,
		     msg("cannot read %s: larger than the 16 MiB limit for a source file", path), 0, 1);
	unlink(path);
}

static void test_tokens(struct buf *b)
{
	const char *head = "app_profile \"P\" {\n";
	bput(b, "%s    set s = \"", head);
	brepeat(b, 's', BCL_MAX_TOKEN);
	bput(b, "\";\n}\n");
	expect("string of 4096 bytes", b, NULL, 0);
	bput(b, "%s    set s = \"", head);
	brepeat(b, 's', BCL_MAX_TOKEN + 1);
	bput(b, "\";\n}\n");
	expect("string of 4097 bytes", b, "string longer than 4096 bytes", 2);

	bput(b, "%s    set ", head);
	brepeat(b, 'w', BCL_MAX_TOKEN);
	bput(b, " = 1;\n}\n");
	expect("word of 4096 bytes", b, NULL, 0);
	bput(b, "%s    set ", head);
	brepeat(b, 'w', BCL_MAX_TOKEN + 1);
	bput(b, " = 1;\n}\n");
	expect("word of 4097 bytes", b, "word longer than 4096 bytes", 2);

	/* No address is that long: at the limit the token passes and the checker
	 * refuses it as an address. */
	for (int len = BCL_MAX_TOKEN; len <= BCL_MAX_TOKEN + 2; len += 2) {
		bput(b, "segment_group \"G\";\nsegment \"S\" { group \"G\"; tcp 443; addresses ");
		for (int i = 0; i < len / 2; i++)
			bput(b, "1:");
		bput(b, "; }\n");
		expect(len == BCL_MAX_TOKEN ? "address of 4096 bytes" : "address of 4098 bytes", b,
		       len == BCL_MAX_TOKEN ? "invalid IP address or network \"1:1:*\"" :
		       "address longer than 4096 bytes", 2);
	}

	bput(b, "%s    set n = 4294967295;\n}\n", head);
	expect("number 4294967295", b, NULL, 0);
	bput(b, "%s    set n = 4294967296;\n}\n", head);
	expect("number 4294967296", b, "number too large (the limit is 4294967295)", 2);
}

/* A host name of n bytes made of labels of at most label bytes. */
static void host_of(struct buf *b, size_t n, size_t label)
{
	size_t left = n;
	while (left > 0) {
		size_t k = left > label ? label : left;
		if (left - k == 1)   /* never leave a lone '.' */
			k--;
		brepeat(b, 'h', k);
		left -= k;
		if (left) {
			bput(b, ".");
			left--;
		}
	}
}

static void test_hosts_and_names(struct buf *b)
{
	const char *seg = "segment_group \"G\";\nsegment \"S\" { group \"G\"; tcp 443; domains \"";
	bput(b, "%s", seg);
	host_of(b, 253, 63);
	bput(b, "\"; }\n");
	expect("host name of 253 bytes", b, NULL, 0);
	bput(b, "%s", seg);
	host_of(b, 254, 63);
	bput(b, "\"; }\n");
	/* The message quotes at most 80 bytes of the name. */
	expect("host name of 254 bytes", b,
	       "invalid host name \"*\": host name longer than 253 characters", 2);
	bput(b, "%s", seg);
	brepeat(b, 'l', 63);
	bput(b, ".example\"; }\n");
	expect("label of 63 bytes", b, NULL, 0);
	bput(b, "%s", seg);
	brepeat(b, 'l', 64);
	bput(b, ".example\"; }\n");
	expect("label of 64 bytes", b, "invalid host name \"*\": label longer than 63 characters", 2);

	bput(b, "segment_group \"");
	brepeat(b, 'n', 255);
	bput(b, "\";\n");
	expect("name of 255 bytes", b, NULL, 0);
	bput(b, "segment_group \"");
	brepeat(b, 'n', 256);
	bput(b, "\";\n");
	expect("name of 256 bytes", b, "segment group name longer than 255 bytes", 1);
	bput(b, "segment_group \"\";\n");
	expect("empty name", b, "empty segment group name", 1);
	bput(b, "segment_group \"a\001b\";\n");
	expect("name with a control byte", b, "control character in segment group name", 1);
}

/* The SP CA certificate: a PEM padded after its END line to exactly 1 MiB, then
 * one byte more. */
static void test_ca_file(struct buf *b)
{
	FILE *f = fopen("examples/acme/bc-sp-ca.pem", "rb");
	char pem[8192];
	size_t n = f ? fread(pem, 1, sizeof pem, f) : 0;
	if (f)
		fclose(f);
	CHECK(n > 0 && n < sizeof pem);
	for (size_t size = 1u << 20; size <= (1u << 20) + 1; size++) {
		bput(b, "%.*s", (int)n, pem);
		brepeat(b, '\n', size - n);
		char *ca = save(b, "ca.pem");
		bput(b, "business_continuity {\ndomain \"bc.example\";\ncontroller \"c.example\";\n"
			"sni \"sni.example\";\nsni_new_user \"new.example\";\nsp_url \"https://sp.example\";\n"
			"sp_ca_file \"ca.pem\";\n}\n");
		expect(size == 1u << 20 ? "sp_ca_file of 1 MiB" : "sp_ca_file of 1 MiB + 1", b,
		       size == 1u << 20 ? NULL :
		       msg("cannot read sp_ca_file \"%s\": larger than 1 MiB", ca), 7);
		unlink(ca);
	}
}

/* ---- the count limits ---- */

static void test_sources(struct buf *b)
{
	char *empty = save(b, "empty.bcl");
	char **paths = malloc((BCL_MAX_SOURCES + 1) * sizeof *paths);
	for (int i = 0; i <= BCL_MAX_SOURCES; i++)
		paths[i] = empty;
	expect_paths("1024 source files", paths, BCL_MAX_SOURCES, NULL, 0, 1);
	expect_paths("1025 source files", paths, BCL_MAX_SOURCES + 1,
		     msg("too many source files: %d (the limit is %d)", BCL_MAX_SOURCES + 1,
			 BCL_MAX_SOURCES), 0, 1);
	free(paths);
}

static void groups(struct buf *b, int n)
{
	for (int i = 0; i < n; i++)
		bput(b, "segment_group \"g%d\";\n", i);
}

/* n valid segments, each on its own line after line 1 (their group). */
static void segments(struct buf *b, int n)
{
	bput(b, "segment_group \"G\";\n");
	for (int i = 0; i < n; i++)
		bput(b, "segment \"s%d\" { group \"G\"; addresses 10.%d.%d.%d; tcp 443; }\n", i,
		     i >> 16, i >> 8 & 255, i & 255);
}

/* n rules, each valid, on lines 2..n+1. */
static void rules(struct buf *b, int n)
{
	bput(b, "access_policy {\n");
	for (int i = 0; i < n; i++)
		bput(b, "rule \"r%d\" allow { idp \"x\"; }\n", i);
	bput(b, "}\n");
}

static void profiles(struct buf *b, int n)
{
	for (int i = 0; i < n; i++)
		bput(b, "app_profile \"p%d\" { set a = 1; }\n", i);
}

/* One rule with n clauses, one per line (lines 3..n+2). */
static void clauses(struct buf *b, int n)
{
	bput(b, "access_policy {\nrule \"R\" allow {\n");
	for (int i = 0; i < n; i++)
		bput(b, "idp \"i%d\";\n", i);
	bput(b, "}\n}\n");
}

static void atoms(struct buf *b, int n)
{
	bput(b, "access_policy {\nrule \"R\" allow {\n");
	for (int i = 0; i < n; i++)
		bput(b, "%sidp \"i%d\"\n", i ? "or " : "", i);
	bput(b, ";\n}\n}\n");
}

/* One clause: a scim_group condition with n values, then (when m) an idp one with m. */
static void values(struct buf *b, int n, int m)
{
	bput(b, "access_policy {\nrule \"R\" allow {\nscim_group \"v0\"");
	for (int i = 1; i < n; i++)
		bput(b, ",\n\"v%d\"", i);
	if (m) {
		bput(b, "\nor idp \"w0\"");
		for (int i = 1; i < m; i++)
			bput(b, ",\n\"w%d\"", i);
	}
	bput(b, ";\n}\n}\n");
}

/* n values of scim_group, or m values of one condition scoped to an IdP (two words
 * each in the blob, so each counts twice against the clause's limit). */
static void scoped_values(struct buf *b, int n, int m)
{
	bput(b, "access_policy {\nrule \"R\" allow {\nscim_group \"v0\"");
	for (int i = 1; i < n; i++)
		bput(b, ",\n\"v%d\"", i);
	bput(b, "\nor scim \"a\" = \"w0\"");
	for (int i = 1; i < m; i++)
		bput(b, ",\n\"w%d\"", i);
	bput(b, " from idp \"I\";\n}\n}\n");
}

static void settings(struct buf *b, int n)
{
	bput(b, "app_profile \"P\" {\n");
	for (int i = 0; i < n; i++)
		bput(b, "set k%d = %d;\n", i, i);
	bput(b, "}\n");
}

static void list_items(struct buf *b, int n)
{
	bput(b, "app_profile \"P\" {\nset l = [\"x0\"");
	for (int i = 1; i < n; i++)
		bput(b, ",\n\"x%d\"", i);
	bput(b, "];\n}\n");
}

static void controllers(struct buf *b, int n)
{
	bput(b, "business_continuity {\ndomain \"bc.example\";\nsni \"sni.example\";\n"
		"sni_new_user \"new.example\";\ncontroller \"c0.example\"");
	for (int i = 1; i < n; i++)
		bput(b, ",\n\"c%d.example\"", i);
	bput(b, ";\n}\n");
}

static void when_clauses(struct buf *b, int n)
{
	bput(b, "app_profile \"P\" {\n");
	for (int i = 0; i < n; i++)
		bput(b, "when idp \"i%d\";\n", i);
	bput(b, "}\n");
}

/* At the limit: compiles. One past: the limit's error, at the item past it. */
#define AT_AND_PAST(gen, limit, line_past, what)                                              \
	do {                                                                                  \
		gen(b, limit);                                                                \
		expect(#gen " at the limit", b, NULL, 0);                                     \
		gen(b, (limit) + 1);                                                          \
		expect(#gen " past the limit", b,                                             \
		       msg("too many %s: %d (the limit is %d)", what, (limit) + 1, limit),    \
		       line_past);                                                            \
	} while (0)

static void test_counts(struct buf *b)
{
	AT_AND_PAST(groups, BCL_MAX_GROUPS, BCL_MAX_GROUPS + 1, "segment groups");
	AT_AND_PAST(segments, BCL_MAX_SEGMENTS, BCL_MAX_SEGMENTS + 2, "segments");
	AT_AND_PAST(rules, BCL_MAX_RULES, BCL_MAX_RULES + 2, "rules");
	AT_AND_PAST(profiles, BCL_MAX_PROFILES, BCL_MAX_PROFILES + 1, "app profiles");
	AT_AND_PAST(clauses, BCL_MAX_CLAUSES, BCL_MAX_CLAUSES + 3, "clauses in rule \"R\"");
	AT_AND_PAST(when_clauses, BCL_MAX_CLAUSES, BCL_MAX_CLAUSES + 2,
		    "clauses in app profile \"P\"");
	AT_AND_PAST(atoms, BCL_MAX_ATOMS, BCL_MAX_ATOMS + 3,
		    "conditions joined by 'or' in one clause");
	AT_AND_PAST(settings, BCL_MAX_SETTINGS, BCL_MAX_SETTINGS + 2,
		    "settings in app profile \"P\"");
	AT_AND_PAST(list_items, BCL_MAX_LIST_ITEMS, BCL_MAX_LIST_ITEMS + 2,
		    "items in list setting 'l'");
	AT_AND_PAST(controllers, BCL_MAX_CONTROLLERS, BCL_MAX_CONTROLLERS + 5,
		    "controllers in business_continuity");

	/* Values: of one condition, and of one clause (several conditions together). */
	values(b, BCL_MAX_ATOM_VALUES, 0);
	expect("values of one condition at the limit", b, NULL, 0);
	values(b, BCL_MAX_ATOM_VALUES + 1, 0);
	expect("values of one condition past the limit", b,
	       msg("too many values in one 'scim_group' condition: %d (the limit is %d)",
		   BCL_MAX_ATOM_VALUES + 1, BCL_MAX_ATOM_VALUES), BCL_MAX_ATOM_VALUES + 3);
	values(b, 40000, BCL_MAX_CLAUSE_VALUES - 40000);
	expect("values of one clause at the limit", b, NULL, 0);
	values(b, 40000, BCL_MAX_CLAUSE_VALUES - 40000 + 1);
	expect("values of one clause past the limit", b,
	       msg("too many values in one clause (all its conditions together): %d (the limit is %d)",
		   BCL_MAX_CLAUSE_VALUES + 1, BCL_MAX_CLAUSE_VALUES), BCL_MAX_CLAUSE_VALUES + 3);
	scoped_values(b, BCL_MAX_CLAUSE_VALUES - 200, 100);
	expect("values of one clause with a scoped condition at the limit", b, NULL, 0);
	scoped_values(b, BCL_MAX_CLAUSE_VALUES - 199, 100);
	expect("values of one clause with a scoped condition past the limit", b,
	       msg("too many values in one clause (all its conditions together): %d (the limit is %d)",
		   BCL_MAX_CLAUSE_VALUES + 1, BCL_MAX_CLAUSE_VALUES), 0);
}

/* Patterns: the real limit takes gigabytes to reach, so a small one shows the check
 * (counting domains and addresses of all segments, disabled ones included). */
static void test_patterns(struct buf *b)
{
	CHECK(BCL_MAX_PATTERNS == 16777216u);
	CHECK(policy_limits_default.patterns == BCL_MAX_PATTERNS);
	struct policy_limits lim = policy_limits_default;
	lim.patterns = 5;
	for (int n = 5; n <= 6; n++) {
		bput(b, "segment_group \"G\";\n"
			"segment \"A\" { group \"G\"; tcp 443; domains \"a.example\", \"b.example\"; }\n"
			"segment \"B\" { group \"G\"; tcp 80; enabled false; domains \"a.example\";\n"
			"  addresses 10.0.0.1%s; }\n", n == 6 ? ", 10.0.0.2, 10.0.0.3" : ", 10.0.0.2");
		struct source src = { "patterns.bcl", b->p, b->n, 0 };
		struct arena a;
		struct diags d;
		struct stmt *stmts = NULL;
		arena_init(&a, NULL);
		diags_init(&d, &a);
		struct model *m = NULL;
		if (parse_source(&src, &a, &d, &stmts) == 0)
			m = check_policy_limits(stmts, &lim, &a, &d);
		if (n == 5)
			CHECK(m != NULL);
		else
			CHECK(!m && d.nerrors == 1 && d.head && d.head->loc.line == 4 && !strcmp(d.head->msg,
				"too many host and address patterns (entries of 'domains' and 'addresses', "
				"all segments together): 6 (the limit is 5)"));
		arena_free(&a);
		b->n = 0;
	}
}

/* At the limits that the format's u16 fields bind: the blob holds them, the runtime
 * opens it, and a user who holds the last value of a full clause is matched. */
static void test_blob_at_limits(struct buf *b)
{
	bput(b, "segment_group \"G\";\nsegment \"S\" { group \"G\"; domains \"s.example\"; tcp 443; }\n"
		"app_profile \"P\" {\n");
	for (int i = 0; i < BCL_MAX_CLAUSES; i++)
		bput(b, "when not idp \"p%d\";\n", i);
	bput(b, "}\naccess_policy {\nrule \"Many clauses\" deny {\n");
	for (int i = 0; i < BCL_MAX_CLAUSES; i++)
		bput(b, "not idp \"c%d\";\n", i);
	bput(b, "}\nrule \"Many values\" allow {\nsegment \"S\";\nscim_group \"v0\"");
	for (int i = 1; i < BCL_MAX_CLAUSE_VALUES; i++)
		bput(b, ", \"v%d\"", i);
	bput(b, ";\n}\n}\n");
	char *path = save(b, "full.bcl");

	struct arena a;
	struct diags d;
	arena_init(&a, NULL);
	diags_init(&d, &a);
	struct model *m = load_policy(&path, 1, &a, &d);
	CHECK(m != NULL);
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	struct blob_opts o = { .serial = 1, .not_before = 0, .not_after = 4102444800ll };
	uint8_t *blob = NULL;
	size_t len = 0;
	char err[512] = "";
	int built = m && key && blob_build(m, key, &o, &blob, &len, err, sizeof err) == 0;
	if (!built)
		printf("blob_build: %s\n", err);
	CHECK(built);
	if (built) {
		char tp[45];
		const char *tps[1] = { tp };
		bcp_blob *bl = NULL;
		bcp_user *u = NULL;
		struct bcp_error e;
		struct bcp_decision dec;
		char last[16];
		snprintf(last, sizeof last, "v%d", BCL_MAX_CLAUSE_VALUES - 1);
		const char *groups_[1] = { last };
		struct bcp_user_info info = { .scim_groups = groups_, .nscim_groups = 1, .idp = "c0" };
		struct bcp_open_opts oo = { .thumbprints = tps, .nthumbprints = 1, .now = 1000 };
		CHECK(bcp_thumbprint(blob + BCPF_H_PUBKEY, tp) == 0);
		CHECK(bcp_open_buffer(blob, len, &oo, &bl, &e) == BCP_OK);
		CHECK(bl && bcp_bind(bl, &info, &u, &e) == BCP_OK);
		/* idp "c0" fails the deny rule's first clause; the last value matches. */
		CHECK(u && bcp_decide_host(u, "s.example", 9, 443, BCP_TCP, &dec) == BCP_OK &&
		      dec.verdict == BCP_ALLOW && !strcmp(dec.rule, "Many values"));
		/* All 1024 'not idp' clauses of the profile hold for idp "c0". */
		CHECK(u && bcp_user_profile(u) && !strcmp(bcp_user_profile(u), "P"));
		bcp_user_free(u);
		bcp_close(bl);
	}
	free(blob);
	EVP_PKEY_free(key);
	arena_free(&a);
	unlink(path);
}

/* The runtime's limit on a blob's size: refused before a byte of it is read. */
static void test_blob_size(void)
{
	static const uint8_t byte = 0;
	const char *tps[1] = { "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" };
	struct bcp_open_opts o = { .thumbprints = tps, .nthumbprints = 1, .now = 1000 };
	bcp_blob *bl = NULL;
	struct bcp_error e;
	CHECK(BCPF_MAX_BLOB == 1u << 30);
	CHECK(bcp_open_buffer(&byte, (size_t)BCPF_MAX_BLOB + 1, &o, &bl, &e) == BCP_E_TOO_LARGE &&
	      !bl && strstr(e.message, "the limit is 1073741824"));
}

int main(void)
{
	struct buf b = { 0 };
	snprintf(tmpdir, sizeof tmpdir, "%s/bcp-limits-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		printf("cannot make a temporary folder\n");
		return 1;
	}
	test_source_size(&b);
	test_tokens(&b);
	test_hosts_and_names(&b);
	test_ca_file(&b);
	test_sources(&b);
	test_counts(&b);
	test_patterns(&b);
	test_blob_at_limits(&b);
	test_blob_size();

	free(b.p);
	char path[300];
	static const char *const files[] = { "p.bcl", "empty.bcl", "full.bcl", "big.bcl" };
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	return harness_summary();
}
