// SPDX-License-Identifier: Apache-2.0
// Internet gateways and NAT gateways (EC2 API Reference: CreateInternetGateway,
// DescribeInternetGateways, DeleteInternetGateway, AttachInternetGateway, DetachInternetGateway,
// CreateNatGateway, DescribeNatGateways, DeleteNatGateway; Amazon VPC User Guide, "Connect to the
// internet using an internet gateway", "NAT gateways").
//
// An internet gateway is an ec2.igw object whose document is the InternetGateway of
// DescribeInternetGateways; attached, its store parent is the VPC (as CreateDefaultVpc writes it)
// and its Attachments hold {State: "available", VpcId}, the state EC2 shows for an attached
// internet gateway. A VPC has at most one.
//
// A NAT gateway is an ec2.nat object (parent: its VPC, path: its subnet) whose document is the
// NatGateway of DescribeNatGateways. CreateNatGateway decides at once how creation ends, as the
// failure codes of the NatGateway shape describe: a public NAT gateway in a VPC without an internet
// gateway fails with Gateway.NotAttached, one whose Elastic IP is associated elsewhere with
// Resource.AlreadyAssociated, one in a full subnet with InsufficientFreeAddressesInSubnet.
// Otherwise it gets a requester-managed network interface in the subnet (ec2_eni_create, interface
// type nat_gateway) and, when public, its Elastic IP associated with that interface's address.
// Either way it is stored in the state it ends in ("available" or "failed", what DeleteVpc's
// dependency check reads) and shown "pending" for EC2_NAT_PENDING_SECONDS of wall time first
// (ec2_routing_nat_settle, routing.h), never available at once. DeleteNatGateway gives the
// interface and the address back at once and stores "deleted", shown "deleting" for
// EC2_NAT_DELETING_SECONDS; deleted and failed NAT gateways are still described for
// EC2_NAT_RETAIN_SECONDS (the next CreateNatGateway of the region removes older ones), as AWS shows
// them "for a while". Routes to a NAT gateway that is no longer pending or available are
// "blackhole" (routes.c).
//
// Authorization (Service Authorization Reference, Amazon EC2): CreateInternetGateway on
// internet-gateway/* (tags), DeleteInternetGateway on the gateway, Attach/DetachInternetGateway on
// the gateway and the VPC; CreateNatGateway on natgateway/* (ec2:Vpc, tags), the subnet and, for a
// public one, the Elastic IP; DeleteNatGateway on the NAT gateway; the Describe actions on "*".
#include "svc/ec2/addresses.h"
#include "svc/ec2/ec2_common.h"
#include "svc/ec2/enis.h"
#include "svc/ec2/routing.h"
#include "svc/registry.h"

#include <string.h>

static const struct ec2_kind *kind(const char *store_kind)
{
    return ec2_kind_by_store(store_kind);
}

