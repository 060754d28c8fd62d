/* zpa_write.c - the translated policy as .bcl text, and the report as JSON. The text
 * depends only on the translation (no time, no host, no memory address), so the same
 * export gives the same bytes. Names are quoted as the language's strings; comments
 * never hold a line break. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zpa.h"

struct out {
	char *p;
	size_t n, cap;
	int oom;
};

static void put(struct out *o, const char *s, size_t k)
{
	if (o->oom)
		return;
	if (o->n + k + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		while (cap < o->n + k + 1)
			cap *= 2;
		char *np = realloc(o->p, cap);
		if (!np) {
			o->oom = 1;
			return;
		}
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->n, s, k);
	o->n += k;
	o->p[o->n] = 0;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void quoted(struct out *o, const char *s)
{
	puts_(o, "\"");
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			puts_(o, "\\");
		put(o, p, 1);
	}
	puts_(o, "\"");
}

/* A comment's text: control bytes become spaces, so it stays on its line. */
static void comment(struct out *o, const char *indent, const char *s)
{
	puts_(o, indent);
	puts_(o, "# ");
	for (const char *p = s; *p; p++) {
		char c = ((unsigned char)*p < 0x20 || *p == 0x7f) ? ' ' : *p;
		put(o, &c, 1);
	}
	puts_(o, "\n");
}

static void strings(struct out *o, const char *key, json_t *a)
{
	size_t i;
	json_t *v;
	if (json_array_size(a) == 0)
		return;
	puts_(o, "    ");
	puts_(o, key);
	json_array_foreach(a, i, v) {
		puts_(o, i ? ", " : " ");
		quoted(o, json_string_value(v));
	}
	puts_(o, ";\n");
}

static void ports(struct out *o, const char *key, json_t *a)
{
	size_t i;
	json_t *v;
	char buf[32];
	if (json_array_size(a) == 0)
		return;
	puts_(o, "    ");
	puts_(o, key);
	json_array_foreach(a, i, v) {
		json_int_t lo = json_integer_value(json_array_get(v, 0));
		json_int_t hi = json_integer_value(json_array_get(v, 1));
		if (lo == hi)
			snprintf(buf, sizeof buf, "%s%lld", i ? ", " : " ", (long long)lo);
		else
			snprintf(buf, sizeof buf, "%s%lld-%lld", i ? ", " : " ", (long long)lo,
				 (long long)hi);
		puts_(o, buf);
	}
	puts_(o, ";\n");
}

static void addresses(struct out *o, json_t *a)
{
	size_t i;
	json_t *v;
	if (json_array_size(a) == 0)
		return;
	puts_(o, "    addresses");
	json_array_foreach(a, i, v) {
		puts_(o, i ? ", " : " ");
		puts_(o, json_string_value(v));
	}
	puts_(o, ";\n");
}

static void segment(struct out *o, const struct zpa_out_segment *s)
{
	puts_(o, "\n");
	if (s->note)
		comment(o, "", s->note);
	puts_(o, "segment ");
	quoted(o, s->name);
	puts_(o, " {");
	if (s->id) {
		puts_(o, "   # ZPA id ");
		puts_(o, s->id);
	}
	puts_(o, "\n    group ");
	quoted(o, s->group);
	puts_(o, ";\n");
	strings(o, "domains", s->domains);
	addresses(o, s->addresses);
	ports(o, "tcp", s->tcp);
	ports(o, "udp", s->udp);
	if (s->inclusive)
		puts_(o, "    match inclusive;\n");
	if (strcmp(s->bypass, "never")) {
		puts_(o, "    bypass ");
		puts_(o, s->bypass);
		puts_(o, ";\n");
	}
	puts_(o, "}\n");
}

