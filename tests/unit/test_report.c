/* test_report.c - the report's escaping (compiler/report/html.c), the policy text it
 * shows (policy_text.c, read back by the checker), and the diff section drawn from
 * documents built here in the shape of `bcpc diff --json`, hostile strings included.
 * The page of a whole policy is checked in a browser by tests/suites/report.sh. */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "frontend.h"
#include "report/html.h"
#include "policy_text.h"
#include "report/report.h"
#include "harness.h"

static const char hostile[] = "<script>alert(1)</script> \" ' & </td> <!-- \xe2\x80\xa8";

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_escape(void)
{
	struct hbuf h;
	hb_init(&h);
	hb_text(&h, hostile);
	CHECK(!strcmp(h.s, "&lt;script&gt;alert(1)&lt;/script&gt; &quot; &#39; &amp; &lt;/td&gt; "
			   "&lt;!-- \xe2\x80\xa8"));
	hb_free(&h);
	hb_init(&h);
	hb_text(&h, "a\x01" "b\x1b" "c\td\ne\x7f");   /* controls dropped, tab and newline kept */
	CHECK(!strcmp(h.s, "abc\td\ne"));
	hb_free(&h);
	hb_init(&h);
	hb_text(&h, NULL);
	hb_text(&h, "");
	CHECK(h.len == 0);
	hb_textf(&h, "%s=%d", "<x>", 5);
	CHECK(!strcmp(h.s, "&lt;x&gt;=5"));
	hb_free(&h);
	/* Long text grows the buffer and stays whole. */
	hb_init(&h);
	for (int i = 0; i < 5000; i++)
		hb_text(&h, "<&>");
	CHECK(!h.failed && h.len == 5000 * 13 && count(h.s, "&lt;&amp;&gt;") == 5000);
	hb_free(&h);
}

/* The rule's clauses as policy_text.c writes them, joined by "; ". */
static char *clauses_text(const struct model *m)
{
	struct ptext t = { 0 };
	for (uint32_t i = 0; i < m->rules[0].nclauses; i++) {
		if (i)
			pt_put(&t, "; ");
		pt_clause(&t, m, &m->rules[0].clauses[i], 0, 0);
	}
	return t.failed ? NULL : t.p;
}

/* A policy with the clause and its text as policy_text.c writes it (every atom form:
 * quoting, words, (not atom), from idp); the text is checked again and must give the
 * same clause text. */
static void test_clause_round_trip(void)
{
	const char *path = "build/tests/report_clause.bcl";
	FILE *f = fopen(path, "w");
	if (!CHECK(f))
		return;
	fputs("segment_group \"G\";\nsegment \"S\" { group \"G\"; domains \"a.example\"; tcp 443; }\n"
	      "access_policy { rule \"R\" allow { segment \"S\" or segment_group \"G\";\n"
	      "  saml \"a \\\"q\\\" \\\\ b\" = \"x<y\", \"z\" or platform windows, mac;\n"
	      "  not client_type browser_isolation; country \"kp\";\n"
	      "  (not posture \"p\" from idp \"okta\") or scim_group \"g\" from idp \"az\"; } }\n", f);
	fclose(f);
	struct arena a;
	struct diags d;
	arena_init(&a, NULL);
	diags_init(&d, &a);
	char *files[1] = { (char *)path };
	struct model *m = load_policy(files, 1, &a, &d);
	if (!CHECK(m && m->nrules == 1 && m->rules[0].nclauses == 5)) {
		diags_print(&d, stdout);
		arena_free(&a);
		return;
	}
	char *t = clauses_text(m);
	CHECK(t && !strcmp(t, "segment \"S\" or segment_group \"G\"; saml \"a \\\"q\\\" \\\\ b\" = "
			   "\"x<y\", \"z\" or platform windows, mac; not client_type "
			   "browser_isolation; country \"KP\"; (not posture \"p\" from idp \"okta\") or "
			   "scim_group \"g\" from idp \"az\""));
	/* Read back: the same text again. */
	f = fopen(path, "w");
	fprintf(f, "segment_group \"G\";\nsegment \"S\" { group \"G\"; domains \"a.example\"; "
		"tcp 443; }\naccess_policy { rule \"R\" allow { %s; } }\n", t ? t : "");
	fclose(f);
	struct arena a2;
	struct diags d2;
	arena_init(&a2, NULL);
	diags_init(&d2, &a2);
	struct model *m2 = load_policy(files, 1, &a2, &d2);
	char *t2 = CHECK(m2) ? clauses_text(m2) : NULL;
	CHECK(t && t2 && !strcmp(t, t2));
	struct port_set ps = { (struct port_range[]){ { 22, 22 }, { 8000, 8099 } }, 2 };
	struct ptext p = { 0 };
	pt_ports(&p, &ps);
	CHECK(p.p && !strcmp(p.p, "22, 8000-8099"));
	free(p.p);
	free(t);
	free(t2);
	arena_free(&a);
	arena_free(&a2);
	remove(path);
}

