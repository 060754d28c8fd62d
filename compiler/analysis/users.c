/* users.c - the user space of a policy as boolean variables, and a small DPLL
 * solver over formulas built from rule and profile clauses (users.h). Plain and
 * exact: unit propagation by scanning the clauses, chronological backtracking, the
 * at-most-one of single-valued attributes enforced when a value is set. */
#include "users.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strmap.h"

struct uvar {
	unsigned kind;          /* BCPF_P_* */
	const char *attr;       /* map kinds: the attribute's name */
	const char *value;
	int32_t group;          /* single-valued kinds: index into groups, else -1 */
};

struct ugroup {
	uint32_t *vars;
	uint32_t n;
	int exactly_one;        /* client_type: absent means its fallback */
};

struct uspace {
	struct arena a;
	struct strmap map;      /* "kind\1attr\1value" -> var */
	struct uvar *vars;
	uint32_t nvars, cap;
	struct ugroup groups[BCPF_P_MAX + 1];   /* by kind */
	uint32_t on_net;        /* "on some trusted network" (users.h), the last variable */
	const char *fresh_net;  /* a trusted network no policy names, for witnesses */
};

static const char *var_key(struct uspace *s, unsigned kind, const char *attr, const char *v,
			   char *buf, size_t n)
{
	(void)s;
	snprintf(buf, n, "%u\001%s\001%s", kind, attr ? attr : "", v);
	return buf;
}

static uint32_t var_find(struct uspace *s, unsigned kind, const char *attr, const char *v)
{
	char buf[1024];
	return strmap_get(&s->map, var_key(s, kind, attr, v, buf, sizeof buf));
}

static int var_add(struct uspace *s, unsigned kind, const char *attr, const char *v)
{
	char buf[1024];
	if (var_find(s, kind, attr, v) != STRMAP_NONE)
		return 0;
	if (s->nvars == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 64;
		struct uvar *nv = realloc(s->vars, cap * sizeof *nv);
		if (!nv)
			return -1;
		s->vars = nv;
		s->cap = cap;
	}
	const char *key = arena_strdup(&s->a, var_key(s, kind, attr, v, buf, sizeof buf));
	if (!key || strmap_put(&s->map, key, s->nvars) == STRMAP_NONE)
		return -1;
	s->vars[s->nvars++] = (struct uvar){ kind, attr, v, -1 };
	return 0;
}

static int add_clauses(struct uspace *s, const struct m_clause *cl, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < cl[i].natoms; j++) {
			const struct m_atom *at = &cl[i].atoms[j];
			unsigned kind = atom_pred_kind(at->kind);
			if (!kind)
				continue;
			for (uint32_t k = 0; k < at->nvalues; k++)
				if (var_add(s, kind, bcpf_attr(kind)->shape == BCPF_MAP ? at->attr : NULL,
					    at->values[k]))
					return -1;
			if (at->idp && var_add(s, BCPF_P_IDP, NULL, at->idp))   /* from idp "Y" */
				return -1;
			/* A kind with a fallback (client_type) is never absent: all its words
			 * are variables, exactly one of them true. */
			if (bcpf_attr(kind)->fallback && bcpf_attr(kind)->vocab == BCPF_V_CLIENT_TYPE)
				for (unsigned w = 0; w < nclient_types; w++)
					if (var_add(s, kind, NULL, client_type_names[w]))
						return -1;
		}
	return 0;
}

/* Each single-valued variable joins the group of its kind. */
static int make_groups(struct uspace *s)
{
	for (uint32_t v = 0; v < s->nvars; v++) {
		unsigned kind = s->vars[v].kind;
		if (bcpf_attr(kind)->shape != BCPF_ONE)
			continue;
		struct ugroup *g = &s->groups[kind];
		if (!g->vars) {
			uint32_t n = 0;
			for (uint32_t w = 0; w < s->nvars; w++)
				n += s->vars[w].kind == kind;
			g->vars = arena_array(&s->a, n, sizeof *g->vars);
			g->exactly_one = bcpf_attr(kind)->fallback != NULL;
			if (!g->vars)
				return -1;
		}
		s->vars[v].group = (int32_t)kind;
		g->vars[g->n++] = v;
	}
	return 0;
}

