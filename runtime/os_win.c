/* os_win.c - os.h on Windows (Vista and later, the Unicode API; MinGW-w64 or MSVC).
 * Only mechanism lives here; what a failure means is decided by the callers.
 *
 * What differs from os_unix.c, and why it keeps the same promises:
 * - Names are UTF-8 in the API and UTF-16 to Windows (MultiByteToWideChar).
 * - A folder is held open without FILE_SHARE_DELETE: while held it cannot be
 *   renamed or removed, so a name joined to its path names a file in that folder
 *   (POSIX gets the same from *at() calls on the folder's descriptor).
 * - A file is opened for reading with FILE_SHARE_READ only: no other process can
 *   write, truncate, delete or rename it while libbcp reads it into private memory.
 *   A file in a folder is opened with FILE_FLAG_OPEN_REPARSE_POINT and refused when
 *   it is a reparse point (a symbolic link or junction): POSIX O_NOFOLLOW.
 * - "Owner only" is a DACL: the state folder and each file are created with an
 *   explicit, protected DACL (no inherited entries) that grants access to SYSTEM,
 *   the Administrators group and this process's account only; a stat that judges
 *   reads the owner and the DACL back and refuses any other grantee or owner.
 * - The lock is LockFileEx on the folder's file "lock" (a folder handle cannot be
 *   locked); it is released when the folder is closed.
 * - Replacing is MoveFileExW(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH),
 *   which returns only once the rename is on the disk: there is no folder fsync.
 *   A reader holding the target open (FILE_SHARE_READ only) makes the replace fail
 *   with a sharing violation; it is retried for up to two seconds (a reader takes
 *   milliseconds for a usual blob). A longer read makes the install fail before
 *   its commit, and the next install tries again. */
#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include "internal.h"
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct bcpi_dir {
	wchar_t *path;     /* absolute, no trailing separator */
	HANDLE h;          /* the folder itself */
	HANDLE lock;       /* its file "lock" while locked */
};

#define LOCK_NAME L"lock"

/* ---- errors ---- */

static int fail_code(DWORD code, struct bcpi_oserr *e)
{
	wchar_t w[120];
	DWORD n;
	int len;

	switch (code) {
	case ERROR_FILE_NOT_FOUND: case ERROR_PATH_NOT_FOUND:
		e->kind = BCPI_OS_MISSING; break;
	case ERROR_FILE_EXISTS: case ERROR_ALREADY_EXISTS:
		e->kind = BCPI_OS_EXISTS; break;
	case ERROR_DIRECTORY:
		e->kind = BCPI_OS_NOT_DIR; break;
	case ERROR_NOT_ENOUGH_MEMORY: case ERROR_OUTOFMEMORY: case ERROR_TOO_MANY_OPEN_FILES:
	case ERROR_NO_SYSTEM_RESOURCES: case ERROR_COMMITMENT_LIMIT:
		e->kind = BCPI_OS_NOMEM; break;
	case ERROR_CANT_RESOLVE_FILENAME: case ERROR_CANT_ACCESS_FILE:
		e->kind = BCPI_OS_LINK; break;
	default:
		e->kind = BCPI_OS_FAILED; break;
	}
	n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
		0, w, sizeof w / sizeof w[0], NULL);
	while (n > 0 && (w[n - 1] == L'\r' || w[n - 1] == L'\n' || w[n - 1] == L' ' ||
			 w[n - 1] == L'.'))
		n--;
	len = n ? WideCharToMultiByte(CP_UTF8, 0, w, (int)n, e->text, sizeof e->text - 24,
		NULL, NULL) : 0;
	if (len <= 0)
		len = 0;
	snprintf(e->text + len, sizeof e->text - (size_t)len, "%s(Windows error %lu)",
		len ? " " : "", (unsigned long)code);
	SetLastError(code);
	return -1;
}

static int fail(struct bcpi_oserr *e)
{
	return fail_code(GetLastError(), e);
}

static int fail_text(enum bcpi_os_kind kind, const char *text, struct bcpi_oserr *e)
{
	e->kind = kind;
	snprintf(e->text, sizeof e->text, "%s", text);
	return -1;
}

