/* cmd_report.c - `bcpc report`: gathers what the change board reviews (the checked
 * policy, the signed blob made from it when given, lint's findings, the tests'
 * outcomes) and writes the page of compiler/report/ to one file, atomically. The
 * blob is opened by libbcp under the trust given, as `bcpc verify` does, and is
 * compared with the sources compiled in memory at its own serial and window. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <jansson.h>
#include "blob.h"
#include "blob_model.h"
#include "bcp_format.h"
#include "cli.h"
#include "keys.h"
#include "file.h"
#include "frontend.h"
#include "report/report.h"

struct report_args {
	const char *out, *now_arg, *blob_path, *previous;
	struct trust_args trust;
	char **files;        /* the policy files, then the test files */
	int nfiles, ntests;
};

/* 1 when the file at path begins as a blob does. */
static int looks_like_blob(const char *path)
{
	char magic[8];
	FILE *f = fopen(path, "rb");
	int yes = f && fread(magic, 1, sizeof magic, f) == sizeof magic &&
		  !memcmp(magic, BCPF_MAGIC, sizeof magic);
	if (f)
		fclose(f);
	return yes;
}

/* A plain argument: the blob, a policy file, or (after --tests) a test file. */
static int take_file(struct report_args *a, const char *path, int in_tests)
{
	if (!in_tests && looks_like_blob(path)) {
		if (a->blob_path)
			return usage_error("report", "give one blob (%.200s and %.200s)", a->blob_path,
					   path);
		a->blob_path = path;
		return 0;
	}
	if (in_tests)
		a->ntests++;
	else if (a->ntests)   /* keep the policy files first */
		memmove(a->files + a->nfiles - a->ntests + 1, a->files + a->nfiles - a->ntests,
			(size_t)a->ntests * sizeof *a->files);
	a->files[in_tests ? a->nfiles : a->nfiles - a->ntests] = (char *)path;
	a->nfiles++;
	return 0;
}

/* 0, or 2 after a usage error (said). a->files has room for argc. */
static int report_args(int argc, char **argv, struct report_args *a)
{
	int in_tests = 0, r, ntests_flag = 0;
	for (int i = 1; i < argc; i++) {
		if ((r = trust_arg("report", argc, argv, &i, &a->trust)) < 0)
			return 2;
		if (r) {
			in_tests = 0;
			continue;
		}
		if (!strcmp(argv[i], "--tests")) {
			in_tests = ntests_flag = 1;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			a->out = argv[++i];
			in_tests = 0;
		} else if (!strcmp(argv[i], "--previous") && i + 1 < argc) {
			a->previous = argv[++i];
			in_tests = 0;
		} else if (!strcmp(argv[i], "--now") && i + 1 < argc) {
			a->now_arg = argv[++i];
			in_tests = 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error("report", "unknown option or missing value '%.200s'", argv[i]);
		} else if (take_file(a, argv[i], in_tests) != 0) {
			return 2;
		}
	}
	if (!a->out)
		return usage_error("report", "say where to write the report: -o REPORT.html");
	if (ntests_flag && !a->ntests)
		return usage_error("report", "--tests needs test files");
	if (a->nfiles == a->ntests && !a->blob_path)
		return usage_error("report", "give the blob, the policy files, or both");
	int trusted = a->trust.nthumbprints || a->trust.pubkey_pem;
	if ((a->blob_path || a->previous) && !trusted)
		return usage_error("report", "the %s needs --thumbprint B64 (or --pubkey PUB.pem) "
				   "to be verified", a->blob_path ? "blob" : "previous blob");
	if (!a->blob_path && !a->previous && trusted)
		return usage_error("report", "--thumbprint is for a blob, and none was given");
	return 0;
}

/* Opens the blob under the trust given, as a device would (a window that has not
 * started or has ended is reported, not refused), into b. 0, or 1 after saying why. */
