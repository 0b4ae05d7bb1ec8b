// SPDX-License-Identifier: Apache-2.0
// Region allocator; see arena.h. Blocks double in size up to 1 MiB so that a large policy costs
// a handful of mallocs, not one per string.
#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    struct arena_block *next;
    max_align_t data[]; // the usable bytes follow the header, maximally aligned
};

#define ARENA_ALIGN     _Alignof(max_align_t)
#define ARENA_MIN_BLOCK 4096u
#define ARENA_MAX_BLOCK (1024u * 1024u)

static void oom(size_t len)
{
    fprintf(stderr, "sagebox: out of memory allocating %zu bytes\n", len);
    abort();
}

// Allocates len bytes with malloc; aborts on failure so callers never see NULL.
void *sb_xmalloc(size_t len)
{
    void *p = malloc(len ? len : 1);
    if (p == NULL) {
        oom(len);
    }
    return p;
}

// Resizes p to len bytes with realloc; aborts on failure, leaving nothing to clean up.
void *sb_xrealloc(void *p, size_t len)
{
    void *q = realloc(p, len ? len : 1);
    if (q == NULL) {
        oom(len);
    }
    return q;
}

// Allocates a zeroed array of count elements of size bytes; aborts on failure or overflow.
void *sb_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL) {
        oom(count * size);
    }
    return p;
}

// Sets up the arena over the optional caller buffer; see arena.h.
void arena_init(struct arena *a, void *buf, size_t buf_len)
{
    a->blocks = NULL;
    a->next_block_size = ARENA_MIN_BLOCK;
    if (buf != NULL && buf_len > 0) {
        uintptr_t p = (uintptr_t)buf;
        uintptr_t aligned = (p + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1);
        size_t skip = (size_t)(aligned - p);
        a->cur = skip < buf_len ? (char *)aligned : NULL;
        a->end = skip < buf_len ? (char *)buf + buf_len : NULL;
    } else {
        a->cur = NULL;
        a->end = NULL;
    }
}

// Takes a new heap block big enough for len bytes and makes it current.
static void grow(struct arena *a, size_t len)
{
    size_t size = a->next_block_size;
    while (size < len) {
        if (size > SIZE_MAX / 2) {
            oom(len);
        }
        size *= 2;
    }
    struct arena_block *b = sb_xmalloc(sizeof(*b) + size);
    b->next = a->blocks;
    a->blocks = b;
    a->cur = (char *)b->data;
    a->end = a->cur + size;
    if (a->next_block_size < ARENA_MAX_BLOCK) {
        a->next_block_size *= 2;
    }
}

// Bump-allocates len bytes, aligned to max_align_t; see arena.h.
void *arena_alloc(struct arena *a, size_t len)
{
    size_t rounded = (len + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (rounded < len) {
        oom(len);
    }
    if (a->cur == NULL || (size_t)(a->end - a->cur) < rounded) {
        grow(a, rounded ? rounded : ARENA_ALIGN);
    }
    void *p = a->cur;
    a->cur += rounded;
    return p;
}

// Zero-filled arena_alloc of count * size bytes; aborts on overflow.
void *arena_calloc(struct arena *a, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) {
        oom(SIZE_MAX);
    }
    void *p = arena_alloc(a, count * size);
    memset(p, 0, count * size);
    return p;
}

// Copies len bytes of s plus a terminating NUL into the arena.
char *arena_strndup(struct arena *a, const char *s, size_t len)
{
    char *d = arena_alloc(a, len + 1);
    if (len > 0) {
        memcpy(d, s, len);
    }
    d[len] = '\0';
    return d;
}

// Frees the heap blocks; the caller's initial buffer is left alone.
void arena_release(struct arena *a)
{
    struct arena_block *b = a->blocks;
    while (b != NULL) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->blocks = NULL;
    a->cur = NULL;
    a->end = NULL;
}
