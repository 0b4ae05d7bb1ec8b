// SPDX-License-Identifier: Apache-2.0
// AWS KMS operations on asymmetric and HMAC keys (AWS KMS API Reference: Sign, Verify,
// GenerateMac, VerifyMac, GetPublicKey, GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext,
// and the RSAES_OAEP branch of Encrypt and Decrypt, which crypto_ops.c routes here). The
// cryptography is kms_crypto's (RSASSA-PSS/PKCS#1 v1.5 and ECDSA signatures, HMAC, RSA-OAEP,
// SubjectPublicKeyInfo, key pairs); this file finds keys, decides, enforces key states, key usage
// and algorithms, and moves bytes between the wire (base64) and kms_crypto.
//
// Order of checks, as crypto_ops.c: find the key (NotFoundException), decide the action with the
// key policy (AccessDeniedException), the key state (DisabledException, KMSInvalidStateException),
// then the key usage and the algorithm (InvalidKeyUsageException), then the input
// (ValidationException). Condition keys beyond kms_authorize_key's: kms:SigningAlgorithm and
// kms:MessageType (Sign, Verify), kms:MacAlgorithm (GenerateMac, VerifyMac),
// kms:EncryptionAlgorithm (Encrypt, Decrypt), kms:DataKeyPairSpec, kms:EncryptionContext:<key> and
// kms:EncryptionContextKeys (GenerateDataKeyPair*).
//
// Error messages marked "not verified" follow the documented exception meaning; their exact
// wording was not compared with a captured AWS response.
#include "svc/kms/kms_common.h"
#include "svc/registry.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define INTERNAL_MSG "The request was rejected because an internal exception occurred."

// Maps a kms_crypto error (alg: the algorithm named in the request) to the AWS error; returns -1.
static int crypto_error(struct svc_call *c, int crc, const char *alg)
{
    switch (crc) {
    case KMS_EALG:
        // Not verified.
        return kms_error(c, "InvalidKeyUsageException",
                         "Algorithm %s is incompatible with the key spec of this key.", alg);
    case KMS_EINVAL:
        // Not verified (a DIGEST message of the wrong length is the reachable case).
        return kms_error(c, "ValidationException", "Digest is invalid length for algorithm %s.",
                         alg);
    case KMS_ETOOLONG:
        // Not verified.
        return kms_error(c, "ValidationException",
                         "Plaintext is too long for encryption algorithm %s with this key.", alg);
    case KMS_EBADSIG:
        // AWS answers KMSInvalidSignatureException; its message is not verified.
        return kms_error(c, "KMSInvalidSignatureException", "%s", "");
    case KMS_EBADMAC:
        // AWS answers KMSInvalidMacException; its message is not verified.
        return kms_error(c, "KMSInvalidMacException", "%s", "");
    case KMS_EAUTH:
    case KMS_EBADBLOB:
        return kms_error(c, "InvalidCiphertextException", "%s", "");
    default:
        fprintf(stderr, "sagebox: %s %s: kms: crypto failed (%d)\n", c->request_id, c->operation,
                crc);
        return awserr_set(&c->err, 500, "KMSInternalException", INTERNAL_MSG);
    }
}

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

// Finds the request's KeyId, decides action on it and checks that it is usable and has the
// KeyUsage usage (InvalidKeyUsageException "ARN key usage is U which is not valid for OP.", the
// form AWS uses; not verified against a captured response). Returns 0 with *k filled, or -1.
static int usable_key(struct svc_call *c, const char *action, const char *usage, struct kms_key *k)
{
    if (kms_key_find(c, kms_in_str(c, "KeyId"), k) != 0 || kms_authorize_key(c, action, k) != 0 ||
        kms_key_check_usable(c, k) != 0) {
        return -1;
    }
    const char *have = kms_key_str(k, "KeyUsage");
    if (have == NULL || strcmp(have, usage) != 0) {
        return kms_error(c, "InvalidKeyUsageException",
                         "%s key usage is %s which is not valid for %s.", k->arn,
                         have != NULL ? have : "", c->operation);
    }
    return 0;
}

// The backing key (PKCS#8 DER, or HMAC secret) of k's current version into *secret.
static int backing(struct svc_call *c, const struct kms_key *k, struct buf *secret)
{
    return kms_key_backing(c, k, 0, secret, NULL);
}

// ---- Sign / Verify ----------------------------------------------------------------------------

