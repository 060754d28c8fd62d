/* test_diff.c - the differential test: random policies and random requests, the
 * runtime (libbcp, over a compiled and signed blob) against the reference evaluator
 * (compiler/reference.c, over the checked model). They must agree on every verdict,
 * segment, rule and app profile, and on which hosts are refused.
 *
 * Each policy is written as .bcl text from small pools of labels, addresses, ports
 * and attribute values, so that patterns, prefixes, port sets and user clauses
 * overlap often: exact names and wildcards sharing deep suffixes, "*", nested IPv4
 * and IPv6 prefixes, inclusive patterns above exclusive ones, shared patterns with
 * disjoint ports, disabled segments, bypass, app and user clauses with `not` and
 * `or`, empty rules, app profiles, machine_group (passed by keyword). The generator
 * writes only valid policies; one that does not load is a bug of the generator and fails the test. Requests are
 * mostly aimed at one segment (a name or address near one of its patterns, a port
 * at the edge of one of its ranges), the rest at odd, long or invalid hosts.
 *
 * Usage: test_diff [SEED [NPOLICIES]]. Policy i draws from its own generator,
 * seeded from (SEED, i), so a failing policy comes back with the same seed whatever
 * the count. On a disagreement the policy is saved to /tmp/bcp-diff-fail-I.bcl and
 * the request printed as a `bcpc query --batch` line (the CLI refuses some users the
 * library takes, such as platform "Windows"); the run stops after 5. Prints
 * "N passed, M failed" (one check per policy) and exits 1 on any failure.
 *
 * With BCP_DIFF_EXPORT=DIR it also writes, for the Windows build (tests/windows/),
 * each policy's blob DIR/pNNNN.bcp and DIR/pNNNN.txt: its users, requests and this
 * runtime's answers, in the line format tests/windows/test_windows.c reads (its
 * comment describes it); DIR/thumbprint holds the signing key's thumbprint. */
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "arena.h"
#include "blob.h"
#include "diag.h"
#include "explain.h"
#include "blob_model.h"
#include "analysis/lint.h"
#include "frontend.h"
#include "model.h"
#include "net.h"
#include "reference.h"
#include "bcp.h"
#include "randpol.h"

#define DEFAULT_SEED 0xBC9C0FFEE2024ull
#define DEFAULT_POLICIES 1000
#define REQUESTS_PER_POLICY 1000
#define USERS_PER_POLICY 8
#define MAX_MISMATCHES 5

static int passed, failed, mismatches;

/* ---- reporting a disagreement ---- */

static void json_str(const char *s)
{
	if (!s) {
		printf("null");
		return;
	}
	putchar('"');
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20)
			printf("\\u%04x", *c);
		else
			putchar(*c);
	}
	putchar('"');
}

static void json_list(const char *key, const char *const *v, size_t n, int *first)
{
	printf("%s\"%s\":[", *first ? "" : ",", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			putchar(',');
		json_str(v[i]);
	}
	putchar(']');
	*first = 0;
}

static void json_attrs(const char *key, const struct bcp_attr *a, size_t n, int *first)
{
	printf("%s\"%s\":{", *first ? "" : ",", key);
	/* Repeated names would be one key in JSON: print each name once, values merged. */
	int printed = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j;
		for (j = 0; j < i && strcmp(a[j].name, a[i].name); j++)
			;
		if (j < i)
			continue;
		printf("%s", printed++ ? "," : "");
		json_str(a[i].name);
		printf(":[");
		int nv = 0;
		for (size_t k = i; k < n; k++)
			for (size_t v = 0; !strcmp(a[k].name, a[i].name) && v < a[k].nvalues; v++) {
				printf("%s", nv++ ? "," : "");
				json_str(a[k].values[v]);
			}
		putchar(']');
	}
	putchar('}');
	*first = 0;
}

