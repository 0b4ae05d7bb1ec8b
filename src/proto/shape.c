// SPDX-License-Identifier: Apache-2.0
// Validation of typed request trees against the service model, and the value helpers the
// codecs share (base64, UTF-8, timestamps, numbers, wire names). See shape.h.
//
// AWS's request validation (the frameworks behind the Query and JSON services) reports each
// failed constraint as "Value '<value>' at '<path>' failed to satisfy constraint: <constraint>",
// where the path is the member names with their first letter lower-cased, joined by '.', a list
// element adding ".<n>.member" (1-based), and counts them: "1 validation error detected: ...",
// "2 validation errors detected: ...; ...". Sensitive values are left out ("Value at '...'"),
// a missing required member reads "Value null at '...' ... Member must not be null". The
// wordings used here are those AWS services return, as quoted in AWS SDK issues and user
// reports: "Member must have length less than or equal to 64", "Member must have length
// greater than or equal to 1", "Member must satisfy regular expression pattern: ...", "Member
// must satisfy enum value set: [a, b]", "Member must have value greater than or equal to 1".
// EC2 reports one problem: MissingParameter "The request must contain the parameter X", or
// InvalidParameterValue "Value (x) for parameter X is invalid." (EC2 API reference, "Error codes
// for the Amazon EC2 API").
#include "proto/shape.h"

#include "core/arena.h"
#include "core/isotime.h"
#include "proto/jregex.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// Compiled patterns, one slot per model_patterns entry: NULL until first use, REFUSED when the
// matcher cannot evaluate the pattern, else the program. Slots are filled lock-free (the loser
// of a race frees its copy) and live as long as the process.
static char refused_marker;
#define REFUSED ((struct jregex *)(void *)&refused_marker)
static _Atomic(struct jregex *) *pattern_cache;
static pthread_once_t pattern_once = PTHREAD_ONCE_INIT;

static void pattern_cache_init(void)
{
    pattern_cache = sb_xcalloc(model_pattern_count + 1, sizeof(*pattern_cache));
}

// Returns the compiled pattern idx, or NULL when it cannot be evaluated.
static const struct jregex *pattern_get(int32_t idx)
{
    pthread_once(&pattern_once, pattern_cache_init);
    struct jregex *cur = atomic_load_explicit(&pattern_cache[idx], memory_order_acquire);
    if (cur == NULL) {
        const char *pat = model_str(model_patterns[idx]);
        struct jregex *re = NULL;
        struct jregex *mine = REFUSED;
        if (jregex_compile(pat, strlen(pat), &re, NULL) == 0) {
            mine = re;
        }
        struct jregex *expected = NULL;
        if (atomic_compare_exchange_strong_explicit(&pattern_cache[idx], &expected, mine,
                                                    memory_order_acq_rel, memory_order_acquire)) {
            cur = mine;
        } else {
            jregex_free(re);
            cur = expected;
        }
    }
    return cur == REFUSED ? NULL : cur;
}

struct vstate {
    bool ec2;
    int count;       // violations found
    struct buf msg;  // Query/JSON: the joined violations
    struct buf path; // the current path
    struct awserr *ec2_err;
};

// Appends the value as AWS quotes it, or returns false when it is not shown (structures, lists
// holding structures).
static bool render_value(struct buf *b, const json_t *v)
{
    char tmp[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        buf_append(b, json_string_value(v), json_string_length(v));
        return true;
    case JSON_INTEGER:
        buf_printf(b, "%lld", (long long)json_integer_value(v));
        return true;
    case JSON_REAL:
        shape_format_double(json_real_value(v), tmp, sizeof(tmp));
        buf_puts(b, tmp);
        return true;
    case JSON_TRUE:
        buf_puts(b, "true");
        return true;
    case JSON_FALSE:
        buf_puts(b, "false");
        return true;
    case JSON_ARRAY: {
        // Java's List.toString: "[a, b]".
        size_t mark = b->len;
        buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *e = json_array_get(v, i);
            if (i > 0) {
                buf_puts(b, ", ");
            }
            if (json_is_array(e) || json_is_object(e) || !render_value(b, e)) {
                b->len = mark;
                b->data[mark] = '\0';
                return false;
            }
        }
        buf_putc(b, ']');
        return true;
    }
    default:
        return false;
    }
}

