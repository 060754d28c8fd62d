/* classes.h - the requests of one or two policies, cut into classes that every
 * model decides alike up to the user: the request-class partition the semantic
 * diff (diff.h) stands on, and that a one-model analysis can use the same way.
 *
 * The patterns are the union of the models' host patterns and address prefixes.
 * The region of a pattern p is the set of hosts whose most specific matching
 * pattern of the union is p (docs/LANGUAGE.md 6.2 step 1); every host of a region
 * has the same candidate patterns in every model, so the same segments. A region
 * comes with a representative host: p itself for an exact name, a fresh label
 * below a wildcard ("w.sap.example", a name no pattern of the union is), an
 * address of the prefix that no longer prefix of the union holds. Hosts in no
 * region match no pattern in any model: `none` everywhere, no class.
 *
 * Within a region, the ports of each protocol are cut at every boundary of the
 * segments of its candidate patterns, in all models; a class is (region, protocol,
 * port interval), and for each model the segments step 2 selects for it
 * (reference.c's ref_select, so the semantics are read once). Steps 3 and 4
 * depend on the user and are the caller's. Nothing here prints. */
#ifndef BCPC_ANALYSIS_CLASSES_H
#define BCPC_ANALYSIS_CLASSES_H
#include <stdint.h>
#include "arena.h"
#include "model.h"
#include "reference.h"

#define CL_MAX_MODELS 2

/* One pattern of the union. */
struct cl_pattern {
	int is_addr;
	const char *host;         /* !is_addr: the normalized host pattern */
	struct prefix prefix;     /* is_addr */
	int32_t pat[CL_MAX_MODELS];   /* its index in each model's patterns, -1 when absent */
	char *rep;                /* a host of its region (arena), or NULL when it has none */
};

struct cl_set {
	const struct model *m[CL_MAX_MODELS];
	unsigned nm;
	struct cl_pattern *pats;  /* host patterns sorted by strcmp, then prefixes */
	uint32_t npats, nhost;
	uint32_t nempty;          /* patterns whose region holds no host */
};

/* What one model selects for a class (step 2). */
struct cl_side {
	int matched;              /* 0: no pattern matched, the decision is none */
	uint32_t S[REF_MAX_SELECTED];   /* the segments, in order (empty: drop) */
	uint32_t nS;
};

struct cl_class {
	uint32_t pattern;         /* the region: index into cl_set.pats */
	enum bcp_proto proto;
	uint16_t lo, hi;          /* the ports */
	struct cl_side side[CL_MAX_MODELS];
	const uint32_t *chain;    /* the union patterns its hosts match, most specific first */
	uint32_t nchain;
};

/* The union of the nm (1 or 2) models' patterns and each region's representative,
 * in arena a. 0, or -1 when out of memory. */
int cl_build(const struct model *const *m, unsigned nm, struct arena *a, struct cl_set *out);

/* Calls visit for every class, region by region (in pats order), tcp before udp,
 * ports ascending; stops at the first nonzero return and returns it (0 when all ran,
 * -1 when out of memory). */
typedef int (*cl_visit)(void *ctx, const struct cl_set *s, const struct cl_class *c);
int cl_each(const struct cl_set *s, cl_visit visit, void *ctx);

/* Model k's step 2 for class c as if the union pattern `without` were not in the
 * model (absent from every segment): what taking that pattern out would select. */
void cl_select_without(const struct cl_set *s, const struct cl_class *c, unsigned k,
		       uint32_t without, struct cl_side *out);

/* The region of a request host (normalized host name or address, as ref_decide
 * reads it): the index of its most specific pattern of the union, -1 when it
 * matches none, -2 when host is no valid host. */
int32_t cl_locate(const struct cl_set *s, const char *host);

/* "sap.example", "*.example", "10.0.0.0/8": the pattern's text, into buf (64+). */
const char *cl_pattern_text(const struct cl_pattern *p, char *buf, size_t n);
#endif
