/* check_bc.c - the meaning pass for the business_continuity block: the settings the
 * Client Connector uses to find the Private Cloud during an outage. It also reads
 * and validates the SP CA certificate file the block names. */
#include "check_int.h"
#include "file.h"
#include <errno.h>
#include <string.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

enum bc_key { K_DOMAIN, K_CONTROLLER, K_SNI, K_SNI_NEW_USER, K_SP_URL, K_SP_CA_FILE,
	      K_ENTER_AFTER, K_EXIT_MODE, K_EXIT_AFTER, K_AUTH_MAX_AGE, K_COUNT };
static const char *const bc_keys[K_COUNT] = {
	"domain", "controller", "sni", "sni_new_user", "sp_url", "sp_ca_file",
	"enter_after", "exit_mode", "exit_after", "auth_max_age",
};

/* Defaults and limits, in seconds (docs/LANGUAGE.md). */
#define ENTER_AFTER_DEFAULT 120
#define EXIT_AFTER_DEFAULT 3600
#define AUTH_MAX_AGE_DEFAULT (7 * 86400)

static const char *one_string(struct checker *c, const struct prop *p)
{
	if (p->values->next) {
		diag_error(c->d, p->values->next->loc, "'%s' takes one value", p->key);
		return NULL;
	}
	if (p->values->kind != VAL_STRING) {
		diag_add(c->d, SEV_ERROR, p->values->loc, "put the value in double quotes",
			 "'%s' takes a quoted string, not %s", p->key,
			 value_kind_name(p->values->kind));
		return NULL;
	}
	return p->values->s;
}

/* A plain host name (no wildcard), normalized, or NULL (reported). */
static const char *bc_host(struct checker *c, const struct value *v, const char *s, size_t n,
			   const char *key)
{
	char norm[NET_HOST_MAX + 1];
	enum host_err e = host_normalize(s, n, norm, NULL);
	if (e == HOST_OK && norm[0] == '*')
		e = HOST_BAD_WILDCARD;
	if (e != HOST_OK) {
		diag_error(c->d, v->loc, "invalid host name in '%s': %s", key,
			   e == HOST_BAD_WILDCARD ? "no wildcard allowed here" : host_err_str(e));
		return NULL;
	}
	return arena_strdup(c->a, norm);
}

static void bc_controller(struct checker *c, struct m_bc *bc, const struct prop *p)
{
	for (const struct value *v = p->values; v; v = v->next) {
		if (v->kind != VAL_STRING) {
			diag_add(c->d, SEV_ERROR, v->loc, "write: controller \"pcc1.example.com:443\";",
				 "'controller' takes a quoted host[:port], not %s",
				 value_kind_name(v->kind));
			continue;
		}
		const char *colon = strrchr(v->s, ':');
		size_t hostlen = colon ? (size_t)(colon - v->s) : v->len;
		unsigned long port = 443;
		if (colon) {
			char *end;
			errno = 0;
			port = strtoul(colon + 1, &end, 10);
			if (colon[1] < '0' || colon[1] > '9' || *end || errno || port < 1 || port > 65535) {
				diag_error(c->d, v->loc, "invalid port in controller \"%s\" (1..65535)", v->s);
				continue;
			}
		}
		const char *host = bc_host(c, v, v->s, hostlen, "controller");
		if (!host)
			continue;
		int dup = 0;
		for (uint32_t i = 0; i < bc->ncontrollers; i++)
			dup |= !strcmp(bc->controllers[i].host, host) && bc->controllers[i].port == port;
		if (dup) {
			diag_warning(c->d, v->loc, "controller %s:%lu listed twice", host, port);
			continue;
		}
		bc->controllers[bc->ncontrollers].host = host;
		bc->controllers[bc->ncontrollers].port = (uint16_t)port;
		bc->ncontrollers++;
	}
}

static int bc_duration(struct checker *c, const struct prop *p, uint32_t lo, uint32_t hi,
		       const char *range, uint32_t *out)
{
	const struct value *v = p->values;
	if (v->next) {
		diag_error(c->d, v->next->loc, "'%s' takes one value", p->key);
		return -1;
	}
	if (v->kind != VAL_DURATION && !(v->kind == VAL_INT && v->a == 0)) {
		diag_add(c->d, SEV_ERROR, v->loc, "write a number with s, m, h or d, e.g. 15m",
			 "'%s' takes a duration, not %s", p->key, value_kind_name(v->kind));
		return -1;
	}
	if (v->a < lo || v->a > hi) {
		diag_error(c->d, v->loc, "'%s' out of range (%s)", p->key, range);
		return -1;
	}
	*out = (uint32_t)v->a;
	return 0;
}

