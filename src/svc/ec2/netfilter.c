// SPDX-License-Identifier: Apache-2.0
// Security group and network ACL evaluation over stored EC2 documents (see netfilter.h). The
// matching rules are those of the Amazon VPC User Guide: "Security group rules" (protocol -1 is
// all traffic; a TCP/UDP rule names a port range; an ICMP rule's FromPort is the type and its
// ToPort the code, -1 meaning all; a rule for any other protocol number covers all ports; rules
// only allow, and security groups are stateful) and "Network ACL rules" (rules are evaluated in
// order from the lowest number, the first match decides, the "*" rule denies the rest; network
// ACLs are stateless; an entry for protocol -1 or a protocol other than 6, 17 and 1 covers all
// ports, CreateNetworkAclEntry API Reference).
#include "svc/ec2/netfilter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// ---- Protocols ----------------------------------------------------------------------------------

// The protocol number of a rule text; see netfilter.h.
int netfilter_protocol_number(const char *text)
{
    if (text == NULL || text[0] == '\0') {
        return NF_PROTO_INVALID;
    }
    if (strcmp(text, "-1") == 0 || strcasecmp(text, "all") == 0) {
        return NF_PROTO_ALL;
    }
    static const struct {
        const char *name;
        int number;
    } names[] = {
        {"tcp", NF_PROTO_TCP},
        {"udp", NF_PROTO_UDP},
        {"icmp", NF_PROTO_ICMP},
        {"icmpv6", NF_PROTO_ICMPV6},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(text, names[i].name) == 0) {
            return names[i].number;
        }
    }
    int n = 0;
    for (const char *s = text; *s; s++) {
        if (*s < '0' || *s > '9' || s - text >= 3) {
            return NF_PROTO_INVALID;
        }
        n = n * 10 + (*s - '0');
    }
    return n <= 255 ? n : NF_PROTO_INVALID;
}

// The text of a protocol number; see netfilter.h.
const char *netfilter_protocol_text(int n, char *buf, size_t cap)
{
    switch (n) {
    case NF_PROTO_ALL:
        return "-1";
    case NF_PROTO_TCP:
        return "tcp";
    case NF_PROTO_UDP:
        return "udp";
    case NF_PROTO_ICMP:
        return "icmp";
    case NF_PROTO_ICMPV6:
        return "icmpv6";
    default:
        snprintf(buf, cap, "%d", n);
        return buf;
    }
}

// ---- Prefix lists
// --------------------------------------------------------------------------------

// The catalog resolver; see netfilter.h.
int netfilter_catalog_prefix_list(void *ctx, const char *prefix_list_id, const struct cidr **blocks,
                                  size_t *count)
{
    struct nf_pl_catalog *cat = ctx;
    struct ec2_aws_prefix_list pl;
    if (cat == NULL || prefix_list_id == NULL ||
        !ec2_aws_prefix_list_find(cat->region, prefix_list_id, &pl)) {
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < pl.cidr_count && i < EC2_PL_CIDRS_MAX; i++) {
        if (cidr_parse_block(pl.cidrs[i], strlen(pl.cidrs[i]), &cat->blocks[n]) == 0) {
            n++;
        }
    }
    *blocks = cat->blocks;
    *count = n;
    return 0;
}

// ---- Small readers
// -------------------------------------------------------------------------------

