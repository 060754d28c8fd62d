/* request.c - reading query requests (JSON lines, user files, HOST:PORT targets) and
 * writing answer lines. jansson does all JSON; this file only checks shapes and
 * types, and never decides what a request means. A request is parsed once per line
 * of a batch, so the per-line work is json_loadb and one short walk of the object,
 * with the pointer arrays reused from line to line. */
#include "request.h"
#include "errmsg.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "net.h"
#include "suggest.h"

#define HOST_TEXT_MAX (NET_HOST_MAX + 1)   /* a full name plus its trailing dot */

/* "unknown key 'hots' in request; did you mean 'host'?" */
static int unknown_key(const char *key, const char *what, const char *const *keys, size_t n,
		       char *err, size_t errlen)
{
	struct suggest s;
	suggest_init(&s, key);
	for (size_t i = 0; i < n; i++)
		suggest_add(&s, keys[i]);
	/* A word of the key, as an admin guesses it: "groups" for scim_groups. */
	for (size_t i = 0; !s.best && strlen(key) >= 4 && i < n; i++)
		if (strstr(keys[i], key) || strstr(key, keys[i]))
			s.best = keys[i];
	if (s.best)
		return errmsg(err, errlen, "unknown key '%.64s' in %s; did you mean '%s'?", key, what,
			      s.best);
	return errmsg(err, errlen, "unknown key '%.64s' in %s", key, what);
}

/* "windows, mac, linux, ios, android" */
static void join_names(const char *const *names, size_t n, char *buf, size_t size)
{
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && at < size; i++) {
		int k = snprintf(buf + at, size - at, "%s%s", i ? ", " : "", names[i]);
		if (k < 0)
			break;
		at += (size_t)k;
	}
}

/* ---- the user object ---- */

static const char *const user_keys[] = {
#define USER_KEY_(NAME, kind, kw, json, shape, vocab, cmp, fb) json,
	BCPF_USER_ATTRS(USER_KEY_)
#undef USER_KEY_
};
#define NUSER_KEYS (sizeof user_keys / sizeof *user_keys)

/* The walk runs twice: first to check everything and count (fill 0), then, with the
 * arrays big enough, to fill them (fill 1), so no pointer handed out ever moves. */
struct walk {
	struct user_store *st;
	struct bcp_user_info *u;
	const char *what;
	int fill;
	size_t nstrs, nattrs, nuattrs;   /* counted */
	char *err;
	size_t errlen;
};

/* An array of strings: counted, or appended to the store; *out points at its first. */
static int string_array(struct walk *w, json_t *v, const char *name, const char *sub,
			const char *const **out, size_t *n)
{
	size_t i;
	json_t *item;
	if (!json_is_array(v))
		goto bad;
	json_array_foreach(v, i, item)
		if (!json_is_string(item))
			goto bad;
	w->nstrs += json_array_size(v);
	if (w->fill) {
		struct user_store *st = w->st;
		*out = st->strs + st->nstrs;
		*n = json_array_size(v);
		json_array_foreach(v, i, item)
			st->strs[st->nstrs++] = json_string_value(item);
	}
	return 0;
bad:
	if (sub)
		return errmsg(w->err, w->errlen, "%s.%s.%.64s must be an array of strings", w->what,
			      name, sub);
	return errmsg(w->err, w->errlen, "%s.%s must be an array of strings", w->what, name);
}

/* {"attr": ["v", ...], ...} */
static int attributes(struct walk *w, json_t *v, const char *name, const struct bcp_attr **out,
		      size_t *n)
{
	const char *key;
	json_t *vals;
	if (!json_is_object(v))
		return errmsg(w->err, w->errlen,
			      "%s.%s must be an object of attribute names to arrays of strings",
			      w->what, name);
	w->nattrs += json_object_size(v);
	if (w->fill) {
		*out = w->st->attrs + w->st->nattrs;
		*n = json_object_size(v);
	}
	json_object_foreach(v, key, vals) {
		struct bcp_attr *a = NULL;
		if (w->fill) {
			a = &w->st->attrs[w->st->nattrs++];
			a->name = key;
		}
		if (string_array(w, vals, name, key, a ? &a->values : NULL,
				 a ? &a->nvalues : NULL) != 0)
			return -1;
	}
	return 0;
}