/* ---- names ---- */

/* A new UTF-16 copy of the UTF-8 s, or NULL (invalid UTF-8, no memory). */
static wchar_t *wide(const char *s, struct bcpi_oserr *e)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	wchar_t *w;

	if (n <= 0) {
		fail_text(BCPI_OS_FAILED, "the name is not valid UTF-8", e);
		return NULL;
	}
	if (!(w = malloc((size_t)n * sizeof *w))) {
		fail_code(ERROR_NOT_ENOUGH_MEMORY, e);
		return NULL;
	}
	MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
	return w;
}

/* d's path, a separator and name (UTF-8), or NULL. */
static wchar_t *join(const bcpi_dir *d, const char *name, struct bcpi_oserr *e)
{
	wchar_t *n = wide(name, e), *p;
	size_t a, b;

	if (!n)
		return NULL;
	a = wcslen(d->path);
	b = wcslen(n);
	if (!(p = malloc((a + b + 2) * sizeof *p))) {
		free(n);
		fail_code(ERROR_NOT_ENOUGH_MEMORY, e);
		return NULL;
	}
	memcpy(p, d->path, a * sizeof *p);
	p[a] = L'\\';
	memcpy(p + a + 1, n, (b + 1) * sizeof *p);
	free(n);
	return p;
}

/* ---- who may read or change a file ---- */

/* SYSTEM, Administrators and this process's account (all three NULL on failure). */
struct sids {
	union { SID sid; BYTE b[SECURITY_MAX_SID_SIZE]; } system, admins;
	TOKEN_USER *user;
	BYTE user_buf[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
};

static int sids_get(struct sids *s)
{
	DWORD n = sizeof s->system;
	HANDLE tok;
	int ok;

	if (!CreateWellKnownSid(WinLocalSystemSid, NULL, &s->system, &n))
		return -1;
	n = sizeof s->admins;
	if (!CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, &s->admins, &n))
		return -1;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
		return -1;
	s->user = (TOKEN_USER *)(void *)s->user_buf;
	ok = GetTokenInformation(tok, TokenUser, s->user, sizeof s->user_buf, &n);
	CloseHandle(tok);
	return ok ? 0 : -1;
}

static int sid_allowed(const struct sids *s, PSID sid)
{
	return EqualSid(sid, (PSID)&s->system) || EqualSid(sid, (PSID)&s->admins) ||
		EqualSid(sid, s->user->User.Sid);
}

/* The protected DACL every file and folder of ours gets: full control for SYSTEM,
 * Administrators and this account; for a folder the entries are inherited. */
struct private_sd {
	SECURITY_DESCRIPTOR sd;
	SECURITY_ATTRIBUTES sa;
	union { ACL acl; BYTE b[512]; } dacl;
};

static int private_sd(struct private_sd *p, int folder)
{
	struct sids s;
	DWORD inherit = folder ? OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE : 0;

	if (sids_get(&s) != 0 || !InitializeAcl(&p->dacl.acl, sizeof p->dacl, ACL_REVISION) ||
	    !AddAccessAllowedAceEx(&p->dacl.acl, ACL_REVISION, inherit, FILE_ALL_ACCESS,
		    (PSID)&s.system) ||
	    !AddAccessAllowedAceEx(&p->dacl.acl, ACL_REVISION, inherit, FILE_ALL_ACCESS,
		    (PSID)&s.admins))
		return -1;
	if (!EqualSid(s.user->User.Sid, (PSID)&s.system) &&
	    !EqualSid(s.user->User.Sid, (PSID)&s.admins) &&
	    !AddAccessAllowedAceEx(&p->dacl.acl, ACL_REVISION, inherit, FILE_ALL_ACCESS,
		    s.user->User.Sid))
		return -1;
	if (!InitializeSecurityDescriptor(&p->sd, SECURITY_DESCRIPTOR_REVISION) ||
	    !SetSecurityDescriptorDacl(&p->sd, TRUE, &p->dacl.acl, FALSE) ||
	    !SetSecurityDescriptorControl(&p->sd, SE_DACL_PROTECTED, SE_DACL_PROTECTED))
		return -1;
	p->sa.nLength = sizeof p->sa;
	p->sa.lpSecurityDescriptor = &p->sd;
	p->sa.bInheritHandle = FALSE;
	return 0;
}

