/* diff_struct.c - the structural part of bcpc diff (diff.h): which object of the
 * old policy is which of the new (by name, else a rename: the same content under
 * another name), and the records of what was added, removed, renamed, moved or
 * changed, field by field. Clauses are compared in the policy's words. */
#include "diff.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strmap.h"
#include "reference.h"
#include "diff_int.h"

/* ---- the policy's words (policy_text.h) ---- */

/* The clauses of a list (users 1: user clauses only, 2: app clauses only, 0: all),
 * joined by sep. */
static void put_clauses(struct ptext *t, const struct model *m, const struct m_clause *c,
			uint32_t n, int which, const char *sep)
{
	int first = 1;
	for (uint32_t i = 0; i < n; i++) {
		if ((which == 1 && c[i].app) || (which == 2 && !c[i].app))
			continue;
		if (!first)
			pt_put(t, sep);
		first = 0;
		pt_clause(t, m, &c[i], 0, 0);
	}
}

void dt_user_clauses(struct ptext *t, const struct model *m, const struct m_clause *c,
		     uint32_t n)
{
	int first = 1;
	for (uint32_t i = 0; i < n; i++) {
		if (c[i].app)
			continue;
		if (!first)
			pt_put(t, " and ");
		first = 0;
		pt_clause(t, m, &c[i], 0, 1);
	}
}

uint32_t dt_nuser(const struct m_clause *c, uint32_t n)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++)
		k += !c[i].app;
	return k;
}

/* A malloc'd text of clauses (which as in put_clauses), or NULL. */
static char *clauses_text(const struct model *m, const struct m_clause *c, uint32_t n, int which)
{
	struct ptext t = { 0 };
	pt_put(&t, "");
	put_clauses(&t, m, c, n, which, "; ");
	if (t.failed) {
		free(t.p);
		return NULL;
	}
	return t.p;
}

/* ---- pairing the objects ---- */

static int same_set(const char *const *a, uint32_t na, const char *const *b, uint32_t nb)
{
	if (na != nb)
		return 0;
	for (uint32_t i = 0; i < na; i++) {
		uint32_t j = 0;
		while (j < nb && strcmp(a[i], b[j]))
			j++;
		if (j == nb)
			return 0;
	}
	return 1;
}

static int same_ports(const struct port_set *a, const struct port_set *b)
{
	if (a->n != b->n)
		return 0;
	for (uint32_t i = 0; i < a->n; i++)
		if (a->r[i].lo != b->r[i].lo || a->r[i].hi != b->r[i].hi)
			return 0;
	return 1;
}

static const char **host_names(const struct m_segment *s)
{
	const char **v = malloc((s->nhosts + 1) * sizeof *v);
	for (uint32_t i = 0; v && i < s->nhosts; i++)
		v[i] = s->hosts[i].name;
	return v;
}

int dt_same_hosts(const struct m_segment *a, const struct m_segment *b)
{
	const char **x = host_names(a), **y = host_names(b);
	int same = x && y && same_set(x, a->nhosts, y, b->nhosts);
	free(x);
	free(y);
	return same;
}

int dt_same_addrs(const struct m_segment *a, const struct m_segment *b)
{
	if (a->naddrs != b->naddrs)
		return 0;
	for (uint32_t i = 0; i < a->naddrs; i++) {
		uint32_t j = 0;
		while (j < b->naddrs && !prefix_equal(&a->addrs[i].p, &b->addrs[j].p))
			j++;
		if (j == b->naddrs)
			return 0;
	}
	return 1;
}

static int has_group(const struct model *m, const char *name)
{
	for (uint32_t g = 0; g < m->ngroups; g++)
		if (!strcmp(m->groups[g].name, name))
			return 1;
	return 0;
}

/* The same group, or two groups each only on its side (renamed, perhaps: groups()
 * says so when their segments are the same). */
static int same_group(const struct model *mo, uint32_t a, const struct model *mn, uint32_t b)
{
	const char *x = mo->groups[a].name, *y = mn->groups[b].name;
	return !strcmp(x, y) || (!has_group(mn, x) && !has_group(mo, y));
}

