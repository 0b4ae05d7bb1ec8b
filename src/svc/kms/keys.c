// SPDX-License-Identifier: Apache-2.0
// AWS KMS keys (AWS KMS API Reference: CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey,
// ScheduleKeyDeletion, CancelKeyDeletion, GetKeyPolicy, PutKeyPolicy, ListKeyPolicies,
// UpdateKeyDescription, TagResource, UntagResource, ListResourceTags; rotation is rotation.c's).
// Objects follow kms_common.h.
//
// Every operation on an existing key finds the key first (NotFoundException when there is none:
// without a key there is no key policy to decide with, as in AWS), then decides with the key's
// policy (kms_authorize_key), then checks the input and the key state.
#include "core/ids.h"
#include "svc/kms/kms_common.h"
#include "core/jsonload.h"
#include "svc/kms/kms_internal.h"
#include "svc/registry.h"

#include <stdlib.h>
#include <string.h>

// Tags a key may have (AWS KMS Developer Guide, "Quotas": 50 tags per KMS key).
#define TAGS_PER_KEY 50

// ---- CreateKey ---------------------------------------------------------------------------------

// Appends the algorithm list names[] (NULL-terminated) to m as member.
static void set_algs(json_t *m, const char *member, const char *const *names)
{
    if (names == NULL || names[0] == NULL) {
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; names[i] != NULL; i++) {
        json_array_append_new(a, json_string(names[i]));
    }
    json_object_set_new(m, member, a);
}

// Checks a Tags list: at most TAGS_PER_KEY, keys not reserved ("aws:").
static int check_tags(struct svc_call *c, const json_t *tags, size_t existing)
{
    if (json_array_size(tags) + existing > TAGS_PER_KEY) {
        // Wording not verified against AWS.
        return kms_error(c, "TagException", "Too many tags. A KMS key can have at most %d tags.",
                         TAGS_PER_KEY);
    }
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = json_string_value(json_object_get(t, "TagKey"));
        if (k != NULL && strncmp(k, "aws:", 4) == 0) {
            // Wording not verified against AWS.
            return kms_error(c, "TagException", "Tags beginning with aws: are reserved.");
        }
    }
    return 0;
}

// Sets or replaces tags in the stored list (same key: new value).
static void merge_tags(json_t *stored, const json_t *tags)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *k = json_string_value(json_object_get(t, "TagKey"));
        bool replaced = false;
        size_t j;
        json_t *s;
        json_array_foreach(stored, j, s)
        {
            const char *sk = json_string_value(json_object_get(s, "TagKey"));
            if (k != NULL && sk != NULL && strcmp(k, sk) == 0) {
                json_object_set(s, "TagValue", json_object_get(t, "TagValue"));
                replaced = true;
            }
        }
        if (!replaced) {
            json_array_append_new(stored, json_deep_copy(t));
        }
    }
}

