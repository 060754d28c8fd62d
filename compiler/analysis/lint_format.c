/* lint_format.c - a lint finding in the words `bcpc lint` uses, for every command
 * that shows findings (cmd_lint.c, the change-board report): its one-line text and
 * its JSON record. Formats only; the findings come from lint.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "lint.h"

const char *lint_severity_word(enum lint_kind k)
{
	return lint_kind_severity(k) ? "note" : "warning";
}

char *lint_finding_text(const struct lint_finding *f)
{
	const char *kind = lint_kind_name(f->kind);
	size_t n = strlen(f->message) + strlen(kind) + 4;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s [%s]", f->message, kind);
	return s;
}

json_t *lint_finding_json(const struct model *m, const struct lint_finding *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "kind", json_string(lint_kind_name(f->kind)));
	json_object_set_new(o, "severity", json_string(lint_severity_word(f->kind)));
	json_object_set_new(o, "file", f->loc.src ? json_string(f->loc.src->path) : json_null());
	json_object_set_new(o, "line", json_integer(f->loc.line));
	json_object_set_new(o, "col", json_integer(f->loc.col));
	json_object_set_new(o, "message", json_string(f->message));
	if (f->hint)
		json_object_set_new(o, "hint", json_string(f->hint));
	if (f->rule >= 0)
		json_object_set_new(o, "rule", json_string(m->rules[f->rule].name));
	if (f->segment >= 0)
		json_object_set_new(o, "segment", json_string(m->segments[f->segment].name));
	if (f->profile >= 0)
		json_object_set_new(o, "profile", json_string(m->profiles[f->profile].name));
	if (f->nothers) {
		json_t *a = json_array();
		for (uint32_t i = 0; i < f->nothers; i++)
			json_array_append_new(a, json_string(m->rules[f->others[i]].name));
		json_object_set_new(o, "earlier_rules", a);
	}
	return o;
}
