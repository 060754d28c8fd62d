/* fuzz_keys.c - libFuzzer target for keys and trust anchors:
 *   - the input as a key file: key_load_private and key_load_public (bcpc --key,
 *     --pubkey), through a memfd so nothing touches the disk; a loaded key's
 *     thumbprint must be the same from the compiler and from libbcp;
 *   - the input as bcp_open_opts.pubkey_pem (the text up to its first NUL);
 *   - the input as thumbprints: the whole text, and each 44-byte piece of it. Each
 *     must be accepted exactly when it is canonical base64 of 32 bytes (checked here
 *     with OpenSSL's decoder and encoder, independently of runtime/open.c).
 * No passphrase is set, so an encrypted key is refused before any key derivation. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "bcp.h"
#include "bcp_format.h"
#include "fuzz_common.h"
#include "keys.h"

#define MAX_THUMBPRINTS 16

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char key_path[64];
static int key_fd = -1;
/* A blob header with the right magic and an arbitrary key, so that the trust check
 * (#5) runs after the anchor loads; everything after the header is zero. */
static uint8_t blob[BCPF_HEADER_SIZE + BCPF_NSECTIONS * BCPF_DIRENT_SIZE + BCPF_SIG_SIZE];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	unsetenv(KEY_PASSPHRASE_ENV);
	unsetenv(KEY_PASSPHRASE_FILE_ENV);
	key_fd = memfd_create("fuzz-key", MFD_CLOEXEC);
	if (key_fd < 0)
		fuzz_fail("memfd_create failed");
	snprintf(key_path, sizeof key_path, "/proc/self/fd/%d", key_fd);
	memcpy(blob + BCPF_H_MAGIC, BCPF_MAGIC, 8);
	bcpf_put16(blob + BCPF_H_VERSION, BCPF_VERSION);
	bcpf_put16(blob + BCPF_H_HEADER_SIZE, BCPF_HEADER_SIZE);
	bcpf_put32(blob + BCPF_H_NSECTIONS, BCPF_NSECTIONS);
	bcpf_put64(blob + BCPF_H_TOTAL, sizeof blob);
	bcpf_put64(blob + BCPF_H_NOT_AFTER, (uint64_t)1 << 40);
	memset(blob + BCPF_H_PUBKEY, 0x5a, 32);
	return 0;
}

static void load_key(EVP_PKEY *(*load)(const char *, char *, size_t), const char *what)
{
	char err[300], tp1[45], tp2[45];
	uint8_t pub[32];
	memset(err, 'x', sizeof err);
	EVP_PKEY *k = load(key_path, err, sizeof err);
	if (!k) {
		if (!memchr(err, '\0', sizeof err) || !err[0])
			fuzz_fail("%s refused the key without a message", what);
		return;
	}
	if (key_raw_public(k, pub) != 0)
		fuzz_fail("%s returned a key that is not Ed25519", what);
	if (key_thumbprint(pub, tp1) != 0 || bcp_thumbprint(pub, tp2) != 0 || strcmp(tp1, tp2))
		fuzz_fail("thumbprints differ: bcpc %s, libbcp %s", tp1, tp2);
	EVP_PKEY_free(k);
}

/* Whether t is the canonical base64 of 32 bytes, by decoding and encoding it again. */
static int canonical_thumbprint(const char *t)
{
	unsigned char raw[48], again[64];
	if (strlen(t) != 44 || EVP_DecodeBlock(raw, (const unsigned char *)t, 44) != 33)
		return 0;
	return EVP_EncodeBlock(again, raw, 32) == 44 && !memcmp(again, t, 44);
}

static enum bcp_status open_with(const char *const *tps, size_t ntps, const char *pem)
{
	struct bcp_open_opts o = { .thumbprints = tps, .nthumbprints = ntps, .pubkey_pem = pem,
				   .now = 1 };
	struct bcp_error e;
	bcp_blob *b = (bcp_blob *)&o;   /* must come back NULL */
	enum bcp_status st = bcp_open_buffer(blob, sizeof blob, &o, &b, &e);
	if (st == BCP_OK || b)
		fuzz_fail("a blob with a zero signature opened");
	if (e.code != st || !memchr(e.message, '\0', sizeof e.message))
		fuzz_fail("error %d does not match status %d, or has no message", e.code, st);
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *tps[MAX_THUMBPRINTS];
	char *text, *pieces;
	size_t n = 0;

	if (ftruncate(key_fd, 0) != 0 || pwrite(key_fd, data, size, 0) != (ssize_t)size)
		fuzz_fail("cannot write the memfd");
	load_key(key_load_private, "key_load_private");
	load_key(key_load_public, "key_load_public");

	if (!(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	open_with(NULL, 0, text);

	/* The whole text as one thumbprint, then 44-byte pieces of it. */
	tps[0] = text;
	if ((open_with(tps, 1, NULL) != BCP_E_TRUST_ANCHOR) != canonical_thumbprint(text))
		fuzz_fail("thumbprint \"%s\" judged wrongly", text);
	if (!(pieces = malloc(MAX_THUMBPRINTS * 45))) {
		free(text);
		return 0;
	}
	int all_good = 1;
	for (size_t off = 0; n < MAX_THUMBPRINTS && off + 44 <= size; off += 44, n++) {
		char *t = pieces + n * 45;
		memcpy(t, data + off, 44);
		t[44] = '\0';
		tps[n] = t;
		all_good &= canonical_thumbprint(t);
	}
	if (n && (open_with(tps, n, NULL) != BCP_E_TRUST_ANCHOR) != all_good)
		fuzz_fail("a set of %zu thumbprints judged wrongly", n);
	free(pieces);
	free(text);
	return 0;
}
