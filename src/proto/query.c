// SPDX-License-Identifier: Apache-2.0
// Query and EC2 protocol codecs; see query.h. The request side is shape-driven: the form is
// parsed once into decoded name/value pairs sorted by name, then the input shape is walked and
// each member looks up its own names (a binary search to the first name with its prefix), so
// unknown parameters cost nothing and recursion only follows names the request really has.
// Type errors of Query services are MalformedInput, as AWS's Query services answer
// "boolean must follow xsd1.1 definition" for a boolean that is not xsd:boolean (XML Schema 1.1
// Part 2, section 3.3.2, whose lexical space is true, false, 1 and 0).
#include "proto/query.h"
#include "core/strjoin.h"

#include "core/arena.h"
#include "core/isotime.h"
#include "proto/shape.h"
#include "proto/xmlw.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32      // nesting of structures, lists and maps in a request
#define MAX_PAIRS 100000  // parameters in one form
#define MAX_INDEX 1000000 // list and map indices

struct fpair {
    const char *key;
    size_t klen;
    const char *val;
    size_t vlen;
    size_t order; // position in the form, so that the last of equal names wins
};

struct qctx {
    const struct proto_service *svc;
    bool ec2;
    struct fpair *pairs;
    size_t n;
    struct arena *a;
    struct awserr *err;
};

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

// Decodes application/x-www-form-urlencoded text ('+' is a space, %XX a byte; a '%' not
// followed by two hex digits stays as it is) into dst, which has room for len bytes.
static size_t form_unescape(const char *s, size_t len, char *dst)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            dst[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            dst[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            dst[o++] = s[i];
        }
    }
    dst[o] = '\0';
    return o;
}

static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = memcmp(a, b, n);
    if (c != 0) {
        return c;
    }
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static int cmp_pair(const void *pa, const void *pb)
{
    const struct fpair *a = pa;
    const struct fpair *b = pb;
    int c = cmp_bytes(a->key, a->klen, b->key, b->klen);
    if (c != 0) {
        return c;
    }
    return a->order < b->order ? -1 : a->order > b->order ? 1 : 0;
}

// Splits and decodes the form into x->pairs, sorted by name.
static int parse_form(struct qctx *x, const char *body, size_t len)
{
    size_t cap = 1;
    for (size_t i = 0; i < len; i++) {
        cap += body[i] == '&';
    }
    if (cap > MAX_PAIRS) {
        return awserr_set(x->err, 400, "MalformedInput", "Too many parameters");
    }
    x->pairs = arena_alloc(x->a, cap * sizeof(struct fpair));
    x->n = 0;
    size_t i = 0;
    while (i <= len) {
        const char *start = body + i;
        const char *amp = memchr(start, '&', len - i);
        size_t plen = amp != NULL ? (size_t)(amp - start) : len - i;
        if (plen > 0) {
            const char *eq = memchr(start, '=', plen);
            size_t klen = eq != NULL ? (size_t)(eq - start) : plen;
            const char *v = eq != NULL ? eq + 1 : start + plen;
            size_t vlen = eq != NULL ? plen - klen - 1 : 0;
            struct fpair *p = &x->pairs[x->n];
            char *kd = arena_alloc(x->a, klen + 1);
            char *vd = arena_alloc(x->a, vlen + 1);
            p->klen = form_unescape(start, klen, kd);
            p->vlen = form_unescape(v, vlen, vd);
            p->key = kd;
            p->val = vd;
            p->order = x->n;
            x->n++;
        }
        i += plen + 1;
    }
    qsort(x->pairs, x->n, sizeof(struct fpair), cmp_pair);
    return 0;
}

