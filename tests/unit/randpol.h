/* randpol.h - the random policies, users and requests of the differential tests
 * (test_diff.c: runtime against reference; test_semdiff.c: bcpc diff against the
 * runtime), shared by including it. Each policy is written as .bcl text from small
 * pools of labels, addresses, ports and attribute values, so that patterns,
 * prefixes, port sets and user clauses overlap often (test_diff.c's header says
 * how). Everything draws from a seeded splitmix64: the same seed gives the same
 * policy, users and requests. Static functions: a test uses what it needs. */
#ifndef BCP_TESTS_RANDPOL_H
#define BCP_TESTS_RANDPOL_H
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "model.h"
#include "bcp.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

/* The seed of the run, written into each policy's first line. */
static uint64_t run_seed;

#include "rng.h"

/* ---- a growing text buffer ---- */

struct sbuf {
	char *p;
	size_t n, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = b->cap - b->n;
		va_start(ap, fmt);
		int k = vsnprintf(b->p ? b->p + b->n : NULL, room, fmt, ap);
		va_end(ap);
		if (k < 0)
			abort();
		if ((size_t)k < room) {
			b->n += (size_t)k;
			return;
		}
		b->cap = (b->cap + (size_t)k + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			perror("realloc");
			exit(2);
		}
	}
}

/* ---- the pools every policy and user draw from ---- */

/* Labels of host names: a tiny alphabet, so names share suffixes all the time. The
 * last label is never all digits (that would be no host name). */
static const char *const LABELS[] = { "a", "b", "c", "a", "b", "c", "k8", "x-y", "_s", "7" };
static const char *const LAST_LABELS[] = { "a", "b", "c", "a", "b", "zz" };

static const char *const SAML_ATTRS[] = { "dept", "type", "Dept" };
static const char *const SCIM_ATTRS[] = { "dept", "role" };
static const char *const ATTR_VALUES[] = { "fin", "eng", "ops", "Fin", "a b" };
static const char *const SCIM_GROUPS[] = { "Staff", "Admins", "Dev", "staff" };
static const char *const IDPS[] = { "okta", "azure", "Okta" };
static const char *const MACHINE_GROUPS[] = { "Kiosks", "Lobby", "kiosks" };
static const char *const PLATFORMS[] = { "windows", "mac", "linux", "ios", "android" };
static const char *const CLIENT_TYPES[] = { "zapp", "zapp_partner", "vdi", "browser_isolation",
	"machine_tunnel", "edge_connector", "branch_connector", "ip_anchoring", "exporter" };
static const char *const POSTURES[] = { "disk", "fw", "av", "Disk" };
static const char *const NETWORKS[] = { "HQ", "Lab", "hq" };
static const char *const COUNTRIES[] = { "US", "DE", "KP", "GB", "FR" };

/* Users also carry values no policy names, and other case. */
static const char *const USER_PLATFORMS[] = { "windows", "mac", "linux", "ios", "android",
	"Windows" };
static const char *const USER_CLIENTS[] = { "zapp", "vdi", "browser_isolation",
	"edge_connector", "exporter", "Zapp" };
static const char *const USER_COUNTRIES[] = { "US", "us", "De", "kp", "gB", "FR", "fr", "CA",
	"ZZ", "U" };

static const uint16_t PORT_ANCHORS[] = { 1, 22, 53, 80, 443, 444, 1000, 3200, 3299, 8080,
	65534, 65535 };

static const char *const V4_ANCHORS[] = { "10.1.2.3", "10.1.2.200", "10.1.130.5", "10.200.0.1",
	"192.168.1.1", "172.16.5.4" };
static const char *const V6_ANCHORS[] = { "2001:db8:1:2::5", "2001:db8:1:2:8000::1",
	"2001:db8:1:ff::1", "2001:db8:abcd::1", "::ffff:10.1.2.3", "fe80::1" };

/* ---- the generated policy, as the generator knows it ---- */

/* Pools and segments: most policies are small, one in ten is big (up to 48 segments,
 * so the hash tables see more keys). Each segment may add one fresh host pattern. */
#define MAX_HPAT (36 + MAX_SEG)
#define MAX_APAT 32
#define MAX_SEG 48
#define MAX_SEG_PATS 8
#define MAX_RANGES 4

enum { EXCL, INCL };

struct hpat {
	char name[80];      /* normalized: "a.b", "*.a.b" or "*" */
	int style;
};

struct apat {
	uint8_t family, len;
	uint8_t addr[16];
	int style;
};

struct pset {
	unsigned n;
	uint16_t lo[MAX_RANGES], hi[MAX_RANGES];
};

struct seg {
	char name[64];      /* as the model spells it */
	int group, enabled, style, bypass;
	struct pset ports[2];
	int pats[MAX_SEG_PATS];   /* host patterns 0..nh-1, address patterns MAX_HPAT + j */
	unsigned npats;
};

