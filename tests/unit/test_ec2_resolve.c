// SPDX-License-Identifier: Apache-2.0
// Tests of src/svc/ec2/resolve.c: which VPC endpoint answers a DNS name inside a VPC, which of
// its addresses a client gets, which gateway endpoint a route table sends a prefix list to, the
// endpoint policy, and the pending -> available state of endpoints. The graphs are built in
// memory from documents in the shapes the handlers store (VpcEndpoint, NetworkInterface, Subnet,
// RouteTable of the botocore model, with resolve.h's internal _AvailableAt).
//
// Expected behaviour comes from the AWS PrivateLink Guide ("DNS hostnames" of interface
// endpoints: the regional name vpce-ID-SUFFIX.SERVICE.REGION.vpce.amazonaws.com resolves to the
// endpoint's addresses, the zonal name vpce-ID-SUFFIX-ZONE.... to the address in that zone, and
// with private DNS the service's default name, e.g. sts.us-east-1.amazonaws.com, resolves to the
// endpoint inside the VPC; "Private DNS": clients get the endpoint's address in their own
// Availability Zone), from Route 53's wildcard records ("*.example" matches names of one or more
// labels below it, not the name itself) and from the Amazon VPC User Guide ("Gateway endpoints":
// a route to the service's prefix list with the endpoint as target).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svc/ec2/resolve.h"

#include <stdlib.h>
#include <string.h>

#define T0 1700000000000LL // a "now" in milliseconds

#define VPC  "vpc-00000000000000001"
#define SUBA "subnet-0000000000000000a"
#define SUBB "subnet-0000000000000000b"
#define SUBC "subnet-0000000000000000c" // zone b, no endpoint interface in it
#define STS  "vpce-00000000000000001"
#define NB   "vpce-00000000000000002"
#define S3GW "vpce-00000000000000003"
#define PEND "vpce-00000000000000004"
#define NOPD "vpce-00000000000000005"
#define ENIA "eni-0000000000000000a"
#define ENIB "eni-0000000000000000b"
#define ENIN "eni-0000000000000000c"
#define ENIP "eni-0000000000000000d"
#define ENIL "eni-0000000000000000e"
#define RTB  "rtb-00000000000000001"

struct spec {
    const char *kind;
    const char *id;
    const char *json;
};

struct fix {
    struct ec2_graph g;
    struct ec2_node nodes[32];
};

static int cmp_node(const void *a, const void *b)
{
    return strcmp(((const struct ec2_node *)a)->id, ((const struct ec2_node *)b)->id);
}

// Builds a graph of the documents given, sorted by id as ec2_graph_load sorts them.
static void build(struct fix *f, const struct spec *specs, size_t n)
{
    assert_true(n <= 32);
    memset(f, 0, sizeof(*f));
    for (size_t i = 0; i < n; i++) {
        json_error_t je;
        f->nodes[i].kind = ec2_kind_by_store(specs[i].kind);
        assert_non_null(f->nodes[i].kind);
        f->nodes[i].id = specs[i].id;
        f->nodes[i].parent = VPC;
        f->nodes[i].doc = json_loads(specs[i].json, 0, &je);
        if (f->nodes[i].doc == NULL) {
            fail_msg("bad test JSON for %s: %s", specs[i].id, je.text);
        }
    }
    qsort(f->nodes, n, sizeof(f->nodes[0]), cmp_node);
    f->g.vpc_id = VPC;
    f->g.nodes = f->nodes;
    f->g.count = n;
}

static void release(struct fix *f)
{
    for (size_t i = 0; i < f->g.count; i++) {
        json_decref(f->nodes[i].doc);
    }
}