static void format_limit(double d, char *out, size_t cap)
{
    if (shape_double_is_whole(d, 9e15)) {
        snprintf(out, cap, "%lld", (long long)d);
    } else {
        shape_format_double(d, out, cap);
    }
}

// Records one violation of value v (NULL: missing) at the current path.
static void violation(struct vstate *st, const json_t *v, bool sensitive, const char *constraint)
{
    st->count++;
    if (st->ec2) {
        if (st->count > 1) {
            return;
        }
        if (v == NULL) {
            awserr_set(st->ec2_err, 400, "MissingParameter",
                       "The request must contain the parameter %s", buf_cstr(&st->path));
            return;
        }
        struct buf shown = BUF_INIT;
        if (sensitive || !render_value(&shown, v)) {
            buf_reset(&shown);
        }
        awserr_set(st->ec2_err, 400, "InvalidParameterValue",
                   "Value (%s) for parameter %s is invalid. %s", buf_cstr(&shown),
                   buf_cstr(&st->path), constraint);
        buf_free(&shown);
        return;
    }
    if (st->count > 1) {
        buf_puts(&st->msg, "; ");
    }
    if (v == NULL) {
        buf_puts(&st->msg, "Value null at '");
    } else {
        size_t mark = st->msg.len;
        buf_puts(&st->msg, "Value '");
        if (sensitive || !render_value(&st->msg, v)) {
            st->msg.len = mark;
            st->msg.data[mark] = '\0';
            buf_puts(&st->msg, "Value at '");
        } else {
            buf_puts(&st->msg, "' at '");
        }
    }
    buf_puts(&st->msg, buf_cstr(&st->path));
    buf_puts(&st->msg, "' failed to satisfy constraint: ");
    buf_puts(&st->msg, constraint);
}

// Checks a length or size against the shape's min and max.
static void check_length(struct vstate *st, const struct model_shape *sh, const json_t *v,
                         bool sensitive, double len)
{
    char lim[48];
    char text[128];
    if ((sh->flags & MODEL_SHAPE_HAS_MAX) && len > sh->max) {
        format_limit(sh->max, lim, sizeof(lim));
        snprintf(text, sizeof(text), "Member must have length less than or equal to %s", lim);
        violation(st, v, sensitive, text);
    }
    if ((sh->flags & MODEL_SHAPE_HAS_MIN) && len < sh->min) {
        format_limit(sh->min, lim, sizeof(lim));
        snprintf(text, sizeof(text), "Member must have length greater than or equal to %s", lim);
        violation(st, v, sensitive, text);
    }
}

static void check_range(struct vstate *st, const struct model_shape *sh, const json_t *v,
                        bool sensitive, double x)
{
    char lim[48];
    char text[128];
    if ((sh->flags & MODEL_SHAPE_HAS_MAX) && x > sh->max) {
        format_limit(sh->max, lim, sizeof(lim));
        snprintf(text, sizeof(text), "Member must have value less than or equal to %s", lim);
        violation(st, v, sensitive, text);
    }
    if ((sh->flags & MODEL_SHAPE_HAS_MIN) && x < sh->min) {
        format_limit(sh->min, lim, sizeof(lim));
        snprintf(text, sizeof(text), "Member must have value greater than or equal to %s", lim);
        violation(st, v, sensitive, text);
    }
}

static void check_string(struct vstate *st, const struct model_shape *sh, const json_t *v,
                         bool sensitive)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (sh->pattern >= 0) {
        const struct jregex *re = pattern_get(sh->pattern);
        if (re != NULL && jregex_match(re, s, len) == 0) {
            struct buf text = BUF_INIT;
            buf_puts(&text, "Member must satisfy regular expression pattern: ");
            buf_puts(&text, model_str(model_patterns[sh->pattern]));
            violation(st, v, sensitive, buf_cstr(&text));
            buf_free(&text);
        }
    }
    check_length(st, sh, v, sensitive, (double)shape_utf16_length(s, len));
    if (sh->count > 0) {
        for (uint32_t i = 0; i < sh->count; i++) {
            const char *e = model_str(model_enum_values[sh->first + i]);
            if (strlen(e) == len && memcmp(e, s, len) == 0) {
                return;
            }
        }
        struct buf text = BUF_INIT;
        buf_puts(&text, "Member must satisfy enum value set: [");
        for (uint32_t i = 0; i < sh->count; i++) {
            buf_puts(&text, i > 0 ? ", " : "");
            buf_puts(&text, model_str(model_enum_values[sh->first + i]));
        }
        buf_putc(&text, ']');
        violation(st, v, sensitive, buf_cstr(&text));
        buf_free(&text);
    }
}

