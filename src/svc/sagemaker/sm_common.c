// SPDX-License-Identifier: Apache-2.0
// Shared Amazon SageMaker helpers; see sm_common.h.
#include "svc/sagemaker/sm_common.h"

#include "core/ids.h"
#include "core/jsonload.h"
#include "svc/iam/role_use.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct store_scope sm_scope(const struct svc_call *c, const char *kind)
{
    struct store_scope sc = {c->caller->account, c->region ? c->region : "", kind, false};
    return sc;
}

const char *sm_fmt(struct svc_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *out = svc_vfmt(c, fmt, ap);
    va_end(ap);
    return out;
}

const char *sm_in_str(const struct svc_call *c, const char *member)
{
    return sm_str(c->in, member);
}

const char *sm_str(const json_t *doc, const char *member)
{
    const json_t *v = json_object_get(doc, member);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

void sm_domain_id(char out[SM_DOMAIN_ID_LEN + 1])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char r[SM_DOMAIN_ID_LEN - 2];
    ids_random_bytes(r, sizeof(r));
    out[0] = 'd';
    out[1] = '-';
    for (size_t i = 0; i < sizeof(r); i++) {
        // 252 = 7 * 36: the few bytes above it are redrawn, so every character is equally likely.
        while (r[i] >= 252) {
            ids_random_bytes(&r[i], 1);
        }
        out[2 + i] = alphabet[r[i] % 36];
    }
    out[SM_DOMAIN_ID_LEN] = '\0';
}

const char *sm_arn(struct svc_call *c, const char *type, const char *rest)
{
    return sm_fmt(c, "arn:%s:sagemaker:%s:%s:%s/%s", c->env->partition, c->region,
                  c->caller->account, type, rest);
}

const char *sm_domain_url(struct svc_call *c, const char *domain_id)
{
    return sm_fmt(c, "https://%s.studio.%s.sagemaker.aws", domain_id, c->region);
}

int sm_error(struct svc_call *c, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return awserr_set(&c->err, 400, code, "%s", msg);
}

int sm_store_error(struct svc_call *c, int rc, const struct store_err *e)
{
    return svc_internal_error(c, e != NULL && e->msg[0] ? e->msg : store_strerror(rc));
}

int sm_run(struct svc_call *c, bool write, svc_handler_fn body)
{
    return svc_run_txn(c, write, body, sm_store_error);
}

int sm_get(struct svc_call *c, const char *kind, const char *id, struct sm_obj *o)
{
    memset(o, 0, sizeof(*o));
    struct store_scope sc = sm_scope(c, kind);
    struct store_err e = {{0}};
    int rc = store_get(c->env->store, &sc, id, c->arena, &o->obj, &e);
    if (rc == SB_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return sm_store_error(c, rc, &e);
    }
    o->doc = jsonload(o->obj.doc, o->obj.doc_len);
    if (!json_is_object(o->doc)) {
        sm_obj_release(o);
        return sm_store_error(c, SB_ECORRUPT, NULL);
    }
    return 1;
}

void sm_obj_release(struct sm_obj *o)
{
    json_decref(o->doc);
    o->doc = NULL;
}

int sm_put(struct svc_call *c, const char *kind, const char *id, const char *parent,
           const char *path, const json_t *doc, bool create)
{
    return sm_put_named(c, kind, id, NULL, parent, path, doc, create);
}

int sm_update(struct svc_call *c, const struct sm_obj *o)
{
    return sm_put_named(c, o->obj.kind, o->obj.id, o->obj.name, o->obj.parent, o->obj.path, o->doc,
                        false);
}

const char *sm_creation_name(struct svc_call *c, const char *domain_id, const json_t *created,
                             const char *name)
{
    long long ms = (long long)(json_number_value(created) * 1000.0 + 0.5);
    return sm_fmt(c, "%s/%016lld/%s", domain_id, ms < 0 ? 0 : ms, name);
}

int sm_put_named(struct svc_call *c, const char *kind, const char *id, const char *name,
                 const char *parent, const char *path, const json_t *doc, bool create)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    if (text == NULL) {
        return svc_internal_error(c, "a document does not serialize");
    }
    struct store_obj o = {
        .account = c->caller->account,
        .region = c->region ? c->region : "",
        .kind = kind,
        .id = id,
        .name = name,
        .parent = parent,
        .path = path,
        .doc = text,
        .doc_len = strlen(text),
    };
    struct store_err e = {{0}};
    int rc = store_put(c->env->store, &o, create ? STORE_CREATE : STORE_UPSERT, &e);
    free(text);
    return rc == 0 ? 0 : sm_store_error(c, rc, &e);
}

