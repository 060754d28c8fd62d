/* lower.c - the checked model to the blob's tables (see lower.h and docs/FORMAT.md):
 * string pool, host suffix tree, address tables, segments, predicates, clauses,
 * rules and profiles, and the placement of the three hash tables.
 * It reads the model and never changes it; it checks nothing the checker already
 * checked except the limits of the format; it writes no bytes (that is blob.c).
 * Every choice is deterministic: same model, same tables. */
#include "lower.h"
#include "strmap.h"
#include "bcp_format.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Placement gives up on a seed after this many tries at one size, then grows. */
#define SEED_TRIES 4
#define MAX_ATTEMPTS 200

struct lower {
	const struct model *m;
	struct arena *a;
	struct tables *t;
	char *err;
	size_t errlen;
	int failed;

	struct strmap pool;          /* string -> strref */
	uint32_t pool_cap;
	struct strmap node_map;      /* "parent/label" -> node index */
	uint32_t *depth;             /* per node */

	uint32_t *seg_index;         /* model segment -> blob segment, or BCPF_NONE */
	uint32_t **members;          /* per group: enabled model segments, in order */
	uint32_t *nmembers;

	struct strmap pred_map;      /* "kind/attrlen/attr/value" -> predicate index */
	uint32_t *pred_mark;         /* clause index + 1 that last listed the predicate */
	uint32_t *mark, gen;         /* per model segment: the last clause that named it */
	uint32_t *cand, ncand;       /* segments of the rule being lowered */
	uint32_t rule_segs_cap;
};

static int fail(struct lower *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct lower *L, const char *fmt, ...)
{
	if (!L->failed && L->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(L->err, L->errlen, fmt, ap);
		va_end(ap);
	}
	L->failed = 1;
	return -1;
}

static int oom(struct lower *L)
{
	return fail(L, "out of memory while building the blob tables");
}

/* Zeroed array of n elements from the arena, or NULL (reported). */
static void *alloc_array(struct lower *L, size_t n, size_t size)
{
	void *p = arena_array(L->a, n, size);
	if (!p)
		oom(L);
	return p;
}

/* Doubles an arena array (the old copy is abandoned, as vec_push does). */
static void *grow_array(struct lower *L, void *old, uint32_t n, uint32_t *cap, size_t size,
			uint32_t need)
{
	uint64_t ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	if (ncap > UINT32_MAX)
		ncap = UINT32_MAX;
	if (ncap < need) {
		fail(L, "table too large for the blob format");
		return NULL;
	}
	void *p = alloc_array(L, (size_t)ncap, size);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, old, (size_t)n * size);
	*cap = (uint32_t)ncap;
	return p;
}

/* ---- strings ---- */

/* The strref of s, adding a record to the pool the first time s is seen.
 * s must outlive the lowering (the pool's index borrows it). */
static uint32_t str_ref(struct lower *L, const char *s)
{
	struct tables *t = L->t;
	size_t n = strlen(s);
	uint32_t off = strmap_get(&L->pool, s);
	if (off != STRMAP_NONE)
		return off;
	if (n > UINT16_MAX) {
		fail(L, "string of %zu bytes is longer than the blob's 65535-byte limit: \"%.40s...\"",
		     n, s);
		return BCPF_NONE;
	}
	uint64_t need = (uint64_t)t->strings_len + n + 3;
	if (need > BCPF_MAX_BLOB) {
		fail(L, "the string pool is larger than a blob can be");
		return BCPF_NONE;
	}
	if (need > L->pool_cap) {
		uint8_t *p = grow_array(L, t->strings, t->strings_len, &L->pool_cap, 1,
					(uint32_t)need);
		if (!p)
			return BCPF_NONE;
		t->strings = p;
	}
	off = t->strings_len;
	bcpf_put16(t->strings + off, (uint16_t)n);
	memcpy(t->strings + off + 2, s, n);
	t->strings[off + 2 + n] = 0;
	t->strings_len = (uint32_t)need;
	if (strmap_put(&L->pool, s, off) == STRMAP_NONE) {
		oom(L);
		return BCPF_NONE;
	}
	return off;
}

