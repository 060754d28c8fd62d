/* net.c - checks and normal forms for host name patterns, IP prefixes and country
 * codes. Pure functions over caller buffers: no
 * printing, no malloc, no global mutable state, no locale (case folding is ASCII). */
#include "net.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/* ---- host names ---- */

static const char *const host_err_text[] = {
#define NET_HOST_TEXT_(name, text) text,
	NET_HOST_ERRORS(NET_HOST_TEXT_)
#undef NET_HOST_TEXT_
};

const char *host_err_str(enum host_err e)
{
	if ((unsigned)e >= sizeof host_err_text / sizeof host_err_text[0])
		return "unknown host name error";
	return host_err_text[e];
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_host_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
		c == '-' || c == '_';
}

/* An IP literal, bracketed or not, possibly followed by "/whatever". */
static int is_address_literal(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	struct prefix tmp;

	if (slash)
		n = (size_t)(slash - s);
	return addr_parse_host(s, n, &tmp) == 0;
}

static enum host_err host_fail(enum host_err e, size_t at, size_t *bad_at)
{
	if (bad_at)
		*bad_at = at;
	return e;
}

enum host_err host_normalize(const char *in, size_t len, char out[NET_HOST_MAX + 1],
	size_t *bad_at)
{
	size_t i, n, start, last;

	out[0] = '\0';
	if (bad_at)
		*bad_at = 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)in[i] >= 0x80)
			return host_fail(HOST_NON_ASCII, i, bad_at);
	n = len;
	if (n > 0 && in[n - 1] == '.')
		n--;   /* the root dot, once */
	if (n == 0)
		return host_fail(HOST_EMPTY, 0, bad_at);
	if (is_address_literal(in, n))
		return host_fail(HOST_IS_ADDRESS, 0, bad_at);

	/* Labels are in[start..i); i == n closes the last one. */
	start = last = 0;
	for (i = 0; i <= n; i++) {
		if (i < n && in[i] != '.') {
			if (in[i] == '*') {
				if (i != 0 || (n > 1 && in[1] != '.'))
					return host_fail(HOST_BAD_WILDCARD, i, bad_at);
			} else if (!is_host_char((unsigned char)in[i])) {
				return host_fail(HOST_BAD_CHAR, i, bad_at);
			}
			continue;
		}
		if (i == start)
			return host_fail(HOST_EMPTY_LABEL, start, bad_at);
		if (i - start > NET_LABEL_MAX)
			return host_fail(HOST_LABEL_TOO_LONG, start, bad_at);
		last = start;
		start = i + 1;
	}
	if (n > NET_HOST_MAX)
		return host_fail(HOST_TOO_LONG, NET_HOST_MAX, bad_at);

	/* inet_aton() and most resolvers read "127.1" or "2130706433" as IPv4. */
	for (i = last; i < n && is_digit((unsigned char)in[i]); i++)
		;
	if (i == n)
		return host_fail(HOST_IS_ADDRESS, 0, bad_at);

	for (i = 0; i < n; i++)
		out[i] = (char)ascii_lower((unsigned char)in[i]);
	out[n] = '\0';
	return HOST_OK;
}

int host_labels(const char *norm)
{
	int n = 1;

	if (!norm || !*norm)
		return 0;
	for (; *norm; norm++)
		if (*norm == '.')
			n++;
	return n;
}

/* ---- IP prefixes ---- */

static unsigned family_bits(unsigned family)
{
	return family == 4 ? 32 : family == 6 ? 128 : 0;
}

/* Clear every bit after the first len. */
static void mask_to(uint8_t addr[16], unsigned len)
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		if (len >= 8) {
			len -= 8;
			continue;
		}
		addr[i] &= (uint8_t)(0xff << (8 - len));
		len = 0;
	}
}

