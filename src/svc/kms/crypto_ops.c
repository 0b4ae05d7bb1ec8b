// SPDX-License-Identifier: Apache-2.0
// AWS KMS cryptographic operations on symmetric encryption keys (AWS KMS API Reference: Encrypt,
// Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateRandom). The
// ciphertext blob and the cryptography are kms_crypto's (AES-256-GCM under the key's backing key
// of the blob's version, the encryption context bound as AAD); this file finds keys, decides,
// enforces key states and usage, and moves bytes between the wire (base64) and kms_crypto.
//
// Authorization: the action on the key with its key policy and the condition keys of
// kms_authorize_key plus kms:EncryptionContext:<key> and kms:EncryptionContextKeys (AWS KMS
// Developer Guide, "kms:EncryptionContext:context-key") and kms:EncryptionAlgorithm. ReEncrypt
// decides kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the destination key.
//
// Operations that encrypt run in a read-only transaction, so that they do not serialize on the
// store's write lock. When the key's automatic rotation is due, the read-only attempt stops
// before deciding anything and the operation is run again in a write transaction that applies
// the rotation first (kms_rotate_if_due), so that new ciphertexts use the newest backing key.
// Asymmetric and HMAC keys are refused with InvalidKeyUsageException (their operations come
// later).
#include "svc/kms/kms_common.h"
#include "svc/registry.h"

#include <stdbool.h>
#include <string.h>

// Set by encrypt_with during a read-only attempt that found a rotation due; the operation is
// then run again in a write transaction (see run_encrypting). One request per thread at a time.
static _Thread_local bool rotation_pending;
static _Thread_local bool in_write;

// The bytes of an internal call on this thread (kms_raw_io_set), or NULL.
static _Thread_local struct kms_raw_io *raw_io;

void kms_raw_io_set(struct kms_raw_io *io)
{
    raw_io = io;
}

// The message AWS gives IncorrectKeyException (as its SDKs document the exception: "The key ID
// in the request does not identify a CMK that can perform this operation."; the exact text of
// a live response is not verified).
#define INCORRECT_KEY_MSG                                                                          \
    "The key ID in the request does not identify a CMK that can perform this operation."

// Sets kms:EncryptionContext:<key> for each pair of ctx and kms:EncryptionContextKeys.
static void context_keys(struct svc_call *c, const json_t *ctx)
{
    size_t n = json_object_size(ctx);
    const char **keys = arena_calloc(c->arena, n + 1, sizeof(char *));
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)ctx, k, v)
    {
        policy_context_set(c->ctx, kms_fmt(c, "kms:EncryptionContext:%s", k),
                           json_string_value(v) != NULL ? json_string_value(v) : "");
        keys[i++] = k;
    }
    if (n > 0) {
        policy_context_set_list(c->ctx, "kms:EncryptionContextKeys", keys, i);
    }
}

// Removes what context_keys set.
static void context_keys_unset(struct svc_call *c, const json_t *ctx)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)ctx, k, v)
    {
        policy_context_unset(c->ctx, kms_fmt(c, "kms:EncryptionContext:%s", k));
    }
    policy_context_unset(c->ctx, "kms:EncryptionContextKeys");
}

// Checks that k is a symmetric encryption key and alg (may be NULL) is SYMMETRIC_DEFAULT.
static int check_symmetric(struct svc_call *c, const struct kms_key *k, const char *alg)
{
    const char *usage = kms_key_str(k, "KeyUsage");
    if (kms_key_spec_of(k) != KMS_SPEC_SYMMETRIC_DEFAULT || usage == NULL ||
        strcmp(usage, "ENCRYPT_DECRYPT") != 0) {
        // Wording not verified against AWS.
        return kms_error(c, "InvalidKeyUsageException",
                         "%s key usage is %s and key spec is %s; this operation needs a "
                         "symmetric encryption key.",
                         k->arn, usage != NULL ? usage : "", kms_key_str(k, "KeySpec"));
    }
    if (alg != NULL && strcmp(alg, "SYMMETRIC_DEFAULT") != 0) {
        // Wording not verified against AWS.
        return kms_error(c, "InvalidKeyUsageException",
                         "%s is not a valid encryption algorithm for this key.", alg);
    }
    return 0;
}

// Canonical AAD of a context member of the request (NULL: none).
static int context_aad(struct svc_call *c, const json_t *ctx, struct buf *aad)
{
    if (kms_context_aad(ctx, aad) != 0) {
        return kms_error(c, "ValidationException",
                         "EncryptionContext must map strings to strings.");
    }
    return 0;
}

