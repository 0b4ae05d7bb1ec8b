// SPDX-License-Identifier: Apache-2.0
// Route tables and routes (EC2 API Reference: CreateRouteTable, DescribeRouteTables,
// DeleteRouteTable, AssociateRouteTable, DisassociateRouteTable, ReplaceRouteTableAssociation,
// CreateRoute, ReplaceRoute, DeleteRoute; Amazon VPC User Guide, "Configure route tables").
//
// A route table is an ec2.rtb object (parent: its VPC) whose document is the RouteTable of
// DescribeRouteTables: its Associations (the main one, subnets' and gateways') and its Routes. A
// new table gets a "local" route per CIDR block of the VPC (Origin CreateRouteTable), as the main
// table CreateVpc makes; routes added here have Origin CreateRoute, and so have the routes a
// gateway VPC endpoint puts in (DestinationPrefixListId, GatewayId vpce-...), which only the
// endpoint may change: ReplaceRoute and DeleteRoute refuse them, as they refuse the local routes.
//
// A route's State is not stored: DescribeRouteTables computes it from the target when it reads the
// table (ec2_routing_route_state), so a route to a deleted NAT gateway or to an internet gateway
// detached from the VPC is "blackhole" at once, and active again when the gateway comes back. The
// traffic simulation uses the same function (routing.h).
//
// Authorization (Service Authorization Reference, Amazon EC2): CreateRouteTable on route-table/*
// (ec2:Vpc, tags) and the VPC; DeleteRouteTable, CreateRoute, ReplaceRoute and DeleteRoute on the
// route table; AssociateRouteTable, DisassociateRouteTable and ReplaceRouteTableAssociation on the
// route table and the subnet or internet gateway; DescribeRouteTables on "*". A route table carries
// ec2:RouteTableID and ec2:Vpc, a subnet ec2:SubnetID, ec2:AvailabilityZone and ec2:Vpc, an
// internet gateway ec2:InternetGatewayID, a VPC ec2:VpcID and ec2:Tenancy.
#include "svc/ec2/ec2_common.h"
#include "svc/ec2/prefixlists.h"
#include "svc/ec2/routing.h"
#include "svc/registry.h"

#include <stdio.h>
#include <string.h>

static const struct ec2_kind *kind(const char *store_kind)
{
    return ec2_kind_by_store(store_kind);
}

static bool same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

// A string copied into the request's arena (documents are released before their strings are).
static const char *keep(struct svc_call *c, const char *s)
{
    return s != NULL ? arena_strndup(c->arena, s, strlen(s)) : NULL;
}

// ---- Resources of authorization decisions ------------------------------------------------------

static struct ec2_res rtb_res(struct svc_call *c, const json_t *rt)
{
    const char *id = ec2_str(rt, "RouteTableId");
    struct ec2_res r = {
        .arn = ec2_arn(c, "route-table", id),
        .doc = rt,
        .vpc_id = ec2_str(rt, "VpcId"),
        .keys = {"ec2:RouteTableID", id},
    };
    return r;
}

static struct ec2_res subnet_res(struct svc_call *c, const json_t *s)
{
    const char *id = ec2_str(s, "SubnetId");
    struct ec2_res r = {
        .arn = ec2_arn(c, "subnet", id),
        .doc = s,
        .vpc_id = ec2_str(s, "VpcId"),
        .keys = {"ec2:SubnetID", id, "ec2:AvailabilityZone", ec2_str(s, "AvailabilityZone")},
    };
    return r;
}

static struct ec2_res igw_res(struct svc_call *c, const json_t *igw)
{
    const char *id = ec2_str(igw, "InternetGatewayId");
    struct ec2_res r = {
        .arn = ec2_arn(c, "internet-gateway", id),
        .doc = igw,
        .keys = {"ec2:InternetGatewayID", id},
    };
    return r;
}

static struct ec2_res vpc_res(struct svc_call *c, const json_t *vpc)
{
    const char *id = ec2_str(vpc, "VpcId");
    struct ec2_res r = {
        .arn = ec2_arn(c, "vpc", id),
        .doc = vpc,
        .keys = {"ec2:VpcID", id, "ec2:Tenancy", ec2_str(vpc, "InstanceTenancy")},
    };
    return r;
}

// ---- CreateRouteTable ---------------------------------------------------------------------------

// The local routes of a table of VPC vpc: one per associated IPv4 and IPv6 block.
static json_t *local_routes(struct svc_call *c, const json_t *vpc)
{
    json_t *routes = json_array();
    struct cidr blocks[8];
    size_t n = ec2_vpc_blocks(vpc, blocks, 8);
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(routes, json_pack("{s:s, s:s, s:s, s:s}", "DestinationCidrBlock",
                                                ec2_cidr_text(c, &blocks[i]), "GatewayId", "local",
                                                "Origin", "CreateRouteTable", "State", "active"));
    }
    const json_t *v6 = json_object_get(vpc, "Ipv6CidrBlockAssociationSet");
    for (size_t i = 0; i < json_array_size(v6); i++) {
        const json_t *a = json_array_get(v6, i);
        const char *block = ec2_str(a, "Ipv6CidrBlock");
        const char *state = ec2_str(json_object_get(a, "Ipv6CidrBlockState"), "State");
        if (block != NULL && same(state, "associated")) {
            json_array_append_new(routes,
                                  json_pack("{s:s, s:s, s:s, s:s}", "DestinationIpv6CidrBlock",
                                            block, "GatewayId", "local", "Origin",
                                            "CreateRouteTable", "State", "active"));
        }
    }
    return routes;
}

