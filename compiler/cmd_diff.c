/* cmd_diff.c - `bcpc diff OLD NEW`: what changes between two blobs or policies.
 * Reads each side (a blob verified against --thumbprint/--pubkey, read back with
 * blob_model; or policy sources, checked, compiled in memory with a throwaway key),
 * runs the structural and semantic diff (analysis/diff.h), decides every witness
 * through both blobs with libbcp and stops with exit 2 if one does not reproduce,
 * then prints for people or as JSON. Exit 0 no decision changes, 1 changes (or
 * classes not decided), 2 usage, unreadable or unverified input, internal error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "bcp_format.h"
#include "blob.h"
#include "blob_model.h"
#include "cli.h"
#include "keys.h"
#include "request.h"
#include "file.h"
#include "frontend.h"
#include "analysis/diff.h"

struct dside {
	const char *label;        /* "old" or "new" */
	int is_blob;
	char **files;
	int nfiles;
	struct model *m;
	uint8_t *bytes;           /* the blob (read, or built in memory) */
	size_t len;
	bcp_blob *b;
	struct bcp_info info;
	char sha256[65];
	int quiet;                /* print the sources' diagnostics only when they fail */
};

/* ---- arguments ---- */

struct dargs {
	struct trust_args t;
	struct dside side[2];
	int json;
	uint64_t budget;
};

/* A .bcp file is a blob: it ends a list of sources. */
static int is_blob_name(const char *s)
{
	return ends_with(s, ".bcp");
}

/* --old-source / --new-source: the files that follow, up to the next option or
 * blob. */
static int take_sources(int argc, char **argv, int *i, struct dside *sd)
{
	if (sd->nfiles)
		return usage_error("diff", "the %s side is given twice", sd->label);
	sd->files = &argv[*i + 1];
	while (*i + 1 < argc && argv[*i + 1][0] != '-' && !is_blob_name(argv[*i + 1]))
		sd->nfiles++, ++*i;
	if (!sd->nfiles)
		return usage_error("diff", "%s needs the policy files", argv[*i]);
	return 0;
}

static int take_blob(char **argv, int i, struct dargs *d)
{
	int k = d->side[0].nfiles ? 1 : 0;
	if (ends_with(argv[i], ".bcl"))
		return usage_error("diff", "'%.200s' is a policy source: give it after "
				   "--old-source or --new-source", argv[i]);
	if (d->side[k].nfiles)
		return usage_error("diff", "unexpected argument '%.200s'", argv[i]);
	d->side[k].is_blob = 1;
	d->side[k].files = &argv[i];
	d->side[k].nfiles = 1;
	return 0;
}

static int parse_args(int argc, char **argv, struct dargs *d)
{
	int r;
	for (int i = 1; i < argc; i++) {
		if ((r = trust_arg("diff", argc, argv, &i, &d->t)) < 0)
			return 2;
		if (r)
			continue;
		if (!strcmp(argv[i], "--json"))
			d->json = 1;
		else if (!strcmp(argv[i], "--old-source") || !strcmp(argv[i], "--new-source")) {
			if (take_sources(argc, argv, &i, &d->side[argv[i][2] == 'n']))
				return 2;
		} else if (!strcmp(argv[i], "--budget") && i + 1 < argc) {
			if (parse_u64(argv[++i], &d->budget) || !d->budget)
				return usage_error("diff", "--budget takes a positive number of solver steps");
		} else if (argv[i][0] == '-' && argv[i][1])
			return usage_error("diff", "unknown option '%.200s'", argv[i]);
		else if (take_blob(argv, i, d))
			return 2;
	}
	if (!d->side[0].nfiles || !d->side[1].nfiles)
		return usage_error("diff", "give OLD and NEW: two blobs, or --old-source / --new-source "
				   "FILE.bcl...");
	if ((d->side[0].is_blob || d->side[1].is_blob) && !d->t.nthumbprints && !d->t.pubkey_pem)
		return usage_error("diff", "a blob needs --thumbprint B64 or --pubkey PUB.pem");
	return 0;
}

