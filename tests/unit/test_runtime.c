/* test_runtime.c - unit tests for libbcp (runtime/): open, every refusal, the
 * structural verifier, single-bit flips, binding and decisions.
 *
 * Standalone: the blobs are built by hand here, straight from docs/FORMAT.md (header,
 * directory, the seventeen sections, hash tables, msgpack), and signed with a fresh
 * Ed25519 key, so these tests depend on neither the compiler nor its blob writer.
 * Only bcp.h (the API) and bcp_format.h (the layout) are used. Each failure prints
 * file:line; the last line is "N passed, M failed"; the exit status is 1 on failure.
 * VERBOSE=1 in the environment prints the refusal message of every tampered blob. */
#include "bcp.h"
#include "bcp_format.h"
#include "internal.h"   /* bcpi_parse_ipv6_plain */
#include <arpa/inet.h>
#include <fcntl.h>
#include <msgpack.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "harness.h"

static int passed, failed;
static int verbose;   /* VERBOSE=1 prints the refusal message of every tampered blob */

#define CHECK_STR(got, want) check_str(__LINE__, got, want)

static void check_str(int line, const char *got, const char *want)
{
	int ok = (!got && !want) || (got && want && strcmp(got, want) == 0);

	if (!check_at(ok, __FILE__, line, "strings equal"))
		printf("    got \"%s\", want \"%s\"\n", got ? got : "(null)", want ? want : "(null)");
}

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		perror("calloc");
		exit(2);
	}
	return p;
}

/* ---- byte buffers ---- */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

/* Appends n zero bytes; returns their offset. */
static size_t grow(struct buf *b, size_t n)
{
	size_t at = b->n;

	if (n == 0)
		return at;
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			perror("realloc");
			exit(2);
		}
	}
	memset(b->p + at, 0, n);
	b->n += n;
	return at;
}
static void put_bytes(struct buf *b, const void *p, size_t n)
{
	size_t at = grow(b, n);

	if (n)
		memcpy(b->p + at, p, n);
}
static void put8(struct buf *b, uint8_t v)
{
	put_bytes(b, &v, 1);
}
static void put16(struct buf *b, uint16_t v)
{
	size_t at = grow(b, 2);   /* grow() may move b->p */

	bcpf_put16(b->p + at, v);
}
static void put32(struct buf *b, uint32_t v)
{
	size_t at = grow(b, 4);   /* grow() may move b->p */

	bcpf_put32(b->p + at, v);
}
static void put64(struct buf *b, uint64_t v)
{
	size_t at = grow(b, 8);   /* grow() may move b->p */

	bcpf_put64(b->p + at, v);
}

/* ---- a policy, as FORMAT.md's tables ---- */

#define MAXN 64
#define SEED 0x1234567890ABCDEFull

struct node { uint32_t parent, label, exact, wild; };
struct a4 { uint32_t net, ref; uint8_t len; };
struct a6 { uint8_t net[16]; uint32_t ref; uint8_t len; };
struct pred { uint8_t kind; uint32_t attr, value; };

struct pol {
	struct buf str;
	struct node node[MAXN];
	uint32_t nnodes, max_depth;
	struct a4 a4[MAXN];
	struct a6 a6[MAXN];
	unsigned n4, n6;
	struct pred pred[MAXN];
	uint32_t decoy[2][2];   /* {node, decoy}: decoy sits first in node's run, with its tag */
	uint32_t npreds, nsegments, ngroups, nclauses, nrules, nprofiles;
	struct buf seglists, segments, ports, groups, clauses, clause_preds, rules, rule_segs,
		profiles, settings, profile_settings;
};

static uint32_t str_add(struct pol *p, const char *s)
{
	size_t at = p->str.n, n = strlen(s);

	put16(&p->str, (uint16_t)n);
	put_bytes(&p->str, s, n);
	put8(&p->str, 0);
	return (uint32_t)at;
}

static void pol_init(struct pol *p)
{
	memset(p, 0, sizeof *p);
	str_add(p, "");   /* the empty string at offset 0 */
	p->node[0] = (struct node){ BCPF_NONE, BCPF_NONE, BCPF_NONE, BCPF_NONE };
	p->nnodes = 1;
}

static void pol_free(struct pol *p)
{
	struct buf *all[] = { &p->str, &p->seglists, &p->segments, &p->ports, &p->groups,
		&p->clauses, &p->clause_preds, &p->rules, &p->rule_segs, &p->profiles,
		&p->settings, &p->profile_settings };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		free(all[i]->p);
}

static const uint8_t *str_bytes(const struct pol *p, uint32_t ref, uint16_t *len)
{
	*len = bcpf_u16(p->str.p + ref);
	return p->str.p + ref + 2;
}

static uint32_t group_add(struct pol *p, const char *name)
{
	put32(&p->groups, str_add(p, name));
	return p->ngroups++;
}

/* ranges: "443 8000-8100" */
static uint16_t put_ranges(struct pol *p, const char *ranges)
{
	unsigned lo, hi;
	int used;
	uint16_t n = 0;

	while (ranges && sscanf(ranges, " %u%n", &lo, &used) == 1) {
		ranges += used;
		hi = lo;
		if (sscanf(ranges, "-%u%n", &hi, &used) == 1)
			ranges += used;
		put16(&p->ports, (uint16_t)lo);
		put16(&p->ports, (uint16_t)hi);
		n++;
	}
	return n;
}

static uint32_t seg_add(struct pol *p, const char *name, uint32_t group, const char *tcp,
	const char *udp, int inclusive, int bypass)
{
	struct buf *s = &p->segments;
	uint32_t first = (uint32_t)(p->ports.n / 4);
	uint16_t ntcp = put_ranges(p, tcp), nudp = put_ranges(p, udp);

	put32(s, str_add(p, name));
	put32(s, group);
	put32(s, first);
	put16(s, ntcp);
	put16(s, nudp);
	put8(s, (uint8_t)inclusive);
	put8(s, (uint8_t)bypass);
	put16(s, 0);
	return p->nsegments++;
}

/* The segref of a pattern served by n segments. */
static uint32_t segref(struct pol *p, const uint32_t *segs, unsigned n)
{
	uint32_t at = (uint32_t)(p->seglists.n / 4);

	if (n == 1)
		return segs[0];
	put32(&p->seglists, n);
	for (unsigned i = 0; i < n; i++)
		put32(&p->seglists, segs[i]);
	return BCPF_SEGLIST | at;
}

/* The node of a name ("" is the root), made with all its suffixes. */
static uint32_t node_get(struct pol *p, const char *name)
{
	const char *dot;
	uint32_t parent, i;
	uint16_t len;
	size_t n;

	if (!*name)
		return 0;
	dot = strchr(name, '.');
	parent = node_get(p, dot ? dot + 1 : "");
	n = dot ? (size_t)(dot - name) : strlen(name);
	for (i = 1; i < p->nnodes; i++) {
		const uint8_t *l = str_bytes(p, p->node[i].label, &len);
		if (p->node[i].parent == parent && len == n && memcmp(l, name, n) == 0)
			return i;
	}
	char label[64];
	memcpy(label, name, n);
	label[n] = '\0';
	p->node[p->nnodes] = (struct node){ parent, str_add(p, label), BCPF_NONE, BCPF_NONE };
	unsigned depth = 1;
	for (uint32_t a = parent; a != 0; a = p->node[a].parent)
		depth++;
	if (depth > p->max_depth)
		p->max_depth = depth;
	return p->nnodes++;
}

static void host_pattern(struct pol *p, const char *pattern, uint32_t ref)
{
	if (strcmp(pattern, "*") == 0)
		p->node[0].wild = ref;
	else if (strncmp(pattern, "*.", 2) == 0)
		p->node[node_get(p, pattern + 2)].wild = ref;
	else
		p->node[node_get(p, pattern)].exact = ref;
}

