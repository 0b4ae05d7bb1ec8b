// SPDX-License-Identifier: Apache-2.0
// The cryptographic core of KMS (AWS KMS Developer Guide: "Key spec reference", "Encryption
// context", "Cryptographic details"): the data directory's master key, backing keys wrapped under
// it, the symmetric ciphertext blob, the canonical encryption context, HMAC, RSA/ECDSA signing,
// RSA-OAEP encryption and public keys. Pure OpenSSL 3 EVP; no store, no request context. Every
// secret this module produces is returned in a struct buf that the caller releases with
// kms_buf_wipe, never buf_free. docs/kms.md describes the key hierarchy and the blob layout.
//
// The ciphertext blob (format 1), all integers big-endian:
//
//   offset  size  field
//   0       1     format byte, KMS_BLOB_FORMAT (1)
//   1       36    key id: the KMS key's UUID, lower-case "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
//   37      4     backing key version (>= 1; rotation adds versions and keeps the old ones)
//   41      12    random IV
//   53      n     AES-256-GCM ciphertext of the n-byte plaintext (0 <= n <= KMS_MAX_PLAINTEXT)
//   53+n    16    GCM tag
//
// The GCM additional authenticated data is the 41-byte header (format, key id, version)
// followed by kms_context_aad() of the encryption context, so a changed header, a changed
// context or another key all fail the tag check.
#ifndef SAGEBOX_KMS_CRYPTO_H
#define SAGEBOX_KMS_CRYPTO_H

#include "core/buf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMS_MASTER_KEY_LEN    32
#define KMS_KEY_ID_LEN        36
#define KMS_BLOB_FORMAT       1
#define KMS_BLOB_HEADER_LEN   41 // format + key id + version
#define KMS_BLOB_IV_LEN       12
#define KMS_BLOB_TAG_LEN      16
#define KMS_BLOB_MIN_LEN      (KMS_BLOB_HEADER_LEN + KMS_BLOB_IV_LEN + KMS_BLOB_TAG_LEN) // 69
#define KMS_MAX_PLAINTEXT     4096 // Encrypt's Plaintext limit (AWS: 1..4096 bytes)
#define KMS_BLOB_MAX_LEN      (KMS_BLOB_MIN_LEN + KMS_MAX_PLAINTEXT)
#define KMS_SYMMETRIC_KEY_LEN 32
#define KMS_MAX_MAC_LEN       64
#define KMS_MASTER_FILE       "kms-master.key"

// Errors of this module (negative, distinct from the store's SB_E* codes). The comment names the
// AWS exception a handler should answer with.
enum kms_crypto_err {
    KMS_EINVAL = -40,   // contract broken or input unusable (ValidationException)
    KMS_EBADBLOB = -41, // ciphertext blob malformed (InvalidCiphertextException)
    KMS_EAUTH = -42,    // decryption failed: tampered, wrong context, wrong key or version
                        // (InvalidCiphertextException; wrapped key: internal failure)
    KMS_EALG = -43,     // algorithm not valid for the key spec (InvalidKeyUsageException)
    KMS_EBADSIG = -44,  // signature does not verify (KMSInvalidSignatureException)
    KMS_EBADMAC = -45,  // MAC does not verify (KMSInvalidMacException)
    KMS_ETOOLONG = -46, // message too long for the algorithm (ValidationException)
    KMS_EIO = -47,      // master key file unreadable, unwritable or refused (err says why)
    KMS_ECRYPTO = -48,  // OpenSSL failed unexpectedly (KMSInternalException)
};

// KeySpec values (CreateKey's KeySpec; also DataKeyPairSpec for the asymmetric ones).
enum kms_key_spec {
    KMS_SPEC_SYMMETRIC_DEFAULT,
    KMS_SPEC_HMAC_224,
    KMS_SPEC_HMAC_256,
    KMS_SPEC_HMAC_384,
    KMS_SPEC_HMAC_512,
    KMS_SPEC_RSA_2048,
    KMS_SPEC_RSA_3072,
    KMS_SPEC_RSA_4096,
    KMS_SPEC_ECC_NIST_P256,
    KMS_SPEC_ECC_NIST_P384,
    KMS_SPEC_ECC_NIST_P521,
    KMS_SPEC_ECC_SECG_P256K1,
    KMS_SPEC_COUNT,
};

