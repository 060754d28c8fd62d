/* test_inet6.c - runtime/inet6.c, the IPv6 parser the Windows build uses in place of
 * inet_pton, against glibc's inet_pton(AF_INET6): the same verdict and the same
 * address for a list of hand-made spellings and for random strings over the
 * characters of an address. The decisions on Windows depend on it
 * (tests/windows/ checks them end to end under Wine). */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "internal.h"
#include "harness.h"

static int agree(const char *s)
{
	uint8_t a[16], b[16];
	int ours, theirs;

	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	ours = bcpi_inet_pton6(s, a);
	theirs = inet_pton(AF_INET6, s, b) == 1;
	if (ours == theirs && (!ours || memcmp(a, b, 16) == 0))
		return 1;
	printf("    \"%s\": inet6.c %d, inet_pton %d\n", s, ours, theirs);
	return 0;
}

static const char *const cases[] = {
	"::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
	"1:2:3:4:5:6:7:8:9", "1::2::3", ":::", ":1::", "1:", ":1", "12345::", "0000::",
	"00000::", "ffff::", "FFFF:abcd::", "g::", "::1.2.3.4", "::ffff:10.1.2.3",
	"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::1.2.3.4.5",
	"::01.2.3.4", "::1.2.3.04", "::256.1.1.1", "::1.2.3.4:5", "1.2.3.4", "::.1.2.3",
	"::1..2.3", "::1.2.3.", "", " ::1", "::1 ", "[::1]", "fe80::1%eth0", "::0.0.0.0",
	"2001:db8::", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8:1:2::5",
	"::ffff:1.2.3.4", "1::1.2.3.4", "::a:1.2.3.4", "a::1.2.3.4.", "0::0", "::0:0:0:0:0:0:0",
	"::0:0:0:0:0:0:0:0", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
};

/* splitmix64, the same everywhere */
static uint64_t rnext(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

int main(void)
{
	static const char alphabet[] = "0123456789abcdefABCDEF::::....0f";
	uint64_t seed = 0x1F6E7A11ull;
	char s[48];
	int bad = 0;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK(agree(cases[i]));
	/* Random strings over an address's characters, many of them near-addresses. */
	for (int i = 0; i < 300000; i++) {
		size_t n = (size_t)(rnext(&seed) % 42);
		for (size_t k = 0; k < n; k++)
			s[k] = alphabet[rnext(&seed) % (sizeof alphabet - 1)];
		s[n] = '\0';
		if (!agree(s) && ++bad >= 10)
			break;
	}
	CHECK(bad == 0);
	return harness_summary();
}