static int open_blob(const struct report_args *a, int64_t now, uint8_t **data,
		     struct report_blob *b)
{
	struct bcp_open_opts o = { a->trust.thumbprints, a->trust.nthumbprints,
				   a->trust.pubkey_pem, now, 0,
				   BCP_OPEN_EXPIRED_DENIES | BCP_OPEN_NOT_YET_VALID_DENIES };
	struct bcp_error err;
	struct bcp_info in;
	bcp_blob *blob = NULL;
	*data = (uint8_t *)read_file_malloc(a->blob_path, BCPF_MAX_BLOB, &b->len);
	if (!*data) {
		fprintf(stderr, "bcpc report: cannot read %s: %s\n", a->blob_path, strerror(errno));
		return 1;
	}
	if (bcp_open_buffer(*data, b->len, &o, &blob, &err) != BCP_OK) {
		fprintf(stderr, "bcpc report: %s: REFUSED: %s\n", a->blob_path, err.message);
		return 1;
	}
	bcp_info(blob, &in);
	b->path = a->blob_path;
	b->serial = in.serial;
	b->not_before = in.not_before;
	b->not_after = in.not_after;
	b->created = in.created;
	memcpy(b->thumbprint, in.thumbprint, sizeof b->thumbprint);
	sha256_hex(*data, b->len, b->sha256);
	bcp_close(blob);
	return 0;
}

/* 1 when data is m compiled at data's serial, window and creation time: the same
 * bytes but for the signer's key and the signature. 0 when not, -1 when the
 * comparison could not be made (said). */
static int blob_is_model(const struct model *m, const uint8_t *data, size_t len)
{
	struct blob_opts o = { bcpf_u64(data + BCPF_H_SERIAL),
			       (int64_t)bcpf_u64(data + BCPF_H_NOT_BEFORE),
			       (int64_t)bcpf_u64(data + BCPF_H_NOT_AFTER),
			       (int64_t)bcpf_u64(data + BCPF_H_CREATED) };
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	uint8_t *mine = NULL;
	size_t n = 0;
	char err[512];
	int same = -1;
	if (!key || blob_build(m, key, &o, &mine, &n, err, sizeof err) != 0)
		fprintf(stderr, "bcpc report: cannot compile the sources to compare: %s\n",
			key ? err : "no key");
	else
		same = n == len && len > BCPF_H_PUBKEY + 32 + BCPF_SIG_SIZE &&
		       !memcmp(mine, data, BCPF_H_PUBKEY) &&
		       !memcmp(mine + BCPF_H_PUBKEY + 32, data + BCPF_H_PUBKEY + 32,
			       len - BCPF_H_PUBKEY - 32 - BCPF_SIG_SIZE);
	free(mine);
	EVP_PKEY_free(key);
	return same;
}

/* No sources: the model is the blob read back (blob_model.c), exactly what
 * devices enforce. NULL after saying why. */
static struct model *read_back(struct report_blob *b, const uint8_t *data, struct arena *a)
{
	char err[512];
	struct model *m = arena_alloc(a, sizeof *m);
	if (!m || blob_model(data, b->len, a, m, err, sizeof err)) {
		fprintf(stderr, "bcpc report: %s: %s\n", b->path, m ? err : "out of memory");
		return NULL;
	}
	b->from_blob = 1;
	return m;
}

/* Runs the tests both ways into *s and *o (o malloc'd). The number of failures, or
 * -1 after errors (in d, or said). */
static int run_tests(const struct model *m, const struct stmt *tests, struct arena *a,
		     struct diags *d, struct ptest_suite *s, struct ptest_outcome **o)
{
	char err[512];
	if (ptests_read(tests, m, a, d, s) != 0)
		return -1;
	*o = calloc(s->n ? s->n : 1, sizeof **o);
	if (!*o)
		return -1;
	int failures = ptests_run(m, s, *o, err, sizeof err);
	if (failures < 0)
		fprintf(stderr, "bcpc report: %s\n", err);
	return failures;
}

/* Draws the page and writes it whole to a->out. 0 or 1. */
static int write_report(const struct report_args *a, const struct report_input *in)
{
	struct hbuf h;
	char err[1024];
	int rc = 0;
	hb_init(&h);
	report_html(&h, in);
	if (h.failed) {
		fprintf(stderr, "bcpc report: out of memory; %s not written\n", a->out);
		rc = 1;
	} else if (write_file_atomic(a->out, (const uint8_t *)h.s, h.len, err, sizeof err) != 0) {
		fprintf(stderr, "bcpc report: cannot write %s: %s\n", a->out, err);
		rc = 1;
	}
	hb_free(&h);
	return rc;
}

