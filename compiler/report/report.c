/* report.c - the change-board report's page (report.h): what is under review (the
 * blob, or the sources alone), business continuity, segments, rules, app profiles;
 * then the checks (report_checks.c). One function per section. */
#include "report.h"
#include <string.h>
#include "cli.h"
#include <stdlib.h>
#include "policy_text.h"

static const char *const match_words[] = { "exclusive", "inclusive" };
static const char *const bypass_words[] = { "never", "always", "on_net" };

/* Policy text (policy_text.h) as escaped HTML; t is freed. */
static void text_of(struct hbuf *h, struct ptext *t)
{
	hb_text(h, t->failed ? "(out of memory)" : t->p ? t->p : "");
	h->failed |= t->failed;
	free(t->p);
}

/* A clause as policy text, escaped, inside <code>. */
static void code_clause(struct hbuf *h, const struct model *m, const struct m_clause *c)
{
	struct ptext t = { 0 };
	pt_clause(&t, m, c, 0, 0);
	hb_raw(h, "<code>");
	text_of(h, &t);
	hb_raw(h, "</code>");
}

/* 7d, 8h, 90m or 45s: the largest unit that divides it, as the language writes it. */
static void duration(struct hbuf *h, uint64_t s)
{
	if (s && s % 86400 == 0)
		hb_printf(h, "%llud", (unsigned long long)(s / 86400));
	else if (s && s % 3600 == 0)
		hb_printf(h, "%lluh", (unsigned long long)(s / 3600));
	else if (s && s % 60 == 0)
		hb_printf(h, "%llum", (unsigned long long)(s / 60));
	else
		hb_printf(h, "%llus", (unsigned long long)s);
}

static void kv_text(struct hbuf *h, const char *key, const char *value)
{
	hb_printf(h, "<tr><th scope=\"row\">%s</th><td>", key);
	if (value)
		hb_text(h, value);
	else
		hb_raw(h, "<span class=\"muted\">not given</span>");
	hb_raw(h, "</td></tr>\n");
}

static void window_state(struct hbuf *h, const struct report_blob *b, int64_t now)
{
	if (now < b->not_before)
		hb_raw(h, " <span class=\"warning\">not valid yet: devices refuse it until it starts</span>");
	else if (now >= b->not_after)
		hb_raw(h, " <span class=\"deny\">expired: devices deny every request with it</span>");
	else
		hb_raw(h, " <span class=\"allow\">in force now</span>");
}

static void identity_blob(struct hbuf *h, const struct report_input *in)
{
	const struct report_blob *b = in->blob;
	char t1[32], t2[32];
	hb_raw(h, "<tr><th scope=\"row\">Blob</th><td><code>");
	hb_text(h, b->path);
	hb_printf(h, "</code> (%zu bytes)</td></tr>\n", b->len);
	hb_printf(h, "<tr><th scope=\"row\">SHA-256</th><td><code id=\"sha256\">%s</code>"
		  "</td></tr>\n", b->sha256);
	hb_printf(h, "<tr><th scope=\"row\">Serial</th><td id=\"serial\">%llu</td></tr>\n",
		  (unsigned long long)b->serial);
	hb_printf(h, "<tr><th scope=\"row\">Valid</th><td>%s .. %s",
		  format_time(b->not_before, t1), format_time(b->not_after, t2));
	window_state(h, b, in->now);
	hb_printf(h, "</td></tr>\n<tr><th scope=\"row\">Created</th><td>%s</td></tr>\n",
		  format_time(b->created, t1));
	hb_raw(h, "<tr><th scope=\"row\">Signer thumbprint</th><td><code id=\"signer\">");
	hb_text(h, b->thumbprint);
	hb_raw(h, "</code> (one the command was told to trust)</td></tr>\n");
}

