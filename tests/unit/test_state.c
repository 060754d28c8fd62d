/* test_state.c - unit tests for the device's state folder (runtime/state.c,
 * runtime/install.c) and the expired state of a blob (BCP_OPEN_EXPIRED_DENIES,
 * enum bcp_reason): install, rollback and replay refusals, owner-only modes,
 * fallback to the last-known-good, expiry, the clock floor, key rotation, every
 * malformed folder we could think of, and the crash test: for every install step,
 * a child that abort()s right after it, then the folder must open the old blob or
 * the new one, and a later install must succeed.
 *
 * Blobs are real: compiled from a small policy with the compiler's API and signed
 * with keys made by key_generate. Run from anywhere; it works in $TMPDIR. The last
 * line is "N passed, M failed"; the exit status is 1 on failure.
 *
 *     test_state [--quick]     --quick: crash-test only a few steps (for valgrind)
 *     VERBOSE=1 test_state     prints the install steps and the fallback messages */
#include "blob.h"
#include "frontend.h"
#include "keys.h"
#include "bcp.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "harness.h"

static int verbose, quick;


/* ---- files ---- */

static char tmpdir[256];

static char *path(const char *name)
{
	static char buf[8][600];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
	return p;
}

static char *in(const char *dir, const char *name)
{
	static char buf[8][700];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

static void run(const char *fmt, const char *arg)
{
	char cmd[1200];

	snprintf(cmd, sizeof cmd, fmt, arg);
	if (system(cmd) != 0)
		printf("warning: \"%s\" failed\n", cmd);
}

/* An empty folder name under tmpdir (nothing there yet). */
static const char *fresh(const char *name)
{
	char *p = path(name);

	run("rm -rf '%s'", p);
	return p;
}

/* Writes the file owner-only, as the installer would: these tests change what a
 * state file says, not who may change it (test_hardening.c does that). */
static int write_file(const char *p, const void *data, size_t len)
{
	FILE *f = fopen(p, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(data, 1, len, f) == len && fchmod(fileno(f), 0600) == 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int write_text(const char *p, const char *text)
{
	return write_file(p, text, strlen(text));
}

/* The whole file in a malloc'd buffer with a NUL after it, or NULL. */
static uint8_t *slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			if (!buf) {
				fclose(f);
				return NULL;
			}
		}
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

static int file_equals(const char *p, const uint8_t *data, size_t len)
{
	size_t n;
	uint8_t *got = slurp(p, &n);
	int same = got && n == len && memcmp(got, data, len) == 0;

	free(got);
	return same;
}

static int file_is_text(const char *p, const char *text)
{
	return file_equals(p, (const uint8_t *)text, strlen(text));
}

static int exists(const char *p)
{
	struct stat sb;

	return lstat(p, &sb) == 0;
}

static unsigned mode_of(const char *p)
{
	struct stat sb;

	return lstat(p, &sb) == 0 ? (unsigned)(sb.st_mode & 07777) : 0xFFFFu;
}

/* Number of entries of dir whose name ends in ".tmp". */
static int tmp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		n += l >= 4 && strcmp(e->d_name + l - 4, ".tmp") == 0;
	}
	closedir(d);
	return n;
}

/* Every file of a folder: names, modes and bytes, to compare before and after. */
#define SNAP_MAX 16
struct snap {
	int n;
	char name[SNAP_MAX][64];
	unsigned mode[SNAP_MAX];
	uint8_t *data[SNAP_MAX];
	size_t len[SNAP_MAX];
	unsigned dir_mode;
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void snap_take(const char *dir, struct snap *s)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int i;

	memset(s, 0, sizeof *s);
	s->dir_mode = mode_of(dir);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL && s->n < SNAP_MAX)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			snprintf(s->name[s->n++], 64, "%.63s", e->d_name);
	closedir(d);
	qsort(s->name, (size_t)s->n, 64, name_cmp);
	for (i = 0; i < s->n; i++) {
		s->mode[i] = mode_of(in(dir, s->name[i]));
		s->data[i] = slurp(in(dir, s->name[i]), &s->len[i]);
	}
}

static void snap_free(struct snap *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->data[i]);
	memset(s, 0, sizeof *s);
}

static int snap_equal(const struct snap *a, const struct snap *b)
{
	if (a->n != b->n || a->dir_mode != b->dir_mode)
		return 0;
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->name[i], b->name[i]) || a->mode[i] != b->mode[i] ||
		    a->len[i] != b->len[i] || (a->len[i] && (!a->data[i] || !b->data[i] ||
		    memcmp(a->data[i], b->data[i], a->len[i]))))
			return 0;
	return 1;
}

/* ---- blobs ---- */

#define T0 1800000000LL            /* "now" in these tests (2027-01-15) */
#define NB (T0 - 86400)            /* usual validity: a day before ... */
#define NA (T0 + 30 * 86400)       /* ... to thirty days after */

static const char policy[] =
	"segment_group \"G\";\n"
	"segment \"App\" { group \"G\"; domains \"app.example\"; addresses 10.9.0.0/16; tcp 443; }\n"
	"access_policy {\n"
	"    rule \"Everyone\" allow { segment \"App\"; }\n"
	"}\n";

static struct arena arena;
static const struct model *model;
static EVP_PKEY *key[3];          /* k0, k1 (the next key), k2 (never trusted) */
static char tp[3][45];

struct blob {
	uint8_t *p;
	size_t n;
};

static struct blob build(uint64_t serial, int64_t nb, int64_t na, int64_t created, int k)
{
	struct blob_opts o = { serial, nb, na, created };
	struct blob b = { NULL, 0 };
	char err[512];

	if (blob_build(model, key[k], &o, &b.p, &b.n, err, sizeof err) != 0) {
		printf("blob_build: %s\n", err);
		exit(2);
	}
	return b;
}

static int setup(void)
{
	char err[512], name[32], *paths[1];
	struct diags d;
	uint8_t raw[32];

	if (write_text(path("policy.bcl"), policy) != 0)
		return -1;
	paths[0] = path("policy.bcl");
	arena_init(&arena, NULL);
	diags_init(&d, &arena);
	model = load_policy(paths, 1, &arena, &d);
	if (!model) {
		diags_print(&d, stdout);
		return -1;
	}
	for (int k = 0; k < 3; k++) {
		snprintf(name, sizeof name, "k%d.pem", k);
		if (key_generate(path(name), err, sizeof err) != 0 ||
		    !(key[k] = key_load_private(path(name), err, sizeof err)) ||
		    key_raw_public(key[k], raw) != 0 || key_thumbprint(raw, tp[k]) != 0) {
			printf("key %d: %s\n", k, err);
			return -1;
		}
	}
	return 0;
}

/* ---- the API, shortened ---- */

static enum bcp_status install_hooked(const char *dir, struct blob b, const char *const *tps,
	size_t ntps, int64_t now, int *unchanged, void (*hook)(void *, const char *), void *ctx,
	struct bcp_error *err)
{
	struct bcp_install_opts o = { tps, ntps, now, hook, ctx };

	return bcp_state_install(dir, b.p, b.n, &o, unchanged, err);
}

static const char *const trust0[] = { tp[0] };
static const char *const trust1[] = { tp[1] };
static const char *const trust01[] = { tp[0], tp[1] };

/* Installs b trusting k0 at T0. */
static enum bcp_status install0(const char *dir, struct blob b, struct bcp_error *err)
{
	return install_hooked(dir, b, trust0, 1, T0, NULL, NULL, NULL, err);
}

