/* frontend.c - sources to checked model: read each file, parse it, check them all
 * together (declarations are global, rules keep file order). Every allocation is
 * the arena's, through its hook, flex's buffers included (grammar/parse.c). */
#include "frontend.h"
#include "check.h"
#include "file.h"
#include <errno.h>
#include <string.h>

/* Whether a file's statements are all tests (and there is one): a test file. A file
 * with both is refused at its first test. */
static int is_test_file(const struct stmt *s, struct diags *d)
{
	int tests = 0, others = 0;
	const struct stmt *first = NULL;
	for (; s; s = s->next) {
		if (s->kind == ST_TEST && !first)
			first = s;
		tests += s->kind == ST_TEST;
		others += s->kind != ST_TEST;
	}
	if (tests && others) {
		diag_add(d, SEV_ERROR, first->loc, "put tests in files of their own",
			 "a test block in a file that also holds policy statements");
		return -1;
	}
	return tests > 0;
}

struct model *load_policy_tests(char *const *paths, int n, struct arena *a, struct diags *d,
				struct stmt **tests)
{
	struct stmt *all = NULL, **tail = &all, **ttail = tests;
	int bad = 0;
	if (tests)
		*tests = NULL;
	if (n < 0 || (unsigned)n > policy_limits_default.sources) {
		diag_error(d, loc_file(NULL), "too many source files: %d (the limit is %u)", n,
			   (unsigned)policy_limits_default.sources);
		return NULL;
	}
	for (int i = 0; i < n && !a->failed; i++) {
		struct source *src = arena_alloc(a, sizeof *src);
		struct stmt *stmts = NULL;
		if (!src)
			break;
		if (read_file(a, paths[i], BCL_MAX_SOURCE, src) != 0) {
			if (errno == ENOMEM)
				break;
			diag_error(d, loc_file(NULL), "cannot read %s: %s", paths[i],
				   errno == EFBIG ? "larger than the 16 MiB limit for a source file" :
				   strerror(errno));
			bad = 1;
			continue;
		}
		src->order = (unsigned)i;
		if (parse_source(src, a, d, &stmts) != 0)
			bad = 1;
		int t = tests ? is_test_file(stmts, d) : 0;
		if (t < 0)
			bad = 1;
		struct stmt ***into = t > 0 ? &ttail : &tail;
		**into = stmts;
		while (**into)
			*into = &(**into)->next;
	}
	if (a->failed) {
		diag_out_of_memory(d);
		return NULL;
	}
	/* Syntax errors leave holes in the tree; checking it would mostly repeat them. */
	if (bad)
		return NULL;
	return check_policy(all, a, d);
}

struct model *load_policy(char *const *paths, int n, struct arena *a, struct diags *d)
{
	return load_policy_tests(paths, n, a, d, NULL);
}
