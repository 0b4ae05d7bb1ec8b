// SPDX-License-Identifier: Apache-2.0
// The cryptographic core of KMS (see kms_crypto.h for the contracts and the blob layout,
// docs/kms.md for the key hierarchy). Implements AES-256-GCM (NIST SP 800-38D), HMAC (RFC 2104
// with SHA-2), RSASSA-PSS / RSASSA-PKCS1-v1_5 / RSAES-OAEP (RFC 8017) and ECDSA (FIPS 186-4)
// through OpenSSL 3's EVP interfaces only.
#include "svc/kms/kms_crypto.h"

#include "core/ids.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// ---- names ----

static const char *const spec_names[KMS_SPEC_COUNT] = {
    [KMS_SPEC_SYMMETRIC_DEFAULT] = "SYMMETRIC_DEFAULT",
    [KMS_SPEC_HMAC_224] = "HMAC_224",
    [KMS_SPEC_HMAC_256] = "HMAC_256",
    [KMS_SPEC_HMAC_384] = "HMAC_384",
    [KMS_SPEC_HMAC_512] = "HMAC_512",
    [KMS_SPEC_RSA_2048] = "RSA_2048",
    [KMS_SPEC_RSA_3072] = "RSA_3072",
    [KMS_SPEC_RSA_4096] = "RSA_4096",
    [KMS_SPEC_ECC_NIST_P256] = "ECC_NIST_P256",
    [KMS_SPEC_ECC_NIST_P384] = "ECC_NIST_P384",
    [KMS_SPEC_ECC_NIST_P521] = "ECC_NIST_P521",
    [KMS_SPEC_ECC_SECG_P256K1] = "ECC_SECG_P256K1",
};

static const char *const mac_names[KMS_MAC_COUNT] = {
    [KMS_MAC_HMAC_SHA_224] = "HMAC_SHA_224",
    [KMS_MAC_HMAC_SHA_256] = "HMAC_SHA_256",
    [KMS_MAC_HMAC_SHA_384] = "HMAC_SHA_384",
    [KMS_MAC_HMAC_SHA_512] = "HMAC_SHA_512",
};

static const char *const sign_names[KMS_SIGN_COUNT] = {
    [KMS_SIGN_RSASSA_PSS_SHA_256] = "RSASSA_PSS_SHA_256",
    [KMS_SIGN_RSASSA_PSS_SHA_384] = "RSASSA_PSS_SHA_384",
    [KMS_SIGN_RSASSA_PSS_SHA_512] = "RSASSA_PSS_SHA_512",
    [KMS_SIGN_RSASSA_PKCS1_V1_5_SHA_256] = "RSASSA_PKCS1_V1_5_SHA_256",
    [KMS_SIGN_RSASSA_PKCS1_V1_5_SHA_384] = "RSASSA_PKCS1_V1_5_SHA_384",
    [KMS_SIGN_RSASSA_PKCS1_V1_5_SHA_512] = "RSASSA_PKCS1_V1_5_SHA_512",
    [KMS_SIGN_ECDSA_SHA_256] = "ECDSA_SHA_256",
    [KMS_SIGN_ECDSA_SHA_384] = "ECDSA_SHA_384",
    [KMS_SIGN_ECDSA_SHA_512] = "ECDSA_SHA_512",
};

static const char *const rsa_names[KMS_RSA_ALG_COUNT] = {
    [KMS_RSA_OAEP_SHA_1] = "RSAES_OAEP_SHA_1",
    [KMS_RSA_OAEP_SHA_256] = "RSAES_OAEP_SHA_256",
};

