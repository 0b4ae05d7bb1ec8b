// SPDX-License-Identifier: Apache-2.0
// SageMaker user profiles (SageMaker API Reference 2017-07-24: CreateUserProfile,
// DescribeUserProfile, ListUserProfiles, UpdateUserProfile, DeleteUserProfile) and what spaces
// share with them (profiles.h). Objects follow sm_common.h: kind sm.profile, id
// "DOMAINID/NAME", parent the domain id.
//
// A profile is Pending when created and InService after the task UserProfileCreated, which also
// makes its home directory in the domain's EFS (efs.h); UpdateUserProfile makes it Updating until
// UserProfileUpdated; DeleteUserProfile makes it Deleting until UserProfileDeleted removes it.
// HomeEfsFileSystemUid comes from the domain's counter "_".next_uid (from 200001, as AWS numbers
// them), taken in the creating transaction.
//
// UserSettings: DescribeUserProfile reports the settings the profile was given (what
// CreateUserProfile and UpdateUserProfile passed), not the domain's DefaultUserSettings merged
// in: a profile created without an ExecutionRole describes without one and Studio falls back on
// the domain's default role (SageMaker Developer Guide, "Domain user profiles": settings of the
// profile override the domain's). UpdateUserProfile replaces the members of UserSettings it
// names and keeps the others.
//
// Authorization (Service Authorization Reference, Amazon SageMaker): every operation but
// ListUserProfiles names the user-profile ARN with the profile's tags (aws:ResourceTag/*,
// sagemaker:ResourceTag/*); CreateUserProfile adds the request's Tags (aws:RequestTag/*,
// aws:TagKeys); ListUserProfiles names "*". A request for a profile that does not exist is
// decided first on its ARN without tags, so that a caller without permission learns nothing.
//
// Error wordings: "Unable to delete UserProfile [ARN] because App(s) are associated with it."
// is AWS's (github.com/aws/amazon-sagemaker-feedback/issues/113); the others are not verified
// against AWS.
#include "svc/sagemaker/profiles.h"

#include "core/jsonload.h"
#include "svc/sagemaker/apps.h"
#include "svc/registry.h"
#include "svc/sagemaker/efs.h"
#include "svc/sagemaker/sm_tasks.h"
#include "svc/tasks.h"

#include <stdlib.h>
#include <string.h>

#define LIST_DEFAULT_MAX 10

int sm_child_domain(struct svc_call *c, const char *domain_id, struct sm_obj *d)
{
    int found = sm_get(c, SM_KIND_DOMAIN, domain_id, d);
    if (found < 0) {
        return -1;
    }
    if (found == 0) {
        // Not verified against AWS.
        return sm_error(c, "ResourceNotFound", "Cannot find Domain with id %s", domain_id);
    }
    const char *status = sm_str(d->doc, "Status");
    if (status == NULL || (strcmp(status, "InService") != 0 && strcmp(status, "Updating") != 0)) {
        // Not verified against AWS.
        int rc = sm_error(c, "ValidationException",
                          "Domain [%s] is in status [%s]; it must be InService.", domain_id,
                          status ? status : "");
        sm_obj_release(d);
        return rc;
    }
    return 0;
}

long sm_take_uid(struct svc_call *c, struct sm_obj *d)
{
    json_t *in = sm_internal(d->doc);
    json_t *next = json_object_get(in, "next_uid");
    long uid = json_is_integer(next) ? (long)json_integer_value(next) : SM_FIRST_UID;
    if (uid < SM_FIRST_UID) {
        uid = SM_FIRST_UID;
    }
    json_object_set_new(in, "next_uid", json_integer(uid + 1));
    if (sm_update(c, d) != 0) {
        return -1;
    }
    return uid;
}

struct child_item {
    json_t *doc; // owned
    double key;
    const char *name;
};

static double member_number(const json_t *doc, const char *member)
{
    const json_t *v = json_object_get(doc, member);
    return json_is_number(v) ? json_number_value(v) : 0;
}

