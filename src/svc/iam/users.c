// SPDX-License-Identifier: Apache-2.0
// IAM users, their access keys, tags, permissions boundaries and inline policies (IAM API
// Reference 2010-05-08: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, TagUser,
// UntagUser, ListUserTags, PutUserPermissionsBoundary, DeleteUserPermissionsBoundary,
// CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey, GetAccessKeyLastUsed,
// PutUserPolicy, GetUserPolicy, ListUserPolicies, DeleteUserPolicy). Objects follow iam_store.h.
//
// Authorization follows the Service Authorization Reference ("Actions defined by AWS Identity and
// Access Management"): every action here names the user resource
// arn:aws:iam::ACCOUNT:user/PATH/NAME (the account root for the root's own access keys);
// ListUsers names arn:aws:iam::ACCOUNT:user/ followed by the path prefix, as AWS's denial shows
// ("... iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no identity-based
// policy allows the iam:ListUsers action"). A request for a user that does not exist is decided
// on arn:aws:iam::ACCOUNT:user/NAME first, so that a caller without permission learns nothing.
#include "core/ids.h"
#include "core/jsonload.h"
#include "svc/iam/iam_common.h"
#include "svc/iam/identity.h"
#include "svc/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// IAM quotas (IAM User Guide, "IAM and AWS STS quotas"): two access keys per user, active or
// not ("Cannot exceed quota for AccessKeysPerUser: 2", the message AWS returns, e.g.
// github.com/simonw/s3-credentials/issues/64); 2,048 characters of inline policies per user, in
// aggregate; 50 tags per user.
#define ACCESS_KEYS_PER_USER     2
#define USER_INLINE_POLICY_CHARS 2048
#define TAGS_PER_USER            50

// DeleteUser's conflicts, in the order the DeleteUser API Reference lists what must go first
// (access keys, inline policies, attached managed policies, group memberships); the wording is
// AWS's (github.com/hashicorp/terraform/issues/8621, .../terraform/issues/3774,
// .../terraform-provider-aws/issues/40059).
#define MSG_DELETE_KEYS_FIRST        "Cannot delete entity, must delete access keys first."
#define MSG_DELETE_POLICIES_FIRST    "Cannot delete entity, must delete policies first."
#define MSG_DETACH_POLICIES_FIRST    "Cannot delete entity, must detach all policies first."
#define MSG_REMOVE_FROM_GROUPS_FIRST "Cannot delete entity, must remove users from group first."

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *adup(struct svc_call *c, const char *s)
{
    return arena_strndup(c->arena, s, strlen(s));
}

static const char *afmt2(struct svc_call *c, const char *a, const char *sep, const char *b)
{
    size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
    char *out = arena_alloc(c->arena, n);
    snprintf(out, n, "%s%s%s", a, sep, b);
    return out;
}

static json_t *load_doc(struct svc_call *c, const struct store_obj *o)
{
    json_t *doc = jsonload(o->doc, o->doc_len);
    if (doc == NULL) {
        iam_store_error(c, SB_ECORRUPT, NULL, NULL, NULL);
    }
    return doc;
}

static int fail_store(struct svc_call *c, int rc, const struct store_err *e)
{
    return iam_store_error(c, rc, e, NULL, NULL);
}

static int txn_begin(struct svc_call *c)
{
    struct store_err e = {{0}};
    int rc = store_begin(c->env->store, &e);
    return rc != 0 ? fail_store(c, rc, &e) : 0;
}

static int txn_commit(struct svc_call *c)
{
    struct store_err e = {{0}};
    int rc = store_commit(c->env->store, &e);
    return rc != 0 ? fail_store(c, rc, &e) : 0;
}

// Maps a failed store_list: a marker the store cannot read is the client's mistake.
static int list_fail(struct svc_call *c, int rc, const struct store_err *e)
{
    if (rc == SB_EINVAL) {
        return awserr_set(&c->err, 400, "InvalidInput", "Invalid value for the Marker parameter.");
    }
    return fail_store(c, rc, e);
}

// A user as the List* operations return it: ListUsers and GetGroup leave out the permissions
// boundary and the tags (ListUsers API Reference: "This operation does not return the following
// attributes, even though they are an attribute of the returned object: PermissionsBoundary,
// Tags").
static json_t *user_summary(const json_t *doc)
{
    json_t *u = json_deep_copy(doc);
    json_object_del(u, "PermissionsBoundary");
    json_object_del(u, "Tags");
    return u;
}

// Adds the condition keys of an existing user: aws:ResourceTag/* for its tags and, when
// with_boundary and it has one, iam:PermissionsBoundary (the key the Service Authorization
// Reference gives PutUserPolicy, DeleteUserPolicy and DeleteUserPermissionsBoundary).
static void user_keys(struct svc_call *c, const json_t *user, bool with_boundary)
{
    iam_resource_tag_keys(c, json_object_get(user, "Tags"));
    const char *pb = jstr(json_object_get(user, "PermissionsBoundary"), "PermissionsBoundaryArn");
    if (with_boundary && pb != NULL) {
        policy_context_set(c->ctx, "iam:PermissionsBoundary", pb);
    }
}

// Finds the user called name and decides action on it. Returns 0 with *obj and *doc (the caller
// json_decref()s it); or -1 with c->err: AccessDenied, or NoSuchEntity once the caller was
// allowed to ask about arn:aws:iam::ACCOUNT:user/NAME.
static int authorize_user(struct svc_call *c, const char *action, const char *name,
                          bool with_boundary, struct store_obj *obj, json_t **doc)
{
    struct store_scope sc = iam_scope(c, IAM_KIND_USER);
    struct store_err e = {{0}};
    *doc = NULL;
    int rc = store_get_by_name(c->env->store, &sc, name, c->arena, obj, &e);
    if (rc == SB_ENOTFOUND) {
        if (svc_authorize(c, action, iam_arn(c, "user", "/", name), NULL, NULL) != 0) {
            return -1;
        }
        return awserr_set(&c->err, 404, "NoSuchEntity", "The user with name %s cannot be found.",
                          name);
    }
    if (rc != 0) {
        return fail_store(c, rc, &e);
    }
    *doc = load_doc(c, obj);
    if (*doc == NULL) {
        return -1;
    }
    user_keys(c, *doc, with_boundary);
    if (svc_authorize(c, action, jstr(*doc, "Arn"), NULL, NULL) != 0) {
        json_decref(*doc);
        *doc = NULL;
        return -1;
    }
    return 0;
}

