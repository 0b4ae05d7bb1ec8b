// SPDX-License-Identifier: Apache-2.0
// The SQLite backend of the storage interface (store.h), and the only file that holds SQL.
//
// Files: <data_dir>/sagebox.db with its WAL (-wal, -shm). A new store is built in
// sagebox.db.init with a rollback journal, synced, then hard-linked into place, so that
// sagebox.db either does not exist or is a complete store (and link() never overwrites one that
// another process created meanwhile); it is then switched to WAL mode.
//
// Recognising a store without touching it: the header's application_id is "SBOX"; the meta table
// holds the format name, the schema version and the sagebox versions that created and last wrote
// it. An existing file is checked before anything opens it for writing: its 100-byte header is
// read directly, then meta is read through a read-only connection (immutable when no WAL exists,
// so that not even -wal/-shm files appear). Only then is the store opened read-write.
//
// Connections: one per thread, opened lazily (SQLITE_OPEN_NOMUTEX, since a connection never
// crosses threads), kept in thread-specific data and in a list owned by the store, closed by a
// thread-exit destructor or by store_close. Each caches its prepared statements. Every write runs
// inside BEGIN IMMEDIATE, either the caller's transaction or one of its own, so that the busy
// timeout applies to taking the write lock and a writer never fails on a stale snapshot.
//
// Durability: journal_mode=WAL. synchronous=NORMAL writes each commit to the WAL with write(2)
// before returning (the OS keeps it if the process dies) and fsyncs only at checkpoints;
// synchronous=FULL also fsyncs the WAL at every commit.
#include "store/store.h"

#include "core/arena.h"
#include "core/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DB_FILE     "sagebox.db"
#define INIT_SUFFIX ".init"
#define STORE_APPID 0x53424f58 // "SBOX", in the header at offset 68
#define FORMAT_NAME "sagebox-store"

// Listings by path (IAM path prefixes, an ENI's subnet): added after the first stores of
// version 1 were written, so it is also created, when missing, by the first write of a process
// (first_write). An index changes no data, so the schema version stays 1.
#define PATH_INDEX_SQL                                                                             \
    "CREATE INDEX IF NOT EXISTS obj_path ON obj(account, region, kind, path, sort_key, id)"        \
    " WHERE path IS NOT NULL;"

// The schema, version 1. Accounts and regions are columns of every row. sort_key is the name
// key (the name, ASCII-lowercased when name_ci) or, for unnamed objects, the id.
static const char schema_sql[] =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE obj ("
    " account TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,"
    " name TEXT, name_key TEXT, name_ci INTEGER NOT NULL DEFAULT 0, sort_key TEXT NOT NULL,"
    " parent TEXT, path TEXT, key2 TEXT, doc TEXT NOT NULL);"
    "CREATE UNIQUE INDEX obj_id ON obj(account, region, kind, id);"
    "CREATE UNIQUE INDEX obj_name ON obj(account, region, kind, name_key)"
    " WHERE name_key IS NOT NULL;"
    "CREATE INDEX obj_sort ON obj(account, region, kind, sort_key, id);"
    "CREATE INDEX obj_parent ON obj(account, region, kind, parent, sort_key, id)"
    " WHERE parent IS NOT NULL;"
    "CREATE UNIQUE INDEX obj_key2 ON obj(key2, kind) WHERE key2 IS NOT NULL;" PATH_INDEX_SQL;

// The columns every read returns, in the order fill_obj expects.
#define COLS "account, region, kind, id, name, name_ci, parent, path, key2, doc, sort_key"

enum stmt_id {
    ST_BEGIN,
    ST_BEGIN_READ,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_GET_ID,
    ST_GET_NAME,
    ST_GET_KEY2_KIND,
    ST_GET_KEY2_ANY,
    ST_INSERT,
    ST_UPDATE,
    ST_UPSERT,
    ST_DELETE,
    ST_DELETE_CHILDREN,
    ST_COUNT,
    ST_COUNT_PARENT,
    ST_COUNT_KINDS,
    ST_COUNT_,
};

// Writes bind ?1..?12 as account, region, kind, id, name, name_key, name_ci, sort_key, parent,
// path, key2, doc.
static const char *const stmt_sql[ST_COUNT_] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_BEGIN_READ] = "BEGIN DEFERRED",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_GET_ID] = "SELECT " COLS " FROM obj WHERE account=?1 AND region=?2 AND kind=?3 AND id=?4",
    [ST_GET_NAME] = "SELECT " COLS " FROM obj"
                    " WHERE account=?1 AND region=?2 AND kind=?3 AND name_key=?4",
    [ST_GET_KEY2_KIND] = "SELECT " COLS " FROM obj WHERE key2=?1 AND kind=?2",
    [ST_GET_KEY2_ANY] = "SELECT " COLS " FROM obj WHERE key2=?1 ORDER BY kind LIMIT 1",
    [ST_INSERT] = "INSERT INTO obj (account, region, kind, id, name, name_key, name_ci, sort_key,"
                  " parent, path, key2, doc) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
    [ST_UPDATE] = "UPDATE obj SET name=?5, name_key=?6, name_ci=?7, sort_key=?8, parent=?9,"
                  " path=?10, key2=?11, doc=?12"
                  " WHERE account=?1 AND region=?2 AND kind=?3 AND id=?4",
    [ST_UPSERT] = "INSERT INTO obj (account, region, kind, id, name, name_key, name_ci, sort_key,"
                  " parent, path, key2, doc) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)"
                  " ON CONFLICT (account, region, kind, id) DO UPDATE SET name=excluded.name,"
                  " name_key=excluded.name_key, name_ci=excluded.name_ci,"
                  " sort_key=excluded.sort_key, parent=excluded.parent, path=excluded.path,"
                  " key2=excluded.key2, doc=excluded.doc",
    [ST_DELETE] = "DELETE FROM obj WHERE account=?1 AND region=?2 AND kind=?3 AND id=?4",
    [ST_DELETE_CHILDREN] = "DELETE FROM obj"
                           " WHERE account=?1 AND region=?2 AND kind=?3 AND parent=?4",
    [ST_COUNT] = "SELECT count(*) FROM obj WHERE account=?1 AND region=?2 AND kind=?3",
    [ST_COUNT_PARENT] = "SELECT count(*) FROM obj"
                        " WHERE account=?1 AND region=?2 AND kind=?3 AND parent=?4",
    [ST_COUNT_KINDS] = "SELECT kind, count(*) FROM obj GROUP BY kind ORDER BY kind",
};

