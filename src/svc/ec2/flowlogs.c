// SPDX-License-Identifier: Apache-2.0
// VPC flow logs (EC2 API Reference: CreateFlowLogs, DescribeFlowLogs, DeleteFlowLogs; Amazon VPC
// User Guide: "VPC Flow Logs", "Flow log records", "Publish flow logs to CloudWatch Logs",
// "Publish flow logs to Amazon S3", "IAM role for publishing flow logs to CloudWatch Logs").
// Objects follow ec2_common.h: kind ec2.fl, parent the VPC of the monitored resource, path the
// resource (VPC, subnet or network interface) id, document FlowLog, with the internal members
// _ResourceType, _ClientToken and _ClientRequest (the idempotency record of CreateFlowLogs).
//
// Destinations: cloud-watch-logs (the default) is delivered by flowlog_delivery.c; s3 is
// accepted and stored (DestinationOptions included) but nothing is written until sagebox has S3;
// kinesis-data-firehose, transit gateways and cross-account delivery are refused as unsupported.
//
// The delivery role (cloud-watch-logs): the caller needs iam:PassRole on it (with
// iam:PassedToService vpc-flow-logs.amazonaws.com), a denial being UnauthorizedOperation; a role
// that vpc-flow-logs.amazonaws.com cannot assume (none of that ARN in the account, or a trust
// policy that does not allow the service) fails the call with 400 InvalidParameter "Unable to
// assume given IAM role: '<arn>'" (real EC2: hashicorp/terraform-provider-aws#29323, and the
// provider retries CreateFlowLogs on that message while a new role propagates); a role that can
// be assumed but whose permissions do not allow delivery into the group leaves the flow log
// created with DeliverLogsStatus FAILED and DeliverLogsErrorMessage "Access error" (the FlowLog
// shape's documentation).
//
// Authorization (Service Authorization Reference, Amazon EC2): CreateFlowLogs on vpc-flow-log/*
// (aws:RequestTag/*, aws:TagKeys) and on each monitored resource (its tags, ec2:Vpc,
// ec2:Subnet, ec2:AvailabilityZone); DeleteFlowLogs on each flow log; DescribeFlowLogs on "*".
// Publishing to S3 also needs logs:CreateLogDelivery (and deleting, logs:DeleteLogDelivery), as
// the VPC User Guide's "IAM policies for IAM principals that publish flow logs to Amazon S3"
// says.
#include "svc/ec2/ec2_common.h"
#include "svc/ec2/flowlog_delivery.h"
#include "svc/logs/logs_common.h"
#include "svc/registry.h"

#include "core/ids.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// ResourceIds per call (the parameter's documented constraint for VPCs, subnets and network
// interfaces).
#define RESOURCE_IDS_MAX 1000

static const struct ec2_kind *kind(const char *store_kind)
{
    return ec2_kind_by_store(store_kind);
}

// 400 InvalidParameter, the code of CreateFlowLogs' parameter errors in real answers ("Unable to
// assume given IAM role", "When providing a role for cross-account delivery, both the
// DeliverLogsPermissionArn and DeliverCrossAccountRole fields must be set.",
// hashicorp/terraform-provider-aws#29323 and #28577).
__attribute__((format(printf, 2, 3))) static int invalid(struct svc_call *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ec2_err(c, 400, "InvalidParameter", "%s", msg);
}

// The kind's NotFound message for id (the formats of the kinds table have exactly one %s).
static const char *not_found_message(struct svc_call *c, const struct ec2_kind *k, const char *id)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    return ec2_fmt(c, k->not_found_fmt, id);
#pragma GCC diagnostic pop
}

static int unsupported(struct svc_call *c, const char *what)
{
    return ec2_err(c, 400, "UnsupportedOperation", "%s is not supported by sagebox.", what);
}

// What a CreateFlowLogs asks for, validated.
struct create_req {
    const char *resource_type; // VPC | Subnet | NetworkInterface
    const struct ec2_kind *rkind;
    const json_t *ids;
    const char *traffic;
    const char *dest_type; // cloud-watch-logs | s3
    const char *group;     // cloud-watch-logs: the log group
    const char *dest;      // LogDestination as given, or NULL
    const char *role;
    const char *format;
    int interval;
    json_t *tags;
};

