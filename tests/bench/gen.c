/* gen.c - the benchmark's synthetic tenants (see gen.h), built in memory; gen_write.c
 * writes them as .bcl, gen_requests.c makes requests against them.
 *
 * The shape, so that the tables see what a real tenant gives them:
 * - Host names form a tree: a few hundred zones ("globex7.com"), internal names under
 *   them three to six labels deep ("eu-west.sap.globex7.com"), and exact host names
 *   below those ("web042.eu-west.sap.globex7.com"). 20% of the patterns are wildcards
 *   on internal names, so wildcards share deep suffixes with each other and with the
 *   exact names; a tenth of the exact names are internal names themselves.
 * - Prefixes are 10% as many as host patterns, 85% IPv4, networks of realistic lengths
 *   drawn from private and public space, a fifth of them nested inside another.
 * - Segments own runs of neighbouring patterns (a subtree, a block of addresses), of
 *   skewed sizes; one in twenty is a sibling sharing some of another's host patterns
 *   on disjoint ports, as SAP-Web and SAP-GUI do in examples/acme.
 * - Rules name segments or groups and test 2 to 4 user clauses drawn from 200 user
 *   attribute values; users and rules favour the common values, as real ones do.
 * Nothing here checks the policy: the compiler does, and the benchmark stops on any
 * diagnostic. */
