// SPDX-License-Identifier: Apache-2.0
// The policy simulator's JSON input and output (see policy_json.h and docs/policy-simulate.md).
// The input names the policies of each type AWS evaluates (IAM User Guide, "Policy evaluation
// logic"): identity-based policies, the resource's policy, permissions boundaries, session
// policies, the SCPs and RCPs of each organization level, and VPC endpoint policies. Each is
// parsed with the policy kind its place implies, the request is decided by policy_evaluate, and
// the decision is rendered with AWS's names for results and policy types.
#include "policy/policy_json.h"

#include "core/arena.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// Everything one request owns: the compiled policies, the context and the principal's strings.
struct sim {
    struct arena arena;    // arrays and names; released at the end of the request
    struct policy **owned; // every compiled policy, freed at the end
    size_t owned_count;
    size_t owned_cap;
    struct policy_context *ctx;
    const char *action;
    enum policy_kind resource_kind; // the kind a resource policy is parsed as
};

// The top-level fields of an input object.
static const char *const input_fields[] = {
    "action",
    "resource",
    "resourceAccount",
    "principal",
    "principalIdentityArn",
    "context",
    "identityPolicies",
    "resourcePolicy",
    "permissionBoundaries",
    "sessionPolicy",
    "serviceControlPolicies",
    "resourceControlPolicies",
    "endpointPolicies",
    "kmsGrantAllows",
};

// The fields of a named policy entry.
static const char *const entry_fields[] = {"name", "policy", "arn", "kind"};

// The policy types in the order AWS evaluates them, for blockedBy.
static const enum policy_type type_order[] = {
    POLICY_TYPE_RCP,      POLICY_TYPE_SCP,      POLICY_TYPE_ENDPOINT, POLICY_TYPE_RESOURCE,
    POLICY_TYPE_IDENTITY, POLICY_TYPE_BOUNDARY, POLICY_TYPE_SESSION,
};

