// SPDX-License-Identifier: Apache-2.0
// The AWS services a VPC endpoint can connect to (EC2 API Reference: DescribeVpcEndpointServices;
// AWS PrivateLink Guide, "AWS services that integrate with AWS PrivateLink" and "Gateway
// endpoints"), as a table for the services a secure SageMaker environment uses and their
// neighbours.
//
// Sources of the table:
//   - names and private DNS names: the PrivateLink Guide's service list and the services' own
//     guides (SageMaker Developer Guide, "Connect to SageMaker AI Within your VPC":
//     com.amazonaws.REGION.sagemaker.api answers api.sagemaker.REGION.amazonaws.com and
//     sagemaker.runtime answers runtime.sagemaker.REGION.amazonaws.com; "Connect to a Notebook
//     Instance Through a VPC Interface Endpoint" and "... Studio ...":
//     aws.sagemaker.REGION.notebook and aws.sagemaker.REGION.studio with
//     *.notebook.REGION.sagemaker.aws and
//     *.studio.REGION.sagemaker.aws);
//   - the shape of each row (ServiceType, AvailabilityZones, Owner "amazon", BaseEndpointDnsNames
//     "SVC.REGION.vpce.amazonaws.com" for interface services and the regional name for gateway
//     ones, AcceptanceRequired false, ManagesVpcEndpoints false): the AWS CLI reference's
//     describe-vpc-endpoint-services examples (us-east-1, with S3 listed once in ServiceNames but
//     twice in ServiceDetails, as a Gateway and an Interface service);
//   - VpcEndpointPolicySupported: true for the services whose guides document endpoint policies;
//     false for the SageMaker notebook and Studio services (their guides document policies only on
//     the sagemaker.api endpoint they go through; sagebox's reading, not an AWS statement) and for
//     ECS (the AWS Tools for PowerShell example of Get-EC2VpcEndpointService shows it false).
// Every service is offered in every zone of the region. ServiceId is stable: "vpce-svc-" and 17
// hex digits of an FNV-1a hash of region, name and type (AWS's ids are not published).
//
// Authorization: DescribeVpcEndpointServices on "*" (Service Authorization Reference).
#include "svc/ec2/endpoint_services.h"

#include "svc/ec2/ec2_common.h"
#include "svc/registry.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// One row: each pattern holds the region once, as "%s".
struct row {
    const char *name_fmt;
    const char *private_dns_fmt; // NULL: no private DNS name
    const char *base_fmt;
    enum ec2_endpoint_type type;
    bool policy;
};

// An interface service "com.amazonaws.REGION.SVC" answering private DNS name dns, with its base
// name "SVC.REGION.vpce.amazonaws.com".
#define IFACE(svc, dns, pol)                                                                       \
    {                                                                                              \
        .name_fmt = "com.amazonaws.%s." svc, .private_dns_fmt = (dns),                             \
        .base_fmt = svc ".%s.vpce.amazonaws.com", .type = EC2_ENDPOINT_INTERFACE, .policy = (pol)  \
    }

