/* zpa_translate.c - the tenant read from ZPA to the policy to write: the shared
 * helpers (names, the report, stable order) and the driver. The segments are
 * zpa_segments.c, the access policy zpa_rules.c. Translation never widens what ZPA
 * allows: what cannot be said exactly is left out of an allow rule or taken as holding
 * in a deny rule, and reported (docs/IMPORT.md, "Fail closed"). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zpa_int.h"

const char *zpa_keep(struct tr *x, const char *s)
{
	json_t *j = json_string(s ? s : "");
	if (!j)
		j = json_string("(invalid UTF-8)");
	json_array_append_new(x->o->strings, j);
	return json_string_value(j);
}

const char *zpa_keepf(struct tr *x, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return zpa_keep(x, buf);
}

/* Cuts at a UTF-8 character boundary at most max bytes in. */
static void cut_utf8(char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	s[max] = 0;
}

const char *zpa_unique_name(struct tr *x, json_t *names, const char *base, const char *id,
			    const char *kind)
{
	char clean[256], buf[320];

	snprintf(clean, sizeof clean, "%s", base ? base : "");
	for (char *p = clean; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	cut_utf8(clean, 200);
	if (!clean[0])
		snprintf(clean, sizeof clean, "ZPA %s %s", kind, id ? id : "without id");
	snprintf(buf, sizeof buf, "%s", clean);
	if (json_object_get(names, buf))
		snprintf(buf, sizeof buf, "%s (ZPA id %s)", clean, id ? id : "none");
	for (int i = 2; json_object_get(names, buf); i++)
		snprintf(buf, sizeof buf, "%s (ZPA id %s, %d)", clean, id ? id : "none", i);
	json_object_set_new(names, buf, json_true());
	return zpa_keep(x, buf);
}

static json_t *item(const char *kind, const char *id, const char *name)
{
	json_t *j = json_object();
	json_object_set_new(j, "kind", json_string(kind));
	json_object_set_new(j, "zpa_id", id ? json_string(id) : json_null());
	json_object_set_new(j, "name", name ? json_string(name) : json_null());
	return j;
}

void zpa_untranslated(struct tr *x, const char *kind, const char *id, const char *name,
		      const char *why, const char *effect)
{
	json_t *j = item(kind, id, name);
	json_object_set_new(j, "why", json_string(why));
	json_object_set_new(j, "effect", json_string(effect));
	json_array_append_new(x->o->untranslated, j);
}

void zpa_warning(struct tr *x, const char *kind, const char *id, const char *name,
		 const char *what)
{
	json_t *j = item(kind, id, name);
	json_object_set_new(j, "what", json_string(what));
	json_array_append_new(x->o->warnings, j);
}

/* Ids are decimal strings of up to 19 digits in real exports: shorter is smaller,
 * then byte order. Other ids (placeholders, UUIDs) sort the same way. */
static int id_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

static int item_cmp(const void *pa, const void *pb)
{
	const struct zpa_item *a = *(struct zpa_item *const *)pa;
	const struct zpa_item *b = *(struct zpa_item *const *)pb;
	if (a->id && b->id)
		return id_cmp(a->id, b->id);
	if (a->id || b->id)
		return a->id ? -1 : 1;
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

struct zpa_item **zpa_sorted(const struct zpa_set *s)
{
	struct zpa_item **v = malloc((s->n ? s->n : 1) * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		v[i] = &s->v[i];
	qsort(v, s->n, sizeof *v, item_cmp);
	return v;
}

/* A ZPA time unit as the language's duration letter, or NULL. */
static const char *unit_letter(const char *u)
{
	static const char *const units[][2] = { { "SECONDS", "s" }, { "MINUTES", "m" },
		{ "HOURS", "h" }, { "DAYS", "d" } };
	for (size_t i = 0; u && i < 4; i++)
		if (!strcmp(u, units[i][0]))
			return units[i][1];
	return NULL;
}

/* What the BC settings export holds, as comments: the rest of business_continuity
 * (controllers, SNI names) is not in it, and a block without them does not check. */
static void bc_comments(struct tr *x)
{
	const json_t *bc = x->t->bc;
	char b1[32], b2[32];
	const char *s;
	if (!bc)
		return;
	json_t *c = x->o->bc_comments;
	s = zpa_field(bc, "offlineDomain", b1);
	if (s && *s)
		json_array_append_new(c, json_sprintf("    domain \"%s\";", s));
	s = zpa_field(bc, "maxAllowedDownTime", b1);
	const char *u = unit_letter(zpa_field(bc, "maxAllowedDownTimeUnit", b2));
	if (s && u)
		json_array_append_new(c, json_sprintf("    enter_after %s%s;   # ZPA maxAllowedDownTime", s, u));
	if (zpa_bool(bc, "switchTimeEnabled", 0) == 1) {
		s = zpa_field(bc, "maxAllowedSwitchTime", b1);
		u = unit_letter(zpa_field(bc, "maxAllowedSwitchTimeUnit", b2));
		json_array_append_new(c, json_string("    exit_mode time_based;"));
		if (s && u)
			json_array_append_new(c, json_sprintf("    exit_after %s%s;   # ZPA maxAllowedSwitchTime", s, u));
	} else {
		zpa_warning(x, "business continuity settings", NULL, NULL,
			    "switchTimeEnabled is off: exit_mode and exit_after are left to the "
			    "language's defaults (time_based, 60m); set them if that is not meant");
	}
	if (zpa_bool(bc, "newUserSupport", 1) == 0)
		zpa_warning(x, "business continuity settings", NULL, NULL,
			    "newUserSupport is off: users who never enrolled cannot connect during an outage");
}

int zpa_translate(const struct zpa_tenant *t, struct zpa_out *o, struct zpa_err *e)
{
	struct tr x;
	int rc;

	memset(o, 0, sizeof *o);
	memset(&x, 0, sizeof x);
	x.t = t;
	x.o = o;
	x.e = e;
	o->inputs = json_array();
	o->untranslated = json_array();
	o->warnings = json_array();
	o->bc_comments = json_array();
	o->strings = json_array();
	x.group_names = json_object();
	x.segment_names = json_object();
	x.rule_names = json_object();
	x.group_by_id = json_object();
	x.segment_by_id = json_object();
	x.lost = json_object();
	x.lost_groups = json_object();
	x.posture_by_udid = json_object();
	x.network_by_nid = json_object();

	for (size_t i = 0; i < t->nfiles; i++) {
		const struct zpa_file *f = &t->files[i];
		json_t *in = json_object();
		json_object_set_new(in, "path", json_string(f->path));
		json_object_set_new(in, "sha256", json_string(f->sha256));
		json_object_set_new(in, "kind", json_string(zpa_kind_name(f->kind)));
		json_object_set_new(in, "objects", json_integer((json_int_t)f->count));
		json_array_append_new(o->inputs, in);
	}
	for (size_t i = 0; i < t->set[ZK_POSTURE].n; i++) {
		char b[32];
		const char *u = zpa_field(t->set[ZK_POSTURE].v[i].j, "postureUdid", b);
		if (u)
			json_object_set_new(x.posture_by_udid, u, json_integer((json_int_t)i));
	}
	for (size_t i = 0; i < t->set[ZK_NETWORK].n; i++) {
		char b[32];
		const char *u = zpa_field(t->set[ZK_NETWORK].v[i].j, "networkId", b);
		if (u)
			json_object_set_new(x.network_by_nid, u, json_integer((json_int_t)i));
	}
	bc_comments(&x);
	rc = zpa_translate_segments(&x);
	if (!rc)
		rc = zpa_translate_rules(&x);
	json_decref(x.group_names);
	json_decref(x.segment_names);
	json_decref(x.rule_names);
	json_decref(x.group_by_id);
	json_decref(x.segment_by_id);
	json_decref(x.lost);
	json_decref(x.lost_groups);
	json_decref(x.posture_by_udid);
	json_decref(x.network_by_nid);
	if (rc)
		zpa_out_free(o);   /* on failure the caller has nothing to free */
	return rc;
}

void zpa_out_free(struct zpa_out *o)
{
	for (size_t i = 0; i < o->nsegments; i++) {
		json_decref(o->segments[i].domains);
		json_decref(o->segments[i].addresses);
		json_decref(o->segments[i].tcp);
		json_decref(o->segments[i].udp);
	}
	for (size_t i = 0; i < o->nrules; i++) {
		json_decref(o->rules[i].clauses);
		json_decref(o->rules[i].comments);
	}
	free(o->groups);
	free(o->segments);
	free(o->rules);
	json_decref(o->inputs);
	json_decref(o->untranslated);
	json_decref(o->warnings);
	json_decref(o->bc_comments);
	json_decref(o->strings);
	memset(o, 0, sizeof *o);
}