static int create_route_table_body(struct svc_call *c)
{
    const char *vpc_id = ec2_in_str(c, "VpcId");
    json_t *vpc = NULL;
    json_t *tags = NULL;
    int rc = -1;
    if (ec2_load(c, kind(EC2_KIND_VPC), vpc_id, "ec2:CreateRouteTable", NULL, &vpc) != 0 ||
        ec2_tag_specs(c, "route-table", &tags) != 0) {
        goto out;
    }
    struct ec2_res r[2] = {
        {.arn = ec2_arn(c, "route-table", "*"), .vpc_id = vpc_id, .request_tags = tags},
        vpc_res(c, vpc),
    };
    if (ec2_authorize(c, "ec2:CreateRouteTable", r, 2) != 0) {
        goto out;
    }
    const char *id = ec2_new_id(c, "rtb");
    json_t *rt = json_pack("{s:[], s:[], s:s, s:o, s:s, s:s}", "Associations", "PropagatingVgws",
                           "RouteTableId", id, "Routes", local_routes(c, vpc), "VpcId", vpc_id,
                           "OwnerId", c->caller->account);
    ec2_tags_init(kind(EC2_KIND_RTB), rt, tags);
    rc = ec2_put(c, kind(EC2_KIND_RTB), id, vpc_id, NULL, rt, STORE_CREATE);
    if (rc == 0) {
        c->out = json_pack("{s:o}", "RouteTable", ec2_doc_public(rt));
    }
    json_decref(rt);
out:
    json_decref(vpc);
    json_decref(tags);
    return rc;
}

EC2_OPERATION(create_route_table, true)

// ---- DescribeRouteTables ------------------------------------------------------------------------

static const struct ec2_filter_def rtb_filters[] = {
    {"association.gateway-id", "Associations.GatewayId", NULL},
    {"association.route-table-association-id", "Associations.RouteTableAssociationId", NULL},
    {"association.route-table-id", "Associations.RouteTableId", NULL},
    {"association.subnet-id", "Associations.SubnetId", NULL},
    {"association.main", "Associations.Main", NULL},
    {"owner-id", "OwnerId", NULL},
    {"route-table-id", "RouteTableId", NULL},
    {"route.destination-cidr-block", "Routes.DestinationCidrBlock", NULL},
    {"route.destination-ipv6-cidr-block", "Routes.DestinationIpv6CidrBlock", NULL},
    {"route.destination-prefix-list-id", "Routes.DestinationPrefixListId", NULL},
    {"route.egress-only-internet-gateway-id", "Routes.EgressOnlyInternetGatewayId", NULL},
    {"route.gateway-id", "Routes.GatewayId", NULL},
    {"route.instance-id", "Routes.InstanceId", NULL},
    {"route.nat-gateway-id", "Routes.NatGatewayId", NULL},
    {"route.network-interface-id", "Routes.NetworkInterfaceId", NULL},
    {"route.transit-gateway-id", "Routes.TransitGatewayId", NULL},
    {"route.origin", "Routes.Origin", NULL},
    {"route.state", "Routes.State", NULL},
    {"route.vpc-peering-connection-id", "Routes.VpcPeeringConnectionId", NULL},
    {"vpc-id", "VpcId", NULL},
    {NULL, NULL, NULL},
};

// Computes the State of every route of route table rt from its target, as it is now.
static int settle_routes(struct svc_call *c, json_t *rt)
{
    const char *vpc_id = ec2_str(rt, "VpcId");
    json_t *routes = json_object_get(rt, "Routes");
    for (size_t i = 0; i < json_array_size(routes); i++) {
        json_t *route = json_array_get(routes, i);
        const char *target_id = ec2_routing_route_target(route);
        json_t *target = NULL;
        if (target_id != NULL && !same(target_id, "local")) {
            const struct ec2_kind *k;
            int rc = ec2_get_any(c, target_id, &k, NULL, &target);
            if (rc != 0 && rc != SB_ENOTFOUND) {
                return -1;
            }
        }
        json_object_set_new(route, "State",
                            json_string(ec2_routing_route_state(route, vpc_id, target, c->now)));
        json_decref(target);
    }
    return 0;
}

static int describe_route_tables_body(struct svc_call *c)
{
    struct ec2_describe_spec spec = {
        .kind = kind(EC2_KIND_RTB),
        .ids_member = "RouteTableIds",
        .ids_wire = "routeTableSet",
        .out_member = "RouteTables",
        .filters = rtb_filters,
        .paged = true,
        .prepare = settle_routes,
        .parent_filter = "vpc-id",
    };
    return ec2_describe(c, &spec);
}

EC2_OPERATION(describe_route_tables, false)

// ---- DeleteRouteTable ---------------------------------------------------------------------------

// DeleteRouteTable: a table with associations (subnets, gateways, or the main association) is
// refused with DependencyViolation "The routeTable 'rtb-...' has dependencies and cannot be
// deleted." (real EC2, hashicorp/terraform-provider-aws#73 for a table with subnets; the main table
// gives the same error, aws/aws-cli#1549).
static int delete_route_table_body(struct svc_call *c)
{
    const char *id = ec2_in_str(c, "RouteTableId");
    json_t *rt;
    if (ec2_load(c, kind(EC2_KIND_RTB), id, "ec2:DeleteRouteTable", NULL, &rt) != 0) {
        return -1;
    }
    struct ec2_res r = rtb_res(c, rt);
    int rc = ec2_authorize(c, "ec2:DeleteRouteTable", &r, 1);
    bool associated = json_array_size(json_object_get(rt, "Associations")) > 0;
    json_decref(rt);
    if (rc != 0) {
        return -1;
    }
    if (associated) {
        return ec2_err_dependency(c, "routeTable", id);
    }
    return ec2_delete(c, kind(EC2_KIND_RTB), id);
}

EC2_OPERATION(delete_route_table, true)

// ---- Associations -------------------------------------------------------------------------------

// Where an association lives: its route table (object and document) and its index.
struct assoc_ref {
    struct store_obj obj;
    json_t *rt; // owned
    size_t index;
};

