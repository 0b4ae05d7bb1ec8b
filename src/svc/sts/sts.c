// SPDX-License-Identifier: Apache-2.0
// AWS Security Token Service (Query protocol, API 2011-06-15): who is calling, and temporary
// credentials (STS API Reference: GetCallerIdentity, AssumeRole, GetSessionToken; IAM User Guide:
// "Passing session tags in AWS STS", "Monitor and control actions taken with assumed roles",
// "Session policies", "Role chaining").
//
// GetCallerIdentity needs no permission and cannot be denied; the policy engine knows that rule,
// and the call still goes through svc_authorize so that every operation is decided in one place.
// AssumeRole is decided by the engine with the role's trust policy as the resource-based policy
// (POLICY_KIND_TRUST): the trust policy must allow, and within the account a trust policy that
// names the account hands the decision to the caller's identity policies. GetSessionToken is an
// authentication operation that no policy controls (STS API Reference, "GetSessionToken").
//
// Temporary credentials are sts.session objects laid out as iam_store.h describes; the auth layer
// finds them by their access key id (key2), checks the session token and the expiration, and
// resolves the caller from the session document.
#include "svc/iam/iam_common.h"
#include "core/jsonload.h"
#include "svc/iam/identity.h"
#include "svc/registry.h"

#include "core/ids.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// AssumeRole: the session length unless DurationSeconds says otherwise, and the limit of a
// session created from temporary credentials (role chaining), in seconds.
#define ROLE_DEFAULT_DURATION 3600
#define ROLE_CHAINING_MAX     3600

// GetSessionToken: the default for IAM users, and the limit (and default) for the account root.
#define SESSION_DEFAULT_DURATION 43200
#define SESSION_ROOT_MAX         3600

// At most this many managed session policies (STS API Reference, AssumeRole, PolicyArns).
#define MAX_POLICY_ARNS 10

// The packed-size budget of session policies, policy ARNs and session tags, in estimated packed
// bytes. AWS does not document its packed format; this budget reproduces the figure of the STS API
// Reference's AssumeRole example (a 101-character session policy packs to 6 percent).
#define PACKED_LIMIT 1700

// Random bytes in a session token (the token is their base64 text after a fixed prefix, about
// as long as AWS's tokens).
#define TOKEN_RANDOM_BYTES 720

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static char *adup(struct svc_call *c, const char *s)
{
    return arena_strndup(c->arena, s, strlen(s));
}

// A random session token: AWS's tokens are base64 text; this one is the base64 of random bytes
// behind the prefix AWS's current tokens share.
static const char *new_session_token(struct svc_call *c)
{
    static const char prefix[] = "IQoJb3JpZ2luX2Vj";
    unsigned char raw[TOKEN_RANDOM_BYTES];
    ids_random_bytes(raw, sizeof(raw));
    size_t cap = sizeof(prefix) + 4 * ((sizeof(raw) + 2) / 3) + 1;
    char *out = arena_alloc(c->arena, cap);
    memcpy(out, prefix, sizeof(prefix) - 1);
    EVP_EncodeBlock((unsigned char *)out + sizeof(prefix) - 1, raw, (int)sizeof(raw));
    return out;
}

// The stored session of the key that signed the request, when it is a temporary key: returns its
// parsed document (the caller json_decref()s it), NULL for a long-term key. On a store failure
// returns NULL with c->err set (500).
static json_t *caller_session(struct svc_call *c, bool *failed)
{
    *failed = false;
    if (c->caller->session_doc != NULL) {
        return jsonload_str(c->caller->session_doc);
    }
    struct store_obj o;
    struct store_err e;
    int rc = store_get_by_key2(c->env->store, STS_KIND_SESSION, c->caller->access_key_id, c->arena,
                               &o, &e);
    if (rc == SB_ENOTFOUND) {
        return NULL;
    }
    if (rc != 0) {
        *failed = true;
        iam_store_error(c, rc, &e, NULL, NULL);
        return NULL;
    }
    json_t *doc = jsonload(o.doc, o.doc_len);
    return doc != NULL ? doc : json_object();
}

