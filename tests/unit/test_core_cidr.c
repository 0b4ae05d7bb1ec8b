// SPDX-License-Identifier: Apache-2.0
// Tests of cidr_parse and cidr_contains (src/core/cidr.c). Expected values come from RFC 4291
// section 2.2 (IPv6 text forms, "::" compression, embedded IPv4), RFC 4291 section 2.5.5.2
// (IPv4-mapped addresses ::ffff:a.b.c.d), the dotted-quad form of inet_pton(3), and the IAM User
// Guide, "IAM JSON policy elements: Condition operators", IP address condition operators
// ("203.0.113.0/24" covers 203.0.113.0 to 203.0.113.255; "2001:DB8:1234:5678::/64").
// The VPC arithmetic tests take their expected values from RFC 5952 (IPv6 text representation:
// sections 4.1 to 4.3 and 5), the EC2 API Reference (CreateVpc/CreateSubnet CidrBlock: "if you
// specify 100.68.0.18/18, we modify it to 100.68.0.0/18"; the InvalidParameterValue example
// "Value (SomeRandomString) for parameter cidrBlock is invalid" seen from real EC2 in a public
// test suite) and the Amazon VPC User Guide, "Subnet CIDR blocks" (first four and last address
// reserved; a /24 such as 10.0.0.0/24 loses 10.0.0.0-3 and 10.0.0.255; a /28 has 11 usable
// addresses; default-VPC /20 subnets show 4091).
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
    for (size_t i = 0; i < 16; i++) {
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

// Parses a block that the test expects to be valid.
static struct cidr block_of(const char *text)
{
    struct cidr c;
    if (cidr_parse_block(text, strlen(text), &c) != 0) {
        fail_msg("cidr_parse_block(\"%s\") failed", text);
    }
    return c;
}

// Parses an address (cidr_parse, no prefix) that the test expects to be valid.
static struct cidr addr_of(const char *text)
{
    struct cidr c;
    if (cidr_parse(text, strlen(text), &c) != 0) {
        fail_msg("cidr_parse(\"%s\") failed", text);
    }
    return c;
}

struct format_case {
    const char *text; // input of cidr_parse_block
    const char *want; // canonical text of cidr_format with the prefix
};

// Blocks and their canonical text: RFC 5952 for IPv6, dotted quads for IPv4, host bits cleared as
// the EC2 API Reference documents for CidrBlock parameters.
static void test_block_format(void **state)
{
    (void)state;
    static const struct format_case cases[] = {
        {"10.0.0.0/16", "10.0.0.0/16"},
        {"192.168.0.0/16", "192.168.0.0/16"},
        {"192.168.16.0/20", "192.168.16.0/20"},
        {"0.0.0.0/0", "0.0.0.0/0"},
        {"255.255.255.255/32", "255.255.255.255/32"},
        {"172.31.0.0/16", "172.31.0.0/16"},
        // EC2 API Reference: "if you specify 100.68.0.18/18, we modify it to 100.68.0.0/18".
        {"100.68.0.18/18", "100.68.0.0/18"},
        {"10.0.0.1/16", "10.0.0.0/16"},
        {"10.0.255.255/24", "10.0.255.0/24"},
        {"1.2.3.4/0", "0.0.0.0/0"},
        {"10.1.2.3/31", "10.1.2.2/31"},
        // RFC 5952 4.1: leading zeros suppressed, "2001:0db8::0001" is 2001:db8::1.
        {"2001:0db8::0001/128", "2001:db8::1/128"},
        // 4.2.1: "::" used to its maximum: 2001:db8:0:0:0:0:2:1 is 2001:db8::2:1, and
        // 2001:db8::0:1 is 2001:db8::1.
        {"2001:db8:0:0:0:0:2:1/128", "2001:db8::2:1/128"},
        {"2001:db8::0:1/128", "2001:db8::1/128"},
        // 4.2.2: a single 16-bit 0 field is not compressed.
        {"2001:db8:0:1:1:1:1:1/128", "2001:db8:0:1:1:1:1:1/128"},
        {"2001:db8::1:1:1:1:1/128", "2001:db8:0:1:1:1:1:1/128"},
        // 4.2.3: the longest run is compressed; on ties the first one.
        {"2001:0:0:1:0:0:0:1/128", "2001:0:0:1::1/128"},
        {"2001:db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128"},
        // 4.3: lowercase.
        {"2001:DB8::ABCD:EF/128", "2001:db8::abcd:ef/128"},
        // Section 5: an IPv4-mapped address is written in mixed notation.
        {"::ffff:c000:201/128", "::ffff:192.0.2.1/128"},
        {"::ffff:0:0/96", "::ffff:0.0.0.0/96"},
        // An IPv4-compatible address is not recognisable as such, so it stays hexadecimal.
        {"::c000:201/128", "::c000:201/128"},
        {"::/0", "::/0"},
        {"::/128", "::/128"},
        {"::1/128", "::1/128"},
        {"1::/16", "1::/16"},
        {"1:0:0:0:0:0:0:0/128", "1::/128"},
        {"0:1:2:3:4:5:6:7/128", "0:1:2:3:4:5:6:7/128"},
        {"1:2:3:4:5:6:7:0/128", "1:2:3:4:5:6:7:0/128"},
        {"1:0:2:0:3:0:4:0/128", "1:0:2:0:3:0:4:0/128"},
        {"0:0:1:0:0:1:0:0/128", "::1:0:0:1:0:0/128"},
        {"1:0:0:2:0:0:0:0/128", "1:0:0:2::/128"},
        {"2001:db8::/32", "2001:db8::/32"},
        {"2001:DB8:1234:5678::/64", "2001:db8:1234:5678::/64"},
        {"2600:1f18:4a3:6d00::/56", "2600:1f18:4a3:6d00::/56"},
        {"2001:db8:1234:5678:9abc::1/64", "2001:db8:1234:5678::/64"}, // host bits cleared
        {"2001:db8::1/33", "2001:db8::/33"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cidr c = block_of(cases[i].text);
        char out[CIDR_TEXT_MAX];
        int n = cidr_format(&c, true, out, sizeof(out));
        if (n < 0 || strcmp(out, cases[i].want) != 0 || (size_t)n != strlen(cases[i].want)) {
            fail_msg("cidr_format(\"%s\") = %d \"%s\", want \"%s\"", cases[i].text, n, out,
                     cases[i].want);
        }
        // Round trip: the canonical text parses back to the same block.
        struct cidr again = block_of(out);
        if (memcmp(again.addr, c.addr, 16) != 0 || again.prefix != c.prefix || again.v4 != c.v4) {
            fail_msg("\"%s\" does not parse back to the block of \"%s\"", out, cases[i].text);
        }
    }
}

// The stored form of a canonical block, and what is refused.
static void test_block_parse(void **state)
{
    (void)state;
    struct cidr c = block_of("100.68.0.18/18");
    static const uint8_t want[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 100, 68, 0, 0};
    assert_memory_equal(c.addr, want, 16);
    assert_int_equal(c.prefix, 96 + 18);
    assert_true(c.v4);
    c = block_of("2001:db8::1/64");
    static const uint8_t want6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(c.addr, want6, 16);
    assert_int_equal(c.prefix, 64);
    assert_false(c.v4);

    static const char *const bad[] = {
        "10.0.0.0", // a bare address is not a block
        "10.0.0.1",
        "2001:db8::",
        "::",
        "SomeRandomString", // seen refused by real EC2 (InvalidParameterValue)
        "1000.1.0.0/20",
        "10.0.0.0/33",
        "10.0.0.0/",
        "/16",
        "10.0.0/16",
        "10.0.0.0/16 ",
        " 10.0.0.0/16",
        "10.0.0.0/016",
        "10.0.0.0/16/16",
        "::/129",
        "2001:db8::/",
        "2001:db8::/64%eth0",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cidr got;
        memset(&got, 0x5a, sizeof(got));
        struct cidr before = got;
        if (cidr_parse_block(bad[i], strlen(bad[i]), &got) != -1) {
            fail_msg("cidr_parse_block(\"%s\") accepted invalid input", bad[i]);
        }
        if (memcmp(&got, &before, sizeof(got)) != 0) {
            fail_msg("cidr_parse_block(\"%s\") changed *out on failure", bad[i]);
        }
    }
    assert_int_equal(cidr_parse_block(NULL, 0, &c), -1);
    // The length bounds the text: the prefix ends where len says.
    assert_int_equal(cidr_parse_block("10.0.0.0/16", 10, &c), 0);
    assert_int_equal(cidr_family_prefix(&c), 1);
    assert_int_equal(cidr_parse_block("10.0.0.0/16", 9, &c), -1);
}

// Addresses (no prefix), buffer limits and the family prefix.
static void test_format_edges(void **state)
{
    (void)state;
    char out[CIDR_TEXT_MAX];
    struct cidr a = addr_of("10.0.0.4");
    assert_int_equal(cidr_format(&a, false, out, sizeof(out)), 8);
    assert_string_equal(out, "10.0.0.4");
    a = addr_of("2001:0DB8:0000:0000:0000:0000:0000:0001");
    assert_int_equal(cidr_format(&a, false, out, sizeof(out)), 11);
    assert_string_equal(out, "2001:db8::1");
    a = addr_of("::ffff:10.1.2.3");
    assert_int_equal(cidr_format(&a, false, out, sizeof(out)), 15);
    assert_string_equal(out, "::ffff:10.1.2.3");
    a = addr_of("::");
    assert_int_equal(cidr_format(&a, false, out, sizeof(out)), 2);
    assert_string_equal(out, "::");

    // The longest text fits CIDR_TEXT_MAX.
    struct cidr c = block_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
    assert_int_equal(cidr_format(&c, true, out, sizeof(out)), 43);
    assert_true(43 < CIDR_TEXT_MAX);

    // Exactly enough room, one byte short, and no room at all.
    c = block_of("192.168.0.0/16");
    char small[15];
    assert_int_equal(cidr_format(&c, true, small, 15), 14);
    assert_string_equal(small, "192.168.0.0/16");
    memset(small, 'x', sizeof(small));
    assert_int_equal(cidr_format(&c, true, small, 14), -1);
    assert_int_equal(small[0], '\0');
    memset(small, 'x', sizeof(small));
    assert_int_equal(cidr_format(&c, true, small, 0), -1);
    assert_int_equal(small[0], 'x');

    assert_int_equal(cidr_family_prefix(&c), 16);
    c = block_of("0.0.0.0/0");
    assert_int_equal(cidr_family_prefix(&c), 0);
    c = block_of("10.0.0.1/32");
    assert_int_equal(cidr_family_prefix(&c), 32);
    c = block_of("::/0");
    assert_int_equal(cidr_family_prefix(&c), 0);
    c = block_of("2001:db8::/56");
    assert_int_equal(cidr_family_prefix(&c), 56);
    c = block_of("::1/128");
    assert_int_equal(cidr_family_prefix(&c), 128);
}

struct relation_case {
    const char *a;
    const char *b;
    bool overlaps;
    bool a_within_b;
    bool b_within_a;
};

static void test_overlaps_within(void **state)
{
    (void)state;
    static const struct relation_case cases[] = {
        // Equal blocks overlap and each is within the other.
        {"10.0.0.0/16", "10.0.0.0/16", true, true, true},
        {"2001:db8::/64", "2001:db8::/64", true, true, true},
        // Nested.
        {"10.0.0.0/16", "10.0.128.0/17", true, false, true},
        {"192.168.0.0/16", "192.168.16.0/20", true, false, true},
        {"172.31.0.0/16", "172.31.240.0/20", true, false, true},
        {"10.0.0.0/31", "10.0.0.1/32", true, false, true},
        {"2001:db8::/56", "2001:db8:0:ff::/64", true, false, true},
        // Adjacent blocks share no address.
        {"10.0.0.0/24", "10.0.1.0/24", false, false, false},
        {"10.0.0.0/25", "10.0.0.128/25", false, false, false},
        {"192.168.0.0/20", "192.168.16.0/20", false, false, false},
        {"10.0.0.0/16", "10.1.0.0/16", false, false, false},
        {"2001:db8::/64", "2001:db8:0:1::/64", false, false, false},
        {"2001:db8::/56", "2001:db8:0:100::/64", false, false, false},
        {"2001:db8::/32", "2001:db9::/32", false, false, false},
        // /0 covers its whole family and nothing of the other.
        {"0.0.0.0/0", "10.0.0.0/8", true, false, true},
        {"0.0.0.0/0", "255.255.255.255/32", true, false, true},
        {"::/0", "2001:db8::/32", true, false, true},
        {"::/0", "::/0", true, true, true},
        {"0.0.0.0/0", "::/0", false, false, false},
        {"::/0", "10.0.0.0/8", false, false, false},
        // Different families never relate, even through the mapped range.
        {"10.0.0.0/8", "::ffff:10.0.0.0/104", false, false, false},
        {"::ffff:0:0/96", "10.0.0.0/16", false, false, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct relation_case *r = &cases[i];
        struct cidr a = block_of(r->a);
        struct cidr b = block_of(r->b);
        if (cidr_overlaps(&a, &b) != r->overlaps || cidr_overlaps(&b, &a) != r->overlaps) {
            fail_msg("cidr_overlaps(%s, %s) != %d", r->a, r->b, r->overlaps);
        }
        if (cidr_within(&b, &a) != r->a_within_b) {
            fail_msg("cidr_within(outer %s, inner %s) != %d", r->b, r->a, r->a_within_b);
        }
        if (cidr_within(&a, &b) != r->b_within_a) {
            fail_msg("cidr_within(outer %s, inner %s) != %d", r->a, r->b, r->b_within_a);
        }
    }
}

static void test_size(void **state)
{
    (void)state;
    static const struct {
        const char *block;
        uint64_t size;
    } cases[] = {
        {"10.0.0.0/16", 65536},
        {"10.0.0.0/24", 256},
        {"10.0.0.0/28", 16},
        {"10.0.0.0/31", 2},
        {"10.0.0.0/32", 1},
        {"0.0.0.0/0", 4294967296ULL},
        {"2001:db8::/120", 256},
        {"2001:db8::/128", 1},
        {"2001:db8::/65", 9223372036854775808ULL},
        {"2001:db8::/64", UINT64_MAX}, // 2^64 saturates
        {"2001:db8::/56", UINT64_MAX},
        {"::/0", UINT64_MAX},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cidr c = block_of(cases[i].block);
        if (cidr_size(&c) != cases[i].size) {
            fail_msg("cidr_size(%s) = %llu", cases[i].block, (unsigned long long)cidr_size(&c));
        }
    }
}

struct nth_case {
    const char *block;
    uint64_t index;
    const char *want; // NULL when the index is outside the block
};

static void test_nth_offset(void **state)
{
    (void)state;
    static const struct nth_case cases[] = {
        {"10.0.0.0/24", 0, "10.0.0.0"},
        {"10.0.0.0/24", 4, "10.0.0.4"},
        {"10.0.0.0/24", 255, "10.0.0.255"},
        {"10.0.0.0/24", 256, NULL},
        {"192.168.16.0/20", 4095, "192.168.31.255"},
        {"192.168.16.0/20", 256, "192.168.17.0"},
        {"192.168.16.0/20", 4096, NULL},
        {"0.0.0.0/0", 4294967295ULL, "255.255.255.255"},
        {"0.0.0.0/0", 4294967296ULL, NULL},
        {"10.0.0.5/32", 0, "10.0.0.5"},
        {"10.0.0.5/32", 1, NULL},
        {"10.0.0.5/32", UINT64_MAX, NULL},
        {"2001:db8::/64", 0, "2001:db8::"},
        {"2001:db8::/64", 1, "2001:db8::1"},
        {"2001:db8::/64", 65536, "2001:db8::1:0"},
        {"2001:db8::/64", UINT64_MAX, "2001:db8::ffff:ffff:ffff:ffff"},
        {"2001:db8::/120", 255, "2001:db8::ff"},
        {"2001:db8::/120", 256, NULL},
        {"2001:db8::/48", UINT64_MAX, "2001:db8::ffff:ffff:ffff:ffff"},
        {"::/0", UINT64_MAX, "::ffff:ffff:ffff:ffff"},
        {"::1/128", 0, "::1"},
        {"::1/128", 1, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct nth_case *t = &cases[i];
        struct cidr c = block_of(t->block);
        struct cidr got;
        memset(&got, 0x5a, sizeof(got));
        struct cidr before = got;
        int rc = cidr_nth(&c, t->index, &got);
        if (t->want == NULL) {
            if (rc != -1 || memcmp(&got, &before, sizeof(got)) != 0) {
                fail_msg("cidr_nth(%s, %llu) should fail and leave *out", t->block,
                         (unsigned long long)t->index);
            }
            continue;
        }
        char out[CIDR_TEXT_MAX];
        if (rc != 0 || cidr_format(&got, false, out, sizeof(out)) < 0 ||
            strcmp(out, t->want) != 0 || got.prefix != 128 || got.v4 != c.v4) {
            fail_msg("cidr_nth(%s, %llu) = %d, want %s", t->block, (unsigned long long)t->index, rc,
                     t->want);
        }
        uint64_t back = 0;
        if (cidr_offset(&c, &got, &back) != 0 || back != t->index) {
            fail_msg("cidr_offset(%s, %s) != %llu", t->block, t->want,
                     (unsigned long long)t->index);
        }
        // The address parsed from its text gives the same offset.
        struct cidr parsed = addr_of(t->want);
        if (cidr_offset(&c, &parsed, &back) != 0 || back != t->index) {
            fail_msg("cidr_offset(%s, parsed %s) != %llu", t->block, t->want,
                     (unsigned long long)t->index);
        }
    }

    // Addresses outside the block, of the other family, or beyond 64 bits of offset.
    static const struct {
        const char *block;
        const char *addr;
    } outside[] = {
        {"10.0.0.0/24", "10.0.1.0"},
        {"10.0.0.0/24", "9.255.255.255"},
        {"10.0.0.0/24", "::ffff:10.0.0.1"}, // the IPv6 family
        {"::ffff:0:0/96", "10.0.0.1"},      // the IPv4 family
        {"2001:db8::/64", "2001:db8:0:1::"},
        {"2001:db8::/48", "2001:db8:0:1::"}, // offset 2^64
        {"::/0", "1::"},
    };
    for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        struct cidr c = block_of(outside[i].block);
        struct cidr a = addr_of(outside[i].addr);
        uint64_t index = 12345;
        if (cidr_offset(&c, &a, &index) != -1 || index != 12345) {
            fail_msg("cidr_offset(%s, %s) should fail", outside[i].block, outside[i].addr);
        }
    }
    struct cidr c = block_of("2001:db8::/48");
    struct cidr a = addr_of("2001:db8::5");
    uint64_t index = 0;
    assert_int_equal(cidr_offset(&c, &a, &index), 0);
    assert_int_equal(index, 5);
}

// Amazon VPC User Guide, "Subnet CIDR blocks": the first four and the last address are reserved.
static void test_ec2_reserves(void **state)
{
    (void)state;
    static const struct {
        const char *block;
        uint64_t usable;
    } cases[] = {
        {"10.0.0.0/28", 11},     // "if you end up using a /28 there are only 11 usable"
        {"10.0.0.0/24", 251},    // 256 minus 10.0.0.0-3 and 10.0.0.255
        {"172.31.0.0/20", 4091}, // a default-VPC subnet
        {"10.0.0.0/16", 65531},  // the largest subnet
        {"10.0.0.0/29", 3},      // smaller than EC2 allows, still arithmetic
        {"10.0.0.0/30", 0},      // four addresses, all reserved
        {"10.0.0.0/32", 0},      // smaller than five
        {"2001:db8::/64", 0},    // AvailableIpAddressCount counts IPv4 only
        {"0.0.0.0/0", 4294967291ULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cidr c = block_of(cases[i].block);
        if (cidr_ec2_usable(&c) != cases[i].usable) {
            fail_msg("cidr_ec2_usable(%s) = %llu", cases[i].block,
                     (unsigned long long)cidr_ec2_usable(&c));
        }
    }
    // Counting the non-reserved offsets of small blocks gives the same numbers.
    static const char *const small[] = {"10.0.0.0/28", "10.0.0.0/24", "10.0.0.0/29", "10.0.0.0/30"};
    for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
        struct cidr c = block_of(small[i]);
        uint64_t free_count = 0;
        for (uint64_t k = 0; k < cidr_size(&c); k++) {
            free_count += cidr_ec2_reserved(&c, k) ? 0 : 1;
        }
        if (free_count != cidr_ec2_usable(&c)) {
            fail_msg("%s: %llu offsets not reserved", small[i], (unsigned long long)free_count);
        }
    }
    struct cidr c = block_of("10.0.0.0/24");
    assert_true(cidr_ec2_reserved(&c, 0));   // network address
    assert_true(cidr_ec2_reserved(&c, 1));   // router
    assert_true(cidr_ec2_reserved(&c, 2));   // DNS
    assert_true(cidr_ec2_reserved(&c, 3));   // future use
    assert_true(cidr_ec2_reserved(&c, 255)); // broadcast
    assert_false(cidr_ec2_reserved(&c, 4));
    assert_false(cidr_ec2_reserved(&c, 254));
    assert_false(cidr_ec2_reserved(&c, 256)); // outside the block
    c = block_of("10.0.0.0/28");
    assert_true(cidr_ec2_reserved(&c, 15));
    assert_false(cidr_ec2_reserved(&c, 14));
    c = block_of("2001:db8::/64");
    assert_true(cidr_ec2_reserved(&c, 3));
    assert_true(cidr_ec2_reserved(&c, UINT64_MAX)); // the last address of a /64
    assert_false(cidr_ec2_reserved(&c, 4));
    c = block_of("2001:db8::/56");
    assert_false(cidr_ec2_reserved(&c, UINT64_MAX)); // not the last address of a /56
    assert_true(cidr_ec2_reserved(&c, 0));
}

// Allocates from block with the given used offsets and checks the answer (want_index -1: full).
static void check_alloc(const char *block, const uint64_t *used, size_t used_count,
                        long long want_index, const char *want_addr)
{
    struct cidr c = block_of(block);
    struct cidr_alloc a = {.block = &c, .used = used, .used_count = used_count};
    struct cidr out;
    memset(&out, 0x5a, sizeof(out));
    struct cidr before = out;
    uint64_t index = 777;
    int rc = cidr_alloc_next(&a, &out, &index);
    if (want_index < 0) {
        if (rc != -1 || index != 777 || memcmp(&out, &before, sizeof(out)) != 0) {
            fail_msg("cidr_alloc_next(%s) should report a full subnet", block);
        }
        return;
    }
    char text[CIDR_TEXT_MAX];
    if (rc != 0 || index != (uint64_t)want_index ||
        cidr_format(&out, false, text, sizeof(text)) < 0 || strcmp(text, want_addr) != 0) {
        fail_msg("cidr_alloc_next(%s) = %d index %llu, want %lld %s", block, rc,
                 (unsigned long long)index, want_index, want_addr);
    }
}

static void test_alloc(void **state)
{
    (void)state;
    // The lowest address after the four reserves.
    check_alloc("10.0.0.0/24", NULL, 0, 4, "10.0.0.4");
    check_alloc("192.168.16.0/20", NULL, 0, 4, "192.168.16.4");
    // Used offsets are skipped; the first gap wins.
    static const uint64_t u1[] = {4, 5, 7};
    check_alloc("10.0.0.0/24", u1, 3, 6, "10.0.0.6");
    static const uint64_t u2[] = {4, 5, 6};
    check_alloc("10.0.0.0/24", u2, 3, 7, "10.0.0.7");
    static const uint64_t u3[] = {10, 11};
    check_alloc("10.0.0.0/24", u3, 2, 4, "10.0.0.4");
    // Reserved or out-of-block offsets in the used list are harmless.
    static const uint64_t u4[] = {0, 1, 2, 3, 4, 5};
    check_alloc("10.0.0.0/24", u4, 6, 6, "10.0.0.6");
    static const uint64_t u5[] = {4, 300};
    check_alloc("10.0.0.0/24", u5, 2, 5, "10.0.0.5");

    // A full /24 (4..254 used; 255 is the broadcast reserve) and one with the last slot free.
    uint64_t used[256];
    size_t n = 0;
    for (uint64_t k = 4; k <= 254; k++) {
        used[n++] = k;
    }
    check_alloc("10.0.0.0/24", used, n, -1, NULL);
    check_alloc("10.0.0.0/24", used, n - 1, 254, "10.0.0.254");
    used[n++] = 255; // even a list holding the broadcast offset stays full
    check_alloc("10.0.0.0/24", used, n, -1, NULL);

    // Blocks too small to have a usable address.
    check_alloc("10.0.0.0/30", NULL, 0, -1, NULL);
    check_alloc("10.0.0.0/32", NULL, 0, -1, NULL);
    // IPv6: the same bottom-up rule.
    check_alloc("2001:db8::/64", NULL, 0, 4, "2001:db8::4");
    static const uint64_t u6[] = {4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    check_alloc("2001:db8::/64", u6, 13, 17, "2001:db8::11");

    // A /28 hands out exactly 11 addresses, .4 to .14, then reports full.
    struct cidr c = block_of("10.0.0.0/28");
    uint64_t taken[16];
    size_t count = 0;
    for (;;) {
        struct cidr_alloc a = {.block = &c, .used = taken, .used_count = count};
        struct cidr out;
        uint64_t index;
        if (cidr_alloc_next(&a, &out, &index) != 0) {
            break;
        }
        assert_true(count < 16);
        assert_int_equal(index, 4 + count);
        assert_false(cidr_ec2_reserved(&c, index));
        assert_int_equal(out.addr[15], 4 + count);
        assert_true(out.v4);
        assert_int_equal(out.prefix, 128);
        taken[count++] = index; // ascending, so the array stays sorted
    }
    assert_int_equal(count, 11);
    assert_int_equal(count, cidr_ec2_usable(&c));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),     cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_contains),        cmocka_unit_test(test_block_format),
        cmocka_unit_test(test_block_parse),     cmocka_unit_test(test_format_edges),
        cmocka_unit_test(test_overlaps_within), cmocka_unit_test(test_size),
        cmocka_unit_test(test_nth_offset),      cmocka_unit_test(test_ec2_reserves),
        cmocka_unit_test(test_alloc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