/* A string, or null for "not given". */
static int one_string(struct walk *w, json_t *v, const char *name, const char **out)
{
	if (json_is_null(v)) {
		if (w->fill)
			*out = NULL;
		return 0;
	}
	if (!json_is_string(v))
		return errmsg(w->err, w->errlen, "%s.%s must be a string", w->what, name);
	if (w->fill)
		*out = json_string_value(v);
	return 0;
}

/* A string that must be one of names (or null). */
static int one_name(struct walk *w, json_t *v, const char *name, const char *kind,
		    const char *const *names, size_t n, const char **out)
{
	const char *s;
	char list[256];
	struct suggest sg;
	if (one_string(w, v, name, out) != 0)
		return -1;
	if (json_is_null(v))
		return 0;
	s = json_string_value(v);
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return 0;
	join_names(names, n, list, sizeof list);
	suggest_init(&sg, s);
	for (size_t i = 0; i < n; i++)
		suggest_add(&sg, names[i]);
	if (sg.best)
		return errmsg(w->err, w->errlen,
			      "%s.%s '%.64s' is not a %s (%s); did you mean '%s'?", w->what, name, s,
			      kind, list, sg.best);
	return errmsg(w->err, w->errlen, "%s.%s '%.64s' is not a %s (%s)", w->what, name, s, kind,
		      list);
}

static int is_ascii_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int country_code(struct walk *w, json_t *v, const char *name, const char **out)
{
	const char *s;
	if (one_string(w, v, name, out) != 0)
		return -1;
	if (json_is_null(v))
		return 0;
	s = json_string_value(v);
	if (json_string_length(v) != 2 || !is_ascii_letter(s[0]) || !is_ascii_letter(s[1]))
		return errmsg(w->err, w->errlen,
			    "%s.%s must be a two-letter ISO 3166 code such as \"US\"", w->what, name);
	return 0;
}

/* One value of kind k's vocabulary (bcp_format.h), or null. */
static int one_value(struct walk *w, json_t *v, const char *name, unsigned k, const char **out)
{
	switch (bcpf_attr(k)->vocab) {
	case BCPF_V_PLATFORM:
		return one_name(w, v, name, "platform", platform_names, nplatforms, out);
	case BCPF_V_CLIENT_TYPE:
		return one_name(w, v, name, "client type", client_type_names, nclient_types, out);
	case BCPF_V_COUNTRY:
		return country_code(w, v, name, out);
	case BCPF_V_STRING:
		break;
	}
	return one_string(w, v, name, out);
}

/* An attribute without a field of bcp_user_info: its values become keyword entries
 * (one, or one per named attribute). */
static int keyword_entries(struct walk *w, json_t *v, const char *name, unsigned k)
{
	struct user_store *st = w->st;
	const struct bcpf_attr *row = bcpf_attr(k);
	const struct bcp_attr *attrs = NULL;
	const char *const *list = NULL;
	const char *one = NULL;
	size_t n = 0, first = st->nattrs;
	switch (row->shape) {
	case BCPF_MAP:
		if (attributes(w, v, name, &attrs, &n) != 0)
			return -1;
		w->nuattrs += json_object_size(v);
		for (size_t i = 0; w->fill && i < n; i++)
			st->uattrs[st->nuattrs++] = (struct bcp_user_attr){ row->keyword,
				st->attrs[first + i].name, st->attrs[first + i].values,
				st->attrs[first + i].nvalues };
		return 0;
	case BCPF_LIST:
		if (string_array(w, v, name, NULL, &list, &n) != 0)
			return -1;
		w->nuattrs++;
		if (w->fill)
			st->uattrs[st->nuattrs++] = (struct bcp_user_attr){ row->keyword, NULL, list, n };
		return 0;
	case BCPF_ONE:
		break;
	}
	if (one_value(w, v, name, k, &one) != 0)
		return -1;
	w->nuattrs++;
	w->nstrs++;
	if (w->fill && one) {
		st->strs[st->nstrs] = one;
		st->uattrs[st->nuattrs++] = (struct bcp_user_attr){ row->keyword, NULL,
			st->strs + st->nstrs++, 1 };
	}
	return 0;
}

