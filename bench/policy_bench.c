// SPDX-License-Identifier: Apache-2.0
// policy_bench: decisions per second and latency of the IAM policy engine (policy.h) on a
// realistic SageMaker Studio role. The role is the workshop's data science role of
// shared/scenario.md: five managed policies with 35 statements (wildcard actions and ARNs,
// String/Arn/Bool/Null/Date/Numeric/IpAddress conditions, set qualifiers, ${aws:PrincipalTag/team}
// in resources and condition values, Deny and NotAction), plus the KMS key policy for key
// requests. The requests (bench/data/requests.json) mix allowed, implicitly denied and
// explicitly denied calls from inside the lab VPC and from a laptop; each carries the decision
// AWS makes, which is checked before anything is timed.
//
// Two modes, each on one thread:
//   (a) the policies are compiled once and every decision only evaluates;
//   (b) every decision parses all the documents it needs, evaluates and frees them, as a caller
//       without a policy cache would.
// Throughput is measured over a time-bounded loop (the clock is read once per batch); latency
// from a separate loop that reads CLOCK_MONOTONIC around each decision, so the percentiles
// include one timer-read pair, whose cost is printed too.
//
// Usage: policy_bench [--seconds S] [--mode a|b] [--data DIR]
//   S is the duration of each measured phase (default 1.5; each mode has a throughput and a
//   latency phase plus a short warm-up), --mode runs one mode only (for profiling).
#include "policy/policy.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef SAGEBOX_BENCH_DATA
#define SAGEBOX_BENCH_DATA "bench/data"
#endif

#define MAX_DOCS     8
#define MAX_REQUESTS 128
#define MAX_SAMPLES  (1u << 21)

struct doc {
    char name[128];
    char *json;
    size_t json_len;
    enum policy_kind kind;
    size_t statements;
    struct policy *compiled;
};

struct bench_request {
    struct policy_request req;
    char *action;
    char *resource;
    char *resource_account;
    struct policy_context *ctx;
    int resource_doc; // index into docs of the resource policy, or -1
    enum policy_result expect;
};

struct bench {
    struct doc docs[MAX_DOCS];
    size_t doc_count;
    size_t identity_count; // the first identity_count docs are the identity policies
    struct bench_request reqs[MAX_REQUESTS];
    size_t req_count;
    char principal_storage[512];
    struct policy_principal principal;
};

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "policy_bench: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (d == NULL) {
        die("%s", "out of memory");
    }
    return d;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        die("cannot open %s (run from the source tree or pass --data DIR)", path);
    }
    size_t cap = 4096;
    size_t n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) {
            die("%s", "out of memory"); // exits: nothing to free
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) {
            break;
        }
        cap *= 2;
        char *bigger = realloc(buf, cap);
        if (bigger == NULL) {
            free(buf);
        }
        buf = bigger;
    }
    fclose(f);
    *len = n;
    return buf;
}

// Returns the index of the document named name, loading and compiling it on first use.
static int load_doc(struct bench *b, const char *dir, const char *name, enum policy_kind kind)
{
    for (size_t i = 0; i < b->doc_count; i++) {
        if (strcmp(b->docs[i].name, name) == 0) {
            return (int)i;
        }
    }
    if (b->doc_count == MAX_DOCS) {
        die("%s", "too many policy documents");
    }
    struct doc *d = &b->docs[b->doc_count];
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(d->name, sizeof d->name, "%s", name);
    d->json = read_file(path, &d->json_len);
    d->kind = kind;
    json_t *root = json_loadb(d->json, d->json_len, 0, NULL);
    json_t *st = json_object_get(root, "Statement");
    d->statements = json_is_array(st) ? json_array_size(st) : 1;
    json_decref(root);
    struct policy_error err = {0};
    if (policy_parse(d->json, d->json_len, kind, d->name, NULL, &d->compiled, &err) != 0) {
        fprintf(stderr, "policy_bench: %s: %s\n", name, err.message);
        exit(1);
    }
    return (int)b->doc_count++;
}

