// SPDX-License-Identifier: Apache-2.0
// Tests of the VPC flow log record format and delivery-role checks of
// src/svc/ec2/flowlog_delivery.h: parsing LogFormat (the fields of versions 2 to 5 and 7, the
// version a format prints, malformed formats and unknown fields), formatting records (the default
// format, custom formats, "-" for unavailable values, NODATA and SKIPDATA records), which flow
// logs keep which records, stream names, the test hook's JSON records, log group names, and the
// delivery role's trust and permission checks evaluated by the policy engine on a real store.
//
// Expected lines are the examples of the Amazon VPC User Guide ("Flow log record examples":
// accepted and rejected traffic, no data and skipped records, TCP flag sequence, traffic through
// a NAT gateway, traffic path) and its "Flow log records" page (the available fields, "If a field
// is not applicable or could not be computed for a specific record, the record displays a '-'
// symbol for that entry", the version being the highest among the fields); the role cases come
// from "IAM role for publishing flow logs to CloudWatch Logs". None comes from the code under
// test.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fixture.h"

#include "svc/ec2/ec2_common.h"
#include "svc/ec2/flowlog_delivery.h"
#include "svc/iam/iam_store.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void format_ok(const char *text, struct flowlog_format *f)
{
    assert_int_equal(flowlog_format_parse(text, f, NULL, 0), FLOWLOG_FORMAT_OK);
}

static const char *line(const struct flowlog_format *f, const struct flowlog_record *r)
{
    static char buf[2048];
    size_t n = flowlog_record_format(f, r, buf, sizeof(buf));
    assert_int_equal(n, strlen(buf));
    return buf;
}

static void t_fields(void **state)
{
    (void)state;
    // The table of "Flow log records": 14 version-2 fields, 7 of version 3, 4 of version 4, 4 of
    // version 5, 10 ECS fields of version 7.
    int per_version[8] = {0};
    for (int f = 0; f < FLF_COUNT; f++) {
        per_version[flowlog_field_version((enum flowlog_field)f)]++;
        enum flowlog_field back;
        const char *name = flowlog_field_name((enum flowlog_field)f);
        assert_int_equal(flowlog_field_find(name, strlen(name), &back), 0);
        assert_int_equal(back, f);
    }
    assert_int_equal(per_version[2], 14);
    assert_int_equal(per_version[3], 7);
    assert_int_equal(per_version[4], 4);
    assert_int_equal(per_version[5], 4);
    assert_int_equal(per_version[7], 10);
    enum flowlog_field f;
    assert_int_equal(flowlog_field_find("pkt-src-aws-service", 19, &f), 0);
    assert_int_equal(f, FLF_PKT_SRC_AWS_SERVICE);
    assert_int_equal(flowlog_field_find("srcAddr", 7, &f), -1); // ids are case-sensitive
    assert_int_equal(flowlog_field_find("src", 3, &f), -1);     // no prefixes
}

static void t_parse(void **state)
{
    (void)state;
    struct flowlog_format f;
    format_ok(FLOWLOG_DEFAULT_FORMAT, &f);
    assert_int_equal(f.count, 14);
    assert_int_equal(f.version, 2);
    assert_int_equal(f.fields[0], FLF_VERSION);
    assert_int_equal(f.fields[13], FLF_LOG_STATUS);

    // Version: the highest among the fields.
    format_ok("${srcaddr} ${vpc-id}", &f);
    assert_int_equal(f.version, 3);
    format_ok("${az-id}", &f);
    assert_int_equal(f.version, 4);
    format_ok("${version} ${traffic-path} ${srcaddr}", &f);
    assert_int_equal(f.version, 5);
    format_ok("${ecs-task-id}", &f);
    assert_int_equal(f.version, 7);
    format_ok("${account-id} ${account-id}", &f); // a field may repeat
    assert_int_equal(f.count, 2);

    // Malformed: AWS refuses the default format with a trailing space (aws-cloudformation/
    // rain#288), and a format must list at least one field (LogFormat's documentation).
    const char *bad[] = {
        "",
        FLOWLOG_DEFAULT_FORMAT " ",
        " ${version}",
        "${version}  ${srcaddr}",
        "${version},${srcaddr}",
        "version",
        "${version",
        "${}",
        "$version}",
        "${version}x",
        "{version}",
        "${ver sion}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(flowlog_format_parse(bad[i], &f, NULL, 0), FLOWLOG_FORMAT_MALFORMED);
    }
    char which[32];
    assert_int_equal(
        flowlog_format_parse("${version} ${src-addr} ${dstaddr}", &f, which, sizeof(which)),
        FLOWLOG_FORMAT_UNKNOWN_FIELD);
    assert_string_equal(which, "src-addr");
    char big[64 * 12 + 16] = "";
    for (int i = 0; i < 65; i++) {
        strcat(big, i ? " ${end}" : "${end}");
    }
    assert_int_equal(flowlog_format_parse(big, &f, NULL, 0), FLOWLOG_FORMAT_TOO_MANY);
}