/* The bytes and length of the record at strref r. */
static const uint8_t *str_bytes(const struct tables *t, uint32_t r, size_t *n)
{
	*n = bcpf_u16(t->strings + r);
	return t->strings + r + 2;
}

/* ---- segments ---- */

static int lower_segments(struct lower *L)
{
	const struct model *m = L->m;
	struct tables *t = L->t;
	uint32_t nports = 0;

	L->seg_index = alloc_array(L, m->nsegments, sizeof *L->seg_index);
	t->segments = alloc_array(L, m->nsegments, sizeof *t->segments);
	t->groups = alloc_array(L, m->ngroups, sizeof *t->groups);
	L->members = alloc_array(L, m->ngroups, sizeof *L->members);
	L->nmembers = alloc_array(L, m->ngroups, sizeof *L->nmembers);
	if (L->failed)
		return -1;
	for (uint32_t i = 0; i < m->ngroups; i++)
		if ((t->groups[i] = str_ref(L, m->groups[i].name)) == BCPF_NONE)
			return -1;
	t->ngroups = m->ngroups;
	for (uint32_t s = 0; s < m->nsegments; s++) {
		const struct m_segment *g = &m->segments[s];
		L->seg_index[s] = BCPF_NONE;
		if (!g->enabled)
			continue;
		for (int p = 0; p < PROTO_COUNT; p++)
			if (g->ports[p].n > UINT16_MAX)
				return fail(L, "segment \"%s\" has more port ranges than the blob can hold",
					    g->name);
		nports += g->ports[PROTO_TCP].n + g->ports[PROTO_UDP].n;
		L->seg_index[s] = t->nsegments++;
		L->nmembers[g->group]++;
	}
	t->ports = alloc_array(L, nports, sizeof *t->ports);
	for (uint32_t i = 0; i < m->ngroups && !L->failed; i++) {
		L->members[i] = alloc_array(L, L->nmembers[i], sizeof **L->members);
		L->nmembers[i] = 0;
	}
	if (L->failed)
		return -1;
	for (uint32_t s = 0; s < m->nsegments; s++) {
		const struct m_segment *g = &m->segments[s];
		if (L->seg_index[s] == BCPF_NONE)
			continue;
		struct t_segment *ts = &t->segments[L->seg_index[s]];
		if ((ts->name = str_ref(L, g->name)) == BCPF_NONE)
			return -1;
		ts->group = g->group;
		ts->ports = t->nports;
		ts->ntcp = (uint16_t)g->ports[PROTO_TCP].n;
		ts->nudp = (uint16_t)g->ports[PROTO_UDP].n;
		ts->match = g->match == MATCH_INCLUSIVE;
		ts->bypass = g->bypass == BYPASS_ALWAYS ? 1 : g->bypass == BYPASS_ON_NET ? 2 : 0;
		for (int p = 0; p < PROTO_COUNT; p++)
			for (uint32_t i = 0; i < g->ports[p].n; i++)
				t->ports[t->nports++] = g->ports[p].r[i];
		L->members[g->group][L->nmembers[g->group]++] = s;
	}
	return 0;
}

/* The segref of a pattern: one enabled segment, a new seglist, or none. */
static uint32_t pattern_segref(struct lower *L, const struct m_pattern *p)
{
	struct tables *t = L->t;
	uint32_t n = 0, one = BCPF_NONE;
	for (uint32_t j = 0; j < p->nsegs; j++)
		if (L->seg_index[p->segs[j]] != BCPF_NONE) {
			one = L->seg_index[p->segs[j]];
			n++;
		}
	if (n < 2)
		return one;
	if (t->nseglists >= BCPF_SEGLIST) {
		fail(L, "too many segment lists for the blob format");
		return BCPF_NONE;
	}
	uint32_t start = t->nseglists;
	t->seglists[t->nseglists++] = n;
	for (uint32_t j = 0; j < p->nsegs; j++)
		if (L->seg_index[p->segs[j]] != BCPF_NONE)
			t->seglists[t->nseglists++] = L->seg_index[p->segs[j]];
	return BCPF_SEGLIST | start;
}

/* ---- hash placement ---- */

typedef uint64_t (*item_hash_fn)(const struct tables *t, uint32_t item, uint64_t seed);