// Finds key_ref, decides action with the context's keys, checks the key, applies a due
// rotation (saving the key) and encrypts plain into a blob (*blob_out, *blob_len: in the arena).
static int encrypt_with(struct svc_call *c, const char *action, const char *key_ref,
                        const json_t *ctx, const char *alg, const unsigned char *plain, size_t len,
                        struct kms_key *k, const unsigned char **blob_out, size_t *blob_len)
{
    int rc = -1;
    struct buf aad = BUF_INIT;
    struct buf backing = BUF_INIT;
    struct buf blob = BUF_INIT;
    if (kms_key_find(c, key_ref, k) != 0) {
        goto out;
    }
    if (!in_write && kms_rotation_due(c, k)) {
        rotation_pending = true;
        awserr_set(&c->err, 500, "KMSInternalException", "rotation pending");
        goto out;
    }
    context_keys(c, ctx);
    policy_context_set(c->ctx, "kms:EncryptionAlgorithm", alg != NULL ? alg : "SYMMETRIC_DEFAULT");
    if (kms_authorize_key(c, action, k) != 0 || kms_key_check_usable(c, k) != 0 ||
        check_symmetric(c, k, alg) != 0 || context_aad(c, ctx, &aad) != 0) {
        goto out;
    }
    bool rotated = false;
    if (kms_rotate_if_due(c, k, &rotated) != 0 || (rotated && kms_key_save(c, k) != 0)) {
        goto out;
    }
    uint32_t version = 0;
    if (kms_key_backing(c, k, 0, &backing, &version) != 0) {
        goto out;
    }
    int crc = kms_encrypt((const unsigned char *)backing.data, backing.len, k->id, version,
                          (const unsigned char *)aad.data, aad.len, plain, len, &blob);
    if (crc != 0) {
        awserr_set(&c->err, 500, "KMSInternalException",
                   "The request was rejected because an internal exception occurred.");
        goto out;
    }
    unsigned char *copy = arena_alloc(c->arena, blob.len);
    memcpy(copy, blob.data, blob.len);
    *blob_out = copy;
    *blob_len = blob.len;
    rc = 0;
out:
    buf_free(&aad);
    kms_buf_wipe(&backing);
    buf_free(&blob);
    return rc;
}

static int invalid_ciphertext(struct svc_call *c)
{
    // AWS returns InvalidCiphertextException without a message.
    return kms_error(c, "InvalidCiphertextException", "%s", "");
}

// Decrypts the blob bytes[0..len): finds its key, checks it against key_ref (may be NULL),
// decides action, checks the key and decrypts into *plain (release with kms_buf_wipe).
static int decrypt_with(struct svc_call *c, const char *action, const unsigned char *bytes,
                        size_t len, const char *key_ref, const json_t *ctx, const char *alg,
                        struct kms_key *k, struct buf *plain)
{
    int rc = -1;
    struct buf aad = BUF_INIT;
    struct buf backing = BUF_INIT;
    struct kms_blob blob;
    if (kms_blob_parse(bytes, len, &blob) != 0) {
        invalid_ciphertext(c);
        goto out;
    }
    context_keys(c, ctx);
    policy_context_set(c->ctx, "kms:EncryptionAlgorithm", alg != NULL ? alg : "SYMMETRIC_DEFAULT");
    if (key_ref != NULL) {
        if (kms_key_find(c, key_ref, k) != 0) {
            goto out;
        }
        if (strcmp(k->id, blob.key_id) != 0) {
            kms_key_release(k);
            kms_error(c, "IncorrectKeyException", INCORRECT_KEY_MSG);
            goto out;
        }
    } else if (kms_key_get(c, blob.key_id, k) != 0) {
        goto out;
    }
    if (kms_authorize_key(c, action, k) != 0 || kms_key_check_usable(c, k) != 0 ||
        check_symmetric(c, k, alg) != 0 || context_aad(c, ctx, &aad) != 0) {
        goto out;
    }
    if (kms_key_backing(c, k, blob.version, &backing, NULL) != 0) {
        goto out;
    }
    int crc = kms_decrypt((const unsigned char *)backing.data, backing.len, &blob,
                          (const unsigned char *)aad.data, aad.len, plain);
    if (crc != 0) {
        invalid_ciphertext(c);
        goto out;
    }
    rc = 0;
out:
    buf_free(&aad);
    kms_buf_wipe(&backing);
    return rc;
}

// Runs body in a read-only transaction, and again in a write transaction when it found a
// rotation due (the first attempt changed nothing and its error is dropped).
static int run_encrypting(struct svc_call *c, svc_handler_fn body)
{
    rotation_pending = false;
    in_write = false;
    int rc = kms_run(c, false, body);
    if (rc != 0 && rotation_pending) {
        rotation_pending = false;
        memset(&c->err, 0, sizeof(c->err));
        in_write = true;
        rc = kms_run(c, true, body);
        in_write = false;
    }
    return rc;
}