static void sid_text(PSID sid, char *out, size_t n)
{
	char *s = NULL;

	if (sid && ConvertSidToStringSidA(sid, &s)) {
		snprintf(out, n, "%s", s);
		LocalFree(s);
	} else {
		snprintf(out, n, "?");
	}
}

/* Fills why when the object open on h is not ours alone: its owner must be SYSTEM,
 * Administrators or this account, and every entry of its DACL that allows anything
 * must name one of them. */
static int judge(HANDLE h, char *why, size_t n, struct bcpi_oserr *e)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	PSID owner = NULL;
	PACL dacl = NULL;
	struct sids s;
	ACE_HEADER *ace;
	char who[96];
	DWORD rc;
	WORD i;

	why[0] = '\0';
	if (sids_get(&s) != 0)
		return fail(e);
	rc = GetSecurityInfo(h, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION |
		DACL_SECURITY_INFORMATION, &owner, NULL, &dacl, NULL, &sd);
	if (rc != ERROR_SUCCESS)
		return fail_code(rc, e);
	if (!owner || !sid_allowed(&s, owner)) {
		sid_text(owner, who, sizeof who);
		snprintf(why, n, "belongs to %s, not to this process's account, SYSTEM or "
			"Administrators: the state folder and its files must be made and owned by "
			"the account that installs and opens them", who);
	} else if (!dacl) {
		snprintf(why, n, "has no DACL: every account may read or change it; the state "
			"folder must grant access to SYSTEM and Administrators only");
	} else {
		for (i = 0; i < dacl->AceCount && !why[0]; i++) {
			if (!GetAce(dacl, i, (LPVOID *)&ace))
				continue;
			if (ace->AceType == ACCESS_DENIED_ACE_TYPE)
				continue;   /* takes access away: harmless */
			if (ace->AceType == ACCESS_ALLOWED_ACE_TYPE) {
				ACCESS_ALLOWED_ACE *a = (ACCESS_ALLOWED_ACE *)ace;
				if (a->Mask == 0 || sid_allowed(&s, (PSID)&a->SidStart))
					continue;
				sid_text((PSID)&a->SidStart, who, sizeof who);
			} else {
				snprintf(who, sizeof who, "an entry of type %u", (unsigned)ace->AceType);
			}
			snprintf(why, n, "has a DACL that grants access to %s: other accounts may "
				"read or change it; the state folder must grant access to SYSTEM and "
				"Administrators only", who);
		}
	}
	LocalFree(sd);
	return 0;
}

/* ---- stat ---- */

static int stat_handle(HANDLE h, int judge_it, struct bcpi_finfo *fi, struct bcpi_oserr *e)
{
	BY_HANDLE_FILE_INFORMATION bi;
	DWORD type = GetFileType(h);

	fi->why[0] = '\0';
	if (type != FILE_TYPE_DISK) {   /* a pipe or a device */
		memset(fi, 0, sizeof *fi);
		fi->type = BCPI_FT_OTHER;
		return 0;
	}
	if (!GetFileInformationByHandle(h, &bi))
		return fail(e);
	fi->type = bi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT ? BCPI_FT_LINK :
		bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY ? BCPI_FT_FOLDER : BCPI_FT_REGULAR;
	fi->size = (uint64_t)bi.nFileSizeHigh << 32 | bi.nFileSizeLow;
	fi->dev = bi.dwVolumeSerialNumber;
	fi->ino = (uint64_t)bi.nFileIndexHigh << 32 | bi.nFileIndexLow;
	return judge_it ? judge(h, fi->why, sizeof fi->why, e) : 0;
}

/* ---- files ---- */

