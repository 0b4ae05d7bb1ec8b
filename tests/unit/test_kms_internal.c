// SPDX-License-Identifier: Apache-2.0
// Tests of the internal "service acts for a principal" KMS interface (src/svc/kms/kms_internal.h)
// on a real SQLite store and data directory, with the real KMS handlers and policy engine: the
// workshop's S3 key policy (scenario.md, "KMS": a Deny of Encrypt/Decrypt/GenerateDataKey to
// Principal * unless aws:sourceVpce is the KMS endpoint or aws:ViaAWSService is true) decided for a
// direct call from outside the endpoint (denied), the same call through the endpoint (allowed) and
// the same call through the internal interface (allowed); AWS managed keys created on first use
// with their key policy (usable only through their service, their policy not changeable by the
// account); CreateGrant with kms:GrantIsForAWSResource; the API's errors.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fixture.h"

#include "svc/kms/kms_common.h"
#include "svc/kms/kms_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ACCOUNT  "111122223333"
#define ROOT_ARN "arn:aws:iam::111122223333:root"
#define KEY_ID   "6f1c0a52-7d3e-4b8a-9c2d-0e1f2a3b4c5d"
#define ENDPOINT "vpce-0a1b2c3d4e5f60718"
#define VIA_S3   "s3.us-east-1.amazonaws.com"

// Stores a symmetric customer managed key KEY_ID with this key policy.
static void put_key(struct fix *f, const char *policy)
{
    struct svc_call *c = &f->call;
    json_t *versions = json_array();
    assert_int_equal(kms_add_version(c, KEY_ID, KMS_SPEC_SYMMETRIC_DEFAULT, 1, versions), 0);
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:{s:o, s:s, s:[]}}", "KeyId", KEY_ID,
                  "KeyState", "Enabled", "KeySpec", "SYMMETRIC_DEFAULT", "KeyUsage",
                  "ENCRYPT_DECRYPT", "KeyManager", "CUSTOMER", "Enabled", 1, "Origin", "AWS_KMS",
                  "_", "versions", versions, "policy", policy, "tags");
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
}

// Runs KMS API operation op directly (as the gateway would after decoding) with input in
// (stolen); returns the handler's result and leaves the output in c->out.
static int direct(struct fix *f, const char *op, json_t *in)
{
    struct svc_call *c = &f->call;
    json_decref(c->out);
    c->out = NULL;
    memset(&c->err, 0, sizeof(c->err));
    c->service = "kms";
    c->operation = op;
    c->in = in;
    svc_handler_fn fn = svc_find("kms", op);
    assert_non_null(fn);
    int rc = fn(c);
    c->in = NULL;
    json_decref(in);
    c->service = "s3";
    return rc;
}

// The workshop's S3 key policy (scenario.md, "KMS").
static const char *s3_key_policy(void)
{
    return "{\"Version\":\"2012-10-17\",\"Statement\":["
           "{\"Sid\":\"root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ROOT_ARN "\"},"
           "\"Action\":\"kms:*\",\"Resource\":\"*\"},"
           "{\"Sid\":\"vpce\",\"Effect\":\"Deny\",\"Principal\":\"*\","
           "\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\",\"kms:GenerateDataKey\"],"
           "\"Resource\":\"*\",\"Condition\":{"
           "\"StringNotEquals\":{\"aws:sourceVpce\":\"" ENDPOINT "\"},"
           "\"Bool\":{\"aws:ViaAWSService\":\"false\"}}}]}";
}