/* ---- reading the sides ---- */

/* Verified (the signature and structure, against the trust anchor) and opened at
 * the start of its own window, so that it decides: the diff is about the policy, not
 * today's date. The clock is read from the header before the open checks it; a
 * window that does not hold its own start is refused like any other fault. */
static int open_blob(struct dside *sd, const struct trust_args *t)
{
	struct bcp_error e;
	struct bcp_open_opts o = { t->thumbprints, t->nthumbprints, t->pubkey_pem, 0, 0, 0 };
	if (sd->len >= BCPF_HEADER_SIZE)
		o.now = (int64_t)bcpf_u64(sd->bytes + BCPF_H_NOT_BEFORE);
	if (bcp_open_buffer(sd->bytes, sd->len, &o, &sd->b, &e) != BCP_OK) {
		fprintf(stderr, "bcpc diff: %s: REFUSED: %s\n", sd->files[0], e.message);
		return -1;
	}
	bcp_info(sd->b, &sd->info);
	return 0;
}

static int load_blob(struct dside *sd, const struct trust_args *t, struct arena *a)
{
	char err[256];
	sd->bytes = (uint8_t *)read_file_malloc(sd->files[0], BCPF_MAX_BLOB, &sd->len);
	if (!sd->bytes) {
		fprintf(stderr, "bcpc diff: cannot read %s\n", sd->files[0]);
		return -1;
	}
	if (open_blob(sd, t))
		return -1;
	sha256_hex(sd->bytes, sd->len, sd->sha256);
	sd->m = arena_alloc(a, sizeof *sd->m);
	if (!sd->m || blob_model(sd->bytes, sd->len, a, sd->m, err, sizeof err)) {
		fprintf(stderr, "bcpc diff: %s: %s\n", sd->files[0], sd->m ? err : "out of memory");
		return -1;
	}
	return 0;
}

/* The policy, and its blob built in memory with a throwaway key (as bcpc test). */
static int load_source(struct dside *sd, struct arena *a)
{
	struct diags d;
	char err[600];
	diags_init(&d, a);
	sd->m = load_policy(sd->files, sd->nfiles, a, &d);
	if (!sd->m || !sd->quiet)
		diags_print(&d, stderr);
	if (!sd->m)
		return -1;
	int rc = blob_open_throwaway(sd->m, &sd->bytes, &sd->len, &sd->b, err, sizeof err);
	if (rc)
		fprintf(stderr, "bcpc diff: %s policy: %s\n", sd->label, err);
	return rc;
}

/* ---- witnesses ---- */

