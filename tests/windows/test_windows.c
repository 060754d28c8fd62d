/* test_windows.c - libbcp's Windows layer (runtime/os_win.c) and decisions, run under
 * Wine by tests/windows/run.sh. It links libbcp.a only (no compiler on Windows): the
 * blobs, keys and expected answers are made on Linux by run.sh with bcpc and
 * test_diff, in DATA:
 *
 *   tp0, tp1              thumbprints of keys k0 and k1 (one line each)
 *   b100.bcp b200.bcp b300.bcp   the policy of tests/windows/policy.bcl signed by k0,
 *                         serials 100, 200, 300, valid around T0; b300k1.bcp by k1
 *   diff/thumbprint, diff/pNNNN.bcp, diff/pNNNN.txt   random policies (test_diff)
 *   acme/thumbprint, acme/p0000.bcp, acme/p0000.txt   the golden acme decisions
 *
 * A .txt file holds lines of space-separated tokens; a string token is "!" (NULL) or
 * "=" and the string percent-encoded:
 *   U I SAML SCIM GROUPS IDP PLATFORM CLIENT_TYPE POSTURE NETWORKS COUNTRY KEYWORDS
 *       user I, where SAML and SCIM are "N (NAME LIST)*", a LIST is "N STRING*",
 *       KEYWORDS is "N (KIND NAME LIST)*"
 *   P I PROFILE            the app profile user I binds to
 *   Q I PROTO PORT HOST    a request of user I (PROTO tcp or udp)
 *   E STATUS VERDICT SEGMENT RULE   its answer on Linux (STATUS ok, arg, or * for any)
 *
 *     test_windows DATA WORK            runs everything in the new folder WORK
 *     test_windows --crash DATA DIR SCENARIO STEP   (internal) installs with the step
 *                                       hook ending the process at STEP
 *
 * Prints "ok - ..." or "FAIL ..." lines and "N passed, M failed". */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "bcp.h"

#define T0 1800000000LL
#define CRASH_EXIT 99

static int passed, failed;
static const char *data_dir, *work_dir;
static char tp0[64], tp1[64];

static int check(int ok, const char *name, const char *detail)
{
	if (ok) {
		passed++;
		printf("ok - %s\n", name);
	} else {
		failed++;
		printf("FAIL %s%s%s\n", name, detail ? ": " : "", detail ? detail : "");
	}
	fflush(stdout);
	return ok;
}

/* ---- files, by UTF-8 names ---- */

static wchar_t *wide(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
	wchar_t *w = malloc((size_t)n * sizeof *w);
	MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
	return w;
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);
	snprintf(p, n, "%s\\%s", a, b);
	return p;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	wchar_t *w = wide(path);
	FILE *f = _wfopen(w, L"rb");
	uint8_t *buf = NULL;
	long n;

	free(w);
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = 0;
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int exists(const char *path)
{
	wchar_t *w = wide(path);
	DWORD a = GetFileAttributesW(w);
	free(w);
	return a != INVALID_FILE_ATTRIBUTES;
}

/* Removes the folder path and what it holds (one level: the state folder has no
 * subfolders). */
static void remove_dir(const char *path)
{
	char *pat = join(path, "*");
	wchar_t *w = wide(pat), *wd = wide(path);
	WIN32_FIND_DATAW fd;
	HANDLE h = FindFirstFileW(w, &fd);

	if (h != INVALID_HANDLE_VALUE) {
		do {
			if (wcscmp(fd.cFileName, L".") && wcscmp(fd.cFileName, L"..")) {
				size_t n = wcslen(wd) + wcslen(fd.cFileName) + 2;
				wchar_t *f = malloc(n * sizeof *f);
				swprintf(f, n, L"%ls\\%ls", wd, fd.cFileName);
				DeleteFileW(f);
				free(f);
			}
		} while (FindNextFileW(h, &fd));
		FindClose(h);
	}
	RemoveDirectoryW(wd);
	free(pat);
	free(w);
	free(wd);
}

/* The number of "*.tmp" files in dir. */
static int tmp_files(const char *dir)
{
	char *pat = join(dir, "*.tmp");
	wchar_t *w = wide(pat);
	WIN32_FIND_DATAW fd;
	HANDLE h = FindFirstFileW(w, &fd);
	int n = 0;

	if (h != INVALID_HANDLE_VALUE) {
		do
			n++;
		while (FindNextFileW(h, &fd));
		FindClose(h);
	}
	free(pat);
	free(w);
	return n;
}

