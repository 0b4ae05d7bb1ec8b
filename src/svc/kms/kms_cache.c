// SPDX-License-Identifier: Apache-2.0
// Per-thread KMS read caches; see kms_cache.h.
#include "svc/kms/kms_cache.h"

#include "svc/kms/kms_crypto.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS         64  // direct-mapped entries of each table
#define BACKING_SLOTS 16  // backing keys, replaced round robin
#define COMPOSE_MAX   512 // ACCOUNT \n REGION \n NAME (alias names are at most 256 bytes)

// One entry of a table: what (account, region, name) mapped to at generation gen.
struct entry {
    uint64_t gen;
    char *key;    // "ACCOUNT\nREGION\nNAME" (malloc); NULL for an empty slot
    json_t *doc;  // keys: the document
    char *target; // aliases: the key id (malloc)
    char **names; // key aliases: count names (one malloc block with the strings)
    size_t count;
};

struct backing_entry {
    char key_id[KMS_KEY_ID_LEN + 1];
    uint32_t version;
    char *wrapped; // the wrapped text (malloc); NULL for an empty slot
    size_t wrapped_len;
    struct buf secret;
};

struct thread_cache {
    bool active;  // inside kms_cache_begin / kms_cache_end
    uint64_t gen; // the generation kms_cache_begin recorded
    struct store *store;
    struct entry keys[SLOTS];
    struct entry aliases[SLOTS];
    struct entry key_aliases[SLOTS];
    struct backing_entry backing[BACKING_SLOTS];
    unsigned backing_next;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t tls;
static bool tls_ok;

static void entry_clear(struct entry *e)
{
    free(e->key);
    json_decref(e->doc);
    free(e->target);
    free(e->names);
    memset(e, 0, sizeof(*e));
}

static void backing_clear(struct backing_entry *b)
{
    free(b->wrapped);
    kms_buf_wipe(&b->secret);
    memset(b, 0, sizeof(*b));
}

static void thread_cache_free(void *p)
{
    struct thread_cache *tc = p;
    if (tc == NULL) {
        return;
    }
    for (size_t i = 0; i < SLOTS; i++) {
        entry_clear(&tc->keys[i]);
        entry_clear(&tc->aliases[i]);
        entry_clear(&tc->key_aliases[i]);
    }
    for (size_t i = 0; i < BACKING_SLOTS; i++) {
        backing_clear(&tc->backing[i]);
    }
    free(tc);
}

static void init_once(void)
{
    tls_ok = pthread_key_create(&tls, thread_cache_free) == 0;
}

// This thread's cache, created on first use; NULL when it cannot be.
static struct thread_cache *mine(void)
{
    pthread_once(&once, init_once);
    if (!tls_ok) {
        return NULL;
    }
    struct thread_cache *tc = pthread_getspecific(tls);
    if (tc == NULL) {
        tc = calloc(1, sizeof(*tc));
        if (tc != NULL && pthread_setspecific(tls, tc) != 0) {
            free(tc);
            tc = NULL;
        }
    }
    return tc;
}

// This thread's cache when a read-only call is active and nothing was written since it began.
static struct thread_cache *current(void)
{
    struct thread_cache *tc = mine();
    if (tc == NULL || !tc->active || store_generation(tc->store) != tc->gen) {
        return NULL;
    }
    return tc;
}

bool kms_cache_begin(struct store *s, bool read_only)
{
    struct thread_cache *tc = mine();
    if (tc == NULL) {
        return false;
    }
    bool previous = tc->active;
    tc->active = read_only;
    if (read_only) {
        tc->store = s;
        tc->gen = store_generation(s); // before the transaction reads anything
    }
    return previous;
}

void kms_cache_end(bool previous)
{
    struct thread_cache *tc = mine();
    if (tc != NULL) {
        tc->active = previous;
    }
}

// Writes "ACCOUNT\nREGION\nNAME" into out[COMPOSE_MAX]; false when it does not fit.
static bool compose(char *out, const char *account, const char *region, const char *name)
{
    size_t a = strlen(account);
    size_t r = strlen(region);
    size_t n = strlen(name);
    if (a + r + n + 3 > COMPOSE_MAX) {
        return false;
    }
    memcpy(out, account, a);
    out[a] = '\n';
    memcpy(out + a + 1, region, r);
    out[a + 1 + r] = '\n';
    memcpy(out + a + r + 2, name, n + 1);
    return true;
}

// The slot of key in a table (FNV-1a).
static struct entry *slot(struct entry *table, const char *key)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++) {
        h = (h ^ *p) * 16777619u;
    }
    return &table[h % SLOTS];
}

// The entry of (account, region, name) in table when it is current; NULL otherwise.
static struct entry *lookup(struct entry *(*table)(struct thread_cache *), const char *account,
                            const char *region, const char *name)
{
    struct thread_cache *tc = current();
    char key[COMPOSE_MAX];
    if (tc == NULL || !compose(key, account, region, name)) {
        return NULL;
    }
    struct entry *e = slot(table(tc), key);
    return e->key != NULL && e->gen == tc->gen && strcmp(e->key, key) == 0 ? e : NULL;
}