// Appends the path segment of a structure member: lowerCamel member name (EC2: its input name).
static void push_member(struct vstate *st, const struct model_member *m)
{
    if (st->path.len > 0) {
        buf_putc(&st->path, '.');
    }
    if (st->ec2) {
        char tmp[128];
        buf_puts(&st->path, shape_wire_name(m, MODEL_EC2, true, tmp, sizeof(tmp)));
        return;
    }
    const char *name = model_str(m->name);
    size_t at = st->path.len;
    buf_puts(&st->path, name);
    if (st->path.data[at] >= 'A' && st->path.data[at] <= 'Z') {
        st->path.data[at] = (char)(st->path.data[at] - 'A' + 'a');
    }
}

static void truncate_path(struct vstate *st, size_t len)
{
    st->path.len = len;
    if (st->path.data != NULL) {
        st->path.data[len] = '\0';
    }
}

static void check_value(struct vstate *st, const struct model_member *m, const json_t *v,
                        int depth);

static void check_structure(struct vstate *st, const struct model_shape *sh, const json_t *v,
                            int depth)
{
    for (uint32_t i = 0; i < sh->count; i++) {
        const struct model_member *mm = &model_members[sh->first + i];
        const json_t *child = json_object_get(v, model_str(mm->name));
        size_t mark = st->path.len;
        push_member(st, mm);
        if (child == NULL || json_is_null(child)) {
            if (mm->flags & MODEL_MEMBER_REQUIRED) {
                violation(st, NULL, false, "Member must not be null");
            }
        } else {
            check_value(st, mm, child, depth + 1);
        }
        truncate_path(st, mark);
    }
}

static void check_value(struct vstate *st, const struct model_member *m, const json_t *v, int depth)
{
    const struct model_shape *sh = model_member_shape(m);
    bool sensitive = (m->flags & MODEL_MEMBER_SENSITIVE) || (sh->flags & MODEL_SHAPE_SENSITIVE);
    if (depth > 64) {
        return; // decoders stop far earlier; this only bounds the recursion
    }
    switch (sh->type) {
    case MODEL_STRING:
        if (json_is_string(v)) {
            check_string(st, sh, v, sensitive);
        }
        break;
    case MODEL_BLOB: {
        size_t n = 0;
        if (json_is_string(v) &&
            shape_base64_check(json_string_value(v), json_string_length(v), &n)) {
            check_length(st, sh, v, sensitive, (double)n);
        }
        break;
    }
    case MODEL_INTEGER:
    case MODEL_LONG:
    case MODEL_FLOAT:
    case MODEL_DOUBLE:
        if (json_is_number(v)) {
            check_range(st, sh, v, sensitive, json_number_value(v));
        }
        break;
    case MODEL_LIST: {
        if (!json_is_array(v)) {
            break;
        }
        check_length(st, sh, v, sensitive, (double)json_array_size(v));
        const struct model_member *item = &model_members[sh->first];
        for (size_t i = 0; i < json_array_size(v); i++) {
            size_t mark = st->path.len;
            buf_printf(&st->path, st->ec2 ? ".%zu" : ".%zu.member", i + 1);
            check_value(st, item, json_array_get(v, i), depth + 1);
            truncate_path(st, mark);
        }
        break;
    }
    case MODEL_MAP: {
        if (!json_is_object(v)) {
            break;
        }
        check_length(st, sh, v, sensitive, (double)json_object_size(v));
        const struct model_member *key = &model_members[sh->first];
        const struct model_member *val = &model_members[sh->first + 1];
        const char *k;
        const json_t *e;
        json_object_foreach((json_t *)v, k, e)
        {
            json_t *kv = json_string(k);
            size_t mark = st->path.len;
            check_value(st, key, kv, depth + 1);
            buf_putc(&st->path, '.');
            buf_puts(&st->path, k);
            check_value(st, val, e, depth + 1);
            truncate_path(st, mark);
            json_decref(kv);
        }
        break;
    }
    case MODEL_STRUCTURE:
        if (json_is_object(v)) {
            check_structure(st, sh, v, depth);
        }
        break;
    default:
        break;
    }
}