// Whose access keys an operation manages: the user named by UserName, or else the caller itself
// (an IAM user, or the account root whose keys IAM also manages: CreateAccessKey API Reference,
// "you can use this operation to manage AWS account root user credentials").
struct key_owner {
    bool root;
    const char *parent;    // the keys' parent: the UserId, or IAM_ROOT_PARENT
    const char *user_name; // NULL for the root
    const char *user_id;   // NULL for the root
    const char *arn;       // the resource of the decision
};

// Resolves and authorizes the owner of the keys for action. Returns 0, or -1 with c->err set
// (callers with neither a UserName nor user credentials get AWS's ValidationError).
static int key_owner(struct svc_call *c, const char *action, struct key_owner *o)
{
    memset(o, 0, sizeof(*o));
    const char *name = iam_in_str(c, "UserName");
    struct store_obj obj;
    json_t *doc = NULL;
    if (name != NULL) {
        if (authorize_user(c, action, name, false, &obj, &doc) != 0) {
            return -1;
        }
    } else if (c->caller->principal.type == POLICY_PRINCIPAL_ROOT) {
        o->root = true;
        o->parent = IAM_ROOT_PARENT;
        o->arn = c->caller->arn;
        return svc_authorize(c, action, o->arn, NULL, NULL);
    } else if (c->caller->principal.type == POLICY_PRINCIPAL_USER && c->caller->entity_id[0]) {
        struct store_scope sc = iam_scope(c, IAM_KIND_USER);
        struct store_err e = {{0}};
        int rc = store_get(c->env->store, &sc, c->caller->entity_id, c->arena, &obj, &e);
        if (rc == SB_ENOTFOUND) {
            return awserr_set(&c->err, 404, "NoSuchEntity",
                              "The user with name %s cannot be found.", c->caller->entity_name);
        }
        if (rc != 0) {
            return fail_store(c, rc, &e);
        }
        doc = load_doc(c, &obj);
        if (doc == NULL) {
            return -1;
        }
        user_keys(c, doc, false);
        if (svc_authorize(c, action, jstr(doc, "Arn"), NULL, NULL) != 0) {
            json_decref(doc);
            return -1;
        }
    } else {
        // What IAM answers role sessions and other non-user callers (seen in AWS's replies to
        // GetUser/ListAccessKeys without a user name, e.g. the Terraform provider's note in
        // resource_aws_iam_access_key: "ValidationError: Must specify userName when calling
        // with non-User credentials").
        awserr_set(&c->err, 400, "ValidationError",
                   "Must specify userName when calling with non-User credentials");
        return -1;
    }
    o->parent = adup(c, obj.id);
    o->user_id = o->parent;
    o->user_name = adup(c, jstr(doc, "UserName") ? jstr(doc, "UserName") : "");
    o->arn = adup(c, jstr(doc, "Arn") ? jstr(doc, "Arn") : "");
    json_decref(doc);
    return 0;
}

// Checks that arn names a managed policy that exists (AWS managed or of this account), as IAM
// requires of a permissions boundary. Returns 0, or -1 with AWS's NoSuchEntity ("Scope ARN: ...
// does not exist or is not attachable.", the message of CreateUser/CreateRole and
// Put*PermissionsBoundary for an unknown policy).
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
        return fail_store(c, rc, NULL);
    }
    return 0;
}

static json_t *boundary_member(const char *arn)
{
    return json_pack("{s:s, s:s}", "PermissionsBoundaryType", "PermissionsBoundaryPolicy",
                     "PermissionsBoundaryArn", arn);
}

static struct store_obj user_obj(struct svc_call *c, const char *id, const char *name,
                                 const char *path)
{
    struct store_obj o = {
        .account = c->caller->account,
        .region = "",
        .kind = IAM_KIND_USER,
        .id = id,
        .name = name,
        .name_ci = true,
        .path = path,
    };
    return o;
}

// ---- Users -------------------------------------------------------------------------------

// CreateUser: a new user with its path, optional permissions boundary and tags.
static int create_user(struct svc_call *c)
{
    const char *name = iam_in_str(c, "UserName");
    const char *path = iam_in_str(c, "Path");
    const char *pb = iam_in_str(c, "PermissionsBoundary");
    const json_t *tags = json_object_get(c->in, "Tags");
    if (path == NULL) {
        path = "/";
    }
    if (iam_check_tags(c, tags) != 0) {
        return -1;
    }
    const char *arn = iam_arn(c, "user", path, name);
    if (tags != NULL) {
        iam_request_tag_keys(c, tags);
    }
    if (pb != NULL) {
        policy_context_set(c->ctx, "iam:PermissionsBoundary", pb);
    }
    if (svc_authorize(c, "iam:CreateUser", arn, NULL, NULL) != 0) {
        return -1;
    }
    if (pb != NULL && check_boundary(c, pb) != 0) {
        return -1;
    }
    const char *id = iam_new_id(c, "AIDA");
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:o}", "Path", path, "UserName", name, "UserId",
                            id, "Arn", arn, "CreateDate", iam_now(c));
    if (pb != NULL) {
        json_object_set_new(doc, "PermissionsBoundary", boundary_member(pb));
    }
    if (json_array_size(tags) > 0) {
        json_object_set(doc, "Tags", (json_t *)tags);
    }
    struct store_obj o = user_obj(c, id, name, path);
    char exists[200];
    snprintf(exists, sizeof(exists), "User with name %s already exists.", name);
    struct store_err e;
    int rc = store_begin(c->env->store, &e);
    if (rc != 0) {
        json_decref(doc);
        return iam_store_error(c, rc, &e, NULL, NULL);
    }
    if (iam_put(c, &o, doc, STORE_CREATE, NULL, exists) != 0 ||
        (pb != NULL && iam_boundary_record(c, "User", id, name, NULL, pb) != 0)) {
        store_rollback(c->env->store);
        json_decref(doc);
        return -1;
    }
    rc = store_commit(c->env->store, &e);
    if (rc != 0) {
        json_decref(doc);
        return iam_store_error(c, rc, &e, NULL, NULL);
    }
    c->out = json_pack("{s:o}", "User", doc);
    return 0;
}

