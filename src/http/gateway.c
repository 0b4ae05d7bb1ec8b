// SPDX-License-Identifier: Apache-2.0
// The request pipeline; see gateway.h. For an AWS request, in order: parse the SigV4 claim (its
// credential scope names the service), route to the operation (proto), check what needs no secret
// (clock, scope), look up the key and verify the signature (auth), decode and validate the input
// (proto), build the request context, run the handler (svc; it authorizes through the policy
// engine), and encode the output or the error in the service's protocol (proto).
#include "http/gateway.h"
#include "http/accesslog.h"
#include "http/studio.h"
#include "core/jsonload.h"

#include "auth/authn.h"
#include "auth/sigv4.h"
#include "core/arena.h"
#include "core/ids.h"
#include "core/strjoin.h"
#include "proto/proto.h"
#include "store/store.h"
#include "svc/registry.h"
#include "svc/svc.h"
#include "svc/tasks.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
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
    long clock_offset; // seconds added to the real clock (SAGEBOX_CLOCK_OFFSET_SECONDS)
    struct store *store;
    struct policy_cache *policies;
    struct sigv4_key_cache *keys;
    struct authn_cache *creds;
    struct svc_env env;
    struct svc_tasks *tasks; // the background task worker (svc/tasks.h)
    // When each long-term key's last use was last recorded (see record_key_use).
    pthread_mutex_t used_lock;
    struct {
        char akid[32];
        time_t recorded;
    } used[256];
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
    *out = NULL;
    struct gateway *gw = sb_xcalloc(1, sizeof(*gw));
    gw->data_dir = dup(cfg->data_dir);
    gw->account_id = dup(cfg->account_id);
    gw->region = dup(cfg->region);
    gw->version = dup(cfg->version);
    gw->started = time(NULL);
    gw->clock_offset = cfg->clock_offset;
    struct store_opts so = {.data_dir = gw->data_dir, .version = gw->version};
    struct store_err se;
    if (store_open(&so, &gw->store, &se) != 0) {
        snprintf(err, err_cap, "%s", se.msg);
        gateway_close(gw);
        return -1;
    }
    if (authn_ensure_root_key(gw->store, gw->account_id, cfg->root_access_key_id,
                              cfg->root_secret_access_key, err, err_cap) != 0) {
        gateway_close(gw);
        return -1;
    }
    gw->policies = policy_cache_new(4096);
    gw->keys = sigv4_key_cache_new();
    gw->creds = authn_cache_new();
    pthread_mutex_init(&gw->used_lock, NULL);
    gw->env.store = gw->store;
    gw->env.policies = gw->policies;
    gw->env.partition = "aws";
    gw->env.default_region = gw->region;
    gw->env.data_dir = gw->data_dir;
    gw->env.clock_offset = gw->clock_offset;
    gw->tasks = svc_tasks_start(&gw->env, err, err_cap);
    if (gw->tasks == NULL) {
        gateway_close(gw);
        return -1;
    }
    *out = gw;
    return 0;
}

// Frees the gateway.
void gateway_close(struct gateway *gw)
{
    if (gw == NULL) {
        return;
    }
    accesslog_flush();
    svc_tasks_stop(gw->tasks); // before the store it works on
    store_close(gw->store);
    policy_cache_free(gw->policies);
    sigv4_key_cache_free(gw->keys);
    authn_cache_free(gw->creds);
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
    // The timestamp changes once a second: each thread formats it then, not per request.
    static _Thread_local time_t last;
    static _Thread_local char when[32];
    time_t t = time(NULL);
    if (t != last) {
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        last = t;
    }
    uint64_t us = (now_ns() - rq->started_ns) / 1000u;
    char status_s[24];
    sb_i64(status_s, status);
    char ms[24];
    size_t k = sb_u64(ms, us / 1000u);
    char frac[24];
    sb_u64(frac, 1000u + us % 1000u); // "1xyz": the three digits after the point
    frac[0] = '.';
    memcpy(ms + k, frac, 5);
    memcpy(ms + k + 4, "ms\n", 4);
    const char *parts[] = {when, " ",      request_id, " ",      principal, " ", action,
                           " ",  decision, " ",        status_s, " ",       ms};
    char line[1200];
    size_t len = sb_join(line, sizeof(line), parts, sizeof(parts) / sizeof(parts[0]));
    line[len - 1] = '\n'; // a truncated line still ends its line
    accesslog_write(line, len);
}

