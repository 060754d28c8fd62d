/* diff.c - the semantic part of bcpc diff (diff.h). For each request class
 * (classes.h), each model's decision is one of a few options, each taken by the
 * users of a condition: a bypass (on a trusted network or not), the k-th rule of
 * the rules that apply to the selected segments (it holds, the earlier ones fail),
 * or the default deny (all fail). Every pair of options whose decisions differ is
 * solved (users.h); the pairs no user can reach are proved so, or are cut at once
 * when a rule of the same user clauses stands earlier on the other side. Classes
 * whose segments, bypass and rules are the same on both sides are passed over
 * without a question: that keeps a large diff fast. */
#include "diff.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "users.h"
#include "diff_int.h"

#define DEFAULT_BUDGET 20000000ull   /* as lint's */

/* ---- the rules that apply to each segment, per model ---- */

struct seg_rules {
	uint32_t **list;   /* per segment: the rules that apply, in order */
	uint32_t *n;
};

static int build_seg_rules(const struct model *m, struct arena *a, struct seg_rules *sr)
{
	uint32_t *tmp = malloc((m->nrules + 1) * sizeof *tmp);
	sr->list = arena_array(a, m->nsegments + 1, sizeof *sr->list);
	sr->n = arena_array(a, m->nsegments + 1, sizeof *sr->n);
	if (!tmp || !sr->list || !sr->n) {
		free(tmp);
		return -1;
	}
	for (uint32_t s = 0; s < m->nsegments; s++) {
		uint32_t n = 0;
		for (uint32_t r = 0; r < m->nrules; r++)
			if (ref_rule_applies(m, r, s))
				tmp[n++] = r;
		sr->n[s] = n;
		sr->list[s] = arena_array(a, n + 1, sizeof *tmp);
		if (!sr->list[s])
			break;
		memcpy(sr->list[s], tmp, n * sizeof *tmp);
	}
	free(tmp);
	return a->failed ? -1 : 0;
}

/* ---- the state of one diff ---- */

struct found;

struct centry {
	uint64_t hash;
	uint32_t *key;            /* matched, nS, S... of each side */
	uint32_t nkey;
	struct found *f;
	uint32_t n;
};

struct cache {
	struct centry *e;
	uint32_t cap, n;
};


struct differ {
	const struct model *m[2];
	const struct df_maps *mp;
	struct seg_rules sr[2];
	int32_t *users_same[2];   /* per rule: the other model's rule of the same user clauses */
	uint8_t *seg_same;        /* per old segment: same bypass, and its rules do the same */
	int32_t *pos[2];          /* per rule: its place in this class's list, -1 */
	uint32_t *seen[2];        /* per rule: scratch for merging lists */
	struct uspace *us;
	struct uquery *q;
	uint64_t budget;
	struct arena *a;
	struct df_result *r;
	struct cache cache;
	uint32_t nfound;
};

static int rule_users_equal(const struct model *o, const struct m_rule *a,
			    const struct model *n, const struct m_rule *b)
{
	struct ptext x = { 0 }, y = { 0 };
	pt_put(&x, "");
	pt_put(&y, "");
	dt_user_clauses(&x, o, a->clauses, a->nclauses);
	dt_user_clauses(&y, n, b->clauses, b->nclauses);
	int same = !x.failed && !y.failed && !strcmp(x.p, y.p);
	free(x.p);
	free(y.p);
	return same;
}

static int build_users_same(struct differ *D)
{
	for (int k = 0; k < 2; k++) {
		D->users_same[k] = arena_array(D->a, D->m[k]->nrules + 1, sizeof(int32_t));
		D->pos[k] = arena_array(D->a, D->m[k]->nrules + 1, sizeof(int32_t));
		D->seen[k] = arena_array(D->a, D->m[k]->nrules + 1, sizeof(uint32_t));
		if (D->a->failed)
			return -1;
		for (uint32_t i = 0; i < D->m[k]->nrules; i++)
			D->users_same[k][i] = D->pos[k][i] = -1, D->seen[k][i] = 0;
	}
	for (uint32_t i = 0; i < D->m[0]->nrules; i++) {
		int32_t j = D->mp->rule_new[i];
		if (j >= 0 && rule_users_equal(D->m[0], &D->m[0]->rules[i], D->m[1], &D->m[1]->rules[j]))
			D->users_same[0][i] = j, D->users_same[1][j] = (int32_t)i;
	}
	return 0;
}

