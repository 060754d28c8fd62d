/* source.c - reading a source file whole. */
#include "model.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int read_file(struct arena *a, const char *path, size_t max, struct source *out)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f)
		return -1;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	if ((uint64_t)st.st_size > max) {
		fclose(f);
		errno = EFBIG;
		return -1;
	}
	size_t size = (size_t)st.st_size;
	char *text = arena_alloc(a, size + 1);
	if (!text) {
		fclose(f);
		errno = ENOMEM;
		return -1;
	}
	size_t got = fread(text, 1, size, f);
	int bad = ferror(f) || fgetc(f) != EOF;   /* the file changed under us */
	fclose(f);
	if (bad || got != size) {
		errno = EIO;
		return -1;
	}
	text[size] = '\0';
	out->path = arena_strdup(a, path);
	out->text = text;
	out->len = size;
	return out->path ? 0 : -1;
}
