// SPDX-License-Identifier: Apache-2.0
// The background tasks of SageMaker (svc/tasks.h): one line per task type, each handler in the
// file of its resource family.
#include "svc/registry.h"
#include "svc/sagemaker/sm_tasks.h"

// clang-format off
const struct svc_handler sm_task_handlers[] = {
    {NULL, NULL},
};
// clang-format on
