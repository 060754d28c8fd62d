/* zpa_import.c - the importer's one entry point: read, translate, write. */
#include <stdio.h>
#include <stdlib.h>
#include "zpa.h"

int zpa_import(char *const *paths, int n, char **text, size_t *len, json_t **report,
	       struct zpa_err *e)
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
