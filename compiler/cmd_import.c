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

int cmd_import(int argc, char **argv)
{
	const char *out = NULL, *report_path = NULL;
	char **paths = calloc((size_t)argc + 1, sizeof *paths);
	int n = 0, rc;
	char *text = NULL, err[512], tmp[4200];
	size_t len = 0;
	json_t *report = NULL;
	struct zpa_err e = { { 0 } };
	struct zpa_bc_opts bc;
	char ca_abs[PATH_MAX];

	memset(&bc, 0, sizeof bc);

	if (!paths)
		return 2;
	if (argc < 2 || strcmp(argv[1], "zpa")) {
		free(paths);
		return usage_error("import", "%s", argc < 2 ? "say what to import from: zpa" :
				   "the only source is 'zpa'");
	}
	static const struct { const char *flag; size_t off; } bc_flags[] = {
		{ "--domain", offsetof(struct zpa_bc_opts, domain) },
		{ "--sni", offsetof(struct zpa_bc_opts, sni) },
		{ "--sni-new-user", offsetof(struct zpa_bc_opts, sni_new_user) },
		{ "--sp-url", offsetof(struct zpa_bc_opts, sp_url) },
		{ "--sp-ca-file", offsetof(struct zpa_bc_opts, sp_ca_file) },
	};
	for (int i = 2; i < argc; i++) {
		size_t f;
		for (f = 0; f < sizeof bc_flags / sizeof *bc_flags && strcmp(argv[i], bc_flags[f].flag); f++)
			;
		int takes = !strcmp(argv[i], "-o") || !strcmp(argv[i], "--report") ||
			    !strcmp(argv[i], "--controller") || f < sizeof bc_flags / sizeof *bc_flags;
		if (takes && i + 1 >= argc) {
			free(paths);
			return usage_error("import", "%s needs a value", argv[i]);
		}
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--report")) {
			*(argv[i][1] == 'o' ? &out : &report_path) = argv[i + 1];
			i++;
		} else if (!strcmp(argv[i], "--controller")) {
			if (bc.ncontrollers == sizeof bc.controllers / sizeof *bc.controllers) {
				free(paths);
				return usage_error("import", "%s", "too many --controller");
			}
			bc.controllers[bc.ncontrollers++] = argv[++i];
		} else if (f < sizeof bc_flags / sizeof *bc_flags) {
			*(const char **)((char *)&bc + bc_flags[f].off) = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			free(paths);
			return usage_error("import", "unknown option '%.200s'", argv[i]);
		} else {
			paths[n++] = argv[i];
		}
	}
	if (!n || !out) {
		free(paths);
		return usage_error("import", "%s", !n ? "no export file or folder given" :
				   "say where to write the policy: -o POLICY.bcl");
	}
	if ((bc.ncontrollers || bc.sni) && !(bc.ncontrollers && bc.sni)) {
		free(paths);
		return usage_error("import", "%s", "business_continuity needs both --controller and --sni");
	}
	if (bc.sp_ca_file) {   /* the policy finds it relative to itself: make it absolute */
		if (!realpath(bc.sp_ca_file, ca_abs)) {
			free(paths);
			return usage_error("import", "cannot read --sp-ca-file %.200s", bc.sp_ca_file);
		}
		bc.sp_ca_file = ca_abs;
	}
	rc = zpa_import(paths, n, &bc, &text, &len, &report, &e);
	free(paths);
	if (rc == 2) {
		fprintf(stderr, "bcpc import zpa: %s\n", e.msg);
		return 2;
	}

	/* Checked where it is written, then moved into place. */
	snprintf(tmp, sizeof tmp, "%s.import-tmp", out);
	if (write_file_atomic(tmp, (const uint8_t *)text, len, err, sizeof err) != 0) {
		fprintf(stderr, "bcpc import zpa: %s\n", err);
		rc = 2;
		goto done;
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
		rc = 2;
		goto done;
	}
	arena_free(&a);
	if (rename(tmp, out) != 0) {
		perror(out);
		unlink(tmp);
		rc = 2;
		goto done;
	}
	if (report_path) {
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
	}
	if (rc != 2) {
		size_t nu = json_array_size(json_object_get(report, "untranslated"));
		json_t *o = json_object_get(report, "output");
		fprintf(stderr, "bcpc import zpa: %lld segments, %lld rules written to %s; %zu item(s) "
			"not translated%s\n",
			(long long)json_integer_value(json_object_get(o, "segments")),
			(long long)json_integer_value(json_object_get(o, "rules")), out, nu,
			nu ? (report_path ? " (see the report)" : " (use --report to list them)") : "");
	}
done:
	free(text);
	json_decref(report);
	return rc;
}
