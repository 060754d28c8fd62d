/* parser.y - the grammar of the policy language. It only builds the syntax tree
 * (ast.h); names, values and references are checked later by compiler/check*.c.
 * Errors recover at statement boundaries so one run reports as much as it can. */
%define api.pure full
%define api.prefix {bcl_}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%param {void *scanner}
%parse-param {struct lexctx *cx}

%code requires {
#include "ast.h"
#include "lexctx.h"
}

%union {
	struct { const char *s; size_t len; } str;
	uint64_t num;
	int flag;
	struct value *value;
	struct { struct value *head, *tail; } values;
	struct atom *atom;
	struct { struct atom *head, *tail; } atoms;
	struct clause *clause;
	struct { struct clause *head, *tail; } clauses;
	struct prop *prop;
	struct { struct prop *head, *tail; } props;
	struct rule *rule;
	struct { struct rule *head, *tail; } rules;
	struct setting *setting;
	struct { struct clause *when_head, *when_tail; struct setting *set_head, *set_tail; } pbody;
	struct stmt *stmt;
	struct test_line *tline;
	struct { struct test_line *head, *tail; } tlines;
}

%code {
#include <string.h>
#include "suggest.h"

/* Bison must not call malloc, which would bypass the allocation hook. It need not:
 * the grammar nests nothing inside itself except through left recursion, so the
 * stack depth is bounded by the grammar (18 states at most over the golden, fuzz
 * seed and example inputs), and the fixed stacks of YYINITDEPTH suffice (LAC's 20
 * as well). YYMAXDEPTH = YYINITDEPTH means they are never reallocated, and YYMALLOC
 * fails should bison ever try: the parse then stops with an error (bcl_error)
 * rather than allocating. */
#define YYINITDEPTH 200
#define YYMAXDEPTH YYINITDEPTH
#define YYMALLOC(n) ((void)(n), (void *)0)
#define YYFREE(p) ((void)(p))
int bcl_lex(BCL_STYPE *lval, BCL_LTYPE *lloc, void *scanner);

static struct loc L(struct lexctx *cx, BCL_LTYPE l)
{
	struct loc loc = { cx->src, l.first_line, l.first_column, 0 };
	if (l.last_line == l.first_line && l.last_column > l.first_column)
		loc.len = l.last_column - l.first_column;
	return loc;
}

#define NEW(T) ((T *)arena_alloc(cx->arena, sizeof(T)))
#define APPEND(list, item) do { \
	if ((item) == NULL) break; \
	if ((list).tail) (list).tail->next = (item); else (list).head = (item); \
	(list).tail = (item); \
} while (0)

static struct value *mkvalue(struct lexctx *cx, enum value_kind k, BCL_LTYPE l)
{
	struct value *v = NEW(struct value);
	if (v) {
		v->kind = k;
		v->loc = L(cx, l);
	}
	return v;
}

static struct stmt *mkstmt(struct lexctx *cx, enum stmt_kind k, BCL_LTYPE l)
{
	struct stmt *s = NEW(struct stmt);
	if (s) {
		s->kind = k;
		s->loc = L(cx, l);
	}
	return s;
}

static void bcl_error(BCL_LTYPE *l, void *scanner, struct lexctx *cx, const char *msg)
{
	(void)scanner;
	/* Bison's own "memory exhausted" means its fixed stack is full (see above). */
	if (!strcmp(msg, "memory exhausted"))
		msg = "nested too deeply for the parser";
	diag_error(cx->diags, L(cx, *l), "%s", msg);
}
}

%token END 0 "end of file"
%token TENANT "tenant" BUSINESS_CONTINUITY "business_continuity"
%token SEGMENT_GROUP "segment_group" SEGMENT "segment" APP_PROFILE "app_profile"
%token ACCESS_POLICY "access_policy" TEST "test" RULE "rule" ALLOW "allow" DENY "deny"
%token WHEN "when" SET "set" NOT "not" OR "or" FROM "from"
%token <str> STRING "string" WORD "word" ADDRESS "address"
%token <num> NUMBER "number" DURATION "duration"

