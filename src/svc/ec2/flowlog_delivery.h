// SPDX-License-Identifier: Apache-2.0
// The delivery path of VPC flow logs into CloudWatch Logs (Amazon VPC User Guide, "Flow log
// records", "Publish flow logs to CloudWatch Logs", "IAM role for publishing flow logs to
// CloudWatch Logs"): the record format (the fields of versions 2 to 5 and the ECS fields of
// version 7, the default version-2 format, custom formats), the records themselves, which flow
// logs see which records (TrafficType), the log stream each network interface writes to, the
// checks of the delivery role (it must exist in the account, trust vpc-flow-logs.amazonaws.com,
// and allow the CloudWatch Logs actions on the log group as a session of that role), and the
// delivery itself: records of one network interface formatted with each flow log's LogFormat and
// written, as the role, through the CloudWatch Logs operations (CreateLogGroup when the group is
// missing, DescribeLogStreams, CreateLogStream, PutLogEvents), the outcome recorded in the flow
// log's DeliverLogsStatus / DeliverLogsErrorMessage.
//
// The format and record functions are pure (no I/O) so that the traffic simulation of later
// issues and the unit tests can use them directly. The delivery reads and writes the store
// through its own transactions: call it outside any store transaction.
//
// The test hook ec2_flowlog_inject (POST /_sagebox/ec2/flow-records, docs/ec2.md) drives the
// delivery for one network interface with records given in JSON.
#ifndef SAGEBOX_EC2_FLOWLOG_DELIVERY_H
#define SAGEBOX_EC2_FLOWLOG_DELIVERY_H

#include "svc/svc.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// ---- Record format --------------------------------------------------------------------------

// The fields of a flow log record, in the order of the "Available fields" table of the VPC User
// Guide, with the version that introduced each.
enum flowlog_field {
    FLF_VERSION,                    // 2
    FLF_ACCOUNT_ID,                 // 2
    FLF_INTERFACE_ID,               // 2
    FLF_SRCADDR,                    // 2
    FLF_DSTADDR,                    // 2
    FLF_SRCPORT,                    // 2
    FLF_DSTPORT,                    // 2
    FLF_PROTOCOL,                   // 2
    FLF_PACKETS,                    // 2
    FLF_BYTES,                      // 2
    FLF_START,                      // 2
    FLF_END,                        // 2
    FLF_ACTION,                     // 2
    FLF_LOG_STATUS,                 // 2
    FLF_VPC_ID,                     // 3
    FLF_SUBNET_ID,                  // 3
    FLF_INSTANCE_ID,                // 3
    FLF_TCP_FLAGS,                  // 3
    FLF_TYPE,                       // 3
    FLF_PKT_SRCADDR,                // 3
    FLF_PKT_DSTADDR,                // 3
    FLF_REGION,                     // 4
    FLF_AZ_ID,                      // 4
    FLF_SUBLOCATION_TYPE,           // 4
    FLF_SUBLOCATION_ID,             // 4
    FLF_PKT_SRC_AWS_SERVICE,        // 5
    FLF_PKT_DST_AWS_SERVICE,        // 5
    FLF_FLOW_DIRECTION,             // 5
    FLF_TRAFFIC_PATH,               // 5
    FLF_ECS_CLUSTER_ARN,            // 7
    FLF_ECS_CLUSTER_NAME,           // 7
    FLF_ECS_CONTAINER_INSTANCE_ARN, // 7
    FLF_ECS_CONTAINER_INSTANCE_ID,  // 7
    FLF_ECS_CONTAINER_ID,           // 7
    FLF_ECS_SECOND_CONTAINER_ID,    // 7
    FLF_ECS_SERVICE_NAME,           // 7
    FLF_ECS_TASK_DEFINITION_ARN,    // 7
    FLF_ECS_TASK_ARN,               // 7
    FLF_ECS_TASK_ID,                // 7
    FLF_COUNT
};

// The default format (version 2, 14 fields), which CreateFlowLogs uses without LogFormat and
// DescribeFlowLogs shows.
#define FLOWLOG_DEFAULT_FORMAT                                                                     \
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "        \
    "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"

// Fields a format may list (more than the table has, since a field may be repeated).
#define FLOWLOG_FORMAT_MAX 64

// A parsed LogFormat.
struct flowlog_format {
    enum flowlog_field fields[FLOWLOG_FORMAT_MAX];
    size_t count;
    int version; // the highest version among the fields: what ${version} prints
};

// The field id of field ("srcaddr", "pkt-src-aws-service"), and the version that introduced it.
const char *flowlog_field_name(enum flowlog_field f);
int flowlog_field_version(enum flowlog_field f);