struct gen {
	struct rng r;
	struct hpat h[MAX_HPAT];
	unsigned nh;
	struct apat a[MAX_APAT];
	unsigned na;
	struct seg s[MAX_SEG];
	unsigned ns, ngroups;
	unsigned unique;    /* counter for fresh fallback names */
	int big;            /* a big policy: larger pools, more segments and rules */
};

/* ---- host names ---- */

/* A name of n labels (n >= 1) into out. */
static void gen_name(struct rng *r, unsigned n, char *out, size_t cap)
{
	size_t k = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		const char *l = i + 1 == n ? PICK(r, LAST_LABELS) : PICK(r, LABELS);
		k += (size_t)snprintf(out + k, cap - k, "%s%s", i ? "." : "", l);
	}
}

static int hpat_find(const struct gen *g, const char *name)
{
	for (unsigned i = 0; i < g->nh; i++)
		if (!strcmp(g->h[i].name, name))
			return (int)i;
	return -1;
}

static int add_hpat(struct gen *g, const char *name, int style)
{
	int i = hpat_find(g, name);
	if (i >= 0 || g->nh >= MAX_HPAT)
		return i;
	snprintf(g->h[g->nh].name, sizeof g->h[g->nh].name, "%s", name);
	g->h[g->nh].style = style;
	return (int)g->nh++;
}

static void gen_host_patterns(struct gen *g)
{
	struct rng *r = &g->r;
	unsigned want = g->big ? 15 + rn(r, 21) : 4 + rn(r, 11);
	char name[64], pat[80];

	if (chance(r, 30))
		add_hpat(g, "*", chance(r, 50) ? INCL : EXCL);
	for (unsigned tries = 0; g->nh < want && tries < 100; tries++) {
		if (chance(r, 45)) {
			gen_name(r, 1 + rn(r, 3), name, sizeof name);
			snprintf(pat, sizeof pat, "*.%s", name);
		} else {
			gen_name(r, 1 + rn(r, 4), pat, sizeof pat);
		}
		add_hpat(g, pat, chance(r, 40) ? INCL : EXCL);
	}
}

/* ---- addresses ---- */

static void mask_prefix(uint8_t addr[16], unsigned len)
{
	for (unsigned k = 0; k < 16; k++) {
		unsigned keep = len >= 8 * (k + 1) ? 8 : len > 8 * k ? len - 8 * k : 0;
		addr[k] &= (uint8_t)(0xFF00u >> keep);
	}
}

static int apat_find(const struct gen *g, const struct apat *p)
{
	for (unsigned i = 0; i < g->na; i++)
		if (g->a[i].family == p->family && g->a[i].len == p->len &&
		    !memcmp(g->a[i].addr, p->addr, 16))
			return (int)i;
	return -1;
}

static void anchor(struct rng *r, int family, uint8_t out[16])
{
	memset(out, 0, 16);
	if (family == 4) {
		if (inet_pton(AF_INET, PICK(r, V4_ANCHORS), out) != 1)
			abort();
	} else if (inet_pton(AF_INET6, PICK(r, V6_ANCHORS), out) != 1) {
		abort();
	}
}

static void gen_addr_patterns(struct gen *g)
{
	struct rng *r = &g->r;
	unsigned want = g->big ? 10 + rn(r, MAX_APAT - 9) : rn(r, 13);

	for (unsigned tries = 0; g->na < want && tries < 100; tries++) {
		struct apat p = { 0 };
		p.family = chance(r, 55) ? 4 : 6;
		unsigned bits = p.family == 4 ? 32 : 128, lo = p.family == 4 ? 8 : 32;
		anchor(r, p.family, p.addr);
		if (chance(r, 3))
			p.len = 0;
		else if (chance(r, 15))
			p.len = (uint8_t)bits;
		else
			p.len = (uint8_t)(lo + rn(r, bits - lo + 1));
		mask_prefix(p.addr, p.len);
		p.style = chance(r, 40) ? INCL : EXCL;
		if (apat_find(g, &p) < 0)
			g->a[g->na++] = p;
	}
}

static void format_addr(int family, const uint8_t addr[16], char *out, size_t cap)
{
	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, out, (socklen_t)cap))
		abort();
}

/* ---- ports ---- */

static void gen_ports(struct rng *r, struct pset *p)
{
	p->n = 1 + rn(r, 3);
	for (unsigned i = 0; i < p->n; i++) {
		unsigned lo = PICK(r, PORT_ANCHORS), hi = lo;
		if (chance(r, 50)) {
			hi = chance(r, 50) ? lo + rn(r, 200) : PICK(r, PORT_ANCHORS);
			if (hi > 65535)
				hi = 65535;
			if (hi < lo) {
				unsigned t = hi;
				hi = lo;
				lo = t;
			}
		}
		p->lo[i] = (uint16_t)lo;
		p->hi[i] = (uint16_t)hi;
	}
}

static int psets_overlap(const struct pset *a, const struct pset *b)
{
	for (unsigned i = 0; i < a->n; i++)
		for (unsigned j = 0; j < b->n; j++)
			if (a->lo[i] <= b->hi[j] && b->lo[j] <= a->hi[i])
				return 1;
	return 0;
}

