// SPDX-License-Identifier: Apache-2.0
// JSON 1.1 codecs; see json11.h. Requests are parsed by jansson and then converted member by
// member along the input shape into a fresh tree, so that what handlers read always has the
// types shape.h promises. A value of the wrong JSON type is a SerializationException, worded as
// AWS's JSON services word them ("STRING_VALUE can not be converted to an Integer", "Start of
// list found where not expected", as reported by AWS SDK users).
#include "proto/json11.h"

#include "core/isotime.h"
#include "core/jsonload.h"
#include "proto/shape.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 64

// The token name AWS's messages use for a JSON value.
static const char *token_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return "STRING_VALUE";
    case JSON_INTEGER:
    case JSON_REAL:
        return "NUMBER_VALUE";
    case JSON_TRUE:
        return "TRUE_VALUE";
    case JSON_FALSE:
        return "FALSE_VALUE";
    default:
        return "VALUE_NULL";
    }
}

static int mismatch(struct awserr *err, const json_t *v, const char *type)
{
    if (json_is_array(v)) {
        return awserr_set(err, 400, "SerializationException",
                          "Start of list found where not expected");
    }
    if (json_is_object(v)) {
        return awserr_set(err, 400, "SerializationException",
                          "Start of structure or map found where not expected.");
    }
    return awserr_set(err, 400, "SerializationException", "%s can not be converted to %s",
                      token_name(v), type);
}

static int convert(const struct model_member *m, const json_t *v, int depth, json_t **out,
                   struct awserr *err);

static int convert_structure(const struct model_shape *sh, const json_t *v, int depth, json_t **out,
                             struct awserr *err)
{
    if (!json_is_object(v)) {
        return mismatch(err, v, "a Structure");
    }
    json_t *obj = json_object();
    for (uint32_t i = 0; i < sh->count; i++) {
        const struct model_member *mm = &model_members[sh->first + i];
        const char *key = model_str(mm->wire_name != 0 ? mm->wire_name : mm->name);
        const json_t *child = json_object_get(v, key);
        if (child == NULL || json_is_null(child)) {
            continue;
        }
        json_t *c = NULL;
        if (convert(mm, child, depth + 1, &c, err) != 0) {
            json_decref(obj);
            return -1;
        }
        json_object_set_new(obj, model_str(mm->name), c);
    }
    *out = obj;
    return 0;
}