// The lab's shape: an STS interface endpoint with private DNS and interfaces in zones a and b, a
// SageMaker notebook endpoint (wildcard private DNS) in zone a, an S3 gateway endpoint on a route
// table, an endpoint still pending, and one without private DNS.
static const struct spec lab[] = {
    {EC2_KIND_VPC, VPC, "{\"VpcId\":\"" VPC "\"}"},
    {EC2_KIND_SUBNET, SUBA, "{\"SubnetId\":\"" SUBA "\",\"AvailabilityZone\":\"us-east-1a\"}"},
    {EC2_KIND_SUBNET, SUBB, "{\"SubnetId\":\"" SUBB "\",\"AvailabilityZone\":\"us-east-1b\"}"},
    {EC2_KIND_SUBNET, SUBC, "{\"SubnetId\":\"" SUBC "\",\"AvailabilityZone\":\"us-east-1b\"}"},
    {EC2_KIND_ENI, ENIA,
     "{\"NetworkInterfaceId\":\"" ENIA "\",\"SubnetId\":\"" SUBA
     "\",\"AvailabilityZone\":\"us-east-1a\",\"PrivateIpAddress\":\"10.0.0.10\"}"},
    {EC2_KIND_ENI, ENIB,
     "{\"NetworkInterfaceId\":\"" ENIB "\",\"SubnetId\":\"" SUBB
     "\",\"AvailabilityZone\":\"us-east-1b\",\"PrivateIpAddress\":\"10.0.16.20\"}"},
    {EC2_KIND_ENI, ENIN,
     "{\"NetworkInterfaceId\":\"" ENIN "\",\"SubnetId\":\"" SUBA
     "\",\"AvailabilityZone\":\"us-east-1a\",\"PrivateIpAddress\":\"10.0.0.11\"}"},
    {EC2_KIND_ENI, ENIP,
     "{\"NetworkInterfaceId\":\"" ENIP "\",\"SubnetId\":\"" SUBA
     "\",\"AvailabilityZone\":\"us-east-1a\",\"PrivateIpAddress\":\"10.0.0.12\"}"},
    {EC2_KIND_ENI, ENIL,
     "{\"NetworkInterfaceId\":\"" ENIL "\",\"SubnetId\":\"" SUBA
     "\",\"AvailabilityZone\":\"us-east-1a\",\"PrivateIpAddress\":\"10.0.0.13\"}"},
    {EC2_KIND_VPCE, STS,
     "{\"VpcEndpointId\":\"" STS "\",\"VpcEndpointType\":\"Interface\",\"State\":\"available\","
     "\"ServiceName\":\"com.amazonaws.us-east-1.sts\",\"PrivateDnsEnabled\":true,"
     "\"PolicyDocument\":\"{\\\"Statement\\\":[]}\","
     "\"NetworkInterfaceIds\":[\"" ENIB "\",\"" ENIA "\"],\"DnsEntries\":["
     "{\"DnsName\":\"" STS "-abcd1234.sts.us-east-1.vpce.amazonaws.com\"},"
     "{\"DnsName\":\"" STS "-abcd1234-us-east-1a.sts.us-east-1.vpce.amazonaws.com\"},"
     "{\"DnsName\":\"" STS "-abcd1234-us-east-1b.sts.us-east-1.vpce.amazonaws.com\"},"
     "{\"DnsName\":\"sts.us-east-1.amazonaws.com\"}]}"},
    {EC2_KIND_VPCE, NB,
     "{\"VpcEndpointId\":\"" NB "\",\"VpcEndpointType\":\"Interface\",\"State\":\"available\","
     "\"NetworkInterfaceIds\":[\"" ENIN "\"],\"DnsEntries\":["
     "{\"DnsName\":\"" NB "-x.notebook.us-east-1.vpce.sagemaker.aws\"},"
     "{\"DnsName\":\"*.notebook.us-east-1.sagemaker.aws\"}]}"},
    {EC2_KIND_VPCE, S3GW,
     "{\"VpcEndpointId\":\"" S3GW "\",\"VpcEndpointType\":\"Gateway\",\"State\":\"pending\","
     "\"_AvailableAt\":1700000000500,\"PolicyDocument\":\"{\\\"s3\\\":1}\","
     "\"RouteTableIds\":[\"" RTB "\"],\"DnsEntries\":[]}"},
    {EC2_KIND_VPCE, PEND,
     "{\"VpcEndpointId\":\"" PEND "\",\"VpcEndpointType\":\"Interface\",\"State\":\"pending\","
     "\"_AvailableAt\":1700000001000,\"NetworkInterfaceIds\":[\"" ENIP "\"],\"DnsEntries\":["
     "{\"DnsName\":\"logs.us-east-1.amazonaws.com\"}]}"},
    {EC2_KIND_VPCE, NOPD,
     "{\"VpcEndpointId\":\"" NOPD "\",\"VpcEndpointType\":\"Interface\",\"State\":\"available\","
     "\"PrivateDnsEnabled\":false,\"NetworkInterfaceIds\":[\"" ENIL "\"],\"DnsEntries\":["
     "{\"DnsName\":\"" NOPD "-q.kms.us-east-1.vpce.amazonaws.com\"}]}"},
    {EC2_KIND_RTB, RTB,
     "{\"RouteTableId\":\"" RTB "\",\"Routes\":[{\"DestinationCidrBlock\":\"10.0.0.0/16\","
     "\"GatewayId\":\"local\"},{\"DestinationPrefixListId\":\"pl-63a5400a\",\"GatewayId\":\"" S3GW
     "\"}]}"},
};