/* The rules of old segment s and of its new counterpart decide alike: the same
 * length, and pairwise the same rule (by the maps), action and user clauses. */
static int same_rules_of(const struct differ *D, uint32_t s, uint32_t t)
{
	if (D->sr[0].n[s] != D->sr[1].n[t])
		return 0;
	for (uint32_t i = 0; i < D->sr[0].n[s]; i++) {
		uint32_t a = D->sr[0].list[s][i], b = D->sr[1].list[t][i];
		if (D->mp->rule_new[a] != (int32_t)b || D->users_same[0][a] != (int32_t)b ||
		    D->m[0]->rules[a].allow != D->m[1]->rules[b].allow)
			return 0;
	}
	return 1;
}

static int build_seg_same(struct differ *D)
{
	D->seg_same = arena_array(D->a, D->m[0]->nsegments + 1, 1);
	if (!D->seg_same)
		return -1;
	for (uint32_t s = 0; s < D->m[0]->nsegments; s++) {
		int32_t t = D->mp->seg_new[s];
		D->seg_same[s] = t >= 0 &&
				 D->m[0]->segments[s].bypass == D->m[1]->segments[t].bypass &&
				 same_rules_of(D, s, (uint32_t)t);
	}
	return 0;
}

/* Both sides select segments that decide alike, in the same order: no user can
 * see a difference. */
static int class_unchanged(const struct differ *D, const struct cl_class *c)
{
	const struct cl_side *o = &c->side[0], *n = &c->side[1];
	/* Several segments: the rules' order across them counts too (sides_same). */
	if (o->matched != n->matched || o->nS != n->nS || o->nS > 1)
		return 0;
	for (uint32_t i = 0; i < o->nS; i++)
		if (D->mp->seg_new[o->S[i]] != (int32_t)n->S[i] || !D->seg_same[o->S[i]])
			return 0;
	return 1;
}

/* ---- the options of one side ---- */

enum opt_kind { O_FIXED, O_RULE, O_DEFAULT };

struct option {
	enum opt_kind kind;
	struct df_outcome out;
	int on_net;           /* -1 any, 0 off, 1 on a trusted network */
	uint32_t pos;         /* O_RULE: its place in the list; O_DEFAULT: the list's length */
};

struct side {
	uint32_t *rules;      /* the rules that apply to some segment of S, in order */
	int32_t *seg;         /* the first segment of S each applies to */
	uint32_t n;
	struct option *opt;
	uint32_t nopt;
};

/* The rules that apply to some segment of S, each with the first segment of S it
 * applies to; cut after a rule with no user clause (nothing after it decides). */
