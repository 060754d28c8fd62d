/* os_unix.c - os.h on POSIX systems (Linux, the BSDs, macOS): descriptors, *at()
 * calls relative to the folder's descriptor, O_NOFOLLOW, flock, fsync of folders.
 * Only mechanism lives here; what a failure means is decided by the callers. */
#ifndef _WIN32
#include "internal.h"
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct bcpi_dir {
	int fd;
};

/* -1 with e filled from errno (which it keeps). */
static int fail(struct bcpi_oserr *e)
{
	int n = errno;

	switch (n) {
	case ENOENT: e->kind = BCPI_OS_MISSING; break;
	case EEXIST: e->kind = BCPI_OS_EXISTS; break;
	case ELOOP: case EMLINK: e->kind = BCPI_OS_LINK; break;
	case ENOTDIR: e->kind = BCPI_OS_NOT_DIR; break;
	case ENOMEM: case EMFILE: case ENFILE: case ENOBUFS: e->kind = BCPI_OS_NOMEM; break;
	default: e->kind = BCPI_OS_FAILED; break;
	}
	if (strerror_r(n, e->text, sizeof e->text) != 0)
		snprintf(e->text, sizeof e->text, "errno %d", n);
	errno = n;
	return -1;
}

static void finfo(const struct stat *sb, int judge, struct bcpi_finfo *fi)
{
	uid_t me = geteuid();

	fi->type = S_ISREG(sb->st_mode) ? BCPI_FT_REGULAR : S_ISDIR(sb->st_mode) ? BCPI_FT_FOLDER :
		S_ISLNK(sb->st_mode) ? BCPI_FT_LINK : BCPI_FT_OTHER;
	fi->size = sb->st_size < 0 ? 0 : (uint64_t)sb->st_size;
	fi->dev = (uint64_t)sb->st_dev;
	fi->ino = (uint64_t)sb->st_ino;
	fi->why[0] = '\0';
	if (!judge)
		return;
	if (sb->st_uid != me)
		snprintf(fi->why, sizeof fi->why, "belongs to uid %lu (mode %04o), not to this "
			"process's user (uid %lu): the state folder and its files must be made and "
			"owned by the account that installs and opens them",
			(unsigned long)sb->st_uid, (unsigned)(sb->st_mode & 07777), (unsigned long)me);
	else if (sb->st_mode & 077)
		snprintf(fi->why, sizeof fi->why, "has mode %04o: other accounts may read or "
			"change it; the state folder must be owner-only (chmod 700, files 600)",
			(unsigned)(sb->st_mode & 07777));
}

/* ---- files ---- */

/* O_NONBLOCK: a FIFO in the file's place must not hang the open; on a regular file
 * the flag changes nothing. */
#define READ_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

int bcpi_os_open_read(const bcpi_dir *d, const char *name, bcpi_file *f, struct bcpi_oserr *e)
{
	int fd = d ? openat(d->fd, name, READ_FLAGS | O_NOFOLLOW) : open(name, READ_FLAGS);

	if (fd < 0)
		return fail(e);
	f->h = fd;
	return 0;
}

int bcpi_os_create_private(const bcpi_dir *d, const char *name, bcpi_file *f,
	struct bcpi_oserr *e)
{
	int fd = openat(d->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return fail(e);
	/* The umask may have taken bits away; never more than owner read and write. */
	if (fchmod(fd, 0600) != 0) {
		fail(e);
		close(fd);
		unlinkat(d->fd, name, 0);
		return -1;
	}
	f->h = fd;
	return 0;
}

int bcpi_os_fstat(bcpi_file *f, int judge, struct bcpi_finfo *fi, struct bcpi_oserr *e)
{
	struct stat sb;

	if (fstat((int)f->h, &sb) != 0)
		return fail(e);
	finfo(&sb, judge, fi);
	return 0;
}

int bcpi_os_stat_at(const bcpi_dir *d, const char *name, int judge, struct bcpi_finfo *fi,
	struct bcpi_oserr *e)
{
	struct stat sb;

