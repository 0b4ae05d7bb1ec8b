// SPDX-License-Identifier: Apache-2.0
// The registry of served services; see registry.h.
#include "svc/registry.h"

const struct svc_service svc_registry[] = {
    {"iam", iam_user_handlers},   {"iam", iam_group_handlers},    {"iam", iam_role_handlers},
    {"iam", iam_policy_handlers}, {"iam", iam_simulate_handlers}, {"sts", sts_handlers},
};

const size_t svc_registry_count = sizeof(svc_registry) / sizeof(svc_registry[0]);
