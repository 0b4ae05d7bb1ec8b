// SPDX-License-Identifier: Apache-2.0
// Lookups in the catalog of AWS managed IAM policies (managed_policies.h) over the generated,
// name-sorted tables of managed_policies_data.c: binary searches by name, and by ARN through the
// name that ends it. Nothing here allocates or writes: the catalog is read-only data.
#include "svc/iam/managed_policies.h"

#include "svc/iam/managed_policies_int.h"

#include <stdbool.h>
#include <string.h>

// The ARN of every AWS managed policy starts with this, followed by its path and its name.
static const char arn_prefix[] = "arn:aws:iam::aws:policy/";

// Compares a[0..a_len) with the NUL-terminated b in byte order, like strcmp.
static int cmp_n(const char *a, size_t a_len, const char *b)
{
    for (size_t i = 0; i < a_len; i++) {
        unsigned char ca = (unsigned char)a[i];
        unsigned char cb = (unsigned char)b[i];
        if (cb == 0) {
            return 1; // b ended first (even if a holds a NUL here): a sorts after it
        }
        if (ca != cb) {
            return (int)ca - (int)cb;
        }
    }
    return b[a_len] == 0 ? 0 : -1;
}

static const char *str(uint32_t offset)
{
    return managed_policies_strings + offset;
}

static void fill(size_t index, struct managed_policy *out)
{
    const struct managed_policy_entry *e = &managed_policies_entries[index];
    *out = (struct managed_policy){
        .name = str(e->name),
        .path = str(e->path),
        .arn = str(e->arn),
        .version_id = str(e->version_id),
        .description = NULL,
        .document = str(e->document),
        .document_len = e->document_len,
        .create_date_ms = e->create_date_ms,
        .update_date_ms = e->update_date_ms,
        .version_create_date_ms = e->version_create_date_ms,
    };
}

// The index of the first entry whose name is not below name[0..len) (lower bound), or after it
// when after is true (upper bound).
static size_t bound(const char *name, size_t len, bool after)
{
    size_t lo = 0;
    size_t hi = managed_policies_entry_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_n(name, len, str(managed_policies_entries[mid].name));
        if (c > 0 || (after && c == 0)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

// Returns the number of entries in the generated table.
size_t managed_policies_count(void)
{
    return managed_policies_entry_count;
}

// Fills *out from entry index; fails with -1 (nothing written) when index is past the end.
int managed_policies_at(size_t index, struct managed_policy *out)
{
    if (index >= managed_policies_entry_count) {
        return -1;
    }
    fill(index, out);
    return 0;
}

// Binary search by name; -1 when absent (nothing written).
long managed_policies_find_name(const char *name, size_t name_len, struct managed_policy *out)
{
    size_t i = bound(name, name_len, false);
    if (i == managed_policies_entry_count ||
        cmp_n(name, name_len, str(managed_policies_entries[i].name)) != 0) {
        return -1;
    }
    if (out != NULL) {
        fill(i, out);
    }
    return (long)i;
}

// Finds the name after the ARN's last '/', then requires the whole ARN (prefix and path) to be
// that entry's: a known name under the wrong path is not a policy. -1 when absent.
long managed_policies_find_arn(const char *arn, size_t arn_len, struct managed_policy *out)
{
    size_t prefix_len = sizeof(arn_prefix) - 1;
    if (arn_len <= prefix_len || memcmp(arn, arn_prefix, prefix_len) != 0) {
        return -1;
    }
    size_t slash = arn_len;
    while (arn[slash - 1] != '/') {
        slash--;
    }
    long i = managed_policies_find_name(arn + slash, arn_len - slash, NULL);
    if (i < 0 || cmp_n(arn, arn_len, str(managed_policies_entries[i].arn)) != 0) {
        return -1;
    }
    if (out != NULL) {
        fill((size_t)i, out);
    }
    return i;
}

// Upper bound of name: the index where a listing resumes after it.
size_t managed_policies_after(const char *name, size_t name_len)
{
    return bound(name, name_len, true);
}

// The package name and version recorded by the generator.
const char *managed_policies_source(void)
{
    return managed_policies_package;
}
