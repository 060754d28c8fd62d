/* lexctx.h - state shared by the scanner and the parser for one source. */
#ifndef BCPC_LEXCTX_H
#define BCPC_LEXCTX_H
#include "ast.h"

struct lexctx {
	const struct source *src;
	struct arena *arena;
	struct diags *diags;
	int line, col;
	const char *tok;       /* text of the last token, for syntax errors */
	size_t toklen;
	struct stmt *head, *tail;
	int syntax_errors;
};
#endif
