/* test_net.c - unit tests for compiler/net.c (host name patterns, IP prefixes,
 * country codes) and support/suggest.c (suggestions). A standalone program on a
 * tiny harness; it prints each failure as file:line and ends with one "N passed,
 * M failed" line. It tests only through net.h and suggest.h and must not depend on
 * any other part of the compiler. */
#include "net.h"
#include "suggest.h"
#include <stdio.h>
#include <string.h>
#include "harness.h"


#define NO_AT ((size_t)-1)

/* host_normalize on n bytes; want is the normal form on HOST_OK, at the error offset. */
static void host_case(int line, const char *in, size_t n, enum host_err err,
	const char *want, size_t at)
{
	char out[NET_HOST_MAX + 1];
	size_t bad_at = 12345;
	enum host_err e = host_normalize(in, n, out, &bad_at);

	check_at(e == err, __FILE__, line, "host_normalize error");
	if (e != err)
		printf("    got %d (%s), want %d (%s)\n", (int)e, host_err_str(e),
			(int)err, host_err_str(err));
	if (want)
		check_at(strcmp(out, want) == 0, __FILE__, line, "host_normalize output");
	if (err != HOST_OK)
		check_at(out[0] == '\0', __FILE__, line, "host_normalize output empty on error");
	if (at != NO_AT) {
		check_at(bad_at == at, __FILE__, line, "host_normalize bad_at");
		if (bad_at != at)
			printf("    got bad_at %zu, want %zu\n", bad_at, at);
	}
}

/* String literals may hold NUL bytes: take the size, not strlen. */
#define HOST_OK_AS(in, want) host_case(__LINE__, in, sizeof in - 1, HOST_OK, want, NO_AT)
#define HOST_BAD(in, err, at) host_case(__LINE__, in, sizeof in - 1, err, NULL, at)

/* labels of label_len bytes of c, separated by dots, trimmed to total bytes. */
static size_t make_name(char *buf, size_t total, size_t label_len)
{
	size_t i;

	for (i = 0; i < total; i++)
		buf[i] = (i + 1) % (label_len + 1) == 0 ? '.' : 'a';
	buf[total] = '\0';
	return total;
}