static int read_line(const char *path, char *out, size_t cap)
{
	size_t len;
	uint8_t *b = slurp(path, &len);
	if (!b)
		return -1;
	snprintf(out, cap, "%s", (char *)b);
	out[strcspn(out, "\r\n")] = '\0';
	free(b);
	return 0;
}

/* ---- blobs and the state folder ---- */

struct blob {
	uint8_t *p;
	size_t n;
};
static struct blob b100, b200, b300, b300k1;

static struct blob load_blob(const char *name)
{
	struct blob b = { NULL, 0 };
	char *p = join(data_dir, name);
	if (!(b.p = slurp(p, &b.n))) {
		printf("cannot read %s\n", p);
		exit(2);
	}
	free(p);
	return b;
}

static const char *trust0[1], *trust1[1];

static enum bcp_status install(const char *dir, struct blob b, const char **tps,
	void (*hook)(void *, const char *), void *ctx, struct bcp_error *err)
{
	struct bcp_install_opts o = { tps, 1, T0, hook, ctx };
	return bcp_state_install(dir, b.p, b.n, &o, NULL, err);
}

/* The state folder's serial at T0, or 0 when none opens; decides app.example too. */
static uint64_t open_serial(const char *dir, int *allowed, struct bcp_error *err)
{
	struct bcp_state_report rep;
	struct bcp_user_info info;
	struct bcp_decision d;
	bcp_blob *b;
	bcp_user *u;

	*allowed = 0;
	if (bcp_open_state(dir, T0, &b, &rep, err) != BCP_OK)
		return 0;
	memset(&info, 0, sizeof info);
	if (bcp_bind(b, &info, &u, err) == BCP_OK) {
		*allowed = bcp_decide_host(u, "app.example", 11, 443, BCP_TCP, &d) == BCP_OK &&
			d.verdict == BCP_ALLOW;
		bcp_user_free(u);
	}
	bcp_close(b);
	return rep.serial;
}

static char *fresh(const char *name)
{
	char *p = join(work_dir, name);
	remove_dir(p);
	return p;
}

/* ---- non-ASCII names ---- */

static void test_unicode(void)
{
	/* "état-ßü-日本" and "politique-é.bcp", in UTF-8. */
	char *dir = fresh("\xc3\xa9tat-\xc3\x9f\xc3\xbc-\xe6\x97\xa5\xe6\x9c\xac");
	char *file = join(work_dir, "politique-\xc3\xa9.bcp");
	struct bcp_error err;
	struct bcp_open_opts o;
	bcp_blob *b = NULL;
	wchar_t *wf = wide(file);
	char *src = join(data_dir, "b100.bcp");
	wchar_t *ws = wide(src);
	int allowed;

	check(install(dir, b100, trust0, NULL, NULL, &err) == BCP_OK,
		"install into a folder with a non-ASCII name", err.message);
	check(open_serial(dir, &allowed, &err) == 100 && allowed,
		"open the state folder with a non-ASCII name, decide", err.message);
	{
		char *cur = join(dir, "current.bcp");
		check(exists(cur), "the folder's files are where a Windows program sees them "
			"(UTF-16 names)", NULL);
		free(cur);
	}
	CopyFileW(ws, wf, FALSE);
	memset(&o, 0, sizeof o);
	o.thumbprints = trust0;
	o.nthumbprints = 1;
	o.now = T0;
	check(bcp_open_file(file, &o, &b, &err) == BCP_OK, "bcp_open_file, non-ASCII file name",
		err.message);
	bcp_close(b);
	check(bcp_open_file("C:\\no\\such\\file.bcp", &o, &b, &err) == BCP_E_IO && !b,
		"a missing file is BCP_E_IO", err.message);
	free(dir);
	free(file);
	free(wf);
	free(src);
	free(ws);
}

/* ---- the DACL ---- */

/* Wine keeps no ACL: it maps a DACL to the Unix mode bits and back (SYSTEM and the
 * owner always, Everyone for "other" bits), so neither Administrators nor the
 * protected flag can be read back there. */
static int under_wine(void)
{
	HMODULE nt = GetModuleHandleW(L"ntdll.dll");
	return nt && GetProcAddress(nt, "wine_get_version") != NULL;
}

