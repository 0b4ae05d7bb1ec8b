// SPDX-License-Identifier: Apache-2.0
// Tests of the security group and network ACL evaluation (src/svc/ec2/netfilter.h), table-driven.
// Expected verdicts come from the Amazon VPC User Guide, not from the code: "Security group rules"
// (rules only allow; protocol -1 is all traffic; a rule that references a security group admits
// the interfaces of that group, the group itself included; ICMP rules give the type in FromPort
// and the code in ToPort, -1 meaning all; security groups are stateful: "responses to allowed
// inbound traffic are allowed to flow out, regardless of outbound rules") and "Network ACL rules"
// (lowest rule number first, the first match decides, the "*" rule denies what nothing matched;
// network ACLs are stateless, so return traffic needs its own rule, typically the ephemeral ports
// 1024-65535) and CreateNetworkAclEntry ("If you specify -1 or a protocol number other than 6
// (TCP), 17 (UDP), or 1 (ICMP), traffic on all ports is allowed"; ICMPv6 with an IPv4 block allows
// all types and codes). The documents are shaped as the handlers store them (SecurityGroupRule,
// SecurityGroup, NetworkAcl, NetworkInterface); the lab's groups are the scenario's: the SageMaker
// group (all traffic from itself, NFS tcp/2049 from itself) and the endpoints group (tcp/443 from
// the SageMaker group, all traffic from 192.168.0.0/16).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svc/ec2/netfilter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SM   "sg-00000000000000aaa" // SageMaker group
#define EP   "sg-00000000000000bbb" // endpoints group
#define MISC "sg-00000000000000ccc" // a group with one rule of each kind
#define NONE NULL

static json_t *load(const char *text)
{
    json_error_t e;
    json_t *doc = json_loads(text, 0, &e);
    if (doc == NULL) {
        fprintf(stderr, "bad test JSON (%s): %s\n", e.text, text);
    }
    assert_non_null(doc);
    return doc;
}

// ---- Protocol texts -----------------------------------------------------------------------------

static void t_protocol_numbers(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int want;
    } cases[] = {
        {"-1", NF_PROTO_ALL},
        {"all", NF_PROTO_ALL},
        {"tcp", 6},
        {"TCP", 6},
        {"udp", 17},
        {"icmp", 1},
        {"icmpv6", 58},
        {"6", 6},
        {"0", 0},
        {"255", 255},
        {"256", NF_PROTO_INVALID},
        {"-2", NF_PROTO_INVALID},
        {"", NF_PROTO_INVALID},
        {"tcpx", NF_PROTO_INVALID},
        {"1000", NF_PROTO_INVALID},
        {"esp", NF_PROTO_INVALID},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (netfilter_protocol_number(cases[i].text) != cases[i].want) {
            fail_msg("protocol %s", cases[i].text);
        }
    }
    assert_int_equal(netfilter_protocol_number(NULL), NF_PROTO_INVALID);
    char buf[8];
    assert_string_equal(netfilter_protocol_text(6, buf, sizeof(buf)), "tcp");
    assert_string_equal(netfilter_protocol_text(17, buf, sizeof(buf)), "udp");
    assert_string_equal(netfilter_protocol_text(1, buf, sizeof(buf)), "icmp");
    assert_string_equal(netfilter_protocol_text(58, buf, sizeof(buf)), "icmpv6");
    assert_string_equal(netfilter_protocol_text(-1, buf, sizeof(buf)), "-1");
    assert_string_equal(netfilter_protocol_text(50, buf, sizeof(buf)), "50");
}

// ---- Security group rules -----------------------------------------------------------------------

