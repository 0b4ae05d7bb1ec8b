// SPDX-License-Identifier: Apache-2.0
// IPv4 and IPv6 addresses and CIDR blocks as 128-bit values (IPv4 is mapped into ::ffff:0:0/96),
// for the IAM IpAddress/NotIpAddress operators and EC2 VPC and subnet arithmetic.
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

// ---- VPC arithmetic (EC2). Blocks are canonical here: host bits below the prefix are zero. ----
// "Same family" below means the same v4 flag: an IPv6-written block inside ::ffff:0:0/96 is not an
// IPv4 block.

// Longest text of cidr_format: a full IPv6 address, "/128" and the NUL.
#define CIDR_TEXT_MAX 48

// Parses a block as EC2 accepts it in a CidrBlock parameter: "a.b.c.d/n" (n 0..32) or
// "ipv6/n" (n 0..128) with the prefix present, in the strict text forms of cidr_parse. Host bits
// set below the prefix are cleared, not refused: the EC2 API Reference says of CreateVpc,
// CreateSubnet, CreateRoute and CreateNetworkAclEntry "We modify the specified CIDR block to its
// canonical form; for example, if you specify 100.68.0.18/18, we modify it to 100.68.0.0/18."
// A bare address (no "/n") and every malformed text are refused; for those EC2 answers
// InvalidParameterValue "Value (X) for parameter cidrBlock is invalid. This is not a valid CIDR
// block." Returns 0 with *out canonical, or -1 with *out unchanged.
int cidr_parse_block(const char *s, size_t len, struct cidr *out);

// Writes the canonical text of c into out[0..cap): dotted quad for v4 blocks, RFC 5952 text for
// IPv6 (lowercase, no leading zeros, the longest run of two or more zero groups compressed to
// "::", the leftmost on ties, and, per RFC 5952 section 5, an IPv4-mapped ::ffff:0:0/96 address in
// mixed notation "::ffff:a.b.c.d"), then "/n" with the prefix in the family's own space (a v4 /24
// prints "/24"). When with_prefix is false the "/n" is left out (for addresses). Host bits of c
// are printed as stored. Returns the length written (without the NUL), or -1 when cap is too small
// (out is then "" when cap > 0). A buffer of CIDR_TEXT_MAX bytes is always enough.
int cidr_format(const struct cidr *c, bool with_prefix, char *out, size_t cap);

// The prefix length in the family's own space: 0..32 for v4, 0..128 for v6.
unsigned cidr_family_prefix(const struct cidr *c);

// True when blocks a and b (same family) share at least one address. Different families never
// overlap.
bool cidr_overlaps(const struct cidr *a, const struct cidr *b);

// True when block inner lies wholly inside block outer (same family; equal blocks count).
// Different families are never within each other.
bool cidr_within(const struct cidr *outer, const struct cidr *inner);

// The number of addresses in block c, saturated at UINT64_MAX (an IPv6 /64 and larger).
uint64_t cidr_size(const struct cidr *c);

// Sets *out to the address (a /32 or /128, v4 flag as c) at offset index from the start of block c
// (index 0 is the network address; host bits of c are ignored). Returns 0, or -1 when index is
// outside the block, with *out unchanged.
int cidr_nth(const struct cidr *c, uint64_t index, struct cidr *out);

// The offset of address addr inside block c (inverse of cidr_nth; only addr's address bits are
// used, not its prefix). Returns 0 with *index set, or -1 with *index unchanged when addr is not
// inside c, is of the other family, or its offset does not fit 64 bits (blocks larger than /64).
int cidr_offset(const struct cidr *c, const struct cidr *addr, uint64_t *index);

// EC2 reserves five addresses of every IPv4 subnet: the network address, .1 (router), .2 (DNS),
// .3 (future use) and the last (broadcast) (Amazon VPC User Guide, "Subnet CIDR blocks").
// Returns the number of usable addresses of an IPv4 subnet block (size - 5; 0 when smaller than
// 5), as in AvailableIpAddressCount of an empty subnet; 0 for an IPv6 block, since
// AvailableIpAddressCount counts "unused private IPv4 addresses" only.
uint64_t cidr_ec2_usable(const struct cidr *subnet);

// True when offset index of a subnet block is one of the five EC2 reserves (see above): 0..3 or
// the last offset of the block. The same rule is applied to IPv6 blocks (not verified against
// AWS); the last offset of a block larger than /64 does not fit 64 bits, so only 0..3 are
// reserved there. False for an offset outside the block.
bool cidr_ec2_reserved(const struct cidr *subnet, uint64_t index);

// A set of used address offsets inside one subnet block, for allocating private IPs to ENIs.
// Offsets are kept sorted in an array the caller provides; no allocation is done here.
struct cidr_alloc {
    const struct cidr *block; // the subnet
    const uint64_t *used;     // sorted ascending, no duplicates (may be NULL when used_count is 0)
    size_t used_count;
};

// Picks the lowest free, non-reserved offset of the subnet at or after offset 4 (AWS hands out
// addresses from the bottom of the subnet for ENIs without an explicit address) and stores the
// address in *out and its offset in *index. Used offsets that are reserved or outside the block
// are harmless. Returns 0, or -1 when the subnet is full (out and index unchanged). Linear in
// used_count.
int cidr_alloc_next(const struct cidr_alloc *a, struct cidr *out, uint64_t *index);

#endif
