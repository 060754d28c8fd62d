/* blob.c - lays the lowered tables out as the bytes of docs/FORMAT.md (header,
 * directory, 17 sections, signature), packs the two msgpack sections and signs.
 * Every byte it writes is given by FORMAT.md; it must not add fields, reorder
 * sections, or depend on anything but its inputs (no clock, no environment, no
 * addresses), so equal inputs give equal blobs. Writing it to a file is
 * support/file.c's. */
#include "blob.h"
#include "errmsg.h"
#include "lower.h"
#include "keys.h"
#include "bcp_format.h"
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct section {
	uint8_t *p;
	size_t len;
};

struct build {
	const struct model *m;
	const struct tables *t;
	struct arena *a;
	struct section sec[BCPF_NSECTIONS + 1];   /* by id; [0] unused */
	char *err;
	size_t errlen;
};

static size_t align8(size_t n)
{
	return (n + BCPF_ALIGN - 1) & ~(size_t)(BCPF_ALIGN - 1);
}

/* A zeroed section of len bytes (reserved fields and padding stay zero). */
static uint8_t *sec_new(struct build *B, int id, size_t len)
{
	uint8_t *p = arena_alloc(B->a, len ? len : 1);
	B->sec[id].p = p;
	B->sec[id].len = len;
	if (!p)
		errmsg(B->err, B->errlen, "out of memory while laying out the blob");
	return p;
}

/* u32 count, u32 reserved; returns where the records start. */
static uint8_t *table_new(struct build *B, int id, uint32_t count, size_t record)
{
	uint8_t *p = sec_new(B, id, BCPF_TABLE_HDR + (size_t)count * record);
	if (!p)
		return NULL;
	bcpf_put_table_hdr_count(p, count);
	return p + BCPF_TABLE_HDR;
}

static int put_u32s(struct build *B, int id, const uint32_t *v, uint32_t n)
{
	uint8_t *p = sec_new(B, id, (size_t)n * 4);
	if (!p)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		bcpf_put32(p + 4 * i, v[i]);
	return 0;
}

static void put_hash_hdr(uint8_t *p, const struct hash_table *h)
{
	bcpf_put_hash_hdr_nslots(p, h->nslots);
	bcpf_put_hash_hdr_max_probe(p, h->max_probe);
	bcpf_put_hash_hdr_seed(p, h->seed);
}

/* ---- table sections ---- */

static int put_host(struct build *B)
{
	const struct tables *t = B->t;
	uint8_t *p = sec_new(B, BCPF_S_HOST_NODES,
			     BCPF_NODES_HDR + (size_t)t->nnodes * BCPF_NODE_SIZE);
	if (!p)
		return -1;
	bcpf_put_nodes_hdr_count(p, t->nnodes);
	bcpf_put_nodes_hdr_max_depth(p, t->max_depth);
	for (uint32_t i = 0; i < t->nnodes; i++) {
		uint8_t *r = p + BCPF_NODES_HDR + (size_t)i * BCPF_NODE_SIZE;
		bcpf_put_node_parent(r, t->nodes[i].parent);
		bcpf_put_node_label(r, t->nodes[i].label);
		bcpf_put_node_exact(r, t->nodes[i].exact);
		bcpf_put_node_wild(r, t->nodes[i].wild);
	}
	const struct hash_table *h = &t->host_index;
	p = sec_new(B, BCPF_S_HOST_INDEX, BCPF_HASH_HDR + (size_t)h->nslots * BCPF_HOST_SLOT);
	if (!p)
		return -1;
	put_hash_hdr(p, h);
	/* Item k is node k + 1, so a slot's "item + 1" is the node index itself; its tag
	 * is the high half of the node's key. An empty slot is all zero. */
	for (uint32_t i = 0; i < h->nslots; i++) {
		uint8_t *r = p + BCPF_HASH_HDR + (size_t)i * BCPF_HOST_SLOT;
		bcpf_put_host_slot_node(r, h->slots[i]);
		bcpf_put_host_slot_tag(r, h->slots[i] ? bcpf_host_tag(t->node_key[h->slots[i]]) : 0);
	}
	return 0;
}

