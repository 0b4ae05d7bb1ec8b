// SPDX-License-Identifier: Apache-2.0
// IAM's policy simulator: SimulatePrincipalPolicy and SimulateCustomPolicy (IAM API Reference;
// IAM User Guide, "Testing IAM policies with the IAM policy simulator"), answered by the policy
// engine with the same evaluation as real requests.
//
// The response follows what IAM returns: one EvaluationResult per action, with the resource when
// one was given (or "*"), the decision ("allowed", "explicitDeny", "implicitDeny"), the matched
// statements with their source policy and position in the document, the condition keys that the
// policies use but the request did not supply (MissingContextValues), EvalDecisionDetails when a
// resource is named, the permissions boundary's part, and, when ResourceArns is given, one
// ResourceSpecificResult per resource. Results are paginated with Marker/MaxItems.
//
// What the simulator evaluates: the principal's policies (a user's inline, attached and group
// policies; a group's or a role's inline and attached policies; the permissions boundary) plus
// PolicyInputList, or only PolicyInputList for SimulateCustomPolicy; the boundary given in
// PermissionsBoundaryPolicyInputList replaces the entity's; ResourcePolicy applies to every
// resource. Only the context entries of the request are in the context, as in IAM.
#include "svc/iam/iam_common.h"
#include "core/jsonload.h"
#include "svc/iam/identity.h"
#include "svc/registry.h"

#include "core/wildcard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// One policy of a simulation.
struct sim_doc {
    const char *text;    // the document, for statement positions
    const char *id;      // SourcePolicyId
    const char *type;    // SourcePolicyType
    enum policy_type as; // identity, boundary or resource
    struct policy *p;    // compiled (owned)
    json_t *json;        // parsed, for the condition keys (owned)
};

struct sim {
    struct svc_call *c;
    struct sim_doc *docs;
    size_t count;
    size_t cap;
    const struct policy **identity;
    size_t identity_count;
    const struct policy **boundary;
    size_t boundary_count;
    const struct policy *resource;
    struct policy_context *ctx;
    struct policy_principal principal;
    const char *resource_owner; // account id, or NULL
};

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static char *adup(struct svc_call *c, const char *s)
{
    return arena_strndup(c->arena, s, strlen(s));
}

static void sim_free(struct sim *s)
{
    for (size_t i = 0; i < s->count; i++) {
        policy_free(s->docs[i].p);
        json_decref(s->docs[i].json);
    }
    policy_context_free(s->ctx);
}

// Compiles a document into the simulation. input: the document came with the request (its
// errors are the caller's: InvalidInput), otherwise it is stored (a failure is IAM's: 500).
// Returns 0 or -1 with c->err set.
static int sim_add(struct sim *s, const char *text, const char *id, const char *type,
                   enum policy_type as, enum policy_kind kind, const char *arn, bool input)
{
    struct svc_call *c = s->c;
    if (s->count == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 8;
        struct sim_doc *n = arena_calloc(c->arena, ncap, sizeof(*n));
        if (s->count > 0) {
            memcpy(n, s->docs, s->count * sizeof(*n));
        }
        s->docs = n;
        s->cap = ncap;
    }
    struct policy *p = NULL;
    struct policy_error pe;
    if (policy_parse(text, strlen(text), kind, id, arn, &p, &pe) != 0) {
        if (input) {
            return awserr_set(&c->err, 400, "InvalidInput", "%s: %s", id, pe.message);
        }
        return awserr_set(&c->err, 500, "PolicyEvaluation",
                          "The policy %s could not be evaluated: %s", id, pe.message);
    }
    s->docs[s->count++] = (struct sim_doc){text, id, type, as, p, jsonload_str(text)};
    return 0;
}

// IAM's SourcePolicyType of a stored policy.
static const char *source_type(enum policy_kind kind)
{
    switch (kind) {
    case POLICY_KIND_INLINE_USER:
        return "user";
    case POLICY_KIND_INLINE_GROUP:
        return "group";
    case POLICY_KIND_INLINE_ROLE:
        return "role";
    case POLICY_KIND_AWS_MANAGED:
        return "aws-managed";
    default:
        return "user-managed";
    }
}

