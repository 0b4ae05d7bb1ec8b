// SPDX-License-Identifier: Apache-2.0
// Shared CloudWatch Logs helpers; see logs_common.h. Error codes are those the service model
// declares for each operation (InvalidParameterException, ResourceNotFoundException,
// ResourceAlreadyExistsException, ServiceUnavailableException; all HTTP 400 except the last).
#include "svc/logs/logs_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// The scope of a kind; see logs_common.h. Names compare byte for byte.
struct store_scope logs_scope(const struct svc_call *c, const char *kind)
{
    struct store_scope sc = {c->caller->account, c->region ? c->region : "", kind, false};
    return sc;
}

// printf into the arena; see logs_common.h.
const char *logs_fmt(struct svc_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *out = svc_vfmt(c, fmt, ap);
    va_end(ap);
    return out;
}

// A string member; see logs_common.h.
const char *logs_in_str(const struct svc_call *c, const char *member)
{
    const json_t *v = json_object_get(c->in, member);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

// The plain group ARN; see logs_common.h.
const char *logs_group_arn(struct svc_call *c, const char *group)
{
    return logs_fmt(c, "arn:%s:logs:%s:%s:log-group:%s", c->env->partition, c->region,
                    c->caller->account, group);
}

// The resource of group-level decisions; see logs_common.h.
const char *logs_group_auth_arn(struct svc_call *c, const char *group)
{
    return logs_fmt(c, "arn:%s:logs:%s:%s:log-group:%s:log-stream:", c->env->partition, c->region,
                    c->caller->account, group);
}

// A stream ARN; see logs_common.h.
const char *logs_stream_arn(struct svc_call *c, const char *group, const char *stream)
{
    return logs_fmt(c, "arn:%s:logs:%s:%s:log-group:%s:log-stream:%s", c->env->partition, c->region,
                    c->caller->account, group, stream);
}

// InvalidParameterException; see logs_common.h.
int logs_invalid(struct svc_call *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return awserr_set(&c->err, 400, "InvalidParameterException", "%s", msg);
}

// Missing group; see logs_common.h.
int logs_group_not_found(struct svc_call *c)
{
    return awserr_set(&c->err, 400, "ResourceNotFoundException",
                      "The specified log group does not exist.");
}

// Missing stream; see logs_common.h.
int logs_stream_not_found(struct svc_call *c)
{
    return awserr_set(&c->err, 400, "ResourceNotFoundException",
                      "The specified log stream does not exist.");
}

// Store failures; see logs_common.h.
int logs_store_error(struct svc_call *c, int rc, const struct store_err *e)
{
    fprintf(stderr, "sagebox: %s %s: store: %s (%s)\n", c->request_id, c->operation,
            e != NULL ? e->msg : "", store_strerror(rc));
    return awserr_set(&c->err, 500, "ServiceUnavailableException",
                      "The service cannot complete the request.");
}

// Parses a stored document; see logs_common.h.
json_t *logs_load_doc(struct svc_call *c, const struct store_obj *o)
{
    json_t *doc = json_loadb(o->doc, o->doc_len, 0, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        logs_store_error(c, SB_ECORRUPT, NULL);
        return NULL;
    }
    return doc;
}

// Reads one object by name or id into g.
static int get_obj(struct svc_call *c, const char *kind, bool by_name, const char *key,
                   struct logs_obj *g)
{
    memset(g, 0, sizeof(*g));
    struct store_scope sc = logs_scope(c, kind);
    struct store_err e = {{0}};
    int rc = by_name ? store_get_by_name(c->env->store, &sc, key, c->arena, &g->obj, &e)
                     : store_get(c->env->store, &sc, key, c->arena, &g->obj, &e);
    if (rc == SB_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return logs_store_error(c, rc, &e);
    }
    g->doc = logs_load_doc(c, &g->obj);
    if (g->doc == NULL) {
        return -1;
    }
    g->found = true;
    return 0;
}

// Reads a group by name; see logs_common.h.
int logs_group_get(struct svc_call *c, const char *name, struct logs_obj *g)
{
    return get_obj(c, LOGS_KIND_GROUP, true, name, g);
}

// Drops a loaded document; see logs_common.h.
void logs_obj_release(struct logs_obj *g)
{
    json_decref(g->doc);
    g->doc = NULL;
}

// The stream id; see logs_common.h.
const char *logs_stream_id(struct svc_call *c, const char *group_id, const char *stream)
{
    return logs_fmt(c, "%s/%s", group_id, stream);
}

// Reads a stream; see logs_common.h.
int logs_stream_get(struct svc_call *c, const char *group_id, const char *stream,
                    struct logs_obj *s)
{
    return get_obj(c, LOGS_KIND_STREAM, false, logs_stream_id(c, group_id, stream), s);
}

// Writes a document; see logs_common.h.
int logs_put(struct svc_call *c, struct store_obj *obj, const json_t *doc, enum store_put_mode mode,
             const char *exists_msg)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    obj->doc = text;
    obj->doc_len = strlen(text);
    struct store_err e = {{0}};
    int rc = store_put(c->env->store, obj, mode, &e);
    free(text);
    obj->doc = NULL;
    obj->doc_len = 0;
    if (rc == SB_EEXISTS && exists_msg != NULL) {
        return awserr_set(&c->err, 400, "ResourceAlreadyExistsException", "%s", exists_msg);
    }
    if (rc != 0) {
        return logs_store_error(c, rc, &e);
    }
    return 0;
}

