// SPDX-License-Identifier: Apache-2.0
// The EC2 service's shared code, part 1 (see ec2_common.h): the kinds table, ids and ARNs, EC2's
// errors, store access and transactions, authorization with EC2's condition keys and DryRun, and
// tags. ec2_describe.c holds the filter engine, Describe* and NextToken; ec2_graph.c the VPC
// graph. Error codes are those of the EC2 API Reference's "Error codes for the Amazon EC2 API"
// (errors-overview.html); messages follow what real EC2 answers, each cited where it is used.
#include "svc/ec2/ec2_common.h"

#include "core/ids.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// The kinds, in the order DescribeTags walks them. NotFound wordings: "The vpc ID '...' does not
// exist" and "The subnet ID '...' does not exist" are real EC2 answers (hashicorp/
// terraform-aws-consul#29, boto/boto3#2398); the others follow the same "The <resource> ID"
// pattern EC2 uses (InvalidRouteTableID.NotFound "The routeTable ID '...' does not exist"),
// except security groups, which EC2 names without "ID".
const struct ec2_kind ec2_kinds[] = {
    {"vpc", EC2_KIND_VPC, "vpc", "VpcId", "InvalidVpcID.NotFound", "The vpc ID '%s' does not exist",
     "InvalidVpcID.Malformed", false, false},
    {"subnet", EC2_KIND_SUBNET, "subnet", "SubnetId", "InvalidSubnetID.NotFound",
     "The subnet ID '%s' does not exist", "InvalidSubnetID.Malformed", true, false},
    {"rtb", EC2_KIND_RTB, "route-table", "RouteTableId", "InvalidRouteTableID.NotFound",
     "The routeTable ID '%s' does not exist", "InvalidRouteTableId.Malformed", true, true},
    {"igw", EC2_KIND_IGW, "internet-gateway", "InternetGatewayId",
     "InvalidInternetGatewayID.NotFound", "The internetGateway ID '%s' does not exist",
     "InvalidInternetGatewayId.Malformed", false, true},
    {"eipalloc", EC2_KIND_EIP, "elastic-ip", "AllocationId", "InvalidAllocationID.NotFound",
     "The allocation ID '%s' does not exist", NULL, false, true},
    {"nat", EC2_KIND_NAT, "natgateway", "NatGatewayId", "NatGatewayNotFound",
     "The natGateway ID '%s' does not exist", "NatGatewayMalformed", true, true},
    {"acl", EC2_KIND_ACL, "network-acl", "NetworkAclId", "InvalidNetworkAclID.NotFound",
     "The networkAcl ID '%s' does not exist", "InvalidNetworkAclId.Malformed", true, true},
    {"sg", EC2_KIND_SG, "security-group", "GroupId", "InvalidGroup.NotFound",
     "The security group '%s' does not exist", "InvalidGroupId.Malformed", true, true},
    {"sgr", EC2_KIND_SGR, "security-group-rule", "SecurityGroupRuleId",
     "InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist",
     "InvalidSecurityGroupRuleId.Malformed", true, true},
    {"dopt", EC2_KIND_DOPT, "dhcp-options", "DhcpOptionsId", "InvalidDhcpOptionID.NotFound",
     "The dhcpOption ID '%s' does not exist", "InvalidDhcpOptionsId.Malformed", false, true},
    {"eni", EC2_KIND_ENI, "network-interface", "NetworkInterfaceId",
     "InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist",
     "InvalidNetworkInterfaceId.Malformed", true, true},
    {"vpce", EC2_KIND_VPCE, "vpc-endpoint", "VpcEndpointId", "InvalidVpcEndpointId.NotFound",
     "The VpcEndPoint ID '%s' does not exist", "InvalidVpcEndpointId.Malformed", true, true},
    {"fl", EC2_KIND_FL, "vpc-flow-log", "FlowLogId", "InvalidFlowLogId.NotFound",
     "The flow log ID '%s' does not exist", NULL, true, true},
    {"pl", EC2_KIND_PL, "prefix-list", "PrefixListId", "InvalidPrefixListID.NotFound",
     "The prefix list ID '%s' does not exist", "InvalidPrefixListId.Malformed", false, true},
};

