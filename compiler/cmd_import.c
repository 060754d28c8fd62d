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
#include "ast.h"
#include "file.h"
#include "cli.h"
#include "diag.h"
#include "frontend.h"
#include "zpa.h"

struct import_args {
	const char *out, *report_path;
	char **paths;      /* argc + 1 slots, owned by cmd_import */
	int n;
	struct zpa_bc_opts bc;
	char ca_abs[PATH_MAX];   /* bc.sp_ca_file points here once made absolute */
	const char *bc_from;     /* --bc-from ADMIN.bcl */
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
			    !strcmp(argv[i], "--controller") || !strcmp(argv[i], "--bc-from") ||
			    f < sizeof bc_flags / sizeof *bc_flags;
		if (takes && i + 1 >= argc)
			return usage_error("import", "%s needs a value", argv[i]);
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--report")) {
			*(argv[i][1] == 'o' ? &a->out : &a->report_path) = argv[i + 1];
			i++;
		} else if (!strcmp(argv[i], "--bc-from")) {
			a->bc_from = argv[++i];
		} else if (!strcmp(argv[i], "--controller")) {
			if (bc->ncontrollers == sizeof bc->controllers / sizeof *bc->controllers)
				return usage_error("import", "%s", "too many --controller");
			bc->controllers[bc->ncontrollers++] = argv[++i];
		} else if (f < sizeof bc_flags / sizeof *bc_flags) {
			*(const char **)((char *)bc + bc_flags[f].off) = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error("import", "unknown option '%.200s'", argv[i]);
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
	if (a->bc_from && (a->bc.ncontrollers || a->bc.sni || a->bc.sni_new_user || a->bc.domain ||
			   a->bc.sp_url || a->bc.sp_ca_file))
		return usage_error("import", "%s", "give business_continuity either in --bc-from or "
				   "with --controller, --sni and the rest, not both");
	if ((a->bc.ncontrollers || a->bc.sni) && !(a->bc.ncontrollers && a->bc.sni))
		return usage_error("import", "%s", "business_continuity needs both --controller and --sni");
	if (a->bc.sp_ca_file) {   /* the policy finds it relative to itself: make it absolute */
		if (!realpath(a->bc.sp_ca_file, a->ca_abs))
			return usage_error("import", "cannot read --sp-ca-file %.200s", a->bc.sp_ca_file);
		a->bc.sp_ca_file = a->ca_abs;
	}
	return 0;
}

/* ---- --bc-from: the business_continuity block of an admin-written .bcl ---- */

static void add_quoted(char *buf, size_t cap, size_t *k, const char *s, size_t n)
{
	if (*k + 1 < cap)
		buf[(*k)++] = '"';
	for (size_t i = 0; i < n && *k + 3 < cap; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf[(*k)++] = '\\';
		buf[(*k)++] = s[i];
	}
	if (*k + 1 < cap)
		buf[(*k)++] = '"';
	buf[*k < cap ? *k : cap - 1] = '\0';
}

/* One value as it is written in a .bcl (the checker checks it again in the output). */
static void add_value(char *buf, size_t cap, size_t *k, const struct value *v)
{
	if (v->kind == VAL_STRING) {
		add_quoted(buf, cap, k, v->s, v->len);
		return;
	}
	static const struct { unsigned long long s; char u; } units[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };
	size_t u = 0;
	while (v->kind == VAL_DURATION && u < 3 && (v->a == 0 || v->a % units[u].s))
		u++;
	int n = v->kind == VAL_INT ? snprintf(buf + *k, cap - *k, "%llu", (unsigned long long)v->a) :
		v->kind == VAL_DURATION ? snprintf(buf + *k, cap - *k, "%llu%c",
						   (unsigned long long)v->a / units[u].s, units[u].u) :
		v->kind == VAL_RANGE ? snprintf(buf + *k, cap - *k, "%llu-%llu", (unsigned long long)v->a,
						 (unsigned long long)v->b) :
		snprintf(buf + *k, cap - *k, "%.*s", (int)v->len, v->s);   /* word, address */
	*k = n > 0 && (size_t)n < cap - *k ? *k + (size_t)n : cap - 1;
}

