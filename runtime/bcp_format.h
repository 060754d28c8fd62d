/* bcp_format.h - the blob format, defined once: its constants, every fixed
 * record's fields (one X-macro row each, giving a named offset, reader and writer),
 * the hashes and the predicate key, the settings keys and setting type names, and
 * the thumbprint's DER prefix. The compiler writes blobs with it, the runtime
 * verifies and reads them with it; neither writes an offset or key of its own.
 * docs/FORMAT.md is the specification; this file must agree with it (the golden
 * blobs of tests/golden/blob and the independent writer of tests/unit/test_runtime.c
 * check that). All integers are little-endian; offsets are from the start of the
 * blob or the record. Fields are read with byte loads, never by casting pointers.
 * It includes only bcp.h, whose BCP_FORMAT_VERSION is the format's version. */
#ifndef BCP_FORMAT_H
#define BCP_FORMAT_H
#include "bcp.h"
#include <stdint.h>
#include <string.h>

#define BCPF_MAGIC "\x89" "BCP\r\n\x1a\n"   /* 8 bytes, catches text-mode damage */
/* The version is the public header's, so that clients see the one this file defines. */
#define BCPF_VERSION BCP_FORMAT_VERSION
#define BCPF_HEADER_SIZE 128
#define BCPF_DIRENT_SIZE 24
#define BCPF_SIG_SIZE 64
#define BCPF_ALIGN 8
#define BCPF_NONE 0xFFFFFFFFu        /* no string, no segment, no rule */
#define BCPF_SEGLIST 0x80000000u     /* segref: index into SEGLISTS, not a segment */
#define BCPF_MAX_BLOB (1u << 30)     /* the runtime refuses larger blobs */
/* clause_preds words (FORMAT.md 12): a word without BCPF_ATOM_EXT is a predicate
 * index; one with it starts an atom of two words: BCPF_ATOM_NEG (the atom is
 * negated) and the predicate index in BCPF_ATOM_PRED, then its scope, BCPF_NONE or
 * the index of an idp predicate that must hold too. Version 4 and later. */
#define BCPF_ATOM_EXT 0x80000000u
#define BCPF_ATOM_NEG 0x40000000u
#define BCPF_ATOM_PRED 0x3FFFFFFFu
/* The oldest version the runtime still reads: version 3 is version 4 without
 * two-word atoms. */
#define BCPF_VERSION_MIN 3
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

/* Record sizes (bytes) and the size of each table section's own header. Each
 * record's fields are in the tables below, which are checked to add up to these. */
enum {
	BCPF_TABLE_HDR = 8,          /* u32 count, u32 reserved */
	BCPF_NODES_HDR = 8,          /* u32 count, u32 max_depth */
	BCPF_NODE_SIZE = 16,
	BCPF_HASH_HDR = 16,
	BCPF_HOST_SLOT = 8,
	BCPF_ADDR4_HDR = 32,
	BCPF_ADDR4_SLOT = 12,
	BCPF_ADDR6_HDR = 48,
	BCPF_ADDR6_SLOT = 24,
	BCPF_SEGMENT_SIZE = 20,
	BCPF_PORT_SIZE = 4,
	BCPF_GROUP_SIZE = 4,
	BCPF_PRED_HDR = 24,
	BCPF_PRED_SIZE = 12,
	BCPF_CLAUSE_SIZE = 8,
	BCPF_RULE_SIZE = 20,
	BCPF_PROFILE_SIZE = 12,
	BCPF_MAX_PROBE = 64,         /* the verifier refuses a larger max_probe */
	BCPF_MAX_DEPTH = 127,        /* labels in a host name */
};

