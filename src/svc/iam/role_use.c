// SPDX-License-Identifier: Apache-2.0
// A service using an IAM role of the caller's account; see role_use.h.
#include "svc/iam/role_use.h"

#include "core/jsonload.h"
#include "core/strjoin.h"
#include "svc/iam/iam_store.h"

#include <stdio.h>
#include <string.h>

// A string member of a document, or NULL.
static const char *str_of(const json_t *doc, const char *member)
{
    return json_string_value(json_object_get(doc, member));
}

// Splits arn:PARTITION:iam::ACCOUNT:role/PATH/NAME; returns the role name (in the arena) when the
// ARN names a role of account, else NULL.
static const char *role_name_of(struct svc_call *c, const char *arn, const char *account)
{
    if (arn == NULL || strncmp(arn, "arn:", 4) != 0) {
        return NULL;
    }
    const char *p = strchr(arn + 4, ':');
    if (p == NULL || strncmp(p, ":iam::", 6) != 0) {
        return NULL;
    }
    p += 6;
    size_t alen = strlen(account);
    if (strncmp(p, account, alen) != 0 || strncmp(p + alen, ":role/", 6) != 0) {
        return NULL;
    }
    const char *slash = strrchr(p + alen + 6, '/');
    const char *name = slash != NULL && slash >= p + alen + 5 ? slash + 1 : p + alen + 6;
    if (*name == '\0') {
        return NULL;
    }
    return arena_strndup(c->arena, name, strlen(name));
}

// Reads a role by ARN; see role_use.h.
int svc_role_load(struct svc_call *c, const char *arn, json_t **role)
{
    *role = NULL;
    const char *name = role_name_of(c, arn, c->caller->account);
    if (name == NULL) {
        return 0;
    }
    struct store_scope sc = {c->caller->account, "", IAM_KIND_ROLE, true};
    struct store_obj obj;
    struct store_err e = {{0}};
    int rc = store_get_by_name(c->env->store, &sc, name, c->arena, &obj, &e);
    if (rc == SB_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return svc_internal_error(c, store_strerror(rc));
    }
    json_t *doc = jsonload(obj.doc, obj.doc_len);
    if (doc == NULL) {
        return svc_internal_error(c, "a stored role does not parse");
    }
    const char *have = str_of(doc, "Arn");
    if (have == NULL || strcmp(have, arn) != 0) {
        json_decref(doc); // same name under another path
        return 0;
    }
    *role = doc;
    return 1;
}

static void set_time_keys(struct svc_call *c, struct policy_context *ctx)
{
    char iso[40];
    struct tm tm;
    gmtime_r(&c->now, &tm);
    strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
    policy_context_set(ctx, "aws:CurrentTime", iso);
    char epoch[24];
    sb_i64(epoch, (int64_t)c->now);
    policy_context_set(ctx, "aws:EpochTime", epoch);
    policy_context_set(ctx, "aws:RequestedRegion", c->region);
}

// Decides whether a service may assume a role; see role_use.h.
int svc_role_trusts(struct svc_call *c, const json_t *role, const char *service_principal,
                    const char *source_arn, bool *ok)
{
    *ok = false;
    const char *trust = str_of(role, "AssumeRolePolicyDocument");
    if (trust == NULL) {
        return 0;
    }
    struct policy_cache_ref ref = {0};
    struct policy_error perr;
    if (policy_cache_get(c->env->policies, trust, strlen(trust), POLICY_KIND_TRUST,
                         "role trust policy", NULL, &ref, &perr) != 0) {
        return svc_internal_error(c, "the trust policy does not compile");
    }
    char storage[256]; // policy_principal_parse needs 3 * length + 64 bytes
    struct policy_principal p;
    if (policy_principal_parse(service_principal, &p, storage, sizeof(storage)) != 0) {
        policy_cache_release(c->env->policies, &ref);
        return svc_internal_error(c, "a service principal does not parse");
    }
    struct policy_context *ctx = policy_context_new();
    policy_context_add_principal_keys(ctx, &p);
    set_time_keys(c, ctx);
    policy_context_set(ctx, "aws:SourceAccount", c->caller->account);
    if (source_arn != NULL) {
        policy_context_set(ctx, "aws:SourceArn", source_arn);
    }
    policy_context_set(ctx, "aws:SecureTransport", "true");
    struct policy_set set = {.resource = ref.policy};
    struct policy_request req = {
        .action = "sts:AssumeRole",
        .resource = str_of(role, "Arn"),
        .principal = p,
        .context = ctx,
    };
    struct policy_decision d;
    *ok = policy_evaluate(&req, &set, &d) == POLICY_ALLOWED;
    policy_context_free(ctx);
    policy_cache_release(c->env->policies, &ref);
    return 0;
}

