// SPDX-License-Identifier: Apache-2.0
// VPC endpoints (EC2 API Reference: CreateVpcEndpoint, DescribeVpcEndpoints, ModifyVpcEndpoint,
// DeleteVpcEndpoints; AWS PrivateLink Guide, "Gateway endpoints", "Access an AWS service using an
// interface VPC endpoint", "Control access to VPC endpoints using endpoint policies").
//
// Objects follow the store layout of ec2_common.h: kind ec2.vpce, parent the VPC, document
// VpcEndpoint, with internal members _AvailableAt (milliseconds since the epoch when the endpoint
// stops being "pending": never at once, EC2_VPCE_PENDING_MS after creation, see resolve.h),
// _DnsSuffix (the random part of its vpce DNS names) and _PrivateZoneId (the hosted zone of its
// private DNS name).
//   - Gateway endpoints (S3, DynamoDB) add to each route table a route
//     {DestinationPrefixListId: the service's AWS-managed prefix list, GatewayId: the endpoint,
//     Origin: CreateRoute, State: active}, the RouteTable document shape the route-table family
//     keeps; removing a table or deleting the endpoint removes exactly those routes.
//   - Interface endpoints get one requester-managed network interface per subnet (enis.h:
//     InterfaceType vpc_endpoint, Description "VPC Endpoint Interface vpce-...", the endpoint's
//     security groups, the subnet's next free address), at most one subnet per Availability
//     Zone, and DnsEntries: the regional name vpce-ID-SUFFIX.BASE, one zonal name
//     vpce-ID-SUFFIX-ZONE.BASE per subnet's zone, and with private DNS the service's own name.
//     Private DNS needs the VPC's enableDnsSupport and enableDnsHostnames and no other endpoint of
//     the VPC answering the same name.
//   - Every endpoint has a policy: the one given, validated by the policy engine as a VPC
//     endpoint policy, or AWS's default full-access policy; services that do not support
//     policies (endpoint_services.c) take only the full-access one.
// DeleteVpcEndpoints removes an endpoint at once (AWS shows "deleting" for a while first).
//
// Authorization (Service Authorization Reference, Amazon EC2): CreateVpcEndpoint on
// vpc-endpoint/* (ec2:VpceServiceName, ec2:VpceServiceOwner, ec2:Vpc, tags), on the VPC, and on
// each route table, subnet and security group it names; ModifyVpcEndpoint on the endpoint and on
// the route tables, subnets and groups it adds or removes; DeleteVpcEndpoints on each endpoint;
// DescribeVpcEndpoints on "*".
#include "svc/ec2/endpoint_services.h"
#include "svc/ec2/enis.h"
#include "svc/ec2/prefixlists.h"
#include "svc/ec2/resolve.h"

#include "svc/ec2/ec2_common.h"
#include "svc/registry.h"

#include "core/ids.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

// AWS's default endpoint policy: full access for everyone through the endpoint (PrivateLink
// Guide, "Default endpoint policy").
static const char DEFAULT_POLICY[] = "{\"Version\":\"2008-10-17\",\"Statement\":[{\"Effect\":"
                                     "\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\""
                                     ":\"*\"}]}";

// The RequesterId of an interface endpoint's network interfaces: AWS shows the account of the
// PrivateLink service there, which it does not document; sagebox uses the AWS documentation's
// example account id as a recognisable stand-in.
#define VPCE_REQUESTER_ID "111122223333"

// Security groups per interface endpoint: the network interface quota (enis.c).
#define VPCE_GROUPS_MAX 5

static const struct ec2_kind *kind(const char *store_kind)
{
    return ec2_kind_by_store(store_kind);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// The strings of a request list member, in the arena; returns how many.
static size_t in_strings(struct svc_call *c, const char *member, const char ***out)
{
    const json_t *list = json_object_get(c->in, member);
    size_t n = json_array_size(list);
    const char **v = arena_calloc(c->arena, n + 1, sizeof(*v));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(list, i));
        bool dup = false;
        for (size_t j = 0; s != NULL && j < k && !dup; j++) {
            dup = strcmp(v[j], s) == 0;
        }
        if (s != NULL && !dup) {
            v[k++] = s;
        }
    }
    *out = v;
    return k;
}

// True when list (a JSON array of strings) holds s.
static bool list_has(const json_t *list, const char *s)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *v = json_string_value(json_array_get(list, i));
        if (v != NULL && strcmp(v, s) == 0) {
            return true;
        }
    }
    return false;
}

// Removes s from list (a JSON array of strings).
static void list_remove(json_t *list, const char *s)
{
    for (size_t i = json_array_size(list); i-- > 0;) {
        const char *v = json_string_value(json_array_get(list, i));
        if (v != NULL && strcmp(v, s) == 0) {
            json_array_remove(list, i);
        }
    }
}

// ---- Policies -----------------------------------------------------------------------------------

// Validates an endpoint policy as EC2 does: JSON syntax first, answered with 400
// InvalidPolicyDocument "The Policy Document is not valid. Syntax error at position (LINE,COL)"
// (real EC2, hashicorp/terraform-provider-aws#42291), then the policy language through the engine
// as a VPC endpoint policy (same code, the engine's IAM wording after "The Policy Document is not
// valid."; EC2's wording for these could not be checked).
static int check_policy(struct svc_call *c, const char *doc)
{
    json_error_t je;
    json_t *j = json_loads(doc, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL) {
        return ec2_err(c, 400, "InvalidPolicyDocument",
                       "The Policy Document is not valid. Syntax error at position (%d,%d)",
                       je.line, je.column);
    }
    json_decref(j);
    struct policy *p = NULL;
    struct policy_error pe;
    if (policy_parse(doc, strlen(doc), POLICY_KIND_ENDPOINT, "endpoint policy", NULL, &p, &pe) !=
        0) {
        return ec2_err(c, 400, "InvalidPolicyDocument", "The Policy Document is not valid. %s",
                       pe.message);
    }
    policy_free(p);
    return 0;
}

// True when v is "*" or ["*"].
static bool is_star(const json_t *v)
{
    if (json_is_array(v) && json_array_size(v) == 1) {
        v = json_array_get(v, 0);
    }
    return json_is_string(v) && strcmp(json_string_value(v), "*") == 0;
}