static const char *str_of(const json_t *doc, const char *member)
{
    const json_t *v = json_object_get(doc, member);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

// An integer member, or def when absent or not an integer.
static int int_of(const json_t *doc, const char *member, int def)
{
    const json_t *v = json_object_get(doc, member);
    return json_is_integer(v) ? (int)json_integer_value(v) : def;
}

// True when the CIDR text contains the packet's peer (same family only).
static bool cidr_text_contains(const char *text, const struct cidr *peer)
{
    struct cidr b;
    if (text == NULL || cidr_parse(text, strlen(text), &b) != 0 || b.v4 != peer->v4) {
        return false;
    }
    return cidr_contains(&b, peer);
}

static bool in_list(const char *id, const char *const *list, size_t n)
{
    for (size_t i = 0; id != NULL && i < n; i++) {
        if (list[i] != NULL && strcmp(list[i], id) == 0) {
            return true;
        }
    }
    return false;
}

// True when any block of prefix list id contains the peer.
static bool prefix_list_contains(const char *id, const struct cidr *peer, nf_prefix_list_fn pl,
                                 void *ctx)
{
    const struct cidr *blocks = NULL;
    size_t n = 0;
    if (id == NULL || pl == NULL || pl(ctx, id, &blocks, &n) != 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (blocks[i].v4 == peer->v4 && cidr_contains(&blocks[i], peer)) {
            return true;
        }
    }
    return false;
}

// True when a rule's protocol and port fields (IpProtocol, FromPort, ToPort; absent ports are
// -1) admit the packet's protocol and port or ICMP type/code.
static bool sg_proto_matches(const char *proto_text, int from, int to, const struct nf_packet *p)
{
    int proto = netfilter_protocol_number(proto_text);
    if (proto == NF_PROTO_ALL) {
        return true;
    }
    if (proto == NF_PROTO_INVALID || proto != p->protocol) {
        return false;
    }
    switch (proto) {
    case NF_PROTO_TCP:
    case NF_PROTO_UDP:
        return from >= 0 && p->port >= from && p->port <= to;
    case NF_PROTO_ICMP:
    case NF_PROTO_ICMPV6:
        return (from == -1 || from == p->icmp_type) && (to == -1 || to == p->icmp_code);
    default:
        return true;
    }
}

// ---- Security groups ----------------------------------------------------------------------------

// One rule against a packet; see netfilter.h.
bool netfilter_sg_rule_matches(const json_t *rule, const struct nf_packet *p, nf_prefix_list_fn pl,
                               void *pl_ctx)
{
    bool egress = json_is_true(json_object_get(rule, "IsEgress"));
    if (egress != (p->dir == NF_EGRESS)) {
        return false;
    }
    if (!sg_proto_matches(str_of(rule, "IpProtocol"), int_of(rule, "FromPort", -1),
                          int_of(rule, "ToPort", -1), p)) {
        return false;
    }
    const char *v4 = str_of(rule, "CidrIpv4");
    const char *v6 = str_of(rule, "CidrIpv6");
    const char *list = str_of(rule, "PrefixListId");
    const char *group = str_of(json_object_get(rule, "ReferencedGroupInfo"), "GroupId");
    if (v4 != NULL || v6 != NULL) {
        return cidr_text_contains(v4 != NULL ? v4 : v6, &p->peer);
    }
    if (list != NULL) {
        return prefix_list_contains(list, &p->peer, pl, pl_ctx);
    }
    return in_list(group, p->peer_groups, p->peer_group_count);
}

static void verdict_deny(struct nf_sg_verdict *v)
{
    memset(v, 0, sizeof(*v));
}

// Rule-based evaluation; see netfilter.h.
bool netfilter_sg_eval(const json_t *const *rules, size_t rule_count, const char *const *groups,
                       size_t group_count, const struct nf_packet *p, nf_prefix_list_fn pl,
                       void *pl_ctx, struct nf_sg_verdict *v)
{
    verdict_deny(v);
    if (p->reply) {
        v->admitted = true;
        v->stateful = true;
        return true;
    }
    for (size_t i = 0; i < rule_count; i++) {
        const char *gid = str_of(rules[i], "GroupId");
        if (!in_list(gid, groups, group_count) ||
            !netfilter_sg_rule_matches(rules[i], p, pl, pl_ctx)) {
            continue;
        }
        v->admitted = true;
        v->group_id = gid;
        v->rule_id = str_of(rules[i], "SecurityGroupRuleId");
        v->rule = rules[i];
        return true;
    }
    return false;
}

// The source lists of an IpPermission: member, the member of an element holding the peer, and
// how that peer is matched.
enum peer_how { PEER_CIDR, PEER_LIST, PEER_GROUP };

static const struct {
    const char *list;
    const char *key;
    enum peer_how how;
} peer_lists[] = {
    {"IpRanges", "CidrIp", PEER_CIDR},
    {"Ipv6Ranges", "CidrIpv6", PEER_CIDR},
    {"PrefixListIds", "PrefixListId", PEER_LIST},
    {"UserIdGroupPairs", "GroupId", PEER_GROUP},
};

// The first source element of permission perm that matches the packet's peer, or NULL.
static const json_t *perm_peer(const json_t *perm, const struct nf_packet *p, nf_prefix_list_fn pl,
                               void *pl_ctx)
{
    for (size_t l = 0; l < sizeof(peer_lists) / sizeof(peer_lists[0]); l++) {
        const json_t *items = json_object_get(perm, peer_lists[l].list);
        for (size_t i = 0; i < json_array_size(items); i++) {
            const json_t *e = json_array_get(items, i);
            const char *val = str_of(e, peer_lists[l].key);
            bool hit = false;
            switch (peer_lists[l].how) {
            case PEER_CIDR:
                hit = cidr_text_contains(val, &p->peer);
                break;
            case PEER_LIST:
                hit = prefix_list_contains(val, &p->peer, pl, pl_ctx);
                break;
            case PEER_GROUP:
                hit = in_list(val, p->peer_groups, p->peer_group_count);
                break;
            }
            if (hit) {
                return e;
            }
        }
    }
    return NULL;
}

// Group-document evaluation; see netfilter.h.
bool netfilter_sg_eval_groups(const json_t *const *group_docs, size_t count,
                              const struct nf_packet *p, nf_prefix_list_fn pl, void *pl_ctx,
                              struct nf_sg_verdict *v)
{
    verdict_deny(v);
    if (p->reply) {
        v->admitted = true;
        v->stateful = true;
        return true;
    }
    const char *member = p->dir == NF_EGRESS ? "IpPermissionsEgress" : "IpPermissions";
    for (size_t g = 0; g < count; g++) {
        const json_t *perms = json_object_get(group_docs[g], member);
        for (size_t i = 0; i < json_array_size(perms); i++) {
            const json_t *perm = json_array_get(perms, i);
            if (!sg_proto_matches(str_of(perm, "IpProtocol"), int_of(perm, "FromPort", -1),
                                  int_of(perm, "ToPort", -1), p)) {
                continue;
            }
            const json_t *peer = perm_peer(perm, p, pl, pl_ctx);
            if (peer != NULL) {
                v->admitted = true;
                v->group_id = str_of(group_docs[g], "GroupId");
                v->rule = perm;
                v->peer = peer;
                return true;
            }
        }
    }
    return false;
}

// ---- Network ACLs -------------------------------------------------------------------------------

// One entry against a packet; see netfilter.h.
bool netfilter_acl_entry_matches(const json_t *entry, const struct nf_packet *p)
{
    bool egress = json_is_true(json_object_get(entry, "Egress"));
    if (egress != (p->dir == NF_EGRESS)) {
        return false;
    }
    const char *v4 = str_of(entry, "CidrBlock");
    const char *v6 = str_of(entry, "Ipv6CidrBlock");
    if (!cidr_text_contains(v4 != NULL ? v4 : v6, &p->peer)) {
        return false;
    }
    int proto = netfilter_protocol_number(str_of(entry, "Protocol"));
    if (proto == NF_PROTO_ALL) {
        return true;
    }
    if (proto == NF_PROTO_INVALID || proto != p->protocol) {
        return false;
    }
    const json_t *range = json_object_get(entry, "PortRange");
    const json_t *icmp = json_object_get(entry, "IcmpTypeCode");
    switch (proto) {
    case NF_PROTO_TCP:
    case NF_PROTO_UDP:
        return range == NULL ||
               (p->port >= int_of(range, "From", 0) && p->port <= int_of(range, "To", 65535));
    case NF_PROTO_ICMPV6:
        if (v6 == NULL) {
            return true; // ICMPv6 with an IPv4 block allows every type and code (API Reference)
        }
        // fall through
    case NF_PROTO_ICMP: {
        int type = int_of(icmp, "Type", -1);
        int code = int_of(icmp, "Code", -1);
        return (type == -1 || type == p->icmp_type) && (code == -1 || code == p->icmp_code);
    }
    default:
        return true;
    }
}

// Entry-ordered evaluation; see netfilter.h.
bool netfilter_acl_eval(const json_t *acl, const struct nf_packet *p, struct nf_acl_verdict *v)
{
    memset(v, 0, sizeof(*v));
    v->acl_id = str_of(acl, "NetworkAclId");
    v->rule_number = -1;
    const json_t *entries = json_object_get(acl, "Entries");
    const json_t *best = NULL;
    int best_number = 0;
    // The lowest-numbered matching entry decides; entries need not be stored in order.
    for (size_t i = 0; i < json_array_size(entries); i++) {
        const json_t *e = json_array_get(entries, i);
        int n = int_of(e, "RuleNumber", -1);
        if (n < 0 || (best != NULL && n >= best_number) || !netfilter_acl_entry_matches(e, p)) {
            continue;
        }
        best = e;
        best_number = n;
    }
    if (best != NULL) {
        const char *action = str_of(best, "RuleAction");
        v->entry = best;
        v->rule_number = best_number;
        v->admitted = action != NULL && strcmp(action, "allow") == 0;
    }
    return v->admitted;
}

// ---- On a graph ---------------------------------------------------------------------------------

static const struct ec2_node *node_of_kind(const struct ec2_graph *g, const char *id,
                                           const char *kind)
{
    const struct ec2_node *n = id != NULL ? ec2_graph_find(g, id) : NULL;
    return n != NULL && strcmp(n->kind->kind, kind) == 0 ? n : NULL;
}

// The groups of an interface; see netfilter.h.
int netfilter_eni_groups(const struct ec2_graph *g, const char *eni_id, const char **out,
                         size_t cap)
{
    const struct ec2_node *eni = node_of_kind(g, eni_id, EC2_KIND_ENI);
    if (eni == NULL) {
        return -1;
    }
    const json_t *groups = json_object_get(eni->doc, "Groups");
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(groups); i++) {
        const char *id = str_of(json_array_get(groups, i), "GroupId");
        if (id == NULL) {
            continue;
        }
        if (n < cap) {
            out[n] = id;
        }
        n++;
    }
    return (int)n;
}

