// SPDX-License-Identifier: Apache-2.0
// Security groups of a VPC (EC2 API Reference: CreateSecurityGroup, DescribeSecurityGroups,
// DeleteSecurityGroup, AuthorizeSecurityGroupIngress/Egress, RevokeSecurityGroupIngress/Egress,
// DescribeSecurityGroupRules, ModifySecurityGroupRules,
// UpdateSecurityGroupRuleDescriptionsIngress/Egress; Amazon VPC User Guide, "Security groups",
// "Security group rules", "Amazon VPC quotas").
//
// A group is stored as kind ec2.sg (parent the VPC) with its rules twice, as ec2_common.h says:
// aggregated in IpPermissions / IpPermissionsEgress (one IpPermission per protocol and port
// range, each source one element of IpRanges, Ipv6Ranges, PrefixListIds or UserIdGroupPairs) and
// one ec2.sgr object per source (parent the VPC, path the group). Every change writes both in the
// same transaction: the ec2.sgr objects are the rules, the IpPermission lists are edited element
// by element to match them. A new group has no inbound rule and one outbound rule allowing all
// IPv4 traffic; "default" groups are made by CreateVpc (vpcs.c) and cannot be deleted.
//
// Authorization (Service Authorization Reference, Amazon EC2): CreateSecurityGroup on
// security-group/* (aws:RequestTag, aws:TagKeys) and on the VPC; Authorize* on the group
// (aws:ResourceTag, ec2:ResourceTag, ec2:SecurityGroupID, ec2:Vpc) and, only when the request has
// TagSpecifications, on security-group-rule/* with the request tags; Revoke*, DeleteSecurityGroup
// and UpdateSecurityGroupRuleDescriptions* on the group; ModifySecurityGroupRules on the group and
// each rule; the Describe* actions on "*".
#include "svc/ec2/ec2_common.h"
#include "svc/ec2/netfilter.h"
#include "svc/ec2/prefixlists.h"
#include "svc/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// "Inbound or outbound rules per security group": 60, counted separately for IPv4 and IPv6, a
// rule that references a security group or a prefix list counting for both (Amazon VPC quotas).
#define SG_RULES_MAX 60

// Names, descriptions and rule descriptions: up to 255 characters (CreateSecurityGroup API
// Reference).
#define SG_TEXT_MAX 255

static const struct ec2_kind *kind(const char *store_kind)
{
    return ec2_kind_by_store(store_kind);
}

// ---- Rules --------------------------------------------------------------------------------------

enum peer_kind { PEER_V4, PEER_V6, PEER_LIST, PEER_GROUP };

// One rule: a direction, a protocol with its ports, and one source or destination.
struct rule {
    bool egress;
    int proto;      // IANA number or NF_PROTO_ALL
    bool has_ports; // TCP, UDP, ICMP, ICMPv6: FromPort/ToPort belong to the rule
    int from;       // -1 when the protocol has no ports
    int to;         //
    enum peer_kind kind;
    const char *peer; // CIDR text (as cidr_format writes it), prefix list id or group id
    const char *user; // owner of a referenced group
    const char *desc; // NULL: none
    const char *id;   // the sgr- id of a stored rule
    struct store_obj obj;
    json_t *doc; // the stored SecurityGroupRule (owned), NULL for requested rules
};

struct rules {
    struct rule *v;
    size_t n;
    size_t cap;
};

static struct rule *rules_add(struct svc_call *c, struct rules *rs)
{
    if (rs->n == rs->cap) {
        size_t ncap = rs->cap ? rs->cap * 2 : 8;
        struct rule *nv = arena_calloc(c->arena, ncap, sizeof(*nv));
        if (rs->n > 0) {
            memcpy(nv, rs->v, rs->n * sizeof(*nv));
        }
        rs->v = nv;
        rs->cap = ncap;
    }
    struct rule *r = &rs->v[rs->n++];
    memset(r, 0, sizeof(*r));
    return r;
}

static void rules_release(struct rules *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        json_decref(rs->v[i].doc);
        rs->v[i].doc = NULL;
    }
}

static bool has_ports(int proto)
{
    return proto == NF_PROTO_TCP || proto == NF_PROTO_UDP || proto == NF_PROTO_ICMP ||
           proto == NF_PROTO_ICMPV6;
}

// True when a and b are the same rule (description aside): what a duplicate is, and what a revoke
// by rule properties must name.
static bool rule_same(const struct rule *a, const struct rule *b)
{
    return a->egress == b->egress && a->proto == b->proto && a->from == b->from && a->to == b->to &&
           a->kind == b->kind && strcmp(a->peer, b->peer) == 0;
}

static const char *arena_str(struct svc_call *c, const char *s)
{
    return s != NULL ? arena_strndup(c->arena, s, strlen(s)) : NULL;
}

static const char *proto_text(struct svc_call *c, int proto)
{
    char buf[8];
    return arena_str(c, netfilter_protocol_text(proto, buf, sizeof(buf)));
}

// Reads a stored SecurityGroupRule into r (strings point into doc, which r takes).
static void rule_from_doc(const struct store_obj *obj, json_t *doc, struct rule *r)
{
    memset(r, 0, sizeof(*r));
    r->obj = *obj;
    r->doc = doc;
    r->id = ec2_str(doc, "SecurityGroupRuleId");
    r->egress = json_is_true(json_object_get(doc, "IsEgress"));
    r->proto = netfilter_protocol_number(ec2_str(doc, "IpProtocol"));
    r->has_ports = has_ports(r->proto);
    r->from = r->has_ports ? (int)json_integer_value(json_object_get(doc, "FromPort")) : -1;
    r->to = r->has_ports ? (int)json_integer_value(json_object_get(doc, "ToPort")) : -1;
    r->desc = ec2_str(doc, "Description");
    const json_t *ref = json_object_get(doc, "ReferencedGroupInfo");
    if (ec2_str(doc, "CidrIpv4") != NULL) {
        r->kind = PEER_V4;
        r->peer = ec2_str(doc, "CidrIpv4");
    } else if (ec2_str(doc, "CidrIpv6") != NULL) {
        r->kind = PEER_V6;
        r->peer = ec2_str(doc, "CidrIpv6");
    } else if (ec2_str(doc, "PrefixListId") != NULL) {
        r->kind = PEER_LIST;
        r->peer = ec2_str(doc, "PrefixListId");
    } else {
        r->kind = PEER_GROUP;
        r->peer = ec2_str(ref, "GroupId");
        r->user = ec2_str(ref, "UserId");
    }
    if (r->peer == NULL) {
        r->peer = "";
    }
}

// Loads the rules of group group_id (one direction, or both when dir < 0).
static int load_rules(struct svc_call *c, const char *vpc_id, const char *group_id, int dir,
                      struct rules *rs)
{
    struct store_obj *items;
    size_t n;
    if (ec2_list_all(c, kind(EC2_KIND_SGR), vpc_id, group_id, &items, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *doc = ec2_parse(c, &items[i]);
        if (doc == NULL) {
            return -1;
        }
        bool egress = json_is_true(json_object_get(doc, "IsEgress"));
        if (dir >= 0 && egress != (dir == 1)) {
            json_decref(doc);
            continue;
        }
        rule_from_doc(&items[i], doc, rules_add(c, rs));
    }
    return 0;
}

// The SecurityGroupRule document of a rule (new reference).
static json_t *rule_doc(struct svc_call *c, const char *group_id, const struct rule *r,
                        const char *id, const json_t *tags)
{
    json_t *d =
        json_pack("{s:s, s:s, s:s, s:b, s:s, s:i, s:i}", "SecurityGroupRuleId", id, "GroupId",
                  group_id, "GroupOwnerId", c->caller->account, "IsEgress", r->egress, "IpProtocol",
                  proto_text(c, r->proto), "FromPort", r->from, "ToPort", r->to);
    switch (r->kind) {
    case PEER_V4:
        json_object_set_new(d, "CidrIpv4", json_string(r->peer));
        break;
    case PEER_V6:
        json_object_set_new(d, "CidrIpv6", json_string(r->peer));
        break;
    case PEER_LIST:
        json_object_set_new(d, "PrefixListId", json_string(r->peer));
        break;
    case PEER_GROUP:
        json_object_set_new(d, "ReferencedGroupInfo",
                            json_pack("{s:s, s:s}", "GroupId", r->peer, "UserId",
                                      r->user ? r->user : c->caller->account));
        break;
    }
    if (r->desc != NULL) {
        json_object_set_new(d, "Description", json_string(r->desc));
    }
    ec2_tags_init(kind(EC2_KIND_SGR), d, tags);
    return d;
}

// ---- IpPermission lists
// --------------------------------------------------------------------------

static const char *list_member(enum peer_kind k)
{
    static const char *const names[] = {"IpRanges", "Ipv6Ranges", "PrefixListIds",
                                        "UserIdGroupPairs"};
    return names[k];
}

static const char *peer_key(enum peer_kind k)
{
    static const char *const keys[] = {"CidrIp", "CidrIpv6", "PrefixListId", "GroupId"};
    return keys[k];
}

// True when IpPermission perm holds rules of r's protocol and ports.
static bool perm_is(const json_t *perm, const struct rule *r)
{
    if (netfilter_protocol_number(ec2_str(perm, "IpProtocol")) != r->proto) {
        return false;
    }
    if (!r->has_ports) {
        return true;
    }
    const json_t *f = json_object_get(perm, "FromPort");
    const json_t *t = json_object_get(perm, "ToPort");
    return json_is_integer(f) && json_is_integer(t) && json_integer_value(f) == r->from &&
           json_integer_value(t) == r->to;
}

static json_t *perm_find(json_t *list, const struct rule *r)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *perm = json_array_get(list, i);
        if (perm_is(perm, r)) {
            return perm;
        }
    }
    return NULL;
}

