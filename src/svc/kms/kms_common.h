// SPDX-License-Identifier: Apache-2.0
// What every AWS KMS operation shares (AWS KMS API Reference, 2014-11-01; AWS JSON 1.1, target
// prefix TrentService, signing name "kms"): the store layout, key lookup by key id, key ARN,
// alias name or alias ARN, the service's errors, authorization with AWS's key policy rule, the
// data directory's master key and the unwrapping of backing keys.
//
// Stored objects (store.h), all in the caller's account and the request's region:
//
//   kind "kms.key"    id: the key id (a UUID v4). The document is the KeyMetadata as the model
//                     shapes it (AWSAccountId, KeyId, Arn, CreationDate, Enabled, Description,
//                     KeyUsage, KeyState, DeletionDate?, Origin, KeyManager, KeySpec, ...) plus
//                     one internal member "_" that is never returned:
//     "_": {"versions": [{"v": n, "wrapped": base64, "created": epoch}],  // backing keys, wrapped
//           "policy": text,                    // the key policy ("default")
//           "rotation": {"enabled": bool, "period": days, "next": epoch?, "last": epoch?},
//           "tags": [{"TagKey": k, "TagValue": v}]}
//
//   kind "kms.alias"  id and name: the alias name ("alias/x"); parent: the target key id, so that
//                     a key's aliases are its children.
//     {"AliasName": s, "AliasArn": s, "TargetKeyId": id, "CreationDate": epoch,
//      "LastUpdatedDate": epoch}
//
// Authorization (AWS KMS Developer Guide, "Key policies", "Determining access to a KMS key"):
// an action on a key is decided by the policy engine with the key's policy as the resource
// policy (POLICY_KIND_KEY): the key policy must allow, directly or by trusting the account (the
// default key policy's "Enable IAM User Permissions" statement), in which case the caller's IAM
// policies decide. Actions without a key (CreateKey, ListKeys, ListAliases, the alias half of
// CreateAlias ...) are IAM-only in AWS: kms_authorize_account decides them with the caller's
// IAM policies alone (see there why a policy trusting the account stands in for "no resource").
#ifndef SAGEBOX_KMS_COMMON_H
#define SAGEBOX_KMS_COMMON_H

#include "core/buf.h"
#include "svc/kms/kms_crypto.h"
#include "svc/svc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMS_KIND_KEY   "kms.key"
#define KMS_KIND_ALIAS "kms.alias"
#define KMS_KIND_GRANT "kms.grant"

// The store scope of a kind in the caller's account and the request's region.
struct store_scope kms_scope(const struct svc_call *c, const char *kind);