static int add_stored(struct sim *s, const struct iam_policy_docs *l, enum policy_type as)
{
    for (size_t i = 0; i < l->count; i++) {
        const struct iam_policy_doc *d = &l->items[i];
        if (sim_add(s, d->document, d->name, source_type(d->kind), as, d->kind, d->arn, false) !=
            0) {
            return -1;
        }
    }
    return 0;
}

// Reads a member of a stored JSON document into the arena.
static const char *doc_member(struct svc_call *c, const struct store_obj *o, const char *key)
{
    json_t *j = jsonload(o->doc, o->doc_len);
    const char *v = jstr(j, key) ? adup(c, jstr(j, key)) : NULL;
    json_decref(j);
    return v;
}

// A group's inline and attached policies (identity.c loads users' and roles').
static int group_policies(struct sim *s, const char *group_id, struct iam_policy_docs *l)
{
    struct svc_call *c = s->c;
    static const char *const kinds[] = {IAM_KIND_GROUP_POLICY, IAM_KIND_ATTACHMENT};
    for (size_t k = 0; k < 2; k++) {
        struct store_scope sc = {c->caller->account, "", kinds[k], false};
        struct store_list_opts lo = {.parent = group_id, .limit = STORE_LIST_MAX};
        for (;;) {
            struct store_list page;
            struct store_err e;
            int rc = store_list(c->env->store, &sc, &lo, c->arena, &page, &e);
            if (rc != 0) {
                return iam_store_error(c, rc, &e, NULL, NULL);
            }
            for (size_t i = 0; i < page.count; i++) {
                struct iam_policy_doc d = {0};
                if (k == 0) {
                    d.document = doc_member(c, &page.items[i], "PolicyDocument");
                    d.name = doc_member(c, &page.items[i], "PolicyName");
                    d.kind = POLICY_KIND_INLINE_GROUP;
                } else {
                    d.arn = doc_member(c, &page.items[i], "PolicyArn");
                    if (d.arn == NULL || iam_managed_policy_document(c, c->caller->account, d.arn,
                                                                     &d.document, &d.name) != 0) {
                        continue;
                    }
                    bool aws = strncmp(d.arn, "arn:aws:iam::aws:policy/", 24) == 0;
                    d.kind = aws ? POLICY_KIND_AWS_MANAGED : POLICY_KIND_IDENTITY;
                }
                if (d.document == NULL) {
                    continue;
                }
                if (d.name == NULL) {
                    d.name = page.items[i].id;
                }
                if (l->count == l->cap) {
                    size_t ncap = l->cap ? l->cap * 2 : 8;
                    struct iam_policy_doc *n = arena_calloc(c->arena, ncap, sizeof(*n));
                    if (l->count > 0) {
                        memcpy(n, l->items, l->count * sizeof(*n));
                    }
                    l->items = n;
                    l->cap = ncap;
                }
                l->items[l->count++] = d;
            }
            if (!page.truncated) {
                break;
            }
            lo.marker = page.next_marker;
        }
    }
    return 0;
}