// Common part of Sign and Verify: the key, the algorithm and the message. Without sig_b64
// (Verify) the request's Signature is checked (0 when valid); with it (Sign) the new signature
// goes to *sig_b64 (base64 in the arena). Returns 0 or -1 with c->err set.
static int sign_or_verify(struct svc_call *c, const char *action, struct kms_key *k,
                          const char **sig_b64)
{
    int rc = -1;
    struct buf priv = BUF_INIT;
    struct buf sig = BUF_INIT;
    const char *alg_name = kms_in_str(c, "SigningAlgorithm");
    const char *type = kms_in_str(c, "MessageType");
    bool is_digest = type != NULL && strcmp(type, "DIGEST") == 0;
    policy_context_set(c->ctx, "kms:SigningAlgorithm", alg_name != NULL ? alg_name : "");
    policy_context_set(c->ctx, "kms:MessageType", type != NULL ? type : "RAW");
    if (usable_key(c, action, "SIGN_VERIFY", k) != 0) {
        goto out;
    }
    int alg = kms_sign_alg_from_name(alg_name);
    enum kms_key_spec spec = kms_key_spec_of(k);
    if (alg < 0 || !kms_sign_alg_fits(spec, (enum kms_sign_alg)alg)) {
        crypto_error(c, KMS_EALG, alg_name != NULL ? alg_name : "");
        goto out;
    }
    size_t len = 0;
    unsigned char *msg = kms_unb64(c, kms_in_str(c, "Message"), &len);
    if (is_digest && len != kms_sign_alg_digest_len((enum kms_sign_alg)alg)) {
        crypto_error(c, KMS_EINVAL, alg_name);
        goto out;
    }
    if (backing(c, k, &priv) != 0) {
        goto out;
    }
    int crc;
    if (sig_b64 == NULL) {
        size_t slen = 0;
        unsigned char *given = kms_unb64(c, kms_in_str(c, "Signature"), &slen);
        crc = kms_verify(spec, (const unsigned char *)priv.data, priv.len, (enum kms_sign_alg)alg,
                         is_digest, msg, len, given, slen);
    } else {
        crc = kms_sign(spec, (const unsigned char *)priv.data, priv.len, (enum kms_sign_alg)alg,
                       is_digest, msg, len, &sig);
    }
    if (crc != 0) {
        crypto_error(c, crc, alg_name);
        goto out;
    }
    if (sig_b64 != NULL) {
        *sig_b64 = kms_b64(c, (const unsigned char *)sig.data, sig.len);
    }
    rc = 0;
out:
    kms_buf_wipe(&priv);
    buf_free(&sig);
    return rc;
}

static int sign_body(struct svc_call *c)
{
    struct kms_key k = {0};
    const char *sig = NULL;
    int rc = sign_or_verify(c, "kms:Sign", &k, &sig);
    if (rc == 0) {
        c->out = json_pack("{s:s, s:s, s:s}", "KeyId", k.arn, "Signature", sig, "SigningAlgorithm",
                           kms_in_str(c, "SigningAlgorithm"));
    }
    kms_key_release(&k);
    return rc;
}
KMS_OPERATION(sign, false)

static int verify_body(struct svc_call *c)
{
    struct kms_key k = {0};
    int rc = sign_or_verify(c, "kms:Verify", &k, NULL);
    if (rc == 0) {
        c->out = json_pack("{s:s, s:b, s:s}", "KeyId", k.arn, "SignatureValid", 1,
                           "SigningAlgorithm", kms_in_str(c, "SigningAlgorithm"));
    }
    kms_key_release(&k);
    return rc;
}
KMS_OPERATION(verify, false)

// ---- GenerateMac / VerifyMac ------------------------------------------------------------------