/* Same content, names aside. */
static int same_segment(const struct model *mo, const struct m_segment *a, const struct model *mn,
			const struct m_segment *b)
{
	return a->enabled == b->enabled && a->match == b->match && a->bypass == b->bypass &&
	       same_group(mo, a->group, mn, b->group) &&
	       same_ports(&a->ports[0], &b->ports[0]) && same_ports(&a->ports[1], &b->ports[1]) &&
	       dt_same_hosts(a, b) && dt_same_addrs(a, b);
}

/* The index of each name of one list in another, -1 when absent. */
static int match_names(const char *const *a, uint32_t na, const char *const *b, uint32_t nb,
		       int32_t *a2b, int32_t *b2a)
{
	struct arena ar;
	struct strmap map;
	arena_init(&ar, NULL);
	strmap_init(&map, &ar);
	for (uint32_t j = 0; j < nb; j++)
		strmap_put(&map, b[j], j);
	for (uint32_t j = 0; j < nb; j++)
		b2a[j] = -1;
	for (uint32_t i = 0; i < na; i++) {
		uint32_t j = strmap_get(&map, a[i]);
		a2b[i] = j == STRMAP_NONE ? -1 : (int32_t)j;
		if (a2b[i] >= 0)
			b2a[j] = (int32_t)i;
	}
	int failed = ar.failed;
	arena_free(&ar);
	return failed ? -1 : 0;
}

#define NAMES(arr, n, field, out) \
	do { \
		out = malloc(((n) + 1) * sizeof *out); \
		for (uint32_t i_ = 0; out && i_ < (n); i_++) \
			out[i_] = (arr)[i_].field; \
	} while (0)

static int pair_segments(const struct model *o, const struct model *n, struct df_maps *mp)
{
	const char **a, **b;
	NAMES(o->segments, o->nsegments, name, a);
	NAMES(n->segments, n->nsegments, name, b);
	int rc = a && b ? match_names(a, o->nsegments, b, n->nsegments, mp->seg_new, mp->seg_old) : -1;
	free(a);
	free(b);
	for (uint32_t i = 0; rc == 0 && i < o->nsegments; i++)
		for (uint32_t j = 0; mp->seg_new[i] < 0 && j < n->nsegments; j++)
			if (mp->seg_old[j] < 0 &&
			    same_segment(o, &o->segments[i], n, &n->segments[j])) {
				mp->seg_new[i] = (int32_t)j, mp->seg_old[j] = (int32_t)i;
				mp->seg_renamed[i] = 1;
			}
	return rc;
}

static int same_rule(const struct model *o, const struct m_rule *a, const struct model *n,
		     const struct m_rule *b, const struct df_maps *mp)
{
	(void)mp;
	if (a->allow != b->allow || a->nclauses != b->nclauses)
		return 0;
	char *x = clauses_text(o, a->clauses, a->nclauses, 0), *y = clauses_text(n, b->clauses, b->nclauses, 0);
	int same = x && y && !strcmp(x, y);
	free(x);
	free(y);
	return same;
}

static int pair_rules(const struct model *o, const struct model *n, struct df_maps *mp)
{
	const char **a, **b;
	NAMES(o->rules, o->nrules, name, a);
	NAMES(n->rules, n->nrules, name, b);
	int rc = a && b ? match_names(a, o->nrules, b, n->nrules, mp->rule_new, mp->rule_old) : -1;
	free(a);
	free(b);
	for (uint32_t i = 0; rc == 0 && i < o->nrules; i++)
		for (uint32_t j = 0; mp->rule_new[i] < 0 && j < n->nrules; j++)
			if (mp->rule_old[j] < 0 && same_rule(o, &o->rules[i], n, &n->rules[j], mp)) {
				mp->rule_new[i] = (int32_t)j, mp->rule_old[j] = (int32_t)i;
				mp->rule_renamed[i] = 1;
			}
	return rc;
}