// The index of r's element in perm, or -1.
static int elem_index(const json_t *perm, const struct rule *r)
{
    const json_t *items = json_object_get(perm, list_member(r->kind));
    for (size_t i = 0; i < json_array_size(items); i++) {
        const char *v = ec2_str(json_array_get(items, i), peer_key(r->kind));
        if (v != NULL && strcmp(v, r->peer) == 0) {
            return (int)i;
        }
    }
    return -1;
}

// A new IpPermission for r's protocol and ports, with empty source lists.
static json_t *perm_new(struct svc_call *c, const struct rule *r)
{
    json_t *perm = json_pack("{s:s}", "IpProtocol", proto_text(c, r->proto));
    if (r->has_ports) {
        json_object_set_new(perm, "FromPort", json_integer(r->from));
        json_object_set_new(perm, "ToPort", json_integer(r->to));
    }
    for (int k = PEER_V4; k <= PEER_GROUP; k++) {
        json_object_set_new(perm, list_member((enum peer_kind)k), json_array());
    }
    return perm;
}

static json_t *elem_new(struct svc_call *c, const struct rule *r, bool with_desc)
{
    json_t *e = json_pack("{s:s}", peer_key(r->kind), r->peer);
    if (r->kind == PEER_GROUP) {
        json_object_set_new(e, "UserId", json_string(r->user ? r->user : c->caller->account));
    }
    if (with_desc && r->desc != NULL) {
        json_object_set_new(e, "Description", json_string(r->desc));
    }
    return e;
}

// Adds rule r to an IpPermission list (with_desc: keep its description).
static void perm_add(struct svc_call *c, json_t *list, const struct rule *r, bool with_desc)
{
    json_t *perm = perm_find(list, r);
    if (perm == NULL) {
        perm = perm_new(c, r);
        json_array_append_new(list, perm);
    }
    json_t *items = json_object_get(perm, list_member(r->kind));
    if (!json_is_array(items)) {
        items = json_array();
        json_object_set_new(perm, list_member(r->kind), items);
    }
    json_array_append_new(items, elem_new(c, r, with_desc));
}

static bool perm_empty(const json_t *perm)
{
    for (int k = PEER_V4; k <= PEER_GROUP; k++) {
        if (json_array_size(json_object_get(perm, list_member((enum peer_kind)k))) > 0) {
            return false;
        }
    }
    return true;
}

// Removes rule r from an IpPermission list, and the permission when it becomes empty.
static void perm_remove(json_t *list, const struct rule *r)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *perm = json_array_get(list, i);
        int at = perm_is(perm, r) ? elem_index(perm, r) : -1;
        if (at < 0) {
            continue;
        }
        json_array_remove(json_object_get(perm, list_member(r->kind)), (size_t)at);
        if (perm_empty(perm)) {
            json_array_remove(list, i);
        }
        return;
    }
}

// Sets (desc not NULL) or removes the description of rule r's element in a list.
static void perm_describe(json_t *list, const struct rule *r, const char *desc)
{
    json_t *perm = perm_find(list, r);
    int at = perm != NULL ? elem_index(perm, r) : -1;
    if (at < 0) {
        return;
    }
    json_t *e = json_array_get(json_object_get(perm, list_member(r->kind)), (size_t)at);
    if (desc != NULL) {
        json_object_set_new(e, "Description", json_string(desc));
    } else {
        json_object_del(e, "Description");
    }
}

static json_t *group_list(json_t *sg, bool egress)
{
    const char *member = egress ? "IpPermissionsEgress" : "IpPermissions";
    json_t *list = json_object_get(sg, member);
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(sg, member, list);
    }
    return list;
}

// ---- Validation ---------------------------------------------------------------------------------

static bool ascii_only(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s >= 0x80) {
            return false;
        }
    }
    return true;
}

// The characters EC2 allows in VPC security group names and descriptions and in rule
// descriptions: a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$* (CreateSecurityGroup and
// IpRange API Reference).
static bool vpc_charset(const char *s)
{
    static const char extra[] = " ._-:/()#,@[]+=&;{}!$*";
    for (; *s; s++) {
        char ch = *s;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || (ch != '\0' && strchr(extra, ch) != NULL);
        if (!ok) {
            return false;
        }
    }
    return true;
}

// A rule description: real EC2's InvalidParameterValue "Invalid rule description. Valid
// descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9.
// _-:/()#,@[]+=&;{}!$*" (hashicorp/terraform-provider-aws#18874 and
// agentic-community/mcp-gateway-registry#1728 quote it, with the two spaces).
static int check_rule_desc(struct svc_call *c, const char *d)
{
    if (d != NULL && (strlen(d) > SG_TEXT_MAX || !vpc_charset(d))) {
        return ec2_err_value(c, "Invalid rule description. Valid descriptions are strings less "
                                "than 256 characters from the following set:  "
                                "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*");
    }
    return 0;
}

// Parses a CIDR of a rule: "a.b.c.d/n" for IpRanges, "ipv6/n" for Ipv6Ranges, host bits kept as
// written. Anything else is real EC2's InvalidParameterValue "CIDR block X is malformed"
// (aws/aws-cli#2428).
static int rule_cidr(struct svc_call *c, const char *text, bool v6, const char **out)
{
    struct cidr b;
    char buf[CIDR_TEXT_MAX];
    if (text == NULL || strchr(text, '/') == NULL || cidr_parse(text, strlen(text), &b) != 0 ||
        b.v4 == v6 || cidr_format(&b, true, buf, sizeof(buf)) < 0) {
        return ec2_err_value(c, "CIDR block %s is malformed", text ? text : "");
    }
    *out = arena_str(c, buf);
    return 0;
}

// An integer member of a request structure: *present tells whether it was given.
static int req_int(const json_t *obj, const char *member, bool *present)
{
    const json_t *v = json_object_get(obj, member);
    *present = json_is_integer(v);
    return *present ? (int)json_integer_value(v) : -1;
}

// Reads IpProtocol/FromPort/ToPort of a permission into proto, from, to. Wordings: the unknown
// protocol, the missing TCP/UDP and ICMP ports, the TCP/UDP port and ICMP code out of range are
// real EC2 answers (aws/aws-cli#508, aws/aws-sdk-go-v2#1203, lucidsoftware/cumulus#64,
// aws/aws-cli#1066, terraform-aws-modules/terraform-aws-security-group#7); the reversed range,
// the ICMP type out of range, a code with "all types" and the ICMPv6 half range follow them and
// could not be verified.
static int parse_proto(struct svc_call *c, const json_t *perm, struct rule *r)
{
    const char *text = ec2_str(perm, "IpProtocol");
    if (text == NULL) {
        return ec2_err_missing(c, "ipProtocol");
    }
    r->proto = netfilter_protocol_number(text);
    if (r->proto == NF_PROTO_INVALID || strcasecmp(text, "all") == 0) {
        return ec2_err_value(c, "Invalid value '%s' for IP protocol. Unknown protocol.", text);
    }
    r->has_ports = has_ports(r->proto);
    bool hf;
    bool ht;
    int from = req_int(perm, "FromPort", &hf);
    int to = req_int(perm, "ToPort", &ht);
    r->from = -1;
    r->to = -1;
    switch (r->proto) {
    case NF_PROTO_TCP:
    case NF_PROTO_UDP:
        if (!hf || !ht) {
            return ec2_err_value(
                c, "Invalid value 'Must specify both from and to ports with TCP/UDP.' for "
                   "portRange.");
        }
        if (from < 0 || from > 65535) {
            return ec2_err_value(c, "TCP/UDP (from) port (%d) out of range", from);
        }
        if (to < 0 || to > 65535) {
            return ec2_err_value(c, "TCP/UDP (to) port (%d) out of range", to);
        }
        if (from > to) {
            return ec2_err_value(c, "Invalid TCP/UDP port range (%d:%d)", from, to);
        }
        break;
    case NF_PROTO_ICMP:
    case NF_PROTO_ICMPV6:
        if (!hf && !ht && r->proto == NF_PROTO_ICMPV6) {
            from = to = -1; // "For icmpv6, the port range is optional" (IpPermission)
        } else if (!hf || !ht) {
            return ec2_err_value(c,
                                 "Invalid value 'Must specify both from and to ports with %s.' "
                                 "for portRange.",
                                 r->proto == NF_PROTO_ICMP ? "ICMP" : "ICMPv6");
        }
        if (from < -1 || from > 255) {
            return ec2_err_value(c, "ICMP type (%d) out of range", from);
        }
        if (to < -1 || to > 255) {
            return ec2_err_value(c, "ICMP code (%d) out of range", to);
        }
        if (from == -1 && to != -1) {
            // "If you specify all ICMP/ICMPv6 types, you must specify all codes" (IpPermission)
            return ec2_err_value(c, "ICMP code (%d) out of range for all ICMP types", to);
        }
        break;
    default:
        return 0; // -1 and other protocols cover all ports whatever is given
    }
    r->from = from;
    r->to = to;
    return 0;
}

