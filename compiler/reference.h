/* reference.h - the reference evaluator: decisions computed straight from the
 * semantics in docs/LANGUAGE.md, over the checked model.
 *
 * It exists to be obviously correct, not fast: a host pattern is found by binary
 * search over the model's sorted host patterns, everything else by a linear scan of
 * the model, written as the language reference words it. It must share no lookup
 * code with the runtime (no tables, no hashing, nothing from the runtime sources),
 * so that the differential tests compare two independent readings of the
 * semantics. It only borrows compiler/net.h to parse and normalize hosts and
 * addresses, and runtime/bcp_format.h's attribute table (bcpf_user_each: which
 * values a user has of an attribute, and how they compare).
 *
 * `bcpc explain` is this walk, traced: ref_decide_traced calls a trace at each step
 * (struct ref_trace) and explain.c records what it is told; there is no second walk.
 * A plain decision passes no trace.
 *
 * Nothing here allocates, prints or keeps state; all functions are thread-safe. */
#ifndef BCPC_REFERENCE_H
#define BCPC_REFERENCE_H
#include <stdint.h>
#include "model.h"
#include "../runtime/bcp.h"

struct ref_result {
	enum bcp_verdict verdict;
	int32_t segment;   /* index into model->segments, or -1 */
	int32_t rule;      /* index into model->rules, or -1 */
};

/* At most this many candidate patterns per request: 127 labels of a 253-byte name
 * and "*", or 129 prefix lengths. */
#define REF_MAX_CANDIDATES 256

/* Decides (host, port, proto) for user u (NULL: a user with no attributes, client
 * type zapp). host is NUL-terminated: a host name (ASCII case and one trailing dot
 * ignored), an IPv4 literal, or an IPv6 literal with or without brackets. Returns 0,
 * or -1 when host is neither a valid host name nor an address (a name with a '*'
 * label, an empty label, a bad byte, ...); then out is deny with no segment and no
 * rule, the same as the runtime's BCP_E_ARG. */
int ref_decide(const struct model *m, const struct bcp_user_info *u, const char *host,
	       uint16_t port, enum bcp_proto proto, struct ref_result *out);

/* The parts of the decision the semantic diff (analysis/classes.c) reasons about
 * on its own. ref_select is step 2 over the candidate patterns pats (indices into
 * m->patterns, most specific first, as step 1 finds them): the segments S, in
 * order, into S; returns 1 when some pattern matched (an enabled segment has it),
 * else 0 (the decision is none). */
#define REF_MAX_SELECTED 256
int ref_select(const struct model *m, const uint32_t *pats, uint32_t npats, uint16_t port,
	       enum bcp_proto proto, uint32_t S[REF_MAX_SELECTED], uint32_t *nS);
/* Does rule `rule` apply to segment s (each of its app clauses names s or its group)? */
int ref_rule_applies(const struct model *m, uint32_t rule, uint32_t s);

/* The user's app profile: the index of the first profile in model order whose
 * `when` clauses all hold, or -1 when none does. u NULL as in ref_decide. */
int32_t ref_profile(const struct model *m, const struct bcp_user_info *u);

/* The steps of a decision, as the walk takes them (docs/LANGUAGE.md 6.2). Every
 * callback must be set; ctx is passed back. */
struct ref_trace {
	void *ctx;
	/* The request as read: a normalized host name, or an address (the other NULL).
	 * Not called for a host that is neither (ref_decide_traced returns -1). */
	void (*request)(void *ctx, const char *name, const struct prefix *addr);
	/* Steps 1-2: each candidate pattern looked at, most specific first: whether
	 * some segment of it is enabled, the segment it added (the first enabled one
	 * serving the port, or -1), and whether the walk stopped there (exclusive). */
	void (*pattern)(void *ctx, uint32_t pattern, int enabled, int32_t added, int stops);
	/* Step 4: each rule tried, in order: the segment it decided for, or -1. */
	void (*rule)(void *ctx, uint32_t rule, int32_t segment);
	/* Step 5: each app profile tried, in order, and whether it is chosen. */
	void (*profile)(void *ctx, uint32_t profile, int chosen);
};

/* ref_decide and ref_profile, telling t (NULL: nothing) each step. */
int ref_decide_traced(const struct model *m, const struct bcp_user_info *u, const char *host,
		      uint16_t port, enum bcp_proto proto, const struct ref_trace *t,
		      struct ref_result *out);
int32_t ref_profile_traced(const struct model *m, const struct bcp_user_info *u,
			   const struct ref_trace *t);

/* For a trace's reader, why a step failed: the first user clause of cl[0..n) that
 * does not hold for u (NULL as above), or -1; the first app clause of rule r that
 * names neither segment s nor its group, or -1. */
int32_t ref_failing_clause(const struct m_clause *cl, uint32_t n, const struct bcp_user_info *u);
int32_t ref_unnaming_clause(const struct model *m, const struct m_rule *r, uint32_t s);
#endif