/* ---- user attributes, defined once ----
 *
 * One row per attribute a policy can test and a user can have:
 *   X(NAME, kind, keyword, json_key, shape, vocab, compare, fallback)
 * NAME      gives BCPF_P_NAME; the compiler's atom kind is A_NAME.
 * kind      its predicate kind in the blob (FORMAT.md 10): 1, 2, ... in row order.
 * keyword   the condition's word in the language and the kind of a struct
 *           bcp_user_attr (docs/LANGUAGE.md 4.7, bcp.h).
 * json_key  its key in a user object of `bcpc query` and examples/client; for an
 *           attribute added after the first nine, the keyword itself.
 * shape     BCPF_ONE: a user has one value; BCPF_LIST: any number; BCPF_MAP: named
 *           attributes of values (the condition names one: saml "dept" = "x").
 * vocab     what a policy may write: BCPF_V_STRING any quoted string, BCPF_V_PLATFORM
 *           and BCPF_V_CLIENT_TYPE a word of the language's lists (compiler/model.h),
 *           BCPF_V_COUNTRY an ISO 3166 alpha-2 code.
 * compare   BCPF_EXACT byte for byte, or BCPF_UPPER ASCII case ignored (the blob
 *           holds the upper case).
 * fallback  the value of a user who gives none, or NULL.
 * Everything else (checker, lowering, verifier, bind, the reference evaluator, the
 * request reader, dump) reads these rows: a new attribute is one row here, its
 * tests and its docs. Only the first nine have fields of their own in struct
 * bcp_user_info (bcpf_user_fields below); later ones travel by keyword. */
enum bcpf_shape { BCPF_ONE, BCPF_LIST, BCPF_MAP };
enum bcpf_vocab { BCPF_V_STRING, BCPF_V_PLATFORM, BCPF_V_CLIENT_TYPE, BCPF_V_COUNTRY };
enum bcpf_compare { BCPF_EXACT, BCPF_UPPER };

#define BCPF_USER_ATTRS(X) \
	X(SAML, 1, "saml", "saml", BCPF_MAP, BCPF_V_STRING, BCPF_EXACT, NULL) \
	X(SCIM, 2, "scim", "scim", BCPF_MAP, BCPF_V_STRING, BCPF_EXACT, NULL) \
	X(SCIM_GROUP, 3, "scim_group", "scim_groups", BCPF_LIST, BCPF_V_STRING, BCPF_EXACT, NULL) \
	X(IDP, 4, "idp", "idp", BCPF_ONE, BCPF_V_STRING, BCPF_EXACT, NULL) \
	X(PLATFORM, 5, "platform", "platform", BCPF_ONE, BCPF_V_PLATFORM, BCPF_EXACT, NULL) \
	X(CLIENT_TYPE, 6, "client_type", "client_type", BCPF_ONE, BCPF_V_CLIENT_TYPE, BCPF_EXACT, \
	  "zapp") \
	X(POSTURE, 7, "posture", "posture", BCPF_LIST, BCPF_V_STRING, BCPF_EXACT, NULL) \
	X(TRUSTED_NETWORK, 8, "trusted_network", "trusted_networks", BCPF_LIST, BCPF_V_STRING, \
	  BCPF_EXACT, NULL) \
	X(COUNTRY, 9, "country", "country", BCPF_ONE, BCPF_V_COUNTRY, BCPF_UPPER, NULL) \
	X(MACHINE_GROUP, 10, "machine_group", "machine_group", BCPF_ONE, BCPF_V_STRING, BCPF_EXACT, \
	  NULL)

enum bcpf_pred_kind {
#define BCPF_ATTR_ENUM_(NAME, kind, kw, json, shape, vocab, cmp, fb) BCPF_P_##NAME = kind,
	BCPF_USER_ATTRS(BCPF_ATTR_ENUM_)
#undef BCPF_ATTR_ENUM_
};
/* The kinds are 1..BCPF_P_MAX, in row order (the verifier takes any in that range). */
enum {
#define BCPF_ATTR_COUNT_(NAME, kind, kw, json, shape, vocab, cmp, fb) + 1
	BCPF_P_MAX = 0 BCPF_USER_ATTRS(BCPF_ATTR_COUNT_)
#undef BCPF_ATTR_COUNT_
};
#define BCPF_ATTR_ORDER_(NAME, kind, kw, json, shape, vocab, cmp, fb) \
	_Static_assert(kind >= 1 && kind <= BCPF_P_MAX, "attribute kinds are 1..BCPF_P_MAX");
BCPF_USER_ATTRS(BCPF_ATTR_ORDER_)
#undef BCPF_ATTR_ORDER_

