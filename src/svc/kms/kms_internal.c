// SPDX-License-Identifier: Apache-2.0
// KMS on a principal's behalf for other sagebox services; see kms_internal.h. Each call runs the
// API's own handler (svc_find) on a copy of the caller's svc_call whose input is built here, so
// that authorization, grants, key states and errors are exactly the API's.
//
// AWS managed keys (AWS KMS Developer Guide, "AWS managed keys"): created on first use under
// alias/aws/<service>, KeyManager AWS, and the key policy AWS gives them, as documented for
// aws/ebs ("Allow access through EBS for all principals in the account that are authorized to
// use EBS": kms:Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, CreateGrant, DescribeKey for
// Principal * with kms:CallerAccount = the account and kms:ViaService = the service; "Allow
// direct access to key metadata to the account": kms:Describe*, Get*, List*, RevokeGrant for the
// account root). Because that policy allows the account nothing else, PutKeyPolicy,
// ScheduleKeyDeletion, DisableKey and the like on such a key are denied by the policy engine,
// which is how AWS refuses them. The policy Id and the descriptions of services other than EBS
// and S3 follow the same pattern but are not verified against AWS.
#include "svc/kms/kms_internal.h"

#include "core/ids.h"
#include "svc/kms/kms_common.h"

#include <stdlib.h>
#include <string.h>

// The AWS managed keys sagebox creates: the alias suffix, the service whose endpoint uses the key
// (kms:ViaService is "<prefix>.<region>.amazonaws.com") and what the description names.
struct managed {
    const char *alias;
    const char *via_prefix;
    const char *what;
};

// In alias name order (kms_internal_predefined_alias).
static const struct managed managed_keys[] = {
    {"dynamodb", "dynamodb", "DynamoDB tables"},
    {"ebs", "ec2", "EBS volumes"},
    {"elasticfilesystem", "elasticfilesystem", "EFS file systems"},
    {"lambda", "lambda", "Lambda functions"},
    {"rds", "rds", "RDS databases"},
    {"s3", "s3", "S3 objects"},
    {"sagemaker", "sagemaker", "SageMaker resources"},
    {"secretsmanager", "secretsmanager", "Secrets Manager secrets"},
    {"ssm", "ssm", "SSM parameters"},
};

#define MANAGED_COUNT (sizeof(managed_keys) / sizeof(managed_keys[0]))

// The predefined alias names, "alias/aws/" + the table's names; see kms_internal.h.
const char *kms_internal_predefined_alias(size_t i)
{
    static const char *const names[] = {
        "alias/aws/dynamodb",
        "alias/aws/ebs",
        "alias/aws/elasticfilesystem",
        "alias/aws/lambda",
        "alias/aws/rds",
        "alias/aws/s3",
        "alias/aws/sagemaker",
        "alias/aws/secretsmanager",
        "alias/aws/ssm",
    };
    _Static_assert(sizeof(names) / sizeof(names[0]) == MANAGED_COUNT, "one name a managed key");
    return i < MANAGED_COUNT ? names[i] : NULL;
}

static const struct managed *managed_of(const char *key_ref)
{
    const char *name = key_ref;
    const char *alias = strstr(key_ref, ":alias/");
    if (strncmp(key_ref, "arn:", 4) == 0 && alias != NULL) {
        name = alias + 1;
    }
    if (strncmp(name, "alias/aws/", 10) != 0) {
        return NULL;
    }
    for (size_t i = 0; i < MANAGED_COUNT; i++) {
        if (strcmp(name + 10, managed_keys[i].alias) == 0) {
            return &managed_keys[i];
        }
    }
    return NULL;
}

// The managed key ensure_body creates: svc_run_txn takes a plain handler, so the table entry
// reaches the transaction body through this per-thread pointer.
static _Thread_local const struct managed *creating;

// The AWS managed key policy for m in the caller's account and region (arena).
static const char *managed_policy(struct svc_call *c, const struct managed *m)
{
    json_t *p = json_pack(
        "{s:s, s:s, s:[{s:s, s:s, s:{s:s}, s:[s,s,s,s,s,s], s:s, s:{s:{s:s, s:s}}},"
        " {s:s, s:s, s:{s:s}, s:[s,s,s,s], s:s}]}",
        "Version", "2012-10-17", "Id", kms_fmt(c, "auto-%s-2", m->alias), "Statement", "Sid",
        kms_fmt(c,
                "Allow access through %s for all principals in the account that are "
                "authorized to use %s",
                m->alias, m->alias),
        "Effect", "Allow", "Principal", "AWS", "*", "Action", "kms:Encrypt", "kms:Decrypt",
        "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey", "Resource",
        "*", "Condition", "StringEquals", "kms:CallerAccount", c->caller->account, "kms:ViaService",
        kms_fmt(c, "%s.%s.amazonaws.com", m->via_prefix, c->region), "Sid",
        "Allow direct access to key metadata to the account", "Effect", "Allow", "Principal", "AWS",
        kms_fmt(c, "arn:%s:iam::%s:root", c->env->partition, c->caller->account), "Action",
        "kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant", "Resource", "*");
    char *text = json_dumps(p, JSON_COMPACT);
    const char *out = kms_fmt(c, "%s", text);
    free(text);
    json_decref(p);
    return out;
}

