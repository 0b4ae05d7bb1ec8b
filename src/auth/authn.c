// SPDX-License-Identifier: Apache-2.0
// Authentication; see authn.h. Secrets are compared only inside sigv4_verify (constant time) and
// session tokens with CRYPTO_memcmp; neither is ever logged or copied into an error message.
#include "auth/authn.h"
#include "core/jsonload.h"

#include "svc/iam/iam_store.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

// Copies src into dst[0..cap), truncating; NULL copies "".
static void copy(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        n = cap - 1;
    }
    if (n > 0) {
        memcpy(dst, src, n);
    }
    dst[n] = '\0';
}

static int fail(enum sigv4_failure why, enum sigv4_protocol proto, const char *msg,
                struct awserr *err)
{
    sigv4_failure_to_awserr(why, proto, msg, err);
    return -1;
}

// Fills the principal of *out from its string buffers.
static void set_principal(struct svc_caller *out, enum policy_principal_type type)
{
    out->principal.type = type;
    out->principal.arn = out->arn;
    out->principal.account = out->account;
    out->principal.identity_arn = out->identity_arn[0] ? out->identity_arn : NULL;
    out->principal.has_boundary = false;
}

// A long-term key: the account root's or an IAM user's.
static int resolve_access_key(const struct svc_env *env, const struct store_obj *key,
                              const json_t *doc, struct arena *a, struct svc_caller *out,
                              struct awserr *err)
{
    copy(out->account, sizeof(out->account), key->account);
    if (key->parent != NULL && strcmp(key->parent, IAM_ROOT_PARENT) == 0) {
        snprintf(out->arn, sizeof(out->arn), "arn:%s:iam::%s:root", env->partition, key->account);
        copy(out->user_id, sizeof(out->user_id), key->account);
        set_principal(out, POLICY_PRINCIPAL_ROOT);
        return 0;
    }
    struct store_scope sc = {key->account, "", IAM_KIND_USER, true};
    struct store_obj user;
    struct store_err e;
    int rc = store_get(env->store, &sc, key->parent ? key->parent : "", a, &user, &e);
    json_t *u = rc == 0 ? jsonload(user.doc, user.doc_len) : NULL;
    if (u == NULL || jstr(u, "Arn") == NULL) {
        json_decref(u);
        (void)doc;
        return awserr_set(err, 403, "InvalidClientTokenId",
                          "The security token included in the request is invalid.");
    }
    copy(out->arn, sizeof(out->arn), jstr(u, "Arn"));
    copy(out->user_id, sizeof(out->user_id), user.id);
    copy(out->entity_id, sizeof(out->entity_id), user.id);
    copy(out->entity_name, sizeof(out->entity_name), jstr(u, "UserName"));
    const json_t *tags = json_object_get(u, "Tags");
    if (json_array_size(tags) > 0) {
        char *t = json_dumps(tags, JSON_COMPACT);
        out->principal_tags = arena_strndup(a, t, strlen(t));
        free(t);
    }
    json_decref(u);
    set_principal(out, POLICY_PRINCIPAL_USER);
    return 0;
}

// The principal tags of a role session: the role's tags, overridden by the session's tags
// (IAM User Guide, "Passing session tags in AWS STS"), as JSON text in the arena.
static const char *session_tags(const struct svc_env *env, const struct store_obj *sess,
                                const json_t *doc, struct arena *a)
{
    json_t *merged = json_object();
    const char *role_id = jstr(doc, "RoleId");
    if (role_id != NULL) {
        struct store_scope sc = {sess->account, "", IAM_KIND_ROLE, true};
        struct store_obj role;
        if (store_get(env->store, &sc, role_id, a, &role, NULL) == 0) {
            json_t *r = jsonload(role.doc, role.doc_len);
            size_t i;
            const json_t *t;
            json_array_foreach(json_object_get(r, "Tags"), i, t)
            {
                const char *k = jstr(t, "Key");
                if (k != NULL) {
                    json_object_set(merged, k, json_object_get(t, "Value"));
                }
            }
            json_decref(r);
        }
    }
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(doc, "Tags"), i, t)
    {
        const char *k = jstr(t, "Key");
        if (k != NULL) {
            json_object_set(merged, k, json_object_get(t, "Value"));
        }
    }
    const char *out = NULL;
    if (json_object_size(merged) > 0) {
        json_t *list = json_array();
        const char *k;
        json_t *v;
        json_object_foreach(merged, k, v)
        {
            json_array_append_new(list, json_pack("{s:s, s:O}", "Key", k, "Value", v));
        }
        char *text = json_dumps(list, JSON_COMPACT);
        out = arena_strndup(a, text, strlen(text));
        free(text);
        json_decref(list);
    }
    json_decref(merged);
    return out;
}

