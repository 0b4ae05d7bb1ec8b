// SPDX-License-Identifier: Apache-2.0
// IPv4 and IPv6 addresses and CIDR blocks as 128-bit values (IPv4 is mapped into ::ffff:0:0/96),
// for the IAM IpAddress/NotIpAddress operators and, later, EC2 VPC and subnet arithmetic.
#ifndef SAGEBOX_CIDR_H
#define SAGEBOX_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cidr {
    uint8_t addr[16]; // network-order address; IPv4 stored as ::ffff:a.b.c.d
    uint8_t prefix;   // prefix length in the 128-bit space (IPv4 /n is stored as 96 + n)
    bool v4;          // true when parsed from an IPv4 form
};

// Parses "a.b.c.d", "a.b.c.d/n", an IPv6 address or "ipv6/n" from s[0..len). An address without
// a prefix is a /32 (IPv4) or /128 (IPv6). Host bits below the prefix are kept as written (IAM
// accepts "10.1.2.3/24"); matching masks them. Returns 0, or -1 on any malformed input with *out
// unchanged.
int cidr_parse(const char *s, size_t len, struct cidr *out);

// Returns true when the address addr (a /32 or /128 as parsed by cidr_parse) lies inside block.
// An IPv4 address never matches an IPv6 block outside ::ffff:0:0/96 and vice versa.
bool cidr_contains(const struct cidr *block, const struct cidr *addr);

#endif
