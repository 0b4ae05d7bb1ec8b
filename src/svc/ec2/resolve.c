// SPDX-License-Identifier: Apache-2.0
// Which VPC endpoint answers (see resolve.h): DNS names of interface endpoints (regional, zonal and
// private DNS entries, AWS PrivateLink Guide, "DNS hostnames" of interface endpoints), the
// endpoint address a client in a subnet gets, prefix-list routes to gateway endpoints, and the
// endpoint policy. Pure functions over the documents of an ec2_graph: VpcEndpoint documents
// (kind ec2.vpce; DnsEntries, NetworkInterfaceIds, State with the internal _AvailableAt,
// PolicyDocument), NetworkInterface documents (kind ec2.eni; SubnetId, AvailabilityZone,
// PrivateIpAddress), Subnet documents and RouteTable documents (Routes).
#include "svc/ec2/resolve.h"

#include <string.h>
#include <strings.h>

// The state of an endpoint at a time; see resolve.h.
const char *ec2_vpce_state(const json_t *vpce, int64_t now_ms)
{
    const char *state = ec2_str(vpce, "State");
    if (state == NULL) {
        return "";
    }
    const json_t *at = json_object_get(vpce, "_AvailableAt");
    if (strcmp(state, "pending") == 0 && json_is_integer(at) && json_integer_value(at) <= now_ms) {
        return "available";
    }
    return state;
}

