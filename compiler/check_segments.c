/* check_segments.c - segment groups and segments: their names, hosts, addresses
 * and ports, normalized into the model. It reads the syntax tree and never
 * changes it. */
#include "check_int.h"
#include "idn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- segment groups ---- */

void check_groups(struct checker *c, struct stmt *stmts)
{
	struct model *m = c->m;
	uint32_t n = 0;
	for (struct stmt *s = stmts; s; s = s->next)
		n += s->kind == ST_GROUP;
	m->groups = arena_array(c->a, n, sizeof *m->groups);
	if (!m->groups)
		return;
	for (struct stmt *s = stmts; s; s = s->next) {
		if (s->kind != ST_GROUP ||
		    !declare_name(c, &c->groups, "segment group", s->name, s->name_loc, m->ngroups,
				  &m->groups[0].loc, sizeof *m->groups))
			continue;
		m->groups[m->ngroups].name = s->name;
		m->groups[m->ngroups].loc = s->name_loc;
		m->ngroups++;
	}
}

/* ---- segments ---- */

static const char *const segment_keys[] = { "group", "domains", "addresses", "tcp", "udp",
					    "match", "bypass", "enabled" };

static int ports_cmp(const void *x, const void *y)
{
	const struct port_range *a = x, *b = y;
	return a->lo != b->lo ? (a->lo < b->lo ? -1 : 1) : (a->hi < b->hi ? -1 : a->hi > b->hi);
}

/* Sorts and merges overlapping or adjacent ranges in place. */
static void ports_normalize(struct port_set *ps)
{
	if (ps->n == 0)
		return;
	qsort(ps->r, ps->n, sizeof *ps->r, ports_cmp);
	uint32_t o = 0;
	for (uint32_t i = 1; i < ps->n; i++) {
		if ((uint32_t)ps->r[i].lo <= (uint32_t)ps->r[o].hi + 1) {
			if (ps->r[i].hi > ps->r[o].hi)
				ps->r[o].hi = ps->r[i].hi;
		} else {
			ps->r[++o] = ps->r[i];
		}
	}
	ps->n = o + 1;
}

static void segment_ports(struct checker *c, struct prop *p, struct port_set *ps)
{
	int n = value_count(p->values);
	struct port_range *r = arena_array(c->a, ps->n + (uint32_t)n, sizeof *r);
	if (!r)
		return;
	if (ps->n)
		memcpy(r, ps->r, ps->n * sizeof *r);
	ps->r = r;
	for (struct value *v = p->values; v; v = v->next) {
		uint64_t lo, hi;
		if (v->kind == VAL_INT) {
			lo = hi = v->a;
		} else if (v->kind == VAL_RANGE) {
			lo = v->a;
			hi = v->b;
		} else {
			diag_add(c->d, SEV_ERROR, v->loc, "write ports as 443 or as a range 3200-3299",
				 "'%s' takes ports, not %s", p->key, value_kind_name(v->kind));
			continue;
		}
		if (lo < 1 || lo > 65535 || hi < 1 || hi > 65535) {
			diag_error(c->d, v->loc, "port %llu out of range (1..65535)",
				   (unsigned long long)(lo < 1 || lo > 65535 ? lo : hi));
			continue;
		}
		if (lo > hi) {
			char hint[64];
			snprintf(hint, sizeof hint, "write %llu-%llu", (unsigned long long)hi,
				 (unsigned long long)lo);
			diag_add(c->d, SEV_ERROR, v->loc, hint, "reversed port range %llu-%llu",
				 (unsigned long long)lo, (unsigned long long)hi);
			continue;
		}
		r[ps->n].lo = (uint16_t)lo;
		r[ps->n].hi = (uint16_t)hi;
		ps->n++;
	}
}

/* host_normalize() refuses "app.123" as an address, since resolvers may read a
 * numeric last label as IPv4; but it does not look like one, so say why. */
static int numeric_tld(const char *s)
{
	size_t n = strcspn(s, "/");
	return !memchr(s, ':', n) && strspn(s, "0123456789.") < n;
}

/* For a host written as a URL ("https://app.example/x") or with a port
 * ("app.example:443"): a hint naming the host alone, in keep's words; else NULL. */
