// SPDX-License-Identifier: Apache-2.0
// Unit tests for the HTTP server glue (src/http/server.c), over real sockets on loopback: the
// request-target reaches the handler byte for byte as sent (SigV4 signs the raw bytes; RFC 9112
// section 3.2), repeated headers are all kept, bodies arrive whole whether sent with
// Content-Length or chunked (RFC 9112 section 7.1), oversized bodies get 413, and responses carry
// the handler's status, headers and body.
#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

// What the handler saw last (the tests make one request at a time).
static struct {
    pthread_mutex_t lock;
    char method[16];
    char path[512];
    char query[512];
    char body[70000];
    size_t body_len;
    int x_rep_count;
    char x_rep_joined[256];
    char client[64];
} seen = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void handler(void *ctx, const struct http_request *rq, struct http_response *rs)
{
    (void)ctx;
    pthread_mutex_lock(&seen.lock);
    snprintf(seen.method, sizeof(seen.method), "%s", rq->method);
    snprintf(seen.path, sizeof(seen.path), "%.*s", (int)rq->raw_path_len, rq->raw_path);
    snprintf(seen.query, sizeof(seen.query), "%.*s", (int)rq->raw_query_len, rq->raw_query);
    memcpy(seen.body, rq->body, rq->body_len < sizeof(seen.body) ? rq->body_len : 0);
    seen.body_len = rq->body_len;
    seen.x_rep_count = 0;
    seen.x_rep_joined[0] = '\0';
    for (size_t i = 0; i < rq->header_count; i++) {
        if (strcasecmp(rq->headers[i].name, "X-Rep") == 0) {
            seen.x_rep_count++;
            strncat(seen.x_rep_joined, rq->headers[i].value,
                    sizeof(seen.x_rep_joined) - strlen(seen.x_rep_joined) - 1);
            strncat(seen.x_rep_joined, "|",
                    sizeof(seen.x_rep_joined) - strlen(seen.x_rep_joined) - 1);
        }
    }
    snprintf(seen.client, sizeof(seen.client), "%s", rq->client_ip);
    pthread_mutex_unlock(&seen.lock);
    rs->status = 201;
    rs->content_type = "text/plain";
    http_response_header(rs, "x-amzn-RequestId", "req-1");
    buf_puts(&rs->body, "hello");
}

static struct http_server *srv;

static int setup(void **state)
{
    (void)state;
    struct http_server_options opt = {
        .address = "127.0.0.1", .port = 0, .threads = 2, .max_body = 65536, .handler = handler};
    char err[256];
    if (http_server_start(&opt, &srv, err, sizeof(err)) != 0) {
        fprintf(stderr, "start: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    http_server_stop(srv);
    return 0;
}

// Sends raw bytes, reads the whole response (the request says Connection: close).
static size_t exchange(const char *req, size_t req_len, char *resp, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(http_server_port(srv))};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    size_t off = 0;
    while (off < req_len) {
        ssize_t n = write(fd, req + off, req_len - off);
        assert_true(n > 0);
        off += (size_t)n;
    }
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fd, resp + got, cap - 1 - got);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    resp[got] = '\0';
    close(fd);
    return got;
}

static void test_raw_target_and_headers(void **state)
{
    (void)state;
    const char *req = "POST /a%2Fb/./c//d?Action=List%20Users&x=a+b&e= HTTP/1.1\r\n"
                      "Host: 127.0.0.1\r\nX-Rep: one\r\nX-Rep:  two  \r\n"
                      "Content-Length: 5\r\nConnection: close\r\n\r\nabcde";
    char resp[4096];
    exchange(req, strlen(req), resp, sizeof(resp));
    assert_non_null(strstr(resp, "HTTP/1.1 201"));
    assert_non_null(strstr(resp, "x-amzn-RequestId: req-1"));
    assert_non_null(strstr(resp, "\r\n\r\nhello"));
    assert_string_equal(seen.method, "POST");
    assert_string_equal(seen.path, "/a%2Fb/./c//d"); // not decoded, not normalized
    assert_string_equal(seen.query, "Action=List%20Users&x=a+b&e=");
    assert_int_equal(seen.body_len, 5);
    assert_memory_equal(seen.body, "abcde", 5);
    assert_int_equal(seen.x_rep_count, 2);
    assert_non_null(strstr(seen.x_rep_joined, "one|"));
    assert_string_equal(seen.client, "127.0.0.1");
}

static void test_get_without_query(void **state)
{
    (void)state;
    const char *req = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    char resp[4096];
    exchange(req, strlen(req), resp, sizeof(resp));
    assert_non_null(strstr(resp, "HTTP/1.1 201"));
    assert_string_equal(seen.path, "/");
    assert_string_equal(seen.query, "");
    assert_int_equal(seen.body_len, 0);
}

static void test_chunked_body(void **state)
{
    (void)state;
    const char *req = "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                      "Connection: close\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n";
    char resp[4096];
    exchange(req, strlen(req), resp, sizeof(resp));
    assert_non_null(strstr(resp, "HTTP/1.1 201"));
    assert_int_equal(seen.body_len, 9);
    assert_memory_equal(seen.body, "Wikipedia", 9);
}

static void test_large_body_refused(void **state)
{
    (void)state;
    static char req[70100];
    int n = snprintf(req, sizeof(req),
                     "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 65537\r\n"
                     "Connection: close\r\n\r\n");
    memset(req + n, 'z', 65537);
    char resp[4096];
    seen.body_len = 12345;
    exchange(req, (size_t)n + 65537, resp, sizeof(resp));
    assert_non_null(strstr(resp, "HTTP/1.1 413"));
    assert_int_equal(seen.body_len, 12345); // the handler never ran
}

static void test_bad_address(void **state)
{
    (void)state;
    struct http_server_options opt = {
        .address = "localhost", .port = 0, .threads = 1, .max_body = 1, .handler = handler};
    struct http_server *s = (struct http_server *)&opt;
    char err[128];
    assert_int_equal(http_server_start(&opt, &s, err, sizeof(err)), -1);
    assert_null(s);
    assert_non_null(strstr(err, "not an IP address"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_target_and_headers),
        cmocka_unit_test(test_get_without_query),
        cmocka_unit_test(test_chunked_body),
        cmocka_unit_test(test_large_body_refused),
        cmocka_unit_test(test_bad_address),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
