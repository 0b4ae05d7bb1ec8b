// SPDX-License-Identifier: Apache-2.0
// The task handlers of the SageMaker resource families (svc/tasks.h); sm_tasks.c lists them.
#ifndef SAGEBOX_SM_TASKS_H
#define SAGEBOX_SM_TASKS_H

#include "svc/svc.h"

#endif