// Common part: with verify the request's Mac is checked; else the MAC goes to *mac_b64.
static int mac_common(struct svc_call *c, const char *action, bool verify, struct kms_key *k,
                      const char **mac_b64)
{
    int rc = -1;
    struct buf secret = BUF_INIT;
    const char *alg_name = kms_in_str(c, "MacAlgorithm");
    policy_context_set(c->ctx, "kms:MacAlgorithm", alg_name != NULL ? alg_name : "");
    if (usable_key(c, action, "GENERATE_VERIFY_MAC", k) != 0) {
        goto out;
    }
    int alg = kms_mac_alg_from_name(alg_name);
    enum kms_key_spec spec = kms_key_spec_of(k);
    if (alg < 0 || !kms_mac_alg_fits(spec, (enum kms_mac_alg)alg)) {
        crypto_error(c, KMS_EALG, alg_name != NULL ? alg_name : "");
        goto out;
    }
    size_t len = 0;
    unsigned char *msg = kms_unb64(c, kms_in_str(c, "Message"), &len);
    if (backing(c, k, &secret) != 0) {
        goto out;
    }
    int crc;
    if (verify) {
        size_t mlen = 0;
        unsigned char *given = kms_unb64(c, kms_in_str(c, "Mac"), &mlen);
        crc = kms_hmac_verify(spec, (const unsigned char *)secret.data, secret.len,
                              (enum kms_mac_alg)alg, msg, len, given, mlen);
    } else {
        unsigned char mac[KMS_MAX_MAC_LEN];
        size_t mac_len = 0;
        crc = kms_hmac(spec, (const unsigned char *)secret.data, secret.len, (enum kms_mac_alg)alg,
                       msg, len, mac, &mac_len);
        if (crc == 0) {
            *mac_b64 = kms_b64(c, mac, mac_len);
        }
    }
    if (crc != 0) {
        crypto_error(c, crc, alg_name);
        goto out;
    }
    rc = 0;
out:
    kms_buf_wipe(&secret);
    return rc;
}

static int generate_mac_body(struct svc_call *c)
{
    struct kms_key k = {0};
    const char *mac = NULL;
    int rc = mac_common(c, "kms:GenerateMac", false, &k, &mac);
    if (rc == 0) {
        c->out = json_pack("{s:s, s:s, s:s}", "Mac", mac, "MacAlgorithm",
                           kms_in_str(c, "MacAlgorithm"), "KeyId", k.arn);
    }
    kms_key_release(&k);
    return rc;
}
KMS_OPERATION(generate_mac, false)

static int verify_mac_body(struct svc_call *c)
{
    struct kms_key k = {0};
    int rc = mac_common(c, "kms:VerifyMac", true, &k, NULL);
    if (rc == 0) {
        c->out = json_pack("{s:s, s:b, s:s}", "KeyId", k.arn, "MacValid", 1, "MacAlgorithm",
                           kms_in_str(c, "MacAlgorithm"));
    }
    kms_key_release(&k);
    return rc;
}
KMS_OPERATION(verify_mac, false)

// ---- Encrypt / Decrypt with RSA keys (called by crypto_ops.c) ---------------------------------

// The RSA key of the request for action with EncryptionAlgorithm alg; the algorithm enum into
// *alg. Returns 0 or -1 with c->err set.
static int rsa_key(struct svc_call *c, const char *action, struct kms_key *k, int *alg)
{
    const char *alg_name = kms_in_str(c, "EncryptionAlgorithm");
    policy_context_set(c->ctx, "kms:EncryptionAlgorithm", alg_name != NULL ? alg_name : "");
    if (usable_key(c, action, "ENCRYPT_DECRYPT", k) != 0) {
        return -1;
    }
    *alg = kms_rsa_alg_from_name(alg_name);
    if (*alg < 0 || !kms_spec_is_rsa(kms_key_spec_of(k))) {
        // Not verified.
        return kms_error(c, "InvalidKeyUsageException",
                         "%s is not a valid encryption algorithm for this key.",
                         alg_name != NULL ? alg_name : "");
    }
    if (json_object_size(json_object_get(c->in, "EncryptionContext")) > 0) {
        // AWS documents that asymmetric keys take no encryption context; wording not verified.
        return kms_error(c, "ValidationException",
                         "EncryptionContext is not supported with asymmetric KMS keys.");
    }
    return 0;
}

// Encrypt with an RSA key; see kms_common.h.
int kms_asym_encrypt(struct svc_call *c)
{
    int rc = -1;
    struct kms_key k = {0};
    struct buf priv = BUF_INIT;
    struct buf ct = BUF_INIT;
    int alg = -1;
    if (rsa_key(c, "kms:Encrypt", &k, &alg) != 0 || backing(c, &k, &priv) != 0) {
        goto out;
    }
    size_t len = 0;
    unsigned char *plain = kms_unb64(c, kms_in_str(c, "Plaintext"), &len);
    int crc = kms_rsa_encrypt(kms_key_spec_of(&k), (const unsigned char *)priv.data, priv.len,
                              (enum kms_rsa_alg)alg, plain, len, &ct);
    if (crc != 0) {
        crypto_error(c, crc, kms_in_str(c, "EncryptionAlgorithm"));
        goto out;
    }
    c->out = json_pack("{s:s, s:s, s:s}", "CiphertextBlob",
                       kms_b64(c, (const unsigned char *)ct.data, ct.len), "KeyId", k.arn,
                       "EncryptionAlgorithm", kms_in_str(c, "EncryptionAlgorithm"));
    rc = 0;
out:
    kms_buf_wipe(&priv);
    buf_free(&ct);
    kms_key_release(&k);
    return rc;
}

