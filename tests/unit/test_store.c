// SPDX-License-Identifier: Apache-2.0
// Tests of the storage interface (src/store/) against the contracts in store.h, on the SQLite
// backend in temporary directories under /tmp: CRUD, unique names (case-sensitive and IAM-style
// case-insensitive), key2 lookups across accounts, listings with markers, limits and filters,
// counts, transactions, concurrent threads, reopening, and the refusal, without any change to the
// file, of newer schemas, foreign SQLite files, garbage and damaged databases.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"
#include "store/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fix {
    char root[64];   // mkdtemp directory, removed at teardown
    char dir[96];    // the data directory inside it
    char db[128];    // dir/sagebox.db
    struct store *s; // open store
    struct arena a;
};

static void rm_rf(const char *path)
{
    DIR *d = opendir(path);
    if (d != NULL) {
        struct dirent *e = readdir(d);
        while (e != NULL) {
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                char sub[512];
                snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
                rm_rf(sub);
            }
            e = readdir(d);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static struct store *open_dir(const char *dir, int *rc, struct store_err *err)
{
    struct store_opts o = {.data_dir = dir, .version = "0.1.0-test"};
    struct store *s = NULL;
    *rc = store_open(&o, &s, err);
    return s;
}

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof(*f));
    snprintf(f->root, sizeof(f->root), "/tmp/sbstore-XXXXXX");
    assert_non_null(mkdtemp(f->root));
    snprintf(f->dir, sizeof(f->dir), "%s/data", f->root);
    snprintf(f->db, sizeof(f->db), "%s/sagebox.db", f->dir);
    int rc = 0;
    struct store_err err = {{0}};
    f->s = open_dir(f->dir, &rc, &err);
    if (rc != 0) {
        fprintf(stderr, "store_open: %s\n", err.msg);
    }
    assert_int_equal(rc, 0);
    arena_init(&f->a, NULL, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    store_close(f->s);
    arena_release(&f->a);
    rm_rf(f->root);
    free(f);
    return 0;
}

static const struct store_scope users = {"111122223333", "", "iam.user", true};
static const struct store_scope keys = {"111122223333", "", "iam.access_key", false};
static const struct store_scope buckets = {"111122223333", "us-east-1", "s3.bucket", false};

// An object of the users scope; doc is a small JSON text naming it.
static struct store_obj user(const char *id, const char *name, const char *path, char *doc,
                             size_t doc_cap)
{
    snprintf(doc, doc_cap, "{\"UserName\":\"%s\",\"UserId\":\"%s\"}", name ? name : "", id);
    return (struct store_obj){
        .account = users.account,
        .region = users.region,
        .kind = users.kind,
        .id = id,
        .name = name,
        .name_ci = true,
        .path = path,
        .doc = doc,
        .doc_len = strlen(doc),
    };
}

static void test_crud(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    char doc[128];
    struct store_obj o = user("AIDAEXAMPLE1", "Ana", "/eng/", doc, sizeof(doc));
    assert_int_equal(store_put(f->s, &o, STORE_CREATE, &err), 0);
    assert_int_equal(store_put(f->s, &o, STORE_CREATE, &err), SB_EEXISTS);
    o.name = NULL;
    assert_int_equal(store_put(f->s, &o, STORE_CREATE, &err), SB_EEXISTS);
    assert_non_null(strstr(err.msg, "'AIDAEXAMPLE1' exists"));
    o.name = "Ana";

    struct store_obj g;
    assert_int_equal(store_get(f->s, &users, "AIDAEXAMPLE1", &f->a, &g, &err), 0);
    assert_string_equal(g.account, "111122223333");
    assert_string_equal(g.region, "");
    assert_string_equal(g.kind, "iam.user");
    assert_string_equal(g.id, "AIDAEXAMPLE1");
    assert_string_equal(g.name, "Ana");
    assert_true(g.name_ci);
    assert_string_equal(g.path, "/eng/");
    assert_null(g.parent);
    assert_null(g.key2);
    assert_int_equal(g.doc_len, strlen(doc));
    assert_string_equal(g.doc, doc);
    assert_int_equal(store_get(f->s, &users, "AIDAEXAMPLE1", NULL, NULL, &err), 0);

    // Replace changes the document and the indexed fields; a missing id is not created.
    o.doc = "{\"v\":2}";
    o.doc_len = 7;
    o.path = "/ops/";
    assert_int_equal(store_put(f->s, &o, STORE_REPLACE, &err), 0);
    assert_int_equal(store_get(f->s, &users, "AIDAEXAMPLE1", &f->a, &g, &err), 0);
    assert_string_equal(g.doc, "{\"v\":2}");
    assert_string_equal(g.path, "/ops/");
    struct store_obj missing = user("AIDAMISSING", "Zed", NULL, doc, sizeof(doc));
    assert_int_equal(store_put(f->s, &missing, STORE_REPLACE, &err), SB_ENOTFOUND);
    assert_int_equal(store_get(f->s, &users, "AIDAMISSING", NULL, NULL, &err), SB_ENOTFOUND);

    // Upsert creates, then replaces.
    assert_int_equal(store_put(f->s, &missing, STORE_UPSERT, &err), 0);
    missing.doc = "{}";
    missing.doc_len = 2;
    assert_int_equal(store_put(f->s, &missing, STORE_UPSERT, &err), 0);
    assert_int_equal(store_get(f->s, &users, "AIDAMISSING", &f->a, &g, &err), 0);
    assert_string_equal(g.doc, "{}");

    // The same id in another account, region or kind is another object.
    struct store_obj other = o;
    other.account = "444455556666";
    assert_int_equal(store_put(f->s, &other, STORE_CREATE, &err), 0);
    other.account = o.account;
    other.kind = "iam.role";
    assert_int_equal(store_put(f->s, &other, STORE_CREATE, &err), 0);

    assert_int_equal(store_delete(f->s, &users, "AIDAEXAMPLE1", &err), 0);
    assert_int_equal(store_delete(f->s, &users, "AIDAEXAMPLE1", &err), SB_ENOTFOUND);
    assert_int_equal(store_get(f->s, &users, "AIDAEXAMPLE1", &f->a, &g, &err), SB_ENOTFOUND);
    struct store_scope roles = users;
    roles.kind = "iam.role";
    assert_int_equal(store_get(f->s, &roles, "AIDAEXAMPLE1", NULL, NULL, &err), 0);

    // Documents are stored byte for byte, whatever their size.
    struct buf big = BUF_INIT;
    for (int i = 0; i < 5000; i++) {
        buf_printf(&big, "%d,", i);
    }
    struct store_obj b = {.account = "111122223333",
                          .region = "us-east-1",
                          .kind = "s3.bucket",
                          .id = "big",
                          .doc = big.data,
                          .doc_len = big.len};
    assert_int_equal(store_put(f->s, &b, STORE_CREATE, &err), 0);
    assert_int_equal(store_get(f->s, &buckets, "big", &f->a, &g, &err), 0);
    assert_int_equal(g.doc_len, big.len);
    assert_memory_equal(g.doc, big.data, big.len);
    buf_free(&big);
}

static void test_invalid(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    char doc[128];
    struct store_obj o = user("AIDAX", "X", NULL, doc, sizeof(doc));
    o.id = "";
    assert_int_equal(store_put(f->s, &o, STORE_CREATE, &err), SB_EINVAL);
    o.id = "AIDAX";
    o.name = "";
    assert_int_equal(store_put(f->s, &o, STORE_CREATE, &err), SB_EINVAL);
    o.name = "X";
    o.doc = NULL;
    assert_int_equal(store_put(f->s, &o, STORE_CREATE, &err), SB_EINVAL);
    o.doc = doc;
    o.account = NULL;
    assert_int_equal(store_put(f->s, &o, STORE_CREATE, &err), SB_EINVAL);
    struct store_scope bad = {NULL, "", "iam.user", false};
    assert_int_equal(store_get(f->s, &bad, "AIDAX", NULL, NULL, &err), SB_EINVAL);
    struct store_obj g;
    assert_int_equal(store_get(f->s, &users, "AIDAX", NULL, &g, &err), SB_EINVAL);
    assert_int_equal(store_get_by_key2(f->s, "", "k", NULL, NULL, &err), SB_EINVAL);
    assert_int_equal(store_commit(f->s, &err), SB_EINVAL);
    store_rollback(f->s); // without a transaction: nothing happens
    assert_string_equal(store_strerror(SB_EEXISTS), "already exists");
    assert_string_equal(store_strerror(0), "ok");
}

static void test_names(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    char d1[128];
    char d2[128];
    struct store_obj bob = user("AIDABOB", "Bob", "/", d1, sizeof(d1));
    assert_int_equal(store_put(f->s, &bob, STORE_CREATE, &err), 0);
    // IAM names are unique regardless of case.
    struct store_obj bob2 = user("AIDABOB2", "BOB", "/", d2, sizeof(d2));
    assert_int_equal(store_put(f->s, &bob2, STORE_CREATE, &err), SB_EEXISTS);
    assert_non_null(strstr(err.msg, "name 'BOB' is taken"));
    assert_int_equal(store_put(f->s, &bob2, STORE_UPSERT, &err), SB_EEXISTS);
    assert_int_equal(store_get(f->s, &users, "AIDABOB2", NULL, NULL, &err), SB_ENOTFOUND);

    struct store_obj g;
    assert_int_equal(store_get_by_name(f->s, &users, "bOB", &f->a, &g, &err), 0);
    assert_string_equal(g.id, "AIDABOB");
    assert_string_equal(g.name, "Bob"); // the name keeps the case it was created with
    assert_int_equal(store_get_by_name(f->s, &users, "Alice", &f->a, &g, &err), SB_ENOTFOUND);

    // A case-sensitive kind: names differing in case are distinct; lookups are exact.
    struct store_obj b1 = {.account = "111122223333",
                           .region = "us-east-1",
                           .kind = "s3.bucket",
                           .id = "b1",
                           .name = "Data",
                           .doc = "{}",
                           .doc_len = 2};
    struct store_obj b2 = b1;
    b2.id = "b2";
    b2.name = "data";
    assert_int_equal(store_put(f->s, &b1, STORE_CREATE, &err), 0);
    assert_int_equal(store_put(f->s, &b2, STORE_CREATE, &err), 0);
    assert_int_equal(store_get_by_name(f->s, &buckets, "data", &f->a, &g, &err), 0);
    assert_string_equal(g.id, "b2");
    assert_false(g.name_ci);
    assert_int_equal(store_get_by_name(f->s, &buckets, "DATA", &f->a, &g, &err), SB_ENOTFOUND);

    // The same name in another account or region is free.
    bob2.account = "444455556666";
    assert_int_equal(store_put(f->s, &bob2, STORE_CREATE, &err), 0);
    b2.region = "eu-west-1";
    assert_int_equal(store_put(f->s, &b2, STORE_CREATE, &err), 0);

    // Renaming frees the old name and takes the new one; renaming onto a taken name fails.
    bob.name = "Robert";
    assert_int_equal(store_put(f->s, &bob, STORE_REPLACE, &err), 0);
    assert_int_equal(store_get_by_name(f->s, &users, "bob", &f->a, &g, &err), SB_ENOTFOUND);
    assert_int_equal(store_get_by_name(f->s, &users, "ROBERT", &f->a, &g, &err), 0);
    struct store_obj carol = user("AIDACAROL", "Carol", "/", d2, sizeof(d2));
    assert_int_equal(store_put(f->s, &carol, STORE_CREATE, &err), 0);
    carol.name = "robert";
    assert_int_equal(store_put(f->s, &carol, STORE_REPLACE, &err), SB_EEXISTS);
    assert_int_equal(store_get_by_name(f->s, &users, "carol", &f->a, &g, &err), 0);
    // After deletion the name can be taken again.
    assert_int_equal(store_delete(f->s, &users, "AIDABOB", &err), 0);
    assert_int_equal(store_put(f->s, &carol, STORE_REPLACE, &err), 0);

    // Unnamed objects don't collide with each other.
    struct store_obj k1 = {.account = keys.account,
                           .region = "",
                           .kind = keys.kind,
                           .id = "k1",
                           .doc = "{}",
                           .doc_len = 2};
    struct store_obj k2 = k1;
    k2.id = "k2";
    assert_int_equal(store_put(f->s, &k1, STORE_CREATE, &err), 0);
    assert_int_equal(store_put(f->s, &k2, STORE_CREATE, &err), 0);
}

static void test_key2(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    struct store_obj k = {.account = "111122223333",
                          .region = "",
                          .kind = "iam.access_key",
                          .id = "AKIAEXAMPLE000000001",
                          .parent = "AIDAANA",
                          .key2 = "AKIAEXAMPLE000000001",
                          .doc = "{\"secret\":\"s1\"}",
                          .doc_len = 15};
    assert_int_equal(store_put(f->s, &k, STORE_CREATE, &err), 0);
    struct store_obj s = {.account = "444455556666",
                          .region = "",
                          .kind = "sts.session",
                          .id = "ASIAEXAMPLE000000002",
                          .key2 = "ASIAEXAMPLE000000002",
                          .doc = "{}",
                          .doc_len = 2};
    assert_int_equal(store_put(f->s, &s, STORE_CREATE, &err), 0);

    // Found without knowing the account, in a given kind or in any kind.
    struct store_obj g;
    assert_int_equal(
        store_get_by_key2(f->s, "iam.access_key", "AKIAEXAMPLE000000001", &f->a, &g, &err), 0);
    assert_string_equal(g.account, "111122223333");
    assert_string_equal(g.parent, "AIDAANA");
    assert_string_equal(g.doc, "{\"secret\":\"s1\"}");
    assert_int_equal(store_get_by_key2(f->s, NULL, "ASIAEXAMPLE000000002", &f->a, &g, &err), 0);
    assert_string_equal(g.account, "444455556666");
    assert_string_equal(g.kind, "sts.session");
    assert_int_equal(
        store_get_by_key2(f->s, "iam.access_key", "ASIAEXAMPLE000000002", &f->a, &g, &err),
        SB_ENOTFOUND);
    assert_int_equal(store_get_by_key2(f->s, NULL, "AKIANOPE", NULL, NULL, &err), SB_ENOTFOUND);

    // key2 is unique per kind across accounts.
    struct store_obj dup = k;
    dup.account = "999999999999";
    assert_int_equal(store_put(f->s, &dup, STORE_CREATE, &err), SB_EEXISTS);
    assert_non_null(strstr(err.msg, "key2"));
    dup.kind = "other.kind";
    assert_int_equal(store_put(f->s, &dup, STORE_CREATE, &err), 0);
}

// Creates n users "user-NN" (ids AIDA-NN), paths alternating between /eng/ and /ops/, each
// user's keys as children; returns nothing, asserts success.
static void make_users(struct fix *f, int n)
{
    struct store_err err = {{0}};
    for (int i = 0; i < n; i++) {
        char id[32];
        char name[32];
        char doc[128];
        snprintf(id, sizeof(id), "AIDA-%02d", i);
        snprintf(name, sizeof(name), "%s-%02d", i % 3 == 0 ? "User" : "user", i);
        struct store_obj o = user(id, name, i % 2 ? "/ops/" : "/eng/team/", doc, sizeof(doc));
        assert_int_equal(store_put(f->s, &o, STORE_CREATE, &err), 0);
        for (int k = 0; k < i % 3; k++) {
            char kid[32];
            snprintf(kid, sizeof(kid), "AKIA-%02d-%d", i, k);
            struct store_obj ko = {.account = keys.account,
                                   .region = "",
                                   .kind = keys.kind,
                                   .id = kid,
                                   .parent = id,
                                   .doc = "{}",
                                   .doc_len = 2};
            assert_int_equal(store_put(f->s, &ko, STORE_CREATE, &err), 0);
        }
    }
}

static void test_list(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    make_users(f, 25);

    // Pages of 10, 10 and 5, in name order (case-folded), each marker continuing the last.
    struct store_list_opts lo = {.limit = 10};
    struct store_list l;
    int seen = 0;
    for (int page = 0; page < 3; page++) {
        assert_int_equal(store_list(f->s, &users, &lo, &f->a, &l, &err), 0);
        assert_int_equal(l.count, page < 2 ? 10 : 5);
        assert_int_equal(l.truncated, page < 2);
        for (size_t i = 0; i < l.count; i++) {
            char want[32];
            snprintf(want, sizeof(want), "AIDA-%02d", seen++);
            assert_string_equal(l.items[i].id, want);
        }
        if (page < 2) {
            assert_non_null(l.next_marker);
            // Printable ASCII and short enough for IAM's markerType (1..320 characters).
            assert_true(strlen(l.next_marker) >= 1 && strlen(l.next_marker) <= 320);
            for (const char *p = l.next_marker; *p; p++) {
                assert_true(*p > ' ' && *p < 0x7f);
            }
        } else {
            assert_null(l.next_marker);
        }
        lo.marker = l.next_marker;
    }
    assert_int_equal(seen, 25);

    // Exactly limit objects: not truncated.
    lo = (struct store_list_opts){.limit = 25};
    assert_int_equal(store_list(f->s, &users, &lo, &f->a, &l, &err), 0);
    assert_int_equal(l.count, 25);
    assert_false(l.truncated);
    lo.limit = 0; // the default, 100
    assert_int_equal(store_list(f->s, &users, &lo, &f->a, &l, &err), 0);
    assert_int_equal(l.count, 25);

    // A marker stays valid when the object it points after is deleted.
    lo = (struct store_list_opts){.limit = 3};
    assert_int_equal(store_list(f->s, &users, &lo, &f->a, &l, &err), 0);
    assert_string_equal(l.items[2].id, "AIDA-02");
    assert_int_equal(store_delete(f->s, &users, "AIDA-02", &err), 0);
    lo.marker = l.next_marker;
    assert_int_equal(store_list(f->s, &users, &lo, &f->a, &l, &err), 0);
    assert_string_equal(l.items[0].id, "AIDA-03");

    // Path prefix.
    lo = (struct store_list_opts){.path_prefix = "/eng/", .limit = 100};
    assert_int_equal(store_list(f->s, &users, &lo, &f->a, &l, &err), 0);
    assert_int_equal(l.count, 12); // 13 even numbers, minus the deleted 02
    for (size_t i = 0; i < l.count; i++) {
        assert_int_equal(strncmp(l.items[i].path, "/eng/", 5), 0);
    }
    lo.path_prefix = "/eng/team/";
    assert_int_equal(store_list(f->s, &users, &lo, &f->a, &l, &err), 0);
    assert_int_equal(l.count, 12);
    lo.path_prefix = "/eng/teams";
    assert_int_equal(store_list(f->s, &users, &lo, &f->a, &l, &err), 0);
    assert_int_equal(l.count, 0);
    lo.path_prefix = "/"; // every path
    assert_int_equal(store_list(f->s, &users, &lo, &f->a, &l, &err), 0);
    assert_int_equal(l.count, 24);

    // Path prefix with pagination.
    lo = (struct store_list_opts){.path_prefix = "/ops/", .limit = 5};
    int ops = 0;
    do {
        assert_int_equal(store_list(f->s, &users, &lo, &f->a, &l, &err), 0);
        ops += (int)l.count;
        lo.marker = l.next_marker;
    } while (l.truncated);
    assert_int_equal(ops, 12);

    // Name prefix, case-insensitive in a name_ci scope.
    lo = (struct store_list_opts){.name_prefix = "USER-1", .limit = 100};
    assert_int_equal(store_list(f->s, &users, &lo, &f->a, &l, &err), 0);
    assert_int_equal(l.count, 10);
    assert_string_equal(l.items[0].name, "user-10");
    assert_string_equal(l.items[2].name, "User-12");

    // Parent filter: the keys of one user.
    lo = (struct store_list_opts){.parent = "AIDA-05", .limit = 100};
    assert_int_equal(store_list(f->s, &keys, &lo, &f->a, &l, &err), 0);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.items[0].id, "AKIA-05-0");
    assert_string_equal(l.items[1].id, "AKIA-05-1");
    lo.parent = "AIDA-03";
    assert_int_equal(store_list(f->s, &keys, &lo, &f->a, &l, &err), 0);
    assert_int_equal(l.count, 0);

    // Other scopes are separate.
    struct store_scope other = users;
    other.account = "444455556666";
    lo = (struct store_list_opts){.limit = 100};
    assert_int_equal(store_list(f->s, &other, &lo, &f->a, &l, &err), 0);
    assert_int_equal(l.count, 0);
    assert_false(l.truncated);

    // Unnamed objects with long ids (an inline policy "UserId/PolicyName" of 150 characters) still
    // get markers under 320 characters.
    {
        const struct store_scope pols = {"111122223333", "", "iam.user_policy", false};
        char id[200];
        for (int k = 0; k < 3; k++) {
            snprintf(id, sizeof(id), "AIDAEXAMPLEEXAMPLE01/%d%0127d", k, 0);
            struct store_obj po = {.account = pols.account,
                                   .region = pols.region,
                                   .kind = pols.kind,
                                   .id = id,
                                   .parent = "AIDAEXAMPLEEXAMPLE01",
                                   .doc = "{}",
                                   .doc_len = 2};
            assert_int_equal(store_put(f->s, &po, STORE_CREATE, &err), 0);
        }
        struct store_list_opts po_lo = {.parent = "AIDAEXAMPLEEXAMPLE01", .limit = 1};
        size_t got = 0;
        do {
            assert_int_equal(store_list(f->s, &pols, &po_lo, &f->a, &l, &err), 0);
            got += l.count;
            assert_true(l.next_marker == NULL || strlen(l.next_marker) <= 320);
            po_lo.marker = l.next_marker;
        } while (l.truncated);
        assert_int_equal(got, 3);
    }

    // Bad markers and limits.
    const char *bad[] = {"",     "=",   "!x",   "x!",   "nobang", "a b!c",
                         "=~00", "=~4", "=~zz", "x!~0", "=a%b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lo.marker = bad[i];
        assert_int_equal(store_list(f->s, &users, &lo, &f->a, &l, &err), SB_EINVAL);
    }
    lo = (struct store_list_opts){.limit = STORE_LIST_MAX + 1};
    assert_int_equal(store_list(f->s, &users, &lo, &f->a, &l, &err), SB_EINVAL);
}