// The interface and flow of the guide's "Accepted and rejected traffic" example.
static void ssh_record(struct flowlog_record *r)
{
    flowlog_record_init(r);
    r->account_id = "123456789010";
    r->interface_id = "eni-1235b8ca123456789";
    r->srcaddr = "172.31.16.139";
    r->dstaddr = "172.31.16.21";
    r->srcport = 20641;
    r->dstport = 22;
    r->protocol = 6;
    r->packets = 20;
    r->bytes = 4249;
    r->start = 1418530010;
    r->end = 1418530070;
    r->action = FLOWLOG_ACTION_ACCEPT;
}

static void t_default_format(void **state)
{
    (void)state;
    struct flowlog_format f;
    format_ok(FLOWLOG_DEFAULT_FORMAT, &f);
    struct flowlog_record r;
    ssh_record(&r);
    assert_string_equal(line(&f, &r), "2 123456789010 eni-1235b8ca123456789 172.31.16.139 "
                                      "172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 "
                                      "ACCEPT OK");
    // The rejected RDP flow of the same example.
    r.srcaddr = "172.31.9.69";
    r.dstaddr = "172.31.9.12";
    r.srcport = 49761;
    r.dstport = 3389;
    r.action = FLOWLOG_ACTION_REJECT;
    assert_string_equal(line(&f, &r), "2 123456789010 eni-1235b8ca123456789 172.31.9.69 "
                                      "172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 "
                                      "REJECT OK");

    // No data and skipped records: every traffic field is "-", whatever the struct holds.
    r.interface_id = "eni-1235b8ca123456789";
    r.start = 1431280876;
    r.end = 1431280934;
    r.status = FLOWLOG_STATUS_NODATA;
    assert_string_equal(line(&f, &r), "2 123456789010 eni-1235b8ca123456789 - - - - - - - "
                                      "1431280876 1431280934 - NODATA");
    r.interface_id = "eni-11111111aaaaaaaaa";
    r.status = FLOWLOG_STATUS_SKIPDATA;
    assert_string_equal(line(&f, &r), "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - "
                                      "1431280876 1431280934 - SKIPDATA");

    // Truncation keeps the snprintf contract.
    char small[8];
    ssh_record(&r);
    size_t need = flowlog_record_format(&f, &r, small, sizeof(small));
    assert_int_equal(need, strlen(line(&f, &r)));
    assert_string_equal(small, "2 12345");
    assert_int_equal(flowlog_record_format(&f, &r, NULL, 0), need);
}

