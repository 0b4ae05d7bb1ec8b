// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the core parsers that policies and requests reach: the JSON reader
// (jsonv), CIDR blocks, ISO 8601 / epoch times, and the wildcard matcher. The first input byte
// picks the parser; the rest is its input. Properties checked beyond "no crash": a parsed JSON
// tree is walked completely and its string lengths agree with strlen (no embedded NUL); a
// formatted time parses back to the same second; wildcard "*" matches everything and a pattern
// without wildcards matches only itself.
#include "core/arena.h"
#include "core/cidr.h"
#include "core/isotime.h"
#include "core/jsonv.h"
#include "core/wildcard.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t walk(const struct jsonv *v, unsigned depth)
{
    size_t n = 1;
    if (depth > JSONV_MAX_DEPTH + 1) {
        abort();
    }
    switch (v->type) {
    case JSONV_STRING:
    case JSONV_NUMBER:
        if (strlen(v->u.str) != v->len) {
            abort();
        }
        break;
    case JSONV_ARRAY:
        for (uint32_t i = 0; i < v->len; i++) {
            n += walk(&v->u.items[i], depth + 1);
        }
        break;
    case JSONV_OBJECT:
        for (uint32_t i = 0; i < v->len; i++) {
            if (strlen(v->u.members[i].key) != v->u.members[i].key_len) {
                abort();
            }
            n += walk(&v->u.members[i].value, depth + 1);
        }
        break;
    default:
        break;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// Dispatches on the first byte; see the file comment.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    switch (data[0] % 4) {
    case 0: {
        struct arena a;
        arena_init(&a, NULL, 0);
        const struct jsonv *root = NULL;
        struct jsonv_stats st;
        if (jsonv_parse(&a, s, n, &root, NULL, &st) == JSONV_OK) {
            walk(root, 0);
            if (st.ws_bytes + st.utf8_cont_bytes > n) {
                abort();
            }
        }
        arena_release(&a);
        break;
    }
    case 1: {
        struct cidr block;
        struct cidr addr;
        if (cidr_parse(s, n, &block) == 0 && block.prefix > 128) {
            abort();
        }
        if (cidr_parse(s, n, &addr) == 0) {
            (void)cidr_contains(&block, &addr);
        }
        break;
    }
    case 2: {
        int64_t ms;
        if (isotime_parse(s, n, &ms) == 0) {
            char out[64];
            size_t len = isotime_format(ms, out, sizeof(out));
            int64_t again;
            if (len > 0 && len < sizeof(out) && ms > -62135596800000LL && ms < 253402300799000LL) {
                if (isotime_parse(out, len, &again) != 0 ||
                    again / 1000 != ms / 1000 - (ms % 1000 < 0)) {
                    abort();
                }
            }
        }
        break;
    }
    default: {
        // Split at the first NUL: pattern, then text.
        const char *nul = memchr(s, '\0', n);
        size_t pl = nul ? (size_t)(nul - s) : n / 2;
        const char *text = nul ? nul + 1 : s + pl;
        size_t tl = n - pl - (nul ? 1 : 0);
        bool m = wildcard_match(s, pl, text, tl, (data[0] & 4) != 0);
        if (!wildcard_match("*", 1, text, tl, false)) {
            abort();
        }
        if (!wildcard_has_wild(s, pl) && memchr(s, WILDCARD_LITERAL, pl) == NULL &&
            (data[0] & 4) == 0 && m != (pl == tl && memcmp(s, text, pl) == 0)) {
            abort();
        }
        break;
    }
    }
    return 0;
}
