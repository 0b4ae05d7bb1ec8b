// SPDX-License-Identifier: Apache-2.0
// Unit tests for the KMS cryptographic core (src/svc/kms/kms_crypto.c). Known answers come from
// published vectors, never from the code under test: AES-256-GCM from the GCM specification
// (McGrew & Viega, test cases 13-16, the 256-bit-key cases NIST SP 800-38D refers to) and the
// NIST CAVP GCMVS set; HMAC-SHA-224/256/384/512 from RFC 4231 section 4 (test cases 1, 2, 6).
// Signatures are also checked independently with OpenSSL against the public key
// kms_public_key_der returns, as a client verifying GetPublicKey output would.
#include "svc/kms/kms_crypto.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static const char key_id[] = "1234abcd-12ab-34cd-56ef-1234567890ab"; // AWS docs' example id
static const char other_id[] = "0987dcba-09fe-87dc-65ba-ab0987654321";

// Decodes lower-case hex text into out; returns the byte count.
static size_t unhex(const char *hex, unsigned char *out)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned int v = 0;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (unsigned char)v;
    }
    return n;
}

struct gcm_vector {
    const char *key, *iv, *aad, *plain, *ct, *tag;
};

// GCM spec test cases 13-16 (K = 256 bits) and one NIST CAVP GCMVS vector with AAD.
static const struct gcm_vector gcm_vectors[] = {
    {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "00000000000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18",
     "d0d1c8a799996bf0265b98b5d48ab919"},
    {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    {"83688deb4af8007f9b713b47cfa6c73e35ea7a3aa4ecdb414dded03bf7a0fd3a", "0b459724904e010a46901cf3",
     "794a14ccd178c8ebfd1379dc704c5e208f9d8424", "33d893a2114ce06fc15d55e454cf90c3",
     "cc66bee423e3fcd4c0865715e9586696", "0fb291bd3dba94a1dfd8b286cfb97ac5"},
};

static void test_gcm_known_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(gcm_vectors) / sizeof(gcm_vectors[0]); i++) {
        const struct gcm_vector *v = &gcm_vectors[i];
        unsigned char key[32], iv[12], aad[64], plain[64], want_ct[64], want_tag[16];
        unsigned char ct[64], tag[16], back[64];
        unhex(v->key, key);
        unhex(v->iv, iv);
        size_t aad_len = unhex(v->aad, aad);
        size_t len = unhex(v->plain, plain);
        assert_int_equal(unhex(v->ct, want_ct), len);
        unhex(v->tag, want_tag);
        assert_int_equal(kms_gcm_seal(key, iv, aad, aad_len, plain, len, ct, tag), 0);
        if (len > 0) {
            assert_memory_equal(ct, want_ct, len);
        }
        assert_memory_equal(tag, want_tag, 16);
        assert_int_equal(kms_gcm_open(key, iv, aad, aad_len, want_ct, len, want_tag, back), 0);
        if (len > 0) {
            assert_memory_equal(back, plain, len);
        }
        want_tag[15] ^= 1;
        assert_int_equal(kms_gcm_open(key, iv, aad, aad_len, want_ct, len, want_tag, back),
                         KMS_EAUTH);
    }
}

struct hmac_vector {
    const char *key, *data; // hex
    const char *mac[4];     // HMAC-SHA-224, 256, 384, 512
};

// RFC 4231 section 4: test cases 1, 2 and 6 (a 131-byte key, longer than the block size).
static const struct hmac_vector hmac_vectors[] = {
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     "4869205468657265",
     {"896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
      "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
      "faea9ea9076ede7f4af152e8b2fa9cb6",
      "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
      "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"}},
    {"4a656665",
     "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     {"a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
      "8e2240ca5e69e2c78b3239ecfab21649",
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
      "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"}},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaa",
     "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
     "65204b6579202d2048617368204b6579204669727374",
     {"95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e",
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
      "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
      "0c2ef6ab4030fe8296248df163f44952",
      "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
      "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"}},
};