static void addr_pattern(struct pol *p, const char *addr, unsigned len, uint32_t ref)
{
	uint8_t a[16];

	if (inet_pton(AF_INET, addr, a) == 1)
		p->a4[p->n4++] = (struct a4){ (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
			(uint32_t)a[2] << 8 | a[3], ref, (uint8_t)len };
	else if (inet_pton(AF_INET6, addr, a) == 1) {
		memcpy(p->a6[p->n6].net, a, 16);
		p->a6[p->n6].ref = ref;
		p->a6[p->n6++].len = (uint8_t)len;
	} else {
		fprintf(stderr, "bad test address %s\n", addr);
		exit(2);
	}
}

static uint32_t pred_add(struct pol *p, uint8_t kind, const char *attr, const char *value)
{
	p->pred[p->npreds] = (struct pred){ kind, attr ? str_add(p, attr) : BCPF_NONE,
		str_add(p, value) };
	return p->npreds++;
}

/* A clause over n predicates; returns its index. */
static uint32_t clause_add(struct pol *p, int negated, const uint32_t *preds, uint16_t n)
{
	put32(&p->clauses, (uint32_t)(p->clause_preds.n / 4));
	put16(&p->clauses, n);
	put8(&p->clauses, (uint8_t)negated);
	put8(&p->clauses, 0);
	for (uint16_t i = 0; i < n; i++)
		put32(&p->clause_preds, preds[i]);
	return p->nclauses++;
}

static void rule_add(struct pol *p, const char *name, int allow, uint32_t first_clause,
	uint16_t nclauses, int all, const uint32_t *segs, uint32_t nsegs)
{
	put32(&p->rules, str_add(p, name));
	put32(&p->rules, first_clause);
	put16(&p->rules, nclauses);
	put8(&p->rules, (uint8_t)allow);
	put8(&p->rules, (uint8_t)all);
	put32(&p->rules, (uint32_t)(p->rule_segs.n / 4));
	put32(&p->rules, nsegs);
	for (uint32_t i = 0; i < nsegs; i++)
		put32(&p->rule_segs, segs[i]);
	p->nrules++;
}

static void profile_add(struct pol *p, const char *name, uint32_t first_clause, uint16_t n)
{
	put32(&p->profiles, str_add(p, name));
	put32(&p->profiles, first_clause);
	put16(&p->profiles, n);
	put16(&p->profiles, 0);
	p->nprofiles++;
}

/* ---- serializing: hash tables, sections, header, signature ---- */

/* Puts rec (size bytes, not all zero) at its home slot or the next free one. */
static void hash_put(uint8_t *slots, size_t size, uint32_t nslots, uint64_t h,
	const uint8_t *rec, uint32_t *max_probe)
{
	uint32_t s = bcpf_hash_slot(h, nslots), d = 0;
	static const uint8_t zero[64];

	while (memcmp(slots + (size_t)s * size, zero, size) != 0) {
		s = (s + 1) % nslots;
		d++;
	}
	memcpy(slots + (size_t)s * size, rec, size);
	if (d > *max_probe)
		*max_probe = d;
}

static void table_hdr(struct buf *out, uint32_t count, const struct buf *recs)
{
	put32(out, count);
	put32(out, 0);
	put_bytes(out, recs->p, recs->n);
}

/* sec[1..17] from the policy. */
static void pol_sections(struct pol *p, struct buf sec[BCPF_NSECTIONS + 1])
{
	uint32_t i, nslots, max_probe;
	uint8_t rec[24], *slots;
	uint16_t len;
	uint64_t h;

	memset(sec, 0, sizeof(struct buf) * (BCPF_NSECTIONS + 1));
	put_bytes(&sec[BCPF_S_STRINGS], p->str.p, p->str.n);

	put32(&sec[BCPF_S_HOST_NODES], p->nnodes);
	put32(&sec[BCPF_S_HOST_NODES], p->max_depth);
	for (i = 0; i < p->nnodes; i++) {
		put32(&sec[BCPF_S_HOST_NODES], p->node[i].parent);
		put32(&sec[BCPF_S_HOST_NODES], p->node[i].label);
		put32(&sec[BCPF_S_HOST_NODES], p->node[i].exact);
		put32(&sec[BCPF_S_HOST_NODES], p->node[i].wild);
	}

	nslots = 2 * p->nnodes + 1;
	max_probe = 0;
	slots = xmalloc((size_t)nslots * BCPF_HOST_SLOT);
	uint64_t *key = xmalloc((size_t)p->nnodes * sizeof *key);
	key[0] = SEED;
	for (i = 1; i < p->nnodes; i++) {   /* parents come first */
		const uint8_t *l = str_bytes(p, p->node[i].label, &len);
		key[i] = bcpf_hash_suffix(key[p->node[i].parent], (const char *)l, len);
		if (i == p->decoy[0][1] || i == p->decoy[1][1])
			continue;   /* only in its place as a decoy */
		for (int k = 0; k < 2; k++)
			if (i == p->decoy[k][0]) {
				bcpf_put32(rec, p->decoy[k][1]);
				bcpf_put32(rec + 4, bcpf_host_tag(key[i]));
				hash_put(slots, BCPF_HOST_SLOT, nslots, key[i], rec, &max_probe);
			}
		bcpf_put32(rec, i);
		bcpf_put32(rec + 4, bcpf_host_tag(key[i]));
		hash_put(slots, BCPF_HOST_SLOT, nslots, key[i], rec, &max_probe);
	}
	free(key);
	put32(&sec[BCPF_S_HOST_INDEX], nslots);
	put32(&sec[BCPF_S_HOST_INDEX], max_probe);
	put64(&sec[BCPF_S_HOST_INDEX], SEED);
	put_bytes(&sec[BCPF_S_HOST_INDEX], slots, (size_t)nslots * BCPF_HOST_SLOT);
	free(slots);

	uint64_t mask4 = 0, mask6[3] = { 0, 0, 0 };
	nslots = 2 * p->n4 + 1;
	max_probe = 0;
	slots = xmalloc((size_t)nslots * BCPF_ADDR4_SLOT);
	for (i = 0; i < p->n4; i++) {
		memset(rec, 0, sizeof rec);
		bcpf_put32(rec, p->a4[i].net);
		bcpf_put32(rec + 4, p->a4[i].ref);
		rec[8] = p->a4[i].len;
		rec[9] = 1;
		mask4 |= 1ull << p->a4[i].len;
		h = bcpf_hash_addr4(SEED, p->a4[i].len, p->a4[i].net);
		hash_put(slots, BCPF_ADDR4_SLOT, nslots, h, rec, &max_probe);
	}
	put32(&sec[BCPF_S_ADDR4], nslots);
	put32(&sec[BCPF_S_ADDR4], max_probe);
	put64(&sec[BCPF_S_ADDR4], SEED);
	put64(&sec[BCPF_S_ADDR4], mask4);
	put64(&sec[BCPF_S_ADDR4], 0);
	put_bytes(&sec[BCPF_S_ADDR4], slots, (size_t)nslots * BCPF_ADDR4_SLOT);
	free(slots);

	nslots = 2 * p->n6 + 1;
	max_probe = 0;
	slots = xmalloc((size_t)nslots * BCPF_ADDR6_SLOT);
	for (i = 0; i < p->n6; i++) {
		memset(rec, 0, sizeof rec);
		memcpy(rec, p->a6[i].net, 16);
		bcpf_put32(rec + 16, p->a6[i].ref);
		rec[20] = p->a6[i].len;
		rec[21] = 1;
		mask6[p->a6[i].len / 64] |= 1ull << (p->a6[i].len % 64);
		h = bcpf_hash_addr6(SEED, p->a6[i].len, p->a6[i].net);
		hash_put(slots, BCPF_ADDR6_SLOT, nslots, h, rec, &max_probe);
	}
	put32(&sec[BCPF_S_ADDR6], nslots);
	put32(&sec[BCPF_S_ADDR6], max_probe);
	put64(&sec[BCPF_S_ADDR6], SEED);
	for (i = 0; i < 3; i++)
		put64(&sec[BCPF_S_ADDR6], mask6[i]);
	put64(&sec[BCPF_S_ADDR6], 0);
	put_bytes(&sec[BCPF_S_ADDR6], slots, (size_t)nslots * BCPF_ADDR6_SLOT);
	free(slots);

	put_bytes(&sec[BCPF_S_SEGLISTS], p->seglists.p, p->seglists.n);
	table_hdr(&sec[BCPF_S_SEGMENTS], p->nsegments, &p->segments);
	put_bytes(&sec[BCPF_S_PORTS], p->ports.p, p->ports.n);
	table_hdr(&sec[BCPF_S_GROUPS], p->ngroups, &p->groups);

	nslots = 2 * p->npreds + 1;
	max_probe = 0;
	slots = xmalloc((size_t)nslots * 4);
	for (i = 0; i < p->npreds; i++) {
		const uint8_t sep = 0xFF, *v;
		h = bcpf_hash_start(SEED, p->pred[i].kind);
		if (p->pred[i].attr != BCPF_NONE) {
			v = str_bytes(p, p->pred[i].attr, &len);
			h = bcpf_hash_bytes(h, v, len);
		}
		h = bcpf_hash_bytes(h, &sep, 1);
		v = str_bytes(p, p->pred[i].value, &len);
		h = bcpf_hash_bytes(h, v, len);
		bcpf_put32(rec, i + 1);
		hash_put(slots, 4, nslots, h, rec, &max_probe);
	}
	struct buf *ps = &sec[BCPF_S_PREDICATES];
	put32(ps, p->npreds);
	put32(ps, nslots);
	put32(ps, max_probe);
	put32(ps, 0);
	put64(ps, SEED);
	for (i = 0; i < p->npreds; i++) {
		put8(ps, p->pred[i].kind);
		put8(ps, 0);
		put16(ps, 0);
		put32(ps, p->pred[i].attr);
		put32(ps, p->pred[i].value);
	}
	put_bytes(ps, slots, (size_t)nslots * 4);
	free(slots);

	table_hdr(&sec[BCPF_S_CLAUSES], p->nclauses, &p->clauses);
	put_bytes(&sec[BCPF_S_CLAUSE_PREDS], p->clause_preds.p, p->clause_preds.n);
	table_hdr(&sec[BCPF_S_RULES], p->nrules, &p->rules);
	put_bytes(&sec[BCPF_S_RULE_SEGS], p->rule_segs.p, p->rule_segs.n);
	table_hdr(&sec[BCPF_S_PROFILES], p->nprofiles, &p->profiles);
	put_bytes(&sec[BCPF_S_SETTINGS], p->settings.p, p->settings.n);
	put_bytes(&sec[BCPF_S_PROFILE_SETTINGS], p->profile_settings.p, p->profile_settings.n);
}

static void sections_free(struct buf sec[BCPF_NSECTIONS + 1])
{
	for (int i = 0; i <= BCPF_NSECTIONS; i++)
		free(sec[i].p);
}

struct hdr {
	uint16_t version;
	uint64_t serial;
	int64_t not_before, not_after, created;
};

static const struct hdr default_hdr = { BCPF_VERSION, 100, 1000000, 2000000, 999999 };
#define NOW 1500000

static EVP_PKEY *key, *other_key;
static char thumb[45], other_thumb[45];

/* Ed25519 over the SHA-256 digest of all but the last 64 bytes (FORMAT.md). */
static void sign(uint8_t *blob, size_t len, EVP_PKEY *k)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = 64;
	uint8_t md[32];

	if (!ctx || SHA256(blob, len - 64, md) != md ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestSign(ctx, blob + len - 64, &siglen, md, 32) != 1 || siglen != 64) {
		fprintf(stderr, "signing failed\n");
		exit(2);
	}
	EVP_MD_CTX_free(ctx);
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Header, directory, sections with zero padding, signature by k. */
static uint8_t *assemble(const struct buf sec[BCPF_NSECTIONS + 1], const struct hdr *h,
	EVP_PKEY *k, size_t *len)
{
	size_t off = BCPF_HEADER_SIZE + BCPF_NSECTIONS * BCPF_DIRENT_SIZE, total, keylen = 32;
	size_t at[BCPF_NSECTIONS + 1];
	uint8_t *b;
	int i;

	for (i = 1; i <= BCPF_NSECTIONS; i++) {
		off = align8(off);
		at[i] = off;
		off += sec[i].n;
	}
	total = align8(off) + BCPF_SIG_SIZE;
	b = xmalloc(total);
	memcpy(b, BCPF_MAGIC, 8);
	bcpf_put16(b + BCPF_H_VERSION, h->version);
	bcpf_put16(b + BCPF_H_HEADER_SIZE, BCPF_HEADER_SIZE);
	bcpf_put32(b + BCPF_H_NSECTIONS, BCPF_NSECTIONS);
	bcpf_put64(b + BCPF_H_TOTAL, total);
	bcpf_put64(b + BCPF_H_SERIAL, h->serial);
	bcpf_put64(b + BCPF_H_NOT_BEFORE, (uint64_t)h->not_before);
	bcpf_put64(b + BCPF_H_NOT_AFTER, (uint64_t)h->not_after);
	bcpf_put64(b + BCPF_H_CREATED, (uint64_t)h->created);
	EVP_PKEY_get_raw_public_key(k, b + BCPF_H_PUBKEY, &keylen);
	for (i = 1; i <= BCPF_NSECTIONS; i++) {
		uint8_t *e = b + BCPF_HEADER_SIZE + (size_t)(i - 1) * BCPF_DIRENT_SIZE;
		bcpf_put32(e, (uint32_t)i);
		bcpf_put64(e + 8, at[i]);
		bcpf_put64(e + 16, sec[i].n);
		if (sec[i].n)
			memcpy(b + at[i], sec[i].p, sec[i].n);
	}
	sign(b, total, k);
	*len = total;
	return b;
}

/* ---- msgpack ---- */

static void mp_str(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
}

static void to_buf(struct buf *out, msgpack_sbuffer *sb)
{
	put_bytes(out, sb->data, sb->size);
	msgpack_sbuffer_destroy(sb);
}

static void settings_absent(struct pol *p)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	mp_str(&pk, "tenant");
	msgpack_pack_nil(&pk);
	mp_str(&pk, "present");
	msgpack_pack_false(&pk);
	to_buf(&p->settings, &sb);
}

static const char ca_pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

