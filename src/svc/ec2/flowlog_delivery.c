// SPDX-License-Identifier: Apache-2.0
// The delivery path of VPC flow logs into CloudWatch Logs; see flowlog_delivery.h. Sources: the
// Amazon VPC User Guide ("Flow log records": the available fields and their versions, the default
// format, "-" for unavailable values; "Flow log record examples": NODATA and SKIPDATA records;
// "IAM role for publishing flow logs to CloudWatch Logs": the role's trust policy for
// vpc-flow-logs.amazonaws.com with aws:SourceAccount / aws:SourceArn, and its permissions), the
// FlowLog shape of the EC2 API Reference (DeliverLogsErrorMessage "Access error", "Unknown error")
// and the CloudWatch Logs API Reference (the operations the delivery performs as the role).
//
// The delivery calls the CloudWatch Logs handlers themselves (svc_find), as a session of the
// delivery role: the role's identity policies authorize every write exactly as they would a
// client's, and the events go through PutLogEvents' own batch rules. Each of those calls runs in
// its own store transaction, as separate calls to CloudWatch Logs would.
#include "svc/ec2/flowlog_delivery.h"

#include "core/strjoin.h"
#include "svc/ec2/ec2_common.h"
#include "svc/iam/iam_store.h"
#include "svc/iam/role_use.h"
#include "svc/logs/logs_common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// ---- Fields -------------------------------------------------------------------------------------

struct field_def {
    const char *name;
    int version;
};

// The "Available fields" table of the VPC User Guide ("Flow log records"), in its order; the
// ECS fields are version 7 (the CDK's LogFormat class lists the same ids).
static const struct field_def fields[FLF_COUNT] = {
    [FLF_VERSION] = {"version", 2},
    [FLF_ACCOUNT_ID] = {"account-id", 2},
    [FLF_INTERFACE_ID] = {"interface-id", 2},
    [FLF_SRCADDR] = {"srcaddr", 2},
    [FLF_DSTADDR] = {"dstaddr", 2},
    [FLF_SRCPORT] = {"srcport", 2},
    [FLF_DSTPORT] = {"dstport", 2},
    [FLF_PROTOCOL] = {"protocol", 2},
    [FLF_PACKETS] = {"packets", 2},
    [FLF_BYTES] = {"bytes", 2},
    [FLF_START] = {"start", 2},
    [FLF_END] = {"end", 2},
    [FLF_ACTION] = {"action", 2},
    [FLF_LOG_STATUS] = {"log-status", 2},
    [FLF_VPC_ID] = {"vpc-id", 3},
    [FLF_SUBNET_ID] = {"subnet-id", 3},
    [FLF_INSTANCE_ID] = {"instance-id", 3},
    [FLF_TCP_FLAGS] = {"tcp-flags", 3},
    [FLF_TYPE] = {"type", 3},
    [FLF_PKT_SRCADDR] = {"pkt-srcaddr", 3},
    [FLF_PKT_DSTADDR] = {"pkt-dstaddr", 3},
    [FLF_REGION] = {"region", 4},
    [FLF_AZ_ID] = {"az-id", 4},
    [FLF_SUBLOCATION_TYPE] = {"sublocation-type", 4},
    [FLF_SUBLOCATION_ID] = {"sublocation-id", 4},
    [FLF_PKT_SRC_AWS_SERVICE] = {"pkt-src-aws-service", 5},
    [FLF_PKT_DST_AWS_SERVICE] = {"pkt-dst-aws-service", 5},
    [FLF_FLOW_DIRECTION] = {"flow-direction", 5},
    [FLF_TRAFFIC_PATH] = {"traffic-path", 5},
    [FLF_ECS_CLUSTER_ARN] = {"ecs-cluster-arn", 7},
    [FLF_ECS_CLUSTER_NAME] = {"ecs-cluster-name", 7},
    [FLF_ECS_CONTAINER_INSTANCE_ARN] = {"ecs-container-instance-arn", 7},
    [FLF_ECS_CONTAINER_INSTANCE_ID] = {"ecs-container-instance-id", 7},
    [FLF_ECS_CONTAINER_ID] = {"ecs-container-id", 7},
    [FLF_ECS_SECOND_CONTAINER_ID] = {"ecs-second-container-id", 7},
    [FLF_ECS_SERVICE_NAME] = {"ecs-service-name", 7},
    [FLF_ECS_TASK_DEFINITION_ARN] = {"ecs-task-definition-arn", 7},
    [FLF_ECS_TASK_ARN] = {"ecs-task-arn", 7},
    [FLF_ECS_TASK_ID] = {"ecs-task-id", 7},
};

_Static_assert(FLF_ECS_TASK_ID - FLF_ECS_CLUSTER_ARN + 1 == 10, "ten ECS fields");

// The field id of f; see flowlog_delivery.h.
const char *flowlog_field_name(enum flowlog_field f)
{
    return (unsigned)f < FLF_COUNT ? fields[f].name : "";
}

// The version of f; see flowlog_delivery.h.
int flowlog_field_version(enum flowlog_field f)
{
    return (unsigned)f < FLF_COUNT ? fields[f].version : 0;
}

