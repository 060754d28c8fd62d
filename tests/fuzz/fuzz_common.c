/* fuzz_common.c - see fuzz_common.h. The key, the compile-and-open round trip and
 * the differential check (libbcp against compiler/reference.c) used by fuzz_policy
 * and fuzz_request. Test code: it aborts on the first difference. */
#include "fuzz_common.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "blob.h"
#include "keys.h"
#include "net.h"
#include "reference.h"

_Noreturn void fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void fuzz_check(int ok, const char *id, const char *fmt, ...)
{
	const char *ignore = getenv("FUZZ_IGNORE"), *at;
	size_t n = strlen(id);
	va_list ap;
	if (ok)
		return;
	for (at = ignore; at && (at = strstr(at, id)); at += n)
		if ((at == ignore || at[-1] == ' ' || at[-1] == ',') &&
		    (at[n] == '\0' || at[n] == ' ' || at[n] == ','))
			return;
	fprintf(stderr, "fuzz: [%s] ", id);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static EVP_PKEY *fuzz_key;
static char fuzz_tp[45];

const char *fuzz_thumbprint(void)
{
	uint8_t pub[32];
	if (fuzz_key)
		return fuzz_tp;
	fuzz_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!fuzz_key || key_raw_public(fuzz_key, pub) != 0 || key_thumbprint(pub, fuzz_tp) != 0)
		fuzz_fail("cannot make the throw-away Ed25519 key");
	return fuzz_tp;
}

bcp_blob *fuzz_compile(const struct model *m)
{
	uint8_t *blob = NULL, **bytes = &blob;
	const char *tp = fuzz_thumbprint();
	struct blob_opts o = { .serial = 1, .not_before = 0, .not_after = (int64_t)1 << 40 };
	struct bcp_open_opts oo = { .thumbprints = &tp, .nthumbprints = 1, .now = 1 };
	struct bcp_error e;
	bcp_blob *b = NULL;
	char err[512] = "";
	size_t len = 0;

	*bytes = NULL;
	if (blob_build(m, fuzz_key, &o, bytes, &len, err, sizeof err) != 0) {
		if (*bytes || !memchr(err, '\0', sizeof err) || !err[0])
			fuzz_fail("blob_build failed without a message, or left a blob");
		return NULL;   /* a limit of the format; the message says which */
	}
	if (bcp_open_buffer(*bytes, len, &oo, &b, &e) != BCP_OK)
		fuzz_fail("the compiler's own blob (%zu bytes) does not open: %s", len, e.message);
	free(blob);   /* the handle has its own copy */
	return b;
}

/* ---- a user the model's conditions can hold for ---- */

#define UATTRS 16
#define UVALUES 16
#define ULIST 64

static struct {
	struct bcp_user_info info;
	struct bcp_attr attrs[2][UATTRS];             /* saml, scim */
	const char *vals[2][UATTRS][UVALUES];
	const char *lists[3][ULIST];                  /* scim groups, postures, networks */
	struct bcp_user_attr kw[UATTRS];              /* attributes without a field */
	const char *kwvals[UATTRS][UVALUES];
} fu;

/* An attribute without a field of bcp_user_info, by keyword: a one-value kind gets
 * the first value it meets, the others every value (up to the bounds). */
static void add_keyword(const struct m_atom *at)
{
	unsigned kind = atom_pred_kind(at->kind);
	const struct bcpf_attr *row = bcpf_attr(kind);
	const char *name = row->shape == BCPF_MAP ? at->attr : NULL;
	size_t i;
	for (i = 0; i < fu.info.nattrs && (strcmp(fu.kw[i].kind, row->keyword) ||
		    (name && strcmp(fu.kw[i].name, name))); i++)
		;
	if (i == fu.info.nattrs) {
		if (i == UATTRS)
			return;
		fu.kw[i] = (struct bcp_user_attr){ row->keyword, name, fu.kwvals[i], 0 };
		fu.info.nattrs++;
	}
	for (uint32_t v = 0; v < at->nvalues && fu.kw[i].nvalues < UVALUES; v++) {
		if (row->shape == BCPF_ONE && fu.kw[i].nvalues == 1)
			break;
		fu.kwvals[i][fu.kw[i].nvalues++] = at->values[v];
	}
}