static int convert(const struct model_member *m, const json_t *v, int depth, json_t **out,
                   struct awserr *err)
{
    const struct model_shape *sh = model_member_shape(m);
    *out = NULL;
    if (depth > MAX_DEPTH) {
        return awserr_set(err, 400, "SerializationException", "Input nested too deeply");
    }
    switch (sh->type) {
    case MODEL_STRUCTURE:
        return convert_structure(sh, v, depth, out, err);
    case MODEL_LIST: {
        if (!json_is_array(v)) {
            return mismatch(err, v, "a List");
        }
        const struct model_member *item = &model_members[sh->first];
        json_t *arr = json_array();
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *e = json_array_get(v, i);
            json_t *c = NULL;
            if (json_is_null(e)) {
                continue;
            }
            if (convert(item, e, depth + 1, &c, err) != 0) {
                json_decref(arr);
                return -1;
            }
            json_array_append_new(arr, c);
        }
        *out = arr;
        return 0;
    }
    case MODEL_MAP: {
        if (!json_is_object(v)) {
            return mismatch(err, v, "a Map");
        }
        const struct model_member *val = &model_members[sh->first + 1];
        json_t *obj = json_object();
        const char *k;
        const json_t *e;
        json_object_foreach((json_t *)v, k, e)
        {
            json_t *c = NULL;
            if (json_is_null(e)) {
                continue;
            }
            if (convert(val, e, depth + 1, &c, err) != 0) {
                json_decref(obj);
                return -1;
            }
            json_object_set_new(obj, k, c);
        }
        *out = obj;
        return 0;
    }
    case MODEL_STRING:
        if (!json_is_string(v)) {
            return mismatch(err, v, "a String");
        }
        *out = json_copy((json_t *)v);
        return 0;
    case MODEL_BLOB: {
        size_t n;
        if (!json_is_string(v)) {
            return mismatch(err, v, "a Blob");
        }
        if (!shape_base64_check(json_string_value(v), json_string_length(v), &n)) {
            return awserr_set(err, 400, "SerializationException",
                              "Base64 encoded value is not valid");
        }
        *out = json_copy((json_t *)v);
        return 0;
    }
    case MODEL_BOOLEAN:
        if (!json_is_boolean(v)) {
            return mismatch(err, v, "a Boolean");
        }
        *out = json_boolean(json_is_true(v));
        return 0;
    case MODEL_INTEGER:
    case MODEL_LONG: {
        bool is_long = sh->type == MODEL_LONG;
        const char *type = is_long ? "a Long" : "an Integer";
        json_int_t n;
        if (json_is_integer(v)) {
            n = json_integer_value(v);
        } else if (json_is_real(v) && shape_double_is_whole(json_real_value(v), 9.2e18)) {
            n = (json_int_t)json_real_value(v);
        } else {
            return mismatch(err, v, type);
        }
        if (!is_long && (n > INT32_MAX || n < INT32_MIN)) {
            return awserr_set(err, 400, "SerializationException",
                              "NUMBER_VALUE can not be converted to an Integer");
        }
        *out = json_integer(n);
        return 0;
    }
    case MODEL_FLOAT:
    case MODEL_DOUBLE:
        if (!json_is_number(v)) {
            return mismatch(err, v, sh->type == MODEL_FLOAT ? "a Float" : "a Double");
        }
        *out = json_real(json_number_value(v));
        return 0;
    case MODEL_TIMESTAMP: {
        int64_t ms;
        if (json_is_number(v)) {
            double d = json_number_value(v);
            if (!isfinite(d) || d > 1e14 || d < -1e14) {
                return mismatch(err, v, "a Date");
            }
            *out = json_real((double)shape_seconds_to_ms(d) / 1000.0);
            return 0;
        }
        if (json_is_string(v) &&
            isotime_parse(json_string_value(v), json_string_length(v), &ms) == 0) {
            *out = json_real((double)ms / 1000.0);
            return 0;
        }
        return mismatch(err, v, "a Date");
    }
    default:
        return mismatch(err, v, "a value");
    }
}

// Decodes a JSON 1.1 request; see json11.h.
int json11_decode(const struct proto_service *svc, const struct proto_op *op, const char *body,
                  size_t len, json_t **out, struct awserr *err)
{
    (void)svc;
    json_t *doc = NULL;
    int rc = -1;
    *out = NULL;
    size_t start = 0;
    while (start < len && (body[start] == ' ' || body[start] == '\t' || body[start] == '\n' ||
                           body[start] == '\r')) {
        start++;
    }
    if (start == len) {
        doc = json_object();
    } else {
        json_error_t jerr;
        // The arena reader first (about a tenth of jansson's cost a byte, which matters for
        // the kilobytes of base64 in KMS and S3 bodies); it accepts a subset of what
        // json_loadb(JSON_REJECT_DUPLICATES) accepts, and gives the same tree for it. What it
        // refuses (deeper nesting than JSONV_MAX_DEPTH, or text that is not JSON) goes to
        // jansson, which decides.
        doc = jsonload(body, len);
        if (doc != NULL && !json_is_object(doc) && !json_is_array(doc)) {
            json_decref(doc); // json_loadb refuses a bare scalar without JSON_DECODE_ANY
            doc = NULL;
        } else if (doc == NULL) {
            doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
        }
        if (doc == NULL) {
            awserr_set(err, 400, "SerializationException", "%s", "");
            goto out;
        }
    }
    if (!json_is_object(doc)) {
        mismatch(err, doc, "a Structure");
        goto out;
    }
    if (op->input < 0) {
        *out = json_object();
        rc = 0;
        goto out;
    }
    rc = convert_structure(&model_shapes[op->input], doc, 0, out, err);
out:
    json_decref(doc);
    return rc;
}

