/* internal.h - what the runtime's files share and no client sees: the open blob's
 * layout (views into verified sections), the bound user, and the hidden helpers.
 *
 * Everything named *_unchecked reads the blob without bounds checks. It is correct
 * only on a blob that passed bcpi_verify_structure() (docs/FORMAT.md checklist
 * #8..#19): never call one before open has finished verifying. */
#ifndef BCP_INTERNAL_H
#define BCP_INTERNAL_H
#include "bcp.h"
#include "bcp_format.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define BCPI_HIDDEN __attribute__((visibility("hidden")))
#define BCPI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define BCPI_HIDDEN
#define BCPI_PRINTF(f, a)
#endif

/* Longest host the decision accepts: 253 bytes, one trailing dot. */
#define BCPI_HOST_MAX 253
/* At most one segment per pattern: 128 host patterns (exact, 126 wildcards, "*")
 * or 129 address prefixes (/128 .. /0). */
#define BCPI_MAX_S 129

/* An open-addressing table of the format (FORMAT.md "Hashing"). */
struct bcpi_hash {
	uint32_t nslots, max_probe;
	uint64_t seed;
	const uint8_t *slots;
};

/* The settings of one app profile, decoded from profile_settings. */
struct bcpi_profile_settings {
	struct bcp_setting *items;
	size_t n;
};

struct bcp_blob {
	const uint8_t *data;           /* the whole blob, read-only */
	size_t size;
	void *map;                     /* non-NULL when bcp_open_file mapped it */
	size_t map_len;

	/* Header (checklist #1..#7). */
	uint16_t format_version;
	uint64_t serial;
	int64_t not_before, not_after, created;
	uint8_t pubkey[32];
	char thumbprint[45];

	/* Sections by id (1..17), as the directory says (#8). */
	const uint8_t *sec[BCPF_NSECTIONS + 1];
	size_t sec_len[BCPF_NSECTIONS + 1];

	/* Views filled by the structural pass; record arrays start after their headers. */
	const uint8_t *strings;
	size_t strings_len;
	const uint8_t *nodes;
	uint32_t nnodes, max_depth;
	struct bcpi_hash host_index;
	struct bcpi_hash addr4, addr6;
	uint64_t lenmask4, lenmask6[3];
	const uint8_t *seglists;
	uint32_t nseglists;            /* u32 words */
	const uint8_t *segments;
	uint32_t nsegments;
	const uint8_t *ports;
	uint32_t nports;
	const uint8_t *groups;
	uint32_t ngroups;
	const uint8_t *preds;
	uint32_t npreds;
	struct bcpi_hash pred_index;
	const uint8_t *clauses;
	uint32_t nclauses;
	const uint8_t *clause_preds;
	uint32_t nclause_preds;
	const uint8_t *rules;
	uint32_t nrules;
	const uint8_t *rule_segs;
	uint32_t nrule_segs;
	const uint8_t *profiles;
	uint32_t nprofiles;
	uint32_t nhost_patterns, naddr_patterns;

	/* Decoded msgpack sections (#19), owned by settings_zone. */
	void *settings_zone;           /* a msgpack_zone */
	const char *tenant;
	struct bcp_settings settings;
	struct bcpi_profile_settings *profile_settings;   /* nprofiles entries */
};

struct bcp_user {
	const bcp_blob *blob;
	int has_trusted_network;
	int32_t profile;               /* -1: none */
	uint32_t winner[];             /* per segment: first rule that holds and applies */
};

/* ---- errors (open.c) ---- */

/* Fills err (when not NULL) with code and "status text: formatted details"; returns
 * code, so callers can write `return bcpi_fail(err, BCP_E_X, "...", ...)`. */
BCPI_HIDDEN enum bcp_status bcpi_fail(struct bcp_error *err, enum bcp_status code,
	const char *fmt, ...) BCPI_PRINTF(3, 4);

/* ---- the structural pass (verify.c) ---- */

/* Checklist #8..#18 over a blob whose header, signature and validity were checked;
 * fills the views of b. Allocates only scratch memory, freed before it returns.
 * Returns BCP_OK, BCP_E_STRUCTURE or BCP_E_NOMEM. */
BCPI_HIDDEN enum bcp_status bcpi_verify_structure(bcp_blob *b, struct bcp_error *err);

/* ---- the msgpack sections (settings.c) ---- */

/* Checklist #19: decodes settings and profile_settings into memory owned by b.
 * On failure frees what it made. Returns BCP_OK, BCP_E_STRUCTURE or BCP_E_NOMEM. */
BCPI_HIDDEN enum bcp_status bcpi_settings_decode(bcp_blob *b, struct bcp_error *err);
/* Frees what bcpi_settings_decode made; safe on a blob it never ran on. */
BCPI_HIDDEN void bcpi_settings_free(bcp_blob *b);

/* ---- accessors of a verified blob ---- */

/* The bytes of string record ref (NUL-terminated inside the blob) and its length. */
static inline const char *bcpi_str_unchecked(const bcp_blob *b, uint32_t ref)
{
	return (const char *)b->strings + ref + 2;
}
static inline uint16_t bcpi_strlen_unchecked(const bcp_blob *b, uint32_t ref)
{
	return bcpf_u16(b->strings + ref);
}
static inline const uint8_t *bcpi_node_unchecked(const bcp_blob *b, uint32_t i)
{
	return b->nodes + (size_t)i * BCPF_NODE_SIZE;
}
static inline const uint8_t *bcpi_segment_unchecked(const bcp_blob *b, uint32_t i)
{
	return b->segments + (size_t)i * BCPF_SEGMENT_SIZE;
}
static inline const uint8_t *bcpi_pred_unchecked(const bcp_blob *b, uint32_t i)
{
	return b->preds + (size_t)i * BCPF_PRED_SIZE;
}
static inline const uint8_t *bcpi_clause_unchecked(const bcp_blob *b, uint32_t i)
{
	return b->clauses + (size_t)i * BCPF_CLAUSE_SIZE;
}
static inline const uint8_t *bcpi_rule_unchecked(const bcp_blob *b, uint32_t i)
{
	return b->rules + (size_t)i * BCPF_RULE_SIZE;
}
static inline const uint8_t *bcpi_profile_unchecked(const bcp_blob *b, uint32_t i)
{
	return b->profiles + (size_t)i * BCPF_PROFILE_SIZE;
}
/* Word i of a u32 array section (seglists, clause_preds, rule_segs). */
static inline uint32_t bcpi_word_unchecked(const uint8_t *words, uint32_t i)
{
	return bcpf_u32(words + (size_t)i * 4);
}
/* Name of segment i, rule i, profile i. */
static inline const char *bcpi_segment_name_unchecked(const bcp_blob *b, uint32_t i)
{
	return bcpi_str_unchecked(b, bcpf_u32(bcpi_segment_unchecked(b, i)));
}
static inline const char *bcpi_rule_name_unchecked(const bcp_blob *b, uint32_t i)
{
	return bcpi_str_unchecked(b, bcpf_u32(bcpi_rule_unchecked(b, i)));
}
static inline const char *bcpi_profile_name_unchecked(const bcp_blob *b, uint32_t i)
{
	return bcpi_str_unchecked(b, bcpf_u32(bcpi_profile_unchecked(b, i)));
}

/* The slot a probe examines after slot (probes wrap at the end of the table). */
static inline uint32_t bcpi_next_slot(uint32_t slot, uint32_t nslots)
{
	return slot + 1 == nslots ? 0 : slot + 1;
}
#endif