// Index of name in names[0..n), or -1.
static int name_index(const char *const *names, int n, const char *name)
{
    if (name == NULL) {
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

// Returns the KeySpec enum value of name, or -1.
int kms_spec_from_name(const char *name)
{
    return name_index(spec_names, KMS_SPEC_COUNT, name);
}

// Returns the MacAlgorithm enum value of name, or -1.
int kms_mac_alg_from_name(const char *name)
{
    return name_index(mac_names, KMS_MAC_COUNT, name);
}

// Returns the SigningAlgorithm enum value of name, or -1.
int kms_sign_alg_from_name(const char *name)
{
    return name_index(sign_names, KMS_SIGN_COUNT, name);
}

// Returns the RSA EncryptionAlgorithm enum value of name, or -1.
int kms_rsa_alg_from_name(const char *name)
{
    return name_index(rsa_names, KMS_RSA_ALG_COUNT, name);
}

// Returns the AWS name of a KeySpec, or NULL when out of range.
const char *kms_spec_name(enum kms_key_spec spec)
{
    return (unsigned)spec < KMS_SPEC_COUNT ? spec_names[spec] : NULL;
}

// Returns the AWS name of a MacAlgorithm, or NULL when out of range.
const char *kms_mac_alg_name(enum kms_mac_alg alg)
{
    return (unsigned)alg < KMS_MAC_COUNT ? mac_names[alg] : NULL;
}

// Returns the AWS name of a SigningAlgorithm, or NULL when out of range.
const char *kms_sign_alg_name(enum kms_sign_alg alg)
{
    return (unsigned)alg < KMS_SIGN_COUNT ? sign_names[alg] : NULL;
}

// Returns the AWS name of an RSA EncryptionAlgorithm, or NULL when out of range.
const char *kms_rsa_alg_name(enum kms_rsa_alg alg)
{
    return (unsigned)alg < KMS_RSA_ALG_COUNT ? rsa_names[alg] : NULL;
}

// True for HMAC_224..HMAC_512.
bool kms_spec_is_hmac(enum kms_key_spec spec)
{
    return spec >= KMS_SPEC_HMAC_224 && spec <= KMS_SPEC_HMAC_512;
}

// True for RSA_2048..RSA_4096.
bool kms_spec_is_rsa(enum kms_key_spec spec)
{
    return spec >= KMS_SPEC_RSA_2048 && spec <= KMS_SPEC_RSA_4096;
}

// True for the four elliptic-curve specs.
bool kms_spec_is_ecc(enum kms_key_spec spec)
{
    return spec >= KMS_SPEC_ECC_NIST_P256 && spec <= KMS_SPEC_ECC_SECG_P256K1;
}

// Whether CreateKey accepts KeyUsage usage with spec (see the header).
bool kms_spec_allows_usage(enum kms_key_spec spec, const char *usage)
{
    if (usage == NULL || (unsigned)spec >= KMS_SPEC_COUNT) {
        return false;
    }
    if (spec == KMS_SPEC_SYMMETRIC_DEFAULT) {
        return strcmp(usage, "ENCRYPT_DECRYPT") == 0;
    }
    if (kms_spec_is_hmac(spec)) {
        return strcmp(usage, "GENERATE_VERIFY_MAC") == 0;
    }
    if (kms_spec_is_rsa(spec)) {
        return strcmp(usage, "ENCRYPT_DECRYPT") == 0 || strcmp(usage, "SIGN_VERIFY") == 0;
    }
    return strcmp(usage, "SIGN_VERIFY") == 0;
}

static const char *const no_algs[] = {NULL};
static const char *const sym_enc_algs[] = {"SYMMETRIC_DEFAULT", NULL};
static const char *const rsa_enc_algs[] = {"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", NULL};
static const char *const rsa_sign_algs[] = {"RSASSA_PKCS1_V1_5_SHA_256",
                                            "RSASSA_PKCS1_V1_5_SHA_384",
                                            "RSASSA_PKCS1_V1_5_SHA_512",
                                            "RSASSA_PSS_SHA_256",
                                            "RSASSA_PSS_SHA_384",
                                            "RSASSA_PSS_SHA_512",
                                            NULL};
static const char *const ecdsa256_algs[] = {"ECDSA_SHA_256", NULL};
static const char *const ecdsa384_algs[] = {"ECDSA_SHA_384", NULL};
static const char *const ecdsa512_algs[] = {"ECDSA_SHA_512", NULL};
static const char *const hmac224_algs[] = {"HMAC_SHA_224", NULL};
static const char *const hmac256_algs[] = {"HMAC_SHA_256", NULL};
static const char *const hmac384_algs[] = {"HMAC_SHA_384", NULL};
static const char *const hmac512_algs[] = {"HMAC_SHA_512", NULL};

// EncryptionAlgorithms of DescribeKey for (spec, usage); empty when the key does not encrypt.
const char *const *kms_spec_encryption_algs(enum kms_key_spec spec, const char *usage)
{
    if (usage == NULL || strcmp(usage, "ENCRYPT_DECRYPT") != 0) {
        return no_algs;
    }
    if (spec == KMS_SPEC_SYMMETRIC_DEFAULT) {
        return sym_enc_algs;
    }
    if (kms_spec_is_rsa(spec)) {
        return rsa_enc_algs;
    }
    return no_algs;
}

// SigningAlgorithms of DescribeKey for a SIGN_VERIFY key of spec; empty for other specs.
const char *const *kms_spec_signing_algs(enum kms_key_spec spec)
{
    switch (spec) {
    case KMS_SPEC_RSA_2048:
    case KMS_SPEC_RSA_3072:
    case KMS_SPEC_RSA_4096:
        return rsa_sign_algs;
    case KMS_SPEC_ECC_NIST_P256:
    case KMS_SPEC_ECC_SECG_P256K1:
        return ecdsa256_algs;
    case KMS_SPEC_ECC_NIST_P384:
        return ecdsa384_algs;
    case KMS_SPEC_ECC_NIST_P521:
        return ecdsa512_algs;
    default:
        return no_algs;
    }
}

// MacAlgorithms of DescribeKey for an HMAC key of spec; empty for other specs.
const char *const *kms_spec_mac_algs(enum kms_key_spec spec)
{
    switch (spec) {
    case KMS_SPEC_HMAC_224:
        return hmac224_algs;
    case KMS_SPEC_HMAC_256:
        return hmac256_algs;
    case KMS_SPEC_HMAC_384:
        return hmac384_algs;
    case KMS_SPEC_HMAC_512:
        return hmac512_algs;
    default:
        return no_algs;
    }
}

// Whether alg is one of kms_spec_signing_algs(spec).
bool kms_sign_alg_fits(enum kms_key_spec spec, enum kms_sign_alg alg)
{
    const char *name = kms_sign_alg_name(alg);
    if (name == NULL) {
        return false;
    }
    for (const char *const *p = kms_spec_signing_algs(spec); *p != NULL; p++) {
        if (strcmp(*p, name) == 0) {
            return true;
        }
    }
    return false;
}

// Whether alg is the one MAC algorithm of the HMAC spec.
bool kms_mac_alg_fits(enum kms_key_spec spec, enum kms_mac_alg alg)
{
    return kms_spec_is_hmac(spec) && (unsigned)alg < KMS_MAC_COUNT &&
           (int)alg == (int)spec - (int)KMS_SPEC_HMAC_224;
}

// The OpenSSL digest name of a signing algorithm, or NULL when out of range.
static const char *sign_digest(enum kms_sign_alg alg)
{
    switch (alg) {
    case KMS_SIGN_RSASSA_PSS_SHA_256:
    case KMS_SIGN_RSASSA_PKCS1_V1_5_SHA_256:
    case KMS_SIGN_ECDSA_SHA_256:
        return "SHA256";
    case KMS_SIGN_RSASSA_PSS_SHA_384:
    case KMS_SIGN_RSASSA_PKCS1_V1_5_SHA_384:
    case KMS_SIGN_ECDSA_SHA_384:
        return "SHA384";
    case KMS_SIGN_RSASSA_PSS_SHA_512:
    case KMS_SIGN_RSASSA_PKCS1_V1_5_SHA_512:
    case KMS_SIGN_ECDSA_SHA_512:
        return "SHA512";
    default:
        return NULL;
    }
}

// The digest length of a signing algorithm (0 when out of range).
size_t kms_sign_alg_digest_len(enum kms_sign_alg alg)
{
    const char *d = sign_digest(alg);
    if (d == NULL) {
        return 0;
    }
    return strcmp(d, "SHA256") == 0 ? 32 : strcmp(d, "SHA384") == 0 ? 48 : 64;
}

// Modulus length in bytes of an RSA spec, or 0.
static size_t rsa_modulus_len(enum kms_key_spec spec)
{
    switch (spec) {
    case KMS_SPEC_RSA_2048:
        return 256;
    case KMS_SPEC_RSA_3072:
        return 384;
    case KMS_SPEC_RSA_4096:
        return 512;
    default:
        return 0;
    }
}

// The largest OAEP plaintext for (spec, alg): k - 2*hLen - 2.
size_t kms_rsa_max_plaintext(enum kms_key_spec spec, enum kms_rsa_alg alg)
{
    size_t k = rsa_modulus_len(spec);
    if (k == 0 || (unsigned)alg >= KMS_RSA_ALG_COUNT) {
        return 0;
    }
    size_t h = alg == KMS_RSA_OAEP_SHA_1 ? 20 : 32;
    return k - 2 * h - 2;
}

// ---- secrets ----

// Cleanses and frees b (see the header).
void kms_buf_wipe(struct buf *b)
{
    if (b == NULL) {
        return;
    }
    if (b->data != NULL && b->cap > 0) {
        explicit_bzero(b->data, b->cap); // a plain memset the compiler may not drop
    }
    buf_free(b);
}

// Fills out[0..len) from getrandom.
void kms_random(unsigned char *out, size_t len)
{
    ids_random_bytes(out, len);
}

// Writes msg into err[0..cap) (truncated, NUL-terminated) without a format string.
static void set_err(char *err, size_t cap, const char *a, const char *b)
{
    if (err == NULL || cap == 0) {
        return;
    }
    size_t n = 0;
    for (const char *s = a; s != NULL && *s != '\0' && n + 1 < cap; s++) {
        err[n++] = *s;
    }
    for (const char *s = b; s != NULL && *s != '\0' && n + 1 < cap; s++) {
        err[n++] = *s;
    }
    err[n] = '\0';
}

// Reads exactly 32 bytes from the open file fd after checking its type, mode and size.
static int read_master(int fd, const char *path, unsigned char key[KMS_MASTER_KEY_LEN], char *err,
                       size_t cap)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        set_err(err, cap, "cannot stat ", path);
        return KMS_EIO;
    }
    if (!S_ISREG(st.st_mode)) {
        set_err(err, cap, "not a regular file: ", path);
        return KMS_EIO;
    }
    if ((st.st_mode & 077) != 0) {
        set_err(err, cap,
                "refusing a KMS master key readable or writable by group or others "
                "(chmod 600): ",
                path);
        return KMS_EIO;
    }
    if (st.st_size != KMS_MASTER_KEY_LEN) {
        set_err(err, cap, "a KMS master key file must hold exactly 32 bytes: ", path);
        return KMS_EIO;
    }
    size_t got = 0;
    while (got < KMS_MASTER_KEY_LEN) {
        ssize_t n = read(fd, key + got, KMS_MASTER_KEY_LEN - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            set_err(err, cap, "cannot read ", path);
            return KMS_EIO;
        }
        got += (size_t)n;
    }
    return 0;
}