static void identity_banner(struct hbuf *h, const struct report_input *in)
{
	if (!in->blob)
		hb_raw(h, "<p class=\"banner\" id=\"no-blob\">No signed blob was given: this report "
			  "is of the policy sources, compiled in memory. There is no serial, no "
			  "validity window, no signer and no SHA-256 to match against the file MDM "
			  "pushes. To review that file, give it too: <code>bcpc report BLOB "
			  "--thumbprint B64 POLICY.bcl...</code></p>\n");
	else if (in->blob->from_blob)
		hb_raw(h, "<p class=\"banner good\" id=\"blob-read\">No sources were given: this "
			  "report is the blob itself, read back (its segments, rules and profiles "
			  "exactly as devices will enforce them). A blob keeps no source lines and no "
			  "disabled segments.</p>\n");
	else if (in->blob->matches_sources)
		hb_raw(h, "<p class=\"banner good\" id=\"blob-match\">The blob is exactly these "
			  "sources compiled: its tables and settings are byte for byte those of "
			  "the sources, at its serial and window (the signing key aside).</p>\n");
	else
		hb_raw(h, "<p class=\"banner bad\" id=\"blob-mismatch\">The blob is NOT these "
			  "sources compiled: what devices would enforce differs from what this "
			  "report shows. Do not approve it; find the sources it was made from.</p>\n");
}

static void section_identity(struct hbuf *h, const struct report_input *in)
{
	const struct model *m = in->m;
	hb_raw(h, "<section id=\"identity\"><h2>What is under review</h2>\n");
	identity_banner(h, in);
	hb_raw(h, "<table class=\"kv\">\n");
	kv_text(h, "Tenant", m->tenant);
	if (in->blob)
		identity_blob(h, in);
	hb_raw(h, "<tr><th scope=\"row\">Policy sources</th><td>");
	if (in->nfiles == in->ntest_files)
		hb_raw(h, "none: read back from the blob");
	for (int i = 0; i < in->nfiles; i++) {
		if (i == in->nfiles - in->ntest_files && in->ntest_files)
			hb_raw(h, "<br>tests: ");
		else if (i)
			hb_raw(h, ", ");
		hb_raw(h, "<code>");
		hb_text(h, in->files[i]);
		hb_raw(h, "</code>");
	}
	hb_printf(h, "</td></tr>\n<tr><th scope=\"row\">Contents</th><td>%u segments in %u "
		  "groups, %u rules, %u app profiles</td></tr>\n</table>\n</section>\n",
		  m->nsegments, m->ngroups, m->nrules, m->nprofiles);
}

static void section_bc(struct hbuf *h, const struct m_bc *bc)
{
	hb_raw(h, "<section id=\"bc\"><h2>Business continuity</h2>\n");
	if (!bc) {
		hb_raw(h, "<p class=\"banner bad\">No business_continuity block: clients get no "
			  "controllers or SNI names.</p></section>\n");
		return;
	}
	hb_raw(h, "<table class=\"kv\">\n");
	kv_text(h, "Domain", bc->domain);
	hb_raw(h, "<tr><th scope=\"row\">Controllers</th><td>");
	for (uint32_t i = 0; i < bc->ncontrollers; i++) {
		hb_raw(h, i ? ", <code>" : "<code>");
		hb_textf(h, "%s:%u", bc->controllers[i].host, bc->controllers[i].port);
		hb_raw(h, "</code>");
	}
	hb_raw(h, "</td></tr>\n");
	kv_text(h, "SNI", bc->sni);
	kv_text(h, "SNI for new users", bc->sni_new_user);
	kv_text(h, "SP URL", bc->sp_url);
	hb_raw(h, "<tr><th scope=\"row\">SP CA certificate</th><td>");
	if (bc->sp_ca_file) {
		hb_raw(h, "<code>");
		hb_text(h, bc->sp_ca_file);
		hb_printf(h, "</code> (%zu bytes, embedded)", bc->sp_ca_len);
	} else
		hb_raw(h, "<span class=\"muted\">not given</span>");
	hb_raw(h, "</td></tr>\n<tr><th scope=\"row\">Enter BC after</th><td>");
	duration(h, bc->enter_after);
	hb_printf(h, "</td></tr>\n<tr><th scope=\"row\">Exit mode</th><td>%s</td></tr>\n"
		  "<tr><th scope=\"row\">Exit after</th><td>",
		  bc->exit_mode == EXIT_AUTOMATIC ? "automatic" : "time_based");
	duration(h, bc->exit_after);
	hb_raw(h, "</td></tr>\n<tr><th scope=\"row\">Authentication max age</th><td>");
	duration(h, bc->auth_max_age);
	hb_raw(h, "</td></tr>\n</table>\n</section>\n");
}

