/* cmd_device.c - the commands that act on, or prepare, a device: install (a blob into
 * a state folder), status (what that folder opens) and installer-args (the Client
 * Connector installer options an MDM pushes). Everything about the state folder is
 * done by libbcp (bcp_state_install, bcp_open_state), exactly as a client does it:
 * this file reads arguments, calls the runtime and prints what it said. It never
 * reads or writes the folder's files itself. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "bcp_format.h"
#include "cli.h"
#include "file.h"

/* ---- install ---- */

/* The test hook of BCPC_INSTALL_ABORT_AFTER=N: names each step of the install on
 * standard error and abort()s right after the Nth, as a crash or a power cut there
 * would stop it. */
struct abort_hook {
	long after, seen;
};

static void abort_after_step(void *ctx, const char *step)
{
	struct abort_hook *h = ctx;
	h->seen++;
	fprintf(stderr, "bcpc install: step %ld: %s\n", h->seen, step);
	if (h->seen == h->after) {
		fprintf(stderr, "bcpc install: BCPC_INSTALL_ABORT_AFTER=%ld: aborting\n", h->after);
		fflush(NULL);
		abort();
	}
}

/* What the folder holds as last-known-good after an install, said in one line. The
 * file name is the one bcp.h documents; it is opened read-only, as bcp_open_state
 * would open it, with the trust set just recorded. */
/* Returns 1 when previous.bcp is there but does not open with the trust set just
 * recorded (a rotation that dropped the old key too early): the device then has no
 * fallback, which install reports as degraded. */
static int print_last_known_good(const char *dir, const char *const *tps, size_t ntps,
				 int64_t now)
{
	char path[4096];
	struct bcp_open_opts o = { tps, ntps, NULL, now, 0, BCP_OPEN_EXPIRED_DENIES };
	struct bcp_error err;
	bcp_blob *b = NULL;
	if ((size_t)snprintf(path, sizeof path, "%s/previous.bcp", dir) >= sizeof path)
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		printf("last-known-good: none\n");
		return 0;
	}
	fclose(f);
	if (bcp_open_file(path, &o, &b, &err) != BCP_OK) {
		printf("last-known-good: previous.bcp does not open: %s\n", err.message);
		printf("warning: this device has no fallback until the next install (degraded, "
		       "exit 3); if the trust set dropped the key that signed previous.bcp, keep "
		       "both thumbprints for one more push (ADMIN-GUIDE.md, key rotation)\n");
		return 1;
	}
	struct bcp_info in;
	bcp_info(b, &in);
	printf("last-known-good: serial %llu%s (kept in previous.bcp)\n",
	       (unsigned long long)in.serial, in.expired ? ", expired" : "");
	bcp_close(b);
	return 0;
}

/* BCPC_INSTALL_ABORT_AFTER=N, when set, hooks the install's steps into h. 0, or 2
 * after a usage error. */
static int install_abort_hook(struct bcp_install_opts *o, struct abort_hook *h)
{
	const char *abort_env = getenv("BCPC_INSTALL_ABORT_AFTER");
	if (!abort_env || !*abort_env)
		return 0;
	uint64_t n;
	if (parse_u64(abort_env, &n) || n < 1 || n > 1000000)
		return usage_error("install", "BCPC_INSTALL_ABORT_AFTER must be a step number "
				   "1, 2, ...: '%.40s'", abort_env);
	h->after = (long)n;
	o->step_hook = abort_after_step;
	o->hook_ctx = h;
	return 0;
}

/* After a refused install: what the device keeps, so an admin reading a log knows
 * it still works. */
static void print_still_installed(const char *dir, int64_t now)
{
	struct bcp_state_report rep;
	struct bcp_error err;
	bcp_blob *b = NULL;
	if (bcp_open_state(dir, now, &b, &rep, &err) == BCP_OK) {
		printf("still installed: serial %llu%s\n", (unsigned long long)rep.serial,
		       rep.fallback ? " (last-known-good)" : "");
		bcp_close(b);
	}
}

/* After an install: what the folder now opens, as a client would open it. 0, or 1. */
static int print_installed(const char *path, const char *dir, const struct bcp_install_opts *o,
			   int unchanged)
{
	struct bcp_state_report rep;
	struct bcp_error err;
	bcp_blob *b = NULL;
	if (bcp_open_state(dir, o->now, &b, &rep, &err) != BCP_OK) {
		/* The install said yes but the folder does not open: never expected, always told. */
		printf("%s: installed, but %s does not open: %s\n", path, dir, err.message);
		return 1;
	}
	struct bcp_info in;
	bcp_info(b, &in);
	char na[32];
	if (unchanged)
		printf("unchanged: serial %llu is already installed in %s\n",
		       (unsigned long long)in.serial, dir);
	else
		printf("installed serial %llu in %s (valid until %s)\n",
		       (unsigned long long)in.serial, dir, format_time(in.not_after, na));
	bcp_close(b);
	if (!unchanged && print_last_known_good(dir, o->thumbprints, o->nthumbprints, o->now))
		return 3;
	return 0;
}

