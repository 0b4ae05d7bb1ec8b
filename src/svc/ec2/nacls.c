// SPDX-License-Identifier: Apache-2.0
// Network ACLs of a VPC (EC2 API Reference: CreateNetworkAcl, DescribeNetworkAcls,
// DeleteNetworkAcl, CreateNetworkAclEntry, ReplaceNetworkAclEntry, DeleteNetworkAclEntry,
// ReplaceNetworkAclAssociation; Amazon VPC User Guide, "Control subnet traffic with network access
// control lists", "Amazon VPC quotas").
//
// An ACL is stored as kind ec2.acl (parent the VPC) with its NetworkAcl document: Entries (kept
// egress first, then ingress, each in rule number order, as EC2 lists them) and Associations, one
// per subnet. Every subnet is associated with exactly one ACL of its VPC: the default one that
// CreateVpc makes (vpcs.c) until ReplaceNetworkAclAssociation moves it, which gives the association
// a new id and records it in the subnet's _NetworkAclAssociationId. A new custom ACL has only the
// "*" entries (rule number 32767, and 32768 for IPv6 when the VPC has an IPv6 block) denying
// everything each way.
//
// Authorization (Service Authorization Reference, Amazon EC2): CreateNetworkAcl on network-acl/*
// (aws:RequestTag, aws:TagKeys) and on the VPC; the entry actions and DeleteNetworkAcl on the ACL
// (aws:ResourceTag, ec2:ResourceTag, ec2:NetworkAclID, ec2:Vpc); ReplaceNetworkAclAssociation on
// the ACL and on the subnet; DescribeNetworkAcls on "*".
#include "svc/ec2/ec2_common.h"
#include "svc/ec2/netfilter.h"
#include "svc/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// The "*" entries: 32767 for IPv4, 32768 for IPv6 ("Default network ACL", Amazon VPC User Guide).
#define ACL_STAR_V4 32767
#define ACL_STAR_V6 32768

// "Rules per network ACL": 20, one way, IPv4 and IPv6 together, the "*" entries included
// (Amazon VPC quotas).
#define ACL_RULES_MAX 20

static const struct ec2_kind *kind(const char *store_kind)
{
    return ec2_kind_by_store(store_kind);
}

// The resource of a decision on an existing ACL.
static struct ec2_res acl_res(struct svc_call *c, const json_t *acl)
{
    const char *id = ec2_str(acl, "NetworkAclId");
    struct ec2_res r = {
        .arn = ec2_arn(c, "network-acl", id),
        .doc = acl,
        .vpc_id = ec2_str(acl, "VpcId"),
        .keys = {"ec2:NetworkAclID", id},
    };
    return r;
}

// True when the VPC document has an associated IPv6 block.
static bool vpc_has_v6(const json_t *vpc)
{
    const json_t *set = json_object_get(vpc, "Ipv6CidrBlockAssociationSet");
    for (size_t i = 0; i < json_array_size(set); i++) {
        const char *state =
            ec2_str(json_object_get(json_array_get(set, i), "Ipv6CidrBlockState"), "State");
        if (state != NULL && strcmp(state, "associated") == 0) {
            return true;
        }
    }
    return false;
}

static json_t *star_entry(bool v6, bool egress)
{
    return json_pack("{s:s, s:b, s:s, s:s, s:i}", v6 ? "Ipv6CidrBlock" : "CidrBlock",
                     v6 ? "::/0" : "0.0.0.0/0", "Egress", egress, "Protocol", "-1", "RuleAction",
                     "deny", "RuleNumber", v6 ? ACL_STAR_V6 : ACL_STAR_V4);
}

static int entry_number(const json_t *e)
{
    return (int)json_integer_value(json_object_get(e, "RuleNumber"));
}

static bool entry_egress(const json_t *e)
{
    return json_is_true(json_object_get(e, "Egress"));
}