// MacAlgorithm values.
enum kms_mac_alg {
    KMS_MAC_HMAC_SHA_224,
    KMS_MAC_HMAC_SHA_256,
    KMS_MAC_HMAC_SHA_384,
    KMS_MAC_HMAC_SHA_512,
    KMS_MAC_COUNT,
};

// SigningAlgorithm values.
enum kms_sign_alg {
    KMS_SIGN_RSASSA_PSS_SHA_256,
    KMS_SIGN_RSASSA_PSS_SHA_384,
    KMS_SIGN_RSASSA_PSS_SHA_512,
    KMS_SIGN_RSASSA_PKCS1_V1_5_SHA_256,
    KMS_SIGN_RSASSA_PKCS1_V1_5_SHA_384,
    KMS_SIGN_RSASSA_PKCS1_V1_5_SHA_512,
    KMS_SIGN_ECDSA_SHA_256,
    KMS_SIGN_ECDSA_SHA_384,
    KMS_SIGN_ECDSA_SHA_512,
    KMS_SIGN_COUNT,
};

// EncryptionAlgorithm values for asymmetric keys (SYMMETRIC_DEFAULT is kms_encrypt).
enum kms_rsa_alg {
    KMS_RSA_OAEP_SHA_1,
    KMS_RSA_OAEP_SHA_256,
    KMS_RSA_ALG_COUNT,
};

// A parsed ciphertext blob. The pointers are views into the bytes given to kms_blob_parse and
// live as long as they do; key_id is a NUL-terminated copy.
struct kms_blob {
    uint8_t format;
    char key_id[KMS_KEY_ID_LEN + 1];
    uint32_t version;
    const unsigned char *header; // the KMS_BLOB_HEADER_LEN header bytes (part of the AAD)
    const unsigned char *iv;     // KMS_BLOB_IV_LEN bytes
    const unsigned char *ct;     // ct_len bytes of ciphertext
    size_t ct_len;
    const unsigned char *tag; // KMS_BLOB_TAG_LEN bytes
};

// ---- names ----

// Returns the enum value of an AWS name ("RSA_2048", "HMAC_SHA_256", "ECDSA_SHA_384",
// "RSAES_OAEP_SHA_1" ...), or -1 for an unknown name or NULL.
int kms_spec_from_name(const char *name);
int kms_mac_alg_from_name(const char *name);
int kms_sign_alg_from_name(const char *name);
int kms_rsa_alg_from_name(const char *name);

// Returns the AWS name of a value (static storage), or NULL when out of range.
const char *kms_spec_name(enum kms_key_spec spec);
const char *kms_mac_alg_name(enum kms_mac_alg alg);
const char *kms_sign_alg_name(enum kms_sign_alg alg);
const char *kms_rsa_alg_name(enum kms_rsa_alg alg);

// Classifies a key spec.
bool kms_spec_is_hmac(enum kms_key_spec spec);
bool kms_spec_is_rsa(enum kms_key_spec spec);
bool kms_spec_is_ecc(enum kms_key_spec spec);

// Whether KeyUsage usage ("ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC") is allowed for
// spec, as CreateKey checks it: SYMMETRIC_DEFAULT -> ENCRYPT_DECRYPT; HMAC_* ->
// GENERATE_VERIFY_MAC; RSA_* -> ENCRYPT_DECRYPT or SIGN_VERIFY; ECC_* -> SIGN_VERIFY.
bool kms_spec_allows_usage(enum kms_key_spec spec, const char *usage);

// The algorithm lists DescribeKey reports, as NULL-terminated arrays of static names (an empty
// array when none apply): EncryptionAlgorithms for (spec, usage) ("SYMMETRIC_DEFAULT" for
// symmetric keys, "RSAES_OAEP_SHA_1","RSAES_OAEP_SHA_256" for RSA ENCRYPT_DECRYPT keys),
// SigningAlgorithms for SIGN_VERIFY keys, MacAlgorithms for HMAC keys.
const char *const *kms_spec_encryption_algs(enum kms_key_spec spec, const char *usage);
const char *const *kms_spec_signing_algs(enum kms_key_spec spec);
const char *const *kms_spec_mac_algs(enum kms_key_spec spec);

