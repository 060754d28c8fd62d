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

#if defined(__GNUC__) && !defined(_WIN32)
#define BCPI_HIDDEN __attribute__((visibility("hidden")))
#else
#define BCPI_HIDDEN   /* a DLL exports only what BCP_API marks */
#endif
#if defined(__GNUC__)
#if defined(__MINGW32__)
#define BCPI_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#else
#define BCPI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif
#define BCPI_PREFETCH(p) __builtin_prefetch(p)
#else
#define BCPI_PRINTF(f, a)
#define BCPI_PREFETCH(p) ((void)(p))
#endif

/* The index of the lowest set bit of a nonzero word. */
#if defined(__GNUC__)
#define bcpi_ctz32(x) ((unsigned)__builtin_ctz(x))
#define bcpi_ctz64(x) ((unsigned)__builtin_ctzll(x))
#elif defined(_MSC_VER)
#include <intrin.h>
static __inline unsigned bcpi_ctz32(uint32_t x)
{
	unsigned long i;
	_BitScanForward(&i, x);
	return (unsigned)i;
}
static __inline unsigned bcpi_ctz64(uint64_t x)
{
	unsigned long i;
	_BitScanForward64(&i, x);
	return (unsigned)i;
}
#else
static inline unsigned bcpi_ctz64(uint64_t x)
{
	unsigned i = 0;
	for (; !(x & 1); x >>= 1)
		i++;
	return i;
}
#define bcpi_ctz32(x) bcpi_ctz64((uint32_t)(x))
#endif

#include "os.h"

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

/* Prefix length hints (hints.c): for one level (lo, hi] and one value of an
 * address's first lo bits, the lengths in (lo, hi] that some prefix has. */
#define BCPI_HINT_LEVELS 5
struct bcpi_hints {
	struct { uint64_t key, mask; } *t;   /* mask 0: an empty slot; NULL: none */
	uint32_t mask;                       /* slots - 1, slots a power of two */
};

struct bcp_blob {
	const uint8_t *data;           /* the whole blob, read-only: owned, below */
	size_t size;
	void *owned;                   /* the private copy data points into; freed at close */

	/* Header (checklist #1..#7). */
	uint16_t format_version;
	uint64_t serial;
	int64_t not_before, not_after, created;
	uint8_t pubkey[32];
	char thumbprint[45];
	/* Opened with BCP_OPEN_EXPIRED_DENIES past not_after, or with
	 * BCP_OPEN_NOT_YET_VALID_DENIES before not_before: every decision denies. */
	int expired, not_yet_valid;

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

	/* Built at open from addr4 and addr6 (hints.c): IPv4 levels, then IPv6. */
	struct bcpi_hints hints[BCPI_HINT_LEVELS];

	/* Decoded msgpack sections (#19), owned by settings_zone. */
	void *settings_zone;           /* a msgpack_zone */
	const char *tenant;
	struct bcp_settings settings;
	struct bcpi_profile_settings *profile_settings;   /* nprofiles entries */
};

struct bcp_user {
	const bcp_blob *blob;
	struct bcp_allocator alloc;    /* what bcp_bind_with took it from; frees it */
	int has_trusted_network;
	int32_t profile;               /* -1: none */
	uint32_t winner[];             /* per segment: first rule that holds and applies */
};

/* ---- errors (open.c) ---- */

/* Fills err (when not NULL) with code and "status text: formatted details"; returns
 * code, so callers can write `return bcpi_fail(err, BCP_E_X, "...", ...)`. */
BCPI_HIDDEN enum bcp_status bcpi_fail(struct bcp_error *err, enum bcp_status code,
	const char *fmt, ...) BCPI_PRINTF(3, 4);
/* Fills err (when not NULL) with BCP_OK and "ok". */
BCPI_HIDDEN void bcpi_ok(struct bcp_error *err);

/* bcp_open_file for the file name in the folder d, never following a symbolic
 * link (one is BCP_E_IO); a file not ours or not owner-only is BCP_E_STATE
 * (bcpi_check_owner). opts and out must not be NULL. */
BCPI_HIDDEN enum bcp_status bcpi_open_at(const bcpi_dir *d, const char *name,
	const struct bcp_open_opts *opts, bcp_blob **out, struct bcp_error *err);

/* ---- the state folder (state.c; install.c writes it) ---- */

#define BCPI_CURRENT "current.bcp"
#define BCPI_PREVIOUS "previous.bcp"
#define BCPI_TRUST "trust"
#define BCPI_STATE "state"
/* The most thumbprints a trust file holds (bcp_install_opts says 1..16). */
#define BCPI_MAX_TRUST 16

/* The state file. present is 0 when there was none (everything else is 0 then). */
struct bcpi_state {
	int present;
	uint64_t highest_serial, current_serial, previous_serial;
	int64_t latest_time;
};

/* The trust file: n well-formed thumbprints, and pointers to them for open opts. */
struct bcpi_trust {
	size_t n;
	char tp[BCPI_MAX_TRUST][45];
	const char *ptr[BCPI_MAX_TRUST];
};

/* Hook of bcp_install_opts; called after each write, fsync and rename. */
struct bcpi_hook {
	void (*fn)(void *ctx, const char *step);
	void *ctx;
};

/* BCP_OK when fi (a judged stat of the state folder or one of its files, named
 * what) says it belongs to this process's account and no other account may read
 * or change it (POSIX: the effective uid, no group or other permission bits;
 * Windows: the DACL, os_win.c); else BCP_E_STATE naming what and why. Anything
 * else was made, or can be changed, by another account. */
