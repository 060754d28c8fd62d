/* check_patterns.c - the pattern index of the model: every host pattern and address
 * prefix of the enabled segments, with the segments that list it, sorted; and the
 * checks that need it (shared patterns must not overlap in ports, and must agree on
 * the match style). */
#include "check_int.h"
#include "check.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One (pattern, segment) occurrence while the index is built. */
struct occ {
	uint32_t pattern, seg;
	struct loc loc;
};

int m_pattern_cmp(const void *x, const void *y)
{
	const struct m_pattern *a = x, *b = y;
	if (a->is_addr != b->is_addr)
		return a->is_addr - b->is_addr;
	if (!a->is_addr)
		return strcmp(a->host, b->host);
	if (a->prefix.family != b->prefix.family)
		return a->prefix.family - b->prefix.family;
	int r = memcmp(a->prefix.addr, b->prefix.addr, 16);
	return r ? r : a->prefix.len - b->prefix.len;
}

static const char *pattern_text(const struct m_pattern *p, char buf[64])
{
	return p->is_addr ? prefix_format(&p->prefix, buf) : p->host;
}

/* One port range of one segment of a shared pattern, for the overlap sweep. */
struct span {
	uint16_t lo, hi;
	uint32_t k;        /* index into the pattern's segments */
};

static int span_cmp(const void *x, const void *y)
{
	const struct span *a = x, *b = y;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return a->k < b->k ? -1 : a->k > b->k;
}

/* All segments of a pattern must agree on the match style, and no two may serve the
 * same port of one protocol. Both checks cost O(k log k) in the k segments that
 * share the pattern, so a pattern listed by thousands of segments stays cheap. */
static void check_pattern_conflicts(struct checker *c, struct m_pattern *p,
				    const struct loc *locs)
{
	static const char *const proto_names[] = { "tcp", "udp" };
	const struct m_segment *segs = c->m->segments;
	char buf[64];
	uint32_t first[2] = { UINT32_MAX, UINT32_MAX };   /* first segment of each style */

	for (uint32_t j = 0; j < p->nsegs; j++) {
		const struct m_segment *b = &segs[p->segs[j]];
		uint32_t i = first[!b->match];
		if (first[b->match] == UINT32_MAX)
			first[b->match] = j;
		if (i == UINT32_MAX || i > j)
			continue;
		const struct m_segment *a = &segs[p->segs[i]];
		diag_add(c->d, SEV_ERROR, locs[j],
			 "give every segment with this pattern the same 'match'",
			 "pattern %s is %s in segment \"%s\" but %s in segment \"%s\"",
			 pattern_text(p, buf), a->match ? "inclusive" : "exclusive", a->name,
			 b->match ? "inclusive" : "exclusive", b->name);
		diag_add(c->d, SEV_NOTE, locs[i], NULL, "segment \"%s\" lists it here", a->name);
	}

	for (int pr = 0; pr < PROTO_COUNT; pr++) {
		uint32_t n = 0;
		for (uint32_t k = 0; k < p->nsegs; k++)
			n += segs[p->segs[k]].ports[pr].n;
		struct span *sp = arena_array(c->a, n, sizeof *sp);
		if (!sp)
			return;
		n = 0;
		for (uint32_t k = 0; k < p->nsegs; k++) {
			const struct port_set *ps = &segs[p->segs[k]].ports[pr];
			for (uint32_t r = 0; r < ps->n; r++)
				sp[n++] = (struct span){ ps->r[r].lo, ps->r[r].hi, k };
		}
		qsort(sp, n, sizeof *sp, span_cmp);
		/* Sweep by start: the range reaching furthest so far is compared with each
		 * next one. Every segment that overlaps another is reported at least once. */
		uint32_t reach = 0, owner = 0, last_i = UINT32_MAX, last_j = UINT32_MAX;
		for (uint32_t e = 0; e < n; e++) {
			if (e > 0 && sp[e].lo <= reach && sp[e].k != owner) {
				uint32_t i = owner < sp[e].k ? owner : sp[e].k;
				uint32_t j = owner < sp[e].k ? sp[e].k : owner;
				unsigned lo = sp[e].lo, hi = sp[e].hi < reach ? sp[e].hi : reach;
				char ports[32];
				if (lo == hi)
					snprintf(ports, sizeof ports, "port %u", lo);
				else
					snprintf(ports, sizeof ports, "ports %u-%u", lo, hi);
				if (i != last_i || j != last_j) {
					const struct m_segment *a = &segs[p->segs[i]], *b = &segs[p->segs[j]];
					diag_add(c->d, SEV_ERROR, locs[j],
						 "segments that share a pattern must serve different ports",
						 "segments \"%s\" and \"%s\" both serve %s on %s %s",
						 a->name, b->name, pattern_text(p, buf), proto_names[pr],
						 ports);
					diag_add(c->d, SEV_NOTE, locs[i], NULL,
						 "segment \"%s\" lists it here", a->name);
					last_i = i;
					last_j = j;
				}
			}
			if (e == 0 || sp[e].hi > reach) {
				reach = sp[e].hi;
				owner = sp[e].k;
			}
		}
	}
}