static void health(struct gateway *gw, struct http_response *rs)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string("running"));
    json_object_set_new(o, "version", json_string(gw->version));
    json_t *services = json_array();
    svc_list_services(services);
    json_object_set_new(o, "services", services);
    json_object_set_new(o, "uptimeSeconds", json_integer((json_int_t)(time(NULL) - gw->started)));
    json_object_set_new(o, "accountId", json_string(gw->account_id));
    json_object_set_new(o, "region", json_string(gw->region));
    json_t *state = json_object();
    struct arena a;
    arena_init(&a, NULL, 0);
    struct store_kind_count *counts = NULL;
    size_t n = 0;
    if (store_count_kinds(gw->store, &a, &counts, &n, NULL) == 0) {
        for (size_t i = 0; i < n; i++) {
            json_object_set_new(state, counts[i].kind, json_integer(counts[i].count));
        }
    }
    arena_release(&a);
    json_object_set_new(o, "state", state);
    char *text = json_dumps(o, JSON_COMPACT);
    buf_puts(&rs->body, text);
    buf_putc(&rs->body, '\n');
    free(text);
    json_decref(o);
    rs->status = 200;
    rs->content_type = "application/json";
}

// Records when a long-term access key was last used, for GetAccessKeyLastUsed. IAM itself
// updates this information with a delay ("may take up to 4 hours", IAM User Guide, "Managing
// access keys"), so one write per key per minute is enough and keeps the store (and the caches
// keyed on its write generation) quiet under load.
static void record_key_use(struct gateway *gw, const struct svc_caller *caller, const char *service,
                           const char *region, time_t now, struct arena *a)
{
    const char *akid = caller->access_key_id;
    if (strncmp(akid, "ASIA", 4) == 0 || akid[0] == '\0') {
        return; // temporary credentials have no last-used record
    }
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = akid; *p; p++) {
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    }
    size_t slot = (size_t)(h % (sizeof(gw->used) / sizeof(gw->used[0])));
    pthread_mutex_lock(&gw->used_lock);
    bool due = strcmp(gw->used[slot].akid, akid) != 0 || now - gw->used[slot].recorded >= 60;
    if (due) {
        snprintf(gw->used[slot].akid, sizeof(gw->used[slot].akid), "%s", akid);
        gw->used[slot].recorded = now;
    }
    pthread_mutex_unlock(&gw->used_lock);
    if (!due) {
        return;
    }
    struct store_obj key;
    if (store_get_by_key2(gw->store, "iam.accesskey", akid, a, &key, NULL) != 0) {
        return;
    }
    json_t *doc = jsonload(key.doc, key.doc_len);
    if (doc == NULL) {
        return;
    }
    json_object_set_new(doc, "LastUsed",
                        json_pack("{s:I, s:s, s:s}", "LastUsedDate", (json_int_t)now, "ServiceName",
                                  service, "Region", region));
    char *text = json_dumps(doc, JSON_COMPACT);
    key.doc = text;
    key.doc_len = strlen(text);
    struct store_err e;
    if (store_put(gw->store, &key, STORE_REPLACE, &e) != 0) {
        fprintf(stderr, "sagebox: recording the use of a key: %s\n", e.msg);
    }
    free(text);
    json_decref(doc);
}

static enum sigv4_protocol sigv4_proto(const struct proto_service *svc)
{
    if (svc == NULL) {
        return SIGV4_PROTO_QUERY;
    }
    switch (proto_service_protocol(svc)) {
    case PROTO_JSON:
        return SIGV4_PROTO_JSON;
    case PROTO_EC2:
        return SIGV4_PROTO_EC2;
    default:
        return SIGV4_PROTO_QUERY;
    }
}

// Everything the pipeline keeps while serving one AWS request.
struct aws_request {
    struct gateway *gw;
    const struct http_request *rq;
    struct http_response *rs;
    const char *request_id;
    const struct proto_service *svc;
    const struct proto_op *op;
    struct awserr err;
    char principal[512];
    char action[160];
    char decision[24];
};

