// SPDX-License-Identifier: Apache-2.0
// kms_internal_bench: KMS Encrypt and Decrypt of 4 KB through sagebox's internal cryptographic
// interface (kms_crypto.h), on one thread, against the ceiling of the same loop calling OpenSSL's
// EVP AES-256-GCM directly. It shows how much of a KMS request's cost is AES-GCM itself and how
// much sagebox adds around it (blob header, canonical encryption context, parsing), before HTTP,
// SigV4 and the policy engine (bench/kms_bench.py measures those through the API).
//
// Rows:
//   EVP AES-256-GCM seal/open 4 KB    the ceiling: one EVP context per call, as kms_gcm_* does
//   kms_encrypt 4 KB (+context AAD)   kms_context_aad + kms_encrypt into a blob
//   kms_decrypt 4 KB (+parse, AAD)    kms_blob_parse + kms_context_aad + kms_decrypt
//   ... + unwrap backing key          what a handler also does per request: kms_unwrap of the
//                                     key's wrapped backing key under the master key
//   kms_internal_encrypt/decrypt 4 KB the internal "service acts for a principal" interface
//                                     (kms_internal.h, when present): the real handler with its
//                                     store transaction, key lookup and key policy decision on a
//                                     SQLite store in a temporary data directory, without HTTP,
//                                     SigV4 and the JSON wire format
//
// Usage: kms_internal_bench [--seconds S]   (S per row, default 1)
#define _XOPEN_SOURCE 700 // nftw

#include "svc/kms/kms_crypto.h"

#include <ftw.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if __has_include("svc/kms/kms_internal.h")
#include "svc/kms/kms_common.h"
#include "svc/kms/kms_internal.h"
#define HAVE_KMS_INTERNAL 1
#endif

#define SIZE  4096
#define BATCH 256

static const char KEY_ID[] = "0b2ad402-1111-4222-8333-444455556666";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

// One benchmark row: a function run repeatedly on shared state; returns 0 or non-zero on
// failure.
struct state {
    unsigned char master[KMS_MASTER_KEY_LEN];
    unsigned char key[KMS_SYMMETRIC_KEY_LEN];
    unsigned char iv[KMS_BLOB_IV_LEN];
    unsigned char plain[SIZE];
    unsigned char ct[SIZE];
    unsigned char tag[KMS_BLOB_TAG_LEN];
    unsigned char out[SIZE];
    json_t *ctx;
    struct buf blob;    // a valid blob of plain under key
    struct buf wrapped; // key wrapped under master (base64)
};

typedef int (*row_fn)(struct state *s);

// The ceiling: EVP AES-256-GCM seal of 4 KB (one context per call, as kms_gcm_seal).
static int evp_seal(struct state *s)
{
    int len = 0;
    int rc = 1;
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    if (x != NULL && EVP_EncryptInit_ex(x, EVP_aes_256_gcm(), NULL, s->key, s->iv) == 1 &&
        EVP_EncryptUpdate(x, NULL, &len, (const unsigned char *)"aad", 3) == 1 &&
        EVP_EncryptUpdate(x, s->ct, &len, s->plain, SIZE) == 1 &&
        EVP_EncryptFinal_ex(x, s->ct + len, &len) == 1 &&
        EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, KMS_BLOB_TAG_LEN, s->tag) == 1) {
        rc = 0;
    }
    EVP_CIPHER_CTX_free(x);
    return rc;
}

// The ceiling for decryption: EVP AES-256-GCM open of what evp_seal made.
static int evp_open(struct state *s)
{
    int len = 0;
    int rc = 1;
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    if (x != NULL && EVP_DecryptInit_ex(x, EVP_aes_256_gcm(), NULL, s->key, s->iv) == 1 &&
        EVP_DecryptUpdate(x, NULL, &len, (const unsigned char *)"aad", 3) == 1 &&
        EVP_DecryptUpdate(x, s->out, &len, s->ct, SIZE) == 1 &&
        EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, KMS_BLOB_TAG_LEN, s->tag) == 1 &&
        EVP_DecryptFinal_ex(x, s->out + len, &len) == 1) {
        rc = 0;
    }
    EVP_CIPHER_CTX_free(x);
    return rc;
}

