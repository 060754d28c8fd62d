/* policy_text.c - the model back to policy-language text (policy_text.h). */
#include "policy_text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../runtime/bcp_format.h"

void pt_put(struct ptext *t, const char *s)
{
	size_t n = strlen(s);
	if (t->failed)
		return;
	if (t->n + n + 1 > t->cap) {
		size_t cap = (t->n + n + 1) * 2;
		char *p = realloc(t->p, cap);
		if (!p) {
			t->failed = 1;
			return;
		}
		t->p = p, t->cap = cap;
	}
	memcpy(t->p + t->n, s, n + 1);
	t->n += n;
}

void pt_quoted(struct ptext *t, const char *s)
{
	char c[3] = { 0 };
	pt_put(t, "\"");
	for (; *s; s++) {
		c[0] = *s == '"' || *s == '\\' ? '\\' : *s;
		c[1] = c[0] == '\\' ? *s : '\0';
		pt_put(t, c);
	}
	pt_put(t, "\"");
}

/* Values from a closed word list (platform, client_type) are written as words. */
static int written_as_words(unsigned kind)
{
	return kind && (bcpf_attr(kind)->vocab == BCPF_V_PLATFORM ||
			bcpf_attr(kind)->vocab == BCPF_V_CLIENT_TYPE);
}

static void pt_atom(struct ptext *t, const struct model *m, const struct m_atom *at)
{
	unsigned kind = atom_pred_kind(at->kind);
	if (at->negated)
		pt_put(t, "(not ");
	pt_put(t, atom_kind_names[at->kind]);
	pt_put(t, " ");
	if (kind && bcpf_attr(kind)->shape == BCPF_MAP) {
		pt_quoted(t, at->attr);
		pt_put(t, " = ");
	}
	for (uint32_t i = 0; i < at->nvalues; i++) {
		if (i)
			pt_put(t, ", ");
		if (at->kind == A_SEGMENT)
			pt_quoted(t, m->segments[at->ids[i]].name);
		else if (at->kind == A_SEGMENT_GROUP)
			pt_quoted(t, m->groups[at->ids[i]].name);
		else if (written_as_words(kind))
			pt_put(t, at->values[i]);
		else
			pt_quoted(t, at->values[i]);
	}
	if (at->idp) {
		pt_put(t, " from idp ");
		pt_quoted(t, at->idp);
	}
	if (at->negated)
		pt_put(t, ")");
}

void pt_clause(struct ptext *t, const struct model *m, const struct m_clause *c, int flip,
	       int in_and)
{
	int neg = c->negated != flip, paren = c->natoms > 1 && (neg || in_and);
	if (neg)
		pt_put(t, "not ");
	if (paren)
		pt_put(t, "(");
	for (uint32_t i = 0; i < c->natoms; i++) {
		if (i)
			pt_put(t, " or ");
		pt_atom(t, m, &c->atoms[i]);
	}
	if (paren)
		pt_put(t, ")");
}

void pt_ports(struct ptext *t, const struct port_set *ps)
{
	char buf[16];
	if (!ps->n)
		pt_put(t, "none");
	for (uint32_t i = 0; i < ps->n; i++) {
		snprintf(buf, sizeof buf, i ? ", %u" : "%u", ps->r[i].lo);
		pt_put(t, buf);
		if (ps->r[i].hi != ps->r[i].lo) {
			snprintf(buf, sizeof buf, "-%u", ps->r[i].hi);
			pt_put(t, buf);
		}
	}
}
