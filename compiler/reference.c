/* reference.c - the reference evaluator, written line by line from the semantics
 * (docs/LANGUAGE.md, steps 1-5). Linear scans, and one binary search over the sorted
 * host patterns: it must stay plain enough to be checked by reading, and it must not
 * borrow the runtime's lookup code. */
#include "reference.h"
#include <stdio.h>
#include <string.h>

#define MAX_CANDIDATES REF_MAX_CANDIDATES

/* ---- user clauses ---- */

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

static int eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* One value of a user atom against one value the user has. */
struct wanted {
	const char *attr;      /* the atom's attribute name, for a named kind */
	const char *value;
	int any_case;
};

static int value_is(void *ctx, const char *name, const char *value)
{
	const struct wanted *w = ctx;
	if (w->attr && !eq(name, w->attr))
		return 0;
	return w->any_case ? ascii_caseeq(value, w->value) : eq(value, w->value);
}

/* One value of a user atom against the user: does the user have it, among the
 * values of its attribute (bcp_format.h's table says where they are and how they
 * compare)? App atoms are not about the user. */
static int value_matches(const struct m_atom *at, const char *v, const struct bcp_user_info *u)
{
	unsigned kind = atom_pred_kind(at->kind);
	if (!kind)
		return 0;
	const struct bcpf_attr *row = bcpf_attr(kind);
	struct wanted w = { row->shape == BCPF_MAP ? at->attr : NULL, v,
			    row->compare == BCPF_UPPER };
	return bcpf_user_each(u, kind, value_is, &w) != 0;
}

/* The user's identity provider is idp. */
static int idp_is(const char *idp, const struct bcp_user_info *u)
{
	struct wanted w = { NULL, idp, 0 };
	return bcpf_user_each(u, BCPF_P_IDP, value_is, &w) != 0;
}

/* An atom holds when any of its values matches and, with `from idp`, the user's IdP
 * is that one; `(not ...)` flips it. */
static int atom_holds(const struct m_atom *at, const struct bcp_user_info *u)
{
	int any = 0;
	for (uint32_t i = 0; i < at->nvalues && !any; i++)
		any = value_matches(at, at->values[i], u);
	if (any && at->idp)
		any = idp_is(at->idp, u);
	return at->negated ? !any : any;
}

/* A clause holds when any atom holds, then `not` flips it. */
static int clause_holds(const struct m_clause *c, const struct bcp_user_info *u)
{
	int any = 0;
	for (uint32_t i = 0; i < c->natoms && !any; i++)
		any = atom_holds(&c->atoms[i], u);
	return c->negated ? !any : any;
}

/* All user clauses hold (app clauses are skipped: they are about segments). */
static int user_clauses_hold(const struct m_clause *cl, uint32_t n, const struct bcp_user_info *u)
{
	for (uint32_t i = 0; i < n; i++)
		if (!cl[i].app && !clause_holds(&cl[i], u))
			return 0;
	return 1;
}

/* ---- app clauses ---- */

static int ids_have(const struct m_atom *at, uint32_t id)
{
	for (uint32_t i = 0; i < at->nvalues; i++)
		if (at->ids[i] == id)
			return 1;
	return 0;
}

/* An app clause names segment s, or s's group. */
static int clause_names(const struct model *m, const struct m_clause *c, uint32_t s)
{
	for (uint32_t i = 0; i < c->natoms; i++) {
		const struct m_atom *at = &c->atoms[i];
		if (at->kind == A_SEGMENT && ids_have(at, s))
			return 1;
		if (at->kind == A_SEGMENT_GROUP && ids_have(at, m->segments[s].group))
			return 1;
	}
	return 0;
}

/* A rule applies to s when each of its app clauses names s (none: every segment). */
static int rule_applies(const struct model *m, const struct m_rule *r, uint32_t s)
{
	for (uint32_t i = 0; i < r->nclauses; i++)
		if (r->clauses[i].app && !clause_names(m, &r->clauses[i], s))
			return 0;
	return 1;
}

/* ---- step 1: the candidate patterns of a request, most specific first ---- */

struct candidates {
	uint32_t pat[MAX_CANDIDATES];   /* indices into model.patterns */
	uint32_t n;
};

static void add_candidate(struct candidates *c, uint32_t p)
{
	if (c->n < MAX_CANDIDATES)
		c->pat[c->n++] = p;
}

/* The host pattern spelled exactly text, if some segment has it. The model keeps
 * host patterns first, sorted by strcmp (model.h): a binary search. */