static bool in_list(const char *key, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(key, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

// Returns the name of the first key of obj that is not in list, or NULL when all are known.
static const char *unknown_key(const json_t *obj, const char *const *list, size_t count)
{
    const char *key;
    json_t *value;
    // json_object_foreach needs a non-const object; iteration does not modify it.
    json_t *o = (json_t *)obj;
    json_object_foreach(o, key, value)
    {
        (void)value;
        if (!in_list(key, list, count)) {
            return key;
        }
    }
    return NULL;
}

static char *sim_strdup(struct sim *s, const char *str)
{
    return arena_strndup(&s->arena, str, strlen(str));
}

static void sim_own(struct sim *s, struct policy *p)
{
    if (s->owned_count == s->owned_cap) {
        s->owned_cap = s->owned_cap ? s->owned_cap * 2 : 8;
        s->owned = sb_xrealloc(s->owned, s->owned_cap * sizeof(*s->owned));
    }
    s->owned[s->owned_count++] = p;
}

static const char *error_code_name(enum policy_error_code code)
{
    return code == POLICY_ERR_TOO_LARGE ? "LimitExceeded" : "MalformedPolicyDocument";
}

// Compiles one policy given as a document (a JSON object or a string holding the document) or as
// an entry {"name", "policy", "arn", "kind"}. path names the place in the input ("sessionPolicy",
// "identityPolicies[2]") and is the name of a policy given without one.
static int load_policy(struct sim *s, const json_t *v, enum policy_kind kind, const char *path,
                       struct buf *err, const struct policy **out)
{
    int rc = -1;
    char *dumped = NULL;
    const char *name = path;
    const char *arn = NULL;
    const json_t *doc = v;

    if (json_is_object(v) && json_object_get(v, "policy") != NULL) {
        const char *bad =
            unknown_key(v, entry_fields, sizeof(entry_fields) / sizeof(*entry_fields));
        if (bad != NULL) {
            buf_printf(err, "%s: unknown field \"%s\"", path, bad);
            goto out;
        }
        const json_t *jname = json_object_get(v, "name");
        const json_t *jarn = json_object_get(v, "arn");
        const json_t *jkind = json_object_get(v, "kind");
        if (jname != NULL && !json_is_string(jname)) {
            buf_printf(err, "%s: \"name\" must be a string", path);
            goto out;
        }
        if (jarn != NULL && !json_is_string(jarn)) {
            buf_printf(err, "%s: \"arn\" must be a string", path);
            goto out;
        }
        if (jkind != NULL && (!json_is_string(jkind) ||
                              policy_json_kind_from_name(json_string_value(jkind), &kind))) {
            buf_printf(err, "%s: \"kind\" must be the name of a policy kind", path);
            goto out;
        }
        if (jname != NULL) {
            name = json_string_value(jname);
        }
        if (jarn != NULL) {
            arn = json_string_value(jarn);
        }
        doc = json_object_get(v, "policy");
    }

    const char *text;
    size_t text_len;
    if (json_is_string(doc)) {
        text = json_string_value(doc);
        text_len = json_string_length(doc);
    } else if (json_is_object(doc)) {
        dumped = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (dumped == NULL) {
            buf_printf(err, "%s: the policy document cannot be serialised", path);
            goto out;
        }
        text = dumped;
        text_len = strlen(dumped);
    } else {
        buf_printf(err,
                   "%s: a policy must be a JSON object, a string holding one, or an entry "
                   "{\"name\", \"policy\", \"arn\"}",
                   path);
        goto out;
    }

    struct policy *p = NULL;
    struct policy_error perr = {0};
    if (policy_parse(text, text_len, kind, name, arn, &p, &perr) != 0) {
        if (strcmp(name, path) == 0) {
            buf_printf(err, "%s: %s: %s", path, error_code_name(perr.code), perr.message);
        } else {
            buf_printf(err, "%s (%s): %s: %s", path, name, error_code_name(perr.code),
                       perr.message);
        }
        goto out;
    }
    sim_own(s, p);
    *out = p;
    rc = 0;
out:
    free(dumped);
    return rc;
}

// Compiles a list of policies (a JSON array) into *out/*count, allocated from the arena.
static int load_list(struct sim *s, const json_t *v, enum policy_kind kind, const char *field,
                     struct buf *err, const struct policy ***out, size_t *count)
{
    if (!json_is_array(v)) {
        buf_printf(err, "\"%s\" must be a list of policies", field);
        return -1;
    }
    size_t n = json_array_size(v);
    const struct policy **items = arena_calloc(&s->arena, n ? n : 1, sizeof(*items));
    for (size_t i = 0; i < n; i++) {
        char path[96];
        snprintf(path, sizeof(path), "%s[%zu]", field, i);
        if (load_policy(s, json_array_get(v, i), kind, sim_strdup(s, path), err, &items[i])) {
            return -1;
        }
    }
    *out = items;
    *count = n;
    return 0;
}

// Compiles organization levels (a list, root first, of lists of policies).
static int load_levels(struct sim *s, const json_t *v, enum policy_kind kind, const char *field,
                       struct buf *err, const struct policy_level **out, size_t *count)
{
    if (!json_is_array(v)) {
        buf_printf(err, "\"%s\" must be a list of organization levels, root first", field);
        return -1;
    }
    size_t n = json_array_size(v);
    struct policy_level *levels = arena_calloc(&s->arena, n ? n : 1, sizeof(*levels));
    for (size_t i = 0; i < n; i++) {
        const json_t *level = json_array_get(v, i);
        char path[96];
        snprintf(path, sizeof(path), "%s[%zu]", field, i);
        if (!json_is_array(level)) {
            buf_printf(err, "%s: an organization level must be a list of policies", path);
            return -1;
        }
        const struct policy **items = NULL;
        if (load_list(s, level, kind, sim_strdup(s, path), err, &items, &levels[i].count)) {
            return -1;
        }
        levels[i].policies = items;
    }
    *out = levels;
    *count = n;
    return 0;
}

// Renders a JSON scalar as the string value of a condition key.
static const char *scalar_text(struct sim *s, const json_t *v)
{
    char tmp[64];
    if (json_is_string(v)) {
        return json_string_value(v);
    }
    if (json_is_true(v)) {
        return "true";
    }
    if (json_is_false(v)) {
        return "false";
    }
    if (json_is_integer(v)) {
        snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return sim_strdup(s, tmp);
    }
    if (json_is_real(v)) {
        snprintf(tmp, sizeof(tmp), "%.15g", json_real_value(v));
        return sim_strdup(s, tmp);
    }
    return NULL;
}

// Fills the request context from the "context" object: a key maps to a value (string, number or
// boolean) or to a list of values, which makes it multivalued.
static int load_context(struct sim *s, const json_t *v, struct buf *err)
{
    if (!json_is_object(v)) {
        buf_puts(err, "\"context\" must be an object mapping condition keys to values");
        return -1;
    }
    const char *key;
    json_t *value;
    json_t *o = (json_t *)v; // iteration does not modify the object
    json_object_foreach(o, key, value)
    {
        if (json_is_array(value)) {
            size_t n = json_array_size(value);
            const char **vals = arena_calloc(&s->arena, n ? n : 1, sizeof(*vals));
            for (size_t i = 0; i < n; i++) {
                vals[i] = scalar_text(s, json_array_get(value, i));
                if (vals[i] == NULL) {
                    buf_printf(err,
                               "context \"%s\": list values must be strings, numbers or "
                               "booleans",
                               key);
                    return -1;
                }
            }
            policy_context_set_list(s->ctx, key, vals, n);
            continue;
        }
        const char *text = scalar_text(s, value);
        if (text == NULL) {
            buf_printf(err,
                       "context \"%s\": the value must be a string, a number, a boolean or "
                       "a list of those",
                       key);
            return -1;
        }
        policy_context_set(s->ctx, key, text);
    }
    return 0;
}

// Returns the string member field of in, NULL when absent; sets *bad when present but not a
// string.
static const char *opt_string(const json_t *in, const char *field, struct buf *err, bool *bad)
{
    const json_t *v = json_object_get(in, field);
    if (v == NULL) {
        return NULL;
    }
    if (!json_is_string(v)) {
        buf_printf(err, "\"%s\" must be a string", field);
        *bad = true;
        return NULL;
    }
    return json_string_value(v);
}

// The kind a resource-based policy has for this action: a role trust policy for the AssumeRole
// family, a key policy for KMS, another resource policy otherwise.
static enum policy_kind resource_kind_for(const char *action)
{
    if (strncasecmp(action, "sts:assumerole", strlen("sts:assumerole")) == 0) {
        return POLICY_KIND_TRUST;
    }
    if (strncasecmp(action, "kms:", strlen("kms:")) == 0) {
        return POLICY_KIND_KEY;
    }
    return POLICY_KIND_RESOURCE;
}

static json_t *match_list(const struct policy_match *m, size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; i < count && i < POLICY_MAX_MATCHES; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "type", json_string(policy_type_name(m[i].type)));
        json_object_set_new(o, "policy", json_string(policy_name(m[i].policy)));
        if (m[i].sid != NULL) {
            json_object_set_new(o, "sid", json_string(m[i].sid));
        } else {
            json_object_set_new(o, "statementIndex", json_integer(m[i].statement_index));
        }
        json_array_append_new(list, o);
    }
    return list;
}

