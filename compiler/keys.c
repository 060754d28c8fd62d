/* keys.c - Ed25519 keys for bcpc (see keys.h): PEM loading with the passphrase
 * from the environment, key generation, raw public keys and thumbprints.
 * OpenSSL 3 EVP only; it must never prompt on a terminal (every PEM read gets our
 * callback) and must not accept any key type but Ed25519. */
#include "keys.h"
#include "errmsg.h"
#include "file.h"
#include "bcp.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#define KEY_FILE_MAX (1024 * 1024)
#define PASS_MAX 1024


/* The whole file, NUL-terminated, in a malloc'd buffer; NULL with err set. */
static char *read_small_file(const char *path, size_t *len, char *err, size_t errlen)
{
	char *buf = read_file_malloc(path, KEY_FILE_MAX, len);
	if (!buf)
		errmsg(err, errlen, "cannot read %s: %s", path,
		       errno == EFBIG ? "larger than 1 MiB, not a PEM key" : strerror(errno));
	return buf;
}

static void free_secret(char *buf, size_t len)
{
	if (buf) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
}

/* ---- passphrases ---- */

struct pass_ctx {
	int asked;           /* the key is encrypted: OpenSSL asked for a passphrase */
	int missing;         /* and neither variable was set */
	char err[300];       /* the passphrase file could not be read */
};

/* Reads the passphrase into buf (size bytes); its length, or -1. */
static int passphrase(struct pass_ctx *c, char *buf, size_t size)
{
	const char *env = getenv(KEY_PASSPHRASE_ENV);
	const char *file = getenv(KEY_PASSPHRASE_FILE_ENV);
	size_t n;
	if (env) {
		n = strlen(env);
		if (n >= size)
			return -1;
		memcpy(buf, env, n);
		return (int)n;
	}
	if (!file || !*file) {
		c->missing = 1;
		return -1;
	}
	FILE *f = fopen(file, "r");
	if (!f) {
		snprintf(c->err, sizeof c->err, "cannot read passphrase file %s (%s): %s",
			 file, KEY_PASSPHRASE_FILE_ENV, strerror(errno));
		return -1;
	}
	/* stdio reads through a buffer of ours, so that it can be wiped too. */
	char iobuf[BUFSIZ];
	setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	OPENSSL_cleanse(iobuf, sizeof iobuf);
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return (int)n;
}

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	struct pass_ctx *c = u;
	char tmp[PASS_MAX];
	(void)rwflag;
	c->asked = 1;
	int n = passphrase(c, tmp, sizeof tmp);
	if (n < 0 || n > size) {
		OPENSSL_cleanse(tmp, sizeof tmp);
		return -1;
	}
	memcpy(buf, tmp, (size_t)n);
	OPENSSL_cleanse(tmp, sizeof tmp);
	return n;
}

/* ---- loading ---- */

static int is_ed25519(EVP_PKEY *k)
{
	return k && EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519;
}

static EVP_PKEY *refuse_type(EVP_PKEY *k, const char *path, const char *what, char *err,
			     size_t errlen)
{
	const char *name = EVP_PKEY_get0_type_name(k);
	errmsg(err, errlen, "%s holds a%s %s %s key; bcpc signs with Ed25519 keys only "
	       "(make one with `bcpc keygen` or `openssl genpkey -algorithm ed25519`)", path,
	       name && strchr("AEIOU", name[0]) ? "n" : "", name ? name : "non-Ed25519", what);
	EVP_PKEY_free(k);
	return NULL;
}

/* Decodes a PEM private key from text; path is for messages only. */
static EVP_PKEY *private_from_pem(const char *text, size_t len, const char *path, char *err,
				  size_t errlen)
{
	struct pass_ctx c = { .asked = 0 };
	BIO *bio = BIO_new_mem_buf(text, (int)len);
	EVP_PKEY *k = NULL;
	if (!bio) {
		errmsg(err, errlen, "cannot read %s: out of memory", path);
		return NULL;
	}
	k = PEM_read_bio_PrivateKey_ex(bio, NULL, pass_cb, &c, NULL, NULL);
	BIO_free(bio);
	if (!k) {
		if (c.err[0])
			errmsg(err, errlen, "%s", c.err);
		else if (c.asked && c.missing)
			errmsg(err, errlen, "%s is encrypted: set %s to its passphrase, or %s to a "
			       "file holding it", path, KEY_PASSPHRASE_ENV, KEY_PASSPHRASE_FILE_ENV);
		else if (c.asked)
			errmsg(err, errlen, "cannot decrypt %s: wrong passphrase?", path);
		else
			errmsg(err, errlen, "%s is not a PEM private key", path);
		return NULL;
	}
	ERR_clear_error();
	if (!is_ed25519(k))
		return refuse_type(k, path, "private", err, errlen);
	return k;
}

