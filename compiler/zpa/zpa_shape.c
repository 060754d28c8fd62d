/* zpa_shape.c - recognizing what a ZPA document holds by its shape (the keys of its
 * objects, never the file name), and merging it into the tenant: paged lists split
 * over files, the same object exported twice, segments embedded in segment groups.
 * Refuses, naming the file, what it does not recognize or cannot tell apart. No
 * translation here: that is zpa_translate.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zpa.h"

/* A string with a NUL inside would be cut short by every C function after it, and
 * mean another name or value: such a string is no text here. */
static const char *whole_string(const json_t *v)
{
	const char *s = json_string_value(v);
	return s && strlen(s) == json_string_length(v) ? s : NULL;
}

const char *zpa_str(const json_t *o, const char *key)
{
	return whole_string(json_object_get(o, key));
}

const char *zpa_text(const json_t *v, char buf[32])
{
	if (json_is_string(v))
		return whole_string(v);
	if (json_is_integer(v)) {
		snprintf(buf, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (json_is_true(v))
		return "true";
	if (json_is_false(v))
		return "false";
	return NULL;
}

const char *zpa_field(const json_t *o, const char *key, char buf[32])
{
	return zpa_text(json_object_get(o, key), buf);
}

int zpa_bool(const json_t *o, const char *key, int def)
{
	const json_t *v = json_object_get(o, key);
	char buf[32];
	const char *s;

	if (!v || json_is_null(v))
		return def;
	s = zpa_text(v, buf);
	if (!s)
		return -1;
	if (!strcmp(s, "true") || !strcmp(s, "1"))
		return 1;
	if (!strcmp(s, "false") || !strcmp(s, "0"))
		return 0;
	return -1;
}

static int has(const json_t *o, const char *k)
{
	return json_object_get(o, k) != NULL;
}

static int all_keys_prefixed(json_t *o, const char *prefix)
{
	const char *k;
	json_t *v;
	size_t n = strlen(prefix);
	if (json_object_size(o) == 0)
		return 0;
	json_object_foreach(o, k, v)
		if (strncmp(k, prefix, n) || !json_is_string(v))
			return 0;
	return 1;
}

static int platform_map(json_t *o)
{
	static const char *const names[] = { "windows", "mac", "linux", "ios", "android" };
	const char *k;
	json_t *v;
	if (json_object_size(o) == 0)
		return 0;
	json_object_foreach(o, k, v) {
		size_t i;
		for (i = 0; i < 5 && strcmp(k, names[i]); i++)
			;
		if (i == 5 || !json_is_string(v))
			return 0;
	}
	return 1;
}

/* Each kind's signature. Several may match one object: then it is ambiguous. */
static int looks_like(enum zpa_kind k, json_t *o)
{
	switch (k) {
	case ZK_ZCC_PROFILE:
		return has(o, "policyExtension") || has(o, "pac_url");
	case ZK_RULE:
		return has(o, "action") && (has(o, "conditions") || has(o, "ruleOrder") ||
					    has(o, "policySetId") || has(o, "operator")) &&
		       !has(o, "pac_url");
	case ZK_SEGMENT:
		return has(o, "domainNames") || has(o, "domainName");
	case ZK_SEGMENT_GROUP:
		return (has(o, "applications") || has(o, "tcpKeepAliveEnabled") ||
			has(o, "policyMigrated")) && !has(o, "domainNames");
	case ZK_POLICY_SET:
		return has(o, "policyType") && !has(o, "action") && !has(o, "ruleOrder");
	case ZK_IDP:
		return has(o, "ssoType") || has(o, "idpEntityId") || has(o, "loginUrl");
	case ZK_SAML_ATTR:
		return has(o, "samlName");
	case ZK_SCIM_ATTR:
		return has(o, "schemaURI") || (has(o, "dataType") && has(o, "idpId"));
	case ZK_SCIM_GROUP:
		return has(o, "idpId") && has(o, "name") && !has(o, "samlName") &&
		       !has(o, "dataType") && !has(o, "schemaURI");
	case ZK_POSTURE:
		return has(o, "postureUdid");
	case ZK_NETWORK:
		return has(o, "networkId");
	case ZK_CLIENT_TYPES:
		return all_keys_prefixed(o, "zpn_client_type_");
	case ZK_PLATFORMS:
		return platform_map(o);
	case ZK_BC_SETTINGS:
		return has(o, "offlineDomain") || has(o, "maxAllowedDownTime") ||
		       has(o, "newUserSupport");
	case ZK_INFRA:
		return has(o, "upgradeDay") || has(o, "controlChannelStatus") ||
		       has(o, "exclusiveForBusinessContinuity") || has(o, "siteControllers") ||
		       has(o, "privateCloudControllerGroupId");
	default:
		return 0;
	}
}

int zpa_shape_of(json_t *o, const char **why)
{
	int found = -1, n = 0;
	static char buf[256];

	if (!json_is_object(o)) {
		*why = "not a JSON object";
		return -1;
	}
	for (int k = 0; k < ZK_COUNT; k++) {
		if (looks_like((enum zpa_kind)k, o)) {
			if (n++ == 0)
				found = k;
			else
				snprintf(buf, sizeof buf, "it has the keys of both a %s and a %s",
					 zpa_kind_name((enum zpa_kind)found),
					 zpa_kind_name((enum zpa_kind)k));
		}
	}
	if (n > 1) {
		*why = buf;
		return -2;
	}
	if (n == 0) {
		size_t len = 0;
		const char *k;
		json_t *v;
		len += (size_t)snprintf(buf, sizeof buf, "an object with the keys ");
		json_object_foreach(o, k, v) {
			if (len >= sizeof buf - 40) {
				snprintf(buf + len, sizeof buf - len, "...");
				break;
			}
			len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%.40s",
						len > 24 ? ", " : "", k);
		}
		if (json_object_size(o) == 0)
			snprintf(buf, sizeof buf, "an empty object");
		*why = buf;
	}
	return found;
}

/* The operand kinds of ZPA's policy API (SCHEMA.md 4.3). Anything else, such as the
 * documentation's typo "TEST APP_GROUP", refuses the file: a rule that means
 * something unknown must not be half-read. */
static const char *const known_object_types[] = {
	"APP", "APP_GROUP", "CLIENT_TYPE", "PLATFORM", "COUNTRY_CODE", "POSTURE",
	"TRUSTED_NETWORK", "SAML", "SCIM", "SCIM_GROUP", "IDP", "MACHINE_GRP", "LOCATION",
	"BRANCH_CONNECTOR_GROUP", "EDGE_CONNECTOR_GROUP", "CLOUD_CONNECTOR_GROUP",
	"WORKLOAD_TAG_GROUP", "RISK_FACTOR_TYPE", "CHROME_ENTERPRISE", "CHROME_POSTURE_PROFILE",
	"CONSOLE", "PRIVILEGE_PORTAL", "USER_PORTAL", "USER", NULL
};

static int check_rule(const json_t *r, const char *file, struct zpa_err *e)
{
	json_t *conds = json_object_get(r, "conditions"), *c, *op;
	size_t i, j;
	char b[32];
	const char *id = zpa_field(r, "id", b);

	if (conds && !json_is_array(conds) && !json_is_null(conds)) {
		snprintf(e->msg, sizeof e->msg, "%.400s: rule %.40s: 'conditions' is not a list",
			 file, id ? id : "(no id)");
		return -1;
	}
	json_array_foreach(conds, i, c) {
		json_t *ops = json_object_get(c, "operands");
		if (!json_is_object(c) || (ops && !json_is_array(ops))) {
			snprintf(e->msg, sizeof e->msg,
				 "%.400s: rule %.40s: condition %zu is not an object with a list of operands",
				 file, id ? id : "(no id)", i + 1);
			return -1;
		}
		json_array_foreach(ops, j, op) {
			const char *ot = zpa_str(op, "objectType");
			int k;
			for (k = 0; ot && known_object_types[k] && strcmp(ot, known_object_types[k]); k++)
				;
			if (!ot || !known_object_types[k]) {
				snprintf(e->msg, sizeof e->msg,
					 "%.400s: rule %.40s: unknown operand objectType \"%.60s\" "
					 "(not one of ZPA's; a typo?)",
					 file, id ? id : "(no id)", ot ? ot : "(missing)");
				return -1;
			}
		}
	}
	return 0;
}

/* The listed keys as they are, numbers and strings alike as text; of `applications`
 * only the member ids. */
static void meaning_of_keys(json_t *m, const char *const *keys, json_t *o)
{
	char b[32];

	for (int i = 0; keys[i]; i++) {
		json_t *v = json_object_get(o, keys[i]);
		if (!v)
			continue;
		if (!strcmp(keys[i], "applications")) {   /* member ids only */
			json_t *ids = json_array(), *a;
			size_t j;
			json_array_foreach(v, j, a) {
				const char *s = zpa_field(a, "id", b);
				json_array_append_new(ids, json_string(s ? s : ""));
			}
			json_object_set_new(m, keys[i], ids);
			continue;
		}
		const char *s = zpa_text(v, b);
		json_object_set_new(m, keys[i], s ? json_string(s) : json_deep_copy(v));
	}
}

/* A segment's ports of one protocol in one form: the v2 "<proto>PortRanges" strings,
 * else the v1 "<proto>PortRange" objects as from, to pairs. */
static json_t *port_meaning(json_t *o, const char *proto)
{
	char key[32], b[32];
	json_t *flat = json_array(), *v;
	size_t i;
	snprintf(key, sizeof key, "%sPortRanges", proto);
	json_array_foreach(json_object_get(o, key), i, v) {
		const char *s = zpa_text(v, b);
		json_array_append_new(flat, json_string(s ? s : "?"));
	}
	if (json_array_size(flat) == 0) {
		snprintf(key, sizeof key, "%sPortRange", proto);
		json_array_foreach(json_object_get(o, key), i, v) {
			const char *s = zpa_field(v, "from", b);
			json_array_append_new(flat, json_string(s ? s : "?"));
			s = zpa_field(v, "to", b);
			json_array_append_new(flat, json_string(s ? s : "?"));
		}
	}
	return flat;
}

/* A segment: ports in one form, membership, enabled as a boolean. */
static void segment_meaning(json_t *m, json_t *o)
{
	char b[32];
	json_object_set_new(m, "tcp", port_meaning(o, "tcp"));
	json_object_set_new(m, "udp", port_meaning(o, "udp"));
	const char *g = zpa_field(o, "segmentGroupId", b);
	if (!g)
		g = zpa_field(json_object_get(o, "segmentGroup"), "id", b);
	if (g)
		json_object_set_new(m, "group", json_string(g));
	json_object_set_new(m, "enabled", json_integer(zpa_bool(o, "enabled", 1)));
}

/* One operand: objectType, lhs and rhs as text, the v2 value lists as they are. */
static json_t *operand_meaning(const json_t *op)
{
	static const char *const ok[] = { "objectType", "lhs", "rhs", NULL };
	json_t *mo = json_object();
	char b[32];
	for (int x = 0; ok[x]; x++) {
		const char *s = zpa_field(op, ok[x], b);
		if (s)
			json_object_set_new(mo, ok[x], json_string(s));
	}
	if (json_object_get(op, "values"))
		json_object_set(mo, "values", json_object_get(op, "values"));
	if (json_object_get(op, "entryValues"))
		json_object_set(mo, "entryValues", json_object_get(op, "entryValues"));
	return mo;
}

/* A rule's conditions without the display copies and timestamps. */
static json_t *conditions_meaning(json_t *o)
{
	json_t *cs = json_array(), *c;
	size_t i;
	char b[32];
	json_array_foreach(json_object_get(o, "conditions"), i, c) {
		json_t *mc = json_object(), *ops = json_array(), *op;
		size_t j;
		const char *s = zpa_field(c, "operator", b);
		json_object_set_new(mc, "operator", json_string(s ? s : "OR"));
		json_object_set_new(mc, "negated", json_integer(zpa_bool(c, "negated", 0)));
		json_array_foreach(json_object_get(c, "operands"), j, op)
			json_array_append_new(ops, operand_meaning(op));
		json_object_set_new(mc, "operands", ops);
		json_array_append_new(cs, mc);
	}
	return cs;
}

/* What two copies of one object must agree on for either to be used. */
static json_t *meaning(enum zpa_kind k, json_t *o)
{
	static const char *const seg[] = { "domainNames", "bypassType", "matchStyle", NULL };
	static const char *const rule[] = { "action", "ruleOrder", "disabled", "operator",
		"policyType", NULL };
	static const char *const other[] = { "name", "samlName", "idpId", "postureUdid",
		"networkId", "enabled", "ssoType", "enableScimBasedPolicy",
		"disableSamlBasedPolicy", "applications", NULL };
	json_t *m = json_object();

	meaning_of_keys(m, k == ZK_SEGMENT ? seg : k == ZK_RULE ? rule : other, o);
	if (k == ZK_SEGMENT)
		segment_meaning(m, o);
	if (k == ZK_RULE)
		json_object_set_new(m, "conditions", conditions_meaning(o));
	return m;
}

static int set_add(struct zpa_tenant *t, struct zpa_set *s, enum zpa_kind k, json_t *o,
		   unsigned f, unsigned pos, const char *group, struct zpa_err *e)
{
	char b[32];
	const char *id = zpa_field(o, "id", b);
	struct zpa_item it = { o, NULL, f, pos, group };

	if (id && !*id)
		id = NULL;
	if (json_object_get(o, "id") && !id && !json_is_null(json_object_get(o, "id"))) {
		snprintf(e->msg, sizeof e->msg,
			 "%.400s: a %s whose id is neither a string nor an integer (ids are compared "
			 "exactly, never as floating-point numbers)",
			 t->files[f].path, zpa_kind_name(k));
		return -1;
	}
	if (id) {
		json_t *at = json_object_get(s->index, id);
		if (at) {
			struct zpa_item *old = &s->v[json_integer_value(at)];
			json_t *m1 = meaning(k, old->j), *m2 = meaning(k, o);
			int same = json_equal(m1, m2);
			json_decref(m1);
			json_decref(m2);
			if (same)
				return 0;   /* a second copy (overlapping pages, a GET by id) */
			snprintf(e->msg, sizeof e->msg,
				 "%.400s: %s %.40s differs from its copy in %.400s (an export taken "
				 "while the tenant changed?)",
				 t->files[f].path, zpa_kind_name(k), id, t->files[old->file].path);
			return -1;
		}
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct zpa_item *nv = realloc(s->v, cap * sizeof *nv);
		if (!nv) {
			snprintf(e->msg, sizeof e->msg, "out of memory");
			return -1;
		}
		s->v = nv;
		s->cap = cap;
	}
	if (id) {
		/* The id text must outlive b: it lives in the index's key. */
		json_object_set_new(s->index, id, json_integer((json_int_t)s->n));
		void *iter = json_object_iter_at(s->index, id);
		id = json_object_iter_key(iter);
	}
	it.id = id;
	s->v[s->n++] = it;
	return 0;
}

static int add_object(struct zpa_tenant *t, enum zpa_kind k, json_t *o, unsigned f,
		      unsigned pos, struct zpa_err *e)
{
	const char *file = t->files[f].path;

	if (k == ZK_RULE && check_rule(o, file, e))
		return -1;
	if (k == ZK_POLICY_SET && json_is_array(json_object_get(o, "rules"))) {
		/* The deprecated policySet/global: the header with its rules inline. */
		json_t *r;
		size_t i;
		json_array_foreach(json_object_get(o, "rules"), i, r) {
			if (!json_is_object(r)) {
				snprintf(e->msg, sizeof e->msg, "%.400s: rules[%zu] is not an object",
					 file, i);
				return -1;
			}
			if (!json_object_get(r, "policyType") && json_object_get(o, "policyType"))
				json_object_set(r, "policyType", json_object_get(o, "policyType"));
			if (check_rule(r, file, e) ||
			    set_add(t, &t->set[ZK_RULE], ZK_RULE, r, f, (unsigned)i, NULL, e))
				return -1;
		}
	}
	if (k == ZK_SEGMENT_GROUP) {
		json_t *apps = json_object_get(o, "applications"), *a;
		size_t i;
		char b[32];
		const char *gid = zpa_field(o, "id", b);
		if (apps && !json_is_array(apps)) {
			snprintf(e->msg, sizeof e->msg, "%.400s: 'applications' is not a list", file);
			return -1;
		}
		if (set_add(t, &t->set[k], k, o, f, pos, NULL, e))
			return -1;
		/* gid lives in the group index once added */
		if (gid) {
			void *iter = json_object_iter_at(t->set[k].index, gid);
			gid = iter ? json_object_iter_key(iter) : NULL;
		}
		json_array_foreach(apps, i, a) {
			if (!json_is_object(a)) {
				snprintf(e->msg, sizeof e->msg,
					 "%.400s: applications[%zu] of a segment group is not a segment",
					 file, i);
				return -1;
			}
			/* The same segment may be embedded by two exports of its group. */
			char b2[32];
			const char *aid = zpa_field(a, "id", b2);
			if (aid && json_object_get(t->embedded.index, aid))
				continue;
			if (set_add(t, &t->embedded, ZK_SEGMENT, a, f, (unsigned)i, gid, e))
				return -1;
		}
		return 0;
	}
	if (k == ZK_BC_SETTINGS)
		t->bc = o;
	return set_add(t, &t->set[k], k, o, f, pos, NULL, e);
}

static int only_common_keys(json_t *o)
{
	static const char *const common[] = { "id", "name", "description", "enabled",
		"creationTime", "modifiedTime", "modifiedBy", "configSpace", "readOnly",
		"zscalerManaged", "microtenantId", "microtenantName", NULL };
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		int i;
		for (i = 0; common[i] && strcmp(common[i], k); i++)
			;
		if (!common[i])
			return 0;
	}
	return 1;
}