// List statements vary by which filters are present: one cached statement per combination.
enum {
    LIST_PARENT = 1,
    LIST_PATH = 2,
    LIST_SORT = 4,
    LIST_MARKER = 8,
    LIST_VARIANTS = 16,
};

struct sq;

enum txn {
    TXN_NONE,  // each call is its own transaction
    TXN_WRITE, // the caller's store_begin
    TXN_READ,  // the caller's store_begin_read
};

struct conn {
    sqlite3 *db;
    sqlite3_stmt *stmt[ST_COUNT_];
    sqlite3_stmt *list[LIST_VARIANTS];
    enum txn txn; // the transaction the caller opened, if any
    struct sq *owner;
    struct conn *prev;
    struct conn *next;
};

struct sq {
    struct store base; // first, so that a struct store * is a struct sq *
    char *db_path;
    bool sync_full;
    int busy_ms;
    int cache_kib;
    pthread_key_t key;  // this thread's struct conn
    bool has_key;       // key was created
    pthread_mutex_t mu; // guards conns
    struct conn *conns;
};

static struct sq *sq_of(struct store *s)
{
    return (struct sq *)(void *)s;
}

// Maps an SQLite result code to an SB_E* code.
static int map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return SB_EBUSY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return SB_ECORRUPT;
    case SQLITE_CONSTRAINT:
        return SB_EEXISTS;
    default:
        return SB_EIO;
    }
}

// Explains an SQLite failure in err and returns its SB_E* code (never 0).
static int db_fail(sqlite3 *db, int rc, struct store_err *err, const char *what)
{
    int code = map_rc(rc);
    store_fail(err, code, "store: %s: %s (sqlite %d)", what, sqlite3_errmsg(db), rc);
    return code;
}

static void conn_free(struct conn *c)
{
    for (int i = 0; i < ST_COUNT_; i++) {
        sqlite3_finalize(c->stmt[i]);
    }
    for (int i = 0; i < LIST_VARIANTS; i++) {
        sqlite3_finalize(c->list[i]);
    }
    // The last connection to close checkpoints the WAL into the main file and removes it.
    sqlite3_close_v2(c->db);
    free(c);
}

// Thread-exit destructor of the thread-specific connection.
static void conn_exit(void *p)
{
    struct conn *c = p;
    struct sq *q = c->owner;
    pthread_mutex_lock(&q->mu);
    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        q->conns = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    pthread_mutex_unlock(&q->mu);
    conn_free(c);
}

// Opens a read-write connection to the store's database with the per-connection settings.
static int conn_open(struct sq *q, struct conn **out, struct store_err *err)
{
    int rc = 0;
    struct conn *c = sb_xcalloc(1, sizeof(*c));
    c->owner = q;
    int src =
        sqlite3_open_v2(q->db_path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK) {
        rc = db_fail(c->db, src, err, "cannot open the database");
        goto out;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, q->busy_ms);
    char pragmas[160];
    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA synchronous=%s; PRAGMA cache_size=-%d; PRAGMA temp_store=MEMORY;",
             q->sync_full ? "FULL" : "NORMAL", q->cache_kib);
    src = sqlite3_exec(c->db, pragmas, NULL, NULL, NULL);
    if (src != SQLITE_OK) {
        rc = db_fail(c->db, src, err, "cannot configure the connection");
        goto out;
    }
out:
    if (rc != 0) {
        conn_free(c);
        c = NULL;
    }
    *out = c;
    return rc;
}

