// SPDX-License-Identifier: Apache-2.0
// Tests of routing in a VPC (src/svc/ec2/routing.h): the route a subnet's packet takes, the
// liveness of route targets ("blackhole"), and the time-driven states of NAT gateways. The graphs
// are built in memory the way ec2_graph_load returns them (nodes sorted by id, documents in the
// shapes the handlers store), so these tests need no store.
//
// Expected choices come from the Amazon VPC User Guide, "How route priority works": the longest
// prefix wins (10.10.2.15/32 over 10.10.2.0/24; 172.31.0.0/16 to a peering connection over
// 0.0.0.0/0 to an internet gateway, the guide's own example table); IPv4 and IPv6 routes are
// independent; static routes win over prefix-list routes; a subnet without an explicit association
// uses the main route table ("Subnet route tables"). NAT gateway states are those of the NatGateway
// shape (pending, failed, available, deleting, deleted) and its failure codes and messages (EC2 API
// Reference, NatGateway).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svc/ec2/routing.h"

#include <stdlib.h>
#include <string.h>

#define VPC  "vpc-00000000000000001"
#define VPC2 "vpc-00000000000000002"
#define SUBA "subnet-0000000000000000a"
#define SUBB "subnet-0000000000000000b"
#define SUBC "subnet-0000000000000000c"
#define MAIN "rtb-00000000000000001"
#define PUB  "rtb-00000000000000002"
#define PRIV "rtb-00000000000000003"
#define IGW  "igw-00000000000000001"
#define NAT  "nat-00000000000000001"
#define VPCE "vpce-00000000000000001"
#define ENI  "eni-00000000000000001"
#define S3PL "pl-63a5400a"

// A graph under construction.
struct gb {
    struct ec2_node nodes[32];
    size_t n;
    struct ec2_graph g;
};

static void add(struct gb *b, const char *kind, const char *id, const char *parent,
                const char *path, const char *json)
{
    assert_true(b->n < 32);
    json_error_t e;
    json_t *doc = json_loads(json, 0, &e);
    if (doc == NULL) {
        fail_msg("bad test JSON for %s: %s", id, e.text);
    }
    struct ec2_node *node = &b->nodes[b->n++];
    node->kind = ec2_kind_by_store(kind);
    assert_non_null(node->kind);
    node->id = id;
    node->parent = parent;
    node->path = path;
    node->doc = doc;
}

static int node_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ec2_node *)a)->id, ((const struct ec2_node *)b)->id);
}

static const struct ec2_graph *finish(struct gb *b)
{
    qsort(b->nodes, b->n, sizeof(b->nodes[0]), node_cmp);
    b->g.vpc_id = VPC;
    b->g.nodes = b->nodes;
    b->g.count = b->n;
    b->g.vpc = ec2_graph_find(&b->g, VPC);
    return &b->g;
}

static void release(struct gb *b)
{
    for (size_t i = 0; i < b->n; i++) {
        json_decref(b->nodes[i].doc);
    }
    b->n = 0;
}

// A route table document with the given Associations and Routes (JSON arrays as text).
static char *rtb(const char *id, const char *assocs, const char *routes)
{
    static char buf[8][2048];
    static int next;
    char *out = buf[next++ % 8];
    snprintf(out, sizeof(buf[0]),
             "{\"RouteTableId\":\"%s\",\"VpcId\":\"" VPC "\",\"Associations\":%s,\"Routes\":%s}",
             id, assocs, routes);
    return out;
}

static struct ec2_route_dest dest(const char *ip)
{
    struct ec2_route_dest d = {0};
    assert_int_equal(cidr_parse(ip, strlen(ip), &d.addr), 0);
    return d;
}

static struct ec2_route_choice pick(const struct ec2_graph *g, const char *subnet,
                                    struct ec2_route_dest d, time_t now)
{
    struct ec2_route_choice ch;
    assert_int_equal(ec2_routing_select(g, subnet, &d, now, &ch), 0);
    return ch;
}