#include "gen_int.h"
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static double gauss(struct rng *r)
{
	double u = unit(r), v = unit(r);
	return sqrt(-2.0 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

/* ---- vocabularies ---- */

static const char *const companies[] = {
	"acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell",
	"cyberdyne", "soylent", "vandelay", "dunder", "prestige", "gringotts", "oscorp",
	"monarch", "aperture", "blackmesa", "massive", "vehement", "nakatomi", "weyland",
	"zorg", "duff", "krusty", "ollivander", "pied-piper", "bluth", "sterling",
};
const char *const gen_tlds[GEN_NTLDS] = { "com", "net", "io", "example", "internal", "cloud" };
static const char *const inner_words[] = {
	"eu-west", "eu-central", "us-east", "us-west", "ap-south", "ap-east", "prod", "dev",
	"stage", "qa", "int", "corp", "sap", "hr", "fin", "crm", "erp", "git", "ci", "k8s",
	"apps", "svc", "db", "mail", "intranet", "portal", "wiki", "jira", "vpn", "lab", "mfg",
	"plant", "store", "pay", "billing", "data", "ml", "iot", "ops", "sec", "legal", "cdn",
	"edge", "backup", "dr", "voice", "video", "print", "files", "auth",
};
static const char *const host_words[] = {
	"web", "api", "app", "db", "srv", "host", "node", "mail", "ftp", "cache", "proxy", "lb",
	"gw", "sso", "share", "printer", "vm", "ws", "pc", "nas", "git", "build", "jump", "mon",
	"log", "kafka", "redis", "pg", "mq", "es",
};
const char *const gen_seg_words[GEN_NSEG_WORDS] = {
	"portal", "erp", "crm", "payroll", "git", "ci", "wiki", "tickets", "hr", "reports",
	"warehouse", "billing", "ssh", "rdp", "files", "print", "voip", "video", "mes", "scada",
	"lab", "backup", "monitoring", "logging", "db", "api", "intranet", "mail", "vpn", "cad",
};

static const char *const departments[] = {
	"Engineering", "Finance", "Sales", "Marketing", "HR", "Legal", "Support", "IT",
	"Operations", "Research", "Security", "Procurement", "Facilities", "Design", "Product",
	"Data", "Analytics", "QA", "Manufacturing", "Logistics", "Treasury", "Audit",
	"Compliance", "Communications", "Training", "Executive", "Strategy", "Partnerships",
	"Field Services", "Customer Success", "Infrastructure", "Networking", "Platform",
	"Mobile", "Web", "Payments", "Risk", "Tax", "Payroll", "Recruiting",
};
static const char *const employee_types[] = { "employee", "contractor", "intern", "vendor" };
static const char *const titles[] = {
	"Engineer", "Senior Engineer", "Manager", "Director", "VP", "Analyst", "Accountant",
	"Administrator", "Architect", "Consultant", "Designer", "Developer", "Specialist",
	"Technician", "Coordinator", "Associate",
};
static const char *const cost_centers[] = {
	"CC-1000", "CC-1001", "CC-1002", "CC-1003", "CC-1004", "CC-1005", "CC-1006", "CC-1007",
	"CC-1008", "CC-1009", "CC-2000", "CC-2001", "CC-2002", "CC-2003", "CC-2004", "CC-3000",
	"CC-3001", "CC-3002", "CC-4000", "CC-4001",
};
static const char *const locations[] = {
	"London", "Frankfurt", "Paris", "Dublin", "New York", "Dallas", "San Jose", "Toronto",
	"Sao Paulo", "Mexico City", "Bangalore", "Pune", "Singapore", "Tokyo", "Sydney",
	"Seoul", "Tel Aviv", "Johannesburg", "Dubai", "Stockholm",
};
static const char *const scim_groups[] = {
	"eng-admins", "eng-users", "eng-oncall", "eng-leads", "eng-readonly", "fin-admins",
	"fin-users", "fin-oncall", "fin-leads", "fin-readonly", "sales-admins", "sales-users",
	"sales-oncall", "sales-leads", "sales-readonly", "it-admins", "it-users", "it-oncall",
	"it-leads", "it-readonly", "ops-admins", "ops-users", "ops-oncall", "ops-leads",
	"ops-readonly", "hr-admins", "hr-users", "hr-oncall", "hr-leads", "hr-readonly",
	"sec-admins", "sec-users", "sec-oncall", "sec-leads", "sec-readonly", "data-admins",
	"data-users", "data-oncall", "data-leads", "data-readonly", "prod-admins", "prod-users",
	"prod-oncall", "prod-leads", "prod-readonly", "sup-admins", "sup-users", "sup-oncall",
	"sup-leads", "sup-readonly",
};
static const char *const idps[] = { "okta", "azure-ad", "ping", "adfs", "google" };
static const char *const platforms[] = { "windows", "mac", "linux", "ios", "android" };
static const char *const countries[] = {
	"US", "GB", "DE", "FR", "IN", "JP", "CA", "AU", "NL", "SE", "CH", "ES", "IT", "MX",
	"SG", "KR", "IE", "PL", "IL", "ZA", "AE", "BR", "CN", "RU", "KP",
};
static const char *const postures[] = {
	"disk-encrypted", "edr-running", "os-patched", "firewall-on", "domain-joined",
	"screen-lock", "av-updated", "mdm-enrolled", "cert-present", "jailbreak-free",
	"tpm-present", "secure-boot", "usb-blocked", "vpn-client", "browser-managed",
};

const struct value_set gen_value_sets[V_COUNT] = {
	[V_DEPT] = { "saml", "department", departments, COUNT(departments), 20 },
	[V_ETYPE] = { "saml", "employeeType", employee_types, COUNT(employee_types), 8 },
	[V_TITLE] = { "saml", "title", titles, COUNT(titles), 5 },
	[V_COST] = { "scim", "costCenter", cost_centers, COUNT(cost_centers), 5 },
	[V_LOC] = { "scim", "location", locations, COUNT(locations), 7 },
	[V_GROUP] = { "scim_group", NULL, scim_groups, COUNT(scim_groups), 25 },
	[V_IDP] = { "idp", NULL, idps, COUNT(idps), 5 },
	[V_PLATFORM] = { "platform", NULL, platforms, COUNT(platforms), 10 },
	[V_COUNTRY] = { "country", NULL, countries, COUNT(countries), 8 },
	[V_POSTURE] = { "posture", NULL, postures, COUNT(postures), 7 },
};

/* ---- helpers ---- */

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001B3u;
	return h ^ (h >> 29);
}

/* Adds key (kept, not copied); 1 when new, 0 when present, -1 out of memory. */
static int name_add(struct nameset *s, const char *key)
{
	if (2 * (s->n + 1) > s->cap) {
		uint32_t cap = s->cap ? 2 * s->cap : 1024;
		const char **keys = calloc(cap, sizeof *keys);
		if (!keys)
			return -1;
		for (uint32_t i = 0; i < s->cap; i++) {
			if (!s->keys[i])
				continue;
			uint32_t j = (uint32_t)(str_hash(s->keys[i]) & (cap - 1));
			while (keys[j])
				j = (j + 1) & (cap - 1);
			keys[j] = s->keys[i];
		}
		free(s->keys);
		s->keys = keys;
		s->cap = cap;
	}
	uint32_t j = (uint32_t)(str_hash(key) & (s->cap - 1));
	for (; s->keys[j]; j = (j + 1) & (s->cap - 1))
		if (!strcmp(s->keys[j], key))
			return 0;
	s->keys[j] = key;
	s->n++;
	return 1;
}

static int name_has(const struct nameset *s, const char *key)
{
	if (!s->cap)
		return 0;
	for (uint32_t j = (uint32_t)(str_hash(key) & (s->cap - 1)); s->keys[j];
	     j = (j + 1) & (s->cap - 1))
		if (!strcmp(s->keys[j], key))
			return 1;
	return 0;
}

static char *tprintf(struct gen_tenant *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *tprintf(struct gen_tenant *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	char *s = arena_strdup(&t->a, buf);
	if (!s)
		t->failed = 1;
	return s;
}

/* A new unique name "label.parent" (or "label.tld" for zones), trying label, then
 * label2, label3, ...; the result is recorded in t->names. */
static const char *unique_name(struct gen_tenant *t, struct rng *r, const char *word,
			       const char *suffix, int always_number)
{
	char buf[300];
	for (unsigned k = always_number ? 1 + below(r, 999) : 0;; k++) {
		if (k == 0)
			snprintf(buf, sizeof buf, "%s.%s", word, suffix);
		else
			snprintf(buf, sizeof buf, "%s%u.%s", word, k, suffix);
		if (name_has(&t->names, buf))
			continue;
		char *s = arena_strdup(&t->a, buf);
		if (!s || name_add(&t->names, s) < 0) {
			t->failed = 1;
			return NULL;
		}
		return s;
	}
}

static void shuffle(struct rng *r, uint32_t *v, uint32_t n)
{
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = below(r, i), x = v[i - 1];
		v[i - 1] = v[j];
		v[j] = x;
	}
}

static uint32_t *iota(struct gen_tenant *t, uint32_t n)
{
	uint32_t *v = arena_array(&t->a, n ? n : 1, sizeof *v);
	if (!v) {
		t->failed = 1;
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++)
		v[i] = i;
	return v;
}

/* Splits total into k parts of at least 1 with log-normal weights: a few large
 * segments, many small ones. */
static void split(struct rng *r, uint32_t total, uint32_t k, uint32_t *out)
{
	double *w = malloc((size_t)k * sizeof *w), sum = 0;
	uint32_t extra = total - k, given = 0;
	if (!w) {
		for (uint32_t i = 0; i < k; i++)
			out[i] = total / k + (i < total % k);
		return;
	}
	for (uint32_t i = 0; i < k; i++)
		sum += w[i] = exp(gauss(r));
	for (uint32_t i = 0; i < k; i++) {
		out[i] = 1 + (uint32_t)(extra * (w[i] / sum));
		given += out[i] - 1;
	}
	while (given < extra) {
		out[below(r, k)]++;
		given++;
	}
	free(w);
}

/* ---- host names ---- */

static int make_hosts(struct gen_tenant *t, struct rng *r)
{
	uint32_t n = t->p.patterns, nwild = n / 5, nexact = n - nwild;
	uint32_t nself = nexact / 10, nleaf = nexact - nself;
	uint32_t ninternal = n * 28 / 100, nzones = 3 + n / 2000;
	static const unsigned depth_share[] = { 30, 35, 25, 10 };   /* depths 3..6 */

	if (ninternal < nzones + nwild + 1)
		ninternal = nzones + nwild + 1;
	t->nodes = arena_array(&t->a, ninternal, sizeof *t->nodes);
	t->pats = arena_array(&t->a, n, sizeof *t->pats);
	if (!t->nodes || !t->pats)
		return -1;

	/* Zones, then internal names depth by depth, each under a random name one up. */
	uint32_t level_start = 0, level_end;
	for (uint32_t z = 0; z < nzones; z++) {
		char word[64];
		snprintf(word, sizeof word, "%s", companies[z % COUNT(companies)]);
		const char *name = unique_name(t, r, word, gen_tlds[below(r, COUNT(gen_tlds))],
					       z >= COUNT(companies));
		if (!name)
			return -1;
		t->nodes[t->nnodes++] = (struct gnode){ name, NONE, NONE, 2 };
	}
	t->nzones = level_end = t->nnodes;
	for (uint32_t d = 0; d < COUNT(depth_share); d++) {
		uint32_t want = d + 1 == COUNT(depth_share) ? ninternal - t->nnodes :
			(ninternal - nzones) * depth_share[d] / 100;
		for (uint32_t i = 0; i < want; i++) {
			uint32_t parent = level_start + below(r, level_end - level_start);
			const char *name = unique_name(t, r, inner_words[below(r, COUNT(inner_words))],
						       t->nodes[parent].name, 0);
			if (!name)
				return -1;
			t->nodes[t->nnodes++] = (struct gnode){ name, parent, NONE,
				(uint8_t)(t->nodes[parent].depth + 1) };
		}
		level_start = level_end;
		level_end = t->nnodes;
	}

	/* Wildcards and exact names on distinct internal names, then leaves below them. */
	uint32_t *pick = iota(t, t->nnodes);
	if (!pick)
		return -1;
	shuffle(r, pick, t->nnodes);
	for (uint32_t i = 0; i < nwild; i++) {
		struct gnode *nd = &t->nodes[pick[i]];
		const char *text = tprintf(t, "*.%s", nd->name);
		if (!text || name_add(&t->names, text) < 0)
			return -1;
		nd->wild = t->npats;
		t->pats[t->npats++] = (struct gpat){ text, pick[i], NONE, NONE, P_WILD };
	}
	shuffle(r, pick, t->nnodes);
	for (uint32_t i = 0; i < nself && i < t->nnodes; i++)
		t->pats[t->npats++] = (struct gpat){ t->nodes[pick[i]].name, pick[i], NONE, NONE,
						     P_SELF };
	nleaf = n - t->npats;
	for (uint32_t i = 0; i < nleaf; i++) {
		uint32_t parent = below(r, t->nnodes);
		const char *text;
		if (chance(r, 0.4)) {   /* machine-made names: hardly any shared labels */
			char word[16];
			snprintf(word, sizeof word, "h%06x", (unsigned)(rnd(r) & 0xFFFFFF));
			text = unique_name(t, r, word, t->nodes[parent].name, 0);
		} else {
			text = unique_name(t, r, host_words[skewed(r, COUNT(host_words))],
					   t->nodes[parent].name, 1);
		}
		if (!text)
			return -1;
		t->pats[t->npats++] = (struct gpat){ text, parent, NONE, NONE, P_LEAF };
	}
	t->nexact = t->npats - nwild;
	for (uint32_t i = 0; i < t->npats; i++) {
		uint32_t labels = 1;
		for (const char *c = t->pats[i].text; *c; c++)
			labels += *c == '.';
		if (labels > t->max_labels)
			t->max_labels = labels;
	}
	return 0;
}

/* Host patterns in tree order (depth first, each name's own patterns before its
 * children's), so that segments owning runs of it own subtrees. */
static int order_hosts(struct gen_tenant *t)
{
	uint32_t nn = t->nnodes;
	uint32_t *cstart = arena_array(&t->a, nn + 1, sizeof *cstart);
	uint32_t *clist = arena_array(&t->a, nn ? nn : 1, sizeof *clist);
	uint32_t *pstart = arena_array(&t->a, nn + 1, sizeof *pstart);
	uint32_t *plist = arena_array(&t->a, t->npats, sizeof *plist);
	uint32_t *fill = arena_array(&t->a, nn + 1, sizeof *fill);
	uint32_t *stack = arena_array(&t->a, nn + 1, sizeof *stack);
	t->order = arena_array(&t->a, t->npats, sizeof *t->order);
	if (!cstart || !clist || !pstart || !plist || !fill || !stack || !t->order)
		return -1;
	for (uint32_t i = 0; i < nn; i++)
		if (t->nodes[i].parent != NONE)
			cstart[t->nodes[i].parent + 1]++;
	for (uint32_t i = 0; i < t->npats; i++)
		pstart[t->pats[i].node + 1]++;
	for (uint32_t i = 0; i < nn; i++) {
		cstart[i + 1] += cstart[i];
		pstart[i + 1] += pstart[i];
	}
	memcpy(fill, cstart, (nn + 1) * sizeof *fill);
	for (uint32_t i = 0; i < nn; i++)
		if (t->nodes[i].parent != NONE)
			clist[fill[t->nodes[i].parent]++] = i;
	memcpy(fill, pstart, (nn + 1) * sizeof *fill);
	for (uint32_t i = 0; i < t->npats; i++)
		plist[fill[t->pats[i].node]++] = i;

	uint32_t sp = 0, k = 0;
	for (uint32_t z = t->nzones; z-- > 0;)
		stack[sp++] = z;
	while (sp) {
		uint32_t v = stack[--sp];
		for (uint32_t j = pstart[v]; j < pstart[v + 1]; j++)
			t->order[k++] = plist[j];
		for (uint32_t j = cstart[v + 1]; j-- > cstart[v];)
			stack[sp++] = clist[j];
	}
	return k == t->npats ? 0 : -1;
}

/* ---- prefixes ---- */

static const unsigned v4_len_weight[33] = {
	[8] = 1, [12] = 1, [14] = 1, [16] = 6, [18] = 2, [19] = 2, [20] = 5, [21] = 3, [22] = 6,
	[23] = 5, [24] = 30, [25] = 2, [26] = 3, [27] = 3, [28] = 4, [29] = 3, [30] = 2, [32] = 21,
};
static const unsigned v6_len_weight[129] = {
	[32] = 2, [36] = 1, [40] = 2, [44] = 2, [48] = 30, [52] = 3, [56] = 15, [60] = 3,
	[64] = 30, [96] = 1, [112] = 1, [120] = 1, [127] = 1, [128] = 8,
};

static void mask_bits(uint8_t *a, unsigned nbytes, unsigned len)
{
	for (unsigned k = 0; k < nbytes; k++) {
		unsigned keep = len >= 8 * (k + 1) ? 8 : len > 8 * k ? len - 8 * k : 0;
		a[k] &= (uint8_t)(0xFF00u >> keep);
	}
}

/* A random top-level network of the family: private space mostly, some public. */
static void top_network(struct rng *r, struct gpfx *x)
{
	uint32_t a = (uint32_t)rnd(r);
	if (x->family == 4) {
		unsigned pool = below(r, 100);
		if (pool < 45)
			a = 0x0A000000u | (a & 0x00FFFFFFu);            /* 10/8 */
		else if (pool < 60)
			a = 0xAC100000u | (a & 0x000FFFFFu);            /* 172.16/12 */
		else if (pool < 65)
			a = 0xC0A80000u | (a & 0x0000FFFFu);            /* 192.168/16 */
		else if (pool < 70)
			a = 0x64400000u | (a & 0x003FFFFFu);            /* 100.64/10 */
		else {
			/* Public unicast; not 198/8, where the requests' misses live. */
			static const uint8_t firsts[] = { 3, 8, 13, 20, 23, 34, 40, 52, 54, 64, 66,
				72, 96, 104, 128, 137, 140, 144, 151, 157, 162, 185, 193, 203, 212 };
			a = (uint32_t)firsts[below(r, COUNT(firsts))] << 24 | (a & 0x00FFFFFFu);
		}
		x->net[0] = (uint8_t)(a >> 24);
		x->net[1] = (uint8_t)(a >> 16);
		x->net[2] = (uint8_t)(a >> 8);
		x->net[3] = (uint8_t)a;
		return;
	}
	for (int k = 0; k < 16; k++)
		x->net[k] = (uint8_t)rnd(r);
	unsigned pool = below(r, 10);
	if (pool < 5) {                                          /* 2001:db8::/32 */
		x->net[0] = 0x20, x->net[1] = 0x01, x->net[2] = 0x0d, x->net[3] = 0xb8;
	} else if (pool < 8) {                                   /* fd00::/8 */
		x->net[0] = 0xfd;
	} else {                                                 /* 2600::/12 */
		x->net[0] = 0x26;
		x->net[1] &= 0x0F;
	}
}

static int pfx_cmp(const void *pa, const void *pb)
{
	const struct gpfx *a = pa, *b = pb;
	if (a->family != b->family)
		return a->family - b->family;
	int c = memcmp(a->net, b->net, 16);
	return c ? c : a->len - b->len;
}

static int make_prefixes(struct gen_tenant *t, struct rng *r)
{
	uint32_t n = t->p.patterns / 10, n4 = n * 85 / 100;
	t->pfx = arena_array(&t->a, n ? n : 1, sizeof *t->pfx);
	if (!t->pfx)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		struct gpfx x;
		char text[INET6_ADDRSTRLEN + 8];
		int nested;
		do {
			memset(&x, 0, sizeof x);
			x.family = i < n4 ? 4 : 6;
			unsigned max = x.family == 4 ? 32 : 128, nb = x.family == 4 ? 4 : 16;
			nested = 0;
			/* A fifth nest inside an earlier network of the family, a few bits longer
			 * (IPv4 ones come first: indexes below n4). */
			uint32_t lo = x.family == 4 ? 0 : n4, earlier = i - lo;
			if (earlier > 0 && chance(r, 0.2)) {
				const struct gpfx *up = &t->pfx[lo + below(r, earlier)];
				if (up->len < max) {
					unsigned room = max - up->len;
					x.len = (uint8_t)(up->len + 1 + below(r, room < 8 ? room : 8));
					for (unsigned k = 0; k < nb; k++)
						x.net[k] = (uint8_t)rnd(r);
					mask_bits(x.net, nb, x.len);
					for (unsigned bit = 0; bit < up->len; bit++) {   /* the parent's bits */
						uint8_t m = (uint8_t)(0x80 >> (bit % 8));
						x.net[bit / 8] = (uint8_t)((x.net[bit / 8] & ~m) |
							(up->net[bit / 8] & m));
					}
					nested = 1;
				}
			}
			if (!nested) {
				x.len = (uint8_t)(x.family == 4 ? weighted(r, v4_len_weight, 33) :
						  weighted(r, v6_len_weight, 129));
				top_network(r, &x);
				mask_bits(x.net, nb, x.len);
			}
			inet_ntop(x.family == 4 ? AF_INET : AF_INET6, x.net, text, INET6_ADDRSTRLEN);
			snprintf(text + strlen(text), 8, "/%u", x.len);
		} while (name_has(&t->names, text));
		x.text = arena_strdup(&t->a, text);
		if (!x.text || name_add(&t->names, x.text) < 0)
			return -1;
		t->nnested += nested;
		t->pfx[t->npfx++] = x;
	}
	t->npfx4 = n4;
	qsort(t->pfx, t->npfx, sizeof *t->pfx, pfx_cmp);
	return 0;
}