static json_t *side(const char *kind, json_int_t serial)
{
	return json_pack("{s:s,s:[s],s:s,s:I,s:s,s:I,s:I,s:s}", "kind", kind, "files", hostile,
			 "tenant", hostile, "serial", serial, "sha256", "ab12", "not_before",
			 (json_int_t)1, "not_after", (json_int_t)2, "signer", hostile);
}

static json_t *diff_doc(int nclasses)
{
	json_t *classes = json_array();
	for (int i = 0; i < nclasses; i++)
		json_array_append_new(classes, json_pack(
			"{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s},s:{s:s,s:n,s:n},s:{s:s,s:{s:s}}}",
			"pattern", "*.a.example", "proto", "tcp", "ports", "443", "user", hostile,
			"old", "verdict", "allow", "segment", hostile, "rule", "R</td>",
			"new", "verdict", "deny", "segment", "rule",
			"witness", "request", "x.a.example:443/tcp", "user", "saml", hostile));
	return json_pack("{s:o,s:o,s:[{s:s,s:s,s:s,s:s,s:[{s:s,s:s,s:[i]}]}],s:i,s:o,"
			 "s:[{s:s,s:s,s:s,s:s}]}",
			 "old", side("blob", 7), "new", side("source", 8),
			 "structural", "object", "segment", "change", "renamed", "name", hostile,
			 "old_name", "Old&Name", "fields", "field", "ports", "old", hostile, "new", 443,
			 "decision_changes", nclasses, "classes", classes,
			 "undecided", "pattern", "10.0.0.0/8", "proto", "udp", "ports", "53",
			 "why", hostile);
}