/* Would segment s (enabled) conflict with an enabled segment before it on pattern p? */
static int conflicts(const struct gen *g, const struct seg *s, int p)
{
	for (unsigned t = 0; t < g->ns; t++) {
		const struct seg *o = &g->s[t];
		if (!o->enabled)
			continue;
		for (unsigned k = 0; k < o->npats; k++)
			if (o->pats[k] == p &&
			    (o->style != s->style || psets_overlap(&o->ports[0], &s->ports[0]) ||
			     psets_overlap(&o->ports[1], &s->ports[1])))
				return 1;
	}
	return 0;
}

static int pat_style(const struct gen *g, int p)
{
	return p < MAX_HPAT ? g->h[p].style : g->a[p - MAX_HPAT].style;
}

static void seg_add_pat(struct seg *s, int p)
{
	for (unsigned k = 0; k < s->npats; k++)
		if (s->pats[k] == p)
			return;
	if (s->npats < MAX_SEG_PATS)
		s->pats[s->npats++] = p;
}

/* A random pattern (host or address) of the given style, or -1. */
static int random_pat(struct gen *g, int style, int any_style)
{
	struct rng *r = &g->r;
	for (int tries = 0; tries < 20; tries++) {
		int p;
		if (g->na == 0 || (g->nh > 0 && chance(r, 60)))
			p = g->nh ? (int)rn(r, g->nh) : -1;
		else
			p = MAX_HPAT + (int)rn(r, g->na);
		if (p >= 0 && (any_style || pat_style(g, p) == style))
			return p;
	}
	return -1;
}

static void gen_segment(struct gen *g, unsigned idx)
{
	struct rng *r = &g->r;
	struct seg *s = &g->s[idx];
	memset(s, 0, sizeof *s);

	/* Names: mostly plain, sometimes with a blank, an escaped quote or UTF-8. */
	switch (rn(r, 8)) {
	case 0:
		snprintf(s->name, sizeof s->name, "Seg %u", idx);
		break;
	case 1:
		snprintf(s->name, sizeof s->name, "S\"%u\"", idx);
		break;
	case 2:
		snprintf(s->name, sizeof s->name, "Z\xc3\xbcrich-%u", idx);
		break;
	default:
		snprintf(s->name, sizeof s->name, "S%u", idx);
	}
	s->group = (int)rn(r, g->ngroups);
	s->enabled = !chance(r, 12);
	s->style = chance(r, 40) ? INCL : EXCL;
	s->bypass = chance(r, 70) ? BYPASS_NEVER : chance(r, 35) ? BYPASS_ALWAYS : BYPASS_ON_NET;

	/* A sibling shares patterns with an earlier segment of the same style, and
	 * tries ports disjoint from it. */
	const struct seg *sib = NULL;
	if (idx > 0 && chance(r, 40)) {
		const struct seg *c = &g->s[rn(r, idx)];
		if (c->style == s->style || !s->enabled)
			sib = c;
	}
	for (int tries = 0; tries < 12; tries++) {
		for (int pr = 0; pr < 2; pr++)
			s->ports[pr].n = 0;
		do {
			if (chance(r, 80))
				gen_ports(r, &s->ports[0]);
			if (chance(r, 40))
				gen_ports(r, &s->ports[1]);
		} while (s->ports[0].n == 0 && s->ports[1].n == 0);
		if (!sib || (!psets_overlap(&sib->ports[0], &s->ports[0]) &&
			     !psets_overlap(&sib->ports[1], &s->ports[1])))
			break;
	}
	if (sib)
		for (unsigned k = 0; k < sib->npats; k++)
			if (chance(r, 70))
				seg_add_pat(s, sib->pats[k]);
	for (unsigned n = rn(r, 3) + (sib ? 0 : 1); n > 0; n--) {
		int p = random_pat(g, s->style, !s->enabled && chance(r, 50));
		if (p >= 0)
			seg_add_pat(s, p);
	}

	/* Enabled segments drop the patterns they would share illegally. */
	if (s->enabled) {
		unsigned kept = 0;
		for (unsigned k = 0; k < s->npats; k++)
			if (!conflicts(g, s, s->pats[k]))
				s->pats[kept++] = s->pats[k];
		s->npats = kept;
	}
	if (s->npats == 0) {   /* a fresh name nobody else has */
		char base[64], name[80];
		gen_name(r, 1 + rn(r, 2), base, sizeof base);
		snprintf(name, sizeof name, "u%u.%s", g->unique++, base);
		int p = add_hpat(g, name, s->style);
		if (p < 0 || g->h[p].style != s->style || conflicts(g, s, p))
			abort();   /* the pools are sized so that this cannot happen */
		seg_add_pat(s, p);
	}
}

/* ---- writing the .bcl text ---- */

