// SPDX-License-Identifier: Apache-2.0
// Tests of the printf-free copies and joins of src/core/strjoin.c: truncation always leaves a
// terminated string of cap - 1 bytes, and the decimal writers agree with printf.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/strjoin.h"

#include <stdio.h>
#include <string.h>

static void test_join(void **state)
{
    (void)state;
    char out[16];
    const char *parts[] = {"iam", ":", "GetRole"};
    assert_int_equal(sb_join(out, sizeof(out), parts, 3), 11);
    assert_string_equal(out, "iam:GetRole");
    const char *long_parts[] = {"arn:aws:iam::", "111122223333", ":root"};
    assert_int_equal(sb_join(out, sizeof(out), long_parts, 3), 15);
    assert_string_equal(out, "arn:aws:iam::11");
    assert_int_equal(sb_join(out, 1, parts, 3), 0);
    assert_string_equal(out, "");
    assert_int_equal(sb_join(out, 0, parts, 3), 0); // nothing written, not even a NUL
    assert_int_equal(sb_join(out, sizeof(out), parts, 0), 0);
    assert_string_equal(out, "");
    assert_int_equal(sb_copy(out, sizeof(out), "-"), 1);
    assert_string_equal(out, "-");
}

static void test_numbers(void **state)
{
    (void)state;
    static const int64_t vals[] = {0, 1, 9, 10, 200, -1, -10, 1795858929, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        char got[21];
        char want[32];
        size_t n = sb_i64(got, vals[i]);
        snprintf(want, sizeof(want), "%lld", (long long)vals[i]);
        assert_string_equal(got, want);
        assert_int_equal(n, strlen(want));
    }
    char got[21];
    assert_int_equal(sb_u64(got, UINT64_MAX), 20);
    assert_string_equal(got, "18446744073709551615");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
