// SPDX-License-Identifier: Apache-2.0
// Shared AWS KMS helpers; see kms_common.h. Error codes are those the KMS model declares
// (NotFoundException, DisabledException, KMSInvalidStateException,
// MalformedPolicyDocumentException, KMSInternalException ...), all HTTP 400 except internal
// failures (500).
#include "svc/kms/kms_common.h"
#include "core/jsonload.h"
#include "svc/kms/kms_cache.h"

#include "svc/iam/iam_common.h"
#include "svc/iam/iam_store.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The scope of a kind; see kms_common.h.
struct store_scope kms_scope(const struct svc_call *c, const char *kind)
{
    struct store_scope sc = {c->caller->account, c->region ? c->region : "", kind, false};
    return sc;
}

// printf into the arena; see kms_common.h.
const char *kms_fmt(struct svc_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *out = svc_vfmt(c, fmt, ap);
    va_end(ap);
    return out;
}

// A string member; see kms_common.h.
const char *kms_in_str(const struct svc_call *c, const char *member)
{
    const json_t *v = json_object_get(c->in, member);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

// Key ARN; see kms_common.h.
const char *kms_key_arn(struct svc_call *c, const char *key_id)
{
    return kms_fmt(c, "arn:%s:kms:%s:%s:key/%s", c->env->partition, c->region, c->caller->account,
                   key_id);
}

// Alias ARN; see kms_common.h.
const char *kms_alias_arn(struct svc_call *c, const char *alias_name)
{
    return kms_fmt(c, "arn:%s:kms:%s:%s:%s", c->env->partition, c->region, c->caller->account,
                   alias_name);
}

// A 400 error; see kms_common.h.
int kms_error(struct svc_call *c, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return awserr_set(&c->err, 400, code, "%s", msg);
}

// Store failures; see kms_common.h.
int kms_store_error(struct svc_call *c, int rc, const struct store_err *e)
{
    fprintf(stderr, "sagebox: %s %s: store: %s (%s)\n", c->request_id, c->operation,
            e != NULL ? e->msg : "", store_strerror(rc));
    return awserr_set(&c->err, 500, "KMSInternalException",
                      "The request was rejected because an internal exception occurred.");
}

// One transaction per operation; see kms_common.h.
int kms_run(struct svc_call *c, bool write, svc_handler_fn body)
{
    // The read caches only for a read-only transaction of its own: one joined (a write
    // transaction of a background task) may hold writes the caches do not know.
    bool joined = store_txn_state(c->env->store) != STORE_TXN_NONE;
    bool previous = kms_cache_begin(c->env->store, !write && !joined);
    int rc = svc_run_txn(c, write, body, kms_store_error);
    kms_cache_end(previous);
    return rc;
}

// ---- keys -----------------------------------------------------------------------------------

static bool is_uuid(const char *s)
{
    if (strlen(s) != KMS_KEY_ID_LEN) {
        return false;
    }
    for (size_t i = 0; i < KMS_KEY_ID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char ch = s[i];
        if (dash ? ch != '-'
                 : !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
                     (ch >= 'A' && ch <= 'F'))) {
            return false;
        }
    }
    return true;
}

static int key_not_found(struct svc_call *c, const char *key_id)
{
    // "NotFoundException: Key 'arn:aws:kms:eu-west-1:...:key/0b2ad402-...' does not exist"
    // (hashicorp/boundary-reference-architecture#15, boto/botocore#2107).
    return kms_error(c, "NotFoundException", "Key '%s' does not exist", kms_key_arn(c, key_id));
}

