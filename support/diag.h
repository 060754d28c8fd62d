/* diag.h - diagnostics as records: severity, location, message, hint.
 * The passes only add records; the driver prints them. No pass prints directly. */
#ifndef BCPC_DIAG_H
#define BCPC_DIAG_H
#include <stdio.h>
#include "arena.h"

/* One source file, read whole into memory. text has a NUL after len bytes. */
struct source {
	const char *path;
	const char *text;
	size_t len;
	unsigned order;   /* its place among the files of one run (0, 1, ...): the print order */
};

/* A spot in a source: line and column are 1-based, col counts bytes. len is how
 * many bytes to underline (0: just the caret). src NULL or line 0: no spot. */
struct loc {
	const struct source *src;
	int line, col, len;
};

/* A location that names only the file (src may be NULL: the whole run). */
static inline struct loc loc_file(const struct source *src)
{
	struct loc l = { src, 0, 0, 0 };
	return l;
}

enum severity { SEV_ERROR, SEV_WARNING, SEV_NOTE };

struct diag {
	enum severity sev;
	struct loc loc;
	const char *msg;
	const char *hint;   /* "did you mean ...", or NULL */
	struct diag *next;
};

#define DIAG_MAX_ERRORS 50

struct diags {
	struct arena *arena;
	struct diag *head, *tail;
	int nerrors, nwarnings;
	int capped;          /* DIAG_MAX_ERRORS reached: further errors dropped */
	int dropping;        /* the last error was dropped, and so are its notes */
	struct diag oom;     /* the record diag_out_of_memory() uses: it needs no memory */
};

void diags_init(struct diags *d, struct arena *a);
/* Adds a record; hint may be NULL. */
void diag_add(struct diags *d, enum severity sev, struct loc loc, const char *hint,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define diag_error(d, loc, ...) diag_add((d), SEV_ERROR, (loc), NULL, __VA_ARGS__)
#define diag_warning(d, loc, ...) diag_add((d), SEV_WARNING, (loc), NULL, __VA_ARGS__)
/* Replaces every record with one error, "out of memory", which needs no allocation.
 * Called when the arena failed: the other records may then be missing or wrong
 * (a name that was never stored reads as undeclared). */
void diag_out_of_memory(struct diags *d);
/* Prints every record as "file:line:col: error: message", the source line and a caret,
 * sorted by file (in the order the files were given) and position; a note stays
 * after the record it belongs to, and records with no file come last. */
void diags_print(const struct diags *d, FILE *out);
/* Calls fn on every record in the order diags_print prints them. */
void diags_each(const struct diags *d, void (*fn)(const struct diag *g, void *ctx), void *ctx);
#endif
