/* zpa_import.c - the importer's one entry point: read, translate, write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zpa.h"

/* "    key \"value\";" with the value quoted as a .bcl string. */
static json_t *bc_line(const char *key, const char *value)
{
	char buf[1200];
	size_t k = (size_t)snprintf(buf, sizeof buf, "    %s \"", key);
	for (const char *p = value; *p && k + 4 < sizeof buf; p++) {
		if (*p == '"' || *p == '\\')
			buf[k++] = '\\';
		buf[k++] = *p;
	}
	snprintf(buf + k, sizeof buf - k, "\";");
	return json_string(buf);
}

/* The business_continuity block: the export's lines, the command line's added. */
static void bc_block(struct zpa_out *o, const struct zpa_bc_opts *bc)
{
	json_t *lines, *v;
	size_t i;
	if (!bc || !bc->ncontrollers || !bc->sni)
		return;
	lines = json_array();
	if (bc->domain)
		json_array_append_new(lines, bc_line("domain", bc->domain));
	json_array_foreach(o->bc_comments, i, v)
		if (!bc->domain || strncmp(json_string_value(v), "    domain ", 11))
			json_array_append(lines, v);
	for (i = 0; i < bc->ncontrollers; i++)
		json_array_append_new(lines, bc_line("controller", bc->controllers[i]));
	json_array_append_new(lines, bc_line("sni", bc->sni));
	if (bc->sni_new_user)
		json_array_append_new(lines, bc_line("sni_new_user", bc->sni_new_user));
	if (bc->sp_url)
		json_array_append_new(lines, bc_line("sp_url", bc->sp_url));
	if (bc->sp_ca_file)
		json_array_append_new(lines, bc_line("sp_ca_file", bc->sp_ca_file));
	json_decref(o->bc_comments);
	o->bc_comments = lines;
	o->bc_block = 1;
}

int zpa_import(char *const *paths, int n, const struct zpa_bc_opts *bc, char **text,
	       size_t *len, json_t **report, struct zpa_err *e)
{
	struct zpa_tenant t;
	struct zpa_out o;
	int rc = 2;

	*text = NULL;
	*report = NULL;
	*len = 0;
	zpa_tenant_init(&t);
	if (zpa_read_paths(&t, paths, n, e) == 0 && zpa_translate(&t, &o, e) == 0) {
		rc = json_array_size(o.untranslated) ? 1 : 0;
		bc_block(&o, bc);
		*text = zpa_write_bcl(&o, len);
		*report = zpa_report(&o, rc);
		if (!*text || !*report) {
			free(*text);
			json_decref(*report);
			*text = NULL;
			*report = NULL;
			snprintf(e->msg, sizeof e->msg, "out of memory");
			rc = 2;
		}
		zpa_out_free(&o);
	}
	zpa_tenant_free(&t);
	return rc;
}
