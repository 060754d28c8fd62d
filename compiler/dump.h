/* dump.h - the checked model as JSON. */
#ifndef BCPC_DUMP_H
#define BCPC_DUMP_H
#include <jansson.h>
#include "model.h"

/* A new JSON object (caller owns it; json_decref) or NULL when out of memory. */
json_t *model_to_json(const struct model *m);
#endif