static int create_key_body(struct svc_call *c)
{
    const char *spec_name = kms_in_str(c, "KeySpec");
    const char *cmk_spec = kms_in_str(c, "CustomerMasterKeySpec");
    const char *usage = kms_in_str(c, "KeyUsage");
    const char *origin = kms_in_str(c, "Origin");
    const char *policy = kms_in_str(c, "Policy");
    const char *desc = kms_in_str(c, "Description");
    const json_t *tags = json_object_get(c->in, "Tags");
    bool bypass = json_is_true(json_object_get(c->in, "BypassPolicyLockoutSafetyCheck"));
    bool multi = json_is_true(json_object_get(c->in, "MultiRegion"));

    if (tags != NULL) {
        kms_request_tag_keys(c, tags, NULL);
    }
    if (spec_name != NULL) {
        policy_context_set(c->ctx, "kms:KeySpec", spec_name);
    }
    if (usage != NULL) {
        policy_context_set(c->ctx, "kms:KeyUsage", usage);
    }
    policy_context_set(c->ctx, "kms:KeyOrigin", origin != NULL ? origin : "AWS_KMS");
    policy_context_set(c->ctx, "kms:MultiRegion", multi ? "true" : "false");
    if (kms_authorize_account(c, "kms:CreateKey", "*") != 0) {
        return -1;
    }
    // "To use the Tags parameter, the principal must have kms:TagResource permission" (CreateKey
    // API Reference).
    if (tags != NULL && kms_authorize_account(c, "kms:TagResource", "*") != 0) {
        return -1;
    }
    if (spec_name != NULL && cmk_spec != NULL) {
        // Wording not verified against AWS.
        return kms_error(c, "ValidationException",
                         "You cannot specify KeySpec and CustomerMasterKeySpec in the same "
                         "request. CustomerMasterKeySpec parameter is deprecated.");
    }
    if (spec_name == NULL) {
        spec_name = cmk_spec != NULL ? cmk_spec : "SYMMETRIC_DEFAULT";
    }
    int spec = kms_spec_from_name(spec_name);
    if (spec < 0) {
        // SM2 and specs kms_crypto does not implement (the model's enum admits them).
        return kms_error(c, "UnsupportedOperationException",
                         "KeySpec %s is not supported in this region.", spec_name);
    }
    if (usage == NULL) {
        usage = "ENCRYPT_DECRYPT";
    }
    if (!kms_spec_allows_usage((enum kms_key_spec)spec, usage)) {
        // Wording not verified against AWS.
        return kms_error(c, "ValidationException", "KeyUsage %s is not compatible with KeySpec %s",
                         usage, spec_name);
    }
    if (origin != NULL && strcmp(origin, "AWS_KMS") != 0) {
        // Imported key material and custom key stores are not served by sagebox.
        return kms_error(c, "UnsupportedOperationException",
                         "Origin %s is not supported by sagebox.", origin);
    }
    if (multi) {
        return kms_error(c, "UnsupportedOperationException",
                         "Multi-Region keys are not supported by sagebox.");
    }
    if (tags != NULL && check_tags(c, tags, 0) != 0) {
        return -1;
    }
    char id[KMS_KEY_ID_LEN + 1];
    ids_uuid4(id);
    const char *arn = kms_key_arn(c, id);
    if (policy != NULL) {
        if (kms_check_key_policy(c, policy, arn, bypass, spec_name, usage) != 0) {
            return -1;
        }
    } else {
        policy = kms_default_policy(c);
    }
    json_t *versions = json_array();
    if (kms_add_version(c, id, (enum kms_key_spec)spec, 1, versions) != 0) {
        json_decref(versions);
        return -1;
    }
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:I, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "AWSAccountId",
                  c->caller->account, "KeyId", id, "Arn", arn, "CreationDate", (json_int_t)c->now,
                  "Enabled", 1, "Description", desc != NULL ? desc : "", "KeyUsage", usage,
                  "KeyState", "Enabled", "Origin", "AWS_KMS", "KeyManager", "CUSTOMER",
                  "CustomerMasterKeySpec", spec_name, "KeySpec", spec_name);
    set_algs(doc, "EncryptionAlgorithms", kms_spec_encryption_algs((enum kms_key_spec)spec, usage));
    if (strcmp(usage, "SIGN_VERIFY") == 0) {
        set_algs(doc, "SigningAlgorithms", kms_spec_signing_algs((enum kms_key_spec)spec));
    }
    set_algs(doc, "MacAlgorithms", kms_spec_mac_algs((enum kms_key_spec)spec));
    json_object_set_new(doc, "MultiRegion", json_false());
    json_object_set_new(doc, "_",
                        json_pack("{s:o, s:s, s:{s:b}, s:o}", "versions", versions, "policy",
                                  policy, "rotation", "enabled", 0, "tags",
                                  tags != NULL ? json_deep_copy(tags) : json_array()));
    char *text = json_dumps(doc, JSON_COMPACT);
    struct store_obj o = {
        .account = c->caller->account,
        .region = c->region,
        .kind = KMS_KIND_KEY,
        .id = id,
        .doc = text,
        .doc_len = strlen(text),
    };
    struct store_err e = {{0}};
    int rc = store_put(c->env->store, &o, STORE_CREATE, &e);
    free(text);
    if (rc != 0) {
        json_decref(doc);
        return kms_store_error(c, rc, &e);
    }
    json_object_del(doc, "_");
    c->out = json_pack("{s:o}", "KeyMetadata", doc);
    return 0;
}
KMS_OPERATION(create_key, true)