// Sorted by name (the order DescribeVpcEndpointServices lists them in), Gateway first.
static const struct row rows[] = {
    {.name_fmt = "aws.sagemaker.%s.notebook",
     .type = EC2_ENDPOINT_INTERFACE,
     .private_dns_fmt = "*.notebook.%s.sagemaker.aws",
     .base_fmt = "notebook.%s.vpce.sagemaker.aws",
     .policy = false},
    {.name_fmt = "aws.sagemaker.%s.studio",
     .type = EC2_ENDPOINT_INTERFACE,
     .private_dns_fmt = "*.studio.%s.sagemaker.aws",
     .base_fmt = "studio.%s.vpce.sagemaker.aws",
     .policy = false},
    IFACE("athena", "athena.%s.amazonaws.com", true),
    IFACE("codebuild", "codebuild.%s.amazonaws.com", true),
    IFACE("codecommit", "codecommit.%s.amazonaws.com", true),
    IFACE("codepipeline", "codepipeline.%s.amazonaws.com", true),
    {.name_fmt = "com.amazonaws.%s.dynamodb",
     .type = EC2_ENDPOINT_GATEWAY,
     .base_fmt = "dynamodb.%s.amazonaws.com",
     .policy = true},
    IFACE("ec2", "ec2.%s.amazonaws.com", true),
    IFACE("ec2messages", "ec2messages.%s.amazonaws.com", true),
    IFACE("ecr.api", "api.ecr.%s.amazonaws.com", true),
    IFACE("ecr.dkr", "*.dkr.ecr.%s.amazonaws.com", true),
    IFACE("ecs", "ecs.%s.amazonaws.com", false),
    IFACE("elasticfilesystem", "elasticfilesystem.%s.amazonaws.com", true),
    IFACE("events", "events.%s.amazonaws.com", true),
    IFACE("execute-api", "*.execute-api.%s.amazonaws.com", true),
    IFACE("git-codecommit", "git-codecommit.%s.amazonaws.com", true),
    IFACE("glue", "glue.%s.amazonaws.com", true),
    IFACE("kms", "kms.%s.amazonaws.com", true),
    IFACE("lambda", "lambda.%s.amazonaws.com", true),
    IFACE("logs", "logs.%s.amazonaws.com", true),
    IFACE("monitoring", "monitoring.%s.amazonaws.com", true),
    {.name_fmt = "com.amazonaws.%s.s3",
     .type = EC2_ENDPOINT_GATEWAY,
     .base_fmt = "s3.%s.amazonaws.com",
     .policy = true},
    IFACE("s3", "*.s3.%s.amazonaws.com", true),
    IFACE("sagemaker.api", "api.sagemaker.%s.amazonaws.com", true),
    IFACE("sagemaker.featurestore-runtime", "featurestore-runtime.sagemaker.%s.amazonaws.com",
          true),
    IFACE("sagemaker.runtime", "runtime.sagemaker.%s.amazonaws.com", true),
    IFACE("secretsmanager", "secretsmanager.%s.amazonaws.com", true),
    IFACE("servicecatalog", "servicecatalog.%s.amazonaws.com", true),
    IFACE("sns", "sns.%s.amazonaws.com", true),
    IFACE("sqs", "sqs.%s.amazonaws.com", true),
    IFACE("ssm", "ssm.%s.amazonaws.com", true),
    IFACE("ssmmessages", "ssmmessages.%s.amazonaws.com", true),
    IFACE("states", "states.%s.amazonaws.com", true),
    IFACE("sts", "sts.%s.amazonaws.com", true),
};

#define ROW_COUNT (sizeof(rows) / sizeof(rows[0]))

// Expands a pattern with one "%s" (the region) into out; false when it does not fit. The
// patterns are the table's, so no printf is needed.
static bool expand(char *out, size_t cap, const char *pattern, const char *region)
{
    const char *mark = strstr(pattern, "%s");
    size_t head = mark != NULL ? (size_t)(mark - pattern) : strlen(pattern);
    size_t rl = mark != NULL ? strlen(region) : 0;
    const char *tail = mark != NULL ? mark + 2 : "";
    size_t tl = strlen(tail);
    if (head + rl + tl + 1 > cap) {
        return false;
    }
    // The last copy includes the tail's terminator, which ends the whole text.
    memcpy(out, pattern, head);     // NOLINT(bugprone-not-null-terminated-result)
    memcpy(out + head, region, rl); // NOLINT(bugprone-not-null-terminated-result)
    memcpy(out + head + rl, tail, tl + 1);
    return true;
}

// The number of rows; see endpoint_services.h.
size_t ec2_endpoint_service_count(void)
{
    return ROW_COUNT;
}

