// SPDX-License-Identifier: Apache-2.0
// Amazon SageMaker Studio apps (SageMaker API Reference: CreateApp, DescribeApp, ListApps,
// DeleteApp): the record of an app of a user profile or a space, its state machine and, in a
// VpcOnly domain, the elastic network interface of the instance it runs on.
//
// States (AppStatus): CreateApp stores "Pending" and schedules the task AppLaunched
// (sm_delay_ms later), which puts the app on its instance and sets "InService", or "Failed" with
// a FailureReason when the instance cannot get an address in the domain's subnets. DeleteApp
// sets "Deleting" and schedules AppStopped, which releases the instance and sets "Deleted"; a
// Deleted app stays describable and listed (as AWS shows deleted apps for a while) until the
// task AppExpired removes the record SM_APP_RETENTION_S later. Creating an app again over a
// Deleted or Failed record of the same name starts a new app.
//
// Instances and ENIs (Amazon SageMaker Studio administration best practices, "Network
// management": "SageMaker AI Studio injects an ENI for every unique instance used by a user
// profile or a shared space", the default JupyterServer app running on one 'system' instance
// and apps of the same instance type of one owner sharing one instance): in a VpcOnly domain,
// the first live app of an owner on an instance type creates a requester-managed ENI in one of
// the domain's subnets with the security groups of the domain's DefaultUserSettings (and the
// profile's or space's own), taking an address from the subnet; later apps of that owner on that
// instance type share it; the last one deleted releases it. In PublicInternetOnly mode the
// instances live in SageMaker's own VPC and take nothing from the customer's.
//
// The app's runtime (a real process with the execution role's credentials inside the domain's
// network) comes in a later issue: here an app is its record, its states and its ENI.
//
// Store layout: kind SM_KIND_APP (sm_common.h), id "DOMAIN/OWNER/APPTYPE/APPNAME" with OWNER
// "user/PROFILE" or "space/SPACE", parent the domain id, path "OWNER/". The document is
// DescribeAppResponse plus "_": {"tags": [...], "eni": ENI id, "subnet": its subnet id} while the
// app holds (or shares) an instance in the customer's VPC.
#include "svc/sagemaker/apps.h"

#include "core/jsonload.h"
#include "svc/ec2/enis.h"
#include "svc/sagemaker/sm_common.h"
#include "svc/sagemaker/sm_tasks.h"
#include "svc/tasks.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

// How long a Deleted app stays describable. AWS keeps deleted apps visible for a while; the
// exact period is not documented (not verified against AWS): one day.
#define SM_APP_RETENTION_S 86400

// ListApps without MaxResults (not verified against AWS: the SageMaker List* default of 10).
#define LIST_DEFAULT_MAX 10

// The owner and identity of an app named by a request (Create/Describe/DeleteApp).
struct app_ref {
    const char *domain_id;
    const char *owner;      // "user/NAME" or "space/NAME"
    const char *owner_name; // NAME
    bool is_space;
    const char *app_type; // AppType as the model spells it
    const char *app_name;
    const char *id;   // the store id
    const char *path; // "OWNER/"
    const char *arn;
};

static const char *lower(struct svc_call *c, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_strndup(c->arena, s, n);
    for (size_t i = 0; i < n; i++) {
        out[i] = (char)tolower((unsigned char)out[i]);
    }
    return out;
}

