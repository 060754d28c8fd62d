/* blob_model.c - a verified blob read back into the model (blob_model.h). Each
 * function reads one group of sections of docs/FORMAT.md through the record readers
 * of runtime/bcp_format.h; the settings come through libbcp's public API. */
#include "blob_model.h"
#include "check.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../runtime/bcp.h"
#include "../runtime/bcp_format.h"

struct reader {
	const uint8_t *sec[BCPF_NSECTIONS + 1];   /* by section id */
	struct arena *a;
	struct model *m;
	int failed;
	char *err;
	size_t errlen;
};

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct reader *r, const char *fmt, ...)
{
	if (!r->failed && r->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	r->failed = 1;
	return -1;
}

static void *array(struct reader *r, size_t n, size_t size)
{
	void *p = arena_array(r->a, n ? n : 1, size);
	if (!p)
		fail(r, "out of memory");
	return p;
}

static const char *copy(struct reader *r, const char *s)
{
	char *p = s ? arena_strdup(r->a, s) : NULL;
	if (s && !p)
		fail(r, "out of memory");
	return p;
}

/* A string record (strref, FORMAT.md "References"); NULL for none. */
static const char *str(struct reader *r, uint32_t ref)
{
	if (ref == BCPF_NONE)
		return NULL;
	const uint8_t *p = r->sec[BCPF_S_STRINGS] + ref;
	char *s = arena_strndup(r->a, (const char *)p + 2, bcpf_u16(p));
	if (!s)
		fail(r, "out of memory");
	return s;
}

static const uint8_t *record(struct reader *r, int sec, size_t hdr, size_t size, uint32_t i)
{
	return r->sec[sec] + hdr + (size_t)i * size;
}

static uint32_t table_count(struct reader *r, int sec)
{
	return bcpf_table_hdr_count(r->sec[sec]);
}

/* ---- groups, segments and their ports ---- */

static void read_segments(struct reader *r)
{
	struct model *m = r->m;
	m->ngroups = table_count(r, BCPF_S_GROUPS);
	m->groups = array(r, m->ngroups, sizeof *m->groups);
	m->nsegments = table_count(r, BCPF_S_SEGMENTS);
	m->segments = array(r, m->nsegments, sizeof *m->segments);
	if (r->failed)
		return;
	for (uint32_t i = 0; i < m->ngroups; i++) {
		const uint8_t *g = record(r, BCPF_S_GROUPS, BCPF_TABLE_HDR, BCPF_GROUP_SIZE, i);
		m->groups[i].name = str(r, bcpf_group_name(g));
	}
	for (uint32_t i = 0; i < m->nsegments && !r->failed; i++) {
		const uint8_t *s = record(r, BCPF_S_SEGMENTS, BCPF_TABLE_HDR, BCPF_SEGMENT_SIZE, i);
		struct m_segment *g = &m->segments[i];
		g->name = str(r, bcpf_segment_name(s));
		g->group = bcpf_segment_group(s);
		g->enabled = 1;
		g->match = bcpf_segment_match(s) ? MATCH_INCLUSIVE : MATCH_EXCLUSIVE;
		uint8_t b = bcpf_segment_bypass(s);
		g->bypass = b == 1 ? BYPASS_ALWAYS : b == 2 ? BYPASS_ON_NET : BYPASS_NEVER;
		uint32_t first = bcpf_segment_ports(s);
		uint16_t n[PROTO_COUNT] = { bcpf_segment_ntcp(s), bcpf_segment_nudp(s) };
		for (int p = 0; p < PROTO_COUNT; p++) {
			struct port_set *ps = &g->ports[p];
			ps->n = n[p];
			ps->r = array(r, ps->n, sizeof *ps->r);
			for (uint32_t k = 0; k < ps->n && !r->failed; k++) {
				const uint8_t *q = r->sec[BCPF_S_PORTS] +
						   (size_t)(first + k) * BCPF_PORT_SIZE;
				ps->r[k].lo = bcpf_port_lo(q);
				ps->r[k].hi = bcpf_port_hi(q);
			}
			first += n[p];
		}
	}
}

/* ---- patterns: host_nodes, addr4, addr6 ---- */

/* A pattern's segments from its segref: none, one, or a seglist. */
static void pattern_segs(struct reader *r, struct m_pattern *p, uint32_t segref)
{
	if (segref == BCPF_NONE) {
		fail(r, "a pattern of the blob serves no segment");
		return;
	}
	if (!(segref & BCPF_SEGLIST)) {
		p->nsegs = 1;
		p->segs = array(r, 1, sizeof *p->segs);
		if (p->segs)
			p->segs[0] = segref;
	} else {
		const uint8_t *l = r->sec[BCPF_S_SEGLISTS] + (size_t)(segref & ~BCPF_SEGLIST) * 4;
		p->nsegs = bcpf_u32(l);
		p->segs = array(r, p->nsegs, sizeof *p->segs);
		for (uint32_t k = 0; k < p->nsegs && p->segs; k++)
			p->segs[k] = bcpf_u32(l + 4 + 4 * (size_t)k);
	}
	if (p->segs)
		p->match = r->m->segments[p->segs[0]].match;
}

/* The full name of every host node: its label, a dot, its parent's name. */
static const char **node_names(struct reader *r, uint32_t n)
{
	const char **name = array(r, n, sizeof *name);
	if (!name)
		return NULL;
	name[0] = "";
	for (uint32_t i = 1; i < n && !r->failed; i++) {
		const uint8_t *nd = record(r, BCPF_S_HOST_NODES, BCPF_NODES_HDR, BCPF_NODE_SIZE, i);
		const char *label = str(r, bcpf_node_label(nd));
		const char *parent = name[bcpf_node_parent(nd)];
		name[i] = *parent ? arena_printf(r->a, "%s.%s", label, parent) : label;
		if (!name[i])
			fail(r, "out of memory");
	}
	return name;
}

static void add_host(struct reader *r, const char *host, uint32_t segref)
{
	struct m_pattern *p = &r->m->patterns[r->m->npatterns++];
	p->host = host;
	if (!host)
		fail(r, "out of memory");
	pattern_segs(r, p, segref);
}

static void read_hosts(struct reader *r)
{
	uint32_t n = bcpf_nodes_hdr_count(r->sec[BCPF_S_HOST_NODES]);
	const char **name = node_names(r, n);
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		const uint8_t *nd = record(r, BCPF_S_HOST_NODES, BCPF_NODES_HDR, BCPF_NODE_SIZE, i);
		if (i && bcpf_node_exact(nd) != BCPF_NONE)
			add_host(r, name[i], bcpf_node_exact(nd));
		if (bcpf_node_wild(nd) != BCPF_NONE)
			add_host(r, i ? arena_printf(r->a, "*.%s", name[i]) : "*",
				 bcpf_node_wild(nd));
	}
}

