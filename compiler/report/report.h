/* report.h - the change-board report: one self-contained HTML page (html.h) about a
 * checked policy, and the signed blob made from it when there is one. It reads what
 * the command gathered (model, blob facts, lint findings, test outcomes, a diff as
 * JSON) and writes markup; it opens no file and decides nothing. Every text that
 * comes from a policy, a blob or a diff goes through hb_text. */
#ifndef BCPC_REPORT_REPORT_H
#define BCPC_REPORT_REPORT_H
#include <stdint.h>
#include "html.h"
#include "model.h"
#include "policy_test.h"
#include "../analysis/lint.h"
#include "../../runtime/bcp.h"

struct json_t;

/* The signed blob under review, as libbcp opened it under the thumbprints given. */
struct report_blob {
	const char *path;
	size_t len;
	char sha256[65];             /* lower-case hex of the whole file */
	uint64_t serial;
	int64_t not_before, not_after, created;
	char thumbprint[45];         /* of the signing key */
	int matches_sources;         /* 1: it is exactly the sources compiled (key aside) */
	int from_blob;               /* 1: no sources given; the model is the blob read back */
};

struct report_input {
	const struct model *m;
	char *const *files;                 /* the policy files, then the test files */
	int nfiles, ntest_files;
	const struct report_blob *blob;     /* NULL: from sources only */
	const struct lint_result *lint;
	const struct ptest_suite *tests;    /* NULL: no --tests */
	const struct ptest_outcome *outcomes;
	int64_t now;                        /* the window's state is told at this time */
	const struct json_t *diff;          /* `bcpc diff --json` against the previous
					       version, or NULL (report_diff) */
};

/* The whole page into h (check h->failed). */
void report_html(struct hbuf *h, const struct report_input *in);

/* The sections of report_checks.c: lint findings, and test results. */
void report_lint(struct hbuf *h, const struct lint_result *r);
void report_tests(struct hbuf *h, const struct ptest_suite *s, const struct ptest_outcome *o);

/* The diff section (report_diff.c) from the JSON of `bcpc diff --json` (its shape is
 * given there): what changed in structure, every class of requests whose decision
 * changes with its witness, and what could not be decided. Any member may be missing
 * or of another type: what is there is shown, as text. */
void report_diff(struct hbuf *h, const struct json_t *diff);
#endif