// Whether the signing algorithm may be used with the key spec: RSASSA_* with RSA_*;
// ECDSA_SHA_256 with ECC_NIST_P256 and ECC_SECG_P256K1, ECDSA_SHA_384 with ECC_NIST_P384,
// ECDSA_SHA_512 with ECC_NIST_P521.
bool kms_sign_alg_fits(enum kms_key_spec spec, enum kms_sign_alg alg);

// Whether the MAC algorithm fits the HMAC key spec (HMAC_256 only with HMAC_SHA_256 ...).
bool kms_mac_alg_fits(enum kms_key_spec spec, enum kms_mac_alg alg);

// The digest length in bytes of a signing algorithm (32, 48 or 64): a MessageType DIGEST message
// must have exactly this length.
size_t kms_sign_alg_digest_len(enum kms_sign_alg alg);

// The largest plaintext RSA encryption with alg accepts for an RSA spec (k - 2*hLen - 2 bytes,
// k the modulus length: 214 for RSA_2048/OAEP_SHA_1, 190 for RSA_2048/OAEP_SHA_256), or 0 when
// spec is not RSA.
size_t kms_rsa_max_plaintext(enum kms_key_spec spec, enum kms_rsa_alg alg);

// ---- secrets ----

// Cleanses (OPENSSL_cleanse) and frees b; b is empty afterwards. NULL or empty does nothing.
void kms_buf_wipe(struct buf *b);

// Loads the master key of the data directory data_dir into key: the file
// DATA_DIR/kms-master.key holding exactly 32 bytes. When the file does not exist it is created
// with 32 bytes from getrandom (O_CREAT|O_EXCL, mode 0600, file and directory fsynced); when two
// processes race, the loser reads the winner's file. Refuses (KMS_EIO) a file of another size,
// one that is not a regular file, or one whose mode grants any permission to group or others.
// Returns 0, or KMS_EIO with an operator-readable reason in err[0..cap) (never the key); key is
// zeroed on failure. The key is never logged.
int kms_master_load(const char *data_dir, unsigned char key[KMS_MASTER_KEY_LEN], char *err,
                    size_t cap);

// Creates new backing key material for spec into *out (which must be empty): 32 random bytes
// for SYMMETRIC_DEFAULT; for HMAC_224/256/384/512 random bytes of 28/32/48/64 (the key length
// equals the spec's bit length, as AWS documents); for RSA and ECC specs a fresh private key
// serialized as PKCS#8 DER. Returns 0, KMS_EINVAL for an out-of-range spec or KMS_ECRYPTO when
// OpenSSL fails; *out stays empty on failure. Release *out with kms_buf_wipe.
int kms_backing_new(enum kms_key_spec spec, struct buf *out);

// Wraps secret[0..len) under the master key for storage in the key's document: AES-256-GCM with
// a random 12-byte IV and, as AAD, "sagebox-kms-wrap-v1", the key id and the version (so a
// wrapped key copied to another key or version does not unwrap). Appends base64 (RFC 4648,
// padded) of IV || ciphertext || tag to *out_b64 (its contents are not secret). key_id is the
// NUL-terminated key UUID, version >= 1. Returns 0, KMS_EINVAL (empty secret, NULL key id,
// version 0) or KMS_ECRYPTO; *out_b64 is unchanged on failure.
int kms_wrap(const unsigned char master[KMS_MASTER_KEY_LEN], const char *key_id, uint32_t version,
             const unsigned char *secret, size_t len, struct buf *out_b64);

// Reverses kms_wrap: decodes b64[0..b64_len), checks the tag against master, key_id and version,
// and appends the secret to *secret_out (release with kms_buf_wipe). Returns 0, KMS_EBADBLOB for
// text that is not strict base64 or too short, KMS_EAUTH when the tag does not verify (wrong
// master key, key id or version, or a damaged document). *secret_out is unchanged on failure.
int kms_unwrap(const unsigned char master[KMS_MASTER_KEY_LEN], const char *key_id, uint32_t version,
               const char *b64, size_t b64_len, struct buf *secret_out);

