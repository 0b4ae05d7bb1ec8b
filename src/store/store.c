// SPDX-License-Identifier: Apache-2.0
// The storage interface's front: checks the caller's arguments, derives the indexed keys (the
// case-folded name, the sort key, prefix ranges), encodes and decodes list markers, and dispatches
// to the backend through its struct store_ops. Nothing here knows SQL; see store.h.
#include "store/store.h"
#include "core/strjoin.h"

#include "core/arena.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Fills err with a formatted message; see store.h.
int store_fail(struct store_err *err, int rc, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        if (w < 0) {
            err->msg[0] = '\0';
        }
    }
    return rc;
}

// Returns the English name of an error code; see store.h.
const char *store_strerror(int rc)
{
    switch (rc) {
    case 0:
        return "ok";
    case SB_ENOTFOUND:
        return "not found";
    case SB_EEXISTS:
        return "already exists";
    case SB_EBUSY:
        return "database busy";
    case SB_EIO:
        return "storage failure";
    case SB_ESCHEMA:
        return "not a usable sagebox store";
    case SB_ECORRUPT:
        return "database damaged";
    case SB_EINVAL:
        return "invalid store call";
    default:
        return "unknown error";
    }
}

static bool nonempty(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static int check_scope(const struct store_scope *sc, struct store_err *err)
{
    if (sc == NULL || !nonempty(sc->account) || sc->region == NULL || !nonempty(sc->kind)) {
        return store_fail(err, SB_EINVAL, "store: scope needs an account, a region and a kind");
    }
    return 0;
}

// Returns a heap copy of s with ASCII letters lowercased (IAM compares names that way).
static char *fold(const char *s)
{
    size_t n = strlen(s);
    char *f = sb_xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z') {
            c = (unsigned char)(c + ('a' - 'A'));
        }
        f[i] = (char)c;
    }
    f[n] = '\0';
    return f;
}

// --- The read cache ------------------------------------------------------------------------------
// A direct-mapped table of recently read objects. Each entry records the store generation read
// BEFORE the database was queried, so an entry filled while a write was committing is already
// stale. One mutex; entries are copied out under it.

#define CACHE_SLOTS 2048

enum cache_by { CACHE_BY_ID, CACHE_BY_NAME, CACHE_BY_KEY2 };

struct cache_entry {
    bool used;
    uint64_t generation;
    enum cache_by by;
    char *key;    // account \x1f region \x1f kind \x1f lookup key (the folded name for names)
    char *fields; // the object's strings, packed; the pointers below point into it
    struct store_obj obj;
};

struct store_cache {
    pthread_mutex_t lock;
    struct cache_entry slots[CACHE_SLOTS];
};

// The calling thread's transaction: none, read-only (reads may use the cache: they only ever
// observe committed data), or read-write (reads bypass the cache to see the thread's own writes).
// A read-only transaction starts in the database only when a read needs the database (a cache
// miss, a listing, a count): a request answered from the cache opens none at all.
enum { TXN_NONE, TXN_READ_PENDING, TXN_READ, TXN_WRITE };
static _Thread_local int txn_state;

// Opens the pending read-only transaction before the first database access; see above.
static int ensure_txn(struct store *s, struct store_err *err)
{
    if (txn_state != TXN_READ_PENDING) {
        return 0;
    }
    int rc = s->ops->begin(s, false, err);
    if (rc == 0) {
        txn_state = TXN_READ;
    }
    return rc;
}

static struct store_cache *cache_new(void)
{
    struct store_cache *c = sb_xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

static void cache_free(struct store_cache *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        free(c->slots[i].key);
        free(c->slots[i].fields);
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static char *cache_key(const char *account, const char *region, const char *kind, const char *k)
{
    size_t n = strlen(account) + strlen(region) + strlen(kind) + strlen(k) + 4;
    char *key = sb_xmalloc(n);
    const char *parts[] = {account, "\x1f", region, "\x1f", kind, "\x1f", k};
    sb_join(key, n, parts, 7);
    return key;
}

static size_t cache_slot(const char *key, enum cache_by by)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)by;
    for (const char *p = key; *p; p++) {
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    }
    return (size_t)(h % CACHE_SLOTS);
}