// Validates a request tree; see shape.h.
int shape_validate(const struct proto_service *svc, const struct model_shape *shape,
                   const json_t *tree, struct awserr *err)
{
    struct vstate st = {.ec2 = svc->protocol == MODEL_EC2, .ec2_err = err};
    int rc = 0;
    check_structure(&st, shape, tree, 0);
    if (st.count == 0) {
        goto out;
    }
    rc = -1;
    if (st.ec2) {
        goto out;
    }
    const char *code = svc->protocol == MODEL_JSON ? "ValidationException" : "ValidationError";
    // CloudWatch Logs reports its constraint failures as InvalidParameterException
    // ("InvalidParameterException: 1 validation error detected: Value ... at
    // 'logGroupNamePrefix' failed to satisfy constraint: ...", fluent-plugin-cloudwatch-logs#223).
    if (strcmp(model_str(svc->name), "logs") == 0) {
        code = "InvalidParameterException";
    }
    awserr_set(err, 400, code, "%d validation error%s detected: %s", st.count,
               st.count == 1 ? "" : "s", buf_cstr(&st.msg));
out:
    buf_free(&st.msg);
    buf_free(&st.path);
    return rc;
}

// clang-format off
// The value of each byte as a base64 digit (RFC 4648 table 1), -1 for bytes that are not one.
static const signed char b64_digit[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
    -1,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};
// clang-format on

static int b64_value(unsigned char c)
{
    return b64_digit[c];
}

// Checks strict base64; see shape.h.
bool shape_base64_check(const char *s, size_t len, size_t *decoded_len)
{
    if (len % 4 != 0) {
        return false;
    }
    size_t pad = 0;
    if (len >= 4 && s[len - 1] == '=') {
        pad = s[len - 2] == '=' ? 2 : 1;
    }
    // A byte that is not a digit makes the OR negative (-1 has every bit set).
    int any = 0;
    for (size_t i = 0; i < len - pad; i++) {
        any |= b64_value((unsigned char)s[i]);
    }
    if (any < 0) {
        return false;
    }
    // The bits beyond the last byte must be zero (RFC 4648 section 3.5, canonical encoding).
    if (pad == 2 && (b64_value((unsigned char)s[len - 3]) & 0x0F) != 0) {
        return false;
    }
    if (pad == 1 && (b64_value((unsigned char)s[len - 2]) & 0x03) != 0) {
        return false;
    }
    *decoded_len = len / 4 * 3 - pad;
    return true;
}

// Checks UTF-8; see shape.h.
bool shape_utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = u[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        uint32_t min;
        if ((c & 0xE0) == 0xC0) {
            n = 2;
            cp = c & 0x1Fu;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 3;
            cp = c & 0x0Fu;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 4;
            cp = c & 0x07u;
            min = 0x10000;
        } else {
            return false;
        }
        if (len - i < n) {
            return false;
        }
        for (size_t k = 1; k < n; k++) {
            if ((u[i + k] & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (u[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += n;
    }
    return true;
}

// Counts UTF-16 code units; see shape.h.
size_t shape_utf16_length(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80) {
            n += (c >= 0xF0) ? 2 : 1; // a 4-byte sequence is a surrogate pair in UTF-16
        }
    }
    return n;
}

// Reads an output timestamp; see shape.h.
int shape_timestamp_ms(const json_t *v, int64_t *ms)
{
    if (json_is_integer(v)) {
        json_int_t secs = json_integer_value(v);
        if (secs > INT64_MAX / 1000 || secs < INT64_MIN / 1000) {
            return -1;
        }
        *ms = (int64_t)secs * 1000;
        return 0;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d) || d > 1e14 || d < -1e14) {
            return -1;
        }
        *ms = shape_seconds_to_ms(d);
        return 0;
    }
    if (json_is_string(v)) {
        return isotime_parse(json_string_value(v), json_string_length(v), ms);
    }
    return -1;
}

