/* diff_int.h - what diff.c and diff_struct.c share: a growing text, and clauses
 * written in the policy's words. Not used outside the diff. */
#ifndef BCPC_ANALYSIS_DIFF_INT_H
#define BCPC_ANALYSIS_DIFF_INT_H
#include <stddef.h>
#include "model.h"

struct dtext {
	char *p;
	size_t n, cap;
	int failed;
};

void dt_put(struct dtext *t, const char *s);
/* One clause as the language writes it; flip: its negation. */
void dt_clause(struct dtext *t, const struct model *m, const struct m_clause *c, int flip);
/* The same inside a conjunction (in_and): a clause of several conditions in
 * parentheses, "not" or not. */
void dt_clause_in(struct dtext *t, const struct model *m, const struct m_clause *c, int flip,
		  int in_and);
/* The user clauses of a list, joined by " and ", each as in a conjunction. */
void dt_user_clauses(struct dtext *t, const struct model *m, const struct m_clause *c,
		     uint32_t n);
/* How many user clauses a list has. */
uint32_t dt_nuser(const struct m_clause *c, uint32_t n);
/* The same domains (as sets), the same addresses. */
int dt_same_hosts(const struct m_segment *a, const struct m_segment *b);
int dt_same_addrs(const struct m_segment *a, const struct m_segment *b);
#endif
