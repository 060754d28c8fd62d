/* dump.c - the checked model as JSON (bcpc dump --json), for tests and debugging.
 * Reads the model only. Keys and order are stable: golden files depend on them. */
#include "dump.h"
#include <jansson.h>

static const char *const proto_names[PROTO_COUNT] = { "tcp", "udp" };
static const char *const match_names[] = { "exclusive", "inclusive" };
static const char *const bypass_names[] = { "never", "always", "on_net" };

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *ports_json(const struct port_set *ps)
{
	json_t *a = json_array();
	for (uint32_t i = 0; i < ps->n; i++)
		json_array_append_new(a, ps->r[i].lo == ps->r[i].hi ?
			json_integer(ps->r[i].lo) : json_pack("[ii]", ps->r[i].lo, ps->r[i].hi));
	return a;
}

static json_t *segment_json(const struct model *m, const struct m_segment *g)
{
	json_t *o = json_object(), *hosts = json_array(), *addrs = json_array();
	char buf[64];
	for (uint32_t i = 0; i < g->nhosts; i++)
		json_array_append_new(hosts, json_string(g->hosts[i].name));
	for (uint32_t i = 0; i < g->naddrs; i++)
		json_array_append_new(addrs, json_string(prefix_format(&g->addrs[i].p, buf)));
	json_object_set_new(o, "name", json_string(g->name));
	json_object_set_new(o, "group", json_string(m->groups[g->group].name));
	json_object_set_new(o, "enabled", json_boolean(g->enabled));
	json_object_set_new(o, "match", json_string(match_names[g->match]));
	json_object_set_new(o, "bypass", json_string(bypass_names[g->bypass]));
	json_object_set_new(o, "domains", hosts);
	json_object_set_new(o, "addresses", addrs);
	for (int p = 0; p < PROTO_COUNT; p++)
		json_object_set_new(o, proto_names[p], ports_json(&g->ports[p]));
	return o;
}

static json_t *clauses_json(const struct m_clause *cl, uint32_t n)
{
	json_t *a = json_array();
	for (uint32_t i = 0; i < n; i++) {
		json_t *atoms = json_array();
		for (uint32_t j = 0; j < cl[i].natoms; j++) {
			const struct m_atom *at = &cl[i].atoms[j];
			json_t *o = json_object(), *vals = json_array();
			for (uint32_t k = 0; k < at->nvalues; k++)
				json_array_append_new(vals, json_string(at->values[k]));
			json_object_set_new(o, "kind", json_string(atom_kind_names[at->kind]));
			if (at->attr)
				json_object_set_new(o, "attr", json_string(at->attr));
			json_object_set_new(o, "values", vals);
			if (at->idp)
				json_object_set_new(o, "idp", json_string(at->idp));
			if (at->negated)
				json_object_set_new(o, "not", json_true());
			json_array_append_new(atoms, o);
		}
		json_array_append_new(a, json_pack("{s:b,s:s,s:o}", "not", cl[i].negated, "type",
						   cl[i].app ? "app" : "user", "any", atoms));
	}
	return a;
}

static json_t *setting_json(const struct m_setting *s)
{
	switch (s->kind) {
	case SET_STRING:
		return json_pack("{s:s,s:s}", "type", "string", "value", s->s);
	case SET_INT:
		return json_pack("{s:s,s:I}", "type", "integer", "value", (json_int_t)s->n);
	case SET_BOOL:
		return json_pack("{s:s,s:b}", "type", "bool", "value", (int)s->n);
	case SET_DURATION:
		return json_pack("{s:s,s:I}", "type", "duration_s", "value", (json_int_t)s->n);
	case SET_LIST: {
		json_t *a = json_array();
		for (uint32_t i = 0; i < s->nlist; i++)
			json_array_append_new(a, json_string(s->list[i]));
		return json_pack("{s:s,s:o}", "type", "list", "value", a);
	}
	}
	return json_null();
}

