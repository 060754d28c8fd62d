/* test_semdiff.c - bcpc diff is exact, checked at random. Each pair of policies is
 * a random policy (randpol.h, the generator of test_diff.c) and a copy changed by
 * random edits of its text: groups renamed; segments added, removed, renamed,
 * their ports, patterns, match style, bypass and enabled changed; rules added,
 * removed, renamed, moved, their action flipped, clauses added or removed. A pair
 * whose second policy does not load is drawn again (an edit may break a reference).
 *
 * For each pair both policies are compiled to blobs and:
 *   - every class the semantic diff reports has a witness that, decided through
 *     both blobs by libbcp at the first, the last and a random port of the class,
 *     gives exactly the class's old and new decisions, and those differ;
 *   - of 1,000 random requests with random users, every one whose decision
 *     (verdict, segment, rule; names followed through the diff's renames) differs
 *     between the blobs falls in a reported class: the same region, protocol and
 *     port range, the same old and the same new decision (or a class reported as
 *     not decided).
 * And the partition of the old policy alone (classes.h with one model): for 250
 * random requests the reference evaluator's decision is that of the class the
 * request falls in (none, drop, or a segment of the class's selection).
 * Usage: test_semdiff [SEED [NPAIRS]]. Prints the counts and "N passed, M failed"
 * (one check per pair). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "arena.h"
#include "blob.h"
#include "diag.h"
#include "frontend.h"
#include "keys.h"
#include "analysis/diff.h"
#include "reference.h"
#include "bcp.h"
#include "randpol.h"

#define DEFAULT_SEED 0x5E3D1FF2026ull
#define DEFAULT_PAIRS 200
#define REQUESTS 1000
#define USERS 8

static int passed, failed;

struct counts {
	unsigned pairs, redraws, requests, differing, classes, witnesses, undecided, edits;
	unsigned located;   /* requests checked against the one-model partition */
};

/* ---- the policy text as lines ---- */

struct lines {
	char **l;
	unsigned n;
};

static void lines_from(struct lines *L, const char *text)
{
	L->n = 0;
	L->l = NULL;
	const char *p = text;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		L->l = realloc(L->l, (L->n + 1) * sizeof *L->l);
		L->l[L->n] = strndup(p, n);
		L->n++;
		p += n + (e ? 1 : 0);
	}
}

static void lines_free(struct lines *L)
{
	for (unsigned i = 0; i < L->n; i++)
		free(L->l[i]);
	free(L->l);
}

static void lines_insert(struct lines *L, unsigned at, const char *s)
{
	L->l = realloc(L->l, (L->n + 1) * sizeof *L->l);
	memmove(&L->l[at + 1], &L->l[at], (L->n - at) * sizeof *L->l);
	L->l[at] = strdup(s);
	L->n++;
}