// The group named by a log group ARN LogDestination (arn:PARTITION:logs:REGION:ACCOUNT:
// log-group:NAME, the form the API Reference documents). The group must be in the flow log's
// account and Region (the IAM role "must belong to your AWS account"; cross-account delivery is
// a Firehose feature). Wordings are sagebox's: EC2's could not be found.
static int group_of_arn(struct svc_call *c, const char *arn, const char **group)
{
    const char *prefix = ec2_fmt(c, "arn:%s:logs:%s:%s:log-group:", c->env->partition, c->region,
                                 c->caller->account);
    size_t n = strlen(prefix);
    if (strncmp(arn, "arn:", 4) != 0 || strstr(arn, ":logs:") == NULL ||
        strstr(arn, ":log-group:") == NULL) {
        return invalid(c, "LogDestination: %s is not a valid CloudWatch Logs log group ARN.", arn);
    }
    if (strncmp(arn, prefix, n) != 0 || arn[n] == '\0') {
        return invalid(c, "LogDestination: %s must be a log group of account %s in Region %s.", arn,
                       c->caller->account, c->region);
    }
    // A trailing ":*" (the form DescribeLogGroups shows) stays part of the name: AWS accepts such
    // an ARN and delivery then fails for access (awsdocs/aws-cloudformation-user-guide#306).
    *group = arn + n;
    return 0;
}

// Checks an S3 destination: arn:PARTITION:s3:::BUCKET[/PREFIX/], and no "AWSLogs" subfolder
// ("Note that you can't use AWSLogs as a subfolder name", LogDestination's documentation). The
// wordings are sagebox's.
static int check_s3_arn(struct svc_call *c, const char *arn)
{
    const char *prefix = ec2_fmt(c, "arn:%s:s3:::", c->env->partition);
    size_t n = strlen(prefix);
    if (strncmp(arn, prefix, n) != 0 || arn[n] == '\0' || arn[n] == '/') {
        return invalid(c, "LogDestination: %s is not a valid S3 bucket ARN.", arn);
    }
    const char *slash = strchr(arn + n, '/');
    if (slash != NULL && (strncmp(slash, "/AWSLogs/", 9) == 0 || strcmp(slash, "/AWSLogs") == 0)) {
        return invalid(c, "LogDestination: AWSLogs cannot be used as a subfolder name.");
    }
    return 0;
}

// Validates the destination members of a CreateFlowLogs. The two "can't be empty" wordings and
// the LogGroupName one are those EC2 emulators quote (getmoto/moto's InvalidDependantParameter
// errors); "DeliverLogsPermissionArn is not applicable for s3 delivery" is real EC2's
// (aws-samples/aws-secure-environment-accelerator#1111); the others could not be found.
static int check_destination(struct svc_call *c, struct create_req *r)
{
    r->group = ec2_in_str(c, "LogGroupName");
    r->dest = ec2_in_str(c, "LogDestination");
    r->role = ec2_in_str(c, "DeliverLogsPermissionArn");
    bool options = json_object_get(c->in, "DestinationOptions") != NULL;
    if (strcmp(r->dest_type, "s3") == 0) {
        if (r->role != NULL) {
            return invalid(c, "DeliverLogsPermissionArn is not applicable for s3 delivery");
        }
        if (r->group != NULL) {
            return invalid(c, "LogDestination type must be cloud-watch-logs if LogGroupName is "
                              "provided.");
        }
        if (r->dest == NULL) {
            return invalid(c, "LogDestination can't be empty if LogGroupName is not provided.");
        }
        return check_s3_arn(c, r->dest);
    }
    if (options) {
        return invalid(c, "DestinationOptions is not applicable for cloud-watch-logs delivery");
    }
    if (r->group != NULL && r->dest != NULL) {
        return invalid(c, "Please only provide LogGroupName or only provide LogDestination.");
    }
    if (r->group == NULL && r->dest == NULL) {
        return invalid(c, "LogDestination can't be empty if LogGroupName is not provided.");
    }
    if (r->dest != NULL && group_of_arn(c, r->dest, &r->group) != 0) {
        return -1;
    }
    if (r->role == NULL) {
        return invalid(c, "DeliverLogsPermissionArn can't be empty if LogDestinationType is "
                          "cloud-watch-logs.");
    }
    return 0;
}