static PSID well_known(WELL_KNOWN_SID_TYPE t)
{
	DWORD n = SECURITY_MAX_SID_SIZE;
	PSID s = malloc(n);
	CreateWellKnownSid(t, NULL, s, &n);
	return s;
}

/* Whether path's DACL is protected, names SYSTEM and Administrators, and allows
 * nobody but them and this account. */
static int dacl_is_private(const char *path, char *why, size_t cap)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	SECURITY_DESCRIPTOR_CONTROL ctl;
	DWORD rev, n = 0;
	PACL dacl = NULL;
	PSID sys = well_known(WinLocalSystemSid), adm = well_known(WinBuiltinAdministratorsSid);
	BYTE ub[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
	TOKEN_USER *tu = (TOKEN_USER *)(void *)ub;
	HANDLE tok;
	wchar_t *w = wide(path);
	int has_sys = 0, has_adm = 0, ok = 1;

	OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok);
	GetTokenInformation(tok, TokenUser, tu, sizeof ub, &n);
	CloseHandle(tok);
	why[0] = '\0';
	if (GetNamedSecurityInfoW(w, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, &dacl,
		NULL, &sd) != ERROR_SUCCESS || !dacl) {
		snprintf(why, cap, "no DACL read back");
		ok = 0;
	} else {
		GetSecurityDescriptorControl(sd, &ctl, &rev);
		if (!(ctl & SE_DACL_PROTECTED) && !under_wine()) {
			snprintf(why, cap, "the DACL is not protected");
			ok = 0;
		}
		for (WORD i = 0; i < dacl->AceCount; i++) {
			ACCESS_ALLOWED_ACE *a;
			if (!GetAce(dacl, i, (void **)&a) || a->Header.AceType != ACCESS_ALLOWED_ACE_TYPE)
				continue;
			PSID s = (PSID)&a->SidStart;
			has_sys |= EqualSid(s, sys);
			has_adm |= EqualSid(s, adm);
			if (!EqualSid(s, sys) && !EqualSid(s, adm) && !EqualSid(s, tu->User.Sid)) {
				char *t = NULL;
				ConvertSidToStringSidA(s, &t);
				snprintf(why, cap, "grants %s", t ? t : "?");
				LocalFree(t);
				ok = 0;
			}
		}
		if (!has_sys || (!has_adm && !under_wine())) {
			snprintf(why, cap, "SYSTEM or Administrators missing");
			ok = 0;
		}
	}
	LocalFree(sd);
	free(sys);
	free(adm);
	free(w);
	return ok;
}

/* Gives Everyone read access to path (a DACL of Everyone only). */
static int grant_everyone(const char *path)
{
	PSID everyone = well_known(WinWorldSid);
	union { ACL acl; BYTE b[256]; } dacl;
	wchar_t *w = wide(path);
	DWORD rc;

	InitializeAcl(&dacl.acl, sizeof dacl, ACL_REVISION);
	AddAccessAllowedAce(&dacl.acl, ACL_REVISION, FILE_ALL_ACCESS, everyone);
	rc = SetNamedSecurityInfoW(w, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION |
		PROTECTED_DACL_SECURITY_INFORMATION, NULL, NULL, &dacl.acl, NULL);
	free(everyone);
	free(w);
	return rc == ERROR_SUCCESS ? 0 : -1;
}