/* A table's search box (shown by the script) and its row count. */
static void table_tools(struct hbuf *h, const char *id, const char *what, uint32_t n)
{
	hb_printf(h, "<div class=\"tools\"><input type=\"search\" id=\"%s-search\" "
		  "placeholder=\"Search %s\" aria-label=\"Search %s\" hidden>"
		  "<span id=\"%s-count\">%u %s</span></div>\n", id, what, what, id, n, what);
}

/* 1 when rule r applies to segment s (docs/LANGUAGE.md 4.7): each app clause names
 * s or its group. */
static int applies(const struct model *m, const struct m_rule *r, uint32_t s)
{
	for (uint32_t c = 0; c < r->nclauses; c++) {
		const struct m_clause *cl = &r->clauses[c];
		int named = 0;
		if (!cl->app)
			continue;
		for (uint32_t a = 0; a < cl->natoms && !named; a++)
			for (uint32_t v = 0; v < cl->atoms[a].nvalues && !named; v++)
				named = cl->atoms[a].kind == A_SEGMENT ? cl->atoms[a].ids[v] == s :
					cl->atoms[a].ids[v] == m->segments[s].group;
		if (!named)
			return 0;
	}
	return 1;
}

static void segment_row(struct hbuf *h, const struct model *m, uint32_t i)
{
	const struct m_segment *g = &m->segments[i];
	char buf[64];
	hb_raw(h, "<tr><td>");
	hb_text(h, g->name);
	hb_raw(h, "</td><td>");
	hb_text(h, m->groups[g->group].name);
	hb_printf(h, "</td><td>%s</td><td>%s</td><td>%s</td><td class=\"mono\">",
		  g->enabled ? "yes" : "<span class=\"warning\">no</span>", match_words[g->match],
		  bypass_words[g->bypass]);
	for (uint32_t k = 0; k < g->nhosts; k++) {
		hb_raw(h, k ? "<br>" : "");
		hb_text(h, g->hosts[k].name);
	}
	hb_raw(h, "</td><td class=\"mono\">");
	for (uint32_t k = 0; k < g->naddrs; k++)
		hb_printf(h, "%s%s", k ? "<br>" : "", prefix_format(&g->addrs[k].p, buf));
	for (int p = 0; p < PROTO_COUNT; p++) {
		struct ptext t = { 0 };
		pt_ports(&t, &g->ports[p]);
		hb_printf(h, "</td><td data-key=\"%u\">", g->ports[p].n ? g->ports[p].r[0].lo : 0);
		text_of(h, &t);
	}
	hb_raw(h, "</td><td>");
	for (uint32_t r = 0, n = 0; r < m->nrules; r++)
		if (applies(m, &m->rules[r], i)) {
			hb_raw(h, n++ ? ", " : "");
			hb_text(h, m->rules[r].name);
		}
	hb_raw(h, "</td></tr>\n");
}

static void section_segments(struct hbuf *h, const struct model *m)
{
	hb_raw(h, "<section id=\"segments-section\"><h2>Segments</h2>\n");
	table_tools(h, "segments", "segments", m->nsegments);
	hb_raw(h, "<table id=\"segments\" data-sortable><thead><tr><th>Segment</th><th>Group</th>"
		  "<th>Enabled</th><th>Match</th><th>Bypass</th><th>Domains</th><th>Addresses</th>"
		  "<th>TCP</th><th>UDP</th><th>Rules that apply, in order</th></tr></thead>\n<tbody>\n");
	for (uint32_t i = 0; i < m->nsegments; i++)
		segment_row(h, m, i);
	hb_raw(h, "</tbody></table>\n</section>\n");
}

