// SPDX-License-Identifier: Apache-2.0
// Compiled-policy cache; see policy_cache.h. An open hash table of entries (chained by index)
// plus an LRU list, under one mutex. The key is compared in full (kind, name, arn, document), so
// a hash collision can never hand out the wrong policy.
#include "svc/policy_cache.h"

#include "core/arena.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct policy_cache_entry {
    uint64_t hash;
    enum policy_kind kind;
    char *name;
    char *arn; // NULL when none
    char *doc;
    size_t doc_len;
    struct policy *policy;
    size_t refs;
    struct policy_cache_entry *next_in_bucket;
    struct policy_cache_entry *lru_prev; // towards the most recently used
    struct policy_cache_entry *lru_next; // towards the least recently used
};

struct policy_cache {
    pthread_mutex_t lock;
    struct policy_cache_entry **buckets;
    size_t bucket_count; // a power of two
    size_t count;
    size_t capacity;
    struct policy_cache_entry *lru_head; // most recently used
    struct policy_cache_entry *lru_tail; // least recently used
    size_t hits;
    size_t misses;
};

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ p[i]) * 1099511628211ULL;
    }
    return h;
}

static uint64_t key_hash(const char *doc, size_t len, enum policy_kind kind, const char *name,
                         const char *arn)
{
    uint64_t h = 14695981039346656037ULL;
    h = fnv(h, &kind, sizeof(kind));
    h = fnv(h, name, strlen(name) + 1);
    h = fnv(h, arn ? arn : "", arn ? strlen(arn) + 1 : 1);
    return fnv(h, doc, len);
}