static void t_custom_formats(void **state)
{
    (void)state;
    struct flowlog_format f;
    struct flowlog_record r;

    // "TCP flag sequence" (version 3 fields).
    format_ok("${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} "
              "${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} "
              "${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} "
              "${log-status}",
              &f);
    flowlog_record_init(&r);
    r.vpc_id = "vpc-abcdefab012345678";
    r.subnet_id = "subnet-aaaaaaaa012345678";
    r.instance_id = "i-01234567890123456";
    r.interface_id = "eni-00123456789abcdef";
    r.account_id = "123456789012";
    r.type = "IPv4";
    r.srcaddr = "52.213.180.42";
    r.dstaddr = "10.0.0.62";
    r.srcport = 43416;
    r.dstport = 5001;
    r.pkt_srcaddr = "52.213.180.42";
    r.pkt_dstaddr = "10.0.0.62";
    r.protocol = 6;
    r.bytes = 568;
    r.packets = 8;
    r.start = 1566848875;
    r.end = 1566848933;
    r.action = FLOWLOG_ACTION_ACCEPT;
    r.tcp_flags = 2;
    assert_string_equal(line(&f, &r),
                        "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 "
                        "eni-00123456789abcdef 123456789012 IPv4 52.213.180.42 10.0.0.62 43416 "
                        "5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK");

    // "Traffic through a NAT gateway": a requester-managed interface has no instance.
    format_ok("${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} "
              "${pkt-dstaddr}",
              &f);
    assert_int_equal(f.version, 3);
    flowlog_record_init(&r);
    r.interface_id = "eni-1235b8ca123456789";
    r.srcaddr = "10.0.1.5";
    r.dstaddr = "10.0.0.220";
    r.pkt_srcaddr = "10.0.1.5";
    r.pkt_dstaddr = "203.0.113.5";
    assert_string_equal(line(&f, &r),
                        "- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5");

    // "Traffic path" (version 5): an AWS service source, no sublocation, ingress (no path).
    format_ok("${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} "
              "${end} ${type} ${packets} ${bytes} ${account-id} ${vpc-id} ${subnet-id} "
              "${instance-id} ${interface-id} ${region} ${az-id} ${sublocation-type} "
              "${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} "
              "${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} "
              "${log-status}",
              &f);
    flowlog_record_init(&r);
    r.srcaddr = "52.95.128.179";
    r.dstaddr = "10.0.0.71";
    r.srcport = 80;
    r.dstport = 34210;
    r.protocol = 6;
    r.start = 1616729292;
    r.end = 1616729349;
    r.type = "IPv4";
    r.packets = 14;
    r.bytes = 15044;
    r.account_id = "123456789012";
    r.vpc_id = "vpc-abcdefab012345678";
    r.subnet_id = "subnet-aaaaaaaa012345678";
    r.instance_id = "i-0c50d5961bcb2d47b";
    r.interface_id = "eni-1235b8ca123456789";
    r.region = "ap-southeast-2";
    r.az_id = "apse2-az3";
    r.action = FLOWLOG_ACTION_ACCEPT;
    r.tcp_flags = 19;
    r.pkt_srcaddr = "52.95.128.179";
    r.pkt_dstaddr = "10.0.0.71";
    r.pkt_src_aws_service = "S3";
    r.flow_direction = "ingress";
    assert_string_equal(line(&f, &r),
                        "5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 "
                        "123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 "
                        "i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - "
                        "ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK");
    // Egress through an internet gateway: traffic-path 8.
    r.flow_direction = "egress";
    r.traffic_path = 8;
    assert_non_null(strstr(line(&f, &r), " S3 - 8 egress OK"));

    // ECS fields without ECS: "-"; a NODATA record keeps its interface's fields.
    format_ok("${ecs-cluster-name} ${vpc-id} ${srcport} ${log-status}", &f);
    assert_int_equal(f.version, 7);
    r.status = FLOWLOG_STATUS_NODATA;
    assert_string_equal(line(&f, &r), "- vpc-abcdefab012345678 - NODATA");
    r.status = FLOWLOG_STATUS_OK;
    r.ecs[FLF_ECS_CLUSTER_NAME - FLF_ECS_CLUSTER_ARN] = "lab";
    assert_string_equal(line(&f, &r), "lab vpc-abcdefab012345678 80 OK");
}