/* What rule r applies to: its app clauses as written, then the segments they leave. */
static void rule_scope(struct hbuf *h, const struct model *m, const struct m_rule *r)
{
	uint32_t napp = 0, nseg = 0;
	for (uint32_t c = 0; c < r->nclauses; c++)
		if (r->clauses[c].app) {
			hb_raw(h, napp++ ? "<br>" : "");
			code_clause(h, m, &r->clauses[c]);
		}
	if (!napp) {   /* no app clause: every segment; the list would be the table above */
		hb_printf(h, "<span class=\"muted\">every segment (%u)</span>", m->nsegments);
		return;
	}
	hb_raw(h, "<br><span class=\"muted\">= ");
	for (uint32_t s = 0; s < m->nsegments; s++)
		if (applies(m, r, s)) {
			hb_raw(h, nseg++ ? ", " : "");
			hb_text(h, m->segments[s].name);
			if (!m->segments[s].enabled)
				hb_raw(h, " (disabled)");
		}
	hb_raw(h, nseg ? "</span>" : "no segment</span>");
}

/* User clauses, one per line (all must hold), or "any user". */
static void user_conditions(struct hbuf *h, const struct model *m, const struct m_clause *c,
			    uint32_t n, int skip_app)
{
	uint32_t shown = 0;
	hb_raw(h, "<ul class=\"clauses\">");
	for (uint32_t i = 0; i < n; i++) {
		if (skip_app && c[i].app)
			continue;
		hb_raw(h, "<li>");
		code_clause(h, m, &c[i]);
		hb_raw(h, "</li>");
		shown++;
	}
	hb_raw(h, shown ? "</ul>" : "</ul><span class=\"muted\">any user</span>");
}

static void where(struct hbuf *h, const struct loc *l)
{
	hb_raw(h, "<td class=\"mono\">");
	if (l->src && l->src->path)
		hb_textf(h, "%s:%d", l->src->path, l->line);
	hb_raw(h, "</td>");
}

static void section_rules(struct hbuf *h, const struct model *m)
{
	hb_raw(h, "<section id=\"rules-section\"><h2>Rules, in the order they decide</h2>\n"
		  "<p class=\"muted\">The first rule that applies to the segment and whose "
		  "conditions the user meets decides; when none does, the request is denied.</p>\n");
	table_tools(h, "rules", "rules", m->nrules);
	hb_raw(h, "<table id=\"rules\" data-sortable><thead><tr><th>#</th><th>Rule</th>"
		  "<th>Action</th><th>Applies to</th><th>User conditions (all must hold)</th>"
		  "<th>Source</th></tr></thead>\n<tbody>\n");
	for (uint32_t i = 0; i < m->nrules; i++) {
		const struct m_rule *r = &m->rules[i];
		hb_printf(h, "<tr><td>%u</td><td>", i + 1);
		hb_text(h, r->name);
		hb_printf(h, "</td><td class=\"%s\">%s</td><td>", r->allow ? "allow" : "deny",
			  r->allow ? "allow" : "deny");
		rule_scope(h, m, r);
		hb_raw(h, "</td><td>");
		user_conditions(h, m, r->clauses, r->nclauses, 1);
		hb_raw(h, "</td>");
		where(h, &r->loc);
		hb_raw(h, "</tr>\n");
	}
	hb_raw(h, "</tbody></table>\n</section>\n");
}

/* s quoted as the language writes it, into the plain-text staging buffer t. */
static void quoted_into(struct hbuf *t, const char *s)
{
	struct ptext q = { 0 };
	pt_quoted(&q, s);
	hb_raw(t, q.failed || !q.p ? "" : q.p);
	t->failed |= q.failed;
	free(q.p);
}

