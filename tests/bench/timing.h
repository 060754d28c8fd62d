/* timing.h - the benchmark's clocks and statistics.
 *
 * One decision takes tens of nanoseconds, less than a clock_gettime call, so single
 * decisions are timed with the time-stamp counter (rdtsc after lfence, rdtscp then
 * lfence), converted with a rate calibrated against CLOCK_MONOTONIC, less the cost of
 * an empty measurement. Everything longer (passes over many decisions, open, bind,
 * compile) is timed twice, with CLOCK_MONOTONIC and with the thread's CPU time, so
 * that a figure taken while other processes share the machine can leave out the time
 * the benchmark was not running. On machines without a usable counter single
 * decisions use CLOCK_MONOTONIC too. Not thread-safe: one benchmark thread. */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TIMING_TSC 1
static inline uint64_t tick_begin(void)
{
	_mm_lfence();
	return __rdtsc();
}
static inline uint64_t tick_end(void)
{
	unsigned aux;
	uint64_t t = __rdtscp(&aux);
	_mm_lfence();
	return t;
}
#else
#define TIMING_TSC 0
static inline uint64_t tick_begin(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
static inline uint64_t tick_end(void)
{
	return tick_begin();
}
#endif

/* CLOCK_MONOTONIC in seconds. */
double now_s(void);
/* CPU time of the calling thread in seconds (CLOCK_THREAD_CPUTIME_ID): what a
 * measurement costs when other processes share the cores; equal to now_s() spans on
 * an idle machine. */
double cpu_s(void);

/* Measures the tick rate against CLOCK_MONOTONIC over about 200 ms, and the cost of
 * an empty tick_begin/tick_end pair. Call once before ticks_to_ns. */
void timing_calibrate(void);
double tick_hz(void);
/* Ticks of an empty measurement (its median), subtracted by ticks_to_ns. */
double tick_overhead(void);
/* Nanoseconds of a measured interval, less the empty-measurement cost (never < 0). */
double ticks_to_ns(uint64_t ticks);

/* Sorts v[0..n) and returns the q-quantile (0 <= q <= 1), nearest rank. 0 when n = 0. */
double quantile(double *v, size_t n, double q);
/* The median of v[0..n) (sorts it). */
double median(double *v, size_t n);

/* Evicts the caches (and the TLB) by reading a buffer of mib MiB one cache line at a
 * time; the buffer is made on the first call. Returns 0, or -1 when out of memory. */
int evict_caches(size_t mib);
#endif
