// SPDX-License-Identifier: Apache-2.0
// IAM groups, their members and their inline policies (IAM API Reference 2010-05-08:
// CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup, AddUserToGroup,
// RemoveUserFromGroup, ListGroupsForUser, PutGroupPolicy, GetGroupPolicy, ListGroupPolicies,
// DeleteGroupPolicy). Objects follow iam_store.h: a membership is two rows, iam.group_member
// (under the group) and iam.user_group (under the user), always written in one transaction.
//
// Authorization follows the Service Authorization Reference: every action names the group
// arn:aws:iam::ACCOUNT:group/PATH/NAME, except ListGroupsForUser (the user) and ListGroups
// (arn:aws:iam::ACCOUNT:group/ followed by the path prefix, as AWS's denial shows: "...
// iam:ListGroups on resource: arn:aws:iam::123456789012:group/"). A request for a group that
// does not exist is decided on arn:aws:iam::ACCOUNT:group/NAME before NoSuchEntity is told.
#include "svc/iam/iam_common.h"
#include "core/jsonload.h"
#include "svc/registry.h"

#include <stdio.h>
#include <string.h>

// IAM quotas (IAM User Guide, "IAM and AWS STS quotas"): a user is in at most 10 groups; a
// group's inline policies total at most 5,120 characters.
#define GROUPS_PER_USER           10
#define GROUP_INLINE_POLICY_CHARS 5120

// DeleteGroup's conflicts in the order of the DeleteGroup API Reference ("The group must not
// contain any users or have any attached policies"); AWS's wording
// (github.com/hashicorp/terraform/issues/29147 for the members).
#define MSG_REMOVE_USERS_FIRST    "Cannot delete entity, must remove users from group first."
#define MSG_DELETE_POLICIES_FIRST "Cannot delete entity, must delete policies first."
#define MSG_DETACH_POLICIES_FIRST "Cannot delete entity, must detach all policies first."

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *adup(struct svc_call *c, const char *s)
{
    return arena_strndup(c->arena, s ? s : "", s ? strlen(s) : 0);
}

static const char *join_id(struct svc_call *c, const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *out = arena_alloc(c->arena, n);
    snprintf(out, n, "%s/%s", a, b);
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

static int list_fail(struct svc_call *c, int rc, const struct store_err *e)
{
    if (rc == SB_EINVAL) {
        return awserr_set(&c->err, 400, "InvalidInput", "Invalid value for the Marker parameter.");
    }
    return fail_store(c, rc, e);
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

// The scope of an unnamed kind (memberships, inline policies).
static struct store_scope rows(const struct svc_call *c, const char *kind)
{
    struct store_scope sc = iam_scope(c, kind);
    sc.name_ci = false;
    return sc;
}

// Finds the named entity (a group or a user) and decides action on it. Returns 0 with *obj and
// *doc (the caller json_decref()s it), or -1 with c->err: AccessDenied, or NoSuchEntity ("The
// group with name G cannot be found.") once the caller was allowed to ask.
static int authorize_named(struct svc_call *c, const char *kind, const char *type,
                           const char *action, const char *name, struct store_obj *obj,
                           json_t **doc)
{
    struct store_scope sc = iam_scope(c, kind);
    struct store_err e = {{0}};
    *doc = NULL;
    int rc = store_get_by_name(c->env->store, &sc, name, c->arena, obj, &e);
    if (rc == SB_ENOTFOUND) {
        if (svc_authorize(c, action, iam_arn(c, type, "/", name), NULL, NULL) != 0) {
            return -1;
        }
        return awserr_set(&c->err, 404, "NoSuchEntity", "The %s with name %s cannot be found.",
                          type, name);
    }
    if (rc != 0) {
        return fail_store(c, rc, &e);
    }
    *doc = load_doc(c, obj);
    if (*doc == NULL) {
        return -1;
    }
    if (strcmp(kind, IAM_KIND_USER) == 0) {
        iam_resource_tag_keys(c, json_object_get(*doc, "Tags"));
    }
    if (svc_authorize(c, action, jstr(*doc, "Arn"), NULL, NULL) != 0) {
        json_decref(*doc);
        *doc = NULL;
        return -1;
    }
    return 0;
}

static int authorize_group(struct svc_call *c, const char *action, const char *name,
                           struct store_obj *obj, json_t **doc)
{
    return authorize_named(c, IAM_KIND_GROUP, "group", action, name, obj, doc);
}

// Loads the user named name without a decision of its own (the group's decision covers
// AddUserToGroup and RemoveUserFromGroup). NoSuchEntity in IAM's words when absent.
static int load_user(struct svc_call *c, const char *name, struct store_obj *obj, json_t **doc)
{
    return iam_get_named(c, IAM_KIND_USER, "user", name, obj, doc);
}

static struct store_obj group_obj(struct svc_call *c, const char *id, const char *name,
                                  const char *path)
{
    struct store_obj o = {
        .account = c->caller->account,
        .region = "",
        .kind = IAM_KIND_GROUP,
        .id = id,
        .name = name,
        .name_ci = true,
        .path = path,
    };
    return o;
}

// ---- Groups --------------------------------------------------------------------------------

// CreateGroup: a new, empty group.
static int create_group(struct svc_call *c)
{
    const char *name = iam_in_str(c, "GroupName");
    const char *path = iam_in_str(c, "Path");
    if (path == NULL) {
        path = "/";
    }
    const char *arn = iam_arn(c, "group", path, name);
    if (svc_authorize(c, "iam:CreateGroup", arn, NULL, NULL) != 0) {
        return -1;
    }
    const char *id = iam_new_id(c, "AGPA");
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:o}", "Path", path, "GroupName", name, "GroupId",
                            id, "Arn", arn, "CreateDate", iam_now(c));
    struct store_obj o = group_obj(c, id, name, path);
    char exists[200];
    snprintf(exists, sizeof(exists), "Group with name %s already exists.", name);
    if (iam_put(c, &o, doc, STORE_CREATE, NULL, exists) != 0) {
        json_decref(doc);
        return -1;
    }
    c->out = json_pack("{s:o}", "Group", doc);
    return 0;
}

