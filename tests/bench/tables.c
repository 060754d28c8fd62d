/* tables.c - see tables.h. Layouts and the hash are docs/FORMAT.md's. */
#include "tables.h"
#include "bcp_format.h"
#include <stdlib.h>
#include <string.h>

struct section {
	const uint8_t *p;
	uint64_t len;
};

static int sections(const uint8_t *blob, size_t len, struct section s[BCPF_NSECTIONS + 1])
{
	if (len < BCPF_HEADER_SIZE + BCPF_NSECTIONS * BCPF_DIRENT_SIZE)
		return -1;
	for (unsigned i = 0; i < BCPF_NSECTIONS; i++) {
		const uint8_t *e = blob + BCPF_HEADER_SIZE + (size_t)i * BCPF_DIRENT_SIZE;
		uint64_t off = bcpf_u64(e + 8), n = bcpf_u64(e + 16);
		if (bcpf_u32(e) != i + 1 || off > len || n > len - off)
			return -1;
		s[i + 1].p = blob + off;
		s[i + 1].len = n;
	}
	return 0;
}

/* Mean occupied slots a lookup reads from a uniformly random home slot before an
 * empty one, at most max_probe + 1 (what a key that is absent costs). */
static double miss_reads(const uint8_t *used, uint32_t nslots, uint32_t max_probe)
{
	uint64_t total = 0;
	uint32_t run = 0, first_empty = nslots;
	for (uint32_t i = 0; i < nslots; i++)
		if (!used[i]) {
			first_empty = i;
			break;
		}
	if (first_empty == nslots)   /* a full table: every lookup reads max_probe + 1 */
		return max_probe + 1.0;
	/* Walk backwards from an empty slot, wrapping: run = occupied slots from i on. */
	for (uint32_t k = 0; k < nslots; k++) {
		uint32_t i = (first_empty + nslots - k) % nslots;
		run = used[i] ? run + 1 : 0;
		total += run < max_probe + 1 ? run : max_probe + 1;
	}
	return (double)total / nslots;
}

/* The per-slot arrays of h's table, zeroed: 0, or -1 with nothing allocated. */
static int slots_new(const struct hash_stats *h, uint8_t **used, uint32_t **home)
{
	*used = calloc(h->nslots ? h->nslots : 1, 1);
	*home = calloc(h->nslots ? h->nslots : 1, sizeof **home);
	if (*used && *home)
		return 0;
	free(*used);
	free(*home);
	return -1;
}

/* Fills h from the homes of the used slots, then frees the arrays. */
static void finish(struct hash_stats *h, uint8_t *used, uint32_t *home)
{
	uint64_t dist = 0;
	for (uint32_t i = 0; i < h->nslots; i++)
		if (used[i])
			dist += (i + h->nslots - home[i]) % h->nslots + 1;
	h->hit_reads = h->used ? (double)dist / h->used : 0;
	h->miss_reads = miss_reads(used, h->nslots, h->max_probe);
	free(used);
	free(home);
}

static int host_stats(const struct section *s, struct table_stats *out)
{
	const struct section *str = &s[BCPF_S_STRINGS], *nodes = &s[BCPF_S_HOST_NODES],
			     *idx = &s[BCPF_S_HOST_INDEX];
	struct hash_stats *h = &out->host;
	if (nodes->len < 8 || idx->len < BCPF_HASH_HDR)
		return -1;
	out->nodes = bcpf_u32(nodes->p);
	out->max_depth = bcpf_u32(nodes->p + 4);
	h->nslots = bcpf_u32(idx->p);
	h->max_probe = bcpf_u32(idx->p + 4);
	uint64_t seed = bcpf_u64(idx->p + 8);
	if (8 + (uint64_t)out->nodes * BCPF_NODE_SIZE > nodes->len ||
	    BCPF_HASH_HDR + (uint64_t)h->nslots * BCPF_HOST_SLOT > idx->len)
		return -1;
	/* The keys chain from the root, and a parent comes before its children. */
	uint64_t *key = calloc(out->nodes ? out->nodes : 1, sizeof *key);
	uint8_t *used;
	uint32_t *home;
	if (!key || slots_new(h, &used, &home)) {
		free(key);
		return -1;
	}
	key[0] = seed;
	for (uint32_t v = 1; v < out->nodes; v++) {
		const uint8_t *nd = nodes->p + 8 + (size_t)v * BCPF_NODE_SIZE;
		uint32_t label = bcpf_u32(nd + 4), parent = bcpf_u32(nd);
		if (label + 2 > str->len || parent >= v)
			continue;
		key[v] = bcpf_hash_suffix(key[parent], (const char *)str->p + label + 2,
					  bcpf_u16(str->p + label));
	}
	for (uint32_t i = 0; i < h->nslots; i++) {
		uint32_t v = bcpf_u32(idx->p + BCPF_HASH_HDR + (size_t)i * BCPF_HOST_SLOT);
		if (!v || v >= out->nodes)
			continue;
		used[i] = 1;
		h->used++;
		home[i] = bcpf_hash_slot(key[v], h->nslots);
	}
	free(key);
	finish(h, used, home);
	return 0;
}

static int addr_stats(const struct section *sec, int family, struct table_stats *out)
{
	size_t hdr = family == 4 ? BCPF_ADDR4_HDR : BCPF_ADDR6_HDR;
	size_t size = family == 4 ? BCPF_ADDR4_SLOT : BCPF_ADDR6_SLOT, nb = family == 4 ? 4 : 16;
	struct hash_stats *h = family == 4 ? &out->addr4 : &out->addr6;
	if (sec->len < hdr)
		return -1;
	h->nslots = bcpf_u32(sec->p);
	h->max_probe = bcpf_u32(sec->p + 4);
	uint64_t seed = bcpf_u64(sec->p + 8);
	uint32_t lengths = 0;
	for (unsigned k = 0; k < (family == 4 ? 1u : 3u); k++)
		lengths += (uint32_t)__builtin_popcountll(bcpf_u64(sec->p + 16 + 8 * k));
	if (family == 4)
		out->lengths4 = lengths;
	else
		out->lengths6 = lengths;
	if (hdr + (uint64_t)h->nslots * size > sec->len)
		return -1;
	uint8_t *used;
	uint32_t *home;
	if (slots_new(h, &used, &home))
		return -1;
	for (uint32_t i = 0; i < h->nslots; i++) {
		const uint8_t *slot = sec->p + hdr + (size_t)i * size;
		if (!slot[nb + 5])   /* the used byte */
			continue;
		used[i] = 1;
		h->used++;
		home[i] = bcpf_hash_slot(family == 4 ? bcpf_hash_addr4(seed, slot[nb + 4], bcpf_u32(slot)) :
					 bcpf_hash_addr6(seed, slot[nb + 4], slot), h->nslots);
	}
	finish(h, used, home);
	return 0;
}

int table_stats(const uint8_t *blob, size_t len, struct table_stats *out)
{
	struct section s[BCPF_NSECTIONS + 1] = { { 0 } };
	memset(out, 0, sizeof *out);
	if (sections(blob, len, s) != 0)
		return -1;
	if (host_stats(s, out) != 0 || addr_stats(&s[BCPF_S_ADDR4], 4, out) != 0 ||
	    addr_stats(&s[BCPF_S_ADDR6], 6, out) != 0)
		return -1;
	return 0;
}