void build_patterns(struct checker *c)
{
	struct model *m = c->m;
	struct strmap index;
	uint32_t total = 0;
	strmap_init(&index, c->a);
	for (uint32_t s = 0; s < m->nsegments; s++)
		if (m->segments[s].enabled)
			total += m->segments[s].nhosts + m->segments[s].naddrs;
	struct occ *occ = arena_array(c->a, total, sizeof *occ);
	struct m_pattern *pat = arena_array(c->a, total, sizeof *pat);
	uint32_t nocc = 0, npat = 0;
	if (!occ || !pat)
		return;
	for (uint32_t s = 0; s < m->nsegments; s++) {
		const struct m_segment *g = &m->segments[s];
		if (!g->enabled)
			continue;
		for (uint32_t i = 0; i < g->nhosts + g->naddrs; i++) {
			char key[70];
			const char *k;
			if (i < g->nhosts) {
				k = g->hosts[i].name;
			} else {
				key[0] = '@';   /* addresses and hosts never share a key */
				prefix_format(&g->addrs[i - g->nhosts].p, key + 1);
				k = arena_strdup(c->a, key);
				if (!k)
					return;
			}
			uint32_t at = strmap_put(&index, k, npat);
			if (at == STRMAP_NONE)
				return;
			if (at == npat) {
				struct m_pattern *p = &pat[npat++];
				p->is_addr = i >= g->nhosts;
				if (p->is_addr)
					p->prefix = g->addrs[i - g->nhosts].p;
				else
					p->host = k;
				p->match = g->match;
			}
			occ[nocc].pattern = at;
			occ[nocc].seg = s;
			occ[nocc].loc = i < g->nhosts ? g->hosts[i].loc : g->addrs[i - g->nhosts].loc;
			nocc++;
		}
	}
	/* Count, then fill, each pattern's segments (occurrences are in segment order). */
	for (uint32_t i = 0; i < nocc; i++)
		pat[occ[i].pattern].nsegs++;
	struct loc **locs = arena_array(c->a, npat, sizeof *locs);
	if (!locs)
		return;
	for (uint32_t p = 0; p < npat; p++) {
		pat[p].segs = arena_array(c->a, pat[p].nsegs, sizeof *pat[p].segs);
		locs[p] = arena_array(c->a, pat[p].nsegs, sizeof **locs);
		if (!pat[p].segs || !locs[p])
			return;
		pat[p].nsegs = 0;
	}
	for (uint32_t i = 0; i < nocc; i++) {
		struct m_pattern *p = &pat[occ[i].pattern];
		locs[occ[i].pattern][p->nsegs] = occ[i].loc;
		p->segs[p->nsegs++] = occ[i].seg;
	}
	for (uint32_t p = 0; p < npat; p++)
		if (pat[p].nsegs > 1)
			check_pattern_conflicts(c, &pat[p], locs[p]);
	qsort(pat, npat, sizeof *pat, m_pattern_cmp);
	m->patterns = pat;
	m->npatterns = npat;
	for (m->nhost_patterns = 0; m->nhost_patterns < npat && !pat[m->nhost_patterns].is_addr;)
		m->nhost_patterns++;
}