// GetUser: the named user, or the caller's own user. The account root gets what IAM returns for
// it: its account id as UserId, its root ARN, no UserName and no Path (github.com/grycap/scar
// pull 181: "when AWS root account credentials are used, the User object does not return a
// UserName field").
static int get_user(struct svc_call *c)
{
    const char *name = iam_in_str(c, "UserName");
    struct store_obj obj;
    json_t *doc = NULL;
    if (name == NULL && c->caller->principal.type == POLICY_PRINCIPAL_ROOT) {
        if (svc_authorize(c, "iam:GetUser", c->caller->arn, NULL, NULL) != 0) {
            return -1;
        }
        // The account's creation date, recorded when the server first ran for it.
        json_t *created = NULL;
        struct store_scope asc = {c->caller->account, "", IAM_KIND_ACCOUNT, false};
        struct store_obj acct;
        if (store_get(c->env->store, &asc, c->caller->account, c->arena, &acct, NULL) == 0) {
            json_t *ad = jsonload(acct.doc, acct.doc_len);
            created = json_incref(json_object_get(ad, "CreateDate"));
            json_decref(ad);
        }
        json_t *root = json_pack("{s:s, s:s, s:o}", "UserId", c->caller->account, "Arn",
                                 c->caller->arn, "CreateDate", created ? created : iam_now(c));
        c->out = json_pack("{s:o}", "User", root);
        return 0;
    }
    if (name == NULL) {
        struct key_owner o;
        if (key_owner(c, "iam:GetUser", &o) != 0) {
            return -1;
        }
        struct store_scope sc = iam_scope(c, IAM_KIND_USER);
        struct store_err e = {{0}};
        int rc = store_get(c->env->store, &sc, o.user_id, c->arena, &obj, &e);
        if (rc != 0) {
            return iam_store_error(c, rc, &e, "The user cannot be found.", NULL);
        }
        doc = load_doc(c, &obj);
        if (doc == NULL) {
            return -1;
        }
    } else if (authorize_user(c, "iam:GetUser", name, false, &obj, &doc) != 0) {
        return -1;
    }
    c->out = json_pack("{s:o}", "User", doc);
    return 0;
}

// ListUsers: the account's users whose path starts with PathPrefix, ordered by name.
static int list_users(struct svc_call *c)
{
    const char *prefix = iam_in_str(c, "PathPrefix");
    if (prefix == NULL) {
        prefix = "/";
    }
    if (svc_authorize(c, "iam:ListUsers", iam_arn(c, "user", prefix, ""), NULL, NULL) != 0) {
        return -1;
    }
    struct iam_page pg;
    iam_page_in(c, &pg);
    struct store_scope sc = iam_scope(c, IAM_KIND_USER);
    struct store_list_opts lo = {.path_prefix = prefix, .marker = pg.marker, .limit = pg.limit};
    struct store_list l;
    struct store_err e = {{0}};
    int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
    if (rc != 0) {
        return list_fail(c, rc, &e);
    }
    json_t *users = json_array();
    for (size_t i = 0; i < l.count; i++) {
        json_t *doc = load_doc(c, &l.items[i]);
        if (doc == NULL) {
            json_decref(users);
            return -1;
        }
        json_array_append_new(users, user_summary(doc));
        json_decref(doc);
    }
    c->out = json_pack("{s:o}", "Users", users);
    iam_page_out(c->out, &l);
    return 0;
}

// Rewrites the string member `member` of every object of kind whose parent is parent to value.
// Runs inside the caller's transaction. Returns 0 or -1 with c->err set.
static int rewrite_children(struct svc_call *c, const char *kind, const char *parent,
                            const char *member, const char *value)
{
    struct store_scope sc = iam_scope(c, kind);
    sc.name_ci = false;
    struct store_list_opts lo = {.parent = parent, .limit = STORE_LIST_MAX};
    for (;;) {
        struct store_list l;
        struct store_err e = {{0}};
        int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
        if (rc != 0) {
            return fail_store(c, rc, &e);
        }
        for (size_t i = 0; i < l.count; i++) {
            struct store_obj o = l.items[i];
            json_t *doc = load_doc(c, &o);
            if (doc == NULL) {
                return -1;
            }
            json_object_set_new(doc, member, json_string(value));
            rc = iam_put(c, &o, doc, STORE_REPLACE, NULL, NULL);
            json_decref(doc);
            if (rc != 0) {
                return -1;
            }
        }
        if (!l.truncated) {
            return 0;
        }
        lo.marker = l.next_marker;
    }
}