// Reads a key by id; see kms_common.h.
int kms_key_get(struct svc_call *c, const char *key_id, struct kms_key *k)
{
    memset(k, 0, sizeof(*k));
    struct store_scope sc = kms_scope(c, KMS_KIND_KEY);
    k->doc = kms_cache_key_get(sc.account, sc.region, key_id);
    if (k->doc != NULL) {
        // A read-only call: the shared document, and the object's identity without its text.
        k->obj = (struct store_obj){.account = sc.account,
                                    .region = sc.region,
                                    .kind = KMS_KIND_KEY,
                                    .id = arena_strndup(c->arena, key_id, strlen(key_id))};
    } else {
        struct store_err e = {{0}};
        int rc = store_get(c->env->store, &sc, key_id, c->arena, &k->obj, &e);
        if (rc == SB_ENOTFOUND) {
            return key_not_found(c, key_id);
        }
        if (rc != 0) {
            return kms_store_error(c, rc, &e);
        }
        k->doc = jsonload(k->obj.doc, k->obj.doc_len);
        if (!json_is_object(k->doc) || !json_is_object(json_object_get(k->doc, "_"))) {
            kms_key_release(k);
            return kms_store_error(c, SB_ECORRUPT, NULL);
        }
        kms_cache_key_put(sc.account, sc.region, key_id, k->doc);
    }
    k->id = k->obj.id;
    k->arn = kms_key_arn(c, k->id);
    // A key whose waiting period has ended is deleted (AWS deletes it then; sagebox lazily).
    const json_t *dd = json_object_get(k->doc, "DeletionDate");
    if (json_is_number(dd) && (double)c->now >= json_number_value(dd)) {
        kms_key_release(k);
        return key_not_found(c, key_id);
    }
    return 0;
}

// Finds a key from any of its names; see kms_common.h.
int kms_key_find(struct svc_call *c, const char *key_ref, struct kms_key *k)
{
    memset(k, 0, sizeof(*k));
    const char *alias = NULL;
    const char *id = NULL;
    if (strncmp(key_ref, "arn:", 4) == 0) {
        // arn:PARTITION:kms:REGION:ACCOUNT:RESOURCE
        const char *p[6] = {0};
        size_t n = 0;
        const char *s = key_ref;
        p[n++] = s;
        while (n < 6 && (s = strchr(s, ':')) != NULL) {
            p[n++] = ++s;
        }
        if (n < 6) {
            // Wording not verified against AWS.
            return kms_error(c, "NotFoundException", "Invalid arn %s", key_ref);
        }
        const char *pre =
            kms_fmt(c, "arn:%s:kms:%s:%s:", c->env->partition, c->region, c->caller->account);
        const char *res = p[5];
        if (strncmp(key_ref, pre, strlen(pre)) != 0) {
            // Another account or region: not served, so it does not exist here.
            return kms_error(c, "NotFoundException", "%s '%s' does not exist",
                             strncmp(res, "alias/", 6) == 0 ? "Alias" : "Key", key_ref);
        }
        if (strncmp(res, "alias/", 6) == 0) {
            alias = res;
        } else if (strncmp(res, "key/", 4) == 0) {
            id = res + 4;
        } else {
            return kms_error(c, "NotFoundException", "Invalid arn %s", key_ref);
        }
    } else if (strncmp(key_ref, "alias/", 6) == 0) {
        alias = key_ref;
    } else {
        id = key_ref;
    }
    if (alias != NULL) {
        struct store_scope sc = kms_scope(c, KMS_KIND_ALIAS);
        char target[KMS_KEY_ID_LEN + 1];
        if (kms_cache_alias_get(sc.account, sc.region, alias, target, sizeof(target))) {
            if (kms_key_get(c, target, k) != 0) {
                return -1;
            }
            k->alias = alias;
            return 0;
        }
        struct store_obj o;
        struct store_err e = {{0}};
        int rc = store_get(c->env->store, &sc, alias, c->arena, &o, &e);
        if (rc == SB_ENOTFOUND) {
            // "Alias 'arn:aws:kms:R:A:alias/x' is not found." (the task's wording; not verified
            // against a captured AWS response).
            return kms_error(c, "NotFoundException", "Alias '%s' is not found.",
                             kms_alias_arn(c, alias));
        }
        if (rc != 0) {
            return kms_store_error(c, rc, &e);
        }
        if (o.parent == NULL || kms_key_get(c, o.parent, k) != 0) {
            if (!awserr_is_set(&c->err)) {
                return kms_store_error(c, SB_ECORRUPT, NULL);
            }
            return -1;
        }
        kms_cache_alias_put(sc.account, sc.region, alias, o.parent);
        k->alias = alias;
        return 0;
    }
    if (!is_uuid(id)) {
        // "NotFoundException: Invalid keyId testkmskey" (crossplane-contrib/provider-aws#1056).
        return kms_error(c, "NotFoundException", "Invalid keyId %s", id);
    }
    char lower[KMS_KEY_ID_LEN + 1];
    for (size_t i = 0; i <= KMS_KEY_ID_LEN; i++) {
        lower[i] = (id[i] >= 'A' && id[i] <= 'F') ? (char)(id[i] + ('a' - 'A')) : id[i];
    }
    return kms_key_get(c, arena_strndup(c->arena, lower, KMS_KEY_ID_LEN), k);
}