const size_t ec2_kind_count = sizeof(ec2_kinds) / sizeof(ec2_kinds[0]);

const struct ec2_kind ec2_meta_kind = {"meta", EC2_KIND_META, "meta", NULL, "InternalError",
                                       "%s",   NULL,          false,  false};

// Finds a kind by its id prefix; see ec2_common.h.
const struct ec2_kind *ec2_kind_of_id(const char *id)
{
    if (id == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < ec2_kind_count; i++) {
        size_t n = strlen(ec2_kinds[i].prefix);
        if (strncmp(id, ec2_kinds[i].prefix, n) == 0 && id[n] == '-') {
            return &ec2_kinds[i];
        }
    }
    return NULL;
}

// Finds a kind by its store kind; see ec2_common.h.
const struct ec2_kind *ec2_kind_by_store(const char *kind)
{
    for (size_t i = 0; kind != NULL && i < ec2_kind_count; i++) {
        if (strcmp(ec2_kinds[i].kind, kind) == 0) {
            return &ec2_kinds[i];
        }
    }
    return NULL;
}

// Finds a kind by its ARN/tag resource type; see ec2_common.h.
const struct ec2_kind *ec2_kind_by_type(const char *type)
{
    for (size_t i = 0; type != NULL && i < ec2_kind_count; i++) {
        if (strcmp(ec2_kinds[i].type, type) == 0) {
            return &ec2_kinds[i];
        }
    }
    return NULL;
}

// ---- Ids, ARNs, helpers -------------------------------------------------------------------------

// A new long id; see ec2_common.h.
const char *ec2_new_id(struct svc_call *c, const char *prefix)
{
    size_t n = strlen(prefix) + 20;
    char *out = arena_alloc(c->arena, n);
    ids_hex17(prefix, out, n);
    return out;
}

// Checks the form of an id; see ec2_common.h.
bool ec2_id_wellformed(const char *id, const char *prefix)
{
    if (id == NULL) {
        return false;
    }
    size_t p = strlen(prefix);
    if (strncmp(id, prefix, p) != 0 || id[p] != '-') {
        return false;
    }
    const char *h = id + p + 1;
    size_t n = strlen(h);
    if (n != 8 && n != 17) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

// printf into the arena; see ec2_common.h.
const char *ec2_fmt(struct svc_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *out = svc_vfmt(c, fmt, ap);
    va_end(ap);
    return out;
}

// Builds an EC2 ARN; see ec2_common.h.
const char *ec2_arn(struct svc_call *c, const char *type, const char *id)
{
    return ec2_fmt(c, "arn:%s:ec2:%s:%s:%s/%s", c->env->partition, c->region, c->caller->account,
                   type, id);
}

// A string member of the request.
const char *ec2_in_str(const struct svc_call *c, const char *member)
{
    return ec2_str(c->in, member);
}

// A boolean member of the request.
bool ec2_in_bool(const struct svc_call *c, const char *member, bool *present)
{
    const json_t *v = json_object_get(c->in, member);
    if (present != NULL) {
        *present = json_is_boolean(v);
    }
    return json_is_true(v);
}

// An AttributeBooleanValue member of the request.
int ec2_in_attr_bool(const struct svc_call *c, const char *member)
{
    const json_t *v = json_object_get(json_object_get(c->in, member), "Value");
    if (!json_is_boolean(v)) {
        return -1;
    }
    return json_is_true(v) ? 1 : 0;
}

// A string member of a document.
const char *ec2_str(const json_t *doc, const char *member)
{
    const json_t *v = json_object_get(doc, member);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

// A copy without internal members; see ec2_common.h.
json_t *ec2_doc_public(const json_t *doc)
{
    json_t *out = json_object();
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)doc, k, v)
    {
        if (k[0] != '_') {
            json_object_set(out, k, (json_t *)v);
        }
    }
    return out;
}

// The current time in ISO 8601; see ec2_common.h.
const char *ec2_now_iso(struct svc_call *c)
{
    char *out = arena_alloc(c->arena, 40);
    svc_iso_time(c->now, out, 40);
    return out;
}

// ---- Errors -------------------------------------------------------------------------------------

__attribute__((format(printf, 4, 0))) static int verr(struct svc_call *c, int status,
                                                      const char *code, const char *fmt, va_list ap)
{
    char msg[sizeof(c->err.message)];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    return awserr_set(&c->err, status, code, "%s", msg);
}

