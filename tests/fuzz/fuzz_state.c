/* fuzz_state.c - libFuzzer target for the device's state folder (runtime/state.c and
 * install.c): a folder whose files someone damaged or replaced.
 *
 * It links the runtime built with -DBCP_FUZZ_SKIP_SIGNATURE (like fuzz_blob), so a
 * mutated blob reaches the structural checks and the serial and trust logic instead
 * of stopping at its signature. The input is up to four parts separated by "\n%%\n"
 * (the last part takes the rest): the trust file, the state file, current.bcp and
 * previous.bcp, written into a fresh folder; a part that is "-" alone is a missing
 * file. Then:
 *
 *   1. bcp_open_state at the clock NOW: whatever the files, no crash, and on BCP_OK a
 *      blob that decides; a fallback says why current.bcp failed.
 *   2. bcp_state_note_time at NOW + 1.
 *   3. bcp_state_install of the current.bcp part, trusting the thumbprints on the trust
 *      part's lines (or, with none well-formed, the blob's own key). When it says
 *      BCP_OK, bcp_open_state must open exactly that blob (its serial), not a
 *      fallback.
 *
 * NOW is the current.bcp part's not_before when it has a header, so that validity
 * windows do not hide the rest from the fuzzer. The folder lives under $TMPDIR (or
 * /dev/shm when it exists: installs fsync every file). */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bcp.h"
#include "bcp_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPARTS 4
#define MAX_TRUST 16

static const char *const part_file[NPARTS] = { "trust", "state", "current.bcp", "previous.bcp" };
static char dir[4096];
static int verbose = -1;   /* $FUZZ_STATE_VERBOSE: say what each step gave */

static void say(const char *step, enum bcp_status st, const char *msg)
{
	if (verbose < 0)
		verbose = getenv("FUZZ_STATE_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "fuzz_state: %s: %s (%s)\n", step, bcp_status_str(st), msg);
}

static _Noreturn void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_state: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

/* Empties the folder (the runtime may leave temporary files in it). */
static void empty_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		fail("cannot read the test folder", dir);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

static void setup(void)
{
	const char *base = getenv("TMPDIR");
	struct stat st;

	if (dir[0])
		return;
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
		base = "/dev/shm";
	snprintf(dir, sizeof dir, "%s/bcp-fuzz-state.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir))
		fail("cannot make the test folder", dir);
}

static void write_part(const char *name, const uint8_t *p, size_t n)
{
	char path[4200];
	int fd;

	if (n == 1 && p[0] == '-')
		return;   /* a missing file */
	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n))
		fail("cannot write a part", path);
	close(fd);
}

/* Decides a few requests on an open blob; every answer must be a valid one. */
static void use(const bcp_blob *b)
{
	static const char *const hosts[] = { "sap.acme.example", "a.b.example", "10.1.2.3",
		"[2001:db8::1]" };
	struct bcp_user_info info = { .country = "US", .platform = "windows" };
	struct bcp_decision d;
	bcp_user *u = NULL;
	struct bcp_error err;

	if (bcp_bind(b, &info, &u, &err) != BCP_OK)
		return;
	for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++)
		if (bcp_decide_host(u, hosts[i], strlen(hosts[i]), 443, BCP_TCP, &d) == BCP_OK &&
		    (d.verdict < BCP_NONE || d.verdict > BCP_DENY))
			fail("a decision out of range", hosts[i]);
	bcp_user_free(u);
}

/* The well-formed thumbprints on the lines of the trust part, at most MAX_TRUST. */
static size_t trust_lines(const uint8_t *p, size_t n, char tp[][45])
{
	size_t k = 0, i = 0;

	while (i < n && k < MAX_TRUST) {
		size_t j = i;
		while (j < n && p[j] != '\n')
			j++;
		if (j - i == 44) {
			memcpy(tp[k], p + i, 44);
			tp[k][44] = '\0';
			k += bcp_thumbprint_valid(tp[k]);
		}
		i = j + 1;
	}
	return k;
}

/* 1 and the thumbprint of the blob's own key, when the blob opens; else 0. */
static int blob_thumbprint(const uint8_t *p, size_t n, char out[45])
{
	bcp_blob *b = NULL;
	struct bcp_info info;
	struct bcp_error err;
	static const char *const any[1] = { "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" };
	struct bcp_open_opts o = { any, 1, NULL, 0, 0, 0 };

	if (n < BCPF_HEADER_SIZE)
		return 0;
	o.now = (int64_t)bcpf_u64(p + BCPF_H_NOT_BEFORE);
	if (bcp_open_buffer(p, n, &o, &b, &err) != BCP_OK)
		return 0;
	bcp_info(b, &info);
	snprintf(out, 45, "%s", info.thumbprint);
	bcp_close(b);
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[NPARTS] = { NULL };
	size_t len[NPARTS] = { 0 }, np = 0, start = 0, i;
	char tp[MAX_TRUST][45];
	const char *tps[MAX_TRUST];
	size_t ntp;
	int64_t now = 1767225600;   /* 2026-01-01 */
	struct bcp_state_report rep;
	struct bcp_error err;
	bcp_blob *b = NULL;
	enum bcp_status st;
	int unchanged = 0;

	setup();
	empty_dir();
	for (i = 0; i <= size && np < NPARTS; i++) {
		if (i == size || (np < NPARTS - 1 && i + 4 <= size && !memcmp(data + i, "\n%%\n", 4))) {
			part[np] = data + start;
			len[np++] = i - start;
			start = i + 4;
			i += 3;
		}
	}
	for (i = 0; i < np; i++)
		write_part(part_file[i], part[i], len[i]);
	if (len[2] >= BCPF_HEADER_SIZE)
		now = (int64_t)bcpf_u64(part[2] + BCPF_H_NOT_BEFORE);

	/* 1. Open whatever is there. */
	memset(&rep, 0, sizeof rep);
	st = bcp_open_state(dir, now, &b, &rep, &err);
	say("open", st, err.message);
	if (st == BCP_OK) {
		if (!b)
			fail("bcp_open_state said ok with no blob", NULL);
		if (rep.fallback && rep.current_status == BCP_OK)
			fail("a fallback without a reason", NULL);
		use(b);
		bcp_close(b);
	} else if (b) {
		fail("bcp_open_state failed but left a blob", err.message);
	}

	/* 2. Note the time. */
	(void)bcp_state_note_time(dir, now + 1, &err);

	/* 3. Install the current.bcp part, then it must be what opens. */
	if (np < 3 || len[2] < BCPF_HEADER_SIZE)
		return 0;
	ntp = trust_lines(part[0], len[0], tp);
	if (ntp == 0)
		ntp = (size_t)blob_thumbprint(part[2], len[2], tp[0]);
	if (ntp == 0)
		return 0;
	for (i = 0; i < ntp; i++)
		tps[i] = tp[i];
	struct bcp_install_opts io = { tps, ntp, now, NULL, NULL };
	st = bcp_state_install(dir, part[2], len[2], &io, &unchanged, &err);
	say("install", st, err.message);
	if (st != BCP_OK)
		return 0;
	b = NULL;
	memset(&rep, 0, sizeof rep);
	st = bcp_open_state(dir, now, &b, &rep, &err);
	if (st != BCP_OK)
		fail("an installed blob does not open", err.message);
	if (rep.fallback)
		fail("an installed blob fell back to previous.bcp", rep.current_message);
	if (rep.serial != bcpf_u64(part[2] + BCPF_H_SERIAL))
		fail("bcp_open_state opened another serial than the one installed", NULL);
	use(b);
	bcp_close(b);
	return 0;
}
