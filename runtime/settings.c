/* settings.c - the two msgpack sections (docs/FORMAT.md sections 16 and 17,
 * checklist #19): decoded once at open with msgpack-c into structs the blob owns,
 * then read through bcp_settings_get() and the profile calls. The hot path never
 * sees msgpack. Any shape other than the one FORMAT.md gives is BCP_E_STRUCTURE.
 *
 * Everything decoded lives in one msgpack_zone owned by the blob and freed with it;
 * strings are copied out of the blob and NUL-terminated. */
#include "internal.h"
#include <msgpack.h>
#include <stdio.h>
#include <string.h>

#define BAD(...) bcpi_fail(err, BCP_E_STRUCTURE, __VA_ARGS__)
#define NOMEM() bcpi_fail(err, BCP_E_NOMEM, "cannot allocate the decoded settings")
#define TRY(x) do { enum bcp_status st_ = (x); if (st_ != BCP_OK) return st_; } while (0)

/* ---- a bound on what msgpack-c allocates ---- */

static uint64_t be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* 0 when p[0..len) is exactly one msgpack value in which no array or map claims
 * more elements than there are bytes left, and which holds at most *budget values
 * (each costs a msgpack_object in msgpack-c's tree); the values are taken off
 * *budget. Else -1, or -2 when only the budget was exceeded. msgpack-c allocates an array's elements before reading them,
 * so without the first bound a few signed bytes claiming 2^32 elements would make
 * it ask for 100 GB, and without the second a section of one-byte values would
 * make it allocate 24 bytes for each byte. Iterative: no recursion depth to bound. */
static int msgpack_skim(const uint8_t *p, size_t len, uint64_t *budget)
{
	uint64_t pending = 1, n, skip, values = 0;
	unsigned lenbytes;
	size_t i = 0;
	uint8_t t;

	while (pending > 0) {
		if (i >= len)
			return -1;
		if (++values > *budget)
			return -2;
		t = p[i++];
		pending--;
		n = skip = 0;
		lenbytes = 0;
		if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3)
			;   /* fixint, nil, false, true: the type byte is the value */
		else if ((t & 0xf0) == 0x80)
			n = 2u * (t & 0x0f);
		else if ((t & 0xf0) == 0x90)
			n = t & 0x0f;
		else if ((t & 0xe0) == 0xa0)
			skip = t & 0x1f;
		else if (t >= 0xcc && t <= 0xd3)   /* uint8..64, int8..64 */
			skip = 1u << ((t - 0xcc) & 3);
		else if (t == 0xca || t == 0xcb)
			skip = t == 0xca ? 4 : 8;
		else if (t >= 0xd4 && t <= 0xd8)   /* fixext: type byte + 1..16 bytes */
			skip = 1 + (1u << (t - 0xd4));
		else if (t == 0xc4 || t == 0xc5 || t == 0xc6 || t == 0xd9 || t == 0xda || t == 0xdb)
			lenbytes = t == 0xc4 || t == 0xd9 ? 1 : t == 0xc5 || t == 0xda ? 2 : 4;
		else if (t == 0xc7 || t == 0xc8 || t == 0xc9)   /* ext: length, type, data */
			lenbytes = t == 0xc7 ? 1 : t == 0xc8 ? 2 : 4;
		else if (t == 0xdc || t == 0xdd || t == 0xde || t == 0xdf)
			lenbytes = t == 0xdc || t == 0xde ? 2 : 4;
		else
			return -1;   /* 0xc1: never used */
		if (lenbytes) {
			if (lenbytes > len - i)
				return -1;
			n = be(p + i, lenbytes);
			i += lenbytes;
			if (t >= 0xdc) {   /* array16/32, map16/32 */
				if (t >= 0xde)
					n *= 2;
			} else {
				skip = n + (t >= 0xc7 && t <= 0xc9);
				n = 0;
			}
		}
		if (skip > len - i)
			return -1;
		i += (size_t)skip;
		pending += n;
		if (pending > len - i)
			return -1;   /* every pending value needs at least one byte */
	}
	if (i != len)
		return -1;
	*budget -= values;
	return 0;
}