static int merge_rules(struct differ *D, int k, const struct cl_side *cs, struct side *sd)
{
	uint32_t total = 0;
	for (uint32_t i = 0; i < cs->nS; i++)
		total += D->sr[k].n[cs->S[i]];
	sd->rules = malloc((total + 1) * sizeof *sd->rules);
	sd->seg = malloc((total + 1) * sizeof *sd->seg);
	if (!sd->rules || !sd->seg)
		return -1;
	sd->n = 0;
	for (uint32_t i = 0; i < cs->nS; i++)
		for (uint32_t j = 0; j < D->sr[k].n[cs->S[i]]; j++) {
			uint32_t r = D->sr[k].list[cs->S[i]][j];
			if (D->seen[k][r])
				continue;
			D->seen[k][r] = 1;
			sd->rules[sd->n] = r;
			sd->seg[sd->n++] = (int32_t)cs->S[i];
		}
	/* sort by rule (insertion: lists are merged runs of sorted lists) */
	for (uint32_t i = 1; i < sd->n; i++)
		for (uint32_t j = i; j > 0 && sd->rules[j - 1] > sd->rules[j]; j--) {
			uint32_t t = sd->rules[j];
			int32_t u = sd->seg[j];
			sd->rules[j] = sd->rules[j - 1], sd->seg[j] = sd->seg[j - 1];
			sd->rules[j - 1] = t, sd->seg[j - 1] = u;
		}
	for (uint32_t i = 0; i < sd->n; i++)
		D->seen[k][sd->rules[i]] = 0;
	for (uint32_t i = 0; i < sd->n; i++)
		if (!dt_nuser(D->m[k]->rules[sd->rules[i]].clauses,
			      D->m[k]->rules[sd->rules[i]].nclauses)) {
			sd->n = i + 1;
			return 1;   /* the default is never reached */
		}
	return 0;
}

static void add_opt(struct side *sd, enum opt_kind kind, enum bcp_verdict v, int32_t seg,
		    int32_t rule, int on_net, uint32_t pos)
{
	sd->opt[sd->nopt++] = (struct option){ kind, { v, seg, rule }, on_net, pos };
}

/* The rules part: one option per rule of the list, then the default. */
static int rule_options(struct differ *D, int k, const struct cl_side *cs, struct side *sd,
			int on_net)
{
	int cut = merge_rules(D, k, cs, sd);
	if (cut < 0)
		return -1;
	for (uint32_t i = 0; i < sd->n; i++) {
		const struct m_rule *r = &D->m[k]->rules[sd->rules[i]];
		add_opt(sd, O_RULE, r->allow ? BCP_ALLOW : BCP_DENY, sd->seg[i], (int32_t)sd->rules[i],
			on_net, i);
	}
	if (!cut)
		add_opt(sd, O_DEFAULT, BCP_DENY, (int32_t)cs->S[0], -1, on_net, sd->n);
	return 0;
}

/* Steps 3 and 4 for one side, as options. */
static int side_options(struct differ *D, int k, const struct cl_side *cs, struct side *sd)
{
	memset(sd, 0, sizeof *sd);
	uint32_t room = 3;
	for (uint32_t i = 0; i < cs->nS; i++)
		room += D->sr[k].n[cs->S[i]];
	sd->opt = malloc(room * sizeof *sd->opt);
	if (!sd->opt)
		return -1;
	if (!cs->matched || cs->nS == 0) {
		add_opt(sd, O_FIXED, cs->matched ? BCP_DROP : BCP_NONE, -1, -1, -1, 0);
		return 0;
	}
	int32_t always = -1, any = -1;
	for (uint32_t i = 0; i < cs->nS; i++) {
		enum bypass_mode b = D->m[k]->segments[cs->S[i]].bypass;
		if (b == BYPASS_ALWAYS && always < 0)
			always = (int32_t)cs->S[i];
		if (b != BYPASS_NEVER && any < 0)
			any = (int32_t)cs->S[i];
	}
	if (any >= 0)
		add_opt(sd, O_FIXED, BCP_BYPASS, any, -1, any == always ? -1 : 1, 0);
	if (always >= 0 && always != any)
		add_opt(sd, O_FIXED, BCP_BYPASS, always, -1, 0, 0);
	if (always >= 0)
		return 0;
	return rule_options(D, k, cs, sd, any >= 0 ? 0 : -1);
}

static void side_free(struct side *sd)
{
	free(sd->rules);
	free(sd->seg);
	free(sd->opt);
}

/* ---- pairs of options ---- */