%type <value> value item
%type <values> values items
%type <atom> atom test bare
%type <atoms> atoms
%type <clause> clause
%type <clauses> clauses
%type <prop> prop
%type <props> props
%type <rule> rule
%type <rules> rules
%type <pbody> pbody
%type <stmt> stmt
%type <flag> action
%type <str> atom_kind setkey
%type <tline> tline
%type <tlines> tbody
%type <values> twords
%type <value> tword

%%

file:
	%empty
|	file stmt		{ if ($2) { if (cx->tail) cx->tail->next = $2; else cx->head = $2; cx->tail = $2; } }
;

stmt:
	"tenant" STRING ';'	{ $$ = mkstmt(cx, ST_TENANT, @1); if ($$) { $$->name = $2.s; $$->name_loc = L(cx, @2); } }
|	"business_continuity" '{' props '}'
				{ $$ = mkstmt(cx, ST_BC, @1); if ($$) $$->props = $3.head; }
|	"segment_group" STRING ';'
				{ $$ = mkstmt(cx, ST_GROUP, @1); if ($$) { $$->name = $2.s; $$->name_loc = L(cx, @2); } }
|	"segment" STRING '{' props '}'
				{ $$ = mkstmt(cx, ST_SEGMENT, @1); if ($$) { $$->name = $2.s; $$->name_loc = L(cx, @2); $$->props = $4.head; } }
|	"app_profile" STRING '{' pbody '}'
				{ $$ = mkstmt(cx, ST_PROFILE, @1); if ($$) { $$->name = $2.s; $$->name_loc = L(cx, @2); $$->when = $4.when_head; $$->settings = $4.set_head; } }
|	"access_policy" '{' rules '}'
				{ $$ = mkstmt(cx, ST_POLICY, @1); if ($$) $$->rules = $3.head; }
|	"test" STRING '{' tbody '}'
				{ $$ = mkstmt(cx, ST_TEST, @1); if ($$) { $$->name = $2.s; $$->name_loc = L(cx, @2); $$->test = $4.head; } }
|	error ';'		{ $$ = NULL; }
|	error '}'		{ $$ = NULL; }
;

/* A test's lines are read as words here; compiler/policy_test.c gives them meaning. */
tbody:
	%empty			{ $$.head = $$.tail = NULL; }
|	tbody tline		{ $$ = $1; APPEND($$, $2); }
;

tline:
	WORD twords ';'		{ $$ = NEW(struct test_line); if ($$) { $$->loc = L(cx, @1); $$->key = $1.s; $$->words = $2.head; } }
|	WORD '{' clauses '}'	{ $$ = NEW(struct test_line); if ($$) { $$->loc = L(cx, @1); $$->key = $1.s; $$->block = 1; $$->user = $3.head; } }
|	error ';'		{ $$ = NULL; yyerrok; }
;

twords:
	tword			{ $$.head = $$.tail = NULL; APPEND($$, $1); }
|	twords tword		{ $$ = $1; APPEND($$, $2); }
;

/* The keywords a line of a test may hold are words there. */
tword:
	item			{ $$ = $1; }
|	"allow"			{ $$ = mkvalue(cx, VAL_WORD, @1); if ($$) { $$->s = "allow"; $$->len = 5; } }
|	"deny"			{ $$ = mkvalue(cx, VAL_WORD, @1); if ($$) { $$->s = "deny"; $$->len = 4; } }
|	"segment"		{ $$ = mkvalue(cx, VAL_WORD, @1); if ($$) { $$->s = "segment"; $$->len = 7; } }
|	"rule"			{ $$ = mkvalue(cx, VAL_WORD, @1); if ($$) { $$->s = "rule"; $$->len = 4; } }
;

