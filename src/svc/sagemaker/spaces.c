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
#include "svc/sagemaker/profiles.h"
#include "svc/sagemaker/sm_tasks.h"

static int load_space(struct svc_call *c, const char *action, struct sm_obj *s)
{
    return sm_child_load(c, &sm_space_kind, action, s);
}

static int create_space_body(struct svc_call *c)
{
    return sm_child_create(c, &sm_space_kind, "sagemaker:CreateSpace");
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