// Appends to out the entity (user or group) whose id is the member id_member of each row;
// rows whose entity has vanished are skipped. Returns 0 or -1 with c->err set.
static int append_entities(struct svc_call *c, const struct store_list *l, const char *kind,
                           const char *id_member, json_t *out)
{
    struct store_scope sc = iam_scope(c, kind);
    for (size_t i = 0; i < l->count; i++) {
        json_t *row = load_doc(c, &l->items[i]);
        if (row == NULL) {
            return -1;
        }
        const char *id = adup(c, jstr(row, id_member));
        json_decref(row);
        struct store_obj o;
        struct store_err e = {{0}};
        int rc = store_get(c->env->store, &sc, id, c->arena, &o, &e);
        if (rc == SB_ENOTFOUND) {
            continue;
        }
        if (rc != 0) {
            return fail_store(c, rc, &e);
        }
        json_t *doc = load_doc(c, &o);
        if (doc == NULL) {
            return -1;
        }
        // GetGroup lists users as ListUsers does: without boundary and tags.
        json_object_del(doc, "PermissionsBoundary");
        json_object_del(doc, "Tags");
        json_array_append_new(out, doc);
    }
    return 0;
}

// GetGroup: the group and a page of its users.
static int get_group(struct svc_call *c)
{
    const char *name = iam_in_str(c, "GroupName");
    struct store_obj obj;
    json_t *doc = NULL;
    if (authorize_group(c, "iam:GetGroup", name, &obj, &doc) != 0) {
        return -1;
    }
    struct iam_page pg;
    iam_page_in(c, &pg);
    struct store_scope sc = rows(c, IAM_KIND_GROUP_MEMBER);
    struct store_list_opts lo = {.parent = obj.id, .marker = pg.marker, .limit = pg.limit};
    struct store_list l;
    struct store_err e = {{0}};
    int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
    if (rc != 0) {
        json_decref(doc);
        return list_fail(c, rc, &e);
    }
    json_t *users = json_array();
    if (append_entities(c, &l, IAM_KIND_USER, "UserId", users) != 0) {
        json_decref(users);
        json_decref(doc);
        return -1;
    }
    c->out = json_pack("{s:o, s:o}", "Group", doc, "Users", users);
    iam_page_out(c->out, &l);
    return 0;
}