int addr_parse_host(const char *s, size_t n, struct prefix *out)
{
	char buf[INET6_ADDRSTRLEN];
	int bracketed = 0;

	memset(out, 0, sizeof *out);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		bracketed = 1;
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof buf || memchr(s, '\0', n))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!bracketed && inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = 4;
		out->len = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = 6;
		out->len = 128;
		return 0;
	}
	memset(out, 0, sizeof *out);
	return -1;
}

enum addr_err prefix_parse(const char *s, struct prefix *out)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max, len;
	const char *p;
	struct prefix net;

	memset(out, 0, sizeof *out);
	if (s[0] == '[' || addr_parse_host(s, alen, out) != 0)
		return ADDR_SYNTAX;
	max = family_bits(out->family);
	if (slash) {
		p = slash + 1;
		if (!is_digit((unsigned char)*p) || (p[0] == '0' && p[1] != '\0'))
			goto bad_len;
		for (len = 0; is_digit((unsigned char)*p) && len <= max; p++)
			len = len * 10 + (unsigned)(*p - '0');
		if (*p != '\0' || len > max)
			goto bad_len;
		out->len = (uint8_t)len;
	}
	net = *out;
	mask_to(net.addr, net.len);
	if (!prefix_equal(&net, out)) {
		*out = net;
		return ADDR_HOST_BITS;
	}
	return ADDR_OK;
bad_len:
	memset(out, 0, sizeof *out);
	return ADDR_BAD_LEN;
}

char *prefix_format(const struct prefix *p, char out[64])
{
	int af = p->family == 4 ? AF_INET : AF_INET6;
	size_t n;
	unsigned len = p->len;

	out[0] = '\0';
	if (!family_bits(p->family) || !inet_ntop(af, p->addr, out, 64)) {
		out[0] = '\0';
		return out;
	}
	n = strlen(out);
	out[n++] = '/';
	if (len >= 100)
		out[n++] = (char)('0' + len / 100);
	if (len >= 10)
		out[n++] = (char)('0' + len / 10 % 10);
	out[n++] = (char)('0' + len % 10);
	out[n] = '\0';
	return out;
}

int prefix_contains(const struct prefix *p, const struct prefix *a)
{
	unsigned full = p->len / 8, rest = p->len % 8;
	uint8_t m;

	if (p->family != a->family || !family_bits(p->family) ||
	    p->len > family_bits(p->family))
		return 0;
	if (memcmp(p->addr, a->addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	m = (uint8_t)(0xff << (8 - rest));
	return ((p->addr[full] ^ a->addr[full]) & m) == 0;
}

int prefix_equal(const struct prefix *a, const struct prefix *b)
{
	return a->family == b->family && a->len == b->len &&
		memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

/* ---- countries ---- */

/* The 249 officially assigned ISO 3166-1 alpha-2 codes (as in Debian's iso-codes). */
static const char country_codes[] =
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ "
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ "
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
	"DE DJ DK DM DO DZ "
	"EC EE EG EH ER ES ET "
	"FI FJ FK FM FO FR "
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY "
	"HK HM HN HR HT HU "
	"ID IE IL IM IN IO IQ IR IS IT "
	"JE JM JO JP "
	"KE KG KH KI KM KN KP KR KW KY KZ "
	"LA LB LC LI LK LR LS LT LU LV LY "
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ "
	"NA NC NE NF NG NI NL NO NP NR NU NZ "
	"OM "
	"PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
	"QA "
	"RE RO RS RU RW "
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ "
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ "
	"UA UG UM US UY UZ "
	"VA VC VE VG VI VN VU "
	"WF WS "
	"YE YT "
	"ZA ZM ZW ";

int country_valid(const char *cc)
{
	int a, b;
	size_t i;

	if (!cc || !cc[0])
		return 0;
	a = ascii_lower((unsigned char)cc[0]) - 'a' + 'A';
	b = ascii_lower((unsigned char)cc[1]) - 'a' + 'A';
	for (i = 0; i + 2 < sizeof country_codes; i += 3)
		if (country_codes[i] == a && country_codes[i + 1] == b)
			return 1;
	return 0;
}
