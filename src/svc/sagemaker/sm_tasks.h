// SPDX-License-Identifier: Apache-2.0
// The task handlers of the SageMaker resource families (svc/tasks.h); sm_tasks.c lists them.
#ifndef SAGEBOX_SM_TASKS_H
#define SAGEBOX_SM_TASKS_H

#include "svc/svc.h"

// Domains (domains.c): DomainCreated makes the home EFS file system and sets InService (or
// Failed), DomainUpdated sets InService, DomainDeleted removes the domain (and its file system
// when the RetentionPolicy says Delete). Each takes {"DomainId"} and returns 0 or -1.
int sm_task_domain_created(struct svc_call *c);
int sm_task_domain_updated(struct svc_call *c);
int sm_task_domain_deleted(struct svc_call *c);

// apps.c: a Pending app reaches InService or Failed; a Deleting app releases its instance and
// becomes Deleted; the record of a Deleted or Failed app expires.
int sm_task_app_launched(struct svc_call *c);
int sm_task_app_stopped(struct svc_call *c);
int sm_task_app_expired(struct svc_call *c);

// User profiles (profiles.c) and spaces (spaces.c), each taking {"DomainId", "UserProfileName"}
// or {"DomainId", "SpaceName"}: *Created sets a Pending one InService after making its home
// directory in the domain's EFS (Failed with the reason when that is refused), *Updated sets an
// Updating one InService, *Deleted removes a Deleting one. Return 0 or -1.
int sm_task_user_profile_created(struct svc_call *c);
int sm_task_user_profile_updated(struct svc_call *c);
int sm_task_user_profile_deleted(struct svc_call *c);
int sm_task_space_created(struct svc_call *c);
int sm_task_space_updated(struct svc_call *c);
int sm_task_space_deleted(struct svc_call *c);

#endif