static void lines_delete(struct lines *L, unsigned at, unsigned count)
{
	for (unsigned i = at; i < at + count; i++)
		free(L->l[i]);
	memmove(&L->l[at], &L->l[at + count], (L->n - at - count) * sizeof *L->l);
	L->n -= count;
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The i-th (random) line starting with prefix, or -1. */
static int pick_line(struct rng *r, const struct lines *L, const char *prefix)
{
	unsigned n = 0;
	for (unsigned i = 0; i < L->n; i++)
		n += starts(L->l[i], prefix);
	if (!n)
		return -1;
	unsigned k = rn(r, n);
	for (unsigned i = 0; i < L->n; i++)
		if (starts(L->l[i], prefix) && k-- == 0)
			return (int)i;
	return -1;
}

/* The line closing the block that starts at line b: "}" for a segment, "    }" for
 * a rule. */
static unsigned block_end(const struct lines *L, unsigned b, const char *close)
{
	unsigned e = b;
	while (e < L->n && strcmp(L->l[e], close))
		e++;
	return e;
}

/* ---- edits ---- */

static void edit_rule_action(struct rng *r, struct lines *L)
{
	int i = pick_line(r, L, "    rule ");
	if (i < 0)
		return;
	char *s = L->l[i], *a = strstr(s, "\" allow {"), *d = strstr(s, "\" deny {");
	char buf[256];
	if (a)
		snprintf(buf, sizeof buf, "%.*s\" deny {", (int)(a - s), s);
	else if (d)
		snprintf(buf, sizeof buf, "%.*s\" allow {", (int)(d - s), s);
	else
		return;
	free(L->l[i]);
	L->l[i] = strdup(buf);
}

static void edit_rule_remove(struct rng *r, struct lines *L)
{
	int i = pick_line(r, L, "    rule ");
	if (i >= 0)
		lines_delete(L, (unsigned)i, block_end(L, (unsigned)i, "    }") - (unsigned)i + 1);
}

static void edit_rule_move(struct rng *r, struct lines *L)
{
	int i = pick_line(r, L, "    rule ");
	if (i < 0)
		return;
	unsigned e = block_end(L, (unsigned)i, "    }"), n = e - (unsigned)i + 1;
	char **blk = malloc(n * sizeof *blk);
	for (unsigned k = 0; k < n; k++)
		blk[k] = strdup(L->l[(unsigned)i + k]);
	lines_delete(L, (unsigned)i, n);
	int at = pick_line(r, L, "    rule ");
	if (at < 0)
		at = i;
	for (unsigned k = 0; k < n; k++) {
		lines_insert(L, (unsigned)at + k, blk[k]);
		free(blk[k]);
	}
	free(blk);
}

static void edit_rule_rename(struct rng *r, struct lines *L)
{
	int i = pick_line(r, L, "    rule \"");
	if (i < 0)
		return;
	char buf[256];
	snprintf(buf, sizeof buf, "    rule \"Renamed%u-%s", rn(r, 1000), L->l[i] + 10);
	free(L->l[i]);
	L->l[i] = strdup(buf);
}

static void edit_clause_remove(struct rng *r, struct lines *L)
{
	int i = pick_line(r, L, "        ");
	if (i >= 0)
		lines_delete(L, (unsigned)i, 1);
}

static void edit_clause_add(struct gen *g, struct lines *L)
{
	int i = pick_line(&g->r, L, "    rule ");
	if (i < 0)
		return;
	struct sbuf b = { 0 };
	if (chance(&g->r, 60))
		write_user_clause(&g->r, &b, "        ", "");
	else
		write_app_clause(g, &b, 0);
	b.p[b.n - 1] = '\0';   /* the newline */
	lines_insert(L, (unsigned)i + 1, b.p);
	free(b.p);
}

static void edit_rule_add(struct gen *g, struct lines *L)
{
	int i = pick_line(&g->r, L, "access_policy {");
	if (i < 0)
		return;
	char head[64];
	snprintf(head, sizeof head, "    rule \"New%u\" %s {", g->unique++,
		 chance(&g->r, 50) ? "allow" : "deny");
	unsigned at = (unsigned)i + 1;
	lines_insert(L, at++, head);
	struct sbuf b = { 0 };
	for (unsigned k = rn(&g->r, 3); k > 0; k--) {
		b.n = 0;
		if (chance(&g->r, 50))
			write_user_clause(&g->r, &b, "        ", "");
		else
			write_app_clause(g, &b, 0);
		b.p[b.n - 1] = '\0';
		lines_insert(L, at++, b.p);
	}
	lines_insert(L, at, "    }");
	free(b.p);
}

/* A segment's setting line (bypass, match, enabled, tcp, udp, domains,
 * addresses): the old ones of that keyword go, a new one may come. */
static void set_segment_line(struct rng *r, struct lines *L, const char *kw, const char *line)
{
	int i = pick_line(r, L, "segment ");
	if (i < 0)
		return;
	unsigned e = block_end(L, (unsigned)i, "}");
	char prefix[32];
	snprintf(prefix, sizeof prefix, "    %s ", kw);
	for (unsigned k = (unsigned)i + 1; k < e;)
		if (starts(L->l[k], prefix))
			lines_delete(L, k, 1), e--;
		else
			k++;
	if (line)
		lines_insert(L, e, line);
}

static void edit_segment(struct gen *g, struct lines *L)
{
	struct rng *r = &g->r;
	char line[256];
	struct pset ps;
	struct sbuf b = { 0 };
	switch (rn(r, 7)) {
	case 0:
		snprintf(line, sizeof line, "    bypass %s;", PICK(r, ((const char *[]){ "never", "always", "on_net" })));
		set_segment_line(r, L, "bypass", line);
		break;
	case 1:
		set_segment_line(r, L, "enabled", chance(r, 50) ? "    enabled false;" : NULL);
		break;
	case 2:
		set_segment_line(r, L, "match", chance(r, 50) ? "    match inclusive;" : "    match exclusive;");
		break;
	case 3:
	case 4:
		gen_ports(r, &ps);
		put_ports(&b, chance(r, 70) ? "tcp" : "udp", &ps);
		b.p[b.n - 1] = '\0';
		set_segment_line(r, L, strstr(b.p, "tcp") ? "tcp" : "udp", b.p);
		break;
	case 5: {   /* another pattern of the pools (domains lines add up) */
		int p = random_pat(g, 0, 1);
		if (p < 0)
			break;
		if (p < MAX_HPAT)
			snprintf(line, sizeof line, "    domains \"%s\";", g->h[p].name);
		else
			format_addr(g->a[p - MAX_HPAT].family, g->a[p - MAX_HPAT].addr, line + 200, 56),
			snprintf(line, 200, "    addresses %s/%u;", line + 200, g->a[p - MAX_HPAT].len);
		int i = pick_line(r, L, "segment ");
		if (i >= 0)
			lines_insert(L, (unsigned)i + 2, line);
		break;
	}
	default: {   /* a pattern line goes */
		int i = pick_line(r, L, chance(r, 50) ? "    domains " : "    addresses ");
		if (i >= 0)
			lines_delete(L, (unsigned)i, 1);
	}
	}
	free(b.p);
}

static void edit_segment_add(struct gen *g, struct lines *L)
{
	if (g->ns >= MAX_SEG)
		return;
	struct sbuf b = { 0 };
	gen_segment(g, g->ns);
	write_segment(g, &b, &g->s[g->ns]);
	g->ns++;
	struct lines add;
	lines_from(&add, b.p);
	for (unsigned k = 0; k < add.n; k++)
		lines_insert(L, L->n, add.l[k]);
	lines_free(&add);
	free(b.p);
}

static void edit_segment_remove(struct rng *r, struct lines *L)
{
	int i = pick_line(r, L, "segment ");
	if (i >= 0)
		lines_delete(L, (unsigned)i, block_end(L, (unsigned)i, "}") - (unsigned)i + 1);
}

/* A segment renamed everywhere its quoted name stands. */
static void edit_segment_rename(struct rng *r, struct lines *L)
{
	int i = pick_line(r, L, "segment ");
	if (i < 0)
		return;
	char old[128], nw[160];
	const char *q = strchr(L->l[i], '"'), *end = strrchr(L->l[i], '"');
	if (!q || end <= q)
		return;
	snprintf(old, sizeof old, "%.*s", (int)(end - q + 1), q);
	snprintf(nw, sizeof nw, "\"Moved%u-%s", rn(r, 1000), old + 1);
	for (unsigned k = 0; k < L->n; k++) {
		char *at = strstr(L->l[k], old);
		if (!at)
			continue;
		char buf[1024];
		snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - L->l[k]), L->l[k], nw, at + strlen(old));
		free(L->l[k]);
		L->l[k] = strdup(buf);
	}
}