static void test_workshop_s3_key_policy(void **state)
{
    struct fix *f = *state;
    struct svc_call *c = &f->call;
    put_key(f, s3_key_policy());
    const unsigned char plain[] = "object bytes";

    // 1. A direct call from outside the endpoint: the Deny applies.
    json_t *in =
        json_pack("{s:s, s:s}", "KeyId", KEY_ID, "Plaintext", kms_b64(c, plain, sizeof(plain)));
    assert_int_equal(direct(f, "Encrypt", in), -1);
    assert_string_equal(c->err.code, "AccessDeniedException");
    assert_non_null(strstr(c->err.message, "explicit deny"));

    // 2. The same call through the KMS endpoint: allowed.
    policy_context_set(c->ctx, "aws:SourceVpce", ENDPOINT);
    in = json_pack("{s:s, s:s}", "KeyId", KEY_ID, "Plaintext", kms_b64(c, plain, sizeof(plain)));
    assert_int_equal(direct(f, "Encrypt", in), 0);
    assert_non_null(json_object_get(c->out, "CiphertextBlob"));
    policy_context_unset(c->ctx, "aws:SourceVpce");

    // 3. The same call from outside the endpoint, but made by S3 for the caller: allowed.
    const unsigned char *blob = NULL;
    size_t blob_len = 0;
    const char *arn = NULL;
    memset(&c->err, 0, sizeof(c->err));
    assert_int_equal(
        kms_internal_encrypt(c, VIA_S3, KEY_ID, NULL, plain, sizeof(plain), &blob, &blob_len, &arn),
        0);
    assert_string_equal(arn, "arn:aws:kms:us-east-1:" ACCOUNT ":key/" KEY_ID);
    const unsigned char *back = NULL;
    size_t back_len = 0;
    assert_int_equal(kms_internal_decrypt(c, VIA_S3, NULL, NULL, blob, blob_len, &back, &back_len),
                     0);
    assert_int_equal(back_len, sizeof(plain));
    assert_memory_equal(back, plain, sizeof(plain));
    // The caller's context is as it was: a direct Decrypt is still denied.
    in = json_pack("{s:s}", "CiphertextBlob", kms_b64(c, blob, blob_len));
    assert_int_equal(direct(f, "Decrypt", in), -1);
    assert_string_equal(c->err.code, "AccessDeniedException");
}

static void test_encryption_context_binds(void **state)
{
    struct fix *f = *state;
    struct svc_call *c = &f->call;
    put_key(f, s3_key_policy());
    json_t *ectx = json_pack("{s:s}", "aws:s3:arn", "arn:aws:s3:::bucket/key");
    json_t *other = json_pack("{s:s}", "aws:s3:arn", "arn:aws:s3:::bucket/other");
    const unsigned char *blob = NULL;
    size_t blob_len = 0;
    assert_int_equal(
        kms_internal_generate_data_key(c, VIA_S3, KEY_ID, ectx, 32, &blob, &blob_len, NULL), 0);
    const unsigned char *plain = NULL;
    size_t plain_len = 0;
    assert_int_equal(
        kms_internal_decrypt(c, VIA_S3, KEY_ID, ectx, blob, blob_len, &plain, &plain_len), 0);
    assert_int_equal(plain_len, 32);
    assert_int_equal(
        kms_internal_decrypt(c, VIA_S3, KEY_ID, other, blob, blob_len, &plain, &plain_len), -1);
    assert_string_equal(c->err.code, "InvalidCiphertextException");
    json_decref(ectx);
    json_decref(other);
}

static void test_managed_key(void **state)
{
    struct fix *f = *state;
    struct svc_call *c = &f->call;
    const unsigned char plain[] = "volume key";
    const unsigned char *blob = NULL;
    size_t blob_len = 0;
    const char *arn = NULL;
    // First use through S3 creates alias/aws/s3.
    assert_int_equal(kms_internal_encrypt(c, VIA_S3, "alias/aws/s3", NULL, plain, sizeof(plain),
                                          &blob, &blob_len, &arn),
                     0);
    struct kms_key k = {0};
    assert_int_equal(kms_key_find(c, "alias/aws/s3", &k), 0);
    assert_string_equal(kms_key_str(&k, "KeyManager"), "AWS");
    assert_string_equal(k.arn, arn);
    kms_key_release(&k);
    // A second use finds the same key.
    const char *arn2 = NULL;
    assert_int_equal(kms_internal_encrypt(c, VIA_S3, "alias/aws/s3", NULL, plain, sizeof(plain),
                                          &blob, &blob_len, &arn2),
                     0);
    assert_string_equal(arn, arn2);
    // Another service may not use it (kms:ViaService), nor may the account directly.
    assert_int_equal(kms_internal_decrypt(c, "ec2.us-east-1.amazonaws.com", NULL, NULL, blob,
                                          blob_len, &blob, &blob_len),
                     -1);
    assert_string_equal(c->err.code, "AccessDeniedException");
    json_t *in = json_pack("{s:s, s:s}", "KeyId", "alias/aws/s3", "Plaintext", "eA==");
    assert_int_equal(direct(f, "Encrypt", in), -1);
    assert_string_equal(c->err.code, "AccessDeniedException");
    // The account may describe it but not change its policy or schedule its deletion.
    assert_int_equal(direct(f, "DescribeKey", json_pack("{s:s}", "KeyId", "alias/aws/s3")), 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(c->out, "KeyMetadata"), "KeyManager")),
        "AWS");
    assert_int_equal(direct(f, "PutKeyPolicy",
                            json_pack("{s:s, s:s, s:s}", "KeyId", arn, "PolicyName", "default",
                                      "Policy", s3_key_policy())),
                     -1);
    assert_string_equal(c->err.code, "AccessDeniedException");
    assert_int_equal(direct(f, "ScheduleKeyDeletion", json_pack("{s:s}", "KeyId", arn)), -1);
    assert_string_equal(c->err.code, "AccessDeniedException");
    // An unknown AWS managed alias is not created.
    assert_int_equal(kms_internal_encrypt(c, VIA_S3, "alias/aws/nope", NULL, plain, sizeof(plain),
                                          &blob, &blob_len, NULL),
                     -1);
    assert_string_equal(c->err.code, "NotFoundException");
}

