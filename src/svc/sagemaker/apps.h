// SPDX-License-Identifier: Apache-2.0
// What the other SageMaker families need to know of Studio apps (apps.c): how many apps of a
// domain, a user profile or a space are still alive, so that DeleteUserProfile, DeleteSpace and
// DeleteDomain can refuse with ResourceInUse while apps run.
#ifndef SAGEBOX_SM_APPS_H
#define SAGEBOX_SM_APPS_H

#include "svc/svc.h"

#include <stdint.h>

// Counts the apps of domain domain_id whose Status is neither Deleted nor Failed (a failed app
// is deleted automatically by AWS) into *live. owner_prefix narrows the count to one owner:
// "user/PROFILENAME/" or "space/SPACENAME/" (with the trailing slash); NULL counts every app of
// the domain. Joins the caller's store transaction. Returns 0, or -1 with c->err set (the
// service's internal failure) when the store fails; *live is then 0.
int sm_apps_count(struct svc_call *c, const char *domain_id, const char *owner_prefix,
                  int64_t *live);

#endif
