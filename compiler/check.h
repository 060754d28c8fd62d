/* check.h - the meaning pass's entry point: statements of the syntax tree in, the
 * checked model (model.h) out. How it is done is check_int.h's and the check*.c files'. */
#ifndef BCPC_CHECK_H
#define BCPC_CHECK_H
#include "model.h"
#include "ast.h"

struct policy_limits {
	uint32_t sources, groups, segments, patterns, rules, profiles, clauses, atoms,
		 atom_values, clause_values, settings, list_items, controllers;
};
/* The limits model.h defines (BCL_MAX_*); what load_policy and check_policy apply. */
extern const struct policy_limits policy_limits_default;

/* Checks the statements of all sources (in order) and builds the model in a.
 * Every problem found goes to d; returns NULL when there was any error. The count
 * limits are checked first: past one, that is the only kind of error reported.
 * When an allocation fails, the one diagnostic is "out of memory". */
struct model *check_policy(struct stmt *stmts, struct arena *a, struct diags *d);
/* The same with other limits (tests use small ones to reach each limit cheaply). */
struct model *check_policy_limits(struct stmt *stmts, const struct policy_limits *lim,
				  struct arena *a, struct diags *d);
/* The order of model.patterns (qsort comparator of struct m_pattern): host patterns
 * by name (strcmp), then IPv4 and IPv6 prefixes by network, then length. */
int m_pattern_cmp(const void *x, const void *y);
#endif
