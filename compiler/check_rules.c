/* check_rules.c - the meaning pass for access rules and app profiles: atoms,
 * clauses, settings. Builds model rules and profiles; reads only the syntax tree
 * and the segments and groups already checked. */
#include "check_int.h"
#include <string.h>

const char *const atom_kind_names[A_COUNT] = {
	"segment",
	"segment_group",
#define ATOM_NAME_(NAME, kind, kw, json, shape, vocab, cmp, fb) kw,
	BCPF_USER_ATTRS(ATOM_NAME_)
#undef ATOM_NAME_
};
#define NAME_(x) #x,
const char *const platform_names[] = { PLATFORMS(NAME_) };
const unsigned nplatforms = sizeof platform_names / sizeof *platform_names;
const char *const client_type_names[] = { CLIENT_TYPES(NAME_) };
const unsigned nclient_types = sizeof client_type_names / sizeof *client_type_names;
#undef NAME_

/* "saml and scim": the keywords of the attributes a condition names. */
static const char *named_kinds(char *text, size_t size)
{
	size_t at = 0, n = 0, i = 0;
	for (unsigned k = 1; k <= BCPF_P_MAX; k++)
		n += bcpf_attr(k)->shape == BCPF_MAP;
	text[0] = '\0';
	for (unsigned k = 1; k <= BCPF_P_MAX && at < size; k++)
		if (bcpf_attr(k)->shape == BCPF_MAP)
			at += (size_t)snprintf(text + at, size - at, "%s%s",
					       i++ == 0 ? "" : i == n ? " and " : ", ",
					       bcpf_attr(k)->keyword);
	return text;
}

static int is_app_kind(enum atom_kind k)
{
	return k == A_SEGMENT || k == A_SEGMENT_GROUP;
}

/* Resolves one value of an atom; returns 0 and fills *text and *id, or -1 (reported). */
static int atom_value(struct checker *c, struct m_atom *at, const struct value *v,
		      const char **text, uint32_t *id)
{
	const char *kind = atom_kind_names[at->kind];
	unsigned pk = atom_pred_kind(at->kind);
	enum bcpf_vocab vocab = pk ? bcpf_attr(pk)->vocab : BCPF_V_STRING;
	*id = 0;
	if (vocab == BCPF_V_PLATFORM || vocab == BCPF_V_CLIENT_TYPE) {
		const char *const *names = vocab == BCPF_V_PLATFORM ? platform_names : client_type_names;
		unsigned n = vocab == BCPF_V_PLATFORM ? nplatforms : nclient_types;
		if (v->kind != VAL_WORD && v->kind != VAL_STRING) {
			diag_error(c->d, v->loc, "'%s' takes names such as %s, not %s", kind, names[0],
				   value_kind_name(v->kind));
			return -1;
		}
		for (unsigned i = 0; i < n; i++)
			if (!strcmp(v->s, names[i])) {
				*text = names[i];
				*id = i;
				return 0;
			}
		unknown_word(c, v->loc, vocab == BCPF_V_PLATFORM ? "platform" : "client type", v->s,
			     names, n);
		return -1;
	}
	if (v->kind != VAL_STRING) {
		diag_add(c->d, SEV_ERROR, v->loc, "put the value in double quotes",
			 "'%s' takes quoted strings, not %s", kind, value_kind_name(v->kind));
		return -1;
	}
	if (strlen(v->s) == 0) {
		diag_error(c->d, v->loc, "empty value in '%s'", kind);
		return -1;
	}
	*text = v->s;
	if (at->kind == A_SEGMENT || at->kind == A_SEGMENT_GROUP) {
		struct strmap *map = at->kind == A_SEGMENT ? &c->segments : &c->groups;
		*id = strmap_get(map, v->s);
		if (*id == STRMAP_NONE) {
			const char *near = nearest_key(map, v->s);
			char hint[300];
			if (near)
				snprintf(hint, sizeof hint, "did you mean \"%s\"?", near);
			diag_add(c->d, SEV_ERROR, v->loc, near ? hint : NULL, "undeclared %s \"%s\"",
				 at->kind == A_SEGMENT ? "segment" : "segment group", v->s);
			return -1;
		}
	} else if (vocab == BCPF_V_COUNTRY) {
		char cc[3] = { 0 };
		if (strlen(v->s) == 2) {
			cc[0] = (char)(v->s[0] >= 'a' && v->s[0] <= 'z' ? v->s[0] - 32 : v->s[0]);
			cc[1] = (char)(v->s[1] >= 'a' && v->s[1] <= 'z' ? v->s[1] - 32 : v->s[1]);
		}
		if (!cc[0] || !country_valid(cc)) {
			diag_add(c->d, SEV_ERROR, v->loc, !strcmp(cc, "UK") ?
				 "the code of the United Kingdom is \"GB\"" :
				 "use an ISO 3166-1 alpha-2 code such as \"US\" or \"DE\"",
				 "unknown country code \"%s\"", v->s);
			return -1;
		}
		*text = arena_strdup(c->a, cc);
		if (!*text)
			return -1;   /* out of memory: check_policy reports it */
	}
	return 0;
}

