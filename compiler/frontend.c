/* frontend.c - sources to checked model: read each file, parse it, check them all
 * together (declarations are global, rules keep file order). */
#include "frontend.h"
#include <errno.h>
#include <string.h>

struct model *load_policy(char *const *paths, int n, struct arena *a, struct diags *d)
{
	struct stmt *all = NULL, **tail = &all;
	int bad = 0;
	for (int i = 0; i < n; i++) {
		struct source *src = arena_alloc(a, sizeof *src);
		struct stmt *stmts = NULL;
		if (!src)
			break;
		if (read_file(a, paths[i], BCL_MAX_SOURCE, src) != 0) {
			diag_error(d, loc_file(NULL), "cannot read %s: %s", paths[i],
				   errno == EFBIG ? "larger than the 16 MiB limit for a source file" :
				   strerror(errno));
			bad = 1;
			continue;
		}
		if (parse_source(src, a, d, &stmts) != 0)
			bad = 1;
		*tail = stmts;
		while (*tail)
			tail = &(*tail)->next;
	}
	if (a->failed) {
		diag_error(d, loc_file(NULL), "out of memory");
		return NULL;
	}
	/* Syntax errors leave holes in the tree; checking it would mostly repeat them. */
	if (bad)
		return NULL;
	return check_policy(all, a, d);
}