// Fills r from the request's DomainId, UserProfileName or SpaceName, AppType and AppName.
// Returns 0 or -1 with c->err set (ValidationException when neither or both owners are given).
static int app_ref_from_input(struct svc_call *c, struct app_ref *r)
{
    memset(r, 0, sizeof(*r));
    const char *profile = sm_in_str(c, "UserProfileName");
    const char *space = sm_in_str(c, "SpaceName");
    if (profile != NULL && space != NULL) {
        // Not verified against AWS.
        return sm_error(c, "ValidationException",
                        "Only one of UserProfileName or SpaceName can be specified.");
    }
    if (profile == NULL && space == NULL) {
        // Not verified against AWS (the API reference: "If this value is not set, then
        // SpaceName must be set").
        return sm_error(c, "ValidationException",
                        "Either UserProfileName or SpaceName must be specified.");
    }
    r->domain_id = sm_in_str(c, "DomainId");
    r->is_space = space != NULL;
    r->owner_name = r->is_space ? space : profile;
    r->owner = sm_fmt(c, "%s/%s", r->is_space ? "space" : "user", r->owner_name);
    r->app_type = sm_in_str(c, "AppType");
    r->app_name = sm_in_str(c, "AppName");
    r->id = sm_fmt(c, "%s/%s/%s/%s", r->domain_id, r->owner, r->app_type, r->app_name);
    r->path = sm_fmt(c, "%s/", r->owner);
    // arn:...:app/DOMAIN/OWNERNAME/APPTYPE-LOWERCASE/APPNAME (Service Authorization Reference).
    r->arn = sm_arn(
        c, "app",
        sm_fmt(c, "%s/%s/%s/%s", r->domain_id, r->owner_name, lower(c, r->app_type), r->app_name));
    return 0;
}

static bool status_is(const json_t *doc, const char *status)
{
    const char *s = sm_str(doc, "Status");
    return s != NULL && strcmp(s, status) == 0;
}

// An app that no longer runs: Deleted, or Failed (AWS deletes failed apps automatically).
static bool app_gone(const json_t *doc)
{
    return status_is(doc, "Deleted") || status_is(doc, "Failed");
}

// Reads every app of domain_id (every app of the region when NULL) whose path starts with
// path_prefix (may be NULL) and appends their documents to out. Returns 0 or -1 with c->err set.
static int load_apps(struct svc_call *c, const char *domain_id, const char *path_prefix,
                     json_t *out)
{
    struct store_scope sc = sm_scope(c, SM_KIND_APP);
    struct store_list_opts lo = {
        .parent = domain_id, .path_prefix = path_prefix, .limit = STORE_LIST_MAX};
    for (;;) {
        struct store_list l;
        struct store_err e = {{0}};
        int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
        if (rc != 0) {
            return sm_store_error(c, rc, &e);
        }
        for (size_t i = 0; i < l.count; i++) {
            json_t *doc = jsonload(l.items[i].doc, l.items[i].doc_len);
            if (!json_is_object(doc)) {
                json_decref(doc);
                return sm_store_error(c, SB_ECORRUPT, NULL);
            }
            json_object_set_new(sm_internal(doc), "id",
                                json_string(l.items[i].id)); // dropped before output
            json_array_append_new(out, doc);
        }
        if (!l.truncated) {
            return 0;
        }
        lo.marker = l.next_marker;
    }
}

// Counts the live apps of a domain or of one owner; see apps.h.
int sm_apps_count(struct svc_call *c, const char *domain_id, const char *owner_prefix,
                  int64_t *live)
{
    *live = 0;
    json_t *apps = json_array();
    int rc = load_apps(c, domain_id, owner_prefix, apps);
    size_t i;
    const json_t *doc;
    json_array_foreach(apps, i, doc)
    {
        if (rc == 0 && !app_gone(doc)) {
            (*live)++;
        }
    }
    json_decref(apps);
    if (rc != 0) {
        *live = 0;
    }
    return rc;
}

// The owner's settings object (UserSettings of a profile, SpaceSettings of a space), borrowed
// from doc, or NULL.
static const json_t *owner_settings(const json_t *owner_doc, bool is_space)
{
    return json_object_get(owner_doc, is_space ? "SpaceSettings" : "UserSettings");
}

// The DefaultResourceSpec of settings for app_type ("JupyterServerAppSettings" ...), or NULL.
static const json_t *default_spec(const json_t *settings, const char *app_type)
{
    char member[64];
    size_t n = strlen(app_type);
    if (n + sizeof("AppSettings") > sizeof(member)) {
        return NULL;
    }
    memcpy(member, app_type, n);
    memcpy(member + n, "AppSettings", sizeof("AppSettings"));
    const json_t *spec = json_object_get(json_object_get(settings, member), "DefaultResourceSpec");
    return json_is_object(spec) ? spec : NULL;
}