// Any error; see ec2_common.h.
int ec2_err(struct svc_call *c, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verr(c, status, code, fmt, ap);
    va_end(ap);
    return rc;
}

// InvalidParameterValue; see ec2_common.h.
int ec2_err_value(struct svc_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verr(c, 400, "InvalidParameterValue", fmt, ap);
    va_end(ap);
    return rc;
}

// InvalidParameterCombination; see ec2_common.h.
int ec2_err_combination(struct svc_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verr(c, 400, "InvalidParameterCombination", fmt, ap);
    va_end(ap);
    return rc;
}

// MissingParameter, worded as the protocol layer words a missing required member.
int ec2_err_missing(struct svc_call *c, const char *name)
{
    return awserr_set(&c->err, 400, "MissingParameter", "The request must contain the parameter %s",
                      name);
}

// The kind's NotFound; see ec2_common.h.
int ec2_err_not_found(struct svc_call *c, const struct ec2_kind *k, const char *id)
{
    char msg[600];
    // The format strings come from the kinds table above, each with exactly one %s.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(msg, sizeof(msg), k->not_found_fmt, id);
#pragma GCC diagnostic pop
    return awserr_set(&c->err, 400, k->not_found_code, "%s", msg);
}

// The kind's Malformed; see ec2_common.h.
int ec2_err_malformed(struct svc_call *c, const struct ec2_kind *k, const char *id)
{
    return awserr_set(&c->err, 400, k->malformed_code, "Invalid id: \"%s\" (expecting \"%s-...\")",
                      id, k->prefix);
}

// DependencyViolation; see ec2_common.h.
int ec2_err_dependency(struct svc_call *c, const char *noun, const char *id)
{
    return awserr_set(&c->err, 400, "DependencyViolation",
                      "The %s '%s' has dependencies and cannot be deleted.", noun, id);
}

// A store failure; see ec2_common.h.
int ec2_store_error(struct svc_call *c, int rc, const struct store_err *e)
{
    fprintf(stderr, "sagebox: %s %s: store: %s (%s)\n", c->request_id, c->operation,
            e != NULL ? e->msg : "", store_strerror(rc));
    return awserr_set(&c->err, 500, "InternalError", "An internal error has occurred");
}

// ---- Store access -------------------------------------------------------------------------------

// The scope of an EC2 kind; see ec2_common.h.
struct store_scope ec2_scope(const struct svc_call *c, const char *kind)
{
    struct store_scope sc = {c->caller->account, c->region, kind, false};
    return sc;
}

// Parses a stored document; see ec2_common.h.
json_t *ec2_parse(struct svc_call *c, const struct store_obj *obj)
{
    json_t *doc = json_loadb(obj->doc, obj->doc_len, 0, NULL);
    if (doc == NULL) {
        struct store_err e;
        snprintf(e.msg, sizeof(e.msg), "unreadable document of %s %s", obj->kind, obj->id);
        ec2_store_error(c, SB_ECORRUPT, &e);
    }
    return doc;
}

// Reads one object; see ec2_common.h.
int ec2_get(struct svc_call *c, const struct ec2_kind *k, const char *id, struct store_obj *obj,
            json_t **doc)
{
    struct store_scope sc = ec2_scope(c, k->kind);
    struct store_err e = {{0}};
    struct store_obj tmp;
    struct store_obj *o = obj != NULL ? obj : &tmp;
    if (doc != NULL) {
        *doc = NULL;
    }
    int rc = store_get(c->env->store, &sc, id, c->arena, o, &e);
    if (rc == SB_ENOTFOUND) {
        return SB_ENOTFOUND;
    }
    if (rc != 0) {
        return ec2_store_error(c, rc, &e);
    }
    if (doc != NULL) {
        *doc = ec2_parse(c, o);
        if (*doc == NULL) {
            return -1;
        }
    }
    return 0;
}

// Reads an object of any kind; see ec2_common.h.
int ec2_get_any(struct svc_call *c, const char *id, const struct ec2_kind **k,
                struct store_obj *obj, json_t **doc)
{
    *k = ec2_kind_of_id(id);
    if (*k == NULL) {
        if (doc != NULL) {
            *doc = NULL;
        }
        return SB_ENOTFOUND;
    }
    return ec2_get(c, *k, id, obj, doc);
}

