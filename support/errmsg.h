/* errmsg.h - the one way a function reports failure as text: a message in the
 * caller's buffer (char *err, size_t errlen) and -1 returned. */
#ifndef BCPC_ERRMSG_H
#define BCPC_ERRMSG_H
#include <stddef.h>

/* Formats the message into err (cut to errlen bytes; nothing written when errlen
 * is 0) and returns -1, so that a failing path reads `return errmsg(err, errlen, ...)`. */
int errmsg(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#endif