struct bcpf_attr {
	const char *keyword, *json_key;
	enum bcpf_shape shape;
	enum bcpf_vocab vocab;
	enum bcpf_compare compare;
	const char *fallback;
};
/* The row of kind 1..BCPF_P_MAX. */
static inline const struct bcpf_attr *bcpf_attr(unsigned kind)
{
	static const struct bcpf_attr rows[BCPF_P_MAX + 1] = {
#define BCPF_ATTR_ROW_(NAME, kind, kw, json, shape, vocab, cmp, fb) \
		[kind] = { kw, json, shape, vocab, cmp, fb },
		BCPF_USER_ATTRS(BCPF_ATTR_ROW_)
#undef BCPF_ATTR_ROW_
	};
	return &rows[kind];
}
/* The kind whose keyword (json 0) or JSON key (json 1) is s, or 0. */
static inline unsigned bcpf_attr_find(const char *s, int json)
{
	for (unsigned k = 1; s && k <= BCPF_P_MAX; k++)
		if (!strcmp(s, json ? bcpf_attr(k)->json_key : bcpf_attr(k)->keyword))
			return k;
	return 0;
}

/* The fields of struct bcp_user_info that hold kind k, for reading or filling: a
 * BCPF_MAP kind's map and n, a BCPF_LIST kind's list and n, a BCPF_ONE kind's one;
 * all NULL for a kind without a field (every kind after the first nine: the struct
 * does not grow, they come by keyword in u->attrs). A reader passes its const
 * struct cast to non-const and only reads. */
struct bcpf_user_fields {
	const struct bcp_attr **map;
	const char *const **list;
	size_t *n;
	const char **one;
};
static inline struct bcpf_user_fields bcpf_user_fields(struct bcp_user_info *u, unsigned kind)
{
	struct bcpf_user_fields f = { NULL, NULL, NULL, NULL };

	switch (kind) {
	case BCPF_P_SAML: f.map = &u->saml; f.n = &u->nsaml; break;
	case BCPF_P_SCIM: f.map = &u->scim; f.n = &u->nscim; break;
	case BCPF_P_SCIM_GROUP: f.list = &u->scim_groups; f.n = &u->nscim_groups; break;
	case BCPF_P_IDP: f.one = &u->idp; break;
	case BCPF_P_PLATFORM: f.one = &u->platform; break;
	case BCPF_P_CLIENT_TYPE: f.one = &u->client_type; break;
	case BCPF_P_POSTURE: f.list = &u->posture; f.n = &u->nposture; break;
	case BCPF_P_TRUSTED_NETWORK: f.list = &u->trusted_networks; f.n = &u->ntrusted_networks;
		break;
	case BCPF_P_COUNTRY: f.one = &u->country; break;
	default: break;
	}
	return f;
}

/* Calls fn(ctx, name, value) for each value user u has of kind k: those of its own
 * field, then those of the entries of u->attrs with k's keyword. name is the
 * attribute's name for a BCPF_MAP kind, else NULL. A user with no value of a kind
 * that has a fallback has that one. NULL arrays, names and values are skipped
 * (bcpf_user_check refuses them where that matters). Returns the first nonzero
 * value fn returns, else 0. */
typedef int (*bcpf_user_fn)(void *ctx, const char *name, const char *value);
static inline int bcpf_user_each(const struct bcp_user_info *u, unsigned kind,
				 bcpf_user_fn fn, void *ctx)
{
	const struct bcpf_attr *row = bcpf_attr(kind);
	struct bcpf_user_fields f = bcpf_user_fields((struct bcp_user_info *)u, kind);
	size_t i, j, seen = 0;
	int rc;

	if (f.map && *f.map)
		for (i = 0; i < *f.n; i++)
			for (j = 0; (*f.map)[i].name && (*f.map)[i].values &&
				    j < (*f.map)[i].nvalues; j++)
				if ((*f.map)[i].values[j] && (++seen,
				    rc = fn(ctx, (*f.map)[i].name, (*f.map)[i].values[j])))
					return rc;
	if (f.list && *f.list)
		for (i = 0; i < *f.n; i++)
			if ((*f.list)[i] && (++seen, rc = fn(ctx, NULL, (*f.list)[i])))
				return rc;
	if (f.one && *f.one && (++seen, rc = fn(ctx, NULL, *f.one)))
		return rc;
	for (i = 0; u->attrs && i < u->nattrs; i++) {
		const struct bcp_user_attr *a = &u->attrs[i];
		if (!a->kind || strcmp(a->kind, row->keyword) || !a->values ||
		    (row->shape == BCPF_MAP && !a->name))
			continue;
		for (j = 0; j < a->nvalues; j++)
			if (a->values[j] && (++seen, rc = fn(ctx, row->shape == BCPF_MAP ? a->name :
							      NULL, a->values[j])))
				return rc;
	}
	return seen == 0 && row->fallback ? fn(ctx, NULL, row->fallback) : 0;
}

