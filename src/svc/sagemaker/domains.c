// SPDX-License-Identifier: Apache-2.0
// SageMaker domains (SageMaker API Reference: CreateDomain, DescribeDomain, ListDomains,
// UpdateDomain, DeleteDomain): the document of a domain is its DescribeDomainResponse (see
// sm_common.h). States move in the background (svc/tasks.h): CreateDomain stores Pending and the
// task DomainCreated makes the home EFS file system (efs.h) and sets InService, or Failed when
// the domain's KMS key is no longer usable; UpdateDomain goes through Updating (DomainUpdated);
// DeleteDomain through Deleting (DomainDeleted), which removes the domain and, with
// RetentionPolicy HomeEfsFileSystem=Delete, its file system. Only IAM authentication is served:
// IAM Identity Center does not exist in sagebox.
#include "svc/ec2/ec2_common.h"
#include "svc/kms/kms_common.h"
#include "svc/kms/kms_internal.h"
#include "svc/registry.h"
#include "svc/sagemaker/efs.h"
#include "svc/sagemaker/sm_common.h"
#include "svc/sagemaker/sm_tasks.h"
#include "svc/tasks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SUBNETS 16

// Loads the domain the request's DomainId names and decides action on it. Returns 1 with *d, or
// -1 with c->err set (ResourceNotFound after the decision on the ARN it would have).
static int load_domain(struct svc_call *c, const char *action, struct sm_obj *d)
{
    const char *id = sm_in_str(c, "DomainId");
    int found = sm_get(c, SM_KIND_DOMAIN, id, d);
    if (found < 0) {
        return -1;
    }
    if (sm_authorize(c, action, sm_arn(c, "domain", id), found ? sm_tags(d->doc) : NULL) != 0) {
        sm_obj_release(d);
        return -1;
    }
    if (found == 0) {
        // not verified against AWS (the form of SageMaker's other "Cannot find" answers)
        return sm_error(c, "ResourceNotFound", "Cannot find Domain with id %s", id);
    }
    return 1;
}

// Reads an EC2 object of kind store_kind; returns 1 with *doc, 0 when absent, -1.
static int ec2_read(struct svc_call *c, const char *store_kind, const char *id, json_t **doc)
{
    *doc = NULL;
    const struct ec2_kind *k = ec2_kind_by_store(store_kind);
    if (id == NULL || !ec2_id_wellformed(id, k->prefix)) {
        return 0;
    }
    int rc = ec2_get(c, k, id, NULL, doc);
    if (rc == SB_ENOTFOUND) {
        return 0;
    }
    return rc == 0 ? 1 : -1;
}

// Checks a list of security group ids (may be NULL): each exists in vpc_id.
static int check_groups(struct svc_call *c, const json_t *groups, const char *vpc_id)
{
    size_t i;
    const json_t *g;
    json_array_foreach(groups, i, g)
    {
        const char *id = json_string_value(g);
        json_t *sg;
        int found = ec2_read(c, EC2_KIND_SG, id, &sg);
        if (found < 0) {
            return -1;
        }
        bool same = found > 0 && strcmp(ec2_str(sg, "VpcId"), vpc_id) == 0;
        json_decref(sg);
        if (!same) {
            // not verified against AWS
            return sm_error(c, "ValidationException", "Security group %s does not exist in VPC %s.",
                            id, vpc_id);
        }
    }
    return 0;
}

// Checks the execution roles of a UserSettings / DefaultSpaceSettings member (may be NULL).
static int check_roles(struct svc_call *c, const json_t *settings, const char *what)
{
    const char *role = sm_str(settings, "ExecutionRole");
    if (role == NULL) {
        return 0;
    }
    return sm_check_execution_role(c, role, sm_fmt(c, "%s.ExecutionRole", what));
}

