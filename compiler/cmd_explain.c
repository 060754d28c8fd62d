/* cmd_explain.c - `bcpc explain`: why a request is decided as it is, step by step
 * (explain.c). With --reference the model comes from the policy sources; with a
 * blob, from the verified blob read back (blob_model.c), and libbcp decides too: the
 * trace is printed only when it ends where libbcp does. Text, or --json as data. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "blob_model.h"
#include "cli.h"
#include "file.h"
#include "explain.h"
#include "frontend.h"
#include "request.h"

static const char *proto_name(enum bcp_proto p)
{
	return p == BCP_UDP ? "udp" : "tcp";
}

static const char *match_name(enum match_style s)
{
	return s == MATCH_EXCLUSIVE ? "exclusive" : "inclusive";
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static void where(const struct loc *l, char *out, size_t n)
{
	snprintf(out, n, "%s:%d", l->src && l->src->path ? l->src->path : "?", l->line);
}

/* ---- the user's side of a failed clause ---- */

struct values {
	json_t *list;
	const char *attr;
};

static int collect(void *ctx, const char *name, const char *value)
{
	struct values *v = ctx;
	if (!v->attr || (name && !strcmp(name, v->attr)))
		json_array_append_new(v->list, json_string(value));
	return 0;
}

/* What the clause asked for and what the user has, one object per condition. */
static json_t *clause_json(const struct m_clause *c, const struct bcp_user_info *u)
{
	json_t *conds = json_array();
	for (uint32_t i = 0; i < c->natoms; i++) {
		const struct m_atom *at = &c->atoms[i];
		json_t *o = json_object(), *want = json_array();
		json_object_set_new(o, "condition", json_string(atom_kind_names[at->kind]));
		if (at->attr)
			json_object_set_new(o, "attribute", json_string(at->attr));
		for (uint32_t j = 0; j < at->nvalues; j++)
			json_array_append_new(want, json_string(at->values[j]));
		json_object_set_new(o, "any_of", want);
		unsigned kind = atom_pred_kind(at->kind);
		if (kind) {
			struct values v = { json_array(), bcpf_attr(kind)->shape == BCPF_MAP ? at->attr : NULL };
			bcpf_user_each(u, kind, collect, &v);
			if (!json_array_size(v.list) && bcpf_attr(kind)->fallback)
				json_array_append_new(v.list, json_string(bcpf_attr(kind)->fallback));
			json_object_set_new(o, "user_has", v.list);
		}
		json_array_append_new(conds, o);
	}
	json_t *o = json_object();
	json_object_set_new(o, "negated", json_boolean(c->negated));
	json_object_set_new(o, "conditions", conds);
	return o;
}

/* ---- the explanation as data ---- */

