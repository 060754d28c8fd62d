/* cmd_policy.c - the commands that read policy sources: check and dump. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "dump.h"
#include "frontend.h"

/* Splits argv[1..] into source files and flags; flags other than known[] are errors. */
static int collect_files(const char *cmd, int argc, char **argv, char **files, int *nfiles,
			 const char *const *known, int *flags)
{
	*nfiles = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1]) {
			int k;
			for (k = 0; known && known[k] && strcmp(argv[i], known[k]); k++)
				;
			if (!known || !known[k]) {
				return usage_error(cmd, "unknown option '%.200s'", argv[i]);
			}
			flags[k] = 1;
			continue;
		}
		files[(*nfiles)++] = argv[i];
	}
	if (*nfiles == 0)
		return usage_error(cmd, "%s", "no policy file given");
	return 0;
}

/* A JSON string of s; text that is not UTF-8 (a path may be anything) gets '?' for
 * each byte above 0x7f rather than being dropped. */
static json_t *jtext(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	char *copy = strdup(s);
	if (!copy)
		return json_null();
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j ? j : json_null();
}

/* One diagnostic as a JSON line on stdout, for CI annotations:
 * {"file","line","column","end_column","severity","message","hint"}, with null for
 * what it lacks. */
static void diag_json_line(const struct diag *g, void *ctx)
{
	static const char *const sevname[] = { "error", "warning", "note" };
	const struct loc *l = &g->loc;
	json_t *o = json_object();
	(void)ctx;
	if (!o)
		return;
	json_object_set_new(o, "file", l->src ? jtext(l->src->path) : json_null());
	json_object_set_new(o, "line", l->src && l->line > 0 ? json_integer(l->line) : json_null());
	json_object_set_new(o, "column", l->src && l->line > 0 ? json_integer(l->col) : json_null());
	json_object_set_new(o, "end_column", l->src && l->line > 0 ?
			    json_integer(l->col + (l->len > 0 ? l->len : 1)) : json_null());
	json_object_set_new(o, "severity", json_string(sevname[g->sev]));
	json_object_set_new(o, "message", jtext(g->msg));
	json_object_set_new(o, "hint", g->hint ? jtext(g->hint) : json_null());
	json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	putchar('\n');
	json_decref(o);
}

/* Loads the policy and reports its diagnostics: as text on stderr, or (json) as
 * JSON lines on stdout. */
static struct model *load_and_report(char **files, int nfiles, struct arena *a, int json)
{
	struct diags d;
	diags_init(&d, a);
	struct model *m = load_policy(files, nfiles, a, &d);
	if (json)
		diags_each(&d, diag_json_line, NULL);
	else
		diags_print(&d, stderr);
	return m;
}

int cmd_check(int argc, char **argv)
{
	static const char *const known[] = { "--json", NULL };
	char **files = calloc((size_t)argc, sizeof *files);
	int nfiles, rc, flags[1] = { 0 };
	struct arena a;
	if (!files)
		return 1;
	rc = collect_files("check", argc, argv, files, &nfiles, known, flags);
	if (rc) {
		free(files);
		return rc;
	}
	arena_init(&a, NULL);
	struct model *m = load_and_report(files, nfiles, &a, flags[0]);
	if (m && !flags[0]) {
		uint32_t enabled = 0;
		for (uint32_t i = 0; i < m->nsegments; i++)
			enabled += m->segments[i].enabled;
		printf("ok: %u segments (%u enabled) in %u groups, %u patterns (%u host, %u address), "
		       "%u rules, %u app profiles\n",
		       m->nsegments, enabled, m->ngroups, m->npatterns, m->nhost_patterns,
		       m->npatterns - m->nhost_patterns, m->nrules, m->nprofiles);
	}
	arena_free(&a);
	free(files);
	return m ? 0 : 1;
}

int cmd_dump(int argc, char **argv)
{
	static const char *const known[] = { "--json", NULL };
	char **files = calloc((size_t)argc, sizeof *files);
	int nfiles, rc, flags[1] = { 0 };
	struct arena a;
	if (!files)
		return 1;
	/* JSON is the only dump format: --json is accepted, and the default. */
	rc = collect_files("dump", argc, argv, files, &nfiles, known, flags);
	if (rc) {
		free(files);
		return rc;
	}
	arena_init(&a, NULL);
	struct model *m = load_and_report(files, nfiles, &a, 0);
	rc = 1;
	if (m) {
		json_t *j = model_to_json(m);
		if (j && json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0) {
			putchar('\n');
			rc = 0;
		} else {
			fprintf(stderr, "bcpc dump: out of memory\n");
		}
		json_decref(j);
	}
	arena_free(&a);
	free(files);
	return rc;
}

