// SPDX-License-Identifier: Apache-2.0
// IAM roles (IAM API Reference: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription,
// UpdateAssumeRolePolicy, DeleteRole, TagRole, UntagRole, ListRoleTags,
// PutRolePermissionsBoundary, DeleteRolePermissionsBoundary, PutRolePolicy, GetRolePolicy,
// ListRolePolicies, DeleteRolePolicy), stored as iam_store.h lays them out. Each operation is
// authorized with the action and the role ARN of the Service Authorization Reference ("Actions
// defined by AWS Identity and Access Management"), the condition keys it lists for the action
// (aws:RequestTag/*, aws:TagKeys, iam:PermissionsBoundary) and the role's aws:ResourceTag/*, and
// runs inside one store transaction so that a denied or failed call changes nothing.
#include "svc/iam/iam_common.h"
#include "core/jsonload.h"
#include "svc/iam/identity.h"
#include "svc/registry.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// Which entities use a managed policy as their permissions boundary (ListEntitiesForPolicy with
// PolicyUsageFilter=PermissionsBoundary, PermissionsBoundaryUsageCount): id PolicyArn|EntityId,
// parent PolicyArn, doc {EntityType, EntityId, EntityName}. Proposed for iam_store.h.

// IAM's default quotas (IAM User Guide, "IAM and AWS STS quotas").
#define ROLE_TAGS_MAX         50
#define ROLE_INLINE_CHARS_MAX 10240 // all of a role's inline policies together

// ---- Small helpers ---------------------------------------------------------------------------