// Validates a CreateFlowLogs request as a whole (everything that needs no store).
static int parse_create(struct svc_call *c, struct create_req *r)
{
    memset(r, 0, sizeof(*r));
    r->resource_type = ec2_in_str(c, "ResourceType");
    if (strcmp(r->resource_type, "VPC") == 0) {
        r->rkind = kind(EC2_KIND_VPC);
    } else if (strcmp(r->resource_type, "Subnet") == 0) {
        r->rkind = kind(EC2_KIND_SUBNET);
    } else if (strcmp(r->resource_type, "NetworkInterface") == 0) {
        r->rkind = kind(EC2_KIND_ENI);
    } else {
        return unsupported(c, ec2_fmt(c, "The resource type %s", r->resource_type));
    }
    if (json_object_get(c->in, "DeliverCrossAccountRole") != NULL) {
        return unsupported(c, "Cross-account delivery (DeliverCrossAccountRole)");
    }
    r->ids = json_object_get(c->in, "ResourceIds");
    if (json_array_size(r->ids) == 0) {
        return ec2_err_missing(c, "ResourceId");
    }
    if (json_array_size(r->ids) > RESOURCE_IDS_MAX) {
        // Wording not verified against AWS.
        return invalid(c, "A maximum of %d resource IDs can be specified.", RESOURCE_IDS_MAX);
    }
    r->traffic = ec2_in_str(c, "TrafficType");
    if (r->traffic == NULL) {
        // "It is required for the other resource types" (TrafficType's documentation); the
        // wording is the protocol layer's for a missing parameter.
        return ec2_err_missing(c, "TrafficType");
    }
    r->dest_type = ec2_in_str(c, "LogDestinationType");
    if (r->dest_type == NULL) {
        r->dest_type = "cloud-watch-logs";
    }
    if (strcmp(r->dest_type, "kinesis-data-firehose") == 0) {
        return unsupported(c, "The destination type kinesis-data-firehose");
    }
    if (check_destination(c, r) != 0) {
        return -1;
    }
    const json_t *mi = json_object_get(c->in, "MaxAggregationInterval");
    r->interval = json_is_integer(mi) ? (int)json_integer_value(mi) : 600;
    if (json_is_integer(mi) && json_integer_value(mi) != 60 && json_integer_value(mi) != 600) {
        // 60 or 600 (the parameter's documentation); the wording is the one EC2 emulators quote
        // (getmoto/moto), not verified against AWS.
        return invalid(c, "Invalid Flow Log Max Aggregation Interval");
    }
    r->format = ec2_in_str(c, "LogFormat");
    if (r->format == NULL) {
        r->format = FLOWLOG_DEFAULT_FORMAT;
    }
    struct flowlog_format f;
    if (flowlog_format_parse(r->format, &f, NULL, 0) != FLOWLOG_FORMAT_OK) {
        // Real EC2's answer for a malformed format (a trailing space), aws-cloudformation/
        // rain#288; that an unknown ${field} gets the same answer, and the code (that of EC2's
        // other "1 validation error detected" answers, cloud-custodian#2944), are not verified.
        return ec2_err_value(c,
                             "1 validation error detected: Value '%s' at 'logFormat' has an "
                             "invalid format",
                             r->format);
    }
    return ec2_tag_specs(c, "vpc-flow-log", &r->tags);
}

// The resource a CreateFlowLogs names, loaded.
struct target {
    const char *id;
    json_t *doc; // NULL when it does not exist
    const char *vpc_id;
};

// The resource of a decision on a monitored resource.
static struct ec2_res target_res(struct svc_call *c, const struct create_req *r,
                                 const struct target *t)
{
    struct ec2_res res = {.arn = ec2_arn(c, r->rkind->type, t->id), .doc = t->doc};
    if (t->doc == NULL) {
        return res;
    }
    if (r->rkind == kind(EC2_KIND_VPC)) {
        res.keys[0] = "ec2:Tenancy";
        res.keys[1] = ec2_str(t->doc, "InstanceTenancy");
        return res;
    }
    res.vpc_id = t->vpc_id;
    res.keys[0] = "ec2:AvailabilityZone";
    res.keys[1] = ec2_str(t->doc, "AvailabilityZone");
    if (r->rkind == kind(EC2_KIND_ENI)) {
        res.keys[2] = "ec2:Subnet";
        res.keys[3] = ec2_arn(c, "subnet", ec2_str(t->doc, "SubnetId"));
    }
    return res;
}