EVP_PKEY *key_load_private(const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text = read_small_file(path, &len, err, errlen);
	if (!text)
		return NULL;
	EVP_PKEY *k = NULL;
	if (!strstr(text, "PRIVATE KEY-----"))
		errmsg(err, errlen, "%s holds no PEM private key%s", path,
		       strstr(text, "PUBLIC KEY-----") ? " (it is a public key)" : "");
	else
		k = private_from_pem(text, len, path, err, errlen);
	ERR_clear_error();   /* no failure leaves OpenSSL's error queue filled */
	free_secret(text, len);
	return k;
}

EVP_PKEY *key_load_public(const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text = read_small_file(path, &len, err, errlen);
	EVP_PKEY *k = NULL;
	if (!text)
		return NULL;
	if (strstr(text, "-----BEGIN PUBLIC KEY-----")) {
		BIO *bio = BIO_new_mem_buf(text, (int)len);
		struct pass_ctx c = { .asked = 0 };
		k = bio ? PEM_read_bio_PUBKEY_ex(bio, NULL, pass_cb, &c, NULL, NULL) : NULL;
		BIO_free(bio);
		if (!k)
			errmsg(err, errlen, "%s: cannot decode the PEM public key", path);
		else if (!is_ed25519(k))
			k = refuse_type(k, path, "public", err, errlen);
	} else if (strstr(text, "PRIVATE KEY-----")) {
		EVP_PKEY *priv = private_from_pem(text, len, path, err, errlen);
		uint8_t raw[32];
		if (priv && key_raw_public(priv, raw) == 0) {
			k = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, raw, sizeof raw);
			if (!k)
				errmsg(err, errlen, "%s: cannot extract the public key", path);
		}
		EVP_PKEY_free(priv);
	} else {
		errmsg(err, errlen, "%s holds no PEM public or private key", path);
	}
	ERR_clear_error();
	free_secret(text, len);
	return k;
}

int key_raw_public(EVP_PKEY *k, uint8_t out[32])
{
	size_t n = 32;
	if (!is_ed25519(k) || EVP_PKEY_get_raw_public_key(k, out, &n) != 1 || n != 32) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

/* The runtime's computation, so the compiler and the devices cannot disagree. */
int key_thumbprint(const uint8_t pub[32], char out[45])
{
	return bcp_thumbprint(pub, out);
}

/* ---- generation ---- */

char *key_public_path(const char *path)
{
	size_t n = strlen(path);
	char *pub = malloc(n + sizeof ".pub.pem");
	if (!pub)
		return NULL;
	if (n >= 4 && !strcmp(path + n - 4, ".pem"))
		n -= 4;
	memcpy(pub, path, n);
	strcpy(pub + n, ".pub.pem");
	return pub;
}

/* The PEM text a BIO holds. */
static size_t bio_text(BIO *b, const uint8_t **data)
{
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);
	*data = (const uint8_t *)p;
	return n > 0 ? (size_t)n : 0;
}

int key_generate(const char *path, char *err, size_t errlen)
{
	char *pub = key_public_path(path);
	EVP_PKEY *k = NULL;
	BIO *priv_pem = NULL, *pub_pem = NULL;
	const uint8_t *data;
	size_t len;
	struct stat st;
	int rc = -1;

	if (!pub)
		return errmsg(err, errlen, "out of memory");
	/* Check both names first, so that neither file is written when one exists. */
	if (lstat(path, &st) == 0 || lstat(pub, &st) == 0) {
		errmsg(err, errlen, "%s already exists; not replacing a key",
		       lstat(path, &st) == 0 ? path : pub);
		goto out;
	}
	k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	priv_pem = BIO_new(BIO_s_secmem());
	pub_pem = BIO_new(BIO_s_mem());
	if (!k || !priv_pem || !pub_pem ||
	    PEM_write_bio_PrivateKey(priv_pem, k, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_PUBKEY(pub_pem, k) != 1) {
		errmsg(err, errlen, "cannot generate an Ed25519 key");
		goto out;
	}
	len = bio_text(priv_pem, &data);
	if (write_file_atomic_mode(path, data, len, 0600, 1, err, errlen) != 0)
		goto out;
	mode_t mask = umask(0);
	umask(mask);
	len = bio_text(pub_pem, &data);
	if (write_file_atomic_mode(pub, data, len, 0666 & ~(unsigned)mask, 1, err, errlen) != 0) {
		unlink(path);   /* ours: no_replace guarantees we created it */
		goto out;
	}
	rc = 0;
out:
	BIO_free(priv_pem);
	BIO_free(pub_pem);
	EVP_PKEY_free(k);
	free(pub);
	ERR_clear_error();
	return rc;
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	out[0] = '\0';
	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return;
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}
