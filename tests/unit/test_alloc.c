/* test_alloc.c - allocation failure, everywhere. A hook counts the allocations of a
 * run and fails the Nth; for every N from 1 to the run's total:
 *
 *   - compiling sources to a blob in memory and writing it with write_file_atomic
 *     (examples/acme, and a two-file policy that uses every construct) fails with
 *     one diagnostic, "out of memory", or an "out of memory" message from the blob
 *     writer; every block is released; no output file and no temporary file remain;
 *   - bcp_bind_with of a few users fails with BCP_E_NOMEM, *out NULL, every block
 *     released.
 *
 * The compiler runs twice: with the arenas' usual 64 KiB blocks, and with
 * arena_block = 1, so that every single arena allocation reaches the hook.
 * Run from the repository root; ends with one "N passed, M failed" line. */
#include "blob.h"
#include "file.h"
#include "frontend.h"
#include "bcp.h"
#include "bcp_format.h"
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "harness.h"


/* ---- the counting allocator ---- */

/* Each block carries a header, so that a release of something this allocator did not
 * hand out, or a second release, is caught rather than passed to free(). */
#define MAGIC_LIVE 0x6c697665u
#define MAGIC_DEAD 0x64656164u
union header {
	struct {
		unsigned magic;
		size_t size;
	} h;
	max_align_t align;
};

struct counter {
	unsigned long calls;     /* allocations asked for since the last reset */
	unsigned long fail_at;   /* fail this one (1-based); 0: none */
	int sticky;              /* and every one after it (memory stays short) */
	long live;               /* blocks handed out and not yet released */
	int bad_release;         /* a release of a foreign or dead block */
};

static void *count_alloc(void *ctx, size_t n)
{
	struct counter *c = ctx;
	c->calls++;
	if (c->fail_at && (c->calls == c->fail_at || (c->sticky && c->calls > c->fail_at)))
		return NULL;
	union header *b = malloc(sizeof *b + n);
	if (!b)
		return NULL;
	b->h.magic = MAGIC_LIVE;
	b->h.size = n;
	c->live++;
	return b + 1;
}

static void count_release(void *ctx, void *p)
{
	struct counter *c = ctx;
	if (!p)
		return;
	union header *b = (union header *)p - 1;
	if (b->h.magic != MAGIC_LIVE) {
		c->bad_release = 1;
		return;
	}
	b->h.magic = MAGIC_DEAD;
	c->live--;
	free(b);
}

static void counter_reset(struct counter *c, unsigned long fail_at, int sticky)
{
	c->calls = 0;
	c->fail_at = fail_at;
	c->sticky = sticky;
	c->live = 0;
	c->bad_release = 0;
}

/* ---- files ---- */

static char srcdir[256], outdir[256];

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		printf("cannot write %s\n", path);
		exit(1);
	}
}

