// SPDX-License-Identifier: Apache-2.0
// Tests of cidr_parse and cidr_contains (src/core/cidr.c). Expected values come from RFC 4291
// section 2.2 (IPv6 text forms, "::" compression, embedded IPv4), RFC 4291 section 2.5.5.2
// (IPv4-mapped addresses ::ffff:a.b.c.d), the dotted-quad form of inet_pton(3), and the IAM User
// Guide, "IAM JSON policy elements: Condition operators", IP address condition operators
// ("203.0.113.0/24" covers 203.0.113.0 to 203.0.113.255; "2001:DB8:1234:5678::/64").
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/cidr.h"

#include <stdio.h>
#include <string.h>

struct parse_case {
    const char *text;
    const char *hex; // the expected 16 address bytes as 32 hex digits
    unsigned prefix; // in the 128-bit space
    bool v4;
};

static void hex_of(const uint8_t *b, char out[33])
{
    for (int i = 0; i < 16; i++) {
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    }
}

// RFC 4291 section 2.2 forms and dotted quads; IPv4 lands in ::ffff:0:0/96 (RFC 4291 2.5.5.2).
static void test_parse_valid(void **state)
{
    (void)state;
    static const struct parse_case cases[] = {
        {"203.0.113.0/24", "00000000000000000000ffffcb007100", 120, true},
        {"10.1.2.3", "00000000000000000000ffff0a010203", 128, true},
        {"10.1.2.3/24", "00000000000000000000ffff0a010203", 120, true}, // host bits kept
        {"0.0.0.0/0", "00000000000000000000ffff00000000", 96, true},
        {"255.255.255.255/32", "00000000000000000000ffffffffffff", 128, true},
        {"2001:DB8:1234:5678::/64", "20010db8123456780000000000000000", 64, false},
        {"2001:db8:1234:5678::", "20010db8123456780000000000000000", 128, false},
        {"::", "00000000000000000000000000000000", 128, false},
        {"::/0", "00000000000000000000000000000000", 0, false},
        {"::1", "00000000000000000000000000000001", 128, false},
        {"1::", "00010000000000000000000000000000", 128, false},
        {"1:2:3:4:5:6:7:8", "00010002000300040005000600070008", 128, false},
        {"1:2:3:4:5:6:7::", "00010002000300040005000600070000", 128, false},
        {"::2:3:4:5:6:7:8", "00000002000300040005000600070008", 128, false},
        {"fe80::1:2", "fe800000000000000000000000010002", 128, false},
        {"FFFF::abcd:EF01", "ffff00000000000000000000abcdef01", 128, false},
        {"::ffff:1.2.3.4", "00000000000000000000ffff01020304", 128, false},
        {"::ffff:10.0.0.0/104", "00000000000000000000ffff0a000000", 104, false},
        {"1:2:3:4:5:6:1.2.3.4", "00010002000300040005000601020304", 128, false},
        {"64:ff9b::192.0.2.33", "0064ff9b0000000000000000c0000221", 128, false},
        {"2001:db8::/128", "20010db8000000000000000000000000", 128, false},
        {"0:0:0:0:0:0:0:0", "00000000000000000000000000000000", 128, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct parse_case *c = &cases[i];
        struct cidr got;
        memset(&got, 0xaa, sizeof(got));
        if (cidr_parse(c->text, strlen(c->text), &got) != 0) {
            fail_msg("cidr_parse(\"%s\") failed", c->text);
        }
        char hex[33];
        hex_of(got.addr, hex);
        if (strcmp(hex, c->hex) != 0 || got.prefix != c->prefix || got.v4 != c->v4) {
            fail_msg("cidr_parse(\"%s\"): got %s/%u v4=%d, want %s/%u v4=%d", c->text, hex,
                     got.prefix, got.v4, c->hex, c->prefix, c->v4);
        }
    }
}

// Everything inet_pton refuses, plus prefixes out of range and zone identifiers.
static void test_parse_invalid(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "1.2.3.256",
        "010.1.1.1", // leading zero: octal in some parsers, refused by inet_pton
        "1.2.3.04",
        "1..2.3",
        "0x1.2.3.4",
        "a.b.c.d",
        " 1.2.3.4",
        "1.2.3.4 ",
        "1.2.3.4/",
        "1.2.3.4/33",
        "1.2.3.4/-1",
        "1.2.3.4/+8",
        "1.2.3.4/032",
        "1.2.3.4/24/1",
        "1.2.3.4/2a",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8",
        "1::2::3",
        "1:::2",
        ":1",
        "1:",
        ":",
        ":::",
        "12345::",
        "g::",
        "::/129",
        "::/",
        "fe80::1%eth0",
        "::ffff:1.2.3",
        "::ffff:1.2.3.4.5",
        "::1.2.3.4:5",
        "1.2.3.4::",
        "1:2:3:4:5:6:7:1.2.3.4",
        "[::1]",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cidr got;
        memset(&got, 0x5a, sizeof(got));
        struct cidr before = got;
        if (cidr_parse(cases[i], strlen(cases[i]), &got) != -1) {
            fail_msg("cidr_parse(\"%s\") accepted invalid input", cases[i]);
        }
        if (memcmp(&got, &before, sizeof(got)) != 0) {
            fail_msg("cidr_parse(\"%s\") changed *out on failure", cases[i]);
        }
    }
    // The length bounds the text: a valid address followed by garbage is valid when cut off.
    struct cidr got;
    assert_int_equal(cidr_parse("10.0.0.1garbage", 8, &got), 0);
    assert_int_equal(got.prefix, 128);
    assert_int_equal(cidr_parse(NULL, 0, &got), -1);
}