// Stores a new session document under a new ASIA key of account, child of parent, and fills the
// Credentials structure of the response. doc receives the credential members. Returns 0 or -1
// with c->err set.
static int store_session(struct svc_call *c, const char *account, const char *parent, json_t *doc,
                         time_t expiration, json_t **credentials)
{
    const char *akid = iam_new_id(c, "ASIA");
    char secret[41];
    ids_secret_key(secret);
    const char *token = new_session_token(c);
    json_object_set_new(doc, "AccessKeyId", json_string(akid));
    json_object_set_new(doc, "SecretAccessKey", json_string(secret));
    json_object_set_new(doc, "SessionToken", json_string(token));
    json_object_set_new(doc, "Expiration", json_integer((json_int_t)expiration));
    json_object_set_new(doc, "Account", json_string(account));
    struct store_obj o = {
        .account = account,
        .region = "",
        .kind = STS_KIND_SESSION,
        .id = akid,
        .parent = parent,
        .key2 = akid,
    };
    if (iam_put(c, &o, doc, STORE_CREATE, NULL, NULL) != 0) {
        return -1;
    }
    *credentials = json_pack("{s:s, s:s, s:s, s:I}", "AccessKeyId", akid, "SecretAccessKey", secret,
                             "SessionToken", token, "Expiration", (json_int_t)expiration);
    return 0;
}

// ---- AssumeRole ------------------------------------------------------------------------------

// The parts of a role ARN "arn:PARTITION:iam::ACCOUNT:role/PATH/NAME". AWS accepts any ARN of
// six colon-separated fields (a well-formed ARN that names no role is refused like a role that
// does not exist); anything else is a ValidationError.
struct role_ref {
    bool well_formed; // six fields, the last without ':'
    bool names_role;  // iam, 12-digit account, "role/..." resource
    char account[16];
    const char *name; // after the last '/' of the resource (in the arena)
};

static void parse_role_arn(struct svc_call *c, const char *arn, struct role_ref *r)
{
    memset(r, 0, sizeof(*r));
    const char *f[6];
    size_t len[6];
    const char *p = arn;
    for (int i = 0; i < 6; i++) {
        const char *colon = i < 5 ? strchr(p, ':') : NULL;
        f[i] = p;
        len[i] = colon ? (size_t)(colon - p) : strlen(p);
        if (i < 5 && colon == NULL) {
            return;
        }
        p = colon ? colon + 1 : p + len[i];
    }
    // arn : partition(+) : service(+) : region(*) : account(*) : resource(+, no ':')
    if (len[0] != 3 || strncmp(f[0], "arn", 3) != 0 || len[1] == 0 || len[2] == 0 || len[5] == 0 ||
        strchr(f[5], ':') != NULL) {
        return;
    }
    r->well_formed = true;
    bool digits = len[4] == 12;
    for (size_t i = 0; digits && i < 12; i++) {
        digits = f[4][i] >= '0' && f[4][i] <= '9';
    }
    if (len[2] != 3 || strncmp(f[2], "iam", 3) != 0 || len[3] != 0 || !digits ||
        strncmp(f[5], "role/", 5) != 0) {
        return;
    }
    const char *slash = strrchr(f[5], '/');
    if (slash[1] == '\0') {
        return;
    }
    memcpy(r->account, f[4], 12);
    r->account[12] = '\0';
    r->name = adup(c, slash + 1);
    r->names_role = true;
}

