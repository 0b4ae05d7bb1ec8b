// SPDX-License-Identifier: Apache-2.0
// Strict JSON reader into an arena tree (RFC 8259); see jsonv.h. A recursive-descent parser over
// a cursor: values are built in place, arrays and objects grow by doubling inside the arena (the
// abandoned copies are at most as large as the final one).
#include "core/jsonv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    const char *p;   // cursor
    const char *end; // one past the last byte
    struct arena *a;
    int err;
    unsigned depth;
    struct jsonv_stats st;
};

// Byte-parallel tests on 8 bytes at a time ("SWAR"): ONES * c repeats c in every byte, and
// HAS_ZERO_BYTE(v) is non-zero when some byte of v is 0 (it may also flag bytes above the first
// zero byte, which only costs a slower path, never a wrong answer).
#define ONES                0x0101010101010101ULL
#define HIGHS               0x8080808080808080ULL
#define HAS_ZERO_BYTE(v)    (((v)-ONES) & ~(v)&HIGHS)
#define HAS_LESS_THAN(v, n) (((v)-ONES * (n)) & ~(v)&HIGHS)

static uint64_t load8(const char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof(w));
    return w;
}

// Index of the lowest non-zero byte of a non-zero little-endian word.
static size_t first_set_byte(uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (size_t)__builtin_clzll(x) >> 3;
#else
    return (size_t)__builtin_ctzll(x) >> 3;
#endif
}

static void skip_ws_slow(struct parser *ps)
{
    const char *p = ps->p;
    for (;;) {
        // Indentation comes in runs of spaces: find the first non-space of eight bytes at once.
        if (ps->end - p >= 8) {
            uint64_t x = load8(p) ^ (ONES * ' ');
            if (x == 0) {
                p += 8;
                continue;
            }
            p += first_set_byte(x);
        }
        if (p < ps->end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')) {
            p++;
            continue;
        }
        break;
    }
    ps->st.ws_bytes += (size_t)(p - ps->p);
    ps->p = p;
}

// Skips JSON whitespace; most calls find none, so that test is inlined at every call site.
static inline void skip_ws(struct parser *ps)
{
    if (ps->p < ps->end && (unsigned char)*ps->p > ' ') {
        return;
    }
    skip_ws_slow(ps);
}

static bool fail(struct parser *ps, int err)
{
    if (ps->err == JSONV_OK) {
        ps->err = err;
    }
    return false;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static bool read_hex4(struct parser *ps, const char *s, unsigned *out)
{
    if (ps->end - s < 4) {
        return false;
    }
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(s[i]);
        if (h < 0) {
            return false;
        }
        v = (v << 4) | (unsigned)h;
    }
    *out = v;
    return true;
}

// Validates one UTF-8 sequence starting at s (s < end); returns its length or 0 when invalid
// (overlong forms, surrogates, code points above U+10FFFF, truncated sequences).
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    unsigned cp;
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - s) < n) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return n;
}

