/* zpa_segments.c - application segments and segment groups to `segment` and
 * `segment_group` statements: domains and addresses, both port forms (refused when
 * they disagree), matchStyle, bypassType, enabled. A segment ZPA has disabled, or
 * that serves no port in the export, is kept and denied by the policy's first rule
 * (zpa_rules.c), so that its hosts never fall through to a less specific segment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net.h"
#include "zpa_int.h"

static const char *file_of(struct tr *x, const struct zpa_item *it)
{
	return x->t->files[it->file].path;
}

static int add_group(struct tr *x, const char *id, const char *name)
{
	struct zpa_out *o = x->o;
	if (o->ngroups == x->cap_groups) {
		size_t cap = x->cap_groups ? 2 * x->cap_groups : 64;
		struct zpa_out_group *g = realloc(o->groups, cap * sizeof *g);
		if (!g)
			return -1;
		o->groups = g;
		x->cap_groups = cap;
	}
	o->groups[o->ngroups].id = id ? zpa_keep(x, id) : NULL;
	o->groups[o->ngroups].name = zpa_unique_name(x, x->group_names, name, id, "segment group");
	if (id)
		json_object_set_new(x->group_by_id, id, json_integer((json_int_t)o->ngroups));
	o->ngroups++;
	return 0;
}

/* The group index of a group id, made from the segment's own copy of the name when
 * the export has no such group object. */
static int group_for(struct tr *x, const char *gid, const char *gname)
{
	json_t *at;
	if (!gid) {
		gid = "";
		gname = "ZPA segments without a segment group";
	}
	at = json_object_get(x->group_by_id, gid);
	if (at)
		return (int)json_integer_value(at);
	if (add_group(x, *gid ? gid : NULL, gname && *gname ? gname : NULL))
		return -1;
	if (!*gid)
		json_object_set_new(x->group_by_id, "", json_integer((json_int_t)x->o->ngroups - 1));
	return (int)x->o->ngroups - 1;
}

/* ---- ports ---- */

struct ranges {
	int n;
	unsigned lo[1024], hi[1024];
};

static int port_value(const json_t *v, unsigned *out)
{
	char b[32], *end;
	const char *s = zpa_text(v, b);
	if (!s || !*s || json_is_boolean(v))
		return -1;
	unsigned long p = strtoul(s, &end, 10);
	if (*end || p < 1 || p > 65535)
		return -1;
	*out = (unsigned)p;
	return 0;
}