// printf into the request's arena (never NULL).
const char *kms_fmt(struct svc_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// A string member of the request, or NULL.
const char *kms_in_str(const struct svc_call *c, const char *member);

// arn:PARTITION:kms:REGION:ACCOUNT:key/ID and ...:alias/NAME-WITHOUT-"alias/" (name is the full
// alias name "alias/x").
const char *kms_key_arn(struct svc_call *c, const char *key_id);
const char *kms_alias_arn(struct svc_call *c, const char *alias_name);

// Fills c->err with a 400 error of the given code and printf-style message; returns -1.
int kms_error(struct svc_call *c, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Maps a failed store call to 500 KMSInternalException (the detail goes to the log only);
// returns -1.
int kms_store_error(struct svc_call *c, int rc, const struct store_err *e);

// Runs body inside one store transaction (read-write when write), so that a failed or denied
// call changes nothing.
int kms_run(struct svc_call *c, bool write, svc_handler_fn body);

// Declares a handler NAME running NAME_body in one transaction: KMS_OPERATION(create_key, true).
#define KMS_OPERATION(name, write)                                                                 \
    static int name(struct svc_call *c)                                                            \
    {                                                                                              \
        return kms_run(c, write, name##_body);                                                     \
    }

// A key read from the store.
struct kms_key {
    struct store_obj obj; // strings in the request's arena
    json_t *doc;          // owned; kms_key_release drops it
    const char *id;       // the key id (in the arena)
    const char *arn;      // the key ARN (in the arena)
    const char *alias;    // the alias name the request named the key by, or NULL
};

// Finds the key that key_ref names: a key id, a key ARN, an alias name ("alias/x") or an alias
// ARN of the caller's account and region. Keys of other accounts or regions are not served
// (sagebox has no cross-account KMS yet) and are reported as not found. A key whose scheduled
// deletion date has passed counts as deleted. Returns 0 with *k filled, or -1 with c->err:
// NotFoundException ("Key 'ARN' does not exist", "Alias 'ARN' is not found.", "Invalid keyId
// X") or a store failure.
int kms_key_find(struct svc_call *c, const char *key_ref, struct kms_key *k);

// Reads the key with this id (kms_key_find for ids the store gave, such as an alias target).
int kms_key_get(struct svc_call *c, const char *key_id, struct kms_key *k);

// Drops k->doc; k may be released twice.
void kms_key_release(struct kms_key *k);

// The internal member "_" of a key document (borrowed), and a string member of the document.
json_t *kms_key_internal(const struct kms_key *k);
const char *kms_key_str(const struct kms_key *k, const char *member);

// The KeyMetadata to return: a copy of the document without its internal member (new
// reference).
json_t *kms_key_metadata(const struct kms_key *k);

// Writes the key's document back. Returns 0 or -1 with c->err set.
int kms_key_save(struct svc_call *c, struct kms_key *k);

// Finds the key the request's KeyId names and decides action on it (kms_authorize_key).
// Returns 0 with *k loaded (release it), or -1 with c->err set.
int kms_find_authorized(struct svc_call *c, const char *action, struct kms_key *k);

// Runs change on the key the request's KeyId names after deciding action, then saves the key
// (in the caller's write transaction). Returns 0 or -1 with c->err set.
typedef int (*kms_key_change_fn)(struct svc_call *c, struct kms_key *k);
int kms_change_key(struct svc_call *c, const char *action, kms_key_change_fn change);

// Decides action ("kms:DescribeKey") on key k with its key policy and the KMS condition keys:
// kms:CallerAccount, kms:KeySpec, kms:KeyUsage, kms:KeyOrigin, kms:RequestAlias (when the request
// named an alias), kms:ResourceAliases, kms:GrantIsForAWSResource ("false": a direct call),
// aws:ResourceTag/* (kms:ViaService is absent for direct calls). When the policies alone do not
// allow (an implicit deny), a grant of the key for the caller and action (kms_grant_allows)
// allows the request, as in AWS; an explicit deny still wins. Returns 0 when allowed, or -1
// with c->err set to AccessDeniedException with the engine's message.
int kms_authorize_key(struct svc_call *c, const char *action, const struct kms_key *k);

// kms_authorize_key that also stores in *by_grant (may be NULL) whether it was a grant, not the
// policies alone, that allowed the request.
int kms_authorize_key_grant(struct svc_call *c, const char *action, const struct kms_key *k,
                            bool *by_grant);

// Whether a grant of k (grants.c) allows the caller action ("kms:Decrypt"): its grantee is the
// caller's ARN or, for a role session, the role's ARN; its operations include the action; its
// constraints hold for the request's encryption context (EncryptionContext, or
// Source/DestinationEncryptionContext for ReEncryptFrom/ReEncryptTo). Returns 1 when one does,
// 0 when none does, -1 with c->err set on a store failure.
int kms_grant_allows(struct svc_call *c, const struct kms_key *k, const char *action);

// Decides an action that has no key (CreateKey, ListKeys, ListAliases, GenerateRandom) or the
// alias half of an alias operation (resource: the alias ARN, or "*"): the caller's IAM policies
// decide, as in AWS. Returns 0 or -1 with c->err set.
int kms_authorize_account(struct svc_call *c, const char *action, const char *resource);

// Adds aws:RequestTag/<key> for each tag of tags (a Tags array of {TagKey, TagValue}) and
// aws:TagKeys for them (or for keys, an array of strings, when tags is NULL).
void kms_request_tag_keys(struct svc_call *c, const json_t *tags, const json_t *keys);

// Fails unless the key may be used for a cryptographic operation: DisabledException "ARN is
// disabled." for a disabled key, KMSInvalidStateException "ARN is pending deletion." for a key
// pending deletion. Returns 0 or -1 with c->err set.
int kms_key_check_usable(struct svc_call *c, const struct kms_key *k);

// Fails with KMSInvalidStateException "ARN is pending deletion." when the key is pending
// deletion (the operations that manage a key, such as EnableKey, refuse such keys). Returns 0 or
// -1.
int kms_key_check_not_pending(struct svc_call *c, const struct kms_key *k);

// The key's spec (KMS_SPEC_*), from its KeySpec member.
enum kms_key_spec kms_key_spec_of(const struct kms_key *k);

// Copies the data directory's master key into master, loading (or creating) it on first use
// (once per process, thread-safe). Returns 0, or -1 with c->err set to 500 KMSInternalException
// (the reason goes to the log).
int kms_master(struct svc_call *c, unsigned char master[KMS_MASTER_KEY_LEN]);

// Creates backing key material for spec, wraps it for (key_id, version) and appends a version
// entry {"v", "wrapped", "created"} to versions (an array). Returns 0 or -1 with c->err set.
int kms_add_version(struct svc_call *c, const char *key_id, enum kms_key_spec spec,
                    uint32_t version, json_t *versions);

// Unwraps the backing key of version (0: the current, i.e. newest, version) of k into *secret
// (release with kms_buf_wipe) and stores the version used in *used (may be NULL). Returns 0, or
// -1 with c->err set: InvalidCiphertextException when the key has no such version (a blob made
// by another key store), KMSInternalException when the wrapped key does not unwrap.
int kms_key_backing(struct svc_call *c, const struct kms_key *k, uint32_t version,
                    struct buf *secret, uint32_t *used);

// Base64 (RFC 4648, padded) of data[0..len) in the arena.
const char *kms_b64(struct svc_call *c, const unsigned char *data, size_t len);

// The same as a JSON string (new reference) for an output member, made without jansson's UTF-8
// check (base64 is ASCII), which costs as much as the encoding for kilobytes.
json_t *kms_b64_json(struct svc_call *c, const unsigned char *data, size_t len);

// Decodes the base64 text of a blob member (the protocol layer checked that it is strict
// base64) into the arena. Returns the bytes (never NULL for valid text) and their count in *len.
unsigned char *kms_unb64(struct svc_call *c, const char *text, size_t *len);

// The aliases of key_id as an arena array of alias names; *count gets their number. Returns 0
// or -1 with c->err set.
int kms_key_aliases(struct svc_call *c, const char *key_id, const char ***names, size_t *count);

// Validates a key policy document for CreateKey and PutKeyPolicy: the engine's grammar for key
// policies (MalformedPolicyDocumentException with its reason), the IAM users and roles of this
// account that it names must exist (MalformedPolicyDocumentException "Policy contains a statement
// with one or more invalid principals."), and unless bypass, the lockout safety check: the new
// policy must allow the caller to call PutKeyPolicy on key_arn afterwards
// (MalformedPolicyDocumentException "The new key policy will not allow you to update the key
// policy in the future."). spec/usage are the key's, for the context keys. Returns 0 or -1 with
// c->err set.
int kms_check_key_policy(struct svc_call *c, const char *doc, const char *key_arn, bool bypass,
                         const char *spec, const char *usage);

// Automatic rotation (rotation.c): when k has rotation enabled and its next rotation date has
// passed, adds a new backing key version (the old ones stay, so old ciphertexts still decrypt)
// and moves the date a rotation period on; *rotated says whether it did (the caller saves k).
// Returns 0 or -1 with c->err set.
int kms_rotate_if_due(struct svc_call *c, struct kms_key *k, bool *rotated);

// Whether k has rotation enabled and its next rotation date has passed (rotation.c).
bool kms_rotation_due(const struct svc_call *c, const struct kms_key *k);

// The default key policy of a key of the caller's account (AWS KMS Developer Guide, "Default key
// policy": the account root may do kms:*, which lets IAM policies decide), in the arena.
const char *kms_default_policy(struct svc_call *c);

// The bytes of an internal Encrypt or Decrypt (kms_internal.c). While kms_raw_io_set(io) is in
// effect on a thread, the symmetric Encrypt and Decrypt handlers there take their Plaintext or
// CiphertextBlob from io->in instead of the request's base64 member, and leave the ciphertext
// or plaintext bytes in io->out (in the arena) instead of base64 members of c->out (which then
// holds KeyId only): a call that never leaves the process skips two base64 round trips and the
// JSON strings of kilobytes. kms_raw_io_set(NULL) ends it.
struct kms_raw_io {
    const unsigned char *in;
    size_t in_len;
    const unsigned char *out;
    size_t out_len;
};
void kms_raw_io_set(struct kms_raw_io *io);

// Encrypt and Decrypt with an RSA key (asym_ops.c): crypto_ops.c calls them, inside its
// transaction, when the request's EncryptionAlgorithm is RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256.
// The key must be an enabled RSA ENCRYPT_DECRYPT key (InvalidKeyUsageException otherwise), the
// plaintext at most kms_rsa_max_plaintext bytes (ValidationException), Decrypt needs KeyId.
// Return 0 with c->out filled, or -1 with c->err set.
int kms_asym_encrypt(struct svc_call *c);
int kms_asym_decrypt(struct svc_call *c);

#endif