static int put_addr(struct build *B)
{
	const struct tables *t = B->t;
	const struct hash_table *h = &t->addr4_index;
	uint8_t *p = sec_new(B, BCPF_S_ADDR4, BCPF_ADDR4_HDR + (size_t)h->nslots * BCPF_ADDR4_SLOT);
	if (!p)
		return -1;
	put_hash_hdr(p, h);
	bcpf_put_addr4_hdr_lenmask(p, t->lenmask4);
	for (uint32_t i = 0; i < h->nslots; i++) {
		if (!h->slots[i])
			continue;
		const struct t_addr *r = &t->addr4[h->slots[i] - 1];
		uint8_t *s = p + BCPF_ADDR4_HDR + (size_t)i * BCPF_ADDR4_SLOT;
		uint32_t net = (uint32_t)r->p.addr[0] << 24 | (uint32_t)r->p.addr[1] << 16 |
			       (uint32_t)r->p.addr[2] << 8 | r->p.addr[3];
		bcpf_put_addr4_slot_network(s, net);
		bcpf_put_addr4_slot_segref(s, r->segref);
		bcpf_put_addr4_slot_len(s, r->p.len);
		bcpf_put_addr4_slot_used(s, 1);
	}
	h = &t->addr6_index;
	p = sec_new(B, BCPF_S_ADDR6, BCPF_ADDR6_HDR + (size_t)h->nslots * BCPF_ADDR6_SLOT);
	if (!p)
		return -1;
	put_hash_hdr(p, h);
	bcpf_put_addr6_hdr_lenmask0(p, t->lenmask6[0]);
	bcpf_put_addr6_hdr_lenmask1(p, t->lenmask6[1]);
	bcpf_put_addr6_hdr_lenmask2(p, t->lenmask6[2]);
	for (uint32_t i = 0; i < h->nslots; i++) {
		if (!h->slots[i])
			continue;
		const struct t_addr *r = &t->addr6[h->slots[i] - 1];
		uint8_t *s = p + BCPF_ADDR6_HDR + (size_t)i * BCPF_ADDR6_SLOT;
		bcpf_put_addr6_slot_network_w0(s, bcpf_u64(r->p.addr));
		bcpf_put_addr6_slot_network_w1(s, bcpf_u64(r->p.addr + 8));
		bcpf_put_addr6_slot_segref(s, r->segref);
		bcpf_put_addr6_slot_len(s, r->p.len);
		bcpf_put_addr6_slot_used(s, 1);
	}
	return 0;
}

static int put_segments(struct build *B)
{
	const struct tables *t = B->t;
	uint8_t *p = table_new(B, BCPF_S_SEGMENTS, t->nsegments, BCPF_SEGMENT_SIZE);
	if (!p)
		return -1;
	for (uint32_t i = 0; i < t->nsegments; i++, p += BCPF_SEGMENT_SIZE) {
		const struct t_segment *s = &t->segments[i];
		bcpf_put_segment_name(p, s->name);
		bcpf_put_segment_group(p, s->group);
		bcpf_put_segment_ports(p, s->ports);
		bcpf_put_segment_ntcp(p, s->ntcp);
		bcpf_put_segment_nudp(p, s->nudp);
		bcpf_put_segment_match(p, s->match);
		bcpf_put_segment_bypass(p, s->bypass);
	}
	p = sec_new(B, BCPF_S_PORTS, (size_t)t->nports * BCPF_PORT_SIZE);
	if (!p)
		return -1;
	for (uint32_t i = 0; i < t->nports; i++) {
		bcpf_put_port_lo(p + (size_t)i * BCPF_PORT_SIZE, t->ports[i].lo);
		bcpf_put_port_hi(p + (size_t)i * BCPF_PORT_SIZE, t->ports[i].hi);
	}
	p = table_new(B, BCPF_S_GROUPS, t->ngroups, BCPF_GROUP_SIZE);
	if (!p)
		return -1;
	for (uint32_t i = 0; i < t->ngroups; i++)
		bcpf_put_group_name(p + (size_t)i * BCPF_GROUP_SIZE, t->groups[i]);
	return 0;
}