// True when doc is the full-access policy in any spelling: one statement allowing every action on
// every resource to every principal ("*" or {"AWS": "*"}), without conditions.
static bool full_access(const char *doc)
{
    json_t *j = json_loads(doc, 0, NULL);
    const json_t *st = json_object_get(j, "Statement");
    if (json_is_array(st) && json_array_size(st) == 1) {
        st = json_array_get(st, 0);
    }
    const json_t *pr = json_object_get(st, "Principal");
    bool ok = json_is_object(st) && json_object_size(st) <= 5 &&
              json_object_get(st, "Condition") == NULL &&
              strcmp(ec2_str(st, "Effect") ? ec2_str(st, "Effect") : "", "Allow") == 0 &&
              is_star(json_object_get(st, "Action")) && is_star(json_object_get(st, "Resource")) &&
              (is_star(pr) || (json_is_object(pr) && json_object_size(pr) == 1 &&
                               is_star(json_object_get(pr, "AWS"))));
    json_decref(j);
    return ok;
}

// The policy a request sets on an endpoint of service svc: validated, and for a service without
// policy support only the full-access one, else InvalidParameter "Service NAME only supports the
// full-access endpoint policy." (real EC2 wording, pulumi/pulumi-aws-native#1711; the code is
// not shown there and is sagebox's choice).
static int policy_for(struct svc_call *c, const struct ec2_endpoint_service *svc, const char *doc)
{
    if (check_policy(c, doc) != 0) {
        return -1;
    }
    if (!svc->policy_supported && !full_access(doc)) {
        return ec2_err(c, 400, "InvalidParameter",
                       "Service %s only supports the full-access endpoint policy.", svc->name);
    }
    return 0;
}

// ---- DNS entries --------------------------------------------------------------------------------

static const char base36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

// n random characters of alphabet (of length m) into out (n + 1 bytes).
static void random_text(char *out, size_t n, const char *alphabet, size_t m)
{
    unsigned char b[32];
    ids_random_bytes(b, n < sizeof(b) ? n : sizeof(b));
    for (size_t i = 0; i < n && i < sizeof(b); i++) {
        out[i] = alphabet[b[i] % m];
    }
    out[n < sizeof(b) ? n : sizeof(b)] = '\0';
}

// The hosted zone of the vpce DNS names of a region: us-east-1's is Z7HUB22UULQXV (it appears in
// every us-east-1 endpoint's DnsEntries); for the other regions AWS's ids were not looked up and
// sagebox makes a stable one from the region's name.
static const char *vpce_zone_id(struct svc_call *c)
{
    if (strcmp(c->region, "us-east-1") == 0) {
        return "Z7HUB22UULQXV";
    }
    static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    uint32_t h = 2166136261u;
    for (const char *s = c->region; *s; s++) {
        h = (h ^ (unsigned char)*s) * 16777619u;
    }
    char id[15];
    id[0] = 'Z';
    for (size_t i = 1; i < 14; i++) {
        id[i] = upper[h % 36];
        h = h * 16777619u + (uint32_t)i;
    }
    id[14] = '\0';
    return ec2_fmt(c, "%s", id);
}

// Rebuilds the DnsEntries of an interface endpoint from its subnets' zones and private DNS flag:
// the regional name, one zonal name per zone (in subnet order), then the service's name.
static int refresh_dns(struct svc_call *c, json_t *ep, const struct ec2_endpoint_service *svc)
{
    const char *id = ec2_str(ep, "VpcEndpointId");
    const char *suffix = ec2_str(ep, "_DnsSuffix");
    const char *zone_id = vpce_zone_id(c);
    json_t *entries = json_array();
    json_array_append_new(entries, json_pack("{s:s, s:s}", "DnsName",
                                             ec2_fmt(c, "%s-%s.%s", id, suffix, svc->base_dns),
                                             "HostedZoneId", zone_id));
    const json_t *subnets = json_object_get(ep, "SubnetIds");
    for (size_t i = 0; i < json_array_size(subnets); i++) {
        json_t *s = NULL;
        const char *sid = json_string_value(json_array_get(subnets, i));
        if (ec2_get(c, kind(EC2_KIND_SUBNET), sid, NULL, &s) != 0) {
            continue;
        }
        const char *zone = ec2_str(s, "AvailabilityZone");
        if (zone != NULL) {
            json_array_append_new(
                entries, json_pack("{s:s, s:s}", "DnsName",
                                   ec2_fmt(c, "%s-%s-%s.%s", id, suffix, zone, svc->base_dns),
                                   "HostedZoneId", zone_id));
        }
        json_decref(s);
    }
    if (json_is_true(json_object_get(ep, "PrivateDnsEnabled")) && svc->private_dns[0] != '\0') {
        if (ec2_str(ep, "_PrivateZoneId") == NULL) {
            char z[20];
            random_text(z, 19, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 36);
            json_object_set_new(ep, "_PrivateZoneId", json_string(ec2_fmt(c, "Z0%s", z)));
        }
        json_array_append_new(entries, json_pack("{s:s, s:s}", "DnsName", svc->private_dns,
                                                 "HostedZoneId", ec2_str(ep, "_PrivateZoneId")));
    }
    json_object_set_new(ep, "DnsEntries", entries);
    return 0;
}

