/* frontend.h - sources to checked model: read, parse, check. */
#ifndef BCPC_FRONTEND_H
#define BCPC_FRONTEND_H
#include "model.h"

/* Reads, parses and checks the files together as one policy. Diagnostics go to d;
 * returns the model, or NULL when any error was found. */
struct model *load_policy(char *const *paths, int n, struct arena *a, struct diags *d);
#endif
