/* bcp-client.c - what Zscaler Client Connector does with a Business Continuity blob,
 * in a small program on libbcp alone (and jansson for the user file):
 *
 *   1. The installer hands it a blob and the thumbprint to pin, as
 *      --bcpConfigFilePath FILE --bcpMAPublicKeyHash B64 (each requires the other;
 *      the hash may be repeated to trust the next key during a rotation). It installs
 *      the blob into its state folder: bcp_state_install verifies it, refuses an older
 *      or replayed one, and keeps the blob it replaces as last-known-good.
 *   2. Whether or not a new blob came, it opens what the state folder holds
 *      (bcp_open_state), which falls back to last-known-good when the installed blob
 *      is broken, and opens an expired blob in the state where every decision denies.
 *   3. It prints the business-continuity settings (controllers, SNI names, timers),
 *      binds the user and answers requests read from standard input, one per line,
 *      as HOST:PORT or HOST:PORT/udp ([v6]:PORT for IPv6).
 *
 *     bcp-client --bcpConfigFilePath policy.bcp --bcpMAPublicKeyHash B64
 *                --state-dir /var/lib/bcp --user alice.json [--now UNIX_SECONDS]
 *     bcp-client --state-dir /var/lib/bcp --user alice.json    (no new blob pushed)
 *
 * On Windows (make windows: bcp-client.exe) paths are UTF-8 inside and UTF-16 to
 * Windows, and --state-dir defaults to %ProgramData%\bcp-client.
 *
 * Any error means deny: without a policy that opens, every request is denied.
 * Exit status: 0 a policy was open (installed, last-known-good or expired);
 * 1 none opens, or the user file is bad (every request was denied); 2 usage. */
#include <bcp.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _WIN32
/* Windows: arguments are read as UTF-16 and handed on as UTF-8 (the encoding of
 * libbcp's paths), files are opened by their UTF-16 names, and standard input and
 * output are binary, so that the output is byte for byte the one on Linux. */
#include <fcntl.h>
#include <io.h>
#include <windows.h>
#include <shellapi.h>

static char *utf8_of(const wchar_t *w)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	char *s = n > 0 ? malloc((size_t)n) : NULL;
	if (s)
		WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
	return s;
}

static FILE *file_open(const char *path)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, NULL, 0);
	wchar_t *w = n > 0 ? malloc((size_t)n * sizeof *w) : NULL;
	FILE *f = NULL;
	if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, w, n) > 0)
		f = _wfopen(w, L"rb");
	else
		errno = EINVAL;
	free(w);
	return f;
}

/* The program's arguments in UTF-8 (kept until exit). */
static char **utf8_argv(int *argc)
{
	wchar_t **wargv = CommandLineToArgvW(GetCommandLineW(), argc);
	char **argv = wargv ? calloc((size_t)*argc + 1, sizeof *argv) : NULL;
	for (int i = 0; argv && i < *argc; i++)
		if (!(argv[i] = utf8_of(wargv[i])))
			exit(1);
	return argv;
}

/* The state folder when none is given: %ProgramData%\bcp-client (ProgramData is
 * where a Windows service keeps machine-wide state; libbcp makes the folder with
 * a DACL for SYSTEM and Administrators). NULL when ProgramData is not set. */
static const char *default_state_dir(void)
{
	const wchar_t *pd = _wgetenv(L"ProgramData");
	static wchar_t w[32768];
	if (!pd || !*pd || wcslen(pd) > 32000)
		return NULL;
	swprintf(w, sizeof w / sizeof w[0], L"%ls\\bcp-client", pd);
	return utf8_of(w);
}

/* POSIX getline, for the request lines. */
static long long getline(char **line, size_t *cap, FILE *f)
{
	size_t n = 0;
	int c;
	while ((c = getc(f)) != EOF) {
		if (n + 2 > *cap) {
			size_t nc = *cap ? *cap * 2 : 256;
			char *p = realloc(*line, nc);
			if (!p)
				return -1;
			*line = p;
			*cap = nc;
		}
		(*line)[n++] = (char)c;
		if (c == '\n')
			break;
	}
	if (n == 0)
		return -1;
	(*line)[n] = '\0';
	return (long long)n;
}
static struct tm *gmtime_r(const time_t *t, struct tm *tm)
{
	return gmtime_s(tm, t) == 0 ? tm : NULL;
}
#else
static FILE *file_open(const char *path)
{
	return fopen(path, "rb");
}
#endif

#define MAX_TRUSTED 16
#define MAX_LINE 1024   /* longer request lines are refused, not cut */