// Finds a field by id; see flowlog_delivery.h.
int flowlog_field_find(const char *name, size_t len, enum flowlog_field *out)
{
    for (size_t i = 0; i < FLF_COUNT; i++) {
        if (strlen(fields[i].name) == len && memcmp(fields[i].name, name, len) == 0) {
            *out = (enum flowlog_field)i;
            return 0;
        }
    }
    return -1;
}

// Parses a LogFormat; see flowlog_delivery.h.
enum flowlog_format_error flowlog_format_parse(const char *text, struct flowlog_format *out,
                                               char *bad, size_t bad_cap)
{
    out->count = 0;
    out->version = 2;
    const char *p = text;
    if (*p == '\0') {
        return FLOWLOG_FORMAT_MALFORMED;
    }
    for (;;) {
        if (p[0] != '$' || p[1] != '{') {
            return FLOWLOG_FORMAT_MALFORMED;
        }
        const char *name = p + 2;
        const char *close = name;
        while (*close != '\0' && *close != '}' && *close != ' ' && *close != '$') {
            close++;
        }
        if (*close != '}' || close == name) {
            return FLOWLOG_FORMAT_MALFORMED;
        }
        size_t len = (size_t)(close - name);
        enum flowlog_field f;
        if (flowlog_field_find(name, len, &f) != 0) {
            if (bad != NULL && bad_cap > 0) {
                size_t n = len < bad_cap - 1 ? len : bad_cap - 1;
                memcpy(bad, name, n);
                bad[n] = '\0';
            }
            return FLOWLOG_FORMAT_UNKNOWN_FIELD;
        }
        if (out->count == FLOWLOG_FORMAT_MAX) {
            return FLOWLOG_FORMAT_TOO_MANY;
        }
        out->fields[out->count++] = f;
        if (fields[f].version > out->version) {
            out->version = fields[f].version;
        }
        p = close + 1;
        if (*p == '\0') {
            return FLOWLOG_FORMAT_OK;
        }
        // One space between fields; a trailing one is refused (real AWS: "1 validation error
        // detected: Value '${version} ... ${log-status} ' at 'logFormat' has an invalid format",
        // aws-cloudformation/rain#288).
        if (p[0] != ' ' || p[1] == '\0') {
            return FLOWLOG_FORMAT_MALFORMED;
        }
        p++;
    }
}

// ---- Records ------------------------------------------------------------------------------------

// Fills a record with "not available"; see flowlog_delivery.h.
void flowlog_record_init(struct flowlog_record *r)
{
    memset(r, 0, sizeof(*r));
    r->srcport = -1;
    r->dstport = -1;
    r->protocol = -1;
    r->tcp_flags = -1;
    r->traffic_path = 0;
    r->packets = -1;
    r->bytes = -1;
    r->start = -1;
    r->end = -1;
    r->action = FLOWLOG_ACTION_NONE;
    r->status = FLOWLOG_STATUS_OK;
}

// A line being written: what fits goes to out, len counts everything.
struct line {
    char *out;
    size_t cap;
    size_t len;
};

static void put(struct line *l, const char *s)
{
    size_t n = strlen(s);
    if (l->cap > 0 && l->len < l->cap - 1) {
        size_t room = l->cap - 1 - l->len;
        memcpy(l->out + l->len, s, n < room ? n : room);
    }
    l->len += n;
}

static void put_str(struct line *l, const char *s)
{
    put(l, s != NULL && s[0] != '\0' ? s : "-");
}

static void put_num(struct line *l, int64_t v, bool available)
{
    char buf[24];
    if (!available) {
        put(l, "-");
        return;
    }
    sb_i64(buf, v);
    put(l, buf);
}

static const char *const action_names[] = {"-", "ACCEPT", "REJECT"};
static const char *const status_names[] = {"OK", "NODATA", "SKIPDATA"};

// True for the fields a NODATA or SKIPDATA record shows: the interface's, the window and the
// status.
static bool interface_field(enum flowlog_field f)
{
    switch (f) {
    case FLF_VERSION:
    case FLF_ACCOUNT_ID:
    case FLF_INTERFACE_ID:
    case FLF_START:
    case FLF_END:
    case FLF_LOG_STATUS:
    case FLF_VPC_ID:
    case FLF_SUBNET_ID:
    case FLF_INSTANCE_ID:
    case FLF_REGION:
    case FLF_AZ_ID:
    case FLF_SUBLOCATION_TYPE:
    case FLF_SUBLOCATION_ID:
        return true;
    default:
        return false;
    }
}

