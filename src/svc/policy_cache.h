// SPDX-License-Identifier: Apache-2.0
// A cache of compiled policies shared by the request threads. Compiling a policy costs tens of
// microseconds; deciding with a compiled one, about one. Entries are keyed by everything that
// makes a compiled policy (the document text, its kind, its label and ARN), so a changed document
// is simply a different entry and nothing needs invalidating; unused entries are evicted when the
// cache is full (least recently used first). Thread-safe.
#ifndef SAGEBOX_POLICY_CACHE_H
#define SAGEBOX_POLICY_CACHE_H

#include "policy/policy.h"

#include <stddef.h>

struct policy_cache;

// Returns a new cache holding at most capacity compiled policies (at least 1). Never NULL.
struct policy_cache *policy_cache_new(size_t capacity);

// Frees the cache and its policies; every policy obtained from it must have been released.
// NULL does nothing.
void policy_cache_free(struct policy_cache *c);

struct policy_cache_entry;

// A held reference to a cached policy.
struct policy_cache_ref {
    const struct policy *policy;
    struct policy_cache_entry *entry;
};

// Stores in *ref the compiled form of doc[0..len) as a policy of the given kind, name and arn
// (arn may be NULL), compiling it on a miss, and holds a reference to it: the caller must give
// it back with policy_cache_release. Returns 0, or -1 when the document does not compile, with
// IAM's reason in *err and *ref zeroed (failures are not cached).
int policy_cache_get(struct policy_cache *c, const char *doc, size_t len, enum policy_kind kind,
                     const char *name, const char *arn, struct policy_cache_ref *ref,
                     struct policy_error *err);

// Gives back a reference obtained from policy_cache_get and zeroes *ref; a zeroed ref does
// nothing.
void policy_cache_release(struct policy_cache *c, struct policy_cache_ref *ref);

// Counts for tests and the health endpoint: entries held, hits and misses so far.
void policy_cache_stats(struct policy_cache *c, size_t *entries, size_t *hits, size_t *misses);

#endif
