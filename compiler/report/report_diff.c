/* report_diff.c - the report's diff section, drawn from the JSON that `bcpc diff
 * --json` prints:
 *   { "old": SIDE, "new": SIDE, "structural": [CHANGE...], "decision_changes": N,
 *     "classes": [CLASS...], "undecided": [{"pattern","proto","ports","why"}...] }
 *   SIDE   {"kind":"blob"|"source","files":[..],"tenant","serial","sha256",
 *           "not_before","not_after","signer"}
 *   CHANGE {"object","change","name","old_name"?,"fields":[{"field","old","new"}]}
 *   CLASS  {"pattern","proto","ports","user","old":{"verdict","segment","rule"},
 *           "new":{..},"witness":{"request","user":{..}}}
 * The document is data from another program: every member is looked up, any may be
 * missing or of another type, and every value is shown as escaped text. */
#include "report.h"
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

/* A value as text: a string as it is, null as "none", anything else as compact JSON. */
static void value_text(struct hbuf *h, const json_t *v)
{
	if (!v || json_is_null(v)) {
		hb_raw(h, "<span class=\"muted\">none</span>");
		return;
	}
	if (json_is_string(v)) {
		hb_text(h, json_string_value(v));
		return;
	}
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	hb_text(h, s ? s : "?");
	free(s);
}

static void member(struct hbuf *h, const json_t *o, const char *key)
{
	value_text(h, json_object_get(o, key));
}

/* A side's value: its files one per line, anything else as value_text. */
static void side_value(struct hbuf *h, const json_t *side, const char *key)
{
	const json_t *v = json_object_get(side, key), *e;
	size_t i;
	if (strcmp(key, "files") || !json_is_array(v)) {
		value_text(h, v);
		return;
	}
	json_array_foreach(v, i, e) {
		hb_raw(h, i ? "<br>" : "");
		value_text(h, e);
	}
}

static void side_row(struct hbuf *h, const char *label, const json_t *old, const json_t *new,
		     const char *key)
{
	hb_printf(h, "<tr><th scope=\"row\">%s</th><td>", label);
	side_value(h, old, key);
	hb_raw(h, "</td><td>");
	side_value(h, new, key);
	hb_raw(h, "</td></tr>\n");
}