// Writes a new random master key to path (exclusive create, mode 0600) and fsyncs it and
// data_dir. Returns 0, 1 when the file appeared meanwhile (EEXIST), or KMS_EIO.
static int create_master(const char *data_dir, const char *path,
                         unsigned char key[KMS_MASTER_KEY_LEN], char *err, size_t cap)
{
    int rc = KMS_EIO;
    int dfd = -1;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            rc = 1;
        } else {
            set_err(err, cap, "cannot create ", path);
        }
        goto out;
    }
    ids_random_bytes(key, KMS_MASTER_KEY_LEN);
    size_t put = 0;
    while (put < KMS_MASTER_KEY_LEN) {
        ssize_t n = write(fd, key + put, KMS_MASTER_KEY_LEN - put);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            set_err(err, cap, "cannot write ", path);
            goto out_unlink;
        }
        put += (size_t)n;
    }
    if (fsync(fd) != 0) {
        set_err(err, cap, "cannot fsync ", path);
        goto out_unlink;
    }
    dfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) {
        set_err(err, cap, "cannot fsync the data directory ", data_dir);
        goto out_unlink;
    }
    rc = 0;
    goto out;
out_unlink:
    unlink(path);
out:
    if (fd >= 0) {
        close(fd);
    }
    if (dfd >= 0) {
        close(dfd);
    }
    return rc;
}

// Loads or creates DATA_DIR/kms-master.key (see the header).
int kms_master_load(const char *data_dir, unsigned char key[KMS_MASTER_KEY_LEN], char *err,
                    size_t cap)
{
    int rc = KMS_EIO;
    int fd = -1;
    struct buf path = BUF_INIT;
    if (data_dir == NULL || key == NULL) {
        set_err(err, cap, "no data directory", NULL);
        goto out;
    }
    buf_puts(&path, data_dir);
    buf_puts(&path, "/" KMS_MASTER_FILE);
    for (int attempt = 0; attempt < 2; attempt++) {
        fd = open(buf_cstr(&path), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0) {
            rc = read_master(fd, buf_cstr(&path), key, err, cap);
            goto out;
        }
        if (errno != ENOENT) {
            set_err(err, cap, "cannot open ", buf_cstr(&path));
            goto out;
        }
        rc = create_master(data_dir, buf_cstr(&path), key, err, cap);
        if (rc <= 0) {
            goto out;
        }
        rc = KMS_EIO; // lost a creation race: read the winner's file
    }
    set_err(err, cap, "cannot create or open ", buf_cstr(&path));
out:
    if (fd >= 0) {
        close(fd);
    }
    if (rc != 0 && key != NULL) {
        OPENSSL_cleanse(key, KMS_MASTER_KEY_LEN);
    }
    buf_free(&path);
    return rc;
}

// ---- AES-256-GCM ----

// AES-256-GCM contexts, one pair a thread: fetching the cipher and creating a context cost
// more than sealing 4 KB, so the cipher is fetched once per process and each thread keeps an
// encrypting and a decrypting context initialized with it; an operation only sets its key and
// IV. The thread-exit destructor frees them.
static pthread_once_t gcm_once = PTHREAD_ONCE_INIT;
static pthread_key_t gcm_tls;
static EVP_CIPHER *gcm_cipher;

struct gcm_ctxs {
    EVP_CIPHER_CTX *ctx[2]; // [0] decrypts, [1] encrypts
};

static void gcm_ctxs_free(void *p)
{
    struct gcm_ctxs *g = p;
    if (g != NULL) {
        EVP_CIPHER_CTX_free(g->ctx[0]);
        EVP_CIPHER_CTX_free(g->ctx[1]);
        free(g);
    }
}

static void gcm_init_once(void)
{
    gcm_cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    if (pthread_key_create(&gcm_tls, gcm_ctxs_free) != 0) {
        EVP_CIPHER_free(gcm_cipher);
        gcm_cipher = NULL;
    }
}