static void test_hmac_known_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(hmac_vectors) / sizeof(hmac_vectors[0]); i++) {
        unsigned char key[256], data[256], want[64], mac[KMS_MAX_MAC_LEN];
        size_t key_len = unhex(hmac_vectors[i].key, key);
        size_t len = unhex(hmac_vectors[i].data, data);
        for (int a = 0; a < KMS_MAC_COUNT; a++) {
            enum kms_key_spec spec = (enum kms_key_spec)(KMS_SPEC_HMAC_224 + a);
            size_t want_len = unhex(hmac_vectors[i].mac[a], want);
            size_t mac_len = 0;
            assert_int_equal(kms_hmac(spec, key, key_len, a, data, len, mac, &mac_len), 0);
            assert_int_equal(mac_len, want_len);
            assert_memory_equal(mac, want, want_len);
            assert_int_equal(kms_hmac_verify(spec, key, key_len, a, data, len, want, want_len), 0);
            want[want_len - 1] ^= 0x80;
            assert_int_equal(kms_hmac_verify(spec, key, key_len, a, data, len, want, want_len),
                             KMS_EBADMAC);
            want[want_len - 1] ^= 0x80;
            assert_int_equal(kms_hmac_verify(spec, key, key_len, a, data, len, want, want_len - 1),
                             KMS_EBADMAC);
            // Another algorithm than the key spec's is refused.
            int other = (a + 1) % KMS_MAC_COUNT;
            assert_int_equal(kms_hmac(spec, key, key_len, other, data, len, mac, &mac_len),
                             KMS_EALG);
        }
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_int_equal(kms_spec_from_name("ECC_SECG_P256K1"), KMS_SPEC_ECC_SECG_P256K1);
    assert_int_equal(kms_spec_from_name("SYMMETRIC_DEFAULT"), KMS_SPEC_SYMMETRIC_DEFAULT);
    assert_int_equal(kms_spec_from_name("rsa_2048"), -1);
    assert_int_equal(kms_spec_from_name(NULL), -1);
    assert_int_equal(kms_sign_alg_from_name("RSASSA_PKCS1_V1_5_SHA_384"),
                     KMS_SIGN_RSASSA_PKCS1_V1_5_SHA_384);
    assert_int_equal(kms_mac_alg_from_name("HMAC_SHA_512"), KMS_MAC_HMAC_SHA_512);
    assert_int_equal(kms_rsa_alg_from_name("RSAES_OAEP_SHA_256"), KMS_RSA_OAEP_SHA_256);
    assert_string_equal(kms_spec_name(KMS_SPEC_HMAC_384), "HMAC_384");
    assert_null(kms_spec_name(KMS_SPEC_COUNT));
    assert_true(kms_spec_allows_usage(KMS_SPEC_RSA_3072, "SIGN_VERIFY"));
    assert_true(kms_spec_allows_usage(KMS_SPEC_RSA_3072, "ENCRYPT_DECRYPT"));
    assert_false(kms_spec_allows_usage(KMS_SPEC_ECC_NIST_P256, "ENCRYPT_DECRYPT"));
    assert_false(kms_spec_allows_usage(KMS_SPEC_SYMMETRIC_DEFAULT, "SIGN_VERIFY"));
    assert_true(kms_spec_allows_usage(KMS_SPEC_HMAC_256, "GENERATE_VERIFY_MAC"));
    assert_true(kms_sign_alg_fits(KMS_SPEC_ECC_SECG_P256K1, KMS_SIGN_ECDSA_SHA_256));
    assert_false(kms_sign_alg_fits(KMS_SPEC_ECC_NIST_P384, KMS_SIGN_ECDSA_SHA_256));
    assert_true(kms_sign_alg_fits(KMS_SPEC_ECC_NIST_P521, KMS_SIGN_ECDSA_SHA_512));
    assert_false(kms_sign_alg_fits(KMS_SPEC_RSA_2048, KMS_SIGN_ECDSA_SHA_256));
    assert_string_equal(kms_spec_encryption_algs(KMS_SPEC_RSA_2048, "ENCRYPT_DECRYPT")[1],
                        "RSAES_OAEP_SHA_256");
    assert_null(kms_spec_encryption_algs(KMS_SPEC_RSA_2048, "SIGN_VERIFY")[0]);
    assert_string_equal(kms_spec_mac_algs(KMS_SPEC_HMAC_224)[0], "HMAC_SHA_224");
    // RFC 8017 7.1.1: mLen <= k - 2hLen - 2.
    assert_int_equal(kms_rsa_max_plaintext(KMS_SPEC_RSA_2048, KMS_RSA_OAEP_SHA_1), 214);
    assert_int_equal(kms_rsa_max_plaintext(KMS_SPEC_RSA_2048, KMS_RSA_OAEP_SHA_256), 190);
    assert_int_equal(kms_rsa_max_plaintext(KMS_SPEC_RSA_4096, KMS_RSA_OAEP_SHA_256), 446);
}

// ---- blobs ----