// The rules of the three groups, as SecurityGroupRule documents (ids in the order tried).
static const char *const rule_texts[] = {
    // SageMaker group: all traffic from itself, NFS from itself, everything out
    "{\"SecurityGroupRuleId\":\"sgr-00000000000000001\",\"GroupId\":\"" SM "\",\"IsEgress\":false,"
    "\"IpProtocol\":\"-1\",\"FromPort\":-1,\"ToPort\":-1,"
    "\"ReferencedGroupInfo\":{\"GroupId\":\"" SM "\",\"UserId\":\"111122223333\"}}",
    "{\"SecurityGroupRuleId\":\"sgr-00000000000000002\",\"GroupId\":\"" SM "\",\"IsEgress\":false,"
    "\"IpProtocol\":\"tcp\",\"FromPort\":2049,\"ToPort\":2049,"
    "\"ReferencedGroupInfo\":{\"GroupId\":\"" SM "\",\"UserId\":\"111122223333\"}}",
    "{\"SecurityGroupRuleId\":\"sgr-00000000000000003\",\"GroupId\":\"" SM "\",\"IsEgress\":true,"
    "\"IpProtocol\":\"-1\",\"FromPort\":-1,\"ToPort\":-1,\"CidrIpv4\":\"0.0.0.0/0\"}",
    // endpoints group: HTTPS from the SageMaker group, all traffic from the VPC
    "{\"SecurityGroupRuleId\":\"sgr-00000000000000004\",\"GroupId\":\"" EP "\",\"IsEgress\":false,"
    "\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,"
    "\"ReferencedGroupInfo\":{\"GroupId\":\"" SM "\",\"UserId\":\"111122223333\"}}",
    "{\"SecurityGroupRuleId\":\"sgr-00000000000000005\",\"GroupId\":\"" EP "\",\"IsEgress\":false,"
    "\"IpProtocol\":\"-1\",\"FromPort\":-1,\"ToPort\":-1,\"CidrIpv4\":\"192.168.0.0/16\"}",
    // a group with one rule of each kind and no egress rule
    "{\"SecurityGroupRuleId\":\"sgr-00000000000000006\",\"GroupId\":\"" MISC
    "\",\"IsEgress\":false,"
    "\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":25,\"CidrIpv4\":\"10.0.0.0/8\"}",
    "{\"SecurityGroupRuleId\":\"sgr-00000000000000007\",\"GroupId\":\"" MISC
    "\",\"IsEgress\":false,"
    "\"IpProtocol\":\"udp\",\"FromPort\":53,\"ToPort\":53,\"CidrIpv4\":\"10.1.0.0/16\"}",
    "{\"SecurityGroupRuleId\":\"sgr-00000000000000008\",\"GroupId\":\"" MISC
    "\",\"IsEgress\":false,"
    "\"IpProtocol\":\"icmp\",\"FromPort\":8,\"ToPort\":-1,\"CidrIpv4\":\"0.0.0.0/0\"}",
    "{\"SecurityGroupRuleId\":\"sgr-00000000000000009\",\"GroupId\":\"" MISC
    "\",\"IsEgress\":false,"
    "\"IpProtocol\":\"icmp\",\"FromPort\":3,\"ToPort\":4,\"CidrIpv4\":\"172.16.0.0/12\"}",
    "{\"SecurityGroupRuleId\":\"sgr-0000000000000000a\",\"GroupId\":\"" MISC
    "\",\"IsEgress\":false,"
    "\"IpProtocol\":\"icmpv6\",\"FromPort\":128,\"ToPort\":0,\"CidrIpv6\":\"::/0\"}",
    "{\"SecurityGroupRuleId\":\"sgr-0000000000000000b\",\"GroupId\":\"" MISC
    "\",\"IsEgress\":false,"
    "\"IpProtocol\":\"50\",\"FromPort\":-1,\"ToPort\":-1,\"CidrIpv4\":\"10.2.0.0/16\"}",
    "{\"SecurityGroupRuleId\":\"sgr-0000000000000000c\",\"GroupId\":\"" MISC
    "\",\"IsEgress\":false,"
    "\"IpProtocol\":\"tcp\",\"FromPort\":80,\"ToPort\":80,\"CidrIpv6\":\"2001:db8::/32\"}",
    "{\"SecurityGroupRuleId\":\"sgr-0000000000000000d\",\"GroupId\":\"" MISC "\",\"IsEgress\":true,"
    "\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,\"PrefixListId\":\"pl-63a5400a\"}",
    "{\"SecurityGroupRuleId\":\"sgr-0000000000000000e\",\"GroupId\":\"" MISC
    "\",\"IsEgress\":false,"
    "\"IpProtocol\":\"tcp\",\"FromPort\":8080,\"ToPort\":8080,\"CidrIpv4\":\"10.3.0.5/16\"}",
};

#define RULE_COUNT (sizeof(rule_texts) / sizeof(rule_texts[0]))

// A test prefix list resolver: pl-63a5400a is 52.216.0.0/15 and 54.231.0.0/16.
static int test_pl(void *ctx, const char *id, const struct cidr **blocks, size_t *count)
{
    static struct cidr b[2];
    int *calls = ctx;
    (*calls)++;
    if (strcmp(id, "pl-63a5400a") != 0) {
        return -1;
    }
    assert_int_equal(cidr_parse_block("52.216.0.0/15", 13, &b[0]), 0);
    assert_int_equal(cidr_parse_block("54.231.0.0/16", 13, &b[1]), 0);
    *blocks = b;
    *count = 2;
    return 0;
}

struct sg_case {
    const char *name;
    const char *groups[2]; // the interface's groups
    enum nf_direction dir;
    int proto;
    int port;         // or the ICMP type
    int code;         // the ICMP code
    const char *peer; // address
    const char *peer_groups[2];
    bool reply;
    bool admitted;
    const char *rule; // the rule id expected to admit it (NULL: stateful or none)
};