// Reads one IpPermission of a request into rules (one per source; their strings are copied into
// the arena, so perm may go away). for_revoke: descriptions are not kept. The security group and
// prefix list references are only checked for their form here.
static int parse_permission(struct svc_call *c, const json_t *perm, bool egress, bool for_revoke,
                            struct rules *out)
{
    struct rule base = {.egress = egress};
    if (parse_proto(c, perm, &base) != 0) {
        return -1;
    }
    size_t before = out->n;
    for (int k = PEER_V4; k <= PEER_GROUP; k++) {
        const json_t *items = json_object_get(perm, list_member((enum peer_kind)k));
        for (size_t i = 0; i < json_array_size(items); i++) {
            const json_t *e = json_array_get(items, i);
            struct rule r = base;
            r.kind = (enum peer_kind)k;
            r.desc = for_revoke ? NULL : arena_str(c, ec2_str(e, "Description"));
            if (check_rule_desc(c, r.desc) != 0) {
                return -1;
            }
            if (k == PEER_V4 || k == PEER_V6) {
                if (rule_cidr(c, ec2_str(e, peer_key(r.kind)), k == PEER_V6, &r.peer) != 0) {
                    return -1;
                }
            } else if (k == PEER_LIST) {
                r.peer = arena_str(c, ec2_str(e, "PrefixListId"));
                if (!ec2_id_wellformed(r.peer, "pl")) {
                    return ec2_err_malformed(c, kind(EC2_KIND_PL), r.peer ? r.peer : "");
                }
            } else {
                r.peer = arena_str(c, ec2_str(e, "GroupId"));
                r.user = arena_str(c, ec2_str(e, "UserId"));
                if (ec2_str(e, "VpcPeeringConnectionId") != NULL) {
                    return ec2_err(c, 400, "UnsupportedOperation",
                                   "Security group references over VPC peering connections are "
                                   "not supported by sagebox.");
                }
                if (r.peer == NULL) {
                    // A name is resolved in the group's VPC later; keep it marked.
                    const char *name = ec2_str(e, "GroupName");
                    if (name == NULL) {
                        return ec2_err(c, 400, "MissingParameter",
                                       "Missing source specification: include source security "
                                       "group or CIDR information");
                    }
                    r.peer = ec2_fmt(c, "name:%s", name);
                } else if (!ec2_id_wellformed(r.peer, "sg")) {
                    return ec2_err_malformed(c, kind(EC2_KIND_SG), r.peer);
                }
            }
            *rules_add(c, out) = r;
        }
    }
    if (out->n == before) {
        // Real EC2's wording when a permission names no source (boto/boto3#1078).
        return ec2_err(c, 400, "MissingParameter",
                       "Missing source specification: include source security group or CIDR "
                       "information");
    }
    return 0;
}

// Reads the IpPermissions of the request, or the legacy top-level IpProtocol/FromPort/ToPort/
// CidrIp/SourceSecurityGroupName form (ingress only; "Not supported" for egress, where EC2 asks
// for IP permissions).
static int parse_request(struct svc_call *c, bool egress, bool for_revoke, struct rules *out)
{
    static const char *const legacy[] = {"IpProtocol",
                                         "FromPort",
                                         "ToPort",
                                         "CidrIp",
                                         "SourceSecurityGroupName",
                                         "SourceSecurityGroupOwnerId"};
    bool any_legacy = false;
    for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
        any_legacy = any_legacy || json_object_get(c->in, legacy[i]) != NULL;
    }
    const json_t *perms = json_object_get(c->in, "IpPermissions");
    if (any_legacy && (egress || json_array_size(perms) > 0)) {
        // sagebox's wording: EC2 documents these as "Not supported. Use IP permissions instead."
        return ec2_err_combination(c,
                                   "The parameters ipProtocol, fromPort, toPort, cidrIp and "
                                   "sourceSecurityGroupName cannot be used with "
                                   "ipPermissions%s.",
                                   egress ? " (egress rules take IP permissions only)" : "");
    }
    if (any_legacy) {
        json_t *p = json_object();
        const char *proto = ec2_in_str(c, "IpProtocol");
        if (proto != NULL) {
            json_object_set_new(p, "IpProtocol", json_string(proto));
        }
        for (int i = 1; i <= 2; i++) {
            const json_t *v = json_object_get(c->in, legacy[i]);
            if (v != NULL) {
                json_object_set(p, legacy[i], (json_t *)v);
            }
        }
        const char *cidr = ec2_in_str(c, "CidrIp");
        const char *src = ec2_in_str(c, "SourceSecurityGroupName");
        if (cidr != NULL) {
            json_object_set_new(p, "IpRanges", json_pack("[{s:s}]", "CidrIp", cidr));
        }
        if (src != NULL) {
            json_t *pair = json_pack("{s:s}", "GroupName", src);
            const char *owner = ec2_in_str(c, "SourceSecurityGroupOwnerId");
            if (owner != NULL) {
                json_object_set_new(pair, "UserId", json_string(owner));
            }
            json_object_set_new(p, "UserIdGroupPairs", json_pack("[o]", pair));
        }
        int rc = parse_permission(c, p, false, for_revoke, out);
        json_decref(p);
        return rc;
    }
    if (json_array_size(perms) == 0) {
        return ec2_err_missing(c, "ipPermissions");
    }
    for (size_t i = 0; i < json_array_size(perms); i++) {
        if (parse_permission(c, json_array_get(perms, i), egress, for_revoke, out) != 0) {
            return -1;
        }
    }
    return 0;
}

// ---- Groups -------------------------------------------------------------------------------------

// The region's default VPC id, or NULL when there is none.
static int default_vpc_id(struct svc_call *c, const char **id)
{
    json_t *meta = NULL;
    *id = NULL;
    int rc = ec2_get(c, &ec2_meta_kind, "default-vpc", NULL, &meta);
    if (rc == SB_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return -1;
    }
    const char *v = arena_str(c, ec2_str(meta, "VpcId"));
    json_decref(meta);
    if (v == NULL) {
        return 0;
    }
    rc = ec2_get(c, kind(EC2_KIND_VPC), v, NULL, NULL);
    if (rc == 0) {
        *id = v;
    }
    return rc == 0 || rc == SB_ENOTFOUND ? 0 : -1;
}