// The first pair whose name is not below prefix.
static size_t lower_bound(const struct qctx *x, const char *prefix, size_t plen)
{
    size_t lo = 0;
    size_t hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_bytes(x->pairs[mid].key, x->pairs[mid].klen, prefix, plen) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static bool has_prefix(const struct fpair *p, const char *prefix, size_t plen)
{
    return p->klen >= plen && memcmp(p->key, prefix, plen) == 0;
}

// The pairs whose names start with prefix: [*lo, *hi).
static void prefix_range(const struct qctx *x, const char *prefix, size_t plen, size_t *lo,
                         size_t *hi)
{
    size_t a = lower_bound(x, prefix, plen);
    size_t b = a;
    while (b < x->n && has_prefix(&x->pairs[b], prefix, plen)) {
        b++;
    }
    *lo = a;
    *hi = b;
}

// The last pair named exactly name, or NULL.
static const struct fpair *find_exact(const struct qctx *x, const char *name, size_t nlen)
{
    size_t i = lower_bound(x, name, nlen);
    const struct fpair *found = NULL;
    while (i < x->n && x->pairs[i].klen == nlen && memcmp(x->pairs[i].key, name, nlen) == 0) {
        found = &x->pairs[i];
        i++;
    }
    return found;
}

// prefix + "." + name, or name when prefix is empty, in the arena.
static char *join(struct arena *a, const char *prefix, const char *name)
{
    size_t pl = strlen(prefix);
    size_t nl = strlen(name);
    char *s = arena_alloc(a, pl + nl + 2);
    size_t o = 0;
    if (pl > 0) {
        memcpy(s, prefix, pl);
        s[pl] = '.';
        o = pl + 1;
    }
    memcpy(s + o, name, nl);
    s[o + nl] = '\0';
    return s;
}

static int cmp_index(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

// Collects the distinct indices N of names "<prefix>.N" or "<prefix>.N.<more>", ascending.
static uint32_t *collect_indices(const struct qctx *x, const char *prefix, size_t *count)
{
    char *dotted = join(x->a, prefix, "");
    size_t dl = strlen(dotted);
    size_t lo;
    size_t hi;
    prefix_range(x, dotted, dl, &lo, &hi);
    uint32_t *idx = arena_alloc(x->a, (hi - lo + 1) * sizeof(uint32_t));
    size_t n = 0;
    for (size_t i = lo; i < hi; i++) {
        const char *k = x->pairs[i].key + dl;
        size_t rest = x->pairs[i].klen - dl;
        size_t d = 0;
        uint32_t v = 0;
        while (d < rest && k[d] >= '0' && k[d] <= '9' && v <= MAX_INDEX) {
            v = v * 10 + (uint32_t)(k[d] - '0');
            d++;
        }
        if (d == 0 || v == 0 || v > MAX_INDEX || (d < rest && k[d] != '.')) {
            continue;
        }
        idx[n++] = v;
    }
    qsort(idx, n, sizeof(uint32_t), cmp_index);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        if (u == 0 || idx[u - 1] != idx[i]) {
            idx[u++] = idx[i];
        }
    }
    *count = u;
    return idx;
}

// The member's name in the request: Query uses locationName else the member name; EC2 its
// queryName rules (shape_wire_name).
static const char *input_name(const struct qctx *x, const struct model_member *m)
{
    char tmp[160];
    const char *n = shape_wire_name(m, x->ec2 ? MODEL_EC2 : MODEL_QUERY, true, tmp, sizeof(tmp));
    return n == tmp ? arena_strndup(x->a, tmp, strlen(tmp)) : n;
}

static int type_error(struct qctx *x, const char *name, const struct fpair *p, const char *xsd_type)
{
    if (x->ec2) {
        return awserr_set(x->err, 400, "InvalidParameterValue",
                          "Value (%.*s) for parameter %s is invalid.",
                          (int)(p->vlen > 256 ? 256 : p->vlen), p->val, name);
    }
    (void)name;
    return awserr_set(x->err, 400, "MalformedInput", "%s must follow xsd1.1 definition", xsd_type);
}

// Converts the text of a scalar parameter.
static int decode_scalar(struct qctx *x, const struct model_shape *sh, const char *name,
                         const struct fpair *p, json_t **out)
{
    const char *v = p->val;
    size_t len = p->vlen;
    switch (sh->type) {
    case MODEL_STRING:
        if (!shape_utf8_valid(v, len) || memchr(v, '\0', len) != NULL) {
            return awserr_set(x->err, 400, "MalformedInput",
                              "Invalid UTF-8 in the value of parameter %s", name);
        }
        *out = json_stringn(v, len);
        return 0;
    case MODEL_BLOB: {
        size_t n;
        if (!shape_base64_check(v, len, &n)) {
            return type_error(x, name, p, "base64Binary");
        }
        *out = json_stringn(v, len);
        return 0;
    }
    case MODEL_BOOLEAN:
        if ((len == 4 && memcmp(v, "true", 4) == 0) || (len == 1 && v[0] == '1')) {
            *out = json_true();
            return 0;
        }
        if ((len == 5 && memcmp(v, "false", 5) == 0) || (len == 1 && v[0] == '0')) {
            *out = json_false();
            return 0;
        }
        return type_error(x, name, p, "boolean");
    case MODEL_INTEGER:
    case MODEL_LONG: {
        bool is_long = sh->type == MODEL_LONG;
        char *end = NULL;
        errno = 0;
        long long n = len > 0 && len < 32 ? strtoll(v, &end, 10) : 0;
        bool ok = len > 0 && len < 32 && end == v + len && errno == 0 && v[0] != ' ' &&
                  v[0] != '\t' && v[0] != '\n' && v[0] != '+';
        if (ok && !is_long && (n > INT32_MAX || n < INT32_MIN)) {
            ok = false;
        }
        if (!ok) {
            return type_error(x, name, p, is_long ? "long" : "int");
        }
        *out = json_integer((json_int_t)n);
        return 0;
    }
    case MODEL_FLOAT:
    case MODEL_DOUBLE: {
        char *end = NULL;
        double d = len > 0 && len < 64 && !(v[0] == ' ' || v[0] == '\t' || v[0] == '\n')
                       ? strtod(v, &end)
                       : 0;
        if (end != v + len || len == 0 || !isfinite(d)) {
            return type_error(x, name, p, sh->type == MODEL_FLOAT ? "float" : "double");
        }
        *out = json_real(d);
        return 0;
    }
    case MODEL_TIMESTAMP: {
        int64_t ms;
        if (isotime_parse(v, len, &ms) != 0) {
            return type_error(x, name, p, "dateTime");
        }
        *out = json_real((double)ms / 1000.0);
        return 0;
    }
    default:
        return type_error(x, name, p, "string");
    }
}

static int decode_member(struct qctx *x, const struct model_member *m, const char *prefix,
                         int depth, json_t **out);

static int decode_structure(struct qctx *x, const struct model_shape *sh, const char *prefix,
                            int depth, json_t **out)
{
    if (prefix[0] != '\0') {
        char *dotted = join(x->a, prefix, "");
        size_t lo;
        size_t hi;
        prefix_range(x, dotted, strlen(dotted), &lo, &hi);
        if (lo == hi) {
            return 0;
        }
    }
    json_t *obj = json_object();
    for (uint32_t i = 0; i < sh->count; i++) {
        const struct model_member *mm = &model_members[sh->first + i];
        const char *child_prefix = join(x->a, prefix, input_name(x, mm));
        json_t *v = NULL;
        if (decode_member(x, mm, child_prefix, depth + 1, &v) != 0) {
            json_decref(obj);
            return -1;
        }
        if (v != NULL) {
            json_object_set_new(obj, model_str(mm->name), v);
        }
    }
    *out = obj;
    return 0;
}

static int decode_list(struct qctx *x, const struct model_member *m, const char *prefix, int depth,
                       json_t **out)
{
    const struct model_shape *sh = model_member_shape(m);
    const struct model_member *item = &model_members[sh->first];
    const char *list_prefix = prefix;
    if (!x->ec2) {
        if (m->flags & MODEL_MEMBER_FLATTENED) {
            // serialize.py: a flattened list whose member has a locationName replaces the last
            // name of the prefix with it.
            if (item->wire_name != 0) {
                const char *dot = strrchr(prefix, '.');
                char *parent =
                    arena_strndup(x->a, prefix, dot != NULL ? (size_t)(dot - prefix) : 0);
                list_prefix = join(x->a, parent, model_str(item->wire_name));
            }
        } else {
            list_prefix =
                join(x->a, prefix, item->wire_name != 0 ? model_str(item->wire_name) : "member");
        }
    }
    size_t count;
    uint32_t *idx = collect_indices(x, list_prefix, &count);
    if (count == 0) {
        const struct fpair *empty = find_exact(x, prefix, strlen(prefix));
        if (!x->ec2 && empty != NULL && empty->vlen == 0) {
            *out = json_array(); // "Name=": the Query protocol's empty list
        }
        return 0;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < count; i++) {
        char num[16];
        snprintf(num, sizeof(num), "%u", idx[i]);
        json_t *v = NULL;
        if (decode_member(x, item, join(x->a, list_prefix, num), depth + 1, &v) != 0) {
            json_decref(arr);
            return -1;
        }
        if (v != NULL) {
            json_array_append_new(arr, v);
        }
    }
    *out = arr;
    return 0;
}

static int decode_map(struct qctx *x, const struct model_member *m, const char *prefix, int depth,
                      json_t **out)
{
    const struct model_shape *sh = model_member_shape(m);
    const struct model_member *key = &model_members[sh->first];
    const struct model_member *val = &model_members[sh->first + 1];
    const char *entry_prefix =
        (m->flags & MODEL_MEMBER_FLATTENED) ? prefix : join(x->a, prefix, "entry");
    const char *kname = key->wire_name != 0 ? model_str(key->wire_name) : "key";
    const char *vname = val->wire_name != 0 ? model_str(val->wire_name) : "value";
    size_t count;
    uint32_t *idx = collect_indices(x, entry_prefix, &count);
    if (count == 0) {
        return 0;
    }
    json_t *obj = json_object();
    for (size_t i = 0; i < count; i++) {
        char num[16];
        snprintf(num, sizeof(num), "%u", idx[i]);
        const char *ep = join(x->a, entry_prefix, num);
        json_t *k = NULL;
        json_t *v = NULL;
        if (decode_member(x, key, join(x->a, ep, kname), depth + 1, &k) != 0 ||
            decode_member(x, val, join(x->a, ep, vname), depth + 1, &v) != 0) {
            json_decref(k);
            json_decref(v);
            json_decref(obj);
            return -1;
        }
        if (json_is_string(k) && v != NULL) {
            json_object_setn_new(obj, json_string_value(k), json_string_length(k), v);
            v = NULL;
        }
        json_decref(k);
        json_decref(v);
    }
    *out = obj;
    return 0;
}

// Decodes the member m found under prefix; leaves *out NULL when the request does not have it.
static int decode_member(struct qctx *x, const struct model_member *m, const char *prefix,
                         int depth, json_t **out)
{
    const struct model_shape *sh = model_member_shape(m);
    *out = NULL;
    if (depth > MAX_DEPTH) {
        return awserr_set(x->err, 400, "MalformedInput", "Parameters nested too deeply");
    }
    switch (sh->type) {
    case MODEL_STRUCTURE:
        return decode_structure(x, sh, prefix, depth, out);
    case MODEL_LIST:
        return decode_list(x, m, prefix, depth, out);
    case MODEL_MAP:
        return decode_map(x, m, prefix, depth, out);
    default: {
        const struct fpair *p = find_exact(x, prefix, strlen(prefix));
        if (p == NULL) {
            return 0;
        }
        return decode_scalar(x, sh, prefix, p, out);
    }
    }
}

// Decodes a request form; see query.h.
int query_decode(const struct proto_service *svc, const struct proto_op *op, const char *body,
                 size_t len, json_t **out, struct awserr *err)
{
    char scratch[4096];
    struct arena a;
    arena_init(&a, scratch, sizeof(scratch));
    struct qctx x = {.svc = svc, .ec2 = svc->protocol == MODEL_EC2, .a = &a, .err = err};
    int rc = -1;
    *out = NULL;
    if (parse_form(&x, body != NULL ? body : "", body != NULL ? len : 0) != 0) {
        goto out;
    }
    if (op->input < 0) {
        *out = json_object();
        rc = 0;
        goto out;
    }
    json_t *tree = NULL;
    if (decode_structure(&x, &model_shapes[op->input], "", 0, &tree) != 0) {
        goto out;
    }
    *out = tree;
    rc = 0;
out:
    arena_release(&a);
    return rc;
}

// Finds a form parameter; see query.h.
int query_form_value(const char *body, size_t len, const char *name, struct buf *value)
{
    size_t nlen = strlen(name);
    size_t i = 0;
    while (i < len) {
        const char *start = body + i;
        const char *amp = memchr(start, '&', len - i);
        size_t plen = amp != NULL ? (size_t)(amp - start) : len - i;
        const char *eq = memchr(start, '=', plen);
        size_t klen = eq != NULL ? (size_t)(eq - start) : plen;
        // Parameter names of interest here (Action, Version) need no unescaping, but a client
        // may still escape them; compare decoded.
        char key[64];
        if (klen < sizeof(key)) {
            size_t kd = form_unescape(start, klen, key);
            if (kd == nlen && memcmp(key, name, nlen) == 0) {
                size_t vlen = eq != NULL ? plen - klen - 1 : 0;
                char *tmp = sb_xmalloc(vlen + 1);
                size_t vd = form_unescape(eq != NULL ? eq + 1 : start, vlen, tmp);
                buf_append(value, tmp, vd);
                free(tmp);
                return 1;
            }
        }
        i += plen + 1;
    }
    return 0;
}

struct xctx {
    const struct proto_service *svc;
    struct xmlw w;
};

static int encode_member(struct xctx *x, const struct model_member *m, const char *name,
                         const json_t *v, int depth);

// The element name of a structure member in a response (parsers.py _member_key_name).
static const char *output_name(const struct model_member *m)
{
    const struct model_shape *sh = model_member_shape(m);
    if (sh->type == MODEL_LIST && (m->flags & MODEL_MEMBER_FLATTENED)) {
        const struct model_member *item = &model_members[sh->first];
        if (item->wire_name != 0) {
            return model_str(item->wire_name);
        }
    }
    return model_str(m->wire_name != 0 ? m->wire_name : m->name);
}

static int encode_members(struct xctx *x, const struct model_shape *sh, const json_t *v, int depth)
{
    for (uint32_t i = 0; i < sh->count; i++) {
        const struct model_member *mm = &model_members[sh->first + i];
        const json_t *child = json_object_get(v, model_str(mm->name));
        if (child == NULL || json_is_null(child)) {
            continue;
        }
        if (encode_member(x, mm, output_name(mm), child, depth + 1) != 0) {
            return -1;
        }
    }
    return 0;
}

static int encode_scalar(struct xctx *x, const struct model_member *m, const struct model_shape *sh,
                         const char *name, const json_t *v)
{
    char tmp[64];
    switch (sh->type) {
    case MODEL_STRING:
    case MODEL_BLOB:
        if (!json_is_string(v)) {
            return -1;
        }
        xmlw_element(&x->w, name, json_string_value(v), json_string_length(v));
        return 0;
    case MODEL_BOOLEAN:
        if (!json_is_boolean(v)) {
            return -1;
        }
        xmlw_element(&x->w, name, json_is_true(v) ? "true" : "false", json_is_true(v) ? 4 : 5);
        return 0;
    case MODEL_INTEGER:
    case MODEL_LONG: {
        double d = json_number_value(v);
        if (!json_is_integer(v) && !(json_is_real(v) && shape_double_is_whole(d, 9e18))) {
            return -1;
        }
        long long n = json_is_integer(v) ? (long long)json_integer_value(v) : (long long)d;
        int k = snprintf(tmp, sizeof(tmp), "%lld", n);
        xmlw_element(&x->w, name, tmp, (size_t)k);
        return 0;
    }
    case MODEL_FLOAT:
    case MODEL_DOUBLE: {
        if (!json_is_number(v)) {
            return -1;
        }
        size_t k = shape_format_double(json_number_value(v), tmp, sizeof(tmp));
        xmlw_element(&x->w, name, tmp, k);
        return 0;
    }
    case MODEL_TIMESTAMP: {
        int64_t ms;
        if (shape_timestamp_ms(v, &ms) != 0) {
            return -1;
        }
        uint8_t fmt = m->ts_format != 0 ? m->ts_format : sh->ts_format;
        size_t k = fmt == MODEL_TS_UNIX ? shape_format_epoch(ms, tmp, sizeof(tmp))
                                        : shape_format_iso8601(ms, tmp, sizeof(tmp));
        xmlw_element(&x->w, name, tmp, k);
        return 0;
    }
    default:
        return -1;
    }
}

static int encode_member(struct xctx *x, const struct model_member *m, const char *name,
                         const json_t *v, int depth)
{
    const struct model_shape *sh = model_member_shape(m);
    const char *ns = m->xml_namespace != 0 ? model_str(m->xml_namespace) : NULL;
    if (depth > MAX_DEPTH * 2) {
        return -1;
    }
    switch (sh->type) {
    case MODEL_STRUCTURE:
        if (!json_is_object(v)) {
            return -1;
        }
        xmlw_open(&x->w, name, ns);
        if (encode_members(x, sh, v, depth) != 0) {
            return -1;
        }
        xmlw_close(&x->w);
        return 0;
    case MODEL_LIST: {
        if (!json_is_array(v)) {
            return -1;
        }
        const struct model_member *item = &model_members[sh->first];
        bool flat = (m->flags & MODEL_MEMBER_FLATTENED) != 0;
        const char *item_name = flat                   ? name
                                : item->wire_name != 0 ? model_str(item->wire_name)
                                                       : "member";
        if (!flat) {
            xmlw_open(&x->w, name, ns);
        }
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (encode_member(x, item, item_name, json_array_get(v, i), depth + 1) != 0) {
                return -1;
            }
        }
        if (!flat) {
            xmlw_close(&x->w);
        }
        return 0;
    }
    case MODEL_MAP: {
        if (!json_is_object(v)) {
            return -1;
        }
        const struct model_member *key = &model_members[sh->first];
        const struct model_member *val = &model_members[sh->first + 1];
        const char *kname = key->wire_name != 0 ? model_str(key->wire_name) : "key";
        const char *vname = val->wire_name != 0 ? model_str(val->wire_name) : "value";
        bool flat = (m->flags & MODEL_MEMBER_FLATTENED) != 0;
        if (!flat) {
            xmlw_open(&x->w, name, ns);
        }
        const char *k;
        const json_t *e;
        json_object_foreach((json_t *)v, k, e)
        {
            xmlw_open(&x->w, flat ? name : "entry", NULL);
            xmlw_element(&x->w, kname, k, strlen(k));
            if (encode_member(x, val, vname, e, depth + 1) != 0) {
                return -1;
            }
            xmlw_close(&x->w);
        }
        if (!flat) {
            xmlw_close(&x->w);
        }
        return 0;
    }
    default:
        return encode_scalar(x, m, sh, name, v);
    }
}

