/* harness.h - the small harness every unit test program shares. CHECK counts a
 * check and prints the failing ones with file and line; the program ends with
 * harness_summary(), the "N passed, M failed" line tests/run.sh reads. */
#ifndef BCPC_TEST_HARNESS_H
#define BCPC_TEST_HARNESS_H
#include <stdio.h>

static int passed, failed;

/* Returns ok, so a test can add detail when a check fails. */
static inline int check_at(int ok, const char *file, int line, const char *what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("%s:%d: check failed: %s\n", file, line, what);
	}
	return ok;
}

#define CHECK(cond) check_at((cond) != 0, __FILE__, __LINE__, #cond)

/* Prints the summary line; the program's exit status. */
static inline int harness_summary(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
#endif