static json_t *bc_json(const struct m_bc *bc)
{
	if (!bc)
		return json_null();
	json_t *ctl = json_array();
	for (uint32_t i = 0; i < bc->ncontrollers; i++)
		json_array_append_new(ctl, json_pack("{s:s,s:i}", "host", bc->controllers[i].host,
						     "port", bc->controllers[i].port));
	json_t *o = json_object();
	json_object_set_new(o, "domain", str_or_null(bc->domain));
	json_object_set_new(o, "controllers", ctl);
	json_object_set_new(o, "sni", str_or_null(bc->sni));
	json_object_set_new(o, "sni_new_user", str_or_null(bc->sni_new_user));
	json_object_set_new(o, "sp_url", str_or_null(bc->sp_url));
	json_object_set_new(o, "sp_ca_file", str_or_null(bc->sp_ca_file));
	json_object_set_new(o, "sp_ca_bytes", json_integer((json_int_t)bc->sp_ca_len));
	json_object_set_new(o, "enter_after_s", json_integer(bc->enter_after));
	json_object_set_new(o, "exit_mode", json_string(bc->exit_mode ? "automatic" : "time_based"));
	json_object_set_new(o, "exit_after_s", json_integer(bc->exit_after));
	json_object_set_new(o, "auth_max_age_s", json_integer(bc->auth_max_age));
	return o;
}

json_t *model_to_json(const struct model *m)
{
	json_t *root = json_object(), *groups = json_array(), *segs = json_array(),
	       *pats = json_array(), *rules = json_array(), *profs = json_array();
	char buf[64];
	for (uint32_t i = 0; i < m->ngroups; i++) {
		json_t *members = json_array();
		for (uint32_t s = 0; s < m->nsegments; s++)
			if (m->segments[s].group == i)
				json_array_append_new(members, json_string(m->segments[s].name));
		json_array_append_new(groups, json_pack("{s:s,s:o}", "name", m->groups[i].name,
							"segments", members));
	}
	for (uint32_t i = 0; i < m->nsegments; i++)
		json_array_append_new(segs, segment_json(m, &m->segments[i]));
	for (uint32_t i = 0; i < m->npatterns; i++) {
		const struct m_pattern *p = &m->patterns[i];
		json_t *ps = json_array();
		for (uint32_t j = 0; j < p->nsegs; j++)
			json_array_append_new(ps, json_string(m->segments[p->segs[j]].name));
		json_array_append_new(pats, json_pack("{s:s,s:s,s:s,s:o}", "pattern",
			p->is_addr ? prefix_format(&p->prefix, buf) : p->host, "kind",
			p->is_addr ? "address" : "host", "match", match_names[p->match],
			"segments", ps));
	}
	for (uint32_t i = 0; i < m->nrules; i++) {
		const struct m_rule *r = &m->rules[i];
		json_array_append_new(rules, json_pack("{s:s,s:s,s:o}", "name", r->name, "action",
			r->allow ? "allow" : "deny", "clauses", clauses_json(r->clauses, r->nclauses)));
	}
	for (uint32_t i = 0; i < m->nprofiles; i++) {
		const struct m_profile *p = &m->profiles[i];
		json_t *set = json_object();
		for (uint32_t j = 0; j < p->nsettings; j++)
			json_object_set_new(set, p->settings[j].key, setting_json(&p->settings[j]));
		json_array_append_new(profs, json_pack("{s:s,s:o,s:o}", "name", p->name, "when",
			clauses_json(p->when, p->nwhen), "settings", set));
	}
	json_object_set_new(root, "tenant", str_or_null(m->tenant));
	json_object_set_new(root, "business_continuity", bc_json(m->bc));
	json_object_set_new(root, "segment_groups", groups);
	json_object_set_new(root, "segments", segs);
	json_object_set_new(root, "patterns", pats);
	json_object_set_new(root, "rules", rules);
	json_object_set_new(root, "app_profiles", profs);
	return root;
}