static void sides(struct hbuf *h, const json_t *d)
{
	const json_t *o = json_object_get(d, "old"), *n = json_object_get(d, "new");
	static const char *const rows[][2] = {
		{ "Kind", "kind" }, { "Files", "files" }, { "Tenant", "tenant" },
		{ "Serial", "serial" }, { "SHA-256", "sha256" }, { "Valid from", "not_before" },
		{ "Valid until", "not_after" }, { "Signer", "signer" },
	};
	hb_raw(h, "<table class=\"kv\" id=\"diff-sides\"><thead><tr><th></th><th>Previous</th>"
		  "<th>This version</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
		side_row(h, rows[i][0], o, n, rows[i][1]);
	hb_raw(h, "</tbody></table>\n");
}

static void fields(struct hbuf *h, const json_t *list)
{
	size_t i;
	const json_t *f;
	hb_raw(h, "<ul class=\"clauses\">");
	json_array_foreach(list, i, f) {
		hb_raw(h, "<li><code>");
		member(h, f, "field");
		hb_raw(h, "</code>: ");
		member(h, f, "old");
		hb_raw(h, " &rarr; ");
		member(h, f, "new");
		hb_raw(h, "</li>");
	}
	hb_raw(h, "</ul>");
}

static void structural(struct hbuf *h, const json_t *list)
{
	size_t i;
	const json_t *c;
	hb_printf(h, "<h3>Structure</h3>\n");
	if (!json_array_size(list)) {
		hb_raw(h, "<p id=\"diff-no-structural\">No structural change.</p>\n");
		return;
	}
	hb_raw(h, "<table id=\"diff-structural\" data-sortable><thead><tr><th>Object</th>"
		  "<th>Change</th><th>Name</th><th>Fields</th></tr></thead>\n<tbody>\n");
	json_array_foreach(list, i, c) {
		hb_raw(h, "<tr><td>");
		member(h, c, "object");
		hb_raw(h, "</td><td>");
		member(h, c, "change");
		hb_raw(h, "</td><td>");
		if (json_object_get(c, "old_name")) {
			member(h, c, "old_name");
			hb_raw(h, " &rarr; ");
		}
		member(h, c, "name");
		hb_raw(h, "</td><td>");
		fields(h, json_object_get(c, "fields"));
		hb_raw(h, "</td></tr>\n");
	}
	hb_raw(h, "</tbody></table>\n");
}

/* "allow, segment S, rule R" */
static void decision(struct hbuf *h, const json_t *d)
{
	const char *v = json_string_value(json_object_get(d, "verdict"));
	hb_printf(h, "<td><span class=\"%s\">", v && !strcmp(v, "allow") ? "allow" : "deny");
	member(h, d, "verdict");
	hb_raw(h, "</span><br>segment ");
	member(h, d, "segment");
	hb_raw(h, "<br>rule ");
	member(h, d, "rule");
	hb_raw(h, "</td>");
}

static void class_row(struct hbuf *h, const json_t *c)
{
	const json_t *w = json_object_get(c, "witness");
	hb_raw(h, "<tr><td><code>");
	member(h, c, "pattern");
	hb_raw(h, "</code></td><td>");
	member(h, c, "proto");
	hb_raw(h, " ");
	member(h, c, "ports");
	hb_raw(h, "</td><td><code>");
	member(h, c, "user");
	hb_raw(h, "</code></td>");
	decision(h, json_object_get(c, "old"));
	decision(h, json_object_get(c, "new"));
	hb_raw(h, "<td><code>");
	member(h, w, "request");
	hb_raw(h, "</code><br>user <code>");
	member(h, w, "user");
	hb_raw(h, "</code></td></tr>\n");
}

static void classes(struct hbuf *h, const json_t *d)
{
	const json_t *list = json_object_get(d, "classes"), *c;
	const json_t *n = json_object_get(d, "decision_changes");
	size_t i;
	hb_raw(h, "<h3>Decisions</h3>\n");
	if (json_is_integer(n) && json_integer_value(n) == 0 && !json_array_size(list)) {
		hb_raw(h, "<p id=\"diff-no-decision-changes\" class=\"pass\">No decision changes: "
			  "every request gets the same answer as before.</p>\n");
		return;
	}
	hb_raw(h, "<p id=\"diff-decision-changes\">");
	value_text(h, n);
	hb_raw(h, " classes of requests change their decision. Each witness was decided "
		  "through both blobs.</p>\n");
	hb_raw(h, "<table id=\"diff-classes\" data-sortable><thead><tr><th>Host or address</th>"
		  "<th>Ports</th><th>Users</th><th>Before</th><th>After</th><th>Witness</th></tr>"
		  "</thead>\n<tbody>\n");
	json_array_foreach(list, i, c)
		class_row(h, c);
	hb_raw(h, "</tbody></table>\n");
}

static void undecided(struct hbuf *h, const json_t *list)
{
	size_t i;
	const json_t *u;
	if (!json_array_size(list))
		return;
	hb_raw(h, "<h3>Not decided</h3>\n<p class=\"banner bad\">These requests could not be "
		  "compared exactly: review them by hand.</p>\n<ul id=\"diff-undecided\">");
	json_array_foreach(list, i, u) {
		hb_raw(h, "<li><code>");
		member(h, u, "pattern");
		hb_raw(h, " ");
		member(h, u, "proto");
		hb_raw(h, " ");
		member(h, u, "ports");
		hb_raw(h, "</code>: ");
		member(h, u, "why");
		hb_raw(h, "</li>");
	}
	hb_raw(h, "</ul>\n");
}

void report_diff(struct hbuf *h, const json_t *diff)
{
	hb_raw(h, "<section id=\"diff\"><h2>Changes since the previous version</h2>\n");
	if (!json_is_object(diff)) {
		hb_raw(h, "<p class=\"banner bad\">The diff could not be read.</p></section>\n");
		return;
	}
	sides(h, diff);
	structural(h, json_object_get(diff, "structural"));
	classes(h, diff);
	undecided(h, json_object_get(diff, "undecided"));
	hb_raw(h, "</section>\n");
}