/* What is wrong with a struct bcp_user_info (bcpf_user_check): what names the field
 * (its JSON key) or the attrs entry ("attrs"), index the attribute, entry or value,
 * problem says what. */
struct bcpf_user_fault {
	const char *what;
	size_t index;
	const char *problem;
};
static inline int bcpf_user_fault_(struct bcpf_user_fault *f, const char *what, size_t index,
				   const char *problem)
{
	f->what = what;
	f->index = index;
	f->problem = problem;
	return -1;
}
static inline int bcpf_count_(void *ctx, const char *name, const char *value)
{
	(void)name;
	(void)value;
	++*(size_t *)ctx;
	return 0;
}
/* 0 when bind can take u, or -1 and *f: a NULL array with a count, a NULL value or
 * attribute name, an attrs entry with an unknown keyword or a name its kind does
 * not take, more than one value of a one-value kind. */
static inline int bcpf_user_check(const struct bcp_user_info *u, struct bcpf_user_fault *f)
{
	size_t i, j, n;

	for (unsigned k = 1; k <= BCPF_P_MAX; k++) {
		const struct bcpf_attr *row = bcpf_attr(k);
		struct bcpf_user_fields uf = bcpf_user_fields((struct bcp_user_info *)u, k);
		if (uf.map && *uf.n > 0 && !*uf.map)
			return bcpf_user_fault_(f, row->json_key, *uf.n, "attributes but the array is NULL");
		for (i = 0; uf.map && i < *uf.n; i++) {
			const struct bcp_attr *a = &(*uf.map)[i];
			if (!a->name)
				return bcpf_user_fault_(f, row->json_key, i, "an attribute with no name");
			if (a->nvalues > 0 && !a->values)
				return bcpf_user_fault_(f, a->name, a->nvalues, "values but the array is NULL");
			for (j = 0; j < a->nvalues; j++)
				if (!a->values[j])
					return bcpf_user_fault_(f, a->name, j, "a NULL value");
		}
		if (uf.list && *uf.n > 0 && !*uf.list)
			return bcpf_user_fault_(f, row->json_key, *uf.n, "values but the array is NULL");
		for (i = 0; uf.list && i < *uf.n; i++)
			if (!(*uf.list)[i])
				return bcpf_user_fault_(f, row->json_key, i, "a NULL value");
	}
	if (u->nattrs > 0 && !u->attrs)
		return bcpf_user_fault_(f, "attrs", u->nattrs, "entries but the array is NULL");
	for (i = 0; i < u->nattrs; i++) {
		const struct bcp_user_attr *a = &u->attrs[i];
		unsigned k = bcpf_attr_find(a->kind, 0);
		if (!k)
			return bcpf_user_fault_(f, "attrs", i, "an unknown or NULL kind");
		if ((bcpf_attr(k)->shape == BCPF_MAP) != (a->name != NULL))
			return bcpf_user_fault_(f, "attrs", i, bcpf_attr(k)->shape == BCPF_MAP ?
				"no attribute name for a kind that takes one" :
				"an attribute name for a kind that takes none");
		if (a->nvalues > 0 && !a->values)
			return bcpf_user_fault_(f, "attrs", i, "values but the array is NULL");
		for (j = 0; j < a->nvalues; j++)
			if (!a->values[j])
				return bcpf_user_fault_(f, "attrs", i, "a NULL value");
	}
	for (unsigned k = 1; k <= BCPF_P_MAX; k++) {
		if (bcpf_attr(k)->shape != BCPF_ONE)
			continue;
		n = 0;
		bcpf_user_each(u, k, bcpf_count_, &n);
		if (n > 1)
			return bcpf_user_fault_(f, bcpf_attr(k)->json_key, n,
				"values of a kind that takes one");
	}
	return 0;
}