// Updates the UserName kept in the group_member rows of every group the user belongs to.
static int rename_memberships(struct svc_call *c, const char *user_id, const char *new_name)
{
    struct store_scope sc = iam_scope(c, IAM_KIND_USER_GROUP);
    sc.name_ci = false;
    struct store_scope msc = iam_scope(c, IAM_KIND_GROUP_MEMBER);
    msc.name_ci = false;
    struct store_list_opts lo = {.parent = user_id, .limit = STORE_LIST_MAX};
    for (;;) {
        struct store_list l;
        struct store_err e = {{0}};
        int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
        if (rc != 0) {
            return fail_store(c, rc, &e);
        }
        for (size_t i = 0; i < l.count; i++) {
            json_t *ug = load_doc(c, &l.items[i]);
            if (ug == NULL) {
                return -1;
            }
            const char *gid = jstr(ug, "GroupId") ? adup(c, jstr(ug, "GroupId")) : "";
            json_decref(ug);
            struct store_obj m;
            rc = store_get(c->env->store, &msc, afmt2(c, gid, "/", user_id), c->arena, &m, &e);
            if (rc == SB_ENOTFOUND) {
                continue;
            }
            if (rc != 0) {
                return fail_store(c, rc, &e);
            }
            json_t *doc = load_doc(c, &m);
            if (doc == NULL) {
                return -1;
            }
            json_object_set_new(doc, "UserName", json_string(new_name));
            rc = iam_put(c, &m, doc, STORE_REPLACE, NULL, NULL);
            json_decref(doc);
            if (rc != 0) {
                return -1;
            }
        }
        if (!l.truncated) {
            return 0;
        }
        lo.marker = l.next_marker;
    }
}

// UpdateUser: a new name and/or path; the UserId stays. The caller needs the permission on both
// the old and the new ARN (UpdateUser API Reference: "the requester must have appropriate
// permissions on both the source object and the target object").
static int update_user(struct svc_call *c)
{
    const char *name = iam_in_str(c, "UserName");
    const char *new_name = iam_in_str(c, "NewUserName");
    const char *new_path = iam_in_str(c, "NewPath");
    struct store_obj obj;
    json_t *doc = NULL;
    if (authorize_user(c, "iam:UpdateUser", name, false, &obj, &doc) != 0) {
        return -1;
    }
    const char *final_name = adup(c, new_name ? new_name : jstr(doc, "UserName"));
    const char *final_path = adup(c, new_path ? new_path : jstr(doc, "Path"));
    const char *new_arn = iam_arn(c, "user", final_path, final_name);
    int rc = -1;
    if (strcmp(new_arn, jstr(doc, "Arn")) != 0 &&
        svc_authorize(c, "iam:UpdateUser", new_arn, NULL, NULL) != 0) {
        goto out;
    }
    json_object_set_new(doc, "UserName", json_string(final_name));
    json_object_set_new(doc, "Path", json_string(final_path));
    json_object_set_new(doc, "Arn", json_string(new_arn));
    if (txn_begin(c) != 0) {
        goto out;
    }
    struct store_obj o = user_obj(c, obj.id, final_name, final_path);
    char exists[200];
    snprintf(exists, sizeof(exists), "User with name %s already exists.", final_name);
    if (iam_put(c, &o, doc, STORE_REPLACE, "The user cannot be found.", exists) != 0 ||
        rewrite_children(c, IAM_KIND_ACCESS_KEY, obj.id, "UserName", final_name) != 0 ||
        rename_memberships(c, obj.id, final_name) != 0 || txn_commit(c) != 0) {
        store_rollback(c->env->store);
        goto out;
    }
    rc = 0;
out:
    json_decref(doc);
    return rc;
}

// DeleteUser: only a user with nothing attached any more.
static int delete_user(struct svc_call *c)
{
    const char *name = iam_in_str(c, "UserName");
    struct store_obj obj;
    json_t *doc = NULL;
    if (authorize_user(c, "iam:DeleteUser", name, false, &obj, &doc) != 0) {
        return -1;
    }
    const char *pb = jstr(json_object_get(doc, "PermissionsBoundary"), "PermissionsBoundaryArn");
    char *boundary = pb ? arena_strndup(c->arena, pb, strlen(pb)) : NULL;
    json_decref(doc);
    if (txn_begin(c) != 0) {
        return -1;
    }
    static const struct {
        const char *kind;
        const char *msg;
    } deps[] = {
        {IAM_KIND_ACCESS_KEY, MSG_DELETE_KEYS_FIRST},
        {IAM_KIND_USER_POLICY, MSG_DELETE_POLICIES_FIRST},
        {IAM_KIND_ATTACHMENT, MSG_DETACH_POLICIES_FIRST},
        {IAM_KIND_USER_GROUP, MSG_REMOVE_FROM_GROUPS_FIRST},
    };
    for (size_t i = 0; i < sizeof(deps) / sizeof(deps[0]); i++) {
        int64_t n = 0;
        if (iam_count_children(c, deps[i].kind, obj.id, &n) != 0) {
            store_rollback(c->env->store);
            return -1;
        }
        if (n > 0) {
            store_rollback(c->env->store);
            return awserr_set(&c->err, 409, "DeleteConflict", "%s", deps[i].msg);
        }
    }
    struct store_scope sc = iam_scope(c, IAM_KIND_USER);
    struct store_err e = {{0}};
    int rc = store_delete(c->env->store, &sc, obj.id, &e);
    if (rc != 0) {
        store_rollback(c->env->store);
        return iam_store_error(c, rc, &e, "The user cannot be found.", NULL);
    }
    if (boundary != NULL && iam_boundary_record(c, "User", obj.id, "", boundary, NULL) != 0) {
        store_rollback(c->env->store);
        return -1;
    }
    return txn_commit(c);
}

// Replaces the user's stored document (same id, name and path).
static int replace_user(struct svc_call *c, const struct store_obj *obj, const json_t *doc)
{
    struct store_obj o = user_obj(c, obj->id, jstr(doc, "UserName"), jstr(doc, "Path"));
    return iam_put(c, &o, doc, STORE_REPLACE, "The user cannot be found.", NULL);
}

