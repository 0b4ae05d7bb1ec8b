// SPDX-License-Identifier: Apache-2.0
// Lookups over the generated model tables (model.h, model_data.c).
#include "proto/model.h"

#include <string.h>

// Returns a pooled string; see model.h.
const char *model_str(uint32_t off)
{
    return model_strings + off;
}

// Returns a member's shape; see model.h.
const struct model_shape *model_member_shape(const struct model_member *m)
{
    return &model_shapes[m->shape];
}

// Returns a shape's name; see model.h.
const char *model_shape_name(const struct model_shape *s)
{
    return model_str(s->name);
}

// Binary search for the last run that starts at or before cp; see model.h.
char model_ucat_of(uint32_t cp)
{
    if (cp > 0x10FFFF) {
        return 'C';
    }
    unsigned lo = 0;
    unsigned hi = model_ucat_count;
    while (hi - lo > 1) {
        unsigned mid = lo + (hi - lo) / 2;
        if (model_ucats[mid].start <= cp) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return model_ucats[lo].cat;
}

// Compares name[0..len) with a NUL-terminated pooled string the way strcmp orders them.
static int cmp_name(const char *name, size_t len, const char *pooled)
{
    int c = strncmp(name, pooled, len);
    if (c != 0) {
        return c;
    }
    return pooled[len] == '\0' ? 0 : -1;
}

// Binary search in the service's name-sorted operations; see model.h.
const struct proto_op *model_op_find(const struct proto_service *svc, const char *name, size_t len)
{
    if (memchr(name, '\0', len) != NULL) {
        return NULL;
    }
    size_t lo = svc->op_first;
    size_t hi = (size_t)svc->op_first + svc->op_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_name(name, len, model_str(model_ops[mid].name));
        if (c == 0) {
            return &model_ops[mid];
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

// Finds the service whose operation range holds op; see model.h.
const struct proto_service *model_op_service(const struct proto_op *op)
{
    size_t i = (size_t)(op - model_ops);
    for (unsigned s = 0; s < model_service_count; s++) {
        if (i >= model_services[s].op_first &&
            i < (size_t)model_services[s].op_first + model_services[s].op_count) {
            return &model_services[s];
        }
    }
    return NULL;
}