/* Opens dir at now; returns the status and fills rep; the serial in rep. */
static enum bcp_status open_at(const char *dir, int64_t now, struct bcp_state_report *rep,
	struct bcp_error *err)
{
	bcp_blob *b = NULL;
	enum bcp_status s = bcp_open_state(dir, now, &b, rep, err);

	if (verbose && s == BCP_OK && rep->fallback)
		printf("    fallback: %s\n", rep->current_message);
	if (verbose && s != BCP_OK)
		printf("    open: %s\n", err->message);
	bcp_close(b);
	return s;
}

/* The decision for host:443/tcp by the blob dir holds, for a user with no attributes. */
static enum bcp_status decide_in(const char *dir, int64_t now, const char *host,
	struct bcp_decision *d)
{
	struct bcp_user_info info;
	struct bcp_error err;
	bcp_blob *b;
	bcp_user *u = NULL;
	enum bcp_status s;

	memset(d, 0, sizeof *d);
	memset(&info, 0, sizeof info);
	if ((s = bcp_open_state(dir, now, &b, NULL, &err)) != BCP_OK)
		return s;
	if ((s = bcp_bind(b, &info, &u, &err)) == BCP_OK)
		s = bcp_decide_host(u, host, strlen(host), 443, BCP_TCP, d);
	bcp_user_free(u);
	bcp_close(b);
	return s;
}

static char *state_text(uint64_t highest, uint64_t current, uint64_t previous, int64_t latest)
{
	static char buf[256];

	snprintf(buf, sizeof buf, "highest_serial %llu\ncurrent_serial %llu\n"
		"previous_serial %llu\nlatest_time %lld\n", (unsigned long long)highest,
		(unsigned long long)current, (unsigned long long)previous, (long long)latest);
	return buf;
}

static struct blob b100, b200, b200b, b300k1, b400k1, b50, b300, b250;

/* Installs b100 then b200 (so previous.bcp exists). */
static void two_blobs(const char *dir)
{
	struct bcp_error err;

	CHECK_ST(install0(dir, b100, &err), BCP_OK, &err);
	CHECK_ST(install0(dir, b200, &err), BCP_OK, &err);
}

/* ---- decisions and BCP_OPEN_EXPIRED_DENIES on a plain buffer ---- */

static void test_reasons(void)
{
	struct bcp_open_opts o = { trust0, 1, NULL, T0, 0, 0 };
	struct bcp_user_info info;
	struct bcp_decision d;
	struct bcp_error err;
	struct bcp_info bi;
	bcp_blob *b = NULL;
	bcp_user *u = NULL;
	const uint8_t a4[16] = { 10, 9, 1, 1 };

	CHECK(!strcmp(bcp_reason_str(BCP_REASON_POLICY), "policy"));
	CHECK(!strcmp(bcp_reason_str(BCP_REASON_EXPIRED), "expired"));
	CHECK(!strcmp(bcp_reason_str(BCP_REASON_BAD_HOST), "bad_host"));
	CHECK(!strcmp(bcp_reason_str((enum bcp_reason)99), "unknown"));
	CHECK(!strcmp(bcp_status_str(BCP_E_STATE),
		"state folder missing, unreadable or inconsistent"));
	CHECK(!strcmp(bcp_status_str(BCP_E_NO_GOOD_BLOB),
		"neither the installed blob nor the last-known-good one opens"));

	memset(&info, 0, sizeof info);
	CHECK_ST(bcp_open_buffer(b100.p, b100.n, &o, &b, &err), BCP_OK, &err);
	bcp_info(b, &bi);
	CHECK(bi.expired == 0 && bi.serial == 100);
	CHECK_ST(bcp_bind(b, &info, &u, &err), BCP_OK, &err);
	if (u) {
		CHECK(bcp_decide_host(u, "app.example", 11, 443, BCP_TCP, &d) == BCP_OK &&
		      d.verdict == BCP_ALLOW && d.reason == BCP_REASON_POLICY &&
		      !strcmp(d.rule, "Everyone") && !strcmp(d.segment, "App"));
		CHECK(bcp_decide_host(u, "other.example", 13, 443, BCP_TCP, &d) == BCP_OK &&
		      d.verdict == BCP_NONE && d.reason == BCP_REASON_POLICY);
		CHECK(bcp_decide_host(u, "app.example", 11, 80, BCP_TCP, &d) == BCP_OK &&
		      d.verdict == BCP_DROP && d.reason == BCP_REASON_POLICY);
		CHECK(bcp_decide_addr(u, 4, a4, 443, BCP_TCP, &d) == BCP_OK &&
		      d.verdict == BCP_ALLOW && d.reason == BCP_REASON_POLICY);
		CHECK(bcp_decide_host(u, "bad host", 8, 443, BCP_TCP, &d) == BCP_E_ARG &&
		      d.verdict == BCP_DENY && d.reason == BCP_REASON_BAD_HOST &&
		      !d.segment && !d.rule && d.segment_index == -1 && d.rule_index == -1);
		CHECK(bcp_decide_host(u, "127.1", 5, 443, BCP_TCP, &d) == BCP_E_ARG &&
		      d.reason == BCP_REASON_BAD_HOST);
		CHECK(bcp_decide_host(u, "[::1", 4, 443, BCP_TCP, &d) == BCP_E_ARG &&
		      d.reason == BCP_REASON_BAD_HOST);
		CHECK(bcp_decide_addr(u, 5, a4, 443, BCP_TCP, &d) == BCP_E_ARG &&
		      d.verdict == BCP_DENY && d.reason == BCP_REASON_BAD_HOST);
		CHECK(bcp_decide_host(NULL, "app.example", 11, 443, BCP_TCP, &d) == BCP_E_ARG &&
		      d.reason == BCP_REASON_BAD_HOST);
	}
	bcp_user_free(u);
	u = NULL;
	bcp_close(b);
	b = NULL;

	/* Past not_after: refused without the flag, the expired state with it. */
	o.now = NA + 1;
	CHECK_ST(bcp_open_buffer(b100.p, b100.n, &o, &b, &err), BCP_E_EXPIRED, &err);
	o.flags = BCP_OPEN_EXPIRED_DENIES;
	CHECK_ST(bcp_open_buffer(b100.p, b100.n, &o, &b, &err), BCP_OK, &err);
	bcp_info(b, &bi);
	CHECK(bi.expired == 1);
	CHECK_ST(bcp_bind(b, &info, &u, &err), BCP_OK, &err);
	if (u) {
		CHECK(bcp_decide_host(u, "app.example", 11, 443, BCP_TCP, &d) == BCP_OK &&
		      d.verdict == BCP_DENY && d.reason == BCP_REASON_EXPIRED && !d.segment &&
		      !d.rule && d.segment_index == -1 && d.rule_index == -1);
		CHECK(bcp_decide_host(u, "other.example", 13, 443, BCP_TCP, &d) == BCP_OK &&
		      d.verdict == BCP_DENY && d.reason == BCP_REASON_EXPIRED);
		CHECK(bcp_decide_host(u, "10.9.1.1", 8, 443, BCP_TCP, &d) == BCP_OK &&
		      d.verdict == BCP_DENY && d.reason == BCP_REASON_EXPIRED);
		CHECK(bcp_decide_addr(u, 4, a4, 443, BCP_UDP, &d) == BCP_OK &&
		      d.verdict == BCP_DENY && d.reason == BCP_REASON_EXPIRED);
		/* An invalid host is still reported as such. */
		CHECK(bcp_decide_host(u, "bad host", 8, 443, BCP_TCP, &d) == BCP_E_ARG &&
		      d.verdict == BCP_DENY && d.reason == BCP_REASON_BAD_HOST);
	}
	bcp_user_free(u);
	bcp_close(b);
	b = NULL;
	/* At not_after exactly it is still valid. */
	o.now = NA;
	CHECK_ST(bcp_open_buffer(b100.p, b100.n, &o, &b, &err), BCP_OK, &err);
	bcp_info(b, &bi);
	CHECK(bi.expired == 0);
	bcp_close(b);

	/* The flag forgives expiry only. */
	o.now = NB - 1;
	CHECK_ST(bcp_open_buffer(b100.p, b100.n, &o, &b, &err), BCP_E_NOT_YET_VALID, &err);
	o.now = NA + 1;
	o.min_serial = 101;
	CHECK_ST(bcp_open_buffer(b100.p, b100.n, &o, &b, &err), BCP_E_SERIAL, &err);
	o.min_serial = 0;
	uint8_t *bad = malloc(b100.n);
	memcpy(bad, b100.p, b100.n);
	bad[b100.n - 1] ^= 1;   /* the signature */
	CHECK_ST(bcp_open_buffer(bad, b100.n, &o, &b, &err), BCP_E_SIGNATURE, &err);
	memcpy(bad, b100.p, b100.n);
	CHECK_ST(bcp_open_buffer(bad, b100.n - 8, &o, &b, &err), BCP_E_TRUNCATED, &err);
	free(bad);
	o.thumbprints = trust1;
	CHECK_ST(bcp_open_buffer(b100.p, b100.n, &o, &b, &err), BCP_E_UNTRUSTED_KEY, &err);
	o.thumbprints = trust0;
	o.flags = 0x4;
	CHECK_ST(bcp_open_buffer(b100.p, b100.n, &o, &b, &err), BCP_E_ARG, &err);
	CHECK(b == NULL);
}