static int put(struct svc_call *c, const char *kind, const char *id, const char *name,
               const char *parent, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    struct store_obj o = {
        .account = c->caller->account,
        .region = c->region,
        .kind = kind,
        .id = id,
        .name = name,
        .parent = parent,
        .doc = text,
        .doc_len = strlen(text),
    };
    struct store_err e = {{0}};
    int rc = store_put(c->env->store, &o, STORE_CREATE, &e);
    free(text);
    return rc == 0 ? 0 : kms_store_error(c, rc, &e);
}

// Creates the AWS managed key `creating` unless its alias exists (runs in a write transaction).
static int ensure_body(struct svc_call *c)
{
    const struct managed *m = creating;
    const char *alias = kms_fmt(c, "alias/aws/%s", m->alias);
    struct store_scope sc = kms_scope(c, KMS_KIND_ALIAS);
    struct store_err e = {{0}};
    int rc = store_get(c->env->store, &sc, alias, NULL, NULL, &e);
    if (rc == 0) {
        return 0;
    }
    if (rc != SB_ENOTFOUND) {
        return kms_store_error(c, rc, &e);
    }
    char id[KMS_KEY_ID_LEN + 1];
    ids_uuid4(id);
    const char *arn = kms_key_arn(c, id);
    json_t *versions = json_array();
    if (kms_add_version(c, id, KMS_SPEC_SYMMETRIC_DEFAULT, 1, versions) != 0) {
        json_decref(versions);
        return -1;
    }
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:I, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:b}", "AWSAccountId",
        c->caller->account, "KeyId", id, "Arn", arn, "CreationDate", (json_int_t)c->now, "Enabled",
        1, "Description",
        kms_fmt(c, "Default key that protects my %s when no other key is defined", m->what),
        "KeyUsage", "ENCRYPT_DECRYPT", "KeyState", "Enabled", "Origin", "AWS_KMS", "KeyManager",
        "AWS", "CustomerMasterKeySpec", "SYMMETRIC_DEFAULT", "KeySpec", "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms", "SYMMETRIC_DEFAULT", "MultiRegion", 0);
    // AWS rotates AWS managed keys every year (AWS KMS Developer Guide, "Rotating keys").
    json_object_set_new(doc, "_",
                        json_pack("{s:o, s:s, s:{s:b, s:i, s:I}, s:[]}", "versions", versions,
                                  "policy", managed_policy(c, m), "rotation", "enabled", 1,
                                  "period", 365, "next", (json_int_t)c->now + 365 * 86400, "tags"));
    rc = put(c, KMS_KIND_KEY, id, NULL, NULL, doc);
    json_decref(doc);
    if (rc != 0) {
        return -1;
    }
    json_t *ad = json_pack("{s:s, s:s, s:s, s:I, s:I}", "AliasName", alias, "AliasArn",
                           kms_alias_arn(c, alias), "TargetKeyId", id, "CreationDate",
                           (json_int_t)c->now, "LastUpdatedDate", (json_int_t)c->now);
    rc = put(c, KMS_KIND_ALIAS, alias, alias, id, ad);
    json_decref(ad);
    return rc;
}

// Creates an AWS managed key on first use; see kms_internal.h.
int kms_internal_ensure_managed(struct svc_call *c, const char *key_ref)
{
    const struct managed *m = key_ref != NULL ? managed_of(key_ref) : NULL;
    if (m == NULL) {
        return 0;
    }
    creating = m;
    return svc_run_txn(c, true, ensure_body, kms_store_error);
}

// Runs KMS operation op for service via with input in (stolen) on behalf of c's caller; on
// success *out gets the output tree (new reference). grant_for_resource sets
// kms:GrantIsForAWSResource. Returns 0 or -1 with c->err set.
static int call(struct svc_call *c, const char *via, const char *op, json_t *in,
                bool grant_for_resource, json_t **out)
{
    *out = NULL;
    svc_handler_fn fn = svc_find("kms", op);
    const char *key_ref = json_string_value(json_object_get(in, "KeyId"));
    if (fn == NULL) {
        json_decref(in);
        return awserr_set(&c->err, 500, "KMSInternalException",
                          "The request was rejected because an internal exception occurred.");
    }
    if (kms_internal_ensure_managed(c, key_ref) != 0) {
        json_decref(in);
        return -1;
    }
    struct svc_call sub = *c;
    sub.service = "kms";
    sub.operation = op;
    sub.in = in;
    sub.out = NULL;
    sub.kms_grant_allows = false;
    memset(&sub.err, 0, sizeof(sub.err));
    // Direct requests carry aws:ViaAWSService "false" (the gateway sets it); it is put back.
    bool had_via = policy_context_has(c->ctx, "aws:ViaAWSService");
    policy_context_set(c->ctx, "kms:ViaService", via);
    policy_context_set(c->ctx, "aws:ViaAWSService", "true");
    if (grant_for_resource) {
        policy_context_set(c->ctx, "kms:GrantIsForAWSResource", "true");
    }
    int rc = fn(&sub);
    policy_context_unset(c->ctx, "kms:ViaService");
    policy_context_unset(c->ctx, "aws:ViaAWSService");
    if (had_via) {
        policy_context_set(c->ctx, "aws:ViaAWSService", "false");
    }
    policy_context_unset(c->ctx, "kms:GrantIsForAWSResource");
    // The request's log line keeps the decision on the caller's own action; KMS's decision is
    // recorded only when the call made none of its own yet (or when KMS denied).
    if (c->decision[0] == '\0' || rc != 0) {
        memcpy(c->decision, sub.decision, sizeof(c->decision));
    }
    json_decref(in);
    if (rc != 0) {
        c->err = sub.err;
        json_decref(sub.out);
        return -1;
    }
    *out = sub.out;
    return 0;
}

