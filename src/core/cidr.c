// SPDX-License-Identifier: Apache-2.0
// IPv4 and IPv6 addresses and CIDR blocks for the IAM IpAddress/NotIpAddress operators (IAM User
// Guide, "IAM JSON policy elements: Condition operators", IP address condition operators: "the
// standard CIDR format (for example, 203.0.113.0/24 or 2001:DB8:1234:5678::/64)") and later for
// VPC arithmetic. The textual forms are RFC 4291 section 2.2 (IPv6, with "::" compression and an
// embedded dotted quad) and the dotted-decimal IPv4 form that inet_pton(AF_INET) accepts: exactly
// four decimal parts of at most 255, no leading zeros ("010.1.1.1" is refused because other
// parsers read it as octal), no hexadecimal or shortened forms. Zone identifiers ("fe80::1%eth0")
// are refused. The parser is written out instead of calling inet_pton so that its strictness does
// not depend on the C library.
#include "core/cidr.h"

#include <string.h>

// Parses one decimal IPv4 part at s[*i]: 1 to 3 digits, no leading zero, at most 255.
static bool parse_octet(const char *s, size_t len, size_t *i, uint8_t *out)
{
    size_t start = *i;
    unsigned v = 0;
    while (*i < len && *i - start < 3 && s[*i] >= '0' && s[*i] <= '9') {
        v = v * 10 + (unsigned)(s[*i] - '0');
        (*i)++;
    }
    size_t n = *i - start;
    if (n == 0 || v > 255 || (n > 1 && s[start] == '0')) {
        return false;
    }
    if (*i < len && s[*i] >= '0' && s[*i] <= '9') {
        return false; // a fourth digit
    }
    *out = (uint8_t)v;
    return true;
}

// Parses a whole dotted quad s[0..len) into out[0..4).
static bool parse_v4(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= len || s[i] != '.') {
                return false;
            }
            i++;
        }
        if (!parse_octet(s, len, &i, &out[part])) {
            return false;
        }
    }
    return i == len;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Parses an IPv6 address s[0..len) into out[0..16) (RFC 4291 section 2.2).
static bool parse_v6(const char *s, size_t len, uint8_t out[16])
{
    uint8_t words[16] = {0};
    size_t nbytes = 0; // bytes written to words
    long gap = -1;     // byte offset of "::", or -1
    size_t i = 0;

    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
        if (i == len) {
            memset(out, 0, 16);
            return true;
        }
    } else if (len >= 1 && s[0] == ':') {
        return false; // a single leading colon
    }
    while (i < len) {
        if (nbytes >= 16) {
            return false;
        }
        // An embedded IPv4 address ends the text: find out whether this group is one.
        size_t j = i;
        while (j < len && s[j] != ':' && s[j] != '.') {
            j++;
        }
        if (j < len && s[j] == '.') {
            if (nbytes > 12 || !parse_v4(s + i, len - i, words + nbytes)) {
                return false;
            }
            nbytes += 4;
            break; // parse_v4 consumed the rest of the text
        }
        unsigned v = 0;
        size_t digits = 0;
        while (i < len && s[i] != ':') {
            int h = hex_value(s[i]);
            if (h < 0 || digits == 4) {
                return false;
            }
            v = (v << 4) | (unsigned)h;
            digits++;
            i++;
        }
        if (digits == 0) {
            return false;
        }
        words[nbytes++] = (uint8_t)(v >> 8);
        words[nbytes++] = (uint8_t)(v & 0xff);
        if (i == len) {
            break;
        }
        i++; // the ':'
        if (i < len && s[i] == ':') {
            if (gap >= 0) {
                return false; // a second "::"
            }
            gap = (long)nbytes;
            i++;
            if (i == len) {
                break;
            }
        } else if (i == len) {
            return false; // a trailing single colon
        }
    }
    if (gap < 0) {
        if (nbytes != 16) {
            return false;
        }
        memcpy(out, words, 16);
        return true;
    }
    if (nbytes > 14) {
        return false; // "::" must stand for at least one group
    }
    size_t tail = nbytes - (size_t)gap;
    memset(out, 0, 16);
    memcpy(out, words, (size_t)gap);
    memcpy(out + 16 - tail, words + gap, tail);
    return true;
}

// Parses an address with an optional "/prefix"; see cidr.h for the contract.
int cidr_parse(const char *s, size_t len, struct cidr *out)
{
    if (s == NULL || len == 0) {
        return -1;
    }
    size_t addr_len = len;
    const char *slash = memchr(s, '/', len);
    if (slash != NULL) {
        addr_len = (size_t)(slash - s);
    }
    struct cidr c = {.prefix = 128};
    bool v6 = memchr(s, ':', addr_len) != NULL;
    if (v6) {
        if (!parse_v6(s, addr_len, c.addr)) {
            return -1;
        }
    } else {
        uint8_t v4[4];
        if (!parse_v4(s, addr_len, v4)) {
            return -1;
        }
        c.addr[10] = 0xff;
        c.addr[11] = 0xff;
        memcpy(c.addr + 12, v4, 4);
        c.v4 = true;
    }
    if (slash != NULL) {
        // Decimal prefix length: 1 to 3 digits, no sign, no leading zero except "0" itself.
        size_t i = addr_len + 1;
        size_t digits = len - i;
        if (digits == 0 || digits > 3 || (digits > 1 && s[i] == '0')) {
            return -1;
        }
        unsigned n = 0;
        for (; i < len; i++) {
            if (s[i] < '0' || s[i] > '9') {
                return -1;
            }
            n = n * 10 + (unsigned)(s[i] - '0');
        }
        if (n > (c.v4 ? 32u : 128u)) {
            return -1;
        }
        c.prefix = (uint8_t)(c.v4 ? 96 + n : n);
    }
    *out = c;
    return 0;
}

// Compares the first bits bits of a and b.
static bool same_prefix(const uint8_t *a, const uint8_t *b, unsigned bits)
{
    unsigned whole = bits / 8;
    if (memcmp(a, b, whole) != 0) {
        return false;
    }
    unsigned rest = bits % 8;
    if (rest == 0) {
        return true;
    }
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

// Tests whether addr lies inside block; see cidr.h. Written as "block contains the network addr"
// (addr's prefix at least as long as block's) so that it also serves subnet arithmetic. An IPv4
// address is matched by an IPv6-written block only when the whole block lies inside the mapped
// range ::ffff:0:0/96: "::/0" does not cover IPv4, as AWS policies list "0.0.0.0/0" and "::/0"
// separately.
bool cidr_contains(const struct cidr *block, const struct cidr *addr)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (addr->prefix < block->prefix) {
        return false;
    }
    if (addr->v4 && !block->v4 && (block->prefix < 96 || !same_prefix(block->addr, mapped, 96))) {
        return false;
    }
    return same_prefix(block->addr, addr->addr, block->prefix);
}