/* ---- install ---- */

static void test_install(void)
{
	const char *dir = fresh("s1");
	struct bcp_state_report rep;
	struct bcp_decision d;
	struct bcp_error err;
	struct snap before, after;
	int unchanged = -1;
	char trust_line[128];

	/* Fresh: the folder is made, with the blob, the trust set and the state. */
	CHECK_ST(install_hooked(dir, b100, trust0, 1, T0, &unchanged, NULL, NULL, &err), BCP_OK,
		&err);
	CHECK(unchanged == 0);
	CHECK(file_equals(in(dir, "current.bcp"), b100.p, b100.n));
	CHECK(!exists(in(dir, "previous.bcp")));
	snprintf(trust_line, sizeof trust_line, "%s\n", tp[0]);
	CHECK(file_is_text(in(dir, "trust"), trust_line));
	CHECK(file_is_text(in(dir, "state"), state_text(100, 100, 0, T0)));
	CHECK(tmp_files(dir) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.serial == 100 && rep.fallback == 0 && rep.current_status == BCP_OK &&
	      !strcmp(rep.current_message, "ok") && rep.expired == 0 && rep.effective_now == T0);
	CHECK(decide_in(dir, T0, "app.example", &d) == BCP_OK && d.verdict == BCP_ALLOW &&
	      d.reason == BCP_REASON_POLICY);

	/* Newer: installed, the old one kept as last-known-good. */
	CHECK_ST(install_hooked(dir, b200, trust0, 1, T0 + 10, &unchanged, NULL, NULL, &err),
		BCP_OK, &err);
	CHECK(unchanged == 0);
	CHECK(file_equals(in(dir, "current.bcp"), b200.p, b200.n));
	CHECK(file_equals(in(dir, "previous.bcp"), b100.p, b100.n));
	CHECK(file_is_text(in(dir, "state"), state_text(200, 200, 100, T0 + 10)));
	CHECK(tmp_files(dir) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.serial == 200 && rep.fallback == 0);

	/* Refusals leave the folder byte for byte as it was. */
	snap_take(dir, &before);
	CHECK(before.n == 4);
	CHECK_ST(install0(dir, b100, &err), BCP_E_SERIAL, &err);
	CHECK_ST(install0(dir, b50, &err), BCP_E_SERIAL, &err);
	CHECK_ST(install0(dir, b200b, &err), BCP_E_REPLAY, &err);
	struct blob expired = build(300, NB, T0 - 1, 1, 0);
	struct blob early = build(300, T0 + 1, NA, 1, 0);
	struct blob wrong = build(300, NB, NA, 1, 2);
	CHECK_ST(install0(dir, expired, &err), BCP_E_EXPIRED, &err);
	CHECK_ST(install0(dir, early, &err), BCP_E_NOT_YET_VALID, &err);
	CHECK_ST(install0(dir, wrong, &err), BCP_E_UNTRUSTED_KEY, &err);
	/* ... the installer's trust set is what counts, not the recorded one */
	CHECK_ST(install_hooked(dir, b300, trust1, 1, T0, NULL, NULL, NULL, &err),
		BCP_E_UNTRUSTED_KEY, &err);
	struct blob cut = { b300.p, b300.n - 1 };
	CHECK_ST(install0(dir, cut, &err), BCP_E_TRUNCATED, &err);
	const char *const bad_tp[] = { "not a thumbprint" };
	const char *const many[17] = { tp[0], tp[0], tp[0], tp[0], tp[0], tp[0], tp[0], tp[0],
		tp[0], tp[0], tp[0], tp[0], tp[0], tp[0], tp[0], tp[0], tp[0] };
	CHECK_ST(install_hooked(dir, b300, bad_tp, 1, T0, NULL, NULL, NULL, &err),
		BCP_E_TRUST_ANCHOR, &err);
	CHECK_ST(install_hooked(dir, b300, trust0, 0, T0, NULL, NULL, NULL, &err),
		BCP_E_TRUST_ANCHOR, &err);
	CHECK_ST(install_hooked(dir, b300, many, 17, T0, NULL, NULL, NULL, &err),
		BCP_E_TRUST_ANCHOR, &err);
	CHECK(bcp_state_install(NULL, b300.p, b300.n, NULL, NULL, &err) == BCP_E_ARG);
	snap_take(dir, &after);
	CHECK(snap_equal(&before, &after));
	snap_free(&after);
	free(expired.p);
	free(early.p);
	free(wrong.p);

	/* The same blob again: a no-op for the blobs, but the trust set and time are
	 * recorded. */
	CHECK_ST(install_hooked(dir, b200, trust01, 2, T0 + 20, &unchanged, NULL, NULL, &err),
		BCP_OK, &err);
	CHECK(unchanged == 1);
	CHECK(file_equals(in(dir, "current.bcp"), b200.p, b200.n));
	CHECK(file_equals(in(dir, "previous.bcp"), b100.p, b100.n));
	CHECK(file_is_text(in(dir, "state"), state_text(200, 200, 100, T0 + 20)));
	snprintf(trust_line, sizeof trust_line, "%s\n%s\n", tp[0], tp[1]);
	CHECK(file_is_text(in(dir, "trust"), trust_line));
	/* ... and a duplicate thumbprint is recorded once; an earlier clock keeps the
	 * latest time */
	const char *const dup[] = { tp[0], tp[0] };
	CHECK_ST(install_hooked(dir, b200, dup, 2, T0, &unchanged, NULL, NULL, &err), BCP_OK,
		&err);
	CHECK(unchanged == 1);
	snprintf(trust_line, sizeof trust_line, "%s\n", tp[0]);
	CHECK(file_is_text(in(dir, "trust"), trust_line));
	CHECK(file_is_text(in(dir, "state"), state_text(200, 200, 100, T0 + 20)));
	snap_free(&before);

	/* A state file lagging the installed blob (a crash before the last step): the
	 * installed blob's serial is a floor too. */
	dir = fresh("s1lag");
	CHECK_ST(install0(dir, b100, &err), BCP_OK, &err);
	CHECK(write_file(in(dir, "current.bcp"), b300.p, b300.n) == 0);
	CHECK_ST(install0(dir, b250, &err), BCP_E_SERIAL, &err);
	CHECK_ST(install0(dir, b300, &err), BCP_OK, &err);
	CHECK(file_is_text(in(dir, "state"), state_text(300, 300, 0, T0)));
}