// Loads the role an ARN names, when it exists with exactly that ARN (path included). Returns 1
// with *role (the caller json_decref()s it) and *obj filled, 0 when there is no such role, -1 on
// a store failure (c->err set).
static int load_role(struct svc_call *c, const char *arn, const struct role_ref *r,
                     struct store_obj *obj, json_t **role)
{
    *role = NULL;
    if (!r->names_role) {
        return 0;
    }
    struct store_scope sc = {r->account, "", IAM_KIND_ROLE, true};
    struct store_err e;
    int rc = store_get_by_name(c->env->store, &sc, r->name, c->arena, obj, &e);
    if (rc == SB_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return iam_store_error(c, rc, &e, NULL, NULL);
    }
    json_t *doc = jsonload(obj->doc, obj->doc_len);
    const char *stored = jstr(doc, "Arn");
    if (doc == NULL || stored == NULL || strcmp(stored, arn) != 0) {
        json_decref(doc); // the same name under another path, or another case: not this role
        return 0;
    }
    *role = doc;
    return 1;
}

// An estimate of the packed size of a policy document: whitespace outside strings is dropped, a
// string that already appeared costs two bytes (a back reference), anything else one byte a
// character.
static size_t packed_policy_bytes(struct svc_call *c, const char *doc)
{
    size_t n = strlen(doc);
    const char **seen = arena_calloc(c->arena, n / 2 + 1, sizeof(char *));
    size_t *seen_len = arena_calloc(c->arena, n / 2 + 1, sizeof(size_t));
    size_t seen_count = 0;
    size_t bytes = 0;
    for (size_t i = 0; i < n;) {
        char ch = doc[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            i++;
            continue;
        }
        if (ch != '"') {
            bytes++;
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && doc[j] != '"') {
            j += doc[j] == '\\' ? 2 : 1;
        }
        j = j < n ? j + 1 : n;
        size_t len = j - i;
        bool repeat = false;
        for (size_t k = 0; k < seen_count && !repeat; k++) {
            repeat = seen_len[k] == len && memcmp(seen[k], doc + i, len) == 0;
        }
        if (repeat) {
            bytes += 2;
        } else {
            bytes += len;
            seen[seen_count] = doc + i;
            seen_len[seen_count] = len;
            seen_count++;
        }
        i = j;
    }
    return bytes;
}

static int percent_of_budget(size_t bytes)
{
    return (int)((bytes * 100 + PACKED_LIMIT - 1) / PACKED_LIMIT);
}

// Finds a tag by key, case-insensitively (session tag keys are not case sensitive).
static const json_t *find_tag(const json_t *tags, const char *key)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = jstr(t, "Key");
        if (k != NULL && strcasecmp(k, key) == 0) {
            return t;
        }
    }
    return NULL;
}

static bool list_has_ci(const json_t *list, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        if (json_is_string(v) && strcasecmp(json_string_value(v), s) == 0) {
            return true;
        }
    }
    return false;
}

// Checks Tags and TransitiveTagKeys against each other and against the transitive tags the
// calling session passes on (IAM User Guide, "Chaining roles with session tags"). Returns 0 or -1
// with c->err set.
static int check_session_tags(struct svc_call *c, const json_t *tags, const json_t *transitive,
                              const json_t *inherited_keys)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = jstr(t, "Key");
        if (k == NULL) {
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            const char *k2 = jstr(json_array_get(tags, j), "Key");
            if (k2 != NULL && strcasecmp(k, k2) == 0) {
                return awserr_set(&c->err, 400, "InvalidParameterValue",
                                  "Duplicate tag keys found. Please note that Tag keys are case "
                                  "insensitive.");
            }
        }
        if (list_has_ci(inherited_keys, k)) {
            return awserr_set(&c->err, 400, "InvalidParameterValue",
                              "One of the specified transitive tag keys can't be set because it "
                              "conflicts with a transitive tag key from the calling session.");
        }
    }
    const json_t *key;
    json_array_foreach(transitive, i, key)
    {
        if (!json_is_string(key) || find_tag(tags, json_string_value(key)) == NULL) {
            return awserr_set(&c->err, 400, "InvalidParameterValue",
                              "The specified transitive tag key must be included in the requested "
                              "tags.");
        }
    }
    return 0;
}

