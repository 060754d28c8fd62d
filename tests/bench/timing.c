/* timing.c - see timing.h. */
#include "timing.h"
#include <stdlib.h>
#include <string.h>

static double hz = 1e9, overhead;

double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void timing_calibrate(void)
{
	enum { EMPTY = 20000 };
	static double empty[EMPTY];
#if TIMING_TSC
	/* Busy-wait so that the measurement spans the same interval on both clocks. */
	double t0 = now_s(), t1;
	uint64_t c0 = tick_begin(), c1;
	do
		t1 = now_s();
	while (t1 - t0 < 0.2);
	c1 = tick_end();
	hz = (double)(c1 - c0) / (t1 - t0);
#endif
	for (int i = 0; i < EMPTY; i++) {
		uint64_t a = tick_begin(), b = tick_end();
		empty[i] = (double)(b - a);
	}
	overhead = median(empty, EMPTY);
}

double tick_hz(void)
{
	return hz;
}

double tick_overhead(void)
{
	return overhead;
}

double ticks_to_ns(uint64_t ticks)
{
	double t = (double)ticks - overhead;
	return t > 0 ? t * 1e9 / hz : 0;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double quantile(double *v, size_t n, double q)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, dcmp);
	size_t k = (size_t)(q * (double)n + 0.999999);   /* nearest rank, 1-based */
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

double median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, dcmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int evict_caches(size_t mib)
{
	static volatile uint8_t *buf;
	static size_t len;
	static volatile uint64_t sink;
	uint64_t sum = 0;
	if (len != mib << 20) {
		free((void *)buf);
		len = mib << 20;
		buf = malloc(len);
		if (!buf) {
			len = 0;
			return -1;
		}
		memset((void *)buf, 1, len);   /* fault every page in now, not while timing */
	}
	for (size_t i = 0; i < len; i += 64)
		sum += buf[i];
	sink += sum;
	return 0;
}
