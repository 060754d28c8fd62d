/* explain.c - records each step of a decision (docs/LANGUAGE.md 6.2) as data for
 * `bcpc explain`. It walks the model as the reference evaluator does, in the same
 * order, and writes down what each step saw; it must decide exactly as the
 * reference and the runtime (test_diff checks it on every request of its corpus). */
#include "explain.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

struct wanted {
	const char *attr;
	const char *value;
	int any_case;
};

static int value_is(void *ctx, const char *name, const char *value)
{
	const struct wanted *w = ctx;
	if (w->attr && (!name || strcmp(name, w->attr)))
		return 0;
	return w->any_case ? ascii_caseeq(value, w->value) : !strcmp(value, w->value);
}

static int atom_values_hold(const struct m_atom *at, const struct bcp_user_info *u)
{
	unsigned kind = atom_pred_kind(at->kind);
	if (!kind)
		return 0;
	const struct bcpf_attr *row = bcpf_attr(kind);
	for (uint32_t i = 0; i < at->nvalues; i++) {
		struct wanted w = { row->shape == BCPF_MAP ? at->attr : NULL, at->values[i],
				    row->compare == BCPF_UPPER };
		if (bcpf_user_each(u, kind, value_is, &w))
			return 1;
	}
	return 0;
}

/* Some value matches and, with `from idp`, the user's IdP is that one; `(not ...)`
 * flips it (LANGUAGE.md 6.2). */
static int xp_atom_holds(const struct m_atom *at, const struct bcp_user_info *u)
{
	int any = atom_values_hold(at, u);
	if (any && at->idp) {
		struct wanted w = { NULL, at->idp, 0 };
		any = bcpf_user_each(u, BCPF_P_IDP, value_is, &w) != 0;
	}
	return at->negated ? !any : any;
}

int xp_clause_holds(const struct m_clause *c, const struct bcp_user_info *u)
{
	if (c->app)
		return 1;
	int any = 0;
	for (uint32_t i = 0; i < c->natoms && !any; i++)
		any = xp_atom_holds(&c->atoms[i], u);
	return c->negated ? !any : any;
}

static int names_segment(const struct model *m, const struct m_clause *c, uint32_t s)
{
	for (uint32_t i = 0; i < c->natoms; i++) {
		const struct m_atom *at = &c->atoms[i];
		uint32_t want = at->kind == A_SEGMENT ? s : m->segments[s].group;
		if (at->kind != A_SEGMENT && at->kind != A_SEGMENT_GROUP)
			continue;
		for (uint32_t j = 0; j < at->nvalues; j++)
			if (at->ids[j] == want)
				return 1;
	}
	return 0;
}

/* ---- step 1: candidates ---- */

static void add_pattern(struct explanation *x, uint32_t p)
{
	if (x->npats < XP_MAX_PATTERNS)
		x->pats[x->npats++].pattern = p;
}

/* Host patterns come first in the model, sorted by strcmp (check_patterns.c):
 * a binary search finds the one spelled text. */
static void find_host(const struct model *m, const char *text, struct explanation *x)
{
	uint32_t lo = 0, hi = m->nhost_patterns;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->patterns[mid].host, text);
		if (c == 0) {
			add_pattern(x, mid);
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
}

static void host_candidates(const struct model *m, const char *h, struct explanation *x)
{
	char text[NET_HOST_MAX + 3];
	find_host(m, h, x);
	for (const char *dot = strchr(h, '.'); dot; dot = strchr(dot + 1, '.')) {
		snprintf(text, sizeof text, "*.%s", dot + 1);
		find_host(m, text, x);
	}
	find_host(m, "*", x);
}

/* The address patterns containing a, longest prefix first (in model order among
 * equal lengths): one pass over them, then by length. */
static void addr_candidates(const struct model *m, const struct prefix *a, struct explanation *x)
{
	uint32_t found[XP_MAX_PATTERNS], n = 0;
	for (uint32_t p = m->nhost_patterns; p < m->npatterns && n < XP_MAX_PATTERNS; p++) {
		const struct m_pattern *pat = &m->patterns[p];
		if (pat->is_addr && pat->prefix.family == a->family && prefix_contains(&pat->prefix, a))
			found[n++] = p;
	}
	for (int len = a->family == 4 ? 32 : 128; len >= 0; len--)
		for (uint32_t i = 0; i < n; i++)
			if (m->patterns[found[i]].prefix.len == len)
				add_pattern(x, found[i]);
}

static int serves(const struct m_segment *s, enum bcp_proto proto, uint16_t port)
{
	const struct port_set *ps = &s->ports[proto == BCP_UDP ? PROTO_UDP : PROTO_TCP];
	for (uint32_t i = 0; i < ps->n; i++)
		if (ps->r[i].lo <= port && port <= ps->r[i].hi)
			return 1;
	return 0;
}

/* Step 2: each candidate adds the first enabled segment of it serving the port. */
static int walk_patterns(const struct model *m, struct explanation *x)
{
	int matched = 0;
	for (uint32_t i = 0; i < x->npats; i++) {
		struct xp_pattern *xp = &x->pats[i];
		const struct m_pattern *pat = &m->patterns[xp->pattern];
		xp->serves = -1;
		for (uint32_t j = 0; j < pat->nsegs; j++)
			xp->enabled |= m->segments[pat->segs[j]].enabled;
		if (!xp->enabled)
			continue;
		matched = 1;
		for (uint32_t j = 0; j < pat->nsegs; j++)
			if (m->segments[pat->segs[j]].enabled &&
			    serves(&m->segments[pat->segs[j]], x->proto, x->port)) {
				xp->serves = (int32_t)pat->segs[j];
				x->selected[x->nselected++] = pat->segs[j];
				break;
			}
		if (pat->match == MATCH_EXCLUSIVE) {
			xp->stops = 1;
			x->npats = i + 1;   /* what came after was never looked at */
			break;
		}
	}
	return matched;
}

