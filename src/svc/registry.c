// SPDX-License-Identifier: Apache-2.0
// The registry of served services; see registry.h.
#include "svc/registry.h"

const struct svc_service svc_registry[] = {
    {"sts", sts_handlers},
};

const size_t svc_registry_count = sizeof(svc_registry) / sizeof(svc_registry[0]);
