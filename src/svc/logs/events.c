// SPDX-License-Identifier: Apache-2.0
// CloudWatch Logs log events (CloudWatch Logs API Reference: PutLogEvents, GetLogEvents,
// FilterLogEvents). Objects follow logs_common.h: one "logs.events" row per event, ordered within
// its stream by timestamp and arrival, written in the transaction that acknowledges the batch.
//
// PutLogEvents enforces the batch rules of its API Reference: at most 10,000 events (the model),
// at most 1,048,576 bytes counting each message in UTF-8 plus 26 bytes per event, chronological
// order, a span of at most 24 hours; events more than 2 hours in the future, more than 14 days
// old, or older than the group's retention are not stored but reported in rejectedLogEventsInfo.
// The sequence token is accepted and ignored ("PutLogEvents actions are now accepted and never
// return InvalidSequenceTokenException or DataAlreadyAcceptedException even if the sequence token
// is not valid", API Reference, since January 2023).
//
// Authorization: PutLogEvents and GetLogEvents are decided on the stream's ARN, FilterLogEvents on
// the group (logs_group_auth_arn) with its aws:ResourceTag/* keys.
#include "core/ids.h"
#include "svc/logs/filter_pattern.h"
#include "svc/logs/logs_common.h"
#include "svc/registry.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH_BYTES    1048576
#define EVENT_OVERHEAD     26
#define MS_PER_HOUR        (3600LL * 1000)
#define MS_PER_DAY         (24 * MS_PER_HOUR)
#define MAX_FUTURE_MS      (2 * MS_PER_HOUR)
#define MAX_AGE_MS         (14 * MS_PER_DAY)
#define MAX_SPAN_MS        (24 * MS_PER_HOUR)
#define MAX_RESPONSE_BYTES 1048576
#define DEFAULT_EVENTS     10000

// ---- PutLogEvents ------------------------------------------------------------------------

// Finds group and stream after deciding action on the stream's ARN. Returns 0 with both loaded
// (the caller releases them), or -1 with c->err set.
static int find_stream(struct svc_call *c, const char *action, const char *group,
                       const char *stream, struct logs_obj *g, struct logs_obj *s)
{
    memset(s, 0, sizeof(*s));
    if (svc_authorize(c, action, logs_stream_arn(c, group, stream), NULL, NULL) != 0) {
        return -1;
    }
    if (logs_group_get(c, group, g) != 0) {
        return -1;
    }
    if (!g->found) {
        return logs_group_not_found(c);
    }
    if (logs_stream_get(c, g->obj.id, stream, s) != 0) {
        logs_obj_release(g);
        return -1;
    }
    if (!s->found) {
        logs_obj_release(g);
        return logs_stream_not_found(c);
    }
    return 0;
}

// A new event id: 56 decimal digits (the length of AWS's), the timestamp first so that ids sort
// like their events, then 16 random digits and the stream's sequence number.
static const char *event_id(struct svc_call *c, int64_t ts, uint64_t seq)
{
    uint64_t r;
    ids_random_bytes(&r, sizeof(r));
    return logs_fmt(c, "%020" PRId64 "%016" PRIu64 "%020" PRIu64, ts,
                    (uint64_t)(r % 10000000000000000ULL), (uint64_t)(seq % 100000000000000000ULL));
}

static void set_min(json_t *doc, const char *key, int64_t v)
{
    const json_t *have = json_object_get(doc, key);
    if (!json_is_integer(have) || json_integer_value(have) > v) {
        json_object_set_new(doc, key, json_integer(v));
    }
}

static void set_max(json_t *doc, const char *key, int64_t v)
{
    const json_t *have = json_object_get(doc, key);
    if (!json_is_integer(have) || json_integer_value(have) < v) {
        json_object_set_new(doc, key, json_integer(v));
    }
}