static void add_addr(struct reader *r, const struct prefix *pre, uint32_t segref)
{
	struct m_pattern *p = &r->m->patterns[r->m->npatterns++];
	p->is_addr = 1;
	p->prefix = *pre;
	pattern_segs(r, p, segref);
}

static void read_addrs(struct reader *r)
{
	const uint8_t *h4 = r->sec[BCPF_S_ADDR4], *h6 = r->sec[BCPF_S_ADDR6];
	for (uint32_t i = 0; i < bcpf_hash_hdr_nslots(h4) && !r->failed; i++) {
		const uint8_t *s = h4 + BCPF_ADDR4_HDR + (size_t)i * BCPF_ADDR4_SLOT;
		if (!bcpf_addr4_slot_used(s))
			continue;
		struct prefix p = { .family = 4, .len = bcpf_addr4_slot_len(s) };
		uint32_t net = bcpf_addr4_slot_network(s);
		for (int k = 0; k < 4; k++)
			p.addr[k] = (uint8_t)(net >> (24 - 8 * k));
		add_addr(r, &p, bcpf_addr4_slot_segref(s));
	}
	for (uint32_t i = 0; i < bcpf_hash_hdr_nslots(h6) && !r->failed; i++) {
		const uint8_t *s = h6 + BCPF_ADDR6_HDR + (size_t)i * BCPF_ADDR6_SLOT;
		if (!bcpf_addr6_slot_used(s))
			continue;
		struct prefix p = { .family = 6, .len = bcpf_addr6_slot_len(s) };
		memcpy(p.addr, s, 16);   /* the network bytes, as stored */
		add_addr(r, &p, bcpf_addr6_slot_segref(s));
	}
}

