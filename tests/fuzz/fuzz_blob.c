/* fuzz_blob.c - libFuzzer target for bcp_open_buffer, built twice:
 *
 *   fuzz_blob (runtime built with -DBCP_FUZZ_SKIP_SIGNATURE): trust (#5) and the
 *   signature (#6) are skipped, so the input reaches the structural verifier, which
 *   must be safe on its own. The input is a blob (as many bytes as its header's
 *   total_size says) followed by a tail: lines that are hosts to decide. A blob that
 *   opens is read in full: info, settings, every profile and setting, a few fixed
 *   users bound, and decisions for the tail's hosts, their bytes as addresses, and
 *   a few fixed hosts. A tail starting with '!' opens it expired
 *   (BCP_OPEN_EXPIRED_DENIES), where every decision must deny.
 *
 *   fuzz_blob_refuse (the normal runtime): the anchors are keys nobody holds, so
 *   every input must be refused, with *out NULL and a message.
 *
 * The clock is the blob's own not_before, so the validity window (#7) never hides
 * the structure from the fuzzer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bcp.h"
#include "bcp_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_HOSTS 8
#define MAX_PROFILES 64
#define MAX_SETTINGS 64

static _Noreturn void fail(const char *what)
{
	fprintf(stderr, "fuzz_blob: %s\n", what);
	abort();
}

/* No one holds a private key for either anchor: no key is known to hash to 32 zero
 * bytes, and the PEM key's private half was thrown away. */