// App types that run on the owner's 'system' instance (JupyterServer, and the server apps of
// TensorBoard and RStudio) rather than on an ML instance of their own.
static bool runs_on_system(const char *app_type)
{
    return strcmp(app_type, "JupyterServer") == 0 || strcmp(app_type, "TensorBoard") == 0 ||
           strcmp(app_type, "RStudioServerPro") == 0;
}

// Builds the app's ResourceSpec (new reference) from the request's, else the owner's default,
// else the domain's default, with AWS's instance type rules (ResourceSpec.InstanceType in the
// API reference: "JupyterServer apps only support the system value. For KernelGateway apps, the
// system value is translated to ml.t3.medium"). Returns NULL with c->err set on a bad type.
static json_t *resolve_spec(struct svc_call *c, const struct app_ref *r, const json_t *owner_doc,
                            const json_t *domain_doc)
{
    const json_t *given = json_object_get(c->in, "ResourceSpec");
    const json_t *base = json_is_object(given) ? given : NULL;
    if (base == NULL) {
        base = default_spec(owner_settings(owner_doc, r->is_space), r->app_type);
    }
    if (base == NULL) {
        base = default_spec(json_object_get(domain_doc, "DefaultUserSettings"), r->app_type);
    }
    json_t *spec = base != NULL ? json_deep_copy(base) : json_object();
    const char *type = sm_str(spec, "InstanceType");
    if (runs_on_system(r->app_type)) {
        if (type != NULL && strcmp(type, "system") != 0) {
            // The rule is documented; the wording is not verified against AWS.
            sm_error(c, "ValidationException",
                     "Invalid InstanceType %s for AppType %s. %s apps only support the system "
                     "value.",
                     type, r->app_type, r->app_type);
            json_decref(spec);
            return NULL;
        }
        json_object_set_new(spec, "InstanceType", json_string("system"));
    } else if (type == NULL || strcmp(type, "system") == 0) {
        json_object_set_new(spec, "InstanceType", json_string("ml.t3.medium"));
    }
    return spec;
}

// Reads the owner (profile or space) of r into *o. Returns 1, 0 with c->err set
// (ResourceNotFound) when it does not exist, -1 on a store failure.
static int load_owner(struct svc_call *c, const struct app_ref *r, struct sm_obj *o)
{
    const char *kind = r->is_space ? SM_KIND_SPACE : SM_KIND_PROFILE;
    int found = sm_get(c, kind, sm_fmt(c, "%s/%s", r->domain_id, r->owner_name), o);
    if (found == 0) {
        // Worded as DescribeUserProfile and DescribeSpace answer (profiles.c, spaces.c); not
        // verified against AWS.
        sm_error(c, "ResourceNotFound", "%s [%s] does not exist.",
                 r->is_space ? "Space" : "UserProfile",
                 sm_arn(c, r->is_space ? "space" : "user-profile",
                        sm_fmt(c, "%s/%s", r->domain_id, r->owner_name)));
    }
    return found;
}

