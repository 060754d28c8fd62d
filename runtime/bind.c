/* bind.c - binding a user to a blob: the user's attributes are tested once against
 * every predicate, clause, rule and profile, leaving per segment the first rule
 * that holds for the user and applies to it (docs/LANGUAGE.md semantics, step 4),
 * and the user's app profile (step 5). After this a decision is table lookups.
 *
 * Binding allocates, through the caller's allocator when it gives one (the user
 * remembers it, to be freed with it); nothing after it does. The bound user is
 * read-only. */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

/* The key of a user value: kind, attribute (empty for kinds without one), value.
 * upcase: the value is compared in upper case (country). */
struct pred_key {
	uint8_t kind;
	const char *attr;
	size_t attr_len;
	const char *value;
	size_t value_len;
	int upcase;
};

static int value_equal(const struct pred_key *k, const char *rec, size_t n)
{
	size_t i;

	if (n != k->value_len)
		return 0;
	if (!k->upcase)
		return memcmp(rec, k->value, n) == 0;
	for (i = 0; i < n; i++)
		if ((uint8_t)rec[i] != bcpf_ascii_upper((uint8_t)k->value[i]))
			return 0;
	return 1;
}

/* Index of the predicate equal to k, or BCPF_NONE. */
static uint32_t pred_lookup_unchecked(const bcp_blob *b, const struct pred_key *k)
{
	const struct bcpi_hash *h = &b->pred_index;
	uint64_t hash = bcpf_pred_key(h->seed, k->kind, k->attr, k->attr_len, k->value,
		k->value_len, k->upcase);
	uint32_t slot, probe, v, attr, value;
	const uint8_t *p;

	slot = bcpf_hash_slot(hash, h->nslots);
	for (probe = 0; probe <= h->max_probe; probe++, slot = bcpi_next_slot(slot, h->nslots)) {
		v = bcpi_word_unchecked(h->slots, slot);
		if (v == 0)
			return BCPF_NONE;
		p = bcpi_pred_unchecked(b, v - 1);
		if (bcpf_pred_kind(p) != k->kind)
			continue;
		attr = bcpf_pred_attr(p);
		if (attr == BCPF_NONE ? k->attr_len != 0 :
		    bcpi_strlen_unchecked(b, attr) != k->attr_len ||
		    memcmp(bcpi_str_unchecked(b, attr), k->attr, k->attr_len) != 0)
			continue;
		value = bcpf_pred_value(p);
		if (value_equal(k, bcpi_str_unchecked(b, value), bcpi_strlen_unchecked(b, value)))
			return v - 1;
	}
	return BCPF_NONE;
}

/* Sets the bit of the predicate (kind, name, value), if the policy has one. */
struct marker {
	const bcp_blob *b;
	uint8_t *truth;
	unsigned kind;
	size_t nvalues;
};

static int mark(void *ctx, const char *name, const char *value)
{
	struct marker *m = ctx;
	struct pred_key k = { (uint8_t)m->kind, name ? name : "", name ? strlen(name) : 0, value,
		strlen(value), bcpf_attr(m->kind)->compare == BCPF_UPPER };
	uint32_t i = pred_lookup_unchecked(m->b, &k);

	m->nvalues++;
	if (i != BCPF_NONE)
		m->truth[i >> 3] |= (uint8_t)(1u << (i & 7));
	return 0;
}

/* The truth of every predicate for the user, as a bitmap: each value the user has
 * of each attribute of bcp_format.h's table (its field and its keyword entries)
 * marks the predicate equal to it. *trusted: the user is on a trusted network. */
static enum bcp_status mark_user(const bcp_blob *b, const struct bcp_user_info *u,
	uint8_t *truth, int *trusted, struct bcp_error *err)
{
	struct bcpf_user_fault f;
	struct marker m = { b, truth, 0, 0 };

	if (bcpf_user_check(u, &f) != 0)
		return bcpi_fail(err, BCP_E_USER, "%s: %zu: %s", f.what, f.index, f.problem);
	for (m.kind = 1; m.kind <= BCPF_P_MAX; m.kind++) {
		m.nvalues = 0;
		bcpf_user_each(u, m.kind, mark, &m);
		if (m.kind == BCPF_P_TRUSTED_NETWORK)
			*trusted = m.nvalues > 0;
	}
	return BCP_OK;
}