/* Each segment's hosts and addresses, from the patterns that list it. */
static void segment_patterns(struct reader *r)
{
	struct model *m = r->m;
	for (uint32_t i = 0; i < m->npatterns; i++)
		for (uint32_t k = 0; k < m->patterns[i].nsegs; k++) {
			struct m_segment *g = &m->segments[m->patterns[i].segs[k]];
			*(m->patterns[i].is_addr ? &g->naddrs : &g->nhosts) += 1;
		}
	for (uint32_t s = 0; s < m->nsegments && !r->failed; s++) {
		struct m_segment *g = &m->segments[s];
		g->hosts = array(r, g->nhosts, sizeof *g->hosts);
		g->addrs = array(r, g->naddrs, sizeof *g->addrs);
		g->nhosts = g->naddrs = 0;
	}
	for (uint32_t i = 0; i < m->npatterns && !r->failed; i++) {
		const struct m_pattern *p = &m->patterns[i];
		for (uint32_t k = 0; k < p->nsegs; k++) {
			struct m_segment *g = &m->segments[p->segs[k]];
			if (p->is_addr)
				g->addrs[g->naddrs++].p = p->prefix;
			else
				g->hosts[g->nhosts++].name = p->host;
		}
	}
}

static void read_patterns(struct reader *r)
{
	struct model *m = r->m;
	uint64_t n = bcpf_nodes_hdr_count(r->sec[BCPF_S_HOST_NODES]) * 2ull +
		     bcpf_hash_hdr_nslots(r->sec[BCPF_S_ADDR4]) +
		     bcpf_hash_hdr_nslots(r->sec[BCPF_S_ADDR6]);
	m->patterns = array(r, (size_t)n, sizeof *m->patterns);
	if (r->failed)
		return;
	read_hosts(r);
	m->nhost_patterns = m->npatterns;
	read_addrs(r);
	if (r->failed)
		return;
	qsort(m->patterns, m->npatterns, sizeof *m->patterns, m_pattern_cmp);
	segment_patterns(r);
}

/* ---- predicates, clauses, rules, profiles ---- */

static uint32_t vocab_id(unsigned kind, const char *value)
{
	const char *const *names = NULL;
	unsigned n = 0;
	if (bcpf_attr(kind)->vocab == BCPF_V_PLATFORM) {
		names = platform_names;
		n = nplatforms;
	} else if (bcpf_attr(kind)->vocab == BCPF_V_CLIENT_TYPE) {
		names = client_type_names;
		n = nclient_types;
	}
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(names[i], value))
			return i;
	return 0;
}

/* Predicate p (an index into predicates) read as (kind, attr, value). */
static void pred_at(struct reader *r, uint32_t p, unsigned *kind, const char **attr,
		    const char **value)
{
	const uint8_t *pr = record(r, BCPF_S_PREDICATES, BCPF_PRED_HDR, BCPF_PRED_SIZE, p);
	*kind = bcpf_pred_kind(pr);
	*attr = str(r, bcpf_pred_attr(pr));
	*value = str(r, bcpf_pred_value(pr));
}

static int same_atom(const struct m_atom *at, unsigned kind, const char *attr)
{
	return atom_pred_kind(at->kind) == kind &&
	       (at->attr == attr || (at->attr && attr && !strcmp(at->attr, attr)));
}

/* Clause i of the clauses section: a run of predicates, one atom per run of the
 * same kind and attribute. */
