/* report.h - what one benchmark run measured, and its two forms: the JSON document
 * (build/bench.json) and the table on standard output, each with the figures of the
 * issue's targets and whether they were met. Nothing here measures. */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "bcp_format.h"
#include "gen.h"
#include "tables.h"

#define MAX_SIZES 8

struct config {
	uint32_t sizes[MAX_SIZES];
	int nsizes;
	int runs;                 /* timing runs per size; figures are their medians */
	int compile_runs;
	const char *dir;          /* tenants, blobs and the peer files go here */
	const char *out;          /* the JSON document */
	uint32_t peers;           /* the size whose tenant the peer engine is compared on */
	uint32_t peer_requests;
	size_t evict_mib;         /* the buffer streamed over before each cold decision */
	int smoke;
	uint64_t seed;
	char load_start[64];      /* /proc/loadavg when the run began */
	const char *source;       /* what was measured: git describe --always --dirty */
};

struct size_result {
	uint32_t patterns;
	struct gen_stats gen;
	int source_files;
	size_t source_bytes;

	int compile_runs;
	double compile_s, compile_wall_s, compile_peak_mib;   /* CPU, wall clock */

	size_t blob_bytes;
	uint64_t sections[BCPF_NSECTIONS + 1];   /* length of each section, by id */
	struct table_stats tables;

	int open_reps;
	double open_ms, open_wall_ms, open_file_ms;   /* medians: CPU time, wall clock */
	double bind_us, bind_us_p99;

	int runs;
	size_t verified;
	uint32_t verdicts[5];                    /* by enum bcp_verdict */
	uint32_t kinds[GEN_NKINDS];
	size_t ws;                               /* the warm working set */
	double p50, p99, dps;
	double kind_p50[GEN_NKINDS];
	size_t all_n;                            /* every verified request as working set */
	double all_p50, all_dps;
	double hot_p50, hot_dps;                 /* 16 requests as working set */
	size_t cold_n;
	double cold_p50, cold_p99, cold_dps;
	size_t ref_n;
	double ref_dps, bcp_dps_same;

	int has_peers;
	size_t peer_requests;
	double peer_dps;
	char peer_dir[4096];
};

/* Writes the JSON document to path. 0, or -1 with errno set. */
int report_write(const struct config *cfg, const struct size_result *r, int n, const char *path);
/* Prints the table and the targets. */
void report_table(FILE *f, const struct config *cfg, const struct size_result *r, int n);
#endif
