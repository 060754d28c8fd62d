/* source.c - reading a file whole: a policy source (into the arena, plain read(2),
 * no stdio buffer, so the arena's hook sees all of it), or a key or blob for the
 * command line (malloc). Only regular files: a FIFO or device is refused, never
 * waited on. */
#include "model.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
