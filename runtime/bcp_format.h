/* bcp_format.h - the blob format's constants and fixed layouts, shared by the
 * compiler (which writes them) and the runtime (which verifies and reads them).
 * docs/FORMAT.md is the specification; this file must agree with it.
 * All integers are little-endian; offsets are from the start of the blob.
 * Read fields with the bcpf_* helpers (memcpy), never by casting pointers. */
#ifndef BCP_FORMAT_H
#define BCP_FORMAT_H
#include <stdint.h>
#include <string.h>

#define BCPF_MAGIC "\x89" "BCP\r\n\x1a\n"   /* 8 bytes, catches text-mode damage */
#define BCPF_VERSION 3
#define BCPF_HEADER_SIZE 128
#define BCPF_DIRENT_SIZE 24
#define BCPF_SIG_SIZE 64
#define BCPF_ALIGN 8
#define BCPF_NONE 0xFFFFFFFFu        /* no string, no segment, no rule */
#define BCPF_SEGLIST 0x80000000u     /* segref: index into SEGLISTS, not a segment */
#define BCPF_MAX_BLOB (1u << 30)     /* the runtime refuses larger blobs */
/* The two msgpack sections together hold at most one value per 8 bytes of the blob
 * and 65,536 more (checklist #19): msgpack-c spends 24 bytes on each value it
 * decodes, so its tree stays within 3 times the blob's size and 1.5 MiB. */
#define BCPF_MSGPACK_BYTES_PER_VALUE 8
#define BCPF_MSGPACK_SPARE_VALUES 65536

/* Header field offsets. */
enum {
	BCPF_H_MAGIC = 0, BCPF_H_VERSION = 8, BCPF_H_HEADER_SIZE = 10, BCPF_H_NSECTIONS = 12,
	BCPF_H_TOTAL = 16, BCPF_H_SERIAL = 24, BCPF_H_NOT_BEFORE = 32, BCPF_H_NOT_AFTER = 40,
	BCPF_H_CREATED = 48, BCPF_H_PUBKEY = 56, BCPF_H_FLAGS = 88, BCPF_H_RESERVED = 92,
};

/* Sections, in the order they appear in the directory and in the blob. */
#define BCPF_SECTIONS(X) \
	X(STRINGS, 1, "strings") \
	X(HOST_NODES, 2, "host_nodes") \
	X(HOST_INDEX, 3, "host_index") \
	X(ADDR4, 4, "addr4") \
	X(ADDR6, 5, "addr6") \
	X(SEGLISTS, 6, "seglists") \
	X(SEGMENTS, 7, "segments") \
	X(PORTS, 8, "ports") \
	X(GROUPS, 9, "groups") \
	X(PREDICATES, 10, "predicates") \
	X(CLAUSES, 11, "clauses") \
	X(CLAUSE_PREDS, 12, "clause_preds") \
	X(RULES, 13, "rules") \
	X(RULE_SEGS, 14, "rule_segs") \
	X(PROFILES, 15, "profiles") \
	X(SETTINGS, 16, "settings") \
	X(PROFILE_SETTINGS, 17, "profile_settings")

enum bcpf_section {
#define BCPF_SEC_ENUM_(name, id, text) BCPF_S_##name = id,
	BCPF_SECTIONS(BCPF_SEC_ENUM_)
#undef BCPF_SEC_ENUM_
	BCPF_NSECTIONS = 17
};

/* Record sizes (bytes) and the size of each table section's own header. */
enum {
	BCPF_TABLE_HDR = 8,          /* u32 count, u32 reserved */
	BCPF_NODE_SIZE = 16,         /* u32 parent, u32 label, u32 exact, u32 wild */
	BCPF_HASH_HDR = 16,          /* u32 nslots, u32 max_probe, u64 seed */
	BCPF_HOST_SLOT = 8,          /* u32 node, u32 tag */
	BCPF_ADDR4_HDR = 32,         /* hash hdr, u64 lenmask, u64 reserved */
	BCPF_ADDR4_SLOT = 12,        /* u32 addr, u32 segref, u8 len, u8 used, u16 0 */
	BCPF_ADDR6_HDR = 48,         /* hash hdr, u64 lenmask[3], u64 reserved */
	BCPF_ADDR6_SLOT = 24,        /* u8 addr[16], u32 segref, u8 len, u8 used, u16 0 */
	BCPF_SEGMENT_SIZE = 20,      /* u32 name, group, ports; u16 ntcp, nudp; u8 match, bypass; u16 0 */
	BCPF_PORT_SIZE = 4,          /* u16 lo, u16 hi */
	BCPF_PRED_HDR = 24,          /* u32 count, nslots, max_probe, reserved; u64 seed */
	BCPF_PRED_SIZE = 12,         /* u8 kind, u8[3] 0, u32 attr, u32 value */
	BCPF_CLAUSE_SIZE = 8,        /* u32 first, u16 n, u8 negated, u8 0 */
	BCPF_RULE_SIZE = 20,         /* u32 name, clauses; u16 nclauses; u8 allow, all; u32 segs, nsegs */
	BCPF_PROFILE_SIZE = 12,      /* u32 name, clauses; u16 nclauses, u16 0 */
	BCPF_MAX_PROBE = 64,         /* the verifier refuses a larger max_probe */
	BCPF_MAX_DEPTH = 127,        /* labels in a host name */
};

