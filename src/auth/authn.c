// SPDX-License-Identifier: Apache-2.0
// Authentication; see authn.h. Secrets are compared only inside sigv4_verify (constant time) and
// session tokens with CRYPTO_memcmp; neither is ever logged or copied into an error message.
#include "auth/authn.h"

#include "svc/iam/iam_store.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
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
    json_t *u = rc == 0 ? json_loadb(user.doc, user.doc_len, 0, NULL) : NULL;
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
    json_decref(u);
    set_principal(out, POLICY_PRINCIPAL_USER);
    return 0;
}

// A temporary key from STS: AssumeRole (a role session) or GetSessionToken (the user itself).
static int resolve_session(const struct store_obj *sess, const json_t *doc, struct arena *a,
                           struct svc_caller *out)
{
    copy(out->account, sizeof(out->account), sess->account);
    copy(out->arn, sizeof(out->arn), jstr(doc, "Arn"));
    if (jstr(doc, "RoleArn") != NULL) {
        copy(out->identity_arn, sizeof(out->identity_arn), jstr(doc, "RoleArn"));
        copy(out->entity_id, sizeof(out->entity_id), jstr(doc, "RoleId"));
        copy(out->entity_name, sizeof(out->entity_name), jstr(doc, "RoleName"));
        copy(out->user_id, sizeof(out->user_id), jstr(doc, "AssumedRoleId"));
        out->session_doc = arena_strndup(a, sess->doc, sess->doc_len);
        set_principal(out, POLICY_PRINCIPAL_ROLE_SESSION);
        return 0;
    }
    // GetSessionToken: the session acts as the user (or the root) itself.
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

// Verifies and resolves; see authn.h.
int authn_verify(const struct svc_env *env, struct sigv4_key_cache *keys,
                 const struct sigv4_request *rq, const struct sigv4_claim *claim,
                 enum sigv4_protocol proto, time_t now, struct arena *a, struct svc_caller *out,
                 struct awserr *err)
{
    int rc = -1;
    json_t *doc = NULL;
    memset(out, 0, sizeof(*out));
    char akid[128];
    if (claim->access_key_id.len == 0 || claim->access_key_id.len >= sizeof(akid)) {
        return fail(SIGV4_UNKNOWN_KEY, proto, NULL, err);
    }
    memcpy(akid, claim->access_key_id.ptr, claim->access_key_id.len);
    akid[claim->access_key_id.len] = '\0';
    copy(out->access_key_id, sizeof(out->access_key_id), akid);

    struct store_obj key;
    struct store_err se;
    int src = store_get_by_key2(env->store, NULL, akid, a, &key, &se);
    if (src == SB_ENOTFOUND) {
        return fail(SIGV4_UNKNOWN_KEY, proto, NULL, err);
    }
    if (src != 0) {
        fprintf(stderr, "sagebox: store: %s\n", se.msg);
        return awserr_set(err, 500, "ServiceUnavailable", "Service is unable to handle request.");
    }
    doc = json_loadb(key.doc, key.doc_len, 0, NULL);
    const char *secret = jstr(doc, "SecretAccessKey");
    if (secret == NULL) {
        fail(SIGV4_UNKNOWN_KEY, proto, NULL, err);
        goto out;
    }
    bool session = strcmp(key.kind, STS_KIND_SESSION) == 0;
    if (!session) {
        const char *status = jstr(doc, "Status");
        if (status != NULL && strcmp(status, "Active") != 0) {
            fail(SIGV4_UNKNOWN_KEY, proto, NULL, err);
            goto out;
        }
        if (claim->security_token.len != 0) {
            // A session token sent with a long-term key names no session of this key.
            fail(SIGV4_INVALID_TOKEN, proto, NULL, err);
            goto out;
        }
    } else {
        const char *token = jstr(doc, "SessionToken");
        size_t tlen = token ? strlen(token) : 0;
        if (token == NULL || claim->security_token.len != tlen ||
            CRYPTO_memcmp(token, claim->security_token.ptr, tlen) != 0) {
            fail(SIGV4_INVALID_TOKEN, proto, NULL, err);
            goto out;
        }
        const json_t *exp = json_object_get(doc, "Expiration");
        if (json_is_number(exp) && (double)now >= json_number_value(exp)) {
            fail(SIGV4_EXPIRED_TOKEN, proto, NULL, err);
            goto out;
        }
    }
    enum sigv4_failure why = SIGV4_OK;
    char msg[4096];
    if (sigv4_verify(rq, claim, secret, strlen(secret), now, keys, a, &why, msg, sizeof(msg)) !=
        0) {
        fail(why, proto, msg, err);
        goto out;
    }
    if (session) {
        rc = resolve_session(&key, doc, a, out);
    } else {
        rc = resolve_access_key(env, &key, doc, a, out, err);
    }
out:
    json_decref(doc);
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
    return 0;
}