static void test_dacl(void)
{
	static const char *const names[] = { "current.bcp", "previous.bcp", "trust", "state" };
	char *dir = fresh("dacl"), why[160], name[96];
	struct bcp_error err;
	int allowed;

	check(install(dir, b100, trust0, NULL, NULL, &err) == BCP_OK &&
	      install(dir, b200, trust0, NULL, NULL, &err) == BCP_OK, "two installs", err.message);
	if (under_wine())
		printf("# skip: under Wine a DACL is read back from Unix mode bits: the checks "
			"below see SYSTEM and no other account, not Administrators nor the "
			"protected flag\n");
	check(dacl_is_private(dir, why, sizeof why), under_wine() ?
		"the state folder's DACL, read back: SYSTEM and this account only (Wine)" :
		"the state folder's DACL, read back: protected, SYSTEM, Administrators and "
		"this account only", why);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *p = join(dir, names[i]);
		snprintf(name, sizeof name, "the DACL of %s, read back", names[i]);
		check(dacl_is_private(p, why, sizeof why), name, why);
		free(p);
	}

	/* A file anyone may change is refused, and no older blob is opened instead. */
	{
		char *p = join(dir, "state");
		check(grant_everyone(p) == 0, "give Everyone access to the state file", NULL);
		check(open_serial(dir, &allowed, &err) == 0 && err.code == BCP_E_STATE &&
		      strstr(err.message, "S-1-1-0"), "a state file with an Everyone entry is "
		      "refused (BCP_E_STATE, names the SID)", err.message);
		check(install(dir, b300, trust0, NULL, NULL, &err) == BCP_E_STATE,
			"... and so is an install into that folder", err.message);
		free(p);
	}
	/* A folder anyone may change is refused at install and at open. */
	{
		char *d2 = fresh("dacl-open");
		check(install(d2, b100, trust0, NULL, NULL, &err) == BCP_OK, "install", err.message);
		check(grant_everyone(d2) == 0, "give Everyone access to the folder", NULL);
		check(install(d2, b200, trust0, NULL, NULL, &err) == BCP_E_STATE,
			"an install into a folder with an Everyone entry is refused", err.message);
		check(open_serial(d2, &allowed, &err) == 0 && err.code == BCP_E_STATE,
			"bcp_open_state refuses that folder", err.message);
		free(d2);
	}
	free(dir);
}

/* ---- the lock ---- */

struct racer {
	const char *dir;
	HANDLE at_lock, go;   /* the first installer: holds the lock until go */
	volatile LONG done;
	enum bcp_status st;
};

static void hold_hook(void *ctx, const char *step)
{
	struct racer *r = ctx;
	if (!strcmp(step, "write current.tmp")) {   /* the lock is held from here */
		SetEvent(r->at_lock);
		WaitForSingleObject(r->go, INFINITE);
	}
}

static DWORD WINAPI first_installer(void *ctx)
{
	struct racer *r = ctx;
	struct bcp_error err;
	r->st = install(r->dir, b200, trust0, hold_hook, r, &err);
	InterlockedExchange(&r->done, 1);
	return 0;
}

static DWORD WINAPI second_installer(void *ctx)
{
	struct racer *r = ctx;
	struct bcp_error err;
	r->st = install(r->dir, b300, trust0, NULL, NULL, &err);
	InterlockedExchange(&r->done, 1);
	return 0;
}

static void test_lock(void)
{
	char *dir = fresh("lock");
	struct racer a = { 0 }, b = { 0 };
	struct bcp_error err;
	HANDLE ta, tb;
	int allowed;

	check(install(dir, b100, trust0, NULL, NULL, &err) == BCP_OK, "install b100", err.message);
	a.dir = b.dir = dir;
	a.at_lock = CreateEventW(NULL, TRUE, FALSE, NULL);
	a.go = CreateEventW(NULL, TRUE, FALSE, NULL);
	ta = CreateThread(NULL, 0, first_installer, &a, 0, NULL);
	WaitForSingleObject(a.at_lock, 10000);
	tb = CreateThread(NULL, 0, second_installer, &b, 0, NULL);
	Sleep(500);
	check(!b.done, "a second installer waits while the first holds the folder's lock "
		"(LockFileEx)", NULL);
	SetEvent(a.go);
	WaitForSingleObject(ta, 20000);
	WaitForSingleObject(tb, 20000);
	check(a.st == BCP_OK && b.st == BCP_OK && b.done, "both installs finish, one after "
		"the other", NULL);
	check(open_serial(dir, &allowed, &err) == 300, "the later serial is installed", err.message);
	CloseHandle(ta);
	CloseHandle(tb);
	CloseHandle(a.at_lock);
	CloseHandle(a.go);
	free(dir);
}

/* ---- a reader shares the file for reading only ---- */

