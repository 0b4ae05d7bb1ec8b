// SPDX-License-Identifier: Apache-2.0
// Tests of the EC2 store layout and the resource graph of one VPC (ec2_graph_load and friends in
// src/svc/ec2/ec2_common.h) and of the private-address accounting of subnets
// (ec2_subnet_take_ip / ec2_subnet_release_ip), on a real SQLite store in a temporary directory.
// The objects are written the way the handlers write them (ec2_put with parent and path), in two
// VPCs and two regions, so that the graph must pick exactly one VPC's resources.
//
// Address expectations come from the Amazon VPC User Guide ("Subnet CIDR blocks": the first four
// addresses and the last one of every subnet are reserved, so a /28 has 11 usable addresses) and
// from cidr.h's contract (addresses are handed out from the bottom of the subnet).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fixture.h"

#include "svc/ec2/ec2_common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct ec2_kind *K(const char *kind)
{
    const struct ec2_kind *k = ec2_kind_by_store(kind);
    assert_non_null(k);
    return k;
}

// Stores a document given as JSON text.
static void put(struct fix *f, const char *kind, const char *id, const char *parent,
                const char *path, const char *json)
{
    json_t *doc = json_loads(json, 0, NULL);
    assert_non_null(doc);
    assert_int_equal(ec2_put(&f->call, K(kind), id, parent, path, doc, STORE_CREATE), 0);
    json_decref(doc);
}

#define VPC1 "vpc-00000000000000001"
#define VPC2 "vpc-00000000000000002"
#define SUB1 "subnet-00000000000000001"
#define SUB2 "subnet-00000000000000002"
#define SG1  "sg-00000000000000001"

// Two VPCs in us-east-1 (VPC1 with two subnets, ENIs, a security group and its rules, an attached
// gateway and an Elastic IP; VPC2 with one subnet) and a VPC with the same id in eu-west-1.
static void populate(struct fix *f)
{
    put(f, EC2_KIND_DOPT, "dopt-00000000000000001", NULL, NULL,
        "{\"DhcpOptionsId\":\"dopt-00000000000000001\",\"DhcpConfigurations\":[]}");
    put(f, EC2_KIND_VPC, VPC1, NULL, NULL,
        "{\"VpcId\":\"" VPC1 "\",\"CidrBlock\":\"10.0.0.0/16\","
        "\"DhcpOptionsId\":\"dopt-00000000000000001\"}");
    put(f, EC2_KIND_VPC, VPC2, NULL, NULL,
        "{\"VpcId\":\"" VPC2 "\",\"CidrBlock\":\"10.1.0.0/16\",\"DhcpOptionsId\":\"default\"}");
    put(f, EC2_KIND_SUBNET, SUB1, VPC1, NULL,
        "{\"SubnetId\":\"" SUB1 "\",\"VpcId\":\"" VPC1 "\",\"CidrBlock\":\"10.0.0.0/28\","
        "\"AvailableIpAddressCount\":11,\"_UsedIps\":{}}");
    put(f, EC2_KIND_SUBNET, SUB2, VPC1, NULL,
        "{\"SubnetId\":\"" SUB2 "\",\"VpcId\":\"" VPC1 "\",\"CidrBlock\":\"10.0.1.0/24\"}");
    put(f, EC2_KIND_SUBNET, "subnet-00000000000000003", VPC2, NULL,
        "{\"SubnetId\":\"subnet-00000000000000003\",\"VpcId\":\"" VPC2 "\"}");
    put(f, EC2_KIND_ENI, "eni-00000000000000001", VPC1, SUB1,
        "{\"NetworkInterfaceId\":\"eni-00000000000000001\"}");
    put(f, EC2_KIND_ENI, "eni-00000000000000002", VPC1, SUB1,
        "{\"NetworkInterfaceId\":\"eni-00000000000000002\"}");
    put(f, EC2_KIND_ENI, "eni-00000000000000003", VPC1, SUB2,
        "{\"NetworkInterfaceId\":\"eni-00000000000000003\"}");
    put(f, EC2_KIND_SG, SG1, VPC1, NULL, "{\"GroupId\":\"" SG1 "\"}");
    put(f, EC2_KIND_SGR, "sgr-00000000000000001", VPC1, SG1, "{\"GroupId\":\"" SG1 "\"}");
    put(f, EC2_KIND_SGR, "sgr-00000000000000002", VPC1, SG1, "{\"GroupId\":\"" SG1 "\"}");
    put(f, EC2_KIND_IGW, "igw-00000000000000001", VPC1, NULL,
        "{\"InternetGatewayId\":\"igw-00000000000000001\"}");
    put(f, EC2_KIND_IGW, "igw-00000000000000002", NULL, NULL,
        "{\"InternetGatewayId\":\"igw-00000000000000002\"}"); // detached
    put(f, EC2_KIND_EIP, "eipalloc-00000000000000001", VPC1, "eni-00000000000000001",
        "{\"AllocationId\":\"eipalloc-00000000000000001\"}");
    f->call.region = "eu-west-1";
    put(f, EC2_KIND_VPC, VPC1, NULL, NULL, "{\"VpcId\":\"" VPC1 "\"}");
    put(f, EC2_KIND_SUBNET, "subnet-00000000000000009", VPC1, NULL, "{}");
    f->call.region = "us-east-1";
}