static int walk_user(struct walk *w, json_t *obj)
{
	const char *key;
	json_t *v;
	struct bcp_user_info *u = w->u;
	int rc = 0;
	if (!json_is_object(obj))
		return errmsg(w->err, w->errlen, "%s must be an object", w->what);
	json_object_foreach(obj, key, v) {
		unsigned k = bcpf_attr_find(key, 1);
		struct bcpf_user_fields f = bcpf_user_fields(u, k);
		if (!k)
			rc = unknown_key(key, w->what, user_keys, NUSER_KEYS, w->err, w->errlen);
		else if (f.map)
			rc = attributes(w, v, key, f.map, f.n);
		else if (f.list)
			rc = string_array(w, v, key, NULL, f.list, f.n);
		else if (f.one)
			rc = one_value(w, v, key, k, f.one);
		else
			rc = keyword_entries(w, v, key, k);
		if (rc != 0)
			return -1;
	}
	if (w->fill && w->st->nuattrs > 0) {
		u->attrs = w->st->uattrs;
		u->nattrs = w->st->nuattrs;
	}
	return 0;
}

/* Makes room for n elements of size sz at p (capacity *cap): the array to use, or
 * NULL when out of memory (p is then left as it was). There is always an array
 * afterwards, even for n == 0, so NULL means only failure. */
static void *reserve(void *p, size_t *cap, size_t n, size_t sz)
{
	size_t c = *cap ? *cap : 16;
	void *q;
	if (p && n <= *cap)
		return p;
	while (c < n) {
		if (c > SIZE_MAX / 2 / sz)
			return NULL;
		c *= 2;
	}
	q = realloc(p, c * sz);
	if (q)
		*cap = c;
	return q;
}

int user_parse_json(json_t *obj, const char *what, struct user_store *st,
		    struct bcp_user_info *u, char *err, size_t errlen)
{
	struct walk w = { st, u, what, 0, 0, 0, 0, err, errlen };
	memset(u, 0, sizeof *u);
	st->nstrs = st->nattrs = st->nuattrs = 0;
	if (walk_user(&w, obj) != 0)
		return -1;
	const char **strs = reserve(st->strs, &st->capstrs, w.nstrs, sizeof *st->strs);
	if (strs)
		st->strs = strs;
	struct bcp_attr *attrs = reserve(st->attrs, &st->capattrs, w.nattrs, sizeof *st->attrs);
	if (attrs)
		st->attrs = attrs;
	struct bcp_user_attr *uattrs = reserve(st->uattrs, &st->capuattrs, w.nuattrs,
					       sizeof *st->uattrs);
	if (uattrs)
		st->uattrs = uattrs;
	if (!strs || !attrs || !uattrs)
		return errmsg(err, errlen, "out of memory");
	w.fill = 1;
	if (walk_user(&w, obj) != 0) {   /* cannot fail: the first walk checked it all */
		memset(u, 0, sizeof *u);
		return -1;
	}
	return 0;
}

void user_store_free(struct user_store *st)
{
	if (!st)
		return;
	free(st->strs);
	free(st->attrs);
	free(st->uattrs);
	memset(st, 0, sizeof *st);
}

int user_file_load(const char *path, struct user_file *uf, char *err, size_t errlen)
{
	json_error_t je;
	char sub[256];
	uf->json = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!uf->json)
		return errmsg(err, errlen, "%s:%d:%d: invalid JSON: %s", path, je.line, je.column,
			      je.text);
	if (user_parse_json(uf->json, "user", &uf->store, &uf->user, sub, sizeof sub) != 0)
		return errmsg(err, errlen, "%s: %s", path, sub);
	return 0;
}

void user_file_free(struct user_file *uf)
{
	if (!uf)
		return;
	json_decref(uf->json);
	user_store_free(&uf->store);
	memset(uf, 0, sizeof *uf);
}

/* ---- the request ---- */

static const char *const request_keys[] = { "host", "port", "proto", "user" };
#define NREQUEST_KEYS (sizeof request_keys / sizeof *request_keys)

static int set_host(struct request *r, const char *s, size_t n, char *err, size_t errlen)
{
	if (n < 1 || n > HOST_TEXT_MAX)
		return errmsg(err, errlen,
			      "host must be 1..%d bytes (a name of up to %d, plus an optional "
			      "trailing dot)", HOST_TEXT_MAX, NET_HOST_MAX);
	memcpy(r->host, s, n);
	r->host[n] = '\0';
	r->hostlen = n;
	return 0;
}

static int set_proto(struct request *r, const char *s, char *err, size_t errlen)
{
	if (!strcmp(s, "tcp"))
		r->proto = BCP_TCP;
	else if (!strcmp(s, "udp"))
		r->proto = BCP_UDP;
	else
		return errmsg(err, errlen, "proto must be \"tcp\" or \"udp\", not \"%.16s\"", s);
	return 0;
}