// Renders a decision as the simulator's output object.
static json_t *render(const struct policy_decision *d, const struct policy_request *req)
{
    json_t *o = json_object();
    json_object_set_new(o, "decision", json_string(policy_result_name(d->result)));
    json_t *blocked = json_array();
    for (size_t i = 0; i < sizeof(type_order) / sizeof(*type_order); i++) {
        if (d->blocked_by & type_order[i]) {
            json_array_append_new(blocked, json_string(policy_type_name(type_order[i])));
        }
    }
    json_object_set_new(o, "blockedBy", blocked);
    json_object_set_new(o, "allowedBy", match_list(d->allowed_by, d->allowed_count));
    json_object_set_new(o, "deniedBy", match_list(d->denied_by, d->denied_count));

    char small[512];
    size_t need = policy_decision_message(d, req, small, sizeof(small));
    if (need < sizeof(small)) {
        json_object_set_new(o, "message", json_string(small));
    } else {
        char *big = sb_xmalloc(need + 1);
        policy_decision_message(d, req, big, need + 1);
        json_object_set_new(o, "message", json_string(big));
        free(big);
    }
    return o;
}

// Compiles every policy field of the input into set.
static int load_policies(struct sim *s, const json_t *in, struct policy_set *set, struct buf *err)
{
    const json_t *v;
    const struct policy **list = NULL;

    v = json_object_get(in, "identityPolicies");
    if (v != NULL) {
        if (load_list(s, v, POLICY_KIND_IDENTITY, "identityPolicies", err, &list,
                      &set->identity_count)) {
            return -1;
        }
        set->identity = list;
    }
    v = json_object_get(in, "resourcePolicy");
    if (v != NULL && !json_is_null(v)) {
        const struct policy *p = NULL;
        if (load_policy(s, v, s->resource_kind, "resourcePolicy", err, &p)) {
            return -1;
        }
        set->resource = p;
    }
    v = json_object_get(in, "permissionBoundaries");
    if (v != NULL) {
        if (load_list(s, v, POLICY_KIND_BOUNDARY, "permissionBoundaries", err, &list,
                      &set->boundary_count)) {
            return -1;
        }
        set->boundaries = list;
    }
    v = json_object_get(in, "sessionPolicy");
    if (v != NULL && !json_is_null(v)) {
        if (json_is_array(v)) {
            if (load_list(s, v, POLICY_KIND_SESSION, "sessionPolicy", err, &list,
                          &set->session_count)) {
                return -1;
            }
        } else {
            list = arena_calloc(&s->arena, 1, sizeof(*list));
            if (load_policy(s, v, POLICY_KIND_SESSION, "sessionPolicy", err, &list[0])) {
                return -1;
            }
            set->session_count = 1;
        }
        set->session = list;
    }
    v = json_object_get(in, "serviceControlPolicies");
    if (v != NULL) {
        if (load_levels(s, v, POLICY_KIND_SCP, "serviceControlPolicies", err, &set->scp,
                        &set->scp_level_count)) {
            return -1;
        }
    }
    v = json_object_get(in, "resourceControlPolicies");
    if (v != NULL) {
        if (load_levels(s, v, POLICY_KIND_RCP, "resourceControlPolicies", err, &set->rcp,
                        &set->rcp_level_count)) {
            return -1;
        }
    }
    v = json_object_get(in, "endpointPolicies");
    if (v != NULL) {
        if (load_list(s, v, POLICY_KIND_ENDPOINT, "endpointPolicies", err, &list,
                      &set->endpoint_count)) {
            return -1;
        }
        set->endpoint = list;
    }
    return 0;
}