// A temporary key from STS: AssumeRole (a role session) or GetSessionToken (the user itself).
static int resolve_session(const struct svc_env *env, const struct store_obj *sess,
                           const json_t *doc, struct arena *a, struct svc_caller *out)
{
    copy(out->account, sizeof(out->account), sess->account);
    copy(out->arn, sizeof(out->arn), jstr(doc, "Arn"));
    if (jstr(doc, "RoleArn") != NULL) {
        copy(out->identity_arn, sizeof(out->identity_arn), jstr(doc, "RoleArn"));
        copy(out->entity_id, sizeof(out->entity_id), jstr(doc, "RoleId"));
        copy(out->entity_name, sizeof(out->entity_name), jstr(doc, "RoleName"));
        copy(out->user_id, sizeof(out->user_id), jstr(doc, "AssumedRoleId"));
        out->session_doc = arena_strndup(a, sess->doc, sess->doc_len);
        out->principal_tags = session_tags(env, sess, doc, a);
        set_principal(out, POLICY_PRINCIPAL_ROLE_SESSION);
        return 0;
    }
    // GetSessionToken: the session acts as the user (or the root) itself. Its document is kept
    // so that the gateway can apply the limits of such credentials.
    out->session_doc = arena_strndup(a, sess->doc, sess->doc_len);
    copy(out->entity_id, sizeof(out->entity_id), jstr(doc, "UserId"));
    copy(out->entity_name, sizeof(out->entity_name), jstr(doc, "UserName"));
    copy(out->user_id, sizeof(out->user_id), jstr(doc, "UserId"));
    bool root = out->entity_id[0] == '\0';
    if (root) {
        copy(out->user_id, sizeof(out->user_id), sess->account);
    }
    set_principal(out, root ? POLICY_PRINCIPAL_ROOT : POLICY_PRINCIPAL_USER);
    return 0;
}

// What a key resolves to, independent of any one request: the secret, the session's token and
// expiration, whether it may be used, and the caller it authenticates.
struct resolved_key {
    bool found;
    bool active;  // long-term keys: Status is Active
    bool session; // an STS session key
    char secret[128];
    char *token; // sessions: the session token (heap copy when cached)
    double expiration;
    struct svc_caller caller;
};

// Copies the caller's strings that live outside its buffers, so that it can outlive a request.
static void caller_fix_pointers(struct svc_caller *c)
{
    c->principal.arn = c->arn;
    c->principal.account = c->account;
    c->principal.identity_arn = c->identity_arn[0] ? c->identity_arn : NULL;
}

static char *heap_dup(const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d == NULL) {
        abort();
    }
    memcpy(d, s, n + 1);
    return d;
}

// Looks the key up in the store and resolves it. Returns 0 (rk->found tells whether the key
// exists), or -1 with err set on a store failure.
static int load_key(const struct svc_env *env, const char *akid, struct arena *a,
                    struct resolved_key *rk, struct awserr *err)
{
    int rc = -1;
    json_t *doc = NULL;
    memset(rk, 0, sizeof(*rk));
    struct store_obj key;
    struct store_err se;
    int src = store_get_by_key2(env->store, NULL, akid, a, &key, &se);
    if (src == SB_ENOTFOUND) {
        return 0;
    }
    if (src != 0) {
        fprintf(stderr, "sagebox: store: %s\n", se.msg);
        return awserr_set(err, 500, "ServiceUnavailable", "Service is unable to handle request.");
    }
    doc = jsonload(key.doc, key.doc_len);
    const char *secret = jstr(doc, "SecretAccessKey");
    if (secret == NULL) {
        rc = 0; // unusable: treated as unknown
        goto out;
    }
    copy(rk->secret, sizeof(rk->secret), secret);
    rk->session = strcmp(key.kind, STS_KIND_SESSION) == 0;
    if (rk->session) {
        const char *token = jstr(doc, "SessionToken");
        rk->token = token ? arena_strndup(a, token, strlen(token)) : NULL;
        const json_t *exp = json_object_get(doc, "Expiration");
        rk->expiration = json_is_number(exp) ? json_number_value(exp) : 0;
        rk->active = true;
        rc = resolve_session(env, &key, doc, a, &rk->caller);
    } else {
        const char *status = jstr(doc, "Status");
        rk->active = status == NULL || strcmp(status, "Active") == 0;
        if (resolve_access_key(env, &key, doc, a, &rk->caller, err) != 0) {
            // The key's user is gone: the key no longer authenticates anyone.
            memset(err, 0, sizeof(*err));
            rc = 0;
            goto out;
        }
        rc = 0;
    }
    rk->found = rc == 0;
out:
    json_decref(doc);
    return rc;
}