// The security groups an interface may belong to (EC2's quota is 5, raisable to 16).
#define ENI_GROUPS_MAX 16

// Interface evaluation on a graph; see netfilter.h.
int netfilter_eni_eval(const struct ec2_graph *g, const char *eni_id, const struct nf_packet *p,
                       nf_prefix_list_fn pl, void *pl_ctx, struct nf_sg_verdict *v)
{
    const char *groups[ENI_GROUPS_MAX];
    verdict_deny(v);
    int n = netfilter_eni_groups(g, eni_id, groups, ENI_GROUPS_MAX);
    if (n < 0) {
        return -1;
    }
    size_t gc = n < ENI_GROUPS_MAX ? (size_t)n : ENI_GROUPS_MAX;
    if (p->reply) {
        netfilter_sg_eval(NULL, 0, groups, gc, p, pl, pl_ctx, v);
        return 0;
    }
    // Nodes are in id order, so rules are tried in rule id order.
    for (size_t i = 0; i < g->count; i++) {
        const struct ec2_node *node = &g->nodes[i];
        if (strcmp(node->kind->kind, EC2_KIND_SGR) != 0 || !in_list(node->path, groups, gc)) {
            continue;
        }
        const json_t *rule = node->doc;
        if (netfilter_sg_eval(&rule, 1, groups, gc, p, pl, pl_ctx, v)) {
            return 0;
        }
    }
    verdict_deny(v);
    return 0;
}

// The ACL of a subnet; see netfilter.h.
const struct ec2_node *netfilter_subnet_acl(const struct ec2_graph *g, const char *subnet_id)
{
    for (size_t i = 0; subnet_id != NULL && i < g->count; i++) {
        const struct ec2_node *node = &g->nodes[i];
        if (strcmp(node->kind->kind, EC2_KIND_ACL) != 0) {
            continue;
        }
        const json_t *assocs = json_object_get(node->doc, "Associations");
        for (size_t k = 0; k < json_array_size(assocs); k++) {
            const char *s = str_of(json_array_get(assocs, k), "SubnetId");
            if (s != NULL && strcmp(s, subnet_id) == 0) {
                return node;
            }
        }
    }
    return NULL;
}

// Subnet evaluation on a graph; see netfilter.h.
int netfilter_subnet_eval(const struct ec2_graph *g, const char *subnet_id,
                          const struct nf_packet *p, struct nf_acl_verdict *v)
{
    const struct ec2_node *acl = netfilter_subnet_acl(g, subnet_id);
    if (acl == NULL) {
        memset(v, 0, sizeof(*v));
        v->rule_number = -1;
        return -1;
    }
    netfilter_acl_eval(acl->doc, p, v);
    return 0;
}