#define LOCAL_ROUTE                                                                                \
    "{\"DestinationCidrBlock\":\"10.0.0.0/"                                                        \
    "16\",\"GatewayId\":\"local\",\"Origin\":"                                                     \
    "\"CreateRouteTable\",\"State\":\"active\"}"

// The VPC with three subnets, an attached internet gateway and the main table.
static void base(struct gb *b, bool main_member)
{
    add(b, EC2_KIND_VPC, VPC, NULL, NULL,
        main_member ? "{\"VpcId\":\"" VPC "\",\"CidrBlock\":\"10.0.0.0/16\","
                      "\"_MainRouteTableId\":\"" MAIN "\"}"
                    : "{\"VpcId\":\"" VPC "\",\"CidrBlock\":\"10.0.0.0/16\"}");
    add(b, EC2_KIND_SUBNET, SUBA, VPC, NULL,
        "{\"SubnetId\":\"" SUBA "\",\"VpcId\":\"" VPC "\",\"CidrBlock\":\"10.0.0.0/24\"}");
    add(b, EC2_KIND_SUBNET, SUBB, VPC, NULL,
        "{\"SubnetId\":\"" SUBB "\",\"VpcId\":\"" VPC "\",\"CidrBlock\":\"10.0.1.0/24\"}");
    add(b, EC2_KIND_SUBNET, SUBC, VPC, NULL,
        "{\"SubnetId\":\"" SUBC "\",\"VpcId\":\"" VPC "\",\"CidrBlock\":\"10.0.2.0/24\"}");
    add(b, EC2_KIND_IGW, IGW, VPC, NULL,
        "{\"InternetGatewayId\":\"" IGW "\",\"Attachments\":[{\"State\":\"available\","
        "\"VpcId\":\"" VPC "\"}]}");
    add(b, EC2_KIND_RTB, MAIN, VPC, NULL,
        rtb(MAIN,
            "[{\"Main\":true,\"RouteTableAssociationId\":\"rtbassoc-"
            "00000000000000001\","
            "\"RouteTableId\":\"" MAIN "\"}]",
            "[" LOCAL_ROUTE "]"));
}

// The guide's example table: local, 172.31.0.0/16 to a peering connection, 0.0.0.0/0 to the
// internet gateway; plus the /32-over-/24 example.
static void t_longest_prefix(void **state)
{
    (void)state;
    struct gb b = {0};
    base(&b, true);
    add(&b, EC2_KIND_RTB, PUB, VPC, NULL,
        rtb(PUB,
            "[{\"Main\":false,\"RouteTableAssociationId\":\"rtbassoc-"
            "00000000000000002\","
            "\"RouteTableId\":\"" PUB "\",\"SubnetId\":\"" SUBA "\"}]",
            "[" LOCAL_ROUTE ","
            "{\"DestinationCidrBlock\":\"172.31.0.0/"
            "16\",\"VpcPeeringConnectionId\":"
            "\"pcx-11223344556677889\",\"Origin\":\"CreateRoute\",\"State\":"
            "\"active\"},"
            "{\"DestinationCidrBlock\":\"0.0.0.0/0\",\"GatewayId\":\"" IGW "\","
            "\"Origin\":\"CreateRoute\",\"State\":\"active\"},"
            "{\"DestinationCidrBlock\":\"10.10.2.0/"
            "24\",\"NetworkInterfaceId\":\"" ENI "\"},"
            "{\"DestinationCidrBlock\":\"10.10.2.15/32\",\"GatewayId\":\"" IGW "\"}]"));
    add(&b, EC2_KIND_ENI, ENI, VPC, SUBA, "{\"NetworkInterfaceId\":\"" ENI "\"}");
    const struct ec2_graph *g = finish(&b);

    struct ec2_route_choice ch = pick(g, SUBA, dest("172.31.5.5"), 0);
    assert_int_equal(ch.kind,
                     EC2_ROUTE_BLACKHOLE); // the peering connection is not in the graph
    assert_string_equal(ch.target_id, "pcx-11223344556677889");
    assert_int_equal(ch.prefix, 16);
    assert_string_equal(ch.route_table_id, PUB);

    ch = pick(g, SUBA, dest("10.0.3.3"), 0);
    assert_int_equal(ch.kind, EC2_ROUTE_LOCAL);
    assert_string_equal(ch.target_id, "local");
    assert_int_equal(ch.prefix, 16);

    ch = pick(g, SUBA, dest("8.8.8.8"), 0);
    assert_int_equal(ch.kind, EC2_ROUTE_IGW);
    assert_string_equal(ch.target_id, IGW);
    assert_int_equal(ch.prefix, 0);
    assert_string_equal(ec2_str(ch.route, "DestinationCidrBlock"), "0.0.0.0/0");

    ch = pick(g, SUBA, dest("10.10.2.15"), 0);
    assert_int_equal(ch.kind, EC2_ROUTE_IGW);
    assert_int_equal(ch.prefix, 32);
    ch = pick(g, SUBA, dest("10.10.2.16"), 0);
    assert_int_equal(ch.kind, EC2_ROUTE_ENI);
    assert_string_equal(ch.target_id, ENI);
    assert_int_equal(ch.prefix, 24);
    assert_string_equal(ec2_routing_kind_name(ch.kind), "eni");
    release(&b);
}