static const char *arena_copy(struct arena *a, const char *s)
{
    return s != NULL ? arena_strndup(a, s, strlen(s)) : NULL;
}

// Copies a fresh cached object into out (strings into a). Returns true on a hit.
static bool cache_get(struct store *s, enum cache_by by, const char *key, uint64_t gen,
                      struct arena *a, struct store_obj *out)
{
    struct store_cache *c = s->cache;
    if (c == NULL || txn_state == TXN_WRITE) {
        return false;
    }
    bool hit = false;
    pthread_mutex_lock(&c->lock);
    struct cache_entry *e = &c->slots[cache_slot(key, by)];
    if (e->used && e->generation == gen && e->by == by && strcmp(e->key, key) == 0) {
        if (out != NULL) {
            *out = e->obj;
            out->account = arena_copy(a, e->obj.account);
            out->region = arena_copy(a, e->obj.region);
            out->kind = arena_copy(a, e->obj.kind);
            out->id = arena_copy(a, e->obj.id);
            out->name = arena_copy(a, e->obj.name);
            out->parent = arena_copy(a, e->obj.parent);
            out->path = arena_copy(a, e->obj.path);
            out->key2 = arena_copy(a, e->obj.key2);
            out->doc = arena_strndup(a, e->obj.doc, e->obj.doc_len);
        }
        hit = true;
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

// Packs s into buf at *off and returns where it went (NULL for NULL).
static const char *pack(char *buf, size_t *off, const char *s, size_t len)
{
    if (s == NULL) {
        return NULL;
    }
    char *d = buf + *off;
    memcpy(d, s, len);
    d[len] = '\0';
    *off += len + 1;
    return d;
}

static size_t slen(const char *s)
{
    return s != NULL ? strlen(s) + 1 : 0;
}

static void cache_put(struct store *s, enum cache_by by, const char *key, uint64_t gen,
                      const struct store_obj *o)
{
    struct store_cache *c = s->cache;
    if (c == NULL || txn_state == TXN_WRITE || o == NULL) {
        return;
    }
    size_t n = slen(o->account) + slen(o->region) + slen(o->kind) + slen(o->id) + slen(o->name) +
               slen(o->parent) + slen(o->path) + slen(o->key2) + o->doc_len + 1;
    char *fields = sb_xmalloc(n);
    size_t off = 0;
    struct store_obj copy = *o;
    copy.account = pack(fields, &off, o->account, strlen(o->account));
    copy.region = pack(fields, &off, o->region, strlen(o->region));
    copy.kind = pack(fields, &off, o->kind, strlen(o->kind));
    copy.id = pack(fields, &off, o->id, strlen(o->id));
    copy.name = o->name ? pack(fields, &off, o->name, strlen(o->name)) : NULL;
    copy.parent = o->parent ? pack(fields, &off, o->parent, strlen(o->parent)) : NULL;
    copy.path = o->path ? pack(fields, &off, o->path, strlen(o->path)) : NULL;
    copy.key2 = o->key2 ? pack(fields, &off, o->key2, strlen(o->key2)) : NULL;
    copy.doc = pack(fields, &off, o->doc, o->doc_len);
    char *k = sb_xmalloc(strlen(key) + 1);
    memcpy(k, key, strlen(key) + 1);
    pthread_mutex_lock(&c->lock);
    struct cache_entry *e = &c->slots[cache_slot(key, by)];
    free(e->key);
    free(e->fields);
    e->used = true;
    e->generation = gen;
    e->by = by;
    e->key = k;
    e->fields = fields;
    e->obj = copy;
    pthread_mutex_unlock(&c->lock);
}

// Opens the store after checking the options; see store.h.
int store_open(const struct store_opts *opts, struct store **out, struct store_err *err)
{
    *out = NULL;
    if (opts == NULL || !nonempty(opts->data_dir) || !nonempty(opts->version)) {
        return store_fail(err, SB_EINVAL, "store: a data directory and a version are required");
    }
    if (opts->sync != STORE_SYNC_NORMAL && opts->sync != STORE_SYNC_FULL) {
        return store_fail(err, SB_EINVAL, "store: unknown durability level");
    }
    if (opts->busy_timeout_ms < 0 || opts->cache_kib < 0) {
        return store_fail(err, SB_EINVAL, "store: negative timeout or cache size");
    }
    int rc = store_sqlite_open(opts, out, err);
    if (rc == 0) {
        // Each store of the process starts its generations at its own multiple of 2^40, so that
        // generations are unique across the stores a process opens (see store_generation).
        static uint64_t opened;
        (*out)->generation = __atomic_add_fetch(&opened, 1, __ATOMIC_SEQ_CST) << 40;
        (*out)->cache = cache_new();
    }
    return rc;
}

// Closes the store through its backend; see store.h.
void store_close(struct store *s)
{
    if (s != NULL) {
        cache_free(s->cache);
        s->cache = NULL;
        s->ops->close(s);
    }
}

static void bump(struct store *s, int rc)
{
    if (rc == 0) {
        __atomic_add_fetch(&s->generation, 1, __ATOMIC_SEQ_CST);
    }
}

// The calling thread's transaction; see store.h.
enum store_txn store_txn_state(struct store *s)
{
    (void)s;
    if (txn_state == TXN_WRITE) {
        return STORE_TXN_WRITE;
    }
    return txn_state == TXN_NONE ? STORE_TXN_NONE : STORE_TXN_READ;
}

// The write counter; see store.h.
uint64_t store_generation(struct store *s)
{
    return __atomic_load_n(&s->generation, __ATOMIC_SEQ_CST);
}

// Validates obj, derives its name key and sort key, and writes it; see store.h.
int store_put(struct store *s, const struct store_obj *obj, enum store_put_mode mode,
              struct store_err *err)
{
    if (obj == NULL || !nonempty(obj->account) || obj->region == NULL || !nonempty(obj->kind) ||
        !nonempty(obj->id) || obj->doc == NULL) {
        return store_fail(err, SB_EINVAL, "store: an object needs account, region, kind, id, doc");
    }
    if ((obj->name != NULL && obj->name[0] == '\0') ||
        (obj->parent != NULL && obj->parent[0] == '\0') ||
        (obj->key2 != NULL && obj->key2[0] == '\0')) {
        return store_fail(err, SB_EINVAL, "store: name, parent and key2 are NULL or non-empty");
    }
    if (mode != STORE_CREATE && mode != STORE_REPLACE && mode != STORE_UPSERT) {
        return store_fail(err, SB_EINVAL, "store: unknown put mode");
    }
    char *folded = NULL;
    const char *name_key = obj->name;
    if (obj->name != NULL && obj->name_ci) {
        folded = fold(obj->name);
        name_key = folded;
    }
    const char *sort_key = name_key != NULL ? name_key : obj->id;
    int rc = ensure_txn(s, err);
    if (rc != 0) {
        free(folded);
        return rc;
    }
    rc = s->ops->put(s, obj, name_key, sort_key, mode, err);
    free(folded);
    bump(s, rc);
    return rc;
}

// Reads one object by id; see store.h.
int store_get(struct store *s, const struct store_scope *sc, const char *id, struct arena *a,
              struct store_obj *out, struct store_err *err)
{
    int rc = check_scope(sc, err);
    if (rc != 0) {
        return rc;
    }
    if (!nonempty(id) || (out != NULL && a == NULL)) {
        return store_fail(err, SB_EINVAL, "store: get needs an id (and an arena for the result)");
    }
    uint64_t gen = store_generation(s);
    char *key = cache_key(sc->account, sc->region, sc->kind, id);
    if (cache_get(s, CACHE_BY_ID, key, gen, a, out)) {
        free(key);
        return 0;
    }
    rc = ensure_txn(s, err);
    if (rc == 0) {
        rc = s->ops->get(s, sc, STORE_BY_ID, id, a, out, err);
    }
    if (rc == 0) {
        cache_put(s, CACHE_BY_ID, key, gen, out);
    }
    free(key);
    return rc;
}

// Reads one object by name, folding it for name_ci scopes; see store.h.
int store_get_by_name(struct store *s, const struct store_scope *sc, const char *name,
                      struct arena *a, struct store_obj *out, struct store_err *err)
{
    int rc = check_scope(sc, err);
    if (rc != 0) {
        return rc;
    }
    if (!nonempty(name) || (out != NULL && a == NULL)) {
        return store_fail(err, SB_EINVAL, "store: get needs a name (and an arena for the result)");
    }
    char *folded = sc->name_ci ? fold(name) : NULL;
    const char *name_key = folded != NULL ? folded : name;
    uint64_t gen = store_generation(s);
    char *key = cache_key(sc->account, sc->region, sc->kind, name_key);
    if (cache_get(s, CACHE_BY_NAME, key, gen, a, out)) {
        free(key);
        free(folded);
        return 0;
    }
    rc = ensure_txn(s, err);
    if (rc == 0) {
        rc = s->ops->get(s, sc, STORE_BY_NAME_KEY, name_key, a, out, err);
    }
    if (rc == 0) {
        cache_put(s, CACHE_BY_NAME, key, gen, out);
    }
    free(key);
    free(folded);
    return rc;
}

// Reads one object by key2 across accounts; see store.h.
int store_get_by_key2(struct store *s, const char *kind, const char *key2, struct arena *a,
                      struct store_obj *out, struct store_err *err)
{
    if (!nonempty(key2) || (kind != NULL && kind[0] == '\0') || (out != NULL && a == NULL)) {
        return store_fail(err, SB_EINVAL, "store: get needs a key2 (and an arena for the result)");
    }
    uint64_t gen = store_generation(s);
    char *key = cache_key("", "", kind != NULL ? kind : "", key2);
    if (cache_get(s, CACHE_BY_KEY2, key, gen, a, out)) {
        free(key);
        return 0;
    }
    int rc = ensure_txn(s, err);
    if (rc == 0) {
        rc = s->ops->get_key2(s, kind, key2, a, out, err);
    }
    if (rc == 0) {
        cache_put(s, CACHE_BY_KEY2, key, gen, out);
    }
    free(key);
    return rc;
}

// Deletes one object; see store.h.
int store_delete(struct store *s, const struct store_scope *sc, const char *id,
                 struct store_err *err)
{
    int rc = check_scope(sc, err);
    if (rc != 0) {
        return rc;
    }
    if (!nonempty(id)) {
        return store_fail(err, SB_EINVAL, "store: delete needs an id");
    }
    rc = ensure_txn(s, err);
    if (rc == 0) {
        rc = s->ops->del(s, sc, id, err);
    }
    bump(s, rc);
    return rc;
}

// Deletes the children of parent; see store.h.
int store_delete_children(struct store *s, const struct store_scope *sc, const char *parent,
                          int64_t *deleted, struct store_err *err)
{
    int64_t n = 0;
    int rc = check_scope(sc, err);
    if (rc == 0 && !nonempty(parent)) {
        rc = store_fail(err, SB_EINVAL, "store: delete_children needs a parent");
    }
    if (rc == 0) {
        rc = ensure_txn(s, err);
        if (rc == 0) {
            rc = s->ops->del_children(s, sc, parent, &n, err);
        }
        bump(s, rc);
    }
    if (deleted != NULL) {
        *deleted = rc == 0 ? n : 0;
    }
    return rc;
}

// Counts the objects of a scope; see store.h.
int store_count(struct store *s, const struct store_scope *sc, const char *parent, int64_t *count,
                struct store_err *err)
{
    *count = 0;
    int rc = check_scope(sc, err);
    if (rc != 0) {
        return rc;
    }
    if (parent != NULL && parent[0] == '\0') {
        return store_fail(err, SB_EINVAL, "store: an empty parent");
    }
    rc = ensure_txn(s, err);
    return rc != 0 ? rc : s->ops->count(s, sc, parent, count, err);
}

// Counts objects per kind; see store.h.
int store_count_kinds(struct store *s, struct arena *a, struct store_kind_count **out,
                      size_t *count, struct store_err *err)
{
    *out = NULL;
    *count = 0;
    if (a == NULL) {
        return store_fail(err, SB_EINVAL, "store: count_kinds needs an arena");
    }
    int rc = ensure_txn(s, err);
    return rc != 0 ? rc : s->ops->count_kinds(s, a, out, count, err);
}

static const char hexdigits[] = "0123456789abcdef";

// The marker names the last object returned by its sort key and id, so that it stays valid when
// that object is deleted meanwhile. It must be short (IAM's markerType allows 320 characters) and
// printable: the characters ids and keys are made of ([A-Za-z0-9_/:|.@+,-]) stand for
// themselves, any other byte is "~HH"; an unnamed object's sort key is its id, written once
// after '=' ("=AIDA.../PolicyName"); otherwise "<sort key>!<id>".
static bool marker_plain(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '/' || c == ':' || c == '|' || c == '.' || c == '@' || c == '+' || c == ',' ||
           c == '-';
}

static size_t marker_put(char *dst, const char *s)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (marker_plain(*p)) {
            dst[o++] = (char)*p;
        } else {
            dst[o++] = '~';
            dst[o++] = hexdigits[*p >> 4];
            dst[o++] = hexdigits[*p & 15];
        }
    }
    return o;
}