props:
	%empty			{ $$.head = $$.tail = NULL; }
|	props prop		{ $$ = $1; APPEND($$, $2); }
;

prop:
	WORD values ';'		{ $$ = NEW(struct prop); if ($$) { $$->loc = L(cx, @1); $$->key = $1.s; $$->values = $2.head; } }
|	error ';'		{ $$ = NULL; yyerrok; }
;

pbody:
	%empty			{ memset(&$$, 0, sizeof $$); }
|	pbody "when" clause	{ $$ = $1; if ($3) { if ($$.when_tail) $$.when_tail->next = $3; else $$.when_head = $3; $$.when_tail = $3; } }
|	pbody "set" setkey '=' value ';'
				{ $$ = $1; struct setting *s = NEW(struct setting);
				  if (s) { s->loc = L(cx, @3); s->key = $3.s; s->value = $5;
				    if ($$.set_tail) $$.set_tail->next = s; else $$.set_head = s; $$.set_tail = s; } }
|	pbody error ';'		{ $$ = $1; yyerrok; }
;

/* A setting's key is any word; 'from' stays one (it is a keyword only after a condition). */
setkey:
	WORD			{ $$ = $1; }
|	"from"			{ $$.s = "from"; $$.len = 4; }
;

rules:
	%empty			{ $$.head = $$.tail = NULL; }
|	rules rule		{ $$ = $1; APPEND($$, $2); }
;

rule:
	"rule" STRING action '{' clauses '}'
				{ $$ = NEW(struct rule); if ($$) { $$->loc = L(cx, @1); $$->name = $2.s; $$->name_loc = L(cx, @2); $$->allow = $3; $$->clauses = $5.head; } }
|	error '}'		{ $$ = NULL; yyerrok; }
;

action:
	"allow"			{ $$ = 1; }
|	"deny"			{ $$ = 0; }
;

clauses:
	%empty			{ $$.head = $$.tail = NULL; }
|	clauses clause		{ $$ = $1; APPEND($$, $2); }
;

clause:
	atoms ';'		{ $$ = NEW(struct clause); if ($$) { $$->loc = L(cx, @1); $$->atoms = $1.head; } }
|	"not" atoms ';'		{ $$ = NEW(struct clause); if ($$) { $$->loc = L(cx, @1); $$->negated = 1; $$->atoms = $2.head; } }
|	error ';'		{ $$ = NULL; yyerrok; }
;

atoms:
	atom			{ $$.head = $$.tail = NULL; APPEND($$, $1); }
|	atoms "or" atom		{ $$ = $1; APPEND($$, $3); }
;

/* An atom, or one atom negated in parentheses: `(not posture "A")`. */
atom:
	test			{ $$ = $1; }
|	'(' "not" test ')'	{ $$ = $3; if ($$) { $$->negated = 1; $$->neg_loc = L(cx, @1); } }
;

/* A condition, with its qualifier: `saml "dept" = "x" from idp "Okta"`. */
test:
	bare			{ $$ = $1; }
|	bare "from" WORD STRING	{ $$ = $1; if ($$) { $$->from_kind = $3.s; $$->from_kind_loc = L(cx, @3); $$->from_value = $4.s; $$->from_loc = L(cx, @2); } }
;

bare:
	atom_kind values	{ $$ = NEW(struct atom); if ($$) { $$->loc = L(cx, @1); $$->kind = $1.s; $$->values = $2.head; } }
|	atom_kind STRING '=' values
				{ $$ = NEW(struct atom); if ($$) { $$->loc = L(cx, @1); $$->kind = $1.s; $$->attr = $2.s; $$->attr_loc = L(cx, @2); $$->values = $4.head; } }
;

atom_kind:
	WORD			{ $$ = $1; }
|	"segment"		{ $$.s = "segment"; $$.len = 7; }
|	"segment_group"		{ $$.s = "segment_group"; $$.len = 13; }
;