// This thread's context for enc, initialized with the cipher (NULL when OpenSSL fails).
static EVP_CIPHER_CTX *gcm_ctx(bool enc)
{
    pthread_once(&gcm_once, gcm_init_once);
    if (gcm_cipher == NULL) {
        return NULL;
    }
    struct gcm_ctxs *g = pthread_getspecific(gcm_tls);
    if (g == NULL) {
        g = calloc(1, sizeof(*g));
        if (g == NULL || pthread_setspecific(gcm_tls, g) != 0) {
            free(g);
            return NULL;
        }
    }
    EVP_CIPHER_CTX **slot = &g->ctx[enc ? 1 : 0];
    if (*slot == NULL) {
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        // GCM's default IV length is 12 bytes, the blob's (KMS_BLOB_IV_LEN).
        if (ctx == NULL ||
            EVP_CipherInit_ex2(ctx, gcm_cipher, NULL, NULL, enc ? 1 : 0, NULL) != 1 ||
            EVP_CIPHER_CTX_get_iv_length(ctx) != KMS_BLOB_IV_LEN) {
            EVP_CIPHER_CTX_free(ctx);
            return NULL;
        }
        *slot = ctx;
    }
    return *slot;
}

// One AES-256-GCM operation: encrypts (enc) or decrypts in[0..len) into out (len bytes) with
// key, iv (12 bytes) and aad parts a1, a2; writes or checks tag (16 bytes). Returns 0,
// KMS_EAUTH (tag mismatch on decrypt) or KMS_ECRYPTO.
static int gcm(bool enc, const unsigned char key[32], const unsigned char *iv,
               const unsigned char *a1, size_t a1_len, const unsigned char *a2, size_t a2_len,
               const unsigned char *in, size_t len, unsigned char *out, unsigned char *tag)
{
    int n = 0;
    EVP_CIPHER_CTX *ctx = gcm_ctx(enc);
    if (ctx == NULL || len > INT32_MAX || a1_len > INT32_MAX || a2_len > INT32_MAX) {
        return KMS_ECRYPTO;
    }
    // A new key and IV on the thread's context: the cipher stays, the state is reset.
    if (EVP_CipherInit_ex2(ctx, NULL, key, iv, enc ? 1 : 0, NULL) != 1) {
        return KMS_ECRYPTO;
    }
    if (a1_len > 0 && EVP_CipherUpdate(ctx, NULL, &n, a1, (int)a1_len) != 1) {
        return KMS_ECRYPTO;
    }
    if (a2_len > 0 && EVP_CipherUpdate(ctx, NULL, &n, a2, (int)a2_len) != 1) {
        return KMS_ECRYPTO;
    }
    if (len > 0 && EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1) {
        return KMS_ECRYPTO;
    }
    if (!enc) {
        if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, KMS_BLOB_TAG_LEN, tag) != 1) {
            return KMS_ECRYPTO;
        }
        return EVP_CipherFinal_ex(ctx, out + len, &n) == 1 ? 0 : KMS_EAUTH;
    }
    if (EVP_CipherFinal_ex(ctx, out + len, &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, KMS_BLOB_TAG_LEN, tag) != 1) {
        return KMS_ECRYPTO;
    }
    return 0;
}

// Seals with AES-256-GCM (see the header).
int kms_gcm_seal(const unsigned char key[KMS_SYMMETRIC_KEY_LEN],
                 const unsigned char iv[KMS_BLOB_IV_LEN], const unsigned char *aad, size_t aad_len,
                 const unsigned char *plain, size_t len, unsigned char *ct,
                 unsigned char tag[KMS_BLOB_TAG_LEN])
{
    if (key == NULL || iv == NULL || tag == NULL || (aad == NULL && aad_len > 0) ||
        ((plain == NULL || ct == NULL) && len > 0)) {
        return KMS_EINVAL;
    }
    unsigned char dummy[1];
    return gcm(true, key, iv, aad, aad_len, NULL, 0, plain, len, len > 0 ? ct : dummy, tag);
}

// Opens an AES-256-GCM ciphertext (see the header).
int kms_gcm_open(const unsigned char key[KMS_SYMMETRIC_KEY_LEN],
                 const unsigned char iv[KMS_BLOB_IV_LEN], const unsigned char *aad, size_t aad_len,
                 const unsigned char *ct, size_t len, const unsigned char tag[KMS_BLOB_TAG_LEN],
                 unsigned char *plain)
{
    if (key == NULL || iv == NULL || tag == NULL || (aad == NULL && aad_len > 0) ||
        ((plain == NULL || ct == NULL) && len > 0)) {
        return KMS_EINVAL;
    }
    unsigned char dummy[1];
    unsigned char t[KMS_BLOB_TAG_LEN];
    memcpy(t, tag, sizeof(t));
    int rc = gcm(false, key, iv, aad, aad_len, NULL, 0, ct, len, len > 0 ? plain : dummy, t);
    if (rc != 0 && len > 0) {
        OPENSSL_cleanse(plain, len);
    }
    return rc;
}

