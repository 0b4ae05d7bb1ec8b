// SPDX-License-Identifier: Apache-2.0
// libmicrohttpd glue; see server.h. MHD calls the access handler several times per request: once
// with the headers, then once per body chunk, then once with no data. The request context is
// created by the URI log callback (which alone sees the raw request-target, before MHD decodes
// it; it can be called with NULL on junk traffic), grows the body in its arena-backed buffer, and
// is freed by the completion callback.
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

struct http_server {
    struct MHD_Daemon *daemon;
    http_handler_fn handler;
    void *handler_ctx;
    size_t max_body;
    uint16_t port;
};

// Per-request state, from the URI callback to the completion callback.
struct req_state {
    struct arena arena;
    char arena_buf[8192]; // most requests never touch the heap
    char *raw_uri;
    size_t raw_uri_len;
    struct buf body;
    bool too_large;
    bool headers_seen;
    uint64_t started_ns;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// MHD_OPTION_URI_LOG_CALLBACK: called once per request with the raw URI; its return value
// becomes the request's context pointer.
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    // Not calloc: the arena's inline buffer needs no zeroing, only the bookkeeping does.
    struct req_state *st = sb_xmalloc(sizeof(*st));
    memset(st, 0, offsetof(struct req_state, arena_buf));
    memset(&st->raw_uri, 0, sizeof(*st) - offsetof(struct req_state, raw_uri));
    arena_init(&st->arena, st->arena_buf, sizeof(st->arena_buf));
    const char *u = uri ? uri : "/";
    st->raw_uri_len = strlen(u);
    st->raw_uri = arena_strndup(&st->arena, u, st->raw_uri_len);
    st->started_ns = now_ns();
    return st;
}

// MHD_OPTION_NOTIFY_COMPLETED: the response is sent (or the connection failed).
static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct req_state *st = *req_cls;
    if (st != NULL) {
        buf_free(&st->body);
        arena_release(&st->arena);
        free(st);
        *req_cls = NULL;
    }
}

struct header_collect {
    struct arena *arena;
    struct http_header *items;
    size_t count;
    size_t cap;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    struct header_collect *hc = cls;
    if (hc->count == hc->cap) {
        size_t ncap = hc->cap ? hc->cap * 2 : 32;
        struct http_header *n = arena_alloc(hc->arena, ncap * sizeof(*n));
        if (hc->count > 0) {
            memcpy(n, hc->items, hc->count * sizeof(*n));
        }
        hc->items = n;
        hc->cap = ncap;
    }
    hc->items[hc->count].name = key;
    hc->items[hc->count].value = value ? value : "";
    hc->count++;
    return MHD_YES;
}

static void client_address(struct MHD_Connection *conn, char *out, size_t cap)
{
    snprintf(out, cap, "%s", "0.0.0.0");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL) {
        return;
    }
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)cap);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
        if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
            inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], out, (socklen_t)cap);
        } else {
            inet_ntop(AF_INET6, &s6->sin6_addr, out, (socklen_t)cap);
        }
    }
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct http_response *rs)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        rs->body.len, rs->body.len ? rs->body.data : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (r == NULL) {
        return MHD_NO;
    }
    if (rs->content_type != NULL) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rs->content_type);
    }
    for (size_t i = 0; i < rs->header_count; i++) {
        MHD_add_response_header(r, rs->headers[i].name, rs->headers[i].value);
    }
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)(rs->status ? rs->status : 500), r);
    MHD_destroy_response(r);
    return ret;
}