// Returns the calling thread's connection, opening it on first use.
static int get_conn(struct sq *q, struct conn **out, struct store_err *err)
{
    struct conn *c = pthread_getspecific(q->key);
    if (c != NULL) {
        *out = c;
        return 0;
    }
    int rc = conn_open(q, &c, err);
    if (rc != 0) {
        *out = NULL;
        return rc;
    }
    pthread_mutex_lock(&q->mu);
    c->next = q->conns;
    if (q->conns != NULL) {
        q->conns->prev = c;
    }
    q->conns = c;
    pthread_mutex_unlock(&q->mu);
    if (pthread_setspecific(q->key, c) != 0) {
        conn_exit(c);
        *out = NULL;
        store_fail(err, SB_EIO, "store: cannot keep the thread's connection");
        return SB_EIO;
    }
    *out = c;
    return 0;
}

// Returns the cached statement id of c, preparing it on first use; NULL on failure (err set).
static sqlite3_stmt *stmt(struct conn *c, enum stmt_id id, struct store_err *err)
{
    if (c->stmt[id] == NULL) {
        int src = sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                     &c->stmt[id], NULL);
        if (src != SQLITE_OK) {
            db_fail(c->db, src, err, "cannot prepare a statement");
            c->stmt[id] = NULL;
        }
    }
    return c->stmt[id];
}

// Binds a C string, or NULL as SQL NULL. The string must outlive the statement's next reset.
static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
    if (s == NULL) {
        sqlite3_bind_null(st, i);
    } else {
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    }
}

static void bind_scope(sqlite3_stmt *st, const struct store_scope *sc)
{
    bind_str(st, 1, sc->account);
    bind_str(st, 2, sc->region);
    bind_str(st, 3, sc->kind);
}

// Runs a statement that returns no rows (BEGIN, COMMIT, ROLLBACK) and resets it.
static int run_simple(struct conn *c, enum stmt_id id, struct store_err *err, const char *what)
{
    sqlite3_stmt *st = stmt(c, id, err);
    if (st == NULL) {
        return SB_EIO;
    }
    int src = sqlite3_step(st);
    int rc = src == SQLITE_DONE ? 0 : db_fail(c->db, src, err, what);
    sqlite3_reset(st);
    return rc;
}

// Makes sure a write runs in a transaction: the caller's, or a new one (*own set).
static int write_begin(struct conn *c, bool *own, struct store_err *err)
{
    *own = false;
    if (c->txn == TXN_WRITE) {
        return 0;
    }
    if (c->txn == TXN_READ) {
        return store_fail(err, SB_EINVAL, "store: a write inside a read-only transaction");
    }
    int rc = run_simple(c, ST_BEGIN, err, "cannot start a write transaction");
    if (rc == 0) {
        *own = true;
    }
    return rc;
}

// Ends a write begun by write_begin: commits its own transaction when rc is 0, otherwise rolls
// it back. A caller's transaction is left open. Returns the final result.
static int write_end(struct conn *c, bool own, int rc, struct store_err *err)
{
    if (!own) {
        return rc;
    }
    if (rc == 0) {
        rc = run_simple(c, ST_COMMIT, err, "cannot commit");
    }
    if (rc != 0 && !sqlite3_get_autocommit(c->db)) {
        run_simple(c, ST_ROLLBACK, NULL, "cannot roll back");
    }
    return rc;
}

static const char *col_str(sqlite3_stmt *st, int i, struct arena *a)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        return NULL;
    }
    const unsigned char *t = sqlite3_column_text(st, i);
    int n = sqlite3_column_bytes(st, i);
    if (t == NULL) {
        return arena_strndup(a, "", 0);
    }
    return arena_strndup(a, (const char *)t, (size_t)n);
}

// Copies the current row (columns COLS) into *o.
static void fill_obj(sqlite3_stmt *st, struct arena *a, struct store_obj *o)
{
    o->account = col_str(st, 0, a);
    o->region = col_str(st, 1, a);
    o->kind = col_str(st, 2, a);
    o->id = col_str(st, 3, a);
    o->name = col_str(st, 4, a);
    o->name_ci = sqlite3_column_int(st, 5) != 0;
    o->parent = col_str(st, 6, a);
    o->path = col_str(st, 7, a);
    o->key2 = col_str(st, 8, a);
    o->doc = col_str(st, 9, a);
    o->doc_len = (size_t)sqlite3_column_bytes(st, 9);
}

// Steps a single-row lookup: fills *out (when not NULL) and resets the statement.
static int fetch_one(struct conn *c, sqlite3_stmt *st, struct arena *a, struct store_obj *out,
                     struct store_err *err)
{
    int src = sqlite3_step(st);
    int rc = 0;
    if (src == SQLITE_ROW) {
        if (out != NULL) {
            fill_obj(st, a, out);
        }
    } else if (src == SQLITE_DONE) {
        rc = store_fail(err, SB_ENOTFOUND, "store: no such object");
    } else {
        rc = db_fail(c->db, src, err, "cannot read");
    }
    sqlite3_reset(st);
    return rc;
}

// Explains which unique index a failed write hit.
static int constraint_fail(struct conn *c, const struct store_obj *o, struct store_err *err)
{
    const char *m = sqlite3_errmsg(c->db);
    if (strstr(m, "name_key") != NULL) {
        return store_fail(err, SB_EEXISTS, "store: %s name '%s' is taken", o->kind, o->name);
    }
    if (strstr(m, "key2") != NULL) {
        return store_fail(err, SB_EEXISTS, "store: %s key2 '%s' is taken", o->kind, o->key2);
    }
    return store_fail(err, SB_EEXISTS, "store: %s '%s' exists", o->kind, o->id);
}