static void put_field(struct line *l, const struct flowlog_format *f, enum flowlog_field field,
                      const struct flowlog_record *r)
{
    if (r->status != FLOWLOG_STATUS_OK && !interface_field(field)) {
        put(l, "-");
        return;
    }
    switch (field) {
    case FLF_VERSION:
        put_num(l, f->version, true);
        break;
    case FLF_ACCOUNT_ID:
        put_str(l, r->account_id);
        break;
    case FLF_INTERFACE_ID:
        put_str(l, r->interface_id);
        break;
    case FLF_SRCADDR:
        put_str(l, r->srcaddr);
        break;
    case FLF_DSTADDR:
        put_str(l, r->dstaddr);
        break;
    case FLF_SRCPORT:
        put_num(l, r->srcport, r->srcport >= 0);
        break;
    case FLF_DSTPORT:
        put_num(l, r->dstport, r->dstport >= 0);
        break;
    case FLF_PROTOCOL:
        put_num(l, r->protocol, r->protocol >= 0);
        break;
    case FLF_PACKETS:
        put_num(l, r->packets, r->packets >= 0);
        break;
    case FLF_BYTES:
        put_num(l, r->bytes, r->bytes >= 0);
        break;
    case FLF_START:
        put_num(l, r->start, r->start >= 0);
        break;
    case FLF_END:
        put_num(l, r->end, r->end >= 0);
        break;
    case FLF_ACTION:
        put(l, (unsigned)r->action < 3 ? action_names[r->action] : "-");
        break;
    case FLF_LOG_STATUS:
        put(l, (unsigned)r->status < 3 ? status_names[r->status] : "-");
        break;
    case FLF_VPC_ID:
        put_str(l, r->vpc_id);
        break;
    case FLF_SUBNET_ID:
        put_str(l, r->subnet_id);
        break;
    case FLF_INSTANCE_ID:
        put_str(l, r->instance_id);
        break;
    case FLF_TCP_FLAGS:
        put_num(l, r->tcp_flags, r->tcp_flags >= 0);
        break;
    case FLF_TYPE:
        put_str(l, r->type);
        break;
    case FLF_PKT_SRCADDR:
        put_str(l, r->pkt_srcaddr);
        break;
    case FLF_PKT_DSTADDR:
        put_str(l, r->pkt_dstaddr);
        break;
    case FLF_REGION:
        put_str(l, r->region);
        break;
    case FLF_AZ_ID:
        put_str(l, r->az_id);
        break;
    case FLF_SUBLOCATION_TYPE:
        put_str(l, r->sublocation_type);
        break;
    case FLF_SUBLOCATION_ID:
        put_str(l, r->sublocation_id);
        break;
    case FLF_PKT_SRC_AWS_SERVICE:
        put_str(l, r->pkt_src_aws_service);
        break;
    case FLF_PKT_DST_AWS_SERVICE:
        put_str(l, r->pkt_dst_aws_service);
        break;
    case FLF_FLOW_DIRECTION:
        put_str(l, r->flow_direction);
        break;
    case FLF_TRAFFIC_PATH:
        put_num(l, r->traffic_path, r->traffic_path > 0);
        break;
    default:
        if (field >= FLF_ECS_CLUSTER_ARN && field <= FLF_ECS_TASK_ID) {
            put_str(l, r->ecs[field - FLF_ECS_CLUSTER_ARN]);
        } else {
            put(l, "-");
        }
        break;
    }
}

// Formats a record; see flowlog_delivery.h.
size_t flowlog_record_format(const struct flowlog_format *f, const struct flowlog_record *r,
                             char *out, size_t cap)
{
    struct line l = {out, cap, 0};
    for (size_t i = 0; i < f->count; i++) {
        if (i > 0) {
            put(&l, " ");
        }
        put_field(&l, f, f->fields[i], r);
    }
    if (cap > 0) {
        out[l.len < cap ? l.len : cap - 1] = '\0';
    }
    return l.len;
}

// Decides whether a flow log records r; see flowlog_delivery.h.
bool flowlog_traffic_match(const char *traffic, const struct flowlog_record *r)
{
    if (traffic == NULL) {
        return false;
    }
    if (r->status != FLOWLOG_STATUS_OK || strcmp(traffic, "ALL") == 0) {
        return true;
    }
    if (strcmp(traffic, "ACCEPT") == 0) {
        return r->action == FLOWLOG_ACTION_ACCEPT;
    }
    if (strcmp(traffic, "REJECT") == 0) {
        return r->action == FLOWLOG_ACTION_REJECT;
    }
    return false;
}

// Names the stream of an interface; see flowlog_delivery.h. "eni-0abc-all" is the form real
// deliveries have (quoted in flow log parsers' fixtures); the -accept and -reject suffixes follow
// the same pattern and could not be checked against AWS.
size_t flowlog_stream_name(const char *interface_id, const char *traffic, char *out, size_t cap)
{
    const char *suffix = NULL;
    if (traffic != NULL && strcmp(traffic, "ALL") == 0) {
        suffix = "-all";
    } else if (traffic != NULL && strcmp(traffic, "ACCEPT") == 0) {
        suffix = "-accept";
    } else if (traffic != NULL && strcmp(traffic, "REJECT") == 0) {
        suffix = "-reject";
    }
    if (suffix == NULL || interface_id == NULL) {
        return 0;
    }
    size_t a = strlen(interface_id);
    size_t b = strlen(suffix);
    if (a + b + 1 > cap) {
        return 0;
    }
    memcpy(out, interface_id, a);
    memcpy(out + a, suffix, b + 1);
    return a + b;
}

// Where each member of the hook's JSON goes.
enum member_type { M_STR, M_INT32, M_INT64, M_ACTION, M_STATUS };