static const char *jstr(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

// A role as loaded for an operation: its stored object and parsed document when it exists, and
// the ARN authorization uses either way.
struct role {
    const char *name;
    const char *arn;
    bool found;
    struct store_obj obj;
    json_t *doc; // owned; NULL when not found
};

static void role_free(struct role *r)
{
    json_decref(r->doc);
    r->doc = NULL;
}

static const char *role_boundary(const struct role *r)
{
    return jstr(json_object_get(r->doc, "PermissionsBoundary"), "PermissionsBoundaryArn");
}

// Loads the role of the request's RoleName. A missing role is not an error yet: AWS decides
// access first (on arn:...:role/NAME), so the caller authorizes and then calls role_require.
static int role_load(struct svc_call *c, struct role *r)
{
    memset(r, 0, sizeof(*r));
    r->name = iam_in_str(c, "RoleName");
    struct store_scope sc = iam_scope(c, IAM_KIND_ROLE);
    struct store_err e;
    int rc = store_get_by_name(c->env->store, &sc, r->name, c->arena, &r->obj, &e);
    if (rc == SB_ENOTFOUND) {
        r->arn = iam_arn(c, "role", "/", r->name);
        return 0;
    }
    if (rc != 0) {
        return iam_store_error(c, rc, &e, NULL, NULL);
    }
    r->doc = jsonload(r->obj.doc, r->obj.doc_len);
    if (r->doc == NULL || jstr(r->doc, "Arn") == NULL) {
        return iam_store_error(c, SB_ECORRUPT, &e, NULL, NULL);
    }
    r->found = true;
    r->arn = jstr(r->doc, "Arn");
    r->name = r->obj.name;
    return 0;
}

// Flags of role_authorize: which condition keys the action supports besides aws:ResourceTag.
enum {
    KEY_BOUNDARY = 1, // iam:PermissionsBoundary: the role's current boundary
};

// Loads the role and authorizes action on it with the role's tags (aws:ResourceTag/*) and, when
// flags say so, its current boundary (iam:PermissionsBoundary); then requires that it exists
// (404 NoSuchEntity "The role with name X cannot be found."). Returns 0 or -1 with c->err set.
static int role_authorize(struct svc_call *c, const char *action, unsigned flags, struct role *r)
{
    if (role_load(c, r) != 0) {
        return -1;
    }
    if (r->found) {
        iam_resource_tag_keys(c, json_object_get(r->doc, "Tags"));
        const char *b = role_boundary(r);
        if ((flags & KEY_BOUNDARY) && b != NULL) {
            policy_context_set(c->ctx, "iam:PermissionsBoundary", b);
        }
    }
    if (iam_authorize_named(c, action, r->arn, NULL, "role", r->name) != 0) {
        return -1;
    }
    if (!r->found) {
        return awserr_set(&c->err, 404, "NoSuchEntity", "The role with name %s cannot be found.",
                          r->name);
    }
    return 0;
}

// Stores the role's document back.
static int role_save(struct svc_call *c, struct role *r)
{
    struct store_obj o = r->obj;
    return iam_put(c, &o, r->doc, STORE_REPLACE, NULL, NULL);
}

// AWS refuses a trust policy that names an IAM user or role that does not exist ("Invalid
// principal in policy"); the engine cannot know what exists, so this account's principals are
// looked up here. Principals of other accounts and wildcard ARNs are not checked.
static int check_principal_exists(struct svc_call *c, const char *value)
{
    const char *prefix = iam_fmt(c, "arn:%s:iam::%s:", c->env->partition, c->caller->account);
    size_t plen = strlen(prefix);
    if (strncmp(value, prefix, plen) != 0 || strpbrk(value, "*?") != NULL) {
        return 0;
    }
    const char *res = value + plen;
    const char *kind = NULL;
    if (strncmp(res, "user/", 5) == 0) {
        kind = IAM_KIND_USER;
    } else if (strncmp(res, "role/", 5) == 0) {
        kind = IAM_KIND_ROLE;
    } else {
        return 0;
    }
    const char *name = strrchr(res, '/') + 1;
    struct store_scope sc = iam_scope(c, kind);
    struct store_obj o;
    struct store_err e;
    int rc = store_get_by_name(c->env->store, &sc, name, c->arena, &o, &e);
    if (rc != 0 && rc != SB_ENOTFOUND) {
        return iam_store_error(c, rc, &e, NULL, NULL);
    }
    bool same = false;
    if (rc == 0) {
        json_t *d = jsonload(o.doc, o.doc_len);
        const char *arn = jstr(d, "Arn");
        same = arn != NULL && strcmp(arn, value) == 0;
        json_decref(d);
    }
    if (!same) {
        return awserr_set(&c->err, 400, "MalformedPolicyDocument",
                          "Invalid principal in policy: \"AWS\":\"%s\"", value);
    }
    return 0;
}

static int check_statement_principals(struct svc_call *c, const json_t *st)
{
    static const char *const keys[] = {"Principal", "NotPrincipal"};
    for (size_t k = 0; k < 2; k++) {
        const json_t *aws = json_object_get(json_object_get(st, keys[k]), "AWS");
        if (json_is_string(aws)) {
            if (check_principal_exists(c, json_string_value(aws)) != 0) {
                return -1;
            }
        }
        size_t i;
        const json_t *v;
        json_array_foreach(aws, i, v)
        {
            if (json_is_string(v) && check_principal_exists(c, json_string_value(v)) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

// Validates a role trust policy as IAM does: the engine's grammar and size rules for trust
// policies, then the existence of the IAM principals it names. Returns 0 or -1 with c->err set.
static int check_trust_policy(struct svc_call *c, const char *doc, const char *role_name)
{
    if (iam_check_policy(c, doc, POLICY_KIND_TRUST, role_name) != 0) {
        return -1;
    }
    json_t *j = jsonload_str(doc);
    const json_t *st = json_object_get(j, "Statement");
    int rc = 0;
    if (json_is_object(st)) {
        rc = check_statement_principals(c, st);
    }
    size_t i;
    const json_t *s;
    json_array_foreach(st, i, s)
    {
        if (rc == 0) {
            rc = check_statement_principals(c, s);
        }
    }
    json_decref(j);
    return rc;
}

// Checks that arn names a managed policy of the catalog or of the account, which is what a
// permissions boundary must be (404 NoSuchEntity otherwise, with AWS's "Scope ARN" wording).
static int check_boundary(struct svc_call *c, const char *arn)
{
    const char *doc = NULL;
    const char *name = NULL;
    int rc = iam_managed_policy_document(c, c->caller->account, arn, &doc, &name);
    if (rc == SB_ENOTFOUND) {
        return awserr_set(&c->err, 404, "NoSuchEntity",
                          "Scope ARN: %s does not exist or is not attachable.", arn);
    }
    if (rc != 0) {
        return iam_store_error(c, rc, NULL, NULL, NULL);
    }
    return 0;
}

// Records (arn != NULL) or forgets (arn == NULL) the role's use of a boundary policy, replacing
// the record of its previous boundary old_arn (NULL: none).
static int boundary_record(struct svc_call *c, const struct role *r, const char *role_id,
                           const char *old_arn, const char *arn)
{
    return iam_boundary_record(c, "Role", role_id, r->name, old_arn, arn);
}

// The Role shape of each operation's response. IAM's listings leave out PermissionsBoundary,
// RoleLastUsed and Tags (ListRoles: "This operation does not return the following attributes");
// CreateRole answers without MaxSessionDuration and RoleLastUsed.
enum role_view { VIEW_CREATE, VIEW_LIST, VIEW_FULL };

static void copy_member(json_t *out, const json_t *doc, const char *key)
{
    json_t *v = json_object_get(doc, key);
    if (v != NULL) {
        json_object_set(out, key, v);
    }
}

static json_t *role_out(struct svc_call *c, const json_t *doc, enum role_view view)
{
    json_t *r = json_object();
    copy_member(r, doc, "Path");
    copy_member(r, doc, "RoleName");
    copy_member(r, doc, "RoleId");
    copy_member(r, doc, "Arn");
    copy_member(r, doc, "CreateDate");
    const char *trust = jstr(doc, "AssumeRolePolicyDocument");
    if (trust != NULL) {
        const char *encoded = iam_url_encode(c, trust); // ASCII only: no UTF-8 check needed
        json_object_set_new(r, "AssumeRolePolicyDocument",
                            json_stringn_nocheck(encoded, strlen(encoded)));
    }
    copy_member(r, doc, "Description");
    if (view != VIEW_CREATE) {
        copy_member(r, doc, "MaxSessionDuration");
    }
    if (view != VIEW_LIST) {
        copy_member(r, doc, "PermissionsBoundary");
        if (json_array_size(json_object_get(doc, "Tags")) > 0) {
            copy_member(r, doc, "Tags");
        }
    }
    if (view == VIEW_FULL) {
        json_t *used = json_object_get(doc, "RoleLastUsed");
        json_object_set_new(r, "RoleLastUsed", used ? json_incref(used) : json_object());
    }
    return r;
}

// Checks a Tags list for a role that will hold `existing` other tags.
static int check_role_tags(struct svc_call *c, const json_t *tags, size_t existing)
{
    if (json_array_size(tags) + existing > ROLE_TAGS_MAX) {
        return awserr_set(&c->err, 409, "LimitExceeded", "Cannot exceed quota for TagsPerRole: %d.",
                          ROLE_TAGS_MAX);
    }
    return iam_check_tags(c, tags);
}

// ---- Roles -----------------------------------------------------------------------------------

// CreateRole: a role with its trust policy, path, description, maximum session duration,
// permissions boundary and tags. Authorized as iam:CreateRole on the new role's ARN with
// aws:RequestTag/*, aws:TagKeys and iam:PermissionsBoundary.
static int create_role_body(struct svc_call *c)
{
    const char *name = iam_in_str(c, "RoleName");
    const char *path = iam_in_str(c, "Path");
    const char *trust = iam_in_str(c, "AssumeRolePolicyDocument");
    const char *desc = iam_in_str(c, "Description");
    const char *boundary = iam_in_str(c, "PermissionsBoundary");
    const json_t *tags = json_object_get(c->in, "Tags");
    const json_t *msd = json_object_get(c->in, "MaxSessionDuration");
    if (path == NULL) {
        path = "/";
    }
    const char *arn = iam_arn(c, "role", path, name);
    if (tags != NULL) {
        iam_request_tag_keys(c, tags);
    }
    if (boundary != NULL) {
        policy_context_set(c->ctx, "iam:PermissionsBoundary", boundary);
    }
    if (svc_authorize(c, "iam:CreateRole", arn, NULL, NULL) != 0) {
        return -1;
    }
    if (check_role_tags(c, tags, 0) != 0 || check_trust_policy(c, trust, name) != 0) {
        return -1;
    }
    if (boundary != NULL && check_boundary(c, boundary) != 0) {
        return -1;
    }
    const char *id = iam_new_id(c, "AROA");
    json_t *doc = json_object();
    json_object_set_new(doc, "Path", json_string(path));
    json_object_set_new(doc, "RoleName", json_string(name));
    json_object_set_new(doc, "RoleId", json_string(id));
    json_object_set_new(doc, "Arn", json_string(arn));
    json_object_set_new(doc, "CreateDate", iam_now(c));
    json_object_set_new(doc, "AssumeRolePolicyDocument", json_string(trust));
    if (desc != NULL) {
        json_object_set_new(doc, "Description", json_string(desc));
    }
    json_object_set_new(doc, "MaxSessionDuration",
                        json_integer(json_is_integer(msd) ? json_integer_value(msd) : 3600));
    if (boundary != NULL) {
        json_object_set_new(doc, "PermissionsBoundary",
                            json_pack("{s:s, s:s}", "PermissionsBoundaryType",
                                      "PermissionsBoundaryPolicy", "PermissionsBoundaryArn",
                                      boundary));
    }
    if (json_array_size(tags) > 0) {
        json_object_set(doc, "Tags", (json_t *)tags);
    }
    struct store_obj o = {
        .account = c->caller->account,
        .region = "",
        .kind = IAM_KIND_ROLE,
        .id = id,
        .name = name,
        .name_ci = true,
        .path = path,
    };
    int rc = iam_put(c, &o, doc, STORE_CREATE, NULL,
                     iam_fmt(c, "Role with name %s already exists.", name));
    struct role r = {.name = name};
    if (rc == 0 && boundary != NULL) {
        rc = boundary_record(c, &r, id, NULL, boundary);
    }
    if (rc == 0) {
        c->out = json_pack("{s:o}", "Role", role_out(c, doc, VIEW_CREATE));
    }
    json_decref(doc);
    return rc;
}
IAM_OPERATION(create_role, true)

// GetRole: the role with its trust policy (URL-encoded), boundary, tags and RoleLastUsed (an
// empty structure until the role is used).
static int get_role_body(struct svc_call *c)
{
    struct role r;
    int rc = role_authorize(c, "iam:GetRole", 0, &r);
    if (rc == 0) {
        c->out = json_pack("{s:o}", "Role", role_out(c, r.doc, VIEW_FULL));
    }
    role_free(&r);
    return rc;
}
IAM_OPERATION(get_role, false)

// ListRoles: the account's roles whose path starts with PathPrefix, a page at a time.
static int list_roles_body(struct svc_call *c)
{
    if (svc_authorize(c, "iam:ListRoles", "*", NULL, NULL) != 0) {
        return -1;
    }
    struct iam_page pg;
    iam_page_in(c, &pg);
    struct store_list_opts lo = {
        .path_prefix = iam_in_str(c, "PathPrefix"),
        .marker = pg.marker,
        .limit = pg.limit,
    };
    struct store_scope sc = iam_scope(c, IAM_KIND_ROLE);
    struct store_list l;
    struct store_err e;
    int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
    if (rc == SB_EINVAL && pg.marker != NULL) {
        return awserr_set(&c->err, 400, "InvalidInput", "Invalid Marker.");
    }
    if (rc != 0) {
        return iam_store_error(c, rc, &e, NULL, NULL);
    }
    json_t *roles = json_array();
    for (size_t i = 0; i < l.count; i++) {
        json_t *d = jsonload(l.items[i].doc, l.items[i].doc_len);
        if (d != NULL) {
            json_array_append_new(roles, role_out(c, d, VIEW_LIST));
            json_decref(d);
        }
    }
    c->out = json_pack("{s:o}", "Roles", roles);
    iam_page_out(c->out, &l);
    return 0;
}
IAM_OPERATION(list_roles, false)

// UpdateRole: the description and the maximum session duration, each when given.
static int update_role_body(struct svc_call *c)
{
    struct role r;
    int rc = role_authorize(c, "iam:UpdateRole", 0, &r);
    if (rc == 0) {
        const char *desc = iam_in_str(c, "Description");
        const json_t *msd = json_object_get(c->in, "MaxSessionDuration");
        if (desc != NULL) {
            json_object_set_new(r.doc, "Description", json_string(desc));
        }
        if (json_is_integer(msd)) {
            json_object_set(r.doc, "MaxSessionDuration", (json_t *)msd);
        }
        rc = role_save(c, &r);
    }
    if (rc == 0) {
        c->out = json_object(); // UpdateRoleResponse has no members, but botocore wants its
                                // <UpdateRoleResult/> element
    }
    role_free(&r);
    return rc;
}
IAM_OPERATION(update_role, true)

// UpdateRoleDescription: sets the description and answers with the role.
static int update_role_description_body(struct svc_call *c)
{
    struct role r;
    int rc = role_authorize(c, "iam:UpdateRoleDescription", 0, &r);
    if (rc == 0) {
        json_object_set_new(r.doc, "Description", json_string(iam_in_str(c, "Description")));
        rc = role_save(c, &r);
    }
    if (rc == 0) {
        c->out = json_pack("{s:o}", "Role", role_out(c, r.doc, VIEW_FULL));
    }
    role_free(&r);
    return rc;
}
IAM_OPERATION(update_role_description, true)

// UpdateAssumeRolePolicy: replaces the trust policy, validated as on CreateRole.
static int update_assume_role_policy_body(struct svc_call *c)
{
    struct role r;
    int rc = role_authorize(c, "iam:UpdateAssumeRolePolicy", 0, &r);
    const char *doc = iam_in_str(c, "PolicyDocument");
    if (rc == 0) {
        rc = check_trust_policy(c, doc, r.name);
    }
    if (rc == 0) {
        json_object_set_new(r.doc, "AssumeRolePolicyDocument", json_string(doc));
        rc = role_save(c, &r);
    }
    role_free(&r);
    return rc;
}
IAM_OPERATION(update_assume_role_policy, true)

// DeleteRole: refused while managed policies are attached or inline policies remain (IAM checks
// the attached ones first), with AWS's DeleteConflict wording.
static int delete_role_body(struct svc_call *c)
{
    struct role r;
    int rc = role_authorize(c, "iam:DeleteRole", 0, &r);
    int64_t attached = 0;
    int64_t inline_count = 0;
    if (rc == 0) {
        rc = iam_count_children(c, IAM_KIND_ATTACHMENT, r.obj.id, &attached);
    }
    if (rc == 0) {
        rc = iam_count_children(c, IAM_KIND_ROLE_POLICY, r.obj.id, &inline_count);
    }
    if (rc == 0 && attached > 0) {
        rc = awserr_set(&c->err, 409, "DeleteConflict",
                        "Cannot delete entity, must detach all policies first.");
    }
    if (rc == 0 && inline_count > 0) {
        rc = awserr_set(&c->err, 409, "DeleteConflict",
                        "Cannot delete entity, must delete policies first.");
    }
    if (rc == 0 && role_boundary(&r) != NULL) {
        rc = boundary_record(c, &r, r.obj.id, role_boundary(&r), NULL);
    }
    if (rc == 0) {
        struct store_scope sc = iam_scope(c, IAM_KIND_ROLE);
        struct store_err e;
        int src = store_delete(c->env->store, &sc, r.obj.id, &e);
        if (src != 0) {
            rc = iam_store_error(c, src, &e, NULL, NULL);
        }
    }
    role_free(&r);
    return rc;
}
IAM_OPERATION(delete_role, true)

// ---- Tags ------------------------------------------------------------------------------------

// TagRole: adds tags, replacing the value of a key the role already has (keys compare
// case-insensitively, as IAM's duplicate rule says).
static int tag_role_body(struct svc_call *c)
{
    const json_t *tags = json_object_get(c->in, "Tags");
    iam_request_tag_keys(c, tags);
    struct role r;
    int rc = role_authorize(c, "iam:TagRole", 0, &r);
    if (rc != 0) {
        role_free(&r);
        return -1;
    }
    if (check_role_tags(c, tags, 0) != 0) {
        role_free(&r);
        return -1;
    }
    json_t *have = json_object_get(r.doc, "Tags");
    if (have == NULL) {
        have = json_array();
        json_object_set_new(r.doc, "Tags", have);
    }
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = jstr(t, "Key");
        bool replaced = false;
        size_t j;
        json_t *h;
        json_array_foreach(have, j, h)
        {
            const char *hk = jstr(h, "Key");
            if (!replaced && hk != NULL && k != NULL && strcasecmp(hk, k) == 0) {
                json_array_set(have, j, (json_t *)t);
                replaced = true;
            }
        }
        if (!replaced) {
            json_array_append(have, (json_t *)t);
        }
    }
    if (json_array_size(have) > ROLE_TAGS_MAX) {
        rc = awserr_set(&c->err, 409, "LimitExceeded", "Cannot exceed quota for TagsPerRole: %d.",
                        ROLE_TAGS_MAX);
    }
    if (rc == 0) {
        rc = role_save(c, &r);
    }
    role_free(&r);
    return rc;
}
IAM_OPERATION(tag_role, true)

// UntagRole: removes the tags with the given keys; keys the role lacks are ignored.
static int untag_role_body(struct svc_call *c)
{
    const json_t *keys = json_object_get(c->in, "TagKeys");
    size_t n = json_array_size(keys);
    const char **list = arena_calloc(c->arena, n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        list[i] = json_string_value(json_array_get(keys, i));
    }
    policy_context_set_list(c->ctx, "aws:TagKeys", list, n);
    struct role r;
    int rc = role_authorize(c, "iam:UntagRole", 0, &r);
    if (rc == 0) {
        json_t *have = json_object_get(r.doc, "Tags");
        for (size_t j = json_array_size(have); j-- > 0;) {
            const char *k = jstr(json_array_get(have, j), "Key");
            for (size_t i = 0; i < n; i++) {
                if (k != NULL && list[i] != NULL && strcasecmp(k, list[i]) == 0) {
                    json_array_remove(have, j);
                    break;
                }
            }
        }
        if (have != NULL && json_array_size(have) == 0) {
            json_object_del(r.doc, "Tags");
        }
        rc = role_save(c, &r);
    }
    role_free(&r);
    return rc;
}
IAM_OPERATION(untag_role, true)

// ListRoleTags: the role's tags, a page at a time.
static int list_role_tags_body(struct svc_call *c)
{
    struct role r;
    int rc = role_authorize(c, "iam:ListRoleTags", 0, &r);
    if (rc == 0) {
        const json_t *all = json_object_get(r.doc, "Tags");
        size_t start = 0;
        size_t end = 0;
        rc = iam_page_range(c, json_array_size(all), &start, &end);
        if (rc == 0) {
            json_t *tags = json_array();
            for (size_t i = start; i < end; i++) {
                json_array_append(tags, json_array_get(all, i));
            }
            c->out = json_pack("{s:o}", "Tags", tags);
            iam_page_finish(c, c->out, end, json_array_size(all));
        }
    }
    role_free(&r);
    return rc;
}
IAM_OPERATION(list_role_tags, false)

// ---- Permissions boundary --------------------------------------------------------------------

// PutRolePermissionsBoundary: sets or replaces the boundary; iam:PermissionsBoundary is the
// requested policy.
static int put_role_permissions_boundary_body(struct svc_call *c)
{
    const char *arn = iam_in_str(c, "PermissionsBoundary");
    policy_context_set(c->ctx, "iam:PermissionsBoundary", arn);
    struct role r;
    int rc = role_authorize(c, "iam:PutRolePermissionsBoundary", 0, &r);
    if (rc == 0) {
        rc = check_boundary(c, arn);
    }
    if (rc == 0) {
        const char *old = role_boundary(&r);
        old = old ? iam_fmt(c, "%s", old) : NULL;
        json_object_set_new(r.doc, "PermissionsBoundary",
                            json_pack("{s:s, s:s}", "PermissionsBoundaryType",
                                      "PermissionsBoundaryPolicy", "PermissionsBoundaryArn", arn));
        rc = role_save(c, &r);
        if (rc == 0) {
            rc = boundary_record(c, &r, r.obj.id, old, arn);
        }
    }
    role_free(&r);
    return rc;
}
IAM_OPERATION(put_role_permissions_boundary, true)

// DeleteRolePermissionsBoundary: removes the boundary (nothing to do when there is none).
static int delete_role_permissions_boundary_body(struct svc_call *c)
{
    struct role r;
    int rc = role_authorize(c, "iam:DeleteRolePermissionsBoundary", KEY_BOUNDARY, &r);
    if (rc == 0 && role_boundary(&r) != NULL) {
        const char *old = iam_fmt(c, "%s", role_boundary(&r));
        json_object_del(r.doc, "PermissionsBoundary");
        rc = role_save(c, &r);
        if (rc == 0) {
            rc = boundary_record(c, &r, r.obj.id, old, NULL);
        }
    }
    role_free(&r);
    return rc;
}
IAM_OPERATION(delete_role_permissions_boundary, true)

// ---- Inline policies -------------------------------------------------------------------------

static const char *inline_id(struct svc_call *c, const struct role *r, const char *policy_name)
{
    return iam_fmt(c, "%s/%s", r->obj.id, policy_name);
}

// The characters IAM counts against a policy size quota: all but whitespace outside strings, a
// multi-byte UTF-8 character once. The same rule as the engine's check of a single document
// (policy_parse.c), which has no public function for it.
static size_t policy_chars(const char *s)
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
        in_str = ch == '"';
        n++;
    }
    return n;
}

// IAM's quota on a role's inline policies is their aggregate size (IAM User Guide, "IAM and AWS
// STS quotas": "the total aggregate policy size (the sum size of all inline policies) per role
// cannot exceed 10,240 characters"); pdoc replaces the role's policy pname, if any.
static int check_inline_total(struct svc_call *c, const struct role *r, const char *pname,
                              const char *pdoc)
{
    struct store_obj *items = NULL;
    size_t count = 0;
    if (iam_list_all(c, IAM_KIND_ROLE_POLICY, r->obj.id, &items, &count) != 0) {
        return -1;
    }
    size_t total = policy_chars(pdoc);
    for (size_t i = 0; i < count; i++) {
        json_t *d = jsonload(items[i].doc, items[i].doc_len);
        const char *n = jstr(d, "PolicyName");
        const char *text = jstr(d, "PolicyDocument");
        if (n != NULL && text != NULL && strcmp(n, pname) != 0) {
            total += policy_chars(text);
        }
        json_decref(d);
    }
    if (total > ROLE_INLINE_CHARS_MAX) {
        return awserr_set(&c->err, 409, "LimitExceeded",
                          "Maximum policy size of %d bytes exceeded for role %s",
                          ROLE_INLINE_CHARS_MAX, r->name);
    }
    return 0;
}

// PutRolePolicy: creates or replaces an inline policy, validated as a role's inline policy.
static int put_role_policy_body(struct svc_call *c)
{
    struct role r;
    int rc = role_authorize(c, "iam:PutRolePolicy", KEY_BOUNDARY, &r);
    const char *pname = iam_in_str(c, "PolicyName");
    const char *pdoc = iam_in_str(c, "PolicyDocument");
    if (rc == 0) {
        rc = iam_check_policy(c, pdoc, POLICY_KIND_INLINE_ROLE, r.name);
    }
    if (rc == 0) {
        rc = check_inline_total(c, &r, pname, pdoc);
    }
    if (rc == 0) {
        json_t *doc = json_pack("{s:s, s:s}", "PolicyName", pname, "PolicyDocument", pdoc);
        struct store_obj o = {
            .account = c->caller->account,
            .region = "",
            .kind = IAM_KIND_ROLE_POLICY,
            .id = inline_id(c, &r, pname),
            .parent = r.obj.id,
        };
        rc = iam_put(c, &o, doc, STORE_UPSERT, NULL, NULL);
        json_decref(doc);
    }
    role_free(&r);
    return rc;
}
IAM_OPERATION(put_role_policy, true)

// Loads an inline policy of the role (404 "The role policy with name X cannot be found.").
static int inline_load(struct svc_call *c, const struct role *r, const char *pname, json_t **doc)
{
    struct store_scope sc = iam_scope(c, IAM_KIND_ROLE_POLICY);
    struct store_obj o;
    struct store_err e;
    int rc = store_get(c->env->store, &sc, inline_id(c, r, pname), c->arena, &o, &e);
    if (rc != 0) {
        return iam_store_error(
            c, rc, &e, iam_fmt(c, "The role policy with name %s cannot be found.", pname), NULL);
    }
    *doc = jsonload(o.doc, o.doc_len);
    return *doc != NULL ? 0 : iam_store_error(c, SB_ECORRUPT, &e, NULL, NULL);
}

// GetRolePolicy: an inline policy, its document URL-encoded.
static int get_role_policy_body(struct svc_call *c)
{
    struct role r;
    int rc = role_authorize(c, "iam:GetRolePolicy", 0, &r);
    const char *pname = iam_in_str(c, "PolicyName");
    json_t *doc = NULL;
    if (rc == 0) {
        rc = inline_load(c, &r, pname, &doc);
    }
    if (rc == 0) {
        const char *text = jstr(doc, "PolicyDocument");
        c->out =
            json_pack("{s:s, s:s, s:s}", "RoleName", r.name, "PolicyName", jstr(doc, "PolicyName"),
                      "PolicyDocument", iam_url_encode(c, text ? text : ""));
    }
    json_decref(doc);
    role_free(&r);
    return rc;
}
IAM_OPERATION(get_role_policy, false)

// ListRolePolicies: the names of the role's inline policies, a page at a time.
static int list_role_policies_body(struct svc_call *c)
{
    struct role r;
    int rc = role_authorize(c, "iam:ListRolePolicies", 0, &r);
    if (rc != 0) {
        role_free(&r);
        return -1;
    }
    struct store_obj *items = NULL;
    size_t count = 0;
    size_t start = 0;
    size_t end = 0;
    rc = iam_list_all(c, IAM_KIND_ROLE_POLICY, r.obj.id, &items, &count);
    role_free(&r);
    if (rc != 0 || iam_page_range(c, count, &start, &end) != 0) {
        return -1;
    }
    json_t *names = json_array();
    for (size_t i = start; i < end; i++) {
        json_t *d = jsonload(items[i].doc, items[i].doc_len);
        const char *n = jstr(d, "PolicyName");
        if (n != NULL) {
            json_array_append_new(names, json_string(n));
        }
        json_decref(d);
    }
    c->out = json_pack("{s:o}", "PolicyNames", names);
    iam_page_finish(c, c->out, end, count);
    return 0;
}
IAM_OPERATION(list_role_policies, false)

// DeleteRolePolicy: removes an inline policy.
static int delete_role_policy_body(struct svc_call *c)
{
    struct role r;
    int rc = role_authorize(c, "iam:DeleteRolePolicy", KEY_BOUNDARY, &r);
    const char *pname = iam_in_str(c, "PolicyName");
    if (rc == 0) {
        struct store_scope sc = iam_scope(c, IAM_KIND_ROLE_POLICY);
        struct store_err e;
        int src = store_delete(c->env->store, &sc, inline_id(c, &r, pname), &e);
        if (src != 0) {
            rc = iam_store_error(c, src, &e,
                                 iam_fmt(c, "The role policy with name %s cannot be found.", pname),
                                 NULL);
        }
    }
    role_free(&r);
    return rc;
}
IAM_OPERATION(delete_role_policy, true)

const struct svc_handler iam_role_handlers[] = {
    {"CreateRole", create_role},
    {"GetRole", get_role},
    {"ListRoles", list_roles},
    {"UpdateRole", update_role},
    {"UpdateRoleDescription", update_role_description},
    {"UpdateAssumeRolePolicy", update_assume_role_policy},
    {"DeleteRole", delete_role},
    {"TagRole", tag_role},
    {"UntagRole", untag_role},
    {"ListRoleTags", list_role_tags},
    {"PutRolePermissionsBoundary", put_role_permissions_boundary},
    {"DeleteRolePermissionsBoundary", delete_role_permissions_boundary},
    {"PutRolePolicy", put_role_policy},
    {"GetRolePolicy", get_role_policy},
    {"ListRolePolicies", list_role_policies},
    {"DeleteRolePolicy", delete_role_policy},
    {NULL, NULL},
};