/* ---- fields of the fixed records (FORMAT.md, section by section) ----
 *
 * One row per field: X(record, field, type, offset). From each table come
 *   BCPF_OFF(record, field)              the offset, an enum constant;
 *   bcpf_<record>_<field>(const p)       the reader;
 *   bcpf_put_<record>_<field>(p, v)      the writer,
 * where p points at the record. Reserved fields have rows too: the writer leaves
 * them zero (its buffers start zeroed) and the verifier reads them by name. The
 * widths of a record's rows must add up to its size (checked below). */

#define BCPF_DIRENT_FIELDS(X, R) \
	X(R, id, u32, 0) X(R, reserved, u32, 4) X(R, offset, u64, 8) X(R, length, u64, 16)
#define BCPF_TABLE_HDR_FIELDS(X, R) X(R, count, u32, 0) X(R, reserved, u32, 4)
#define BCPF_NODES_HDR_FIELDS(X, R) X(R, count, u32, 0) X(R, max_depth, u32, 4)
/* host_nodes: parent node (none for the root), label strref, exact and wild segrefs. */
#define BCPF_NODE_FIELDS(X, R) \
	X(R, parent, u32, 0) X(R, label, u32, 4) X(R, exact, u32, 8) X(R, wild, u32, 12)
/* The header of host_index, addr4 and addr6. */
#define BCPF_HASH_HDR_FIELDS(X, R) X(R, nslots, u32, 0) X(R, max_probe, u32, 4) X(R, seed, u64, 8)
#define BCPF_HOST_SLOT_FIELDS(X, R) X(R, node, u32, 0) X(R, tag, u32, 4)
#define BCPF_ADDR4_HDR_FIELDS(X, R) \
	BCPF_HASH_HDR_FIELDS(X, R) X(R, lenmask, u64, 16) X(R, reserved, u64, 24)
/* network: the address as a big-endian number, stored as every u32 (little-endian). */
#define BCPF_ADDR4_SLOT_FIELDS(X, R) \
	X(R, network, u32, 0) X(R, segref, u32, 4) X(R, len, u8, 8) X(R, used, u8, 9) \
	X(R, reserved, u16, 10)
#define BCPF_ADDR6_HDR_FIELDS(X, R) \
	BCPF_HASH_HDR_FIELDS(X, R) X(R, lenmask0, u64, 16) X(R, lenmask1, u64, 24) \
	X(R, lenmask2, u64, 32) X(R, reserved, u64, 40)
/* The 16 network bytes, read as two little-endian words (the hash's w0 and w1). */
#define BCPF_ADDR6_SLOT_FIELDS(X, R) \
	X(R, network_w0, u64, 0) X(R, network_w1, u64, 8) X(R, segref, u32, 16) \
	X(R, len, u8, 20) X(R, used, u8, 21) X(R, reserved, u16, 22)
/* match: 0 exclusive, 1 inclusive; bypass: 0 never, 1 always, 2 on_net. */
#define BCPF_SEGMENT_FIELDS(X, R) \
	X(R, name, u32, 0) X(R, group, u32, 4) X(R, ports, u32, 8) X(R, ntcp, u16, 12) \
	X(R, nudp, u16, 14) X(R, match, u8, 16) X(R, bypass, u8, 17) X(R, reserved, u16, 18)
#define BCPF_PORT_FIELDS(X, R) X(R, lo, u16, 0) X(R, hi, u16, 2)
#define BCPF_GROUP_FIELDS(X, R) X(R, name, u32, 0)
/* The predicates' header: count, then the hash fields in another order. */
#define BCPF_PRED_HDR_FIELDS(X, R) \
	X(R, count, u32, 0) X(R, nslots, u32, 4) X(R, max_probe, u32, 8) X(R, reserved, u32, 12) \
	X(R, seed, u64, 16)