// The entity of PolicySourceArn: "arn:PARTITION:iam::ACCOUNT:user|group|role/PATH/NAME". Loads
// its policies into the simulation and sets the simulated principal's ARN. Returns 0 or -1 with
// c->err set (NoSuchEntity when there is no such entity in the caller's account).
static int load_source(struct sim *s, const char *arn, bool *is_user)
{
    struct svc_call *c = s->c;
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "arn:%s:iam::%s:", c->env->partition, c->caller->account);
    size_t plen = strlen(prefix);
    const char *res = strncmp(arn, prefix, plen) == 0 ? arn + plen : NULL;
    const char *what = NULL;
    const char *kind = NULL;
    if (res != NULL && strncmp(res, "user/", 5) == 0) {
        what = "user";
        kind = IAM_KIND_USER;
    } else if (res != NULL && strncmp(res, "group/", 6) == 0) {
        what = "group";
        kind = IAM_KIND_GROUP;
    } else if (res != NULL && strncmp(res, "role/", 5) == 0) {
        what = "role";
        kind = IAM_KIND_ROLE;
    }
    const char *slash = res ? strrchr(res, '/') : NULL;
    if (what == NULL || slash == NULL || slash[1] == '\0') {
        return awserr_set(&c->err, 400, "InvalidInput", "Invalid ARN: %s", arn);
    }
    const char *name = slash + 1;
    struct store_obj obj;
    json_t *doc = NULL;
    if (iam_get_named(c, kind, what, name, &obj, &doc) != 0) {
        return -1;
    }
    const char *stored = jstr(doc, "Arn");
    bool same = stored != NULL && strcmp(stored, arn) == 0;
    json_decref(doc);
    if (!same) {
        return awserr_set(&c->err, 404, "NoSuchEntity", "The %s with name %s cannot be found.",
                          what, name);
    }
    *is_user = strcmp(what, "user") == 0;
    struct iam_policy_docs identity = {0};
    struct iam_policy_docs boundary = {0};
    struct iam_policy_docs session = {0};
    if (strcmp(what, "group") == 0) {
        if (group_policies(s, obj.id, &identity) != 0) {
            return -1;
        }
    } else {
        // identity.c loads a caller's policies: simulate a caller that is this user or role.
        struct svc_caller who = {0};
        who.principal.type = *is_user ? POLICY_PRINCIPAL_USER : POLICY_PRINCIPAL_ROLE_SESSION;
        snprintf(who.account, sizeof(who.account), "%s", c->caller->account);
        snprintf(who.entity_id, sizeof(who.entity_id), "%s", obj.id);
        struct svc_call sub = *c;
        sub.caller = &who;
        if (iam_caller_policies(&sub, &identity, &boundary, &session) != 0) {
            c->err = sub.err;
            return -1;
        }
    }
    if (add_stored(s, &identity, POLICY_TYPE_IDENTITY) != 0) {
        return -1;
    }
    // A boundary given with the request replaces the entity's (added by the caller later).
    if (json_array_size(json_object_get(c->in, "PermissionsBoundaryPolicyInputList")) == 0 &&
        add_stored(s, &boundary, POLICY_TYPE_BOUNDARY) != 0) {
        return -1;
    }
    return 0;
}

// Adds PolicyInputList, PermissionsBoundaryPolicyInputList and ResourcePolicy.
static int load_inputs(struct sim *s)
{
    struct svc_call *c = s->c;
    const json_t *list = json_object_get(c->in, "PolicyInputList");
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        char id[48];
        snprintf(id, sizeof(id), "PolicyInputList.%zu", i + 1);
        if (sim_add(s, json_string_value(v), adup(c, id), "IAM Policy", POLICY_TYPE_IDENTITY,
                    POLICY_KIND_AWS_MANAGED, NULL, true) != 0) {
            return -1;
        }
    }
    list = json_object_get(c->in, "PermissionsBoundaryPolicyInputList");
    if (json_array_size(list) > 1) {
        return awserr_set(&c->err, 400, "InvalidInput",
                          "Only one permissions boundary policy may be simulated at a time.");
    }
    json_array_foreach(list, i, v)
    {
        if (sim_add(s, json_string_value(v), "PermissionsBoundaryPolicyInputList.1", "IAM Policy",
                    POLICY_TYPE_BOUNDARY, POLICY_KIND_AWS_MANAGED, NULL, true) != 0) {
            return -1;
        }
    }
    const char *rp = iam_in_str(c, "ResourcePolicy");
    if (rp != NULL && sim_add(s, rp, "ResourcePolicy", "resource", POLICY_TYPE_RESOURCE,
                              POLICY_KIND_RESOURCE, NULL, true) != 0) {
        return -1;
    }
    return 0;
}