// Resolves PolicyArns into their default documents in the role's account, after the inline
// policy, into the session's SessionPolicies list. Returns 0 or -1 with c->err set.
static int managed_session_policies(struct svc_call *c, const char *account, const json_t *arns,
                                    json_t *session_policies)
{
    size_t i;
    const json_t *d;
    json_array_foreach(arns, i, d)
    {
        const char *arn = jstr(d, "arn");
        if (arn == NULL) {
            continue;
        }
        const char *doc = NULL;
        const char *name = NULL;
        int rc = iam_managed_policy_document(c, account, arn, &doc, &name);
        if (rc == SB_ENOTFOUND) {
            return awserr_set(&c->err, 400, "ValidationError",
                              "Policy %s does not exist or is not attachable.", arn);
        }
        if (rc != 0) {
            return iam_store_error(c, rc, NULL, NULL, NULL);
        }
        json_array_append_new(session_policies, json_string(doc));
    }
    return 0;
}

// The role trust policy must itself allow the permissions-only actions of AssumeRole
// (sts:TagSession, sts:SetSourceIdentity) — a trust policy that trusts the account does not hand
// them to identity policies (IAM User Guide, "Permissions required to add session tags",
// "Permissions required to set source identity"). Evaluates the trust policy alone and returns 0
// when one of its statements allows action for the caller, else -1 with AccessDenied.
static int trust_allows(struct svc_call *c, const char *trust, const char *action,
                        const char *role_arn)
{
    struct policy *p = NULL;
    struct policy_error pe;
    bool allowed = false;
    if (trust != NULL && policy_parse(trust, strlen(trust), POLICY_KIND_TRUST, "role trust policy",
                                      NULL, &p, &pe) == 0) {
        struct policy_set set = {.resource = p};
        struct policy_request req = {
            .action = action,
            .resource = role_arn,
            .principal = c->caller->principal,
            .context = c->ctx,
        };
        struct policy_decision d;
        policy_evaluate(&req, &set, &d);
        for (size_t i = 0; i < d.allowed_count && !allowed; i++) {
            allowed = d.allowed_by[i].type == POLICY_TYPE_RESOURCE;
        }
        allowed = allowed && d.result != POLICY_EXPLICIT_DENY;
        policy_free(p);
    }
    if (allowed) {
        return 0;
    }
    snprintf(c->decision, sizeof(c->decision), "%s", policy_result_name(POLICY_IMPLICIT_DENY));
    char msg[1600];
    snprintf(msg, sizeof(msg),
             "User: %s is not authorized to perform: %s on resource: %s because no role trust "
             "policy allows the %s action",
             c->caller->arn, action, role_arn, action);
    return svc_access_denied(c, msg);
}

// Decides one action of AssumeRole against the caller's policies and the trust policy.
static int authorize_on_role(struct svc_call *c, const char *action, const char *role_arn,
                             const char *trust)
{
    struct svc_resource_policy rp = {trust, POLICY_KIND_TRUST, "role trust policy"};
    if (svc_authorize(c, action, role_arn, NULL, trust != NULL ? &rp : NULL) != 0) {
        return -1;
    }
    if (strcmp(action, "sts:AssumeRole") != 0) {
        return trust_allows(c, trust, action, role_arn);
    }
    return 0;
}

// What AssumeRole reads from the request and the calling session.
struct assume_in {
    const char *role_arn;
    const char *session_name;
    const char *policy;        // inline session policy or NULL
    const json_t *policy_arns; // list of {arn} or NULL
    const json_t *tags;        // session tags of the request or NULL
    const json_t *transitive;  // TransitiveTagKeys of the request or NULL
    const char *external_id;
    const char *source_identity; // requested, or inherited from the calling session
    json_t *caller_sess;         // the calling session's document (temporary keys) or NULL
    json_t *inherited_tags;      // the calling session's transitive tags [{Key, Value}] (owned)
    json_t *inherited_keys;      // their keys (owned)
};

