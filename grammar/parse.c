/* parse.c - runs the scanner and parser over one source, and owns their memory.
 * The tree goes into the arena; flex's buffers are blocks of their own from the
 * arena's hook, linked here so that all of them can be freed whatever happens.
 * Flex would exit the process when an allocation fails (YY_FATAL_ERROR); here it
 * jumps back instead, and a failed allocation is an "out of memory" error, never
 * an exit or a leak. Bison allocates nothing (parser.y). */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "ast.h"
#include "lexctx.h"
#include "parser.h"
#define YYSTYPE BCL_STYPE
#define YYLTYPE BCL_LTYPE
#include "lexer.h"

int bcl_parse(void *scanner, struct lexctx *cx);

/* The header of one block flex holds; its memory follows, aligned for anything. */
union lex_block {
	struct {
		union lex_block *prev, *next;
		size_t size;
	} h;
	max_align_t align;
};

/* Flex calls this before its scanner exists, with a stand-in that already carries
 * the extra (yylex_init_extra), so the context is always at hand; with none (plain
 * yylex_init, never used here) there is no hook to use and the call fails. */
void *bcl_alloc(yy_size_t size, yyscan_t scanner)
{
	struct lexctx *cx = scanner ? bcl_get_extra(scanner) : NULL;
	if (!cx || size > SIZE_MAX - sizeof(union lex_block))
		return NULL;
	union lex_block *b = hook_alloc(cx->arena->hook, sizeof *b + size);
	if (!b) {
		cx->arena->failed = 1;
		return NULL;
	}
	b->h.size = size;
	b->h.prev = NULL;
	b->h.next = cx->blocks;
	if (cx->blocks)
		cx->blocks->h.prev = b;
	cx->blocks = b;
	return b + 1;
}

static void block_release(struct lexctx *cx, union lex_block *b)
{
	if (b->h.prev)
		b->h.prev->h.next = b->h.next;
	else
		cx->blocks = b->h.next;
	if (b->h.next)
		b->h.next->h.prev = b->h.prev;
	hook_release(cx->arena->hook, b);
}

void bcl_free(void *p, yyscan_t scanner)
{
	if (!p)
		return;
	/* Read the context first: p may be the scanner itself (yylex_destroy). */
	struct lexctx *cx = bcl_get_extra(scanner);
	block_release(cx, (union lex_block *)p - 1);
}

void *bcl_realloc(void *p, yy_size_t size, yyscan_t scanner)
{
	if (!p)
		return bcl_alloc(size, scanner);
	union lex_block *old = (union lex_block *)p - 1;
	void *q = bcl_alloc(size, scanner);
	if (!q)
		return NULL;   /* like realloc: the old block stays */
	memcpy(q, p, old->h.size < size ? old->h.size : size);
	block_release(bcl_get_extra(scanner), old);
	return q;
}

void bcl_fatal(const char *msg, void *scanner)
{
	struct lexctx *cx = bcl_get_extra(scanner);
	cx->fatal = msg;
	longjmp(*cx->escape, 1);
}

/* Scans and parses; 0, 1 (syntax error) or 2 (out of memory, or flex gave up).
 * After a jump the scanner is left as it was: the caller frees its blocks. */
static int scan_and_parse(struct lexctx *cx, jmp_buf *escape)
{
	yyscan_t scanner;
	cx->escape = escape;
	if (setjmp(*escape))
		return 2;
	if (bcl_lex_init_extra(cx, &scanner) != 0)
		return 2;
	YY_BUFFER_STATE buf = bcl__scan_bytes(cx->src->text, (int)cx->src->len, scanner);
	int rc = bcl_parse(scanner, cx);
	bcl__delete_buffer(buf, scanner);
	bcl_lex_destroy(scanner);
	return rc;
}

/* Whether the text is UTF-16, as Windows PowerShell's ">" writes it: a byte order
 * mark (FF FE or FE FF), or, without one, ASCII text with a NUL byte at every other
 * position in its first 64 bytes. Such a file would otherwise give an error for
 * every NUL byte. */
static int is_utf16(const struct source *src)
{
	const unsigned char *p = (const unsigned char *)src->text;
	size_t n = src->len < 64 ? src->len : 64, zeros[2] = { 0, 0 };

	if (src->len >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff)))
		return 1;
	if (n < 4)
		return 0;
	for (size_t i = 0; i < n; i++)
		zeros[i & 1] += p[i] == 0;
	return zeros[0] == (n + 1) / 2 || zeros[1] == n / 2;
}

int parse_source(const struct source *src, struct arena *a, struct diags *d,
		 struct stmt **out)
{
	struct lexctx cx = { .src = src, .arena = a, .diags = d, .line = 1, .col = 1 };
	jmp_buf escape;
	int before = d->nerrors;

	*out = NULL;
	if (src->len > BCL_MAX_SOURCE) {   /* read_file enforces it; flex takes an int */
		diag_error(d, loc_file(src), "larger than the 16 MiB limit for a source file");
		return -1;
	}
	if (is_utf16(src)) {
		diag_add(d, SEV_ERROR, loc_file(src), "save it as UTF-8: in PowerShell, "
			 "'Set-Content -Encoding utf8' or 'Out-File -Encoding utf8' instead of '>'",
			 "the file is UTF-16 (as Windows PowerShell's '>' writes it); policies are UTF-8");
		return -1;
	}
	int rc = scan_and_parse(&cx, &escape);
	while (cx.blocks)
		block_release(&cx, cx.blocks);
	if (a->failed) {
		diag_out_of_memory(d);
		return -1;
	}
	if (rc == 2 && cx.fatal)
		diag_error(d, loc_file(src), "the scanner failed: %s", cx.fatal);
	*out = cx.head;
	return rc == 0 && d->nerrors == before ? 0 : -1;
}
