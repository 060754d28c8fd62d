/* parse.c - runs the scanner and parser over one source. */
#include "ast.h"
#include "lexctx.h"
#include "parser.h"
#define YYSTYPE BCL_STYPE
#define YYLTYPE BCL_LTYPE
#include "lexer.h"

int bcl_parse(void *scanner, struct lexctx *cx);

int parse_source(const struct source *src, struct arena *a, struct diags *d,
		 struct stmt **out)
{
	struct lexctx cx = { .src = src, .arena = a, .diags = d, .line = 1, .col = 1 };
	yyscan_t scanner;
	int before = d->nerrors;

	if (bcl_lex_init_extra(&cx, &scanner) != 0) {
		diag_error(d, loc_file(src), "out of memory");
		return -1;
	}
	YY_BUFFER_STATE buf = bcl__scan_bytes(src->text, (int)src->len, scanner);
	int rc = buf ? bcl_parse(scanner, &cx) : 2;
	if (buf)
		bcl__delete_buffer(buf, scanner);
	bcl_lex_destroy(scanner);
	if (rc == 2 || a->failed)
		diag_error(d, loc_file(src), "out of memory while parsing");
	*out = cx.head;
	return rc == 0 && d->nerrors == before ? 0 : -1;
}