/* The on-net variable, and a network name no policy uses ("other-network", then
 * "other-network-2", ...). */
static int add_on_net(struct uspace *s)
{
	char name[64] = "other-network";
	for (unsigned i = 2; var_find(s, BCPF_P_TRUSTED_NETWORK, NULL, name) != STRMAP_NONE; i++)
		snprintf(name, sizeof name, "other-network-%u", i);
	s->fresh_net = arena_strdup(&s->a, name);
	if (!s->fresh_net || var_add(s, 0, NULL, "\001on-net"))
		return -1;
	s->on_net = s->nvars - 1;
	return 0;
}

struct uspace *uspace_new_models(const struct model *const *m, unsigned nm)
{
	struct uspace *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	arena_init(&s->a, NULL);
	strmap_init(&s->map, &s->a);
	int bad = 0;
	for (unsigned k = 0; k < nm; k++) {
		for (uint32_t r = 0; r < m[k]->nrules && !bad; r++)
			bad = add_clauses(s, m[k]->rules[r].clauses, m[k]->rules[r].nclauses);
		for (uint32_t p = 0; p < m[k]->nprofiles && !bad; p++)
			bad = add_clauses(s, m[k]->profiles[p].when, m[k]->profiles[p].nwhen);
	}
	if (bad || make_groups(s) || add_on_net(s) || s->a.failed) {
		uspace_free(s);
		return NULL;
	}
	return s;
}

struct uspace *uspace_new(const struct model *m)
{
	return uspace_new_models(&m, 1);
}

void uspace_free(struct uspace *s)
{
	if (!s)
		return;
	free(s->vars);
	arena_free(&s->a);
	free(s);
}

/* ---- queries ---- */

struct uquery {
	struct uspace *s;
	uint32_t *lits;          /* var << 1 | negated */
	size_t nlits, caplits;
	size_t *start;           /* clause i is lits[start[2i] .. start[2i+1]) */
	size_t nclauses, capclauses;
	uint32_t nvars;          /* the space's, then Tseitin variables */
	int8_t *val;             /* per variable: 0 unset, 1 true, -1 false */
	uint32_t *trail;         /* assigned variables, in order */
	uint8_t *why;            /* per trail entry: 0 implied, 1 decision, 2 flipped */
	size_t ntrail, captrail;
	int failed;
};

struct uquery *uquery_new(struct uspace *s)
{
	struct uquery *q = calloc(1, sizeof *q);
	if (q) {
		q->s = s;
		q->nvars = s->nvars;
	}
	return q;
}

void uquery_free(struct uquery *q)
{
	if (!q)
		return;
	free(q->lits);
	free(q->start);
	free(q->val);
	free(q->trail);
	free(q->why);
	free(q);
}

void uquery_reset(struct uquery *q)
{
	q->nlits = q->nclauses = q->ntrail = 0;
	q->nvars = q->s->nvars;
	q->failed = 0;
}

static void push_lit(struct uquery *q, uint32_t lit)
{
	if (q->nlits == q->caplits) {
		size_t cap = q->caplits ? q->caplits * 2 : 256;
		uint32_t *p = realloc(q->lits, cap * sizeof *p);
		if (!p) {
			q->failed = 1;
			return;
		}
		q->lits = p;
		q->caplits = cap;
	}
	q->lits[q->nlits++] = lit;
}

static void end_clause(struct uquery *q, size_t begin)
{
	if (2 * q->nclauses + 2 > q->capclauses) {
		size_t cap = q->capclauses ? q->capclauses * 2 : 64;
		size_t *p = realloc(q->start, cap * sizeof *p);
		if (!p) {
			q->failed = 1;
			return;
		}
		q->start = p;
		q->capclauses = cap;
	}
	q->start[2 * q->nclauses] = begin;   /* clauses may have scratch between them */
	q->start[2 * q->nclauses + 1] = q->nlits;
	q->nclauses++;
}