/* A segment group renamed everywhere ("G3" -> "Team-3"). */
static void edit_group_rename(struct rng *r, struct lines *L, unsigned ngroups)
{
	char old[32], nw[32];
	unsigned k = rn(r, ngroups);
	snprintf(old, sizeof old, "\"G%u\"", k);
	snprintf(nw, sizeof nw, "\"Team-%u\"", k);
	for (unsigned i = 0; i < L->n; i++) {
		char *at = strstr(L->l[i], old);
		if (!at)
			continue;
		char buf[1024];
		snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - L->l[i]), L->l[i], nw, at + strlen(old));
		free(L->l[i]);
		L->l[i] = strdup(buf);
		i--;   /* the line may name it again */
	}
}

static void edit(struct gen *g, struct lines *L)
{
	if (chance(&g->r, 5)) {
		edit_group_rename(&g->r, L, g->ngroups);
		return;
	}
	switch (rn(&g->r, 12)) {
	case 0: edit_rule_action(&g->r, L); break;
	case 1: edit_rule_remove(&g->r, L); break;
	case 2: edit_rule_move(&g->r, L); break;
	case 3: edit_rule_rename(&g->r, L); break;
	case 4: edit_clause_remove(&g->r, L); break;
	case 5: edit_clause_add(g, L); break;
	case 6: edit_rule_add(g, L); break;
	case 7: edit_segment_add(g, L); break;
	case 8: edit_segment_remove(&g->r, L); break;
	case 9: edit_segment_rename(&g->r, L); break;
	default: edit_segment(g, L);
	}
}

/* ---- loading and compiling ---- */

struct side {
	const struct model *m;
	uint8_t *blob;
	size_t len;
	bcp_blob *b;
	bcp_user *u[USERS];
};

