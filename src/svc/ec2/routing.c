// SPDX-License-Identifier: Apache-2.0
// Routing in one VPC (see routing.h): the route a subnet's packet takes by longest prefix match
// over its route table, the liveness of route targets, and the time-driven states of NAT gateways.
// Pure functions over documents and the VPC graph: no store, no clock, no globals (Amazon VPC User
// Guide, "How route priority works", "NAT gateways").
#include "svc/ec2/routing.h"

#include <string.h>

static bool same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

// An integer member of a document, or -1 when absent.
static long long int_member(const json_t *doc, const char *member)
{
    const json_t *v = json_object_get(doc, member);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

// ---- NAT gateways ------------------------------------------------------------------------------

// The state of a NAT gateway at time now; see routing.h.
const char *ec2_routing_nat_state(const json_t *nat, time_t now)
{
    static const char *const known[] = {"pending", "available", "failed", "deleting", "deleted"};
    const char *state = ec2_str(nat, "State");
    const char *out = "";
    for (size_t i = 0; state != NULL && i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(state, known[i]) == 0) {
            out = known[i];
        }
    }
    long long ready = int_member(nat, "_ReadyAt");
    long long gone = int_member(nat, "_GoneAt");
    if ((same(out, "available") || same(out, "failed")) && (long long)now < ready) {
        return "pending";
    }
    if (same(out, "deleted") && (long long)now < gone) {
        return "deleting";
    }
    return out;
}

// Copies internal member from (when present) to the public member to.
static void publish(json_t *nat, const char *from, const char *to)
{
    json_t *v = json_object_get(nat, from);
    if (v != NULL) {
        json_object_set(nat, to, v);
    }
}

// Brings a NAT gateway document to its state at time now; see routing.h.
void ec2_routing_nat_settle(json_t *nat, time_t now)
{
    const char *state = ec2_routing_nat_state(nat, now);
    if (state[0] == '\0') {
        return;
    }
    if (strcmp(state, "pending") != 0) {
        publish(nat, "_Addresses", "NatGatewayAddresses");
    }
    if (strcmp(state, "failed") == 0) {
        publish(nat, "_FailureCode", "FailureCode");
        publish(nat, "_FailureMessage", "FailureMessage");
    } else if (strcmp(state, "deleted") == 0) {
        publish(nat, "_DeleteTime", "DeleteTime");
    }
    json_object_set_new(nat, "State", json_string(state));
}

// True when a settled NAT gateway is no longer described; see routing.h.
bool ec2_routing_nat_expired(const json_t *nat, time_t now)
{
    const char *state = ec2_str(nat, "State");
    long long since = -1;
    if (same(state, "deleted")) {
        since = int_member(nat, "_GoneAt");
    } else if (same(state, "failed")) {
        since = int_member(nat, "_ReadyAt");
    }
    return since >= 0 && (long long)now >= since + EC2_NAT_RETAIN_SECONDS;
}

// ---- Routes ------------------------------------------------------------------------------------

// The Route members that name a target, in the order ec2_routing_route_target looks at them.
static const char *const target_members[] = {
    "GatewayId",
    "NatGatewayId",
    "NetworkInterfaceId",
    "InstanceId",
    "VpcPeeringConnectionId",
    "TransitGatewayId",
    "EgressOnlyInternetGatewayId",
    "LocalGatewayId",
    "CarrierGatewayId",
    "CoreNetworkArn",
};

// The id of a route's target; see routing.h.
const char *ec2_routing_route_target(const json_t *route)
{
    for (size_t i = 0; i < sizeof(target_members) / sizeof(target_members[0]); i++) {
        const char *v = ec2_str(route, target_members[i]);
        if (v != NULL && v[0] != '\0') {
            return v;
        }
    }
    return NULL;
}

// True when an internet gateway is attached to a VPC; see routing.h.
bool ec2_routing_igw_attached(const json_t *igw, const char *vpc_id)
{
    const json_t *list = json_object_get(igw, "Attachments");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *a = json_array_get(list, i);
        const char *state = ec2_str(a, "State");
        if (same(ec2_str(a, "VpcId"), vpc_id) &&
            (same(state, "available") || same(state, "attached"))) {
            return true;
        }
    }
    return false;
}

// The state of a route; see routing.h.
const char *ec2_routing_route_state(const json_t *route, const char *vpc_id, const json_t *target,
                                    time_t now)
{
    const char *id = ec2_routing_route_target(route);
    if (same(id, "local")) {
        return "active";
    }
    if (id == NULL || target == NULL) {
        return "blackhole";
    }
    bool alive = true;
    if (has_prefix(id, "igw-")) {
        alive = ec2_routing_igw_attached(target, vpc_id);
    } else if (has_prefix(id, "nat-")) {
        const char *s = ec2_routing_nat_state(target, now);
        alive = strcmp(s, "pending") == 0 || strcmp(s, "available") == 0;
    } else if (has_prefix(id, "vpce-")) {
        static const char *const gone[] = {"deleting", "deleted", "failed", "rejected", "expired"};
        const char *s = ec2_str(target, "State");
        for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]) && alive; i++) {
            alive = !same(s, gone[i]);
        }
    }
    return alive ? "active" : "blackhole";
}