// Explicit association first, else the main table (by the VPC's _MainRouteTableId, or by the Main
// association when the VPC does not name it); a table without a matching route drops.
static void t_table_choice(void **state)
{
    (void)state;
    for (int with_member = 0; with_member < 2; with_member++) {
        struct gb b = {0};
        base(&b, with_member == 1);
        add(&b, EC2_KIND_RTB, PUB, VPC, NULL,
            rtb(PUB,
                "[{\"Main\":false,\"RouteTableAssociationId\":\"rtbassoc-"
                "00000000000000002\","
                "\"RouteTableId\":\"" PUB "\",\"SubnetId\":\"" SUBA "\"},"
                "{\"Main\":false,\"RouteTableAssociationId\":\"rtbassoc-"
                "00000000000000003\","
                "\"RouteTableId\":\"" PUB "\",\"SubnetId\":\"" SUBB "\"}]",
                "[" LOCAL_ROUTE ",{\"DestinationCidrBlock\":\"0.0.0.0/0\",\"GatewayId\":\"" IGW
                "\"}]"));
        const struct ec2_graph *g = finish(&b);
        assert_string_equal(ec2_routing_subnet_table(g, SUBA)->id, PUB);
        assert_string_equal(ec2_routing_subnet_table(g, SUBB)->id, PUB);
        assert_string_equal(ec2_routing_subnet_table(g, SUBC)->id, MAIN);

        struct ec2_route_choice ch = pick(g, SUBB, dest("93.184.216.34"), 0);
        assert_int_equal(ch.kind, EC2_ROUTE_IGW);
        ch = pick(g, SUBC, dest("93.184.216.34"), 0);
        assert_int_equal(ch.kind, EC2_ROUTE_NONE);
        assert_string_equal(ec2_routing_kind_name(ch.kind), "none");
        assert_string_equal(ch.route_table_id, MAIN);
        assert_null(ch.route);
        assert_null(ch.target_id);
        ch = pick(g, SUBC, dest("10.0.1.9"), 0);
        assert_int_equal(ch.kind, EC2_ROUTE_LOCAL);

        // a subnet that is not in the graph, and an id of another kind
        struct ec2_route_dest d = dest("10.0.0.1");
        struct ec2_route_choice none;
        assert_int_equal(ec2_routing_select(g, "subnet-0000000000000000f", &d, 0, &none),
                         SB_ENOTFOUND);
        assert_int_equal(ec2_routing_select(g, PUB, &d, 0, &none), SB_ENOTFOUND);
        assert_int_equal(none.kind, EC2_ROUTE_NONE);
        release(&b);
    }
}