// A row for a region; see endpoint_services.h.
bool ec2_endpoint_service_at(const char *region, size_t index, struct ec2_endpoint_service *out)
{
    const struct ec2_zone *z;
    if (region == NULL || index >= ROW_COUNT || ec2_region_zones(region, &z) == 0) {
        return false;
    }
    const struct row *r = &rows[index];
    memset(out, 0, sizeof(*out));
    out->type = r->type;
    out->policy_supported = r->policy;
    if (!expand(out->name, sizeof(out->name), r->name_fmt, region) ||
        !expand(out->base_dns, sizeof(out->base_dns), r->base_fmt, region) ||
        (r->private_dns_fmt != NULL &&
         !expand(out->private_dns, sizeof(out->private_dns), r->private_dns_fmt, region))) {
        return false;
    }
    uint64_t h = 14695981039346656037u;
    const char *parts[3] = {region, out->name, r->type == EC2_ENDPOINT_GATEWAY ? "G" : "I"};
    for (size_t p = 0; p < 3; p++) {
        for (const char *s = parts[p]; *s; s++) {
            h = (h ^ (unsigned char)*s) * 1099511628211u;
        }
        h = (h ^ '|') * 1099511628211u;
    }
    // 17 hex digits: the 64-bit hash and one more digit folded from its top bits.
    snprintf(out->service_id, sizeof(out->service_id), "vpce-svc-%016llx%x", (unsigned long long)h,
             (unsigned)((h >> 60) ^ (h & 15)));
    return true;
}

// The types a service offers; see endpoint_services.h.
unsigned ec2_endpoint_service_types(const char *region, const char *name)
{
    unsigned types = 0;
    for (size_t i = 0; name != NULL && i < ROW_COUNT; i++) {
        struct ec2_endpoint_service s;
        if (ec2_endpoint_service_at(region, i, &s) && strcmp(s.name, name) == 0) {
            types |= (unsigned)s.type;
        }
    }
    return types;
}

// Finds a service; see endpoint_services.h.
bool ec2_endpoint_service_find(const char *region, const char *name, enum ec2_endpoint_type type,
                               struct ec2_endpoint_service *out)
{
    for (size_t i = 0; name != NULL && i < ROW_COUNT; i++) {
        if (ec2_endpoint_service_at(region, i, out) && out->type == type &&
            strcmp(out->name, name) == 0) {
            return true;
        }
    }
    return false;
}

// ---- DescribeVpcEndpointServices ----------------------------------------------------------------

// The ServiceDetail of a row.
static json_t *service_detail(const char *region, const struct ec2_endpoint_service *s)
{
    const struct ec2_zone *z;
    size_t nz = ec2_region_zones(region, &z);
    json_t *zones = json_array();
    for (size_t i = 0; i < nz; i++) {
        json_array_append_new(zones, json_string(z[i].name));
    }
    json_t *d =
        json_pack("{s:s, s:s, s:[{s:s}], s:o, s:s, s:[s], s:b, s:b, s:b, s:[], s:[s]}",
                  "ServiceName", s->name, "ServiceId", s->service_id, "ServiceType", "ServiceType",
                  s->type == EC2_ENDPOINT_GATEWAY ? "Gateway" : "Interface", "AvailabilityZones",
                  zones, "Owner", "amazon", "BaseEndpointDnsNames", s->base_dns,
                  "VpcEndpointPolicySupported", s->policy_supported, "AcceptanceRequired", 0,
                  "ManagesVpcEndpoints", 0, "Tags", "SupportedIpAddressTypes", "ipv4");
    if (s->private_dns[0] != '\0') {
        json_object_set_new(d, "PrivateDnsName", json_string(s->private_dns));
        json_object_set_new(d, "PrivateDnsNames",
                            json_pack("[{s:s}]", "PrivateDnsName", s->private_dns));
        json_object_set_new(d, "PrivateDnsNameVerificationState", json_string("verified"));
    }
    return d;
}