static const char *encode_marker(struct arena *a, const char *sort_key, const char *id)
{
    size_t ns = strlen(sort_key);
    size_t ni = strlen(id);
    char *m = arena_alloc(a, 3 * ns + 3 * ni + 3);
    size_t o = 0;
    if (strcmp(sort_key, id) == 0) {
        m[o++] = '=';
        o += marker_put(m + o, id);
    } else {
        o += marker_put(m + o, sort_key);
        m[o++] = '!';
        o += marker_put(m + o, id);
    }
    m[o] = '\0';
    return m;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

// Decodes s[0..n) of a marker into a NUL-terminated arena string; NULL if malformed, empty, or if
// it would hold a NUL byte.
static const char *marker_get(struct arena *a, const char *s, size_t n)
{
    if (n == 0) {
        return NULL;
    }
    char *d = arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '~') {
            if (i + 2 >= n) {
                return NULL;
            }
            int hi = hexval(s[i + 1]);
            int lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                return NULL;
            }
            d[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (marker_plain(c)) {
            d[o++] = (char)c;
        } else {
            return NULL;
        }
    }
    d[o] = '\0';
    return d;
}

static int decode_marker(struct arena *a, const char *m, struct store_list_query *q,
                         struct store_err *err)
{
    if (m[0] == '=') {
        q->after_id = marker_get(a, m + 1, strlen(m + 1));
        q->after_sort = q->after_id;
    } else {
        const char *bang = strchr(m, '!');
        if (bang == NULL) {
            return store_fail(err, SB_EINVAL, "store: malformed list marker");
        }
        q->after_sort = marker_get(a, m, (size_t)(bang - m));
        q->after_id = marker_get(a, bang + 1, strlen(bang + 1));
    }
    if (q->after_sort == NULL || q->after_id == NULL) {
        return store_fail(err, SB_EINVAL, "store: malformed list marker");
    }
    return 0;
}

