// SPDX-License-Identifier: Apache-2.0
// The interface other sagebox services (S3, EFS, EBS for SageMaker) use to call AWS KMS on a
// principal's behalf: "service S acts for caller P with this request context". The call is the
// real KMS operation (the same handler, authorization and errors as the API) with the condition
// keys AWS adds when a service calls KMS for a principal (AWS KMS Developer Guide,
// "kms:ViaService"; IAM User Guide, "aws:ViaAWSService"): kms:ViaService = S, aws:ViaAWSService =
// true, and for grants kms:GrantIsForAWSResource = true. The global keys of P's request
// (aws:SourceVpce, aws:SourceVpc, aws:SourceIp ...) are the ones already in c->ctx.
//
// Keys are named as in the API: a key id, key ARN, alias name or alias ARN. An AWS managed key
// alias ("alias/aws/s3", "alias/aws/ebs", "alias/aws/sagemaker", "alias/aws/elasticfilesystem",
// ...) is created on first use with KeyManager AWS and the AWS managed key policy, which lets
// principals of the account use the key only through that service.
//
// Every function runs its own store transaction, so it must be called outside one. On failure
// c->err holds the KMS error exactly as the API would return it (NotFoundException,
// DisabledException, AccessDeniedException with the engine's message ...).
#ifndef SAGEBOX_KMS_INTERNAL_H
#define SAGEBOX_KMS_INTERNAL_H

#include "svc/svc.h"

#include <stddef.h>

// Encrypts plain[0..plain_len) under key_ref with the encryption context ectx (a JSON object of
// strings, or NULL) for service via ("s3.us-east-1.amazonaws.com"). On success returns 0, and
// *blob/*blob_len get the ciphertext blob and *key_arn the key's ARN (all in c's arena; key_arn
// may be NULL). Returns -1 with c->err set otherwise.
int kms_internal_encrypt(struct svc_call *c, const char *via, const char *key_ref,
                         const json_t *ectx, const unsigned char *plain, size_t plain_len,
                         const unsigned char **blob, size_t *blob_len, const char **key_arn);

// Decrypts blob[0..blob_len) (key_ref may be NULL: the key is found from the blob) with the
// encryption context ectx for service via. On success returns 0 with the plaintext in
// *plain/*plain_len (in c's arena: the caller wipes it when it is secret). Returns -1 with c->err
// set otherwise.
int kms_internal_decrypt(struct svc_call *c, const char *via, const char *key_ref,
                         const json_t *ectx, const unsigned char *blob, size_t blob_len,
                         const unsigned char **plain, size_t *plain_len);

// GenerateDataKeyWithoutPlaintext for service via: a new data key of key_bytes bytes (1..1024)
// encrypted under key_ref with ectx. On success returns 0 with the ciphertext blob in
// *blob/*blob_len and the key ARN in *key_arn (arena; key_arn may be NULL). Returns -1 with
// c->err set otherwise.
int kms_internal_generate_data_key(struct svc_call *c, const char *via, const char *key_ref,
                                   const json_t *ectx, size_t key_bytes, const unsigned char **blob,
                                   size_t *blob_len, const char **key_arn);

// CreateGrant for an AWS resource (kms:GrantIsForAWSResource true) made by service via for the
// caller: grantee (and retiring, may be NULL) principals, the grant operations ops[0..ops_count)
// and the constraints (a GrantConstraints object, or NULL). On success returns 0 with the grant id
// in *grant_id (arena). Returns -1 with c->err set otherwise.
int kms_internal_create_grant(struct svc_call *c, const char *via, const char *key_ref,
                              const char *grantee, const char *retiring, const char *const *ops,
                              size_t ops_count, const json_t *constraints, const char **grant_id);

// Creates the AWS managed key that key_ref names (an alias/aws/<service> name or alias ARN of a
// service sagebox knows) when it does not exist yet, in its own write transaction; DescribeKey
// calls it too ("If you call DescribeKey on a predefined AWS alias ... KMS creates an AWS managed
// key", DescribeKey API Reference). Returns 0 (also when key_ref names no AWS managed key or
// key_ref is NULL) or -1 with c->err set on a store failure.
int kms_internal_ensure_managed(struct svc_call *c, const char *key_ref);

// The predefined AWS managed alias names ("alias/aws/s3" ...), in name order: the i-th, or NULL
// past the last. ListAliases shows those whose key does not exist yet without a TargetKeyId, as
// AWS does ("predefined aliases that AWS has created but has not yet associated with a KMS
// key", ListAliases API Reference).
const char *kms_internal_predefined_alias(size_t i);

#endif