static void setting_value(struct hbuf *h, const struct m_setting *s)
{
	struct hbuf t;
	hb_init(&t);
	switch (s->kind) {
	case SET_STRING: quoted_into(&t, s->s); break;
	case SET_INT: hb_printf(&t, "%llu", (unsigned long long)s->n); break;
	case SET_BOOL: hb_raw(&t, s->n ? "true" : "false"); break;
	case SET_DURATION: duration(&t, s->n); break;
	case SET_LIST:
		hb_raw(&t, "[");
		for (uint32_t i = 0; i < s->nlist; i++) {
			hb_raw(&t, i ? ", " : "");
			quoted_into(&t, s->list[i]);
		}
		hb_raw(&t, "]");
		break;
	}
	hb_text(h, t.s);
	h->failed |= t.failed;
	hb_free(&t);
}

static void section_profiles(struct hbuf *h, const struct model *m)
{
	hb_raw(h, "<section id=\"profiles-section\"><h2>App profiles, in the order they are "
		  "tried</h2>\n<p class=\"muted\">A user gets the first profile whose conditions "
		  "they meet.</p>\n<table id=\"profiles\"><thead><tr><th>#</th><th>Profile</th>"
		  "<th>When (all must hold)</th><th>Settings</th><th>Source</th></tr></thead>\n"
		  "<tbody>\n");
	for (uint32_t i = 0; i < m->nprofiles; i++) {
		const struct m_profile *p = &m->profiles[i];
		hb_printf(h, "<tr><td>%u</td><td>", i + 1);
		hb_text(h, p->name);
		hb_raw(h, "</td><td>");
		user_conditions(h, m, p->when, p->nwhen, 0);
		hb_raw(h, "</td><td><ul class=\"clauses\">");
		for (uint32_t k = 0; k < p->nsettings; k++) {
			hb_raw(h, "<li><code>");
			hb_text(h, p->settings[k].key);
			hb_raw(h, " = ");
			setting_value(h, &p->settings[k]);
			hb_raw(h, "</code></li>");
		}
		hb_raw(h, "</ul></td>");
		where(h, &p->loc);
		hb_raw(h, "</tr>\n");
	}
	if (!m->nprofiles)
		hb_raw(h, "<tr><td colspan=\"5\" class=\"muted\">no app profiles</td></tr>\n");
	hb_raw(h, "</tbody></table>\n</section>\n");
}

static void contents(struct hbuf *h, const struct report_input *in)
{
	hb_raw(h, "<nav><ul><li><a href=\"#identity\">What is under review</a></li>"
		  "<li><a href=\"#bc\">Business continuity</a></li>"
		  "<li><a href=\"#segments-section\">Segments</a></li>"
		  "<li><a href=\"#rules-section\">Rules</a></li>"
		  "<li><a href=\"#profiles-section\">App profiles</a></li>"
		  "<li><a href=\"#lint\">Lint findings</a></li>");
	if (in->tests)
		hb_raw(h, "<li><a href=\"#tests\">Tests</a></li>");
	if (in->diff)
		hb_raw(h, "<li><a href=\"#diff\">Changes since the previous version</a></li>");
	hb_raw(h, "</ul></nav>\n");
}

void report_html(struct hbuf *h, const struct report_input *in)
{
	struct hbuf title;
	hb_init(&title);
	hb_raw(&title, "Policy report: ");
	hb_raw(&title, in->m->tenant ? in->m->tenant : "(no tenant)");
	if (in->blob)
		hb_printf(&title, ", serial %llu", (unsigned long long)in->blob->serial);
	html_page_begin(h, title.s);
	hb_raw(h, "<header><h1>");
	hb_text(h, title.s);
	h->failed |= title.failed;
	hb_free(&title);
	hb_raw(h, "</h1><p class=\"muted\">Made by bcpc report for the change board. "
		  "Everything below is in this one file; it loads nothing.</p></header>\n");
	contents(h, in);
	section_identity(h, in);
	section_bc(h, in->m->bc);
	section_segments(h, in->m);
	section_rules(h, in->m);
	section_profiles(h, in->m);
	report_lint(h, in->lint);
	if (in->tests)
		report_tests(h, in->tests, in->outcomes);
	if (in->diff)
		report_diff(h, in->diff);
	html_page_end(h);
}
