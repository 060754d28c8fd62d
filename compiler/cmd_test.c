/* cmd_test.c - `bcpc test`: runs the policy's tests (policy_test.c) and reports
 * them: one line per failure, coverage, JUnit XML for CI, and the summary line.
 * `bcpc compile --test` runs the same (run_policy_tests) before it writes a blob. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "frontend.h"
#include "policy_test.h"

static void put_where(FILE *out, const struct loc *l)
{
	fprintf(out, "%s:%d", l->src && l->src->path ? l->src->path : "?", l->line);
}

static void print_failure(FILE *out, const struct ptest *t, const struct ptest_outcome *o)
{
	char want[800], rt[800], ref[800];
	ptest_answer_text(&t->want, t, want, sizeof want);
	ptest_answer_text(&o->runtime, t, rt, sizeof rt);
	ptest_answer_text(&o->reference, t, ref, sizeof ref);
	put_where(out, &t->loc);
	fprintf(out, ": test \"%s\": expected %s; got %s", t->name, want, rt);
	if (strcmp(rt, ref))
		fprintf(out, " (libbcp) but %s (reference evaluator)", ref);
	fputc('\n', out);
}

/* The enabled segments and the rules that no test reached (as decided by either). */
static void print_coverage(FILE *out, const struct model *m, const struct ptest_suite *s,
			   const struct ptest_outcome *o)
{
	char *seg = calloc(m->nsegments + 1, 1), *rule = calloc(m->nrules + 1, 1);
	unsigned nseg = 0, nrule = 0, missed = 0;
	if (!seg || !rule) {
		free(seg);
		free(rule);
		return;
	}
	for (uint32_t i = 0; i < s->n; i++) {
		const struct ptest_answer *a[2] = { &o[i].runtime, &o[i].reference };
		for (int k = 0; k < 2; k++) {
			if (a[k]->segment_index >= 0)
				seg[a[k]->segment_index] = 1;
			if (a[k]->rule_index >= 0)
				rule[a[k]->rule_index] = 1;
		}
	}
	for (uint32_t i = 0; i < m->nsegments; i++) {
		if (!m->segments[i].enabled)
			continue;
		nseg++;
		if (!seg[i]) {
			put_where(out, &m->segments[i].loc);
			fprintf(out, ": coverage: no test reaches segment \"%s\"\n", m->segments[i].name);
			missed++;
		}
	}
	for (uint32_t i = 0; i < m->nrules; i++) {
		nrule++;
		if (!rule[i]) {
			put_where(out, &m->rules[i].loc);
			fprintf(out, ": coverage: no test is decided by rule \"%s\"\n", m->rules[i].name);
			missed++;
		}
	}
	unsigned sr = 0, rr = 0;
	for (uint32_t i = 0; i < m->nsegments; i++)
		sr += m->segments[i].enabled && seg[i];
	for (uint32_t i = 0; i < m->nrules; i++)
		rr += rule[i];
	fprintf(out, "coverage: %u of %u segments, %u of %u rules\n", sr, nseg, rr, nrule);
	free(seg);
	free(rule);
}

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
				fputc(*s, f);
		}
	}
}

/* JUnit XML, as GitLab, Jenkins, Azure DevOps and GitHub read it: one testsuite,
 * one testcase per test (classname: its file), a <failure> for each failure. */
static int write_junit(const char *path, const struct ptest_suite *s,
		       const struct ptest_outcome *o, int failures)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuites tests=\"%u\" failures=\"%d\">\n"
		   "  <testsuite name=\"bcpc test\" tests=\"%u\" failures=\"%d\" errors=\"0\">\n",
		s->n, failures, s->n, failures);
	for (uint32_t i = 0; i < s->n; i++) {
		const struct ptest *t = &s->t[i];
		fputs("    <testcase name=\"", f);
		xml_text(f, t->name);
		fputs("\" classname=\"", f);
		xml_text(f, t->loc.src && t->loc.src->path ? t->loc.src->path : "tests");
		fprintf(f, "\" file=\"");
		xml_text(f, t->loc.src && t->loc.src->path ? t->loc.src->path : "");
		fprintf(f, "\" line=\"%d\"", t->loc.line);
		if (o[i].passed) {
			fputs("/>\n", f);
			continue;
		}
		char want[800], got[800], ref[800];
		ptest_answer_text(&t->want, t, want, sizeof want);
		ptest_answer_text(&o[i].runtime, t, got, sizeof got);
		ptest_answer_text(&o[i].reference, t, ref, sizeof ref);
		fputs(">\n      <failure message=\"expected ", f);
		xml_text(f, want);
		fputs("; got ", f);
		xml_text(f, got);
		fputs("\" type=\"mismatch\">libbcp: ", f);
		xml_text(f, got);
		fputs("\nreference evaluator: ", f);
		xml_text(f, ref);
		fputs("</failure>\n    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

int run_policy_tests(const struct model *m, const struct stmt *tests, struct arena *a,
		     struct diags *d, const struct test_opts *opts, FILE *out)
{
	struct ptest_suite s;
	char err[512];
	if (ptests_read(tests, m, a, d, &s) != 0)
		return -1;
	struct ptest_outcome *o = calloc(s.n ? s.n : 1, sizeof *o);
	if (!o)
		return -1;
	int failures = ptests_run(m, &s, o, err, sizeof err);
	if (failures < 0) {
		fprintf(stderr, "bcpc: %s\n", err);
		free(o);
		return -1;
	}
	for (uint32_t i = 0; i < s.n; i++)
		if (!o[i].passed)
			print_failure(out, &s.t[i], &o[i]);
	if (opts && opts->coverage)
		print_coverage(out, m, &s, o);
	if (opts && opts->junit && write_junit(opts->junit, &s, o, failures) != 0)
		failures = -1;
	if (failures >= 0)
		fprintf(out, "%u passed, %d failed\n", s.n - (unsigned)failures, failures);
	free(o);
	return failures;
}

int cmd_test(int argc, char **argv)
{
	char **files = calloc((size_t)argc, sizeof *files);
	struct test_opts opts = { 0 };
	int nfiles = 0, rc = 0;
	if (!files)
		return 1;
	for (int i = 1; i < argc && rc == 0; i++) {
		if (!strcmp(argv[i], "--junit") && i + 1 < argc)
			opts.junit = argv[++i];
		else if (!strcmp(argv[i], "--coverage"))
			opts.coverage = 1;
		else if (argv[i][0] == '-' && argv[i][1])
			rc = usage_error("test", "unknown option '%.200s'", argv[i]);
		else
			files[nfiles++] = argv[i];
	}
	if (rc == 0 && nfiles == 0)
		rc = usage_error("test", "give the policy files and the test files");
	if (rc) {
		free(files);
		return rc;
	}
	struct arena a;
	struct diags d;
	struct stmt *tests = NULL;
	arena_init(&a, NULL);
	diags_init(&d, &a);
	struct model *m = load_policy_tests(files, nfiles, &a, &d, &tests);
	if (m && !tests)
		diag_error(&d, loc_file(NULL), "no test blocks in the files given");
	int failures = m && tests ? run_policy_tests(m, tests, &a, &d, &opts, stdout) : -1;
	diags_print(&d, stderr);
	rc = failures == 0 ? 0 : 1;
	if (fflush(stdout) != 0)
		rc = 1;
	arena_free(&a);
	free(files);
	return rc;
}