/* ---- helpers over msgpack objects ---- */

static int is_str(const msgpack_object *o, const char *s)
{
	size_t n = strlen(s);

	return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
		memcmp(o->via.str.ptr, s, n) == 0;
}

/* A NUL-terminated copy of a msgpack str (NUL bytes inside refused), in z. */
static enum bcp_status copy_str(msgpack_zone *z, const msgpack_object *o, const char *what,
	const char **out, struct bcp_error *err)
{
	char *s;

	if (o->type != MSGPACK_OBJECT_STR)
		return BAD("%s is not a string (FORMAT.md #19)", what);
	if (memchr(o->via.str.ptr, '\0', o->via.str.size))
		return BAD("%s holds a NUL byte (FORMAT.md #19)", what);
	if (!(s = msgpack_zone_malloc(z, (size_t)o->via.str.size + 1)))
		return NOMEM();
	memcpy(s, o->via.str.ptr, o->via.str.size);
	s[o->via.str.size] = '\0';
	*out = s;
	return BCP_OK;
}

static enum bcp_status copy_str_or_nil(msgpack_zone *z, const msgpack_object *o,
	const char *what, const char **out, struct bcp_error *err)
{
	*out = NULL;
	return o->type == MSGPACK_OBJECT_NIL ? BCP_OK : copy_str(z, o, what, out, err);
}

static enum bcp_status get_uint(const msgpack_object *o, uint64_t max, const char *what,
	uint64_t *out, struct bcp_error *err)
{
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return BAD("%s is not an unsigned integer (FORMAT.md #19)", what);
	if (o->via.u64 > max)
		return BAD("%s is %llu, above %llu (FORMAT.md #19)", what,
			(unsigned long long)o->via.u64, (unsigned long long)max);
	*out = o->via.u64;
	return BCP_OK;
}

/* ---- 16 settings ---- */

/* The keys are BCPF_SETTINGS_KEYS (bcp_format.h), shared with the writer. */

static enum bcp_status decode_controllers(msgpack_zone *z, const msgpack_object *o,
	struct bcp_settings *s, struct bcp_error *err)
{
	struct bcp_controller *c;
	const msgpack_object *pair;
	uint64_t port = 0;
	uint32_t i;

	if (o->type != MSGPACK_OBJECT_ARRAY)
		return BAD("settings: controllers is not an array (FORMAT.md #19)");
	s->ncontrollers = o->via.array.size;
	if (s->ncontrollers == 0)
		return BCP_OK;
	if (!(c = msgpack_zone_malloc(z, s->ncontrollers * sizeof *c)))
		return NOMEM();
	for (i = 0; i < o->via.array.size; i++) {
		pair = &o->via.array.ptr[i];
		if (pair->type != MSGPACK_OBJECT_ARRAY || pair->via.array.size != 2)
			return BAD("settings: controller %u is not [host, port] (FORMAT.md #19)", i);
		TRY(copy_str(z, &pair->via.array.ptr[0], "settings: controller host", &c[i].host,
			err));
		TRY(get_uint(&pair->via.array.ptr[1], 65535, "settings: controller port", &port,
			err));
		if (port == 0)
			return BAD("settings: controller %u has port 0 (FORMAT.md #19)", i);
		c[i].port = (uint16_t)port;
	}
	s->controllers = c;
	return BCP_OK;
}