struct member_def {
    enum flowlog_field field;
    enum member_type type;
    size_t offset;
};

#define STR_MEMBER(f, m)                                                                           \
    {                                                                                              \
        f, M_STR, offsetof(struct flowlog_record, m)                                               \
    }
#define I32_MEMBER(f, m)                                                                           \
    {                                                                                              \
        f, M_INT32, offsetof(struct flowlog_record, m)                                             \
    }
#define I64_MEMBER(f, m)                                                                           \
    {                                                                                              \
        f, M_INT64, offsetof(struct flowlog_record, m)                                             \
    }

static const struct member_def members[] = {
    STR_MEMBER(FLF_ACCOUNT_ID, account_id),
    STR_MEMBER(FLF_INTERFACE_ID, interface_id),
    STR_MEMBER(FLF_SRCADDR, srcaddr),
    STR_MEMBER(FLF_DSTADDR, dstaddr),
    I32_MEMBER(FLF_SRCPORT, srcport),
    I32_MEMBER(FLF_DSTPORT, dstport),
    I32_MEMBER(FLF_PROTOCOL, protocol),
    I64_MEMBER(FLF_PACKETS, packets),
    I64_MEMBER(FLF_BYTES, bytes),
    I64_MEMBER(FLF_START, start),
    I64_MEMBER(FLF_END, end),
    {FLF_ACTION, M_ACTION, 0},
    {FLF_LOG_STATUS, M_STATUS, 0},
    STR_MEMBER(FLF_VPC_ID, vpc_id),
    STR_MEMBER(FLF_SUBNET_ID, subnet_id),
    STR_MEMBER(FLF_INSTANCE_ID, instance_id),
    I32_MEMBER(FLF_TCP_FLAGS, tcp_flags),
    STR_MEMBER(FLF_TYPE, type),
    STR_MEMBER(FLF_PKT_SRCADDR, pkt_srcaddr),
    STR_MEMBER(FLF_PKT_DSTADDR, pkt_dstaddr),
    STR_MEMBER(FLF_REGION, region),
    STR_MEMBER(FLF_AZ_ID, az_id),
    STR_MEMBER(FLF_SUBLOCATION_TYPE, sublocation_type),
    STR_MEMBER(FLF_SUBLOCATION_ID, sublocation_id),
    STR_MEMBER(FLF_PKT_SRC_AWS_SERVICE, pkt_src_aws_service),
    STR_MEMBER(FLF_PKT_DST_AWS_SERVICE, pkt_dst_aws_service),
    STR_MEMBER(FLF_FLOW_DIRECTION, flow_direction),
    I32_MEMBER(FLF_TRAFFIC_PATH, traffic_path),
};

static int set_enum(const json_t *v, const char *const *names, size_t count, int *out)
{
    const char *s = json_string_value(v);
    for (size_t i = 0; s != NULL && i < count; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    return -1;
}

// Sets one member; returns 0, or -1 for a value of the wrong type.
static int set_member(const struct member_def *m, const json_t *v, struct flowlog_record *r)
{
    char *base = (char *)r;
    int e = 0;
    switch (m->type) {
    case M_STR:
        if (!json_is_string(v)) {
            return -1;
        }
        *(const char **)(void *)(base + m->offset) = json_string_value(v);
        return 0;
    case M_INT32:
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX) {
            return -1;
        }
        *(int32_t *)(void *)(base + m->offset) = (int32_t)json_integer_value(v);
        return 0;
    case M_INT64:
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            return -1;
        }
        *(int64_t *)(void *)(base + m->offset) = (int64_t)json_integer_value(v);
        return 0;
    case M_ACTION:
        if (set_enum(v, action_names, 3, &e) != 0) {
            return -1;
        }
        r->action = (enum flowlog_action)e;
        return 0;
    case M_STATUS:
        if (set_enum(v, status_names, 3, &e) != 0) {
            return -1;
        }
        r->status = (enum flowlog_status)e;
        return 0;
    }
    return -1;
}

// Reads a record of the hook's JSON; see flowlog_delivery.h.
int flowlog_record_from_json(const json_t *j, struct flowlog_record *r, char *why, size_t why_cap)
{
    if (!json_is_object(j)) {
        snprintf(why, why_cap, "a record must be a JSON object");
        return -1;
    }
    const char *key;
    const json_t *v;
    bool pkt_src = false;
    bool pkt_dst = false;
    bool type = false;
    json_object_foreach((json_t *)j, key, v)
    {
        enum flowlog_field f;
        const struct member_def *m = NULL;
        if (flowlog_field_find(key, strlen(key), &f) == 0) {
            for (size_t i = 0; i < sizeof(members) / sizeof(members[0]) && m == NULL; i++) {
                m = members[i].field == f ? &members[i] : NULL;
            }
        }
        if (m == NULL) {
            snprintf(why, why_cap, "unknown record member '%s'", key);
            return -1;
        }
        if (set_member(m, v, r) != 0) {
            snprintf(why, why_cap, "the record member '%s' has a value of the wrong type", key);
            return -1;
        }
        pkt_src = pkt_src || f == FLF_PKT_SRCADDR;
        pkt_dst = pkt_dst || f == FLF_PKT_DSTADDR;
        type = type || f == FLF_TYPE;
    }
    if (!pkt_src) {
        r->pkt_srcaddr = r->srcaddr;
    }
    if (!pkt_dst) {
        r->pkt_dstaddr = r->dstaddr;
    }
    if (!type && r->srcaddr != NULL) {
        r->type = strchr(r->srcaddr, ':') != NULL ? "IPv6" : "IPv4";
    }
    return 0;
}