// Checks that private DNS may be turned on for an endpoint of svc in VPC vpc: both DNS attributes
// of the VPC (InvalidParameter; the wording is EC2's as recalled from public reports, not
// re-checked), and no other endpoint of the VPC answering the same name (InvalidParameter
// "private-dns-enabled cannot be set because there is already a conflicting DNS domain for NAME in
// the VPC VPC", real EC2, hashicorp/terraform-provider-aws#17535).
static int check_private_dns(struct svc_call *c, const json_t *vpc,
                             const struct ec2_endpoint_service *svc, const char *self)
{
    const char *vpc_id = ec2_str(vpc, "VpcId");
    if (!json_is_true(json_object_get(vpc, "_EnableDnsSupport")) ||
        !json_is_true(json_object_get(vpc, "_EnableDnsHostnames"))) {
        return ec2_err(c, 400, "InvalidParameter",
                       "Enabling private DNS requires both enableDnsSupport and "
                       "enableDnsHostnames VPC attributes set to true for %s",
                       vpc_id);
    }
    struct store_obj *items;
    size_t n;
    if (ec2_list_all(c, kind(EC2_KIND_VPCE), vpc_id, NULL, &items, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (self != NULL && strcmp(items[i].id, self) == 0) {
            continue;
        }
        json_t *other = ec2_parse(c, &items[i]);
        if (other == NULL) {
            return -1;
        }
        bool conflict = json_is_true(json_object_get(other, "PrivateDnsEnabled")) &&
                        strcmp(ec2_str(other, "ServiceName"), svc->name) == 0 &&
                        strcmp(ec2_str(other, "VpcEndpointType"), "Interface") == 0;
        json_decref(other);
        if (conflict) {
            return ec2_err(c, 400, "InvalidParameter",
                           "private-dns-enabled cannot be set because there is already a "
                           "conflicting DNS domain for %s in the VPC %s",
                           svc->private_dns, vpc_id);
        }
    }
    return 0;
}

// ---- Route tables -------------------------------------------------------------------------------

// Loads route table id for an endpoint of VPC vpc_id: the id's form and existence (the route
// table kind's errors) and its VPC (InvalidParameter, sagebox's wording).
static int load_rtb(struct svc_call *c, const char *vpc_id, const char *id, struct store_obj *obj,
                    json_t **doc)
{
    const struct ec2_kind *k = kind(EC2_KIND_RTB);
    *doc = NULL;
    if (!ec2_id_wellformed(id, k->prefix)) {
        return ec2_err_malformed(c, k, id);
    }
    int rc = ec2_get(c, k, id, obj, doc);
    if (rc == SB_ENOTFOUND) {
        return ec2_err_not_found(c, k, id);
    }
    if (rc != 0) {
        return -1;
    }
    if (strcmp(ec2_str(*doc, "VpcId") ? ec2_str(*doc, "VpcId") : "", vpc_id) != 0) {
        json_decref(*doc);
        *doc = NULL;
        return ec2_err(c, 400, "InvalidParameter", "The route table %s is not in VPC %s.", id,
                       vpc_id);
    }
    return 0;
}

// Adds the prefix-list route of endpoint ep_id to route table rtb. A table that already has a
// route to the list is RouteAlreadyExists "route table RTB already has a route with
// destination-prefix-list-id PL" (EC2's wording as recalled from public reports, not re-checked).
static int add_route(struct svc_call *c, const char *vpc_id, const char *rtb, const char *pl,
                     const char *ep_id)
{
    struct store_obj obj;
    json_t *doc;
    if (load_rtb(c, vpc_id, rtb, &obj, &doc) != 0) {
        return -1;
    }
    json_t *routes = json_object_get(doc, "Routes");
    if (!json_is_array(routes)) {
        routes = json_array();
        json_object_set_new(doc, "Routes", routes);
    }
    for (size_t i = 0; i < json_array_size(routes); i++) {
        const char *d = ec2_str(json_array_get(routes, i), "DestinationPrefixListId");
        if (d != NULL && strcmp(d, pl) == 0) {
            json_decref(doc);
            return ec2_err(c, 400, "RouteAlreadyExists",
                           "route table %s already has a route with destination-prefix-list-id %s",
                           rtb, pl);
        }
    }
    json_array_append_new(routes, json_pack("{s:s, s:s, s:s, s:s}", "DestinationPrefixListId", pl,
                                            "GatewayId", ep_id, "Origin", "CreateRoute", "State",
                                            "active"));
    int rc = ec2_replace(c, kind(EC2_KIND_RTB), &obj, doc);
    json_decref(doc);
    return rc;
}

// Removes every route of route table rtb that goes to endpoint ep_id (nothing when the table is
// gone).
static int remove_routes(struct svc_call *c, const char *rtb, const char *ep_id)
{
    struct store_obj obj;
    json_t *doc;
    int rc = ec2_get(c, kind(EC2_KIND_RTB), rtb, &obj, &doc);
    if (rc == SB_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return -1;
    }
    json_t *routes = json_object_get(doc, "Routes");
    bool changed = false;
    for (size_t i = json_array_size(routes); i-- > 0;) {
        const char *gw = ec2_str(json_array_get(routes, i), "GatewayId");
        if (gw != NULL && strcmp(gw, ep_id) == 0) {
            json_array_remove(routes, i);
            changed = true;
        }
    }
    rc = changed ? ec2_replace(c, kind(EC2_KIND_RTB), &obj, doc) : 0;
    json_decref(doc);
    return rc;
}

// ---- Subnets, groups and their interfaces
// ---------------------------------------------------------

// Loads subnet id for an interface endpoint of VPC vpc_id (the subnet kind's errors; a subnet of
// another VPC is InvalidParameter, sagebox's wording).
static int load_subnet(struct svc_call *c, const char *vpc_id, const char *id, json_t **doc)
{
    const struct ec2_kind *k = kind(EC2_KIND_SUBNET);
    *doc = NULL;
    if (!ec2_id_wellformed(id, k->prefix)) {
        return ec2_err_malformed(c, k, id);
    }
    int rc = ec2_get(c, k, id, NULL, doc);
    if (rc == SB_ENOTFOUND) {
        return ec2_err_not_found(c, k, id);
    }
    if (rc != 0) {
        return -1;
    }
    if (strcmp(ec2_str(*doc, "VpcId") ? ec2_str(*doc, "VpcId") : "", vpc_id) != 0) {
        json_decref(*doc);
        *doc = NULL;
        return ec2_err(c, 400, "InvalidParameter", "The subnet ID '%s' is not in VPC %s.", id,
                       vpc_id);
    }
    return 0;
}

// DuplicateSubnetsInSameZone, real EC2's wording (terraform-aws-modules/terraform-aws-vpc#583).
static int duplicate_zone(struct svc_call *c, const char *subnet)
{
    return ec2_err(c, 400, "DuplicateSubnetsInSameZone",
                   "Found another VPC endpoint subnet in the availability zone of %s. VPC endpoint "
                   "subnets should be in different availability zones supported by the VPC "
                   "endpoint service.",
                   subnet);
}

// Loads security group id of VPC vpc_id (the group kind's errors; a group of another VPC is
// InvalidParameter, sagebox's wording). Stores a new reference in *doc.
static int load_group(struct svc_call *c, const char *vpc_id, const char *id, json_t **doc)
{
    const struct ec2_kind *k = kind(EC2_KIND_SG);
    *doc = NULL;
    if (!ec2_id_wellformed(id, k->prefix)) {
        return ec2_err_malformed(c, k, id);
    }
    int rc = ec2_get(c, k, id, NULL, doc);
    if (rc == SB_ENOTFOUND) {
        return ec2_err_not_found(c, k, id);
    }
    if (rc != 0) {
        return -1;
    }
    if (strcmp(ec2_str(*doc, "VpcId") ? ec2_str(*doc, "VpcId") : "", vpc_id) != 0) {
        json_decref(*doc);
        *doc = NULL;
        return ec2_err(c, 400, "InvalidParameter",
                       "The security group '%s' does not belong to VPC '%s'.", id, vpc_id);
    }
    return 0;
}

// The group ids of an endpoint's Groups list, in the arena.
static size_t group_ids(struct svc_call *c, const json_t *groups, const char ***out)
{
    size_t n = json_array_size(groups);
    const char **ids = arena_calloc(c->arena, n + 1, sizeof(*ids));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *g = ec2_str(json_array_get(groups, i), "GroupId");
        if (g != NULL) {
            ids[k++] = arena_strndup(c->arena, g, strlen(g));
        }
    }
    *out = ids;
    return k;
}

