// SPDX-License-Identifier: Apache-2.0
// Packet filtering of a VPC as AWS does it, for the traffic simulation: whether the security
// groups of a network interface admit a packet (stateful: a reply to an admitted connection is
// always admitted; any rule of any group of the interface that matches allows; there are no deny
// rules) and whether the network ACL of a subnet admits it (stateless: the entries of the packet's
// direction are read lowest rule number first and the first whose protocol, ports and CIDR match
// decides; the "*" entry 32767 denies what nothing else matched). Amazon VPC User Guide,
// "Security group rules" and "Control subnet traffic with network access control lists".
//
// Everything here is pure: functions read the stored documents (SecurityGroupRule, SecurityGroup,
// NetworkAcl, NetworkInterface, in the model shapes ec2_common.h describes) or a loaded VPC graph
// (struct ec2_graph), never the store, and allocate nothing. Prefix lists are not part of a VPC;
// the caller resolves them through a callback.
#ifndef SAGEBOX_EC2_NETFILTER_H
#define SAGEBOX_EC2_NETFILTER_H

#include "core/cidr.h"
#include "svc/ec2/ec2_common.h"
#include "svc/ec2/prefixlists.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

// IANA protocol numbers EC2 names in rules.
#define NF_PROTO_ALL    (-1)
#define NF_PROTO_ICMP   1
#define NF_PROTO_TCP    6
#define NF_PROTO_UDP    17
#define NF_PROTO_ICMPV6 58

// NF_PROTO_INVALID is what netfilter_protocol_number answers for a text that names no protocol.
#define NF_PROTO_INVALID (-2)

enum nf_direction {
    NF_INGRESS, // the packet enters the interface (security groups) or the subnet (network ACL)
    NF_EGRESS,  // the packet leaves it
};

// One packet as a filter sees it.
struct nf_packet {
    enum nf_direction dir;
    int protocol;  // IANA number 0..255 (never NF_PROTO_ALL)
    int port;      // TCP/UDP: the destination port of the packet as it travels (for a reply,
                   // the client's ephemeral port); ignored for other protocols
    int icmp_type; // ICMP/ICMPv6 type and code; ignored for other protocols
    int icmp_code;
    struct cidr peer; // the other end: the source of an ingress packet, the destination of an
                      // egress one (an address: a /32 or /128 as cidr_parse makes it)
    const char *const *peer_groups; // the security groups of the peer's interface when it is in
    size_t peer_group_count;        // the same VPC (rules that reference a group match on them)
    bool reply; // the packet belongs to a connection whose first packet went the other way and was
                // admitted: security groups admit it without looking at rules (network ACLs do not
                // track connections and judge it like any other packet)
};

// Resolves prefix list id into its CIDR blocks: stores an array the callee owns in *blocks and
// its length in *count and returns 0, or returns -1 when the prefix list is unknown (its rules
// then match nothing).
typedef int (*nf_prefix_list_fn)(void *ctx, const char *prefix_list_id, const struct cidr **blocks,
                                 size_t *count);

// A ready resolver for the region's AWS-managed prefix lists (prefixlists.h): pass
// netfilter_catalog_prefix_list as the nf_prefix_list_fn and a struct nf_pl_catalog with region
// set as its context. The blocks it hands out live in the context until its next use.
struct nf_pl_catalog {
    const char *region;
    struct cidr blocks[EC2_PL_CIDRS_MAX];
};

// The nf_prefix_list_fn of the AWS-managed catalog: ctx is a struct nf_pl_catalog. Returns 0
// with the list's IPv4 blocks, or -1 for an id the region's catalog does not have.
int netfilter_catalog_prefix_list(void *ctx, const char *prefix_list_id, const struct cidr **blocks,
                                  size_t *count);

// What the security groups decided, and why.
struct nf_sg_verdict {
    bool admitted;
    bool stateful;        // admitted as the reply of a tracked connection (no rule consulted)
    const char *group_id; // the group of the rule that admitted it (NULL when none did)
    const char *rule_id;  // the SecurityGroupRuleId that admitted it (rule-based evaluations)
    const json_t *rule;   // that SecurityGroupRule document, or for netfilter_sg_eval_groups the
                          // IpPermission (borrowed from the documents evaluated)
    const json_t *peer;   // netfilter_sg_eval_groups only: the element of IpRanges, Ipv6Ranges,
                          // PrefixListIds or UserIdGroupPairs that matched
};

// What a network ACL decided, and which entry decided it.
struct nf_acl_verdict {
    bool admitted;
    const char *acl_id;  // the ACL evaluated
    const json_t *entry; // the deciding NetworkAclEntry (borrowed), NULL when no entry matched
                         // (an ACL without entries for the packet's family: denied)
    int rule_number;     // its RuleNumber (32767 and 32768 are the "*" entries); -1 when none
};