// Finds association assoc_id among the route tables of the region (parent NULL) or of VPC vpc_id.
// Returns 0 with *ref filled, SB_ENOTFOUND, or -1.
static int find_association(struct svc_call *c, const char *assoc_id, struct assoc_ref *ref)
{
    struct store_obj *items;
    size_t n;
    ref->rt = NULL;
    if (ec2_list_all(c, kind(EC2_KIND_RTB), NULL, NULL, &items, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *rt = ec2_parse(c, &items[i]);
        if (rt == NULL) {
            return -1;
        }
        const json_t *list = json_object_get(rt, "Associations");
        for (size_t j = 0; j < json_array_size(list); j++) {
            if (same(ec2_str(json_array_get(list, j), "RouteTableAssociationId"), assoc_id)) {
                ref->obj = items[i];
                ref->rt = rt;
                ref->index = j;
                return 0;
            }
        }
        json_decref(rt);
    }
    return SB_ENOTFOUND;
}

// The error for an association id that does not exist. The code is the EC2 error list's; the
// wording follows the other "The ... ID '...' does not exist" messages (not checked against EC2).
static int association_not_found(struct svc_call *c, const char *id)
{
    return ec2_err(c, 400, "InvalidAssociationID.NotFound",
                   "The association ID '%s' does not exist", id);
}

// Tells whether a route table of VPC vpc_id already has an association naming member=value
// ("SubnetId" or "GatewayId"). Returns 1, 0 or -1.
static int already_associated(struct svc_call *c, const char *vpc_id, const char *member,
                              const char *value)
{
    struct store_obj *items;
    size_t n;
    if (ec2_list_all(c, kind(EC2_KIND_RTB), vpc_id, NULL, &items, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *rt = ec2_parse(c, &items[i]);
        if (rt == NULL) {
            return -1;
        }
        const json_t *list = json_object_get(rt, "Associations");
        bool found = false;
        for (size_t j = 0; j < json_array_size(list) && !found; j++) {
            found = same(ec2_str(json_array_get(list, j), member), value);
        }
        json_decref(rt);
        if (found) {
            return 1;
        }
    }
    return 0;
}

// The subnet or internet gateway an association request names, loaded and checked against the route
// table's VPC.
struct assoc_target {
    const char *member; // "SubnetId" or "GatewayId"
    const char *id;
    json_t *doc; // owned
};

// "route table RTB and network gateway GW belong to different networks": real EC2's answer when a
// route names an internet gateway that is not attached to the table's VPC
// (smoketurner/serverless-vpc-plugin#147, giantswarm/aws-operator#632); the other resources of
// another VPC are answered in the same form (not checked against EC2 for each noun).
static int different_networks(struct svc_call *c, const char *rtb_id, const char *noun,
                              const char *id)
{
    return ec2_err_value(c, "route table %s and %s %s belong to different networks", rtb_id, noun,
                         id);
}

// "The gateway ID '...' does not exist" (real EC2 for CreateRoute, quoted in
// devopsacademyau/academy#906).
static int gateway_not_found(struct svc_call *c, const char *id)
{
    return ec2_err(c, 400, "InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist", id);
}

// Loads the internet gateway an association names and checks that it is attached to the route
// table's VPC. Virtual private gateways are not modelled by sagebox, so they do not exist.
static int load_gateway(struct svc_call *c, const char *gw_id, const char *action, const json_t *rt,
                        json_t **doc)
{
    *doc = NULL;
    if (!has_prefix(gw_id, "igw-")) {
        return gateway_not_found(c, gw_id);
    }
    if (ec2_load(c, kind(EC2_KIND_IGW), gw_id, action, NULL, doc) != 0) {
        return -1;
    }
    if (!ec2_routing_igw_attached(*doc, ec2_str(rt, "VpcId"))) {
        return different_networks(c, ec2_str(rt, "RouteTableId"), "network gateway", gw_id);
    }
    return 0;
}

// Reads the SubnetId or GatewayId of an AssociateRouteTable (exactly one) and loads it. Neither and
// both are refused with sagebox's wording of EC2's MissingParameter and InvalidParameterCombination
// (EC2's exact messages could not be found).
static int load_assoc_target(struct svc_call *c, const json_t *rt, const char *action,
                             struct assoc_target *t)
{
    const char *subnet = ec2_in_str(c, "SubnetId");
    const char *gateway = ec2_in_str(c, "GatewayId");
    memset(t, 0, sizeof(*t));
    if (subnet == NULL && gateway == NULL) {
        return ec2_err(c, 400, "MissingParameter",
                       "The request must contain the parameter subnetId or gatewayId");
    }
    if (subnet != NULL && gateway != NULL) {
        return ec2_err_combination(c, "The parameter subnetId cannot be used with the parameter "
                                      "gatewayId");
    }
    if (gateway != NULL) {
        t->member = "GatewayId";
        t->id = gateway;
        return load_gateway(c, gateway, action, rt, &t->doc);
    }
    t->member = "SubnetId";
    t->id = subnet;
    if (ec2_load(c, kind(EC2_KIND_SUBNET), subnet, action, NULL, &t->doc) != 0) {
        return -1;
    }
    if (!same(ec2_str(t->doc, "VpcId"), ec2_str(rt, "VpcId"))) {
        return different_networks(c, ec2_str(rt, "RouteTableId"), "subnet", subnet);
    }
    return 0;
}

static struct ec2_res assoc_target_res(struct svc_call *c, const struct assoc_target *t)
{
    return strcmp(t->member, "SubnetId") == 0 ? subnet_res(c, t->doc) : igw_res(c, t->doc);
}

static json_t *association(struct svc_call *c, const char *rtb_id, const char *member,
                           const char *target, bool main)
{
    json_t *a = json_pack("{s:b, s:s, s:s}", "Main", main, "RouteTableAssociationId",
                          ec2_new_id(c, "rtbassoc"), "RouteTableId", rtb_id);
    if (member != NULL) {
        json_object_set_new(a, member, json_string(target));
    }
    json_object_set_new(a, "AssociationState", json_pack("{s:s}", "State", "associated"));
    return a;
}

// AssociateRouteTable: a subnet (or gateway) that already has an explicit association, with this
// table or another, is refused with Resource.AlreadyAssociated "the specified association for route
// table rtb-... conflicts with an existing association" (real EC2,
// hashicorp/terraform-provider-aws#38960); ReplaceRouteTableAssociation moves it instead.
static int associate_route_table_body(struct svc_call *c)
{
    const char *id = ec2_in_str(c, "RouteTableId");
    struct store_obj obj;
    json_t *rt;
    struct assoc_target t = {0};
    int rc = -1;
    if (ec2_load(c, kind(EC2_KIND_RTB), id, "ec2:AssociateRouteTable", &obj, &rt) != 0) {
        return -1;
    }
    if (load_assoc_target(c, rt, "ec2:AssociateRouteTable", &t) != 0) {
        goto out;
    }
    struct ec2_res r[2] = {rtb_res(c, rt), assoc_target_res(c, &t)};
    if (ec2_authorize(c, "ec2:AssociateRouteTable", r, 2) != 0) {
        goto out;
    }
    int taken = already_associated(c, ec2_str(rt, "VpcId"), t.member, t.id);
    if (taken != 0) {
        if (taken > 0) {
            ec2_err(c, 400, "Resource.AlreadyAssociated",
                    "the specified association for route table %s conflicts with an "
                    "existing "
                    "association",
                    id);
        }
        goto out;
    }
    json_t *a = association(c, id, t.member, t.id, false);
    const char *assoc_id = keep(c, ec2_str(a, "RouteTableAssociationId"));
    json_array_append_new(json_object_get(rt, "Associations"), a);
    rc = ec2_replace(c, kind(EC2_KIND_RTB), &obj, rt);
    if (rc == 0) {
        c->out = json_pack("{s:s, s:{s:s}}", "AssociationId", assoc_id, "AssociationState", "State",
                           "associated");
    }
out:
    json_decref(t.doc);
    json_decref(rt);
    return rc;
}

EC2_OPERATION(associate_route_table, true)

// Loads the subnet or gateway an existing association names, for the authorization decision.
static int load_assoc_owner(struct svc_call *c, const json_t *a, struct assoc_target *t)
{
    memset(t, 0, sizeof(*t));
    const char *subnet = ec2_str(a, "SubnetId");
    const char *gateway = ec2_str(a, "GatewayId");
    const struct ec2_kind *k = NULL;
    if (subnet != NULL) {
        t->member = "SubnetId";
        t->id = keep(c, subnet);
        k = kind(EC2_KIND_SUBNET);
    } else if (gateway != NULL) {
        t->member = "GatewayId";
        t->id = keep(c, gateway);
        k = kind(EC2_KIND_IGW);
    } else {
        return 0;
    }
    int rc = ec2_get(c, k, t->id, NULL, &t->doc);
    return rc == SB_ENOTFOUND ? 0 : rc;
}

// DisassociateRouteTable. The main association cannot be removed: InvalidParameterValue "cannot
// disassociate the main route table association rtbassoc-..." (real EC2, ansible/ansible#25521).
static int disassociate_route_table_body(struct svc_call *c)
{
    const char *assoc_id = ec2_in_str(c, "AssociationId");
    struct assoc_ref ref;
    struct assoc_target t = {0};
    int rc = find_association(c, assoc_id, &ref);
    if (rc == SB_ENOTFOUND) {
        return association_not_found(c, assoc_id);
    }
    if (rc != 0) {
        return -1;
    }
    json_t *list = json_object_get(ref.rt, "Associations");
    const json_t *a = json_array_get(list, ref.index);
    rc = load_assoc_owner(c, a, &t);
    if (rc == 0) {
        struct ec2_res r[2] = {rtb_res(c, ref.rt)};
        size_t n = 1;
        if (t.doc != NULL) {
            r[n++] = assoc_target_res(c, &t);
        }
        rc = ec2_authorize(c, "ec2:DisassociateRouteTable", r, n);
    }
    if (rc == 0 && json_is_true(json_object_get(a, "Main"))) {
        rc = ec2_err_value(c, "cannot disassociate the main route table association %s", assoc_id);
    }
    if (rc == 0) {
        json_array_remove(list, ref.index);
        rc = ec2_replace(c, kind(EC2_KIND_RTB), &ref.obj, ref.rt);
    }
    json_decref(t.doc);
    json_decref(ref.rt);
    return rc;
}

EC2_OPERATION(disassociate_route_table, true)

// Points VPC vpc_id's _MainRouteTableId at rtb_id.
static int set_main_table(struct svc_call *c, const char *vpc_id, const char *rtb_id)
{
    struct store_obj obj;
    json_t *vpc;
    int rc = ec2_get(c, kind(EC2_KIND_VPC), vpc_id, &obj, &vpc);
    if (rc != 0) {
        return rc == SB_ENOTFOUND ? ec2_err_not_found(c, kind(EC2_KIND_VPC), vpc_id) : -1;
    }
    json_object_set_new(vpc, "_MainRouteTableId", json_string(rtb_id));
    rc = ec2_replace(c, kind(EC2_KIND_VPC), &obj, vpc);
    json_decref(vpc);
    return rc;
}

// ReplaceRouteTableAssociation: moves a subnet's, a gateway's or the main association to another
// table of the same VPC under a new association id. Moving the main association makes the new table
// the VPC's main route table (the VPC's _MainRouteTableId follows), so that subnets without an
// explicit association use it ("Replace the main route table", Amazon VPC User Guide).
static int replace_route_table_association_body(struct svc_call *c)
{
    const char *assoc_id = ec2_in_str(c, "AssociationId");
    const char *new_id = ec2_in_str(c, "RouteTableId");
    struct assoc_ref ref;
    struct assoc_target t = {0};
    struct store_obj nobj;
    json_t *nrt = NULL;
    int rc = find_association(c, assoc_id, &ref);
    if (rc == SB_ENOTFOUND) {
        return association_not_found(c, assoc_id);
    }
    if (rc != 0) {
        return -1;
    }
    rc = ec2_load(c, kind(EC2_KIND_RTB), new_id, "ec2:ReplaceRouteTableAssociation", &nobj, &nrt);
    json_t *old_list = json_object_get(ref.rt, "Associations");
    json_t *a = json_deep_copy(json_array_get(old_list, ref.index));
    bool main = json_is_true(json_object_get(a, "Main"));
    const char *vpc_id = keep(c, ec2_str(ref.rt, "VpcId"));
    if (rc == 0 && !same(ec2_str(nrt, "VpcId"), vpc_id)) {
        // Not checked against EC2: the form of its other "belong to different networks" answers.
        rc = ec2_err_value(c, "route table %s and association %s belong to different networks",
                           new_id, assoc_id);
    }
    if (rc == 0) {
        rc = load_assoc_owner(c, a, &t);
    }
    if (rc == 0) {
        struct ec2_res r[2] = {rtb_res(c, nrt)};
        size_t n = 1;
        if (t.doc != NULL) {
            r[n++] = assoc_target_res(c, &t);
        }
        rc = ec2_authorize(c, "ec2:ReplaceRouteTableAssociation", r, n);
    }
    const char *new_assoc = ec2_new_id(c, "rtbassoc");
    if (rc == 0) {
        json_object_set_new(a, "RouteTableAssociationId", json_string(new_assoc));
        json_object_set_new(a, "RouteTableId", json_string(new_id));
        if (strcmp(ref.obj.id, new_id) == 0) {
            json_array_set(old_list, ref.index, a);
            rc = ec2_replace(c, kind(EC2_KIND_RTB), &ref.obj, ref.rt);
        } else {
            json_array_remove(old_list, ref.index);
            json_array_append(json_object_get(nrt, "Associations"), a);
            rc = ec2_replace(c, kind(EC2_KIND_RTB), &ref.obj, ref.rt);
            rc = rc == 0 ? ec2_replace(c, kind(EC2_KIND_RTB), &nobj, nrt) : rc;
        }
    }
    if (rc == 0 && main) {
        rc = set_main_table(c, vpc_id, new_id);
    }
    if (rc == 0) {
        c->out = json_pack("{s:s, s:{s:s}}", "NewAssociationId", new_assoc, "AssociationState",
                           "State", "associated");
    }
    json_decref(a);
    json_decref(t.doc);
    json_decref(nrt);
    json_decref(ref.rt);
    return rc;
}

EC2_OPERATION(replace_route_table_association, true)

// ---- Routes -------------------------------------------------------------------------------------

// The destination a route request names: its Route member, canonical value and the wording of
// InvalidRoute.NotFound for it.
struct dest {
    const char *member; // "DestinationCidrBlock", "DestinationIpv6CidrBlock" or
                        // "DestinationPrefixListId"
    const char *value;  // canonical
    const char *noun;   // "destination-cidr-block", ...
    struct cidr block;  // for CIDR destinations
    bool is_cidr;
};

// Reads the destination of CreateRoute, ReplaceRoute or DeleteRoute: exactly one of
// DestinationCidrBlock, DestinationIpv6CidrBlock and DestinationPrefixListId. None is
// MissingParameter "The request must contain the parameter destinationCidrBlock or
// destinationIpv6CidrBlock" (real EC2, hashicorp/terraform#14564); several are refused with
// sagebox's wording of InvalidParameterCombination. A CIDR block is put in canonical form, as the
// CreateRoute API Reference says; an unreadable one is EC2's "This is not a valid CIDR block."
static int parse_dest(struct svc_call *c, struct dest *d)
{
    const char *v4 = ec2_in_str(c, "DestinationCidrBlock");
    const char *v6 = ec2_in_str(c, "DestinationIpv6CidrBlock");
    const char *pl = ec2_in_str(c, "DestinationPrefixListId");
    memset(d, 0, sizeof(*d));
    int given = (v4 != NULL) + (v6 != NULL) + (pl != NULL);
    if (given == 0) {
        return ec2_err(c, 400, "MissingParameter",
                       "The request must contain the parameter destinationCidrBlock or "
                       "destinationIpv6CidrBlock");
    }
    if (given > 1) {
        return ec2_err_combination(c, "Only one of destinationCidrBlock, "
                                      "destinationIpv6CidrBlock and destinationPrefixListId may "
                                      "be specified");
    }
    if (v4 != NULL) {
        d->member = "DestinationCidrBlock";
        d->noun = "destination-cidr-block";
        d->is_cidr = true;
        if (ec2_parse_cidr_v4(c, v4, "destinationCidrBlock", &d->block) != 0) {
            return -1;
        }
        d->value = ec2_cidr_text(c, &d->block);
        return 0;
    }
    if (v6 != NULL) {
        d->member = "DestinationIpv6CidrBlock";
        d->noun = "destination-ipv6-cidr-block";
        d->is_cidr = true;
        if (cidr_parse_block(v6, strlen(v6), &d->block) != 0 || d->block.v4) {
            return ec2_err_value(c,
                                 "Value (%s) for parameter destinationIpv6CidrBlock is invalid. "
                                 "This is not a valid CIDR block.",
                                 v6);
        }
        d->value = ec2_cidr_text(c, &d->block);
        return 0;
    }
    d->member = "DestinationPrefixListId";
    d->noun = "destination-prefix-list-id";
    d->value = pl;
    return 0;
}

// A prefix-list destination must name an existing prefix list: one of the region's AWS-managed
// lists (prefixlists.h) or one of the caller's (its kind's Malformed and NotFound otherwise).
static int check_prefix_list(struct svc_call *c, const struct dest *d)
{
    if (d->is_cidr) {
        return 0;
    }
    struct ec2_aws_prefix_list aws;
    if (strncmp(d->value, "pl-", 3) == 0 && ec2_aws_prefix_list_find(c->region, d->value, &aws)) {
        return 0;
    }
    const struct ec2_kind *k = kind(EC2_KIND_PL);
    if (!ec2_id_wellformed(d->value, k->prefix)) {
        return ec2_err_malformed(c, k, d->value);
    }
    int rc = ec2_get(c, k, d->value, NULL, NULL);
    return rc == SB_ENOTFOUND ? ec2_err_not_found(c, k, d->value) : rc;
}

// The index of the route of rt with destination d, or -1.
static int find_route(const json_t *rt, const struct dest *d)
{
    const json_t *routes = json_object_get(rt, "Routes");
    for (size_t i = 0; i < json_array_size(routes); i++) {
        const char *v = ec2_str(json_array_get(routes, i), d->member);
        if (v == NULL) {
            continue;
        }
        if (!d->is_cidr) {
            if (strcmp(v, d->value) == 0) {
                return (int)i;
            }
            continue;
        }
        struct cidr b;
        if (cidr_parse_block(v, strlen(v), &b) == 0 && b.v4 == d->block.v4 &&
            b.prefix == d->block.prefix && memcmp(b.addr, d->block.addr, sizeof(b.addr)) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static bool is_local(const json_t *route)
{
    return same(ec2_str(route, "GatewayId"), "local");
}

// A route a gateway VPC endpoint put in: a prefix-list destination with the endpoint as gateway.
static bool is_endpoint_route(const json_t *route)
{
    return ec2_str(route, "DestinationPrefixListId") != NULL &&
           has_prefix(ec2_str(route, "GatewayId"), "vpce-");
}

// The target of a route request, resolved.
struct target {
    const char *member; // the Route member it is stored in: "GatewayId",
                        // "NatGatewayId", ...
    const char *id;
    bool local; // ReplaceRoute's LocalTarget
};

// The request members that name a target, and EC2's NotFound answer for the kinds of target that
// sagebox does not model (they cannot exist here). The codes are the EC2 error list's; the wordings
// follow its "The <resource> ID '...' does not exist" messages, except the transit gateway's, which
// is EC2's own ("Transit Gateway tgw-... was deleted or does not exist.").
struct target_member {
    const char *member;
    const char *code;
    const char *fmt;
};

static const struct target_member target_members[] = {
    {"GatewayId", NULL, NULL},
    {"NatGatewayId", NULL, NULL},
    {"NetworkInterfaceId", NULL, NULL},
    {"VpcEndpointId", NULL, NULL},
    {"InstanceId", "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist"},
    {"VpcPeeringConnectionId", "InvalidVpcPeeringConnectionID.NotFound",
     "The vpcPeeringConnection ID '%s' does not exist"},
    {"TransitGatewayId", "InvalidTransitGatewayID.NotFound",
     "Transit Gateway %s was deleted or does not exist."},
    {"EgressOnlyInternetGatewayId", "InvalidGatewayID.NotFound",
     "The gateway ID '%s' does not exist"},
    {"LocalGatewayId", "InvalidLocalGatewayID.NotFound", "The localGateway ID '%s' does not exist"},
    {"CarrierGatewayId", "InvalidCarrierGatewayID.NotFound",
     "The carrierGateway ID '%s' does not exist"},
    {"CoreNetworkArn", "InvalidParameterValue", "Core network %s does not exist"},
};

#define TARGET_MEMBERS (sizeof(target_members) / sizeof(target_members[0]))

// Checks a NAT gateway target: it exists, is not going away, and is in the table's VPC.
// InvalidNatGatewayID.NotFound "The natGateway ID 'nat-...' does not exist" is real EC2's answer
// (boto/boto3#779); a NAT gateway of another VPC is answered in the "belong to different networks"
// form. as_gateway: the request named it as GatewayId, answered as a gateway.
static int check_nat(struct svc_call *c, const json_t *rt, const char *id, bool as_gateway)
{
    json_t *nat = NULL;
    const struct ec2_kind *k = kind(EC2_KIND_NAT);
    int rc = ec2_id_wellformed(id, k->prefix) ? ec2_get(c, k, id, NULL, &nat) : SB_ENOTFOUND;
    if (rc != 0 && rc != SB_ENOTFOUND) {
        return -1;
    }
    const char *state = nat != NULL ? ec2_routing_nat_state(nat, c->now) : "";
    bool usable = strcmp(state, "pending") == 0 || strcmp(state, "available") == 0;
    bool other_vpc = nat != NULL && !same(ec2_str(nat, "VpcId"), ec2_str(rt, "VpcId"));
    json_decref(nat);
    if (!usable) {
        return as_gateway ? gateway_not_found(c, id)
                          : ec2_err(c, 400, "InvalidNatGatewayID.NotFound",
                                    "The natGateway ID '%s' does not exist", id);
    }
    return other_vpc ? different_networks(c, ec2_str(rt, "RouteTableId"), "NAT gateway", id) : 0;
}

// Checks a VPC endpoint target (GatewayId vpce-... or VpcEndpointId): it exists in the table's VPC
// and is of the type that can be a route target (a Gateway endpoint by GatewayId, a Gateway Load
// Balancer endpoint by VpcEndpointId). RouteNotSupported and its wording are those EC2 emulators
// use (getmoto/moto), not checked against EC2.
static int check_endpoint(struct svc_call *c, const json_t *rt, const char *id, bool by_gateway)
{
    json_t *ep = NULL;
    const struct ec2_kind *k = kind(EC2_KIND_VPCE);
    int rc = ec2_id_wellformed(id, k->prefix) ? ec2_get(c, k, id, NULL, &ep) : SB_ENOTFOUND;
    if (rc == SB_ENOTFOUND) {
        return by_gateway ? gateway_not_found(c, id) : ec2_err_not_found(c, k, id);
    }
    if (rc != 0) {
        return -1;
    }
    const char *type = ec2_str(ep, "VpcEndpointType");
    bool other_vpc = !same(ec2_str(ep, "VpcId"), ec2_str(rt, "VpcId"));
    bool ok_type = same(type, by_gateway ? "Gateway" : "GatewayLoadBalancer");
    json_decref(ep);
    if (other_vpc) {
        return different_networks(c, ec2_str(rt, "RouteTableId"), "VPC endpoint", id);
    }
    if (!ok_type) {
        return ec2_err(c, 400, "RouteNotSupported",
                       "Route table contains unsupported route target: %s. VPC "
                       "Endpoints of this "
                       "type cannot be used as route targets.",
                       id);
    }
    return 0;
}

// Checks a network interface target: it exists and is in the table's VPC.
static int check_eni(struct svc_call *c, const json_t *rt, const char *id)
{
    json_t *eni = NULL;
    if (ec2_load(c, kind(EC2_KIND_ENI), id, NULL, NULL, &eni) != 0) {
        return -1;
    }
    bool other_vpc = !same(ec2_str(eni, "VpcId"), ec2_str(rt, "VpcId"));
    json_decref(eni);
    return other_vpc ? different_networks(c, ec2_str(rt, "RouteTableId"), "interface", id) : 0;
}

// Reads and checks the target of CreateRoute or ReplaceRoute (local_ok: ReplaceRoute, whose
// LocalTarget=true names the local target). Exactly one target: none and several are refused with
// sagebox's wordings of MissingParameter and InvalidParameterCombination (EC2's exact messages
// could not be found).
static int parse_target(struct svc_call *c, const json_t *rt, bool local_ok, struct target *t)
{
    memset(t, 0, sizeof(*t));
    const struct target_member *tm = NULL;
    int given = 0;
    for (size_t i = 0; i < TARGET_MEMBERS; i++) {
        if (ec2_in_str(c, target_members[i].member) != NULL) {
            tm = &target_members[i];
            given++;
        }
    }
    bool local = local_ok && ec2_in_bool(c, "LocalTarget", NULL);
    given += local ? 1 : 0;
    if (given == 0) {
        return ec2_err(c, 400, "MissingParameter",
                       "The request must contain exactly one route target: gatewayId, "
                       "natGatewayId, networkInterfaceId, vpcEndpointId, instanceId, "
                       "vpcPeeringConnectionId, transitGatewayId, "
                       "egressOnlyInternetGatewayId, "
                       "localGatewayId, carrierGatewayId or coreNetworkArn");
    }
    if (given > 1) {
        return ec2_err_combination(c, "Only one route target may be specified");
    }
    if (local) {
        t->member = "GatewayId";
        t->id = "local";
        t->local = true;
        return 0;
    }
    const char *id = ec2_in_str(c, tm->member);
    t->id = id;
    if (tm->code != NULL) {
        char msg[400];
        // The formats come from target_members above, each with exactly one %s.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(msg, sizeof(msg), tm->fmt, id);
#pragma GCC diagnostic pop
        return ec2_err(c, 400, tm->code, "%s", msg);
    }
    if (strcmp(tm->member, "NatGatewayId") == 0) {
        t->member = "NatGatewayId";
        return check_nat(c, rt, id, false);
    }
    if (strcmp(tm->member, "NetworkInterfaceId") == 0) {
        t->member = "NetworkInterfaceId";
        return check_eni(c, rt, id);
    }
    if (strcmp(tm->member, "VpcEndpointId") == 0) {
        t->member = "GatewayId";
        return check_endpoint(c, rt, id, false);
    }
    // GatewayId: an internet gateway attached to the VPC, a gateway endpoint of the VPC, or a NAT
    // gateway (EC2 takes one here and keeps it as NatGatewayId).
    if (has_prefix(id, "nat-")) {
        t->member = "NatGatewayId";
        return check_nat(c, rt, id, true);
    }
    t->member = "GatewayId";
    if (has_prefix(id, "vpce-")) {
        return check_endpoint(c, rt, id, true);
    }
    json_t *igw = NULL;
    const struct ec2_kind *k = kind(EC2_KIND_IGW);
    int rc = has_prefix(id, "igw-") && ec2_id_wellformed(id, k->prefix)
                 ? ec2_get(c, k, id, NULL, &igw)
                 : SB_ENOTFOUND;
    if (rc == SB_ENOTFOUND) {
        return gateway_not_found(c, id);
    }
    if (rc != 0) {
        return -1;
    }
    bool attached = ec2_routing_igw_attached(igw, ec2_str(rt, "VpcId"));
    json_decref(igw);
    return attached ? 0 : different_networks(c, ec2_str(rt, "RouteTableId"), "network gateway", id);
}

// A route to an internet gateway may not cover addresses of the VPC: EC2 keeps routes more specific
// than a local route for middlebox targets (network interfaces, NAT gateways, Gateway Load Balancer
// endpoints). The wording is sagebox's (not checked against EC2).
static int check_more_specific(struct svc_call *c, const json_t *rt, const struct dest *d,
                               const struct target *t)
{
    if (!d->is_cidr || !d->block.v4 || !has_prefix(t->id, "igw-")) {
        return 0;
    }
    json_t *vpc = NULL;
    int rc = ec2_get(c, kind(EC2_KIND_VPC), ec2_str(rt, "VpcId"), NULL, &vpc);
    if (rc != 0) {
        return rc == SB_ENOTFOUND ? 0 : -1;
    }
    struct cidr blocks[8];
    size_t n = ec2_vpc_blocks(vpc, blocks, 8);
    json_decref(vpc);
    for (size_t i = 0; i < n; i++) {
        if (cidr_within(&blocks[i], &d->block)) {
            return ec2_err_value(c,
                                 "The destination CIDR block %s is equal to or more specific "
                                 "than one of this VPC's CIDR blocks. This route can target only "
                                 "a network interface, a NAT gateway or a Gateway Load Balancer "
                                 "endpoint.",
                                 d->value);
        }
    }
    return 0;
}

static json_t *route_doc(const struct dest *d, const struct target *t, const char *origin)
{
    json_t *r = json_object();
    json_object_set_new(r, d->member, json_string(d->value));
    json_object_set_new(r, t->member, json_string(t->id));
    json_object_set_new(r, "Origin", json_string(origin));
    json_object_set_new(r, "State", json_string("active"));
    return r;
}

// Loads the route table of a route request, reads its destination and decides action on it.
static int route_request(struct svc_call *c, const char *action, struct store_obj *obj, json_t **rt,
                         struct dest *d)
{
    const char *id = ec2_in_str(c, "RouteTableId");
    if (ec2_load(c, kind(EC2_KIND_RTB), id, action, obj, rt) != 0) {
        return -1;
    }
    struct ec2_res r = rtb_res(c, *rt);
    if (parse_dest(c, d) != 0 || ec2_authorize(c, action, &r, 1) != 0) {
        json_decref(*rt);
        *rt = NULL;
        return -1;
    }
    return 0;
}

// CreateRoute: a route to a destination the table already routes (a local route's block included)
// is RouteAlreadyExists "The route identified by X already exists." (real EC2,
// terraform-aws-modules/terraform-aws-vpc#108 and hashicorp/terraform-provider-aws#23866).
static int create_route_body(struct svc_call *c)
{
    struct store_obj obj;
    json_t *rt;
    struct dest d;
    struct target t;
    if (route_request(c, "ec2:CreateRoute", &obj, &rt, &d) != 0) {
        return -1;
    }
    int rc = check_prefix_list(c, &d);
    rc = rc == 0 ? parse_target(c, rt, false, &t) : rc;
    rc = rc == 0 ? check_more_specific(c, rt, &d, &t) : rc;
    if (rc == 0 && find_route(rt, &d) >= 0) {
        rc = ec2_err(c, 400, "RouteAlreadyExists", "The route identified by %s already exists.",
                     d.value);
    }
    if (rc == 0) {
        json_array_append_new(json_object_get(rt, "Routes"), route_doc(&d, &t, "CreateRoute"));
        rc = ec2_replace(c, kind(EC2_KIND_RTB), &obj, rt);
    }
    if (rc == 0) {
        c->out = json_pack("{s:b}", "Return", 1);
    }
    json_decref(rt);
    return rc;
}

EC2_OPERATION(create_route, true)

// The refusal of a change to a route that a gateway VPC endpoint manages (the endpoint's
// ModifyVpcEndpoint changes it, "Gateway endpoints", Amazon VPC User Guide). The code is EC2's
// usual one for a refused value; the wording is sagebox's (not checked against EC2).
static int endpoint_route_refused(struct svc_call *c, const json_t *route, const char *rtb_id)
{
    return ec2_err_value(c,
                         "The route to %s in route table %s is managed by VPC endpoint %s and "
                         "cannot be changed with this operation",
                         ec2_str(route, "DestinationPrefixListId"), rtb_id,
                         ec2_str(route, "GatewayId"));
}

// ReplaceRoute: a destination the table has no route for is InvalidParameterValue "There is no
// route defined for 'X' in the route table. Use CreateRoute instead." (EC2's answer as EC2
// emulators record it, getmoto/moto). The local routes keep their target (LocalTarget=true on them
// changes nothing), and the routes of gateway endpoints are the endpoints' own; the wordings of
// those refusals are sagebox's (not checked against EC2).
static int replace_route_body(struct svc_call *c)
{
    struct store_obj obj;
    json_t *rt;
    struct dest d;
    struct target t;
    if (route_request(c, "ec2:ReplaceRoute", &obj, &rt, &d) != 0) {
        return -1;
    }
    const char *rtb_id = ec2_str(rt, "RouteTableId");
    int i = find_route(rt, &d);
    json_t *route = i >= 0 ? json_array_get(json_object_get(rt, "Routes"), (size_t)i) : NULL;
    int rc = 0;
    if (route == NULL) {
        rc = ec2_err_value(c,
                           "There is no route defined for '%s' in the route table. "
                           "Use CreateRoute instead.",
                           d.value);
    }
    rc = rc == 0 ? parse_target(c, rt, true, &t) : rc;
    if (rc == 0 && is_local(route) && !t.local) {
        rc = ec2_err_value(c, "cannot replace local route %s in route table %s", d.value, rtb_id);
    }
    if (rc == 0 && t.local && !is_local(route)) {
        rc = ec2_err_value(c, "The route to %s in route table %s is not a local route", d.value,
                           rtb_id);
    }
    if (rc == 0 && is_endpoint_route(route)) {
        rc = endpoint_route_refused(c, route, rtb_id);
    }
    rc = rc == 0 ? check_more_specific(c, rt, &d, &t) : rc;
    if (rc == 0 && !t.local) {
        const char *origin = keep(c, ec2_str(route, "Origin"));
        json_array_set_new(json_object_get(rt, "Routes"), (size_t)i,
                           route_doc(&d, &t, origin != NULL ? origin : "CreateRoute"));
        rc = ec2_replace(c, kind(EC2_KIND_RTB), &obj, rt);
    }
    json_decref(rt);
    return rc;
}

EC2_OPERATION(replace_route, true)

// DeleteRoute: an unknown destination is InvalidRoute.NotFound "no route with
// destination-cidr-block X in route table rtb-..." (the wording EC2 emulators record for EC2,
// getmoto/moto; not checked against EC2). Local routes go only with their VPC CIDR block and
// gateway endpoint routes only with their endpoint; both refusals' wordings are sagebox's.
static int delete_route_body(struct svc_call *c)
{
    struct store_obj obj;
    json_t *rt;
    struct dest d;
    if (route_request(c, "ec2:DeleteRoute", &obj, &rt, &d) != 0) {
        return -1;
    }
    const char *rtb_id = ec2_str(rt, "RouteTableId");
    json_t *routes = json_object_get(rt, "Routes");
    int i = find_route(rt, &d);
    const json_t *route = i >= 0 ? json_array_get(routes, (size_t)i) : NULL;
    int rc = 0;
    if (route == NULL) {
        rc = ec2_err(c, 400, "InvalidRoute.NotFound", "no route with %s %s in route table %s",
                     d.noun, d.value, rtb_id);
    } else if (is_local(route)) {
        rc = ec2_err_value(c, "cannot remove local route %s in route table %s", d.value, rtb_id);
    } else if (is_endpoint_route(route)) {
        rc = endpoint_route_refused(c, route, rtb_id);
    }
    if (rc == 0) {
        json_array_remove(routes, (size_t)i);
        rc = ec2_replace(c, kind(EC2_KIND_RTB), &obj, rt);
    }
    json_decref(rt);
    return rc;
}

EC2_OPERATION(delete_route, true)

const struct svc_handler ec2_route_handlers[] = {
    {"CreateRouteTable", create_route_table},
    {"DescribeRouteTables", describe_route_tables},
    {"DeleteRouteTable", delete_route_table},
    {"AssociateRouteTable", associate_route_table},
    {"DisassociateRouteTable", disassociate_route_table},
    {"ReplaceRouteTableAssociation", replace_route_table_association},
    {"CreateRoute", create_route},
    {"ReplaceRoute", replace_route},
    {"DeleteRoute", delete_route},
    {NULL, NULL},
};