// Creates the interface of endpoint ep in subnet subnet_id and records it on ep.
static int add_interface(struct svc_call *c, json_t *ep, const char *subnet_id)
{
    const char **gids;
    size_t ng = group_ids(c, json_object_get(ep, "Groups"), &gids);
    const char *id = ec2_str(ep, "VpcEndpointId");
    struct ec2_eni_spec spec = {
        .subnet_id = subnet_id,
        .description = ec2_fmt(c, "VPC Endpoint Interface %s", id),
        .interface_type = "vpc_endpoint",
        .requester_managed = true,
        .requester_id = VPCE_REQUESTER_ID,
        .group_ids = gids,
        .group_count = ng,
        .owner_resource = id,
    };
    const char *eni;
    if (ec2_eni_create(c, &spec, &eni, NULL) != 0) {
        return -1;
    }
    json_array_append_new(json_object_get(ep, "SubnetIds"), json_string(subnet_id));
    json_array_append_new(json_object_get(ep, "NetworkInterfaceIds"), json_string(eni));
    return 0;
}

// Deletes the interface of endpoint ep in subnet subnet_id and forgets the subnet.
static int remove_interface(struct svc_call *c, json_t *ep, const char *subnet_id)
{
    json_t *enis = json_object_get(ep, "NetworkInterfaceIds");
    for (size_t i = json_array_size(enis); i-- > 0;) {
        const char *eni = json_string_value(json_array_get(enis, i));
        json_t *doc = NULL;
        if (eni == NULL || ec2_get(c, kind(EC2_KIND_ENI), eni, NULL, &doc) != 0) {
            continue;
        }
        bool here =
            strcmp(ec2_str(doc, "SubnetId") ? ec2_str(doc, "SubnetId") : "", subnet_id) == 0;
        json_decref(doc);
        if (here) {
            if (ec2_eni_delete(c, eni) != 0) {
                return -1;
            }
            json_array_remove(enis, i);
        }
    }
    list_remove(json_object_get(ep, "SubnetIds"), subnet_id);
    return 0;
}

// The zone of each subnet id of list, checking that no two share a zone (with the zones already
// taken in taken, an object zone -> subnet). Adds the new subnets' zones to taken.
static int check_zones(struct svc_call *c, const char *vpc_id, const char *const *ids, size_t n,
                       json_t *taken, json_t **docs)
{
    for (size_t i = 0; i < n; i++) {
        json_t *s;
        if (load_subnet(c, vpc_id, ids[i], &s) != 0) {
            return -1;
        }
        const char *zone = ec2_str(s, "AvailabilityZone");
        if (zone == NULL || json_object_get(taken, zone) != NULL) {
            json_decref(s);
            return duplicate_zone(c, ids[i]);
        }
        json_object_set_new(taken, zone, json_string(ids[i]));
        json_array_append_new(*docs, s);
    }
    return 0;
}

// The resource of a decision on an existing endpoint.
static struct ec2_res endpoint_res(struct svc_call *c, const json_t *ep)
{
    struct ec2_res r = {
        .arn = ec2_arn(c, "vpc-endpoint", ec2_str(ep, "VpcEndpointId")),
        .doc = ep,
        .vpc_id = ec2_str(ep, "VpcId"),
        .keys = {"ec2:VpceServiceName", ec2_str(ep, "ServiceName"), "ec2:VpceServiceOwner",
                 "amazon"},
    };
    return r;
}

// ---- CreateVpcEndpoint --------------------------------------------------------------------------

// The catalog entry of the service a request names, for the requested type. An unknown name is
// InvalidServiceName "The Vpc Endpoint Service 'NAME' does not exist" (real EC2,
// terraform-aws-modules/terraform-aws-vpc#481); a type the service does not offer is
// InvalidParameter (sagebox's wording; GatewayLoadBalancer services do not exist in sagebox).
static int find_service(struct svc_call *c, const char *name, const char *type,
                        struct ec2_endpoint_service *svc)
{
    unsigned types = ec2_endpoint_service_types(c->region, name);
    if (types == 0) {
        return ec2_err(c, 400, "InvalidServiceName", "The Vpc Endpoint Service '%s' does not exist",
                       name);
    }
    enum ec2_endpoint_type t =
        strcmp(type, "Interface") == 0 ? EC2_ENDPOINT_INTERFACE : EC2_ENDPOINT_GATEWAY;
    if (strcmp(type, "GatewayLoadBalancer") == 0 ||
        !ec2_endpoint_service_find(c->region, name, t, svc)) {
        return ec2_err(c, 400, "InvalidParameter",
                       "The Vpc Endpoint Service '%s' does not support the endpoint type %s.", name,
                       type);
    }
    return 0;
}

// Refuses what sagebox's endpoints do not model: IPv6 and dual-stack addressing.
static int check_ip_options(struct svc_call *c)
{
    const char *ipt = ec2_in_str(c, "IpAddressType");
    const char *drt = ec2_str(json_object_get(c->in, "DnsOptions"), "DnsRecordIpType");
    if ((ipt != NULL && strcmp(ipt, "ipv4") != 0) ||
        (drt != NULL && strcmp(drt, "ipv4") != 0 && strcmp(drt, "service-defined") != 0)) {
        return ec2_err(c, 400, "UnsupportedOperation",
                       "sagebox's VPC endpoints are IPv4 only (IpAddressType ipv4, DnsRecordIpType "
                       "ipv4).");
    }
    return 0;
}

// The parameters of one endpoint type that the other type refuses. The subnet message is real
// EC2's (nanlabs/terraform-aws-starter#18); the others follow it (not checked).
static int check_type_params(struct svc_call *c, bool gateway, const char *rt_member,
                             const char *subnet_member, const char *sg_member)
{
    if (gateway && json_array_size(json_object_get(c->in, subnet_member)) > 0) {
        return ec2_err(c, 400, "InvalidParameter",
                       "Subnet IDs are only supported for Interface and GatewayLoadBalancer type "
                       "VPC Endpoints.");
    }
    if (gateway && json_array_size(json_object_get(c->in, sg_member)) > 0) {
        return ec2_err(c, 400, "InvalidParameter",
                       "Security group IDs are only supported for Interface type VPC Endpoints.");
    }
    if (gateway && json_is_true(json_object_get(c->in, "PrivateDnsEnabled"))) {
        return ec2_err(c, 400, "InvalidParameter",
                       "PrivateDnsEnabled is only supported for Interface type VPC Endpoints.");
    }
    if (!gateway && json_array_size(json_object_get(c->in, rt_member)) > 0) {
        return ec2_err(c, 400, "InvalidParameter",
                       "Route table IDs are only supported for Gateway type VPC Endpoints.");
    }
    return 0;
}