// Checks a log group name; see flowlog_delivery.h.
bool flowlog_group_name_ok(const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;
    if (n == 0 || n > 512) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_' || ch == '/' ||
                  ch == '#';
        if (!ok) {
            return false;
        }
    }
    return true;
}

// ---- The delivery role ------------------------------------------------------------------------

// Decides whether the role's trust policy lets vpc-flow-logs.amazonaws.com assume it for flow
// log flow_log_id, with the confused-deputy keys the VPC User Guide recommends conditioning on
// (aws:SourceAccount: the flow log's owner; aws:SourceArn: the flow log's ARN). Returns 0 with
// *ok, or -1 with c->err set.
static int trust_allows(struct svc_call *c, const json_t *role, const char *flow_log_id, bool *ok)
{
    return svc_role_trusts(c, role, FLOWLOG_SERVICE_PRINCIPAL,
                           ec2_arn(c, "vpc-flow-log", flow_log_id), ok);
}

// A session of the delivery role, as the flow logs service holds one after AssumeRole (the
// session name is the flow log id; what AWS names its sessions is not documented).
static void role_session_begin(struct svc_call *c, const json_t *role, const char *flow_log_id,
                               struct svc_role_session *rs)
{
    svc_role_session_begin(c, role, flow_log_id, "logs", rs);
}

// Checks a delivery role; see flowlog_delivery.h.
int flowlog_role_check(struct svc_call *c, const char *role_arn, const char *flow_log_id,
                       const char *group, bool group_exists, enum flowlog_role_result *out)
{
    *out = FLOWLOG_ROLE_UNUSABLE;
    json_t *role = NULL;
    int found = svc_role_load(c, role_arn, &role);
    if (found <= 0) {
        return found;
    }
    bool trusted;
    if (trust_allows(c, role, flow_log_id, &trusted) != 0) {
        json_decref(role);
        return -1;
    }
    if (!trusted) {
        json_decref(role);
        return 0;
    }
    struct svc_role_session rs;
    role_session_begin(c, role, flow_log_id, &rs);
    const char *streams = logs_stream_arn(c, group, "*");
    const char *checks[][2] = {
        {"logs:CreateLogGroup", logs_group_auth_arn(c, group)},
        {"logs:DescribeLogStreams", logs_group_auth_arn(c, group)},
        {"logs:CreateLogStream", streams},
        {"logs:PutLogEvents", streams},
    };
    int rc = 1;
    for (size_t i = group_exists ? 1 : 0; i < 4 && rc == 1; i++) {
        rc = svc_role_session_may(c, &rs, checks[i][0], checks[i][1]);
    }
    svc_role_session_end(&rs);
    json_decref(role);
    if (rc < 0) {
        return -1;
    }
    *out = rc == 1 ? FLOWLOG_ROLE_OK : FLOWLOG_ROLE_DENIED;
    return 0;
}

// ---- Delivery -----------------------------------------------------------------------------------

#define ACCESS_ERROR  "Access error"
#define UNKNOWN_ERROR "Unknown error"

// PutLogEvents' batch limits (CloudWatch Logs API Reference): 10,000 events, 1,048,576 bytes
// counting 26 bytes per event, a span of at most 24 hours.
#define BATCH_EVENTS   10000
#define BATCH_BYTES    1048576
#define EVENT_OVERHEAD 26
#define BATCH_SPAN_MS  (24LL * 3600 * 1000)

// Calls a CloudWatch Logs operation as the session with input in (taken). Returns 0, or -1 with
// the session call's err set; *out (may be NULL) receives the output (a new reference).
static int call_logs(struct svc_role_session *rs, const char *op, json_t *in, json_t **out)
{
    svc_handler_fn fn = svc_find("logs", op);
    rs->call.operation = op;
    rs->call.in = in;
    rs->call.out = NULL;
    memset(&rs->call.err, 0, sizeof(rs->call.err));
    int rc = -1;
    if (fn != NULL) {
        rc = fn(&rs->call);
    } else {
        awserr_set(&rs->call.err, 500, "ServiceUnavailableException", "%s is not served", op);
    }
    if (rc == 0 && out != NULL) {
        *out = rs->call.out;
    } else {
        json_decref(rs->call.out);
    }
    rs->call.out = NULL;
    rs->call.in = NULL;
    json_decref(in);
    return rc;
}

// The DeliverLogsErrorMessage of a failed CloudWatch Logs call.
static const char *failure_of(const struct awserr *e)
{
    return strcmp(e->code, "AccessDeniedException") == 0 ? ACCESS_ERROR : UNKNOWN_ERROR;
}

struct event {
    int64_t t;
    size_t index;
    const char *message;
};