static void test_host(void)
{
	char buf[600], want[600], out[NET_HOST_MAX + 1];
	size_t n, at;
	int i;

	/* normal cases */
	HOST_OK_AS("example.com", "example.com");
	HOST_OK_AS("A.B.", "a.b");
	HOST_OK_AS("a.", "a");
	HOST_OK_AS("a", "a");
	HOST_OK_AS("WWW.Example.COM", "www.example.com");
	HOST_OK_AS("_dmarc.x-y.example", "_dmarc.x-y.example");
	HOST_OK_AS("123.com", "123.com");
	HOST_OK_AS("1.2.3.4.com", "1.2.3.4.com");
	HOST_OK_AS("*", "*");
	HOST_OK_AS("*.", "*");
	HOST_OK_AS("*.a", "*.a");
	HOST_OK_AS("*.Example.COM.", "*.example.com");

	/* empty */
	HOST_BAD("", HOST_EMPTY, 0);
	HOST_BAD(".", HOST_EMPTY, 0);

	/* empty labels; the trailing dot is dropped only once */
	HOST_BAD("..", HOST_EMPTY_LABEL, 0);
	HOST_BAD("a..b", HOST_EMPTY_LABEL, 2);
	HOST_BAD("a..", HOST_EMPTY_LABEL, 2);
	HOST_BAD(".a", HOST_EMPTY_LABEL, 0);
	HOST_BAD("*..a", HOST_EMPTY_LABEL, 2);

	/* wildcards */
	HOST_BAD("a.*", HOST_BAD_WILDCARD, 2);
	HOST_BAD("a*.b", HOST_BAD_WILDCARD, 1);
	HOST_BAD("*a.b", HOST_BAD_WILDCARD, 0);
	HOST_BAD("**", HOST_BAD_WILDCARD, 0);
	HOST_BAD("*.*", HOST_BAD_WILDCARD, 2);
	HOST_BAD("a.*.b", HOST_BAD_WILDCARD, 2);

	/* bad characters, including a NUL in the middle */
	HOST_BAD("a\0b", HOST_BAD_CHAR, 1);
	HOST_BAD("a.b\0", HOST_BAD_CHAR, 3);
	HOST_BAD("a b", HOST_BAD_CHAR, 1);
	HOST_BAD("a/b", HOST_BAD_CHAR, 1);
	HOST_BAD("a:b", HOST_BAD_CHAR, 1);
	HOST_BAD("ex%41mple.com", HOST_BAD_CHAR, 2);
	HOST_BAD("http://a.b", HOST_BAD_CHAR, 4);

	/* non-ASCII comes first, before any other error */
	HOST_BAD("a\xc3\xa9.com", HOST_NON_ASCII, 1);
	HOST_BAD("\xc3", HOST_NON_ASCII, 0);
	HOST_BAD("..\xc3", HOST_NON_ASCII, 2);
	HOST_BAD("a b\xff", HOST_NON_ASCII, 3);

	/* addresses */
	HOST_BAD("10.0.0.1", HOST_IS_ADDRESS, 0);
	HOST_BAD("10.0.0.1.", HOST_IS_ADDRESS, 0);
	HOST_BAD("10.0.0.0/8", HOST_IS_ADDRESS, 0);
	HOST_BAD("10.0.0.0/abc", HOST_IS_ADDRESS, 0);
	HOST_BAD("::1", HOST_IS_ADDRESS, 0);
	HOST_BAD("2001:db8::1/64", HOST_IS_ADDRESS, 0);
	HOST_BAD("[2001:db8::1]", HOST_IS_ADDRESS, 0);
	HOST_BAD("127.1", HOST_IS_ADDRESS, 0);
	HOST_BAD("2130706433", HOST_IS_ADDRESS, 0);
	HOST_BAD("a.b.123", HOST_IS_ADDRESS, 0);
	HOST_BAD("*.10", HOST_IS_ADDRESS, 0);

	/* label length: 63 fine, 64 too long (offset is the label's start) */
	memcpy(buf, "x.", 2);
	memset(buf + 2, 'b', 63);
	memcpy(buf + 65, ".com", 5);
	host_case(__LINE__, buf, strlen(buf), HOST_OK, buf, NO_AT);
	memset(buf + 2, 'B', 64);
	memcpy(buf + 66, ".com", 5);
	host_case(__LINE__, buf, strlen(buf), HOST_LABEL_TOO_LONG, NULL, 2);
	memset(buf, 'c', 64);
	host_case(__LINE__, buf, 64, HOST_LABEL_TOO_LONG, NULL, 0);

	/* total length: 253 fine (with or without the trailing dot), 254 too long */
	n = make_name(buf, 253, 63);
	CHECK(buf[252] != '.' && buf[63] == '.');
	host_case(__LINE__, buf, n, HOST_OK, buf, NO_AT);
	memcpy(want, buf, n + 1);
	buf[n] = '.';
	host_case(__LINE__, buf, n + 1, HOST_OK, want, NO_AT);
	n = make_name(buf, 254, 63);
	CHECK(buf[253] != '.');
	host_case(__LINE__, buf, n, HOST_TOO_LONG, NULL, 253);
	buf[n] = '.';
	host_case(__LINE__, buf, n + 1, HOST_TOO_LONG, NULL, 253);
	n = make_name(buf, 500, 10);
	host_case(__LINE__, buf, n, HOST_TOO_LONG, NULL, 253);
	/* a wildcard pattern of exactly 253 */
	n = make_name(buf, 253, 63);
	buf[0] = '*';
	buf[1] = '.';
	host_case(__LINE__, buf, n, HOST_OK, buf, NO_AT);

	/* bad_at may be NULL; len bounds the input */
	CHECK(host_normalize("a..b", 4, out, NULL) == HOST_EMPTY_LABEL);
	CHECK(host_normalize("ab.cd!!", 5, out, NULL) == HOST_OK && strcmp(out, "ab.cd") == 0);
	at = 99;
	CHECK(host_normalize("ok.example", 10, out, &at) == HOST_OK && at == 0);

	/* labels */
	CHECK(host_labels("*") == 1);
	CHECK(host_labels("*.a.b") == 3);
	CHECK(host_labels("a") == 1);
	CHECK(host_labels("a.b.c.d") == 4);
	CHECK(host_labels("") == 0);

	/* every error has its own non-empty text */
	for (i = HOST_OK; i <= HOST_IS_ADDRESS; i++) {
		const char *t = host_err_str((enum host_err)i);
		int j;
		CHECK(t != NULL && t[0] != '\0');
		for (j = HOST_OK; j < i; j++)
			CHECK(strcmp(t, host_err_str((enum host_err)j)) != 0);
	}
	CHECK(strcmp(host_err_str(HOST_LABEL_TOO_LONG), "label longer than 63 characters") == 0);
	CHECK(host_err_str((enum host_err)99) != NULL);
}