// A cleared entry for (account, region, name) in table, tagged with the call's generation; NULL
// outside a current read-only call.
static struct entry *fill(struct entry *(*table)(struct thread_cache *), const char *account,
                          const char *region, const char *name)
{
    struct thread_cache *tc = current();
    char key[COMPOSE_MAX];
    if (tc == NULL || !compose(key, account, region, name)) {
        return NULL;
    }
    struct entry *e = slot(table(tc), key);
    entry_clear(e);
    e->key = strdup(key);
    if (e->key == NULL) {
        return NULL;
    }
    e->gen = tc->gen;
    return e;
}

static struct entry *keys_of(struct thread_cache *tc)
{
    return tc->keys;
}

static struct entry *aliases_of(struct thread_cache *tc)
{
    return tc->aliases;
}

static struct entry *key_aliases_of(struct thread_cache *tc)
{
    return tc->key_aliases;
}

json_t *kms_cache_key_get(const char *account, const char *region, const char *id)
{
    struct entry *e = lookup(keys_of, account, region, id);
    return e != NULL ? json_incref(e->doc) : NULL;
}

void kms_cache_key_put(const char *account, const char *region, const char *id, json_t *doc)
{
    struct entry *e = fill(keys_of, account, region, id);
    if (e != NULL) {
        e->doc = json_incref(doc);
    }
}

bool kms_cache_alias_get(const char *account, const char *region, const char *alias, char *out,
                         size_t cap)
{
    struct entry *e = lookup(aliases_of, account, region, alias);
    if (e == NULL || e->target == NULL || strlen(e->target) >= cap) {
        return false;
    }
    memcpy(out, e->target, strlen(e->target) + 1);
    return true;
}

void kms_cache_alias_put(const char *account, const char *region, const char *alias,
                         const char *key_id)
{
    struct entry *e = fill(aliases_of, account, region, alias);
    if (e != NULL && (e->target = strdup(key_id)) == NULL) {
        entry_clear(e);
    }
}

bool kms_cache_aliases_get(const char *account, const char *region, const char *id, struct arena *a,
                           const char ***names, size_t *count)
{
    struct entry *e = lookup(key_aliases_of, account, region, id);
    if (e == NULL) {
        return false;
    }
    const char **out = arena_calloc(a, e->count + 1, sizeof(char *));
    for (size_t i = 0; i < e->count; i++) {
        out[i] = arena_strndup(a, e->names[i], strlen(e->names[i]));
    }
    *names = out;
    *count = e->count;
    return true;
}

void kms_cache_aliases_put(const char *account, const char *region, const char *id,
                           const char *const *names, size_t count)
{
    struct entry *e = fill(key_aliases_of, account, region, id);
    if (e == NULL) {
        return;
    }
    // One block: the pointer array, then the strings.
    size_t bytes = (count + 1) * sizeof(char *);
    for (size_t i = 0; i < count; i++) {
        bytes += strlen(names[i]) + 1;
    }
    e->names = malloc(bytes);
    if (e->names == NULL) {
        entry_clear(e);
        return;
    }
    char *p = (char *)(e->names + count + 1);
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(names[i]) + 1;
        memcpy(p, names[i], n);
        e->names[i] = p;
        p += n;
    }
    e->names[count] = NULL;
    e->count = count;
}

bool kms_cache_backing_get(const char *key_id, uint32_t version, const char *wrapped, size_t len,
                           struct buf *secret)
{
    struct thread_cache *tc = mine();
    for (size_t i = 0; tc != NULL && i < BACKING_SLOTS; i++) {
        const struct backing_entry *b = &tc->backing[i];
        if (b->wrapped != NULL && b->version == version && b->wrapped_len == len &&
            strcmp(b->key_id, key_id) == 0 && memcmp(b->wrapped, wrapped, len) == 0) {
            buf_append(secret, b->secret.data, b->secret.len);
            return true;
        }
    }
    return false;
}

void kms_cache_backing_put(const char *key_id, uint32_t version, const char *wrapped, size_t len,
                           const struct buf *secret)
{
    struct thread_cache *tc = mine();
    if (tc == NULL || strlen(key_id) > KMS_KEY_ID_LEN) {
        return;
    }
    struct backing_entry *b = &tc->backing[tc->backing_next];
    tc->backing_next = (tc->backing_next + 1) % BACKING_SLOTS;
    backing_clear(b);
    b->wrapped = malloc(len > 0 ? len : 1);
    if (b->wrapped == NULL) {
        return;
    }
    memcpy(b->wrapped, wrapped, len);
    b->wrapped_len = len;
    b->version = version;
    memcpy(b->key_id, key_id, strlen(key_id) + 1);
    buf_append(&b->secret, secret->data, secret->len);
}