// Inserts entry e (taking the reference) into Entries at its place: egress entries first, each
// direction in rule number order.
static void entry_insert(json_t *entries, json_t *e)
{
    size_t at = 0;
    bool eg = entry_egress(e);
    int n = entry_number(e);
    for (; at < json_array_size(entries); at++) {
        const json_t *x = json_array_get(entries, at);
        bool xe = entry_egress(x);
        if ((eg && !xe) || (eg == xe && entry_number(x) > n)) {
            break;
        }
    }
    json_array_insert_new(entries, at, e);
}

// The index of the entry (egress, number) in Entries, or -1.
static int entry_find(const json_t *entries, bool egress, int number)
{
    for (size_t i = 0; i < json_array_size(entries); i++) {
        const json_t *e = json_array_get(entries, i);
        if (entry_egress(e) == egress && entry_number(e) == number) {
            return (int)i;
        }
    }
    return -1;
}

// ---- CreateNetworkAcl ---------------------------------------------------------------------------

static int create_network_acl_body(struct svc_call *c)
{
    const char *vpc_id = ec2_in_str(c, "VpcId");
    json_t *vpc = NULL;
    json_t *tags = NULL;
    json_t *acl = NULL;
    int rc = -1;
    if (ec2_load(c, kind(EC2_KIND_VPC), vpc_id, "ec2:CreateNetworkAcl", NULL, &vpc) != 0 ||
        ec2_tag_specs(c, "network-acl", &tags) != 0) {
        goto out;
    }
    struct ec2_res r[2] = {
        {.arn = ec2_arn(c, "network-acl", "*"), .request_tags = tags},
        {.arn = ec2_arn(c, "vpc", vpc_id),
         .doc = vpc,
         .keys = {"ec2:Tenancy", ec2_str(vpc, "InstanceTenancy"), "ec2:VpcID", vpc_id}},
    };
    if (ec2_authorize(c, "ec2:CreateNetworkAcl", r, 2) != 0) {
        goto out;
    }
    const char *id = ec2_new_id(c, "acl");
    bool v6 = vpc_has_v6(vpc);
    json_t *entries = json_array();
    for (int eg = 1; eg >= 0; eg--) {
        json_array_append_new(entries, star_entry(false, eg));
        if (v6) {
            json_array_append_new(entries, star_entry(true, eg));
        }
    }
    acl = json_pack("{s:[], s:o, s:b, s:s, s:s, s:s}", "Associations", "Entries", entries,
                    "IsDefault", 0, "NetworkAclId", id, "VpcId", vpc_id, "OwnerId",
                    c->caller->account);
    ec2_tags_init(kind(EC2_KIND_ACL), acl, tags);
    rc = ec2_put(c, kind(EC2_KIND_ACL), id, vpc_id, NULL, acl, STORE_CREATE);
    if (rc == 0) {
        c->out = json_pack("{s:o}", "NetworkAcl", ec2_doc_public(acl));
    }
out:
    json_decref(vpc);
    json_decref(tags);
    json_decref(acl);
    return rc;
}

EC2_OPERATION(create_network_acl, true)

// ---- DescribeNetworkAcls ------------------------------------------------------------------------

// entry.protocol takes "tcp | udp | icmp or a protocol number": a value matches an entry's
// Protocol (kept as a number) as written or by number.
static bool entry_protocol(const json_t *doc, const char *const *values, size_t count)
{
    const json_t *entries = json_object_get(doc, "Entries");
    for (size_t i = 0; i < json_array_size(entries); i++) {
        const char *text = ec2_str(json_array_get(entries, i), "Protocol");
        int n = netfilter_protocol_number(text);
        for (size_t k = 0; text != NULL && k < count; k++) {
            int vn = netfilter_protocol_number(values[k]);
            if (ec2_filter_value_match(values[k], text) || (vn != NF_PROTO_INVALID && vn == n)) {
                return true;
            }
        }
    }
    return false;
}