static int authorize_one(struct svc_call *c, const char *action, const struct ec2_res *r,
                         bool create_tags);

// Loads a named object; see ec2_common.h.
int ec2_load(struct svc_call *c, const struct ec2_kind *k, const char *id, const char *action,
             struct store_obj *obj, json_t **doc)
{
    *doc = NULL;
    if (!ec2_id_wellformed(id, k->prefix) && k->malformed_code != NULL) {
        return ec2_err_malformed(c, k, id);
    }
    int rc = ec2_id_wellformed(id, k->prefix) ? ec2_get(c, k, id, obj, doc) : SB_ENOTFOUND;
    if (rc == SB_ENOTFOUND) {
        if (action != NULL) {
            struct ec2_res r = {.arn = ec2_arn(c, k->type, id)};
            if (authorize_one(c, action, &r, false) != 0) {
                return -1;
            }
        }
        return ec2_err_not_found(c, k, id);
    }
    return rc == 0 ? 0 : -1;
}

// Writes one object; see ec2_common.h.
int ec2_put(struct svc_call *c, const struct ec2_kind *k, const char *id, const char *parent,
            const char *path, const json_t *doc, enum store_put_mode mode)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    struct store_obj o = {
        .account = c->caller->account,
        .region = c->region,
        .kind = k->kind,
        .id = id,
        .parent = parent,
        .path = path,
        .doc = text,
        .doc_len = strlen(text),
    };
    struct store_err e = {{0}};
    int rc = store_put(c->env->store, &o, mode, &e);
    free(text);
    return rc == 0 ? 0 : ec2_store_error(c, rc, &e);
}

// Replaces a document; see ec2_common.h.
int ec2_replace(struct svc_call *c, const struct ec2_kind *k, const struct store_obj *obj,
                const json_t *doc)
{
    return ec2_put(c, k, obj->id, obj->parent, obj->path, doc, STORE_REPLACE);
}

// Deletes one object; see ec2_common.h.
int ec2_delete(struct svc_call *c, const struct ec2_kind *k, const char *id)
{
    struct store_scope sc = ec2_scope(c, k->kind);
    struct store_err e = {{0}};
    int rc = store_delete(c->env->store, &sc, id, &e);
    return (rc == 0 || rc == SB_ENOTFOUND) ? 0 : ec2_store_error(c, rc, &e);
}

// Lists children; see ec2_common.h. A path filter is a path prefix equal to the whole path: EC2
// ids of one kind all have the same length, so no id is a prefix of another.
int ec2_list_all(struct svc_call *c, const struct ec2_kind *k, const char *parent, const char *path,
                 struct store_obj **items, size_t *count)
{
    struct store_scope sc = ec2_scope(c, k->kind);
    struct store_list_opts lo = {.parent = parent, .path_prefix = path, .limit = STORE_LIST_MAX};
    *items = NULL;
    *count = 0;
    size_t cap = 0;
    for (;;) {
        struct store_list l;
        struct store_err e = {{0}};
        int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
        if (rc != 0) {
            return ec2_store_error(c, rc, &e);
        }
        for (size_t i = 0; i < l.count; i++) {
            if (path != NULL && (l.items[i].path == NULL || strcmp(l.items[i].path, path) != 0)) {
                continue;
            }
            if (*count == cap) {
                cap = cap ? cap * 2 : 16;
                struct store_obj *n = arena_alloc(c->arena, cap * sizeof(*n));
                if (*count > 0) {
                    memcpy(n, *items, *count * sizeof(*n));
                }
                *items = n;
            }
            (*items)[(*count)++] = l.items[i];
        }
        if (!l.truncated) {
            return 0;
        }
        lo.marker = l.next_marker;
    }
}

// Tells whether a child exists; see ec2_common.h.
int ec2_any_child(struct svc_call *c, const struct ec2_kind *k, const char *parent,
                  const char *path)
{
    struct store_scope sc = ec2_scope(c, k->kind);
    struct store_list_opts lo = {.parent = parent, .path_prefix = path, .limit = 1};
    struct store_list l;
    struct store_err e = {{0}};
    int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
    if (rc != 0) {
        return ec2_store_error(c, rc, &e);
    }
    return l.count > 0 ? 1 : 0;
}

