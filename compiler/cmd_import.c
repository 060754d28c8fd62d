/* cmd_import.c - `bcpc import zpa`: a ZPA export to one .bcl policy and a report.
 * The importer is compiler/zpa/; this file is the command line around it. The policy
 * it writes is checked by the existing checker before it replaces POLICY.bcl, so a
 * policy that does not check is never written. */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "file.h"
#include "cli.h"
#include "diag.h"
#include "frontend.h"
#include "zpa.h"

struct import_args {
	const char *out, *report_path;
	const char *admin_bc;    /* a .bcl holding the admin's business_continuity, or NULL */
	char **paths;      /* argc + 1 slots, owned by cmd_import */
	int n;
	struct zpa_bc_opts bc;
	char ca_abs[PATH_MAX];   /* bc.sp_ca_file points here once made absolute */
};

/* The options after `import zpa`: 0, or the usage error's exit code. */
static int read_import_options(int argc, char **argv, struct import_args *a)
{
	static const struct { const char *flag; size_t off; } bc_flags[] = {
		{ "--domain", offsetof(struct zpa_bc_opts, domain) },
		{ "--sni", offsetof(struct zpa_bc_opts, sni) },
		{ "--sni-new-user", offsetof(struct zpa_bc_opts, sni_new_user) },
		{ "--sp-url", offsetof(struct zpa_bc_opts, sp_url) },
		{ "--sp-ca-file", offsetof(struct zpa_bc_opts, sp_ca_file) },
	};
	struct zpa_bc_opts *bc = &a->bc;
	for (int i = 2; i < argc; i++) {
		size_t f;
		for (f = 0; f < sizeof bc_flags / sizeof *bc_flags && strcmp(argv[i], bc_flags[f].flag); f++)
			;
		int takes = !strcmp(argv[i], "-o") || !strcmp(argv[i], "--report") ||
			    !strcmp(argv[i], "--controller") || f < sizeof bc_flags / sizeof *bc_flags;
		if (takes && i + 1 >= argc)
			return usage_error("import", "%s needs a value", argv[i]);
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--report")) {
			*(argv[i][1] == 'o' ? &a->out : &a->report_path) = argv[i + 1];
			i++;
		} else if (!strcmp(argv[i], "--controller")) {
			if (bc->ncontrollers == sizeof bc->controllers / sizeof *bc->controllers)
				return usage_error("import", "%s", "too many --controller");
			bc->controllers[bc->ncontrollers++] = argv[++i];
		} else if (f < sizeof bc_flags / sizeof *bc_flags) {
			*(const char **)((char *)bc + bc_flags[f].off) = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error("import", "unknown option '%.200s'", argv[i]);
		} else if (ends_with(argv[i], ".bcl")) {
			if (a->admin_bc)
				return usage_error("import", "%s", "give at most one .bcl of business_continuity");
			a->admin_bc = argv[i];
		} else {
			a->paths[a->n++] = argv[i];
		}
	}
	return 0;
}

/* What the options must say together: 0, or the usage error's exit code. */
static int check_import_options(struct import_args *a)
{
	if (!a->n || !a->out)
		return usage_error("import", "%s", !a->n ? "no export file or folder given" :
				   "say where to write the policy: -o POLICY.bcl");
	if (!a->admin_bc && (a->bc.ncontrollers || a->bc.sni) && !(a->bc.ncontrollers && a->bc.sni))
		return usage_error("import", "%s", "business_continuity needs both --controller and --sni");
	if (a->bc.sp_ca_file) {   /* the policy finds it relative to itself: make it absolute */
		if (!realpath(a->bc.sp_ca_file, a->ca_abs))
			return usage_error("import", "cannot read --sp-ca-file %.200s", a->bc.sp_ca_file);
		a->bc.sp_ca_file = a->ca_abs;
	}
	return 0;
}

/* The admin's business_continuity file: read, and checked against the command
 * line (a key in both is an error) and for controller and sni. 0, or 2. */