// Fills the policy lists of the engine from the documents.
static void sim_lists(struct sim *s)
{
    struct svc_call *c = s->c;
    s->identity = arena_calloc(c->arena, s->count + 1, sizeof(void *));
    s->boundary = arena_calloc(c->arena, s->count + 1, sizeof(void *));
    for (size_t i = 0; i < s->count; i++) {
        switch (s->docs[i].as) {
        case POLICY_TYPE_IDENTITY:
            s->identity[s->identity_count++] = s->docs[i].p;
            break;
        case POLICY_TYPE_BOUNDARY:
            s->boundary[s->boundary_count++] = s->docs[i].p;
            break;
        default:
            s->resource = s->docs[i].p;
            break;
        }
    }
}

// The context of the simulation: ContextEntries, each key with its values (a list for the list
// types and for several values).
static void sim_context(struct sim *s)
{
    struct svc_call *c = s->c;
    s->ctx = policy_context_new();
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(c->in, "ContextEntries"), i, e)
    {
        const char *key = jstr(e, "ContextKeyName");
        const char *type = jstr(e, "ContextKeyType");
        const json_t *values = json_object_get(e, "ContextKeyValues");
        if (key == NULL) {
            continue;
        }
        size_t n = json_array_size(values);
        bool list = (type != NULL && strstr(type, "List") != NULL) || n > 1;
        if (!list && n == 1) {
            const char *v = json_string_value(json_array_get(values, 0));
            policy_context_set(s->ctx, key, v ? v : "");
            continue;
        }
        const char **vals = arena_calloc(c->arena, n + 1, sizeof(char *));
        for (size_t k = 0; k < n; k++) {
            const char *v = json_string_value(json_array_get(values, k));
            vals[k] = v ? v : "";
        }
        policy_context_set_list(s->ctx, key, vals, n);
    }
}

// ---- Statement positions -----------------------------------------------------------------------

static size_t skip_ws(const char *t, size_t i)
{
    while (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r') {
        i++;
    }
    return i;
}

static size_t skip_string(const char *t, size_t i)
{
    for (i++; t[i] != '\0' && t[i] != '"'; i++) {
        if (t[i] == '\\' && t[i + 1] != '\0') {
            i++;
        }
    }
    return t[i] == '"' ? i + 1 : i;
}

// Skips one JSON value starting at t[i]; returns the offset after it.
static size_t skip_value(const char *t, size_t i)
{
    if (t[i] == '"') {
        return skip_string(t, i);
    }
    if (t[i] != '{' && t[i] != '[') {
        while (t[i] != '\0' && t[i] != ',' && t[i] != '}' && t[i] != ']') {
            i++;
        }
        return i;
    }
    int depth = 0;
    while (t[i] != '\0') {
        if (t[i] == '"') {
            i = skip_string(t, i);
            continue;
        }
        if (t[i] == '{' || t[i] == '[') {
            depth++;
        } else if (t[i] == '}' || t[i] == ']') {
            depth--;
            if (depth == 0) {
                return i + 1;
            }
        }
        i++;
    }
    return i;
}

// Finds the braces of statement number index of a policy document: *open is the offset of its
// '{', *close of its '}'. Returns false when the text does not have that shape.
static bool statement_span(const char *t, uint32_t index, size_t *open, size_t *close)
{
    size_t i = skip_ws(t, 0);
    if (t[i] != '{') {
        return false;
    }
    i = skip_ws(t, i + 1);
    while (t[i] == '"') {
        size_t key = i;
        i = skip_ws(t, skip_string(t, i));
        if (t[i] != ':') {
            return false;
        }
        i = skip_ws(t, i + 1);
        bool statement = i - key >= 11 && strncmp(t + key, "\"Statement\"", 11) == 0;
        if (statement && t[i] == '{' && index == 0) {
            *open = i;
            *close = skip_value(t, i) - 1;
            return true;
        }
        if (statement && t[i] == '[') {
            size_t j = skip_ws(t, i + 1);
            for (uint32_t n = 0; t[j] != '\0' && t[j] != ']'; n++) {
                size_t end = skip_value(t, j);
                if (n == index && t[j] == '{') {
                    *open = j;
                    *close = end - 1;
                    return true;
                }
                j = skip_ws(t, end);
                if (t[j] == ',') {
                    j = skip_ws(t, j + 1);
                }
            }
            return false;
        }
        i = skip_ws(t, skip_value(t, i));
        if (t[i] == ',') {
            i = skip_ws(t, i + 1);
        }
    }
    return false;
}