int diff_maps(const struct model *o, const struct model *n, struct arena *a, struct df_maps *mp)
{
	mp->seg_new = arena_array(a, o->nsegments + 1, sizeof *mp->seg_new);
	mp->seg_old = arena_array(a, n->nsegments + 1, sizeof *mp->seg_old);
	mp->rule_new = arena_array(a, o->nrules + 1, sizeof *mp->rule_new);
	mp->rule_old = arena_array(a, n->nrules + 1, sizeof *mp->rule_old);
	mp->prof_new = arena_array(a, o->nprofiles + 1, sizeof *mp->prof_new);
	mp->seg_renamed = arena_array(a, o->nsegments + 1, 1);
	mp->rule_renamed = arena_array(a, o->nrules + 1, 1);
	if (a->failed)
		return -1;
	memset(mp->seg_renamed, 0, o->nsegments + 1);
	memset(mp->rule_renamed, 0, o->nrules + 1);
	for (uint32_t i = 0; i < o->nprofiles; i++) {
		mp->prof_new[i] = -1;
		for (uint32_t j = 0; j < n->nprofiles; j++)
			if (!strcmp(o->profiles[i].name, n->profiles[j].name))
				mp->prof_new[i] = (int32_t)j;
	}
	return pair_segments(o, n, mp) || pair_rules(o, n, mp) ? -1 : 0;
}

/* ---- the records ---- */

static json_t *record(json_t *list, const char *object, const char *change, const char *name)
{
	json_t *o = json_object();
	json_object_set_new(o, "object", json_string(object));
	json_object_set_new(o, "change", json_string(change));
	json_object_set_new(o, "name", name ? json_string(name) : json_null());
	json_array_append_new(list, o);
	return o;
}

/* Adds {field, old, new} to the record's fields when old and new differ (by their
 * JSON); takes both references. */