/* ---- segments ---- */

static void add_range(struct range *v, uint8_t *n, unsigned max, uint16_t lo, uint16_t hi)
{
	for (unsigned i = 0; i < *n; i++)
		if (v[i].lo == lo && v[i].hi == hi)
			return;
	if (*n < max)
		v[(*n)++] = (struct range){ lo, hi };
}

/* Ports of an ordinary segment: below 20000 (siblings use 20000-29999, port misses
 * 60000 and up). */
static void ordinary_ports(struct rng *r, struct gseg *s)
{
	static const uint16_t tcp1[] = { 443, 80, 22, 3389, 8080, 8443, 445, 1433, 1521, 3306,
		5432, 6379, 9200, 25, 587, 993, 389, 636, 88, 135, 5985, 5986, 9092, 2049, 111 };
	static const struct range tcpr[] = { { 3200, 3299 }, { 8000, 8999 }, { 9000, 9100 },
		{ 5900, 5910 }, { 1024, 2047 }, { 6000, 6063 }, { 10000, 10100 } };
	static const uint16_t udp1[] = { 53, 123, 161, 500, 4500, 1812, 3478, 5060, 514, 88 };
	int tcp = chance(r, 0.85), udp = !tcp || chance(r, 0.2);
	if (tcp) {
		add_range(s->tcp, &s->ntcp, 4, 443, 443);
		for (uint32_t k = below(r, 4); k > 0; k--) {
			if (chance(r, 0.25)) {
				const struct range *x = &tcpr[below(r, COUNT(tcpr))];
				add_range(s->tcp, &s->ntcp, 4, x->lo, x->hi);
			} else {
				uint16_t p = tcp1[skewed(r, COUNT(tcp1))];
				add_range(s->tcp, &s->ntcp, 4, p, p);
			}
		}
		if (chance(r, 0.3))   /* not every app is on 443 */
			s->tcp[0].lo = s->tcp[0].hi = tcp1[1 + below(r, COUNT(tcp1) - 1)];
	}
	if (udp) {
		uint16_t p = udp1[skewed(r, COUNT(udp1))];
		add_range(s->udp, &s->nudp, 3, p, p);
		if (chance(r, 0.3))
			add_range(s->udp, &s->nudp, 3, 10000, 19999);
	}
}