int diff_same(const struct df_maps *mp, const struct df_outcome *o, const struct df_outcome *n)
{
	if (o->verdict != n->verdict)
		return 0;
	if ((o->segment < 0) != (n->segment < 0) || (o->rule < 0) != (n->rule < 0))
		return 0;
	if (o->segment >= 0 && mp->seg_new[o->segment] != n->segment)
		return 0;
	return o->rule < 0 || mp->rule_new[o->rule] == n->rule;
}

/* Cut without a question: a rule one side must see hold stands, with the same user
 * clauses, before the other side's option, which needs it to fail. */
static int plainly_apart(const struct differ *D, const struct side *sd, const struct option *a,
			 const struct option *b, int k)
{
	if (a->kind != O_RULE || b->kind == O_FIXED)
		return 0;
	int32_t same = D->users_same[k][sd[k].rules[a->pos]];
	return same >= 0 && D->pos[!k][same] >= 0 && (uint32_t)D->pos[!k][same] < b->pos;
}

/* Side 1's rule r must fail, and side 0's option (first earlier ones fail) asks
 * the same already. */
static int asked_already(const struct differ *D, int k, uint32_t r, uint32_t limit)
{
	int32_t same = D->users_same[k][r];
	return k == 1 && same >= 0 && D->pos[0][same] >= 0 && (uint32_t)D->pos[0][same] < limit;
}

/* The condition of option o of side k: it holds, the earlier ones fail. limit:
 * side 0's option's place (the rules it needs to fail). */
static int add_condition(struct differ *D, const struct side *sd, int k, const struct option *o,
			 uint32_t limit)
{
	const struct model *m = D->m[k];
	if (o->kind == O_FIXED)
		return 0;
	for (uint32_t i = 0; i < o->pos; i++) {
		uint32_t r = sd[k].rules[i];
		if (asked_already(D, k, r, limit))
			continue;
		if (uquery_fails(D->q, m->rules[r].clauses, m->rules[r].nclauses))
			return -1;
	}
	if (o->kind == O_RULE) {
		const struct m_rule *r = &m->rules[sd[k].rules[o->pos]];
		return uquery_holds(D->q, r->clauses, r->nclauses);
	}
	return 0;
}

static int combined_net(const struct option *a, const struct option *b)
{
	return a->on_net >= 0 ? a->on_net : b->on_net;
}

static enum us_result solve_pair(struct differ *D, const struct side *sd, const struct option *a,
				 const struct option *b)
{
	uquery_reset(D->q);
	int net = combined_net(a, b);
	uint32_t limit = a->kind == O_FIXED ? 0 : a->pos;
	if ((net >= 0 && uquery_on_net(D->q, net)) || add_condition(D, sd, 0, a, 0) ||
	    add_condition(D, sd, 1, b, limit))
		return US_UNKNOWN;
	D->r->stats.solved++;
	return uquery_solve(D->q, D->budget);
}

/* ---- the user condition, in words ---- */

struct parts {
	char **p;
	uint32_t n, cap;
	int failed;
};

static void part_add(struct parts *ps, struct ptext *t)
{
	if (t->failed || !t->p) {
		ps->failed = 1;
		free(t->p);
		return;
	}
	for (uint32_t i = 0; i < ps->n; i++)
		if (!strcmp(ps->p[i], t->p)) {
			free(t->p);
			return;
		}
	if (ps->n == ps->cap) {
		uint32_t cap = ps->cap ? ps->cap * 2 : 16;
		char **np = realloc(ps->p, cap * sizeof *np);
		if (!np) {
			ps->failed = 1;
			free(t->p);
			return;
		}
		ps->p = np, ps->cap = cap;
	}
	ps->p[ps->n++] = t->p;
}

static void part_text(struct parts *ps, const char *s)
{
	struct ptext t = { 0 };
	pt_put(&t, s);
	part_add(ps, &t);
}

