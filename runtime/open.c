/* open.c - opening and closing a blob: the bytes (read from a file or copied
 * from the caller), the header, the trust anchor, the signature, the serial and
 * the validity window (docs/FORMAT.md checklist #1..#7), then the structural pass
 * (verify.c) and the msgpack sections (settings.c). Also the status texts, the
 * version, the thumbprint and bcp_info.
 *
 * With BCP_OPEN_EXPIRED_DENIES a blob past not_after is not refused but marked
 * expired, and with BCP_OPEN_NOT_YET_VALID_DENIES one before not_before is marked
 * not yet valid (decide.c then denies everything); every other check still refuses.
 *
 * Open is all-or-nothing: on any failure nothing stays allocated and *out is NULL.
 * Nothing of the blob is read beyond the header before the signature has verified,
 * and nothing beyond the directory before the structural pass.
 *
 * The handle owns a private copy of the bytes: a file is read (never mapped) and a
 * caller's buffer is copied, before the first check. Every check and every later
 * decision read that copy and nothing else, so a writer that rewrites, flips or
 * truncates the file (or the caller's buffer) after open can neither change a
 * decision nor crash the process: a mapping of the file would show such writes,
 * which were never verified, and a truncated mapping raises SIGBUS. */
#include "internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

/* The smallest blob: header, directory, signature (checklist #1). */
#define MIN_BLOB (BCPF_HEADER_SIZE + BCPF_NSECTIONS * BCPF_DIRENT_SIZE + BCPF_SIG_SIZE)

/* ---- status texts, version ---- */

static const char *const status_text[] = {
#define BCP_STATUS_TEXT_(name, text) text,
	BCP_STATUSES(BCP_STATUS_TEXT_)
#undef BCP_STATUS_TEXT_
};

const char *bcp_status_str(enum bcp_status code)
{
	if ((unsigned)code >= (unsigned)BCP_STATUS_COUNT)
		return "unknown status";
	return status_text[code];
}

const char *bcp_version(void)
{
	return BCP_VERSION_STRING;
}

enum bcp_status bcpi_fail(struct bcp_error *err, enum bcp_status code, const char *fmt, ...)
{
	va_list ap;
	int n, k;

	if (!err)
		return code;
	err->code = code;
	n = snprintf(err->message, sizeof err->message, "%s: ", bcp_status_str(code));
	if (n < 0 || (size_t)n >= sizeof err->message)
		return code;
	va_start(ap, fmt);
	k = vsnprintf(err->message + n, sizeof err->message - (size_t)n, fmt, ap);
	va_end(ap);
	/* A message that does not fit (a path of hundreds of bytes) says so at its end. */
	if (k < 0 || (size_t)n + (size_t)k >= sizeof err->message)
		memcpy(err->message + sizeof err->message - 4, "...", 4);
	return code;
}

void bcpi_ok(struct bcp_error *err)
{
	if (err) {
		err->code = BCP_OK;
		snprintf(err->message, sizeof err->message, "%s", bcp_status_str(BCP_OK));
	}
}

/* ---- thumbprints ---- */

/* The one computation of a thumbprint (FORMAT.md "Signature"); the compiler calls it
 * too. */