static int by_time(const void *a, const void *b)
{
    const struct event *x = a;
    const struct event *y = b;
    if (x->t != y->t) {
        return x->t < y->t ? -1 : 1;
    }
    return x->index < y->index ? -1 : x->index > y->index ? 1 : 0;
}

// How many of a batch of sent events PutLogEvents left out (rejectedLogEventsInfo: events before
// tooOldLogEventEndIndex / expiredLogEventEndIndex, from tooNewLogEventStartIndex on).
static size_t rejected(const json_t *info, size_t sent)
{
    const json_t *old = json_object_get(info, "tooOldLogEventEndIndex");
    const json_t *expired = json_object_get(info, "expiredLogEventEndIndex");
    const json_t *young = json_object_get(info, "tooNewLogEventStartIndex");
    json_int_t head = -1;
    if (json_is_integer(old)) {
        head = json_integer_value(old);
    }
    if (json_is_integer(expired) && json_integer_value(expired) > head) {
        head = json_integer_value(expired);
    }
    size_t count = head >= 0 ? (size_t)head + 1 : 0;
    if (json_is_integer(young) && json_integer_value(young) >= 0 &&
        (size_t)json_integer_value(young) < sent) {
        count += sent - (size_t)json_integer_value(young);
    }
    return count < sent ? count : sent;
}

// Writes events[0..n) (sorted) to the stream in PutLogEvents batches, counting in *stored the
// events CloudWatch Logs kept (it leaves out those too old or too far in the future). Returns
// NULL on success, else the error message to record.
static const char *put_events(struct svc_role_session *rs, const char *group, const char *stream,
                              const struct event *events, size_t n, size_t *stored)
{
    size_t i = 0;
    *stored = 0;
    while (i < n) {
        json_t *list = json_array();
        size_t bytes = 0;
        int64_t first = events[i].t;
        while (i < n && json_array_size(list) < BATCH_EVENTS) {
            size_t sz = strlen(events[i].message) + EVENT_OVERHEAD;
            if (json_array_size(list) > 0 &&
                (bytes + sz > BATCH_BYTES || events[i].t - first > BATCH_SPAN_MS)) {
                break;
            }
            json_array_append_new(list,
                                  json_pack("{s:I, s:s}", "timestamp", (json_int_t)events[i].t,
                                            "message", events[i].message));
            bytes += sz;
            i++;
        }
        json_t *in = json_pack("{s:s, s:s, s:o}", "logGroupName", group, "logStreamName", stream,
                               "logEvents", list);
        size_t sent = json_array_size(list);
        json_t *out = NULL;
        if (call_logs(rs, "PutLogEvents", in, &out) != 0) {
            return failure_of(&rs->call.err);
        }
        *stored += sent - rejected(json_object_get(out, "rejectedLogEventsInfo"), sent);
        json_decref(out);
    }
    return NULL;
}

// Makes sure the group and stream exist, creating them as the session would. Returns NULL on
// success, else the error message to record, or "" with c->err set when the store fails.
static const char *prepare_stream(struct svc_call *c, struct svc_role_session *rs,
                                  const char *group, const char *stream)
{
    struct logs_obj g;
    if (logs_group_get(c, group, &g) != 0) {
        return "";
    }
    bool exists = g.found;
    logs_obj_release(&g);
    if (!exists) {
        json_t *in = json_pack("{s:s}", "logGroupName", group);
        if (call_logs(rs, "CreateLogGroup", in, NULL) != 0 &&
            strcmp(rs->call.err.code, "ResourceAlreadyExistsException") != 0) {
            return failure_of(&rs->call.err);
        }
    }
    json_t *found = NULL;
    json_t *in = json_pack("{s:s, s:s}", "logGroupName", group, "logStreamNamePrefix", stream);
    if (call_logs(rs, "DescribeLogStreams", in, &found) != 0) {
        return failure_of(&rs->call.err);
    }
    bool have = false;
    const json_t *list = json_object_get(found, "logStreams");
    for (size_t i = 0; i < json_array_size(list) && !have; i++) {
        const char *s = ec2_str(json_array_get(list, i), "logStreamName");
        have = s != NULL && strcmp(s, stream) == 0;
    }
    json_decref(found);
    if (!have) {
        in = json_pack("{s:s, s:s}", "logGroupName", group, "logStreamName", stream);
        if (call_logs(rs, "CreateLogStream", in, NULL) != 0 &&
            strcmp(rs->call.err.code, "ResourceAlreadyExistsException") != 0) {
            return failure_of(&rs->call.err);
        }
    }
    return NULL;
}

