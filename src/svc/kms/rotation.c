// SPDX-License-Identifier: Apache-2.0
// Rotation of KMS key material (AWS KMS API Reference: EnableKeyRotation, DisableKeyRotation,
// GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations; AWS KMS Developer Guide, "Rotate
// AWS KMS keys"). Only symmetric encryption keys rotate. A rotation adds a backing key version
// (kms_add_version); the old versions stay, so every ciphertext made before still decrypts, and
// new ciphertexts use the newest version.
//
// State, in the key's internal member "_" (kms_common.h):
//   "rotation": {"enabled": bool, "period": days (90..2560, default 365), "next": epoch of the
//                next automatic rotation (while enabled), "last": epoch of the last automatic
//                one, "on_demand": number of on-demand rotations so far}
//   "versions": [{"v": n, "wrapped", "created", "type": "AUTOMATIC" | "ON_DEMAND"}]  (v > 1)
//
// Automatic rotation is applied when it is due and the key is next used (crypto_ops.c calls
// kms_rotate_if_due in a write transaction), or by RotateKeyOnDemand, which applies a due one
// first. On-demand rotation completes within the call (AWS completes it asynchronously and
// reports OnDemandRotationStartDate meanwhile; a sagebox rotation is never in progress). The
// RotateKeyOnDemand, ListKeyRotations and RotationPeriodInDays shapes come from the newer
// official model excerpted in tools/model_overlays/kms.json (Debian's botocore predates them).
#include "svc/kms/kms_common.h"
#include "svc/registry.h"

#include <stdlib.h>
#include <string.h>

// AWS's default rotation period (days), and the on-demand rotations a key may have (AWS KMS
// Developer Guide, "Perform on-demand key rotation": 25 in its current text, 10 in earlier ones).
#define ROTATION_DAYS       365LL
#define ON_DEMAND_MAX       25
#define CONFLICT_WINDOW_SEC (20 * 60)

// The rotation member of k, created when absent (borrowed).
static json_t *rotation_of(struct kms_key *k)
{
    json_t *rot = json_object_get(kms_key_internal(k), "rotation");
    if (!json_is_object(rot)) {
        rot = json_object();
        json_object_set_new(kms_key_internal(k), "rotation", rot);
    }
    return rot;
}

static json_int_t period_of(const json_t *rot)
{
    const json_t *p = json_object_get(rot, "period");
    return json_is_integer(p) && json_integer_value(p) > 0 ? json_integer_value(p) : ROTATION_DAYS;
}

// Only symmetric encryption keys rotate (EnableKeyRotation, RotateKeyOnDemand API Reference);
// the key must be usable.
static int check_rotatable(struct svc_call *c, struct kms_key *k)
{
    if (kms_key_spec_of(k) != KMS_SPEC_SYMMETRIC_DEFAULT) {
        // Wording not verified against AWS.
        return kms_error(c, "UnsupportedOperationException",
                         "%s key spec is not supported for this operation.",
                         kms_key_str(k, "KeySpec"));
    }
    return kms_key_check_usable(c, k);
}

// Adds a backing key version of the given rotation type to k (saved by the caller).
static int add_rotation(struct svc_call *c, struct kms_key *k, const char *type)
{
    json_t *versions = json_object_get(kms_key_internal(k), "versions");
    size_t n = json_array_size(versions);
    json_int_t last = json_integer_value(json_object_get(json_array_get(versions, n - 1), "v"));
    if (kms_add_version(c, k->id, kms_key_spec_of(k), (uint32_t)last + 1, versions) != 0) {
        return -1;
    }
    json_object_set_new(json_array_get(versions, json_array_size(versions) - 1), "type",
                        json_string(type));
    return 0;
}

// ---- EnableKeyRotation / DisableKeyRotation ----------------------------------------------------