static const char *host_of_url(const char *s, char *keep, size_t cap)
{
	static char hint[NET_HOST_MAX + 96];
	const char *p = strstr(s, "://"), *host = p ? p + 3 : s;
	size_t n = strcspn(host, ":/?#");
	int port = host[n] == ':';
	if ((!p && !port) || n == 0 || n >= cap)
		return NULL;
	memcpy(keep, host, n);
	keep[n] = '\0';
	snprintf(hint, sizeof hint, "write the host only, \"%s\"%s", keep,
		 port ? "; ports go in 'tcp' and 'udp'" : "");
	return hint;
}

static void segment_domains(struct checker *c, struct m_segment *g, struct prop *p,
			    struct strmap *seen)
{
	if (!g->hosts)
		return;   /* out of memory: check_segment sized the array for every line */
	for (struct value *v = p->values; v; v = v->next) {
		char norm[NET_HOST_MAX + 1];
		size_t bad = 0;
		if (v->kind != VAL_STRING) {
			diag_add(c->d, SEV_ERROR, v->loc, "write domains in quotes: \"app.example.com\"",
				 "'domains' takes quoted host names, not %s", value_kind_name(v->kind));
			continue;
		}
		enum host_err e = host_normalize(v->s, v->len, norm, &bad);
		if (e == HOST_IS_ADDRESS && numeric_tld(v->s)) {
			diag_error(c->d, v->loc,
				   "invalid host name \"%.*s\": its last label is all digits (no top-level domain is numeric)",
				   v->len > 80 ? 80 : (int)v->len, v->s);
			continue;
		}
		if (e != HOST_OK) {
			struct loc at = v->loc;
			if (e == HOST_BAD_CHAR || e == HOST_BAD_WILDCARD || e == HOST_NON_ASCII ||
			    e == HOST_EMPTY_LABEL || e == HOST_LABEL_TOO_LONG) {
				/* Point into the string when it was written without escapes. */
				if (v->loc.len == (int)v->len + 2) {
					at.col += 1 + (int)bad;
					at.len = 1;
				}
			}
			/* A URL or host:port, as copied from a browser: say what to keep; a
			 * Unicode name: its exact A-label form. */
			char keep[NET_HOST_MAX + 1] = "", alabel[NET_HOST_MAX + 64];
			const char *h = e == HOST_BAD_CHAR ? host_of_url(v->s, keep, sizeof keep) : NULL;
			if (e == HOST_NON_ASCII &&
			    idn_to_alabels(v->s, v->len, keep, sizeof keep) == 0) {
				snprintf(alabel, sizeof alabel, "write its A-label form: \"%s\"", keep);
				h = alabel;
			}
			diag_add(c->d, SEV_ERROR, at,
				 h ? h :
				 e == HOST_IS_ADDRESS ? "list IP addresses and networks under 'addresses'" :
				 e == HOST_NON_ASCII ? "use the A-label (xn--) form: \"bücher.example\" is written \"xn--bcher-kva.example\"" : NULL,
				 "invalid host name \"%.*s\": %s", v->len > 80 ? 80 : (int)v->len, v->s,
				 host_err_str(e));
			continue;
		}
		char why[200];
		if (idn_check_alabels(norm, why, sizeof why) != 0) {
			diag_add(c->d, SEV_ERROR, v->loc, "check the spelling, or write the Unicode name "
				 "and take the A-label form bcpc suggests",
				 "invalid host name \"%.*s\": %s", v->len > 80 ? 80 : (int)v->len, v->s, why);
			continue;
		}
		char *name = arena_strdup(c->a, norm);
		if (!name)
			return;
		uint32_t before = seen->n;
		strmap_put(seen, name, 1);
		if (seen->n == before) {
			diag_warning(c->d, v->loc, "domain \"%s\" listed twice in segment \"%s\"", name,
				     g->name);
			continue;
		}
		g->hosts[g->nhosts].name = name;
		g->hosts[g->nhosts].loc = v->loc;
		g->nhosts++;
	}
}