#define LAB_COUNT (sizeof(lab) / sizeof(lab[0]))

static void test_state(void **state)
{
    (void)state;
    json_t *p = json_pack("{s:s, s:I}", "State", "pending", "_AvailableAt", (json_int_t)T0);
    assert_string_equal(ec2_vpce_state(p, T0 - 1), "pending");
    assert_string_equal(ec2_vpce_state(p, T0), "available");
    json_t *d = json_pack("{s:s, s:I}", "State", "deleting", "_AvailableAt", (json_int_t)0);
    assert_string_equal(ec2_vpce_state(d, T0), "deleting");
    json_t *none = json_object();
    assert_string_equal(ec2_vpce_state(none, T0), "");
    json_t *no_time = json_pack("{s:s}", "State", "pending");
    assert_string_equal(ec2_vpce_state(no_time, T0), "pending");
    json_decref(p);
    json_decref(d);
    json_decref(none);
    json_decref(no_time);
}

static void test_dns_name_match(void **state)
{
    (void)state;
    assert_true(ec2_dns_name_match("sts.us-east-1.amazonaws.com", "sts.us-east-1.amazonaws.com"));
    assert_true(ec2_dns_name_match("sts.us-east-1.amazonaws.com", "STS.us-east-1.AmazonAWS.com."));
    assert_true(ec2_dns_name_match("sts.us-east-1.amazonaws.com.", "sts.us-east-1.amazonaws.com"));
    assert_false(ec2_dns_name_match("sts.us-east-1.amazonaws.com", "xsts.us-east-1.amazonaws.com"));
    assert_false(ec2_dns_name_match("sts.us-east-1.amazonaws.com", "us-east-1.amazonaws.com"));
    const char *w = "*.notebook.us-east-1.sagemaker.aws";
    assert_true(ec2_dns_name_match(w, "nb1.notebook.us-east-1.sagemaker.aws"));
    assert_true(ec2_dns_name_match(w, "a.b.notebook.us-east-1.sagemaker.aws"));
    assert_false(ec2_dns_name_match(w, "notebook.us-east-1.sagemaker.aws"));
    assert_false(ec2_dns_name_match(w, ".notebook.us-east-1.sagemaker.aws"));
    assert_false(ec2_dns_name_match(w, "nb1.xnotebook.us-east-1.sagemaker.aws"));
    assert_false(ec2_dns_name_match(w, "nb1.notebook.us-west-2.sagemaker.aws"));
    assert_false(ec2_dns_name_match(NULL, "a"));
    assert_false(ec2_dns_name_match("a", NULL));
}

static void test_private_dns_picks_the_clients_subnet(void **state)
{
    (void)state;
    struct fix f;
    build(&f, lab, LAB_COUNT);
    struct ec2_dns_answer a;
    assert_int_equal(ec2_resolve_endpoint_dns(&f.g, "sts.us-east-1.amazonaws.com", SUBA, T0, &a),
                     1);
    assert_string_equal(a.endpoint->id, STS);
    assert_string_equal(a.eni->id, ENIA);
    assert_string_equal(a.ip, "10.0.0.10");
    assert_true(a.private_dns);
    assert_string_equal(a.policy, "{\"Statement\":[]}");
    assert_int_equal(ec2_resolve_endpoint_dns(&f.g, "sts.us-east-1.amazonaws.com", SUBB, T0, &a),
                     1);
    assert_string_equal(a.ip, "10.0.16.20");
    // A subnet without an endpoint interface gets the one of its zone.
    assert_int_equal(ec2_resolve_endpoint_dns(&f.g, "sts.us-east-1.amazonaws.com", SUBC, T0, &a),
                     1);
    assert_string_equal(a.eni->id, ENIB);
    // An unknown client: the interface with the lowest id.
    assert_int_equal(ec2_resolve_endpoint_dns(&f.g, "sts.us-east-1.amazonaws.com", NULL, T0, &a),
                     1);
    assert_string_equal(a.eni->id, ENIA);
    release(&f);
}