// Prefix-list routes (a gateway endpoint's route to S3's list) compete by the prefix of the list
// entry that holds the destination; on equal length the static route wins.
static void t_prefix_lists(void **state)
{
    (void)state;
    struct gb b = {0};
    base(&b, true);
    add(&b, EC2_KIND_VPCE, VPCE, VPC, NULL,
        "{\"VpcEndpointId\":\"" VPCE "\",\"VpcEndpointType\":\"Gateway\",\"State\":"
        "\"available\"}");
    add(&b, EC2_KIND_NAT, NAT, VPC, SUBA,
        "{\"NatGatewayId\":\"" NAT "\",\"State\":\"available\",\"VpcId\":\"" VPC "\"}");
    add(&b, EC2_KIND_RTB, PRIV, VPC, NULL,
        rtb(PRIV,
            "[{\"Main\":false,\"RouteTableAssociationId\":\"rtbassoc-"
            "00000000000000004\","
            "\"RouteTableId\":\"" PRIV "\",\"SubnetId\":\"" SUBB "\"}]",
            "[" LOCAL_ROUTE ","
            "{\"DestinationCidrBlock\":\"0.0.0.0/0\",\"NatGatewayId\":\"" NAT "\","
            "\"Origin\":\"CreateRoute\",\"State\":\"active\"},"
            "{\"DestinationPrefixListId\":\"" S3PL "\",\"GatewayId\":\"" VPCE "\","
            "\"Origin\":\"CreateRoute\",\"State\":\"active\"},"
            "{\"DestinationCidrBlock\":\"54.231.0.0/16\",\"NatGatewayId\":\"" NAT "\"},"
            "{\"DestinationCidrBlock\":\"16.182.0.0/16\",\"NatGatewayId\":\"" NAT "\"}]"));
    const struct ec2_graph *g = finish(&b);

    // 52.216.8.1 is in S3's 52.216.0.0/15: the endpoint's route (15) beats 0.0.0.0/0
    struct ec2_route_pl in_s3_15 = {S3PL, 15};
    struct ec2_route_dest d = dest("52.216.8.1");
    d.pls = &in_s3_15;
    d.pl_count = 1;
    struct ec2_route_choice ch = pick(g, SUBB, d, 0);
    assert_int_equal(ch.kind, EC2_ROUTE_VPCE);
    assert_string_equal(ch.target_id, VPCE);
    assert_int_equal(ch.prefix, 15);
    assert_string_equal(ec2_str(ch.route, "DestinationPrefixListId"), S3PL);

    // 54.231.0.1 is in S3's 54.231.0.0/16: the static /16 to the NAT gateway ties and wins
    struct ec2_route_pl in_s3_16 = {S3PL, 16};
    d = dest("54.231.0.1");
    d.pls = &in_s3_16;
    d.pl_count = 1;
    ch = pick(g, SUBB, d, 0);
    assert_int_equal(ch.kind, EC2_ROUTE_NAT);
    assert_int_equal(ch.prefix, 16);

    // 16.182.1.1 in a /15 entry of the list: the more specific static /16 wins
    d = dest("16.182.1.1");
    d.pls = &in_s3_15;
    d.pl_count = 1;
    ch = pick(g, SUBB, d, 0);
    assert_int_equal(ch.kind, EC2_ROUTE_NAT);

    // the same address without prefix-list membership: the default route
    ch = pick(g, SUBB, dest("52.216.8.1"), 0);
    assert_int_equal(ch.kind, EC2_ROUTE_NAT);
    assert_int_equal(ch.prefix, 0);
    assert_string_equal(ec2_routing_kind_name(ch.kind), "nat");

    // a deleted gateway endpoint leaves its route a blackhole
    json_object_set_new((json_t *)ec2_graph_find(g, VPCE)->doc, "State", json_string("deleted"));
    d = dest("52.216.8.1");
    d.pls = &in_s3_15;
    d.pl_count = 1;
    ch = pick(g, SUBB, d, 0);
    assert_int_equal(ch.kind, EC2_ROUTE_BLACKHOLE);
    assert_string_equal(ch.target_id, VPCE);
    release(&b);
}

