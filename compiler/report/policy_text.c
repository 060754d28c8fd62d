/* policy_text.c - the model back to policy-language text (policy_text.h). What it
 * writes the checker reads again as the same clause: values are quoted as the
 * lexer unquotes them, and platform and client_type values are words. */
#include "policy_text.h"
#include <string.h>

void policy_string(struct hbuf *out, const char *s)
{
	hb_raw(out, "\"");
	for (const char *run = s;; s++) {
		if (*s && *s != '"' && *s != '\\')
			continue;
		hb_printf(out, "%.*s", (int)(s - run), run);
		if (!*s)
			break;
		hb_printf(out, "\\%c", *s);
		run = s + 1;
	}
	hb_raw(out, "\"");
}

/* Values from a closed word list (platform, client_type) are written as words. */
static int written_as_words(enum atom_kind k)
{
	unsigned pk = atom_pred_kind(k);
	return pk && (bcpf_attr(pk)->vocab == BCPF_V_PLATFORM ||
		      bcpf_attr(pk)->vocab == BCPF_V_CLIENT_TYPE);
}

static void atom(struct hbuf *out, const struct m_atom *at)
{
	hb_printf(out, "%s ", atom_kind_names[at->kind]);
	if (at->attr) {
		policy_string(out, at->attr);
		hb_raw(out, " = ");
	}
	for (uint32_t k = 0; k < at->nvalues; k++) {
		if (k)
			hb_raw(out, ", ");
		if (written_as_words(at->kind))
			hb_raw(out, at->values[k]);
		else
			policy_string(out, at->values[k]);
	}
}

void policy_clause(struct hbuf *out, const struct m_clause *c)
{
	if (c->negated)
		hb_raw(out, "not ");
	for (uint32_t j = 0; j < c->natoms; j++) {
		if (j)
			hb_raw(out, " or ");
		atom(out, &c->atoms[j]);
	}
}

void policy_clauses(struct hbuf *out, const struct m_clause *c, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			hb_raw(out, "; ");
		policy_clause(out, &c[i]);
	}
}

void policy_ports(struct hbuf *out, const struct port_set *ps)
{
	if (!ps->n)
		hb_raw(out, "none");
	for (uint32_t i = 0; i < ps->n; i++) {
		hb_printf(out, i ? ", %u" : "%u", ps->r[i].lo);
		if (ps->r[i].hi != ps->r[i].lo)
			hb_printf(out, "-%u", ps->r[i].hi);
	}
}