static void field(json_t *fields, const char *name, json_t *old, json_t *nw)
{
	if (json_equal(old, nw)) {
		json_decref(old);
		json_decref(nw);
		return;
	}
	json_t *f = json_object();
	json_object_set_new(f, "field", json_string(name));
	json_object_set_new(f, "old", old);
	json_object_set_new(f, "new", nw);
	json_array_append_new(fields, f);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *ports_json(const struct port_set *ps)
{
	char buf[16];
	json_t *a = json_array();
	for (uint32_t i = 0; i < ps->n; i++) {
		if (ps->r[i].lo == ps->r[i].hi)
			snprintf(buf, sizeof buf, "%u", ps->r[i].lo);
		else
			snprintf(buf, sizeof buf, "%u-%u", ps->r[i].lo, ps->r[i].hi);
		json_array_append_new(a, json_string(buf));
	}
	return a;
}

static json_t *hosts_json(const struct m_segment *s)
{
	json_t *a = json_array();
	for (uint32_t i = 0; i < s->nhosts; i++)
		json_array_append_new(a, json_string(s->hosts[i].name));
	return a;
}

static json_t *addrs_json(const struct m_segment *s)
{
	char text[64];
	json_t *a = json_array();
	for (uint32_t i = 0; i < s->naddrs; i++)
		json_array_append_new(a, json_string(prefix_format(&s->addrs[i].p, text)));
	return a;
}

static const char *const match_names_[] = { "exclusive", "inclusive" };
static const char *const bypass_names[] = { "never", "always", "on_net" };

static void segment_fields(json_t *f, const struct model *o, const struct m_segment *a,
			   const struct model *n, const struct m_segment *b)
{
	field(f, "group", json_string(o->groups[a->group].name), json_string(n->groups[b->group].name));
	if (!dt_same_hosts(a, b))
		field(f, "domains", hosts_json(a), hosts_json(b));
	if (!dt_same_addrs(a, b))
		field(f, "addresses", addrs_json(a), addrs_json(b));
	field(f, "tcp", ports_json(&a->ports[0]), ports_json(&b->ports[0]));
	field(f, "udp", ports_json(&a->ports[1]), ports_json(&b->ports[1]));
	field(f, "match", json_string(match_names_[a->match]), json_string(match_names_[b->match]));
	field(f, "bypass", json_string(bypass_names[a->bypass]), json_string(bypass_names[b->bypass]));
	field(f, "enabled", json_boolean(a->enabled), json_boolean(b->enabled));
}

/* One record per object: added, removed, renamed (with its other changes) or
 * changed. kind names the object; fill writes the fields of a pair. */
static void segments(json_t *out, const struct model *o, const struct model *n,
		     const struct df_maps *mp, int by_meaning)
{
	for (uint32_t i = 0; i < o->nsegments; i++) {
		int32_t j = mp->seg_new[i];
		if (j < 0) {
			if (!by_meaning || o->segments[i].enabled)
				record(out, "segment", "removed", o->segments[i].name);
			continue;
		}
		json_t *f = json_array();
		segment_fields(f, o, &o->segments[i], n, &n->segments[j]);
		if (mp->seg_renamed[i] || json_array_size(f)) {
			json_t *r = record(out, "segment", mp->seg_renamed[i] ? "renamed" : "changed",
					   n->segments[j].name);
			if (mp->seg_renamed[i])
				json_object_set_new(r, "old_name", json_string(o->segments[i].name));
			json_object_set_new(r, "fields", f);
		} else {
			json_decref(f);
		}
	}
	for (uint32_t j = 0; j < n->nsegments; j++)
		if (mp->seg_old[j] < 0 && (!by_meaning || n->segments[j].enabled))
			record(out, "segment", "added", n->segments[j].name);
}

static int32_t group_named(const struct model *m, const char *name)
{
	for (uint32_t g = 0; g < m->ngroups; g++)
		if (!strcmp(m->groups[g].name, name))
			return (int32_t)g;
	return -1;
}

/* Old group g and new group h hold the same segments (paired by the maps), some. */
static int same_members(const struct model *o, uint32_t g, const struct model *n, uint32_t h,
			const struct df_maps *mp)
{
	uint32_t count = 0;
	for (uint32_t s = 0; s < o->nsegments; s++) {
		if (o->segments[s].group != g)
			continue;
		int32_t t = mp->seg_new[s];
		if (t < 0 || n->segments[t].group != h)
			return 0;
		count++;
	}
	for (uint32_t t = 0; t < n->nsegments; t++)
		count -= n->segments[t].group == h;
	return count == 0 && o->nsegments > 0;
}

/* A group gone and one come with the same segments: a rename. */
static void groups(json_t *out, const struct model *o, const struct model *n,
		   const struct df_maps *mp)
{
	uint8_t *taken = calloc(n->ngroups + 1, 1);
	for (uint32_t g = 0; taken && g < o->ngroups; g++) {
		if (group_named(n, o->groups[g].name) >= 0)
			continue;
		uint32_t h = 0;
		while (h < n->ngroups && (taken[h] || group_named(o, n->groups[h].name) >= 0 ||
					  !same_members(o, g, n, h, mp)))
			h++;
		if (h == n->ngroups) {
			record(out, "group", "removed", o->groups[g].name);
			continue;
		}
		taken[h] = 1;
		json_object_set_new(record(out, "group", "renamed", n->groups[h].name), "old_name",
				    json_string(o->groups[g].name));
	}
	for (uint32_t h = 0; taken && h < n->ngroups; h++)
		if (!taken[h] && group_named(o, n->groups[h].name) < 0)
			record(out, "group", "added", n->groups[h].name);
	free(taken);
}

static json_t *text_json(char *t)
{
	json_t *j = t ? json_string(t) : json_null();
	free(t);
	return j;
}

/* The enabled segments a rule applies to, by name, in model order. */
static json_t *applies_json(const struct model *m, uint32_t r)
{
	json_t *a = json_array();
	for (uint32_t s = 0; s < m->nsegments; s++)
		if (m->segments[s].enabled && ref_rule_applies(m, r, s))
			json_array_append_new(a, json_string(m->segments[s].name));
	return a;
}

/* by_meaning: the app clauses as the segments they select (a blob keeps no other
 * spelling of them). */
static void rule_fields(json_t *f, const struct model *o, uint32_t ra, const struct model *n,
			uint32_t rb, int by_meaning)
{
	const struct m_rule *a = &o->rules[ra], *b = &n->rules[rb];
	field(f, "action", json_string(a->allow ? "allow" : "deny"),
	      json_string(b->allow ? "allow" : "deny"));
	if (by_meaning)
		field(f, "applies_to", applies_json(o, ra), applies_json(n, rb));
	else
		field(f, "app_clauses", text_json(clauses_text(o, a->clauses, a->nclauses, 2)),
		      text_json(clauses_text(n, b->clauses, b->nclauses, 2)));
	field(f, "user_clauses", text_json(clauses_text(o, a->clauses, a->nclauses, 1)),
	      text_json(clauses_text(n, b->clauses, b->nclauses, 1)));
}

/* The rules kept in both whose order changed: those off a longest run of kept
 * rules in the same order (a longest increasing subsequence of new positions). */
static uint8_t *moved_rules(const struct model *o, const struct df_maps *mp)
{
	uint32_t n = 0, *pos = malloc((o->nrules + 1) * sizeof *pos);
	uint32_t *idx = malloc((o->nrules + 1) * sizeof *idx), *tail = malloc((o->nrules + 1) * sizeof *tail);
	int32_t *prev = malloc((o->nrules + 1) * sizeof *prev);
	uint8_t *moved = calloc(o->nrules + 1, 1);
	uint32_t len = 0;
	if (!pos || !idx || !tail || !prev || !moved)
		goto out;
	for (uint32_t i = 0; i < o->nrules; i++)
		if (mp->rule_new[i] >= 0)
			pos[n] = (uint32_t)mp->rule_new[i], idx[n++] = i;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t lo = 0, hi = len;
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			if (pos[tail[mid]] < pos[k])
				lo = mid + 1;
			else
				hi = mid;
		}
		prev[k] = lo ? (int32_t)tail[lo - 1] : -1;
		tail[lo] = k;
		len += lo == len;
	}
	for (uint32_t k = 0; k < n; k++)
		moved[idx[k]] = 1;
	for (int32_t k = len ? (int32_t)tail[len - 1] : -1; k >= 0; k = prev[k])
		moved[idx[k]] = 0;