static void rule(struct out *o, const struct zpa_out_rule *r)
{
	size_t i;
	json_t *v;
	puts_(o, "\n");
	json_array_foreach(r->comments, i, v)
		comment(o, "    ", json_string_value(v));
	if (!r->name)
		return;
	puts_(o, "    rule ");
	quoted(o, r->name);
	puts_(o, r->allow ? " allow {" : " deny {");
	if (json_array_size(r->clauses) == 0) {
		puts_(o, " }\n");
		return;
	}
	puts_(o, "\n");
	json_array_foreach(r->clauses, i, v) {
		puts_(o, "        ");
		puts_(o, json_string_value(v));
		puts_(o, ";\n");
	}
	puts_(o, "    }\n");
}

char *zpa_write_bcl(const struct zpa_out *z, size_t *len)
{
	struct out o = { 0 };
	char buf[512];
	size_t i;
	json_t *v;

	puts_(&o, "# Imported from ZPA by `bcpc import zpa` (docs/IMPORT.md). Import again rather\n"
		  "# than edit: the next import replaces this file.\n#\n# Inputs (SHA-256, path):\n");
	json_array_foreach(z->inputs, i, v) {
		snprintf(buf, sizeof buf, "  %s  %s",
			 json_string_value(json_object_get(v, "sha256")),
			 json_string_value(json_object_get(v, "path")));
		comment(&o, "", buf);
	}
	size_t kept = 0;
	for (i = 0; i < z->nrules; i++)
		kept += z->rules[i].name != NULL;
	snprintf(buf, sizeof buf,
		 "#\n# %zu segment groups, %zu segments, %zu rules; %zu item(s) not translated, "
		 "%zu warning(s): see the report (--report).\n",
		 z->ngroups, z->nsegments, kept, json_array_size(z->untranslated),
		 json_array_size(z->warnings));
	puts_(&o, buf);
	if (z->bc_block) {
		puts_(&o, "\nbusiness_continuity {\n");
		json_array_foreach(z->bc_comments, i, v) {
			puts_(&o, json_string_value(v));
			puts_(&o, "\n");
		}
		puts_(&o, "}\n");
	} else if (json_array_size(z->bc_comments)) {
		puts_(&o, "#\n# The business continuity settings export holds the following; controllers\n"
			  "# and SNI names are not in it: give them with --controller and --sni, or write\n"
			  "# business_continuity in a .bcl of your own:\n");
		json_array_foreach(z->bc_comments, i, v)
			comment(&o, "", json_string_value(v));
	}
	puts_(&o, "\n");
	for (i = 0; i < z->ngroups; i++) {
		puts_(&o, "segment_group ");
		quoted(&o, z->groups[i].name);
		puts_(&o, ";");
		if (z->groups[i].id) {
			puts_(&o, "   # ZPA id ");
			puts_(&o, z->groups[i].id);
		}
		puts_(&o, "\n");
	}
	for (i = 0; i < z->nsegments; i++)
		segment(&o, &z->segments[i]);
	puts_(&o, "\naccess_policy {");
	if (z->nrules == 0)
		puts_(&o, "\n    # No rule: ZPA denies every request that reaches a segment.\n");
	for (i = 0; i < z->nrules; i++)
		rule(&o, &z->rules[i]);
	puts_(&o, "}\n");
	if (o.oom) {
		free(o.p);
		return NULL;
	}
	*len = o.n;
	return o.p;
}

json_t *zpa_report(const struct zpa_out *z, int exit_status)
{
	size_t kept = 0, allow = 0;
	for (size_t i = 0; i < z->nrules; i++)
		if (z->rules[i].name) {
			kept++;
			allow += z->rules[i].allow;
		}
	return json_pack("{s:s, s:i, s:O, s:{s:I, s:I, s:I, s:I, s:I}, s:O, s:O}",
			 "tool", "bcpc import zpa",
			 "exit_status", exit_status,
			 "inputs", z->inputs,
			 "output", "segment_groups", (json_int_t)z->ngroups,
			 "segments", (json_int_t)z->nsegments, "rules", (json_int_t)kept,
			 "allow_rules", (json_int_t)allow, "deny_rules", (json_int_t)(kept - allow),
			 "untranslated", z->untranslated,
			 "warnings", z->warnings);
}
