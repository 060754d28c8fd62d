/* verify.c - the structural pass over a blob whose header, signature, serial and
 * validity window have been checked: every offset, count, reference and reserved
 * field of docs/FORMAT.md checklist #8..#18, each cited where it is checked. It
 * fills the blob's views; after it, the *_unchecked accessors are safe.
 *
 * One pass: each section is walked once, each reference checked where it is read.
 * Bounds use the overflow-safe form `len > size || off > size - len`. Nothing here
 * interprets the policy: no decisions, no msgpack (settings.c does #19). */
#include "internal.h"
#include <stdlib.h>

#define DIR_END (BCPF_HEADER_SIZE + BCPF_NSECTIONS * BCPF_DIRENT_SIZE)

static const char *const section_name[BCPF_NSECTIONS + 1] = {
	"(none)",
#define BCPF_SEC_NAME_(name, id, text) text,
	BCPF_SECTIONS(BCPF_SEC_NAME_)
#undef BCPF_SEC_NAME_
};

/* A structural error: "malformed blob structure: <details> (FORMAT.md #n)". */
#define BAD(...) bcpi_fail(err, BCP_E_STRUCTURE, __VA_ARGS__)
#define TRY(x) do { enum bcp_status st_ = (x); if (st_ != BCP_OK) return st_; } while (0)

/* off + len <= size, without overflow. */
static int fits(uint64_t off, uint64_t len, uint64_t size)
{
	return !(len > size || off > size - len);
}

static uint64_t align_up(uint64_t n)
{
	return (n + (BCPF_ALIGN - 1)) & ~(uint64_t)(BCPF_ALIGN - 1);
}

/* A bitmap of n bits, zeroed; NULL when out of memory. */
static uint8_t *bitmap_new(uint64_t n)
{
	return calloc((size_t)(n / 8 + 1), 1);
}

static int bit_test_set(uint8_t *map, uint32_t i)
{
	uint8_t m = (uint8_t)(1u << (i & 7));
	int was = (map[i >> 3] & m) != 0;

	map[i >> 3] |= m;
	return was;
}

/* Scratch memory of the pass, freed in one place. */
struct scratch {
	uint8_t *seglist_ok;   /* seglists words where a verified list starts */
	uint8_t *seen;         /* records already met in a hash table's slots */
	uint8_t *depth;        /* host_nodes depths */
	uint8_t *label_ok;     /* strings offsets already checked as labels */
};

/* ---- #8 directory ---- */

static enum bcp_status zero_padding(const bcp_blob *b, uint64_t from, uint64_t to,
	struct bcp_error *err)
{
	uint64_t i;

	for (i = from; i < to; i++)
		if (b->data[i] != 0)
			return BAD("padding byte at offset %llu is 0x%02x, want 0 (FORMAT.md #8)",
				(unsigned long long)i, b->data[i]);
	return BCP_OK;
}

static enum bcp_status check_directory(bcp_blob *b, struct bcp_error *err)
{
	uint64_t end = DIR_END, sig = b->size - BCPF_SIG_SIZE, off, len;
	const uint8_t *e;
	uint32_t id;

	for (id = 1; id <= BCPF_NSECTIONS; id++) {
		e = b->data + BCPF_HEADER_SIZE + (size_t)(id - 1) * BCPF_DIRENT_SIZE;
		off = bcpf_dirent_offset(e);
		len = bcpf_dirent_length(e);
		if (bcpf_dirent_id(e) != id)
			return BAD("directory entry %u has id %u, want %u (FORMAT.md #8)",
				id - 1, bcpf_dirent_id(e), id);
		if (bcpf_dirent_reserved(e) != 0)
			return BAD("directory entry of %s: reserved field is not zero (FORMAT.md #8)",
				section_name[id]);
		if (off != align_up(end))
			return BAD("section %s starts at %llu, want %llu, the aligned end of what "
				"precedes it (FORMAT.md #8)", section_name[id],
				(unsigned long long)off, (unsigned long long)align_up(end));
		if (!fits(off, len, sig))
			return BAD("section %s (offset %llu, length %llu) runs past the signature "
				"at %llu (FORMAT.md #8)", section_name[id], (unsigned long long)off,
				(unsigned long long)len, (unsigned long long)sig);
		TRY(zero_padding(b, end, off, err));
		b->sec[id] = b->data + off;
		b->sec_len[id] = (size_t)len;
		end = off + len;
	}
	if (align_up(end) != sig)
		return BAD("signature at %llu, want %llu, the aligned end of the last section "
			"(FORMAT.md #8)", (unsigned long long)sig, (unsigned long long)align_up(end));
	return zero_padding(b, end, sig, err);
}