static const struct model *load_text(const char *text, const char *path, struct arena *a)
{
	struct diags d;
	char *paths[1] = { (char *)path };
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		return NULL;
	}
	diags_init(&d, a);
	const struct model *m = load_policy(paths, 1, a, &d);
	unlink(path);
	return m;
}

static int compile(struct side *s, EVP_PKEY *key, const char *thumb, struct user *users)
{
	char err[512];
	struct bcp_error e;
	struct blob_opts o = { .serial = 1, .not_before = 0, .not_after = 4102444800ll };
	const char *tps[1] = { thumb };
	struct bcp_open_opts oo = { .thumbprints = tps, .nthumbprints = 1, .now = 1000 };
	if (blob_build(s->m, key, &o, &s->blob, &s->len, err, sizeof err) ||
	    bcp_open_buffer(s->blob, s->len, &oo, &s->b, &e) != BCP_OK)
		return -1;
	for (int i = 0; i < USERS; i++)
		if (bcp_bind(s->b, &users[i].info, &s->u[i], &e) != BCP_OK)
			return -1;
	return 0;
}

static void side_free(struct side *s)
{
	for (int i = 0; i < USERS; i++)
		bcp_user_free(s->u[i]);
	bcp_close(s->b);
	free(s->blob);
}

/* ---- decisions by name ---- */

static int32_t index_of(const char *name, const char *(*get)(const struct model *, uint32_t),
			const struct model *m, uint32_t n)
{
	for (uint32_t i = 0; name && i < n; i++)
		if (!strcmp(get(m, i), name))
			return (int32_t)i;
	return -1;
}

static const char *seg_at(const struct model *m, uint32_t i)
{
	return m->segments[i].name;
}

static const char *rule_at(const struct model *m, uint32_t i)
{
	return m->rules[i].name;
}

/* The runtime's decision as indices into the model. */
static struct df_outcome outcome(const struct model *m, const struct bcp_decision *d)
{
	struct df_outcome o = { d->verdict, index_of(d->segment, seg_at, m, m->nsegments),
				index_of(d->rule, rule_at, m, m->nrules) };
	return o;
}

static int decide(bcp_user *u, const char *host, uint16_t port, enum bcp_proto proto,
		  const struct model *m, struct df_outcome *out)
{
	struct bcp_decision d;
	if (bcp_decide_host(u, host, strlen(host), port, proto, &d) != BCP_OK)
		d.verdict = BCP_DENY, d.segment = d.rule = NULL;
	*out = outcome(m, &d);
	return 0;
}

/* ---- one pair ---- */

struct pair {
	unsigned idx;
	struct side s[2];
	struct df_maps maps;
	struct df_result r;
	const char *old_text, *new_text;
};

static void fail_pair(struct pair *p, const char *fmt, const char *host, unsigned port)
{
	char path[64];
	printf("FAIL pair %u (seed 0x%llx): ", p->idx, (unsigned long long)run_seed);
	printf(fmt, host, port);
	printf("\n");
	for (int k = 0; k < 2; k++) {
		snprintf(path, sizeof path, "/tmp/bcp-semdiff-fail-%u-%s.bcl", p->idx, k ? "new" : "old");
		FILE *f = fopen(path, "w");
		if (f) {
			fputs(k ? p->new_text : p->old_text, f);
			fclose(f);
			printf("  %s\n", path);
		}
	}
}

static int check_witnesses(struct pair *p, struct rng *rng, struct counts *c)
{
	char host[NET_HOST_MAX + 3];
	for (uint32_t i = 0; i < p->r.n; i++) {
		const struct df_class *k = &p->r.c[i];
		c->classes++;
		if (k->undecided) {
			c->undecided++;
			continue;
		}
		const char *rep = p->r.set.pats[k->pattern].rep;
		snprintf(host, sizeof host, strchr(rep, ':') ? "[%s]" : "%s", rep);
		struct df_outcome o, n;
		struct bcp_error e;
		bcp_user *uo = NULL, *un = NULL;
		int ok = bcp_bind(p->s[0].b, &k->witness, &uo, &e) == BCP_OK &&
			 bcp_bind(p->s[1].b, &k->witness, &un, &e) == BCP_OK;
		/* The witness user shows the class at its first port, its last and one
		 * between: the whole range changes alike. */
		uint16_t ports[3] = { k->lo, k->hi, (uint16_t)(k->lo + rn(rng, k->hi - k->lo + 1u)) };
		for (int j = 0; ok && j < 3; j++) {
			decide(uo, host, ports[j], k->proto, p->s[0].m, &o);
			decide(un, host, ports[j], k->proto, p->s[1].m, &n);
			ok = !memcmp(&o, &k->old, sizeof o) && !memcmp(&n, &k->nw, sizeof n) &&
			     !diff_same(&p->maps, &o, &n);
		}
		bcp_user_free(uo);
		bcp_user_free(un);
		c->witnesses++;
		if (!ok) {
			fail_pair(p, "the witness %s:%u does not show its class", host, k->lo);
			return -1;
		}
	}
	return 0;
}