// Renders ar->err in the service's protocol.
static void send_error(struct aws_request *ar)
{
    const char *ct = NULL;
    buf_reset(&ar->rs->body);
    proto_encode_error(ar->svc, &ar->err, ar->request_id, &ar->rs->body, &ct);
    ar->rs->status = ar->err.status ? ar->err.status : 500;
    ar->rs->content_type = ct;
}

// Adds the global condition keys the request itself carries (IAM User Guide, "AWS global
// condition context keys"); the handler and svc_authorize add the rest.
static void request_keys(struct aws_request *ar, const struct svc_caller *caller,
                         struct policy_context *ctx)
{
    policy_context_add_principal_keys(ctx, &caller->principal);
    if (caller->user_id[0] != '\0') {
        policy_context_set(ctx, "aws:userid", caller->user_id);
    }
    if (caller->principal.type == POLICY_PRINCIPAL_ROLE_SESSION && caller->identity_arn[0]) {
        policy_context_set(ctx, "aws:PrincipalArn", caller->identity_arn);
    }
    if (caller->principal_tags != NULL) {
        json_t *tags = jsonload_str(caller->principal_tags);
        size_t i;
        const json_t *t;
        json_array_foreach(tags, i, t)
        {
            const char *k = json_string_value(json_object_get(t, "Key"));
            const char *v = json_string_value(json_object_get(t, "Value"));
            if (k != NULL) {
                char name[320];
                snprintf(name, sizeof(name), "aws:PrincipalTag/%s", k);
                policy_context_set(ctx, name, v ? v : "");
            }
        }
        json_decref(tags);
    }
    if (caller->session_doc != NULL) {
        json_t *sd = jsonload_str(caller->session_doc);
        const char *si = json_string_value(json_object_get(sd, "SourceIdentity"));
        if (si != NULL) {
            policy_context_set(ctx, "aws:SourceIdentity", si);
        }
        json_decref(sd);
    }
    policy_context_set(ctx, "aws:SourceIp", ar->rq->client_ip);
    policy_context_set(ctx, "aws:SecureTransport", "false");
    policy_context_set(ctx, "aws:ViaAWSService", "false");
}

// The SigV4 view of a request: the raw target, every header, the whole body (headers in its
// arena); expect_service (may be NULL) is the service the credential scope must name.
static struct sigv4_request sigv4_view(const struct http_request *rq, const char *expect_service)
{
    struct sigv4_header *hs = arena_alloc(rq->arena, (rq->header_count + 1) * sizeof(*hs));
    for (size_t i = 0; i < rq->header_count; i++) {
        hs[i] = (struct sigv4_header){rq->headers[i].name, strlen(rq->headers[i].name),
                                      rq->headers[i].value, strlen(rq->headers[i].value)};
    }
    return (struct sigv4_request){
        .method = rq->method,
        .raw_path = rq->raw_path,
        .raw_path_len = rq->raw_path_len,
        .raw_query = rq->raw_query,
        .raw_query_len = rq->raw_query_len,
        .headers = hs,
        .header_count = rq->header_count,
        .body = rq->body,
        .body_len = rq->body_len,
        .expect_service = expect_service,
    };
}

