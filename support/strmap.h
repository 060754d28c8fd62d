/* strmap.h - a string -> index map (open addressing, FNV-1a) living in an arena.
 * Used for name lookups in the checker; keys are borrowed, never copied. */
#ifndef BCPC_STRMAP_H
#define BCPC_STRMAP_H
#include <stdint.h>
#include "arena.h"

struct strmap {
	const char **keys;
	uint32_t *vals;
	uint32_t n, cap;   /* cap is 0 or a power of two */
	struct arena *arena;
};

#define STRMAP_NONE UINT32_MAX

void strmap_init(struct strmap *m, struct arena *a);
/* Index stored under key, or STRMAP_NONE. */
uint32_t strmap_get(const struct strmap *m, const char *key);
/* Stores key -> val unless key is present. Returns the value now stored under key
 * (the old one when it was present), or STRMAP_NONE when out of memory. */
uint32_t strmap_put(struct strmap *m, const char *key, uint32_t val);
#endif