static void t_traffic_and_streams(void **state)
{
    (void)state;
    struct flowlog_record acc;
    struct flowlog_record rej;
    struct flowlog_record nodata;
    ssh_record(&acc);
    ssh_record(&rej);
    rej.action = FLOWLOG_ACTION_REJECT;
    flowlog_record_init(&nodata);
    nodata.status = FLOWLOG_STATUS_NODATA;
    assert_true(flowlog_traffic_match("ALL", &acc));
    assert_true(flowlog_traffic_match("ALL", &rej));
    assert_true(flowlog_traffic_match("ACCEPT", &acc));
    assert_false(flowlog_traffic_match("ACCEPT", &rej));
    assert_true(flowlog_traffic_match("REJECT", &rej));
    assert_false(flowlog_traffic_match("REJECT", &acc));
    assert_true(flowlog_traffic_match("REJECT", &nodata));
    assert_true(flowlog_traffic_match("ACCEPT", &nodata));
    assert_false(flowlog_traffic_match("accept", &acc));
    assert_false(flowlog_traffic_match(NULL, &acc));

    char s[64];
    assert_int_equal(flowlog_stream_name("eni-0abc", "ALL", s, sizeof(s)), 12);
    assert_string_equal(s, "eni-0abc-all");
    flowlog_stream_name("eni-0abc", "ACCEPT", s, sizeof(s));
    assert_string_equal(s, "eni-0abc-accept");
    flowlog_stream_name("eni-0abc", "REJECT", s, sizeof(s));
    assert_string_equal(s, "eni-0abc-reject");
    assert_int_equal(flowlog_stream_name("eni-0abc", "BOTH", s, sizeof(s)), 0);
    assert_int_equal(flowlog_stream_name("eni-0abc", "ALL", s, 12), 0); // no room for the NUL
}

static void t_json_records(void **state)
{
    (void)state;
    struct flowlog_record r;
    char why[200];
    json_t *j = json_loads("{\"srcaddr\":\"10.0.1.9\",\"dstaddr\":\"10.0.1.4\",\"srcport\":40000,"
                           "\"dstport\":443,\"protocol\":6,\"packets\":3,\"bytes\":180,"
                           "\"start\":100,\"end\":160,\"action\":\"REJECT\",\"tcp-flags\":2,"
                           "\"flow-direction\":\"ingress\"}",
                           0, NULL);
    flowlog_record_init(&r);
    r.interface_id = "eni-1";
    assert_int_equal(flowlog_record_from_json(j, &r, why, sizeof(why)), 0);
    assert_string_equal(r.interface_id, "eni-1"); // kept
    assert_string_equal(r.pkt_srcaddr, "10.0.1.9");
    assert_string_equal(r.pkt_dstaddr, "10.0.1.4");
    assert_string_equal(r.type, "IPv4");
    assert_int_equal(r.action, FLOWLOG_ACTION_REJECT);
    assert_int_equal(r.status, FLOWLOG_STATUS_OK);
    assert_int_equal(r.tcp_flags, 2);
    assert_int_equal(r.end, 160);
    json_decref(j);

    j = json_loads("{\"log-status\":\"NODATA\",\"start\":1,\"end\":2}", 0, NULL);
    flowlog_record_init(&r);
    assert_int_equal(flowlog_record_from_json(j, &r, why, sizeof(why)), 0);
    assert_int_equal(r.status, FLOWLOG_STATUS_NODATA);
    assert_null(r.type);
    json_decref(j);

    const char *bad[] = {
        "{\"source\":\"10.0.0.1\"}",
        "{\"version\":5}",
        "{\"srcport\":\"22\"}",
        "{\"srcport\":-1}",
        "{\"action\":\"allow\"}",
        "{\"log-status\":\"ok\"}",
        "[]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        j = json_loads(bad[i], JSON_DECODE_ANY, NULL);
        assert_non_null(j);
        flowlog_record_init(&r);
        assert_int_equal(flowlog_record_from_json(j, &r, why, sizeof(why)), -1);
        assert_true(strlen(why) > 0);
        json_decref(j);
    }
}

static void t_group_names(void **state)
{
    (void)state;
    assert_true(flowlog_group_name_ok(
        "/vpcflowlogs/sagemaker-admin-workshop-us-east-1-000000000000-vpc-flow-logs"));
    assert_true(flowlog_group_name_ok("a.b_c#d-e/F9"));
    assert_false(flowlog_group_name_ok(""));
    assert_false(flowlog_group_name_ok(NULL));
    assert_false(flowlog_group_name_ok("grp:*")); // the ARN's ":*" is not part of a name
    assert_false(flowlog_group_name_ok("with space"));
    char big[514];
    memset(big, 'a', 513);
    big[513] = '\0';
    assert_false(flowlog_group_name_ok(big));
    big[512] = '\0';
    assert_true(flowlog_group_name_ok(big));
}