int cmd_install(int argc, char **argv)
{
	const char *tps[16];
	size_t ntps = 0;
	const char *path = NULL, *dir = NULL, *now_arg = NULL;
	int r, bad;
	for (int i = 1; i < argc; i++) {
		if ((r = thumbprint_arg("install", argc, argv, &i, tps, &ntps, 16)) < 0)
			return 2;
		if (r)
			continue;
		if (!strcmp(argv[i], "--state-dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--now") && i + 1 < argc)
			now_arg = argv[++i];
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else
			return usage_error("install", "unexpected argument '%.200s'", argv[i]);
	}
	if (!path || !ntps || !dir)
		return usage_error("install", "need a blob, --thumbprint B64 and --state-dir DIR");
	if (!*dir)
		return usage_error("install", "--state-dir is empty");
	struct bcp_install_opts o = { tps, ntps, 0, NULL, NULL };
	o.now = now_or(now_arg, &bad);
	if (bad)
		return usage_error("install", "--now: not a time (UNIX seconds or 2026-01-31T00:00:00Z)");
	struct abort_hook hook = { 0, 0 };
	if (install_abort_hook(&o, &hook) != 0)
		return 2;

	size_t len = 0;
	uint8_t *data = (uint8_t *)read_file_malloc(path, BCPF_MAX_BLOB, &len);
	if (!data) {
		fprintf(stderr, "bcpc install: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct bcp_error err;
	int unchanged = 0;
	enum bcp_status st = bcp_state_install(dir, data, len, &o, &unchanged, &err);
	free(data);
	if (st == BCP_E_INCOMPLETE) {
		/* The new blob is current.bcp: say that, and what opens now. */
		printf("%s: INSTALLED, NOT FINISHED: %s\n", path, err.message);
		struct bcp_state_report rep;
		bcp_blob *b = NULL;
		if (bcp_open_state(dir, o.now, &b, &rep, &err) == BCP_OK) {
			printf("opens now: serial %llu%s\n", (unsigned long long)rep.serial,
			       rep.fallback ? " (last-known-good)" : "");
			bcp_close(b);
		} else {
			printf("opens now: nothing: %s\n", err.message);
		}
		return 3;
	}
	if (st != BCP_OK) {
		printf("%s: REFUSED: %s\n", path, err.message);
		print_still_installed(dir, o.now);
		return 1;
	}
	return print_installed(path, dir, &o, unchanged);
}

/* ---- status ---- */

/* status --json: the same facts as the text form, and the exit status. */
/* The status as one JSON object; 0, or -1 (nothing printed) when a text is not
 * UTF-8: jansson refuses such text, and a path may be anything. */
static int print_status_json(const char *dir, int64_t now, enum bcp_status st,
			     const struct bcp_state_report *rep, const struct bcp_info *in,
			     const struct bcp_error *err, int rc)
{
	json_t *o = json_object();
	int bad = !o;
#define SET(k, v) (bad |= json_object_set_new(o, (k), (v)) != 0)
	SET("state_dir", json_string(dir));
	SET("now", json_integer(now));
	if (st != BCP_OK) {
		SET("open", json_null());
		SET("error", json_string(err->message));
		if (st == BCP_E_NO_GOOD_BLOB) {   /* each reason whole */
			SET("current_error", json_string(rep->current_message));
			SET("previous_error", json_string(rep->previous_message));
		}
	} else {
		SET("open", json_string(rep->fallback ? "previous.bcp" : "current.bcp"));
		SET("fallback", json_boolean(rep->fallback));
		SET("current_error", rep->fallback ? json_string(rep->current_message) : json_null());
		SET("serial", json_integer((json_int_t)rep->serial));
		SET("not_before", json_integer(in->not_before));
		SET("not_after", json_integer(in->not_after));
		SET("expired", json_boolean(rep->expired));
		SET("not_yet_valid", json_boolean(rep->not_yet_valid));
		SET("effective_now", json_integer(rep->effective_now));
		SET("thumbprint", json_string(in->thumbprint));
		SET("tenant", in->tenant ? json_string(in->tenant) : json_null());
	}
	SET("exit", json_integer(rc));
#undef SET
	if (bad || json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
		json_decref(o);
		return -1;
	}
	putchar('\n');
	json_decref(o);
	return 0;
}

static void print_status_text(const char *dir, int64_t now, enum bcp_status st,
			      const struct bcp_state_report *rep, const struct bcp_info *in,
			      const struct bcp_error *err)
{
	char t1[32], t2[32], t3[32];
	if (st == BCP_E_NO_GOOD_BLOB) {   /* each reason on its own line, whole */
		printf("state     %s\nopen      nothing: %s\n", dir, bcp_status_str(st));
		printf("current   current.bcp: %s\nprevious  previous.bcp: %s\n",
		       rep->current_message, rep->previous_message);
		printf("decisions every request is denied\n");
		return;
	}
	if (st != BCP_OK) {
		printf("state     %s\nopen      nothing: %s\n", dir, err->message);
		printf("decisions every request is denied\n");
		return;
	}
	printf("state     %s\n", dir);
	if (rep->fallback)
		printf("open      previous.bcp (last-known-good)\nfallback  current.bcp does not "
		       "open: %s\n", rep->current_message);
	else
		printf("open      current.bcp\n");
	printf("serial    %llu\n", (unsigned long long)rep->serial);
	printf("valid     %s .. %s\n", format_time(in->not_before, t1),
	       format_time(in->not_after, t2));
	printf("now       %s", format_time(rep->effective_now, t3));
	if (rep->effective_now != now)
		printf(" (the clock says %s, behind the latest time seen by more than %d s)",
		       format_time(now, t1), BCP_CLOCK_TOLERANCE);
	putchar('\n');
	printf("expired   %s\n", rep->expired ? "yes: every request is denied (reason expired)" :
	       "no");
	if (rep->not_yet_valid)
		printf("early     not valid yet: every request is denied (reason not_yet_valid) "
		       "until %s\n", format_time(in->not_before, t1));
	printf("signed by %s\ntenant    %s\n", in->thumbprint, in->tenant ? in->tenant : "(none)");
}

int cmd_status(int argc, char **argv)
{
	const char *dir = NULL, *now_arg = NULL;
	int json = 0, bad;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--state-dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--now") && i + 1 < argc)
			now_arg = argv[++i];
		else if (!strcmp(argv[i], "--json"))
			json = 1;
		else
			return usage_error("status", "unexpected argument '%.200s'", argv[i]);
	}
	if (!dir)
		return usage_error("status", "need --state-dir DIR");
	int64_t now = now_or(now_arg, &bad);
	if (bad)
		return usage_error("status", "--now: not a time (UNIX seconds or 2026-01-31T00:00:00Z)");

	struct bcp_state_report rep;
	struct bcp_error err;
	bcp_blob *b = NULL;
	memset(&rep, 0, sizeof rep);
	enum bcp_status st = bcp_open_state(dir, now, &b, &rep, &err);
	struct bcp_info in;
	memset(&in, 0, sizeof in);
	if (st == BCP_OK)
		bcp_info(b, &in);
	/* 0: the installed blob is open and in force; 3: a blob is open but degraded
	 * (fallback to last-known-good, or expired or not yet valid so every decision
	 * denies); 1: none; 2: JSON asked for a text that is not UTF-8. */
	int rc = st != BCP_OK ? 1 : rep.fallback || rep.expired || rep.not_yet_valid ? 3 : 0;
	if (json && print_status_json(dir, now, st, &rep, &in, &err, rc) != 0) {
		fprintf(stderr, "bcpc status: cannot write JSON: the state folder's path or a "
			"message is not valid UTF-8 (use the text output)\n");
		rc = 2;
	} else if (!json)
		print_status_text(dir, now, st, &rep, &in, &err);
	bcp_close(b);
	return rc;
}

/* ---- installer-args ---- */

/* The options of the Client Connector installer that carry the blob and its
 * thumbprint: each requires the other. */
#define EXE_PATH_FLAG "--bcpConfigFilePath"
#define EXE_HASH_FLAG "--bcpMAPublicKeyHash"
#define MSI_PATH_PROP "BCPCONFIGFILEPATH"
#define MSI_HASH_PROP "BCPMAPUBKEYHASH"

/* An msiexec property value: in double quotes, an embedded quote doubled.
 * Backslashes are not special to msiexec. */
static void msi_quote(FILE *out, const char *s)
{
	putc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', out);
		putc(*s, out);
	}
	putc('"', out);
}