static void test_create_grant_for_aws_resource(void **state)
{
    struct fix *f = *state;
    struct svc_call *c = &f->call;
    put_key(f, "{\"Version\":\"2012-10-17\",\"Statement\":["
               "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ROOT_ARN "\"},"
               "\"NotAction\":\"kms:CreateGrant\",\"Resource\":\"*\"},"
               "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" ROOT_ARN "\"},"
               "\"Action\":\"kms:CreateGrant\",\"Resource\":\"*\",\"Condition\":"
               "{\"Bool\":{\"kms:GrantIsForAWSResource\":\"true\"}}}]}");
    static const char *const ops[] = {"Decrypt", "GenerateDataKeyWithoutPlaintext"};
    json_t *in = json_pack("{s:s, s:s, s:[s]}", "KeyId", KEY_ID, "GranteePrincipal", ROOT_ARN,
                           "Operations", "Decrypt");
    assert_int_equal(direct(f, "CreateGrant", in), -1);
    assert_string_equal(c->err.code, "AccessDeniedException");
    const char *grant_id = NULL;
    memset(&c->err, 0, sizeof(c->err));
    assert_int_equal(kms_internal_create_grant(c, "elasticfilesystem.us-east-1.amazonaws.com",
                                               KEY_ID, ROOT_ARN, NULL, ops, 2, NULL, &grant_id),
                     0);
    assert_int_equal(strlen(grant_id), 64);
    assert_false(policy_context_has(c->ctx, "kms:GrantIsForAWSResource"));
    assert_false(policy_context_has(c->ctx, "kms:ViaService"));
    // Operations the key cannot do are refused as by the API.
    static const char *const bad[] = {"Sign"};
    assert_int_equal(kms_internal_create_grant(c, "elasticfilesystem.us-east-1.amazonaws.com",
                                               KEY_ID, ROOT_ARN, NULL, bad, 1, NULL, &grant_id),
                     -1);
    assert_string_equal(c->err.code, "ValidationException");
}

static void test_unknown_key(void **state)
{
    struct fix *f = *state;
    struct svc_call *c = &f->call;
    const unsigned char *blob = NULL;
    size_t blob_len = 0;
    assert_int_equal(kms_internal_encrypt(c, VIA_S3, KEY_ID, NULL, (const unsigned char *)"x", 1,
                                          &blob, &blob_len, NULL),
                     -1);
    assert_string_equal(c->err.code, "NotFoundException");
    assert_int_equal(c->err.status, 400);
}

static int setup(void **state)
{
    struct fix *f = fix_open("sbkmsi", ACCOUNT, "s3", "PutObject");
    f->call.ctx = policy_context_new();
    // What the gateway sets on every direct request.
    policy_context_set(f->call.ctx, "aws:ViaAWSService", "false");
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
        cmocka_unit_test_setup_teardown(test_workshop_s3_key_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_encryption_context_binds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_managed_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_grant_for_aws_resource, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