static int sq_put(struct store *s, const struct store_obj *o, const char *name_key,
                  const char *sort_key, enum store_put_mode mode, struct store_err *err)
{
    struct conn *c = NULL;
    bool own = false;
    if (o->doc_len > INT_MAX) {
        return store_fail(err, SB_EINVAL, "store: document too large");
    }
    int rc = get_conn(sq_of(s), &c, err);
    if (rc != 0) {
        return rc;
    }
    enum stmt_id id = mode == STORE_CREATE    ? ST_INSERT
                      : mode == STORE_REPLACE ? ST_UPDATE
                                              : ST_UPSERT;
    sqlite3_stmt *st = stmt(c, id, err);
    if (st == NULL) {
        return SB_EIO;
    }
    rc = write_begin(c, &own, err);
    if (rc != 0) {
        return rc;
    }
    bind_str(st, 1, o->account);
    bind_str(st, 2, o->region);
    bind_str(st, 3, o->kind);
    bind_str(st, 4, o->id);
    bind_str(st, 5, o->name);
    bind_str(st, 6, name_key);
    sqlite3_bind_int(st, 7, o->name != NULL && o->name_ci);
    bind_str(st, 8, sort_key);
    bind_str(st, 9, o->parent);
    bind_str(st, 10, o->path);
    bind_str(st, 11, o->key2);
    sqlite3_bind_text(st, 12, o->doc, (int)o->doc_len, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_DONE) {
        if (mode == STORE_REPLACE && sqlite3_changes(c->db) == 0) {
            rc = store_fail(err, SB_ENOTFOUND, "store: %s '%s' does not exist", o->kind, o->id);
        }
    } else if ((src & 0xff) == SQLITE_CONSTRAINT) {
        rc = constraint_fail(c, o, err);
    } else {
        rc = db_fail(c->db, src, err, "cannot write");
    }
    sqlite3_reset(st);
    return write_end(c, own, rc, err);
}

static int sq_get(struct store *s, const struct store_scope *sc, enum store_lookup by,
                  const char *key, struct arena *a, struct store_obj *out, struct store_err *err)
{
    struct conn *c = NULL;
    int rc = get_conn(sq_of(s), &c, err);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *st = stmt(c, by == STORE_BY_ID ? ST_GET_ID : ST_GET_NAME, err);
    if (st == NULL) {
        return SB_EIO;
    }
    bind_scope(st, sc);
    bind_str(st, 4, key);
    return fetch_one(c, st, a, out, err);
}

static int sq_get_key2(struct store *s, const char *kind, const char *key2, struct arena *a,
                       struct store_obj *out, struct store_err *err)
{
    struct conn *c = NULL;
    int rc = get_conn(sq_of(s), &c, err);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *st = stmt(c, kind != NULL ? ST_GET_KEY2_KIND : ST_GET_KEY2_ANY, err);
    if (st == NULL) {
        return SB_EIO;
    }
    bind_str(st, 1, key2);
    if (kind != NULL) {
        bind_str(st, 2, kind);
    }
    return fetch_one(c, st, a, out, err);
}

// Runs a DELETE bound to (scope, key) in a write transaction; *changes gets the rows deleted.
static int delete_where(struct store *s, enum stmt_id id, const struct store_scope *sc,
                        const char *key, int64_t *changes, struct store_err *err)
{
    struct conn *c = NULL;
    bool own = false;
    int rc = get_conn(sq_of(s), &c, err);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *st = stmt(c, id, err);
    if (st == NULL) {
        return SB_EIO;
    }
    rc = write_begin(c, &own, err);
    if (rc != 0) {
        return rc;
    }
    bind_scope(st, sc);
    bind_str(st, 4, key);
    int src = sqlite3_step(st);
    if (src == SQLITE_DONE) {
        *changes = sqlite3_changes64(c->db);
    } else {
        rc = db_fail(c->db, src, err, "cannot delete");
    }
    sqlite3_reset(st);
    return write_end(c, own, rc, err);
}

static int sq_del(struct store *s, const struct store_scope *sc, const char *id,
                  struct store_err *err)
{
    int64_t n = 0;
    int rc = delete_where(s, ST_DELETE, sc, id, &n, err);
    if (rc == 0 && n == 0) {
        rc = store_fail(err, SB_ENOTFOUND, "store: %s '%s' does not exist", sc->kind, id);
    }
    return rc;
}

static int sq_del_children(struct store *s, const struct store_scope *sc, const char *parent,
                           int64_t *deleted, struct store_err *err)
{
    return delete_where(s, ST_DELETE_CHILDREN, sc, parent, deleted, err);
}