// Finds group name in VPC vpc_id. Returns 0 with *obj and *doc (new reference), SB_ENOTFOUND, or
// -1.
static int find_by_name(struct svc_call *c, const char *vpc_id, const char *name,
                        struct store_obj *obj, json_t **doc)
{
    struct store_obj *items;
    size_t n;
    *doc = NULL;
    if (ec2_list_all(c, kind(EC2_KIND_SG), vpc_id, NULL, &items, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *d = ec2_parse(c, &items[i]);
        if (d == NULL) {
            return -1;
        }
        const char *gn = ec2_str(d, "GroupName");
        if (gn != NULL && strcmp(gn, name) == 0) {
            if (obj != NULL) {
                *obj = items[i];
            }
            *doc = d;
            return 0;
        }
        json_decref(d);
    }
    return SB_ENOTFOUND;
}

// "No default VPC for this user" (real EC2, VPCIdNotSpecified; rancher-archives/quickstart#126).
static int no_default_vpc(struct svc_call *c)
{
    return ec2_err(c, 400, "VPCIdNotSpecified", "No default VPC for this user");
}

// Resolves a group name of the default VPC. Missing: InvalidGroup.NotFound "The security group
// 'NAME' does not exist in default VPC 'vpc-...'" (real EC2's wording, mitchellh/vagrant-aws#231).
static int load_by_name(struct svc_call *c, const char *name, struct store_obj *obj, json_t **doc)
{
    const char *dv;
    if (default_vpc_id(c, &dv) != 0) {
        return -1;
    }
    if (dv == NULL) {
        return no_default_vpc(c);
    }
    int rc = find_by_name(c, dv, name, obj, doc);
    if (rc == SB_ENOTFOUND) {
        return ec2_err(c, 400, "InvalidGroup.NotFound",
                       "The security group '%s' does not exist in default VPC '%s'", name, dv);
    }
    return rc;
}

// Loads the group a request names: GroupId, else GroupName (default VPC only, as EC2 documents
// it). Neither is MissingParameter (sagebox's wording).
static int load_group(struct svc_call *c, const char *action, struct store_obj *obj, json_t **doc)
{
    const char *id = ec2_in_str(c, "GroupId");
    const char *name = ec2_in_str(c, "GroupName");
    *doc = NULL;
    if (id != NULL) {
        return ec2_load(c, kind(EC2_KIND_SG), id, action, obj, doc);
    }
    if (name != NULL) {
        return load_by_name(c, name, obj, doc);
    }
    return ec2_err(c, 400, "MissingParameter",
                   "The request must contain the parameter groupName or groupId");
}

// The resource of a decision on an existing group.
static struct ec2_res sg_res(struct svc_call *c, const json_t *sg)
{
    const char *id = ec2_str(sg, "GroupId");
    struct ec2_res r = {
        .arn = ec2_arn(c, "security-group", id),
        .doc = sg,
        .vpc_id = ec2_str(sg, "VpcId"),
        .keys = {"ec2:SecurityGroupID", id},
    };
    return r;
}

static bool is_default_vpc(struct svc_call *c, const char *vpc_id)
{
    const char *dv = NULL;
    return default_vpc_id(c, &dv) == 0 && dv != NULL && vpc_id != NULL && strcmp(dv, vpc_id) == 0;
}

// ---- Checks against the stored state
// -------------------------------------------------------------

// Resolves group names and checks that referenced groups and prefix lists (the region's
// AWS-managed ones, prefixlists.h, or customer-managed ec2.pl objects) exist. A group of
// another VPC is real EC2's InvalidGroup.NotFound "You have specified two resources that belong to
// different networks." (ansible/ansible#30053); another account's group is not reachable without
// VPC peering, which sagebox does not model.
static int check_references(struct svc_call *c, const char *vpc_id, struct rules *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        struct rule *r = &rs->v[i];
        if (r->kind == PEER_LIST) {
            struct ec2_aws_prefix_list known;
            if (ec2_aws_prefix_list_find(c->region, r->peer, &known)) {
                continue;
            }
            int rc = ec2_get(c, kind(EC2_KIND_PL), r->peer, NULL, NULL);
            if (rc == SB_ENOTFOUND) {
                return ec2_err_not_found(c, kind(EC2_KIND_PL), r->peer);
            }
            if (rc != 0) {
                return -1;
            }
            continue;
        }
        if (r->kind != PEER_GROUP) {
            continue;
        }
        if (r->user != NULL && strcmp(r->user, c->caller->account) != 0) {
            return ec2_err(c, 400, "InvalidGroup.NotFound",
                           "You have specified two resources that belong to different networks.");
        }
        r->user = c->caller->account;
        json_t *doc = NULL;
        int rc;
        if (strncmp(r->peer, "name:", 5) == 0) {
            const char *name = r->peer + 5;
            rc = find_by_name(c, vpc_id, name, NULL, &doc);
            if (rc == SB_ENOTFOUND) {
                return ec2_err(c, 400, "InvalidGroup.NotFound",
                               "The security group '%s' does not exist", name);
            }
        } else {
            rc = ec2_get(c, kind(EC2_KIND_SG), r->peer, NULL, &doc);
            if (rc == SB_ENOTFOUND) {
                return ec2_err_not_found(c, kind(EC2_KIND_SG), r->peer);
            }
        }
        if (rc != 0) {
            return -1;
        }
        const char *other = ec2_str(doc, "VpcId");
        bool same = other != NULL && strcmp(other, vpc_id) == 0;
        r->peer = arena_str(c, ec2_str(doc, "GroupId"));
        json_decref(doc);
        if (!same) {
            return ec2_err(c, 400, "InvalidGroup.NotFound",
                           "You have specified two resources that belong to different networks.");
        }
    }
    return 0;
}

// EC2's text of a rule in InvalidPermission.Duplicate: real answers show "peer: 0.0.0.0/0, TCP,
// from port: 22, to port: 22, ALLOW", "peer: 0.0.0.0/0, ALL, ALLOW" and "peer: 0.0.0.0/0,
// protocol: 50, ALLOW" (hashicorp/terraform#1874, lucidsoftware/cumulus#101,
// ansible/ansible-modules-core#3258); the ICMP form is sagebox's.
static const char *rule_text(struct svc_call *c, const struct rule *r)
{
    switch (r->proto) {
    case NF_PROTO_ALL:
        return ec2_fmt(c, "peer: %s, ALL, ALLOW", r->peer);
    case NF_PROTO_TCP:
    case NF_PROTO_UDP:
        return ec2_fmt(c, "peer: %s, %s, from port: %d, to port: %d, ALLOW", r->peer,
                       r->proto == NF_PROTO_TCP ? "TCP" : "UDP", r->from, r->to);
    case NF_PROTO_ICMP:
    case NF_PROTO_ICMPV6:
        return ec2_fmt(c, "peer: %s, %s, type: %d, code: %d, ALLOW", r->peer,
                       r->proto == NF_PROTO_ICMP ? "ICMP" : "ICMPv6", r->from, r->to);
    default:
        return ec2_fmt(c, "peer: %s, protocol: %d, ALLOW", r->peer, r->proto);
    }
}

// Refuses a rule the request repeats (real EC2: InvalidParameterValue "The same permission must
// not appear multiple times", input-output-hk/bitte#24) or that the group has
// (InvalidPermission.Duplicate); skip is a stored rule not to compare with
// (ModifySecurityGroupRules replacing it).
static int check_duplicates(struct svc_call *c, const struct rules *want, const struct rules *have,
                            const char *skip)
{
    for (size_t i = 0; i < want->n; i++) {
        for (size_t k = 0; k < i; k++) {
            if (rule_same(&want->v[i], &want->v[k])) {
                return ec2_err_value(c, "The same permission must not appear multiple times");
            }
        }
        for (size_t k = 0; k < have->n; k++) {
            if ((skip == NULL || strcmp(have->v[k].id, skip) != 0) &&
                rule_same(&want->v[i], &have->v[k])) {
                return ec2_err(c, 400, "InvalidPermission.Duplicate",
                               "the specified rule \"%s\" already exists",
                               rule_text(c, &want->v[i]));
            }
        }
    }
    return 0;
}

// The quota of rules per direction, IPv4 and IPv6 counted apart (real EC2:
// RulesPerSecurityGroupLimitExceeded "The maximum number of rules per security group has been
// reached.", aws-samples/aws-cloudfront-samples#53).
static int check_quota(struct svc_call *c, const struct rules *want, const struct rules *have)
{
    size_t v4 = 0;
    size_t v6 = 0;
    const struct rules *sets[2] = {have, want};
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < sets[s]->n; i++) {
            enum peer_kind k = sets[s]->v[i].kind;
            v4 += k != PEER_V6 ? 1 : 0;
            v6 += k != PEER_V4 ? 1 : 0;
        }
    }
    if (v4 > SG_RULES_MAX || v6 > SG_RULES_MAX) {
        return ec2_err(c, 400, "RulesPerSecurityGroupLimitExceeded",
                       "The maximum number of rules per security group has been reached.");
    }
    return 0;
}

// ---- CreateSecurityGroup ------------------------------------------------------------------------