#define BCPF_PRED_FIELDS(X, R) \
	X(R, kind, u8, 0) X(R, reserved1, u8, 1) X(R, reserved2, u16, 2) X(R, attr, u32, 4) \
	X(R, value, u32, 8)
#define BCPF_CLAUSE_FIELDS(X, R) \
	X(R, first, u32, 0) X(R, n, u16, 4) X(R, negated, u8, 6) X(R, reserved, u8, 7)
#define BCPF_RULE_FIELDS(X, R) \
	X(R, name, u32, 0) X(R, clauses, u32, 4) X(R, nclauses, u16, 8) X(R, allow, u8, 10) \
	X(R, all_segments, u8, 11) X(R, segs, u32, 12) X(R, nsegs, u32, 16)
#define BCPF_PROFILE_FIELDS(X, R) \
	X(R, name, u32, 0) X(R, clauses, u32, 4) X(R, nclauses, u16, 8) X(R, reserved, u16, 10)

/* Every record: X(record, its field table, its size). */
#define BCPF_RECORDS(X) \
	X(dirent, BCPF_DIRENT_FIELDS, BCPF_DIRENT_SIZE) \
	X(table_hdr, BCPF_TABLE_HDR_FIELDS, BCPF_TABLE_HDR) \
	X(nodes_hdr, BCPF_NODES_HDR_FIELDS, BCPF_NODES_HDR) \
	X(node, BCPF_NODE_FIELDS, BCPF_NODE_SIZE) \
	X(hash_hdr, BCPF_HASH_HDR_FIELDS, BCPF_HASH_HDR) \
	X(host_slot, BCPF_HOST_SLOT_FIELDS, BCPF_HOST_SLOT) \
	X(addr4_hdr, BCPF_ADDR4_HDR_FIELDS, BCPF_ADDR4_HDR) \
	X(addr4_slot, BCPF_ADDR4_SLOT_FIELDS, BCPF_ADDR4_SLOT) \
	X(addr6_hdr, BCPF_ADDR6_HDR_FIELDS, BCPF_ADDR6_HDR) \
	X(addr6_slot, BCPF_ADDR6_SLOT_FIELDS, BCPF_ADDR6_SLOT) \
	X(segment, BCPF_SEGMENT_FIELDS, BCPF_SEGMENT_SIZE) \
	X(port, BCPF_PORT_FIELDS, BCPF_PORT_SIZE) \
	X(group, BCPF_GROUP_FIELDS, BCPF_GROUP_SIZE) \
	X(pred_hdr, BCPF_PRED_HDR_FIELDS, BCPF_PRED_HDR) \
	X(pred, BCPF_PRED_FIELDS, BCPF_PRED_SIZE) \
	X(clause, BCPF_CLAUSE_FIELDS, BCPF_CLAUSE_SIZE) \
	X(rule, BCPF_RULE_FIELDS, BCPF_RULE_SIZE) \
	X(profile, BCPF_PROFILE_FIELDS, BCPF_PROFILE_SIZE)

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

static inline uint8_t bcpf_u8(const uint8_t *p)
{
	return p[0];
}
static inline void bcpf_put8(uint8_t *p, uint8_t v)
{
	p[0] = v;
}

/* What a field's type gives: C type, width, reader, writer. */
#define BCPF_CTYPE_u8 uint8_t
#define BCPF_CTYPE_u16 uint16_t
#define BCPF_CTYPE_u32 uint32_t
#define BCPF_CTYPE_u64 uint64_t
#define BCPF_WIDTH_u8 1
#define BCPF_WIDTH_u16 2
#define BCPF_WIDTH_u32 4
#define BCPF_WIDTH_u64 8
#define BCPF_GET_u8 bcpf_u8
#define BCPF_GET_u16 bcpf_u16
#define BCPF_GET_u32 bcpf_u32
#define BCPF_GET_u64 bcpf_u64
#define BCPF_PUT_u8 bcpf_put8
#define BCPF_PUT_u16 bcpf_put16
#define BCPF_PUT_u32 bcpf_put32
#define BCPF_PUT_u64 bcpf_put64