static void add_attr(int which, const struct m_atom *at)
{
	struct bcp_attr *a = fu.attrs[which];
	size_t *n = which ? &fu.info.nscim : &fu.info.nsaml, i;
	for (i = 0; i < *n && strcmp(a[i].name, at->attr); i++)
		;
	if (i == *n) {
		if (*n == UATTRS)
			return;
		a[i].name = at->attr;
		a[i].values = fu.vals[which][i];
		a[i].nvalues = 0;
		(*n)++;
	}
	for (uint32_t v = 0; v < at->nvalues && a[i].nvalues < UVALUES; v++)
		fu.vals[which][i][a[i].nvalues++] = at->values[v];
}

static void add_list(int which, const char *const **list, size_t *n, const struct m_atom *at)
{
	*list = fu.lists[which];
	for (uint32_t v = 0; v < at->nvalues && *n < ULIST; v++)
		fu.lists[which][(*n)++] = at->values[v];
}

static void add_atom(const struct m_atom *at)
{
	struct bcp_user_info *u = &fu.info;
	const char *first = at->nvalues ? at->values[0] : NULL;
	switch (at->kind) {
	case A_SAML: add_attr(0, at); break;
	case A_SCIM: add_attr(1, at); break;
	case A_SCIM_GROUP: add_list(0, &u->scim_groups, &u->nscim_groups, at); break;
	case A_POSTURE: add_list(1, &u->posture, &u->nposture, at); break;
	case A_TRUSTED_NETWORK: add_list(2, &u->trusted_networks, &u->ntrusted_networks, at); break;
	case A_IDP: if (!u->idp) u->idp = first; break;
	case A_PLATFORM: if (!u->platform) u->platform = first; break;
	case A_CLIENT_TYPE: if (!u->client_type) u->client_type = first; break;
	case A_COUNTRY: if (!u->country) u->country = first; break;
	case A_SEGMENT:
	case A_SEGMENT_GROUP: break;   /* they test the app, not the user */
	default: add_keyword(at); break;   /* attributes added after the first nine */
	}
}

static void add_clauses(const struct m_clause *c, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < c[i].natoms; j++)
			add_atom(&c[i].atoms[j]);
}

const struct bcp_user_info *fuzz_user_from_model(const struct model *m)
{
	memset(&fu, 0, sizeof fu);
	fu.info.saml = fu.attrs[0];
	fu.info.scim = fu.attrs[1];
	fu.info.attrs = fu.kw;
	for (uint32_t i = 0; i < m->nrules; i++)
		add_clauses(m->rules[i].clauses, m->rules[i].nclauses);
	for (uint32_t i = 0; i < m->nprofiles; i++)
		add_clauses(m->profiles[i].when, m->profiles[i].nwhen);
	return &fu.info;
}

/* ---- the differential check ---- */