// Looks a field id up ("log-status" -> FLF_LOG_STATUS). Returns 0, or -1 when the VPC User Guide
// lists no such field.
int flowlog_field_find(const char *name, size_t len, enum flowlog_field *out);

enum flowlog_format_error {
    FLOWLOG_FORMAT_OK = 0,
    FLOWLOG_FORMAT_MALFORMED,     // not "${field}" items separated by single spaces
    FLOWLOG_FORMAT_UNKNOWN_FIELD, // a well-formed ${...} naming no documented field
    FLOWLOG_FORMAT_TOO_MANY,      // more than FLOWLOG_FORMAT_MAX fields
};

// Parses text as a LogFormat: one or more "${field-id}" separated by single spaces, nothing
// before the first or after the last (AWS refuses a trailing space). Fills *out and returns
// FLOWLOG_FORMAT_OK, or returns the reason (and, for an unknown field, copies its id into
// bad[0..bad_cap) when bad is not NULL). *out is unspecified on failure.
enum flowlog_format_error flowlog_format_parse(const char *text, struct flowlog_format *out,
                                               char *bad, size_t bad_cap);

// ---- Records --------------------------------------------------------------------------------

enum flowlog_action {
    FLOWLOG_ACTION_NONE, // "-" (NODATA and SKIPDATA records)
    FLOWLOG_ACTION_ACCEPT,
    FLOWLOG_ACTION_REJECT,
};

enum flowlog_status {
    FLOWLOG_STATUS_OK,       // data is logging normally
    FLOWLOG_STATUS_NODATA,   // no traffic to or from the interface in the aggregation interval
    FLOWLOG_STATUS_SKIPDATA, // some records were skipped in the aggregation interval
};

// One flow log record of one network interface. Strings may be NULL and numbers negative (0 for
// traffic_path) for "not available", which the record shows as "-", as AWS does (for example
// instance-id of an interface without an instance, pkt-src-aws-service of an address outside the
// AWS ranges, traffic-path of ingress traffic). A NODATA or SKIPDATA record shows "-" for every
// traffic field whatever the struct holds: only the interface's fields, start, end and
// log-status are given ("2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876
// 1431280934 - NODATA", VPC User Guide, "Flow log record examples").
struct flowlog_record {
    // The interface.
    const char *account_id;   // the owner of the interface
    const char *interface_id; // "eni-..."
    const char *vpc_id;
    const char *subnet_id;
    const char *instance_id;
    const char *region;
    const char *az_id; // "use1-az1"
    const char *sublocation_type;
    const char *sublocation_id;
    // The flow.
    const char *srcaddr;
    const char *dstaddr;
    const char *pkt_srcaddr;
    const char *pkt_dstaddr;
    const char *pkt_src_aws_service; // "S3", "AMAZON", ...
    const char *pkt_dst_aws_service;
    const char *type;           // "IPv4", "IPv6", "EFA"
    const char *flow_direction; // "ingress", "egress"
    int32_t srcport;            // -1: "-"
    int32_t dstport;
    int32_t protocol; // IANA number
    int32_t tcp_flags;
    int32_t traffic_path; // 1..8; 0: "-"
    int64_t packets;
    int64_t bytes;
    int64_t start; // Unix seconds
    int64_t end;
    enum flowlog_action action;
    enum flowlog_status status;
    const char *ecs[10]; // the version-7 ECS fields in the order of enum flowlog_field
};

// Fills r with "not available" everywhere (NULL strings, -1 numbers, traffic_path 0, action
// NONE, status OK).
void flowlog_record_init(struct flowlog_record *r);

// Writes the record r in format f (fields separated by single spaces) into out[0..cap), always
// NUL-terminated when cap > 0, and returns the length the whole line needs (like snprintf).
size_t flowlog_record_format(const struct flowlog_format *f, const struct flowlog_record *r,
                             char *out, size_t cap);

// True when a flow log of traffic type traffic ("ACCEPT", "REJECT", "ALL") records r: ACCEPT and
// REJECT keep the records of their action, ALL every record; NODATA and SKIPDATA records, which
// have no action, go to every flow log of the interface.
bool flowlog_traffic_match(const char *traffic, const struct flowlog_record *r);

// The log stream a flow log of traffic type traffic writes the records of interface_id to: the
// interface id, "-" and the traffic type in lower case ("eni-0abc...-all", "eni-...-reject"),
// written into out[0..cap). Returns the length, or 0 when it does not fit or traffic is not one
// of the three types.
size_t flowlog_stream_name(const char *interface_id, const char *traffic, char *out, size_t cap);

