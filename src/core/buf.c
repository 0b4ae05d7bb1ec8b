// SPDX-License-Identifier: Apache-2.0
// Growable NUL-terminated byte buffer; see buf.h.
#include "core/buf.h"

#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Makes room for extra more bytes plus the terminating NUL.
static void reserve(struct buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1) {
        abort();
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    b->data = sb_xrealloc(b->data, cap);
    b->cap = cap;
}

// Appends s[0..len) and keeps the buffer NUL-terminated.
void buf_append(struct buf *b, const char *s, size_t len)
{
    reserve(b, len);
    if (len > 0) {
        memcpy(b->data + b->len, s, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
}

// Appends a C string.
void buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

// Appends a single byte.
void buf_putc(struct buf *b, char c)
{
    buf_append(b, &c, 1);
}

// Appends formatted text; formats twice only when the first attempt does not fit.
void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    reserve(b, 64);
    va_start(ap, fmt);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->data[b->len] = '\0';
        return;
    }
    if ((size_t)n >= b->cap - b->len) {
        reserve(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

// Returns the contents, or "" when nothing was ever appended.
const char *buf_cstr(const struct buf *b)
{
    return b->data ? b->data : "";
}

// Truncates to empty, keeping the allocation.
void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data) {
        b->data[0] = '\0';
    }
}

// Frees the allocation.
void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
