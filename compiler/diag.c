/* diag.c - collecting and printing diagnostics. */
#include "diag.h"
#include <stdarg.h>
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
		if (d->nerrors >= DIAG_MAX_ERRORS) {
			d->capped = 1;
			d->nerrors++;
			return;
		}
		d->nerrors++;
	} else if (sev == SEV_WARNING) {
		d->nwarnings++;
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
	if (d->tail)
		d->tail->next = g;
	else
		d->head = g;
	d->tail = g;
}

/* Prints line `line` of src (without its newline), control bytes shown as '?',
 * then the caret line: tabs are copied so the caret lines up in any tab width. */
static void print_spot(const struct loc *l, FILE *out)
{
	const char *p = l->src->text, *end = p + l->src->len;
	for (int n = 1; n < l->line && p < end; p++)
		if (*p == '\n')
			n++;
	const char *eol = p;
	while (eol < end && *eol != '\n')
		eol++;
	if (eol - p > 200)   /* a huge line is cut; the caret may then sit past it */
		eol = p + 200;
	for (const char *q = p; q < eol; q++)
		fputc(*q == '\t' || (unsigned char)*q >= 0x20 ? *q : '?', out);
	fputc('\n', out);
	int col = l->col - 1;
	if (col > 200)
		return;
	for (int i = 0; i < col; i++)
		fputc(p + i < eol && p[i] == '\t' ? '\t' : ' ', out);
	fputc('^', out);
	for (int i = 1; i < l->len && col + i < 200; i++)
		fputc('~', out);
	fputc('\n', out);
}

void diags_print(const struct diags *d, FILE *out)
{
	static const char *const sevname[] = { "error", "warning", "note" };
	for (const struct diag *g = d->head; g; g = g->next) {
		const struct loc *l = &g->loc;
		if (l->src && l->line > 0)
			fprintf(out, "%s:%d:%d: ", l->src->path, l->line, l->col);
		else if (l->src)
			fprintf(out, "%s: ", l->src->path);
		else
			fputs("bcpc: ", out);
		fprintf(out, "%s: %s\n", sevname[g->sev], g->msg);
		if (l->src && l->line > 0)
			print_spot(l, out);
		if (g->hint)
			fprintf(out, "hint: %s\n", g->hint);
	}
	if (d->capped)
		fprintf(out, "bcpc: too many errors (%d); stopped reporting after %d\n",
			d->nerrors, DIAG_MAX_ERRORS);
}
