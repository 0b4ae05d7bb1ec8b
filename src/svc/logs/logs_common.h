// SPDX-License-Identifier: Apache-2.0
// What every CloudWatch Logs operation shares (CloudWatch Logs API Reference, 2014-03-28; AWS
// JSON 1.1, target prefix Logs_20140328, signing name "logs"): the store scope of the caller's
// account and region, ARNs, the service's errors (InvalidParameterException,
// ResourceNotFoundException, ResourceAlreadyExistsException, all HTTP 400 as the model says), tag
// condition keys, and one store transaction per operation.
//
// Stored objects (store.h), all in the caller's account and the request's region:
//
//   kind "logs.group"  id: "lg-" + 17 hex digits; name: the log group name (unique, compared
//                      byte for byte, so listing by name is AWS's ASCII order).
//     {"logGroupName": s, "creationTime": ms, "retentionInDays": n?, "kmsKeyId": arn?,
//      "tags": {k: v}, "storedBytes": n}
//
//   kind "logs.stream" id: <group id> "/" <stream name>; parent: the group id. The id orders a
//                      group's streams by name, and <group id> "/" <prefix> selects a prefix.
//     {"logStreamName": s, "creationTime": ms, "firstEventTimestamp": ms?,
//      "lastEventTimestamp": ms?, "lastIngestionTime": ms?, "storedBytes": n, "seq": n}
//     ("seq" counts the events ever put; it makes event ids and the upload sequence token.)
//
//   kind "logs.events" one row per event; id: <stream id> "/" <timestamp, 16 digits> "/" <seq,
//                      16 digits>; parent: the stream id. The id orders a stream's events by
//                      timestamp, then by arrival.
//     {"t": timestamp ms, "m": message, "i": ingestion time ms, "e": event id (56 digits)}
//
// DeleteLogStream deletes the stream's events; DeleteLogGroup its streams and their events. An
// acknowledged PutLogEvents is committed in one transaction, so it survives kill -9.
#ifndef SAGEBOX_LOGS_COMMON_H
#define SAGEBOX_LOGS_COMMON_H

#include "svc/svc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOGS_KIND_GROUP  "logs.group"
#define LOGS_KIND_STREAM "logs.stream"
#define LOGS_KIND_EVENT  "logs.events"

// The store scope of a kind in the caller's account and the request's region.
struct store_scope logs_scope(const struct svc_call *c, const char *kind);

// printf into the request's arena.
const char *logs_fmt(struct svc_call *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// A string member of the request, or NULL.
const char *logs_in_str(const struct svc_call *c, const char *member);

// A log group's ARN without the ":*" DescribeLogGroups appends:
// arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME (TagResource and friends take this form).
const char *logs_group_arn(struct svc_call *c, const char *group);

// The resource CloudWatch Logs decides group-level actions on. AWS's denials name
// arn:aws:logs:R:A:log-group:NAME:log-stream: (e.g. "... is not authorized to perform:
// logs:CreateLogGroup on resource: arn:aws:logs:eu-central-1:697149045717:log-group:/aws/lambda/
// github-actions-smoke-testing-test:log-stream: because no identity-based policy allows ...",
// elastic/apm-aws-lambda#526; logs:DescribeMetricFilters likewise, prowler-cloud/prowler#37), so
// that policies on log-group:NAME:* and log-group:* both match it. DescribeLogGroups passes ""
// ("... logs:DescribeLogGroups on resource: arn:aws:logs:us-east-1:819013376994:log-group::
// log-stream:", FormidableLabs/terraform-aws-serverless#49).
const char *logs_group_auth_arn(struct svc_call *c, const char *group);

// arn:PARTITION:logs:REGION:ACCOUNT:log-group:GROUP:log-stream:STREAM (the resource of
// CreateLogStream, PutLogEvents, GetLogEvents: "... logs:CreateLogStream on resource:
// arn:aws:logs:us-east-1:accountid:log-group:/aws/lambda/CRRHourlyMaint:log-stream:2019/12/16/
// [$LATEST]9f7b...", aws-solutions/aws-crr-monitor#8).
const char *logs_stream_arn(struct svc_call *c, const char *group, const char *stream);

// Fills c->err with 400 InvalidParameterException and the printf-style message; returns -1.
int logs_invalid(struct svc_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// 400 ResourceNotFoundException "The specified log group does not exist." / "The specified log
// stream does not exist." (AWS's wording, e.g. convox/rack#655). Return -1.
int logs_group_not_found(struct svc_call *c);
int logs_stream_not_found(struct svc_call *c);

// Maps a failed store call to 500 ServiceUnavailableException (the detail goes to the log only);
// returns -1.
int logs_store_error(struct svc_call *c, int rc, const struct store_err *e);

// A log group or stream read from the store.
struct logs_obj {
    bool found;
    struct store_obj obj; // strings in the request's arena
    json_t *doc;          // owned; logs_obj_release drops it
};

// Reads the group named name. Returns 0 with g->found true and g->doc set, 0 with g->found
// false when there is no such group, or -1 with c->err set (store failure, damaged document).
int logs_group_get(struct svc_call *c, const char *name, struct logs_obj *g);

// Drops g->doc.
void logs_obj_release(struct logs_obj *g);

// Reads the stream named stream of the group whose id is group_id, like logs_group_get.
int logs_stream_get(struct svc_call *c, const char *group_id, const char *stream,
                    struct logs_obj *s);

// The id of stream in the group group_id, in the arena.
const char *logs_stream_id(struct svc_call *c, const char *group_id, const char *stream);

// Serializes doc and writes it as obj (doc/doc_len are filled here) with mode. Returns 0, or -1
// with c->err set (SB_EEXISTS becomes exists_msg as ResourceAlreadyExistsException when given).
int logs_put(struct svc_call *c, struct store_obj *obj, const json_t *doc, enum store_put_mode mode,
             const char *exists_msg);

// Adds aws:ResourceTag/<key> for each tag of a group's "tags" object.
void logs_resource_tag_keys(struct svc_call *c, const json_t *group_doc);

// Adds aws:RequestTag/<key> for each member of tags (an object; NULL adds nothing) and
// aws:TagKeys for keys (an array of strings, or the object's keys when keys is NULL).
void logs_request_tag_keys(struct svc_call *c, const json_t *tags, const json_t *keys);

// Runs body inside one store transaction (read-write when write), committing when it succeeds and
// rolling back otherwise, so that a denied or failed call changes nothing.
int logs_run(struct svc_call *c, bool write, svc_handler_fn body);

// Declares a handler NAME running NAME_body in one transaction: LOGS_OPERATION(create_x, true).
#define LOGS_OPERATION(name, write)                                                                \
    static int name(struct svc_call *c)                                                            \
    {                                                                                              \
        return logs_run(c, write, name##_body);                                                    \
    }

// The wall clock in milliseconds since the epoch.
int64_t logs_now_ms(void);

// Reads every object of kind whose parent is parent through all of the store's pages into an
// arena array (name_prefix narrows by sort key when not NULL). Returns 0 or -1 with c->err set.
int logs_list_all(struct svc_call *c, const char *kind, const char *parent, const char *name_prefix,
                  struct store_obj **items, size_t *count);

// Parses a stored document; NULL (with c->err set to a 500) when it is damaged.
json_t *logs_load_doc(struct svc_call *c, const struct store_obj *o);

// Deletes every event of the stream with this id. Returns 0 or -1 with c->err set.
int logs_delete_stream_events(struct svc_call *c, const char *stream_id);

// Reads an integer member of a document (0 when absent).
int64_t logs_int(const json_t *doc, const char *key);

#endif
