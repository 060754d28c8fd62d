/* lower.h - the checked model lowered to the tables of the blob format
 * (docs/FORMAT.md): string references resolved, hash tables placed, segments
 * renumbered without the disabled ones. The tables hold values, not bytes; blob.c
 * lays them out. Lowering reads the model only and never changes it. */
#ifndef BCPC_LOWER_H
#define BCPC_LOWER_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "model.h"

/* A placed open-addressing table: slots[i] is 0 (empty) or item index + 1. */
struct hash_table {
	uint32_t nslots, max_probe;
	uint64_t seed;
	uint32_t *slots;
};

/* Every u32 named like a string (name, label, attr, value) is a strref;
 * exact, wild and segref are segrefs (FORMAT.md, "References"). */
struct t_node {
	uint32_t parent, label, exact, wild;
};

struct t_addr {
	struct prefix p;         /* network bytes in addr[], len */
	uint32_t segref;
};

struct t_segment {
	uint32_t name, group, ports;
	uint16_t ntcp, nudp;
	uint8_t match, bypass;
};

struct t_pred {
	uint8_t kind;            /* enum bcpf_pred_kind */
	uint32_t attr, value;
};

struct t_clause {
	uint32_t first;
	uint16_t n;
	uint8_t negated;
};

struct t_rule {
	uint32_t name, clauses;
	uint16_t nclauses;
	uint8_t allow, all_segments;
	uint32_t segs, nsegs;
};

struct t_profile {
	uint32_t name, clauses;
	uint16_t nclauses;
};

struct tables {
	uint8_t *strings;        /* the string pool, records back to back */
	uint32_t strings_len;

	struct t_node *nodes;    /* node 0 is the root */
	uint32_t nnodes, max_depth;
	uint64_t *node_key;      /* per node: its host_index key (bcpf_hash_suffix) */
	struct hash_table host_index;   /* item k is node k + 1: slots hold node indexes */

	struct t_addr *addr4, *addr6;
	uint32_t naddr4, naddr6;
	uint64_t lenmask4, lenmask6[3];
	struct hash_table addr4_index, addr6_index;   /* items: records */

	uint32_t *seglists;
	uint32_t nseglists;      /* u32 entries, not lists */

	struct t_segment *segments;
	uint32_t nsegments;
	struct port_range *ports;
	uint32_t nports;
	uint32_t *groups;        /* name strrefs */
	uint32_t ngroups;

	struct t_pred *preds;
	uint32_t npreds;
	struct hash_table pred_index;   /* items: predicates */
	struct t_clause *clauses;
	uint32_t nclauses;
	uint32_t *clause_preds;
	uint32_t nclause_preds;

	struct t_rule *rules;
	uint32_t nrules;
	uint32_t *rule_segs;
	uint32_t nrule_segs;
	struct t_profile *profiles;
	uint32_t nprofiles;
};

/* The fixed seed every hash table starts from; placement retries count up from it. */
#define LOWER_SEED0 0x6263706331736565u

/* Lowers m into tables allocated in a. Returns NULL on failure (out of memory, or
 * a limit of the format exceeded) with a message in err. Deterministic: the same
 * model gives the same tables. Not thread-safe on one arena. */
struct tables *lower_model(const struct model *m, struct arena *a, char *err, size_t errlen);
#endif