/* A step that fails: a folder in place of a temporary file makes its creation or
 * link fail (the installer removes stale temporary files, but not folders). */
static void test_failed_steps(void)
{
	struct bcp_state_report rep;
	struct bcp_error err;
	struct snap before, after;
	const char *dir = fresh("fail");

	two_blobs(dir);
	static const char *const before_commit[] = { "current.tmp", "previous.tmp",
		"previous.old.tmp" };
	for (size_t i = 0; i < 3; i++) {
		CHECK(mkdir(in(dir, before_commit[i]), 0700) == 0);
		snap_take(dir, &before);
		CHECK_ST(install0(dir, b300, &err), BCP_E_STATE, &err);
		CHECK(strstr(err.message, before_commit[i]));
		snap_take(dir, &after);
		if (!CHECK(snap_equal(&before, &after)))
			printf("    a failure at %s changed the folder\n", before_commit[i]);
		snap_free(&before);
		snap_free(&after);
		CHECK(rmdir(in(dir, before_commit[i])) == 0);
	}
	/* After the commit: the new blob stays installed; the install run again
	 * completes it. */
	CHECK(mkdir(in(dir, "trust.tmp"), 0700) == 0);
	CHECK_ST(install_hooked(dir, b300k1, trust01, 2, T0, NULL, NULL, NULL, &err),
		BCP_E_INCOMPLETE, &err);
	CHECK(strstr(err.message, "serial 300 is in current.bcp") &&
	      strstr(err.message, "trust.tmp"));
	CHECK(file_equals(in(dir, "current.bcp"), b300k1.p, b300k1.n));
	CHECK(file_equals(in(dir, "previous.bcp"), b200.p, b200.n));
	CHECK(tmp_files(dir) == 1);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback && rep.serial == 200 && rep.current_status == BCP_E_UNTRUSTED_KEY);
	CHECK(rmdir(in(dir, "trust.tmp")) == 0);
	int unchanged = 0;
	CHECK_ST(install_hooked(dir, b300k1, trust01, 2, T0, &unchanged, NULL, NULL, &err), BCP_OK,
		&err);
	CHECK(unchanged == 1);
	if (!CHECK(file_is_text(in(dir, "state"), state_text(300, 300, 200, T0))))
		run("cat '%s'", in(dir, "state"));
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(!rep.fallback && rep.serial == 300);
}

static void test_modes(void)
{
	struct bcp_error err;
	const char *dir;
	mode_t old = umask(0277);   /* would leave 0400 files and a 0500 folder */

	dir = fresh("modes");
	CHECK_ST(install0(dir, b100, &err), BCP_OK, &err);
	CHECK_ST(install0(dir, b200, &err), BCP_OK, &err);
	CHECK(mode_of(dir) == 0700);
	CHECK(mode_of(in(dir, "current.bcp")) == 0600);
	CHECK(mode_of(in(dir, "previous.bcp")) == 0600);
	CHECK(mode_of(in(dir, "trust")) == 0600);
	CHECK(mode_of(in(dir, "state")) == 0600);
	umask(0);   /* would leave 0666 and 0777 */
	dir = fresh("modes0");
	CHECK_ST(install0(dir, b100, &err), BCP_OK, &err);
	CHECK(mode_of(dir) == 0700 && mode_of(in(dir, "current.bcp")) == 0600 &&
	      mode_of(in(dir, "trust")) == 0600 && mode_of(in(dir, "state")) == 0600);
	CHECK(bcp_state_note_time(dir, T0 + 5, &err) == BCP_OK);
	CHECK(mode_of(in(dir, "state")) == 0600);
	umask(old);
	/* An existing folder that others may read is refused, and left as it was;
	 * made owner-only, it is used. */
	dir = fresh("modes755");
	CHECK(mkdir(dir, 0755) == 0 && chmod(dir, 0755) == 0);
	CHECK_ST(install0(dir, b100, &err), BCP_E_STATE, &err);
	CHECK(strstr(err.message, "has mode 0755") && strstr(err.message, dir));
	CHECK(mode_of(dir) == 0755 && !exists(in(dir, "trust")));
	CHECK(chmod(dir, 0700) == 0);
	CHECK_ST(install0(dir, b100, &err), BCP_OK, &err);
	CHECK(mode_of(dir) == 0700);
}

/* ---- fallback, expiry, the clock ---- */

static void test_fallback(void)
{
	struct bcp_state_report rep;
	struct bcp_decision d;
	struct bcp_error err;
	const char *dir = fresh("fb");
	uint8_t *bytes;
	size_t n;

	/* A flipped byte in current.bcp. */
	two_blobs(dir);
	bytes = slurp(in(dir, "current.bcp"), &n);
	bytes[n / 2] ^= 0x40;
	CHECK(write_file(in(dir, "current.bcp"), bytes, n) == 0);
	free(bytes);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback == 1 && rep.serial == 100 && rep.current_status == BCP_E_SIGNATURE &&
	      strstr(rep.current_message, "bad signature") && rep.expired == 0);
	CHECK(decide_in(dir, T0, "app.example", &d) == BCP_OK && d.verdict == BCP_ALLOW);
	/* A newer install repairs it, and keeps the good previous.bcp rather than the
	 * broken blob. */
	CHECK_ST(install0(dir, b300, &err), BCP_OK, &err);
	CHECK(file_equals(in(dir, "previous.bcp"), b100.p, b100.n));
	CHECK(file_is_text(in(dir, "state"), state_text(300, 300, 100, T0)));
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback == 0 && rep.serial == 300);

	/* Truncated. */
	dir = fresh("fb2");
	two_blobs(dir);
	CHECK(truncate(in(dir, "current.bcp"), (off_t)b200.n - 100) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback == 1 && rep.serial == 100 && rep.current_status == BCP_E_TRUNCATED);
	/* The same serial cannot repair it: a replay as far as the folder can tell. */
	CHECK_ST(install0(dir, b200, &err), BCP_E_REPLAY, &err);

	/* Missing. */
	CHECK(unlink(in(dir, "current.bcp")) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback == 1 && rep.serial == 100 && rep.current_status == BCP_E_IO &&
	      strstr(rep.current_message, "current.bcp"));
	/* ... report may be NULL */
	bcp_blob *b = NULL;
	CHECK_ST(bcp_open_state(dir, T0, &b, NULL, &err), BCP_OK, &err);
	bcp_close(b);

	/* Both bad. */
	CHECK(write_text(in(dir, "previous.bcp"), "garbage") == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_E_NO_GOOD_BLOB, &err);
	CHECK(strstr(err.message, "current.bcp") && strstr(err.message, "previous.bcp"));
	CHECK(rep.current_status == BCP_E_IO && rep.fallback == 0);
	b = (bcp_blob *)1;
	CHECK(bcp_open_state(dir, T0, &b, NULL, &err) == BCP_E_NO_GOOD_BLOB && b == NULL);
	CHECK(decide_in(dir, T0, "app.example", &d) == BCP_E_NO_GOOD_BLOB);

	/* A current.bcp older than the floor (rolled back by hand). */
	dir = fresh("fb3");
	two_blobs(dir);
	CHECK(write_file(in(dir, "current.bcp"), b50.p, b50.n) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback == 1 && rep.serial == 100 && rep.current_status == BCP_E_SERIAL);
	/* ... and a previous.bcp older than the one recorded there */
	CHECK(write_file(in(dir, "previous.bcp"), b50.p, b50.n) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_E_NO_GOOD_BLOB, &err);

	/* Not yet valid (a clock far behind): the previous one is. */
	dir = fresh("fb4");
	struct blob later = build(300, T0 + 1000, NA, 1, 0);
	CHECK_ST(install0(dir, b100, &err), BCP_OK, &err);
	CHECK_ST(install_hooked(dir, later, trust0, 1, T0 + 1000, NULL, NULL, NULL, &err),
		BCP_OK, &err);
	CHECK_ST(open_at(dir, T0 + 1000, &rep, &err), BCP_OK, &err);
	CHECK(rep.serial == 300 && !rep.fallback);
	/* latest_time T0+1000 makes the effective now T0+700: still too early. The
	 * newer blob opens in the not-yet-valid state (every decision denies); the
	 * older one never takes over. */
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback == 0 && rep.serial == 300 && rep.not_yet_valid && !rep.expired &&
	      rep.current_status == BCP_OK && rep.effective_now == T0 + 700);
	free(later.p);
}