// iam:PassRole on the delivery role (CreateFlowLogs' dependent action; callers without it get
// UnauthorizedOperation, e.g. RiotGames/cloud-inquisitor#150), with iam:PassedToService and
// iam:AssociatedResourceARN (the monitored resources).
static int authorize_pass_role(struct svc_call *c, const struct create_req *r,
                               const struct target *t, size_t n)
{
    const char **arns = arena_calloc(c->arena, n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        arns[i] = ec2_arn(c, r->rkind->type, t[i].id);
    }
    policy_context_set(c->ctx, "iam:PassedToService", FLOWLOG_SERVICE_PRINCIPAL);
    if (n == 1) {
        policy_context_set(c->ctx, "iam:AssociatedResourceARN", arns[0]);
    } else {
        policy_context_set_list(c->ctx, "iam:AssociatedResourceARN", arns, n);
    }
    int rc = svc_authorize(c, "iam:PassRole", r->role, NULL, NULL);
    policy_context_unset(c->ctx, "iam:PassedToService");
    policy_context_unset(c->ctx, "iam:AssociatedResourceARN");
    return rc;
}

// The request as an idempotency record: every member but DryRun and ClientToken, canonically.
static const char *request_text(struct svc_call *c)
{
    json_t *copy = json_deep_copy(c->in);
    json_object_del(copy, "DryRun");
    json_object_del(copy, "ClientToken");
    char *text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(copy);
    const char *out = arena_strndup(c->arena, text, strlen(text));
    free(text);
    return out;
}

// Answers a repeated ClientToken: the flow logs created under it when the request is the same
// (*done set), IdempotentParameterMismatch when it is not. Returns 0 or -1.
static int replay(struct svc_call *c, const char *token, bool *done)
{
    *done = false;
    struct store_obj *items;
    size_t n;
    if (ec2_list_all(c, kind(EC2_KIND_FL), NULL, NULL, &items, &n) != 0) {
        return -1;
    }
    const char *request = request_text(c);
    json_t *ids = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *doc = ec2_parse(c, &items[i]);
        if (doc == NULL) {
            json_decref(ids);
            return -1;
        }
        const char *t = ec2_str(doc, "_ClientToken");
        if (t != NULL && strcmp(t, token) == 0) {
            const char *was = ec2_str(doc, "_ClientRequest");
            if (was == NULL || strcmp(was, request) != 0) {
                json_decref(doc);
                json_decref(ids);
                // EC2's code for a reused token (errors-overview.html); the message is the one
                // EC2 gives for RunInstances, not verified for CreateFlowLogs.
                return ec2_err(c, 400, "IdempotentParameterMismatch",
                               "Arguments on this idempotent request are inconsistent with "
                               "arguments used in previous request(s).");
            }
            json_array_append_new(ids, json_string(ec2_str(doc, "FlowLogId")));
        }
        json_decref(doc);
    }
    if (json_array_size(ids) == 0) {
        json_decref(ids);
        return 0;
    }
    c->out = json_pack("{s:s, s:o, s:[]}", "ClientToken", token, "FlowLogIds", ids, "Unsuccessful");
    *done = true;
    return 0;
}

