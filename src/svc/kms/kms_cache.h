// SPDX-License-Identifier: Apache-2.0
// Per-thread caches of what every KMS cryptographic call reads: key documents, alias targets,
// the aliases of a key (for kms:ResourceAliases) and unwrapped backing keys. Without them an
// Encrypt of 4 KB spends most of its time in SQLite, in parsing the key's document and in
// unwrapping its backing key under the master key, not in AES-GCM (issue 5's benchmark).
//
// Correctness rests on the store's write generation (store_generation): a read-only KMS call
// records it before its transaction reads anything (kms_cache_begin), every entry it fills is
// tagged with that value, and an entry is used only while the store's generation still equals
// its tag, i.e. while no write has committed since the data was read. Generations are unique
// across the stores of a process, so entries of another store never match. Only read-only calls
// use the key and alias caches (the documents they hand out are shared and must not be changed);
// write transactions always read the store. Each thread has its own entries (no locks); the
// thread-exit destructor frees them, wiping the backing keys.
//
// Backing keys are cached by (key id, version) together with the exact wrapped text they were
// unwrapped from, so an entry serves only that text; it does not depend on the generation.
#ifndef SAGEBOX_KMS_CACHE_H
#define SAGEBOX_KMS_CACHE_H

#include "core/arena.h"
#include "core/buf.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Marks the start of a KMS transaction on this thread over store s. For a read-only one
// (read_only) it records s's generation and turns the key and alias caches on; for a write
// transaction it turns them off. Returns the previous state for kms_cache_end, which restores
// it (a write transaction inside a read-only call leaves the generation moved, so the outer
// call then reads the store again). Outside a read-only call the key and alias caches are
// neither read nor filled.
bool kms_cache_begin(struct store *s, bool read_only);
void kms_cache_end(bool previous);

// The document of key id in (account, region) as read by an earlier read-only call: returns a
// new reference to the shared (read-only) document, or NULL when not cached or stale.
json_t *kms_cache_key_get(const char *account, const char *region, const char *id);

// Remembers doc (a reference is taken) as the document of key id in (account, region).
void kms_cache_key_put(const char *account, const char *region, const char *id, json_t *doc);

// The key id alias names in (account, region), copied into out (KMS key ids are 36 bytes);
// false when not cached or stale.
bool kms_cache_alias_get(const char *account, const char *region, const char *alias, char *out,
                         size_t cap);

// Remembers that alias names key_id in (account, region).
void kms_cache_alias_put(const char *account, const char *region, const char *alias,
                         const char *key_id);

// The alias names of key id in (account, region): *names gets an arena array of count names.
// False when not cached or stale.
bool kms_cache_aliases_get(const char *account, const char *region, const char *id, struct arena *a,
                           const char ***names, size_t *count);

// Remembers names[0..count) as the aliases of key id in (account, region).
void kms_cache_aliases_put(const char *account, const char *region, const char *id,
                           const char *const *names, size_t count);

// Appends to secret the backing key unwrapped from wrapped[0..len) for (key_id, version), when
// this thread unwrapped that very text before; false otherwise.
bool kms_cache_backing_get(const char *key_id, uint32_t version, const char *wrapped, size_t len,
                           struct buf *secret);

// Remembers secret as the backing key unwrapped from wrapped[0..len) for (key_id, version).
void kms_cache_backing_put(const char *key_id, uint32_t version, const char *wrapped, size_t len,
                           const struct buf *secret);

#endif