/* The .bcl spelling of a name: quotes and backslashes escaped. */
static void put_quoted(struct sbuf *b, const char *s)
{
	sb_printf(b, "\"");
	for (; *s; s++)
		sb_printf(b, "%s%c", *s == '"' || *s == '\\' ? "\\" : "", *s);
	sb_printf(b, "\"");
}

/* A host pattern in random case, sometimes with a trailing dot. */
static void put_host_pattern(struct rng *r, struct sbuf *b, const char *name)
{
	sb_printf(b, "\"");
	for (const char *c = name; *c; c++)
		sb_printf(b, "%c", chance(r, 25) && *c >= 'a' && *c <= 'z' ? *c - 32 : *c);
	sb_printf(b, "%s\"", strcmp(name, "*") && chance(r, 10) ? "." : "");
}

static void put_addr_pattern(struct rng *r, struct sbuf *b, const struct apat *p)
{
	char text[64];
	format_addr(p->family, p->addr, text, sizeof text);
	if (p->family == 6 && chance(r, 20))
		for (char *c = text; *c; c++)
			if (*c >= 'a' && *c <= 'f')
				*c = (char)(*c - 32);
	int quoted = chance(r, 15);
	int bare = p->len == (p->family == 4 ? 32 : 128) && chance(r, 70);
	sb_printf(b, "%s%s", quoted ? "\"" : "", text);
	if (!bare)
		sb_printf(b, "/%u", p->len);
	sb_printf(b, "%s", quoted ? "\"" : "");
}

static void put_ports(struct sbuf *b, const char *proto, const struct pset *p)
{
	if (p->n == 0)
		return;
	sb_printf(b, "    %s ", proto);
	for (unsigned i = 0; i < p->n; i++) {
		sb_printf(b, "%s%u", i ? ", " : "", p->lo[i]);
		if (p->hi[i] != p->lo[i])
			sb_printf(b, "-%u", p->hi[i]);
	}
	sb_printf(b, ";\n");
}

static void write_segment(struct gen *g, struct sbuf *b, const struct seg *s)
{
	struct rng *r = &g->r;
	int nd = 0, na = 0;

	sb_printf(b, "segment ");
	put_quoted(b, s->name);
	sb_printf(b, " {\n    group \"G%d\";\n", s->group);
	for (unsigned k = 0; k < s->npats; k++) {
		if (s->pats[k] >= MAX_HPAT)
			continue;
		if (nd > 0 && chance(r, 20)) {   /* `domains` lines add up */
			sb_printf(b, ";\n");
			nd = 0;
		}
		sb_printf(b, nd ? ", " : "    domains ");
		put_host_pattern(r, b, g->h[s->pats[k]].name);
		nd++;
		if (chance(r, 5)) {   /* listed twice: a warning, kept once */
			sb_printf(b, ", ");
			put_host_pattern(r, b, g->h[s->pats[k]].name);
		}
	}
	if (nd)
		sb_printf(b, ";\n");
	for (unsigned k = 0; k < s->npats; k++) {
		if (s->pats[k] < MAX_HPAT)
			continue;
		sb_printf(b, na++ ? ", " : "    addresses ");
		put_addr_pattern(r, b, &g->a[s->pats[k] - MAX_HPAT]);
	}
	if (na)
		sb_printf(b, ";\n");
	put_ports(b, "tcp", &s->ports[0]);
	put_ports(b, "udp", &s->ports[1]);
	if (s->style == INCL || chance(r, 30))
		sb_printf(b, "    match %s;\n", s->style == INCL ? "inclusive" : "exclusive");
	if (s->bypass != BYPASS_NEVER || chance(r, 30))
		sb_printf(b, "    bypass %s;\n", s->bypass == BYPASS_ALWAYS ? "always" :
			  s->bypass == BYPASS_ON_NET ? "on_net" : "never");
	if (!s->enabled || chance(r, 10))
		sb_printf(b, "    enabled %s;\n", s->enabled ? "true" : "false");
	sb_printf(b, "}\n");
}

/* A value in random case (countries are compared in any case). */
static void put_random_case(struct rng *r, struct sbuf *b, const char *s)
{
	sb_printf(b, "\"");
	for (; *s; s++)
		sb_printf(b, "%c", chance(r, 30) ? (*s ^ 0x20) : *s);
	sb_printf(b, "\"");
}

/* Attributes added after the first nine (machine_group) draw from a stream of
 * their own, so that the main stream, and so every policy and user the earlier
 * runs of this test made, stay as they were. */
static struct rng later;

static int one_value;   /* the atom being written is negated: one value */
static unsigned long gen_negated, gen_scoped;   /* (not atom), atom from idp: written */

static void write_machine_group(struct sbuf *b)
{
	unsigned n = one_value ? 1 : 1 + rn(&later, 3);
	sb_printf(b, "machine_group");
	for (unsigned i = 0; i < n; i++) {
		sb_printf(b, "%s ", i ? "," : "");
		put_quoted(b, PICK(&later, MACHINE_GROUPS));
	}
}