// Begins a session of a role; see role_use.h.
void svc_role_session_begin(struct svc_call *c, const json_t *role, const char *session_name,
                            const char *service, struct svc_role_session *rs)
{
    memset(rs, 0, sizeof(*rs));
    struct svc_caller *w = &rs->caller;
    const char *name = str_of(role, "RoleName");
    const char *id = str_of(role, "RoleId");
    const char *parts[] = {"arn:",           c->env->partition, ":sts::", c->caller->account,
                           ":assumed-role/", name ? name : "",  "/",      session_name};
    sb_join(w->arn, sizeof(w->arn), parts, sizeof(parts) / sizeof(parts[0]));
    sb_copy(w->account, sizeof(w->account), c->caller->account);
    sb_copy(w->identity_arn, sizeof(w->identity_arn), str_of(role, "Arn"));
    const char *uid[] = {id ? id : "", ":", session_name};
    sb_join(w->user_id, sizeof(w->user_id), uid, 3);
    sb_copy(w->entity_id, sizeof(w->entity_id), id ? id : "");
    sb_copy(w->entity_name, sizeof(w->entity_name), name ? name : "");
    const json_t *tags = json_object_get(role, "Tags");
    if (json_array_size(tags) > 0) {
        char *text = json_dumps(tags, JSON_COMPACT);
        w->principal_tags = arena_strndup(c->arena, text, strlen(text));
        free(text);
    }
    w->principal.type = POLICY_PRINCIPAL_ROLE_SESSION;
    w->principal.arn = w->arn;
    w->principal.account = w->account;
    w->principal.identity_arn = w->identity_arn;

    struct policy_context *ctx = policy_context_new();
    policy_context_add_principal_keys(ctx, &w->principal);
    policy_context_set(ctx, "aws:userid", w->user_id);
    policy_context_set(ctx, "aws:PrincipalArn", w->identity_arn);
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = str_of(t, "Key");
        const char *v = str_of(t, "Value");
        if (k != NULL) {
            policy_context_set(ctx, svc_fmt(c, "aws:PrincipalTag/%s", k), v ? v : "");
        }
    }
    policy_context_set(ctx, "aws:SecureTransport", "true");
    policy_context_set(ctx, "aws:ViaAWSService", "false");

    rs->call = *c;
    rs->call.caller = w;
    rs->call.ctx = ctx;
    rs->call.service = service;
    rs->call.in = NULL;
    rs->call.out = NULL;
    memset(&rs->call.err, 0, sizeof(rs->call.err));
    rs->call.decision[0] = '\0';
}

// Ends a session; see role_use.h.
void svc_role_session_end(struct svc_role_session *rs)
{
    policy_context_free(rs->call.ctx);
    rs->call.ctx = NULL;
    json_decref(rs->call.out);
    rs->call.out = NULL;
}

// Decides for a session; see role_use.h.
int svc_role_session_may(struct svc_call *c, struct svc_role_session *rs, const char *action,
                         const char *resource)
{
    memset(&rs->call.err, 0, sizeof(rs->call.err));
    rs->call.operation = strchr(action, ':') + 1;
    if (svc_authorize(&rs->call, action, resource, NULL, NULL) == 0) {
        return 1;
    }
    if (rs->call.err.status >= 500) {
        c->err = rs->call.err;
        return -1;
    }
    return 0;
}