static char *dup_n(const char *s, size_t n)
{
    char *d = sb_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

// Returns a new cache; see policy_cache.h.
struct policy_cache *policy_cache_new(size_t capacity)
{
    struct policy_cache *c = sb_xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    c->capacity = capacity ? capacity : 1;
    c->bucket_count = 64;
    while (c->bucket_count < c->capacity * 2) {
        c->bucket_count *= 2;
    }
    c->buckets = sb_xcalloc(c->bucket_count, sizeof(*c->buckets));
    return c;
}

static void entry_free(struct policy_cache_entry *e)
{
    policy_free(e->policy);
    free(e->name);
    free(e->arn);
    free(e->doc);
    free(e);
}

// Frees the cache; see policy_cache.h.
void policy_cache_free(struct policy_cache *c)
{
    if (c == NULL) {
        return;
    }
    struct policy_cache_entry *e = c->lru_head;
    while (e != NULL) {
        struct policy_cache_entry *next = e->lru_next;
        entry_free(e);
        e = next;
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static void lru_unlink(struct policy_cache *c, struct policy_cache_entry *e)
{
    if (e->lru_prev) {
        e->lru_prev->lru_next = e->lru_next;
    } else {
        c->lru_head = e->lru_next;
    }
    if (e->lru_next) {
        e->lru_next->lru_prev = e->lru_prev;
    } else {
        c->lru_tail = e->lru_prev;
    }
    e->lru_prev = NULL;
    e->lru_next = NULL;
}

static void lru_push_front(struct policy_cache *c, struct policy_cache_entry *e)
{
    e->lru_prev = NULL;
    e->lru_next = c->lru_head;
    if (c->lru_head) {
        c->lru_head->lru_prev = e;
    }
    c->lru_head = e;
    if (c->lru_tail == NULL) {
        c->lru_tail = e;
    }
}

static void bucket_remove(struct policy_cache *c, struct policy_cache_entry *e)
{
    struct policy_cache_entry **pp = &c->buckets[e->hash & (c->bucket_count - 1)];
    while (*pp != NULL && *pp != e) {
        pp = &(*pp)->next_in_bucket;
    }
    if (*pp == e) {
        *pp = e->next_in_bucket;
    }
}

// Evicts unreferenced entries from the cold end until the cache is within capacity.
static void evict(struct policy_cache *c)
{
    struct policy_cache_entry *e = c->lru_tail;
    while (c->count > c->capacity && e != NULL) {
        struct policy_cache_entry *prev = e->lru_prev;
        if (e->refs == 0) {
            lru_unlink(c, e);
            bucket_remove(c, e);
            entry_free(e);
            c->count--;
        }
        e = prev;
    }
}

static bool same_key(const struct policy_cache_entry *e, uint64_t h, const char *doc, size_t len,
                     enum policy_kind kind, const char *name, const char *arn)
{
    return e->hash == h && e->kind == kind && e->doc_len == len && memcmp(e->doc, doc, len) == 0 &&
           strcmp(e->name, name) == 0 &&
           ((e->arn == NULL && arn == NULL) || (e->arn && arn && strcmp(e->arn, arn) == 0));
}

// Looks up or compiles a policy; see policy_cache.h. Compilation happens outside the lock so a
// slow compile does not stall other threads; if two threads compile the same document at once,
// the second result is dropped in favour of the first one inserted.
int policy_cache_get(struct policy_cache *c, const char *doc, size_t len, enum policy_kind kind,
                     const char *name, const char *arn, struct policy_cache_ref *ref,
                     struct policy_error *err)
{
    ref->policy = NULL;
    ref->entry = NULL;
    if (name == NULL) {
        name = "";
    }
    uint64_t h = key_hash(doc, len, kind, name, arn);
    pthread_mutex_lock(&c->lock);
    for (struct policy_cache_entry *e = c->buckets[h & (c->bucket_count - 1)]; e;
         e = e->next_in_bucket) {
        if (same_key(e, h, doc, len, kind, name, arn)) {
            e->refs++;
            c->hits++;
            lru_unlink(c, e);
            lru_push_front(c, e);
            pthread_mutex_unlock(&c->lock);
            ref->policy = e->policy;
            ref->entry = e;
            return 0;
        }
    }
    c->misses++;
    pthread_mutex_unlock(&c->lock);

    struct policy *p = NULL;
    if (policy_parse(doc, len, kind, name, arn, &p, err) != 0) {
        return -1;
    }

    pthread_mutex_lock(&c->lock);
    for (struct policy_cache_entry *e = c->buckets[h & (c->bucket_count - 1)]; e;
         e = e->next_in_bucket) {
        if (same_key(e, h, doc, len, kind, name, arn)) {
            e->refs++;
            pthread_mutex_unlock(&c->lock);
            policy_free(p);
            ref->policy = e->policy;
            ref->entry = e;
            return 0;
        }
    }
    struct policy_cache_entry *e = sb_xcalloc(1, sizeof(*e));
    e->hash = h;
    e->kind = kind;
    e->name = dup_n(name, strlen(name));
    e->arn = arn ? dup_n(arn, strlen(arn)) : NULL;
    e->doc = dup_n(doc, len);
    e->doc_len = len;
    e->policy = p;
    e->refs = 1;
    size_t b = h & (c->bucket_count - 1);
    e->next_in_bucket = c->buckets[b];
    c->buckets[b] = e;
    lru_push_front(c, e);
    c->count++;
    evict(c);
    pthread_mutex_unlock(&c->lock);
    ref->policy = p;
    ref->entry = e;
    return 0;
}

// Releases a reference; see policy_cache.h. The entry stays cached (it may be evicted later).
void policy_cache_release(struct policy_cache *c, struct policy_cache_ref *ref)
{
    if (ref->entry == NULL) {
        return;
    }
    pthread_mutex_lock(&c->lock);
    if (ref->entry->refs > 0) {
        ref->entry->refs--;
    }
    evict(c);
    pthread_mutex_unlock(&c->lock);
    ref->policy = NULL;
    ref->entry = NULL;
}

// Reports counters; see policy_cache.h.
void policy_cache_stats(struct policy_cache *c, size_t *entries, size_t *hits, size_t *misses)
{
    pthread_mutex_lock(&c->lock);
    *entries = c->count;
    *hits = c->hits;
    *misses = c->misses;
    pthread_mutex_unlock(&c->lock);
}
