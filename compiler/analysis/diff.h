/* diff.h - what changes between two checked policies (bcpc diff).
 *
 * The structural diff lists the objects added, removed, renamed (the same content
 * under another name), moved (a rule's place in the order) or changed, field by
 * field, as JSON records (the shape docs/bcpc.1 documents).
 *
 * The semantic diff is exact: over the request classes of both models
 * (classes.h), each model's decision is a function of the user alone; for every
 * pair (old deciding option, new deciding option) whose decisions differ, the user
 * condition "old option decides and new option decides" is solved (users.h). A
 * satisfiable one is a reported class with a witness user; an unsatisfiable one is
 * no change; one over the budget is reported as not decided, never dropped.
 * Decisions compare by verdict, segment and rule, names followed through renames.
 * Nothing here prints; the witnesses are checked by the caller through libbcp. */
#ifndef BCPC_ANALYSIS_DIFF_H
#define BCPC_ANALYSIS_DIFF_H
#include <stdint.h>
#include <jansson.h>
#include "arena.h"
#include "model.h"
#include "classes.h"
#include "../../runtime/bcp.h"

/* Which object of one model is which of the other: by name, else by a rename. */
struct df_maps {
	int32_t *seg_new, *seg_old;     /* per old / new segment: the other's, or -1 */
	int32_t *rule_new, *rule_old;   /* per old / new rule */
	int32_t *prof_new;              /* per old profile */
	uint8_t *seg_renamed, *rule_renamed;   /* per old object: paired by a rename */
};

/* Pairs the objects of old and new (arrays in a). 0, or -1 when out of memory. */
int diff_maps(const struct model *old, const struct model *nw, struct arena *a,
	      struct df_maps *out);

/* The structural changes, as an array of records {object, change, name, old_name,
 * fields: [{field, old, new}]}. by_meaning (a side read from a blob, which keeps
 * neither disabled segments nor the spelling of app clauses): disabled segments
 * are left out, and a rule's app clauses compare as the segments they select
 * (field applies_to) instead of their text (app_clauses). NULL when out of memory. */
json_t *diff_structural(const struct model *old, const struct model *nw,
			const struct df_maps *maps, int by_meaning);

/* One model's decision: indices into its model, -1 none. */
struct df_outcome {
	enum bcp_verdict verdict;
	int32_t segment, rule;
};

/* A class of requests whose decision changes (or that could not be decided). */
struct df_class {
	uint32_t pattern;          /* the region: index into the result's set.pats */
	enum bcp_proto proto;
	uint16_t lo, hi;           /* ports */
	struct df_outcome old, nw;
	const char *user;          /* the user condition, in the policy's words */
	uint32_t user_id;          /* classes of the same condition and witness share it */
	struct bcp_user_info witness;   /* a user of it (arrays in the arena) */
	int undecided;             /* over the budget: old, nw, witness are not set */
};

struct df_stats {
	uint64_t classes;          /* request classes walked */
	uint64_t analyzed;         /* classes whose decisions could differ */
	uint64_t solved;           /* user conditions solved */
};

struct df_result {
	struct cl_set set;
	struct df_class *c;        /* malloc'd; diff_free releases it */
	uint32_t n, cap;
	uint32_t nundecided;
	struct df_stats stats;
};

/* The semantic diff of old and new with their maps; budget is solver steps per
 * condition (0: a default). Everything but r->c lives in a. 0, or -1 when out of
 * memory. */
int diff_semantic(const struct model *old, const struct model *nw, const struct df_maps *maps,
		  uint64_t budget, struct arena *a, struct df_result *r);
void diff_free(struct df_result *r);

/* Two decisions are the same (names followed through the maps). */
int diff_same(const struct df_maps *maps, const struct df_outcome *old,
	      const struct df_outcome *nw);
#endif
