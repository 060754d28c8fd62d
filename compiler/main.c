/* main.c - the bcpc command line: parses arguments and calls the stages.
 * Exit status: 0 success, 1 the input was refused (policy errors, verification),
 * 2 usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dump.h"
#include "frontend.h"

#define BCPC_VERSION "0.1.0"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static int usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "bcpc %s: %s\nTry 'bcpc %s --help'.\n", cmd, msg, cmd);
	return 2;
}

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

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
				char msg[300];
				snprintf(msg, sizeof msg, "unknown option '%.200s'", argv[i]);
				return usage_error(cmd, msg);
			}
			flags[k] = 1;
			continue;
		}
		files[(*nfiles)++] = argv[i];
	}
	if (*nfiles == 0)
		return usage_error(cmd, "no policy file given");
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

static int cmd_check(int argc, char **argv)
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

static int cmd_dump(int argc, char **argv)
{
	static const char *const known[] = { "--json", NULL };
	char **files = calloc((size_t)argc, sizeof *files);
	int nfiles, rc, flags[1] = { 0 };
	struct arena a;
	if (!files)
		return 1;
	rc = collect_files("dump", argc, argv, files, &nfiles, known, flags);
	if (!rc && !flags[0])
		rc = usage_error("dump", "say --json (JSON is the only dump format)");
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

static const struct command commands[] = {
	{ "check", cmd_check, "bcpc check FILE.bcl...",
	  "Reads the policy files as one policy, checks them and prints every error found\n"
	  "as file:line:col with the source line. On success prints a one-line summary.\n"
	  "Exit status: 0 valid, 1 the policy has errors, 2 usage error.\n" },
	{ "dump", cmd_dump, "bcpc dump FILE.bcl... --json",
	  "Checks the policy and prints the checked model as JSON: normalized names,\n"
	  "sorted patterns with their segments, resolved references. For tests and\n"
	  "debugging; the keys are stable.\n" },
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static void usage(FILE *out)
{
	fprintf(out, "bcpc %s - Business Continuity Policy Compiler for ZPA\n\nusage:\n",
		BCPC_VERSION);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fprintf(out, "\n'bcpc COMMAND --help' says more about each. docs/LANGUAGE.md describes the\n"
		     "policy language.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("bcpc %s\n", BCPC_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		if (wants_help(argc - 1, argv + 1)) {
			printf("usage: %s\n\n%s", commands[i].usage, commands[i].help);
			return 0;
		}
		return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "bcpc: unknown command '%.200s'\n", argv[1]);
	usage(stderr);
	return 2;
}
