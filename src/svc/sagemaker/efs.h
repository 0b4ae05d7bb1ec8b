// SPDX-License-Identifier: Apache-2.0
// The home EFS file system of a SageMaker domain (Amazon SageMaker Developer Guide, "Amazon EFS
// volume of a domain"; Amazon EFS API Reference for the shapes): when a domain is created,
// SageMaker creates an encrypted EFS file system tagged ManagedByAmazonSageMakerResource = the
// domain's ARN, one mount target in each Availability Zone of the domain's subnets (each an ENI
// of interface type "efs" taking an address of its subnet), and, in VpcOnly mode, the two NFS
// security groups "security-group-for-inbound-nfs-DOMAINID" and
// "security-group-for-outbound-nfs-DOMAINID". The file system's contents are a real directory
// tree under DATA_DIR/efs/FSID/ (mode 0700), with one home directory per user profile named by
// its POSIX uid. The file system has a data key (32 bytes) under the domain's KMS key, made with
// GenerateDataKeyWithoutPlaintext through the EFS endpoint (kms:ViaService
// elasticfilesystem.REGION.amazonaws.com, encryption context aws:elasticfilesystem:filesystem:id)
// as a session of the domain's execution role, which the domain's KMS grant names; its
// ciphertext is kept in the file system's "_".data_key. What is written into a home is encrypted
// with it (AES-256-GCM): for now a marker file, .sagebox-home. A disabled or deleted key makes
// the data key undecryptable, so no home can be made (and, with the app runtime, none read).
//
// Store layout: kinds efs.fs and efs.mt of sm_common.h. Every function here joins the caller's
// store transaction (a SageMaker task's or a handler's) and leaves c->err set on failure.
#ifndef SAGEBOX_SM_EFS_H
#define SAGEBOX_SM_EFS_H

#include "svc/svc.h"

#include <stdbool.h>

// Creates the home file system of domain (its document as stored: DomainId, DomainArn, VpcId,
// SubnetIds, AppNetworkAccessType) encrypted under key_arn (the ARN of a usable KMS key), with
// its mount targets, the NFS security groups in VpcOnly mode, and its directory. Stores the new
// file system id in *fs_id (arena) and the ids of the security groups it made, if any, in the
// domain's internal member "_" ("nfs_groups": [inbound, outbound]). Returns 0, or -1 with c->err
// set (an EC2 error of ec2_eni_create such as InsufficientFreeAddressesInSubnet, or a 500).
int sm_efs_create(struct svc_call *c, json_t *domain, const char *key_arn, const char **fs_id);

// Deletes file system fs_id with its mount targets (and their ENIs), the NFS security groups
// listed in the domain's "_" member (domain may be NULL), and its directory tree. A file system
// that is already gone is not an error. Returns 0 or -1 with c->err set.
int sm_efs_delete(struct svc_call *c, const char *fs_id, const json_t *domain);

// Creates the home directory of user profile `profile` of domain domain_id: DATA_DIR/efs/FSID/
// UID/ (mode 0700; an existing one is kept) in the domain's home file system. Returns 0, or -1
// with c->err set: ResourceNotFound when the domain does not exist or has no file system yet
// (not InService), the KMS error when the file system's data key does not decrypt (a disabled
// key: DisabledException), 500 when the directory cannot be made. Writes the home's marker file
// encrypted with the data key.
int sm_efs_home_create(struct svc_call *c, const char *domain_id, const char *profile, long uid);

// The directory of file system fs_id: DATA_DIR/efs/FSID (arena).
const char *sm_efs_dir(struct svc_call *c, const char *fs_id);

#endif