static void segment_addresses(struct checker *c, struct m_segment *g, struct prop *p,
			      struct strmap *seen)
{
	if (!g->addrs)
		return;
	for (struct value *v = p->values; v; v = v->next) {
		struct prefix pf;
		char net[64], hint[128];
		if (v->kind != VAL_ADDRESS && v->kind != VAL_STRING) {
			diag_add(c->d, SEV_ERROR, v->loc, "write 10.1.0.0/16, 10.2.3.4 or 2001:db8::/48",
				 "'addresses' takes IP addresses or networks, not %s",
				 value_kind_name(v->kind));
			continue;
		}
		enum addr_err e = strlen(v->s) == v->len ? prefix_parse(v->s, &pf) : ADDR_SYNTAX;
		if (e == ADDR_HOST_BITS) {
			snprintf(hint, sizeof hint, "the network is %s", prefix_format(&pf, net));
			diag_add(c->d, SEV_ERROR, v->loc, hint,
				 "host bits set in %s (bits after the /%u must be zero)", v->s, pf.len);
			continue;
		}
		if (e == ADDR_BAD_LEN) {
			diag_error(c->d, v->loc, "invalid prefix length in %s (0..32 for IPv4, 0..128 for IPv6)",
				   v->s);
			continue;
		}
		if (e != ADDR_OK) {
			/* What the text looks like decides the hint: an IPv6 address in
			 * brackets (as in URLs), or a host name. */
			const char *h = v->kind != VAL_STRING ? NULL :
				v->s[0] == '[' ? "write an IPv6 address without brackets, e.g. 2001:db8::1" :
				strspn(v->s, "0123456789abcdefABCDEF:./") != v->len ?
				"host names go under 'domains'" : NULL;
			diag_add(c->d, SEV_ERROR, v->loc, h,
				 "invalid IP address or network \"%.*s\"", v->len > 80 ? 80 : (int)v->len,
				 v->s);
			continue;
		}
		/* The canonical text is the key: one per prefix, whatever the spelling. */
		char *key = arena_strdup(c->a, prefix_format(&pf, net));
		if (!key)
			return;
		uint32_t before = seen->n;
		strmap_put(seen, key, 1);
		if (seen->n == before) {
			diag_warning(c->d, v->loc, "address %s listed twice in segment \"%s\"",
				     prefix_format(&pf, net), g->name);
			continue;
		}
		g->addrs[g->naddrs].p = pf;
		g->addrs[g->naddrs].loc = v->loc;
		g->naddrs++;
	}
}

/* A key that takes exactly one word out of a fixed set; returns its index or -1. */
static int one_of(struct checker *c, struct prop *p, const char *const *names, unsigned n)
{
	if (value_count(p->values) != 1) {
		diag_error(c->d, p->values->next ? p->values->next->loc : p->loc,
			   "'%s' takes exactly one value", p->key);
		return -1;
	}
	const char *w = want_word(c, p->values, p->key);
	if (!w)
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(w, names[i]))
			return (int)i;
	char kind[64];
	snprintf(kind, sizeof kind, "%s value", p->key);
	unknown_word(c, p->values->loc, kind, w, names, n);
	return -1;
}

/* The segment's group line, or its absence, resolved into g->group. */
static void segment_group(struct checker *c, const struct stmt *s, struct m_segment *g,
			  const struct prop *group)
{
	if (!group) {
		diag_add(c->d, SEV_ERROR, s->name_loc, "add: group \"NAME\";",
			 "segment \"%s\" has no group", g->name);
		return;
	}
	if (value_count(group->values) != 1 || group->values->kind != VAL_STRING) {
		diag_error(c->d, group->values->loc,
			   "'group' takes exactly one quoted segment group name");
		return;
	}
	const char *name = group->values->s;
	g->group = strmap_get(&c->groups, name);
	if (g->group == STRMAP_NONE) {
		const char *near = nearest_key(&c->groups, name);
		char hint[300];
		if (near)
			snprintf(hint, sizeof hint, "did you mean \"%s\"?", near);
		else
			snprintf(hint, sizeof hint, "declare it: segment_group \"%s\";", name);
		diag_add(c->d, SEV_ERROR, group->values->loc, hint,
			 "undeclared segment group \"%s\"", name);
	}
}

/* Sizes g's host and address arrays once for all the segment's lines: growing per
 * line would copy the array again for every line (quadratic for segments written
 * one domain a line). */
static void segment_alloc(struct checker *c, const struct stmt *s, struct m_segment *g)
{
	uint32_t ndomains = 0, naddresses = 0;
	for (const struct prop *p = s->props; p; p = p->next) {
		if (!strcmp(p->key, "domains"))
			ndomains += (uint32_t)value_count(p->values);
		else if (!strcmp(p->key, "addresses"))
			naddresses += (uint32_t)value_count(p->values);
	}
	g->hosts = arena_array(c->a, ndomains, sizeof *g->hosts);
	g->addrs = arena_array(c->a, naddresses, sizeof *g->addrs);
}