static const char usage_text[] =
	"usage: bcp-client [--bcpConfigFilePath FILE --bcpMAPublicKeyHash B64...]\n"
	"                  --state-dir DIR --user USER.json [--now UNIX_SECONDS]\n";
static const char help_text[] =
	"\nInstalls FILE into the state folder DIR (when given), opens what DIR holds, and\n"
	"answers HOST:PORT[/udp] lines from standard input for the user of USER.json\n"
	"(keys: docs/LANGUAGE.md 6.1).\n"
	"--now stands for the device's clock (default: the system clock). Like the real\n"
	"clock, it is recorded in DIR as the latest time seen, and DIR never believes a\n"
	"clock more than 300 s behind that: a future --now on a real state folder makes\n"
	"it count as expired until the real time catches up. Use a throw-away DIR.\n";

static int usage(const char *msg)
{
	fprintf(stderr, "bcp-client: %s\n%s", msg, usage_text);
	return 2;
}

/* ---- printing untrusted text ---- */

/* Writes s[0..n) with every byte that is not printable ASCII (and, inside quotes,
 * the quote and the backslash) as \xNN, so that no request line or name can move the
 * terminal's cursor or forge an output line. */
static void put_escaped(const char *s, size_t n, int quoted)
{
	if (quoted)
		putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f || (quoted && (c == '"' || c == '\\')))
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	if (quoted)
		putchar('"');
}

static void put_name(const char *label, const char *s)
{
	printf(" %s=", label);
	if (s)
		put_escaped(s, strlen(s), 1);
	else
		fputs("-", stdout);
}

/* ---- the user file ---- */

/* The user as bcpc query --user reads it: {"saml": {"attr": ["v", ...]}, "scim": {...},
 * "scim_groups": [...], "idp": "...", "platform": "...", "client_type": "...",
 * "posture": [...], "trusted_networks": [...], "country": "CC", ...}. The nine
 * attributes bcp_user_info has fields for go there; any other key is passed to libbcp
 * by keyword (an attribute the language gained later, named by its keyword:
 * "machine_group": "..." or [...]), and libbcp refuses a keyword it does not know.
 * Strings point into the JSON document, which lives as long as the program. Returns
 * 0, or -1 after printing what is wrong. */
#define USER_MAX_KEYWORDS 32
struct user_doc {
	json_t *json;
	struct bcp_user_info info;
	struct bcp_user_attr keywords[USER_MAX_KEYWORDS];
	const char *one[USER_MAX_KEYWORDS];
	void *allocs[16];
	size_t nallocs;
};

static void *user_alloc(struct user_doc *ud, size_t n, size_t size)
{
	if (ud->nallocs == sizeof ud->allocs / sizeof *ud->allocs)
		return NULL;
	void *p = calloc(n ? n : 1, size);
	if (p)
		ud->allocs[ud->nallocs++] = p;
	return p;
}

static int strings_of(struct user_doc *ud, json_t *arr, const char *what,
		      const char *const **out, size_t *n)
{
	size_t i;
	json_t *v;
	if (!json_is_array(arr)) {
		fprintf(stderr, "bcp-client: user: %s must be an array of strings\n", what);
		return -1;
	}
	const char **list = user_alloc(ud, json_array_size(arr), sizeof *list);
	if (!list)
		return -1;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v)) {
			fprintf(stderr, "bcp-client: user: %s must be an array of strings\n", what);
			return -1;
		}
		list[i] = json_string_value(v);
	}
	*out = list;
	*n = json_array_size(arr);
	return 0;
}

static int attrs_of(struct user_doc *ud, json_t *obj, const char *what,
		    const struct bcp_attr **out, size_t *n)
{
	const char *key;
	json_t *v;
	size_t i = 0;
	if (!json_is_object(obj)) {
		fprintf(stderr, "bcp-client: user: %s must be an object of arrays of strings\n",
			what);
		return -1;
	}
	struct bcp_attr *a = user_alloc(ud, json_object_size(obj), sizeof *a);
	if (!a)
		return -1;
	json_object_foreach(obj, key, v) {
		a[i].name = key;
		/* Each attribute's values get their own array, one allocation per attribute. */
		if (!json_is_array(v)) {
			fprintf(stderr, "bcp-client: user: %s.%s must be an array of strings\n", what,
				key);
			return -1;
		}
		const char **vals = calloc(json_array_size(v) + 1, sizeof *vals);
		if (!vals)
			return -1;
		size_t j;
		json_t *s;
		json_array_foreach(v, j, s) {
			if (!json_is_string(s)) {
				fprintf(stderr, "bcp-client: user: %s.%s must be an array of strings\n",
					what, key);
				free(vals);
				return -1;
			}
			vals[j] = json_string_value(s);
		}
		a[i].values = vals;
		a[i].nvalues = json_array_size(v);
		i++;
	}
	*out = a;
	*n = i;
	return 0;
}