static void test_sharing(void)
{
	char *dir = fresh("share"), *cur;
	struct bcp_error err;
	wchar_t *w;
	HANDLE h;
	int allowed;

	check(install(dir, b100, trust0, NULL, NULL, &err) == BCP_OK &&
	      install(dir, b200, trust0, NULL, NULL, &err) == BCP_OK, "two installs", err.message);
	cur = join(dir, "current.bcp");
	w = wide(cur);
	/* Another process's writer holds current.bcp: libbcp's reader, which lets nobody
	 * write while it reads, cannot open it, and falls back to last-known-good. */
	h = CreateFileW(w, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
		0, NULL);
	check(h != INVALID_HANDLE_VALUE, "open current.bcp for writing", NULL);
	check(open_serial(dir, &allowed, &err) == 100 && allowed,
		"while a writer holds current.bcp, the open does not read it (FILE_SHARE_READ "
		"only) and opens previous.bcp", err.message);
	CloseHandle(h);
	check(open_serial(dir, &allowed, &err) == 200, "once the writer is gone, current.bcp "
		"opens", err.message);
	free(w);
	free(cur);
	free(dir);
}

/* ---- crash injection ---- */

#define MAX_STEPS 32
struct steps {
	int n, abort_at;
	char name[MAX_STEPS][64];
};

static void step_hook(void *ctx, const char *step)
{
	struct steps *s = ctx;
	if (s->n < MAX_STEPS)
		snprintf(s->name[s->n], sizeof s->name[0], "%s", step);
	if (++s->n == s->abort_at)
		TerminateProcess(GetCurrentProcess(), CRASH_EXIT);   /* nothing flushed, no atexit */
}

struct scenario {
	const char *name;
	int before;             /* installs before: 0 none, 1 b100, 2 b100 and b200 */
	struct blob *blob;
	uint64_t old_serial, new_serial;
	const char *const *expected;
};

static const char *const steps_fresh[] = {
	"lock folder", "write trust.tmp", "fsync trust.tmp", "rename trust", "fsync folder (trust)",
	"write current.tmp", "fsync current.tmp", "rename current.bcp",
	"fsync folder (current.bcp)", "write state.tmp", "fsync state.tmp", "rename state",
	"fsync folder (state)", NULL
};
static const char *const steps_one[] = {
	"lock folder", "write current.tmp", "fsync current.tmp", "link previous.tmp",
	"rename previous.bcp", "fsync folder (previous.bcp)", "rename current.bcp",
	"fsync folder (current.bcp)", "write trust.tmp", "fsync trust.tmp", "rename trust",
	"fsync folder (trust)", "write state.tmp", "fsync state.tmp", "rename state",
	"fsync folder (state)", NULL
};
static const char *const steps_two[] = {
	"lock folder", "write current.tmp", "fsync current.tmp", "link previous.old.tmp",
	"link previous.tmp", "rename previous.bcp", "fsync folder (previous.bcp)",
	"rename current.bcp", "fsync folder (current.bcp)", "unlink previous.old.tmp",
	"write trust.tmp", "fsync trust.tmp", "rename trust", "fsync folder (trust)",
	"write state.tmp", "fsync state.tmp", "rename state", "fsync folder (state)", NULL
};

static const struct scenario scenarios[] = {
	{ "first install", 0, &b100, 0, 100, steps_fresh },
	{ "second install", 1, &b200, 100, 200, steps_one },
	{ "third install", 2, &b300, 200, 300, steps_two },
};

static void prepare(const char *dir, int before)
{
	struct bcp_error err;
	if (before >= 1 && install(dir, b100, trust0, NULL, NULL, &err) != BCP_OK)
		printf("prepare: %s\n", err.message);
	if (before >= 2 && install(dir, b200, trust0, NULL, NULL, &err) != BCP_OK)
		printf("prepare: %s\n", err.message);
}

/* Runs this program again as `--crash DATA DIR SCENARIO STEP`; its exit code. */
static DWORD crash_child(const char *dir, int sc, int at)
{
	wchar_t exe[MAX_PATH], *cmd, *wd = wide(data_dir), *wdir = wide(dir);
	STARTUPINFOW si;
	PROCESS_INFORMATION pi;
	DWORD code = 0;
	size_t n;

	GetModuleFileNameW(NULL, exe, MAX_PATH);
	n = wcslen(exe) + wcslen(wd) + wcslen(wdir) + 64;
	cmd = malloc(n * sizeof *cmd);
	swprintf(cmd, n, L"\"%ls\" --crash \"%ls\" \"%ls\" %d %d", exe, wd, wdir, sc, at);
	memset(&si, 0, sizeof si);
	si.cb = sizeof si;
	if (CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
		WaitForSingleObject(pi.hProcess, 60000);
		GetExitCodeProcess(pi.hProcess, &code);
		CloseHandle(pi.hProcess);
		CloseHandle(pi.hThread);
	}
	free(cmd);
	free(wd);
	free(wdir);
	return code;
}