static void write_user_atom_(struct rng *r, struct sbuf *b);

/* One user atom: kind, values; now and then a machine_group atom in its place. */
static void write_user_atom(struct rng *r, struct sbuf *b)
{
	size_t at = b->n;
	write_user_atom_(r, b);
	if (chance(&later, 10)) {
		b->n = at;
		write_machine_group(b);
	}
}

static void write_user_atom_(struct rng *r, struct sbuf *b)
{
	unsigned kind = rn(r, 9), n = 1 + rn(r, 3);
	if (one_value)
		n = 1;

	switch (kind) {
	case 0:
	case 1:
		sb_printf(b, "%s ", kind == 0 ? "saml" : "scim");
		put_quoted(b, kind == 0 ? PICK(r, SAML_ATTRS) : PICK(r, SCIM_ATTRS));
		sb_printf(b, " =");
		for (unsigned i = 0; i < n; i++) {
			sb_printf(b, "%s ", i ? "," : "");
			put_quoted(b, PICK(r, ATTR_VALUES));
		}
		return;
	case 2:
		sb_printf(b, "scim_group");
		break;
	case 3:
		sb_printf(b, "idp");
		break;
	case 4:
		sb_printf(b, "platform");
		break;
	case 5:
		sb_printf(b, "client_type");
		break;
	case 6:
		sb_printf(b, "posture");
		break;
	case 7:
		sb_printf(b, "trusted_network");
		break;
	default:
		sb_printf(b, "country");
	}
	for (unsigned i = 0; i < n; i++) {
		sb_printf(b, "%s ", i ? "," : "");
		switch (kind) {
		case 2:
			put_quoted(b, PICK(r, SCIM_GROUPS));
			break;
		case 3:
			put_quoted(b, PICK(r, IDPS));
			break;
		case 4:   /* a word or a string */
			sb_printf(b, chance(r, 50) ? "%s" : "\"%s\"", PICK(r, PLATFORMS));
			break;
		case 5:
			sb_printf(b, chance(r, 50) ? "%s" : "\"%s\"", PICK(r, CLIENT_TYPES));
			break;
		case 6:
			put_quoted(b, PICK(r, POSTURES));
			break;
		case 7:
			put_quoted(b, PICK(r, NETWORKS));
			break;
		default:
			put_random_case(r, b, PICK(r, COUNTRIES));
		}
	}
}

/* One atom of a clause, now and then negated alone, `(not atom)` (one value), and
 * now and then scoped, `atom from idp "Y"` (not on an idp atom). The choices come
 * from `later`, so the rest of a policy is as it was before these forms. */
static void write_clause_atom(struct rng *r, struct sbuf *b)
{
	int neg = chance(&later, 12), scoped = chance(&later, 20);
	size_t at = b->n;
	if (neg)
		sb_printf(b, "(not ");
	one_value = neg;
	write_user_atom(r, b);
	one_value = 0;
	gen_negated += neg;
	if (scoped && strncmp(b->p + at + (neg ? 5 : 0), "idp ", 4)) {
		gen_scoped++;
		sb_printf(b, " from idp ");
		put_quoted(b, PICK(&later, IDPS));
	}
	if (neg)
		sb_printf(b, ")");
}

/* A user clause: [not] atom {or atom}; */
static void write_user_clause(struct rng *r, struct sbuf *b, const char *indent, const char *lead)
{
	sb_printf(b, "%s%s%s", indent, lead, chance(r, 30) ? "not " : "");
	for (unsigned i = 0, n = chance(r, 30) ? 2 + rn(r, 2) : 1; i < n; i++) {
		if (i)
			sb_printf(b, " or ");
		write_clause_atom(r, b);
	}
	sb_printf(b, ";\n");
}

/* An app clause: segment and segment_group atoms joined by `or`. only_disabled: name
 * disabled segments only. */
static void write_app_clause(struct gen *g, struct sbuf *b, int only_disabled)
{
	struct rng *r = &g->r;
	unsigned natoms = chance(r, 30) ? 2 : 1;

	sb_printf(b, "        ");
	for (unsigned i = 0; i < natoms; i++) {
		int group = !only_disabled && chance(r, 35);
		unsigned n = 1 + rn(r, 2);
		sb_printf(b, "%s%s", i ? " or " : "", group ? "segment_group" : "segment");
		for (unsigned k = 0; k < n; k++) {
			sb_printf(b, "%s ", k ? "," : "");
			if (group) {
				sb_printf(b, "\"G%u\"", rn(r, g->ngroups));
				continue;
			}
			unsigned s = rn(r, g->ns);
			for (unsigned t = 0; only_disabled && t < g->ns && g->s[s].enabled; t++)
				s = (s + 1) % g->ns;
			put_quoted(b, g->s[s].name);
		}
	}
	sb_printf(b, ";\n");
}