static void context_add(struct policy_context *ctx, const char *key, json_t *v)
{
    if (json_is_string(v)) {
        policy_context_set(ctx, key, json_string_value(v));
        return;
    }
    if (!json_is_array(v) || json_array_size(v) > 16) {
        die("context value of %s must be a string or a short list of strings", key);
    }
    const char *vals[16];
    size_t n = 0;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item)) {
            die("context list of %s must hold strings", key);
        }
        vals[n++] = json_string_value(item);
    }
    policy_context_set_list(ctx, key, vals, n);
}

static enum policy_result result_from_name(const char *s)
{
    for (int r = POLICY_ALLOWED; r <= POLICY_EXPLICIT_DENY; r++) {
        if (strcmp(policy_result_name((enum policy_result)r), s) == 0) {
            return (enum policy_result)r;
        }
    }
    die("unknown expected decision %s", s);
}

static void load(struct bench *b, const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/requests.json", dir);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (root == NULL) {
        die("cannot read %s (run from the source tree or pass --data DIR)", path);
    }
    json_t *ids = json_object_get(root, "identityPolicies");
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        load_doc(b, dir, json_string_value(v), POLICY_KIND_IDENTITY);
    }
    b->identity_count = b->doc_count;

    const char *principal = json_string_value(json_object_get(root, "principal"));
    if (principal == NULL || policy_principal_parse(principal, &b->principal, b->principal_storage,
                                                    sizeof b->principal_storage) != 0) {
        die("bad principal in %s", path);
    }
    const char *default_account = json_string_value(json_object_get(root, "resourceAccount"));
    json_t *contexts = json_object_get(root, "contexts");

    json_array_foreach(json_object_get(root, "requests"), i, v)
    {
        if (b->req_count == MAX_REQUESTS) {
            die("%s", "too many requests");
        }
        struct bench_request *r = &b->reqs[b->req_count++];
        r->action = xstrdup(json_string_value(json_object_get(v, "action")));
        r->resource = xstrdup(json_string_value(json_object_get(v, "resource")));
        const char *acct = json_string_value(json_object_get(v, "resourceAccount"));
        r->resource_account = xstrdup(acct != NULL ? acct : default_account);
        r->expect = result_from_name(json_string_value(json_object_get(v, "expect")));
        const char *rp = json_string_value(json_object_get(v, "resourcePolicy"));
        r->resource_doc = rp == NULL ? -1 : load_doc(b, dir, rp, POLICY_KIND_KEY);

        r->ctx = policy_context_new();
        const char *key;
        json_t *val;
        json_t *base = json_object_get(contexts, json_string_value(json_object_get(v, "from")));
        json_object_foreach(base, key, val)
        {
            context_add(r->ctx, key, val);
        }
        json_object_foreach(json_object_get(v, "context"), key, val)
        {
            context_add(r->ctx, key, val);
        }
        policy_context_add_principal_keys(r->ctx, &b->principal);

        r->req = (struct policy_request){
            .action = r->action,
            .resource = r->resource,
            .resource_account = r->resource_account,
            .principal = b->principal,
            .context = r->ctx,
        };
    }
    json_decref(root);
}

static void unload(struct bench *b)
{
    for (size_t i = 0; i < b->req_count; i++) {
        free(b->reqs[i].action);
        free(b->reqs[i].resource);
        free(b->reqs[i].resource_account);
        policy_context_free(b->reqs[i].ctx);
    }
    for (size_t i = 0; i < b->doc_count; i++) {
        free(b->docs[i].json);
        policy_free(b->docs[i].compiled);
    }
}

// Mode (a): evaluates request i against the compiled policies.
static enum policy_result decide_compiled(const struct bench *b, size_t i)
{
    const struct bench_request *r = &b->reqs[i];
    const struct policy *identity[MAX_DOCS];
    for (size_t k = 0; k < b->identity_count; k++) {
        identity[k] = b->docs[k].compiled;
    }
    struct policy_set set = {
        .identity = identity,
        .identity_count = b->identity_count,
        .resource = r->resource_doc < 0 ? NULL : b->docs[r->resource_doc].compiled,
    };
    struct policy_decision d;
    return policy_evaluate(&r->req, &set, &d);
}