out:
	free(pos), free(idx), free(tail), free(prev);
	return moved;
}

static void rules(json_t *out, const struct model *o, const struct model *n,
		  const struct df_maps *mp, int by_meaning)
{
	uint8_t *moved = moved_rules(o, mp);
	for (uint32_t i = 0; i < o->nrules; i++) {
		int32_t j = mp->rule_new[i];
		if (j < 0) {
			record(out, "rule", "removed", o->rules[i].name);
			continue;
		}
		json_t *f = json_array();
		rule_fields(f, o, i, n, (uint32_t)j, by_meaning);
		if (moved && moved[i])
			field(f, "position", json_integer(i + 1), json_integer(j + 1));
		const char *change = mp->rule_renamed[i] ? "renamed" : moved && moved[i] ? "moved" :
				     json_array_size(f) ? "changed" : NULL;
		if (!change) {
			json_decref(f);
			continue;
		}
		json_t *r = record(out, "rule", change, n->rules[j].name);
		if (mp->rule_renamed[i])
			json_object_set_new(r, "old_name", json_string(o->rules[i].name));
		json_object_set_new(r, "fields", f);
	}
	for (uint32_t j = 0; j < n->nrules; j++)
		if (mp->rule_old[j] < 0)
			record(out, "rule", "added", n->rules[j].name);
	free(moved);
}

static json_t *setting_json(const struct m_setting *s)
{
	switch (s->kind) {
	case SET_STRING:
		return json_string(s->s);
	case SET_BOOL:
		return json_boolean(s->n);
	case SET_LIST: {
		json_t *a = json_array();
		for (uint32_t i = 0; i < s->nlist; i++)
			json_array_append_new(a, json_string(s->list[i]));
		return a;
	}
	default:
		return json_integer((json_int_t)s->n);
	}
}

static json_t *settings_json(const struct m_profile *p)
{
	json_t *o = json_object();
	for (uint32_t i = 0; i < p->nsettings; i++)
		json_object_set_new(o, p->settings[i].key, setting_json(&p->settings[i]));
	return o;
}

static void profile_fields(json_t *f, const struct model *o, uint32_t i, const struct model *n,
			   uint32_t j)
{
	const struct m_profile *a = &o->profiles[i], *b = &n->profiles[j];
	field(f, "when", text_json(clauses_text(o, a->when, a->nwhen, 0)),
	      text_json(clauses_text(n, b->when, b->nwhen, 0)));
	field(f, "settings", settings_json(a), settings_json(b));
	field(f, "position", json_integer(i + 1), json_integer(j + 1));
}

/* The new profile of old profile i: by name, else one no old profile has by name
 * whose conditions and settings are the same (a rename, *renamed set). */
