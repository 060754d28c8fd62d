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
 * reason bad_host; a blob opened in the expired (or not-yet-valid) state denies
 * every valid request with reason expired (not_yet_valid), before any lookup. */
#include "internal.h"
#include <string.h>
#if defined(__SSE2__) && !defined(BCP_NO_SIMD)
#define BCPI_SSE2 1
#include <emmintrin.h>
#endif

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
	case BCP_REASON_NOT_YET_VALID:
		return "not_yet_valid";
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
	uint32_t first = bcpf_segment_ports(s), n = bcpf_segment_ntcp(s), lo = 0, hi, mid;

	if (proto == BCP_UDP) {
		first += n;
		n = bcpf_segment_nudp(s);
	}
	hi = n;
	while (lo < hi) {   /* the first range whose hi is >= port */
		mid = lo + (hi - lo) / 2;
		if (bcpf_port_hi(b->ports + (size_t)(first + mid) * BCPF_PORT_SIZE) < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && bcpf_port_lo(b->ports + (size_t)(first + lo) * BCPF_PORT_SIZE) <= port;
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
	return bcpf_segment_match(bcpi_segment_unchecked(b, first)) == 0;   /* 0: exclusive */
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
		bypass = bcpf_segment_bypass(bcpi_segment_unchecked(b, w->s[i]));
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
	out->verdict = bcpf_rule_allow(bcpi_rule_unchecked(b, best)) ? BCP_ALLOW : BCP_DENY;
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

/* Labels are short: a plain loop beats a call to memcmp. */
static int same_bytes(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* Node v has this parent and label. The label is compared 8 bytes at a time: the
 * name's buffer has 8 readable bytes past its end, and a label whose record ends
 * within 64 bytes of the strings section's end takes the byte loop. */
static int node_is_unchecked(const bcp_blob *b, uint32_t v, uint32_t parent, const char *label,
	size_t len)
{
	const uint8_t *node = bcpi_node_unchecked(b, v), *s;
	uint32_t ref = bcpf_node_label(node);
	size_t i;

	if (bcpf_node_parent(node) != parent || bcpi_strlen_unchecked(b, ref) != len)
		return 0;
	s = (const uint8_t *)bcpi_str_unchecked(b, ref);
	if ((size_t)ref + 2 + 64 > b->strings_len)
		return same_bytes((const char *)s, label, len);
	for (i = 0; i + 8 <= len; i += 8)
		if (bcpf_u64(s + i) != bcpf_u64((const uint8_t *)label + i))
			return 0;
	return i == len ||
	       ((bcpf_u64(s + i) ^ bcpf_u64((const uint8_t *)label + i)) << (8 * (8 - (len - i)))) == 0;
}

/* The first node in the probe run from slot home whose slot has this tag and, when
 * label is not NULL, that has this parent and label; or BCPF_NONE. Without a label
 * it is a candidate, read from the index alone; with one, the full scan for when
 * the first candidate was another suffix with the same tag. */
static inline uint32_t host_probe_unchecked(const bcp_blob *b, uint32_t home, uint32_t tag,
	uint32_t parent, const char *label, size_t len)
{
	const struct bcpi_hash *h = &b->host_index;
	uint32_t slot = home, probe, v;
	const uint8_t *s;

	for (probe = 0; probe <= h->max_probe; probe++, slot = bcpi_next_slot(slot, h->nslots)) {
		s = h->slots + (size_t)slot * BCPF_HOST_SLOT;
		v = bcpf_host_slot_node(s);
		if (v == 0)
			return BCPF_NONE;
		if (bcpf_host_slot_tag(s) == tag && (!label || node_is_unchecked(b, v, parent, label, len)))
			return v;
	}
	return BCPF_NONE;
}

static int label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* name[0..len) is lower case; splits it into labels. Returns their number, or 0
 * when it is not made of labels of 1..63 bytes of [a-z0-9_-] (docs/LANGUAGE.md
 * 4.5.1). *numeric says the last label is all digits: then it is no host name
 * ("a.123", "127.1"), but it may be an IPv4 literal. The caller bounds len. */
static unsigned split_labels(const char *name, size_t len, uint16_t off[], uint8_t llen[],
	int *numeric)
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
	*numeric = digits;
	return n;
}

/* A dotted-quad IPv4 literal, as inet_pton(AF_INET) reads it: four decimal parts
 * of 0..255 without leading zeros. 1 and the address, or 0. (inet_pton costs more
 * than the rest of a decision.) */
static int parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
	unsigned part = 0, val = 0, ndig = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (ndig == 0 || part == 4)
				return 0;
			out[part++] = (uint8_t)val;
			val = ndig = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9' || (ndig > 0 && val == 0))
			return 0;
		val = val * 10 + (unsigned)(s[i] - '0');
		if (val > 255)
			return 0;
		ndig++;
	}
	return part == 4;
}