static int same_name(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static const char *seg_name(const struct model *m, int32_t s)
{
	return s >= 0 ? m->segments[s].name : NULL;
}

static const char *rule_name(const struct model *m, int32_t r)
{
	return r >= 0 ? m->rules[r].name : NULL;
}

/* The host of a request for the class: [v6] in brackets. */
static void witness_host(const struct df_result *r, const struct df_class *c, char *out, size_t n)
{
	const char *rep = r->set.pats[c->pattern].rep;
	snprintf(out, n, strchr(rep, ':') ? "[%s]" : "%s", rep);
}

/* The witness user bound to both blobs; classes of one condition share it, and the
 * classes come sorted so that they follow each other: one bind per condition. */
struct bound {
	uint32_t id;
	bcp_user *u[2];
};

static void unbind(struct bound *bu)
{
	bcp_user_free(bu->u[0]);
	bcp_user_free(bu->u[1]);
	bu->u[0] = bu->u[1] = NULL;
}

static int rebind(const struct dside *sd, struct bound *bu, const struct df_class *c)
{
	struct bcp_error e;
	if (bu->u[0] && bu->id == c->user_id)
		return 0;
	unbind(bu);
	bu->id = c->user_id;
	for (int k = 0; k < 2; k++)
		if (bcp_bind(sd[k].b, &c->witness, &bu->u[k], &e) != BCP_OK)
			return -1;
	return 0;
}

/* Decides the witness through side k's blob: it must be the class's decision. */
static int reproduces(const struct dside *sd, bcp_user *u, const char *host,
		      const struct df_class *c, const struct df_outcome *want)
{
	struct bcp_decision d;
	return bcp_decide_host(u, host, strlen(host), c->lo, c->proto, &d) == BCP_OK &&
	       d.verdict == want->verdict && same_name(d.segment, seg_name(sd->m, want->segment)) &&
	       same_name(d.rule, rule_name(sd->m, want->rule));
}

static int check_witnesses(const struct dside *sd, const struct df_result *r)
{
	char host[NET_HOST_MAX + 3];
	struct bound bu = { 0 };
	int rc = 0;
	for (uint32_t i = 0; i < r->n && !rc; i++) {
		const struct df_class *c = &r->c[i];
		if (c->undecided)
			continue;
		witness_host(r, c, host, sizeof host);
		if (rebind(sd, &bu, c) || !reproduces(&sd[0], bu.u[0], host, c, &c->old) ||
		    !reproduces(&sd[1], bu.u[1], host, c, &c->nw)) {
			fprintf(stderr, "bcpc diff: internal error: the witness %s:%u/%s does not "
				"reproduce its class through the blobs; nothing printed\n", host, c->lo,
				c->proto == BCP_UDP ? "udp" : "tcp");
			rc = -1;
		}
	}
	unbind(&bu);
	return rc;
}

/* ---- JSON ---- */

static json_t *time_json(const struct dside *sd, int64_t t)
{
	char buf[32];
	return sd->is_blob ? json_string(format_time(t, buf)) : json_null();
}

static json_t *side_json(const struct dside *sd)
{
	json_t *o = json_object(), *files = json_array();
	for (int i = 0; i < sd->nfiles; i++)
		json_array_append_new(files, json_string(sd->files[i]));
	json_object_set_new(o, "kind", json_string(sd->is_blob ? "blob" : "source"));
	json_object_set_new(o, "files", files);
	json_object_set_new(o, "tenant", sd->m->tenant ? json_string(sd->m->tenant) : json_null());
	json_object_set_new(o, "serial", sd->is_blob ? json_integer((json_int_t)sd->info.serial) :
			    json_null());
	json_object_set_new(o, "sha256", sd->is_blob ? json_string(sd->sha256) : json_null());
	json_object_set_new(o, "not_before", time_json(sd, sd->info.not_before));
	json_object_set_new(o, "not_after", time_json(sd, sd->info.not_after));
	json_object_set_new(o, "signer", sd->is_blob ? json_string(sd->info.thumbprint) : json_null());
	return o;
}

/* serial, validity and signer: a "blob" record when both sides are blobs and they
 * differ (a policy source has none of them). */
static void blob_record(json_t *structural, const struct dside *sd)
{
	if (!sd[0].is_blob || !sd[1].is_blob)
		return;
	json_t *a = side_json(&sd[0]), *b = side_json(&sd[1]), *fields = json_array();
	static const char *const keys[] = { "serial", "not_before", "not_after", "signer" };
	for (unsigned i = 0; i < 4; i++) {
		json_t *x = json_object_get(a, keys[i]), *y = json_object_get(b, keys[i]);
		if (json_equal(x, y))
			continue;
		json_t *f = json_object();
		json_object_set_new(f, "field", json_string(keys[i]));
		json_object_set(f, "old", x);
		json_object_set(f, "new", y);
		json_array_append_new(fields, f);
	}
	if (json_array_size(fields)) {
		json_t *r = json_pack("{s:s,s:s,s:n}", "object", "blob", "change", "changed", "name");
		json_object_set_new(r, "fields", fields);
		json_array_insert_new(structural, 0, r);
	} else {
		json_decref(fields);
	}
	json_decref(a);
	json_decref(b);
}

static json_t *outcome_json(const struct model *m, const struct df_outcome *o)
{
	const char *s = seg_name(m, o->segment), *r = rule_name(m, o->rule);
	return json_pack("{s:s,s:o,s:o}", "verdict", bcp_verdict_str(o->verdict),
			 "segment", s ? json_string(s) : json_null(), "rule",
			 r ? json_string(r) : json_null());
}

static void ports_text(const struct df_class *c, char *buf, size_t n)
{
	if (c->lo == c->hi)
		snprintf(buf, n, "%u", c->lo);
	else
		snprintf(buf, n, "%u-%u", c->lo, c->hi);
}

/* The parts of a class's JSON that its condition decides, written once for the
 * classes of one condition (they follow each other): the condition and the witness
 * user, escaped. */
struct user_cache {
	uint32_t id;
	int undecided;
	char *user, *witness;
};

static char *dumps_new(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	json_decref(v);
	return s;
}

static void cache_user(struct user_cache *uc, const struct df_class *c)
{
	if (uc->user && uc->id == c->user_id && uc->undecided == c->undecided)
		return;
	free(uc->user);
	free(uc->witness);
	uc->id = c->user_id, uc->undecided = c->undecided;
	uc->user = dumps_new(json_string(c->user));
	uc->witness = c->undecided ? NULL : dumps_new(request_user_json(&c->witness, 1));
}

/* One class as one JSON object, in the order of docs/bcpc.1. */
static void print_class_json(FILE *out, const struct dside *sd, const struct df_result *r,
			     const struct df_class *c, struct user_cache *uc)
{
	char pat[300], ports[16], host[NET_HOST_MAX + 3], req[NET_HOST_MAX + 20];
	const char *proto = c->proto == BCP_UDP ? "udp" : "tcp";
	cache_user(uc, c);
	ports_text(c, ports, sizeof ports);
	char *p = dumps_new(json_string(cl_pattern_text(&r->set.pats[c->pattern], pat, sizeof pat)));
	char *o = dumps_new(outcome_json(sd[0].m, &c->old)), *n = dumps_new(outcome_json(sd[1].m, &c->nw));
	fprintf(out, "{\"pattern\":%s,\"proto\":\"%s\",\"ports\":\"%s\",\"user\":%s,\"old\":%s,\"new\":%s,",
		p ? p : "null", proto, ports, uc->user ? uc->user : "null", o ? o : "null", n ? n : "null");
	free(p), free(o), free(n);
	if (c->undecided) {
		fputs("\"why\":\"the user condition is over the solver's budget (raise it with "
		      "--budget)\"}", out);
		return;
	}
	witness_host(r, c, host, sizeof host);
	snprintf(req, sizeof req, "%s:%u/%s", host, c->lo, proto);
	char *rq = dumps_new(json_string(req));
	fprintf(out, "\"witness\":{\"request\":%s,\"user\":%s}}", rq ? rq : "null",
		uc->witness ? uc->witness : "null");
	free(rq);
}

/* ---- grouping: by segment, then by the pair of rules ---- */

struct sorter {
	const struct dside *sd;
	const struct df_result *r;
};
static struct sorter sorting;

static const char *group_segment(const struct df_class *c)
{
	const char *s = seg_name(sorting.sd[0].m, c->old.segment);
	return s ? s : seg_name(sorting.sd[1].m, c->nw.segment);
}

static int cmp_str(const char *a, const char *b)
{
	return !a || !b ? (a != NULL) - (b != NULL) : strcmp(a, b);
}

static int cmp_class(const void *x, const void *y)
{
	const struct df_class *a = x, *b = y;
	int c = cmp_str(group_segment(a), group_segment(b));
	if (!c)
		c = cmp_str(rule_name(sorting.sd[0].m, a->old.rule), rule_name(sorting.sd[0].m, b->old.rule));
	if (!c)
		c = cmp_str(rule_name(sorting.sd[1].m, a->nw.rule), rule_name(sorting.sd[1].m, b->nw.rule));
	if (!c)
		c = (int)a->old.verdict - (int)b->old.verdict;
	if (!c)
		c = (int)a->nw.verdict - (int)b->nw.verdict;
	if (!c)
		c = a->user_id < b->user_id ? -1 : a->user_id > b->user_id;
	if (!c)
		c = a->pattern < b->pattern ? -1 : a->pattern > b->pattern;
	if (!c)
		c = (int)a->proto - (int)b->proto;
	return c ? c : (int)a->lo - (int)b->lo;
}

/* Through a string: jansson writes to a FILE in many small pieces. */
static void dump_compact(FILE *out, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	fputs(s ? s : "null", out);
	free(s);
	json_decref(v);
}

/* The classes (undecided 0) or those not decided (1), one object a line. */
static void print_class_list(FILE *out, const struct dside *sd, const struct df_result *r,
			     int undecided)
{
	int first = 1;
	struct user_cache uc = { 0 };
	fputs("[", out);
	for (uint32_t i = 0; i < r->n; i++) {
		if (r->c[i].undecided != undecided)
			continue;
		fputs(first ? "\n    " : ",\n    ", out);
		print_class_json(out, sd, r, &r->c[i], &uc);
		first = 0;
	}
	fputs(first ? "]" : "\n  ]", out);
	free(uc.user);
	free(uc.witness);
}

/* The JSON of docs/bcpc.1, written as it goes (a large diff has many classes). */
static void print_json(FILE *out, const struct dside *sd, json_t *structural,
		       const struct df_result *r)
{
	size_t i;
	json_t *rec;
	fputs("{\n  \"old\": ", out);
	dump_compact(out, side_json(&sd[0]));
	fputs(",\n  \"new\": ", out);
	dump_compact(out, side_json(&sd[1]));
	fputs(",\n  \"structural\": [", out);
	json_array_foreach(structural, i, rec) {
		fputs(i ? ",\n    " : "\n    ", out);
		dump_compact(out, json_incref(rec));
	}
	fputs(json_array_size(structural) ? "\n  ],\n" : "],\n", out);
	fprintf(out, "  \"decision_changes\": %u,\n  \"classes\": ", r->n - r->nundecided);
	print_class_list(out, sd, r, 0);
	fputs(",\n  \"undecided\": ", out);
	print_class_list(out, sd, r, 1);
	fputs("\n}\n", out);
}

/* ---- text ---- */

static void print_value(FILE *out, json_t *v)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	fputs(s ? s : "?", out);
	free(s);
}