/* A fresh variable a with a <-> (x and y), x and y literals (Tseitin); its literal. */
static uint32_t and_var(struct uquery *q, uint32_t x, uint32_t y)
{
	uint32_t a = q->nvars++;
	size_t b = q->nlits;
	push_lit(q, a << 1 | 1);       /* a -> x */
	push_lit(q, x);
	end_clause(q, b);
	b = q->nlits;
	push_lit(q, a << 1 | 1);       /* a -> y */
	push_lit(q, y);
	end_clause(q, b);
	b = q->nlits;
	push_lit(q, x ^ 1);            /* x and y -> a */
	push_lit(q, y ^ 1);
	push_lit(q, a << 1);
	end_clause(q, b);
	return a << 1;
}

/* One value of a user atom as a literal: its variable; with `from idp "Y"` a variable
 * equal to (idp Y and it); negated for `(not ...)`. Emits the definitions' clauses,
 * so call it before a clause is begun. STRMAP_NONE on failure. */
static uint32_t value_lit(struct uquery *q, const struct m_atom *at, uint32_t k)
{
	unsigned kind = atom_pred_kind(at->kind);
	uint32_t v = var_find(q->s, kind, bcpf_attr(kind)->shape == BCPF_MAP ? at->attr : NULL,
			      at->values[k]);
	if (v == STRMAP_NONE)
		return STRMAP_NONE;
	uint32_t lit = v << 1;
	if (at->idp) {
		uint32_t idp = var_find(q->s, BCPF_P_IDP, NULL, at->idp);
		if (idp == STRMAP_NONE)
			return STRMAP_NONE;
		lit = and_var(q, idp << 1, lit);
	}
	return lit ^ (at->negated ? 1u : 0u);
}

/* The values of a clause's atoms, each as a literal with sign neg. The literals are
 * made first (a scoped value adds its definition's clauses), then pushed together:
 * returns where they begin, and they run to q->nlits. */
static size_t push_atoms(struct uquery *q, const struct m_clause *c, int neg)
{
	size_t n = 0, i = 0;
	for (uint32_t j = 0; j < c->natoms; j++)
		n += atom_pred_kind(c->atoms[j].kind) ? c->atoms[j].nvalues : 0;
	uint32_t *lits = malloc((n ? n : 1) * sizeof *lits);
	if (!lits) {
		q->failed = 1;
		return q->nlits;
	}
	for (uint32_t j = 0; j < c->natoms; j++) {
		const struct m_atom *at = &c->atoms[j];
		for (uint32_t k = 0; atom_pred_kind(at->kind) && k < at->nvalues; k++) {
			uint32_t lit = value_lit(q, at, k);
			if (lit == STRMAP_NONE) {
				q->failed = 1;
				free(lits);
				return q->nlits;
			}
			lits[i++] = lit;
		}
	}
	size_t begin = q->nlits;
	for (size_t k = 0; k < i; k++)
		push_lit(q, lits[k] ^ (uint32_t)neg);
	free(lits);
	return begin;
}

int uquery_holds(struct uquery *q, const struct m_clause *c, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (c[i].app)
			continue;
		if (!c[i].negated) {           /* some value */
			size_t b = push_atoms(q, &c[i], 0);
			end_clause(q, b);
		} else {                       /* no value: one unit clause each */
			size_t b = push_atoms(q, &c[i], 1);
			size_t e = q->nlits;
			q->nlits = b;
			for (size_t k = b; k < e; k++) {
				uint32_t lit = q->lits[k];
				size_t at = q->nlits;
				q->lits[q->nlits++] = lit;   /* in place: k >= nlits */
				end_clause(q, at);
			}
		}
	}
	return q->failed ? -1 : 0;
}