static void test_vpce_names(void **state)
{
    (void)state;
    struct fix f;
    build(&f, lab, LAB_COUNT);
    struct ec2_dns_answer a;
    // The zonal name of zone b answers with zone b's address even for a client in zone a.
    const char *zonal_b = STS "-abcd1234-us-east-1b.sts.us-east-1.vpce.amazonaws.com";
    assert_int_equal(ec2_resolve_endpoint_dns(&f.g, zonal_b, SUBA, T0, &a), 1);
    assert_string_equal(a.eni->id, ENIB);
    assert_false(a.private_dns);
    const char *regional = STS "-abcd1234.sts.us-east-1.vpce.amazonaws.com";
    assert_int_equal(ec2_resolve_endpoint_dns(&f.g, regional, SUBB, T0, &a), 1);
    assert_string_equal(a.eni->id, ENIB);
    // Without private DNS only the vpce names answer; the service name resolves outside.
    assert_int_equal(ec2_resolve_endpoint_dns(&f.g, "kms.us-east-1.amazonaws.com", SUBA, T0, &a),
                     0);
    assert_null(a.endpoint);
    assert_int_equal(
        ec2_resolve_endpoint_dns(&f.g, NOPD "-q.kms.us-east-1.vpce.amazonaws.com", SUBA, T0, &a),
        1);
    assert_string_equal(a.endpoint->id, NOPD);
    assert_null(a.policy);
    // A name no endpoint has.
    assert_int_equal(ec2_resolve_endpoint_dns(&f.g, "ssm.us-east-1.amazonaws.com", SUBA, T0, &a),
                     0);
    assert_int_equal(ec2_resolve_endpoint_dns(NULL, "x", SUBA, T0, &a), -1);
    assert_int_equal(ec2_resolve_endpoint_dns(&f.g, NULL, SUBA, T0, &a), -1);
    release(&f);
}

static void test_wildcard_and_pending(void **state)
{
    (void)state;
    struct fix f;
    build(&f, lab, LAB_COUNT);
    struct ec2_dns_answer a;
    assert_int_equal(ec2_resolve_endpoint_dns(&f.g, "my-notebook.notebook.us-east-1.sagemaker.aws",
                                              SUBB, T0, &a),
                     1);
    assert_string_equal(a.endpoint->id, NB);
    assert_string_equal(a.ip, "10.0.0.11");
    assert_true(a.private_dns);
    // The logs endpoint is pending until T0 + 1000 ms.
    assert_int_equal(ec2_resolve_endpoint_dns(&f.g, "logs.us-east-1.amazonaws.com", SUBA, T0, &a),
                     0);
    assert_int_equal(
        ec2_resolve_endpoint_dns(&f.g, "logs.us-east-1.amazonaws.com", SUBA, T0 + 1000, &a), 1);
    assert_string_equal(a.endpoint->id, PEND);
    release(&f);
}