/* ---- #9 table headers and sizes ---- */

/* A section of hdr bytes, then count records of size bytes, then extra bytes. */
static enum bcp_status check_size(const bcp_blob *b, int id, size_t hdr, uint32_t count,
	size_t size, uint64_t extra, struct bcp_error *err)
{
	uint64_t want = hdr + (uint64_t)count * size + extra;

	if (b->sec_len[id] != want)
		return BAD("section %s is %zu bytes, but its header says %llu (FORMAT.md #9)",
			section_name[id], b->sec_len[id], (unsigned long long)want);
	return BCP_OK;
}

static enum bcp_status check_hdr_fits(const bcp_blob *b, int id, size_t hdr,
	struct bcp_error *err)
{
	if (b->sec_len[id] < hdr)
		return BAD("section %s is %zu bytes, shorter than its %zu-byte header (FORMAT.md #9)",
			section_name[id], b->sec_len[id], hdr);
	return BCP_OK;
}

/* "u32 count, u32 reserved", then count records of size bytes. */
static enum bcp_status table(const bcp_blob *b, int id, size_t size, const uint8_t **recs,
	uint32_t *count, struct bcp_error *err)
{
	const uint8_t *s = b->sec[id];

	TRY(check_hdr_fits(b, id, BCPF_TABLE_HDR, err));
	if (bcpf_table_hdr_reserved(s) != 0)
		return BAD("section %s: reserved header field is not zero (FORMAT.md #9)",
			section_name[id]);
	*count = bcpf_table_hdr_count(s);
	*recs = s + BCPF_TABLE_HDR;
	return check_size(b, id, BCPF_TABLE_HDR, *count, size, 0, err);
}

/* A section that is only u32 words (seglists, clause_preds, rule_segs) or 4-byte
 * records (ports). */
static enum bcp_status words(const bcp_blob *b, int id, const uint8_t **w, uint32_t *n,
	struct bcp_error *err)
{
	if (b->sec_len[id] % 4 != 0)
		return BAD("section %s is %zu bytes, not a multiple of 4 (FORMAT.md #9)",
			section_name[id], b->sec_len[id]);
	*w = b->sec[id];
	*n = (uint32_t)(b->sec_len[id] / 4);
	return BCP_OK;
}

/* The hash header "u32 nslots, u32 max_probe, u64 seed" at p; #13's limits. */
static enum bcp_status hash_header(const uint8_t *p, int id, struct bcpi_hash *h,
	struct bcp_error *err)
{
	h->nslots = bcpf_hash_hdr_nslots(p);
	h->max_probe = bcpf_hash_hdr_max_probe(p);
	h->seed = bcpf_hash_hdr_seed(p);
	if (h->nslots < 1 || h->max_probe > BCPF_MAX_PROBE || h->max_probe >= h->nslots)
		return BAD("section %s: nslots %u, max_probe %u; want nslots >= 1, "
			"max_probe <= %d and max_probe < nslots (FORMAT.md #13)", section_name[id],
			h->nslots, h->max_probe, BCPF_MAX_PROBE);
	return BCP_OK;
}

static enum bcp_status check_tables(bcp_blob *b, struct bcp_error *err)
{
	const uint8_t *s;

	/* strings: raw records; FORMAT.md section 1 starts it with the empty string. */
	b->strings = b->sec[BCPF_S_STRINGS];
	b->strings_len = b->sec_len[BCPF_S_STRINGS];
	if (b->strings_len < 3 || b->strings[0] || b->strings[1] || b->strings[2])
		return BAD("strings does not start with the empty string (FORMAT.md #10)");

	s = b->sec[BCPF_S_HOST_NODES];
	TRY(check_hdr_fits(b, BCPF_S_HOST_NODES, BCPF_NODES_HDR, err));
	b->nnodes = bcpf_nodes_hdr_count(s);
	b->max_depth = bcpf_nodes_hdr_max_depth(s);
	b->nodes = s + BCPF_NODES_HDR;
	TRY(check_size(b, BCPF_S_HOST_NODES, BCPF_NODES_HDR, b->nnodes, BCPF_NODE_SIZE, 0, err));

