// SPDX-License-Identifier: Apache-2.0
// Unit tests for the sealed Studio tokens of src/svc/sagemaker/presign.c: the MAC is
// HMAC-SHA256 with the data directory's signing key in base64url (checked against OpenSSL's
// HMAC and base64 computed here, not against the code under test), the key file is created
// with mode 0600 and reused, and a token opens only unaltered and under its own key.
#include "svc/sagemaker/presign.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
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

static char dir_a[64];
static char dir_b[64];

static int setup(void **state)
{
    (void)state;
    memcpy(dir_a, "/tmp/sb-presign-a-XXXXXX", 25);
    memcpy(dir_b, "/tmp/sb-presign-b-XXXXXX", 25);
    assert_non_null(mkdtemp(dir_a));
    assert_non_null(mkdtemp(dir_b));
    return 0;
}

static void rm_dir(const char *dir)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/studio-signing.key", dir);
    unlink(path);
    rmdir(dir);
}

static int teardown(void **state)
{
    (void)state;
    rm_dir(dir_a);
    rm_dir(dir_b);
    return 0;
}

// Writes a known key into dir's key file.
static void write_key(const char *dir, unsigned char fill)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/studio-signing.key", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    unsigned char key[32];
    memset(key, fill, sizeof(key));
    assert_int_equal(fwrite(key, 1, sizeof(key), f), sizeof(key));
    fclose(f);
}

static void test_mac_is_hmac_sha256_base64url(void **state)
{
    (void)state;
    write_key(dir_b, 0x0b);
    const char *msg = "Hi There";
    char got[SM_MAC_B64_LEN + 1];
    assert_int_equal(sm_studio_mac(dir_b, msg, strlen(msg), got), 0);
    unsigned char key[32];
    memset(key, 0x0b, sizeof(key));
    unsigned char mac[32];
    unsigned int n = 0;
    assert_non_null(HMAC(EVP_sha256(), key, 32, (const unsigned char *)msg, strlen(msg), mac, &n));
    char b64[64];
    int len = EVP_EncodeBlock((unsigned char *)b64, mac, 32);
    assert_int_equal(len, 44);
    assert_int_equal(b64[43], '=');
    b64[43] = '\0';
    for (char *p = b64; *p; p++) {
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    }
    assert_string_equal(got, b64);
}

static void test_key_file_created_0600_and_reused(void **state)
{
    (void)state;
    char m1[SM_MAC_B64_LEN + 1];
    char m2[SM_MAC_B64_LEN + 1];
    assert_int_equal(sm_studio_mac(dir_a, "x", 1, m1), 0);
    char path[128];
    snprintf(path, sizeof(path), "%s/studio-signing.key", dir_a);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 32);
    assert_int_equal(sm_studio_mac(dir_b, "x", 1, m2), 0); // switch directories and back
    assert_string_not_equal(m1, m2);
    assert_int_equal(sm_studio_mac(dir_a, "x", 1, m2), 0);
    assert_string_equal(m1, m2);
}

static void test_seal_open_and_tamper(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, NULL, 0);
    json_t *p = json_pack("{s:s, s:I, s:s}", "profile", "alice", "exp", (json_int_t)1700000000,
                          "arn", "arn:aws:iam::000000000000:user/bob");
    const char *tok = sm_studio_seal(dir_a, &a, p);
    assert_non_null(tok);
    json_t *back = sm_studio_open(dir_a, tok, strlen(tok));
    assert_non_null(back);
    assert_true(json_equal(back, p));
    json_decref(back);
    // Another directory's key does not open it.
    assert_null(sm_studio_open(dir_b, tok, strlen(tok)));
    // Any changed character is refused.
    size_t n = strlen(tok);
    char *copy = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        memcpy(copy, tok, n + 1);
        copy[i] = copy[i] == 'A' ? 'B' : 'A';
        assert_null(sm_studio_open(dir_a, copy, n));
    }
    free(copy);
    // Truncations and malformed shapes.
    assert_null(sm_studio_open(dir_a, tok, n - 1));
    assert_null(sm_studio_open(dir_a, "", 0));
    assert_null(sm_studio_open(dir_a, "abc", 3));
    assert_null(sm_studio_open(dir_a, ".", 1));
    json_decref(p);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mac_is_hmac_sha256_base64url),
        cmocka_unit_test(test_key_file_created_0600_and_reused),
        cmocka_unit_test(test_seal_open_and_tamper),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
