// SPDX-License-Identifier: Apache-2.0
// Tags on SageMaker resources (SageMaker API Reference 2017-07-24: AddTags, ListTags,
// DeleteTags) for every resource sagebox keeps: domains, user profiles, spaces and apps. The
// ResourceArn is parsed into its type and rest (sm_common.h lists the ARN shapes) and the
// resource is loaded by it: kind sm.domain, sm.profile or sm.space with the rest as id, and an
// app by its AppArn among the apps of its domain (the app ARN lower-cases the app type and drops
// the owner's kind, so it is not the store id). Tags live in the document's "_".tags.
//
// Authorization (Service Authorization Reference, Amazon SageMaker): sagemaker:AddTags,
// sagemaker:ListTags and sagemaker:DeleteTags on the ResourceArn with the resource's tags
// (aws:ResourceTag/*, sagemaker:ResourceTag/*); AddTags adds aws:RequestTag/* and aws:TagKeys of
// the request's Tags, DeleteTags aws:TagKeys of its TagKeys. A resource that does not exist is
// decided on its ARN without tags first.
//
// Limits: 50 tags per resource (Tagging AWS Resources, "Tag naming limits and requirements");
// keys beginning with "aws:" are reserved. The wordings of the errors are not verified against
// AWS.
#include "core/jsonload.h"
#include "svc/registry.h"
#include "svc/sagemaker/sm_common.h"

#include <stdlib.h>
#include <string.h>

#define TAGS_PER_RESOURCE 50

// A tagged resource found by ARN.
struct tagged {
    struct sm_obj o;
    const char *kind;
};

// Finds the app whose AppArn is arn among the apps of domain_id. Returns 1, 0 or -1.
static int find_app(struct svc_call *c, const char *domain_id, const char *arn, struct sm_obj *o)
{
    memset(o, 0, sizeof(*o));
    struct store_scope sc = sm_scope(c, SM_KIND_APP);
    const char *marker = NULL;
    do {
        struct store_list_opts lo = {
            .parent = domain_id, .marker = marker, .limit = STORE_LIST_MAX};
        struct store_list l = {0};
        struct store_err e = {{0}};
        int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
        if (rc != 0) {
            return sm_store_error(c, rc, &e);
        }
        for (size_t i = 0; i < l.count; i++) {
            json_t *doc = jsonload(l.items[i].doc, l.items[i].doc_len);
            const char *app_arn = sm_str(doc, "AppArn");
            if (app_arn != NULL && strcmp(app_arn, arn) == 0) {
                o->obj = l.items[i];
                o->doc = doc;
                return 1;
            }
            json_decref(doc);
        }
        marker = l.truncated ? l.next_marker : NULL;
    } while (marker != NULL);
    return 0;
}

// Resolves arn to the resource it names in the caller's account and region. Returns 1 with *t
// filled, 0 when it names nothing sagebox keeps, -1 on a store failure.
static int resolve(struct svc_call *c, const char *arn, struct tagged *t)
{
    memset(t, 0, sizeof(*t));
    const char *prefix =
        sm_fmt(c, "arn:%s:sagemaker:%s:%s:", c->env->partition, c->region, c->caller->account);
    size_t n = strlen(prefix);
    if (strncmp(arn, prefix, n) != 0) {
        return 0;
    }
    const char *res = arn + n;
    const char *slash = strchr(res, '/');
    if (slash == NULL || slash[1] == '\0') {
        return 0;
    }
    size_t type_len = (size_t)(slash - res);
    const char *rest = slash + 1;
    static const struct {
        const char *type;
        const char *kind;
    } types[] = {
        {"domain", SM_KIND_DOMAIN},
        {"user-profile", SM_KIND_PROFILE},
        {"space", SM_KIND_SPACE},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strlen(types[i].type) == type_len && strncmp(res, types[i].type, type_len) == 0) {
            t->kind = types[i].kind;
            return sm_get(c, t->kind, rest, &t->o);
        }
    }
    if (type_len == 3 && strncmp(res, "app", 3) == 0) {
        const char *end = strchr(rest, '/');
        if (end == NULL) {
            return 0;
        }
        t->kind = SM_KIND_APP;
        const char *domain_id = arena_strndup(c->arena, rest, (size_t)(end - rest));
        return find_app(c, domain_id, arn, &t->o);
    }
    return 0;
}

// Loads the resource of the request's ResourceArn and authorizes action on it. Returns 0 with *t
// filled (the caller releases t->o), or -1 with c->err set.
static int load_tagged(struct svc_call *c, const char *action, struct tagged *t)
{
    const char *arn = sm_in_str(c, "ResourceArn");
    int found = resolve(c, arn, t);
    if (found < 0) {
        return -1;
    }
    if (sm_authorize(c, action, arn, found ? sm_tags(t->o.doc) : NULL) != 0) {
        sm_obj_release(&t->o);
        return -1;
    }
    if (found == 0) {
        // Not verified against AWS.
        return sm_error(c, "ResourceNotFound", "Resource [%s] not found.", arn);
    }
    return 0;
}