/* What was written, one fact a line (the SHA-256 alone on its line, for scripts). */
static void print_summary(const struct report_args *a, const struct report_input *in,
			  int failures)
{
	const struct report_blob *b = in->blob;
	char t1[32], t2[32];
	printf("wrote %s\n", a->out);
	if (b) {
		printf("blob %s: serial %llu, valid %s .. %s, signed by %s\nsha256 %s\n%s\n",
		       b->path, (unsigned long long)b->serial, format_time(b->not_before, t1),
		       format_time(b->not_after, t2), b->thumbprint, b->sha256,
		       b->from_blob ? "no sources given: the report is the blob read back" :
		       b->matches_sources ? "the blob is these sources compiled" :
		       "the blob is NOT these sources compiled");
	} else {
		printf("no blob given: no serial, signer or SHA-256 (the sources were compiled "
		       "in memory)\n");
	}
	printf("%u segments, %u rules, %u lint findings", in->m->nsegments, in->m->nrules,
	       in->lint->n);
	if (in->tests)
		printf("; tests: %u passed, %d failed", in->tests->n - (unsigned)failures, failures);
	printf("\n");
	if (in->diff)
		printf("against %s: %lld classes of requests change decision\n", a->previous,
		       (long long)json_integer_value(json_object_get(in->diff, "decision_changes")));
}

/* From the checked sources on: blob comparison, lint, tests, the page. */
static int report_model(const struct report_args *a, struct report_input *in,
			struct report_blob *b, const uint8_t *data, const struct stmt *tests,
			struct arena *ar, struct diags *d)
{
	struct lint_opts lo = { 0 };
	struct lint_result lr;
	struct ptest_suite s;
	struct ptest_outcome *o = NULL;
	int failures = 0, rc = 1;
	if (b->path && !b->from_blob && (b->matches_sources = blob_is_model(in->m, data, b->len)) < 0)
		return 1;
	if (a->previous && !(in->diff = diff_json_against(a->previous, b->path, a->files,
							    a->nfiles - a->ntests, &a->trust))) {
		fprintf(stderr, "bcpc report: no diff against %s; nothing written\n", a->previous);
		return 1;
	}
	if (lint_policy(in->m, &lo, ar, &lr) != 0) {
		fprintf(stderr, "bcpc report: out of memory\n");
		return 1;
	}
	in->lint = &lr;
	if (tests && (failures = run_tests(in->m, tests, ar, d, &s, &o)) < 0)
		goto done;
	in->tests = tests ? &s : NULL;
	in->outcomes = o;
	if (write_report(a, in) != 0)
		goto done;
	print_summary(a, in, failures);
	int mismatch = b->path && !b->from_blob && !b->matches_sources;
	if (mismatch)
		fprintf(stderr, "bcpc report: %s is not these sources compiled: do not approve it\n",
			b->path);
	rc = failures || mismatch;
done:
	free(o);
	json_decref((json_t *)in->diff);
	in->diff = NULL;
	return rc;
}

int cmd_report(int argc, char **argv)
{
	struct report_args args = { .files = calloc((size_t)argc, sizeof *args.files) };
	struct report_blob blob = { 0 };
	uint8_t *data = NULL;
	int rc = 1, bad = 0;
	if (!args.files)
		return 1;
	if ((rc = report_args(argc, argv, &args)) != 0)
		goto out;
	int64_t now = now_or(args.now_arg, &bad);
	if (bad) {
		rc = usage_error("report", "--now: not a time");
		goto out;
	}
	rc = 1;
	if (args.blob_path && open_blob(&args, now, &data, &blob) != 0)
		goto out;
	struct arena a;
	struct diags d;
	struct stmt *tests = NULL;
	arena_init(&a, NULL);
	diags_init(&d, &a);
	struct model *m = load_policy_tests(args.files, args.nfiles, &a, &d, &tests);
	if (m && args.nfiles == args.ntests)
		m = read_back(&blob, data, &a);
	if (m && args.ntests && !tests) {
		diag_error(&d, loc_file(NULL), "--tests: no test blocks in the files given");
		m = NULL;
	}
	struct report_input in = { m, args.files, args.nfiles, args.ntests,
				   args.blob_path ? &blob : NULL, NULL, NULL, NULL, now, NULL };
	rc = m ? report_model(&args, &in, &blob, data, tests, &a, &d) : 1;
	diags_print(&d, stderr);
	arena_free(&a);
out:
	if (fflush(stdout) != 0)
		rc = 1;
	free(data);
	trust_free(&args.trust);
	free(args.files);
	return rc;
}