/* All nclauses clauses from first hold: each has a true predicate, unless negated. */
static int clauses_hold_unchecked(const bcp_blob *b, const uint8_t *truth, uint32_t first,
	uint32_t nclauses)
{
	uint32_t c, k, pred, scope, from, n;
	const uint8_t *cl;
	int any;

	for (c = first; c < first + nclauses; c++) {
		cl = bcpi_clause_unchecked(b, c);
		from = bcpf_clause_first(cl);
		n = bcpf_clause_n(cl);
		any = 0;
		for (k = from; k < from + n && !any; k++) {
			pred = bcpi_word_unchecked(b->clause_preds, k);
			if (!(pred & BCPF_ATOM_EXT)) {
				any = truth[pred >> 3] >> (pred & 7) & 1;
				continue;
			}
			/* Two words: the atom holds when its predicate and its scope (an idp
			 * predicate, if any) hold, flipped when negated. */
			scope = bcpi_word_unchecked(b->clause_preds, ++k);
			any = truth[(pred & BCPF_ATOM_PRED) >> 3] >> (pred & 7) & 1;
			if (scope != BCPF_NONE)
				any &= truth[scope >> 3] >> (scope & 7) & 1;
			any ^= (pred & BCPF_ATOM_NEG) != 0;
		}
		if (any == bcpf_clause_negated(cl))
			return 0;
	}
	return 1;
}

/* winner[s]: the first rule, in order, that holds and applies to segment s. */
static void compute_winners(const bcp_blob *b, const uint8_t *truth, uint32_t *winner)
{
	uint32_t r, k, s, undecided = b->nsegments, first, n;
	const uint8_t *rule;

	for (s = 0; s < b->nsegments; s++)
		winner[s] = BCPF_NONE;
	for (r = 0; r < b->nrules && undecided > 0; r++) {
		rule = bcpi_rule_unchecked(b, r);
		if (!clauses_hold_unchecked(b, truth, bcpf_rule_clauses(rule),
			bcpf_rule_nclauses(rule)))
			continue;
		if (bcpf_rule_all_segments(rule)) {
			for (s = 0; s < b->nsegments; s++)
				if (winner[s] == BCPF_NONE)
					winner[s] = r;
			return;
		}
		first = bcpf_rule_segs(rule);
		n = bcpf_rule_nsegs(rule);
		for (k = first; k < first + n; k++) {
			s = bcpi_word_unchecked(b->rule_segs, k);
			if (winner[s] == BCPF_NONE) {
				winner[s] = r;
				undecided--;
			}
		}
	}
}

static int32_t find_profile(const bcp_blob *b, const uint8_t *truth)
{
	const uint8_t *p;
	uint32_t i;

	for (i = 0; i < b->nprofiles; i++) {
		p = bcpi_profile_unchecked(b, i);
		if (clauses_hold_unchecked(b, truth, bcpf_profile_clauses(p),
			bcpf_profile_nclauses(p)))
			return (int32_t)i;
	}
	return -1;
}

static void *std_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void std_release(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

enum bcp_status bcp_bind_with(const bcp_blob *b, const struct bcp_user_info *info,
	const struct bcp_allocator *a, bcp_user **out, struct bcp_error *err)
{
	static const struct bcp_allocator std = { std_alloc, std_release, NULL };
	enum bcp_status st;
	size_t ntruth;
	uint8_t *truth;
	bcp_user *u;

	if (out)
		*out = NULL;
	if (!b || !info || !out)
		return bcpi_fail(err, BCP_E_ARG, "bcp_bind needs a blob, user info and out");
	if (!a)
		a = &std;
	if (!a->alloc || !a->release)
		return bcpi_fail(err, BCP_E_ARG, "the allocator needs both alloc and release");
	ntruth = (size_t)b->npreds / 8 + 1;
	u = a->alloc(a->ctx, sizeof *u + (size_t)b->nsegments * sizeof u->winner[0]);
	if (!u)
		return bcpi_fail(err, BCP_E_NOMEM, "cannot allocate the bound user");
	truth = a->alloc(a->ctx, ntruth);
	if (!truth) {
		a->release(a->ctx, u);
		return bcpi_fail(err, BCP_E_NOMEM, "cannot allocate the bound user's scratch");
	}
	memset(truth, 0, ntruth);
	if ((st = mark_user(b, info, truth, &u->has_trusted_network, err)) != BCP_OK) {
		a->release(a->ctx, truth);
		a->release(a->ctx, u);
		return st;
	}
	u->blob = b;
	u->alloc = *a;
	compute_winners(b, truth, u->winner);
	u->profile = find_profile(b, truth);
	a->release(a->ctx, truth);
	*out = u;
	bcpi_ok(err);
	return BCP_OK;
}

enum bcp_status bcp_bind(const bcp_blob *b, const struct bcp_user_info *info, bcp_user **out,
	struct bcp_error *err)
{
	return bcp_bind_with(b, info, NULL, out, err);
}

void bcp_user_free(bcp_user *u)
{
	if (u)
		u->alloc.release(u->alloc.ctx, u);
}

const char *bcp_user_profile(const bcp_user *u)
{
	if (!u || u->profile < 0)
		return NULL;
	return bcpi_profile_name_unchecked(u->blob, (uint32_t)u->profile);
}

int bcp_user_profile_index(const bcp_user *u)
{
	return u ? u->profile : -1;
}