// Turns a prefix into the half-open range [*lo, *hi) of the strings that start with it, compared
// byte-wise: hi is the prefix with trailing 0xff bytes dropped and the last byte incremented.
// A prefix of only 0xff bytes (never valid UTF-8) gets hi NULL, meaning no match.
static void prefix_range(struct arena *a, const char *p, const char **lo, const char **hi)
{
    size_t n = strlen(p);
    char *h = arena_strndup(a, p, n);
    while (n > 0 && (unsigned char)h[n - 1] == 0xff) {
        n--;
    }
    *lo = p;
    if (n == 0) {
        *hi = NULL;
        return;
    }
    h[n - 1] = (char)((unsigned char)h[n - 1] + 1);
    h[n] = '\0';
    *hi = h;
}

// Lists one page; see store.h.
int store_list(struct store *s, const struct store_scope *sc, const struct store_list_opts *opts,
               struct arena *a, struct store_list *out, struct store_err *err)
{
    *out = (struct store_list){0};
    int rc = check_scope(sc, err);
    if (rc != 0) {
        return rc;
    }
    if (opts == NULL || a == NULL || opts->limit > STORE_LIST_MAX ||
        (opts->parent != NULL && opts->parent[0] == '\0')) {
        return store_fail(err, SB_EINVAL, "store: list needs options, an arena, a valid limit");
    }
    struct store_list_query q = {
        .parent = opts->parent,
        .limit = opts->limit == 0 ? 100 : opts->limit,
    };
    if (nonempty(opts->path_prefix)) {
        q.has_path = true;
        prefix_range(a, opts->path_prefix, &q.path_lo, &q.path_hi);
    }
    if (nonempty(opts->name_prefix)) {
        q.has_sort_prefix = true;
        const char *p = opts->name_prefix;
        if (sc->name_ci) {
            char *f = fold(p);
            p = arena_strndup(a, f, strlen(f));
            free(f);
        }
        prefix_range(a, p, &q.sort_lo, &q.sort_hi);
    }
    if (opts->marker != NULL) {
        rc = decode_marker(a, opts->marker, &q, err);
        if (rc != 0) {
            return rc;
        }
    }
    const char *last_sort = NULL;
    rc = ensure_txn(s, err);
    if (rc == 0) {
        rc = s->ops->list(s, sc, &q, a, out, &last_sort, err);
    }
    if (rc != 0) {
        *out = (struct store_list){0};
        return rc;
    }
    if (out->truncated && out->count > 0 && last_sort != NULL) {
        out->next_marker = encode_marker(a, last_sort, out->items[out->count - 1].id);
    } else {
        out->truncated = false;
    }
    return 0;
}

