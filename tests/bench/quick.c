/* quick.c - bench-quick: the warm decision figures of `make bench` in seconds, for
 * trying a change to the decision path. It times blobs that `make bench` (or
 * bench-gen and bcpc compile) already wrote, with the same generator, users and
 * request mix, and the same per-decision timing, but checks nothing against the
 * reference and takes one run: read its figures as "before and after on this
 * machine, now", never as results (docs/BENCHMARKS.md).
 *
 *   bench-quick [-n REQUESTS] THUMBPRINT N:BLOB...
 *
 * For each N:BLOB (N the tenant's pattern count, BLOB its compiled tenant) it binds
 * the tenant's 100 users, makes REQUESTS requests (default 1,024, the working set
 * of `make bench`), decides them 3 times, then 20 times each timed alone, then for
 * 0.5 s of CPU time untimed. It prints the median and 99th percentile, decisions
 * per second and the median by kind of request. */
#include "bcp.h"
#include "gen.h"
#include "timing.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPS 20
#define MAX_USERS 1000

static int decide(bcp_user *const *u, const struct gen_request *r)
{
	struct bcp_decision d;

	return (int)bcp_decide_host(u[r->user], r->host, r->hostlen, r->port, r->proto, &d);
}

static int run(const char *thumb, uint32_t n, const char *path, size_t nreq)
{
	struct gen_params gp;
	struct gen_tenant *t;
	const char *tps[1] = { thumb };
	struct bcp_open_opts o = { .thumbprints = tps, .nthumbprints = 1, .now = time(NULL) };
	struct bcp_error err;
	bcp_blob *b = NULL;
	bcp_user *u[MAX_USERS] = { NULL };
	uint32_t nusers;
	struct gen_request *rq = NULL;
	double *all = NULL, *kind[GEN_NKINDS] = { NULL };
	size_t na = 0, nk[GEN_NKINDS] = { 0 }, i, done = 0;
	volatile int sink = 0;
	int rc = 1;

	gen_defaults(&gp, n);
	nusers = gp.users < MAX_USERS ? gp.users : MAX_USERS;
	if (!(t = gen_tenant_new(&gp))) {
		fprintf(stderr, "bench-quick: cannot generate the %u-pattern tenant\n", n);
		return 1;
	}
	if (bcp_open_file(path, &o, &b, &err) != BCP_OK) {
		fprintf(stderr, "bench-quick: %s: %s\n", path, err.message);
		goto out;
	}
	for (i = 0; i < nusers; i++)
		if (bcp_bind(b, gen_user(t, (uint32_t)i), &u[i], &err) != BCP_OK) {
			fprintf(stderr, "bench-quick: bind: %s\n", err.message);
			goto out;
		}
	rq = calloc(nreq, sizeof *rq);
	all = calloc(nreq * REPS, sizeof *all);
	for (int k = 0; k < GEN_NKINDS; k++)
		kind[k] = calloc(nreq * REPS, sizeof *kind[k]);
	for (int k = 0; k < GEN_NKINDS; k++)
		if (!kind[k])
			goto nomem;
	if (!rq || !all)
		goto nomem;
	gen_requests(t, 777 + n, rq, nreq);
	for (int rep = 0; rep < 3; rep++)
		for (i = 0; i < nreq; i++)
			sink += decide(u, &rq[i]);
	for (int rep = 0; rep < REPS; rep++)
		for (i = 0; i < nreq; i++) {
			uint64_t t0 = tick_begin();
			sink += decide(u, &rq[i]);
			double ns = ticks_to_ns(tick_end() - t0);
			all[na++] = ns;
			kind[rq[i].kind][nk[rq[i].kind]++] = ns;
		}
	double c0 = cpu_s();
	while (cpu_s() - c0 < 0.5) {
		for (i = 0; i < nreq; i++)
			sink += decide(u, &rq[i]);
		done += nreq;
	}
	double dps = (double)done / (cpu_s() - c0);
	printf("%8u  p50 %5.0f  p99 %5.0f ns  %5.2f M/s |", n, quantile(all, na, 0.5),
	       quantile(all, na, 0.99), dps / 1e6);
	for (int k = 0; k < GEN_NKINDS; k++)
		printf(" %s %.0f", gen_kind_names[k], quantile(kind[k], nk[k], 0.5));
	printf("\n");
	rc = 0;
	goto out;
nomem:
	fprintf(stderr, "bench-quick: out of memory\n");
out:
	for (int k = 0; k < GEN_NKINDS; k++)
		free(kind[k]);
	free(all);
	free(rq);
	for (i = 0; i < MAX_USERS; i++)
		bcp_user_free(u[i]);
	bcp_close(b);
	gen_tenant_free(t);
	return rc;
}

int main(int argc, char **argv)
{
	size_t nreq = 1024;
	int a = 1, rc = 0;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		nreq = (size_t)strtoul(argv[2], NULL, 10);
		a = 3;
	}
	if (argc - a < 2 || nreq == 0) {
		fprintf(stderr, "usage: bench-quick [-n REQUESTS] THUMBPRINT N:BLOB...\n");
		return 2;
	}
	timing_calibrate();
	for (int i = a + 1; i < argc; i++) {
		char *colon = strchr(argv[i], ':');
		if (!colon) {
			fprintf(stderr, "bench-quick: want N:BLOB, not %s\n", argv[i]);
			return 2;
		}
		rc |= run(argv[a], (uint32_t)strtoul(argv[i], NULL, 10), colon + 1, nreq);
	}
	return rc;
}