static void test_counts(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    make_users(f, 10);
    int64_t n = -1;
    assert_int_equal(store_count(f->s, &users, NULL, &n, &err), 0);
    assert_int_equal(n, 10);
    assert_int_equal(store_count(f->s, &keys, NULL, &n, &err), 0);
    assert_int_equal(n, 9); // 0+1+2 keys per three users: 0,1,2,0,1,2,0,1,2,0
    assert_int_equal(store_count(f->s, &keys, "AIDA-02", &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_count(f->s, &buckets, NULL, &n, &err), 0);
    assert_int_equal(n, 0);

    struct store_obj b = {.account = "999999999999",
                          .region = "eu-west-1",
                          .kind = "iam.user",
                          .id = "x",
                          .doc = "{}",
                          .doc_len = 2};
    assert_int_equal(store_put(f->s, &b, STORE_CREATE, &err), 0);
    struct store_kind_count *kc = NULL;
    size_t kn = 0;
    assert_int_equal(store_count_kinds(f->s, &f->a, &kc, &kn, &err), 0);
    assert_int_equal(kn, 2);
    assert_string_equal(kc[0].kind, "iam.access_key");
    assert_int_equal(kc[0].count, 9);
    assert_string_equal(kc[1].kind, "iam.user");
    assert_int_equal(kc[1].count, 11); // across accounts and regions

    // Deleting the children of a parent.
    int64_t del = -1;
    assert_int_equal(store_delete_children(f->s, &keys, "AIDA-02", &del, &err), 0);
    assert_int_equal(del, 2);
    assert_int_equal(store_delete_children(f->s, &keys, "AIDA-02", &del, &err), 0);
    assert_int_equal(del, 0);
    assert_int_equal(store_count(f->s, &keys, NULL, &n, &err), 0);
    assert_int_equal(n, 7);
}

static void test_txn(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    char d1[128];
    char d2[128];
    struct store_obj a = user("AIDATXA", "TxA", "/", d1, sizeof(d1));
    struct store_obj b = user("AIDATXB", "TxB", "/", d2, sizeof(d2));

    // Rolled back: nothing remains, not even what was read back inside the transaction.
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_begin(f->s, &err), SB_EINVAL); // no nesting
    assert_int_equal(store_put(f->s, &a, STORE_CREATE, &err), 0);
    assert_int_equal(store_put(f->s, &b, STORE_CREATE, &err), 0);
    assert_int_equal(store_get(f->s, &users, "AIDATXA", NULL, NULL, &err), 0);
    assert_int_equal(store_delete(f->s, &users, "AIDATXA", &err), 0);
    assert_int_equal(store_put(f->s, &a, STORE_CREATE, &err), 0);
    store_rollback(f->s);
    int64_t n = -1;
    assert_int_equal(store_count(f->s, &users, NULL, &n, &err), 0);
    assert_int_equal(n, 0);

    // Committed: everything is there. A failing write inside leaves the transaction usable.
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_put(f->s, &a, STORE_CREATE, &err), 0);
    struct store_obj dup = user("AIDATXC", "txa", "/", d2, sizeof(d2));
    assert_int_equal(store_put(f->s, &dup, STORE_CREATE, &err), SB_EEXISTS);
    assert_int_equal(store_put(f->s, &b, STORE_CREATE, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);
    assert_int_equal(store_commit(f->s, &err), SB_EINVAL);
    assert_int_equal(store_count(f->s, &users, NULL, &n, &err), 0);
    assert_int_equal(n, 2);

    // A rolled-back delete leaves the object.
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_delete(f->s, &users, "AIDATXA", &err), 0);
    store_rollback(f->s);
    assert_int_equal(store_get(f->s, &users, "AIDATXA", NULL, NULL, &err), 0);
}

