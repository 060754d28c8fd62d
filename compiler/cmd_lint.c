/* cmd_lint.c - `bcpc lint`: prints the findings of compiler/analysis/lint.c like
 * the compiler's diagnostics (file:line:col, the line, a caret, a hint), or as
 * JSON. Exit 0 clean, 1 findings at or above --fail-on, 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "bcp_format.h"
#include "cli.h"
#include "frontend.h"
#include "analysis/lint.h"

struct user_json {
	json_t *obj;
	const struct bcpf_attr *row;
};

static int put_value(void *ctx, const char *name, const char *value)
{
	struct user_json *uj = ctx;
	json_t *slot = json_object_get(uj->obj, uj->row->json_key);
	if (uj->row->shape == BCPF_ONE) {
		json_object_set_new(uj->obj, uj->row->json_key, json_string(value));
		return 0;
	}
	if (!slot) {
		slot = uj->row->shape == BCPF_MAP ? json_object() : json_array();
		json_object_set_new(uj->obj, uj->row->json_key, slot);
	}
	if (uj->row->shape == BCPF_MAP) {
		json_t *list = json_object_get(slot, name);
		if (!list)
			json_object_set_new(slot, name, list = json_array());
		slot = list;
	}
	json_array_append_new(slot, json_string(value));
	return 0;
}

/* A user as the JSON object `bcpc query --user` and `bcpc explain --user` read. */
static json_t *user_json(const struct bcp_user_info *u)
{
	struct user_json uj = { json_object(), NULL };
	for (unsigned k = 1; k <= BCPF_P_MAX; k++) {
		uj.row = bcpf_attr(k);
		bcpf_user_each(u, k, put_value, &uj);
	}
	return uj.obj;
}

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
		json_object_set_new(o, "user", user_json(&w->user));
		json_array_append_new(a, o);
	}
	return a;
}

int cmd_lint(int argc, char **argv)
{
	char **files = calloc((size_t)argc, sizeof *files);
	int nfiles = 0, json = 0, fail_on = 0, rc = 0;   /* fail_on: 0 warning, 1 note, 2 never */
	struct lint_opts o = { 0 };
	if (!files)
		return 1;
	for (int i = 1; i < argc && rc == 0; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--fail-on") && i + 1 < argc) {
			const char *v = argv[++i];
			fail_on = !strcmp(v, "warning") ? 0 : !strcmp(v, "note") ? 1 :
				  !strcmp(v, "never") ? 2 : -1;
			if (fail_on < 0)
				rc = usage_error("lint", "--fail-on takes warning, note or never");
		} else if (!strcmp(argv[i], "--budget") && i + 1 < argc) {
			if (parse_u64(argv[++i], &o.budget) || !o.budget)
				rc = usage_error("lint", "--budget takes a positive number of solver steps");
		} else if (argv[i][0] == '-' && argv[i][1])
			rc = usage_error("lint", "unknown option '%.200s'", argv[i]);
		else
			files[nfiles++] = argv[i];
	}
	if (rc == 0 && nfiles == 0)
		rc = usage_error("lint", "give the policy files");
	if (rc) {
		free(files);
		return rc;
	}
	struct arena a;
	struct diags d, out;
	struct lint_result res;
	arena_init(&a, NULL);
	diags_init(&d, &a);
	diags_init(&out, &a);
	struct model *m = load_policy(files, nfiles, &a, &d);
	diags_print(&d, stderr);
	if (!m || lint_policy(m, &o, &a, &res) != 0) {
		if (m)
			fprintf(stderr, "bcpc lint: out of memory\n");
		rc = 1;
		goto done;
	}
	unsigned nwarn = 0, nnote = 0;
	json_t *all = json_array();
	for (uint32_t i = 0; i < res.n; i++) {
		const struct lint_finding *f = &res.f[i];
		int sev = lint_kind_severity(f->kind);
		nwarn += sev == 0;
		nnote += sev == 1;
		if (json)
			json_array_append_new(all, lint_finding_json(m, f));
		else {
			char *text = lint_finding_text(f);
			diag_add(&out, sev ? SEV_NOTE : SEV_WARNING, f->loc, f->hint, "%s",
				 text ? text : "out of memory");
			free(text);
		}
	}
	if (json) {
		json_t *root = json_object();
		json_object_set_new(root, "findings", all);
		json_object_set_new(root, "warnings", json_integer(nwarn));
		json_object_set_new(root, "notes", json_integer(nnote));
		json_object_set_new(root, "live_rules", witnesses_json(m, &res));
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(root);
	} else {
		json_decref(all);
		diags_print(&out, stdout);
		printf("%u warning%s, %u note%s\n", nwarn, nwarn == 1 ? "" : "s", nnote,
		       nnote == 1 ? "" : "s");
	}
	rc = (fail_on == 0 && nwarn) || (fail_on == 1 && (nwarn || nnote)) ? 1 : 0;
done:
	if (fflush(stdout) != 0)
		rc = 1;
	arena_free(&a);
	free(files);
	return rc;
}