static int check_atom(struct checker *c, const struct atom *a, struct m_atom *at)
{
	memset(at, 0, sizeof *at);   /* the slot may hold a failed atom's leftovers */
	int k;
	for (k = 0; k < A_COUNT && strcmp(a->kind, atom_kind_names[k]); k++)
		;
	if (k == A_COUNT) {
		unknown_word(c, a->loc, "condition", a->kind, atom_kind_names, A_COUNT);
		return -1;
	}
	at->kind = (enum atom_kind)k;
	unsigned pk = atom_pred_kind(at->kind);
	int wants_attr = pk && bcpf_attr(pk)->shape == BCPF_MAP;
	if (wants_attr && !a->attr) {
		char hint[80];
		snprintf(hint, sizeof hint, "write: %s \"attribute\" = \"value\"", a->kind);
		diag_add(c->d, SEV_ERROR, a->loc, hint, "'%s' needs an attribute name", a->kind);
		return -1;
	}
	if (!wants_attr && a->attr) {
		char named[200];
		diag_error(c->d, a->attr_loc, "'%s' takes no attribute name (only %s do)", a->kind,
			   named_kinds(named, sizeof named));
		return -1;
	}
	if (a->attr && check_name(c, a->attr, a->attr_loc, "attribute"))
		return -1;
	at->attr = a->attr;
	uint32_t n = (uint32_t)value_count(a->values);
	at->values = arena_array(c->a, n, sizeof *at->values);
	at->ids = arena_array(c->a, n, sizeof *at->ids);
	if (!at->values || !at->ids)
		return -1;
	int bad = 0;
	/* Duplicates are dropped: found by a scan while the values are few, by a map
	 * beyond (a condition may list 65535 of them). */
	struct strmap seen;
	strmap_init(&seen, c->a);
	for (const struct value *v = a->values; v; v = v->next) {
		const char *text;
		uint32_t id;
		if (atom_value(c, at, v, &text, &id)) {
			bad = 1;
			continue;
		}
		int dup = 0;
		if (n <= 16) {
			for (uint32_t i = 0; i < at->nvalues; i++)
				dup |= !strcmp(at->values[i], text);
		} else {
			uint32_t before = seen.n;
			strmap_put(&seen, text, 1);
			dup = seen.n == before;
		}
		if (dup)
			continue;
		at->values[at->nvalues] = text;
		at->ids[at->nvalues++] = id;
	}
	return bad ? -1 : 0;
}

/* Checks one clause; user_only: the clause is in an app_profile's `when`. */
static int check_clause(struct checker *c, const struct clause *cl, struct m_clause *mc,
			int user_only)
{
	uint32_t n = 0, napp = 0;
	memset(mc, 0, sizeof *mc);   /* the slot may hold a failed clause's leftovers */
	for (const struct atom *a = cl->atoms; a; a = a->next)
		n++;
	mc->negated = cl->negated;
	mc->atoms = arena_array(c->a, n, sizeof *mc->atoms);
	if (!mc->atoms)
		return -1;
	int bad = 0;
	const struct atom *first_app = NULL, *mixed = NULL;
	int first_is_app = -1;
	for (const struct atom *a = cl->atoms; a; a = a->next) {
		struct m_atom *at = &mc->atoms[mc->natoms];
		if (check_atom(c, a, at)) {
			bad = 1;
			continue;
		}
		mc->natoms++;
		int app = is_app_kind(at->kind);
		if (first_is_app < 0)
			first_is_app = app;
		else if (app != first_is_app && !mixed)
			mixed = a;
		if (app) {
			napp++;
			first_app = first_app ? first_app : a;
		}
	}
	if (bad)
		return -1;
	if (napp && user_only) {
		diag_error(c->d, first_app->loc,
			   "an app profile's 'when' takes user conditions only, not '%s'",
			   first_app->kind);
		return -1;
	}
	if (mixed) {
		diag_add(c->d, SEV_ERROR, mixed->loc,
			 "put segment conditions and user conditions on separate lines",
			 "'%s' cannot be joined with '%s' in one clause: segment conditions and user conditions do not mix",
			 mixed->kind, cl->atoms->kind);
		return -1;
	}
	if (napp && cl->negated) {
		diag_add(c->d, SEV_ERROR, cl->loc,
			 "list the segments the rule applies to, or add a deny rule for them",
			 "a segment clause cannot be negated");
		return -1;
	}
	mc->app = napp > 0;
	return 0;
}

static int check_clauses(struct checker *c, const struct clause *list, struct m_clause **out,
			 uint32_t *nout, int user_only)
{
	uint32_t n = 0;
	for (const struct clause *cl = list; cl; cl = cl->next)
		n++;
	*out = arena_array(c->a, n, sizeof **out);
	if (!*out)
		return -1;
	int bad = 0;
	for (const struct clause *cl = list; cl; cl = cl->next) {
		if (check_clause(c, cl, &(*out)[*nout], user_only))
			bad = 1;
		else
			(*nout)++;
	}
	return bad ? -1 : 0;
}

