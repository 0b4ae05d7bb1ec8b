// SPDX-License-Identifier: Apache-2.0
// Tests of the shared KMS helpers (src/svc/kms/kms_common.h) on a real SQLite store and a real
// data directory: base64 both ways (RFC 4648 section 10 test vectors), key lookup by key id, key
// ARN, alias name and alias ARN with AWS's NotFoundException wordings (sources in
// kms_common.c), backing key versions wrapped under the master key and unwrapped again, and the
// key state checks.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fixture.h"

#include "svc/kms/kms_common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ACCOUNT "111122223333"
#define KEY_ID  "0b2ad402-1c2d-4e6a-8ac4-1f2e3d4c5b6a"

// Stores a symmetric key with one backing version and, when alias is not NULL, an alias to it.
static void put_key(struct fix *f, const char *state, const char *alias)
{
    struct svc_call *c = &f->call;
    json_t *versions = json_array();
    assert_int_equal(kms_add_version(c, KEY_ID, KMS_SPEC_SYMMETRIC_DEFAULT, 1, versions), 0);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:{s:o, s:s}}", "KeyId", KEY_ID, "KeyState",
                            state, "KeySpec", "SYMMETRIC_DEFAULT", "KeyUsage", "ENCRYPT_DECRYPT",
                            "_", "versions", versions, "policy", "{}");
    char *text = json_dumps(doc, JSON_COMPACT);
    struct store_obj o = {.account = ACCOUNT,
                          .region = "us-east-1",
                          .kind = KMS_KIND_KEY,
                          .id = KEY_ID,
                          .doc = text,
                          .doc_len = strlen(text)};
    struct store_err e = {{0}};
    assert_int_equal(store_put(f->store, &o, STORE_UPSERT, &e), 0);
    free(text);
    json_decref(doc);
    if (alias != NULL) {
        struct store_obj a = {.account = ACCOUNT,
                              .region = "us-east-1",
                              .kind = KMS_KIND_ALIAS,
                              .id = alias,
                              .name = alias,
                              .parent = KEY_ID,
                              .doc = "{}",
                              .doc_len = 2};
        assert_int_equal(store_put(f->store, &a, STORE_UPSERT, &e), 0);
    }
}

static void test_base64_vectors(void **state)
{
    struct fix *f = *state;
    // RFC 4648 section 10.
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const enc[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                      "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        size_t n = strlen(plain[i]);
        assert_string_equal(kms_b64(&f->call, (const unsigned char *)plain[i], n), enc[i]);
        size_t got = 99;
        unsigned char *dec = kms_unb64(&f->call, enc[i], &got);
        assert_int_equal(got, n);
        assert_memory_equal(dec, plain[i], n);
    }
}

static void expect_not_found(struct fix *f, const char *ref, const char *message)
{
    struct kms_key k;
    memset(&f->call.err, 0, sizeof(f->call.err));
    assert_int_equal(kms_key_find(&f->call, ref, &k), -1);
    assert_int_equal(f->call.err.status, 400);
    assert_string_equal(f->call.err.code, "NotFoundException");
    assert_string_equal(f->call.err.message, message);
}

static void test_find_errors(void **state)
{
    struct fix *f = *state;
    expect_not_found(f, "testkmskey", "Invalid keyId testkmskey");
    expect_not_found(f, KEY_ID,
                     "Key 'arn:aws:kms:us-east-1:111122223333:key/" KEY_ID "' does not exist");
    expect_not_found(f, "alias/none",
                     "Alias 'arn:aws:kms:us-east-1:111122223333:alias/none' is not found.");
    expect_not_found(f, "arn:aws:kms:us-east-1:111122223333:alias/none",
                     "Alias 'arn:aws:kms:us-east-1:111122223333:alias/none' is not found.");
    // Another region's key is not served here.
    put_key(f, "Enabled", NULL);
    expect_not_found(f, "arn:aws:kms:eu-west-1:111122223333:key/" KEY_ID,
                     "Key 'arn:aws:kms:eu-west-1:111122223333:key/" KEY_ID "' does not exist");
}