// ---- The delivery role on a real store
// -----------------------------------------------------------

static void store_json(struct fix *f, const char *kind, const char *id, const char *name,
                       const char *parent, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    struct store_obj o = {
        .account = "111122223333",
        .region = "",
        .kind = kind,
        .id = id,
        .name = name,
        .parent = parent,
        .doc = text,
        .doc_len = strlen(text),
    };
    struct store_err e = {{0}};
    assert_int_equal(store_put(f->store, &o, STORE_CREATE, &e), 0);
    free(text);
    json_decref(doc);
}

// Stores a role the way IAM does (iam_store.h) with its trust policy and, when permissions is not
// NULL, one inline policy.
static void role(struct fix *f, const char *id, const char *name, const char *trust,
                 const char *permissions)
{
    char arn[128];
    snprintf(arn, sizeof(arn), "arn:aws:iam::111122223333:role/%s", name);
    store_json(f, IAM_KIND_ROLE, id, name, NULL,
               json_pack("{s:s, s:s, s:s, s:s, s:s}", "RoleName", name, "RoleId", id, "Arn", arn,
                         "Path", "/", "AssumeRolePolicyDocument", trust));
    if (permissions != NULL) {
        char pid[96];
        snprintf(pid, sizeof(pid), "%s/p", id);
        store_json(f, IAM_KIND_ROLE_POLICY, pid, NULL, id,
                   json_pack("{s:s, s:s}", "PolicyName", "p", "PolicyDocument", permissions));
    }
}

#define TRUST_FLOW_LOGS                                                                            \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":" \
    "\"vpc-flow-logs.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"

// The guide's minimal permissions.
#define PERMS_ALL                                                                                  \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["                \
    "\"logs:CreateLogGroup\",\"logs:CreateLogStream\",\"logs:PutLogEvents\","                      \
    "\"logs:DescribeLogGroups\",\"logs:DescribeLogStreams\"],\"Resource\":\"*\"}]}"

static enum flowlog_role_result check(struct fix *f, const char *name, const char *group,
                                      bool exists)
{
    char arn[128];
    snprintf(arn, sizeof(arn), "arn:aws:iam::111122223333:role/%s", name);
    enum flowlog_role_result r = FLOWLOG_ROLE_OK;
    assert_int_equal(flowlog_role_check(&f->call, arn, "fl-0123456789abcdef0", group, exists, &r),
                     0);
    return r;
}

static void t_role_trust(void **state)
{
    struct fix *f = *state;
    role(f, "AROA000000000000000A1", "good", TRUST_FLOW_LOGS, PERMS_ALL);
    role(f, "AROA000000000000000A2", "ec2trust",
         "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
         "{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}",
         PERMS_ALL);
    // The guide's confused-deputy conditions: they hold for this account and any flow log ...
    role(f, "AROA000000000000000A3", "deputy",
         "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
         "{\"Service\":\"vpc-flow-logs.amazonaws.com\"},\"Action\":\"sts:AssumeRole\","
         "\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":\"111122223333\"},"
         "\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:ec2:us-east-1:111122223333:"
         "vpc-flow-log/*\"}}}]}",
         PERMS_ALL);
    // ... and fail for another account.
    role(f, "AROA000000000000000A4", "otheraccount",
         "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
         "{\"Service\":\"vpc-flow-logs.amazonaws.com\"},\"Action\":\"sts:AssumeRole\","
         "\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":\"999999999999\"}}}]}",
         PERMS_ALL);
    // A trust policy that denies the service explicitly.
    role(f, "AROA000000000000000A5", "denied",
         "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
         "{\"Service\":\"vpc-flow-logs.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"},"
         "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:*\"}]}",
         PERMS_ALL);
    assert_int_equal(check(f, "good", "g", false), FLOWLOG_ROLE_OK);
    assert_int_equal(check(f, "ec2trust", "g", false), FLOWLOG_ROLE_UNUSABLE);
    assert_int_equal(check(f, "deputy", "g", false), FLOWLOG_ROLE_OK);
    assert_int_equal(check(f, "otheraccount", "g", false), FLOWLOG_ROLE_UNUSABLE);
    assert_int_equal(check(f, "denied", "g", false), FLOWLOG_ROLE_UNUSABLE);
    assert_int_equal(check(f, "missing", "g", false), FLOWLOG_ROLE_UNUSABLE);

    // A role of another account, a path that does not match, and a non-role ARN.
    enum flowlog_role_result r;
    const char *arns[] = {"arn:aws:iam::999999999999:role/good",
                          "arn:aws:iam::111122223333:role/x/good",
                          "arn:aws:iam::111122223333:user/good", "good"};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(
            flowlog_role_check(&f->call, arns[i], "fl-0123456789abcdef0", "g", true, &r), 0);
        assert_int_equal(r, FLOWLOG_ROLE_UNUSABLE);
    }
}

