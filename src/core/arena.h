// SPDX-License-Identifier: Apache-2.0
// Region allocator: many small allocations freed at once. Compiled policies live in one arena;
// every request and every policy decision gets a scratch arena that is dropped when it ends.
// An arena may start on a caller-provided buffer (the stack, in the evaluator's hot path) and
// grows onto the heap only when that buffer is exhausted.
#ifndef SAGEBOX_ARENA_H
#define SAGEBOX_ARENA_H

#include <stddef.h>

struct arena_block;

// Callers allocate this struct themselves (on the stack or inside another object) so that a
// decision needs no heap allocation at all when its scratch space fits the initial buffer.
struct arena {
    char *cur;                  // next free byte in the current block
    char *end;                  // one past the last byte of the current block
    struct arena_block *blocks; // heap blocks owned by the arena, newest first
    size_t next_block_size;     // size of the next heap block to request
};

// Initialises an arena. buf/buf_len is an optional initial region owned by the caller that must
// outlive the arena (NULL/0 for none). The arena owns nothing yet; arena_release frees what it
// later takes from the heap.
void arena_init(struct arena *a, void *buf, size_t buf_len);

// Returns len bytes aligned for any object, valid until arena_release. Never returns NULL:
// allocation failure aborts the process (sagebox is a daemon, see sb_xmalloc).
void *arena_alloc(struct arena *a, size_t len);

// Returns len bytes like arena_alloc, zero-filled.
void *arena_calloc(struct arena *a, size_t count, size_t size);

// Copies s[0..len) into the arena and NUL-terminates the copy.
char *arena_strndup(struct arena *a, const char *s, size_t len);

// Frees every heap block the arena took; the arena may be reused after arena_init.
void arena_release(struct arena *a);

// malloc/realloc/calloc that abort the process on failure instead of returning NULL.
void *sb_xmalloc(size_t len);
void *sb_xrealloc(void *p, size_t len);
void *sb_xcalloc(size_t count, size_t size);

#endif
