/* zpa_rules.c - ZPA's access policy to one `access_policy` block: rules in ruleOrder
 * (array order for v2 request bodies, which have none), disabled rules left out, each
 * condition to clauses with ZPA's meaning (SCHEMA.md 4.5): conditions ANDed, operands
 * combined by the condition's operator, `negated` as NOT, APP and APP_GROUP ORed.
 * A condition the language cannot say exactly leaves an allow rule out and is taken
 * as holding in a deny rule; every such case is reported with the ZPA id and why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net.h"
#include "zpa_int.h"

struct cond_result {
	enum { C_OK, C_NEVER, C_UNTRANSLATED } status;
	const char *why;
	json_t *clauses;   /* borrowed from the caller */
	int scim_only;     /* an allow clause only SCIM data can satisfy */
	const char *approx;   /* translated, but stricter than ZPA may be: why */
	int bc_client;     /* names a client type BC does not support */
};

static int is_access_action(const char *a)
{
	return a && (!strcmp(a, "ALLOW") || !strcmp(a, "DENY") || !strcmp(a, "REQUIRE_APPROVAL"));
}

/* The policy type of a rule: from policyType when it says, else from its action. */
static int is_access_rule(const json_t *r, const char **type)
{
	char b[32];
	const char *pt = zpa_field(r, "policyType", b);
	const char *a = zpa_str(r, "action");
	*type = pt;
	if (pt && strcmp(pt, "0"))
		return !strcmp(pt, "1");
	return !a || is_access_action(a);
}

/* ---- clause text ---- */

struct sb {
	char *p;
	size_t n, cap;
};

static void sb_add(struct sb *b, const char *s)
{
	size_t k = strlen(s);
	if (b->n + k + 1 > b->cap) {
		size_t cap = (b->n + k + 1) * 2;
		char *np = realloc(b->p, cap);
		if (!np)
			return;   /* out of memory: the text is cut; the checker refuses it */
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, k + 1);
	b->n += k;
}

static void sb_quote(struct sb *b, const char *s)
{
	char c[2] = { 0, 0 };
	sb_add(b, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_add(b, "\\");
		c[0] = *s;
		sb_add(b, c);
	}
	sb_add(b, "\"");
}