static size_t put_utf8(char *d, unsigned cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

// Parses a string whose opening quote is at ps->p. The parser works on its own copy of the
// document, so strings are decoded in place: unescaped text is never longer than its source, and
// the closing quote's byte becomes the terminating NUL.
static bool parse_string(struct parser *ps, const char **out, uint32_t *out_len)
{
    const char *s = ps->p + 1;
    const char *q = s;
    bool escapes = false;
    // First pass: find the closing quote and validate raw bytes. Runs of plain ASCII (no quote,
    // backslash, control or non-ASCII byte) are skipped eight bytes at a time.
    while (q < ps->end) {
        if (ps->end - q >= 8) {
            uint64_t w = load8(q);
            uint64_t special = HAS_ZERO_BYTE(w ^ (ONES * '"')) | HAS_ZERO_BYTE(w ^ (ONES * '\\')) |
                               HAS_LESS_THAN(w, 0x20) | (w & HIGHS);
            if (special == 0) {
                q += 8;
                continue;
            }
            // The lowest flagged byte is exact (false positives only sit above a true one).
            q += first_set_byte(special);
        }
        unsigned char c = (unsigned char)*q;
        if (c == '"') {
            break;
        }
        if (c < 0x20) {
            ps->p = q;
            return fail(ps, JSONV_ESYNTAX);
        }
        if (c == '\\') {
            escapes = true;
            q += 2;
            continue;
        }
        if (c >= 0x80) {
            size_t n = utf8_len((const unsigned char *)q, (const unsigned char *)ps->end);
            if (n == 0) {
                ps->p = q;
                return fail(ps, JSONV_ESYNTAX);
            }
            ps->st.utf8_cont_bytes += n - 1;
            // Lead bytes: 0xC2-0xC3 reach U+00FF; anything above is a larger code point.
            uint32_t approx = c >= 0xC4 ? 0x100u : 0xFFu;
            if (approx > ps->st.max_code_point) {
                ps->st.max_code_point = approx;
            }
            q += n;
            continue;
        }
        q++;
    }
    if (q >= ps->end) {
        ps->p = ps->end;
        return fail(ps, JSONV_ESYNTAX);
    }
    size_t span = (size_t)(q - s);
    if (span > UINT32_MAX) {
        return fail(ps, JSONV_ESYNTAX);
    }
    char *d = (char *)s; // the parser's own writable copy of the document
    if (!escapes) {
        d[span] = '\0';
        *out = d;
        *out_len = (uint32_t)span;
        ps->p = q + 1;
        return true;
    }
    size_t o = 0;
    for (const char *r = s; r < q;) {
        if (*r != '\\') {
            d[o++] = *r++;
            continue;
        }
        char e = r[1];
        r += 2;
        switch (e) {
        case '"':
            d[o++] = '"';
            break;
        case '\\':
            d[o++] = '\\';
            break;
        case '/':
            d[o++] = '/';
            break;
        case 'b':
            d[o++] = '\b';
            ps->st.control_chars = true;
            break;
        case 'f':
            d[o++] = '\f';
            ps->st.control_chars = true;
            break;
        case 'n':
            d[o++] = '\n';
            break;
        case 'r':
            d[o++] = '\r';
            break;
        case 't':
            d[o++] = '\t';
            break;
        case 'u': {
            unsigned cp;
            if (!read_hex4(ps, r, &cp)) {
                ps->p = r;
                return fail(ps, JSONV_ESYNTAX);
            }
            r += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (q - r < 6 || r[0] != '\\' || r[1] != 'u' || !read_hex4(ps, r + 2, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF) {
                    ps->p = r;
                    return fail(ps, JSONV_ESYNTAX);
                }
                r += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
                ps->p = r;
                return fail(ps, JSONV_ESYNTAX);
            }
            if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') {
                ps->st.control_chars = true;
            }
            if (cp > ps->st.max_code_point) {
                ps->st.max_code_point = cp;
            }
            // A \u escape is 6 source bytes and yields at most 4 (or 12 yield 4): it fits.
            o += put_utf8(d + o, cp);
            break;
        }
        default:
            ps->p = r - 1;
            return fail(ps, JSONV_ESYNTAX);
        }
    }
    d[o] = '\0';
    *out = d;
    *out_len = (uint32_t)o;
    ps->p = q + 1;
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool parse_number(struct parser *ps, struct jsonv *v)
{
    const char *s = ps->p;
    const char *q = s;
    if (q < ps->end && *q == '-') {
        q++;
    }
    if (q >= ps->end || !is_digit(*q)) {
        return fail(ps, JSONV_ESYNTAX);
    }
    if (*q == '0') {
        q++;
    } else {
        while (q < ps->end && is_digit(*q)) {
            q++;
        }
    }
    if (q < ps->end && *q == '.') {
        q++;
        if (q >= ps->end || !is_digit(*q)) {
            ps->p = q;
            return fail(ps, JSONV_ESYNTAX);
        }
        while (q < ps->end && is_digit(*q)) {
            q++;
        }
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-')) {
            q++;
        }
        if (q >= ps->end || !is_digit(*q)) {
            ps->p = q;
            return fail(ps, JSONV_ESYNTAX);
        }
        while (q < ps->end && is_digit(*q)) {
            q++;
        }
    }
    size_t n = (size_t)(q - s);
    if (n > UINT32_MAX) {
        return fail(ps, JSONV_ESYNTAX);
    }
    char *text = arena_strndup(ps->a, s, n);
    v->type = JSONV_NUMBER;
    v->u.str = text;
    v->len = (uint32_t)n;
    v->num = strtod(text, NULL);
    ps->p = q;
    return true;
}

static bool parse_value(struct parser *ps, struct jsonv *v);

static bool literal(struct parser *ps, const char *word, size_t n)
{
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) {
        return fail(ps, JSONV_ESYNTAX);
    }
    ps->p += n;
    return true;
}

