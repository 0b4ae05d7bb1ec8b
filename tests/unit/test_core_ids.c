// SPDX-License-Identifier: Apache-2.0
// Unit tests for random identifiers (src/core/ids.c) and client errors (src/core/awserr.c).
// Formats come from RFC 4122 (UUID version 4: version nibble 4, variant bits 10) and from the
// shapes of AWS identifiers (IAM unique ids: a four-letter prefix and upper-case letters and
// digits; secret access keys: 40 characters; EC2 ids: prefix-17 hex digits).
#include "core/awserr.h"
#include "core/ids.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_uuid4(void **state)
{
    (void)state;
    char seen[64][IDS_UUID_LEN + 1];
    for (int i = 0; i < 64; i++) {
        char *u = seen[i];
        ids_uuid4(u);
        assert_int_equal(strlen(u), 36);
        for (int k = 0; k < 36; k++) {
            if (k == 8 || k == 13 || k == 18 || k == 23) {
                assert_int_equal(u[k], '-');
            } else {
                assert_non_null(strchr("0123456789abcdef", u[k]));
            }
        }
        assert_int_equal(u[14], '4');           // version 4
        assert_non_null(strchr("89ab", u[19])); // variant 10xx
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(seen[j], u);
        }
    }
}

static void test_aws_ids(void **state)
{
    (void)state;
    char id[32];
    ids_aws_unique("AIDA", 17, id, sizeof(id));
    assert_int_equal(strlen(id), 21);
    assert_memory_equal(id, "AIDA", 4);
    for (size_t i = 4; i < 21; i++) {
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", id[i]));
    }
    char small[8];
    ids_aws_unique("AKIA", 16, small, sizeof(small)); // truncated to fit, still terminated
    assert_int_equal(strlen(small), 7);

    char secret[41];
    ids_secret_key(secret);
    assert_int_equal(strlen(secret), 40);
    for (size_t i = 0; i < 40; i++) {
        assert_non_null(
            strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", secret[i]));
    }
    char vpc[32];
    ids_hex17("vpc", vpc, sizeof(vpc));
    assert_int_equal(strlen(vpc), 21);
    assert_memory_equal(vpc, "vpc-", 4);
    for (size_t i = 4; i < 21; i++) {
        assert_non_null(strchr("0123456789abcdef", vpc[i]));
    }
}

static void test_awserr(void **state)
{
    (void)state;
    struct awserr e = {0};
    assert_false(awserr_is_set(&e));
    assert_int_equal(
        awserr_set(&e, 404, "NoSuchEntity", "The user with name %s cannot be found.", "ana"), -1);
    assert_true(awserr_is_set(&e));
    assert_int_equal(e.status, 404);
    assert_int_equal(e.fault, AWSERR_SENDER);
    assert_string_equal(e.code, "NoSuchEntity");
    assert_string_equal(e.message, "The user with name ana cannot be found.");
    awserr_set(&e, 500, "ServiceFailure", "%s", "x");
    assert_int_equal(e.fault, AWSERR_RECEIVER);
    char big[5000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    awserr_set(&e, 400, big, "%s", big); // truncated, terminated
    assert_int_equal(strlen(e.code), sizeof(e.code) - 1);
    assert_int_equal(strlen(e.message), sizeof(e.message) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid4),
        cmocka_unit_test(test_aws_ids),
        cmocka_unit_test(test_awserr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