json_t *sm_internal(json_t *doc)
{
    json_t *in = json_object_get(doc, "_");
    if (!json_is_object(in)) {
        in = json_object();
        json_object_set_new(doc, "_", in);
    }
    return in;
}

json_t *sm_tags(json_t *doc)
{
    json_t *in = sm_internal(doc);
    json_t *tags = json_object_get(in, "tags");
    if (!json_is_array(tags)) {
        tags = json_array();
        json_object_set_new(in, "tags", tags);
    }
    return tags;
}

json_t *sm_public(const json_t *doc)
{
    json_t *copy = json_deep_copy(doc);
    json_object_del(copy, "_");
    return copy;
}

int sm_authorize(struct svc_call *c, const char *action, const char *arn, const json_t *tags)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = sm_str(t, "Key");
        const char *v = sm_str(t, "Value");
        if (k != NULL) {
            policy_context_set(c->ctx, sm_fmt(c, "aws:ResourceTag/%s", k), v ? v : "");
            policy_context_set(c->ctx, sm_fmt(c, "sagemaker:ResourceTag/%s", k), v ? v : "");
        }
    }
    return svc_authorize(c, action, arn, c->caller->account, NULL);
}

void sm_request_tags(struct svc_call *c, const json_t *tags)
{
    size_t n = json_array_size(tags);
    if (n == 0) {
        return;
    }
    const char **keys = arena_calloc(c->arena, n + 1, sizeof(char *));
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = sm_str(t, "Key");
        const char *v = sm_str(t, "Value");
        keys[i] = k != NULL ? k : "";
        policy_context_set(c->ctx, sm_fmt(c, "aws:RequestTag/%s", keys[i]), v ? v : "");
    }
    policy_context_set_list(c->ctx, "aws:TagKeys", keys, n);
}

int sm_check_execution_role(struct svc_call *c, const char *role_arn, const char *what)
{
    (void)what;
    json_t *role = NULL;
    int found = svc_role_load(c, role_arn, &role);
    if (found < 0) {
        return -1;
    }
    bool trusted = false;
    if (found > 0 && svc_role_trusts(c, role, SM_SERVICE_PRINCIPAL, NULL, &trusted) != 0) {
        json_decref(role);
        return -1;
    }
    json_decref(role);
    if (!trusted) {
        // SageMaker's answer for an execution role it cannot assume, as CreateModel gives it
        // (bentoml/BentoML#892); not verified for the domain operations.
        return sm_error(c, "ValidationException",
                        "The execution role ARN \"%s\" is invalid. Please ensure that the role "
                        "exists and that its trust relationship policy allows the action "
                        "\"sts:AssumeRole\" for the service principal \"sagemaker.amazonaws.com\".",
                        role_arn);
    }
    policy_context_set(c->ctx, "iam:PassedToService", SM_SERVICE_PRINCIPAL);
    int rc = svc_authorize(c, "iam:PassRole", role_arn, NULL, NULL);
    policy_context_unset(c->ctx, "iam:PassedToService");
    return rc;
}

static pthread_once_t delay_once = PTHREAD_ONCE_INIT;
static int64_t delay_ms = 1500;

static void read_delay(void)
{
    const char *v = getenv("SAGEBOX_SAGEMAKER_DELAY_MS");
    if (v != NULL && *v != '\0') {
        char *end = NULL;
        long long n = strtoll(v, &end, 10);
        if (end != v && *end == '\0' && n >= 0 && n <= 3600000) {
            delay_ms = n;
        }
    }
}

int64_t sm_delay_ms(void)
{
    pthread_once(&delay_once, read_delay);
    return delay_ms;
}

json_t *sm_now(const struct svc_call *c)
{
    // Milliseconds, as SageMaker's timestamps have them: things created within one second keep
    // their order (ListApps, ListUserProfiles sort by CreationTime).
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t ms = ((int64_t)ts.tv_sec + c->env->clock_offset) * 1000 + ts.tv_nsec / 1000000;
    return json_real((double)ms / 1000.0);
}
