/* zpa_operands.c - one ZPA policy operand to one language atom: the lookups that
 * turn ids into the names a client knows (samlName, SCIM attribute and group names,
 * IdP names, posture and network names without the " (cloud)" suffix, client type
 * words), and the IdP an attribute belongs to. How atoms combine into clauses is
 * zpa_rules.c's business. */
#include <stdio.h>
#include <string.h>
#include "net.h"
#include "zpa_int.h"

/* ---- lookups ---- */

static const json_t *lookup(struct tr *x, enum zpa_kind k, const char *id)
{
	json_t *at = id ? json_object_get(x->t->set[k].index, id) : NULL;
	return at ? x->t->set[k].v[json_integer_value(at)].j : NULL;
}

/* Name of a posture or trusted network without the " (cloud)" suffix ZCC adds
 * (SCHEMA.md W8): the suffix is " (" + zscalerCloud + ")". */
static const char *strip_cloud(struct tr *x, const json_t *o)
{
	const char *name = zpa_str(o, "name");
	const char *cloud = zpa_str(o, "zscalerCloud");
	size_t n, c;
	if (!name)
		return NULL;
	n = strlen(name);
	if (cloud && (c = strlen(cloud)) + 3 < n && name[n - 1] == ')' &&
	    !strncmp(name + n - c - 3, " (", 2) && !strncmp(name + n - c - 1, cloud, c))
		return zpa_keepf(x, "%.*s", (int)(n - c - 3), name);
	return name;
}

/* The IdP name a scoped literal is compared with, or NULL and *why. */
static const char *idp_scope(struct rule_ctx *c, const char *idp_id, const char *fallback_name,
			     int scim, const char **why)
{
	struct tr *x = c->x;
	const json_t *idp = lookup(x, ZK_IDP, idp_id);
	if (!idp_id) {
		*why = "no IdP id";
		return NULL;
	}
	if (!idp) {
		if (x->t->set[ZK_IDP].n > 0 || !fallback_name) {
			*why = zpa_keepf(x, "IdP %s is not in the export", idp_id);
			return NULL;
		}
		/* No IdP export at all: the lookup object's own copy of the name. */
		zpa_warning(x, "identity provider", idp_id, fallback_name,
			    "the export has no IdP list: the IdP name is the one the SAML attribute "
			    "or SCIM group carries");
		return fallback_name;
	}
	const char *name = zpa_str(idp, "name");
	if (!name || !*name) {
		*why = zpa_keepf(x, "IdP %s has no name", idp_id);
		return NULL;
	}
	if (!scim && zpa_bool(idp, "disableSamlBasedPolicy", 0) != 0) {
		*why = zpa_keepf(x, "IdP \"%s\" has SAML attributes for policy turned off "
				 "(ZPA then skips or fails such criteria)", name);
		return NULL;
	}
	if (scim && zpa_bool(idp, "enableScimBasedPolicy", 1) != 1) {
		*why = zpa_keepf(x, "IdP \"%s\" has SCIM attributes and groups for policy turned "
				 "off (ZPA then skips or fails such criteria)", name);
		return NULL;
	}
	/* Two user IdPs of one name: `idp "N"` could not tell them apart. */
	for (size_t i = 0; i < x->t->set[ZK_IDP].n; i++) {
		const json_t *o = x->t->set[ZK_IDP].v[i].j;
		const char *n2 = zpa_str(o, "name");
		if (o != idp && n2 && !strcmp(n2, name)) {
			*why = zpa_keepf(x, "two IdPs are named \"%s\"", name);
			return NULL;
		}
	}
	/* With one user IdP every user comes from it: the scope says nothing. */
	if (c->only_idp && !strcmp(c->only_idp, idp_id))
		return "";
	return name;
}

static const char *const client_types[] = {
	"zapp", "zapp_partner", "vdi", "browser_isolation", "machine_tunnel", "edge_connector",
	"branch_connector", "ip_anchoring", "exporter", NULL
};

/* BC does not support these (SCHEMA.md 6). */
int zpa_bc_unsupported_client(const char *t)
{
	return !strcmp(t, "exporter") || !strcmp(t, "ip_anchoring") ||
	       !strcmp(t, "edge_connector") || !strcmp(t, "branch_connector") ||
	       !strcmp(t, "machine_tunnel");
}

/* ---- one helper per operand type: fill l and return 0, or set *why and return -1 ---- */