static const char *or_none(const char *s)
{
	return s ? s : "(none)";
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* host as a printable C string, for messages. */
static const char *shown(const char *host, size_t n)
{
	static char buf[4 * 300 + 1];
	size_t o = 0;
	for (size_t i = 0; i < n && i < 300; i++) {
		unsigned char c = (unsigned char)host[i];
		o += (size_t)snprintf(buf + o, sizeof buf - o, c >= 0x20 && c < 0x7f && c != '\\' ?
				      "%c" : "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

static void compare_bound(const struct model *m, const bcp_user *bu,
			  const struct bcp_user_info *u, const char *host, size_t n,
			  uint16_t port, enum bcp_proto proto)
{
	struct bcp_decision d, d2;
	struct ref_result r;
	struct prefix ip;
	char *h = malloc(n + 1);
	if (!h)
		return;
	memcpy(h, host, n);
	h[n] = '\0';
	enum bcp_status st = bcp_decide_host(bu, h, n, port, proto, &d);
	int rc = ref_decide(m, u, h, port, proto, &r);
	const char *rseg = r.segment >= 0 ? m->segments[r.segment].name : NULL;
	const char *rrule = r.rule >= 0 ? m->rules[r.rule].name : NULL;
	if ((st == BCP_OK) != (rc == 0))
		fuzz_fail("host \"%s\": libbcp says %s, the reference says %s", shown(h, n),
			  st == BCP_OK ? "valid" : "invalid", rc == 0 ? "valid" : "invalid");
	if (d.verdict != r.verdict || !same(d.segment, rseg) || !same(d.rule, rrule))
		fuzz_fail("%s:%u/%s: libbcp %s segment=%s rule=%s, reference %s segment=%s rule=%s",
			  shown(h, n), port, proto == BCP_UDP ? "udp" : "tcp",
			  bcp_verdict_str(d.verdict), or_none(d.segment), or_none(d.rule),
			  bcp_verdict_str(r.verdict), or_none(rseg), or_none(rrule));
	/* An IP literal decides the same as its bytes. */
	if (st == BCP_OK && addr_parse_host(h, n, &ip) == 0) {
		if (bcp_decide_addr(bu, ip.family, ip.addr, port, proto, &d2) != BCP_OK ||
		    d2.verdict != d.verdict || !same(d2.segment, d.segment) || !same(d2.rule, d.rule))
			fuzz_fail("%s: bcp_decide_addr says %s, bcp_decide_host says %s", shown(h, n),
				  bcp_verdict_str(d2.verdict), bcp_verdict_str(d.verdict));
	}
	free(h);
}

static void compare_profile(const struct model *m, const bcp_user *bu,
			    const struct bcp_user_info *u)
{
	int32_t p = ref_profile(m, u);
	const char *rname = p >= 0 ? m->profiles[p].name : NULL;
	if (!same(bcp_user_profile(bu), rname))
		fuzz_fail("app profile: libbcp %s, reference %s", or_none(bcp_user_profile(bu)),
			  or_none(rname));
}

static bcp_user *bind_user(const bcp_blob *b, const struct bcp_user_info *u)
{
	static const struct bcp_user_info nobody;
	struct bcp_error e;
	bcp_user *bu = NULL;
	enum bcp_status st = bcp_bind(b, u ? u : &nobody, &bu, &e);
	if ((st == BCP_OK) != (bu != NULL))
		fuzz_fail("bcp_bind returned %s with user %p", bcp_status_str(st), (void *)bu);
	return bu;
}

int fuzz_compare(const struct model *m, const bcp_blob *b, const struct bcp_user_info *u,
		 const char *host, size_t hostlen, uint16_t port, enum bcp_proto proto)
{
	if (memchr(host, '\0', hostlen))
		return -1;
	bcp_user *bu = bind_user(b, u);
	if (!bu)
		return -1;
	compare_profile(m, bu, u);
	compare_bound(m, bu, u, host, hostlen, port, proto);
	bcp_user_free(bu);
	return 0;
}

#define MAX_PAIRS 96

/* The ports to try for pattern p: the edges of its segments' first ranges, and 443. */
static void pattern_ports(const struct model *m, const struct m_pattern *p,
			  const bcp_user *bu, const struct bcp_user_info *u, const char *host,
			  int *budget)
{
	compare_bound(m, bu, u, host, strlen(host), 443, BCP_TCP);
	for (uint32_t k = 0; k < p->nsegs && k < 2; k++) {
		const struct m_segment *s = &m->segments[p->segs[k]];
		for (int proto = 0; proto < PROTO_COUNT; proto++) {
			if (!s->ports[proto].n || (*budget -= 2) < 0)
				continue;
			compare_bound(m, bu, u, host, strlen(host), s->ports[proto].r[0].lo, proto);
			compare_bound(m, bu, u, host, strlen(host), s->ports[proto].r[0].hi, proto);
		}
	}
}

static void compare_user(const struct model *m, const bcp_blob *b, const struct bcp_user_info *u)
{
	static const char *const fixed[] = { "x.invalid", "10.0.0.1", "::1", "*", "" };
	char host[300];
	int budget = MAX_PAIRS;
	bcp_user *bu = bind_user(b, u);
	if (!bu)
		return;
	compare_profile(m, bu, u);
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		compare_bound(m, bu, u, fixed[i], strlen(fixed[i]), 443, BCP_TCP);
	for (uint32_t i = 0; i < m->npatterns && budget > 0; i++, budget--) {
		const struct m_pattern *p = &m->patterns[i];
		if (p->is_addr) {
			prefix_format(&p->prefix, host);
			host[strcspn(host, "/")] = '\0';
		} else if (p->host[0] == '*') {
			snprintf(host, sizeof host, "x%s", p->host + 1);
			if (p->host[1] == '.')   /* the parent: "*.a.b" must not match "a.b" */
				compare_bound(m, bu, u, p->host + 2, strlen(p->host + 2), 443, BCP_TCP);
		} else {
			snprintf(host, sizeof host, "%s", p->host);
		}
		pattern_ports(m, p, bu, u, host, &budget);
	}
	bcp_user_free(bu);
}

void fuzz_compare_patterns(const struct model *m, const bcp_blob *b)
{
	compare_user(m, b, NULL);
	compare_user(m, b, fuzz_user_from_model(m));
}