void check_rules(struct checker *c, struct stmt *stmts)
{
	struct model *m = c->m;
	uint32_t n = 0;
	const struct m_rule *catch_all = NULL;
	for (struct stmt *s = stmts; s; s = s->next)
		if (s->kind == ST_POLICY)
			for (struct rule *r = s->rules; r; r = r->next)
				n++;
	m->rules = arena_array(c->a, n, sizeof *m->rules);
	if (!m->rules)
		return;
	for (struct stmt *s = stmts; s; s = s->next) {
		if (s->kind != ST_POLICY)
			continue;
		for (struct rule *r = s->rules; r; r = r->next) {
			if (!declare_name(c, &c->rules, "rule", r->name, r->name_loc, m->nrules,
					  &m->rules[0].loc, sizeof *m->rules))
				continue;
			struct m_rule *mr = &m->rules[m->nrules];
			mr->name = r->name;
			mr->loc = r->name_loc;
			mr->allow = r->allow;
			/* Counted even when bad: its name stays taken by it, for duplicates. */
			m->nrules++;
			if (check_clauses(c, r->clauses, &mr->clauses, &mr->nclauses, 0))
				continue;
			if (catch_all) {
				diag_warning(c->d, r->name_loc,
					     "rule \"%s\" never decides: rule \"%s\" above it matches every request",
					     r->name, catch_all->name);
			} else if (mr->nclauses == 0) {
				catch_all = mr;
			}
		}
	}
}

/* ---- app profiles ---- */

static int check_setting(struct checker *c, const struct setting *st, struct m_setting *ms)
{
	memset(ms, 0, sizeof *ms);
	const struct value *v = st->value;
	ms->key = st->key;
	ms->loc = st->loc;
	switch (v->kind) {
	case VAL_STRING:
		ms->kind = SET_STRING;
		ms->s = v->s;
		return 0;
	case VAL_INT:
		ms->kind = SET_INT;
		ms->n = v->a;
		return 0;
	case VAL_DURATION:
		ms->kind = SET_DURATION;
		ms->n = v->a;
		return 0;
	case VAL_WORD:
		if (!strcmp(v->s, "true") || !strcmp(v->s, "false")) {
			ms->kind = SET_BOOL;
			ms->n = v->s[0] == 't';
			return 0;
		}
		diag_add(c->d, SEV_ERROR, v->loc, "put text in double quotes",
			 "setting '%s' takes a string, number, true/false, duration or list, not the word '%s'",
			 st->key, v->s);
		return -1;
	case VAL_LIST:
		ms->kind = SET_LIST;
		ms->list = arena_array(c->a, (uint32_t)value_count(v->items), sizeof *ms->list);
		if (!ms->list)
			return -1;
		for (const struct value *it = v->items; it; it = it->next) {
			if (it->kind != VAL_STRING) {
				diag_error(c->d, it->loc, "a list setting holds quoted strings only, not %s",
					   value_kind_name(it->kind));
				return -1;
			}
			ms->list[ms->nlist++] = it->s;
		}
		return 0;
	default:
		diag_error(c->d, v->loc, "setting '%s' cannot take %s", st->key,
			   value_kind_name(v->kind));
		return -1;
	}
}

static void check_profile(struct checker *c, const struct stmt *s, struct m_profile *p)
{
	uint32_t n = 0;
	struct strmap keys;
	strmap_init(&keys, c->a);
	p->name = s->name;
	p->loc = s->name_loc;
	check_clauses(c, s->when, &p->when, &p->nwhen, 1);
	for (const struct setting *st = s->settings; st; st = st->next)
		n++;
	p->settings = arena_array(c->a, n, sizeof *p->settings);
	if (!p->settings)
		return;
	for (const struct setting *st = s->settings; st; st = st->next) {
		uint32_t before = keys.n;
		strmap_put(&keys, st->key, 1);
		if (keys.n == before) {
			diag_error(c->d, st->loc, "setting '%s' given twice in app profile \"%s\"",
				   st->key, p->name);
			continue;
		}
		if (check_setting(c, st, &p->settings[p->nsettings]) == 0)
			p->nsettings++;
	}
}

void check_profiles(struct checker *c, struct stmt *stmts)
{
	struct model *m = c->m;
	uint32_t n = 0;
	for (struct stmt *s = stmts; s; s = s->next)
		n += s->kind == ST_PROFILE;
	m->profiles = arena_array(c->a, n, sizeof *m->profiles);
	if (!m->profiles)
		return;
	for (struct stmt *s = stmts; s; s = s->next) {
		if (s->kind != ST_PROFILE ||
		    !declare_name(c, &c->profiles, "app profile", s->name, s->name_loc,
				  m->nprofiles, &m->profiles[0].loc, sizeof *m->profiles))
			continue;
		check_profile(c, s, &m->profiles[m->nprofiles++]);
	}
}