	s = b->sec[BCPF_S_HOST_INDEX];
	TRY(check_hdr_fits(b, BCPF_S_HOST_INDEX, BCPF_HASH_HDR, err));
	TRY(hash_header(s, BCPF_S_HOST_INDEX, &b->host_index, err));
	b->host_index.slots = s + BCPF_HASH_HDR;
	TRY(check_size(b, BCPF_S_HOST_INDEX, BCPF_HASH_HDR, b->host_index.nslots,
		BCPF_HOST_SLOT, 0, err));

	s = b->sec[BCPF_S_ADDR4];
	TRY(check_hdr_fits(b, BCPF_S_ADDR4, BCPF_ADDR4_HDR, err));
	TRY(hash_header(s, BCPF_S_ADDR4, &b->addr4, err));
	b->lenmask4 = bcpf_addr4_hdr_lenmask(s);
	if (bcpf_addr4_hdr_reserved(s) != 0)
		return BAD("addr4: reserved header field is not zero (FORMAT.md #9)");
	b->addr4.slots = s + BCPF_ADDR4_HDR;
	TRY(check_size(b, BCPF_S_ADDR4, BCPF_ADDR4_HDR, b->addr4.nslots, BCPF_ADDR4_SLOT, 0, err));

	s = b->sec[BCPF_S_ADDR6];
	TRY(check_hdr_fits(b, BCPF_S_ADDR6, BCPF_ADDR6_HDR, err));
	TRY(hash_header(s, BCPF_S_ADDR6, &b->addr6, err));
	b->lenmask6[0] = bcpf_addr6_hdr_lenmask0(s);
	b->lenmask6[1] = bcpf_addr6_hdr_lenmask1(s);
	b->lenmask6[2] = bcpf_addr6_hdr_lenmask2(s);
	if (bcpf_addr6_hdr_reserved(s) != 0)
		return BAD("addr6: reserved header field is not zero (FORMAT.md #9)");
	b->addr6.slots = s + BCPF_ADDR6_HDR;
	TRY(check_size(b, BCPF_S_ADDR6, BCPF_ADDR6_HDR, b->addr6.nslots, BCPF_ADDR6_SLOT, 0, err));

	TRY(words(b, BCPF_S_SEGLISTS, &b->seglists, &b->nseglists, err));
	TRY(table(b, BCPF_S_SEGMENTS, BCPF_SEGMENT_SIZE, &b->segments, &b->nsegments, err));
	TRY(words(b, BCPF_S_PORTS, &b->ports, &b->nports, err));
	TRY(table(b, BCPF_S_GROUPS, BCPF_GROUP_SIZE, &b->groups, &b->ngroups, err));

	s = b->sec[BCPF_S_PREDICATES];
	TRY(check_hdr_fits(b, BCPF_S_PREDICATES, BCPF_PRED_HDR, err));
	b->npreds = bcpf_pred_hdr_count(s);
	if (bcpf_pred_hdr_reserved(s) != 0)
		return BAD("predicates: reserved header field is not zero (FORMAT.md #9)");
	b->pred_index.nslots = bcpf_pred_hdr_nslots(s);
	b->pred_index.max_probe = bcpf_pred_hdr_max_probe(s);
	b->pred_index.seed = bcpf_pred_hdr_seed(s);
	if (b->pred_index.nslots < 1 || b->pred_index.max_probe > BCPF_MAX_PROBE ||
	    b->pred_index.max_probe >= b->pred_index.nslots)
		return BAD("predicates: nslots %u, max_probe %u; want nslots >= 1, max_probe <= %d "
			"and max_probe < nslots (FORMAT.md #13)", b->pred_index.nslots,
			b->pred_index.max_probe, BCPF_MAX_PROBE);
	b->preds = s + BCPF_PRED_HDR;
	TRY(check_size(b, BCPF_S_PREDICATES, BCPF_PRED_HDR, b->npreds, BCPF_PRED_SIZE,
		(uint64_t)b->pred_index.nslots * 4, err));
	b->pred_index.slots = b->preds + (size_t)b->npreds * BCPF_PRED_SIZE;

	TRY(table(b, BCPF_S_CLAUSES, BCPF_CLAUSE_SIZE, &b->clauses, &b->nclauses, err));
	TRY(words(b, BCPF_S_CLAUSE_PREDS, &b->clause_preds, &b->nclause_preds, err));
	TRY(table(b, BCPF_S_RULES, BCPF_RULE_SIZE, &b->rules, &b->nrules, err));
	TRY(words(b, BCPF_S_RULE_SEGS, &b->rule_segs, &b->nrule_segs, err));
	return table(b, BCPF_S_PROFILES, BCPF_PROFILE_SIZE, &b->profiles, &b->nprofiles, err);
}