// Validates a batch as a whole; returns 0 or -1 with AWS's InvalidParameterException.
static int check_batch(struct svc_call *c, const json_t *events)
{
    size_t n = json_array_size(events);
    size_t bytes = 0;
    int64_t prev = 0;
    int64_t lo = INT64_MAX;
    int64_t hi = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        const json_t *ev = json_array_get(events, i);
        bytes += json_string_length(json_object_get(ev, "message")) + EVENT_OVERHEAD;
        int64_t ts = (int64_t)json_integer_value(json_object_get(ev, "timestamp"));
        // "Log events in a single PutLogEvents request must be in chronological order." (AWS's
        // message, as the brief and client reports quote it.)
        if (i > 0 && ts < prev) {
            return logs_invalid(c, "Log events in a single PutLogEvents request must be in "
                                   "chronological order.");
        }
        prev = ts;
        lo = ts < lo ? ts : lo;
        hi = ts > hi ? ts : hi;
    }
    // "Upload too large: 1049882 bytes exceeds limit of 1048576" (AWS's message,
    // nhs-england-tools/terraform-aws-opennext#27).
    if (bytes > MAX_BATCH_BYTES) {
        return logs_invalid(c, "Upload too large: %zu bytes exceeds limit of %d", bytes,
                            MAX_BATCH_BYTES);
    }
    // "A batch of log events in a single request cannot span more than 24 hours. Otherwise, the
    // operation fails." (API Reference; the message is not verified.)
    if (n > 0 && hi - lo > MAX_SPAN_MS) {
        return logs_invalid(c, "The batch of log events in a single PutLogEvents request cannot "
                               "span more than 24 hours.");
    }
    return 0;
}

static int put_log_events_body(struct svc_call *c)
{
    const char *group = logs_in_str(c, "logGroupName");
    const char *stream = logs_in_str(c, "logStreamName");
    const json_t *events = json_object_get(c->in, "logEvents");
    struct logs_obj g;
    struct logs_obj s;
    if (find_stream(c, "logs:PutLogEvents", group, stream, &g, &s) != 0) {
        return -1;
    }
    int rc = -1;
    if (check_batch(c, events) != 0) {
        goto out;
    }
    int64_t now = logs_now_ms();
    int64_t retention = logs_int(g.doc, "retentionInDays");
    long too_old_end = -1;
    long expired_end = -1;
    long too_new_start = -1;
    uint64_t seq = (uint64_t)logs_int(s.doc, "seq");
    int64_t stored = 0;
    size_t n = json_array_size(events);
    for (size_t i = 0; i < n; i++) {
        const json_t *ev = json_array_get(events, i);
        int64_t ts = (int64_t)json_integer_value(json_object_get(ev, "timestamp"));
        const json_t *msg = json_object_get(ev, "message");
        bool rejected = false;
        if (ts > now + MAX_FUTURE_MS) {
            if (too_new_start < 0) {
                too_new_start = (long)i;
            }
            rejected = true;
        }
        if (ts < now - MAX_AGE_MS) {
            too_old_end = (long)i;
            rejected = true;
        }
        if (retention > 0 && ts < now - retention * MS_PER_DAY) {
            expired_end = (long)i;
            rejected = true;
        }
        if (rejected) {
            continue;
        }
        seq++;
        json_t *doc = json_pack("{s:I, s:O, s:I, s:s}", "t", (json_int_t)ts, "m", msg, "i",
                                (json_int_t)now, "e", event_id(c, ts, seq));
        struct store_obj o = {
            .account = c->caller->account,
            .region = c->region,
            .kind = LOGS_KIND_EVENT,
            .id = logs_fmt(c, "%s/%016" PRId64 "/%016" PRIu64, s.obj.id, ts, seq),
            .parent = s.obj.id,
        };
        int prc = logs_put(c, &o, doc, STORE_CREATE, NULL);
        json_decref(doc);
        if (prc != 0) {
            goto out;
        }
        stored += (int64_t)json_string_length(msg);
        set_min(s.doc, "firstEventTimestamp", ts);
        set_max(s.doc, "lastEventTimestamp", ts);
        json_object_set_new(s.doc, "lastIngestionTime", json_integer(now));
    }
    json_object_set_new(s.doc, "seq", json_integer((json_int_t)seq));
    struct store_obj so = s.obj;
    if (logs_put(c, &so, s.doc, STORE_REPLACE, NULL) != 0) {
        goto out;
    }
    if (stored > 0) {
        json_object_set_new(g.doc, "storedBytes",
                            json_integer(logs_int(g.doc, "storedBytes") + stored));
        struct store_obj go = g.obj;
        if (logs_put(c, &go, g.doc, STORE_REPLACE, NULL) != 0) {
            goto out;
        }
    }
    c->out = json_pack("{s:s}", "nextSequenceToken", logs_fmt(c, "%056" PRIu64, seq + 1));
    if (too_old_end >= 0 || expired_end >= 0 || too_new_start >= 0) {
        json_t *info = json_object();
        if (too_new_start >= 0) {
            json_object_set_new(info, "tooNewLogEventStartIndex", json_integer(too_new_start));
        }
        if (too_old_end >= 0) {
            json_object_set_new(info, "tooOldLogEventEndIndex", json_integer(too_old_end));
        }
        if (expired_end >= 0) {
            json_object_set_new(info, "expiredLogEventEndIndex", json_integer(expired_end));
        }
        json_object_set_new(c->out, "rejectedLogEventsInfo", info);
    }
    rc = 0;
out:
    logs_obj_release(&s);
    logs_obj_release(&g);
    return rc;
}
LOGS_OPERATION(put_log_events, true)

