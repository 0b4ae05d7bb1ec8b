// SPDX-License-Identifier: Apache-2.0
// AWS KMS aliases (AWS KMS API Reference: CreateAlias, UpdateAlias, DeleteAlias, ListAliases).
// Objects follow kms_common.h: an alias is stored under its name with its target key as parent.
//
// Authorization (AWS KMS Developer Guide, "Controlling access to aliases"): CreateAlias and
// DeleteAlias need the action on the alias (an IAM policy decides: aliases have no policy) and
// on the key (its key policy decides); UpdateAlias needs it on the alias, the current key and
// the new key. "User: ... is not authorized to perform: kms:CreateAlias on resource:
// arn:aws:kms:eu-west-1:...:alias/..." (awsdocs/iam-user-guide#119) shows the alias half.
#include "svc/kms/kms_common.h"
#include "core/jsonload.h"
#include "svc/kms/kms_internal.h"
#include "svc/registry.h"

#include <stdlib.h>
#include <string.h>

// Checks an alias name for CreateAlias and UpdateAlias.
static int check_alias_name(struct svc_call *c, const char *name)
{
    if (strncmp(name, "alias/", 6) != 0 || name[6] == '\0') {
        // "ValidationException: Alias must start with the prefix \"alias/\". Please see
        // https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
        // (aws-controllers-k8s/community#1878).
        return kms_error(c, "ValidationException",
                         "Alias must start with the prefix \"alias/\". Please see "
                         "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
    }
    if (strchr(name, ':') != NULL) {
        // "ValidationException: alias/Service:Test contains invalid characters for an alias"
        // (hashicorp/terraform-provider-aws#12891).
        return kms_error(c, "ValidationException", "%s contains invalid characters for an alias",
                         name);
    }
    if (strncmp(name, "alias/aws/", 10) == 0) {
        // The alias/aws/ prefix is reserved for AWS managed keys (CreateAlias API Reference).
        // AWS answers NotAuthorizedException as moto reproduces it; the message is not verified.
        return awserr_set(&c->err, 400, "NotAuthorizedException",
                          "The alias/aws/ prefix is reserved for AWS managed keys.");
    }
    return 0;
}

// Finds the TargetKeyId of the request: a key id or key ARN (an alias cannot target an alias).
static int find_target(struct svc_call *c, struct kms_key *k)
{
    const char *ref = kms_in_str(c, "TargetKeyId");
    const char *colon = strrchr(ref, ':');
    const char *res = colon != NULL ? colon + 1 : ref;
    if (strncmp(res, "alias/", 6) == 0) {
        // Wording not verified against AWS.
        return kms_error(c, "ValidationException", "Aliases must refer to keys. Not aliases");
    }
    return kms_key_find(c, ref, k);
}

// Reads the stored alias name. Returns 0 with *o filled, or -1 with NotFoundException.
static int get_alias(struct svc_call *c, const char *name, struct store_obj *o)
{
    struct store_scope sc = kms_scope(c, KMS_KIND_ALIAS);
    struct store_err e = {{0}};
    int rc = store_get(c->env->store, &sc, name, c->arena, o, &e);
    if (rc == SB_ENOTFOUND) {
        // Not verified against a captured AWS response (see kms_key_find).
        return kms_error(c, "NotFoundException", "Alias '%s' is not found.",
                         kms_alias_arn(c, name));
    }
    return rc == 0 ? 0 : kms_store_error(c, rc, &e);
}

// Writes an alias document for name targeting key_id.
static int put_alias(struct svc_call *c, const char *name, const char *key_id, json_int_t created,
                     enum store_put_mode mode)
{
    json_t *doc = json_pack("{s:s, s:s, s:s, s:I, s:I}", "AliasName", name, "AliasArn",
                            kms_alias_arn(c, name), "TargetKeyId", key_id, "CreationDate", created,
                            "LastUpdatedDate", (json_int_t)c->now);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct store_obj o = {
        .account = c->caller->account,
        .region = c->region,
        .kind = KMS_KIND_ALIAS,
        .id = name,
        .name = name,
        .parent = key_id,
        .doc = text,
        .doc_len = strlen(text),
    };
    struct store_err e = {{0}};
    int rc = store_put(c->env->store, &o, mode, &e);
    free(text);
    if (rc == SB_EEXISTS) {
        // The form moto reproduces; not verified against a captured AWS response.
        return kms_error(c, "AlreadyExistsException", "An alias with the name %s already exists",
                         kms_alias_arn(c, name));
    }
    return rc == 0 ? 0 : kms_store_error(c, rc, &e);
}

static int create_alias_body(struct svc_call *c)
{
    const char *name = kms_in_str(c, "AliasName");
    struct kms_key k = {0};
    int rc = -1;
    if (check_alias_name(c, name) != 0 || find_target(c, &k) != 0) {
        goto out;
    }
    if (kms_authorize_account(c, "kms:CreateAlias", kms_alias_arn(c, name)) != 0 ||
        kms_authorize_key(c, "kms:CreateAlias", &k) != 0 || kms_key_check_not_pending(c, &k) != 0) {
        goto out;
    }
    rc = put_alias(c, name, k.id, (json_int_t)c->now, STORE_CREATE);
out:
    kms_key_release(&k);
    return rc;
}
KMS_OPERATION(create_alias, true)

static int update_alias_body(struct svc_call *c)
{
    const char *name = kms_in_str(c, "AliasName");
    struct kms_key old = {0};
    struct kms_key k = {0};
    struct store_obj o;
    int rc = -1;
    if (check_alias_name(c, name) != 0 || get_alias(c, name, &o) != 0 || find_target(c, &k) != 0 ||
        kms_key_get(c, o.parent, &old) != 0) {
        goto out;
    }
    if (kms_authorize_account(c, "kms:UpdateAlias", kms_alias_arn(c, name)) != 0 ||
        kms_authorize_key(c, "kms:UpdateAlias", &old) != 0 ||
        kms_authorize_key(c, "kms:UpdateAlias", &k) != 0 || kms_key_check_not_pending(c, &k) != 0) {
        goto out;
    }
    const char *s1 = kms_key_str(&old, "KeySpec");
    const char *s2 = kms_key_str(&k, "KeySpec");
    const char *u1 = kms_key_str(&old, "KeyUsage");
    const char *u2 = kms_key_str(&k, "KeyUsage");
    if (s1 == NULL || s2 == NULL || u1 == NULL || u2 == NULL || strcmp(s1, s2) != 0 ||
        strcmp(u1, u2) != 0) {
        // "The current and new KMS key must be the same type" (UpdateAlias API Reference); the
        // message is not verified.
        kms_error(c, "ValidationException", "%s and %s are not of the same key spec and key usage.",
                  old.arn, k.arn);
        goto out;
    }
    json_t *d = jsonload(o.doc, o.doc_len);
    json_int_t created = json_integer_value(json_object_get(d, "CreationDate"));
    json_decref(d);
    rc = put_alias(c, name, k.id, created, STORE_REPLACE);
out:
    kms_key_release(&old);
    kms_key_release(&k);
    return rc;
}
KMS_OPERATION(update_alias, true)

static int delete_alias_body(struct svc_call *c)
{
    const char *name = kms_in_str(c, "AliasName");
    struct kms_key k = {0};
    struct store_obj o;
    int rc = -1;
    if (strncmp(name, "alias/", 6) != 0) {
        rc = check_alias_name(c, name);
        goto out;
    }
    if (get_alias(c, name, &o) != 0 || kms_key_get(c, o.parent, &k) != 0) {
        goto out;
    }
    if (kms_authorize_account(c, "kms:DeleteAlias", kms_alias_arn(c, name)) != 0 ||
        kms_authorize_key(c, "kms:DeleteAlias", &k) != 0) {
        goto out;
    }
    struct store_scope sc = kms_scope(c, KMS_KIND_ALIAS);
    struct store_err e = {{0}};
    int src = store_delete(c->env->store, &sc, name, &e);
    rc = src == 0 ? 0 : kms_store_error(c, src, &e);
out:
    kms_key_release(&k);
    return rc;
}
KMS_OPERATION(delete_alias, true)

// The marker of a page that continues in the predefined aliases (kms_internal_predefined_alias):
// this prefix and the index of the next one. A store marker never starts with it.
#define PREDEFINED_MARKER "predefined:"

// Appends to out, from the index *next on and while out has fewer than limit entries, the
// predefined AWS managed aliases whose key does not exist yet ({AliasName, AliasArn}, without a
// TargetKeyId); *next becomes the index after the last one looked at. Returns 0 or -1.
static int append_predefined(struct svc_call *c, json_t *out, size_t limit, size_t *next)
{
    struct store_scope sc = kms_scope(c, KMS_KIND_ALIAS);
    const char *name;
    for (; json_array_size(out) < limit && (name = kms_internal_predefined_alias(*next)) != NULL;
         (*next)++) {
        struct store_err e = {{0}};
        int rc = store_get(c->env->store, &sc, name, NULL, NULL, &e);
        if (rc == SB_ENOTFOUND) {
            json_array_append_new(out, json_pack("{s:s, s:s}", "AliasName", name, "AliasArn",
                                                 kms_alias_arn(c, name)));
        } else if (rc != 0) {
            return kms_store_error(c, rc, &e);
        }
    }
    return 0;
}

// ListAliases: the aliases of the account and region (of one key with KeyId) in the store's
// order; without KeyId the predefined AWS managed aliases not in use yet follow them.
static int list_aliases_body(struct svc_call *c)
{
    const char *key_ref = kms_in_str(c, "KeyId");
    const char *parent = NULL;
    if (kms_authorize_account(c, "kms:ListAliases", "*") != 0) {
        return -1;
    }
    if (key_ref != NULL) {
        struct kms_key k;
        if (kms_key_find(c, key_ref, &k) != 0) {
            return -1;
        }
        parent = k.id;
        kms_key_release(&k);
    }
    const json_t *lim = json_object_get(c->in, "Limit");
    size_t limit = json_is_integer(lim) ? (size_t)json_integer_value(lim) : 100;
    const char *marker = kms_in_str(c, "Marker");
    json_t *out = json_array();
    bool truncated = false;
    const char *next_marker = NULL;
    size_t predefined = 0;
    bool in_store = true;
    if (marker != NULL && parent == NULL &&
        strncmp(marker, PREDEFINED_MARKER, strlen(PREDEFINED_MARKER)) == 0) {
        const char *digits = marker + strlen(PREDEFINED_MARKER);
        char *end = NULL;
        unsigned long n = strtoul(digits, &end, 10);
        if (*digits < '0' || *digits > '9' || *end != '\0' ||
            kms_internal_predefined_alias(n) == NULL) {
            json_decref(out);
            // Wording not verified against AWS.
            return kms_error(c, "InvalidMarkerException", "Invalid marker");
        }
        predefined = (size_t)n;
        in_store = false;
    }
    if (in_store) {
        struct store_scope sc = kms_scope(c, KMS_KIND_ALIAS);
        struct store_list_opts lo = {.parent = parent, .marker = marker, .limit = limit};
        struct store_list l;
        struct store_err e = {{0}};
        int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
        if (rc != 0) {
            json_decref(out);
            // Wording not verified against AWS.
            return rc == SB_EINVAL ? kms_error(c, "InvalidMarkerException", "Invalid marker")
                                   : kms_store_error(c, rc, &e);
        }
        for (size_t i = 0; i < l.count; i++) {
            json_t *d = jsonload(l.items[i].doc, l.items[i].doc_len);
            if (json_is_object(d)) {
                json_array_append(out, d);
            }
            json_decref(d);
        }
        truncated = l.truncated;
        next_marker = l.next_marker;
    }
    if (!truncated && parent == NULL) {
        if (append_predefined(c, out, limit, &predefined) != 0) {
            json_decref(out);
            return -1;
        }
        if (kms_internal_predefined_alias(predefined) != NULL) {
            truncated = true;
            next_marker = kms_fmt(c, PREDEFINED_MARKER "%zu", predefined);
        }
    }
    c->out = json_pack("{s:o, s:b}", "Aliases", out, "Truncated", truncated);
    if (truncated) {
        json_object_set_new(c->out, "NextMarker", json_string(next_marker));
    }
    return 0;
}
KMS_OPERATION(list_aliases, false)

// clang-format off
const struct svc_handler kms_alias_handlers[] = {
    {"CreateAlias", create_alias},
    {"UpdateAlias", update_alias},
    {"DeleteAlias", delete_alias},
    {"ListAliases", list_aliases},
    {NULL, NULL},
};
// clang-format on
