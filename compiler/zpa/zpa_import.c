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

/* The admin's value of key (zpa_admin_bc), or NULL. */
static const char *admin_value(const struct zpa_bc_opts *bc, const char *key)
{
	for (size_t i = 0; i < bc->nadmin; i++)
		if (!strcmp(bc->admin[i].key, key))
			return bc->admin[i].text;
	return NULL;
}

/* Line is "    key ...": its key is key. */
static int line_key_is(const char *line, const char *key)
{
	size_t n = strlen(key);
	return !strncmp(line + 4, key, n) && line[4 + n] == ' ';
}

/* An export line the command line or the admin's file replaces: left out, and the
 * admin's replacement said in the report. */
static int replaced(struct zpa_out *o, const struct zpa_bc_opts *bc, const char *line)
{
	static const char *const keys[] = { "domain", "enter_after", "exit_mode", "exit_after" };
	if (bc->domain && line_key_is(line, "domain"))
		return 1;
	for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
		const char *v = admin_value(bc, keys[k]);
		if (!v || !line_key_is(line, keys[k]))
			continue;
		json_t *w = json_object();
		json_object_set_new(w, "kind", json_string("business continuity settings"));
		json_object_set_new(w, "zpa_id", json_null());
		json_object_set_new(w, "name", json_null());
		json_object_set_new(w, "what", json_sprintf("%s %s from %s replaces the export's "
				    "line \"%s\"", keys[k], v, bc->admin_path, line + 4));
		json_array_append_new(o->warnings, w);
		return 1;
	}
	return 0;
}

/* The business_continuity block: the export's lines, then the command line's, then
 * the admin's file's (docs/IMPORT.md 4.4). Written only when controllers and sni
 * are given, since a block without them does not check. */
static void bc_block(struct zpa_out *o, const struct zpa_bc_opts *bc)
{
	json_t *lines, *v;
	size_t i;
	if (!bc || !(bc->ncontrollers || admin_value(bc, "controller")) ||
	    !(bc->sni || admin_value(bc, "sni")))
		return;
	lines = json_array();
	if (bc->domain)
		json_array_append_new(lines, bc_line("domain", bc->domain));
	json_array_foreach(o->bc_comments, i, v)
		if (!replaced(o, bc, json_string_value(v)))
			json_array_append(lines, v);
	for (i = 0; i < bc->ncontrollers; i++)
		json_array_append_new(lines, bc_line("controller", bc->controllers[i]));
	if (bc->sni)
		json_array_append_new(lines, bc_line("sni", bc->sni));
	if (bc->sni_new_user)
		json_array_append_new(lines, bc_line("sni_new_user", bc->sni_new_user));
	if (bc->sp_url)
		json_array_append_new(lines, bc_line("sp_url", bc->sp_url));
	if (bc->sp_ca_file)
		json_array_append_new(lines, bc_line("sp_ca_file", bc->sp_ca_file));
	if (bc->nadmin)
		json_array_append_new(lines, json_sprintf("    # from %s:", bc->admin_path));
	for (i = 0; i < bc->nadmin; i++)
		json_array_append_new(lines, json_sprintf("    %s %s;", bc->admin[i].key,
							  bc->admin[i].text));
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
		if (bc && bc->admin_path)
			json_array_append_new(o.inputs, json_pack("{s:s, s:s, s:s, s:i}", "path",
				bc->admin_path, "sha256", bc->admin_sha256, "kind",
				"business_continuity (.bcl)", "objects", 1));
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
