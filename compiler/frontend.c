/* frontend.c - sources to checked model: read each file, parse it, check them all
 * together (declarations are global, rules keep file order). Every allocation is
 * the arena's, through its hook, flex's buffers included (grammar/parse.c). */
#include "frontend.h"
#include "check.h"
#include "file.h"
#include <errno.h>
#include <string.h>

struct model *load_policy(char *const *paths, int n, struct arena *a, struct diags *d)
{
	struct stmt *all = NULL, **tail = &all;
	int bad = 0;
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
		*tail = stmts;
		while (*tail)
			tail = &(*tail)->next;
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
