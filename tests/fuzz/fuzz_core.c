// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the core parsers that policies and requests reach: the JSON reader
// (jsonv), CIDR blocks, ISO 8601 / epoch times, and the wildcard matcher. The first input byte
// picks the parser; the rest is its input. Properties checked beyond "no crash": a parsed JSON
// tree is walked completely and its string lengths agree with strlen (no embedded NUL); a
// formatted time parses back to the same second; what jsonload accepts as an object or array
// json_loadb accepts as the same tree; wildcard "*" matches everything and a pattern
// without wildcards matches only itself; a CIDR block formatted by cidr_format parses back to the
// same block, and the block relations (overlaps, within, nth/offset) agree with each other.
#include "core/arena.h"
#include "core/cidr.h"
#include "core/isotime.h"
#include "core/jsonload.h"
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

// Round trip of the VPC block text: format(parse_block(x)) parses back to the same block, and
// formatting is idempotent; an address printed without its prefix parses back as that address.
static void check_block_text(const char *s, size_t n)
{
    struct cidr c;
    if (cidr_parse_block(s, n, &c) != 0) {
        return;
    }
    char text[CIDR_TEXT_MAX];
    int len = cidr_format(&c, true, text, sizeof(text));
    struct cidr again;
    if (len <= 0 || (size_t)len != strlen(text) ||
        cidr_parse_block(text, (size_t)len, &again) != 0 || memcmp(again.addr, c.addr, 16) != 0 ||
        again.prefix != c.prefix || again.v4 != c.v4) {
        abort();
    }
    char text2[CIDR_TEXT_MAX];
    if (cidr_format(&again, true, text2, sizeof(text2)) != len ||
        memcmp(text, text2, (size_t)len) != 0) {
        abort();
    }
    // One byte short must fail cleanly.
    if (cidr_format(&c, true, text2, (size_t)len) != -1 || text2[0] != '\0') {
        abort();
    }
    len = cidr_format(&c, false, text, sizeof(text));
    if (len <= 0 || cidr_parse(text, (size_t)len, &again) != 0 ||
        memcmp(again.addr, c.addr, 16) != 0 || again.prefix != 128) {
        abort();
    }
    // A canonical block is its own network: offset 0 is its first address.
    struct cidr first;
    uint64_t index = 1;
    if (cidr_nth(&c, 0, &first) != 0 || memcmp(first.addr, c.addr, 16) != 0 ||
        cidr_offset(&c, &first, &index) != 0 || index != 0 || !cidr_within(&c, &c)) {
        abort();
    }
}

// Relations between two blocks: within implies overlaps (and contains), overlaps is symmetric,
// mutual containment means equality, and cidr_nth/cidr_offset are inverses.
static void check_block_pair(const struct cidr *a, const struct cidr *b)
{
    bool ab = cidr_overlaps(a, b);
    if (ab != cidr_overlaps(b, a)) {
        abort();
    }
    bool a_in_b = cidr_within(b, a);
    bool b_in_a = cidr_within(a, b);
    if ((a_in_b || b_in_a) && !ab) {
        abort();
    }
    if (b_in_a && !cidr_contains(a, b)) {
        abort();
    }
    // Two blocks of one family that overlap are nested (CIDR blocks never partly overlap).
    if (ab && !a_in_b && !b_in_a) {
        abort();
    }
    if (a_in_b && b_in_a && (memcmp(a->addr, b->addr, 16) != 0 || a->prefix != b->prefix)) {
        abort();
    }
    uint64_t size = cidr_size(a);
    uint64_t want = 0;
    for (int i = 8; i < 16; i++) {
        want = (want << 8) | b->addr[i];
    }
    if (size != UINT64_MAX) {
        want %= size;
        struct cidr beyond;
        if (cidr_nth(a, size, &beyond) != -1) {
            abort();
        }
    }
    struct cidr at;
    uint64_t back = 0;
    if (cidr_nth(a, want, &at) != 0 || cidr_offset(a, &at, &back) != 0 || back != want ||
        !cidr_within(a, &at) || at.prefix != 128 || at.v4 != a->v4) {
        abort();
    }
    // The allocator hands out a free, non-reserved offset of a or reports a full block.
    uint64_t used[2] = {4, 5};
    struct cidr_alloc alloc = {.block = a, .used = used, .used_count = 2};
    uint64_t picked = 0;
    if (cidr_alloc_next(&alloc, &at, &picked) == 0 &&
        (picked < 6 || cidr_ec2_reserved(a, picked) || cidr_offset(a, &at, &back) != 0 ||
         back != picked)) {
        abort();
    }
}

// jsonload reads JSON 1.1 request bodies before jansson does (json11.c), which is only right if
// what it accepts jansson accepts too, as the same tree: checked here against json_loadb.
static void check_jsonload(const char *s, size_t n)
{
    json_t *fast = jsonload(s, n);
    if (fast == NULL) {
        return;
    }
    if (json_is_object(fast) || json_is_array(fast)) {
        json_t *slow = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
        if (slow == NULL || !json_equal(fast, slow)) {
            abort();
        }
        json_decref(slow);
    }
    json_decref(fast);
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
        check_jsonload(s, n);
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
        check_block_text(s, n);
        // "A\0B": two blocks for the relations, and an offset inside A taken from B.
        const char *nul = memchr(s, '\0', n);
        struct cidr a;
        struct cidr b;
        if (nul != NULL && cidr_parse_block(s, (size_t)(nul - s), &a) == 0 &&
            cidr_parse_block(nul + 1, n - (size_t)(nul - s) - 1, &b) == 0) {
            check_block_pair(&a, &b);
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