static int make_segments(struct gen_tenant *t, struct rng *r)
{
	uint32_t nhost = t->npats, naddr = t->npfx, total = nhost + naddr;
	uint32_t want = t->p.segments, nsib = want / 20, nprim = want - nsib;
	if (total < nprim) {
		nprim = total;
		nsib = nprim / 20;
	}
	/* Address-only segments, then host segments; some host segments also get
	 * addresses. Each segment owns at least one pattern. */
	uint32_t nao, nh;
	if (total == nprim) {
		nh = nhost;
		nao = naddr;
	} else {
		nao = naddr < nprim / 10 ? naddr : nprim / 10;
		nh = nprim - nao;
		if (nh > nhost) {
			nh = nhost;
			nao = nprim - nh;
		}
	}
	uint32_t nmixed = naddr - nao < nh * 3 / 10 ? naddr - nao : nh * 3 / 10;
	t->nprimary = nprim;
	t->nsegs = nprim + nsib;
	t->segs = arena_array(&t->a, t->nsegs ? t->nsegs : 1, sizeof *t->segs);
	uint32_t *sizes = arena_array(&t->a, nprim + 1, sizeof *sizes);
	if (!t->segs || !sizes)
		return -1;

	split(r, nhost, nh, sizes);
	for (uint32_t s = 0, at = 0; s < nh; s++) {
		t->segs[s].host_first = at;
		t->segs[s].nhosts = sizes[s];
		for (uint32_t k = 0; k < sizes[s]; k++)
			t->pats[t->order[at + k]].seg = s;
		at += sizes[s];
	}
	/* Address runs: to the address-only segments and to nmixed random host segments. */
	uint32_t nachunks = nao + nmixed;
	uint32_t *owners = arena_array(&t->a, nachunks + 1, sizeof *owners);
	uint32_t *hs = iota(t, nh);
	if (!owners || !hs)
		return -1;
	shuffle(r, hs, nh);
	for (uint32_t k = 0; k < nao; k++)
		owners[k] = nh + k;
	for (uint32_t k = 0; k < nmixed; k++)
		owners[nao + k] = hs[k];
	shuffle(r, owners, nachunks);
	if (nachunks) {
		split(r, naddr, nachunks, sizes);
		for (uint32_t k = 0, at = 0; k < nachunks; k++) {
			struct gseg *s = &t->segs[owners[k]];
			s->addr_first = at;
			s->naddrs = sizes[k];
			for (uint32_t j = 0; j < sizes[k]; j++)
				t->pfx[at + j].seg = owners[k];
			at += sizes[k];
		}
	}

	/* Groups: runs of neighbouring segments. */
	t->ngroups = t->p.groups < nprim / 5 ? t->p.groups : nprim / 5 ? nprim / 5 : 1;
	t->groups = arena_array(&t->a, t->ngroups, sizeof *t->groups);
	if (!t->groups)
		return -1;
	for (uint32_t g = 0; g < t->ngroups; g++)
		if (!(t->groups[g] = tprintf(t, "%s-%03u", departments[g % COUNT(departments)], g)))
			return -1;
	split(r, nprim, t->ngroups, sizes);
	for (uint32_t g = 0, s = 0; g < t->ngroups; g++)
		for (uint32_t k = 0; k < sizes[g]; k++)
			t->segs[s++].group = g;

	for (uint32_t s = 0; s < nprim; s++) {
		struct gseg *x = &t->segs[s];
		x->name = tprintf(t, "%s-%05u", gen_seg_words[below(r, COUNT(gen_seg_words))], s);
		x->inclusive = chance(r, 0.15);
		x->bypass = chance(r, 0.02) ? 1 : chance(r, 0.03) ? 2 : 0;
		x->primary = NONE;
		ordinary_ports(r, x);
	}

	/* Siblings: each shares 1..3 host patterns of a distinct host segment, on ports
	 * 20000-29999 that no ordinary segment serves, with the same match style. */
	shuffle(r, hs, nh);
	uint32_t made = 0;
	for (uint32_t k = 0; k < nsib && k < nh; k++) {
		struct gseg *p = &t->segs[hs[k]], *x = &t->segs[nprim + made];
		uint32_t s = nprim + made;
		x->name = tprintf(t, "%s-alt", p->name);
		x->group = p->group;
		x->inclusive = p->inclusive;
		x->primary = hs[k];
		x->nshared = 1 + below(r, 3);
		if (x->nshared > p->nhosts)
			x->nshared = p->nhosts;
		x->shared = arena_array(&t->a, x->nshared, sizeof *x->shared);
		if (!x->shared)
			return -1;
		for (uint32_t j = 0; j < x->nshared; j++) {
			uint32_t pat = t->order[p->host_first + j];
			x->shared[j] = pat;
			t->pats[pat].sibling = s;
		}
		uint16_t lo = (uint16_t)(20000 + below(r, 9000));
		add_range(x->tcp, &x->ntcp, 4, lo, (uint16_t)(lo + (chance(r, 0.3) ? below(r, 50) : 0)));
		made++;
	}
	t->nsegs = nprim + made;
	return t->failed ? -1 : 0;
}

