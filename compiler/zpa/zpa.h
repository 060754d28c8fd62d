/* zpa.h - `bcpc import zpa`: ZPA management-API exports to one .bcl policy.
 *
 * Four stages, one file each, data flowing one way:
 *   zpa_read.c       files and folders -> parsed JSON documents with their SHA-256;
 *   zpa_shape.c      a document -> the kind of object it holds (by its shape, never
 *                    by its file name), merged into the tenant (paged lists, copies);
 *   zpa_translate.c  the tenant -> the policy to write (struct zpa_out) and the
 *                    report of what could not be translated and what was done instead
 *                    (segments and groups in zpa_segments.c, the access policy in
 *                    zpa_rules.c, one operand to one atom in zpa_operands.c);
 *   zpa_write.c      struct zpa_out -> deterministic .bcl text; the report as JSON.
 * Nothing here decides what a .bcl policy means: the output is checked by the
 * existing checker (cmd_import.c runs it before writing anything). See docs/IMPORT.md. */
#ifndef BCPC_ZPA_H
#define BCPC_ZPA_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The kinds of object a file may hold. Rows: enum name, text used in messages and in
 * the report, whether the importer uses it (0: recognized and set aside). */
#define ZPA_KINDS(X) \
	X(ZK_SEGMENT, "application segment", 1) \
	X(ZK_SEGMENT_GROUP, "segment group", 1) \
	X(ZK_RULE, "policy rule", 1) \
	X(ZK_POLICY_SET, "policy set header", 1) \
	X(ZK_IDP, "identity provider", 1) \
	X(ZK_SAML_ATTR, "SAML attribute", 1) \
	X(ZK_SCIM_ATTR, "SCIM attribute", 1) \
	X(ZK_SCIM_GROUP, "SCIM group", 1) \
	X(ZK_POSTURE, "posture profile", 1) \
	X(ZK_NETWORK, "trusted network", 1) \
	X(ZK_CLIENT_TYPES, "client type names", 0) \
	X(ZK_PLATFORMS, "platform names", 0) \
	X(ZK_BC_SETTINGS, "business continuity settings", 1) \
	X(ZK_SCIM_VALUES, "SCIM attribute values", 0) \
	X(ZK_INFRA, "private cloud or service edge component", 0) \
	X(ZK_ZCC_PROFILE, "Client Connector app profile", 0) \
	X(ZK_EMPTY, "empty list", 0)

enum zpa_kind {
#define ZPA_KIND_ENUM_(e, text, used) e,
	ZPA_KINDS(ZPA_KIND_ENUM_)
#undef ZPA_KIND_ENUM_
	ZK_COUNT
};
const char *zpa_kind_name(enum zpa_kind k);

/* One object of a kind, as found in a file. */
struct zpa_item {
	json_t *j;            /* borrowed from the document (kept alive by the tenant) */
	const char *id;       /* normalized decimal/text id, or NULL (request bodies) */
	unsigned file, pos;   /* input file index, position in its file */
	const char *group;    /* ZK_SEGMENT copies embedded in a group: the group's id */
};

struct zpa_set {
	struct zpa_item *v;
	size_t n, cap;
	json_t *index;        /* id -> index in v */
};

struct zpa_file {
	char *path;
	char sha256[65];
	enum zpa_kind kind;   /* what it held (ZK_EMPTY for an empty list) */
	size_t count;         /* objects it held */
	json_t *doc;          /* owned */
};

struct zpa_tenant {
	struct zpa_file *files;
	size_t nfiles, capfiles;
	struct zpa_set set[ZK_COUNT];
	struct zpa_set embedded;    /* segments embedded in segment groups */
	json_t *notes;              /* array of report notes gathered while reading */
	json_t *bc;                 /* the BC settings object, or NULL (borrowed) */
};

/* Errors of reading: a message naming the file. */
struct zpa_err {
	char msg[1024];
};

void zpa_tenant_init(struct zpa_tenant *t);
void zpa_tenant_free(struct zpa_tenant *t);

/* zpa_read.c: reads each path (a file, or a folder: its *.json files, sorted by
 * name, not recursively). 0, or -1 with e set (unreadable, not JSON, refused). */
int zpa_read_paths(struct zpa_tenant *t, char *const *paths, int n, struct zpa_err *e);
/* One document from memory, named name in messages (the fuzz target uses it). */
int zpa_read_buffer(struct zpa_tenant *t, const char *name, const void *data, size_t len,
		    struct zpa_err *e);

/* zpa_shape.c: the kind of one object, or -1 (unknown; *why says what was seen) or -2
 * (ambiguous). */