static int put_predicates(struct build *B)
{
	const struct tables *t = B->t;
	const struct hash_table *h = &t->pred_index;
	size_t records = (size_t)t->npreds * BCPF_PRED_SIZE;
	uint8_t *p = sec_new(B, BCPF_S_PREDICATES, BCPF_PRED_HDR + records + (size_t)h->nslots * 4);
	if (!p)
		return -1;
	bcpf_put_pred_hdr_count(p, t->npreds);
	bcpf_put_pred_hdr_nslots(p, h->nslots);
	bcpf_put_pred_hdr_max_probe(p, h->max_probe);
	bcpf_put_pred_hdr_seed(p, h->seed);
	for (uint32_t i = 0; i < t->npreds; i++) {
		uint8_t *r = p + BCPF_PRED_HDR + (size_t)i * BCPF_PRED_SIZE;
		bcpf_put_pred_kind(r, t->preds[i].kind);
		bcpf_put_pred_attr(r, t->preds[i].attr);
		bcpf_put_pred_value(r, t->preds[i].value);
	}
	for (uint32_t i = 0; i < h->nslots; i++)
		bcpf_put32(p + BCPF_PRED_HDR + records + 4 * (size_t)i, h->slots[i]);

	p = table_new(B, BCPF_S_CLAUSES, t->nclauses, BCPF_CLAUSE_SIZE);
	if (!p)
		return -1;
	for (uint32_t i = 0; i < t->nclauses; i++, p += BCPF_CLAUSE_SIZE) {
		bcpf_put_clause_first(p, t->clauses[i].first);
		bcpf_put_clause_n(p, t->clauses[i].n);
		bcpf_put_clause_negated(p, t->clauses[i].negated);
	}
	return put_u32s(B, BCPF_S_CLAUSE_PREDS, t->clause_preds, t->nclause_preds);
}

static int put_rules(struct build *B)
{
	const struct tables *t = B->t;
	uint8_t *p = table_new(B, BCPF_S_RULES, t->nrules, BCPF_RULE_SIZE);
	if (!p)
		return -1;
	for (uint32_t i = 0; i < t->nrules; i++, p += BCPF_RULE_SIZE) {
		const struct t_rule *r = &t->rules[i];
		bcpf_put_rule_name(p, r->name);
		bcpf_put_rule_clauses(p, r->clauses);
		bcpf_put_rule_nclauses(p, r->nclauses);
		bcpf_put_rule_allow(p, r->allow);
		bcpf_put_rule_all_segments(p, r->all_segments);
		bcpf_put_rule_segs(p, r->segs);
		bcpf_put_rule_nsegs(p, r->nsegs);
	}
	if (put_u32s(B, BCPF_S_RULE_SEGS, t->rule_segs, t->nrule_segs))
		return -1;
	p = table_new(B, BCPF_S_PROFILES, t->nprofiles, BCPF_PROFILE_SIZE);
	if (!p)
		return -1;
	for (uint32_t i = 0; i < t->nprofiles; i++, p += BCPF_PROFILE_SIZE) {
		bcpf_put_profile_name(p, t->profiles[i].name);
		bcpf_put_profile_clauses(p, t->profiles[i].clauses);
		bcpf_put_profile_nclauses(p, t->profiles[i].nclauses);
	}
	return 0;
}

/* ---- msgpack sections ---- */

/* The packer writes into a buffer of its own that grows through the hook (not
 * msgpack_sbuffer, which would call realloc). */
struct mp {
	const struct alloc_hook *hook;
	char *data;
	size_t size, cap;
	msgpack_packer pk;
	int bad;
};

