/* decide.c - the decision for (host or address, port, proto) and a bound user
 * (docs/LANGUAGE.md semantics, steps 1..4): find the matching patterns, most
 * specific first, collect the set S of segments serving the port, then bypass, the
 * precomputed rule winners, or the default.
 *
 * The hot path: no allocation, no lock, no write outside the caller's buffers and
 * this stack frame, and a bounded amount of work whatever the size of the policy
 * (at most max_depth host index lookups, or 33 / 129 prefix lookups, each at most
 * 65 slot reads). It reads the blob only through the *_unchecked accessors, which
 * the structural pass at open made safe.
 *
 * Every decision says why (enum bcp_reason): an invalid argument is BCP_E_ARG with
 * reason bad_host; a blob opened in the expired state denies every valid request
 * with reason expired, before any lookup. */
#include "internal.h"
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

const char *bcp_verdict_str(enum bcp_verdict v)
{
	switch (v) {
	case BCP_NONE:
		return "none";
	case BCP_DROP:
		return "drop";
	case BCP_BYPASS:
		return "bypass";
	case BCP_ALLOW:
		return "allow";
	case BCP_DENY:
		return "deny";
	}
	return "unknown";
}

const char *bcp_reason_str(enum bcp_reason r)
{
	switch (r) {
	case BCP_REASON_POLICY:
		return "policy";
	case BCP_REASON_EXPIRED:
		return "expired";
	case BCP_REASON_BAD_HOST:
		return "bad_host";
	}
	return "unknown";
}

/* The patterns met so far and the set S of segments they contributed. */
struct walk {
	const bcp_user *u;
	const bcp_blob *b;
	uint16_t port;
	enum bcp_proto proto;
	int matched;
	unsigned ns;
	uint32_t s[BCPI_MAX_S];
};

/* 1 if segment seg serves port over proto: a binary search in its sorted run. */
static int serves_unchecked(const bcp_blob *b, uint32_t seg, uint16_t port,
	enum bcp_proto proto)
{
	const uint8_t *s = bcpi_segment_unchecked(b, seg);
	uint32_t first = bcpf_u32(s + 8), n = bcpf_u16(s + 12), lo = 0, hi, mid;