// Decrypt with an RSA key; see kms_common.h.
int kms_asym_decrypt(struct svc_call *c)
{
    int rc = -1;
    struct kms_key k = {0};
    struct buf priv = BUF_INIT;
    struct buf plain = BUF_INIT;
    int alg = -1;
    if (kms_in_str(c, "KeyId") == NULL) {
        // AWS requires KeyId for ciphertexts of asymmetric keys; wording not verified.
        rc = kms_error(c, "ValidationException",
                       "KeyId is required when decrypting with an asymmetric KMS key.");
        goto out;
    }
    if (rsa_key(c, "kms:Decrypt", &k, &alg) != 0 || backing(c, &k, &priv) != 0) {
        goto out;
    }
    size_t len = 0;
    unsigned char *ct = kms_unb64(c, kms_in_str(c, "CiphertextBlob"), &len);
    int crc = kms_rsa_decrypt(kms_key_spec_of(&k), (const unsigned char *)priv.data, priv.len,
                              (enum kms_rsa_alg)alg, ct, len, &plain);
    if (crc != 0) {
        crypto_error(c, crc == KMS_EINVAL ? KMS_EAUTH : crc, kms_in_str(c, "EncryptionAlgorithm"));
        goto out;
    }
    c->out = json_pack("{s:s, s:s, s:s}", "KeyId", k.arn, "Plaintext",
                       kms_b64(c, (const unsigned char *)plain.data, plain.len),
                       "EncryptionAlgorithm", kms_in_str(c, "EncryptionAlgorithm"));
    rc = 0;
out:
    kms_buf_wipe(&priv);
    kms_buf_wipe(&plain);
    kms_key_release(&k);
    return rc;
}

// ---- GetPublicKey -----------------------------------------------------------------------------

// Appends the names of a NULL-terminated list as a JSON array member of obj (nothing for an
// empty list).
static void set_names(json_t *obj, const char *member, const char *const *names)
{
    if (names == NULL || names[0] == NULL) {
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; names[i] != NULL; i++) {
        json_array_append_new(a, json_string(names[i]));
    }
    json_object_set_new(obj, member, a);
}

static int get_public_key_body(struct svc_call *c)
{
    int rc = -1;
    struct kms_key k = {0};
    struct buf priv = BUF_INIT;
    struct buf pub = BUF_INIT;
    if (kms_key_find(c, kms_in_str(c, "KeyId"), &k) != 0 ||
        kms_authorize_key(c, "kms:GetPublicKey", &k) != 0 || kms_key_check_usable(c, &k) != 0) {
        goto out;
    }
    enum kms_key_spec spec = kms_key_spec_of(&k);
    if (!kms_spec_is_rsa(spec) && !kms_spec_is_ecc(spec)) {
        // AWS answers UnsupportedOperationException for keys without a public key; wording not
        // verified.
        kms_error(c, "UnsupportedOperationException",
                  "%s key spec %s has no public key; GetPublicKey supports only asymmetric keys.",
                  k.arn, kms_key_str(&k, "KeySpec"));
        goto out;
    }
    if (backing(c, &k, &priv) != 0) {
        goto out;
    }
    int crc = kms_public_key_der((const unsigned char *)priv.data, priv.len, &pub);
    if (crc != 0) {
        crypto_error(c, KMS_ECRYPTO, "");
        goto out;
    }
    const char *usage = kms_key_str(&k, "KeyUsage");
    c->out = json_pack("{s:s, s:s, s:s, s:s, s:s}", "KeyId", k.arn, "PublicKey",
                       kms_b64(c, (const unsigned char *)pub.data, pub.len),
                       "CustomerMasterKeySpec", kms_spec_name(spec), "KeySpec", kms_spec_name(spec),
                       "KeyUsage", usage != NULL ? usage : "");
    if (usage != NULL && strcmp(usage, "SIGN_VERIFY") == 0) {
        set_names(c->out, "SigningAlgorithms", kms_spec_signing_algs(spec));
    } else {
        set_names(c->out, "EncryptionAlgorithms", kms_spec_encryption_algs(spec, usage));
    }
    rc = 0;
out:
    kms_buf_wipe(&priv);
    buf_free(&pub);
    kms_key_release(&k);
    return rc;
}
KMS_OPERATION(get_public_key, false)

// ---- GenerateDataKeyPair / GenerateDataKeyPairWithoutPlaintext --------------------------------

