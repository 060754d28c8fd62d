/* test_blob.c - unit tests for the blob writer, the lowering and the keys
 * (compiler/blob.c, lower.c, keys.c): determinism, header, directory, signature,
 * the tables of examples/acme, thumbprints against the openssl CLI, encrypted keys,
 * atomic writes (support/file.c). A standalone program on a tiny harness, run from the repository
 * root; it ends with one "N passed, M failed" line. It reads blobs only through
 * bcp_format.h and its own few lines of lookup code, never through the runtime. */
#include "blob.h"
#include "file.h"
#include "frontend.h"
#include "keys.h"
#include "bcp_format.h"
#include <dirent.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include "harness.h"


static char tmpdir[256];

static char *tmp_path(const char *name)
{
	static char buf[8][512];
	static int next;
	char *p = buf[next++ % 8];
	snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
	return p;
}

/* The first line of a shell command's output, newline stripped ("" on failure). */
static void run_line(const char *cmd, char *out, size_t n)
{
	FILE *f = popen(cmd, "r");
	out[0] = '\0';
	if (!f)
		return;
	if (!fgets(out, (int)n, f))
		out[0] = '\0';
	pclose(f);
	out[strcspn(out, "\r\n")] = '\0';
}

static int read_whole(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	*len = fread(buf, 1, cap, f);
	fclose(f);
	return 0;
}

