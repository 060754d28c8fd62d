/* gen_requests.c - the request mix against a generated tenant (gen.h): the generator
 * knows what it meant each request to hit, never what the answer is. */
#include "gen_int.h"
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

const char *const gen_kind_names[GEN_NKINDS] = {
#define GEN_KIND_NAME_(e, s) s,
	GEN_KINDS(GEN_KIND_NAME_)
#undef GEN_KIND_NAME_
};

/* ---- requests ---- */

static void random_label(struct rng *r, char *out, unsigned n)
{
	static const char cs[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	out[0] = "xyzq"[below(r, 4)];   /* a letter first: no host of the tenant starts so */
	for (unsigned i = 1; i < n; i++)
		out[i] = cs[below(r, 36)];
	out[n] = '\0';
}

/* A port the segment serves (and its protocol). */
static void served_port(struct rng *r, const struct gseg *s, uint16_t *port, enum bcp_proto *proto)
{
	int udp = s->nudp && (!s->ntcp || chance(r, 0.25));
	const struct range *x = udp ? &s->udp[below(r, s->nudp)] : &s->tcp[below(r, s->ntcp)];
	*port = (uint16_t)(x->lo + below(r, (uint32_t)(x->hi - x->lo) + 1));
	*proto = udp ? BCP_UDP : BCP_TCP;
}

static void set_host(struct gen_request *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_host(struct gen_request *q, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(q->host, sizeof q->host, fmt, ap);
	va_end(ap);
	q->hostlen = (uint8_t)(n < 0 ? 0 : n > 253 ? 253 : n);
	q->host[q->hostlen] = '\0';
}

/* The first wildcard pattern at or above node v, or NONE. */
static uint32_t wildcard_above(const struct gen_tenant *t, uint32_t v)
{
	for (; v != NONE; v = t->nodes[v].parent)
		if (t->nodes[v].wild != NONE)
			return t->nodes[v].wild;
	return NONE;
}

static uint32_t random_exact(const struct gen_tenant *t, struct rng *r)
{
	uint32_t i;
	do
		i = below(r, t->npats);
	while (t->pats[i].kind == P_WILD);
	return i;
}

static void miss_name(const struct gen_tenant *t, struct rng *r, struct gen_request *q)
{
	char l1[12], l2[12];
	random_label(r, l1, 3 + below(r, 6));
	random_label(r, l2, 4 + below(r, 6));
	/* Half inside the tenant's zones, under a name no wildcard covers. */
	if (chance(r, 0.5)) {
		for (int tries = 0; tries < 20; tries++) {
			uint32_t v = below(r, t->nnodes);
			if (wildcard_above(t, v) == NONE) {
				set_host(q, "%s.%s", l1, t->nodes[v].name);
				return;
			}
		}
	}
	set_host(q, "%s.%s.%s", l1, l2, gen_tlds[below(r, 3)]);   /* com, net, io */
}

void gen_requests(const struct gen_tenant *t, uint64_t seed, struct gen_request *out, size_t n)
{
	static const unsigned mix[GEN_NKINDS] = {
		[GEN_EXACT] = 32, [GEN_WILD] = 25, [GEN_MISS_NAME] = 12, [GEN_MISS_ADDR] = 3,
		[GEN_ADDR4] = 13, [GEN_ADDR6] = 5, [GEN_PORT_MISS] = 10,
	};
	struct rng r = { seed ^ 0xA5A5A5A5u };
	for (size_t i = 0; i < n; i++) {
		struct gen_request *q = &out[i];
		memset(q, 0, sizeof *q);
		q->kind = (enum gen_kind)weighted(&r, mix, GEN_NKINDS);
		q->user = below(&r, t->p.users);
		if ((q->kind == GEN_ADDR4 && t->npfx4 == 0) || (q->kind == GEN_ADDR6 && t->npfx == t->npfx4))
			q->kind = GEN_EXACT;
		switch (q->kind) {
		case GEN_EXACT: {
			const struct gpat *p = &t->pats[random_exact(t, &r)];
			const struct gseg *s = &t->segs[p->sibling != NONE && chance(&r, 0.3) ?
							 p->sibling : p->seg];
			served_port(&r, s, &q->port, &q->proto);
			if (chance(&r, 0.03)) {   /* as typed: upper case, a trailing dot */
				set_host(q, "%s.", p->text);
				for (char *c = q->host; *c && *c != '.'; c++)
					*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
			} else {
				set_host(q, "%s", p->text);
			}
			break;
		}
		case GEN_WILD: {
			/* One or two new labels below an exact name: the walk goes down to that
			 * name, then back up to the nearest wildcard, often several labels up. */
			uint32_t w = NONE, i0 = 0;
			for (int tries = 0; tries < 50 && w == NONE; tries++) {
				i0 = random_exact(t, &r);
				w = wildcard_above(t, t->pats[i0].node);
			}
			if (w == NONE) {
				q->kind = GEN_MISS_NAME;
				miss_name(t, &r, q);
				q->port = 443;
				q->proto = BCP_TCP;
				break;
			}
			char l1[12], l2[12];
			random_label(&r, l1, 2 + below(&r, 8));
			random_label(&r, l2, 2 + below(&r, 8));
			if (chance(&r, 0.5))
				set_host(q, "%s.%s", l1, t->pats[i0].text);
			else
				set_host(q, "%s.%s.%s", l1, l2, t->pats[i0].text);
			served_port(&r, &t->segs[t->pats[w].seg], &q->port, &q->proto);
			break;
		}
		case GEN_MISS_NAME:
			miss_name(t, &r, q);
			q->port = chance(&r, 0.8) ? 443 : 80;
			q->proto = BCP_TCP;
			break;
		case GEN_MISS_ADDR:
			if (chance(&r, 0.8))   /* 198.18.0.0/15: benchmarking space, never a prefix */
				set_host(q, "198.%u.%u.%u", 18 + below(&r, 2), below(&r, 256), below(&r, 256));
			else                   /* 3fff::/20: documentation space, never a prefix */
				set_host(q, "3fff:%x:%x::%x", below(&r, 0x1000), below(&r, 0x10000),
					 below(&r, 0x10000));
			q->port = 443;
			q->proto = BCP_TCP;
			break;
		case GEN_ADDR4:
		case GEN_ADDR6: {
			const struct gpfx *x = q->kind == GEN_ADDR4 ? &t->pfx[below(&r, t->npfx4)] :
				&t->pfx[t->npfx4 + below(&r, t->npfx - t->npfx4)];
			/* pfx is sorted with IPv4 first, so these index ranges hold one family */
			uint8_t a[16];
			unsigned nb = x->family == 4 ? 4 : 16;
			char text[INET6_ADDRSTRLEN];
			for (unsigned k = 0; k < nb; k++) {
				unsigned keep = x->len >= 8 * (k + 1) ? 8 : x->len > 8 * k ? x->len - 8 * k : 0;
				uint8_t m = (uint8_t)(0xFF00u >> keep);
				a[k] = (uint8_t)((x->net[k] & m) | ((uint8_t)rnd(&r) & ~m));
			}
			inet_ntop(x->family == 4 ? AF_INET : AF_INET6, a, text, sizeof text);
			if (x->family == 6 && chance(&r, 0.2))
				set_host(q, "[%s]", text);
			else
				set_host(q, "%s", text);
			served_port(&r, &t->segs[x->seg], &q->port, &q->proto);
			break;
		}
		case GEN_PORT_MISS: {
			const struct gpat *p = &t->pats[random_exact(t, &r)];
			set_host(q, "%s", p->text);
			q->port = (uint16_t)(60000 + below(&r, 5000));
			q->proto = chance(&r, 0.7) ? BCP_TCP : BCP_UDP;
			break;
		}
		default:
			break;
		}
	}
}
