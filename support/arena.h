/* arena.h - one bump allocator per compile; everything the front end builds lives
 * here and is freed by one arena_free(). All allocation goes through the hook so
 * tests can fail the Nth allocation. Never realloc into the arena's memory. */
#ifndef BCPC_ARENA_H
#define BCPC_ARENA_H
#include <stddef.h>

/* The allocation hook: like malloc/free. A NULL hook, or NULL functions, mean
 * malloc/free. One hook carries a whole compile, from reading the sources to the
 * signed blob in memory: the arenas, flex's buffers, the msgpack buffers and the
 * blob itself. OpenSSL and jansson allocate on their own (docs/SECURITY.md). */
struct alloc_hook {
	void *(*alloc)(void *ctx, size_t n);
	void (*release)(void *ctx, void *p);
	void *ctx;
	/* Smallest block an arena on this hook takes; 0 means 64 KiB. A test that
	 * fails the Nth allocation sets 1, so that every arena_alloc reaches the hook. */
	size_t arena_block;
};

struct arena_block;
struct arena {
	struct arena_block *head;
	const struct alloc_hook *hook;
	size_t used;   /* bytes handed out, for statistics */
	int failed;    /* an allocation failed; the compile must stop */
};

void arena_init(struct arena *a, const struct alloc_hook *hook);
/* Zeroed memory aligned for any object, or NULL (and a->failed set). */
void *arena_alloc(struct arena *a, size_t n);
/* Array of n elements of size sz; NULL on overflow or failure. */
void *arena_array(struct arena *a, size_t n, size_t sz);
/* Copy of s[0..n) with a NUL after it. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void arena_free(struct arena *a);

/* Plain allocation through a hook, for memory that outlives or grows outside an arena. */
void *hook_alloc(const struct alloc_hook *h, size_t n);
void hook_release(const struct alloc_hook *h, void *p);

/* A growable array of pointers; it grows inside the arena (old copies are abandoned). */
struct vec {
	void **items;
	size_t n, cap;
};
int vec_push(struct arena *a, struct vec *v, void *item);   /* 0 or -1 */
#endif