static int same_attr(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The IdP a literal is scoped to, or NULL (none, or "": the only user IdP). */
static const char *scope_of(const struct lit *l)
{
	return l->idp && *l->idp ? l->idp : NULL;
}

/* Literal j joins literal i's atom: same kind and attribute, and (written with
 * scopes) the same scope and neither negated. */
static int same_atom(const struct lit *i, const struct lit *j, int scoped)
{
	if (strcmp(j->atom, i->atom) || !same_attr(j->attr, i->attr))
		return 0;
	return !scoped || (!i->neg && !j->neg && same_attr(scope_of(i), scope_of(j)));
}

/* The literals as one clause: the atoms in first-seen order, each with the values of
 * the literals that share its kind and attribute. scoped: each atom written with its
 * own IdP (`from idp "Y"`) and a negated literal as `(not atom)`; else the caller
 * says the IdP and the negation. */
static const char *clause_text(struct tr *x, const char *prefix, const struct lit *l, size_t n,
			       int scoped)
{
	struct sb b = { 0 };
	char *used = calloc(n ? n : 1, 1);
	const char *r;
	sb_add(&b, prefix);
	for (size_t i = 0; used && i < n; i++) {
		if (used[i])
			continue;
		if (b.n > strlen(prefix))
			sb_add(&b, " or ");
		if (scoped && l[i].neg)
			sb_add(&b, "(not ");
		sb_add(&b, l[i].atom);
		if (l[i].attr) {
			sb_add(&b, " ");
			sb_quote(&b, l[i].attr);
			sb_add(&b, " =");
		}
		for (size_t j = i, first = 1; j < n; j++) {
			if (used[j] || (j != i && !same_atom(&l[i], &l[j], scoped)))
				continue;
			used[j] = 1;
			sb_add(&b, first ? " " : ", ");
			first = 0;
			if (!strcmp(l[j].atom, "platform") || !strcmp(l[j].atom, "client_type"))
				sb_add(&b, l[j].value);
			else
				sb_quote(&b, l[j].value);
		}
		if (scoped && scope_of(&l[i])) {
			sb_add(&b, " from idp ");
			sb_quote(&b, scope_of(&l[i]));
		}
		if (scoped && l[i].neg)
			sb_add(&b, ")");
	}
	r = zpa_keep(x, b.p ? b.p : "");
	free(b.p);
	free(used);
	return r;
}

static void add_clause(json_t *clauses, const char *text)
{
	size_t i;
	json_t *v;
	json_array_foreach(clauses, i, v)
		if (!strcmp(json_string_value(v), text))
			return;
	json_array_append_new(clauses, json_string(text));
}

static void add_idp_clause(struct tr *x, json_t *clauses, const char *idp)
{
	struct lit l = { "idp", NULL, idp, NULL, 0, 0, 0, 0 };
	if (idp && *idp)
		add_clause(clauses, clause_text(x, "", &l, 1, 0));
}

/* ---- operands ---- */

/* The operands of a condition as (objectType, lhs, rhs) triples: v1 operands as
 * they are, v2 `values` and `entryValues` exploded (SCHEMA.md 4.4). */
struct triple {
	const char *type, *lhs, *rhs;
	const json_t *op;
};

static int operands(struct tr *x, const json_t *cond, struct triple **out, size_t *n)
{
	json_t *ops = json_object_get(cond, "operands"), *op;
	size_t i, cap = 0;
	*out = NULL;
	*n = 0;
	json_array_foreach(ops, i, op) {
		const char *type = zpa_str(op, "objectType");
		json_t *vals = json_object_get(op, "values"), *ev = json_object_get(op, "entryValues");
		size_t k = json_is_array(vals) ? json_array_size(vals) : 0;
		k += json_is_array(ev) ? json_array_size(ev) : 0;
		if (!json_is_array(vals) && !json_is_array(ev))
			k = 1;
		if (*n + k > cap) {
			cap = (*n + k) * 2;
			struct triple *nt = realloc(*out, cap * sizeof *nt);
			if (!nt)
				return -1;
			*out = nt;
		}
		char b[32];
		if (!json_is_array(vals) && !json_is_array(ev)) {
			const char *lhs = zpa_field(op, "lhs", b);
			(*out)[*n].type = type;
			(*out)[*n].lhs = lhs ? zpa_keep(x, lhs) : NULL;
			lhs = zpa_field(op, "rhs", b);
			(*out)[*n].rhs = lhs ? zpa_keep(x, lhs) : NULL;
			(*out)[(*n)++].op = op;
			continue;
		}
		size_t j;
		json_t *v;
		json_array_foreach(vals, j, v) {
			const char *s = zpa_text(v, b);
			(*out)[*n].type = type;
			(*out)[*n].lhs = "id";
			(*out)[*n].rhs = s ? zpa_keep(x, s) : NULL;
			(*out)[(*n)++].op = op;
		}
		json_array_foreach(ev, j, v) {
			const char *s = zpa_field(v, "lhs", b);
			(*out)[*n].type = type;
			(*out)[*n].lhs = s ? zpa_keep(x, s) : NULL;
			s = zpa_field(v, "rhs", b);
			(*out)[*n].rhs = s ? zpa_keep(x, s) : NULL;
			(*out)[(*n)++].op = op;
		}
	}
	return 0;
}

static int is_app(const char *type)
{
	return type && (!strcmp(type, "APP") || !strcmp(type, "APP_GROUP"));
}

/* An APP / APP_GROUP condition: one app clause, the operands ORed. */
static void app_condition(struct rule_ctx *c, const json_t *cond, struct triple *t, size_t n,
			  struct cond_result *r)
{
	struct tr *x = c->x;
	struct lit *l = calloc(n ? n : 1, sizeof *l);
	size_t k = 0;
	int lost = 0;
	if (!l) {
		r->status = C_UNTRANSLATED;
		r->why = "out of memory";
		return;
	}
	if (zpa_bool(cond, "negated", 0) != 0) {
		r->status = C_UNTRANSLATED;
		r->why = "a negated application condition (the language has no negated segment clause)";
		free(l);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int seg = !strcmp(t[i].type, "APP");
		json_t *at = t[i].rhs ? json_object_get(seg ? x->segment_by_id : x->group_by_id, t[i].rhs) : NULL;
		if (t[i].rhs && json_object_get(seg ? x->lost : x->lost_groups, t[i].rhs))
			lost = 1;
		if (!at) {
			if (!(t[i].rhs && seg && json_object_get(x->lost, t[i].rhs)))
				zpa_warning(x, "policy rule", c->it->id,
					    zpa_str(c->it->j, "name"),
					    zpa_keepf(x, "%s %s is not in the export: that operand matches "
						      "nothing", seg ? "segment" : "segment group",
						      t[i].rhs ? t[i].rhs : "(none)"));
			continue;
		}
		l[k].atom = seg ? "segment" : "segment_group";
		l[k].value = seg ? x->o->segments[json_integer_value(at)].name :
				   x->o->groups[json_integer_value(at)].name;
		l[k++].app = 1;
	}
	if (lost && !c->allow) {
		r->status = C_UNTRANSLATED;
		r->why = "it names a segment with domains the language cannot express";
	} else if (k == 0) {
		r->status = C_NEVER;
		r->why = "its application condition names no segment or group of the export";
	} else {
		add_clause(r->clauses, clause_text(x, "", l, k, 0));
	}
	free(l);
}

/* Each operand to a literal in l: 0, or -1 and *why. */
static int user_literals(struct rule_ctx *c, const struct triple *t, size_t n, struct lit *l,
			 const char **why)
{
	for (size_t i = 0; i < n; i++) {
		if (zpa_user_literal(c, t[i].type, t[i].lhs, t[i].rhs, t[i].op, &l[i], why))
			return -1;
		if (!zpa_printable(l[i].value) || !zpa_printable(l[i].attr) || !zpa_printable(l[i].idp)) {
			*why = "a name or value with a control character (a .bcl string cannot hold it)";
			return -1;
		}
	}
	return 0;
}

/* The literals ANDed: one clause each, with its IdP as a clause of its own; a negated
 * literal of one IdP as `not atom from idp "Y";` (not (the attribute and that IdP)). */
static void and_of_literals(struct rule_ctx *c, const struct lit *l, size_t n,
			   struct cond_result *r)
{
	struct tr *x = c->x;
	int scim_only = 0;
	for (size_t i = 0; i < n; i++)
		if (!l[i].neg && l[i].scim)
			scim_only = 1;
	for (size_t i = 0; i < n; i++) {
		if (l[i].neg && scope_of(&l[i])) {
			struct lit pos = l[i];
			pos.neg = 0;
			add_clause(r->clauses, clause_text(x, "not ", &pos, 1, 1));
			continue;
		}
		add_clause(r->clauses, clause_text(x, l[i].neg ? "not " : "", &l[i], 1, 0));
		if (!l[i].neg)
			add_idp_clause(x, r->clauses, l[i].idp);
	}
	r->scim_only = scim_only;
}

/* The literals ORed: one clause. When none is negated and all share one IdP (or none
 * has one), that IdP is a clause of its own; else each atom carries its own IdP
 * (`from idp "Y"`) and each negated literal is `(not atom)`. */
static void or_of_literals(struct rule_ctx *c, const struct lit *l, size_t n,
			  struct cond_result *r)
{
	struct tr *x = c->x;
	const char *scope = NULL;
	int unscoped = 0, neg = 0, all_scim = 1;
	for (size_t i = 0; i < n; i++) {
		neg |= l[i].neg;
		/* A negated SCIM literal holds without SCIM data. */
		all_scim &= l[i].scim && !l[i].neg;
		if (!scope_of(&l[i]))
			unscoped = 1;
		else if (!scope)
			scope = scope_of(&l[i]);
		else if (strcmp(scope, scope_of(&l[i])))
			unscoped = 2;
	}
	if (neg || (scope && unscoped)) {
		add_clause(r->clauses, clause_text(x, "", l, n, 1));
	} else {
		add_clause(r->clauses, clause_text(x, "", l, n, 0));
		add_idp_clause(x, r->clauses, scope);
	}
	r->scim_only = all_scim;
}

/* SCIM values ZPA may compare in any case (caseSensitive false), which the language
 * compares exactly: exact comparison matches fewer users, which is safe where the
 * literal holding lets less through (a plain literal of an allow rule, a negated one
 * of a deny rule: r->approx) and not where it lets more through (-1, r->why). */
static int any_case_literals(struct rule_ctx *c, const struct lit *l, size_t n,
			     struct cond_result *r)
{
	for (size_t i = 0; i < n; i++) {
		if (!l[i].any_case)
			continue;
		const char *why = zpa_keepf(c->x, "SCIM attribute \"%s\" is not case-sensitive "
					   "(caseSensitive false): ZPA may match its value in any "
					   "case, the language compares exactly", l[i].attr);
		if (c->allow == l[i].neg) {
			r->why = why;
			return -1;
		}
		r->approx = why;
	}
	return 0;
}

/* A user condition: literals combined by the operator, negated as a whole. */
static void user_condition(struct rule_ctx *c, const json_t *cond, struct triple *t, size_t n,
			   struct cond_result *r)
{
	struct tr *x = c->x;
	struct lit *l = calloc(n ? n : 1, sizeof *l);
	char b[32];
	const char *op = zpa_field(cond, "operator", b);
	int neg = zpa_bool(cond, "negated", 0), and_op;

	r->status = C_UNTRANSLATED;
	if (!l) {
		r->why = "out of memory";
		return;
	}
	if (neg < 0) {
		r->why = "'negated' is neither true nor false";
		goto out;
	}
	if (op && strcmp(op, "AND") && strcmp(op, "OR")) {
		r->why = zpa_keepf(x, "unknown condition operator \"%s\"", op);
		goto out;
	}
	and_op = op && !strcmp(op, "AND");
	if (user_literals(c, t, n, l, &r->why))
		goto out;
	if (neg) {   /* De Morgan: NOT(a op b) = (NOT a) op' (NOT b) */
		and_op = !and_op;
		for (size_t i = 0; i < n; i++)
			l[i].neg = !l[i].neg;
	}
	if (n == 1)
		and_op = 1;
	if (any_case_literals(c, l, n, r))
		goto out;
	for (size_t i = 0; i < n; i++)
		r->bc_client |= !l[i].neg && !strcmp(l[i].atom, "client_type") &&
				zpa_bc_unsupported_client(l[i].value);
	if (and_op)
		and_of_literals(c, l, n, r);
	else
		or_of_literals(c, l, n, r);
	r->status = C_OK;
out:
	free(l);
}

static void condition(struct rule_ctx *c, const json_t *cond, struct cond_result *r)
{
	struct triple *t;
	size_t n, napp = 0;
	r->status = C_OK;
	r->why = NULL;
	if (operands(c->x, cond, &t, &n)) {
		r->status = C_UNTRANSLATED;
		r->why = "out of memory";
		return;
	}
	for (size_t i = 0; i < n; i++)
		napp += is_app(t[i].type);
	if (n == 0 && json_array_size(json_object_get(cond, "operands")) > 0) {
		r->status = C_UNTRANSLATED;   /* v2 operands with empty value lists */
		r->why = "operands without any value";
	} else if (n == 0)
		;   /* no operands: no criterion, holds */
	else if (napp == n)
		app_condition(c, cond, t, n, r);
	else if (napp == 0)
		user_condition(c, cond, t, n, r);
	else {
		r->status = C_UNTRANSLATED;
		r->why = "a condition that mixes applications with user criteria";
	}
	free(t);
}

/* ---- rules ---- */

struct ordered {
	const struct zpa_item *it;
	int has_order;
	long long order;
};

static int ordered_cmp(const void *pa, const void *pb)
{
	const struct ordered *a = pa, *b = pb;
	if (a->has_order != b->has_order)
		return a->has_order ? -1 : 1;
	if (a->has_order && a->order != b->order)
		return a->order < b->order ? -1 : 1;
	if (a->it->file != b->it->file)
		return a->it->file < b->it->file ? -1 : 1;
	return a->it->pos < b->it->pos ? -1 : a->it->pos > b->it->pos;
}

static struct zpa_out_rule *new_rule(struct tr *x)
{
	struct zpa_out *o = x->o;
	if (o->nrules == x->cap_rules) {
		size_t cap = x->cap_rules ? 2 * x->cap_rules : 64;
		struct zpa_out_rule *nr = realloc(o->rules, cap * sizeof *nr);
		if (!nr)
			return NULL;
		o->rules = nr;
		x->cap_rules = cap;
	}
	struct zpa_out_rule *r = &o->rules[o->nrules++];
	memset(r, 0, sizeof *r);
	r->clauses = json_array();
	r->comments = json_array();
	return r;
}

/* The first rule: segments ZPA has disabled (or that serve no port) are denied, so
 * their hosts never reach a wider segment (the closed reading of SCHEMA.md 2.2.5). */
static int disabled_rule(struct tr *x)
{
	struct lit *l = calloc(x->o->nsegments + 1, sizeof *l);
	size_t k = 0;
	if (!l)
		return -1;
	for (size_t i = 0; i < x->o->nsegments; i++)
		if (x->o->segments[i].disabled) {
			l[k].atom = "segment";
			l[k++].value = x->o->segments[i].name;
		}
	if (k) {
		struct zpa_out_rule *r = new_rule(x);
		if (!r) {
			free(l);
			return -1;
		}
		r->name = zpa_unique_name(x, x->rule_names, "ZPA disabled segments", NULL, "rule");
		r->allow = 0;
		json_array_append_new(r->comments, json_string(
			"Not a ZPA rule: segments disabled in ZPA (or without ports) are denied here"));
		add_clause(r->clauses, clause_text(x, "", l, k, 0));
	}
	free(l);
	return 0;
}

/* A rule left out: a comment in its place (an entry without a name). */
static void comment_only(struct tr *x, json_t *text)
{
	struct zpa_out_rule *r = new_rule(x);
	if (r)
		json_array_append_new(r->comments, text);
	else
		json_decref(text);
}

static void rule_comment(struct zpa_out_rule *r, const char *fmt, const char *a, const char *b)
{
	json_array_append_new(r->comments, json_sprintf(fmt, a, b ? b : ""));
}

/* One rule on its way to the output: what its conditions said so far. */
struct rule_state {
	const char *id, *name, *ord;   /* ord: its ruleOrder, as text */
	json_t *clauses, *notes;
	int keep, scim_only, bc_client;
};

/* The rule's action and operator, and 'disabled' when neither 0 nor 1: reported, and
 * rs->keep cleared when an allow rule must be left out. 1 when the rule is a deny rule
 * kept without its conditions (an operator other than AND), else 0. */
static int check_rule_fields(struct rule_ctx *c, struct rule_state *rs, int disabled,
			     const char *action, const char *rop)
{
	struct tr *x = c->x;
	if (disabled < 0) {
		zpa_untranslated(x, "policy rule", rs->id, rs->name,
				 "its 'disabled' is neither \"0\" nor \"1\"",
				 c->allow ? "left out" : "kept");
		if (c->allow)
			rs->keep = 0;
	}
	if (!action || (strcmp(action, "ALLOW") && strcmp(action, "DENY"))) {
		zpa_untranslated(x, "policy rule", rs->id, rs->name,
				 zpa_keepf(x, "action %s cannot be honoured offline", action ? action : "(none)"),
				 "translated as deny");
		json_array_append_new(rs->notes, json_sprintf("ZPA action %s, translated as deny",
							      action ? action : "(none)"));
	}
	if (rop && strcmp(rop, "AND")) {
		zpa_untranslated(x, "policy rule", rs->id, rs->name,
				 zpa_keepf(x, "rule operator \"%s\" (ZPA ANDs conditions)", rop),
				 c->allow ? "allow rule left out" : "deny rule kept without its conditions");
		if (c->allow)
			rs->keep = 0;
		else
			return 1;
	}
	return 0;
}

/* "condition <i+1> (id <id>): <why>" */
static const char *condition_what(struct tr *x, const json_t *cond, size_t i, const char *why)
{
	char b2[32];
	const char *cid = zpa_field(cond, "id", b2);
	return zpa_keepf(x, "condition %zu%s%s%s: %s", i + 1,
			 cid ? " (id " : "", cid ? cid : "", cid ? ")" : "", why);
}

/* A condition translated not at all, or not exactly: reported, and noted in the rule
 * or (an allow rule that cannot say it) rs->keep cleared. */
static void report_condition(struct rule_ctx *c, struct rule_state *rs, const json_t *cond,
			     size_t i, const struct cond_result *r)
{
	struct tr *x = c->x;
	if (r->status == C_OK && r->approx) {
		const char *what = condition_what(x, cond, i, r->approx);
		const char *effect = "compared exactly: the rule matches no more users than in ZPA";
		zpa_untranslated(x, "policy rule", rs->id, rs->name, what, effect);
		json_array_append_new(rs->notes, json_sprintf("not exact: %s; %s", what, effect));
	}
	if (r->status == C_UNTRANSLATED) {
		const char *what = condition_what(x, cond, i, r->why);
		if (c->allow) {
			zpa_untranslated(x, "policy rule", rs->id, rs->name, what, "allow rule left out");
			rs->keep = 0;
		} else {
			zpa_untranslated(x, "policy rule", rs->id, rs->name, what,
					 "condition taken as holding: the deny rule denies at least as much");
			json_array_append_new(rs->notes, json_sprintf("not translated, taken as holding: %s", what));
		}
	}
}

/* The rule's conditions to rs->clauses. 1 when one never matches: the rule is left out,
 * a comment in its place; else 0. */
static int rule_conditions(struct rule_ctx *c, struct rule_state *rs)
{
	json_t *cond;
	size_t i;
	json_array_foreach(json_object_get(c->it->j, "conditions"), i, cond) {
		struct cond_result r = { C_OK, NULL, rs->clauses, 0, NULL, 0 };
		condition(c, cond, &r);
		if (r.status == C_NEVER) {
			comment_only(c->x, json_sprintf("ZPA rule %s \"%s\" (ruleOrder %s): never matches "
				"(%s), left out", rs->id ? rs->id : "without id", rs->name ? rs->name : "",
				rs->ord, r.why));
			return 1;
		}
		report_condition(c, rs, cond, i, &r);
		rs->scim_only |= r.scim_only;
		rs->bc_client |= r.bc_client;
	}
	return 0;
}

/* The rule in the output, with its notes and (with_clauses) its clauses; 0, or -1. */
static int emit_rule(struct rule_ctx *c, const struct rule_state *rs, int with_clauses)
{
	struct tr *x = c->x;
	struct zpa_out_rule *r = new_rule(x);
	if (!r)
		return -1;
	r->id = rs->id;
	r->name = zpa_unique_name(x, x->rule_names, rs->name, rs->id, "rule");
	r->allow = c->allow;
	rule_comment(r, "ZPA rule id %s, ruleOrder %s", rs->id ? rs->id : "(none: a request body)",
		     rs->ord);
	json_array_extend(r->comments, rs->notes);
	if (with_clauses)
		json_array_extend(r->clauses, rs->clauses);
	return 0;
}

/* One rule: left out with a comment in its place, or to the output; 0, or -1. */
static int one_rule(struct rule_ctx *c, const struct ordered *od)
{
	struct tr *x = c->x;
	const json_t *j = c->it->j;
	const char *action = zpa_str(j, "action");
	char b[32];
	const char *rop = zpa_field(j, "operator", b);
	int disabled = zpa_bool(j, "disabled", 0), rc = 0;
	struct rule_state rs = {
		c->it->id, zpa_str(j, "name"),
		od->has_order ? zpa_keepf(x, "%lld", od->order) : "none (array order)",
		json_array(), json_array(), 1, 0, 0
	};
	const char *id = rs.id ? rs.id : "without id", *name = rs.name ? rs.name : "";

	c->allow = action && !strcmp(action, "ALLOW");
	if (disabled == 1) {
		comment_only(x, json_sprintf("ZPA rule %s \"%s\" (ruleOrder %s): disabled in ZPA, left out",
			id, name, rs.ord));
		goto done;
	}
	if (!check_rule_fields(c, &rs, disabled, action, rop)) {
		if (rule_conditions(c, &rs))
			goto done;
		if (!rs.keep) {
			comment_only(x, json_sprintf("ZPA rule %s \"%s\" (ruleOrder %s): not translated, "
				"left out (see the report)", id, name, rs.ord));
			goto done;
		}
		if (c->allow && rs.scim_only)
			zpa_warning(x, "policy rule", rs.id, rs.name,
				    "business continuity: only SCIM data satisfies this allow rule, and users "
				    "who enroll during an outage have none");
		if (rs.bc_client)
			zpa_warning(x, "policy rule", rs.id, rs.name,
				    "business continuity: it names a client type BC does not support");
	}
	rc = emit_rule(c, &rs, !(rop && strcmp(rop, "AND")));
done:
	json_decref(rs.clauses);
	json_decref(rs.notes);
	return rc;
}

/* The one IdP users sign in with, when there is exactly one (ssoType USER or none
 * given): a criterion of an IdP attribute then needs no IdP qualifier. */
static const char *only_user_idp(const struct tr *x)
{
	const char *only = NULL;
	size_t users = 0;
	for (size_t i = 0; i < x->t->set[ZK_IDP].n; i++) {
		const json_t *o = x->t->set[ZK_IDP].v[i].j;
		json_t *sso = json_object_get(o, "ssoType"), *t;
		size_t k;
		int user = !json_is_array(sso);
		json_array_foreach(sso, k, t)
			user |= json_is_string(t) && !strcmp(json_string_value(t), "USER");
		if (user) {
			users++;
			only = x->t->set[ZK_IDP].v[i].id;
		}
	}
	return users == 1 ? only : NULL;
}

/* The access rules into v, in ruleOrder (then file and position); rules of other
 * policy types are counted and set aside with a warning. Their number. */
static size_t order_rules(struct tr *x, struct ordered *v)
{
	const struct zpa_set *s = &x->t->set[ZK_RULE];
	json_t *types = json_object();
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		const char *type, *ro;
		char b[32], *end;
		if (!is_access_rule(s->v[i].j, &type)) {
			json_t *cnt = json_object_get(types, type ? type : "?");
			json_object_set_new(types, type ? type : "?",
					    json_integer(cnt ? json_integer_value(cnt) + 1 : 1));
			continue;
		}
		ro = zpa_field(s->v[i].j, "ruleOrder", b);
		v[n].it = &s->v[i];
		if (ro && *ro) {
			long long k = strtoll(ro, &end, 10);
			if (!*end) {
				v[n].has_order = 1;
				v[n].order = k;
			}
		}
		n++;
	}
	const char *k;
	json_t *cnt;
	json_object_foreach(types, k, cnt)
		zpa_warning(x, "policy rule", NULL, NULL,
			    zpa_keepf(x, "%lld rule(s) of policyType %s (not the access policy) "
				      "set aside", (long long)json_integer_value(cnt), k));
	json_decref(types);
	qsort(v, n, sizeof *v, ordered_cmp);
	for (size_t i = 1; i < n; i++)
		if (v[i].has_order && v[i - 1].has_order && v[i].order == v[i - 1].order)
			zpa_warning(x, "policy rule", v[i].it->id, NULL,
				    zpa_keepf(x, "ruleOrder %lld is shared with rule %s; ordered by file "
					      "and position", v[i].order, v[i - 1].it->id ? v[i - 1].it->id : "?"));
	return n;
}

int zpa_translate_rules(struct tr *x)
{
	const struct zpa_set *s = &x->t->set[ZK_RULE];
	struct ordered *v = calloc(s->n ? s->n : 1, sizeof *v);
	struct rule_ctx c = { x, NULL, 0, -1, NULL };
	int rc = -1;

	if (v) {
		if (x->t->set[ZK_IDP].n > 0) {
			c.user_idps = 0;
			c.only_idp = only_user_idp(x);
		}
		size_t n = order_rules(x, v);
		rc = disabled_rule(x) ? -1 : 0;
		for (size_t i = 0; i < n && rc == 0; i++) {
			c.it = v[i].it;
			rc = one_rule(&c, &v[i]) ? -1 : 0;
		}
	}
	if (rc)
		snprintf(x->e->msg, sizeof x->e->msg, "out of memory");
	free(v);
	return rc;
}