// Checks that key_ref names an existing, usable KMS key; stores its ARN in *arn (arena).
static int check_key(struct svc_call *c, const char *key_ref, const char **arn)
{
    struct kms_key k;
    if (kms_key_find(c, key_ref, &k) != 0 || kms_key_check_usable(c, &k) != 0) {
        // not verified against AWS: SageMaker's wording for a key it cannot use
        char why[sizeof(c->err.message)];
        memcpy(why, c->err.message, sizeof(why));
        kms_key_release(&k);
        return sm_error(c, "ValidationException", "KMS key %s is not usable: %s", key_ref, why);
    }
    *arn = k.arn;
    kms_key_release(&k);
    return 0;
}

static int create_domain_body(struct svc_call *c)
{
    char id[SM_DOMAIN_ID_LEN + 1];
    sm_domain_id(id);
    const char *arn = sm_arn(c, "domain", id);
    const json_t *tags = json_object_get(c->in, "Tags");
    sm_request_tags(c, tags);
    if (sm_authorize(c, "sagemaker:CreateDomain", arn, NULL) != 0) {
        return -1;
    }
    const char *auth = sm_in_str(c, "AuthMode");
    if (strcmp(auth, "SSO") == 0) {
        return sm_error(c, "ValidationException",
                        "AuthMode SSO is not supported: IAM Identity Center is not available in "
                        "sagebox yet; use AuthMode IAM.");
    }
    const char *vpc_id = sm_in_str(c, "VpcId");
    json_t *vpc;
    int found = ec2_read(c, EC2_KIND_VPC, vpc_id, &vpc);
    json_decref(vpc);
    if (found < 0) {
        return -1;
    }
    if (found == 0) {
        // not verified against AWS
        return sm_error(c, "ValidationException", "Invalid VpcId: %s does not exist.", vpc_id);
    }
    const json_t *subnets = json_object_get(c->in, "SubnetIds");
    if (json_array_size(subnets) > MAX_SUBNETS) {
        // not verified against AWS (the documented limit is 16 subnets)
        return sm_error(c, "ValidationException",
                        "1 validation error detected: Value at 'subnetIds' failed to satisfy "
                        "constraint: Member must have length less than or equal to %d",
                        MAX_SUBNETS);
    }
    size_t i;
    const json_t *s;
    json_array_foreach(subnets, i, s)
    {
        json_t *sub;
        found = ec2_read(c, EC2_KIND_SUBNET, json_string_value(s), &sub);
        bool same = found > 0 && strcmp(ec2_str(sub, "VpcId"), vpc_id) == 0;
        json_decref(sub);
        if (found < 0) {
            return -1;
        }
        if (!same) {
            // not verified against AWS
            return sm_error(c, "ValidationException", "Subnet %s does not exist in VPC %s.",
                            json_string_value(s), vpc_id);
        }
    }
    const json_t *user = json_object_get(c->in, "DefaultUserSettings");
    const json_t *space = json_object_get(c->in, "DefaultSpaceSettings");
    const json_t *settings = json_object_get(c->in, "DomainSettings");
    if (check_groups(c, json_object_get(user, "SecurityGroups"), vpc_id) != 0 ||
        check_groups(c, json_object_get(space, "SecurityGroups"), vpc_id) != 0 ||
        check_groups(c, json_object_get(settings, "SecurityGroupIds"), vpc_id) != 0) {
        return -1;
    }
    if (sm_str(user, "ExecutionRole") == NULL) {
        // not verified against AWS
        return sm_error(c, "ValidationException",
                        "DefaultUserSettings.ExecutionRole is required for a domain in IAM "
                        "mode.");
    }
    if (check_roles(c, user, "DefaultUserSettings") != 0 ||
        check_roles(c, space, "DefaultSpaceSettings") != 0) {
        return -1;
    }
    const char *key = sm_in_str(c, "KmsKeyId");
    if (key == NULL) {
        key = sm_in_str(c, "HomeEfsFileSystemKmsKeyId");
    }
    const char *key_arn = NULL;
    if (key != NULL && check_key(c, key, &key_arn) != 0) {
        return -1;
    }
    json_t *doc = json_deep_copy(c->in);
    json_object_del(doc, "Tags");
    json_object_set_new(doc, "DomainArn", json_string(arn));
    json_object_set_new(doc, "DomainId", json_string(id));
    json_object_set_new(doc, "Status", json_string("Pending"));
    json_object_set_new(doc, "CreationTime", sm_now(c));
    json_object_set_new(doc, "LastModifiedTime", sm_now(c));
    json_object_set_new(doc, "Url", json_string(sm_domain_url(c, id)));
    if (json_object_get(doc, "AppNetworkAccessType") == NULL) {
        json_object_set_new(doc, "AppNetworkAccessType", json_string("PublicInternetOnly"));
    }
    json_t *in = sm_internal(doc);
    json_object_set_new(in, "tags", tags != NULL ? json_deep_copy(tags) : json_array());
    json_object_set_new(in, "next_uid", json_integer(SM_FIRST_UID));
    if (key_arn != NULL) {
        json_object_set_new(in, "key_arn", json_string(key_arn));
    }
    int rc = sm_put(c, SM_KIND_DOMAIN, id, NULL, NULL, doc, true);
    json_decref(doc);
    if (rc != 0) {
        return -1;
    }
    json_t *args = json_pack("{s:s}", "DomainId", id);
    rc = svc_task_schedule(c, "sagemaker", "DomainCreated", sm_delay_ms(), args);
    json_decref(args);
    if (rc != 0) {
        return -1;
    }
    // The KMS grant SageMaker makes on a customer key for the domain's execution role (the
    // principal its background work, such as the home file system's data key, acts as), in this
    // transaction: a grant KMS refuses refuses the domain.
    if (key_arn != NULL) {
        const char *role = sm_str(user, "ExecutionRole");
        static const char *const ops[] = {"Encrypt",         "Decrypt",
                                          "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
                                          "CreateGrant",     "DescribeKey"};
        const char *grant = NULL;
        if (kms_internal_create_grant(c, sm_fmt(c, "sagemaker.%s.amazonaws.com", c->region),
                                      key_arn, role, NULL, ops, sizeof(ops) / sizeof(ops[0]), NULL,
                                      &grant) != 0) {
            return -1;
        }
    }
    c->out = json_pack("{s:s, s:s}", "DomainArn", arn, "Url", sm_domain_url(c, id));
    return 0;
}