static void test_exact_beats_wildcard(void **state)
{
    (void)state;
    static const struct spec specs[] = {
        {EC2_KIND_ENI, ENIA,
         "{\"NetworkInterfaceId\":\"" ENIA "\",\"PrivateIpAddress\":\"10.0.0.10\"}"},
        {EC2_KIND_ENI, ENIB,
         "{\"NetworkInterfaceId\":\"" ENIB "\",\"PrivateIpAddress\":\"10.0.0.20\"}"},
        {EC2_KIND_VPCE, STS,
         "{\"VpcEndpointType\":\"Interface\",\"State\":\"available\",\"NetworkInterfaceIds\":["
         "\"" ENIA "\"],\"DnsEntries\":[{\"DnsName\":\"*.execute-api.us-east-1.amazonaws.com\"}]}"},
        {EC2_KIND_VPCE, NB,
         "{\"VpcEndpointType\":\"Interface\",\"State\":\"available\",\"NetworkInterfaceIds\":["
         "\"" ENIB
         "\"],\"DnsEntries\":[{\"DnsName\":\"abc.execute-api.us-east-1.amazonaws.com\"}]}"},
    };
    struct fix f;
    build(&f, specs, 4);
    struct ec2_dns_answer a;
    assert_int_equal(
        ec2_resolve_endpoint_dns(&f.g, "abc.execute-api.us-east-1.amazonaws.com", NULL, T0, &a), 1);
    assert_string_equal(a.endpoint->id, NB);
    assert_int_equal(
        ec2_resolve_endpoint_dns(&f.g, "xyz.execute-api.us-east-1.amazonaws.com", NULL, T0, &a), 1);
    assert_string_equal(a.endpoint->id, STS);
    release(&f);
}

static void test_endpoint_without_interfaces_does_not_answer(void **state)
{
    (void)state;
    static const struct spec specs[] = {
        {EC2_KIND_VPCE, STS,
         "{\"VpcEndpointType\":\"Interface\",\"State\":\"available\",\"NetworkInterfaceIds\":[],"
         "\"DnsEntries\":[{\"DnsName\":\"sts.us-east-1.amazonaws.com\"}]}"},
    };
    struct fix f;
    build(&f, specs, 1);
    struct ec2_dns_answer a;
    assert_int_equal(ec2_resolve_endpoint_dns(&f.g, "sts.us-east-1.amazonaws.com", NULL, T0, &a),
                     0);
    release(&f);
}

static void test_gateway_routes(void **state)
{
    (void)state;
    struct fix f;
    build(&f, lab, LAB_COUNT);
    // Pending until T0 + 500 ms.
    assert_null(ec2_resolve_gateway_endpoint(&f.g, RTB, "pl-63a5400a", T0));
    const struct ec2_node *n = ec2_resolve_gateway_endpoint(&f.g, RTB, "pl-63a5400a", T0 + 500);
    assert_non_null(n);
    assert_string_equal(n->id, S3GW);
    assert_null(ec2_resolve_gateway_endpoint(&f.g, RTB, "pl-02cd2c6b", T0 + 500));
    assert_null(ec2_resolve_gateway_endpoint(&f.g, "rtb-00000000000000009", "pl-63a5400a", T0));
    assert_null(ec2_resolve_gateway_endpoint(&f.g, SUBA, "pl-63a5400a", T0 + 500));
    assert_null(ec2_resolve_gateway_endpoint(NULL, RTB, "pl-63a5400a", T0 + 500));
    // The gateway endpoint's DNS entries are empty: it never answers a name.
    struct ec2_dns_answer a;
    assert_int_equal(ec2_resolve_endpoint_dns(&f.g, "s3.us-east-1.amazonaws.com", SUBA, T0, &a), 0);
    release(&f);
}

static void test_policy(void **state)
{
    (void)state;
    struct fix f;
    build(&f, lab, LAB_COUNT);
    assert_string_equal(ec2_resolve_endpoint_policy(&f.g, S3GW), "{\"s3\":1}");
    assert_null(ec2_resolve_endpoint_policy(&f.g, NOPD));
    assert_null(ec2_resolve_endpoint_policy(&f.g, "vpce-00000000000000009"));
    assert_null(ec2_resolve_endpoint_policy(&f.g, ENIA));
    assert_null(ec2_resolve_endpoint_policy(NULL, S3GW));
    release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state),
        cmocka_unit_test(test_dns_name_match),
        cmocka_unit_test(test_private_dns_picks_the_clients_subnet),
        cmocka_unit_test(test_vpce_names),
        cmocka_unit_test(test_wildcard_and_pending),
        cmocka_unit_test(test_exact_beats_wildcard),
        cmocka_unit_test(test_endpoint_without_interfaces_does_not_answer),
        cmocka_unit_test(test_gateway_routes),
        cmocka_unit_test(test_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