static int create_app_body(struct svc_call *c)
{
    struct app_ref r;
    if (app_ref_from_input(c, &r) != 0) {
        return -1;
    }
    json_t *tags = json_object_get(c->in, "Tags");
    sm_request_tags(c, tags);
    if (sm_authorize(c, "sagemaker:CreateApp", r.arn, NULL) != 0) {
        return -1;
    }
    int rc = -1;
    struct sm_obj domain = {0};
    struct sm_obj owner = {0};
    struct sm_obj old = {0};
    json_t *spec = NULL;
    json_t *doc = NULL;
    int found = sm_get(c, SM_KIND_DOMAIN, r.domain_id, &domain);
    if (found <= 0) {
        if (found == 0) {
            // As DescribeDomain answers (domains.c); not verified against AWS.
            sm_error(c, "ResourceNotFound", "Cannot find Domain with id %s", r.domain_id);
        }
        goto out;
    }
    if (load_owner(c, &r, &owner) <= 0) {
        goto out;
    }
    found = sm_get(c, SM_KIND_APP, r.id, &old);
    if (found < 0) {
        goto out;
    }
    if (found > 0 && !app_gone(old.doc)) {
        // As CreateUserProfile and CreateSpace answer (profiles.c, spaces.c); not verified
        // against AWS.
        sm_error(c, "ResourceInUse", "Resource Arn: %s already exists.", r.arn);
        goto out;
    }
    spec = resolve_spec(c, &r, owner.doc, domain.doc);
    if (spec == NULL) {
        goto out;
    }
    doc = json_object();
    json_object_set_new(doc, "AppArn", json_string(r.arn));
    json_object_set_new(doc, "AppType", json_string(r.app_type));
    json_object_set_new(doc, "AppName", json_string(r.app_name));
    json_object_set_new(doc, "DomainId", json_string(r.domain_id));
    json_object_set_new(doc, r.is_space ? "SpaceName" : "UserProfileName",
                        json_string(r.owner_name));
    json_object_set_new(doc, "Status", json_string("Pending"));
    json_object_set_new(doc, "CreationTime", sm_now(c));
    json_object_set(doc, "ResourceSpec", spec);
    json_t *t = sm_tags(doc);
    size_t ti;
    json_t *tag;
    json_array_foreach(tags, ti, tag)
    {
        json_array_append(t, tag);
    }
    if (sm_put(c, SM_KIND_APP, r.id, r.domain_id, r.path, doc, found == 0) != 0) {
        goto out;
    }
    // The creation time identifies this incarnation of the app (a task of an older one that was
    // deleted and created again under the same name does nothing).
    json_t *args =
        json_pack("{s:s, s:O}", "id", r.id, "created", json_object_get(doc, "CreationTime"));
    rc = svc_task_schedule(c, "sagemaker", "AppLaunched", sm_delay_ms(), args);
    json_decref(args);
    if (rc != 0) {
        goto out;
    }
    c->out = json_pack("{s:s}", "AppArn", r.arn);
out:
    json_decref(doc);
    json_decref(spec);
    sm_obj_release(&old);
    sm_obj_release(&owner);
    sm_obj_release(&domain);
    return rc;
}
SM_OPERATION(create_app, true)

static int describe_app_body(struct svc_call *c)
{
    struct app_ref r;
    if (app_ref_from_input(c, &r) != 0) {
        return -1;
    }
    struct sm_obj app;
    int found = sm_get(c, SM_KIND_APP, r.id, &app);
    if (found < 0) {
        return -1;
    }
    int rc = sm_authorize(c, "sagemaker:DescribeApp", r.arn, found ? sm_tags(app.doc) : NULL);
    if (rc == 0 && found == 0) {
        // Not verified against AWS.
        rc = sm_error(c, "ResourceNotFound", "App [%s] does not exist.", r.arn);
    }
    if (rc == 0) {
        c->out = sm_public(app.doc);
    }
    sm_obj_release(&app);
    return rc;
}
SM_OPERATION(describe_app, false)

static int delete_app_body(struct svc_call *c)
{
    struct app_ref r;
    if (app_ref_from_input(c, &r) != 0) {
        return -1;
    }
    struct sm_obj app;
    int found = sm_get(c, SM_KIND_APP, r.id, &app);
    if (found < 0) {
        return -1;
    }
    int rc = sm_authorize(c, "sagemaker:DeleteApp", r.arn, found ? sm_tags(app.doc) : NULL);
    if (rc != 0) {
        goto out;
    }
    if (found == 0) {
        // Not verified against AWS.
        rc = sm_error(c, "ResourceNotFound", "App [%s] does not exist.", r.arn);
        goto out;
    }
    // The two ValidationException texts below contain the phrases terraform-provider-aws
    // matches on (internal/service/sagemaker/app.go, resourceAppDelete): "has already been
    // deleted" and "previously failed and was automatically deleted"; the rest of the sentences
    // is not verified against AWS.
    if (status_is(app.doc, "Deleted")) {
        rc = sm_error(c, "ValidationException", "App [%s] has already been deleted.", r.arn);
        goto out;
    }
    if (status_is(app.doc, "Failed")) {
        rc = sm_error(c, "ValidationException",
                      "App [%s] previously failed and was automatically deleted.", r.arn);
        goto out;
    }
    if (status_is(app.doc, "Deleting")) {
        // Not verified against AWS.
        rc = sm_error(c, "ResourceInUse", "App [%s] is already being deleted.", r.arn);
        goto out;
    }
    json_object_set_new(app.doc, "Status", json_string("Deleting"));
    rc = sm_put(c, SM_KIND_APP, r.id, r.domain_id, r.path, app.doc, false);
    if (rc != 0) {
        goto out;
    }
    json_t *args = json_pack("{s:s}", "id", r.id);
    rc = svc_task_schedule(c, "sagemaker", "AppStopped", sm_delay_ms(), args);
    json_decref(args);
out:
    sm_obj_release(&app);
    return rc;
}
SM_OPERATION(delete_app, true)