static void settings_full(struct pol *p)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 12);
	mp_str(&pk, "tenant");
	mp_str(&pk, "acme");
	mp_str(&pk, "present");
	msgpack_pack_true(&pk);
	mp_str(&pk, "domain");
	mp_str(&pk, "bc.acme.example");
	mp_str(&pk, "sni");
	mp_str(&pk, "c2.bc.acme.example");
	mp_str(&pk, "sni_new_user");
	msgpack_pack_nil(&pk);
	mp_str(&pk, "sp_url");
	mp_str(&pk, "https://bcpsp.bc.acme.example/saml");
	mp_str(&pk, "controllers");
	msgpack_pack_array(&pk, 2);
	msgpack_pack_array(&pk, 2);
	mp_str(&pk, "pcc1.bc.acme.example");
	msgpack_pack_uint16(&pk, 443);
	msgpack_pack_array(&pk, 2);
	mp_str(&pk, "pcc2.bc.acme.example");
	msgpack_pack_uint16(&pk, 8443);
	mp_str(&pk, "sp_ca_pem");
	msgpack_pack_bin(&pk, sizeof ca_pem - 1);
	msgpack_pack_bin_body(&pk, ca_pem, sizeof ca_pem - 1);
	mp_str(&pk, "enter_after_s");
	msgpack_pack_uint32(&pk, 120);
	mp_str(&pk, "exit_after_s");
	msgpack_pack_uint32(&pk, 3600);
	mp_str(&pk, "auth_max_age_s");
	msgpack_pack_uint32(&pk, 604800);
	mp_str(&pk, "exit_mode");
	mp_str(&pk, "automatic");
	to_buf(&p->settings, &sb);
}

/* One [key, type, value] setting. */
static void mp_setting(msgpack_packer *pk, const char *k, const char *type)
{
	msgpack_pack_array(pk, 3);
	mp_str(pk, k);
	mp_str(pk, type);
}

static void profile_settings(struct pol *p)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 2);
	msgpack_pack_array(&pk, 2);   /* Win */
	mp_setting(&pk, "reauth_timeout", "duration");
	msgpack_pack_uint32(&pk, 28800);
	mp_setting(&pk, "tags", "list");
	msgpack_pack_array(&pk, 2);
	mp_str(&pk, "a");
	mp_str(&pk, "b");
	msgpack_pack_array(&pk, 3);   /* Default */
	mp_setting(&pk, "name", "string");
	mp_str(&pk, "x");
	mp_setting(&pk, "n", "integer");
	msgpack_pack_uint32(&pk, 5);
	mp_setting(&pk, "flag", "bool");
	msgpack_pack_true(&pk);
	to_buf(&p->profile_settings, &sb);
}

static void empty_array(struct buf *out)
{
	put8(out, 0x90);
}

/* ---- the two test policies ---- */

/* The smallest valid policy: nothing but the root node and empty tables. */
static void minimal_policy(struct pol *p)
{
	pol_init(p);
	settings_absent(p);
	empty_array(&p->profile_settings);
}

/* Segment indexes of the decision policy. */
enum {
	S_EXACT, S_WILD, S_INNER, S_OUTER, S_BYPASS, S_NET8, S_NET16, S_V6, S_MULTI_T, S_MULTI_U,
	S_ALWAYS, S_HOST1, S_LAN, S_COUNT
};
/* Rule indexes. */
enum { R_FINANCE_INNER, R_OUTER_DENY, R_CORP_NETS, R_WINDOWS_ALL, R_LAN_ONLY };

static void decision_policy(struct pol *p)
{
	uint32_t g, seg[2], pr, c;

	pol_init(p);
	g = group_add(p, "Apps");
	seg_add(p, "Exact", g, "443", NULL, 0, 0);
	seg_add(p, "Wild", g, "443 8000-8100", "53", 0, 0);
	seg_add(p, "Inner", g, "443", NULL, 1, 0);
	seg_add(p, "Outer", g, "443 8443", NULL, 0, 0);
	seg_add(p, "Bypass", g, "443", NULL, 0, 2);
	seg_add(p, "Net8", g, "22", NULL, 0, 0);
	seg_add(p, "Net16", g, "22", NULL, 0, 0);
	seg_add(p, "V6", g, "443", NULL, 0, 0);
	seg_add(p, "MultiT", g, "80", NULL, 0, 0);
	seg_add(p, "MultiU", g, NULL, "53", 0, 0);
	seg_add(p, "Always", g, "1-65535", NULL, 0, 1);
	seg_add(p, "Host1", g, "443", NULL, 1, 0);
	seg_add(p, "Lan", g, "443", NULL, 0, 0);

	host_pattern(p, "www.example.com", S_EXACT);
	host_pattern(p, "*.example.com", S_WILD);
	host_pattern(p, "*.corp.example", S_INNER);
	host_pattern(p, "*.example", S_OUTER);
	host_pattern(p, "bp.example.com", S_BYPASS);
	seg[0] = S_MULTI_T;
	seg[1] = S_MULTI_U;
	host_pattern(p, "multi.example.com", segref(p, seg, 2));
	host_pattern(p, "always.example.net", S_ALWAYS);
	addr_pattern(p, "10.0.0.0", 8, S_NET8);
	addr_pattern(p, "10.1.0.0", 16, S_NET16);
	addr_pattern(p, "192.168.1.1", 32, S_HOST1);
	addr_pattern(p, "192.168.0.0", 16, S_LAN);
	addr_pattern(p, "2001:db8::", 32, S_V6);

	/* FinanceInner allow: segment Inner; saml "department" = "Finance", "Accounting". */
	uint32_t fin[2] = { pred_add(p, BCPF_P_SAML, "department", "Finance"),
		pred_add(p, BCPF_P_SAML, "department", "Accounting") };
	c = clause_add(p, 0, fin, 2);
	seg[0] = S_INNER;
	rule_add(p, "FinanceInner", 1, c, 1, 0, seg, 1);
	/* OuterDeny deny: segment Outer. */
	seg[0] = S_OUTER;
	rule_add(p, "OuterDeny", 0, 0, 0, 0, seg, 1);
	/* CorpNets allow: segments Exact, Net16, Host1; not country "KP". */
	pr = pred_add(p, BCPF_P_COUNTRY, NULL, "KP");
	c = clause_add(p, 1, &pr, 1);
	uint32_t corp[3] = { S_EXACT, S_NET16, S_HOST1 };
	rule_add(p, "CorpNets", 1, c, 1, 0, corp, 3);
	/* WindowsAll deny: every segment; platform windows. */
	uint32_t win = pred_add(p, BCPF_P_PLATFORM, NULL, "windows");
	c = clause_add(p, 0, &win, 1);
	rule_add(p, "WindowsAll", 0, c, 1, 1, NULL, 0);
	/* LanOnly allow: segment Lan. */
	seg[0] = S_LAN;
	rule_add(p, "LanOnly", 1, 0, 0, 0, seg, 1);

	/* Profiles: Win when platform windows and client_type zapp; Default always. */
	c = clause_add(p, 0, &win, 1);
	pr = pred_add(p, BCPF_P_CLIENT_TYPE, NULL, "zapp");
	clause_add(p, 0, &pr, 1);
	profile_add(p, "Win", c, 2);
	profile_add(p, "Default", 0, 0);

	settings_full(p);
	profile_settings(p);
}

/* The decision policy, with two host_index slots that carry another suffix's tag
 * first in its run: a node of the same label under another parent, and a node of
 * another label under the same parent. The decoys are in no other slot. */
static void decoy_policy(struct pol *p)
{
	decision_policy(p);
	host_pattern(p, "www.example.net", S_ALWAYS);
	p->decoy[0][0] = node_get(p, "www.example.com");
	p->decoy[0][1] = node_get(p, "www.example.net");
	p->decoy[1][0] = node_get(p, "bp.example.com");
	p->decoy[1][1] = node_get(p, "multi.example.com");
}

/* Nested prefixes on both sides of every level of the runtime's length hints:
 * IPv4 (16, 24], (24, 32]; IPv6 (32, 48], (48, 64], (64, 128]. Segment k is
 * named after its prefix. */
static const struct { const char *net; unsigned len; } nested[] = {
	{ "10.0.0.0", 8 }, { "10.1.0.0", 16 }, { "10.1.128.0", 17 }, { "10.1.2.0", 24 },
	{ "10.1.2.128", 25 }, { "10.1.2.129", 32 },
	{ "2001:db8::", 32 }, { "2001:db8::", 33 }, { "2001:db8:1::", 48 },
	{ "2001:db8:1::", 49 }, { "2001:db8:1:2::", 64 }, { "2001:db8:1:2::", 65 },
	{ "2001:db8:1:2::1", 128 },
};

static void nested_policy(struct pol *p)
{
	char name[64];
	uint32_t g;

	pol_init(p);
	g = group_add(p, "Nets");
	for (unsigned k = 0; k < sizeof nested / sizeof nested[0]; k++) {
		snprintf(name, sizeof name, "%s/%u", nested[k].net, nested[k].len);
		seg_add(p, name, g, "443", NULL, 0, 0);
		addr_pattern(p, nested[k].net, nested[k].len, k);
	}
	settings_absent(p);
	empty_array(&p->profile_settings);
}

static uint8_t *policy_blob(void (*make)(struct pol *), const struct hdr *h, EVP_PKEY *k,
	size_t *len)
{
	struct buf sec[BCPF_NSECTIONS + 1];
	struct pol p;
	uint8_t *b;

	make(&p);
	pol_sections(&p, sec);
	b = assemble(sec, h, k, len);
	sections_free(sec);
	pol_free(&p);
	return b;
}

/* ---- opening ---- */

static struct bcp_open_opts opts_thumb(void)
{
	static const char *tp[1];
	struct bcp_open_opts o = { tp, 1, NULL, NOW, 0, 0 };

	tp[0] = thumb;
	return o;
}

/* Opens a copy of blob (so ASan sees reads past the end); returns the status. */
static enum bcp_status open_copy(const uint8_t *blob, size_t len, const struct bcp_open_opts *o,
	struct bcp_error *err)
{
	uint8_t *copy = xmalloc(len);
	bcp_blob *b = (bcp_blob *)1;
	enum bcp_status st;

	memcpy(copy, blob, len);
	st = bcp_open_buffer(copy, len, o, &b, err);
	if (st == BCP_OK)
		bcp_close(b);
	else
		check_at(b == NULL, __FILE__, __LINE__, "a failed open leaves *out NULL");
	free(copy);
	return st;
}

static void expect_status(int line, enum bcp_status got, enum bcp_status want,
	const struct bcp_error *err)
{
	if (!check_at(got == want, __FILE__, line, "status"))
		printf("    got %s, want %s: %s\n", bcp_status_str(got), bcp_status_str(want),
			err ? err->message : "");
}

/* Opens blob with the default options and expects want. */
#define EXPECT_OPEN(blob, len, want) do { \
	struct bcp_open_opts o_ = opts_thumb(); \
	struct bcp_error e_ = { BCP_OK, "" }; \
	expect_status(__LINE__, open_copy(blob, len, &o_, &e_), want, &e_); \
} while (0)

static void test_thumbprint(void)
{
	static const uint8_t rfc8032_key1[32] = {
		0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64,
		0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68,
		0xf7, 0x07, 0x51, 0x1a };
	uint8_t *der = NULL, md[32];
	char tp[45], want[45];
	unsigned mdlen;
	int n;

	/* openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | base64 */
	CHECK(bcp_thumbprint(rfc8032_key1, tp) == 0);
	CHECK_STR(tp, "BuP9j9opu2CrWVV95h7bCuzbIxE0vjDnW0Vfjht5L6k=");
	/* The same through OpenSSL's own DER encoder, for the test key. */
	n = i2d_PUBKEY(key, &der);
	CHECK(n == 44);
	EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL);
	EVP_EncodeBlock((unsigned char *)want, md, 32);
	OPENSSL_free(der);
	CHECK_STR(thumb, want);
	CHECK(bcp_thumbprint(NULL, tp) == -1);
}