int zpa_shape_of(json_t *o, const char **why);
/* Adds a parsed document (owned by t from now on) as file f. 0 or -1 with e set. */
int zpa_add_document(struct zpa_tenant *t, unsigned f, struct zpa_err *e);

/* Helpers on ZPA's loose typing (W3, W4, W6): a value as text: strings as they are,
 * integers exactly in decimal, booleans "true"/"false"; NULL for anything else
 * (fractions and other types: never through a double). buf holds the integer text. */
const char *zpa_text(const json_t *v, char buf[32]);
const char *zpa_field(const json_t *o, const char *key, char buf[32]);
/* A string field, or NULL (absent, not a string, or holding a NUL). */
const char *zpa_str(const json_t *o, const char *key);
/* A boolean field: JSON true/false, "true"/"false", "1"/"0", 1/0. def when absent;
 * -1 when present with any other value. */
int zpa_bool(const json_t *o, const char *key, int def);

/* ---- what translation produces ---- */

struct zpa_out_group {
	const char *name, *id;
};
struct zpa_out_segment {
	const char *name, *id, *group;
	json_t *domains, *addresses;     /* arrays of strings */
	json_t *tcp, *udp;               /* arrays of [from, to] */
	int inclusive;
	const char *bypass;              /* "never", "always", "on_net" */
	int disabled;                    /* ZPA disabled: kept, denied by the first rule */
	const char *note;                /* extra comment, or NULL */
};
struct zpa_out_rule {
	const char *name, *id;
	int allow;
	json_t *clauses;                 /* array of .bcl clause texts (without ';') */
	json_t *comments;                /* array of comment lines about the translation */
};
struct zpa_out {
	json_t *inputs;                  /* [{path, sha256, kind, objects}] */
	struct zpa_out_group *groups;
	size_t ngroups;
	struct zpa_out_segment *segments;
	size_t nsegments;
	struct zpa_out_rule *rules;
	size_t nrules;
	json_t *untranslated;            /* report items that left something out */
	json_t *warnings;                /* report items that change nothing */
	json_t *bc_comments;             /* business_continuity lines from the BC export */
	int bc_block;                    /* 1: write them as a block (the command line gave
					    controllers and SNI), 0: as a comment */
	json_t *strings;                 /* keeps the strings above alive */
};

/* zpa_translate.c: 0, or -1 with e set and o freed (an export that cannot be imported at all,
 * e.g. the two port forms disagree). */
int zpa_translate(const struct zpa_tenant *t, struct zpa_out *o, struct zpa_err *e);
void zpa_out_free(struct zpa_out *o);

/* zpa_write.c: the .bcl text (malloc'd, NUL-terminated) and the report document. */
char *zpa_write_bcl(const struct zpa_out *o, size_t *len);
json_t *zpa_report(const struct zpa_out *o, int exit_status);

/* zpa_import.c: all of the above. Reads paths, translates, writes the .bcl text
 * (*text, malloc'd, *len bytes) and the report (*report, owned by the caller; its
 * exit_status is the value returned). Returns 0 (nothing left out), 1 (items in the
 * report) or 2 (e says why: unreadable or refused input; *text and *report NULL).
 * The text is not checked here: cmd_import.c runs the checker on it. */
/* What the exports do not hold of business_continuity, from the command line. With
 * at least a controller and sni, the block is written (the BC settings export gives
 * domain and timers; domain here overrides it). */
struct zpa_bc_line {
	const char *key;          /* e.g. "controller" */
	const char *text;         /* its values as written, e.g. "pcc.example:8443" */
};
struct zpa_bc_opts {
	const char *domain, *sni, *sni_new_user, *sp_url, *sp_ca_file;
	const char *controllers[256];
	size_t ncontrollers;
	/* The lines of an admin-written business_continuity block (zpa_admin_bc). A key
	 * given there replaces the export's, and may not also be on the command line. */
	const struct zpa_bc_line *admin;
	size_t nadmin;
	const char *admin_path;
	char admin_sha256[65];    /* of the admin's file, listed with the inputs */
};
/* zpa_admin_bc.c: reads the .bcl at path, which must hold one business_continuity
 * block and nothing else, into bc->admin (in arena a). 0, or -1 with the problem in d. */
struct arena;
struct diags;
int zpa_admin_bc(const char *path, struct arena *a, struct diags *d, struct zpa_bc_opts *bc);
int zpa_import(char *const *paths, int n, const struct zpa_bc_opts *bc, char **text,
	       size_t *len, json_t **report, struct zpa_err *e);
#endif