/* Item k is node k + 1. build_hash asks for the items in order, and a parent comes
 * before its children, so each node's key chains from its parent's, computed for
 * this seed just before (the root's key is the seed). The keys of the last seed
 * tried, the one kept, stay in node_key for the slots' tags. */
static uint64_t host_item_hash(const struct tables *t, uint32_t item, uint64_t seed)
{
	const struct t_node *nd = &t->nodes[item + 1];
	size_t n;
	const uint8_t *label = str_bytes(t, nd->label, &n);
	t->node_key[0] = seed;
	t->node_key[item + 1] = bcpf_hash_suffix(t->node_key[nd->parent], (const char *)label, n);
	return t->node_key[item + 1];
}

static uint32_t addr4_number(const uint8_t a[4])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

static uint64_t addr4_item_hash(const struct tables *t, uint32_t item, uint64_t seed)
{
	const struct prefix *p = &t->addr4[item].p;
	return bcpf_hash_addr4(seed, p->len, addr4_number(p->addr));
}

static uint64_t addr6_item_hash(const struct tables *t, uint32_t item, uint64_t seed)
{
	const struct prefix *p = &t->addr6[item].p;
	return bcpf_hash_addr6(seed, p->len, p->addr);
}

static uint64_t pred_item_hash(const struct tables *t, uint32_t item, uint64_t seed)
{
	const struct t_pred *pr = &t->preds[item];
	size_t alen = 0, vlen;
	const uint8_t *attr = pr->attr != BCPF_NONE ? str_bytes(t, pr->attr, &alen) : NULL;
	const uint8_t *value = str_bytes(t, pr->value, &vlen);
	return bcpf_pred_key(seed, pr->kind, attr, alen, value, vlen,
			     bcpf_attr(pr->kind)->compare == BCPF_UPPER);
}

/* Places items 0..count-1 in order by linear probing with Robin Hood displacement:
 * a newcomer that is further from home than a resident takes the slot and the resident
 * moves on. Lookups are plain linear probing (every slot between a key's home and the
 * key is occupied); Robin Hood only keeps the longest distance short. Returns -1 when
 * some key would land more than BCPF_MAX_PROBE slots from home. */
static int place_items(uint32_t *slots, uint32_t nslots, const uint32_t *home, uint32_t count,
		       uint32_t *max_probe)
{
	for (uint32_t i = 0; i < count; i++) {
		uint32_t cur = i, pos = home[i], d = 0;
		while (slots[pos]) {
			uint32_t r = slots[pos] - 1;
			uint32_t rd = pos >= home[r] ? pos - home[r] : pos + nslots - home[r];
			if (rd < d) {
				slots[pos] = cur + 1;
				cur = r;
				d = rd;
			}
			if (++pos == nslots)
				pos = 0;
			if (++d > BCPF_MAX_PROBE)
				return -1;
		}
		slots[pos] = cur + 1;
	}
	*max_probe = 0;
	for (uint32_t pos = 0; pos < nslots; pos++) {
		if (!slots[pos])
			continue;
		uint32_t h = home[slots[pos] - 1];
		uint32_t d = pos >= h ? pos - h : pos + nslots - h;
		if (d > *max_probe)
			*max_probe = d;
	}
	return 0;
}

/* Builds a table of about count * (1 + 1/spare) slots (at least count + 1 and 2),
 * trying seeds from LOWER_SEED0 up, and growing by 10% after every SEED_TRIES
 * failures. */
/* host_index gets count + count / HOST_SPARE slots: at load 1/2 a lookup of a
 * suffix that is there reads 1.5 slots on average, against 3.0 at the 0.8 of the
 * other tables, and decisions were 10-15% faster for 4 bytes more per host pattern
 * (docs/BENCHMARKS.md). */