// True when an existing flow log of the resource has the same traffic type and destination.
static int exists_same(struct svc_call *c, const struct create_req *r, const struct target *t)
{
    struct store_obj *items;
    size_t n;
    if (ec2_list_all(c, kind(EC2_KIND_FL), t->vpc_id, t->id, &items, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *doc = ec2_parse(c, &items[i]);
        if (doc == NULL) {
            return -1;
        }
        const char *tt = ec2_str(doc, "TrafficType");
        const char *dt = ec2_str(doc, "LogDestinationType");
        const char *where = strcmp(r->dest_type, "s3") == 0 ? ec2_str(doc, "LogDestination")
                                                            : ec2_str(doc, "LogGroupName");
        const char *want = strcmp(r->dest_type, "s3") == 0 ? r->dest : r->group;
        bool same = tt != NULL && strcmp(tt, r->traffic) == 0 && dt != NULL &&
                    strcmp(dt, r->dest_type) == 0 && where != NULL && want != NULL &&
                    strcmp(where, want) == 0;
        json_decref(doc);
        if (same) {
            return 1;
        }
    }
    return 0;
}

static json_t *unsuccessful(const char *resource, const char *code, const char *message)
{
    return json_pack("{s:{s:s, s:s}, s:s}", "Error", "Code", code, "Message", message, "ResourceId",
                     resource);
}

// The DestinationOptions of an S3 flow log: the request's, with the documented defaults
// (plain-text, no Hive-compatible prefixes, no hourly partitions).
static json_t *destination_options(const json_t *in)
{
    const json_t *o = json_object_get(in, "DestinationOptions");
    const char *ff = ec2_str(o, "FileFormat");
    return json_pack("{s:s, s:b, s:b}", "FileFormat", ff ? ff : "plain-text",
                     "HiveCompatiblePartitions",
                     json_is_true(json_object_get(o, "HiveCompatiblePartitions")),
                     "PerHourPartition", json_is_true(json_object_get(o, "PerHourPartition")));
}

// Builds the FlowLog document of a new flow log.
static json_t *flow_log_doc(struct svc_call *c, const struct create_req *r, const char *id,
                            const char *resource, const char *status_error, const char *token,
                            const char *request)
{
    json_t *d =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "CreationTime", ec2_now_iso(c),
                  "DeliverLogsStatus", status_error ? "FAILED" : "SUCCESS", "FlowLogId", id,
                  "FlowLogStatus", "ACTIVE", "ResourceId", resource, "TrafficType", r->traffic,
                  "LogDestinationType", r->dest_type, "MaxAggregationInterval", r->interval);
    if (status_error != NULL) {
        json_object_set_new(d, "DeliverLogsErrorMessage", json_string(status_error));
    }
    if (r->role != NULL) {
        json_object_set_new(d, "DeliverLogsPermissionArn", json_string(r->role));
    }
    if (strcmp(r->dest_type, "cloud-watch-logs") == 0) {
        json_object_set_new(d, "LogGroupName", json_string(r->group));
    }
    if (r->dest != NULL) {
        json_object_set_new(d, "LogDestination", json_string(r->dest));
    }
    json_object_set_new(d, "LogFormat", json_string(r->format));
    ec2_tags_init(kind(EC2_KIND_FL), d, r->tags);
    if (strcmp(r->dest_type, "s3") == 0) {
        json_object_set_new(d, "DestinationOptions", destination_options(c->in));
    }
    json_object_set_new(d, "_ResourceType", json_string(r->resource_type));
    if (token != NULL) {
        json_object_set_new(d, "_ClientToken", json_string(token));
        json_object_set_new(d, "_ClientRequest", json_string(request));
    }
    return d;
}

// Loads the named resources (a missing one has no document).
static int load_targets(struct svc_call *c, const struct create_req *r, struct target *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_array_get(r->ids, i));
        t[i].id = id != NULL ? id : "";
        int rc = ec2_id_wellformed(t[i].id, r->rkind->prefix)
                     ? ec2_get(c, r->rkind, t[i].id, NULL, &t[i].doc)
                     : SB_ENOTFOUND;
        if (rc != 0 && rc != SB_ENOTFOUND) {
            return -1;
        }
        if (t[i].doc != NULL) {
            const char *v = r->rkind == kind(EC2_KIND_VPC) ? t[i].id : ec2_str(t[i].doc, "VpcId");
            t[i].vpc_id = v != NULL ? ec2_fmt(c, "%s", v) : NULL;
        }
    }
    return 0;
}

// Decides the delivery status of a new cloud-watch-logs flow log (NULL: SUCCESS, else the
// DeliverLogsErrorMessage), failing the call when the role cannot be assumed.
static int delivery_status(struct svc_call *c, const struct create_req *r, const char *fl_id,
                           bool group_exists, const char **error)
{
    *error = NULL;
    if (strcmp(r->dest_type, "cloud-watch-logs") != 0) {
        return 0;
    }
    enum flowlog_role_result rr;
    if (flowlog_role_check(c, r->role, fl_id, r->group, group_exists, &rr) != 0) {
        return -1;
    }
    if (rr == FLOWLOG_ROLE_UNUSABLE) {
        return invalid(c, "Unable to assume given IAM role: '%s'", r->role);
    }
    if (rr == FLOWLOG_ROLE_DENIED || !flowlog_group_name_ok(r->group)) {
        *error = "Access error";
    }
    return 0;
}

