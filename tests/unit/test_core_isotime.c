// SPDX-License-Identifier: Apache-2.0
// Tests of isotime_parse and isotime_format (src/core/isotime.c). The IAM User Guide, "IAM JSON
// policy elements: Condition operators", Date condition operators, requires "one of the W3C
// implementations of the ISO 8601 date formats" (https://www.w3.org/TR/NOTE-datetime) "or epoch
// (UNIX) time". Expected instants are POSIX time (UTC, no leap seconds); well-known anchors: the
// Windows FILETIME epoch 1601-01-01 is -11644473600 s, 9999-12-31T23:59:59Z is 253402300799 s.
// Cases marked "IAM" are documents IAM itself accepts or refuses (see the policy-validation cases
// that moto records from real IAM responses).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/isotime.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

struct parse_case {
    const char *text;
    int64_t ms;
};

static void test_parse_valid(void **state)
{
    (void)state;
    static const struct parse_case cases[] = {
        // W3C profile: complete date plus hours, minutes and seconds with a zone designator.
        {"1970-01-01T00:00:00Z", 0},
        {"2020-01-01T00:00:01Z", 1577836801000}, // the operators page's DateGreaterThan example
        {"2017-07-01T00:00:00Z", 1498867200000}, // IAM accepts (DateGreaterThan on CurrentTime)
        {"2017-12-31T23:59:59Z", 1514764799000},
        {"2019-07-01T13:20:15Z", 1561987215000},
        {"2016-12-13T21:20:37.593194+00:00", 1481664037593}, // IAM accepts; fraction truncated
        {"2016-12-13T21:20:37+01:00", 1481660437000},
        {"2016-12-13T21:20:37+05:30", 1481644237000},
        {"2016-12-13T21:20:37+0530", 1481644237000},
        {"2016-12-13T21:20:37-08:00", 1481692837000},
        {"2016-12-13T21:20:37+01", 1481660437000}, // IAM accepts an hours-only offset
        {"2024-02-29T23:59:59.999Z", 1709251199999},
        {"2024-02-29T23:59:59.9Z", 1709251199900},
        {"2024-02-29T23:59:59.123456789Z", 1709251199123}, // nine fraction digits
        {"2020-01-01t00:00:01z", 1577836801000},           // IAM lowercases the text
        // W3C: complete date plus hours and minutes.
        {"2020-01-01T00:01Z", 1577836860000},
        {"2020-01-01T00:01+01:00", 1577833260000},
        {"2020-01-01T00:01", 1577836860000}, // no zone: UTC
        // W3C: complete date, and year and month.
        {"2020-01-01", 1577836800000},
        {"2000-02-29", 951782400000},
        {"2020-01", 1577836800000},
        {"1900-03-01", -2203891200000},
        {"2400-02-29T12:00:00Z", 13574606400000},
        {"1601-01-01T00:00:00Z", -11644473600000},
        {"9999-12-31T23:59:59Z", 253402300799000},
        {"0000-01-01T00:00:00Z", -62167219200000},
        // Epoch (UNIX) time, as aws:EpochTime carries it.
        {"0", 0},
        {"1700000000", 1700000000000},
        {"1577836801", 1577836801000},
        {"1.5", 1500},
        {"1.0009", 1000},
        {"-1.5", -1500},
        {"+15", 15000},
        {"-292275054", -292275054000},      // IAM accepts
        {"2020", 2020000},                  // digits only: epoch seconds, not a year
        {"9223372036854775807", INT64_MAX}, // IAM accepts; milliseconds saturate
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t got = 12345;
        if (isotime_parse(cases[i].text, strlen(cases[i].text), &got) != 0) {
            fail_msg("isotime_parse(\"%s\") failed", cases[i].text);
        }
        if (got != cases[i].ms) {
            fail_msg("isotime_parse(\"%s\") = %" PRId64 ", want %" PRId64, cases[i].text, got,
                     cases[i].ms);
        }
    }
}