struct put_arg {
    struct store *s;
    const struct store_obj *o;
    int rc;
};

static void *put_thread(void *p)
{
    struct put_arg *pa = p;
    pa->rc = store_put(pa->s, pa->o, STORE_CREATE, NULL);
    return NULL;
}

// A read-only transaction sees one snapshot: another thread's commit becomes visible only after
// it ends. Writes inside it are refused.
static void test_read_txn(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    char d1[128];
    char d2[128];
    struct store_obj a = user("AIDARA", "ReadA", "/", d1, sizeof(d1));
    struct store_obj b = user("AIDARB", "ReadB", "/", d2, sizeof(d2));
    assert_int_equal(store_put(f->s, &a, STORE_CREATE, &err), 0);

    assert_int_equal(store_begin_read(f->s, &err), 0);
    assert_int_equal(store_begin_read(f->s, &err), SB_EINVAL);
    assert_int_equal(store_begin(f->s, &err), SB_EINVAL);
    assert_int_equal(store_get(f->s, &users, "AIDARA", NULL, NULL, &err), 0);
    assert_int_equal(store_put(f->s, &b, STORE_CREATE, &err), SB_EINVAL);
    assert_int_equal(store_delete(f->s, &users, "AIDARA", &err), SB_EINVAL);
    pthread_t th;
    struct put_arg pa = {f->s, &b, -100};
    assert_int_equal(pthread_create(&th, NULL, put_thread, &pa), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(pa.rc, 0); // a reader never blocks a writer
    assert_int_equal(store_get(f->s, &users, "AIDARB", NULL, NULL, &err), SB_ENOTFOUND);
    assert_int_equal(store_commit(f->s, &err), 0);
    assert_int_equal(store_get(f->s, &users, "AIDARB", NULL, NULL, &err), 0);

    assert_int_equal(store_begin_read(f->s, &err), 0);
    store_rollback(f->s);
    assert_int_equal(store_delete(f->s, &users, "AIDARB", &err), 0);
}

// ---- Threads ----

#define THREADS     4
#define PER_THREAD  150
#define READERS     2
#define READER_REPS 300

struct worker {
    struct store *s;
    int n;
    int failures;
    char msg[512];
};

static void *writer(void *p)
{
    struct worker *w = p;
    struct store_err err = {{0}};
    for (int i = 0; i < PER_THREAD; i++) {
        char id[32];
        char doc[64];
        snprintf(id, sizeof(id), "t%d-%04d", w->n, i);
        snprintf(doc, sizeof(doc), "{\"n\":%d}", i);
        struct store_obj o = {.account = "111122223333",
                              .region = "us-east-1",
                              .kind = "thread.obj",
                              .id = id,
                              .name = id,
                              .doc = doc,
                              .doc_len = strlen(doc)};
        int rc = 0;
        if (i % 5 == 0) { // some writes in explicit transactions of two objects
            char id2[40];
            snprintf(id2, sizeof(id2), "%s-b", id);
            struct store_obj o2 = o;
            o2.id = id2;
            o2.name = id2;
            rc = store_begin(w->s, &err);
            if (rc == 0) {
                rc = store_put(w->s, &o, STORE_CREATE, &err);
            }
            if (rc == 0) {
                rc = store_put(w->s, &o2, STORE_CREATE, &err);
            }
            if (rc == 0) {
                rc = store_commit(w->s, &err);
            } else {
                store_rollback(w->s);
            }
        } else {
            rc = store_put(w->s, &o, STORE_CREATE, &err);
        }
        if (rc != 0) {
            w->failures++;
            memcpy(w->msg, err.msg, sizeof(w->msg));
        }
    }
    return NULL;
}

static void *reader(void *p)
{
    struct worker *w = p;
    struct store_err err = {{0}};
    struct store_scope sc = {"111122223333", "us-east-1", "thread.obj", false};
    for (int i = 0; i < READER_REPS; i++) {
        struct arena a;
        arena_init(&a, NULL, 0);
        struct store_list_opts lo = {.limit = 50};
        struct store_list l;
        int rc = store_list(w->s, &sc, &lo, &a, &l, &err);
        for (size_t k = 0; rc == 0 && k < l.count; k++) {
            struct store_obj g;
            rc = store_get_by_name(w->s, &sc, l.items[k].name, &a, &g, &err);
            if (rc == 0 && strcmp(g.doc, l.items[k].doc) != 0) {
                rc = SB_EIO;
            }
        }
        int64_t n = 0;
        if (rc == 0) {
            rc = store_count(w->s, &sc, NULL, &n, &err);
        }
        if (rc != 0) {
            w->failures++;
            memcpy(w->msg, err.msg, sizeof(w->msg));
        }
        arena_release(&a);
    }
    return NULL;
}

static void test_threads(void **state)
{
    struct fix *f = *state;
    pthread_t th[THREADS + READERS];
    struct worker w[THREADS + READERS];
    for (int i = 0; i < THREADS + READERS; i++) {
        w[i] = (struct worker){.s = f->s, .n = i};
        assert_int_equal(pthread_create(&th[i], NULL, i < THREADS ? writer : reader, &w[i]), 0);
    }
    for (int i = 0; i < THREADS + READERS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        if (w[i].failures != 0) {
            fprintf(stderr, "thread %d: %d failures, last: %s\n", i, w[i].failures, w[i].msg);
        }
        assert_int_equal(w[i].failures, 0);
    }
    struct store_scope sc = {"111122223333", "us-east-1", "thread.obj", false};
    int64_t n = 0;
    struct store_err err = {{0}};
    assert_int_equal(store_count(f->s, &sc, NULL, &n, &err), 0);
    assert_int_equal(n, THREADS * (PER_THREAD + PER_THREAD / 5));
    assert_int_equal(store_check(f->s, &err), 0);
}

// ---- Files on disk ----

static void test_reopen(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    make_users(f, 5);
    store_close(f->s);
    f->s = NULL;
    struct stat st;
    assert_int_equal(stat(f->dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    int rc = 0;
    f->s = open_dir(f->dir, &rc, &err);
    assert_int_equal(rc, 0);
    struct store_obj g;
    assert_int_equal(store_get_by_name(f->s, &users, "USER-03", &f->a, &g, &err), 0);
    assert_string_equal(g.id, "AIDA-03");
    int64_t n = 0;
    assert_int_equal(store_count(f->s, &keys, NULL, &n, &err), 0);
    assert_int_equal(n, 4); // 0, 1, 2, 0, 1 keys
    assert_int_equal(store_check(f->s, &err), 0);

    // Reopening with another version records it as the last writer.
    store_close(f->s);
    struct store_opts o = {.data_dir = f->dir, .version = "0.2.0", .sync = STORE_SYNC_FULL};
    assert_int_equal(store_open(&o, &f->s, &err), 0);
    store_close(f->s);
    f->s = NULL;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT (SELECT value FROM meta WHERE key='written_by'),"
                                        " (SELECT value FROM meta WHERE key='created_by')",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "0.2.0");
    assert_string_equal((const char *)sqlite3_column_text(q, 1), "0.1.0-test");
    sqlite3_finalize(q);
    sqlite3_close(db);
    f->s = open_dir(f->dir, &rc, &err);
    assert_int_equal(rc, 0);
}

static void test_create_dir(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    char path[160];
    snprintf(path, sizeof(path), "%s/file", f->root);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    int rc = 0;
    struct store *s = open_dir(path, &rc, &err); // a file where the directory should be
    assert_null(s);
    assert_int_equal(rc, SB_EIO);
    assert_non_null(strstr(err.msg, "not a directory"));
    snprintf(path, sizeof(path), "%s/no/such/parent", f->root);
    s = open_dir(path, &rc, &err);
    assert_null(s);
    assert_int_equal(rc, SB_EIO);
    assert_non_null(strstr(err.msg, "cannot create data directory"));
}

// A snapshot of a file's contents and modification time, and of the directory's entries.
struct snap {
    struct buf bytes;
    struct timespec mtime;
    struct buf entries;
};

static void take_snap(const char *dir, const char *file, struct snap *sn)
{
    *sn = (struct snap){BUF_INIT, {0, 0}, BUF_INIT};
    struct stat st;
    assert_int_equal(stat(file, &st), 0);
    sn->mtime = st.st_mtim;
    FILE *fp = fopen(file, "rb");
    assert_non_null(fp);
    char chunk[4096];
    size_t n = fread(chunk, 1, sizeof(chunk), fp);
    while (n > 0) {
        buf_append(&sn->bytes, chunk, n);
        n = fread(chunk, 1, sizeof(chunk), fp);
    }
    fclose(fp);
    struct dirent **names = NULL;
    int count = scandir(dir, &names, NULL, alphasort);
    assert_true(count >= 0);
    for (int i = 0; i < count; i++) {
        buf_printf(&sn->entries, "%s\n", names[i]->d_name);
        free(names[i]);
    }
    free(names);
}

// Asserts that dir and file are exactly as in the snapshot, and frees it.
static void assert_unchanged(const char *dir, const char *file, struct snap *before)
{
    struct snap after;
    take_snap(dir, file, &after);
    assert_int_equal(after.bytes.len, before->bytes.len);
    assert_memory_equal(after.bytes.data, before->bytes.data, before->bytes.len);
    assert_int_equal(after.mtime.tv_sec, before->mtime.tv_sec);
    assert_int_equal(after.mtime.tv_nsec, before->mtime.tv_nsec);
    assert_string_equal(buf_cstr(&after.entries), buf_cstr(&before->entries));
    buf_free(&after.bytes);
    buf_free(&after.entries);
    buf_free(&before->bytes);
    buf_free(&before->entries);
}

static void raw_exec(const char *file, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(file, &db), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, msg);
    }
    sqlite3_free(msg);
    assert_int_equal(rc, SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void test_newer_schema(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    make_users(f, 3);
    store_close(f->s);
    f->s = NULL;
    raw_exec(f->db, "UPDATE meta SET value='99' WHERE key='schema_version';"
                    "UPDATE meta SET value='9.9.9' WHERE key='written_by';");
    struct snap before;
    take_snap(f->dir, f->db, &before);
    int rc = 0;
    struct store *s = open_dir(f->dir, &rc, &err);
    assert_null(s);
    assert_int_equal(rc, SB_ESCHEMA);
    assert_non_null(strstr(err.msg, "schema version 99"));
    assert_non_null(strstr(err.msg, "sagebox 9.9.9"));
    assert_non_null(strstr(err.msg, "nothing was changed"));
    assert_unchanged(f->dir, f->db, &before);

    // The same with a WAL still present, as a killed newer sagebox leaves it: the main file is
    // not checkpointed by the refused open.
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE meta SET value='100' WHERE key='schema_version'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    take_snap(f->dir, f->db, &before);
    s = open_dir(f->dir, &rc, &err);
    assert_null(s);
    assert_int_equal(rc, SB_ESCHEMA);
    assert_non_null(strstr(err.msg, "schema version 100"));
    assert_unchanged(f->dir, f->db, &before);
    sqlite3_close(db);
}

static void test_foreign_sqlite(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    store_close(f->s);
    f->s = NULL;
    unlink(f->db);
    raw_exec(f->db, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT);"
                    "INSERT INTO accounts (owner) VALUES ('someone else');");
    struct snap before;
    take_snap(f->dir, f->db, &before);
    int rc = 0;
    struct store *s = open_dir(f->dir, &rc, &err);
    assert_null(s);
    assert_int_equal(rc, SB_ESCHEMA);
    assert_non_null(strstr(err.msg, "another application"));
    assert_unchanged(f->dir, f->db, &before);

    // Our application id but no meta table: still not a store.
    unlink(f->db);
    raw_exec(f->db, "PRAGMA application_id=1396854616; CREATE TABLE t (x);");
    take_snap(f->dir, f->db, &before);
    s = open_dir(f->dir, &rc, &err);
    assert_null(s);
    assert_int_equal(rc, SB_ESCHEMA);
    assert_non_null(strstr(err.msg, "no meta table"));
    assert_unchanged(f->dir, f->db, &before);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
}

static void test_garbage(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    store_close(f->s);
    f->s = NULL;
    const char *contents[] = {"", "hello, this is a text file\n"};
    for (int i = 0; i < 2; i++) {
        write_file(f->db, contents[i], strlen(contents[i]));
        struct snap before;
        take_snap(f->dir, f->db, &before);
        int rc = 0;
        struct store *s = open_dir(f->dir, &rc, &err);
        assert_null(s);
        assert_int_equal(rc, SB_ESCHEMA);
        assert_non_null(strstr(err.msg, "not an SQLite database"));
        assert_unchanged(f->dir, f->db, &before);
    }
}

// Overwrites len bytes at offset with a pattern.
static void scribble(const char *path, long offset, size_t len)
{
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    char *junk = malloc(len);
    for (size_t i = 0; i < len; i++) {
        junk[i] = (char)(0xa5 ^ (i * 31));
    }
    assert_int_equal(pwrite(fd, junk, len, offset), (ssize_t)len);
    free(junk);
    close(fd);
}

static void test_corrupt(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    make_users(f, 200);
    store_close(f->s);
    f->s = NULL;
    struct stat st;
    assert_int_equal(stat(f->db, &st), 0);
    assert_true(st.st_size > 8L * 4096);

    // A damaged page in the middle: open works (it reads only meta), the integrity check and
    // a full listing report the damage as SB_ECORRUPT, and nothing crashes.
    scribble(f->db, 4L * 4096, (size_t)5 * 4096); // pages 5 to 9: index and table pages
    int rc = 0;
    f->s = open_dir(f->dir, &rc, &err);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err.msg);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(store_check(f->s, &err), SB_ECORRUPT);
    assert_non_null(strstr(err.msg, "integrity"));
    struct store_list_opts lo = {.limit = 1000};
    struct store_list l;
    struct store_scope scopes[] = {users, keys};
    for (int i = 0; i < 2; i++) {
        int r = store_list(f->s, &scopes[i], &lo, &f->a, &l, &err);
        assert_true(r == 0 || r == SB_ECORRUPT);
    }
    store_close(f->s);
    f->s = NULL;

    // Every page after the header page damaged: the meta table is unreadable, open refuses.
    scribble(f->db, 4096, (size_t)st.st_size - 4096);
    f->s = open_dir(f->dir, &rc, &err);
    assert_null(f->s);
    assert_int_equal(rc, SB_ECORRUPT);
    assert_non_null(strstr(err.msg, "damaged"));
}

