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

#ifdef BCP_H
/* A libbcp status check that prints the message when it fails (for programs that
 * include bcp.h before this file). */
#define CHECK_ST(got, want, err) check_status_at(__FILE__, __LINE__, (got), (want), (err))

static inline void check_status_at(const char *file, int line, enum bcp_status got,
				   enum bcp_status want, const struct bcp_error *err)
{
	if (!check_at(got == want, file, line, "status"))
		printf("    got %s (%s), want %s\n", bcp_status_str(got),
		       err ? err->message : "", bcp_status_str(want));
}
#endif

/* Prints the summary line; the program's exit status. */
static inline int harness_summary(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
#endif