int bcpi_os_open_read(const bcpi_dir *d, const char *name, bcpi_file *f, struct bcpi_oserr *e)
{
	BY_HANDLE_FILE_INFORMATION bi;
	wchar_t *p = d ? join(d, name, e) : wide(name, e);
	HANDLE h;

	if (!p)
		return -1;
	/* Backup semantics: a folder opens too, and the caller's stat refuses it. */
	h = CreateFileW(p, GENERIC_READ | READ_CONTROL, FILE_SHARE_READ, NULL, OPEN_EXISTING,
		FILE_ATTRIBUTE_NORMAL | FILE_FLAG_BACKUP_SEMANTICS |
		(d ? FILE_FLAG_OPEN_REPARSE_POINT : 0), NULL);
	free(p);
	if (h == INVALID_HANDLE_VALUE)
		return fail(e);
	if (d && GetFileType(h) == FILE_TYPE_DISK && GetFileInformationByHandle(h, &bi) &&
	    (bi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) {
		CloseHandle(h);
		return fail_text(BCPI_OS_LINK, "a symbolic link or reparse point", e);
	}
	f->h = (intptr_t)h;
	return 0;
}

int bcpi_os_create_private(const bcpi_dir *d, const char *name, bcpi_file *f,
	struct bcpi_oserr *e)
{
	struct private_sd sd;
	wchar_t *p;
	HANDLE h;

	if (private_sd(&sd, 0) != 0)
		return fail(e);
	if (!(p = join(d, name, e)))
		return -1;
	/* CREATE_NEW fails on any existing name, a link included. */
	h = CreateFileW(p, GENERIC_WRITE | READ_CONTROL, 0, &sd.sa, CREATE_NEW,
		FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	free(p);
	if (h == INVALID_HANDLE_VALUE)
		return fail(e);
	f->h = (intptr_t)h;
	return 0;
}

int bcpi_os_fstat(bcpi_file *f, int judge_it, struct bcpi_finfo *fi, struct bcpi_oserr *e)
{
	return stat_handle((HANDLE)f->h, judge_it, fi, e);
}

int bcpi_os_stat_at(const bcpi_dir *d, const char *name, int judge_it, struct bcpi_finfo *fi,
	struct bcpi_oserr *e)
{
	wchar_t *p = join(d, name, e);
	HANDLE h;
	int rc;

	if (!p)
		return -1;
	/* Attributes and security only: no sharing conflict with readers or writers. */
	h = CreateFileW(p, READ_CONTROL | FILE_READ_ATTRIBUTES,
		FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
		FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	free(p);
	if (h == INVALID_HANDLE_VALUE)
		return fail(e);
	rc = stat_handle(h, judge_it, fi, e);
	CloseHandle(h);
	return rc;
}

long long bcpi_os_read(bcpi_file *f, void *buf, size_t n, struct bcpi_oserr *e)
{
	DWORD got;

	if (n > (size_t)1 << 30)
		n = (size_t)1 << 30;
	if (!ReadFile((HANDLE)f->h, buf, (DWORD)n, &got, NULL))
		return GetLastError() == ERROR_HANDLE_EOF ? 0 : fail(e);
	return (long long)got;
}

int bcpi_os_write_all(bcpi_file *f, const void *buf, size_t n, struct bcpi_oserr *e)
{
	const uint8_t *p = buf;
	size_t done = 0, chunk;
	DWORD w;

	while (done < n) {
		chunk = n - done > (size_t)1 << 30 ? (size_t)1 << 30 : n - done;
		if (!WriteFile((HANDLE)f->h, p + done, (DWORD)chunk, &w, NULL))
			return fail(e);
		if (w == 0)
			return fail_code(ERROR_DISK_FULL, e);
		done += w;
	}
	return 0;
}

int bcpi_os_file_sync(bcpi_file *f, struct bcpi_oserr *e)
{
	return FlushFileBuffers((HANDLE)f->h) ? 0 : fail(e);
}

int bcpi_os_close(bcpi_file *f, struct bcpi_oserr *e)
{
	BOOL ok = CloseHandle((HANDLE)f->h);

	f->h = (intptr_t)INVALID_HANDLE_VALUE;
	return ok ? 0 : fail(e);
}

/* ---- names in a folder ---- */

int bcpi_os_rename(const bcpi_dir *d, const char *from, const char *to, struct bcpi_oserr *e)
{
	wchar_t *a = join(d, from, e), *b = a ? join(d, to, e) : NULL;
	DWORD code = ERROR_SUCCESS;
	int i;

	if (!b) {
		free(a);
		return -1;
	}
	for (i = 0; i < 200; i++) {
		if (MoveFileExW(a, b, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
			code = ERROR_SUCCESS;
			break;
		}
		code = GetLastError();
		if (code != ERROR_SHARING_VIOLATION && code != ERROR_ACCESS_DENIED &&
		    code != ERROR_LOCK_VIOLATION)
			break;
		Sleep(10);   /* a reader holds the target: it lets go within milliseconds */
	}
	free(a);
	free(b);
	return code == ERROR_SUCCESS ? 0 : fail_code(code, e);
}

int bcpi_os_link(const bcpi_dir *d, const char *from, const char *to, struct bcpi_oserr *e)
{
	wchar_t *a = join(d, from, e), *b = a ? join(d, to, e) : NULL;
	BOOL ok;

	if (!b) {
		free(a);
		return -1;
	}
	ok = CreateHardLinkW(b, a, NULL);
	if (!ok)
		fail(e);
	free(a);
	free(b);
	return ok ? 0 : -1;
}

int bcpi_os_unlink(const bcpi_dir *d, const char *name)
{
	struct bcpi_oserr e;
	wchar_t *p = join(d, name, &e);
	BOOL ok;

	if (!p)
		return -1;
	ok = DeleteFileW(p);
	free(p);
	return ok ? 0 : -1;
}

void bcpi_os_dir_each(const bcpi_dir *d, void (*fn)(void *ctx, const char *name), void *ctx)
{
	struct bcpi_oserr e;
	WIN32_FIND_DATAW fd;
	char name[MAX_PATH * 4];
	wchar_t *pat = join(d, "*", &e);
	HANDLE h;

	if (!pat)
		return;
	h = FindFirstFileW(pat, &fd);
	free(pat);
	if (h == INVALID_HANDLE_VALUE)
		return;
	do {
		if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
			continue;
		if (WideCharToMultiByte(CP_UTF8, 0, fd.cFileName, -1, name, sizeof name, NULL,
			NULL) > 0)
			fn(ctx, name);
	} while (FindNextFileW(h, &fd));
	FindClose(h);
}

/* ---- folders ---- */

bcpi_dir *bcpi_os_dir_open(const char *path, struct bcpi_oserr *e)
{
	BY_HANDLE_FILE_INFORMATION bi;
	wchar_t *w = wide(path, e), *full;
	bcpi_dir *d;
	DWORD n;
	HANDLE h;

	if (!w)
		return NULL;
	n = GetFullPathNameW(w, 0, NULL, NULL);
	full = n ? malloc((size_t)n * sizeof *full) : NULL;
	if (!full || GetFullPathNameW(w, n, full, NULL) == 0) {
		fail_code(n ? ERROR_NOT_ENOUGH_MEMORY : GetLastError(), e);
		free(w);
		free(full);
		return NULL;
	}
	free(w);
	n = (DWORD)wcslen(full);
	while (n > 3 && (full[n - 1] == L'\\' || full[n - 1] == L'/'))
		full[--n] = L'\0';
	/* No FILE_SHARE_DELETE: nobody renames or removes the folder while we hold it. */
	h = CreateFileW(full, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | READ_CONTROL,
		FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS,
		NULL);
	if (h == INVALID_HANDLE_VALUE) {
		fail(e);
		free(full);
		return NULL;
	}
	if (!GetFileInformationByHandle(h, &bi) || !(bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
		CloseHandle(h);
		free(full);
		fail_code(ERROR_DIRECTORY, e);
		return NULL;
	}
	if (!(d = malloc(sizeof *d))) {
		CloseHandle(h);
		free(full);
		fail_code(ERROR_NOT_ENOUGH_MEMORY, e);
		return NULL;
	}
	d->path = full;
	d->h = h;
	d->lock = INVALID_HANDLE_VALUE;
	return d;
}

int bcpi_os_dir_stat(const bcpi_dir *d, int judge_it, struct bcpi_finfo *fi, struct bcpi_oserr *e)
{
	return stat_handle(d->h, judge_it, fi, e);
}

int bcpi_os_dir_create(const char *path, struct bcpi_oserr *e)
{
	struct private_sd sd;
	wchar_t *w;
	BOOL ok;

	if (private_sd(&sd, 1) != 0)
		return fail(e);
	if (!(w = wide(path, e)))
		return -1;
	ok = CreateDirectoryW(w, &sd.sa);
	free(w);
	return ok ? 0 : fail(e);
}

int bcpi_os_dir_make_private(const bcpi_dir *d, struct bcpi_oserr *e)
{
	struct private_sd sd;
	DWORD rc;

	if (private_sd(&sd, 1) != 0)
		return fail(e);
	rc = SetNamedSecurityInfoW(d->path, SE_FILE_OBJECT,
		DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, NULL, NULL,
		&sd.dacl.acl, NULL);
	return rc == ERROR_SUCCESS ? 0 : fail_code(rc, e);
}

int bcpi_os_dir_lock(bcpi_dir *d, struct bcpi_oserr *e)
{
	BY_HANDLE_FILE_INFORMATION bi;
	struct private_sd sd;
	OVERLAPPED ov;
	wchar_t *p;
	HANDLE h;

	if (d->lock != INVALID_HANDLE_VALUE)
		return 0;
	if (private_sd(&sd, 0) != 0)
		return fail(e);
	if (!(p = join(d, "lock", e)))
		return -1;
	h = CreateFileW(p, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
		&sd.sa, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	free(p);
	if (h == INVALID_HANDLE_VALUE)
		return fail(e);
	if (GetFileInformationByHandle(h, &bi) &&
	    (bi.dwFileAttributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY))) {
		CloseHandle(h);
		return fail_text(BCPI_OS_LINK, "the lock file is a link or a folder", e);
	}
	memset(&ov, 0, sizeof ov);
	if (!LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ov)) {
		fail(e);
		CloseHandle(h);
		return -1;
	}
	d->lock = h;
	return 0;
}

int bcpi_os_dir_is_at(const bcpi_dir *d, const char *path, struct bcpi_oserr *e)
{
	BY_HANDLE_FILE_INFORMATION held, named;
	wchar_t *w = wide(path, e);
	HANDLE h;
	BOOL ok;

	if (!w)
		return -1;
	h = CreateFileW(w, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE |
		FILE_SHARE_DELETE, NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return fail(e);
	ok = GetFileInformationByHandle(h, &named) && GetFileInformationByHandle(d->h, &held);
	if (!ok)
		fail(e);
	CloseHandle(h);
	if (!ok)
		return -1;
	return held.dwVolumeSerialNumber == named.dwVolumeSerialNumber &&
		held.nFileIndexHigh == named.nFileIndexHigh &&
		held.nFileIndexLow == named.nFileIndexLow;
}

int bcpi_os_dir_sync(const bcpi_dir *d, struct bcpi_oserr *e)
{
	(void)d;
	(void)e;
	return 0;   /* renames were written through (MOVEFILE_WRITE_THROUGH) */
}

void bcpi_os_dir_sync_parent(const bcpi_dir *d)
{
	(void)d;   /* NTFS journals the new folder's entry */
}

void bcpi_os_dir_close(bcpi_dir *d)
{
	if (!d)
		return;
	if (d->lock != INVALID_HANDLE_VALUE)
		CloseHandle(d->lock);   /* releases the lock */
	CloseHandle(d->h);
	free(d->path);
	free(d);
}

/* ---- the rest ---- */

unsigned long bcpi_os_pid(void)
{
	return (unsigned long)GetCurrentProcessId();
}

int bcpi_os_parse_ipv6(const char *s, uint8_t out[16])
{
	return bcpi_inet_pton6(s, out);   /* InetPtonW accepts other spellings */
}
#endif

void *bcpi_os_alloc_copy(size_t size)
{
	return malloc(size);
}
