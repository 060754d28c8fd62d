/* users.h - the space of users, exactly: which users satisfy a formula over the
 * conditions of a policy's rules and app profiles. A satisfiability check (small
 * DPLL) over one boolean per (attribute, name, value) the policy mentions:
 * multi-valued attributes (saml, scim, scim_group, posture, trusted_network: shape
 * list or map in BCPF_USER_ATTRS) have independent values; a single-valued one
 * (shape one: idp, platform, client_type, country, machine_group) has at most one
 * value, and client_type exactly one (its fallback, zapp, when absent). A solve that
 * exceeds its budget says so (US_UNKNOWN): callers report "not decided", never a
 * guess. The lint and the semantic diff stand on this. Nothing here prints. */
#ifndef BCPC_ANALYSIS_USERS_H
#define BCPC_ANALYSIS_USERS_H
#include <stdint.h>
#include "model.h"
#include "arena.h"
#include "../../runtime/bcp.h"

struct uspace;   /* the variables of one model */

/* The variables of every user atom of m's rules and profiles. NULL when out of memory. */
struct uspace *uspace_new(const struct model *m);
/* The same over several models at once (the semantic diff: old and new): a value
 * the models share is one variable. */
struct uspace *uspace_new_models(const struct model *const *m, unsigned nm);
void uspace_free(struct uspace *s);

enum us_result { US_UNSAT, US_SAT, US_UNKNOWN };

/* A formula under construction: a conjunction of parts, each added below. */
struct uquery;
struct uquery *uquery_new(struct uspace *s);
void uquery_free(struct uquery *q);
/* Clears the query for reuse. */
void uquery_reset(struct uquery *q);
/* The user satisfies every user clause of the list (app clauses are skipped). */
int uquery_holds(struct uquery *q, const struct m_clause *c, uint32_t n);
/* The user does not satisfy all of them (an empty list: false). */
int uquery_fails(struct uquery *q, const struct m_clause *c, uint32_t n);
/* The user is (on 1) or is not (on 0) on at least one trusted network, named by
 * the policy or not (bypass on_net, docs/LANGUAGE.md 6.2 step 3). A witness on a
 * network no rule names gets one of its own ("other-network"). */
int uquery_on_net(struct uquery *q, int on);
/* Solves with a budget of steps (propagation work). */
enum us_result uquery_solve(struct uquery *q, uint64_t budget);
/* After US_SAT: the user found, built in arena a (strings are the model's). */
int uquery_user(struct uquery *q, struct arena *a, struct bcp_user_info *out);
#endif