/* A list of plain values: SCIM attribute values (userconfig), kept aside. A bare
 * array of strings is the body of a bulk reorder request, not an export. */
static int add_values(struct zpa_file *file, json_t *list, struct zpa_err *e)
{
	json_t *o;
	size_t i;
	json_array_foreach(list, i, o)
		if (json_is_object(o) || json_is_array(o))
			break;
	if (i < json_array_size(list) || list == file->doc) {
		snprintf(e->msg, sizeof e->msg, "%.400s: not a recognized ZPA export: %s", file->path,
			 list == file->doc ? "a bare JSON array of values (a request body such as a "
			 "bulk reorder, not a response)" : "a list of mixed values");
		return -1;
	}
	file->kind = ZK_SCIM_VALUES;
	file->count = json_array_size(list);
	return 0;
}

/* A list of objects, all of one kind: that of its first recognized item. An item
 * with only the fields every object has (id, name, enabled, ...) takes it: an empty
 * segment group is such an item. */
static int add_list(struct zpa_tenant *t, unsigned f, json_t *list, struct zpa_err *e)
{
	struct zpa_file *file = &t->files[f];
	const char *why = "";
	int kind = -1, list_kind = -1;
	json_t *o;
	size_t i;
	json_array_foreach(list, i, o)
		if ((list_kind = zpa_shape_of(o, &why)) >= 0)
			break;
	json_array_foreach(list, i, o) {
		int k = zpa_shape_of(o, &why);
		if (k == -1 && list_kind >= 0 && only_common_keys(o))
			k = list_kind;
		if (k < 0) {
			snprintf(e->msg, sizeof e->msg, "%.400s: list item %zu: %s ZPA object: %s",
				 file->path, i + 1, k == -2 ? "ambiguous" : "not a recognized", why);
			return -1;
		}
		if (kind >= 0 && k != kind) {
			snprintf(e->msg, sizeof e->msg,
				 "%.400s: list item %zu is a %s, but item 1 is a %s (one kind per list)",
				 file->path, i + 1, zpa_kind_name((enum zpa_kind)k),
				 zpa_kind_name((enum zpa_kind)kind));
			return -1;
		}
		kind = k;
		if (add_object(t, (enum zpa_kind)k, o, f, (unsigned)i, e))
			return -1;
	}
	file->kind = (enum zpa_kind)kind;
	file->count = json_array_size(list);
	return 0;
}

int zpa_add_document(struct zpa_tenant *t, unsigned f, struct zpa_err *e)
{
	struct zpa_file *file = &t->files[f];
	json_t *doc = file->doc, *list = NULL;
	const char *why = "";

	if (json_is_object(doc) && json_is_array(json_object_get(doc, "list")))
		list = json_object_get(doc, "list");   /* a page of a list (W5) */
	else if (json_is_array(doc))
		list = doc;
	if (!list) {
		int kind = zpa_shape_of(doc, &why);
		if (kind < 0) {
			snprintf(e->msg, sizeof e->msg, "%.400s: %s ZPA export: %s", file->path,
				 kind == -2 ? "ambiguous" : "not a recognized", why);
			return -1;
		}
		file->kind = (enum zpa_kind)kind;
		file->count = 1;
		return add_object(t, (enum zpa_kind)kind, doc, f, 0, e);
	}
	if (json_array_size(list) == 0) {
		file->kind = ZK_EMPTY;
		return 0;
	}
	if (!json_is_object(json_array_get(list, 0)))
		return add_values(file, list, e);
	return add_list(t, f, list, e);
}
