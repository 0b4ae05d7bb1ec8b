// SPDX-License-Identifier: Apache-2.0
// The background tasks of SageMaker (svc/tasks.h): one line per task type, each handler in the
// file of its resource family.
#include "svc/registry.h"
#include "svc/sagemaker/sm_tasks.h"

// clang-format off
const struct svc_handler sm_task_handlers[] = {
    {"AppLaunched", sm_task_app_launched},
    {"AppStopped", sm_task_app_stopped},
    {"AppExpired", sm_task_app_expired},
    {"DomainCreated", sm_task_domain_created},
    {"DomainUpdated", sm_task_domain_updated},
    {"DomainDeleted", sm_task_domain_deleted},
    {"UserProfileCreated", sm_task_user_profile_created},
    {"UserProfileUpdated", sm_task_user_profile_updated},
    {"UserProfileDeleted", sm_task_user_profile_deleted},
    {"SpaceCreated", sm_task_space_created},
    {"SpaceUpdated", sm_task_space_updated},
    {"SpaceDeleted", sm_task_space_deleted},
    {NULL, NULL},
};
// clang-format on