/* Is the differing request in a reported class? */
static int covered(const struct pair *p, const char *host, const struct request *q,
		   const struct df_outcome *o, const struct df_outcome *n)
{
	int32_t region = cl_locate(&p->r.set, host);
	for (uint32_t i = 0; region >= 0 && i < p->r.n; i++) {
		const struct df_class *k = &p->r.c[i];
		if (k->pattern != (uint32_t)region || k->proto != q->proto || q->port < k->lo ||
		    q->port > k->hi)
			continue;
		if (k->undecided || (!memcmp(o, &k->old, sizeof *o) && !memcmp(n, &k->nw, sizeof *n)))
			return 1;
	}
	return 0;
}

static int check_requests(struct pair *p, struct gen *g, struct counts *c)
{
	for (unsigned i = 0; i < REQUESTS; i++) {
		struct request q;
		unsigned u = rn(&g->r, USERS);
		gen_request(g, &q);
		struct df_outcome o, n;
		decide(p->s[0].u[u], q.host, q.port, q.proto, p->s[0].m, &o);
		decide(p->s[1].u[u], q.host, q.port, q.proto, p->s[1].m, &n);
		c->requests++;
		if (diff_same(&p->maps, &o, &n))
			continue;
		c->differing++;
		if (!covered(p, q.host, &q, &o, &n)) {
			fail_pair(p, "the request %s:%u changes decision in no reported class", q.host, q.port);
			return -1;
		}
	}
	return 0;
}

/* ---- the partition of one model (classes.h with nm = 1) ---- */

struct one_class {
	uint32_t pattern;
	enum bcp_proto proto;
	uint16_t lo, hi;
	int matched;
	uint32_t nS, *S;
};

struct one_set {
	struct one_class *c;
	uint32_t n;
};

static int keep_class(void *ctx, const struct cl_set *set, const struct cl_class *c)
{
	struct one_set *os = ctx;
	(void)set;
	os->c = realloc(os->c, (os->n + 1) * sizeof *os->c);
	struct one_class *k = &os->c[os->n++];
	*k = (struct one_class){ c->pattern, c->proto, c->lo, c->hi, c->side[0].matched,
				 c->side[0].nS, malloc((c->side[0].nS + 1) * sizeof *k->S) };
	memcpy(k->S, c->side[0].S, c->side[0].nS * sizeof *k->S);
	return 0;
}

/* The reference's decision agrees with the class the request falls in: none where
 * nothing matched, drop where no segment serves, else a segment of S. */
static int agrees(const struct one_set *os, int32_t region, const struct request *q,
		  const struct ref_result *rr)
{
	if (region == -1)
		return rr->verdict == BCP_NONE;
	for (uint32_t i = 0; i < os->n; i++) {
		const struct one_class *k = &os->c[i];
		if (k->pattern != (uint32_t)region || k->proto != q->proto || q->port < k->lo ||
		    q->port > k->hi)
			continue;
		if (!k->matched)
			return rr->verdict == BCP_NONE;
		if (!k->nS)
			return rr->verdict == BCP_DROP;
		for (uint32_t j = 0; j < k->nS; j++)
			if (rr->segment == (int32_t)k->S[j])
				return 1;
		return 0;
	}
	return 0;   /* a region's ports are all covered: no class is a bug */
}

static int check_one_model(struct pair *p, struct gen *g, struct user *users, struct counts *c)
{
	struct arena a;
	struct cl_set set;
	struct one_set os = { 0 };
	int ok = 1;
	arena_init(&a, NULL);
	if (cl_build(&p->s[0].m, 1, &a, &set) || cl_each(&set, keep_class, &os))
		ok = 0;
	for (unsigned i = 0; ok && i < REQUESTS / 4; i++) {
		struct request q;
		struct ref_result rr;
		gen_request(g, &q);
		if (ref_decide(p->s[0].m, &users[rn(&g->r, USERS)].info, q.host, q.port, q.proto, &rr))
			continue;   /* no host */
		c->located++;
		if (!agrees(&os, cl_locate(&set, q.host), &q, &rr)) {
			fail_pair(p, "one model: %s:%u is not in the class its decision says", q.host, q.port);
			ok = 0;
		}
	}
	for (uint32_t i = 0; i < os.n; i++)
		free(os.c[i].S);
	free(os.c);
	arena_free(&a);
	return ok ? 0 : -1;
}