/* The PEM text of a public key, NUL-terminated; free() it. */
static char *pem_of(EVP_PKEY *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	PEM_write_bio_PUBKEY(bio, k);
	n = BIO_get_mem_data(bio, &data);
	out = xmalloc((size_t)n + 1);
	memcpy(out, data, (size_t)n);
	BIO_free(bio);
	return out;
}

static void test_open_ok(void)
{
	size_t len;
	uint8_t *blob = policy_blob(decision_policy, &default_hdr, key, &len);
	struct bcp_open_opts o = opts_thumb();
	struct bcp_error err;
	struct bcp_settings s;
	struct bcp_setting set;
	struct bcp_info info;
	char path[] = "/tmp/test_runtime_XXXXXX";
	bcp_blob *b = NULL;
	char *pem;
	int fd;

	CHECK(bcp_open_buffer(blob, len, &o, &b, &err) == BCP_OK);
	CHECK(err.code == BCP_OK);
	bcp_info(b, &info);
	CHECK(info.format_version == BCPF_VERSION && info.serial == 100);
	CHECK(info.not_before == 1000000 && info.not_after == 2000000 && info.created == 999999);
	CHECK_STR(info.thumbprint, thumb);
	CHECK_STR(info.tenant, "acme");
	CHECK(info.nsegments == S_COUNT && info.nrules == 5 && info.nprofiles == 2);
	CHECK(info.nhost_patterns == 7 && info.naddr_patterns == 5);

	bcp_settings_get(b, &s);
	CHECK(s.present == 1);
	CHECK_STR(s.domain, "bc.acme.example");
	CHECK_STR(s.sni, "c2.bc.acme.example");
	CHECK_STR(s.sni_new_user, NULL);
	CHECK_STR(s.sp_url, "https://bcpsp.bc.acme.example/saml");
	CHECK(s.ncontrollers == 2);
	if (s.ncontrollers == 2) {
		CHECK_STR(s.controllers[1].host, "pcc2.bc.acme.example");
		CHECK(s.controllers[0].port == 443 && s.controllers[1].port == 8443);
	}
	CHECK(s.sp_ca_len == sizeof ca_pem - 1);
	CHECK_STR(s.sp_ca_pem, ca_pem);
	CHECK(s.enter_after_s == 120 && s.exit_after_s == 3600 && s.auth_max_age_s == 604800);
	CHECK(s.exit_automatic == 1);

	CHECK(bcp_profile_count(b) == 2);
	CHECK_STR(bcp_profile_name(b, 0), "Win");
	CHECK_STR(bcp_profile_name(b, 1), "Default");
	CHECK(bcp_profile_name(b, 2) == NULL);
	CHECK(bcp_profile_setting_count(b, 0) == 2 && bcp_profile_setting_count(b, 1) == 3);
	CHECK(bcp_profile_setting_count(b, 5) == 0);
	CHECK(bcp_profile_setting(b, 0, 0, &set) == 0 && set.type == BCP_SET_DURATION &&
		set.n == 28800);
	CHECK_STR(set.key, "reauth_timeout");
	CHECK(bcp_profile_setting(b, 0, 1, &set) == 0 && set.type == BCP_SET_LIST &&
		set.nlist == 2);
	if (set.nlist == 2)
		CHECK_STR(set.list[1], "b");
	CHECK(bcp_profile_setting(b, 1, 0, &set) == 0 && set.type == BCP_SET_STRING);
	CHECK_STR(set.s, "x");
	CHECK(bcp_profile_setting(b, 1, 1, &set) == 0 && set.type == BCP_SET_INT && set.n == 5);
	CHECK(bcp_profile_setting(b, 1, 2, &set) == 0 && set.type == BCP_SET_BOOL && set.n == 1);
	CHECK(bcp_profile_setting(b, 1, 3, &set) == -1);
	bcp_close(b);
	bcp_close(NULL);

	/* From a file, mapped. */
	fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, blob, len) == (ssize_t)len);
	close(fd);
	b = NULL;
	CHECK(bcp_open_file(path, &o, &b, &err) == BCP_OK && b != NULL);
	bcp_close(b);

	/* With a PEM public key instead of a thumbprint. */
	pem = pem_of(key);
	struct bcp_open_opts op = { NULL, 0, pem, NOW, 0, 0 };
	b = NULL;
	CHECK(bcp_open_file(path, &op, &b, &err) == BCP_OK && b != NULL);
	bcp_close(b);
	free(pem);

	/* The PEM of another key, and a thumbprint among several. */
	const char *several[2] = { other_thumb, thumb };
	struct bcp_open_opts o2 = { several, 2, NULL, NOW, 100, 0 };
	EXPECT_OPEN(blob, len, BCP_OK);
	CHECK(bcp_open_buffer(blob, len, &o2, &b, &err) == BCP_OK);
	bcp_close(b);
	op.pubkey_pem = pem = pem_of(other_key);
	CHECK(bcp_open_file(path, &op, &b, &err) == BCP_E_UNTRUSTED_KEY && b == NULL);
	free(pem);
	unlink(path);
	free(blob);
}

/* The refusals that need no change to the structure. */
static void test_refusals(void)
{
	size_t len, small_len;
	uint8_t *blob = policy_blob(decision_policy, &default_hdr, key, &len), *bigger;
	struct bcp_open_opts o = opts_thumb();
	struct bcp_error err;
	struct hdr h;
	bcp_blob *b = NULL;
	char path[] = "/tmp/test_runtime_XXXXXX";
	int fd;

	/* Arguments and I/O. */
	CHECK(bcp_open_buffer(NULL, len, &o, &b, &err) == BCP_E_ARG && b == NULL);
	CHECK(bcp_open_buffer(blob, len, NULL, &b, &err) == BCP_E_ARG);
	CHECK(bcp_open_file("/nonexistent/policy.bcp", &o, &b, &err) == BCP_E_IO && b == NULL);
	CHECK(strstr(err.message, "/nonexistent/policy.bcp") != NULL);
	CHECK(bcp_open_file("/tmp", &o, &b, &err) == BCP_E_IO);

	/* Trust anchors. */
	struct bcp_open_opts none = { NULL, 0, NULL, NOW, 0, 0 };
	CHECK(bcp_open_buffer(blob, len, &none, &b, &err) == BCP_E_TRUST_ANCHOR);
	const char *bad_tp[1] = { "not-a-thumbprint" };
	struct bcp_open_opts bad = { bad_tp, 1, NULL, NOW, 0, 0 };
	CHECK(bcp_open_buffer(blob, len, &bad, &b, &err) == BCP_E_TRUST_ANCHOR);
	char noncanon[45];
	strcpy(noncanon, thumb);
	noncanon[42] = (char)(noncanon[42] == 'A' ? 'B' : noncanon[42] == 'B' ? 'A' : 'B');
	bad_tp[0] = noncanon;   /* bits beyond the 32 bytes set: not canonical */
	CHECK(bcp_open_buffer(blob, len, &bad, &b, &err) == BCP_E_TRUST_ANCHOR);
	struct bcp_open_opts badpem = { NULL, 0, "-----BEGIN PUBLIC KEY-----\nxx\n", NOW, 0, 0 };
	CHECK(bcp_open_buffer(blob, len, &badpem, &b, &err) == BCP_E_TRUST_ANCHOR);
	const char *wrong[1] = { other_thumb };
	struct bcp_open_opts wrong_key = { wrong, 1, NULL, NOW, 0, 0 };
	CHECK(bcp_open_buffer(blob, len, &wrong_key, &b, &err) == BCP_E_UNTRUSTED_KEY && !b);
	CHECK(strstr(err.message, thumb) != NULL);

	/* Length: too short, truncated, trailing bytes, too large. */
	EXPECT_OPEN(blob, 100, BCP_E_TRUNCATED);
	EXPECT_OPEN(blob, len - 1, BCP_E_TRUNCATED);
	bigger = xmalloc(len + 1);
	memcpy(bigger, blob, len);
	EXPECT_OPEN(bigger, len + 1, BCP_E_TRUNCATED);
	free(bigger);
	CHECK(bcp_open_buffer(blob, (size_t)BCPF_MAX_BLOB + 1, &o, &b, &err) == BCP_E_TOO_LARGE);
	fd = mkstemp(path);
	CHECK(fd >= 0 && ftruncate(fd, (off_t)BCPF_MAX_BLOB + 1) == 0);   /* sparse */
	close(fd);
	CHECK(bcp_open_file(path, &o, &b, &err) == BCP_E_TOO_LARGE && b == NULL);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, blob, 10) == 10);
	close(fd);
	CHECK(bcp_open_file(path, &o, &b, &err) == BCP_E_TRUNCATED);
	unlink(path);

	/* Magic, version, header fields (re-signed, so only the field is wrong). */
	bigger = xmalloc(len);
	memcpy(bigger, blob, len);
	bigger[4] = '\n';   /* CR LF turned into LF LF */
	EXPECT_OPEN(bigger, len, BCP_E_MAGIC);
	free(bigger);
	h = default_hdr;
	h.version = BCPF_VERSION + 1;
	bigger = policy_blob(decision_policy, &h, key, &small_len);
	EXPECT_OPEN(bigger, small_len, BCP_E_VERSION);
	free(bigger);
	for (h.version = 1; h.version < BCPF_VERSION_MIN; h.version++) {   /* retired hashes */
		bigger = policy_blob(decision_policy, &h, key, &small_len);
		EXPECT_OPEN(bigger, small_len, BCP_E_VERSION);
		free(bigger);
	}
	h.version = 0;
	bigger = policy_blob(decision_policy, &h, key, &small_len);
	EXPECT_OPEN(bigger, small_len, BCP_E_HEADER);
	free(bigger);
	static const unsigned header_spots[] = { BCPF_H_HEADER_SIZE, BCPF_H_NSECTIONS, BCPF_H_FLAGS,
		BCPF_H_RESERVED, BCPF_HEADER_SIZE - 1 };
	for (size_t i = 0; i < sizeof header_spots / sizeof header_spots[0]; i++) {
		bigger = xmalloc(len);
		memcpy(bigger, blob, len);
		bigger[header_spots[i]] ^= 1;
		sign(bigger, len, key);
		EXPECT_OPEN(bigger, len, BCP_E_HEADER);
		free(bigger);
	}

	/* Signature: a changed body byte, a changed signature, another signer's key. */
	bigger = xmalloc(len);
	memcpy(bigger, blob, len);
	bigger[len / 2] ^= 0x10;
	EXPECT_OPEN(bigger, len, BCP_E_SIGNATURE);
	memcpy(bigger, blob, len);
	bigger[len - 1] ^= 0x01;
	EXPECT_OPEN(bigger, len, BCP_E_SIGNATURE);
	free(bigger);
	bigger = policy_blob(decision_policy, &default_hdr, other_key, &small_len);
	EXPECT_OPEN(bigger, small_len, BCP_E_UNTRUSTED_KEY);
	/* The other key's blob, with our key in the header: trusted, but not its signature. */
	size_t kl = 32;
	EVP_PKEY_get_raw_public_key(key, bigger + BCPF_H_PUBKEY, &kl);
	EXPECT_OPEN(bigger, small_len, BCP_E_SIGNATURE);
	free(bigger);

	/* Serial and validity window. */
	o.min_serial = 101;
	CHECK(open_copy(blob, len, &o, &err) == BCP_E_SERIAL);
	CHECK(strstr(err.message, "100") && strstr(err.message, "101"));
	o.min_serial = 100;
	CHECK(open_copy(blob, len, &o, &err) == BCP_OK);
	o.now = 2000000;   /* not_after itself is still valid */
	CHECK(open_copy(blob, len, &o, &err) == BCP_OK);
	o.now = 2000001;
	CHECK(open_copy(blob, len, &o, &err) == BCP_E_EXPIRED);
	CHECK(strstr(err.message, "not_after 1970-01-24T03:33:20Z is before now "
		"1970-01-24T03:33:21Z") != NULL);
	o.now = 1000000;
	CHECK(open_copy(blob, len, &o, &err) == BCP_OK);
	o.now = 999999;
	CHECK(open_copy(blob, len, &o, &err) == BCP_E_NOT_YET_VALID);
	CHECK(strstr(err.message, "not_before 1970-01-12T13:46:40Z") != NULL);
	h = default_hdr;
	h.not_after = 1796083200;   /* 2026-12-01 */
	bigger = policy_blob(decision_policy, &h, key, &small_len);
	o.now = 1796083200 + 86400 + 3661;
	CHECK(open_copy(bigger, small_len, &o, &err) == BCP_E_EXPIRED);
	CHECK(strstr(err.message, "not_after 2026-12-01T00:00:00Z is before now "
		"2026-12-02T01:01:01Z") != NULL);
	free(bigger);

	/* Texts. */
	CHECK_STR(bcp_status_str(BCP_E_EXPIRED), "blob expired");
	CHECK_STR(bcp_status_str((enum bcp_status)999), "unknown status");
	CHECK_STR(bcp_version(), BCP_VERSION_STRING);
	CHECK_STR(bcp_verdict_str(BCP_BYPASS), "bypass");
	free(blob);
}