static int read_admin_bc(struct import_args *a, struct arena *ar)
{
	static const char *const cli_keys[] = { "domain", "controller", "sni", "sni_new_user",
						"sp_url", "sp_ca_file" };
	struct zpa_bc_opts *bc = &a->bc;
	const char *cli[] = { bc->domain, bc->ncontrollers ? "" : NULL, bc->sni, bc->sni_new_user,
			      bc->sp_url, bc->sp_ca_file };
	struct diags d;
	diags_init(&d, ar);
	if (zpa_admin_bc(a->admin_bc, ar, &d, bc)) {
		diags_print(&d, stderr);
		return 2;
	}
	int ctrl = bc->ncontrollers > 0, sni = bc->sni != NULL;
	for (size_t i = 0; i < bc->nadmin; i++) {
		for (size_t k = 0; k < sizeof cli_keys / sizeof *cli_keys; k++)
			if (cli[k] && !strcmp(bc->admin[i].key, cli_keys[k]))
				return usage_error("import", "'%s' is given both on the command line and "
						   "in %.200s: keep one", cli_keys[k], a->admin_bc);
		ctrl |= !strcmp(bc->admin[i].key, "controller");
		sni |= !strcmp(bc->admin[i].key, "sni");
	}
	if (!ctrl || !sni)
		return usage_error("import", "business_continuity needs a controller and an sni: "
				   "%.200s and the command line give no %s", a->admin_bc,
				   ctrl ? "sni" : "controller");
	return 0;
}

/* The policy text is checked where it is written, then moved into place: 0 or 2. */
static int write_checked_policy(const char *out, const char *text, size_t len)
{
	char err[512], tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.import-tmp", out);
	if (write_file_atomic(tmp, (const uint8_t *)text, len, err, sizeof err) != 0) {
		fprintf(stderr, "bcpc import zpa: %s\n", err);
		return 2;
	}
	struct arena a;
	struct diags d;
	char *files[1] = { tmp };
	arena_init(&a, NULL);
	diags_init(&d, &a);
	if (!load_policy(files, 1, &a, &d)) {
		diags_print(&d, stderr);
		fprintf(stderr, "bcpc import zpa: the imported policy does not check (above); "
				"nothing was written\n");
		unlink(tmp);
		arena_free(&a);
		return 2;
	}
	arena_free(&a);
	if (rename(tmp, out) != 0) {
		perror(out);
		unlink(tmp);
		return 2;
	}
	return 0;
}

/* The report as indented JSON with a final newline: 0 or 2. */
static int write_report(const char *report_path, const json_t *report)
{
	char err[512];
	int rc = 0;
	char *js = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	size_t jl = js ? strlen(js) : 0;
	char *grown = js ? realloc(js, jl + 2) : NULL;
	if (grown) {
		js = grown;
		js[jl++] = '\n';
	} else {
		free(js);
		js = NULL;
	}
	if (!js || write_file_atomic(report_path, (const uint8_t *)js, jl, err, sizeof err)) {
		fprintf(stderr, "bcpc import zpa: %s\n", js ? err : "out of memory");
		rc = 2;
	}
	free(js);
	return rc;
}

static void print_summary(const json_t *report, const char *out, const char *report_path)
{
	size_t nu = json_array_size(json_object_get(report, "untranslated"));
	json_t *o = json_object_get(report, "output");
	fprintf(stderr, "bcpc import zpa: %lld segments, %lld rules written to %s; %zu item(s) "
		"not translated%s\n",
		(long long)json_integer_value(json_object_get(o, "segments")),
		(long long)json_integer_value(json_object_get(o, "rules")), out, nu,
		nu ? (report_path ? " (see the report)" : " (use --report to list them)") : "");
}

int cmd_import(int argc, char **argv)
{
	struct import_args a;
	int rc;
	char *text = NULL;
	size_t len = 0;
	json_t *report = NULL;
	struct zpa_err e = { { 0 } };

	memset(&a, 0, sizeof a);
	a.paths = calloc((size_t)argc + 1, sizeof *a.paths);
	if (!a.paths)
		return 2;
	if (argc < 2 || strcmp(argv[1], "zpa")) {
		free(a.paths);
		return usage_error("import", "%s", argc < 2 ? "say what to import from: zpa" :
				   "the only source is 'zpa'");
	}
	struct arena ar;
	arena_init(&ar, NULL);
	rc = read_import_options(argc, argv, &a);
	if (!rc)
		rc = check_import_options(&a);
	if (!rc && a.admin_bc)
		rc = read_admin_bc(&a, &ar);
	if (rc) {
		free(a.paths);
		arena_free(&ar);
		return rc;
	}
	rc = zpa_import(a.paths, a.n, &a.bc, &text, &len, &report, &e);
	free(a.paths);
	arena_free(&ar);
	if (rc == 2) {
		fprintf(stderr, "bcpc import zpa: %s\n", e.msg);
		return 2;
	}
	if (write_checked_policy(a.out, text, len)) {
		rc = 2;
		goto done;
	}
	if (a.report_path && write_report(a.report_path, report))
		rc = 2;
	if (rc != 2)
		print_summary(report, a.out, a.report_path);
done:
	free(text);
	json_decref(report);
	return rc;
}
