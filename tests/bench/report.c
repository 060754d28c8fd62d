/* report.c - see report.h. JSON through jansson. */
#include "report.h"
#include "bcp.h"
#include "timing.h"
#include <jansson.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

static const char *const section_names[BCPF_NSECTIONS + 1] = {
#define SEC_NAME_(name, id, text) [id] = text,
	BCPF_SECTIONS(SEC_NAME_)
#undef SEC_NAME_
};
static const char *const verdict_names[5] = { "none", "drop", "bypass", "allow", "deny" };

/* ---- derived figures ---- */

static double per(double x, double n)
{
	return n > 0 ? x / n : 0;
}

static double blob_per_pattern(const struct size_result *r)
{
	return per((double)r->blob_bytes, r->gen.host_patterns);
}

/* The host name tables (nodes, their hash index, and the whole string pool, which also
 * holds the other names) per host pattern. */
static double host_per_pattern(const struct size_result *r)
{
	return per((double)(r->sections[BCPF_S_STRINGS] + r->sections[BCPF_S_HOST_NODES] +
			    r->sections[BCPF_S_HOST_INDEX]), r->gen.host_patterns);
}

static double open_ms_per_mb(const struct size_result *r, double ms)
{
	return per(ms, (double)r->blob_bytes / 1e6);
}

/* ---- the targets of the issue ---- */

struct target {
	const char *what;
	const char *unit;
	double limit;
	int at_least;      /* 1: measured >= limit is met; 0: measured <= limit */
	int known;         /* 0: not measured in this run */
	double measured;
	char where[64];
};

static const struct size_result *find(const struct size_result *r, int n, uint32_t patterns)
{
	for (int i = 0; i < n; i++)
		if (r[i].patterns == patterns)
			return &r[i];
	return NULL;
}

static int targets(const struct size_result *r, int n, struct target *t)
{
	const struct size_result *k1 = find(r, n, 1000), *k100 = find(r, n, 100000),
				 *m1 = find(r, n, 1000000), *big = &r[0];
	int nt = 0;
	for (int i = 1; i < n; i++)
		if (r[i].patterns > big->patterns)
			big = &r[i];

	t[nt] = (struct target){ "decision median, warm, 100k patterns", "ns", 60, 0, !!k100,
				 k100 ? k100->p50 : 0, "100k" };
	nt++;
	t[nt] = (struct target){ "decision median 1M / 1k, warm", "x", 3, 0, k1 && m1,
				 k1 && m1 ? per(m1->p50, k1->p50) : 0, "1M/1k" };
	nt++;
	t[nt] = (struct target){ "decisions/s bcp / Cedar, 2,000 rules", "x", 10000, 1, 0, 0,
				 "make bench-peers" };
	nt++;
	t[nt] = (struct target){ "decisions/s bcp / reference, 100k patterns", "x", 1000, 1, !!k100,
				 k100 ? per(k100->bcp_dps_same, k100->ref_dps) : 0, "100k" };
	nt++;
	/* Per pattern means something where patterns fill the blob, not rules: 100k up. */
	t[nt] = (struct target){ "blob bytes per host pattern", "B", 48, 0, big->patterns >= 100000,
				 blob_per_pattern(big), "" };
	snprintf(t[nt].where, sizeof t[nt].where, "%u", big->patterns);
	nt++;
	t[nt] = (struct target){ "addr4 bytes per IPv4 prefix", "B", 16, 0, big->gen.prefixes4 > 0,
				 per((double)big->sections[BCPF_S_ADDR4], big->gen.prefixes4), "" };
	snprintf(t[nt].where, sizeof t[nt].where, "%u", big->patterns);
	nt++;
	/* open and bind: the worst size */
	t[nt] = (struct target){ "open (verify + structure) ms per MB, worst size", "ms", 2, 0, 1, 0, "" };
	for (int i = 0; i < n; i++)
		if (open_ms_per_mb(&r[i], r[i].open_ms) >= t[nt].measured) {
			t[nt].measured = open_ms_per_mb(&r[i], r[i].open_ms);
			snprintf(t[nt].where, sizeof t[nt].where, "%u", r[i].patterns);
		}
	nt++;
	t[nt] = (struct target){ "bind at 2,000 rules / 6,000 segments, worst size", "us", 200, 0, 0,
				 0, "" };
	for (int i = 0; i < n; i++)
		if (r[i].gen.rules >= 2000 && r[i].gen.segments >= 6000 &&
		    r[i].bind_us >= t[nt].measured) {
			t[nt].known = 1;
			t[nt].measured = r[i].bind_us;
			snprintf(t[nt].where, sizeof t[nt].where, "%u", r[i].patterns);
		}
	nt++;
	t[nt] = (struct target){ "compile time, 1M patterns", "s", 15, 0, !!m1, m1 ? m1->compile_s : 0,
				 "1M" };
	nt++;
	t[nt] = (struct target){ "compile peak memory, 1M patterns", "GiB", 2, 0, !!m1,
				 m1 ? m1->compile_peak_mib / 1024 : 0, "1M" };
	nt++;
	return nt;
}

