// SPDX-License-Identifier: Apache-2.0
// A fixture for unit tests of service code on a real store: a fresh SQLite store in a temporary
// directory, the service environment over it (with a policy cache) and one svc_call whose caller
// is the root user of an account, in us-east-1. Header-only (static functions), included by the
// test files that need it after cmocka.h. Tests adjust what they need (call.now, call.ctx, ...)
// after fix_open; fix_close frees everything, the context included, and removes the directory.
#ifndef SAGEBOX_TEST_STORE_FIXTURE_H
#define SAGEBOX_TEST_STORE_FIXTURE_H

#include "core/arena.h"
#include "policy/policy.h"
#include "store/store.h"
#include "svc/policy_cache.h"
#include "svc/svc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct fix {
    char root[64];
    char dir[96];
    struct store *store;
    struct svc_env env;
    struct svc_caller caller;
    struct arena arena;
    struct svc_call call;
};

// Removes path and everything below it.
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

// Opens the fixture: tag names the temporary directory (/tmp/TAG-XXXXXX), account the caller's
// account (the caller is its root user), service and operation the call's.
static struct fix *fix_open(const char *tag, const char *account, const char *service,
                            const char *operation)
{
    struct fix *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    snprintf(f->root, sizeof(f->root), "/tmp/%s-XXXXXX", tag);
    assert_non_null(mkdtemp(f->root));
    snprintf(f->dir, sizeof(f->dir), "%s/data", f->root);
    struct store_opts o = {.data_dir = f->dir, .version = "0.1.0-test"};
    struct store_err err = {{0}};
    assert_int_equal(store_open(&o, &f->store, &err), 0);
    f->env.store = f->store;
    f->env.policies = policy_cache_new(64);
    f->env.partition = "aws";
    f->env.default_region = "us-east-1";
    f->env.data_dir = f->dir;
    snprintf(f->caller.account, sizeof(f->caller.account), "%s", account);
    snprintf(f->caller.arn, sizeof(f->caller.arn), "arn:aws:iam::%s:root", account);
    f->caller.principal.type = POLICY_PRINCIPAL_ROOT;
    f->caller.principal.arn = f->caller.arn;
    f->caller.principal.account = f->caller.account;
    arena_init(&f->arena, NULL, 0);
    f->call.env = &f->env;
    f->call.arena = &f->arena;
    f->call.request_id = "test";
    f->call.service = service;
    f->call.operation = operation;
    f->call.region = "us-east-1";
    f->call.caller = &f->caller;
    f->call.now = time(NULL);
    return f;
}

static void fix_close(struct fix *f)
{
    policy_context_free(f->call.ctx);
    arena_release(&f->arena);
    store_close(f->store);
    policy_cache_free(f->env.policies);
    rm_rf(f->root);
    free(f);
}

#endif