// Runs a body in one transaction; see ec2_common.h.
int ec2_run(struct svc_call *c, bool write, svc_handler_fn body)
{
    return svc_run_txn(c, write, body, ec2_store_error);
}

// ---- Authorization ------------------------------------------------------------------------------

// The keys set for one resource, so that they can be removed before the next one is decided.
struct keyset {
    const char **names;
    size_t count;
    size_t cap;
};

static void keyset_add(struct svc_call *c, struct keyset *ks, const char *name)
{
    if (ks->count == ks->cap) {
        size_t ncap = ks->cap ? ks->cap * 2 : 16;
        const char **n = arena_alloc(c->arena, ncap * sizeof(*n));
        if (ks->count > 0) {
            memcpy(n, ks->names, ks->count * sizeof(*n));
        }
        ks->names = n;
        ks->cap = ncap;
    }
    ks->names[ks->count++] = name;
}

static void set_key(struct svc_call *c, struct keyset *ks, const char *name, const char *value)
{
    policy_context_set(c->ctx, name, value);
    keyset_add(c, ks, name);
}

// Sets the condition keys of resource r (and, with create_tags, ec2:CreateAction).
static void set_resource_keys(struct svc_call *c, const struct ec2_res *r, bool create_tags,
                              struct keyset *ks)
{
    const json_t *tags = json_object_get(r->doc, "Tags");
    for (size_t i = 0; i < json_array_size(tags); i++) {
        const json_t *t = json_array_get(tags, i);
        const char *k = ec2_str(t, "Key");
        const char *v = ec2_str(t, "Value");
        if (k == NULL) {
            continue;
        }
        set_key(c, ks, ec2_fmt(c, "aws:ResourceTag/%s", k), v ? v : "");
        set_key(c, ks, ec2_fmt(c, "ec2:ResourceTag/%s", k), v ? v : "");
    }
    if (r->vpc_id != NULL) {
        set_key(c, ks, "ec2:Vpc", ec2_arn(c, "vpc", r->vpc_id));
    }
    if (r->request_tags != NULL) {
        size_t n = json_array_size(r->request_tags);
        const char **keys = arena_calloc(c->arena, n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
            const json_t *t = json_array_get(r->request_tags, i);
            const char *k = ec2_str(t, "Key");
            const char *v = ec2_str(t, "Value");
            keys[i] = k ? k : "";
            set_key(c, ks, ec2_fmt(c, "aws:RequestTag/%s", keys[i]), v ? v : "");
        }
        policy_context_set_list(c->ctx, "aws:TagKeys", keys, n);
        keyset_add(c, ks, "aws:TagKeys");
    }
    for (size_t i = 0; i + 1 < 2 * EC2_RES_KEYS_MAX + 1 && r->keys[i] != NULL; i += 2) {
        if (r->keys[i + 1] != NULL) {
            set_key(c, ks, r->keys[i], r->keys[i + 1]);
        }
    }
    if (create_tags) {
        set_key(c, ks, "ec2:CreateAction", c->operation);
    }
}

// Decides action on one resource with its keys, removing them afterwards.
static int authorize_one(struct svc_call *c, const char *action, const struct ec2_res *r,
                         bool create_tags)
{
    struct keyset ks = {0};
    policy_context_set(c->ctx, "ec2:Region", c->region);
    set_resource_keys(c, r, create_tags, &ks);
    int rc = svc_authorize(c, action, r->arn, r->resource_account, NULL);
    for (size_t i = 0; i < ks.count; i++) {
        policy_context_unset(c->ctx, ks.names[i]);
    }
    return rc;
}

// True when DryRun=true; see ec2_common.h.
bool ec2_dry_run(const struct svc_call *c)
{
    return json_is_true(json_object_get(c->in, "DryRun"));
}