// DescribeNetworkAcls filters (EC2 API Reference).
static const struct ec2_filter_def acl_filters[] = {
    {"association.association-id", "Associations.NetworkAclAssociationId", NULL},
    {"association.network-acl-id", "Associations.NetworkAclId", NULL},
    {"association.subnet-id", "Associations.SubnetId", NULL},
    {"default", "IsDefault", NULL},
    {"entry.cidr", "Entries.CidrBlock", NULL},
    {"entry.egress", "Entries.Egress", NULL},
    {"entry.icmp.code", "Entries.IcmpTypeCode.Code", NULL},
    {"entry.icmp.type", "Entries.IcmpTypeCode.Type", NULL},
    {"entry.ipv6-cidr", "Entries.Ipv6CidrBlock", NULL},
    {"entry.port-range.from", "Entries.PortRange.From", NULL},
    {"entry.port-range.to", "Entries.PortRange.To", NULL},
    {"entry.protocol", NULL, entry_protocol},
    {"entry.rule-action", "Entries.RuleAction", NULL},
    {"entry.rule-number", "Entries.RuleNumber", NULL},
    {"network-acl-id", "NetworkAclId", NULL},
    {"owner-id", "OwnerId", NULL},
    {"vpc-id", "VpcId", NULL},
    {NULL, NULL, NULL},
};

// DescribeNetworkAcls. The id list's wire name in the MaxResults error (networkAclIdSet) follows
// EC2's XML and could not be verified.
static int describe_network_acls_body(struct svc_call *c)
{
    struct ec2_describe_spec spec = {
        .kind = kind(EC2_KIND_ACL),
        .ids_member = "NetworkAclIds",
        .ids_wire = "networkAclIdSet",
        .out_member = "NetworkAcls",
        .filters = acl_filters,
        .paged = true,
        .parent_filter = "vpc-id",
    };
    return ec2_describe(c, &spec);
}

EC2_OPERATION(describe_network_acls, false)

// ---- DeleteNetworkAcl ---------------------------------------------------------------------------

// DeleteNetworkAcl: "You can't delete the ACL if it's associated with any subnets. You can't
// delete the default network ACL." (API Reference). The default ACL's wording is EC2's as cleanup
// tools match it ("cannot delete default network ACL"); the dependency wording is the VPC's with
// the ACL's noun; neither was checked against EC2 itself.
static int delete_network_acl_body(struct svc_call *c)
{
    const char *id = ec2_in_str(c, "NetworkAclId");
    json_t *acl;
    if (ec2_load(c, kind(EC2_KIND_ACL), id, "ec2:DeleteNetworkAcl", NULL, &acl) != 0) {
        return -1;
    }
    struct ec2_res r = acl_res(c, acl);
    int rc = ec2_authorize(c, "ec2:DeleteNetworkAcl", &r, 1);
    if (rc == 0 && json_is_true(json_object_get(acl, "IsDefault"))) {
        rc = ec2_err_value(c, "cannot delete default network ACL %s", id);
    }
    if (rc == 0 && json_array_size(json_object_get(acl, "Associations")) > 0) {
        rc = ec2_err_dependency(c, "networkAcl", id);
    }
    json_decref(acl);
    return rc == 0 ? ec2_delete(c, kind(EC2_KIND_ACL), id) : -1;
}

EC2_OPERATION(delete_network_acl, true)

// ---- Entries ------------------------------------------------------------------------------------

// RuleNumber of a request: 1..32766, "The range 32767 to 65535 is reserved for internal use"
// (CreateNetworkAclEntry API Reference); the wording is sagebox's in EC2's "Value (X) for
// parameter P is invalid." form.
static int check_rule_number(struct svc_call *c, int *number)
{
    const json_t *v = json_object_get(c->in, "RuleNumber");
    if (!json_is_integer(v)) {
        return ec2_err_missing(c, "ruleNumber");
    }
    json_int_t n = json_integer_value(v);
    if (n < 1 || n > 32766) {
        return ec2_err_value(c,
                             "Value (%lld) for parameter ruleNumber is invalid. Rule numbers must "
                             "be between 1 and 32766.",
                             (long long)n);
    }
    *number = (int)n;
    return 0;
}