/* One argument as the Microsoft C runtime (and CommandLineToArgvW) splits a command
 * line: in double quotes; backslashes are literal except before a quote, where 2n
 * backslashes stand for n and 2n+1 for n and a literal quote; so each run of
 * backslashes before an embedded quote or the closing quote is doubled. */
static void argv_quote(FILE *out, const char *s)
{
	putc('"', out);
	for (;;) {
		size_t nb = 0;
		while (*s == '\\') {
			nb++;
			s++;
		}
		if (!*s) {
			for (size_t k = 0; k < 2 * nb; k++)
				putc('\\', out);
			break;
		}
		if (*s == '"') {
			for (size_t k = 0; k < 2 * nb + 1; k++)
				putc('\\', out);
		} else {
			for (size_t k = 0; k < nb; k++)
				putc('\\', out);
		}
		putc(*s++, out);
	}
	putc('"', out);
}

/* The path the installer will read on the device: absolute (C:\..., \\server\share\...
 * or /...), naming a file (no trailing separator), no control characters. NULL when
 * good, else what is wrong. */
static const char *device_path_problem(const char *p)
{
	size_t n = strlen(p);
	if (n == 0)
		return "the path is empty";
	if (n > 32767)
		return "the path is longer than Windows allows (32767)";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return "the path contains a control character";
	int drive = ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) &&
		    p[1] == ':' && (p[2] == '\\' || p[2] == '/');
	int unc = p[0] == '\\' && p[1] == '\\';
	if (!drive && !unc && p[0] != '/')
		return "the path must be absolute on the device (C:\\..., \\\\server\\share\\... "
		       "or /...)";
	if (p[n - 1] == '\\' || p[n - 1] == '/')
		return "the path names a folder; give the blob's file name";
	return NULL;
}

