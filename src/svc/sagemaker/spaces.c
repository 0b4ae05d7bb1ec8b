// SPDX-License-Identifier: Apache-2.0
// SageMaker spaces (SageMaker API Reference 2017-07-24: CreateSpace, DescribeSpace, ListSpaces,
// UpdateSpace, DeleteSpace). Objects follow sm_common.h: kind sm.space, id "DOMAINID/NAME",
// parent the domain id; their apps have the path "space/NAME/".
//
// A space has the life of a user profile (profiles.c): Pending then InService (task
// SpaceCreated, which makes its home directory in the domain's EFS under its own uid from the
// domain's counter), Updating then InService (SpaceUpdated), Deleting then gone (SpaceDeleted).
// SpaceSettings are stored as given and returned by DescribeSpace; UpdateSpace replaces the
// members it names. DeleteSpace is refused with ResourceInUse while the space has apps that are
// not Deleted.
//
// Authorization (Service Authorization Reference, Amazon SageMaker): sagemaker:<Operation> on
// arn:PARTITION:sagemaker:REGION:ACCOUNT:space/DOMAINID/NAME with the space's tags, the request's
// Tags for CreateSpace; ListSpaces on "*". Error wordings here are not verified against AWS.
#include "svc/registry.h"
#include "svc/sagemaker/efs.h"
#include "svc/sagemaker/apps.h"
#include "svc/sagemaker/profiles.h"
#include "svc/sagemaker/sm_tasks.h"
#include "svc/tasks.h"

#include <stdlib.h>
#include <string.h>

static const char *space_id(struct svc_call *c)
{
    return sm_fmt(c, "%s/%s", sm_in_str(c, "DomainId"), sm_in_str(c, "SpaceName"));
}

// Loads the space of the request and authorizes action on it with its tags. Returns 0 with *s
// filled (owned by the caller), or -1 with c->err set.
static int load_space(struct svc_call *c, const char *action, struct sm_obj *s)
{
    const char *id = space_id(c);
    const char *arn = sm_arn(c, "space", id);
    int found = sm_get(c, SM_KIND_SPACE, id, s);
    if (found < 0) {
        return -1;
    }
    if (sm_authorize(c, action, arn, found ? sm_tags(s->doc) : NULL) != 0) {
        sm_obj_release(s);
        return -1;
    }
    if (found == 0) {
        // Not verified against AWS.
        return sm_error(c, "ResourceNotFound", "Space [%s] does not exist.", arn);
    }
    return 0;
}

static int create_space_body(struct svc_call *c)
{
    const char *domain_id = sm_in_str(c, "DomainId");
    const char *id = space_id(c);
    const char *arn = sm_arn(c, "space", id);
    const json_t *tags = json_object_get(c->in, "Tags");
    const json_t *settings = json_object_get(c->in, "SpaceSettings");

    sm_request_tags(c, tags);
    if (sm_authorize(c, "sagemaker:CreateSpace", arn, NULL) != 0) {
        return -1;
    }
    struct sm_obj d = {0};
    if (sm_child_domain(c, domain_id, &d) != 0) {
        return -1;
    }
    int rc = -1;
    struct sm_obj old = {0};
    json_t *doc = NULL;
    int found = sm_get(c, SM_KIND_SPACE, id, &old);
    if (found < 0) {
        goto out;
    }
    if (found > 0) {
        // Not verified against AWS.
        sm_error(c, "ResourceInUse", "Resource Arn: %s already exists.", arn);
        goto out;
    }
    long uid = sm_take_uid(c, &d);
    if (uid < 0) {
        goto out;
    }
    doc = json_object();
    json_object_set_new(doc, "DomainId", json_string(domain_id));
    json_object_set_new(doc, "SpaceArn", json_string(arn));
    json_object_set_new(doc, "SpaceName", json_string(sm_in_str(c, "SpaceName")));
    json_object_set_new(doc, "HomeEfsFileSystemUid", json_string(sm_fmt(c, "%ld", uid)));
    json_object_set_new(doc, "Status", json_string("Pending"));
    json_object_set_new(doc, "LastModifiedTime", sm_now(c));
    json_object_set_new(doc, "CreationTime", sm_now(c));
    if (json_is_object(settings)) {
        json_object_set_new(doc, "SpaceSettings", json_deep_copy(settings));
    }
    if (json_is_array(tags)) {
        json_array_extend(sm_tags(doc), (json_t *)tags);
    }
    const char *sname = sm_creation_name(c, domain_id, json_object_get(doc, "CreationTime"),
                                         sm_in_str(c, "SpaceName"));
    if (sm_put_named(c, SM_KIND_SPACE, id, sname, domain_id, NULL, doc, true) != 0 ||
        sm_child_schedule(c, &sm_space_kind, "SpaceCreated") != 0) {
        goto out;
    }
    c->out = json_pack("{s:s}", "SpaceArn", arn);
    rc = 0;
out:
    json_decref(doc);
    sm_obj_release(&old);
    sm_obj_release(&d);
    return rc;
}
SM_OPERATION(create_space, true)

static int describe_space_body(struct svc_call *c)
{
    struct sm_obj s = {0};
    if (load_space(c, "sagemaker:DescribeSpace", &s) != 0) {
        return -1;
    }
    c->out = sm_public(s.doc);
    sm_obj_release(&s);
    return 0;
}
SM_OPERATION(describe_space, false)

static int list_spaces_body(struct svc_call *c)
{
    if (sm_authorize(c, "sagemaker:ListSpaces", "*", NULL) != 0) {
        return -1;
    }
    static const struct sm_child_list l = {
        .kind = SM_KIND_SPACE,
        .name_member = "SpaceName",
        .contains_in = "SpaceNameContains",
        .out_member = "Spaces",
    };
    return sm_list_children(c, &l);
}
SM_OPERATION(list_spaces, false)

static int update_space_body(struct svc_call *c)
{
    struct sm_obj s = {0};
    if (load_space(c, "sagemaker:UpdateSpace", &s) != 0) {
        return -1;
    }
    int rc = sm_child_update(c, &sm_space_kind, &s);
    sm_obj_release(&s);
    return rc;
}
SM_OPERATION(update_space, true)

static int delete_space_body(struct svc_call *c)
{
    struct sm_obj s = {0};
    if (load_space(c, "sagemaker:DeleteSpace", &s) != 0) {
        return -1;
    }
    int rc = sm_child_delete(c, &sm_space_kind, &s);
    sm_obj_release(&s);
    return rc;
}
SM_OPERATION(delete_space, true)

// ---- Tasks (profiles.c holds what spaces share with user profiles) ----

int sm_task_space_created(struct svc_call *c)
{
    return sm_child_task_created(c, &sm_space_kind);
}

int sm_task_space_updated(struct svc_call *c)
{
    return sm_child_task_updated(c, &sm_space_kind);
}

int sm_task_space_deleted(struct svc_call *c)
{
    return sm_child_task_deleted(c, &sm_space_kind);
}

// clang-format off
const struct svc_handler sm_space_handlers[] = {
    {"CreateSpace", create_space},
    {"DescribeSpace", describe_space},
    {"ListSpaces", list_spaces},
    {"UpdateSpace", update_space},
    {"DeleteSpace", delete_space},
    {NULL, NULL},
};
// clang-format on