values:
	value			{ $$.head = $$.tail = NULL; APPEND($$, $1); }
|	values ',' value	{ $$ = $1; APPEND($$, $3); }
;

value:
	item			{ $$ = $1; }
|	NUMBER '-' NUMBER	{ $$ = mkvalue(cx, VAL_RANGE, @$); if ($$) { $$->a = $1; $$->b = $3; } }
|	'[' ']'			{ $$ = mkvalue(cx, VAL_LIST, @$); }
|	'[' items ']'		{ $$ = mkvalue(cx, VAL_LIST, @$); if ($$) $$->items = $2.head; }
;

items:
	item			{ $$.head = $$.tail = NULL; APPEND($$, $1); }
|	items ',' item		{ $$ = $1; APPEND($$, $3); }
;

item:
	STRING			{ $$ = mkvalue(cx, VAL_STRING, @1); if ($$) { $$->s = $1.s; $$->len = $1.len; } }
|	WORD			{ $$ = mkvalue(cx, VAL_WORD, @1); if ($$) { $$->s = $1.s; $$->len = $1.len; } }
|	ADDRESS			{ $$ = mkvalue(cx, VAL_ADDRESS, @1); if ($$) { $$->s = $1.s; $$->len = $1.len; } }
|	NUMBER			{ $$ = mkvalue(cx, VAL_INT, @1); if ($$) $$->a = $1; }
|	DURATION		{ $$ = mkvalue(cx, VAL_DURATION, @1); if ($$) $$->a = $1; }
|	"test"			{ $$ = mkvalue(cx, VAL_WORD, @1); if ($$) { $$->s = "test"; $$->len = 4; } }
|	"from"			{ $$ = mkvalue(cx, VAL_WORD, @1); if ($$) { $$->s = "from"; $$->len = 4; } }
;

%%

/* The keywords, for "did you mean" when a word stands where a keyword should. */
static const char *const keywords[] = {
	"tenant", "business_continuity", "segment_group", "segment", "app_profile",
	"access_policy", "test", "rule", "allow", "deny", "when", "set", "not", "or", "from",
};

/* A token's name as users read it: keywords and punctuation in single quotes
 * ('tenant', ';'), kinds of token bare (string, end of file). */
static void symbol_text(yysymbol_kind_t k, char *out, size_t n)
{
	int keyword = k >= YYSYMBOL_TENANT && k <= YYSYMBOL_FROM;
	snprintf(out, n, keyword ? "'%s'" : "%s", yysymbol_name(k));
}

/* The text of the source from line:col (1-based), or NULL. */
static const char *text_at(const struct source *s, int line, int col)
{
	const char *p = s ? s->text : NULL, *end = s ? s->text + s->len : NULL;
	for (int l = 1; p && l < line; l++) {
		p = memchr(p, '\n', (size_t)(end - p));
		p = p ? p + 1 : NULL;
	}
	return p && col >= 1 && (size_t)(col - 1) <= (size_t)(end - p) ? p + col - 1 : NULL;
}

/* Whether the token before the unexpected one (it ended at prev_line:prev_col) is
 * the text t. */
static int prev_is(const struct lexctx *cx, const char *t)
{
	size_t n = strlen(t);
	const char *end = text_at(cx->src, cx->prev_line, cx->prev_col);
	return end && cx->prev_col > (int)n && !memcmp(end - n, t, n);
}

/* An IPv4 address at p (its length in *len), as a number; -1 when there is none. */
static long long ipv4_at(const char *p, size_t *len)
{
	unsigned a[4];
	int n = 0;
	if (sscanf(p, "%3u.%3u.%3u.%3u%n", &a[0], &a[1], &a[2], &a[3], &n) != 4 ||
	    a[0] > 255 || a[1] > 255 || a[2] > 255 || a[3] > 255)
		return -1;
	*len = (size_t)n;
	return (long long)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
}