static void test_find_by_every_name(void **state)
{
    struct fix *f = *state;
    put_key(f, "Enabled", "alias/s3");
    static const char *const refs[] = {
        KEY_ID,
        "0B2AD402-1C2D-4E6A-8AC4-1F2E3D4C5B6A",
        ("arn:aws:kms:us-east-1:111122223333:key/" KEY_ID),
        "alias/s3",
        "arn:aws:kms:us-east-1:111122223333:alias/s3",
    };
    for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
        struct kms_key k;
        assert_int_equal(kms_key_find(&f->call, refs[i], &k), 0);
        assert_string_equal(k.id, KEY_ID);
        assert_string_equal(k.arn, "arn:aws:kms:us-east-1:111122223333:key/" KEY_ID);
        if (i >= 3) {
            assert_string_equal(k.alias, "alias/s3");
        } else {
            assert_null(k.alias);
        }
        kms_key_release(&k);
    }
    const char **names = NULL;
    size_t count = 0;
    assert_int_equal(kms_key_aliases(&f->call, KEY_ID, &names, &count), 0);
    assert_int_equal(count, 1);
    assert_string_equal(names[0], "alias/s3");
}

static void test_backing_versions(void **state)
{
    struct fix *f = *state;
    put_key(f, "Enabled", NULL);
    struct kms_key k;
    assert_int_equal(kms_key_get(&f->call, KEY_ID, &k), 0);
    json_t *versions = json_object_get(kms_key_internal(&k), "versions");
    assert_int_equal(kms_add_version(&f->call, KEY_ID, KMS_SPEC_SYMMETRIC_DEFAULT, 2, versions), 0);
    struct buf v1 = BUF_INIT;
    struct buf v2 = BUF_INIT;
    struct buf cur = BUF_INIT;
    uint32_t used = 0;
    assert_int_equal(kms_key_backing(&f->call, &k, 1, &v1, &used), 0);
    assert_int_equal(used, 1);
    assert_int_equal(kms_key_backing(&f->call, &k, 2, &v2, &used), 0);
    assert_int_equal(used, 2);
    assert_int_equal(kms_key_backing(&f->call, &k, 0, &cur, &used), 0);
    assert_int_equal(used, 2); // the newest version is the current one
    assert_int_equal(v1.len, KMS_SYMMETRIC_KEY_LEN);
    assert_int_equal(v2.len, KMS_SYMMETRIC_KEY_LEN);
    assert_memory_not_equal(v1.data, v2.data, v1.len);
    assert_memory_equal(v2.data, cur.data, v2.len);
    // The stored form is not the secret.
    const char *wrapped =
        json_string_value(json_object_get(json_array_get(versions, 0), "wrapped"));
    assert_non_null(wrapped);
    size_t wl = 0;
    unsigned char *raw = kms_unb64(&f->call, wrapped, &wl);
    assert_true(wl > v1.len);
    for (size_t i = 0; i + v1.len <= wl; i++) {
        assert_memory_not_equal(raw + i, v1.data, v1.len);
    }
    struct buf none = BUF_INIT;
    assert_int_equal(kms_key_backing(&f->call, &k, 3, &none, NULL), -1);
    assert_string_equal(f->call.err.code, "InvalidCiphertextException");
    kms_buf_wipe(&v1);
    kms_buf_wipe(&v2);
    kms_buf_wipe(&cur);
    kms_key_release(&k);
}

static void test_states(void **state)
{
    struct fix *f = *state;
    const char *arn = "arn:aws:kms:us-east-1:111122223333:key/" KEY_ID;
    put_key(f, "Disabled", NULL);
    struct kms_key k;
    assert_int_equal(kms_key_get(&f->call, KEY_ID, &k), 0);
    assert_int_equal(kms_key_check_not_pending(&f->call, &k), 0);
    assert_int_equal(kms_key_check_usable(&f->call, &k), -1);
    assert_string_equal(f->call.err.code, "DisabledException");
    char msg[160];
    snprintf(msg, sizeof(msg), "%s is disabled.", arn);
    assert_string_equal(f->call.err.message, msg);
    kms_key_release(&k);
    put_key(f, "PendingDeletion", NULL);
    assert_int_equal(kms_key_get(&f->call, KEY_ID, &k), 0);
    assert_int_equal(kms_key_check_usable(&f->call, &k), -1);
    assert_string_equal(f->call.err.code, "KMSInvalidStateException");
    snprintf(msg, sizeof(msg), "%s is pending deletion.", arn);
    assert_string_equal(f->call.err.message, msg);
    kms_key_release(&k);
}

static int setup(void **state)
{
    struct fix *f = fix_open("sbkms", ACCOUNT, "kms", "Test");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix_close(*state);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_base64_vectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_by_every_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backing_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_states, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