// Appends v as a 4-byte big-endian integer.
static void put_u32(struct buf *b, uint32_t v)
{
    char c[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};
    buf_append(b, c, 4);
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

// Whether s[0..36) is a lower-case UUID ("8-4-4-4-12" hex digits).
static bool uuid_ok(const unsigned char *s)
{
    for (size_t i = 0; i < KMS_KEY_ID_LEN; i++) {
        unsigned char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') {
                return false;
            }
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

// ---- wrapping ----

static const char wrap_label[] = "sagebox-kms-wrap-v1";

// The AAD of a wrapped key: label, NUL, key id, NUL, version.
static void wrap_aad(const char *key_id, uint32_t version, struct buf *aad)
{
    buf_append(aad, wrap_label, sizeof(wrap_label)); // with its NUL
    buf_puts(aad, key_id);
    buf_putc(aad, '\0');
    put_u32(aad, version);
}

// Wraps a secret under the master key (see the header).
int kms_wrap(const unsigned char master[KMS_MASTER_KEY_LEN], const char *key_id, uint32_t version,
             const unsigned char *secret, size_t len, struct buf *out_b64)
{
    int rc = KMS_EINVAL;
    struct buf aad = BUF_INIT;
    unsigned char *raw = NULL;
    char *text = NULL;
    size_t raw_len = KMS_BLOB_IV_LEN + len + KMS_BLOB_TAG_LEN;
    if (master == NULL || key_id == NULL || version == 0 || secret == NULL || len == 0 ||
        len > 65536) {
        goto out;
    }
    wrap_aad(key_id, version, &aad);
    raw = OPENSSL_malloc(raw_len);
    text = OPENSSL_malloc(4 * ((raw_len + 2) / 3) + 1);
    if (raw == NULL || text == NULL) {
        rc = KMS_ECRYPTO;
        goto out;
    }
    ids_random_bytes(raw, KMS_BLOB_IV_LEN);
    rc = gcm(true, master, raw, (const unsigned char *)aad.data, aad.len, NULL, 0, secret, len,
             raw + KMS_BLOB_IV_LEN, raw + KMS_BLOB_IV_LEN + len);
    if (rc != 0) {
        goto out;
    }
    int n = EVP_EncodeBlock((unsigned char *)text, raw, (int)raw_len);
    buf_append(out_b64, text, (size_t)n);
out:
    OPENSSL_free(raw);
    OPENSSL_free(text);
    buf_free(&aad);
    return rc;
}

// Value of a base64 character, or -1.
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

// Strictly decodes padded base64 s[0..len) into out (room for len/4*3 bytes); *out_len gets the
// length. Returns false for a length not a multiple of 4, a bad character, misplaced padding or
// non-zero trailing bits.
static bool b64_decode(const char *s, size_t len, unsigned char *out, size_t *out_len)
{
    size_t o = 0;
    if (len % 4 != 0) {
        return false;
    }
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int j = 0; j < 4; j++) {
            unsigned char c = (unsigned char)s[i + (size_t)j];
            if (c == '=' && i + 4 == len && j >= 2) {
                v[j] = 0;
                pad++;
                continue;
            }
            if (pad > 0) {
                return false;
            }
            v[j] = b64_value(c);
            if (v[j] < 0) {
                return false;
            }
        }
        if (pad == 1 && v[3] != 0) {
            return false;
        }
        if (pad == 2 && (s[i + 2] != '=' || (v[1] & 0x0f) != 0)) {
            return false;
        }
        if (pad == 1 && (v[2] & 0x03) != 0) {
            return false;
        }
        uint32_t w =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        out[o++] = (unsigned char)(w >> 16);
        if (pad < 2) {
            out[o++] = (unsigned char)(w >> 8);
        }
        if (pad < 1) {
            out[o++] = (unsigned char)w;
        }
    }
    *out_len = o;
    return true;
}

// Unwraps a secret (see the header).
int kms_unwrap(const unsigned char master[KMS_MASTER_KEY_LEN], const char *key_id, uint32_t version,
               const char *b64, size_t b64_len, struct buf *secret_out)
{
    int rc = KMS_EINVAL;
    struct buf aad = BUF_INIT;
    unsigned char *raw = NULL;
    unsigned char *plain = NULL;
    size_t raw_len = 0;
    size_t len = 0;
    if (master == NULL || key_id == NULL || version == 0 || b64 == NULL) {
        goto out;
    }
    rc = KMS_EBADBLOB;
    raw = OPENSSL_malloc(b64_len / 4 * 3 + 1);
    if (raw == NULL) {
        rc = KMS_ECRYPTO;
        goto out;
    }
    if (!b64_decode(b64, b64_len, raw, &raw_len) || raw_len <= KMS_BLOB_IV_LEN + KMS_BLOB_TAG_LEN) {
        goto out;
    }
    len = raw_len - KMS_BLOB_IV_LEN - KMS_BLOB_TAG_LEN;
    plain = OPENSSL_malloc(len + 16);
    if (plain == NULL) {
        rc = KMS_ECRYPTO;
        goto out;
    }
    wrap_aad(key_id, version, &aad);
    rc = gcm(false, master, raw, (const unsigned char *)aad.data, aad.len, NULL, 0,
             raw + KMS_BLOB_IV_LEN, len, plain, raw + KMS_BLOB_IV_LEN + len);
    if (rc == 0) {
        buf_append(secret_out, (const char *)plain, len);
    }
out:
    if (plain != NULL) {
        OPENSSL_clear_free(plain, len + 16);
    }
    OPENSSL_free(raw);
    buf_free(&aad);
    return rc;
}

// ---- encryption context ----

// qsort comparator: byte-wise order of NUL-terminated keys (jansson keys hold no NUL).
static int key_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a;
    const char *y = *(const char *const *)b;
    return strcmp(x, y); // strcmp compares as unsigned char, which is byte-wise order
}

// Canonical AAD of an encryption context (see the header).
int kms_context_aad(const json_t *ctx, struct buf *out)
{
    int rc = KMS_EINVAL;
    const char **keys = NULL;
    if (ctx == NULL) {
        put_u32(out, 0);
        return 0;
    }
    if (!json_is_object(ctx)) {
        goto out;
    }
    size_t n = json_object_size(ctx);
    keys = calloc(n + 1, sizeof(*keys));
    if (keys == NULL) {
        abort();
    }
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)ctx, k, v)
    {
        if (!json_is_string(v)) {
            goto out;
        }
        keys[i++] = k;
    }
    qsort(keys, n, sizeof(*keys), key_cmp);
    put_u32(out, (uint32_t)n);
    for (i = 0; i < n; i++) {
        json_t *val = json_object_get(ctx, keys[i]);
        size_t kl = strlen(keys[i]);
        put_u32(out, (uint32_t)kl);
        buf_append(out, keys[i], kl);
        put_u32(out, (uint32_t)json_string_length(val));
        buf_append(out, json_string_value(val), json_string_length(val));
    }
    rc = 0;
out:
    free(keys);
    return rc;
}

// ---- the ciphertext blob ----

// Parses a blob strictly (see the header).
int kms_blob_parse(const unsigned char *blob, size_t len, struct kms_blob *out)
{
    if (blob == NULL || out == NULL || len < KMS_BLOB_MIN_LEN || len > KMS_BLOB_MAX_LEN) {
        return KMS_EBADBLOB;
    }
    if (blob[0] != KMS_BLOB_FORMAT || !uuid_ok(blob + 1)) {
        return KMS_EBADBLOB;
    }
    uint32_t version = get_u32(blob + 1 + KMS_KEY_ID_LEN);
    if (version == 0) {
        return KMS_EBADBLOB;
    }
    out->format = blob[0];
    memcpy(out->key_id, blob + 1, KMS_KEY_ID_LEN);
    out->key_id[KMS_KEY_ID_LEN] = '\0';
    out->version = version;
    out->header = blob;
    out->iv = blob + KMS_BLOB_HEADER_LEN;
    out->ct = out->iv + KMS_BLOB_IV_LEN;
    out->ct_len = len - KMS_BLOB_MIN_LEN;
    out->tag = out->ct + out->ct_len;
    return 0;
}