static int encrypt_with_key(struct state *s, const unsigned char *key)
{
    struct buf aad = BUF_INIT;
    struct buf blob = BUF_INIT;
    int rc = kms_context_aad(s->ctx, &aad);
    if (rc == 0) {
        rc = kms_encrypt(key, KMS_SYMMETRIC_KEY_LEN, KEY_ID, 1, (const unsigned char *)aad.data,
                         aad.len, s->plain, SIZE, &blob);
    }
    buf_free(&aad);
    buf_free(&blob);
    return rc;
}

static int decrypt_with_key(struct state *s, const unsigned char *key)
{
    struct buf aad = BUF_INIT;
    struct buf plain = BUF_INIT;
    struct kms_blob b;
    int rc = kms_blob_parse((const unsigned char *)s->blob.data, s->blob.len, &b);
    if (rc == 0) {
        rc = kms_context_aad(s->ctx, &aad);
    }
    if (rc == 0) {
        rc = kms_decrypt(key, KMS_SYMMETRIC_KEY_LEN, &b, (const unsigned char *)aad.data, aad.len,
                         &plain);
    }
    buf_free(&aad);
    kms_buf_wipe(&plain);
    return rc;
}

static int kms_enc(struct state *s)
{
    return encrypt_with_key(s, s->key);
}

static int kms_dec(struct state *s)
{
    return decrypt_with_key(s, s->key);
}

// Unwraps the backing key (as kms_key_backing does per request), then runs f with it.
static int with_unwrap(struct state *s, int (*f)(struct state *, const unsigned char *))
{
    struct buf key = BUF_INIT;
    int rc = kms_unwrap(s->master, KEY_ID, 1, s->wrapped.data, s->wrapped.len, &key);
    if (rc == 0) {
        rc = key.len == KMS_SYMMETRIC_KEY_LEN ? f(s, (const unsigned char *)key.data) : 1;
    }
    kms_buf_wipe(&key);
    return rc;
}

static int kms_enc_unwrap(struct state *s)
{
    return with_unwrap(s, encrypt_with_key);
}

static int kms_dec_unwrap(struct state *s)
{
    return with_unwrap(s, decrypt_with_key);
}

// Runs f for about seconds and returns operations per second, or -1 when f failed.
static double measure(row_fn f, struct state *s, double seconds)
{
    for (int i = 0; i < BATCH; i++) { // warm-up
        if (f(s) != 0) {
            return -1;
        }
    }
    unsigned long ops = 0;
    double t0 = now();
    double t = t0;
    while (t - t0 < seconds) {
        for (int i = 0; i < BATCH; i++) {
            if (f(s) != 0) {
                return -1;
            }
        }
        ops += BATCH;
        t = now();
    }
    return (double)ops / (t - t0);
}

#ifdef HAVE_KMS_INTERNAL
// A request context on a real store, as a service calling KMS for the account root would have.
struct ifix {
    char root[64];
    char dir[96];
    struct store *store;
    struct svc_env env;
    struct svc_caller caller;
    struct arena arena;
    struct svc_call call;
    unsigned char *blob; // a ciphertext of s->plain made through the interface (malloc)
    size_t blob_len;
};

static struct ifix *ifix;

#define IACCOUNT "000000000000"
#define IVIA     "s3.us-east-1.amazonaws.com"

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

// Fresh arena and error for the next call.
static void ireset(void)
{
    arena_release(&ifix->arena);
    arena_init(&ifix->arena, NULL, 0);
    memset(&ifix->call.err, 0, sizeof(ifix->call.err));
}

static int int_enc(struct state *s)
{
    const unsigned char *blob = NULL;
    size_t len = 0;
    ireset();
    return kms_internal_encrypt(&ifix->call, IVIA, KEY_ID, s->ctx, s->plain, SIZE, &blob, &len,
                                NULL);
}

