/* diff_int.h - what diff.c and diff_struct.c share: clauses written in the policy's
 * words (policy_text.h). Not used outside the diff. */
#ifndef BCPC_ANALYSIS_DIFF_INT_H
#define BCPC_ANALYSIS_DIFF_INT_H
#include <stddef.h>
#include "model.h"
#include "policy_text.h"

/* The user clauses of a list, joined by " and ", each as in a conjunction. */
void dt_user_clauses(struct ptext *t, const struct model *m, const struct m_clause *c,
		     uint32_t n);
/* How many user clauses a list has. */
uint32_t dt_nuser(const struct m_clause *c, uint32_t n);
/* The same domains (as sets), the same addresses. */
int dt_same_hosts(const struct m_segment *a, const struct m_segment *b);
int dt_same_addrs(const struct m_segment *a, const struct m_segment *b);
#endif