int uquery_fails(struct uquery *q, const struct m_clause *c, uint32_t n)
{
	uint32_t first = q->nvars, nt = 0;
	for (uint32_t i = 0; i < n; i++)
		nt += !c[i].app;
	/* One Tseitin variable t per user clause, "this clause fails"; one must. */
	size_t b = q->nlits;
	for (uint32_t i = 0; i < nt; i++)
		push_lit(q, (first + i) << 1);
	end_clause(q, b);
	q->nvars += nt;
	uint32_t t = first;
	for (uint32_t i = 0; i < n; i++) {
		if (c[i].app)
			continue;
		if (!c[i].negated) {   /* fails: every value absent; t -> !v for each */
			size_t vb = push_atoms(q, &c[i], 1);
			size_t ve = q->nlits;
			for (size_t k = vb; k < ve; k++) {
				size_t cb = q->nlits;
				push_lit(q, t << 1 | 1);
				push_lit(q, q->lits[k]);
				end_clause(q, cb);
			}
		} else {               /* fails: some value present; t -> v1 or v2 ... */
			size_t vb = push_atoms(q, &c[i], 0), ve = q->nlits;
			size_t cb = q->nlits;
			push_lit(q, t << 1 | 1);
			for (size_t k = vb; k < ve; k++)
				push_lit(q, q->lits[k]);
			end_clause(q, cb);
		}
		t++;
	}
	return q->failed ? -1 : 0;
}

int uquery_on_net(struct uquery *q, int on)
{
	struct uspace *s = q->s;
	size_t b = q->nlits;
	push_lit(q, s->on_net << 1 | (on ? 0u : 1u));
	end_clause(q, b);
	/* A named trusted network puts the user on a trusted network. */
	for (uint32_t v = 0; v < s->nvars; v++) {
		if (s->vars[v].kind != BCPF_P_TRUSTED_NETWORK)
			continue;
		b = q->nlits;
		push_lit(q, v << 1 | 1);
		push_lit(q, s->on_net << 1);
		end_clause(q, b);
	}
	return q->failed ? -1 : 0;
}

/* ---- solving ---- */

static int lit_value(const struct uquery *q, uint32_t lit)
{
	int v = q->val[lit >> 1];
	return lit & 1 ? -v : v;
}

static int trail_push(struct uquery *q, uint32_t var, int8_t value, uint8_t why)
{
	q->val[var] = value;
	q->trail[q->ntrail] = var;
	q->why[q->ntrail++] = why;
	return 0;
}

/* Sets lit true; with a single-valued variable set true, the others of its group
 * false. Returns -1 on a conflict. */
static int assign(struct uquery *q, uint32_t lit, uint8_t why)
{
	uint32_t var = lit >> 1;
	int8_t value = lit & 1 ? -1 : 1;
	if (q->val[var])
		return q->val[var] == value ? 0 : -1;
	trail_push(q, var, value, why);
	if (value == 1 && var < q->s->nvars && q->s->vars[var].group >= 0) {
		const struct ugroup *g = &q->s->groups[q->s->vars[var].group];
		for (uint32_t i = 0; i < g->n; i++) {
			uint32_t w = g->vars[i];
			if (w == var)
				continue;
			if (q->val[w] == 1)
				return -1;
			if (!q->val[w])
				trail_push(q, w, -1, 0);
		}
	}
	return 0;
}

/* Unit propagation to a fixed point. 1 all clauses satisfied, 0 open, -1 conflict;
 * *open gets an unset literal of an open clause. */
static int propagate(struct uquery *q, uint64_t *steps, uint32_t *open)
{
	for (;;) {
		int changed = 0, all = 1;
		for (size_t c = 0; c < q->nclauses; c++) {
			size_t b = q->start[2 * c], e = q->start[2 * c + 1];
			uint32_t unset = 0, last = 0;
			int sat = 0;
			*steps += e - b + 1;
			for (size_t k = b; k < e && !sat; k++) {
				int v = lit_value(q, q->lits[k]);
				if (v > 0)
					sat = 1;
				else if (v == 0)
					unset++, last = q->lits[k];
			}
			if (sat)
				continue;
			if (unset == 0)
				return -1;
			if (unset == 1) {
				if (assign(q, last, 0))
					return -1;
				changed = 1;
				continue;
			}
			all = 0;
			*open = last;
		}
		if (!changed)
			return all;
	}
}

