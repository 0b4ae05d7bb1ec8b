// SPDX-License-Identifier: Apache-2.0
// CloudWatch Logs log groups (CloudWatch Logs API Reference: CreateLogGroup, DeleteLogGroup,
// DescribeLogGroups, PutRetentionPolicy, DeleteRetentionPolicy, AssociateKmsKey,
// DisassociateKmsKey, TagLogGroup, UntagLogGroup, ListTagsLogGroup, TagResource, UntagResource,
// ListTagsForResource). Objects follow logs_common.h.
//
// Authorization: each action is decided on the resource AWS names in its denials (see
// logs_group_auth_arn), with aws:ResourceTag/* of an existing group, and aws:RequestTag/* and
// aws:TagKeys where the request carries tags (Service Authorization Reference, "Actions defined by
// Amazon CloudWatch Logs": CreateLogGroup, TagResource, TagLogGroup, UntagResource). A request
// for a group that does not exist is decided first, so that a caller without permission learns
// nothing. KMS keys: sagebox has no KMS yet, so AssociateKmsKey and CreateLogGroup check only that
// kmsKeyId is a KMS key ARN and store it; whether the key exists and is enabled is not checked.
#include "core/ids.h"
#include "svc/logs/logs_common.h"
#include "svc/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// Tags a log group may have (CloudWatch Logs User Guide, "CloudWatch Logs quotas": 50 tags per
// log group; the Tags shape's max is 50 per request).
#define TAGS_PER_GROUP 50

// PutRetentionPolicy's allowed values: the Days shape's documentation (botocore) plus 1096,
// which AWS added later (PutRetentionPolicy API Reference lists 1, 3, 5, 7, 14, 30, 60, 90, 120,
// 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653).
static const int retention_days[] = {1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,
                                     365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};

static bool retention_ok(json_int_t days)
{
    for (size_t i = 0; i < sizeof(retention_days) / sizeof(retention_days[0]); i++) {
        if (retention_days[i] == days) {
            return true;
        }
    }
    return false;
}

// The validation error AWS's request framework reports for a value outside an enum set (the
// wording of its other constraint failures; CloudWatch Logs reports them as
// InvalidParameterException).
static int bad_retention(struct svc_call *c, json_int_t days)
{
    char set[256];
    size_t o = 0;
    for (size_t i = 0; i < sizeof(retention_days) / sizeof(retention_days[0]); i++) {
        int n = snprintf(set + o, sizeof(set) - o, "%s%d", i ? ", " : "", retention_days[i]);
        if (n < 0 || (size_t)n >= sizeof(set) - o) {
            break;
        }
        o += (size_t)n;
    }
    return logs_invalid(c,
                        "1 validation error detected: Value '%lld' at 'retentionInDays' failed to "
                        "satisfy constraint: Member must satisfy enum value set: [%s]",
                        (long long)days, set);
}

// Checks that s is a KMS key ARN: arn:PARTITION:kms:REGION:ACCOUNT(12 digits):key/ID (the form
// kmsKeyId takes: "The Amazon Resource Name (ARN) of the KMS key to use when encrypting log
// data", AssociateKmsKey API Reference). Aliases and bare key ids are refused, as AWS does.
static bool kms_arn_ok(const char *s)
{
    if (strncmp(s, "arn:", 4) != 0) {
        return false;
    }
    const char *parts[6];
    size_t lens[6];
    const char *p = s + 4;
    for (int i = 0; i < 5; i++) {
        const char *colon = strchr(p, i < 4 ? ':' : '\0');
        if (i < 4 && colon == NULL) {
            return false;
        }
        parts[i] = p;
        lens[i] = i < 4 ? (size_t)(colon - p) : strlen(p);
        p = i < 4 ? colon + 1 : p + lens[i];
    }
    // parts: partition, service, region, account, resource
    if (lens[0] == 0 || lens[1] != 3 || memcmp(parts[1], "kms", 3) != 0 || lens[2] == 0 ||
        lens[3] != 12 || lens[4] <= 4 || memcmp(parts[4], "key/", 4) != 0) {
        return false;
    }
    for (size_t i = 0; i < 12; i++) {
        if (parts[3][i] < '0' || parts[3][i] > '9') {
            return false;
        }
    }
    for (size_t i = 4; i < lens[4]; i++) {
        char ch = parts[4][i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-')) {
            return false;
        }
    }
    return true;
}

static int bad_kms(struct svc_call *c, const char *key)
{
    // Wording not verified against AWS (no public quote found); the code is the model's.
    return logs_invalid(c, "Specified KMS key ARN is not valid: %s", key);
}