// TagUser: adds tags, replacing the value of a key already there (keys compare without case).
static int tag_user(struct svc_call *c)
{
    const char *name = iam_in_str(c, "UserName");
    const json_t *tags = json_object_get(c->in, "Tags");
    if (iam_check_tags(c, tags) != 0) {
        return -1;
    }
    iam_request_tag_keys(c, tags);
    struct store_obj obj;
    json_t *doc = NULL;
    if (authorize_user(c, "iam:TagUser", name, false, &obj, &doc) != 0) {
        return -1;
    }
    json_t *have = json_object_get(doc, "Tags");
    json_t *merged = json_is_array(have) ? json_deep_copy(have) : json_array();
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = jstr(t, "Key");
        bool replaced = false;
        for (size_t j = 0; j < json_array_size(merged) && !replaced; j++) {
            const char *hk = jstr(json_array_get(merged, j), "Key");
            if (hk != NULL && k != NULL && strcasecmp(hk, k) == 0) {
                json_array_set(merged, j, (json_t *)t);
                replaced = true;
            }
        }
        if (!replaced) {
            json_array_append(merged, (json_t *)t);
        }
    }
    int rc = -1;
    if (json_array_size(merged) > TAGS_PER_USER) {
        awserr_set(&c->err, 409, "LimitExceeded", "Cannot exceed quota for TagsPerUser: %d.",
                   TAGS_PER_USER);
        json_decref(merged);
        goto out;
    }
    json_object_set_new(doc, "Tags", merged);
    rc = replace_user(c, &obj, doc);
out:
    json_decref(doc);
    return rc;
}

// UntagUser: removes the tags with these keys; absent keys are not an error.
static int untag_user(struct svc_call *c)
{
    const char *name = iam_in_str(c, "UserName");
    const json_t *keys = json_object_get(c->in, "TagKeys");
    size_t n = json_array_size(keys);
    const char **list = arena_calloc(c->arena, n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const char *k = json_string_value(json_array_get(keys, i));
        list[i] = k ? k : "";
    }
    policy_context_set_list(c->ctx, "aws:TagKeys", list, n);
    struct store_obj obj;
    json_t *doc = NULL;
    if (authorize_user(c, "iam:UntagUser", name, false, &obj, &doc) != 0) {
        return -1;
    }
    json_t *have = json_object_get(doc, "Tags");
    json_t *kept = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(have, i, t)
    {
        const char *k = jstr(t, "Key");
        bool drop = false;
        for (size_t j = 0; j < n && !drop; j++) {
            drop = k != NULL && strcasecmp(k, list[j]) == 0;
        }
        if (!drop) {
            json_array_append(kept, t);
        }
    }
    if (json_array_size(kept) > 0) {
        json_object_set_new(doc, "Tags", kept);
    } else {
        json_decref(kept);
        json_object_del(doc, "Tags");
    }
    int rc = replace_user(c, &obj, doc);
    json_decref(doc);
    return rc;
}

// Reads a Marker that this file issued as a decimal index (ListUserTags). Returns 0 with *start,
// or -1 with InvalidInput.
static int index_marker(struct svc_call *c, const char *marker, size_t *start)
{
    *start = 0;
    if (marker == NULL) {
        return 0;
    }
    char *end = NULL;
    unsigned long v = strtoul(marker, &end, 10);
    if (marker[0] < '0' || marker[0] > '9' || end == NULL || *end != '\0') {
        return awserr_set(&c->err, 400, "InvalidInput", "Invalid value for the Marker parameter.");
    }
    *start = (size_t)v;
    return 0;
}

// ListUserTags: the user's tags, Marker/MaxItems paginated.
static int list_user_tags(struct svc_call *c)
{
    const char *name = iam_in_str(c, "UserName");
    struct iam_page pg;
    iam_page_in(c, &pg);
    size_t start = 0;
    if (index_marker(c, pg.marker, &start) != 0) {
        return -1;
    }
    struct store_obj obj;
    json_t *doc = NULL;
    if (authorize_user(c, "iam:ListUserTags", name, false, &obj, &doc) != 0) {
        return -1;
    }
    const json_t *have = json_object_get(doc, "Tags");
    size_t total = json_array_size(have);
    json_t *tags = json_array();
    size_t i = start;
    for (; i < total && json_array_size(tags) < pg.limit; i++) {
        json_array_append(tags, json_array_get(have, i));
    }
    c->out = json_pack("{s:o, s:b}", "Tags", tags, "IsTruncated", i < total);
    if (i < total) {
        char m[32];
        snprintf(m, sizeof(m), "%zu", i);
        json_object_set_new(c->out, "Marker", json_string(m));
    }
    json_decref(doc);
    return 0;
}

// Stores the user's new document and moves its boundary record from old_arn to new_arn, in one
// transaction.
static int boundary_change(struct svc_call *c, struct store_obj *obj, json_t *doc,
                           const char *old_arn, const char *new_arn)
{
    struct store_err e;
    int rc = store_begin(c->env->store, &e);
    if (rc != 0) {
        return iam_store_error(c, rc, &e, NULL, NULL);
    }
    const char *uname = jstr(doc, "UserName");
    if (replace_user(c, obj, doc) != 0 ||
        iam_boundary_record(c, "User", obj->id, uname ? uname : "", old_arn, new_arn) != 0) {
        store_rollback(c->env->store);
        return -1;
    }
    rc = store_commit(c->env->store, &e);
    return rc != 0 ? iam_store_error(c, rc, &e, NULL, NULL) : 0;
}

