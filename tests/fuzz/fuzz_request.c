/* fuzz_request.c - libFuzzer target for the requests of `bcpc query`: each line of the
 * input goes through request_parse (the --batch reader, one struct reused across
 * lines as run_batch does) and, as a NUL-terminated string, through
 * request_parse_target (the HOST:PORT[/proto] argument). A request that parses is
 * answered by libbcp and by the reference evaluator over examples/acme (run from the
 * repository root), which must agree. Every request gets its answer line, written
 * to /dev/null: a refused one an {"error": ...} line, which must not fail to print
 * (run_batch would then skip a line and every later answer would be misaligned). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arena.h"
#include "diag.h"
#include "frontend.h"
#include "fuzz_common.h"
#include "request.h"

#define FUZZ_POLICY "examples/acme/policy.bcl"
#define MAX_LINES 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;
static struct arena arena;
static const struct model *acme;
static bcp_blob *acme_blob;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char *paths[] = { FUZZ_POLICY };
	struct diags d;
	uint8_t *bytes;   /* freed at once: bcp_open_buffer made the blob its own copy */
	(void)argc;
	(void)argv;
	if (!(devnull = fopen("/dev/null", "w")))
		fuzz_fail("cannot open /dev/null");
	arena_init(&arena, NULL);
	diags_init(&d, &arena);
	acme = load_policy(paths, 1, &arena, &d);
	if (!acme || !(acme_blob = fuzz_compile(acme, &bytes))) {
		diags_print(&d, stderr);
		fuzz_fail("cannot load %s: run from the repository root", FUZZ_POLICY);
	}
	free(bytes);   /* a pointer kept nowhere was a leak LeakSanitizer could report */
	return 0;
}

/* err must hold a message after a failure. (It may hold a newline: messages quote
 * the input, and the answer line escapes it.) */
static void check_message(int rc, const char *err, size_t errlen)
{
	if (rc != 0 && (!memchr(err, '\0', errlen) || !err[0]))
		fuzz_fail("a refused request without a message");
}

static void one_line(struct request *r, const char *line, size_t n)
{
	char err[300], *s;
	int rc;

	memset(err, 'x', sizeof err);
	rc = request_parse(line, n, r, err, sizeof err);
	check_message(rc, err, sizeof err);
	if (rc == 0) {
		if (r->hostlen == 0 || r->hostlen >= sizeof r->host || r->port == 0)
			fuzz_fail("request_parse accepted host length %zu, port %u", r->hostlen, r->port);
		fuzz_compare(acme, acme_blob, &r->user, r->host, r->hostlen, r->port, r->proto);
		result_to_json_line(devnull, "allow", r->host, r->user.idp, r->user.country);
	} else {
		fuzz_check(error_to_json_line(devnull, err) == 0, "utf8-message",
			   "the error line for a refused request cannot be written (not UTF-8?): %s",
			   err);
	}

	/* The same bytes as a command-line target (argv strings end at a NUL), without
	 * the line's newline. */
	if (n && line[n - 1] == '\n')
		n--;
	if (!(s = malloc(n + 1)))
		return;
	memcpy(s, line, n);
	s[n] = '\0';
	struct request t = { 0 };
	memset(err, 'x', sizeof err);
	rc = request_parse_target(s, &t, err, sizeof err);
	check_message(rc, err, sizeof err);
	if (rc == 0) {
		if (t.hostlen != strlen(t.host) || t.hostlen == 0 || t.port == 0)
			fuzz_fail("request_parse_target accepted host length %zu, port %u", t.hostlen,
				  t.port);
		fuzz_compare(acme, acme_blob, NULL, t.host, t.hostlen, t.port, t.proto);
	}
	request_free(&t);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request r = { 0 };
	const char *p = (const char *)data, *end = p + size;
	for (int i = 0; i < MAX_LINES && p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);   /* as getline gives it */
		/* A copy of exactly n bytes, so ASan sees a read past the line. */
		char *line = malloc(n ? n : 1);
		if (!line)
			break;
		memcpy(line, p, n);
		one_line(&r, line, n);
		free(line);
		p += n;
	}
	request_free(&r);
	return 0;
}