// Adds the STS keys of the request to the context (IAM User Guide, "Available keys for AWS
// STS"): sts:RoleSessionName, sts:ExternalId, sts:SourceIdentity, sts:TransitiveTagKeys,
// aws:RequestTag/* and aws:TagKeys for the session tags.
static void assume_context(struct svc_call *c, const struct assume_in *in)
{
    policy_context_set(c->ctx, "sts:RoleSessionName", in->session_name);
    if (in->external_id != NULL) {
        policy_context_set(c->ctx, "sts:ExternalId", in->external_id);
    }
    if (in->source_identity != NULL) {
        policy_context_set(c->ctx, "sts:SourceIdentity", in->source_identity);
    }
    if (in->transitive != NULL) {
        size_t n = json_array_size(in->transitive);
        const char **keys = arena_calloc(c->arena, n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
            const char *k = json_string_value(json_array_get(in->transitive, i));
            keys[i] = k ? k : "";
        }
        policy_context_set_list(c->ctx, "sts:TransitiveTagKeys", keys, n);
    }
    if (in->tags != NULL) {
        iam_request_tag_keys(c, in->tags);
    }
}

// Checks the packed size of the session policies and tags; stores the percentage in *percent.
static int check_packed_size(struct svc_call *c, const struct assume_in *in, int *percent)
{
    size_t policy_bytes = in->policy ? packed_policy_bytes(c, in->policy) : 0;
    size_t i;
    const json_t *d;
    json_array_foreach(in->policy_arns, i, d)
    {
        const char *arn = jstr(d, "arn");
        policy_bytes += arn ? strlen(arn) : 0;
    }
    size_t tag_bytes = 0;
    const json_t *t;
    json_array_foreach(in->tags, i, t)
    {
        const char *k = jstr(t, "Key");
        const char *v = jstr(t, "Value");
        tag_bytes += (k ? strlen(k) : 0) + (v ? strlen(v) : 0) + 2;
    }
    *percent = percent_of_budget(policy_bytes + tag_bytes);
    if (*percent <= 100) {
        return 0;
    }
    if (tag_bytes > policy_bytes) {
        return awserr_set(&c->err, 400, "PackedPolicyTooLarge",
                          "Packed size of session tags consumes %d%% of allotted space.", *percent);
    }
    return awserr_set(&c->err, 400, "PackedPolicyTooLarge",
                      "Packed policy consumes %d%% of allotted space, please use smaller policy.",
                      *percent);
}

// The session's tags: the request's tags, then the calling session's transitive tags; and the
// transitive keys: the request's, then the inherited ones.
static void session_tags(const struct assume_in *in, json_t **tags, json_t **keys)
{
    *tags = json_array();
    *keys = json_array();
    size_t i;
    const json_t *t;
    json_array_foreach(in->tags, i, t)
    {
        json_array_append_new(*tags, json_pack("{s:s, s:s}", "Key", jstr(t, "Key"), "Value",
                                               jstr(t, "Value") ? jstr(t, "Value") : ""));
    }
    json_array_foreach(in->inherited_tags, i, t)
    {
        if (jstr(t, "Key") != NULL) {
            json_array_append_new(*tags, json_deep_copy(t));
        }
    }
    json_array_foreach(in->transitive, i, t)
    {
        json_array_append_new(*keys, json_deep_copy(t));
    }
    json_array_foreach(in->inherited_keys, i, t)
    {
        json_array_append_new(*keys, json_deep_copy(t));
    }
}