static void crash_scenario(int si)
{
	const struct scenario *sc = &scenarios[si];
	struct bcp_error err;
	struct steps dry;
	char name[256], *dir;
	int n, allowed;
	uint64_t serial;

	dir = fresh("crash");
	prepare(dir, sc->before);
	memset(&dry, 0, sizeof dry);
	check(install(dir, *sc->blob, trust0, step_hook, &dry, &err) == BCP_OK, sc->name,
		err.message);
	for (n = 0; sc->expected[n]; n++)
		;
	int same = dry.n == n;
	for (int i = 0; same && i < n; i++)
		same = !strcmp(dry.name[i], sc->expected[i]);
	snprintf(name, sizeof name, "%s: the same %d steps as on Linux", sc->name, n);
	check(same, name, same ? NULL : dry.name[0]);
	free(dir);

	int commit = 0;   /* the step "rename current.bcp": the new blob is installed */
	for (int i = 0; i < dry.n && i < MAX_STEPS; i++)
		if (!strcmp(dry.name[i], "rename current.bcp"))
			commit = i + 1;
	for (int at = 1; at <= dry.n; at++) {
		dir = fresh("crash");
		prepare(dir, sc->before);
		DWORD code = crash_child(dir, si, at);
		serial = open_serial(dir, &allowed, &err);
		/* The folder opens the old blob or the new one, and decides with it; a first
		 * install killed before its commit leaves nothing that opens, and one killed
		 * after it opens the new blob. */
		int ok = code == CRASH_EXIT &&
			((serial == sc->new_serial && allowed) ||
			 (sc->old_serial && serial == sc->old_serial && allowed) ||
			 (!sc->old_serial && at < commit && serial == 0));
		if (!sc->old_serial && at >= commit && serial != sc->new_serial)
			ok = 0;
		snprintf(name, sizeof name, "%s, killed after step %d (%s): opens serial %llu",
			sc->name, at, dry.name[at - 1], (unsigned long long)serial);
		check(ok, name, serial ? NULL : err.message);
		check(install(dir, *sc->blob, trust0, NULL, NULL, &err) == BCP_OK &&
		      open_serial(dir, &allowed, &err) == sc->new_serial && tmp_files(dir) == 0,
		      "  ... and the install run again finishes, leaving no temporary file",
		      err.message);
		free(dir);
	}
}

static int crash_main(char **argv)
{
	int sc = atoi(argv[4]), at = atoi(argv[5]);
	struct steps s;
	struct bcp_error err;

	memset(&s, 0, sizeof s);
	s.abort_at = at;
	install(argv[3], *scenarios[sc].blob, trust0, step_hook, &s, &err);
	return 3;   /* the hook should have ended the process */
}

/* ---- decisions ---- */

/* Tokens of one line, split in place. */
struct toks {
	char *t[4096];
	int n, at;
};

static void split(char *line, struct toks *k)
{
	k->n = k->at = 0;
	for (char *p = strtok(line, " \r\n"); p && k->n < 4096; p = strtok(NULL, " \r\n"))
		k->t[k->n++] = p;
}

static int hexv(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 :
		c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0;
}

/* The next string token, decoded in place (NULL for "!"). */
static char *tok_str(struct toks *k)
{
	char *s = k->at < k->n ? k->t[k->at++] : "!", *o, *i;
	if (!strcmp(s, "!"))
		return NULL;
	for (o = s, i = s + 1; *i; i++)
		if (*i == '%' && i[1] && i[2]) {
			*o++ = (char)(hexv(i[1]) << 4 | hexv(i[2]));
			i += 2;
		} else {
			*o++ = *i;
		}
	*o = '\0';
	return s;
}

static size_t tok_num(struct toks *k)
{
	return k->at < k->n ? strtoul(k->t[k->at++], NULL, 10) : 0;
}

static const char **tok_list(struct toks *k, size_t *n)
{
	const char **v;
	*n = tok_num(k);
	v = calloc(*n + 1, sizeof *v);
	for (size_t i = 0; i < *n; i++)
		v[i] = tok_str(k);
	return v;
}

