// SPDX-License-Identifier: Apache-2.0
// CloudWatch Logs log streams (CloudWatch Logs API Reference: CreateLogStream, DeleteLogStream,
// DescribeLogStreams). Objects follow logs_common.h.
//
// Authorization: CreateLogStream and DeleteLogStream are decided on the stream's ARN
// (arn:aws:logs:R:A:log-group:G:log-stream:S, the resource AWS's denials of CreateLogStream name),
// DescribeLogStreams on the group (logs_group_auth_arn) with its aws:ResourceTag/* keys.
#include "svc/logs/logs_common.h"
#include "svc/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Finds the group of a stream operation after deciding action on resource. Returns 0 with g
// loaded, or -1 with c->err (AccessDenied, or ResourceNotFoundException for the group).
static int find_group(struct svc_call *c, const char *action, const char *resource,
                      const char *group, struct logs_obj *g)
{
    if (svc_authorize(c, action, resource, NULL, NULL) != 0) {
        return -1;
    }
    if (logs_group_get(c, group, g) != 0) {
        return -1;
    }
    if (!g->found) {
        return logs_group_not_found(c);
    }
    return 0;
}

static int create_log_stream_body(struct svc_call *c)
{
    const char *group = logs_in_str(c, "logGroupName");
    const char *stream = logs_in_str(c, "logStreamName");
    struct logs_obj g;
    if (find_group(c, "logs:CreateLogStream", logs_stream_arn(c, group, stream), group, &g) != 0) {
        return -1;
    }
    logs_obj_release(&g);
    json_t *doc =
        json_pack("{s:s, s:I, s:I, s:I}", "logStreamName", stream, "creationTime",
                  (json_int_t)logs_now_ms(), "storedBytes", (json_int_t)0, "seq", (json_int_t)0);
    struct store_obj o = {
        .account = c->caller->account,
        .region = c->region,
        .kind = LOGS_KIND_STREAM,
        .id = logs_stream_id(c, g.obj.id, stream),
        .parent = g.obj.id,
    };
    // "ResourceAlreadyExistsException: The specified log stream already exists" (AWS's wording,
    // e.g. aws/aws-for-fluent-bit and fluent-plugin-cloudwatch-logs reports).
    int rc = logs_put(c, &o, doc, STORE_CREATE, "The specified log stream already exists");
    json_decref(doc);
    return rc;
}
LOGS_OPERATION(create_log_stream, true)

static int delete_log_stream_body(struct svc_call *c)
{
    const char *group = logs_in_str(c, "logGroupName");
    const char *stream = logs_in_str(c, "logStreamName");
    struct logs_obj g;
    if (find_group(c, "logs:DeleteLogStream", logs_stream_arn(c, group, stream), group, &g) != 0) {
        return -1;
    }
    logs_obj_release(&g);
    const char *id = logs_stream_id(c, g.obj.id, stream);
    struct store_scope sc = logs_scope(c, LOGS_KIND_STREAM);
    struct store_err e = {{0}};
    int rc = store_delete(c->env->store, &sc, id, &e);
    if (rc == SB_ENOTFOUND) {
        return logs_stream_not_found(c);
    }
    if (rc != 0) {
        return logs_store_error(c, rc, &e);
    }
    return logs_delete_stream_events(c, id);
}
LOGS_OPERATION(delete_log_stream, true)

struct stream_row {
    json_t *doc;
    const char *name;
    int64_t last_event;
};

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct stream_row *)a)->name, ((const struct stream_row *)b)->name);
}

static int by_last_event(const void *a, const void *b)
{
    const struct stream_row *x = a;
    const struct stream_row *y = b;
    if (x->last_event != y->last_event) {
        return x->last_event < y->last_event ? -1 : 1;
    }
    return by_name(a, b);
}

// A stream as DescribeLogStreams returns it. storedBytes of streams is "always reported as zero"
// since June 17, 2019 (LogStream data type).
static json_t *stream_out(struct svc_call *c, const char *group, const json_t *doc)
{
    const char *name = json_string_value(json_object_get(doc, "logStreamName"));
    json_t *o = json_pack("{s:s, s:I, s:s, s:I}", "logStreamName", name, "creationTime",
                          (json_int_t)logs_int(doc, "creationTime"), "arn",
                          logs_stream_arn(c, group, name), "storedBytes", (json_int_t)0);
    static const char *const times[] = {"firstEventTimestamp", "lastEventTimestamp",
                                        "lastIngestionTime"};
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        const json_t *t = json_object_get(doc, times[i]);
        if (json_is_integer(t)) {
            json_object_set(o, times[i], (json_t *)t);
        }
    }
    // The upload sequence token PutLogEvents would have returned last; tokens are accepted and
    // ignored since January 2023 (PutLogEvents API Reference), but clients still read it.
    json_object_set_new(o, "uploadSequenceToken",
                        json_string(logs_fmt(c, "%056lld", (long long)logs_int(doc, "seq") + 1)));
    return o;
}