// Starts the calling thread's transaction; see store.h.
int store_begin(struct store *s, struct store_err *err)
{
    if (txn_state != TXN_NONE) {
        return store_fail(err, SB_EINVAL, "store: this thread already has a transaction");
    }
    int rc = s->ops->begin(s, true, err);
    if (rc == 0) {
        txn_state = TXN_WRITE;
    }
    return rc;
}

// Starts the calling thread's read-only transaction; see store.h.
int store_begin_read(struct store *s, struct store_err *err)
{
    (void)s;
    if (txn_state != TXN_NONE) {
        return store_fail(err, SB_EINVAL, "store: this thread already has a transaction");
    }
    txn_state = TXN_READ_PENDING; // opened in the database by the first read that needs it
    return 0;
}

// Commits the calling thread's transaction; see store.h.
int store_commit(struct store *s, struct store_err *err)
{
    if (txn_state == TXN_READ_PENDING) {
        txn_state = TXN_NONE; // nothing was read from the database: nothing to close
        return 0;
    }
    int rc = s->ops->commit(s, err);
    if (txn_state == TXN_WRITE) {
        bump(s, rc); // a read-only transaction changed nothing
    }
    if (rc == 0) {
        txn_state = TXN_NONE;
    }
    return rc;
}

// Rolls back the calling thread's transaction; see store.h.
void store_rollback(struct store *s)
{
    if (txn_state != TXN_READ_PENDING) {
        s->ops->rollback(s);
    }
    txn_state = TXN_NONE;
}

// Runs the integrity check; see store.h.
int store_check(struct store *s, struct store_err *err)
{
    return s->ops->check(s, err);
}