// Drops the document; see kms_common.h.
void kms_key_release(struct kms_key *k)
{
    json_decref(k->doc);
    k->doc = NULL;
}

// The internal member; see kms_common.h.
json_t *kms_key_internal(const struct kms_key *k)
{
    return json_object_get(k->doc, "_");
}

// A string member; see kms_common.h.
const char *kms_key_str(const struct kms_key *k, const char *member)
{
    const json_t *v = json_object_get(k->doc, member);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

// The metadata to return; see kms_common.h.
json_t *kms_key_metadata(const struct kms_key *k)
{
    json_t *m = json_deep_copy(k->doc);
    json_object_del(m, "_");
    return m;
}

// Writes a key back; see kms_common.h.
int kms_key_save(struct svc_call *c, struct kms_key *k)
{
    char *text = json_dumps(k->doc, JSON_COMPACT);
    struct store_obj o = k->obj;
    o.doc = text;
    o.doc_len = strlen(text);
    struct store_err e = {{0}};
    int rc = store_put(c->env->store, &o, STORE_REPLACE, &e);
    free(text);
    return rc == 0 ? 0 : kms_store_error(c, rc, &e);
}

// A key's spec; see kms_common.h.
enum kms_key_spec kms_key_spec_of(const struct kms_key *k)
{
    int s = kms_spec_from_name(kms_key_str(k, "KeySpec"));
    return s < 0 ? KMS_SPEC_SYMMETRIC_DEFAULT : (enum kms_key_spec)s;
}

// A key's aliases; see kms_common.h.
int kms_key_aliases(struct svc_call *c, const char *key_id, const char ***names, size_t *count)
{
    struct store_scope sc = kms_scope(c, KMS_KIND_ALIAS);
    if (kms_cache_aliases_get(sc.account, sc.region, key_id, c->arena, names, count)) {
        return 0;
    }
    struct store_list_opts lo = {.parent = key_id, .limit = STORE_LIST_MAX};
    struct store_list l;
    struct store_err e = {{0}};
    int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
    if (rc != 0) {
        return kms_store_error(c, rc, &e);
    }
    const char **out = arena_calloc(c->arena, l.count + 1, sizeof(char *));
    for (size_t i = 0; i < l.count; i++) {
        out[i] = l.items[i].id;
    }
    *names = out;
    *count = l.count;
    kms_cache_aliases_put(sc.account, sc.region, key_id, out, l.count);
    return 0;
}

// aws:RequestTag/* and aws:TagKeys; see kms_common.h.
void kms_request_tag_keys(struct svc_call *c, const json_t *tags, const json_t *keys)
{
    const json_t *src = tags != NULL ? tags : keys;
    size_t n = json_array_size(src);
    const char **list = arena_calloc(c->arena, n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_array_get(src, i);
        if (tags != NULL) {
            const char *k = json_string_value(json_object_get(t, "TagKey"));
            const char *v = json_string_value(json_object_get(t, "TagValue"));
            list[i] = k != NULL ? k : "";
            policy_context_set(c->ctx, kms_fmt(c, "aws:RequestTag/%s", list[i]),
                               v != NULL ? v : "");
        } else {
            list[i] = json_string_value(t) != NULL ? json_string_value(t) : "";
        }
    }
    policy_context_set_list(c->ctx, "aws:TagKeys", list, n);
}

// Adds the key's condition keys to the request context.
static int key_context(struct svc_call *c, const struct kms_key *k)
{
    policy_context_set(c->ctx, "kms:CallerAccount", c->caller->account);
    const char *spec = kms_key_str(k, "KeySpec");
    const char *usage = kms_key_str(k, "KeyUsage");
    policy_context_set(c->ctx, "kms:KeySpec", spec != NULL ? spec : "SYMMETRIC_DEFAULT");
    policy_context_set(c->ctx, "kms:KeyUsage", usage != NULL ? usage : "ENCRYPT_DECRYPT");
    policy_context_set(c->ctx, "kms:KeyOrigin", "AWS_KMS");
    if (!policy_context_has(c->ctx, "kms:GrantIsForAWSResource")) {
        policy_context_set(c->ctx, "kms:GrantIsForAWSResource", "false");
    }
    if (k->alias != NULL) {
        policy_context_set(c->ctx, "kms:RequestAlias", k->alias);
    }
    const char **aliases = NULL;
    size_t n = 0;
    if (kms_key_aliases(c, k->id, &aliases, &n) != 0) {
        return -1;
    }
    policy_context_set_list(c->ctx, "kms:ResourceAliases", aliases, n);
    const json_t *tags = json_object_get(kms_key_internal(k), "tags");
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *tk = json_string_value(json_object_get(t, "TagKey"));
        const char *tv = json_string_value(json_object_get(t, "TagValue"));
        if (tk != NULL) {
            policy_context_set(c->ctx, kms_fmt(c, "aws:ResourceTag/%s", tk), tv != NULL ? tv : "");
        }
    }
    return 0;
}