// ---- Route selection ---------------------------------------------------------------------------

// The route table of a subnet; see routing.h.
const struct ec2_node *ec2_routing_subnet_table(const struct ec2_graph *g, const char *subnet_id)
{
    const struct ec2_node *main_table = NULL;
    for (size_t i = 0; i < g->count; i++) {
        const struct ec2_node *n = &g->nodes[i];
        if (strcmp(n->kind->kind, EC2_KIND_RTB) != 0) {
            continue;
        }
        const json_t *list = json_object_get(n->doc, "Associations");
        for (size_t j = 0; j < json_array_size(list); j++) {
            const json_t *a = json_array_get(list, j);
            if (same(ec2_str(a, "SubnetId"), subnet_id)) {
                return n;
            }
            if (json_is_true(json_object_get(a, "Main")) && main_table == NULL) {
                main_table = n;
            }
        }
    }
    const char *main_id = g->vpc != NULL ? ec2_str(g->vpc->doc, "_MainRouteTableId") : NULL;
    const struct ec2_node *by_id = main_id != NULL ? ec2_graph_find(g, main_id) : NULL;
    if (by_id != NULL && strcmp(by_id->kind->kind, EC2_KIND_RTB) == 0) {
        return by_id;
    }
    return main_table;
}

// The prefix length with which route matches dst, or -1 when it does not. *from_list tells whether
// the match came through a prefix list.
static int match_length(const json_t *route, const struct ec2_route_dest *dst, bool *from_list)
{
    *from_list = false;
    const char *pl = ec2_str(route, "DestinationPrefixListId");
    if (pl != NULL) {
        for (size_t i = 0; i < dst->pl_count; i++) {
            if (same(dst->pls[i].prefix_list_id, pl)) {
                *from_list = true;
                return (int)dst->pls[i].prefix;
            }
        }
        return -1;
    }
    const char *text =
        ec2_str(route, dst->addr.v4 ? "DestinationCidrBlock" : "DestinationIpv6CidrBlock");
    struct cidr block;
    if (text == NULL || cidr_parse_block(text, strlen(text), &block) != 0 ||
        block.v4 != dst->addr.v4 || !cidr_contains(&block, &dst->addr)) {
        return -1;
    }
    return (int)cidr_family_prefix(&block);
}

static enum ec2_route_kind kind_of_target(const char *id)
{
    if (same(id, "local")) {
        return EC2_ROUTE_LOCAL;
    }
    if (has_prefix(id, "igw-")) {
        return EC2_ROUTE_IGW;
    }
    if (has_prefix(id, "nat-")) {
        return EC2_ROUTE_NAT;
    }
    if (has_prefix(id, "vpce-")) {
        return EC2_ROUTE_VPCE;
    }
    if (has_prefix(id, "eni-")) {
        return EC2_ROUTE_ENI;
    }
    return EC2_ROUTE_OTHER;
}

// Chooses a packet's route; see routing.h.
int ec2_routing_select(const struct ec2_graph *g, const char *subnet_id,
                       const struct ec2_route_dest *dst, time_t now, struct ec2_route_choice *out)
{
    memset(out, 0, sizeof(*out));
    const struct ec2_node *subnet = ec2_graph_find(g, subnet_id);
    if (subnet == NULL || strcmp(subnet->kind->kind, EC2_KIND_SUBNET) != 0) {
        return SB_ENOTFOUND;
    }
    const struct ec2_node *table = ec2_routing_subnet_table(g, subnet_id);
    if (table == NULL) {
        return 0;
    }
    out->route_table_id = table->id;
    const json_t *routes = json_object_get(table->doc, "Routes");
    int best = -1;
    bool best_from_list = false;
    for (size_t i = 0; i < json_array_size(routes); i++) {
        const json_t *r = json_array_get(routes, i);
        bool from_list;
        int len = match_length(r, dst, &from_list);
        if (len < 0) {
            continue;
        }
        // Longest prefix first; on equal length a static route beats a prefix-list route.
        if (len > best || (len == best && best_from_list && !from_list)) {
            best = len;
            best_from_list = from_list;
            out->route = r;
        }
    }
    if (out->route == NULL) {
        return 0;
    }
    out->prefix = (unsigned)best;
    out->target_id = ec2_routing_route_target(out->route);
    const struct ec2_node *target =
        out->target_id != NULL ? ec2_graph_find(g, out->target_id) : NULL;
    const char *state =
        ec2_routing_route_state(out->route, g->vpc_id, target ? target->doc : NULL, now);
    out->kind =
        strcmp(state, "blackhole") == 0 ? EC2_ROUTE_BLACKHOLE : kind_of_target(out->target_id);
    return 0;
}

// The name of a route kind; see routing.h.
const char *ec2_routing_kind_name(enum ec2_route_kind kind)
{
    static const char *const names[] = {"none", "local", "igw",   "nat",
                                        "vpce", "eni",   "other", "blackhole"};
    return (size_t)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "none";
}
