// SPDX-License-Identifier: Apache-2.0
// The service layer's common code; see svc.h: the registry of handlers and svc_authorize, the
// single decision point every operation goes through.
#include "svc/svc.h"
#include "core/strjoin.h"

#include "svc/iam/identity.h"
#include "svc/registry.h"

#include <stdio.h>
#include <string.h>

// Returns the handler for service/operation; see svc.h.
// The handler of (service, name) in tables[0..count).
static svc_handler_fn find_in(const struct svc_service *tables, size_t count, const char *service,
                              const char *name)
{
    for (size_t i = 0; i < count; i++) {
        const struct svc_service *s = &tables[i];
        if (strcmp(s->signing_name, service) != 0) {
            continue;
        }
        for (size_t k = 0; s->handlers[k].operation != NULL; k++) {
            if (strcmp(s->handlers[k].operation, name) == 0) {
                return s->handlers[k].fn;
            }
        }
    }
    return NULL;
}

svc_handler_fn svc_find(const char *service, const char *operation)
{
    return find_in(svc_registry, svc_registry_count, service, operation);
}

// A background task's handler; see registry.h.
svc_handler_fn svc_task_find(const char *service, const char *type)
{
    return find_in(svc_task_tables, svc_task_tables_count, service, type);
}

// Lists the served services; see svc.h.
void svc_list_services(json_t *array)
{
    for (size_t i = 0; i < svc_registry_count; i++) {
        const struct svc_service *s = &svc_registry[i];
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++) {
            seen = strcmp(svc_registry[k].signing_name, s->signing_name) == 0;
        }
        if (!seen && s->handlers[0].operation != NULL) {
            json_array_append_new(array, json_string(s->signing_name));
        }
    }
}

// printf into the arena; see svc.h.
const char *svc_vfmt(struct svc_call *c, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *out = arena_alloc(c->arena, n > 0 ? (size_t)n + 1 : 1);
    out[0] = '\0';
    if (n > 0) {
        vsnprintf(out, (size_t)n + 1, fmt, again);
    }
    va_end(again);
    return out;
}

const char *svc_fmt(struct svc_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *out = svc_vfmt(c, fmt, ap);
    va_end(ap);
    return out;
}

// One transaction per call; see svc.h.
int svc_run_txn(struct svc_call *c, bool write, svc_handler_fn body, svc_store_error_fn store_error)
{
    struct store_err e = {{0}};
    enum store_txn outer = store_txn_state(c->env->store);
    if (outer != STORE_TXN_NONE) {
        // Called inside a transaction of this thread (a background task using KMS): the body
        // joins it, and the owner of the outer transaction commits or rolls back everything.
        if (write && outer == STORE_TXN_READ) {
            return svc_internal_error(c, "a write inside a read-only transaction");
        }
        if (body(c) != 0) {
            json_decref(c->out);
            c->out = NULL;
            return -1;
        }
        return 0;
    }
    int rc = write ? store_begin(c->env->store, &e) : store_begin_read(c->env->store, &e);
    if (rc != 0) {
        return store_error(c, rc, &e);
    }
    if (body(c) != 0) {
        store_rollback(c->env->store);
        json_decref(c->out);
        c->out = NULL;
        return -1;
    }
    rc = store_commit(c->env->store, &e);
    if (rc != 0) {
        json_decref(c->out);
        c->out = NULL;
        return store_error(c, rc, &e);
    }
    return 0;
}

// ISO 8601 with milliseconds; see svc.h.
void svc_iso_time(time_t t, char *out, size_t cap)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

// The access-denied error of each protocol family; see svc.h.
int svc_access_denied(struct svc_call *c, const char *message)
{
    if (strcmp(c->service, "iam") == 0 || strcmp(c->service, "sts") == 0 ||
        strcmp(c->service, "cloudformation") == 0) {
        return awserr_set(&c->err, 403, "AccessDenied", "%s", message);
    }
    if (strcmp(c->service, "ec2") == 0) {
        return awserr_set(&c->err, 403, "UnauthorizedOperation",
                          "You are not authorized to perform this operation. %s", message);
    }
    return awserr_set(&c->err, 400, "AccessDeniedException", "%s", message);
}

// Compiles (through the cache) every document of docs into refs[*n...]; returns -1 with a
// 500 error when a stored document no longer compiles (which validation should have prevented).
// The 500 error each service's model declares for an internal failure: IAM's ServiceFailure,
// KMS's KMSInternalException, EC2's InternalError, and the common InternalFailure elsewhere.
static const char *internal_code(const char *service)
{
    if (strcmp(service, "iam") == 0) {
        return "ServiceFailure";
    }
    if (strcmp(service, "kms") == 0) {
        return "KMSInternalException";
    }
    if (strcmp(service, "ec2") == 0) {
        return "InternalError";
    }
    return "InternalFailure";
}