static void t_role_permissions(void **state)
{
    struct fix *f = *state;
    role(f, "AROA000000000000000B1", "none", TRUST_FLOW_LOGS, NULL);
    // The CDK's grant: streams and events on the group only (no CreateLogGroup).
    role(f, "AROA000000000000000B2", "cdk", TRUST_FLOW_LOGS,
         "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
         "\"logs:CreateLogStream\",\"logs:PutLogEvents\",\"logs:DescribeLogStreams\"],"
         "\"Resource\":\"arn:aws:logs:us-east-1:111122223333:log-group:fl-group:*\"}]}");
    // The lab's grant: everything on the group's name and what follows it.
    role(f, "AROA000000000000000B3", "lab", TRUST_FLOW_LOGS,
         "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
         "\"logs:CreateLogGroup\",\"logs:CreateLogStream\",\"logs:PutLogEvents\","
         "\"logs:DescribeLogGroups\",\"logs:DescribeLogStreams\"],\"Resource\":"
         "\"arn:aws:logs:us-east-1:111122223333:log-group:fl-group*\"}]}");
    // Everything but PutLogEvents.
    role(f, "AROA000000000000000B4", "noput", TRUST_FLOW_LOGS,
         "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"logs:*\","
         "\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Action\":\"logs:PutLogEvents\","
         "\"Resource\":\"*\"}]}");
    assert_int_equal(check(f, "none", "fl-group", true), FLOWLOG_ROLE_DENIED);
    assert_int_equal(check(f, "cdk", "fl-group", true), FLOWLOG_ROLE_OK);
    assert_int_equal(check(f, "cdk", "fl-group", false), FLOWLOG_ROLE_DENIED); // CreateLogGroup
    assert_int_equal(check(f, "cdk", "other-group", true), FLOWLOG_ROLE_DENIED);
    assert_int_equal(check(f, "lab", "fl-group", false), FLOWLOG_ROLE_OK);
    assert_int_equal(check(f, "lab", "fl-group-2", false), FLOWLOG_ROLE_OK);
    assert_int_equal(check(f, "lab", "other", false), FLOWLOG_ROLE_DENIED);
    assert_int_equal(check(f, "noput", "fl-group", true), FLOWLOG_ROLE_DENIED);
}

static int setup(void **state)
{
    struct fix *f = fix_open("sbfl", "111122223333", "ec2", "CreateFlowLogs");
    f->call.now = 1795000000;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix_close(*state);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_fields),
        cmocka_unit_test(t_parse),
        cmocka_unit_test(t_default_format),
        cmocka_unit_test(t_custom_formats),
        cmocka_unit_test(t_traffic_and_streams),
        cmocka_unit_test(t_json_records),
        cmocka_unit_test(t_group_names),
        cmocka_unit_test_setup_teardown(t_role_trust, setup, teardown),
        cmocka_unit_test_setup_teardown(t_role_permissions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
