/* gen_main.c - bench-gen: writes one synthetic tenant (tests/bench/gen.c) as .bcl
 * files, for a look at what the benchmark compiles or for another engine's harness.
 *
 *     bench-gen [-n PATTERNS] [-s SEED] [-o DIR] [--stem NAME]
 *
 * prints the files written and what they hold. */
#include "gen.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILE (15u << 20)   /* below the compiler's 16 MiB per source file */

int main(int argc, char **argv)
{
	struct gen_params p;
	const char *dir = ".", *stem = "tenant";
	unsigned long n = 10000;
	unsigned long long seed = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--stem") && i + 1 < argc)
			stem = argv[++i];
		else {
			fprintf(stderr, "usage: bench-gen [-n PATTERNS] [-s SEED] [-o DIR] [--stem NAME]\n");
			return 2;
		}
	}
	if (n < 10 || n > 10000000) {
		fprintf(stderr, "bench-gen: -n must be 10..10000000\n");
		return 2;
	}
	gen_defaults(&p, (uint32_t)n);
	p.seed = seed;
	struct gen_tenant *t = gen_tenant_new(&p);
	if (!t) {
		fprintf(stderr, "bench-gen: out of memory\n");
		return 1;
	}
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	char **paths;
	int npaths;
	size_t bytes;
	if (gen_write(t, dir, stem, MAX_FILE, &paths, &npaths, &bytes) != 0) {
		fprintf(stderr, "bench-gen: writing %s: %s\n", dir, strerror(errno));
		return 1;
	}
	struct gen_stats s;
	gen_tenant_stats(t, &s);
	for (int i = 0; i < npaths; i++) {
		printf("%s\n", paths[i]);
		free(paths[i]);
	}
	free(paths);
	printf("# %zu bytes: %u host patterns (%u exact, %u wildcards, up to %u labels), "
	       "%u IPv4 + %u IPv6 prefixes (%u nested), %u segments (%u sharing a pattern) in "
	       "%u groups, %u rules over %u user values, %u profiles\n",
	       bytes, s.host_patterns, s.exact, s.wildcards, s.max_labels, s.prefixes4, s.prefixes6,
	       s.nested_prefixes, s.segments, s.shared_segments, s.groups, s.rules, s.user_values,
	       s.profiles);
	if (s.segments < s.segments_wanted)
		printf("# fewer segments than the %u wanted: only %u patterns and prefixes\n",
		       s.segments_wanted, s.host_patterns + s.prefixes4 + s.prefixes6);
	gen_tenant_free(t);
	return 0;
}