static int sq_count(struct store *s, const struct store_scope *sc, const char *parent,
                    int64_t *count, struct store_err *err)
{
    struct conn *c = NULL;
    int rc = get_conn(sq_of(s), &c, err);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *st = stmt(c, parent != NULL ? ST_COUNT_PARENT : ST_COUNT, err);
    if (st == NULL) {
        return SB_EIO;
    }
    bind_scope(st, sc);
    if (parent != NULL) {
        bind_str(st, 4, parent);
    }
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *count = sqlite3_column_int64(st, 0);
    } else {
        rc = db_fail(c->db, src, err, "cannot count");
    }
    sqlite3_reset(st);
    return rc;
}

static int sq_count_kinds(struct store *s, struct arena *a, struct store_kind_count **out,
                          size_t *count, struct store_err *err)
{
    struct conn *c = NULL;
    int rc = get_conn(sq_of(s), &c, err);
    if (rc != 0) {
        return rc;
    }
    sqlite3_stmt *st = stmt(c, ST_COUNT_KINDS, err);
    if (st == NULL) {
        return SB_EIO;
    }
    size_t n = 0;
    size_t cap = 0;
    struct store_kind_count *v = NULL;
    int src = sqlite3_step(st);
    while (src == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct store_kind_count *w = arena_alloc(a, cap * sizeof(*w));
            if (n > 0) {
                memcpy(w, v, n * sizeof(*w));
            }
            v = w;
        }
        v[n].kind = col_str(st, 0, a);
        v[n].count = sqlite3_column_int64(st, 1);
        n++;
        src = sqlite3_step(st);
    }
    if (src != SQLITE_DONE) {
        rc = db_fail(c->db, src, err, "cannot count");
    } else {
        *out = v;
        *count = n;
    }
    sqlite3_reset(st);
    return rc;
}

// Returns the cached list statement for a combination of filters, preparing it on first use.
static sqlite3_stmt *list_stmt(struct conn *c, int variant, struct store_err *err)
{
    if (c->list[variant] != NULL) {
        return c->list[variant];
    }
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT " COLS " FROM obj WHERE account=?1 AND region=?2 AND kind=?3");
    if (variant & LIST_PARENT) {
        buf_puts(&sql, " AND parent=?4");
    }
    if (variant & LIST_PATH) {
        buf_puts(&sql, " AND path>=?5 AND path<?6");
    }
    if (variant & LIST_SORT) {
        buf_puts(&sql, " AND sort_key>=?7 AND sort_key<?8");
    }
    if (variant & LIST_MARKER) {
        buf_puts(&sql, " AND (sort_key, id) > (?9, ?10)");
    }
    buf_puts(&sql, " ORDER BY sort_key, id LIMIT ?11");
    int src = sqlite3_prepare_v3(c->db, buf_cstr(&sql), -1, SQLITE_PREPARE_PERSISTENT,
                                 &c->list[variant], NULL);
    if (src != SQLITE_OK) {
        db_fail(c->db, src, err, "cannot prepare a listing");
        c->list[variant] = NULL;
    }
    buf_free(&sql);
    return c->list[variant];
}

static int sq_list(struct store *s, const struct store_scope *sc, const struct store_list_query *q,
                   struct arena *a, struct store_list *out, const char **last_sort,
                   struct store_err *err)
{
    struct conn *c = NULL;
    *last_sort = NULL;
    if ((q->has_path && q->path_hi == NULL) || (q->has_sort_prefix && q->sort_hi == NULL)) {
        return 0; // a prefix no valid string can have
    }
    int rc = get_conn(sq_of(s), &c, err);
    if (rc != 0) {
        return rc;
    }
    int variant = (q->parent != NULL ? LIST_PARENT : 0) | (q->has_path ? LIST_PATH : 0) |
                  (q->has_sort_prefix ? LIST_SORT : 0) | (q->after_sort != NULL ? LIST_MARKER : 0);
    sqlite3_stmt *st = list_stmt(c, variant, err);
    if (st == NULL) {
        return SB_EIO;
    }
    bind_scope(st, sc);
    if (q->parent != NULL) {
        bind_str(st, 4, q->parent);
    }
    if (q->has_path) {
        bind_str(st, 5, q->path_lo);
        bind_str(st, 6, q->path_hi);
    }
    if (q->has_sort_prefix) {
        bind_str(st, 7, q->sort_lo);
        bind_str(st, 8, q->sort_hi);
    }
    if (q->after_sort != NULL) {
        bind_str(st, 9, q->after_sort);
        bind_str(st, 10, q->after_id);
    }
    // One row more than asked tells whether the listing is truncated.
    sqlite3_bind_int64(st, 11, (sqlite3_int64)q->limit + 1);
    out->items = arena_alloc(a, q->limit * sizeof(*out->items));
    out->count = 0;
    int src = sqlite3_step(st);
    while (src == SQLITE_ROW) {
        if (out->count == q->limit) {
            out->truncated = true;
            src = SQLITE_DONE;
            break;
        }
        fill_obj(st, a, &out->items[out->count]);
        *last_sort = col_str(st, 10, a);
        out->count++;
        src = sqlite3_step(st);
    }
    if (src != SQLITE_DONE) {
        rc = db_fail(c->db, src, err, "cannot list");
    }
    sqlite3_reset(st);
    return rc;
}