static void test_blob_round_trip(void **state)
{
    (void)state;
    struct buf k = BUF_INIT, blob = BUF_INIT, plain = BUF_INIT, aad = BUF_INIT;
    assert_int_equal(kms_backing_new(KMS_SPEC_SYMMETRIC_DEFAULT, &k), 0);
    assert_int_equal(k.len, 32);
    json_t *ctx = json_pack("{ss}", "Department", "10");
    assert_int_equal(kms_context_aad(ctx, &aad), 0);
    const char msg[] = "attack at dawn";
    assert_int_equal(kms_encrypt((unsigned char *)k.data, k.len, key_id, 7,
                                 (unsigned char *)aad.data, aad.len, (const unsigned char *)msg,
                                 strlen(msg), &blob),
                     0);
    assert_int_equal(blob.len, KMS_BLOB_MIN_LEN + strlen(msg));
    assert_int_equal((unsigned char)blob.data[0], KMS_BLOB_FORMAT);
    assert_memory_equal(blob.data + 1, key_id, 36);
    struct kms_blob b;
    assert_int_equal(kms_blob_parse((unsigned char *)blob.data, blob.len, &b), 0);
    assert_string_equal(b.key_id, key_id);
    assert_int_equal(b.version, 7);
    assert_int_equal(b.ct_len, strlen(msg));
    assert_int_equal(
        kms_decrypt((unsigned char *)k.data, k.len, &b, (unsigned char *)aad.data, aad.len, &plain),
        0);
    assert_int_equal(plain.len, strlen(msg));
    assert_memory_equal(plain.data, msg, plain.len);
    // Two encryptions of one plaintext differ (random IV).
    struct buf blob2 = BUF_INIT;
    assert_int_equal(kms_encrypt((unsigned char *)k.data, k.len, key_id, 7,
                                 (unsigned char *)aad.data, aad.len, (const unsigned char *)msg,
                                 strlen(msg), &blob2),
                     0);
    assert_memory_not_equal(blob.data + KMS_BLOB_HEADER_LEN, blob2.data + KMS_BLOB_HEADER_LEN,
                            KMS_BLOB_IV_LEN);
    // Empty plaintext and no context work; plaintext over 4096 bytes is refused.
    struct buf e = BUF_INIT, ep = BUF_INIT;
    assert_int_equal(kms_encrypt((unsigned char *)k.data, k.len, key_id, 1, NULL, 0, NULL, 0, &e),
                     0);
    assert_int_equal(kms_blob_parse((unsigned char *)e.data, e.len, &b), 0);
    assert_int_equal(kms_decrypt((unsigned char *)k.data, k.len, &b, NULL, 0, &ep), 0);
    assert_int_equal(ep.len, 0);
    unsigned char big[KMS_MAX_PLAINTEXT + 1] = {0};
    size_t before = e.len;
    assert_int_equal(
        kms_encrypt((unsigned char *)k.data, k.len, key_id, 1, NULL, 0, big, sizeof(big), &e),
        KMS_EINVAL);
    assert_int_equal(e.len, before);
    assert_int_equal(
        kms_encrypt((unsigned char *)k.data, k.len, key_id, 1, NULL, 0, big, KMS_MAX_PLAINTEXT, &e),
        0);
    assert_int_equal(
        kms_encrypt((unsigned char *)k.data, k.len, "not-a-uuid", 1, NULL, 0, big, 1, &e),
        KMS_EINVAL);
    assert_int_equal(kms_encrypt((unsigned char *)k.data, k.len, key_id, 0, NULL, 0, big, 1, &e),
                     KMS_EINVAL);
    json_decref(ctx);
    kms_buf_wipe(&k);
    buf_free(&blob);
    buf_free(&blob2);
    buf_free(&e);
    kms_buf_wipe(&ep);
    kms_buf_wipe(&plain);
    buf_free(&aad);
}

