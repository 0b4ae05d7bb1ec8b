// SPDX-License-Identifier: Apache-2.0
// The background task queue and its worker; see tasks.h.
#include "svc/tasks.h"

#include "core/arena.h"
#include "core/ids.h"
#include "core/jsonload.h"
#include "core/strjoin.h"
#include "svc/registry.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ATTEMPTS  5
#define RETRY_MS      1000
#define SCAN_LIMIT    64
#define IDLE_WAIT_MS  1000
#define QUICK_WAIT_MS 20

struct svc_tasks {
    const struct svc_env *env;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    int quick; // scans left at QUICK_WAIT_MS after a schedule (its commit may still be on the way)
};

// The running worker, woken by svc_task_schedule (one gateway per process serves requests).
static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct svc_tasks *current;

static const struct store_scope task_scope = {SVC_TASK_ACCOUNT, "", SVC_TASK_KIND, false};

static int64_t now_ms(const struct svc_env *env)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((int64_t)ts.tv_sec + env->clock_offset) * 1000 + ts.tv_nsec / 1000000;
}

// The task id for due time due_ms: 16 digits, '-', 16 hex digits (tasks.h).
static void task_id(int64_t due_ms, char out[40])
{
    unsigned char r[8];
    ids_random_bytes(r, sizeof(r));
    snprintf(out, 40, "%016lld-%02x%02x%02x%02x%02x%02x%02x%02x",
             (long long)(due_ms < 0 ? 0 : due_ms), r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}

static int64_t due_of(const char *id)
{
    return strtoll(id, NULL, 10);
}

static void wake_worker(void)
{
    pthread_mutex_lock(&current_lock);
    if (current != NULL) {
        pthread_mutex_lock(&current->lock);
        current->quick = 5;
        pthread_cond_signal(&current->wake);
        pthread_mutex_unlock(&current->lock);
    }
    pthread_mutex_unlock(&current_lock);
}

// Writes a task document (attempts made so far) due at due_ms. Returns a store code.
static int put_task(struct store *s, const json_t *doc, int64_t due_ms, struct store_err *e)
{
    char id[40];
    task_id(due_ms, id);
    char *text = json_dumps(doc, JSON_COMPACT);
    if (text == NULL) {
        return SB_EIO;
    }
    struct store_obj o = {
        .account = SVC_TASK_ACCOUNT,
        .region = "",
        .kind = SVC_TASK_KIND,
        .id = id,
        .doc = text,
        .doc_len = strlen(text),
    };
    int rc = store_put(s, &o, STORE_CREATE, e);
    free(text);
    return rc;
}

// Schedules a task; see tasks.h.
int svc_task_schedule(struct svc_call *c, const char *service, const char *type, int64_t delay_ms,
                      const json_t *args)
{
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:s, s:o, s:i}", "service", service, "type", type, "account",
                  c->caller->account, "region", c->region ? c->region : "", "args",
                  args != NULL ? json_deep_copy(args) : json_object(), "attempts", 0);
    struct store_err e = {{0}};
    // Due from the real clock in milliseconds (c->now has whole seconds only).
    int rc = doc != NULL ? put_task(c->env->store, doc, now_ms(c->env) + delay_ms, &e) : SB_EIO;
    json_decref(doc);
    if (rc != 0) {
        fprintf(stderr, "sagebox: task %s:%s not scheduled: %s\n", service, type,
                e.msg[0] ? e.msg : store_strerror(rc));
        return awserr_set(&c->err, 500, "InternalFailure",
                          "The request processing has failed because of an unknown error.");
    }
    wake_worker();
    return 0;
}

// The service principal a task acts as, in account.
static void service_caller(const char *service, const char *account, struct svc_caller *out)
{
    memset(out, 0, sizeof(*out));
    const char *parts[] = {service, ".amazonaws.com"};
    sb_join(out->arn, sizeof(out->arn), parts, 2);
    sb_copy(out->account, sizeof(out->account), account);
    sb_copy(out->user_id, sizeof(out->user_id), out->arn);
    out->principal.type = POLICY_PRINCIPAL_SERVICE;
    out->principal.arn = out->arn;
    out->principal.account = out->account;
}