int bcp_thumbprint(const uint8_t pubkey[32], char out[45])
{
	static const uint8_t ed25519_spki_prefix[] = BCPF_ED25519_SPKI_PREFIX;
	uint8_t der[BCPF_ED25519_SPKI_PREFIX_LEN + 32], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (!out)
		return -1;
	out[0] = '\0';
	if (!pubkey)
		return -1;
	memcpy(der, ed25519_spki_prefix, sizeof ed25519_spki_prefix);
	memcpy(der + sizeof ed25519_spki_prefix, pubkey, 32);
	if (EVP_Digest(der, sizeof der, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		ERR_clear_error();
		return -1;
	}
	if (EVP_EncodeBlock((unsigned char *)out, md, 32) != 44) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

static int base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* The canonical base64 of 32 bytes: 43 characters, the last one with its two
 * unused low bits zero, then one '='. Anything else can never equal a thumbprint
 * we compute, so it is a configuration error rather than a silent mismatch. */
int bcp_thumbprint_valid(const char *t)
{
	int i;

	if (!t)
		return 0;
	for (i = 0; i < 43; i++)
		if (base64_value(t[i]) < 0)
			return 0;
	return (base64_value(t[42]) & 3) == 0 && t[43] == '=' && t[44] == '\0';
}

#define OPEN_FLAGS_KNOWN (BCP_OPEN_EXPIRED_DENIES | BCP_OPEN_NOT_YET_VALID_DENIES)

/* The trust anchor from the options, checked before any blob byte is read. */
struct anchor {
	int has_pem;
	uint8_t pem_key[32];
};

static enum bcp_status anchor_load(const struct bcp_open_opts *o, struct anchor *a,
	struct bcp_error *err)
{
	EVP_PKEY *pk;
	BIO *bio;
	size_t i, keylen = sizeof a->pem_key;
	int ok;

	memset(a, 0, sizeof *a);
	if (o->flags & ~OPEN_FLAGS_KNOWN)
		return bcpi_fail(err, BCP_E_ARG, "unknown flags 0x%x in bcp_open_opts",
			(unsigned)(o->flags & ~OPEN_FLAGS_KNOWN));
	if (o->nthumbprints == 0 && !o->pubkey_pem)
		return bcpi_fail(err, BCP_E_TRUST_ANCHOR,
			"no thumbprint and no PEM public key given; at least one is needed");
	if (o->nthumbprints > 0 && !o->thumbprints)
		return bcpi_fail(err, BCP_E_TRUST_ANCHOR,
			"nthumbprints is %zu but thumbprints is NULL", o->nthumbprints);
	for (i = 0; i < o->nthumbprints; i++)
		if (!o->thumbprints[i] || !bcp_thumbprint_valid(o->thumbprints[i]))
			return bcpi_fail(err, BCP_E_TRUST_ANCHOR,
				"thumbprint %zu is not 44 characters of canonical base64 "
				"(SHA-256 of the key's DER SubjectPublicKeyInfo)", i);
	if (!o->pubkey_pem)
		return BCP_OK;

	bio = BIO_new_mem_buf(o->pubkey_pem, -1);
	if (!bio) {
		ERR_clear_error();
		return bcpi_fail(err, BCP_E_NOMEM, "cannot read the PEM public key");
	}
	pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!pk) {
		ERR_clear_error();
		return bcpi_fail(err, BCP_E_TRUST_ANCHOR,
			"pubkey_pem is not a PEM public key (\"-----BEGIN PUBLIC KEY-----\")");
	}
	ok = EVP_PKEY_get_id(pk) == EVP_PKEY_ED25519 &&
		EVP_PKEY_get_raw_public_key(pk, a->pem_key, &keylen) == 1 && keylen == 32;
	EVP_PKEY_free(pk);
	ERR_clear_error();
	if (!ok)
		return bcpi_fail(err, BCP_E_TRUST_ANCHOR, "pubkey_pem is not an Ed25519 public key");
	a->has_pem = 1;
	return BCP_OK;
}

/* ---- time ---- */

/* "2026-12-01T00:00:00Z" for any i64 UNIX time (proleptic Gregorian, UTC), without
 * gmtime: days to civil date after H. Hinnant's chrono algorithms. */
static void format_time(int64_t t, char out[48])
{
	int64_t days = t / 86400, secs = t % 86400, era, doe, yoe, doy, mp, y;
	unsigned m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	if (m <= 2)
		y++;
	snprintf(out, 48, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
		(unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
}

/* ---- checklist #1..#7 ---- */

/* #1, on the length alone: before reading a file or copying a buffer. */
static enum bcp_status check_length(size_t len, struct bcp_error *err)
{
	if (len > BCPF_MAX_BLOB)
		return bcpi_fail(err, BCP_E_TOO_LARGE, "%zu bytes; the limit is %u (FORMAT.md #1)",
			len, (unsigned)BCPF_MAX_BLOB);
	if (len < MIN_BLOB)
		return bcpi_fail(err, BCP_E_TRUNCATED,
			"%zu bytes, shorter than the smallest blob (%d bytes) (FORMAT.md #1)",
			len, MIN_BLOB);
	return BCP_OK;
}

/* #2..#4: the header alone, and nothing after it. */
static enum bcp_status check_header(bcp_blob *b, struct bcp_error *err)
{
	const uint8_t *h = b->data;
	uint64_t total;
	unsigned i;

	if (memcmp(h + BCPF_H_MAGIC, BCPF_MAGIC, 8) != 0)   /* #2 */
		return bcpi_fail(err, BCP_E_MAGIC,
			"first bytes %02x %02x %02x %02x %02x %02x %02x %02x, want "
			"89 42 43 50 0d 0a 1a 0a (FORMAT.md #2)",
			h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
	b->format_version = bcpf_u16(h + BCPF_H_VERSION);   /* #3 */
	if (b->format_version > BCPF_VERSION)
		return bcpi_fail(err, BCP_E_VERSION,
			"format_version %u; this runtime reads version %d (FORMAT.md #3)",
			b->format_version, BCPF_VERSION);
	if (b->format_version == 1 || b->format_version == 2)
		return bcpi_fail(err, BCP_E_VERSION, "format_version %u (before the host index "
			"keyed by whole suffixes) is no longer read: compile the policy again "
			"(FORMAT.md #3)", b->format_version);
	if (b->format_version < BCPF_VERSION_MIN)
		return bcpi_fail(err, BCP_E_HEADER, "format_version %u, want %d..%d (FORMAT.md #3)",
			b->format_version, BCPF_VERSION_MIN, BCPF_VERSION);
	if (bcpf_u16(h + BCPF_H_HEADER_SIZE) != BCPF_HEADER_SIZE)
		return bcpi_fail(err, BCP_E_HEADER, "header_size %u, want %d (FORMAT.md #3)",
			bcpf_u16(h + BCPF_H_HEADER_SIZE), BCPF_HEADER_SIZE);
	if (bcpf_u32(h + BCPF_H_NSECTIONS) != BCPF_NSECTIONS)
		return bcpi_fail(err, BCP_E_HEADER, "section_count %u, want %d (FORMAT.md #3)",
			bcpf_u32(h + BCPF_H_NSECTIONS), BCPF_NSECTIONS);
	if (bcpf_u32(h + BCPF_H_FLAGS) != 0)
		return bcpi_fail(err, BCP_E_HEADER, "flags 0x%x, want 0 (FORMAT.md #3)",
			bcpf_u32(h + BCPF_H_FLAGS));
	for (i = BCPF_H_RESERVED; i < BCPF_HEADER_SIZE; i++)
		if (h[i] != 0)
			return bcpi_fail(err, BCP_E_HEADER,
				"reserved header byte at offset %u is 0x%02x, want 0 (FORMAT.md #3)",
				i, h[i]);
	total = bcpf_u64(h + BCPF_H_TOTAL);   /* #4 */
	if (total > b->size)
		return bcpi_fail(err, BCP_E_TRUNCATED,
			"header says %llu bytes but only %zu are there (FORMAT.md #4)",
			(unsigned long long)total, b->size);
	if (total < b->size)
		return bcpi_fail(err, BCP_E_TRUNCATED,
			"header says %llu bytes but there are %zu: %llu trailing bytes (FORMAT.md #4)",
			(unsigned long long)total, b->size,
			(unsigned long long)(b->size - total));
	b->serial = bcpf_u64(h + BCPF_H_SERIAL);
	b->not_before = (int64_t)bcpf_u64(h + BCPF_H_NOT_BEFORE);
	b->not_after = (int64_t)bcpf_u64(h + BCPF_H_NOT_AFTER);
	b->created = (int64_t)bcpf_u64(h + BCPF_H_CREATED);
	memcpy(b->pubkey, h + BCPF_H_PUBKEY, 32);
	return BCP_OK;
}

/* #5: the embedded key must be one the caller trusts. */
static enum bcp_status check_trust(bcp_blob *b, const struct bcp_open_opts *o,
	const struct anchor *a, struct bcp_error *err)
{
#ifdef BCP_FUZZ_SKIP_SIGNATURE
	return BCP_OK;
#endif
	size_t i;

	if (bcp_thumbprint(b->pubkey, b->thumbprint) != 0)
		return bcpi_fail(err, BCP_E_NOMEM, "cannot compute the key's SHA-256");
	for (i = 0; i < o->nthumbprints; i++)
		if (strcmp(o->thumbprints[i], b->thumbprint) == 0)
			return BCP_OK;
	if (a->has_pem && memcmp(a->pem_key, b->pubkey, 32) == 0)
		return BCP_OK;
	if (a->has_pem && o->nthumbprints == 0)
		return bcpi_fail(err, BCP_E_UNTRUSTED_KEY,
			"its key (thumbprint %s) is not the trusted PEM key (FORMAT.md #5)",
			b->thumbprint);
	return bcpi_fail(err, BCP_E_UNTRUSTED_KEY,
		"its key has thumbprint %s, which is not among the %zu trusted thumbprint(s)%s "
		"(FORMAT.md #5)", b->thumbprint, o->nthumbprints,
		a->has_pem ? " nor the PEM key" : "");
}

/* #6: Ed25519 over the SHA-256 digest of every byte before the signature. SHA-256
 * runs at about twice the speed of the SHA-512 that pure Ed25519 would run over the
 * whole blob, and the signature is over 32 bytes. */
static enum bcp_status check_signature(const bcp_blob *b, struct bcp_error *err)
{
#ifdef BCP_FUZZ_SKIP_SIGNATURE
	return BCP_OK;
#endif
	size_t signed_len = b->size - BCPF_SIG_SIZE;
	EVP_PKEY *pk;
	EVP_MD_CTX *ctx;
	uint8_t md[32];
	unsigned mdlen = 0;
	int rc = -1;

	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, b->pubkey, 32);
	ctx = EVP_MD_CTX_new();
	if (!pk || !ctx)
		rc = -2;
	else if (EVP_Digest(b->data, signed_len, md, &mdlen, EVP_sha256(), NULL) == 1 &&
		 mdlen == sizeof md && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) == 1)
		rc = EVP_DigestVerify(ctx, b->data + signed_len, BCPF_SIG_SIZE, md, sizeof md);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	if (rc == -2)
		return bcpi_fail(err, BCP_E_NOMEM, "cannot set up Ed25519 verification");
	if (rc != 1)
		return bcpi_fail(err, BCP_E_SIGNATURE,
			"the Ed25519 signature at offset %zu does not verify over bytes [0, %zu) "
			"(FORMAT.md #6)", signed_len, signed_len);
	return BCP_OK;
}

/* #7: rollback and validity window. Past not_after with BCP_OPEN_EXPIRED_DENIES the
 * blob is only marked expired, and before not_before with
 * BCP_OPEN_NOT_YET_VALID_DENIES only marked not yet valid; the serial was checked
 * before that, and the structural pass still runs after it. */
static enum bcp_status check_validity(bcp_blob *b, const struct bcp_open_opts *o,
	struct bcp_error *err)
{
	char t1[48], t2[48];

	if (b->serial < o->min_serial)
		return bcpi_fail(err, BCP_E_SERIAL, "serial %llu is below the minimum %llu (FORMAT.md #7)",
			(unsigned long long)b->serial, (unsigned long long)o->min_serial);
	if (o->now < b->not_before && (o->flags & BCP_OPEN_NOT_YET_VALID_DENIES)) {
		b->not_yet_valid = 1;
		return BCP_OK;
	}
	if (o->now < b->not_before) {
		format_time(b->not_before, t1);
		format_time(o->now, t2);
		return bcpi_fail(err, BCP_E_NOT_YET_VALID,
			"not_before %s is after now %s (FORMAT.md #7)", t1, t2);
	}
	if (o->now > b->not_after && (o->flags & BCP_OPEN_EXPIRED_DENIES)) {
		b->expired = 1;
		return BCP_OK;
	}
	if (o->now > b->not_after) {
		format_time(b->not_after, t1);
		format_time(o->now, t2);
		return bcpi_fail(err, BCP_E_EXPIRED, "not_after %s is before now %s (FORMAT.md #7)",
			t1, t2);
	}
	return BCP_OK;
}

/* ---- open, close ---- */

/* BCP_E_IO with the system's words, or BCP_E_NOMEM when the device ran short of
 * memory or handles: that is the device's fault, not the blob's, and bcp_open_state
 * never falls back to an older blob on it. */
static enum bcp_status io_fail(const char *name, const struct bcpi_oserr *e,
	struct bcp_error *err)
{
	return bcpi_fail(err, e->kind == BCPI_OS_NOMEM ? BCP_E_NOMEM : BCP_E_IO, "%s: %s", name,
		e->text);
}

void bcp_close(bcp_blob *b)
{
	if (!b)
		return;
	bcpi_settings_free(b);
	bcpi_hints_free(b);
	free(b->owned);
	free(b);
}

/* Takes ownership of bytes, the private copy (malloc'd, size bytes): on failure it
 * is freed. */
static enum bcp_status open_bytes(uint8_t *bytes, size_t size, const struct bcp_open_opts *o,
	const struct anchor *a, bcp_blob **out, struct bcp_error *err)
{
	enum bcp_status st;
	bcp_blob *b = calloc(1, sizeof *b);

	if (!b) {
		free(bytes);
		return bcpi_fail(err, BCP_E_NOMEM, "cannot allocate the blob handle");
	}
	b->data = bytes;
	b->size = size;
	b->owned = bytes;
	if ((st = check_header(b, err)) != BCP_OK ||
	    (st = check_trust(b, o, a, err)) != BCP_OK ||
	    (st = check_signature(b, err)) != BCP_OK ||
	    (st = check_validity(b, o, err)) != BCP_OK ||
	    (st = bcpi_verify_structure(b, err)) != BCP_OK ||
	    (st = bcpi_hints_build(b, err)) != BCP_OK ||
	    (st = bcpi_settings_decode(b, err)) != BCP_OK) {
		bcp_close(b);
		return st;
	}
	*out = b;
	bcpi_ok(err);
	return BCP_OK;
}

enum bcp_status bcp_open_buffer(const void *buf, size_t len, const struct bcp_open_opts *opts,
	bcp_blob **out, struct bcp_error *err)
{
	struct anchor a;
	enum bcp_status st;
	uint8_t *copy;

	if (out)
		*out = NULL;
	if (!buf || !opts || !out)
		return bcpi_fail(err, BCP_E_ARG, "bcp_open_buffer needs buf, opts and out");
	if ((st = anchor_load(opts, &a, err)) != BCP_OK || (st = check_length(len, err)) != BCP_OK)
		return st;
	if (!(copy = bcpi_os_alloc_copy(len)))
		return bcpi_fail(err, BCP_E_NOMEM, "cannot allocate %zu bytes for the blob", len);
	memcpy(copy, buf, len);
	return open_bytes(copy, len, opts, &a, out, err);
}

/* Reads size bytes of the open file f into a new private buffer. A file that ends
 * early (truncated while we read) is BCP_E_TRUNCATED; bytes past size (it grew) are
 * not read: what was read is what gets verified. */
static enum bcp_status read_all(bcpi_file *f, const char *name, size_t size, uint8_t **out,
	struct bcp_error *err)
{
	struct bcpi_oserr e;
	uint8_t *p = bcpi_os_alloc_copy(size);
	size_t got = 0;
	long long n;

	*out = NULL;
	if (!p)
		return bcpi_fail(err, BCP_E_NOMEM, "cannot allocate %zu bytes to read %s",
			size, name);
	while (got < size) {
		n = bcpi_os_read(f, p + got, size - got, &e);
		if (n < 0) {
			free(p);
			return io_fail(name, &e, err);
		}
		if (n == 0) {
			free(p);
			return bcpi_fail(err, BCP_E_TRUNCATED, "%s ended after %zu of its %zu bytes "
				"while it was read (changed during the open?)", name, got, size);
		}
		got += (size_t)n;
	}
	*out = p;
	return BCP_OK;
}

/* Reads the regular file open on f (which it closes) into private memory and opens
 * it; name is for messages. The trust anchor was checked. With owner_only (files of
 * the state folder) the file must be ours and owner-only, else BCP_E_STATE. */
static enum bcp_status open_file(bcpi_file *f, const char *name, int owner_only,
	const struct bcp_open_opts *opts, const struct anchor *a, bcp_blob **out,
	struct bcp_error *err)
{
	enum bcp_status st;
	struct bcpi_finfo fi;
	struct bcpi_oserr e;
	uint8_t *bytes = NULL;

	if (bcpi_os_fstat(f, owner_only, &fi, &e) != 0) {
		st = io_fail(name, &e, err);
		bcpi_os_close(f, &e);
		return st;
	}
	if (fi.type != BCPI_FT_REGULAR)
		st = bcpi_fail(err, BCP_E_IO, "%s is not a regular file", name);
	else if (owner_only && (st = bcpi_check_owner(&fi, name, err)) != BCP_OK)
		;
	/* #1 before reading: a huge file is refused without touching it. */
	else if (fi.size > BCPF_MAX_BLOB)
		st = bcpi_fail(err, BCP_E_TOO_LARGE, "%s is %llu bytes; the limit is %u "
			"(FORMAT.md #1)", name, (unsigned long long)fi.size, (unsigned)BCPF_MAX_BLOB);
	else if ((st = check_length((size_t)fi.size, err)) == BCP_OK)
		st = read_all(f, name, (size_t)fi.size, &bytes, err);
	bcpi_os_close(f, &e);
	if (st != BCP_OK)
		return st;
	return open_bytes(bytes, (size_t)fi.size, opts, a, out, err);
}

enum bcp_status bcp_open_file(const char *path, const struct bcp_open_opts *opts,
	bcp_blob **out, struct bcp_error *err)
{
	struct bcpi_oserr e;
	struct anchor a;
	enum bcp_status st;
	bcpi_file f;

	if (out)
		*out = NULL;
	if (!path || !opts || !out)
		return bcpi_fail(err, BCP_E_ARG, "bcp_open_file needs path, opts and out");
	if ((st = anchor_load(opts, &a, err)) != BCP_OK)
		return st;
	if (bcpi_os_open_read(NULL, path, &f, &e) != 0)
		return io_fail(path, &e, err);
	return open_file(&f, path, 0, opts, &a, out, err);
}

enum bcp_status bcpi_open_at(const bcpi_dir *d, const char *name,
	const struct bcp_open_opts *opts, bcp_blob **out, struct bcp_error *err)
{
	struct bcpi_oserr e;
	struct anchor a;
	enum bcp_status st;
	bcpi_file f;

	*out = NULL;
	if ((st = anchor_load(opts, &a, err)) != BCP_OK)
		return st;
	if (bcpi_os_open_read(d, name, &f, &e) != 0)
		return e.kind != BCPI_OS_LINK ? io_fail(name, &e, err) :
			bcpi_fail(err, BCP_E_IO, "%s is a symbolic link; the state folder holds "
				"only regular files", name);
	return open_file(&f, name, 1, opts, &a, out, err);
}

/* ---- what the header says ---- */

void bcp_info(const bcp_blob *b, struct bcp_info *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof *out);
	if (!b)
		return;
	out->format_version = b->format_version;
	out->serial = b->serial;
	out->not_before = b->not_before;
	out->not_after = b->not_after;
	out->created = b->created;
	memcpy(out->pubkey, b->pubkey, sizeof out->pubkey);
	memcpy(out->thumbprint, b->thumbprint, sizeof out->thumbprint);
	out->tenant = b->tenant;
	out->nsegments = b->nsegments;
	out->nrules = b->nrules;
	out->nprofiles = b->nprofiles;
	out->nhost_patterns = b->nhost_patterns;
	out->naddr_patterns = b->naddr_patterns;
	out->expired = b->expired;
	out->not_yet_valid = b->not_yet_valid;
}