// Routes whose targets are gone: a NAT gateway deleting, deleted or failed, an internet gateway
// detached or attached elsewhere, a target that is not in the graph at all.
static void t_blackholes(void **state)
{
    (void)state;
    struct gb b = {0};
    base(&b, true);
    add(&b, EC2_KIND_NAT, NAT, VPC, SUBA,
        "{\"NatGatewayId\":\"" NAT "\",\"State\":\"available\",\"_ReadyAt\":100,"
        "\"VpcId\":\"" VPC "\"}");
    add(&b, EC2_KIND_RTB, PRIV, VPC, NULL,
        rtb(PRIV,
            "[{\"Main\":false,\"RouteTableAssociationId\":\"rtbassoc-"
            "00000000000000004\","
            "\"RouteTableId\":\"" PRIV "\",\"SubnetId\":\"" SUBB "\"}]",
            "[" LOCAL_ROUTE ","
            "{\"DestinationCidrBlock\":\"0.0.0.0/0\",\"NatGatewayId\":\"" NAT "\"},"
            "{\"DestinationCidrBlock\":\"198.51.100.0/24\",\"GatewayId\":\"" IGW "\"},"
            "{\"DestinationCidrBlock\":\"203.0.113.0/24\",\"NatGatewayId\":"
            "\"nat-0000000000000000f\"},"
            "{\"DestinationIpv6CidrBlock\":\"::/0\",\"GatewayId\":\"" IGW "\"}]"));
    const struct ec2_graph *g = finish(&b);
    json_t *nat = (json_t *)ec2_graph_find(g, NAT)->doc;
    json_t *igw = (json_t *)ec2_graph_find(g, IGW)->doc;

    // pending (before _ReadyAt) and available routes carry traffic
    assert_int_equal(pick(g, SUBB, dest("1.1.1.1"), 50).kind, EC2_ROUTE_NAT);
    assert_int_equal(pick(g, SUBB, dest("1.1.1.1"), 150).kind, EC2_ROUTE_NAT);
    // deleting and deleted NAT gateways do not
    json_object_set_new(nat, "State", json_string("deleted"));
    json_object_set_new(nat, "_GoneAt", json_integer(200));
    struct ec2_route_choice ch = pick(g, SUBB, dest("1.1.1.1"), 150);
    assert_int_equal(ch.kind, EC2_ROUTE_BLACKHOLE);
    assert_string_equal(ch.target_id, NAT);
    assert_string_equal(ec2_routing_kind_name(ch.kind), "blackhole");
    assert_int_equal(pick(g, SUBB, dest("1.1.1.1"), 250).kind, EC2_ROUTE_BLACKHOLE);
    // a failed one neither
    json_object_set_new(nat, "State", json_string("failed"));
    assert_int_equal(pick(g, SUBB, dest("1.1.1.1"), 50).kind, EC2_ROUTE_NAT);
    assert_int_equal(pick(g, SUBB, dest("1.1.1.1"), 100).kind, EC2_ROUTE_BLACKHOLE);

    // a NAT gateway that does not exist
    assert_int_equal(pick(g, SUBB, dest("203.0.113.9"), 0).kind, EC2_ROUTE_BLACKHOLE);

    // the internet gateway, attached; then detached; then attached to another VPC
    assert_int_equal(pick(g, SUBB, dest("198.51.100.7"), 0).kind, EC2_ROUTE_IGW);
    assert_int_equal(pick(g, SUBB, dest("2001:db8::1"), 0).kind, EC2_ROUTE_IGW);
    json_object_set_new(igw, "Attachments", json_array());
    assert_int_equal(pick(g, SUBB, dest("198.51.100.7"), 0).kind, EC2_ROUTE_BLACKHOLE);
    json_object_set_new(igw, "Attachments",
                        json_pack("[{s:s, s:s}]", "State", "available", "VpcId", VPC2));
    assert_int_equal(pick(g, SUBB, dest("198.51.100.7"), 0).kind, EC2_ROUTE_BLACKHOLE);
    json_object_set_new(igw, "Attachments",
                        json_pack("[{s:s, s:s}]", "State", "attached", "VpcId", VPC));
    assert_int_equal(pick(g, SUBB, dest("198.51.100.7"), 0).kind, EC2_ROUTE_IGW);
    release(&b);
}