static void print_structural(FILE *out, json_t *structural)
{
	size_t i, j;
	json_t *rec, *f;
	if (!json_array_size(structural)) {
		fprintf(out, "no structural changes\n");
		return;
	}
	fprintf(out, "structural changes:\n");
	json_array_foreach(structural, i, rec) {
		json_t *name = json_object_get(rec, "name"), *old = json_object_get(rec, "old_name");
		fprintf(out, "  %s", json_string_value(json_object_get(rec, "object")));
		if (json_is_string(name))
			fprintf(out, " \"%s\"", json_string_value(name));
		fprintf(out, " %s", json_string_value(json_object_get(rec, "change")));
		if (old)
			fprintf(out, " (was \"%s\")", json_string_value(old));
		fputc('\n', out);
		json_array_foreach(json_object_get(rec, "fields"), j, f) {
			fprintf(out, "    %s: ", json_string_value(json_object_get(f, "field")));
			print_value(out, json_object_get(f, "old"));
			fputs(" -> ", out);
			print_value(out, json_object_get(f, "new"));
			fputc('\n', out);
		}
	}
}

static void print_outcome(FILE *out, const struct model *m, const struct df_outcome *o)
{
	const char *r = rule_name(m, o->rule);
	fputs(bcp_verdict_str(o->verdict), out);
	if (r)
		fprintf(out, " by rule \"%s\"", r);
	else if (o->verdict == BCP_DENY)
		fputs(" (no rule)", out);
}

