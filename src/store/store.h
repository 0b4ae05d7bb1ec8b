// SPDX-License-Identifier: Apache-2.0
// The storage interface: every service keeps its state here as JSON documents addressed by
// (account, region, kind, id), with a few indexed columns for lookups and listings. The store
// knows nothing of AWS semantics; services choose kinds ("iam.user", "iam.access_key"), ids and
// documents. One backend exists (SQLite in WAL mode, store_sqlite.c, which holds all the SQL); a
// PostgreSQL backend can be added behind the same operation table (struct store_ops below).
//
// Threads: one struct store is shared by every thread of the process. Each thread gets its own
// database connection, opened lazily on its first call and closed when the thread exits or when
// the store is closed. A transaction (store_begin .. store_commit) belongs to the calling thread:
// every store call that thread makes in between joins it. Outside a transaction each write is
// committed on its own. Writers serialize (SQLite has one writer at a time); a writer waits up to
// the busy timeout for another, then fails with SB_EBUSY. Readers never wait for writers.
//
// Durability: a write whose function returned 0 outside a transaction, or a transaction whose
// store_commit returned 0, survives the death of the process (kill -9) with STORE_SYNC_NORMAL, and
// also a power loss or OS crash with STORE_SYNC_FULL.
#ifndef SAGEBOX_STORE_H
#define SAGEBOX_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

// Error codes returned (negated) by the store. 0 means success. -1 is left unused because
// awserr_set returns it.
enum {
    SB_ENOTFOUND = -2, // no object with that id, name or key
    SB_EEXISTS = -3,   // the id, the name or the key2 is already taken in its scope
    SB_EBUSY = -4,     // another writer held the database longer than the busy timeout
    SB_EIO = -5,       // the backend failed (I/O error, disk full, closed store ...)
    SB_ESCHEMA = -6,   // the data directory is not a sagebox store, or of a newer schema
    SB_ECORRUPT = -7,  // the database file is damaged
    SB_EINVAL = -8,    // the caller broke the contract (missing field, bad marker, no txn)
};

// The schema version this code reads and writes. A store of a higher version is refused.
#define STORE_SCHEMA_VERSION 1

// Most rows a single store_list returns.
#define STORE_LIST_MAX 1000

// A message for the log explaining the last failure; filled by every failing call that is given
// one. Never shown to clients.
struct store_err {
    char msg[512];
};

struct store;

enum store_sync {
    STORE_SYNC_NORMAL, // survives kill -9 of the process (WAL, synchronous=NORMAL); the default
    STORE_SYNC_FULL,   // also survives power loss (fsync of the WAL on every commit)
};

struct store_opts {
    const char *data_dir; // created with mode 0700 when absent (its parent must exist)
    const char *version;  // the sagebox version recorded in the store, e.g. "0.1.0"
    enum store_sync sync; // durability level, see above
    int busy_timeout_ms;  // how long a writer waits for another; 0 means 5000
    int cache_kib;        // page cache per connection in KiB; 0 means 1024
};

// One stored object. On writes the caller owns every string; on reads every string is copied
// into the caller's arena. Optional fields are NULL when absent.
struct store_obj {
    const char *account; // the owning account, e.g. "123456789012"; required
    const char *region;  // e.g. "us-east-1"; "" for global services such as IAM; required
    const char *kind;    // the object type, e.g. "iam.user"; required
    const char *id;      // unique within (account, region, kind); required
    const char *name;    // optional; unique within (account, region, kind) when given
    bool name_ci;        // on writes: the name is unique regardless of ASCII case (IAM names)
    const char *parent;  // optional: the id of the object this one belongs to
    const char *path;    // optional: matched by store_list_opts.path_prefix (IAM paths)
    const char *key2;    // optional: unique per kind across all accounts (access key ids)
    const char *doc;     // the JSON document; required (the store does not parse it)
    size_t doc_len;      // bytes of doc
};

// Where an object lives, for lookups. name_ci must match the objects' name_ci when written.
struct store_scope {
    const char *account;
    const char *region;
    const char *kind;
    bool name_ci;
};

enum store_put_mode {
    STORE_CREATE,  // fails with SB_EEXISTS when the id exists
    STORE_REPLACE, // fails with SB_ENOTFOUND unless the id exists; replaces every field
    STORE_UPSERT,  // creates or replaces
};

struct store_list_opts {
    const char *parent;      // only children of this parent id; NULL for all
    const char *path_prefix; // only objects whose path starts with this (byte-wise); NULL for all
    const char *name_prefix; // only objects whose sort key starts with this; NULL for all
    const char *marker;      // next_marker of the previous page; NULL for the first page
    size_t limit;            // at most this many objects, 1..STORE_LIST_MAX; 0 means 100
};