#define BCPF_OFF(record, field) bcpf_off_##record##_##field

#define BCPF_FIELD_(R, f, t, off) \
	enum { bcpf_off_##R##_##f = off }; \
	static inline BCPF_CTYPE_##t bcpf_##R##_##f(const uint8_t *p) \
	{ \
		return BCPF_GET_##t(p + (off)); \
	} \
	static inline void bcpf_put_##R##_##f(uint8_t *p, BCPF_CTYPE_##t v) \
	{ \
		BCPF_PUT_##t(p + (off), v); \
	} \
	_Static_assert((off) + BCPF_WIDTH_##t <= bcpf_size_##R, \
		       "field " #R "." #f " ends past its record");
#define BCPF_FIELD_WIDTH_(R, f, t, off) + BCPF_WIDTH_##t
#define BCPF_RECORD_(R, FIELDS, size) \
	enum { bcpf_size_##R = (size) }; \
	FIELDS(BCPF_FIELD_, R) \
	_Static_assert(0 FIELDS(BCPF_FIELD_WIDTH_, R) == (size), \
		       "the fields of " #R " do not add up to its size");
BCPF_RECORDS(BCPF_RECORD_)
#undef BCPF_RECORD_
#undef BCPF_FIELD_

/* ---- the msgpack sections (FORMAT.md 16 and 17) ---- */

/* The settings map's keys, in the order the compiler writes them: X(name, key,
 * always), always 1 for the keys written when the policy has no
 * business_continuity block too. */
#define BCPF_SETTINGS_KEYS(X) \
	X(TENANT, "tenant", 1) X(PRESENT, "present", 1) X(DOMAIN, "domain", 0) \
	X(SNI, "sni", 0) X(SNI_NEW_USER, "sni_new_user", 0) X(SP_URL, "sp_url", 0) \
	X(CONTROLLERS, "controllers", 0) X(SP_CA_PEM, "sp_ca_pem", 0) \
	X(ENTER_AFTER, "enter_after_s", 0) X(EXIT_AFTER, "exit_after_s", 0) \
	X(AUTH_MAX_AGE, "auth_max_age_s", 0) X(EXIT_MODE, "exit_mode", 0)

enum bcpf_setting_key {
#define BCPF_KEY_ENUM_(name, text, always) BCPF_K_##name,
	BCPF_SETTINGS_KEYS(BCPF_KEY_ENUM_)
#undef BCPF_KEY_ENUM_
	BCPF_K_COUNT
};
/* How many keys a settings map without business_continuity has. */
enum {
#define BCPF_KEY_ALWAYS_(name, text, always) + (always)
	BCPF_K_ALWAYS = 0 BCPF_SETTINGS_KEYS(BCPF_KEY_ALWAYS_)
#undef BCPF_KEY_ALWAYS_
};
static inline const char *bcpf_setting_key_text(enum bcpf_setting_key k)
{
	static const char *const text[BCPF_K_COUNT] = {
#define BCPF_KEY_TEXT_(name, text, always) text,
		BCPF_SETTINGS_KEYS(BCPF_KEY_TEXT_)
#undef BCPF_KEY_TEXT_
	};
	return text[k];
}
static inline int bcpf_setting_key_always(enum bcpf_setting_key k)
{
	static const unsigned char always[BCPF_K_COUNT] = {
#define BCPF_KEY_ALW_(name, text, always) always,
		BCPF_SETTINGS_KEYS(BCPF_KEY_ALW_)
#undef BCPF_KEY_ALW_
	};
	return always[k];
}
/* exit_mode's two values. */
#define BCPF_EXIT_TIME_BASED "time_based"
#define BCPF_EXIT_AUTOMATIC "automatic"

/* profile_settings' type names, by the public enum bcp_setting_type. */
#define BCPF_SETTING_TYPES(X) \
	X(BCP_SET_STRING, "string") X(BCP_SET_INT, "integer") X(BCP_SET_BOOL, "bool") \
	X(BCP_SET_DURATION, "duration") X(BCP_SET_LIST, "list")
#define BCPF_SETTING_TYPE_MAX BCP_SET_LIST
static inline const char *bcpf_setting_type_text(enum bcp_setting_type t)
{
	static const char *const text[BCPF_SETTING_TYPE_MAX + 1] = {
#define BCPF_TYPE_TEXT_(e, text) [e] = text,
		BCPF_SETTING_TYPES(BCPF_TYPE_TEXT_)
#undef BCPF_TYPE_TEXT_
	};
	return text[t];
}

/* ---- the signer's thumbprint (FORMAT.md "Signature") ----
 * SHA-256 over the DER SubjectPublicKeyInfo of the Ed25519 key: these 12 bytes,
 * then the 32 key bytes; bcp_thumbprint() (runtime/open.c) is the one function
 * that computes it, for the compiler too. */
#define BCPF_ED25519_SPKI_PREFIX \
	{ 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 }
#define BCPF_ED25519_SPKI_PREFIX_LEN 12

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

/* The predicates' key (FORMAT.md 10): tag = kind, then the attribute's bytes (none
 * for a kind without one), one 0xFF byte, then the value's bytes. upcase: the
 * value's ASCII letters are hashed as upper case (a kind compared in any case,
 * whose values the blob holds in upper case). */
static inline uint8_t bcpf_ascii_upper(uint8_t c)
{
	return c >= 'a' && c <= 'z' ? (uint8_t)(c - 'a' + 'A') : c;
}
static inline uint64_t bcpf_pred_key(uint64_t seed, unsigned kind, const void *attr,
				     size_t attr_len, const void *value, size_t value_len, int upcase)
{
	static const uint8_t sep = 0xFF;
	const uint8_t *v = value;
	uint64_t h = bcpf_hash_bytes(bcpf_hash_start(seed, kind), attr, attr_len);

	h = bcpf_hash_bytes(h, &sep, 1);
	if (!upcase)
		return bcpf_hash_bytes(h, value, value_len);
	for (size_t i = 0; i < value_len; i++) {
		uint8_t c = bcpf_ascii_upper(v[i]);
		h = bcpf_hash_bytes(h, &c, 1);
	}
	return h;
}

/* The host index's key (FORMAT.md, "Hashing"): the hash of a whole suffix, chained
 * from the root one label at a time: the root's is the table's seed, a node's is
 * bcpf_hash_suffix(its parent's, its label): the label's length times a constant
 * XORed in, then the label's words. A decision computes the keys of every
 * suffix of a name from the name alone, before it reads the blob, so its lookups at
 * each depth do not wait for each other. Labels go 8 bytes at a time, read
 * little-endian, the last word zero-padded; the length keeps
 * "abcdefgh" + "ij" apart from "abcdefghij". */
static inline uint64_t bcpf_hash_suffix_(uint64_t h, const char *label, size_t len, int padded)
{
	const uint8_t *p = (const uint8_t *)label;
	size_t i = 0;

	h ^= (uint64_t)len * 0xFF51AFD7ED558CCDu;
	for (; i + 8 <= len; i += 8)
		h = bcpf_hash_word(h, bcpf_u64(p + i));
	if (i < len && padded) {
		h = bcpf_hash_word(h, bcpf_u64(p + i) & (~(uint64_t)0 >> (8 * (8 - (len - i)))));
	} else if (i < len) {
		uint64_t w = 0;
		for (unsigned k = 0; i + k < len; k++)
			w |= (uint64_t)p[i + k] << (8 * k);
		h = bcpf_hash_word(h, w);
	}
	return h;
}
static inline uint64_t bcpf_hash_suffix(uint64_t h, const char *label, size_t len)
{
	return bcpf_hash_suffix_(h, label, len, 0);
}
/* The same, for a label whose buffer may be read up to 8 bytes past its end (the
 * decision pads its copy of the name): the last word is one load, masked. */
static inline uint64_t bcpf_hash_suffix_padded(uint64_t h, const char *label, size_t len)
{
	return bcpf_hash_suffix_(h, label, len, 1);
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
