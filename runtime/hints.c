/* hints.c - which prefix lengths an address can match, built at open from the
 * verified address tables (nothing of it is in the blob).
 *
 * The address walk probes the prefix lengths present, longest first. With many
 * lengths (25 for IPv4 and 84 for IPv6 in a 1M-pattern tenant) that is most of a
 * decision. A prefix of length L > lo can only hold an address that has its first
 * lo bits, so a level (lo, hi] keeps, for each value of the first lo bits, the mask
 * of the lengths in (lo, hi] that some prefix with those bits has. A lookup takes
 * the lengths up to the first level's lo from the table's lenmask and those above
 * from the levels: for most addresses a few lengths instead of all. */
#include "internal.h"
#include <stdlib.h>
#include <string.h>

/* The levels: IPv4 (16, 24] and (24, 32]; IPv6 (32, 48], (48, 64], (64, 128]. */
static const uint8_t level_lo[BCPI_HINT_LEVELS] = { 16, 24, 32, 48, 64 };
static const uint8_t level_hi[BCPI_HINT_LEVELS] = { 24, 32, 48, 64, 128 };
enum { FIRST4 = 0, LAST4 = 1, FIRST6 = 2, LAST6 = 4 };

static uint32_t hint_home(uint64_t key, uint32_t mask)
{
	key *= 0x9E3779B97F4A7C15u;
	return (uint32_t)(key >> 32) & mask;
}

/* The first lo (1..64) bits of a prefix or address whose first 8 bytes (4 for
 * IPv4, then zeros) are p. */
static uint64_t first_bits(const uint8_t *p, int v6, unsigned lo)
{
	uint64_t v = 0;

	for (int k = 0; k < 8; k++)
		v = v << 8 | (k < 4 || v6 ? p[k] : 0);
	return v >> (64 - lo);
}

static void add(struct bcpi_hints *h, uint64_t key, unsigned bit)
{
	uint32_t at = hint_home(key, h->mask);

	while (h->t[at].mask && h->t[at].key != key)
		at = (at + 1) & h->mask;
	h->t[at].key = key;
	h->t[at].mask |= (uint64_t)1 << bit;
}

/* Slot i of an address table: its prefix length, or -1 when it is unused. */
static int slot_len(const struct bcpi_hash *ht, int v6, uint32_t i)
{
	const uint8_t *rec = ht->slots + (size_t)i * (v6 ? BCPF_ADDR6_SLOT : BCPF_ADDR4_SLOT);

	if (v6)
		return bcpf_addr6_slot_used(rec) ? bcpf_addr6_slot_len(rec) : -1;
	return bcpf_addr4_slot_used(rec) ? bcpf_addr4_slot_len(rec) : -1;
}

/* Level k from the slots of one address table. */
static enum bcp_status build_level(bcp_blob *b, int k, struct bcp_error *err)
{
	int v6 = k >= FIRST6, len;
	const struct bcpi_hash *ht = v6 ? &b->addr6 : &b->addr4;
	struct bcpi_hints *h = &b->hints[k];
	const uint8_t *rec;
	uint8_t net[8];
	uint32_t i, n = 0, cap = 2;

	for (i = 0; i < ht->nslots; i++) {
		len = slot_len(ht, v6, i);
		n += len > (int)level_lo[k] && len <= (int)level_hi[k];
	}
	if (n == 0)
		return BCP_OK;
	while (cap < 2 * (uint64_t)n)
		cap *= 2;
	if (!(h->t = calloc(cap, sizeof *h->t)))
		return bcpi_fail(err, BCP_E_NOMEM, "cannot allocate the address length hints");
	h->mask = cap - 1;
	for (i = 0; i < ht->nslots; i++) {
		len = slot_len(ht, v6, i);
		if (len <= (int)level_lo[k] || len > (int)level_hi[k])
			continue;
		if (v6) {   /* the first 8 bytes, in network order */
			rec = ht->slots + (size_t)i * BCPF_ADDR6_SLOT;
			memcpy(net, rec + BCPF_OFF(addr6_slot, network_w0), 8);
		} else {   /* the u32 holds the address as a number */
			rec = ht->slots + (size_t)i * BCPF_ADDR4_SLOT;
			uint32_t a = bcpf_addr4_slot_network(rec);
			net[0] = (uint8_t)(a >> 24), net[1] = (uint8_t)(a >> 16);
			net[2] = (uint8_t)(a >> 8), net[3] = (uint8_t)a;
		}
		add(h, first_bits(net, v6, level_lo[k]), (unsigned)len - level_lo[k] - 1u);
	}
	return BCP_OK;
}

enum bcp_status bcpi_hints_build(bcp_blob *b, struct bcp_error *err)
{
	enum bcp_status st = BCP_OK;

	for (int k = 0; k < BCPI_HINT_LEVELS && st == BCP_OK; k++)
		st = build_level(b, k, err);
	return st;
}

void bcpi_hints_free(bcp_blob *b)
{
	for (int k = 0; k < BCPI_HINT_LEVELS; k++) {
		free(b->hints[k].t);
		b->hints[k].t = NULL;
	}
}

/* The lengths in level k's (lo, hi] that may hold an address with these first bits,
 * as bit L - lo - 1. */
static uint64_t level_mask(const struct bcpi_hints *h, uint64_t key)
{
	uint32_t at;

	if (!h->t)
		return 0;
	for (at = hint_home(key, h->mask); h->t[at].mask; at = (at + 1) & h->mask)
		if (h->t[at].key == key)
			return h->t[at].mask;
	return 0;
}

uint64_t bcpi_lengths4_unchecked(const bcp_blob *b, uint32_t addr)
{
	uint64_t m = b->lenmask4 & (((uint64_t)2 << level_lo[FIRST4]) - 1);

	for (int k = FIRST4; k <= LAST4; k++)
		m |= level_mask(&b->hints[k], addr >> (32 - level_lo[k])) << (level_lo[k] + 1);
	return m;
}

void bcpi_lengths6_unchecked(const bcp_blob *b, const uint8_t addr[16], uint64_t out[3])
{
	unsigned lo = level_lo[FIRST6], bit, L;
	uint64_t top = first_bits(addr, 1, 64), m;

	out[0] = b->lenmask6[0] & (((uint64_t)2 << lo) - 1);
	out[1] = out[2] = 0;
	for (int k = FIRST6; k <= LAST6; k++) {
		m = level_mask(&b->hints[k], top >> (64 - level_lo[k]));
		for (; m; m &= m - 1) {
			bit = bcpi_ctz64(m);
			L = level_lo[k] + 1 + bit;
			out[L / 64] |= (uint64_t)1 << (L % 64);
		}
	}
}
