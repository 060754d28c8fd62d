/* suggest.c - the "did you mean" word suggester (suggest.h). No allocation, no
 * locale: case folding is ASCII. */
#include "suggest.h"
#include <stdint.h>
#include <string.h>

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

#define SUGGEST_MAX 64

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Optimal string alignment distance, ASCII case folded; n, m <= SUGGEST_MAX. */
static size_t osa_distance(const char *a, size_t n, const char *b, size_t m)
{
	size_t row2[SUGGEST_MAX + 1] = {0}, row1[SUGGEST_MAX + 1], row[SUGGEST_MAX + 1];
	size_t i, j, cost;

	for (j = 0; j <= m; j++)
		row1[j] = j;
	for (i = 1; i <= n; i++) {
		int ai = ascii_lower((unsigned char)a[i - 1]);
		row[0] = i;
		for (j = 1; j <= m; j++) {
			int bj = ascii_lower((unsigned char)b[j - 1]);
			cost = ai != bj;
			row[j] = min_size(min_size(row1[j] + 1, row[j - 1] + 1), row1[j - 1] + cost);
			if (i > 1 && j > 1 && ai == ascii_lower((unsigned char)b[j - 2]) &&
			    ascii_lower((unsigned char)a[i - 2]) == bj)
				row[j] = min_size(row[j], row2[j - 2] + 1);
		}
		memcpy(row2, row1, (m + 1) * sizeof row1[0]);
		memcpy(row1, row, (m + 1) * sizeof row[0]);
	}
	return row1[m];
}

void suggest_init(struct suggest *s, const char *word)
{
	s->word = word;
	s->best = NULL;
	s->dist = SIZE_MAX;
}

void suggest_add(struct suggest *s, const char *cand)
{
	size_t n, m, limit, d;

	if (!s->word || !cand)
		return;
	n = strnlen(s->word, SUGGEST_MAX + 1);
	m = strnlen(cand, SUGGEST_MAX + 1);
	if (n > SUGGEST_MAX || m > SUGGEST_MAX)
		return;
	limit = n / 3 > 1 ? n / 3 : 1;
	d = osa_distance(s->word, n, cand, m);
	if (d <= limit && (!s->best || d < s->dist)) {
		s->best = cand;
		s->dist = d;
	}
}