// Records the outcome of a delivery on the flow log (in its own transaction): SUCCESS, or FAILED
// with the message. A flow log deleted meanwhile is left alone.
static int record_status(struct svc_call *c, const char *flow_log_id, const char *error)
{
    const struct ec2_kind *k = ec2_kind_by_store(EC2_KIND_FL);
    struct store_err e = {{0}};
    int rc = store_begin(c->env->store, &e);
    if (rc != 0) {
        return ec2_store_error(c, rc, &e);
    }
    struct store_obj obj;
    json_t *doc = NULL;
    rc = ec2_get(c, k, flow_log_id, &obj, &doc);
    if (rc == 0) {
        json_object_set_new(doc, "DeliverLogsStatus", json_string(error ? "FAILED" : "SUCCESS"));
        if (error != NULL) {
            json_object_set_new(doc, "DeliverLogsErrorMessage", json_string(error));
        } else {
            json_object_del(doc, "DeliverLogsErrorMessage");
        }
        rc = ec2_replace(c, k, &obj, doc);
        json_decref(doc);
    } else if (rc == SB_ENOTFOUND) {
        rc = 0;
    }
    if (rc != 0) {
        store_rollback(c->env->store);
        return -1;
    }
    rc = store_commit(c->env->store, &e);
    return rc == 0 ? 0 : ec2_store_error(c, rc, &e);
}

// Delivers the due records to one flow log. Returns 0 (the outcome says how it went) or -1 with
// c->err set.
static int deliver_one(struct svc_call *c, const json_t *fl, const struct flowlog_iface *iface,
                       const struct flowlog_record *recs, size_t n, struct flowlog_outcome *o)
{
    const char *traffic = ec2_str(fl, "TrafficType");
    const char *group = ec2_str(fl, "LogGroupName");
    const char *id = ec2_str(fl, "FlowLogId");
    o->flow_log_id = id;
    o->log_group = group;
    struct flowlog_format f;
    const char *fmt = ec2_str(fl, "LogFormat");
    if (flowlog_format_parse(fmt ? fmt : FLOWLOG_DEFAULT_FORMAT, &f, NULL, 0) !=
        FLOWLOG_FORMAT_OK) {
        o->failed = true;
        o->error = UNKNOWN_ERROR;
        return record_status(c, id, o->error);
    }
    struct event *events = arena_calloc(c->arena, n + 1, sizeof(*events));
    size_t due = 0;
    for (size_t i = 0; i < n; i++) {
        if (!flowlog_traffic_match(traffic, &recs[i])) {
            continue;
        }
        size_t len = flowlog_record_format(&f, &recs[i], NULL, 0);
        char *line = arena_alloc(c->arena, len + 1);
        flowlog_record_format(&f, &recs[i], line, len + 1);
        // The event's timestamp is the start of the record's capture window (not verified
        // against AWS, which does not document it).
        events[due++] = (struct event){recs[i].start >= 0 ? recs[i].start * 1000 : 0, i, line};
    }
    if (due == 0) {
        return 0;
    }
    char stream[EC2_ID_MAX + 16];
    if (flowlog_stream_name(iface->interface_id, traffic, stream, sizeof(stream)) == 0) {
        o->failed = true;
        o->error = UNKNOWN_ERROR;
        return record_status(c, id, o->error);
    }
    o->log_stream = arena_strndup(c->arena, stream, strlen(stream));
    qsort(events, due, sizeof(*events), by_time);

    const char *error = NULL;
    json_t *role = NULL;
    int found = flowlog_group_name_ok(group)
                    ? svc_role_load(c, ec2_str(fl, "DeliverLogsPermissionArn"), &role)
                    : 0;
    if (found < 0) {
        return -1;
    }
    bool trusted = false;
    if (found > 0 && trust_allows(c, role, id, &trusted) != 0) {
        json_decref(role);
        return -1;
    }
    if (!trusted) {
        error = ACCESS_ERROR;
    } else {
        struct svc_role_session rs;
        role_session_begin(c, role, id, &rs);
        error = prepare_stream(c, &rs, group, o->log_stream);
        if (error == NULL) {
            error = put_events(&rs, group, o->log_stream, events, due, &o->delivered);
        }
        svc_role_session_end(&rs);
    }
    json_decref(role);
    if (error != NULL && error[0] == '\0') {
        return -1;
    }
    o->failed = error != NULL;
    o->error = error;
    return record_status(c, id, error);
}

// Delivers records of an interface; see flowlog_delivery.h.
int flowlog_deliver(struct svc_call *c, const struct flowlog_iface *iface,
                    const struct flowlog_record *recs, size_t n, struct flowlog_outcome **out,
                    size_t *count)
{
    *out = NULL;
    *count = 0;
    const struct ec2_kind *k = ec2_kind_by_store(EC2_KIND_FL);
    const char *scopes[] = {iface->interface_id, iface->subnet_id, iface->vpc_id};
    struct store_obj *lists[3];
    size_t counts[3] = {0, 0, 0};
    size_t total = 0;
    for (size_t s = 0; s < 3; s++) {
        lists[s] = NULL;
        if (scopes[s] == NULL) {
            continue;
        }
        if (ec2_list_all(c, k, iface->vpc_id, scopes[s], &lists[s], &counts[s]) != 0) {
            return -1;
        }
        total += counts[s];
    }
    struct flowlog_outcome *o = arena_calloc(c->arena, total + 1, sizeof(*o));
    size_t m = 0;
    for (size_t s = 0; s < 3; s++) {
        for (size_t i = 0; i < counts[s]; i++) {
            json_t *fl = ec2_parse(c, &lists[s][i]);
            if (fl == NULL) {
                return -1;
            }
            const char *dest = ec2_str(fl, "LogDestinationType");
            const char *state = ec2_str(fl, "FlowLogStatus");
            int rc = 0;
            if (dest != NULL && strcmp(dest, "cloud-watch-logs") == 0 && state != NULL &&
                strcmp(state, "ACTIVE") == 0) {
                rc = deliver_one(c, fl, iface, recs, n, &o[m]);
                if (rc == 0) {
                    // Strings of the outcome must outlive the document.
                    o[m].flow_log_id = ec2_fmt(c, "%s", o[m].flow_log_id);
                    o[m].log_group = o[m].log_group ? ec2_fmt(c, "%s", o[m].log_group) : NULL;
                    m++;
                }
            }
            json_decref(fl);
            if (rc != 0) {
                return -1;
            }
        }
    }
    *out = o;
    *count = m;
    return 0;
}

