// SPDX-License-Identifier: Apache-2.0
// jsonv tree -> jansson tree; see jsonload.h.
#include "core/jsonload.h"

#include "core/arena.h"
#include "core/jsonv.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

// True when a JSON number as written has neither fraction nor exponent.
static bool is_integer_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.' || s[i] == 'e' || s[i] == 'E') {
            return false;
        }
    }
    return true;
}

// Converts one value; NULL when memory runs out.
static json_t *convert(const struct jsonv *v)
{
    switch (v->type) {
    case JSONV_NULL:
        return json_null();
    case JSONV_FALSE:
        return json_false();
    case JSONV_TRUE:
        return json_true();
    case JSONV_NUMBER:
        if (is_integer_text(v->u.str, v->len)) {
            errno = 0;
            long long n = strtoll(v->u.str, NULL, 10);
            // json_loadb refuses an integer that does not fit ("too big integer"), and so
            // does this loader, rather than make it a real.
            return errno == 0 ? json_integer((json_int_t)n) : NULL;
        }
        // ... and a real that overflows ("real number overflow").
        return isfinite(v->num) ? json_real(v->num) : NULL;
    case JSONV_STRING:
        // jsonv checked the UTF-8 and refuses \u0000, as json_loadb does without JSON_ALLOW_NUL.
        return json_stringn_nocheck(v->u.str, v->len);
    case JSONV_ARRAY: {
        json_t *a = json_array();
        for (uint32_t i = 0; a != NULL && i < v->len; i++) {
            json_t *item = convert(&v->u.items[i]);
            if (item == NULL || json_array_append_new(a, item) != 0) {
                json_decref(a);
                a = NULL;
            }
        }
        return a;
    }
    case JSONV_OBJECT: {
        json_t *o = json_object();
        for (uint32_t i = 0; o != NULL && i < v->len; i++) {
            const struct jsonv_member *m = &v->u.members[i];
            json_t *item = convert(&m->value);
            if (item == NULL || json_object_setn_new_nocheck(o, m->key, m->key_len, item) != 0) {
                json_decref(o);
                o = NULL;
            }
        }
        return o;
    }
    }
    return NULL;
}

// Parses into a scratch arena (a stack buffer, spilling to the heap for big documents), then
// converts; see jsonload.h.
json_t *jsonload(const char *text, size_t len)
{
    unsigned char scratch[4096];
    struct arena a;
    arena_init(&a, scratch, sizeof(scratch));
    const struct jsonv *root = NULL;
    json_t *out = NULL;
    if (text != NULL && jsonv_parse(&a, text, len, &root, NULL, NULL) == JSONV_OK) {
        out = convert(root);
    }
    arena_release(&a);
    return out;
}

json_t *jsonload_str(const char *text)
{
    return text == NULL ? NULL : jsonload(text, strlen(text));
}
