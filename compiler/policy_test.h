/* policy_test.h - the tests of `bcpc test` and `bcpc compile --test`: test blocks
 * (grammar/ast.h ST_TEST) given meaning against a checked model, then run through
 * libbcp on an in-memory blob and through the reference evaluator. A test passes
 * only when both give exactly what it expects. Tests never go into a blob: the blob
 * run here is signed with a throwaway key and never written. Nothing here prints. */
#ifndef BCPC_POLICY_TEST_H
#define BCPC_POLICY_TEST_H
#include <stdint.h>
#include "ast.h"
#include "model.h"
#include "../runtime/bcp.h"

/* What a test expects or what an evaluator gave: names are NULL for none. */
struct ptest_answer {
	enum bcp_verdict verdict;
	const char *segment, *rule, *profile;
	int32_t segment_index, rule_index;   /* into the model (answers only), -1 none */
};

struct ptest {
	const char *name;
	struct loc loc;
	char host[256];
	uint16_t port;
	enum bcp_proto proto;
	struct bcp_user_info user;    /* arrays in the arena */
	struct ptest_answer want;
	int check_segment, check_rule, check_profile;   /* named in expect (or none) */
	struct loc expect_loc;
};

struct ptest_suite {
	struct ptest *t;
	uint32_t n;
};

/* Reads the test statements (a list of ST_TEST, in order) against m: the request,
 * the user (every attribute of BCPF_USER_ATTRS, single-valued ones once, words
 * checked against their vocabulary), the expectation (segment, rule and profile
 * names must exist in m). Errors go to d, located. Returns 0, or -1 after errors. */
int ptests_read(const struct stmt *tests, const struct model *m, struct arena *a,
		struct diags *d, struct ptest_suite *out);

struct ptest_outcome {
	int passed;
	struct ptest_answer runtime, reference;
};

/* Runs every test of s on m, both ways; out has room for s->n. Returns the number
 * of failures, or -1 with a message in err when the blob could not be built or
 * opened (out of memory, say). */
int ptests_run(const struct model *m, const struct ptest_suite *s, struct ptest_outcome *out,
	       char *err, size_t errlen);

/* "allow segment "SAP" rule "R" profile none": the parts the test names (all of
 * them when t is NULL), into buf. */
const char *ptest_answer_text(const struct ptest_answer *a, const struct ptest *t, char *buf,
			      size_t n);
#endif
