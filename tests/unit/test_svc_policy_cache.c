// SPDX-License-Identifier: Apache-2.0
// Unit tests for the compiled-policy cache (src/svc/policy_cache.c): hits and misses, keys that
// include the kind, name and ARN, failures not cached, LRU eviction that never frees a policy in
// use, and concurrent use from several threads.
#include "svc/policy_cache.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const char DOC[] = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                          "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}";

static void test_hits_and_keys(void **state)
{
    (void)state;
    struct policy_cache *c = policy_cache_new(8);
    struct policy_cache_ref a, b, k, n;
    struct policy_error err;
    assert_int_equal(
        policy_cache_get(c, DOC, strlen(DOC), POLICY_KIND_IDENTITY, "p", NULL, &a, &err), 0);
    assert_int_equal(
        policy_cache_get(c, DOC, strlen(DOC), POLICY_KIND_IDENTITY, "p", NULL, &b, &err), 0);
    assert_ptr_equal(a.policy, b.policy); // the same compiled policy
    // Another kind, another name: other entries.
    assert_int_equal(
        policy_cache_get(c, DOC, strlen(DOC), POLICY_KIND_BOUNDARY, "p", NULL, &k, &err), 0);
    assert_ptr_not_equal(k.policy, a.policy);
    assert_int_equal(policy_cache_get(c, DOC, strlen(DOC), POLICY_KIND_IDENTITY, "q",
                                      "arn:aws:iam::111122223333:policy/q", &n, &err),
                     0);
    assert_ptr_not_equal(n.policy, a.policy);
    assert_string_equal(policy_arn(n.policy), "arn:aws:iam::111122223333:policy/q");
    size_t entries, hits, misses;
    policy_cache_stats(c, &entries, &hits, &misses);
    assert_int_equal(entries, 3);
    assert_int_equal(hits, 1);
    assert_int_equal(misses, 3);
    policy_cache_release(c, &a);
    assert_null(a.policy);
    policy_cache_release(c, &a); // a zeroed ref does nothing
    policy_cache_release(c, &b);
    policy_cache_release(c, &k);
    policy_cache_release(c, &n);
    policy_cache_free(c);
}

static void test_failure_not_cached(void **state)
{
    (void)state;
    struct policy_cache *c = policy_cache_new(8);
    struct policy_cache_ref r;
    struct policy_error err;
    const char *bad = "{\"Statement\":[]}";
    assert_int_equal(
        policy_cache_get(c, bad, strlen(bad), POLICY_KIND_IDENTITY, "bad", NULL, &r, &err), -1);
    assert_null(r.policy);
    assert_string_equal(err.message, "Syntax errors in policy.");
    size_t entries, hits, misses;
    policy_cache_stats(c, &entries, &hits, &misses);
    assert_int_equal(entries, 0);
    policy_cache_free(c);
}

static void test_eviction_spares_policies_in_use(void **state)
{
    (void)state;
    struct policy_cache *c = policy_cache_new(2);
    struct policy_cache_ref held;
    struct policy_error err;
    assert_int_equal(
        policy_cache_get(c, DOC, strlen(DOC), POLICY_KIND_IDENTITY, "held", NULL, &held, &err), 0);
    for (int i = 0; i < 10; i++) {
        char name[16];
        snprintf(name, sizeof(name), "p%d", i);
        struct policy_cache_ref r;
        assert_int_equal(
            policy_cache_get(c, DOC, strlen(DOC), POLICY_KIND_IDENTITY, name, NULL, &r, &err), 0);
        policy_cache_release(c, &r);
    }
    size_t entries, hits, misses;
    policy_cache_stats(c, &entries, &hits, &misses);
    assert_true(entries <= 2);
    // The held policy is still valid and still cached.
    assert_string_equal(policy_name(held.policy), "held");
    struct policy_cache_ref again;
    assert_int_equal(
        policy_cache_get(c, DOC, strlen(DOC), POLICY_KIND_IDENTITY, "held", NULL, &again, &err), 0);
    assert_ptr_equal(again.policy, held.policy);
    policy_cache_release(c, &again);
    policy_cache_release(c, &held);
    policy_cache_free(c);
}

static struct policy_cache *shared;

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < 2000; i++) {
        char name[16];
        snprintf(name, sizeof(name), "p%d", (i + id) % 20);
        struct policy_cache_ref r;
        struct policy_error err;
        if (policy_cache_get(shared, DOC, strlen(DOC), POLICY_KIND_IDENTITY, name, NULL, &r,
                             &err) != 0 ||
            strcmp(policy_name(r.policy), name) != 0) {
            return (void *)1;
        }
        policy_cache_release(shared, &r);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    shared = policy_cache_new(8);
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
    }
    for (int i = 0; i < 4; i++) {
        void *rv;
        pthread_join(t[i], &rv);
        assert_null(rv);
    }
    policy_cache_free(shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hits_and_keys),
        cmocka_unit_test(test_failure_not_cached),
        cmocka_unit_test(test_eviction_spares_policies_in_use),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
