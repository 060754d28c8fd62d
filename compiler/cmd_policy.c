/* cmd_policy.c - the commands that read policy sources: check and dump. */
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

static struct model *load_and_report(char **files, int nfiles, struct arena *a)
{
	struct diags d;
	diags_init(&d, a);
	struct model *m = load_policy(files, nfiles, a, &d);
	diags_print(&d, stderr);
	return m;
}

int cmd_check(int argc, char **argv)
{
	char **files = calloc((size_t)argc, sizeof *files);
	int nfiles, rc, flags[1];
	struct arena a;
	if (!files)
		return 1;
	rc = collect_files("check", argc, argv, files, &nfiles, NULL, flags);
	if (rc) {
		free(files);
		return rc;
	}
	arena_init(&a, NULL);
	struct model *m = load_and_report(files, nfiles, &a);
	if (m) {
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
	struct model *m = load_and_report(files, nfiles, &a);
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