static void t_graph(void **state)
{
    struct fix *f = *state;
    populate(f);
    struct ec2_graph g;
    assert_int_equal(ec2_graph_load(&f->call, VPC1, &g), 0);
    // the VPC, 2 subnets, 3 ENIs, 1 SG, 2 rules, 1 attached gateway, 1 EIP, the DHCP options
    assert_int_equal(g.count, 12);
    assert_string_equal(g.vpc_id, VPC1);
    assert_non_null(g.vpc);
    assert_string_equal(ec2_str(g.vpc->doc, "CidrBlock"), "10.0.0.0/16");
    for (size_t i = 1; i < g.count; i++) {
        assert_true(strcmp(g.nodes[i - 1].id, g.nodes[i].id) < 0); // sorted by id
    }
    const struct ec2_node *n = ec2_graph_find(&g, "eni-00000000000000003");
    assert_non_null(n);
    assert_string_equal(n->kind->kind, EC2_KIND_ENI);
    assert_string_equal(n->path, SUB2);
    assert_null(ec2_graph_find(&g, "subnet-00000000000000003")); // VPC2's
    assert_null(ec2_graph_find(&g, "igw-00000000000000002"));    // not attached
    assert_null(ec2_graph_find(&g, "subnet-00000000000000009")); // other region
    assert_non_null(ec2_graph_find(&g, "dopt-00000000000000001"));

    const struct ec2_node **sel;
    assert_int_equal(ec2_graph_select(&f->call, &g, EC2_KIND_ENI, SUB1, &sel), 2);
    assert_string_equal(sel[0]->id, "eni-00000000000000001");
    assert_int_equal(ec2_graph_select(&f->call, &g, EC2_KIND_ENI, NULL, &sel), 3);
    assert_int_equal(ec2_graph_select(&f->call, &g, EC2_KIND_SGR, SG1, &sel), 2);
    assert_int_equal(ec2_graph_select(&f->call, &g, EC2_KIND_SUBNET, NULL, &sel), 2);
    assert_int_equal(ec2_graph_select(&f->call, &g, EC2_KIND_RTB, NULL, &sel), 0);
    ec2_graph_release(&g);
    ec2_graph_release(&g); // harmless twice

    assert_int_equal(ec2_graph_load(&f->call, VPC2, &g), 0);
    assert_int_equal(g.count, 2); // "default" DHCP options name no set
    ec2_graph_release(&g);

    assert_int_equal(ec2_graph_load(&f->call, "vpc-0000000000000000f", &g), SB_ENOTFOUND);
    assert_int_equal(g.count, 0);
}

