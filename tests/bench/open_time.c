/* open_time.c - bench-open: how long bcp_open_file and bcp_open_buffer take on
 * given blobs (each trusted by its own key, opened inside its window), the median
 * of RUNS opens each, in ms and ms per MB. For comparing two runtimes on the same
 * blobs: link this file against each libbcp.a and run them in turn.
 *
 *     bench-open [-r RUNS] BLOB...
 *
 * Uses only bcp.h, so it links against any libbcp of the same API. */
#include "bcp.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(p = malloc((size_t)n)) || fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	if (f)
		fclose(f);
	*len = p ? (size_t)n : 0;
	return p;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int main(int argc, char **argv)
{
	int runs = 9, first = 1;

	if (argc > 2 && !strcmp(argv[1], "-r")) {
		runs = atoi(argv[2]);
		first = 3;
	}
	if (first >= argc || runs < 1 || runs > 1000) {
		fprintf(stderr, "usage: bench-open [-r RUNS] BLOB...\n");
		return 2;
	}
	printf("runtime %s, median of %d\n", bcp_version(), runs);
	for (int a = first; a < argc; a++) {
		size_t len;
		uint8_t *data = slurp(argv[a], &len);
		char tp[45];
		if (!data || len < 128 || bcp_thumbprint(data + 56, tp) != 0) {
			fprintf(stderr, "bench-open: cannot read %s as a blob\n", argv[a]);
			return 1;
		}
		const char *tps[1] = { tp };
		struct bcp_open_opts o;
		memset(&o, 0, sizeof o);
		o.thumbprints = tps;
		o.nthumbprints = 1;
		o.now = (int64_t)le64(data + 32);   /* not_before */
		double *t[2];
		t[0] = calloc((size_t)runs, sizeof(double));
		t[1] = calloc((size_t)runs, sizeof(double));
		for (int r = 0; r < runs; r++)
			for (int k = 0; k < 2; k++) {
				struct bcp_error err;
				bcp_blob *b = NULL;
				double t0 = now_ms();
				enum bcp_status s = k == 0 ? bcp_open_file(argv[a], &o, &b, &err) :
					bcp_open_buffer(data, len, &o, &b, &err);
				t[k][r] = now_ms() - t0;
				if (s != BCP_OK) {
					fprintf(stderr, "bench-open: %s: %s\n", argv[a], err.message);
					return 1;
				}
				bcp_close(b);
			}
		qsort(t[0], (size_t)runs, sizeof(double), cmp_double);
		qsort(t[1], (size_t)runs, sizeof(double), cmp_double);
		double mb = (double)len / 1e6;
		printf("%s: %.1f MB: open_file %.2f ms (%.3f ms/MB), open_buffer %.2f ms "
		       "(%.3f ms/MB)\n", argv[a], mb, t[0][runs / 2], t[0][runs / 2] / mb,
		       t[1][runs / 2], t[1][runs / 2] / mb);
		free(t[0]);
		free(t[1]);
		free(data);
	}
	return 0;
}
