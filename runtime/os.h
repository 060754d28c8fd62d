/* os.h - the runtime's one door to the operating system, as SQLite's os.h: files,
 * folders, locks, durability and the few library calls whose behaviour differs
 * between systems. One implementation per platform: os_unix.c (POSIX: Linux, the
 * BSDs, macOS) and os_win.c (Windows, Unicode API). Nothing else in runtime/
 * includes a system header for files, folders, locks or sockets, so that the
 * install protocol (install.c) and the state folder (state.c) read the same on
 * every platform and a port is one new file.
 *
 * Names are UTF-8 everywhere here; the Windows layer converts to UTF-16.
 * A folder is a handle, and files are named relative to it: on POSIX every call
 * is *at(dirfd, ...) and never follows a symbolic link; on Windows the folder is
 * held open without FILE_SHARE_DELETE, so it cannot be renamed or removed while
 * held, and names are joined to its path.
 *
 * Every call that can fail returns 0 or -1 and fills a struct bcpi_oserr: a kind
 * the caller decides on, and the system's own words for messages. No call here
 * decides policy (what is refused, what falls back): that stays in the callers. */
#ifndef BCP_OS_H
#define BCP_OS_H
#include "bcp.h"
#include <stddef.h>
#include <stdint.h>

enum bcpi_os_kind {
	BCPI_OS_FAILED = 1,  /* anything not below */
	BCPI_OS_MISSING,     /* no such file or folder */
	BCPI_OS_EXISTS,      /* create: the name is taken */
	BCPI_OS_LINK,        /* a symbolic link (or reparse point) where a file was asked for */
	BCPI_OS_NOT_DIR,     /* a folder was asked for; something else is there */
	BCPI_OS_NOMEM        /* the device ran short of memory or handles, not the file's fault */
};

struct bcpi_oserr {
	enum bcpi_os_kind kind;
	char text[128];      /* strerror() or FormatMessageW(), in UTF-8 */
};

/* An open file: a descriptor on POSIX, a HANDLE on Windows. */
typedef struct bcpi_file {
	intptr_t h;
} bcpi_file;

/* An open folder (opaque). */
typedef struct bcpi_dir bcpi_dir;

enum bcpi_ftype { BCPI_FT_REGULAR, BCPI_FT_FOLDER, BCPI_FT_LINK, BCPI_FT_OTHER };

/* What a stat says. why is "" when the file or folder belongs to this process's
 * account and no other account may read or change it (POSIX: owned by the
 * effective uid, no group/other bits; Windows: see os_win.c, the DACL); else
 * it says why not, to follow the file's name in a message. why is filled only
 * when the stat was asked to judge. */
struct bcpi_finfo {
	enum bcpi_ftype type;
	uint64_t size;
	uint64_t dev, ino;   /* the same file or folder has the same pair */
	char why[256];
};

/* ---- files ---- */

/* Opens a file for reading. With d NULL, path is a path and a symbolic link is
 * followed; with d, name is in that folder and a link is BCPI_OS_LINK. A FIFO in
 * the place of a file must not hang the open (the caller's stat refuses it). On
 * Windows the file is shared for reading only: no other process can write, delete
 * or rename it while it is open. */
BCPI_HIDDEN int bcpi_os_open_read(const bcpi_dir *d, const char *name, bcpi_file *f,
	struct bcpi_oserr *e);
/* Creates the new file name in d for writing (fails with BCPI_OS_EXISTS when the name
 * is taken, never follows a link), readable and writable by this account only
 * whatever the umask (Windows: an explicit protected DACL). */
BCPI_HIDDEN int bcpi_os_create_private(const bcpi_dir *d, const char *name, bcpi_file *f,
	struct bcpi_oserr *e);
/* The stat of an open file; judge: also fill why. */
BCPI_HIDDEN int bcpi_os_fstat(bcpi_file *f, int judge, struct bcpi_finfo *fi,
	struct bcpi_oserr *e);
/* The stat of name in d, never following a link (a link is type BCPI_FT_LINK). */
BCPI_HIDDEN int bcpi_os_stat_at(const bcpi_dir *d, const char *name, int judge,
	struct bcpi_finfo *fi, struct bcpi_oserr *e);
/* Reads at most n bytes: the count (0 at the end), or -1. Retries interruptions. */
BCPI_HIDDEN long long bcpi_os_read(bcpi_file *f, void *buf, size_t n, struct bcpi_oserr *e);
/* Writes all n bytes, or -1 (a disk that takes nothing is "no space"). */
BCPI_HIDDEN int bcpi_os_write_all(bcpi_file *f, const void *buf, size_t n,
	struct bcpi_oserr *e);