static int by_creation(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a;
    const json_t *y = *(const json_t *const *)b;
    double tx = json_number_value(json_object_get(x, "CreationTime"));
    double ty = json_number_value(json_object_get(y, "CreationTime"));
    if (tx != ty) {
        return tx < ty ? -1 : 1;
    }
    // Same millisecond: the store id keeps the order stable across pages.
    return strcmp(sm_str(sm_internal((json_t *)x), "id"), sm_str(sm_internal((json_t *)y), "id"));
}

static int list_apps_body(struct svc_call *c)
{
    if (sm_authorize(c, "sagemaker:ListApps", "*", NULL) != 0) {
        return -1;
    }
    const char *domain_id = sm_in_str(c, "DomainIdEquals");
    const char *profile = sm_in_str(c, "UserProfileNameEquals");
    const char *space = sm_in_str(c, "SpaceNameEquals");
    const char *token = sm_in_str(c, "NextToken");
    json_int_t max = LIST_DEFAULT_MAX;
    if (json_is_integer(json_object_get(c->in, "MaxResults"))) {
        max = json_integer_value(json_object_get(c->in, "MaxResults"));
    }
    long long start = 0;
    if (token != NULL) {
        char *end = NULL;
        start = strtoll(token, &end, 10);
        if (end == token || *end != '\0' || start < 0) {
            // Not verified against AWS.
            return sm_error(c, "ValidationException", "Invalid pagination token.");
        }
    }
    const char *prefix = NULL;
    if (domain_id != NULL && profile != NULL && space == NULL) {
        prefix = sm_fmt(c, "user/%s/", profile);
    } else if (domain_id != NULL && space != NULL && profile == NULL) {
        prefix = sm_fmt(c, "space/%s/", space);
    }
    json_t *all = json_array();
    if (load_apps(c, domain_id, prefix, all) != 0) {
        json_decref(all);
        return -1;
    }
    size_t n = 0;
    const json_t **items = arena_calloc(c->arena, json_array_size(all) + 1, sizeof(json_t *));
    size_t i;
    json_t *doc;
    json_array_foreach(all, i, doc)
    {
        const char *p = sm_str(doc, "UserProfileName");
        const char *s = sm_str(doc, "SpaceName");
        if (profile != NULL && (p == NULL || strcmp(p, profile) != 0)) {
            continue;
        }
        if (space != NULL && (s == NULL || strcmp(s, space) != 0)) {
            continue;
        }
        items[n++] = doc;
    }
    qsort(items, n, sizeof(items[0]), by_creation);
    const char *order = sm_in_str(c, "SortOrder");
    bool desc = order != NULL && strcmp(order, "Descending") == 0;
    json_t *apps = json_array();
    size_t stop = (size_t)start + (size_t)max;
    for (size_t k = (size_t)start; k < n && k < stop; k++) {
        const json_t *d = items[desc ? n - 1 - k : k];
        json_t *item = json_object();
        static const char *const members[] = {"DomainId", "UserProfileName", "SpaceName",
                                              "AppType",  "AppName",         "Status"};
        for (size_t m = 0; m < sizeof(members) / sizeof(members[0]); m++) {
            json_t *v = json_object_get(d, members[m]);
            if (v != NULL) {
                json_object_set(item, members[m], v);
            }
        }
        json_object_set(item, "CreationTime", json_object_get(d, "CreationTime"));
        json_object_set(item, "ResourceSpec", json_object_get(d, "ResourceSpec"));
        json_array_append_new(apps, item);
    }
    c->out = json_object();
    json_object_set_new(c->out, "Apps", apps);
    if (stop < n) {
        json_object_set_new(c->out, "NextToken", json_string(sm_fmt(c, "%zu", stop)));
    }
    json_decref(all);
    return 0;
}
SM_OPERATION(list_apps, false)

