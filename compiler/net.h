/* net.h - pure checks and normal forms for the network words of a policy: host name
 * patterns, IP prefixes and country codes.
 * Nothing here prints, allocates, or keeps state between calls; every function is
 * thread-safe and works only on the buffers it is given. No policy meaning here:
 * callers decide what an error means for the policy. */
#ifndef BCPC_NET_H
#define BCPC_NET_H
#include <stddef.h>
#include <stdint.h>

#define NET_HOST_MAX 253   /* max hostname length, without trailing dot */
#define NET_LABEL_MAX 63

/* Host name errors and their texts, from one table. */
#define NET_HOST_ERRORS(X) \
	X(HOST_OK, "ok") \
	X(HOST_EMPTY, "empty host name") \
	X(HOST_TOO_LONG, "host name longer than 253 characters") \
	X(HOST_EMPTY_LABEL, "empty label (two dots in a row, or a leading dot)") \
	X(HOST_LABEL_TOO_LONG, "label longer than 63 characters") \
	X(HOST_BAD_CHAR, "character not allowed in a host name (only letters, digits, '-', '_' and '.')") \
	X(HOST_NON_ASCII, "non-ASCII byte in host name (write internationalized names in xn-- form)") \
	X(HOST_BAD_WILDCARD, "'*' is allowed only as the whole leftmost label, as in \"*.example.com\"") \
	X(HOST_IS_ADDRESS, "looks like an IP address, not a host name")

enum host_err {
#define NET_HOST_ENUM_(name, text) name,
	NET_HOST_ERRORS(NET_HOST_ENUM_)
#undef NET_HOST_ENUM_
};

/* Short English text for an error, e.g. "label longer than 63 characters".
 * A static string; never NULL ("unknown host name error" for values out of range). */
const char *host_err_str(enum host_err e);

/* Validate and normalize a host name pattern of len bytes (any bytes, NUL included).
 * On success writes the NUL-terminated normal form to out (ASCII lower case, ONE
 * trailing dot dropped) and returns HOST_OK. Valid: "*" alone (matches everything),
 * "*.l2.l3", or "l1.l2...". Labels are 1..63 bytes of [A-Za-z0-9_-]; the total,
 * without the trailing dot, is at most 253 bytes; '*' only as the whole leftmost label.
 * Checks, in this order: any byte >= 0x80 -> HOST_NON_ASCII; nothing left -> HOST_EMPTY;
 * an IPv4 or IPv6 literal (optionally "[v6]", optionally followed by "/anything") ->
 * HOST_IS_ADDRESS; then labels from left to right; then the total length. A name whose
 * last label is all digits ("127.1", "2130706433") is also HOST_IS_ADDRESS: resolvers
 * read such names as IPv4 addresses, and no real top-level domain is numeric.
 * On error out holds "" and *bad_at (if bad_at is not NULL) gets the byte offset in in
 * of the offending spot: the byte for NON_ASCII, BAD_CHAR and BAD_WILDCARD, the start of
 * the label for EMPTY_LABEL and LABEL_TOO_LONG, 253 for TOO_LONG, 0 otherwise. */
enum host_err host_normalize(const char *in, size_t len, char out[NET_HOST_MAX + 1],
	size_t *bad_at);

/* Number of labels of a normalized pattern ("*" counts 1, "*.a.b" counts 3; "" counts 0). */
int host_labels(const char *norm);

/* An IPv4 or IPv6 network (or single address, with len 32 or 128). */
struct prefix {
	uint8_t family;     /* 4 or 6 */
	uint8_t len;        /* prefix length in bits */
	uint8_t addr[16];   /* network order; v4 in addr[0..3], rest zero */
};

enum addr_err { ADDR_OK, ADDR_SYNTAX, ADDR_BAD_LEN, ADDR_HOST_BITS };

/* Parse "10.1.0.0/16", "10.2.3.4" (= /32), "2001:db8:1::/48", "::1" (= /128) from a
 * NUL-terminated string. The length is 0..32 or 0..128, plain decimal digits, no sign,
 * no leading zero except "0" itself; anything else after '/' is ADDR_BAD_LEN.
 * ADDR_HOST_BITS: bits set beyond len; *out then holds the MASKED network, so callers
 * can say "did you mean 10.1.0.0/16". On ADDR_SYNTAX and ADDR_BAD_LEN *out is zeroed. */
enum addr_err prefix_parse(const char *s, struct prefix *out);

/* Write "10.1.0.0/16" or "2001:db8:1::/48" (inet_ntop form, lower case), always with
 * "/len", NUL-terminated, to out; returns out. A family other than 4 or 6 gives "". */
char *prefix_format(const struct prefix *p, char out[64]);

/* 1 if p contains address a of the same family (a->len ignored), else 0. */
int prefix_contains(const struct prefix *p, const struct prefix *a);

/* 1 if the two prefixes are equal (family, len, all 16 address bytes), else 0. */
int prefix_equal(const struct prefix *a, const struct prefix *b);

/* Parse a bare IP literal of n bytes (no "/len"), as seen in a request host:
 * "10.2.3.4", "2001:db8::1", also "[2001:db8::1]" (brackets only around IPv6).
 * On success fills *out with len 32 or 128 and returns 0; else zeroes *out and
 * returns -1. */
int addr_parse_host(const char *s, size_t n, struct prefix *out);

/* 1 if cc (2 bytes, any case, need not be NUL-terminated) is one of the 249 officially
 * assigned ISO 3166-1 alpha-2 codes, else 0. User-assigned codes such as "XK" or "ZZ",
 * and reserved ones such as "UK" or "EU", are not valid. */
int country_valid(const char *cc);
#endif