// CreateFlowLogs.
static int create_flow_logs_body(struct svc_call *c)
{
    struct create_req r;
    if (parse_create(c, &r) != 0) {
        return -1;
    }
    int rc = -1;
    size_t n = json_array_size(r.ids);
    struct target *t = arena_calloc(c->arena, n + 1, sizeof(*t));
    json_t *ids = json_array();
    json_t *failed = json_array();
    if (load_targets(c, &r, t, n) != 0) {
        goto out;
    }
    if (r.role != NULL && authorize_pass_role(c, &r, t, n) != 0) {
        goto out;
    }
    if (strcmp(r.dest_type, "s3") == 0 &&
        svc_authorize(c, "logs:CreateLogDelivery", "*", NULL, NULL) != 0) {
        goto out;
    }
    struct ec2_res *res = arena_calloc(c->arena, n + 1, sizeof(*res));
    res[0] = (struct ec2_res){.arn = ec2_arn(c, "vpc-flow-log", "*"), .request_tags = r.tags};
    for (size_t i = 0; i < n; i++) {
        res[i + 1] = target_res(c, &r, &t[i]);
    }
    if (ec2_authorize(c, "ec2:CreateFlowLogs", res, n + 1) != 0) {
        goto out;
    }
    const char *token = ec2_in_str(c, "ClientToken");
    bool done = false;
    if (token != NULL && replay(c, token, &done) != 0) {
        goto out;
    }
    if (done) {
        rc = 0;
        goto out;
    }
    bool group_exists = false;
    if (r.group != NULL) {
        struct logs_obj g;
        if (logs_group_get(c, r.group, &g) != 0) {
            goto out;
        }
        group_exists = g.found;
        logs_obj_release(&g);
    }
    const char *request = token != NULL ? request_text(c) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (t[i].doc == NULL) {
            json_array_append_new(failed, unsuccessful(t[i].id, r.rkind->not_found_code,
                                                       not_found_message(c, r.rkind, t[i].id)));
            continue;
        }
        int same = exists_same(c, &r, &t[i]);
        if (same < 0) {
            goto out;
        }
        if (same > 0) {
            // FlowLogAlreadyExists is reported per resource; the message is the one EC2
            // emulators quote (getmoto/moto), not verified against AWS.
            json_array_append_new(failed,
                                  unsuccessful(t[i].id, "FlowLogAlreadyExists",
                                               "Error. There is an existing Flow Log with the same "
                                               "configuration and log destination."));
            continue;
        }
        const char *id = ec2_new_id(c, "fl");
        const char *error;
        if (delivery_status(c, &r, id, group_exists, &error) != 0) {
            goto out;
        }
        json_t *doc = flow_log_doc(c, &r, id, t[i].id, error, token, request);
        int prc = ec2_put(c, kind(EC2_KIND_FL), id, t[i].vpc_id, t[i].id, doc, STORE_CREATE);
        json_decref(doc);
        if (prc != 0) {
            goto out;
        }
        json_array_append_new(ids, json_string(id));
    }
    char generated[IDS_UUID_LEN + 1];
    if (token == NULL) {
        // AWS answers with a ClientToken also when the request has none (the CLI's
        // create-flow-logs example output); sagebox makes one up.
        ids_uuid4(generated);
        token = generated;
    }
    c->out = json_pack("{s:s, s:O, s:O}", "ClientToken", token, "FlowLogIds", ids, "Unsuccessful",
                       failed);
    rc = 0;
out:
    for (size_t i = 0; i < n; i++) {
        json_decref(t[i].doc);
    }
    json_decref(ids);
    json_decref(failed);
    json_decref(r.tags);
    return rc;
}

EC2_OPERATION(create_flow_logs, true)

// DescribeFlowLogs filters (EC2 API Reference).
static const struct ec2_filter_def flow_log_filters[] = {
    {"deliver-log-status", "DeliverLogsStatus", NULL},
    {"log-destination-type", "LogDestinationType", NULL},
    {"flow-log-id", "FlowLogId", NULL},
    {"log-group-name", "LogGroupName", NULL},
    {"resource-id", "ResourceId", NULL},
    {"traffic-type", "TrafficType", NULL},
    {NULL, NULL, NULL},
};

