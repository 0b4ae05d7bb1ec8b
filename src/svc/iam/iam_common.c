// SPDX-License-Identifier: Apache-2.0
// Shared IAM helpers; see iam_common.h. Error wording follows the IAM API Reference's "Common
// Errors" and what IAM returns for each entity ("The user with name ana cannot be found.").
#include "svc/iam/iam_common.h"
#include "core/jsonload.h"

#include "core/ids.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// The scope of an IAM kind: the caller's account, the global region, IAM's case-insensitive
// names.
struct store_scope iam_scope(const struct svc_call *c, const char *kind)
{
    struct store_scope sc = {c->caller->account, "", kind, true};
    return sc;
}

// Builds an IAM ARN; see iam_common.h.
const char *iam_arn(const struct svc_call *c, const char *type, const char *path, const char *name)
{
    const char *p = (path != NULL && path[0] == '/') ? path + 1 : "";
    size_t n = strlen(c->env->partition) + strlen(c->caller->account) + strlen(type) + strlen(p) +
               strlen(name) + 16;
    char *out = arena_alloc(c->arena, n);
    snprintf(out, n, "arn:%s:iam::%s:%s/%s%s", c->env->partition, c->caller->account, type, p,
             name);
    return out;
}

// A new IAM unique id; see iam_common.h.
const char *iam_new_id(const struct svc_call *c, const char *prefix)
{
    size_t n = (strcmp(prefix, "AKIA") == 0 || strcmp(prefix, "ASIA") == 0) ? 16 : 17;
    char *out = arena_alloc(c->arena, 32);
    ids_aws_unique(prefix, n, out, 32);
    return out;
}

// A string member of the request.
const char *iam_in_str(const struct svc_call *c, const char *member)
{
    const json_t *v = json_object_get(c->in, member);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

// Maps store failures to IAM errors; see iam_common.h.
int iam_store_error(struct svc_call *c, int rc, const struct store_err *e,
                    const char *not_found_msg, const char *exists_msg)
{
    if (rc == SB_ENOTFOUND && not_found_msg != NULL) {
        return awserr_set(&c->err, 404, "NoSuchEntity", "%s", not_found_msg);
    }
    if (rc == SB_EEXISTS && exists_msg != NULL) {
        return awserr_set(&c->err, 409, "EntityAlreadyExists", "%s", exists_msg);
    }
    fprintf(stderr, "sagebox: %s %s: store: %s (%s)\n", c->request_id, c->operation,
            e != NULL ? e->msg : "", store_strerror(rc));
    return awserr_set(&c->err, 500, "ServiceFailure",
                      "The request processing has failed because of an unknown error, exception "
                      "or failure.");
}

// Loads a named IAM object; see iam_common.h.
int iam_get_named(struct svc_call *c, const char *kind, const char *what, const char *name,
                  struct store_obj *obj, json_t **doc)
{
    struct store_scope sc = iam_scope(c, kind);
    struct store_err e;
    *doc = NULL;
    int rc = store_get_by_name(c->env->store, &sc, name, c->arena, obj, &e);
    if (rc != 0) {
        char msg[400];
        snprintf(msg, sizeof(msg), "The %s with name %s cannot be found.", what, name);
        return iam_store_error(c, rc, &e, msg, NULL);
    }
    *doc = jsonload(obj->doc, obj->doc_len);
    if (*doc == NULL) {
        return iam_store_error(c, SB_ECORRUPT, &e, NULL, NULL);
    }
    return 0;
}

// Serializes and stores an object; see iam_common.h.
int iam_put(struct svc_call *c, struct store_obj *obj, const json_t *doc, enum store_put_mode mode,
            const char *not_found_msg, const char *exists_msg)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    obj->doc = text;
    obj->doc_len = strlen(text);
    struct store_err e;
    int rc = store_put(c->env->store, obj, mode, &e);
    free(text);
    obj->doc = NULL;
    obj->doc_len = 0;
    if (rc != 0) {
        return iam_store_error(c, rc, &e, not_found_msg, exists_msg);
    }
    return 0;
}