#ifndef HOST_SPARE
#define HOST_SPARE 1
#endif
static int build_hash(struct lower *L, uint32_t count, uint32_t spare, item_hash_fn hash,
		      struct hash_table *ht, const char *what)
{
	uint64_t n = (uint64_t)count + count / spare;
	uint64_t seed = LOWER_SEED0;
	uint32_t *home = alloc_array(L, count, sizeof *home), *slots = NULL, cap = 0;
	if (!home)
		return -1;
	if (n < (uint64_t)count + 1)
		n = (uint64_t)count + 1;
	if (n < 2)
		n = 2;
	for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++, seed++) {
		if (attempt > 0 && attempt % SEED_TRIES == 0)
			n += n / 10 ? n / 10 : 1;
		if (n > UINT32_MAX || n * 4 > BCPF_MAX_BLOB)
			break;
		if (n > cap) {
			slots = alloc_array(L, (size_t)n, sizeof *slots);
			if (!slots)
				return -1;
			cap = (uint32_t)n;
		} else {
			memset(slots, 0, (size_t)n * sizeof *slots);
		}
		for (uint32_t i = 0; i < count; i++)
			home[i] = bcpf_hash_slot(hash(L->t, i, seed), (uint32_t)n);
		if (place_items(slots, (uint32_t)n, home, count, &ht->max_probe) == 0) {
			ht->nslots = (uint32_t)n;
			ht->seed = seed;
			ht->slots = slots;
			return 0;
		}
	}
	return fail(L, "cannot place the %u keys of the %s hash table within %d probes",
		    count, what, BCPF_MAX_PROBE);
}

/* ---- host names ---- */