// A blob and a wrapped key built outside sagebox from the documented layouts (Python's
// cryptography AESGCM; key 603deb10...dff4, IV 000102...0b / all zero): the layout in
// kms_crypto.h is what the code reads.
static void test_blob_layout_interop(void **state)
{
    (void)state;
    unsigned char key[32], blob[128];
    unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", key);
    size_t len = unhex("0131323334616263642d313261622d333463642d353665662d31323334353637383930"
                       "616200000002000102030405060708090a0b6004dd3feb2b875452da24301c53d70d"
                       "97623150e5",
                       blob);
    struct kms_blob b;
    struct buf plain = BUF_INIT;
    assert_int_equal(kms_blob_parse(blob, len, &b), 0);
    assert_string_equal(b.key_id, key_id);
    assert_int_equal(b.version, 2);
    assert_int_equal(kms_decrypt(key, 32, &b, NULL, 0, &plain), 0);
    assert_int_equal(plain.len, 5);
    assert_memory_equal(plain.data, "hello", 5);
    static const char wrapped[] = "AAAAAAAAAAAAAAAAFw4j0XNc0tV55jqIe8nIE0gNPO2mNgVllXm1FpTiuC7jotXz"
                                  "j8shKf+Ah7thT0FP";
    struct buf secret = BUF_INIT;
    unsigned char zero[32] = {0};
    assert_int_equal(kms_unwrap(key, key_id, 1, wrapped, strlen(wrapped), &secret), 0);
    assert_int_equal(secret.len, 32);
    assert_memory_equal(secret.data, zero, 32);
    kms_buf_wipe(&plain);
    kms_buf_wipe(&secret);
}

// Every single-bit-position change of every byte, every truncation, a wrong key, a wrong context
// and a changed version are refused.
static void test_blob_tamper(void **state)
{
    (void)state;
    struct buf k = BUF_INIT, k2 = BUF_INIT, blob = BUF_INIT, aad = BUF_INIT, aad2 = BUF_INIT;
    struct buf out = BUF_INIT;
    assert_int_equal(kms_backing_new(KMS_SPEC_SYMMETRIC_DEFAULT, &k), 0);
    assert_int_equal(kms_backing_new(KMS_SPEC_SYMMETRIC_DEFAULT, &k2), 0);
    json_t *ctx = json_pack("{ssss}", "a", "1", "b", "2");
    json_t *ctx2 = json_pack("{ssss}", "a", "1", "b", "3");
    assert_int_equal(kms_context_aad(ctx, &aad), 0);
    assert_int_equal(kms_context_aad(ctx2, &aad2), 0);
    const unsigned char msg[] = "0123456789abcdef0123";
    assert_int_equal(kms_encrypt((unsigned char *)k.data, k.len, key_id, 3,
                                 (unsigned char *)aad.data, aad.len, msg, sizeof(msg), &blob),
                     0);
    unsigned char *copy = malloc(blob.len);
    struct kms_blob b;
    for (size_t i = 0; i < blob.len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, blob.data, blob.len);
            copy[i] ^= (unsigned char)(1u << bit);
            int rc = kms_blob_parse(copy, blob.len, &b);
            if (rc == 0) {
                rc = kms_decrypt((unsigned char *)k.data, k.len, &b, (unsigned char *)aad.data,
                                 aad.len, &out);
                assert_int_equal(rc, KMS_EAUTH);
            } else {
                assert_int_equal(rc, KMS_EBADBLOB);
            }
            assert_int_equal(out.len, 0);
        }
    }
    for (size_t n = 0; n < blob.len; n++) {
        int rc = kms_blob_parse((unsigned char *)blob.data, n, &b);
        if (rc == 0) {
            rc = kms_decrypt((unsigned char *)k.data, k.len, &b, (unsigned char *)aad.data, aad.len,
                             &out);
            assert_int_equal(rc, KMS_EAUTH);
        } else {
            assert_int_equal(rc, KMS_EBADBLOB);
        }
    }
    assert_int_equal(kms_blob_parse((unsigned char *)blob.data, blob.len, &b), 0);
    assert_int_equal(
        kms_decrypt((unsigned char *)k2.data, k2.len, &b, (unsigned char *)aad.data, aad.len, &out),
        KMS_EAUTH);
    assert_int_equal(
        kms_decrypt((unsigned char *)k.data, k.len, &b, (unsigned char *)aad2.data, aad2.len, &out),
        KMS_EAUTH);
    assert_int_equal(kms_decrypt((unsigned char *)k.data, k.len, &b, NULL, 0, &out), KMS_EAUTH);
    // Another version number (valid form) and another key id in the header fail the tag.
    memcpy(copy, blob.data, blob.len);
    copy[40] = 4;
    assert_int_equal(kms_blob_parse(copy, blob.len, &b), 0);
    assert_int_equal(
        kms_decrypt((unsigned char *)k.data, k.len, &b, (unsigned char *)aad.data, aad.len, &out),
        KMS_EAUTH);
    memcpy(copy, blob.data, blob.len);
    // NOLINTNEXTLINE(bugprone-not-null-terminated-result): the blob holds the id without a NUL
    memcpy(copy + 1, other_id, KMS_KEY_ID_LEN);
    assert_int_equal(kms_blob_parse(copy, blob.len, &b), 0);
    assert_int_equal(
        kms_decrypt((unsigned char *)k.data, k.len, &b, (unsigned char *)aad.data, aad.len, &out),
        KMS_EAUTH);
    assert_int_equal(out.len, 0);
    // Strict form: upper-case id, version 0, other format byte, too long.
    memcpy(copy, blob.data, blob.len);
    copy[1] = 'A';
    assert_int_equal(kms_blob_parse(copy, blob.len, &b), KMS_EBADBLOB);
    memcpy(copy, blob.data, blob.len);
    memset(copy + 37, 0, 4);
    assert_int_equal(kms_blob_parse(copy, blob.len, &b), KMS_EBADBLOB);
    memcpy(copy, blob.data, blob.len);
    copy[0] = 2;
    assert_int_equal(kms_blob_parse(copy, blob.len, &b), KMS_EBADBLOB);
    assert_int_equal(kms_blob_parse(copy, KMS_BLOB_MAX_LEN + 1, &b), KMS_EBADBLOB);
    assert_int_equal(kms_blob_parse(NULL, 100, &b), KMS_EBADBLOB);
    free(copy);
    json_decref(ctx);
    json_decref(ctx2);
    kms_buf_wipe(&k);
    kms_buf_wipe(&k2);
    buf_free(&blob);
    buf_free(&aad);
    buf_free(&aad2);
    kms_buf_wipe(&out);
}

