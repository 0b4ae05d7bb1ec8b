// SPDX-License-Identifier: Apache-2.0
// Crash test of the store's durability promise (store.h): a write acknowledged by a 0 return
// survives kill -9 of the process. run_store_crash.sh drives it.
//
//   store_crash write DIR TAG [normal|full]   writes numbered objects TAG-<i> forever, printing
//                                             "<i>\n" on stdout only after the write returned 0;
//                                             every 4th number is a transaction of two objects
//                                             plus an update of the object TAG-counter
//   store_crash verify DIR TAG FILE           reopens the store and checks that every number in
//                                             FILE is present with its document, that each
//                                             transaction is all or nothing, and that the
//                                             database passes its integrity check
#include "core/arena.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct store_scope scope = {"000000000000", "us-east-1", "crash.obj", false};

static struct store *open_store(const char *dir, enum store_sync sync)
{
    struct store_opts o = {.data_dir = dir, .version = "crash-test", .sync = sync};
    struct store *s = NULL;
    struct store_err err = {{0}};
    int rc = store_open(&o, &s, &err);
    if (rc != 0) {
        fprintf(stderr, "store_crash: open: %s (%s)\n", err.msg, store_strerror(rc));
        exit(2);
    }
    return s;
}

static int put(struct store *s, const char *id, int64_t n, enum store_put_mode mode,
               struct store_err *err)
{
    char doc[64];
    snprintf(doc, sizeof(doc), "{\"n\":%" PRId64 "}", n);
    struct store_obj o = {.account = scope.account,
                          .region = scope.region,
                          .kind = scope.kind,
                          .id = id,
                          .name = id,
                          .doc = doc,
                          .doc_len = strlen(doc)};
    return store_put(s, &o, mode, err);
}

static int write_loop(const char *dir, const char *tag, enum store_sync sync)
{
    struct store *s = open_store(dir, sync);
    struct store_err err = {{0}};
    char counter[64];
    snprintf(counter, sizeof(counter), "%s-counter", tag);
    for (int64_t i = 0;; i++) {
        char id[64];
        snprintf(id, sizeof(id), "%s-%" PRId64, tag, i);
        int rc = 0;
        if (i % 4 == 0) {
            char id2[80];
            snprintf(id2, sizeof(id2), "%s-b", id);
            rc = store_begin(s, &err);
            if (rc == 0) {
                rc = put(s, id, i, STORE_CREATE, &err);
            }
            if (rc == 0) {
                rc = put(s, id2, i, STORE_CREATE, &err);
            }
            if (rc == 0) {
                rc = put(s, counter, i, STORE_UPSERT, &err);
            }
            if (rc == 0) {
                rc = store_commit(s, &err);
            } else {
                store_rollback(s);
            }
        } else {
            rc = put(s, id, i, STORE_CREATE, &err);
        }
        if (rc != 0) {
            fprintf(stderr, "store_crash: write %s: %s\n", id, err.msg);
            store_close(s);
            return 1;
        }
        // The acknowledgement: one write(2), so that it is either wholly in FILE or absent.
        char line[32];
        int n = snprintf(line, sizeof(line), "%" PRId64 "\n", i);
        if (write(STDOUT_FILENO, line, (size_t)n) != n) {
            store_close(s);
            return 1;
        }
    }
}

// Returns the number stored in the object's document, or -1 when the object is absent.
static int64_t stored(struct store *s, const char *id, struct arena *a)
{
    struct store_obj o;
    struct store_err err = {{0}};
    int rc = store_get(s, &scope, id, a, &o, &err);
    if (rc == SB_ENOTFOUND) {
        return -1;
    }
    if (rc != 0) {
        fprintf(stderr, "store_crash: get %s: %s\n", id, err.msg);
        exit(2);
    }
    int64_t n = -2;
    if (sscanf(o.doc, "{\"n\":%" SCNd64 "}", &n) != 1) {
        fprintf(stderr, "store_crash: %s has a bad document: %s\n", id, o.doc);
        exit(2);
    }
    return n;
}

static int verify(const char *dir, const char *tag, const char *file)
{
    struct store *s = open_store(dir, STORE_SYNC_NORMAL);
    struct arena a;
    arena_init(&a, NULL, 0);
    int bad = 0;
    int64_t acked = 0;
    int64_t max_acked = -1;
    int64_t max_txn = -1;
    FILE *fp = fopen(file, "r");
    if (fp == NULL) {
        perror(file);
        exit(2);
    }
    char line[64];
    while (fgets(line, sizeof(line), fp) != NULL) {
        if (strchr(line, '\n') == NULL) {
            continue; // an incomplete line is not an acknowledgement
        }
        int64_t i = strtoll(line, NULL, 10);
        char id[64];
        snprintf(id, sizeof(id), "%s-%" PRId64, tag, i);
        if (stored(s, id, &a) != i) {
            fprintf(stderr, "store_crash: acknowledged %s is missing\n", id);
            bad++;
        }
        acked++;
        max_acked = i > max_acked ? i : max_acked;
        max_txn = i % 4 == 0 ? i : max_txn;
    }
    fclose(fp);
    // All or nothing for every transaction, including one committed but not yet acknowledged.
    for (int64_t i = 0; i <= max_acked + 4; i += 4) {
        char id[64];
        char id2[80];
        snprintf(id, sizeof(id), "%s-%" PRId64, tag, i);
        snprintf(id2, sizeof(id2), "%s-b", id);
        if ((stored(s, id, &a) < 0) != (stored(s, id2, &a) < 0)) {
            fprintf(stderr, "store_crash: transaction %s is half there\n", id);
            bad++;
        }
    }
    char counter[64];
    snprintf(counter, sizeof(counter), "%s-counter", tag);
    if (stored(s, counter, &a) < max_txn) {
        fprintf(stderr, "store_crash: %s is older than transaction %" PRId64 "\n", counter,
                max_txn);
        bad++;
    }
    struct store_err err = {{0}};
    int rc = store_check(s, &err);
    if (rc != 0) {
        fprintf(stderr, "store_crash: integrity: %s\n", err.msg);
        bad++;
    }
    printf("%s: %" PRId64 " acknowledged writes, %s; integrity_check %s\n", tag, acked,
           bad ? "SOME MISSING" : "all present", rc == 0 ? "ok" : "FAILED");
    arena_release(&a);
    store_close(s);
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "write") == 0) {
        bool full = argc >= 5 && strcmp(argv[4], "full") == 0;
        return write_loop(argv[2], argv[3], full ? STORE_SYNC_FULL : STORE_SYNC_NORMAL);
    }
    if (argc == 5 && strcmp(argv[1], "verify") == 0) {
        return verify(argv[2], argv[3], argv[4]);
    }
    fprintf(stderr, "usage: store_crash write DIR TAG [normal|full]\n"
                    "       store_crash verify DIR TAG FILE\n");
    return 2;
}