// The service's internal failure; see svc.h.
int svc_internal_error(struct svc_call *c, const char *detail)
{
    fprintf(stderr, "sagebox: %s %s:%s internal failure: %s\n", c->request_id ? c->request_id : "-",
            c->service, c->operation ? c->operation : "-", detail ? detail : "-");
    return awserr_set(&c->err, 500, internal_code(c->service),
                      "We encountered an internal error. Please try again.");
}

static int compile_all(struct svc_call *c, const struct iam_policy_docs *docs,
                       struct policy_cache_ref *refs, size_t *n, const struct policy **out)
{
    for (size_t i = 0; i < docs->count; i++) {
        const struct iam_policy_doc *d = &docs->items[i];
        struct policy_error perr;
        if (policy_cache_get(c->env->policies, d->document, strlen(d->document), d->kind, d->name,
                             d->arn, &refs[*n], &perr) != 0) {
            return awserr_set(&c->err, 500, internal_code(c->service),
                              "A stored policy (%s) could not be compiled: %s", d->name,
                              perr.message);
        }
        out[i] = refs[*n].policy;
        (*n)++;
    }
    return 0;
}

static void set_time_keys(struct svc_call *c)
{
    // The text changes once a second: each thread formats it then, not on every decision.
    static _Thread_local time_t iso_of;
    static _Thread_local char iso[40];
    if (iso[0] == '\0' || iso_of != c->now) {
        struct tm tm;
        gmtime_r(&c->now, &tm);
        strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
        iso_of = c->now;
    }
    if (!policy_context_has(c->ctx, "aws:CurrentTime")) {
        policy_context_set(c->ctx, "aws:CurrentTime", iso);
    }
    char epoch[32];
    sb_i64(epoch, (int64_t)c->now);
    if (!policy_context_has(c->ctx, "aws:EpochTime")) {
        policy_context_set(c->ctx, "aws:EpochTime", epoch);
    }
    if (c->region != NULL && !policy_context_has(c->ctx, "aws:RequestedRegion")) {
        policy_context_set(c->ctx, "aws:RequestedRegion", c->region);
    }
}

// Decides one action; see svc.h for the contract.
int svc_authorize(struct svc_call *c, const char *action, const char *resource,
                  const char *resource_account, const struct svc_resource_policy *rp)
{
    int rc = -1;
    struct iam_policy_docs identity = {0};
    struct iam_policy_docs boundary = {0};
    struct iam_policy_docs session = {0};
    struct policy_cache_ref *refs = NULL;
    size_t nrefs = 0;
    struct policy_cache_ref rp_ref = {0};

    set_time_keys(c);
    if (iam_caller_policies(c, &identity, &boundary, &session) != 0) {
        goto out;
    }
    size_t total = identity.count + boundary.count + session.count;
    refs = arena_calloc(c->arena, total + 1, sizeof(*refs));
    const struct policy **id_pols = arena_calloc(c->arena, identity.count + 1, sizeof(void *));
    const struct policy **bd_pols = arena_calloc(c->arena, boundary.count + 1, sizeof(void *));
    const struct policy **ss_pols = arena_calloc(c->arena, session.count + 1, sizeof(void *));
    if (compile_all(c, &identity, refs, &nrefs, id_pols) != 0 ||
        compile_all(c, &boundary, refs, &nrefs, bd_pols) != 0 ||
        compile_all(c, &session, refs, &nrefs, ss_pols) != 0) {
        goto out;
    }
    if (rp != NULL && rp->document != NULL) {
        struct policy_error perr;
        if (policy_cache_get(c->env->policies, rp->document, strlen(rp->document), rp->kind,
                             rp->name ? rp->name : "resource policy", NULL, &rp_ref, &perr) != 0) {
            awserr_set(&c->err, 500, internal_code(c->service),
                       "The resource's policy could not be compiled: %s", perr.message);
            goto out;
        }
    }
    struct policy_set set = {
        .identity = id_pols,
        .identity_count = identity.count,
        .resource = rp_ref.policy,
        .boundaries = bd_pols,
        .boundary_count = boundary.count,
        .session = ss_pols,
        .session_count = session.count,
        .kms_grant_allows = c->kms_grant_allows,
    };
    struct policy_request req = {
        .action = action,
        .resource = resource,
        .resource_account = resource_account,
        .principal = c->caller->principal,
        .context = c->ctx,
    };
    req.principal.has_boundary = boundary.count > 0;
    struct policy_decision d;
    enum policy_result r = policy_evaluate(&req, &set, &d);
    sb_copy(c->decision, sizeof(c->decision), policy_result_name(r));
    if (r == POLICY_ALLOWED) {
        rc = 0;
        goto out;
    }
    char msg[2048];
    policy_decision_message(&d, &req, msg, sizeof(msg));
    svc_access_denied(c, msg);
out:
    for (size_t i = 0; i < nrefs; i++) {
        policy_cache_release(c->env->policies, &refs[i]);
    }
    policy_cache_release(c->env->policies, &rp_ref);
    return rc;
}