// {Line, Column} of offset, both counted from 1.
static json_t *position(const char *t, size_t offset)
{
    json_int_t line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < offset && t[i] != '\0'; i++) {
        if (t[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    }
    size_t column = offset - line_start + 1;
    return json_pack("{s:I, s:I}", "Line", line, "Column", (json_int_t)column);
}

// ---- Results -----------------------------------------------------------------------------------

static const struct sim_doc *doc_of(const struct sim *s, const struct policy *p)
{
    for (size_t i = 0; i < s->count; i++) {
        if (s->docs[i].p == p) {
            return &s->docs[i];
        }
    }
    return NULL;
}

static json_t *statement_json(const struct sim *s, const struct policy_match *m)
{
    const struct sim_doc *d = doc_of(s, m->policy);
    if (d == NULL) {
        return NULL;
    }
    json_t *st = json_pack("{s:s, s:s}", "SourcePolicyId", d->id, "SourcePolicyType", d->type);
    size_t open = 0;
    size_t close = 0;
    if (statement_span(d->text, m->statement_index, &open, &close)) {
        // The start at the statement's '{', the end just past its '}' (as IAM reports them).
        json_object_set_new(st, "StartPosition", position(d->text, open));
        json_object_set_new(st, "EndPosition", position(d->text, close + 1));
    }
    return st;
}

// The statements that decided: the denying ones for an explicit deny, the allowing ones of the
// identity-based and resource-based policies for an allow, none for an implicit deny.
static json_t *matched_statements(const struct sim *s, const struct policy_decision *d)
{
    json_t *list = json_array();
    if (d->result == POLICY_EXPLICIT_DENY) {
        for (size_t i = 0; i < d->denied_count; i++) {
            json_t *st = statement_json(s, &d->denied_by[i]);
            if (st != NULL) {
                json_array_append_new(list, st);
            }
        }
    } else if (d->result == POLICY_ALLOWED) {
        for (size_t i = 0; i < d->allowed_count; i++) {
            enum policy_type t = d->allowed_by[i].type;
            json_t *st = (t == POLICY_TYPE_IDENTITY || t == POLICY_TYPE_RESOURCE)
                             ? statement_json(s, &d->allowed_by[i])
                             : NULL;
            if (st != NULL) {
                json_array_append_new(list, st);
            }
        }
    }
    return list;
}

static bool action_matches(const json_t *v, const char *action)
{
    if (json_is_string(v)) {
        const char *p = json_string_value(v);
        return wildcard_match(p, strlen(p), action, strlen(action), true);
    }
    size_t i;
    const json_t *e;
    json_array_foreach(v, i, e)
    {
        if (action_matches(e, action)) {
            return true;
        }
    }
    return false;
}

static bool has_ci(const json_t *list, const char *key)
{
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        if (strcasecmp(json_string_value(v), key) == 0) {
            return true;
        }
    }
    return false;
}

// The condition keys that the statements applying to action use and the request did not supply.
static json_t *missing_context(const struct sim *s, const char *action)
{
    json_t *out = json_array();
    for (size_t i = 0; i < s->count; i++) {
        const json_t *sts = json_object_get(s->docs[i].json, "Statement");
        json_t *one = NULL;
        if (json_is_object(sts)) {
            one = json_pack("[O]", sts);
            sts = one;
        }
        size_t k;
        const json_t *st;
        json_array_foreach(sts, k, st)
        {
            const json_t *a = json_object_get(st, "Action");
            const json_t *na = json_object_get(st, "NotAction");
            if ((a != NULL && !action_matches(a, action)) ||
                (na != NULL && action_matches(na, action))) {
                continue;
            }
            const char *op;
            const json_t *block;
            json_object_foreach((json_t *)json_object_get(st, "Condition"), op, block)
            {
                const char *key;
                const json_t *val;
                json_object_foreach((json_t *)block, key, val)
                {
                    if (!policy_context_has(s->ctx, key) && !has_ci(out, key)) {
                        json_array_append_new(out, json_string(key));
                    }
                }
            }
        }
        json_decref(one);
    }
    return out;
}