// Whether one of the 8 bytes at p is a control character, '"', '\\' or DEL (those json11_put_string
// escapes), by word arithmetic: with x the bytes, (x - 0x01..) & ~x & 0x80.. marks zero bytes
// (the classic haszero), applied to x ^ c for the bytes equal to c, and (x - 0x20..) & ~x &
// 0x80.. marks bytes below 0x20.
static bool needs_escape8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof(x));
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t highs = 0x8080808080808080ULL;
    uint64_t q = x ^ (ones * '"');
    uint64_t b = x ^ (ones * '\\');
    uint64_t d = x ^ (ones * 0x7F);
    uint64_t hit =
        ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | ((d - ones) & ~d);
    return (hit & highs) != 0;
}

// Writes a JSON string; see json11.h.
void json11_put_string(struct buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(out, '"');
    size_t run = 0;
    size_t i = 0;
    for (;;) {
        // Eight bytes at a time while none of them needs escaping (the common case: copied
        // with the run), then byte by byte.
        while (i + 8 <= len && !needs_escape8(s + i)) {
            i += 8;
        }
        if (i >= len) {
            break;
        }
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F) {
            i++;
            continue;
        }
        const char *rep = NULL;
        char u[7];
        if (c == '"') {
            rep = "\\\"";
        } else if (c == '\\') {
            rep = "\\\\";
        } else if (c == '\n') {
            rep = "\\n";
        } else if (c == '\r') {
            rep = "\\r";
        } else if (c == '\t') {
            rep = "\\t";
        } else if (c == '\b') {
            rep = "\\b";
        } else if (c == '\f') {
            rep = "\\f";
        } else if (c < 0x20 || c == 0x7F) {
            u[0] = '\\';
            u[1] = 'u';
            u[2] = '0';
            u[3] = '0';
            u[4] = hex[c >> 4];
            u[5] = hex[c & 0x0F];
            u[6] = '\0';
            rep = u;
        }
        if (rep != NULL) {
            buf_append(out, s + run, i - run);
            buf_puts(out, rep);
            run = i + 1;
        }
        i++;
    }
    buf_append(out, s + run, len - run);
    buf_putc(out, '"');
}

static int encode(struct buf *b, const struct model_member *m, const json_t *v, int depth);

static int encode_structure(struct buf *b, const struct model_shape *sh, const json_t *v, int depth)
{
    if (!json_is_object(v)) {
        return -1;
    }
    buf_putc(b, '{');
    bool first = true;
    for (uint32_t i = 0; i < sh->count; i++) {
        const struct model_member *mm = &model_members[sh->first + i];
        const json_t *child = json_object_get(v, model_str(mm->name));
        if (child == NULL || json_is_null(child)) {
            continue;
        }
        if (!first) {
            buf_putc(b, ',');
        }
        first = false;
        const char *key = model_str(mm->wire_name != 0 ? mm->wire_name : mm->name);
        json11_put_string(b, key, strlen(key));
        buf_putc(b, ':');
        if (encode(b, mm, child, depth + 1) != 0) {
            return -1;
        }
    }
    buf_putc(b, '}');
    return 0;
}