static struct bcp_attr *tok_attrs(struct toks *k, size_t *n)
{
	struct bcp_attr *a;
	*n = tok_num(k);
	a = calloc(*n + 1, sizeof *a);
	for (size_t i = 0; i < *n; i++) {
		a[i].name = tok_str(k);
		a[i].values = tok_list(k, &a[i].nvalues);
	}
	return a;
}

#define MAX_USERS 64
struct user {
	char *line;   /* the tokens point into it */
	struct bcp_user_info info;
	bcp_user *u;
	char *profile;
};

static void user_free(struct user *u)
{
	for (size_t i = 0; i < u->info.nsaml; i++)
		free((void *)u->info.saml[i].values);
	for (size_t i = 0; i < u->info.nscim; i++)
		free((void *)u->info.scim[i].values);
	for (size_t i = 0; i < u->info.nattrs; i++)
		free((void *)u->info.attrs[i].values);
	free((void *)u->info.saml);
	free((void *)u->info.scim);
	free((void *)u->info.scim_groups);
	free((void *)u->info.posture);
	free((void *)u->info.trusted_networks);
	free((void *)u->info.attrs);
	bcp_user_free(u->u);
	free(u->line);
	free(u->profile);
	memset(u, 0, sizeof *u);
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* One exported policy: every request decided as on Linux. Returns the number of
 * disagreements (printing the first few), or -1 when the files do not load. */
static int run_policy(const char *dir, const char *stem, const char *thumb,
	unsigned long *nreq)
{
	char path[MAX_PATH * 4], line[65536];
	struct user users[MAX_USERS];
	struct bcp_open_opts o;
	struct bcp_error err;
	struct bcp_decision d;
	struct toks k;
	enum bcp_status st = BCP_OK;
	const char *tps[1] = { thumb };
	bcp_blob *b = NULL;
	FILE *f;
	int bad = 0, have_q = 0;
	unsigned qui = 0;

	memset(users, 0, sizeof users);
	memset(&o, 0, sizeof o);
	o.thumbprints = tps;
	o.nthumbprints = 1;
	o.now = T0;
	snprintf(path, sizeof path, "%s\\%s.bcp", dir, stem);
	if (bcp_open_file(path, &o, &b, &err) != BCP_OK) {
		printf("    %s: %s\n", path, err.message);
		return -1;
	}
	snprintf(path, sizeof path, "%s\\%s.txt", dir, stem);
	if (!(f = fopen(path, "rb"))) {
		bcp_close(b);
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *copy = _strdup(line);
		split(copy, &k);
		if (k.n < 2) {
			free(copy);
			continue;
		}
		unsigned i = (unsigned)strtoul(k.t[1], NULL, 10) % MAX_USERS;
		k.at = 2;
		if (!strcmp(k.t[0], "U")) {
			struct user *u = &users[i];
			user_free(u);
			u->line = copy;
			u->info.saml = tok_attrs(&k, &u->info.nsaml);
			u->info.scim = tok_attrs(&k, &u->info.nscim);
			u->info.scim_groups = tok_list(&k, &u->info.nscim_groups);
			u->info.idp = tok_str(&k);
			u->info.platform = tok_str(&k);
			u->info.client_type = tok_str(&k);
			u->info.posture = tok_list(&k, &u->info.nposture);
			u->info.trusted_networks = tok_list(&k, &u->info.ntrusted_networks);
			u->info.country = tok_str(&k);
			size_t na = tok_num(&k);
			struct bcp_user_attr *a = calloc(na + 1, sizeof *a);
			for (size_t j = 0; j < na; j++) {
				a[j].kind = tok_str(&k);
				a[j].name = tok_str(&k);
				a[j].values = tok_list(&k, &a[j].nvalues);
			}
			u->info.attrs = a;
			u->info.nattrs = na;
			if (bcp_bind(b, &u->info, &u->u, &err) != BCP_OK) {
				printf("    %s user %u: %s\n", stem, i, err.message);
				bad++;
			}
			continue;
		}
		if (!strcmp(k.t[0], "P")) {
			const char *want = tok_str(&k), *got = users[i].u ? bcp_user_profile(users[i].u) : NULL;
			if (!same(want, got) && bad++ < 3)
				printf("    %s user %u: profile %s, on Linux %s\n", stem, i,
					got ? got : "(none)", want ? want : "(none)");
		} else if (!strcmp(k.t[0], "Q")) {
			const char *proto = k.t[2];
			unsigned port;
			k.at = 3;
			port = (unsigned)tok_num(&k);
			const char *host = tok_str(&k);
			qui = i;
			st = bcp_decide_host(users[i].u, host ? host : "", host ? strlen(host) : 0,
				(uint16_t)port, !strcmp(proto, "udp") ? BCP_UDP : BCP_TCP, &d);
			have_q = 1;
			(*nreq)++;
		} else if (!strcmp(k.t[0], "E") && have_q) {
			const char *want_st = k.t[1], *want_v = k.t[2];
			k.at = 3;
			const char *seg = tok_str(&k), *rule = tok_str(&k);
			const char *got_st = st == BCP_OK ? "ok" : st == BCP_E_ARG ? "arg" : "other";
			if ((strcmp(want_st, "*") && strcmp(want_st, got_st)) ||
			    strcmp(want_v, bcp_verdict_str(d.verdict)) || !same(seg, d.segment) ||
			    !same(rule, d.rule)) {
				if (bad++ < 3)
					printf("    %s user %u: %s %s %s %s, on Linux %s %s %s %s\n", stem,
						qui, got_st, bcp_verdict_str(d.verdict),
						d.segment ? d.segment : "-", d.rule ? d.rule : "-", want_st,
						want_v, seg ? seg : "-", rule ? rule : "-");
			}
			have_q = 0;
		}
		free(copy);
	}
	fclose(f);
	for (int i = 0; i < MAX_USERS; i++)
		user_free(&users[i]);
	bcp_close(b);
	return bad;
}

/* Every pNNNN of dir; one check per policy. */
static void test_decisions(const char *sub, const char *what)
{
	char *dir = join(data_dir, sub), *tpf = join(dir, "thumbprint"), thumb[64], name[200];
	unsigned long nreq = 0;
	int npol = 0, nbad = 0;

	if (read_line(tpf, thumb, sizeof thumb) != 0) {
		check(0, what, "no thumbprint file");
		return;
	}
	for (unsigned i = 0; i < 100000; i++) {
		char stem[16], *p;
		snprintf(stem, sizeof stem, "p%04u", i);
		p = join(dir, stem);
		char bcp[MAX_PATH * 4];
		snprintf(bcp, sizeof bcp, "%s.bcp", p);
		free(p);
		if (!exists(bcp))
			break;
		int bad = run_policy(dir, stem, thumb, &nreq);
		npol++;
		nbad += bad != 0;
		snprintf(name, sizeof name, "%s: %s decides as on Linux", what, stem);
		if (bad)
			check(0, name, bad < 0 ? "does not load" : "disagreements above");
		else
			passed++;
	}
	snprintf(name, sizeof name, "%s: %d policies, %lu requests, %d policies disagree", what,
		npol, nreq, nbad);
	printf("%s %s\n", nbad || !npol ? "FAIL" : "ok -", name);
	if (!npol)
		failed++;
	free(dir);
	free(tpf);
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "--crash")) {
		data_dir = argv[2];
		b100 = load_blob("b100.bcp");
		b200 = load_blob("b200.bcp");
		b300 = load_blob("b300.bcp");
		char *t = join(data_dir, "tp0");
		read_line(t, tp0, sizeof tp0);
		trust0[0] = tp0;
		return crash_main(argv);
	}
	if (argc != 3) {
		fprintf(stderr, "usage: test_windows DATA WORK\n");
		return 2;
	}
	data_dir = argv[1];
	work_dir = argv[2];
	{
		wchar_t *w = wide(work_dir);
		CreateDirectoryW(w, NULL);
		free(w);
	}
	char *t = join(data_dir, "tp0");
	read_line(t, tp0, sizeof tp0);
	free(t);
	t = join(data_dir, "tp1");
	read_line(t, tp1, sizeof tp1);
	free(t);
	trust0[0] = tp0;
	trust1[0] = tp1;
	b100 = load_blob("b100.bcp");
	b200 = load_blob("b200.bcp");
	b300 = load_blob("b300.bcp");
	b300k1 = load_blob("b300k1.bcp");
	printf("libbcp %s on Windows\n", bcp_version());

	test_unicode();
	test_dacl();
	test_lock();
	test_sharing();
	for (int i = 0; i < (int)(sizeof scenarios / sizeof scenarios[0]); i++)
		crash_scenario(i);
	test_decisions("acme", "golden acme decisions");
	test_decisions("diff", "random policies");

	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
