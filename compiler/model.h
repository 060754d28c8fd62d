/* model.h - the checked policy: every name resolved, every value validated and
 * normalized. It is what the checker produces and what everything after it reads
 * (the JSON dump, the reference evaluator, the blob writer). It never changes
 * after check_policy() returns; it lives in the arena given to the checker. */
#ifndef BCPC_MODEL_H
#define BCPC_MODEL_H
#include <stdint.h>
#include "diag.h"
#include "net.h"
#include "bcp_format.h"

enum proto { PROTO_TCP, PROTO_UDP, PROTO_COUNT };
enum match_style { MATCH_EXCLUSIVE, MATCH_INCLUSIVE };
enum bypass_mode { BYPASS_NEVER, BYPASS_ALWAYS, BYPASS_ON_NET };

struct port_range {
	uint16_t lo, hi;
};

/* Sorted, merged, non-adjacent ranges. */
struct port_set {
	struct port_range *r;
	uint32_t n;
};

struct m_host {
	const char *name;        /* normalized: lower case, no trailing dot */
	struct loc loc;
};

struct m_addr {
	struct prefix p;
	struct loc loc;
};

struct m_group {
	const char *name;
	struct loc loc;
};

struct m_segment {
	const char *name;
	struct loc loc;
	uint32_t group;          /* index into model.groups */
	int enabled;
	enum match_style match;
	enum bypass_mode bypass;
	struct m_host *hosts;    /* in source order, duplicates removed */
	uint32_t nhosts;
	struct m_addr *addrs;
	uint32_t naddrs;
	struct port_set ports[PROTO_COUNT];
};

/* The atoms of the language: the two that test the app, then one per user
 * attribute of runtime/bcp_format.h's BCPF_USER_ATTRS, in its order, so that a user
 * atom's kind is A_SEGMENT_GROUP + its predicate kind (atom_pred_kind). */