static int cmp_items(const void *a, const void *b)
{
    const struct child_item *x = a;
    const struct child_item *y = b;
    if (x->key != y->key) {
        return x->key < y->key ? -1 : 1;
    }
    return strcmp(x->name, y->name);
}

// Parses a NextToken of the sorted listing ("o" and the decimal offset it wrote); returns -1 for
// anything else.
static long parse_token(const char *t)
{
    if (t == NULL) {
        return 0;
    }
    if (t[0] != 'o') {
        return -1;
    }
    char *end = NULL;
    long v = strtol(t + 1, &end, 10);
    if (end == t + 1 || *end != '\0' || v < 0) {
        return -1;
    }
    return v;
}

// The summary of a child in a listing (ListUserProfiles' UserProfileDetails, ListSpaces'
// SpaceDetails): new reference.
static json_t *summary(const struct sm_child_list *l, const json_t *doc)
{
    json_t *item = json_object();
    static const char *const members[] = {"DomainId", NULL, "Status", "CreationTime",
                                          "LastModifiedTime"};
    for (size_t m = 0; m < sizeof(members) / sizeof(members[0]); m++) {
        const char *name = members[m] ? members[m] : l->name_member;
        json_t *v = json_object_get(doc, name);
        if (v != NULL) {
            json_object_set(item, name, v);
        }
    }
    return item;
}

// The listing of one domain's children in creation order, straight from the store: their store
// names are "DOMAIN/CREATIONMS/NAME" (sm_creation_name), so a page reads only its own objects.
// NextToken is "n" and the store's marker.
static int list_by_creation(struct svc_call *c, const struct sm_child_list *l,
                            const char *domain_id, long max)
{
    const char *token = sm_in_str(c, "NextToken");
    if (token != NULL && token[0] != 'n') {
        // Not verified against AWS.
        return sm_error(c, "ValidationException", "Invalid pagination token");
    }
    struct store_scope sc = sm_scope(c, l->kind);
    struct store_list_opts lo = {.name_prefix = sm_fmt(c, "%s/", domain_id),
                                 .marker = token != NULL ? token + 1 : NULL,
                                 .limit = (size_t)max};
    struct store_list page = {0};
    struct store_err e = {{0}};
    int rc = store_list(c->env->store, &sc, &lo, c->arena, &page, &e);
    if (rc == SB_EINVAL) {
        // Not verified against AWS.
        return sm_error(c, "ValidationException", "Invalid pagination token");
    }
    if (rc != 0) {
        return sm_store_error(c, rc, &e);
    }
    json_t *list = json_array();
    for (size_t i = 0; i < page.count; i++) {
        json_t *doc = jsonload(page.items[i].doc, page.items[i].doc_len);
        if (json_is_object(doc)) {
            json_array_append_new(list, summary(l, doc));
        }
        json_decref(doc);
    }
    c->out = json_object();
    json_object_set_new(c->out, l->out_member, list);
    if (page.truncated) {
        json_object_set_new(c->out, "NextToken", json_string(sm_fmt(c, "n%s", page.next_marker)));
    }
    return 0;
}

// Loads every child of kind (of domain_id when not NULL) whose name contains `contains` into a
// new array (*items, *count; the caller frees the docs and the array).
static int load_children(struct svc_call *c, const struct sm_child_list *l, const char *domain_id,
                         const char *contains, const char *sort_by, struct child_item **items,
                         size_t *count)
{
    struct store_scope sc = sm_scope(c, l->kind);
    size_t cap = 0;
    *items = NULL;
    *count = 0;
    const char *marker = NULL;
    do {
        struct store_list_opts lo = {
            .parent = domain_id, .marker = marker, .limit = STORE_LIST_MAX};
        struct store_list page = {0};
        struct store_err e = {{0}};
        int rc = store_list(c->env->store, &sc, &lo, c->arena, &page, &e);
        if (rc != 0) {
            return sm_store_error(c, rc, &e);
        }
        for (size_t i = 0; i < page.count; i++) {
            json_t *doc = jsonload(page.items[i].doc, page.items[i].doc_len);
            const char *name = sm_str(doc, l->name_member);
            if (name == NULL || (contains != NULL && strstr(name, contains) == NULL)) {
                json_decref(doc);
                continue;
            }
            if (*count == cap) {
                cap = cap ? cap * 2 : 64;
                struct child_item *grown = realloc(*items, cap * sizeof(**items));
                if (grown == NULL) {
                    abort();
                }
                *items = grown;
            }
            (*items)[*count] =
                (struct child_item){.doc = doc, .key = member_number(doc, sort_by), .name = name};
            (*count)++;
        }
        marker = page.truncated ? page.next_marker : NULL;
    } while (marker != NULL);
    return 0;
}

