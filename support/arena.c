/* arena.c - the bump allocator behind the front end and the checked model.
 * Blocks are chained and freed together; nothing is freed one by one. */
#include "arena.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_MIN (64 * 1024)
#define ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	_Alignas(ALIGN) unsigned char data[];
};

void *hook_alloc(const struct alloc_hook *h, size_t n)
{
	if (h && h->alloc)
		return h->alloc(h->ctx, n);
	return malloc(n);
}

void hook_release(const struct alloc_hook *h, void *p)
{
	if (!p)
		return;
	if (h && h->release)
		h->release(h->ctx, p);
	else
		free(p);
}

void arena_init(struct arena *a, const struct alloc_hook *hook)
{
	memset(a, 0, sizeof *a);
	a->hook = hook;
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);

	if (a->failed || need < n)
		goto fail;
	if (!b || b->size - b->used < need) {
		size_t min = a->hook && a->hook->arena_block ? a->hook->arena_block : BLOCK_MIN;
		size_t size = need > min ? need : min;
		if (size > SIZE_MAX - sizeof *b)
			goto fail;
		b = hook_alloc(a->hook, sizeof *b + size);
		if (!b)
			goto fail;
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += need;
	a->used += need;
	memset(p, 0, n);
	return p;
fail:
	a->failed = 1;
	return NULL;
}

void *arena_array(struct arena *a, size_t n, size_t sz)
{
	if (sz && n > SIZE_MAX / sz) {
		a->failed = 1;
		return NULL;
	}
	return arena_alloc(a, n && sz ? n * sz : 1);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (p && n)
		memcpy(p, s, n);
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_free(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		hook_release(a->hook, b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
}

/* Growth doubles into fresh arena memory; the old array is simply abandoned
 * (amortized waste is bounded by the final size). */
int vec_push(struct arena *a, struct vec *v, void *item)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		void **items = arena_array(a, cap, sizeof *items);
		if (!items)
			return -1;
		if (v->n)
			memcpy(items, v->items, v->n * sizeof *items);
		v->items = items;
		v->cap = cap;
	}
	v->items[v->n++] = item;
	return 0;
}