static int range_cmp(const void *a, const void *b)
{
	const unsigned *x = a, *y = b;
	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Sorted and merged: overlapping and adjacent ranges become one. */
static void normalize(struct ranges *r)
{
	unsigned pairs[1024][2];
	int n = 0;
	for (int i = 0; i < r->n; i++) {
		pairs[i][0] = r->lo[i];
		pairs[i][1] = r->hi[i];
	}
	qsort(pairs, (size_t)r->n, sizeof pairs[0], range_cmp);
	for (int i = 0; i < r->n; i++) {
		if (n && pairs[i][0] <= r->hi[n - 1] + 1) {
			if (pairs[i][1] > r->hi[n - 1])
				r->hi[n - 1] = pairs[i][1];
			continue;
		}
		r->lo[n] = pairs[i][0];
		r->hi[n] = pairs[i][1];
		n++;
	}
	r->n = n;
}

/* One protocol's ports from the legacy flat list (key) and the object form (key +
 * "s" dropped). 1 when present, 0 when neither is, -1 error. */
static int read_ports(struct tr *x, const struct zpa_item *it, const char *proto,
		      struct ranges *out, const char *name)
{
	char legacy_key[32], object_key[32];
	json_t *legacy, *object, *v;
	struct ranges a = { 0 }, b = { 0 };
	size_t i;

	snprintf(legacy_key, sizeof legacy_key, "%sPortRanges", proto);
	snprintf(object_key, sizeof object_key, "%sPortRange", proto);
	legacy = json_object_get(it->j, legacy_key);
	object = json_object_get(it->j, object_key);
	if (json_is_null(legacy))
		legacy = NULL;
	if (json_is_null(object))
		object = NULL;
	if (legacy) {
		if (!json_is_array(legacy) || json_array_size(legacy) % 2 ||
		    json_array_size(legacy) / 2 > 1024)
			goto bad_legacy;
		for (i = 0; i < json_array_size(legacy); i += 2) {
			if (port_value(json_array_get(legacy, i), &a.lo[a.n]) ||
			    port_value(json_array_get(legacy, i + 1), &a.hi[a.n]) ||
			    a.lo[a.n] > a.hi[a.n])
				goto bad_legacy;
			a.n++;
		}
		normalize(&a);
	}
	if (object) {
		if (!json_is_array(object) || json_array_size(object) > 1024)
			goto bad_object;
		json_array_foreach(object, i, v) {
			if (port_value(json_object_get(v, "from"), &b.lo[b.n]) ||
			    port_value(json_object_get(v, "to"), &b.hi[b.n]) || b.lo[b.n] > b.hi[b.n])
				goto bad_object;
			b.n++;
		}
		normalize(&b);
	}
	if (legacy && object &&
	    (a.n != b.n || memcmp(a.lo, b.lo, sizeof(unsigned) * (size_t)a.n) ||
	     memcmp(a.hi, b.hi, sizeof(unsigned) * (size_t)a.n))) {
		snprintf(x->e->msg, sizeof x->e->msg,
			 "%.300s: segment %.40s \"%.100s\": %s and %s disagree (no source says "
			 "which wins; export again)",
			 file_of(x, it), it->id ? it->id : "", name, legacy_key, object_key);
		return -1;
	}
	*out = object ? b : a;
	return legacy || object;
bad_legacy:
	snprintf(x->e->msg, sizeof x->e->msg,
		 "%.300s: segment %.40s \"%.100s\": %s is not a list of from,to pairs of ports "
		 "1..65535", file_of(x, it), it->id ? it->id : "", name, legacy_key);
	return -1;
bad_object:
	snprintf(x->e->msg, sizeof x->e->msg,
		 "%.300s: segment %.40s \"%.100s\": %s is not a list of {from, to} with ports "
		 "1..65535", file_of(x, it), it->id ? it->id : "", name, object_key);
	return -1;
}

static json_t *ranges_json(const struct ranges *r)
{
	json_t *a = json_array();
	for (int i = 0; i < r->n; i++)
		json_array_append_new(a, json_pack("[ii]", (json_int_t)r->lo[i], (json_int_t)r->hi[i]));
	return a;
}

/* ---- domains ---- */

static int contains_str(json_t *a, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
		if (!strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

/* Splits domainNames into host patterns and networks. A pattern the language cannot
 * say (a '*' or '?' inside a label, a range) is returned in lost. */
static int read_domains(struct tr *x, const struct zpa_item *it, struct zpa_out_segment *s,
			json_t *lost)
{
	json_t *dn = json_object_get(it->j, "domainNames"), *v;
	size_t i;

	if (!dn || json_is_null(dn)) {
		dn = json_object_get(it->j, "domainName");
		if (json_is_string(dn)) {
			json_t *one = json_array();
			json_array_append(one, dn);
			dn = one;
		} else {
			dn = NULL;
		}
	} else {
		json_incref(dn);
	}
	if (dn && !json_is_array(dn)) {
		json_decref(dn);
		snprintf(x->e->msg, sizeof x->e->msg, "%.300s: segment %.40s: domainNames is not a list",
			 file_of(x, it), it->id ? it->id : "");
		return -1;
	}
	json_array_foreach(dn, i, v) {
		const char *d = json_string_value(v);
		struct prefix p;
		if (d && strlen(d) != json_string_length(v)) {
			json_array_append_new(lost, json_string("(a domain with a NUL byte)"));
			continue;
		}
		char norm[NET_HOST_MAX + 1], text[64];
		if (!d) {
			json_array_append_new(lost, json_string("(a value that is not a string)"));
			continue;
		}
		if (strchr(d, '.') || strchr(d, ':')) {
			enum addr_err ae = prefix_parse(d, &p);
			if (ae == ADDR_OK) {
				prefix_format(&p, text);
				if (!contains_str(s->addresses, text))
					json_array_append_new(s->addresses, json_string(text));
				continue;
			}
			if (ae == ADDR_HOST_BITS) {
				json_array_append_new(lost, json_string(d));
				continue;
			}
		}
		if (host_normalize(d, strlen(d), norm, NULL) != HOST_OK) {
			json_array_append_new(lost, json_string(d));
			continue;
		}
		if (!contains_str(s->domains, norm))
			json_array_append_new(s->domains, json_string(norm));
	}
	json_decref(dn);
	return 0;
}

/* A pattern with '*' or '?' inside its first label only ("psl*.ms.acme.com") matches
 * hosts below its suffix: when the segment also has "*.SUFFIX", that covers them, with
 * the same ports, so leaving the pattern out changes nothing for requests that no
 * other segment's in-label pattern matches. Returns the covering pattern or NULL. */
static const char *covering_wildcard(const char *d, json_t *domains)
{
	const char *dot = d ? strchr(d, '.') : NULL;
	char want[NET_HOST_MAX + 3], norm[NET_HOST_MAX + 1];
	size_t i;
	json_t *v;
	if (!dot || strpbrk(dot, "*?") || strlen(dot) > NET_HOST_MAX)
		return NULL;
	snprintf(want, sizeof want, "*%s", dot);
	if (host_normalize(want, strlen(want), norm, NULL) != HOST_OK)
		return NULL;
	json_array_foreach(domains, i, v)
		if (!strcmp(json_string_value(v), norm))
			return json_string_value(v);
	return NULL;
}

/* ---- segments ---- */

/* The segment's group id (in b when a number) and *gname: its own segmentGroupId and
 * segmentGroupName, else its segmentGroup object, else the group that lists it. */
static const char *segment_group_id(struct tr *x, const struct zpa_item *it, const char *name,
				    const char *member_of, char b[32], const char **gname)
{
	const char *gid = zpa_field(it->j, "segmentGroupId", b);
	const json_t *sg = json_object_get(it->j, "segmentGroup");

	*gname = zpa_str(it->j, "segmentGroupName");
	if (!gid && json_is_object(sg)) {
		gid = zpa_field(sg, "id", b);
		*gname = zpa_str(sg, "name");
	}
	if (!gid)
		gid = it->group ? it->group : member_of;
	else if (member_of && strcmp(gid, member_of))
		zpa_warning(x, "application segment", it->id, name,
			    zpa_keepf(x, "its segmentGroupId is %s but segment group %s lists it; "
				      "segmentGroupId is used", gid, member_of));
	return gid;
}

/* matchStyle to s->inclusive and bypassType to s->bypass: 0, or -1 and the message. */
static int read_match_and_bypass(struct tr *x, const struct zpa_item *it, const char *name,
				 struct zpa_out_segment *s)
{
	char b2[32], b3[32];
	const char *ms = zpa_field(it->j, "matchStyle", b2);
	if (!ms || !strcmp(ms, "EXCLUSIVE"))
		s->inclusive = 0;
	else if (!strcmp(ms, "INCLUSIVE"))
		s->inclusive = 1;
	else {
		snprintf(x->e->msg, sizeof x->e->msg,
			 "%.300s: segment %.40s: unknown matchStyle \"%.40s\" (EXCLUSIVE or INCLUSIVE)",
			 file_of(x, it), it->id ? it->id : "", ms);
		return -1;
	}
	const char *bt = zpa_field(it->j, "bypassType", b3);
	if (!bt || !strcmp(bt, "NEVER"))
		s->bypass = "never";
	else if (!strcmp(bt, "ALWAYS"))
		s->bypass = "always";
	else if (!strcmp(bt, "ON_NET"))
		s->bypass = "on_net";
	else {
		s->bypass = "never";
		zpa_warning(x, "application segment", it->id, name,
			    zpa_keepf(x, "unknown bypassType \"%s\": taken as NEVER (the access "
				      "policy decides)", bt));
	}
	return 0;
}

/* Why the segment is denied as disabled, or NULL. */
static const char *disabled_reason(struct tr *x, const struct zpa_item *it, const char *gid)
{
	const char *why_disabled = NULL;
	int enabled = zpa_bool(it->j, "enabled", 1);
	if (enabled != 1)
		why_disabled = enabled == 0 ? "disabled in ZPA" :
			"its 'enabled' is neither true nor false";
	json_t *gat = gid ? json_object_get(x->group_by_id, gid) : NULL;
	if (!why_disabled && gat) {
		/* A disabled group: whether it disables its segments is unverified
		 * (SCHEMA.md 3); taken as disabling them, the closed reading. */
		json_t *gi2 = json_object_get(x->t->set[ZK_SEGMENT_GROUP].index, gid);
		if (gi2 && zpa_bool(x->t->set[ZK_SEGMENT_GROUP].v[json_integer_value(gi2)].j,
				    "enabled", 1) != 1)
			why_disabled = "its segment group is disabled in ZPA";
	}
	return why_disabled;
}

/* ZPA drops what reaches a segment without the port (SCHEMA.md 2.2). Such a segment is
 * kept serving every port and denied: blocked either way, and its hosts do not fall
 * through to a wider segment. Returns the reason it is denied. */
static const char *serve_every_port(struct tr *x, const struct zpa_item *it, const char *name,
				    struct ranges *tcp, struct ranges *udp, const char *why_disabled)
{
	tcp->n = udp->n = 1;
	tcp->lo[0] = udp->lo[0] = 1;
	tcp->hi[0] = udp->hi[0] = 65535;
	if (!why_disabled) {
		why_disabled = "it has no TCP or UDP ports in the export";
		zpa_untranslated(x, "application segment", it->id, name,
				 "no port fields in the export (ZPA drops every request to it)",
				 "kept with every port and denied by the first rule: blocked, "
				 "as in ZPA");
	}
	return why_disabled;
}

/* ---- domains the language cannot say ---- */

/* Drops from lost each pattern a "*.SUFFIX" of the segment covers (covering_wildcard). */
static void drop_covered_domains(struct tr *x, const struct zpa_item *it, const char *name,
				 const struct zpa_out_segment *s, json_t *lost)
{
	for (size_t i = 0; i < json_array_size(lost);) {
		const char *d = json_string_value(json_array_get(lost, i));
		const char *cover = covering_wildcard(d, s->domains);
		if (!cover) {
			i++;
			continue;
		}
		zpa_warning(x, "application segment", it->id, name,
			    zpa_keepf(x, "domain \"%s\" is left out: \"%s\" of the same segment "
				      "covers every host it matches", d, cover));
		json_array_remove(lost, i);
	}
}

/* Hosts of a disabled segment are denied, those of an always-bypassed one bypassed. A
 * pattern the language cannot say is widened to the wildcard of its suffix: more hosts
 * denied or bypassed, none let through to a wider segment's rules. 0, or -1 and the
 * message. */
static int widen_lost_domains(struct tr *x, const struct zpa_item *it, const char *name,
			      struct zpa_out_segment *s, json_t *lost, const char *why_disabled)
{
	size_t i;
	json_t *v;
	json_array_foreach(lost, i, v) {
		const char *d = json_string_value(v);
		const char *dot = strchr(d, '.');
		char w[NET_HOST_MAX + 3], norm[NET_HOST_MAX + 1];
		if (!dot || strpbrk(dot, "*?") || strlen(dot) > NET_HOST_MAX ||
		    (snprintf(w, sizeof w, "*%s", dot),
		     host_normalize(w, strlen(w), norm, NULL) != HOST_OK)) {
			snprintf(x->e->msg, sizeof x->e->msg,
				 "%.300s: segment %.40s \"%.100s\" is disabled and has domain "
				 "\"%.100s\", which cannot be expressed or widened; remove it "
				 "in ZPA", file_of(x, it), it->id ? it->id : "",
				 name ? name : "", d);
			return -1;
		}
		if (!contains_str(s->domains, norm))
			json_array_append_new(s->domains, json_string(norm));
		zpa_untranslated(x, "application segment", it->id, name,
				 zpa_keepf(x, "domain \"%s\" has no counterpart in the language", d),
				 zpa_keepf(x, "the segment is %s: \"%s\" is %s in its place "
					   "(more hosts)", why_disabled ? "disabled" : "always bypassed",
					   norm, why_disabled ? "denied" : "bypassed"));
	}
	return 0;
}

/* Leaves the patterns in lost out of an INCLUSIVE segment and records them; an
 * EXCLUSIVE one is refused. 0, or -1 and the message. */
static int leave_out_lost_domains(struct tr *x, const struct zpa_item *it, const char *name,
				  const struct zpa_out_segment *s, json_t *lost)
{
	size_t i;
	json_t *v;
	json_array_foreach(lost, i, v) {
		if (!s->inclusive) {
			snprintf(x->e->msg, sizeof x->e->msg,
				 "%.300s: segment %.40s \"%.100s\": domain \"%.100s\" cannot be "
				 "expressed, and the segment is EXCLUSIVE (ZPA allows such patterns "
				 "in INCLUSIVE segments only)", file_of(x, it), it->id ? it->id : "",
				 name ? name : "", json_string_value(v));
			return -1;
		}
		zpa_untranslated(x, "application segment", it->id, name,
				 zpa_keepf(x, "domain \"%s\" has no counterpart in the language "
					   "('*' is allowed only as the whole leftmost label; no '?')",
					   json_string_value(v)),
				 "the domain is left out; deny rules that name this segment or its "
				 "group apply to every segment");
	}
	return 0;
}

/* What becomes of the domains read_domains could not say: left out when covered,
 * widened when the segment is denied or always bypassed, else left out of an INCLUSIVE
 * segment (which is then marked in x->lost and x->lost_groups). 0, or -1 and the
 * message. */
static int settle_lost_domains(struct tr *x, const struct zpa_item *it, const char *name,
			       const char *gid, struct zpa_out_segment *s, json_t *lost,
			       const char *why_disabled)
{
	drop_covered_domains(x, it, name, s, lost);
	if (!why_disabled && json_array_size(lost) && !strcmp(s->bypass, "on_net")) {
		snprintf(x->e->msg, sizeof x->e->msg,
			 "%.300s: segment %.40s \"%.100s\" bypasses on trusted networks and has "
			 "domain \"%.100s\", which the language cannot express: neither leaving it "
			 "out nor widening it keeps the policy as strict as ZPA; change it in ZPA",
			 file_of(x, it), it->id ? it->id : "", name ? name : "",
			 json_string_value(json_array_get(lost, 0)));
		return -1;
	}
	if (why_disabled || !strcmp(s->bypass, "always")) {
		if (widen_lost_domains(x, it, name, s, lost, why_disabled))
			return -1;
		json_array_clear(lost);
	}
	if (leave_out_lost_domains(x, it, name, s, lost))
		return -1;
	if (it->id && json_array_size(lost))
		json_object_set_new(x->lost, it->id, json_true());
	if (gid && json_array_size(lost))
		json_object_set_new(x->lost_groups, gid, json_true());
	return 0;
}

/* ---- segments ---- */

/* Appends *s to the output, indexed by its id: 0, or -1 when out of memory. */
static int append_segment(struct tr *x, const struct zpa_item *it, const struct zpa_out_segment *s)
{
	struct zpa_out *o = x->o;
	if (o->nsegments == x->cap_segments) {
		size_t cap = x->cap_segments ? 2 * x->cap_segments : 256;
		struct zpa_out_segment *ns = realloc(o->segments, cap * sizeof *ns);
		if (!ns)
			return -1;
		o->segments = ns;
		x->cap_segments = cap;
	}
	if (it->id)
		json_object_set_new(x->segment_by_id, it->id, json_integer((json_int_t)o->nsegments));
	o->segments[o->nsegments++] = *s;
	return 0;
}

static int add_segment(struct tr *x, const struct zpa_item *it, const char *member_of)
{
	struct zpa_out_segment s;
	char b1[32];
	const char *name = zpa_str(it->j, "name");
	const char *gname, *gid = segment_group_id(x, it, name, member_of, b1, &gname);
	struct ranges tcp, udp;
	int has_tcp, has_udp;
	json_t *lost = json_array();
	const char *why_disabled;

	memset(&s, 0, sizeof s);
	int gi = group_for(x, gid, gname);
	if (gi < 0)
		goto oom;
	s.group = x->o->groups[gi].name;
	s.id = it->id;
	s.domains = json_array();
	s.addresses = json_array();
	if (read_domains(x, it, &s, lost))
		goto fail;
	has_tcp = read_ports(x, it, "tcp", &tcp, name ? name : "");
	has_udp = read_ports(x, it, "udp", &udp, name ? name : "");
	if (has_tcp < 0 || has_udp < 0)
		goto fail;
	if (read_match_and_bypass(x, it, name, &s))
		goto fail;
	why_disabled = disabled_reason(x, it, gid);
	if (!has_tcp && !has_udp) {
		why_disabled = serve_every_port(x, it, name, &tcp, &udp, why_disabled);
		has_tcp = has_udp = 1;
	}
	if (json_array_size(lost) > 0 &&
	    settle_lost_domains(x, it, name, gid, &s, lost, why_disabled))
		goto fail;
	if (json_array_size(s.domains) == 0 && json_array_size(s.addresses) == 0) {
		if (json_array_size(lost) == 0)
			zpa_warning(x, "application segment", it->id, name,
				    "no domain names: left out (no request can reach it)");
		json_decref(s.domains);
		json_decref(s.addresses);
		json_decref(lost);
		return 0;
	}
	s.tcp = has_tcp ? ranges_json(&tcp) : json_array();
	s.udp = has_udp ? ranges_json(&udp) : json_array();
	if (why_disabled) {
		s.disabled = 1;
		s.bypass = "never";
		s.note = zpa_keepf(x, "%s: denied by rule \"ZPA disabled segments\"", why_disabled);
	}
	s.name = zpa_unique_name(x, x->segment_names, name, it->id, "segment");
	if (append_segment(x, it, &s))
		goto oom;
	json_decref(lost);
	return 0;
oom:
	snprintf(x->e->msg, sizeof x->e->msg, "out of memory");
fail:
	json_decref(s.domains);
	json_decref(s.addresses);
	json_decref(lost);
	return -1;
}

int zpa_translate_segments(struct tr *x)
{
	const struct zpa_tenant *t = x->t;
	struct zpa_item **groups = zpa_sorted(&t->set[ZK_SEGMENT_GROUP]);
	struct zpa_item **segs = zpa_sorted(&t->set[ZK_SEGMENT]);
	struct zpa_item **emb = zpa_sorted(&t->embedded);
	int rc = -1;

	if (!groups || !segs || !emb) {
		snprintf(x->e->msg, sizeof x->e->msg, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < t->set[ZK_SEGMENT_GROUP].n; i++) {
		const char *name = zpa_str(groups[i]->j, "name");
		if (!groups[i]->id) {
			zpa_warning(x, "segment group", NULL, name,
				    "a segment group without an id (a request body?): passed over");
			continue;
		}
		if (add_group(x, groups[i]->id, name))
			goto oom;
	}
	for (size_t i = 0; i < t->set[ZK_SEGMENT].n; i++) {
		/* The group that embeds it, for a segment exported without its group. */
		const char *member_of = NULL;
		json_t *at = segs[i]->id ? json_object_get(t->embedded.index, segs[i]->id) : NULL;
		if (at)
			member_of = t->embedded.v[json_integer_value(at)].group;
		if (add_segment(x, segs[i], member_of))
			goto out;
	}
	for (size_t i = 0; i < t->embedded.n; i++) {
		if (emb[i]->id && json_object_get(t->set[ZK_SEGMENT].index, emb[i]->id))
			continue;   /* exported on its own as well: that copy was used */
		if (add_segment(x, emb[i], NULL))
			goto out;
	}
	rc = 0;
	goto out;
oom:
	snprintf(x->e->msg, sizeof x->e->msg, "out of memory");
out:
	free(groups);
	free(segs);
	free(emb);
	return rc;
}