// What a CreateVpcEndpoint has resolved before it decides and writes.
struct create_plan {
    struct ec2_endpoint_service svc;
    bool gateway;
    const char *policy;
    const char **rtbs;
    size_t nrtb;
    const char **subnets;
    size_t nsub;
    json_t *subnet_docs;
    json_t *group_docs;
    bool private_dns;
    struct ec2_aws_prefix_list pl;
};

// Resolves and checks everything CreateVpcEndpoint names.
static int plan_create(struct svc_call *c, const json_t *vpc, struct create_plan *p)
{
    const char *vpc_id = ec2_str(vpc, "VpcId");
    const char *type = ec2_in_str(c, "VpcEndpointType");
    type = type != NULL ? type : "Gateway";
    p->gateway = strcmp(type, "Gateway") == 0;
    if (find_service(c, ec2_in_str(c, "ServiceName"), type, &p->svc) != 0 || check_ip_options(c) ||
        check_type_params(c, p->gateway, "RouteTableIds", "SubnetIds", "SecurityGroupIds") != 0) {
        return -1;
    }
    p->policy = ec2_in_str(c, "PolicyDocument");
    if (p->policy != NULL && policy_for(c, &p->svc, p->policy) != 0) {
        return -1;
    }
    if (p->policy == NULL) {
        p->policy = DEFAULT_POLICY;
    }
    p->nrtb = in_strings(c, "RouteTableIds", &p->rtbs);
    p->nsub = in_strings(c, "SubnetIds", &p->subnets);
    p->subnet_docs = json_array();
    p->group_docs = json_array();
    if (p->gateway) {
        if (!ec2_aws_prefix_list_find(c->region, p->svc.name, &p->pl)) {
            return ec2_store_error(c, SB_ECORRUPT, NULL);
        }
        for (size_t i = 0; i < p->nrtb; i++) {
            json_t *rt;
            if (load_rtb(c, vpc_id, p->rtbs[i], NULL, &rt) != 0) {
                return -1;
            }
            json_decref(rt);
        }
        return 0;
    }
    json_t *taken = json_object();
    int rc = check_zones(c, vpc_id, p->subnets, p->nsub, taken, &p->subnet_docs);
    json_decref(taken);
    if (rc != 0) {
        return -1;
    }
    const char **sgs;
    size_t nsg = in_strings(c, "SecurityGroupIds", &sgs);
    if (nsg == 0) {
        const char *def = ec2_str(vpc, "_DefaultSecurityGroupId");
        if (def != NULL) {
            sgs[0] = def;
            nsg = 1;
        }
    }
    if (nsg > VPCE_GROUPS_MAX) {
        return ec2_err(c, 400, "SecurityGroupsPerInterfaceLimitExceeded",
                       "The maximum number of security groups per interface has been reached.");
    }
    for (size_t i = 0; i < nsg; i++) {
        json_t *g;
        if (load_group(c, vpc_id, sgs[i], &g) != 0) {
            return -1;
        }
        json_array_append_new(p->group_docs, g);
    }
    bool present = false;
    bool want = ec2_in_bool(c, "PrivateDnsEnabled", &present);
    // AWS services' interface endpoints default to private DNS (CreateVpcEndpoint API Reference,
    // PrivateDnsEnabled: "Default: true").
    p->private_dns = (present ? want : true) && p->svc.private_dns[0] != '\0';
    if (p->private_dns && check_private_dns(c, vpc, &p->svc, NULL) != 0) {
        return -1;
    }
    return 0;
}

// The resources CreateVpcEndpoint is decided on.
static struct ec2_res *create_resources(struct svc_call *c, const json_t *vpc,
                                        const struct create_plan *p, const json_t *tags, size_t *n)
{
    size_t ng = json_array_size(p->group_docs);
    size_t ns = json_array_size(p->subnet_docs);
    struct ec2_res *r = arena_calloc(c->arena, 2 + p->nrtb + ns + ng, sizeof(*r));
    const char *vpc_id = ec2_str(vpc, "VpcId");
    size_t k = 0;
    r[k++] = (struct ec2_res){
        .arn = ec2_arn(c, "vpc-endpoint", "*"),
        .vpc_id = vpc_id,
        .request_tags = tags,
        .keys = {"ec2:VpceServiceName", p->svc.name, "ec2:VpceServiceOwner", "amazon"},
    };
    r[k++] = (struct ec2_res){
        .arn = ec2_arn(c, "vpc", vpc_id),
        .doc = vpc,
        .keys = {"ec2:Tenancy", ec2_str(vpc, "InstanceTenancy")},
    };
    for (size_t i = 0; i < p->nrtb; i++) {
        r[k++] = (struct ec2_res){.arn = ec2_arn(c, "route-table", p->rtbs[i]), .vpc_id = vpc_id};
    }
    for (size_t i = 0; i < ns; i++) {
        const json_t *s = json_array_get(p->subnet_docs, i);
        r[k++] = (struct ec2_res){
            .arn = ec2_arn(c, "subnet", ec2_str(s, "SubnetId")),
            .doc = s,
            .vpc_id = vpc_id,
            .keys = {"ec2:AvailabilityZone", ec2_str(s, "AvailabilityZone")},
        };
    }
    for (size_t i = 0; i < ng; i++) {
        const json_t *g = json_array_get(p->group_docs, i);
        r[k++] = (struct ec2_res){
            .arn = ec2_arn(c, "security-group", ec2_str(g, "GroupId")),
            .doc = g,
            .vpc_id = vpc_id,
        };
    }
    *n = k;
    return r;
}

