/* source.c - reading a source file whole. It takes memory only from the arena
 * (plain read(2), no stdio buffer), so the arena's hook sees all of it. */
#include "model.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int read_file(struct arena *a, const char *path, size_t max, struct source *out)
{
	struct stat st;
	/* O_NONBLOCK: a FIFO in place of a source must not hang the open (it is refused
	 * below); on a regular file the flag changes nothing. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	size_t size = (size_t)st.st_size;
	char *text = arena_alloc(a, size + 1);
	if (!text) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	/* One byte more than the size: the file must end where fstat said. */
	size_t got = 0;
	char extra;
	for (;;) {
		ssize_t n = got < size ? read(fd, text + got, size - got) : read(fd, &extra, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || got >= size) {
			int bad = n != 0 || got != size;   /* an error, or the file changed under us */
			close(fd);
			if (bad) {
				errno = EIO;
				return -1;
			}
			break;
		}
		got += (size_t)n;
	}
	text[size] = '\0';
	out->path = arena_strdup(a, path);
	out->text = text;
	out->len = size;
	if (!out->path) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}