/* ---- users ---- */

static const char **pick_values(struct gen_tenant *t, struct rng *r, const struct value_set *v,
				uint32_t n)
{
	const char **out = arena_array(&t->a, n ? n : 1, sizeof *out);
	if (!out)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		const char *x;
		int dup;
		do {   /* distinct values: a user is in a group once */
			x = v->values[skewed(r, v->n)];
			dup = 0;
			for (uint32_t j = 0; j < i; j++)
				dup |= out[j] == x;
		} while (dup);
		out[i] = x;
	}
	return out;
}

static int make_users(struct gen_tenant *t, struct rng *r)
{
	static const char *const hq[] = { "HQ" };
	static const unsigned etype_w[] = { 80, 12, 4, 4 }, platform_w[] = { 50, 25, 10, 8, 7 };
	t->users = arena_array(&t->a, t->p.users ? t->p.users : 1, sizeof *t->users);
	if (!t->users)
		return -1;
	for (uint32_t i = 0; i < t->p.users; i++) {
		struct bcp_user_info *u = &t->users[i];
		struct bcp_attr *saml = arena_array(&t->a, 3, sizeof *saml);
		struct bcp_attr *scim = arena_array(&t->a, 2, sizeof *scim);
		const char **etype = arena_array(&t->a, 1, sizeof *etype);
		if (!saml || !scim || !etype)
			return -1;
		etype[0] = employee_types[weighted(r, etype_w, 4)];
		saml[0] = (struct bcp_attr){ "department", pick_values(t, r, &gen_value_sets[V_DEPT], 1), 1 };
		saml[1] = (struct bcp_attr){ "employeeType", etype, 1 };
		saml[2] = (struct bcp_attr){ "title", pick_values(t, r, &gen_value_sets[V_TITLE], 1), 1 };
		scim[0] = (struct bcp_attr){ "costCenter", pick_values(t, r, &gen_value_sets[V_COST], 1), 1 };
		scim[1] = (struct bcp_attr){ "location", pick_values(t, r, &gen_value_sets[V_LOC], 1), 1 };
		u->saml = saml;
		u->nsaml = 3;
		u->scim = scim;
		u->nscim = 2;
		u->nscim_groups = 2 + below(r, 5);
		u->scim_groups = pick_values(t, r, &gen_value_sets[V_GROUP], (uint32_t)u->nscim_groups);
		u->idp = idps[skewed(r, COUNT(idps))];
		u->platform = platforms[weighted(r, platform_w, 5)];
		u->country = countries[skewed(r, COUNT(countries))];
		u->nposture = below(r, 5);
		u->posture = pick_values(t, r, &gen_value_sets[V_POSTURE], (uint32_t)u->nposture);
		if (chance(r, 0.15)) {
			u->trusted_networks = hq;
			u->ntrusted_networks = 1;
		}
		if (!saml[0].values || !saml[2].values || !scim[0].values || !scim[1].values ||
		    !u->scim_groups || !u->posture)
			return -1;
	}
	return 0;
}