// Builds the new endpoint's document (without interfaces and routes yet).
static json_t *new_endpoint(struct svc_call *c, const char *id, const char *vpc_id,
                            const struct create_plan *p, const json_t *tags)
{
    json_t *groups = json_array();
    for (size_t i = 0; i < json_array_size(p->group_docs); i++) {
        const json_t *g = json_array_get(p->group_docs, i);
        json_array_append_new(groups,
                              json_pack("{s:s, s:s}", "GroupId", ec2_str(g, "GroupId"), "GroupName",
                                        ec2_str(g, "GroupName") ? ec2_str(g, "GroupName") : ""));
    }
    char suffix[9];
    random_text(suffix, 8, base36, 36);
    json_t *ep = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:[], s:[], s:o, s:s, s:b, s:b, s:[], s:[], s:s, s:s, "
        "s:I, s:s}",
        "VpcEndpointId", id, "VpcEndpointType", p->gateway ? "Gateway" : "Interface", "VpcId",
        vpc_id, "ServiceName", p->svc.name, "State", "pending", "PolicyDocument", p->policy,
        "RouteTableIds", "SubnetIds", "Groups", groups, "IpAddressType", "ipv4",
        "PrivateDnsEnabled", p->private_dns, "RequesterManaged", 0, "NetworkInterfaceIds",
        "DnsEntries", "CreationTimestamp", ec2_now_iso(c), "OwnerId", c->caller->account,
        "_AvailableAt", (json_int_t)now_ms() + EC2_VPCE_PENDING_MS, "_DnsSuffix", suffix);
    if (!p->gateway) {
        json_object_set_new(ep, "DnsOptions", json_pack("{s:s}", "DnsRecordIpType", "ipv4"));
    }
    ec2_tags_init(kind(EC2_KIND_VPCE), ep, tags);
    return ep;
}

static int create_vpc_endpoint_body(struct svc_call *c)
{
    const char *vpc_id = ec2_in_str(c, "VpcId");
    json_t *vpc = NULL;
    json_t *tags = NULL;
    json_t *ep = NULL;
    struct create_plan p;
    memset(&p, 0, sizeof(p));
    int rc = -1;
    if (ec2_load(c, kind(EC2_KIND_VPC), vpc_id, "ec2:CreateVpcEndpoint", NULL, &vpc) != 0 ||
        plan_create(c, vpc, &p) != 0 || ec2_tag_specs(c, "vpc-endpoint", &tags) != 0) {
        goto out;
    }
    size_t nres;
    struct ec2_res *res = create_resources(c, vpc, &p, tags, &nres);
    if (ec2_authorize(c, "ec2:CreateVpcEndpoint", res, nres) != 0) {
        goto out;
    }
    const char *id = ec2_new_id(c, "vpce");
    ep = new_endpoint(c, id, vpc_id, &p, tags);
    for (size_t i = 0; i < p.nrtb; i++) {
        if (add_route(c, vpc_id, p.rtbs[i], p.pl.id, id) != 0) {
            goto out;
        }
        json_array_append_new(json_object_get(ep, "RouteTableIds"), json_string(p.rtbs[i]));
    }
    for (size_t i = 0; i < p.nsub; i++) {
        if (add_interface(c, ep, p.subnets[i]) != 0) {
            goto out;
        }
    }
    if (!p.gateway && refresh_dns(c, ep, &p.svc) != 0) {
        goto out;
    }
    rc = ec2_put(c, kind(EC2_KIND_VPCE), id, vpc_id, NULL, ep, STORE_CREATE);
    if (rc == 0) {
        c->out = json_pack("{s:o}", "VpcEndpoint", ec2_doc_public(ep));
        const char *token = ec2_in_str(c, "ClientToken");
        if (token != NULL) {
            json_object_set_new(c->out, "ClientToken", json_string(token));
        }
    }
out:
    json_decref(vpc);
    json_decref(tags);
    json_decref(ep);
    json_decref(p.subnet_docs);
    json_decref(p.group_docs);
    return rc;
}

EC2_OPERATION(create_vpc_endpoint, true)

// ---- DescribeVpcEndpoints -----------------------------------------------------------------------

// DescribeVpcEndpoints filters (EC2 API Reference).
static const struct ec2_filter_def endpoint_filters[] = {
    {"ip-address-type", "IpAddressType", NULL},
    {"service-name", "ServiceName", NULL},
    {"vpc-id", "VpcId", NULL},
    {"vpc-endpoint-id", "VpcEndpointId", NULL},
    {"vpc-endpoint-state", "State", NULL},
    {"vpc-endpoint-type", "VpcEndpointType", NULL},
    {NULL, NULL, NULL},
};

// Shows the state the endpoint has now (pending turns available once its time has come).
static int prepare_endpoint(struct svc_call *c, json_t *doc)
{
    (void)c;
    const char *state = ec2_vpce_state(doc, now_ms());
    json_object_set_new(doc, "State", json_string(state));
    return 0;
}

static int describe_vpc_endpoints_body(struct svc_call *c)
{
    // The id list's name in the maxResults message follows the vpcEndpointId query parameter;
    // EC2's wording for this action was not found.
    struct ec2_describe_spec spec = {
        .kind = kind(EC2_KIND_VPCE),
        .ids_member = "VpcEndpointIds",
        .ids_wire = "vpcEndpointIdSet",
        .out_member = "VpcEndpoints",
        .filters = endpoint_filters,
        .paged = true,
        .prepare = prepare_endpoint,
        .parent_filter = "vpc-id",
    };
    return ec2_describe(c, &spec);
}

EC2_OPERATION(describe_vpc_endpoints, false)

// ---- ModifyVpcEndpoint --------------------------------------------------------------------------

// Collects the decisions of a ModifyVpcEndpoint: the endpoint, then each route table, subnet and
// group the request names.
static struct ec2_res *modify_resources(struct svc_call *c, const json_t *ep, size_t *n)
{
    static const char *const members[][2] = {
        {"AddRouteTableIds", "route-table"},
        {"RemoveRouteTableIds", "route-table"},
        {"AddSubnetIds", "subnet"},
        {"RemoveSubnetIds", "subnet"},
        {"AddSecurityGroupIds", "security-group"},
        {"RemoveSecurityGroupIds", "security-group"},
    };
    size_t total = 1;
    for (size_t m = 0; m < 6; m++) {
        total += json_array_size(json_object_get(c->in, members[m][0]));
    }
    struct ec2_res *r = arena_calloc(c->arena, total, sizeof(*r));
    size_t k = 0;
    r[k++] = endpoint_res(c, ep);
    for (size_t m = 0; m < 6; m++) {
        const json_t *list = json_object_get(c->in, members[m][0]);
        for (size_t i = 0; i < json_array_size(list); i++) {
            r[k++] = (struct ec2_res){
                .arn = ec2_arn(c, members[m][1], json_string_value(json_array_get(list, i))),
                .vpc_id = ec2_str(ep, "VpcId"),
            };
        }
    }
    *n = k;
    return r;
}