/* ---- #10 strrefs, #11 segrefs ---- */

static int strref_ok(const bcp_blob *b, uint32_t ref)
{
	size_t n;

	if (ref >= b->strings_len || b->strings_len - ref < 3)
		return 0;
	n = bcpf_u16(b->strings + ref);
	if (n > b->strings_len - ref - 3)
		return 0;
	return b->strings[ref + 2 + n] == 0;
}

/* what and i name the record, field its field: "segment 3: name strref ...". */
static enum bcp_status check_strref(const bcp_blob *b, uint32_t ref, const char *what,
	uint32_t i, const char *field, struct bcp_error *err)
{
	if (!strref_ok(b, ref))
		return BAD("%s %u: %s strref %u is not a string record inside strings "
			"(FORMAT.md #10)", what, i, field, ref);
	return BCP_OK;
}

static enum bcp_status check_segref(const bcp_blob *b, struct scratch *sc, uint32_t ref,
	const char *what, uint32_t i, const char *field, struct bcp_error *err)
{
	uint32_t at, n, k;

	if (ref == BCPF_NONE)
		return BCP_OK;
	if (!(ref & BCPF_SEGLIST)) {
		if (ref >= b->nsegments)
			return BAD("%s %u: %s segment %u, but there are %u (FORMAT.md #11)", what,
				i, field, ref, b->nsegments);
		return BCP_OK;
	}
	at = ref & ~BCPF_SEGLIST;
	if (at < b->nseglists && (sc->seglist_ok[at >> 3] & (1u << (at & 7))))
		return BCP_OK;   /* a list met before: checked then */
	if (at >= b->nseglists)
		return BAD("%s %u: %s seglist at word %u, but seglists has %u words "
			"(FORMAT.md #11)", what, i, field, at, b->nseglists);
	n = bcpi_word_unchecked(b->seglists, at);
	if (n < 2 || n > b->nseglists - at - 1)
		return BAD("%s %u: %s seglist at word %u holds %u segments; want 2 or more, "
			"inside seglists (FORMAT.md #11)", what, i, field, at, n);
	for (k = 0; k < n; k++)
		if (bcpi_word_unchecked(b->seglists, at + 1 + k) >= b->nsegments)
			return BAD("%s %u: %s seglist at word %u names segment %u, but there are "
				"%u (FORMAT.md #11)", what, i, field, at,
				bcpi_word_unchecked(b->seglists, at + 1 + k), b->nsegments);
	bit_test_set(sc->seglist_ok, at);
	return BCP_OK;
}

/* ---- #12 host_nodes ---- */