static int int_dec(struct state *s)
{
    const unsigned char *plain = NULL;
    size_t len = 0;
    ireset();
    int rc = kms_internal_decrypt(&ifix->call, IVIA, NULL, s->ctx, ifix->blob, ifix->blob_len,
                                  &plain, &len);
    return rc != 0 || len != SIZE || memcmp(plain, s->plain, SIZE) != 0;
}

// Opens a store in a temporary directory and stores the symmetric key KEY_ID with the default
// key policy. Returns 0 or -1.
static int isetup(struct state *s)
{
    struct ifix *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return -1;
    }
    ifix = f;
    memcpy(f->root, "/tmp/sbkmsbench-XXXXXX", sizeof("/tmp/sbkmsbench-XXXXXX"));
    if (mkdtemp(f->root) == NULL) {
        return -1;
    }
    snprintf(f->dir, sizeof(f->dir), "%s/data", f->root);
    struct store_opts o = {.data_dir = f->dir, .version = "0.1.0-bench"};
    struct store_err err = {{0}};
    if (store_open(&o, &f->store, &err) != 0) {
        return -1;
    }
    f->env.store = f->store;
    f->env.policies = policy_cache_new(64);
    f->env.partition = "aws";
    f->env.default_region = "us-east-1";
    f->env.data_dir = f->dir;
    memcpy(f->caller.account, IACCOUNT, sizeof(IACCOUNT));
    memcpy(f->caller.arn, "arn:aws:iam::" IACCOUNT ":root",
           sizeof("arn:aws:iam::" IACCOUNT ":root"));
    f->caller.principal.type = POLICY_PRINCIPAL_ROOT;
    f->caller.principal.arn = f->caller.arn;
    f->caller.principal.account = f->caller.account;
    arena_init(&f->arena, NULL, 0);
    f->call.env = &f->env;
    f->call.arena = &f->arena;
    f->call.request_id = "bench";
    f->call.service = "s3";
    f->call.operation = "PutObject";
    f->call.region = "us-east-1";
    f->call.caller = &f->caller;
    f->call.now = time(NULL);
    f->call.ctx = policy_context_new();
    policy_context_set(f->call.ctx, "aws:ViaAWSService", "false");
    struct svc_call *c = &f->call;
    json_t *versions = json_array();
    if (kms_add_version(c, KEY_ID, KMS_SPEC_SYMMETRIC_DEFAULT, 1, versions) != 0) {
        json_decref(versions);
        return -1;
    }
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:{s:o, s:s, s:[]}}", "KeyId",
                            KEY_ID, "Arn", kms_key_arn(c, KEY_ID), "KeyState", "Enabled", "KeySpec",
                            "SYMMETRIC_DEFAULT", "KeyUsage", "ENCRYPT_DECRYPT", "KeyManager",
                            "CUSTOMER", "Enabled", 1, "Origin", "AWS_KMS", "_", "versions",
                            versions, "policy", kms_default_policy(c), "tags");
    char *text = json_dumps(doc, JSON_COMPACT);
    struct store_obj obj = {.account = IACCOUNT,
                            .region = "us-east-1",
                            .kind = KMS_KIND_KEY,
                            .id = KEY_ID,
                            .doc = text,
                            .doc_len = text != NULL ? strlen(text) : 0};
    int rc = text != NULL ? store_put(f->store, &obj, STORE_UPSERT, &err) : -1;
    free(text);
    json_decref(doc);
    const unsigned char *blob = NULL;
    if (rc != 0 || kms_internal_encrypt(c, IVIA, KEY_ID, s->ctx, s->plain, SIZE, &blob,
                                        &f->blob_len, NULL) != 0) {
        fprintf(stderr, "kms_internal_bench: internal setup failed: %s %s\n", c->err.code,
                c->err.message);
        return -1;
    }
    f->blob = malloc(f->blob_len);
    if (f->blob == NULL) {
        return -1;
    }
    memcpy(f->blob, blob, f->blob_len);
    return 0;
}