static bool same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static const char *keep(struct svc_call *c, const char *s)
{
    return s != NULL ? arena_strndup(c->arena, s, strlen(s)) : NULL;
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

// ---- Internet gateways
// ---------------------------------------------------------------------------

static int create_internet_gateway_body(struct svc_call *c)
{
    json_t *tags = NULL;
    if (ec2_tag_specs(c, "internet-gateway", &tags) != 0) {
        return -1;
    }
    struct ec2_res r = {.arn = ec2_arn(c, "internet-gateway", "*"), .request_tags = tags};
    if (ec2_authorize(c, "ec2:CreateInternetGateway", &r, 1) != 0) {
        json_decref(tags);
        return -1;
    }
    const char *id = ec2_new_id(c, "igw");
    json_t *igw = json_pack("{s:[], s:s, s:s}", "Attachments", "InternetGatewayId", id, "OwnerId",
                            c->caller->account);
    ec2_tags_init(kind(EC2_KIND_IGW), igw, tags);
    json_decref(tags);
    int rc = ec2_put(c, kind(EC2_KIND_IGW), id, NULL, NULL, igw, STORE_CREATE);
    if (rc == 0) {
        c->out = json_pack("{s:o}", "InternetGateway", ec2_doc_public(igw));
    }
    json_decref(igw);
    return rc;
}

EC2_OPERATION(create_internet_gateway, true)

static const struct ec2_filter_def igw_filters[] = {
    {"attachment.state", "Attachments.State", NULL},
    {"attachment.vpc-id", "Attachments.VpcId", NULL},
    {"internet-gateway-id", "InternetGatewayId", NULL},
    {"owner-id", "OwnerId", NULL},
    {NULL, NULL, NULL},
};

static int describe_internet_gateways_body(struct svc_call *c)
{
    struct ec2_describe_spec spec = {
        .kind = kind(EC2_KIND_IGW),
        .ids_member = "InternetGatewayIds",
        .ids_wire = "internetGatewaySet",
        .out_member = "InternetGateways",
        .filters = igw_filters,
        .paged = true,
        .parent_filter = "attachment.vpc-id",
    };
    return ec2_describe(c, &spec);
}

EC2_OPERATION(describe_internet_gateways, false)

// DeleteInternetGateway: an attached gateway is DependencyViolation "The internetGateway 'igw-...'
// has dependencies and cannot be deleted." (real EC2, ernestio/ernest#333).
static int delete_internet_gateway_body(struct svc_call *c)
{
    const char *id = ec2_in_str(c, "InternetGatewayId");
    json_t *igw;
    if (ec2_load(c, kind(EC2_KIND_IGW), id, "ec2:DeleteInternetGateway", NULL, &igw) != 0) {
        return -1;
    }
    struct ec2_res r = igw_res(c, igw);
    int rc = ec2_authorize(c, "ec2:DeleteInternetGateway", &r, 1);
    bool attached = json_array_size(json_object_get(igw, "Attachments")) > 0;
    json_decref(igw);
    if (rc != 0) {
        return -1;
    }
    return attached ? ec2_err_dependency(c, "internetGateway", id)
                    : ec2_delete(c, kind(EC2_KIND_IGW), id);
}

EC2_OPERATION(delete_internet_gateway, true)

// Loads the gateway and the VPC of an Attach/DetachInternetGateway and decides action on both.
static int igw_vpc_request(struct svc_call *c, const char *action, struct store_obj *obj,
                           json_t **igw, json_t **vpc)
{
    *vpc = NULL;
    if (ec2_load(c, kind(EC2_KIND_IGW), ec2_in_str(c, "InternetGatewayId"), action, obj, igw) !=
        0) {
        return -1;
    }
    int rc = ec2_load(c, kind(EC2_KIND_VPC), ec2_in_str(c, "VpcId"), action, NULL, vpc);
    if (rc == 0) {
        struct ec2_res r[2] = {igw_res(c, *igw), vpc_res(c, *vpc)};
        rc = ec2_authorize(c, action, r, 2);
    }
    if (rc != 0) {
        json_decref(*igw);
        json_decref(*vpc);
        *igw = NULL;
        *vpc = NULL;
    }
    return rc;
}

// AttachInternetGateway: a gateway attached anywhere is Resource.AlreadyAssociated "resource
// igw-... is already attached to network vpc-..." (real EC2, berlioz-the/berlioz#1); a VPC that has
// another gateway is InvalidParameterValue "Network vpc-... already has an internet gateway
// attached" (real EC2, binlab/terraform-aws-vault-ha-raft#54).
static int attach_internet_gateway_body(struct svc_call *c)
{
    struct store_obj obj;
    json_t *igw;
    json_t *vpc;
    if (igw_vpc_request(c, "ec2:AttachInternetGateway", &obj, &igw, &vpc) != 0) {
        return -1;
    }
    const char *id = obj.id;
    const char *vpc_id = keep(c, ec2_str(vpc, "VpcId"));
    json_t *list = json_object_get(igw, "Attachments");
    int rc = 0;
    if (json_array_size(list) > 0) {
        rc = ec2_err(c, 400, "Resource.AlreadyAssociated",
                     "resource %s is already attached to network %s", id,
                     ec2_str(json_array_get(list, 0), "VpcId"));
    }
    if (rc == 0) {
        int has = ec2_any_child(c, kind(EC2_KIND_IGW), vpc_id, NULL);
        rc = has < 0 ? -1
             : has ? ec2_err_value(c, "Network %s already has an internet gateway attached", vpc_id)
                   : 0;
    }
    if (rc == 0) {
        json_object_set_new(igw, "Attachments",
                            json_pack("[{s:s, s:s}]", "State", "available", "VpcId", vpc_id));
        rc = ec2_put(c, kind(EC2_KIND_IGW), id, vpc_id, NULL, igw, STORE_REPLACE);
    }
    json_decref(igw);
    json_decref(vpc);
    return rc;
}

EC2_OPERATION(attach_internet_gateway, true)

// DetachInternetGateway: a gateway not attached to that VPC is Gateway.NotAttached (the EC2 error
// list's code; the wording follows the attach answer's, not checked against EC2); a VPC with public
// addresses mapped is DependencyViolation "Network vpc-... has some mapped public address(es).
// Please unmap those public address(es) before detaching the gateway." (real EC2,
// hashicorp/terraform#497).
static int detach_internet_gateway_body(struct svc_call *c)
{
    struct store_obj obj;
    json_t *igw;
    json_t *vpc;
    if (igw_vpc_request(c, "ec2:DetachInternetGateway", &obj, &igw, &vpc) != 0) {
        return -1;
    }
    const char *id = obj.id;
    const char *vpc_id = keep(c, ec2_str(vpc, "VpcId"));
    int rc = 0;
    if (!ec2_routing_igw_attached(igw, vpc_id)) {
        rc = ec2_err(c, 400, "Gateway.NotAttached", "resource %s is not attached to network %s", id,
                     vpc_id);
    }
    if (rc == 0) {
        int mapped = ec2_address_vpc_has_public(c, vpc_id);
        rc = mapped < 0 ? -1
             : mapped   ? ec2_err(c, 400, "DependencyViolation",
                                  "Network %s has some mapped public address(es). Please unmap "
                                    "those public address(es) before detaching the gateway.",
                                  vpc_id)
                        : 0;
    }
    if (rc == 0) {
        json_object_set_new(igw, "Attachments", json_array());
        rc = ec2_put(c, kind(EC2_KIND_IGW), id, NULL, NULL, igw, STORE_REPLACE);
    }
    json_decref(igw);
    json_decref(vpc);
    return rc;
}

EC2_OPERATION(detach_internet_gateway, true)

// ---- NAT gateways -------------------------------------------------------------------------------

// The longest ClientToken EC2 takes ("Constraint: Maximum 64 ASCII characters", CreateNatGateway
// API Reference).
#define CLIENT_TOKEN_MAX 64

static struct ec2_res nat_res(struct svc_call *c, const json_t *nat)
{
    struct ec2_res r = {
        .arn = ec2_arn(c, "natgateway", ec2_str(nat, "NatGatewayId")),
        .doc = nat,
        .vpc_id = ec2_str(nat, "VpcId"),
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

static struct ec2_res eip_res(struct svc_call *c, const json_t *eip)
{
    struct ec2_res r = {
        .arn = ec2_arn(c, "elastic-ip", ec2_str(eip, "AllocationId")),
        .doc = eip,
        .keys = {"ec2:AllocationId", ec2_str(eip, "AllocationId"), "ec2:Domain",
                 ec2_str(eip, "Domain"), "ec2:PublicIpAddress", ec2_str(eip, "PublicIp")},
    };
    return r;
}

// Removes the region's NAT gateways that are no longer described (deleted or failed long ago).
static int purge_expired(struct svc_call *c)
{
    struct store_obj *items;
    size_t n;
    const struct ec2_kind *k = kind(EC2_KIND_NAT);
    if (ec2_list_all(c, k, NULL, NULL, &items, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *nat = ec2_parse(c, &items[i]);
        if (nat == NULL) {
            return -1;
        }
        ec2_routing_nat_settle(nat, c->now);
        bool expired = ec2_routing_nat_expired(nat, c->now);
        json_decref(nat);
        if (expired && ec2_delete(c, k, items[i].id) != 0) {
            return -1;
        }
    }
    return 0;
}

// Finds the NAT gateway an earlier CreateNatGateway with ClientToken token made. Returns 0 with
// *nat (new reference, settled), SB_ENOTFOUND, or -1.
static int find_by_token(struct svc_call *c, const char *token, json_t **nat)
{
    struct store_obj *items;
    size_t n;
    *nat = NULL;
    if (ec2_list_all(c, kind(EC2_KIND_NAT), NULL, NULL, &items, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *doc = ec2_parse(c, &items[i]);
        if (doc == NULL) {
            return -1;
        }
        if (same(ec2_str(doc, "_ClientToken"), token)) {
            ec2_routing_nat_settle(doc, c->now);
            *nat = doc;
            return 0;
        }
        json_decref(doc);
    }
    return SB_ENOTFOUND;
}

// The answer to a repeated CreateNatGateway: the NAT gateway the token made, when the request asks
// for the same thing; IdempotentParameterMismatch otherwise (the EC2 error list's code for a
// ClientToken reused with other parameters; the wording is sagebox's).
static int replay(struct svc_call *c, json_t *nat, const char *token, const char *subnet,
                  const char *alloc, const char *type)
{
    bool same_request = same(ec2_str(nat, "SubnetId"), subnet) &&
                        same(ec2_str(nat, "ConnectivityType"), type) &&
                        (alloc == NULL ? ec2_str(nat, "_AllocationId") == NULL
                                       : same(ec2_str(nat, "_AllocationId"), alloc));
    if (!same_request) {
        return ec2_err(c, 400, "IdempotentParameterMismatch",
                       "The client token %s was already used for a request with different "
                       "parameters",
                       token);
    }
    c->out = json_pack("{s:s, s:o}", "ClientToken", token, "NatGateway", ec2_doc_public(nat));
    return 0;
}

// How the creation of a NAT gateway ends: NULL code for "available", else the FailureCode and
// FailureMessage the NatGateway shape lists for it (EC2 API Reference, NatGateway; the message of
// an Elastic IP in use is real EC2's, with the brackets EC2 prints, kubernetes-sigs/
// cluster-api-provider-aws#1418; "Network vpc-... has no Internet gateway attached",
// giantswarm/aws-operator#1234).
struct outcome {
    const char *code;
    const char *message;
};

static int decide_outcome(struct svc_call *c, const json_t *subnet, const json_t *eip,
                          bool public_nat, struct outcome *o)
{
    const char *vpc_id = ec2_str(subnet, "VpcId");
    memset(o, 0, sizeof(*o));
    if (public_nat) {
        int has = ec2_any_child(c, kind(EC2_KIND_IGW), vpc_id, NULL);
        if (has < 0) {
            return -1;
        }
        if (has == 0) {
            o->code = "Gateway.NotAttached";
            o->message = ec2_fmt(c, "Network %s has no Internet gateway attached", vpc_id);
            return 0;
        }
        if (ec2_str(eip, "AssociationId") != NULL) {
            o->code = "Resource.AlreadyAssociated";
            o->message = ec2_fmt(c, "Elastic IP address [%s] is already associated",
                                 ec2_str(eip, "AllocationId"));
            return 0;
        }
    }
    const json_t *free_count = json_object_get(subnet, "AvailableIpAddressCount");
    if (json_is_integer(free_count) && json_integer_value(free_count) <= 0) {
        o->code = "InsufficientFreeAddressesInSubnet";
        o->message = "Subnet has insufficient free addresses to create this NAT gateway";
    }
    return 0;
}

// Reads the parameters of a CreateNatGateway. A public NAT gateway needs an Elastic IP and a
// private one takes none; both refusals' wordings are sagebox's (EC2's could not be found).
static int nat_params(struct svc_call *c, const char **type, const char **alloc, const char **token)
{
    *type = ec2_in_str(c, "ConnectivityType");
    *alloc = ec2_in_str(c, "AllocationId");
    *token = ec2_in_str(c, "ClientToken");
    if (*type == NULL) {
        *type = "public";
    }
    if (strcmp(*type, "public") == 0 && *alloc == NULL) {
        return ec2_err(c, 400, "MissingParameter",
                       "The request must contain the parameter AllocationId for a public NAT "
                       "gateway");
    }
    if (strcmp(*type, "private") == 0 && *alloc != NULL) {
        return ec2_err_combination(c, "An Elastic IP address cannot be used with a private NAT "
                                      "gateway");
    }
    if (*token != NULL && strlen(*token) > CLIENT_TOKEN_MAX) {
        return ec2_err_value(c,
                             "Value (%s) for parameter clientToken is invalid. Length exceeds "
                             "maximum of %d characters.",
                             *token, CLIENT_TOKEN_MAX);
    }
    return 0;
}

// Gives a new NAT gateway its interface and, when public, its Elastic IP. Fills the addresses it
// will show when available.
static int provision(struct svc_call *c, json_t *nat, const json_t *subnet, const char *alloc)
{
    const char *id = ec2_str(nat, "NatGatewayId");
    struct ec2_eni_spec spec = {
        .subnet_id = ec2_str(subnet, "SubnetId"),
        .description = ec2_fmt(c, "Interface for NAT Gateway %s", id),
        .interface_type = "nat_gateway",
        .requester_managed = true,
        .no_groups = true, // a NAT gateway's ENI has no security group
        .private_ip = ec2_in_str(c, "PrivateIpAddress"),
        .owner_resource = id,
    };
    const char *eni_id;
    const char *private_ip;
    if (ec2_eni_create(c, &spec, &eni_id, &private_ip) != 0) {
        return -1;
    }
    json_t *a = json_pack("{s:s, s:s}", "NetworkInterfaceId", eni_id, "PrivateIp", private_ip);
    if (alloc != NULL) {
        const char *public_ip;
        if (ec2_address_attach(c, alloc, eni_id, private_ip, "amazon", NULL, &public_ip) != 0) {
            json_decref(a);
            return -1;
        }
        json_object_set_new(a, "AllocationId", json_string(alloc));
        json_object_set_new(a, "PublicIp", json_string(public_ip));
    }
    json_object_set_new(nat, "_Addresses", json_pack("[o]", a));
    json_object_set_new(nat, "_EniId", json_string(eni_id));
    return 0;
}

// CreateNatGateway (see the file comment for how it ends).
static int create_nat_gateway_body(struct svc_call *c)
{
    const char *type;
    const char *alloc;
    const char *token;
    if (nat_params(c, &type, &alloc, &token) != 0) {
        return -1;
    }
    const char *subnet_id = ec2_in_str(c, "SubnetId");
    json_t *subnet = NULL;
    json_t *eip = NULL;
    json_t *tags = NULL;
    json_t *nat = NULL;
    int rc = -1;
    if (ec2_load(c, kind(EC2_KIND_SUBNET), subnet_id, "ec2:CreateNatGateway", NULL, &subnet) != 0 ||
        (alloc != NULL &&
         ec2_load(c, kind(EC2_KIND_EIP), alloc, "ec2:CreateNatGateway", NULL, &eip) != 0) ||
        ec2_tag_specs(c, "natgateway", &tags) != 0) {
        goto out;
    }
    const char *vpc_id = ec2_str(subnet, "VpcId");
    struct ec2_res r[3] = {
        {.arn = ec2_arn(c, "natgateway", "*"), .vpc_id = vpc_id, .request_tags = tags},
        subnet_res(c, subnet),
    };
    size_t n = 2;
    if (eip != NULL) {
        r[n++] = eip_res(c, eip);
    }
    if (ec2_authorize(c, "ec2:CreateNatGateway", r, n) != 0) {
        goto out;
    }
    if (token != NULL) {
        int found = find_by_token(c, token, &nat);
        if (found != SB_ENOTFOUND) {
            rc = found == 0 ? replay(c, nat, token, subnet_id, alloc, type) : -1;
            goto out;
        }
    }
    struct outcome o;
    if (purge_expired(c) != 0 || decide_outcome(c, subnet, eip, alloc != NULL, &o) != 0) {
        goto out;
    }
    const char *id = ec2_new_id(c, "nat");
    nat = json_pack("{s:s, s:[], s:s, s:s, s:s, s:s, s:s}", "CreateTime", ec2_now_iso(c),
                    "NatGatewayAddresses", "NatGatewayId", id, "State",
                    o.code != NULL ? "failed" : "available", "SubnetId", subnet_id, "VpcId", vpc_id,
                    "ConnectivityType", type);
    ec2_tags_init(kind(EC2_KIND_NAT), nat, tags);
    if (alloc != NULL) {
        json_array_append_new(json_object_get(nat, "NatGatewayAddresses"),
                              json_pack("{s:s}", "AllocationId", alloc));
        json_object_set_new(nat, "_AllocationId", json_string(alloc));
    }
    json_object_set_new(nat, "_ReadyAt",
                        json_integer((json_int_t)c->now + EC2_NAT_PENDING_SECONDS));
    if (token != NULL) {
        json_object_set_new(nat, "_ClientToken", json_string(token));
    }
    if (o.code != NULL) {
        json_object_set_new(nat, "_FailureCode", json_string(o.code));
        json_object_set_new(nat, "_FailureMessage", json_string(o.message));
    } else if (provision(c, nat, subnet, alloc) != 0) {
        goto out;
    }
    rc = ec2_put(c, kind(EC2_KIND_NAT), id, vpc_id, subnet_id, nat, STORE_CREATE);
    if (rc == 0) {
        ec2_routing_nat_settle(nat, c->now); // "pending"
        c->out = json_pack("{s:o}", "NatGateway", ec2_doc_public(nat));
        if (token != NULL) {
            json_object_set_new(c->out, "ClientToken", json_string(token));
        }
    }
out:
    json_decref(subnet);
    json_decref(eip);
    json_decref(tags);
    json_decref(nat);
    return rc;
}

EC2_OPERATION(create_nat_gateway, true)

// Settles a NAT gateway for DescribeNatGateways and marks whether it is still shown.
static int settle_nat(struct svc_call *c, json_t *nat)
{
    ec2_routing_nat_settle(nat, c->now);
    json_object_set_new(nat, "_Shown", json_boolean(!ec2_routing_nat_expired(nat, c->now)));
    return 0;
}

static const struct ec2_filter_def nat_filters[] = {
    {"nat-gateway-id", "NatGatewayId", NULL},
    {"state", "State", NULL},
    {"subnet-id", "SubnetId", NULL},
    {"vpc-id", "VpcId", NULL},
    {"_shown", "_Shown", NULL},
    {NULL, NULL, NULL},
};

// DescribeNatGateways. Its filters come in the member "Filter" (the model's name for this action
// alone); they are handed to the shared Describe as "Filters", with one more that hides the NAT
// gateways deleted or failed longer ago than EC2 shows them.
static int describe_nat_gateways_body(struct svc_call *c)
{
    json_t *in = json_copy((json_t *)c->in);
    json_t *filters = json_deep_copy(json_object_get(c->in, "Filter"));
    if (!json_is_array(filters)) {
        json_decref(filters);
        filters = json_array();
    }
    json_array_append_new(filters, json_pack("{s:s, s:[s]}", "Name", "_shown", "Values", "true"));
    json_object_del(in, "Filter");
    json_object_set_new(in, "Filters", filters);
    struct ec2_describe_spec spec = {
        .kind = kind(EC2_KIND_NAT),
        .ids_member = "NatGatewayIds",
        .ids_wire = "natGatewaySet",
        .out_member = "NatGateways",
        .filters = nat_filters,
        .paged = true,
        .prepare = settle_nat,
        .parent_filter = "vpc-id",
        .path_filter = "subnet-id",
    };
    const json_t *request = c->in;
    c->in = in;
    int rc = ec2_describe(c, &spec);
    c->in = request;
    json_decref(in);
    return rc;
}

EC2_OPERATION(describe_nat_gateways, false)

// DeleteNatGateway: gives the interface and the Elastic IP back at once and answers with the id;
// the NAT gateway is "deleting", then "deleted" (see the file comment). Deleting one that is
// already deleting or deleted changes nothing.
static int delete_nat_gateway_body(struct svc_call *c)
{
    const char *id = ec2_in_str(c, "NatGatewayId");
    struct store_obj obj;
    json_t *nat;
    if (ec2_load(c, kind(EC2_KIND_NAT), id, "ec2:DeleteNatGateway", &obj, &nat) != 0) {
        return -1;
    }
    ec2_routing_nat_settle(nat, c->now);
    struct ec2_res r = nat_res(c, nat);
    int rc = ec2_authorize(c, "ec2:DeleteNatGateway", &r, 1);
    const char *state = ec2_str(nat, "State");
    bool going = same(state, "deleting") || same(state, "deleted");
    if (rc == 0 && !going) {
        const char *alloc = keep(c, ec2_str(nat, "_AllocationId"));
        const char *eni = keep(c, ec2_str(nat, "_EniId"));
        if (alloc != NULL && eni != NULL) {
            rc = ec2_address_detach(c, alloc);
        }
        if (rc == 0 && eni != NULL) {
            rc = ec2_eni_delete(c, eni);
        }
        time_t gone = c->now + EC2_NAT_DELETING_SECONDS;
        char when[40];
        svc_iso_time(gone, when, sizeof(when));
        json_object_set_new(nat, "State", json_string("deleted")); // shown "deleting" until gone
        json_object_set_new(nat, "_GoneAt", json_integer((json_int_t)gone));
        json_object_set_new(nat, "_DeleteTime", json_string(when));
        json_object_del(nat, "_EniId");
        rc = rc == 0 ? ec2_replace(c, kind(EC2_KIND_NAT), &obj, nat) : rc;
    }
    json_decref(nat);
    if (rc == 0) {
        c->out = json_pack("{s:s}", "NatGatewayId", id);
    }
    return rc;
}

EC2_OPERATION(delete_nat_gateway, true)

const struct svc_handler ec2_gateway_handlers[] = {
    {"CreateInternetGateway", create_internet_gateway},
    {"DescribeInternetGateways", describe_internet_gateways},
    {"DeleteInternetGateway", delete_internet_gateway},
    {"AttachInternetGateway", attach_internet_gateway},
    {"DetachInternetGateway", detach_internet_gateway},
    {"CreateNatGateway", create_nat_gateway},
    {"DescribeNatGateways", describe_nat_gateways},
    {"DeleteNatGateway", delete_nat_gateway},
    {NULL, NULL},
};
