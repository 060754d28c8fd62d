/* policy_test.c - test blocks to tests (the meaning of their lines), and running
 * them both ways: libbcp on a blob built in memory, and the reference evaluator.
 * The user a test describes is filled through bcp_format.h's attribute table, the
 * same way the request reader fills a JSON user; no attribute is named here. */
#include "policy_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "blob.h"
#include "reference.h"
#include "request.h"
#include "suggest.h"

/* ---- reading ---- */

struct reader {
	const struct model *m;
	struct arena *a;
	struct diags *d;
	int bad;
};

static const char *word_text(const struct value *v)
{
	return v && (v->kind == VAL_STRING || v->kind == VAL_WORD) ? v->s : NULL;
}

/* The values of one attribute kind gathered from a user block. */
struct kind_values {
	const char **v;              /* LIST and ONE */
	size_t n, cap;
	struct bcp_attr *map;        /* MAP: one entry per condition */
	size_t nmap, capmap;
	struct loc first;
};

static int grow(struct reader *r, void **p, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 4;
	void *q = arena_array(r->a, ncap, sz);
	if (!q)
		return -1;
	if (*p)
		memcpy(q, *p, *cap * sz);
	*p = q;
	*cap = ncap;
	return 0;
}

static int word_valid(unsigned kind, const char *w)
{
	switch (bcpf_attr(kind)->vocab) {
	case BCPF_V_PLATFORM:
		for (unsigned i = 0; i < nplatforms; i++)
			if (!strcmp(w, platform_names[i]))
				return 1;
		return 0;
	case BCPF_V_CLIENT_TYPE:
		for (unsigned i = 0; i < nclient_types; i++)
			if (!strcmp(w, client_type_names[i]))
				return 1;
		return 0;
	case BCPF_V_COUNTRY:
		return strlen(w) == 2 && country_valid(w);
	default:
		return 1;
	}
}

/* One condition of a user block: `kind value, ...;` or `kind "name" = value, ...;`. */
static void read_user_atom(struct reader *r, const struct clause *c, struct kind_values *kv)
{
	const struct atom *at = c->atoms;
	unsigned kind = bcpf_attr_find(at->kind, 0);
	if (!c->negated && !at->next && (at->negated || at->from_kind)) {
		diag_add(r->d, SEV_ERROR, c->loc, "give the user its IdP on a line of its own: idp \"NAME\";",
			 "a test's user lists the values it has: no '(not ...)', no 'from idp'");
		r->bad = 1;
		return;
	}
	if (c->negated || at->next) {
		diag_error(r->d, c->loc, "a test's user lists the values it has: no 'not', no 'or'");
		r->bad = 1;
		return;
	}
	if (!kind) {
		struct suggest sg;
		char hint[120];
		suggest_init(&sg, at->kind);
		for (unsigned k = 1; k <= BCPF_P_MAX; k++)
			suggest_add(&sg, bcpf_attr(k)->keyword);
		snprintf(hint, sizeof hint, "did you mean '%s'?", sg.best ? sg.best : "");
		diag_add(r->d, SEV_ERROR, at->loc, sg.best ? hint : NULL,
			 "unknown user attribute '%s'", at->kind);
		r->bad = 1;
		return;
	}
	const struct bcpf_attr *row = bcpf_attr(kind);
	struct kind_values *k = &kv[kind];
	if ((row->shape == BCPF_MAP) != (at->attr != NULL)) {
		diag_error(r->d, at->loc, row->shape == BCPF_MAP ?
			   "%s takes an attribute name: %s \"name\" = \"value\"" :
			   "%s takes values only, no attribute name", row->keyword, row->keyword);
		r->bad = 1;
		return;
	}
	size_t nvals = 0;
	for (const struct value *v = at->values; v; v = v->next)
		nvals++;
	const char **vals = arena_array(r->a, nvals, sizeof *vals);
	if (!vals)
		return;
	nvals = 0;
	for (const struct value *v = at->values; v; v = v->next) {
		const char *w = word_text(v);
		if (!w || !word_valid(kind, w)) {
			diag_error(r->d, v->loc, "not a valid %s value", row->keyword);
			r->bad = 1;
			return;
		}
		vals[nvals++] = w;
	}
	if (!k->first.src)
		k->first = at->loc;
	if (row->shape == BCPF_MAP) {
		if (grow(r, (void **)&k->map, &k->capmap, k->nmap, sizeof *k->map))
			return;
		k->map[k->nmap++] = (struct bcp_attr){ at->attr, vals, nvals };
		return;
	}
	if (row->shape == BCPF_ONE && k->n + nvals > 1) {
		diag_error(r->d, at->loc, "a user has one %s", row->keyword);
		r->bad = 1;
		return;
	}
	for (size_t i = 0; i < nvals; i++) {
		if (grow(r, (void **)&k->v, &k->cap, k->n, sizeof *k->v))
			return;
		k->v[k->n++] = vals[i];
	}
}

