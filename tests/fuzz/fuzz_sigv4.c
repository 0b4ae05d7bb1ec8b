// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for SigV4 verification (src/auth/sigv4.c): parse, precheck, canonicalization
// and verification on arbitrary request bytes. The input is a small text request:
//   byte 0      flags: bit 0 S3 rules, bit 1 expect region us-east-1, bit 2 expect service iam,
//               bits 3-7 the server clock in minutes after 2026-01-01T00:00:00Z
//   line 1      the method
//   line 2      the raw request-target (path, then '?' and the raw query)
//   lines 3..   headers, "Name:value", up to an empty line
//   the rest    the body
// (tools/gen_sigv4_vectors.py --corpus writes botocore's signed vectors in this form as seeds.)
// Properties checked beyond "no crash, no sanitizer report": a failure always comes with a message;
// the canonical request has the length it claims and the string to sign has its four lines; the
// verdict is the same with and without the key cache, and twice in a row with it.
#define _GNU_SOURCE // memmem
#include "auth/sigv4.h"
#include "core/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT   65536
#define MAX_HEADERS 64
#define T0          ((time_t)1767225600)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char SECRET[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

static struct sigv4_key_cache *cache;

// Cuts the next line out of [*p, end): NUL-terminates it in place and advances *p past it.
static char *line(char **p, char *end, size_t *len)
{
    char *start = *p;
    char *nl = memchr(start, '\n', (size_t)(end - start));
    char *stop = nl != NULL ? nl : end;
    *len = (size_t)(stop - start);
    *stop = '\0';
    *p = nl != NULL ? nl + 1 : end;
    return start;
}

static enum sigv4_failure verdict(const struct sigv4_request *rq, const struct sigv4_claim *c,
                                  time_t now, struct sigv4_key_cache *kc, struct arena *a)
{
    enum sigv4_failure why = SIGV4_OK;
    char msg[512];
    msg[0] = '\0';
    int rc = sigv4_verify(rq, c, SECRET, sizeof SECRET - 1, now, kc, a, &why, msg, sizeof msg);
    if ((rc == 0) != (why == SIGV4_OK) || (rc != 0 && msg[0] == '\0')) {
        abort();
    }
    return why;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_INPUT) {
        return 0;
    }
    if (cache == NULL) {
        cache = sigv4_key_cache_new(); // lives for the whole run
    }
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    // A NUL can reach the canonical request raw, or percent-encoded in a presigned parameter that
    // is decoded (X-Amz-SignedHeaders=a%00b): such a request can only fail to verify, and the
    // strlen checks below do not apply to it.
    bool has_nul = memchr(data, '\0', size) != NULL || memmem(data, size, "%00", 3) != NULL;
    unsigned flags = (unsigned char)buf[0];
    char *p = buf + 1;
    char *end = buf + size;
    size_t method_len;
    size_t target_len;
    const char *method = line(&p, end, &method_len);
    char *target = line(&p, end, &target_len);
    struct sigv4_header headers[MAX_HEADERS];
    size_t count = 0;
    while (p < end && count < MAX_HEADERS) {
        size_t len;
        char *h = line(&p, end, &len);
        if (len == 0) {
            break;
        }
        char *colon = memchr(h, ':', len);
        size_t name_len = colon != NULL ? (size_t)(colon - h) : len;
        headers[count++] = (struct sigv4_header){
            .name = h,
            .name_len = name_len,
            .value = colon != NULL ? colon + 1 : h + len,
            .value_len = colon != NULL ? len - name_len - 1 : 0,
        };
    }
    char *q = memchr(target, '?', target_len);
    struct sigv4_request rq = {
        .method = method,
        .raw_path = target,
        .raw_path_len = q != NULL ? (size_t)(q - target) : target_len,
        .raw_query = q != NULL ? q + 1 : NULL,
        .raw_query_len = q != NULL ? target_len - (size_t)(q - target) - 1 : 0,
        .headers = headers,
        .header_count = count,
        .body = p,
        .body_len = (size_t)(end - p),
        .s3_rules = (flags & 1) != 0,
        .expect_region = (flags & 2) != 0 ? "us-east-1" : NULL,
        .expect_service = (flags & 4) != 0 ? "iam" : NULL,
    };
    time_t now = T0 + (time_t)(flags >> 3) * 60;

    char scratch[2048]; // small, so that larger requests exercise the arena's heap blocks
    struct arena a;
    arena_init(&a, scratch, sizeof scratch);
    struct sigv4_claim c;
    enum sigv4_failure why = SIGV4_OK;
    char msg[512];
    msg[0] = '\0';
    if (sigv4_parse(&rq, &a, &c, &why, msg, sizeof msg) != 0) {
        if (why == SIGV4_OK || msg[0] == '\0') {
            abort();
        }
        goto out;
    }
    struct sigv4_strings s;
    if (sigv4_canonical(&rq, &c, &a, &s, &why, msg, sizeof msg) == 0) {
        if (!has_nul && strlen(s.canonical_request) != s.canonical_request_len) {
            abort();
        }
        size_t lines = 0;
        for (size_t i = 0; i < s.string_to_sign_len; i++) {
            lines += s.string_to_sign[i] == '\n';
        }
        if (!has_nul && lines < 3) {
            abort();
        }
    }
    enum sigv4_failure plain = verdict(&rq, &c, now, NULL, &a);
    enum sigv4_failure cached = verdict(&rq, &c, now, cache, &a);
    enum sigv4_failure again = verdict(&rq, &c, now, cache, &a);
    if (plain != cached || cached != again) {
        abort();
    }
out:
    arena_release(&a);
    free(buf);
    return 0;
}