/* "addresses 10.1.2.0-10.1.2.255": the hint lists the networks that cover the range
 * exactly (at most 6; past that it says how many). 0 when the text around the '-'
 * is not two IPv4 addresses. */
static int range_hint(const struct lexctx *cx, const struct loc *dash, char *out, size_t cap)
{
	const char *d = text_at(cx->src, dash->line, dash->col), *p;
	size_t n1 = 0, n2 = 0, o;
	long long lo, hi;
	if (!d || *d != '-')
		return 0;
	for (p = d; p > cx->src->text && (p[-1] == '.' || (p[-1] >= '0' && p[-1] <= '9')); p--)
		;
	if ((lo = ipv4_at(p, &n1)) < 0 || p + n1 != d || (hi = ipv4_at(d + 1, &n2)) < lo)
		return 0;
	o = (size_t)snprintf(out, cap, "address ranges are not allowed; write networks:");
	for (int k = 0; lo <= hi && o < cap; k++) {
		int len = 32;
		while (len > 0 && (lo & ((1LL << (33 - len)) - 1)) == 0 &&
		       lo + (1LL << (33 - len)) - 1 <= hi)
			len--;
		if (k == 6) {
			snprintf(out + o, cap - o, " ... (more networks)");
			break;
		}
		o += (size_t)snprintf(out + o, cap - o, "%s %lld.%lld.%lld.%lld/%d", k ? "," : "",
				      lo >> 24, lo >> 16 & 255, lo >> 8 & 255, lo & 255, len);
		lo += 1LL << (32 - len);
	}
	return 1;
}