	if (fstatat(d->fd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return fail(e);
	finfo(&sb, judge, fi);
	return 0;
}

long long bcpi_os_read(bcpi_file *f, void *buf, size_t n, struct bcpi_oserr *e)
{
	ssize_t got;

	if (n > (size_t)1 << 30)
		n = (size_t)1 << 30;
	do
		got = read((int)f->h, buf, n);
	while (got < 0 && errno == EINTR);
	return got < 0 ? fail(e) : (long long)got;
}

int bcpi_os_write_all(bcpi_file *f, const void *buf, size_t n, struct bcpi_oserr *e)
{
	const uint8_t *p = buf;
	size_t done = 0, chunk;
	ssize_t w;

	while (done < n) {
		chunk = n - done > (size_t)1 << 30 ? (size_t)1 << 30 : n - done;
		w = write((int)f->h, p + done, chunk);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			return fail(e);
		}
		done += (size_t)w;
	}
	return 0;
}

int bcpi_os_file_sync(bcpi_file *f, struct bcpi_oserr *e)
{
	return fsync((int)f->h) != 0 ? fail(e) : 0;
}

int bcpi_os_close(bcpi_file *f, struct bcpi_oserr *e)
{
	int rc = close((int)f->h);

	f->h = -1;
	return rc != 0 ? fail(e) : 0;
}

/* ---- names in a folder ---- */

int bcpi_os_rename(const bcpi_dir *d, const char *from, const char *to, struct bcpi_oserr *e)
{
	return renameat(d->fd, from, d->fd, to) != 0 ? fail(e) : 0;
}

int bcpi_os_link(const bcpi_dir *d, const char *from, const char *to, struct bcpi_oserr *e)
{
	return linkat(d->fd, from, d->fd, to, 0) != 0 ? fail(e) : 0;
}

int bcpi_os_unlink(const bcpi_dir *d, const char *name)
{
	return unlinkat(d->fd, name, 0);
}

void bcpi_os_dir_each(const bcpi_dir *d, void (*fn)(void *ctx, const char *name), void *ctx)
{
	struct dirent *ent;
	DIR *dir;
	int fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (!(dir = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((ent = readdir(dir)) != NULL)
		if (strcmp(ent->d_name, ".") != 0 && strcmp(ent->d_name, "..") != 0)
			fn(ctx, ent->d_name);
	closedir(dir);
}

/* ---- folders ---- */

bcpi_dir *bcpi_os_dir_open(const char *path, struct bcpi_oserr *e)
{
	bcpi_dir *d;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		fail(e);
		return NULL;
	}
	if (!(d = malloc(sizeof *d))) {
		close(fd);
		errno = ENOMEM;
		fail(e);
		return NULL;
	}
	d->fd = fd;
	return d;
}

int bcpi_os_dir_stat(const bcpi_dir *d, int judge, struct bcpi_finfo *fi, struct bcpi_oserr *e)
{
	struct stat sb;

	if (fstat(d->fd, &sb) != 0)
		return fail(e);
	finfo(&sb, judge, fi);
	return 0;
}

int bcpi_os_dir_create(const char *path, struct bcpi_oserr *e)
{
	if (mkdir(path, 0700) != 0)
		return fail(e);
	/* The umask may have taken owner bits away; bcpi_os_dir_stat then judges it. */
	chmod(path, 0700);
	return 0;
}

int bcpi_os_dir_make_private(const bcpi_dir *d, struct bcpi_oserr *e)
{
	return fchmod(d->fd, 0700) != 0 ? fail(e) : 0;
}

int bcpi_os_dir_lock(bcpi_dir *d, struct bcpi_oserr *e)
{
	int rc;

	do
		rc = flock(d->fd, LOCK_EX);
	while (rc != 0 && errno == EINTR);
	return rc != 0 ? fail(e) : 0;
}

int bcpi_os_dir_is_at(const bcpi_dir *d, const char *path, struct bcpi_oserr *e)
{
	struct stat held, named;

	if (fstat(d->fd, &held) != 0 || stat(path, &named) != 0)
		return fail(e);
	return held.st_dev == named.st_dev && held.st_ino == named.st_ino;
}

int bcpi_os_dir_sync(const bcpi_dir *d, struct bcpi_oserr *e)
{
	return fsync(d->fd) != 0 ? fail(e) : 0;
}

void bcpi_os_dir_sync_parent(const bcpi_dir *d)
{
	int parent = openat(d->fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (parent >= 0) {
		fsync(parent);
		close(parent);
	}
}

void bcpi_os_dir_close(bcpi_dir *d)
{
	if (!d)
		return;
	close(d->fd);
	free(d);
}

/* ---- the rest ---- */

unsigned long bcpi_os_pid(void)
{
	return (unsigned long)getpid();
}

int bcpi_os_parse_ipv6(const char *s, uint8_t out[16])
{
	return inet_pton(AF_INET6, s, out) == 1;
}
#endif

void *bcpi_os_alloc_copy(size_t size)
{
#if defined(MADV_HUGEPAGE)
	const size_t huge = (size_t)1 << 21;
	void *p;

	if (size >= huge && (p = aligned_alloc(huge, (size + huge - 1) & ~(huge - 1)))) {
		madvise(p, (size + huge - 1) & ~(huge - 1), MADV_HUGEPAGE);   /* a hint only */
		return p;
	}
#endif
	return malloc(size);
}