/* The gathered values into the user: into bcp_user_info's fields where the kind
 * has one, else by keyword in u->attrs. */
static void fill_user(struct reader *r, struct kind_values *kv, struct bcp_user_info *u)
{
	size_t nextra = 0;
	for (unsigned kind = 1; kind <= BCPF_P_MAX; kind++)
		nextra += kv[kind].nmap + (kv[kind].n > 0);
	struct bcp_user_attr *extra = arena_array(r->a, nextra ? nextra : 1, sizeof *extra);
	if (!extra)
		return;
	u->attrs = extra;
	for (unsigned kind = 1; kind <= BCPF_P_MAX; kind++) {
		struct kind_values *k = &kv[kind];
		struct bcpf_user_fields f = bcpf_user_fields(u, kind);
		const char *kw = bcpf_attr(kind)->keyword;
		if (f.map) {
			*f.map = k->map;
			*f.n = k->nmap;
		} else if (f.list) {
			*f.list = k->v;
			*f.n = k->n;
		} else if (f.one) {
			*f.one = k->n ? k->v[0] : NULL;
		} else {
			for (size_t i = 0; i < k->nmap; i++)
				extra[u->nattrs++] = (struct bcp_user_attr){ kw, k->map[i].name,
					k->map[i].values, k->map[i].nvalues };
			if (k->n)
				extra[u->nattrs++] = (struct bcp_user_attr){ kw, NULL, k->v, k->n };
		}
	}
}

static const char *const verdict_words[] = { "none", "drop", "bypass", "allow", "deny" };

/* `expect VERDICT [segment S|none] [rule R|none] [profile P|none];` */
static void read_expect(struct reader *r, const struct test_line *l, struct ptest *t)
{
	const struct value *v = l->words;
	const char *w = word_text(v);
	unsigned i;
	for (i = 0; w && i < 5 && strcmp(w, verdict_words[i]); i++)
		;
	if (!w || v->kind != VAL_WORD || i == 5) {
		diag_add(r->d, SEV_ERROR, v->loc, "allow, deny, none, drop or bypass",
			 "expect starts with the decision");
		r->bad = 1;
		return;
	}
	t->want.verdict = (enum bcp_verdict)i;
	t->expect_loc = l->loc;
	for (v = v->next; v; v = v->next) {
		const char *part = word_text(v);
		const struct value *val = v->next;
		int *flag = NULL;
		const char **slot = NULL;
		if (part && v->kind == VAL_WORD && !strcmp(part, "segment"))
			flag = &t->check_segment, slot = &t->want.segment;
		else if (part && v->kind == VAL_WORD && !strcmp(part, "rule"))
			flag = &t->check_rule, slot = &t->want.rule;
		else if (part && v->kind == VAL_WORD && !strcmp(part, "profile"))
			flag = &t->check_profile, slot = &t->want.profile;
		if (!flag || !val || !word_text(val) ||
		    (val->kind == VAL_WORD && strcmp(val->s, "none"))) {
			diag_add(r->d, SEV_ERROR, v->loc,
				 "expect allow segment \"S\" rule \"R\" profile \"P\" (or none for each)",
				 "expected segment, rule or profile and a quoted name or none");
			r->bad = 1;
			return;
		}
		*flag = 1;
		*slot = val->kind == VAL_STRING ? val->s : NULL;
		if (*slot) {   /* the name must be the policy's */
			const struct model *m = r->m;
			int found = 0;
			for (uint32_t k = 0; slot == &t->want.segment && k < m->nsegments; k++)
				found |= !strcmp(m->segments[k].name, *slot);
			for (uint32_t k = 0; slot == &t->want.rule && k < m->nrules; k++)
				found |= !strcmp(m->rules[k].name, *slot);
			for (uint32_t k = 0; slot == &t->want.profile && k < m->nprofiles; k++)
				found |= !strcmp(m->profiles[k].name, *slot);
			if (!found) {
				diag_error(r->d, val->loc, "the policy has no %s \"%s\"", part, *slot);
				r->bad = 1;
			}
		}
		v = val;
	}
}