// Mode (b): parses every document request i needs, evaluates, and frees them.
static enum policy_result decide_parsing(const struct bench *b, size_t i)
{
    const struct bench_request *r = &b->reqs[i];
    struct policy *identity[MAX_DOCS];
    struct policy *resource = NULL;
    struct policy_error err;
    for (size_t k = 0; k < b->identity_count; k++) {
        const struct doc *d = &b->docs[k];
        if (policy_parse(d->json, d->json_len, d->kind, d->name, NULL, &identity[k], &err) != 0) {
            die("parse failed: %s", err.message);
        }
    }
    if (r->resource_doc >= 0) {
        const struct doc *d = &b->docs[r->resource_doc];
        if (policy_parse(d->json, d->json_len, d->kind, d->name, NULL, &resource, &err) != 0) {
            die("parse failed: %s", err.message);
        }
    }
    struct policy_set set = {
        .identity = (const struct policy *const *)identity,
        .identity_count = b->identity_count,
        .resource = resource,
    };
    struct policy_decision d;
    enum policy_result res = policy_evaluate(&r->req, &set, &d);
    for (size_t k = 0; k < b->identity_count; k++) {
        policy_free(identity[k]);
    }
    policy_free(resource);
    return res;
}

typedef enum policy_result (*decide_fn)(const struct bench *b, size_t i);

struct figures {
    double per_second;
    double p50_us;
    double p99_us;
    double p999_us;
    uint64_t decisions;
};

static volatile unsigned sink; // keeps the decisions from being optimised away

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static double percentile_us(const uint32_t *sorted, size_t n, double q)
{
    size_t idx = (size_t)(q * (double)(n - 1) + 0.5);
    return sorted[idx] / 1000.0;
}

// Runs fn round-robin over the requests: first for `seconds` reading the clock once per batch
// (throughput), then for `seconds` timing each decision (latency sample).
static struct figures measure(const struct bench *b, decide_fn fn, double seconds,
                              uint32_t *samples, size_t batch)
{
    struct figures f = {0};
    unsigned acc = 0;
    size_t i = 0;

    double warm_end = now_s() + seconds * 0.1;
    while (now_s() < warm_end) {
        for (size_t k = 0; k < batch; k++) {
            acc += (unsigned)fn(b, i);
            i = (i + 1 == b->req_count) ? 0 : i + 1;
        }
    }

    double start = now_s();
    double end = start + seconds;
    double t = start;
    uint64_t n = 0;
    while (t < end) {
        for (size_t k = 0; k < batch; k++) {
            acc += (unsigned)fn(b, i);
            i = (i + 1 == b->req_count) ? 0 : i + 1;
        }
        n += batch;
        t = now_s();
    }
    f.decisions = n;
    f.per_second = (double)n / (t - start);

    size_t m = 0;
    uint64_t lat_end = now_ns() + (uint64_t)(seconds * 1e9);
    while (m < MAX_SAMPLES) {
        uint64_t t0 = now_ns();
        acc += (unsigned)fn(b, i);
        uint64_t t1 = now_ns();
        samples[m++] = (uint32_t)(t1 - t0 > UINT32_MAX ? UINT32_MAX : t1 - t0);
        i = (i + 1 == b->req_count) ? 0 : i + 1;
        if ((m & 255) == 0 && t1 > lat_end) {
            break;
        }
    }
    qsort(samples, m, sizeof samples[0], cmp_u32);
    f.p50_us = percentile_us(samples, m, 0.50);
    f.p99_us = percentile_us(samples, m, 0.99);
    f.p999_us = percentile_us(samples, m, 0.999);
    sink += acc;
    return f;
}

static uint64_t timer_overhead_ns(void)
{
    uint64_t best = UINT64_MAX;
    for (int k = 0; k < 1000; k++) {
        uint64_t t0 = now_ns();
        uint64_t t1 = now_ns();
        if (t1 - t0 < best) {
            best = t1 - t0;
        }
    }
    return best;
}

static void group_thousands(char *out, size_t cap, double v)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", v);
    size_t len = strlen(digits);
    size_t o = 0;
    for (size_t k = 0; k < len && o + 2 < cap; k++) {
        out[o++] = digits[k];
        size_t left = len - k - 1;
        if (left > 0 && left % 3 == 0) {
            out[o++] = ',';
        }
    }
    out[o] = '\0';
}

