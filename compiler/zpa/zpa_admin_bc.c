/* zpa_admin_bc.c - the admin's own business_continuity block, a .bcl file given next
 * to the export (docs/IMPORT.md 4.4): what no ZPA export holds (controllers, SNI
 * names, the SP URL and CA). Each line is kept as written; only sp_ca_file is made
 * absolute, since the imported policy lives elsewhere. zpa_import.c merges the lines
 * with the export's. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ast.h"
#include "file.h"
#include "keys.h"
#include "zpa.h"

/* The byte offset of a location in its source (lines and columns count from 1). */
static size_t loc_offset(const struct loc *l)
{
	const char *t = l->src->text;
	size_t off = 0;
	for (int line = 1; line < l->line && off < l->src->len; off++)
		if (t[off] == '\n')
			line++;
	return off + (size_t)l->col - 1;
}

/* The values of a line as written: from the first value to the end of the last. */
static const char *values_text(struct arena *a, const struct prop *p)
{
	const struct value *last = p->values;
	while (last->next)
		last = last->next;
	size_t from = loc_offset(&p->values->loc), to = loc_offset(&last->loc) + last->loc.len;
	return arena_strndup(a, p->values->loc.src->text + from, to - from);
}

/* sp_ca_file relative to the admin's file, made absolute and quoted again. */
static const char *absolute_ca(struct arena *a, struct diags *d, const char *file,
			       const struct prop *p)
{
	char dir[PATH_MAX], joined[2 * PATH_MAX + 2], real[PATH_MAX];
	const char *name = p->values->s;
	if (p->values->kind != VAL_STRING || p->values->next) {
		diag_error(d, p->loc, "'sp_ca_file' takes one quoted file name");
		return NULL;
	}
	snprintf(dir, sizeof dir, "%s", file);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	snprintf(joined, sizeof joined, "%s/%s", name[0] == '/' || !slash ? "." : dir, name);
	if (!realpath(name[0] == '/' ? name : joined, real)) {
		diag_error(d, p->values->loc, "cannot read sp_ca_file \"%s\"", name);
		return NULL;
	}
	char *q = arena_alloc(a, 2 * strlen(real) + 3), *o = q;
	if (!q)
		return NULL;
	*o++ = '"';
	for (const char *s = real; *s; s++) {
		if (*s == '"' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	*o++ = '"';
	*o = '\0';
	return q;
}

/* The lines of the one business_continuity block of stmts into bc. */
static int take_lines(struct arena *a, struct diags *d, const char *path, const struct stmt *s,
		      struct zpa_bc_opts *bc)
{
	size_t n = 0;
	for (const struct prop *p = s->props; p; p = p->next)
		n++;
	struct zpa_bc_line *lines = arena_array(a, n ? n : 1, sizeof *lines);
	if (!lines)
		return -1;
	bc->admin = lines;
	bc->nadmin = 0;
	bc->admin_path = path;
	for (const struct prop *p = s->props; p; p = p->next) {
		struct zpa_bc_line *l = &lines[bc->nadmin++];
		l->key = p->key;
		l->text = !strcmp(p->key, "sp_ca_file") ? absolute_ca(a, d, path, p) :
							   values_text(a, p);
		if (!l->text)
			return -1;
	}
	return 0;
}

int zpa_admin_bc(const char *path, struct arena *a, struct diags *d, struct zpa_bc_opts *bc)
{
	struct source *src = arena_alloc(a, sizeof *src);
	struct stmt *stmts = NULL;
	if (!src || read_file(a, path, BCL_MAX_SOURCE, src)) {
		diag_error(d, loc_file(NULL), "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	src->path = path;
	sha256_hex(src->text, src->len, bc->admin_sha256);
	if (parse_source(src, a, d, &stmts))
		return -1;
	const struct stmt *bcs = NULL;
	for (const struct stmt *s = stmts; s; s = s->next) {
		if (s->kind != ST_BC) {
			diag_add(d, SEV_ERROR, s->loc, "put the rest in a policy file compiled with "
				 "the imported one", "%s may hold only a business_continuity block", path);
			return -1;
		}
		if (bcs) {
			diag_error(d, s->loc, "a second business_continuity block");
			return -1;
		}
		bcs = s;
	}
	if (!bcs) {
		diag_error(d, loc_file(src), "%s holds no business_continuity block", path);
		return -1;
	}
	return take_lines(a, d, path, bcs, bc);
}