// Finds and decides; see kms_common.h.
int kms_find_authorized(struct svc_call *c, const char *action, struct kms_key *k)
{
    if (kms_key_find(c, kms_in_str(c, "KeyId"), k) != 0) {
        return -1;
    }
    if (kms_authorize_key(c, action, k) != 0) {
        kms_key_release(k);
        return -1;
    }
    return 0;
}

// Finds, decides, changes and saves; see kms_common.h.
int kms_change_key(struct svc_call *c, const char *action, kms_key_change_fn change)
{
    struct kms_key k;
    if (kms_find_authorized(c, action, &k) != 0) {
        return -1;
    }
    int rc = change(c, &k);
    if (rc == 0) {
        rc = kms_key_save(c, &k);
    }
    kms_key_release(&k);
    return rc;
}

// Decides an action on a key; see kms_common.h.
int kms_authorize_key(struct svc_call *c, const char *action, const struct kms_key *k)
{
    return kms_authorize_key_grant(c, action, k, NULL);
}

// Decides an action on a key, saying whether a grant allowed it; see kms_common.h.
int kms_authorize_key_grant(struct svc_call *c, const char *action, const struct kms_key *k,
                            bool *by_grant)
{
    if (by_grant != NULL) {
        *by_grant = false;
    }
    if (key_context(c, k) != 0) {
        return -1;
    }
    const char *policy = json_string_value(json_object_get(kms_key_internal(k), "policy"));
    struct svc_resource_policy rp = {
        .document = policy,
        .kind = POLICY_KIND_KEY,
        .name = kms_fmt(c, "key policy of %s", k->id),
    };
    const struct svc_resource_policy *rpp = policy != NULL ? &rp : NULL;
    if (svc_authorize(c, action, k->arn, c->caller->account, rpp) == 0) {
        return 0;
    }
    // A grant allows on top of the key policy and IAM policies, never past an explicit deny (AWS
    // KMS Developer Guide, "Grants in AWS KMS"). Grants are looked up only when the policies
    // alone do not allow, so that the common path costs no extra read.
    if (strcmp(c->decision, "ImplicitlyDenied") != 0) {
        return -1;
    }
    struct awserr denied = c->err;
    int found = kms_grant_allows(c, k, action);
    if (found <= 0) {
        if (found == 0) {
            c->err = denied;
        }
        return -1;
    }
    memset(&c->err, 0, sizeof(c->err));
    c->kms_grant_allows = true;
    int rc = svc_authorize(c, action, k->arn, c->caller->account, rpp);
    c->kms_grant_allows = false;
    if (rc == 0 && by_grant != NULL) {
        *by_grant = true;
    }
    return rc;
}

// Decides an action without a key; see kms_common.h.
int kms_authorize_account(struct svc_call *c, const char *action, const char *resource)
{
    policy_context_set(c->ctx, "kms:CallerAccount", c->caller->account);
    // Actions without a key are decided by IAM policies alone (the engine applies the key policy
    // rule only to key resources).
    return svc_authorize(c, action, resource, c->caller->account, NULL);
}