/* "not (a and b)", or the flipped clause when the rule has one user clause. */
static void part_fails(struct parts *ps, const struct model *m, const struct m_rule *r)
{
	struct ptext t = { 0 };
	pt_put(&t, "");
	if (dt_nuser(r->clauses, r->nclauses) == 1) {
		for (uint32_t i = 0; i < r->nclauses; i++)
			if (!r->clauses[i].app)
				pt_clause(&t, m, &r->clauses[i], 1, 1);
	} else {
		pt_put(&t, "not (");
		dt_user_clauses(&t, m, r->clauses, r->nclauses);
		pt_put(&t, ")");
	}
	part_add(ps, &t);
}

static void part_holds(struct parts *ps, const struct model *m, const struct m_rule *r)
{
	for (uint32_t i = 0; i < r->nclauses; i++) {
		if (r->clauses[i].app)
			continue;
		struct ptext t = { 0 };
		pt_put(&t, "");
		pt_clause(&t, m, &r->clauses[i], 0, 1);
		part_add(ps, &t);
	}
}

static void option_parts(struct differ *D, const struct side *sd, int k, const struct option *o,
			 struct parts *ps)
{
	if (o->kind == O_FIXED)
		return;
	for (uint32_t i = 0; i < o->pos; i++)
		part_fails(ps, D->m[k], &D->m[k]->rules[sd[k].rules[i]]);
	if (o->kind == O_RULE)
		part_holds(ps, D->m[k], &D->m[k]->rules[sd[k].rules[o->pos]]);
}

/* The condition of the pair, joined by " and " (arena), or "any user". */
static const char *user_text(struct differ *D, const struct side *sd, const struct option *a,
			     const struct option *b)
{
	struct parts ps = { 0 };
	int net = combined_net(a, b);
	if (net >= 0)
		part_text(&ps, net ? "on a trusted network" : "on no trusted network");
	option_parts(D, sd, 0, a, &ps);
	option_parts(D, sd, 1, b, &ps);
	struct ptext t = { 0 };
	pt_put(&t, ps.n ? "" : "any user");
	for (uint32_t i = 0; i < ps.n; i++) {
		if (i)
			pt_put(&t, " and ");
		pt_put(&t, ps.p[i]);
		free(ps.p[i]);
	}
	free(ps.p);
	const char *out = !t.failed && !ps.failed ? arena_strdup(D->a, t.p) : NULL;
	free(t.p);
	return out;
}

/* ---- the classes found ---- */

static struct df_class *new_class(struct df_result *r)
{
	if (r->n == r->cap) {
		uint32_t cap = r->cap ? r->cap * 2 : 64;
		struct df_class *c = realloc(r->c, cap * sizeof *c);
		if (!c)
			return NULL;
		r->c = c, r->cap = cap;
	}
	struct df_class *c = &r->c[r->n++];
	memset(c, 0, sizeof *c);
	return c;
}

/* The class x continues: one of the same region, protocol, decisions and condition
 * that ends just below it. The classes of a region and protocol are the last ones
 * made (cl_each walks regions, then protocols, then ports in order). */
static struct df_class *continues(struct differ *D, const struct cl_class *c,
				  const struct df_class *x)
{
	for (uint32_t i = D->r->n; i-- > 0;) {
		struct df_class *p = &D->r->c[i];
		if (p->pattern != c->pattern || p->proto != c->proto)
			return NULL;
		if ((uint32_t)p->hi + 1 == c->lo && p->undecided == x->undecided &&
		    p->user_id == x->user_id && !memcmp(&p->old, &x->old, sizeof p->old) &&
		    !memcmp(&p->nw, &x->nw, sizeof p->nw))
			return p;
	}
	return NULL;
}

/* One pair of options some user takes, as found for a pair of selections: kept in
 * the cache and emitted for every class of that pair. */
struct found {
	struct df_outcome old, nw;
	const char *user;
	uint32_t id;
	struct bcp_user_info witness;
	int undecided;
};

struct found_list {
	struct found *f;
	uint32_t n, cap;
};