// Validates a VPC group's name and description. Real EC2 wordings: a name in the format sg-*
// (pulumi/pulumi-awsx#477), non-ASCII text ("Character sets beyond ASCII are not supported.",
// hashicorp/terraform-provider-aws#43854), a description outside the VPC character set
// (cds-snc/notification-terraform#561). "default" is reserved for the group CreateVpc makes (EC2's
// wording as OpenStack's ec2-api reproduces it); the name charset message follows the description
// one. Neither could be checked against EC2.
static int check_name_desc(struct svc_call *c, const char *name, const char *desc)
{
    if (name[0] == '\0') {
        return ec2_err_missing(c, "groupName");
    }
    if (!ascii_only(name)) {
        return ec2_err_value(c,
                             "Value (%s) for parameter GroupName is invalid. Character sets "
                             "beyond ASCII are not supported.",
                             name);
    }
    if (strncmp(name, "sg-", 3) == 0) {
        return ec2_err_value(c,
                             "Value (%s) for parameter GroupName is invalid. Group names may not "
                             "be in the format sg-*.",
                             name);
    }
    if (strlen(name) > SG_TEXT_MAX || !vpc_charset(name)) {
        return ec2_err_value(c, "Invalid security group name. Valid names are strings less than "
                                "256 characters from the following set:  "
                                "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*");
    }
    if (strcmp(name, "default") == 0) {
        return ec2_err_value(c, "Cannot use reserved security group name: default");
    }
    if (!ascii_only(desc)) {
        return ec2_err_value(c,
                             "Value (%s) for parameter GroupDescription is invalid. Character "
                             "sets beyond ASCII are not supported.",
                             desc);
    }
    if (strlen(desc) > SG_TEXT_MAX || !vpc_charset(desc)) {
        return ec2_err_value(c, "Invalid security group description. Valid descriptions are "
                                "strings less than 256 characters from the following set:  "
                                "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*");
    }
    return 0;
}

// CreateSecurityGroup: in VpcId, or in the default VPC (VPCIdNotSpecified without one); a name
// taken in the VPC is real EC2's InvalidGroup.Duplicate "The security group 'NAME' already exists
// for VPC 'vpc-...'" (hashicorp/terraform#15428). The new group allows all outbound IPv4 traffic
// and nothing inbound (Amazon VPC User Guide, "Security group rules").
static int create_security_group_body(struct svc_call *c)
{
    const char *name = ec2_in_str(c, "GroupName");
    const char *desc = ec2_in_str(c, "Description");
    const char *vpc_id = ec2_in_str(c, "VpcId");
    json_t *vpc = NULL;
    json_t *tags = NULL;
    json_t *sg = NULL;
    json_t *existing = NULL;
    int rc = -1;
    if (check_name_desc(c, name ? name : "", desc ? desc : "") != 0) {
        goto out;
    }
    if (vpc_id == NULL) {
        if (default_vpc_id(c, &vpc_id) != 0) {
            goto out;
        }
        if (vpc_id == NULL) {
            no_default_vpc(c);
            goto out;
        }
    }
    if (ec2_load(c, kind(EC2_KIND_VPC), vpc_id, "ec2:CreateSecurityGroup", NULL, &vpc) != 0 ||
        ec2_tag_specs(c, "security-group", &tags) != 0) {
        goto out;
    }
    struct ec2_res r[2] = {
        {.arn = ec2_arn(c, "security-group", "*"), .request_tags = tags},
        {.arn = ec2_arn(c, "vpc", vpc_id),
         .doc = vpc,
         .keys = {"ec2:Tenancy", ec2_str(vpc, "InstanceTenancy"), "ec2:VpcID", vpc_id}},
    };
    if (ec2_authorize(c, "ec2:CreateSecurityGroup", r, 2) != 0) {
        goto out;
    }
    int found = find_by_name(c, vpc_id, name, NULL, &existing);
    if (found == 0) {
        ec2_err(c, 400, "InvalidGroup.Duplicate",
                "The security group '%s' already exists for VPC '%s'", name, vpc_id);
        goto out;
    }
    if (found != SB_ENOTFOUND) {
        goto out;
    }
    const char *id = ec2_new_id(c, "sg");
    struct rule all_out = {.egress = true,
                           .proto = NF_PROTO_ALL,
                           .from = -1,
                           .to = -1,
                           .kind = PEER_V4,
                           .peer = "0.0.0.0/0"};
    sg = json_pack("{s:s, s:s, s:[], s:s, s:s, s:[], s:s}", "Description", desc, "GroupName", name,
                   "IpPermissions", "OwnerId", c->caller->account, "GroupId", id,
                   "IpPermissionsEgress", "VpcId", vpc_id);
    perm_add(c, group_list(sg, true), &all_out, true);
    ec2_tags_init(kind(EC2_KIND_SG), sg, tags);
    json_t *rdoc = rule_doc(c, id, &all_out, ec2_new_id(c, "sgr"), NULL);
    rc = ec2_put(c, kind(EC2_KIND_SG), id, vpc_id, NULL, sg, STORE_CREATE);
    if (rc == 0) {
        rc = ec2_put(c, kind(EC2_KIND_SGR), ec2_str(rdoc, "SecurityGroupRuleId"), vpc_id, id, rdoc,
                     STORE_CREATE);
    }
    json_decref(rdoc);
    if (rc == 0) {
        c->out = json_pack("{s:s}", "GroupId", id);
        if (json_array_size(tags) > 0) {
            json_object_set(c->out, "Tags", json_object_get(sg, "Tags"));
        }
    }
out:
    json_decref(vpc);
    json_decref(tags);
    json_decref(sg);
    json_decref(existing);
    return rc;
}

EC2_OPERATION(create_security_group, true)

// ---- DescribeSecurityGroups ---------------------------------------------------------------------