// The bytes of a base64 output member (arena).
static const unsigned char *out_bytes(struct svc_call *c, const json_t *out, const char *member,
                                      size_t *len)
{
    const char *text = json_string_value(json_object_get(out, member));
    *len = 0;
    return text != NULL ? kms_unb64(c, text, len) : NULL;
}

static const char *out_str(struct svc_call *c, const json_t *out, const char *member)
{
    const char *s = json_string_value(json_object_get(out, member));
    return s != NULL ? kms_fmt(c, "%s", s) : NULL;
}

static json_t *input(const char *key_ref, const json_t *ectx)
{
    json_t *in = json_object();
    if (key_ref != NULL) {
        json_object_set_new(in, "KeyId", json_string(key_ref));
    }
    if (ectx != NULL) {
        json_object_set_new(in, "EncryptionContext", json_deep_copy(ectx));
    }
    return in;
}

// Encrypt on a principal's behalf; see kms_internal.h.
int kms_internal_encrypt(struct svc_call *c, const char *via, const char *key_ref,
                         const json_t *ectx, const unsigned char *plain, size_t plain_len,
                         const unsigned char **blob, size_t *blob_len, const char **key_arn)
{
    struct kms_raw_io io = {.in = plain, .in_len = plain_len};
    json_t *out;
    kms_raw_io_set(&io);
    int rc = call(c, via, "Encrypt", input(key_ref, ectx), false, &out);
    kms_raw_io_set(NULL);
    if (rc != 0) {
        return -1;
    }
    *blob = io.out;
    *blob_len = io.out_len;
    if (key_arn != NULL) {
        *key_arn = out_str(c, out, "KeyId");
    }
    json_decref(out);
    return 0;
}

// Decrypt on a principal's behalf; see kms_internal.h.
int kms_internal_decrypt(struct svc_call *c, const char *via, const char *key_ref,
                         const json_t *ectx, const unsigned char *blob, size_t blob_len,
                         const unsigned char **plain, size_t *plain_len)
{
    struct kms_raw_io io = {.in = blob, .in_len = blob_len};
    json_t *out;
    kms_raw_io_set(&io);
    int rc = call(c, via, "Decrypt", input(key_ref, ectx), false, &out);
    kms_raw_io_set(NULL);
    if (rc != 0) {
        return -1;
    }
    *plain = io.out;
    *plain_len = io.out_len;
    json_decref(out);
    return 0;
}

// GenerateDataKeyWithoutPlaintext on a principal's behalf; see kms_internal.h.
int kms_internal_generate_data_key(struct svc_call *c, const char *via, const char *key_ref,
                                   const json_t *ectx, size_t key_bytes, const unsigned char **blob,
                                   size_t *blob_len, const char **key_arn)
{
    json_t *in = input(key_ref, ectx);
    json_object_set_new(in, "NumberOfBytes", json_integer((json_int_t)key_bytes));
    json_t *out;
    if (call(c, via, "GenerateDataKeyWithoutPlaintext", in, false, &out) != 0) {
        return -1;
    }
    *blob = out_bytes(c, out, "CiphertextBlob", blob_len);
    if (key_arn != NULL) {
        *key_arn = out_str(c, out, "KeyId");
    }
    json_decref(out);
    return 0;
}

// CreateGrant for an AWS resource on a principal's behalf; see kms_internal.h.
int kms_internal_create_grant(struct svc_call *c, const char *via, const char *key_ref,
                              const char *grantee, const char *retiring, const char *const *ops,
                              size_t ops_count, const json_t *constraints, const char **grant_id)
{
    json_t *in = input(key_ref, NULL);
    json_object_set_new(in, "GranteePrincipal", json_string(grantee));
    if (retiring != NULL) {
        json_object_set_new(in, "RetiringPrincipal", json_string(retiring));
    }
    json_t *list = json_array();
    for (size_t i = 0; i < ops_count; i++) {
        json_array_append_new(list, json_string(ops[i]));
    }
    json_object_set_new(in, "Operations", list);
    if (constraints != NULL) {
        json_object_set_new(in, "Constraints", json_deep_copy(constraints));
    }
    json_t *out;
    if (call(c, via, "CreateGrant", in, true, &out) != 0) {
        return -1;
    }
    *grant_id = out_str(c, out, "GrantId");
    json_decref(out);
    return 0;
}