// A page of objects ordered by sort key (the name, ASCII-lowercased for name_ci scopes, or the
// id for unnamed objects), then id. Everything lives in the caller's arena.
struct store_list {
    struct store_obj *items;
    size_t count;
    bool truncated;          // more objects follow
    const char *next_marker; // when truncated: pass as store_list_opts.marker; otherwise NULL
};

struct store_kind_count {
    const char *kind;
    int64_t count;
};

// Opens the store in opts->data_dir, creating the directory (mode 0700) and an empty store when
// absent. An existing store is checked first and refused without being modified when it is not
// a sagebox store (SB_ESCHEMA), has a newer schema version (SB_ESCHEMA) or is damaged
// (SB_ECORRUPT); err then says which, in words meant for the operator. On success *out is a new
// store for store_close and 0 is returned; on failure *out is NULL.
int store_open(const struct store_opts *opts, struct store **out, struct store_err *err);

// Point reads (store_get, store_get_by_name, store_get_by_key2) outside a transaction are
// served from a small cache of recently read objects while the store's write generation has not
// moved; any committed write makes every cached object stale. Reads inside a transaction always go
// to the database, so a transaction sees its own writes.
//
// A counter that changes after every committed write (put, delete, delete_children outside a
// transaction, or a commit). Caches of stored data record it BEFORE reading, and are stale as
// soon as it differs. Its values are unique across all the stores a process opens (each starts
// at its own multiple of 2^40), so a cache keyed on it cannot confuse two stores, even one
// opened at the address of a closed one. Thread-safe.
uint64_t store_generation(struct store *s);

// Closes every connection and frees the store. No thread may use the store during or after the
// call; an open transaction of any thread is rolled back. store_close(NULL) does nothing.
void store_close(struct store *s);

// Returns a static English description of an SB_E* code (or "ok" for 0).
const char *store_strerror(int rc);

// Writes one object (see enum store_put_mode). Returns 0, SB_EEXISTS (id taken for STORE_CREATE,
// or the name or key2 taken by another object), SB_ENOTFOUND (STORE_REPLACE of a missing id),
// SB_EINVAL, SB_EBUSY or SB_EIO. On failure nothing is written (inside a transaction, the
// transaction stays open and unchanged).
int store_put(struct store *s, const struct store_obj *obj, enum store_put_mode mode,
              struct store_err *err);

// Reads the object with this id. On success fills *out from a (strings copied into a) and
// returns 0. When out is NULL only existence is checked and a may be NULL. Returns SB_ENOTFOUND
// when absent, SB_EINVAL, SB_EIO or SB_ECORRUPT otherwise, leaving *out untouched.
int store_get(struct store *s, const struct store_scope *sc, const char *id, struct arena *a,
              struct store_obj *out, struct store_err *err);

// Like store_get, by name (ASCII case-insensitively when sc->name_ci).
int store_get_by_name(struct store *s, const struct store_scope *sc, const char *name,
                      struct arena *a, struct store_obj *out, struct store_err *err);

// Like store_get, by key2 across all accounts and regions: in one kind, or in any kind when kind
// is NULL (then the first match wins; keep key2 values globally unique to avoid ambiguity).
int store_get_by_key2(struct store *s, const char *kind, const char *key2, struct arena *a,
                      struct store_obj *out, struct store_err *err);

// Deletes the object with this id. Returns 0, SB_ENOTFOUND when absent, or an error code.
int store_delete(struct store *s, const struct store_scope *sc, const char *id,
                 struct store_err *err);

// Deletes every object of the scope whose parent is parent, and stores how many in *deleted
// (which may be NULL). Returns 0 (also when there were none) or an error code.
int store_delete_children(struct store *s, const struct store_scope *sc, const char *parent,
                          int64_t *deleted, struct store_err *err);

// Counts the objects of the scope, only the children of parent when parent is not NULL.
int store_count(struct store *s, const struct store_scope *sc, const char *parent, int64_t *count,
                struct store_err *err);

// Counts the objects of each kind across all accounts and regions (for the health endpoint; it
// reads the whole id index, so it is not for hot paths). *out is an array in a ordered by kind.
int store_count_kinds(struct store *s, struct arena *a, struct store_kind_count **out,
                      size_t *count, struct store_err *err);

// Lists one page of the scope's objects (see struct store_list). Returns 0, SB_EINVAL for a
// malformed marker or limit, or a backend error; *out is then empty.
int store_list(struct store *s, const struct store_scope *sc, const struct store_list_opts *opts,
               struct arena *a, struct store_list *out, struct store_err *err);