// ---- The test hook ------------------------------------------------------------------------------

// Most records one hook call takes (the hook is for tests and simulations, not bulk loads).
#define INJECT_MAX 10000

// Fills the interface's fields of a record from the stored ENI document.
static void iface_fields(struct svc_call *c, const json_t *eni, struct flowlog_record *r)
{
    flowlog_record_init(r);
    r->account_id = ec2_str(eni, "OwnerId");
    r->interface_id = ec2_str(eni, "NetworkInterfaceId");
    r->vpc_id = ec2_str(eni, "VpcId");
    r->subnet_id = ec2_str(eni, "SubnetId");
    r->instance_id = ec2_str(json_object_get(eni, "Attachment"), "InstanceId");
    r->region = c->region;
    const struct ec2_zone *z = ec2_zone_find(c->region, ec2_str(eni, "AvailabilityZone"), NULL);
    r->az_id = z != NULL ? z->id : NULL;
}

// The hook; see flowlog_delivery.h.
int ec2_flowlog_inject(struct svc_call *c)
{
    if (c->caller->principal.type != POLICY_PRINCIPAL_ROOT) {
        sb_copy(c->decision, sizeof(c->decision), "ImplicitlyDenied");
        return awserr_set(&c->err, 403, "UnauthorizedOperation",
                          "You are not authorized to perform this operation. The sagebox test "
                          "hook %s answers the account root only.",
                          "/_sagebox/ec2/flow-records");
    }
    sb_copy(c->decision, sizeof(c->decision), "Allowed");
    const char *eni_id = ec2_in_str(c, "NetworkInterfaceId");
    const json_t *records = json_object_get(c->in, "Records");
    if (eni_id == NULL || !json_is_array(records) || json_array_size(records) > INJECT_MAX) {
        return ec2_err_value(c,
                             "The body must be {\"NetworkInterfaceId\": \"eni-...\", "
                             "\"Records\": [...]} with at most %d records.",
                             INJECT_MAX);
    }
    const struct ec2_kind *k = ec2_kind_by_store(EC2_KIND_ENI);
    json_t *eni = NULL;
    int rc =
        ec2_id_wellformed(eni_id, k->prefix) ? ec2_get(c, k, eni_id, NULL, &eni) : SB_ENOTFOUND;
    if (rc == SB_ENOTFOUND) {
        return ec2_err_not_found(c, k, eni_id);
    }
    if (rc != 0) {
        return -1;
    }
    size_t n = json_array_size(records);
    struct flowlog_record *recs = arena_calloc(c->arena, n + 1, sizeof(*recs));
    for (size_t i = 0; i < n; i++) {
        char why[200];
        iface_fields(c, eni, &recs[i]);
        if (flowlog_record_from_json(json_array_get(records, i), &recs[i], why, sizeof(why)) != 0) {
            json_decref(eni);
            return ec2_err_value(c, "Record %zu: %s.", i, why);
        }
    }
    struct flowlog_iface iface = {
        .interface_id = ec2_fmt(c, "%s", eni_id),
        .subnet_id = ec2_str(eni, "SubnetId") ? ec2_fmt(c, "%s", ec2_str(eni, "SubnetId")) : NULL,
        .vpc_id = ec2_str(eni, "VpcId") ? ec2_fmt(c, "%s", ec2_str(eni, "VpcId")) : NULL,
    };
    struct flowlog_outcome *o = NULL;
    size_t count = 0;
    rc = flowlog_deliver(c, &iface, recs, n, &o, &count);
    json_decref(eni); // the records' strings point into it: released only after the delivery
    if (rc != 0) {
        return -1;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++) {
        json_t *item = json_pack("{s:s, s:s?, s:s?, s:I, s:s}", "FlowLogId", o[i].flow_log_id,
                                 "LogGroupName", o[i].log_group, "LogStreamName", o[i].log_stream,
                                 "Delivered", (json_int_t)o[i].delivered, "DeliverLogsStatus",
                                 o[i].failed ? "FAILED" : "SUCCESS");
        if (o[i].failed) {
            json_object_set_new(item, "DeliverLogsErrorMessage", json_string(o[i].error));
        }
        json_array_append_new(list, item);
    }
    c->out = json_pack("{s:o}", "FlowLogs", list);
    return 0;
}