static void test_diff_section(void)
{
	struct hbuf h;
	json_t *d = diff_doc(3);
	hb_init(&h);
	report_diff(&h, d);
	CHECK(!h.failed);
	CHECK(count(h.s, "<script") == 0 && count(h.s, "</td> ") == 0 && count(h.s, "<!--") == 0);
	/* hostile shows as text everywhere it is used: 2 sides x (files, tenant, signer),
	 * the name, the field's old value, 3 x (user, segment, witness user), undecided. */
	CHECK(count(h.s, "&lt;script&gt;alert(1)&lt;/script&gt;") == 6 + 1 + 1 + 9 + 1);
	CHECK(count(h.s, "<tr><td><code>*.a.example</code>") == 3);
	CHECK(strstr(h.s, "Old&amp;Name &rarr; ") != NULL);
	CHECK(strstr(h.s, "R&lt;/td&gt;") != NULL);
	CHECK(strstr(h.s, "id=\"diff-decision-changes\">3 classes") != NULL);
	CHECK(strstr(h.s, "id=\"diff-undecided\"") != NULL);
	CHECK(strstr(h.s, "x.a.example:443/tcp") != NULL);
	hb_free(&h);
	json_decref(d);

	d = diff_doc(0);
	json_object_set_new(d, "structural", json_array());
	json_object_set_new(d, "undecided", json_array());
	hb_init(&h);
	report_diff(&h, d);
	CHECK(strstr(h.s, "id=\"diff-no-decision-changes\"") && strstr(h.s, "diff-no-structural") &&
	      !strstr(h.s, "diff-classes") && !strstr(h.s, "diff-undecided"));
	hb_free(&h);
	json_decref(d);

	/* Wrong types and missing members: shown as they are, never a crash. */
	d = json_pack("{s:i,s:s,s:[i,s,{}],s:s,s:[{s:i,s:{},s:[]}]}", "old", 5, "new", "x",
		      "structural", 1, "<b>", "decision_changes", "<i>many</i>", "classes",
		      "pattern", 3, "old", "witness");
	hb_init(&h);
	report_diff(&h, d);
	CHECK(!h.failed && !strstr(h.s, "<i>") && strstr(h.s, "&lt;i&gt;many&lt;/i&gt;"));
	hb_free(&h);
	json_decref(d);
	hb_init(&h);
	report_diff(&h, NULL);
	CHECK(strstr(h.s, "could not be read") != NULL);
	hb_free(&h);
}

/* The whole page of the hostile policy, with a diff: every hostile text escaped, the
 * page's own two scripts and nothing else, the diff section in it. */
static void test_page(void)
{
	struct arena a;
	struct diags d;
	struct lint_result lr;
	struct lint_opts lo = { 0 };
	char *files[1] = { "tests/golden/report/hostile.bcl" };
	arena_init(&a, NULL);
	diags_init(&d, &a);
	struct model *m = load_policy(files, 1, &a, &d);
	if (!CHECK(m && lint_policy(m, &lo, &a, &lr) == 0)) {
		arena_free(&a);
		return;
	}
	json_t *diff = diff_doc(2);
	struct report_input in = { .m = m, .files = files, .nfiles = 1, .lint = &lr, .now = 0,
				   .diff = diff };
	struct hbuf h;
	hb_init(&h);
	report_html(&h, &in);
	CHECK(!h.failed && count(h.s, "<script") == 2 && count(h.s, "</script>") == 2);
	CHECK(count(h.s, "<img") == 0 && count(h.s, "<b>") == 0 && count(h.s, "<!--") == 0);
	CHECK(strstr(h.s, "<title>Policy report: &lt;script&gt;alert(1)&lt;/script&gt;</title>"));
	CHECK(strstr(h.s, "<a href=\"#diff\">") && strstr(h.s, "<section id=\"diff\">"));
	CHECK(count(h.s, "<tr><td><code>*.a.example</code>") == 2);
	CHECK(strstr(h.s, "id=\"no-blob\"") && !strstr(h.s, "id=\"sha256\""));
	/* Every row of the rules table has its six cells: nothing broke out of one. */
	const char *r = strstr(h.s, "<table id=\"rules\""), *e = r ? strstr(r, "</table>") : NULL;
	int cells = 0, rows = 0;
	for (const char *p = r; p && p < e && (p = strstr(p, "<t")); p++) {
		cells += !strncmp(p, "<td>", 4) || !strncmp(p, "<td ", 4);
		rows += !strncmp(p, "<tr>", 4);
	}
	CHECK(rows == 1 + 2 && cells == 2 * 6);
	hb_free(&h);
	/* Without a diff: no diff section. */
	in.diff = NULL;
	hb_init(&h);
	report_html(&h, &in);
	CHECK(!strstr(h.s, "id=\"diff\"") && !strstr(h.s, "#diff"));
	hb_free(&h);
	json_decref(diff);
	arena_free(&a);
}

int main(void)
{
	test_escape();
	test_clause_round_trip();
	test_diff_section();
	test_page();
	return harness_summary();
}