static const struct sg_case sg_cases[] = {
    // the SageMaker group: anything from an interface of its own group, and NFS
    {"self all traffic",
     {SM},
     NF_INGRESS,
     6,
     8080,
     0,
     "192.168.1.10",
     {SM},
     false,
     true,
     "sgr-00000000000000001"},
    {"self udp",
     {SM},
     NF_INGRESS,
     17,
     53,
     0,
     "192.168.1.10",
     {SM},
     false,
     true,
     "sgr-00000000000000001"},
    {"self icmp",
     {SM},
     NF_INGRESS,
     1,
     8,
     0,
     "192.168.1.10",
     {SM},
     false,
     true,
     "sgr-00000000000000001"},
    {"not from another group",
     {SM},
     NF_INGRESS,
     6,
     2049,
     0,
     "192.168.1.10",
     {EP},
     false,
     false,
     NONE},
    {"not from an address without group",
     {SM},
     NF_INGRESS,
     6,
     443,
     0,
     "192.168.1.10",
     {NONE},
     false,
     false,
     NONE},
    {"everything out",
     {SM},
     NF_EGRESS,
     6,
     443,
     0,
     "52.217.1.1",
     {NONE},
     false,
     true,
     "sgr-00000000000000003"},
    {"ipv6 out has no rule",
     {SM},
     NF_EGRESS,
     6,
     443,
     0,
     "2600:1f18::1",
     {NONE},
     false,
     false,
     NONE},
    // stateful: the reply to an admitted connection needs no rule, even with none that would match
    {"reply admitted statefully",
     {MISC},
     NF_EGRESS,
     6,
     51000,
     0,
     "10.0.0.1",
     {NONE},
     true,
     true,
     NONE},
    // the endpoints group
    {"https from sagemaker",
     {EP},
     NF_INGRESS,
     6,
     443,
     0,
     "10.9.9.9",
     {SM},
     false,
     true,
     "sgr-00000000000000004"},
    {"ssh from sagemaker via the VPC cidr",
     {EP},
     NF_INGRESS,
     6,
     22,
     0,
     "192.168.3.4",
     {SM},
     false,
     true,
     "sgr-00000000000000005"},
    {"from the vpc",
     {EP},
     NF_INGRESS,
     17,
     123,
     0,
     "192.168.200.1",
     {NONE},
     false,
     true,
     "sgr-00000000000000005"},
    {"not from outside the vpc",
     {EP},
     NF_INGRESS,
     6,
     80,
     0,
     "10.0.0.1",
     {NONE},
     false,
     false,
     NONE},
    {"no egress rule at all",
     {EP},
     NF_EGRESS,
     6,
     443,
     0,
     "192.168.0.1",
     {NONE},
     false,
     false,
     NONE},
    // two groups: the union of their rules
    {"union of groups",
     {EP, MISC},
     NF_INGRESS,
     6,
     23,
     0,
     "10.200.0.1",
     {NONE},
     false,
     true,
     "sgr-00000000000000006"},
    // port ranges: inclusive at both ends
    {"range low end",
     {MISC},
     NF_INGRESS,
     6,
     22,
     0,
     "10.4.4.4",
     {NONE},
     false,
     true,
     "sgr-00000000000000006"},
    {"range high end",
     {MISC},
     NF_INGRESS,
     6,
     25,
     0,
     "10.4.4.4",
     {NONE},
     false,
     true,
     "sgr-00000000000000006"},
    {"range above", {MISC}, NF_INGRESS, 6, 26, 0, "10.4.4.4", {NONE}, false, false, NONE},
    {"udp rule is not tcp", {MISC}, NF_INGRESS, 6, 53, 0, "10.1.2.3", {NONE}, false, false, NONE},
    {"udp 53",
     {MISC},
     NF_INGRESS,
     17,
     53,
     0,
     "10.1.2.3",
     {NONE},
     false,
     true,
     "sgr-00000000000000007"},
    // ICMP: type 8 with any code; types 3 code 4 only
    {"icmp echo any code",
     {MISC},
     NF_INGRESS,
     1,
     8,
     5,
     "8.8.8.8",
     {NONE},
     false,
     true,
     "sgr-00000000000000008"},
    {"icmp 3/4",
     {MISC},
     NF_INGRESS,
     1,
     3,
     4,
     "172.20.0.1",
     {NONE},
     false,
     true,
     "sgr-00000000000000009"},
    {"icmp 3/3 not", {MISC}, NF_INGRESS, 1, 3, 3, "172.20.0.1", {NONE}, false, false, NONE},
    {"icmp 0 not", {MISC}, NF_INGRESS, 1, 0, 0, "8.8.8.8", {NONE}, false, false, NONE},
    // ICMPv6 echo request from anywhere over IPv6, but not ICMP over IPv4 to the v6 rule
    {"icmpv6 128/0",
     {MISC},
     NF_INGRESS,
     58,
     128,
     0,
     "2001:db8::9",
     {NONE},
     false,
     true,
     "sgr-0000000000000000a"},
    {"icmpv6 wrong code",
     {MISC},
     NF_INGRESS,
     58,
     128,
     1,
     "2001:db8::9",
     {NONE},
     false,
     false,
     NONE},
    // a protocol number other than tcp/udp/icmp: all ports
    {"esp any port",
     {MISC},
     NF_INGRESS,
     50,
     9999,
     0,
     "10.2.7.7",
     {NONE},
     false,
     true,
     "sgr-0000000000000000b"},
    {"esp outside the block", {MISC}, NF_INGRESS, 50, 0, 0, "10.5.7.7", {NONE}, false, false, NONE},
    // IPv6 blocks match IPv6 peers only
    {"v6 http",
     {MISC},
     NF_INGRESS,
     6,
     80,
     0,
     "2001:db8:1::1",
     {NONE},
     false,
     true,
     "sgr-0000000000000000c"},
    {"v6 block never matches v4",
     {MISC},
     NF_INGRESS,
     6,
     80,
     0,
     "32.1.13.184",
     {NONE},
     false,
     false,
     NONE},
    // prefix lists: the blocks of the list
    {"prefix list s3",
     {MISC},
     NF_EGRESS,
     6,
     443,
     0,
     "52.217.44.1",
     {NONE},
     false,
     true,
     "sgr-0000000000000000d"},
    {"prefix list other block",
     {MISC},
     NF_EGRESS,
     6,
     443,
     0,
     "54.231.9.9",
     {NONE},
     false,
     true,
     "sgr-0000000000000000d"},
    {"prefix list outside", {MISC}, NF_EGRESS, 6, 443, 0, "1.1.1.1", {NONE}, false, false, NONE},
    // a CIDR written with host bits matches its whole block
    {"host bits masked",
     {MISC},
     NF_INGRESS,
     6,
     8080,
     0,
     "10.3.200.1",
     {NONE},
     false,
     true,
     "sgr-0000000000000000e"},
    // no group, no rule
    {"interface without groups",
     {NONE},
     NF_INGRESS,
     6,
     443,
     0,
     "192.168.0.1",
     {SM},
     false,
     false,
     NONE},
};

