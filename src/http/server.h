// SPDX-License-Identifier: Apache-2.0
// The HTTP/1.1 server: libmicrohttpd with an internal thread pool (epoll), keep-alive,
// pipelining, chunked uploads and Expect: 100-continue handled by the library. This module turns
// each request into a struct http_request (the raw request-target exactly as received, which
// SigV4 needs, the headers, the whole body, the client address, a per-request arena) and hands it
// to one handler function, which fills a struct http_response. It knows nothing of AWS.
#ifndef SAGEBOX_HTTP_SERVER_H
#define SAGEBOX_HTTP_SERVER_H

#include "core/arena.h"
#include "core/buf.h"

#include <stddef.h>
#include <stdint.h>

struct http_header {
    const char *name;  // as received (case preserved), NUL-terminated
    const char *value; // as received, NUL-terminated
};

struct http_request {
    struct arena *arena;  // freed when the response has been sent
    const char *method;   // "GET", "POST", ...
    const char *raw_path; // the request-target's path, not percent-decoded
    size_t raw_path_len;
    const char *raw_query; // after '?', not decoded; "" when absent
    size_t raw_query_len;
    const struct http_header *headers; // in the order received; repeated names are kept
    size_t header_count;
    const char *body; // the whole body (NUL-terminated for convenience); "" when empty
    size_t body_len;
    char client_ip[64];  // the peer's address as text ("127.0.0.1", "::1")
    uint64_t started_ns; // CLOCK_MONOTONIC when the request line arrived
};

#define HTTP_MAX_RESPONSE_HEADERS 12

struct http_response {
    int status;               // HTTP status; 0 means 500
    const char *content_type; // may be NULL
    struct buf body;          // the handler appends; the server frees it
    struct http_header headers[HTTP_MAX_RESPONSE_HEADERS];
    size_t header_count; // extra headers; names and values must live until the response is sent
                         // (string literals or the request's arena)
};

// Called once per complete request, on one of the pool's threads (concurrently with others).
// rs arrives zeroed; the handler must fill at least status.
typedef void (*http_handler_fn)(void *ctx, const struct http_request *rq, struct http_response *rs);

struct http_server_options {
    const char *address; // a literal IPv4 or IPv6 address, e.g. "127.0.0.1", "::1"
    uint16_t port;       // 0 picks a free port (see http_server_port)
    unsigned threads;    // size of the thread pool (>= 1)
    size_t max_body;     // larger bodies get 413 without reaching the handler
    http_handler_fn handler;
    void *handler_ctx;
};

struct http_server;

// Starts listening and serving. Returns 0 and a server in *out, or -1 with a message in
// err[0..err_cap) (bad address, port in use, ...) and *out NULL.
int http_server_start(const struct http_server_options *opt, struct http_server **out, char *err,
                      size_t err_cap);

// The port actually bound (useful when options.port was 0).
uint16_t http_server_port(const struct http_server *s);

// Adds a response header to rs (see http_response.headers for lifetimes); ignored beyond
// HTTP_MAX_RESPONSE_HEADERS.
void http_response_header(struct http_response *rs, const char *name, const char *value);

// Returns the value of the first header named name (case-insensitive), or NULL.
const char *http_request_header(const struct http_request *rq, const char *name);

// Stops accepting, finishes the requests in flight and frees the server; NULL does nothing.
void http_server_stop(struct http_server *s);

#endif