// ---- symmetric encryption ----

// Serializes an encryption context (a JSON object of string values, or NULL / an empty object
// for none) canonically into *out (appended): a 4-byte count of pairs, then per pair in byte-wise
// order of the keys (memcmp, shorter first on a common prefix) a 4-byte key length, the key
// bytes, a 4-byte value length and the value bytes (UTF-8, lengths big-endian). The same map in
// any order gives the same bytes; different maps never do. Returns 0 or KMS_EINVAL when ctx is
// not an object or a value is not a string (*out then unchanged).
int kms_context_aad(const json_t *ctx, struct buf *out);

// Parses blob[0..len) strictly into *out: at least KMS_BLOB_MIN_LEN and at most
// KMS_BLOB_MAX_LEN bytes, format byte KMS_BLOB_FORMAT, a key id of 36 characters in UUID form
// (lower-case hex digits and hyphens at positions 8, 13, 18, 23), version >= 1. Returns 0 or
// KMS_EBADBLOB for anything else, never reading outside blob[0..len); *out is then unspecified.
int kms_blob_parse(const unsigned char *blob, size_t len, struct kms_blob *out);

// Encrypts plain[0..len) (0 <= len <= KMS_MAX_PLAINTEXT) with the 32-byte symmetric backing key
// of key_id at version, binding aad[0..aad_len) (kms_context_aad output; may be empty), and
// appends the blob described above to *blob_out. Returns 0, KMS_EINVAL (bad key length, key id
// not in UUID form, version 0, plaintext too long) or KMS_ECRYPTO; *blob_out unchanged on
// failure.
int kms_encrypt(const unsigned char *backing, size_t backing_len, const char *key_id,
                uint32_t version, const unsigned char *aad, size_t aad_len,
                const unsigned char *plain, size_t len, struct buf *blob_out);

// Decrypts a parsed blob with the backing key of blob->key_id at blob->version (the caller
// looked it up) and the context aad[0..aad_len), appending the plaintext to *plain_out (release
// with kms_buf_wipe). Returns 0, KMS_EINVAL (bad key length) or KMS_EAUTH when the tag does not
// verify: tampered blob, other context, other key. *plain_out unchanged on failure.
int kms_decrypt(const unsigned char *backing, size_t backing_len, const struct kms_blob *blob,
                const unsigned char *aad, size_t aad_len, struct buf *plain_out);

// The AES-256-GCM primitive under kms_encrypt, kms_wrap and their inverses, exposed for
// known-answer tests: seals plain[0..len) with key (32 bytes), iv (12 bytes) and
// aad[0..aad_len) into ct (len bytes) and tag (16 bytes). Returns 0, KMS_EINVAL or KMS_ECRYPTO.
int kms_gcm_seal(const unsigned char key[KMS_SYMMETRIC_KEY_LEN],
                 const unsigned char iv[KMS_BLOB_IV_LEN], const unsigned char *aad, size_t aad_len,
                 const unsigned char *plain, size_t len, unsigned char *ct,
                 unsigned char tag[KMS_BLOB_TAG_LEN]);

// Opens what kms_gcm_seal made: writes len bytes of plaintext into plain when tag verifies.
// Returns 0, KMS_EAUTH (tag mismatch; plain then holds nothing usable, and is cleansed),
// KMS_EINVAL or KMS_ECRYPTO.
int kms_gcm_open(const unsigned char key[KMS_SYMMETRIC_KEY_LEN],
                 const unsigned char iv[KMS_BLOB_IV_LEN], const unsigned char *aad, size_t aad_len,
                 const unsigned char *ct, size_t len, const unsigned char tag[KMS_BLOB_TAG_LEN],
                 unsigned char *plain);

// ---- HMAC ----

// Computes the HMAC of msg[0..len) with alg under key[0..key_len) (an HMAC_* backing key of
// spec) into mac (KMS_MAX_MAC_LEN bytes of room), its length into *mac_len. Returns 0, KMS_EALG
// when alg does not fit spec, KMS_EINVAL or KMS_ECRYPTO.
int kms_hmac(enum kms_key_spec spec, const unsigned char *key, size_t key_len, enum kms_mac_alg alg,
             const unsigned char *msg, size_t len, unsigned char mac[KMS_MAX_MAC_LEN],
             size_t *mac_len);