/* Flushes the file's data and size to the disk (fsync, FlushFileBuffers). */
BCPI_HIDDEN int bcpi_os_file_sync(bcpi_file *f, struct bcpi_oserr *e);
/* Closes the file; -1 when the system reports a failed close (the handle is gone
 * either way). */
BCPI_HIDDEN int bcpi_os_close(bcpi_file *f, struct bcpi_oserr *e);

/* ---- names in a folder ---- */

/* Renames from over to in d, atomically: to is the old file or the new one, never
 * neither (rename; MoveFileExW with MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH). */
BCPI_HIDDEN int bcpi_os_rename(const bcpi_dir *d, const char *from, const char *to,
	struct bcpi_oserr *e);
/* A second name to for the file from (a hard link), failing when to exists. */
BCPI_HIDDEN int bcpi_os_link(const bcpi_dir *d, const char *from, const char *to,
	struct bcpi_oserr *e);
/* Removes name from d; -1 when it could not (also when it was not there). */
BCPI_HIDDEN int bcpi_os_unlink(const bcpi_dir *d, const char *name);
/* Calls fn for the name of each entry of d (not "." and ".."); fn may unlink it. */
BCPI_HIDDEN void bcpi_os_dir_each(const bcpi_dir *d, void (*fn)(void *ctx, const char *name),
	void *ctx);

/* ---- folders ---- */

/* Opens the folder path for reading its files (a link to a folder is followed):
 * BCPI_OS_MISSING, BCPI_OS_NOT_DIR or another failure gives NULL. */
BCPI_HIDDEN bcpi_dir *bcpi_os_dir_open(const char *path, struct bcpi_oserr *e);
/* The stat of the open folder; judge: also fill why. */
BCPI_HIDDEN int bcpi_os_dir_stat(const bcpi_dir *d, int judge, struct bcpi_finfo *fi,
	struct bcpi_oserr *e);
/* Creates the folder path for this account only (BCPI_OS_EXISTS when the name is
 * taken). Its parent must exist. */
BCPI_HIDDEN int bcpi_os_dir_create(const char *path, struct bcpi_oserr *e);
/* Makes the open folder this account's only (chmod 0700; Windows: its DACL). */
BCPI_HIDDEN int bcpi_os_dir_make_private(const bcpi_dir *d, struct bcpi_oserr *e);
/* Waits for and takes the exclusive lock of the folder (flock of the folder;
 * Windows: LockFileEx on its file "lock"). Held until bcpi_os_dir_close. */
BCPI_HIDDEN int bcpi_os_dir_lock(bcpi_dir *d, struct bcpi_oserr *e);
/* Whether the folder now at path is d itself: 1, 0 (another one), or -1. */
BCPI_HIDDEN int bcpi_os_dir_is_at(const bcpi_dir *d, const char *path, struct bcpi_oserr *e);
/* Makes the folder's entries durable (fsync of the folder; on Windows renames are
 * written through and this does nothing). */
BCPI_HIDDEN int bcpi_os_dir_sync(const bcpi_dir *d, struct bcpi_oserr *e);
/* The same for the folder's own entry in its parent; best effort. */
BCPI_HIDDEN void bcpi_os_dir_sync_parent(const bcpi_dir *d);
/* Closes the folder, releasing its lock; NULL is a no-op. */
BCPI_HIDDEN void bcpi_os_dir_close(bcpi_dir *d);

/* ---- the rest ---- */

/* Memory for the private copy of a blob of size bytes; free() releases it. On Linux
 * a large copy is aligned to 2 MiB and asks for transparent huge pages: the first
 * touch of a 37 MB copy then faults 19 pages instead of 9,000, which is most of
 * what the copy costs (docs/BENCHMARKS.md, "Open"). NULL when out of memory. */
BCPI_HIDDEN void *bcpi_os_alloc_copy(size_t size);

/* This process's id, for names of temporary files. */
BCPI_HIDDEN unsigned long bcpi_os_pid(void);
/* An IPv6 literal as inet_pton(AF_INET6) reads it on glibc (hex groups, "::", an
 * IPv4 tail): 1 and the address, or 0. */
BCPI_HIDDEN int bcpi_os_parse_ipv6(const char *s, uint8_t out[16]);
#endif