// ---- Reading events ----------------------------------------------------------------------

struct event {
    int64_t t;    // timestamp
    int64_t i;    // ingestion time
    uint64_t seq; // arrival order within the stream
    const char *m;
    size_t m_len;
    const char *eid;
    const char *stream;
};

struct event_list {
    struct event *items;
    size_t count;
    size_t cap;
};

// Appends the events of the stream with id stream_id (named stream) whose timestamp is in
// [start, end] (end_inclusive) or [start, end) to l, in their stored order.
static int load_events(struct svc_call *c, const char *stream_id, const char *stream, int64_t start,
                       int64_t end, bool end_inclusive, struct event_list *l)
{
    struct store_obj *rows = NULL;
    size_t n = 0;
    if (logs_list_all(c, LOGS_KIND_EVENT, stream_id, NULL, &rows, &n) != 0) {
        return -1;
    }
    size_t prefix_len = strlen(stream_id) + 1;
    for (size_t k = 0; k < n; k++) {
        // The id carries the timestamp and sequence: <stream id>/<16 digits>/<16 digits>.
        const char *tail = rows[k].id + prefix_len;
        if (strlen(rows[k].id) < prefix_len + 33 || tail[16] != '/') {
            return logs_store_error(c, SB_ECORRUPT, NULL);
        }
        int64_t ts = strtoll(tail, NULL, 10);
        if (ts < start || ts > end || (!end_inclusive && ts == end)) {
            continue;
        }
        json_t *doc = logs_load_doc(c, &rows[k]);
        if (doc == NULL) {
            return -1;
        }
        const json_t *m = json_object_get(doc, "m");
        const char *eid = json_string_value(json_object_get(doc, "e"));
        if (l->count == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 64;
            struct event *g = arena_alloc(c->arena, cap * sizeof(*g));
            if (l->count > 0) {
                memcpy(g, l->items, l->count * sizeof(*g));
            }
            l->items = g;
            l->cap = cap;
        }
        struct event *e = &l->items[l->count++];
        e->t = ts;
        e->i = logs_int(doc, "i");
        e->seq = strtoull(tail + 17, NULL, 10);
        e->m_len = json_string_length(m);
        e->m = arena_strndup(c->arena, json_string_value(m) ? json_string_value(m) : "", e->m_len);
        e->eid = arena_strndup(c->arena, eid ? eid : "", eid ? strlen(eid) : 0);
        e->stream = stream;
        json_decref(doc);
    }
    return 0;
}