static void t_store_helpers(void **state)
{
    struct fix *f = *state;
    populate(f);
    struct store_obj *items;
    size_t n;
    assert_int_equal(ec2_list_all(&f->call, K(EC2_KIND_ENI), VPC1, SUB1, &items, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ec2_any_child(&f->call, K(EC2_KIND_ENI), VPC1, SUB2), 1);
    assert_int_equal(ec2_any_child(&f->call, K(EC2_KIND_ENI), VPC2, NULL), 0);

    const struct ec2_kind *k;
    json_t *doc;
    assert_int_equal(ec2_get_any(&f->call, SG1, &k, NULL, &doc), 0);
    assert_string_equal(k->kind, EC2_KIND_SG);
    json_decref(doc);
    assert_int_equal(ec2_get_any(&f->call, "i-00000000000000001", &k, NULL, &doc), SB_ENOTFOUND);
    assert_int_equal(ec2_get_any(&f->call, "sg-0000000000000000f", &k, NULL, &doc), SB_ENOTFOUND);

    // ec2_load: the form first, then existence (no action: no authorization)
    assert_int_equal(ec2_load(&f->call, K(EC2_KIND_VPC), "vpc-123", NULL, NULL, &doc), -1);
    assert_string_equal(f->call.err.code, "InvalidVpcID.Malformed");
    assert_string_equal(f->call.err.message, "Invalid id: \"vpc-123\" (expecting \"vpc-...\")");
    assert_int_equal(ec2_load(&f->call, K(EC2_KIND_VPC), "vpc-0000000000000000f", NULL, NULL, &doc),
                     -1);
    assert_string_equal(f->call.err.code, "InvalidVpcID.NotFound");
    assert_string_equal(f->call.err.message, "The vpc ID 'vpc-0000000000000000f' does not exist");
    assert_int_equal(f->call.err.status, 400);
    assert_int_equal(ec2_load(&f->call, K(EC2_KIND_VPC), VPC2, NULL, NULL, &doc), 0);
    json_decref(doc);

    assert_int_equal(ec2_delete(&f->call, K(EC2_KIND_SG), SG1), 0);
    assert_int_equal(ec2_delete(&f->call, K(EC2_KIND_SG), SG1), 0); // absent is fine
    assert_string_equal(ec2_arn(&f->call, "subnet", SUB1),
                        "arn:aws:ec2:us-east-1:111122223333:subnet/" SUB1);
    const char *id = ec2_new_id(&f->call, "vpc-cidr-assoc");
    assert_true(ec2_id_wellformed(id, "vpc-cidr-assoc"));
}

static int take(struct fix *f, const char *subnet, const char *ip, char *out)
{
    return ec2_subnet_take_ip(&f->call, subnet, ip, "eni-00000000000000001", out, CIDR_TEXT_MAX);
}

static long count_of(struct fix *f, const char *subnet)
{
    json_t *doc;
    assert_int_equal(ec2_get(&f->call, K(EC2_KIND_SUBNET), subnet, NULL, &doc), 0);
    long n = (long)json_integer_value(json_object_get(doc, "AvailableIpAddressCount"));
    json_decref(doc);
    return n;
}

static void t_subnet_addresses(void **state)
{
    struct fix *f = *state;
    populate(f);
    char ip[CIDR_TEXT_MAX];
    // 10.0.0.0/28: .0-.3 and .15 are reserved, 11 usable, handed out from .4 up
    assert_int_equal(take(f, SUB1, NULL, ip), 0);
    assert_string_equal(ip, "10.0.0.4");
    assert_int_equal(count_of(f, SUB1), 10);
    assert_int_equal(take(f, SUB1, "10.0.0.9", ip), 0);
    assert_string_equal(ip, "10.0.0.9");
    assert_int_equal(take(f, SUB1, NULL, ip), 0);
    assert_string_equal(ip, "10.0.0.5");

    assert_int_equal(take(f, SUB1, "10.0.0.9", ip), -1);
    assert_string_equal(f->call.err.code, "InvalidIPAddress.InUse");
    assert_int_equal(take(f, SUB1, "10.0.0.1", ip), -1);
    assert_string_equal(f->call.err.code, "InvalidParameterValue");
    assert_int_equal(take(f, SUB1, "10.0.0.15", ip), -1);
    assert_string_equal(f->call.err.code, "InvalidParameterValue");
    assert_int_equal(take(f, SUB1, "10.0.1.4", ip), -1);
    assert_string_equal(f->call.err.code, "InvalidParameterValue");
    assert_int_equal(take(f, SUB1, "not-an-ip", ip), -1);
    assert_string_equal(f->call.err.code, "InvalidParameterValue");
    assert_int_equal(take(f, "subnet-0000000000000000f", NULL, ip), -1);
    assert_string_equal(f->call.err.code, "InvalidSubnetID.NotFound");

    for (int i = 0; i < 8; i++) {
        assert_int_equal(take(f, SUB1, NULL, ip), 0);
    }
    assert_int_equal(count_of(f, SUB1), 0);
    assert_int_equal(take(f, SUB1, NULL, ip), -1);
    assert_string_equal(f->call.err.code, "InsufficientFreeAddressesInSubnet");
    assert_string_equal(f->call.err.message, "The specified subnet does not have enough free "
                                             "addresses to satisfy the request.");

    assert_int_equal(ec2_subnet_release_ip(&f->call, SUB1, "10.0.0.9"), 0);
    assert_int_equal(count_of(f, SUB1), 1);
    assert_int_equal(ec2_subnet_release_ip(&f->call, SUB1, "10.0.0.9"), 0); // not held: nothing
    assert_int_equal(count_of(f, SUB1), 1);
    assert_int_equal(take(f, SUB1, NULL, ip), 0);
    assert_string_equal(ip, "10.0.0.9"); // the freed address is the lowest free one again
    assert_int_equal(ec2_subnet_release_ip(&f->call, "subnet-0000000000000000f", "10.0.0.9"), 0);
}

static int setup(void **state)
{
    struct fix *f = fix_open("sbec2", "111122223333", "ec2", "Test");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix_close(*state);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_graph, setup, teardown),
        cmocka_unit_test_setup_teardown(t_store_helpers, setup, teardown),
        cmocka_unit_test_setup_teardown(t_subnet_addresses, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
