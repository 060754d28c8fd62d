/* diag.c - collecting and printing diagnostics. */
#include "diag.h"
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diags_init(struct diags *d, struct arena *a)
{
	memset(d, 0, sizeof *d);
	d->arena = a;
}

void diag_add(struct diags *d, enum severity sev, struct loc loc, const char *hint,
	      const char *fmt, ...)
{
	if (sev == SEV_ERROR) {
		d->dropping = d->nerrors >= DIAG_MAX_ERRORS;
		d->nerrors++;
		if (d->dropping) {
			d->capped = 1;
			return;
		}
	} else if (sev == SEV_WARNING) {
		d->dropping = 0;
		d->nwarnings++;
	} else if (d->dropping) {
		return;
	}
	struct diag *g = arena_alloc(d->arena, sizeof *g);
	if (!g)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	g->sev = sev;
	g->loc = loc;
	g->msg = arena_strdup(d->arena, buf);
	g->hint = hint ? arena_strdup(d->arena, hint) : NULL;
	if (!g->msg)   /* out of memory: the caller reports that instead */
		return;
	if (d->tail)
		d->tail->next = g;
	else
		d->head = g;
	d->tail = g;
}

void diag_out_of_memory(struct diags *d)
{
	memset(&d->oom, 0, sizeof d->oom);
	d->oom.sev = SEV_ERROR;
	d->oom.loc = loc_file(NULL);
	d->oom.msg = "out of memory";
	d->head = d->tail = &d->oom;
	d->nerrors = 1;
	d->nwarnings = 0;
	d->capped = d->dropping = 0;
}

/* 1 for the second and later bytes of a UTF-8 character: they take no column. */
static int utf8_tail(const char *p, const char *eol)
{
	return p < eol && ((unsigned char)*p & 0xc0) == 0x80;
}

/* Prints line `line` of src (without its newline), control bytes shown as '?',
 * then the caret line: tabs are copied and UTF-8 characters count once, so the
 * caret lines up in any tab width. */
/* Where the last line printed starts: the records come sorted by file and line, so
 * each search for a line goes on from there, and printing stays linear in the
 * source whatever the number of records. */
struct cursor {
	const struct source *src;
	int line;
	const char *p;
};

static void print_spot(const struct loc *l, struct cursor *c, FILE *out)
{
	const char *p = l->src->text, *end = p + l->src->len;
	int n = 1;
	if (c->src == l->src && c->line <= l->line)
		p = c->p, n = c->line;
	for (; n < l->line && p < end; p++)
		if (*p == '\n')
			n++;
	*c = (struct cursor){ l->src, n, p };
	const char *eol = p;
	while (eol < end && *eol != '\n')
		eol++;
	if (eol > p && eol[-1] == '\r')   /* CRLF line ends */
		eol--;
	if (eol - p > 200)   /* a huge line is cut; the caret may then sit past it */
		eol = p + 200;
	for (const char *q = p; q < eol; q++)
		fputc(*q == '\t' || (unsigned char)*q >= 0x20 ? *q : '?', out);
	fputc('\n', out);
	int col = l->col - 1;
	if (col > 200)
		return;
	for (int i = 0; i < col; i++)
		if (!utf8_tail(p + i, eol))
			fputc(p + i < eol && p[i] == '\t' ? '\t' : ' ', out);
	fputc('^', out);
	for (int i = 1; i < l->len && col + i < 200; i++)
		if (!utf8_tail(p + col + i, eol))
			fputc('~', out);
	fputc('\n', out);
}

/* Messages quote the policy's own text: its control bytes must not reach the terminal. */
static void print_text(const char *s, FILE *out)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
	fputc('\n', out);
}

/* A record and the notes after it, in print order. */
struct group {
	const struct diag *first;
	size_t seq;
};

static int group_cmp(const void *pa, const void *pb)
{
	const struct loc *a = &((const struct group *)pa)->first->loc;
	const struct loc *b = &((const struct group *)pb)->first->loc;
	unsigned fa = a->src ? a->src->order : UINT_MAX, fb = b->src ? b->src->order : UINT_MAX;
	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	size_t sa = ((const struct group *)pa)->seq, sb = ((const struct group *)pb)->seq;
	return sa < sb ? -1 : sa > sb;
}

struct printer {
	FILE *out;
	struct cursor at;
};

static void print_one(const struct diag *g, struct printer *pr)
{
	FILE *out = pr->out;
	static const char *const sevname[] = { "error", "warning", "note" };
	const struct loc *l = &g->loc;
	if (l->src && l->line > 0)
		fprintf(out, "%s:%d:%d: ", l->src->path, l->line, l->col);
	else if (l->src)
		fprintf(out, "%s: ", l->src->path);
	else
		fputs("bcpc: ", out);
	fprintf(out, "%s: ", sevname[g->sev]);
	print_text(g->msg, out);
	if (l->src && l->line > 0)
		print_spot(l, &pr->at, out);
	if (g->hint) {
		fputs("hint: ", out);
		print_text(g->hint, out);
	}
}

static void print_cb(const struct diag *g, void *pr)
{
	print_one(g, pr);
}

void diags_print(const struct diags *d, FILE *out)
{
	struct printer pr = { out, { NULL, 0, NULL } };
	diags_each(d, print_cb, &pr);
	if (d->capped)
		fprintf(out, "bcpc: too many errors (%d); stopped reporting after %d\n",
			d->nerrors, DIAG_MAX_ERRORS);
}

void diags_each(const struct diags *d, void (*fn)(const struct diag *g, void *ctx), void *ctx)
{
	struct group *gs = NULL;
	size_t n = 0, cap = 0;
	const struct diag *g;
	/* Groups: a record and the notes that follow it. Without memory for the order,
	 * the records are printed as they were added. */
	for (g = d->head; g; g = g->next) {
		if (g->sev == SEV_NOTE && n > 0)
			continue;
		if (n == cap) {
			struct group *more = realloc(gs, (cap = cap ? 2 * cap : 64) * sizeof *gs);
			if (!more) {
				free(gs);
				gs = NULL;
				break;
			}
			gs = more;
		}
		gs[n].first = g;
		gs[n].seq = n;
		n++;
	}
	if (gs) {
		qsort(gs, n, sizeof *gs, group_cmp);
		for (size_t i = 0; i < n; i++) {
			fn(gs[i].first, ctx);
			for (g = gs[i].first->next; g && g->sev == SEV_NOTE; g = g->next)
				fn(g, ctx);
		}
		free(gs);
	} else {
		for (g = d->head; g; g = g->next)
			fn(g, ctx);
	}
}
