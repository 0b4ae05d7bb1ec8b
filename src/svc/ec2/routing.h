// SPDX-License-Identifier: Apache-2.0
// Routing in one VPC, as pure functions over stored documents and the VPC graph (ec2_graph_load):
// which route of a subnet's route table a packet takes, and whether that route's target is alive.
// The traffic simulation of later issues asks ec2_routing_select; the route-table handlers
// (routes.c) and the NAT gateway handlers (gateways.c) use the same rules to show a route's State
// and a NAT gateway's State at read time, so that a Describe and a simulated packet always agree.
//
// Rules (Amazon VPC User Guide, "Route tables": "How route priority works"; "NAT gateways"):
//   - a subnet uses the route table it is explicitly associated with, else the VPC's main table;
//   - IPv4 and IPv6 routes are independent; the longest matching prefix wins; on a tie a static
//     (CIDR) route wins over a prefix-list route, whose prefix is that of the prefix-list entry
//     holding the destination;
//   - a route is "blackhole" when its target is gone: an internet gateway no longer attached to the
//     VPC, a NAT gateway that is deleting, deleted or failed, a deleted VPC endpoint, network
//     interface or any other target that no longer exists. The state is computed when read, never
//     stored, so a route turns blackhole the moment its target goes away and active again when an
//     internet gateway is re-attached.
//   - a NAT gateway is "pending" for EC2_NAT_PENDING_SECONDS after CreateNatGateway, then
//     "available" (or "failed" with the FailureCode and FailureMessage decided at creation);
//     "deleting" for EC2_NAT_DELETING_SECONDS after DeleteNatGateway, then "deleted". The stored
//     document holds the state the NAT gateway ends in ("available", "failed", "deleted"; what
//     the VPC's dependency check reads) and the times of the transitions in the internal members
//     _ReadyAt and _GoneAt (epoch seconds); until then it is shown "pending" or "deleting".
#ifndef SAGEBOX_EC2_ROUTING_H
#define SAGEBOX_EC2_ROUTING_H

#include "core/cidr.h"
#include "svc/ec2/ec2_common.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

// How long a new NAT gateway is "pending" and a deleted one "deleting" (AWS takes minutes; a few
// seconds keep clients' wait loops honest without slowing tests), and how long a deleted or failed
// one is still described ("Deleted NAT gateways are visible for about an hour", Amazon VPC User
// Guide, "Delete a NAT gateway").
#define EC2_NAT_PENDING_SECONDS  2
#define EC2_NAT_DELETING_SECONDS 2
#define EC2_NAT_RETAIN_SECONDS   3600

// The state NAT gateway document nat has at time now (see the rules above): its stored State
// ("available", "failed" or "deleted"), shown "pending" before _ReadyAt and "deleting" before
// _GoneAt. Returns a static string ("pending", "available", "failed", "deleting", "deleted"), or ""
// for a document without a known State.
const char *ec2_routing_nat_state(const json_t *nat, time_t now);

// Rewrites NAT gateway document nat (a private copy the caller owns) into what it shows at time
// now: State as ec2_routing_nat_state; once no longer pending, the NatGatewayAddresses kept in
// _Addresses (while pending it shows only what the request named); when failed, FailureCode and
// FailureMessage from _FailureCode/_FailureMessage; when deleted, DeleteTime from _DeleteTime.
// Internal members stay. A settled document is for showing: settle a stored document once.
void ec2_routing_nat_settle(json_t *nat, time_t now);

// True when the settled NAT gateway document (ec2_routing_nat_settle) is one that DescribeNat-
// Gateways no longer shows: deleted or failed for more than EC2_NAT_RETAIN_SECONDS.
bool ec2_routing_nat_expired(const json_t *nat, time_t now);

// The id of route's target: GatewayId ("local", "igw-...", "vpce-..."), NatGatewayId,
// NetworkInterfaceId, InstanceId, VpcPeeringConnectionId, TransitGatewayId,
// EgressOnlyInternetGatewayId, LocalGatewayId, CarrierGatewayId or CoreNetworkArn, the first one
// present in that order; NULL when the route names none. Borrowed from route.
const char *ec2_routing_route_target(const json_t *route);

// True when internet gateway document igw is attached to VPC vpc_id (an attachment naming the VPC
// in state "available", as EC2 shows attached internet gateways, or "attached").
bool ec2_routing_igw_attached(const json_t *igw, const char *vpc_id);

// The State ("active" or "blackhole", static strings) of route in a route table of VPC vpc_id,
// given the document of its target (target: NULL when the target does not exist) at time now. A
// "local" route is always active.
const char *ec2_routing_route_state(const json_t *route, const char *vpc_id, const json_t *target,
                                    time_t now);

// A prefix list the destination of a packet belongs to, and the prefix length of the entry of that
// list that holds the destination (S3's "com.amazonaws.us-east-1.s3" list holds 52.216.0.0/15, so
// an S3 address in it matches a route to that list with prefix 15).
struct ec2_route_pl {
    const char *prefix_list_id;
    unsigned prefix;
};

// The destination of a packet: an address (IPv4 or IPv6, as cidr_parse reads "a.b.c.d") and the
// prefix lists it belongs to (may be none).
struct ec2_route_dest {
    struct cidr addr;
    const struct ec2_route_pl *pls;
    size_t pl_count;
};

// Where the route a packet takes leads.
enum ec2_route_kind {
    EC2_ROUTE_NONE,      // no route matches: the packet is dropped
    EC2_ROUTE_LOCAL,     // inside the VPC
    EC2_ROUTE_IGW,       // an attached internet gateway
    EC2_ROUTE_NAT,       // a pending or available NAT gateway
    EC2_ROUTE_VPCE,      // a VPC endpoint (gateway endpoint prefix-list routes)
    EC2_ROUTE_ENI,       // a network interface
    EC2_ROUTE_OTHER,     // a target of a kind sagebox does not model further
    EC2_ROUTE_BLACKHOLE, // a route matches but its target is gone: the packet is
                         // dropped
};

// The route ec2_routing_select picked.
struct ec2_route_choice {
    enum ec2_route_kind kind;
    const char *route_table_id; // the table consulted; NULL when the subnet has none
    const json_t *route;        // the matching route (borrowed from the graph); NULL for NONE
    const char *target_id;      // its target ("local", "igw-...", "nat-..."); NULL for NONE
    unsigned prefix;            // the length of the matched prefix (family's own space)
};

// The route table subnet subnet_id of graph g uses: the one with an association naming the subnet,
// else the main route table (the VPC's _MainRouteTableId, or the table with the Main association).
// Returns the node, or NULL when there is none.
const struct ec2_node *ec2_routing_subnet_table(const struct ec2_graph *g, const char *subnet_id);

// Chooses the route a packet from subnet subnet_id of graph g to destination dst takes at time now
// (see the rules above) and fills *out. Returns 0, or SB_ENOTFOUND (*out zeroed) when the subnet is
// not in the graph. Reads only g: no store, no clock.
int ec2_routing_select(const struct ec2_graph *g, const char *subnet_id,
                       const struct ec2_route_dest *dst, time_t now, struct ec2_route_choice *out);

// The name of a route kind ("none", "local", "igw", "nat", "vpce", "eni", "other", "blackhole").
const char *ec2_routing_kind_name(enum ec2_route_kind kind);

#endif