static void print_witness_user(FILE *out, const struct df_class *c)
{
	json_t *u = request_user_json(&c->witness, 1);
	fputs("      e.g. user ", out);
	print_value(out, u);
	fputc('\n', out);
	json_decref(u);
}

/* One line per class: pattern, protocol, ports, and the witness request. */
static void print_class(FILE *out, const struct df_result *r, const struct df_class *c)
{
	char pat[300], ports[16], host[NET_HOST_MAX + 3];
	const char *proto = c->proto == BCP_UDP ? "udp" : "tcp";
	ports_text(c, ports, sizeof ports);
	fprintf(out, "        %s %s %s", cl_pattern_text(&r->set.pats[c->pattern], pat, sizeof pat),
		proto, ports);
	if (c->undecided) {
		fputs(": not decided (over the solver's budget; raise it with --budget)\n", out);
		return;
	}
	witness_host(r, c, host, sizeof host);
	fprintf(out, ", e.g. %s:%u/%s\n", host, c->lo, proto);
}

static void print_decisions(FILE *out, const struct dside *sd, const struct df_class *c,
			    const char *seg)
{
	fputs("  ", out);
	print_outcome(out, sd[0].m, &c->old);
	fputs(" -> ", out);
	print_outcome(out, sd[1].m, &c->nw);
	const char *ns = seg_name(sd[1].m, c->nw.segment);
	if (c->nw.segment >= 0 && cmp_str(ns, seg))
		fprintf(out, " in segment \"%s\"", ns);
	fputs(":\n", out);
}

