/* file.c - files read whole and written atomically (file.h).
 * Reading: a policy source (into the arena, plain read(2), no stdio buffer, so the
 * arena's hook sees all of it), or a key or blob for the command line (malloc).
 * Only regular files: a FIFO or device is refused, never waited on.
 * Writing: a temporary file in the same folder, fsync, rename, fsync of the folder;
 * nothing is allocated. */
#include "file.h"
#include "errmsg.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- reading ---- */

/* Opens path for reading if it is a regular file of at most max bytes; the fd and
 * its size, or -1 with errno set. O_NONBLOCK: a FIFO in its place must not hang the
 * open (it is refused); on a regular file the flag changes nothing. */
static int open_regular(const char *path, size_t max, size_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		return -1;
	}
	*size = (size_t)st.st_size;
	return fd;
}

/* Reads exactly size bytes into buf, puts a NUL after them and closes fd. The file
 * must end where fstat said (one byte more is read to see that). 0, or -1 (EIO). */
static int read_exactly(int fd, char *buf, size_t size)
{
	size_t got = 0;
	char extra;
	for (;;) {
		ssize_t n = got < size ? read(fd, buf + got, size - got) : read(fd, &extra, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || got >= size) {
			int bad = n != 0 || got != size;   /* an error, or the file changed under us */
			close(fd);
			if (bad) {
				errno = EIO;
				return -1;
			}
			buf[size] = '\0';
			return 0;
		}
		got += (size_t)n;
	}
}

char *read_file_malloc(const char *path, size_t max, size_t *len)
{
	size_t size;
	int fd = open_regular(path, max, &size);
	if (fd < 0)
		return NULL;
	char *buf = malloc(size + 1);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	if (read_exactly(fd, buf, size) != 0) {
		free(buf);
		return NULL;
	}
	*len = size;
	return buf;
}

int read_file(struct arena *a, const char *path, size_t max, struct source *out)
{
	size_t size;
	int fd = open_regular(path, max, &size);
	if (fd < 0)
		return -1;
	char *text = arena_alloc(a, size + 1);
	if (!text) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	if (read_exactly(fd, text, size) != 0)
		return -1;
	out->path = arena_strdup(a, path);
	out->text = text;
	out->len = size;
	if (!out->path) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* ---- writing ---- */

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Puts tmp at path without replacing anything: link() fails on an existing name.
 * Filesystems without hard links fall back to a check then rename(). */
static int publish_new(const char *tmp, const char *path)
{
	struct stat st;
	if (link(tmp, path) == 0) {
		unlink(tmp);
		return 0;
	}
	if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP && errno != ENOSYS &&
	    errno != EMLINK)
		return -1;
	if (lstat(path, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(tmp, path);
}

int write_file_atomic_mode(const char *path, const uint8_t *data, size_t len,
			   unsigned mode, int no_replace, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dirlen = slash ? (size_t)(slash - path) : 0;
	/* No allocation: the kernel takes no path longer than PATH_MAX anyway. */
	char tmp[PATH_MAX + 16], dir[PATH_MAX + 2];
	int fd = -1, rc = -1, e;

	if (!*base)
		return errmsg(err, errlen, "cannot write %s: not a file name", path);
	if (strlen(path) >= PATH_MAX)
		return errmsg(err, errlen, "cannot write %.200s...: the path is longer than %d bytes",
			    path, PATH_MAX - 1);
	sprintf(tmp, "%.*s%s.%s.XXXXXX", (int)dirlen, path, slash ? "/" : "", base);
	if (!slash)
		strcpy(dir, ".");
	else if (dirlen == 0)
		strcpy(dir, "/");
	else
		sprintf(dir, "%.*s", (int)dirlen, path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		errmsg(err, errlen, "cannot create a temporary file in %s: %s", dir, strerror(errno));
		goto out;
	}
	if (fchmod(fd, (mode_t)mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		e = errno;
		errmsg(err, errlen, "cannot write %s: %s", tmp, strerror(e));
		goto unlink_tmp;
	}
	e = close(fd);
	fd = -1;
	if (e != 0) {
		errmsg(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto unlink_tmp;
	}
	if ((no_replace ? publish_new(tmp, path) : rename(tmp, path)) != 0) {
		e = errno;
		if (e == EEXIST)
			errmsg(err, errlen, "%s already exists; not replacing it", path);
		else
			errmsg(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(e));
		goto unlink_tmp;
	}
	rc = 0;
	/* Make the rename itself durable. A folder we may not open for reading, or a
	 * filesystem that cannot sync folders, is not a failure of the write. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		if (fsync(dfd) != 0 && errno == EIO)
			rc = errmsg(err, errlen, "cannot sync folder %s: %s", dir, strerror(errno));
		close(dfd);
	}
	goto out;
unlink_tmp:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	return rc;
}

int write_file_atomic(const char *path, const uint8_t *data, size_t len, char *err, size_t errlen)
{
	/* umask can only be read by setting it; the CLI is single-threaded here. */
	mode_t mask = umask(0);
	umask(mask);
	return write_file_atomic_mode(path, data, len, 0666 & ~(unsigned)mask, 0, err, errlen);
}
