/* check_util.c - the small helpers every file of the checker uses (declared in
 * check_int.h): counting values, naming their kinds, reporting unknown words with a
 * suggestion, declaring names. They only read the tree and add diagnostics. */
#include "check_int.h"
#include "suggest.h"
#include <stdio.h>
#include <string.h>

int value_count(const struct value *v)
{
	int n = 0;
	for (; v; v = v->next)
		n++;
	return n;
}

const char *value_kind_name(enum value_kind k)
{
	static const char *const names[] = { "a string", "a number", "a duration", "a word",
					     "an address", "a port range", "a list" };
	return names[k];
}

const char *want_word(struct checker *c, const struct value *v, const char *key)
{
	if (v->kind == VAL_WORD)
		return v->s;
	diag_error(c->d, v->loc, "'%s' takes a word here, not %s", key, value_kind_name(v->kind));
	return NULL;
}

void unknown_word(struct checker *c, struct loc loc, const char *kind, const char *word,
		  const char *const *names, unsigned n)
{
	struct suggest sg;
	char hint[600];
	suggest_init(&sg, word);
	for (unsigned i = 0; i < n; i++)
		suggest_add(&sg, names[i]);
	if (sg.best) {
		snprintf(hint, sizeof hint, "did you mean '%s'?", sg.best);
	} else {
		size_t o = (size_t)snprintf(hint, sizeof hint, "one of:");
		for (unsigned i = 0; i < n && o < sizeof hint; i++)
			o += (size_t)snprintf(hint + o, sizeof hint - o, " %s", names[i]);
	}
	diag_add(c->d, SEV_ERROR, loc, hint, "unknown %s '%s'", kind, word);
}

void duplicate_name(struct checker *c, struct loc loc, const char *kind, const char *name,
		    struct loc first)
{
	diag_error(c->d, loc, "duplicate %s \"%s\"", kind, name);
	diag_add(c->d, SEV_NOTE, first, NULL, "first declared here");
}

int check_name(struct checker *c, const char *name, struct loc loc, const char *kind)
{
	size_t n = strlen(name);
	if (n == 0) {
		diag_error(c->d, loc, "empty %s name", kind);
		return -1;
	}
	if (n > 255) {
		diag_error(c->d, loc, "%s name longer than 255 bytes", kind);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
			diag_error(c->d, loc, "control character in %s name", kind);
			return -1;
		}
	return 0;
}

int declare_name(struct checker *c, struct strmap *names, const char *kind, const char *name,
		 struct loc loc, uint32_t next, const struct loc *first_locs, size_t stride)
{
	if (check_name(c, name, loc, kind))
		return 0;
	uint32_t at = strmap_put(names, name, next);
	if (at == next)
		return 1;
	if (at != STRMAP_NONE) {
		const char *first = (const char *)first_locs + (size_t)at * stride;
		duplicate_name(c, loc, kind, name, *(const struct loc *)first);
	}
	return 0;
}

const char *nearest_key(const struct strmap *map, const char *word)
{
	struct suggest sg;
	suggest_init(&sg, word);
	for (uint32_t i = 0; i < map->cap; i++)
		if (map->keys[i])
			suggest_add(&sg, map->keys[i]);
	return sg.best;
}