static void test_expiry_and_clock(void)
{
	struct bcp_state_report rep;
	struct bcp_decision d;
	struct bcp_error err;
	struct bcp_info bi;
	const char *dir = fresh("exp");
	bcp_blob *b;

	two_blobs(dir);
	/* Past not_after: the current blob opens expired (no fallback to an older one)
	 * and denies everything. */
	CHECK_ST(open_at(dir, NA + 1, &rep, &err), BCP_OK, &err);
	CHECK(rep.expired == 1 && rep.fallback == 0 && rep.serial == 200 &&
	      rep.current_status == BCP_OK);
	CHECK(decide_in(dir, NA + 1, "app.example", &d) == BCP_OK && d.verdict == BCP_DENY &&
	      d.reason == BCP_REASON_EXPIRED && !d.rule && !d.segment && d.rule_index == -1 &&
	      d.segment_index == -1);
	CHECK_ST(bcp_open_state(dir, NA + 1, &b, NULL, &err), BCP_OK, &err);
	bcp_info(b, &bi);
	CHECK(bi.expired == 1);
	bcp_close(b);

	/* The clock moved back by more than the tolerance: the expired window stays
	 * closed. */
	CHECK_ST(bcp_state_note_time(dir, NA + 1000, &err), BCP_OK, &err);
	CHECK(file_is_text(in(dir, "state"), state_text(200, 200, 100, NA + 1000)));
	CHECK(tmp_files(dir) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.expired == 1 && rep.effective_now == NA + 1000 - BCP_CLOCK_TOLERANCE);
	CHECK(decide_in(dir, T0, "app.example", &d) == BCP_OK && d.reason == BCP_REASON_EXPIRED);
	/* An earlier time is not recorded. */
	CHECK_ST(bcp_state_note_time(dir, T0, &err), BCP_OK, &err);
	CHECK(file_is_text(in(dir, "state"), state_text(200, 200, 100, NA + 1000)));
	/* Nor can a blob be installed that the moved-back clock thinks valid. */
	struct blob b300short = build(300, NB, NA + 500, 1, 0);
	CHECK_ST(install_hooked(dir, b300short, trust0, 1, T0, NULL, NULL, NULL, &err),
		BCP_E_EXPIRED, &err);
	free(b300short.p);

	/* Within the tolerance: a clock 200 s behind the latest time seen. */
	dir = fresh("exp2");
	two_blobs(dir);
	CHECK_ST(bcp_state_note_time(dir, NA + 100, &err), BCP_OK, &err);
	CHECK_ST(open_at(dir, NA - 100, &rep, &err), BCP_OK, &err);
	CHECK(rep.expired == 0 && rep.effective_now == NA - 100);
	CHECK(decide_in(dir, NA - 100, "app.example", &d) == BCP_OK && d.verdict == BCP_ALLOW);
	/* ... exactly at the tolerance too; one second more is past not_after */
	CHECK_ST(bcp_state_note_time(dir, NA + 300, &err), BCP_OK, &err);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.expired == 0 && rep.effective_now == NA);
	CHECK_ST(bcp_state_note_time(dir, NA + 301, &err), BCP_OK, &err);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.expired == 1);

	/* note_time: a folder with no state file gets one; a broken one is left alone. */
	dir = fresh("note");
	CHECK(mkdir(dir, 0700) == 0);
	CHECK_ST(bcp_state_note_time(dir, T0, &err), BCP_OK, &err);
	CHECK(file_is_text(in(dir, "state"), state_text(0, 0, 0, T0)));
	CHECK_ST(install0(dir, b100, &err), BCP_OK, &err);
	CHECK(write_text(in(dir, "state"), "highest_serial 1\n") == 0);
	CHECK_ST(bcp_state_note_time(dir, T0 + 9, &err), BCP_E_STATE, &err);
	CHECK(file_is_text(in(dir, "state"), "highest_serial 1\n"));
	CHECK_ST(bcp_state_note_time(path("nowhere"), T0, &err), BCP_E_STATE, &err);
	CHECK(bcp_state_note_time(NULL, T0, &err) == BCP_E_ARG);
	/* Negative times are fine. */
	dir = fresh("note2");
	CHECK(mkdir(dir, 0700) == 0);
	CHECK_ST(bcp_state_note_time(dir, -5, &err), BCP_OK, &err);
	CHECK(file_is_text(in(dir, "state"), state_text(0, 0, 0, -5)));
}

static void test_rotation(void)
{
	struct bcp_state_report rep;
	struct bcp_error err;
	const char *dir = fresh("rot");
	char trust_line[128];

	/* Devices trust the current and the next key; the admin signs with the next. */
	CHECK_ST(install0(dir, b100, &err), BCP_OK, &err);
	CHECK_ST(install_hooked(dir, b300k1, trust01, 2, T0, NULL, NULL, NULL, &err), BCP_OK,
		&err);
	snprintf(trust_line, sizeof trust_line, "%s\n%s\n", tp[0], tp[1]);
	CHECK(file_is_text(in(dir, "trust"), trust_line));
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.serial == 300 && !rep.fallback);
	/* A broken current falls back to the old key's blob while both are trusted. */
	CHECK(truncate(in(dir, "current.bcp"), 10) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback && rep.serial == 100);
	CHECK(write_file(in(dir, "current.bcp"), b300k1.p, b300k1.n) == 0);
	/* Then the old key is retired. */
	CHECK_ST(install_hooked(dir, b400k1, trust1, 1, T0, NULL, NULL, NULL, &err), BCP_OK,
		&err);
	snprintf(trust_line, sizeof trust_line, "%s\n", tp[1]);
	CHECK(file_is_text(in(dir, "trust"), trust_line));
	CHECK(file_equals(in(dir, "previous.bcp"), b300k1.p, b300k1.n));
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.serial == 400 && !rep.fallback);
	CHECK(truncate(in(dir, "current.bcp"), 10) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback && rep.serial == 300);
	/* A blob of the retired key is refused now. */
	struct blob b500k0 = build(500, NB, NA, 1, 0);
	CHECK_ST(install_hooked(dir, b500k0, trust1, 1, T0, NULL, NULL, NULL, &err),
		BCP_E_UNTRUSTED_KEY, &err);
	free(b500k0.p);
}

/* ---- a folder in bad shape ---- */

static void test_permissions(void);