// PutUserPermissionsBoundary: sets or replaces the user's boundary (a managed policy).
static int put_user_permissions_boundary(struct svc_call *c)
{
    const char *name = iam_in_str(c, "UserName");
    const char *pb = iam_in_str(c, "PermissionsBoundary");
    policy_context_set(c->ctx, "iam:PermissionsBoundary", pb);
    struct store_obj obj;
    json_t *doc = NULL;
    if (authorize_user(c, "iam:PutUserPermissionsBoundary", name, false, &obj, &doc) != 0) {
        return -1;
    }
    int rc = -1;
    if (check_boundary(c, pb) == 0) {
        const char *old =
            jstr(json_object_get(doc, "PermissionsBoundary"), "PermissionsBoundaryArn");
        char *old_arn = old ? arena_strndup(c->arena, old, strlen(old)) : NULL;
        json_object_set_new(doc, "PermissionsBoundary", boundary_member(pb));
        rc = boundary_change(c, &obj, doc, old_arn, pb);
    }
    json_decref(doc);
    return rc;
}

// DeleteUserPermissionsBoundary: removes the boundary; a user without one is left as it is.
static int delete_user_permissions_boundary(struct svc_call *c)
{
    const char *name = iam_in_str(c, "UserName");
    struct store_obj obj;
    json_t *doc = NULL;
    if (authorize_user(c, "iam:DeleteUserPermissionsBoundary", name, true, &obj, &doc) != 0) {
        return -1;
    }
    int rc = 0;
    const char *old = jstr(json_object_get(doc, "PermissionsBoundary"), "PermissionsBoundaryArn");
    if (old != NULL) {
        char *old_arn = arena_strndup(c->arena, old, strlen(old));
        json_object_del(doc, "PermissionsBoundary");
        rc = boundary_change(c, &obj, doc, old_arn, NULL);
    }
    json_decref(doc);
    return rc;
}

// ---- Access keys ---------------------------------------------------------------------------

// The metadata of a stored key as ListAccessKeys returns it (never the secret).
static json_t *key_metadata(const json_t *key, const struct key_owner *o)
{
    json_t *m = json_object();
    if (o->user_name != NULL) {
        json_object_set_new(m, "UserName", json_string(o->user_name));
    }
    json_object_set(m, "AccessKeyId", json_object_get(key, "AccessKeyId"));
    json_object_set(m, "Status", json_object_get(key, "Status"));
    if (json_object_get(key, "CreateDate") != NULL) {
        json_object_set(m, "CreateDate", json_object_get(key, "CreateDate"));
    }
    return m;
}

// CreateAccessKey: a new active key; its secret appears in this response only. The count and
// the insert share one transaction so that two concurrent calls cannot make a third key.
static int create_access_key(struct svc_call *c)
{
    struct key_owner o;
    if (key_owner(c, "iam:CreateAccessKey", &o) != 0) {
        return -1;
    }
    if (txn_begin(c) != 0) {
        return -1;
    }
    int64_t n = 0;
    if (iam_count_children(c, IAM_KIND_ACCESS_KEY, o.parent, &n) != 0) {
        store_rollback(c->env->store);
        return -1;
    }
    if (n >= ACCESS_KEYS_PER_USER) {
        store_rollback(c->env->store);
        return awserr_set(&c->err, 409, "LimitExceeded",
                          "Cannot exceed quota for AccessKeysPerUser: %d", ACCESS_KEYS_PER_USER);
    }
    const char *akid = iam_new_id(c, "AKIA");
    char secret[41];
    ids_secret_key(secret);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:o, s:s}", "AccessKeyId", akid, "SecretAccessKey",
                            secret, "Status", "Active", "CreateDate", iam_now(c), "UserName",
                            o.user_name ? o.user_name : "");
    if (o.user_id != NULL) {
        json_object_set_new(doc, "UserId", json_string(o.user_id));
    }
    struct store_obj obj = {
        .account = c->caller->account,
        .region = "",
        .kind = IAM_KIND_ACCESS_KEY,
        .id = akid,
        .parent = o.parent,
        .key2 = akid,
    };
    if (iam_put(c, &obj, doc, STORE_CREATE, NULL, NULL) != 0 || txn_commit(c) != 0) {
        store_rollback(c->env->store);
        json_decref(doc);
        return -1;
    }
    json_t *key = json_object();
    if (o.user_name != NULL) {
        json_object_set_new(key, "UserName", json_string(o.user_name));
    }
    json_object_set(key, "AccessKeyId", json_object_get(doc, "AccessKeyId"));
    json_object_set(key, "Status", json_object_get(doc, "Status"));
    json_object_set(key, "SecretAccessKey", json_object_get(doc, "SecretAccessKey"));
    json_object_set(key, "CreateDate", json_object_get(doc, "CreateDate"));
    json_decref(doc);
    explicit_bzero(secret, sizeof(secret));
    c->out = json_pack("{s:o}", "AccessKey", key);
    return 0;
}

// ListAccessKeys: the keys of the user (or of the caller), without their secrets.
static int list_access_keys(struct svc_call *c)
{
    struct key_owner o;
    if (key_owner(c, "iam:ListAccessKeys", &o) != 0) {
        return -1;
    }
    struct iam_page pg;
    iam_page_in(c, &pg);
    struct store_scope sc = iam_scope(c, IAM_KIND_ACCESS_KEY);
    sc.name_ci = false;
    struct store_list_opts lo = {.parent = o.parent, .marker = pg.marker, .limit = pg.limit};
    struct store_list l;
    struct store_err e = {{0}};
    int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
    if (rc != 0) {
        return list_fail(c, rc, &e);
    }
    json_t *keys = json_array();
    for (size_t i = 0; i < l.count; i++) {
        json_t *doc = load_doc(c, &l.items[i]);
        if (doc == NULL) {
            json_decref(keys);
            return -1;
        }
        json_array_append_new(keys, key_metadata(doc, &o));
        json_decref(doc);
    }
    c->out = json_pack("{s:o}", "AccessKeyMetadata", keys);
    iam_page_out(c->out, &l);
    return 0;
}