/* By segment, then by the pair of decisions, then by user condition (printed once,
 * with its witness user), then the classes. */
static void print_classes(FILE *out, const struct dside *sd, const struct df_result *r)
{
	const char *seg = NULL;
	const struct df_class *prev = NULL;
	for (uint32_t i = 0; i < r->n; i++) {
		const struct df_class *c = &r->c[i];
		const char *s = group_segment(c);
		if (!i || cmp_str(s, seg)) {
			fprintf(out, s ? "segment \"%s\":\n" : "no segment:\n", s);
			prev = NULL;
		}
		int same_pair = prev && !memcmp(&prev->old, &c->old, sizeof c->old) &&
				!memcmp(&prev->nw, &c->nw, sizeof c->nw);
		if (!same_pair)
			print_decisions(out, sd, c, s);
		if (!same_pair || prev->user_id != c->user_id || prev->undecided != c->undecided) {
			fprintf(out, "    users: %s\n", c->user);
			if (!c->undecided)
				print_witness_user(out, c);
		}
		print_class(out, r, c);
		seg = s, prev = c;
	}
}

static void print_text(FILE *out, const struct dside *sd, json_t *structural,
		       const struct df_result *r)
{
	for (int k = 0; k < 2; k++) {
		fprintf(out, "%s: ", sd[k].label);
		for (int i = 0; i < sd[k].nfiles; i++)
			fprintf(out, "%s%s", i ? " " : "", sd[k].files[i]);
		if (sd[k].is_blob)
			fprintf(out, " (blob, serial %llu, sha256 %s)",
				(unsigned long long)sd[k].info.serial, sd[k].sha256);
		fputc('\n', out);
	}
	print_structural(out, structural);
	print_classes(out, sd, r);
	uint32_t n = r->n - r->nundecided;
	if (n)
		fprintf(out, "%u class%s of requests change decision\n", n, n == 1 ? "" : "es");
	else if (r->nundecided)
		fprintf(out, "no decision change found, but some classes are not decided\n");
	else
		fprintf(out, "no decision changes\n");
	if (r->nundecided)
		fprintf(out, "%u class%s not decided\n", r->nundecided, r->nundecided == 1 ? "" : "es");
}