// Encrypts into a new blob (see the header).
int kms_encrypt(const unsigned char *backing, size_t backing_len, const char *key_id,
                uint32_t version, const unsigned char *aad, size_t aad_len,
                const unsigned char *plain, size_t len, struct buf *blob_out)
{
    int rc = KMS_EINVAL;
    unsigned char *blob = NULL;
    size_t blob_len = KMS_BLOB_MIN_LEN + len;
    if (backing == NULL || backing_len != KMS_SYMMETRIC_KEY_LEN || key_id == NULL ||
        strlen(key_id) != KMS_KEY_ID_LEN || !uuid_ok((const unsigned char *)key_id) ||
        version == 0 || len > KMS_MAX_PLAINTEXT || (plain == NULL && len > 0) ||
        (aad == NULL && aad_len > 0)) {
        goto out;
    }
    blob = OPENSSL_malloc(blob_len);
    if (blob == NULL) {
        rc = KMS_ECRYPTO;
        goto out;
    }
    blob[0] = KMS_BLOB_FORMAT;
    memcpy(blob + 1, key_id, KMS_KEY_ID_LEN);
    blob[37] = (unsigned char)(version >> 24);
    blob[38] = (unsigned char)(version >> 16);
    blob[39] = (unsigned char)(version >> 8);
    blob[40] = (unsigned char)version;
    unsigned char *iv = blob + KMS_BLOB_HEADER_LEN;
    ids_random_bytes(iv, KMS_BLOB_IV_LEN);
    unsigned char *ct = iv + KMS_BLOB_IV_LEN;
    rc = gcm(true, backing, iv, blob, KMS_BLOB_HEADER_LEN, aad, aad_len, plain, len, ct, ct + len);
    if (rc == 0) {
        buf_append(blob_out, (const char *)blob, blob_len);
    }
out:
    OPENSSL_free(blob);
    return rc;
}

// Decrypts a parsed blob (see the header).
int kms_decrypt(const unsigned char *backing, size_t backing_len, const struct kms_blob *blob,
                const unsigned char *aad, size_t aad_len, struct buf *plain_out)
{
    int rc = KMS_EINVAL;
    unsigned char *plain = NULL;
    size_t cap = 0;
    if (backing == NULL || backing_len != KMS_SYMMETRIC_KEY_LEN || blob == NULL ||
        (aad == NULL && aad_len > 0)) {
        goto out;
    }
    cap = blob->ct_len + 16;
    plain = OPENSSL_malloc(cap);
    if (plain == NULL) {
        rc = KMS_ECRYPTO;
        goto out;
    }
    rc = gcm(false, backing, blob->iv, blob->header, KMS_BLOB_HEADER_LEN, aad, aad_len, blob->ct,
             blob->ct_len, plain, (unsigned char *)blob->tag);
    if (rc == 0) {
        buf_append(plain_out, (const char *)plain, blob->ct_len);
    }
out:
    if (plain != NULL) {
        OPENSSL_clear_free(plain, cap);
    }
    return rc;
}

// ---- HMAC ----

static const char *const mac_digests[KMS_MAC_COUNT] = {"SHA224", "SHA256", "SHA384", "SHA512"};

// HMAC key length of an HMAC spec (bits / 8), or 0.
static size_t hmac_key_len(enum kms_key_spec spec)
{
    switch (spec) {
    case KMS_SPEC_HMAC_224:
        return 28;
    case KMS_SPEC_HMAC_256:
        return 32;
    case KMS_SPEC_HMAC_384:
        return 48;
    case KMS_SPEC_HMAC_512:
        return 64;
    default:
        return 0;
    }
}

// Computes an HMAC (see the header).
int kms_hmac(enum kms_key_spec spec, const unsigned char *key, size_t key_len, enum kms_mac_alg alg,
             const unsigned char *msg, size_t len, unsigned char mac[KMS_MAX_MAC_LEN],
             size_t *mac_len)
{
    int rc = KMS_EALG;
    EVP_MAC *m = NULL;
    EVP_MAC_CTX *ctx = NULL;
    if (!kms_mac_alg_fits(spec, alg)) {
        goto out;
    }
    rc = KMS_EINVAL;
    if (key == NULL || key_len == 0 || (msg == NULL && len > 0) || mac == NULL || mac_len == NULL) {
        goto out;
    }
    rc = KMS_ECRYPTO;
    m = EVP_MAC_fetch(NULL, "HMAC", NULL);
    ctx = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
    if (ctx == NULL) {
        goto out;
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)mac_digests[alg], 0),
        OSSL_PARAM_construct_end(),
    };
    size_t n = 0;
    if (EVP_MAC_init(ctx, key, key_len, params) != 1 ||
        (len > 0 && EVP_MAC_update(ctx, msg, len) != 1) ||
        EVP_MAC_final(ctx, mac, &n, KMS_MAX_MAC_LEN) != 1) {
        goto out;
    }
    *mac_len = n;
    rc = 0;
out:
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(m);
    return rc;
}

// Verifies an HMAC in constant time (see the header).
int kms_hmac_verify(enum kms_key_spec spec, const unsigned char *key, size_t key_len,
                    enum kms_mac_alg alg, const unsigned char *msg, size_t len,
                    const unsigned char *mac, size_t mac_len)
{
    unsigned char want[KMS_MAX_MAC_LEN];
    size_t want_len = 0;
    int rc = kms_hmac(spec, key, key_len, alg, msg, len, want, &want_len);
    if (rc == 0) {
        rc = mac != NULL && mac_len == want_len && CRYPTO_memcmp(want, mac, want_len) == 0
                 ? 0
                 : KMS_EBADMAC;
    }
    OPENSSL_cleanse(want, sizeof(want));
    return rc;
}

// ---- asymmetric ----

// Generates a key of an RSA or ECC spec, or returns NULL.
static EVP_PKEY *generate(enum kms_key_spec spec)
{
    switch (spec) {
    case KMS_SPEC_RSA_2048:
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    case KMS_SPEC_RSA_3072:
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
    case KMS_SPEC_RSA_4096:
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
    case KMS_SPEC_ECC_NIST_P256:
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    case KMS_SPEC_ECC_NIST_P384:
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    case KMS_SPEC_ECC_NIST_P521:
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
    case KMS_SPEC_ECC_SECG_P256K1:
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
    default:
        return NULL;
    }
}