int sm_list_children(struct svc_call *c, const struct sm_child_list *l)
{
    const char *domain_id = sm_in_str(c, "DomainIdEquals");
    const char *contains = sm_in_str(c, l->contains_in);
    const char *sort_by = sm_in_str(c, "SortBy");
    const char *order = sm_in_str(c, "SortOrder");
    const json_t *mr = json_object_get(c->in, "MaxResults");
    long max = json_is_integer(mr) ? (long)json_integer_value(mr) : LIST_DEFAULT_MAX;
    bool by_creation = sort_by == NULL || strcmp(sort_by, "CreationTime") == 0;
    bool descending = order != NULL && strcmp(order, "Descending") == 0;
    if (by_creation && !descending && contains == NULL && domain_id != NULL) {
        return list_by_creation(c, l, domain_id, max);
    }
    long start = parse_token(sm_in_str(c, "NextToken"));
    if (start < 0) {
        // Not verified against AWS.
        return sm_error(c, "ValidationException", "Invalid pagination token");
    }
    if (sort_by == NULL) {
        sort_by = "CreationTime";
    }
    struct child_item *items = NULL;
    size_t count = 0;
    int rc = load_children(c, l, domain_id, contains, sort_by, &items, &count);
    if (rc == 0) {
        if (count > 1) {
            qsort(items, count, sizeof(*items), cmp_items);
        }
        bool desc = order != NULL && strcmp(order, "Descending") == 0;
        json_t *list = json_array();
        size_t end = (size_t)start + (size_t)max;
        for (size_t k = (size_t)start; k < count && k < end; k++) {
            json_array_append_new(list, summary(l, items[desc ? count - 1 - k : k].doc));
        }
        c->out = json_object();
        json_object_set_new(c->out, l->out_member, list);
        if (end < count) {
            json_object_set_new(c->out, "NextToken", json_string(sm_fmt(c, "o%zu", end)));
        }
    }
    for (size_t i = 0; i < count; i++) {
        json_decref(items[i].doc);
    }
    free(items);
    return rc;
}

// ---- User profiles ----

static int load_profile(struct svc_call *c, const char *action, struct sm_obj *p)
{
    return sm_child_load(c, &sm_profile_kind, action, p);
}

static int create_user_profile_body(struct svc_call *c)
{
    return sm_child_create(c, &sm_profile_kind, "sagemaker:CreateUserProfile");
}
SM_OPERATION(create_user_profile, true)

static int describe_user_profile_body(struct svc_call *c)
{
    struct sm_obj p = {0};
    if (load_profile(c, "sagemaker:DescribeUserProfile", &p) != 0) {
        return -1;
    }
    c->out = sm_public(p.doc);
    sm_obj_release(&p);
    return 0;
}
SM_OPERATION(describe_user_profile, false)

static int list_user_profiles_body(struct svc_call *c)
{
    if (sm_authorize(c, "sagemaker:ListUserProfiles", "*", NULL) != 0) {
        return -1;
    }
    static const struct sm_child_list l = {
        .kind = SM_KIND_PROFILE,
        .name_member = "UserProfileName",
        .contains_in = "UserProfileNameContains",
        .out_member = "UserProfiles",
    };
    return sm_list_children(c, &l);
}
SM_OPERATION(list_user_profiles, false)

