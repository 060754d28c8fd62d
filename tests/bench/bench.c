/* bench.c - `make bench`: how fast libbcp decides, opens and binds, how small its blobs
 * are and how long the compiler takes, at 1k, 10k, 100k and 1M host patterns
 * (docs/BENCHMARKS.md says what is measured and how, and what the figures mean).
 *
 * For each size it generates a tenant (gen.c), compiles it in a child process (time
 * and peak memory), opens and binds the blob, then checks every request it will time
 * against the reference evaluator and stops, reporting nothing, on any difference.
 * Only then does it time: single decisions warm and cold, passes for throughput, the
 * reference for comparison. Figures are medians of several runs. It writes one JSON
 * document (build/bench.json) and a table, plus the policy, requests and expected
 * answers a peer engine is compared on (build/bench/peers/).
 *
 *     bench [--sizes 1000,10000,...] [--runs N] [--out FILE] [--dir DIR] [--peers N]
 *           [--source LABEL] [--smoke]
 *
 * It asserts no timing: a slow machine gives slow figures, not a failure. It fails
 * (exit 1) only when something does not work or a decision is wrong. */
#include "bcp.h"
#include "bcp_format.h"
#include "blob.h"
#include "file.h"
#include "export.h"
#include "frontend.h"
#include "gen.h"
#include "keys.h"
#include "reference.h"
#include "request.h"
#include "timing.h"
#include "report.h"
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FILE (15u << 20)        /* below the compiler's 16 MiB per source file */

static struct config cfg = {
	.sizes = { 1000, 10000, 100000, 1000000 }, .nsizes = 4, .runs = 5, .compile_runs = 3,
	.dir = "build/bench", .out = "build/bench.json", .peers = 10000, .peer_requests = 1000,
	.evict_mib = 64, .seed = 1,
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die("out of memory");
	return p;
}

static void mkdirs(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			die("mkdir %s: %s", buf, strerror(errno));
		*s = '/';
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		die("mkdir %s: %s", buf, strerror(errno));
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = xcalloc((size_t)n, 1);
	if (n < 0 || fread(p, 1, (size_t)n, f) != (size_t)n)
		die("%s: short read", path);
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* Removes dir/stem.bcl and dir/stem-K.bcl left by an earlier run, which may have
 * split the policy differently. */
static void remove_stale(const char *dir, const char *stem)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s.bcl", dir, stem);
	unlink(path);
	for (int k = 1; k < 100; k++) {
		snprintf(path, sizeof path, "%s/%s-%d.bcl", dir, stem, k);
		if (unlink(path) != 0 && errno == ENOENT)
			break;
	}
}

/* ---- compiling, in a child process of its own ---- */

static struct blob_opts blob_options(void)
{
	int64_t now = (int64_t)time(NULL);
	return (struct blob_opts){ .serial = 1, .not_before = now - 3600,
				   .not_after = now + 30 * 86400, .created = now };
}

/* bench --compile-child KEY OUT FILE...: load_policy + blob_build, timed; prints the
 * seconds (wall clock, then CPU) on stdout and writes the blob to OUT (not timed). */
