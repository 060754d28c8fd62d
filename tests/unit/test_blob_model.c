/* test_blob_model.c - compiler/blob_model.c reads a blob back into the model
 * exactly: for every policy below, compile it, read the blob back, compile that
 * model again with the same key and header, and the two blobs must be the same
 * bytes (Ed25519 signatures are deterministic). Also: the model read back decides
 * like the original (reference evaluator, a grid of requests), and a blob that
 * does not verify is refused with a message and no model. The policies: examples/acme,
 * the goldens that load, and 300 random ones (randpol.h, every atom form). Run from the repository
 * root; it ends with one "N passed, M failed" line. */
#include "blob.h"
#include "blob_model.h"
#include "frontend.h"
#include "reference.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "bcp.h"
#include "harness.h"
#include "randpol.h"

static EVP_PKEY *key;
static int compared;

static EVP_PKEY *new_key(void)
{
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	if (c && EVP_PKEY_keygen_init(c) == 1)
		EVP_PKEY_keygen(c, &k);
	EVP_PKEY_CTX_free(c);
	return k;
}

static const char *const HOSTS[] = { "a.example", "x.a.example", "c.a.example", "zz.example",
				     "10.1.2.3", "2001:db8::1", "192.168.0.1", "sap.acme.example",
				     "kiosk.example", "admin.example", "hr.acme.example" };
static const uint16_t PORTS[] = { 22, 53, 443, 500, 3200, 8443 };

/* A host that pattern p of m matches: the name, "w." for a wildcard, the network. */
static void pattern_host(const struct model *m, uint32_t p, char *out, size_t cap)
{
	const struct m_pattern *pat = &m->patterns[p];
	if (!pat->is_addr)
		snprintf(out, cap, "%s%s", pat->host[0] == '*' ? "w" : "",
			 pat->host + (pat->host[0] == '*'));
	else if (!inet_ntop(pat->prefix.family == 4 ? AF_INET : AF_INET6, pat->prefix.addr, out,
			    (socklen_t)cap))
		snprintf(out, cap, "0.0.0.0");
}

/* The two models decide host the same at every port of the grid, for two users. */
static int same_at(const struct model *x, const struct model *y, const char *host)
{
	const char *vals[] = { "x" };
	struct bcp_user_attr at = { "saml", "dept", vals, 1 };
	struct bcp_user_info u = { .platform = "linux", .attrs = &at, .nattrs = 1 };
	for (size_t p = 0; p < sizeof PORTS / sizeof *PORTS; p++)
		for (int proto = 0; proto < 2; proto++)
			for (int who = 0; who < 2; who++) {
				struct ref_result a, b;
				const struct bcp_user_info *uu = who ? &u : NULL;
				ref_decide(x, uu, host, PORTS[p], proto, &a);
				ref_decide(y, uu, host, PORTS[p], proto, &b);
				if (a.verdict != b.verdict || a.rule != b.rule ||
				    (a.segment < 0) != (b.segment < 0))
					return 0;
			}
	return ref_profile(x, &u) == ref_profile(y, &u);
}

/* The original and the read-back model decide the same: fixed hosts, and a host of
 * every pattern of the original. */
static int same_decisions(const struct model *x, const struct model *y)
{
	char host[300];
	for (size_t h = 0; h < sizeof HOSTS / sizeof *HOSTS; h++)
		if (!same_at(x, y, HOSTS[h]))
			return 0;
	for (uint32_t p = 0; p < x->npatterns; p++) {
		pattern_host(x, p, host, sizeof host);
		if (!same_at(x, y, host))
			return 0;
	}
	return 1;
}

/* Compiles path, reads the blob back, compiles that again: the same bytes. Policies
 * that do not load (error goldens) are skipped. */
static void round_trip(const char *path)
{
	char err[512], *paths[] = { (char *)path };
	struct arena a;
	struct diags d;
	struct blob_opts o = { 7, 1000, 2000000000, 1500 };
	uint8_t *b1 = NULL, *b2 = NULL;
	size_t n1 = 0, n2 = 0;
	arena_init(&a, NULL);
	diags_init(&d, &a);
	const struct model *m = load_policy(paths, 1, &a, &d);
	if (m && blob_build(m, key, &o, &b1, &n1, err, sizeof err) == 0) {
		struct model back;
		int ok = blob_model(b1, n1, &a, &back, err, sizeof err) == 0;
		if (!CHECK(ok))
			printf("    %s: %s\n", path, err);
		ok = ok && blob_build(&back, key, &o, &b2, &n2, err, sizeof err) == 0;
		if (!CHECK(ok && n1 == n2 && !memcmp(b1, b2, n1)))
			printf("    %s: the blob read back compiles to other bytes %s\n", path, err);
		if (ok && !CHECK(same_decisions(m, &back)))
			printf("    %s: the model read back decides otherwise\n", path);
		compared++;
	}
	free(b1);
	free(b2);
	arena_free(&a);
}

static void round_trip_dir(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	while (dp && (e = readdir(dp))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".bcl") || strstr(e->d_name, ".test."))
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		round_trip(path);
	}
	if (dp)
		closedir(dp);
}

/* Random policies of test_diff's generator, through the same round trip. */
static void round_trip_random(unsigned n)
{
	char path[128];
	struct sbuf b = { 0 };
	snprintf(path, sizeof path, "/tmp/bcp-blob-model-%d.bcl", (int)getpid());
	run_seed = 0xB10B;
	for (unsigned i = 0; i < n; i++) {
		struct gen g;
		memset(&g, 0, sizeof g);
		g.r.s = run_seed ^ (0x9E3779B97F4A7C15ull * (i + 1));
		later.s = g.r.s ^ 0x6A09E667F3BCC909ull;
		gen_policy(&g, &b);
		FILE *f = fopen(path, "w");
		if (!CHECK(f != NULL))
			break;
		fwrite(b.p, 1, b.n, f);
		fclose(f);
		round_trip(path);
	}
	remove(path);
	free(b.p);
}

/* A blob that does not verify gives an error and no model. */
static void test_refused(void)
{
	char err[512], *paths[] = { "examples/acme/policy.bcl" };
	struct arena a;
	struct diags d;
	struct blob_opts o = { 7, 1000, 2000000000, 1500 };
	uint8_t *b = NULL;
	size_t n = 0;
	arena_init(&a, NULL);
	diags_init(&d, &a);
	const struct model *m = load_policy(paths, 1, &a, &d);
	CHECK(m && blob_build(m, key, &o, &b, &n, err, sizeof err) == 0);
	if (b) {
		struct model back;
		b[n / 2] ^= 1;
		CHECK(blob_model(b, n, &a, &back, err, sizeof err) == -1 && err[0]);
		CHECK(blob_model(b, 100, &a, &back, err, sizeof err) == -1 && err[0]);
	}
	free(b);
	arena_free(&a);
}

int main(void)
{
	key = new_key();
	if (!CHECK(key != NULL))
		return harness_summary();
	round_trip("examples/acme/policy.bcl");
	round_trip_dir("tests/golden/blob");
	round_trip_dir("tests/golden/lint");
	round_trip_dir("tests/golden/errors");
	round_trip_dir("tests/golden/tests");
	round_trip_dir("tests/golden/zpa");
	int fixed = compared;
	round_trip_random(300);
	printf("%d policies read back (%d random)\n", compared, compared - fixed);
	CHECK(fixed >= 20 && compared - fixed >= 250);
	test_refused();
	EVP_PKEY_free(key);
	return harness_summary();
}