// Tests for a whole number; see shape.h.
bool shape_double_is_whole(double d, double limit)
{
    return isfinite(d) && d > -limit && d < limit && d == (double)(int64_t)d;
}

// Rounds seconds to milliseconds; see shape.h.
int64_t shape_seconds_to_ms(double secs)
{
    double x = secs * 1000.0;
    return x >= 0 ? (int64_t)(x + 0.5) : -(int64_t)(-x + 0.5);
}

// Splits ms into whole seconds and a non-negative millisecond remainder.
static void split_ms(int64_t ms, time_t *secs, int *millis)
{
    int64_t s = ms / 1000;
    int64_t r = ms % 1000;
    if (r < 0) {
        r += 1000;
        s -= 1;
    }
    *secs = (time_t)s;
    *millis = (int)r;
}

// Formats ISO 8601 with milliseconds; see shape.h.
size_t shape_format_iso8601(int64_t ms, char *out, size_t cap)
{
    time_t secs;
    int millis;
    split_ms(ms, &secs, &millis);
    struct isotime_fields f;
    isotime_split((int64_t)secs, &f);
    if (f.year < 0 || f.year > 9999 || cap < 25) {
        int n = snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02u.%03dZ", (long long)f.year,
                         f.month, f.day, f.hour, f.minute, f.second, millis);
        return n < 0 ? 0 : (size_t)n;
    }
    // The common case without printf (it runs for every timestamp of every response).
    int parts[] = {(int)f.year,   (int)f.month,  (int)f.day, (int)f.hour,
                   (int)f.minute, (int)f.second, millis};
    static const int widths[] = {4, 2, 2, 2, 2, 2, 3};
    static const char seps[] = "--T::.Z";
    size_t o = 0;
    for (size_t i = 0; i < 7; i++) {
        for (int d = widths[i] - 1, v = parts[i]; d >= 0; d--, v /= 10) {
            out[o + (size_t)d] = (char)('0' + v % 10);
        }
        o += (size_t)widths[i];
        out[o++] = seps[i];
    }
    out[o] = '\0';
    return o;
}

// Formats epoch seconds; see shape.h.
size_t shape_format_epoch(int64_t ms, char *out, size_t cap)
{
    time_t secs;
    int millis;
    split_ms(ms, &secs, &millis);
    int n;
    if (millis == 0) {
        n = snprintf(out, cap, "%lld", (long long)secs);
    } else if (secs < 0) {
        // -1.5 s is secs -2, millis 500: print the exact value with its sign.
        n = snprintf(out, cap, "-%lld.%03d", (long long)(-(secs + 1)), 1000 - millis);
    } else {
        n = snprintf(out, cap, "%lld.%03d", (long long)secs, millis);
    }
    if (n > 0 && millis != 0) {
        while (n > 0 && out[n - 1] == '0') {
            out[--n] = '\0';
        }
    }
    return n < 0 ? 0 : (size_t)n;
}

// Formats a double in its shortest round-trip form; see shape.h.
size_t shape_format_double(double d, char *out, size_t cap)
{
    int n = 0;
    if (!isfinite(d)) {
        n = snprintf(out, cap, "%s", isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
        return n < 0 ? 0 : (size_t)n;
    }
    for (int prec = 1; prec <= 17; prec++) {
        n = snprintf(out, cap, "%.*g", prec, d);
        if (n > 0 && (size_t)n < cap && strtod(out, NULL) == d) {
            break;
        }
    }
    return n < 0 ? 0 : (size_t)n;
}

// Picks a member's wire name; see shape.h.
const char *shape_wire_name(const struct model_member *m, enum model_protocol protocol, bool input,
                            char *out, size_t cap)
{
    if (protocol == MODEL_EC2 && input) {
        // botocore serialize.py EC2Serializer._get_serialized_name.
        if (m->query_name != 0) {
            return model_str(m->query_name);
        }
        if (m->wire_name != 0) {
            const char *w = model_str(m->wire_name);
            snprintf(out, cap, "%s", w);
            if (out[0] >= 'a' && out[0] <= 'z') {
                out[0] = (char)(out[0] - 'a' + 'A');
            }
            return out;
        }
        return model_str(m->name);
    }
    return model_str(m->wire_name != 0 ? m->wire_name : m->name);
}