static bool parse_array(struct parser *ps, struct jsonv *v)
{
    ps->p++; // '['
    uint32_t count = 0;
    uint32_t cap = 0;
    struct jsonv *items = NULL;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        goto done;
    }
    for (;;) {
        if (count == cap) {
            uint32_t ncap = cap ? cap * 2 : 4;
            struct jsonv *n = arena_alloc(ps->a, (size_t)ncap * sizeof(*n));
            if (count > 0) {
                memcpy(n, items, (size_t)count * sizeof(*n));
            }
            items = n;
            cap = ncap;
        }
        if (!parse_value(ps, &items[count])) {
            return false;
        }
        count++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            break;
        }
        return fail(ps, JSONV_ESYNTAX);
    }
done:
    v->type = JSONV_ARRAY;
    v->len = count;
    v->u.items = items;
    return true;
}

static bool parse_object(struct parser *ps, struct jsonv *v)
{
    ps->p++; // '{'
    uint32_t count = 0;
    uint32_t cap = 0;
    struct jsonv_member *members = NULL;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        goto done;
    }
    for (;;) {
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != '"') {
            return fail(ps, JSONV_ESYNTAX);
        }
        if (count == cap) {
            uint32_t ncap = cap ? cap * 2 : 8;
            struct jsonv_member *n = arena_alloc(ps->a, (size_t)ncap * sizeof(*n));
            if (count > 0) {
                memcpy(n, members, (size_t)count * sizeof(*n));
            }
            members = n;
            cap = ncap;
        }
        struct jsonv_member *m = &members[count];
        const char *key_at = ps->p;
        if (!parse_string(ps, &m->key, &m->key_len)) {
            return false;
        }
        for (uint32_t i = 0; i < count; i++) {
            if (members[i].key_len == m->key_len &&
                memcmp(members[i].key, m->key, m->key_len) == 0) {
                ps->p = key_at;
                return fail(ps, JSONV_EDUPLICATE);
            }
        }
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != ':') {
            return fail(ps, JSONV_ESYNTAX);
        }
        ps->p++;
        if (!parse_value(ps, &m->value)) {
            return false;
        }
        count++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            break;
        }
        return fail(ps, JSONV_ESYNTAX);
    }
done:
    v->type = JSONV_OBJECT;
    v->len = count;
    v->u.members = members;
    return true;
}

static bool parse_value(struct parser *ps, struct jsonv *v)
{
    memset(v, 0, sizeof(*v));
    skip_ws(ps);
    if (ps->p >= ps->end) {
        return fail(ps, JSONV_ESYNTAX);
    }
    switch (*ps->p) {
    case '{':
    case '[': {
        if (++ps->depth > JSONV_MAX_DEPTH) {
            return fail(ps, JSONV_ESYNTAX);
        }
        bool ok = *ps->p == '{' ? parse_object(ps, v) : parse_array(ps, v);
        ps->depth--;
        return ok;
    }
    case '"':
        v->type = JSONV_STRING;
        return parse_string(ps, &v->u.str, &v->len);
    case 't':
        v->type = JSONV_TRUE;
        return literal(ps, "true", 4);
    case 'f':
        v->type = JSONV_FALSE;
        return literal(ps, "false", 5);
    case 'n':
        v->type = JSONV_NULL;
        return literal(ps, "null", 4);
    default:
        return parse_number(ps, v);
    }
}

// Parses a whole document; see jsonv.h for the contract.
int jsonv_parse(struct arena *a, const char *text, size_t len, const struct jsonv **out,
                size_t *err_offset, struct jsonv_stats *stats)
{
    // Strings are decoded in place in a copy of the text that lives as long as the tree.
    char *copy = arena_alloc(a, len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    struct parser ps = {.p = copy, .end = copy + len, .a = a, .err = JSONV_OK, .depth = 0};
    struct jsonv *root = arena_alloc(a, sizeof(*root));
    *out = NULL;
    if (parse_value(&ps, root)) {
        skip_ws(&ps);
        if (ps.p == ps.end) {
            *out = root;
            if (stats != NULL) {
                *stats = ps.st;
            }
            return JSONV_OK;
        }
        fail(&ps, JSONV_ESYNTAX);
    }
    if (err_offset != NULL) {
        *err_offset = (size_t)(ps.p - copy);
    }
    return ps.err;
}

// Finds a member of an object by key.
const struct jsonv *jsonv_get(const struct jsonv *v, const char *key)
{
    if (v == NULL || v->type != JSONV_OBJECT) {
        return NULL;
    }
    size_t n = strlen(key);
    for (uint32_t i = 0; i < v->len; i++) {
        const struct jsonv_member *m = &v->u.members[i];
        if (m->key_len == n && memcmp(m->key, key, n) == 0) {
            return &m->value;
        }
    }
    return NULL;
}