static const char *decision_name(enum policy_result r)
{
    switch (r) {
    case POLICY_ALLOWED:
        return "allowed";
    case POLICY_EXPLICIT_DENY:
        return "explicitDeny";
    default:
        return "implicitDeny";
    }
}

// The owner of a resource: ResourceOwner, else the account of its ARN ("" when it names none).
static void resource_account(const struct sim *s, const char *resource, char *out, size_t cap)
{
    out[0] = '\0';
    if (s->resource_owner != NULL) {
        snprintf(out, cap, "%s", s->resource_owner);
        return;
    }
    const char *p = resource;
    for (int field = 0; field < 4 && p != NULL; field++) {
        p = strchr(p, ':');
        p = p ? p + 1 : NULL;
    }
    if (p != NULL) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : 0;
        snprintf(out, cap, "%.*s", (int)n, p);
    }
}

// EvalDecisionDetails: absent for "*"; empty within one account; across accounts the verdict of
// each side.
static json_t *decision_details(const struct sim *s, const char *resource,
                                const struct policy_decision *d)
{
    if (strcmp(resource, "*") == 0) {
        return NULL;
    }
    char acct[64];
    resource_account(s, resource, acct, sizeof(acct));
    json_t *out = json_object();
    if (acct[0] == '\0' || strcmp(acct, s->principal.account) == 0) {
        return out;
    }
    bool id_allow = false;
    bool res_allow = false;
    bool id_deny = false;
    bool res_deny = false;
    for (size_t i = 0; i < d->allowed_count; i++) {
        id_allow = id_allow || d->allowed_by[i].type == POLICY_TYPE_IDENTITY;
        res_allow = res_allow || d->allowed_by[i].type == POLICY_TYPE_RESOURCE;
    }
    for (size_t i = 0; i < d->denied_count; i++) {
        id_deny = id_deny || d->denied_by[i].type == POLICY_TYPE_IDENTITY;
        res_deny = res_deny || d->denied_by[i].type == POLICY_TYPE_RESOURCE;
    }
    json_object_set_new(out, "IAM Policy",
                        json_string(id_deny    ? "explicitDeny"
                                    : id_allow ? "allowed"
                                               : "implicitDeny"));
    json_object_set_new(out, "Resource Policy",
                        json_string(res_deny    ? "explicitDeny"
                                    : res_allow ? "allowed"
                                                : "implicitDeny"));
    return out;
}

static enum policy_result evaluate(struct sim *s, const char *action, const char *resource,
                                   struct policy_decision *d)
{
    struct policy_set set = {
        .identity = s->identity,
        .identity_count = s->identity_count,
        .boundaries = s->boundary,
        .boundary_count = s->boundary_count,
        .resource = s->resource,
    };
    char acct[64];
    resource_account(s, resource, acct, sizeof(acct));
    struct policy_request req = {
        .action = action,
        .resource = resource,
        .resource_account = s->resource_owner ? acct : NULL,
        .principal = s->principal,
        .context = s->ctx,
    };
    req.principal.has_boundary = s->boundary_count > 0;
    return policy_evaluate(&req, &set, d);
}

