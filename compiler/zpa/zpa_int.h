/* zpa_int.h - what the translation files share: the state of one translation.
 * zpa_translate.c drives it, zpa_segments.c translates segments and groups,
 * zpa_rules.c the access policy, zpa_operands.c its operands. Not used outside
 * compiler/zpa/. */
#ifndef BCPC_ZPA_INT_H
#define BCPC_ZPA_INT_H
#include "zpa.h"

struct tr {
	const struct zpa_tenant *t;
	struct zpa_out *o;
	struct zpa_err *e;
	json_t *group_names, *segment_names, *rule_names;   /* name -> 1 */
	json_t *group_by_id;      /* ZPA id -> index in o->groups */
	json_t *segment_by_id;    /* ZPA id -> index in o->segments */
	json_t *lost;             /* ZPA segment id -> why: patterns or the segment left out */
	json_t *lost_groups;      /* ZPA group id -> 1: a member is in lost */
	json_t *posture_by_udid, *network_by_nid;   /* lookups -> item index */
	size_t cap_groups, cap_segments, cap_rules;
};

/* Keeps a copy of s alive as long as o; returns it. */
const char *zpa_keep(struct tr *x, const char *s);
const char *zpa_keepf(struct tr *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A name unique in names (a .bcl namespace): base cleaned of control bytes and cut to
 * 200 bytes; when taken, " (ZPA id ID)" is added, then a counter. */
const char *zpa_unique_name(struct tr *x, json_t *names, const char *base, const char *id,
			    const char *kind);
/* Report items. what: "segment", "rule", ...; effect: what was done instead. */
void zpa_untranslated(struct tr *x, const char *kind, const char *id, const char *name,
		      const char *why, const char *effect);
void zpa_warning(struct tr *x, const char *kind, const char *id, const char *name,
		 const char *what);
/* Items of a set in a stable order: by id (numerically), then file and position. */
struct zpa_item **zpa_sorted(const struct zpa_set *s);

/* One operand made a language atom: atom (keyword), attr (saml/scim name or NULL),
 * value; neg when it holds as "not"; idp the IdP it belongs to (SAML, SCIM, SCIM
 * groups), NULL when it needs none; any_case when ZPA may compare its value in any
 * case (the language compares exactly). */
struct lit {
	const char *atom, *attr, *value, *idp;
	int neg, app, scim;
	int any_case;   /* a SCIM attribute whose caseSensitive is not true */
};


struct rule_ctx {
	struct tr *x;
	const struct zpa_item *it;
	int allow;
	int user_idps;     /* USER IdPs in the export; -1: no IdP export */
	const char *only_idp;
};

/* zpa_operands.c: one user operand (objectType, lhs, rhs; op the operand object) to a
 * literal; 0, or -1 and *why. */
int zpa_user_literal(struct rule_ctx *c, const char *type, const char *lhs, const char *rhs,
		     const json_t *op, struct lit *l, const char **why);
/* 1 when s (NULL is fine) has no control byte: a .bcl string can hold it. */
int zpa_printable(const char *s);
/* 1 for a client type business continuity does not support (SCHEMA.md 6). */
int zpa_bc_unsupported_client(const char *t);

int zpa_translate_segments(struct tr *x);
int zpa_translate_rules(struct tr *x);
#endif
