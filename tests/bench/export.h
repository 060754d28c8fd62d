/* export.h - the benchmark's requests as JSON lines, in the format `bcpc query
 * --batch` reads ({"host","port","proto","user":{...}}), so that another engine can
 * be given exactly the requests bcp was timed on, and its answers compared. */
#ifndef BENCH_EXPORT_H
#define BENCH_EXPORT_H
#include <stdio.h>
#include "gen.h"

/* Writes one line per request to f. Returns 0, or -1 on a write or allocation error. */
int export_requests(FILE *f, const struct gen_tenant *t, const struct gen_request *req, size_t n);
#endif