static int encode(struct buf *b, const struct model_member *m, const json_t *v, int depth)
{
    const struct model_shape *sh = model_member_shape(m);
    char tmp[64];
    if (depth > MAX_DEPTH * 2) {
        return -1;
    }
    switch (sh->type) {
    case MODEL_STRUCTURE:
        return encode_structure(b, sh, v, depth);
    case MODEL_LIST: {
        if (!json_is_array(v)) {
            return -1;
        }
        const struct model_member *item = &model_members[sh->first];
        buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i > 0) {
                buf_putc(b, ',');
            }
            if (encode(b, item, json_array_get(v, i), depth + 1) != 0) {
                return -1;
            }
        }
        buf_putc(b, ']');
        return 0;
    }
    case MODEL_MAP: {
        if (!json_is_object(v)) {
            return -1;
        }
        const struct model_member *val = &model_members[sh->first + 1];
        buf_putc(b, '{');
        bool first = true;
        const char *k;
        const json_t *e;
        json_object_foreach((json_t *)v, k, e)
        {
            if (!first) {
                buf_putc(b, ',');
            }
            first = false;
            json11_put_string(b, k, strlen(k));
            buf_putc(b, ':');
            if (encode(b, val, e, depth + 1) != 0) {
                return -1;
            }
        }
        buf_putc(b, '}');
        return 0;
    }
    case MODEL_STRING:
    case MODEL_BLOB:
        if (!json_is_string(v)) {
            return -1;
        }
        json11_put_string(b, json_string_value(v), json_string_length(v));
        return 0;
    case MODEL_BOOLEAN:
        if (!json_is_boolean(v)) {
            return -1;
        }
        buf_puts(b, json_is_true(v) ? "true" : "false");
        return 0;
    case MODEL_INTEGER:
    case MODEL_LONG: {
        double d = json_number_value(v);
        if (json_is_integer(v)) {
            buf_printf(b, "%lld", (long long)json_integer_value(v));
        } else if (json_is_real(v) && shape_double_is_whole(d, 9e18)) {
            buf_printf(b, "%lld", (long long)d);
        } else {
            return -1;
        }
        return 0;
    }
    case MODEL_FLOAT:
    case MODEL_DOUBLE: {
        if (!json_is_number(v) || !isfinite(json_number_value(v))) {
            return -1;
        }
        buf_append(b, tmp, shape_format_double(json_number_value(v), tmp, sizeof(tmp)));
        return 0;
    }
    case MODEL_TIMESTAMP: {
        int64_t ms;
        if (shape_timestamp_ms(v, &ms) != 0) {
            return -1;
        }
        uint8_t fmt = m->ts_format != 0 ? m->ts_format : sh->ts_format;
        if (fmt == MODEL_TS_ISO8601) {
            size_t k = shape_format_iso8601(ms, tmp, sizeof(tmp));
            json11_put_string(b, tmp, k);
        } else {
            buf_append(b, tmp, shape_format_epoch(ms, tmp, sizeof(tmp)));
        }
        return 0;
    }
    default:
        return -1;
    }
}

// Encodes a tree along a structure shape; see json11.h.
int json11_encode_structure(const struct model_shape *sh, const json_t *tree, struct buf *body)
{
    return encode_structure(body, sh, tree, 0);
}

// Writes a JSON 1.1 response; see json11.h.
int json11_encode_response(const struct proto_service *svc, const struct proto_op *op,
                           const json_t *out, struct buf *body)
{
    (void)svc;
    if (op->output < 0 || out == NULL) {
        buf_puts(body, "{}");
        return 0;
    }
    return encode_structure(body, &model_shapes[op->output], out, 0);
}

// The key of the message in svc's error bodies for code: the member name of the modeled error
// shape when it has one ("Message" in SageMaker and SSM, "message" in KMS and Logs).
static const char *message_key(const struct proto_service *svc, const char *code)
{
    if (svc == NULL) {
        return "message";
    }
    for (uint32_t i = 0; i < svc->shape_count; i++) {
        const struct model_shape *sh = &model_shapes[svc->shape_first + i];
        if (!(sh->flags & MODEL_SHAPE_EXCEPTION)) {
            continue;
        }
        const char *c = model_str(sh->error_code != 0 ? sh->error_code : sh->name);
        if (strcmp(c, code) != 0) {
            continue;
        }
        for (uint32_t k = 0; k < sh->count; k++) {
            const char *n = model_str(model_members[sh->first + k].name);
            if (strcmp(n, "Message") == 0 || strcmp(n, "message") == 0) {
                return n;
            }
        }
    }
    return "message";
}

// Writes a JSON error body; see json11.h.
void json11_encode_error(const struct proto_service *svc, const struct awserr *e, struct buf *body)
{
    buf_puts(body, "{\"__type\":");
    json11_put_string(body, e->code, strlen(e->code));
    if (e->message[0] != '\0') {
        const char *key = message_key(svc, e->code);
        buf_putc(body, ',');
        json11_put_string(body, key, strlen(key));
        buf_putc(body, ':');
        json11_put_string(body, e->message, strlen(e->message));
    }
    buf_putc(body, '}');
}