// IPv4 and IPv6 routes are independent: 0.0.0.0/0 never carries an IPv6 packet.
static void t_families(void **state)
{
    (void)state;
    struct gb b = {0};
    base(&b, true);
    add(&b, EC2_KIND_RTB, PUB, VPC, NULL,
        rtb(PUB,
            "[{\"Main\":false,\"RouteTableAssociationId\":\"rtbassoc-"
            "00000000000000002\","
            "\"RouteTableId\":\"" PUB "\",\"SubnetId\":\"" SUBA "\"}]",
            "[" LOCAL_ROUTE ",{\"DestinationCidrBlock\":\"0.0.0.0/0\",\"GatewayId\":\"" IGW
            "\"},{\"DestinationIpv6CidrBlock\":\"2600:1f18:aa00::/"
            "56\",\"GatewayId\":"
            "\"local\"}]"));
    const struct ec2_graph *g = finish(&b);
    assert_int_equal(pick(g, SUBA, dest("2001:db8::1"), 0).kind, EC2_ROUTE_NONE);
    struct ec2_route_choice ch = pick(g, SUBA, dest("2600:1f18:aa00::5"), 0);
    assert_int_equal(ch.kind, EC2_ROUTE_LOCAL);
    assert_int_equal(ch.prefix, 56);
    assert_int_equal(pick(g, SUBA, dest("9.9.9.9"), 0).kind, EC2_ROUTE_IGW);
    release(&b);
}

// Route targets and states of single routes.
static void t_route_state(void **state)
{
    (void)state;
    json_t *local =
        json_pack("{s:s, s:s}", "DestinationCidrBlock", "10.0.0.0/16", "GatewayId", "local");
    json_t *to_eni =
        json_pack("{s:s, s:s}", "DestinationCidrBlock", "0.0.0.0/0", "NetworkInterfaceId", ENI);
    json_t *to_pcx = json_pack("{s:s, s:s}", "DestinationCidrBlock", "0.0.0.0/0",
                               "VpcPeeringConnectionId", "pcx-1");
    json_t *none = json_pack("{s:s}", "DestinationCidrBlock", "0.0.0.0/0");
    json_t *eni = json_pack("{s:s}", "NetworkInterfaceId", ENI);
    assert_string_equal(ec2_routing_route_target(local), "local");
    assert_string_equal(ec2_routing_route_target(to_eni), ENI);
    assert_string_equal(ec2_routing_route_target(to_pcx), "pcx-1");
    assert_null(ec2_routing_route_target(none));
    assert_string_equal(ec2_routing_route_state(local, VPC, NULL, 0), "active");
    assert_string_equal(ec2_routing_route_state(to_eni, VPC, eni, 0), "active");
    assert_string_equal(ec2_routing_route_state(to_eni, VPC, NULL, 0), "blackhole");
    assert_string_equal(ec2_routing_route_state(none, VPC, NULL, 0), "blackhole");
    json_decref(local);
    json_decref(to_eni);
    json_decref(to_pcx);
    json_decref(none);
    json_decref(eni);
}