/* Points at the innermost '{' still open: the block that lacks its '}'. */
static void note_unclosed(struct lexctx *cx)
{
	int max = (int)(sizeof cx->open / sizeof *cx->open);
	diag_add(cx->diags, SEV_NOTE, cx->open[(cx->depth < max ? cx->depth : max) - 1], NULL,
		 "this '{' has no matching '}'");
}

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, struct lexctx *cx)
{
	enum { MAX_EXPECTED = 10 };
	yysymbol_kind_t expected[MAX_EXPECTED];
	yysymbol_kind_t got = yypcontext_token(ctx);
	int n = yypcontext_expected_tokens(ctx, expected, MAX_EXPECTED);
	char msg[900], name[64];
	size_t o = 0;
	struct loc loc = L(cx, *yypcontext_location(ctx));
	int at_end = got == YYSYMBOL_YYEOF;
	/* Where the token before the unexpected one ended; at the end of the file that
	 * is the last token. */
	int before_line = at_end ? cx->end_line : cx->prev_line;
	int before_col = at_end ? cx->end_col : cx->prev_col;

	(void)scanner;

	cx->syntax_errors++;
	/* An unterminated string ate the rest of its line, ';' included: already reported. */
	if (at_end ? cx->bad_string : cx->prev_bad_string)
		return 0;
	if (at_end && before_line > 0) {
		loc.line = before_line;
		loc.col = before_col;
		loc.len = 0;
	}
	/* "end of file" is worth naming only when nothing else would do. */
	int want_semicolon = 0, want_close = 0;
	for (int i = 0; i < n; i++) {
		if (expected[i] == YYSYMBOL_YYEOF && n > 1) {
			memmove(expected + i, expected + i + 1, (size_t)(n - i - 1) * sizeof *expected);
			n--;
			i--;
			continue;
		}
		want_semicolon |= !strcmp(yysymbol_name(expected[i]), "';'");
		want_close |= !strcmp(yysymbol_name(expected[i]), "'}'");
	}
	/* At the end of the file, or at a statement or rule keyword where a '}' could
	 * stand, a block was left open. */
	int unclosed = cx->depth > 0 &&
		(at_end || (want_close && got >= YYSYMBOL_TENANT && got <= YYSYMBOL_RULE));
	/* A ';' forgotten at the end of a line is noticed only at the next token: say
	 * so where it belongs. */
	int closing = !at_end && !strcmp(yysymbol_name(got), "'}'");
	if (want_semicolon && before_line > 0 && (at_end || closing || loc.line > before_line)) {
		const char *where = at_end ? "at end of file" :
			loc.line > before_line ? "at end of line" : "before '}'";
		loc.line = before_line;
		loc.col = before_col;
		loc.len = 0;
		diag_error(cx->diags, loc, "missing ';' %s", where);
		if (unclosed)
			note_unclosed(cx);
		return 0;
	}

	symbol_text(got, name, sizeof name);
	if (got == YYSYMBOL_STRING)   /* the text has its own quotes */
		o += (size_t)snprintf(msg + o, sizeof msg - o, "unexpected string %.*s%s",
				      cx->toklen > 40 ? 40 : (int)cx->toklen, cx->tok,
				      cx->toklen > 40 ? "..." : "");
	else if (got == YYSYMBOL_WORD || got == YYSYMBOL_ADDRESS || got == YYSYMBOL_NUMBER ||
		 got == YYSYMBOL_DURATION)
		o += (size_t)snprintf(msg + o, sizeof msg - o, "unexpected %s '%.*s%s'", name,
				      cx->toklen > 40 ? 40 : (int)cx->toklen, cx->tok,
				      cx->toklen > 40 ? "..." : "");
	else
		o += (size_t)snprintf(msg + o, sizeof msg - o, "unexpected %s", name);

	struct suggest sg;
	int want_keyword = 0, want_string = 0;
	if (got == YYSYMBOL_WORD)
		suggest_init(&sg, cx->toklen < 64 ? arena_strndup(cx->arena, cx->tok, cx->toklen) : "");
	if (n > 0) {
		o += (size_t)snprintf(msg + o, sizeof msg - o, ", expected ");
		for (int i = 0; i < n && o < sizeof msg; i++) {
			symbol_text(expected[i], name, sizeof name);
			o += (size_t)snprintf(msg + o, sizeof msg - o, "%s%s",
					      i == 0 ? "" : i == n - 1 ? " or " : ", ", name);
			want_string |= expected[i] == YYSYMBOL_STRING;
			if (got == YYSYMBOL_WORD && sg.word)
				for (size_t k = 0; k < sizeof keywords / sizeof *keywords; k++)
					if (!strcmp(yysymbol_name(expected[i]), keywords[k])) {
						suggest_add(&sg, keywords[k]);
						want_keyword = 1;
					}
		}
	}
	char hint[300];
	const char *h = NULL;
	int got_dash = !strcmp(yysymbol_name(got), "'-'"), got_semi = !strcmp(yysymbol_name(got), "';'");
	if (got_semi && prev_is(cx, "}")) {
		diag_add(cx->diags, SEV_ERROR, loc, "remove the ';'", "no ';' after '}'");
		return 0;
	}
	if (got == YYSYMBOL_NOT && prev_is(cx, "or")) {
		h = "negate one condition in parentheses: posture \"A\" or (not posture \"B\"); "
		    "a 'not' at the start of a line negates the whole clause";
	} else if (got == YYSYMBOL_STRING && prev_is(cx, "or")) {
		h = "the values of one condition are separated by commas: country \"US\", \"CA\" "
		    "('or' joins whole conditions)";
	} else if (got_dash && range_hint(cx, &loc, hint, sizeof hint)) {
		h = hint;
	} else if (want_keyword && sg.best) {
		snprintf(hint, sizeof hint, "did you mean '%s'?", sg.best);
		h = hint;
	} else if (want_string && got == YYSYMBOL_WORD && cx->toklen <= 40) {
		snprintf(hint, sizeof hint, "write names in double quotes: \"%.*s\"",
			 (int)cx->toklen, cx->tok);
		h = hint;
	}
	diag_add(cx->diags, SEV_ERROR, loc, h, "%s", msg);
	if (unclosed)
		note_unclosed(cx);
	return 0;
}