// Usable for cryptography; see kms_common.h.
int kms_key_check_usable(struct svc_call *c, const struct kms_key *k)
{
    if (kms_key_check_not_pending(c, k) != 0) {
        return -1;
    }
    const char *state = kms_key_str(k, "KeyState");
    if (state != NULL && strcmp(state, "Disabled") == 0) {
        // "<key ARN> is disabled." (the form localstack and moto reproduce; not verified against
        // a captured AWS response).
        return kms_error(c, "DisabledException", "%s is disabled.", k->arn);
    }
    return 0;
}

// Not pending deletion; see kms_common.h.
int kms_key_check_not_pending(struct svc_call *c, const struct kms_key *k)
{
    const char *state = kms_key_str(k, "KeyState");
    if (state != NULL && strcmp(state, "PendingDeletion") == 0) {
        // "<key ARN> is pending deletion." (not verified against a captured AWS response).
        return kms_error(c, "KMSInvalidStateException", "%s is pending deletion.", k->arn);
    }
    return 0;
}

// ---- the master key and backing keys --------------------------------------------------------

static pthread_mutex_t master_lock = PTHREAD_MUTEX_INITIALIZER;
static bool master_loaded;
static char master_dir[4096];
static unsigned char master_key[KMS_MASTER_KEY_LEN];

// The master key; see kms_common.h. It is cached per data directory, so a process serving one
// data directory loads it once (tests that open several gateways reload on a change).
int kms_master(struct svc_call *c, unsigned char master[KMS_MASTER_KEY_LEN])
{
    const char *dir = c->env->data_dir;
    if (dir == NULL || strlen(dir) >= sizeof(master_dir)) {
        fprintf(stderr, "sagebox: %s %s: kms: no data directory for the master key\n",
                c->request_id, c->operation);
        return awserr_set(&c->err, 500, "KMSInternalException",
                          "The request was rejected because an internal exception occurred.");
    }
    int rc = 0;
    pthread_mutex_lock(&master_lock);
    if (!master_loaded || strcmp(master_dir, dir) != 0) {
        char err[256] = "";
        if (kms_master_load(dir, master_key, err, sizeof(err)) != 0) {
            master_loaded = false;
            fprintf(stderr, "sagebox: %s %s: kms: master key: %s\n", c->request_id, c->operation,
                    err);
            rc = -1;
        } else {
            size_t n = strlen(dir);
            memcpy(master_dir, dir, n + 1);
            master_loaded = true;
        }
    }
    if (rc == 0) {
        memcpy(master, master_key, KMS_MASTER_KEY_LEN);
    }
    pthread_mutex_unlock(&master_lock);
    if (rc != 0) {
        return awserr_set(&c->err, 500, "KMSInternalException",
                          "The request was rejected because an internal exception occurred.");
    }
    return 0;
}

static int internal_failure(struct svc_call *c, const char *what, int rc)
{
    fprintf(stderr, "sagebox: %s %s: kms: %s failed (%d)\n", c->request_id, c->operation, what, rc);
    return awserr_set(&c->err, 500, "KMSInternalException",
                      "The request was rejected because an internal exception occurred.");
}