static size_t count_of(const char *const *list, size_t cap)
{
    size_t n = 0;
    while (n < cap && list[n] != NULL) {
        n++;
    }
    return n;
}

static void fill_packet(struct nf_packet *p, enum nf_direction dir, int proto, int port, int code,
                        const char *peer, const char *const *groups, size_t group_count, bool reply)
{
    memset(p, 0, sizeof(*p));
    p->dir = dir;
    p->protocol = proto;
    p->port = port;
    p->icmp_type = port;
    p->icmp_code = code;
    assert_int_equal(cidr_parse(peer, strlen(peer), &p->peer), 0);
    p->peer_groups = groups;
    p->peer_group_count = group_count;
    p->reply = reply;
}

static void t_sg_rules(void **state)
{
    (void)state;
    json_t *rules[RULE_COUNT];
    for (size_t i = 0; i < RULE_COUNT; i++) {
        rules[i] = load(rule_texts[i]);
    }
    for (size_t i = 0; i < sizeof(sg_cases) / sizeof(sg_cases[0]); i++) {
        const struct sg_case *k = &sg_cases[i];
        struct nf_packet p;
        fill_packet(&p, k->dir, k->proto, k->port, k->code, k->peer, k->peer_groups,
                    count_of(k->peer_groups, 2), k->reply);
        struct nf_sg_verdict v;
        int calls = 0;
        bool got = netfilter_sg_eval((const json_t *const *)rules, RULE_COUNT, k->groups,
                                     count_of(k->groups, 2), &p, test_pl, &calls, &v);
        if (got != k->admitted || v.admitted != got) {
            fail_msg("case '%s': admitted %d, want %d", k->name, got, k->admitted);
        }
        if (k->rule != NULL) {
            if (v.rule_id == NULL || strcmp(v.rule_id, k->rule) != 0) {
                fail_msg("case '%s': rule %s, want %s", k->name, v.rule_id ? v.rule_id : "(none)",
                         k->rule);
            }
            assert_non_null(v.group_id);
            assert_ptr_not_equal(v.rule, NULL);
        } else {
            assert_null(v.rule_id);
        }
        if (v.stateful != (k->reply && k->admitted)) {
            fail_msg("case '%s': stateful %d", k->name, v.stateful);
        }
    }
    // Without a resolver, prefix-list rules match nothing.
    struct nf_packet p;
    const char *misc[] = {MISC};
    fill_packet(&p, NF_EGRESS, 6, 443, 0, "52.217.44.1", NULL, 0, false);
    struct nf_sg_verdict v;
    assert_false(
        netfilter_sg_eval((const json_t *const *)rules, RULE_COUNT, misc, 1, &p, NULL, NULL, &v));
    for (size_t i = 0; i < RULE_COUNT; i++) {
        json_decref(rules[i]);
    }
}