#ifdef BCPI_SSE2
/* 16 bytes of a name: writes them lower-cased to dst; returns the mask of those
 * that may be in a plain name ([a-z0-9_.-] after lower-casing) and sets *dots to
 * the mask of the dots. */
static unsigned split16(const uint8_t *src, char *dst, unsigned *dots)
{
	__m128i x = _mm_loadu_si128((const __m128i *)src);
	__m128i up = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('A' - 1)),
		_mm_cmplt_epi8(x, _mm_set1_epi8('Z' + 1)));
	__m128i l = _mm_or_si128(x, _mm_and_si128(up, _mm_set1_epi8(0x20)));
	__m128i az = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
		_mm_cmplt_epi8(l, _mm_set1_epi8('z' + 1)));
	__m128i dg = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('0' - 1)),
		_mm_cmplt_epi8(l, _mm_set1_epi8('9' + 1)));
	__m128i dot = _mm_cmpeq_epi8(l, _mm_set1_epi8('.'));
	__m128i good = _mm_or_si128(_mm_or_si128(az, dg), _mm_or_si128(dot,
		_mm_or_si128(_mm_cmpeq_epi8(l, _mm_set1_epi8('-')),
			     _mm_cmpeq_epi8(l, _mm_set1_epi8('_')))));

	_mm_storeu_si128((__m128i *)dst, l);
	*dots = (unsigned)_mm_movemask_epi8(dot);
	return (unsigned)_mm_movemask_epi8(good);
}
#endif

/* The value of a hex digit, or -1. */
static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A plain IPv6 literal: groups of 1..4 hex digits separated by ':', at most one
 * "::", no IPv4 tail. 1 and the address, or 0 for anything else, which inet_pton
 * then judges (it reads every form; this reads the common one in a tenth of the
 * time). What this accepts, inet_pton accepts as the same address
 * (test_runtime compares them on random literals). */
int bcpi_parse_ipv6_plain(const char *s, size_t len, uint8_t out[16])
{
	uint16_t g[8];
	unsigned ng = 0, gap = 9, nd = 0, v = 0, k, tail;   /* gap 9: no "::" */
	size_t i = 0;
	int h;

	if (len < 2 || len > 39)
		return 0;
	if (s[0] == ':') {   /* only as "::" */
		if (s[1] != ':')
			return 0;
		gap = 0;
		i = 2;
	}
	for (; i < len; i++) {
		if ((h = hex_value(s[i])) >= 0) {
			if (nd == 4)
				return 0;
			v = v << 4 | (unsigned)h;
			nd++;
			if (i + 1 < len)
				continue;
		} else if (s[i] != ':' || nd == 0 || i + 1 == len) {
			return 0;   /* another character, an empty group, a ':' at the end */
		}
		if (ng == 8)
			return 0;
		g[ng++] = (uint16_t)v;
		v = nd = 0;
		if (s[i] == ':' && s[i + 1] == ':') {
			if (gap != 9)
				return 0;
			gap = ng;
			i++;
		}
	}
	if (gap == 9 ? ng != 8 : ng > 7)
		return 0;
	memset(out, 0, 16);
	for (k = 0; k < gap && k < ng; k++) {
		out[2 * k] = (uint8_t)(g[k] >> 8);
		out[2 * k + 1] = (uint8_t)g[k];
	}
	tail = gap < ng ? ng - gap : 0;
	for (k = 0; k < tail; k++) {
		out[2 * (8 - tail + k)] = (uint8_t)(g[gap + k] >> 8);
		out[2 * (8 - tail + k) + 1] = (uint8_t)g[gap + k];
	}
	return 1;
}

