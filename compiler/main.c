/* main.c - the bcpc command line: parses arguments and calls the stages.
 * Exit status: 0 success, 1 the input was refused (policy errors, verification),
 * 2 usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define BCPC_VERSION "0.1.0"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
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