// Decides an action on resources, then DryRun; see ec2_common.h.
int ec2_authorize(struct svc_call *c, const char *action, const struct ec2_res *res, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (authorize_one(c, action, &res[i], false) != 0) {
            return -1;
        }
    }
    bool tagging = strcmp(action, "ec2:CreateTags") == 0 || strcmp(action, "ec2:DeleteTags") == 0;
    for (size_t i = 0; i < n && !tagging; i++) {
        if (json_array_size(res[i].request_tags) == 0) {
            continue;
        }
        if (authorize_one(c, "ec2:CreateTags", &res[i], true) != 0) {
            return -1;
        }
    }
    if (ec2_dry_run(c)) {
        // 412 Precondition Failed with this message (real EC2 answer quoted in getmoto/moto#1980).
        return awserr_set(&c->err, 412, "DryRunOperation",
                          "Request would have succeeded, but DryRun flag is set.");
    }
    return 0;
}

// ---- Tags ---------------------------------------------------------------------------------------

// Counts Unicode characters (UTF-8 lead bytes) of s.
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80) {
            n++;
        }
    }
    return n;
}

// Validates tags a request sets; see ec2_common.h. Wordings: the empty key is real EC2's
// (aws/aws-cli#3283, "Value ( '' ) for parameter Tag key is invalid. Tag key cannot be null or
// empty."); the aws: prefix is EC2's wording as emulators copy it (e.g. OpenStack's ec2-api,
// "Tag keys starting with 'aws:' are reserved for internal use"); the length messages follow the
// same source and could not be checked against EC2 itself.
int ec2_tags_check(struct svc_call *c, const json_t *tags)
{
    for (size_t i = 0; i < json_array_size(tags); i++) {
        const json_t *t = json_array_get(tags, i);
        const char *k = ec2_str(t, "Key");
        const char *v = ec2_str(t, "Value");
        if (k == NULL || k[0] == '\0') {
            return ec2_err_value(c, "Value ( '' ) for parameter Tag key is invalid. Tag key "
                                    "cannot be null or empty.");
        }
        if (utf8_chars(k) > EC2_TAG_KEY_MAX) {
            return ec2_err_value(c, "Tag key exceeds the maximum length of %d characters",
                                 EC2_TAG_KEY_MAX);
        }
        if (strncasecmp(k, "aws:", 4) == 0) {
            return ec2_err_value(c, "Tag keys starting with 'aws:' are reserved for internal use");
        }
        if (v != NULL && utf8_chars(v) > EC2_TAG_VALUE_MAX) {
            return ec2_err_value(c, "Tag value exceeds the maximum length of %d characters",
                                 EC2_TAG_VALUE_MAX);
        }
    }
    return 0;
}

static int tag_limit(struct svc_call *c)
{
    // The EC2 error-code list's TagLimitExceeded; the message is the one EC2 emulators quote
    // (getmoto/moto) and could not be checked against EC2 itself.
    return awserr_set(&c->err, 400, "TagLimitExceeded",
                      "The maximum number of Tags for a resource has been reached.");
}

// Puts key=value into list (an array of {Key, Value}), replacing an existing key's value.
static void tag_put(json_t *list, const char *key, const char *value)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *t = json_array_get(list, i);
        const char *k = ec2_str(t, "Key");
        if (k != NULL && strcmp(k, key) == 0) {
            json_object_set_new(t, "Value", json_string(value));
            return;
        }
    }
    json_array_append_new(list, json_pack("{s:s, s:s}", "Key", key, "Value", value));
}

// Reads TagSpecifications; see ec2_common.h.
int ec2_tag_specs(struct svc_call *c, const char *type, json_t **tags)
{
    *tags = NULL;
    const json_t *specs = json_object_get(c->in, "TagSpecifications");
    if (json_array_size(specs) == 0) {
        return 0;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(specs); i++) {
        const json_t *s = json_array_get(specs, i);
        const char *rt = ec2_str(s, "ResourceType");
        if (rt == NULL || strcmp(rt, type) != 0) {
            json_decref(out);
            // InvalidParameterValue with this wording (the message EC2 answers, quoted in
            // getmoto/moto's tests and in CloudFormation failures: "'instance' is not a valid
            // taggable resource type for this operation.").
            return ec2_err_value(
                c, "'%s' is not a valid taggable resource type for this operation.", rt ? rt : "");
        }
        const json_t *list = json_object_get(s, "Tags");
        if (ec2_tags_check(c, list) != 0) {
            json_decref(out);
            return -1;
        }
        for (size_t k = 0; k < json_array_size(list); k++) {
            const json_t *t = json_array_get(list, k);
            const char *v = ec2_str(t, "Value");
            tag_put(out, ec2_str(t, "Key"), v ? v : "");
        }
    }
    if (json_array_size(out) > EC2_TAGS_MAX) {
        json_decref(out);
        return tag_limit(c);
    }
    *tags = out;
    return 0;
}

