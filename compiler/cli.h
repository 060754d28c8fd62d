/* cli.h - what the command files (cmd_*.c) share with main.c. */
#ifndef BCPC_CLI_H
#define BCPC_CLI_H
#include <stdint.h>
#include <stdio.h>
#include "../runtime/bcp.h"

int cmd_check(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_thumbprint(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_query(int argc, char **argv);
/* The keys of a request and of a user object, with their types, for query --help. */
void query_help_keys(FILE *out);
int cmd_explain(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_diff(int argc, char **argv);
/* For `bcpc report --previous`: what `bcpc diff --json` prints for the blob old_blob
 * against new_blob (when not NULL) or the policy files, blobs verified with t.
 * NULL after saying why on standard error. */
struct json_t;
struct trust_args;
struct json_t *diff_json_against(const char *old_blob, const char *new_blob, char **files,
				 int nfiles, const struct trust_args *t);

/* Runs the test blocks tests against m (cmd_test.c), printing a line per failure,
 * the coverage (opts->coverage), and "N passed, N failed" on out; writes JUnit XML
 * to opts->junit when set. Returns the number of failures, or -1 when the tests
 * have errors (in d) or could not run (said on stderr). opts NULL: neither. */
struct test_opts {
	const char *junit;
	int coverage;
};
struct model;
struct stmt;
struct arena;
struct diags;
int run_policy_tests(const struct model *m, const struct stmt *tests, struct arena *a,
		     struct diags *d, const struct test_opts *opts, FILE *out);
int cmd_install(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_installer_args(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Prints "bcpc CMD: msg" and the --help pointer; returns 2. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads "1767225600", "2026-01-01T00:00:00Z" or "2026-01-01"; 0 or -1. */
int parse_time(const char *s, int64_t *out);
/* Reads "30d", "12h", "90m", "3600s"; 0 or -1. */
int parse_duration(const char *s, int64_t *out);
/* Reads a decimal u64; 0 or -1. */
int parse_u64(const char *s, uint64_t *out);
/* s ends with tail and has something before it ("x.bcl", ".bcl"). */
int ends_with(const char *s, const char *tail);
/* Formats UNIX seconds as 2026-01-01T00:00:00Z. */
const char *format_time(int64_t t, char buf[32]);
/* The clock: --now when given, else the system clock. */
int64_t now_or(const char *now_arg, int *bad);

/* Consumes "--thumbprint B64" at argv[*i] into tps[*n], which has room for max: 1 if
 * consumed, 0 if argv[*i] is another option, -1 after a usage error (no value, not a
 * thumbprint, more than max). */
int thumbprint_arg(const char *cmd, int argc, char **argv, int *i, const char **tps,
		   size_t *n, size_t max);
/* Trust options gathered from --thumbprint (repeatable) and --pubkey. */
struct trust_args {
	const char *thumbprints[16];
	size_t nthumbprints;
	char *pubkey_pem;       /* malloc'd file contents */
};
/* Consumes "--thumbprint X" / "--pubkey F" at argv[*i]; 1 if consumed, 0 if not, -1 error. */
int trust_arg(const char *cmd, int argc, char **argv, int *i, struct trust_args *t);
void trust_free(struct trust_args *t);
#endif