// ---- background tasks (svc/tasks.h): they run inside the worker's transaction ----

// Splits a store id "DOMAIN/OWNERKIND/OWNER/TYPE/NAME" into the domain id and the path
// "OWNERKIND/OWNER/". Returns false when id is not shaped so.
static bool split_id(struct svc_call *c, const char *id, const char **domain, const char **path)
{
    const char *s1 = strchr(id, '/');
    const char *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
    const char *s3 = s2 ? strchr(s2 + 1, '/') : NULL;
    if (s3 == NULL) {
        return false;
    }
    *domain = arena_strndup(c->arena, id, (size_t)(s1 - id));
    *path = arena_strndup(c->arena, s1 + 1, (size_t)(s3 - s1));
    return true;
}

// The ENI that another live app of the same owner on instance type holds, or NULL.
static const char *shared_eni(const json_t *apps, const char *self_id, const char *type,
                              const char **subnet)
{
    size_t i;
    json_t *doc;
    json_array_foreach(apps, i, doc)
    {
        json_t *in = sm_internal(doc);
        const char *eni = sm_str(in, "eni");
        const char *t = sm_str(json_object_get(doc, "ResourceSpec"), "InstanceType");
        if (eni != NULL && t != NULL && strcmp(t, type) == 0 && !app_gone(doc) &&
            strcmp(sm_str(in, "id"), self_id) != 0) {
            *subnet = sm_str(in, "subnet");
            return eni;
        }
    }
    return NULL;
}

// Appends the string members of array a to out (no duplicates), at most cap entries in all.
static void add_groups(const json_t *a, const char **out, size_t *n, size_t cap)
{
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v)
    {
        const char *g = json_string_value(v);
        bool dup = false;
        for (size_t k = 0; g != NULL && k < *n; k++) {
            dup = dup || strcmp(out[k], g) == 0;
        }
        if (g != NULL && !dup && *n < cap) {
            out[(*n)++] = g;
        }
    }
}