// CreateDomain: the domain, its first task and its KMS grant in one transaction.
static int create_domain(struct svc_call *c)
{
    // The default key of the home file system is created on first use, like AWS managed keys.
    if (kms_internal_ensure_managed(c, "alias/aws/elasticfilesystem") != 0) {
        return -1;
    }
    return sm_run(c, true, create_domain_body);
}

static int describe_domain_body(struct svc_call *c)
{
    struct sm_obj d;
    if (load_domain(c, "sagemaker:DescribeDomain", &d) != 1) {
        return -1;
    }
    c->out = sm_public(d.doc);
    sm_obj_release(&d);
    return 0;
}

static int list_domains_body(struct svc_call *c)
{
    if (sm_authorize(c, "sagemaker:ListDomains", "*", NULL) != 0) {
        return -1;
    }
    json_int_t max = json_integer_value(json_object_get(c->in, "MaxResults"));
    struct store_scope sc = sm_scope(c, SM_KIND_DOMAIN);
    struct store_list_opts lo = {.marker = sm_in_str(c, "NextToken"),
                                 .limit = max > 0 ? (size_t)max : 100};
    struct store_list l;
    struct store_err e = {{0}};
    int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
    if (rc == SB_EINVAL) {
        // not verified against AWS
        return sm_error(c, "ValidationException", "Invalid pagination token");
    }
    if (rc != 0) {
        return sm_store_error(c, rc, &e);
    }
    static const char *const members[] = {
        "DomainArn", "DomainId", "DomainName", "Status", "CreationTime", "LastModifiedTime", "Url"};
    json_t *list = json_array();
    c->out = json_pack("{s:o}", "Domains", list);
    for (size_t i = 0; i < l.count; i++) {
        struct sm_obj d;
        int found = sm_get(c, SM_KIND_DOMAIN, l.items[i].id, &d);
        if (found < 0) {
            return -1;
        }
        if (found == 0) {
            continue;
        }
        json_t *item = json_object();
        for (size_t m = 0; m < sizeof(members) / sizeof(members[0]); m++) {
            json_t *v = json_object_get(d.doc, members[m]);
            if (v != NULL) {
                json_object_set(item, members[m], v);
            }
        }
        json_array_append_new(list, item);
        sm_obj_release(&d);
    }
    if (l.truncated) {
        json_object_set_new(c->out, "NextToken", json_string(l.next_marker));
    }
    return 0;
}