// Finds the group, adds its tag keys and decides action on auth_arn (the group's, or arn when
// not NULL). Returns 0 with g loaded; -1 with c->err: AccessDenied, or ResourceNotFoundException
// once the caller was allowed.
static int authorize_group(struct svc_call *c, const char *action, const char *name,
                           const char *arn, struct logs_obj *g)
{
    if (logs_group_get(c, name, g) != 0) {
        return -1;
    }
    if (g->found) {
        logs_resource_tag_keys(c, g->doc);
    }
    if (svc_authorize(c, action, arn != NULL ? arn : logs_group_auth_arn(c, name), NULL, NULL) !=
        0) {
        logs_obj_release(g);
        return -1;
    }
    if (!g->found) {
        return logs_group_not_found(c);
    }
    return 0;
}

// Rewrites a group's document (same id and name).
static int replace_group(struct svc_call *c, struct logs_obj *g)
{
    struct store_obj o = g->obj;
    return logs_put(c, &o, g->doc, STORE_REPLACE, NULL);
}

// Checks the total number of tags after a change: TooManyTagsException past the quota.
static int check_tag_count(struct svc_call *c, const json_t *tags)
{
    if (json_object_size(tags) <= TAGS_PER_GROUP) {
        return 0;
    }
    // Wording not verified against AWS.
    return awserr_set(&c->err, 400, "TooManyTagsException",
                      "A resource can have no more than %d tags.", TAGS_PER_GROUP);
}

// ---- CreateLogGroup / DeleteLogGroup -----------------------------------------------------

static int create_log_group_body(struct svc_call *c)
{
    const char *name = logs_in_str(c, "logGroupName");
    const char *kms = logs_in_str(c, "kmsKeyId");
    const json_t *tags = json_object_get(c->in, "tags");
    if (tags != NULL) {
        logs_request_tag_keys(c, tags, NULL);
    }
    if (svc_authorize(c, "logs:CreateLogGroup", logs_group_auth_arn(c, name), NULL, NULL) != 0) {
        return -1;
    }
    // "User with accountId: 111111111111 is not authorized to perform CreateLogGroup with Tags.
    // An additional permission "logs:TagResource" is required." (DataDog/cloudformation-template
    // pull 61, an AccessDeniedException of CreateLogGroup with tags since 2023).
    if (tags != NULL &&
        svc_authorize(c, "logs:TagResource", logs_group_arn(c, name), NULL, NULL) != 0) {
        if (strcmp(c->err.code, "AccessDeniedException") == 0) {
            awserr_set(&c->err, 400, "AccessDeniedException",
                       "User with accountId: %s is not authorized to perform CreateLogGroup with "
                       "Tags. An additional permission \"logs:TagResource\" is required.",
                       c->caller->account);
        }
        return -1;
    }
    // "InvalidParameterException: Log groups starting with AWS/ are reserved for AWS."
    // (aws-solutions/application-monitoring-with-amazon-cloudwatch#11, for "aws/cwagent").
    if (strncasecmp(name, "aws/", 4) == 0) {
        return logs_invalid(c, "Log groups starting with AWS/ are reserved for AWS.");
    }
    if (kms != NULL && !kms_arn_ok(kms)) {
        return bad_kms(c, kms);
    }
    char id[32];
    ids_hex17("lg", id, sizeof(id));
    json_t *doc = json_pack(
        "{s:s, s:I, s:o, s:I}", "logGroupName", name, "creationTime", (json_int_t)logs_now_ms(),
        "tags", tags != NULL ? json_deep_copy(tags) : json_object(), "storedBytes", (json_int_t)0);
    if (kms != NULL) {
        json_object_set_new(doc, "kmsKeyId", json_string(kms));
    }
    struct store_obj o = {
        .account = c->caller->account,
        .region = c->region,
        .kind = LOGS_KIND_GROUP,
        .id = id,
        .name = name,
    };
    // "ResourceAlreadyExistsException: The specified log group already exists" (AWS's wording,
    // quoted in many reports, e.g. serverless/serverless#3237's CloudFormation events).
    int rc = logs_put(c, &o, doc, STORE_CREATE, "The specified log group already exists");
    json_decref(doc);
    return rc;
}
LOGS_OPERATION(create_log_group, true)