// Applies the route-table changes of a ModifyVpcEndpoint to a gateway endpoint. Removing a table
// the endpoint does not use changes nothing.
static int modify_routes(struct svc_call *c, json_t *ep, const struct ec2_endpoint_service *svc)
{
    const char *id = ec2_str(ep, "VpcEndpointId");
    const char *vpc_id = ec2_str(ep, "VpcId");
    json_t *have = json_object_get(ep, "RouteTableIds");
    const char **add;
    const char **del;
    size_t na = in_strings(c, "AddRouteTableIds", &add);
    size_t nd = in_strings(c, "RemoveRouteTableIds", &del);
    struct ec2_aws_prefix_list pl;
    if (na > 0 && !ec2_aws_prefix_list_find(c->region, svc->name, &pl)) {
        return ec2_store_error(c, SB_ECORRUPT, NULL);
    }
    for (size_t i = 0; i < nd; i++) {
        if (list_has(have, del[i])) {
            if (remove_routes(c, del[i], id) != 0) {
                return -1;
            }
            list_remove(have, del[i]);
        }
    }
    for (size_t i = 0; i < na; i++) {
        if (list_has(have, add[i])) {
            continue;
        }
        if (add_route(c, vpc_id, add[i], pl.id, id) != 0) {
            return -1;
        }
        json_array_append_new(have, json_string(add[i]));
    }
    return 0;
}

// Applies the subnet changes of a ModifyVpcEndpoint to an interface endpoint: removed subnets
// lose their interface first, then added ones must not share a zone with any remaining one.
static int modify_subnets(struct svc_call *c, json_t *ep)
{
    const char *vpc_id = ec2_str(ep, "VpcId");
    const char **add;
    const char **del;
    size_t na = in_strings(c, "AddSubnetIds", &add);
    size_t nd = in_strings(c, "RemoveSubnetIds", &del);
    for (size_t i = 0; i < nd; i++) {
        if (list_has(json_object_get(ep, "SubnetIds"), del[i]) &&
            remove_interface(c, ep, del[i]) != 0) {
            return -1;
        }
    }
    if (na == 0) {
        return 0;
    }
    json_t *taken = json_object();
    json_t *docs = json_array();
    const json_t *have = json_object_get(ep, "SubnetIds");
    int rc = 0;
    for (size_t i = 0; i < json_array_size(have) && rc == 0; i++) {
        json_t *s = NULL;
        const char *sid = json_string_value(json_array_get(have, i));
        int g = ec2_get(c, kind(EC2_KIND_SUBNET), sid, NULL, &s);
        rc = g == 0 || g == SB_ENOTFOUND ? 0 : -1;
        const char *zone = ec2_str(s, "AvailabilityZone");
        if (zone != NULL) {
            json_object_set_new(taken, zone, json_string(sid));
        }
        json_decref(s);
    }
    const char **fresh = arena_calloc(c->arena, na + 1, sizeof(*fresh));
    size_t nf = 0;
    for (size_t i = 0; i < na; i++) {
        if (!list_has(have, add[i])) {
            fresh[nf++] = add[i];
        }
    }
    if (rc == 0) {
        rc = check_zones(c, vpc_id, fresh, nf, taken, &docs);
    }
    for (size_t i = 0; i < nf && rc == 0; i++) {
        rc = add_interface(c, ep, fresh[i]);
    }
    json_decref(taken);
    json_decref(docs);
    return rc;
}

// Applies the security-group changes of a ModifyVpcEndpoint to an interface endpoint and its
// interfaces. An endpoint left without groups is refused (InvalidParameter, sagebox's wording).
static int modify_groups(struct svc_call *c, json_t *ep)
{
    const char *vpc_id = ec2_str(ep, "VpcId");
    const char **add;
    const char **del;
    size_t na = in_strings(c, "AddSecurityGroupIds", &add);
    size_t nd = in_strings(c, "RemoveSecurityGroupIds", &del);
    if (na == 0 && nd == 0) {
        return 0;
    }
    json_t *groups = json_object_get(ep, "Groups");
    for (size_t i = 0; i < nd; i++) {
        for (size_t j = json_array_size(groups); j-- > 0;) {
            const char *g = ec2_str(json_array_get(groups, j), "GroupId");
            if (g != NULL && strcmp(g, del[i]) == 0) {
                json_array_remove(groups, j);
            }
        }
    }
    for (size_t i = 0; i < na; i++) {
        bool have = false;
        for (size_t j = 0; j < json_array_size(groups) && !have; j++) {
            const char *g = ec2_str(json_array_get(groups, j), "GroupId");
            have = g != NULL && strcmp(g, add[i]) == 0;
        }
        if (have) {
            continue;
        }
        json_t *g;
        if (load_group(c, vpc_id, add[i], &g) != 0) {
            return -1;
        }
        json_array_append_new(groups,
                              json_pack("{s:s, s:s}", "GroupId", add[i], "GroupName",
                                        ec2_str(g, "GroupName") ? ec2_str(g, "GroupName") : ""));
        json_decref(g);
    }
    if (json_array_size(groups) == 0) {
        return ec2_err(c, 400, "InvalidParameter",
                       "An interface VPC endpoint must have at least one security group.");
    }
    if (json_array_size(groups) > VPCE_GROUPS_MAX) {
        return ec2_err(c, 400, "SecurityGroupsPerInterfaceLimitExceeded",
                       "The maximum number of security groups per interface has been reached.");
    }
    const char **ids;
    size_t n = group_ids(c, groups, &ids);
    const json_t *enis = json_object_get(ep, "NetworkInterfaceIds");
    for (size_t i = 0; i < json_array_size(enis); i++) {
        if (ec2_eni_set_groups(c, json_string_value(json_array_get(enis, i)), ids, n) != 0) {
            return -1;
        }
    }
    return 0;
}