	if (proto == BCP_UDP) {
		first += n;
		n = bcpf_u16(s + 14);
	}
	hi = n;
	while (lo < hi) {   /* the first range whose hi is >= port */
		mid = lo + (hi - lo) / 2;
		if (bcpf_u16(b->ports + (size_t)(first + mid) * BCPF_PORT_SIZE + 2) < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && bcpf_u16(b->ports + (size_t)(first + lo) * BCPF_PORT_SIZE) <= port;
}

/* A pattern matched: add its segment serving the port (at most one) to S. Returns 1
 * when the walk stops here: the pattern's style, that of its first segment, is
 * exclusive. */
static int take_pattern_unchecked(struct walk *w, uint32_t segref)
{
	const bcp_blob *b = w->b;
	uint32_t n = 1, at = 0, k, seg, first = segref;

	w->matched = 1;
	if (segref & BCPF_SEGLIST) {
		at = (segref & ~BCPF_SEGLIST) + 1;
		n = bcpi_word_unchecked(b->seglists, at - 1);
		first = bcpi_word_unchecked(b->seglists, at);
	}
	for (k = 0; k < n; k++) {
		seg = segref & BCPF_SEGLIST ? bcpi_word_unchecked(b->seglists, at + k) : segref;
		if (serves_unchecked(b, seg, w->port, w->proto)) {
			if (w->ns < BCPI_MAX_S)
				w->s[w->ns++] = seg;
			break;
		}
	}
	return bcpi_segment_unchecked(b, first)[16] == 0;   /* match: 0 exclusive */
}

/* A verdict of the policy without segment or rule. */
static void bare(struct bcp_decision *out, enum bcp_verdict v)
{
	out->verdict = v;
	out->reason = BCP_REASON_POLICY;
	out->segment = NULL;
	out->rule = NULL;
	out->segment_index = -1;
	out->rule_index = -1;
}

static void set_segment(const bcp_blob *b, struct bcp_decision *out, uint32_t seg)
{
	out->segment = bcpi_segment_name_unchecked(b, seg);
	out->segment_index = (int32_t)seg;
}

/* Steps 3 and 4 of the semantics, over the collected S. */
static void finish(const struct walk *w, struct bcp_decision *out)
{
	const bcp_blob *b = w->b;
	uint32_t best = BCPF_NONE, i, bypass;

	if (!w->matched || w->ns == 0) {
		bare(out, w->matched ? BCP_DROP : BCP_NONE);
		return;
	}
	for (i = 0; i < w->ns; i++) {
		bypass = bcpi_segment_unchecked(b, w->s[i])[17];
		if (bypass == 1 || (bypass == 2 && w->u->has_trusted_network)) {
			bare(out, BCP_BYPASS);
			set_segment(b, out, w->s[i]);
			return;
		}
	}
	for (i = 0; i < w->ns; i++)
		if (w->u->winner[w->s[i]] < best)
			best = w->u->winner[w->s[i]];
	if (best == BCPF_NONE) {
		bare(out, BCP_DENY);
		set_segment(b, out, w->s[0]);
		return;
	}
	out->verdict = bcpi_rule_unchecked(b, best)[10] ? BCP_ALLOW : BCP_DENY;
	out->reason = BCP_REASON_POLICY;
	out->rule = bcpi_rule_name_unchecked(b, best);
	out->rule_index = (int32_t)best;
	for (i = 0; w->u->winner[w->s[i]] != best; i++)
		;
	set_segment(b, out, w->s[i]);
}

static void walk_init(struct walk *w, const bcp_user *u, uint16_t port, enum bcp_proto proto)
{
	w->u = u;
	w->b = u->blob;
	w->port = port;
	w->proto = proto;
	w->matched = 0;
	w->ns = 0;
}

/* ---- host names ---- */

/* The child of node parent with this label, or BCPF_NONE. */
static uint32_t host_child_unchecked(const bcp_blob *b, uint32_t parent, const char *label,
	size_t len)
{
	const struct bcpi_hash *h = &b->host_index;
	uint64_t hash = bcpf_hash_bytes(bcpf_hash_start(h->seed, parent), label, len);
	uint32_t slot = bcpf_hash_slot(hash, h->nslots), probe, v, ref;
	const uint8_t *node;

	for (probe = 0; probe <= h->max_probe; probe++, slot = bcpi_next_slot(slot, h->nslots)) {
		v = bcpi_word_unchecked(h->slots, slot);
		if (v == 0)
			return BCPF_NONE;
		node = bcpi_node_unchecked(b, v);
		ref = bcpf_u32(node + 4);
		if (bcpf_u32(node) == parent && bcpi_strlen_unchecked(b, ref) == len &&
		    memcmp(bcpi_str_unchecked(b, ref), label, len) == 0)
			return v;
	}
	return BCPF_NONE;
}

static int label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* name[0..len) is lower case; splits it into labels. Returns their number, or 0
 * when it is not a host name by docs/LANGUAGE.md 4.5.1: labels of 1..63 bytes of
 * [a-z0-9_-], and a last label that is not all digits ("a.123", "127.1", "1.2.3.4."
 * are what resolvers read as IPv4 addresses). The caller bounds len. */
static unsigned split_labels(const char *name, size_t len, uint16_t off[], uint8_t llen[])
{
	size_t i, start = 0;
	unsigned n = 0;
	int digits = 1;   /* the current label is all digits so far */

	for (i = 0; i <= len; i++) {
		if (i < len && name[i] != '.') {
			if (!label_char(name[i]))
				return 0;
			digits &= name[i] >= '0' && name[i] <= '9';
			continue;
		}
		if (i == start || i - start > 63 || n >= BCPF_MAX_DEPTH)
			return 0;
		off[n] = (uint16_t)start;
		llen[n++] = (uint8_t)(i - start);
		start = i + 1;
		if (i < len)
			digits = 1;
	}
	return digits ? 0 : n;
}

/* Patterns of l1...ln, most specific first: l1...ln itself, *.l2...ln, ..., *.ln, *.
 * The node at depth n is the name itself and gives only its exact pattern: "*.x"
 * matches names below x, never x. */
static void walk_host(struct walk *w, const char *name, unsigned nlabels, const uint16_t off[],
	const uint8_t llen[])
{
	const bcp_blob *b = w->b;
	uint32_t at[BCPF_MAX_DEPTH + 1], ref;
	unsigned d, reached = 0, dmax = nlabels < b->max_depth ? nlabels : b->max_depth;

	at[0] = 0;
	for (d = 1; d <= dmax; d++) {
		unsigned l = nlabels - d;
		at[d] = host_child_unchecked(b, at[d - 1], name + off[l], llen[l]);
		if (at[d] == BCPF_NONE)
			break;
		reached = d;
	}
	if (reached == nlabels) {
		ref = bcpf_u32(bcpi_node_unchecked(b, at[nlabels]) + 8);
		if (ref != BCPF_NONE && take_pattern_unchecked(w, ref))
			return;
	}
	for (d = reached < nlabels - 1 ? reached : nlabels - 1; d >= 1; d--) {
		ref = bcpf_u32(bcpi_node_unchecked(b, at[d]) + 12);
		if (ref != BCPF_NONE && take_pattern_unchecked(w, ref))
			return;
	}
	ref = bcpf_u32(bcpi_node_unchecked(b, 0) + 12);
	if (ref != BCPF_NONE)
		take_pattern_unchecked(w, ref);
}

/* ---- addresses ---- */

static void walk_addr4(struct walk *w, const uint8_t addr[4])
{
	const bcp_blob *b = w->b;
	const struct bcpi_hash *h = &b->addr4;
	uint32_t a = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 | (uint32_t)addr[2] << 8 |
		addr[3], net, slot, probe, ref;
	uint8_t be[4];
	const uint8_t *rec;
	int len;

	for (len = 32; len >= 0; len--) {
		if (!(b->lenmask4 >> len & 1))
			continue;
		net = len == 0 ? 0 : a & (0xFFFFFFFFu << (32 - len));
		be[0] = (uint8_t)(net >> 24);
		be[1] = (uint8_t)(net >> 16);
		be[2] = (uint8_t)(net >> 8);
		be[3] = (uint8_t)net;
		slot = bcpf_hash_slot(bcpf_hash_bytes(bcpf_hash_start(h->seed, (uint64_t)len), be, 4),
			h->nslots);
		for (probe = 0; probe <= h->max_probe; probe++,
		     slot = bcpi_next_slot(slot, h->nslots)) {
			rec = h->slots + (size_t)slot * BCPF_ADDR4_SLOT;
			if (!rec[9])   /* an unused slot ends the probe */
				break;
			if (rec[8] != len || bcpf_u32(rec) != net)
				continue;
			ref = bcpf_u32(rec + 4);
			if (ref != BCPF_NONE && take_pattern_unchecked(w, ref))
				return;
			break;
		}
	}
}

static void walk_addr6(struct walk *w, const uint8_t addr[16])
{
	const bcp_blob *b = w->b;
	const struct bcpi_hash *h = &b->addr6;
	uint32_t slot, probe, ref;
	uint8_t net[16];
	const uint8_t *rec;
	int len, k;

	for (len = 128; len >= 0; len--) {
		if (!(b->lenmask6[len / 64] >> (len % 64) & 1))
			continue;
		for (k = 0; k < 16; k++) {
			int keep = len >= 8 * (k + 1) ? 8 : len > 8 * k ? len - 8 * k : 0;
			net[k] = (uint8_t)(addr[k] & (0xFF00u >> keep));
		}
		slot = bcpf_hash_slot(bcpf_hash_bytes(bcpf_hash_start(h->seed, (uint64_t)len), net,
			16), h->nslots);
		for (probe = 0; probe <= h->max_probe; probe++,
		     slot = bcpi_next_slot(slot, h->nslots)) {
			rec = h->slots + (size_t)slot * BCPF_ADDR6_SLOT;
			if (!rec[21])
				break;
			if (rec[20] != len || memcmp(rec, net, 16) != 0)
				continue;
			ref = bcpf_u32(rec + 16);
			if (ref != BCPF_NONE && take_pattern_unchecked(w, ref))
				return;
			break;
		}
	}
}

/* ---- the API ---- */

/* The answer to an invalid argument: deny, BCP_E_ARG. */
static enum bcp_status bad_host(struct bcp_decision *out)
{
	bare(out, BCP_DENY);
	out->reason = BCP_REASON_BAD_HOST;
	return BCP_E_ARG;
}

/* The answer of an expired blob to a valid request: deny, BCP_OK. */
static enum bcp_status expired(struct bcp_decision *out)
{
	bare(out, BCP_DENY);
	out->reason = BCP_REASON_EXPIRED;
	return BCP_OK;
}

enum bcp_status bcp_decide_addr(const bcp_user *u, int family, const uint8_t addr[16],
	uint16_t port, enum bcp_proto proto, struct bcp_decision *out)
{
	struct walk w;

	if (!out)
		return BCP_E_ARG;
	if (!u || !addr || (family != 4 && family != 6) || (proto != BCP_TCP && proto != BCP_UDP))
		return bad_host(out);
	if (u->blob->expired)
		return expired(out);
	walk_init(&w, u, port, proto);
	if (family == 4)
		walk_addr4(&w, addr);
	else
		walk_addr6(&w, addr);
	finish(&w, out);
	return BCP_OK;
}

enum bcp_status bcp_decide_host(const bcp_user *u, const char *host, size_t len, uint16_t port,
	enum bcp_proto proto, struct bcp_decision *out)
{
	char name[BCPI_HOST_MAX + 2];
	uint16_t off[BCPF_MAX_DEPTH];
	uint8_t llen[BCPF_MAX_DEPTH], addr[16];
	unsigned nlabels;
	struct walk w;
	size_t i;

	if (!out)
		return BCP_E_ARG;
	if (!u || !host || (proto != BCP_TCP && proto != BCP_UDP))
		return bad_host(out);
	if (len == 0 || len > BCPI_HOST_MAX + 1)
		return bad_host(out);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)host[i];
		if (c == 0 || c >= 0x80)
			return bad_host(out);   /* also keeps inet_pton from stopping early */
		name[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	name[len] = '\0';

	/* An IP literal exactly as written: "10.1.2.3", "2001:db8::1", "[2001:db8::1]".
	 * With a trailing dot it is no literal, and no host name either (see below). */
	if (name[0] == '[' && len >= 2 && name[len - 1] == ']') {
		name[len - 1] = '\0';
		if (inet_pton(AF_INET6, name + 1, addr) != 1)
			return bad_host(out);
		return bcp_decide_addr(u, 6, addr, port, proto, out);
	}
	if (inet_pton(AF_INET, name, addr) == 1)
		return bcp_decide_addr(u, 4, addr, port, proto, out);
	if (inet_pton(AF_INET6, name, addr) == 1)
		return bcp_decide_addr(u, 6, addr, port, proto, out);

	if (name[len - 1] == '.')
		name[--len] = '\0';   /* the root dot, once */
	if (len == 0 || len > BCPI_HOST_MAX)
		return bad_host(out);
	nlabels = split_labels(name, len, off, llen);
	if (nlabels == 0)
		return bad_host(out);
	if (u->blob->expired)
		return expired(out);
	walk_init(&w, u, port, proto);
	walk_host(&w, name, nlabels, off, llen);
	finish(&w, out);
	return BCP_OK;
}