// The same decisions from the SecurityGroup documents (IpPermissions), as DescribeSecurityGroups
// shows them.
static void t_sg_groups(void **state)
{
    (void)state;
    json_t *sm =
        load("{\"GroupId\":\"" SM "\",\"IpPermissions\":["
             "{\"IpProtocol\":\"-1\",\"IpRanges\":[],\"Ipv6Ranges\":[],\"PrefixListIds\":[],"
             "\"UserIdGroupPairs\":[{\"GroupId\":\"" SM "\",\"UserId\":\"1\"}]},"
             "{\"IpProtocol\":\"tcp\",\"FromPort\":2049,\"ToPort\":2049,\"IpRanges\":[],"
             "\"Ipv6Ranges\":[],\"PrefixListIds\":[],"
             "\"UserIdGroupPairs\":[{\"GroupId\":\"" SM "\",\"UserId\":\"1\"}]}],"
             "\"IpPermissionsEgress\":[{\"IpProtocol\":\"-1\",\"IpRanges\":"
             "[{\"CidrIp\":\"0.0.0.0/0\"}],\"Ipv6Ranges\":[],\"PrefixListIds\":[],"
             "\"UserIdGroupPairs\":[]}]}");
    json_t *ep = load("{\"GroupId\":\"" EP "\",\"IpPermissions\":["
                      "{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,\"IpRanges\":[],"
                      "\"Ipv6Ranges\":[],\"PrefixListIds\":[],\"UserIdGroupPairs\":"
                      "[{\"GroupId\":\"" SM "\",\"UserId\":\"1\"}]},"
                      "{\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":\"192.168.0.0/16\"}],"
                      "\"Ipv6Ranges\":[],\"PrefixListIds\":[],\"UserIdGroupPairs\":[]},"
                      "{\"IpProtocol\":\"icmp\",\"FromPort\":-1,\"ToPort\":-1,\"IpRanges\":"
                      "[{\"CidrIp\":\"10.0.0.0/8\"}],\"Ipv6Ranges\":[],\"PrefixListIds\":"
                      "[{\"PrefixListId\":\"pl-63a5400a\"}],\"UserIdGroupPairs\":[]}],"
                      "\"IpPermissionsEgress\":[]}");
    const json_t *docs[2] = {sm, ep};
    const char *smg[] = {SM};
    struct {
        size_t first, count;
        enum nf_direction dir;
        int proto, port, code;
        const char *peer;
        bool from_sm;
        bool admitted;
        const json_t *group;
    } cases[] = {
        {0, 1, NF_INGRESS, 6, 2049, 0, "192.168.5.5", true, true, sm},
        {0, 1, NF_INGRESS, 6, 2049, 0, "192.168.5.5", false, false, NULL},
        {0, 1, NF_EGRESS, 17, 53, 0, "8.8.8.8", false, true, sm},
        {1, 1, NF_INGRESS, 6, 443, 0, "10.1.1.1", true, true, ep},
        {1, 1, NF_INGRESS, 6, 443, 0, "10.1.1.1", false, false, NULL},
        {1, 1, NF_INGRESS, 6, 5432, 0, "192.168.1.1", false, true, ep},
        {1, 1, NF_INGRESS, 1, 0, 0, "10.1.1.1", false, true, ep},    // all ICMP types
        {1, 1, NF_INGRESS, 1, 11, 3, "52.216.1.1", false, true, ep}, // from the prefix list
        {1, 1, NF_INGRESS, 17, 53, 0, "10.1.1.1", false, false, NULL},
        {1, 1, NF_EGRESS, 6, 443, 0, "192.168.0.9", false, false, NULL},
        {0, 2, NF_INGRESS, 6, 443, 0, "10.1.1.1", true, true, sm}, // first group's rule first
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct nf_packet p;
        fill_packet(&p, cases[i].dir, cases[i].proto, cases[i].port, cases[i].code, cases[i].peer,
                    cases[i].from_sm ? smg : NULL, cases[i].from_sm ? 1 : 0, false);
        struct nf_sg_verdict v;
        int calls = 0;
        bool got = netfilter_sg_eval_groups(&docs[cases[i].first], cases[i].count, &p, test_pl,
                                            &calls, &v);
        if (got != cases[i].admitted) {
            fail_msg("group case %zu: admitted %d", i, got);
        }
        if (got) {
            assert_string_equal(v.group_id,
                                json_string_value(json_object_get(cases[i].group, "GroupId")));
            assert_non_null(v.rule);
            assert_non_null(v.peer);
        }
    }
    json_decref(sm);
    json_decref(ep);
}

// ---- Network ACLs -------------------------------------------------------------------------------