static int64_t in_time(const struct svc_call *c, const char *member, int64_t dflt)
{
    const json_t *v = json_object_get(c->in, member);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static size_t in_limit(const struct svc_call *c)
{
    const json_t *v = json_object_get(c->in, "limit");
    return json_is_integer(v) ? (size_t)json_integer_value(v) : DEFAULT_EVENTS;
}

// GetLogEvents' tokens: "f/" or "b/" followed by the 32-digit position of an event (timestamp
// and sequence, 16 digits each); a forward token continues after that position, a backward one
// before it. (AWS's tokens have the same "f/" and "b/" prefixes and opaque digits.)
struct position {
    int64_t t;
    uint64_t seq;
};

static int pos_cmp(int64_t t, uint64_t seq, struct position p)
{
    if (t != p.t) {
        return t < p.t ? -1 : 1;
    }
    return seq < p.seq ? -1 : seq > p.seq ? 1 : 0;
}

static const char *pos_token(struct svc_call *c, char dir, struct position p)
{
    return logs_fmt(c, "%c/%016" PRId64 "%016" PRIu64, dir, p.t, p.seq);
}

static bool parse_pos_token(const char *tok, char *dir, struct position *p)
{
    if (strlen(tok) != 34 || (tok[0] != 'f' && tok[0] != 'b') || tok[1] != '/') {
        return false;
    }
    for (size_t i = 2; i < 34; i++) {
        if (tok[i] < '0' || tok[i] > '9') {
            return false;
        }
    }
    char t[17];
    memcpy(t, tok + 2, 16);
    t[16] = '\0';
    *dir = tok[0];
    p->t = strtoll(t, NULL, 10);
    p->seq = strtoull(tok + 18, NULL, 10);
    return true;
}

static json_t *output_event(const struct event *e)
{
    return json_pack("{s:I, s:s%, s:I}", "timestamp", (json_int_t)e->t, "message", e->m, e->m_len,
                     "ingestionTime", (json_int_t)e->i);
}

static int get_log_events_body(struct svc_call *c)
{
    const char *group = logs_in_str(c, "logGroupName");
    const char *stream = logs_in_str(c, "logStreamName");
    const char *token = logs_in_str(c, "nextToken");
    bool from_head = json_is_true(json_object_get(c->in, "startFromHead"));
    size_t limit = in_limit(c);
    // "If you specify values for both logGroupName and logGroupIdentifier, the action returns an
    // InvalidParameterException error." (GetLogEvents API Reference; message not verified.)
    if (logs_in_str(c, "logGroupIdentifier") != NULL) {
        return logs_invalid(c, "LogGroup name and LogGroup identifier are mutually exclusive "
                               "parameters.");
    }
    struct logs_obj g;
    struct logs_obj s;
    if (find_stream(c, "logs:GetLogEvents", group, stream, &g, &s) != 0) {
        return -1;
    }
    logs_obj_release(&g);
    logs_obj_release(&s);
    char dir = from_head ? 'f' : 'b';
    struct position at = {0, 0};
    bool have_pos = false;
    if (token != NULL) {
        if (!parse_pos_token(token, &dir, &at)) {
            // Wording not verified against AWS.
            return logs_invalid(c, "The specified nextToken is invalid.");
        }
        have_pos = true;
    }
    struct event_list l = {0};
    if (load_events(c, s.obj.id, stream, in_time(c, "startTime", 0),
                    in_time(c, "endTime", INT64_MAX), false, &l) != 0) {
        return -1;
    }
    // Select [first, last) of l: forward takes the first events after the position, backward the
    // last ones before it; both stop at the limit or at 1 MB of messages.
    size_t first = 0;
    size_t last = 0;
    size_t bytes = 0;
    if (dir == 'f') {
        first = 0;
        while (have_pos && first < l.count &&
               pos_cmp(l.items[first].t, l.items[first].seq, at) <= 0) {
            first++;
        }
        last = first;
        while (
            last < l.count && last - first < limit &&
            (last == first || bytes + l.items[last].m_len + EVENT_OVERHEAD <= MAX_RESPONSE_BYTES)) {
            bytes += l.items[last].m_len + EVENT_OVERHEAD;
            last++;
        }
    } else {
        last = l.count;
        while (have_pos && last > 0 &&
               pos_cmp(l.items[last - 1].t, l.items[last - 1].seq, at) >= 0) {
            last--;
        }
        first = last;
        while (first > 0 && last - first < limit &&
               (last == first ||
                bytes + l.items[first - 1].m_len + EVENT_OVERHEAD <= MAX_RESPONSE_BYTES)) {
            bytes += l.items[first - 1].m_len + EVENT_OVERHEAD;
            first--;
        }
    }
    json_t *events = json_array();
    for (size_t k = first; k < last; k++) {
        json_array_append_new(events, output_event(&l.items[k]));
    }
    // The next tokens: after the last event returned / before the first one. With nothing
    // returned, a forward token stays where it was (AWS returns the same token at the end of a
    // stream, which is how clients know to stop) and a backward one likewise.
    struct position fwd = at;
    struct position bwd = at;
    if (last > first) {
        fwd = (struct position){l.items[last - 1].t, l.items[last - 1].seq};
        bwd = (struct position){l.items[first].t, l.items[first].seq};
    } else if (!have_pos) {
        fwd = (struct position){0, 0};
        bwd = (struct position){0, 0};
    } else if (dir == 'b') {
        // Nothing before `at`: a forward read from here starts at `at` itself.
        fwd = at.seq > 0 ? (struct position){at.t, at.seq - 1}
                         : (struct position){at.t - 1, 9999999999999999ULL};
    } else {
        // Nothing after `at`: a backward read from here ends with `at` itself.
        bwd = (struct position){at.t, at.seq + 1};
    }
    c->out = json_pack("{s:o, s:s, s:s}", "events", events, "nextForwardToken",
                       pos_token(c, 'f', fwd), "nextBackwardToken", pos_token(c, 'b', bwd));
    return 0;
}
LOGS_OPERATION(get_log_events, false)

// ---- FilterLogEvents ---------------------------------------------------------------------

static int event_cmp(const void *a, const void *b)
{
    const struct event *x = a;
    const struct event *y = b;
    if (x->t != y->t) {
        return x->t < y->t ? -1 : 1;
    }
    if (x->i != y->i) {
        return x->i < y->i ? -1 : 1;
    }
    return strcmp(x->eid, y->eid);
}

// FilterLogEvents' token: the sort key of the last event returned, "<timestamp, 20 digits>
// <ingestion time, 20 digits><event id>"; the next page starts after it.
static const char *filter_token(struct svc_call *c, const struct event *e)
{
    return logs_fmt(c, "%020" PRId64 "%020" PRId64 "%s", e->t, e->i, e->eid);
}

static bool parse_filter_token(struct svc_call *c, const char *tok, struct event *after)
{
    size_t n = strlen(tok);
    if (n <= 40 || n > 200) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (tok[i] < '0' || tok[i] > '9') {
            return false;
        }
    }
    char num[21];
    memcpy(num, tok, 20);
    num[20] = '\0';
    after->t = strtoll(num, NULL, 10);
    memcpy(num, tok + 20, 20);
    after->i = strtoll(num, NULL, 10);
    after->eid = arena_strndup(c->arena, tok + 40, n - 40);
    return true;
}