/* The common case: host is a plain name (letters, digits, '-', '_', dots; labels
 * of 1..63 bytes; at most one trailing dot; a last label that is not all digits).
 * Writes it lower-cased to name, then 8 zero bytes, and splits it; returns the
 * number of labels, or 0 for anything else, which the general path then sorts out
 * (IP literals, bad hosts). It accepts nothing the general path would refuse.
 * name must have room for BCPI_HOST_MAX + 19 bytes. With SSE2 (every x86-64) it
 * looks at 16 bytes at a time; elsewhere, or built with -DBCP_NO_SIMD, at one. */
static unsigned split_plain(const char *host, size_t len, char *name, uint16_t off[],
	uint8_t llen[])
{
	size_t i, start = 0, p;
	unsigned n = 0;

	if (len > 0 && host[len - 1] == '.')
		len--;   /* the root dot, once */
	if (len == 0 || len > BCPI_HOST_MAX)
		return 0;
#ifdef BCPI_SSE2
	uint8_t tail[16];
	unsigned ok, dots, lim, shift;

	for (i = 0; i < len; i += 16) {
		/* 16 bytes of host from i, or the last 16 when fewer are left (they
		 * overlap what is done: shift drops those), or a zero-padded copy when
		 * host is shorter than 16. */
		const uint8_t *src = (const uint8_t *)host + i;
		size_t at = i;
		shift = 0;
		if (len - i < 16) {
			if (len >= 16) {
				shift = (unsigned)(16 - (len - i));
				at = len - 16;
				src = (const uint8_t *)host + at;
			} else {
				memset(tail, 0, sizeof tail);
				memcpy(tail, host, len);
				src = tail;
			}
		}
		ok = split16(src, name + at, &dots) >> shift;
		dots >>= shift;
		lim = len - i >= 16 ? 0xFFFFu : (1u << (len - i)) - 1;
		if ((ok & lim) != lim)
			return 0;
		for (dots &= lim; dots; dots &= dots - 1) {
			p = i + (size_t)bcpi_ctz32(dots);
			if (p == start || p - start > 63 || n >= BCPF_MAX_DEPTH - 1)
				return 0;
			off[n] = (uint16_t)start;
			llen[n++] = (uint8_t)(p - start);
			start = p + 1;
		}
	}
#else
	for (i = 0; i < len; i++) {
		unsigned c = (unsigned char)host[i];
		c = c - 'A' < 26u ? c | 0x20 : c;
		name[i] = (char)c;
		if (c == '.') {
			if (i == start || i - start > 63 || n >= BCPF_MAX_DEPTH - 1)
				return 0;
			off[n] = (uint16_t)start;
			llen[n++] = (uint8_t)(i - start);
			start = i + 1;
		} else if (!(c - 'a' < 26u || c - '0' < 10u || c == '-' || c == '_')) {
			return 0;
		}
	}
#endif
	if (len == start || len - start > 63)
		return 0;
	off[n] = (uint16_t)start;
	llen[n++] = (uint8_t)(len - start);
	for (p = start; p < len; p++)   /* a last label of digits is no host name */
		if (name[p] < '0' || name[p] > '9')
			break;
	if (p == len)
		return 0;
	memset(name + len, 0, 8);   /* node_is_unchecked and suffix_key read words */
	return n;
}

/* Patterns of l1...ln, most specific first: l1...ln itself, *.l2...ln, ..., *.ln, *.
 * The node at depth n is the name itself and gives only its exact pattern: "*.x"
 * matches names below x, never x. */