// Declares a handler NAME running NAME_body through run_encrypting.
#define KMS_ENCRYPTING_OPERATION(name)                                                             \
    static int name(struct svc_call *c)                                                            \
    {                                                                                              \
        return run_encrypting(c, name##_body);                                                     \
    }

// ---- Encrypt / Decrypt / ReEncrypt -------------------------------------------------------------

// Whether the request's EncryptionAlgorithm is an RSA one (asym_ops.c handles those).
static bool rsa_requested(const struct svc_call *c)
{
    const char *alg = kms_in_str(c, "EncryptionAlgorithm");
    return alg != NULL && strncmp(alg, "RSAES_", 6) == 0;
}

static int encrypt_body(struct svc_call *c)
{
    if (rsa_requested(c)) {
        return kms_asym_encrypt(c);
    }
    size_t len = 0;
    const unsigned char *plain = NULL;
    if (raw_io != NULL) {
        plain = raw_io->in;
        len = raw_io->in_len;
    } else {
        plain = kms_unb64(c, kms_in_str(c, "Plaintext"), &len);
    }
    struct kms_key k = {0};
    const unsigned char *blob = NULL;
    size_t blob_len = 0;
    const char *alg = kms_in_str(c, "EncryptionAlgorithm");
    int rc = encrypt_with(c, "kms:Encrypt", kms_in_str(c, "KeyId"),
                          json_object_get(c->in, "EncryptionContext"), alg, plain, len, &k, &blob,
                          &blob_len);
    if (rc == 0 && raw_io != NULL) {
        raw_io->out = blob;
        raw_io->out_len = blob_len;
        c->out = json_pack("{s:s}", "KeyId", k.arn);
    } else if (rc == 0) {
        c->out = json_pack("{s:o, s:s, s:s}", "CiphertextBlob", kms_b64_json(c, blob, blob_len),
                           "KeyId", k.arn, "EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    }
    kms_key_release(&k);
    return rc;
}
KMS_ENCRYPTING_OPERATION(encrypt)

static int decrypt_body(struct svc_call *c)
{
    if (rsa_requested(c)) {
        return kms_asym_decrypt(c);
    }
    struct kms_key k = {0};
    struct buf plain = BUF_INIT;
    size_t len = 0;
    const unsigned char *bytes = NULL;
    if (raw_io != NULL) {
        bytes = raw_io->in;
        len = raw_io->in_len;
    } else {
        bytes = kms_unb64(c, kms_in_str(c, "CiphertextBlob"), &len);
    }
    int rc = decrypt_with(c, "kms:Decrypt", bytes, len, kms_in_str(c, "KeyId"),
                          json_object_get(c->in, "EncryptionContext"),
                          kms_in_str(c, "EncryptionAlgorithm"), &k, &plain);
    if (rc == 0 && raw_io != NULL) {
        unsigned char *copy = arena_alloc(c->arena, plain.len + 1);
        memcpy(copy, plain.data, plain.len);
        raw_io->out = copy;
        raw_io->out_len = plain.len;
        c->out = json_pack("{s:s}", "KeyId", k.arn);
    } else if (rc == 0) {
        c->out = json_pack("{s:s, s:o, s:s}", "KeyId", k.arn, "Plaintext",
                           kms_b64_json(c, (const unsigned char *)plain.data, plain.len),
                           "EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    }
    kms_buf_wipe(&plain);
    kms_key_release(&k);
    return rc;
}
KMS_OPERATION(decrypt, false)

static int re_encrypt_body(struct svc_call *c)
{
    struct kms_key src = {0};
    struct kms_key dst = {0};
    struct buf plain = BUF_INIT;
    const json_t *sctx = json_object_get(c->in, "SourceEncryptionContext");
    size_t len = 0;
    const unsigned char *bytes = kms_unb64(c, kms_in_str(c, "CiphertextBlob"), &len);
    int rc = decrypt_with(c, "kms:ReEncryptFrom", bytes, len, kms_in_str(c, "SourceKeyId"), sctx,
                          kms_in_str(c, "SourceEncryptionAlgorithm"), &src, &plain);
    if (rc == 0) {
        context_keys_unset(c, sctx);
        policy_context_unset(c->ctx, "kms:RequestAlias");
        const unsigned char *blob = NULL;
        size_t blob_len = 0;
        rc = encrypt_with(c, "kms:ReEncryptTo", kms_in_str(c, "DestinationKeyId"),
                          json_object_get(c->in, "DestinationEncryptionContext"),
                          kms_in_str(c, "DestinationEncryptionAlgorithm"),
                          (const unsigned char *)plain.data, plain.len, &dst, &blob, &blob_len);
        if (rc == 0) {
            c->out = json_pack("{s:o, s:s, s:s, s:s, s:s}", "CiphertextBlob",
                               kms_b64_json(c, blob, blob_len), "SourceKeyId", src.arn, "KeyId",
                               dst.arn, "SourceEncryptionAlgorithm", "SYMMETRIC_DEFAULT",
                               "DestinationEncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        }
    }
    kms_buf_wipe(&plain);
    kms_key_release(&src);
    kms_key_release(&dst);
    return rc;
}
KMS_ENCRYPTING_OPERATION(re_encrypt)

// ---- GenerateDataKey / GenerateDataKeyWithoutPlaintext / GenerateRandom
// --------------------------

// The data key length of the request: KeySpec AES_256 (32) or AES_128 (16), or NumberOfBytes
// (1..1024, checked by the protocol layer). Returns 0 with *len, or -1 with c->err set.
static int data_key_len(struct svc_call *c, size_t *len)
{
    const char *spec = kms_in_str(c, "KeySpec");
    const json_t *n = json_object_get(c->in, "NumberOfBytes");
    if (spec != NULL && n != NULL) {
        // Wording not verified against AWS.
        return kms_error(c, "ValidationException",
                         "Please specify either number of bytes or key spec.");
    }
    if (spec == NULL && n == NULL) {
        // "Please specify either number of bytes or key spec." (the form moto reproduces; not
        // verified against a captured AWS response).
        return kms_error(c, "ValidationException",
                         "Please specify either number of bytes or key spec.");
    }
    if (spec != NULL) {
        *len = strcmp(spec, "AES_128") == 0 ? 16 : 32;
    } else {
        *len = (size_t)json_integer_value(n);
    }
    return 0;
}

static int generate_data_key_common(struct svc_call *c, const char *action, bool with_plaintext)
{
    size_t len = 0;
    if (data_key_len(c, &len) != 0) {
        return -1;
    }
    unsigned char *plain = arena_alloc(c->arena, len);
    kms_random(plain, len);
    struct kms_key k = {0};
    const unsigned char *blob = NULL;
    size_t blob_len = 0;
    int rc =
        encrypt_with(c, action, kms_in_str(c, "KeyId"), json_object_get(c->in, "EncryptionContext"),
                     NULL, plain, len, &k, &blob, &blob_len);
    if (rc == 0) {
        c->out =
            json_pack("{s:s, s:s}", "CiphertextBlob", kms_b64(c, blob, blob_len), "KeyId", k.arn);
        if (with_plaintext) {
            json_object_set_new(c->out, "Plaintext", json_string(kms_b64(c, plain, len)));
        }
    }
    memset(plain, 0, len);
    kms_key_release(&k);
    return rc;
}

static int generate_data_key_body(struct svc_call *c)
{
    return generate_data_key_common(c, "kms:GenerateDataKey", true);
}
KMS_ENCRYPTING_OPERATION(generate_data_key)

static int generate_data_key_without_plaintext_body(struct svc_call *c)
{
    return generate_data_key_common(c, "kms:GenerateDataKeyWithoutPlaintext", false);
}
KMS_ENCRYPTING_OPERATION(generate_data_key_without_plaintext)

// GenerateRandom touches no key: an IAM policy decides (kms:GenerateRandom on "*").
static int generate_random(struct svc_call *c)
{
    if (kms_authorize_account(c, "kms:GenerateRandom", "*") != 0) {
        return -1;
    }
    if (kms_in_str(c, "CustomKeyStoreId") != NULL) {
        return kms_error(c, "CustomKeyStoreNotFoundException",
                         "Custom key stores are not supported by sagebox.");
    }
    const json_t *n = json_object_get(c->in, "NumberOfBytes");
    if (n == NULL) {
        // Wording not verified against AWS.
        return kms_error(c, "ValidationException", "NumberOfBytes is required.");
    }
    size_t len = (size_t)json_integer_value(n);
    unsigned char *bytes = arena_alloc(c->arena, len);
    kms_random(bytes, len);
    c->out = json_pack("{s:o}", "Plaintext", kms_b64_json(c, bytes, len));
    memset(bytes, 0, len);
    return 0;
}

// clang-format off
const struct svc_handler kms_crypto_handlers[] = {
    {"Encrypt", encrypt},
    {"Decrypt", decrypt},
    {"ReEncrypt", re_encrypt},
    {"GenerateDataKey", generate_data_key},
    {"GenerateDataKeyWithoutPlaintext", generate_data_key_without_plaintext},
    {"GenerateRandom", generate_random},
    {NULL, NULL},
};
// clang-format on