// A new backing key version; see kms_common.h.
int kms_add_version(struct svc_call *c, const char *key_id, enum kms_key_spec spec,
                    uint32_t version, json_t *versions)
{
    unsigned char master[KMS_MASTER_KEY_LEN];
    if (kms_master(c, master) != 0) {
        return -1;
    }
    int rc = -1;
    struct buf secret = BUF_INIT;
    struct buf wrapped = BUF_INIT;
    int crc = kms_backing_new(spec, &secret);
    if (crc != 0) {
        internal_failure(c, "kms_backing_new", crc);
        goto out;
    }
    crc =
        kms_wrap(master, key_id, version, (const unsigned char *)secret.data, secret.len, &wrapped);
    if (crc != 0) {
        internal_failure(c, "kms_wrap", crc);
        goto out;
    }
    json_array_append_new(versions,
                          json_pack("{s:I, s:s, s:I}", "v", (json_int_t)version, "wrapped",
                                    buf_cstr(&wrapped), "created", (json_int_t)c->now));
    rc = 0;
out:
    kms_buf_wipe(&secret);
    buf_free(&wrapped);
    OPENSSL_cleanse(master, sizeof(master));
    return rc;
}
// A backing key; see kms_common.h.
int kms_key_backing(struct svc_call *c, const struct kms_key *k, uint32_t version,
                    struct buf *secret, uint32_t *used)
{
    const json_t *versions = json_object_get(kms_key_internal(k), "versions");
    const json_t *entry = NULL;
    size_t i;
    const json_t *v;
    json_array_foreach(versions, i, v)
    {
        json_int_t n = json_integer_value(json_object_get(v, "v"));
        if (version == 0 || (json_int_t)version == n) {
            entry = v; // for version 0 the last (newest) one wins
        }
    }
    if (entry == NULL) {
        return kms_error(c, "InvalidCiphertextException", "%s", "");
    }
    const char *wrapped = json_string_value(json_object_get(entry, "wrapped"));
    uint32_t ver = (uint32_t)json_integer_value(json_object_get(entry, "v"));
    if (wrapped == NULL) {
        return internal_failure(c, "wrapped key", 0);
    }
    size_t wrapped_len = strlen(wrapped);
    if (!kms_cache_backing_get(k->id, ver, wrapped, wrapped_len, secret)) {
        unsigned char master[KMS_MASTER_KEY_LEN];
        if (kms_master(c, master) != 0) {
            return -1;
        }
        int crc = kms_unwrap(master, k->id, ver, wrapped, wrapped_len, secret);
        OPENSSL_cleanse(master, sizeof(master));
        if (crc != 0) {
            return internal_failure(c, "kms_unwrap", crc);
        }
        kms_cache_backing_put(k->id, ver, wrapped, wrapped_len, secret);
    }
    if (used != NULL) {
        *used = ver;
    }
    return 0;
}