/* ---- the structural pass: signed, well-formed blobs with one thing wrong ---- */

static uint8_t *good;
static size_t good_len;

static size_t sec_off(const uint8_t *blob, int id)
{
	return (size_t)bcpf_u64(blob + BCPF_HEADER_SIZE + (size_t)(id - 1) * BCPF_DIRENT_SIZE + 8);
}
static size_t sec_len(const uint8_t *blob, int id)
{
	return (size_t)bcpf_u64(blob + BCPF_HEADER_SIZE + (size_t)(id - 1) * BCPF_DIRENT_SIZE + 16);
}

/* The good blob with n bytes at (section id, offset) replaced, re-signed. */
static void tamper(int line, int id, size_t off, const void *bytes, size_t n,
	enum bcp_status want)
{
	uint8_t *b = xmalloc(good_len);
	struct bcp_open_opts o = opts_thumb();
	struct bcp_error err = { BCP_OK, "" };

	memcpy(b, good, good_len);
	memcpy(b + (id ? sec_off(b, id) : 0) + off, bytes, n);
	sign(b, good_len, key);
	expect_status(line, open_copy(b, good_len, &o, &err), want, &err);
	if (verbose)
		printf("    %d: %s\n", line, err.message);
	if (want == BCP_E_STRUCTURE && !strstr(err.message, "FORMAT.md #"))
		check_at(0, __FILE__, line, "the message cites the checklist");
	free(b);
}

static void tamper32_at(int line, int id, size_t off, uint32_t v, enum bcp_status want)
{
	uint8_t w[4];

	bcpf_put32(w, v);
	tamper(line, id, off, w, 4, want);
}
static void tamper8_at(int line, int id, size_t off, uint8_t v, enum bcp_status want)
{
	tamper(line, id, off, &v, 1, want);
}
#define T32(id, off, v) tamper32_at(__LINE__, id, off, v, BCP_E_STRUCTURE)
#define T8(id, off, v) tamper8_at(__LINE__, id, off, v, BCP_E_STRUCTURE)

/* A slot of hash section id (header hdr, slot size) that is empty / used. */
static size_t find_slot(int id, size_t hdr, size_t size, int used)
{
	const uint8_t *s = good + sec_off(good, id);
	uint32_t nslots = bcpf_u32(s);
	static const uint8_t zero[32];

	for (uint32_t i = 0; i < nslots; i++)
		if ((memcmp(s + hdr + i * size, zero, size) != 0) == used)
			return hdr + i * size;
	fprintf(stderr, "no such slot\n");
	exit(2);
}

/* A blob with section id replaced by bytes. */
static void with_section(int line, int id, const void *bytes, size_t n, enum bcp_status want)
{
	struct buf sec[BCPF_NSECTIONS + 1];
	struct bcp_error err = { BCP_OK, "" };
	struct bcp_open_opts o = opts_thumb();
	struct pol p;
	uint8_t *b;
	size_t len;

	decision_policy(&p);
	pol_sections(&p, sec);
	sec[id].n = 0;
	put_bytes(&sec[id], bytes, n);
	b = assemble(sec, &default_hdr, key, &len);
	expect_status(line, open_copy(b, len, &o, &err), want, &err);
	if (verbose)
		printf("    %d: %s\n", line, err.message);
	free(b);
	sections_free(sec);
	pol_free(&p);
}
#define WITH_SECTION(id, s, want) with_section(__LINE__, id, s, sizeof s - 1, want)

static void test_structure(void)
{
	size_t i, off;
	uint32_t v;

	good = policy_blob(decision_policy, &default_hdr, key, &good_len);
	EXPECT_OPEN(good, good_len, BCP_OK);

	/* #8 directory and padding. */
	T32(0, BCPF_HEADER_SIZE, 2);                                   /* first id */
	T32(0, BCPF_HEADER_SIZE + 4, 1);                               /* reserved */
	T32(0, BCPF_HEADER_SIZE + 8, (uint32_t)sec_off(good, 1) + 8);  /* offset */
	T32(0, BCPF_HEADER_SIZE + 16, (uint32_t)sec_len(good, 1) + 1); /* length */
	T32(0, BCPF_HEADER_SIZE + 16 * BCPF_DIRENT_SIZE + 16,          /* last runs into the sig */
		(uint32_t)sec_len(good, 17) + 64);
	for (i = 1, off = 0; i <= BCPF_NSECTIONS && !off; i++)
		if (sec_len(good, (int)i) % 8)
			off = sec_off(good, (int)i) + sec_len(good, (int)i);
	CHECK(off != 0);
	T8(0, off, 1);                                                  /* padding */

	/* #9 sizes and reserved header fields. */
	T32(BCPF_S_HOST_NODES, 0, 100);                                 /* count */
	T32(BCPF_S_SEGMENTS, 4, 1);                                     /* reserved */
	T32(BCPF_S_ADDR4, 24, 1);                                       /* reserved */
	T32(BCPF_S_ADDR6, 40, 1);
	T32(BCPF_S_PREDICATES, 12, 1);
	T32(BCPF_S_PREDICATES, 0, 3);                                   /* count */
	T8(BCPF_S_STRINGS, 0, 1);                                       /* not "" first */

	/* #10 strrefs, #11 segrefs. */
	T32(BCPF_S_SEGMENTS, 8, 0xFFFF);                                /* segment 0 name */
	T32(BCPF_S_SEGMENTS, 8, (uint32_t)sec_len(good, BCPF_S_STRINGS) - 2);
	T32(BCPF_S_SEGMENTS, 8, BCPF_NONE);
	T32(BCPF_S_SEGMENTS, 8, 1);                                     /* mid-record: no NUL */
	T32(BCPF_S_RULES, 8, 0xFFFFFF);
	T32(BCPF_S_HOST_NODES, 8 + 16 + 8, S_COUNT);                    /* exact: no segment */
	T32(BCPF_S_HOST_NODES, 8 + 16 + 12, BCPF_SEGLIST | 1000);       /* no such seglist */
	T32(BCPF_S_SEGLISTS, 0, 1);                                     /* count 1 */
	T32(BCPF_S_SEGLISTS, 0, 3);                                     /* past the end */
	T32(BCPF_S_SEGLISTS, 4, S_COUNT);                               /* its segment */

	/* #12 host_nodes: node 1 is "com" or "example" (a child of the root). */
	T32(BCPF_S_HOST_NODES, 8 + 16, 1);                              /* parent >= index */
	T32(BCPF_S_HOST_NODES, 8 + 16, 7);
	T32(BCPF_S_HOST_NODES, 8, 0);                                   /* root with a parent */
	T32(BCPF_S_HOST_NODES, 8 + 4, 0);                               /* root with a label */
	T32(BCPF_S_HOST_NODES, 8 + 16 + 4, 0);                          /* empty label */
	T32(BCPF_S_HOST_NODES, 4, 2);                                   /* depth 3 > max_depth */
	T32(BCPF_S_HOST_NODES, 4, 128);                                 /* max_depth > 127 */
	v = bcpf_u32(good + sec_off(good, BCPF_S_HOST_NODES) + 8 + 16 + 4);
	T8(BCPF_S_STRINGS, v + 2, 'C');                                 /* upper-case label */
	T8(BCPF_S_STRINGS, v + 2, '*');

	/* #13 hash tables. */
	T32(BCPF_S_HOST_INDEX, 0, 0);                                   /* nslots 0 */
	T32(BCPF_S_HOST_INDEX, 4, 65);                                  /* max_probe > 64 */
	T32(BCPF_S_HOST_INDEX, 4, bcpf_u32(good + sec_off(good, BCPF_S_HOST_INDEX)));
	off = find_slot(BCPF_S_HOST_INDEX, BCPF_HASH_HDR, 4, 1);
	v = bcpf_u32(good + sec_off(good, BCPF_S_HOST_INDEX) + off);
	T32(BCPF_S_HOST_INDEX, find_slot(BCPF_S_HOST_INDEX, BCPF_HASH_HDR, 4, 0), v); /* twice */
	T32(BCPF_S_HOST_INDEX, off, bcpf_u32(good + sec_off(good, BCPF_S_HOST_NODES)));
	T32(BCPF_S_PREDICATES, 8, 1000);                                /* max_probe */
	{
		const uint8_t *ps = good + sec_off(good, BCPF_S_PREDICATES);
		size_t slots = BCPF_PRED_HDR + (size_t)bcpf_u32(ps) * BCPF_PRED_SIZE;
		uint32_t ns = bcpf_u32(ps + 4), used = 0, empty = 0, val = 0;
		for (uint32_t k = 0; k < ns; k++) {
			if (bcpf_u32(ps + slots + 4 * k)) {
				used = (uint32_t)(slots + 4 * k);
				val = bcpf_u32(ps + used);
			} else
				empty = (uint32_t)(slots + 4 * k);
		}
		T32(BCPF_S_PREDICATES, empty, val);                     /* in two slots */
		T32(BCPF_S_PREDICATES, used, bcpf_u32(ps) + 1);          /* past the records */
	}

	/* #14 addresses. */
	off = find_slot(BCPF_S_ADDR4, BCPF_ADDR4_HDR, BCPF_ADDR4_SLOT, 1);
	T8(BCPF_S_ADDR4, off + 9, 2);                                   /* used 2 */
	T8(BCPF_S_ADDR4, off + 8, 33);                                  /* len > 32 */
	T8(BCPF_S_ADDR4, off + 8, 7);                                   /* not in lenmask */
	T8(BCPF_S_ADDR4, off + 10, 1);                                  /* reserved */
	T32(BCPF_S_ADDR4, off + 4, S_COUNT);                            /* segref */
	{   /* a host bit set in a prefix shorter than /32 */
		const uint8_t *a4 = good + sec_off(good, BCPF_S_ADDR4);
		size_t at = BCPF_ADDR4_HDR;
		while (at < sec_len(good, BCPF_S_ADDR4) && !(a4[at + 9] && a4[at + 8] < 32))
			at += BCPF_ADDR4_SLOT;
		CHECK(at < sec_len(good, BCPF_S_ADDR4));
		T8(BCPF_S_ADDR4, at, 1);
	}
	off = find_slot(BCPF_S_ADDR4, BCPF_ADDR4_HDR, BCPF_ADDR4_SLOT, 0);
	T8(BCPF_S_ADDR4, off + 3, 1);                                   /* unused, not zero */
	off = find_slot(BCPF_S_ADDR6, BCPF_ADDR6_HDR, BCPF_ADDR6_SLOT, 1);
	T8(BCPF_S_ADDR6, off + 15, 1);                                  /* host bits of a /32 */
	T8(BCPF_S_ADDR6, off + 20, 129);

	/* #15 segments and ports: segment 1 is "Wild", tcp 443, 8000-8100. */
	T32(BCPF_S_SEGMENTS, 8 + 20 + 4, 1);                            /* group */
	T32(BCPF_S_SEGMENTS, 8 + 20 + 8, (uint32_t)(sec_len(good, BCPF_S_PORTS) / 4) - 2);
	T8(BCPF_S_SEGMENTS, 8 + 20 + 16, 2);                            /* match */
	T8(BCPF_S_SEGMENTS, 8 + 20 + 17, 3);                            /* bypass */
	T8(BCPF_S_SEGMENTS, 8 + 20 + 18, 1);                            /* reserved */
	v = bcpf_u32(good + sec_off(good, BCPF_S_SEGMENTS) + 8 + 20 + 8);
	T32(BCPF_S_PORTS, 4 * (v + 1), 443u | 9000u << 16);             /* overlap */
	T32(BCPF_S_PORTS, 4 * v, 0u | 1u << 16);                        /* lo 0 */
	T32(BCPF_S_PORTS, 4 * v, 500u | 400u << 16);                    /* lo > hi */

	/* #16 predicates: 0 is saml department = Finance; 2 is country KP. */
	T8(BCPF_S_PREDICATES, BCPF_PRED_HDR, 0);                        /* kind 0 */
	T8(BCPF_S_PREDICATES, BCPF_PRED_HDR, 10);                       /* kind 10 */
	T8(BCPF_S_PREDICATES, BCPF_PRED_HDR + 1, 1);                    /* padding */
	T32(BCPF_S_PREDICATES, BCPF_PRED_HDR + 4, BCPF_NONE);           /* saml without attr */
	T32(BCPF_S_PREDICATES, BCPF_PRED_HDR + 2 * 12 + 4, 0);          /* country with attr */
	T32(BCPF_S_PREDICATES, BCPF_PRED_HDR + 8, 5);                   /* value strref */

	/* #17 clauses. */
	T8(BCPF_S_CLAUSES, 8 + 4, 0);                                   /* n 0 */
	T8(BCPF_S_CLAUSES, 8 + 6, 2);                                   /* negated 2 */
	T8(BCPF_S_CLAUSES, 8 + 7, 1);                                   /* reserved */
	T32(BCPF_S_CLAUSES, 8, 1000);                                   /* run outside */
	T32(BCPF_S_CLAUSE_PREDS, 0, 100);                               /* no such predicate */

	/* #18 rules and profiles: rule 3 is WindowsAll (all_segments). */
	T8(BCPF_S_RULES, 8 + 10, 2);                                    /* allow 2 */
	T8(BCPF_S_RULES, 8 + 11, 2);                                    /* all 2 */
	T32(BCPF_S_RULES, 8 + 3 * 20 + 16, 1);                          /* all with nsegs */
	T32(BCPF_S_RULES, 8 + 4, 100);                                  /* clauses outside */
	T32(BCPF_S_RULES, 8 + 12, 100);                                 /* segs outside */
	T32(BCPF_S_RULE_SEGS, 0, S_COUNT);                              /* no such segment */
	T32(BCPF_S_PROFILES, 8 + 4, 100);
	T32(BCPF_S_PROFILES, 8 + 10, 1);                                /* reserved */
	T32(BCPF_S_PROFILES, 8, 1);                                     /* name: mid-record */

	/* #19 msgpack: shapes and bounds. */
	WITH_SECTION(BCPF_S_SETTINGS, "\x82\xa6tenant\xc0\xa7present\xc2", BCP_OK);
	WITH_SECTION(BCPF_S_SETTINGS, "\x82\xa6tenant\xc0\xa7present\xc2\xc0", BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_SETTINGS, "\x81\xa6tenant\xc0", BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_SETTINGS, "\x82\xa6tenant\xc0\xa7present\xc3", BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_SETTINGS, "\x82\xa6tenant\x01\xa7present\xc2", BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_SETTINGS, "\x83\xa6tenant\xc0\xa7present\xc2\xa3xyz\xc0",
		BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_SETTINGS, "\x82\xa6tenant\xc0\xa6tenant\xc0", BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_SETTINGS, "\x82\xa6tenant\xa2" "a\0" "\xa7present\xc2",
		BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_SETTINGS, "\xdf\xff\xff\xff\xff", BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_SETTINGS, "\xc1", BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_PROFILE_SETTINGS, "\x92\x90\x90", BCP_OK);
	WITH_SECTION(BCPF_S_PROFILE_SETTINGS, "\x91\x90", BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_PROFILE_SETTINGS, "\xdd\xff\xff\xff\xff", BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_PROFILE_SETTINGS, "\x92\x90\x91\x93\xa1k\xa4" "bool\x01",
		BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_PROFILE_SETTINGS, "\x92\x90\x91\x93\xa1k\xa5" "float\x01",
		BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_PROFILE_SETTINGS, "\x92\x90\x91\x93\xa1k\xa7integer\xff",
		BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_PROFILE_SETTINGS, "\x92\x90\x91\x93\xa1k\xa4list\x91\x01",
		BCP_E_STRUCTURE);
	WITH_SECTION(BCPF_S_PROFILE_SETTINGS, "\x92\x90\x91\x93\xa1k\xa6string\xa1v",
		BCP_OK);
	/* Raw u32 sections must hold whole words. */
	WITH_SECTION(BCPF_S_RULE_SEGS, "\0\0\0\0\0", BCP_E_STRUCTURE);
	free(good);
}