static int port_error(char *err, size_t errlen)
{
	return errmsg(err, errlen, "port must be an integer 1..65535");
}

static void request_reset(struct request *r)
{
	json_decref(r->json);
	r->json = NULL;
	r->host[0] = '\0';
	r->hostlen = 0;
	r->port = 0;
	r->proto = BCP_TCP;
	memset(&r->user, 0, sizeof r->user);
	r->store.nstrs = r->store.nattrs = 0;
}

int request_parse(const char *line, size_t len, struct request *r, char *err, size_t errlen)
{
	json_error_t je;
	const char *key;
	json_t *v, *user = NULL;
	int have_host = 0, have_port = 0;

	request_reset(r);
	r->json = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!r->json)
		return errmsg(err, errlen, "invalid JSON at column %d: %s", je.column, je.text);
	if (!json_is_object(r->json))
		return errmsg(err, errlen, "a request must be a JSON object");
	json_object_foreach(r->json, key, v) {
		if (!strcmp(key, "host")) {
			if (!json_is_string(v))
				return errmsg(err, errlen, "host must be a string");
			if (set_host(r, json_string_value(v), json_string_length(v), err, errlen) != 0)
				return -1;
			have_host = 1;
		} else if (!strcmp(key, "port")) {
			json_int_t p;
			if (!json_is_integer(v) || (p = json_integer_value(v)) < 1 || p > 65535)
				return port_error(err, errlen);
			r->port = (uint16_t)p;
			have_port = 1;
		} else if (!strcmp(key, "proto")) {
			if (!json_is_string(v))
				return errmsg(err, errlen, "proto must be \"tcp\" or \"udp\"");
			if (set_proto(r, json_string_value(v), err, errlen) != 0)
				return -1;
		} else if (!strcmp(key, "user")) {
			user = v;
		} else {
			return unknown_key(key, "request", request_keys, NREQUEST_KEYS, err, errlen);
		}
	}
	if (!have_host)
		return errmsg(err, errlen, "missing key 'host' in request");
	if (!have_port)
		return errmsg(err, errlen, "missing key 'port' in request");
	if (user && !json_is_null(user) &&
	    user_parse_json(user, "user", &r->store, &r->user, err, errlen) != 0)
		return -1;
	return 0;
}

void request_free(struct request *r)
{
	if (!r)
		return;
	json_decref(r->json);
	user_store_free(&r->store);
	memset(r, 0, sizeof *r);
}