static int compile_child(int argc, char **argv)
{
	char err[512];
	if (argc < 3)
		return 2;
	EVP_PKEY *key = key_load_private(argv[0], err, sizeof err);
	if (!key) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	struct blob_opts o = blob_options();
	struct arena a;
	struct diags d;
	uint8_t *blob;
	size_t len;
	arena_init(&a, NULL);
	diags_init(&d, &a);
	double t0 = now_s(), c0 = cpu_s();
	struct model *m = load_policy(argv + 2, argc - 2, &a, &d);
	if (!m) {
		diags_print(&d, stderr);
		return 1;
	}
	if (blob_build(m, key, &o, &blob, &len, err, sizeof err) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	double t1 = now_s(), c1 = cpu_s();
	if (d.head) {   /* a generated tenant draws no warning; show any */
		diags_print(&d, stderr);
		return 1;
	}
	if (write_file_atomic(argv[1], blob, len, err, sizeof err) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	printf("%.6f %.6f\n", t1 - t0, c1 - c0);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Runs the compile in a fresh process (exec: its peak RSS is the compile's alone). */
static void compile_once(const char *key, const char *out, char **paths, int npaths,
			 double *wall, double *cpu, double *peak_mib)
{
	int fd[2];
	if (pipe(fd) != 0)
		die("pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		char **argv = xcalloc((size_t)npaths + 5, sizeof *argv);
		argv[0] = "bench";
		argv[1] = "--compile-child";
		argv[2] = (char *)key;
		argv[3] = (char *)out;
		for (int i = 0; i < npaths; i++)
			argv[4 + i] = paths[i];
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(fd[1]);
	char buf[64] = "";
	ssize_t n = read(fd[0], buf, sizeof buf - 1);
	close(fd[0]);
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    n <= 0)
		die("compiling %s failed", paths[0]);
	buf[n] = '\0';
	char *end;
	*wall = strtod(buf, &end);
	*cpu = strtod(end, NULL);
	*peak_mib = (double)ru.ru_maxrss / 1024.0;   /* ru_maxrss is in KiB on Linux */
}

/* ---- one size ---- */

struct size_ctx {
	struct gen_tenant *t;
	struct model *model;
	bcp_user **users;
	const struct bcp_user_info **infos;
	uint32_t nusers;
	struct gen_request *req;      /* the verified requests; everything timed is among them */
	size_t nreq;
};

static volatile uint32_t sink;

static const char *name_or_null(const char *s)
{
	return s ? s : "(none)";
}

/* Compares the runtime with the reference on requests from, from + step, ... below n.
 * Prints each difference; returns their number. */
static size_t verify(const struct size_ctx *c, size_t from, size_t step, size_t n)
{
	size_t bad = 0;
	for (size_t i = from; i < n; i += step) {
		const struct gen_request *q = &c->req[i];
		struct bcp_decision d;
		struct ref_result r;
		int st = bcp_decide_host(c->users[q->user], q->host, q->hostlen, q->port, q->proto,
					 &d) == BCP_OK ? 0 : -1;
		int rst = ref_decide(c->model, c->infos[q->user], q->host, q->port, q->proto, &r);
		const char *rseg = r.segment >= 0 ? c->model->segments[r.segment].name : NULL;
		const char *rrule = r.rule >= 0 ? c->model->rules[r.rule].name : NULL;
		if (st == rst && d.verdict == r.verdict &&
		    !strcmp(name_or_null(d.segment), name_or_null(rseg)) &&
		    !strcmp(name_or_null(d.rule), name_or_null(rrule)))
			continue;
		if (bad++ < 10)
			fprintf(stderr, "bench: DIFFERENCE on %s:%u/%s user %u (%s): runtime %s %s %s, "
				"reference %s %s %s\n", q->host, q->port, q->proto ? "udp" : "tcp",
				q->user, gen_kind_names[q->kind], bcp_verdict_str(d.verdict),
				name_or_null(d.segment), name_or_null(d.rule),
				bcp_verdict_str(r.verdict), name_or_null(rseg), name_or_null(rrule));
	}
	return bad;
}

/* Every request against the reference, on two processes (the reference scans the
 * whole policy per request). Dies on any difference. */
static void verify_all(const struct size_ctx *c)
{
	pid_t pid[2];
	int workers = 0;
	size_t bad = 0;
	fflush(NULL);
	for (int k = 0; k < 2; k++) {
		pid[k] = fork();
		if (pid[k] == 0)
			_exit(verify(c, (size_t)k, 2, c->nreq) ? 1 : 0);
		if (pid[k] < 0) {   /* no second process: do its share here */
			bad += verify(c, (size_t)k, 2, c->nreq);
			continue;
		}
		workers++;
	}
	for (int k = 0; k < 2; k++) {
		int status;
		if (pid[k] > 0 && (waitpid(pid[k], &status, 0) != pid[k] || !WIFEXITED(status) ||
				   WEXITSTATUS(status) != 0))
			bad++;
	}
	if (bad)
		die("the runtime and the reference evaluator disagree (above); no figures reported");
}

static double decide_ns(const struct size_ctx *c, const struct gen_request *q)
{
	struct bcp_decision d;
	const bcp_user *u = c->users[q->user];
	uint64_t t0 = tick_begin();
	enum bcp_status st = bcp_decide_host(u, q->host, q->hostlen, q->port, q->proto, &d);
	uint64_t t1 = tick_end();
	sink += (uint32_t)st + (uint32_t)d.verdict;
	return ticks_to_ns(t1 - t0);
}

/* Decisions per second of CPU time over passes of the requests idx[0..n), for at
 * least min_s. */
static double throughput(const struct size_ctx *c, const uint32_t *idx, size_t n, double min_s)
{
	struct bcp_decision d;
	size_t done = 0;
	double t0 = cpu_s(), t1;
	do {
		for (size_t i = 0; i < n; i++) {
			const struct gen_request *q = &c->req[idx[i]];
			sink += (uint32_t)bcp_decide_host(c->users[q->user], q->host, q->hostlen, q->port,
							  q->proto, &d) + (uint32_t)d.verdict;
		}
		done += n;
		t1 = cpu_s();
	} while (t1 - t0 < min_s);
	return (double)done / (t1 - t0);
}

static double ref_throughput(const struct size_ctx *c, const uint32_t *idx, size_t n)
{
	struct ref_result r;
	double t0 = cpu_s();
	for (size_t i = 0; i < n; i++) {
		const struct gen_request *q = &c->req[idx[i]];
		sink += (uint32_t)ref_decide(c->model, c->infos[q->user], q->host, q->port, q->proto,
					     &r) + (uint32_t)r.verdict;
	}
	return (double)n / (cpu_s() - t0);
}

/* Warm: the working set idx[0..n) decided over and over; single decisions timed. */
static void warm_run(const struct size_ctx *c, const uint32_t *idx, size_t n, double *p50,
		     double *p99, double *dps, double kind_p50[GEN_NKINDS], double min_s)
{
	size_t passes = n >= 20000 ? 1 : 20000 / n, k = 0, nk[GEN_NKINDS] = { 0 };
	double *ns = xcalloc(passes * n, sizeof *ns), *byk[GEN_NKINDS];
	for (int j = 0; j < GEN_NKINDS; j++)
		byk[j] = xcalloc(passes * n, sizeof *byk[j]);
	throughput(c, idx, n, 0);   /* one pass to bring it all in */
	for (size_t p = 0; p < passes; p++)
		for (size_t i = 0; i < n; i++) {
			const struct gen_request *q = &c->req[idx[i]];
			ns[k++] = decide_ns(c, q);
			byk[q->kind][nk[q->kind]++] = ns[k - 1];
		}
	*p50 = quantile(ns, k, 0.5);
	*p99 = quantile(ns, k, 0.99);
	for (int j = 0; j < GEN_NKINDS; j++) {
		if (kind_p50)
			kind_p50[j] = nk[j] ? quantile(byk[j], nk[j], 0.5) : 0;
		free(byk[j]);
	}
	free(ns);
	*dps = throughput(c, idx, n, min_s);
}

/* Cold: before each decision, caches and TLB are flushed by streaming over a large
 * buffer (not timed). */
static void cold_run(const struct size_ctx *c, const uint32_t *idx, size_t n, double *p50,
		     double *p99, double *mean)
{
	double *ns = xcalloc(n, sizeof *ns), sum = 0;
	for (size_t i = 0; i < n; i++) {
		if (evict_caches(cfg.evict_mib) != 0)
			die("out of memory for the eviction buffer");
		ns[i] = decide_ns(c, &c->req[idx[i]]);
		sum += ns[i];
	}
	*mean = sum / (double)n;
	*p50 = quantile(ns, n, 0.5);
	*p99 = quantile(ns, n, 0.99);
	free(ns);
}

/* The sample sizes of a size (fewer where the reference is slow, fewer in smoke). */
static size_t verify_count(uint32_t n)
{
	return cfg.smoke ? 2000 : n <= 100000 ? 10000 : 2000;
}

static void section_lengths(const uint8_t *blob, size_t len, uint64_t out[BCPF_NSECTIONS + 1])
{
	memset(out, 0, (BCPF_NSECTIONS + 1) * sizeof *out);
	for (unsigned i = 0; i < BCPF_NSECTIONS; i++) {
		const uint8_t *e = blob + BCPF_HEADER_SIZE + (size_t)i * BCPF_DIRENT_SIZE;
		uint32_t id = bcpf_u32(e);
		if (BCPF_HEADER_SIZE + (size_t)(i + 1) * BCPF_DIRENT_SIZE <= len && id >= 1 &&
		    id <= BCPF_NSECTIONS)
			out[id] = bcpf_u64(e + 16);
	}
}

/* Writes the peer comparison's inputs and our answers to DIR/peers/, and times bcp on
 * exactly those requests. */
static void peers_files(struct size_ctx *c, const uint8_t *blob, size_t len, const char *tp,
			struct size_result *res)
{
	char dir[4096], path[4200], err[512];
	char **paths;
	int npaths;
	snprintf(dir, sizeof dir, "%s/peers", cfg.dir);
	mkdirs(dir);
	remove_stale(dir, "policy");
	if (gen_write(c->t, dir, "policy", MAX_FILE, &paths, &npaths, NULL) != 0)
		die("writing %s: %s", dir, strerror(errno));
	snprintf(path, sizeof path, "%s/policy.bcp", dir);
	if (write_file_atomic(path, blob, len, err, sizeof err) != 0)
		die("%s", err);
	snprintf(path, sizeof path, "%s/thumbprint", dir);
	FILE *f = fopen(path, "w");
	if (!f || fprintf(f, "%s\n", tp) < 0 || fclose(f) != 0)
		die("%s: %s", path, strerror(errno));

	/* The peer requests: their own seed, verified like the others. */
	struct gen_request *saved = c->req;
	size_t nsaved = c->nreq;
	c->nreq = cfg.peer_requests;
	c->req = xcalloc(c->nreq, sizeof *c->req);
	gen_requests(c->t, cfg.seed * 7919 + 17, c->req, c->nreq);
	verify_all(c);
	snprintf(path, sizeof path, "%s/requests.jsonl", dir);
	if (!(f = fopen(path, "w")) || export_requests(f, c->t, c->req, c->nreq) != 0 || fclose(f))
		die("%s: %s", path, strerror(errno));
	snprintf(path, sizeof path, "%s/expected.jsonl", dir);
	if (!(f = fopen(path, "w")))
		die("%s: %s", path, strerror(errno));
	for (size_t i = 0; i < c->nreq; i++) {
		const struct gen_request *q = &c->req[i];
		struct bcp_decision d;
		if (bcp_decide_host(c->users[q->user], q->host, q->hostlen, q->port, q->proto, &d) != BCP_OK)
			die("peer request %zu: invalid host %s", i, q->host);
		result_to_json_line(f, bcp_verdict_str(d.verdict), d.segment, d.rule,
				    bcp_user_profile(c->users[q->user]));
	}
	if (fclose(f) != 0)
		die("%s: %s", path, strerror(errno));

	uint32_t *all = xcalloc(c->nreq, sizeof *all);
	double *dps = xcalloc((size_t)cfg.runs, sizeof *dps);
	for (size_t i = 0; i < c->nreq; i++)
		all[i] = (uint32_t)i;
	for (int r = 0; r < cfg.runs; r++)
		dps[r] = throughput(c, all, c->nreq, cfg.smoke ? 0.05 : 0.25);
	res->peer_dps = median(dps, (size_t)cfg.runs);

	/* What the files are, for the peer engine's harness. */
	json_t *m = json_object(), *files = json_array();
	for (int i = 0; i < npaths; i++) {
		const char *base = strrchr(paths[i], '/');
		json_array_append_new(files, json_string(base ? base + 1 : paths[i]));
		free(paths[i]);
	}
	free(paths);
	json_object_set_new(m, "policy_files", files);
	json_object_set_new(m, "blob", json_string("policy.bcp"));
	json_object_set_new(m, "thumbprint", json_string(tp));
	json_object_set_new(m, "requests", json_string("requests.jsonl"));
	json_object_set_new(m, "expected", json_string("expected.jsonl"));
	json_object_set_new(m, "patterns", json_integer(c->t ? res->gen.host_patterns : 0));
	json_object_set_new(m, "prefixes", json_integer(res->gen.prefixes4 + res->gen.prefixes6));
	json_object_set_new(m, "segments", json_integer(res->gen.segments));
	json_object_set_new(m, "rules", json_integer(res->gen.rules));
	json_object_set_new(m, "request_count", json_integer((json_int_t)c->nreq));
	json_object_set_new(m, "users", json_integer(res->gen.users));
	json_object_set_new(m, "bcp_decisions_per_s", json_real(round(res->peer_dps)));
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	if (json_dump_file(m, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
		die("%s: %s", path, strerror(errno));
	json_decref(m);
	res->peer_requests = c->nreq;
	snprintf(res->peer_dir, sizeof res->peer_dir, "%s", dir);
	res->has_peers = 1;
	free(dps);
	free(all);
	free(c->req);
	c->req = saved;
	c->nreq = nsaved;
}

/* Compile: time and peak memory of a process that does only that, median of a few. */
static void compile_size(const char *key, char **paths, int npaths, const char *blob_path,
			 struct size_result *res)
{
	int runs = res->patterns >= 1000000 && cfg.compile_runs > 3 ? 3 : cfg.compile_runs;
	double cpu[16], wall[16], peak[16];
	for (int r = 0; r < runs; r++) {
		fprintf(stderr, "bench: %u patterns: compile %d/%d\n", res->patterns, r + 1, runs);
		compile_once(key, blob_path, paths, npaths, &wall[r], &cpu[r], &peak[r]);
	}
	res->compile_runs = runs;
	res->compile_s = median(cpu, (size_t)runs);
	res->compile_wall_s = median(wall, (size_t)runs);
	res->compile_peak_mib = median(peak, (size_t)runs);
}

/* Open: signature and structural pass (and the mapping, for the file), median of
 * several; returns the blob opened once more for what follows. */
static bcp_blob *open_size(const uint8_t *blob, size_t len, const char *blob_path,
			   const char *tp, struct size_result *res)
{
	const char *tps[1] = { tp };
	struct bcp_open_opts oo = { .thumbprints = tps, .nthumbprints = 1,
				    .now = (int64_t)time(NULL) };
	struct bcp_error err;
	bcp_blob *b = NULL;
	int reps = cfg.smoke ? 3 : res->patterns >= 1000000 ? 5 : 9;
	double *cpu = xcalloc((size_t)reps, sizeof *cpu), *wall = xcalloc((size_t)reps, sizeof *wall),
	       *file = xcalloc((size_t)reps, sizeof *file);
	for (int r = 0; r < reps; r++) {
		double t0 = now_s(), c0 = cpu_s();
		if (bcp_open_buffer(blob, len, &oo, &b, &err) != BCP_OK)
			die("%s: %s", blob_path, err.message);
		cpu[r] = cpu_s() - c0;
		wall[r] = now_s() - t0;
		bcp_close(b);
		c0 = cpu_s();
		if (bcp_open_file(blob_path, &oo, &b, &err) != BCP_OK)
			die("%s: %s", blob_path, err.message);
		file[r] = cpu_s() - c0;
		bcp_close(b);
	}
	res->open_reps = reps;
	res->open_ms = median(cpu, (size_t)reps) * 1e3;
	res->open_wall_ms = median(wall, (size_t)reps) * 1e3;
	res->open_file_ms = median(file, (size_t)reps) * 1e3;
	free(cpu);
	free(wall);
	free(file);
	if (bcp_open_buffer(blob, len, &oo, &b, &err) != BCP_OK)
		die("%s: %s", blob_path, err.message);
	return b;
}

/* Bind: every user of the pool, once per run; the last binding is kept, and each
 * user's profile is checked against the reference's. */
static void bind_users(struct size_ctx *c, const bcp_blob *b, struct size_result *res)
{
	int R = cfg.runs;
	struct bcp_error err;
	c->nusers = res->gen.users;
	c->users = xcalloc(c->nusers, sizeof *c->users);
	c->infos = xcalloc(c->nusers, sizeof *c->infos);
	double *us = xcalloc(c->nusers, sizeof *us), *p50 = xcalloc((size_t)R, sizeof *p50),
	       *p99 = xcalloc((size_t)R, sizeof *p99);
	for (int r = 0; r < R; r++) {
		for (uint32_t i = 0; i < c->nusers; i++) {
			bcp_user *u;
			c->infos[i] = gen_user(c->t, i);
			uint64_t t0 = tick_begin();
			enum bcp_status st = bcp_bind(b, c->infos[i], &u, &err);
			uint64_t t1 = tick_end();
			if (st != BCP_OK)
				die("bind user %u: %s", i, err.message);
			us[i] = ticks_to_ns(t1 - t0) / 1e3;
			if (r + 1 < R) {
				bcp_user_free(u);
				continue;
			}
			c->users[i] = u;
			int32_t rp = ref_profile(c->model, c->infos[i]);
			const char *want = rp >= 0 ? c->model->profiles[rp].name : NULL;
			if (strcmp(name_or_null(bcp_user_profile(u)), name_or_null(want)))
				die("user %u: profile %s, the reference says %s", i,
				    name_or_null(bcp_user_profile(u)), name_or_null(want));
		}
		p50[r] = quantile(us, c->nusers, 0.5);
		p99[r] = quantile(us, c->nusers, 0.99);
	}
	res->bind_us = median(p50, (size_t)R);
	res->bind_us_p99 = median(p99, (size_t)R);
	free(us);
	free(p50);
	free(p99);
}

/* The requests, every one checked against the reference before any is timed. */
static void check_requests(struct size_ctx *c, struct size_result *res)
{
	uint32_t n = res->patterns;
	c->nreq = verify_count(n);
	c->req = xcalloc(c->nreq, sizeof *c->req);
	gen_requests(c->t, cfg.seed * 1000003 + n, c->req, c->nreq);
	fprintf(stderr, "bench: %u patterns: checking %zu requests against the reference\n", n,
		c->nreq);
	verify_all(c);
	res->verified = c->nreq;
	for (size_t i = 0; i < c->nreq; i++) {
		struct bcp_decision d;
		const struct gen_request *q = &c->req[i];
		if (bcp_decide_host(c->users[q->user], q->host, q->hostlen, q->port, q->proto,
				    &d) == BCP_OK)
			res->verdicts[d.verdict]++;
		res->kinds[q->kind]++;
	}
}

/* What one timing run gives; the report takes the median of each over the runs. */
struct run_figures {
	double p50, p99, dps, kind_p50[GEN_NKINDS];   /* the warm working set */
	double all_p50, all_dps, hot_p50, hot_dps;
	double cold_p50, cold_p99, cold_mean;
	double ref_dps, bcp_dps_same;
};

static double median_of(const struct run_figures *f, int runs, size_t offset)
{
	double v[100];
	for (int r = 0; r < runs; r++)
		memcpy(&v[r], (const char *)&f[r] + offset, sizeof v[r]);
	return median(v, (size_t)runs);
}
#define MEDIAN_OF(f, runs, field) median_of((f), (runs), offsetof(struct run_figures, field))

/* Warm (1,024 requests, all checked requests, 16), cold, and the reference on a few
 * hundred of the same requests with bcp on exactly those, R runs. */
static void time_decisions(const struct size_ctx *c, struct size_result *res)
{
	int R = cfg.runs, RR = R < 3 ? R : 3;
	uint32_t n = res->patterns;
	size_t ws = cfg.smoke ? 256 : 1024, ncold = cfg.smoke ? 50 : n <= 100000 ? 1000 : 300;
	size_t nref = cfg.smoke || n >= 1000000 ? 100 : 300;
	double min_s = cfg.smoke ? 0.05 : 0.25, dummy;
	uint32_t *all = xcalloc(c->nreq, sizeof *all), *pick = xcalloc(ncold, sizeof *pick);
	struct run_figures *f = xcalloc((size_t)R, sizeof *f);
	fprintf(stderr, "bench: %u patterns: timing\n", n);
	for (size_t i = 0; i < c->nreq; i++)
		all[i] = (uint32_t)i;
	if (ws > c->nreq)
		ws = c->nreq;
	if (nref > c->nreq)
		nref = c->nreq;
	for (int r = 0; r < R; r++) {
		warm_run(c, all, ws, &f[r].p50, &f[r].p99, &f[r].dps, f[r].kind_p50, min_s);
		warm_run(c, all, c->nreq, &f[r].all_p50, &dummy, &f[r].all_dps, NULL, min_s);
		/* Hot: 16 requests, what stays in L1: the cost of the instructions alone. */
		warm_run(c, all, c->nreq < 16 ? c->nreq : 16, &f[r].hot_p50, &dummy, &f[r].hot_dps,
			 NULL, min_s);
		uint64_t s = cfg.seed + (uint64_t)r * 31 + 7;
		for (size_t i = 0; i < ncold; i++) {   /* a different sample each run */
			s = s * 6364136223846793005u + 1442695040888963407u;
			pick[i] = (uint32_t)((s >> 33) % c->nreq);
		}
		cold_run(c, pick, ncold, &f[r].cold_p50, &f[r].cold_p99, &f[r].cold_mean);
		if (r < RR) {   /* the reference scans the policy: a few hundred requests */
			f[r].ref_dps = ref_throughput(c, all, nref);
			f[r].bcp_dps_same = throughput(c, all, nref, min_s);
		}
	}
	res->ws = ws;
	res->all_n = c->nreq;
	res->cold_n = ncold;
	res->ref_n = nref;
	res->p50 = MEDIAN_OF(f, R, p50);
	res->p99 = MEDIAN_OF(f, R, p99);
	res->dps = MEDIAN_OF(f, R, dps);
	for (int k = 0; k < GEN_NKINDS; k++)
		res->kind_p50[k] = median_of(f, R, offsetof(struct run_figures, kind_p50) +
					     (size_t)k * sizeof(double));
	res->all_p50 = MEDIAN_OF(f, R, all_p50);
	res->all_dps = MEDIAN_OF(f, R, all_dps);
	res->hot_p50 = MEDIAN_OF(f, R, hot_p50);
	res->hot_dps = MEDIAN_OF(f, R, hot_dps);
	res->cold_p50 = MEDIAN_OF(f, R, cold_p50);
	res->cold_p99 = MEDIAN_OF(f, R, cold_p99);
	res->cold_dps = 1e9 / MEDIAN_OF(f, R, cold_mean);
	res->ref_dps = MEDIAN_OF(f, RR, ref_dps);
	res->bcp_dps_same = MEDIAN_OF(f, RR, bcp_dps_same);
	free(f);
	free(all);
	free(pick);
}

static void run_size(uint32_t n, const char *key, const char *tp, struct size_result *res)
{
	struct gen_params gp;
	struct size_ctx c = { 0 };
	char dir[4096], blob_path[4200];
	char **paths;
	int npaths;

	memset(res, 0, sizeof *res);
	res->patterns = n;
	res->runs = cfg.runs;
	gen_defaults(&gp, n);
	gp.seed = cfg.seed;
	fprintf(stderr, "bench: %u patterns: generating\n", n);
	if (!(c.t = gen_tenant_new(&gp)))
		die("out of memory generating the tenant");
	gen_tenant_stats(c.t, &res->gen);
	if (res->gen.segments < res->gen.segments_wanted)
		fprintf(stderr, "bench: %u patterns: %u segments, fewer than the %u wanted: only %u "
			"patterns and prefixes to give them\n", n, res->gen.segments,
			res->gen.segments_wanted,
			res->gen.host_patterns + res->gen.prefixes4 + res->gen.prefixes6);
	snprintf(dir, sizeof dir, "%s/%u", cfg.dir, n);
	mkdirs(dir);
	remove_stale(dir, "tenant");
	if (gen_write(c.t, dir, "tenant", MAX_FILE, &paths, &npaths, &res->source_bytes) != 0)
		die("writing %s: %s", dir, strerror(errno));
	res->source_files = npaths;

	snprintf(blob_path, sizeof blob_path, "%s/tenant.bcp", dir);
	compile_size(key, paths, npaths, blob_path, res);
	size_t len;
	uint8_t *blob = read_all(blob_path, &len);
	res->blob_bytes = len;
	section_lengths(blob, len, res->sections);
	if (table_stats(blob, len, &res->tables) != 0)
		die("%s: sections not where docs/FORMAT.md puts them", blob_path);
	bcp_blob *b = open_size(blob, len, blob_path, tp, res);

	/* The reference reads the same sources. */
	fprintf(stderr, "bench: %u patterns: loading the sources for the reference\n", n);
	struct arena a;
	struct diags dg;
	arena_init(&a, NULL);
	diags_init(&dg, &a);
	if (!(c.model = load_policy(paths, npaths, &a, &dg))) {
		diags_print(&dg, stderr);
		die("the reference cannot load the tenant");
	}
	bind_users(&c, b, res);
	check_requests(&c, res);
	time_decisions(&c, res);
	if (cfg.peers == n)
		peers_files(&c, blob, len, tp, res);

	for (uint32_t i = 0; i < c.nusers; i++)
		bcp_user_free(c.users[i]);
	free(c.users);
	free(c.infos);
	free(c.req);
	bcp_close(b);
	free(blob);
	arena_free(&a);
	for (int i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	gen_tenant_free(c.t);
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr, "usage: bench [--sizes N,N,...] [--runs N] [--compile-runs N] [--out FILE]\n"
		"             [--dir DIR] [--peers N] [--peer-requests N] [--evict-mib N]\n"
		"             [--source LABEL] [--smoke]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--compile-child"))
		return compile_child(argc - 2, argv + 2);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(arg, "--smoke")) {
			cfg.smoke = 1;
			cfg.sizes[0] = 1000;
			cfg.nsizes = 1;
			cfg.runs = 1;
			cfg.compile_runs = 1;
			cfg.peers = 1000;
			cfg.peer_requests = 200;
			continue;
		}
		if (!val)
			usage();
		i++;
		if (!strcmp(arg, "--sizes")) {
			cfg.nsizes = 0;
			for (char *s = argv[i], *end; *s && cfg.nsizes < MAX_SIZES; s = end + (*end == ',')) {
				cfg.sizes[cfg.nsizes++] = (uint32_t)strtoul(s, &end, 10);
				if (end == s)
					usage();
			}
		} else if (!strcmp(arg, "--runs"))
			cfg.runs = atoi(val);
		else if (!strcmp(arg, "--compile-runs"))
			cfg.compile_runs = atoi(val);
		else if (!strcmp(arg, "--out"))
			cfg.out = val;
		else if (!strcmp(arg, "--dir"))
			cfg.dir = val;
		else if (!strcmp(arg, "--peers"))
			cfg.peers = (uint32_t)strtoul(val, NULL, 10);
		else if (!strcmp(arg, "--peer-requests"))
			cfg.peer_requests = (uint32_t)strtoul(val, NULL, 10);
		else if (!strcmp(arg, "--source"))
			cfg.source = val;
		else if (!strcmp(arg, "--evict-mib"))
			cfg.evict_mib = (size_t)strtoul(val, NULL, 10);
		else
			usage();
	}
	if (cfg.runs < 1 || cfg.runs > 99 || cfg.compile_runs < 1 || cfg.compile_runs > 16 ||
	    cfg.nsizes < 1 || cfg.peer_requests < 1 || cfg.evict_mib < 1)
		usage();
	for (int i = 0; i < cfg.nsizes; i++)
		if (cfg.sizes[i] < 100 || cfg.sizes[i] > 5000000)
			die("sizes are 100 .. 5000000 patterns");

	/* A signing key of the benchmark's own (made once, kept in DIR). */
	char key[4200], pub[4300], err[512], tp[45];
	uint8_t raw[32];
	mkdirs(cfg.dir);
	snprintf(key, sizeof key, "%s/signer.pem", cfg.dir);
	snprintf(pub, sizeof pub, "%s/signer.pub.pem", cfg.dir);
	if (access(key, R_OK) != 0 && key_generate(key, err, sizeof err) != 0)
		die("%s", err);
	EVP_PKEY *k = key_load_public(key, err, sizeof err);
	if (!k || key_raw_public(k, raw) != 0 || key_thumbprint(raw, tp) != 0)
		die("%s: %s", key, err);
	EVP_PKEY_free(k);

	FILE *la = fopen("/proc/loadavg", "r");
	if (la && fgets(cfg.load_start, sizeof cfg.load_start, la))
		cfg.load_start[strcspn(cfg.load_start, "\n")] = '\0';
	if (la)
		fclose(la);
	timing_calibrate();
	fprintf(stderr, "bench: timer %s at %.4f GHz, empty measurement %.1f ticks\n",
		TIMING_TSC ? "rdtsc" : "CLOCK_MONOTONIC", tick_hz() / 1e9, tick_overhead());
	struct size_result *res = xcalloc((size_t)cfg.nsizes, sizeof *res);
	for (int i = 0; i < cfg.nsizes; i++)
		run_size(cfg.sizes[i], key, tp, &res[i]);
	if (report_write(&cfg, res, cfg.nsizes, cfg.out) != 0)
		die("writing %s: %s", cfg.out, strerror(errno));
	report_table(stdout, &cfg, res, cfg.nsizes);
	free(res);
	return sink == 0xFFFFFFFFu ? 0 : 0;   /* sink only keeps the decisions alive */
}
