/* gen_int.h - what the three files of the generator share (gen.c builds the tenant,
 * gen_write.c writes it as .bcl, gen_requests.c makes requests against it): the seeded
 * random numbers, the tenant's layout in memory, the user attribute values. Not for the
 * benchmark driver, which sees gen.h only. */
#ifndef BENCH_GEN_INT_H
#define BENCH_GEN_INT_H
#include "gen.h"
#include "arena.h"
#include <stdint.h>

#define NONE UINT32_MAX
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- randomness: splitmix64, the same on every platform ---- */

struct rng {
	uint64_t s;
};

static inline uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

static inline uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rnd(r) >> 32) * (uint64_t)n) >> 32);
}

static inline double unit(struct rng *r)
{
	return (double)(rnd(r) >> 11) * 0x1p-53;
}

static inline int chance(struct rng *r, double p)
{
	return unit(r) < p;
}

/* Index below n, small ones far more likely (P(i < k) = sqrt(k / n)): popular values. */
static inline uint32_t skewed(struct rng *r, uint32_t n)
{
	double u = unit(r);
	uint32_t i = (uint32_t)(u * u * n);
	return i < n ? i : n - 1;
}

/* Index of a weight, with probability proportional to it. */
static inline uint32_t weighted(struct rng *r, const unsigned *w, uint32_t n)
{
	unsigned total = 0, x;
	for (uint32_t i = 0; i < n; i++)
		total += w[i];
	x = below(r, total);
	for (uint32_t i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* The 200 user attribute values: kind, attribute, values. */
struct value_set {
	const char *kind;          /* the atom word */
	const char *attr;          /* saml and scim only */
	const char *const *values;
	uint32_t n;
	unsigned rule_weight;      /* how often rules test it */
};

enum { V_DEPT, V_ETYPE, V_TITLE, V_COST, V_LOC, V_GROUP, V_IDP, V_PLATFORM, V_COUNTRY,
       V_POSTURE, V_COUNT };
extern const struct value_set gen_value_sets[V_COUNT];

#define GEN_NTLDS 6
#define GEN_NSEG_WORDS 30
extern const char *const gen_tlds[GEN_NTLDS];   /* com, net and io first */
extern const char *const gen_seg_words[GEN_NSEG_WORDS];

/* ---- the tenant in memory ---- */

struct range {
	uint16_t lo, hi;
};

struct gnode {                 /* an internal name: may have children, a wildcard, itself */
	const char *name;
	uint32_t parent;           /* NONE for zones */
	uint32_t wild;             /* pattern index of "*.name", or NONE */
	uint8_t depth;             /* labels */
};

enum { P_LEAF, P_SELF, P_WILD };
struct gpat {                  /* a host pattern */
	const char *text;
	uint32_t node;             /* P_LEAF: its parent node; else the node itself */
	uint32_t seg, sibling;     /* owning segment; a sibling sharing it, or NONE */
	uint8_t kind;
};

struct gpfx {
	uint8_t family, len;
	uint8_t net[16];
	const char *text;
	uint32_t seg;
};

struct gseg {
	const char *name;
	uint32_t group;
	uint8_t inclusive, bypass; /* bypass: 0 never, 1 always, 2 on_net */
	uint8_t ntcp, nudp;
	struct range tcp[4], udp[3];
	uint32_t host_first, nhosts;   /* a run of tenant.order */
	uint32_t addr_first, naddrs;   /* a run of tenant.pfx */
	uint32_t primary;              /* siblings: the segment whose patterns it shares */
	uint32_t *shared, nshared;     /* siblings: pattern indexes */
};

struct nameset {
	const char **keys;
	uint32_t cap, n;
};

struct gen_tenant {
	struct gen_params p;
	struct arena a;
	struct nameset names;          /* every host pattern and node name, every prefix */
	const char *tenant;

	struct gnode *nodes;
	uint32_t nnodes, nzones;
	struct gpat *pats;
	uint32_t npats, nexact;
	uint32_t *order;               /* host patterns in tree order (segments take runs) */
	struct gpfx *pfx;              /* sorted by family, network, length */
	uint32_t npfx, npfx4, nnested;
	struct gseg *segs;
	uint32_t nsegs, nprimary, ngroups;
	const char **groups;
	struct bcp_user_info *users;
	uint32_t max_labels;
	int failed;
};

#endif