// Refuses a change while the domain is not InService (or Failed).
static int check_settled(struct svc_call *c, const json_t *doc)
{
    const char *status = sm_str(doc, "Status");
    if (strcmp(status, "InService") != 0 && strcmp(status, "Failed") != 0) {
        // not verified against AWS
        return sm_error(c, "ResourceInUse", "Domain %s is in status %s.", sm_str(doc, "DomainId"),
                        status);
    }
    return 0;
}

// Merges the members of update into the object member name of doc (created when absent).
static void merge_into(json_t *doc, const char *name, const json_t *update)
{
    if (update == NULL) {
        return;
    }
    json_t *cur = json_object_get(doc, name);
    if (!json_is_object(cur)) {
        cur = json_object();
        json_object_set_new(doc, name, cur);
    }
    json_object_update(cur, (json_t *)update);
}

static int update_domain_body(struct svc_call *c)
{
    struct sm_obj d;
    if (load_domain(c, "sagemaker:UpdateDomain", &d) != 1) {
        return -1;
    }
    int rc = -1;
    const char *vpc_id = sm_str(d.doc, "VpcId");
    const json_t *user = json_object_get(c->in, "DefaultUserSettings");
    const json_t *space = json_object_get(c->in, "DefaultSpaceSettings");
    if (check_settled(c, d.doc) != 0 ||
        check_groups(c, json_object_get(user, "SecurityGroups"), vpc_id) != 0 ||
        check_groups(c, json_object_get(space, "SecurityGroups"), vpc_id) != 0 ||
        check_roles(c, user, "DefaultUserSettings") != 0 ||
        check_roles(c, space, "DefaultSpaceSettings") != 0) {
        goto out;
    }
    merge_into(d.doc, "DefaultUserSettings", user);
    merge_into(d.doc, "DefaultSpaceSettings", space);
    const json_t *ds = json_object_get(c->in, "DomainSettingsForUpdate");
    if (ds != NULL) {
        json_t *cur = json_object_get(d.doc, "DomainSettings");
        if (!json_is_object(cur)) {
            cur = json_object();
            json_object_set_new(d.doc, "DomainSettings", cur);
        }
        const json_t *rs = json_object_get(ds, "RStudioServerProDomainSettingsForUpdate");
        if (rs != NULL) {
            merge_into(cur, "RStudioServerProDomainSettings", rs);
        }
        const json_t *eric = json_object_get(ds, "ExecutionRoleIdentityConfig");
        if (eric != NULL) {
            json_object_set(cur, "ExecutionRoleIdentityConfig", (json_t *)eric);
        }
    }
    const json_t *asgm = json_object_get(c->in, "AppSecurityGroupManagement");
    if (asgm != NULL) {
        json_object_set(d.doc, "AppSecurityGroupManagement", (json_t *)asgm);
    }
    json_object_set_new(d.doc, "Status", json_string("Updating"));
    json_object_set_new(d.doc, "LastModifiedTime", sm_now(c));
    const char *id = sm_in_str(c, "DomainId");
    if (sm_put(c, SM_KIND_DOMAIN, id, NULL, NULL, d.doc, false) != 0) {
        goto out;
    }
    json_t *args = json_pack("{s:s}", "DomainId", id);
    rc = svc_task_schedule(c, "sagemaker", "DomainUpdated", sm_delay_ms(), args);
    json_decref(args);
    if (rc == 0) {
        c->out = json_pack("{s:s}", "DomainArn", sm_str(d.doc, "DomainArn"));
    }
out:
    sm_obj_release(&d);
    return rc;
}