// Validates a policy document; see iam_common.h.
int iam_check_policy(struct svc_call *c, const char *doc, enum policy_kind kind, const char *entity)
{
    struct policy *p = NULL;
    struct policy_error pe;
    if (policy_parse(doc, strlen(doc), kind, entity ? entity : "", NULL, &p, &pe) == 0) {
        policy_free(p);
        return 0;
    }
    if (pe.code == POLICY_ERR_TOO_LARGE) {
        return awserr_set(&c->err, 409, "LimitExceeded", "%s", pe.message);
    }
    return awserr_set(&c->err, 400, "MalformedPolicyDocument", "%s", pe.message);
}

// RFC 3986 percent-encoding of everything but the unreserved characters.
const char *iam_url_encode(const struct svc_call *c, const char *doc)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(doc);
    char *out = arena_alloc(c->arena, 3 * n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)doc[i];
        bool unreserved = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                          (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
                          ch == '~';
        if (unreserved) {
            out[o++] = (char)ch;
        } else {
            out[o++] = '%';
            out[o++] = hex[ch >> 4];
            out[o++] = hex[ch & 15];
        }
    }
    out[o] = '\0';
    return out;
}

// Reads Marker and MaxItems; see iam_common.h. The model already bounds MaxItems to 1..1000.
void iam_page_in(const struct svc_call *c, struct iam_page *p)
{
    p->marker = iam_in_str(c, "Marker");
    const json_t *m = json_object_get(c->in, "MaxItems");
    p->limit = json_is_integer(m) ? (size_t)json_integer_value(m) : 100;
    if (p->limit == 0 || p->limit > STORE_LIST_MAX) {
        p->limit = 100;
    }
}

// Writes IsTruncated/Marker; see iam_common.h.
void iam_page_out(json_t *out, const struct store_list *l)
{
    json_object_set_new(out, "IsTruncated", json_boolean(l->truncated));
    if (l->truncated && l->next_marker != NULL) {
        json_object_set_new(out, "Marker", json_string(l->next_marker));
    }
}

// Checks tags beyond what the model checks; see iam_common.h.
int iam_check_tags(struct svc_call *c, const json_t *tags)
{
    if (tags == NULL) {
        return 0;
    }
    size_t n = json_array_size(tags);
    if (n > 50) {
        return awserr_set(&c->err, 409, "LimitExceeded",
                          "Cannot exceed quota for TagsPerUser: 50.");
    }
    for (size_t i = 0; i < n; i++) {
        const char *k = json_string_value(json_object_get(json_array_get(tags, i), "Key"));
        if (k == NULL) {
            continue;
        }
        if (strncasecmp(k, "aws:", 4) == 0) {
            return awserr_set(&c->err, 400, "InvalidInput",
                              "User-defined tag keys can't start with 'aws:'. This prefix is "
                              "reserved for AWS tags.");
        }
        for (size_t j = 0; j < i; j++) {
            const char *k2 = json_string_value(json_object_get(json_array_get(tags, j), "Key"));
            if (k2 != NULL && strcasecmp(k, k2) == 0) {
                return awserr_set(&c->err, 400, "InvalidInput",
                                  "Duplicate tag keys found. Please note that Tag keys are "
                                  "case insensitive.");
            }
        }
    }
    return 0;
}

static void tag_key(char *out, size_t cap, const char *prefix, const char *key)
{
    snprintf(out, cap, "%s%s", prefix, key);
}

// Adds aws:RequestTag/* and aws:TagKeys; see iam_common.h.
void iam_request_tag_keys(struct svc_call *c, const json_t *tags)
{
    size_t n = json_array_size(tags);
    const char **keys = arena_calloc(c->arena, n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_array_get(tags, i);
        const char *k = json_string_value(json_object_get(t, "Key"));
        const char *v = json_string_value(json_object_get(t, "Value"));
        keys[i] = k ? k : "";
        char name[300];
        tag_key(name, sizeof(name), "aws:RequestTag/", keys[i]);
        policy_context_set(c->ctx, name, v ? v : "");
    }
    if (tags != NULL) {
        policy_context_set_list(c->ctx, "aws:TagKeys", keys, n);
    }
}