static int mp_write(void *ctx, const char *buf, size_t len)
{
	struct mp *w = ctx;
	if (len > w->cap - w->size) {
		size_t cap = w->cap ? w->cap : 256;
		while (cap - w->size < len) {
			if (cap > SIZE_MAX / 2)
				return -1;
			cap *= 2;
		}
		char *p = hook_alloc(w->hook, cap);
		if (!p)
			return -1;
		if (w->size)
			memcpy(p, w->data, w->size);
		hook_release(w->hook, w->data);
		w->data = p;
		w->cap = cap;
	}
	memcpy(w->data + w->size, buf, len);
	w->size += len;
	return 0;
}

static void mp_str(struct mp *w, const char *s)
{
	if (!s)
		w->bad |= msgpack_pack_nil(&w->pk) != 0;
	else
		w->bad |= msgpack_pack_str_with_body(&w->pk, s, strlen(s)) != 0;
}

static void mp_uint(struct mp *w, uint64_t v)
{
	w->bad |= msgpack_pack_uint64(&w->pk, v) != 0;
}

static void mp_bool(struct mp *w, int v)
{
	w->bad |= (v ? msgpack_pack_true(&w->pk) : msgpack_pack_false(&w->pk)) != 0;
}

static void mp_array(struct mp *w, size_t n)
{
	w->bad |= msgpack_pack_array(&w->pk, n) != 0;
}

/* The map of FORMAT.md 16: the keys of BCPF_SETTINGS_KEYS, in its order; without a
 * business_continuity block only those it marks always. */
static void pack_settings(struct mp *w, const struct model *m)
{
	const struct m_bc *bc = m->bc;
	w->bad |= msgpack_pack_map(&w->pk, bc ? BCPF_K_COUNT : BCPF_K_ALWAYS) != 0;
	for (int k = 0; k < BCPF_K_COUNT; k++) {
		if (!bc && !bcpf_setting_key_always((enum bcpf_setting_key)k))
			continue;
		mp_str(w, bcpf_setting_key_text((enum bcpf_setting_key)k));
		switch ((enum bcpf_setting_key)k) {
		case BCPF_K_TENANT:
			mp_str(w, m->tenant);
			break;
		case BCPF_K_PRESENT:
			mp_bool(w, bc != NULL);
			break;
		case BCPF_K_DOMAIN:
			mp_str(w, bc->domain);
			break;
		case BCPF_K_SNI:
			mp_str(w, bc->sni);
			break;
		case BCPF_K_SNI_NEW_USER:
			mp_str(w, bc->sni_new_user);
			break;
		case BCPF_K_SP_URL:
			mp_str(w, bc->sp_url);
			break;
		case BCPF_K_CONTROLLERS:
			mp_array(w, bc->ncontrollers);
			for (uint32_t i = 0; i < bc->ncontrollers; i++) {
				mp_array(w, 2);
				mp_str(w, bc->controllers[i].host);
				mp_uint(w, bc->controllers[i].port);
			}
			break;
		case BCPF_K_SP_CA_PEM:
			if (bc->sp_ca_pem)
				w->bad |= msgpack_pack_bin_with_body(&w->pk, bc->sp_ca_pem,
								     bc->sp_ca_len) != 0;
			else
				w->bad |= msgpack_pack_nil(&w->pk) != 0;
			break;
		case BCPF_K_ENTER_AFTER:
			mp_uint(w, bc->enter_after);
			break;
		case BCPF_K_EXIT_AFTER:
			mp_uint(w, bc->exit_after);
			break;
		case BCPF_K_AUTH_MAX_AGE:
			mp_uint(w, bc->auth_max_age);
			break;
		case BCPF_K_EXIT_MODE:
			mp_str(w, bc->exit_mode == EXIT_AUTOMATIC ? BCPF_EXIT_AUTOMATIC :
				  BCPF_EXIT_TIME_BASED);
			break;
		case BCPF_K_COUNT:
			break;
		}
	}
}

