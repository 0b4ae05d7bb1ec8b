// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for policy evaluation (policy_evaluate and policy_decision_message,
// policy.h). The input is a policy document, optionally followed by a line "----" and a request
// description in JSON:
//   {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "resourceAccount": "111122223333",
//    "principal": "arn:aws:sts::111122223333:assumed-role/R/s" | "anonymous",
//    "as": ["identity", "resource", "key", "trust", "boundary", "session", "scp", "rcp",
//           "endpoint"],
//    "context": {"aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a", "b"]},
//    "hasBoundary": false, "kmsGrant": false}
// Every field is optional (defaults below). The document is parsed once for each kind it is
// placed as, then the request is evaluated twice (the decision must be deterministic) and the
// denial message rendered into buffers of several sizes (the lengths must agree, truncation must
// keep a prefix). Invalid request JSON falls back to the defaults so that policy-only inputs
// still reach the evaluator.
#include "policy/policy.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum slot {
    SLOT_IDENTITY,
    SLOT_RESOURCE,
    SLOT_KEY,
    SLOT_TRUST,
    SLOT_BOUNDARY,
    SLOT_SESSION,
    SLOT_SCP,
    SLOT_RCP,
    SLOT_ENDPOINT,
    SLOT_COUNT
};

static const struct {
    const char *name;
    enum policy_kind kind;
} slots[SLOT_COUNT] = {
    [SLOT_IDENTITY] = {"identity", POLICY_KIND_IDENTITY},
    [SLOT_RESOURCE] = {"resource", POLICY_KIND_RESOURCE},
    [SLOT_KEY] = {"key", POLICY_KIND_KEY},
    [SLOT_TRUST] = {"trust", POLICY_KIND_TRUST},
    [SLOT_BOUNDARY] = {"boundary", POLICY_KIND_BOUNDARY},
    [SLOT_SESSION] = {"session", POLICY_KIND_SESSION},
    [SLOT_SCP] = {"scp", POLICY_KIND_SCP},
    [SLOT_RCP] = {"rcp", POLICY_KIND_RCP},
    [SLOT_ENDPOINT] = {"endpoint", POLICY_KIND_ENDPOINT},
};

#define MAX_VALUES 32

static const char *str_or(json_t *obj, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s != NULL ? s : dflt;
}

static void add_slot(bool *want, const char *name)
{
    for (int s = 0; s < SLOT_COUNT; s++) {
        if (name != NULL && strcmp(name, slots[s].name) == 0) {
            want[s] = true;
        }
    }
}

static void fill_context(struct policy_context *ctx, json_t *obj)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (json_is_string(v)) {
            policy_context_set(ctx, key, json_string_value(v));
        } else if (json_is_array(v)) {
            const char *vals[MAX_VALUES];
            size_t n = 0;
            size_t i;
            json_t *item;
            json_array_foreach(v, i, item)
            {
                if (json_is_string(item) && n < MAX_VALUES) {
                    vals[n++] = json_string_value(item);
                }
            }
            policy_context_set_list(ctx, key, vals, n);
        } else if (json_is_boolean(v)) {
            policy_context_set(ctx, key, json_is_true(v) ? "true" : "false");
        }
    }
}