static int label_ok(const char *s, size_t n)
{
	if (n < 1 || n > 63)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* The node for label s[0..n) under parent, created if new. BCPF_NONE on failure. */
static uint32_t child_node(struct lower *L, uint32_t parent, const char *s, size_t n)
{
	struct tables *t = L->t;
	char *label = arena_strndup(L->a, s, n);
	char *key = arena_printf(L->a, "%u/%.*s", (unsigned)parent, (int)n, s);
	if (!label || !key) {
		oom(L);
		return BCPF_NONE;
	}
	uint32_t at = strmap_put(&L->node_map, key, t->nnodes);
	if (at == STRMAP_NONE) {
		oom(L);
		return BCPF_NONE;
	}
	if (at != t->nnodes)
		return at;
	if (!label_ok(s, n)) {
		fail(L, "host label \"%s\" cannot go in the blob (1..63 bytes of a-z, 0-9, '-', '_')",
		     label);
		return BCPF_NONE;
	}
	if (L->depth[parent] + 1 > BCPF_MAX_DEPTH) {
		fail(L, "host pattern with more than %d labels", BCPF_MAX_DEPTH);
		return BCPF_NONE;
	}
	struct t_node *nd = &t->nodes[t->nnodes];
	nd->parent = parent;
	if ((nd->label = str_ref(L, label)) == BCPF_NONE)
		return BCPF_NONE;
	nd->exact = nd->wild = BCPF_NONE;
	L->depth[t->nnodes] = L->depth[parent] + 1;
	if (L->depth[t->nnodes] > t->max_depth)
		t->max_depth = L->depth[t->nnodes];
	return t->nnodes++;
}

/* Adds one host pattern: its suffixes as nodes, its segref on the last one. */
static int add_host_pattern(struct lower *L, const struct m_pattern *p)
{
	const char *name = p->host;
	int wild = 0;
	if (!strcmp(name, "*")) {
		name = "";
		wild = 1;
	} else if (!strncmp(name, "*.", 2)) {
		name += 2;
		wild = 1;
	}
	uint32_t node = 0;
	size_t end = strlen(name);
	while (end > 0) {
		size_t start = end;
		while (start > 0 && name[start - 1] != '.')
			start--;
		node = child_node(L, node, name + start, end - start);
		if (node == BCPF_NONE)
			return -1;
		end = start ? start - 1 : 0;
	}
	uint32_t ref = pattern_segref(L, p);
	if (L->failed)
		return -1;
	uint32_t *slot = wild ? &L->t->nodes[node].wild : &L->t->nodes[node].exact;
	if (*slot != BCPF_NONE)
		return fail(L, "host pattern \"%s\" appears twice in the model", p->host);
	*slot = ref;
	return 0;
}

static int lower_patterns(struct lower *L)
{
	const struct model *m = L->m;
	struct tables *t = L->t;
	uint64_t maxnodes = 1, nlists = 0;

	for (uint32_t i = 0; i < m->npatterns; i++) {
		const struct m_pattern *p = &m->patterns[i];
		if (!p->is_addr)
			maxnodes += (uint64_t)host_labels(p->host);
		if (p->nsegs >= 2)
			nlists += 1 + (uint64_t)p->nsegs;
		if (p->is_addr && p->prefix.family == 4)
			t->naddr4++;
		else if (p->is_addr)
			t->naddr6++;
	}
	if (maxnodes > UINT32_MAX || nlists > UINT32_MAX)
		return fail(L, "too many host patterns for the blob format");
	t->nodes = alloc_array(L, (size_t)maxnodes, sizeof *t->nodes);
	t->node_key = alloc_array(L, (size_t)maxnodes, sizeof *t->node_key);
	L->depth = alloc_array(L, (size_t)maxnodes, sizeof *L->depth);
	t->seglists = alloc_array(L, (size_t)nlists, sizeof *t->seglists);
	t->addr4 = alloc_array(L, t->naddr4, sizeof *t->addr4);
	t->addr6 = alloc_array(L, t->naddr6, sizeof *t->addr6);
	if (L->failed)
		return -1;
	t->nodes[0].parent = t->nodes[0].label = BCPF_NONE;
	t->nodes[0].exact = t->nodes[0].wild = BCPF_NONE;
	t->nnodes = 1;
	t->naddr4 = t->naddr6 = 0;
	for (uint32_t i = 0; i < m->npatterns; i++) {
		const struct m_pattern *p = &m->patterns[i];
		if (!p->is_addr) {
			if (add_host_pattern(L, p))
				return -1;
			continue;
		}
		struct t_addr *ta = p->prefix.family == 4 ? &t->addr4[t->naddr4++] :
							    &t->addr6[t->naddr6++];
		ta->p = p->prefix;
		ta->segref = pattern_segref(L, p);
		if (L->failed)
			return -1;
		if (p->prefix.family == 4)
			t->lenmask4 |= (uint64_t)1 << p->prefix.len;
		else
			t->lenmask6[p->prefix.len / 64] |= (uint64_t)1 << (p->prefix.len % 64);
	}
	if (build_hash(L, t->nnodes - 1, HOST_SPARE, host_item_hash, &t->host_index, "host name"))
		return -1;
	if (build_hash(L, t->naddr4, 4, addr4_item_hash, &t->addr4_index, "IPv4 address"))
		return -1;
	return build_hash(L, t->naddr6, 4, addr6_item_hash, &t->addr6_index, "IPv6 address");
}

/* ---- predicates and clauses ---- */

/* The index of predicate (kind of at, its attribute, value), added if new. */
static uint32_t pred_ref(struct lower *L, const struct m_atom *at, const char *value)
{
	struct tables *t = L->t;
	uint8_t kind = (uint8_t)atom_pred_kind(at->kind);
	int has_attr = kind && bcpf_attr(kind)->shape == BCPF_MAP;
	const char *attr = has_attr && at->attr ? at->attr : "";
	if (!kind || (has_attr && !at->attr)) {
		fail(L, "'%s' condition cannot be a user predicate", atom_kind_names[at->kind]);
		return BCPF_NONE;
	}
	/* The attribute's length makes the key unambiguous whatever the bytes. */
	char *key = arena_printf(L->a, "%u/%zu/%s/%s", (unsigned)kind, strlen(attr), attr, value);
	if (!key) {
		oom(L);
		return BCPF_NONE;
	}
	uint32_t at_index = strmap_put(&L->pred_map, key, t->npreds);
	if (at_index == STRMAP_NONE) {
		oom(L);
		return BCPF_NONE;
	}
	if (at_index != t->npreds)
		return at_index;
	struct t_pred *pr = &t->preds[t->npreds];
	pr->kind = kind;
	pr->attr = has_attr ? str_ref(L, at->attr) : BCPF_NONE;
	pr->value = str_ref(L, value);
	if (L->failed)
		return BCPF_NONE;
	return t->npreds++;
}

/* A negated or IdP-scoped atom's value: two words (FORMAT.md 12). */
static int lower_ext_value(struct lower *L, const struct m_atom *at, uint32_t p)
{
	struct tables *t = L->t;
	uint32_t scope = BCPF_NONE;
	if (at->idp) {
		struct m_atom idp = { .kind = A_IDP };
		if ((scope = pred_ref(L, &idp, at->idp)) == BCPF_NONE)
			return -1;
	}
	if (p > BCPF_ATOM_PRED || (scope != BCPF_NONE && scope > BCPF_ATOM_PRED))
		return fail(L, "more predicates than the blob format holds");
	t->clause_preds[t->nclause_preds++] = BCPF_ATOM_EXT | (at->negated ? BCPF_ATOM_NEG : 0) | p;
	t->clause_preds[t->nclause_preds++] = scope;
	return 0;
}

/* A user clause (OR of atoms, each an OR of values) becomes one run of predicates;
 * a negated or scoped atom's values two words each. */
static int lower_user_clause(struct lower *L, const struct m_clause *c)
{
	struct tables *t = L->t;
	uint32_t mark = t->nclauses + 1;
	struct t_clause *tc = &t->clauses[t->nclauses++];
	tc->first = t->nclause_preds;
	tc->negated = c->negated != 0;
	for (uint32_t i = 0; i < c->natoms; i++) {
		const struct m_atom *at = &c->atoms[i];
		for (uint32_t j = 0; j < at->nvalues; j++) {
			uint32_t p = pred_ref(L, at, at->values[j]);
			if (p == BCPF_NONE)
				return -1;
			if (at->negated || at->idp) {
				if (lower_ext_value(L, at, p))
					return -1;
				continue;
			}
			if (L->pred_mark[p] == mark)
				continue;
			L->pred_mark[p] = mark;
			t->clause_preds[t->nclause_preds++] = p;
		}
	}
	uint32_t n = t->nclause_preds - tc->first;
	if (n == 0)
		return fail(L, "a user clause with no values");
	if (n > UINT16_MAX)
		return fail(L, "a clause lists %u values; the blob holds at most 65535", n);
	tc->n = (uint16_t)n;
	return 0;
}

/* Marks the enabled segments an app clause names; the first clause of a rule
 * also collects them as candidates. */
static void visit_segment(struct lower *L, uint32_t s, int first)
{
	if (L->seg_index[s] == BCPF_NONE || L->mark[s] == L->gen)
		return;
	L->mark[s] = L->gen;
	if (first)
		L->cand[L->ncand++] = s;
}

static void mark_app_clause(struct lower *L, const struct m_clause *c, int first)
{
	L->gen++;
	for (uint32_t i = 0; i < c->natoms; i++) {
		const struct m_atom *at = &c->atoms[i];
		for (uint32_t j = 0; j < at->nvalues; j++) {
			uint32_t id = at->ids[j];
			if (at->kind == A_SEGMENT)
				visit_segment(L, id, first);
			else
				for (uint32_t k = 0; k < L->nmembers[id]; k++)
					visit_segment(L, L->members[id][k], first);
		}
	}
	if (first)
		return;
	uint32_t kept = 0;
	for (uint32_t i = 0; i < L->ncand; i++)
		if (L->mark[L->cand[i]] == L->gen)
			L->cand[kept++] = L->cand[i];
	L->ncand = kept;
}

static int u32_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return (a > b) - (a < b);
}