static void check_segment(struct checker *c, struct stmt *s, struct m_segment *g)
{
	static const char *const match_names[] = { "exclusive", "inclusive" };
	static const char *const bypass_names[] = { "never", "always", "on_net" };
	static const char *const bool_names[] = { "false", "true" };
	struct prop *group = NULL, *match = NULL, *bypass = NULL, *enabled = NULL;
	struct strmap hosts, addrs;
	/* Set when a key is written, even with bad values (already reported): then
	 * "no domains" or "no ports" would only repeat that error. */
	int wrote_dest = 0, wrote_ports = 0;

	strmap_init(&hosts, c->a);
	strmap_init(&addrs, c->a);
	segment_alloc(c, s, g);
	g->name = s->name;
	g->loc = s->name_loc;
	g->group = UINT32_MAX;
	g->enabled = 1;
	for (struct prop *p = s->props; p; p = p->next) {
		struct prop **single = NULL;
		if (!strcmp(p->key, "group"))
			single = &group;
		else if (!strcmp(p->key, "match"))
			single = &match;
		else if (!strcmp(p->key, "bypass"))
			single = &bypass;
		else if (!strcmp(p->key, "enabled"))
			single = &enabled;
		if (single) {
			if (*single) {
				diag_error(c->d, p->loc, "'%s' given twice in segment \"%s\"", p->key,
					   g->name);
				continue;
			}
			*single = p;
		}
		if (!strcmp(p->key, "domains"))
			segment_domains(c, g, p, &hosts);
		else if (!strcmp(p->key, "addresses"))
			segment_addresses(c, g, p, &addrs);
		else if (!strcmp(p->key, "tcp"))
			segment_ports(c, p, &g->ports[PROTO_TCP]);
		else if (!strcmp(p->key, "udp"))
			segment_ports(c, p, &g->ports[PROTO_UDP]);
		else if (!single) {
			unknown_word(c, p->loc, "segment property", p->key, segment_keys,
				     sizeof segment_keys / sizeof *segment_keys);
			wrote_dest = wrote_ports = 1;   /* it may have been meant as one */
		}
		if (!strcmp(p->key, "domains") || !strcmp(p->key, "addresses"))
			wrote_dest = 1;
		if (!strcmp(p->key, "tcp") || !strcmp(p->key, "udp"))
			wrote_ports = 1;
	}
	segment_group(c, s, g, group);
	int v;
	if (match && (v = one_of(c, match, match_names, 2)) >= 0)
		g->match = (enum match_style)v;
	if (bypass && (v = one_of(c, bypass, bypass_names, 3)) >= 0)
		g->bypass = (enum bypass_mode)v;
	if (enabled && (v = one_of(c, enabled, bool_names, 2)) >= 0)
		g->enabled = v;
	for (int pr = 0; pr < PROTO_COUNT; pr++)
		ports_normalize(&g->ports[pr]);
	if (g->nhosts == 0 && g->naddrs == 0 && !wrote_dest)
		diag_add(c->d, SEV_ERROR, s->name_loc,
			 "add a line such as: domains \"app.example.com\"; or addresses 10.1.0.0/16;",
			 "segment \"%s\" has no domains and no addresses", g->name);
	if (g->ports[PROTO_TCP].n == 0 && g->ports[PROTO_UDP].n == 0 && !wrote_ports)
		diag_add(c->d, SEV_ERROR, s->name_loc, "add a line such as: tcp 443;",
			 "segment \"%s\" has no tcp or udp ports", g->name);
	if (!g->enabled)
		diag_warning(c->d, s->name_loc, "segment \"%s\" is disabled and left out of the blob",
			     g->name);
}

void check_segments(struct checker *c, struct stmt *stmts)
{
	struct model *m = c->m;
	uint32_t n = 0;
	for (struct stmt *s = stmts; s; s = s->next)
		n += s->kind == ST_SEGMENT;
	m->segments = arena_array(c->a, n, sizeof *m->segments);
	if (!m->segments)
		return;
	for (struct stmt *s = stmts; s; s = s->next) {
		if (s->kind != ST_SEGMENT ||
		    !declare_name(c, &c->segments, "segment", s->name, s->name_loc, m->nsegments,
				  &m->segments[0].loc, sizeof *m->segments))
			continue;
		check_segment(c, s, &m->segments[m->nsegments++]);
	}
}