static void serve_aws(struct aws_request *ar)
{
    const struct http_request *rq = ar->rq;
    struct arena *a = rq->arena;
    json_t *in = NULL;
    struct policy_context *ctx = NULL;
    sb_copy(ar->principal, sizeof(ar->principal), "-");
    sb_copy(ar->action, sizeof(ar->action), "-");
    sb_copy(ar->decision, sizeof(ar->decision), "-");

    struct sigv4_request srq = sigv4_view(rq, NULL);
    struct sigv4_claim claim;
    enum sigv4_failure why = SIGV4_OK;
    char msg[1024];
    bool signed_ok = sigv4_parse(&srq, a, &claim, &why, msg, sizeof(msg)) == 0;
    char scope_service[64] = "";
    if (signed_ok && claim.service.len < sizeof(scope_service)) {
        memcpy(scope_service, claim.service.ptr, claim.service.len);
        scope_service[claim.service.len] = '\0';
    }

    // Route: X-Amz-Target, or Action within the service of the credential scope.
    char *query = arena_strndup(a, rq->raw_query, rq->raw_query_len);
    struct proto_request prq = {
        .method = rq->method,
        .query = query,
        .content_type = http_request_header(rq, "Content-Type"),
        .target = http_request_header(rq, "X-Amz-Target"),
        .scope_service = scope_service[0] ? scope_service : NULL,
        .body = rq->body,
        .body_len = rq->body_len,
    };
    if (proto_route(&prq, &ar->svc, &ar->op, &ar->err) != 0) {
        send_error(ar);
        goto out;
    }
    const char *action_parts[] = {proto_service_signing_name(ar->svc), ":", proto_op_name(ar->op)};
    sb_join(ar->action, sizeof(ar->action), action_parts, 3);
    enum sigv4_protocol sp = sigv4_proto(ar->svc);
    if (!signed_ok) {
        sigv4_failure_to_awserr(why, sp, msg, &ar->err);
        send_error(ar);
        goto out;
    }

    // Authenticate.
    time_t now = time(NULL) + ar->gw->clock_offset;
    srq.expect_service = proto_service_signing_name(ar->svc);
    if (sigv4_precheck(&srq, &claim, now, &why, msg, sizeof(msg)) != 0) {
        sigv4_failure_to_awserr(why, sp, msg, &ar->err);
        send_error(ar);
        goto out;
    }
    struct svc_caller *caller = arena_alloc(a, sizeof(*caller));
    if (authn_verify(&ar->gw->env, ar->gw->creds, ar->gw->keys, &srq, &claim, sp, now, a, caller,
                     &ar->err) != 0) {
        send_error(ar);
        goto out;
    }
    sb_copy(ar->principal, sizeof(ar->principal), caller->arn);
    {
        char scope_region[64] = "";
        if (claim.region.len < sizeof(scope_region)) {
            memcpy(scope_region, claim.region.ptr, claim.region.len);
            scope_region[claim.region.len] = '\0';
        }
        record_key_use(ar->gw, caller, proto_service_signing_name(ar->svc), scope_region, now, a);
    }

    // Credentials from GetSessionToken cannot call IAM, nor STS beyond AssumeRole and
    // GetCallerIdentity (STS API Reference, "GetSessionToken": "You cannot call any IAM API
    // operations unless MFA authentication information is included in the request"; "You cannot
    // call any STS API except AssumeRole or GetCallerIdentity").
    if (caller->session_doc != NULL && strstr(caller->session_doc, "\"RoleArn\"") == NULL) {
        const char *svc_name = proto_service_signing_name(ar->svc);
        const char *op_name = proto_op_name(ar->op);
        // GetSessionToken itself answers AccessDenied "Cannot call GetSessionToken with session
        // credentials" (its handler says so for every kind of session).
        bool sts_ok = strcmp(svc_name, "sts") == 0 && (strcmp(op_name, "AssumeRole") == 0 ||
                                                       strcmp(op_name, "GetCallerIdentity") == 0 ||
                                                       strcmp(op_name, "GetSessionToken") == 0);
        if (strcmp(svc_name, "iam") == 0 || (strcmp(svc_name, "sts") == 0 && !sts_ok)) {
            sigv4_failure_to_awserr(SIGV4_UNKNOWN_KEY, sp, NULL, &ar->err);
            send_error(ar);
            goto out;
        }
    }

    // Decode and validate the input.
    const char *body = rq->body;
    size_t body_len = rq->body_len;
    if (strcmp(rq->method, "GET") == 0 && body_len == 0) {
        body = query;
        body_len = rq->raw_query_len;
    }
    if (proto_decode(ar->op, body, body_len, prq.content_type, &in, &ar->err) != 0) {
        send_error(ar);
        goto out;
    }
    svc_handler_fn fn = svc_find(proto_service_signing_name(ar->svc), proto_op_name(ar->op));
    if (fn == NULL) {
        bool json = proto_service_protocol(ar->svc) == PROTO_JSON;
        awserr_set(&ar->err, 400, json ? "UnknownOperationException" : "InvalidAction",
                   "sagebox does not implement %s yet.", ar->action);
        send_error(ar);
        goto out;
    }

    // Run the operation.
    char region[64] = "";
    if (claim.region.len < sizeof(region)) {
        memcpy(region, claim.region.ptr, claim.region.len);
        region[claim.region.len] = '\0';
    }
    ctx = policy_context_new();
    request_keys(ar, caller, ctx);
    struct svc_call call = {
        .env = &ar->gw->env,
        .arena = a,
        .request_id = ar->request_id,
        .service = proto_service_signing_name(ar->svc),
        .operation = proto_op_name(ar->op),
        .region = region[0] ? region : ar->gw->region,
        .caller = caller,
        .ctx = ctx,
        .now = now,
        .in = in,
        .http_host = http_request_header(rq, "Host"),
        .client_ip = rq->client_ip,
    };
    int rc = fn(&call);
    sb_copy(ar->decision, sizeof(ar->decision), call.decision[0] ? call.decision : "-");
    if (rc != 0) {
        ar->err = call.err;
        if (!awserr_is_set(&ar->err)) {
            awserr_set(&ar->err, 500, "InternalFailure", "The request processing has failed.");
        }
        json_decref(call.out);
        send_error(ar);
        goto out;
    }
    const char *ct = NULL;
    if (proto_encode_response(ar->op, call.out, ar->request_id, &ar->rs->body, &ct) != 0) {
        fprintf(stderr, "sagebox: %s: the handler's output does not fit the model\n", ar->action);
        awserr_set(&ar->err, 500, "InternalFailure", "The request processing has failed.");
        json_decref(call.out);
        send_error(ar);
        goto out;
    }
    json_decref(call.out);
    ar->rs->status = 200;
    ar->rs->content_type = ct;
out:
    json_decref(in);
    policy_context_free(ctx);
    http_response_header(ar->rs, proto_request_id_header(ar->svc), ar->request_id);
}