// Gives the app an instance in the domain's VPC: shares the ENI of another live app of the same
// owner and instance type, or creates one in the first of the domain's subnets with a free
// address. Returns 0 (with *failure set to AWS's FailureReason when no subnet has room), or -1
// with c->err set on a store failure.
static int attach_instance(struct svc_call *c, json_t *app, const char *id, const char *domain_id,
                           const char *path, const json_t *domain, const char **failure)
{
    *failure = NULL;
    const char *type = sm_str(json_object_get(app, "ResourceSpec"), "InstanceType");
    json_t *apps = json_array();
    int rc = load_apps(c, domain_id, path, apps);
    const char *subnet = NULL;
    const char *eni = rc == 0 && type ? shared_eni(apps, id, type, &subnet) : NULL;
    if (rc != 0 || eni != NULL) {
        if (eni != NULL) {
            json_object_set_new(sm_internal(app), "eni", json_string(eni));
            json_object_set_new(sm_internal(app), "subnet", json_string(subnet ? subnet : ""));
        }
        json_decref(apps);
        return rc;
    }
    json_decref(apps);
    // The security groups: the domain's DefaultUserSettings, the domain's outbound NFS group, then
    // the owner's own.
    const char *groups[16];
    size_t ng = 0;
    add_groups(json_object_get(json_object_get(domain, "DefaultUserSettings"), "SecurityGroups"),
               groups, &ng, 5);
    // The outbound NFS group SageMaker made for the domain (efs.h), so the app reaches its home
    // file system (from memory of the Studio VPC documentation; not verified against AWS).
    const json_t *nfs = json_object_get(json_object_get(domain, "_"), "nfs_groups");
    if (json_is_string(json_array_get(nfs, 1)) && ng < 5) {
        groups[ng++] = json_string_value(json_array_get(nfs, 1));
    }
    struct sm_obj owner = {0};
    bool is_space = strncmp(path, "space/", 6) == 0;
    const char *owner_kind = is_space ? SM_KIND_SPACE : SM_KIND_PROFILE;
    const char *owner_name = strchr(path, '/') + 1;
    const char *owner_id =
        sm_fmt(c, "%s/%.*s", domain_id, (int)(strlen(owner_name) - 1), owner_name);
    int found = sm_get(c, owner_kind, owner_id, &owner);
    if (found < 0) {
        return -1;
    }
    if (found > 0) {
        add_groups(json_object_get(owner_settings(owner.doc, is_space), "SecurityGroups"), groups,
                   &ng, 5);
    }
    const json_t *subnets = json_object_get(domain, "SubnetIds");
    const char *desc =
        sm_fmt(c, "[DO NOT DELETE] ENI managed by SageMaker for Studio Domain(%s) - %s", domain_id,
               sm_str(app, "AppArn"));
    for (size_t i = 0; i < json_array_size(subnets); i++) {
        const char *sn = json_string_value(json_array_get(subnets, i));
        if (sn == NULL) {
            continue;
        }
        struct ec2_eni_spec es = {
            .subnet_id = sn,
            .description = desc,
            .interface_type = "interface",
            .requester_managed = true,
            .group_ids = groups,
            .group_count = ng,
            .owner_resource = sm_str(app, "AppArn"),
        };
        const char *new_eni = NULL;
        if (ec2_eni_create(c, &es, &new_eni, NULL) == 0) {
            json_object_set_new(sm_internal(app), "eni", json_string(new_eni));
            json_object_set_new(sm_internal(app), "subnet", json_string(sn));
            sm_obj_release(&owner);
            return 0;
        }
        if (c->err.status >= 500) {
            sm_obj_release(&owner);
            return -1;
        }
        // This subnet cannot take the instance (full, or gone): try the next one.
        *failure = sm_fmt(c, "%s: %s", c->err.code, c->err.message);
        memset(&c->err, 0, sizeof(c->err));
    }
    sm_obj_release(&owner);
    if (*failure != NULL) {
        // The EC2 error is AWS's; the sentence around it is not verified against AWS.
        *failure = sm_fmt(c,
                          "Unable to create the network interface for the app's instance in the "
                          "domain's subnets (%s)",
                          *failure);
    } else {
        *failure = "The domain has no subnets for the app's instance"; // not verified
    }
    return 0;
}

// Task AppLaunched {id, created}: a Pending app reaches InService, or Failed.
int sm_task_app_launched(struct svc_call *c)
{
    const char *id = sm_in_str(c, "id");
    const char *domain_id = NULL;
    const char *path = NULL;
    if (id == NULL || !split_id(c, id, &domain_id, &path)) {
        return 0;
    }
    struct sm_obj app = {0};
    struct sm_obj domain = {0};
    int rc = 0;
    int found = sm_get(c, SM_KIND_APP, id, &app);
    if (found <= 0 || !status_is(app.doc, "Pending") ||
        !json_equal(json_object_get(app.doc, "CreationTime"), json_object_get(c->in, "created"))) {
        rc = found < 0 ? -1 : 0;
        goto out;
    }
    found = sm_get(c, SM_KIND_DOMAIN, domain_id, &domain);
    if (found < 0) {
        rc = -1;
        goto out;
    }
    const char *failure = NULL;
    if (found == 0) {
        failure = "The domain of the app no longer exists"; // not verified against AWS
    } else {
        const char *mode = sm_str(domain.doc, "AppNetworkAccessType");
        if (mode != NULL && strcmp(mode, "VpcOnly") == 0 &&
            attach_instance(c, app.doc, id, domain_id, path, domain.doc, &failure) != 0) {
            rc = -1;
            goto out;
        }
    }
    if (failure != NULL) {
        json_object_set_new(app.doc, "Status", json_string("Failed"));
        json_object_set_new(app.doc, "FailureReason", json_string(failure));
    } else {
        json_object_set_new(app.doc, "Status", json_string("InService"));
        json_object_set_new(app.doc, "LastHealthCheckTimestamp", sm_now(c));
        json_object_set_new(app.doc, "LastUserActivityTimestamp", sm_now(c));
    }
    json_object_del(sm_internal(app.doc), "id");
    rc = sm_put(c, SM_KIND_APP, id, domain_id, path, app.doc, false);
    if (rc == 0 && failure != NULL) {
        json_t *args =
            json_pack("{s:s, s:O}", "id", id, "created", json_object_get(app.doc, "CreationTime"));
        rc = svc_task_schedule(c, "sagemaker", "AppExpired", (int64_t)SM_APP_RETENTION_S * 1000,
                               args);
        json_decref(args);
    }
out:
    sm_obj_release(&domain);
    sm_obj_release(&app);
    return rc;
}