// Counts the children of kind of the domain; returns the count or -1.
static int64_t count_children(struct svc_call *c, const char *kind, const char *domain_id)
{
    struct store_scope sc = sm_scope(c, kind);
    struct store_err e = {{0}};
    int64_t n = 0;
    int rc = store_count(c->env->store, &sc, domain_id, &n, &e);
    return rc == 0 ? n : sm_store_error(c, rc, &e);
}

static int delete_domain_body(struct svc_call *c)
{
    struct sm_obj d;
    if (load_domain(c, "sagemaker:DeleteDomain", &d) != 1) {
        return -1;
    }
    int rc = -1;
    const char *id = sm_in_str(c, "DomainId");
    int64_t profiles = count_children(c, SM_KIND_PROFILE, id);
    int64_t spaces = profiles < 0 ? -1 : count_children(c, SM_KIND_SPACE, id);
    if (profiles < 0 || spaces < 0) {
        goto out;
    }
    if (profiles > 0 || spaces > 0) {
        // not verified against AWS
        sm_error(c, "ResourceInUse",
                 "Domain %s cannot be deleted while it has user profiles or spaces.", id);
        goto out;
    }
    const char *status = sm_str(d.doc, "Status");
    if (strcmp(status, "Pending") == 0 || strcmp(status, "Updating") == 0) {
        // not verified against AWS
        sm_error(c, "ResourceInUse", "Domain %s is in status %s.", id, status);
        goto out;
    }
    const char *keep = sm_str(json_object_get(c->in, "RetentionPolicy"), "HomeEfsFileSystem");
    // AWS's default is Retain (DeleteDomain API Reference, RetentionPolicy).
    bool remove = keep != NULL && strcmp(keep, "Delete") == 0;
    json_object_set_new(sm_internal(d.doc), "remove_efs", json_boolean(remove));
    json_object_set_new(d.doc, "Status", json_string("Deleting"));
    json_object_set_new(d.doc, "LastModifiedTime", sm_now(c));
    if (sm_put(c, SM_KIND_DOMAIN, id, NULL, NULL, d.doc, false) != 0) {
        goto out;
    }
    json_t *args = json_pack("{s:s}", "DomainId", id);
    rc = svc_task_schedule(c, "sagemaker", "DomainDeleted", sm_delay_ms(), args);
    json_decref(args);
out:
    sm_obj_release(&d);
    return rc;
}

SM_OPERATION(describe_domain, false)
SM_OPERATION(list_domains, false)
SM_OPERATION(update_domain, true)
SM_OPERATION(delete_domain, true)

// ---- Background tasks ---------------------------------------------------------------------------

// Sets a pending domain Failed with reason.
static int fail_domain(struct svc_call *c, struct sm_obj *d, const char *reason)
{
    json_object_set_new(d->doc, "Status", json_string("Failed"));
    json_object_set_new(d->doc, "FailureReason", json_string(reason));
    json_object_set_new(d->doc, "LastModifiedTime", sm_now(c));
    return sm_put(c, SM_KIND_DOMAIN, sm_str(d->doc, "DomainId"), NULL, NULL, d->doc, false);
}