// Reads one record of the test hook's JSON ({"srcaddr": "10.0.1.5", "dstport": 443, "action":
// "ACCEPT", "log-status": "OK", ...}: members named by the field ids, numbers as JSON integers,
// strings as strings) over r, which the caller has filled with the interface's fields; absent
// members keep r's values, except that pkt-srcaddr and pkt-dstaddr default to srcaddr and
// dstaddr and a record with a srcaddr and no type is "IPv4". Strings point into j. Returns 0, or
// -1 with a reason in why[0..why_cap) for an unknown member or a value of the wrong type.
int flowlog_record_from_json(const json_t *j, struct flowlog_record *r, char *why, size_t why_cap);

// ---- The delivery role ------------------------------------------------------------------------

// The service principal that assumes the delivery role (its trust policy must allow it).
#define FLOWLOG_SERVICE_PRINCIPAL "vpc-flow-logs.amazonaws.com"

enum flowlog_role_result {
    FLOWLOG_ROLE_OK,
    FLOWLOG_ROLE_UNUSABLE, // not a role of the caller's account, no such role, or its trust
                           // policy does not let vpc-flow-logs.amazonaws.com assume it
    FLOWLOG_ROLE_DENIED,   // the role may be assumed but its permissions do not allow delivery
};

// Checks the delivery role role_arn of flow log flow_log_id (in the caller's account and the
// call's region) for log group group: the role exists, its trust policy allows sts:AssumeRole to
// vpc-flow-logs.amazonaws.com with aws:SourceAccount (the account) and aws:SourceArn (the flow
// log's ARN), and, as a session of the role, its permissions allow logs:CreateLogGroup (only
// when group_exists is false), logs:DescribeLogStreams, logs:CreateLogStream and
// logs:PutLogEvents on the group's streams. Reads the store inside or outside the caller's
// transaction; changes nothing. Stores the outcome in *out and returns 0, or -1 with c->err set
// when the store or a stored policy cannot be read.
int flowlog_role_check(struct svc_call *c, const char *role_arn, const char *flow_log_id,
                       const char *group, bool group_exists, enum flowlog_role_result *out);

// True when name is a CloudWatch Logs log group name (1..512 of [.-_/#A-Za-z0-9], the
// LogGroupName pattern of the CloudWatch Logs model).
bool flowlog_group_name_ok(const char *name);

// ---- Delivery --------------------------------------------------------------------------------

// The network interface whose records are delivered.
struct flowlog_iface {
    const char *interface_id;
    const char *subnet_id;
    const char *vpc_id;
};

// What happened to one flow log of the interface.
struct flowlog_outcome {
    const char *flow_log_id;
    const char *log_group;
    const char *log_stream; // NULL when nothing was due to this flow log
    size_t delivered;       // records CloudWatch Logs kept (PutLogEvents leaves out events more
                            // than 14 days old or 2 hours ahead, or older than the retention)
    bool failed;
    const char *error; // DeliverLogsErrorMessage when failed ("Access error", "Unknown error")
};

// Delivers the records recs[0..n) of interface iface to every ACTIVE cloud-watch-logs flow log
// of the interface, its subnet or its VPC: each flow log keeps the records of its TrafficType,
// formats them with its LogFormat, and writes them, as a session of its delivery role, into its
// log group's stream for the interface (flowlog_stream_name), creating the group and the stream
// as the role when they are missing. A flow log whose role is unusable or not allowed (or whose
// group name is not a log group name) records DeliverLogsStatus FAILED with
// DeliverLogsErrorMessage "Access error"; an unexpected failure of CloudWatch Logs "Unknown
// error"; a successful delivery SUCCESS. c supplies the store, the account, region, clock and
// arena; its caller is not what authorizes the writes (the role is). Must be called outside any
// store transaction: it runs its own. Stores an arena array of outcomes (one per flow log of
// the interface) in *out and *count. Returns 0 (a delivery failure is an outcome, not an error),
// or -1 with c->err set when the store fails.
int flowlog_deliver(struct svc_call *c, const struct flowlog_iface *iface,
                    const struct flowlog_record *recs, size_t n, struct flowlog_outcome **out,
                    size_t *count);

// The test hook behind POST /_sagebox/ec2/flow-records (docs/ec2.md): c->in is
// {"NetworkInterfaceId": "eni-...", "Records": [{...}, ...]} (records as
// flowlog_record_from_json reads them; the interface's own fields come from the stored ENI).
// Only the account root may call it (403 UnauthorizedOperation otherwise). Delivers the records
// with flowlog_deliver and sets c->out to {"FlowLogs": [{"FlowLogId", "LogGroupName",
// "LogStreamName", "Delivered", "DeliverLogsStatus", "DeliverLogsErrorMessage"?}, ...]}. Errors:
// 400 InvalidParameterValue for a malformed body, InvalidNetworkInterfaceID.NotFound for an
// unknown interface. Runs its own transactions (the gateway calls it outside any). Returns 0 or
// -1 with c->err set.
int ec2_flowlog_inject(struct svc_call *c);

#endif