/* Every single-bit change of a valid blob is refused. */
static void test_bit_flips(void (*make)(struct pol *), const char *what)
{
	size_t len, bit, bad = 0;
	uint8_t *blob = policy_blob(make, &default_hdr, key, &len);
	uint8_t *copy = xmalloc(len);
	struct bcp_open_opts o = opts_thumb();
	struct bcp_error err;
	bcp_blob *b;

	CHECK(bcp_open_buffer(blob, len, &o, &b, &err) == BCP_OK);
	bcp_close(b);
	memcpy(copy, blob, len);
	for (bit = 0; bit < len * 8; bit++) {
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		b = (bcp_blob *)1;
		if (bcp_open_buffer(copy, len, &o, &b, &err) == BCP_OK || b != NULL) {
			if (bad++ < 5)
				printf("    %s: flipping bit %zu of byte %zu was accepted\n", what,
					bit % 8, bit / 8);
			if (b && b != (bcp_blob *)1)
				bcp_close(b);
		}
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	if (!check_at(bad == 0, __FILE__, __LINE__, "every bit flip is refused"))
		printf("    %s: %zu of %zu flips accepted\n", what, bad, len * 8);
	free(copy);
	free(blob);
}

/* ---- binding and decisions ---- */

struct want {
	enum bcp_verdict v;
	const char *seg, *rule;
};

static void decide_case(int line, const bcp_user *u, const char *host, uint16_t port,
	enum bcp_proto proto, struct want w)
{
	struct bcp_decision d;
	enum bcp_status st = bcp_decide_host(u, host, strlen(host), port, proto, &d);
	int ok = st == BCP_OK && d.verdict == w.v &&
		((!d.segment && !w.seg) || (d.segment && w.seg && !strcmp(d.segment, w.seg))) &&
		((!d.rule && !w.rule) || (d.rule && w.rule && !strcmp(d.rule, w.rule))) &&
		(d.segment_index < 0) == (d.segment == NULL) && (d.rule_index < 0) == (d.rule == NULL);

	if (!check_at(ok, __FILE__, line, "decision"))
		printf("    %s:%u/%s: got %s %s %s (status %s), want %s %s %s\n", host, port,
			proto == BCP_TCP ? "tcp" : "udp", bcp_verdict_str(d.verdict),
			d.segment ? d.segment : "-", d.rule ? d.rule : "-", bcp_status_str(st),
			bcp_verdict_str(w.v), w.seg ? w.seg : "-", w.rule ? w.rule : "-");
}
#define DECIDE(u, host, port, v, seg, rule) \
	decide_case(__LINE__, u, host, port, BCP_TCP, (struct want){ v, seg, rule })
#define DECIDE_UDP(u, host, port, v, seg, rule) \
	decide_case(__LINE__, u, host, port, BCP_UDP, (struct want){ v, seg, rule })

static bcp_user *bind_user(const bcp_blob *b, const struct bcp_user_info *info)
{
	struct bcp_error err;
	bcp_user *u = NULL;

	if (!CHECK(bcp_bind(b, info, &u, &err) == BCP_OK && u))
		printf("    %s\n", err.message);
	return u;
}

static void test_decisions(void)
{
	size_t len;
	uint8_t *blob = policy_blob(decision_policy, &default_hdr, key, &len);
	struct bcp_open_opts o = opts_thumb();
	struct bcp_error err;
	struct bcp_decision d;
	bcp_blob *b = NULL;

	if (!CHECK(bcp_open_buffer(blob, len, &o, &b, &err) == BCP_OK)) {
		printf("    %s\n", err.message);
		free(blob);
		return;
	}
	static const char *const finance[] = { "Finance" };
	static const struct bcp_attr fin_attr[] = { { "department", finance, 1 } };
	static const char *const office[] = { "office" };
	struct bcp_user_info plain = { .country = "US", .platform = "mac" };
	struct bcp_user_info fin = { .saml = fin_attr, .nsaml = 1, .country = "us" };
	struct bcp_user_info trusted = { .trusted_networks = office, .ntrusted_networks = 1,
		.country = "US" };
	struct bcp_user_info win = { .platform = "windows", .country = "US" };
	struct bcp_user_info win_vdi = { .platform = "windows", .client_type = "vdi" };
	struct bcp_user_info kp = { .country = "kp" };
	bcp_user *up = bind_user(b, &plain), *uf = bind_user(b, &fin), *ut = bind_user(b, &trusted),
		*uw = bind_user(b, &win), *uv = bind_user(b, &win_vdi), *uk = bind_user(b, &kp);

	if (!up || !uf || !ut || !uw || !uv || !uk)
		goto out;

	/* Exact beats wildcard; case and one trailing dot are ignored. */
	DECIDE(up, "www.example.com", 443, BCP_ALLOW, "Exact", "CorpNets");
	DECIDE(up, "WWW.Example.COM.", 443, BCP_ALLOW, "Exact", "CorpNets");
	DECIDE(uk, "www.example.com", 443, BCP_DENY, "Exact", NULL);   /* not country KP */
	DECIDE(up, "foo.example.com", 443, BCP_DENY, "Wild", NULL);    /* default deny */
	DECIDE(up, "foo.example.com", 8050, BCP_DENY, "Wild", NULL);
	DECIDE(up, "a.b.c.d.e.f.www.example.com", 443, BCP_DENY, "Wild", NULL);  /* deeper */
	DECIDE(up, "foo.example.com", 22, BCP_DROP, NULL, NULL);       /* port miss */
	DECIDE_UDP(up, "foo.example.com", 53, BCP_DENY, "Wild", NULL);
	DECIDE_UDP(up, "foo.example.com", 443, BCP_DROP, NULL, NULL);

	/* "*.x" matches names below x, never x. */
	DECIDE(up, "example.com", 443, BCP_NONE, NULL, NULL);
	DECIDE(up, "corp.example", 443, BCP_DENY, "Outer", "OuterDeny");   /* via *.example */
	DECIDE(up, "com", 443, BCP_NONE, NULL, NULL);
	DECIDE(up, "unrelated.org", 443, BCP_NONE, NULL, NULL);

	/* Inclusive chain: *.corp.example (Inner) then *.example (Outer); min rule over S. */
	DECIDE(uf, "a.corp.example", 443, BCP_ALLOW, "Inner", "FinanceInner");
	DECIDE(up, "a.corp.example", 443, BCP_DENY, "Outer", "OuterDeny");
	DECIDE(uw, "a.corp.example", 443, BCP_DENY, "Outer", "OuterDeny");
	DECIDE(uf, "a.corp.example", 8443, BCP_DENY, "Outer", "OuterDeny");   /* Inner: no 8443 */
	DECIDE(uf, "a.corp.example", 80, BCP_DROP, NULL, NULL);

	/* A pattern with two segments, chosen by port and protocol. */
	DECIDE(up, "multi.example.com", 80, BCP_DENY, "MultiT", NULL);
	DECIDE_UDP(up, "multi.example.com", 53, BCP_DENY, "MultiU", NULL);
	DECIDE(up, "multi.example.com", 53, BCP_DROP, NULL, NULL);
	DECIDE(up, "x.multi.example.com", 80, BCP_DROP, NULL, NULL);   /* via *.example.com */

	/* Bypass: on_net only with a trusted network; always regardless. */
	DECIDE(up, "bp.example.com", 443, BCP_DENY, "Bypass", NULL);
	DECIDE(ut, "bp.example.com", 443, BCP_BYPASS, "Bypass", NULL);
	DECIDE(ut, "bp.example.com", 80, BCP_DROP, NULL, NULL);
	DECIDE(up, "always.example.net", 1234, BCP_BYPASS, "Always", NULL);
	DECIDE(uw, "always.example.net", 1234, BCP_BYPASS, "Always", NULL);

	/* all_segments rule, and the user's profile. */
	DECIDE(uw, "foo.example.com", 443, BCP_DENY, "Wild", "WindowsAll");
	DECIDE(uw, "www.example.com", 443, BCP_ALLOW, "Exact", "CorpNets");   /* earlier rule */
	CHECK_STR(bcp_user_profile(uw), "Win");
	CHECK(bcp_user_profile_index(uw) == 0);
	CHECK_STR(bcp_user_profile(uv), "Default");   /* client_type vdi, not zapp */
	CHECK_STR(bcp_user_profile(up), "Default");
	CHECK(bcp_user_profile_index(NULL) == -1 && bcp_user_profile(NULL) == NULL);

	/* Addresses: longest prefix first, inclusive chains, v6, and literal hosts. */
	DECIDE(up, "10.1.2.3", 22, BCP_ALLOW, "Net16", "CorpNets");
	DECIDE(up, "10.2.3.4", 22, BCP_DENY, "Net8", NULL);
	DECIDE(up, "10.1.2.3", 23, BCP_DROP, NULL, NULL);   /* Net16 is exclusive */
	DECIDE(up, "11.1.1.1", 22, BCP_NONE, NULL, NULL);
	DECIDE(up, "192.168.1.1", 443, BCP_ALLOW, "Host1", "CorpNets");
	DECIDE(uk, "192.168.1.1", 443, BCP_ALLOW, "Lan", "LanOnly");   /* second of S wins */
	DECIDE(up, "192.168.1.2", 443, BCP_ALLOW, "Lan", "LanOnly");
	DECIDE(up, "[2001:DB8::5]", 443, BCP_DENY, "V6", NULL);
	DECIDE(up, "2001:db8:ffff::1", 443, BCP_DENY, "V6", NULL);
	DECIDE(up, "2001:db9::1", 443, BCP_NONE, NULL, NULL);
	uint8_t a4[16] = { 10, 1, 9, 9 }, a6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	CHECK(bcp_decide_addr(up, 4, a4, 22, BCP_TCP, &d) == BCP_OK && d.verdict == BCP_ALLOW);
	CHECK(d.segment_index == S_NET16 && d.rule_index == R_CORP_NETS);
	CHECK(bcp_decide_addr(up, 6, a6, 443, BCP_TCP, &d) == BCP_OK && d.segment_index == S_V6);
	CHECK(bcp_decide_addr(up, 5, a6, 443, BCP_TCP, &d) == BCP_E_ARG && d.verdict == BCP_DENY);
	{   /* the sized forms read exactly 4 and 16 bytes, and decide the same */
		const uint8_t four[4] = { 10, 1, 9, 9 };
		CHECK(bcp_decide_addr4(up, four, 22, BCP_TCP, &d) == BCP_OK &&
		      d.segment_index == S_NET16 && d.rule_index == R_CORP_NETS);
		CHECK(bcp_decide_addr(up, 4, four, 22, BCP_TCP, &d) == BCP_OK &&
		      d.segment_index == S_NET16);
		CHECK(bcp_decide_addr6(up, a6, 443, BCP_TCP, &d) == BCP_OK && d.segment_index == S_V6);
		CHECK(bcp_decide_addr4(up, NULL, 22, BCP_TCP, &d) == BCP_E_ARG &&
		      d.verdict == BCP_DENY && d.reason == BCP_REASON_BAD_HOST);
		CHECK(bcp_decide_addr6(up, a6, 443, (enum bcp_proto)7, &d) == BCP_E_ARG);
	}

	/* Bad hosts: BCP_E_ARG and deny. */
	static const char *const bad_hosts[] = { "", ".", "a..b", "*.example.com", "-a.b c",
		"[10.1.2.3]", "[::1", "ex\xc3\xa9.com", "a.b..", "www.example.com/x",
		/* A last label of digits is what resolvers read as an IPv4 address; an IP
		 * literal takes no trailing dot (docs/LANGUAGE.md 4.5.1 and 6.1). */
		"127.1", "a.123", "2130706433", "10.1.2.3.", "[::1].", "::1.", "01.2.3.4" };
	for (size_t i = 0; i < sizeof bad_hosts / sizeof bad_hosts[0]; i++) {
		CHECK(bcp_decide_host(up, bad_hosts[i], strlen(bad_hosts[i]), 443, BCP_TCP, &d) ==
			BCP_E_ARG);
		CHECK(d.verdict == BCP_DENY && !d.segment && !d.rule && d.segment_index == -1);
	}
	char longname[300];
	memset(longname, 'a', sizeof longname);
	for (size_t i = 63; i < sizeof longname; i += 64)
		longname[i] = '.';
	CHECK(bcp_decide_host(up, longname, 253, 443, BCP_TCP, &d) == BCP_OK &&
		d.verdict == BCP_NONE);
	CHECK(bcp_decide_host(up, longname, 254, 443, BCP_TCP, &d) == BCP_E_ARG);
	longname[3] = '\0';
	CHECK(bcp_decide_host(up, longname, 10, 443, BCP_TCP, &d) == BCP_E_ARG);   /* NUL */
	memset(longname, 'a', 64);
	CHECK(bcp_decide_host(up, longname, 64, 443, BCP_TCP, &d) == BCP_E_ARG);   /* label > 63 */
	CHECK(bcp_decide_host(up, "www.example.com", 15, 443, (enum bcp_proto)7, &d) == BCP_E_ARG);
	CHECK(bcp_decide_host(NULL, "www.example.com", 15, 443, BCP_TCP, &d) == BCP_E_ARG);
	CHECK(bcp_decide_host(up, "www.example.com", 15, 443, BCP_TCP, NULL) == BCP_E_ARG);
	/* The host is taken by length, not up to a NUL. */
	CHECK(bcp_decide_host(up, "www.example.comXYZ", 15, 443, BCP_TCP, &d) == BCP_OK &&
		d.segment_index == S_EXACT);

out:
	bcp_user_free(up);
	bcp_user_free(uf);
	bcp_user_free(ut);
	bcp_user_free(uw);
	bcp_user_free(uv);
	bcp_user_free(uk);
	bcp_user_free(NULL);
	bcp_close(b);
	free(blob);
}

/* The blob of policy make (default header, signed by key), opened, with one user
 * bound to it: the user, or NULL after a failed check. *blob and *b are the
 * caller's to free and close either way. */
static bcp_user *open_and_bind(void (*make)(struct pol *), const struct bcp_user_info *info,
	uint8_t **blob, bcp_blob **b)
{
	size_t len;
	struct bcp_open_opts o = opts_thumb();
	struct bcp_error err;

	*b = NULL;
	*blob = policy_blob(make, &default_hdr, key, &len);
	if (!CHECK(bcp_open_buffer(*blob, len, &o, b, &err) == BCP_OK)) {
		printf("    %s\n", err.message);
		return NULL;
	}
	return bind_user(*b, info);
}

/* A candidate with the right tag but another suffix must not be taken: the lookup
 * goes on through the run and finds the node itself. */
static void test_tag_collisions(void)
{
	struct bcp_user_info plain = { .country = "US", .platform = "mac" };
	uint8_t *blob;
	bcp_blob *b;
	bcp_user *up = open_and_bind(decoy_policy, &plain, &blob, &b);

	if (up) {
		DECIDE(up, "www.example.com", 443, BCP_ALLOW, "Exact", "CorpNets");
		DECIDE(up, "bp.example.com", 443, BCP_DENY, "Bypass", NULL);   /* bypass on trusted nets */
		DECIDE(up, "x.www.example.com", 443, BCP_DENY, "Wild", NULL);
		/* The decoys' own keys lead to slots with other tags: they are not found,
		 * and the names fall to what is left (this is what a wrong tag does). */
		DECIDE(up, "www.example.net", 443, BCP_NONE, NULL, NULL);
		DECIDE(up, "multi.example.com", 443, BCP_DENY, "Wild", NULL);
	}
	bcp_user_free(up);
	bcp_close(b);
	free(blob);
}

/* The most specific prefix wins on every side of every hint level. */
static void test_nested_prefixes(void)
{
	static const struct { const char *addr; const char *seg; } cases[] = {
		{ "10.1.2.129", "10.1.2.129/32" }, { "10.1.2.130", "10.1.2.128/25" },
		{ "10.1.2.1", "10.1.2.0/24" }, { "10.1.200.1", "10.1.128.0/17" },
		{ "10.1.3.1", "10.1.0.0/16" }, { "10.2.0.1", "10.0.0.0/8" }, { "11.0.0.1", NULL },
		{ "2001:db8:1:2::1", "2001:db8:1:2::1/128" }, { "2001:db8:1:2::2", "2001:db8:1:2::/65" },
		{ "2001:db8:1:2:8000::1", "2001:db8:1:2::/64" }, { "2001:db8:1:3::1", "2001:db8:1::/49" },
		{ "2001:db8:1:8000::1", "2001:db8:1::/48" }, { "2001:db8:2::1", "2001:db8::/33" },
		{ "2001:db8:8000::1", "2001:db8::/32" }, { "2001:db9::1", NULL },
		{ "[2001:db8:1:2::1]", "2001:db8:1:2::1/128" },
	};
	struct bcp_user_info plain = { .country = "US" };
	uint8_t *blob;
	bcp_blob *b;
	bcp_user *up = open_and_bind(nested_policy, &plain, &blob, &b);

	if (up)
		for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
			decide_case(__LINE__, up, cases[k].addr, 443, BCP_TCP, (struct want){
				cases[k].seg ? BCP_DENY : BCP_NONE, cases[k].seg, NULL });
	bcp_user_free(up);
	bcp_close(b);
	free(blob);
}

static unsigned xorshift(uint64_t *x, unsigned m)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (unsigned)(*x >> 33) % m;
}
#define RND(m) xorshift(&x, m)

