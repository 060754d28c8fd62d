/* cli.c - argument helpers shared by the commands: times, durations, trust options. */
#define _XOPEN_SOURCE 700
#include "cli.h"
#include "file.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "bcpc %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'bcpc %s --help'.\n", cmd);
	return 2;
}

int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int parse_duration(const char *s, int64_t *out)
{
	static const struct { char unit; int64_t secs; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || n > 12)
		return -1;
	char num[16];
	memcpy(num, s, n - 1);
	num[n - 1] = '\0';
	uint64_t v;
	if (parse_u64(num, &v) || v > (uint64_t)100 * 365 * 86400)
		return -1;
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (s[n - 1] == units[i].unit) {
			*out = (int64_t)v * units[i].secs;
			return *out > 0 ? 0 : -1;
		}
	return -1;
}

int parse_time(const char *s, int64_t *out)
{
	uint64_t v;
	struct tm tm;
	if (!s)
		return -1;
	if (parse_u64(s, &v) == 0) {
		if (v > (uint64_t)INT64_MAX / 2)
			return -1;
		*out = (int64_t)v;
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end) {
		memset(&tm, 0, sizeof tm);
		end = strptime(s, "%Y-%m-%d", &tm);
		if (!end || *end)
			return -1;
	}
	*out = (int64_t)timegm(&tm);
	return 0;
}

const char *format_time(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, 32, "%lld", (long long)t);
	return buf;
}

int64_t now_or(const char *now_arg, int *bad)
{
	int64_t t;
	*bad = 0;
	if (!now_arg)
		return (int64_t)time(NULL);
	if (parse_time(now_arg, &t)) {
		*bad = 1;
		return 0;
	}
	return t;
}

int thumbprint_arg(const char *cmd, int argc, char **argv, int *i, const char **tps,
		     size_t *n, size_t max)
{
	if (strcmp(argv[*i], "--thumbprint"))
		return 0;
	if (*i + 1 >= argc) {
		usage_error(cmd, "--thumbprint needs a value");
		return -1;
	}
	const char *v = argv[++*i];
	if (!bcp_thumbprint_valid(v)) {
		usage_error(cmd, "not a thumbprint: '%.60s' (want the 44-character base64 of 32 "
			    "bytes, as 'bcpc thumbprint KEY.pem' prints)", v);
		return -1;
	}
	if (*n == max) {
		usage_error(cmd, max == 1 ? "give one --thumbprint" : "at most %zu thumbprints",
			    max);
		return -1;
	}
	tps[(*n)++] = v;
	return 1;
}

int trust_arg(const char *cmd, int argc, char **argv, int *i, struct trust_args *t)
{
	int r = thumbprint_arg(cmd, argc, argv, i, t->thumbprints, &t->nthumbprints,
			       sizeof t->thumbprints / sizeof *t->thumbprints);
	if (r != 0)
		return r;
	if (strcmp(argv[*i], "--pubkey"))
		return 0;
	if (*i + 1 >= argc) {
		usage_error(cmd, "--pubkey needs a value");
		return -1;
	}
	const char *v = argv[++*i];
	if (t->pubkey_pem) {
		usage_error(cmd, "--pubkey given twice");
		return -1;
	}
	size_t n;
	t->pubkey_pem = read_file_malloc(v, 65536, &n);
	if (!t->pubkey_pem) {
		fprintf(stderr, "bcpc %s: cannot read public key %s: %s\n", cmd, v, strerror(errno));
		return -1;
	}
	return 1;
}

void trust_free(struct trust_args *t)
{
	free(t->pubkey_pem);
	t->pubkey_pem = NULL;
}

int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n > t && !strcmp(s + n - t, tail);
}
