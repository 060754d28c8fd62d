/* export.c - see export.h. JSON goes through jansson, as in compiler/request.c. */
#include "export.h"
#include <jansson.h>
#include <stdlib.h>

static json_t *string_array(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *attr_map(const struct bcp_attr *attrs, size_t n)
{
	json_t *o = json_object();
	for (size_t i = 0; o && i < n; i++)
		json_object_set_new(o, attrs[i].name, string_array(attrs[i].values, attrs[i].nvalues));
	return o;
}

/* The user object of request.h: only the parts the user has. */
static json_t *user_json(const struct bcp_user_info *u)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	if (u->nsaml)
		json_object_set_new(o, "saml", attr_map(u->saml, u->nsaml));
	if (u->nscim)
		json_object_set_new(o, "scim", attr_map(u->scim, u->nscim));
	if (u->nscim_groups)
		json_object_set_new(o, "scim_groups", string_array(u->scim_groups, u->nscim_groups));
	if (u->idp)
		json_object_set_new(o, "idp", json_string(u->idp));
	if (u->platform)
		json_object_set_new(o, "platform", json_string(u->platform));
	if (u->client_type)
		json_object_set_new(o, "client_type", json_string(u->client_type));
	if (u->nposture)
		json_object_set_new(o, "posture", string_array(u->posture, u->nposture));
	if (u->ntrusted_networks)
		json_object_set_new(o, "trusted_networks",
				    string_array(u->trusted_networks, u->ntrusted_networks));
	if (u->country)
		json_object_set_new(o, "country", json_string(u->country));
	return o;
}

int export_requests(FILE *f, const struct gen_tenant *t, const struct gen_request *req, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct gen_request *q = &req[i];
		json_t *o = json_object();
		if (!o)
			return -1;
		json_object_set_new(o, "host", json_stringn(q->host, q->hostlen));
		json_object_set_new(o, "port", json_integer(q->port));
		json_object_set_new(o, "proto", json_string(q->proto == BCP_UDP ? "udp" : "tcp"));
		json_object_set_new(o, "user", user_json(gen_user(t, q->user)));
		char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		if (!line)
			return -1;
		int bad = fprintf(f, "%s\n", line) < 0;
		free(line);
		if (bad)
			return -1;
	}
	return fflush(f) == 0 ? 0 : -1;
}