static int client_type_literal(struct tr *x, const char *rhs, struct lit *l, const char **why)
{
	static const char pre[] = "zpn_client_type_";
	if (!strncmp(rhs, pre, sizeof pre - 1))
		for (int i = 0; client_types[i]; i++)
			if (!strcmp(rhs + sizeof pre - 1, client_types[i])) {
				l->atom = "client_type";
				l->value = client_types[i];
				return 0;
			}
	*why = zpa_keepf(x, "client type %s has no counterpart in the language", rhs);
	return -1;
}

static int platform_literal(struct tr *x, const char *lhs, const char *rhs, struct lit *l,
			    const char **why)
{
	static const char *const p[] = { "windows", "mac", "linux", "ios", "android", NULL };
	for (int i = 0; lhs && p[i]; i++)
		if (!strcmp(lhs, p[i]) && !strcmp(rhs, "true")) {
			l->atom = "platform";
			l->value = p[i];
			return 0;
		}
	*why = zpa_keepf(x, "PLATFORM %s = %s (only windows, mac, linux, ios, android = "
			 "true have a known meaning)", lhs ? lhs : "?", rhs);
	return -1;
}

static int country_literal(struct tr *x, const char *lhs, const char *rhs, struct lit *l,
			   const char **why)
{
	if (lhs && strlen(lhs) == 2 && country_valid(lhs) && !strcmp(rhs, "true")) {
		char cc[3] = { (char)(lhs[0] & ~0x20), (char)(lhs[1] & ~0x20), 0 };
		l->atom = "country";
		l->value = zpa_keep(x, cc);
		return 0;
	}
	*why = zpa_keepf(x, "COUNTRY_CODE %s = %s is not an assigned ISO 3166 code = true",
			 lhs ? lhs : "?", rhs);
	return -1;
}

/* POSTURE (lhs a postureUdid) or TRUSTED_NETWORK (lhs a networkId); "false" negates. */
static int posture_or_network_literal(struct tr *x, const char *type, const char *lhs,
				      const char *rhs, struct lit *l, const char **why)
{
	int posture = type[0] == 'P';
	json_t *at = lhs ? json_object_get(posture ? x->posture_by_udid : x->network_by_nid, lhs) : NULL;
	const json_t *o = at ? x->t->set[posture ? ZK_POSTURE : ZK_NETWORK].v[json_integer_value(at)].j : NULL;
	if (!o) {
		*why = zpa_keepf(x, "%s %s is not in the export", posture ? "posture profile with postureUdid" :
				 "trusted network with networkId", lhs ? lhs : "?");
		return -1;
	}
	if (strcmp(rhs, "true") && strcmp(rhs, "false")) {
		*why = zpa_keepf(x, "%s value \"%s\" (true or false)", type, rhs);
		return -1;
	}
	l->atom = posture ? "posture" : "trusted_network";
	l->value = strip_cloud(x, o);
	l->neg = !strcmp(rhs, "false");   /* "not verified" / "not on it" */
	if (!l->value || !*l->value) {
		*why = "the profile has no name";
		return -1;
	}
	return 0;
}

static int saml_literal(struct rule_ctx *c, const char *lhs, const char *rhs, struct lit *l,
			const char **why)
{
	struct tr *x = c->x;
	char b[32];
	const json_t *a = lookup(x, ZK_SAML_ATTR, lhs);
	const char *sn = a ? zpa_str(a, "samlName") : NULL;
	if (!sn || !*sn) {
		*why = zpa_keepf(x, "SAML attribute %s is not in the export", lhs ? lhs : "?");
		return -1;
	}
	l->atom = "saml";
	l->attr = sn;
	l->value = rhs;
	l->idp = idp_scope(c, zpa_field(a, "idpId", b),
			   zpa_str(a, "idpName"), 0, why);
	return l->idp ? 0 : -1;
}

/* The IdP is the attribute's own, else the operand's. */
static int scim_literal(struct rule_ctx *c, const char *lhs, const char *rhs, const json_t *op,
			struct lit *l, const char **why)
{
	struct tr *x = c->x;
	char b[32];
	const json_t *a = lookup(x, ZK_SCIM_ATTR, lhs);
	const char *n = a ? zpa_str(a, "name") : NULL;
	if (!n || !*n) {
		*why = zpa_keepf(x, "SCIM attribute %s is not in the export", lhs ? lhs : "?");
		return -1;
	}
	const char *idp = zpa_field(a, "idpId", b);
	char b2[32];
	if (!idp)
		idp = zpa_field(op, "idpId", b2);
	l->atom = "scim";
	l->attr = n;
	l->value = rhs;
	l->scim = 1;
	/* RFC 7643 caseExact false: the value in any case (SCHEMA.md 5). */
	l->any_case = zpa_bool(a, "caseSensitive", 0) != 1;
	l->idp = idp_scope(c, idp, NULL, 1, why);
	return l->idp ? 0 : -1;
}