/* IPv6 literals as written: whatever inet_pton makes of one, the decision on the
 * text equals the decision on that address, and what it refuses is a bad host.
 * Random strings of groups (0..5 hex digits, either case), "::", IPv4 tails, and
 * the odd stray character, some in brackets. */
static void test_ipv6_literals(void)
{
	static const char hex[] = "0123456789abcdefABCDEF", odd[] = ".%g ]:";
	struct bcp_user_info plain = { .country = "US" };
	uint64_t x = 0x9E3779B97F4A7C15u;
	unsigned bad = 0, parsed = 0, n = 0, fast_ok = 0;
	uint8_t *blob;
	bcp_blob *b;
	bcp_user *up = open_and_bind(nested_policy, &plain, &blob, &b);

	if (!up) {
		bcp_close(b);
		free(blob);
		return;
	}
	for (int t = 0; t < 50000; t++) {
		char text[96], *p = text;
		uint8_t addr[16];
		struct bcp_decision dh, da;
		int bracket;
		bracket = RND(10) == 0;
		if (bracket)
			*p++ = '[';
		if (RND(4) == 0) {   /* a quarter under the tenant's 2001:db8:1:2::/64 */
			memcpy(p, "2001:db8:1:2:", 13);
			p += 13;
		}
		int well = RND(2);   /* half well formed: 1..4 digits, at most one "::" */
		unsigned ng = 1 + RND(9), gap = well && RND(2) ? RND(ng + 1) : 99;
		for (unsigned g = 0; g < ng; g++) {
			for (unsigned d = 0, nd = well ? 1 + RND(4) : RND(6); d < nd; d++)
				*p++ = hex[RND(sizeof hex - 1)];
			if (g + 1 < ng)
				*p++ = ':';
			if (well ? g + 1 == gap : RND(8) == 0)
				*p++ = ':';
		}
		if (RND(12) == 0) {
			unsigned q[4] = { RND(300), RND(256), RND(256), RND(256) };
			p += sprintf(p, "%u.%u.%u.%u", q[0], q[1], q[2], q[3]);
		}
		if (RND(20) == 0)
			*p++ = odd[RND(sizeof odd - 1)];
		if (bracket)
			*p++ = ']';
		*p = '\0';
		if (!strchr(text, ':'))
			continue;
		n++;
		text[strlen(text) - bracket] = '\0';
		int ok = inet_pton(AF_INET6, text + bracket, addr) == 1;
		uint8_t fast[16];
		if (bcpi_parse_ipv6_plain(text + bracket, strlen(text + bracket), fast)) {
			fast_ok++;
			if ((!ok || memcmp(fast, addr, 16) != 0) && bad++ < 5)
				printf("    %s: the fast parser and inet_pton disagree\n", text);
		}
		if (bracket)
			text[strlen(text)] = ']';
		enum bcp_status st = bcp_decide_host(up, text, strlen(text), 443, BCP_TCP, &dh);
		if (!ok) {
			if (st != BCP_E_ARG && bad++ < 5)
				printf("    %s: inet_pton refuses it, the decision does not (%d %d)\n", text, st, dh.verdict);
			continue;
		}
		parsed++;
		if (bcp_decide_addr(up, 6, addr, 443, BCP_TCP, &da) != BCP_OK || st != BCP_OK ||
		    dh.verdict != da.verdict || dh.segment_index != da.segment_index) {
			if (bad++ < 5)
				printf("    %s: text and address disagree\n", text);
		}
	}
	CHECK(bad == 0);
	if (!CHECK(fast_ok > 5000 && parsed > fast_ok && parsed < n - 5000))   /* all kinds */
		printf("    %u of %u literals parsed, %u by the fast parser\n", parsed, n, fast_ok);
	bcp_user_free(up);
	bcp_close(b);
	free(blob);
}

