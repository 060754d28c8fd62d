/* check_limits.c - the count limits of a policy, checked on the syntax tree before
 * any meaning (model.h, docs/LANGUAGE.md 2.10). Each error names the limit and
 * points at the first item past it; nothing is ever cut to fit. */
#include "check_int.h"
#include "check.h"
#include <stdio.h>
#include <string.h>

const struct policy_limits policy_limits_default = {
	.sources = BCL_MAX_SOURCES,
	.groups = BCL_MAX_GROUPS,
	.segments = BCL_MAX_SEGMENTS,
	.patterns = BCL_MAX_PATTERNS,
	.rules = BCL_MAX_RULES,
	.profiles = BCL_MAX_PROFILES,
	.clauses = BCL_MAX_CLAUSES,
	.atoms = BCL_MAX_ATOMS,
	.atom_values = BCL_MAX_ATOM_VALUES,
	.clause_values = BCL_MAX_CLAUSE_VALUES,
	.settings = BCL_MAX_SETTINGS,
	.list_items = BCL_MAX_LIST_ITEMS,
	.controllers = BCL_MAX_CONTROLLERS,
};

/* Items counted against one limit, and where the first one past it stands. */
struct tally {
	uint64_t n;
	struct loc over;
};

static void count(struct tally *t, uint32_t limit, struct loc at)
{
	if (t->n++ == limit)
		t->over = at;
}

/* Reports "too many WHAT: N (the limit is L)" when t went past limit; 1 if so. */
static int exceeded(struct checker *c, const struct tally *t, uint32_t limit, const char *what)
{
	if (t->n <= limit)
		return 0;
	diag_error(c->d, t->over, "too many %s: %llu (the limit is %u)", what,
		   (unsigned long long)t->n, (unsigned)limit);
	return 1;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static int clause_limits(struct checker *c, const struct clause *cl)
{
	const struct policy_limits *lim = c->lim;
	struct tally atoms = { 0 }, values = { 0 };
	int bad = 0;
	for (const struct atom *a = cl->atoms; a; a = a->next) {
		struct tally mine = { 0 };
		count(&atoms, lim->atoms, a->loc);
		for (const struct value *v = a->values; v; v = v->next) {
			count(&mine, lim->atom_values, v->loc);
			count(&values, lim->clause_values, v->loc);
			if (a->negated || a->from_kind)   /* two words in the blob (FORMAT.md 12) */
				count(&values, lim->clause_values, v->loc);
		}
		char what[80];
		snprintf(what, sizeof what, "values in one '%.40s' condition", or_empty(a->kind));
		bad |= exceeded(c, &mine, lim->atom_values, what);
	}
	bad |= exceeded(c, &atoms, lim->atoms, "conditions joined by 'or' in one clause");
	/* Said once per clause, and only when no single condition said it already. */
	if (!bad)
		bad |= exceeded(c, &values, lim->clause_values,
				"values in one clause (all its conditions together)");
	return bad;
}

/* The clauses of one rule or app profile: how many, and each one's insides. */
static int clauses_limits(struct checker *c, const struct clause *list, const char *owner)
{
	struct tally n = { 0 };
	int bad = 0;
	for (const struct clause *cl = list; cl; cl = cl->next) {
		count(&n, c->lim->clauses, cl->loc);
		bad |= clause_limits(c, cl);
	}
	char what[400];
	snprintf(what, sizeof what, "clauses in %s", owner);
	return exceeded(c, &n, c->lim->clauses, what) | bad;
}

static int profile_limits(struct checker *c, const struct stmt *s)
{
	const struct policy_limits *lim = c->lim;
	struct tally n = { 0 };
	char what[400];
	snprintf(what, sizeof what, "app profile \"%.255s\"", or_empty(s->name));
	int bad = clauses_limits(c, s->when, what);
	for (const struct setting *st = s->settings; st; st = st->next) {
		count(&n, lim->settings, st->loc);
		if (!st->value || st->value->kind != VAL_LIST)
			continue;
		struct tally items = { 0 };
		for (const struct value *v = st->value->items; v; v = v->next)
			count(&items, lim->list_items, v->loc);
		snprintf(what, sizeof what, "items in list setting '%.255s'", or_empty(st->key));
		bad |= exceeded(c, &items, lim->list_items, what);
	}
	snprintf(what, sizeof what, "settings in app profile \"%.255s\"", or_empty(s->name));
	return exceeded(c, &n, lim->settings, what) | bad;
}

int check_limits(struct checker *c, struct stmt *stmts)
{
	const struct policy_limits *lim = c->lim;
	struct tally groups = { 0 }, segments = { 0 }, patterns = { 0 }, rules = { 0 },
		     profiles = { 0 };
	int bad = 0;
	char what[400];
	for (const struct stmt *s = stmts; s; s = s->next) {
		switch (s->kind) {
		case ST_GROUP:
			count(&groups, lim->groups, s->name_loc);
			break;
		case ST_SEGMENT:
			count(&segments, lim->segments, s->name_loc);
			for (const struct prop *p = s->props; p; p = p->next) {
				const char *key = or_empty(p->key);
				if (strcmp(key, "domains") && strcmp(key, "addresses"))
					continue;
				for (const struct value *v = p->values; v; v = v->next)
					count(&patterns, lim->patterns, v->loc);
			}
			break;
		case ST_TEST:   /* check_tests refuses it */
			break;
		case ST_PROFILE:
			count(&profiles, lim->profiles, s->name_loc);
			bad |= profile_limits(c, s);
			break;
		case ST_POLICY:
			for (const struct rule *r = s->rules; r; r = r->next) {
				count(&rules, lim->rules, r->name_loc);
				snprintf(what, sizeof what, "rule \"%.255s\"", or_empty(r->name));
				bad |= clauses_limits(c, r->clauses, what);
			}
			break;
		case ST_BC: {
			struct tally controllers = { 0 };
			for (const struct prop *p = s->props; p; p = p->next)
				if (!strcmp(or_empty(p->key), "controller"))
					for (const struct value *v = p->values; v; v = v->next)
						count(&controllers, lim->controllers, v->loc);
			bad |= exceeded(c, &controllers, lim->controllers,
					"controllers in business_continuity");
			break;
		}
		case ST_TENANT:
			break;
		}
	}
	bad |= exceeded(c, &groups, lim->groups, "segment groups");
	bad |= exceeded(c, &segments, lim->segments, "segments");
	bad |= exceeded(c, &patterns, lim->patterns,
			"host and address patterns (entries of 'domains' and 'addresses', all segments together)");
	bad |= exceeded(c, &profiles, lim->profiles, "app profiles");
	bad |= exceeded(c, &rules, lim->rules, "rules");
	return bad ? -1 : 0;
}