enum atom_kind {
	A_SEGMENT,
	A_SEGMENT_GROUP,
#define ATOM_ENUM_(NAME, kind, kw, json, shape, vocab, cmp, fb) A_##NAME,
	BCPF_USER_ATTRS(ATOM_ENUM_)
#undef ATOM_ENUM_
	A_COUNT
};
#define ATOM_KIND_CHECK_(NAME, kind, kw, json, shape, vocab, cmp, fb) \
	_Static_assert(A_##NAME == A_SEGMENT_GROUP + kind, "atom kinds follow BCPF_USER_ATTRS");
BCPF_USER_ATTRS(ATOM_KIND_CHECK_)
#undef ATOM_KIND_CHECK_
/* The predicate kind of a user atom (BCPF_P_*), or 0 for segment and segment_group. */
static inline unsigned atom_pred_kind(enum atom_kind k)
{
	return k > A_SEGMENT_GROUP ? (unsigned)(k - A_SEGMENT_GROUP) : 0;
}
/* "segment", "segment_group", then the attributes' keywords. */
extern const char *const atom_kind_names[A_COUNT];

#define PLATFORMS(X) X(windows) X(mac) X(linux) X(ios) X(android)
#define CLIENT_TYPES(X) X(zapp) X(zapp_partner) X(vdi) X(browser_isolation) \
	X(machine_tunnel) X(edge_connector) X(branch_connector) X(ip_anchoring) X(exporter)
extern const char *const platform_names[];
extern const unsigned nplatforms;
extern const char *const client_type_names[];
extern const unsigned nclient_types;

struct m_atom {
	enum atom_kind kind;
	const char *attr;        /* saml and scim: the attribute name; else NULL */
	const char **values;     /* normalized (country upper case), duplicates removed */
	uint32_t *ids;           /* segment, segment_group, platform, client_type: indices */
	uint32_t nvalues;
};

struct m_clause {
	int negated;
	int app;                 /* segment / segment_group atoms only */
	struct m_atom *atoms;
	uint32_t natoms;
};

struct m_rule {
	const char *name;
	struct loc loc;
	int allow;
	struct m_clause *clauses;
	uint32_t nclauses;
};

enum setting_kind { SET_STRING, SET_INT, SET_BOOL, SET_DURATION, SET_LIST };

struct m_setting {
	const char *key;
	enum setting_kind kind;
	const char *s;           /* SET_STRING */
	uint64_t n;              /* SET_INT, SET_BOOL (0/1), SET_DURATION (seconds) */
	const char **list;       /* SET_LIST */
	uint32_t nlist;
	struct loc loc;          /* the key */
};

/* The model's setting kinds are the language's; the format's and the API's types
 * (bcp.h) are the same five. */
static inline enum bcp_setting_type setting_bcp_type(enum setting_kind k)
{
	switch (k) {
	case SET_STRING:
		return BCP_SET_STRING;
	case SET_INT:
		return BCP_SET_INT;
	case SET_BOOL:
		return BCP_SET_BOOL;
	case SET_DURATION:
		return BCP_SET_DURATION;
	case SET_LIST:
		break;
	}
	return BCP_SET_LIST;
}

struct m_profile {
	const char *name;
	struct loc loc;
	struct m_clause *when;   /* user atoms only; all must hold */
	uint32_t nwhen;
	struct m_setting *settings;
	uint32_t nsettings;
};

struct m_controller {
	const char *host;
	uint16_t port;
};

enum exit_mode { EXIT_TIME_BASED, EXIT_AUTOMATIC };

struct m_bc {
	const char *domain;
	struct m_controller *controllers;
	uint32_t ncontrollers;
	const char *sni, *sni_new_user, *sp_url;   /* NULL when not given */
	const char *sp_ca_file;  /* as written */
	const char *sp_ca_pem;   /* the certificate's PEM text, embedded */
	size_t sp_ca_len;
	uint32_t enter_after, exit_after, auth_max_age;   /* seconds */
	enum exit_mode exit_mode;
};

/* A pattern that appears in some enabled segment, with those segments. */
struct m_pattern {
	int is_addr;
	const char *host;        /* !is_addr: normalized host pattern */
	struct prefix prefix;    /* is_addr */
	enum match_style match;
	uint32_t *segs;          /* segment indices, in declaration order */
	uint32_t nsegs;
};

struct model {
	const char *tenant;      /* NULL when not given */
	struct m_bc *bc;         /* NULL when not given */
	struct m_group *groups;
	uint32_t ngroups;
	struct m_segment *segments;   /* all, disabled ones included (enabled = 0) */
	uint32_t nsegments;
	struct m_rule *rules;
	uint32_t nrules;
	struct m_profile *profiles;
	uint32_t nprofiles;
	struct m_pattern *patterns;   /* host patterns sorted by name, then prefixes sorted */
	uint32_t npatterns, nhost_patterns;
};

/* The count limits of a policy (docs/LANGUAGE.md 2.10). Each is far above what a
 * real tenant needs and below what the blob format holds: clause and predicate
 * counts are u16 there, so a clause may list at most 65535 values, and lowering
 * never meets a limit the checker let through. */
#define BCL_MAX_SOURCES 1024             /* source files in one compile */
#define BCL_MAX_GROUPS 100000            /* segment groups */
#define BCL_MAX_SEGMENTS 100000          /* segments, disabled ones included */
#define BCL_MAX_PATTERNS 16777216u       /* entries of domains and addresses, all segments */
#define BCL_MAX_RULES 100000             /* rules, all access_policy blocks */
#define BCL_MAX_PROFILES 10000           /* app profiles */
#define BCL_MAX_CLAUSES 1024             /* clauses in one rule or app profile */
#define BCL_MAX_ATOMS 1024               /* conditions joined by 'or' in one clause */
#define BCL_MAX_ATOM_VALUES 65535        /* values of one condition */
#define BCL_MAX_CLAUSE_VALUES 65535      /* values of one clause, all conditions */
#define BCL_MAX_SETTINGS 1024            /* settings of one app profile */
#define BCL_MAX_LIST_ITEMS 65535         /* items of one list setting */
#define BCL_MAX_CONTROLLERS 256          /* controllers of business_continuity */
#endif