// ModifyVpcEndpoint: policy (PolicyDocument, or ResetPolicy back to the full-access one; both at
// once is InvalidParameterCombination, sagebox's wording), route tables of gateway endpoints,
// subnets, groups and private DNS of interface endpoints; answers {Return: true}.
static int modify_vpc_endpoint_body(struct svc_call *c)
{
    const char *id = ec2_in_str(c, "VpcEndpointId");
    struct store_obj obj;
    json_t *ep;
    json_t *vpc = NULL;
    if (ec2_load(c, kind(EC2_KIND_VPCE), id, "ec2:ModifyVpcEndpoint", &obj, &ep) != 0) {
        return -1;
    }
    bool gateway = strcmp(ec2_str(ep, "VpcEndpointType"), "Gateway") == 0;
    struct ec2_endpoint_service svc;
    const char *policy = ec2_in_str(c, "PolicyDocument");
    bool reset = ec2_in_bool(c, "ResetPolicy", NULL);
    int rc = 0;
    if (!ec2_endpoint_service_find(c->region, ec2_str(ep, "ServiceName"),
                                   gateway ? EC2_ENDPOINT_GATEWAY : EC2_ENDPOINT_INTERFACE, &svc)) {
        rc = ec2_store_error(c, SB_ECORRUPT, NULL);
    }
    if (rc == 0 && policy != NULL && reset) {
        rc = ec2_err_combination(c, "The parameter PolicyDocument cannot be used with the "
                                    "parameter ResetPolicy");
    }
    if (rc == 0) {
        rc = check_ip_options(c) != 0 ? -1
                                      : check_type_params(c, gateway, "AddRouteTableIds",
                                                          "AddSubnetIds", "AddSecurityGroupIds");
    }
    if (rc == 0 && !gateway && json_array_size(json_object_get(c->in, "RemoveRouteTableIds")) > 0) {
        rc = check_type_params(c, false, "RemoveRouteTableIds", "", "");
    }
    if (rc == 0 && gateway && json_array_size(json_object_get(c->in, "RemoveSubnetIds")) > 0) {
        rc = check_type_params(c, true, "", "RemoveSubnetIds", "");
    }
    if (rc == 0 && policy != NULL) {
        rc = policy_for(c, &svc, policy);
    }
    bool present = false;
    bool want_dns = ec2_in_bool(c, "PrivateDnsEnabled", &present);
    if (rc == 0 && present && want_dns && !gateway &&
        !json_is_true(json_object_get(ep, "PrivateDnsEnabled"))) {
        int g = ec2_get(c, kind(EC2_KIND_VPC), ec2_str(ep, "VpcId"), NULL, &vpc);
        rc = g != 0 ? ec2_store_error(c, SB_ECORRUPT, NULL) : check_private_dns(c, vpc, &svc, id);
    }
    size_t nres = 0;
    struct ec2_res *res = rc == 0 ? modify_resources(c, ep, &nres) : NULL;
    if (rc == 0) {
        rc = ec2_authorize(c, "ec2:ModifyVpcEndpoint", res, nres);
    }
    if (rc == 0 && policy != NULL) {
        json_object_set_new(ep, "PolicyDocument", json_string(policy));
    }
    if (rc == 0 && reset) {
        json_object_set_new(ep, "PolicyDocument", json_string(DEFAULT_POLICY));
    }
    if (rc == 0 && gateway) {
        rc = modify_routes(c, ep, &svc);
    }
    if (rc == 0 && !gateway) {
        rc = modify_subnets(c, ep);
    }
    if (rc == 0 && !gateway) {
        rc = modify_groups(c, ep);
    }
    if (rc == 0 && !gateway && present) {
        json_object_set_new(ep, "PrivateDnsEnabled",
                            json_boolean(want_dns && svc.private_dns[0] != '\0'));
    }
    if (rc == 0 && !gateway) {
        rc = refresh_dns(c, ep, &svc);
    }
    if (rc == 0) {
        json_object_set_new(ep, "State", json_string(ec2_vpce_state(ep, now_ms())));
        rc = ec2_replace(c, kind(EC2_KIND_VPCE), &obj, ep);
    }
    if (rc == 0) {
        c->out = json_pack("{s:b}", "Return", 1);
    }
    json_decref(ep);
    json_decref(vpc);
    return rc;
}

EC2_OPERATION(modify_vpc_endpoint, true)

// ---- DeleteVpcEndpoints -------------------------------------------------------------------------

// Removes an endpoint with its routes and interfaces.
static int remove_endpoint(struct svc_call *c, const json_t *ep)
{
    const char *id = ec2_str(ep, "VpcEndpointId");
    const json_t *rtbs = json_object_get(ep, "RouteTableIds");
    for (size_t i = 0; i < json_array_size(rtbs); i++) {
        if (remove_routes(c, json_string_value(json_array_get(rtbs, i)), id) != 0) {
            return -1;
        }
    }
    const json_t *enis = json_object_get(ep, "NetworkInterfaceIds");
    for (size_t i = 0; i < json_array_size(enis); i++) {
        if (ec2_eni_delete(c, json_string_value(json_array_get(enis, i))) != 0) {
            return -1;
        }
    }
    return ec2_delete(c, kind(EC2_KIND_VPCE), id);
}

// DeleteVpcEndpoints: every endpoint is decided first (a denial fails the whole call, DryRun
// answers for all); an id that is malformed or names no endpoint is an Unsuccessful item with the
// endpoint kind's Malformed or NotFound code and message (EC2's item wording could not be
// checked), the others are deleted.
static int delete_vpc_endpoints_body(struct svc_call *c)
{
    const struct ec2_kind *k = kind(EC2_KIND_VPCE);
    const char **ids;
    size_t n = in_strings(c, "VpcEndpointIds", &ids);
    json_t **docs = arena_calloc(c->arena, n + 1, sizeof(json_t *));
    struct ec2_res *res = arena_calloc(c->arena, n + 1, sizeof(*res));
    json_t *failed = json_array();
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        int g = ec2_id_wellformed(ids[i], k->prefix) ? ec2_get(c, k, ids[i], NULL, &docs[i])
                                                     : SB_ENOTFOUND;
        if (g != 0 && g != SB_ENOTFOUND) {
            rc = -1;
            break;
        }
        res[i] = docs[i] != NULL ? endpoint_res(c, docs[i])
                                 : (struct ec2_res){.arn = ec2_arn(c, "vpc-endpoint", ids[i])};
    }
    if (rc == 0 && n > 0) {
        rc = ec2_authorize(c, "ec2:DeleteVpcEndpoints", res, n);
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (docs[i] != NULL) {
            rc = remove_endpoint(c, docs[i]);
            continue;
        }
        bool wellformed = ec2_id_wellformed(ids[i], k->prefix);
        struct awserr saved = c->err;
        if (wellformed) {
            ec2_err_not_found(c, k, ids[i]);
        } else {
            ec2_err_malformed(c, k, ids[i]);
        }
        struct awserr e = c->err;
        c->err = saved;
        json_array_append_new(failed, json_pack("{s:{s:s, s:s}, s:s}", "Error", "Code", e.code,
                                                "Message", e.message, "ResourceId", ids[i]));
    }
    for (size_t i = 0; i < n; i++) {
        json_decref(docs[i]);
    }
    if (rc == 0) {
        c->out = json_pack("{s:o}", "Unsuccessful", failed);
    } else {
        json_decref(failed);
    }
    return rc;
}

EC2_OPERATION(delete_vpc_endpoints, true)

const struct svc_handler ec2_endpoint_handlers[] = {
    {"CreateVpcEndpoint", create_vpc_endpoint},
    {"DescribeVpcEndpoints", describe_vpc_endpoints},
    {"ModifyVpcEndpoint", modify_vpc_endpoint},
    {"DeleteVpcEndpoints", delete_vpc_endpoints},
    {NULL, NULL},
};