// The block of an entry: exactly one of CidrBlock and Ipv6CidrBlock, in canonical form ("We
// modify the specified CIDR block to its canonical form", CreateNetworkAclEntry API Reference).
// Neither and both are refused with sagebox's wordings.
static int entry_block(struct svc_call *c, json_t *e, bool *v6)
{
    const char *v4t = ec2_in_str(c, "CidrBlock");
    const char *v6t = ec2_in_str(c, "Ipv6CidrBlock");
    struct cidr b;
    if (v4t != NULL && v6t != NULL) {
        return ec2_err_combination(
            c, "The parameter cidrBlock cannot be used with the parameter ipv6CidrBlock");
    }
    if (v4t == NULL && v6t == NULL) {
        return ec2_err(c, 400, "MissingParameter",
                       "Either 'cidrBlock' or 'ipv6CidrBlock' should be provided.");
    }
    *v6 = v6t != NULL;
    if (v4t != NULL) {
        if (ec2_parse_cidr_v4(c, v4t, "cidrBlock", &b) != 0) {
            return -1;
        }
        json_object_set_new(e, "CidrBlock", json_string(ec2_cidr_text(c, &b)));
        return 0;
    }
    if (cidr_parse_block(v6t, strlen(v6t), &b) != 0 || b.v4) {
        return ec2_err_value(c,
                             "Value (%s) for parameter ipv6CidrBlock is invalid. This is not a "
                             "valid CIDR block.",
                             v6t);
    }
    json_object_set_new(e, "Ipv6CidrBlock", json_string(ec2_cidr_text(c, &b)));
    return 0;
}

// The protocol-dependent part of an entry. EC2 takes the protocol as a number ("-1" all) and, as
// the AWS CLI examples show, as tcp/udp/icmp/icmpv6, keeping the number; an unknown one is real
// EC2's "Invalid value 'X' for IP protocol. Unknown protocol." (aws/aws-cli#508). TCP and UDP need
// PortRange, ICMP (and ICMPv6 with an IPv6 block) IcmpTypeCode ("Required if specifying protocol
// 1 (ICMP) or protocol 58 (ICMPv6) with an IPv6 CIDR block", API Reference); those wordings follow
// the security group ones and could not be verified.
static int entry_protocol_part(struct svc_call *c, json_t *e, bool v6)
{
    const char *text = ec2_in_str(c, "Protocol");
    int p = netfilter_protocol_number(text);
    if (p == NF_PROTO_INVALID || strcasecmp(text ? text : "", "all") == 0) {
        return ec2_err_value(c, "Invalid value '%s' for IP protocol. Unknown protocol.",
                             text ? text : "");
    }
    json_object_set_new(e, "Protocol", json_string(ec2_fmt(c, "%d", p)));
    const json_t *range = json_object_get(c->in, "PortRange");
    const json_t *icmp = json_object_get(c->in, "IcmpTypeCode");
    if (p == NF_PROTO_TCP || p == NF_PROTO_UDP) {
        const json_t *f = json_object_get(range, "From");
        const json_t *t = json_object_get(range, "To");
        if (!json_is_integer(f) || !json_is_integer(t)) {
            return ec2_err_value(
                c, "Invalid value 'Must specify both from and to ports with TCP/UDP.' for "
                   "portRange.");
        }
        json_int_t from = json_integer_value(f);
        json_int_t to = json_integer_value(t);
        if (from < 0 || from > 65535 || to < 0 || to > 65535 || from > to) {
            return ec2_err_value(c, "Invalid TCP/UDP port range (%lld:%lld)", (long long)from,
                                 (long long)to);
        }
        json_object_set_new(e, "PortRange", json_pack("{s:I, s:I}", "From", from, "To", to));
    } else if (p == NF_PROTO_ICMP || (p == NF_PROTO_ICMPV6 && v6)) {
        const json_t *ty = json_object_get(icmp, "Type");
        const json_t *co = json_object_get(icmp, "Code");
        if (!json_is_integer(ty) || !json_is_integer(co)) {
            return ec2_err_value(
                c, "Invalid value 'Must specify both ICMP type and code.' for icmpTypeCode.");
        }
        json_int_t type = json_integer_value(ty);
        json_int_t code = json_integer_value(co);
        if (type < -1 || type > 255) {
            return ec2_err_value(c, "ICMP type (%lld) out of range", (long long)type);
        }
        if (code < -1 || code > 255) {
            return ec2_err_value(c, "ICMP code (%lld) out of range", (long long)code);
        }
        json_object_set_new(e, "IcmpTypeCode", json_pack("{s:I, s:I}", "Code", code, "Type", type));
    }
    return 0;
}

