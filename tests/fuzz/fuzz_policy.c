/* fuzz_policy.c - libFuzzer target for the front end: the input is one policy source,
 * parsed from memory (grammar/parse.c) and checked (check_policy), its diagnostics
 * printed as bcpc prints them. A policy that checks is dumped as JSON, its names must
 * fit in the JSON answer lines of `bcpc query` (valid UTF-8), it is compiled,
 * opened by libbcp, and libbcp's decisions are compared with the reference
 * evaluator's on hosts made from its own patterns.
 *
 * The source pretends to live in examples/acme/ (run from the repository root), so
 * that `sp_ca_file "bc-sp-ca.pem";` finds the example certificate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "arena.h"
#include "check.h"
#include "diag.h"
#include "dump.h"
#include "fuzz_common.h"
#include "model.h"
#include "request.h"

#define FUZZ_SOURCE_PATH "examples/acme/fuzz-input.bcl"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

/* `bcpc query` prints segment, rule and profile names in JSON: each must print. */
static void names_print(const struct model *m)
{
	uint32_t n = m->nsegments > m->nrules ? m->nsegments : m->nrules;
	if (m->nprofiles > n)
		n = m->nprofiles;
	for (uint32_t i = 0; i < n; i++) {
		const char *seg = i < m->nsegments ? m->segments[i].name : NULL;
		const char *rule = i < m->nrules ? m->rules[i].name : NULL;
		const char *prof = i < m->nprofiles ? m->profiles[i].name : NULL;
		fuzz_check(result_to_json_line(devnull, "allow", seg, rule, prof) == 0, "utf8-names",
			   "an answer line with segment \"%s\", rule \"%s\", profile \"%s\" cannot be "
			   "written (not UTF-8?)", seg ? seg : "", rule ? rule : "", prof ? prof : "");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct diags d;
	struct stmt *stmts = NULL;
	struct model *m = NULL;

	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		fuzz_fail("cannot open /dev/null");
	fuzz_thumbprint();
	arena_init(&a, NULL);
	diags_init(&d, &a);
	/* Exactly size bytes and the NUL the parser may rely on: ASan sees any read past it. */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct source src = { FUZZ_SOURCE_PATH, text, size, 0 };

	if (parse_source(&src, &a, &d, &stmts) == 0 && !a.failed)
		m = check_policy(stmts, &a, &d);
	if (m && d.nerrors)
		fuzz_fail("check_policy returned a model along with %d errors", d.nerrors);
	if (!m && !d.nerrors && !a.failed)
		fuzz_fail("the policy was refused without an error");
	diags_print(&d, devnull);

	if (m) {
		json_t *j = model_to_json(m);
		char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
		free(s);
		json_decref(j);
		names_print(m);
		bcp_blob *b = fuzz_compile(m);
		if (b)
			fuzz_compare_patterns(m, b);
		bcp_close(b);
	}
	arena_free(&a);
	free(text);
	return 0;
}