/* Number of entries in tmpdir whose name starts with prefix. */
static int count_entries(const char *prefix)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    !strncmp(e->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

/* ---- reading a blob, just enough to test it ---- */

static const uint8_t *sec(const uint8_t *b, int id, size_t *len)
{
	const uint8_t *d = b + BCPF_HEADER_SIZE + (size_t)(id - 1) * BCPF_DIRENT_SIZE;
	*len = (size_t)bcpf_u64(d + 16);
	return b + bcpf_u64(d + 8);
}

static int str_eq(const uint8_t *b, uint32_t ref, const char *s)
{
	size_t n;
	const uint8_t *strings = sec(b, BCPF_S_STRINGS, &n);
	if (ref == BCPF_NONE || ref + 3 > n)
		return 0;
	size_t len = bcpf_u16(strings + ref);
	return len == strlen(s) && !memcmp(strings + ref + 2, s, len) && strings[ref + 2 + len] == 0;
}

static uint32_t segment_named(const uint8_t *b, const char *name)
{
	size_t n;
	const uint8_t *s = sec(b, BCPF_S_SEGMENTS, &n);
	for (uint32_t i = 0; i < bcpf_u32(s); i++)
		if (str_eq(b, bcpf_u32(s + 8 + (size_t)i * BCPF_SEGMENT_SIZE), name))
			return i;
	return BCPF_NONE;
}

static const uint8_t *rule_named(const uint8_t *b, const char *name)
{
	size_t n;
	const uint8_t *s = sec(b, BCPF_S_RULES, &n);
	for (uint32_t i = 0; i < bcpf_u32(s); i++)
		if (str_eq(b, bcpf_u32(s + 8 + (size_t)i * BCPF_RULE_SIZE), name))
			return s + 8 + (size_t)i * BCPF_RULE_SIZE;
	return NULL;
}

/* A hash lookup as FORMAT.md describes it: the item the slot holds, or 0. */
typedef int (*slot_is_fn)(const uint8_t *b, uint32_t item, const void *key);

static uint32_t probe(const uint8_t *b, const uint8_t *slots, size_t slot_size, uint32_t nslots,
		      uint32_t max_probe, uint64_t h, slot_is_fn is, const void *key)
{
	uint32_t pos = bcpf_hash_slot(h, nslots);
	for (uint32_t i = 0; i <= max_probe; i++, pos = (pos + 1) % nslots) {
		uint32_t v = bcpf_u32(slots + (size_t)pos * slot_size);
		if (!v)
			return 0;
		if (is(b, v, key))
			return v;
	}
	return 0;
}

struct node_key {
	uint32_t parent;
	const char *label;
};

static int node_is(const uint8_t *b, uint32_t node, const void *key)
{
	const struct node_key *k = key;
	size_t n;
	const uint8_t *r = sec(b, BCPF_S_HOST_NODES, &n) + 8 + (size_t)node * BCPF_NODE_SIZE;
	return bcpf_u32(r) == k->parent && str_eq(b, bcpf_u32(r + 4), k->label);
}

/* The node in host_index slots with key h and the tag of h, or 0. */
static uint32_t host_probe(const uint8_t *hi, uint64_t h, const struct node_key *k,
			   const uint8_t *b)
{
	uint32_t nslots = bcpf_u32(hi), max_probe = bcpf_u32(hi + 4);
	uint32_t pos = bcpf_hash_slot(h, nslots);
	for (uint32_t i = 0; i <= max_probe; i++, pos = (pos + 1) % nslots) {
		const uint8_t *s = hi + BCPF_HASH_HDR + (size_t)pos * BCPF_HOST_SLOT;
		if (!bcpf_u32(s))
			return 0;
		if (bcpf_u32(s + 4) == bcpf_host_tag(h) && node_is(b, bcpf_u32(s), k))
			return bcpf_u32(s);
	}
	return 0;
}

/* The node of a host name (no wildcard), or 0: keys chained from the root. */
static uint32_t host_node(const uint8_t *b, const char *name)
{
	size_t n;
	const uint8_t *hi = sec(b, BCPF_S_HOST_INDEX, &n);
	char labels[256];
	uint32_t node = 0;
	uint64_t h = bcpf_u64(hi + 8);
	snprintf(labels, sizeof labels, "%s", name);
	for (;;) {
		char *dot = strrchr(labels, '.');
		struct node_key k = { node, dot ? dot + 1 : labels };
		h = bcpf_hash_suffix(h, k.label, strlen(k.label));
		node = host_probe(hi, h, &k, b);
		if (!node || !dot)
			return node;
		*dot = '\0';
	}
}

static uint32_t node_field(const uint8_t *b, uint32_t node, int off)
{
	size_t n;
	return bcpf_u32(sec(b, BCPF_S_HOST_NODES, &n) + 8 + (size_t)node * BCPF_NODE_SIZE + off);
}

/* The segments of a segref, as names joined by ','. */
static void segref_names(const uint8_t *b, uint32_t ref, char *out, size_t cap)
{
	size_t n, sn;
	const uint8_t *segs = sec(b, BCPF_S_SEGMENTS, &sn);
	uint32_t ids[16], nids = 0;
	out[0] = '\0';
	if (ref == BCPF_NONE)
		return;
	if (ref & BCPF_SEGLIST) {
		const uint8_t *w = sec(b, BCPF_S_SEGLISTS, &n) + 4 * (size_t)(ref & ~BCPF_SEGLIST);
		nids = bcpf_u32(w);
		for (uint32_t i = 0; i < nids && i < 16; i++)
			ids[i] = bcpf_u32(w + 4 + 4 * i);
	} else {
		ids[nids++] = ref;
	}
	for (uint32_t i = 0; i < nids && i < 16; i++) {
		size_t sl;
		const uint8_t *strings = sec(b, BCPF_S_STRINGS, &sl);
		uint32_t name = bcpf_u32(segs + 8 + (size_t)ids[i] * BCPF_SEGMENT_SIZE);
		size_t len = strlen(out);
		snprintf(out + len, cap - len, "%s%.*s", i ? "," : "", (int)bcpf_u16(strings + name),
			 (const char *)strings + name + 2);
	}
}

/* The segref of an IPv4 prefix, or BCPF_NONE. */
static uint32_t addr4_segref(const uint8_t *b, const uint8_t net[4], uint8_t len)
{
	size_t n;
	const uint8_t *a = sec(b, BCPF_S_ADDR4, &n);
	uint32_t nslots = bcpf_u32(a), max_probe = bcpf_u32(a + 4);
	uint32_t want = (uint32_t)net[0] << 24 | (uint32_t)net[1] << 16 | (uint32_t)net[2] << 8 |
		net[3];
	uint32_t pos = bcpf_hash_slot(bcpf_hash_addr4(bcpf_u64(a + 8), len, want), nslots);
	for (uint32_t i = 0; i <= max_probe; i++, pos = (pos + 1) % nslots) {
		const uint8_t *s = a + BCPF_ADDR4_HDR + (size_t)pos * BCPF_ADDR4_SLOT;
		if (!s[9])
			return BCPF_NONE;
		if (bcpf_u32(s) == want && s[8] == len)
			return bcpf_u32(s + 4);
	}
	return BCPF_NONE;
}

struct pred_key {
	uint8_t kind;
	const char *attr, *value;
};

static int pred_is(const uint8_t *b, uint32_t v, const void *key)
{
	const struct pred_key *k = key;
	size_t n;
	const uint8_t *r = sec(b, BCPF_S_PREDICATES, &n) + BCPF_PRED_HDR + (size_t)(v - 1) * BCPF_PRED_SIZE;
	return r[0] == k->kind && (k->attr ? str_eq(b, bcpf_u32(r + 4), k->attr) :
		bcpf_u32(r + 4) == BCPF_NONE) && str_eq(b, bcpf_u32(r + 8), k->value);
}

static uint32_t pred_find(const uint8_t *b, uint8_t kind, const char *attr, const char *value)
{
	size_t n;
	const uint8_t *p = sec(b, BCPF_S_PREDICATES, &n);
	struct pred_key k = { kind, attr, value };
	uint64_t h = bcpf_hash_start(bcpf_u64(p + 16), kind);
	if (attr)
		h = bcpf_hash_bytes(h, attr, strlen(attr));
	h = bcpf_hash_bytes(h, "\xff", 1);
	h = bcpf_hash_bytes(h, value, strlen(value));
	return probe(b, p + BCPF_PRED_HDR + (size_t)bcpf_u32(p) * BCPF_PRED_SIZE, 4, bcpf_u32(p + 4),
		     bcpf_u32(p + 8), h, pred_is, &k);
}

/* ---- the tests ---- */

static void test_key_files(void)
{
	char err[512];
	struct stat st;
	char *pub = key_public_path("a/b.pem");
	CHECK(pub && !strcmp(pub, "a/b.pub.pem"));
	free(pub);
	pub = key_public_path("key");
	CHECK(pub && !strcmp(pub, "key.pub.pem"));
	free(pub);

	CHECK(key_generate(tmp_path("signer.pem"), err, sizeof err) == 0);
	CHECK(stat(tmp_path("signer.pem"), &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(stat(tmp_path("signer.pub.pem"), &st) == 0);
	CHECK(key_generate(tmp_path("signer.pem"), err, sizeof err) != 0 && strstr(err, "exists"));
	CHECK(count_entries(".") == 0);

	EVP_PKEY *priv = key_load_private(tmp_path("signer.pem"), err, sizeof err);
	EVP_PKEY *pk1 = key_load_public(tmp_path("signer.pub.pem"), err, sizeof err);
	EVP_PKEY *pk2 = key_load_public(tmp_path("signer.pem"), err, sizeof err);
	uint8_t r0[32], r1[32], r2[32];
	CHECK(priv && pk1 && pk2);
	CHECK(key_raw_public(priv, r0) == 0 && key_raw_public(pk1, r1) == 0 &&
	      key_raw_public(pk2, r2) == 0);
	CHECK(!memcmp(r0, r1, 32) && !memcmp(r0, r2, 32));
	CHECK(key_load_private(tmp_path("signer.pub.pem"), err, sizeof err) == NULL);
	CHECK(key_load_private(tmp_path("missing.pem"), err, sizeof err) == NULL);

	/* The thumbprint must equal what FORMAT.md's openssl pipeline prints. */
	char tp[45], cli[128], cmd[1024];
	CHECK(key_thumbprint(r1, tp) == 0 && strlen(tp) == 44);
	snprintf(cmd, sizeof cmd, "openssl pkey -pubin -in '%s' -outform DER | "
		 "openssl dgst -sha256 -binary | base64", tmp_path("signer.pub.pem"));
	run_line(cmd, cli, sizeof cli);
	CHECK(!strcmp(tp, cli));
	if (strcmp(tp, cli))
		printf("    ours %s, openssl %s\n", tp, cli);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pk1);
	EVP_PKEY_free(pk2);
}

static void test_encrypted_key(void)
{
	char err[512], cmd[1024];
	EVP_PKEY *k;
	snprintf(cmd, sizeof cmd, "openssl genpkey -algorithm ed25519 -aes-256-cbc -pass pass:secret "
		 "-out '%s' 2>/dev/null", tmp_path("enc.pem"));
	CHECK(system(cmd) == 0);
	unsetenv(KEY_PASSPHRASE_ENV);
	unsetenv(KEY_PASSPHRASE_FILE_ENV);
	k = key_load_private(tmp_path("enc.pem"), err, sizeof err);
	CHECK(k == NULL && strstr(err, "encrypted") && strstr(err, KEY_PASSPHRASE_ENV));
	EVP_PKEY_free(k);

	setenv(KEY_PASSPHRASE_ENV, "secret", 1);
	k = key_load_private(tmp_path("enc.pem"), err, sizeof err);
	CHECK(k != NULL);
	EVP_PKEY_free(k);
	k = key_load_public(tmp_path("enc.pem"), err, sizeof err);
	CHECK(k != NULL);
	EVP_PKEY_free(k);

	setenv(KEY_PASSPHRASE_ENV, "wrong", 1);
	k = key_load_private(tmp_path("enc.pem"), err, sizeof err);
	CHECK(k == NULL && strstr(err, "passphrase"));
	EVP_PKEY_free(k);
	unsetenv(KEY_PASSPHRASE_ENV);

	FILE *f = fopen(tmp_path("pass.txt"), "w");
	if (f) {
		fputs("secret\nignored second line\n", f);
		fclose(f);
	}
	setenv(KEY_PASSPHRASE_FILE_ENV, tmp_path("pass.txt"), 1);
	k = key_load_private(tmp_path("enc.pem"), err, sizeof err);
	CHECK(k != NULL);
	EVP_PKEY_free(k);
	setenv(KEY_PASSPHRASE_FILE_ENV, tmp_path("no-such-file"), 1);
	k = key_load_private(tmp_path("enc.pem"), err, sizeof err);
	CHECK(k == NULL && strstr(err, "no-such-file"));
	EVP_PKEY_free(k);
	unsetenv(KEY_PASSPHRASE_FILE_ENV);

	/* Other key types are refused by name. */
	snprintf(cmd, sizeof cmd, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
		 "-out '%s' 2>/dev/null", tmp_path("ec.pem"));
	CHECK(system(cmd) == 0);
	k = key_load_private(tmp_path("ec.pem"), err, sizeof err);
	CHECK(k == NULL && strstr(err, "Ed25519") && strstr(err, "EC"));
	EVP_PKEY_free(k);
}

static int verify_sig(EVP_PKEY *pub, const uint8_t *b, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t md[32];
	int ok = ctx && SHA256(b, len - 64, md) == md &&
		 EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pub) == 1 &&
		 EVP_DigestVerify(ctx, b + len - 64, 64, md, 32) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

static void test_header_and_signature(const uint8_t *b, size_t len, const struct blob_opts *o,
				      EVP_PKEY *pub)
{
	uint8_t raw[32];
	CHECK(len > 600 && len % 8 == 0);
	CHECK(!memcmp(b, "\x89" "BCP\r\n\x1a\n", 8));
	CHECK(bcpf_u16(b + BCPF_H_VERSION) == BCPF_VERSION);
	/* The public header's version is the written one; bcp_info reports it. */
	CHECK(bcpf_u16(b + BCPF_H_VERSION) == BCP_FORMAT_VERSION);
	{
		char tp[45];
		const char *tps[] = { tp };
		struct bcp_open_opts oo = { tps, 1, NULL, o->not_before, 0, 0 };
		struct bcp_info info;
		bcp_blob *opened = NULL;
		uint8_t key32[32];
		CHECK(key_raw_public(pub, key32) == 0 && bcp_thumbprint(key32, tp) == 0);
		CHECK(bcp_open_buffer(b, len, &oo, &opened, NULL) == BCP_OK);
		if (opened) {
			bcp_info(opened, &info);
			CHECK(info.format_version == BCP_FORMAT_VERSION);
		}
		bcp_close(opened);
	}
	CHECK(bcpf_u16(b + BCPF_H_HEADER_SIZE) == 128);
	CHECK(bcpf_u32(b + BCPF_H_NSECTIONS) == 17);
	CHECK(bcpf_u64(b + BCPF_H_TOTAL) == len);
	CHECK(bcpf_u64(b + BCPF_H_SERIAL) == o->serial);
	CHECK((int64_t)bcpf_u64(b + BCPF_H_NOT_BEFORE) == o->not_before);
	CHECK((int64_t)bcpf_u64(b + BCPF_H_NOT_AFTER) == o->not_after);
	CHECK((int64_t)bcpf_u64(b + BCPF_H_CREATED) == o->created);
	CHECK(key_raw_public(pub, raw) == 0 && !memcmp(b + BCPF_H_PUBKEY, raw, 32));
	int zero = bcpf_u32(b + BCPF_H_FLAGS) == 0;
	for (int i = BCPF_H_RESERVED; i < 128; i++)
		zero &= b[i] == 0;
	CHECK(zero);

	/* The directory: ids 1..17 in order, contiguous at 8-byte boundaries, zero padding. */
	uint64_t at = 536;
	int dir_ok = 1, pad_ok = 1;
	for (int id = 1; id <= 17; id++) {
		const uint8_t *d = b + 128 + (id - 1) * 24;
		uint64_t off = bcpf_u64(d + 8), l = bcpf_u64(d + 16);
		dir_ok &= bcpf_u32(d) == (uint32_t)id && bcpf_u32(d + 4) == 0 && off == at;
		for (uint64_t p = off + l; p < ((off + l + 7) & ~7ull); p++)
			pad_ok &= b[p] == 0;
		at = (off + l + 7) & ~7ull;
	}
	CHECK(dir_ok);
	CHECK(pad_ok);
	CHECK(at + 64 == len);

	CHECK(verify_sig(pub, b, len));
	uint8_t *copy = malloc(len);
	if (!copy)
		return;
	int flips_refused = 1;
	size_t spots[] = { 0, 30, 600, len / 2, len - 65, len - 64, len - 1 };
	for (size_t i = 0; i < sizeof spots / sizeof *spots; i++) {
		memcpy(copy, b, len);
		copy[spots[i]] ^= 0x01;
		flips_refused &= !verify_sig(pub, copy, len);
	}
	CHECK(flips_refused);
	free(copy);
}

/* What examples/acme must lower to. */
static void test_acme_tables(const uint8_t *b)
{
	size_t n;
	char names[256];
	const uint8_t *s = sec(b, BCPF_S_STRINGS, &n);
	CHECK(n >= 3 && s[0] == 0 && s[1] == 0 && s[2] == 0);

	s = sec(b, BCPF_S_SEGMENTS, &n);
	CHECK(bcpf_u32(s) == 20 && n == 8 + 20 * 20);   /* 21 declared, Staging disabled */
	CHECK(segment_named(b, "Staging") == BCPF_NONE);
	CHECK(segment_named(b, "SAP-Web") == 0 && segment_named(b, "Intranet") == 10);

	/* Nodes: root first, parents first, labels lower-case. */
	s = sec(b, BCPF_S_HOST_NODES, &n);
	uint32_t nnodes = bcpf_u32(s);
	int nodes_ok = n == 8 + (size_t)nnodes * 16 && bcpf_u32(s + 8) == BCPF_NONE &&
		       bcpf_u32(s + 12) == BCPF_NONE;
	for (uint32_t i = 1; i < nnodes; i++)
		nodes_ok &= bcpf_u32(s + 8 + 16 * i) < i;
	CHECK(nodes_ok);
	CHECK(bcpf_u32(s + 4) == 4);   /* *.dev.sap.acme.example: node dev.sap.acme.example */

	uint32_t node = host_node(b, "sap.acme.example");
	CHECK(node != 0);
	segref_names(b, node_field(b, node, 8), names, sizeof names);
	CHECK(!strcmp(names, "SAP-Web"));
	segref_names(b, node_field(b, node, 12), names, sizeof names);
	CHECK(!strcmp(names, "SAP-Web,SAP-GUI"));
	node = host_node(b, "acme.example");
	segref_names(b, node_field(b, node, 12), names, sizeof names);
	CHECK(node != 0 && !strcmp(names, "Corp-Web"));
	CHECK(node_field(b, node, 8) == BCPF_NONE);
	node = host_node(b, "staging.acme.example");
	CHECK(node == 0);   /* only the disabled segment named it */
	CHECK(host_node(b, "example") != 0 && host_node(b, "nowhere.example") == 0);

	const uint8_t net[4] = { 10, 20, 0, 0 }, dns[4] = { 10, 0, 0, 53 };
	segref_names(b, addr4_segref(b, net, 16), names, sizeof names);
	CHECK(!strcmp(names, "SAP-GUI"));
	segref_names(b, addr4_segref(b, dns, 32), names, sizeof names);
	CHECK(!strcmp(names, "DNS"));
	CHECK(addr4_segref(b, net, 24) == BCPF_NONE);
	s = sec(b, BCPF_S_ADDR4, &n);
	CHECK(bcpf_u64(s + 16) == ((1ull << 16) | (1ull << 24) | (1ull << 14) | (1ull << 20) |
				   (1ull << 22) | (1ull << 32)));

	/* Rules: segment clauses became rule_segs, user clauses became clauses. */
	s = sec(b, BCPF_S_RULES, &n);
	CHECK(bcpf_u32(s) == 14);
	const uint8_t *r = rule_named(b, "Embargoed countries");
	CHECK(r && r[11] == 1 && bcpf_u32(r + 16) == 0 && bcpf_u16(r + 8) == 1 && r[10] == 0);
	r = rule_named(b, "No isolation to Finance");
	CHECK(r && r[11] == 0 && bcpf_u32(r + 16) == 5 && bcpf_u16(r + 8) == 1);
	r = rule_named(b, "Infrastructure admins");
	const uint8_t *rs = sec(b, BCPF_S_RULE_SEGS, &n);
	CHECK(r && bcpf_u32(r + 16) == 3 &&
	      bcpf_u32(rs + 4 * bcpf_u32(r + 12)) == segment_named(b, "DNS") &&
	      bcpf_u32(rs + 4 * bcpf_u32(r + 12) + 4) == segment_named(b, "Printers") &&
	      bcpf_u32(rs + 4 * bcpf_u32(r + 12) + 8) == segment_named(b, "Monitoring"));
	r = rule_named(b, "Default deny");
	CHECK(r && r[11] == 1 && bcpf_u16(r + 8) == 0);
	r = rule_named(b, "Engineering");
	s = sec(b, BCPF_S_CLAUSES, &n);
	CHECK(r && bcpf_u16(r + 8) == 3 && bcpf_u32(r + 16) == 5);
	if (r) {
		const uint8_t *c = s + 8 + 8 * (size_t)(bcpf_u32(r + 4) + 2);
		CHECK(c[6] == 1 && bcpf_u16(c + 4) == 1);   /* not client_type browser_isolation */
		c = s + 8 + 8 * (size_t)bcpf_u32(r + 4);
		CHECK(c[6] == 0 && bcpf_u16(c + 4) == 2);   /* saml department or scim_group */
	}

	CHECK(pred_find(b, BCPF_P_COUNTRY, NULL, "KP") != 0);
	CHECK(pred_find(b, BCPF_P_SAML, "employeeType", "contractor") != 0);
	CHECK(pred_find(b, BCPF_P_SCIM, "employeeType", "intern") != 0);
	CHECK(pred_find(b, BCPF_P_PLATFORM, NULL, "windows") != 0);
	CHECK(pred_find(b, BCPF_P_SCIM_GROUP, NULL, "SRE") != 0);
	CHECK(pred_find(b, BCPF_P_SCIM_GROUP, NULL, "Nobody") == 0);
	CHECK(pred_find(b, BCPF_P_IDP, NULL, "KP") == 0);

	s = sec(b, BCPF_S_PROFILES, &n);
	CHECK(bcpf_u32(s) == 2 && str_eq(b, bcpf_u32(s + 8), "Windows-Managed") &&
	      bcpf_u16(s + 16) == 1 && bcpf_u16(s + 28) == 0);

	/* The settings decode as msgpack with the documented keys. */
	msgpack_unpacked u;
	size_t off = 0;
	s = sec(b, BCPF_S_SETTINGS, &n);
	msgpack_unpacked_init(&u);
	int ok = msgpack_unpack_next(&u, (const char *)s, n, &off) == MSGPACK_UNPACK_SUCCESS &&
		 off == n && u.data.type == MSGPACK_OBJECT_MAP && u.data.via.map.size == 12;
	CHECK(ok);
	if (ok) {
		const msgpack_object_kv *kv = u.data.via.map.ptr;
		CHECK(kv[0].key.via.str.size == 6 && !memcmp(kv[0].key.via.str.ptr, "tenant", 6) &&
		      kv[0].val.type == MSGPACK_OBJECT_STR && kv[0].val.via.str.size == 4);
		CHECK(kv[1].val.type == MSGPACK_OBJECT_BOOLEAN && kv[1].val.via.boolean);
		CHECK(kv[7].val.type == MSGPACK_OBJECT_BIN && kv[7].val.via.bin.size > 100);
		CHECK(kv[8].val.type == MSGPACK_OBJECT_POSITIVE_INTEGER && kv[8].val.via.u64 == 120);
	}
	off = 0;
	s = sec(b, BCPF_S_PROFILE_SETTINGS, &n);
	ok = msgpack_unpack_next(&u, (const char *)s, n, &off) == MSGPACK_UNPACK_SUCCESS &&
	     off == n && u.data.type == MSGPACK_OBJECT_ARRAY && u.data.via.array.size == 2;
	CHECK(ok);
	if (ok) {
		const msgpack_object *p0 = &u.data.via.array.ptr[0];
		CHECK(p0->type == MSGPACK_OBJECT_ARRAY && p0->via.array.size == 4 &&
		      p0->via.array.ptr[0].via.array.size == 3 &&
		      p0->via.array.ptr[0].via.array.ptr[2].via.u64 == 8 * 3600);
	}
	msgpack_unpacked_destroy(&u);
}

static void test_atomic_write(const uint8_t *b, size_t len)
{
	char err[512];
	static uint8_t back[1 << 16];
	size_t n = 0;
	CHECK(write_file_atomic(tmp_path("out.bcp"), b, len, err, sizeof err) == 0);
	CHECK(read_whole(tmp_path("out.bcp"), back, sizeof back, &n) == 0 && n == len &&
	      !memcmp(back, b, len));
	CHECK(write_file_atomic(tmp_path("out.bcp"), (const uint8_t *)"new", 3, err, sizeof err) == 0);
	CHECK(read_whole(tmp_path("out.bcp"), back, sizeof back, &n) == 0 && n == 3);
	CHECK(count_entries(".") == 0);

	/* Failures leave the old file and no temporary file. */
	CHECK(write_file_atomic_mode(tmp_path("out.bcp"), b, len, 0644, 1, err, sizeof err) != 0);
	CHECK(read_whole(tmp_path("out.bcp"), back, sizeof back, &n) == 0 && n == 3);
	CHECK(mkdir(tmp_path("adir"), 0700) == 0);
	CHECK(write_file_atomic(tmp_path("adir"), b, len, err, sizeof err) != 0);
	CHECK(write_file_atomic(tmp_path("no/such/dir/x.bcp"), b, len, err, sizeof err) != 0);
	CHECK(count_entries(".") == 0);
	rmdir(tmp_path("adir"));
}

/* Keys that differ only in their last bytes (consecutive addresses, numbered names)
 * are common in real policies; the hash tables must still place them in tables of
 * about 1.25 slots per key, within BCPF_MAX_PROBE. */
static void test_similar_keys(EVP_PKEY *key)
{
	const int n = 300;
	FILE *f = fopen(tmp_path("similar.bcl"), "w");
	if (!f) {
		CHECK(0);
		return;
	}
	fprintf(f, "segment_group \"G\";\nsegment \"S\" { group \"G\"; tcp 443;\n domains ");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s\"h%d.example\"", i ? ", " : "", i);
	fprintf(f, ";\n addresses ");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s10.1.%d.%d", i ? ", " : "", i / 256, i % 256);
	fprintf(f, ";\n}\naccess_policy {\n rule \"R\" allow {\n  segment \"S\";\n  scim_group ");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s\"g%d\"", i ? ", " : "", i);
	fprintf(f, ";\n }\n}\n");
	fclose(f);

	char err[512], *paths[] = { tmp_path("similar.bcl") };
	struct arena a;
	struct diags d;
	uint8_t *b = NULL;
	size_t len = 0, sl;
	struct blob_opts o = { 1, 0, 1, 0 };
	arena_init(&a, NULL);
	diags_init(&d, &a);
	const struct model *m = load_policy(paths, 1, &a, &d);
	CHECK(m != NULL);
	if (!m)
		diags_print(&d, stdout);
	int built = m && blob_build(m, key, &o, &b, &len, err, sizeof err) == 0;
	CHECK(built);
	if (!built)
		printf("    %s\n", err);
	if (built) {
		const uint8_t *s = sec(b, BCPF_S_HOST_INDEX, &sl);
		CHECK(bcpf_u32(s) <= 2 * (n + 1) && bcpf_u32(s + 4) <= BCPF_MAX_PROBE);
		s = sec(b, BCPF_S_ADDR4, &sl);
		CHECK(bcpf_u32(s) <= 2 * n && bcpf_u32(s + 4) <= BCPF_MAX_PROBE);
		s = sec(b, BCPF_S_PREDICATES, &sl);
		CHECK(bcpf_u32(s + 4) <= 2 * n && bcpf_u32(s + 8) <= BCPF_MAX_PROBE);
		CHECK(host_node(b, "h299.example") != 0 && pred_find(b, BCPF_P_SCIM_GROUP, NULL, "g7"));
		const uint8_t net[4] = { 10, 1, 1, 43 };
		CHECK(addr4_segref(b, net, 32) == 0);
	}
	free(b);
	arena_free(&a);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/bcpc-test-blob.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	test_key_files();
	test_encrypted_key();

	char err[512];
	struct arena a;
	struct diags d;
	char *paths[] = { "examples/acme/policy.bcl" };
	arena_init(&a, NULL);
	diags_init(&d, &a);
	const struct model *m = load_policy(paths, 1, &a, &d);
	CHECK(m != NULL);
	EVP_PKEY *key = key_load_private(tmp_path("signer.pem"), err, sizeof err);
	EVP_PKEY *pub = key_load_public(tmp_path("signer.pub.pem"), err, sizeof err);
	struct blob_opts o = { .serial = 1234567890123ull, .not_before = -5,
			       .not_after = 1900000000, .created = 1700000000 };
	uint8_t *b1 = NULL, *b2 = NULL;
	size_t l1 = 0, l2 = 0;
	if (!m || !key || !pub) {
		diags_print(&d, stdout);
	} else {
		CHECK(blob_build(m, key, &o, &b1, &l1, err, sizeof err) == 0);
		CHECK(blob_build(m, key, &o, &b2, &l2, err, sizeof err) == 0);
		CHECK(b1 && b2 && l1 == l2 && !memcmp(b1, b2, l1));
		if (b1) {
			test_header_and_signature(b1, l1, &o, pub);
			test_acme_tables(b1);
			test_atomic_write(b1, l1);
		}
		test_similar_keys(key);
	}
	free(b1);
	free(b2);
	EVP_PKEY_free(key);
	EVP_PKEY_free(pub);
	arena_free(&a);

	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("warning: cannot remove %s\n", tmpdir);
	return harness_summary();
}
