// SPDX-License-Identifier: Apache-2.0
// Tags of every EC2 resource kind (EC2 API Reference: CreateTags, DeleteTags, DescribeTags;
// Amazon EC2 User Guide, "Tag your Amazon EC2 resources"). Tags live in each resource's document
// ("Tags" list, see ec2_common.h); a resource id names its kind by its prefix, so these operations
// work for every kind the other families store without knowing them.
//
// Authorization (Service Authorization Reference, Amazon EC2): CreateTags and DeleteTags on each
// resource's ARN, with aws:RequestTag/* and aws:TagKeys of the tags named and the resource's own
// aws:ResourceTag/* (ec2:CreateAction is only present when a create action tags its new
// resource, see ec2_authorize); DescribeTags on "*".
#include "svc/ec2/ec2_common.h"
#include "svc/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct target {
    const struct ec2_kind *kind;
    const char *id;
    struct store_obj obj;
    json_t *doc;
};

static void release_targets(struct target *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_decref(t[i].doc);
        t[i].doc = NULL;
    }
}

// Loads the resources of the request's Resources list, each once. An id that is no EC2 resource id
// sagebox keeps is 400 InvalidID "The ID '...' is not valid" (real EC2, e.g.
// kubernetes/cloud-provider-aws#1387); a well-formed id that does not exist is its kind's NotFound.
static int load_targets(struct svc_call *c, const char *action, struct target **out, size_t *n)
{
    const json_t *ids = json_object_get(c->in, "Resources");
    size_t total = json_array_size(ids);
    struct target *t = arena_calloc(c->arena, total + 1, sizeof(*t));
    *out = t;
    *n = 0;
    for (size_t i = 0; i < total; i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        bool seen = false;
        for (size_t k = 0; k < *n && !seen; k++) {
            seen = strcmp(t[k].id, id) == 0;
        }
        if (seen) {
            continue;
        }
        const struct ec2_kind *k = ec2_kind_of_id(id);
        if (k == NULL || !ec2_id_wellformed(id, k->prefix)) {
            release_targets(t, *n);
            return ec2_err(c, 400, "InvalidID", "The ID '%s' is not valid", id);
        }
        struct target *x = &t[*n];
        x->kind = k;
        x->id = id;
        if (ec2_load(c, k, id, action, &x->obj, &x->doc) != 0) {
            release_targets(t, *n);
            return -1;
        }
        (*n)++;
    }
    return 0;
}

// The decisions on the targets: each resource with its tags and its VPC.
static int authorize_targets(struct svc_call *c, const char *action, struct target *t, size_t n,
                             const json_t *tags)
{
    struct ec2_res *res = arena_calloc(c->arena, n + 1, sizeof(*res));
    for (size_t i = 0; i < n; i++) {
        res[i].arn = ec2_arn(c, t[i].kind->type, t[i].id);
        res[i].doc = t[i].doc;
        res[i].request_tags = tags;
        res[i].vpc_id = t[i].kind->vpc_scoped ? ec2_str(t[i].doc, "VpcId") : NULL;
    }
    return ec2_authorize(c, action, res, n);
}

// CreateTags: sets each tag on each resource (a key it has gets the new value; a missing Value
// is ""), at most 50 tags per resource.
static int create_tags_body(struct svc_call *c)
{
    const json_t *tags = json_object_get(c->in, "Tags");
    struct target *t;
    size_t n;
    if (ec2_tags_check(c, tags) != 0 || load_targets(c, "ec2:CreateTags", &t, &n) != 0) {
        return -1;
    }
    int rc = authorize_targets(c, "ec2:CreateTags", t, n, tags);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = ec2_tags_apply(c, t[i].kind, t[i].doc, tags);
        if (rc == 0) {
            rc = ec2_replace(c, t[i].kind, &t[i].obj, t[i].doc);
        }
    }
    release_targets(t, n);
    return rc;
}

EC2_OPERATION(create_tags, true)