static int found_add(struct differ *D, struct found_list *fl, const struct side *sd,
		     const struct option *a, const struct option *b, enum us_result res)
{
	if (fl->n == fl->cap) {
		uint32_t cap = fl->cap ? fl->cap * 2 : 8;
		struct found *f = realloc(fl->f, cap * sizeof *f);
		if (!f)
			return -1;
		fl->f = f, fl->cap = cap;
	}
	struct found *f = &fl->f[fl->n];
	memset(f, 0, sizeof *f);
	f->old = a->out, f->nw = b->out, f->undecided = res == US_UNKNOWN;
	f->id = D->nfound++;
	f->user = user_text(D, sd, a, b);
	if (!f->user || (res == US_SAT && uquery_user(D->q, D->a, &f->witness)))
		return -1;
	fl->n++;
	return 0;
}

/* A class for each pair found, or the previous interval's class made longer. */
static int emit(struct differ *D, const struct cl_class *c, const struct found *f, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct df_class x = { .pattern = c->pattern, .proto = c->proto, .lo = c->lo,
				      .hi = c->hi, .old = f[i].old, .nw = f[i].nw, .user = f[i].user,
				      .user_id = f[i].id,
				      .witness = f[i].witness, .undecided = f[i].undecided };
		struct df_class *p = continues(D, c, &x);
		if (p) {
			p->hi = c->hi;
			continue;
		}
		struct df_class *slot = new_class(D->r);
		if (!slot)
			return -1;
		*slot = x;
		D->r->nundecided += x.undecided;
	}
	return 0;
}

static void set_pos(struct differ *D, const struct side *sd, int on)
{
	for (int k = 0; k < 2; k++)
		for (uint32_t i = 0; i < sd[k].n; i++)
			D->pos[k][sd[k].rules[i]] = on ? (int32_t)i : -1;
}

/* The two sides offer the same options in the same order: the same decisions for
 * the same users. */
static int sides_same(const struct differ *D, const struct side *sd)
{
	if (sd[0].nopt != sd[1].nopt)
		return 0;
	for (uint32_t i = 0; i < sd[0].nopt; i++) {
		const struct option *a = &sd[0].opt[i], *b = &sd[1].opt[i];
		if (a->kind != b->kind || a->on_net != b->on_net || !diff_same(D->mp, &a->out, &b->out))
			return 0;
		if (a->kind == O_RULE && D->users_same[0][a->out.rule] != b->out.rule)
			return 0;
	}
	return 1;
}

static int pairs(struct differ *D, const struct side *sd, struct found_list *fl)
{
	for (uint32_t i = 0; i < sd[0].nopt; i++)
		for (uint32_t j = 0; j < sd[1].nopt; j++) {
			const struct option *a = &sd[0].opt[i], *b = &sd[1].opt[j];
			if (diff_same(D->mp, &a->out, &b->out))
				continue;
			if ((a->on_net >= 0 && b->on_net >= 0 && a->on_net != b->on_net) ||
			    plainly_apart(D, sd, a, b, 0) || plainly_apart(D, sd, b, a, 1))
				continue;
			enum us_result res = solve_pair(D, sd, a, b);
			if (res != US_UNSAT && found_add(D, fl, sd, a, b, res))
				return -1;
		}
	return 0;
}

/* ---- the cache: the pairs found for one pair of selections ---- */

static uint32_t class_key(const struct cl_class *c, uint32_t *key)
{
	uint32_t n = 0;
	for (int k = 0; k < 2; k++) {
		key[n++] = (uint32_t)c->side[k].matched;
		key[n++] = c->side[k].nS;
		memcpy(&key[n], c->side[k].S, c->side[k].nS * sizeof *key);
		n += c->side[k].nS;
	}
	return n;
}

static uint64_t hash_key(const uint32_t *key, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	return h;
}

static struct centry *cache_slot(struct cache *C, uint64_t h, const uint32_t *key, uint32_t n)
{
	for (uint32_t i = (uint32_t)h & (C->cap - 1);; i = (i + 1) & (C->cap - 1)) {
		struct centry *e = &C->e[i];
		if (!e->key || (e->hash == h && e->nkey == n && !memcmp(e->key, key, n * sizeof *key)))
			return e;
	}
}