// The "Tags" member a document should have after a change.
static void tags_settle(const struct ec2_kind *k, json_t *doc)
{
    if (json_array_size(json_object_get(doc, "Tags")) == 0 && !k->tags_always) {
        json_object_del(doc, "Tags");
    }
}

// Applies tags; see ec2_common.h.
int ec2_tags_apply(struct svc_call *c, const struct ec2_kind *k, json_t *doc, const json_t *tags)
{
    json_t *list = json_object_get(doc, "Tags");
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(doc, "Tags", list);
    }
    for (size_t i = 0; i < json_array_size(tags); i++) {
        const json_t *t = json_array_get(tags, i);
        const char *key = ec2_str(t, "Key");
        const char *v = ec2_str(t, "Value");
        if (key != NULL) {
            tag_put(list, key, v ? v : "");
        }
    }
    if (json_array_size(list) > EC2_TAGS_MAX) {
        return tag_limit(c);
    }
    tags_settle(k, doc);
    return 0;
}

// Removes tags; see ec2_common.h.
void ec2_tags_remove(const struct ec2_kind *k, json_t *doc, const json_t *tags)
{
    json_t *list = json_object_get(doc, "Tags");
    if (tags == NULL) {
        json_array_clear(list);
    }
    for (size_t i = 0; i < json_array_size(tags); i++) {
        const json_t *t = json_array_get(tags, i);
        const char *key = ec2_str(t, "Key");
        const char *value = ec2_str(t, "Value");
        for (size_t j = 0; key != NULL && j < json_array_size(list); j++) {
            const json_t *have = json_array_get(list, j);
            const char *hk = ec2_str(have, "Key");
            const char *hv = ec2_str(have, "Value");
            if (hk == NULL || strcmp(hk, key) != 0) {
                continue;
            }
            if (value == NULL || strcmp(value, hv ? hv : "") == 0) {
                json_array_remove(list, j);
            }
            break;
        }
    }
    if (json_is_array(list)) {
        tags_settle(k, doc);
    }
}

// Sets the initial tags of a new document; see ec2_common.h.
void ec2_tags_init(const struct ec2_kind *k, json_t *doc, const json_t *tags)
{
    json_t *list = json_array();
    for (size_t i = 0; i < json_array_size(tags); i++) {
        const json_t *t = json_array_get(tags, i);
        const char *key = ec2_str(t, "Key");
        const char *v = ec2_str(t, "Value");
        if (key != NULL) {
            tag_put(list, key, v ? v : "");
        }
    }
    json_object_set_new(doc, "Tags", list);
    tags_settle(k, doc);
}

// ---- CIDR blocks in requests --------------------------------------------------------------------

// Parses an IPv4 block of a request; see ec2_common.h. Host bits are cleared, as the EC2 API
// Reference says of CreateVpc's CidrBlock ("We modify the specified CIDR block to its canonical
// form; for example, if you specify 100.68.0.18/18, we modify it to 100.68.0.0/18") and the VPC
// User Guide of subnets; the wording for an unreadable block is EC2's (see core/cidr.h).
int ec2_parse_cidr_v4(struct svc_call *c, const char *text, const char *param, struct cidr *out)
{
    if (text == NULL || cidr_parse_block(text, strlen(text), out) != 0 || !out->v4) {
        return ec2_err_value(c,
                             "Value (%s) for parameter %s is invalid. This is not a valid CIDR "
                             "block.",
                             text ? text : "", param);
    }
    return 0;
}

// The text of a block; see ec2_common.h.
const char *ec2_cidr_text(struct svc_call *c, const struct cidr *b)
{
    char *out = arena_alloc(c->arena, CIDR_TEXT_MAX);
    if (cidr_format(b, true, out, CIDR_TEXT_MAX) < 0) {
        out[0] = '\0';
    }
    return out;
}
