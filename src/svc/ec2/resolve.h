// SPDX-License-Identifier: Apache-2.0
// Which VPC endpoint answers, as pure functions over the stored documents of one VPC (struct
// ec2_graph): the traffic simulation of later issues asks them which endpoint a service's DNS name
// resolves to inside a VPC (the private DNS of interface endpoints, AWS PrivateLink Guide,
// "Access an AWS service using an interface VPC endpoint": with private DNS enabled the service's
// default name, e.g. sts.us-east-1.amazonaws.com, resolves to the endpoint's addresses in the
// VPC), which endpoint's address a client gets (the endpoint's network interface in the client's
// subnet or zone), which gateway endpoint a route table sends a prefix list to, and the endpoint
// policy the policy engine must then apply (with aws:SourceVpce / aws:SourceVpc). Nothing here
// reads the store, allocates from an arena or keeps state; results point into the graph.
#ifndef SAGEBOX_EC2_RESOLVE_H
#define SAGEBOX_EC2_RESOLVE_H

#include "svc/ec2/ec2_common.h"

#include <stdbool.h>
#include <stdint.h>

// How long a new VPC endpoint stays "pending" before it is "available", in milliseconds.
#define EC2_VPCE_PENDING_MS 1000

// The state VPC endpoint document vpce has at time now_ms (milliseconds since the epoch): its
// stored State, except that a "pending" endpoint whose internal _AvailableAt (milliseconds) has
// passed is "available". Returns a static string or the document's own; "" when it has none.
const char *ec2_vpce_state(const json_t *vpce, int64_t now_ms);

// True when DNS name name is matched by pattern: equal ignoring case and a trailing dot, or, for
// a pattern "*.SUFFIX", any name of one or more labels followed by ".SUFFIX" (a wildcard record of
// a private hosted zone).
bool ec2_dns_name_match(const char *pattern, const char *name);

// What a DNS query inside a VPC finds.
struct ec2_dns_answer {
    const struct ec2_node *endpoint; // the interface VPC endpoint that answers
    const struct ec2_node *eni;      // its network interface whose address is returned
    const char *ip;                  // that interface's private IPv4 address
    const char *policy;              // the endpoint's PolicyDocument, NULL when it has none
    bool private_dns;                // answered through the service's own name (private DNS),
                                     // not an endpoint-specific vpce name
};

// Resolves DNS name name for a client in subnet subnet_id (NULL: unknown) of the VPC of graph g at
// time now_ms. An available interface endpoint answers when one of its DnsEntries matches (its
// regional and zonal vpce names always, the service's name only with private DNS enabled); an
// exact entry wins over a wildcard one, then the lowest endpoint id. The address is that of the
// endpoint's interface in the zone a zonal name names, else in the client's subnet, else in the
// client's zone, else its interface with the lowest id. Returns 1 with *out filled, 0 when no
// endpoint answers (the name resolves as outside the VPC), -1 when g or name is NULL.
int ec2_resolve_endpoint_dns(const struct ec2_graph *g, const char *name, const char *subnet_id,
                             int64_t now_ms, struct ec2_dns_answer *out);

// The available gateway endpoint that route table rtb_id of graph g sends prefix list pl_id to
// (a route with that DestinationPrefixListId and a vpce- GatewayId), or NULL.
const struct ec2_node *ec2_resolve_gateway_endpoint(const struct ec2_graph *g, const char *rtb_id,
                                                    const char *pl_id, int64_t now_ms);

// The PolicyDocument of VPC endpoint vpce_id of graph g, or NULL when the graph has no such
// endpoint or it has no policy.
const char *ec2_resolve_endpoint_policy(const struct ec2_graph *g, const char *vpce_id);

#endif