static void read_clause(struct reader *r, uint32_t i, struct m_clause *c)
{
	const uint8_t *cl = record(r, BCPF_S_CLAUSES, BCPF_TABLE_HDR, BCPF_CLAUSE_SIZE, i);
	uint32_t first = bcpf_clause_first(cl), n = bcpf_clause_n(cl);
	c->negated = bcpf_clause_negated(cl);
	c->atoms = array(r, n, sizeof *c->atoms);
	for (uint32_t k = 0; k < n && !r->failed; k++) {
		unsigned kind;
		const char *attr, *value;
		pred_at(r, bcpf_u32(r->sec[BCPF_S_CLAUSE_PREDS] + 4 * (size_t)(first + k)), &kind,
			&attr, &value);
		struct m_atom *at = &c->atoms[c->natoms ? c->natoms - 1 : 0];
		if (!c->natoms || !same_atom(at, kind, attr)) {
			at = &c->atoms[c->natoms++];
			at->kind = (enum atom_kind)(A_SEGMENT_GROUP + kind);
			at->attr = attr;
			at->values = array(r, n - k, sizeof *at->values);
			at->ids = array(r, n - k, sizeof *at->ids);
			if (r->failed)
				return;
		}
		at->ids[at->nvalues] = vocab_id(kind, value);
		at->values[at->nvalues++] = value;
	}
}

/* The user clauses first .. first + n, after `extra` clauses left for the caller. */
static struct m_clause *read_clauses(struct reader *r, uint32_t first, uint32_t n,
				     uint32_t extra)
{
	struct m_clause *c = array(r, (size_t)n + extra, sizeof *c);
	for (uint32_t k = 0; k < n && c && !r->failed; k++)
		read_clause(r, first + k, &c[extra + k]);
	return c;
}

/* The app clause of a rule that lists its segments: one atom naming them all. */
static void app_clause(struct reader *r, const uint8_t *ru, struct m_clause *c)
{
	uint32_t first = bcpf_rule_segs(ru), n = bcpf_rule_nsegs(ru);
	c->app = 1;
	c->natoms = 1;
	c->atoms = array(r, 1, sizeof *c->atoms);
	if (!c->atoms)
		return;
	struct m_atom *at = c->atoms;
	at->kind = A_SEGMENT;
	at->values = array(r, n, sizeof *at->values);
	at->ids = array(r, n, sizeof *at->ids);
	for (uint32_t k = 0; k < n && !r->failed; k++) {
		at->ids[k] = bcpf_u32(r->sec[BCPF_S_RULE_SEGS] + 4 * (size_t)(first + k));
		at->values[k] = r->m->segments[at->ids[k]].name;
	}
	at->nvalues = n;
}

static void read_rules(struct reader *r)
{
	struct model *m = r->m;
	m->nrules = table_count(r, BCPF_S_RULES);
	m->rules = array(r, m->nrules, sizeof *m->rules);
	for (uint32_t i = 0; i < m->nrules && !r->failed; i++) {
		const uint8_t *ru = record(r, BCPF_S_RULES, BCPF_TABLE_HDR, BCPF_RULE_SIZE, i);
		struct m_rule *mr = &m->rules[i];
		uint32_t napp = !bcpf_rule_all_segments(ru);
		mr->name = str(r, bcpf_rule_name(ru));
		mr->allow = bcpf_rule_allow(ru);
		mr->nclauses = bcpf_rule_nclauses(ru) + napp;
		mr->clauses = read_clauses(r, bcpf_rule_clauses(ru), bcpf_rule_nclauses(ru), napp);
		if (napp && mr->clauses)
			app_clause(r, ru, &mr->clauses[0]);
	}
}

static void read_setting(struct reader *r, const struct bcp_setting *s, struct m_setting *o)
{
	o->key = copy(r, s->key);
	o->kind = (enum setting_kind)s->type;
	o->s = copy(r, s->s);
	o->n = s->n;
	o->nlist = (uint32_t)s->nlist;
	o->list = array(r, s->nlist, sizeof *o->list);
	for (size_t k = 0; k < s->nlist && o->list; k++)
		o->list[k] = copy(r, s->list[k]);
}

static void read_profiles(struct reader *r, const bcp_blob *b)
{
	struct model *m = r->m;
	m->nprofiles = table_count(r, BCPF_S_PROFILES);
	m->profiles = array(r, m->nprofiles, sizeof *m->profiles);
	for (uint32_t i = 0; i < m->nprofiles && !r->failed; i++) {
		const uint8_t *pr = record(r, BCPF_S_PROFILES, BCPF_TABLE_HDR, BCPF_PROFILE_SIZE, i);
		struct m_profile *mp = &m->profiles[i];
		mp->name = str(r, bcpf_profile_name(pr));
		mp->nwhen = bcpf_profile_nclauses(pr);
		mp->when = read_clauses(r, bcpf_profile_clauses(pr), mp->nwhen, 0);
		mp->nsettings = (uint32_t)bcp_profile_setting_count(b, i);
		mp->settings = array(r, mp->nsettings, sizeof *mp->settings);
		for (uint32_t k = 0; k < mp->nsettings && !r->failed; k++) {
			struct bcp_setting s;
			if (bcp_profile_setting(b, i, k, &s))
				fail(r, "profile %u has no setting %u", i, k);
			else
				read_setting(r, &s, &mp->settings[k]);
		}
	}
}