static void test_context_canonical(void **state)
{
    (void)state;
    struct buf a = BUF_INIT, b = BUF_INIT;
    json_t *x = json_loads("{\"b\":\"2\",\"a\":\"1\",\"aa\":\"3\",\"\\u00e9\":\"4\"}", 0, NULL);
    json_t *y = json_loads("{\"\\u00e9\":\"4\",\"aa\":\"3\",\"a\":\"1\",\"b\":\"2\"}", 0, NULL);
    assert_non_null(x);
    assert_non_null(y);
    assert_int_equal(kms_context_aad(x, &a), 0);
    assert_int_equal(kms_context_aad(y, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    // Byte-wise order: "a" < "aa" < "b" < "\xc3\xa9"; count 4, then "a" first.
    static const unsigned char head[] = {0, 0, 0, 4,   0, 0, 0, 1, 'a', 0,
                                         0, 0, 1, '1', 0, 0, 0, 2, 'a', 'a'};
    assert_memory_equal(a.data, head, sizeof(head));
    json_decref(x);
    json_decref(y);
    // {"a":"bc"} and {"ab":"c"} must not collide, nor one pair with an empty map.
    buf_reset(&a);
    buf_reset(&b);
    x = json_pack("{ss}", "a", "bc");
    y = json_pack("{ss}", "ab", "c");
    assert_int_equal(kms_context_aad(x, &a), 0);
    assert_int_equal(kms_context_aad(y, &b), 0);
    assert_true(a.len != b.len || memcmp(a.data, b.data, a.len) != 0);
    json_decref(x);
    json_decref(y);
    buf_reset(&a);
    buf_reset(&b);
    x = json_object();
    assert_int_equal(kms_context_aad(x, &a), 0);
    assert_int_equal(kms_context_aad(NULL, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    json_decref(x);
    // A non-string value or a non-object is refused and leaves the output unchanged.
    buf_reset(&a);
    x = json_pack("{si}", "a", 1);
    assert_int_equal(kms_context_aad(x, &a), KMS_EINVAL);
    assert_int_equal(a.len, 0);
    json_decref(x);
    x = json_array();
    assert_int_equal(kms_context_aad(x, &a), KMS_EINVAL);
    json_decref(x);
    buf_free(&a);
    buf_free(&b);
}

// ---- wrapping ----

static void test_wrap_unwrap(void **state)
{
    (void)state;
    unsigned char master[32] = {0}, master2[32] = {0};
    kms_random(master, sizeof(master));
    kms_random(master2, sizeof(master2));
    for (int s = 0; s < KMS_SPEC_COUNT; s++) {
        if (s == KMS_SPEC_RSA_3072 || s == KMS_SPEC_RSA_4096) {
            continue; // slow; covered by test_sign_verify's keys of the same code path
        }
        struct buf secret = BUF_INIT, wrapped = BUF_INIT, back = BUF_INIT;
        assert_int_equal(kms_backing_new((enum kms_key_spec)s, &secret), 0);
        // AWS key spec reference: HMAC key lengths equal the spec's bits; symmetric keys are 256
        // bits.
        static const size_t lens[KMS_SPEC_COUNT] = {
            [KMS_SPEC_SYMMETRIC_DEFAULT] = 32, [KMS_SPEC_HMAC_224] = 28, [KMS_SPEC_HMAC_256] = 32,
            [KMS_SPEC_HMAC_384] = 48,          [KMS_SPEC_HMAC_512] = 64,
        };
        if (lens[s] != 0) {
            assert_int_equal(secret.len, lens[s]);
        }
        assert_int_equal(
            kms_wrap(master, key_id, 2, (unsigned char *)secret.data, secret.len, &wrapped), 0);
        // Base64 text, never the secret in clear.
        assert_int_equal(strlen(wrapped.data), wrapped.len);
        assert_int_equal(strspn(wrapped.data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                              "0123456789+/="),
                         wrapped.len);
        assert_int_equal(kms_unwrap(master, key_id, 2, wrapped.data, wrapped.len, &back), 0);
        assert_int_equal(back.len, secret.len);
        assert_memory_equal(back.data, secret.data, secret.len);
        assert_int_equal(kms_unwrap(master2, key_id, 2, wrapped.data, wrapped.len, &back),
                         KMS_EAUTH);
        assert_int_equal(kms_unwrap(master, other_id, 2, wrapped.data, wrapped.len, &back),
                         KMS_EAUTH);
        assert_int_equal(kms_unwrap(master, key_id, 3, wrapped.data, wrapped.len, &back),
                         KMS_EAUTH);
        assert_int_equal(kms_unwrap(master, key_id, 2, wrapped.data, wrapped.len - 1, &back),
                         KMS_EBADBLOB);
        assert_int_equal(kms_unwrap(master, key_id, 2, "AAAA", 4, &back), KMS_EBADBLOB);
        wrapped.data[10] = wrapped.data[10] == 'A' ? 'B' : 'A';
        assert_int_equal(kms_unwrap(master, key_id, 2, wrapped.data, wrapped.len, &back),
                         KMS_EAUTH);
        wrapped.data[10] = '*';
        assert_int_equal(kms_unwrap(master, key_id, 2, wrapped.data, wrapped.len, &back),
                         KMS_EBADBLOB);
        assert_int_equal(back.len, secret.len); // failures appended nothing
        kms_buf_wipe(&secret);
        kms_buf_wipe(&back);
        buf_free(&wrapped);
    }
}

// ---- asymmetric ----

// Verifies sig over msg independently of kms_crypto.c with the SubjectPublicKeyInfo spki.
static bool openssl_verify(const struct buf *spki, enum kms_sign_alg alg, const unsigned char *msg,
                           size_t len, const unsigned char *sig, size_t sig_len)
{
    const unsigned char *p = (const unsigned char *)spki->data;
    EVP_PKEY *pub = d2i_PUBKEY(NULL, &p, (long)spki->len);
    assert_non_null(pub);
    static const char *const mds[] = {"SHA256", "SHA384", "SHA512"};
    const char *md = mds[(alg - KMS_SIGN_RSASSA_PSS_SHA_256) % 3];
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    assert_int_equal(EVP_DigestVerifyInit_ex(m, &pctx, md, NULL, NULL, pub, NULL), 1);
    if (alg <= KMS_SIGN_RSASSA_PSS_SHA_512) {
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
    }
    bool ok = EVP_DigestVerify(m, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(m);
    EVP_PKEY_free(pub);
    return ok;
}

static void test_sign_verify(void **state)
{
    (void)state;
    const unsigned char msg[] = "sign me, please";
    for (int s = KMS_SPEC_RSA_2048; s < KMS_SPEC_COUNT; s++) {
        enum kms_key_spec spec = (enum kms_key_spec)s;
        struct buf priv = BUF_INIT, spki = BUF_INIT;
        assert_int_equal(kms_backing_new(spec, &priv), 0);
        assert_int_equal(kms_public_key_der((unsigned char *)priv.data, priv.len, &spki), 0);
        for (int a = 0; a < KMS_SIGN_COUNT; a++) {
            enum kms_sign_alg alg = (enum kms_sign_alg)a;
            struct buf sig = BUF_INIT;
            int rc = kms_sign(spec, (unsigned char *)priv.data, priv.len, alg, false, msg,
                              sizeof(msg), &sig);
            if (!kms_sign_alg_fits(spec, alg)) {
                assert_int_equal(rc, KMS_EALG);
                assert_int_equal(sig.len, 0);
                continue;
            }
            assert_int_equal(rc, 0);
            assert_true(
                openssl_verify(&spki, alg, msg, sizeof(msg), (unsigned char *)sig.data, sig.len));
            assert_int_equal(kms_verify(spec, (unsigned char *)priv.data, priv.len, alg, false, msg,
                                        sizeof(msg), (unsigned char *)sig.data, sig.len),
                             0);
            // The digest form verifies the same signature.
            unsigned char dg[64];
            unsigned int dg_len = 0;
            static const char *const mds[] = {"SHA256", "SHA384", "SHA512"};
            EVP_MD *md = EVP_MD_fetch(NULL, mds[a % 3], NULL);
            assert_int_equal(EVP_Digest(msg, sizeof(msg), dg, &dg_len, md, NULL), 1);
            EVP_MD_free(md);
            assert_int_equal(dg_len, kms_sign_alg_digest_len(alg));
            assert_int_equal(kms_verify(spec, (unsigned char *)priv.data, priv.len, alg, true, dg,
                                        dg_len, (unsigned char *)sig.data, sig.len),
                             0);
            assert_int_equal(kms_verify(spec, (unsigned char *)priv.data, priv.len, alg, true, dg,
                                        dg_len - 1, (unsigned char *)sig.data, sig.len),
                             KMS_EINVAL);
            // Another message, a flipped signature byte and a truncated signature fail.
            assert_int_equal(kms_verify(spec, (unsigned char *)priv.data, priv.len, alg, false, msg,
                                        sizeof(msg) - 1, (unsigned char *)sig.data, sig.len),
                             KMS_EBADSIG);
            sig.data[sig.len / 2] ^= 1;
            assert_int_equal(kms_verify(spec, (unsigned char *)priv.data, priv.len, alg, false, msg,
                                        sizeof(msg), (unsigned char *)sig.data, sig.len),
                             KMS_EBADSIG);
            assert_int_equal(kms_verify(spec, (unsigned char *)priv.data, priv.len, alg, false, msg,
                                        sizeof(msg), (unsigned char *)sig.data, 0),
                             KMS_EBADSIG);
            // A digest-form signature verifies as a raw-message signature.
            buf_reset(&sig);
            assert_int_equal(
                kms_sign(spec, (unsigned char *)priv.data, priv.len, alg, true, dg, dg_len, &sig),
                0);
            assert_true(
                openssl_verify(&spki, alg, msg, sizeof(msg), (unsigned char *)sig.data, sig.len));
            buf_free(&sig);
        }
        // A key of another spec is refused.
        enum kms_key_spec wrong =
            spec == KMS_SPEC_ECC_NIST_P256 ? KMS_SPEC_ECC_SECG_P256K1 : KMS_SPEC_ECC_NIST_P256;
        struct buf sig = BUF_INIT;
        assert_int_equal(kms_sign(wrong, (unsigned char *)priv.data, priv.len,
                                  KMS_SIGN_ECDSA_SHA_256, false, msg, sizeof(msg), &sig),
                         KMS_EINVAL);
        kms_buf_wipe(&priv);
        buf_free(&spki);
    }
}

static void test_rsa_encrypt(void **state)
{
    (void)state;
    struct buf priv = BUF_INIT, other = BUF_INIT;
    assert_int_equal(kms_backing_new(KMS_SPEC_RSA_2048, &priv), 0);
    assert_int_equal(kms_backing_new(KMS_SPEC_RSA_2048, &other), 0);
    unsigned char plain[214];
    kms_random(plain, sizeof(plain));
    for (int a = 0; a < KMS_RSA_ALG_COUNT; a++) {
        size_t max = kms_rsa_max_plaintext(KMS_SPEC_RSA_2048, a);
        struct buf ct = BUF_INIT, back = BUF_INIT;
        assert_int_equal(kms_rsa_encrypt(KMS_SPEC_RSA_2048, (unsigned char *)priv.data, priv.len, a,
                                         plain, max, &ct),
                         0);
        assert_int_equal(ct.len, 256);
        assert_int_equal(kms_rsa_decrypt(KMS_SPEC_RSA_2048, (unsigned char *)priv.data, priv.len, a,
                                         (unsigned char *)ct.data, ct.len, &back),
                         0);
        assert_int_equal(back.len, max);
        assert_memory_equal(back.data, plain, max);
        assert_int_equal(kms_rsa_decrypt(KMS_SPEC_RSA_2048, (unsigned char *)other.data, other.len,
                                         a, (unsigned char *)ct.data, ct.len, &back),
                         KMS_EAUTH);
        assert_int_equal(kms_rsa_decrypt(KMS_SPEC_RSA_2048, (unsigned char *)priv.data, priv.len,
                                         1 - a, (unsigned char *)ct.data, ct.len, &back),
                         KMS_EAUTH);
        assert_int_equal(kms_rsa_decrypt(KMS_SPEC_RSA_2048, (unsigned char *)priv.data, priv.len, a,
                                         (unsigned char *)ct.data, ct.len - 1, &back),
                         KMS_EAUTH);
        assert_int_equal(back.len, max);
        assert_int_equal(kms_rsa_encrypt(KMS_SPEC_RSA_2048, (unsigned char *)priv.data, priv.len, a,
                                         plain, max + 1, &ct),
                         KMS_ETOOLONG);
        assert_int_equal(kms_rsa_encrypt(KMS_SPEC_ECC_NIST_P256, (unsigned char *)priv.data,
                                         priv.len, a, plain, 1, &ct),
                         KMS_EALG);
        buf_free(&ct);
        kms_buf_wipe(&back);
    }
    kms_buf_wipe(&priv);
    kms_buf_wipe(&other);
}

static void test_keypair(void **state)
{
    (void)state;
    struct buf pub = BUF_INIT, priv = BUF_INIT, spki = BUF_INIT, sig = BUF_INIT;
    assert_int_equal(kms_keypair_new(KMS_SPEC_ECC_NIST_P384, &pub, &priv), 0);
    assert_int_equal(kms_public_key_der((unsigned char *)priv.data, priv.len, &spki), 0);
    assert_int_equal(spki.len, pub.len);
    assert_memory_equal(spki.data, pub.data, pub.len);
    const unsigned char msg[] = "m";
    assert_int_equal(kms_sign(KMS_SPEC_ECC_NIST_P384, (unsigned char *)priv.data, priv.len,
                              KMS_SIGN_ECDSA_SHA_384, false, msg, 1, &sig),
                     0);
    assert_true(
        openssl_verify(&pub, KMS_SIGN_ECDSA_SHA_384, msg, 1, (unsigned char *)sig.data, sig.len));
    assert_int_equal(kms_keypair_new(KMS_SPEC_HMAC_256, &pub, &priv), KMS_EINVAL);
    assert_int_equal(kms_public_key_der((const unsigned char *)"junk", 4, &spki), KMS_EINVAL);
    buf_free(&pub);
    buf_free(&spki);
    buf_free(&sig);
    kms_buf_wipe(&priv);
}

// ---- the master key file ----

static void test_master_key(void **state)
{
    (void)state;
    char dir[] = "/tmp/sagebox-kms-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    int n = snprintf(path, sizeof(path), "%s/kms-master.key", dir);
    assert_true(n > 0 && (size_t)n < sizeof(path));
    unsigned char k1[32], k2[32], zero[32] = {0};
    char err[256] = "";
    assert_int_equal(kms_master_load(dir, k1, err, sizeof(err)), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 32);
    assert_memory_not_equal(k1, zero, 32);
    assert_int_equal(kms_master_load(dir, k2, err, sizeof(err)), 0);
    assert_memory_equal(k1, k2, 32);
    // Looser permissions are refused, and the key is not returned.
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(kms_master_load(dir, k2, err, sizeof(err)), KMS_EIO);
    assert_non_null(strstr(err, "chmod 600"));
    assert_memory_equal(k2, zero, 32);
    assert_int_equal(chmod(path, 0600), 0);
    // A file of another size is refused.
    assert_int_equal(truncate(path, 31), 0);
    assert_int_equal(kms_master_load(dir, k2, err, sizeof(err)), KMS_EIO);
    assert_non_null(strstr(err, "32 bytes"));
    assert_int_equal(truncate(path, 33), 0);
    assert_int_equal(kms_master_load(dir, k2, err, sizeof(err)), KMS_EIO);
    assert_int_equal(unlink(path), 0);
    // A directory in its place is refused; a missing data directory fails cleanly.
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(kms_master_load(dir, k2, err, sizeof(err)), KMS_EIO);
    assert_int_equal(rmdir(path), 0);
    assert_int_equal(kms_master_load("/nonexistent/sagebox", k2, err, sizeof(err)), KMS_EIO);
    assert_true(strlen(err) > 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gcm_known_answers),
        cmocka_unit_test(test_hmac_known_answers),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_blob_round_trip),
        cmocka_unit_test(test_blob_layout_interop),
        cmocka_unit_test(test_blob_tamper),
        cmocka_unit_test(test_context_canonical),
        cmocka_unit_test(test_wrap_unwrap),
        cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_rsa_encrypt),
        cmocka_unit_test(test_keypair),
        cmocka_unit_test(test_master_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
