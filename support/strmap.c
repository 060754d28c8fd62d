/* strmap.c - see strmap.h. Grows at 50% load; the old table is left in the arena. */
#include "strmap.h"
#include <string.h>

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

void strmap_init(struct strmap *m, struct arena *a)
{
	memset(m, 0, sizeof *m);
	m->arena = a;
}

static uint32_t *slot(const struct strmap *m, const char *key, const char ***kp)
{
	uint32_t mask = m->cap - 1, i = (uint32_t)fnv1a(key) & mask;
	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & mask;
	*kp = &m->keys[i];
	return &m->vals[i];
}

uint32_t strmap_get(const struct strmap *m, const char *key)
{
	const char **k;
	if (!m->cap)
		return STRMAP_NONE;
	uint32_t *v = slot(m, key, &k);
	return *k ? *v : STRMAP_NONE;
}

static int grow(struct strmap *m)
{
	struct strmap big = *m;
	big.cap = m->cap ? m->cap * 2 : 64;
	if (big.cap < m->cap)
		return -1;
	big.keys = arena_array(m->arena, big.cap, sizeof *big.keys);
	big.vals = arena_array(m->arena, big.cap, sizeof *big.vals);
	if (!big.keys || !big.vals)
		return -1;
	for (uint32_t i = 0; i < m->cap; i++) {
		if (m->keys[i]) {
			const char **k;
			uint32_t *v = slot(&big, m->keys[i], &k);
			*k = m->keys[i];
			*v = m->vals[i];
		}
	}
	*m = big;
	return 0;
}

uint32_t strmap_put(struct strmap *m, const char *key, uint32_t val)
{
	const char **k;
	if ((m->n + 1) * 2 > m->cap && grow(m) != 0)
		return STRMAP_NONE;
	uint32_t *v = slot(m, key, &k);
	if (*k)
		return *v;
	*k = key;
	*v = val;
	m->n++;
	return val;
}