static void write_rules(struct gen *g, struct sbuf *b)
{
	struct rng *r = &g->r;
	unsigned nrules = g->big ? 5 + rn(r, 20) : rn(r, 10);
	int any_disabled = 0;

	for (unsigned s = 0; s < g->ns; s++)
		any_disabled |= !g->s[s].enabled;
	if (nrules == 0 && chance(r, 50))
		return;
	sb_printf(b, "access_policy {\n");
	for (unsigned i = 0; i < nrules; i++) {
		if (i > 0 && chance(r, 10))   /* rules of several blocks form one list */
			sb_printf(b, "}\naccess_policy {\n");
		sb_printf(b, "    rule \"%s%u\" %s {\n", chance(r, 10) ? "Rule " : "R", i,
			  chance(r, 50) ? "allow" : "deny");
		if (chance(r, 6)) {   /* an empty body */
			sb_printf(b, "    }\n");
			continue;
		}
		unsigned napp = chance(r, 45) ? 0 : chance(r, 75) ? 1 : 2 + rn(r, 2);
		unsigned nuser = napp ? rn(r, 4) : 1 + rn(r, 3);
		int only_disabled = any_disabled && chance(r, 8);
		/* Clauses of both kinds, interleaved. */
		while (napp + nuser > 0) {
			if (napp > 0 && (nuser == 0 || chance(r, 50))) {
				write_app_clause(g, b, only_disabled);
				napp--;
			} else {
				write_user_clause(r, b, "        ", "");
				nuser--;
			}
		}
		sb_printf(b, "    }\n");
	}
	sb_printf(b, "}\n");
}

static void write_profiles(struct rng *r, struct sbuf *b)
{
	unsigned n = rn(r, 4);

	for (unsigned i = 0; i < n; i++) {
		sb_printf(b, "app_profile \"P%u\" {\n", i);
		unsigned nwhen = rn(r, 3), nset = rn(r, 3);
		for (unsigned k = 0; k < nwhen; k++)
			write_user_clause(r, b, "    ", "when ");
		static const char *const settings[] = { "log_level = \"info\"", "max_tunnels = 4",
			"enforce = true", "reauth_timeout = 8h", "suffixes = [\"a.b\", \"c\"]",
			"empty = []" };
		unsigned first = rn(r, 6);
		for (unsigned k = 0; k < nset; k++)   /* distinct keys */
			sb_printf(b, "    set %s;\n", settings[(first + k) % 6]);
		sb_printf(b, "}\n");
	}
}

/* The whole policy, into b. */
static void gen_policy(struct gen *g, struct sbuf *b)
{
	struct rng *r = &g->r;

	g->nh = g->na = g->ns = g->unique = 0;
	g->big = chance(r, 10);
	gen_host_patterns(g);
	gen_addr_patterns(g);
	g->ngroups = 1 + rn(r, 4);
	unsigned want = g->big ? 16 + rn(r, MAX_SEG - 15) : 1 + rn(r, 12);

	b->n = 0;
	sb_printf(b, "# differential test policy: seed 0x%llx\n", (unsigned long long)run_seed);
	if (chance(r, 30))
		sb_printf(b, "tenant \"t\";\n");
	for (unsigned i = 0; i < g->ngroups; i++)
		sb_printf(b, "segment_group \"G%u\";\n", i);
	for (g->ns = 0; g->ns < want; g->ns++)
		gen_segment(g, g->ns);
	/* Names may be used before they are declared: rules and profiles come before
	 * or after the segments. */
	int rules_first = chance(r, 25), profiles_first = chance(r, 30);
	if (profiles_first)
		write_profiles(r, b);
	if (rules_first)
		write_rules(g, b);
	for (unsigned i = 0; i < g->ns; i++)
		write_segment(g, b, &g->s[i]);
	if (!rules_first)
		write_rules(g, b);
	if (!profiles_first)
		write_profiles(r, b);
}

/* ---- users ---- */

struct user {
	struct bcp_attr saml[3], scim[3];
	const char *saml_vals[3][3], *scim_vals[3][3];
	const char *groups[3], *posture[3], *networks[3];
	const char *machine_group;
	struct bcp_user_attr keyword;
	struct bcp_user_info info;
};

static void gen_attrs(struct rng *r, struct bcp_attr *attrs, const char *vals[3][3],
		      size_t *n, const char *const *names, unsigned nnames)
{
	*n = rn(r, 4);
	for (size_t i = 0; i < *n; i++) {
		attrs[i].name = names[rn(r, nnames)];   /* may repeat: both are searched */
		attrs[i].nvalues = rn(r, 4);
		for (size_t k = 0; k < attrs[i].nvalues; k++)
			vals[i][k] = PICK(r, ATTR_VALUES);
		attrs[i].values = attrs[i].nvalues ? vals[i] : NULL;
	}
}

static size_t gen_list(struct rng *r, const char **out, const char *const *pool, unsigned npool,
		       unsigned max)
{
	size_t n = rn(r, max + 1);
	for (size_t i = 0; i < n; i++)
		out[i] = pool[rn(r, npool)];
	return n;
}