// Loads the key AccessKeyId of owner o; a key of anyone else is "not found" as in IAM.
static int owned_key(struct svc_call *c, const struct key_owner *o, struct store_obj *obj,
                     json_t **doc)
{
    const char *akid = iam_in_str(c, "AccessKeyId");
    struct store_scope sc = iam_scope(c, IAM_KIND_ACCESS_KEY);
    sc.name_ci = false;
    struct store_err e = {{0}};
    *doc = NULL;
    int rc = store_get(c->env->store, &sc, akid, c->arena, obj, &e);
    if (rc == 0 &&
        (obj->parent == NULL || o->parent == NULL || strcmp(obj->parent, o->parent) != 0)) {
        rc = SB_ENOTFOUND;
    }
    if (rc != 0) {
        char msg[160];
        snprintf(msg, sizeof(msg), "The Access Key with id %s cannot be found.", akid);
        return iam_store_error(c, rc, &e, msg, NULL);
    }
    *doc = load_doc(c, obj);
    return *doc != NULL ? 0 : -1;
}

// UpdateAccessKey: Active or Inactive; an inactive key no longer authenticates.
static int update_access_key(struct svc_call *c)
{
    struct key_owner o;
    if (key_owner(c, "iam:UpdateAccessKey", &o) != 0) {
        return -1;
    }
    struct store_obj obj;
    json_t *doc = NULL;
    if (owned_key(c, &o, &obj, &doc) != 0) {
        return -1;
    }
    json_object_set_new(doc, "Status", json_string(iam_in_str(c, "Status")));
    int rc = iam_put(c, &obj, doc, STORE_REPLACE, "The Access Key cannot be found.", NULL);
    json_decref(doc);
    return rc;
}

// DeleteAccessKey: removes the key for good.
static int delete_access_key(struct svc_call *c)
{
    struct key_owner o;
    if (key_owner(c, "iam:DeleteAccessKey", &o) != 0) {
        return -1;
    }
    struct store_obj obj;
    json_t *doc = NULL;
    if (owned_key(c, &o, &obj, &doc) != 0) {
        return -1;
    }
    json_decref(doc);
    struct store_scope sc = iam_scope(c, IAM_KIND_ACCESS_KEY);
    sc.name_ci = false;
    struct store_err e = {{0}};
    int rc = store_delete(c->env->store, &sc, obj.id, &e);
    return rc != 0 ? iam_store_error(c, rc, &e, "The Access Key cannot be found.", NULL) : 0;
}

// GetAccessKeyLastUsed: when, where and with which service a key was last used. A key never used
// gets "N/A" for ServiceName and Region and no LastUsedDate (AccessKeyLastUsed data type, IAM API
// Reference). The decision is on the key's owner; an unknown key is decided on "*".
static int get_access_key_last_used(struct svc_call *c)
{
    const char *akid = iam_in_str(c, "AccessKeyId");
    struct store_scope sc = iam_scope(c, IAM_KIND_ACCESS_KEY);
    sc.name_ci = false;
    struct store_obj obj;
    struct store_err e = {{0}};
    int rc = store_get(c->env->store, &sc, akid, c->arena, &obj, &e);
    if (rc == SB_ENOTFOUND) {
        if (svc_authorize(c, "iam:GetAccessKeyLastUsed", "*", NULL, NULL) != 0) {
            return -1;
        }
        return awserr_set(&c->err, 404, "NoSuchEntity",
                          "The Access Key with id %s cannot be found.", akid);
    }
    if (rc != 0) {
        return fail_store(c, rc, &e);
    }
    json_t *key = load_doc(c, &obj);
    if (key == NULL) {
        return -1;
    }
    const char *user_name = NULL;
    const char *arn;
    if (obj.parent != NULL && strcmp(obj.parent, IAM_ROOT_PARENT) == 0) {
        size_t n = strlen(c->env->partition) + strlen(c->caller->account) + 16;
        char *root = arena_alloc(c->arena, n);
        snprintf(root, n, "arn:%s:iam::%s:root", c->env->partition, c->caller->account);
        arn = root;
    } else {
        struct store_scope usc = iam_scope(c, IAM_KIND_USER);
        struct store_obj uo;
        rc = store_get(c->env->store, &usc, obj.parent ? obj.parent : "", c->arena, &uo, &e);
        json_t *u = rc == 0 ? load_doc(c, &uo) : NULL;
        if (u == NULL) {
            json_decref(key);
            return rc != 0 ? fail_store(c, rc, &e) : -1;
        }
        user_name = adup(c, jstr(u, "UserName") ? jstr(u, "UserName") : "");
        arn = adup(c, jstr(u, "Arn") ? jstr(u, "Arn") : "");
        user_keys(c, u, false);
        json_decref(u);
    }
    if (svc_authorize(c, "iam:GetAccessKeyLastUsed", arn, NULL, NULL) != 0) {
        json_decref(key);
        return -1;
    }
    json_t *last = json_object_get(key, "LastUsed");
    json_t *lu = json_is_object(last)
                     ? json_deep_copy(last)
                     : json_pack("{s:s, s:s}", "ServiceName", "N/A", "Region", "N/A");
    c->out = json_pack("{s:o}", "AccessKeyLastUsed", lu);
    if (user_name != NULL) {
        json_object_set_new(c->out, "UserName", json_string(user_name));
    }
    json_decref(key);
    return 0;
}

// ---- Inline policies -----------------------------------------------------------------------

static const char *policy_id(struct svc_call *c, const char *owner_id, const char *policy_name)
{
    return afmt2(c, owner_id, "/", policy_name);
}

