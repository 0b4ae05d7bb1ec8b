// SPDX-License-Identifier: Apache-2.0
// The services sagebox serves and their operation handlers (registry.c lists them). Each service
// module exports one table; adding an operation is adding its handler to that table.
#ifndef SAGEBOX_SVC_REGISTRY_H
#define SAGEBOX_SVC_REGISTRY_H

#include "svc/svc.h"

#include <stddef.h>

struct svc_service {
    const char *signing_name;           // "iam", "sts", ...
    const struct svc_handler *handlers; // ends with {NULL, NULL}
};

extern const struct svc_service svc_registry[];
extern const size_t svc_registry_count;

// The background task handlers of each service (tasks.h): {signing name, table of {type,
// handler}}; svc_task_find looks one up (NULL when none).
extern const struct svc_service svc_task_tables[];
extern const size_t svc_task_tables_count;
svc_handler_fn svc_task_find(const char *service, const char *type);

// The tables of the service modules, each ending with {NULL, NULL}. A service may have several
// tables (one per resource family); the registry lists each.
extern const struct svc_handler sts_handlers[];
extern const struct svc_handler iam_user_handlers[];
extern const struct svc_handler iam_group_handlers[];
extern const struct svc_handler iam_role_handlers[];
extern const struct svc_handler iam_policy_handlers[];
extern const struct svc_handler iam_simulate_handlers[];
extern const struct svc_handler logs_group_handlers[];
extern const struct svc_handler logs_stream_handlers[];
extern const struct svc_handler logs_event_handlers[];
extern const struct svc_handler ec2_vpc_handlers[];
extern const struct svc_handler ec2_subnet_handlers[];
extern const struct svc_handler ec2_zone_handlers[];
extern const struct svc_handler ec2_dhcp_handlers[];
extern const struct svc_handler ec2_tag_handlers[];
extern const struct svc_handler ec2_sg_handlers[];
extern const struct svc_handler ec2_acl_handlers[];
extern const struct svc_handler ec2_eni_handlers[];
extern const struct svc_handler ec2_endpoint_handlers[];
extern const struct svc_handler ec2_endpoint_service_handlers[];
extern const struct svc_handler ec2_prefix_list_handlers[];
extern const struct svc_handler ec2_flowlog_handlers[];
extern const struct svc_handler ec2_route_handlers[];
extern const struct svc_handler ec2_gateway_handlers[];
extern const struct svc_handler ec2_address_handlers[];
extern const struct svc_handler kms_key_handlers[];
extern const struct svc_handler kms_alias_handlers[];
extern const struct svc_handler kms_crypto_handlers[];
extern const struct svc_handler kms_grant_handlers[];
extern const struct svc_handler kms_asym_handlers[];
extern const struct svc_handler kms_rotation_handlers[];
extern const struct svc_handler sm_task_handlers[];
extern const struct svc_handler sm_app_handlers[];
extern const struct svc_handler sm_presign_handlers[];
extern const struct svc_handler sm_domain_handlers[];
extern const struct svc_handler sm_profile_handlers[];
extern const struct svc_handler sm_space_handlers[];
extern const struct svc_handler sm_tag_handlers[];

// The sagebox test hooks served under /_sagebox/ (loopback, account root only; the gateway
// authenticates them with SigV4 like AWS requests): each entry's operation is the request path,
// its handler gets the JSON body as c->in. Ends with {NULL, NULL}.
extern const struct svc_handler svc_debug_handlers[];

#endif