static void walk_host(struct walk *w, const char *name, unsigned nlabels, const uint16_t off[],
	const uint8_t llen[])
{
	const bcp_blob *b = w->b;
	const struct bcpi_hash *h = &b->host_index;
	uint64_t key[BCPF_MAX_DEPTH + 1];
	uint32_t at[BCPF_MAX_DEPTH + 1], home[BCPF_MAX_DEPTH + 1], ref;
	unsigned d, l, reached = 0, dmax = nlabels < b->max_depth ? nlabels : b->max_depth;

	/* The keys of the suffixes come from the name alone, so the index lookups of
	 * all depths are independent and their cache misses overlap. A candidate is
	 * the node in its slot with the key's tag; it is the suffix when its label is
	 * the name's and its parent the suffix one label shorter, checked from the
	 * root down. Another suffix with the same tag (one in 2^32) takes the slow
	 * lookup of the whole probe run. */
	key[0] = h->seed;
	for (d = 1; d <= dmax; d++) {   /* ask for every home slot before waiting for one */
		l = nlabels - d;
		key[d] = bcpf_hash_suffix_padded(key[d - 1], name + off[l], llen[l]);
		home[d] = bcpf_hash_slot(key[d], h->nslots);
		BCPI_PREFETCH(h->slots + (size_t)home[d] * BCPF_HOST_SLOT);
	}
	for (d = 1; d <= dmax; d++) {
		at[d] = host_probe_unchecked(b, home[d], bcpf_host_tag(key[d]), 0, NULL, 0);
		if (at[d] == BCPF_NONE) {
			dmax = d - 1;
			break;
		}
	}
	for (d = 1; d <= dmax; d++)
		BCPI_PREFETCH(bcpi_node_unchecked(b, at[d]));
	at[0] = 0;
	for (d = 1; d <= dmax; d++) {
		l = nlabels - d;
		if (!node_is_unchecked(b, at[d], at[d - 1], name + off[l], llen[l])) {
			at[d] = host_probe_unchecked(b, home[d], bcpf_host_tag(key[d]), at[d - 1],
				name + off[l], llen[l]);
			if (at[d] == BCPF_NONE)
				break;
		}
		reached = d;
	}
	if (reached == nlabels) {
		ref = bcpf_node_exact(bcpi_node_unchecked(b, at[nlabels]));
		if (ref != BCPF_NONE && take_pattern_unchecked(w, ref))
			return;
	}
	for (d = reached < nlabels - 1 ? reached : nlabels - 1; d >= 1; d--) {
		ref = bcpf_node_wild(bcpi_node_unchecked(b, at[d]));
		if (ref != BCPF_NONE && take_pattern_unchecked(w, ref))
			return;
	}
	ref = bcpf_node_wild(bcpi_node_unchecked(b, 0));
	if (ref != BCPF_NONE)
		take_pattern_unchecked(w, ref);
}

/* ---- addresses ---- */

/* The prefix (len, network) in the probe run from slot home of addr4 (v6 0: the
 * network is the u32 w0) or addr6 (v6 1: the words w0, w1): 1 when its pattern ends
 * the walk. v6 is a constant wherever this is inlined. */
static inline int take_prefix_unchecked(struct walk *w, const struct bcpi_hash *h, int v6,
	uint32_t home, unsigned len, uint64_t w0, uint64_t w1)
{
	uint32_t slot = home, probe, ref;
	const uint8_t *rec;

	for (probe = 0; probe <= h->max_probe; probe++, slot = bcpi_next_slot(slot, h->nslots)) {
		if (v6) {
			rec = h->slots + (size_t)slot * BCPF_ADDR6_SLOT;
			if (!bcpf_addr6_slot_used(rec))   /* an unused slot ends the probe */
				return 0;
			if (bcpf_addr6_slot_len(rec) != len || bcpf_addr6_slot_network_w0(rec) != w0 ||
			    bcpf_addr6_slot_network_w1(rec) != w1)
				continue;
			ref = bcpf_addr6_slot_segref(rec);
		} else {
			rec = h->slots + (size_t)slot * BCPF_ADDR4_SLOT;
			if (!bcpf_addr4_slot_used(rec))
				return 0;
			if (bcpf_addr4_slot_len(rec) != len || bcpf_addr4_slot_network(rec) != w0)
				continue;
			ref = bcpf_addr4_slot_segref(rec);
		}
		return ref != BCPF_NONE && take_pattern_unchecked(w, ref);
	}
	return 0;
}