static int cache_grow(struct cache *C)
{
	struct cache bigger = { calloc(C->cap ? C->cap * 2 : 1024, sizeof *C->e),
				C->cap ? C->cap * 2 : 1024, C->n };
	if (!bigger.e)
		return -1;
	for (uint32_t i = 0; i < C->cap; i++)
		if (C->e[i].key)
			*cache_slot(&bigger, C->e[i].hash, C->e[i].key, C->e[i].nkey) = C->e[i];
	free(C->e);
	*C = bigger;
	return 0;
}

/* The pairs of options the class's two selections offer, solved once. */
static int analyze(struct differ *D, const struct cl_class *c, struct found_list *fl)
{
	struct side sd[2];
	D->r->stats.analyzed++;
	int bad = side_options(D, 0, &c->side[0], &sd[0]) || side_options(D, 1, &c->side[1], &sd[1]);
	if (!bad && !sides_same(D, sd)) {
		set_pos(D, sd, 1);
		bad = pairs(D, sd, fl);
		set_pos(D, sd, 0);
	}
	side_free(&sd[0]);
	side_free(&sd[1]);
	return bad ? -1 : 0;
}

static struct centry *lookup(struct differ *D, const struct cl_class *c)
{
	uint32_t key[2 * (REF_MAX_SELECTED + 2)];
	uint32_t n = class_key(c, key);
	uint64_t h = hash_key(key, n);
	if (2 * (D->cache.n + 1) > D->cache.cap && cache_grow(&D->cache))
		return NULL;
	struct centry *e = cache_slot(&D->cache, h, key, n);
	if (e->key)
		return e;
	struct found_list fl = { 0 };
	uint32_t *copy = arena_array(D->a, n, sizeof *copy);
	if (!copy || analyze(D, c, &fl)) {
		free(fl.f);
		return NULL;
	}
	memcpy(copy, key, n * sizeof *key);
	struct found *keep = fl.n ? arena_array(D->a, fl.n, sizeof *keep) : NULL;
	if (fl.n && !keep) {
		free(fl.f);
		return NULL;
	}
	if (fl.n)
		memcpy(keep, fl.f, fl.n * sizeof *keep);
	free(fl.f);
	*e = (struct centry){ h, copy, n, keep, fl.n };
	D->cache.n++;
	return e;
}

static int visit(void *ctx, const struct cl_set *s, const struct cl_class *c)
{
	struct differ *D = ctx;
	(void)s;
	D->r->stats.classes++;
	if (!class_unchanged(D, c)) {
		struct centry *e = lookup(D, c);
		if (!e || emit(D, c, e->f, e->n))
			return -1;
	}
	return 0;
}

int diff_semantic(const struct model *o, const struct model *n, const struct df_maps *mp,
		  uint64_t budget, struct arena *a, struct df_result *r)
{
	const struct model *ms[2] = { o, n };
	struct differ D = { .m = { o, n }, .mp = mp, .budget = budget ? budget : DEFAULT_BUDGET,
			    .a = a, .r = r };
	memset(r, 0, sizeof *r);
	if (cl_build(ms, 2, a, &r->set) || build_seg_rules(o, a, &D.sr[0]) ||
	    build_seg_rules(n, a, &D.sr[1]) || build_users_same(&D) || build_seg_same(&D))
		return -1;
	D.us = uspace_new_models(ms, 2);
	D.q = D.us ? uquery_new(D.us) : NULL;
	int rc = D.q ? cl_each(&r->set, visit, &D) : -1;
	free(D.cache.e);
	uquery_free(D.q);
	uspace_free(D.us);
	return rc ? -1 : 0;
}

void diff_free(struct df_result *r)
{
	free(r->c);
	r->c = NULL;
	r->n = r->cap = 0;
}