static void find_host_pattern(const struct model *m, const char *text, struct candidates *c)
{
	uint32_t lo = 0, hi = m->nhost_patterns;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(m->patterns[mid].host, text);
		if (cmp == 0) {
			add_candidate(c, mid);
			return;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
}

/* h = l1.l2...ln: h, then *.l2...ln, ..., *.ln, then *. */
static void host_candidates(const struct model *m, const char *h, struct candidates *c)
{
	char text[NET_HOST_MAX + 3];
	find_host_pattern(m, h, c);
	for (const char *dot = strchr(h, '.'); dot; dot = strchr(dot + 1, '.')) {
		snprintf(text, sizeof text, "*.%s", dot + 1);
		find_host_pattern(m, text, c);
	}
	find_host_pattern(m, "*", c);
}

/* Every address pattern that contains a, longest prefix first: one pass collects
 * them (at most one per length), then they are taken by length. */
static void addr_candidates(const struct model *m, const struct prefix *a, struct candidates *c)
{
	uint32_t found[MAX_CANDIDATES], n = 0;
	for (uint32_t p = m->nhost_patterns; p < m->npatterns && n < MAX_CANDIDATES; p++) {
		const struct m_pattern *pat = &m->patterns[p];
		if (pat->is_addr && pat->prefix.family == a->family && prefix_contains(&pat->prefix, a))
			found[n++] = p;
	}
	for (int len = a->family == 4 ? 32 : 128; len >= 0; len--)
		for (uint32_t i = 0; i < n; i++)
			if (m->patterns[found[i]].prefix.len == len)
				add_candidate(c, found[i]);
}

/* ---- steps 2-4 ---- */

static int serves(const struct m_segment *s, enum bcp_proto proto, uint16_t port)
{
	const struct port_set *ps = &s->ports[proto == BCP_UDP ? PROTO_UDP : PROTO_TCP];
	for (uint32_t i = 0; i < ps->n; i++)
		if (ps->r[i].lo <= port && port <= ps->r[i].hi)
			return 1;
	return 0;
}

/* The trace's calls; nothing when there is no trace (plain decisions). */
static void trace_pattern(const struct ref_trace *t, uint32_t p, int enabled, int32_t added,
			  int stops)
{
	if (t)
		t->pattern(t->ctx, p, enabled, added, stops);
}

static void trace_rule(const struct ref_trace *t, uint32_t r, int32_t segment)
{
	if (t)
		t->rule(t->ctx, r, segment);
}

/* Step 2: walk the candidates, most specific first; each adds to S the first
 * enabled segment of it that serves the port, and an exclusive one stops the walk.
 * Returns whether some candidate had an enabled segment at all. */
static int walk_patterns(const struct model *m, const struct candidates *c, uint16_t port,
			 enum bcp_proto proto, const struct ref_trace *t, uint32_t *S, uint32_t *nS)
{
	int matched = 0;
	for (uint32_t i = 0; i < c->n; i++) {
		const struct m_pattern *pat = &m->patterns[c->pat[i]];
		int enabled = 0;
		int32_t added = -1;
		for (uint32_t j = 0; j < pat->nsegs; j++)
			enabled |= m->segments[pat->segs[j]].enabled;
		if (!enabled) {
			trace_pattern(t, c->pat[i], 0, -1, 0);
			continue;   /* disabled segments are not part of the policy */
		}
		matched = 1;
		for (uint32_t j = 0; j < pat->nsegs; j++) {
			const struct m_segment *s = &m->segments[pat->segs[j]];
			if (s->enabled && serves(s, proto, port)) {
				S[(*nS)++] = pat->segs[j];
				added = (int32_t)pat->segs[j];
				break;
			}
		}
		trace_pattern(t, c->pat[i], 1, added, pat->match == MATCH_EXCLUSIVE);
		if (pat->match == MATCH_EXCLUSIVE)
			break;
	}
	return matched;
}

/* Step 4: the first rule that applies to some segment of S and whose user clauses
 * hold; its segment is the first of S it applies to. Returns whether one did. */
static int first_rule(const struct model *m, const struct bcp_user_info *u, const uint32_t *S,
		      uint32_t nS, const struct ref_trace *t, struct ref_result *out)
{
	for (uint32_t r = 0; r < m->nrules; r++) {
		const struct m_rule *rule = &m->rules[r];
		if (!user_clauses_hold(rule->clauses, rule->nclauses, u)) {
			trace_rule(t, r, -1);
			continue;
		}
		for (uint32_t i = 0; i < nS; i++)
			if (rule_applies(m, rule, S[i])) {
				trace_rule(t, r, (int32_t)S[i]);
				out->verdict = rule->allow ? BCP_ALLOW : BCP_DENY;
				out->segment = (int32_t)S[i];
				out->rule = (int32_t)r;
				return 1;
			}
		trace_rule(t, r, -1);
	}
	return 0;
}

int ref_select(const struct model *m, const uint32_t *pats, uint32_t npats, uint16_t port,
	       enum bcp_proto proto, uint32_t S[REF_MAX_SELECTED], uint32_t *nS)
{
	struct candidates c;
	_Static_assert(REF_MAX_SELECTED >= MAX_CANDIDATES, "S holds a segment per candidate");
	c.n = npats < MAX_CANDIDATES ? npats : MAX_CANDIDATES;
	memcpy(c.pat, pats, c.n * sizeof *pats);
	*nS = 0;
	return walk_patterns(m, &c, port, proto, NULL, S, nS);
}

int ref_rule_applies(const struct model *m, uint32_t rule, uint32_t s)
{
	return rule_applies(m, &m->rules[rule], s);
}

static void decide(const struct model *m, const struct bcp_user_info *u,
		   const struct candidates *c, uint16_t port, enum bcp_proto proto,
		   const struct ref_trace *t, struct ref_result *out)
{
	uint32_t S[MAX_CANDIDATES], nS = 0;
	int matched = walk_patterns(m, c, port, proto, t, S, &nS);

	/* Step 3. */
	out->segment = out->rule = -1;
	if (!matched) {
		out->verdict = BCP_NONE;
		return;
	}
	if (nS == 0) {
		out->verdict = BCP_DROP;
		return;
	}
	for (uint32_t i = 0; i < nS; i++) {
		enum bypass_mode b = m->segments[S[i]].bypass;
		if (b == BYPASS_ALWAYS || (b == BYPASS_ON_NET && u->ntrusted_networks > 0)) {
			out->verdict = BCP_BYPASS;
			out->segment = (int32_t)S[i];
			return;
		}
	}

	if (first_rule(m, u, S, nS, t, out))
		return;
	out->verdict = BCP_DENY;   /* default deny */
	out->segment = (int32_t)S[0];
}

static const struct bcp_user_info no_user;

int ref_decide(const struct model *m, const struct bcp_user_info *u, const char *host,
	       uint16_t port, enum bcp_proto proto, struct ref_result *out)
{
	return ref_decide_traced(m, u, host, port, proto, NULL, out);
}

int ref_decide_traced(const struct model *m, const struct bcp_user_info *u, const char *host,
		      uint16_t port, enum bcp_proto proto, const struct ref_trace *t,
		      struct ref_result *out)
{
	struct candidates c;
	struct prefix a;
	char name[NET_HOST_MAX + 1];
	size_t n = strlen(host);

	c.n = 0;
	if (!u)
		u = &no_user;
	if (addr_parse_host(host, n, &a) == 0) {
		if (t)
			t->request(t->ctx, NULL, &a);
		addr_candidates(m, &a, &c);
	} else if (host_normalize(host, n, name, NULL) == HOST_OK && !strchr(name, '*')) {
		if (t)
			t->request(t->ctx, name, NULL);
		host_candidates(m, name, &c);
	} else {
		out->verdict = BCP_DENY;
		out->segment = out->rule = -1;
		return -1;
	}
	decide(m, u, &c, port, proto, t, out);
	return 0;
}

int32_t ref_profile(const struct model *m, const struct bcp_user_info *u)
{
	return ref_profile_traced(m, u, NULL);
}

int32_t ref_profile_traced(const struct model *m, const struct bcp_user_info *u,
			   const struct ref_trace *t)
{
	if (!u)
		u = &no_user;
	for (uint32_t p = 0; p < m->nprofiles; p++) {
		int holds = user_clauses_hold(m->profiles[p].when, m->profiles[p].nwhen, u);
		if (t)
			t->profile(t->ctx, p, holds);
		if (holds)
			return (int32_t)p;
	}
	return -1;
}

/* ---- for a trace: which clause failed ---- */

int32_t ref_failing_clause(const struct m_clause *cl, uint32_t n, const struct bcp_user_info *u)
{
	if (!u)
		u = &no_user;
	for (uint32_t i = 0; i < n; i++)
		if (!cl[i].app && !clause_holds(&cl[i], u))
			return (int32_t)i;
	return -1;
}

int32_t ref_unnaming_clause(const struct model *m, const struct m_rule *r, uint32_t s)
{
	for (uint32_t i = 0; i < r->nclauses; i++)
		if (r->clauses[i].app && !clause_names(m, &r->clauses[i], s))
			return (int32_t)i;
	return -1;
}