/* Both families probe the prefix lengths an address may match (hints.c), longest
 * first, until a pattern stops the walk. The home slots of all lengths are
 * computed and asked for first, so their cache misses overlap. */
static void walk_addr4(struct walk *w, const uint8_t addr[4])
{
	const bcp_blob *b = w->b;
	const struct bcpi_hash *h = &b->addr4;
	uint32_t a = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 | (uint32_t)addr[2] << 8 |
		addr[3], net[33], home[33];
	uint8_t lens[33];
	unsigned n = 0, k;
	int len;

	uint64_t lengths = bcpi_lengths4_unchecked(b, a);

	for (len = 32; len >= 0; len--) {
		if (!(lengths >> len & 1))
			continue;
		net[n] = len == 0 ? 0 : a & (0xFFFFFFFFu << (32 - len));
		home[n] = bcpf_hash_slot(bcpf_hash_addr4(h->seed, (unsigned)len, net[n]), h->nslots);
		BCPI_PREFETCH(h->slots + (size_t)home[n] * BCPF_ADDR4_SLOT);
		lens[n++] = (uint8_t)len;
	}
	for (k = 0; k < n; k++)
		if (take_prefix_unchecked(w, h, 0, home[k], lens[k], net[k], 0))
			return;
}

/* The first bits (0..64) of 8 bytes, as bcpf_u64 reads them: whole bytes, then
 * the high bits of the next. */
static uint64_t mask64(int bits)
{
	unsigned full = (unsigned)bits / 8, part = (unsigned)bits % 8;
	uint64_t m;

	if (bits >= 64)
		return ~(uint64_t)0;
	m = full ? ~(uint64_t)0 >> (64 - 8 * full) : 0;
	return m | (uint64_t)((0xFF00u >> part) & 0xFF) << (8 * full);
}

static void walk_addr6(struct walk *w, const uint8_t addr[16])
{
	const bcp_blob *b = w->b;
	const struct bcpi_hash *h = &b->addr6;
	uint32_t home[129];
	uint64_t hi = bcpf_u64(addr), lo = bcpf_u64(addr + 8), net[129][2];
	uint8_t lens[129];
	unsigned n = 0, k;
	int len;

	uint64_t lengths[3];

	bcpi_lengths6_unchecked(b, addr, lengths);
	for (len = 128; len >= 0; len--) {
		if (!(lengths[len / 64] >> (len % 64) & 1))
			continue;
		net[n][0] = len >= 64 ? hi : hi & mask64(len);
		net[n][1] = len <= 64 ? 0 : lo & mask64(len - 64);
		home[n] = bcpf_hash_slot(bcpf_hash_addr6_words(h->seed, (unsigned)len, net[n][0],
			net[n][1]), h->nslots);
		BCPI_PREFETCH(h->slots + (size_t)home[n] * BCPF_ADDR6_SLOT);
		lens[n++] = (uint8_t)len;
	}
	for (k = 0; k < n; k++)
		if (take_prefix_unchecked(w, h, 1, home[k], lens[k], net[k][0], net[k][1]))
			return;
}

/* ---- the API ---- */

/* The answer to an invalid argument: deny, BCP_E_ARG. */
static enum bcp_status bad_host(struct bcp_decision *out)
{
	bare(out, BCP_DENY);
	out->reason = BCP_REASON_BAD_HOST;
	return BCP_E_ARG;
}

/* The answer of a blob opened expired or not yet valid to a valid request: deny,
 * BCP_OK. */
static enum bcp_status out_of_window(const bcp_blob *b, struct bcp_decision *out)
{
	bare(out, BCP_DENY);
	out->reason = b->expired ? BCP_REASON_EXPIRED : BCP_REASON_NOT_YET_VALID;
	return BCP_OK;
}