/* Predicate kinds (user attributes an atom can test). */
enum bcpf_pred_kind {
	BCPF_P_SAML = 1, BCPF_P_SCIM, BCPF_P_SCIM_GROUP, BCPF_P_IDP, BCPF_P_PLATFORM,
	BCPF_P_CLIENT_TYPE, BCPF_P_POSTURE, BCPF_P_TRUSTED_NETWORK, BCPF_P_COUNTRY,
	BCPF_P_MAX = BCPF_P_COUNTRY
};

static inline uint16_t bcpf_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t bcpf_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t bcpf_u64(const uint8_t *p)
{
	return (uint64_t)bcpf_u32(p) | (uint64_t)bcpf_u32(p + 4) << 32;
}
static inline void bcpf_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void bcpf_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline void bcpf_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The one hash of the format (FORMAT.md, "Hashing"): FNV-1a 64 over the bytes,
 * started from seed ^ (tag * 0x9E3779B97F4A7C15), multiplied by 0x9E3779B97F4A7C15,
 * then folded; the slot is (fold * nslots) >> 32. Callers hash the key's parts in the order FORMAT.md gives. */
static inline uint64_t bcpf_hash_start(uint64_t seed, uint64_t tag)
{
	return (seed ^ (tag * 0x9E3779B97F4A7C15u)) | 1;
}
static inline uint64_t bcpf_hash_bytes(uint64_t h, const void *data, size_t n)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001B3u;
	return h;
}
static inline uint32_t bcpf_hash_slot(uint64_t h, uint32_t nslots)
{
	/* FNV's last multiply barely moves the high bits: mix once more before folding,
	 * or keys that differ only at the end (h1, h2, ...) share a home slot. */
	h *= 0x9E3779B97F4A7C15u;
	uint32_t fold = (uint32_t)(h ^ (h >> 32));
	return (uint32_t)(((uint64_t)fold * nslots) >> 32);
}
/* One 64-bit word into a hash: multiply, then fold the high half down. */
static inline uint64_t bcpf_hash_word(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9E3779B97F4A7C15u;
	return h ^ (h >> 32);
}

/* The host index's key (FORMAT.md, "Hashing"): the hash of a whole suffix, chained
 * from the root one label at a time: the root's is the table's seed, a node's is
 * bcpf_hash_suffix(its parent's, its label): the label's length times a constant
 * XORed in, then the label's words. A decision computes the keys of every
 * suffix of a name from the name alone, before it reads the blob, so its lookups at
 * each depth do not wait for each other. Labels go 8 bytes at a time, read
 * little-endian, the last word zero-padded; the length keeps
 * "abcdefgh" + "ij" apart from "abcdefghij". */
static inline uint64_t bcpf_hash_suffix(uint64_t h, const char *label, size_t len)
{
	const uint8_t *p = (const uint8_t *)label;
	size_t i = 0;

	h ^= (uint64_t)len * 0xFF51AFD7ED558CCDu;
	for (; i + 8 <= len; i += 8)
		h = bcpf_hash_word(h, bcpf_u64(p + i));
	if (i < len) {
		uint64_t w = 0;
		for (unsigned k = 0; i + k < len; k++)
			w |= (uint64_t)p[i + k] << (8 * k);
		h = bcpf_hash_word(h, w);
	}
	return h;
}
/* The tag a host index slot keeps beside its node: the high half of the key. */
static inline uint32_t bcpf_host_tag(uint64_t key)
{
	return (uint32_t)(key >> 32);
}

/* The address tables' keys: the prefix length, then the network as one (IPv4: the
 * address as a number) or two (IPv6: bytes 0..7 and 8..15, little-endian) words. */
static inline uint64_t bcpf_hash_addr4(uint64_t seed, unsigned len, uint32_t net)
{
	return bcpf_hash_word(bcpf_hash_start(seed, len), net);
}
static inline uint64_t bcpf_hash_addr6_words(uint64_t seed, unsigned len, uint64_t w0,
					     uint64_t w1)
{
	return bcpf_hash_word(bcpf_hash_word(bcpf_hash_start(seed, len), w0), w1);
}
static inline uint64_t bcpf_hash_addr6(uint64_t seed, unsigned len, const uint8_t net[16])
{
	return bcpf_hash_addr6_words(seed, len, bcpf_u64(net), bcpf_u64(net + 8));
}
#endif