/* Step 4, for one rule: decided (segment set), or the first clause that failed. */
static void try_rule(const struct model *m, const struct bcp_user_info *u, uint32_t r,
		     struct explanation *x, struct xp_rule *out)
{
	const struct m_rule *rule = &m->rules[r];
	out->rule = r;
	out->segment = -1;
	for (uint32_t c = 0; c < rule->nclauses; c++)
		if (!rule->clauses[c].app && !xp_clause_holds(&rule->clauses[c], u)) {
			out->why = XR_USER_CLAUSE;
			out->clause = c;
			return;
		}
	for (uint32_t i = 0; i < x->nselected; i++) {
		uint32_t c;
		for (c = 0; c < rule->nclauses; c++)
			if (rule->clauses[c].app && !names_segment(m, &rule->clauses[c], x->selected[i]))
				break;
		if (c == rule->nclauses) {
			out->why = XR_DECIDED;
			out->segment = (int32_t)x->selected[i];
			return;
		}
	}
	/* The first app clause that fails the first selected segment. */
	out->why = XR_NOT_FOR_SEGMENTS;
	out->clause = 0;
	for (uint32_t c = 0; c < rule->nclauses; c++)
		if (rule->clauses[c].app && !names_segment(m, &rule->clauses[c], x->selected[0])) {
			out->clause = c;
			break;
		}
}

static int decide_rules(const struct model *m, const struct bcp_user_info *u, struct explanation *x)
{
	x->rules = malloc((m->nrules ? m->nrules : 1) * sizeof *x->rules);
	if (!x->rules)
		return -1;
	for (uint32_t r = 0; r < m->nrules; r++) {
		struct xp_rule *xr = &x->rules[x->nrules++];
		try_rule(m, u, r, x, xr);
		if (xr->why == XR_DECIDED) {
			x->verdict = m->rules[r].allow ? BCP_ALLOW : BCP_DENY;
			x->segment = xr->segment;
			x->rule = (int32_t)r;
			return 0;
		}
	}
	x->verdict = BCP_DENY;   /* default deny */
	x->segment = (int32_t)x->selected[0];
	return 0;
}

static int choose_profile(const struct model *m, const struct bcp_user_info *u, struct explanation *x)
{
	x->profiles = malloc((m->nprofiles ? m->nprofiles : 1) * sizeof *x->profiles);
	if (!x->profiles)
		return -1;
	for (uint32_t p = 0; p < m->nprofiles; p++) {
		const struct m_profile *pr = &m->profiles[p];
		struct xp_profile *xp = &x->profiles[x->nprofiles++];
		xp->profile = p;
		xp->chosen = 1;
		for (uint32_t c = 0; c < pr->nwhen; c++)
			if (!xp_clause_holds(&pr->when[c], u)) {
				xp->chosen = 0;
				xp->clause = c;
				break;
			}
		if (xp->chosen) {
			x->profile = (int32_t)p;
			return 0;
		}
	}
	return 0;
}

static const struct bcp_user_info no_user;

int explain(const struct model *m, const struct bcp_user_info *u, const char *host,
	    uint16_t port, enum bcp_proto proto, struct explanation *x)
{
	struct prefix a;
	size_t n = strlen(host);

	memset(x, 0, sizeof *x);
	x->port = port;
	x->proto = proto;
	x->segment = x->rule = x->profile = x->bypass = -1;
	x->verdict = BCP_DENY;
	if (!u)
		u = &no_user;
	if (addr_parse_host(host, n, &a) == 0) {
		x->is_addr = 1;
		prefix_format(&a, x->host);
		*strchr(x->host, '/') = '\0';
		addr_candidates(m, &a, x);
	} else if (host_normalize(host, n, x->host, NULL) == HOST_OK && !strchr(x->host, '*')) {
		host_candidates(m, x->host, x);
	} else {
		x->bad_host = 1;
		snprintf(x->host, sizeof x->host, "%.*s", (int)(n < 255 ? n : 255), host);
		return choose_profile(m, u, x) ? (explain_free(x), -1) : 0;
	}
	if (choose_profile(m, u, x))
		return -1;
	if (!walk_patterns(m, x)) {
		x->verdict = BCP_NONE;
		return 0;
	}
	if (x->nselected == 0) {
		x->verdict = BCP_DROP;
		return 0;
	}
	for (uint32_t i = 0; i < x->nselected; i++) {   /* step 3: bypass */
		enum bypass_mode b = m->segments[x->selected[i]].bypass;
		if (b == BYPASS_ALWAYS || (b == BYPASS_ON_NET && u->ntrusted_networks > 0)) {
			x->verdict = BCP_BYPASS;
			x->segment = x->bypass = (int32_t)x->selected[i];
			return 0;
		}
	}
	if (decide_rules(m, u, x)) {
		explain_free(x);
		return -1;
	}
	return 0;
}

void explain_free(struct explanation *x)
{
	free(x->rules);
	free(x->profiles);
	x->rules = NULL;
	x->profiles = NULL;
	x->nrules = x->nprofiles = 0;
}