static int filter_log_events_body(struct svc_call *c)
{
    const char *group = logs_in_str(c, "logGroupName");
    const char *prefix = logs_in_str(c, "logStreamNamePrefix");
    const json_t *names = json_object_get(c->in, "logStreamNames");
    const char *pattern = logs_in_str(c, "filterPattern");
    const char *token = logs_in_str(c, "nextToken");
    size_t limit = in_limit(c);
    if (logs_in_str(c, "logGroupIdentifier") != NULL) {
        return logs_invalid(c, "LogGroup name and LogGroup identifier are mutually exclusive "
                               "parameters.");
    }
    struct logs_obj g;
    if (logs_group_get(c, group, &g) != 0) {
        return -1;
    }
    if (g.found) {
        logs_resource_tag_keys(c, g.doc);
    }
    logs_obj_release(&g);
    if (svc_authorize(c, "logs:FilterLogEvents", logs_group_auth_arn(c, group), NULL, NULL) != 0) {
        return -1;
    }
    if (!g.found) {
        return logs_group_not_found(c);
    }
    // "If you specify a value for both logStreamNamePrefix and logStreamNames, but the value for
    // logStreamNamePrefix does not match any log stream names specified in logStreamNames, the
    // action returns an InvalidParameterException error." (API Reference; message not verified.)
    if (prefix != NULL && names != NULL) {
        bool any = false;
        for (size_t k = 0; k < json_array_size(names) && !any; k++) {
            const char *nm = json_string_value(json_array_get(names, k));
            any = nm != NULL && strncmp(nm, prefix, strlen(prefix)) == 0;
        }
        if (!any) {
            return logs_invalid(c, "logStreamNamePrefix does not match any of the "
                                   "logStreamNames.");
        }
    }
    struct event after = {0};
    if (token != NULL && !parse_filter_token(c, token, &after)) {
        // Wording not verified against AWS.
        return logs_invalid(c, "The specified nextToken is invalid.");
    }
    struct filter_pattern *fp = NULL;
    if (pattern != NULL) {
        char why[200];
        if (filter_pattern_parse(pattern, strlen(pattern), &fp, why, sizeof(why)) != 0) {
            // "InvalidParameterException: Invalid filter pattern" (AWS's FilterLogEvents
            // message, aws/aws-toolkit-jetbrains#3219, mapbox/ecs-watchbot#350).
            return logs_invalid(c, "Invalid filter pattern");
        }
    }
    int rc = -1;
    int64_t start = in_time(c, "startTime", 0);
    int64_t end = in_time(c, "endTime", INT64_MAX);
    struct event_list l = {0};
    if (names != NULL) {
        for (size_t k = 0; k < json_array_size(names); k++) {
            const char *nm = json_string_value(json_array_get(names, k));
            if (nm == NULL || (prefix != NULL && strncmp(nm, prefix, strlen(prefix)) != 0)) {
                continue;
            }
            struct logs_obj s;
            if (logs_stream_get(c, g.obj.id, nm, &s) != 0) {
                goto out;
            }
            bool found = s.found;
            logs_obj_release(&s);
            if (found && load_events(c, s.obj.id, nm, start, end, true, &l) != 0) {
                goto out;
            }
        }
    } else {
        struct store_obj *streams = NULL;
        size_t ns = 0;
        const char *sp = prefix != NULL ? logs_stream_id(c, g.obj.id, prefix) : NULL;
        if (logs_list_all(c, LOGS_KIND_STREAM, g.obj.id, sp, &streams, &ns) != 0) {
            goto out;
        }
        size_t skip = strlen(g.obj.id) + 1;
        for (size_t k = 0; k < ns; k++) {
            if (load_events(c, streams[k].id, streams[k].id + skip, start, end, true, &l) != 0) {
                goto out;
            }
        }
    }
    if (l.count > 1) {
        qsort(l.items, l.count, sizeof(*l.items), event_cmp);
    }
    json_t *events = json_array();
    size_t bytes = 0;
    size_t k = 0;
    const struct event *last = NULL;
    bool more = false;
    for (; k < l.count; k++) {
        const struct event *e = &l.items[k];
        if (token != NULL && event_cmp(e, &after) <= 0) {
            continue;
        }
        if (fp != NULL && !filter_pattern_match(fp, e->m, e->m_len)) {
            continue;
        }
        if (json_array_size(events) >= limit ||
            (last != NULL && bytes + e->m_len + EVENT_OVERHEAD > MAX_RESPONSE_BYTES)) {
            more = true;
            break;
        }
        bytes += e->m_len + EVENT_OVERHEAD;
        json_t *o = output_event(e);
        json_object_set_new(o, "logStreamName", json_string(e->stream));
        json_object_set_new(o, "eventId", json_string(e->eid));
        json_array_append_new(events, o);
        last = e;
    }
    c->out = json_pack("{s:o}", "events", events);
    if (more && last != NULL) {
        json_object_set_new(c->out, "nextToken", json_string(filter_token(c, last)));
    }
    rc = 0;
out:
    filter_pattern_free(fp);
    return rc;
}
LOGS_OPERATION(filter_log_events, false)

const struct svc_handler logs_event_handlers[] = {
    {"PutLogEvents", put_log_events},
    {"GetLogEvents", get_log_events},
    {"FilterLogEvents", filter_log_events},
    {NULL, NULL},
};
