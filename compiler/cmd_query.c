/* cmd_query.c - `bcpc query`: answer access requests from a verified blob through
 * libbcp, exactly as a client does, or (--reference) from the policy sources with
 * the reference evaluator. Output is one JSON line per request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "frontend.h"
#include "reference.h"
#include "request.h"
#include "bcp_format.h"

/* Bound users, keyed by the user object's canonical JSON, so that a batch of many
 * requests from few users binds each user once. */
#define USER_CACHE 64
struct user_cache {
	char *key[USER_CACHE];
	bcp_user *user[USER_CACHE];
	unsigned next;
};

static void cache_free(struct user_cache *c)
{
	for (unsigned i = 0; i < USER_CACHE; i++) {
		free(c->key[i]);
		bcp_user_free(c->user[i]);
	}
	memset(c, 0, sizeof *c);
}

/* The bound user for info (whose JSON form is key), from the cache or newly bound. */
static bcp_user *cache_bind(struct user_cache *c, const bcp_blob *b, const char *key,
			    const struct bcp_user_info *info, struct bcp_error *err)
{
	for (unsigned i = 0; i < USER_CACHE; i++)
		if (c->key[i] && !strcmp(c->key[i], key))
			return c->user[i];
	bcp_user *u = NULL;
	char *k = strdup(key);
	if (!k || bcp_bind(b, info, &u, err) != BCP_OK) {
		free(k);
		return NULL;
	}
	unsigned slot = c->next++ % USER_CACHE;
	free(c->key[slot]);
	bcp_user_free(c->user[slot]);
	c->key[slot] = k;
	c->user[slot] = u;
	return u;
}

struct engine {
	const bcp_blob *blob;          /* the runtime, or */
	const struct model *model;     /* the reference evaluator */
	struct user_cache cache;
};

void query_help_keys(FILE *out)
{
	static const char *const shape_text[] = {
		[BCPF_ONE] = "string", [BCPF_LIST] = "array of strings",
		[BCPF_MAP] = "object: attribute name -> array of strings",
	};
	fprintf(out, "\nA request line: \"host\" (string: a name or an IP literal), \"port\" (1-65535),\n"
		"\"proto\" (\"tcp\" or \"udp\"; default tcp), \"user\" (object, below).\n"
		"A user object (every key optional; docs/LANGUAGE.md 6.1):\n");
	for (unsigned k = 1; k <= BCPF_P_MAX; k++) {
		const struct bcpf_attr *a = bcpf_attr(k);
		fprintf(out, "  %-17s %s\n", a->json_key, shape_text[a->shape]);
	}
}

/* Why a decision came out as it did, in words a log can be searched for: the
 * blob's window first (a device denies everything outside it), then what the
 * verdict says (no pattern matched, a pattern but not the port, a bypassed
 * segment, a rule decided, or no rule did). */
static const char *query_reason(enum bcp_verdict v, const char *rule, enum bcp_reason r)
{
	if (r == BCP_REASON_EXPIRED)
		return "expired";
	if (r == BCP_REASON_NOT_YET_VALID)
		return "not_yet_valid";
	switch (v) {
	case BCP_NONE:
		return "no_segment";
	case BCP_DROP:
		return "port_not_served";
	case BCP_BYPASS:
		return "bypass";
	case BCP_ALLOW:
	case BCP_DENY:
		break;
	}
	return rule ? "rule" : "default_deny";
}

/* {"error":"line N: msg"} (without "line N: " when lineno is 0: not a batch). */
static void error_line(FILE *out, unsigned long lineno, const char *msg)
{
	char buf[700];
	if (!lineno) {
		error_to_json_line(out, msg);
		return;
	}
	snprintf(buf, sizeof buf, "line %lu: %s", lineno, msg);
	error_to_json_line(out, buf);
}

/* Answers one request (line lineno of a batch, or 0) on out; returns 0, or -1 when
 * the answer was an error line. */
