/* request.h - the requests of `bcpc query`: one JSON object per line, a user object
 * (--user FILE.json), a HOST:PORT[/proto] target, and the JSON answer line.
 *
 * JSON goes through jansson only. Parsing checks shape and types and reports the
 * first problem precisely ("user.saml.department must be an array of strings");
 * it does not decide whether a host name is valid: that is the evaluator's job
 * (an invalid host is a deny, as in the runtime). Nothing here prints. */
#ifndef BCPC_REQUEST_H
#define BCPC_REQUEST_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "../runtime/bcp.h"

/* Where the user's pointer arrays live. The strings themselves stay inside the
 * json_t they came from, which the owner keeps alive. Reused across parses. */
struct user_store {
	const char **strs;
	size_t nstrs, capstrs;
	struct bcp_attr *attrs;
	size_t nattrs, capattrs;
	struct bcp_user_attr *uattrs;   /* keyword entries: attributes without a field */
	size_t nuattrs, capuattrs;
};

/* One parsed request. Zero it before the first request_parse (`= {0}`); it may then
 * be parsed into again and again, reusing its storage; request_free releases it.
 * user's pointers point into json and store, both owned by the request: they are
 * valid until the next request_parse or request_free. */
struct request {
	char host[256];             /* NUL-terminated, as given (brackets kept) */
	size_t hostlen;
	uint16_t port;
	enum bcp_proto proto;
	struct bcp_user_info user;
	json_t *json;               /* the parsed line */
	struct user_store store;
};

/* Parses one JSON line of len bytes (need not be NUL-terminated; a trailing newline
 * is fine): {"host": "...", "port": N, "proto": "tcp"|"udp", "user": {...}}. host and
 * port are required; proto defaults to tcp; user and each of its keys are optional.
 * Unknown keys are errors. Returns 0, or -1 with a one-line message in err (errlen
 * bytes, always NUL-terminated when errlen > 0); on error r->user is empty. */
int request_parse(const char *line, size_t len, struct request *r, char *err, size_t errlen);
/* Releases what r holds and zeroes it. NULL is a no-op. */
void request_free(struct request *r);

/* Reads a user object: {"saml": {"attr": ["v", ...]}, "scim": {...},
 * "scim_groups": [...], "idp": "...", "platform": "...", "client_type": "...",
 * "posture": [...], "trusted_networks": [...], "country": "CC",
 * "machine_group": "..."}: one key per attribute of bcp_format.h's BCPF_USER_ATTRS
 * (its json_key), shaped as its row says; every key optional, null allowed for the
 * single-string keys. Attributes with a field of bcp_user_info go there; the others
 * into u->attrs, by keyword. what names the object in messages
 * ("user"). On success fills *u with pointers into obj and st (obj must outlive
 * them; st is reset first and reused). Returns 0, or -1 with a message in err. */
int user_parse_json(json_t *obj, const char *what, struct user_store *st,
		    struct bcp_user_info *u, char *err, size_t errlen);
/* Releases a store's arrays and zeroes it. NULL is a no-op. */
void user_store_free(struct user_store *st);

/* A user read from a file (--user FILE.json): the document, the store and the user. */
struct user_file {
	json_t *json;
	struct user_store store;
	struct bcp_user_info user;
};
/* Reads and parses path; returns 0, or -1 with a message (naming the file) in err.
 * Zero uf before the call; release it with user_file_free either way. */
int user_file_load(const char *path, struct user_file *uf, char *err, size_t errlen);
void user_file_free(struct user_file *uf);

/* Parses a command-line target "HOST:PORT", "HOST:PORT/udp", "[v6]:PORT/tcp" into
 * r->host (brackets kept), r->hostlen, r->port and r->proto; the user is untouched.
 * Returns 0, or -1 with a message in err. */
int request_parse_target(const char *s, struct request *r, char *err, size_t errlen);

/* Writes one answer line, {"decision":"allow","segment":"SAP","rule":"Finance SAP",
 * "profile":"Windows-Default"} and a newline, with null for each NULL name, strings
 * JSON-escaped. Returns 0, or -1 on an allocation or write error. */
int result_to_json_line(FILE *out, const char *decision, const char *segment,
			const char *rule, const char *profile);
/* The same with a fifth key, "reason": why the decision came out so (query_reason
 * in cmd_query.c: rule, default_deny, no_segment, port_not_served, bypass, expired,
 * not_yet_valid). */
int answer_to_json_line(FILE *out, const char *decision, const char *segment,
			const char *rule, const char *profile, const char *reason);
/* Writes {"error":"msg"} and a newline. Returns 0 or -1. */
int error_to_json_line(FILE *out, const char *msg);

/* A user as the JSON object a --user file holds (what user_parse_json reads), for
 * the witnesses of lint and diff. skip_fallback: leave out a value that is its
 * attribute's fallback (client_type zapp). NULL when out of memory. */
json_t *request_user_json(const struct bcp_user_info *u, int skip_fallback);
#endif