// Turns automatic rotation on with the request's RotationPeriodInDays (the protocol layer checked
// 90..2560). Enabling sets the next rotation a period from now; a new period on a key that
// rotates already moves the next rotation to a period after the last one (or after now when it
// never rotated), as AWS does (EnableKeyRotation API Reference).
static int do_enable_rotation(struct svc_call *c, struct kms_key *k)
{
    if (check_rotatable(c, k) != 0) {
        return -1;
    }
    json_t *rot = rotation_of(k);
    const json_t *req = json_object_get(c->in, "RotationPeriodInDays");
    json_int_t period = json_is_integer(req) ? json_integer_value(req) : ROTATION_DAYS;
    bool was = json_is_true(json_object_get(rot, "enabled"));
    bool changed = period != period_of(rot);
    json_object_set_new(rot, "enabled", json_true());
    json_object_set_new(rot, "period", json_integer(period));
    if (!was) {
        json_object_set_new(rot, "next", json_integer((json_int_t)c->now + period * 86400));
    } else if (changed) {
        const json_t *last = json_object_get(rot, "last");
        json_int_t from = json_is_integer(last) ? json_integer_value(last) : (json_int_t)c->now;
        json_object_set_new(rot, "next", json_integer(from + period * 86400));
    }
    return 0;
}

static int do_disable_rotation(struct svc_call *c, struct kms_key *k)
{
    if (check_rotatable(c, k) != 0) {
        return -1;
    }
    json_t *rot = rotation_of(k);
    json_object_set_new(rot, "enabled", json_false());
    json_object_del(rot, "next");
    return 0;
}

static int enable_key_rotation_body(struct svc_call *c)
{
    return kms_change_key(c, "kms:EnableKeyRotation", do_enable_rotation);
}
KMS_OPERATION(enable_key_rotation, true)

static int disable_key_rotation_body(struct svc_call *c)
{
    return kms_change_key(c, "kms:DisableKeyRotation", do_disable_rotation);
}
KMS_OPERATION(disable_key_rotation, true)

// ---- GetKeyRotationStatus ----------------------------------------------------------------------

static int get_key_rotation_status_body(struct svc_call *c)
{
    struct kms_key k;
    if (kms_find_authorized(c, "kms:GetKeyRotationStatus", &k) != 0) {
        return -1;
    }
    if (kms_key_spec_of(&k) != KMS_SPEC_SYMMETRIC_DEFAULT) {
        int rc = check_rotatable(c, &k);
        kms_key_release(&k);
        return rc;
    }
    const json_t *rot = json_object_get(kms_key_internal(&k), "rotation");
    // A key pending deletion reports rotation disabled (see nccgroup/ScoutSuite#1174).
    const char *state = kms_key_str(&k, "KeyState");
    bool on = json_is_true(json_object_get(rot, "enabled")) &&
              !(state != NULL && strcmp(state, "PendingDeletion") == 0);
    c->out = json_pack("{s:b, s:s}", "KeyRotationEnabled", on, "KeyId", k.arn);
    if (on) {
        json_object_set_new(c->out, "RotationPeriodInDays", json_integer(period_of(rot)));
        const json_t *next = json_object_get(rot, "next");
        if (json_is_integer(next)) {
            json_object_set_new(c->out, "NextRotationDate", json_integer(json_integer_value(next)));
        }
    }
    kms_key_release(&k);
    return 0;
}
KMS_OPERATION(get_key_rotation_status, false)

// ---- RotateKeyOnDemand -------------------------------------------------------------------------

static int do_rotate_on_demand(struct svc_call *c, struct kms_key *k)
{
    if (check_rotatable(c, k) != 0) {
        return -1;
    }
    // A due automatic rotation happens first (AWS would have done it at its date).
    bool rotated = false;
    if (kms_rotate_if_due(c, k, &rotated) != 0) {
        return -1;
    }
    json_t *rot = rotation_of(k);
    const json_t *next = json_object_get(rot, "next");
    if (json_is_true(json_object_get(rot, "enabled")) && json_is_integer(next) &&
        json_integer_value(next) - (json_int_t)c->now <= CONFLICT_WINDOW_SEC) {
        // The exception's documented meaning; the message is not verified against AWS.
        return kms_error(c, "ConflictException",
                         "An automatic rotation of %s is in progress or scheduled to begin "
                         "within the next 20 minutes.",
                         k->arn);
    }
    json_int_t done = json_integer_value(json_object_get(rot, "on_demand"));
    if (done >= ON_DEMAND_MAX) {
        // Wording not verified against AWS.
        return kms_error(c, "LimitExceededException",
                         "%s has reached the maximum number of on-demand rotations (%d).", k->arn,
                         ON_DEMAND_MAX);
    }
    if (add_rotation(c, k, "ON_DEMAND") != 0) {
        return -1;
    }
    json_object_set_new(rot, "on_demand", json_integer(done + 1));
    return 0;
}