// Entries deliberately not in rule number order: the evaluation must sort them.
static const char *const acl_text =
    "{\"NetworkAclId\":\"acl-00000000000000001\",\"Entries\":["
    "{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":false,\"Protocol\":\"-1\",\"RuleAction\":\"deny\","
    "\"RuleNumber\":32767},"
    "{\"CidrBlock\":\"10.0.0.0/8\",\"Egress\":false,\"Protocol\":\"6\",\"RuleAction\":\"allow\","
    "\"RuleNumber\":100,\"PortRange\":{\"From\":22,\"To\":22}},"
    "{\"CidrBlock\":\"10.1.0.0/16\",\"Egress\":false,\"Protocol\":\"6\",\"RuleAction\":\"deny\","
    "\"RuleNumber\":90,\"PortRange\":{\"From\":22,\"To\":22}},"
    "{\"CidrBlock\":\"10.9.0.0/16\",\"Egress\":false,\"Protocol\":\"-1\",\"RuleAction\":\"deny\","
    "\"RuleNumber\":50},"
    "{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":false,\"Protocol\":\"17\",\"RuleAction\":\"allow\","
    "\"RuleNumber\":110,\"PortRange\":{\"From\":1024,\"To\":65535}},"
    "{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":false,\"Protocol\":\"1\",\"RuleAction\":\"allow\","
    "\"RuleNumber\":120,\"IcmpTypeCode\":{\"Type\":8,\"Code\":0}},"
    "{\"CidrBlock\":\"10.0.0.0/8\",\"Egress\":false,\"Protocol\":\"50\",\"RuleAction\":\"allow\","
    "\"RuleNumber\":130,\"PortRange\":{\"From\":1,\"To\":2}},"
    "{\"CidrBlock\":\"192.168.0.0/16\",\"Egress\":false,\"Protocol\":\"58\",\"RuleAction\":"
    "\"allow\",\"RuleNumber\":140},"
    "{\"Ipv6CidrBlock\":\"2001:db8::/32\",\"Egress\":false,\"Protocol\":\"6\",\"RuleAction\":"
    "\"allow\",\"RuleNumber\":150,\"PortRange\":{\"From\":443,\"To\":443}},"
    "{\"Ipv6CidrBlock\":\"::/0\",\"Egress\":false,\"Protocol\":\"58\",\"RuleAction\":\"allow\","
    "\"RuleNumber\":160,\"IcmpTypeCode\":{\"Type\":-1,\"Code\":-1}},"
    "{\"Ipv6CidrBlock\":\"::/0\",\"Egress\":false,\"Protocol\":\"-1\",\"RuleAction\":\"deny\","
    "\"RuleNumber\":32768},"
    "{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":true,\"Protocol\":\"-1\",\"RuleAction\":\"allow\","
    "\"RuleNumber\":100},"
    "{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":true,\"Protocol\":\"-1\",\"RuleAction\":\"deny\","
    "\"RuleNumber\":32767}]}";

struct acl_case {
    const char *name;
    enum nf_direction dir;
    int proto;
    int port; // or ICMP type
    int code;
    const char *peer;
    bool reply;
    bool admitted;
    int rule; // the deciding rule number, -1 none
};

static const struct acl_case acl_cases[] = {
    {"ssh from 10/8", NF_INGRESS, 6, 22, 0, "10.2.3.4", false, true, 100},
    {"lower deny first", NF_INGRESS, 6, 22, 0, "10.1.3.4", false, false, 90},
    {"deny all from 10.9/16 before 100", NF_INGRESS, 6, 22, 0, "10.9.0.1", false, false, 50},
    {"ssh from outside: star", NF_INGRESS, 6, 22, 0, "8.8.8.8", false, false, 32767},
    {"tcp other port", NF_INGRESS, 6, 80, 0, "10.2.3.4", false, false, 32767},
    {"udp ephemeral", NF_INGRESS, 17, 40000, 0, "1.2.3.4", false, true, 110},
    {"udp ephemeral low end", NF_INGRESS, 17, 1024, 0, "1.2.3.4", false, true, 110},
    {"udp below ephemeral", NF_INGRESS, 17, 1023, 0, "1.2.3.4", false, false, 32767},
    // stateless: a tcp reply to an admitted egress connection is judged like any packet
    {"stateless reply denied", NF_INGRESS, 6, 40000, 0, "52.216.1.1", true, false, 32767},
    {"icmp echo", NF_INGRESS, 1, 8, 0, "9.9.9.9", false, true, 120},
    {"icmp echo other code", NF_INGRESS, 1, 8, 1, "9.9.9.9", false, false, 32767},
    {"icmp other type", NF_INGRESS, 1, 0, 0, "9.9.9.9", false, false, 32767},
    {"esp ports ignored", NF_INGRESS, 50, 9000, 0, "10.3.3.3", false, true, 130},
    {"icmpv6 with ipv4 block: all types", NF_INGRESS, 58, 135, 7, "192.168.1.1", false, true, 140},
    {"v6 https", NF_INGRESS, 6, 443, 0, "2001:db8::5", false, true, 150},
    {"v6 http: v6 star", NF_INGRESS, 6, 80, 0, "2001:db8::5", false, false, 32768},
    {"icmpv6 any", NF_INGRESS, 58, 1, 4, "2600::1", false, true, 160},
    {"v4 star does not catch v6", NF_INGRESS, 17, 53, 0, "2600::1", false, false, 32768},
    {"egress all", NF_EGRESS, 6, 443, 0, "52.216.1.1", false, true, 100},
    // no entry for IPv6 egress: nothing matches, implicitly denied
    {"egress v6 no entry", NF_EGRESS, 6, 443, 0, "2600::1", false, false, -1},
};

static void t_acl(void **state)
{
    (void)state;
    json_t *acl = load(acl_text);
    for (size_t i = 0; i < sizeof(acl_cases) / sizeof(acl_cases[0]); i++) {
        const struct acl_case *k = &acl_cases[i];
        struct nf_packet p;
        fill_packet(&p, k->dir, k->proto, k->port, k->code, k->peer, NULL, 0, k->reply);
        struct nf_acl_verdict v;
        bool got = netfilter_acl_eval(acl, &p, &v);
        if (got != k->admitted || v.rule_number != k->rule) {
            fail_msg("case '%s': admitted %d rule %d, want %d rule %d", k->name, got, v.rule_number,
                     k->admitted, k->rule);
        }
        assert_string_equal(v.acl_id, "acl-00000000000000001");
        if (k->rule >= 0) {
            assert_non_null(v.entry);
            assert_int_equal(json_integer_value(json_object_get(v.entry, "RuleNumber")), k->rule);
        } else {
            assert_null(v.entry);
        }
    }
    json_decref(acl);
}