static json_t *patterns_json(const struct model *m, const struct explanation *x)
{
	json_t *a = json_array();
	char buf[64];
	for (uint32_t i = 0; i < x->npats; i++) {
		const struct xp_pattern *xp = &x->pats[i];
		const struct m_pattern *p = &m->patterns[xp->pattern];
		json_t *o = json_object(), *segs = json_array();
		json_object_set_new(o, "pattern", json_string(p->is_addr ? prefix_format(&p->prefix, buf) : p->host));
		json_object_set_new(o, "match", json_string(match_name(p->match)));
		for (uint32_t j = 0; j < p->nsegs; j++) {
			const struct m_segment *s = &m->segments[p->segs[j]];
			json_t *so = json_object();
			json_object_set_new(so, "segment", json_string(s->name));
			json_object_set_new(so, "enabled", json_boolean(s->enabled));
			json_array_append_new(segs, so);
		}
		json_object_set_new(o, "segments", segs);
		json_object_set_new(o, "serves_port", str_or_null(xp->serves >= 0 ? m->segments[xp->serves].name : NULL));
		json_object_set_new(o, "stops_walk", json_boolean(xp->stops));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *rules_json(const struct model *m, const struct explanation *x,
			  const struct bcp_user_info *u)
{
	json_t *a = json_array();
	char at[512];
	for (uint32_t i = 0; i < x->nrules; i++) {
		const struct xp_rule *xr = &x->rules[i];
		const struct m_rule *r = &m->rules[xr->rule];
		json_t *o = json_object();
		json_object_set_new(o, "rule", json_string(r->name));
		if (r->loc.src) {   /* a model read from a blob has no locations */
			where(&r->loc, at, sizeof at);
			json_object_set_new(o, "at", json_string(at));
		}
		json_object_set_new(o, "action", json_string(r->allow ? "allow" : "deny"));
		json_object_set_new(o, "outcome", json_string(xr->why == XR_DECIDED ? "decided" :
			xr->why == XR_USER_CLAUSE ? "user_clause_failed" : "not_for_segments"));
		if (xr->why == XR_DECIDED) {
			json_object_set_new(o, "segment", json_string(m->segments[xr->segment].name));
		} else {
			json_object_set_new(o, "clause", json_integer(xr->clause + 1));
			json_object_set_new(o, "failed", clause_json(&r->clauses[xr->clause], u));
		}
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *profiles_json(const struct model *m, const struct explanation *x,
			     const struct bcp_user_info *u)
{
	json_t *a = json_array();
	for (uint32_t i = 0; i < x->nprofiles; i++) {
		const struct xp_profile *xp = &x->profiles[i];
		const struct m_profile *p = &m->profiles[xp->profile];
		json_t *o = json_object();
		json_object_set_new(o, "profile", json_string(p->name));
		json_object_set_new(o, "chosen", json_boolean(xp->chosen));
		if (!xp->chosen) {
			json_object_set_new(o, "clause", json_integer(xp->clause + 1));
			json_object_set_new(o, "failed", clause_json(&p->when[xp->clause], u));
		}
		json_array_append_new(a, o);
	}
	return a;
}

static const char *why_segment(const struct model *m, const struct explanation *x)
{
	if (x->bad_host)
		return "the host is neither a valid host name nor an address";
	if (x->verdict == BCP_NONE)
		return x->npats ? "every pattern that matched belongs to disabled segments only" :
				  "no pattern of any segment matches the host";
	if (x->verdict == BCP_DROP)
		return "patterns match, but no enabled segment of them serves the port";
	if (x->verdict == BCP_BYPASS)
		return m->segments[x->bypass].bypass == BYPASS_ALWAYS ? "the segment is bypass always" :
			"the segment is bypass on_net and the user is on a trusted network";
	if (x->rule < 0)
		return "no rule decided: default deny";
	return "the first rule whose conditions hold for one of the selected segments";
}

static json_t *explanation_json(const struct model *m, const struct explanation *x,
				const struct bcp_user_info *u)
{
	json_t *o = json_object(), *req = json_object(), *sel = json_array();
	json_object_set_new(req, "host", json_string(x->host));
	json_object_set_new(req, "kind", json_string(x->bad_host ? "invalid" : x->is_addr ? "address" : "name"));
	json_object_set_new(req, "port", json_integer(x->port));
	json_object_set_new(req, "proto", json_string(proto_name(x->proto)));
	json_object_set_new(o, "request", req);
	json_object_set_new(o, "patterns", patterns_json(m, x));
	for (uint32_t i = 0; i < x->nselected; i++)
		json_array_append_new(sel, json_string(m->segments[x->selected[i]].name));
	json_object_set_new(o, "selected_segments", sel);
	json_object_set_new(o, "rules", rules_json(m, x, u));
	json_object_set_new(o, "profiles", profiles_json(m, x, u));
	json_object_set_new(o, "decision", json_string(bcp_verdict_str(x->verdict)));
	json_object_set_new(o, "segment", str_or_null(x->segment >= 0 ? m->segments[x->segment].name : NULL));
	json_object_set_new(o, "rule", str_or_null(x->rule >= 0 ? m->rules[x->rule].name : NULL));
	json_object_set_new(o, "profile", str_or_null(x->profile >= 0 ? m->profiles[x->profile].name : NULL));
	json_object_set_new(o, "why", json_string(why_segment(m, x)));
	return o;
}

/* ---- text ---- */

static void print_strings(FILE *out, json_t *a)
{
	size_t i;
	json_t *v;
	if (!json_array_size(a)) {
		fputs("nothing", out);
		return;
	}
	json_array_foreach(a, i, v)
		fprintf(out, "%s\"%s\"", i ? ", " : "", json_string_value(v));
}

static void print_failed(FILE *out, json_t *clause)
{
	size_t i;
	json_t *c;
	fprintf(out, "%s", json_is_true(json_object_get(clause, "negated")) ? "not (" : "");
	json_array_foreach(json_object_get(clause, "conditions"), i, c) {
		json_t *attr = json_object_get(c, "attribute");
		fprintf(out, "%s%s", i ? " or " : "", json_string_value(json_object_get(c, "condition")));
		if (attr)
			fprintf(out, " \"%s\"", json_string_value(attr));
		fputs(" = ", out);
		print_strings(out, json_object_get(c, "any_of"));
	}
	fputs(json_is_true(json_object_get(clause, "negated")) ? ")" : "", out);
	json_array_foreach(json_object_get(clause, "conditions"), i, c) {
		json_t *has = json_object_get(c, "user_has");
		if (!has)
			continue;
		fprintf(out, "; user has %s", json_string_value(json_object_get(c, "condition")));
		json_t *attr = json_object_get(c, "attribute");
		if (attr)
			fprintf(out, " \"%s\"", json_string_value(attr));
		fputs(" = ", out);
		print_strings(out, has);
	}
}

static void print_patterns(FILE *out, json_t *o)
{
	json_t *v;
	size_t i;
	if (json_array_size(json_object_get(o, "patterns")))
		fputs("patterns that matched, most specific first:\n", out);
	json_array_foreach(json_object_get(o, "patterns"), i, v) {
		json_t *s;
		size_t j;
		fprintf(out, "  %s (%s): ", json_string_value(json_object_get(v, "pattern")),
			json_string_value(json_object_get(v, "match")));
		json_array_foreach(json_object_get(v, "segments"), j, s)
			fprintf(out, "%s\"%s\"%s", j ? ", " : "", json_string_value(json_object_get(s, "segment")),
				json_is_true(json_object_get(s, "enabled")) ? "" : " (disabled)");
		json_t *sv = json_object_get(v, "serves_port");
		if (json_is_string(sv))
			fprintf(out, "; \"%s\" serves the port", json_string_value(sv));
		else
			fputs("; none serves the port", out);
		fputs(json_is_true(json_object_get(v, "stops_walk")) ? "; exclusive: the walk stops here\n" :
		      "\n", out);
	}
	if (json_array_size(json_object_get(o, "selected_segments"))) {
		fputs("segments selected, in order: ", out);
		print_strings(out, json_object_get(o, "selected_segments"));
		fputc('\n', out);
	}
}

static void print_rules(FILE *out, json_t *o)
{
	json_t *v;
	size_t i;
	json_array_foreach(json_object_get(o, "rules"), i, v) {
		const char *outcome = json_string_value(json_object_get(v, "outcome"));
		if (json_object_get(v, "at"))
			fprintf(out, "%s: ", json_string_value(json_object_get(v, "at")));
		fprintf(out, "rule \"%s\" (%s): ", json_string_value(json_object_get(v, "rule")),
			json_string_value(json_object_get(v, "action")));
		if (!strcmp(outcome, "decided")) {
			fprintf(out, "decides, for segment \"%s\"\n",
				json_string_value(json_object_get(v, "segment")));
			continue;
		}
		fprintf(out, "%s clause %lld failed: ", !strcmp(outcome, "not_for_segments") ?
			"not for the selected segments:" : "the user does not match:",
			json_integer_value(json_object_get(v, "clause")));
		print_failed(out, json_object_get(v, "failed"));
		fputc('\n', out);
	}
}

static void print_profiles(FILE *out, json_t *o)
{
	json_t *v;
	size_t i;
	json_array_foreach(json_object_get(o, "profiles"), i, v) {
		fprintf(out, "app profile \"%s\": ", json_string_value(json_object_get(v, "profile")));
		if (json_is_true(json_object_get(v, "chosen"))) {
			fputs("chosen (the first whose conditions hold)\n", out);
			continue;
		}
		fprintf(out, "clause %lld failed: ", json_integer_value(json_object_get(v, "clause")));
		print_failed(out, json_object_get(v, "failed"));
		fputc('\n', out);
	}
}

static void print_text(FILE *out, json_t *o)
{
	static const char *const keys[] = { "segment", "rule", "profile" };
	json_t *req = json_object_get(o, "request");
	fprintf(out, "request: %s:%lld/%s (%s)\n", json_string_value(json_object_get(req, "host")),
		json_integer_value(json_object_get(req, "port")),
		json_string_value(json_object_get(req, "proto")),
		json_string_value(json_object_get(req, "kind")));
	print_patterns(out, o);
	print_rules(out, o);
	print_profiles(out, o);
	fprintf(out, "decision: %s", json_string_value(json_object_get(o, "decision")));
	for (size_t i = 0; i < 3; i++) {
		json_t *s = json_object_get(o, keys[i]);
		fprintf(out, " %s %s%s%s", keys[i], json_is_string(s) ? "\"" : "",
			json_is_string(s) ? json_string_value(s) : "none", json_is_string(s) ? "\"" : "");
	}
	fprintf(out, "\nwhy: %s\n", json_string_value(json_object_get(o, "why")));
}

/* ---- the command ---- */

struct explain_args {
	struct trust_args t;
	const char *blob_path, *now_arg, *user_path, *target;
	char **sources;
	int nsources, reference, json;
};

static int explain_args(int argc, char **argv, struct explain_args *q)
{
	int r;
	for (int i = 1; i < argc; i++) {
		if ((r = trust_arg("explain", argc, argv, &i, &q->t)) < 0)
			return 2;
		if (r)
			continue;
		if (!strcmp(argv[i], "--reference"))
			q->reference = 1;
		else if (!strcmp(argv[i], "--json"))
			q->json = 1;
		else if (!strcmp(argv[i], "--now") && i + 1 < argc)
			q->now_arg = argv[++i];
		else if (!strcmp(argv[i], "--user") && i + 1 < argc)
			q->user_path = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1])
			return usage_error("explain", "unknown option '%.200s'", argv[i]);
		else
			q->sources[q->nsources++] = argv[i];
	}
	if (q->nsources < 2 || !q->user_path)
		return usage_error("explain", "give (BLOB --thumbprint B64 | --reference FILE.bcl...) "
				   "--user USER.json HOST:PORT[/udp]");
	q->target = q->sources[--q->nsources];
	if (!q->reference) {
		if (q->nsources != 1)
			return usage_error("explain", "unexpected argument '%.200s'", q->sources[1]);
		q->blob_path = q->sources[0];
		if (!q->t.nthumbprints && !q->t.pubkey_pem)
			return usage_error("explain", "need --thumbprint B64 or --pubkey PUB.pem with a blob");
	}
	return 0;
}

static int explain_reference(const struct explain_args *q, const struct request *req)
{
	struct arena a;
	struct diags d;
	struct explanation x;
	int rc = 1;
	arena_init(&a, NULL);
	diags_init(&d, &a);
	const struct model *m = load_policy(q->sources, q->nsources, &a, &d);
	diags_print(&d, stderr);
	if (m && explain(m, &req->user, req->host, req->port, req->proto, &x) == 0) {
		json_t *o = explanation_json(m, &x, &req->user);
		if (q->json) {
			json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			putchar('\n');
		} else {
			print_text(stdout, o);
		}
		json_decref(o);
		explain_free(&x);
		rc = 0;
	} else if (m) {
		fprintf(stderr, "bcpc explain: out of memory\n");
	}
	arena_free(&a);
	return rc;
}

/* ---- from a blob ---- */

/* What libbcp answers on the verified blob, as a client would. */
struct runtime_answer {
	struct bcp_decision d;
	int32_t profile;             /* bcp_user_profile_index */
	uint64_t serial;
};

/* Reads the blob and opens it with libbcp against the trust options: its bytes in
 * *data (malloc'd), the open handle in *b. 0, or 1 with the reason printed. */
static int open_blob(const struct explain_args *q, uint8_t **data, size_t *len, bcp_blob **b)
{
	struct bcp_open_opts o = { q->t.thumbprints, q->t.nthumbprints, q->t.pubkey_pem, 0, 0, 0 };
	struct bcp_error err;
	int bad;
	o.now = now_or(q->now_arg, &bad);
	if (bad)
		return usage_error("explain", "%s", "--now: not a time");
	*data = (uint8_t *)read_file_malloc(q->blob_path, BCPF_MAX_BLOB, len);
	if (!*data) {
		fprintf(stderr, "bcpc explain: cannot read %s: %s\n", q->blob_path, strerror(errno));
		return 1;
	}
	if (bcp_open_buffer(*data, *len, &o, b, &err) != BCP_OK) {
		fprintf(stderr, "bcpc explain: %s: %s\n", q->blob_path, err.message);
		return 1;
	}
	return 0;
}

static int runtime_answer(bcp_blob *b, const struct request *req, struct runtime_answer *ra)
{
	struct bcp_error err;
	struct bcp_info info;
	bcp_user *u = NULL;
	if (bcp_bind(b, &req->user, &u, &err) != BCP_OK) {
		fprintf(stderr, "bcpc explain: user: %s\n", err.message);
		return 1;
	}
	if (bcp_decide_host(u, req->host, req->hostlen, req->port, req->proto, &ra->d) != BCP_OK)
		ra->d.reason = BCP_REASON_BAD_HOST;   /* d already says deny */
	ra->profile = bcp_user_profile_index(u);
	bcp_info(b, &info);
	ra->serial = info.serial;
	bcp_user_free(u);
	return 0;
}

/* The trace of the blob's model ends where libbcp does: verdict, segment, rule and
 * profile (the model keeps the blob's order, so its indices are the blob's). */
static int trace_agrees(const struct explanation *x, const struct runtime_answer *ra)
{
	return x->verdict == ra->d.verdict && x->segment == ra->d.segment_index &&
	       x->rule == ra->d.rule_index && x->profile == ra->profile &&
	       x->bad_host == (ra->d.reason == BCP_REASON_BAD_HOST);
}

static void print_blob(const struct explain_args *q, const struct model *m,
		       const struct explanation *x, const struct request *req,
		       const struct runtime_answer *ra)
{
	json_t *o = explanation_json(m, x, &req->user);
	json_object_set_new(o, "reason", json_string(bcp_reason_str(ra->d.reason)));
	json_object_set_new(o, "serial", json_integer((json_int_t)ra->serial));
	if (q->json) {
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		printf("blob: %s, serial %llu, verified; libbcp decides as this trace does "
		       "(reason %s)\n", q->blob_path, (unsigned long long)ra->serial,
		       bcp_reason_str(ra->d.reason));
		print_text(stdout, o);
	}
	json_decref(o);
}

/* From a blob: libbcp decides as a client does; the blob read back into a model
 * (blob_model.c) is explained step by step, and the trace is printed only when it
 * ends where libbcp does (else an internal error, exit 2). */
static int explain_blob(const struct explain_args *q, const struct request *req)
{
	struct runtime_answer ra;
	struct explanation x;
	struct model m;
	struct arena a;
	bcp_blob *b = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char err[300];
	int rc = open_blob(q, &data, &len, &b);
	if (rc == 0)
		rc = runtime_answer(b, req, &ra);
	arena_init(&a, NULL);
	if (rc == 0 && blob_model(data, len, &a, &m, err, sizeof err) != 0) {
		fprintf(stderr, "bcpc explain: %s: internal error: the verified blob does not read "
			"back: %s\n", q->blob_path, err);
		rc = 2;
	}
	if (rc == 0 && explain(&m, &req->user, req->host, req->port, req->proto, &x) != 0) {
		fprintf(stderr, "bcpc explain: out of memory\n");
		rc = 1;
	} else if (rc == 0) {
		if (trace_agrees(&x, &ra)) {
			print_blob(q, &m, &x, req, &ra);
		} else {
			fprintf(stderr, "bcpc explain: internal error: the trace of %s ends in %s, "
				"libbcp decides %s; no trace printed\n", q->blob_path,
				bcp_verdict_str(x.verdict), bcp_verdict_str(ra.d.verdict));
			rc = 2;
		}
		explain_free(&x);
	}
	arena_free(&a);
	bcp_close(b);
	free(data);
	return rc;
}

int cmd_explain(int argc, char **argv)
{
	struct explain_args q = { .sources = calloc((size_t)argc, sizeof *q.sources) };
	struct user_file uf = { 0 };
	struct request req = { 0 };
	char err[300];
	int rc;
	if (!q.sources)
		return 1;
	rc = explain_args(argc, argv, &q);
	if (rc == 0 && (user_file_load(q.user_path, &uf, err, sizeof err) ||
			request_parse_target(q.target, &req, err, sizeof err))) {
		fprintf(stderr, "bcpc explain: %s\n", err);
		rc = 1;
	}
	if (rc == 0) {
		req.user = uf.user;
		rc = q.reference ? explain_reference(&q, &req) : explain_blob(&q, &req);
	}
	if (rc != 2 && fflush(stdout) != 0)
		rc = 1;
	request_free(&req);
	user_file_free(&uf);
	trust_free(&q.t);
	free(q.sources);
	return rc;
}