static void test_parse_invalid(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "",
        "sdfdsf",                               // IAM refuses
        "234-13",                               // IAM refuses (month 13)
        "2016-12-13T21:20:37.1999999999+10:59", // IAM refuses (ten fraction digits)
        "2016-12-13T21:20:37+1",                // IAM refuses (one-digit offset)
        "9223372036854775808",                  // IAM refuses (beyond 2^63 - 1)
        "2020-13-01",
        "2020-00-10",
        "2020-01-00",
        "2020-01-32",
        "2021-02-29", // not a leap year
        "1900-02-29", // not a leap year either (divisible by 100)
        "2020-04-31",
        "2020-1-01",
        "20-01-01",
        "2020-01-01T",
        "2020-01-01T00",
        "2020-01-01T24:00:00Z",
        "2020-01-01T25:00Z",
        "2020-01-01T00:60Z",
        "2020-01-01T00:00:60Z",
        "2020-01-01T00:00:00.Z",
        "2020-01-01T00:00:00+05:",
        "2020-01-01T00:00:00+05:60",
        "2020-01-01T00:00:00+24:00",
        "2020-01-01T00:00:00ZZ",
        "2020-01-01T00:00:00 ",
        " 2020-01-01",
        "2020-01-01 00:00:00",
        "2020-01-01Z",
        "2020-01-",
        "1e3",
        "1.",
        ".5",
        "-",
        "+",
        "12:00",
        "${aws:CurrentTime}",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t got = 777;
        if (isotime_parse(cases[i], strlen(cases[i]), &got) != -1) {
            fail_msg("isotime_parse(\"%s\") accepted invalid input", cases[i]);
        }
        if (got != 777) {
            fail_msg("isotime_parse(\"%s\") changed *out_ms on failure", cases[i]);
        }
    }
    int64_t got = 0;
    assert_int_equal(isotime_parse(NULL, 0, &got), -1);
    // The length bounds the text.
    assert_int_equal(isotime_parse("2020-01-01T00:00:00Zjunk", 20, &got), 0);
    assert_true(got == 1577836800000);
}

struct format_case {
    int64_t ms;
    const char *text;
};

static void test_format(void **state)
{
    (void)state;
    static const struct format_case cases[] = {
        {0, "1970-01-01T00:00:00Z"},
        {1577836801000, "2020-01-01T00:00:01Z"},
        {1577836801999, "2020-01-01T00:00:01Z"}, // whole seconds, truncated
        {-1, "1969-12-31T23:59:59Z"},            // floor, not toward zero
        {-1000, "1969-12-31T23:59:59Z"},
        {-1001, "1969-12-31T23:59:58Z"},
        {951782400000, "2000-02-29T00:00:00Z"},
        {-11644473600000, "1601-01-01T00:00:00Z"},
        {253402300799000, "9999-12-31T23:59:59Z"},
        {-62167219200000, "0000-01-01T00:00:00Z"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[32];
        size_t n = isotime_format(cases[i].ms, out, sizeof(out));
        if (strcmp(out, cases[i].text) != 0 || n != strlen(cases[i].text)) {
            fail_msg("isotime_format(%" PRId64 ") = \"%s\" (%zu), want \"%s\"", cases[i].ms, out, n,
                     cases[i].text);
        }
    }
    // 21 bytes are enough for four-digit years; a smaller buffer truncates and stays terminated.
    char small[21];
    assert_int_equal(isotime_format(1577836801000, small, sizeof(small)), 20);
    assert_string_equal(small, "2020-01-01T00:00:01Z");
    char tiny[5];
    assert_int_equal(isotime_format(1577836801000, tiny, sizeof(tiny)), 4);
    assert_string_equal(tiny, "2020");
    // Extreme values do not crash or overflow.
    char big[64];
    assert_true(isotime_format(INT64_MAX, big, sizeof(big)) > 20);
    assert_true(isotime_format(INT64_MIN, big, sizeof(big)) > 20);
}

// Every day from 1600 to 2500 formats and parses back to itself (days-from-civil round trip).
static void test_round_trip(void **state)
{
    (void)state;
    const int64_t day_ms = 86400000;
    for (int64_t ms = -11676096000000; ms < 16725225600000; ms += day_ms + 3723000) {
        char out[32];
        size_t n = isotime_format(ms, out, sizeof(out));
        int64_t back = 0;
        assert_int_equal(isotime_parse(out, n, &back), 0);
        if (back != ms - ((ms % 1000) + 1000) % 1000) {
            fail_msg("round trip of %" PRId64 " through %s gave %" PRId64, ms, out, back);
        }
    }
}

// isotime_split must agree with the C library's gmtime_r on every day from 1900 to 2400 (leap
// years, century rules) and at the edges of a day.
static void test_split_matches_gmtime(void **state)
{
    (void)state;
    for (int64_t t = -2208988800LL; t < 13569465600LL; t += 86400 - 1) {
        time_t tt = (time_t)t;
        struct tm tm;
        assert_non_null(gmtime_r(&tt, &tm));
        struct isotime_fields f;
        isotime_split(t, &f);
        if (f.year != tm.tm_year + 1900 || f.month != (unsigned)tm.tm_mon + 1 ||
            f.day != (unsigned)tm.tm_mday || f.hour != (unsigned)tm.tm_hour ||
            f.minute != (unsigned)tm.tm_min || f.second != (unsigned)tm.tm_sec) {
            fail_msg("isotime_split(%lld) differs from gmtime_r", (long long)t);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_matches_gmtime), cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_invalid),        cmocka_unit_test(test_format),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
