// SPDX-License-Identifier: Apache-2.0
// The registry of served services; see registry.h. One table per line, so that adding a
// resource family is a one-line change.
#include "svc/registry.h"
#include "svc/ec2/flowlog_delivery.h"

// clang-format off
const struct svc_service svc_registry[] = {
    {"iam", iam_user_handlers},
    {"iam", iam_group_handlers},
    {"iam", iam_role_handlers},
    {"iam", iam_policy_handlers},
    {"iam", iam_simulate_handlers},
    {"sts", sts_handlers},
    {"ec2", ec2_vpc_handlers},
    {"ec2", ec2_subnet_handlers},
    {"ec2", ec2_zone_handlers},
    {"ec2", ec2_dhcp_handlers},
    {"ec2", ec2_tag_handlers},
    {"ec2", ec2_sg_handlers},
    {"ec2", ec2_acl_handlers},
    {"ec2", ec2_eni_handlers},
    {"ec2", ec2_endpoint_handlers},
    {"ec2", ec2_endpoint_service_handlers},
    {"ec2", ec2_prefix_list_handlers},
    {"ec2", ec2_flowlog_handlers},
    {"ec2", ec2_route_handlers},
    {"ec2", ec2_gateway_handlers},
    {"ec2", ec2_address_handlers},
    {"logs", logs_group_handlers},
    {"logs", logs_stream_handlers},
    {"logs", logs_event_handlers},
    {"kms", kms_key_handlers},
    {"kms", kms_alias_handlers},
    {"kms", kms_crypto_handlers},
    {"kms", kms_grant_handlers},
    {"kms", kms_asym_handlers},
    {"kms", kms_rotation_handlers},
    {"sagemaker", sm_presign_handlers},
    {"sagemaker", sm_domain_handlers},
    {"sagemaker", sm_app_handlers},
    {"sagemaker", sm_profile_handlers},
    {"sagemaker", sm_space_handlers},
    {"sagemaker", sm_tag_handlers},
};
// clang-format on

const size_t svc_registry_count = sizeof(svc_registry) / sizeof(svc_registry[0]);

// The background task handlers (tasks.h).
// clang-format off
const struct svc_service svc_task_tables[] = {
    {"sagemaker", sm_task_handlers},
};
// clang-format on

const size_t svc_task_tables_count = sizeof(svc_task_tables) / sizeof(svc_task_tables[0]);

// The test hooks under /_sagebox/ (docs/ec2.md): path, then handler; ends with {NULL, NULL}.
// clang-format off
const struct svc_handler svc_debug_handlers[] = {
    {"/_sagebox/ec2/flow-records", ec2_flowlog_inject},
    {NULL, NULL},
};
// clang-format on