/* ---- the API ---- */

void gen_defaults(struct gen_params *p, uint32_t patterns)
{
	*p = (struct gen_params){ .seed = 1, .patterns = patterns, .segments = 6000,
				  .groups = 200, .rules = 2000, .users = 100 };
}

struct gen_tenant *gen_tenant_new(const struct gen_params *p)
{
	struct gen_tenant *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->p = *p;
	arena_init(&t->a, NULL);
	struct rng r = { p->seed * 0x2545F4914F6CDD1Du + p->patterns };
	t->tenant = tprintf(t, "bench-%u", p->patterns);
	if (t->failed || make_hosts(t, &r) || order_hosts(t) || make_prefixes(t, &r) ||
	    make_segments(t, &r) || make_users(t, &r) || t->failed || t->a.failed) {
		gen_tenant_free(t);
		return NULL;
	}
	return t;
}

void gen_tenant_free(struct gen_tenant *t)
{
	if (!t)
		return;
	free(t->names.keys);
	arena_free(&t->a);
	free(t);
}

void gen_tenant_stats(const struct gen_tenant *t, struct gen_stats *o)
{
	memset(o, 0, sizeof *o);
	o->host_patterns = t->npats;
	o->exact = t->nexact;
	o->wildcards = t->npats - t->nexact;
	o->prefixes4 = t->npfx4;
	o->prefixes6 = t->npfx - t->npfx4;
	o->nested_prefixes = t->nnested;
	o->segments = t->nsegs;
	o->segments_wanted = t->p.segments;
	o->shared_segments = t->nsegs - t->nprimary;
	o->groups = t->ngroups;
	o->rules = t->p.rules;
	o->profiles = 5;
	o->users = t->p.users;
	for (int v = 0; v < V_COUNT; v++)
		o->user_values += gen_value_sets[v].n;
	o->max_labels = t->max_labels;
}

const struct bcp_user_info *gen_user(const struct gen_tenant *t, uint32_t i)
{
	return &t->users[i];
}