// Builds the NetworkAclEntry of a Create/ReplaceNetworkAclEntry request (new reference in *out).
static int parse_entry(struct svc_call *c, int *number, json_t **out)
{
    json_t *e = json_object();
    bool v6 = false;
    *out = NULL;
    const char *action = ec2_in_str(c, "RuleAction");
    if (check_rule_number(c, number) != 0 || entry_block(c, e, &v6) != 0 ||
        entry_protocol_part(c, e, v6) != 0) {
        json_decref(e);
        return -1;
    }
    json_object_set_new(e, "Egress", json_boolean(ec2_in_bool(c, "Egress", NULL)));
    json_object_set_new(e, "RuleAction", json_string(action ? action : "deny"));
    json_object_set_new(e, "RuleNumber", json_integer(*number));
    *out = e;
    return 0;
}

// The missing entry: real EC2's InvalidNetworkAclEntry.NotFound "no ingress entry with number
// 120" (hashicorp/terraform-provider-aws#12175; the egress form follows it).
static int entry_not_found(struct svc_call *c, bool egress, int number)
{
    return ec2_err(c, 400, "InvalidNetworkAclEntry.NotFound", "no %s entry with number %d",
                   egress ? "egress" : "ingress", number);
}

// Create (replace false) or replace an entry.
static int put_entry(struct svc_call *c, bool replace)
{
    const char *action = replace ? "ec2:ReplaceNetworkAclEntry" : "ec2:CreateNetworkAclEntry";
    const char *id = ec2_in_str(c, "NetworkAclId");
    struct store_obj obj;
    json_t *acl = NULL;
    json_t *e = NULL;
    int number = 0;
    int rc = -1;
    if (ec2_load(c, kind(EC2_KIND_ACL), id, action, &obj, &acl) != 0 ||
        parse_entry(c, &number, &e) != 0) {
        goto out;
    }
    struct ec2_res r = acl_res(c, acl);
    if (ec2_authorize(c, action, &r, 1) != 0) {
        goto out;
    }
    bool egress = entry_egress(e);
    json_t *entries = json_object_get(acl, "Entries");
    if (!json_is_array(entries)) {
        entries = json_array();
        json_object_set_new(acl, "Entries", entries);
    }
    int at = entry_find(entries, egress, number);
    if (replace && at < 0) {
        entry_not_found(c, egress, number);
        goto out;
    }
    if (!replace && at >= 0) {
        // Real EC2 (ansible-collections/amazon.aws#2592).
        ec2_err(c, 400, "NetworkAclEntryAlreadyExists",
                "The network acl entry identified by %d already exists.", number);
        goto out;
    }
    if (at >= 0) {
        json_array_remove(entries, (size_t)at);
    }
    size_t same_way = 0;
    for (size_t i = 0; i < json_array_size(entries); i++) {
        same_way += entry_egress(json_array_get(entries, i)) == egress ? 1 : 0;
    }
    if (same_way + 1 > ACL_RULES_MAX) {
        // The EC2 error-code list's NetworkAclEntryLimitExceeded; the message is sagebox's.
        ec2_err(c, 400, "NetworkAclEntryLimitExceeded",
                "The maximum number of %s entries per network ACL (%d) has been reached.",
                egress ? "egress" : "ingress", ACL_RULES_MAX);
        goto out;
    }
    entry_insert(entries, e);
    e = NULL;
    rc = ec2_replace(c, kind(EC2_KIND_ACL), &obj, acl);
out:
    json_decref(e);
    json_decref(acl);
    return rc;
}

