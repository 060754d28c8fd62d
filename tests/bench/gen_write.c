/* gen_write.c - a generated tenant (gen.c) written as .bcl files: statements never
 * split, files kept below a size, rules written from their own seeded stream. */
#include "gen_int.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing the policy ---- */

struct sbuf {
	char *p;
	size_t n, cap;
	int failed;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = b->cap - b->n;
		va_start(ap, fmt);
		int k = vsnprintf(b->p ? b->p + b->n : NULL, room, fmt, ap);
		va_end(ap);
		if (k < 0) {
			b->failed = 1;
			return;
		}
		if ((size_t)k < room) {
			b->n += (size_t)k;
			return;
		}
		size_t cap = b->cap ? 2 * b->cap : 4096;
		while (cap - b->n <= (size_t)k)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

struct writer {
	const char *dir, *stem;
	size_t max, cur;
	FILE *f;
	char **paths;
	int npaths;
	size_t bytes;
	int failed;
};

/* Writes one statement, starting the next file first when it would not fit. */
static void put_stmt(struct writer *w, struct sbuf *b)
{
	if (w->failed || b->failed) {
		w->failed = 1;
		return;
	}
	if (!w->f || (w->cur > 0 && w->cur + b->n > w->max)) {
		char path[4096], **paths;
		if (w->f && fclose(w->f) != 0)
			w->failed = 1;
		snprintf(path, sizeof path, "%s/%s-%d.bcl", w->dir, w->stem, w->npaths + 1);
		paths = realloc(w->paths, (size_t)(w->npaths + 1) * sizeof *paths);
		if (!paths || !(paths[w->npaths] = strdup(path)) || !(w->f = fopen(path, "w"))) {
			if (paths)
				w->paths = paths;
			w->f = NULL;
			w->failed = 1;
			return;
		}
		w->paths = paths;
		w->npaths++;
		w->cur = 0;
	}
	if (fwrite(b->p, 1, b->n, w->f) != b->n)
		w->failed = 1;
	w->cur += b->n;
	w->bytes += b->n;
	b->n = 0;
}

static void put_list(struct sbuf *b, const char *key, const char *const *items, uint32_t n,
		     int quote)
{
	for (uint32_t i = 0; i < n; i += 8) {
		sb_printf(b, "    %s ", key);
		for (uint32_t j = i; j < n && j < i + 8; j++)
			sb_printf(b, quote ? "%s\"%s\"" : "%s%s", j > i ? ", " : "", items[j]);
		sb_printf(b, ";\n");
	}
}

static void put_ranges(struct sbuf *b, const char *key, const struct range *v, unsigned n)
{
	if (!n)
		return;
	sb_printf(b, "    %s ", key);
	for (unsigned i = 0; i < n; i++) {
		if (v[i].lo == v[i].hi)
			sb_printf(b, "%s%u", i ? ", " : "", v[i].lo);
		else
			sb_printf(b, "%s%u-%u", i ? ", " : "", v[i].lo, v[i].hi);
	}
	sb_printf(b, ";\n");
}

static void put_segment(const struct gen_tenant *t, struct sbuf *b, const struct gseg *s,
			const char **tmp)
{
	static const char *const bypass[] = { "never", "always", "on_net" };
	uint32_t n = 0;
	sb_printf(b, "segment \"%s\" {\n    group \"%s\";\n", s->name, t->groups[s->group]);
	if (s->primary == NONE) {
		for (uint32_t k = 0; k < s->nhosts; k++)
			tmp[n++] = t->pats[t->order[s->host_first + k]].text;
	} else {
		for (uint32_t k = 0; k < s->nshared; k++)
			tmp[n++] = t->pats[s->shared[k]].text;
	}
	put_list(b, "domains", tmp, n, 1);
	for (uint32_t k = 0; k < s->naddrs; k++)
		tmp[k] = t->pfx[s->addr_first + k].text;
	put_list(b, "addresses", tmp, s->naddrs, 0);
	put_ranges(b, "tcp", s->tcp, s->ntcp);
	put_ranges(b, "udp", s->udp, s->nudp);
	if (s->inclusive)
		sb_printf(b, "    match inclusive;\n");
	if (s->bypass)
		sb_printf(b, "    bypass %s;\n", bypass[s->bypass]);
	sb_printf(b, "}\n\n");
}

/* One user atom: kind [attr =] values, values drawn from the popular end. */
static void put_atom(struct sbuf *b, struct rng *r, const struct value_set *v)
{
	const char *chosen[4];
	uint32_t n = 1 + below(r, 4), k = 0;
	while (k < n) {
		const char *x = v->values[skewed(r, v->n)];
		int dup = 0;
		for (uint32_t j = 0; j < k; j++)
			dup |= chosen[j] == x;
		if (dup && n > 1) {
			n--;
			continue;
		}
		if (!dup)
			chosen[k++] = x;
	}
	if (v->attr)
		sb_printf(b, "%s \"%s\" = ", v->kind, v->attr);
	else
		sb_printf(b, "%s ", v->kind);
	for (uint32_t j = 0; j < n; j++)
		sb_printf(b, strcmp(v->kind, "platform") ? "%s\"%s\"" : "%s%s", j ? ", " : "", chosen[j]);
}

/* Rules as admins write them: most allow one application (a few segments) or a
 * group to users with the right groups and attributes; a few deny narrow cases; a
 * very few apply to every segment (an embargo, an emergency admin rule). */
static void put_rules(const struct gen_tenant *t, struct sbuf *b, struct rng *r)
{
	unsigned w[V_COUNT];
	for (int v = 0; v < V_COUNT; v++)
		w[v] = gen_value_sets[v].rule_weight;
	sb_printf(b, "access_policy {\n");
	for (uint32_t i = 0; i < t->p.rules; i++) {
		double app = unit(r);
		int every = app >= 0.98, allow = every ? chance(r, 0.3) : !chance(r, 0.12);
		sb_printf(b, "    rule \"R%04u %s %s\" %s {\n", i + 1, allow ? "allow" : "deny",
			  gen_seg_words[below(r, COUNT(gen_seg_words))], allow ? "allow" : "deny");
		uint32_t anchor = below(r, t->nsegs);
		if (app < 0.70) {
			uint32_t n = 1 + skewed(r, 6);
			sb_printf(b, "        segment ");
			for (uint32_t k = 0; k < n; k++)   /* neighbours: one application's parts */
				sb_printf(b, "%s\"%s\"", k ? ", " : "",
					  t->segs[(anchor + k * (1 + below(r, 3))) % t->nsegs].name);
			sb_printf(b, ";\n");
			if (chance(r, 0.03))   /* a second app clause narrows the first */
				sb_printf(b, "        segment_group \"%s\";\n",
					  t->groups[t->segs[anchor].group]);
		} else if (app < 0.93) {
			uint32_t n = 1 + skewed(r, 3);
			sb_printf(b, "        segment_group ");
			for (uint32_t k = 0; k < n; k++)
				sb_printf(b, "%s\"%s\"", k ? ", " : "",
					  t->groups[(t->segs[anchor].group + k) % t->ngroups]);
			sb_printf(b, ";\n");
		} else if (!every) {
			sb_printf(b, "        segment \"%s\" or segment_group \"%s\";\n",
				  t->segs[anchor].name, t->groups[below(r, t->ngroups)]);
		}
		if (every && !allow) {   /* an embargo: the rarest countries */
			const struct value_set *c = &gen_value_sets[V_COUNTRY];
			sb_printf(b, "        country \"%s\", \"%s\";\n", c->values[c->n - 1 - below(r, 4)],
				  c->values[c->n - 5 - below(r, 4)]);
		}
		for (uint32_t c = 2 + below(r, 3) - (every && !allow); c > 0; c--) {
			sb_printf(b, "        %s", chance(r, 0.12) ? "not " : "");
			put_atom(b, r, &gen_value_sets[weighted(r, w, V_COUNT)]);
			if (chance(r, 0.2)) {
				sb_printf(b, " or ");
				put_atom(b, r, &gen_value_sets[weighted(r, w, V_COUNT)]);
			}
			sb_printf(b, ";\n");
		}
		sb_printf(b, "    }\n");
	}
	sb_printf(b, "}\n");
}

static void put_header(const struct gen_tenant *t, struct sbuf *b)
{
	sb_printf(b, "# A synthetic tenant for the benchmark (tests/bench/gen.c): %u host patterns,\n"
		  "# %u prefixes, %u segments in %u groups, %u rules. Generated; do not edit.\n\n",
		  t->npats, t->npfx, t->nsegs, t->ngroups, t->p.rules);
	sb_printf(b, "tenant \"%s\";\n\n", t->tenant);
	sb_printf(b, "business_continuity {\n"
		  "    domain \"bc.%s.example\";\n"
		  "    controller \"pcc1.bc.%s.example:443\", \"pcc2.bc.%s.example\";\n"
		  "    sni \"c2.bc.%s.example\";\n"
		  "    sni_new_user \"c2site.bc.%s.example\";\n"
		  "    enter_after 2m;\n    exit_after 60m;\n}\n\n",
		  t->tenant, t->tenant, t->tenant, t->tenant, t->tenant);
	for (uint32_t g = 0; g < t->ngroups; g++)
		sb_printf(b, "segment_group \"%s\";\n", t->groups[g]);
	sb_printf(b, "\n"
		  "app_profile \"Contractors\" {\n    when saml \"employeeType\" = \"contractor\", \"vendor\";\n"
		  "    set reauth_timeout = 4h;\n    set log_level = \"warn\";\n}\n"
		  "app_profile \"Mobile\" {\n    when platform ios, android;\n"
		  "    set reauth_timeout = 12h;\n}\n"
		  "app_profile \"Windows-Managed\" {\n    when platform windows;\n"
		  "    when posture \"mdm-enrolled\", \"domain-joined\";\n"
		  "    set reauth_timeout = 8h;\n    set enforce_firewall = true;\n"
		  "    set allowed_dns_suffixes = [\"%s.example\", \"corp.%s.example\"];\n}\n"
		  "app_profile \"Mac\" {\n    when platform mac;\n    set reauth_timeout = 8h;\n}\n"
		  "app_profile \"Default\" {\n    set reauth_timeout = 24h;\n    set max_tunnels = 4;\n}\n\n",
		  t->tenant, t->tenant);
}

int gen_write(const struct gen_tenant *t, const char *dir, const char *stem, size_t max_file,
	      char ***paths, int *npaths, size_t *bytes)
{
	struct writer w = { .dir = dir, .stem = stem, .max = max_file };
	struct sbuf b = { 0 };
	struct rng r = { t->p.seed ^ 0x5EED0F5u };
	uint32_t most = 1;
	for (uint32_t s = 0; s < t->nsegs; s++) {
		if (t->segs[s].nhosts > most)
			most = t->segs[s].nhosts;
		if (t->segs[s].naddrs > most)
			most = t->segs[s].naddrs;
	}
	const char **tmp = malloc(most * sizeof *tmp);
	*paths = NULL;
	*npaths = 0;
	if (!tmp) {
		errno = ENOMEM;
		return -1;
	}
	put_header(t, &b);
	put_stmt(&w, &b);
	for (uint32_t s = 0; s < t->nsegs && !w.failed; s++) {
		put_segment(t, &b, &t->segs[s], tmp);
		put_stmt(&w, &b);
	}
	put_rules(t, &b, &r);
	put_stmt(&w, &b);
	free(tmp);
	free(b.p);
	if (w.f && fclose(w.f) != 0)
		w.failed = 1;
	if (!w.failed && w.npaths == 1) {   /* one file: stem.bcl */
		char path[4096];
		snprintf(path, sizeof path, "%s/%s.bcl", dir, stem);
		char *p = strdup(path);
		if (!p || rename(w.paths[0], p) != 0) {
			free(p);
			w.failed = 1;
		} else {
			free(w.paths[0]);
			w.paths[0] = p;
		}
	}
	if (w.failed) {
		int e = errno ? errno : EIO;
		for (int i = 0; i < w.npaths; i++)
			free(w.paths[i]);
		free(w.paths);
		errno = e;
		return -1;
	}
	*paths = w.paths;
	*npaths = w.npaths;
	if (bytes)
		*bytes = w.bytes;
	return 0;
}