/* ---- the command ---- */

static int load_side(struct dside *sd, const struct trust_args *t, struct arena *a)
{
	return sd->is_blob ? load_blob(sd, t, a) : load_source(sd, a);
}

/* Loads both sides, diffs them, checks every witness through libbcp and prints to
 * out. 0 no decision changes, 1 changes, 2 after saying why. */
static int run_diff(struct dargs *d, struct arena *a, FILE *out)
{
	struct dside *sd = d->side;
	struct df_maps maps;
	struct df_result r;
	if (load_side(&sd[0], &d->t, a) || load_side(&sd[1], &d->t, a))
		return 2;
	json_t *structural = NULL;
	if (diff_maps(sd[0].m, sd[1].m, a, &maps) || !(structural = diff_structural(sd[0].m, sd[1].m, &maps,
							    sd[0].is_blob || sd[1].is_blob)) ||
	    diff_semantic(sd[0].m, sd[1].m, &maps, d->budget, a, &r)) {
		fprintf(stderr, "bcpc diff: out of memory\n");
		json_decref(structural);
		return 2;
	}
	int rc = 2;
	blob_record(structural, sd);
	sorting = (struct sorter){ sd, &r };
	if (r.n)   /* r.c is NULL when nothing changes */
		qsort(r.c, r.n, sizeof *r.c, cmp_class);
	if (check_witnesses(sd, &r) == 0) {
		if (d->json) {
			print_json(out, sd, structural, &r);
		} else {
			print_text(out, sd, structural, &r);
		}
		rc = r.n ? 1 : 0;
	}
	json_decref(structural);
	diff_free(&r);
	return rc;
}

static void close_sides(struct dargs *d)
{
	for (int k = 0; k < 2; k++) {
		bcp_close(d->side[k].b);
		free(d->side[k].bytes);
	}
}

json_t *diff_json_against(const char *old_blob, const char *new_blob, char **files, int nfiles,
			  const struct trust_args *t)
{
	struct dargs d;
	struct arena a;
	char *old_files[1] = { (char *)old_blob }, *new_files[1] = { (char *)new_blob };
	char *text = NULL;
	size_t len = 0;
	json_t *j = NULL;
	memset(&d, 0, sizeof d);
	d.t = *t;
	d.json = 1;
	d.side[0] = (struct dside){ .label = "old", .is_blob = 1, .files = old_files, .nfiles = 1 };
	d.side[1] = (struct dside){ .label = "new", .is_blob = new_blob != NULL,
				    .files = new_blob ? new_files : files,
				    .nfiles = new_blob ? 1 : nfiles, .quiet = 1 };
	FILE *out = open_memstream(&text, &len);
	arena_init(&a, NULL);
	int rc = out ? run_diff(&d, &a, out) : 2;
	if (out && fclose(out) == 0 && rc != 2) {
		json_error_t e;
		if (!(j = json_loadb(text, len, 0, &e)))
			fprintf(stderr, "bcpc diff: cannot read back its JSON: %s\n", e.text);
	}
	arena_free(&a);
	close_sides(&d);
	free(text);
	return j;
}

int cmd_diff(int argc, char **argv)
{
	struct dargs d;
	memset(&d, 0, sizeof d);
	d.side[0].label = "old";
	d.side[1].label = "new";
	int rc = parse_args(argc, argv, &d);
	if (rc == 0) {
		struct arena a;
		arena_init(&a, NULL);
		rc = run_diff(&d, &a, stdout);
		arena_free(&a);
	}
	close_sides(&d);
	trust_free(&d.t);
	if (fflush(stdout) != 0)
		rc = 2;
	return rc;
}