/* The new policy: edits of the old text until it loads (at most 50 draws). */
static const struct model *derive(struct gen *g, const char *old, struct sbuf *out,
				  const char *path, struct arena *a, struct counts *c)
{
	for (int tries = 0; tries < 50; tries++) {
		struct lines L;
		struct gen saved = *g;
		lines_from(&L, old);
		for (unsigned k = 1 + rn(&g->r, 4); k > 0; k--, c->edits++)
			edit(g, &L);
		out->n = 0;
		for (unsigned i = 0; i < L.n; i++)
			sb_printf(out, "%s\n", L.l[i]);
		lines_free(&L);
		const struct model *m = load_text(out->p, path, a);
		if (m)
			return m;
		c->redraws++;
		struct rng keep = g->r;
		*g = saved;
		g->r = keep;   /* the next draw differs */
	}
	return NULL;
}

static int run_pair(unsigned idx, EVP_PKEY *key, const char *thumb, struct counts *c)
{
	struct gen g;
	struct sbuf old = { 0 }, nw = { 0 };
	struct arena a;
	struct pair p;
	struct user users[USERS];
	char path[64];
	int ok = 0;
	memset(&g, 0, sizeof g);
	memset(&p, 0, sizeof p);
	p.idx = idx;
	g.r.s = run_seed ^ (0x9E3779B97F4A7C15ull * (idx + 1));
	later.s = g.r.s ^ 0x510E527FADE682D1ull;
	gen_policy(&g, &old);
	arena_init(&a, NULL);
	snprintf(path, sizeof path, "/tmp/bcp-semdiff-%d-%u.bcl", (int)getpid(), idx);
	p.s[0].m = load_text(old.p, path, &a);
	p.s[1].m = p.s[0].m ? derive(&g, old.p, &nw, path, &a, c) : NULL;
	p.old_text = old.p, p.new_text = nw.p ? nw.p : "";
	for (int i = 0; i < USERS; i++)
		gen_user(&g.r, &users[i]);
	if (!p.s[0].m || !p.s[1].m) {
		fail_pair(&p, "a policy does not load%s%u", "", 0);
		goto out;
	}
	if (compile(&p.s[0], key, thumb, users) || compile(&p.s[1], key, thumb, users) ||
	    diff_maps(p.s[0].m, p.s[1].m, &a, &p.maps) ||
	    diff_semantic(p.s[0].m, p.s[1].m, &p.maps, 0, &a, &p.r)) {
		fail_pair(&p, "cannot compile or diff%s%u", "", 0);
		goto out;
	}
	c->pairs++;
	ok = check_witnesses(&p, &g.r, c) == 0 && check_requests(&p, &g, c) == 0 &&
	     check_one_model(&p, &g, users, c) == 0;
out:
	diff_free(&p.r);
	side_free(&p.s[0]);
	side_free(&p.s[1]);
	arena_free(&a);
	free(old.p);
	free(nw.p);
	return ok;
}

int main(int argc, char **argv)
{
	unsigned npairs = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : DEFAULT_PAIRS;
	struct counts c = { 0 };
	char thumb[45];
	uint8_t pub[32];
	run_seed = argc > 1 ? strtoull(argv[1], NULL, 0) : DEFAULT_SEED;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!key || key_raw_public(key, pub) || key_thumbprint(pub, thumb)) {
		printf("cannot make a key\n0 passed, 1 failed\n");
		return 1;
	}
	for (unsigned i = 0; i < npairs && failed < 5; i++) {
		if (run_pair(i, key, thumb, &c))
			passed++;
		else
			failed++;
	}
	EVP_PKEY_free(key);
	printf("seed 0x%llx: %u pairs (%u edits, %u redrawn), %u requests, %u with a changed "
	       "decision, %u classes reported (%u not decided), %u witnesses checked; %u requests "
	       "located in the one-model partition\n",
	       (unsigned long long)run_seed, c.pairs, c.edits, c.redraws, c.requests, c.differing,
	       c.classes, c.undecided, c.witnesses, c.located);
	/* The test must have seen changes to mean anything. */
	if (c.differing == 0 || c.witnesses == 0)
		failed++, printf("no changed decision seen: the edits are not exercising the diff\n");
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