/* A user as the JSON object `bcpc query` reads. */
static void print_user(const struct bcp_user_info *u)
{
	int first = 1;
	putchar('{');
	json_attrs("saml", u->saml, u->nsaml, &first);
	json_attrs("scim", u->scim, u->nscim, &first);
	json_list("scim_groups", u->scim_groups, u->nscim_groups, &first);
	printf(",\"idp\":");
	json_str(u->idp);
	printf(",\"platform\":");
	json_str(u->platform);
	printf(",\"client_type\":");
	json_str(u->client_type);
	json_list("posture", u->posture, u->nposture, &first);
	json_list("trusted_networks", u->trusted_networks, u->ntrusted_networks, &first);
	printf(",\"country\":");
	json_str(u->country);
	for (size_t i = 0; i < u->nattrs; i++) {
		printf(",\"%s\":", u->attrs[i].kind);
		json_str(u->attrs[i].values[0]);
	}
	putchar('}');
}

static const char *show(const char *s)
{
	return s ? s : "(none)";
}

static int same_name(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int write_text(const char *path, const struct sbuf *text)
{
	FILE *f = fopen(path, "w");
	int ok = f && fwrite(text->p, 1, text->n, f) == text->n;
	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* ---- export for the Windows build (BCP_DIFF_EXPORT) ---- */

static FILE *export_f;

/* A string as one token: "!" for NULL, else "=" and the bytes percent-encoded
 * outside [A-Za-z0-9-_.~] (jq's @uri, which the golden decisions go through). */
static void ex_str(const char *s)
{
	if (!s) {
		fputs(" !", export_f);
		return;
	}
	fputs(" =", export_f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		    *c == '-' || *c == '_' || *c == '.' || *c == '~')
			fputc(*c, export_f);
		else
			fprintf(export_f, "%%%02X", *c);
}

static void ex_list(const char *const *v, size_t n)
{
	fprintf(export_f, " %zu", n);
	for (size_t i = 0; i < n; i++)
		ex_str(v[i]);
}

static void ex_attrs(const struct bcp_attr *a, size_t n)
{
	fprintf(export_f, " %zu", n);
	for (size_t i = 0; i < n; i++) {
		ex_str(a[i].name);
		ex_list(a[i].values, a[i].nvalues);
	}
}

static void ex_user(unsigned i, const struct bcp_user_info *u, const char *profile)
{
	fprintf(export_f, "U %u", i);
	ex_attrs(u->saml, u->nsaml);
	ex_attrs(u->scim, u->nscim);
	ex_list(u->scim_groups, u->nscim_groups);
	ex_str(u->idp);
	ex_str(u->platform);
	ex_str(u->client_type);
	ex_list(u->posture, u->nposture);
	ex_list(u->trusted_networks, u->ntrusted_networks);
	ex_str(u->country);
	fprintf(export_f, " %zu", u->nattrs);
	for (size_t k = 0; k < u->nattrs; k++) {
		ex_str(u->attrs[k].kind);
		ex_str(u->attrs[k].name);
		ex_list(u->attrs[k].values, u->attrs[k].nvalues);
	}
	fprintf(export_f, "\nP %u", i);
	ex_str(profile);
	fputc('\n', export_f);
}

static void ex_request(unsigned ui, const struct request *q, enum bcp_status st,
		       const struct bcp_decision *d)
{
	fprintf(export_f, "Q %u %s %u", ui, q->proto == BCP_UDP ? "udp" : "tcp", q->port);
	ex_str(q->host);
	fprintf(export_f, "\nE %s %s", st == BCP_OK ? "ok" : st == BCP_E_ARG ? "arg" : "other",
		bcp_verdict_str(d->verdict));
	ex_str(d->segment);
	ex_str(d->rule);
	fputc('\n', export_f);
}

static void ex_blob(unsigned idx, const uint8_t *blob, size_t len)
{
	const char *dir = getenv("BCP_DIFF_EXPORT");
	char path[600];
	FILE *f;

	snprintf(path, sizeof path, "%s/p%04u.bcp", dir, idx);
	if (!(f = fopen(path, "wb")) || fwrite(blob, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof path, "%s/p%04u.txt", dir, idx);
	if (!(export_f = fopen(path, "w"))) {
		perror(path);
		exit(1);
	}
}

/* ---- one policy ---- */

struct stats {
	unsigned long requests, refused, verdicts[5], with_rule, profiles, users, explained;
	unsigned long explained_blob;   /* of explained: from the blob's model too */
	unsigned long lint_dead, lint_dead_checks, lint_witnesses, lint_unwitnessed, lint_findings;
	unsigned long lint_on_net;   /* of lint_dead: bypassed_on_net */
	unsigned long lint_unselected, lint_unselected_checks, lint_never_wins, lint_never_wins_checks;
	unsigned long segments, disabled, patterns, shared, inclusive, rules, empty_rules;
};

/* What the policies held, to show that the generator reaches every feature. */
static void count_model(const struct model *m, struct stats *st)
{
	st->segments += m->nsegments;
	for (uint32_t i = 0; i < m->nsegments; i++)
		st->disabled += !m->segments[i].enabled;
	st->patterns += m->npatterns;
	for (uint32_t i = 0; i < m->npatterns; i++) {
		st->shared += m->patterns[i].nsegs > 1;
		st->inclusive += m->patterns[i].match == MATCH_INCLUSIVE;
	}
	st->rules += m->nrules;
	for (uint32_t i = 0; i < m->nrules; i++)
		st->empty_rules += m->rules[i].nclauses == 0;
}

struct run {
	unsigned idx;                /* the policy's index */
	const struct sbuf *text;     /* its source */
	int ok, saved;
	const uint8_t *dead;         /* per rule: lint proved it never decides */
	const uint8_t *unselected;   /* per segment: lint proved no request selects it */
	struct model *without;       /* per pattern lint proved never wins: the model
					without it, which must decide every request alike */
	uint32_t nwithout;
	const struct model *from_blob;   /* the blob read back (blob_model.c) */
};

/* Starts the report of a failure: the header line, and the policy saved once. */
static void report(struct run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(struct run *run, const char *fmt, ...)
{
	va_list ap;
	printf("MISMATCH seed 0x%llx policy %u: ", (unsigned long long)run_seed, run->idx);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!run->saved++) {
		char path[64];
		snprintf(path, sizeof path, "/tmp/bcp-diff-fail-%u.bcl", run->idx);
		if (write_text(path, run->text) == 0)
			printf("    policy saved to %s\n", path);
		else
			perror(path);
	}
	run->ok = 0;
	mismatches++;
}

/* One request, both ways. Returns 0 when they agree. */
static int check_request(struct run *run, const struct model *m, const struct user *usr,
			 const bcp_user *bu, const struct request *q, unsigned qi, struct stats *st)
{
	struct ref_result rr;
	struct bcp_decision dd;
	size_t len = strlen(q->host);
	int rrc = ref_decide(m, &usr->info, q->host, q->port, q->proto, &rr);
	enum bcp_status drc = bcp_decide_host(bu, q->host, len, q->port, q->proto, &dd);
	const char *rseg = rr.segment >= 0 ? m->segments[rr.segment].name : NULL;
	const char *rrule = rr.rule >= 0 ? m->rules[rr.rule].name : NULL;

	st->requests++;
	st->refused += rrc != 0;
	st->verdicts[rr.verdict < 5 ? rr.verdict : 0]++;
	st->with_rule += rrule != NULL;
	/* A refused host: ref_decide -1 and BCP_E_ARG, both saying deny. */
	int same = (rrc == 0 ? drc == BCP_OK : drc == BCP_E_ARG) && rr.verdict == dd.verdict &&
		   same_name(rseg, dd.segment) && same_name(rrule, dd.rule);

	/* An IP literal decides the same through bcp_decide_addr. */
	struct prefix lit;
	if (same && drc == BCP_OK && addr_parse_host(q->host, len, &lit) == 0) {
		struct bcp_decision da;
		same = bcp_decide_addr(bu, lit.family, lit.addr, q->port, q->proto, &da) == BCP_OK &&
		       da.verdict == dd.verdict && da.segment == dd.segment && da.rule == dd.rule;
	}
	/* bcpc explain's final answer equals the runtime's (bcpc query's). */
	struct explanation x;
	const char *xseg = NULL, *xrule = NULL, *xprof = NULL;
	int xsame = 0;
	if (same && explain(m, &usr->info, q->host, q->port, q->proto, &x) == 0) {
		xseg = x.segment >= 0 ? m->segments[x.segment].name : NULL;
		xrule = x.rule >= 0 ? m->rules[x.rule].name : NULL;
		xprof = x.profile >= 0 ? m->profiles[x.profile].name : NULL;
		xsame = x.bad_host == (drc == BCP_E_ARG) && x.verdict == dd.verdict &&
			same_name(xseg, dd.segment) && same_name(xrule, dd.rule) &&
			same_name(xprof, bcp_user_profile(bu));
		explain_free(&x);
		st->explained += xsame;
	}
	/* bcpc explain on the blob: the trace of the model read back from it ends where
	 * the runtime does, by index (the model keeps the blob's order). */
	if (same && xsame) {
		xsame = explain(run->from_blob, &usr->info, q->host, q->port, q->proto, &x) == 0;
		if (xsame) {
			xsame = x.bad_host == (drc == BCP_E_ARG) && x.verdict == dd.verdict &&
				x.segment == dd.segment_index && x.rule == dd.rule_index &&
				x.profile == bcp_user_profile_index(bu);
			explain_free(&x);
		}
		st->explained_blob += xsame;
		if (!xsame) {
			report(run, "request %u: explain on the blob's model does not end where the "
			       "runtime does", qi);
			return 1;
		}
	}
	/* A rule lint proved never decides must not decide here. */
	if (same && xsame && run->dead && dd.rule) {
		st->lint_dead_checks++;
		for (uint32_t r = 0; r < m->nrules; r++)
			if (run->dead[r] && !strcmp(m->rules[r].name, dd.rule)) {
				report(run, "request %u decided by rule \"%s\", which lint says never decides",
				       qi, dd.rule);
				return 1;
			}
	}
	/* A pattern lint proved never wins: the model without it decides alike. */
	for (uint32_t k = 0; same && xsame && k < run->nwithout; k++) {
		struct ref_result a, b;
		int ra = ref_decide(m, &usr->info, q->host, q->port, q->proto, &a);
		int rb = ref_decide(&run->without[k], &usr->info, q->host, q->port, q->proto, &b);
		st->lint_never_wins_checks++;
		if (ra != rb || a.verdict != b.verdict || a.rule != b.rule ||
		    (a.segment < 0) != (b.segment < 0) ||
		    (a.segment >= 0 && strcmp(m->segments[a.segment].name,
					      run->without[k].segments[b.segment].name))) {
			report(run, "request %u: taking out a pattern lint says never wins changes "
			       "its decision", qi);
			return 1;
		}
	}
	/* A segment lint proved no request selects is never a decision's segment. */
	if (same && xsame && run->unselected && dd.segment) {
		st->lint_unselected_checks++;
		for (uint32_t s = 0; s < m->nsegments; s++)
			if (run->unselected[s] && !strcmp(m->segments[s].name, dd.segment)) {
				report(run, "request %u selects segment \"%s\", which lint says no "
				       "request selects", qi, dd.segment);
				return 1;
			}
	}
	if (same && xsame)
		return 0;
	report(run, "request %u%s", qi, same ? " (explain)" : "");
	printf("    {\"host\":");
	json_str(q->host);
	printf(",\"port\":%u,\"proto\":\"%s\",\"user\":", q->port, q->proto == BCP_UDP ? "udp" : "tcp");
	print_user(&usr->info);
	printf("}\n    reference: %s, %s, segment %s, rule %s\n",
	       rrc == 0 ? "ok" : "refused", bcp_verdict_str(rr.verdict), show(rseg), show(rrule));
	if (same)
		printf("    explain:   %s, segment %s, rule %s, profile %s\n",
		       bcp_verdict_str(x.verdict), show(xseg), show(xrule), show(xprof));
	printf("    runtime:   %s, %s, segment %s, rule %s\n", bcp_status_str(drc),
	       bcp_verdict_str(dd.verdict), show(dd.segment), show(dd.rule));
	return 1;
}

/* m with pattern p taken out (out of model.patterns, which is all the evaluator
 * reads of patterns; the segments' own lists are left as they are). */
static int model_without(const struct model *m, uint32_t p, struct arena *a, struct model *out)
{
	*out = *m;
	out->patterns = arena_array(a, m->npatterns, sizeof *out->patterns);
	if (!out->patterns)
		return -1;
	memcpy(out->patterns, m->patterns, p * sizeof *m->patterns);
	memcpy(out->patterns + p, m->patterns + p + 1, (m->npatterns - p - 1) * sizeof *m->patterns);
	out->npatterns = m->npatterns - 1;
	out->nhost_patterns = m->nhost_patterns - !m->patterns[p].is_addr;
	return 0;
}

/* Generates, compiles and checks policy idx. Returns 1 when everything agreed. */
static int run_policy(unsigned idx, const char *path, EVP_PKEY *key, const char *thumb,
		      struct sbuf *text, struct stats *st)
{
	struct run run = { .idx = idx, .text = text, .ok = 1 };
	struct gen g;
	struct arena a;
	struct diags d;
	char *paths[1] = { (char *)path }, err[512];
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	bcp_blob *b = NULL;
	bcp_user *bu[USERS_PER_POLICY] = { 0 };
	struct user users[USERS_PER_POLICY];
	struct bcp_error e;
	const struct model *m;

	memset(&g, 0, sizeof g);
	g.r.s = run_seed ^ (0xD1B54A32D192ED03ull * (idx + 1));
	later.s = g.r.s ^ 0x6A09E667F3BCC909ull;
	gen_policy(&g, text);
	if (write_text(path, text) != 0) {
		perror(path);
		return 0;
	}
	arena_init(&a, NULL);
	diags_init(&d, &a);
	m = load_policy(paths, 1, &a, &d);
	unlink(path);   /* a fresh file each time: rewriting one in place waits for the disk */
	if (!m) {
		report(&run, "does not load (a bug of this test's generator)");
		diags_print(&d, stdout);
		goto out;
	}
	count_model(m, st);
	struct blob_opts o = { .serial = 1, .not_before = 0, .not_after = 4102444800ll,
			       .created = 0 };
	if (blob_build(m, key, &o, &blob, &bloblen, err, sizeof err) != 0) {
		report(&run, "blob_build: %s", err);
		goto out;
	}
	const char *tps[1] = { thumb };
	struct bcp_open_opts oo = { .thumbprints = tps, .nthumbprints = 1, .now = 1000 };
	if (bcp_open_buffer(blob, bloblen, &oo, &b, &e) != BCP_OK) {
		report(&run, "bcp_open_buffer: %s", e.message);
		goto out;
	}
	if (getenv("BCP_DIFF_EXPORT"))
		ex_blob(idx, blob, bloblen);
	struct model from_blob;
	if (blob_model(blob, bloblen, &a, &from_blob, err, sizeof err) != 0) {
		report(&run, "blob_model: %s", err);
		goto out;
	}
	run.from_blob = &from_blob;

	/* bcpc lint: each rule it proves dead never decides below; each witness it
	 * gives for a live rule reaches that rule through the runtime. */
	struct lint_result lr;
	if (lint_policy(m, NULL, &a, &lr) != 0) {
		report(&run, "lint_policy failed");
		goto out;
	}
	run.dead = lr.dead;
	st->lint_findings += lr.n;
	uint8_t *unselected = arena_array(&a, m->nsegments + 1, 1);
	for (uint32_t i = 0; i < lr.n; i++) {
		st->lint_on_net += lr.f[i].kind == LINT_BYPASS_ON_NET;
		st->lint_never_wins += lr.f[i].kind == LINT_PATTERN_NEVER_WINS;
		if (lr.f[i].kind == LINT_SEGMENT_UNSELECTED && unselected) {
			st->lint_unselected++;
			unselected[lr.f[i].segment] = 1;
		}
	}
	run.unselected = unselected;
	run.without = arena_array(&a, lr.n + 1, sizeof *run.without);
	for (uint32_t i = 0; i < lr.n && run.without; i++)
		if (lr.f[i].kind == LINT_PATTERN_NEVER_WINS &&
		    model_without(m, (uint32_t)lr.f[i].pattern, &a, &run.without[run.nwithout]) == 0)
			run.nwithout++;
	for (uint32_t r = 0; r < m->nrules; r++) {
		st->lint_dead += lr.dead[r];
		if (lr.dead[r] || !lr.witness[r].found) {
			st->lint_unwitnessed += !lr.dead[r];
			continue;
		}
		const struct lint_witness *w = &lr.witness[r];
		bcp_user *wu = NULL;
		struct bcp_decision wd;
		int ok = bcp_bind(b, &w->user, &wu, &e) == BCP_OK &&
			 bcp_decide_host(wu, w->host, strlen(w->host), w->port, w->proto, &wd) == BCP_OK &&
			 wd.rule && !strcmp(wd.rule, m->rules[r].name);
		bcp_user_free(wu);
		st->lint_witnesses++;
		if (!ok) {
			report(&run, "lint's witness of rule \"%s\" (%s:%u) does not reach it",
			       m->rules[r].name, w->host, w->port);
			goto out;
		}
	}

	/* Each user is bound once, and its profile checked then. */
	for (unsigned i = 0; i < USERS_PER_POLICY; i++) {
		gen_user(&g.r, &users[i]);
		if (bcp_bind(b, &users[i].info, &bu[i], &e) != BCP_OK) {
			report(&run, "bcp_bind: %s", e.message);
			goto out;
		}
		int32_t rp = ref_profile(m, &users[i].info);
		const char *want = rp >= 0 ? m->profiles[rp].name : NULL;
		const char *got = bcp_user_profile(bu[i]);
		if (export_f)
			ex_user(i, &users[i].info, got);
		st->users++;
		st->profiles += want != NULL;
		if (!same_name(want, got)) {
			report(&run, "profile of user %u", i);
			printf("    user: ");
			print_user(&users[i].info);
			printf("\n    reference: %s\n    runtime:   %s\n", show(want), show(got));
			if (mismatches >= MAX_MISMATCHES)
				goto out;
		}
	}

	for (unsigned qi = 0; qi < REQUESTS_PER_POLICY && mismatches < MAX_MISMATCHES; qi++) {
		struct request q;
		unsigned ui = rn(&g.r, USERS_PER_POLICY);
		gen_request(&g, &q);
		check_request(&run, m, &users[ui], bu[ui], &q, qi, st);
		if (export_f) {
			struct bcp_decision dd;
			enum bcp_status ds = bcp_decide_host(bu[ui], q.host, strlen(q.host), q.port,
							     q.proto, &dd);
			ex_request(ui, &q, ds, &dd);
		}
	}
out:
	if (export_f && fclose(export_f) != 0) {
		perror("export");
		exit(1);
	}
	export_f = NULL;
	for (unsigned i = 0; i < USERS_PER_POLICY; i++)
		bcp_user_free(bu[i]);
	bcp_close(b);
	free(blob);
	arena_free(&a);
	return run.ok;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned npolicies = DEFAULT_POLICIES;
	char dir[512], path[600], thumb[45];
	uint8_t pub[32];
	size_t publen = sizeof pub;
	struct stats st = { 0 };
	struct sbuf text = { 0 };
	double t0 = now_seconds();

	run_seed = argc > 1 ? strtoull(argv[1], NULL, 0) : DEFAULT_SEED;
	if (argc > 2)
		npolicies = (unsigned)strtoul(argv[2], NULL, 0);
	printf("seed 0x%llx, %u policies, %u requests each (rerun: %s 0x%llx [NPOLICIES])\n",
	       (unsigned long long)run_seed, npolicies, REQUESTS_PER_POLICY, argv[0],
	       (unsigned long long)run_seed);

	const char *base = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/bcp-diff.XXXXXX", base && *base ? base : "/tmp");
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!mkdtemp(dir) || !key || EVP_PKEY_get_raw_public_key(key, pub, &publen) != 1 ||
	    publen != 32 || bcp_thumbprint(pub, thumb) != 0) {
		perror("setup");
		EVP_PKEY_free(key);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	snprintf(path, sizeof path, "%s/policy.bcl", dir);
	if (getenv("BCP_DIFF_EXPORT")) {
		char tp_path[600];
		snprintf(tp_path, sizeof tp_path, "%s/thumbprint", getenv("BCP_DIFF_EXPORT"));
		FILE *f = fopen(tp_path, "w");
		if (!f || fprintf(f, "%s\n", thumb) < 0 || fclose(f) != 0) {
			perror(tp_path);
			return 1;
		}
	}
	for (unsigned i = 0; i < npolicies && mismatches < MAX_MISMATCHES; i++) {
		if (run_policy(i, path, key, thumb, &text, &st))
			passed++;
		else
			failed++;
	}
	if (mismatches >= MAX_MISMATCHES)
		printf("stopped after %d disagreements\n", mismatches);

	if (rmdir(dir) != 0)
		perror(dir);
	EVP_PKEY_free(key);
	free(text.p);

	printf("%lu segments (%lu disabled), %lu patterns (%lu shared, %lu inclusive), "
	       "%lu rules (%lu empty)\n", st.segments, st.disabled, st.patterns, st.shared,
	       st.inclusive, st.rules, st.empty_rules);
	printf("%lu requests (%lu refused): none %lu, drop %lu, bypass %lu, allow %lu, deny %lu; "
	       "%lu decided by a rule; %lu of %lu users with a profile; %.2f s\n", st.requests,
	       st.refused, st.verdicts[BCP_NONE], st.verdicts[BCP_DROP], st.verdicts[BCP_BYPASS],
	       st.verdicts[BCP_ALLOW], st.verdicts[BCP_DENY] - st.refused, st.with_rule,
	       st.profiles, st.users, now_seconds() - t0);
	printf("lint: %lu findings; %lu rules proved never to decide (%lu of them bypassed_on_net), "
	       "none of them deciding in %lu decisions by a rule; %lu witnesses of live rules, each "
	       "reaching its rule in the runtime; %lu live rules without a witness\n",
	       st.lint_findings, st.lint_dead, st.lint_on_net, st.lint_dead_checks, st.lint_witnesses, st.lint_unwitnessed);
	printf("lint: %lu segments proved selected by no request, none the segment of any of "
	       "%lu decisions with a segment; %lu patterns proved never to win, each taken out "
	       "and %lu requests decided alike without it\n",
	       st.lint_unselected, st.lint_unselected_checks, st.lint_never_wins,
	       st.lint_never_wins_checks);
	printf("%lu requests explained by bcpc explain's evaluator with the runtime's verdict, "
	       "segment, rule and profile; %lu of them from the blob read back too\n",
	       st.explained, st.explained_blob);
	printf("%lu atoms negated alone, %lu scoped with from idp\n", gen_negated, gen_scoped);
	if (passed + failed >= 50 && (!gen_negated || !gen_scoped)) {
		printf("FAIL: the generator wrote no negated or no scoped atom\n");
		failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