static void test_bad_folder(void)
{
	struct bcp_state_report rep;
	struct bcp_error err;
	struct snap before, after;
	const char *dir;
	char text[1024];
	bcp_blob *b = NULL;
	int fd;
	static const char *const bad_states[] = {
		"",
		"highest_serial 1\n",
		"highest_serial 200\ncurrent_serial 200\nprevious_serial 100\n",
		"highest_serial 200\ncurrent_serial 200\nprevious_serial 100\nlatest_time 5",
		"highest_serial 200\ncurrent_serial 200\nprevious_serial 100\nlatest_time 5\nx 1\n",
		"highest_serial 200\ncurrent_serial 200\nprevious_serial 100\nlatest_time 5\n\n",
		"highest_serial 200\r\ncurrent_serial 200\nprevious_serial 100\nlatest_time 5\n",
		"highest_serial 200\nhighest_serial 200\ncurrent_serial 200\nprevious_serial 100\n"
		"latest_time 5\n",
		"highest_serial  200\ncurrent_serial 200\nprevious_serial 100\nlatest_time 5\n",
		"highest_serial 0200\ncurrent_serial 200\nprevious_serial 100\nlatest_time 5\n",
		"highest_serial -200\ncurrent_serial 200\nprevious_serial 100\nlatest_time 5\n",
		"highest_serial +200\ncurrent_serial 200\nprevious_serial 100\nlatest_time 5\n",
		"highest_serial 200 \ncurrent_serial 200\nprevious_serial 100\nlatest_time 5\n",
		"highest_serial 18446744073709551616\ncurrent_serial 200\nprevious_serial 100\n"
		"latest_time 5\n",
		"highest_serial 200\ncurrent_serial 200\nprevious_serial 100\n"
		"latest_time 9223372036854775808\n",
		"highest_serial 200\ncurrent_serial 200\nprevious_serial 100\nlatest_time -0\n",
		"highest_serial 200\ncurrent_serial 200\nprevious_serial 100\nlatest_time 1e9\n",
		"Highest_serial 200\ncurrent_serial 200\nprevious_serial 100\nlatest_time 5\n",
		/* inconsistent */
		"highest_serial 100\ncurrent_serial 200\nprevious_serial 100\nlatest_time 5\n",
		"highest_serial 200\ncurrent_serial 200\nprevious_serial 300\nlatest_time 5\n",
	};

	dir = fresh("bad");
	two_blobs(dir);

	/* The state file: exactly the four lines, in any order, or BCP_E_STATE. */
	for (size_t i = 0; i < sizeof bad_states / sizeof bad_states[0]; i++) {
		CHECK(write_text(in(dir, "state"), bad_states[i]) == 0);
		if (!CHECK(open_at(dir, T0, &rep, &err) == BCP_E_STATE))
			printf("    state file %zu was accepted\n", i);
	}
	CHECK(write_file(in(dir, "state"), "highest_serial 1\0", 17) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_E_STATE, &err);
	/* An install does not paper over it: the floor would be lost. */
	snap_take(dir, &before);
	CHECK_ST(install0(dir, b300, &err), BCP_E_STATE, &err);
	snap_take(dir, &after);
	CHECK(snap_equal(&before, &after));
	snap_free(&before);
	snap_free(&after);
	CHECK(write_text(in(dir, "state"), "latest_time -9223372036854775808\n"
		"previous_serial 100\ncurrent_serial 200\nhighest_serial 18446744073709551615\n")
		== 0);
	/* The largest serial floor refuses current.bcp; previous.bcp has its own floor. */
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback && rep.serial == 100 && rep.current_status == BCP_E_SERIAL);
	CHECK(write_text(in(dir, "state"), "latest_time -9223372036854775808\n"
		"previous_serial 100\ncurrent_serial 200\nhighest_serial 200\n") == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.serial == 200 && rep.effective_now == T0);
	/* Too large. */
	memset(text, '\n', sizeof text);
	CHECK(write_file(in(dir, "state"), text, 600) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_E_STATE, &err);
	/* Missing: floors 0 and no latest time. */
	CHECK(unlink(in(dir, "state")) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.serial == 200 && rep.effective_now == T0);
	/* A link, or a folder, in its place. */
	CHECK(symlink("trust", in(dir, "state")) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_E_STATE, &err);
	CHECK(strstr(err.message, "symbolic link"));
	CHECK(unlink(in(dir, "state")) == 0 && mkdir(in(dir, "state"), 0700) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_E_STATE, &err);
	CHECK(rmdir(in(dir, "state")) == 0);

	/* The trust file. */
	dir = fresh("badtrust");
	two_blobs(dir);
	snap_take(dir, &before);
	char bad_trusts[9][1000];
	snprintf(bad_trusts[0], 1000, "%s", "");
	snprintf(bad_trusts[1], 1000, "%s", "\n");
	snprintf(bad_trusts[2], 1000, "%s", "abc\n");
	snprintf(bad_trusts[3], 1000, "%s", tp[0]);                 /* no newline */
	snprintf(bad_trusts[4], 1000, "%s\n\n", tp[0]);             /* a blank line */
	snprintf(bad_trusts[5], 1000, " %s\n", tp[0]);
	snprintf(bad_trusts[6], 1000, "%s\r\n", tp[0]);
	snprintf(bad_trusts[7], 1000, "%.43s#\n", tp[0]);           /* not base64 */
	bad_trusts[8][0] = '\0';
	for (int i = 0; i < 17; i++)                                /* seventeen lines */
		snprintf(bad_trusts[8] + strlen(bad_trusts[8]), 1000 - strlen(bad_trusts[8]),
			"%s\n", tp[0]);
	for (size_t i = 0; i < 9; i++) {
		CHECK(write_text(in(dir, "trust"), bad_trusts[i]) == 0);
		if (!CHECK(open_at(dir, T0, &rep, &err) == BCP_E_STATE))
			printf("    trust file %zu was accepted\n", i);
	}
	CHECK(unlink(in(dir, "trust")) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_E_STATE, &err);
	CHECK(strstr(err.message, "nothing was installed"));
	/* An install repairs a broken trust file (the installer supplies it anyway). */
	CHECK(write_text(in(dir, "trust"), "junk\n") == 0);
	int unchanged = 0;
	CHECK_ST(install_hooked(dir, b200, trust0, 1, T0, &unchanged, NULL, NULL, &err), BCP_OK,
		&err);
	CHECK(unchanged == 1);
	snap_take(dir, &after);
	CHECK(snap_equal(&before, &after));
	snap_free(&before);
	snap_free(&after);

	/* current.bcp as a link, a folder, a FIFO, or too large: previous.bcp opens. */
	dir = fresh("badcur");
	two_blobs(dir);
	CHECK(unlink(in(dir, "current.bcp")) == 0);
	CHECK(symlink("previous.bcp", in(dir, "current.bcp")) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback && rep.current_status == BCP_E_IO &&
	      strstr(rep.current_message, "symbolic link"));
	CHECK(unlink(in(dir, "current.bcp")) == 0 && mkdir(in(dir, "current.bcp"), 0700) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback && rep.current_status == BCP_E_IO);
	CHECK(rmdir(in(dir, "current.bcp")) == 0 && mkfifo(in(dir, "current.bcp"), 0600) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback && rep.current_status == BCP_E_IO &&
	      strstr(rep.current_message, "not a regular file"));
	CHECK(unlink(in(dir, "current.bcp")) == 0);
	fd = open(in(dir, "current.bcp"), O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && ftruncate(fd, ((off_t)1 << 30) + 1) == 0);
	if (fd >= 0)
		close(fd);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback && rep.current_status == BCP_E_TOO_LARGE);
	/* previous.bcp as a link is refused as well. */
	CHECK(unlink(in(dir, "previous.bcp")) == 0);
	CHECK(write_file(in(dir, "real.bcp"), b100.p, b100.n) == 0);
	CHECK(symlink("real.bcp", in(dir, "previous.bcp")) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_E_NO_GOOD_BLOB, &err);
	/* The installer replaces them all. */
	CHECK(unlink(in(dir, "current.bcp")) == 0);
	CHECK(symlink("real.bcp", in(dir, "current.bcp")) == 0);
	CHECK_ST(install0(dir, b300, &err), BCP_OK, &err);
	CHECK(mode_of(in(dir, "current.bcp")) == 0600 &&
	      file_equals(in(dir, "current.bcp"), b300.p, b300.n));
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.serial == 300 && !rep.fallback);

	/* The folder itself. */
	CHECK_ST(open_at(path("nowhere"), T0, &rep, &err), BCP_E_STATE, &err);
	CHECK(write_text(path("plainfile"), "x") == 0);
	CHECK_ST(open_at(path("plainfile"), T0, &rep, &err), BCP_E_STATE, &err);
	CHECK(strstr(err.message, "not a folder"));
	CHECK_ST(install0(path("plainfile"), b100, &err), BCP_E_STATE, &err);
	CHECK(file_is_text(path("plainfile"), "x"));
	CHECK_ST(install0(path("plainfile/sub"), b100, &err), BCP_E_STATE, &err);
	CHECK_ST(install0(path("no/such/parent"), b100, &err), BCP_E_STATE, &err);
	CHECK(bcp_open_state(NULL, T0, &b, &rep, &err) == BCP_E_ARG);
	CHECK(bcp_open_state(dir, T0, NULL, &rep, &err) == BCP_E_ARG);
	/* A refused install into a folder that does not exist does not create it. */
	dir = fresh("notmade");
	CHECK_ST(install0(dir, b300k1, &err), BCP_E_UNTRUSTED_KEY, &err);
	CHECK(!exists(dir));
	/* A link to the folder is followed (admins may move it). */
	dir = fresh("linked");
	CHECK(mkdir(path("realdir"), 0700) == 0 || errno == EEXIST);
	CHECK(symlink("realdir", dir) == 0);
	CHECK_ST(install0(dir, b100, &err), BCP_OK, &err);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(exists(path("realdir/current.bcp")));

	test_permissions();
}