// ---- lookups shared by the operations on one key -----------------------------------------------

// ---- DescribeKey / ListKeys --------------------------------------------------------------------

static int describe_key_body(struct svc_call *c)
{
    struct kms_key k;
    if (kms_find_authorized(c, "kms:DescribeKey", &k) != 0) {
        return -1;
    }
    c->out = json_pack("{s:o}", "KeyMetadata", kms_key_metadata(&k));
    kms_key_release(&k);
    return 0;
}
static int describe_key(struct svc_call *c)
{
    // DescribeKey of a predefined AWS managed alias creates its key (kms_internal.h).
    if (kms_internal_ensure_managed(c, kms_in_str(c, "KeyId")) != 0) {
        return -1;
    }
    return kms_run(c, false, describe_key_body);
}

static int list_keys_body(struct svc_call *c)
{
    if (kms_authorize_account(c, "kms:ListKeys", "*") != 0) {
        return -1;
    }
    const json_t *lim = json_object_get(c->in, "Limit");
    struct store_scope sc = kms_scope(c, KMS_KIND_KEY);
    struct store_list_opts lo = {
        .marker = kms_in_str(c, "Marker"),
        .limit = json_is_integer(lim) ? (size_t)json_integer_value(lim) : 100,
    };
    struct store_list l;
    struct store_err e = {{0}};
    int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
    if (rc == SB_EINVAL) {
        // Wording not verified against AWS.
        return kms_error(c, "InvalidMarkerException", "Invalid marker");
    }
    if (rc != 0) {
        return kms_store_error(c, rc, &e);
    }
    json_t *keys = json_array();
    for (size_t i = 0; i < l.count; i++) {
        json_t *d = jsonload(l.items[i].doc, l.items[i].doc_len);
        const json_t *dd = json_object_get(d, "DeletionDate");
        bool deleted = json_is_number(dd) && (double)c->now >= json_number_value(dd);
        json_decref(d);
        if (!deleted) {
            json_array_append_new(keys, json_pack("{s:s, s:s}", "KeyId", l.items[i].id, "KeyArn",
                                                  kms_key_arn(c, l.items[i].id)));
        }
    }
    c->out = json_pack("{s:o, s:b}", "Keys", keys, "Truncated", l.truncated);
    if (l.truncated) {
        json_object_set_new(c->out, "NextMarker", json_string(l.next_marker));
    }
    return 0;
}
KMS_OPERATION(list_keys, false)

// ---- EnableKey / DisableKey --------------------------------------------------------------------

static int set_enabled(struct svc_call *c, struct kms_key *k, bool enabled)
{
    if (kms_key_check_not_pending(c, k) != 0) {
        return -1;
    }
    json_object_set_new(k->doc, "Enabled", json_boolean(enabled));
    json_object_set_new(k->doc, "KeyState", json_string(enabled ? "Enabled" : "Disabled"));
    return 0;
}

static int do_enable(struct svc_call *c, struct kms_key *k)
{
    return set_enabled(c, k, true);
}

static int do_disable(struct svc_call *c, struct kms_key *k)
{
    return set_enabled(c, k, false);
}

static int enable_key_body(struct svc_call *c)
{
    return kms_change_key(c, "kms:EnableKey", do_enable);
}
KMS_OPERATION(enable_key, true)

static int disable_key_body(struct svc_call *c)
{
    return kms_change_key(c, "kms:DisableKey", do_disable);
}
KMS_OPERATION(disable_key, true)

// ---- ScheduleKeyDeletion / CancelKeyDeletion ---------------------------------------------------