static int sq_begin(struct store *s, bool write, struct store_err *err)
{
    struct conn *c = NULL;
    int rc = get_conn(sq_of(s), &c, err);
    if (rc != 0) {
        return rc;
    }
    if (c->txn != TXN_NONE) {
        return store_fail(err, SB_EINVAL, "store: this thread already has a transaction");
    }
    rc = run_simple(c, write ? ST_BEGIN : ST_BEGIN_READ, err, "cannot start a transaction");
    if (rc == 0) {
        c->txn = write ? TXN_WRITE : TXN_READ;
    }
    return rc;
}

static int sq_commit(struct store *s, struct store_err *err)
{
    struct conn *c = pthread_getspecific(sq_of(s)->key);
    if (c == NULL || c->txn == TXN_NONE) {
        return store_fail(err, SB_EINVAL, "store: no transaction to commit");
    }
    c->txn = TXN_NONE;
    if (sqlite3_get_autocommit(c->db)) {
        // SQLite already rolled the transaction back after an earlier I/O or memory error.
        return store_fail(err, SB_EIO, "store: the transaction was rolled back by an error");
    }
    int rc = run_simple(c, ST_COMMIT, err, "cannot commit");
    if (rc != 0 && !sqlite3_get_autocommit(c->db)) {
        run_simple(c, ST_ROLLBACK, NULL, "cannot roll back");
    }
    return rc;
}

static void sq_rollback(struct store *s)
{
    struct conn *c = pthread_getspecific(sq_of(s)->key);
    if (c == NULL || c->txn == TXN_NONE) {
        return;
    }
    c->txn = TXN_NONE;
    if (!sqlite3_get_autocommit(c->db)) {
        run_simple(c, ST_ROLLBACK, NULL, "cannot roll back");
    }
}

static int sq_check(struct store *s, struct store_err *err)
{
    struct conn *c = NULL;
    sqlite3_stmt *st = NULL;
    int rc = get_conn(sq_of(s), &c, err);
    if (rc != 0) {
        return rc;
    }
    int src = sqlite3_prepare_v2(c->db, "PRAGMA integrity_check(1)", -1, &st, NULL);
    if (src != SQLITE_OK) {
        rc = db_fail(c->db, src, err, "cannot check the database");
        goto out;
    }
    src = sqlite3_step(st);
    if (src != SQLITE_ROW) {
        rc = db_fail(c->db, src, err, "cannot check the database");
        goto out;
    }
    const char *res = (const char *)sqlite3_column_text(st, 0);
    if (res == NULL || strcmp(res, "ok") != 0) {
        rc = store_fail(err, SB_ECORRUPT, "store: integrity check: %s", res ? res : "?");
    }
out:
    sqlite3_finalize(st);
    return rc;
}

static void sq_close(struct store *s)
{
    struct sq *q = sq_of(s);
    pthread_mutex_lock(&q->mu);
    if (q->has_key) {
        pthread_key_delete(q->key); // no destructor runs for this store after this
    }
    while (q->conns != NULL) {
        struct conn *c = q->conns;
        q->conns = c->next;
        conn_free(c);
    }
    pthread_mutex_unlock(&q->mu);
    pthread_mutex_destroy(&q->mu);
    free(q->db_path);
    free(q);
}

static const struct store_ops sqlite_ops = {
    .close = sq_close,
    .put = sq_put,
    .get = sq_get,
    .get_key2 = sq_get_key2,
    .del = sq_del,
    .del_children = sq_del_children,
    .count = sq_count,
    .count_kinds = sq_count_kinds,
    .list = sq_list,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .check = sq_check,
};

// ---- Creating and recognising a store ----

static int ensure_dir(const char *dir, struct store_err *err)
{
    if (mkdir(dir, 0700) == 0) {
        return 0;
    }
    if (errno != EEXIST) {
        return store_fail(err, SB_EIO, "cannot create data directory %s: %s", dir, strerror(errno));
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return store_fail(err, SB_EIO, "data directory %s exists and is not a directory", dir);
    }
    return 0;
}

// fsyncs a file or directory by name.
static int sync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    int r = fsync(fd);
    close(fd);
    return r;
}