/* Reads the SP CA certificate, relative to the folder of the source that names it. */
static void bc_ca_file(struct checker *c, struct m_bc *bc, const struct prop *p, const char *name)
{
	const char *src = p->loc.src ? p->loc.src->path : "";
	const char *slash = strrchr(src, '/');
	const char *path = name[0] == '/' || !slash ? name :
		arena_printf(c->a, "%.*s/%s", (int)(slash - src), src, name);
	struct source f;
	if (!path)
		return;
	if (read_file(c->a, path, 1u << 20, &f) != 0) {
		diag_error(c->d, p->values->loc, "cannot read sp_ca_file \"%s\": %s", path,
			   errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
		return;
	}
	BIO *bio = BIO_new_mem_buf(f.text, (int)f.len);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	if (!x) {
		diag_add(c->d, SEV_ERROR, p->values->loc,
			 "the file must hold a certificate in PEM form (-----BEGIN CERTIFICATE-----)",
			 "sp_ca_file \"%s\" is not a PEM X.509 certificate", path);
	} else {
		bc->sp_ca_file = name;
		bc->sp_ca_pem = f.text;
		bc->sp_ca_len = f.len;
	}
	X509_free(x);
	BIO_free(bio);
}

static void bc_exit_mode(struct checker *c, struct m_bc *bc, const struct prop *p)
{
	static const char *const modes[] = { "time_based", "automatic" };
	const char *w = p->values->next ? NULL : want_word(c, p->values, p->key);
	if (p->values->next)
		diag_error(c->d, p->values->next->loc, "'exit_mode' takes one value");
	if (!w)
		return;
	if (!strcmp(w, modes[0]) || !strcmp(w, modes[1]))
		bc->exit_mode = w[0] == 'a' ? EXIT_AUTOMATIC : EXIT_TIME_BASED;
	else
		unknown_word(c, p->values->loc, "exit_mode", w, modes, 2);
}

/* One line of the block: key k with its values p; str is its one string for the
 * keys that take one. */
static void bc_line(struct checker *c, struct m_bc *bc, enum bc_key k, const struct prop *p,
		    const char *str)
{
	switch (k) {
	case K_DOMAIN:
		bc->domain = bc_host(c, p->values, str, strlen(str), p->key);
		break;
	case K_SNI:
		bc->sni = bc_host(c, p->values, str, strlen(str), p->key);
		break;
	case K_SNI_NEW_USER:
		bc->sni_new_user = bc_host(c, p->values, str, strlen(str), p->key);
		break;
	case K_CONTROLLER:
		bc_controller(c, bc, p);
		break;
	case K_SP_URL:
		if (strncmp(str, "https://", 8) != 0 || !str[8])
			diag_error(c->d, p->values->loc, "'sp_url' must be an https:// URL");
		else
			bc->sp_url = str;
		break;
	case K_SP_CA_FILE:
		bc_ca_file(c, bc, p, str);
		break;
	case K_ENTER_AFTER:
		bc_duration(c, p, 60, 8 * 3600, "1m .. 8h", &bc->enter_after);
		break;
	case K_EXIT_AFTER:
		bc_duration(c, p, 600, 7 * 86400, "10m .. 7d", &bc->exit_after);
		break;
	case K_AUTH_MAX_AGE:
		bc_duration(c, p, 0, 7 * 86400, "0 .. 7d", &bc->auth_max_age);
		break;
	case K_EXIT_MODE:
		bc_exit_mode(c, bc, p);
		break;
	case K_COUNT:
		break;
	}
}

/* What the block must have, and what it should: seen[k] is key k's line or NULL. */
static void bc_required(struct checker *c, const struct stmt *s, const struct prop *const *seen)
{
	static const enum bc_key required[] = { K_DOMAIN, K_CONTROLLER, K_SNI };
	for (unsigned i = 0; i < sizeof required / sizeof *required; i++)
		if (!seen[required[i]])
			diag_add(c->d, SEV_ERROR, s->loc, NULL,
				 "business_continuity needs '%s'", bc_keys[required[i]]);
	if (!seen[K_SNI_NEW_USER])
		diag_warning(c->d, s->loc,
			     "no 'sni_new_user': users who enroll during an outage cannot connect");
	if (seen[K_SP_URL] && !seen[K_SP_CA_FILE])
		diag_warning(c->d, seen[K_SP_URL]->loc,
			     "'sp_url' without 'sp_ca_file': clients cannot verify the SP's certificate");
}

static void check_block(struct checker *c, const struct stmt *s, struct m_bc *bc)
{
	const struct prop *seen[K_COUNT] = { 0 };
	uint32_t ncontrollers = 0;
	for (const struct prop *p = s->props; p; p = p->next)
		if (!strcmp(p->key, "controller"))
			ncontrollers += (uint32_t)value_count(p->values);
	bc->controllers = arena_array(c->a, ncontrollers, sizeof *bc->controllers);
	if (!bc->controllers)
		return;
	bc->enter_after = ENTER_AFTER_DEFAULT;
	bc->exit_after = EXIT_AFTER_DEFAULT;
	bc->auth_max_age = AUTH_MAX_AGE_DEFAULT;
	for (const struct prop *p = s->props; p; p = p->next) {
		int k;
		for (k = 0; k < K_COUNT && strcmp(p->key, bc_keys[k]); k++)
			;
		if (k == K_COUNT) {
			unknown_word(c, p->loc, "business_continuity key", p->key, bc_keys, K_COUNT);
			continue;
		}
		if (seen[k] && k != K_CONTROLLER) {
			diag_error(c->d, p->loc, "'%s' given twice", p->key);
			continue;
		}
		seen[k] = p;
		const char *str = NULL;
		if (k == K_DOMAIN || k == K_SNI || k == K_SNI_NEW_USER || k == K_SP_URL ||
		    k == K_SP_CA_FILE) {
			str = one_string(c, p);
			if (!str)
				continue;
		}
		bc_line(c, bc, (enum bc_key)k, p, str);
	}
	bc_required(c, s, seen);
}

void check_bc(struct checker *c, struct stmt *stmts)
{
	const struct stmt *first = NULL;
	for (struct stmt *s = stmts; s; s = s->next) {
		if (s->kind != ST_BC)
			continue;
		if (first) {
			diag_error(c->d, s->loc, "business_continuity given twice");
			diag_add(c->d, SEV_NOTE, first->loc, NULL, "first given here");
			continue;
		}
		first = s;
		c->m->bc = arena_alloc(c->a, sizeof *c->m->bc);
		if (c->m->bc)
			check_block(c, s, c->m->bc);
	}
}
