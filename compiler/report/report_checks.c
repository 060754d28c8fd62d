/* report_checks.c - the report's checks: lint's findings in the words of `bcpc lint`
 * (lint_format.c), and the policy's tests as `bcpc test` ran them (policy_test.c),
 * each with its outcome through libbcp and through the reference evaluator. */
#include "report.h"
#include <stdlib.h>
#include <string.h>

static void finding_row(struct hbuf *h, const struct lint_finding *f)
{
	char *text = lint_finding_text(f);
	const char *sev = lint_severity_word(f->kind);
	hb_printf(h, "<tr><td class=\"%s\">%s</td><td>", sev, sev);
	hb_text(h, text ? text : "(out of memory)");
	h->failed |= !text;
	free(text);
	if (f->hint) {
		hb_raw(h, "<br><span class=\"muted\">hint: ");
		hb_text(h, f->hint);
		hb_raw(h, "</span>");
	}
	hb_raw(h, "</td><td class=\"mono\">");
	if (f->loc.src && f->loc.src->path)
		hb_textf(h, "%s:%d:%d", f->loc.src->path, f->loc.line, f->loc.col);
	hb_raw(h, "</td></tr>\n");
}

void report_lint(struct hbuf *h, const struct lint_result *r)
{
	unsigned nwarn = 0, nnote = 0;
	for (uint32_t i = 0; i < r->n; i++) {
		nwarn += lint_kind_severity(r->f[i].kind) == 0;
		nnote += lint_kind_severity(r->f[i].kind) == 1;
	}
	hb_printf(h, "<section id=\"lint\"><h2>Lint findings</h2>\n<p id=\"lint-summary\">"
		  "%u warning%s, %u note%s (as <code>bcpc lint</code> reports them; each is proved "
		  "over every segment and every user)</p>\n", nwarn, nwarn == 1 ? "" : "s", nnote,
		  nnote == 1 ? "" : "s");
	if (r->n) {
		hb_raw(h, "<table id=\"findings\"><thead><tr><th>Severity</th><th>Finding</th>"
			  "<th>Where</th></tr></thead>\n<tbody>\n");
		for (uint32_t i = 0; i < r->n; i++)
			finding_row(h, &r->f[i]);
		hb_raw(h, "</tbody></table>\n");
	}
	hb_raw(h, "</section>\n");
}

static void answer_cell(struct hbuf *h, const struct ptest_answer *a, const struct ptest *t)
{
	char buf[800];
	hb_raw(h, "<td><code>");
	hb_text(h, ptest_answer_text(a, t, buf, sizeof buf));
	hb_raw(h, "</code></td>");
}

static void test_row(struct hbuf *h, uint32_t i, const struct ptest *t,
		     const struct ptest_outcome *o)
{
	char rt[800], ref[800];
	hb_printf(h, "<tr class=\"%s\"><td>%u</td><td>", o->passed ? "test-pass" : "test-fail",
		  i + 1);
	hb_text(h, t->name);
	hb_printf(h, "</td><td class=\"%s\">%s</td><td><code>", o->passed ? "pass" : "fail",
		  o->passed ? "pass" : "FAIL");
	hb_textf(h, strchr(t->host, ':') ? "[%s]:%u/%s" : "%s:%u/%s", t->host, t->port,
		 t->proto == BCP_UDP ? "udp" : "tcp");
	hb_raw(h, "</code></td>");
	answer_cell(h, &t->want, t);
	answer_cell(h, &o->runtime, t);
	ptest_answer_text(&o->runtime, t, rt, sizeof rt);
	ptest_answer_text(&o->reference, t, ref, sizeof ref);
	if (strcmp(rt, ref))
		answer_cell(h, &o->reference, t);
	else
		hb_raw(h, "<td class=\"muted\">same</td>");
	hb_raw(h, "<td class=\"mono\">");
	if (t->loc.src && t->loc.src->path)
		hb_textf(h, "%s:%d", t->loc.src->path, t->loc.line);
	hb_raw(h, "</td></tr>\n");
}

void report_tests(struct hbuf *h, const struct ptest_suite *s, const struct ptest_outcome *o)
{
	unsigned failed = 0;
	for (uint32_t i = 0; i < s->n; i++)
		failed += !o[i].passed;
	hb_printf(h, "<section id=\"tests\"><h2>Tests</h2>\n<p id=\"tests-summary\" class=\"%s\">"
		  "%u passed, %u failed</p>\n<p class=\"muted\">Each test ran as <code>bcpc test"
		  "</code> runs it: through libbcp on a blob built in memory, and through the "
		  "reference evaluator; it passes when both give what it expects.</p>\n",
		  failed ? "fail" : "pass", s->n - failed, failed);
	hb_raw(h, "<table id=\"test-results\" data-sortable><thead><tr><th>#</th><th>Test</th>"
		  "<th>Result</th><th>Request</th><th>Expected</th><th>libbcp gave</th>"
		  "<th>Reference evaluator</th><th>Source</th></tr></thead>\n<tbody>\n");
	for (uint32_t i = 0; i < s->n; i++)
		test_row(h, i, &s->t[i], &o[i]);
	hb_raw(h, "</tbody></table>\n</section>\n");
}
