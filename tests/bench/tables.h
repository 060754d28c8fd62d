/* tables.h - what the blob's lookup tables cost a decision, read straight from the
 * blob with the format's own hash (runtime/bcp_format.h), never through libbcp: how
 * full each hash table is, how many slots a lookup reads when the key is there and
 * when it is not, and how many prefix lengths an address walk may probe. The figures
 * explain the decision times; they do not time anything. */
#ifndef BENCH_TABLES_H
#define BENCH_TABLES_H
#include <stddef.h>
#include <stdint.h>

struct hash_stats {
	uint32_t nslots, used, max_probe;
	double hit_reads;         /* mean slots read to find a key that is there */
	double miss_reads;        /* mean occupied slots read before giving up (any home slot) */
};

struct table_stats {
	struct hash_stats host, addr4, addr6;
	uint32_t nodes, max_depth;
	uint32_t lengths4, lengths6;   /* prefix lengths present: probes of an address miss */
};

/* Fills out from a blob that bcp_open_buffer accepted. 0, or -1 when a section is
 * not where the format puts it. */
int table_stats(const uint8_t *blob, size_t len, struct table_stats *out);
#endif