// Writes a response document; see query.h.
int query_encode_response(const struct proto_service *svc, const struct proto_op *op,
                          const json_t *out, const char *request_id, struct buf *body)
{
    struct xctx x = {.svc = svc};
    char root[192];
    char result[192];
    const char *opname = model_str(op->name);
    bool ec2 = svc->protocol == MODEL_EC2;
    xmlw_init(&x.w, body);
    const char *root_parts[] = {opname, "Response"};
    sb_join(root, sizeof(root), root_parts, 2);
    if (ec2) {
        xmlw_declaration(&x.w);
    }
    xmlw_open(&x.w, root, model_str(svc->xml_namespace));
    if (ec2) {
        xmlw_element(&x.w, "requestId", request_id, strlen(request_id));
    }
    if (op->output >= 0 && out != NULL) {
        if (!json_is_object(out)) {
            return -1;
        }
        const struct model_shape *sh = &model_shapes[op->output];
        bool wrap = !ec2;
        if (wrap) {
            if (op->result_wrapper != 0) {
                sb_copy(result, sizeof(result), model_str(op->result_wrapper));
            } else {
                const char *result_parts[] = {opname, "Result"};
                sb_join(result, sizeof(result), result_parts, 2);
            }
            xmlw_open(&x.w, result, NULL);
        }
        if (encode_members(&x, sh, out, 0) != 0) {
            return -1;
        }
        if (wrap) {
            xmlw_close(&x.w);
        }
    } else if (ec2 && op->output < 0) {
        // EC2 actions without output answer <return>true</return> (EC2 API reference
        // examples, e.g. DeleteKeyPair before it gained an output).
        xmlw_element(&x.w, "return", "true", 4);
    }
    if (!ec2) {
        xmlw_open(&x.w, "ResponseMetadata", NULL);
        xmlw_element(&x.w, "RequestId", request_id, strlen(request_id));
        xmlw_close(&x.w);
    }
    xmlw_finish(&x.w);
    return x.w.overflow ? -1 : 0;
}

