/* classes.c - the request classes of one or two models (classes.h): the union of
 * their patterns, a representative host per region, and the walk over (region,
 * protocol, port interval) with each model's step 2. */
#include "classes.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the union of the patterns ---- */

static int cmp_prefix(const struct prefix *a, const struct prefix *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int c = memcmp(a->addr, b->addr, 16);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int cmp_pattern(const void *x, const void *y)
{
	const struct cl_pattern *a = x, *b = y;
	if (a->is_addr != b->is_addr)
		return a->is_addr ? 1 : -1;
	return a->is_addr ? cmp_prefix(&a->prefix, &b->prefix) : strcmp(a->host, b->host);
}

/* Every pattern of every model, sorted, the duplicates merged into one entry that
 * keeps each model's index. */
static int gather(struct cl_set *s, struct arena *a)
{
	uint32_t n = 0;
	for (unsigned k = 0; k < s->nm; k++)
		n += s->m[k]->npatterns;
	s->pats = arena_array(a, n ? n : 1, sizeof *s->pats);
	if (!s->pats)
		return -1;
	for (unsigned k = 0; k < s->nm; k++)
		for (uint32_t p = 0; p < s->m[k]->npatterns; p++) {
			const struct m_pattern *mp = &s->m[k]->patterns[p];
			struct cl_pattern *c = &s->pats[s->npats++];
			memset(c, 0, sizeof *c);
			c->is_addr = mp->is_addr;
			c->host = mp->host;
			if (mp->is_addr)
				c->prefix = mp->prefix;
			for (unsigned j = 0; j < CL_MAX_MODELS; j++)
				c->pat[j] = j == k ? (int32_t)p : -1;
		}
	qsort(s->pats, s->npats, sizeof *s->pats, cmp_pattern);
	uint32_t kept = 0;
	for (uint32_t i = 0; i < s->npats; i++) {
		if (kept && cmp_pattern(&s->pats[kept - 1], &s->pats[i]) == 0) {
			for (unsigned j = 0; j < CL_MAX_MODELS; j++)
				if (s->pats[i].pat[j] >= 0)
					s->pats[kept - 1].pat[j] = s->pats[i].pat[j];
			continue;
		}
		s->pats[kept++] = s->pats[i];
	}
	s->npats = kept;
	for (s->nhost = 0; s->nhost < kept && !s->pats[s->nhost].is_addr; s->nhost++)
		;
	return 0;
}

static int32_t find_host(const struct cl_set *s, const char *text)
{
	uint32_t lo = 0, hi = s->nhost;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->pats[mid].host, text);
		if (c == 0)
			return (int32_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int32_t find_prefix(const struct cl_set *s, const struct prefix *p)
{
	uint32_t lo = s->nhost, hi = s->npats;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = cmp_prefix(&s->pats[mid].prefix, p);
		if (c == 0)
			return (int32_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ---- representatives ---- */

/* label.base (base NULL: label alone) when it is no pattern of the union and fits a
 * host name; labels tried: one letter or digit, then "w0".."w999". */
static char *fresh_below(const struct cl_set *s, const char *base, struct arena *a)
{
	static const char one[] = "wxyzqvjkabcdefghilmnoprstu0123456789";
	char label[8], host[NET_HOST_MAX + 8];
	for (unsigned i = 0; i < sizeof one - 1 + 1000; i++) {
		if (i < sizeof one - 1)
			snprintf(label, sizeof label, "%c", one[i]);
		else
			snprintf(label, sizeof label, "w%u", i - (unsigned)(sizeof one - 1));
		int n = snprintf(host, sizeof host, base ? "%s.%s" : "%s", label, base ? base : "");
		if (n > NET_HOST_MAX)
			return NULL;
		/* A last label of digits only would be no host name: "*" alone takes letters. */
		if (!base && label[0] >= '0' && label[0] <= '9')
			continue;
		if (find_host(s, host) < 0)
			return arena_strdup(a, host);
	}
	return NULL;
}

static char *host_rep(const struct cl_set *s, const char *pat, struct arena *a)
{
	if (!strcmp(pat, "*"))
		return fresh_below(s, NULL, a);
	if (pat[0] == '*')
		return fresh_below(s, pat + 2, a);
	return arena_strdup(a, pat);
}

/* Addresses as numbers: IPv4 in the low 32 bits. */
typedef unsigned __int128 u128;

static u128 addr_num(const struct prefix *p)
{
	u128 v = 0;
	for (int i = 0; i < (p->family == 4 ? 4 : 16); i++)
		v = v << 8 | p->addr[i];
	return v;
}

static u128 last_of(const struct prefix *p)
{
	int bits = p->family == 4 ? 32 : 128, host = bits - p->len;
	u128 span = host >= 128 ? ~(u128)0 : ((u128)1 << host) - 1;
	return addr_num(p) | span;
}

static char *addr_text(const struct prefix *fam, u128 v, struct arena *a)
{
	struct prefix p = { .family = fam->family, .len = fam->family == 4 ? 32 : 128 };
	char text[64];
	for (int i = (fam->family == 4 ? 4 : 16) - 1; i >= 0; i--, v >>= 8)
		p.addr[i] = (uint8_t)v;
	prefix_format(&p, text);
	*strchr(text, '/') = '\0';
	return arena_strdup(a, text);
}

/* The first address of prefix i that no longer prefix of the union holds. The
 * prefixes inside it follow it in the sorted union; each pushes the candidate past
 * its end until one starts beyond the candidate: a gap. */
static char *addr_rep(const struct cl_set *s, uint32_t i, struct arena *a)
{
	const struct prefix *p = &s->pats[i].prefix;
	u128 cand = addr_num(p), end = last_of(p);
	for (uint32_t j = i + 1; j < s->npats; j++) {
		const struct prefix *q = &s->pats[j].prefix;
		if (q->family != p->family || addr_num(q) > end)
			break;
		if (addr_num(q) > cand)
			break;
		u128 qe = last_of(q);
		if (qe >= end)
			return NULL;   /* covered to the end */
		if (qe + 1 > cand)
			cand = qe + 1;
	}
	return addr_text(p, cand, a);
}

int cl_build(const struct model *const *m, unsigned nm, struct arena *a, struct cl_set *out)
{
	memset(out, 0, sizeof *out);
	for (unsigned k = 0; k < nm && k < CL_MAX_MODELS; k++)
		out->m[out->nm++] = m[k];
	if (gather(out, a))
		return -1;
	for (uint32_t i = 0; i < out->npats; i++) {
		struct cl_pattern *p = &out->pats[i];
		p->rep = p->is_addr ? addr_rep(out, i, a) : host_rep(out, p->host, a);
		out->nempty += !p->rep;
	}
	return a->failed ? -1 : 0;
}

/* ---- candidate chains ---- */

/* The union patterns a host of region r matches, most specific first (step 1). */
static uint32_t chain_of(const struct cl_set *s, uint32_t r, uint32_t *chain)
{
	const struct cl_pattern *p = &s->pats[r];
	uint32_t n = 0;
	chain[n++] = r;
	if (p->is_addr) {
		for (int len = p->prefix.len - 1; len >= 0; len--) {
			struct prefix q = p->prefix;
			q.len = (uint8_t)len;
			for (int b = len; b < 128; b++)
				q.addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
			int32_t k = find_prefix(s, &q);
			if (k >= 0)
				chain[n++] = (uint32_t)k;
		}
		return n;
	}
	if (!strcmp(p->host, "*"))
		return n;
	char text[NET_HOST_MAX + 3];
	const char *rest = p->host[0] == '*' ? p->host + 2 : p->host;
	for (const char *dot = strchr(rest, '.'); dot; dot = strchr(dot + 1, '.')) {
		snprintf(text, sizeof text, "*.%s", dot + 1);
		int32_t k = find_host(s, text);
		if (k >= 0)
			chain[n++] = (uint32_t)k;
	}
	int32_t star = find_host(s, "*");
	if (star >= 0 && (uint32_t)star != r)
		chain[n++] = (uint32_t)star;
	return n;
}

/* ---- port intervals ---- */

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

/* The starts of the port intervals: 1 and every lo and hi + 1 of the ports of proto
 * of the segments of the chain's patterns, in every model. Sorted, unique. */
static uint32_t boundaries(const struct cl_set *s, const uint32_t *chain, uint32_t n, int proto,
			   uint32_t **buf, uint32_t *cap)
{
	uint32_t nb = 0;
	for (unsigned k = 0; k < s->nm; k++)
		for (uint32_t i = 0; i < n; i++) {
			int32_t mp = s->pats[chain[i]].pat[k];
			if (mp < 0)
				continue;
			const struct m_pattern *pat = &s->m[k]->patterns[mp];
			for (uint32_t j = 0; j < pat->nsegs; j++) {
				const struct port_set *ps = &s->m[k]->segments[pat->segs[j]].ports[proto];
				for (uint32_t r = 0; r < ps->n; r++) {
					if (nb + 3 > *cap) {
						uint32_t c = *cap ? *cap * 2 : 256;
						uint32_t *p = realloc(*buf, c * sizeof *p);
						if (!p)
							return 0;
						*buf = p, *cap = c;
					}
					(*buf)[nb++] = ps->r[r].lo;
					(*buf)[nb++] = (uint32_t)ps->r[r].hi + 1;
				}
			}
		}
	if (nb + 1 > *cap) {
		uint32_t *p = realloc(*buf, (nb + 1) * sizeof *p);
		if (!p)
			return 0;
		*buf = p, *cap = nb + 1;
	}
	(*buf)[nb++] = 1;
	qsort(*buf, nb, sizeof **buf, cmp_u32);
	uint32_t kept = 0;
	for (uint32_t i = 0; i < nb; i++)
		if ((*buf)[i] <= 65535 && (!kept || (*buf)[kept - 1] != (*buf)[i]))
			(*buf)[kept++] = (*buf)[i];
	return kept;
}

/* Model k's step 2 for class c over its chain, leaving out union pattern `skip`
 * (UINT32_MAX: none). */
static void select_side(const struct cl_set *s, const struct cl_class *c, unsigned k,
			uint32_t skip, struct cl_side *out)
{
	uint32_t pats[REF_MAX_SELECTED];
	uint32_t np = 0;
	for (uint32_t i = 0; i < c->nchain && np < REF_MAX_SELECTED; i++)
		if (c->chain[i] != skip && s->pats[c->chain[i]].pat[k] >= 0)
			pats[np++] = (uint32_t)s->pats[c->chain[i]].pat[k];
	out->matched = ref_select(s->m[k], pats, np, c->lo, c->proto, out->S, &out->nS);
}

/* Each model's step 2 for the class c over its chain. */
static void select_sides(const struct cl_set *s, struct cl_class *c)
{
	for (unsigned k = 0; k < s->nm; k++)
		select_side(s, c, k, UINT32_MAX, &c->side[k]);
}

void cl_select_without(const struct cl_set *s, const struct cl_class *c, unsigned k,
		       uint32_t without, struct cl_side *out)
{
	select_side(s, c, k, without, out);
}

static int each_in_region(const struct cl_set *s, uint32_t r, uint32_t **buf, uint32_t *cap,
			  cl_visit visit, void *ctx)
{
	uint32_t chain[REF_MAX_SELECTED];
	uint32_t n = chain_of(s, r, chain);
	struct cl_class c;
	c.pattern = r;
	c.chain = chain;
	c.nchain = n;
	for (int proto = 0; proto < PROTO_COUNT; proto++) {
		uint32_t nb = boundaries(s, chain, n, proto, buf, cap);
		if (!nb)
			return -1;
		c.proto = proto == PROTO_UDP ? BCP_UDP : BCP_TCP;
		for (uint32_t i = 0; i < nb; i++) {
			c.lo = (uint16_t)(*buf)[i];
			c.hi = (uint16_t)(i + 1 < nb ? (*buf)[i + 1] - 1 : 65535);
			select_sides(s, &c);
			int rc = visit(ctx, s, &c);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int cl_each(const struct cl_set *s, cl_visit visit, void *ctx)
{
	uint32_t *buf = NULL, cap = 0;
	int rc = 0;
	for (uint32_t r = 0; r < s->npats && !rc; r++)
		if (s->pats[r].rep)
			rc = each_in_region(s, r, &buf, &cap, visit, ctx);
	free(buf);
	return rc;
}

/* ---- locating a host ---- */

int32_t cl_locate(const struct cl_set *s, const char *host)
{
	struct prefix a;
	char name[NET_HOST_MAX + 1], text[NET_HOST_MAX + 3];
	size_t n = strlen(host);
	if (addr_parse_host(host, n, &a) == 0) {
		for (int len = a.len; len >= 0; len--) {
			a.len = (uint8_t)len;
			for (int b = len; b < 128; b++)
				a.addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
			int32_t k = find_prefix(s, &a);
			if (k >= 0)
				return k;
		}
		return -1;
	}
	if (host_normalize(host, n, name, NULL) != HOST_OK || strchr(name, '*'))
		return -2;
	int32_t k = find_host(s, name);
	for (const char *dot = strchr(name, '.'); k < 0 && dot; dot = strchr(dot + 1, '.')) {
		snprintf(text, sizeof text, "*.%s", dot + 1);
		k = find_host(s, text);
	}
	return k >= 0 ? k : find_host(s, "*");
}

const char *cl_pattern_text(const struct cl_pattern *p, char *buf, size_t n)
{
	char text[64];
	snprintf(buf, n, "%s", p->is_addr ? prefix_format(&p->prefix, text) : p->host);
	return buf;
}