static void check_message(const struct policy_decision *d, const struct policy_request *req)
{
    char big[4096];
    char small[24];
    char one[1];
    size_t n_big = policy_decision_message(d, req, big, sizeof big);
    size_t n_small = policy_decision_message(d, req, small, sizeof small);
    size_t n_one = policy_decision_message(d, req, one, sizeof one);
    if (n_big != n_small || n_big != n_one || one[0] != '\0') {
        abort();
    }
    if (strlen(big) != (n_big < sizeof big ? n_big : sizeof big - 1)) {
        abort();
    }
    size_t s_len = strlen(small);
    if (s_len != (n_small < sizeof small ? n_small : sizeof small - 1) ||
        memcmp(small, big, s_len) != 0) {
        abort();
    }
    if (d->result == POLICY_ALLOWED && n_big != 0) {
        abort();
    }
    if (d->result != POLICY_ALLOWED && n_big == 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    size_t doc_len = size;
    json_t *rq = NULL;
    const char *sep = NULL;
    for (size_t i = 0; i + 6 <= size; i++) {
        if (memcmp(text + i, "\n----\n", 6) == 0) {
            sep = text + i;
            break;
        }
    }
    if (sep != NULL) {
        doc_len = (size_t)(sep - text);
        size_t off = doc_len + 6;
        rq = json_loadb(text + off, size - off, JSON_DISABLE_EOF_CHECK, NULL);
    }
    if (!json_is_object(rq)) {
        json_decref(rq);
        rq = json_object();
    }

    bool want[SLOT_COUNT] = {false};
    json_t *as = json_object_get(rq, "as");
    if (json_is_string(as)) {
        add_slot(want, json_string_value(as));
    } else if (json_is_array(as)) {
        size_t i;
        json_t *v;
        json_array_foreach(as, i, v)
        {
            add_slot(want, json_string_value(v));
        }
    } else {
        want[SLOT_IDENTITY] = true;
    }

    struct policy *parsed[SLOT_COUNT] = {NULL};
    for (int s = 0; s < SLOT_COUNT; s++) {
        struct policy_error err;
        if (want[s]) {
            (void)policy_parse(text, doc_len, slots[s].kind, slots[s].name, NULL, &parsed[s], &err);
        }
    }

    char storage[1024];
    struct policy_principal principal;
    const char *ptext = str_or(rq, "principal", "arn:aws:iam::111122223333:user/alice");
    if (policy_principal_parse(ptext, &principal, storage, sizeof storage) != 0) {
        (void)policy_principal_parse("anonymous", &principal, storage, sizeof storage);
    }
    principal.has_boundary = json_is_true(json_object_get(rq, "hasBoundary"));

    struct policy_context *ctx = policy_context_new();
    fill_context(ctx, json_object_get(rq, "context"));
    policy_context_add_principal_keys(ctx, &principal);

    struct policy_request req = {
        .action = str_or(rq, "action", "s3:GetObject"),
        .resource = str_or(rq, "resource", "arn:aws:s3:::bucket/key"),
        .resource_account = str_or(rq, "resourceAccount", NULL),
        .principal = principal,
        .context = ctx,
    };

    const struct policy *identity[1] = {parsed[SLOT_IDENTITY]};
    const struct policy *boundary[1] = {parsed[SLOT_BOUNDARY]};
    const struct policy *session[1] = {parsed[SLOT_SESSION]};
    const struct policy *endpoint[1] = {parsed[SLOT_ENDPOINT]};
    const struct policy *scp[1] = {parsed[SLOT_SCP]};
    const struct policy *rcp[1] = {parsed[SLOT_RCP]};
    struct policy_level scp_level = {.policies = scp, .count = 1};
    struct policy_level rcp_level = {.policies = rcp, .count = 1};
    const struct policy *resource = parsed[SLOT_RESOURCE];
    if (resource == NULL) {
        resource = parsed[SLOT_KEY];
    }
    if (resource == NULL) {
        resource = parsed[SLOT_TRUST];
    }
    struct policy_set set = {
        .identity = identity,
        .identity_count = identity[0] != NULL,
        .resource = resource,
        .boundaries = boundary,
        .boundary_count = boundary[0] != NULL,
        .session = session,
        .session_count = session[0] != NULL,
        .scp = &scp_level,
        .scp_level_count = scp[0] != NULL,
        .rcp = &rcp_level,
        .rcp_level_count = rcp[0] != NULL,
        .endpoint = endpoint,
        .endpoint_count = endpoint[0] != NULL,
        .kms_grant_allows = json_is_true(json_object_get(rq, "kmsGrant")),
    };

    struct policy_decision d1;
    struct policy_decision d2;
    enum policy_result r1 = policy_evaluate(&req, &set, &d1);
    enum policy_result r2 = policy_evaluate(&req, &set, &d2);
    if (r1 != d1.result || r1 != r2 || d1.blocked_by != d2.blocked_by ||
        d1.allowed_count != d2.allowed_count || d1.denied_count != d2.denied_count ||
        d1.allowed_count > POLICY_MAX_MATCHES || d1.denied_count > POLICY_MAX_MATCHES ||
        (r1 == POLICY_ALLOWED && d1.reason != 0) || policy_result_name(r1) == NULL) {
        abort();
    }
    check_message(&d1, &req);

    policy_context_free(ctx);
    for (int s = 0; s < SLOT_COUNT; s++) {
        policy_free(parsed[s]);
    }
    json_decref(rq);
    return 0;
}