static int update_user_profile_body(struct svc_call *c)
{
    struct sm_obj p = {0};
    if (load_profile(c, "sagemaker:UpdateUserProfile", &p) != 0) {
        return -1;
    }
    int rc = sm_child_update(c, &sm_profile_kind, &p);
    sm_obj_release(&p);
    return rc;
}
SM_OPERATION(update_user_profile, true)

static int delete_user_profile_body(struct svc_call *c)
{
    struct sm_obj p = {0};
    if (load_profile(c, "sagemaker:DeleteUserProfile", &p) != 0) {
        return -1;
    }
    int rc = sm_child_delete(c, &sm_profile_kind, &p);
    sm_obj_release(&p);
    return rc;
}
SM_OPERATION(delete_user_profile, true)

// ---- What user profiles and spaces share ----

static const char *const profile_extra[] = {"SingleSignOnUserIdentifier", "SingleSignOnUserValue",
                                            NULL};

const struct sm_child_kind sm_profile_kind = {
    .kind = SM_KIND_PROFILE,
    .what = "UserProfile",
    .arn_member = "UserProfileArn",
    .name_member = "UserProfileName",
    .settings_member = "UserSettings",
    .owner = "user",
    .arn_type = "user-profile",
    .extra = profile_extra,
};

const struct sm_child_kind sm_space_kind = {
    .kind = SM_KIND_SPACE,
    .what = "Space",
    .arn_member = "SpaceArn",
    .name_member = "SpaceName",
    .settings_member = "SpaceSettings",
    .owner = "space",
    .arn_type = "space",
    .extra = NULL,
};

const char *sm_child_id(struct svc_call *c, const struct sm_child_kind *k)
{
    return sm_fmt(c, "%s/%s", sm_in_str(c, "DomainId"), sm_in_str(c, k->name_member));
}

int sm_child_load(struct svc_call *c, const struct sm_child_kind *k, const char *action,
                  struct sm_obj *o)
{
    const char *id = sm_child_id(c, k);
    const char *arn = sm_arn(c, k->arn_type, id);
    int found = sm_get(c, k->kind, id, o);
    if (found < 0) {
        return -1;
    }
    if (sm_authorize(c, action, arn, found ? sm_tags(o->doc) : NULL) != 0) {
        sm_obj_release(o);
        return -1;
    }
    if (found == 0) {
        // Not verified against AWS.
        return sm_error(c, "ResourceNotFound", "%s [%s] does not exist.", k->what, arn);
    }
    return 0;
}

int sm_child_create(struct svc_call *c, const struct sm_child_kind *k, const char *action)
{
    const char *domain_id = sm_in_str(c, "DomainId");
    const char *name = sm_in_str(c, k->name_member);
    const char *id = sm_child_id(c, k);
    const char *arn = sm_arn(c, k->arn_type, id);
    const json_t *tags = json_object_get(c->in, "Tags");
    const json_t *settings = json_object_get(c->in, k->settings_member);
    const char *role = sm_str(settings, "ExecutionRole");

    sm_request_tags(c, tags);
    if (sm_authorize(c, action, arn, NULL) != 0) {
        return -1;
    }
    struct sm_obj d = {0};
    if (sm_child_domain(c, domain_id, &d) != 0) {
        return -1;
    }
    int rc = -1;
    struct sm_obj old = {0};
    json_t *doc = NULL;
    int found = sm_get(c, k->kind, id, &old);
    if (found < 0) {
        goto out;
    }
    if (found > 0) {
        // Not verified against AWS.
        sm_error(c, "ResourceInUse", "Resource Arn: %s already exists.", arn);
        goto out;
    }
    if (role != NULL &&
        sm_check_execution_role(c, role, sm_fmt(c, "%s.ExecutionRole", k->settings_member)) != 0) {
        goto out;
    }
    long uid = sm_take_uid(c, &d);
    if (uid < 0) {
        goto out;
    }
    json_t *now = sm_now(c);
    doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:O}", "DomainId", domain_id, k->arn_member,
                    arn, k->name_member, name, "HomeEfsFileSystemUid", sm_fmt(c, "%ld", uid),
                    "Status", "Pending", "LastModifiedTime", now, "CreationTime", now);
    json_decref(now);
    for (size_t i = 0; k->extra != NULL && k->extra[i] != NULL; i++) {
        const char *v = sm_in_str(c, k->extra[i]);
        if (v != NULL) {
            json_object_set_new(doc, k->extra[i], json_string(v));
        }
    }
    if (json_is_object(settings)) {
        json_object_set_new(doc, k->settings_member, json_deep_copy(settings));
    }
    if (json_is_array(tags)) {
        json_array_extend(sm_tags(doc), (json_t *)tags);
    }
    const char *sname = sm_creation_name(c, domain_id, json_object_get(doc, "CreationTime"), name);
    if (sm_put_named(c, k->kind, id, sname, domain_id, NULL, doc, true) != 0 ||
        sm_child_schedule(c, k, sm_fmt(c, "%sCreated", k->what)) != 0) {
        goto out;
    }
    c->out = json_pack("{s:s}", k->arn_member, arn);
    rc = 0;