// The access handler; see the file comment for the calling sequence.
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)url;
    (void)version;
    struct http_server *s = cls;
    struct req_state *st = *req_cls;
    if (st == NULL) {
        return MHD_NO; // the URI callback always runs first; refuse anything else
    }
    if (!st->headers_seen) {
        // The first call carries only the headers; the body (if any) and the final call follow.
        st->headers_seen = true;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!st->too_large && st->body.len + *upload_data_size <= s->max_body) {
            buf_append(&st->body, upload_data, *upload_data_size);
        } else {
            st->too_large = true;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct http_response rs;
    memset(&rs, 0, sizeof(rs));
    if (st->too_large) {
        rs.status = 413;
        rs.content_type = "text/plain";
        buf_puts(&rs.body, "Request body too large\n");
        enum MHD_Result ret = send_response(conn, &rs);
        buf_free(&rs.body);
        return ret;
    }

    struct http_request rq;
    memset(&rq, 0, sizeof(rq));
    rq.arena = &st->arena;
    rq.method = method;
    char *q = memchr(st->raw_uri, '?', st->raw_uri_len);
    rq.raw_path = st->raw_uri;
    rq.raw_path_len = q ? (size_t)(q - st->raw_uri) : st->raw_uri_len;
    rq.raw_query = q ? q + 1 : "";
    rq.raw_query_len = q ? st->raw_uri_len - rq.raw_path_len - 1 : 0;
    struct header_collect hc = {.arena = &st->arena};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &hc);
    rq.headers = hc.items;
    rq.header_count = hc.count;
    rq.body = st->body.len ? st->body.data : "";
    rq.body_len = st->body.len;
    client_address(conn, rq.client_ip, sizeof(rq.client_ip));
    rq.started_ns = st->started_ns;

    s->handler(s->handler_ctx, &rq, &rs);
    enum MHD_Result ret = send_response(conn, &rs);
    buf_free(&rs.body);
    return ret;
}

// Adds a response header; see server.h.
void http_response_header(struct http_response *rs, const char *name, const char *value)
{
    if (rs->header_count < HTTP_MAX_RESPONSE_HEADERS) {
        rs->headers[rs->header_count].name = name;
        rs->headers[rs->header_count].value = value;
        rs->header_count++;
    }
}

// Finds a request header case-insensitively; see server.h.
const char *http_request_header(const struct http_request *rq, const char *name)
{
    for (size_t i = 0; i < rq->header_count; i++) {
        if (strcasecmp(rq->headers[i].name, name) == 0) {
            return rq->headers[i].value;
        }
    }
    return NULL;
}

// Starts the daemon; see server.h.
int http_server_start(const struct http_server_options *opt, struct http_server **out, char *err,
                      size_t err_cap)
{
    *out = NULL;
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    const struct sockaddr *sa = NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO;
    memset(&sin, 0, sizeof(sin));
    memset(&sin6, 0, sizeof(sin6));
    if (inet_pton(AF_INET, opt->address, &sin.sin_addr) == 1) {
        sin.sin_family = AF_INET;
        sin.sin_port = htons(opt->port);
        sa = (const struct sockaddr *)&sin;
    } else if (inet_pton(AF_INET6, opt->address, &sin6.sin6_addr) == 1) {
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons(opt->port);
        sa = (const struct sockaddr *)&sin6;
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(err, err_cap, "not an IP address: %s", opt->address);
        return -1;
    }
    // Each connection's MHD memory pool holds the request line, the headers and the read buffer
    // (bodies are copied out in chunks), and MHD zero-fills the pool between keep-alive requests,
    // so its size is paid on every request: 16 KiB leaves room for SigV4 headers with a session
    // token several times over.
    enum { CONN_MEMORY = 16 * 1024 };
    struct http_server *s = sb_xcalloc(1, sizeof(*s));
    s->handler = opt->handler;
    s->handler_ctx = opt->handler_ctx;
    s->max_body = opt->max_body;
    s->daemon = MHD_start_daemon(
        flags, opt->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(opt->threads ? opt->threads : 1),
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)120, MHD_OPTION_END);
    if (s->daemon == NULL) {
        snprintf(err, err_cap, "cannot listen on %s port %u (in use, or not permitted)",
                 opt->address, (unsigned)opt->port);
        free(s);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : opt->port;
    *out = s;
    return 0;
}

// The bound port.
uint16_t http_server_port(const struct http_server *s)
{
    return s->port;
}

// Stops the daemon and frees the server.
void http_server_stop(struct http_server *s)
{
    if (s == NULL) {
        return;
    }
    MHD_stop_daemon(s->daemon);
    free(s);
}