static int create_network_acl_entry_body(struct svc_call *c)
{
    return put_entry(c, false);
}

static int replace_network_acl_entry_body(struct svc_call *c)
{
    return put_entry(c, true);
}

EC2_OPERATION(create_network_acl_entry, true)
EC2_OPERATION(replace_network_acl_entry, true)

static int delete_network_acl_entry_body(struct svc_call *c)
{
    const char *id = ec2_in_str(c, "NetworkAclId");
    struct store_obj obj;
    json_t *acl;
    int number = 0;
    if (ec2_load(c, kind(EC2_KIND_ACL), id, "ec2:DeleteNetworkAclEntry", &obj, &acl) != 0) {
        return -1;
    }
    struct ec2_res r = acl_res(c, acl);
    bool egress = ec2_in_bool(c, "Egress", NULL);
    int rc = check_rule_number(c, &number);
    if (rc == 0) {
        rc = ec2_authorize(c, "ec2:DeleteNetworkAclEntry", &r, 1);
    }
    json_t *entries = json_object_get(acl, "Entries");
    int at = rc == 0 ? entry_find(entries, egress, number) : -1;
    if (rc == 0 && at < 0) {
        rc = entry_not_found(c, egress, number);
    }
    if (rc == 0) {
        json_array_remove(entries, (size_t)at);
        rc = ec2_replace(c, kind(EC2_KIND_ACL), &obj, acl);
    }
    json_decref(acl);
    return rc;
}

EC2_OPERATION(delete_network_acl_entry, true)

// ---- ReplaceNetworkAclAssociation ---------------------------------------------------------------