// ---- On a graph ---------------------------------------------------------------------------------

// A VPC graph as ec2_graph_load leaves it (nodes sorted by id): two interfaces, the two lab
// groups and their rules, two subnets and two ACLs (the default one and a custom one).
static void t_graph(void **state)
{
    (void)state;
    struct {
        const char *kind, *id, *path, *doc;
    } defs[] = {
        {EC2_KIND_ACL, "acl-00000000000000001", NULL,
         "{\"NetworkAclId\":\"acl-00000000000000001\",\"IsDefault\":true,\"Associations\":"
         "[{\"SubnetId\":\"subnet-00000000000000001\"}],\"Entries\":["
         "{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":false,\"Protocol\":\"-1\",\"RuleAction\":"
         "\"allow\",\"RuleNumber\":100},{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":false,"
         "\"Protocol\":\"-1\",\"RuleAction\":\"deny\",\"RuleNumber\":32767}]}"},
        {EC2_KIND_ACL, "acl-00000000000000002", NULL,
         "{\"NetworkAclId\":\"acl-00000000000000002\",\"IsDefault\":false,\"Associations\":"
         "[{\"SubnetId\":\"subnet-00000000000000002\"}],\"Entries\":["
         "{\"CidrBlock\":\"192.168.0.0/16\",\"Egress\":false,\"Protocol\":\"6\",\"RuleAction\":"
         "\"allow\",\"RuleNumber\":10,\"PortRange\":{\"From\":443,\"To\":443}},"
         "{\"CidrBlock\":\"0.0.0.0/0\",\"Egress\":false,\"Protocol\":\"-1\",\"RuleAction\":"
         "\"deny\",\"RuleNumber\":32767}]}"},
        {EC2_KIND_ENI, "eni-00000000000000001", "subnet-00000000000000001",
         "{\"NetworkInterfaceId\":\"eni-00000000000000001\",\"Groups\":[{\"GroupId\":\"" SM
         "\",\"GroupName\":\"sagemaker\"}]}"},
        {EC2_KIND_ENI, "eni-00000000000000002", "subnet-00000000000000002",
         "{\"NetworkInterfaceId\":\"eni-00000000000000002\",\"Groups\":[{\"GroupId\":\"" EP
         "\",\"GroupName\":\"endpoints\"}]}"},
        {EC2_KIND_SG, SM, NULL, "{\"GroupId\":\"" SM "\"}"},
        {EC2_KIND_SG, EP, NULL, "{\"GroupId\":\"" EP "\"}"},
        {EC2_KIND_SGR, "sgr-00000000000000001", SM, NULL},
        {EC2_KIND_SGR, "sgr-00000000000000002", SM, NULL},
        {EC2_KIND_SGR, "sgr-00000000000000003", SM, NULL},
        {EC2_KIND_SGR, "sgr-00000000000000004", EP, NULL},
        {EC2_KIND_SGR, "sgr-00000000000000005", EP, NULL},
        {EC2_KIND_SUBNET, "subnet-00000000000000001", NULL, "{}"},
        {EC2_KIND_SUBNET, "subnet-00000000000000002", NULL, "{}"},
        {EC2_KIND_VPC, "vpc-00000000000000001", NULL, "{}"},
    };
    size_t n = sizeof(defs) / sizeof(defs[0]);
    struct ec2_node nodes[sizeof(defs) / sizeof(defs[0])];
    for (size_t i = 0; i < n; i++) {
        nodes[i].kind = ec2_kind_by_store(defs[i].kind);
        assert_non_null(nodes[i].kind);
        nodes[i].id = defs[i].id;
        nodes[i].parent = "vpc-00000000000000001";
        nodes[i].path = defs[i].path;
        // the sgr nodes take the first five rules of the rule table, in order
        nodes[i].doc = load(defs[i].doc != NULL ? defs[i].doc : rule_texts[i - 6]);
    }
    struct ec2_graph g = {.vpc_id = "vpc-00000000000000001", .nodes = nodes, .count = n};
    g.vpc = &nodes[n - 1];

    const char *groups[4];
    assert_int_equal(netfilter_eni_groups(&g, "eni-00000000000000001", groups, 4), 1);
    assert_string_equal(groups[0], SM);
    assert_int_equal(netfilter_eni_groups(&g, "eni-0000000000000000f", groups, 4), -1);
    assert_int_equal(netfilter_eni_groups(&g, SM, groups, 4), -1); // not an interface

    // Studio (eni 1, SageMaker group) to the endpoint (eni 2) on 443: egress at eni 1, ingress at
    // eni 2 with eni 1's groups as the peer's.
    const char *peer_groups[4];
    int pg = netfilter_eni_groups(&g, "eni-00000000000000001", peer_groups, 4);
    struct nf_packet p;
    struct nf_sg_verdict v;
    fill_packet(&p, NF_EGRESS, 6, 443, 0, "192.168.16.20", NULL, 0, false);
    assert_int_equal(netfilter_eni_eval(&g, "eni-00000000000000001", &p, NULL, NULL, &v), 0);
    assert_true(v.admitted);
    assert_string_equal(v.rule_id, "sgr-00000000000000003");
    fill_packet(&p, NF_INGRESS, 6, 443, 0, "192.168.0.10", peer_groups, (size_t)pg, false);
    assert_int_equal(netfilter_eni_eval(&g, "eni-00000000000000002", &p, NULL, NULL, &v), 0);
    assert_true(v.admitted);
    assert_string_equal(v.rule_id, "sgr-00000000000000004");
    assert_string_equal(v.group_id, EP);
    // ... and the reply back into eni 1 is admitted statefully
    fill_packet(&p, NF_INGRESS, 6, 50123, 0, "192.168.16.20", NULL, 0, true);
    assert_int_equal(netfilter_eni_eval(&g, "eni-00000000000000001", &p, NULL, NULL, &v), 0);
    assert_true(v.admitted && v.stateful);
    // The endpoint cannot open a connection to Studio: its address has no group of SM's rules.
    groups[0] = EP;
    fill_packet(&p, NF_INGRESS, 6, 8888, 0, "192.168.16.20", groups, 1, false);
    assert_int_equal(netfilter_eni_eval(&g, "eni-00000000000000001", &p, NULL, NULL, &v), 0);
    assert_false(v.admitted);
    assert_null(v.rule_id);
    assert_int_equal(netfilter_eni_eval(&g, "eni-0000000000000000f", &p, NULL, NULL, &v), -1);
    assert_false(v.admitted);

    // Subnet ACLs: subnet 1 has the default ACL, subnet 2 the custom one.
    const struct ec2_node *acl = netfilter_subnet_acl(&g, "subnet-00000000000000002");
    assert_non_null(acl);
    assert_string_equal(acl->id, "acl-00000000000000002");
    assert_null(netfilter_subnet_acl(&g, "subnet-0000000000000000f"));
    struct nf_acl_verdict av;
    fill_packet(&p, NF_INGRESS, 6, 443, 0, "192.168.0.10", NULL, 0, false);
    assert_int_equal(netfilter_subnet_eval(&g, "subnet-00000000000000002", &p, &av), 0);
    assert_true(av.admitted);
    assert_int_equal(av.rule_number, 10);
    fill_packet(&p, NF_INGRESS, 6, 22, 0, "192.168.0.10", NULL, 0, false);
    assert_int_equal(netfilter_subnet_eval(&g, "subnet-00000000000000002", &p, &av), 0);
    assert_false(av.admitted);
    assert_int_equal(av.rule_number, 32767);
    assert_int_equal(netfilter_subnet_eval(&g, "subnet-00000000000000001", &p, &av), 0);
    assert_true(av.admitted);
    assert_int_equal(av.rule_number, 100);
    assert_string_equal(av.acl_id, "acl-00000000000000001");
    assert_int_equal(netfilter_subnet_eval(&g, "subnet-0000000000000000f", &p, &av), -1);
    assert_false(av.admitted);

    for (size_t i = 0; i < n; i++) {
        json_decref(nodes[i].doc);
    }
}