static int describe_log_streams_body(struct svc_call *c)
{
    const char *group = logs_in_str(c, "logGroupName");
    const char *prefix = logs_in_str(c, "logStreamNamePrefix");
    const char *order = logs_in_str(c, "orderBy");
    const char *token = logs_in_str(c, "nextToken");
    bool descending = json_is_true(json_object_get(c->in, "descending"));
    const json_t *lim = json_object_get(c->in, "limit");
    size_t limit = json_is_integer(lim) ? (size_t)json_integer_value(lim) : 50;
    bool by_time = order != NULL && strcmp(order, "LastEventTime") == 0;
    struct logs_obj g;
    if (logs_group_get(c, group, &g) != 0) {
        return -1;
    }
    if (g.found) {
        logs_resource_tag_keys(c, g.doc);
    }
    logs_obj_release(&g);
    if (svc_authorize(c, "logs:DescribeLogStreams", logs_group_auth_arn(c, group), NULL, NULL) !=
        0) {
        return -1;
    }
    if (!g.found) {
        return logs_group_not_found(c);
    }
    // "If you order the results by event time, you cannot specify the logStreamNamePrefix
    // parameter." (DescribeLogStreams API Reference; AWS's message as quoted in user reports.)
    if (by_time && prefix != NULL) {
        return logs_invalid(c, "Cannot order by LastEventTime with a logStreamNamePrefix.");
    }
    size_t start = 0;
    if (token != NULL) {
        char *end = NULL;
        unsigned long long v = strtoull(token, &end, 10);
        if (end == token || *end != '\0' || token[0] == '-') {
            // Wording not verified against AWS.
            return logs_invalid(c, "The specified nextToken is invalid.");
        }
        start = (size_t)v;
    }
    struct store_obj *items = NULL;
    size_t n = 0;
    const char *sort_prefix = prefix != NULL ? logs_stream_id(c, g.obj.id, prefix) : NULL;
    if (logs_list_all(c, LOGS_KIND_STREAM, g.obj.id, sort_prefix, &items, &n) != 0) {
        return -1;
    }
    struct stream_row *rows = arena_calloc(c->arena, n + 1, sizeof(*rows));
    int rc = 0;
    size_t loaded = 0;
    for (; loaded < n; loaded++) {
        rows[loaded].doc = logs_load_doc(c, &items[loaded]);
        if (rows[loaded].doc == NULL) {
            rc = -1;
            goto out;
        }
        const char *name = json_string_value(json_object_get(rows[loaded].doc, "logStreamName"));
        rows[loaded].name = name != NULL ? name : "";
        rows[loaded].last_event = logs_int(rows[loaded].doc, "lastEventTimestamp");
    }
    if (n > 1) {
        qsort(rows, n, sizeof(*rows), by_time ? by_last_event : by_name);
    }
    if (start > n) {
        rc = logs_invalid(c, "The specified nextToken is invalid.");
        goto out;
    }
    json_t *streams = json_array();
    size_t i = start;
    for (; i < n && i - start < limit; i++) {
        size_t k = descending ? n - 1 - i : i;
        json_array_append_new(streams, stream_out(c, group, rows[k].doc));
    }
    c->out = json_pack("{s:o}", "logStreams", streams);
    if (i < n) {
        json_object_set_new(c->out, "nextToken", json_string(logs_fmt(c, "%zu", i)));
    }
out:
    for (size_t k = 0; k < loaded; k++) {
        json_decref(rows[k].doc);
    }
    return rc;
}
LOGS_OPERATION(describe_log_streams, false)

const struct svc_handler logs_stream_handlers[] = {
    {"CreateLogStream", create_log_stream},
    {"DeleteLogStream", delete_log_stream},
    {"DescribeLogStreams", describe_log_streams},
    {NULL, NULL},
};