// ---- Test hooks (/_sagebox/..., docs/ec2.md) ----------------------------------------------------

// True when the peer is on the loopback network (127.0.0.0/8, ::1, or IPv4-mapped 127/8).
static bool loopback_peer(const char *ip)
{
    return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 ||
           strncmp(ip, "::ffff:127.", 11) == 0;
}

// The hook of svc_debug_handlers at the request's path, or NULL.
static svc_handler_fn debug_hook(const struct http_request *rq)
{
    for (size_t i = 0; svc_debug_handlers[i].operation != NULL; i++) {
        const char *p = svc_debug_handlers[i].operation;
        if (rq->raw_path_len == strlen(p) && memcmp(rq->raw_path, p, rq->raw_path_len) == 0) {
            return svc_debug_handlers[i].fn;
        }
    }
    return NULL;
}

// Renders ar->err as the JSON error of the hooks ({"__type": code, "message": text}).
static void send_debug_error(struct aws_request *ar)
{
    json_t *o = json_pack("{s:s, s:s}", "__type", ar->err.code, "message", ar->err.message);
    char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
    buf_reset(&ar->rs->body);
    buf_puts(&ar->rs->body, text != NULL ? text : "{}");
    free(text);
    json_decref(o);
    ar->rs->status = ar->err.status ? ar->err.status : 500;
    ar->rs->content_type = "application/json";
}

