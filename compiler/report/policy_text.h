/* policy_text.h - parts of the checked model written back as policy-language text
 * (docs/LANGUAGE.md 4.7): a clause as `not saml "dept" = "Fin", "Acc" or idp "okta"`.
 * Plain text into an hbuf (the caller escapes it for its medium); reads the model only. */
#ifndef BCPC_REPORT_POLICY_TEXT_H
#define BCPC_REPORT_POLICY_TEXT_H
#include "html.h"
#include "model.h"

/* A string as the language quotes it: "a \"b\" c:\\d". */
void policy_string(struct hbuf *out, const char *s);
/* One clause, without the closing semicolon. */
void policy_clause(struct hbuf *out, const struct m_clause *c);
/* A list of clauses joined by "; " (the user conditions of a profile's `when`). */
void policy_clauses(struct hbuf *out, const struct m_clause *c, uint32_t n);
/* A port set: "443, 8000-8099", or "none". */
void policy_ports(struct hbuf *out, const struct port_set *ps);
#endif