/* sp_ca_file is found relative to the policy that names it: made absolute from the
 * admin file's folder. 0, or -1 (reported). */
static int rebase_ca(const char *admin, const struct value *v, char *out, size_t cap)
{
	char rel[PATH_MAX * 2], abs[PATH_MAX];
	const char *slash = strrchr(admin, '/');
	if (v->kind != VAL_STRING || v->s[0] == '/' || !slash)
		snprintf(rel, sizeof rel, "%s", v->kind == VAL_STRING ? v->s : "");
	else
		snprintf(rel, sizeof rel, "%.*s/%s", (int)(slash - admin), admin, v->s);
	if (!realpath(rel, abs)) {
		fprintf(stderr, "bcpc import zpa: %s: cannot read sp_ca_file %s\n", admin, rel);
		return -1;
	}
	snprintf(out, cap, "    sp_ca_file ");
	size_t k = strlen(out);
	add_quoted(out, cap, &k, abs, strlen(abs));
	snprintf(out + k, cap - k, ";");
	return 0;
}

/* The properties of the one business_continuity block of path as lines
 * "    key value, ...;": 0, or 2 (reported). The file may hold nothing else. */
static int bc_from_lines(const char *path, json_t *lines)
{
	struct arena a;
	struct diags d;
	struct source src;
	struct stmt *stmts = NULL;
	const struct stmt *bc = NULL;
	int rc = 2;
	arena_init(&a, NULL);
	diags_init(&d, &a);
	if (read_file(&a, path, BCL_MAX_SOURCE, &src) != 0) {
		fprintf(stderr, "bcpc import zpa: cannot read --bc-from %s\n", path);
		goto out;
	}
	if (parse_source(&src, &a, &d, &stmts) != 0) {
		diags_print(&d, stderr);
		goto out;
	}
	for (const struct stmt *s = stmts; s; s = s->next) {
		if (s->kind != ST_BC || bc) {
			fprintf(stderr, "bcpc import zpa: %s:%d: only one business_continuity block is "
				"taken from --bc-from; compile the rest next to the import\n", path,
				s->loc.line);
			goto out;
		}
		bc = s;
	}
	if (!bc) {
		fprintf(stderr, "bcpc import zpa: %s has no business_continuity block\n", path);
		goto out;
	}
	json_array_append_new(lines, json_sprintf("    # from --bc-from %s; the keys it does not "
						  "give from the BC settings export", path));
	for (const struct prop *p = bc->props; p; p = p->next) {
		char line[8192];
		for (const struct value *v = p->values; v; v = v->next)
			if (v->kind == VAL_LIST) {
				fprintf(stderr, "bcpc import zpa: %s:%d: '%s' takes no list\n", path,
					v->loc.line, p->key);
				goto out;
			}
		size_t k = (size_t)snprintf(line, sizeof line, "    %s ", p->key);
		if (!strcmp(p->key, "sp_ca_file") && p->values) {
			if (rebase_ca(path, p->values, line, sizeof line))
				goto out;
		} else {
			for (const struct value *v = p->values; v && k < sizeof line; v = v->next) {
				if (v != p->values)
					k += (size_t)snprintf(line + k, sizeof line - k, ", ");
				add_value(line, sizeof line, &k, v);
			}
			snprintf(line + (k < sizeof line ? k : sizeof line - 1),
				 sizeof line - (k < sizeof line ? k : sizeof line - 1), ";");
		}
		json_array_append_new(lines, json_string(line));
	}
	rc = 0;
out:
	arena_free(&a);
	return rc;
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
	rc = read_import_options(argc, argv, &a);
	if (!rc)
		rc = check_import_options(&a);
	if (!rc && a.bc_from) {
		a.bc.lines = json_array();
		rc = bc_from_lines(a.bc_from, a.bc.lines);
	}
	if (rc) {
		json_decref(a.bc.lines);
		free(a.paths);
		return rc;
	}
	rc = zpa_import(a.paths, a.n, &a.bc, &text, &len, &report, &e);
	json_decref(a.bc.lines);
	free(a.paths);
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