/* Unreadable files, and a folder of another owner. Permissions do not stop root, so
 * as root this runs in a child that becomes nobody (its counts come back by pipe). */
static void permission_checks(const char *base)
{
	struct bcp_state_report rep;
	struct bcp_error err;
	char dir[700];

	snprintf(dir, sizeof dir, "%s/unreadable", base);
	two_blobs(dir);
	CHECK(chmod(in(dir, "trust"), 0) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_E_STATE, &err);
	CHECK(strstr(err.message, "Permission denied"));
	CHECK(chmod(in(dir, "trust"), 0600) == 0 && chmod(in(dir, "state"), 0) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_E_STATE, &err);
	CHECK_ST(install0(dir, b300, &err), BCP_E_STATE, &err);
	CHECK(chmod(in(dir, "state"), 0600) == 0 && chmod(in(dir, "current.bcp"), 0) == 0);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.fallback && rep.serial == 100 && rep.current_status == BCP_E_IO);
	/* An install replaces the unreadable blob (it cannot become previous.bcp). */
	CHECK_ST(install0(dir, b300, &err), BCP_OK, &err);
	CHECK(file_equals(in(dir, "previous.bcp"), b100.p, b100.n));
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	CHECK(rep.serial == 300 && !rep.fallback);
}

static void test_permissions(void)
{
	struct bcp_error err;
	char base[600], counts[64] = "";
	int fds[2], st;
	pid_t pid;

	if (geteuid() != 0) {
		snprintf(base, sizeof base, "%s", tmpdir);
		permission_checks(base);
		return;
	}
	/* A folder the child may write in, and one it does not own. */
	snprintf(base, sizeof base, "%s", fresh("nobody"));
	if (!CHECK(mkdir(base, 0777) == 0 && chmod(base, 0777) == 0 && chmod(tmpdir, 0711) == 0))
		return;
	const char *owned = fresh("nobody/rootowned");
	CHECK(mkdir(owned, 0777) == 0 && chmod(owned, 0777) == 0);
	fflush(stdout);
	if (pipe(fds) != 0 || (pid = fork()) < 0) {
		CHECK(0);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		passed = failed = 0;
		if (setgid(65534) != 0 || setuid(65534) != 0 || geteuid() == 0) {
			printf("    cannot become nobody\n");
			failed++;
		} else {
			permission_checks(base);
			/* A folder of another owner is refused. */
			CHECK_ST(install0(owned, b100, &err), BCP_E_STATE, &err);
			CHECK(strstr(err.message, "belongs to uid 0"));
		}
		fflush(stdout);
		dprintf(fds[1], "%d %d", passed, failed);
		_exit(0);
	}
	close(fds[1]);
	ssize_t n = read(fds[0], counts, sizeof counts - 1);
	close(fds[0]);
	waitpid(pid, &st, 0);
	int p = 0, f = 1;
	if (n <= 0 || sscanf(counts, "%d %d", &p, &f) != 2)
		f = 1;
	passed += p;
	failed += f;
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	chmod(tmpdir, 0700);
}

/* ---- the crash test ---- */

#define MAX_STEPS 32

struct steps {
	int n, abort_at;
	char name[MAX_STEPS][64];
};

static void step_hook(void *ctx, const char *step)
{
	struct steps *s = ctx;

	if (s->n < MAX_STEPS)
		snprintf(s->name[s->n], sizeof s->name[0], "%s", step);
	if (++s->n == s->abort_at)
		abort();
}

struct scenario {
	const char *name;
	void (*prepare)(const char *dir);   /* the folder before the install */
	struct blob blob;                   /* what is installed */
	const char *const *trust;
	size_t ntrust;
	uint64_t old_serial;                /* 0: nothing installed before */
	uint64_t previous_serial;           /* in the state file once installed */
	const char *const *expected;        /* the steps, in order */
};

static void prepare_none(const char *dir)
{
	(void)dir;
}

static void prepare_one(const char *dir)
{
	struct bcp_error err;

	CHECK_ST(install0(dir, b100, &err), BCP_OK, &err);
}

static void prepare_two(const char *dir)
{
	two_blobs(dir);
}

/* A first install writes the trust file before the blob (nothing can verify yet). */
static const char *const steps_fresh[] = {
	"lock folder", "write trust.tmp", "fsync trust.tmp", "rename trust", "fsync folder (trust)",
	"write current.tmp", "fsync current.tmp", "rename current.bcp",
	"fsync folder (current.bcp)", "write state.tmp", "fsync state.tmp", "rename state",
	"fsync folder (state)", NULL
};
static const char *const steps_one[] = {
	"lock folder", "write current.tmp", "fsync current.tmp", "link previous.tmp", "rename previous.bcp",
	"fsync folder (previous.bcp)", "rename current.bcp", "fsync folder (current.bcp)",
	"write trust.tmp", "fsync trust.tmp", "rename trust", "fsync folder (trust)",
	"write state.tmp", "fsync state.tmp", "rename state", "fsync folder (state)", NULL
};
static const char *const steps_two[] = {
	"lock folder", "write current.tmp", "fsync current.tmp", "link previous.old.tmp", "link previous.tmp",
	"rename previous.bcp", "fsync folder (previous.bcp)", "rename current.bcp",
	"fsync folder (current.bcp)", "unlink previous.old.tmp", "write trust.tmp",
	"fsync trust.tmp", "rename trust", "fsync folder (trust)", "write state.tmp",
	"fsync state.tmp", "rename state", "fsync folder (state)", NULL
};