static void test_bind_errors(void)
{
	size_t len;
	uint8_t *blob = policy_blob(decision_policy, &default_hdr, key, &len);
	struct bcp_open_opts o = opts_thumb();
	struct bcp_error err;
	bcp_blob *b = NULL;
	bcp_user *u = (bcp_user *)1;
	static const char *const vals[] = { "x", NULL };
	static const struct bcp_attr noname[] = { { NULL, vals, 1 } };
	static const struct bcp_attr nullval[] = { { "department", vals, 2 } };
	static const struct bcp_attr nullarr[] = { { "department", NULL, 1 } };
	struct bcp_user_info info;

	if (!CHECK(bcp_open_buffer(blob, len, &o, &b, &err) == BCP_OK)) {
		free(blob);
		return;
	}
	info = (struct bcp_user_info){ .saml = noname, .nsaml = 1 };
	CHECK(bcp_bind(b, &info, &u, &err) == BCP_E_USER && u == NULL);
	info = (struct bcp_user_info){ .scim = nullval, .nscim = 1 };
	CHECK(bcp_bind(b, &info, &u, &err) == BCP_E_USER && err.code == BCP_E_USER);
	info = (struct bcp_user_info){ .saml = nullarr, .nsaml = 1 };
	CHECK(bcp_bind(b, &info, &u, &err) == BCP_E_USER);
	info = (struct bcp_user_info){ .posture = vals, .nposture = 2 };
	CHECK(bcp_bind(b, &info, &u, &err) == BCP_E_USER);
	info = (struct bcp_user_info){ .nsaml = 1 };
	CHECK(bcp_bind(b, &info, &u, &err) == BCP_E_USER);
	CHECK(bcp_bind(b, NULL, &u, &err) == BCP_E_ARG);
	CHECK(bcp_bind(NULL, &info, &u, &err) == BCP_E_ARG);
	/* An empty user binds; NULL client_type is zapp. */
	info = (struct bcp_user_info){ .platform = "windows" };
	u = bind_user(b, &info);
	CHECK_STR(bcp_user_profile(u), "Win");
	bcp_user_free(u);
	bcp_close(b);
	free(blob);
}

static EVP_PKEY *new_key(char tp[45])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *k = NULL;
	uint8_t raw[32];
	size_t n = sizeof raw;

	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &k) != 1 ||
	    EVP_PKEY_get_raw_public_key(k, raw, &n) != 1 || bcp_thumbprint(raw, tp) != 0) {
		fprintf(stderr, "cannot make an Ed25519 key\n");
		exit(2);
	}
	EVP_PKEY_CTX_free(ctx);
	return k;
}

/* Two-word atoms (FORMAT.md 12, version 4), written from the document: rule "Scoped"
 * allows segment App when (not posture "A") or (saml department = "HR" from idp
 * "Okta"). */
static void atoms_policy(struct pol *p)
{
	uint32_t g, seg = 0, w[4];

	pol_init(p);
	g = group_add(p, "Apps");
	seg_add(p, "App", g, "443", NULL, 0, 0);
	host_pattern(p, "app.example", 0);
	w[0] = 0x80000000u | 0x40000000u | pred_add(p, BCPF_P_POSTURE, NULL, "A");
	w[1] = 0xFFFFFFFFu;
	w[2] = 0x80000000u | pred_add(p, BCPF_P_SAML, "department", "HR");
	w[3] = pred_add(p, BCPF_P_IDP, NULL, "Okta");
	rule_add(p, "Scoped", 1, clause_add(p, 0, w, 4), 1, 0, &seg, 1);
	settings_absent(p);
	empty_array(&p->profile_settings);
}

static void test_atoms(void)
{
	struct bcp_open_opts o = opts_thumb();
	struct bcp_error err;
	struct hdr h = default_hdr;
	bcp_blob *b = NULL;
	size_t len;
	uint8_t *blob;

	good = policy_blob(atoms_policy, &default_hdr, key, &good_len);
	if (!CHECK(bcp_open_buffer(good, good_len, &o, &b, &err) == BCP_OK)) {
		printf("    %s\n", err.message);
		free(good);
		return;
	}
	static const char *const a[] = { "A" }, *const hr[] = { "HR" };
	static const struct bcp_attr dept[] = { { "department", hr, 1 } };
	struct bcp_user_info none = { 0 }, post = { .posture = a, .nposture = 1 };
	struct bcp_user_info azure = { .posture = a, .nposture = 1, .saml = dept, .nsaml = 1,
		.idp = "Azure" };
	struct bcp_user_info okta = azure;
	okta.idp = "Okta";
	bcp_user *un = bind_user(b, &none), *up = bind_user(b, &post), *ua = bind_user(b, &azure),
		*uo = bind_user(b, &okta);
	if (un && up && ua && uo) {
		DECIDE(un, "app.example", 443, BCP_ALLOW, "App", "Scoped");   /* not posture A */
		DECIDE(up, "app.example", 443, BCP_DENY, "App", NULL);
		DECIDE(ua, "app.example", 443, BCP_DENY, "App", NULL);       /* HR, another IdP */
		DECIDE(uo, "app.example", 443, BCP_ALLOW, "App", "Scoped");
	}
	bcp_user_free(un);
	bcp_user_free(up);
	bcp_user_free(ua);
	bcp_user_free(uo);
	bcp_close(b);

	/* #17 on the two-word atoms. */
	T32(BCPF_S_CLAUSE_PREDS, 12, 1);                       /* scope: the saml predicate */
	T32(BCPF_S_CLAUSE_PREDS, 0, 0x80000000u);              /* neither negated nor scoped */
	T32(BCPF_S_CLAUSE_PREDS, 0, 0xC0000000u | 100);        /* no such predicate */
	T32(BCPF_S_CLAUSE_PREDS, 12, 100);                     /* no such scope */
	T8(BCPF_S_CLAUSES, 8 + 4, 3);                          /* the second atom cut off */
	free(good);
	good = NULL;

	/* Version 3 is read, without two-word atoms. */
	h.version = 3;
	blob = policy_blob(atoms_policy, &h, key, &len);
	EXPECT_OPEN(blob, len, BCP_E_STRUCTURE);
	free(blob);
	blob = policy_blob(decision_policy, &h, key, &len);
	EXPECT_OPEN(blob, len, BCP_OK);
	free(blob);
}

int main(void)
{
	verbose = getenv("VERBOSE") != NULL;
	key = new_key(thumb);
	other_key = new_key(other_thumb);
	test_thumbprint();
	test_open_ok();
	test_refusals();
	test_structure();
	test_bit_flips(minimal_policy, "minimal policy");
	test_bit_flips(decision_policy, "decision policy");
	test_decisions();
	test_tag_collisions();
	test_nested_prefixes();
	test_ipv6_literals();
	test_bind_errors();
	test_atoms();
	EVP_PKEY_free(key);
	EVP_PKEY_free(other_key);
	return harness_summary();
}