/* The clause run of a rule or profile; app clauses (rules only) narrow L->cand. */
static int lower_clauses(struct lower *L, const struct m_clause *cl, uint32_t n,
			 const char *owner, uint32_t *first, uint16_t *count, uint32_t *napp)
{
	struct tables *t = L->t;
	*first = t->nclauses;
	*napp = 0;
	L->ncand = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (cl[i].app) {
			mark_app_clause(L, &cl[i], *napp == 0);
			(*napp)++;
		} else if (lower_user_clause(L, &cl[i])) {
			return -1;
		}
	}
	if (t->nclauses - *first > UINT16_MAX)
		return fail(L, "\"%s\" has more than 65535 clauses", owner);
	*count = (uint16_t)(t->nclauses - *first);
	return 0;
}

static int lower_rules_profiles(struct lower *L)
{
	const struct model *m = L->m;
	struct tables *t = L->t;
	uint64_t nclauses = 0, nvalues = 0;

	for (uint32_t r = 0; r < m->nrules + m->nprofiles; r++) {
		const struct m_clause *cl = r < m->nrules ? m->rules[r].clauses :
							     m->profiles[r - m->nrules].when;
		uint32_t n = r < m->nrules ? m->rules[r].nclauses : m->profiles[r - m->nrules].nwhen;
		for (uint32_t i = 0; i < n; i++) {
			if (cl[i].app)
				continue;
			nclauses++;
			for (uint32_t j = 0; j < cl[i].natoms; j++)   /* two words, an idp predicate */
				nvalues += cl[i].atoms[j].nvalues *
					   (cl[i].atoms[j].negated || cl[i].atoms[j].idp ? 2u : 1u);
		}
	}
	if (nclauses > UINT32_MAX || nvalues > UINT32_MAX)
		return fail(L, "too many conditions for the blob format");
	t->rules = alloc_array(L, m->nrules, sizeof *t->rules);
	t->profiles = alloc_array(L, m->nprofiles, sizeof *t->profiles);
	t->clauses = alloc_array(L, (size_t)nclauses, sizeof *t->clauses);
	t->preds = alloc_array(L, (size_t)nvalues, sizeof *t->preds);
	t->clause_preds = alloc_array(L, (size_t)nvalues, sizeof *t->clause_preds);
	L->pred_mark = alloc_array(L, (size_t)nvalues, sizeof *L->pred_mark);
	L->mark = alloc_array(L, m->nsegments, sizeof *L->mark);
	L->cand = alloc_array(L, m->nsegments, sizeof *L->cand);
	if (L->failed)
		return -1;

	for (uint32_t r = 0; r < m->nrules; r++) {
		const struct m_rule *mr = &m->rules[r];
		struct t_rule *tr = &t->rules[t->nrules++];
		uint32_t napp;
		if ((tr->name = str_ref(L, mr->name)) == BCPF_NONE)
			return -1;
		tr->allow = mr->allow != 0;
		if (lower_clauses(L, mr->clauses, mr->nclauses, mr->name, &tr->clauses,
				  &tr->nclauses, &napp))
			return -1;
		tr->segs = t->nrule_segs;
		tr->all_segments = napp == 0;
		if (napp == 0)
			continue;
		qsort(L->cand, L->ncand, sizeof *L->cand, u32_cmp);
		uint64_t need = (uint64_t)t->nrule_segs + L->ncand;
		if (need > UINT32_MAX)
			return fail(L, "the rules name too many segments for the blob format");
		if (need > L->rule_segs_cap) {
			uint32_t *p = grow_array(L, t->rule_segs, t->nrule_segs, &L->rule_segs_cap,
						 sizeof *p, (uint32_t)need);
			if (!p)
				return -1;
			t->rule_segs = p;
		}
		for (uint32_t i = 0; i < L->ncand; i++)
			t->rule_segs[t->nrule_segs++] = L->seg_index[L->cand[i]];
		tr->nsegs = L->ncand;
	}
	for (uint32_t i = 0; i < m->nprofiles; i++) {
		const struct m_profile *mp = &m->profiles[i];
		struct t_profile *tp = &t->profiles[t->nprofiles++];
		uint32_t napp;
		if ((tp->name = str_ref(L, mp->name)) == BCPF_NONE)
			return -1;
		if (lower_clauses(L, mp->when, mp->nwhen, mp->name, &tp->clauses, &tp->nclauses,
				  &napp))
			return -1;
		if (napp)
			return fail(L, "app profile \"%s\" has a segment condition", mp->name);
	}
	return build_hash(L, t->npreds, 4, pred_item_hash, &t->pred_index, "predicate");
}

struct tables *lower_model(const struct model *m, struct arena *a, char *err, size_t errlen)
{
	struct lower L = { .m = m, .a = a, .err = err, .errlen = errlen };
	if (errlen)
		err[0] = '\0';
	L.t = alloc_array(&L, 1, sizeof *L.t);
	if (!L.t)
		return NULL;
	strmap_init(&L.pool, a);
	strmap_init(&L.node_map, a);
	strmap_init(&L.pred_map, a);
	/* The empty string sits at offset 0, so a zeroed strref is still a valid one. */
	if (str_ref(&L, "") != 0)
		return NULL;
	if (lower_segments(&L) || lower_patterns(&L) || lower_rules_profiles(&L))
		return NULL;
	return L.t;
}