// Reads the request and the calling session into *in. Returns 0 or -1 with c->err set.
static int assume_read(struct svc_call *c, struct assume_in *in)
{
    memset(in, 0, sizeof(*in));
    in->role_arn = iam_in_str(c, "RoleArn");
    in->session_name = iam_in_str(c, "RoleSessionName");
    in->policy = iam_in_str(c, "Policy");
    in->policy_arns = json_object_get(c->in, "PolicyArns");
    in->tags = json_object_get(c->in, "Tags");
    in->transitive = json_object_get(c->in, "TransitiveTagKeys");
    in->external_id = iam_in_str(c, "ExternalId");
    in->source_identity = iam_in_str(c, "SourceIdentity");
    bool failed = false;
    in->caller_sess = caller_session(c, &failed);
    if (failed) {
        return -1;
    }
    // Transitive tags of the calling session pass on to this one.
    in->inherited_tags = json_array();
    in->inherited_keys = json_array();
    const json_t *keys = json_object_get(in->caller_sess, "TransitiveTagKeys");
    const json_t *tags = json_object_get(in->caller_sess, "Tags");
    size_t i;
    const json_t *k;
    json_array_foreach(keys, i, k)
    {
        const json_t *t = json_is_string(k) ? find_tag(tags, json_string_value(k)) : NULL;
        if (t != NULL) {
            json_array_append_new(in->inherited_tags, json_deep_copy(t));
            json_array_append_new(in->inherited_keys, json_deep_copy(k));
        }
    }
    return 0;
}

