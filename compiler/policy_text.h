/* policy_text.h - parts of the checked model written back as policy-language text
 * (docs/LANGUAGE.md 4.7), for every command that shows a clause (diff, report):
 * `not (saml "dept" = "Fin", "Acc" or (not posture "p" from idp "okta"))`. The
 * checker reads what these write as the same thing: strings are quoted as the lexer
 * unquotes them, platform and client_type values are words. Plain text into a
 * growing buffer (the caller escapes it for its medium); reads the model only. */
#ifndef BCPC_POLICY_TEXT_H
#define BCPC_POLICY_TEXT_H
#include <stddef.h>
#include "model.h"

/* A growing NUL-terminated text (p is malloc'd; free it). After a failed
 * allocation failed is set and the text stops growing. */
struct ptext {
	char *p;
	size_t n, cap;
	int failed;
};

void pt_put(struct ptext *t, const char *s);
/* A string as the language quotes it: "a \"b\" c:\\d". */
void pt_quoted(struct ptext *t, const char *s);
/* One clause, without the semicolon; flip: its negation. in_and: the clause stands
 * in a conjunction, so one of several conditions is put in parentheses. */
void pt_clause(struct ptext *t, const struct model *m, const struct m_clause *c, int flip,
	       int in_and);
/* A port set: "443, 8000-8099", or "none". */
void pt_ports(struct ptext *t, const struct port_set *ps);
#endif