static enum bcp_status decode_setting(bcp_blob *b, msgpack_zone *z, enum bcpf_setting_key k,
	const msgpack_object *v, struct bcp_error *err)
{
	struct bcp_settings *s = &b->settings;
	uint64_t n = 0;
	char what[48], *pem;

	snprintf(what, sizeof what, "settings: %s", bcpf_setting_key_text(k));
	switch (k) {
	case BCPF_K_TENANT:
		return copy_str_or_nil(z, v, what, &b->tenant, err);
	case BCPF_K_PRESENT:
		if (v->type != MSGPACK_OBJECT_BOOLEAN)
			return BAD("settings: present is not a bool (FORMAT.md #19)");
		s->present = v->via.boolean;
		return BCP_OK;
	case BCPF_K_DOMAIN:
		return copy_str_or_nil(z, v, what, &s->domain, err);
	case BCPF_K_SNI:
		return copy_str_or_nil(z, v, what, &s->sni, err);
	case BCPF_K_SNI_NEW_USER:
		return copy_str_or_nil(z, v, what, &s->sni_new_user, err);
	case BCPF_K_SP_URL:
		return copy_str_or_nil(z, v, what, &s->sp_url, err);
	case BCPF_K_CONTROLLERS:
		return decode_controllers(z, v, s, err);
	case BCPF_K_SP_CA_PEM:
		if (v->type == MSGPACK_OBJECT_NIL)
			return BCP_OK;
		if (v->type != MSGPACK_OBJECT_BIN)
			return BAD("settings: sp_ca_pem is neither bin nor nil (FORMAT.md #19)");
		if (!(pem = msgpack_zone_malloc(z, (size_t)v->via.bin.size + 1)))
			return NOMEM();
		memcpy(pem, v->via.bin.ptr, v->via.bin.size);
		pem[v->via.bin.size] = '\0';
		s->sp_ca_pem = pem;
		s->sp_ca_len = v->via.bin.size;
		return BCP_OK;
	case BCPF_K_ENTER_AFTER:
	case BCPF_K_EXIT_AFTER:
	case BCPF_K_AUTH_MAX_AGE:
		TRY(get_uint(v, UINT32_MAX, what, &n, err));
		*(k == BCPF_K_ENTER_AFTER ? &s->enter_after_s :
		  k == BCPF_K_EXIT_AFTER ? &s->exit_after_s : &s->auth_max_age_s) = (uint32_t)n;
		return BCP_OK;
	case BCPF_K_EXIT_MODE:
		if (!is_str(v, BCPF_EXIT_TIME_BASED) && !is_str(v, BCPF_EXIT_AUTOMATIC))
			return BAD("settings: exit_mode is not \"time_based\" or \"automatic\" "
				"(FORMAT.md #19)");
		s->exit_automatic = is_str(v, BCPF_EXIT_AUTOMATIC);
		return BCP_OK;
	case BCPF_K_COUNT:
		break;
	}
	return BAD("settings: unknown key (FORMAT.md #19)");
}

/* A map with string keys: tenant and present always; the others exactly when present. */
static enum bcp_status decode_settings(bcp_blob *b, msgpack_zone *z, const msgpack_object *o,
	struct bcp_error *err)
{
	const msgpack_object_kv *kv;
	unsigned seen = 0, all = (1u << BCPF_K_COUNT) - 1, base = 0;
	uint32_t i;
	int k;

	if (o->type != MSGPACK_OBJECT_MAP)
		return BAD("settings is not a msgpack map (FORMAT.md #19)");
	for (k = 0; k < BCPF_K_COUNT; k++)
		if (bcpf_setting_key_always((enum bcpf_setting_key)k))
			base |= 1u << k;
	for (i = 0; i < o->via.map.size; i++) {
		kv = &o->via.map.ptr[i];
		for (k = 0; k < BCPF_K_COUNT &&
		     !is_str(&kv->key, bcpf_setting_key_text((enum bcpf_setting_key)k)); k++)
			;
		if (k == BCPF_K_COUNT)
			return BAD("settings: key %u is not one of FORMAT.md's (FORMAT.md #19)", i);
		if (seen & 1u << k)
			return BAD("settings: key \"%s\" appears twice (FORMAT.md #19)",
				bcpf_setting_key_text((enum bcpf_setting_key)k));
		seen |= 1u << k;
		TRY(decode_setting(b, z, (enum bcpf_setting_key)k, &kv->val, err));
	}
	if ((seen & base) != base)
		return BAD("settings: \"tenant\" or \"present\" is missing (FORMAT.md #19)");
	if (b->settings.present && seen != all)
		return BAD("settings: present, but some keys are missing (FORMAT.md #19)");
	if (!b->settings.present && seen != base)
		return BAD("settings: not present, but it has keys other than tenant "
			"(FORMAT.md #19)");
	return BCP_OK;
}