// AssumeRole: temporary credentials of a role session.
static int assume_role(struct svc_call *c)
{
    int rc = -1;
    struct assume_in in;
    json_t *role = NULL;
    json_t *doc = NULL;
    json_t *creds = NULL;
    if (assume_read(c, &in) != 0) {
        goto out;
    }
    bool chaining = jstr(in.caller_sess, "AccessKeyId") != NULL;
    const char *inherited_source = jstr(in.caller_sess, "SourceIdentity");

    // What can be told from the request alone.
    struct role_ref ref;
    parse_role_arn(c, in.role_arn, &ref);
    if (!ref.well_formed) {
        awserr_set(&c->err, 400, "ValidationError", "%s is invalid", in.role_arn);
        goto out;
    }
    if (c->caller->principal.type == POLICY_PRINCIPAL_ROOT) {
        snprintf(c->decision, sizeof(c->decision), "%s", policy_result_name(POLICY_IMPLICIT_DENY));
        svc_access_denied(c, "Roles may not be assumed by root accounts.");
        goto out;
    }
    if (json_array_size(in.policy_arns) > MAX_POLICY_ARNS) {
        awserr_set(&c->err, 400, "ValidationError",
                   "1 validation error detected: Value at 'policyArns' failed to satisfy "
                   "constraint: Member must have length less than or equal to %d",
                   MAX_POLICY_ARNS);
        goto out;
    }
    if (in.policy != NULL && iam_check_policy(c, in.policy, POLICY_KIND_SESSION, NULL) != 0) {
        if (strcmp(c->err.code, "LimitExceeded") == 0) {
            awserr_set(&c->err, 400, "PackedPolicyTooLarge",
                       "Packed policy consumes %d%% of allotted space, please use smaller policy.",
                       percent_of_budget(packed_policy_bytes(c, in.policy)));
        }
        goto out;
    }
    if (check_session_tags(c, in.tags, in.transitive, in.inherited_keys) != 0) {
        goto out;
    }
    int packed = 0;
    if (check_packed_size(c, &in, &packed) != 0) {
        goto out;
    }
    if (inherited_source != NULL) {
        if (in.source_identity != NULL && strcmp(in.source_identity, inherited_source) != 0) {
            char msg[1600];
            snprintf(msg, sizeof(msg),
                     "User: %s is not authorized to perform: sts:SetSourceIdentity on resource: "
                     "%s",
                     c->caller->arn, in.role_arn);
            snprintf(c->decision, sizeof(c->decision), "%s",
                     policy_result_name(POLICY_IMPLICIT_DENY));
            svc_access_denied(c, msg);
            goto out;
        }
        in.source_identity = inherited_source;
    }

    // The role, its trust policy and tags, then the decision.
    struct store_obj role_obj;
    int found = load_role(c, in.role_arn, &ref, &role_obj, &role);
    if (found < 0) {
        goto out;
    }
    const char *trust = found ? jstr(role, "AssumeRolePolicyDocument") : NULL;
    assume_context(c, &in);
    if (found) {
        iam_resource_tag_keys(c, json_object_get(role, "Tags"));
    }
    if (authorize_on_role(c, "sts:AssumeRole", in.role_arn, trust) != 0) {
        goto out;
    }
    if ((json_array_size(in.tags) > 0 || json_array_size(in.inherited_tags) > 0) &&
        authorize_on_role(c, "sts:TagSession", in.role_arn, trust) != 0) {
        goto out;
    }
    if (in.source_identity != NULL &&
        authorize_on_role(c, "sts:SetSourceIdentity", in.role_arn, trust) != 0) {
        goto out;
    }
    if (!found) {
        // The engine requires a trust policy, so this is not reached; never reveal whether the
        // role exists all the same.
        char msg[1600];
        snprintf(msg, sizeof(msg),
                 "User: %s is not authorized to perform: sts:AssumeRole on "
                 "resource: %s",
                 c->caller->arn, in.role_arn);
        svc_access_denied(c, msg);
        goto out;
    }

    // The session's length.
    const json_t *dj = json_object_get(c->in, "DurationSeconds");
    json_int_t duration = json_is_integer(dj) ? json_integer_value(dj) : ROLE_DEFAULT_DURATION;
    const json_t *mj = json_object_get(role, "MaxSessionDuration");
    json_int_t max = json_is_integer(mj) ? json_integer_value(mj) : ROLE_DEFAULT_DURATION;
    if (chaining && duration > ROLE_CHAINING_MAX) {
        awserr_set(&c->err, 400, "ValidationError",
                   "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                   "assumed by role chaining.");
        goto out;
    }
    if (duration > max) {
        awserr_set(&c->err, 400, "ValidationError",
                   "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                   "role.");
        goto out;
    }

    // The session document (iam_store.h).
    const char *role_id = role_obj.id;
    const char *role_name = jstr(role, "RoleName") ? jstr(role, "RoleName") : ref.name;
    size_t n = strlen(role_id) + strlen(in.session_name) + 2;
    char *assumed_id = arena_alloc(c->arena, n);
    snprintf(assumed_id, n, "%s:%s", role_id, in.session_name);
    n = strlen(c->env->partition) + strlen(ref.account) + strlen(role_name) +
        strlen(in.session_name) + 40;
    char *assumed_arn = arena_alloc(c->arena, n);
    snprintf(assumed_arn, n, "arn:%s:sts::%s:assumed-role/%s/%s", c->env->partition, ref.account,
             role_name, in.session_name);
    json_t *policies = json_array();
    if (in.policy != NULL) {
        json_array_append_new(policies, json_string(in.policy));
    }
    doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "Arn", assumed_arn, "AssumedRoleId",
                    assumed_id, "RoleArn", jstr(role, "Arn"), "RoleId", role_id, "RoleName",
                    role_name, "SessionName", in.session_name, "SessionPolicies", policies);
    if (managed_session_policies(c, ref.account, in.policy_arns, policies) != 0) {
        goto out;
    }
    json_t *tags = NULL;
    json_t *keys = NULL;
    session_tags(&in, &tags, &keys);
    json_object_set_new(doc, "Tags", tags);
    json_object_set_new(doc, "TransitiveTagKeys", keys);
    if (in.source_identity != NULL) {
        json_object_set_new(doc, "SourceIdentity", json_string(in.source_identity));
    }
    if (store_session(c, ref.account, role_id, doc, c->now + (time_t)duration, &creds) != 0) {
        goto out;
    }
    // The role was used: GetRole's RoleLastUsed (IAM API Reference, RoleLastUsed: "the date and
    // time ... and the Region in which the role was last used") records this AssumeRole.
    json_object_set_new(role, "RoleLastUsed",
                        json_pack("{s:I, s:s}", "LastUsedDate", (json_int_t)c->now, "Region",
                                  c->region != NULL ? c->region : c->env->default_region));
    struct store_obj role_put = role_obj;
    if (iam_put(c, &role_put, role, STORE_REPLACE, NULL, NULL) != 0) {
        goto out;
    }

    c->out = json_object();
    json_object_set_new(c->out, "Credentials", creds);
    creds = NULL;
    json_object_set_new(c->out, "AssumedRoleUser",
                        json_pack("{s:s, s:s}", "AssumedRoleId", assumed_id, "Arn", assumed_arn));
    if (in.policy != NULL || json_array_size(in.policy_arns) > 0 || json_array_size(in.tags) > 0) {
        json_object_set_new(c->out, "PackedPolicySize", json_integer(packed));
    }
    if (in.source_identity != NULL) {
        json_object_set_new(c->out, "SourceIdentity", json_string(in.source_identity));
    }
    rc = 0;
out:
    json_decref(creds);
    json_decref(doc);
    json_decref(role);
    json_decref(in.caller_sess);
    json_decref(in.inherited_tags);
    json_decref(in.inherited_keys);
    return rc;
}

// ---- GetSessionToken ---------------------------------------------------------------------------

// GetSessionToken: temporary credentials of the calling IAM user or account root. No policy
// controls it (it is an authentication operation), so it is not put to the engine; it must be
// called with long-term credentials.
static int get_session_token(struct svc_call *c)
{
    bool failed = false;
    json_t *sess = caller_session(c, &failed);
    if (failed) {
        return -1;
    }
    if (sess != NULL) {
        json_decref(sess);
        snprintf(c->decision, sizeof(c->decision), "%s", policy_result_name(POLICY_IMPLICIT_DENY));
        return svc_access_denied(c, "Cannot call GetSessionToken with session credentials");
    }
    snprintf(c->decision, sizeof(c->decision), "%s", policy_result_name(POLICY_ALLOWED));
    bool root = c->caller->principal.type == POLICY_PRINCIPAL_ROOT;
    const json_t *dj = json_object_get(c->in, "DurationSeconds");
    json_int_t duration = json_is_integer(dj) ? json_integer_value(dj)
                          : root              ? SESSION_ROOT_MAX
                                              : SESSION_DEFAULT_DURATION;
    if (root && duration > SESSION_ROOT_MAX) {
        duration = SESSION_ROOT_MAX; // "the session for AWS account owners defaults to one hour"
    }
    json_t *doc = json_pack("{s:s}", "Arn", c->caller->arn);
    if (!root) {
        json_object_set_new(doc, "UserId", json_string(c->caller->entity_id));
        json_object_set_new(doc, "UserName", json_string(c->caller->entity_name));
        json_object_set_new(doc, "UserArn", json_string(c->caller->arn));
    }
    json_t *creds = NULL;
    int rc = store_session(c, c->caller->account, root ? IAM_ROOT_PARENT : c->caller->entity_id,
                           doc, c->now + (time_t)duration, &creds);
    json_decref(doc);
    if (rc != 0) {
        return -1;
    }
    c->out = json_object();
    json_object_set_new(c->out, "Credentials", creds);
    return 0;
}

// ---- GetCallerIdentity -------------------------------------------------------------------------

// GetCallerIdentity: UserId, Account and Arn of the credentials that signed the request.
static int get_caller_identity(struct svc_call *c)
{
    if (svc_authorize(c, "sts:GetCallerIdentity", "*", NULL, NULL) != 0) {
        return -1;
    }
    c->out = json_object();
    json_object_set_new(c->out, "UserId", json_string(c->caller->user_id));
    json_object_set_new(c->out, "Account", json_string(c->caller->account));
    json_object_set_new(c->out, "Arn", json_string(c->caller->arn));
    return 0;
}

const struct svc_handler sts_handlers[] = {
    {"AssumeRole", assume_role},
    {"GetCallerIdentity", get_caller_identity},
    {"GetSessionToken", get_session_token},
    {NULL, NULL},
};
