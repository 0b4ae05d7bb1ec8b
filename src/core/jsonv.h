// SPDX-License-Identifier: Apache-2.0
// A strict, fast JSON reader (RFC 8259) that builds an immutable tree in an arena. It exists for
// the hot paths that parse many small documents (IAM policies on every request): one pass, no
// per-node malloc, strings unescaped once, object members kept in document order. jansson stays
// the library for building and printing JSON elsewhere.
//
// Strictness: only the four JSON whitespace characters; no comments, trailing commas, NaN or
// leading zeros; strings must be valid UTF-8 without raw control characters; \u escapes must form
// valid code points (paired surrogates) and may not be \u0000; nesting is limited to
// JSONV_MAX_DEPTH; trailing non-whitespace after the value is an error.
#ifndef SAGEBOX_JSONV_H
#define SAGEBOX_JSONV_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONV_MAX_DEPTH 64

enum jsonv_type {
    JSONV_NULL,
    JSONV_FALSE,
    JSONV_TRUE,
    JSONV_NUMBER,
    JSONV_STRING,
    JSONV_ARRAY,
    JSONV_OBJECT,
};

struct jsonv_member;

struct jsonv {
    enum jsonv_type type;
    uint32_t len; // STRING/NUMBER: bytes of str; ARRAY: items; OBJECT: members
    union {
        const char *str;           // STRING (unescaped) or NUMBER (as written); NUL-terminated
        const struct jsonv *items; // ARRAY
        const struct jsonv_member *members; // OBJECT, in document order
    } u;
    double num; // NUMBER: the value as a double
};

struct jsonv_member {
    const char *key; // unescaped, NUL-terminated
    uint32_t key_len;
    struct jsonv value;
};

enum jsonv_error {
    JSONV_OK = 0,
    JSONV_ESYNTAX = -1,    // not JSON, or JSON this reader refuses (see above)
    JSONV_EDUPLICATE = -2, // an object has the same key twice
};

// Facts about the text gathered during parsing, so that callers need no second pass over it.
struct jsonv_stats {
    size_t ws_bytes;         // whitespace bytes outside strings
    size_t utf8_cont_bytes;  // UTF-8 continuation bytes (inside strings; nowhere else is legal)
    uint32_t max_code_point; // the largest code point in any string or key
    bool control_chars;      // a string holds, through an escape, a control character other
                             // than tab, LF and CR
};

// Parses text[0..len) into a tree allocated from a. On success stores the root in *out and
// returns JSONV_OK. On failure returns a negative jsonv_error, leaves *out NULL and, when
// err_offset is not NULL, stores the byte offset where parsing stopped. Whatever was allocated
// stays in the arena until it is released. stats, when not NULL, is filled on success.
int jsonv_parse(struct arena *a, const char *text, size_t len, const struct jsonv **out,
                size_t *err_offset, struct jsonv_stats *stats);

// Returns the value of member key of an object, or NULL when v is not an object or has no such
// member. Keys compare byte for byte.
const struct jsonv *jsonv_get(const struct jsonv *v, const char *key);

#endif