// Base64; see kms_common.h.
const char *kms_b64(struct svc_call *c, const unsigned char *data, size_t len)
{
    char *out = arena_alloc(c->arena, 4 * ((len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

// Base64 as a JSON string; see kms_common.h.
json_t *kms_b64_json(struct svc_call *c, const unsigned char *data, size_t len)
{
    const char *text = kms_b64(c, data, len);
    return json_stringn_nocheck(text, 4 * ((len + 2) / 3));
}

// Base64 decoding; see kms_common.h.
unsigned char *kms_unb64(struct svc_call *c, const char *text, size_t *len)
{
    size_t tl = strlen(text);
    unsigned char *out = arena_alloc(c->arena, 3 * (tl / 4) + 3);
    int n = tl > 0 ? EVP_DecodeBlock(out, (const unsigned char *)text, (int)tl) : 0;
    if (n < 0) {
        n = 0;
    }
    // EVP_DecodeBlock counts the padding as zero bytes.
    size_t pad = 0;
    if (tl >= 1 && text[tl - 1] == '=') {
        pad++;
    }
    if (tl >= 2 && text[tl - 2] == '=') {
        pad++;
    }
    *len = (size_t)n >= pad ? (size_t)n - pad : 0;
    return out;
}

// ---- key policies ---------------------------------------------------------------------------

// The default key policy; see kms_common.h. AWS returns it in this layout.
const char *kms_default_policy(struct svc_call *c)
{
    return kms_fmt(c,
                   "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n"
                   "  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n"
                   "    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n"
                   "      \"AWS\" : \"arn:%s:iam::%s:root\"\n    },\n"
                   "    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}",
                   c->env->partition, c->caller->account);
}

// Checks that an IAM user or role ARN of this account names an existing entity.
static int principal_exists(struct svc_call *c, const char *value, bool *ok)
{
    *ok = true;
    const char *prefix = kms_fmt(c, "arn:%s:iam::%s:", c->env->partition, c->caller->account);
    size_t plen = strlen(prefix);
    if (strncmp(value, prefix, plen) != 0 || strpbrk(value, "*?") != NULL) {
        return 0;
    }
    const char *res = value + plen;
    const char *kind = NULL;
    if (strncmp(res, "user/", 5) == 0) {
        kind = IAM_KIND_USER;
    } else if (strncmp(res, "role/", 5) == 0) {
        kind = IAM_KIND_ROLE;
    } else {
        return 0;
    }
    const char *name = strrchr(res, '/') + 1;
    struct store_scope sc = iam_scope(c, kind);
    struct store_obj o;
    struct store_err e = {{0}};
    int rc = store_get_by_name(c->env->store, &sc, name, c->arena, &o, &e);
    if (rc == SB_ENOTFOUND) {
        *ok = false;
        return 0;
    }
    if (rc != 0) {
        return kms_store_error(c, rc, &e);
    }
    json_t *d = jsonload(o.doc, o.doc_len);
    const char *arn = json_string_value(json_object_get(d, "Arn"));
    *ok = arn != NULL && strcmp(arn, value) == 0;
    json_decref(d);
    return 0;
}

// Checks every AWS principal of one statement.
static int statement_principals(struct svc_call *c, const json_t *st, bool *ok)
{
    static const char *const keys[] = {"Principal", "NotPrincipal"};
    for (size_t k = 0; k < 2 && *ok; k++) {
        const json_t *aws = json_object_get(json_object_get(st, keys[k]), "AWS");
        if (json_is_string(aws) && principal_exists(c, json_string_value(aws), ok) != 0) {
            return -1;
        }
        size_t i;
        const json_t *v;
        json_array_foreach(aws, i, v)
        {
            if (*ok && json_is_string(v) && principal_exists(c, json_string_value(v), ok) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

// Validates a key policy; see kms_common.h.
int kms_check_key_policy(struct svc_call *c, const char *doc, const char *key_arn, bool bypass,
                         const char *spec, const char *usage)
{
    struct policy *p = NULL;
    struct policy_error perr;
    if (policy_parse(doc, strlen(doc), POLICY_KIND_KEY, "key policy", NULL, &p, &perr) != 0) {
        // The engine's reason; AWS's wordings for each grammar error are not all verified.
        return kms_error(c,
                         perr.code == POLICY_ERR_TOO_LARGE ? "LimitExceededException"
                                                           : "MalformedPolicyDocumentException",
                         "%s", perr.message);
    }
    policy_free(p);
    json_t *j = json_loads(doc, 0, NULL); // the client's text: jansson, as for request bodies
    const json_t *st = json_object_get(j, "Statement");
    bool ok = true;
    int rc = 0;
    if (json_is_object(st)) {
        rc = statement_principals(c, st, &ok);
    }
    size_t i;
    const json_t *s;
    json_array_foreach(st, i, s)
    {
        if (rc == 0 && ok) {
            rc = statement_principals(c, s, &ok);
        }
    }
    json_decref(j);
    if (rc != 0) {
        return -1;
    }
    if (!ok) {
        // AWS KMS's wording for a key policy naming a principal that does not exist.
        return kms_error(c, "MalformedPolicyDocumentException",
                         "Policy contains a statement with one or more invalid principals.");
    }
    if (bypass) {
        return 0;
    }
    // The lockout safety check (AWS KMS Developer Guide, "Default key policy": "...the new key
    // policy will not allow you to update the key policy in the future").
    policy_context_set(c->ctx, "kms:CallerAccount", c->caller->account);
    policy_context_set(c->ctx, "kms:KeySpec", spec);
    policy_context_set(c->ctx, "kms:KeyUsage", usage);
    struct svc_resource_policy rp = {
        .document = doc, .kind = POLICY_KIND_KEY, .name = "new key policy"};
    char decision[sizeof(c->decision)];
    memcpy(decision, c->decision, sizeof(decision));
    if (svc_authorize(c, "kms:PutKeyPolicy", key_arn, c->caller->account, &rp) != 0) {
        if (strcmp(c->err.code, "AccessDeniedException") != 0) {
            return -1;
        }
        memcpy(c->decision, decision, sizeof(decision));
        return kms_error(c, "MalformedPolicyDocumentException",
                         "The new key policy will not allow you to update the key policy in the "
                         "future.");
    }
    memcpy(c->decision, decision, sizeof(decision));
    return 0;
}