// The catalog resolver hands out the AWS-managed lists of the region (prefixlists.h).
static void t_catalog(void **state)
{
    (void)state;
    struct nf_pl_catalog cat = {.region = "us-east-1"};
    const struct cidr *blocks;
    size_t n;
    assert_int_equal(netfilter_catalog_prefix_list(&cat, "pl-63a5400a", &blocks, &n), 0);
    assert_true(n > 0);
    assert_true(blocks[0].v4);
    assert_int_equal(netfilter_catalog_prefix_list(&cat, "pl-00000000", &blocks, &n), -1);
    // used as the resolver of an evaluation: a packet to the first block of the S3 list
    json_t *rule = load(rule_texts[12]);
    const char *misc[] = {MISC};
    struct nf_packet p;
    char addr[CIDR_TEXT_MAX];
    assert_int_equal(netfilter_catalog_prefix_list(&cat, "pl-63a5400a", &blocks, &n), 0);
    struct cidr first = blocks[0];
    first.prefix = 128;
    assert_true(cidr_format(&first, false, addr, sizeof(addr)) > 0);
    fill_packet(&p, NF_EGRESS, 6, 443, 0, addr, NULL, 0, false);
    struct nf_sg_verdict v;
    const json_t *rules[1] = {rule};
    assert_true(netfilter_sg_eval(rules, 1, misc, 1, &p, netfilter_catalog_prefix_list, &cat, &v));
    assert_false(netfilter_sg_eval(rules, 1, misc, 1, &p, netfilter_catalog_prefix_list,
                                   &(struct nf_pl_catalog){.region = "xx-nowhere-1"}, &v));
    json_decref(rule);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_protocol_numbers),
        cmocka_unit_test(t_sg_rules),
        cmocka_unit_test(t_sg_groups),
        cmocka_unit_test(t_acl),
        cmocka_unit_test(t_graph),
        cmocka_unit_test(t_catalog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