// --- The resolved-key cache ---------------------------------------------------------------------
// Authentication runs on every request; the store changes rarely. Entries are tagged with the
// store's write generation read before loading, and are stale as soon as it moves.

#define CACHE_SLOTS 1024

struct cache_entry {
    char akid[128];
    uint64_t generation;
    bool used;
    struct resolved_key rk; // token, session_doc and principal_tags are heap copies
};

struct authn_cache {
    pthread_mutex_t lock;
    struct cache_entry slots[CACHE_SLOTS];
};

// Returns a new, empty cache.
struct authn_cache *authn_cache_new(void)
{
    struct authn_cache *c = sb_xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

static void entry_clear(struct cache_entry *e)
{
    free(e->rk.token);
    free((char *)e->rk.caller.session_doc);
    free((char *)e->rk.caller.principal_tags);
    OPENSSL_cleanse(e->rk.secret, sizeof(e->rk.secret));
    memset(e, 0, sizeof(*e));
}

// Frees the cache, wiping the secrets it held.
void authn_cache_free(struct authn_cache *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        entry_clear(&c->slots[i]);
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static size_t slot_of(const char *akid)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = akid; *p; p++) {
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    }
    return (size_t)(h % CACHE_SLOTS);
}

// Copies a fresh entry out of the cache into *rk (strings into the arena). Returns true on a hit.
static bool cache_get(struct authn_cache *c, const char *akid, uint64_t gen, struct arena *a,
                      struct resolved_key *rk)
{
    bool hit = false;
    pthread_mutex_lock(&c->lock);
    struct cache_entry *e = &c->slots[slot_of(akid)];
    if (e->used && e->generation == gen && strcmp(e->akid, akid) == 0) {
        *rk = e->rk;
        rk->token = e->rk.token ? arena_strndup(a, e->rk.token, strlen(e->rk.token)) : NULL;
        const char *sd = e->rk.caller.session_doc;
        rk->caller.session_doc = sd ? arena_strndup(a, sd, strlen(sd)) : NULL;
        const char *pt = e->rk.caller.principal_tags;
        rk->caller.principal_tags = pt ? arena_strndup(a, pt, strlen(pt)) : NULL;
        caller_fix_pointers(&rk->caller);
        hit = true;
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

static void cache_put(struct authn_cache *c, const char *akid, uint64_t gen,
                      const struct resolved_key *rk)
{
    pthread_mutex_lock(&c->lock);
    struct cache_entry *e = &c->slots[slot_of(akid)];
    entry_clear(e);
    copy(e->akid, sizeof(e->akid), akid);
    e->generation = gen;
    e->used = true;
    e->rk = *rk;
    e->rk.token = heap_dup(rk->token);
    e->rk.caller.session_doc = heap_dup(rk->caller.session_doc);
    e->rk.caller.principal_tags = heap_dup(rk->caller.principal_tags);
    caller_fix_pointers(&e->rk.caller);
    pthread_mutex_unlock(&c->lock);
}

// Verifies and resolves; see authn.h.
int authn_verify(const struct svc_env *env, struct authn_cache *cache, struct sigv4_key_cache *keys,
                 const struct sigv4_request *rq, const struct sigv4_claim *claim,
                 enum sigv4_protocol proto, time_t now, struct arena *a, struct svc_caller *out,
                 struct awserr *err)
{
    memset(out, 0, sizeof(*out));
    char akid[128];
    if (claim->access_key_id.len == 0 || claim->access_key_id.len >= sizeof(akid)) {
        return fail(SIGV4_UNKNOWN_KEY, proto, NULL, err);
    }
    memcpy(akid, claim->access_key_id.ptr, claim->access_key_id.len);
    akid[claim->access_key_id.len] = '\0';

    struct resolved_key rk;
    uint64_t gen = store_generation(env->store);
    if (cache == NULL || !cache_get(cache, akid, gen, a, &rk)) {
        if (load_key(env, akid, a, &rk, err) != 0) {
            return -1;
        }
        if (cache != NULL && rk.found) {
            cache_put(cache, akid, gen, &rk);
        }
    }
    int rc = -1;
    if (!rk.found || !rk.active) {
        fail(SIGV4_UNKNOWN_KEY, proto, NULL, err);
        goto out;
    }
    if (!rk.session && claim->security_token.len != 0) {
        // A session token sent with a long-term key names no session of this key.
        fail(SIGV4_INVALID_TOKEN, proto, NULL, err);
        goto out;
    }
    if (rk.session) {
        size_t tlen = rk.token ? strlen(rk.token) : 0;
        if (rk.token == NULL || claim->security_token.len != tlen ||
            CRYPTO_memcmp(rk.token, claim->security_token.ptr, tlen) != 0) {
            fail(SIGV4_INVALID_TOKEN, proto, NULL, err);
            goto out;
        }
        if ((double)now >= rk.expiration) {
            fail(SIGV4_EXPIRED_TOKEN, proto, NULL, err);
            goto out;
        }
    }
    enum sigv4_failure why = SIGV4_OK;
    char msg[4096];
    if (sigv4_verify(rq, claim, rk.secret, strlen(rk.secret), now, keys, a, &why, msg,
                     sizeof(msg)) != 0) {
        fail(why, proto, msg, err);
        goto out;
    }
    *out = rk.caller;
    caller_fix_pointers(out);
    copy(out->access_key_id, sizeof(out->access_key_id), akid);
    rc = 0;
out:
    OPENSSL_cleanse(rk.secret, sizeof(rk.secret));
    return rc;
}

// Resolves a key without a signature; see authn.h.
int authn_resolve_key(const struct svc_env *env, struct authn_cache *cache, const char *akid,
                      time_t now, struct arena *a, struct svc_caller *out, struct awserr *err)
{
    memset(out, 0, sizeof(*out));
    if (akid == NULL || akid[0] == '\0' || strlen(akid) >= sizeof(out->access_key_id)) {
        return fail(SIGV4_UNKNOWN_KEY, SIGV4_PROTO_JSON, NULL, err);
    }
    struct resolved_key rk;
    uint64_t gen = store_generation(env->store);
    if (cache == NULL || !cache_get(cache, akid, gen, a, &rk)) {
        if (load_key(env, akid, a, &rk, err) != 0) {
            return -1;
        }
        if (cache != NULL && rk.found) {
            cache_put(cache, akid, gen, &rk);
        }
    }
    int rc = -1;
    if (!rk.found || !rk.active) {
        fail(SIGV4_UNKNOWN_KEY, SIGV4_PROTO_JSON, NULL, err);
        goto out;
    }
    if (rk.session && (double)now >= rk.expiration) {
        fail(SIGV4_EXPIRED_TOKEN, SIGV4_PROTO_JSON, NULL, err);
        goto out;
    }
    *out = rk.caller;
    caller_fix_pointers(out);
    copy(out->access_key_id, sizeof(out->access_key_id), akid);
    rc = 0;
out:
    OPENSSL_cleanse(rk.secret, sizeof(rk.secret));
    return rc;
}

// Creates or updates the root key; see authn.h.
int authn_ensure_root_key(struct store *store, const char *account, const char *access_key_id,
                          const char *secret, char *msg, size_t msg_cap)
{
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s}", "AccessKeyId", access_key_id, "SecretAccessKey",
                            secret, "Status", "Active", "UserName", "");
    char *text = json_dumps(doc, JSON_COMPACT);
    struct store_obj o = {
        .account = account,
        .region = "",
        .kind = IAM_KIND_ACCESS_KEY,
        .id = access_key_id,
        .parent = IAM_ROOT_PARENT,
        .key2 = access_key_id,
        .doc = text,
        .doc_len = strlen(text),
    };
    struct store_err e;
    int rc = store_put(store, &o, STORE_UPSERT, &e);
    free(text);
    json_decref(doc);
    if (rc != 0) {
        snprintf(msg, msg_cap, "cannot store the root access key: %s", e.msg);
        return -1;
    }
    // The account itself, created once: its creation date is the root user's CreateDate.
    json_t *acct = json_pack("{s:I}", "CreateDate", (json_int_t)time(NULL));
    text = json_dumps(acct, JSON_COMPACT);
    struct store_obj ao = {
        .account = account,
        .region = "",
        .kind = IAM_KIND_ACCOUNT,
        .id = account,
        .doc = text,
        .doc_len = strlen(text),
    };
    rc = store_put(store, &ao, STORE_CREATE, &e);
    free(text);
    json_decref(acct);
    if (rc != 0 && rc != SB_EEXISTS) {
        snprintf(msg, msg_cap, "cannot store the account: %s", e.msg);
        return -1;
    }
    return 0;
}
