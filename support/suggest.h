/* suggest.h - "did you mean" suggestions: the nearest of a set of words. Nothing
 * here prints, allocates or keeps state between calls. */
#ifndef BCPC_SUGGEST_H
#define BCPC_SUGGEST_H
#include <stddef.h>

/* Suggest the nearest candidate word by case-insensitive Damerau-Levenshtein distance
 * (optimal string alignment). suggest_init(s, word), then suggest_add(s, cand) for each
 * candidate; afterwards s->best is the candidate with the smallest distance if that
 * distance is <= max(1, strlen(word) / 3), else NULL, and s->dist is its distance.
 * Ties: the first added wins. Words over 64 bytes never match; NULL words are ignored.
 * The strings are borrowed, not copied: they must outlive s. No allocation. */
struct suggest {
	const char *word;
	const char *best;
	size_t dist;
};
void suggest_init(struct suggest *s, const char *word);
void suggest_add(struct suggest *s, const char *cand);
#endif