static void gen_user(struct rng *r, struct user *u)
{
	memset(u, 0, sizeof *u);
	struct bcp_user_info *in = &u->info;
	gen_attrs(r, u->saml, u->saml_vals, &in->nsaml, SAML_ATTRS, NPOOL(SAML_ATTRS));
	in->saml = in->nsaml ? u->saml : NULL;
	gen_attrs(r, u->scim, u->scim_vals, &in->nscim, SCIM_ATTRS, NPOOL(SCIM_ATTRS));
	in->scim = in->nscim ? u->scim : NULL;
	in->nscim_groups = gen_list(r, u->groups, SCIM_GROUPS, NPOOL(SCIM_GROUPS), 3);
	in->scim_groups = u->groups;
	in->idp = chance(r, 20) ? NULL : PICK(r, IDPS);
	in->platform = chance(r, 15) ? NULL : PICK(r, USER_PLATFORMS);
	in->client_type = chance(r, 35) ? NULL : PICK(r, USER_CLIENTS);
	in->nposture = gen_list(r, u->posture, POSTURES, NPOOL(POSTURES), 3);
	in->posture = u->posture;
	in->ntrusted_networks = chance(r, 50) ? 0 : gen_list(r, u->networks, NETWORKS,
							     NPOOL(NETWORKS), 2);
	in->trusted_networks = in->ntrusted_networks ? u->networks : NULL;
	in->country = chance(r, 15) ? NULL : PICK(r, USER_COUNTRIES);
	if (chance(&later, 60)) {   /* by keyword: it has no field */
		u->machine_group = PICK(&later, MACHINE_GROUPS);
		u->keyword = (struct bcp_user_attr){ "machine_group", NULL, &u->machine_group, 1 };
		in->attrs = &u->keyword;
		in->nattrs = 1;
	}
}

/* ---- requests ---- */