// PutUserPolicy: adds or replaces an inline policy, validated as IAM validates it.
static int put_user_policy(struct svc_call *c)
{
    const char *name = iam_in_str(c, "UserName");
    const char *pname = iam_in_str(c, "PolicyName");
    const char *pdoc = iam_in_str(c, "PolicyDocument");
    struct store_obj user;
    json_t *udoc = NULL;
    if (authorize_user(c, "iam:PutUserPolicy", name, true, &user, &udoc) != 0) {
        return -1;
    }
    const char *uname = adup(c, jstr(udoc, "UserName"));
    json_decref(udoc);
    if (iam_check_policy(c, pdoc, POLICY_KIND_INLINE_USER, uname) != 0 ||
        iam_check_inline_total(c, IAM_KIND_USER_POLICY, user.id, "user", uname, pname, pdoc,
                               USER_INLINE_POLICY_CHARS) != 0) {
        return -1;
    }
    json_t *doc = json_pack("{s:s, s:s}", "PolicyName", pname, "PolicyDocument", pdoc);
    struct store_obj o = {
        .account = c->caller->account,
        .region = "",
        .kind = IAM_KIND_USER_POLICY,
        .id = policy_id(c, user.id, pname),
        .parent = user.id,
    };
    int rc = iam_put(c, &o, doc, STORE_UPSERT, NULL, NULL);
    json_decref(doc);
    return rc;
}

// Loads the inline policy pname of the user; NoSuchEntity in IAM's words when absent.
static int load_user_policy(struct svc_call *c, const char *user_id, const char *pname,
                            struct store_obj *obj, json_t **doc)
{
    struct store_scope sc = iam_scope(c, IAM_KIND_USER_POLICY);
    sc.name_ci = false;
    struct store_err e = {{0}};
    *doc = NULL;
    int rc = store_get(c->env->store, &sc, policy_id(c, user_id, pname), c->arena, obj, &e);
    if (rc != 0) {
        char msg[200];
        snprintf(msg, sizeof(msg), "The user policy with name %s cannot be found.", pname);
        return iam_store_error(c, rc, &e, msg, NULL);
    }
    *doc = load_doc(c, obj);
    return *doc != NULL ? 0 : -1;
}

// GetUserPolicy: the inline policy's document, URL-encoded as IAM returns it.
static int get_user_policy(struct svc_call *c)
{
    const char *name = iam_in_str(c, "UserName");
    const char *pname = iam_in_str(c, "PolicyName");
    struct store_obj user;
    json_t *udoc = NULL;
    if (authorize_user(c, "iam:GetUserPolicy", name, false, &user, &udoc) != 0) {
        return -1;
    }
    struct store_obj pobj;
    json_t *pdoc = NULL;
    if (load_user_policy(c, user.id, pname, &pobj, &pdoc) != 0) {
        json_decref(udoc);
        return -1;
    }
    const char *text = jstr(pdoc, "PolicyDocument");
    c->out = json_pack("{s:O, s:O, s:s}", "UserName", json_object_get(udoc, "UserName"),
                       "PolicyName", json_object_get(pdoc, "PolicyName"), "PolicyDocument",
                       iam_url_encode(c, text ? text : ""));
    json_decref(pdoc);
    json_decref(udoc);
    return 0;
}

// ListUserPolicies: the names of the user's inline policies.
static int list_user_policies(struct svc_call *c)
{
    const char *name = iam_in_str(c, "UserName");
    struct store_obj user;
    json_t *udoc = NULL;
    if (authorize_user(c, "iam:ListUserPolicies", name, false, &user, &udoc) != 0) {
        return -1;
    }
    json_decref(udoc);
    struct iam_page pg;
    iam_page_in(c, &pg);
    struct store_scope sc = iam_scope(c, IAM_KIND_USER_POLICY);
    sc.name_ci = false;
    struct store_list_opts lo = {.parent = user.id, .marker = pg.marker, .limit = pg.limit};
    struct store_list l;
    struct store_err e = {{0}};
    int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
    if (rc != 0) {
        return list_fail(c, rc, &e);
    }
    json_t *names = json_array();
    for (size_t i = 0; i < l.count; i++) {
        json_t *p = load_doc(c, &l.items[i]);
        if (p == NULL) {
            json_decref(names);
            return -1;
        }
        json_array_append(names, json_object_get(p, "PolicyName"));
        json_decref(p);
    }
    c->out = json_pack("{s:o}", "PolicyNames", names);
    iam_page_out(c->out, &l);
    return 0;
}

// DeleteUserPolicy: removes an inline policy.
static int delete_user_policy(struct svc_call *c)
{
    const char *name = iam_in_str(c, "UserName");
    const char *pname = iam_in_str(c, "PolicyName");
    struct store_obj user;
    json_t *udoc = NULL;
    if (authorize_user(c, "iam:DeleteUserPolicy", name, true, &user, &udoc) != 0) {
        return -1;
    }
    json_decref(udoc);
    struct store_scope sc = iam_scope(c, IAM_KIND_USER_POLICY);
    sc.name_ci = false;
    struct store_err e = {{0}};
    int rc = store_delete(c->env->store, &sc, policy_id(c, user.id, pname), &e);
    if (rc != 0) {
        char msg[200];
        snprintf(msg, sizeof(msg), "The user policy with name %s cannot be found.", pname);
        return iam_store_error(c, rc, &e, msg, NULL);
    }
    return 0;
}

const struct svc_handler iam_user_handlers[] = {
    {"CreateUser", create_user},
    {"GetUser", get_user},
    {"ListUsers", list_users},
    {"UpdateUser", update_user},
    {"DeleteUser", delete_user},
    {"TagUser", tag_user},
    {"UntagUser", untag_user},
    {"ListUserTags", list_user_tags},
    {"PutUserPermissionsBoundary", put_user_permissions_boundary},
    {"DeleteUserPermissionsBoundary", delete_user_permissions_boundary},
    {"CreateAccessKey", create_access_key},
    {"ListAccessKeys", list_access_keys},
    {"UpdateAccessKey", update_access_key},
    {"DeleteAccessKey", delete_access_key},
    {"GetAccessKeyLastUsed", get_access_key_last_used},
    {"PutUserPolicy", put_user_policy},
    {"GetUserPolicy", get_user_policy},
    {"ListUserPolicies", list_user_policies},
    {"DeleteUserPolicy", delete_user_policy},
    {NULL, NULL},
};
