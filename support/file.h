/* file.h - whole files: read into memory (a policy source into the arena, a key or
 * blob into malloc'd memory) and written atomically (a blob or a key). Errors are
 * values (errno, or a message in the caller's buffer); nothing here prints. */
#ifndef BCPC_FILE_H
#define BCPC_FILE_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "diag.h"

/* Reads a file whole into the arena (with a NUL after it). 0, or -1 with errno set
 * (EFBIG when it is over max bytes). */
int read_file(struct arena *a, const char *path, size_t max, struct source *out);
/* The same into malloc'd memory (the caller frees it), with a NUL after *len bytes;
 * NULL with errno set (EFBIG past max, EISDIR, EINVAL for what is not a file). */
char *read_file_malloc(const char *path, size_t max, size_t *len);

/* Writes data to path through a temporary file in the same folder (mkstemp), fsync,
 * rename, then fsync of the folder. It allocates nothing; a path longer than
 * PATH_MAX is refused. The file gets mode 0666 less the umask (read
 * by setting and restoring it, so not thread-safe). On any failure returns -1 with
 * a message in err, removes the temporary file and leaves an existing file at path
 * untouched; 0 on success. */
int write_file_atomic(const char *path, const uint8_t *data, size_t len,
		      char *err, size_t errlen);

/* The same with a given mode (e.g. 0600 for a private key), and no_replace: fail
 * (leaving it alone) when path already exists, with no window in which a file
 * created meanwhile would be replaced. */
int write_file_atomic_mode(const char *path, const uint8_t *data, size_t len,
			   unsigned mode, int no_replace, char *err, size_t errlen);
#endif