struct contains_case {
    const char *block;
    const char *addr;
    bool want;
};

static void test_contains(void **state)
{
    (void)state;
    static const struct contains_case cases[] = {
        // IAM User Guide: 203.0.113.0/24 is "the IP range 203.0.113.0 to 203.0.113.255".
        {"203.0.113.0/24", "203.0.113.0", true},
        {"203.0.113.0/24", "203.0.113.255", true},
        {"203.0.113.0/24", "203.0.112.255", false},
        {"203.0.113.0/24", "203.0.114.0", false},
        // "If you specify an IP address without the associated routing prefix, IAM uses /32."
        {"203.0.113.7", "203.0.113.7", true},
        {"203.0.113.7", "203.0.113.8", false},
        // Host bits below the prefix are masked (cidr.h).
        {"10.1.2.3/24", "10.1.2.200", true},
        {"10.1.2.3/24", "10.1.3.1", false},
        {"10.0.0.0/8", "10.255.255.255", true},
        {"10.0.0.0/8", "11.0.0.0", false},
        {"192.168.0.0/31", "192.168.0.1", true},
        {"192.168.0.0/31", "192.168.0.2", false},
        {"0.0.0.0/0", "8.8.8.8", true},
        {"0.0.0.0/0", "2001:db8::1", false},
        // IAM User Guide: 2001:DB8:1234:5678::/64.
        {"2001:DB8:1234:5678::/64", "2001:db8:1234:5678:abcd::1", true},
        {"2001:DB8:1234:5678::/64", "2001:db8:1234:5678:ffff:ffff:ffff:ffff", true},
        {"2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", false},
        {"2001:db8::/33", "2001:db8:7fff::1", true},
        {"2001:db8::/33", "2001:db8:8000::1", false},
        {"::1", "::1", true},
        {"::1", "::2", false},
        {"::/0", "2001:db8::1", true},
        // cidr.h: an IPv4 address never matches an IPv6 block outside ::ffff:0:0/96, and an
        // IPv6 address matches an IPv4 block only as its mapped form (RFC 4291 2.5.5.2).
        {"::/0", "10.0.0.1", false},
        {"::/64", "10.0.0.1", false},
        {"::ffff:0:0/96", "10.0.0.1", true},
        {"::ffff:10.0.0.0/104", "10.1.2.3", true},
        {"::ffff:10.0.0.0/104", "11.1.2.3", false},
        {"10.0.0.0/8", "::ffff:10.1.2.3", true},
        {"10.0.0.0/8", "::ffff:11.1.2.3", false},
        {"10.0.0.0/8", "::a01:203", false}, // IPv4-compatible, not IPv4-mapped
        {"0.0.0.0/0", "::1", false},
        // A network is contained only when its prefix is at least as long as the block's.
        {"10.0.0.0/8", "10.1.0.0/16", true},
        {"10.1.0.0/16", "10.0.0.0/8", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct contains_case *c = &cases[i];
        struct cidr block;
        struct cidr addr;
        assert_int_equal(cidr_parse(c->block, strlen(c->block), &block), 0);
        assert_int_equal(cidr_parse(c->addr, strlen(c->addr), &addr), 0);
        if (cidr_contains(&block, &addr) != c->want) {
            fail_msg("cidr_contains(%s, %s) != %d", c->block, c->addr, c->want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_contains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