// Builds a complete, empty store in path + ".init" and links it to path (see the file comment).
static int create_db(const char *dir, const char *path, const char *version, struct store_err *err)
{
    int rc = 0;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    struct buf tmp = BUF_INIT;
    struct buf tmp_journal = BUF_INIT;
    buf_printf(&tmp, "%s" INIT_SUFFIX, path);
    buf_printf(&tmp_journal, "%s" INIT_SUFFIX "-journal", path);
    unlink(buf_cstr(&tmp)); // left over by a creation that crashed; it never held data
    unlink(buf_cstr(&tmp_journal));
    int src =
        sqlite3_open_v2(buf_cstr(&tmp), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK) {
        rc = db_fail(db, src, err, "cannot create the database");
        goto out;
    }
    char head[200];
    snprintf(head, sizeof(head),
             "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; PRAGMA application_id=%d;"
             " PRAGMA user_version=%d; BEGIN;",
             STORE_APPID, STORE_SCHEMA_VERSION);
    src = sqlite3_exec(db, head, NULL, NULL, NULL);
    if (src == SQLITE_OK) {
        src = sqlite3_exec(db, schema_sql, NULL, NULL, NULL);
    }
    if (src == SQLITE_OK) {
        src = sqlite3_prepare_v2(db,
                                 "INSERT INTO meta (key, value) VALUES ('format', ?1),"
                                 " ('schema_version', ?2), ('created_by', ?3), ('written_by', ?3)",
                                 -1, &st, NULL);
    }
    if (src == SQLITE_OK) {
        sqlite3_bind_text(st, 1, FORMAT_NAME, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, STORE_SCHEMA_VERSION);
        sqlite3_bind_text(st, 3, version, -1, SQLITE_STATIC);
        src = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    }
    if (src == SQLITE_OK) {
        src = sqlite3_exec(db, "COMMIT; PRAGMA journal_mode=WAL;", NULL, NULL, NULL);
    }
    if (src != SQLITE_OK) {
        rc = db_fail(db, src, err, "cannot create the database");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    src = sqlite3_close(db);
    db = NULL;
    if (src != SQLITE_OK || sync_path(buf_cstr(&tmp), O_RDONLY) != 0) {
        rc = store_fail(err, SB_EIO, "cannot write %s: %s", buf_cstr(&tmp), strerror(errno));
        goto out;
    }
    if (link(buf_cstr(&tmp), path) != 0 && errno != EEXIST) {
        rc = store_fail(err, SB_EIO, "cannot create %s: %s", path, strerror(errno));
        goto out;
    }
    if (sync_path(dir, O_RDONLY | O_DIRECTORY) != 0) {
        rc = store_fail(err, SB_EIO, "cannot sync %s: %s", dir, strerror(errno));
        goto out;
    }
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    unlink(buf_cstr(&tmp));
    buf_free(&tmp);
    buf_free(&tmp_journal);
    return rc;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

// Reads the 100-byte database header directly and checks that it is a sagebox store's.
static int check_header(const char *path, struct store_err *err)
{
    unsigned char h[100];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return store_fail(err, SB_EIO, "cannot open %s: %s", path, strerror(errno));
    }
    ssize_t n = read(fd, h, sizeof(h));
    int e = errno;
    close(fd);
    if (n < 0) {
        return store_fail(err, SB_EIO, "cannot read %s: %s", path, strerror(e));
    }
    if (n < (ssize_t)sizeof(h) || memcmp(h, "SQLite format 3", 16) != 0) {
        return store_fail(err, SB_ESCHEMA,
                          "%s is not a sagebox store (not an SQLite database); refusing to use "
                          "it: move it away or choose another data directory",
                          path);
    }
    if (be32(h + 68) != STORE_APPID) {
        return store_fail(err, SB_ESCHEMA,
                          "%s is an SQLite database of another application, not a sagebox store; "
                          "refusing to use it: move it away or choose another data directory",
                          path);
    }
    return 0;
}

// Appends path to b escaped for an SQLite URI (%, ? and # are special there).
static void uri_path(struct buf *b, const char *path)
{
    for (const char *p = path; *p != '\0'; p++) {
        if (*p == '%' || *p == '?' || *p == '#') {
            buf_printf(b, "%%%02x", (unsigned char)*p);
        } else {
            buf_putc(b, *p);
        }
    }
}

// Reads the meta table through a read-only connection and checks format and schema version.
static int check_meta(const char *path, const char *version, struct store_err *err)
{
    int rc = 0;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    struct buf uri = BUF_INIT;
    struct buf wal = BUF_INIT;
    buf_printf(&wal, "%s-wal", path);
    // Without a WAL the main file holds everything and may be opened immutable: no lock, no -shm.
    bool immutable = access(buf_cstr(&wal), F_OK) != 0;
    buf_puts(&uri, "file:");
    uri_path(&uri, path);
    buf_puts(&uri, immutable ? "?immutable=1" : "?mode=ro");
    int src = sqlite3_open_v2(buf_cstr(&uri), &db,
                              SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    if (src == SQLITE_OK) {
        src = sqlite3_prepare_v2(db,
                                 "SELECT (SELECT value FROM meta WHERE key='format'),"
                                 " (SELECT value FROM meta WHERE key='schema_version'),"
                                 " (SELECT value FROM meta WHERE key='written_by')",
                                 -1, &st, NULL);
    }
    if (src == SQLITE_OK) {
        src = sqlite3_step(st);
    }
    if (src != SQLITE_ROW) {
        int code = map_rc(src);
        if (code == SB_ECORRUPT) {
            rc = store_fail(err, SB_ECORRUPT, "%s is damaged: %s", path, sqlite3_errmsg(db));
        } else if (strstr(sqlite3_errmsg(db), "no such table") != NULL) {
            rc = store_fail(err, SB_ESCHEMA, "%s is not a sagebox store (no meta table)", path);
        } else {
            rc = store_fail(err, code, "cannot read %s: %s", path, sqlite3_errmsg(db));
        }
        goto out;
    }
    const char *format = (const char *)sqlite3_column_text(st, 0);
    const char *schema = (const char *)sqlite3_column_text(st, 1);
    const char *writer = (const char *)sqlite3_column_text(st, 2);
    if (format == NULL || strcmp(format, FORMAT_NAME) != 0 || schema == NULL) {
        rc = store_fail(err, SB_ESCHEMA, "%s is not a sagebox store (unknown format)", path);
        goto out;
    }
    char *end = NULL;
    long v = strtol(schema, &end, 10);
    if (end == schema || *end != '\0' || v < 1) {
        rc = store_fail(err, SB_ESCHEMA, "%s has an unreadable schema version '%s'", path, schema);
        goto out;
    }
    if (v > STORE_SCHEMA_VERSION) {
        rc = store_fail(err, SB_ESCHEMA,
                        "%s has schema version %ld, written by sagebox %s; this sagebox %s reads "
                        "schema versions up to %d. Refusing to open it (nothing was changed): "
                        "use a newer sagebox or another data directory",
                        path, v, writer ? writer : "?", version, STORE_SCHEMA_VERSION);
        goto out;
    }
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    buf_free(&uri);
    buf_free(&wal);
    return rc;
}

// On the first read-write connection: makes sure WAL is on, re-checks the schema version under
// the write lock (another process may have upgraded the store meanwhile) and records this
// sagebox version as the last writer.
static int first_write(struct conn *c, const char *version, struct store_err *err)
{
    sqlite3_stmt *st = NULL;
    bool own = false;
    int src = sqlite3_exec(c->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (src != SQLITE_OK) {
        return db_fail(c->db, src, err, "cannot enable WAL");
    }
    int rc = write_begin(c, &own, err);
    if (rc != 0) {
        return rc;
    }
    src = sqlite3_prepare_v2(c->db, "SELECT value FROM meta WHERE key='schema_version'", -1, &st,
                             NULL);
    if (src == SQLITE_OK) {
        src = sqlite3_step(st);
    }
    if (src != SQLITE_ROW) {
        rc = db_fail(c->db, src, err, "cannot read the schema version");
        goto out;
    }
    if (sqlite3_column_int(st, 0) != STORE_SCHEMA_VERSION) {
        rc = store_fail(err, SB_ESCHEMA, "store: the schema version changed while opening");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    src = sqlite3_prepare_v2(c->db,
                             "UPDATE meta SET value=?1 WHERE key='written_by' AND value IS NOT ?1",
                             -1, &st, NULL);
    if (src == SQLITE_OK) {
        sqlite3_bind_text(st, 1, version, -1, SQLITE_STATIC);
        src = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(c->db);
    }
    if (src != SQLITE_OK) {
        rc = db_fail(c->db, src, err, "cannot record the version");
        goto out;
    }
    src = sqlite3_exec(c->db, PATH_INDEX_SQL, NULL, NULL, NULL);
    if (src != SQLITE_OK) {
        rc = db_fail(c->db, src, err, "cannot create the path index");
    }
out:
    sqlite3_finalize(st);
    return write_end(c, own, rc, err);
}

// Process-wide SQLite settings, applied once before SQLite's first use: no memory statistics,
// which would take a global mutex on every allocation of every connection.
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); // SQLITE_MISUSE if SQLite is already in use
}

// Opens (creating when absent) the SQLite store; see store.h.
int store_sqlite_open(const struct store_opts *opts, struct store **out, struct store_err *err)
{
    struct buf path = BUF_INIT;
    struct sq *q = NULL;
    struct conn *c = NULL;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_sqlite);
    *out = NULL;
    int rc = ensure_dir(opts->data_dir, err);
    if (rc != 0) {
        goto out;
    }
    buf_printf(&path, "%s/" DB_FILE, opts->data_dir);
    struct stat st;
    if (stat(buf_cstr(&path), &st) != 0) {
        if (errno != ENOENT) {
            rc = store_fail(err, SB_EIO, "cannot stat %s: %s", buf_cstr(&path), strerror(errno));
            goto out;
        }
        rc = create_db(opts->data_dir, buf_cstr(&path), opts->version, err);
        if (rc != 0) {
            goto out;
        }
    }
    rc = check_header(buf_cstr(&path), err);
    if (rc == 0) {
        rc = check_meta(buf_cstr(&path), opts->version, err);
    }
    if (rc != 0) {
        goto out;
    }
    q = sb_xcalloc(1, sizeof(*q));
    q->base.ops = &sqlite_ops;
    q->db_path = sb_xmalloc(path.len + 1);
    memcpy(q->db_path, buf_cstr(&path), path.len + 1);
    q->sync_full = opts->sync == STORE_SYNC_FULL;
    q->busy_ms = opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms : 5000;
    q->cache_kib = opts->cache_kib > 0 ? opts->cache_kib : 1024;
    pthread_mutex_init(&q->mu, NULL);
    if (pthread_key_create(&q->key, conn_exit) != 0) {
        rc = store_fail(err, SB_EIO, "store: no thread-specific key left");
        goto out;
    }
    q->has_key = true;
    rc = get_conn(q, &c, err);
    if (rc == 0) {
        rc = first_write(c, opts->version, err);
    }
out:
    if (rc != 0 && q != NULL) {
        sq_close(&q->base);
        q = NULL;
    }
    buf_free(&path);
    *out = q != NULL ? &q->base : NULL;
    return rc;
}