/* Random case for a host name. */
static void scramble_case(struct rng *r, char *s)
{
	if (chance(r, 50))
		return;
	for (; *s; s++)
		if (((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) && chance(r, 40))
			*s ^= 0x20;
}

/* Leading labels before name (count n). */
static void prepend_labels(struct rng *r, char *host, size_t cap, const char *name, unsigned n)
{
	size_t k = 0;
	host[0] = '\0';
	for (unsigned i = 0; i < n && k < cap; i++)
		k += (size_t)snprintf(host + k, cap - k, "%s.", PICK(r, LABELS));
	if (k < cap)
		snprintf(host + k, cap - k, "%s", name);
}

/* A host name near host pattern p: the name itself, a name below it, a suffix,
 * or the base of a wildcard ("*.x.y" never matches "x.y"). */
static void name_near(struct rng *r, const char *p, char *host, size_t cap)
{
	if (!strcmp(p, "*")) {
		gen_name(r, 1 + rn(r, 4), host, cap);
	} else if (p[0] == '*') {
		if (chance(r, 20))
			snprintf(host, cap, "%s", p + 2);
		else
			prepend_labels(r, host, cap, p + 2, 1 + rn(r, 3));
	} else {
		unsigned mode = rn(r, 5);
		const char *dot = strchr(p, '.');
		if (mode <= 2)
			snprintf(host, cap, "%s", p);
		else if (mode == 3 || !dot)
			prepend_labels(r, host, cap, p, 1 + rn(r, 2));
		else
			snprintf(host, cap, "%s", dot + 1);
	}
}

/* An IP literal near prefix p: inside it (and maybe inside longer ones) or just
 * outside, in one of its spellings: compressed, every group, upper case, [v6]. */
static void addr_near(struct rng *r, const struct apat *p, char *host, size_t cap)
{
	uint8_t addr[16];
	unsigned bits = p->family == 4 ? 32 : 128;
	unsigned keep = chance(r, 70) ? p->len + rn(r, bits - p->len + 1) : rn(r, bits + 1);
	char text[64];

	memcpy(addr, p->addr, 16);
	for (unsigned i = keep; i < bits; i++)
		if (chance(r, 50))
			addr[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
	format_addr(p->family, addr, text, sizeof text);
	if (p->family == 4) {
		snprintf(host, cap, "%s", text);
		return;
	}
	if (chance(r, 20))
		snprintf(text, sizeof text, "%x:%x:%x:%x:%x:%x:%x:%x", addr[0] << 8 | addr[1],
			 addr[2] << 8 | addr[3], addr[4] << 8 | addr[5], addr[6] << 8 | addr[7],
			 addr[8] << 8 | addr[9], addr[10] << 8 | addr[11], addr[12] << 8 | addr[13],
			 addr[14] << 8 | addr[15]);
	if (chance(r, 20))
		for (char *c = text; *c; c++)
			if (*c >= 'a' && *c <= 'f')
				*c = (char)(*c - 32);
	snprintf(host, cap, chance(r, 25) ? "[%s]" : "%s", text);
}

/* A very long or very deep name, valid or just over a limit; suffix, when not
 * NULL, ends the deep ones. */
static void long_name(struct rng *r, const char *suffix, char *host, size_t cap)
{
	size_t k = 0;
	switch (rn(r, 5)) {
	case 0:   /* deep: more labels than any pattern has */
	case 1:
		prepend_labels(r, host, cap, suffix ? suffix : "a", 5 + rn(r, 125));
		break;
	case 2: {   /* a 63- or 64-byte label */
		unsigned len = 63 + rn(r, 2);
		for (unsigned i = 0; i < len; i++)
			host[k++] = 'q';
		snprintf(host + k, cap - k, ".%s", suffix ? suffix : "a");
		break;
	}
	default: {   /* 252..255 bytes in total, with a trailing dot or not */
		unsigned total = 250 + rn(r, 6);
		while (k + 2 < total)
			k += (size_t)snprintf(host + k, cap - k, "a.");
		snprintf(host + k, cap - k, "%s", k + 1 < total ? "bb" : "b");
		if (chance(r, 50))
			strcat(host, ".");
	}
	}
	if (strlen(host) >= cap - 1)   /* cut off: make it plainly too long */
		host[cap - 2] = 'a';
}

/* Hosts of odd shapes, most of them refused. */
static const char *const ODD_HOSTS[] = { "", ".", "..", "a..b", ".a", "a.b..", "*.a", "*",
	"a.*.b", "*a.b", "a b", "a/b", "a:b", "a.b:443", "[1.2.3.4]", "1.2.3.4.", "[::1",
	"::1.", "[::1].", "a.7", "1.2.3", "256.1.1.1", "1.2.3.4/32", "caf\xc3\xa9.a", "a\tb",
	"[a.b]", "[]", "[fe80::1%eth0]", "::g", "1.2.3.4.5", "010.1.2.3", "a.b\\", "-", "a.-" };

struct request {
	char host[300];
	uint16_t port;
	enum bcp_proto proto;
};

/* A port near the edges of a port set. */
static int port_near(struct rng *r, const struct pset *ps)
{
	unsigned i = rn(r, ps->n);
	switch (rn(r, 5)) {
	case 0:
		return ps->lo[i] - 1;
	case 1:
		return ps->hi[i] + 1;
	case 2:
		return ps->lo[i] + (int)rn(r, ps->hi[i] - ps->lo[i] + 1u);
	default:
		return chance(r, 50) ? ps->lo[i] : ps->hi[i];
	}
}

/* Mostly aimed at one segment: one of its patterns, one of its ports. */
static void gen_request(struct gen *g, struct request *q)
{
	struct rng *r = &g->r;
	const struct seg *s = &g->s[rn(r, g->ns)];
	int pat = s->pats[rn(r, s->npats)];
	unsigned kind = rn(r, 100);
	int port;

	if (chance(r, 25))   /* any pattern of the pools */
		pat = g->na && chance(r, 40) ? MAX_HPAT + (int)rn(r, g->na) : (int)rn(r, g->nh);
	if (kind < 3) {
		snprintf(q->host, sizeof q->host, "%s", PICK(r, ODD_HOSTS));
	} else if (kind < 6) {
		long_name(r, pat < MAX_HPAT && g->h[pat].name[0] != '*' ? g->h[pat].name : NULL,
			  q->host, sizeof q->host);
	} else if (kind < 10) {   /* a name or an address no pattern was made from */
		if (chance(r, 50))
			gen_name(r, 1 + rn(r, 5), q->host, sizeof q->host);
		else {
			struct apat p = { .family = chance(r, 50) ? 4 : 6 };
			anchor(r, p.family, p.addr);
			addr_near(r, &p, q->host, sizeof q->host);
		}
	} else if (pat >= MAX_HPAT) {
		addr_near(r, &g->a[pat - MAX_HPAT], q->host, sizeof q->host);
	} else {
		name_near(r, g->h[pat].name, q->host, sizeof q->host);
		scramble_case(r, q->host);
		if (chance(r, 12))
			strcat(q->host, ".");
	}

	q->proto = chance(r, 65) ? BCP_TCP : BCP_UDP;
	if (chance(r, 8)) {
		port = 1 + (int)rn(r, 65535);
	} else if (chance(r, 80) && s->ports[0].n + s->ports[1].n > 0) {
		q->proto = s->ports[1].n == 0 || (s->ports[0].n && chance(r, 60)) ? BCP_TCP : BCP_UDP;
		if (chance(r, 10))   /* the other protocol */
			q->proto = q->proto == BCP_TCP ? BCP_UDP : BCP_TCP;
		const struct pset *ps = &s->ports[q->proto == BCP_TCP ? 0 : 1];
		port = ps->n ? port_near(r, ps) : PICK(r, PORT_ANCHORS);
	} else {
		port = PICK(r, PORT_ANCHORS) + (int)rn(r, 5) - 2;
	}
	q->port = (uint16_t)(port < 1 ? 1 : port > 65535 ? 65535 : port);
}
#pragma GCC diagnostic pop
#endif