/* prefix_parse, and on OK or HOST_BITS compare prefix_format with want. */
static void prefix_case(int line, const char *s, enum addr_err err, const char *want)
{
	struct prefix p;
	char out[64];
	enum addr_err e = prefix_parse(s, &p);

	check_at(e == err, __FILE__, line, "prefix_parse error");
	if (e != err)
		printf("    \"%s\": got %d, want %d\n", s, (int)e, (int)err);
	if (want) {
		prefix_format(&p, out);
		check_at(strcmp(out, want) == 0, __FILE__, line, "prefix_format output");
		if (strcmp(out, want) != 0)
			printf("    got \"%s\", want \"%s\"\n", out, want);
	}
	if (err == ADDR_SYNTAX || err == ADDR_BAD_LEN) {
		static const struct prefix zero;
		check_at(prefix_equal(&p, &zero), __FILE__, line, "prefix zeroed on error");
	}
}

#define PREFIX(s, err, want) prefix_case(__LINE__, s, err, want)

static struct prefix pfx(const char *s)
{
	struct prefix p;

	if (prefix_parse(s, &p) != ADDR_OK)
		printf("%s:%d: bad test prefix \"%s\"\n", __FILE__, __LINE__, s);
	return p;
}

static void test_prefix(void)
{
	struct prefix p, a, b;
	char out[64];
	size_t i;
	static const char *const syntax[] = {
		"", "/8", "10.0.0", "10.0.0.256", "10.0.0.0.0", "abc", "[::1]", "[::1]/64",
		"1.2.3.4 ", " 1.2.3.4", "fe80::1%eth0", "010.0.0.1", "1.2.3.4\n", ":::/0",
		"2001:db8::g/64", "example.com/8",
	};
	static const char *const bad_len[] = {
		"1.2.3.4/33", "10.0.0.0/08", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/-1",
		"10.0.0.0/8 ", "10.0.0.0/8/9", "10.0.0.0/00", "10.0.0.0/0x8", "::/129",
		"::/1000", "::/99999999999999999999999", "::/0128", "1.2.3.4/1e1",
	};

	PREFIX("10.0.0.0/8", ADDR_OK, "10.0.0.0/8");
	PREFIX("10.2.3.4", ADDR_OK, "10.2.3.4/32");
	PREFIX("10.1.0.0/16", ADDR_OK, "10.1.0.0/16");
	PREFIX("1.2.3.4/32", ADDR_OK, "1.2.3.4/32");
	PREFIX("0.0.0.0/0", ADDR_OK, "0.0.0.0/0");
	PREFIX("255.255.255.255", ADDR_OK, "255.255.255.255/32");
	PREFIX("10.0.0.128/25", ADDR_OK, "10.0.0.128/25");
	PREFIX("::/0", ADDR_OK, "::/0");
	PREFIX("::1", ADDR_OK, "::1/128");
	PREFIX("::/128", ADDR_OK, "::/128");
	PREFIX("2001:db8:1::/48", ADDR_OK, "2001:db8:1::/48");
	PREFIX("2001:DB8:1::/48", ADDR_OK, "2001:db8:1::/48");
	PREFIX("2001:0db8:0000::/32", ADDR_OK, "2001:db8::/32");
	PREFIX("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ADDR_OK,
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	PREFIX("::ffff:255.255.255.255", ADDR_OK, "::ffff:255.255.255.255/128");

	/* host bits: the masked network is still returned */
	PREFIX("10.0.0.1/8", ADDR_HOST_BITS, "10.0.0.0/8");
	PREFIX("10.1.2.3/16", ADDR_HOST_BITS, "10.1.0.0/16");
	PREFIX("10.0.0.128/24", ADDR_HOST_BITS, "10.0.0.0/24");
	PREFIX("10.0.0.64/25", ADDR_HOST_BITS, "10.0.0.0/25");
	PREFIX("1.2.3.4/0", ADDR_HOST_BITS, "0.0.0.0/0");
	PREFIX("2001:db8::1/64", ADDR_HOST_BITS, "2001:db8::/64");
	PREFIX("::1/127", ADDR_HOST_BITS, "::/127");
	PREFIX("2001:db8:1:8000::/48", ADDR_HOST_BITS, "2001:db8:1::/48");

	for (i = 0; i < sizeof syntax / sizeof syntax[0]; i++)
		PREFIX(syntax[i], ADDR_SYNTAX, NULL);
	for (i = 0; i < sizeof bad_len / sizeof bad_len[0]; i++)
		PREFIX(bad_len[i], ADDR_BAD_LEN, NULL);

	/* fields; IPv4 leaves addr[4..15] zero */
	memset(&p, 0xaa, sizeof p);
	CHECK(prefix_parse("192.168.1.0/24", &p) == ADDR_OK);
	CHECK(p.family == 4 && p.len == 24);
	CHECK(p.addr[0] == 192 && p.addr[1] == 168 && p.addr[2] == 1 && p.addr[3] == 0);
	for (i = 4; i < 16; i++)
		CHECK(p.addr[i] == 0);
	CHECK(prefix_parse("2001:db8::/32", &p) == ADDR_OK);
	CHECK(p.family == 6 && p.len == 32 && p.addr[0] == 0x20 && p.addr[1] == 0x01);
	CHECK(prefix_format(&p, out) == out);

	/* a family other than 4 or 6 formats as "" */
	memset(&p, 0, sizeof p);
	CHECK(prefix_format(&p, out)[0] == '\0');

	/* contains */
	p = pfx("10.0.0.0/8");
	a = pfx("10.255.1.2");
	CHECK(prefix_contains(&p, &a));
	a = pfx("11.0.0.1");
	CHECK(!prefix_contains(&p, &a));
	a = pfx("9.255.255.255");
	CHECK(!prefix_contains(&p, &a));
	p = pfx("10.0.0.128/25");
	a = pfx("10.0.0.128");
	CHECK(prefix_contains(&p, &a));
	a = pfx("10.0.0.255");
	CHECK(prefix_contains(&p, &a));
	a = pfx("10.0.0.127");
	CHECK(!prefix_contains(&p, &a));
	p = pfx("0.0.0.0/0");
	a = pfx("203.0.113.9");
	CHECK(prefix_contains(&p, &a));
	a = pfx("::1");
	CHECK(!prefix_contains(&p, &a));   /* other family */
	p = pfx("1.2.3.4");
	a = pfx("1.2.3.4");
	CHECK(prefix_contains(&p, &a));
	a = pfx("1.2.3.5");
	CHECK(!prefix_contains(&p, &a));
	p = pfx("::/0");
	a = pfx("::1");
	CHECK(prefix_contains(&p, &a));
	a = pfx("10.0.0.1");
	CHECK(!prefix_contains(&p, &a));
	p = pfx("2001:db8::/32");
	a = pfx("2001:db8:ffff::1");
	CHECK(prefix_contains(&p, &a));
	a = pfx("2001:db9::");
	CHECK(!prefix_contains(&p, &a));
	p = pfx("2001:db8:1::/49");
	a = pfx("2001:db8:1:7fff::1");
	CHECK(prefix_contains(&p, &a));
	a = pfx("2001:db8:1:8000::1");
	CHECK(!prefix_contains(&p, &a));
	a = pfx("2001:db8:1::/48");   /* len of a is ignored */
	CHECK(prefix_contains(&p, &a));

	/* equal */
	a = pfx("10.0.0.0/8");
	b = pfx("10.0.0.0/8");
	CHECK(prefix_equal(&a, &b));
	b = pfx("10.0.0.0/9");
	CHECK(!prefix_equal(&a, &b));
	b = pfx("10.0.0.0/8");
	b.addr[15] = 1;
	CHECK(!prefix_equal(&a, &b));
	a = pfx("::/8");
	b = pfx("0.0.0.0/8");
	CHECK(!prefix_equal(&a, &b));
	a = pfx("2001:db8::/32");
	b = pfx("2001:0DB8::/32");
	CHECK(prefix_equal(&a, &b));

	/* bare host literals */
	CHECK(addr_parse_host("10.2.3.4", 8, &a) == 0 && a.family == 4 && a.len == 32);
	b = pfx("10.2.3.4");
	CHECK(prefix_equal(&a, &b));
	CHECK(addr_parse_host("2001:db8::1", 11, &a) == 0 && a.family == 6 && a.len == 128);
	CHECK(addr_parse_host("[2001:db8::1]", 13, &b) == 0 && prefix_equal(&a, &b));
	CHECK(addr_parse_host("10.2.3.4junk", 8, &a) == 0 && a.family == 4);
	CHECK(addr_parse_host("[10.2.3.4]", 10, &a) == -1);
	CHECK(addr_parse_host("example.com", 11, &a) == -1);
	CHECK(addr_parse_host("", 0, &a) == -1);
	CHECK(addr_parse_host("[]", 2, &a) == -1);
	CHECK(addr_parse_host("[::1", 4, &a) == -1);
	CHECK(addr_parse_host("::1]", 4, &a) == -1);
	CHECK(addr_parse_host("10.2.3.4/32", 11, &a) == -1);
	CHECK(addr_parse_host("10.2\0.3.4", 9, &a) == -1);
	CHECK(addr_parse_host("1.2.3.4", 5, &a) == -1);
	memset(out, '1', sizeof out);
	CHECK(addr_parse_host(out, sizeof out, &a) == -1);
	memset(&a, 0x55, sizeof a);
	CHECK(addr_parse_host("nope", 4, &a) == -1 && a.family == 0 && a.addr[0] == 0);
}

static void test_country(void)
{
	char cc[3];
	int a, b, upper = 0, lower = 0;

	CHECK(country_valid("us"));
	CHECK(country_valid("US"));
	CHECK(country_valid("uS"));
	CHECK(country_valid("KP"));
	CHECK(country_valid("GB"));
	CHECK(country_valid("AD"));
	CHECK(country_valid("ZW"));
	CHECK(country_valid("SS"));
	CHECK(country_valid("BQ"));
	CHECK(!country_valid("ZZ"));
	CHECK(!country_valid("XK"));
	CHECK(!country_valid("UK"));
	CHECK(!country_valid("EU"));
	CHECK(!country_valid("AN"));   /* withdrawn */
	CHECK(!country_valid("U"));
	CHECK(!country_valid(""));
	CHECK(!country_valid(NULL));
	CHECK(!country_valid("1A"));
	CHECK(!country_valid("A "));
	CHECK(!country_valid("u\xd3"));
	CHECK(country_valid("USA"));   /* only 2 bytes are read */

	/* exactly the 249 officially assigned codes, in either case */
	cc[2] = '\0';
	for (a = 'A'; a <= 'Z'; a++)
		for (b = 'A'; b <= 'Z'; b++) {
			cc[0] = (char)a;
			cc[1] = (char)b;
			upper += country_valid(cc);
			cc[0] = (char)(a - 'A' + 'a');
			cc[1] = (char)(b - 'A' + 'a');
			lower += country_valid(cc);
		}
	CHECK(upper == 249);
	CHECK(lower == 249);
}

/* The suggestion for word among the NULL-terminated candidates, or NULL. */
static const char *suggest_among(const char *word, const char *const *cands, size_t *dist)
{
	struct suggest s;

	suggest_init(&s, word);
	for (; *cands; cands++)
		suggest_add(&s, *cands);
	if (dist)
		*dist = s.dist;
	return s.best;
}

static int same(const char *got, const char *want)
{
	if (!got || !want)
		return got == want;
	return strcmp(got, want) == 0;
}

static void test_suggest(void)
{
	static const char *const keys[] = {"domain", "controller", "sni", NULL};
	static const char *const near[] = {"domxyz", "domaim", "domain", NULL};
	static const char *const tie[] = {"ax", "ay", NULL};
	static const char *const none[] = {NULL};
	const char *cands[3];
	char w64[65], w65[66], c64[65];
	size_t d;
	struct suggest s;

	CHECK(same(suggest_among("domian", keys, &d), "domain") && d == 1);
	CHECK(same(suggest_among("xyz", keys, NULL), NULL));
	CHECK(same(suggest_among("domian", near, &d), "domain") && d == 1);
	CHECK(same(suggest_among("ab", tie, &d), "ax") && d == 1);
	CHECK(same(suggest_among("DOMAIN", keys, &d), "domain") && d == 0);
	CHECK(same(suggest_among("SNi", keys, NULL), "sni"));
	CHECK(same(suggest_among("sn", keys, NULL), "sni"));
	CHECK(same(suggest_among("controler", keys, NULL), "controller"));
	CHECK(same(suggest_among("domain", none, NULL), NULL));

	/* limit is max(1, strlen(word) / 3) */
	cands[1] = NULL;
	cands[0] = "abcxyf";   /* distance 2, limit 2 */
	CHECK(same(suggest_among("abcdef", cands, &d), "abcxyf") && d == 2);
	cands[0] = "axyzef";   /* distance 3 */
	CHECK(same(suggest_among("abcdef", cands, NULL), NULL));
	cands[0] = "b";
	CHECK(same(suggest_among("a", cands, NULL), "b"));
	cands[0] = "bc";
	CHECK(same(suggest_among("a", cands, NULL), NULL));
	cands[0] = "ba";
	CHECK(same(suggest_among("ab", cands, &d), "ba") && d == 1);
	cands[0] = "";
	CHECK(same(suggest_among("a", cands, &d), "") && d == 1);

	/* optimal string alignment, not full Damerau-Levenshtein: "ca" -> "abc" is 3 */
	cands[0] = "abcqrstuvw";
	CHECK(same(suggest_among("caqrstuvw", cands, &d), "abcqrstuvw") && d == 3);

	/* 64 bytes may match; 65 never, not even exactly */
	memset(w64, 'w', 64);
	w64[64] = '\0';
	memcpy(c64, w64, sizeof w64);
	c64[10] = 'x';
	cands[0] = c64;
	CHECK(same(suggest_among(w64, cands, &d), c64) && d == 1);
	memset(w65, 'w', 65);
	w65[65] = '\0';
	cands[0] = w65;
	CHECK(same(suggest_among(w65, cands, NULL), NULL));
	CHECK(same(suggest_among(w64, cands, NULL), NULL));
	cands[0] = w64;
	CHECK(same(suggest_among(w65, cands, NULL), NULL));

	/* NULL word or candidate is ignored */
	suggest_init(&s, NULL);
	suggest_add(&s, "domain");
	CHECK(s.best == NULL);
	suggest_init(&s, "domian");
	suggest_add(&s, NULL);
	suggest_add(&s, "domain");
	CHECK(same(s.best, "domain"));
}

int main(void)
{
	test_host();
	test_prefix();
	test_country();
	test_suggest();
	return harness_summary();
}
