// SPDX-License-Identifier: Apache-2.0
// The catalog of AWS services a VPC endpoint can connect to in a region (what
// DescribeVpcEndpointServices lists): each service's name, endpoint type, DNS names and whether it
// takes endpoint policies. A pure table (no store); endpoint_services.c documents its sources and
// serves DescribeVpcEndpointServices from it. CreateVpcEndpoint looks services up here.
#ifndef SAGEBOX_EC2_ENDPOINT_SERVICES_H
#define SAGEBOX_EC2_ENDPOINT_SERVICES_H

#include <stdbool.h>
#include <stddef.h>

// Endpoint types, as a bit set where a service offers several (S3: both).
enum ec2_endpoint_type {
    EC2_ENDPOINT_INTERFACE = 1,
    EC2_ENDPOINT_GATEWAY = 2,
};

// One service of one type in one region, its strings expanded for the region.
struct ec2_endpoint_service {
    char name[128]; // "com.amazonaws.us-east-1.sts", "aws.sagemaker.us-east-1.studio"
    enum ec2_endpoint_type type;
    char private_dns[160]; // Interface: the name private DNS answers ("sts.us-east-1.
                           // amazonaws.com", "*.notebook.us-east-1.sagemaker.aws"); "" for none
    char base_dns[160];    // BaseEndpointDnsNames[0]: "sts.us-east-1.vpce.amazonaws.com";
                           // Gateway: the service's regional name ("s3.us-east-1.amazonaws.com")
    char service_id[32];   // "vpce-svc-" and 17 hex digits, stable per region, name and type
    bool policy_supported; // VpcEndpointPolicySupported
};

// How many rows the catalog has (one per service and type).
size_t ec2_endpoint_service_count(void);

// Fills *out with row index of the catalog for region (rows are sorted by name, Gateway before
// Interface for the same name). Returns false for an index out of range or a region sagebox does
// not know.
bool ec2_endpoint_service_at(const char *region, size_t index, struct ec2_endpoint_service *out);

// The types (a bit set of enum ec2_endpoint_type) the service name offers in region; 0 when the
// region has no such service.
unsigned ec2_endpoint_service_types(const char *region, const char *name);

// Finds service name of type type in region. Returns true with *out filled, false when the
// region has no such service of that type.
bool ec2_endpoint_service_find(const char *region, const char *name, enum ec2_endpoint_type type,
                               struct ec2_endpoint_service *out);

#endif