/* ---- 17 profile_settings ---- */


static enum bcp_status decode_list(msgpack_zone *z, const msgpack_object *v, const char *what,
	struct bcp_setting *out, struct bcp_error *err)
{
	const char **list;
	uint32_t i;

	if (v->type != MSGPACK_OBJECT_ARRAY)
		return BAD("%s is not an array (FORMAT.md #19)", what);
	out->nlist = v->via.array.size;
	if (out->nlist == 0)
		return BCP_OK;
	if (!(list = msgpack_zone_malloc(z, out->nlist * sizeof *list)))
		return NOMEM();
	for (i = 0; i < v->via.array.size; i++)
		TRY(copy_str(z, &v->via.array.ptr[i], what, &list[i], err));
	out->list = list;
	return BCP_OK;
}

/* Setting j of profile i: [key, type, value]. */
static enum bcp_status decode_one(msgpack_zone *z, const msgpack_object *o, uint32_t i,
	uint32_t j, struct bcp_setting *out, struct bcp_error *err)
{
	const msgpack_object *v;
	char what[96];
	unsigned t;

	memset(out, 0, sizeof *out);
	snprintf(what, sizeof what, "profile %u setting %u", i, j);
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 3)
		return BAD("%s is not [key, type, value] (FORMAT.md #19)", what);
	TRY(copy_str(z, &o->via.array.ptr[0], what, &out->key, err));
	snprintf(what, sizeof what, "profile %u setting \"%.64s\"", i, out->key);
	for (t = 0; t <= BCPF_SETTING_TYPE_MAX &&
	     !is_str(&o->via.array.ptr[1], bcpf_setting_type_text((enum bcp_setting_type)t)); t++)
		;
	if (t > BCPF_SETTING_TYPE_MAX)
		return BAD("%s: the type is not one of FORMAT.md's (FORMAT.md #19)", what);
	out->type = (enum bcp_setting_type)t;
	v = &o->via.array.ptr[2];
	switch (out->type) {
	case BCP_SET_STRING:
		return copy_str(z, v, what, &out->s, err);
	case BCP_SET_INT:
	case BCP_SET_DURATION:
		return get_uint(v, UINT64_MAX, what, &out->n, err);
	case BCP_SET_BOOL:
		if (v->type != MSGPACK_OBJECT_BOOLEAN)
			return BAD("%s is not a bool (FORMAT.md #19)", what);
		out->n = v->via.boolean;
		return BCP_OK;
	case BCP_SET_LIST:
		return decode_list(z, v, what, out, err);
	}
	return BAD("%s: the type is not one of FORMAT.md's (FORMAT.md #19)", what);
}

static enum bcp_status decode_profiles(bcp_blob *b, msgpack_zone *z, const msgpack_object *o,
	struct bcp_error *err)
{
	const msgpack_object *e;
	struct bcpi_profile_settings *ps;
	uint32_t i, j;

	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != b->nprofiles)
		return BAD("profile_settings is not an array of %u entries, one per profile "
			"(FORMAT.md #19)", b->nprofiles);
	if (b->nprofiles == 0)
		return BCP_OK;
	if (!(ps = msgpack_zone_malloc(z, b->nprofiles * sizeof *ps)))
		return NOMEM();
	b->profile_settings = ps;
	for (i = 0; i < b->nprofiles; i++) {
		e = &o->via.array.ptr[i];
		ps[i].items = NULL;
		ps[i].n = 0;
		if (e->type != MSGPACK_OBJECT_ARRAY)
			return BAD("profile_settings entry %u is not an array (FORMAT.md #19)", i);
		if (e->via.array.size == 0)
			continue;
		ps[i].items = msgpack_zone_malloc(z, e->via.array.size * sizeof *ps[i].items);
		if (!ps[i].items)
			return NOMEM();
		for (j = 0; j < e->via.array.size; j++)
			TRY(decode_one(z, &e->via.array.ptr[j], i, j, &ps[i].items[j], err));
		ps[i].n = e->via.array.size;
	}
	return BCP_OK;
}