// ip-permission.protocol takes "tcp | udp | icmp, a protocol number, or -1": a value matches a
// permission's protocol as written or by number.
static bool proto_match(const json_t *perms, const char *const *values, size_t count)
{
    for (size_t i = 0; i < json_array_size(perms); i++) {
        const char *text = ec2_str(json_array_get(perms, i), "IpProtocol");
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

static bool in_proto(const json_t *doc, const char *const *values, size_t count)
{
    return proto_match(json_object_get(doc, "IpPermissions"), values, count);
}

static bool out_proto(const json_t *doc, const char *const *values, size_t count)
{
    return proto_match(json_object_get(doc, "IpPermissionsEgress"), values, count);
}

// DescribeSecurityGroups filters (EC2 API Reference). The group-name filters of referenced groups
// read _InRefNames / _OutRefNames, which prepare_group computes.
static const struct ec2_filter_def sg_filters[] = {
    {"description", "Description", NULL},
    {"egress.ip-permission.cidr", "IpPermissionsEgress.IpRanges.CidrIp", NULL},
    {"egress.ip-permission.from-port", "IpPermissionsEgress.FromPort", NULL},
    {"egress.ip-permission.group-id", "IpPermissionsEgress.UserIdGroupPairs.GroupId", NULL},
    {"egress.ip-permission.group-name", "_OutRefNames", NULL},
    {"egress.ip-permission.ipv6-cidr", "IpPermissionsEgress.Ipv6Ranges.CidrIpv6", NULL},
    {"egress.ip-permission.prefix-list-id", "IpPermissionsEgress.PrefixListIds.PrefixListId", NULL},
    {"egress.ip-permission.protocol", NULL, out_proto},
    {"egress.ip-permission.to-port", "IpPermissionsEgress.ToPort", NULL},
    {"egress.ip-permission.user-id", "IpPermissionsEgress.UserIdGroupPairs.UserId", NULL},
    {"group-id", "GroupId", NULL},
    {"group-name", "GroupName", NULL},
    {"ip-permission.cidr", "IpPermissions.IpRanges.CidrIp", NULL},
    {"ip-permission.from-port", "IpPermissions.FromPort", NULL},
    {"ip-permission.group-id", "IpPermissions.UserIdGroupPairs.GroupId", NULL},
    {"ip-permission.group-name", "_InRefNames", NULL},
    {"ip-permission.ipv6-cidr", "IpPermissions.Ipv6Ranges.CidrIpv6", NULL},
    {"ip-permission.prefix-list-id", "IpPermissions.PrefixListIds.PrefixListId", NULL},
    {"ip-permission.protocol", NULL, in_proto},
    {"ip-permission.to-port", "IpPermissions.ToPort", NULL},
    {"ip-permission.user-id", "IpPermissions.UserIdGroupPairs.UserId", NULL},
    {"owner-id", "OwnerId", NULL},
    {"vpc-id", "VpcId", NULL},
    {NULL, NULL, NULL},
};

// True when the request filters by the name of a referenced group.
static bool wants_ref_names(const struct svc_call *c)
{
    const json_t *filters = json_object_get(c->in, "Filters");
    for (size_t i = 0; i < json_array_size(filters); i++) {
        const char *n = ec2_str(json_array_get(filters, i), "Name");
        if (n != NULL && strstr(n, "ip-permission.group-name") != NULL) {
            return true;
        }
    }
    return false;
}

// The names of the groups a permission list references.
static int ref_names(struct svc_call *c, const json_t *perms, json_t *out)
{
    for (size_t i = 0; i < json_array_size(perms); i++) {
        const json_t *pairs = json_object_get(json_array_get(perms, i), "UserIdGroupPairs");
        for (size_t k = 0; k < json_array_size(pairs); k++) {
            const char *id = ec2_str(json_array_get(pairs, k), "GroupId");
            json_t *doc = NULL;
            int rc = id != NULL ? ec2_get(c, kind(EC2_KIND_SG), id, NULL, &doc) : SB_ENOTFOUND;
            if (rc != 0 && rc != SB_ENOTFOUND) {
                return -1;
            }
            const char *name = ec2_str(doc, "GroupName");
            if (name != NULL) {
                json_array_append_new(out, json_string(name));
            }
            json_decref(doc);
        }
    }
    return 0;
}

static int prepare_group(struct svc_call *c, json_t *doc)
{
    if (!wants_ref_names(c)) {
        return 0;
    }
    json_t *in = json_array();
    json_t *out = json_array();
    json_object_set_new(doc, "_InRefNames", in);
    json_object_set_new(doc, "_OutRefNames", out);
    if (ref_names(c, json_object_get(doc, "IpPermissions"), in) != 0 ||
        ref_names(c, json_object_get(doc, "IpPermissionsEgress"), out) != 0) {
        return -1;
    }
    return 0;
}

// DescribeSecurityGroups: GroupIds, and GroupNames of the default VPC, which are resolved to ids
// first (a name elsewhere must be found with the group-name filter, as EC2 documents). The id
// list's name in the MaxResults combination error is sagebox's guess from EC2's XML
// (securityGroupIdSet); it could not be verified.
static int describe_security_groups_body(struct svc_call *c)
{
    struct ec2_describe_spec spec = {
        .kind = kind(EC2_KIND_SG),
        .ids_member = "GroupIds",
        .ids_wire = "securityGroupIdSet",
        .out_member = "SecurityGroups",
        .filters = sg_filters,
        .paged = true,
        .prepare = prepare_group,
        .parent_filter = "vpc-id",
    };
    const json_t *names = json_object_get(c->in, "GroupNames");
    if (json_array_size(names) == 0) {
        return ec2_describe(c, &spec);
    }
    json_t *in = json_deep_copy(c->in);
    json_t *ids = json_object_get(in, "GroupIds");
    if (!json_is_array(ids)) {
        ids = json_array();
        json_object_set_new(in, "GroupIds", ids);
    }
    for (size_t i = 0; i < json_array_size(names); i++) {
        json_t *doc;
        const char *name = json_string_value(json_array_get(names, i));
        if (load_by_name(c, name != NULL ? name : "", NULL, &doc) != 0) {
            json_decref(in);
            return -1;
        }
        json_array_append(ids, json_object_get(doc, "GroupId"));
        json_decref(doc);
    }
    json_object_del(in, "GroupNames");
    const json_t *saved = c->in;
    c->in = in;
    int rc = ec2_describe(c, &spec);
    c->in = saved;
    json_decref(in);
    return rc;
}

EC2_OPERATION(describe_security_groups, false)

// ---- DeleteSecurityGroup ------------------------------------------------------------------------

// True when a document's Groups list (NetworkInterface, VpcEndpoint) names group id.
static bool doc_uses_group(const json_t *doc, const char *id)
{
    const json_t *groups = json_object_get(doc, "Groups");
    for (size_t i = 0; i < json_array_size(groups); i++) {
        const char *g = ec2_str(json_array_get(groups, i), "GroupId");
        if (g != NULL && strcmp(g, id) == 0) {
            return true;
        }
    }
    return false;
}

// Whether anything else in the VPC depends on group id: an interface or endpoint in it, or a rule
// of another group that references it. Returns 1, 0, or -1.
static int group_in_use(struct svc_call *c, const char *vpc_id, const char *id)
{
    static const char *const users[] = {EC2_KIND_ENI, EC2_KIND_VPCE, EC2_KIND_SGR};
    for (size_t u = 0; u < sizeof(users) / sizeof(users[0]); u++) {
        struct store_obj *items;
        size_t n;
        if (ec2_list_all(c, kind(users[u]), vpc_id, NULL, &items, &n) != 0) {
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            json_t *doc = ec2_parse(c, &items[i]);
            if (doc == NULL) {
                return -1;
            }
            bool used;
            if (strcmp(users[u], EC2_KIND_SGR) == 0) {
                const char *ref = ec2_str(json_object_get(doc, "ReferencedGroupInfo"), "GroupId");
                const char *owner = ec2_str(doc, "GroupId");
                used =
                    ref != NULL && strcmp(ref, id) == 0 && owner != NULL && strcmp(owner, id) != 0;
            } else {
                used = doc_uses_group(doc, id);
            }
            json_decref(doc);
            if (used) {
                return 1;
            }
        }
    }
    return 0;
}

// DeleteSecurityGroup: the default group is real EC2's CannotDelete "the specified group:
// \"sg-...\" name: \"default\" cannot be deleted by a user" (matched by cleanup tools against EC2);
// a group in use is DependencyViolation "resource sg-... has a dependent object" (real EC2,
// hashicorp/terraform-provider-aws#1671). Its rules go with it.
static int delete_security_group_body(struct svc_call *c)
{
    struct store_obj obj;
    json_t *sg;
    if (load_group(c, "ec2:DeleteSecurityGroup", &obj, &sg) != 0) {
        return -1;
    }
    struct ec2_res r = sg_res(c, sg);
    const char *id = arena_str(c, ec2_str(sg, "GroupId"));
    const char *vpc_id = arena_str(c, ec2_str(sg, "VpcId"));
    const char *name = ec2_str(sg, "GroupName");
    bool is_default = name != NULL && strcmp(name, "default") == 0;
    int rc = ec2_authorize(c, "ec2:DeleteSecurityGroup", &r, 1);
    json_decref(sg);
    if (rc != 0) {
        return -1;
    }
    if (is_default) {
        return ec2_err(c, 400, "CannotDelete",
                       "the specified group: \"%s\" name: \"default\" cannot be deleted by a user",
                       id);
    }
    int used = group_in_use(c, vpc_id, id);
    if (used != 0) {
        return used < 0 ? -1
                        : ec2_err(c, 400, "DependencyViolation",
                                  "resource %s has a dependent object", id);
    }
    struct store_obj *items;
    size_t n;
    if (ec2_list_all(c, kind(EC2_KIND_SGR), vpc_id, id, &items, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (ec2_delete(c, kind(EC2_KIND_SGR), items[i].id) != 0) {
            return -1;
        }
    }
    return ec2_delete(c, kind(EC2_KIND_SG), id);
}

EC2_OPERATION(delete_security_group, true)

// ---- AuthorizeSecurityGroupIngress / Egress -----------------------------------------------------

static int authorize_rules(struct svc_call *c, bool egress)
{
    const char *action =
        egress ? "ec2:AuthorizeSecurityGroupEgress" : "ec2:AuthorizeSecurityGroupIngress";
    struct store_obj obj;
    json_t *sg = NULL;
    json_t *tags = NULL;
    struct rules want = {0};
    struct rules have = {0};
    int rc = -1;
    if (load_group(c, action, &obj, &sg) != 0 ||
        ec2_tag_specs(c, "security-group-rule", &tags) != 0 ||
        parse_request(c, egress, false, &want) != 0) {
        goto out;
    }
    const char *id = ec2_str(sg, "GroupId");
    const char *vpc_id = ec2_str(sg, "VpcId");
    // The security-group-rule resource is decided only when the request tags the new rules
    // (Service Authorization Reference).
    struct ec2_res r[2] = {
        sg_res(c, sg),
        {.arn = ec2_arn(c, "security-group-rule", "*"), .request_tags = tags},
    };
    if (ec2_authorize(c, action, r, tags != NULL ? 2 : 1) != 0 ||
        check_references(c, vpc_id, &want) != 0 ||
        load_rules(c, vpc_id, id, egress ? 1 : 0, &have) != 0 ||
        check_duplicates(c, &want, &have, NULL) != 0 || check_quota(c, &want, &have) != 0) {
        goto out;
    }
    json_t *list = group_list(sg, egress);
    json_t *made = json_array();
    rc = 0;
    for (size_t i = 0; i < want.n && rc == 0; i++) {
        const char *rid = ec2_new_id(c, "sgr");
        json_t *d = rule_doc(c, id, &want.v[i], rid, tags);
        rc = ec2_put(c, kind(EC2_KIND_SGR), rid, vpc_id, id, d, STORE_CREATE);
        json_array_append_new(made, d);
        perm_add(c, list, &want.v[i], true);
    }
    if (rc == 0) {
        rc = ec2_replace(c, kind(EC2_KIND_SG), &obj, sg);
    }
    if (rc == 0) {
        c->out = json_pack("{s:b, s:o}", "Return", 1, "SecurityGroupRules", made);
    } else {
        json_decref(made);
    }
out:
    rules_release(&have);
    json_decref(tags);
    json_decref(sg);
    return rc;
}

static int authorize_security_group_ingress_body(struct svc_call *c)
{
    return authorize_rules(c, false);
}

static int authorize_security_group_egress_body(struct svc_call *c)
{
    return authorize_rules(c, true);
}

EC2_OPERATION(authorize_security_group_ingress, true)
EC2_OPERATION(authorize_security_group_egress, true)

// ---- RevokeSecurityGroupIngress / Egress --------------------------------------------------------

// The stored rule of the group (one direction) with rule id id, or NULL.
static struct rule *rule_by_id(struct rules *have, const char *id)
{
    for (size_t i = 0; id != NULL && i < have->n; i++) {
        if (strcmp(have->v[i].id, id) == 0) {
            return &have->v[i];
        }
    }
    return NULL;
}

static struct rule *rule_like(struct rules *have, const struct rule *r)
{
    for (size_t i = 0; i < have->n; i++) {
        if (rule_same(&have->v[i], r)) {
            return &have->v[i];
        }
    }
    return NULL;
}

// Removes the stored rules marked in gone[] (the group document's elements and the objects).
static int drop_rules(struct svc_call *c, json_t *sg, struct rules *have, const bool *gone)
{
    for (size_t i = 0; i < have->n; i++) {
        if (!gone[i]) {
            continue;
        }
        perm_remove(group_list(sg, have->v[i].egress), &have->v[i]);
        if (ec2_delete(c, kind(EC2_KIND_SGR), have->v[i].id) != 0) {
            return -1;
        }
    }
    return 0;
}

// The rule ID error: the kinds table's InvalidSecurityGroupRuleId.NotFound (a rule of another
// group or direction is not found either).
static int rule_not_found(struct svc_call *c, const char *id)
{
    return ec2_err_not_found(c, kind(EC2_KIND_SGR), id);
}

// Revoke by rule ids or by rule properties. A rule that does not exist is real EC2's
// InvalidPermission.NotFound "The specified rule does not exist in this security group."
// (cloud-custodian/cloud-custodian#9656) and nothing is revoked; in a default VPC EC2 answers
// instead with the unmatched rules in UnknownIpPermissions and revokes the others
// (RevokeSecurityGroupIngress API Reference).
static int revoke_rules(struct svc_call *c, bool egress)
{
    const char *action =
        egress ? "ec2:RevokeSecurityGroupEgress" : "ec2:RevokeSecurityGroupIngress";
    struct store_obj obj;
    json_t *sg = NULL;
    struct rules want = {0};
    struct rules have = {0};
    json_t *unknown = NULL;
    int rc = -1;
    const json_t *ids = json_object_get(c->in, "SecurityGroupRuleIds");
    if (load_group(c, action, &obj, &sg) != 0) {
        goto out;
    }
    if (json_array_size(ids) > 0 && json_object_get(c->in, "IpPermissions") != NULL) {
        ec2_err_combination(c, "The parameter SecurityGroupRuleIds cannot be used with the "
                               "parameter IpPermissions");
        goto out;
    }
    if (json_array_size(ids) == 0 && parse_request(c, egress, true, &want) != 0) {
        goto out;
    }
    const char *id = ec2_str(sg, "GroupId");
    const char *vpc_id = ec2_str(sg, "VpcId");
    struct ec2_res r = sg_res(c, sg);
    if (ec2_authorize(c, action, &r, 1) != 0 ||
        load_rules(c, vpc_id, id, egress ? 1 : 0, &have) != 0) {
        goto out;
    }
    bool *gone = arena_calloc(c->arena, have.n + 1, sizeof(bool));
    for (size_t i = 0; i < json_array_size(ids); i++) {
        const char *rid = json_string_value(json_array_get(ids, i));
        struct rule *hit = rule_by_id(&have, rid);
        if (hit == NULL) {
            rule_not_found(c, rid ? rid : "");
            goto out;
        }
        gone[hit - have.v] = true;
    }
    // Group names in revoked rules are resolved like in Authorize; a missing one is unknown.
    for (size_t i = 0; i < want.n; i++) {
        struct rule *w = &want.v[i];
        struct rule *hit = NULL;
        struct rules one = {.v = w, .n = 1, .cap = 1};
        if (w->kind == PEER_LIST || w->kind == PEER_GROUP) {
            if (check_references(c, vpc_id, &one) != 0) {
                goto out;
            }
        }
        hit = rule_like(&have, w);
        if (hit != NULL) {
            gone[hit - have.v] = true;
            continue;
        }
        if (!is_default_vpc(c, vpc_id)) {
            ec2_err(c, 400, "InvalidPermission.NotFound",
                    "The specified rule does not exist in this security group.");
            goto out;
        }
        if (unknown == NULL) {
            unknown = json_array();
        }
        perm_add(c, unknown, w, false);
    }
    rc = drop_rules(c, sg, &have, gone);
    if (rc == 0) {
        rc = ec2_replace(c, kind(EC2_KIND_SG), &obj, sg);
    }
    if (rc == 0) {
        c->out = json_pack("{s:b}", "Return", 1);
        if (unknown != NULL) {
            json_object_set(c->out, "UnknownIpPermissions", unknown);
        }
    }
out:
    json_decref(unknown);
    rules_release(&have);
    json_decref(sg);
    return rc;
}

static int revoke_security_group_ingress_body(struct svc_call *c)
{
    return revoke_rules(c, false);
}

static int revoke_security_group_egress_body(struct svc_call *c)
{
    return revoke_rules(c, true);
}

EC2_OPERATION(revoke_security_group_ingress, true)
EC2_OPERATION(revoke_security_group_egress, true)

// ---- DescribeSecurityGroupRules -----------------------------------------------------------------

static const struct ec2_filter_def sgr_filters[] = {
    {"group-id", "GroupId", NULL},
    {"security-group-rule-id", "SecurityGroupRuleId", NULL},
    {NULL, NULL, NULL},
};

// DescribeSecurityGroupRules: filters group-id, security-group-rule-id, tag:<key> (and tag-key,
// tag-value, which every Describe* here takes). The id list's wire name in the MaxResults error
// could not be verified.
static int describe_security_group_rules_body(struct svc_call *c)
{
    struct ec2_describe_spec spec = {
        .kind = kind(EC2_KIND_SGR),
        .ids_member = "SecurityGroupRuleIds",
        .ids_wire = "securityGroupRuleIdSet",
        .out_member = "SecurityGroupRules",
        .filters = sgr_filters,
        .paged = true,
        .path_filter = "group-id",
    };
    return ec2_describe(c, &spec);
}

EC2_OPERATION(describe_security_group_rules, false)

// ---- ModifySecurityGroupRules
// --------------------------------------------------------------------

// The SecurityGroupRuleRequest of an update as an IpPermission with one source (none or several
// are refused; the wording of several is sagebox's).
static int update_as_permission(struct svc_call *c, const json_t *req, json_t **perm)
{
    static const char *const srcs[][3] = {
        {"CidrIpv4", "IpRanges", "CidrIp"},
        {"CidrIpv6", "Ipv6Ranges", "CidrIpv6"},
        {"PrefixListId", "PrefixListIds", "PrefixListId"},
        {"ReferencedGroupId", "UserIdGroupPairs", "GroupId"},
    };
    *perm = json_object();
    int count = 0;
    const char *p = ec2_str(req, "IpProtocol");
    if (p != NULL) {
        json_object_set_new(*perm, "IpProtocol", json_string(p));
    }
    static const char *const ports[] = {"FromPort", "ToPort"};
    for (size_t i = 0; i < 2; i++) {
        const json_t *v = json_object_get(req, ports[i]);
        if (v != NULL) {
            json_object_set(*perm, ports[i], (json_t *)v);
        }
    }
    for (size_t i = 0; i < 4; i++) {
        const char *v = ec2_str(req, srcs[i][0]);
        if (v == NULL) {
            continue;
        }
        json_t *e = json_pack("{s:s}", srcs[i][2], v);
        const char *d = ec2_str(req, "Description");
        if (d != NULL) {
            json_object_set_new(e, "Description", json_string(d));
        }
        json_object_set_new(*perm, srcs[i][1], json_pack("[o]", e));
        count++;
    }
    if (count > 1) {
        return ec2_err_combination(c, "A security group rule takes exactly one of CidrIpv4, "
                                      "CidrIpv6, PrefixListId and ReferencedGroupId.");
    }
    return 0;
}

// ModifySecurityGroupRules: replaces each named rule of the group (its direction, id and tags
// stay) with the rule given.
static int modify_security_group_rules_body(struct svc_call *c)
{
    struct store_obj obj;
    json_t *sg = NULL;
    struct rules have = {0};
    int rc = -1;
    const json_t *updates = json_object_get(c->in, "SecurityGroupRules");
    if (load_group(c, "ec2:ModifySecurityGroupRules", &obj, &sg) != 0) {
        goto out;
    }
    const char *id = ec2_str(sg, "GroupId");
    const char *vpc_id = ec2_str(sg, "VpcId");
    if (load_rules(c, vpc_id, id, -1, &have) != 0) {
        goto out;
    }
    size_t n = json_array_size(updates);
    struct rule **targets = arena_calloc(c->arena, n + 1, sizeof(*targets));
    struct rules *next = arena_calloc(c->arena, n + 1, sizeof(*next));
    struct ec2_res *res = arena_calloc(c->arena, n + 1, sizeof(*res));
    res[0] = sg_res(c, sg);
    for (size_t i = 0; i < n; i++) {
        const json_t *u = json_array_get(updates, i);
        const char *rid = ec2_str(u, "SecurityGroupRuleId");
        const json_t *req = json_object_get(u, "SecurityGroupRule");
        if (rid == NULL) {
            ec2_err_missing(c, "SecurityGroupRule.N.SecurityGroupRuleId");
            goto out;
        }
        if (req == NULL) {
            ec2_err_missing(c, "SecurityGroupRule.N.SecurityGroupRule");
            goto out;
        }
        if (!ec2_id_wellformed(rid, "sgr")) {
            ec2_err_malformed(c, kind(EC2_KIND_SGR), rid);
            goto out;
        }
        targets[i] = rule_by_id(&have, rid);
        if (targets[i] == NULL) {
            rule_not_found(c, rid);
            goto out;
        }
        json_t *perm;
        int prc = update_as_permission(c, req, &perm);
        if (prc == 0) {
            prc = parse_permission(c, perm, targets[i]->egress, false, &next[i]);
        }
        json_decref(perm);
        if (prc != 0) {
            goto out;
        }
        res[i + 1] =
            (struct ec2_res){.arn = ec2_arn(c, "security-group-rule", rid), .doc = targets[i]->doc};
    }
    if (ec2_authorize(c, "ec2:ModifySecurityGroupRules", res, n + 1) != 0) {
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        struct rules same_dir = {0};
        for (size_t k = 0; k < have.n; k++) {
            if (have.v[k].egress == targets[i]->egress) {
                *rules_add(c, &same_dir) = have.v[k];
            }
        }
        if (check_references(c, vpc_id, &next[i]) != 0 ||
            check_duplicates(c, &next[i], &same_dir, targets[i]->id) != 0) {
            goto out;
        }
    }
    rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct rule *old = targets[i];
        struct rule *nw = &next[i].v[0];
        perm_remove(group_list(sg, old->egress), old);
        perm_add(c, group_list(sg, old->egress), nw, true);
        json_t *d = rule_doc(c, id, nw, old->id, json_object_get(old->doc, "Tags"));
        rc = ec2_replace(c, kind(EC2_KIND_SGR), &old->obj, d);
        json_decref(d);
        // Later updates of the same rule see the new content.
        struct rule keep = *nw;
        keep.id = old->id;
        keep.obj = old->obj;
        keep.doc = old->doc;
        *old = keep;
    }
    if (rc == 0) {
        rc = ec2_replace(c, kind(EC2_KIND_SG), &obj, sg);
    }
    if (rc == 0) {
        c->out = json_pack("{s:b}", "Return", 1);
    }
out:
    rules_release(&have);
    json_decref(sg);
    return rc;
}

EC2_OPERATION(modify_security_group_rules, true)

// ---- UpdateSecurityGroupRuleDescriptionsIngress / Egress ----------------------------------------

// Sets the description of one stored rule (NULL removes it), in its object and in the group.
static int set_description(struct svc_call *c, json_t *sg, struct rule *r, const char *desc)
{
    if (desc != NULL) {
        json_object_set_new(r->doc, "Description", json_string(desc));
    } else {
        json_object_del(r->doc, "Description");
    }
    perm_describe(group_list(sg, r->egress), r, desc);
    return ec2_replace(c, kind(EC2_KIND_SGR), &r->obj, r->doc);
}

// UpdateSecurityGroupRuleDescriptions*: by IpPermissions (each source naming an existing rule,
// its Description replacing the rule's, none removing it) or by SecurityGroupRuleDescriptions.
static int update_descriptions(struct svc_call *c, bool egress)
{
    const char *action = egress ? "ec2:UpdateSecurityGroupRuleDescriptionsEgress"
                                : "ec2:UpdateSecurityGroupRuleDescriptionsIngress";
    struct store_obj obj;
    json_t *sg = NULL;
    struct rules want = {0};
    struct rules have = {0};
    int rc = -1;
    const json_t *byid = json_object_get(c->in, "SecurityGroupRuleDescriptions");
    if (load_group(c, action, &obj, &sg) != 0) {
        goto out;
    }
    if (json_array_size(byid) > 0 && json_object_get(c->in, "IpPermissions") != NULL) {
        ec2_err_combination(c, "The parameter SecurityGroupRuleDescriptions cannot be used with "
                               "the parameter IpPermissions");
        goto out;
    }
    if (json_array_size(byid) == 0 && parse_request(c, egress, false, &want) != 0) {
        goto out;
    }
    for (size_t i = 0; i < json_array_size(byid); i++) {
        if (check_rule_desc(c, ec2_str(json_array_get(byid, i), "Description")) != 0) {
            goto out;
        }
    }
    const char *id = ec2_str(sg, "GroupId");
    const char *vpc_id = ec2_str(sg, "VpcId");
    struct ec2_res r = sg_res(c, sg);
    if (ec2_authorize(c, action, &r, 1) != 0 ||
        load_rules(c, vpc_id, id, egress ? 1 : 0, &have) != 0) {
        goto out;
    }
    rc = 0;
    for (size_t i = 0; i < json_array_size(byid) && rc == 0; i++) {
        const json_t *d = json_array_get(byid, i);
        const char *rid = ec2_str(d, "SecurityGroupRuleId");
        struct rule *hit = rule_by_id(&have, rid);
        rc = hit != NULL ? set_description(c, sg, hit, ec2_str(d, "Description"))
                         : rule_not_found(c, rid ? rid : "");
    }
    for (size_t i = 0; i < want.n && rc == 0; i++) {
        struct rules one = {.v = &want.v[i], .n = 1, .cap = 1};
        rc = check_references(c, vpc_id, &one);
        struct rule *hit = rc == 0 ? rule_like(&have, &want.v[i]) : NULL;
        if (rc == 0 && hit == NULL) {
            rc = ec2_err(c, 400, "InvalidPermission.NotFound",
                         "The specified rule does not exist in this security group.");
        }
        if (rc == 0) {
            rc = set_description(c, sg, hit, want.v[i].desc);
        }
    }
    if (rc == 0) {
        rc = ec2_replace(c, kind(EC2_KIND_SG), &obj, sg);
    }
    if (rc == 0) {
        c->out = json_pack("{s:b}", "Return", 1);
    }
out:
    rules_release(&have);
    json_decref(sg);
    return rc;
}

static int update_security_group_rule_descriptions_ingress_body(struct svc_call *c)
{
    return update_descriptions(c, false);
}

static int update_security_group_rule_descriptions_egress_body(struct svc_call *c)
{
    return update_descriptions(c, true);
}

EC2_OPERATION(update_security_group_rule_descriptions_ingress, true)
EC2_OPERATION(update_security_group_rule_descriptions_egress, true)

const struct svc_handler ec2_sg_handlers[] = {
    {"CreateSecurityGroup", create_security_group},
    {"DescribeSecurityGroups", describe_security_groups},
    {"DeleteSecurityGroup", delete_security_group},
    {"AuthorizeSecurityGroupIngress", authorize_security_group_ingress},
    {"AuthorizeSecurityGroupEgress", authorize_security_group_egress},
    {"RevokeSecurityGroupIngress", revoke_security_group_ingress},
    {"RevokeSecurityGroupEgress", revoke_security_group_egress},
    {"DescribeSecurityGroupRules", describe_security_group_rules},
    {"ModifySecurityGroupRules", modify_security_group_rules},
    {"UpdateSecurityGroupRuleDescriptionsIngress", update_security_group_rule_descriptions_ingress},
    {"UpdateSecurityGroupRuleDescriptionsEgress", update_security_group_rule_descriptions_egress},
    {NULL, NULL},
};
