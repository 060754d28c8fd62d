/* frontend.h - sources to checked model: read, parse, check. */
#ifndef BCPC_FRONTEND_H
#define BCPC_FRONTEND_H
#include "model.h"

/* Reads, parses and checks the files together as one policy (at most
 * BCL_MAX_SOURCES of them). Diagnostics go to d; returns the model, or NULL when
 * any error was found. Every allocation goes through a's hook (arena_init): the
 * sources, the tree, the model, the diagnostics and flex's buffers. When one
 * fails, d holds one error, "out of memory", and arena_free(a) releases everything. */
struct model *load_policy(char *const *paths, int n, struct arena *a, struct diags *d);
/* The same, with test files apart: a file whose statements are all `test` blocks
 * is a test file, and its statements go to *tests (in order) instead of the
 * policy; a file with both is an error. The tests are syntax only (ast.h);
 * policy_test.c gives them meaning. */
struct stmt;
struct model *load_policy_tests(char *const *paths, int n, struct arena *a, struct diags *d,
				struct stmt **tests);
#endif