enum us_result uquery_solve(struct uquery *q, uint64_t budget)
{
	/* client_type and its like: exactly one of the words. */
	for (unsigned k = 1; k <= BCPF_P_MAX; k++) {
		const struct ugroup *g = &q->s->groups[k];
		if (!g->exactly_one || !g->n)
			continue;
		/* The fallback last: the solver tries the last word of a clause first, so
		 * a witness is a plain user (zapp) when it can be. */
		uint32_t fb = var_find(q->s, k, NULL, bcpf_attr(k)->fallback);
		size_t b = q->nlits;
		for (uint32_t i = 0; i < g->n; i++)
			if (g->vars[i] != fb)
				push_lit(q, g->vars[i] << 1);
		if (fb != STRMAP_NONE)
			push_lit(q, fb << 1);
		end_clause(q, b);
	}
	if (q->failed)
		return US_UNKNOWN;
	free(q->val);
	free(q->trail);
	free(q->why);
	q->val = calloc(q->nvars + 1, 1);
	q->trail = malloc((q->nvars + 1) * sizeof *q->trail);
	q->why = malloc(q->nvars + 1);
	if (!q->val || !q->trail || !q->why)
		return US_UNKNOWN;
	q->ntrail = 0;
	uint64_t steps = 0;
	for (;;) {
		uint32_t open = 0;
		int r = propagate(q, &steps, &open);
		if (steps > budget)
			return US_UNKNOWN;
		if (r == 1)
			return US_SAT;
		if (r == 0) {
			assign(q, open, 1);   /* open is unset: no conflict */
			continue;
		}
		/* Conflict: undo to the latest decision not yet flipped, and flip it. */
		for (;;) {
			if (q->ntrail == 0)
				return US_UNSAT;
			uint32_t var = q->trail[--q->ntrail];
			uint8_t why = q->why[q->ntrail];
			int8_t was = q->val[var];
			q->val[var] = 0;
			if (why == 1) {
				if (assign(q, (var << 1) | (was == 1 ? 1u : 0u), 2) == 0)
					break;
				/* flipping conflicts at once: keep undoing */
				while (q->ntrail && q->trail[q->ntrail - 1] != var)
					q->val[q->trail[--q->ntrail]] = 0;
				if (q->ntrail)
					q->val[q->trail[--q->ntrail]] = 0;
			}
		}
	}
}

int uquery_user(struct uquery *q, struct arena *a, struct bcp_user_info *out)
{
	struct uspace *s = q->s;
	uint32_t count[BCPF_P_MAX + 1] = { 0 };
	memset(out, 0, sizeof *out);
	for (uint32_t v = 0; v < s->nvars; v++)
		count[s->vars[v].kind] += q->val[v] == 1;
	size_t nextra = 0;
	for (unsigned k = 1; k <= BCPF_P_MAX; k++)
		nextra += count[k];
	struct bcp_user_attr *extra = arena_array(a, nextra + 1, sizeof *extra);
	if (!extra)
		return -1;
	out->attrs = extra;
	int net_seen = 0;
	for (unsigned k = 1; k <= BCPF_P_MAX; k++) {
		if (!count[k])
			continue;
		const struct bcpf_attr *row = bcpf_attr(k);
		struct bcpf_user_fields f = bcpf_user_fields(out, k);
		const char **list = arena_array(a, count[k], sizeof *list);
		struct bcp_attr *map = arena_array(a, count[k], sizeof *map);
		size_t n = 0;
		if (!list || !map)
			return -1;
		for (uint32_t v = 0; v < s->nvars; v++) {
			if (s->vars[v].kind != k || q->val[v] != 1)
				continue;
			list[n] = s->vars[v].value;
			map[n] = (struct bcp_attr){ s->vars[v].attr, &list[n], 1 };
			n++;
		}
		if (k == BCPF_P_TRUSTED_NETWORK)
			net_seen = 1;
		if (f.map) {
			*f.map = map;
			*f.n = n;
		} else if (f.list) {
			*f.list = list;
			*f.n = n;
		} else if (f.one) {
			*f.one = list[0];
		} else {
			for (size_t i = 0; i < n; i++)
				extra[out->nattrs++] = (struct bcp_user_attr){ row->keyword,
					row->shape == BCPF_MAP ? map[i].name : NULL, &list[i], 1 };
		}
	}
	if (q->val[s->on_net] == 1 && !net_seen) {   /* on a network no rule names */
		const char **net = arena_array(a, 1, sizeof *net);
		if (!net || !(net[0] = arena_strdup(a, s->fresh_net)))
			return -1;
		out->trusted_networks = net;
		out->ntrusted_networks = 1;
	}
	return 0;
}