static const char untrusted_tp[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
#ifndef BCP_FUZZ_SKIP_SIGNATURE
static const char untrusted_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MCowBQYDK2VwAyEAjA5j+NBLrmymhqCzb3KTuGJbVxhGQn6oLwylnhUWS0o=\n"
	"-----END PUBLIC KEY-----\n";
#endif

#ifdef BCP_FUZZ_SKIP_SIGNATURE
/* Reading a string touches every byte of it, so ASan sees one that runs off the blob. */
static volatile size_t sink;
static void touch(const char *s)
{
	if (s)
		sink += strlen(s);
}

static void read_settings(const bcp_blob *b)
{
	struct bcp_settings s;
	struct bcp_info info;
	struct bcp_setting set;

	bcp_info(b, &info);
	touch(info.tenant);
	bcp_settings_get(b, &s);
	if (s.present) {
		touch(s.domain);
		touch(s.sni);
		touch(s.sni_new_user);
		touch(s.sp_url);
		for (size_t i = 0; i < s.ncontrollers; i++)
			touch(s.controllers[i].host);
		for (size_t i = 0; s.sp_ca_pem && i < s.sp_ca_len; i++)
			sink += (unsigned char)s.sp_ca_pem[i];
	}
	size_t np = bcp_profile_count(b);
	for (size_t i = 0; i < np && i < MAX_PROFILES; i++) {
		touch(bcp_profile_name(b, i));
		size_t ns = bcp_profile_setting_count(b, i);
		for (size_t j = 0; j < ns && j < MAX_SETTINGS; j++) {
			if (bcp_profile_setting(b, i, j, &set) != 0)
				fail("a setting below the count is out of range");
			touch(set.key);
			if (set.type == BCP_SET_STRING)
				touch(set.s);
			for (size_t k = 0; set.type == BCP_SET_LIST && k < set.nlist; k++)
				touch(set.list[k]);
		}
	}
	if (bcp_profile_name(b, np) || bcp_profile_setting(b, np, 0, &set) != -1)
		fail("a profile past the count is in range");
}

static void check_decision(const struct bcp_decision *d, int expired)
{
	touch(d->segment);
	touch(d->rule);
	if ((unsigned)d->verdict > BCP_DENY)
		fail("verdict out of range");
	if (expired && d->verdict != BCP_DENY)
		fail("an expired blob decided something other than deny");
}

static void decide(const bcp_user *u, const char *host, size_t n, int expired)
{
	static const uint16_t ports[] = { 443, 53, 3200, 0, 65535 };
	struct bcp_decision d;
	uint8_t addr[16] = { 0 };

	for (size_t i = 0; i < sizeof ports / sizeof *ports; i++) {
		enum bcp_proto proto = i == 1 ? BCP_UDP : BCP_TCP;
		if (bcp_decide_host(u, host, n, ports[i], proto, &d) != BCP_OK && d.verdict != BCP_DENY)
			fail("an invalid host did not deny");
		check_decision(&d, expired);
	}
	memcpy(addr, host, n < 16 ? n : 16);
	if (bcp_decide_addr(u, 4, addr, 443, BCP_TCP, &d) != BCP_OK)
		fail("an IPv4 address was refused");
	check_decision(&d, expired);
	if (bcp_decide_addr(u, 6, addr, 53, BCP_UDP, &d) != BCP_OK)
		fail("an IPv6 address was refused");
	check_decision(&d, expired);
}

static void use_blob(const bcp_blob *b, const char *tail, size_t tlen, int expired)
{
	static const char *const groups[] = { "Finance", "All-Staff" };
	static const char *const finance[] = { "Finance" }, *const employee[] = { "employee" };
	static const char *const posture[] = { "disk-encrypted" }, *const nets[] = { "HQ-LAN" };
	static const struct bcp_attr saml[] = { { "department", finance, 1 },
						 { "employeeType", employee, 1 } };
	static const char *const fixed[] = { "sap.acme.example", "x.dev.sap.acme.example",
					     "10.20.1.1", "[2001:db8:20::1]", "a", "*", "" };
	const struct bcp_user_info users[] = {
		{ 0 },
		{ .saml = saml, .nsaml = 2, .scim = saml + 1, .nscim = 1, .scim_groups = groups,
		  .nscim_groups = 2, .idp = "okta", .platform = "windows", .posture = posture,
		  .nposture = 1, .trusted_networks = nets, .ntrusted_networks = 1, .country = "de" },
		{ .platform = "mac", .client_type = "zapp_partner", .country = "US" },
	};
	struct bcp_error e;

	read_settings(b);
	for (size_t i = 0; i < sizeof users / sizeof *users; i++) {
		bcp_user *u = NULL;
		if (bcp_bind(b, &users[i], &u, &e) != BCP_OK) {
			if (u)
				fail("bind failed but returned a user");
			continue;
		}
		touch(bcp_user_profile(u));
		int pi = bcp_user_profile_index(u);
		if (pi < -1 || (pi >= 0 && (size_t)pi >= bcp_profile_count(b)))
			fail("profile index out of range");
		for (size_t j = 0; j < sizeof fixed / sizeof *fixed; j++)
			decide(u, fixed[j], strlen(fixed[j]), expired);
		const char *p = tail, *end = tail + tlen;
		for (int j = 0; j < MAX_HOSTS && p < end; j++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			decide(u, p, n, expired);
			p += n + 1;
		}
		bcp_user_free(u);
	}
}

#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t blen = size;
	int64_t now = 0;
	uint32_t flags = 0;

	if (size >= BCPF_HEADER_SIZE) {
		uint64_t total = bcpf_u64(data + BCPF_H_TOTAL);
		int64_t nb = (int64_t)bcpf_u64(data + BCPF_H_NOT_BEFORE);
		int64_t na = (int64_t)bcpf_u64(data + BCPF_H_NOT_AFTER);
		if (total >= BCPF_HEADER_SIZE && total <= size)
			blen = (size_t)total;
		now = nb;
		if (blen < size && data[blen] == '!' && na < INT64_MAX) {
			now = na + 1;
			flags = BCP_OPEN_EXPIRED_DENIES;
		}
	}
	/* The blob alone, in a buffer of its exact size: ASan sees any read past it. */
	uint8_t *buf = malloc(blen ? blen : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, blen);

	const char *tp = untrusted_tp;
	struct bcp_open_opts o = { .thumbprints = &tp, .nthumbprints = 1, .now = now,
				   .flags = flags };
#ifndef BCP_FUZZ_SKIP_SIGNATURE
	/* Parsing it is slow (OpenSSL's decoders): only for odd sizes. */
	if (size & 1)
		o.pubkey_pem = untrusted_pem;
#endif
	struct bcp_error e;
	bcp_blob *b = (bcp_blob *)buf;   /* must be set to NULL on failure */
	enum bcp_status st = bcp_open_buffer(buf, blen, &o, &b, &e);
	if ((st == BCP_OK) != (b != NULL) || e.code != st || !memchr(e.message, '\0', sizeof e.message))
		fail("status, handle and error disagree");
#ifdef BCP_FUZZ_SKIP_SIGNATURE
	if (b) {
		struct bcp_info info;
		bcp_info(b, &info);
		use_blob(b, (const char *)data + blen + (flags != 0), size - blen - (flags != 0),
			 info.expired);
	}
#else
	if (st == BCP_OK)
		fail("a blob opened under a key nobody holds");
#endif
	bcp_close(b);
	free(buf);
	return 0;
}