/* ---- tenant and business_continuity ---- */

static void read_bc(struct reader *r, const bcp_blob *b)
{
	struct bcp_info info;
	struct bcp_settings s;
	bcp_info(b, &info);
	bcp_settings_get(b, &s);
	r->m->tenant = copy(r, info.tenant);
	if (!s.present)
		return;
	struct m_bc *bc = r->m->bc = array(r, 1, sizeof *bc);
	if (!bc)
		return;
	bc->domain = copy(r, s.domain);
	bc->sni = copy(r, s.sni);
	bc->sni_new_user = copy(r, s.sni_new_user);
	bc->sp_url = copy(r, s.sp_url);
	bc->ncontrollers = (uint32_t)s.ncontrollers;
	bc->controllers = array(r, s.ncontrollers, sizeof *bc->controllers);
	for (size_t k = 0; k < s.ncontrollers && bc->controllers; k++) {
		bc->controllers[k].host = copy(r, s.controllers[k].host);
		bc->controllers[k].port = s.controllers[k].port;
	}
	if (s.sp_ca_pem) {
		char *pem = arena_strndup(r->a, s.sp_ca_pem, s.sp_ca_len);
		if (!pem)
			fail(r, "out of memory");
		bc->sp_ca_pem = pem;
		bc->sp_ca_len = s.sp_ca_len;
	}
	bc->enter_after = s.enter_after_s;
	bc->exit_after = s.exit_after_s;
	bc->auth_max_age = s.auth_max_age_s;
	bc->exit_mode = s.exit_automatic ? EXIT_AUTOMATIC : EXIT_TIME_BASED;
}

/* ---- the whole ---- */

/* Opens the blob against the key in its own header, whatever the clock says. */
static bcp_blob *open_self(const uint8_t *data, size_t len, struct reader *r)
{
	char tp[45];
	const char *tps[1] = { tp };
	struct bcp_error e;
	bcp_blob *b = NULL;
	if (len < BCPF_HEADER_SIZE || bcp_thumbprint(data + BCPF_H_PUBKEY, tp)) {
		fail(r, "not a policy blob: too short");
		return NULL;
	}
	struct bcp_open_opts o = { .thumbprints = tps, .nthumbprints = 1,
				   .flags = BCP_OPEN_EXPIRED_DENIES | BCP_OPEN_NOT_YET_VALID_DENIES };
	o.now = (int64_t)bcpf_u64(data + BCPF_H_NOT_BEFORE);
	if (bcp_open_buffer(data, len, &o, &b, &e) != BCP_OK) {
		fail(r, "%s", e.message);
		return NULL;
	}
	return b;
}

int blob_model(const uint8_t *data, size_t len, struct arena *a, struct model *out, char *err,
	       size_t errlen)
{
	struct reader r = { .a = a, .m = out, .err = err, .errlen = errlen };
	memset(out, 0, sizeof *out);
	if (errlen)
		err[0] = '\0';
	bcp_blob *b = open_self(data, len, &r);
	if (!b)
		return -1;
	for (int s = 0; s < BCPF_NSECTIONS; s++) {
		const uint8_t *e = data + BCPF_HEADER_SIZE + (size_t)s * BCPF_DIRENT_SIZE;
		r.sec[bcpf_dirent_id(e)] = data + bcpf_dirent_offset(e);
	}
	read_bc(&r, b);
	read_segments(&r);
	if (!r.failed)
		read_patterns(&r);
	if (!r.failed)
		read_rules(&r);
	if (!r.failed)
		read_profiles(&r, b);
	bcp_close(b);
	return r.failed ? -1 : 0;
}