static int do_schedule(struct svc_call *c, struct kms_key *k)
{
    const json_t *w = json_object_get(c->in, "PendingWindowInDays");
    json_int_t days = json_is_integer(w) ? json_integer_value(w) : 30;
    if (days < 7 || days > 30) {
        // The request framework's constraint wording (not verified for this member).
        return kms_error(c, "ValidationException",
                         "1 validation error detected: Value '%lld' at 'pendingWindowInDays' "
                         "failed to satisfy constraint: Member must have value %s %d",
                         (long long)days,
                         days < 7 ? "greater than or equal to" : "less than or equal to",
                         days < 7 ? 7 : 30);
    }
    if (kms_key_check_not_pending(c, k) != 0) {
        return -1;
    }
    json_int_t when = (json_int_t)c->now + days * 86400;
    json_object_set_new(k->doc, "Enabled", json_false());
    json_object_set_new(k->doc, "KeyState", json_string("PendingDeletion"));
    json_object_set_new(k->doc, "DeletionDate", json_integer(when));
    json_object_set_new(k->doc, "PendingDeletionWindowInDays", json_integer(days));
    c->out = json_pack("{s:s, s:I, s:s, s:I}", "KeyId", k->arn, "DeletionDate", when, "KeyState",
                       "PendingDeletion", "PendingWindowInDays", days);
    return 0;
}

static int schedule_key_deletion_body(struct svc_call *c)
{
    return kms_change_key(c, "kms:ScheduleKeyDeletion", do_schedule);
}
KMS_OPERATION(schedule_key_deletion, true)

static int do_cancel(struct svc_call *c, struct kms_key *k)
{
    const char *state = kms_key_str(k, "KeyState");
    if (state == NULL || strcmp(state, "PendingDeletion") != 0) {
        // Wording not verified against AWS.
        return kms_error(c, "KMSInvalidStateException", "%s is not pending deletion.", k->arn);
    }
    // A canceled deletion leaves the key Disabled (AWS KMS Developer Guide, "Deleting KMS keys").
    json_object_set_new(k->doc, "KeyState", json_string("Disabled"));
    json_object_del(k->doc, "DeletionDate");
    json_object_del(k->doc, "PendingDeletionWindowInDays");
    c->out = json_pack("{s:s}", "KeyId", k->arn);
    return 0;
}

static int cancel_key_deletion_body(struct svc_call *c)
{
    return kms_change_key(c, "kms:CancelKeyDeletion", do_cancel);
}
KMS_OPERATION(cancel_key_deletion, true)

// ---- key policies ------------------------------------------------------------------------------

static int check_policy_name(struct svc_call *c)
{
    const char *name = kms_in_str(c, "PolicyName");
    if (name != NULL && strcmp(name, "default") != 0) {
        // Wording not verified against AWS.
        return kms_error(c, "NotFoundException", "Invalid policy name: %s", name);
    }
    return 0;
}

static int get_key_policy_body(struct svc_call *c)
{
    struct kms_key k;
    if (kms_find_authorized(c, "kms:GetKeyPolicy", &k) != 0) {
        return -1;
    }
    if (check_policy_name(c) != 0) {
        kms_key_release(&k);
        return -1;
    }
    c->out = json_pack("{s:O}", "Policy", json_object_get(kms_key_internal(&k), "policy"));
    kms_key_release(&k);
    return 0;
}
KMS_OPERATION(get_key_policy, false)

static int do_put_policy(struct svc_call *c, struct kms_key *k)
{
    if (check_policy_name(c) != 0 || kms_key_check_not_pending(c, k) != 0) {
        return -1;
    }
    const char *doc = kms_in_str(c, "Policy");
    bool bypass = json_is_true(json_object_get(c->in, "BypassPolicyLockoutSafetyCheck"));
    if (kms_check_key_policy(c, doc, k->arn, bypass, kms_key_str(k, "KeySpec"),
                             kms_key_str(k, "KeyUsage")) != 0) {
        return -1;
    }
    json_object_set_new(kms_key_internal(k), "policy", json_string(doc));
    return 0;
}

static int put_key_policy_body(struct svc_call *c)
{
    return kms_change_key(c, "kms:PutKeyPolicy", do_put_policy);
}
KMS_OPERATION(put_key_policy, true)