/* The bytes a label may hold: [a-z0-9_-]. */
static const uint8_t label_byte[256] = {
	['-'] = 1, ['_'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
	['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
	['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
	['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
	['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

/* The label at strref label (already a valid strref): 1..63 bytes of [a-z0-9_-].
 * Nodes share labels, so each string is checked once. */
static enum bcp_status check_label(const bcp_blob *b, struct scratch *sc, uint32_t label,
	uint32_t i, struct bcp_error *err)
{
	uint32_t len = bcpi_strlen_unchecked(b, label), k;
	unsigned bad = 0;

	if (sc->label_ok[label >> 3] >> (label & 7) & 1)
		return BCP_OK;
	if (len < 1 || len > 63)
		return BAD("host node %u: label of %u bytes, want 1..63 (FORMAT.md #12)", i, len);
	for (k = 0; k < len; k++)
		bad |= !label_byte[b->strings[label + 2 + k]];
	if (bad)
		for (k = 0; k < len; k++)
			if (!label_byte[b->strings[label + 2 + k]])
				return BAD("host node %u: label byte 0x%02x is not one of [a-z0-9_-] "
					"(FORMAT.md #12)", i, b->strings[label + 2 + k]);
	bit_test_set(sc->label_ok, label);
	return BCP_OK;
}

static enum bcp_status check_nodes(bcp_blob *b, struct scratch *sc, struct bcp_error *err)
{
	const uint8_t *n;
	uint32_t i, parent, label;

	if (b->nnodes < 1)
		return BAD("host_nodes has no root node (FORMAT.md #12)");
	if (b->max_depth > BCPF_MAX_DEPTH)
		return BAD("host_nodes: max_depth %u is above %d (FORMAT.md #12)", b->max_depth,
			BCPF_MAX_DEPTH);
	if (!(sc->depth = malloc(b->nnodes)) || !(sc->label_ok = bitmap_new(b->strings_len)))
		return bcpi_fail(err, BCP_E_NOMEM, "cannot allocate the verifier's scratch memory");
	for (i = 0; i < b->nnodes; i++) {
		n = bcpi_node_unchecked(b, i);
		parent = bcpf_node_parent(n);
		label = bcpf_node_label(n);
		TRY(check_segref(b, sc, bcpf_node_exact(n), "host node", i, "exact segref", err));
		TRY(check_segref(b, sc, bcpf_node_wild(n), "host node", i, "wild segref", err));
		b->nhost_patterns += (bcpf_node_exact(n) != BCPF_NONE) +
			(bcpf_node_wild(n) != BCPF_NONE);
		if (i == 0) {
			if (parent != BCPF_NONE || label != BCPF_NONE)
				return BAD("host node 0 (the root) has a parent or a label (FORMAT.md #12)");
			sc->depth[0] = 0;
			continue;
		}
		if (parent >= i)
			return BAD("host node %u: parent %u is not below its index (FORMAT.md #12)",
				i, parent);
		TRY(check_strref(b, label, "host node", i, "label", err));
		TRY(check_label(b, sc, label, i, err));
		sc->depth[i] = (uint8_t)(sc->depth[parent] + 1);
		if (sc->depth[i] > b->max_depth)
			return BAD("host node %u has depth %u, above max_depth %u (FORMAT.md #12)", i,
				sc->depth[i], b->max_depth);
	}
	return BCP_OK;
}

/* ---- #13 index tables, #14 address tables ---- */

/* Slots of size bytes start with a u32 record index plus bias (1 for predicates; 0
 * for host_index, whose record 0, the root, is never indexed); 0 is empty. A host
 * slot's tag is not checked: a wrong one makes a lookup miss, never read astray. */
_Static_assert(BCPF_OFF(host_slot, node) == 0, "check_index reads a slot's record first");
static enum bcp_status check_index(const struct bcpi_hash *h, size_t size, uint32_t nrecords,
	uint32_t bias, int id, struct scratch *sc, struct bcp_error *err)
{
	uint32_t i, v;

	free(sc->seen);
	if (!(sc->seen = bitmap_new(nrecords)))
		return bcpi_fail(err, BCP_E_NOMEM, "cannot allocate the verifier's scratch memory");
	for (i = 0; i < h->nslots; i++) {
		v = bcpf_u32(h->slots + (size_t)i * size);
		if (v == 0)
			continue;
		if (v - bias >= nrecords)
			return BAD("%s slot %u refers to record %u, but there are %u (FORMAT.md #13)",
				section_name[id], i, v - bias, nrecords);
		if (bit_test_set(sc->seen, v - bias))
			return BAD("%s: record %u is in two slots (FORMAT.md #13)", section_name[id],
				v - bias);
	}
	return BCP_OK;
}

static int all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

/* addr4 (bytes 4) or addr6 (bytes 16): #14 and the segrefs (#11). */
static enum bcp_status check_addr(bcp_blob *b, struct scratch *sc, int id,
	struct bcp_error *err)
{
	const struct bcpi_hash *h = id == BCPF_S_ADDR4 ? &b->addr4 : &b->addr6;
	unsigned bytes = id == BCPF_S_ADDR4 ? 4 : 16;
	unsigned slot = id == BCPF_S_ADDR4 ? BCPF_ADDR4_SLOT : BCPF_ADDR6_SLOT, k;
	const uint8_t *s, *net;
	uint8_t net_be[16], len, used;
	uint32_t segref, reserved;
	uint64_t mask;
	uint32_t i;

	for (i = 0; i < h->nslots; i++) {
		s = h->slots + (size_t)i * slot;
		if (bytes == 4) {   /* a u32 holding the address as a big-endian number */
			uint32_t v = bcpf_addr4_slot_network(s);
			net_be[0] = (uint8_t)(v >> 24);
			net_be[1] = (uint8_t)(v >> 16);
			net_be[2] = (uint8_t)(v >> 8);
			net_be[3] = (uint8_t)v;
			net = net_be;
			len = bcpf_addr4_slot_len(s);
			used = bcpf_addr4_slot_used(s);
			reserved = bcpf_addr4_slot_reserved(s);
			segref = bcpf_addr4_slot_segref(s);
		} else {   /* the 16 bytes in network order */
			net = s + BCPF_OFF(addr6_slot, network_w0);
			len = bcpf_addr6_slot_len(s);
			used = bcpf_addr6_slot_used(s);
			reserved = bcpf_addr6_slot_reserved(s);
			segref = bcpf_addr6_slot_segref(s);
		}
		if (used > 1)
			return BAD("%s slot %u: used is %u, want 0 or 1 (FORMAT.md #14)",
				section_name[id], i, used);
		if (!used) {
			if (!all_zero(s, slot))
				return BAD("%s slot %u is unused but not all zero (FORMAT.md #14)",
					section_name[id], i);
			continue;
		}
		if (reserved != 0)
			return BAD("%s slot %u: reserved field is not zero (FORMAT.md #14)",
				section_name[id], i);
		if (len > bytes * 8)
			return BAD("%s slot %u: prefix length %u is above %u (FORMAT.md #14)",
				section_name[id], i, len, bytes * 8);
		for (k = 0; k < bytes; k++) {
			unsigned keep = len >= 8 * (k + 1) ? 8 : len > 8 * k ? len - 8 * k : 0;
			if (net[k] & (uint8_t)(0xFFu >> keep))
				return BAD("%s slot %u: bits set beyond the prefix length %u "
					"(FORMAT.md #14)", section_name[id], i, len);
		}
		mask = bytes == 4 ? b->lenmask4 : b->lenmask6[len / 64];
		if (!(mask >> (len % 64) & 1))
			return BAD("%s slot %u: length %u is not in lenmask (FORMAT.md #14)",
				section_name[id], i, len);
		TRY(check_segref(b, sc, segref, bytes == 4 ? "addr4 slot" :
			"addr6 slot", i, "segref", err));
		b->naddr_patterns++;
	}
	return BCP_OK;
}

/* ---- #15 segments, ports, groups ---- */

static enum bcp_status check_run(const bcp_blob *b, uint32_t seg, uint32_t first, uint32_t n,
	const char *proto, struct bcp_error *err)
{
	uint32_t k, lo, hi, prev_hi = 0;

	for (k = 0; k < n; k++) {
		const uint8_t *r = b->ports + (size_t)(first + k) * BCPF_PORT_SIZE;
		lo = bcpf_port_lo(r);
		hi = bcpf_port_hi(r);
		if (lo < 1 || lo > hi)
			return BAD("segment %u: %s port range %u-%u; want 1 <= lo <= hi (FORMAT.md #15)",
				seg, proto, lo, hi);
		if (k > 0 && lo <= prev_hi)
			return BAD("segment %u: %s port ranges not sorted or overlapping at %u-%u "
				"(FORMAT.md #15)", seg, proto, lo, hi);
		prev_hi = hi;
	}
	return BCP_OK;
}

static enum bcp_status check_segments(const bcp_blob *b, struct bcp_error *err)
{
	uint32_t i, ports, ntcp, nudp;
	const uint8_t *s;

	for (i = 0; i < b->ngroups; i++)
		TRY(check_strref(b, bcpf_group_name(b->groups + (size_t)i * BCPF_GROUP_SIZE), "group",
			i, "name", err));
	for (i = 0; i < b->nsegments; i++) {
		s = bcpi_segment_unchecked(b, i);
		ports = bcpf_segment_ports(s);
		ntcp = bcpf_segment_ntcp(s);
		nudp = bcpf_segment_nudp(s);
		TRY(check_strref(b, bcpf_segment_name(s), "segment", i, "name", err));
		if (bcpf_segment_group(s) >= b->ngroups)
			return BAD("segment %u: group %u, but there are %u (FORMAT.md #15)", i,
				bcpf_segment_group(s), b->ngroups);
		if (!fits(ports, (uint64_t)ntcp + nudp, b->nports))
			return BAD("segment %u: ports %u + %u + %u is beyond the %u port ranges "
				"(FORMAT.md #15)", i, ports, ntcp, nudp, b->nports);
		if (bcpf_segment_match(s) > 1 || bcpf_segment_bypass(s) > 2)
			return BAD("segment %u: match %u, bypass %u; want match <= 1, bypass <= 2 "
				"(FORMAT.md #15)", i, bcpf_segment_match(s), bcpf_segment_bypass(s));
		if (bcpf_segment_reserved(s) != 0)
			return BAD("segment %u: reserved field is not zero (FORMAT.md #15)", i);
		TRY(check_run(b, i, ports, ntcp, "tcp", err));
		TRY(check_run(b, i, ports + ntcp, nudp, "udp", err));
	}
	return BCP_OK;
}

/* ---- #16 predicates, #17 clauses ---- */

static enum bcp_status check_predicates(const bcp_blob *b, struct bcp_error *err)
{
	uint32_t i, attr, kind;
	const uint8_t *p;
	int wants_attr;

	for (i = 0; i < b->npreds; i++) {
		p = bcpi_pred_unchecked(b, i);
		kind = bcpf_pred_kind(p);
		attr = bcpf_pred_attr(p);
		if (kind < 1 || kind > BCPF_P_MAX)
			return BAD("predicate %u: kind %u, want 1..%d (FORMAT.md #16)", i, kind,
				BCPF_P_MAX);
		if (bcpf_pred_reserved1(p) || bcpf_pred_reserved2(p))
			return BAD("predicate %u: the 3 bytes after kind are not zero (FORMAT.md #16)",
				i);
		wants_attr = bcpf_attr(kind)->shape == BCPF_MAP;
		if (wants_attr)
			TRY(check_strref(b, attr, "predicate", i, "attribute", err));
		else if (attr != BCPF_NONE)
			return BAD("predicate %u: kind %u has an attribute (FORMAT.md #16)", i, kind);
		TRY(check_strref(b, bcpf_pred_value(p), "predicate", i, "value", err));
	}
	return BCP_OK;
}

/* A two-word atom's words at k (version 4): the predicate, and the scope, none or an
 * idp predicate; an atom neither negated nor scoped is written in one word. */
static enum bcp_status check_atom_words(const bcp_blob *b, uint32_t k, uint32_t end,
	struct bcp_error *err)
{
	uint32_t w = bcpi_word_unchecked(b->clause_preds, k), scope;

	if (b->format_version < 4)
		return BAD("clause_preds %u: predicate %u, but there are %u (FORMAT.md #17)", k, w,
			b->npreds);
	if (k + 1 >= end)
		return BAD("clause_preds %u: a two-word atom cut off at the end of its clause "
			"(FORMAT.md #17)", k);
	scope = bcpi_word_unchecked(b->clause_preds, k + 1);
	if ((w & BCPF_ATOM_PRED) >= b->npreds)
		return BAD("clause_preds %u: predicate %u, but there are %u (FORMAT.md #17)", k,
			w & BCPF_ATOM_PRED, b->npreds);
	if (scope == BCPF_NONE && !(w & BCPF_ATOM_NEG))
		return BAD("clause_preds %u: a two-word atom neither negated nor scoped "
			"(FORMAT.md #17)", k);
	if (scope != BCPF_NONE && (scope >= b->npreds ||
	    bcpf_pred_kind(bcpi_pred_unchecked(b, scope)) != BCPF_P_IDP))
		return BAD("clause_preds %u: scope %u is not an idp predicate (FORMAT.md #17)",
			k + 1, scope);
	return BCP_OK;
}

/* The words of one clause: predicate indexes, and two-word atoms. */
static enum bcp_status check_clause_words(const bcp_blob *b, const uint8_t *c,
	struct bcp_error *err)
{
	uint32_t k = bcpf_clause_first(c), end = k + bcpf_clause_n(c), w;

	for (; k < end; k++) {
		w = bcpi_word_unchecked(b->clause_preds, k);
		if (w & BCPF_ATOM_EXT) {
			TRY(check_atom_words(b, k, end, err));
			k++;
		} else if (w >= b->npreds) {
			return BAD("clause_preds %u: predicate %u, but there are %u (FORMAT.md #17)",
				k, w, b->npreds);
		}
	}
	return BCP_OK;
}

static enum bcp_status check_clauses(const bcp_blob *b, struct bcp_error *err)
{
	const uint8_t *c;
	uint32_t i, n;

	for (i = 0; i < b->nclauses; i++) {
		c = bcpi_clause_unchecked(b, i);
		n = bcpf_clause_n(c);
		if (n < 1 || !fits(bcpf_clause_first(c), n, b->nclause_preds))
			return BAD("clause %u: predicates %u..+%u; want 1 or more inside the %u of "
				"clause_preds (FORMAT.md #17)", i, bcpf_clause_first(c), n,
				b->nclause_preds);
		if (bcpf_clause_negated(c) > 1 || bcpf_clause_reserved(c) != 0)
			return BAD("clause %u: negated %u or reserved %u; want 0/1 and 0 (FORMAT.md #17)",
				i, bcpf_clause_negated(c), bcpf_clause_reserved(c));
	}
	for (i = 0; i < b->nclauses; i++)
		TRY(check_clause_words(b, bcpi_clause_unchecked(b, i), err));
	return BCP_OK;
}

/* ---- #18 rules, profiles ---- */

static enum bcp_status check_rules(const bcp_blob *b, struct bcp_error *err)
{
	uint32_t i, nsegs;
	const uint8_t *r;

	for (i = 0; i < b->nrules; i++) {
		r = bcpi_rule_unchecked(b, i);
		nsegs = bcpf_rule_nsegs(r);
		TRY(check_strref(b, bcpf_rule_name(r), "rule", i, "name", err));
		if (!fits(bcpf_rule_clauses(r), bcpf_rule_nclauses(r), b->nclauses))
			return BAD("rule %u: clauses %u..+%u beyond the %u clauses (FORMAT.md #18)", i,
				bcpf_rule_clauses(r), bcpf_rule_nclauses(r), b->nclauses);
		if (bcpf_rule_allow(r) > 1 || bcpf_rule_all_segments(r) > 1)
			return BAD("rule %u: allow %u, all_segments %u; want 0 or 1 (FORMAT.md #18)", i,
				bcpf_rule_allow(r), bcpf_rule_all_segments(r));
		if (!fits(bcpf_rule_segs(r), nsegs, b->nrule_segs))
			return BAD("rule %u: segments %u..+%u beyond the %u of rule_segs "
				"(FORMAT.md #18)", i, bcpf_rule_segs(r), nsegs, b->nrule_segs);
		if (bcpf_rule_all_segments(r) && nsegs != 0)
			return BAD("rule %u applies to all segments but lists %u (FORMAT.md #18)", i,
				nsegs);
	}
	/* Every entry, once: the runs above lie inside, so this covers them in one pass. */
	for (i = 0; i < b->nrule_segs; i++)
		if (bcpi_word_unchecked(b->rule_segs, i) >= b->nsegments)
			return BAD("rule_segs %u: segment %u, but there are %u (FORMAT.md #18)", i,
				bcpi_word_unchecked(b->rule_segs, i), b->nsegments);
	for (i = 0; i < b->nprofiles; i++) {
		r = bcpi_profile_unchecked(b, i);
		TRY(check_strref(b, bcpf_profile_name(r), "profile", i, "name", err));
		if (!fits(bcpf_profile_clauses(r), bcpf_profile_nclauses(r), b->nclauses))
			return BAD("profile %u: clauses %u..+%u beyond the %u clauses (FORMAT.md #18)",
				i, bcpf_profile_clauses(r), bcpf_profile_nclauses(r), b->nclauses);
		if (bcpf_profile_reserved(r) != 0)
			return BAD("profile %u: reserved field is not zero (FORMAT.md #18)", i);
	}
	return BCP_OK;
}

/* ---- the pass ---- */

static enum bcp_status run(bcp_blob *b, struct scratch *sc, struct bcp_error *err)
{
	TRY(check_directory(b, err));   /* #8 */
	TRY(check_tables(b, err));      /* #9 */
	if (!(sc->seglist_ok = bitmap_new(b->nseglists)))
		return bcpi_fail(err, BCP_E_NOMEM, "cannot allocate the verifier's scratch memory");
	TRY(check_segments(b, err));    /* #15 first: the rest refers to segments */
	TRY(check_nodes(b, sc, err));   /* #12, with #10 and #11 */
	TRY(check_index(&b->host_index, BCPF_HOST_SLOT, b->nnodes, 0, BCPF_S_HOST_INDEX, sc,
		err));                  /* #13 */
	TRY(check_addr(b, sc, BCPF_S_ADDR4, err));   /* #13, #14 */
	TRY(check_addr(b, sc, BCPF_S_ADDR6, err));
	TRY(check_predicates(b, err));  /* #16 */
	TRY(check_index(&b->pred_index, 4, b->npreds, 1, BCPF_S_PREDICATES, sc, err));   /* #13 */
	TRY(check_clauses(b, err));     /* #17 */
	return check_rules(b, err);     /* #18 */
}

enum bcp_status bcpi_verify_structure(bcp_blob *b, struct bcp_error *err)
{
	struct scratch sc = { NULL, NULL, NULL, NULL };
	enum bcp_status st = run(b, &sc, err);

	free(sc.seglist_ok);
	free(sc.seen);
	free(sc.depth);
	free(sc.label_ok);
	return st;
}