// One EvaluationResult: the action on every resource of the request.
static json_t *evaluate_action(struct sim *s, const char *action, const json_t *resources)
{
    size_t n = json_array_size(resources);
    json_t *r = json_object();
    json_object_set_new(r, "EvalActionName", json_string(action));
    if (n == 0) {
        struct policy_decision d;
        enum policy_result res = evaluate(s, action, "*", &d);
        json_object_set_new(r, "EvalResourceName", json_string("*"));
        json_object_set_new(r, "EvalDecision", json_string(decision_name(res)));
        json_object_set_new(r, "MatchedStatements", matched_statements(s, &d));
        json_object_set_new(r, "MissingContextValues", missing_context(s, action));
        if (s->boundary_count > 0) {
            json_object_set_new(r, "PermissionsBoundaryDecisionDetail",
                                json_pack("{s:b}", "AllowedByPermissionsBoundary",
                                          (d.blocked_by & POLICY_TYPE_BOUNDARY) == 0));
        }
        return r;
    }
    // Across several resources the overall decision is an explicit deny if any resource is
    // explicitly denied, else allowed if any is allowed.
    json_t *specific = json_array();
    bool any_deny = false;
    bool any_allow = false;
    json_t *first_matched = NULL;
    json_t *first_details = NULL;
    json_t *first_boundary = NULL;
    size_t i;
    const json_t *rv;
    json_array_foreach(resources, i, rv)
    {
        const char *resource = json_string_value(rv);
        struct policy_decision d;
        enum policy_result res = evaluate(s, action, resource, &d);
        any_deny = any_deny || res == POLICY_EXPLICIT_DENY;
        any_allow = any_allow || res == POLICY_ALLOWED;
        json_t *one =
            json_pack("{s:s, s:s, s:o, s:o}", "EvalResourceName", resource, "EvalResourceDecision",
                      decision_name(res), "MatchedStatements", matched_statements(s, &d),
                      "MissingContextValues", missing_context(s, action));
        json_t *details = decision_details(s, resource, &d);
        if (details != NULL && json_object_size(details) > 0) {
            json_object_set(one, "EvalDecisionDetails", details);
        }
        json_t *boundary = NULL;
        if (s->boundary_count > 0) {
            boundary = json_pack("{s:b}", "AllowedByPermissionsBoundary",
                                 (d.blocked_by & POLICY_TYPE_BOUNDARY) == 0);
            json_object_set(one, "PermissionsBoundaryDecisionDetail", boundary);
        }
        if (i == 0) {
            first_matched = json_incref(json_object_get(one, "MatchedStatements"));
            first_details = details;
            first_boundary = boundary;
        } else {
            json_decref(details);
            json_decref(boundary);
        }
        json_array_append_new(specific, one);
    }
    json_object_set_new(
        r, "EvalResourceName",
        json_string(n == 1 ? json_string_value(json_array_get(resources, 0)) : "*"));
    json_object_set_new(r, "EvalDecision",
                        json_string(decision_name(any_deny    ? POLICY_EXPLICIT_DENY
                                                  : any_allow ? POLICY_ALLOWED
                                                              : POLICY_IMPLICIT_DENY)));
    if (n == 1) {
        json_object_set_new(r, "MatchedStatements", first_matched);
    } else {
        json_decref(first_matched);
        json_object_set_new(r, "MatchedStatements", json_array());
    }
    json_object_set_new(r, "MissingContextValues", json_array());
    if (first_details != NULL) {
        json_object_set_new(r, "EvalDecisionDetails", first_details);
    }
    if (first_boundary != NULL) {
        json_object_set_new(r, "PermissionsBoundaryDecisionDetail", first_boundary);
    }
    json_object_set_new(r, "ResourceSpecificResults", specific);
    return r;
}