// Looks up a policy kind by its simulator name; see policy_json.h.
int policy_json_kind_from_name(const char *name, enum policy_kind *out)
{
    for (int k = 0; k < POLICY_KIND_COUNT; k++) {
        const char *kn = policy_kind_name((enum policy_kind)k);
        if (kn != NULL && strcasecmp(kn, name) == 0) {
            *out = (enum policy_kind)k;
            return 0;
        }
    }
    return -1;
}

// Evaluates one simulator input object; see policy_json.h.
json_t *policy_json_simulate_value(const json_t *in, struct buf *err)
{
    json_t *result = NULL;
    char *pstore = NULL;
    struct sim s = {0};
    arena_init(&s.arena, NULL, 0);
    s.ctx = policy_context_new();

    if (!json_is_object(in)) {
        buf_puts(err, "the input must be a JSON object (or an array of objects)");
        goto out;
    }
    const char *bad_key =
        unknown_key(in, input_fields, sizeof(input_fields) / sizeof(*input_fields));
    if (bad_key != NULL) {
        buf_printf(err, "unknown field \"%s\"", bad_key);
        goto out;
    }

    bool bad = false;
    const char *action = opt_string(in, "action", err, &bad);
    const char *resource = opt_string(in, "resource", err, &bad);
    const char *resource_account = opt_string(in, "resourceAccount", err, &bad);
    const char *principal_text = opt_string(in, "principal", err, &bad);
    const char *identity_arn = opt_string(in, "principalIdentityArn", err, &bad);
    if (bad) {
        goto out;
    }
    if (action == NULL || action[0] == '\0') {
        buf_puts(err, "missing \"action\" (e.g. \"s3:GetObject\")");
        goto out;
    }
    if (principal_text == NULL || principal_text[0] == '\0') {
        buf_puts(err, "missing \"principal\" (an ARN, \"anonymous\" or a service principal)");
        goto out;
    }
    if (resource == NULL) {
        resource = "*";
    }
    s.action = action;
    s.resource_kind = resource_kind_for(action);

    bool grant = false;
    const json_t *jgrant = json_object_get(in, "kmsGrantAllows");
    if (jgrant != NULL) {
        if (!json_is_boolean(jgrant)) {
            buf_puts(err, "\"kmsGrantAllows\" must be true or false");
            goto out;
        }
        grant = json_is_true(jgrant);
    }

    struct policy_request req = {
        .action = action,
        .resource = resource,
        .resource_account = resource_account,
        .context = s.ctx,
    };
    // The principal's ARN, account and identity ARN are stored here; each is at most the text.
    size_t pstore_len = 3 * strlen(principal_text) + 128;
    pstore = sb_xmalloc(pstore_len);
    if (policy_principal_parse(principal_text, &req.principal, pstore, pstore_len) != 0) {
        buf_printf(err,
                   "\"principal\": \"%s\" is not an IAM or STS principal ARN, \"anonymous\" or "
                   "a service principal",
                   principal_text);
        goto out;
    }
    if (identity_arn != NULL) {
        // The role of a session whose role has a path, or the IAM user behind a federated user:
        // neither can be derived from the session's ARN.
        if (req.principal.type != POLICY_PRINCIPAL_ROLE_SESSION &&
            req.principal.type != POLICY_PRINCIPAL_FEDERATED_USER) {
            buf_puts(err, "\"principalIdentityArn\" applies only to role sessions and federated "
                          "users");
            goto out;
        }
        req.principal.identity_arn = identity_arn;
    }

    const json_t *jctx = json_object_get(in, "context");
    if (jctx != NULL && load_context(&s, jctx, err)) {
        goto out;
    }
    // Keys given explicitly win: these are added only where the input left them unset.
    policy_context_add_principal_keys(s.ctx, &req.principal);

    struct policy_set set = {.kms_grant_allows = grant};
    if (load_policies(&s, in, &set, err)) {
        goto out;
    }
    req.principal.has_boundary = set.boundary_count > 0;

    struct policy_decision d;
    policy_evaluate(&req, &set, &d);
    result = render(&d, &req);
out:
    for (size_t i = 0; i < s.owned_count; i++) {
        policy_free(s.owned[i]);
    }
    free(s.owned);
    policy_context_free(s.ctx);
    free(pstore);
    arena_release(&s.arena);
    return result;
}

