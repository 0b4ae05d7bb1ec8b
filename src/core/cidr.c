// SPDX-License-Identifier: Apache-2.0
// IPv4 and IPv6 addresses and CIDR blocks for the IAM IpAddress/NotIpAddress operators (IAM User
// Guide, "IAM JSON policy elements: Condition operators", IP address condition operators: "the
// standard CIDR format (for example, 203.0.113.0/24 or 2001:DB8:1234:5678::/64)") and for
// VPC arithmetic. The textual forms are RFC 4291 section 2.2 (IPv6, with "::" compression and an
// embedded dotted quad) and the dotted-decimal IPv4 form that inet_pton(AF_INET) accepts: exactly
// four decimal parts of at most 255, no leading zeros ("010.1.1.1" is refused because other
// parsers read it as octal), no hexadecimal or shortened forms. Zone identifiers ("fe80::1%eth0")
// are refused. The parser is written out instead of calling inet_pton so that its strictness does
// not depend on the C library.
//
// The second half is the EC2 VPC arithmetic: canonical blocks (EC2 API Reference, CreateVpc
// CidrBlock: "We modify the specified CIDR block to its canonical form"), their RFC 5952 text,
// overlap and containment, offsets inside a block, and the five addresses EC2 reserves in every
// subnet (Amazon VPC User Guide, "Subnet CIDR blocks"). Offsets are the low 64 bits of the
// 128-bit value; blocks larger than /64 have sizes that saturate at UINT64_MAX.
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

// ---- VPC arithmetic ----

// Clears the bits of addr below the first prefix bits.
static void mask_host(uint8_t addr[16], unsigned prefix)
{
    for (unsigned i = 0; i < 16; i++) {
        unsigned first = i * 8; // the first bit of byte i
        if (first >= prefix) {
            addr[i] = 0;
        } else if (prefix - first < 8) {
            addr[i] &= (uint8_t)(0xffu << (8 - (prefix - first)));
        }
    }
}

static uint64_t low64(const uint8_t addr[16])
{
    uint64_t v = 0;
    for (int i = 8; i < 16; i++) {
        v = (v << 8) | addr[i];
    }
    return v;
}