out:
    json_decref(doc);
    sm_obj_release(&old);
    sm_obj_release(&d);
    return rc;
}

int sm_child_schedule(struct svc_call *c, const struct sm_child_kind *k, const char *type)
{
    json_t *args = json_pack("{s:s, s:s}", "DomainId", sm_in_str(c, "DomainId"), k->name_member,
                             sm_in_str(c, k->name_member));
    int rc = svc_task_schedule(c, "sagemaker", type, sm_delay_ms(), args);
    json_decref(args);
    return rc;
}

int sm_child_update(struct svc_call *c, const struct sm_child_kind *k, struct sm_obj *o)
{
    const char *status = sm_str(o->doc, "Status");
    if (status == NULL || strcmp(status, "InService") != 0) {
        // Not verified against AWS.
        return sm_error(c, "ResourceInUse", "%s [%s] is in status [%s]; it must be InService.",
                        k->what, sm_str(o->doc, k->arn_member), status ? status : "");
    }
    const json_t *settings = json_object_get(c->in, k->settings_member);
    const char *role = sm_str(settings, "ExecutionRole");
    if (role != NULL &&
        sm_check_execution_role(c, role, sm_fmt(c, "%s.ExecutionRole", k->settings_member)) != 0) {
        return -1;
    }
    if (json_is_object(settings)) {
        json_t *stored = json_object_get(o->doc, k->settings_member);
        if (!json_is_object(stored)) {
            stored = json_object();
            json_object_set_new(o->doc, k->settings_member, stored);
        }
        json_object_update(stored, (json_t *)settings);
    }
    json_object_set_new(o->doc, "Status", json_string("Updating"));
    json_object_set_new(o->doc, "LastModifiedTime", sm_now(c));
    if (sm_update(c, o) != 0 || sm_child_schedule(c, k, sm_fmt(c, "%sUpdated", k->what)) != 0) {
        return -1;
    }
    c->out = json_pack("{s:s}", k->arn_member, sm_str(o->doc, k->arn_member));
    return 0;
}

int sm_child_delete(struct svc_call *c, const struct sm_child_kind *k, struct sm_obj *o)
{
    const char *status = sm_str(o->doc, "Status");
    if (status != NULL && strcmp(status, "Deleting") == 0) {
        return 0; // already on its way out: the deletion the caller asked for is under way
    }
    int64_t apps = 0;
    if (sm_apps_count(c, sm_in_str(c, "DomainId"),
                      sm_fmt(c, "%s/%s/", k->owner, sm_in_str(c, k->name_member)), &apps) != 0) {
        return -1;
    }
    if (apps > 0) {
        // AWS's wording for user profiles (amazon-sagemaker-feedback#113); the same for spaces
        // is not verified against AWS.
        return sm_error(c, "ResourceInUse",
                        "Unable to delete %s [%s] because App(s) are associated with it.", k->what,
                        sm_str(o->doc, k->arn_member));
    }
    json_object_set_new(o->doc, "Status", json_string("Deleting"));
    json_object_set_new(o->doc, "LastModifiedTime", sm_now(c));
    if (sm_update(c, o) != 0) {
        return -1;
    }
    return sm_child_schedule(c, k, sm_fmt(c, "%sDeleted", k->what));
}