// Serves a test hook: POST from a loopback peer, SigV4-signed (credential scope service "ec2")
// by a known key, the JSON body as the hook's input, its output as the JSON answer. The hook
// itself decides who may call it (the account root only). Never reached for other paths.
static void serve_debug(struct aws_request *ar, svc_handler_fn fn)
{
    const struct http_request *rq = ar->rq;
    struct arena *a = rq->arena;
    json_t *in = NULL;
    struct policy_context *ctx = NULL;
    sb_copy(ar->principal, sizeof(ar->principal), "-");
    sb_copy(ar->action, sizeof(ar->action), "sagebox:TestHook");
    sb_copy(ar->decision, sizeof(ar->decision), "-");
    if (!loopback_peer(rq->client_ip)) {
        awserr_set(&ar->err, 403, "AccessDenied", "The sagebox test hooks answer loopback only.");
        send_debug_error(ar);
        goto out;
    }
    if (strcmp(rq->method, "POST") != 0) {
        awserr_set(&ar->err, 405, "MethodNotAllowed", "The sagebox test hooks take POST.");
        send_debug_error(ar);
        goto out;
    }
    struct sigv4_request srq = sigv4_view(rq, "ec2");
    struct sigv4_claim claim;
    enum sigv4_failure why = SIGV4_OK;
    char msg[1024];
    time_t now = time(NULL) + ar->gw->clock_offset;
    if (sigv4_parse(&srq, a, &claim, &why, msg, sizeof(msg)) != 0 ||
        sigv4_precheck(&srq, &claim, now, &why, msg, sizeof(msg)) != 0) {
        sigv4_failure_to_awserr(why, SIGV4_PROTO_JSON, msg, &ar->err);
        send_debug_error(ar);
        goto out;
    }
    struct svc_caller *caller = arena_alloc(a, sizeof(*caller));
    if (authn_verify(&ar->gw->env, ar->gw->creds, ar->gw->keys, &srq, &claim, SIGV4_PROTO_JSON, now,
                     a, caller, &ar->err) != 0) {
        send_debug_error(ar);
        goto out;
    }
    sb_copy(ar->principal, sizeof(ar->principal), caller->arn);
    in = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(in)) {
        awserr_set(&ar->err, 400, "InvalidParameterValue", "The body must be a JSON object.");
        send_debug_error(ar);
        goto out;
    }
    char region[64] = "";
    if (claim.region.len < sizeof(region)) {
        memcpy(region, claim.region.ptr, claim.region.len);
        region[claim.region.len] = '\0';
    }
    ctx = policy_context_new();
    request_keys(ar, caller, ctx);
    struct svc_call call = {
        .env = &ar->gw->env,
        .arena = a,
        .request_id = ar->request_id,
        .service = "ec2",
        .operation = arena_strndup(a, rq->raw_path, rq->raw_path_len),
        .region = region[0] ? region : ar->gw->region,
        .caller = caller,
        .ctx = ctx,
        .now = now,
        .in = in,
    };
    int rc = fn(&call);
    sb_copy(ar->decision, sizeof(ar->decision), call.decision[0] ? call.decision : "-");
    if (rc != 0) {
        ar->err = call.err;
        if (!awserr_is_set(&ar->err)) {
            awserr_set(&ar->err, 500, "InternalFailure", "The request processing has failed.");
        }
        json_decref(call.out);
        send_debug_error(ar);
        goto out;
    }
    if (call.out == NULL) {
        call.out = json_object();
    }
    char *text = json_dumps(call.out, JSON_COMPACT);
    buf_puts(&ar->rs->body, text);
    free(text);
    json_decref(call.out);
    ar->rs->status = 200;
    ar->rs->content_type = "application/json";
out:
    json_decref(in);
    policy_context_free(ctx);
    http_response_header(ar->rs, "x-amzn-RequestId", ar->request_id);
}

// Serves one request; see gateway.h.
void gateway_handle(void *ctx, const struct http_request *rq, struct http_response *rs)
{
    struct gateway *gw = ctx;
    accesslog_enter();
    char *request_id = arena_alloc(rq->arena, IDS_UUID_LEN + 1);
    ids_uuid4(request_id);
    if (rq->raw_path_len == 16 && memcmp(rq->raw_path, "/_sagebox/health", 16) == 0 &&
        strcmp(rq->method, "GET") == 0) {
        health(gw, rs);
        log_request(rq, request_id, "-", "sagebox:Health", "-", rs->status);
    } else if (rq->raw_path_len >= 8 && memcmp(rq->raw_path, "/studio/", 8) == 0) {
        // Studio sign-in and pages (http/studio.h): browser requests, authenticated by a
        // presigned token or a session cookie instead of SigV4.
        struct studio_result sr = {0};
        studio_handle(&gw->env, gw->creds, rq, rs, &sr);
        log_request(rq, request_id, sr.principal[0] ? sr.principal : "-", sr.action,
                    sr.decision[0] ? sr.decision : "-", rs->status);
    } else if (debug_hook(rq) != NULL) {
        struct aws_request ar = {.gw = gw, .rq = rq, .rs = rs, .request_id = request_id};
        serve_debug(&ar, debug_hook(rq));
        log_request(rq, request_id, ar.principal, ar.action, ar.decision, rs->status);
    } else {
        struct aws_request ar = {.gw = gw, .rq = rq, .rs = rs, .request_id = request_id};
        serve_aws(&ar);
        log_request(rq, request_id, ar.principal, ar.action, ar.decision, rs->status);
    }
    accesslog_leave();
}