// Parses and evaluates simulator input text; see policy_json.h.
int policy_json_simulate(const char *in, size_t in_len, struct buf *out, struct buf *err)
{
    int rc = -1;
    json_t *output = NULL;
    char *text = NULL;
    json_error_t jerr;
    json_t *input = json_loadb(in, in_len, JSON_REJECT_DUPLICATES, &jerr);
    if (input == NULL) {
        buf_printf(err, "invalid JSON at line %d, column %d: %s", jerr.line, jerr.column,
                   jerr.text);
        goto out;
    }
    if (json_is_array(input)) {
        output = json_array();
        for (size_t i = 0; i < json_array_size(input); i++) {
            struct buf e = BUF_INIT;
            json_t *one = policy_json_simulate_value(json_array_get(input, i), &e);
            if (one == NULL) {
                buf_printf(err, "[%zu] %s", i, buf_cstr(&e));
                buf_free(&e);
                goto out;
            }
            buf_free(&e);
            json_array_append_new(output, one);
        }
    } else {
        output = policy_json_simulate_value(input, err);
        if (output == NULL) {
            goto out;
        }
    }
    text = json_dumps(output, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text == NULL) {
        buf_puts(err, "the decision cannot be serialised");
        goto out;
    }
    buf_puts(out, text);
    buf_putc(out, '\n');
    rc = 0;
out:
    free(text);
    json_decref(output);
    json_decref(input);
    return rc;
}