// The read cache (store.h): a committed write is visible to the next read, through the id, the
// name and key2; a write transaction reads its own writes; a read-only transaction changes no
// generation; the generation moves on every committed write.
// store_txn_state follows the calling thread's transaction, a pending read-only one included.
static void test_txn_state(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    assert_int_equal(store_txn_state(f->s), STORE_TXN_NONE);
    assert_int_equal(store_begin_read(f->s, &err), 0);
    assert_int_equal(store_txn_state(f->s), STORE_TXN_READ);
    assert_int_equal(store_commit(f->s, &err), 0);
    assert_int_equal(store_txn_state(f->s), STORE_TXN_NONE);
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_txn_state(f->s), STORE_TXN_WRITE);
    assert_int_not_equal(store_begin(f->s, &err), 0); // no nesting in the store itself
    store_rollback(f->s);
    assert_int_equal(store_txn_state(f->s), STORE_TXN_NONE);
}

static void test_read_cache(void **state)
{
    struct fix *f = *state;
    struct store_err err = {{0}};
    char doc[128];
    struct store_obj o = user("AIDACACHE1", "Cached", "/", doc, sizeof(doc));
    o.key2 = "AKIACACHE1";
    assert_int_equal(store_put(f->s, &o, STORE_CREATE, &err), 0);
    struct store_obj g;
    for (int i = 0; i < 2; i++) { // the second round is served from the cache
        assert_int_equal(store_get(f->s, &users, "AIDACACHE1", &f->a, &g, &err), 0);
        assert_string_equal(g.doc, doc);
        assert_int_equal(store_get_by_name(f->s, &users, "CACHED", &f->a, &g, &err), 0);
        assert_int_equal(store_get_by_key2(f->s, "iam.user", "AKIACACHE1", &f->a, &g, &err), 0);
    }
    uint64_t gen = store_generation(f->s);

    // Replace the document: every way of reading it sees the new one at once.
    char doc2[128];
    struct store_obj o2 = user("AIDACACHE1", "Cached", "/", doc2, sizeof(doc2));
    o2.key2 = "AKIACACHE1";
    snprintf(doc2, sizeof(doc2), "{\"v\":2}");
    o2.doc_len = strlen(doc2);
    assert_int_equal(store_put(f->s, &o2, STORE_REPLACE, &err), 0);
    assert_true(store_generation(f->s) > gen);
    assert_int_equal(store_get(f->s, &users, "AIDACACHE1", &f->a, &g, &err), 0);
    assert_string_equal(g.doc, "{\"v\":2}");
    assert_int_equal(store_get_by_name(f->s, &users, "cached", &f->a, &g, &err), 0);
    assert_string_equal(g.doc, "{\"v\":2}");
    assert_int_equal(store_get_by_key2(f->s, "iam.user", "AKIACACHE1", &f->a, &g, &err), 0);
    assert_string_equal(g.doc, "{\"v\":2}");

    // A write transaction reads its own uncommitted write; after a rollback the old one is back.
    assert_int_equal(store_begin(f->s, &err), 0);
    snprintf(doc2, sizeof(doc2), "{\"v\":3}");
    o2.doc_len = strlen(doc2);
    assert_int_equal(store_put(f->s, &o2, STORE_REPLACE, &err), 0);
    assert_int_equal(store_get(f->s, &users, "AIDACACHE1", &f->a, &g, &err), 0);
    assert_string_equal(g.doc, "{\"v\":3}");
    store_rollback(f->s);
    assert_int_equal(store_get(f->s, &users, "AIDACACHE1", &f->a, &g, &err), 0);
    assert_string_equal(g.doc, "{\"v\":2}");

    // Deleted: gone through every lookup.
    assert_int_equal(store_delete(f->s, &users, "AIDACACHE1", &err), 0);
    assert_int_equal(store_get(f->s, &users, "AIDACACHE1", &f->a, &g, &err), SB_ENOTFOUND);
    assert_int_equal(store_get_by_name(f->s, &users, "Cached", &f->a, &g, &err), SB_ENOTFOUND);
    assert_int_equal(store_get_by_key2(f->s, "iam.user", "AKIACACHE1", &f->a, &g, &err),
                     SB_ENOTFOUND);

    // A read-only transaction leaves the generation alone.
    gen = store_generation(f->s);
    assert_int_equal(store_begin_read(f->s, &err), 0);
    assert_int_equal(store_get(f->s, &users, "AIDACACHE1", &f->a, &g, &err), SB_ENOTFOUND);
    assert_int_equal(store_commit(f->s, &err), 0);
    assert_true(store_generation(f->s) == gen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_crud, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_txn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_sqlite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txn_state, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