static int rotate_key_on_demand_body(struct svc_call *c)
{
    struct kms_key k;
    if (kms_find_authorized(c, "kms:RotateKeyOnDemand", &k) != 0) {
        return -1;
    }
    int rc = do_rotate_on_demand(c, &k);
    if (rc == 0) {
        rc = kms_key_save(c, &k);
    }
    if (rc == 0) {
        // The key id, as in the API Reference's example response.
        c->out = json_pack("{s:s}", "KeyId", k.id);
    }
    kms_key_release(&k);
    return rc;
}
KMS_OPERATION(rotate_key_on_demand, true)

// ---- ListKeyRotations --------------------------------------------------------------------------

// The completed rotations of the key, oldest first: every backing key version after the first.
// Limit 1..1000 (the protocol layer checked it; default 100), Marker the index of the next entry.
static int list_key_rotations_body(struct svc_call *c)
{
    struct kms_key k;
    if (kms_find_authorized(c, "kms:ListKeyRotations", &k) != 0) {
        return -1;
    }
    int rc = -1;
    if (kms_key_spec_of(&k) != KMS_SPEC_SYMMETRIC_DEFAULT) {
        rc = check_rotatable(c, &k);
        goto out;
    }
    const json_t *lim = json_object_get(c->in, "Limit");
    size_t limit = json_is_integer(lim) ? (size_t)json_integer_value(lim) : 100;
    size_t start = 1; // versions[0] is the key's original material, not a rotation
    const char *marker = kms_in_str(c, "Marker");
    if (marker != NULL) {
        char *end = NULL;
        unsigned long m = strtoul(marker, &end, 10);
        if (*marker < '1' || *marker > '9' || end == NULL || *end != '\0' || m < 1) {
            rc = kms_error(c, "InvalidMarkerException", "Invalid marker");
            goto out;
        }
        start = (size_t)m;
    }
    const json_t *versions = json_object_get(kms_key_internal(&k), "versions");
    json_t *list = json_array();
    size_t i = start;
    for (; i < json_array_size(versions) && json_array_size(list) < limit; i++) {
        const json_t *v = json_array_get(versions, i);
        const char *type = json_string_value(json_object_get(v, "type"));
        json_array_append_new(list, json_pack("{s:s, s:I, s:s}", "KeyId", k.id, "RotationDate",
                                              json_integer_value(json_object_get(v, "created")),
                                              "RotationType", type != NULL ? type : "AUTOMATIC"));
    }
    bool truncated = i < json_array_size(versions);
    c->out = json_pack("{s:o, s:b}", "Rotations", list, "Truncated", truncated);
    if (truncated) {
        json_object_set_new(c->out, "NextMarker", json_string(kms_fmt(c, "%zu", i)));
    }
    rc = 0;
out:
    kms_key_release(&k);
    return rc;
}
KMS_OPERATION(list_key_rotations, false)

// ---- automatic rotation, for the cryptographic operations ---------------------------------------

// Whether a rotation is due; see kms_common.h.
bool kms_rotation_due(const struct svc_call *c, const struct kms_key *k)
{
    const json_t *rot = json_object_get(kms_key_internal(k), "rotation");
    const json_t *next = json_object_get(rot, "next");
    return json_is_true(json_object_get(rot, "enabled")) && json_is_integer(next) &&
           (json_int_t)c->now >= json_integer_value(next);
}

// Rotates a key whose rotation is due; see kms_common.h.
int kms_rotate_if_due(struct svc_call *c, struct kms_key *k, bool *rotated)
{
    *rotated = false;
    if (!kms_rotation_due(c, k)) {
        return 0;
    }
    json_t *rot = rotation_of(k);
    if (add_rotation(c, k, "AUTOMATIC") != 0) {
        return -1;
    }
    json_object_set_new(rot, "last", json_integer((json_int_t)c->now));
    json_object_set_new(rot, "next", json_integer((json_int_t)c->now + period_of(rot) * 86400));
    *rotated = true;
    return 0;
}

// clang-format off
const struct svc_handler kms_rotation_handlers[] = {
    {"EnableKeyRotation", enable_key_rotation},
    {"DisableKeyRotation", disable_key_rotation},
    {"GetKeyRotationStatus", get_key_rotation_status},
    {"RotateKeyOnDemand", rotate_key_on_demand},
    {"ListKeyRotations", list_key_rotations},
    {NULL, NULL},
};
// clang-format on