// ListGroups: the account's groups whose path starts with PathPrefix, ordered by name.
static int list_groups(struct svc_call *c)
{
    const char *prefix = iam_in_str(c, "PathPrefix");
    if (prefix == NULL) {
        prefix = "/";
    }
    if (svc_authorize(c, "iam:ListGroups", iam_arn(c, "group", prefix, ""), NULL, NULL) != 0) {
        return -1;
    }
    struct iam_page pg;
    iam_page_in(c, &pg);
    struct store_scope sc = iam_scope(c, IAM_KIND_GROUP);
    struct store_list_opts lo = {.path_prefix = prefix, .marker = pg.marker, .limit = pg.limit};
    struct store_list l;
    struct store_err e = {{0}};
    int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
    if (rc != 0) {
        return list_fail(c, rc, &e);
    }
    json_t *groups = json_array();
    for (size_t i = 0; i < l.count; i++) {
        json_t *doc = load_doc(c, &l.items[i]);
        if (doc == NULL) {
            json_decref(groups);
            return -1;
        }
        json_array_append_new(groups, doc);
    }
    c->out = json_pack("{s:o}", "Groups", groups);
    iam_page_out(c->out, &l);
    return 0;
}

// Updates the GroupName kept in the iam.user_group row of every member of the group.
static int rename_memberships(struct svc_call *c, const char *group_id, const char *new_name)
{
    struct store_scope msc = rows(c, IAM_KIND_GROUP_MEMBER);
    struct store_scope usc = rows(c, IAM_KIND_USER_GROUP);
    struct store_list_opts lo = {.parent = group_id, .limit = STORE_LIST_MAX};
    for (;;) {
        struct store_list l;
        struct store_err e = {{0}};
        int rc = store_list(c->env->store, &msc, &lo, c->arena, &l, &e);
        if (rc != 0) {
            return fail_store(c, rc, &e);
        }
        for (size_t i = 0; i < l.count; i++) {
            json_t *m = load_doc(c, &l.items[i]);
            if (m == NULL) {
                return -1;
            }
            const char *uid = adup(c, jstr(m, "UserId"));
            json_decref(m);
            struct store_obj ug;
            rc = store_get(c->env->store, &usc, join_id(c, uid, group_id), c->arena, &ug, &e);
            if (rc == SB_ENOTFOUND) {
                continue;
            }
            if (rc != 0) {
                return fail_store(c, rc, &e);
            }
            json_t *doc = load_doc(c, &ug);
            if (doc == NULL) {
                return -1;
            }
            json_object_set_new(doc, "GroupName", json_string(new_name));
            rc = iam_put(c, &ug, doc, STORE_REPLACE, NULL, NULL);
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

// UpdateGroup: a new name and/or path; the GroupId stays. Like UpdateUser, the caller needs the
// permission on both the old and the new ARN (UpdateGroup API Reference).
static int update_group(struct svc_call *c)
{
    const char *name = iam_in_str(c, "GroupName");
    const char *new_name = iam_in_str(c, "NewGroupName");
    const char *new_path = iam_in_str(c, "NewPath");
    struct store_obj obj;
    json_t *doc = NULL;
    if (authorize_group(c, "iam:UpdateGroup", name, &obj, &doc) != 0) {
        return -1;
    }
    const char *final_name = adup(c, new_name ? new_name : jstr(doc, "GroupName"));
    const char *final_path = adup(c, new_path ? new_path : jstr(doc, "Path"));
    const char *new_arn = iam_arn(c, "group", final_path, final_name);
    int rc = -1;
    if (strcmp(new_arn, jstr(doc, "Arn")) != 0 &&
        svc_authorize(c, "iam:UpdateGroup", new_arn, NULL, NULL) != 0) {
        goto out;
    }
    json_object_set_new(doc, "GroupName", json_string(final_name));
    json_object_set_new(doc, "Path", json_string(final_path));
    json_object_set_new(doc, "Arn", json_string(new_arn));
    if (txn_begin(c) != 0) {
        goto out;
    }
    struct store_obj o = group_obj(c, obj.id, final_name, final_path);
    char exists[200];
    snprintf(exists, sizeof(exists), "Group with name %s already exists.", final_name);
    if (iam_put(c, &o, doc, STORE_REPLACE, "The group cannot be found.", exists) != 0 ||
        rename_memberships(c, obj.id, final_name) != 0 || txn_commit(c) != 0) {
        store_rollback(c->env->store);
        goto out;
    }
    rc = 0;
out:
    json_decref(doc);
    return rc;
}

// DeleteGroup: only an empty group without policies.
static int delete_group(struct svc_call *c)
{
    const char *name = iam_in_str(c, "GroupName");
    struct store_obj obj;
    json_t *doc = NULL;
    if (authorize_group(c, "iam:DeleteGroup", name, &obj, &doc) != 0) {
        return -1;
    }
    json_decref(doc);
    if (txn_begin(c) != 0) {
        return -1;
    }
    static const struct {
        const char *kind;
        const char *msg;
    } deps[] = {
        {IAM_KIND_GROUP_MEMBER, MSG_REMOVE_USERS_FIRST},
        {IAM_KIND_GROUP_POLICY, MSG_DELETE_POLICIES_FIRST},
        {IAM_KIND_ATTACHMENT, MSG_DETACH_POLICIES_FIRST},
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
    struct store_scope sc = iam_scope(c, IAM_KIND_GROUP);
    struct store_err e = {{0}};
    int rc = store_delete(c->env->store, &sc, obj.id, &e);
    if (rc != 0) {
        store_rollback(c->env->store);
        return iam_store_error(c, rc, &e, "The group cannot be found.", NULL);
    }
    return txn_commit(c);
}

// ---- Membership ----------------------------------------------------------------------------

// AddUserToGroup: makes the user a member; adding a member again changes nothing and succeeds.
static int add_user_to_group(struct svc_call *c)
{
    const char *gname = iam_in_str(c, "GroupName");
    const char *uname = iam_in_str(c, "UserName");
    struct store_obj gobj;
    json_t *gdoc = NULL;
    if (authorize_group(c, "iam:AddUserToGroup", gname, &gobj, &gdoc) != 0) {
        return -1;
    }
    struct store_obj uobj;
    json_t *udoc = NULL;
    int rc = -1;
    if (load_user(c, uname, &uobj, &udoc) != 0 || txn_begin(c) != 0) {
        goto out;
    }
    struct store_scope msc = rows(c, IAM_KIND_GROUP_MEMBER);
    struct store_err e = {{0}};
    const char *member_id = join_id(c, gobj.id, uobj.id);
    int grc = store_get(c->env->store, &msc, member_id, NULL, NULL, &e);
    if (grc == 0) {
        rc = txn_commit(c);
        goto out;
    }
    if (grc != SB_ENOTFOUND) {
        fail_store(c, grc, &e);
        store_rollback(c->env->store);
        goto out;
    }
    int64_t n = 0;
    if (iam_count_children(c, IAM_KIND_USER_GROUP, uobj.id, &n) != 0) {
        store_rollback(c->env->store);
        goto out;
    }
    if (n >= GROUPS_PER_USER) {
        store_rollback(c->env->store);
        awserr_set(&c->err, 409, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: %d",
                   GROUPS_PER_USER);
        goto out;
    }
    json_t *m = json_pack("{s:s, s:s}", "UserId", uobj.id, "UserName", jstr(udoc, "UserName"));
    json_t *ug = json_pack("{s:s, s:s}", "GroupId", gobj.id, "GroupName", jstr(gdoc, "GroupName"));
    struct store_obj mo = {
        .account = c->caller->account,
        .region = "",
        .kind = IAM_KIND_GROUP_MEMBER,
        .id = member_id,
        .parent = gobj.id,
    };
    struct store_obj uo = {
        .account = c->caller->account,
        .region = "",
        .kind = IAM_KIND_USER_GROUP,
        .id = join_id(c, uobj.id, gobj.id),
        .parent = uobj.id,
    };
    if (iam_put(c, &mo, m, STORE_CREATE, NULL, NULL) != 0 ||
        iam_put(c, &uo, ug, STORE_CREATE, NULL, NULL) != 0 || txn_commit(c) != 0) {
        store_rollback(c->env->store);
    } else {
        rc = 0;
    }
    json_decref(m);
    json_decref(ug);
out:
    json_decref(udoc);
    json_decref(gdoc);
    return rc;
}

// RemoveUserFromGroup: ends the membership; removing a user who is not a member succeeds and
// changes nothing (AWS returns no error then: cloud-custodian pull 4730, "in both the cases,
// there's no error returned").
static int remove_user_from_group(struct svc_call *c)
{
    const char *gname = iam_in_str(c, "GroupName");
    const char *uname = iam_in_str(c, "UserName");
    struct store_obj gobj;
    json_t *gdoc = NULL;
    if (authorize_group(c, "iam:RemoveUserFromGroup", gname, &gobj, &gdoc) != 0) {
        return -1;
    }
    json_decref(gdoc);
    struct store_obj uobj;
    json_t *udoc = NULL;
    if (load_user(c, uname, &uobj, &udoc) != 0) {
        return -1;
    }
    json_decref(udoc);
    if (txn_begin(c) != 0) {
        return -1;
    }
    struct store_scope msc = rows(c, IAM_KIND_GROUP_MEMBER);
    struct store_scope usc = rows(c, IAM_KIND_USER_GROUP);
    struct store_err e = {{0}};
    int rc = store_delete(c->env->store, &msc, join_id(c, gobj.id, uobj.id), &e);
    if (rc == 0 || rc == SB_ENOTFOUND) {
        rc = store_delete(c->env->store, &usc, join_id(c, uobj.id, gobj.id), &e);
    }
    if (rc != 0 && rc != SB_ENOTFOUND) {
        store_rollback(c->env->store);
        return fail_store(c, rc, &e);
    }
    return txn_commit(c);
}

// ListGroupsForUser: the groups the user belongs to.
static int list_groups_for_user(struct svc_call *c)
{
    const char *uname = iam_in_str(c, "UserName");
    struct store_obj uobj;
    json_t *udoc = NULL;
    if (authorize_named(c, IAM_KIND_USER, "user", "iam:ListGroupsForUser", uname, &uobj, &udoc) !=
        0) {
        return -1;
    }
    json_decref(udoc);
    struct iam_page pg;
    iam_page_in(c, &pg);
    struct store_scope sc = rows(c, IAM_KIND_USER_GROUP);
    struct store_list_opts lo = {.parent = uobj.id, .marker = pg.marker, .limit = pg.limit};
    struct store_list l;
    struct store_err e = {{0}};
    int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
    if (rc != 0) {
        return list_fail(c, rc, &e);
    }
    json_t *groups = json_array();
    if (append_entities(c, &l, IAM_KIND_GROUP, "GroupId", groups) != 0) {
        json_decref(groups);
        return -1;
    }
    c->out = json_pack("{s:o}", "Groups", groups);
    iam_page_out(c->out, &l);
    return 0;
}

// ---- Inline policies -----------------------------------------------------------------------

// PutGroupPolicy: adds or replaces an inline policy, validated as IAM validates it.
static int put_group_policy(struct svc_call *c)
{
    const char *gname = iam_in_str(c, "GroupName");
    const char *pname = iam_in_str(c, "PolicyName");
    const char *pdoc = iam_in_str(c, "PolicyDocument");
    struct store_obj gobj;
    json_t *gdoc = NULL;
    if (authorize_group(c, "iam:PutGroupPolicy", gname, &gobj, &gdoc) != 0) {
        return -1;
    }
    const char *name = adup(c, jstr(gdoc, "GroupName"));
    json_decref(gdoc);
    if (iam_check_policy(c, pdoc, POLICY_KIND_INLINE_GROUP, name) != 0 ||
        iam_check_inline_total(c, IAM_KIND_GROUP_POLICY, gobj.id, "group", name, pname, pdoc,
                               GROUP_INLINE_POLICY_CHARS) != 0) {
        return -1;
    }
    json_t *doc = json_pack("{s:s, s:s}", "PolicyName", pname, "PolicyDocument", pdoc);
    struct store_obj o = {
        .account = c->caller->account,
        .region = "",
        .kind = IAM_KIND_GROUP_POLICY,
        .id = join_id(c, gobj.id, pname),
        .parent = gobj.id,
    };
    int rc = iam_put(c, &o, doc, STORE_UPSERT, NULL, NULL);
    json_decref(doc);
    return rc;
}

static int policy_not_found(struct svc_call *c, int rc, const struct store_err *e,
                            const char *pname)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "The group policy with name %s cannot be found.", pname);
    return iam_store_error(c, rc, e, msg, NULL);
}

// GetGroupPolicy: the inline policy's document, URL-encoded as IAM returns it.
static int get_group_policy(struct svc_call *c)
{
    const char *gname = iam_in_str(c, "GroupName");
    const char *pname = iam_in_str(c, "PolicyName");
    struct store_obj gobj;
    json_t *gdoc = NULL;
    if (authorize_group(c, "iam:GetGroupPolicy", gname, &gobj, &gdoc) != 0) {
        return -1;
    }
    struct store_scope sc = rows(c, IAM_KIND_GROUP_POLICY);
    struct store_obj pobj;
    struct store_err e = {{0}};
    int rc = store_get(c->env->store, &sc, join_id(c, gobj.id, pname), c->arena, &pobj, &e);
    json_t *pdoc = rc == 0 ? load_doc(c, &pobj) : NULL;
    if (pdoc == NULL) {
        json_decref(gdoc);
        return rc != 0 ? policy_not_found(c, rc, &e, pname) : -1;
    }
    const char *text = jstr(pdoc, "PolicyDocument");
    c->out = json_pack("{s:O, s:O, s:s}", "GroupName", json_object_get(gdoc, "GroupName"),
                       "PolicyName", json_object_get(pdoc, "PolicyName"), "PolicyDocument",
                       iam_url_encode(c, text ? text : ""));
    json_decref(pdoc);
    json_decref(gdoc);
    return 0;
}

// ListGroupPolicies: the names of the group's inline policies.
static int list_group_policies(struct svc_call *c)
{
    const char *gname = iam_in_str(c, "GroupName");
    struct store_obj gobj;
    json_t *gdoc = NULL;
    if (authorize_group(c, "iam:ListGroupPolicies", gname, &gobj, &gdoc) != 0) {
        return -1;
    }
    json_decref(gdoc);
    struct iam_page pg;
    iam_page_in(c, &pg);
    struct store_scope sc = rows(c, IAM_KIND_GROUP_POLICY);
    struct store_list_opts lo = {.parent = gobj.id, .marker = pg.marker, .limit = pg.limit};
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

// DeleteGroupPolicy: removes an inline policy.
static int delete_group_policy(struct svc_call *c)
{
    const char *gname = iam_in_str(c, "GroupName");
    const char *pname = iam_in_str(c, "PolicyName");
    struct store_obj gobj;
    json_t *gdoc = NULL;
    if (authorize_group(c, "iam:DeleteGroupPolicy", gname, &gobj, &gdoc) != 0) {
        return -1;
    }
    json_decref(gdoc);
    struct store_scope sc = rows(c, IAM_KIND_GROUP_POLICY);
    struct store_err e = {{0}};
    int rc = store_delete(c->env->store, &sc, join_id(c, gobj.id, pname), &e);
    return rc != 0 ? policy_not_found(c, rc, &e, pname) : 0;
}

const struct svc_handler iam_group_handlers[] = {
    {"CreateGroup", create_group},
    {"GetGroup", get_group},
    {"ListGroups", list_groups},
    {"UpdateGroup", update_group},
    {"DeleteGroup", delete_group},
    {"AddUserToGroup", add_user_to_group},
    {"RemoveUserFromGroup", remove_user_from_group},
    {"ListGroupsForUser", list_groups_for_user},
    {"PutGroupPolicy", put_group_policy},
    {"GetGroupPolicy", get_group_policy},
    {"ListGroupPolicies", list_group_policies},
    {"DeleteGroupPolicy", delete_group_policy},
    {NULL, NULL},
};
