/* check_int.h - what the checker's files (check*.c) share: its state, its parts,
 * and the helpers of check_util.c. Not used outside the checker; its entry point
 * is check.h. */
#ifndef BCPC_CHECK_INT_H
#define BCPC_CHECK_INT_H
#include "ast.h"
#include "model.h"
#include "strmap.h"

struct policy_limits;

struct checker {
	struct arena *a;
	struct diags *d;
	struct model *m;
	struct strmap groups, segments, rules, profiles;
	const struct policy_limits *lim;
};

/* check_segments.c */
void check_groups(struct checker *c, struct stmt *stmts);
void check_segments(struct checker *c, struct stmt *stmts);
/* check_rules.c */
void check_rules(struct checker *c, struct stmt *stmts);
void check_profiles(struct checker *c, struct stmt *stmts);
/* check_bc.c */
void check_bc(struct checker *c, struct stmt *stmts);
/* check_limits.c: 0, or -1 when a limit was passed (reported) */
int check_limits(struct checker *c, struct stmt *stmts);
/* check_patterns.c: fills model.patterns from the checked segments */
void build_patterns(struct checker *c);

/* Helpers shared by the checker's files (check_util.c). */
int value_count(const struct value *v);
const char *value_kind_name(enum value_kind k);
/* The value as a word (VAL_WORD) or NULL with an error naming what key wanted. */
const char *want_word(struct checker *c, const struct value *v, const char *key);
/* Reports "unknown KIND 'word'" with the nearest of names[] as a hint. */
void unknown_word(struct checker *c, struct loc loc, const char *kind, const char *word,
		  const char *const *names, unsigned n);
/* Reports a duplicate name with the place of the first one as a note. */
void duplicate_name(struct checker *c, struct loc loc, const char *kind, const char *name,
		    struct loc first);
/* A name string: non-empty, at most 255 bytes, no control bytes. 0 ok, -1 reported. */
int check_name(struct checker *c, const char *name, struct loc loc, const char *kind);
/* Declares name as item number next of a kind (kind: "segment", "rule", ...) in
 * names: checks the name, and reports a name already taken, with a note at the loc
 * of the item that took it. first_locs is the loc field of the model's array of
 * those items, stride its element size. 1 when declared (the caller fills item next
 * and counts it), 0 when not (reported, or out of memory). */
int declare_name(struct checker *c, struct strmap *names, const char *kind, const char *name,
		 struct loc loc, uint32_t next, const struct loc *first_locs, size_t stride);
/* Suggests the nearest key of map for word, or NULL. */
const char *nearest_key(const struct strmap *map, const char *word);
#endif
