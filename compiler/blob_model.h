/* blob_model.h - a verified blob read back into the checked model (model.h), so that
 * everything that reads a model (explain, diff, report, dump) reads a blob too.
 *
 * The model is the blob's meaning, exactly: lowering it again (lower.c, blob.c with
 * the same key and header) gives the same bytes (tests/unit/test_blob_model.c). What
 * a blob does not hold is not invented: there are no source locations, no disabled
 * segments (the blob leaves them out), no sp_ca_file name (only the PEM it named);
 * a segment's patterns are in pattern order, not source order; a rule's app clauses
 * become one clause naming the segments it applies to (one with no values when the
 * policy named only disabled segments), and a user clause's predicates one atom per
 * run of the same kind and attribute. */
#ifndef BCPC_BLOB_MODEL_H
#define BCPC_BLOB_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "model.h"

/* Reads the blob of len bytes at data into *out, allocating in a. The caller has
 * verified the blob against its trust anchor; this opens it once more against the
 * key in its own header (the signature and the structural pass of docs/FORMAT.md),
 * so that nothing here reads an unchecked offset. Returns 0, or -1 with a message
 * in err (a blob that does not verify, out of memory). */
int blob_model(const uint8_t *data, size_t len, struct arena *a, struct model *out, char *err,
	       size_t errlen);
#endif
