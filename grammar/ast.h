/* ast.h - the syntax tree the parser builds: exactly what was written, in order,
 * with locations. Nothing here is checked for meaning (that is compiler/check*.c).
 * All nodes live in the parse arena; lists are singly linked in source order. */
#ifndef BCPC_AST_H
#define BCPC_AST_H
#include <stdint.h>
#include "diag.h"

enum value_kind {
	VAL_STRING,    /* "text" (s, len; never holds NUL) */
	VAL_INT,       /* 443 (a) */
	VAL_DURATION,  /* 2m (a = seconds) */
	VAL_WORD,      /* windows, time_based, true (s) */
	VAL_ADDRESS,   /* 10.1.0.0/16, 2001:db8::/48 (s, as written) */
	VAL_RANGE,     /* 3200-3299 (a, b) */
	VAL_LIST,      /* [v, v, ...] (items) */
};

struct value {
	enum value_kind kind;
	struct loc loc;
	const char *s;
	size_t len;
	uint64_t a, b;
	struct value *items;
	struct value *next;
};

/* `key value, value;` in business_continuity and segment bodies. */
struct prop {
	struct loc loc;
	const char *key;
	struct value *values;
	struct prop *next;
};

/* `kind values` or `kind "attr" = values`, e.g. saml "department" = "Finance";
 * optionally qualified, `... from idp "Okta"`, and negated alone, `(not ...)`. */
struct atom {
	struct loc loc;
	const char *kind;
	const char *attr;     /* NULL when absent */
	struct loc attr_loc;
	struct value *values;
	int negated;          /* written `(not atom)` */
	struct loc neg_loc;
	const char *from_kind;    /* `from WORD "value"`: the word (idp), NULL when absent */
	struct loc from_kind_loc;
	const char *from_value;
	struct loc from_loc;
	struct atom *next;
};

/* `[not] atom or atom ... ;` */
struct clause {
	struct loc loc;
	int negated;
	struct atom *atoms;
	struct clause *next;
};

/* `set key = value;` in an app_profile. */
struct setting {
	struct loc loc;
	const char *key;
	struct value *value;
	struct setting *next;
};

struct rule {
	struct loc loc;
	const char *name;
	struct loc name_loc;
	int allow;
	struct clause *clauses;
	struct rule *next;
};

/* One line of a test block: `request "host:443";` and `expect allow segment "S";`
 * (key and words; keywords among the words are VAL_WORD), or `user { clauses }`
 * (block set, the clauses in user). */
struct test_line {
	struct loc loc;
	const char *key;
	struct value *words;
	int block;
	struct clause *user;
	struct test_line *next;
};

enum stmt_kind { ST_TENANT, ST_BC, ST_GROUP, ST_SEGMENT, ST_PROFILE, ST_POLICY, ST_TEST };

struct stmt {
	enum stmt_kind kind;
	struct loc loc;
	const char *name;        /* tenant, group, segment, profile */
	struct loc name_loc;
	struct prop *props;      /* ST_BC, ST_SEGMENT */
	struct clause *when;     /* ST_PROFILE */
	struct setting *settings;/* ST_PROFILE */
	struct rule *rules;      /* ST_POLICY */
	struct test_line *test;  /* ST_TEST */
	struct stmt *next;
};

/* Parses one source into a statement list (appended to *out in order).
 * Errors go to d. Returns 0 when the source had no syntax error. */
int parse_source(const struct source *src, struct arena *a, struct diags *d,
		 struct stmt **out);

/* Limits of the front end (docs/LANGUAGE.md lists them). */
#define BCL_MAX_SOURCE (16u << 20)   /* bytes in one source file */
#define BCL_MAX_TOKEN 4096           /* bytes in one token or string */
#define BCL_MAX_NUMBER 4294967295u   /* largest integer literal */
#endif
