/* lexctx.h - state shared by the scanner and the parser for one source. */
#ifndef BCPC_LEXCTX_H
#define BCPC_LEXCTX_H
#include <setjmp.h>
#include "ast.h"

union lex_block;

struct lexctx {
	const struct source *src;
	struct arena *arena;
	struct diags *diags;
	int line, col;
	const char *tok;       /* text of the last token, for syntax errors */
	size_t toklen;
	/* Where the last token ended and where the one before it ended (blanks and
	 * comments are not tokens): a missing ';' is reported after the token it follows. */
	int end_line, end_col, prev_line, prev_col;
	int bad_string, prev_bad_string;   /* that token was an unterminated string */
	int depth;             /* '{' not yet closed */
	int number_line, number_col;   /* where the last NUMBER token ended */
	struct loc open[4];    /* where the first of them were opened */
	struct stmt *head, *tail;
	int syntax_errors;
	/* Flex's own memory (parse.c): every block it holds, from the arena's hook, and
	 * where to jump when it gives up instead of exiting (with its message). */
	union lex_block *blocks;
	jmp_buf *escape;
	const char *fatal;
};

/* Flex's YY_FATAL_ERROR: jumps back to parse_source; never returns. */
_Noreturn void bcl_fatal(const char *msg, void *scanner);
#endif