static int string_of(json_t *v, const char *what, const char **out)
{
	if (json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		fprintf(stderr, "bcp-client: user: %s must be a string\n", what);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* Any other key: a string or an array of strings, passed by keyword. */
static int keyword_of(struct user_doc *ud, json_t *v, const char *key)
{
	struct bcp_user_attr *a;
	if (json_is_null(v))
		return 0;
	if (ud->info.nattrs == USER_MAX_KEYWORDS) {
		fprintf(stderr, "bcp-client: user: more than %d other attributes\n",
			USER_MAX_KEYWORDS);
		return -1;
	}
	a = &ud->keywords[ud->info.nattrs];
	a->kind = key;
	a->name = NULL;
	if (json_is_string(v)) {
		ud->one[ud->info.nattrs] = json_string_value(v);
		a->values = &ud->one[ud->info.nattrs];
		a->nvalues = 1;
	} else if (strings_of(ud, v, key, &a->values, &a->nvalues) != 0) {
		return -1;
	}
	ud->info.attrs = ud->keywords;
	ud->info.nattrs++;
	return 0;
}

static void user_free(struct user_doc *ud)
{
	for (size_t i = 0; i < ud->info.nsaml; i++)
		free((void *)ud->info.saml[i].values);
	for (size_t i = 0; i < ud->info.nscim; i++)
		free((void *)ud->info.scim[i].values);
	for (size_t i = 0; i < ud->nallocs; i++)
		free(ud->allocs[i]);
	json_decref(ud->json);
	memset(ud, 0, sizeof *ud);
}

static int user_load(const char *path, struct user_doc *ud)
{
	json_error_t je;
	const char *key;
	json_t *v;
	struct bcp_user_info *u = &ud->info;
#ifdef _WIN32
	FILE *uf = file_open(path);
	if (!uf) {
		fprintf(stderr, "bcp-client: %s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	ud->json = json_loadf(uf, JSON_REJECT_DUPLICATES, &je);
	fclose(uf);
#else
	ud->json = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
#endif
	if (!ud->json) {
		fprintf(stderr, "bcp-client: %s:%d:%d: %s\n", path, je.line, je.column, je.text);
		return -1;
	}
	if (!json_is_object(ud->json)) {
		fprintf(stderr, "bcp-client: %s: the user must be a JSON object\n", path);
		return -1;
	}
	json_object_foreach(ud->json, key, v) {
		int rc;
		if (!strcmp(key, "saml"))
			rc = attrs_of(ud, v, key, &u->saml, &u->nsaml);
		else if (!strcmp(key, "scim"))
			rc = attrs_of(ud, v, key, &u->scim, &u->nscim);
		else if (!strcmp(key, "scim_groups"))
			rc = strings_of(ud, v, key, &u->scim_groups, &u->nscim_groups);
		else if (!strcmp(key, "posture"))
			rc = strings_of(ud, v, key, &u->posture, &u->nposture);
		else if (!strcmp(key, "trusted_networks"))
			rc = strings_of(ud, v, key, &u->trusted_networks, &u->ntrusted_networks);
		else if (!strcmp(key, "idp"))
			rc = string_of(v, key, &u->idp);
		else if (!strcmp(key, "platform"))
			rc = string_of(v, key, &u->platform);
		else if (!strcmp(key, "client_type"))
			rc = string_of(v, key, &u->client_type);
		else if (!strcmp(key, "country"))
			rc = string_of(v, key, &u->country);
		else
			rc = keyword_of(ud, v, key);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* ---- requests ---- */

/* "host:port", "host:port/udp", "[v6]:port/tcp". Returns 0 and fills host (brackets
 * kept, as bcp_decide_host takes them), or -1. */
static int parse_request(char *line, const char **host, size_t *hostlen, uint16_t *port,
			 enum bcp_proto *proto)
{
	*proto = BCP_TCP;
	char *slash = strrchr(line, '/');
	if (slash) {
		if (!strcmp(slash + 1, "udp"))
			*proto = BCP_UDP;
		else if (strcmp(slash + 1, "tcp"))
			return -1;
		*slash = '\0';
	}
	char *colon = strrchr(line, ':');
	if (!colon || colon == line)
		return -1;
	*colon = '\0';
	const char *p = colon + 1;
	unsigned long v = 0;
	if (!*p || strlen(p) > 5)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	/* An IPv6 literal needs its brackets, or its last group would read as the port. */
	if (line[0] != '[' && strchr(line, ':'))
		return -1;
	*host = line;
	*hostlen = strlen(line);
	*port = (uint16_t)v;
	return 0;
}

/* Reads requests until end of input and prints one decision line for each. Without a
 * bound user every request is denied, with reason why_none (no_policy, no_user). */
static void answer(const bcp_user *u, const char *why_none)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	const char *profile = u ? bcp_user_profile(u) : NULL;
	while ((got = getline(&line, &cap, stdin)) >= 0) {
		size_t n = (size_t)got;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n || line[0] == '#')
			continue;
		const char *host;
		size_t hostlen;
		uint16_t port;
		enum bcp_proto proto;
		char copy[MAX_LINE + 1];
		/* A NUL inside the line would cut it short unseen: refuse it, as too long. */
		int ok = n <= MAX_LINE && !memchr(line, '\0', n);
		if (ok) {
			memcpy(copy, line, n + 1);
			ok = parse_request(copy, &host, &hostlen, &port, &proto) == 0;
		}
		if (!ok) {
			put_escaped(line, n > 80 ? 80 : n, 0);
			printf("%s deny reason=bad_request (want HOST:PORT or HOST:PORT/udp)\n",
			       n > 80 ? "..." : "");
			continue;
		}
		put_escaped(host, hostlen, 0);
		printf(":%u/%s ", port, proto == BCP_UDP ? "udp" : "tcp");
		if (!u) {
			printf("deny reason=%s\n", why_none);
			continue;
		}
		struct bcp_decision d;
		/* On BCP_E_ARG (neither a host name nor an address) d says deny, bad_host. */
		(void)!bcp_decide_host(u, host, hostlen, port, proto, &d);
		printf("%s", bcp_verdict_str(d.verdict));
		put_name("segment", d.segment);
		put_name("rule", d.rule);
		printf(" reason=%s", bcp_reason_str(d.reason));
		put_name("profile", profile);
		putchar('\n');
	}
	free(line);
}

/* ---- the policy ---- */

static const char *utc(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, 32, "%lld", (long long)t);
	return buf;
}

static void print_settings(const bcp_blob *b)
{
	struct bcp_info in;
	struct bcp_settings s;
	bcp_info(b, &in);
	bcp_settings_get(b, &s);
	printf("bc: tenant ");
	put_escaped(in.tenant ? in.tenant : "(none)", strlen(in.tenant ? in.tenant : "(none)"),
		    0);
	putchar('\n');
	if (!s.present) {
		printf("bc: no business_continuity settings in this policy\n");
		return;
	}
	if (s.domain) {
		printf("bc: domain ");
		put_escaped(s.domain, strlen(s.domain), 0);
		putchar('\n');
	}
	for (size_t i = 0; i < s.ncontrollers; i++) {
		printf("bc: controller ");
		put_escaped(s.controllers[i].host, strlen(s.controllers[i].host), 0);
		printf(":%u\n", s.controllers[i].port);
	}
	const struct { const char *label, *value; } names[] = {
		{ "sni", s.sni }, { "sni_new_user", s.sni_new_user }, { "sp_url", s.sp_url },
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		if (!names[i].value)
			continue;
		printf("bc: %s ", names[i].label);
		put_escaped(names[i].value, strlen(names[i].value), 0);
		putchar('\n');
	}
	printf("bc: sp_ca %s\n", s.sp_ca_pem ? "present" : "none");
	printf("bc: timers enter_after %us, exit_after %us, auth_max_age %us\n", s.enter_after_s,
	       s.exit_after_s, s.auth_max_age_s);
	printf("bc: exit_mode %s\n", s.exit_automatic ? "automatic" : "time_based");
}

/* Reads a blob file whole; NULL with errno set on failure. */
static void *read_file(const char *path, size_t *len)
{
	FILE *f = file_open(path);
	char *buf = NULL;
	size_t n = 0, cap = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			if (cap >= ((size_t)1 << 30)) {
				errno = EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 65536;
			char *p = realloc(buf, cap);
			if (!p)
				break;
			buf = p;
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0) {
			if (ferror(f))
				break;
			fclose(f);
			*len = n;
			return buf;
		}
	}
	free(buf);
	fclose(f);
	return NULL;
}

/* Installs the pushed blob. A refusal is reported and the installed policy stays:
 * a bad push must never take a working device down. */
static void install(const char *dir, const char *path, const char *const *tps, size_t ntps,
		    int64_t now)
{
	size_t len = 0;
	void *data = read_file(path, &len);
	if (!data) {
		printf("install: cannot read %s: %s; keeping the installed policy\n", path,
		       strerror(errno));
		return;
	}
	struct bcp_install_opts o = { .thumbprints = tps, .nthumbprints = ntps, .now = now };
	struct bcp_error err;
	int unchanged = 0;
	enum bcp_status st = bcp_state_install(dir, data, len, &o, &unchanged, &err);
	if (st == BCP_E_INCOMPLETE)
		printf("install: installed, not finished: %s\n", err.message);
	else if (st != BCP_OK)
		printf("install: refused: %s; keeping the installed policy\n", err.message);
	else
		printf("install: %s\n", unchanged ? "unchanged (this blob is already installed)" :
		       "installed");
	free(data);
}

int main(int argc, char **argv)
{
	const char *config = NULL, *dir = NULL, *user_path = NULL;
	const char *tps[MAX_TRUSTED];
	size_t ntps = 0;
	int64_t now = (int64_t)time(NULL);
#ifdef _WIN32
	if (!(argv = utf8_argv(&argc)))
		return 2;
	_setmode(_fileno(stdin), _O_BINARY);
	_setmode(_fileno(stdout), _O_BINARY);
#endif
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			return 0;
		}
		if (i + 1 >= argc)
			return usage(strncmp(a, "--", 2) ? "unexpected argument" : "option needs a value");
		const char *v = argv[++i];
		if (!strcmp(a, "--bcpConfigFilePath")) {
			config = v;
		} else if (!strcmp(a, "--bcpMAPublicKeyHash")) {
			if (ntps == MAX_TRUSTED)
				return usage("at most 16 --bcpMAPublicKeyHash");
			tps[ntps++] = v;
		} else if (!strcmp(a, "--state-dir")) {
			dir = v;
		} else if (!strcmp(a, "--user")) {
			user_path = v;
		} else if (!strcmp(a, "--now")) {
			char *end;
			errno = 0;
			long long t = strtoll(v, &end, 10);
			if (errno || *end || end == v || t < 0)
				return usage("--now takes UNIX seconds");
			now = (int64_t)t;
		} else {
			return usage("unknown option");
		}
	}
	/* As the Client Connector installer: each of the two options requires the other. */
	if (config && !ntps)
		return usage("--bcpConfigFilePath requires --bcpMAPublicKeyHash");
	if (ntps && !config)
		return usage("--bcpMAPublicKeyHash requires --bcpConfigFilePath");
#ifdef _WIN32
	if (!dir)
		dir = default_state_dir();
#endif
	if (!dir || !user_path)
		return usage("need --state-dir DIR and --user USER.json");

	if (config)
		install(dir, config, tps, ntps, now);

	bcp_blob *blob = NULL;
	bcp_user *user = NULL;
	struct bcp_state_report rep;
	struct bcp_error err;
	struct user_doc ud;
	char t1[32], t2[32];
	int rc = 0;
	memset(&ud, 0, sizeof ud);
	if (bcp_open_state(dir, now, &blob, &rep, &err) != BCP_OK) {
		printf("policy: none opens: %s; every request is denied\n", err.message);
		rc = 1;
	} else {
		struct bcp_info in;
		bcp_info(blob, &in);
		printf("policy: serial %llu from %s, valid %s .. %s\n",
		       (unsigned long long)rep.serial, rep.fallback ? "previous.bcp" : "current.bcp",
		       utc(in.not_before, t1), utc(in.not_after, t2));
		if (rep.fallback)
			printf("policy: FALLBACK to last-known-good: current.bcp does not open: %s\n",
			       rep.current_message);
		if (rep.expired)
			printf("policy: EXPIRED at %s (time now %s): every request is denied\n",
			       utc(in.not_after, t1), utc(rep.effective_now, t2));
		print_settings(blob);
		/* The latest time seen guards against a clock set back to reopen expiry. */
		if (bcp_state_note_time(dir, now, &err) != BCP_OK)
			fprintf(stderr, "bcp-client: cannot record the time: %s\n", err.message);
		if (user_load(user_path, &ud) != 0) {
			printf("user: unusable; every request is denied\n");
			rc = 1;
		} else if (bcp_bind(blob, &ud.info, &user, &err) != BCP_OK) {
			printf("user: %s; every request is denied\n", err.message);
			rc = 1;
		} else {
			const char *p = bcp_user_profile(user);
			printf("user: profile ");
			put_escaped(p ? p : "(none)", strlen(p ? p : "(none)"), 0);
			putchar('\n');
		}
	}
	fflush(stdout);
	answer(user, !blob ? "no_policy" : "no_user");
	bcp_user_free(user);
	bcp_close(blob);
	user_free(&ud);
	return rc;
}