static int answer(struct engine *e, const struct request *r, const char *user_key,
		  unsigned long lineno, FILE *out)
{
	char msg[600];
	if (e->model) {
		struct ref_result res;
		if (ref_decide(e->model, &r->user, r->host, r->port, r->proto, &res) != 0) {
			snprintf(msg, sizeof msg, "invalid host \"%.200s\"", r->host);
			error_line(out, lineno, msg);
			return -1;
		}
		int32_t p = ref_profile(e->model, &r->user);
		const char *rule = res.rule >= 0 ? e->model->rules[res.rule].name : NULL;
		answer_to_json_line(out, bcp_verdict_str(res.verdict),
				    res.segment >= 0 ? e->model->segments[res.segment].name : NULL,
				    rule, p >= 0 ? e->model->profiles[p].name : NULL,
				    query_reason(res.verdict, rule, BCP_REASON_POLICY));
		return 0;
	}
	struct bcp_error err;
	struct bcp_decision d;
	bcp_user *u = cache_bind(&e->cache, e->blob, user_key, &r->user, &err);
	if (!u) {
		snprintf(msg, sizeof msg, "user: %s", err.message);
		error_line(out, lineno, msg);
		return -1;
	}
	if (bcp_decide_host(u, r->host, r->hostlen, r->port, r->proto, &d) != BCP_OK) {
		snprintf(msg, sizeof msg, "invalid host \"%.200s\"", r->host);
		error_line(out, lineno, msg);
		return -1;
	}
	answer_to_json_line(out, bcp_verdict_str(d.verdict), d.segment, d.rule,
			    bcp_user_profile(u), query_reason(d.verdict, d.rule, d.reason));
	return 0;
}

/* A canonical text of the user's attributes, the key of the bound-user cache. Each
 * string is written with its length, so no two different users share a key. */
struct keybuf {
	char *p;
	size_t n, cap;
	int failed;
};

static void key_put(struct keybuf *k, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	if (k->failed || k->cap - k->n < len + 24) {
		size_t cap = (k->cap ? k->cap * 2 : 256) + len + 24;
		char *p = k->failed ? NULL : realloc(k->p, cap);
		if (!p) {
			k->failed = 1;
			return;
		}
		k->p = p;
		k->cap = cap;
	}
	k->n += (size_t)snprintf(k->p + k->n, k->cap - k->n, "%c%zu:", s ? 's' : 'n', len);
	memcpy(k->p + k->n, s ? s : "", len);
	k->n += len;
	k->p[k->n] = '\0';
}

static void key_list(struct keybuf *k, const char *const *v, size_t n)
{
	char count[24];
	snprintf(count, sizeof count, "%zu", n);
	key_put(k, count);
	for (size_t i = 0; i < n; i++)
		key_put(k, v[i]);
}

static void key_attrs(struct keybuf *k, const struct bcp_attr *a, size_t n)
{
	char count[24];
	snprintf(count, sizeof count, "%zu", n);
	key_put(k, count);
	for (size_t i = 0; i < n; i++) {
		key_put(k, a[i].name);
		key_list(k, a[i].values, a[i].nvalues);
	}
}

static const char *user_key(struct keybuf *k, const struct bcp_user_info *u)
{
	k->n = 0;
	key_attrs(k, u->saml, u->nsaml);
	key_attrs(k, u->scim, u->nscim);
	key_list(k, u->scim_groups, u->nscim_groups);
	key_put(k, u->idp);
	key_put(k, u->platform);
	key_put(k, u->client_type);
	key_list(k, u->posture, u->nposture);
	key_list(k, u->trusted_networks, u->ntrusted_networks);
	key_put(k, u->country);
	return k->failed ? NULL : k->p;
}

static int run_batch(struct engine *e, FILE *in, FILE *out)
{
	struct request r = { 0 };
	struct keybuf kb = { 0 };
	char *line = NULL, err[300];
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	int failed = 0;
	while ((n = getline(&line, &cap, in)) > 0) {
		lineno++;
		if (request_parse(line, (size_t)n, &r, err, sizeof err) != 0) {
			error_line(out, lineno, err);
			failed = 1;
			continue;
		}
		const char *key = user_key(&kb, &r.user);
		if (!key) {
			error_line(out, lineno, "out of memory");
			failed = 1;
		} else if (answer(e, &r, key, lineno, out)) {
			failed = 1;
		}
	}
	free(kb.p);
	free(line);
	request_free(&r);
	return failed;
}

struct query_args {
	struct trust_args t;
	const char *blob_path, *now_arg, *batch, *user_path, *target;
	char **sources;   /* with --reference: the policy files (room for argc) */
	int nsources, reference;
};

/* Reads query's command line into q. 0, or 2 after a usage error (-1 from
 * trust_arg has printed its own). */