static void set_tag_key(struct svc_call *c, const char *prefix, const char *key, const char *val)
{
    policy_context_set(c->ctx, logs_fmt(c, "%s%s", prefix, key), val);
}

// aws:ResourceTag/*; see logs_common.h.
void logs_resource_tag_keys(struct svc_call *c, const json_t *group_doc)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)json_object_get(group_doc, "tags"), k, v)
    {
        set_tag_key(c, "aws:ResourceTag/", k, json_string_value(v) ? json_string_value(v) : "");
    }
}

// aws:RequestTag/* and aws:TagKeys; see logs_common.h.
void logs_request_tag_keys(struct svc_call *c, const json_t *tags, const json_t *keys)
{
    size_t n = keys != NULL ? json_array_size(keys) : json_object_size(tags);
    const char **list = arena_calloc(c->arena, n + 1, sizeof(char *));
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)tags, k, v)
    {
        set_tag_key(c, "aws:RequestTag/", k, json_string_value(v) ? json_string_value(v) : "");
        if (keys == NULL && i < n) {
            list[i++] = k;
        }
    }
    for (size_t j = 0; keys != NULL && j < n; j++) {
        const char *s = json_string_value(json_array_get(keys, j));
        list[i++] = s != NULL ? s : "";
    }
    policy_context_set_list(c->ctx, "aws:TagKeys", list, i);
}

// One transaction per operation; see logs_common.h.
int logs_run(struct svc_call *c, bool write, svc_handler_fn body)
{
    return svc_run_txn(c, write, body, logs_store_error);
}

// The clock; see logs_common.h.
int64_t logs_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// Lists every child; see logs_common.h.
int logs_list_all(struct svc_call *c, const char *kind, const char *parent, const char *name_prefix,
                  struct store_obj **items, size_t *count)
{
    struct store_scope sc = logs_scope(c, kind);
    struct store_list_opts lo = {
        .parent = parent, .name_prefix = name_prefix, .limit = STORE_LIST_MAX};
    *items = NULL;
    *count = 0;
    size_t cap = 0;
    for (;;) {
        struct store_list l;
        struct store_err e = {{0}};
        int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
        if (rc != 0) {
            return logs_store_error(c, rc, &e);
        }
        if (*count + l.count > cap) {
            cap = (*count + l.count) * 2;
            struct store_obj *n = arena_alloc(c->arena, cap * sizeof(*n));
            if (*count > 0) {
                memcpy(n, *items, *count * sizeof(*n));
            }
            *items = n;
        }
        if (l.count > 0) {
            memcpy(*items + *count, l.items, l.count * sizeof(*l.items));
            *count += l.count;
        }
        if (!l.truncated) {
            return 0;
        }
        lo.marker = l.next_marker;
    }
}

// Deletes a stream's events; see logs_common.h.
int logs_delete_stream_events(struct svc_call *c, const char *stream_id)
{
    struct store_scope sc = logs_scope(c, LOGS_KIND_EVENT);
    struct store_err e = {{0}};
    int rc = store_delete_children(c->env->store, &sc, stream_id, NULL, &e);
    return rc == 0 ? 0 : logs_store_error(c, rc, &e);
}

// An integer member; see logs_common.h.
int64_t logs_int(const json_t *doc, const char *key)
{
    const json_t *v = json_object_get(doc, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}