static void read_request(struct reader *r, const struct test_line *l, struct ptest *t)
{
	struct request q = { 0 };
	char err[300];
	const char *target = word_text(l->words);
	if (target && l->words->kind == VAL_STRING && l->words->next) {
		diag_add(r->d, SEV_ERROR, l->words->next->loc, "end the request with ';'",
			 "more after the request's target");
		r->bad = 1;
		return;
	}
	if (!target || l->words->kind != VAL_STRING) {
		diag_error(r->d, l->loc, "request takes one string: \"host:port\" or \"host:port/udp\"");
		r->bad = 1;
		return;
	}
	if (request_parse_target(target, &q, err, sizeof err) != 0) {
		diag_error(r->d, l->words->loc, "%s", err);
		r->bad = 1;
	} else {
		memcpy(t->host, q.host, sizeof t->host);
		t->port = q.port;
		t->proto = q.proto;
	}
	request_free(&q);
}

static void read_test(struct reader *r, const struct stmt *s, struct ptest *t)
{
	struct kind_values kv[BCPF_P_MAX + 1];
	int have_request = 0, have_expect = 0, have_user = 0;
	memset(kv, 0, sizeof kv);
	t->name = s->name;
	t->loc = s->loc;
	for (const struct test_line *l = s->test; l; l = l->next) {
		int *seen = NULL;
		if (!strcmp(l->key, "request") && !l->block)
			seen = &have_request, read_request(r, l, t);
		else if (!strcmp(l->key, "expect") && !l->block)
			seen = &have_expect, read_expect(r, l, t);
		else if (!strcmp(l->key, "user") && l->block) {
			seen = &have_user;
			for (const struct clause *c = l->user; c; c = c->next)
				read_user_atom(r, c, kv);
		} else {
			diag_add(r->d, SEV_ERROR, l->loc,
				 "a test has request \"host:port\"; user { ... } and expect ...;",
				 "unknown test line '%s'", l->key);
			r->bad = 1;
			continue;
		}
		if ((*seen)++) {
			diag_error(r->d, l->loc, "'%s' given twice in one test", l->key);
			r->bad = 1;
		}
	}
	if (!have_request || !have_expect) {
		diag_error(r->d, s->loc, "test \"%s\" needs a request and an expect", s->name);
		r->bad = 1;
	}
	fill_user(r, kv, &t->user);
}

int ptests_read(const struct stmt *tests, const struct model *m, struct arena *a,
		struct diags *d, struct ptest_suite *out)
{
	struct reader r = { m, a, d, 0 };
	uint32_t n = 0;
	for (const struct stmt *s = tests; s; s = s->next)
		n++;
	out->n = 0;
	out->t = arena_array(a, n ? n : 1, sizeof *out->t);
	if (!out->t)
		return -1;
	for (const struct stmt *s = tests; s; s = s->next) {
		for (uint32_t i = 0; i < out->n; i++)
			if (!strcmp(out->t[i].name, s->name)) {
				diag_error(d, s->name_loc, "test \"%s\" given twice", s->name);
				diag_add(d, SEV_NOTE, out->t[i].loc, NULL, "first given here");
				r.bad = 1;
			}
		read_test(&r, s, &out->t[out->n++]);
	}
	return r.bad || a->failed ? -1 : 0;
}