// NAT gateway states over time, and what a settled document shows.
static void t_nat_states(void **state)
{
    (void)state;
    // stored as it ends ("available"), shown "pending" until _ReadyAt
    json_t *nat =
        json_loads("{\"NatGatewayId\":\"" NAT "\",\"State\":\"available\",\"NatGatewayAddresses\":"
                   "[{\"AllocationId\":\"eipalloc-1\"}],\"_ReadyAt\":1000,\"_Addresses\":"
                   "[{\"AllocationId\":\"eipalloc-1\",\"NetworkInterfaceId\":\"" ENI "\","
                   "\"PrivateIp\":\"10.0.0.4\",\"PublicIp\":\"198.51.100.7\"}]}",
                   0, NULL);
    assert_non_null(nat);
    assert_string_equal(ec2_routing_nat_state(nat, 999), "pending");
    assert_string_equal(ec2_routing_nat_state(nat, 1000), "available");

    json_t *copy = json_deep_copy(nat);
    ec2_routing_nat_settle(copy, 999);
    assert_string_equal(ec2_str(copy, "State"), "pending");
    assert_int_equal(json_array_size(json_object_get(copy, "NatGatewayAddresses")), 1);
    assert_null(
        ec2_str(json_array_get(json_object_get(copy, "NatGatewayAddresses"), 0), "PublicIp"));
    json_decref(copy);

    ec2_routing_nat_settle(nat, 1001);
    assert_string_equal(ec2_str(nat, "State"), "available");
    const json_t *a = json_array_get(json_object_get(nat, "NatGatewayAddresses"), 0);
    assert_string_equal(ec2_str(a, "PublicIp"), "198.51.100.7");
    assert_string_equal(ec2_str(a, "NetworkInterfaceId"), ENI);
    assert_false(ec2_routing_nat_expired(nat, 1000000));

    // stored "deleted", shown "deleting" until _GoneAt, then with its DeleteTime; no longer
    // described after the retention
    json_object_set_new(nat, "State", json_string("deleted"));
    json_object_set_new(nat, "_GoneAt", json_integer(2000));
    json_object_set_new(nat, "_DeleteTime", json_string("2026-11-28T10:00:02.000Z"));
    assert_string_equal(ec2_routing_nat_state(nat, 1999), "deleting");
    copy = json_deep_copy(nat);
    ec2_routing_nat_settle(copy, 1999);
    assert_string_equal(ec2_str(copy, "State"), "deleting");
    assert_null(json_object_get(copy, "DeleteTime"));
    json_decref(copy);
    ec2_routing_nat_settle(nat, 2000);
    assert_string_equal(ec2_str(nat, "State"), "deleted");
    assert_string_equal(ec2_str(nat, "DeleteTime"), "2026-11-28T10:00:02.000Z");
    assert_false(ec2_routing_nat_expired(nat, 2000 + EC2_NAT_RETAIN_SECONDS - 1));
    assert_true(ec2_routing_nat_expired(nat, 2000 + EC2_NAT_RETAIN_SECONDS));
    json_decref(nat);

    // a failure decided at creation shows when pending ends
    nat = json_loads("{\"State\":\"failed\",\"_ReadyAt\":10,"
                     "\"_FailureCode\":\"Gateway.NotAttached\",\"_FailureMessage\":\"Network "
                     "vpc-1 has no Internet gateway attached\"}",
                     0, NULL);
    assert_string_equal(ec2_routing_nat_state(nat, 9), "pending");
    copy = json_deep_copy(nat);
    ec2_routing_nat_settle(copy, 9);
    assert_string_equal(ec2_str(copy, "State"), "pending");
    assert_null(json_object_get(copy, "FailureCode"));
    json_decref(copy);
    ec2_routing_nat_settle(nat, 10);
    assert_string_equal(ec2_str(nat, "State"), "failed");
    assert_string_equal(ec2_str(nat, "FailureCode"), "Gateway.NotAttached");
    assert_string_equal(ec2_str(nat, "FailureMessage"),
                        "Network vpc-1 has no Internet gateway attached");
    assert_true(ec2_routing_nat_expired(nat, 10 + EC2_NAT_RETAIN_SECONDS));
    json_decref(nat);

    // states that do not move, and a document without one
    nat = json_pack("{s:s}", "State", "available");
    assert_string_equal(ec2_routing_nat_state(nat, 0), "available");
    json_decref(nat);
    nat = json_pack("{s:s}", "State", "exploded");
    assert_string_equal(ec2_routing_nat_state(nat, 0), "");
    json_decref(nat);
    nat = json_object();
    assert_string_equal(ec2_routing_nat_state(nat, 0), "");
    ec2_routing_nat_settle(nat, 0);
    assert_null(json_object_get(nat, "State"));
    json_decref(nat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_longest_prefix), cmocka_unit_test(t_table_choice),
        cmocka_unit_test(t_prefix_lists),   cmocka_unit_test(t_blackholes),
        cmocka_unit_test(t_families),       cmocka_unit_test(t_route_state),
        cmocka_unit_test(t_nat_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
