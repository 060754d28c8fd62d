/* explain.h - why the policy decides a request as it does: the steps of
 * docs/LANGUAGE.md 6.2 over the checked model, each recorded as data (the
 * candidate patterns, the segments they select, every rule tried up to the one that
 * decided and the clause that failed each, the app profiles tried).
 *
 * It is the reference evaluator's walk, traced (reference.h, struct ref_trace): the
 * verdict, segment, rule and profile it reports are the reference's, and
 * tests/unit/test_diff.c holds them equal to the runtime's (bcpc query's). Printing
 * lives in cmd_explain.c; nothing here prints. */
#ifndef BCPC_EXPLAIN_H
#define BCPC_EXPLAIN_H
#include <stdint.h>
#include "model.h"
#include "../runtime/bcp.h"
#include "reference.h"

#define XP_MAX_PATTERNS REF_MAX_CANDIDATES

/* One candidate pattern, in the order the walk met it (most specific first). */
struct xp_pattern {
	uint32_t pattern;     /* index into model.patterns */
	int enabled;          /* some segment of it is enabled */
	int32_t serves;       /* the first enabled segment of it serving the port, or -1 */
	int stops;            /* exclusive: the walk stopped here */
};

enum xp_rule_why {
	XR_NOT_FOR_SEGMENTS,  /* an app clause names none of the selected segments */
	XR_USER_CLAUSE,       /* a user clause does not hold */
	XR_DECIDED,
};

/* One rule tried, in policy order, up to the one that decided. */
struct xp_rule {
	uint32_t rule;
	enum xp_rule_why why;
	uint32_t clause;      /* the clause that failed (XR_NOT_FOR_SEGMENTS, XR_USER_CLAUSE) */
	int32_t segment;      /* XR_DECIDED: the segment it decided for */
};

/* One app profile tried, up to the one chosen. */
struct xp_profile {
	uint32_t profile;
	int chosen;
	uint32_t clause;      /* !chosen: the `when` clause that failed */
};

struct explanation {
	int bad_host;                 /* neither a host name nor an address: deny */
	int is_addr;
	char host[NET_HOST_MAX + 3];  /* the normalized name, or the address as a prefix */
	uint16_t port;
	enum bcp_proto proto;

	struct xp_pattern pats[XP_MAX_PATTERNS];
	uint32_t npats;
	uint32_t selected[XP_MAX_PATTERNS];   /* the segments chosen, in order (S) */
	uint32_t nselected;

	struct xp_rule *rules;        /* malloc'd; explain_free releases it */
	uint32_t nrules;

	struct xp_profile *profiles;  /* malloc'd */
	uint32_t nprofiles;

	enum bcp_verdict verdict;
	int32_t segment, rule, profile;   /* indices, -1 when none */
	int32_t bypass;                   /* the bypassed segment, or -1 */
};

/* Explains (host, port, proto) for user u (NULL: no attributes), as ref_decide and
 * ref_profile decide it. Returns 0, or -1 when out of memory (x then holds nothing
 * to free). A bad host is not an error: x->bad_host is set and the verdict is deny. */
int explain(const struct model *m, const struct bcp_user_info *u, const char *host,
	    uint16_t port, enum bcp_proto proto, struct explanation *x);
void explain_free(struct explanation *x);

#endif