/* Formats into a malloc'd string with one of the quoting functions above. */
static char *line_of(const char *path, const char *tp, int msi)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	if (msi) {
		fputs(MSI_PATH_PROP "=", m);
		msi_quote(m, path);
		fputs(" " MSI_HASH_PROP "=", m);
		msi_quote(m, tp);
	} else {
		fputs(EXE_PATH_FLAG " ", m);
		argv_quote(m, path);
		fputs(" " EXE_HASH_FLAG " ", m);
		argv_quote(m, tp);
	}
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int cmd_installer_args(int argc, char **argv)
{
	const char *tps[1];
	size_t ntps = 0;
	const char *path = NULL, *format = NULL;
	int r;
	for (int i = 1; i < argc; i++) {
		if ((r = thumbprint_arg("installer-args", argc, argv, &i, tps, &ntps, 1)) < 0)
			return 2;
		if (r)
			continue;
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			format = argv[++i];
		else if (!path && (argv[i][0] != '-' || !strcmp(argv[i], "--")))
			path = !strcmp(argv[i], "--") && i + 1 < argc ? argv[++i] : argv[i];
		else
			return usage_error("installer-args", "unexpected argument '%.200s'", argv[i]);
	}
	if (!path)
		return usage_error("installer-args", "give the blob's path on the device; "
				   EXE_PATH_FLAG " requires " EXE_HASH_FLAG " and the other way round");
	if (!ntps)
		return usage_error("installer-args", "give --thumbprint B64: " EXE_PATH_FLAG
				   " requires " EXE_HASH_FLAG " and the other way round");
	if (!format)
		return usage_error("installer-args", "say which form: --format msi, exe or json");
	int fmt = !strcmp(format, "msi") ? 0 : !strcmp(format, "exe") ? 1 :
		  !strcmp(format, "json") ? 2 : -1;
	if (fmt < 0)
		return usage_error("installer-args", "--format is msi, exe or json, not '%.40s'",
				   format);
	const char *problem = device_path_problem(path);
	if (problem)
		return usage_error("installer-args", "%s: '%.200s'", problem, path);
	if (strchr(path, '%'))
		fprintf(stderr, "bcpc installer-args: warning: cmd.exe expands %%NAME%% in a command "
			"line; this path has a '%%'\n");

	char *msi = line_of(path, tps[0], 1), *exe = line_of(path, tps[0], 0);
	int rc = 1;
	if (!msi || !exe) {
		fprintf(stderr, "bcpc installer-args: out of memory\n");
	} else if (fmt == 0) {
		printf("%s\n", msi);
		rc = 0;
	} else if (fmt == 1) {
		printf("%s\n", exe);
		rc = 0;
	} else {
		json_t *o = json_pack("{s:s,s:s,s:s,s:[s,s,s,s],s:s,s:{s:s,s:s}}",
				      "bcpConfigFilePath", path, "bcpMAPublicKeyHash", tps[0],
				      "exe", exe, "exe_args", EXE_PATH_FLAG, path, EXE_HASH_FLAG,
				      tps[0], "msi", msi, "msi_properties", MSI_PATH_PROP, path,
				      MSI_HASH_PROP, tps[0]);
		if (o && json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0) {
			putchar('\n');
			rc = 0;
		} else {
			fprintf(stderr, "bcpc installer-args: cannot write JSON (is the path UTF-8?)\n");
		}
		json_decref(o);
	}
	free(msi);
	free(exe);
	return rc;
}
