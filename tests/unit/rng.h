/* rng.h - the seeded random numbers of the randomized tests (splitmix64: small,
 * and the same on every machine, so a seed gives the same run everywhere). Static
 * functions, shared by including: randpol.h, test_zpa_diff.c. */
#ifndef BCP_TESTS_RNG_H
#define BCP_TESTS_RNG_H
#include <stdint.h>

struct rng {
	uint64_t s;
};

static uint64_t rnext(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* 0..n-1 (n > 0) */
static unsigned rn(struct rng *r, unsigned n)
{
	return (unsigned)(((rnext(r) >> 32) * n) >> 32);
}

static int chance(struct rng *r, unsigned percent)
{
	return rn(r, 100) < percent;
}

#define NPOOL(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(r, arr) ((arr)[rn((r), NPOOL(arr))])

#endif
