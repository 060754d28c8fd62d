/* lint.c - the analyses of `bcpc lint` (lint.h). Each finding is a proof over the
 * key space: which segments a rule applies to is read off the model exactly, and
 * which users it matches is decided by the solver of users.h. Rules are grouped by
 * the segments they apply to (segments to which the same rules apply form one
 * class), so each question is asked once per class. */
#include "lint.h"
#include "classes.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "reference.h"
#include "suggest.h"
#include "users.h"

#define DEFAULT_BUDGET 20000000ull
#define MAX_NAMED 5

static const char *const kind_names[] = {
#define LINT_NAME_(id, name, sev) name,
	LINT_KINDS(LINT_NAME_)
#undef LINT_NAME_
};
static const int kind_sev[] = {
#define LINT_SEV_(id, name, sev) sev,
	LINT_KINDS(LINT_SEV_)
#undef LINT_SEV_
};

const char *lint_kind_name(enum lint_kind k)
{
	return k < LINT_KIND_COUNT ? kind_names[k] : "unknown";
}

int lint_kind_severity(enum lint_kind k)
{
	return k < LINT_KIND_COUNT ? kind_sev[k] : 0;
}

static struct lint_finding *add(struct lint_result *r, enum lint_kind k, struct loc loc,
				const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static struct lint_finding *add(struct lint_result *r, enum lint_kind k, struct loc loc,
				const char *hint, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (r->n == r->cap) {
		uint32_t cap = r->cap ? r->cap * 2 : 16;
		struct lint_finding *f = arena_array(r->a, cap, sizeof *f);
		if (!f)
			return NULL;
		if (r->n)
			memcpy(f, r->f, r->n * sizeof *f);
		r->f = f;
		r->cap = cap;
	}
	struct lint_finding *f = &r->f[r->n++];
	memset(f, 0, sizeof *f);
	f->kind = k;
	f->loc = loc;
	f->message = arena_strdup(r->a, msg);
	f->hint = hint ? arena_strdup(r->a, hint) : NULL;
	f->rule = f->segment = f->profile = f->pattern = -1;
	return f;
}

/* ---- which segments each rule applies to: one bit per (rule, segment) ---- */

struct applies {
	uint64_t *bits;      /* rule r's segments at bits + r * words */
	uint32_t words;
};

static int has(const struct applies *ap, uint32_t r, uint32_t s)
{
	return (int)(ap->bits[(size_t)r * ap->words + s / 64] >> (s % 64) & 1);
}

static int build_applies(const struct model *m, struct applies *ap)
{
	ap->words = (m->nsegments + 63) / 64;
	ap->bits = calloc((size_t)m->nrules * ap->words + 1, sizeof *ap->bits);
	uint64_t *clause = calloc(ap->words + 1, sizeof *clause);
	if (!ap->bits || !clause) {
		free(clause);
		return -1;
	}
	for (uint32_t r = 0; r < m->nrules; r++) {
		uint64_t *row = ap->bits + (size_t)r * ap->words;
		const struct m_rule *rule = &m->rules[r];
		for (uint32_t s = 0; s < m->nsegments; s++)
			row[s / 64] |= 1ull << (s % 64);
		for (uint32_t c = 0; c < rule->nclauses; c++) {
			if (!rule->clauses[c].app)
				continue;
			memset(clause, 0, ap->words * sizeof *clause);
			for (uint32_t i = 0; i < rule->clauses[c].natoms; i++) {
				const struct m_atom *at = &rule->clauses[c].atoms[i];
				for (uint32_t v = 0; v < at->nvalues; v++) {
					if (at->kind == A_SEGMENT)
						clause[at->ids[v] / 64] |= 1ull << (at->ids[v] % 64);
					else if (at->kind == A_SEGMENT_GROUP)
						for (uint32_t s = 0; s < m->nsegments; s++)
							if (m->segments[s].group == at->ids[v])
								clause[s / 64] |= 1ull << (s % 64);
				}
			}
			for (uint32_t w = 0; w < ap->words; w++)
				row[w] &= clause[w];
		}
	}
	free(clause);
	return 0;
}

/* A segment rules decide for: enabled, and not bypass always (bypass wins first). */
static int decidable(const struct m_segment *s)
{
	return s->enabled && s->bypass != BYPASS_ALWAYS;
}

/* ---- classes of segments: the same rules apply to each ---- */

struct classes {
	uint32_t *rep;       /* a segment of each class */
	uint32_t n;
	uint32_t **rules;    /* the rules applying to the class, in order */
	uint32_t *nrules;
};

static int same_column(const struct model *m, const struct applies *ap, uint32_t a, uint32_t b)
{
	for (uint32_t r = 0; r < m->nrules; r++)
		if (has(ap, r, a) != has(ap, r, b))
			return 0;
	return 1;
}

struct hs {
	uint64_t h;
	uint32_t s;
};

static int cmp_hs(const void *a, const void *b)
{
	const struct hs *x = a, *y = b;
	return x->h < y->h ? -1 : x->h > y->h ? 1 : (x->s > y->s) - (x->s < y->s);
}

static int build_classes(const struct model *m, const struct applies *ap, struct classes *c)
{
	struct hs *h = calloc(m->nsegments + 1, sizeof *h);
	uint32_t nh = 0;
	memset(c, 0, sizeof *c);
	if (!h)
		return -1;
	for (uint32_t s = 0; s < m->nsegments; s++) {
		if (!decidable(&m->segments[s]))
			continue;
		uint64_t x = 0x9E3779B97F4A7C15ull;
		for (uint32_t r = 0; r < m->nrules; r++)
			if (has(ap, r, s))
				x = (x ^ (r + 1)) * 0x100000001B3ull;
		h[nh++] = (struct hs){ x, s };
	}
	qsort(h, nh, sizeof *h, cmp_hs);
	c->rep = malloc((nh + 1) * sizeof *c->rep);
	c->rules = calloc(nh + 1, sizeof *c->rules);
	c->nrules = calloc(nh + 1, sizeof *c->nrules);
	if (!c->rep || !c->rules || !c->nrules) {
		free(h);
		return -1;
	}
	uint32_t run = 0;   /* the first class of the current run of equal hashes */
	for (uint32_t i = 0; i < nh; i++) {
		int found = 0;
		if (i == 0 || h[i].h != h[i - 1].h)
			run = c->n;
		/* Equal hashes: compare the columns, so that classes are exact. */
		for (uint32_t k = run; k < c->n && !found; k++)
			found = same_column(m, ap, c->rep[k], h[i].s);
		if (!found)
			c->rep[c->n++] = h[i].s;
	}
	free(h);
	for (uint32_t k = 0; k < c->n; k++) {
		c->rules[k] = malloc((m->nrules + 1) * sizeof **c->rules);
		if (!c->rules[k])
			return -1;
		for (uint32_t r = 0; r < m->nrules; r++)
			if (has(ap, r, c->rep[k]))
				c->rules[k][c->nrules[k]++] = r;
	}
	return 0;
}

static void free_classes(struct classes *c)
{
	for (uint32_t k = 0; c->rules && k < c->n; k++)
		free(c->rules[k]);
	free(c->rules);
	free(c->nrules);
	free(c->rep);
}

/* ---- witnesses: a request to segment s, checked with the reference evaluator ---- */

static int try_witness(const struct model *m, uint32_t rule, uint32_t s,
		       const struct bcp_user_info *u, struct lint_witness *w)
{
	const struct m_segment *seg = &m->segments[s];
	char host[NET_HOST_MAX + 3];
	for (uint32_t i = 0; i < seg->nhosts + seg->naddrs && i < 8; i++) {
		if (i < seg->nhosts) {
			const char *h = seg->hosts[i].name;
			if (!strcmp(h, "*"))
				snprintf(host, sizeof host, "w");
			else if (h[0] == '*')
				snprintf(host, sizeof host, "w%s", h + 1);
			else
				snprintf(host, sizeof host, "%s", h);
		} else {
			struct prefix p = seg->addrs[i - seg->nhosts].p;
			prefix_format(&p, host);
			*strchr(host, '/') = '\0';
		}
		for (int proto = 0; proto < PROTO_COUNT; proto++) {
			const struct port_set *ps = &seg->ports[proto];
			for (uint32_t k = 0; k < ps->n && k < 2; k++) {
				struct ref_result x;
				enum bcp_proto bp = proto == PROTO_UDP ? BCP_UDP : BCP_TCP;
				if (ref_decide(m, u, host, ps->r[k].lo, bp, &x) == 0 &&
				    x.rule == (int32_t)rule) {
					w->found = 1;
					snprintf(w->host, sizeof w->host, "%s", host);
					w->port = ps->r[k].lo;
					w->proto = bp;
					w->user = *u;
					return 1;
				}
			}
		}
	}
	return 0;
}

/* ---- the analyses ---- */

struct lint {
	const struct model *m;
	struct lint_result *r;
	struct uspace *us;
	struct uquery *q;
	uint64_t budget;
	const struct applies *ap;
};

static enum us_result rule_matches_anyone(struct lint *L, uint32_t r)
{
	uquery_reset(L->q);
	if (uquery_holds(L->q, L->m->rules[r].clauses, L->m->rules[r].nclauses))
		return US_UNKNOWN;
	return uquery_solve(L->q, L->budget);
}

/* Can rule r decide in class k: some user it matches that no earlier rule of the
 * class (of action only, when only >= 0) matches? */
static enum us_result live_in_class(struct lint *L, const struct classes *c, uint32_t k,
				    uint32_t r, int only)
{
	uquery_reset(L->q);
	if (uquery_holds(L->q, L->m->rules[r].clauses, L->m->rules[r].nclauses))
		return US_UNKNOWN;
	for (uint32_t i = 0; i < c->nrules[k] && c->rules[k][i] < r; i++) {
		const struct m_rule *e = &L->m->rules[c->rules[k][i]];
		if (only >= 0 && e->allow != only)
			continue;
		if (uquery_fails(L->q, e->clauses, e->nclauses))
			return US_UNKNOWN;
	}
	return uquery_solve(L->q, L->budget);
}

static int overlaps(struct lint *L, uint32_t r, uint32_t e)
{
	uquery_reset(L->q);
	if (uquery_holds(L->q, L->m->rules[r].clauses, L->m->rules[r].nclauses) ||
	    uquery_holds(L->q, L->m->rules[e].clauses, L->m->rules[e].nclauses))
		return 1;
	return uquery_solve(L->q, L->budget) != US_UNSAT;
}

/* The earlier rules that match some of r's users on some of r's segments. */
static void name_earlier(struct lint *L, const struct classes *c, struct lint_finding *f,
			 uint32_t r, int only, char *names, size_t n)
{
	uint8_t *seen = calloc(L->m->nrules + 1, 1);
	uint32_t *list = arena_array(L->r->a, MAX_NAMED, sizeof *list);
	size_t o = 0, more = 0;
	names[0] = '\0';
	if (!seen || !list) {
		free(seen);
		return;
	}
	f->others = list;
	for (uint32_t k = 0; k < c->n; k++) {
		int applies = has(L->ap, r, c->rep[k]);
		for (uint32_t i = 0; applies && i < c->nrules[k] && c->rules[k][i] < r; i++) {
			uint32_t e = c->rules[k][i];
			if (seen[e] || L->r->dead[e] || (only >= 0 && L->m->rules[e].allow != only))
				continue;
			seen[e] = 1;
			if (!overlaps(L, r, e))
				continue;
			if (f->nothers < MAX_NAMED) {
				list[f->nothers++] = e;
				o += (size_t)snprintf(names + o, o < n ? n - o : 0, "%s\"%s\"",
						      f->nothers > 1 ? ", " : "", L->m->rules[e].name);
			} else {
				more++;
			}
		}
	}
	if (more && o < n)
		snprintf(names + o, n - o, " and %zu more", more);
	free(seen);
}

/* Does every user the rule matches have a trusted network? It does when a user
 * clause of trusted_network conditions only fails for a user on no trusted network:
 * that clause reads nothing else of the user, so it then fails for every such user.
 * (The reference evaluator decides the clause, whatever its negations.) */
static int needs_trusted_network(const struct m_rule *rule)
{
	for (uint32_t c = 0; c < rule->nclauses; c++) {
		const struct m_clause *cl = &rule->clauses[c];
		int only = !cl->app && cl->natoms > 0;
		for (uint32_t i = 0; only && i < cl->natoms; i++)
			only = cl->atoms[i].kind == A_TRUSTED_NETWORK;
		if (only && ref_failing_clause(cl, 1, NULL) == 0)
			return 1;
	}
	return 0;
}

/* What the segments a rule applies to prove without asking about users: it
 * applies to none, to disabled ones only, or to 'bypass always' ones only. The
 * finding, or NULL. */
static struct lint_finding *segments_finding(struct lint *L, uint32_t r)
{
	const struct model *m = L->m;
	const struct m_rule *rule = &m->rules[r];
	uint32_t nseg = 0, nenabled = 0, ndecidable = 0, nnever = 0;
	for (uint32_t s = 0; s < m->nsegments; s++)
		if (has(L->ap, r, s)) {
			nseg++;
			nenabled += m->segments[s].enabled;
			ndecidable += decidable(&m->segments[s]);
			nnever += m->segments[s].enabled && m->segments[s].bypass == BYPASS_NEVER;
		}
	if (nseg == 0)
		return add(L->r, LINT_NO_SEGMENT, rule->loc, "no segment is named by each of its app clauses",
			   "rule \"%s\" applies to no segment", rule->name);
	if (nenabled == 0)
		return add(L->r, LINT_DISABLED_ONLY, rule->loc, NULL,
			   "rule \"%s\" names only disabled segments: it never decides", rule->name);
	if (ndecidable == 0)
		return add(L->r, LINT_BYPASS_ONLY, rule->loc, "bypass is decided before any rule",
			   "rule \"%s\" names only 'bypass always' segments: it never decides",
			   rule->name);
	if (nnever == 0 && needs_trusted_network(rule))
		return add(L->r, LINT_BYPASS_ON_NET, rule->loc,
			   "bypass on_net is decided before any rule, for every user on a trusted network",
			   "rule \"%s\" matches only users on a trusted network, and every segment it "
			   "applies to is bypassed for them ('bypass on_net' or 'always'): it never decides",
			   rule->name);
	return NULL;
}

/* Can rule r decide at all: in some class, a user it matches that no earlier rule
 * there matches? US_SAT (a witness is recorded), US_UNSAT, or US_UNKNOWN when some
 * question ran over the budget and none was US_SAT. */
static enum us_result rule_live(struct lint *L, const struct classes *c, uint32_t r,
				enum us_result any)
{
	int unknown = any == US_UNKNOWN;
	for (uint32_t k = 0; k < c->n; k++) {
		if (!has(L->ap, r, c->rep[k]))
			continue;
		enum us_result x = live_in_class(L, c, k, r, -1);
		unknown |= x == US_UNKNOWN;
		if (x != US_SAT)
			continue;
		struct bcp_user_info u;
		if (uquery_user(L->q, L->r->a, &u) == 0)   /* a segment of this class, the user found */
			try_witness(L->m, r, c->rep[k], &u, &L->r->witness[r]);
		return US_SAT;
	}
	return unknown ? US_UNKNOWN : US_UNSAT;
}

/* Are all of dead rule r's users matched first by earlier rules of the other
 * action alone, on every segment it applies to? */
static int shadowed_by_opposite(struct lint *L, const struct classes *c, uint32_t r)
{
	int other = !L->m->rules[r].allow;
	for (uint32_t k = 0; k < c->n; k++)
		if (has(L->ap, r, c->rep[k]) && live_in_class(L, c, k, r, other) != US_UNSAT)
			return 0;
	return 1;
}

/* Rule r never decides: the finding, naming the earlier rules that decide first. */
static struct lint_finding *dead_finding(struct lint *L, const struct classes *c, uint32_t r)
{
	const struct m_rule *rule = &L->m->rules[r];
	char names[600], msg[1024];
	int other = !rule->allow;
	struct lint_finding *f;
	if (shadowed_by_opposite(L, c, r)) {
		f = add(L->r, LINT_SHADOWED_OPPOSITE, rule->loc, NULL, "x");
		if (f)
			name_earlier(L, c, f, r, other, names, sizeof names);
		snprintf(msg, sizeof msg, "%s rule \"%s\" never decides, and the earlier %s rules "
			 "alone match every user it matches on every segment it applies to: %s",
			 rule->allow ? "allow" : "deny", rule->name, other ? "allow" : "deny", names);
	} else {
		f = add(L->r, LINT_NEVER_DECIDES, rule->loc, NULL, "x");
		if (f)
			name_earlier(L, c, f, r, -1, names, sizeof names);
		snprintf(msg, sizeof msg, "rule \"%s\" never decides: for every segment it applies "
			 "to and every user it matches, an earlier rule decides first: %s",
			 rule->name, names);
	}
	if (f)
		f->message = arena_strdup(L->r->a, msg);
	return f;
}

/* One rule: what its segments prove, else whether any user satisfies it, else
 * whether it can decide anywhere. */
static void lint_rule(struct lint *L, const struct classes *c, uint32_t r)
{
	const struct m_rule *rule = &L->m->rules[r];
	struct lint_finding *f = segments_finding(L, r);
	enum us_result any = f ? US_UNSAT : rule_matches_anyone(L, r);
	if (!f && any == US_UNSAT)
		f = add(L->r, LINT_CONTRADICTION, rule->loc,
			"a single-valued attribute (platform, client_type, country, idp, machine_group) "
			"has one value, and a value cannot be both required and excluded",
			"rule \"%s\": no user satisfies its conditions together", rule->name);
	if (!f) {
		enum us_result live = rule_live(L, c, r, any);
		if (live == US_SAT)
			return;
		f = live == US_UNSAT ? dead_finding(L, c, r) :
			add(L->r, LINT_UNDECIDED, rule->loc, "raise the budget with --budget",
			    "rule \"%s\": whether it can decide was not decided (over the solver's "
			    "budget)", rule->name);
	}
	if (!f)
		return;   /* out of memory: lint_policy fails */
	f->rule = (int32_t)r;
	L->r->dead[r] = f->kind != LINT_UNDECIDED;
}

static void lint_rules(struct lint *L, const struct classes *c)
{
	for (uint32_t r = 0; r < L->m->nrules; r++)
		lint_rule(L, c, r);
}

/* A positive clause whose conditions are all SCIM ones: users without SCIM data
 * (those who enroll during the outage) never satisfy it. */
static void lint_scim(struct lint *L)
{
	const struct model *m = L->m;
	for (uint32_t r = 0; r < m->nrules; r++) {
		const struct m_rule *rule = &m->rules[r];
		if (!rule->allow || L->r->dead[r])
			continue;
		for (uint32_t c = 0; c < rule->nclauses; c++) {
			const struct m_clause *cl = &rule->clauses[c];
			int scim = !cl->app && !cl->negated && cl->natoms > 0;
			for (uint32_t i = 0; scim && i < cl->natoms; i++)
				scim = (cl->atoms[i].kind == A_SCIM || cl->atoms[i].kind == A_SCIM_GROUP) &&
				       !cl->atoms[i].negated;   /* (not scim ...) holds without SCIM data */
			if (!scim)
				continue;
			struct lint_finding *f = add(L->r, LINT_SCIM_ONLY, rule->loc,
				"add a SAML condition for the same users (\"or saml ...\"): in Business "
				"Continuity only SAML attributes reach new users",
				"allow rule \"%s\" needs SCIM data (clause %u has only scim conditions): "
				"users who enroll during an outage have none and never match it",
				rule->name, c + 1);
			f->rule = (int32_t)r;
			break;
		}
	}
}

/* A live allow rule without a user condition: every user who enrolled, whoever
 * it is, reaches its segments (unless an earlier rule decides first). */
static void lint_allow_everyone(struct lint *L)
{
	const struct model *m = L->m;
	for (uint32_t r = 0; r < m->nrules; r++) {
		const struct m_rule *rule = &m->rules[r];
		uint32_t user = 0;
		for (uint32_t c = 0; c < rule->nclauses; c++)
			user += !rule->clauses[c].app;
		if (!rule->allow || user || L->r->dead[r])
			continue;
		struct lint_finding *f = add(L->r, LINT_ALLOW_EVERYONE, rule->loc,
			"add the users' conditions (saml, posture, ...) if that is not meant",
			"allow rule \"%s\" has no user condition: every user reaches its segments "
			"unless an earlier rule decides", rule->name);
		f->rule = (int32_t)r;
	}
}

/* A profile every user of which fits an earlier one. */
static void lint_profiles(struct lint *L)
{
	const struct model *m = L->m;
	for (uint32_t p = 0; p < m->nprofiles; p++) {
		const struct m_profile *pr = &m->profiles[p];
		uquery_reset(L->q);
		int bad = uquery_holds(L->q, pr->when, pr->nwhen);
		for (uint32_t e = 0; e < p && !bad; e++)
			bad = uquery_fails(L->q, m->profiles[e].when, m->profiles[e].nwhen);
		enum us_result x = bad ? US_UNKNOWN : uquery_solve(L->q, L->budget);
		if (x == US_SAT)
			continue;
		struct lint_finding *f;
		if (x == US_UNKNOWN) {
			f = add(L->r, LINT_UNDECIDED, pr->loc, NULL,
				"app profile \"%s\": whether it can be chosen was not decided "
				"(over the solver's budget)", pr->name);
		} else {
			char names[600] = "";
			size_t o = 0;
			for (uint32_t e = 0; e < p; e++)
				o += (size_t)snprintf(names + o, o < sizeof names ? sizeof names - o : 0,
							      "%s\"%s\"", o ? ", " : "", m->profiles[e].name);
			f = add(L->r, LINT_PROFILE_NEVER, pr->loc,
				p > 0 && m->profiles[p - 1].nwhen == 0 ?
				"an app profile without 'when' fits every user: keep it last" : NULL,
				"app profile \"%s\" is never chosen: every user it fits takes an earlier "
				"one (%s)", pr->name, p ? names : "none: its conditions contradict each other");
		}
		f->profile = (int32_t)p;
	}
}

/* A segment_group no segment belongs to, named by a rule: that condition names
 * no segment. Once per rule and group. */
static void lint_empty_groups(struct lint *L)
{
	const struct model *m = L->m;
	uint32_t *members = calloc(m->ngroups + 1, sizeof *members);
	uint32_t *seen = calloc(m->ngroups + 1, sizeof *seen);   /* rule + 1 that named it */
	for (uint32_t s = 0; members && s < m->nsegments; s++)
		members[m->segments[s].group]++;
	for (uint32_t r = 0; members && seen && r < m->nrules; r++) {
		const struct m_rule *rule = &m->rules[r];
		for (uint32_t c = 0; c < rule->nclauses; c++)
			for (uint32_t i = 0; i < rule->clauses[c].natoms; i++) {
				const struct m_atom *at = &rule->clauses[c].atoms[i];
				for (uint32_t v = 0; at->kind == A_SEGMENT_GROUP && v < at->nvalues; v++) {
					uint32_t g = at->ids[v];
					if (members[g] || seen[g] == r + 1)
						continue;
					seen[g] = r + 1;
					struct lint_finding *f = add(L->r, LINT_EMPTY_GROUP, rule->loc,
						"add 'group' to the segments meant, or drop the group from the rule",
						"rule \"%s\" names segment_group \"%s\", which has no segment: "
						"that condition holds for no request", rule->name, m->groups[g].name);
					if (f)
						f->rule = (int32_t)r;
				}
			}
	}
	if (!members || !seen)
		L->r->a->failed = 1;
	free(members);
	free(seen);
}

static int clause_names_group(const struct m_clause *cl, uint32_t g)
{
	for (uint32_t i = 0; i < cl->natoms; i++)
		for (uint32_t v = 0; cl->atoms[i].kind == A_SEGMENT_GROUP && v < cl->atoms[i].nvalues; v++)
			if (cl->atoms[i].ids[v] == g)
				return 1;
	return 0;
}

/* A clause naming a segment both by itself and through its group: the segment
 * atom adds nothing (a clause holds when any of its atoms does). Between two
 * clauses it would be a narrowing, and is not reported. */
static void lint_named_twice(struct lint *L)
{
	const struct model *m = L->m;
	for (uint32_t r = 0; r < m->nrules; r++)
		for (uint32_t c = 0; c < m->rules[r].nclauses; c++) {
			const struct m_clause *cl = &m->rules[r].clauses[c];
			for (uint32_t i = 0; i < cl->natoms; i++)
				for (uint32_t v = 0; cl->atoms[i].kind == A_SEGMENT && v < cl->atoms[i].nvalues; v++) {
					const struct m_segment *s = &m->segments[cl->atoms[i].ids[v]];
					if (!clause_names_group(cl, s->group))
						continue;
					struct lint_finding *f = add(L->r, LINT_NAMED_TWICE, m->rules[r].loc,
						"the clause means the same without the segment; if only the "
						"segment was meant, the group names more",
						"rule \"%s\" names segment \"%s\" and its segment_group \"%s\" in "
						"clause %u: the segment adds nothing", m->rules[r].name, s->name,
						m->groups[s->group].name, c + 1);
					if (f)
						f->rule = (int32_t)r;
				}
		}
}

/* ---- app-profile settings against the names clients read (bcp.h) ---- */

static const struct known_setting {
	const char *name;
	enum bcp_setting_type type;
} known_settings[] = {
#define KNOWN_SETTING_(name, type, meaning) { name, type },
	BCP_PROFILE_SETTINGS(KNOWN_SETTING_)
#undef KNOWN_SETTING_
};
#define NKNOWN (sizeof known_settings / sizeof known_settings[0])

/* How a value of each type is written, by enum bcp_setting_type. */
static const char *const written_as[] = { "a string", "a number", "true or false",
					  "a duration", "a list of strings" };
_Static_assert(sizeof written_as / sizeof *written_as == BCPF_SETTING_TYPE_MAX + 1,
	       "one way of writing each setting type");

static void unknown_setting(struct lint *L, uint32_t p, const struct m_setting *st)
{
	struct suggest sg;
	char hint[300];
	size_t o = 0;
	suggest_init(&sg, st->key);
	for (size_t i = 0; i < NKNOWN; i++)
		suggest_add(&sg, known_settings[i].name);
	if (sg.best) {
		snprintf(hint, sizeof hint, "did you mean '%s'?", sg.best);
	} else {
		o = (size_t)snprintf(hint, sizeof hint, "clients read ");
		for (size_t i = 0; i < NKNOWN && o < sizeof hint; i++)
			o += (size_t)snprintf(hint + o, sizeof hint - o, "%s%s", i ? ", " : "",
					      known_settings[i].name);
	}
	struct lint_finding *f = add(L->r, LINT_SETTING_UNKNOWN, st->loc, hint,
		"app profile \"%s\" sets \"%s\", which no client reads", L->m->profiles[p].name,
		st->key);
	if (f)
		f->profile = (int32_t)p;
}

static void lint_settings(struct lint *L)
{
	const struct model *m = L->m;
	for (uint32_t p = 0; p < m->nprofiles; p++)
		for (uint32_t j = 0; j < m->profiles[p].nsettings; j++) {
			const struct m_setting *st = &m->profiles[p].settings[j];
			size_t i = 0;
			while (i < NKNOWN && strcmp(known_settings[i].name, st->key))
				i++;
			if (i == NKNOWN) {
				unknown_setting(L, p, st);
				continue;
			}
			enum bcp_setting_type want = known_settings[i].type;
			if (setting_bcp_type(st->kind) == want)
				continue;
			struct lint_finding *f = add(L->r, LINT_SETTING_TYPE, st->loc, NULL,
				"app profile \"%s\" sets \"%s\" to %s, but clients read %s",
				m->profiles[p].name, st->key, written_as[setting_bcp_type(st->kind)],
				written_as[want]);
			if (f)
				f->profile = (int32_t)p;
		}
}

/* An enabled segment no allow rule applies to: every user is denied there. */
static void lint_segments(struct lint *L, const struct applies *ap)
{
	const struct model *m = L->m;
	for (uint32_t s = 0; s < m->nsegments; s++) {
		if (!decidable(&m->segments[s]))
			continue;
		int allowed = 0;
		for (uint32_t r = 0; r < m->nrules && !allowed; r++)
			allowed = m->rules[r].allow && has(ap, r, s);
		if (allowed)
			continue;
		struct lint_finding *f = add(L->r, LINT_ALL_DENIED, m->segments[s].loc, NULL,
			"segment \"%s\": no allow rule applies to it, so every user is denied there",
			m->segments[s].name);
		f->segment = (int32_t)s;
	}
}

/* ---- segments no request selects, patterns that never win (classes.h) ----
 *
 * Over the request classes of the model, exactly: a segment is selected when some
 * class's step 2 selects it; a pattern wins when taking it out of the model would
 * change the selection of some class (then some request's decision changes;
 * otherwise none does, since rules see only the segments selected). */

struct reach {
	uint8_t *selected;   /* per segment */
	uint8_t *wins;       /* per pattern of the model */
};

static int same_side(const struct cl_side *a, const struct cl_side *b)
{
	return a->matched == b->matched && a->nS == b->nS &&
	       !memcmp(a->S, b->S, a->nS * sizeof *a->S);
}

static int reach_visit(void *ctx, const struct cl_set *s, const struct cl_class *c)
{
	struct reach *R = ctx;
	for (uint32_t i = 0; i < c->side[0].nS; i++)
		R->selected[c->side[0].S[i]] = 1;
	for (uint32_t i = 0; i < c->nchain; i++) {
		int32_t mp = s->pats[c->chain[i]].pat[0];
		if (mp < 0 || R->wins[mp])
			continue;
		struct cl_side without;
		cl_select_without(s, c, 0, c->chain[i], &without);
		R->wins[mp] = !same_side(&c->side[0], &without);
	}
	return 0;
}

/* Where the first segment of pattern p lists it. */
static struct loc pattern_loc(const struct model *m, const struct m_pattern *p)
{
	const struct m_segment *g = &m->segments[p->segs[0]];
	for (uint32_t i = 0; !p->is_addr && i < g->nhosts; i++)
		if (!strcmp(g->hosts[i].name, p->host))
			return g->hosts[i].loc;
	for (uint32_t i = 0; p->is_addr && i < g->naddrs; i++)
		if (!memcmp(&g->addrs[i].p, &p->prefix, sizeof p->prefix))
			return g->addrs[i].loc;
	return g->loc;
}

static void pattern_finding(struct lint *L, const struct reach *R, uint32_t p)
{
	const struct model *m = L->m;
	const struct m_pattern *pat = &m->patterns[p];
	uint32_t live = 0;
	char text[64];
	for (uint32_t k = 0; k < pat->nsegs; k++)
		live += R->selected[pat->segs[k]];
	if (!live)   /* its segments are reported instead */
		return;
	struct lint_finding *f = add(L->r, LINT_PATTERN_NEVER_WINS, pattern_loc(m, pat),
		"remove it: without it every request it matches selects the same segments, "
		"through another pattern",
		"%s in segment \"%s\"%s never wins: taking it out would change no decision",
		pat->is_addr ? prefix_format(&pat->prefix, text) : pat->host,
		m->segments[pat->segs[0]].name, pat->nsegs > 1 ? " and others" : "");
	if (f) {
		f->segment = (int32_t)pat->segs[0];
		f->pattern = (int32_t)p;
	}
}

static void lint_reach(struct lint *L)
{
	const struct model *m = L->m;
	struct cl_set set;
	struct reach R = { calloc(m->nsegments + 1, 1), calloc(m->npatterns + 1, 1) };
	const struct model *one[1] = { m };
	if (R.selected && R.wins && cl_build(one, 1, L->r->a, &set) == 0 &&
	    cl_each(&set, reach_visit, &R) == 0) {
		for (uint32_t s = 0; s < m->nsegments; s++) {
			if (!m->segments[s].enabled || R.selected[s])
				continue;
			struct lint_finding *f = add(L->r, LINT_SEGMENT_UNSELECTED, m->segments[s].loc,
				"give it a pattern or port no other segment takes first, or remove it",
				"segment \"%s\" is selected by no request: each of its patterns and "
				"ports is won by other segments", m->segments[s].name);
			if (f)
				f->segment = (int32_t)s;
		}
		for (uint32_t p = 0; p < m->npatterns; p++)
			if (!R.wins[p])
				pattern_finding(L, &R, p);
	}
	free(R.selected);
	free(R.wins);
}

int lint_policy(const struct model *m, const struct lint_opts *o, struct arena *a,
		struct lint_result *out)
{
	struct lint L = { m, out, NULL, NULL, o && o->budget ? o->budget : DEFAULT_BUDGET, NULL };
	struct applies ap = { 0 };
	struct classes c = { 0 };
	int rc = -1;
	memset(out, 0, sizeof *out);
	out->a = a;
	out->witness = arena_array(a, m->nrules + 1, sizeof *out->witness);
	out->dead = arena_array(a, m->nrules + 1, 1);
	if (!out->witness || !out->dead)
		return -1;
	if (m->nrules == 0)
		add(out, LINT_NO_RULES, loc_file(NULL), "add rules to an access_policy block",
		    "the policy has no rule: every request to a private app is denied");
	L.us = uspace_new(m);
	L.q = L.us ? uquery_new(L.us) : NULL;
	if (!L.q || build_applies(m, &ap) || build_classes(m, &ap, &c))
		goto out;
	L.ap = &ap;
	lint_rules(&L, &c);
	lint_scim(&L);
	lint_allow_everyone(&L);
	lint_profiles(&L);
	lint_settings(&L);
	lint_empty_groups(&L);
	lint_named_twice(&L);
	lint_segments(&L, &ap);
	lint_reach(&L);
	rc = a->failed ? -1 : 0;
out:
	free_classes(&c);
	free(ap.bits);
	uquery_free(L.q);
	uspace_free(L.us);
	return rc;
}