static void iteardown(void)
{
    struct ifix *f = ifix;
    if (f == NULL) {
        return;
    }
    if (f->call.ctx != NULL) {
        policy_context_free(f->call.ctx);
    }
    arena_release(&f->arena);
    if (f->store != NULL) {
        store_close(f->store);
    }
    if (f->env.policies != NULL) {
        policy_cache_free(f->env.policies);
    }
    if (f->root[0] != '\0' && strncmp(f->root, "/tmp/sbkmsbench-", 16) == 0) {
        nftw(f->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    free(f->blob);
    free(f);
    ifix = NULL;
}
#endif

int main(int argc, char **argv)
{
    double seconds = 1.0;
    if (argc == 3 && strcmp(argv[1], "--seconds") == 0) {
        seconds = atof(argv[2]);
    } else if (argc != 1) {
        fprintf(stderr, "usage: kms_internal_bench [--seconds S]\n");
        return 2;
    }
    int rc = 1;
    struct state *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return 1;
    }
    // calloc left blob and wrapped empty (BUF_INIT is all zeros).
    kms_random(s->master, sizeof(s->master));
    kms_random(s->key, sizeof(s->key));
    kms_random(s->iv, sizeof(s->iv));
    kms_random(s->plain, sizeof(s->plain));
    s->ctx = json_pack("{s:s}", "bench", "kms");
    struct buf aad = BUF_INIT;
    if (s->ctx == NULL || kms_context_aad(s->ctx, &aad) != 0 ||
        kms_encrypt(s->key, sizeof(s->key), KEY_ID, 1, (const unsigned char *)aad.data, aad.len,
                    s->plain, SIZE, &s->blob) != 0 ||
        kms_wrap(s->master, KEY_ID, 1, s->key, sizeof(s->key), &s->wrapped) != 0 ||
        evp_seal(s) != 0) {
        fprintf(stderr, "kms_internal_bench: setup failed\n");
        goto out;
    }
    static const struct {
        const char *name;
        row_fn f;
    } rows[] = {
        {"EVP AES-256-GCM seal 4 KB (ceiling)", evp_seal},
        {"kms_encrypt 4 KB (+context AAD)", kms_enc},
        {"kms_encrypt 4 KB + unwrap backing key", kms_enc_unwrap},
        {"EVP AES-256-GCM open 4 KB (ceiling)", evp_open},
        {"kms_decrypt 4 KB (+parse, AAD)", kms_dec},
        {"kms_decrypt 4 KB + unwrap backing key", kms_dec_unwrap},
#ifdef HAVE_KMS_INTERNAL
        {"EVP AES-256-GCM seal 4 KB (ceiling)", evp_seal},
        {"kms_internal_encrypt 4 KB", int_enc},
        {"EVP AES-256-GCM open 4 KB (ceiling)", evp_open},
        {"kms_internal_decrypt 4 KB", int_dec},
#endif
    };
#ifdef HAVE_KMS_INTERNAL
    if (isetup(s) != 0) {
        fprintf(stderr, "kms_internal_bench: setting up the internal interface failed\n");
        goto out;
    }
#endif
    printf("kms_internal_bench: one thread, %.1f s per row\n", seconds);
    printf("%-42s%14s%12s%14s\n", "operation", "ops/s", "us/op", "of ceiling");
    double ceiling = 0;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        double ops = measure(rows[i].f, s, seconds);
        if (ops < 0) {
            fprintf(stderr, "kms_internal_bench: %s failed\n", rows[i].name);
            goto out;
        }
        if (strstr(rows[i].name, "ceiling") != NULL) {
            ceiling = ops;
        }
        printf("%-42s%14.0f%12.2f%13.0f%%\n", rows[i].name, ops, 1e6 / ops, 100.0 * ops / ceiling);
    }
    rc = 0;
out:
#ifdef HAVE_KMS_INTERNAL
    iteardown();
#endif
    buf_free(&aad);
    buf_free(&s->blob);
    buf_free(&s->wrapped);
    json_decref(s->ctx);
    OPENSSL_cleanse(s, sizeof(*s));
    free(s);
    return rc;
}