// DeleteTags: without Tags every tag goes; a tag given with a Value goes only when the value
// matches (DeleteTags API Reference).
static int delete_tags_body(struct svc_call *c)
{
    const json_t *tags = json_object_get(c->in, "Tags");
    struct target *t;
    size_t n;
    if (load_targets(c, "ec2:DeleteTags", &t, &n) != 0) {
        return -1;
    }
    int rc = authorize_targets(c, "ec2:DeleteTags", t, n, tags);
    for (size_t i = 0; i < n && rc == 0; i++) {
        ec2_tags_remove(t[i].kind, t[i].doc, tags);
        rc = ec2_replace(c, t[i].kind, &t[i].obj, t[i].doc);
    }
    release_targets(t, n);
    return rc;
}

EC2_OPERATION(delete_tags, true)

// ---- DescribeTags -------------------------------------------------------------------------------

// DescribeTags filters (EC2 API Reference): key, resource-id, resource-type, value, and tag:<key>
// (resources carrying that tag), which the engine answers from the row's Tags.
static const struct ec2_filter_def tag_filters[] = {
    {"key", "Key", NULL},
    {"resource-id", "ResourceId", NULL},
    {"resource-type", "ResourceType", NULL},
    {"value", "Value", NULL},
    {NULL, NULL, NULL},
};

// Where a row of the answer comes from: kind index, resource id, tag index. Tokens name the last
// row returned.
struct pos {
    size_t kind;
    const char *id;
    size_t tag;
};

struct rows {
    json_t *list;
    struct pos *pos;
    size_t count;
    size_t cap;
    size_t limit; // 0: all
};

static bool rows_full(const struct rows *r)
{
    return r->limit > 0 && r->count > r->limit;
}

// Adds the tags of one resource from tag index first on, as rows that pass the filters.
static void add_rows(struct svc_call *c, struct rows *r, const struct ec2_filter_set *fs,
                     size_t kind, const char *id, const json_t *doc, size_t first)
{
    const json_t *tags = json_object_get(doc, "Tags");
    for (size_t i = first; i < json_array_size(tags) && !rows_full(r); i++) {
        const json_t *t = json_array_get(tags, i);
        const char *k = ec2_str(t, "Key");
        const char *v = ec2_str(t, "Value");
        json_t *row = json_pack("{s:s, s:s, s:s, s:s}", "Key", k ? k : "", "ResourceId", id,
                                "ResourceType", ec2_kinds[kind].type, "Value", v ? v : "");
        json_object_set(row, "Tags", (json_t *)tags);
        if (ec2_filters_match(fs, row)) {
            json_object_del(row, "Tags");
            if (r->count == r->cap) {
                size_t ncap = r->cap ? r->cap * 2 : 64;
                struct pos *np = arena_alloc(c->arena, ncap * sizeof(*np));
                if (r->count > 0) {
                    memcpy(np, r->pos, r->count * sizeof(*np));
                }
                r->pos = np;
                r->cap = ncap;
            }
            r->pos[r->count++] = (struct pos){kind, id, i};
            json_array_append(r->list, row);
        }
        json_decref(row);
    }
}

// Adds the rows of one stored object.
static int add_object(struct svc_call *c, struct rows *r, const struct ec2_filter_set *fs,
                      size_t kind, const struct store_obj *obj, size_t first)
{
    json_t *doc = ec2_parse(c, obj);
    if (doc == NULL) {
        return -1;
    }
    add_rows(c, r, fs, kind, obj->id, doc, first);
    json_decref(doc);
    return 0;
}

// Reads a DescribeTags token: "KIND:ID:TAG".
static int read_position(struct svc_call *c, struct pos *p, bool *have)
{
    const char *t;
    *have = false;
    if (ec2_token_read(c, "tags", &t) != 0) {
        return -1;
    }
    if (t == NULL) {
        return 0;
    }
    const char *a = strchr(t, ':');
    const char *b = a != NULL ? strrchr(t, ':') : NULL;
    char *end = NULL;
    unsigned long k = strtoul(t, &end, 10);
    unsigned long tag = b != NULL && b > a ? strtoul(b + 1, NULL, 10) : 0;
    if (a == NULL || b == NULL || b == a || end != a || k >= ec2_kind_count) {
        return ec2_err_value(c,
                             "Value ( %s ) for parameter NextToken is invalid. The token is "
                             "invalid.",
                             ec2_in_str(c, "NextToken"));
    }
    p->kind = k;
    p->id = arena_strndup(c->arena, a + 1, (size_t)(b - a - 1));
    p->tag = tag;
    *have = true;
    return 0;
}