/* ---- open and close ---- */

/* Unpacks section id (exactly one value, within what is left of *budget) into
 * result. */
static enum bcp_status unpack(const bcp_blob *b, int id, const char *name,
	uint64_t *budget, msgpack_unpacked *result, struct bcp_error *err)
{
	size_t off = 0;
	msgpack_unpack_return rc;

	int skim = msgpack_skim(b->sec[id], b->sec_len[id], budget);

	if (skim == -2)
		return BAD("settings and profile_settings hold more msgpack values than a blob of "
			"%zu bytes may: one per %d bytes and %d more (FORMAT.md #19)", b->size,
			BCPF_MSGPACK_BYTES_PER_VALUE, BCPF_MSGPACK_SPARE_VALUES);
	if (skim != 0)
		return BAD("%s is not exactly one well-formed msgpack value (FORMAT.md #19)", name);
	rc = msgpack_unpack_next(result, (const char *)b->sec[id], b->sec_len[id], &off);
	if (rc == MSGPACK_UNPACK_NOMEM_ERROR)
		return NOMEM();
	if (rc != MSGPACK_UNPACK_SUCCESS || off != b->sec_len[id])
		return BAD("%s does not decode as one msgpack value (FORMAT.md #19)", name);
	return BCP_OK;
}

static enum bcp_status decode_all(bcp_blob *b, msgpack_zone *z, struct bcp_error *err)
{
	msgpack_unpacked result;
	enum bcp_status st;

	/* Both sections share one budget of values: a bound on msgpack-c's tree in
	 * proportion to the blob (docs/SECURITY.md, "Memory"). */
	uint64_t budget = b->size / BCPF_MSGPACK_BYTES_PER_VALUE + BCPF_MSGPACK_SPARE_VALUES;

	msgpack_unpacked_init(&result);
	st = unpack(b, BCPF_S_SETTINGS, "settings", &budget, &result, err);
	if (st == BCP_OK)
		st = decode_settings(b, z, &result.data, err);
	if (st == BCP_OK)
		st = unpack(b, BCPF_S_PROFILE_SETTINGS, "profile_settings", &budget, &result, err);
	if (st == BCP_OK)
		st = decode_profiles(b, z, &result.data, err);
	msgpack_unpacked_destroy(&result);
	return st;
}

enum bcp_status bcpi_settings_decode(bcp_blob *b, struct bcp_error *err)
{
	msgpack_zone *z = msgpack_zone_new(MSGPACK_ZONE_CHUNK_SIZE);
	enum bcp_status st;

	if (!z)
		return NOMEM();
	b->settings_zone = z;
	st = decode_all(b, z, err);
	if (st != BCP_OK)
		bcpi_settings_free(b);
	return st;
}

void bcpi_settings_free(bcp_blob *b)
{
	if (b->settings_zone)
		msgpack_zone_free(b->settings_zone);
	b->settings_zone = NULL;
	b->tenant = NULL;
	memset(&b->settings, 0, sizeof b->settings);
	b->profile_settings = NULL;
}

/* ---- the API ---- */

void bcp_settings_get(const bcp_blob *b, struct bcp_settings *out)
{
	if (!out)
		return;
	if (!b) {
		memset(out, 0, sizeof *out);
		return;
	}
	*out = b->settings;
}

size_t bcp_profile_count(const bcp_blob *b)
{
	return b ? b->nprofiles : 0;
}

const char *bcp_profile_name(const bcp_blob *b, size_t i)
{
	if (!b || i >= b->nprofiles)
		return NULL;
	return bcpi_profile_name_unchecked(b, (uint32_t)i);
}

size_t bcp_profile_setting_count(const bcp_blob *b, size_t i)
{
	if (!b || i >= b->nprofiles)
		return 0;
	return b->profile_settings[i].n;
}

int bcp_profile_setting(const bcp_blob *b, size_t i, size_t j, struct bcp_setting *out)
{
	if (!b || !out || i >= b->nprofiles || j >= b->profile_settings[i].n)
		return -1;
	*out = b->profile_settings[i].items[j];
	return 0;
}