int sm_task_domain_created(struct svc_call *c)
{
    struct sm_obj d;
    const char *id = sm_in_str(c, "DomainId");
    int found = id != NULL ? sm_get(c, SM_KIND_DOMAIN, id, &d) : 0;
    if (found <= 0) {
        return found;
    }
    int rc = 0;
    if (strcmp(sm_str(d.doc, "Status"), "Pending") != 0) {
        goto out;
    }
    const char *key = sm_str(sm_internal(d.doc), "key_arn");
    const char *ref = key != NULL ? key : "alias/aws/elasticfilesystem";
    struct kms_key k;
    if (kms_key_find(c, ref, &k) != 0 || kms_key_check_usable(c, &k) != 0) {
        kms_key_release(&k);
        // not verified against AWS
        const char *why = sm_fmt(c, "Unable to use KMS key %s for the home EFS file system: %s",
                                 ref, c->err.message);
        memset(&c->err, 0, sizeof(c->err));
        rc = fail_domain(c, &d, why);
        goto out;
    }
    const char *key_arn = k.arn;
    kms_key_release(&k);
    const char *fs_id = NULL;
    if (sm_efs_create(c, d.doc, key_arn, &fs_id) != 0) {
        rc = -1;
        goto out;
    }
    json_object_set_new(d.doc, "HomeEfsFileSystemId", json_string(fs_id));
    json_object_set_new(d.doc, "Status", json_string("InService"));
    json_object_set_new(d.doc, "LastModifiedTime", sm_now(c));
    rc = sm_put(c, SM_KIND_DOMAIN, id, NULL, NULL, d.doc, false);
out:
    sm_obj_release(&d);
    return rc;
}

int sm_task_domain_updated(struct svc_call *c)
{
    struct sm_obj d;
    const char *id = sm_in_str(c, "DomainId");
    int found = id != NULL ? sm_get(c, SM_KIND_DOMAIN, id, &d) : 0;
    if (found <= 0) {
        return found;
    }
    int rc = 0;
    if (strcmp(sm_str(d.doc, "Status"), "Updating") == 0) {
        json_object_set_new(d.doc, "Status", json_string("InService"));
        json_object_set_new(d.doc, "LastModifiedTime", sm_now(c));
        rc = sm_put(c, SM_KIND_DOMAIN, id, NULL, NULL, d.doc, false);
    }
    sm_obj_release(&d);
    return rc;
}

int sm_task_domain_deleted(struct svc_call *c)
{
    struct sm_obj d;
    const char *id = sm_in_str(c, "DomainId");
    int found = id != NULL ? sm_get(c, SM_KIND_DOMAIN, id, &d) : 0;
    if (found <= 0) {
        return found;
    }
    int rc = 0;
    if (strcmp(sm_str(d.doc, "Status"), "Deleting") != 0) {
        goto out;
    }
    const char *fs_id = sm_str(d.doc, "HomeEfsFileSystemId");
    bool remove = json_is_true(json_object_get(sm_internal(d.doc), "remove_efs"));
    if (remove && fs_id != NULL && sm_efs_delete(c, fs_id, d.doc) != 0) {
        rc = -1;
        goto out;
    }
    struct store_scope sc = sm_scope(c, SM_KIND_DOMAIN);
    struct store_err e = {{0}};
    int drc = store_delete(c->env->store, &sc, id, &e);
    if (drc != 0 && drc != SB_ENOTFOUND) {
        rc = sm_store_error(c, drc, &e);
    }
out:
    sm_obj_release(&d);
    return rc;
}

// clang-format off
const struct svc_handler sm_domain_handlers[] = {
    {"CreateDomain", create_domain},
    {"DescribeDomain", describe_domain},
    {"ListDomains", list_domains},
    {"UpdateDomain", update_domain},
    {"DeleteDomain", delete_domain},
    {NULL, NULL},
};
// clang-format on