int request_parse_target(const char *s, struct request *r, char *err, size_t errlen)
{
	const char *slash = strrchr(s, '/'), *end = slash ? slash : s + strlen(s);
	const char *colon, *host_end;
	unsigned long port = 0;

	r->proto = BCP_TCP;
	if (strstr(s, "://"))
		return errmsg(err, errlen, "'%.64s' is a URL; give HOST:PORT[/udp], e.g. "
			      "sap.acme.example:443", s);
	if (slash && set_proto(r, slash + 1, err, errlen) != 0)
		return errmsg(err, errlen, "unknown protocol '%.16s' in target '%.64s'; use /tcp or /udp",
			      slash + 1, s);
	if (s[0] == '[') {
		const char *close = memchr(s, ']', (size_t)(end - s));
		if (!close)
			return errmsg(err, errlen, "missing ']' in target '%.64s'", s);
		host_end = close + 1;
		colon = host_end < end && *host_end == ':' ? host_end : NULL;
	} else {
		colon = NULL;
		for (const char *p = s; p < end; p++)
			if (*p == ':')
				colon = p;
		host_end = colon;
		if (colon && memchr(s, ':', (size_t)(colon - s)))
			return errmsg(err, errlen,
				      "an IPv6 address in a target needs brackets, as in "
				      "[2001:db8::1]:443");
	}
	if (!colon)
		return errmsg(err, errlen,
			      "target must be HOST:PORT[/udp], as in sap.acme.example:443 or "
			      "[2001:db8::1]:53/udp");
	if (colon + 1 == end || end - (colon + 1) > 5)
		return port_error(err, errlen);
	for (const char *p = colon + 1; p < end; p++) {
		if (*p < '0' || *p > '9')
			return port_error(err, errlen);
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (port < 1 || port > 65535)
		return port_error(err, errlen);
	if (set_host(r, s, (size_t)(host_end - s), err, errlen) != 0)
		return -1;
	r->port = (uint16_t)port;
	return 0;
}

/* ---- answers ---- */

/* Writes {"k0":v0,"k1":v1,...} and a newline; a NULL value is null. Every value is
 * made into a JSON string first, so a bad one (not UTF-8) fails before any byte is
 * written. One small object per value is cheaper than one object for the line. */
#define DUMP_LINE_MAX_KEYS 8
static int dump_line(FILE *out, const char *const *keys, const char *const *vals, size_t n)
{
	json_t *v[DUMP_LINE_MAX_KEYS];
	size_t made;
	int rc = 0;
	if (n > DUMP_LINE_MAX_KEYS)
		return -1;
	for (made = 0; made < n; made++) {
		v[made] = vals[made] ? json_string(vals[made]) : json_null();
		if (!v[made] && vals[made]) {
			/* Not UTF-8 (a message cut inside a character, a name from an old
			 * blob): the line is still written, with '?' for the non-ASCII bytes. */
			char safe[512];
			size_t k;
			for (k = 0; vals[made][k] && k < sizeof safe - 1; k++)
				safe[k] = (unsigned char)vals[made][k] < 0x80 ? vals[made][k] : '?';
			safe[k] = '\0';
			v[made] = json_string(safe);
		}
		if (!v[made])
			break;
	}
	if (made < n)
		rc = -1;
	for (size_t i = 0; i < made; i++) {
		if (rc == 0 && (putc(i ? ',' : '{', out) == EOF || putc('"', out) == EOF ||
				fputs(keys[i], out) == EOF || fputs("\":", out) == EOF ||
				json_dumpf(v[i], out, JSON_ENCODE_ANY) != 0))
			rc = -1;
		json_decref(v[i]);
	}
	if (rc == 0 && fputs("}\n", out) == EOF)
		rc = -1;
	return rc;
}

int result_to_json_line(FILE *out, const char *decision, const char *segment,
			const char *rule, const char *profile)
{
	static const char *const keys[] = { "decision", "segment", "rule", "profile" };
	const char *vals[] = { decision, segment, rule, profile };
	return dump_line(out, keys, vals, 4);
}

int answer_to_json_line(FILE *out, const char *decision, const char *segment,
			const char *rule, const char *profile, const char *reason)
{
	static const char *const keys[] = { "decision", "segment", "rule", "profile", "reason" };
	const char *vals[] = { decision, segment, rule, profile, reason };
	return dump_line(out, keys, vals, 5);
}

int error_to_json_line(FILE *out, const char *msg)
{
	static const char *const keys[] = { "error" };
	const char *vals[] = { msg ? msg : "error" };
	return dump_line(out, keys, vals, 1);
}

/* ---- a user back to JSON ---- */

struct user_json {
	json_t *obj;
	const struct bcpf_attr *row;
};

static int put_value(void *ctx, const char *name, const char *value)
{
	struct user_json *uj = ctx;
	json_t *slot = json_object_get(uj->obj, uj->row->json_key);
	if (uj->row->shape == BCPF_ONE) {
		json_object_set_new(uj->obj, uj->row->json_key, json_string(value));
		return 0;
	}
	if (!slot) {
		slot = uj->row->shape == BCPF_MAP ? json_object() : json_array();
		json_object_set_new(uj->obj, uj->row->json_key, slot);
	}
	if (uj->row->shape == BCPF_MAP) {
		json_t *list = json_object_get(slot, name);
		if (!list)
			json_object_set_new(slot, name, list = json_array());
		slot = list;
	}
	json_array_append_new(slot, json_string(value));
	return 0;
}

json_t *request_user_json(const struct bcp_user_info *u, int skip_fallback)
{
	struct user_json uj = { json_object(), NULL };
	for (unsigned k = 1; k <= BCPF_P_MAX && uj.obj; k++) {
		uj.row = bcpf_attr(k);
		bcpf_user_each(u, k, put_value, &uj);
		json_t *v = json_object_get(uj.obj, uj.row->json_key);
		if (skip_fallback && uj.row->fallback && json_is_string(v) &&
		    !strcmp(json_string_value(v), uj.row->fallback))
			json_object_del(uj.obj, uj.row->json_key);
	}
	return uj.obj;
}