// Evaluates every action and writes the requested page of results into c->out (the policy lists
// are filled).
static int run(struct sim *s)
{
    struct svc_call *c = s->c;
    const json_t *actions = json_object_get(c->in, "ActionNames");
    const json_t *resources = json_object_get(c->in, "ResourceArns");
    struct iam_page page;
    iam_page_in(c, &page);
    size_t start = 0;
    if (page.marker != NULL) {
        char *end = NULL;
        unsigned long v = strtoul(page.marker, &end, 10);
        if (end == page.marker || *end != '\0' || v > json_array_size(actions)) {
            return awserr_set(&c->err, 400, "InvalidInput", "Invalid Marker.");
        }
        start = (size_t)v;
    }
    size_t total = json_array_size(actions);
    size_t stop = start + page.limit < total ? start + page.limit : total;
    json_t *results = json_array();
    for (size_t i = start; i < stop; i++) {
        const char *action = json_string_value(json_array_get(actions, i));
        json_array_append_new(results, evaluate_action(s, action, resources));
    }
    c->out = json_object();
    json_object_set_new(c->out, "EvaluationResults", results);
    json_object_set_new(c->out, "IsTruncated", json_boolean(stop < total));
    if (stop < total) {
        char marker[32];
        snprintf(marker, sizeof(marker), "%zu", stop);
        json_object_set_new(c->out, "Marker", json_string(marker));
    }
    return 0;
}

// ResourceOwner: an account id, or an ARN naming one ("arn:aws:iam::123456789012:root").
static const char *owner_account(struct svc_call *c)
{
    const char *o = iam_in_str(c, "ResourceOwner");
    if (o == NULL || strncmp(o, "arn:", 4) != 0) {
        return o;
    }
    const char *p = o;
    for (int field = 0; field < 4 && p != NULL; field++) {
        p = strchr(p, ':');
        p = p ? p + 1 : NULL;
    }
    const char *end = p ? strchr(p, ':') : NULL;
    return end ? arena_strndup(c->arena, p, (size_t)(end - p)) : o;
}

// Sets the simulated caller: CallerArn, else the entity's ARN (users), else the caller of the
// API. Its type is an IAM user's, so that identity policies decide as they do for users.
static int set_principal(struct sim *s, const char *source_arn, bool source_is_user)
{
    struct svc_call *c = s->c;
    const char *caller_arn = iam_in_str(c, "CallerArn");
    if (caller_arn == NULL && s->resource != NULL && !source_is_user) {
        return awserr_set(&c->err, 400, "InvalidInput",
                          "CallerArn must be specified when a ResourcePolicy is included and the "
                          "PolicySourceArn is not an IAM user.");
    }
    const char *arn = caller_arn ? caller_arn : source_is_user ? source_arn : c->caller->arn;
    s->principal.type = POLICY_PRINCIPAL_USER;
    s->principal.arn = arn;
    s->principal.account = c->caller->account;
    s->principal.identity_arn = NULL;
    return 0;
}

// SimulatePrincipalPolicy: the policies of a user, group or role, plus PolicyInputList.
static int simulate_principal_policy(struct svc_call *c)
{
    const char *source = iam_in_str(c, "PolicySourceArn");
    if (svc_authorize(c, "iam:SimulatePrincipalPolicy", source, NULL, NULL) != 0) {
        return -1;
    }
    struct sim s = {.c = c, .resource_owner = owner_account(c)};
    bool is_user = false;
    int rc = -1;
    if (load_source(&s, source, &is_user) != 0 || load_inputs(&s) != 0) {
        goto out;
    }
    sim_lists(&s);
    if (set_principal(&s, source, is_user) != 0) {
        goto out;
    }
    sim_context(&s);
    rc = run(&s);
out:
    sim_free(&s);
    return rc;
}

// SimulateCustomPolicy: only the policies of the request.
static int simulate_custom_policy(struct svc_call *c)
{
    if (svc_authorize(c, "iam:SimulateCustomPolicy", "*", NULL, NULL) != 0) {
        return -1;
    }
    struct sim s = {.c = c, .resource_owner = owner_account(c)};
    int rc = -1;
    if (load_inputs(&s) != 0) {
        goto out;
    }
    sim_lists(&s);
    if (set_principal(&s, NULL, false) != 0) {
        goto out;
    }
    sim_context(&s);
    rc = run(&s);
out:
    sim_free(&s);
    return rc;
}

const struct svc_handler iam_simulate_handlers[] = {
    {"SimulateCustomPolicy", simulate_custom_policy},
    {"SimulatePrincipalPolicy", simulate_principal_policy},
    {NULL, NULL},
};