// The protocol number a rule text names: "-1" (and "all", which EC2 does not take in requests
// but some callers use) is NF_PROTO_ALL; "tcp", "udp", "icmp", "icmpv6" (any case) and decimal
// numbers 0..255 are themselves. Anything else (NULL included) is NF_PROTO_INVALID.
int netfilter_protocol_number(const char *text);

// The text EC2 shows for protocol number n in security group rules: "tcp", "udp", "icmp",
// "icmpv6", "-1" for NF_PROTO_ALL, else the decimal number written into buf[0..cap) (cap >= 4).
const char *netfilter_protocol_text(int n, char *buf, size_t cap);

// True when the SecurityGroupRule document rule (IsEgress, IpProtocol, FromPort, ToPort and one
// of CidrIpv4, CidrIpv6, PrefixListId, ReferencedGroupInfo.GroupId) lets packet p through: same
// direction, its protocol ("-1" any), its ports (TCP/UDP: FromPort <= port <= ToPort; ICMP and
// ICMPv6: FromPort is the type and ToPort the code, -1 meaning any; other protocols all ports),
// and its peer (the CIDR or a block of the prefix list contains p->peer; a referenced group is
// among p->peer_groups). pl may be NULL (prefix-list rules then match nothing).
bool netfilter_sg_rule_matches(const json_t *rule, const struct nf_packet *p, nf_prefix_list_fn pl,
                               void *pl_ctx);

// Decides packet p for an interface in the security groups groups[0..group_count), whose rules
// are among rules[0..rule_count) (SecurityGroupRule documents of any groups: those of other
// groups are skipped). A reply (p->reply) is admitted statefully; otherwise the first matching
// rule in the order given admits it; no match denies it. Fills *v; returns v->admitted.
bool netfilter_sg_eval(const json_t *const *rules, size_t rule_count, const char *const *groups,
                       size_t group_count, const struct nf_packet *p, nf_prefix_list_fn pl,
                       void *pl_ctx, struct nf_sg_verdict *v);

// The same decision from SecurityGroup documents (IpPermissions for ingress, IpPermissionsEgress
// for egress, each source of each permission being one rule), for callers that hold only the
// groups. v->rule is the IpPermission and v->peer the source element that matched; v->rule_id is
// NULL. Returns v->admitted.
bool netfilter_sg_eval_groups(const json_t *const *group_docs, size_t count,
                              const struct nf_packet *p, nf_prefix_list_fn pl, void *pl_ctx,
                              struct nf_sg_verdict *v);

// True when the NetworkAclEntry entry matches p: same direction (Egress), protocol ("-1" any),
// ports (6 and 17: PortRange From..To when given; 1, and 58 with an IPv6 block: IcmpTypeCode with
// -1 meaning any; other protocols all ports) and CIDR (CidrBlock or Ipv6CidrBlock contains
// p->peer; the other family never matches).
bool netfilter_acl_entry_matches(const json_t *entry, const struct nf_packet *p);

// Decides packet p with the NetworkAcl document acl: the entries of p's direction in ascending
// RuleNumber order, the first match deciding by its RuleAction. Fills *v; returns v->admitted.
bool netfilter_acl_eval(const json_t *acl, const struct nf_packet *p, struct nf_acl_verdict *v);

// ---- On a loaded VPC graph
// -----------------------------------------------------------------------

// Stores the security group ids of interface eni_id (its NetworkInterface document's
// Groups[].GroupId, borrowed from the graph) into out[0..cap) and returns how many the interface
// has (which may exceed cap), or -1 when the graph holds no such interface.
int netfilter_eni_groups(const struct ec2_graph *g, const char *eni_id, const char **out,
                         size_t cap);

// Decides packet p at interface eni_id with the SecurityGroupRule objects of its groups in the
// graph (rules in id order). Returns 0 with *v filled, or -1 when the graph holds no such
// interface (*v then denies).
int netfilter_eni_eval(const struct ec2_graph *g, const char *eni_id, const struct nf_packet *p,
                       nf_prefix_list_fn pl, void *pl_ctx, struct nf_sg_verdict *v);

// The NetworkAcl of the graph associated with subnet subnet_id (its Associations name the
// subnet), or NULL.
const struct ec2_node *netfilter_subnet_acl(const struct ec2_graph *g, const char *subnet_id);

// Decides packet p at the boundary of subnet subnet_id with its network ACL. Returns 0 with *v
// filled, or -1 when no ACL of the graph is associated with the subnet (*v then denies).
int netfilter_subnet_eval(const struct ec2_graph *g, const char *subnet_id,
                          const struct nf_packet *p, struct nf_acl_verdict *v);

#endif