// Pages through one kind from after (an id, or NULL).
static int scan_kind(struct svc_call *c, struct rows *r, const struct ec2_filter_set *fs,
                     size_t kind, const char *after)
{
    struct store_scope sc = ec2_scope(c, ec2_kinds[kind].kind);
    struct store_list_opts lo = {
        .marker = after != NULL ? ec2_fmt(c, "=%s", after) : NULL,
        .limit = STORE_LIST_MAX,
    };
    while (!rows_full(r)) {
        struct store_list l;
        struct store_err e = {{0}};
        int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
        if (rc != 0) {
            return ec2_store_error(c, rc, &e);
        }
        for (size_t i = 0; i < l.count && !rows_full(r); i++) {
            if (add_object(c, r, fs, kind, &l.items[i], 0) != 0) {
                return -1;
            }
        }
        if (!l.truncated) {
            break;
        }
        lo.marker = l.next_marker;
    }
    return 0;
}

// DescribeTags: every tag of every resource of the region, in kind order (ec2_kinds) then id
// order. MaxResults is 5..1000 (DescribeTags API Reference; the model leaves it unbounded; the
// out-of-range wording is sagebox's).
static int describe_tags_body(struct svc_call *c)
{
    struct ec2_filter_set *fs;
    if (ec2_filters_compile(c->arena, &c->err, tag_filters, json_object_get(c->in, "Filters"),
                            &fs) != 0) {
        return -1;
    }
    int max = ec2_max_results(c);
    if (json_object_get(c->in, "MaxResults") != NULL && (max < 5 || max > 1000)) {
        return ec2_err_value(c,
                             "Value ( %d ) for parameter maxResults is invalid. Parameter must "
                             "be between 5 and 1000.",
                             max);
    }
    struct pos start = {0};
    bool have;
    if (read_position(c, &start, &have) != 0) {
        return -1;
    }
    struct ec2_res any = {.arn = "*"};
    if (ec2_authorize(c, "ec2:DescribeTags", &any, 1) != 0) {
        return -1;
    }
    struct rows r = {.list = json_array(), .limit = (size_t)max};
    int rc = 0;
    for (size_t k = have ? start.kind : 0; k < ec2_kind_count && rc == 0 && !rows_full(&r); k++) {
        const char *after = NULL;
        if (have && k == start.kind) {
            struct store_obj obj;
            rc = ec2_get(c, &ec2_kinds[k], start.id, &obj, NULL);
            if (rc == 0) {
                rc = add_object(c, &r, fs, k, &obj, start.tag + 1);
            } else if (rc == SB_ENOTFOUND) {
                rc = 0;
            }
            after = start.id;
        }
        if (rc == 0) {
            rc = scan_kind(c, &r, fs, k, after);
        }
    }
    if (rc != 0) {
        json_decref(r.list);
        return -1;
    }
    c->out = json_object();
    if (rows_full(&r)) {
        json_array_remove(r.list, r.count - 1);
        const struct pos *p = &r.pos[r.count - 2];
        json_object_set_new(c->out, "NextToken",
                            json_string(ec2_token_make(
                                c, "tags", ec2_fmt(c, "%zu:%s:%zu", p->kind, p->id, p->tag))));
    }
    json_object_set_new(c->out, "Tags", r.list);
    return 0;
}

EC2_OPERATION(describe_tags, false)

const struct svc_handler ec2_tag_handlers[] = {
    {"CreateTags", create_tags},
    {"DeleteTags", delete_tags},
    {"DescribeTags", describe_tags},
    {NULL, NULL},
};
