// SPDX-License-Identifier: Apache-2.0
// A growable byte buffer that is always NUL-terminated, for building messages and documents
// without sprintf. Heap-backed; released with buf_free.
#ifndef SAGEBOX_BUF_H
#define SAGEBOX_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data; // NUL-terminated contents; NULL until the first append
    size_t len; // bytes used, not counting the NUL
    size_t cap; // bytes allocated
};

// A buffer that holds nothing and owns nothing.
#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

// Appends len bytes of s. Aborts on allocation failure; never fails otherwise.
void buf_append(struct buf *b, const char *s, size_t len);

// Appends the NUL-terminated string s.
void buf_puts(struct buf *b, const char *s);

// Appends one byte.
void buf_putc(struct buf *b, char c);

// Appends printf-style formatted text (vsnprintf underneath).
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Returns the contents as a C string: "" for an empty buffer, never NULL.
const char *buf_cstr(const struct buf *b);

// Empties the buffer but keeps its memory.
void buf_reset(struct buf *b);

// Frees the memory; the buffer is empty afterwards and may be reused.
void buf_free(struct buf *b);

#endif