static void set_low64(uint8_t addr[16], uint64_t v)
{
    for (int i = 15; i >= 8; i--) {
        addr[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

// The number of host bits of c (0..128).
static unsigned host_bits(const struct cidr *c)
{
    return 128u - c->prefix;
}

// The last offset of c: size - 1, or UINT64_MAX when the block has 2^64 addresses or more.
static uint64_t last_offset(const struct cidr *c)
{
    unsigned hb = host_bits(c);
    return hb >= 64 ? UINT64_MAX : ((uint64_t)1 << hb) - 1;
}

// Parses a block with its prefix and clears its host bits; see cidr.h for the contract.
int cidr_parse_block(const char *s, size_t len, struct cidr *out)
{
    if (s == NULL || len == 0 || memchr(s, '/', len) == NULL) {
        return -1;
    }
    struct cidr c;
    if (cidr_parse(s, len, &c) != 0) {
        return -1;
    }
    mask_host(c.addr, c.prefix);
    *out = c;
    return 0;
}

// Appends the decimal text of v (0..255) at out[*n].
static void put_decimal(char *out, size_t *n, unsigned v)
{
    if (v >= 100) {
        out[(*n)++] = (char)('0' + v / 100);
    }
    if (v >= 10) {
        out[(*n)++] = (char)('0' + v / 10 % 10);
    }
    out[(*n)++] = (char)('0' + v % 10);
}

// Appends a dotted quad of b[0..4) at out[*n].
static void put_quad(char *out, size_t *n, const uint8_t b[4])
{
    for (int i = 0; i < 4; i++) {
        if (i > 0) {
            out[(*n)++] = '.';
        }
        put_decimal(out, n, b[i]);
    }
}

// Appends one 16-bit group in lowercase hex without leading zeros.
static void put_group(char *out, size_t *n, unsigned v)
{
    static const char digits[] = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned d = (v >> shift) & 0xf;
        if (d != 0 || started || shift == 0) {
            out[(*n)++] = digits[d];
            started = true;
        }
    }
}

// Appends the RFC 5952 text of addr at out[*n] (at most 39 characters).
static void put_v6(char *out, size_t *n, const uint8_t addr[16])
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    unsigned groups[8];
    for (size_t i = 0; i < 8; i++) {
        groups[i] = ((unsigned)addr[2 * i] << 8) | addr[2 * i + 1];
    }
    // RFC 5952 section 5: an IPv4-mapped address is recognisable from the address itself, so it
    // is written in mixed notation.
    bool mixed = memcmp(addr, mapped, sizeof(mapped)) == 0;
    int ngroups = mixed ? 6 : 8;
    // Section 4.2: the longest run of two or more zero groups, the first one on ties.
    int best = -1;
    int best_len = 1;
    for (int i = 0; i < ngroups;) {
        if (groups[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < ngroups && groups[j] == 0) {
            j++;
        }
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    for (int i = 0; i < ngroups; i++) {
        if (i == best) {
            out[(*n)++] = ':';
            out[(*n)++] = ':';
            i += best_len - 1;
            continue;
        }
        if (i > 0 && i != best + best_len) {
            out[(*n)++] = ':';
        }
        put_group(out, n, groups[i]);
    }
    if (mixed) {
        if (best + best_len != ngroups) {
            out[(*n)++] = ':';
        }
        put_quad(out, n, addr + 12);
    }
}

// Writes the canonical text of c; see cidr.h for the contract.
int cidr_format(const struct cidr *c, bool with_prefix, char *out, size_t cap)
{
    char text[CIDR_TEXT_MAX];
    size_t n = 0;
    if (c->v4) {
        put_quad(text, &n, c->addr + 12);
    } else {
        put_v6(text, &n, c->addr);
    }
    if (with_prefix) {
        text[n++] = '/';
        put_decimal(text, &n, cidr_family_prefix(c));
    }
    if (n >= cap) {
        if (cap > 0) {
            out[0] = '\0';
        }
        return -1;
    }
    memcpy(out, text, n);
    out[n] = '\0';
    return (int)n;
}

// The prefix in the family's own space; see cidr.h.
unsigned cidr_family_prefix(const struct cidr *c)
{
    if (c->v4) {
        return c->prefix >= 96 ? c->prefix - 96u : 0;
    }
    return c->prefix;
}

// Tests whether two blocks of the same family share an address; see cidr.h.
bool cidr_overlaps(const struct cidr *a, const struct cidr *b)
{
    if (a->v4 != b->v4) {
        return false;
    }
    unsigned shorter = a->prefix < b->prefix ? a->prefix : b->prefix;
    return same_prefix(a->addr, b->addr, shorter);
}

// Tests whether inner lies inside outer; see cidr.h.
bool cidr_within(const struct cidr *outer, const struct cidr *inner)
{
    if (outer->v4 != inner->v4 || inner->prefix < outer->prefix) {
        return false;
    }
    return same_prefix(outer->addr, inner->addr, outer->prefix);
}

// The number of addresses of c, saturated; see cidr.h.
uint64_t cidr_size(const struct cidr *c)
{
    unsigned hb = host_bits(c);
    return hb >= 64 ? UINT64_MAX : (uint64_t)1 << hb;
}

// The address at offset index of c; see cidr.h.
int cidr_nth(const struct cidr *c, uint64_t index, struct cidr *out)
{
    if (index > last_offset(c)) {
        return -1;
    }
    struct cidr r = {.prefix = 128, .v4 = c->v4};
    memcpy(r.addr, c->addr, sizeof(r.addr));
    mask_host(r.addr, c->prefix);
    // The host bits are zero and index fits them, so or-ing adds without a carry.
    set_low64(r.addr, low64(r.addr) | index);
    *out = r;
    return 0;
}

// The offset of addr inside c; see cidr.h.
int cidr_offset(const struct cidr *c, const struct cidr *addr, uint64_t *index)
{
    if (c->v4 != addr->v4) {
        return -1;
    }
    uint8_t net[16];
    memcpy(net, c->addr, sizeof(net));
    mask_host(net, c->prefix);
    // Below a /64 the host bits above the low 64 must be zero for the offset to fit.
    unsigned fixed = c->prefix > 64 ? c->prefix : 64;
    if (!same_prefix(net, addr->addr, fixed)) {
        return -1;
    }
    *index = low64(addr->addr) & last_offset(c);
    return 0;
}

// The usable addresses of an empty subnet; see cidr.h.
uint64_t cidr_ec2_usable(const struct cidr *subnet)
{
    if (!subnet->v4) {
        return 0;
    }
    uint64_t size = cidr_size(subnet);
    return size < 5 ? 0 : size - 5;
}

// Tests whether offset index is one of the EC2 reserves of subnet; see cidr.h.
bool cidr_ec2_reserved(const struct cidr *subnet, uint64_t index)
{
    uint64_t last = last_offset(subnet);
    if (index > last) {
        return false;
    }
    return index <= 3 || (host_bits(subnet) <= 64 && index == last);
}

// Picks the lowest free offset of a subnet; see cidr.h.
int cidr_alloc_next(const struct cidr_alloc *a, struct cidr *out, uint64_t *index)
{
    uint64_t last = last_offset(a->block);
    uint64_t candidate = 4;
    size_t i = 0;
    while (i < a->used_count && a->used[i] < candidate) {
        i++;
    }
    // The used offsets from here on are ascending and distinct: each one equal to the candidate
    // pushes it up by one, and the first gap is free.
    while (i < a->used_count && a->used[i] == candidate) {
        if (candidate >= last) {
            return -1;
        }
        candidate++;
        i++;
    }
    if (candidate > last || cidr_ec2_reserved(a->block, candidate)) {
        return -1;
    }
    struct cidr addr;
    if (cidr_nth(a->block, candidate, &addr) != 0) {
        return -1;
    }
    *out = addr;
    *index = candidate;
    return 0;
}