static const char *const steps_same[] = {
	"lock folder", "write trust.tmp", "fsync trust.tmp", "rename trust", "fsync folder (trust)",
	"write state.tmp", "fsync state.tmp", "rename state", "fsync folder (state)", NULL
};

static int step_index(const struct steps *s, const char *name)
{
	for (int i = 0; i < s->n && i < MAX_STEPS; i++)
		if (!strcmp(s->name[i], name))
			return i + 1;
	return -1;
}

static void crash_scenario(const struct scenario *sc)
{
	struct bcp_state_report rep;
	struct bcp_decision d;
	struct bcp_error err;
	struct steps dry;
	uint64_t new_serial;
	const char *dir;
	int n, total, st;

	/* The dry run: count and name the steps. */
	dir = fresh("crash");
	sc->prepare(dir);
	memset(&dry, 0, sizeof dry);
	CHECK_ST(install_hooked(dir, sc->blob, sc->trust, sc->ntrust, T0, NULL, step_hook, &dry,
		&err), BCP_OK, &err);
	CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
	new_serial = rep.serial;
	total = dry.n;
	for (n = 0; sc->expected[n]; n++)
		;
	if (!CHECK(total == n))
		printf("    %s: %d steps, want %d\n", sc->name, total, n);
	for (int i = 0; i < total && i < n && i < MAX_STEPS; i++)
		if (!CHECK(!strcmp(dry.name[i], sc->expected[i])))
			printf("    %s: step %d is \"%s\", want \"%s\"\n", sc->name, i + 1,
				dry.name[i], sc->expected[i]);
	if (verbose)
		for (int i = 0; i < total && i < MAX_STEPS; i++)
			printf("    %s step %d: %s\n", sc->name, i + 1, dry.name[i]);

	for (int at = 1; at <= total; at++) {
		/* Under valgrind: the first step, the commit and the last step. */
		if (quick && at != 1 && at != total && at != step_index(&dry, "rename current.bcp"))
			continue;
		dir = fresh("crash");
		sc->prepare(dir);
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			struct steps s = { 0, at, { { 0 } } };
			struct bcp_install_opts o = { sc->trust, sc->ntrust, T0, step_hook, &s };
			struct bcp_error e;
			(void)!bcp_state_install(dir, sc->blob.p, sc->blob.n, &o, NULL, &e);
			_exit(3);   /* the hook should have aborted */
		}
		CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
		if (!CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT))
			printf("    %s: the child did not abort at step %d\n", sc->name, at);

		/* The folder opens the old blob or the new one. */
		enum bcp_status s = open_at(dir, T0, &rep, &err);
		int ok = s == BCP_OK ? rep.serial == new_serial ||
			(sc->old_serial && rep.serial == sc->old_serial) :
			!sc->old_serial && (s == BCP_E_STATE || s == BCP_E_NO_GOOD_BLOB);
		if (!CHECK(ok))
			printf("    %s, crash after step %d (%s): %s, serial %llu\n", sc->name, at,
				dry.name[at - 1], s == BCP_OK ? "opens" : err.message,
				(unsigned long long)rep.serial);
		/* A first install that got past its commit opens the new blob. */
		if (!sc->old_serial && at >= step_index(&dry, "rename current.bcp"))
			CHECK(s == BCP_OK && rep.serial == new_serial);
		if (s == BCP_OK)
			CHECK(decide_in(dir, T0, "app.example", &d) == BCP_OK &&
			      d.verdict == BCP_ALLOW && d.reason == BCP_REASON_POLICY);
		/* The blob is never older than the state's floor says. */
		if (sc->old_serial && at >= step_index(&dry, "rename current.bcp"))
			CHECK(s == BCP_OK && (rep.serial == new_serial || rep.fallback));
		if (sc->ntrust == 1 && sc->trust == trust1 && sc->old_serial &&
		    at >= step_index(&dry, "rename current.bcp") &&
		    at < step_index(&dry, "rename trust"))
			/* The new key is not trusted yet: the old blob, as designed. */
			CHECK(s == BCP_OK && rep.fallback && rep.serial == sc->old_serial &&
			      rep.current_status == BCP_E_UNTRUSTED_KEY);

		/* What the crash left does not stop the next install. */
		CHECK_ST(install_hooked(dir, sc->blob, sc->trust, sc->ntrust, T0, NULL, NULL, NULL,
			&err), BCP_OK, &err);
		if (!CHECK(tmp_files(dir) == 0))
		{
			printf("    %s, crash after step %d: temporary files left\n", sc->name, at);
			run("ls -la '%s'", dir);
		}
		CHECK_ST(open_at(dir, T0, &rep, &err), BCP_OK, &err);
		CHECK(rep.serial == new_serial && !rep.fallback);
		/* When the old key was retired, a crash after the trust file was replaced
		 * leaves previous.bcp unverifiable, so its serial cannot be learnt again;
		 * it cannot open under the new trust set either way. */
		int retired = sc->trust == trust1 && at >= step_index(&dry, "rename trust") &&
			at < step_index(&dry, "rename state");
		if (!CHECK(file_is_text(in(dir, "state"), state_text(new_serial, new_serial,
			retired ? 0 : sc->previous_serial, T0))))
			printf("    %s, crash after step %d: the state file is not as after an "
				"uninterrupted install\n", sc->name, at);
	}
}

static void test_crash(void)
{
	const struct scenario sc[] = {
		{ "first install", prepare_none, b100, trust0, 1, 0, 0, steps_fresh },
		{ "second install", prepare_one, b200, trust0, 1, 100, 100, steps_one },
		{ "third install", prepare_two, b300, trust0, 1, 200, 200, steps_two },
		{ "rotation to a new key only", prepare_one, b300k1, trust1, 1, 100, 100, steps_one },
		{ "rotation, both keys", prepare_two, b300k1, trust01, 2, 200, 200, steps_two },
		{ "the same blob, a new trust set", prepare_two, b200, trust01, 2, 200, 100,
		  steps_same },
	};

	for (size_t i = 0; i < sizeof sc / sizeof sc[0]; i++)
		crash_scenario(&sc[i]);
}

int main(int argc, char **argv)
{
	const char *base = getenv("TMPDIR");

	verbose = getenv("VERBOSE") && *getenv("VERBOSE") == '1';
	quick = argc > 1 && !strcmp(argv[1], "--quick");
	snprintf(tmpdir, sizeof tmpdir, "%s/bcpc-test-state.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir) || setup() != 0) {
		perror("setup");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	b100 = build(100, NB, NA, 1, 0);
	b200 = build(200, NB, NA, 1, 0);
	b200b = build(200, NB, NA, 2, 0);   /* the same serial, other bytes */
	b250 = build(250, NB, NA, 1, 0);
	b300 = build(300, NB, NA, 1, 0);
	b50 = build(50, NB, NA, 1, 0);
	b300k1 = build(300, NB, NA, 1, 1);
	b400k1 = build(400, NB, NA, 1, 1);

	test_reasons();
	test_install();
	test_modes();
	test_failed_steps();
	test_fallback();
	test_expiry_and_clock();
	test_rotation();
	test_bad_folder();
	test_crash();

	free(b100.p);
	free(b200.p);
	free(b200b.p);
	free(b250.p);
	free(b300.p);
	free(b50.p);
	free(b300k1.p);
	free(b400k1.p);
	for (int k = 0; k < 3; k++)
		EVP_PKEY_free(key[k]);
	arena_free(&arena);
	run("rm -rf '%s'", tmpdir);
	return harness_summary();
}
