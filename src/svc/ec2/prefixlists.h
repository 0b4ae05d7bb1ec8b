// SPDX-License-Identifier: Apache-2.0
// The AWS-managed prefix lists of a region (com.amazonaws.REGION.s3 and
// com.amazonaws.REGION.dynamodb): the destinations gateway VPC endpoints add to route tables and
// security group rules may name. A pure catalog (no store): prefixlists.c documents where each id
// and CIDR comes from. The EC2 API over it (DescribePrefixLists, DescribeManagedPrefixLists,
// GetManagedPrefixListEntries) is in prefixlists.c too.
#ifndef SAGEBOX_EC2_PREFIXLISTS_H
#define SAGEBOX_EC2_PREFIXLISTS_H

#include <stdbool.h>
#include <stddef.h>

// Most blocks one catalog list has, and room for one block's text ("255.255.255.255/32").
#define EC2_PL_CIDRS_MAX 8
#define EC2_PL_CIDR_TEXT 20

// One AWS-managed prefix list of one region.
struct ec2_aws_prefix_list {
    char id[16];                                    // "pl-63a5400a"
    char name[96];                                  // "com.amazonaws.us-east-1.s3"
    char cidrs[EC2_PL_CIDRS_MAX][EC2_PL_CIDR_TEXT]; // its IPv4 blocks
    size_t cidr_count;
};

// How many AWS-managed prefix lists every region has.
size_t ec2_aws_prefix_list_count(void);

// Fills *out with the index-th AWS-managed prefix list of region (0 <= index <
// ec2_aws_prefix_list_count()). Returns false for an index out of range or a region name that
// does not fit.
bool ec2_aws_prefix_list_at(const char *region, size_t index, struct ec2_aws_prefix_list *out);

// Finds the AWS-managed prefix list of region whose id or name is key ("pl-63a5400a" or
// "com.amazonaws.us-east-1.s3"). Returns true with *out filled, false when there is none.
bool ec2_aws_prefix_list_find(const char *region, const char *key, struct ec2_aws_prefix_list *out);

#endif