static int list_key_policies_body(struct svc_call *c)
{
    struct kms_key k;
    if (kms_find_authorized(c, "kms:ListKeyPolicies", &k) != 0) {
        return -1;
    }
    kms_key_release(&k);
    c->out = json_pack("{s:[s], s:b}", "PolicyNames", "default", "Truncated", 0);
    return 0;
}
KMS_OPERATION(list_key_policies, false)

static int do_update_description(struct svc_call *c, struct kms_key *k)
{
    if (kms_key_check_not_pending(c, k) != 0) {
        return -1;
    }
    json_object_set_new(k->doc, "Description", json_string(kms_in_str(c, "Description")));
    return 0;
}

static int update_key_description_body(struct svc_call *c)
{
    return kms_change_key(c, "kms:UpdateKeyDescription", do_update_description);
}
KMS_OPERATION(update_key_description, true)

// ---- tags --------------------------------------------------------------------------------------

static int do_tag(struct svc_call *c, struct kms_key *k)
{
    if (kms_key_check_not_pending(c, k) != 0) {
        return -1;
    }
    const json_t *tags = json_object_get(c->in, "Tags");
    json_t *stored = json_object_get(kms_key_internal(k), "tags");
    if (!json_is_array(stored)) {
        stored = json_array();
        json_object_set_new(kms_key_internal(k), "tags", stored);
    }
    if (check_tags(c, tags, 0) != 0) {
        return -1;
    }
    merge_tags(stored, tags);
    if (json_array_size(stored) > TAGS_PER_KEY) {
        return check_tags(c, stored, 0);
    }
    return 0;
}

static int tag_resource_body(struct svc_call *c)
{
    kms_request_tag_keys(c, json_object_get(c->in, "Tags"), NULL);
    return kms_change_key(c, "kms:TagResource", do_tag);
}
KMS_OPERATION(tag_resource, true)

static int do_untag(struct svc_call *c, struct kms_key *k)
{
    if (kms_key_check_not_pending(c, k) != 0) {
        return -1;
    }
    const json_t *keys = json_object_get(c->in, "TagKeys");
    json_t *stored = json_object_get(kms_key_internal(k), "tags");
    json_t *kept = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(stored, i, t)
    {
        const char *tk = json_string_value(json_object_get(t, "TagKey"));
        bool drop = false;
        size_t j;
        const json_t *key;
        json_array_foreach(keys, j, key)
        {
            drop = drop || (tk != NULL && json_string_value(key) != NULL &&
                            strcmp(tk, json_string_value(key)) == 0);
        }
        if (!drop) {
            json_array_append(kept, t);
        }
    }
    json_object_set_new(kms_key_internal(k), "tags", kept);
    return 0;
}

static int untag_resource_body(struct svc_call *c)
{
    kms_request_tag_keys(c, NULL, json_object_get(c->in, "TagKeys"));
    return kms_change_key(c, "kms:UntagResource", do_untag);
}
KMS_OPERATION(untag_resource, true)

static int list_resource_tags_body(struct svc_call *c)
{
    struct kms_key k;
    if (kms_find_authorized(c, "kms:ListResourceTags", &k) != 0) {
        return -1;
    }
    const json_t *tags = json_object_get(kms_key_internal(&k), "tags");
    c->out =
        json_pack("{s:O, s:b}", "Tags", json_is_array(tags) ? tags : json_array(), "Truncated", 0);
    kms_key_release(&k);
    return 0;
}
KMS_OPERATION(list_resource_tags, false)

// clang-format off
const struct svc_handler kms_key_handlers[] = {
    {"CreateKey", create_key},
    {"DescribeKey", describe_key},
    {"ListKeys", list_keys},
    {"EnableKey", enable_key},
    {"DisableKey", disable_key},
    {"ScheduleKeyDeletion", schedule_key_deletion},
    {"CancelKeyDeletion", cancel_key_deletion},
    {"GetKeyPolicy", get_key_policy},
    {"PutKeyPolicy", put_key_policy},
    {"ListKeyPolicies", list_key_policies},
    {"UpdateKeyDescription", update_key_description},
    {"TagResource", tag_resource},
    {"UntagResource", untag_resource},
    {"ListResourceTags", list_resource_tags},
    {NULL, NULL},
};
// clang-format on