static int delete_log_group_body(struct svc_call *c)
{
    const char *name = logs_in_str(c, "logGroupName");
    struct logs_obj g;
    if (authorize_group(c, "logs:DeleteLogGroup", name, NULL, &g) != 0) {
        return -1;
    }
    logs_obj_release(&g);
    struct store_obj *streams = NULL;
    size_t n = 0;
    if (logs_list_all(c, LOGS_KIND_STREAM, g.obj.id, NULL, &streams, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (logs_delete_stream_events(c, streams[i].id) != 0) {
            return -1;
        }
    }
    struct store_scope ssc = logs_scope(c, LOGS_KIND_STREAM);
    struct store_scope gsc = logs_scope(c, LOGS_KIND_GROUP);
    struct store_err e = {{0}};
    int rc = store_delete_children(c->env->store, &ssc, g.obj.id, NULL, &e);
    if (rc == 0) {
        rc = store_delete(c->env->store, &gsc, g.obj.id, &e);
    }
    return rc == 0 ? 0 : logs_store_error(c, rc, &e);
}
LOGS_OPERATION(delete_log_group, true)

// ---- DescribeLogGroups -------------------------------------------------------------------

// A group as DescribeLogGroups returns it: the ARN with ":*" ("The second one, with the :* at the
// end, is what is returned by the describe-log-groups CLI command and the DescribeLogGroups API",
// CloudWatch Logs User Guide, "Overview of managing access permissions").
static json_t *group_out(struct svc_call *c, const json_t *doc)
{
    const char *name = json_string_value(json_object_get(doc, "logGroupName"));
    json_t *o = json_pack("{s:s, s:I, s:i, s:s, s:I}", "logGroupName", name, "creationTime",
                          (json_int_t)logs_int(doc, "creationTime"), "metricFilterCount", 0, "arn",
                          logs_fmt(c, "%s:*", logs_group_arn(c, name)), "storedBytes",
                          (json_int_t)logs_int(doc, "storedBytes"));
    const json_t *r = json_object_get(doc, "retentionInDays");
    if (json_is_integer(r)) {
        json_object_set(o, "retentionInDays", (json_t *)r);
    }
    const json_t *k = json_object_get(doc, "kmsKeyId");
    if (json_is_string(k)) {
        json_object_set(o, "kmsKeyId", (json_t *)k);
    }
    return o;
}

static int describe_log_groups_body(struct svc_call *c)
{
    const char *prefix = logs_in_str(c, "logGroupNamePrefix");
    const char *pattern = logs_in_str(c, "logGroupNamePattern");
    const char *token = logs_in_str(c, "nextToken");
    const json_t *lim = json_object_get(c->in, "limit");
    size_t limit = json_is_integer(lim) ? (size_t)json_integer_value(lim) : 50;
    if (svc_authorize(c, "logs:DescribeLogGroups", logs_group_auth_arn(c, ""), NULL, NULL) != 0) {
        return -1;
    }
    // "logGroupNamePattern and logGroupNamePrefix are mutually exclusive. Only one of these
    // parameters can be passed." (the model's documentation; the message is not verified).
    if (prefix != NULL && pattern != NULL) {
        return logs_invalid(c, "LogGroup name prefix and LogGroup name pattern are mutually "
                               "exclusive parameters.");
    }
    struct store_scope sc = logs_scope(c, LOGS_KIND_GROUP);
    json_t *groups = json_array();
    const char *next = NULL;
    const char *marker = token;
    // Pages of exactly the number of groups still wanted, so that the store's marker after the
    // last group returned is the token of the next page even when a pattern skips some.
    while (json_array_size(groups) < limit) {
        struct store_list_opts lo = {
            .name_prefix = prefix,
            .marker = marker,
            .limit = limit - json_array_size(groups),
        };
        struct store_list l;
        struct store_err e = {{0}};
        int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
        if (rc == SB_EINVAL) {
            json_decref(groups);
            // Wording not verified against AWS.
            return logs_invalid(c, "The specified nextToken is invalid.");
        }
        if (rc != 0) {
            json_decref(groups);
            return logs_store_error(c, rc, &e);
        }
        for (size_t i = 0; i < l.count; i++) {
            json_t *doc = logs_load_doc(c, &l.items[i]);
            if (doc == NULL) {
                json_decref(groups);
                return -1;
            }
            const char *name = json_string_value(json_object_get(doc, "logGroupName"));
            // "a case-sensitive substring search" (the model's documentation).
            if (pattern == NULL || (name != NULL && strstr(name, pattern) != NULL)) {
                json_array_append_new(groups, group_out(c, doc));
            }
            json_decref(doc);
        }
        if (!l.truncated) {
            next = NULL;
            break;
        }
        marker = l.next_marker;
        next = l.next_marker;
    }
    c->out = json_pack("{s:o}", "logGroups", groups);
    if (next != NULL) {
        json_object_set_new(c->out, "nextToken", json_string(next));
    }
    return 0;
}
LOGS_OPERATION(describe_log_groups, false)

// ---- Retention and KMS -------------------------------------------------------------------

static int put_retention_policy_body(struct svc_call *c)
{
    const char *name = logs_in_str(c, "logGroupName");
    json_int_t days = json_integer_value(json_object_get(c->in, "retentionInDays"));
    if (!retention_ok(days)) {
        return bad_retention(c, days);
    }
    struct logs_obj g;
    if (authorize_group(c, "logs:PutRetentionPolicy", name, NULL, &g) != 0) {
        return -1;
    }
    json_object_set_new(g.doc, "retentionInDays", json_integer(days));
    int rc = replace_group(c, &g);
    logs_obj_release(&g);
    return rc;
}
LOGS_OPERATION(put_retention_policy, true)

static int delete_retention_policy_body(struct svc_call *c)
{
    const char *name = logs_in_str(c, "logGroupName");
    struct logs_obj g;
    if (authorize_group(c, "logs:DeleteRetentionPolicy", name, NULL, &g) != 0) {
        return -1;
    }
    json_object_del(g.doc, "retentionInDays");
    int rc = replace_group(c, &g);
    logs_obj_release(&g);
    return rc;
}
LOGS_OPERATION(delete_retention_policy, true)

static int associate_kms_key_body(struct svc_call *c)
{
    const char *name = logs_in_str(c, "logGroupName");
    const char *kms = logs_in_str(c, "kmsKeyId");
    struct logs_obj g;
    if (authorize_group(c, "logs:AssociateKmsKey", name, NULL, &g) != 0) {
        return -1;
    }
    if (!kms_arn_ok(kms)) {
        logs_obj_release(&g);
        return bad_kms(c, kms);
    }
    json_object_set_new(g.doc, "kmsKeyId", json_string(kms));
    int rc = replace_group(c, &g);
    logs_obj_release(&g);
    return rc;
}
LOGS_OPERATION(associate_kms_key, true)

static int disassociate_kms_key_body(struct svc_call *c)
{
    const char *name = logs_in_str(c, "logGroupName");
    struct logs_obj g;
    if (authorize_group(c, "logs:DisassociateKmsKey", name, NULL, &g) != 0) {
        return -1;
    }
    json_object_del(g.doc, "kmsKeyId");
    int rc = replace_group(c, &g);
    logs_obj_release(&g);
    return rc;
}
LOGS_OPERATION(disassociate_kms_key, true)

// ---- Tags --------------------------------------------------------------------------------

// Merges tags (an object) into the group's tags and stores it.
static int add_tags(struct svc_call *c, struct logs_obj *g, const json_t *tags)
{
    json_t *have = json_object_get(g->doc, "tags");
    if (!json_is_object(have)) {
        have = json_object();
        json_object_set_new(g->doc, "tags", have);
    }
    json_t *merged = json_deep_copy(have);
    json_object_update(merged, (json_t *)tags);
    if (check_tag_count(c, merged) != 0) {
        json_decref(merged);
        return -1;
    }
    json_object_set_new(g->doc, "tags", merged);
    return replace_group(c, g);
}

// Removes the keys (an array of strings) from the group's tags and stores it.
static int remove_tags(struct svc_call *c, struct logs_obj *g, const json_t *keys)
{
    json_t *have = json_object_get(g->doc, "tags");
    for (size_t i = 0; json_is_object(have) && i < json_array_size(keys); i++) {
        const char *k = json_string_value(json_array_get(keys, i));
        if (k != NULL) {
            json_object_del(have, k);
        }
    }
    return replace_group(c, g);
}

static json_t *tags_out(const struct logs_obj *g)
{
    json_t *t = json_object_get(g->doc, "tags");
    return json_pack("{s:O}", "tags", json_is_object(t) ? t : json_object());
}

static int tag_log_group_body(struct svc_call *c)
{
    const char *name = logs_in_str(c, "logGroupName");
    const json_t *tags = json_object_get(c->in, "tags");
    logs_request_tag_keys(c, tags, NULL);
    struct logs_obj g;
    if (authorize_group(c, "logs:TagLogGroup", name, NULL, &g) != 0) {
        return -1;
    }
    int rc = add_tags(c, &g, tags);
    logs_obj_release(&g);
    return rc;
}
LOGS_OPERATION(tag_log_group, true)

static int untag_log_group_body(struct svc_call *c)
{
    const char *name = logs_in_str(c, "logGroupName");
    const json_t *keys = json_object_get(c->in, "tags");
    logs_request_tag_keys(c, NULL, keys);
    struct logs_obj g;
    if (authorize_group(c, "logs:UntagLogGroup", name, NULL, &g) != 0) {
        return -1;
    }
    int rc = remove_tags(c, &g, keys);
    logs_obj_release(&g);
    return rc;
}
LOGS_OPERATION(untag_log_group, true)

static int list_tags_log_group_body(struct svc_call *c)
{
    const char *name = logs_in_str(c, "logGroupName");
    struct logs_obj g;
    if (authorize_group(c, "logs:ListTagsLogGroup", name, NULL, &g) != 0) {
        return -1;
    }
    c->out = tags_out(&g);
    logs_obj_release(&g);
    return 0;
}
LOGS_OPERATION(list_tags_log_group, false)

// Resolves the resourceArn of TagResource, UntagResource and ListTagsForResource to a log group
// of the caller's account and region: arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME (a
// trailing ":*" is tolerated). Returns the name in the arena, or NULL with c->err set.
static const char *arn_group(struct svc_call *c, const char *arn)
{
    const char *want = logs_fmt(c, "arn:%s:logs:%s:%s:log-group:", c->env->partition, c->region,
                                c->caller->account);
    size_t n = strlen(want);
    if (strncmp(arn, want, n) != 0 || arn[n] == '\0') {
        // Wording not verified against AWS.
        logs_invalid(c, "The specified resource ARN is not valid: %s", arn);
        return NULL;
    }
    size_t len = strlen(arn + n);
    if (len >= 2 && strcmp(arn + n + len - 2, ":*") == 0) {
        len -= 2;
    }
    const char *name = arena_strndup(c->arena, arn + n, len);
    if (name[0] == '\0' || strchr(name, ':') != NULL) {
        logs_invalid(c, "The specified resource ARN is not valid: %s", arn);
        return NULL;
    }
    return name;
}

static int tag_resource_body(struct svc_call *c)
{
    const char *arn = logs_in_str(c, "resourceArn");
    const json_t *tags = json_object_get(c->in, "tags");
    const char *name = arn_group(c, arn);
    if (name == NULL) {
        return -1;
    }
    logs_request_tag_keys(c, tags, NULL);
    struct logs_obj g;
    if (authorize_group(c, "logs:TagResource", name, logs_group_arn(c, name), &g) != 0) {
        return -1;
    }
    int rc = add_tags(c, &g, tags);
    logs_obj_release(&g);
    return rc;
}
LOGS_OPERATION(tag_resource, true)

static int untag_resource_body(struct svc_call *c)
{
    const char *arn = logs_in_str(c, "resourceArn");
    const json_t *keys = json_object_get(c->in, "tagKeys");
    const char *name = arn_group(c, arn);
    if (name == NULL) {
        return -1;
    }
    logs_request_tag_keys(c, NULL, keys);
    struct logs_obj g;
    if (authorize_group(c, "logs:UntagResource", name, logs_group_arn(c, name), &g) != 0) {
        return -1;
    }
    int rc = remove_tags(c, &g, keys);
    logs_obj_release(&g);
    return rc;
}
LOGS_OPERATION(untag_resource, true)

static int list_tags_for_resource_body(struct svc_call *c)
{
    const char *name = arn_group(c, logs_in_str(c, "resourceArn"));
    if (name == NULL) {
        return -1;
    }
    struct logs_obj g;
    if (authorize_group(c, "logs:ListTagsForResource", name, logs_group_arn(c, name), &g) != 0) {
        return -1;
    }
    c->out = tags_out(&g);
    logs_obj_release(&g);
    return 0;
}
LOGS_OPERATION(list_tags_for_resource, false)

const struct svc_handler logs_group_handlers[] = {
    {"CreateLogGroup", create_log_group},
    {"DeleteLogGroup", delete_log_group},
    {"DescribeLogGroups", describe_log_groups},
    {"PutRetentionPolicy", put_retention_policy},
    {"DeleteRetentionPolicy", delete_retention_policy},
    {"AssociateKmsKey", associate_kms_key},
    {"DisassociateKmsKey", disassociate_kms_key},
    {"TagLogGroup", tag_log_group},
    {"UntagLogGroup", untag_log_group},
    {"ListTagsLogGroup", list_tags_log_group},
    {"TagResource", tag_resource},
    {"UntagResource", untag_resource},
    {"ListTagsForResource", list_tags_for_resource},
    {NULL, NULL},
};