// The transaction the calling thread has open (a read-only one counts from store_begin_read on,
// before the database opens it).
enum store_txn {
    STORE_TXN_NONE,
    STORE_TXN_READ,
    STORE_TXN_WRITE,
};
enum store_txn store_txn_state(struct store *s);

// Starts a write transaction for the calling thread (it takes the write lock at once, waiting up
// to the busy timeout). Returns 0, SB_EINVAL when this thread already has one, SB_EBUSY or SB_EIO.
int store_begin(struct store *s, struct store_err *err);

// Starts a read-only transaction for the calling thread: every read that goes to the database
// until store_commit or store_rollback sees the same snapshot, and the locking cost (a few system
// calls) is paid once instead of once per read, so a request that reads several objects should
// use one. The database transaction opens at the first read the read cache cannot answer; reads
// answered from the cache see the latest committed state. Writes inside it fail with SB_EINVAL.
// Returns 0, SB_EINVAL when this thread already has a transaction, or SB_EIO.
int store_begin_read(struct store *s, struct store_err *err);

// Commits (or, for a read-only one, ends) the calling thread's transaction. Returns 0 once the
// writes are durable (see above); SB_EINVAL when there is none; on any other failure the
// transaction is rolled back.
int store_commit(struct store *s, struct store_err *err);

// Abandons the calling thread's transaction, if any.
void store_rollback(struct store *s);

// Runs the backend's full integrity check. Returns 0 when the database is intact, SB_ECORRUPT
// (err holds the first problem) or another error code.
int store_check(struct store *s, struct store_err *err);

// ---- Backend interface: for store.c and the backends only, not for callers. ----

// A list query as the backend sees it: prefixes turned into half-open ranges [lo, hi) (hi NULL:
// nothing can match) and the marker decoded into the (sort key, id) to continue after.
struct store_list_query {
    const char *parent;
    const char *path_lo;
    const char *path_hi;
    const char *sort_lo;
    const char *sort_hi;
    const char *after_sort; // NULL for the first page
    const char *after_id;
    bool has_path;        // filter on [path_lo, path_hi)
    bool has_sort_prefix; // filter on [sort_lo, sort_hi)
    size_t limit;
};

enum store_lookup {
    STORE_BY_ID,
    STORE_BY_NAME_KEY, // the name, already folded for name_ci scopes
};

// The operations each backend provides. Arguments are validated and normalised by store.c.
struct store_ops {
    void (*close)(struct store *s);
    int (*put)(struct store *s, const struct store_obj *o, const char *name_key,
               const char *sort_key, enum store_put_mode mode, struct store_err *err);
    int (*get)(struct store *s, const struct store_scope *sc, enum store_lookup by, const char *key,
               struct arena *a, struct store_obj *out, struct store_err *err);
    int (*get_key2)(struct store *s, const char *kind, const char *key2, struct arena *a,
                    struct store_obj *out, struct store_err *err);
    int (*del)(struct store *s, const struct store_scope *sc, const char *id,
               struct store_err *err);
    int (*del_children)(struct store *s, const struct store_scope *sc, const char *parent,
                        int64_t *deleted, struct store_err *err);
    int (*count)(struct store *s, const struct store_scope *sc, const char *parent, int64_t *count,
                 struct store_err *err);
    int (*count_kinds)(struct store *s, struct arena *a, struct store_kind_count **out,
                       size_t *count, struct store_err *err);
    // Fills out->items/count/truncated and *last_sort (the sort key of the last item, in a).
    int (*list)(struct store *s, const struct store_scope *sc, const struct store_list_query *q,
                struct arena *a, struct store_list *out, const char **last_sort,
                struct store_err *err);
    int (*begin)(struct store *s, bool write, struct store_err *err);
    int (*commit)(struct store *s, struct store_err *err);
    void (*rollback)(struct store *s);
    int (*check)(struct store *s, struct store_err *err);
};

// The head of every backend's store object.
struct store_cache;

struct store {
    const struct store_ops *ops;
    uint64_t generation;       // bumped after every committed write (see store_generation)
    struct store_cache *cache; // recently read objects (store.c); NULL when disabled
};

// Opens the SQLite backend (store_sqlite.c); store_open calls it after checking opts.
int store_sqlite_open(const struct store_opts *opts, struct store **out, struct store_err *err);

// Fills err (when not NULL) with a printf-style message and returns rc, so that a failing
// function can `return store_fail(err, SB_EIO, ...)`.
int store_fail(struct store_err *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