static void print_row(const char *mode, const struct figures *f, const char *goal, bool met)
{
    char rate[32];
    group_thousands(rate, sizeof rate, f->per_second);
    printf("%-26s %12s %9.2f %9.2f %9.2f   %s: %s\n", mode, rate, f->p50_us, f->p99_us, f->p999_us,
           goal, met ? "met" : "NOT MET");
}

int main(int argc, char **argv)
{
    double seconds = 1.5;
    const char *dir = SAGEBOX_BENCH_DATA;
    const char *mode = NULL; // both
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--seconds") == 0 && a + 1 < argc) {
            char *endp;
            errno = 0;
            seconds = strtod(argv[++a], &endp);
            if (errno != 0 || *endp != '\0' || seconds <= 0 || seconds > 60) {
                die("bad --seconds %s", argv[a]);
            }
        } else if (strcmp(argv[a], "--data") == 0 && a + 1 < argc) {
            dir = argv[++a];
        } else if (strcmp(argv[a], "--mode") == 0 && a + 1 < argc) {
            mode = argv[++a];
            if (strcmp(mode, "a") != 0 && strcmp(mode, "b") != 0) {
                die("bad --mode %s (a or b)", mode);
            }
        } else {
            fprintf(stderr, "usage: %s [--seconds S] [--mode a|b] [--data DIR]\n", argv[0]);
            return 2;
        }
    }

    static struct bench b;
    load(&b, dir);

    // Check every decision against AWS's, and that the mix has all three results.
    size_t counts[3] = {0};
    size_t wrong = 0;
    size_t statements = 0;
    for (size_t k = 0; k < b.identity_count; k++) {
        statements += b.docs[k].statements;
    }
    for (size_t i = 0; i < b.req_count; i++) {
        enum policy_result got = decide_compiled(&b, i);
        enum policy_result again = decide_parsing(&b, i);
        counts[got]++;
        if (got != b.reqs[i].expect || again != got) {
            wrong++;
            fprintf(stderr, "MISMATCH: %s on %s: got %s (parsing mode: %s), AWS: %s\n",
                    b.reqs[i].action, b.reqs[i].resource, policy_result_name(got),
                    policy_result_name(again), policy_result_name(b.reqs[i].expect));
        }
    }
    printf("policy_bench: role with %zu managed policies, %zu statements; %zu requests: "
           "%zu allowed, %zu implicitly denied, %zu explicitly denied\n",
           b.identity_count, statements, b.req_count, counts[POLICY_ALLOWED],
           counts[POLICY_IMPLICIT_DENY], counts[POLICY_EXPLICIT_DENY]);
    if (counts[POLICY_ALLOWED] == 0 || counts[POLICY_IMPLICIT_DENY] == 0 ||
        counts[POLICY_EXPLICIT_DENY] == 0) {
        fprintf(stderr, "policy_bench: the request mix does not produce all three results\n");
        wrong++;
    }

    uint32_t *samples = malloc(MAX_SAMPLES * sizeof *samples);
    if (samples == NULL) {
        die("%s", "out of memory");
    }
    printf("one thread, %.1f s per phase; latency read with CLOCK_MONOTONIC around each decision "
           "(timer pair costs %llu ns, included)\n",
           seconds, (unsigned long long)timer_overhead_ns());
    // "µ" is two bytes in UTF-8: widen those columns by one so that they line up.
    printf("%-26s %12s %10s %10s %10s   %s\n", "mode", "decisions/s", "p50 µs", "p99 µs",
           "p99.9 µs", "goal");
    if (mode == NULL || strcmp(mode, "a") == 0) {
        struct figures fa = measure(&b, decide_compiled, seconds, samples, 1024);
        print_row("(a) compiled once", &fa, ">= 1,000,000/s, p99 < 5 µs",
                  fa.per_second >= 1e6 && fa.p99_us < 5.0);
    }
    if (mode == NULL || strcmp(mode, "b") == 0) {
        struct figures fb = measure(&b, decide_parsing, seconds, samples, 16);
        print_row("(b) parse every decision", &fb, ">= 50,000/s", fb.per_second >= 5e4);
    }

    free(samples);
    unload(&b);
    if (wrong != 0) {
        fprintf(stderr, "policy_bench: %zu decision(s) differ from AWS's\n", wrong);
        return 1;
    }
    return 0;
}