/* rhs is the group id; the IdP is lhs (unless "id"), else the operand's, else the
 * group's, and the group's and the operand's must agree. */
static int scim_group_literal(struct rule_ctx *c, const char *lhs, const char *rhs,
			      const json_t *op, struct lit *l, const char **why)
{
	struct tr *x = c->x;
	const json_t *g = lookup(x, ZK_SCIM_GROUP, rhs);
	char b2[32], b3[32];
	const char *idp = lhs && strcmp(lhs, "id") ? lhs : zpa_field(op, "idpId", b2);
	const char *gidp = g ? zpa_field(g, "idpId", b3) : NULL;
	const char *n = g ? zpa_str(g, "name") : NULL;
	if (!idp)
		idp = gidp;
	if (!n || !*n) {
		*why = zpa_keepf(x, "SCIM group %s is not in the export", rhs);
		return -1;
	}
	if (gidp && idp && strcmp(gidp, idp)) {
		*why = zpa_keepf(x, "SCIM group %s belongs to IdP %s, the operand names IdP %s",
				 rhs, gidp, idp);
		return -1;
	}
	l->atom = "scim_group";
	l->value = n;
	l->scim = 1;
	l->idp = idp_scope(c, idp, zpa_str(g, "idpName"), 1, why);
	return l->idp ? 0 : -1;
}

static int idp_literal(struct tr *x, const char *rhs, struct lit *l, const char **why)
{
	const json_t *i = lookup(x, ZK_IDP, rhs);
	const char *n = i ? zpa_str(i, "name") : NULL;
	if (!n || !*n) {
		*why = zpa_keepf(x, "IdP %s is not in the export", rhs);
		return -1;
	}
	l->atom = "idp";
	l->value = n;
	return 0;
}

static int machine_group_literal(struct tr *x, const char *rhs, const json_t *op, struct lit *l,
				 const char **why)
{
	/* No export kind lists machine groups: the operand's own name is all there is. */
	const char *n = zpa_str(op, "name");
	if (!n || !*n) {
		*why = zpa_keepf(x, "machine group %s has no name in the export", rhs);
		return -1;
	}
	l->atom = "machine_group";
	l->value = n;
	return 0;
}

/* One user operand to a literal; NULL atom and *why when it has no counterpart. */
int zpa_user_literal(struct rule_ctx *c, const char *type, const char *lhs, const char *rhs,
			const json_t *op, struct lit *l, const char **why)
{
	struct tr *x = c->x;
	memset(l, 0, sizeof *l);
	if (!rhs || !*rhs) {
		*why = zpa_keepf(x, "%s operand without a value", type);
		return -1;
	}
	if (!strcmp(type, "CLIENT_TYPE"))
		return client_type_literal(x, rhs, l, why);
	if (!strcmp(type, "PLATFORM"))
		return platform_literal(x, lhs, rhs, l, why);
	if (!strcmp(type, "COUNTRY_CODE"))
		return country_literal(x, lhs, rhs, l, why);
	if (!strcmp(type, "POSTURE") || !strcmp(type, "TRUSTED_NETWORK"))
		return posture_or_network_literal(x, type, lhs, rhs, l, why);
	if (!strcmp(type, "SAML"))
		return saml_literal(c, lhs, rhs, l, why);
	if (!strcmp(type, "SCIM"))
		return scim_literal(c, lhs, rhs, op, l, why);
	if (!strcmp(type, "SCIM_GROUP"))
		return scim_group_literal(c, lhs, rhs, op, l, why);
	if (!strcmp(type, "IDP"))
		return idp_literal(x, rhs, l, why);
	if (!strcmp(type, "MACHINE_GRP"))
		return machine_group_literal(x, rhs, op, l, why);
	*why = zpa_keepf(x, "%s criteria have no counterpart offline", type);
	return -1;
}

int zpa_printable(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}