// Writes an error document; see query.h.
void query_encode_error(const struct proto_service *svc, const struct awserr *e,
                        const char *request_id, struct buf *body)
{
    struct xmlw w;
    xmlw_init(&w, body);
    if (svc != NULL && svc->protocol == MODEL_EC2) {
        xmlw_declaration(&w);
        xmlw_open(&w, "Response", NULL);
        xmlw_open(&w, "Errors", NULL);
        xmlw_open(&w, "Error", NULL);
        xmlw_element(&w, "Code", e->code, strlen(e->code));
        xmlw_element(&w, "Message", e->message, strlen(e->message));
        xmlw_close(&w);
        xmlw_close(&w);
        xmlw_element(&w, "RequestID", request_id, strlen(request_id));
        xmlw_finish(&w);
        return;
    }
    xmlw_open(&w, "ErrorResponse", svc != NULL ? model_str(svc->xml_namespace) : NULL);
    xmlw_open(&w, "Error", NULL);
    const char *type = e->fault == AWSERR_RECEIVER ? "Receiver" : "Sender";
    xmlw_element(&w, "Type", type, strlen(type));
    xmlw_element(&w, "Code", e->code, strlen(e->code));
    xmlw_element(&w, "Message", e->message, strlen(e->message));
    xmlw_close(&w);
    xmlw_element(&w, "RequestId", request_id, strlen(request_id));
    xmlw_finish(&w);
}
