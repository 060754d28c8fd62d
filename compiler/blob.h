/* blob.h - the checked model to a signed policy blob (docs/FORMAT.md). support/file.h
 * puts it on disk. */
#ifndef BCPC_BLOB_H
#define BCPC_BLOB_H
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include "model.h"
#include "../runtime/bcp.h"

struct blob_opts {
	uint64_t serial;
	int64_t not_before, not_after;   /* UNIX seconds */
	int64_t created;                 /* compile time (SOURCE_DATE_EPOCH when set) */
};

/* Lowers m, lays out the header, directory and 17 sections, and signs the result
 * with key (Ed25519). On success returns 0 and *out holds a malloc'd blob of *outlen
 * bytes (the caller frees it). On failure returns -1, *out is NULL and err holds a
 * message. Deterministic: the same model, key and options give the same bytes.
 * Thread-safe for distinct outputs. */
int blob_build(const struct model *m, EVP_PKEY *key, const struct blob_opts *o,
	       uint8_t **out, size_t *outlen, char *err, size_t errlen);

/* The same with every allocation through hook (NULL: malloc), the blob's included:
 * the caller releases *out with hook_release(hook, *out). When an allocation fails
 * it returns -1 with "out of memory ..." in err, having released all it took.
 * (Signing allocates inside OpenSSL, outside the hook.) */
int blob_build_with(const struct model *m, EVP_PKEY *key, const struct blob_opts *o,
		    const struct alloc_hook *hook, uint8_t **out, size_t *outlen,
		    char *err, size_t errlen);

/* m compiled in memory and opened through libbcp, for commands that ask the runtime
 * about a policy rather than about a signed file (test, diff of sources): signed
 * with a key made for the occasion and thrown away, serial 1, valid from 1970 to
 * 2100. 0, or -1 with a message in err. The caller frees *bytes and closes *out. */
int blob_open_throwaway(const struct model *m, uint8_t **bytes, size_t *len, bcp_blob **out,
			char *err, size_t errlen);
#endif