static int met(const struct target *t)
{
	return t->at_least ? t->measured >= t->limit : t->measured <= t->limit;
}

/* ---- JSON ---- */

/* A figure rounded to 3 significant digits after the point where it matters. */
static json_t *num(double v)
{
	if (!isfinite(v))
		return json_null();
	double a = fabs(v), scale = a >= 1000 ? 1 : a >= 10 ? 100 : 1000;
	return json_real(round(v * scale) / scale);
}

static void set_num(json_t *o, const char *k, double v)
{
	json_object_set_new(o, k, num(v));
}

static void set_int(json_t *o, const char *k, uint64_t v)
{
	json_object_set_new(o, k, json_integer((json_int_t)v));
}

static json_t *machine(const struct config *cfg)
{
	json_t *m = json_object();
	char line[512], model[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			snprintf(model, sizeof model, "%s", strchr(line, ':') + 2);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
	if (f)
		fclose(f);
	json_object_set_new(m, "cpu", json_string(model));
	set_int(m, "nproc", (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
	set_num(m, "memory_gib", (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE) /
		(1024.0 * 1024 * 1024));
	json_object_set_new(m, "timer", json_string(TIMING_TSC ?
		"single decisions and binds: rdtsc/rdtscp, calibrated against CLOCK_MONOTONIC, "
		"empty-measurement cost subtracted; throughput, open and compile: CPU time "
		"(CLOCK_THREAD_CPUTIME_ID), wall clock alongside (*_wall_*)" :
		"single decisions and binds: CLOCK_MONOTONIC; throughput, open and compile: CPU time"));
	set_num(m, "tick_ghz", tick_hz() / 1e9);
	set_num(m, "tick_overhead", tick_overhead());
	set_int(m, "runs", (uint64_t)cfg->runs);
	set_int(m, "evict_mib", cfg->evict_mib);
	json_object_set_new(m, "smoke", json_boolean(cfg->smoke));
	/* Other processes share these machines: the load says how much. */
	char load[64] = "";
	FILE *la = fopen("/proc/loadavg", "r");
	if (la && fgets(load, sizeof load, la))
		load[strcspn(load, "\n")] = '\0';
	if (la)
		fclose(la);
	json_object_set_new(m, "loadavg_start", json_string(cfg->load_start));
	json_object_set_new(m, "loadavg_end", json_string(load));
	return m;
}

static json_t *hash_json(const struct hash_stats *h)
{
	json_t *o = json_object();
	set_int(o, "slots", h->nslots);
	set_int(o, "used", h->used);
	set_num(o, "load", per(h->used, h->nslots));
	set_int(o, "max_probe", h->max_probe);
	set_num(o, "mean_reads_present", h->hit_reads);
	set_num(o, "mean_reads_absent", h->miss_reads);
	return o;
}

static json_t *tables_json(const struct table_stats *t)
{
	json_t *o = json_object();
	set_int(o, "host_nodes", t->nodes);
	set_int(o, "max_depth", t->max_depth);
	json_object_set_new(o, "host_index", hash_json(&t->host));
	json_object_set_new(o, "addr4", hash_json(&t->addr4));
	json_object_set_new(o, "addr6", hash_json(&t->addr6));
	set_int(o, "ipv4_lengths_present", t->lengths4);
	set_int(o, "ipv6_lengths_present", t->lengths6);
	return o;
}

static json_t *size_json(const struct size_result *r)
{
	json_t *o = json_object(), *sec = json_object(), *vd = json_object(), *kd = json_object(),
	       *kn = json_object();
	const struct gen_stats *g = &r->gen;
	set_int(o, "patterns", r->patterns);
	set_num(o, "compile_s", r->compile_s);
	set_num(o, "compile_peak_mib", r->compile_peak_mib);
	set_int(o, "blob_bytes", r->blob_bytes);
	set_num(o, "bytes_per_pattern", blob_per_pattern(r));
	set_num(o, "open_ms_per_mb", open_ms_per_mb(r, r->open_ms));
	set_num(o, "bind_us", r->bind_us);
	set_num(o, "decide_ns_p50", r->p50);
	set_num(o, "decide_ns_p99", r->p99);
	set_num(o, "decisions_per_s", r->dps);

	set_num(o, "cold_decide_ns_p50", r->cold_p50);
	set_num(o, "cold_decide_ns_p99", r->cold_p99);
	set_num(o, "cold_decisions_per_s", r->cold_dps);
	set_int(o, "cold_samples", r->cold_n);
	set_int(o, "working_set", r->ws);
	for (int k = 0; k < GEN_NKINDS; k++) {
		set_num(kd, gen_kind_names[k], r->kind_p50[k]);
		set_int(kn, gen_kind_names[k], r->kinds[k]);
	}
	json_object_set_new(o, "decide_ns_p50_by_kind", kd);
	set_num(o, "decide_ns_p50_all_verified", r->all_p50);
	set_num(o, "decisions_per_s_all_verified", r->all_dps);
	set_num(o, "decide_ns_p50_hot16", r->hot_p50);
	set_num(o, "decisions_per_s_hot16", r->hot_dps);
	set_num(o, "reference_decisions_per_s", r->ref_dps);
	set_num(o, "bcp_decisions_per_s_same_requests", r->bcp_dps_same);
	set_num(o, "bcp_over_reference", per(r->bcp_dps_same, r->ref_dps));
	set_int(o, "reference_requests", r->ref_n);

	set_num(o, "host_table_bytes_per_pattern", host_per_pattern(r));
	set_num(o, "bytes_per_ipv4_prefix", per((double)r->sections[BCPF_S_ADDR4], g->prefixes4));
	set_num(o, "bytes_per_ipv6_prefix", per((double)r->sections[BCPF_S_ADDR6], g->prefixes6));
	for (int id = 1; id <= BCPF_NSECTIONS; id++)
		set_int(sec, section_names[id], r->sections[id]);
	json_object_set_new(o, "sections", sec);
	json_object_set_new(o, "tables", tables_json(&r->tables));
	set_num(o, "open_ms", r->open_ms);
	set_num(o, "open_wall_ms_per_mb", open_ms_per_mb(r, r->open_wall_ms));
	set_num(o, "open_file_ms_per_mb", open_ms_per_mb(r, r->open_file_ms));
	set_int(o, "open_repeats", (uint64_t)r->open_reps);
	set_num(o, "bind_us_p99", r->bind_us_p99);
	set_num(o, "compile_wall_s", r->compile_wall_s);
	set_int(o, "compile_runs", (uint64_t)r->compile_runs);
	set_int(o, "runs", (uint64_t)r->runs);

	set_int(o, "verified_requests", r->verified);
	for (int v = 0; v < 5; v++)
		set_int(vd, verdict_names[v], r->verdicts[v]);
	json_object_set_new(o, "verdicts", vd);
	json_object_set_new(o, "request_kinds", kn);
	set_int(o, "host_patterns", g->host_patterns);
	set_int(o, "exact", g->exact);
	set_int(o, "wildcards", g->wildcards);
	set_int(o, "ipv4_prefixes", g->prefixes4);
	set_int(o, "ipv6_prefixes", g->prefixes6);
	set_int(o, "nested_prefixes", g->nested_prefixes);
	set_int(o, "segments", g->segments);
	set_int(o, "segments_sharing_a_pattern", g->shared_segments);
	set_int(o, "groups", g->groups);
	set_int(o, "rules", g->rules);
	set_int(o, "user_values", g->user_values);
	set_int(o, "users", g->users);
	set_int(o, "source_files", (uint64_t)r->source_files);
	set_int(o, "source_bytes", r->source_bytes);
	return o;
}

static json_t *peers_json(const struct size_result *r, int n)
{
	json_t *o = json_object();
	const struct size_result *p = NULL, *k100 = find(r, n, 100000);
	for (int i = 0; i < n; i++)
		if (r[i].has_peers)
			p = &r[i];
	set_int(o, "rules", p ? p->gen.rules : 2000);
	json_object_set_new(o, "bcp_decisions_per_s", p ? num(p->peer_dps) : json_null());
	json_object_set_new(o, "cedar_decisions_per_s", json_null());
	json_object_set_new(o, "reference_decisions_per_s_100k", k100 ? num(k100->ref_dps) : json_null());
	json_object_set_new(o, "bcp_decisions_per_s_100k_same_requests",
			    k100 ? num(k100->bcp_dps_same) : json_null());
	json_object_set_new(o, "bcp_over_reference_100k",
			    k100 ? num(per(k100->bcp_dps_same, k100->ref_dps)) : json_null());
	json_object_set_new(o, "bcp_over_cedar", json_null());
	if (p) {
		set_int(o, "patterns", p->patterns);
		set_int(o, "segments", p->gen.segments);
		set_int(o, "requests", p->peer_requests);
		json_object_set_new(o, "files", json_string(p->peer_dir));
	}
	return o;
}

int report_write(const struct config *cfg, const struct size_result *r, int n, const char *path)
{
	json_t *doc = json_object(), *sizes = json_array(), *tj = json_array();
	struct target t[16];
	int nt = targets(r, n, t);
	for (int i = 0; i < n; i++)
		json_array_append_new(sizes, size_json(&r[i]));
	for (int i = 0; i < nt; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "target", json_string(t[i].what));
		json_object_set_new(o, "limit", json_real(t[i].limit));
		json_object_set_new(o, "unit", json_string(t[i].unit));
		json_object_set_new(o, "at", json_string(t[i].where));
		json_object_set_new(o, "measured", t[i].known ? num(t[i].measured) : json_null());
		json_object_set_new(o, "met", t[i].known ? json_boolean(met(&t[i])) : json_null());
		json_array_append_new(tj, o);
	}
	json_object_set_new(doc, "sizes", sizes);
	json_object_set_new(doc, "peers", peers_json(r, n));
	json_object_set_new(doc, "targets", tj);
	json_object_set_new(doc, "machine", machine(cfg));
	json_object_set_new(doc, "source", json_string(cfg->source ? cfg->source : "unknown"));
	int rc = json_dump_file(doc, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	json_decref(doc);
	return rc;
}

/* ---- the table ---- */

void report_table(FILE *f, const struct config *cfg, const struct size_result *r, int n)
{
	struct target t[16];
	int nt = targets(r, n, t);
	fprintf(f, "\nbcp benchmark of %s: medians of %d runs (compile: %d), one thread%s\n",
		cfg->source ? cfg->source : "unknown sources", cfg->runs, cfg->compile_runs,
		cfg->smoke ? " (smoke: tiny samples, no figure means anything)" : "");
	fprintf(f, "%9s %8s %8s %9s %6s %6s %7s %7s %14s %8s %16s %11s %9s\n", "patterns",
		"compile", "peak", "blob", "B/pat", "B/v4", "open", "bind", "warm p50/p99",
		"Mdec/s", "cold p50/p99", "ref dec/s", "bcp/ref");
	fprintf(f, "%9s %8s %8s %9s %6s %6s %7s %7s %14s %8s %16s %11s %9s\n", "", "s", "MiB", "MB",
		"", "", "ms/MB", "us", "ns", "", "ns", "", "");
	for (int i = 0; i < n; i++) {
		const struct size_result *x = &r[i];
		char warm[32], cold[32];
		snprintf(warm, sizeof warm, "%.0f/%.0f", x->p50, x->p99);
		snprintf(cold, sizeof cold, "%.0f/%.0f", x->cold_p50, x->cold_p99);
		fprintf(f, "%9u %8.2f %8.0f %9.2f %6.1f %6.1f %7.2f %7.1f %14s %8.2f %16s %11.0f %9.0f\n",
			x->patterns, x->compile_s, x->compile_peak_mib, (double)x->blob_bytes / 1e6,
			blob_per_pattern(x),
			per((double)x->sections[BCPF_S_ADDR4], x->gen.prefixes4),
			open_ms_per_mb(x, x->open_ms), x->bind_us, warm, x->dps / 1e6, cold,
			x->ref_dps, per(x->bcp_dps_same, x->ref_dps));
	}
	for (int i = 0; i < n; i++)
		if (r[i].has_peers)
			fprintf(f, "peers: %u patterns, %u rules, %zu requests in %s: bcp %.2f M decisions/s; "
				"Cedar: make bench-peers\n", r[i].patterns, r[i].gen.rules,
				r[i].peer_requests, r[i].peer_dir, r[i].peer_dps / 1e6);
	fprintf(f, "\ntargets:\n");
	for (int i = 0; i < nt; i++) {
		if (!t[i].known)
			fprintf(f, "  %-52s %s %-8g %-4s %-12s %s\n", t[i].what, t[i].at_least ? ">=" : "<=",
				t[i].limit, t[i].unit, "not measured", t[i].where);
		else
			fprintf(f, "  %-52s %s %-8g %-4s %-12.3g %-4s %s\n", t[i].what,
				t[i].at_least ? ">=" : "<=", t[i].limit, t[i].unit, t[i].measured,
				met(&t[i]) ? "met" : "MISS", t[i].where);
	}
}