/* ---- running ---- */

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int meets(const struct ptest *t, const struct ptest_answer *g)
{
	return g->verdict == t->want.verdict &&
	       (!t->check_segment || same(g->segment, t->want.segment)) &&
	       (!t->check_rule || same(g->rule, t->want.rule)) &&
	       (!t->check_profile || same(g->profile, t->want.profile));
}

static void by_reference(const struct model *m, const struct ptest *t, struct ptest_answer *g)
{
	struct ref_result rr;
	(void)ref_decide(m, &t->user, t->host, t->port, t->proto, &rr);   /* -1: deny, as said */
	int32_t p = ref_profile(m, &t->user);
	g->verdict = rr.verdict;
	g->segment_index = rr.segment;
	g->rule_index = rr.rule;
	g->segment = rr.segment >= 0 ? m->segments[rr.segment].name : NULL;
	g->rule = rr.rule >= 0 ? m->rules[rr.rule].name : NULL;
	g->profile = p >= 0 ? m->profiles[p].name : NULL;
}

/* The runtime's answer; names are looked up in the model so that they outlive the
 * blob (a disabled segment is not in the blob, so indices differ: names do not). */
static void by_runtime(const struct model *m, const bcp_blob *b, const struct ptest *t,
		       struct ptest_answer *g)
{
	struct bcp_error e;
	struct bcp_decision d;
	bcp_user *u = NULL;
	memset(g, 0, sizeof *g);
	g->verdict = BCP_DENY;
	g->segment_index = g->rule_index = -1;
	if (bcp_bind(b, &t->user, &u, &e) != BCP_OK)
		return;
	if (bcp_decide_host(u, t->host, strlen(t->host), t->port, t->proto, &d) != BCP_OK)
		d.verdict = BCP_DENY, d.segment = d.rule = NULL;
	g->verdict = d.verdict;
	for (uint32_t i = 0; d.segment && i < m->nsegments; i++)
		if (!strcmp(m->segments[i].name, d.segment))
			g->segment = m->segments[i].name, g->segment_index = (int32_t)i;
	for (uint32_t i = 0; d.rule && i < m->nrules; i++)
		if (!strcmp(m->rules[i].name, d.rule))
			g->rule = m->rules[i].name, g->rule_index = (int32_t)i;
	const char *p = bcp_user_profile(u);
	for (uint32_t i = 0; p && i < m->nprofiles; i++)
		if (!strcmp(m->profiles[i].name, p))
			g->profile = m->profiles[i].name;
	bcp_user_free(u);
}

int ptests_run(const struct model *m, const struct ptest_suite *s, struct ptest_outcome *out,
	       char *err, size_t errlen)
{
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	bcp_blob *b = NULL;
	int failures = -1;

	/* Valid around any clock: the runtime is asked about the policy, not the time. */
	if (blob_open_throwaway(m, &blob, &bloblen, &b, err, errlen) != 0)
		goto out;
	failures = 0;
	for (uint32_t i = 0; i < s->n; i++) {
		struct ptest_outcome *r = &out[i];
		by_runtime(m, b, &s->t[i], &r->runtime);
		by_reference(m, &s->t[i], &r->reference);
		r->passed = meets(&s->t[i], &r->runtime) && meets(&s->t[i], &r->reference);
		failures += !r->passed;
	}
out:
	bcp_close(b);
	free(blob);
	return failures;
}

static size_t put_name(char *buf, size_t n, size_t o, const char *what, const char *name)
{
	if (o >= n)
		return o;
	return o + (size_t)snprintf(buf + o, n - o, name ? " %s \"%s\"" : " %s none", what, name);
}

const char *ptest_answer_text(const struct ptest_answer *a, const struct ptest *t, char *buf,
			      size_t n)
{
	size_t o = (size_t)snprintf(buf, n, "%s", bcp_verdict_str(a->verdict));
	if (!t || t->check_segment)
		o = put_name(buf, n, o, "segment", a->segment);
	if (!t || t->check_rule)
		o = put_name(buf, n, o, "rule", a->rule);
	if (!t || t->check_profile)
		put_name(buf, n, o, "profile", a->profile);
	return buf;
}