static int32_t profile_pair(const struct model *o, uint32_t i, const struct model *n,
			    const struct df_maps *mp, const uint8_t *taken, int *renamed)
{
	*renamed = 0;
	if (mp->prof_new[i] >= 0)
		return mp->prof_new[i];
	for (uint32_t j = 0; j < n->nprofiles; j++) {
		json_t *f = json_array();
		if (!taken[j])
			profile_fields(f, o, i, n, j);
		int same = !taken[j] && json_array_size(f) <= 1;   /* the position may differ */
		json_decref(f);
		if (same) {
			*renamed = 1;
			return (int32_t)j;
		}
	}
	return -1;
}

static void profiles(json_t *out, const struct model *o, const struct model *n,
		     const struct df_maps *mp)
{
	uint8_t *taken = calloc(n->nprofiles + 1, 1);
	for (uint32_t i = 0; taken && i < o->nprofiles; i++)
		if (mp->prof_new[i] >= 0)
			taken[mp->prof_new[i]] = 1;
	for (uint32_t i = 0; taken && i < o->nprofiles; i++) {
		int renamed;
		int32_t j = profile_pair(o, i, n, mp, taken, &renamed);
		if (j < 0) {
			record(out, "profile", "removed", o->profiles[i].name);
			continue;
		}
		taken[j] = 1;
		json_t *f = json_array();
		profile_fields(f, o, i, n, (uint32_t)j);
		if (!renamed && !json_array_size(f)) {
			json_decref(f);
			continue;
		}
		json_t *r = record(out, "profile", renamed ? "renamed" : "changed", n->profiles[j].name);
		if (renamed)
			json_object_set_new(r, "old_name", json_string(o->profiles[i].name));
		json_object_set_new(r, "fields", f);
	}
	for (uint32_t j = 0; taken && j < n->nprofiles; j++)
		if (!taken[j])
			record(out, "profile", "added", n->profiles[j].name);
	free(taken);
}

static json_t *controllers_json(const struct m_bc *bc)
{
	char buf[300];
	json_t *a = json_array();
	for (uint32_t i = 0; i < bc->ncontrollers; i++) {
		snprintf(buf, sizeof buf, "%s:%u", bc->controllers[i].host, bc->controllers[i].port);
		json_array_append_new(a, json_string(buf));
	}
	return a;
}

/* Each setting of business_continuity, as JSON (NULL bc: every one null). */
static json_t *bc_json(const struct m_bc *bc)
{
	json_t *o = json_object();
	if (!bc)
		return o;
	json_object_set_new(o, "domain", str_or_null(bc->domain));
	json_object_set_new(o, "controllers", controllers_json(bc));
	json_object_set_new(o, "sni", str_or_null(bc->sni));
	json_object_set_new(o, "sni_new_user", str_or_null(bc->sni_new_user));
	json_object_set_new(o, "sp_url", str_or_null(bc->sp_url));
	json_object_set_new(o, "sp_ca", str_or_null(bc->sp_ca_pem));
	json_object_set_new(o, "enter_after", json_integer(bc->enter_after));
	json_object_set_new(o, "exit_after", json_integer(bc->exit_after));
	json_object_set_new(o, "auth_max_age", json_integer(bc->auth_max_age));
	json_object_set_new(o, "exit_mode",
			    json_string(bc->exit_mode == EXIT_AUTOMATIC ? "automatic" : "time_based"));
	return o;
}

static void settings(json_t *out, const struct model *o, const struct model *n)
{
	json_t *a = bc_json(o->bc), *b = bc_json(n->bc), *f = json_array();
	const char *key;
	json_t *v;
	json_object_foreach(a, key, v)
		field(f, key, json_incref(v), json_incref(json_object_get(b, key) ? json_object_get(b, key) : json_null()));
	json_object_foreach(b, key, v)
		if (!json_object_get(a, key))
			field(f, key, json_null(), json_incref(v));
	field(f, "tenant", str_or_null(o->tenant), str_or_null(n->tenant));
	if (json_array_size(f))
		json_object_set_new(record(out, "business_continuity", "changed", NULL), "fields", f);
	else
		json_decref(f);
	json_decref(a);
	json_decref(b);
}

json_t *diff_structural(const struct model *o, const struct model *n, const struct df_maps *mp,
			int by_meaning)
{
	json_t *out = json_array();
	if (!out)
		return NULL;
	settings(out, o, n);
	groups(out, o, n, mp);
	segments(out, o, n, mp, by_meaning);
	rules(out, o, n, mp, by_meaning);
	profiles(out, o, n, mp);
	return out;
}