static int save(struct svc_call *c, struct tagged *t)
{
    return sm_update(c, &t->o);
}

// The index of the tag with key in tags, or -1.
static long tag_index(const json_t *tags, const char *key)
{
    size_t i;
    const json_t *tag;
    json_array_foreach(tags, i, tag)
    {
        const char *k = sm_str(tag, "Key");
        if (k != NULL && strcmp(k, key) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static int add_tags_body(struct svc_call *c)
{
    const json_t *add = json_object_get(c->in, "Tags");
    size_t i;
    const json_t *tag;
    json_array_foreach(add, i, tag)
    {
        const char *k = sm_str(tag, "Key");
        if (k != NULL && strncmp(k, "aws:", 4) == 0) {
            // Not verified against AWS.
            return sm_error(c, "ValidationException",
                            "Tag keys starting with 'aws:' are reserved for system use.");
        }
    }
    sm_request_tags(c, add);
    struct tagged t;
    if (load_tagged(c, "sagemaker:AddTags", &t) != 0) {
        return -1;
    }
    int rc = -1;
    json_t *tags = sm_tags(t.o.doc);
    json_array_foreach(add, i, tag)
    {
        const char *k = sm_str(tag, "Key");
        const char *v = sm_str(tag, "Value");
        json_t *copy = json_pack("{s:s, s:s}", "Key", k ? k : "", "Value", v ? v : "");
        long at = tag_index(tags, k ? k : "");
        if (at >= 0) {
            json_array_set_new(tags, (size_t)at, copy);
        } else {
            json_array_append_new(tags, copy);
        }
    }
    if (json_array_size(tags) > TAGS_PER_RESOURCE) {
        // Not verified against AWS.
        sm_error(c, "ResourceLimitExceeded",
                 "Cannot add tags: a resource can have at most %d tags.", TAGS_PER_RESOURCE);
        goto out;
    }
    if (save(c, &t) != 0) {
        goto out;
    }
    c->out = json_object();
    json_object_set_new(c->out, "Tags", json_deep_copy(add));
    rc = 0;
out:
    sm_obj_release(&t.o);
    return rc;
}
SM_OPERATION(add_tags, true)

static int list_tags_body(struct svc_call *c)
{
    struct tagged t;
    if (load_tagged(c, "sagemaker:ListTags", &t) != 0) {
        return -1;
    }
    int rc = -1;
    const json_t *tags = sm_tags(t.o.doc);
    const json_t *mr = json_object_get(c->in, "MaxResults");
    size_t max = json_is_integer(mr) ? (size_t)json_integer_value(mr) : TAGS_PER_RESOURCE;
    size_t start = 0;
    const char *token = sm_in_str(c, "NextToken");
    if (token != NULL) {
        char *end = NULL;
        long v = strtol(token, &end, 10);
        if (end == token || *end != '\0' || v < 0) {
            // Not verified against AWS.
            sm_error(c, "ValidationException", "Invalid pagination token");
            goto out;
        }
        start = (size_t)v;
    }
    json_t *list = json_array();
    size_t count = json_array_size(tags);
    for (size_t i = start; i < count && i < start + max; i++) {
        json_array_append(list, json_array_get(tags, i));
    }
    c->out = json_object();
    json_object_set_new(c->out, "Tags", list);
    if (start + max < count) {
        json_object_set_new(c->out, "NextToken", json_string(sm_fmt(c, "%zu", start + max)));
    }
    rc = 0;
out:
    sm_obj_release(&t.o);
    return rc;
}
SM_OPERATION(list_tags, false)

static int delete_tags_body(struct svc_call *c)
{
    const json_t *keys = json_object_get(c->in, "TagKeys");
    size_t n = json_array_size(keys);
    const char **list = arena_calloc(c->arena, n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const char *k = json_string_value(json_array_get(keys, i));
        list[i] = k ? k : "";
    }
    policy_context_set_list(c->ctx, "aws:TagKeys", list, n);
    struct tagged t;
    if (load_tagged(c, "sagemaker:DeleteTags", &t) != 0) {
        return -1;
    }
    json_t *tags = sm_tags(t.o.doc);
    for (size_t i = 0; i < n; i++) {
        long at = tag_index(tags, list[i]);
        if (at >= 0) {
            json_array_remove(tags, (size_t)at);
        }
    }
    int rc = save(c, &t);
    sm_obj_release(&t.o);
    if (rc == 0) {
        c->out = json_object();
    }
    return rc;
}
SM_OPERATION(delete_tags, true)

// clang-format off
const struct svc_handler sm_tag_handlers[] = {
    {"AddTags", add_tags},
    {"ListTags", list_tags},
    {"DeleteTags", delete_tags},
    {NULL, NULL},
};
// clang-format on