static int query_args(int argc, char **argv, struct query_args *q)
{
	int r;
	for (int i = 1; i < argc; i++) {
		if ((r = trust_arg("query", argc, argv, &i, &q->t)) < 0)
			return 2;
		if (r)
			continue;
		if (!strcmp(argv[i], "--reference"))
			q->reference = 1;
		else if (!strcmp(argv[i], "--now") && i + 1 < argc)
			q->now_arg = argv[++i];
		else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
			q->batch = argv[++i];
		else if (!strcmp(argv[i], "--user") && i + 1 < argc)
			q->user_path = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1])
			return usage_error("query", "unknown option '%.200s'", argv[i]);
		else if (q->reference)
			/* With --reference, plain arguments are sources, except a last HOST:PORT. */
			q->sources[q->nsources++] = argv[i];
		else if (!q->blob_path)
			q->blob_path = argv[i];
		else if (!q->target)
			q->target = argv[i];
		else
			return usage_error("query", "unexpected argument '%.200s'", argv[i]);
	}
	if (q->reference && !q->batch && q->nsources > 1 && q->user_path)
		q->target = q->sources[--q->nsources];
	if (!!q->batch == !!q->target || (q->target && !q->user_path))
		return usage_error("query", "give --batch FILE|- or --user USER.json HOST:PORT");
	if (q->reference ? q->nsources == 0 :
	    (!q->blob_path || (!q->t.nthumbprints && !q->t.pubkey_pem)))
		return usage_error("query", q->reference ? "give the policy files after --reference" :
				   "need a blob and --thumbprint B64 or --pubkey PUB.pem");
	return 0;
}

/* Sets up e to answer from the checked sources (--reference, in arena a) or from the
 * blob, opened as a client opens it (*b then holds it). 0, 1 on failure (said), or 2
 * after a usage error. */
static int query_engine(const struct query_args *q, struct engine *e, struct arena *a,
			bcp_blob **b)
{
	if (q->reference) {
		struct diags d;
		diags_init(&d, a);
		e->model = load_policy(q->sources, q->nsources, a, &d);
		diags_print(&d, stderr);
		return e->model ? 0 : 1;
	}
	/* Outside its window the blob opens as on a device: every answer is a deny with
	 * reason expired or not_yet_valid. */
	struct bcp_open_opts o = { q->t.thumbprints, q->t.nthumbprints, q->t.pubkey_pem, 0, 0,
				   BCP_OPEN_EXPIRED_DENIES | BCP_OPEN_NOT_YET_VALID_DENIES };
	struct bcp_error err;
	int bad;
	o.now = now_or(q->now_arg, &bad);
	if (bad)
		return usage_error("query", "%s", "--now: not a time");
	if (bcp_open_file(q->blob_path, &o, b, &err) != BCP_OK) {
		fprintf(stderr, "bcpc query: %s: %s\n", q->blob_path, err.message);
		return 1;
	}
	e->blob = *b;
	return 0;
}

/* One request: the user of the file at user_path going to target. 0, or 1. */
static int query_one(struct engine *e, const char *user_path, const char *target)
{
	struct user_file uf = { 0 };
	struct request req = { 0 };
	char err[300];
	int rc = 1;
	if (user_file_load(user_path, &uf, err, sizeof err) ||
	    request_parse_target(target, &req, err, sizeof err)) {
		fprintf(stderr, "bcpc query: %s\n", err);
	} else {
		struct keybuf kb = { 0 };
		req.user = uf.user;
		const char *key = user_key(&kb, &req.user);
		rc = !key || answer(e, &req, key, 0, stdout) ? 1 : 0;
		free(kb.p);
	}
	request_free(&req);
	user_file_free(&uf);
	return rc;
}

int cmd_query(int argc, char **argv)
{
	struct query_args q = { .sources = calloc((size_t)argc, sizeof *q.sources) };
	struct engine e = { 0 };
	bcp_blob *b = NULL;
	struct arena a;
	int rc;
	arena_init(&a, NULL);
	if (!q.sources)
		return 1;
	rc = query_args(argc, argv, &q);
	if (rc == 0)
		rc = query_engine(&q, &e, &a, &b);
	if (rc != 0)
		goto done;
	if (q.batch) {
		FILE *in = strcmp(q.batch, "-") ? fopen(q.batch, "r") : stdin;
		if (!in) {
			perror(q.batch);
			rc = 1;
			goto done;
		}
		rc = run_batch(&e, in, stdout);
		if (in != stdin)
			fclose(in);
	} else {
		rc = query_one(&e, q.user_path, q.target);
	}
	if (fflush(stdout) != 0)
		rc = 1;
done:
	cache_free(&e.cache);
	bcp_close(b);
	arena_free(&a);
	trust_free(&q.t);
	free(q.sources);
	return rc;
}