// Recomputes the HMAC and compares it with mac[0..mac_len) in constant time (CRYPTO_memcmp).
// Returns 0 when it matches, KMS_EBADMAC when not (also for a wrong length), or the errors of
// kms_hmac.
int kms_hmac_verify(enum kms_key_spec spec, const unsigned char *key, size_t key_len,
                    enum kms_mac_alg alg, const unsigned char *msg, size_t len,
                    const unsigned char *mac, size_t mac_len);

// ---- asymmetric ----

// Signs msg[0..len) with the PKCS#8 DER private key priv[0..priv_len) of spec and alg, appending
// the signature to *sig_out: for RSASSA_PSS, MGF1 with the same digest and a salt as long as the
// digest; for ECDSA, the DER-encoded (r, s) as AWS returns it. With is_digest (MessageType
// DIGEST) msg is the digest itself and must be kms_sign_alg_digest_len(alg) bytes, else it is
// hashed first. Returns 0, KMS_EALG (alg does not fit spec), KMS_EINVAL (bad digest length, key
// does not parse or is of another spec) or KMS_ECRYPTO; *sig_out unchanged on failure.
int kms_sign(enum kms_key_spec spec, const unsigned char *priv, size_t priv_len,
             enum kms_sign_alg alg, bool is_digest, const unsigned char *msg, size_t len,
             struct buf *sig_out);

// Verifies sig[0..sig_len) over msg as kms_sign made it, with the private key's public half.
// Returns 0 when valid, KMS_EBADSIG when not (including a malformed signature), or the errors of
// kms_sign.
int kms_verify(enum kms_key_spec spec, const unsigned char *priv, size_t priv_len,
               enum kms_sign_alg alg, bool is_digest, const unsigned char *msg, size_t len,
               const unsigned char *sig, size_t sig_len);

// Encrypts plain[0..len) with the public half of the RSA key priv (PKCS#8 DER) using RSAES-OAEP
// (MGF1 with the same digest, no label), appending the ciphertext (modulus length) to *out.
// Returns 0, KMS_EALG (spec is not RSA), KMS_ETOOLONG (len > kms_rsa_max_plaintext),
// KMS_EINVAL or KMS_ECRYPTO.
int kms_rsa_encrypt(enum kms_key_spec spec, const unsigned char *priv, size_t priv_len,
                    enum kms_rsa_alg alg, const unsigned char *plain, size_t len, struct buf *out);

// Decrypts an RSAES-OAEP ciphertext ct[0..ct_len) with the RSA key priv, appending the plaintext
// to *plain_out (release with kms_buf_wipe). Returns 0, KMS_EALG, KMS_EINVAL or KMS_EAUTH when
// the ciphertext does not decrypt (wrong key, algorithm or damaged).
int kms_rsa_decrypt(enum kms_key_spec spec, const unsigned char *priv, size_t priv_len,
                    enum kms_rsa_alg alg, const unsigned char *ct, size_t ct_len,
                    struct buf *plain_out);

// Appends the DER SubjectPublicKeyInfo (what GetPublicKey returns) of the PKCS#8 DER private key
// priv[0..priv_len) to *out. Returns 0 or KMS_EINVAL when priv does not parse.
int kms_public_key_der(const unsigned char *priv, size_t priv_len, struct buf *out);

// A new key pair for GenerateDataKeyPair: appends the SubjectPublicKeyInfo DER to *pub_out and
// the PKCS#8 DER private key to *priv_out (release with kms_buf_wipe). spec must be RSA or ECC.
// Returns 0, KMS_EINVAL or KMS_ECRYPTO; both buffers unchanged on failure.
int kms_keypair_new(enum kms_key_spec spec, struct buf *pub_out, struct buf *priv_out);

// Fills out[0..len) with random bytes (GenerateDataKey, GenerateRandom).
void kms_random(unsigned char *out, size_t len);

#endif