static void pack_profile_settings(struct mp *w, const struct model *m)
{
	mp_array(w, m->nprofiles);
	for (uint32_t i = 0; i < m->nprofiles; i++) {
		const struct m_profile *p = &m->profiles[i];
		mp_array(w, p->nsettings);
		for (uint32_t j = 0; j < p->nsettings; j++) {
			const struct m_setting *s = &p->settings[j];
			mp_array(w, 3);
			mp_str(w, s->key);
			mp_str(w, bcpf_setting_type_text(setting_bcp_type(s->kind)));
			switch (s->kind) {
			case SET_STRING:
				mp_str(w, s->s ? s->s : "");
				break;
			case SET_BOOL:
				mp_bool(w, s->n != 0);
				break;
			case SET_INT:
			case SET_DURATION:
				mp_uint(w, s->n);
				break;
			case SET_LIST:
				mp_array(w, s->nlist);
				for (uint32_t k = 0; k < s->nlist; k++)
					mp_str(w, s->list[k]);
				break;
			}
		}
	}
}

static int put_msgpack(struct build *B, int id, void (*pack)(struct mp *, const struct model *))
{
	struct mp w = { .hook = B->a->hook };
	msgpack_packer_init(&w.pk, &w, mp_write);
	pack(&w, B->m);
	uint8_t *p = NULL;
	if (w.bad)
		errmsg(B->err, B->errlen, "out of memory while packing the settings");
	else if ((p = sec_new(B, id, w.size)) != NULL && w.size)
		memcpy(p, w.data, w.size);
	hook_release(w.hook, w.data);
	return p ? 0 : -1;
}

/* ---- assembly and signature ---- */

/* Ed25519 over the SHA-256 digest of the signed bytes (FORMAT.md "Signature"). */
static int sign(EVP_PKEY *key, uint8_t *blob, size_t signed_len, char *err, size_t errlen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = BCPF_SIG_SIZE;
	uint8_t md[32];
	unsigned mdlen = 0;
	int ok = ctx && EVP_Digest(blob, signed_len, md, &mdlen, EVP_sha256(), NULL) == 1 &&
		 mdlen == sizeof md && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
		 EVP_DigestSign(ctx, blob + signed_len, &siglen, md, sizeof md) == 1 &&
		 siglen == BCPF_SIG_SIZE;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : errmsg(err, errlen, "cannot sign the blob with the Ed25519 key");
}

static int assemble(struct build *B, EVP_PKEY *key, const struct blob_opts *o,
		    uint8_t **out, size_t *outlen)
{
	uint8_t pub[32];
	uint64_t off[BCPF_NSECTIONS + 1];
	uint64_t at = align8(BCPF_HEADER_SIZE + BCPF_NSECTIONS * BCPF_DIRENT_SIZE);
	for (int id = 1; id <= BCPF_NSECTIONS; id++) {
		off[id] = at;
		at = align8(at + B->sec[id].len);
	}
	uint64_t total = at + BCPF_SIG_SIZE;
	if (total > BCPF_MAX_BLOB)
		return errmsg(B->err, B->errlen,
			      "the blob would be %llu bytes, over the runtime's limit of %u",
			      (unsigned long long)total, BCPF_MAX_BLOB);
	if (key_raw_public(key, pub) != 0)
		return errmsg(B->err, B->errlen, "the signing key is not an Ed25519 key");
	uint8_t *b = hook_alloc(B->a->hook, (size_t)total);
	if (!b)
		return errmsg(B->err, B->errlen, "out of memory for a blob of %llu bytes",
			      (unsigned long long)total);
	memset(b, 0, (size_t)total);
	memcpy(b + BCPF_H_MAGIC, BCPF_MAGIC, 8);
	bcpf_put16(b + BCPF_H_VERSION, BCPF_VERSION);
	bcpf_put16(b + BCPF_H_HEADER_SIZE, BCPF_HEADER_SIZE);
	bcpf_put32(b + BCPF_H_NSECTIONS, BCPF_NSECTIONS);
	bcpf_put64(b + BCPF_H_TOTAL, total);
	bcpf_put64(b + BCPF_H_SERIAL, o->serial);
	bcpf_put64(b + BCPF_H_NOT_BEFORE, (uint64_t)o->not_before);
	bcpf_put64(b + BCPF_H_NOT_AFTER, (uint64_t)o->not_after);
	bcpf_put64(b + BCPF_H_CREATED, (uint64_t)o->created);
	memcpy(b + BCPF_H_PUBKEY, pub, 32);
	for (int id = 1; id <= BCPF_NSECTIONS; id++) {
		uint8_t *d = b + BCPF_HEADER_SIZE + (size_t)(id - 1) * BCPF_DIRENT_SIZE;
		bcpf_put_dirent_id(d, (uint32_t)id);
		bcpf_put_dirent_offset(d, off[id]);
		bcpf_put_dirent_length(d, B->sec[id].len);
		if (B->sec[id].len)
			memcpy(b + off[id], B->sec[id].p, B->sec[id].len);
	}
	if (sign(key, b, (size_t)total - BCPF_SIG_SIZE, B->err, B->errlen)) {
		hook_release(B->a->hook, b);
		return -1;
	}
	*out = b;
	*outlen = (size_t)total;
	return 0;
}