enum bcp_status bcp_decide_addr4(const bcp_user *u, const uint8_t addr[4], uint16_t port,
	enum bcp_proto proto, struct bcp_decision *out)
{
	return bcp_decide_addr(u, 4, addr, port, proto, out);
}

enum bcp_status bcp_decide_addr6(const bcp_user *u, const uint8_t addr[16], uint16_t port,
	enum bcp_proto proto, struct bcp_decision *out)
{
	return bcp_decide_addr(u, 6, addr, port, proto, out);
}

enum bcp_status bcp_decide_addr(const bcp_user *u, int family, const uint8_t *addr,
	uint16_t port, enum bcp_proto proto, struct bcp_decision *out)
{
	struct walk w;

	if (!out)
		return BCP_E_ARG;
	if (!u || !addr || (family != 4 && family != 6) || (proto != BCP_TCP && proto != BCP_UDP))
		return bad_host(out);
	if (u->blob->expired || u->blob->not_yet_valid)
		return out_of_window(u->blob, out);
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
	char name[BCPI_HOST_MAX + 3 + 16];
	uint16_t off[BCPF_MAX_DEPTH];
	uint8_t llen[BCPF_MAX_DEPTH], addr[16];
	unsigned nlabels;
	struct walk w;
	size_t i;
	int colon = 0, numeric;

	if (!out)
		return BCP_E_ARG;
	if (!u || !host || (proto != BCP_TCP && proto != BCP_UDP))
		return bad_host(out);
	if (len == 0 || len > BCPI_HOST_MAX + 1)
		return bad_host(out);
	/* A dotted quad as written (it can end in a digit; a plain name hardly ever
	 * does) is what the general path below would make of it. */
	if (host[len - 1] >= '0' && host[len - 1] <= '9' && parse_ipv4(host, len, addr))
		return bcp_decide_addr(u, 4, addr, port, proto, out);
	nlabels = split_plain(host, len, name, off, llen);
	if (nlabels > 0)
		goto walk;
	if (host[0] == '[' ? len > 2 && host[len - 1] == ']' &&
			     bcpi_parse_ipv6_plain(host + 1, len - 2, addr) :
			     bcpi_parse_ipv6_plain(host, len, addr))
		return bcp_decide_addr(u, 6, addr, port, proto, out);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)host[i];
		if (c == 0 || c >= 0x80)
			return bad_host(out);   /* also keeps inet_pton from stopping early */
		colon |= c == ':';
		name[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	name[len] = '\0';

	/* An IP literal exactly as written: "10.1.2.3", "2001:db8::1", "[2001:db8::1]".
	 * Only what could be one is handed to inet_pton, which costs more than the rest
	 * of a decision: IPv6 has a ':' or a '[', IPv4 a last label of digits. */
	if (name[0] == '[' || colon) {
		if (name[0] == '[') {
			if (len < 2 || name[len - 1] != ']')
				return bad_host(out);
			name[--len] = '\0';
		}
		if (!bcpi_os_parse_ipv6(name + (name[0] == '['), addr))
			return bad_host(out);
		return bcp_decide_addr(u, 6, addr, port, proto, out);
	}
	size_t nlen = name[len - 1] == '.' ? len - 1 : len;   /* the root dot, once */
	if (nlen == 0 || nlen > BCPI_HOST_MAX)
		return bad_host(out);
	nlabels = split_labels(name, nlen, off, llen, &numeric);
	if (nlabels == 0)
		return bad_host(out);
	memset(name + nlen, 0, 8);   /* node_is_unchecked reads words */
	if (numeric) {
		/* With a trailing dot it is no literal, and no host name either. */
		if (nlen == len && parse_ipv4(name, len, addr))
			return bcp_decide_addr(u, 4, addr, port, proto, out);
		return bad_host(out);
	}
walk:
	if (u->blob->expired || u->blob->not_yet_valid)
		return out_of_window(u->blob, out);
	walk_init(&w, u, port, proto);
	walk_host(&w, name, nlabels, off, llen);
	finish(&w, out);
	return BCP_OK;
}
