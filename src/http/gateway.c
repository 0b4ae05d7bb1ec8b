// SPDX-License-Identifier: Apache-2.0
// The request pipeline; see gateway.h. This first step serves the health endpoint and logs every
// request; the AWS path is wired in as the protocol, authentication and service layers land.
#include "http/gateway.h"

#include "core/arena.h"
#include "core/ids.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct gateway {
    char *data_dir;
    char *account_id;
    char *region;
    char *version;
    time_t started;
};

static char *dup(const char *s)
{
    size_t n = strlen(s);
    char *d = sb_xmalloc(n + 1);
    memcpy(d, s, n + 1);
    return d;
}

// Opens the gateway; see gateway.h.
int gateway_open(const struct gateway_config *cfg, struct gateway **out, char *err, size_t err_cap)
{
    (void)err;
    (void)err_cap;
    struct gateway *gw = sb_xcalloc(1, sizeof(*gw));
    gw->data_dir = dup(cfg->data_dir);
    gw->account_id = dup(cfg->account_id);
    gw->region = dup(cfg->region);
    gw->version = dup(cfg->version);
    gw->started = time(NULL);
    *out = gw;
    return 0;
}

// Frees the gateway.
void gateway_close(struct gateway *gw)
{
    if (gw == NULL) {
        return;
    }
    free(gw->data_dir);
    free(gw->account_id);
    free(gw->region);
    free(gw->version);
    free(gw);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// One line per request on stderr: time, request id, principal, service:action, decision, HTTP
// status, latency. Never the secret, the signature or the body.
static void log_request(const struct http_request *rq, const char *request_id,
                        const char *principal, const char *action, const char *decision, int status)
{
    char when[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    double ms = (double)(now_ns() - rq->started_ns) / 1e6;
    fprintf(stderr, "%s %s %s %s %s %d %.3fms\n", when, request_id, principal, action, decision,
            status, ms);
}

static void health(struct gateway *gw, struct http_response *rs)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string("running"));
    json_object_set_new(o, "version", json_string(gw->version));
    json_object_set_new(o, "services", json_array());
    json_object_set_new(o, "uptimeSeconds", json_integer((json_int_t)(time(NULL) - gw->started)));
    json_object_set_new(o, "accountId", json_string(gw->account_id));
    json_object_set_new(o, "region", json_string(gw->region));
    json_object_set_new(o, "state", json_object());
    char *text = json_dumps(o, JSON_COMPACT);
    buf_puts(&rs->body, text);
    buf_putc(&rs->body, '\n');
    free(text);
    json_decref(o);
    rs->status = 200;
    rs->content_type = "application/json";
}

// Serves one request; see gateway.h.
void gateway_handle(void *ctx, const struct http_request *rq, struct http_response *rs)
{
    struct gateway *gw = ctx;
    char *request_id = arena_alloc(rq->arena, IDS_UUID_LEN + 1);
    ids_uuid4(request_id);
    if (rq->raw_path_len == 16 && memcmp(rq->raw_path, "/_sagebox/health", 16) == 0 &&
        strcmp(rq->method, "GET") == 0) {
        health(gw, rs);
        log_request(rq, request_id, "-", "sagebox:Health", "-", rs->status);
        return;
    }
    rs->status = 404;
    rs->content_type = "application/json";
    buf_puts(&rs->body, "{\"message\":\"No AWS service is served at this path yet\"}\n");
    http_response_header(rs, "x-amzn-RequestId", request_id);
    log_request(rq, request_id, "-", "-", "-", rs->status);
}