// Adds aws:ResourceTag/* and iam:ResourceTag/*; see iam_common.h.
void iam_resource_tag_keys(struct svc_call *c, const json_t *tags)
{
    size_t n = json_array_size(tags);
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_array_get(tags, i);
        const char *k = json_string_value(json_object_get(t, "Key"));
        const char *v = json_string_value(json_object_get(t, "Value"));
        if (k == NULL) {
            continue;
        }
        char name[300];
        tag_key(name, sizeof(name), "aws:ResourceTag/", k);
        policy_context_set(c->ctx, name, v ? v : "");
        tag_key(name, sizeof(name), "iam:ResourceTag/", k);
        policy_context_set(c->ctx, name, v ? v : "");
    }
}

// Records or forgets a boundary's use; see iam_common.h.
int iam_boundary_record(struct svc_call *c, const char *entity_type, const char *entity_id,
                        const char *entity_name, const char *old_arn, const char *new_arn)
{
    struct store_scope sc = iam_scope(c, IAM_KIND_BOUNDARY_ENTITY);
    struct store_err e;
    char id[2300];
    if (old_arn != NULL) {
        snprintf(id, sizeof(id), "%s|%s", old_arn, entity_id);
        int rc = store_delete(c->env->store, &sc, id, &e);
        if (rc != 0 && rc != SB_ENOTFOUND) {
            return iam_store_error(c, rc, &e, NULL, NULL);
        }
    }
    if (new_arn == NULL) {
        return 0;
    }
    snprintf(id, sizeof(id), "%s|%s", new_arn, entity_id);
    json_t *doc = json_pack("{s:s, s:s, s:s}", "EntityType", entity_type, "EntityId", entity_id,
                            "EntityName", entity_name);
    struct store_obj o = {
        .account = c->caller->account,
        .region = "",
        .kind = IAM_KIND_BOUNDARY_ENTITY,
        .id = id,
        .parent = new_arn,
    };
    int rc = iam_put(c, &o, doc, STORE_UPSERT, NULL, NULL);
    json_decref(doc);
    return rc;
}

// printf into the arena; see iam_common.h.
const char *iam_fmt(struct svc_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *out = svc_vfmt(c, fmt, ap);
    va_end(ap);
    return out;
}

// Authorizes and renames the resource in a denial; see iam_common.h.
int iam_authorize_named(struct svc_call *c, const char *action, const char *arn, const char *owner,
                        const char *type, const char *name)
{
    if (svc_authorize(c, action, arn, owner, NULL) == 0) {
        return 0;
    }
    if (type == NULL || strcmp(c->err.code, "AccessDenied") != 0) {
        return -1;
    }
    const char *shown = iam_fmt(c, "%s %s", type, name);
    const char *needle = iam_fmt(c, " on resource: %s ", arn);
    const char *at = strstr(c->err.message, needle);
    if (at != NULL) {
        struct awserr old = c->err;
        const char *rest = old.message + (at - c->err.message) + strlen(needle);
        awserr_set(&c->err, old.status, old.code, "%.*s on resource: %s %s",
                   (int)(at - c->err.message), old.message, shown, rest);
    }
    return -1;
}

// Runs a handler body in one transaction; see iam_common.h.
// iam_store_error without entity wording, for svc_run_txn.
static int iam_txn_error(struct svc_call *c, int rc, const struct store_err *e)
{
    return iam_store_error(c, rc, e, NULL, NULL);
}

int iam_run(struct svc_call *c, bool write, svc_handler_fn body)
{
    return svc_run_txn(c, write, body, iam_txn_error);
}