// DescribeFlowLogs. Its model names the filter list "Filter" (not "Filters"), which is given to
// ec2_describe under the usual name. FlowLogIds narrow the answer like a flow-log-id filter: an
// unknown id is simply not in it (the Terraform provider finds a deleted flow log by the empty
// answer and expects InvalidFlowLogId.NotFound only from DeleteFlowLogs), and MaxResults may go
// with them.
static int describe_flow_logs_body(struct svc_call *c)
{
    const json_t *ids = json_object_get(c->in, "FlowLogIds");
    const json_t *saved = c->in;
    json_t *in = json_deep_copy(c->in);
    json_t *filters = json_object_get(in, "Filter");
    if (json_is_array(filters)) {
        json_object_set(in, "Filters", filters);
    }
    json_object_del(in, "Filter");
    if (ids != NULL) {
        json_object_del(in, "FlowLogIds");
        filters = json_object_get(in, "Filters");
        if (!json_is_array(filters)) {
            filters = json_array();
            json_object_set_new(in, "Filters", filters);
        }
        json_array_append_new(filters,
                              json_pack("{s:s, s:O}", "Name", "flow-log-id", "Values", ids));
    }
    c->in = in;
    struct ec2_describe_spec spec = {
        .kind = kind(EC2_KIND_FL),
        .out_member = "FlowLogs",
        .filters = flow_log_filters,
        .paged = true,
        .path_filter = "resource-id",
    };
    int rc = ec2_describe(c, &spec);
    c->in = saved;
    json_decref(in);
    return rc;
}

EC2_OPERATION(describe_flow_logs, false)

// DeleteFlowLogs: unknown ids are reported in Unsuccessful with InvalidFlowLogId.NotFound (the
// code the Terraform provider reads from the Unsuccessful items of this call); the message is
// the kinds table's, not verified against AWS.
static int delete_flow_logs_body(struct svc_call *c)
{
    const struct ec2_kind *k = kind(EC2_KIND_FL);
    const json_t *ids = json_object_get(c->in, "FlowLogIds");
    size_t n = json_array_size(ids);
    if (n == 0) {
        return ec2_err_missing(c, "FlowLogId");
    }
    if (n > RESOURCE_IDS_MAX) {
        // The parameter's documented constraint; the wording is sagebox's.
        return invalid(c, "A maximum of %d flow log IDs can be specified.", RESOURCE_IDS_MAX);
    }
    json_t **docs = arena_calloc(c->arena, n + 1, sizeof(json_t *));
    struct ec2_res *res = arena_calloc(c->arena, n + 1, sizeof(*res));
    bool s3 = false;
    int rc = -1;
    json_t *failed = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        id = id != NULL ? id : "";
        int g = ec2_id_wellformed(id, k->prefix) ? ec2_get(c, k, id, NULL, &docs[i]) : SB_ENOTFOUND;
        if (g != 0 && g != SB_ENOTFOUND) {
            goto out;
        }
        res[i] = (struct ec2_res){.arn = ec2_arn(c, k->type, id), .doc = docs[i]};
        if (docs[i] != NULL) {
            const char *dt = ec2_str(docs[i], "LogDestinationType");
            s3 = s3 || (dt != NULL && strcmp(dt, "s3") == 0);
        }
    }
    if (s3 && svc_authorize(c, "logs:DeleteLogDelivery", "*", NULL, NULL) != 0) {
        goto out;
    }
    if (ec2_authorize(c, "ec2:DeleteFlowLogs", res, n) != 0) {
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        id = id != NULL ? id : "";
        bool repeated = false;
        for (size_t j = 0; j < i && !repeated; j++) {
            repeated = strcmp(id, json_string_value(json_array_get(ids, j))) == 0;
        }
        if (repeated) {
            continue;
        }
        if (docs[i] == NULL) {
            json_array_append_new(failed,
                                  unsuccessful(id, k->not_found_code, not_found_message(c, k, id)));
            continue;
        }
        if (ec2_delete(c, k, id) != 0) {
            goto out;
        }
    }
    c->out = json_pack("{s:O}", "Unsuccessful", failed);
    rc = 0;
out:
    for (size_t i = 0; i < n; i++) {
        json_decref(docs[i]);
    }
    json_decref(failed);
    return rc;
}

EC2_OPERATION(delete_flow_logs, true)

const struct svc_handler ec2_flowlog_handlers[] = {
    {"CreateFlowLogs", create_flow_logs},
    {"DescribeFlowLogs", describe_flow_logs},
    {"DeleteFlowLogs", delete_flow_logs},
    {NULL, NULL},
};