/* Entries in outdir besides . and .. (the output and any temporary file). */
static int outdir_entries(void)
{
	DIR *d = opendir(outdir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[600];
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* The declarations half and the rules half of a policy with every construct: all
 * business_continuity keys, wildcards, "*", IPv4 and IPv6 networks, quoted
 * addresses, port ranges, inclusive and bypass segments, a disabled one, a shared
 * pattern, every condition, negation, 'or', every kind of setting, warnings. */
static const char every_decls[] =
	"tenant \"every\";\n"
	"business_continuity {\n"
	"    domain \"bc.every.example\";\n"
	"    controller \"pcc1.every.example:8443\", \"pcc2.every.example\";\n"
	"    controller \"pcc3.every.example\";\n"
	"    sni \"sni.every.example\";\n"
	"    sni_new_user \"new.every.example\";\n"
	"    sp_url \"https://sp.every.example/saml\";\n"
	"    sp_ca_file \"%s\";\n"
	"    enter_after 90s;\n"
	"    exit_mode automatic;\n"
	"    exit_after 2h;\n"
	"    auth_max_age 0;\n"
	"}\n"
	"segment_group \"G1\";\n"
	"segment_group \"G2\";\n"
	"segment \"Web\" { group \"G1\"; domains \"web.every.example\", \"*.web.every.example\", "
	"\"WEB.every.example.\"; tcp 443, 80-81; match inclusive; }\n"
	"segment \"All\" { group \"G1\"; domains \"*\"; tcp 1-65535; udp 1 - 65535; match inclusive; }\n"
	"segment \"Nets\" { group \"G2\"; addresses 10.0.0.0/8, 192.168.1.1, \"172.16.0.0/12\", "
	"2001:db8::/32, ::1, ::ffff:192.0.2.1; tcp 22; udp 53; bypass on_net; }\n"
	"segment \"Shared\" { group \"G2\"; domains \"web.every.example\"; tcp 8443, 9000-9010, 9005; "
	"match inclusive; }\n"
	"segment \"Off\" { group \"G2\"; domains \"off.every.example\"; tcp 443; enabled false; }\n"
	"segment \"Always\" { group \"G2\"; domains \"*.meet.every.example\"; udp 3478-3481; "
	"bypass always; }\n";

static const char every_rules[] =
	"app_profile \"P1\" {\n"
	"    when platform windows, mac;\n"
	"    when saml \"dept\" = \"Eng\" or scim \"type\" = \"employee\";\n"
	"    when not country \"us\", \"DE\";\n"
	"    when scim_group \"A\" or idp \"okta\" or posture \"edr\" or trusted_network \"HQ\" "
	"or client_type zapp, vdi;\n"
	"    set s = \"text \\\"quoted\\\" \\\\\";\n"
	"    set i = 42;\n"
	"    set b = false;\n"
	"    set d = 15m;\n"
	"    set l = [\"a\", \"b\"];\n"
	"    set e = [];\n"
	"}\n"
	"app_profile \"P2\" { set x = 1; }\n"
	"access_policy {\n"
	"    rule \"R1\" deny { country \"KP\"; }\n"
	"    rule \"R2\" allow {\n"
	"        segment \"Web\" or segment_group \"G2\";\n"
	"        segment \"Nets\", \"Shared\";\n"
	"        not saml \"role\" = \"guest\";\n"
	"        platform linux or client_type browser_isolation;\n"
	"    }\n"
	"    rule \"R3\" allow { segment_group \"G1\"; }\n"
	"    rule \"R4\" allow { scim_group \"A\"; }\n"
	"    rule \"R5\" deny { }\n"
	"}\n";

/* ---- compiling ---- */

struct scenario {
	const char *name;
	char *paths[2];
	int npaths;
};

static EVP_PKEY *key;
static const struct blob_opts blob_options = { .serial = 7, .not_before = 0,
					       .not_after = 4102444800ll, .created = 0 };

/* Sources to a blob written at outdir/out.bcp, all through hook. Returns 0 when the
 * file was written, 1 when the run failed with the out-of-memory error it must give,
 * -1 when it failed otherwise (why says how). *blob_out, if not NULL, gets a malloc'd
 * copy of the blob on success. */
static int compile(const struct scenario *s, const struct alloc_hook *hook, char *why,
		   size_t whylen, uint8_t **blob_out, size_t *len_out)
{
	struct arena a;
	struct diags d;
	char err[512], out[300];
	uint8_t *blob = NULL;
	size_t len = 0;
	int rc = -1;

	snprintf(out, sizeof out, "%s/out.bcp", outdir);
	arena_init(&a, hook);
	diags_init(&d, &a);
	struct model *m = load_policy(s->paths, s->npaths, &a, &d);
	if (!m) {
		const struct diag *g = d.head;
		if (g && !g->next && g->sev == SEV_ERROR && !strcmp(g->msg, "out of memory") &&
		    d.nerrors == 1)
			rc = 1;
		else
			snprintf(why, whylen, "load_policy: %d errors, first \"%s\"", d.nerrors,
				 g ? g->msg : "(none)");
	} else if (blob_build_with(m, key, &blob_options, hook, &blob, &len, err, sizeof err) != 0) {
		if (!strncmp(err, "out of memory", 13) && !blob)
			rc = 1;
		else
			snprintf(why, whylen, "blob_build_with: %s", err);
	} else if (write_file_atomic(out, blob, len, err, sizeof err) != 0) {
		snprintf(why, whylen, "write_file_atomic: %s", err);
	} else {
		rc = 0;
		if (blob_out && (*blob_out = malloc(len)) != NULL) {
			memcpy(*blob_out, blob, len);
			*len_out = len;
		}
	}
	hook_release(hook, blob);
	arena_free(&a);
	return rc;
}

/* Counts a whole run's allocations, then fails each one in turn. */
static void exhaust_compile(const struct scenario *s, size_t arena_block)
{
	struct counter c;
	struct alloc_hook hook = { count_alloc, count_release, &c, arena_block };
	char why[700] = "", out[300];
	unsigned long bad = 0;

	snprintf(out, sizeof out, "%s/out.bcp", outdir);
	counter_reset(&c, 0, 0);
	int rc = compile(s, &hook, why, sizeof why, NULL, NULL);
	unsigned long total = c.calls;
	if (rc != 0)
		printf("%s: the compile without failures failed: %s\n", s->name, why);
	CHECK(rc == 0 && c.live == 0 && !c.bad_release && total > 0);
	unlink(out);

	for (unsigned long n = 1; n <= 2 * total; n++) {
		why[0] = '\0';
		counter_reset(&c, n <= total ? n : n - total, n > total);
		rc = compile(s, &hook, why, sizeof why, NULL, NULL);
		int files = outdir_entries();
		if (rc == 1 && c.live == 0 && !c.bad_release && files == 0)
			continue;
		bad++;
		if (bad <= 10)
			printf("%s, arena_block %zu, allocation %lu of %lu failed%s: %s%s, %ld blocks "
			       "live, %d files left\n", s->name, arena_block, c.fail_at, total,
			       c.sticky ? " with all after it" : "",
			       rc == 0 ? "the compile succeeded" : rc == 1 ? "out of memory" : why,
			       c.bad_release ? ", a bad release" : "", c.live, files);
		if (files > 0) {
			remove_dir(outdir);
			mkdir(outdir, 0700);
		}
	}
	printf("%s, arena_block %zu: %lu allocations; each failed in turn, alone and with "
	       "all after it: %lu unclean\n", s->name, arena_block ? arena_block : (size_t)65536,
	       total, bad);
	CHECK(bad == 0);
}

/* ---- binding ---- */

static const char *const finance[] = { "Finance" };
static const char *const encrypted[] = { "disk-encrypted" };
static const char *const contractor[] = { "contractor" };
static const char *const eng[] = { "Eng" };
static const struct bcp_attr saml_contractor[] = { { "employeeType", contractor, 1 } };
static const struct bcp_attr saml_eng[] = { { "dept", eng, 1 } };

static const struct bcp_user_info users[] = {
	{ .scim_groups = finance, .nscim_groups = 1, .platform = "windows",
	  .posture = encrypted, .nposture = 1, .country = "de" },
	{ .saml = saml_contractor, .nsaml = 1, .idp = "okta-partners" },
	{ .saml = saml_eng, .nsaml = 1, .platform = "linux", .client_type = "vdi" },
};
#define NUSERS (sizeof users / sizeof *users)

/* Binds every user; 0 when all bound, 1 when one failed with BCP_E_NOMEM and left
 * nothing, -1 otherwise. Frees what it bound. */
static int bind_all(const bcp_blob *b, const struct bcp_allocator *al)
{
	bcp_user *u[NUSERS] = { 0 };
	int rc = 0;
	for (size_t i = 0; i < NUSERS && rc == 0; i++) {
		struct bcp_error err;
		enum bcp_status st = bcp_bind_with(b, &users[i], al, &u[i], &err);
		if (st == BCP_E_NOMEM && !u[i] && err.code == BCP_E_NOMEM)
			rc = 1;
		else if (st != BCP_OK || !u[i])
			rc = -1;
	}
	for (size_t i = 0; i < NUSERS; i++)
		bcp_user_free(u[i]);
	return rc;
}

static void exhaust_bind(const char *name, const uint8_t *blob, size_t len)
{
	const char *tp[1];
	char thumb[45];
	bcp_blob *b = NULL;
	struct bcp_error err;
	struct counter c;
	struct bcp_allocator al = { count_alloc, count_release, &c };
	unsigned long bad = 0;

	CHECK(bcp_thumbprint(blob + BCPF_H_PUBKEY, thumb) == 0);
	tp[0] = thumb;
	struct bcp_open_opts o = { .thumbprints = tp, .nthumbprints = 1, .now = 1000 };
	if (bcp_open_buffer(blob, len, &o, &b, &err) != BCP_OK) {
		printf("%s: the blob does not open: %s\n", name, err.message);
		CHECK(0);
		return;
	}
	counter_reset(&c, 0, 0);
	CHECK(bind_all(b, &al) == 0 && c.live == 0 && !c.bad_release);
	unsigned long total = c.calls;
	CHECK(total >= NUSERS);
	for (unsigned long n = 1; n <= 2 * total; n++) {
		counter_reset(&c, n <= total ? n : n - total, n > total);
		int rc = bind_all(b, &al);
		if (rc == 1 && c.live == 0 && !c.bad_release)
			continue;
		if (bad++ < 10)
			printf("%s: bind allocation %lu of %lu failed%s: result %d, %ld blocks live\n",
			       name, c.fail_at, total, c.sticky ? " with all after it" : "", rc, c.live);
	}
	printf("%s: bcp_bind_with of %zu users: %lu allocations; each failed in turn, alone "
	       "and with all after it: %lu unclean\n", name, NUSERS, total, bad);
	CHECK(bad == 0);

	/* A user remembers its allocator: a bound user is given back to it. */
	bcp_user *u = NULL;
	counter_reset(&c, 0, 0);
	CHECK(bcp_bind_with(b, &users[0], &al, &u, &err) == BCP_OK && u && c.live > 0);
	bcp_user_free(u);
	CHECK(c.live == 0 && !c.bad_release);
	/* An allocator without one of its functions is refused. */
	struct bcp_allocator half = { count_alloc, NULL, &c };
	u = NULL;
	CHECK(bcp_bind_with(b, &users[0], &half, &u, &err) == BCP_E_ARG && !u);
	bcp_close(b);
}

int main(void)
{
	char pem[PATH_MAX], text[sizeof every_decls + PATH_MAX];
	char pa[300], pb[300];
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(srcdir, sizeof srcdir, "%s/bcp-alloc-src-XXXXXX", tmp);
	snprintf(outdir, sizeof outdir, "%s/bcp-alloc-out-XXXXXX", tmp);
	if (!mkdtemp(srcdir) || !mkdtemp(outdir) || !realpath("examples/acme/bc-sp-ca.pem", pem)) {
		printf("cannot make temporary folders, or find examples/acme (run from the "
		       "repository root)\n");
		return 1;
	}
	snprintf(text, sizeof text, every_decls, pem);
	snprintf(pa, sizeof pa, "%s/every_decls.bcl", srcdir);
	snprintf(pb, sizeof pb, "%s/every_rules.bcl", srcdir);
	write_text(pa, text);
	write_text(pb, every_rules);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!key) {
		printf("cannot make an Ed25519 key\n");
		return 1;
	}

	const struct scenario scenarios[] = {
		{ "examples/acme", { "examples/acme/policy.bcl" }, 1 },
		{ "every construct (2 files)", { pa, pb }, 2 },
	};
	for (size_t i = 0; i < sizeof scenarios / sizeof *scenarios; i++) {
		exhaust_compile(&scenarios[i], 0);
		exhaust_compile(&scenarios[i], 1);

		/* The blob of a clean run, for binding. */
		char why[700] = "";
		uint8_t *blob = NULL;
		size_t len = 0;
		CHECK(compile(&scenarios[i], NULL, why, sizeof why, &blob, &len) == 0 && blob);
		char out[300];
		snprintf(out, sizeof out, "%s/out.bcp", outdir);
		unlink(out);
		if (blob)
			exhaust_bind(scenarios[i].name, blob, len);
		free(blob);
	}

	EVP_PKEY_free(key);
	remove_dir(srcdir);
	remove_dir(outdir);
	return harness_summary();
}
