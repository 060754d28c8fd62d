/* keys.h - Ed25519 signing keys for bcpc: load (PEM, possibly encrypted), generate,
 * and the thumbprint devices pin (docs/FORMAT.md, "Signature"). OpenSSL 3 EVP only.
 * Nothing here prompts: an encrypted key's passphrase comes from the environment. */
#ifndef BCPC_KEYS_H
#define BCPC_KEYS_H
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

/* Environment variables that give the passphrase of an encrypted private key:
 * the passphrase itself, or a file whose first line (newline stripped) is it.
 * The first one wins when both are set. */
#define KEY_PASSPHRASE_ENV "BCPC_KEY_PASSPHRASE"
#define KEY_PASSPHRASE_FILE_ENV "BCPC_KEY_PASSPHRASE_FILE"

/* Loads a PEM Ed25519 private key (PKCS#8, encrypted or not, as made by
 * `openssl genpkey -algorithm ed25519` or key_generate). Returns a key the caller
 * frees with EVP_PKEY_free, or NULL with a message in err (other key types,
 * missing or wrong passphrase, unreadable file). */
EVP_PKEY *key_load_private(const char *path, char *err, size_t errlen);

/* Loads a PEM Ed25519 public key (SubjectPublicKeyInfo); when the file holds a
 * private key instead, returns its public half. Caller frees; NULL and err on failure. */
EVP_PKEY *key_load_public(const char *path, char *err, size_t errlen);

/* The 32 raw public key bytes of an Ed25519 key (public or private). 0, or -1
 * when k is NULL or not Ed25519. */
int key_raw_public(EVP_PKEY *k, uint8_t out[32]);

/* The thumbprint of a raw Ed25519 public key: base64 (with padding, 44 characters
 * and a NUL) of SHA-256 over its DER SubjectPublicKeyInfo. 0, or -1 on failure. */
int key_thumbprint(const uint8_t pub[32], char out[45]);

/* The SHA-256 of data as 64 lower-case hex digits and a NUL (a blob's or an input
 * file's hash, as sha256sum prints it); "" when OpenSSL fails. */
void sha256_hex(const void *data, size_t len, char out[65]);

/* Makes a new Ed25519 key: the private key as PKCS#8 PEM at path (mode 0600), the
 * public key as PEM at path with ".pem" replaced by ".pub.pem" (or ".pub.pem"
 * appended). Refuses to replace existing files; writes each atomically, and leaves
 * neither behind on failure. 0, or -1 with a message in err. */
int key_generate(const char *path, char *err, size_t errlen);

/* The public key path key_generate uses for path, in a malloc'd string (NULL when
 * out of memory). */
char *key_public_path(const char *path);
#endif