// Runs one task (by id) in its own write transaction. Returns true when it ran (or was gone).
static bool run_one(const struct svc_env *env, const char *id)
{
    struct store *s = env->store;
    struct arena a;
    arena_init(&a, NULL, 0);
    struct store_err e = {{0}};
    struct store_obj o;
    json_t *doc = NULL;
    struct policy_context *ctx = NULL;
    bool done = false;
    if (store_begin(s, &e) != 0) {
        goto out;
    }
    int rc = store_get(s, &task_scope, id, &a, &o, &e);
    if (rc != 0) {
        store_rollback(s);
        done = rc == SB_ENOTFOUND; // another run took it
        goto out;
    }
    doc = jsonload(o.doc, o.doc_len);
    const char *service = json_string_value(json_object_get(doc, "service"));
    const char *type = json_string_value(json_object_get(doc, "type"));
    const char *account = json_string_value(json_object_get(doc, "account"));
    const char *region = json_string_value(json_object_get(doc, "region"));
    svc_handler_fn fn = service && type ? svc_task_find(service, type) : NULL;
    if (fn == NULL || account == NULL || region == NULL) {
        fprintf(stderr, "sagebox: task %s has no handler (%s:%s): dropped\n", id,
                service ? service : "?", type ? type : "?");
        store_delete(s, &task_scope, id, &e);
        done = store_commit(s, &e) == 0;
        goto out;
    }
    struct svc_caller caller;
    service_caller(service, account, &caller);
    ctx = policy_context_new();
    char request_id[48];
    snprintf(request_id, sizeof(request_id), "task-%.32s", id + 17);
    struct svc_call c = {
        .env = env,
        .arena = &a,
        .request_id = request_id,
        .service = service,
        .operation = type,
        .region = region,
        .caller = &caller,
        .ctx = ctx,
        .now = (time_t)(now_ms(env) / 1000),
        .in = json_object_get(doc, "args"),
    };
    if (!json_is_object(c.in)) {
        c.in = json_object();
        json_object_set_new(doc, "args", (json_t *)c.in);
    }
    int hrc = fn(&c);
    json_decref(c.out);
    if (hrc == 0 && store_delete(s, &task_scope, id, &e) == 0 && store_commit(s, &e) == 0) {
        done = true;
        goto out;
    }
    store_rollback(s);
    // Failed: try again later, a bounded number of times (in a transaction of its own).
    json_int_t attempts = json_integer_value(json_object_get(doc, "attempts")) + 1;
    fprintf(stderr, "sagebox: task %s %s:%s failed (attempt %lld): %s %s\n", id, service, type,
            (long long)attempts, c.err.code, c.err.message);
    if (store_begin(s, &e) == 0) {
        store_delete(s, &task_scope, id, &e);
        if (attempts < MAX_ATTEMPTS) {
            json_object_set_new(doc, "attempts", json_integer(attempts));
            put_task(s, doc, now_ms(env) + RETRY_MS, &e);
        }
        done = store_commit(s, &e) == 0;
    }
out:
    json_decref(doc);
    policy_context_free(ctx);
    arena_release(&a);
    return done;
}

// Runs the due tasks; *next_due gets the due time of the first task left (INT64_MAX: none).
static size_t run_due(const struct svc_env *env, int64_t *next_due)
{
    size_t ran = 0;
    *next_due = INT64_MAX;
    for (;;) {
        struct arena a;
        arena_init(&a, NULL, 0);
        struct store_list_opts lo = {.limit = SCAN_LIMIT};
        struct store_list l;
        struct store_err e = {{0}};
        if (store_list(env->store, &task_scope, &lo, &a, &l, &e) != 0) {
            arena_release(&a);
            return ran;
        }
        int64_t now = now_ms(env);
        size_t ran_here = 0;
        bool later = false;
        for (size_t i = 0; i < l.count; i++) {
            int64_t due = due_of(l.items[i].id);
            if (due > now) {
                *next_due = due;
                later = true;
                break;
            }
            if (run_one(env, l.items[i].id)) {
                ran_here++;
            }
        }
        bool more = l.truncated && !later;
        arena_release(&a);
        ran += ran_here;
        if (!more || ran_here == 0) {
            return ran;
        }
    }
}

size_t svc_tasks_run_due(const struct svc_env *env)
{
    int64_t next;
    return run_due(env, &next);
}

static void *worker(void *arg)
{
    struct svc_tasks *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->stopping) {
        pthread_mutex_unlock(&t->lock);
        int64_t next = INT64_MAX;
        run_due(t->env, &next);
        pthread_mutex_lock(&t->lock);
        if (t->stopping) {
            break;
        }
        int64_t wait = IDLE_WAIT_MS;
        if (next != INT64_MAX) {
            int64_t until = next - now_ms(t->env);
            wait = until < 1 ? 1 : (until < IDLE_WAIT_MS ? until : IDLE_WAIT_MS);
        }
        if (t->quick > 0) {
            t->quick--;
            wait = wait < QUICK_WAIT_MS ? wait : QUICK_WAIT_MS;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += wait / 1000;
        ts.tv_nsec += (long)(wait % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&t->wake, &t->lock, &ts);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

struct svc_tasks *svc_tasks_start(const struct svc_env *env, char *err, size_t err_cap)
{
    struct svc_tasks *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        snprintf(err, err_cap, "out of memory");
        return NULL;
    }
    t->env = env;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    int rc = pthread_create(&t->thread, NULL, worker, t);
    if (rc != 0) {
        snprintf(err, err_cap, "cannot start the task worker: %s", strerror(rc));
        pthread_cond_destroy(&t->wake);
        pthread_mutex_destroy(&t->lock);
        free(t);
        return NULL;
    }
    pthread_mutex_lock(&current_lock);
    current = t;
    pthread_mutex_unlock(&current_lock);
    return t;
}

void svc_tasks_stop(struct svc_tasks *t)
{
    if (t == NULL) {
        return;
    }
    pthread_mutex_lock(&current_lock);
    if (current == t) {
        current = NULL;
    }
    pthread_mutex_unlock(&current_lock);
    pthread_mutex_lock(&t->lock);
    t->stopping = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    free(t);
}
