/* gen.h - seeded synthetic tenants for the benchmark: a realistic policy of a given
 * number of host name patterns, written as .bcl files, the users that bind to it and
 * a mix of requests against it.
 *
 * Everything is derived from the seed alone: the same parameters give the same
 * files, users and requests byte for byte, on any machine. The generator knows what
 * it meant each request to hit, but it decides nothing: the benchmark takes its
 * answers from the reference evaluator, never from here. */
#ifndef BENCH_GEN_H
#define BENCH_GEN_H
#include <stddef.h>
#include <stdint.h>
#include "bcp.h"

struct gen_params {
	uint64_t seed;
	uint32_t patterns;        /* host name patterns: 80% exact names, 20% wildcards */
	uint32_t segments;        /* wanted; fewer when patterns + prefixes run short */
	uint32_t groups;
	uint32_t rules;
	uint32_t users;           /* the pool of users requests come from */
};

/* The defaults of docs/BENCHMARKS.md: 6,000 segments, 200 groups, 2,000 rules,
 * 100 users, seed 1. */
void gen_defaults(struct gen_params *p, uint32_t patterns);

struct gen_tenant;

/* What was generated. */
struct gen_stats {
	uint32_t host_patterns, exact, wildcards;
	uint32_t prefixes4, prefixes6, nested_prefixes;
	uint32_t segments, segments_wanted, shared_segments;   /* shared: siblings on a pattern */
	uint32_t groups, rules, profiles, users;
	uint32_t user_values;     /* distinct user attribute values the rules draw from */
	uint32_t max_labels;      /* deepest host pattern, in labels */
};

/* Builds the tenant in memory. NULL when out of memory. */
struct gen_tenant *gen_tenant_new(const struct gen_params *p);
void gen_tenant_free(struct gen_tenant *t);
void gen_tenant_stats(const struct gen_tenant *t, struct gen_stats *out);

/* Writes the policy as dir/stem.bcl when it fits one file of max_file bytes, else as
 * dir/stem-1.bcl, dir/stem-2.bcl, ... each below max_file (statements are never
 * split; the files compile together, in order, as one policy). *paths gets a
 * malloc'd array of *npaths malloc'd paths. Returns 0, or -1 with errno set. */
int gen_write(const struct gen_tenant *t, const char *dir, const char *stem, size_t max_file,
	      char ***paths, int *npaths, size_t *bytes);

/* User i of the pool (0 <= i < users), as a client would hand it to bcp_bind. Owned
 * by the tenant. */
const struct bcp_user_info *gen_user(const struct gen_tenant *t, uint32_t i);

/* What a request was made to exercise. */
#define GEN_KINDS(X) \
	X(GEN_EXACT, "exact") \
	X(GEN_WILD, "wildcard") \
	X(GEN_MISS_NAME, "miss_name") \
	X(GEN_MISS_ADDR, "miss_addr") \
	X(GEN_ADDR4, "addr4") \
	X(GEN_ADDR6, "addr6") \
	X(GEN_PORT_MISS, "port_miss")

enum gen_kind {
#define GEN_KIND_ENUM_(e, s) e,
	GEN_KINDS(GEN_KIND_ENUM_)
#undef GEN_KIND_ENUM_
	GEN_NKINDS
};
extern const char *const gen_kind_names[GEN_NKINDS];

struct gen_request {
	char host[256];           /* NUL-terminated */
	uint8_t hostlen;
	uint16_t port;
	enum bcp_proto proto;
	enum gen_kind kind;
	uint32_t user;            /* index into the user pool */
};

/* Fills out[0..n) with a seeded mix of requests: hits on exact names, hits through
 * wildcards one to four labels up, name misses, address misses, IPv4 and IPv6 hits,
 * and port misses. The same seed gives the same requests. */
void gen_requests(const struct gen_tenant *t, uint64_t seed, struct gen_request *out, size_t n);
#endif