// The length of a DNS name without its trailing dot.
static size_t name_len(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

// DNS name matching; see resolve.h.
bool ec2_dns_name_match(const char *pattern, const char *name)
{
    if (pattern == NULL || name == NULL) {
        return false;
    }
    size_t pl = name_len(pattern);
    size_t nl = name_len(name);
    if (pl >= 2 && pattern[0] == '*' && pattern[1] == '.') {
        // "*.suffix": the name must be at least one non-empty label longer than ".suffix".
        size_t sl = pl - 1; // ".suffix"
        return nl > sl && name[nl - sl - 1] != '.' &&
               strncasecmp(name + nl - sl, pattern + 1, sl) == 0;
    }
    return pl == nl && strncasecmp(pattern, name, pl) == 0;
}

static bool str_eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

// The node with id of kind kind, or NULL.
static const struct ec2_node *node_of(const struct ec2_graph *g, const char *id, const char *kind)
{
    const struct ec2_node *n = id != NULL ? ec2_graph_find(g, id) : NULL;
    return n != NULL && n->kind != NULL && strcmp(n->kind->kind, kind) == 0 ? n : NULL;
}

// True when the first label of name ends with "-ZONE" (a zonal vpce name).
static bool names_zone(const char *name, const char *zone)
{
    const char *dot = strchr(name, '.');
    size_t first = dot != NULL ? (size_t)(dot - name) : strlen(name);
    size_t zl = zone != NULL ? strlen(zone) : 0;
    return zl > 0 && first > zl + 1 && name[first - zl - 1] == '-' &&
           strncasecmp(name + first - zl, zone, zl) == 0;
}

// Picks the interface of endpoint ep that answers entry for a client in subnet_id.
static const struct ec2_node *pick_eni(const struct ec2_graph *g, const struct ec2_node *ep,
                                       const char *entry, const char *subnet_id)
{
    const json_t *ids = json_object_get(ep->doc, "NetworkInterfaceIds");
    const struct ec2_node *subnet = node_of(g, subnet_id, EC2_KIND_SUBNET);
    const char *zone = subnet != NULL ? ec2_str(subnet->doc, "AvailabilityZone") : NULL;
    const struct ec2_node *by_zone = NULL;
    const struct ec2_node *by_subnet = NULL;
    const struct ec2_node *by_name = NULL;
    const struct ec2_node *lowest = NULL;
    for (size_t i = 0; i < json_array_size(ids); i++) {
        const struct ec2_node *eni =
            node_of(g, json_string_value(json_array_get(ids, i)), EC2_KIND_ENI);
        if (eni == NULL || ec2_str(eni->doc, "PrivateIpAddress") == NULL) {
            continue;
        }
        const char *ez = ec2_str(eni->doc, "AvailabilityZone");
        if (by_name == NULL && names_zone(entry, ez)) {
            by_name = eni;
        }
        if (by_subnet == NULL && str_eq(ec2_str(eni->doc, "SubnetId"), subnet_id)) {
            by_subnet = eni;
        }
        if (by_zone == NULL && str_eq(ez, zone)) {
            by_zone = eni;
        }
        if (lowest == NULL || strcmp(eni->id, lowest->id) < 0) {
            lowest = eni;
        }
    }
    return by_name ? by_name : by_subnet ? by_subnet : by_zone ? by_zone : lowest;
}

// Resolves a DNS name; see resolve.h.
int ec2_resolve_endpoint_dns(const struct ec2_graph *g, const char *name, const char *subnet_id,
                             int64_t now_ms, struct ec2_dns_answer *out)
{
    if (g == NULL || name == NULL || out == NULL) {
        return -1;
    }
    memset(out, 0, sizeof(*out));
    const struct ec2_node *best = NULL;
    const char *best_entry = NULL;
    bool best_exact = false;
    for (size_t i = 0; i < g->count; i++) {
        const struct ec2_node *n = &g->nodes[i];
        if (n->kind == NULL || strcmp(n->kind->kind, EC2_KIND_VPCE) != 0 ||
            !str_eq(ec2_str(n->doc, "VpcEndpointType"), "Interface") ||
            strcmp(ec2_vpce_state(n->doc, now_ms), "available") != 0) {
            continue;
        }
        const json_t *entries = json_object_get(n->doc, "DnsEntries");
        for (size_t j = 0; j < json_array_size(entries); j++) {
            const char *pattern = ec2_str(json_array_get(entries, j), "DnsName");
            if (!ec2_dns_name_match(pattern, name)) {
                continue;
            }
            bool exact = pattern[0] != '*';
            // Nodes are sorted by id, so the first endpoint found of a kind of match is the lowest.
            if (best == NULL || (exact && !best_exact)) {
                best = n;
                best_entry = pattern;
                best_exact = exact;
            }
            break;
        }
    }
    if (best == NULL) {
        return 0;
    }
    const struct ec2_node *eni = pick_eni(g, best, name, subnet_id);
    if (eni == NULL) {
        return 0;
    }
    out->endpoint = best;
    out->eni = eni;
    out->ip = ec2_str(eni->doc, "PrivateIpAddress");
    out->policy = ec2_str(best->doc, "PolicyDocument");
    out->private_dns = strncmp(best_entry, "vpce-", 5) != 0;
    return 1;
}

// The gateway endpoint of a prefix-list route; see resolve.h.
const struct ec2_node *ec2_resolve_gateway_endpoint(const struct ec2_graph *g, const char *rtb_id,
                                                    const char *pl_id, int64_t now_ms)
{
    const struct ec2_node *rtb = g != NULL ? node_of(g, rtb_id, EC2_KIND_RTB) : NULL;
    const json_t *routes = rtb != NULL ? json_object_get(rtb->doc, "Routes") : NULL;
    for (size_t i = 0; pl_id != NULL && i < json_array_size(routes); i++) {
        const json_t *r = json_array_get(routes, i);
        if (!str_eq(ec2_str(r, "DestinationPrefixListId"), pl_id)) {
            continue;
        }
        const struct ec2_node *ep = node_of(g, ec2_str(r, "GatewayId"), EC2_KIND_VPCE);
        if (ep != NULL && str_eq(ec2_str(ep->doc, "VpcEndpointType"), "Gateway") &&
            strcmp(ec2_vpce_state(ep->doc, now_ms), "available") == 0) {
            return ep;
        }
    }
    return NULL;
}

// The policy of an endpoint; see resolve.h.
const char *ec2_resolve_endpoint_policy(const struct ec2_graph *g, const char *vpce_id)
{
    const struct ec2_node *ep = g != NULL ? node_of(g, vpce_id, EC2_KIND_VPCE) : NULL;
    return ep != NULL ? ec2_str(ep->doc, "PolicyDocument") : NULL;
}
