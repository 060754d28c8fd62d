/* cmd_lint.c - `bcpc lint`: prints the findings of compiler/analysis/lint.c like
 * the compiler's diagnostics (file:line:col, the line, a caret, a hint), or as
 * JSON. Exit 0 clean, 1 findings at or above --fail-on, 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "bcp_format.h"
#include "cli.h"
#include "request.h"
#include "frontend.h"
#include "analysis/lint.h"

/* The rules lint found live, each with a request and user it decides. */
static json_t *witnesses_json(const struct model *m, const struct lint_result *res)
{
	json_t *a = json_array();
	for (uint32_t r = 0; r < m->nrules; r++) {
		const struct lint_witness *w = &res->witness[r];
		if (res->dead[r] || !w->found)
			continue;
		json_t *o = json_object();
		char target[300];
		snprintf(target, sizeof target, strchr(w->host, ':') ? "[%s]:%u/%s" : "%s:%u/%s",
			 w->host, w->port, w->proto == BCP_UDP ? "udp" : "tcp");
		json_object_set_new(o, "rule", json_string(m->rules[r].name));
		json_object_set_new(o, "request", json_string(target));
		json_object_set_new(o, "user", request_user_json(&w->user, 0));
		json_array_append_new(a, o);
	}
	return a;
}

struct lint_args {
	char **files;
	int nfiles, json;
	int fail_on;                 /* 0 warning, 1 note, 2 never */
	struct lint_opts o;
};

static int lint_args(int argc, char **argv, struct lint_args *q)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			q->json = 1;
		} else if (!strcmp(argv[i], "--fail-on") && i + 1 < argc) {
			const char *v = argv[++i];
			q->fail_on = !strcmp(v, "warning") ? 0 : !strcmp(v, "note") ? 1 :
				     !strcmp(v, "never") ? 2 : -1;
			if (q->fail_on < 0)
				return usage_error("lint", "--fail-on takes warning, note or never");
		} else if (!strcmp(argv[i], "--budget") && i + 1 < argc) {
			if (parse_u64(argv[++i], &q->o.budget) || !q->o.budget)
				return usage_error("lint", "--budget takes a positive number of solver steps");
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error("lint", "unknown option '%.200s'", argv[i]);
		} else {
			q->files[q->nfiles++] = argv[i];
		}
	}
	return q->nfiles ? 0 : usage_error("lint", "give the policy files");
}

struct counts {
	unsigned warnings, notes;
};

static struct counts count(const struct lint_result *res)
{
	struct counts n = { 0, 0 };
	for (uint32_t i = 0; i < res->n; i++) {
		int note = lint_kind_severity(res->f[i].kind);
		n.warnings += !note;
		n.notes += note;
	}
	return n;
}

/* The findings as diagnostics (file:line:col, the line, a caret, the hint), then
 * the counts. */
static void print_text(const struct lint_result *res, struct counts n, struct arena *a)
{
	struct diags out;
	diags_init(&out, a);
	for (uint32_t i = 0; i < res->n; i++) {
		const struct lint_finding *f = &res->f[i];
		char *text = lint_finding_text(f);
		diag_add(&out, lint_kind_severity(f->kind) ? SEV_NOTE : SEV_WARNING, f->loc, f->hint,
			 "%s", text ? text : f->message);
		free(text);
	}
	diags_print(&out, stdout);
	printf("%u warning%s, %u note%s\n", n.warnings, n.warnings == 1 ? "" : "s", n.notes,
	       n.notes == 1 ? "" : "s");
}

static void print_json(const struct model *m, const struct lint_result *res, struct counts n)
{
	json_t *root = json_object(), *all = json_array();
	for (uint32_t i = 0; i < res->n; i++)
		json_array_append_new(all, lint_finding_json(m, &res->f[i]));
	json_object_set_new(root, "findings", all);
	json_object_set_new(root, "warnings", json_integer(n.warnings));
	json_object_set_new(root, "notes", json_integer(n.notes));
	json_object_set_new(root, "live_rules", witnesses_json(m, res));
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(root);
}

/* Reads, lints and prints; the exit status by --fail-on. */
static int lint_files(const struct lint_args *q)
{
	struct arena a;
	struct diags d;
	struct lint_result res;
	int rc = 1;
	arena_init(&a, NULL);
	diags_init(&d, &a);
	struct model *m = load_policy(q->files, q->nfiles, &a, &d);
	diags_print(&d, stderr);
	if (m && lint_policy(m, &q->o, &a, &res) == 0) {
		struct counts n = count(&res);
		if (q->json)
			print_json(m, &res, n);
		else
			print_text(&res, n, &a);
		rc = (q->fail_on == 0 && n.warnings) || (q->fail_on == 1 && (n.warnings || n.notes));
	} else if (m) {
		fprintf(stderr, "bcpc lint: out of memory\n");
	}
	arena_free(&a);
	return rc;
}

int cmd_lint(int argc, char **argv)
{
	struct lint_args q = { .files = calloc((size_t)argc, sizeof *q.files) };
	if (!q.files)
		return 1;
	int rc = lint_args(argc, argv, &q);
	if (rc == 0)
		rc = lint_files(&q);
	if (rc != 2 && fflush(stdout) != 0)
		rc = 1;
	free(q.files);
	return rc;
}