// Makes a key pair of the request's KeyPairSpec and encrypts its private key under the
// symmetric KMS key KeyId with the request's encryption context, as Encrypt would (a normal
// ciphertext blob that Decrypt opens). Runs in a write transaction so that a due rotation is
// applied first.
static int data_key_pair(struct svc_call *c, const char *action, bool with_plaintext)
{
    int rc = -1;
    struct kms_key k = {0};
    struct buf aad = BUF_INIT;
    struct buf sym = BUF_INIT;
    struct buf pub = BUF_INIT;
    struct buf priv = BUF_INIT;
    struct buf blob = BUF_INIT;
    const char *pair_name = kms_in_str(c, "KeyPairSpec");
    const json_t *ctx = json_object_get(c->in, "EncryptionContext");
    policy_context_set(c->ctx, "kms:DataKeyPairSpec", pair_name != NULL ? pair_name : "");
    context_keys(c, ctx);
    if (usable_key(c, action, "ENCRYPT_DECRYPT", &k) != 0) {
        goto out;
    }
    if (kms_key_spec_of(&k) != KMS_SPEC_SYMMETRIC_DEFAULT) {
        // Not verified.
        kms_error(c, "InvalidKeyUsageException",
                  "%s key spec %s is not valid for %s; it needs a symmetric encryption key.", k.arn,
                  kms_key_str(&k, "KeySpec"), c->operation);
        goto out;
    }
    int pair = kms_spec_from_name(pair_name);
    if (pair < 0 ||
        (!kms_spec_is_rsa((enum kms_key_spec)pair) && !kms_spec_is_ecc((enum kms_key_spec)pair))) {
        // SM2 (China Regions only in AWS); wording not verified.
        kms_error(c, "UnsupportedOperationException", "KeyPairSpec %s is not supported.",
                  pair_name != NULL ? pair_name : "");
        goto out;
    }
    if (kms_context_aad(ctx, &aad) != 0) {
        kms_error(c, "ValidationException", "EncryptionContext must map strings to strings.");
        goto out;
    }
    bool rotated = false;
    if (kms_rotate_if_due(c, &k, &rotated) != 0 || (rotated && kms_key_save(c, &k) != 0)) {
        goto out;
    }
    uint32_t version = 0;
    if (kms_key_backing(c, &k, 0, &sym, &version) != 0) {
        goto out;
    }
    int crc = kms_keypair_new((enum kms_key_spec)pair, &pub, &priv);
    if (crc == 0) {
        crc = kms_encrypt((const unsigned char *)sym.data, sym.len, k.id, version,
                          (const unsigned char *)aad.data, aad.len,
                          (const unsigned char *)priv.data, priv.len, &blob);
    }
    if (crc != 0) {
        crypto_error(c, KMS_ECRYPTO, "");
        goto out;
    }
    c->out = json_pack("{s:s, s:s, s:s, s:s}", "PrivateKeyCiphertextBlob",
                       kms_b64(c, (const unsigned char *)blob.data, blob.len), "PublicKey",
                       kms_b64(c, (const unsigned char *)pub.data, pub.len), "KeyId", k.arn,
                       "KeyPairSpec", pair_name);
    if (with_plaintext) {
        json_object_set_new(c->out, "PrivateKeyPlaintext",
                            json_string(kms_b64(c, (const unsigned char *)priv.data, priv.len)));
    }
    rc = 0;
out:
    buf_free(&aad);
    kms_buf_wipe(&sym);
    buf_free(&pub);
    kms_buf_wipe(&priv);
    buf_free(&blob);
    kms_key_release(&k);
    return rc;
}

static int generate_data_key_pair_body(struct svc_call *c)
{
    return data_key_pair(c, "kms:GenerateDataKeyPair", true);
}
KMS_OPERATION(generate_data_key_pair, true)

static int generate_data_key_pair_without_plaintext_body(struct svc_call *c)
{
    return data_key_pair(c, "kms:GenerateDataKeyPairWithoutPlaintext", false);
}
KMS_OPERATION(generate_data_key_pair_without_plaintext, true)

// clang-format off
const struct svc_handler kms_asym_handlers[] = {
    {"Sign", sign},
    {"Verify", verify},
    {"GenerateMac", generate_mac},
    {"VerifyMac", verify_mac},
    {"GetPublicKey", get_public_key},
    {"GenerateDataKeyPair", generate_data_key_pair},
    {"GenerateDataKeyPairWithoutPlaintext", generate_data_key_pair_without_plaintext},
    {NULL, NULL},
};
// clang-format on
