/* check.c - the meaning pass's driver (check.h): it runs the checker's parts in
 * order over the syntax tree and builds the model; it never changes the tree. The
 * parts: count limits (check_limits.c), tenant (here), business_continuity
 * (check_bc.c), segment groups and segments (check_segments.c), the pattern index
 * (check_patterns.c), app profiles and rules (check_rules.c). Their shared helpers
 * are in check_util.c. */
#include "check.h"
#include "check_int.h"

static void check_tenant(struct checker *c, struct stmt *stmts)
{
	struct stmt *first = NULL;
	for (struct stmt *s = stmts; s; s = s->next) {
		if (s->kind != ST_TENANT)
			continue;
		if (first) {
			diag_error(c->d, s->loc, "tenant given twice");
			diag_add(c->d, SEV_NOTE, first->loc, NULL, "first given here");
			continue;
		}
		first = s;
		if (check_name(c, s->name, s->name_loc, "tenant") == 0)
			c->m->tenant = s->name;
	}
}

/* Tests are run by bcpc test and compile --test from files of their own, and never
 * go into a blob: a test among the policy's statements is an error. */
static void check_tests(struct checker *c, struct stmt *stmts)
{
	for (struct stmt *s = stmts; s; s = s->next)
		if (s->kind == ST_TEST)
			diag_add(c->d, SEV_ERROR, s->loc,
				 "give test files to 'bcpc test' or 'bcpc compile --test'",
				 "a test block among the policy's files");
}

struct model *check_policy_limits(struct stmt *stmts, const struct policy_limits *lim,
				  struct arena *a, struct diags *d)
{
	struct checker c = { .a = a, .d = d, .lim = lim };
	int before = d->nerrors;
	/* Past a limit nothing else is checked: the errors would be as many as the items. */
	if (check_limits(&c, stmts) != 0) {
		if (a->failed)
			diag_out_of_memory(d);
		return NULL;
	}
	c.m = arena_alloc(a, sizeof *c.m);
	if (!c.m) {
		diag_out_of_memory(d);
		return NULL;
	}
	strmap_init(&c.groups, a);
	strmap_init(&c.segments, a);
	strmap_init(&c.rules, a);
	strmap_init(&c.profiles, a);
	check_tests(&c, stmts);
	check_tenant(&c, stmts);
	check_bc(&c, stmts);
	check_groups(&c, stmts);
	check_segments(&c, stmts);
	build_patterns(&c);
	check_profiles(&c, stmts);
	check_rules(&c, stmts);
	if (a->failed) {
		diag_out_of_memory(d);
		return NULL;
	}
	return d->nerrors == before ? c.m : NULL;
}

struct model *check_policy(struct stmt *stmts, struct arena *a, struct diags *d)
{
	return check_policy_limits(stmts, &policy_limits_default, a, d);
}