BCPI_HIDDEN enum bcp_status bcpi_check_owner(const struct bcpi_finfo *fi, const char *what,
	struct bcp_error *err);
/* bcpi_check_owner for each of the folder's four files that exists as a regular
 * file: the installer and bcp_open_state refuse a folder holding one that is not
 * ours or not owner-only, even one they would not read this time. */
BCPI_HIDDEN enum bcp_status bcpi_check_files(const bcpi_dir *d, struct bcp_error *err);
/* max(now, latest - BCP_CLOCK_TOLERANCE), without overflow. */
BCPI_HIDDEN int64_t bcpi_effective_now(int64_t now, int64_t latest);
/* Opens the folder dir (following a symbolic link to it) read-only; returns it, or
 * NULL with err: BCP_E_STATE when it is missing, not a folder, unreadable, or not
 * ours and owner-only (bcpi_check_owner). missing (if not NULL) is set to 1 when it
 * does not exist. */
BCPI_HIDDEN bcpi_dir *bcpi_dir_open(const char *dir, int *missing, struct bcp_error *err);
/* Reads the state file; a missing one gives present = 0 and zeros. Anything but
 * the four lines bcpi_state_format writes is BCP_E_STATE. */
BCPI_HIDDEN enum bcp_status bcpi_state_read(const bcpi_dir *d, struct bcpi_state *st,
	struct bcp_error *err);
/* The state file's text, into buf (at least BCPI_STATE_TEXT_MAX bytes); its length. */
#define BCPI_STATE_TEXT_MAX 160
BCPI_HIDDEN size_t bcpi_state_format(const struct bcpi_state *st, char *buf);
/* Reads the trust file: 1..16 lines, each one thumbprint and '\n'. A missing or
 * empty file, or anything else in it, is BCP_E_STATE. */
BCPI_HIDDEN enum bcp_status bcpi_trust_read(const bcpi_dir *d, struct bcpi_trust *t,
	struct bcp_error *err);
/* Writes len bytes to the new file tmp in the folder (bcpi_os_create_private:
 * exclusive, owner-only whatever the umask), then fsyncs it; hook steps "write TMP", "fsync TMP". On failure
 * removes tmp. BCP_OK or BCP_E_STATE. */
BCPI_HIDDEN enum bcp_status bcpi_tmp_write(const bcpi_dir *d, const char *tmp, const void *data,
	size_t len, const struct bcpi_hook *h, struct bcp_error *err);
/* Renames tmp over name, then fsyncs the folder; hook steps "rename NAME", "fsync
 * folder (NAME)". On a failed rename removes tmp. BCP_OK or BCP_E_STATE. */
BCPI_HIDDEN enum bcp_status bcpi_tmp_commit(const bcpi_dir *d, const char *tmp, const char *name,
	const struct bcpi_hook *h, struct bcp_error *err);
/* fsync of the folder; BCP_OK or BCP_E_STATE. */
BCPI_HIDDEN enum bcp_status bcpi_dir_sync(const bcpi_dir *d, struct bcp_error *err);
/* Runs the hook, if any, with the step fmt (one %s: name). */
BCPI_HIDDEN void bcpi_step(const struct bcpi_hook *h, const char *fmt, const char *name);
/* BCP_E_STATE with "what name: the system's words". */
BCPI_HIDDEN enum bcp_status bcpi_state_os(struct bcp_error *err, const char *what,
	const char *name, const struct bcpi_oserr *e);

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

/* ---- decide.c ---- */

/* A plain IPv6 literal (hex groups, at most one "::", no IPv4 tail): 1 and the
 * address, or 0 for anything else, which bcpi_os_parse_ipv6 then judges. */
BCPI_HIDDEN int bcpi_parse_ipv6_plain(const char *s, size_t len, uint8_t out[16]);

/* ---- inet6.c ---- */

/* An IPv6 literal as glibc's inet_pton(AF_INET6) reads it: 1 and the address, or 0. */
BCPI_HIDDEN int bcpi_inet_pton6(const char *s, uint8_t out[16]);

/* ---- prefix length hints (hints.c) ---- */

/* Builds b's hints from its verified address tables: BCP_OK or BCP_E_NOMEM. */
BCPI_HIDDEN enum bcp_status bcpi_hints_build(bcp_blob *b, struct bcp_error *err);
/* Frees them; safe on a blob they were never built for. */
BCPI_HIDDEN void bcpi_hints_free(bcp_blob *b);
/* The prefix lengths that may hold an address: bit L set for length L. */
BCPI_HIDDEN uint64_t bcpi_lengths4_unchecked(const bcp_blob *b, uint32_t addr);
BCPI_HIDDEN void bcpi_lengths6_unchecked(const bcp_blob *b, const uint8_t addr[16],
	uint64_t out[3]);

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
	return bcpi_str_unchecked(b, bcpf_segment_name(bcpi_segment_unchecked(b, i)));
}
static inline const char *bcpi_rule_name_unchecked(const bcp_blob *b, uint32_t i)
{
	return bcpi_str_unchecked(b, bcpf_rule_name(bcpi_rule_unchecked(b, i)));
}
static inline const char *bcpi_profile_name_unchecked(const bcp_blob *b, uint32_t i)
{
	return bcpi_str_unchecked(b, bcpf_profile_name(bcpi_profile_unchecked(b, i)));
}

/* The slot a probe examines after slot (probes wrap at the end of the table). */
static inline uint32_t bcpi_next_slot(uint32_t slot, uint32_t nslots)
{
	return slot + 1 == nslots ? 0 : slot + 1;
}
#endif