// Loads the child a task names; returns 1, 0 when it is gone, -1 on failure.
static int task_child(struct svc_call *c, const struct sm_child_kind *k, struct sm_obj *o)
{
    return sm_get(c, k->kind, sm_child_id(c, k), o);
}

// Pending -> InService, with the child's home directory in the domain's EFS; a home that cannot
// be made (the domain's file system is gone) makes the child Failed with the reason.
int sm_child_task_created(struct svc_call *c, const struct sm_child_kind *k)
{
    struct sm_obj o = {0};
    int found = task_child(c, k, &o);
    if (found <= 0) {
        return found;
    }
    int rc = 0;
    const char *status = sm_str(o.doc, "Status");
    if (status != NULL && strcmp(status, "Pending") == 0) {
        const char *uid_text = sm_str(o.doc, "HomeEfsFileSystemUid");
        long uid = uid_text ? strtol(uid_text, NULL, 10) : 0;
        if (sm_efs_home_create(c, sm_in_str(c, "DomainId"), sm_in_str(c, k->name_member), uid) ==
            0) {
            json_object_set_new(o.doc, "Status", json_string("InService"));
        } else if (c->err.status >= 500) {
            rc = -1; // a store or file-system failure: the worker tries again
        } else {
            json_object_set_new(o.doc, "Status", json_string("Failed"));
            json_object_set_new(o.doc, "FailureReason", json_string(c->err.message));
            memset(&c->err, 0, sizeof(c->err));
        }
        if (rc == 0) {
            json_object_set_new(o.doc, "LastModifiedTime", sm_now(c));
            rc = sm_update(c, &o);
        }
    }
    sm_obj_release(&o);
    return rc;
}

int sm_child_task_updated(struct svc_call *c, const struct sm_child_kind *k)
{
    struct sm_obj o = {0};
    int found = task_child(c, k, &o);
    if (found <= 0) {
        return found;
    }
    int rc = 0;
    const char *status = sm_str(o.doc, "Status");
    if (status != NULL && strcmp(status, "Updating") == 0) {
        json_object_set_new(o.doc, "Status", json_string("InService"));
        json_object_set_new(o.doc, "LastModifiedTime", sm_now(c));
        rc = sm_update(c, &o);
    }
    sm_obj_release(&o);
    return rc;
}

int sm_child_task_deleted(struct svc_call *c, const struct sm_child_kind *k)
{
    struct sm_obj o = {0};
    int found = task_child(c, k, &o);
    if (found <= 0) {
        return found;
    }
    int rc = 0;
    const char *status = sm_str(o.doc, "Status");
    if (status != NULL && strcmp(status, "Deleting") == 0) {
        struct store_scope sc = sm_scope(c, k->kind);
        struct store_err e = {{0}};
        int src = store_delete(c->env->store, &sc, o.obj.id, &e);
        if (src != 0 && src != SB_ENOTFOUND) {
            rc = sm_store_error(c, src, &e);
        }
    }
    sm_obj_release(&o);
    return rc;
}

// ---- Tasks of user profiles ----

int sm_task_user_profile_created(struct svc_call *c)
{
    return sm_child_task_created(c, &sm_profile_kind);
}

int sm_task_user_profile_updated(struct svc_call *c)
{
    return sm_child_task_updated(c, &sm_profile_kind);
}

int sm_task_user_profile_deleted(struct svc_call *c)
{
    return sm_child_task_deleted(c, &sm_profile_kind);
}

// clang-format off
const struct svc_handler sm_profile_handlers[] = {
    {"CreateUserProfile", create_user_profile},
    {"DescribeUserProfile", describe_user_profile},
    {"ListUserProfiles", list_user_profiles},
    {"UpdateUserProfile", update_user_profile},
    {"DeleteUserProfile", delete_user_profile},
    {NULL, NULL},
};
// clang-format on
