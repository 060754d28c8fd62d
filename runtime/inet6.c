/* inet6.c - an IPv6 literal read exactly as glibc's inet_pton(AF_INET6) reads it
 * (ISC's algorithm: hex groups of at most four digits, one "::", a dotted-quad tail
 * without leading zeros), for the platforms whose own parser reads other spellings
 * (os_win.c: InetPtonW). tests/unit/test_inet6.c holds it to glibc's on Linux. No
 * system call and no allocation here. */
#include "internal.h"
#include <string.h>

/* A dotted quad as glibc's inet_pton4 reads it: no leading zeros, 0..255. */
static int parse_ipv4(const char *s, const char *end, uint8_t out[4])
{
	uint8_t tmp[4] = { 0 };
	unsigned v;
	int saw = 0, octets = 0, i = 0;

	for (; s < end; s++) {
		if (*s >= '0' && *s <= '9') {
			v = tmp[i] * 10u + (unsigned)(*s - '0');
			if ((saw && tmp[i] == 0) || v > 255)
				return 0;
			tmp[i] = (uint8_t)v;
			if (!saw) {
				if (++octets > 4)
					return 0;
				saw = 1;
			}
		} else if (*s == '.' && saw) {
			if (octets == 4)
				return 0;
			tmp[++i] = 0;
			saw = 0;
		} else {
			return 0;
		}
	}
	if (octets < 4)
		return 0;
	memcpy(out, tmp, 4);
	return 1;
}

static int hex_value(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int bcpi_inet_pton6(const char *s, uint8_t out[16])
{
	uint8_t tmp[16] = { 0 }, *tp = tmp, *endp = tmp + 16, *colonp = NULL;
	const char *end = s + strlen(s), *curtok;
	unsigned val = 0;
	size_t digits = 0;
	int ch, dv;

	if (s == end)
		return 0;
	if (*s == ':' && (++s == end || *s != ':'))
		return 0;
	curtok = s;
	while (s < end) {
		ch = *s++;
		if ((dv = hex_value((char)ch)) >= 0) {
			if (digits == 4)
				return 0;
			val = val << 4 | (unsigned)dv;
			if (val > 0xffff)
				return 0;
			digits++;
			continue;
		}
		if (ch == ':') {
			curtok = s;
			if (digits == 0) {
				if (colonp)
					return 0;
				colonp = tp;
				continue;
			}
			if (s == end || endp - tp < 2)
				return 0;
			*tp++ = (uint8_t)(val >> 8);
			*tp++ = (uint8_t)val;
			digits = 0;
			val = 0;
			continue;
		}
		if (ch == '.' && endp - tp >= 4 && parse_ipv4(curtok, end, tp)) {
			tp += 4;
			digits = 0;
			break;
		}
		return 0;
	}
	if (digits > 0) {
		if (endp - tp < 2)
			return 0;
		*tp++ = (uint8_t)(val >> 8);
		*tp++ = (uint8_t)val;
	}
	if (colonp) {
		size_t n = (size_t)(tp - colonp);
		if (tp == endp)
			return 0;
		memmove(endp - n, colonp, n);
		memset(colonp, 0, (size_t)(endp - n - colonp));
		tp = endp;
	}
	if (tp != endp)
		return 0;
	memcpy(out, tmp, 16);
	return 1;
}