// DescribeVpcEndpointServices filters (EC2 API Reference).
static const struct ec2_filter_def service_filters[] = {
    {"owner", "Owner", NULL},
    {"service-name", "ServiceName", NULL},
    {"service-region", "_Region", NULL},
    {"service-type", "ServiceType.ServiceType", NULL},
    {"supported-ip-address-types", "SupportedIpAddressTypes", NULL},
    {NULL, NULL, NULL},
};

// True when name is among the request's ServiceNames (or the request names none).
static bool named(const json_t *names, const char *name)
{
    if (json_array_size(names) == 0) {
        return true;
    }
    for (size_t i = 0; i < json_array_size(names); i++) {
        if (strcmp(json_string_value(json_array_get(names, i)), name) == 0) {
            return true;
        }
    }
    return false;
}

// DescribeVpcEndpointServices: the catalog of the call's region. A ServiceNames entry the region
// does not have is 400 InvalidServiceName "The Vpc Endpoint Service 'NAME' does not exist" (real
// EC2, terraform-aws-modules/terraform-aws-vpc#481). Pages follow the catalog's order; ServiceNames
// lists the names of the page's details, each once.
static int describe_vpc_endpoint_services_body(struct svc_call *c)
{
    struct ec2_filter_set *fs = NULL;
    if (ec2_filters_compile(c->arena, &c->err, service_filters, json_object_get(c->in, "Filters"),
                            &fs) != 0) {
        return -1;
    }
    const json_t *names = json_object_get(c->in, "ServiceNames");
    for (size_t i = 0; i < json_array_size(names); i++) {
        const char *n = json_string_value(json_array_get(names, i));
        if (ec2_endpoint_service_types(c->region, n) == 0) {
            return ec2_err(c, 400, "InvalidServiceName",
                           "The Vpc Endpoint Service '%s' does not exist", n);
        }
    }
    const char *after = NULL;
    if (ec2_token_read(c, "svc", &after) != 0) {
        return -1;
    }
    struct ec2_res any = {.arn = "*"};
    if (ec2_authorize(c, "ec2:DescribeVpcEndpointServices", &any, 1) != 0) {
        return -1;
    }
    int max = ec2_max_results(c);
    json_t *details = json_array();
    json_t *list = json_array();
    const char *next = NULL;
    size_t start = 0;
    if (after != NULL) {
        char *end = NULL;
        unsigned long v = strtoul(after, &end, 10);
        start = end != NULL && *end == '\0' ? (size_t)v : ROW_COUNT;
    }
    size_t last = 0;
    for (size_t i = start; i < ROW_COUNT; i++) {
        struct ec2_endpoint_service s;
        if (!ec2_endpoint_service_at(c->region, i, &s) || !named(names, s.name)) {
            continue;
        }
        json_t *d = service_detail(c->region, &s);
        json_object_set_new(d, "_Region", json_string(c->region));
        if (!ec2_filters_match(fs, d)) {
            json_decref(d);
            continue;
        }
        if (max > 0 && json_array_size(details) == (size_t)max) {
            json_decref(d);
            next = ec2_token_make(c, "svc", ec2_fmt(c, "%zu", last + 1));
            break;
        }
        json_object_del(d, "_Region");
        size_t nl = json_array_size(list);
        const char *prev = nl > 0 ? json_string_value(json_array_get(list, nl - 1)) : NULL;
        if (prev == NULL || strcmp(prev, s.name) != 0) {
            json_array_append_new(list, json_string(s.name));
        }
        json_array_append_new(details, d);
        last = i;
    }
    c->out = json_pack("{s:o, s:o}", "ServiceNames", list, "ServiceDetails", details);
    if (next != NULL) {
        json_object_set_new(c->out, "NextToken", json_string(next));
    }
    return 0;
}

EC2_OPERATION(describe_vpc_endpoint_services, false)

const struct svc_handler ec2_endpoint_service_handlers[] = {
    {"DescribeVpcEndpointServices", describe_vpc_endpoint_services},
    {NULL, NULL},
};