// Pages through a list held whole; see iam_common.h.
int iam_page_range(struct svc_call *c, size_t total, size_t *start, size_t *end)
{
    struct iam_page pg;
    iam_page_in(c, &pg);
    *start = 0;
    if (pg.marker != NULL) {
        char *stop = NULL;
        unsigned long v = strtoul(pg.marker, &stop, 10);
        if (stop == pg.marker || *stop != '\0' || v > total) {
            return awserr_set(&c->err, 400, "InvalidInput", "Invalid Marker.");
        }
        *start = v;
    }
    *end = *start + pg.limit < total ? *start + pg.limit : total;
    return 0;
}

// Sets IsTruncated and Marker; see iam_common.h.
void iam_page_finish(struct svc_call *c, json_t *out, size_t end, size_t total)
{
    json_object_set_new(out, "IsTruncated", json_boolean(end < total));
    if (end < total) {
        json_object_set_new(out, "Marker", json_string(iam_fmt(c, "%zu", end)));
    }
}

// Reads all children of a parent; see iam_common.h.
int iam_list_all(struct svc_call *c, const char *kind, const char *parent, struct store_obj **items,
                 size_t *count)
{
    struct store_scope sc = iam_scope(c, kind);
    struct store_list_opts lo = {.parent = parent, .limit = STORE_LIST_MAX};
    *items = NULL;
    *count = 0;
    size_t cap = 0;
    for (;;) {
        struct store_list l;
        struct store_err e;
        int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
        if (rc != 0) {
            return iam_store_error(c, rc, &e, NULL, NULL);
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

// Counts children; see iam_common.h.
int iam_count_children(struct svc_call *c, const char *kind, const char *parent, int64_t *n)
{
    struct store_scope sc = iam_scope(c, kind);
    struct store_err e;
    int rc = store_count(c->env->store, &sc, parent, n, &e);
    return rc == 0 ? 0 : iam_store_error(c, rc, &e, NULL, NULL);
}

// The current time for CreateDate members.
json_t *iam_now(const struct svc_call *c)
{
    return json_integer((json_int_t)c->now);
}

// Counts the characters IAM counts against an inline-policy quota: all but whitespace outside
// string literals (the same rule as the engine's, policy_parse.c).
static size_t counted_chars(const char *s)
{
    size_t n = 0;
    bool in_str = false;
    for (size_t i = 0; s[i] != '\0'; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch & 0xC0) == 0x80) {
            continue;
        }
        if (in_str) {
            n++;
            if (ch == '\\' && s[i + 1] != '\0') {
                i++;
                n++;
            } else if (ch == '"') {
                in_str = false;
            }
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            continue;
        }
        if (ch == '"') {
            in_str = true;
        }
        n++;
    }
    return n;
}

// The aggregate size of an entity's inline policies; see iam_common.h.
int iam_check_inline_total(struct svc_call *c, const char *kind, const char *owner_id,
                           const char *noun, const char *owner_name, const char *policy_name,
                           const char *doc, size_t limit)
{
    size_t total = counted_chars(doc);
    struct store_scope sc = iam_scope(c, kind);
    sc.name_ci = false;
    struct store_list_opts lo = {.parent = owner_id, .limit = STORE_LIST_MAX};
    for (;;) {
        struct store_list l;
        struct store_err e = {{0}};
        int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
        if (rc != 0) {
            return iam_store_error(c, rc, &e, NULL, NULL);
        }
        for (size_t i = 0; i < l.count; i++) {
            json_t *p = jsonload(l.items[i].doc, l.items[i].doc_len);
            if (p == NULL) {
                return iam_store_error(c, SB_ECORRUPT, NULL, NULL, NULL);
            }
            const json_t *pn = json_object_get(p, "PolicyName");
            const json_t *pd = json_object_get(p, "PolicyDocument");
            if (json_is_string(pn) && json_is_string(pd) &&
                strcmp(json_string_value(pn), policy_name) != 0) {
                total += counted_chars(json_string_value(pd));
            }
            json_decref(p);
        }
        if (!l.truncated) {
            break;
        }
        lo.marker = l.next_marker;
    }
    if (total > limit) {
        return awserr_set(&c->err, 409, "LimitExceeded",
                          "Maximum policy size of %zu bytes exceeded for %s %s", limit, noun,
                          owner_name);
    }
    return 0;
}