// Finds the ACL holding association assoc_id among the region's ACLs. Returns 0 with *obj, *acl
// (new reference) and *index, SB_ENOTFOUND, or -1.
static int find_association(struct svc_call *c, const char *assoc_id, struct store_obj *obj,
                            json_t **acl, size_t *index)
{
    struct store_obj *items;
    size_t n;
    *acl = NULL;
    if (ec2_list_all(c, kind(EC2_KIND_ACL), NULL, NULL, &items, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *doc = ec2_parse(c, &items[i]);
        if (doc == NULL) {
            return -1;
        }
        const json_t *list = json_object_get(doc, "Associations");
        for (size_t k = 0; k < json_array_size(list); k++) {
            const char *a = ec2_str(json_array_get(list, k), "NetworkAclAssociationId");
            if (a != NULL && strcmp(a, assoc_id) == 0) {
                *obj = items[i];
                *acl = doc;
                *index = k;
                return 0;
            }
        }
        json_decref(doc);
    }
    return SB_ENOTFOUND;
}

// ReplaceNetworkAclAssociation: moves the subnet of association AssociationId to NetworkAclId (an
// ACL of the subnet's VPC) under a new association id. An unknown association is real EC2's
// InvalidAssociationID.NotFound "The association ID 'aclassoc-...' does not exist"
// (hashicorp/terraform-provider-aws#31888); an ACL of another VPC is refused with sagebox's
// wording.
static int replace_network_acl_association_body(struct svc_call *c)
{
    const char *assoc_id = ec2_in_str(c, "AssociationId");
    const char *acl_id = ec2_in_str(c, "NetworkAclId");
    struct store_obj old_obj;
    struct store_obj new_obj;
    struct store_obj sub_obj;
    json_t *old_acl = NULL;
    json_t *new_acl = NULL;
    json_t *subnet = NULL;
    size_t index = 0;
    int rc = -1;
    if (ec2_load(c, kind(EC2_KIND_ACL), acl_id, "ec2:ReplaceNetworkAclAssociation", &new_obj,
                 &new_acl) != 0) {
        goto out;
    }
    int found = find_association(c, assoc_id, &old_obj, &old_acl, &index);
    if (found == SB_ENOTFOUND) {
        ec2_err(c, 400, "InvalidAssociationID.NotFound", "The association ID '%s' does not exist",
                assoc_id);
        goto out;
    }
    if (found != 0) {
        goto out;
    }
    const char *subnet_id =
        ec2_str(json_array_get(json_object_get(old_acl, "Associations"), index), "SubnetId");
    int got = subnet_id != NULL ? ec2_get(c, kind(EC2_KIND_SUBNET), subnet_id, &sub_obj, &subnet)
                                : SB_ENOTFOUND;
    if (got == SB_ENOTFOUND) {
        ec2_err_not_found(c, kind(EC2_KIND_SUBNET), subnet_id ? subnet_id : "");
        goto out;
    }
    if (got != 0) {
        goto out;
    }
    struct ec2_res r[2] = {
        acl_res(c, new_acl),
        {.arn = ec2_arn(c, "subnet", subnet_id),
         .doc = subnet,
         .vpc_id = ec2_str(subnet, "VpcId"),
         .keys = {"ec2:AvailabilityZone", ec2_str(subnet, "AvailabilityZone"), "ec2:SubnetID",
                  subnet_id}},
    };
    if (ec2_authorize(c, "ec2:ReplaceNetworkAclAssociation", r, 2) != 0) {
        goto out;
    }
    const char *sv = ec2_str(subnet, "VpcId");
    const char *av = ec2_str(new_acl, "VpcId");
    if (sv == NULL || av == NULL || strcmp(sv, av) != 0) {
        ec2_err_value(c, "Network ACL %s and subnet %s belong to different VPCs", acl_id,
                      subnet_id);
        goto out;
    }
    const char *sid = arena_strndup(c->arena, subnet_id, strlen(subnet_id));
    const char *fresh = ec2_new_id(c, "aclassoc");
    json_t *assoc = json_pack("{s:s, s:s, s:s}", "NetworkAclAssociationId", fresh, "NetworkAclId",
                              acl_id, "SubnetId", sid);
    bool same_acl = strcmp(old_obj.id, new_obj.id) == 0;
    json_t *target = same_acl ? old_acl : new_acl;
    json_array_remove(json_object_get(old_acl, "Associations"), index);
    json_t *list = json_object_get(target, "Associations");
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(target, "Associations", list);
    }
    json_array_append_new(list, assoc);
    rc = ec2_replace(c, kind(EC2_KIND_ACL), &old_obj, old_acl);
    if (rc == 0 && !same_acl) {
        rc = ec2_replace(c, kind(EC2_KIND_ACL), &new_obj, new_acl);
    }
    if (rc == 0) {
        json_object_set_new(subnet, "_NetworkAclAssociationId", json_string(fresh));
        rc = ec2_replace(c, kind(EC2_KIND_SUBNET), &sub_obj, subnet);
    }
    if (rc == 0) {
        c->out = json_pack("{s:s}", "NewAssociationId", fresh);
    }
out:
    json_decref(old_acl);
    json_decref(new_acl);
    json_decref(subnet);
    return rc;
}

EC2_OPERATION(replace_network_acl_association, true)

const struct svc_handler ec2_acl_handlers[] = {
    {"CreateNetworkAcl", create_network_acl},
    {"DescribeNetworkAcls", describe_network_acls},
    {"DeleteNetworkAcl", delete_network_acl},
    {"CreateNetworkAclEntry", create_network_acl_entry},
    {"ReplaceNetworkAclEntry", replace_network_acl_entry},
    {"DeleteNetworkAclEntry", delete_network_acl_entry},
    {"ReplaceNetworkAclAssociation", replace_network_acl_association},
    {NULL, NULL},
};