int blob_build(const struct model *m, EVP_PKEY *key, const struct blob_opts *o,
	       uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	return blob_build_with(m, key, o, NULL, out, outlen, err, errlen);
}

int blob_build_with(const struct model *m, EVP_PKEY *key, const struct blob_opts *o,
		    const struct alloc_hook *hook, uint8_t **out, size_t *outlen,
		    char *err, size_t errlen)
{
	struct arena a;
	struct build B = { .m = m, .a = &a, .err = err, .errlen = errlen };
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (errlen)
		err[0] = '\0';
	if (!m || !key || !o)
		return errmsg(err, errlen, "blob_build: missing model, key or options");
	arena_init(&a, hook);
	B.t = lower_model(m, &a, err, errlen);
	if (!B.t)
		goto out;
	uint8_t *strings = sec_new(&B, BCPF_S_STRINGS, B.t->strings_len);
	if (!strings)
		goto out;
	memcpy(strings, B.t->strings, B.t->strings_len);
	if (put_host(&B) || put_addr(&B) ||
	    put_u32s(&B, BCPF_S_SEGLISTS, B.t->seglists, B.t->nseglists) ||
	    put_segments(&B) || put_predicates(&B) || put_rules(&B) ||
	    put_msgpack(&B, BCPF_S_SETTINGS, pack_settings) ||
	    put_msgpack(&B, BCPF_S_PROFILE_SETTINGS, pack_profile_settings))
		goto out;
	rc = assemble(&B, key, o, out, outlen);
out:
	arena_free(&a);
	return rc;
}

int blob_open_throwaway(const struct model *m, uint8_t **bytes, size_t *len, bcp_blob **out,
			char *err, size_t errlen)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	struct blob_opts o = { .serial = 1, .not_before = 0, .not_after = 4102444800ll };
	uint8_t pub[32];
	char tp[45];
	const char *tps[1] = { tp };
	struct bcp_open_opts oo = { .thumbprints = tps, .nthumbprints = 1, .now = 1000 };
	struct bcp_error e;
	int rc = -1;
	*bytes = NULL;
	*out = NULL;
	if (!key || key_raw_public(key, pub) != 0 || key_thumbprint(pub, tp) != 0)
		snprintf(err, errlen, "cannot make a key");
	else if (blob_build(m, key, &o, bytes, len, err, errlen) != 0)
		;
	else if (bcp_open_buffer(*bytes, *len, &oo, out, &e) != BCP_OK)
		snprintf(err, errlen, "the blob does not open: %s", e.message);
	else
		rc = 0;
	EVP_PKEY_free(key);
	return rc;
}