// Appends the PKCS#8 DER of pkey to *out. Returns 0 or KMS_ECRYPTO.
static int pkcs8_der(EVP_PKEY *pkey, struct buf *out)
{
    int rc = KMS_ECRYPTO;
    unsigned char *der = NULL;
    int n = 0;
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(pkey);
    if (p8 == NULL) {
        goto out;
    }
    n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
    if (n <= 0) {
        goto out;
    }
    buf_append(out, (const char *)der, (size_t)n);
    rc = 0;
out:
    if (der != NULL) {
        OPENSSL_clear_free(der, (size_t)n);
    }
    PKCS8_PRIV_KEY_INFO_free(p8);
    return rc;
}

// Appends the SubjectPublicKeyInfo DER of pkey to *out. Returns 0 or KMS_ECRYPTO.
static int spki_der(EVP_PKEY *pkey, struct buf *out)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(pkey, &der);
    if (n <= 0) {
        return KMS_ECRYPTO;
    }
    buf_append(out, (const char *)der, (size_t)n);
    OPENSSL_free(der);
    return 0;
}

// Whether pkey is of the type and size/curve spec names.
static bool pkey_matches(EVP_PKEY *pkey, enum kms_key_spec spec)
{
    if (kms_spec_is_rsa(spec)) {
        return EVP_PKEY_is_a(pkey, "RSA") &&
               (size_t)EVP_PKEY_get_bits(pkey) == rsa_modulus_len(spec) * 8;
    }
    if (!kms_spec_is_ecc(spec) || !EVP_PKEY_is_a(pkey, "EC")) {
        return false;
    }
    char group[64];
    size_t glen = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &glen) != 1) {
        return false;
    }
    const char *want = spec == KMS_SPEC_ECC_NIST_P256   ? "prime256v1"
                       : spec == KMS_SPEC_ECC_NIST_P384 ? "secp384r1"
                       : spec == KMS_SPEC_ECC_NIST_P521 ? "secp521r1"
                                                        : "secp256k1";
    return strcmp(group, want) == 0;
}

// Parses PKCS#8 DER into a key of spec, or returns NULL.
static EVP_PKEY *load_private(enum kms_key_spec spec, const unsigned char *priv, size_t priv_len)
{
    if (priv == NULL || priv_len == 0 || priv_len > 16384) {
        return NULL;
    }
    const unsigned char *p = priv;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)priv_len);
    if (p8 == NULL) {
        return NULL;
    }
    EVP_PKEY *pkey = EVP_PKCS82PKEY(p8);
    PKCS8_PRIV_KEY_INFO_free(p8);
    if (pkey != NULL && !pkey_matches(pkey, spec)) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

// Creates backing key material (see the header).
int kms_backing_new(enum kms_key_spec spec, struct buf *out)
{
    int rc = KMS_EINVAL;
    EVP_PKEY *pkey = NULL;
    unsigned char raw[64];
    if (out == NULL || (unsigned)spec >= KMS_SPEC_COUNT) {
        goto out;
    }
    if (spec == KMS_SPEC_SYMMETRIC_DEFAULT || kms_spec_is_hmac(spec)) {
        size_t n = spec == KMS_SPEC_SYMMETRIC_DEFAULT ? KMS_SYMMETRIC_KEY_LEN : hmac_key_len(spec);
        ids_random_bytes(raw, n);
        buf_append(out, (const char *)raw, n);
        rc = 0;
        goto out;
    }
    rc = KMS_ECRYPTO;
    pkey = generate(spec);
    if (pkey == NULL) {
        goto out;
    }
    rc = pkcs8_der(pkey, out);
out:
    OPENSSL_cleanse(raw, sizeof(raw));
    EVP_PKEY_free(pkey);
    return rc;
}

// Appends the SubjectPublicKeyInfo of a PKCS#8 private key (see the header).
int kms_public_key_der(const unsigned char *priv, size_t priv_len, struct buf *out)
{
    int rc = KMS_EINVAL;
    const unsigned char *p = priv;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    EVP_PKEY *pkey = NULL;
    if (priv == NULL || priv_len == 0 || priv_len > 16384) {
        goto out;
    }
    p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)priv_len);
    pkey = p8 != NULL ? EVP_PKCS82PKEY(p8) : NULL;
    if (pkey == NULL) {
        goto out;
    }
    rc = spki_der(pkey, out);
out:
    EVP_PKEY_free(pkey);
    PKCS8_PRIV_KEY_INFO_free(p8);
    return rc;
}

// A new key pair for GenerateDataKeyPair (see the header).
int kms_keypair_new(enum kms_key_spec spec, struct buf *pub_out, struct buf *priv_out)
{
    int rc = KMS_EINVAL;
    EVP_PKEY *pkey = NULL;
    struct buf pub = BUF_INIT;
    struct buf priv = BUF_INIT;
    if (!kms_spec_is_rsa(spec) && !kms_spec_is_ecc(spec)) {
        goto out;
    }
    rc = KMS_ECRYPTO;
    pkey = generate(spec);
    if (pkey == NULL) {
        goto out;
    }
    rc = spki_der(pkey, &pub);
    if (rc == 0) {
        rc = pkcs8_der(pkey, &priv);
    }
    if (rc == 0) {
        buf_append(pub_out, pub.data, pub.len);
        buf_append(priv_out, priv.data, priv.len);
    }
out:
    EVP_PKEY_free(pkey);
    buf_free(&pub);
    kms_buf_wipe(&priv);
    return rc;
}

// Sets up a signature context on pkey for alg (padding, PSS salt, digest). Returns the context
// or NULL.
static EVP_PKEY_CTX *sig_ctx(EVP_PKEY *pkey, enum kms_sign_alg alg, bool sign)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (ctx == NULL) {
        return NULL;
    }
    bool ok = (sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) == 1;
    EVP_MD *md = ok ? EVP_MD_fetch(NULL, sign_digest(alg), NULL) : NULL;
    ok = md != NULL && EVP_PKEY_CTX_set_signature_md(ctx, md) == 1;
    if (ok && alg <= KMS_SIGN_RSASSA_PSS_SHA_512) {
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) == 1;
    } else if (ok && alg <= KMS_SIGN_RSASSA_PKCS1_V1_5_SHA_512) {
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
    }
    EVP_MD_free(md);
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