// Task AppStopped {id}: a Deleting app releases its instance (the ENI goes with the last app on
// it) and becomes Deleted.
int sm_task_app_stopped(struct svc_call *c)
{
    const char *id = sm_in_str(c, "id");
    const char *domain_id = NULL;
    const char *path = NULL;
    if (id == NULL || !split_id(c, id, &domain_id, &path)) {
        return 0;
    }
    struct sm_obj app = {0};
    json_t *apps = NULL;
    int rc = 0;
    int found = sm_get(c, SM_KIND_APP, id, &app);
    if (found <= 0 || !status_is(app.doc, "Deleting")) {
        rc = found < 0 ? -1 : 0;
        goto out;
    }
    const char *eni = sm_str(sm_internal(app.doc), "eni");
    if (eni != NULL) {
        apps = json_array();
        rc = load_apps(c, domain_id, path, apps);
        bool shared = false;
        size_t i;
        json_t *doc;
        json_array_foreach(apps, i, doc)
        {
            const char *other = sm_str(sm_internal(doc), "eni");
            shared = shared || (other != NULL && strcmp(other, eni) == 0 && !app_gone(doc) &&
                                strcmp(sm_str(sm_internal(doc), "id"), id) != 0);
        }
        if (rc == 0 && !shared) {
            rc = ec2_eni_delete(c, eni);
        }
        if (rc != 0) {
            goto out;
        }
        json_object_del(sm_internal(app.doc), "eni");
        json_object_del(sm_internal(app.doc), "subnet");
    }
    json_object_set_new(app.doc, "Status", json_string("Deleted"));
    rc = sm_put(c, SM_KIND_APP, id, domain_id, path, app.doc, false);
    if (rc == 0) {
        json_t *args =
            json_pack("{s:s, s:O}", "id", id, "created", json_object_get(app.doc, "CreationTime"));
        rc = svc_task_schedule(c, "sagemaker", "AppExpired", (int64_t)SM_APP_RETENTION_S * 1000,
                               args);
        json_decref(args);
    }
out:
    json_decref(apps);
    sm_obj_release(&app);
    return rc;
}

// Task AppExpired {id, created}: the record of a Deleted or Failed app goes away, unless the
// app was created again meanwhile.
int sm_task_app_expired(struct svc_call *c)
{
    const char *id = sm_in_str(c, "id");
    struct sm_obj app = {0};
    int found = id != NULL ? sm_get(c, SM_KIND_APP, id, &app) : 0;
    int rc = found < 0 ? -1 : 0;
    if (found > 0 && app_gone(app.doc) &&
        json_equal(json_object_get(app.doc, "CreationTime"), json_object_get(c->in, "created"))) {
        struct store_scope sc = sm_scope(c, SM_KIND_APP);
        struct store_err e = {{0}};
        int src = store_delete(c->env->store, &sc, id, &e);
        if (src != 0 && src != SB_ENOTFOUND) {
            rc = sm_store_error(c, src, &e);
        }
    }
    sm_obj_release(&app);
    return rc;
}

// clang-format off
const struct svc_handler sm_app_handlers[] = {
    {"CreateApp", create_app},
    {"DescribeApp", describe_app},
    {"ListApps", list_apps},
    {"DeleteApp", delete_app},
    {NULL, NULL},
};
// clang-format on