// Checks the arguments shared by kms_sign and kms_verify and computes the digest to sign into
// dg (64 bytes of room). Returns 0, KMS_EALG or KMS_EINVAL.
static int sign_prepare(enum kms_key_spec spec, enum kms_sign_alg alg, bool is_digest,
                        const unsigned char *msg, size_t len, unsigned char dg[64], size_t *dg_len)
{
    if (!kms_sign_alg_fits(spec, alg)) {
        return KMS_EALG;
    }
    size_t want = kms_sign_alg_digest_len(alg);
    if (msg == NULL && len > 0) {
        return KMS_EINVAL;
    }
    if (is_digest) {
        if (msg == NULL || len != want) {
            return KMS_EINVAL;
        }
        memcpy(dg, msg, len);
        *dg_len = len;
        return 0;
    }
    unsigned int n = 0;
    EVP_MD *md = EVP_MD_fetch(NULL, sign_digest(alg), NULL);
    int ok = md != NULL && EVP_Digest(msg, len, dg, &n, md, NULL) == 1;
    EVP_MD_free(md);
    if (!ok) {
        return KMS_ECRYPTO;
    }
    *dg_len = n;
    return 0;
}

// Signs a message or digest (see the header).
int kms_sign(enum kms_key_spec spec, const unsigned char *priv, size_t priv_len,
             enum kms_sign_alg alg, bool is_digest, const unsigned char *msg, size_t len,
             struct buf *sig_out)
{
    unsigned char dg[64];
    size_t dg_len = 0;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    unsigned char *sig = NULL;
    size_t sig_len = 0;
    int rc = sign_prepare(spec, alg, is_digest, msg, len, dg, &dg_len);
    if (rc != 0) {
        goto out;
    }
    rc = KMS_EINVAL;
    pkey = load_private(spec, priv, priv_len);
    if (pkey == NULL) {
        goto out;
    }
    rc = KMS_ECRYPTO;
    ctx = sig_ctx(pkey, alg, true);
    if (ctx == NULL || EVP_PKEY_sign(ctx, NULL, &sig_len, dg, dg_len) != 1) {
        goto out;
    }
    sig = OPENSSL_malloc(sig_len);
    if (sig == NULL || EVP_PKEY_sign(ctx, sig, &sig_len, dg, dg_len) != 1) {
        goto out;
    }
    buf_append(sig_out, (const char *)sig, sig_len);
    rc = 0;
out:
    OPENSSL_free(sig);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    OPENSSL_cleanse(dg, sizeof(dg));
    return rc;
}

// Verifies a signature (see the header).
int kms_verify(enum kms_key_spec spec, const unsigned char *priv, size_t priv_len,
               enum kms_sign_alg alg, bool is_digest, const unsigned char *msg, size_t len,
               const unsigned char *sig, size_t sig_len)
{
    unsigned char dg[64];
    size_t dg_len = 0;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    int rc = sign_prepare(spec, alg, is_digest, msg, len, dg, &dg_len);
    if (rc != 0) {
        goto out;
    }
    rc = KMS_EINVAL;
    pkey = load_private(spec, priv, priv_len);
    if (pkey == NULL) {
        goto out;
    }
    rc = KMS_ECRYPTO;
    ctx = sig_ctx(pkey, alg, false);
    if (ctx == NULL) {
        goto out;
    }
    rc = sig != NULL && sig_len > 0 && EVP_PKEY_verify(ctx, sig, sig_len, dg, dg_len) == 1
             ? 0
             : KMS_EBADSIG;
out:
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return rc;
}

// Sets up an OAEP context for encryption or decryption with alg. Returns it or NULL.
static EVP_PKEY_CTX *oaep_ctx(EVP_PKEY *pkey, enum kms_rsa_alg alg, bool enc)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (ctx == NULL) {
        return NULL;
    }
    EVP_MD *md = EVP_MD_fetch(NULL, alg == KMS_RSA_OAEP_SHA_1 ? "SHA1" : "SHA256", NULL);
    bool ok = md != NULL && (enc ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
              EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1 &&
              EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1;
    EVP_MD_free(md);
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

// RSAES-OAEP encryption (see the header).
int kms_rsa_encrypt(enum kms_key_spec spec, const unsigned char *priv, size_t priv_len,
                    enum kms_rsa_alg alg, const unsigned char *plain, size_t len, struct buf *out)
{
    int rc = KMS_EALG;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    unsigned char *ct = NULL;
    size_t ct_len = 0;
    if (!kms_spec_is_rsa(spec) || (unsigned)alg >= KMS_RSA_ALG_COUNT) {
        goto out;
    }
    rc = KMS_ETOOLONG;
    if (len > kms_rsa_max_plaintext(spec, alg)) {
        goto out;
    }
    rc = KMS_EINVAL;
    pkey = load_private(spec, priv, priv_len);
    if (pkey == NULL || (plain == NULL && len > 0)) {
        goto out;
    }
    rc = KMS_ECRYPTO;
    ctx = oaep_ctx(pkey, alg, true);
    if (ctx == NULL || EVP_PKEY_encrypt(ctx, NULL, &ct_len, plain, len) != 1) {
        goto out;
    }
    ct = OPENSSL_malloc(ct_len);
    if (ct == NULL || EVP_PKEY_encrypt(ctx, ct, &ct_len, plain, len) != 1) {
        goto out;
    }
    buf_append(out, (const char *)ct, ct_len);
    rc = 0;
out:
    OPENSSL_free(ct);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return rc;
}

// RSAES-OAEP decryption (see the header).
int kms_rsa_decrypt(enum kms_key_spec spec, const unsigned char *priv, size_t priv_len,
                    enum kms_rsa_alg alg, const unsigned char *ct, size_t ct_len,
                    struct buf *plain_out)
{
    int rc = KMS_EALG;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    unsigned char *plain = NULL;
    size_t cap = 0;
    size_t n = 0;
    if (!kms_spec_is_rsa(spec) || (unsigned)alg >= KMS_RSA_ALG_COUNT) {
        goto out;
    }
    rc = KMS_EINVAL;
    pkey = load_private(spec, priv, priv_len);
    if (pkey == NULL || ct == NULL) {
        goto out;
    }
    rc = KMS_EAUTH;
    if (ct_len != rsa_modulus_len(spec)) {
        goto out;
    }
    ctx = oaep_ctx(pkey, alg, false);
    if (ctx == NULL) {
        rc = KMS_ECRYPTO;
        goto out;
    }
    cap = rsa_modulus_len(spec);
    plain = OPENSSL_malloc(cap);
    n = cap;
    if (plain == NULL || EVP_PKEY_decrypt(ctx, plain, &n, ct, ct_len) != 1) {
        goto out;
    }
    buf_append(plain_out, (const char *)plain, n);
    rc = 0;
out:
    if (plain != NULL) {
        OPENSSL_clear_free(plain, cap);
    }
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return rc;
}
