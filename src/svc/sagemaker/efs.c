// SPDX-License-Identifier: Apache-2.0
// The home EFS file system of a SageMaker domain; see efs.h.
#define _XOPEN_SOURCE 700
#include "svc/sagemaker/efs.h"

#include "svc/ec2/ec2_common.h"
#include "svc/ec2/enis.h"
#include "svc/iam/role_use.h"
#include "svc/kms/kms_common.h"
#include "svc/kms/kms_internal.h"
#include "svc/sagemaker/sm_common.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NFS_PORT 2049

const char *sm_efs_dir(struct svc_call *c, const char *fs_id)
{
    const char *base = c->env->data_dir != NULL ? c->env->data_dir : ".";
    return sm_fmt(c, "%s/efs/%s", base, fs_id);
}

// mkdir with mode 0700 that accepts an existing directory. Returns 0 or -1 (500 in c->err).
static int make_dir(struct svc_call *c, const char *path)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        return svc_internal_error(c, sm_fmt(c, "mkdir %s: %s", path, strerror(errno)));
    }
    return 0;
}

static const struct ec2_kind *kind(const char *store_kind)
{
    return ec2_kind_by_store(store_kind);
}

// One security-group permission for TCP 2049 with the group peer as its pair (new reference).
static json_t *nfs_perm(struct svc_call *c, const char *peer)
{
    return json_pack("{s:s, s:i, s:i, s:[{s:s, s:s}], s:[], s:[], s:[]}", "IpProtocol", "tcp",
                     "FromPort", NFS_PORT, "ToPort", NFS_PORT, "UserIdGroupPairs", "GroupId", peer,
                     "UserId", c->caller->account, "IpRanges", "Ipv6Ranges", "PrefixListIds");
}

// Writes one NFS security group (egress: the rule goes out to peer; else it comes in from peer)
// with its one rule object. Returns 0 or -1.
static int put_nfs_group(struct svc_call *c, const char *vpc_id, const char *id, const char *name,
                         const char *desc, const char *peer, bool egress, const char *domain_arn)
{
    json_t *sg = json_pack("{s:s, s:s, s:[], s:s, s:s, s:[], s:s, s:[{s:s, s:s}]}", "Description",
                           desc, "GroupName", name, "IpPermissions", "OwnerId", c->caller->account,
                           "GroupId", id, "IpPermissionsEgress", "VpcId", vpc_id, "Tags", "Key",
                           "ManagedByAmazonSageMakerResource", "Value", domain_arn);
    json_array_append_new(json_object_get(sg, egress ? "IpPermissionsEgress" : "IpPermissions"),
                          nfs_perm(c, peer));
    const char *rule_id = ec2_new_id(c, "sgr");
    json_t *rule =
        json_pack("{s:s, s:s, s:s, s:b, s:s, s:i, s:i, s:{s:s, s:s}}", "SecurityGroupRuleId",
                  rule_id, "GroupId", id, "GroupOwnerId", c->caller->account, "IsEgress", egress,
                  "IpProtocol", "tcp", "FromPort", NFS_PORT, "ToPort", NFS_PORT,
                  "ReferencedGroupInfo", "GroupId", peer, "UserId", c->caller->account);
    int rc = ec2_put(c, kind(EC2_KIND_SG), id, vpc_id, NULL, sg, STORE_CREATE);
    if (rc == 0) {
        rc = ec2_put(c, kind(EC2_KIND_SGR), rule_id, vpc_id, id, rule, STORE_CREATE);
    }
    json_decref(sg);
    json_decref(rule);
    return rc;
}

// Creates the two NFS security groups of a VpcOnly domain; stores their ids in in/out.
static int make_nfs_groups(struct svc_call *c, const char *domain_id, const char *domain_arn,
                           const char *vpc_id, const char **in, const char **out)
{
    *in = ec2_new_id(c, "sg");
    *out = ec2_new_id(c, "sg");
    if (put_nfs_group(c, vpc_id, *in, sm_fmt(c, "security-group-for-inbound-nfs-%s", domain_id),
                      sm_fmt(c,
                             "[DO NOT DELETE] Security Group that allows inbound NFS traffic "
                             "for SageMaker Notebooks Domain [%s]",
                             domain_id),
                      *out, false, domain_arn) != 0) {
        return -1;
    }
    return put_nfs_group(c, vpc_id, *out,
                         sm_fmt(c, "security-group-for-outbound-nfs-%s", domain_id),
                         sm_fmt(c,
                                "[DO NOT DELETE] Security Group that allows outbound NFS "
                                "traffic for SageMaker Notebooks Domain [%s]",
                                domain_id),
                         *in, true, domain_arn);
}

// Creates the mount target of fs_id in subnet (its document). Returns 0 or -1.
static int make_mount_target(struct svc_call *c, const char *fs_id, const json_t *subnet,
                             const char *nfs_in)
{
    const char *mt_id = ec2_new_id(c, "fsmt");
    const char *groups[1] = {nfs_in};
    struct ec2_eni_spec spec = {
        .subnet_id = ec2_str(subnet, "SubnetId"),
        .description = sm_fmt(c, "EFS mount target for %s (%s)", fs_id, mt_id),
        .interface_type = "efs",
        .requester_managed = true,
        .requester_id = c->caller->account,
        .group_ids = nfs_in != NULL ? groups : NULL,
        .group_count = nfs_in != NULL ? 1 : 0,
        .owner_resource = mt_id,
    };
    const char *eni_id = NULL;
    const char *ip = NULL;
    if (ec2_eni_create(c, &spec, &eni_id, &ip) != 0) {
        return -1;
    }
    json_t *mt = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "OwnerId", c->caller->account,
        "MountTargetId", mt_id, "FileSystemId", fs_id, "SubnetId", spec.subnet_id, "LifeCycleState",
        "available", "IpAddress", ip, "NetworkInterfaceId", eni_id, "AvailabilityZoneId",
        ec2_str(subnet, "AvailabilityZoneId") ? ec2_str(subnet, "AvailabilityZoneId") : "",
        "AvailabilityZoneName", ec2_str(subnet, "AvailabilityZone"), "VpcId",
        ec2_str(subnet, "VpcId"));
    int rc = sm_put(c, EFS_KIND_MT, mt_id, fs_id, NULL, mt, true);
    json_decref(mt);
    return rc;
}

// The endpoint EFS calls KMS through (kms:ViaService).
static const char *efs_via(struct svc_call *c)
{
    return sm_fmt(c, "elasticfilesystem.%s.amazonaws.com", c->region);
}

// Runs KMS as a session of the domain's default execution role, the principal the domain's KMS
// grant names (domains.c), through the EFS endpoint, with EFS's encryption context of file
// system fs_id: a new data key (decrypt false: *blob gets its ciphertext) or the plaintext of
// the data key blob (decrypt true: *key gets 32 bytes). Returns 0, or -1 with c->err set to the
// KMS error (DisabledException, AccessDeniedException ...).
static int data_key(struct svc_call *c, const json_t *domain, const char *fs_id,
                    const char *key_arn, bool decrypt, const unsigned char **blob, size_t *len)
{
    const char *role_arn = sm_str(json_object_get(domain, "DefaultUserSettings"), "ExecutionRole");
    json_t *role = NULL;
    int found = role_arn != NULL ? svc_role_load(c, role_arn, &role) : 0;
    if (found <= 0) {
        // not verified against AWS
        return found < 0 ? -1
                         : sm_error(c, "ValidationException",
                                    "The execution role %s of the domain does not exist.",
                                    role_arn ? role_arn : "");
    }
    struct svc_role_session rs;
    svc_role_session_begin(c, role, "SageMaker", "kms", &rs);
    json_t *ectx = json_pack("{s:s}", "aws:elasticfilesystem:filesystem:id", fs_id);
    int rc = decrypt
                 ? kms_internal_decrypt(&rs.call, efs_via(c), NULL, ectx, *blob, *len, blob, len)
                 : kms_internal_generate_data_key(&rs.call, efs_via(c), key_arn, ectx,
                                                  KMS_SYMMETRIC_KEY_LEN, blob, len, NULL);
    if (rc != 0) {
        c->err = rs.call.err;
    }
    json_decref(ectx);
    svc_role_session_end(&rs);
    json_decref(role);
    return rc;
}

int sm_efs_create(struct svc_call *c, json_t *domain, const char *key_arn, const char **fs_id)
{
    const char *domain_id = sm_str(domain, "DomainId");
    const char *domain_arn = sm_str(domain, "DomainArn");
    const char *vpc_id = sm_str(domain, "VpcId");
    const char *mode = sm_str(domain, "AppNetworkAccessType");
    const char *id = ec2_new_id(c, "fs");
    const char *nfs_in = NULL;
    const char *nfs_out = NULL;
    // The file system's data key under the domain's KMS key: what its contents are encrypted with.
    const unsigned char *blob = NULL;
    size_t blob_len = 0;
    if (data_key(c, domain, id, key_arn, false, &blob, &blob_len) != 0) {
        return -1;
    }
    if (mode != NULL && strcmp(mode, "VpcOnly") == 0) {
        if (make_nfs_groups(c, domain_id, domain_arn, vpc_id, &nfs_in, &nfs_out) != 0) {
            return -1;
        }
        json_object_set_new(sm_internal(domain), "nfs_groups", json_pack("[s,s]", nfs_in, nfs_out));
    }
    // One mount target per Availability Zone: the first subnet of each zone gets it.
    const json_t *subnets = json_object_get(domain, "SubnetIds");
    json_t *zones = json_object();
    size_t i;
    const json_t *s;
    size_t mounts = 0;
    int rc = 0;
    json_array_foreach(subnets, i, s)
    {
        json_t *sub = NULL;
        rc = ec2_get(c, kind(EC2_KIND_SUBNET), json_string_value(s), NULL, &sub);
        if (rc == SB_ENOTFOUND) {
            rc = ec2_err_not_found(c, kind(EC2_KIND_SUBNET), json_string_value(s));
        }
        if (rc != 0) {
            json_decref(sub);
            break;
        }
        const char *az = ec2_str(sub, "AvailabilityZone");
        if (az != NULL && json_object_get(zones, az) == NULL) {
            json_object_set_new(zones, az, json_true());
            rc = make_mount_target(c, id, sub, nfs_in);
            mounts++;
        }
        json_decref(sub);
        if (rc != 0) {
            break;
        }
    }
    json_decref(zones);
    if (rc != 0) {
        return -1;
    }
    json_t *fs = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:i, s:{s:i}, s:s, s:b, s:s, s:s, "
        "s:[{s:s, s:s}], s:{s:s}}",
        "OwnerId", c->caller->account, "CreationToken", domain_id, "FileSystemId", id,
        "FileSystemArn",
        sm_fmt(c, "arn:%s:elasticfilesystem:%s:%s:file-system/%s", c->env->partition, c->region,
               c->caller->account, id),
        "CreationTime", sm_now(c), "LifeCycleState", "available", "Name", domain_id,
        "NumberOfMountTargets", (int)mounts, "SizeInBytes", "Value", 6144, "PerformanceMode",
        "generalPurpose", "Encrypted", 1, "KmsKeyId", key_arn, "ThroughputMode", "bursting", "Tags",
        "Key", "ManagedByAmazonSageMakerResource", "Value", domain_arn, "_", "domain", domain_id);
    json_object_set_new(sm_internal(fs), "data_key", kms_b64_json(c, blob, blob_len));
    rc = sm_put(c, EFS_KIND_FS, id, NULL, NULL, fs, true);
    json_decref(fs);
    if (rc != 0) {
        return -1;
    }
    if (make_dir(c, sm_fmt(c, "%s/efs", c->env->data_dir ? c->env->data_dir : ".")) != 0 ||
        make_dir(c, sm_efs_dir(c, id)) != 0) {
        return -1;
    }
    *fs_id = id;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 ? 0 : -1;
}

// Deletes a security group the domain made with its rule objects.
static int drop_group(struct svc_call *c, const char *group_id)
{
    json_t *sg = NULL;
    struct store_obj obj;
    int rc = ec2_get(c, kind(EC2_KIND_SG), group_id, &obj, &sg);
    if (rc == SB_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return -1;
    }
    const char *vpc_id = ec2_str(sg, "VpcId");
    struct store_obj *rules;
    size_t n;
    rc = ec2_list_all(c, kind(EC2_KIND_SGR), vpc_id, group_id, &rules, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = ec2_delete(c, kind(EC2_KIND_SGR), rules[i].id);
    }
    if (rc == 0) {
        rc = ec2_delete(c, kind(EC2_KIND_SG), group_id);
    }
    json_decref(sg);
    return rc;
}

int sm_efs_delete(struct svc_call *c, const char *fs_id, const json_t *domain)
{
    struct store_scope sc = sm_scope(c, EFS_KIND_MT);
    struct store_list_opts lo = {.parent = fs_id, .limit = STORE_LIST_MAX};
    struct store_list l;
    struct store_err e = {{0}};
    int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
    if (rc != 0) {
        return sm_store_error(c, rc, &e);
    }
    for (size_t i = 0; i < l.count; i++) {
        struct sm_obj mt;
        int found = sm_get(c, EFS_KIND_MT, l.items[i].id, &mt);
        if (found < 0) {
            return -1;
        }
        if (found == 0) {
            continue;
        }
        const char *eni = sm_str(mt.doc, "NetworkInterfaceId");
        rc = eni != NULL ? ec2_eni_delete(c, eni) : 0;
        sm_obj_release(&mt);
        if (rc != 0) {
            return -1;
        }
        rc = store_delete(c->env->store, &sc, l.items[i].id, &e);
        if (rc != 0 && rc != SB_ENOTFOUND) {
            return sm_store_error(c, rc, &e);
        }
    }
    // The outbound group references the inbound one and the reverse: rules first, then groups.
    const json_t *groups = json_object_get(json_object_get(domain, "_"), "nfs_groups");
    size_t i;
    const json_t *g;
    json_array_foreach(groups, i, g)
    {
        if (drop_group(c, json_string_value(g)) != 0) {
            return -1;
        }
    }
    struct store_scope fsc = sm_scope(c, EFS_KIND_FS);
    rc = store_delete(c->env->store, &fsc, fs_id, &e);
    if (rc != 0 && rc != SB_ENOTFOUND) {
        return sm_store_error(c, rc, &e);
    }
    // The data goes with the file system; a directory already gone is fine.
    const char *dir = sm_efs_dir(c, fs_id);
    if (access(dir, F_OK) == 0 && nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
        return svc_internal_error(c, sm_fmt(c, "removing %s: %s", dir, strerror(errno)));
    }
    return 0;
}

// Writes the home's marker file: IV || AES-256-GCM(data key, "uid=UID name=NAME") || tag.
static int write_marker(struct svc_call *c, const char *path, const unsigned char *key, long uid,
                        const char *name)
{
    const char *plain = sm_fmt(c, "uid=%ld name=%s\n", uid, name);
    size_t len = strlen(plain);
    unsigned char *out = arena_alloc(c->arena, KMS_BLOB_IV_LEN + len + KMS_BLOB_TAG_LEN);
    kms_random(out, KMS_BLOB_IV_LEN);
    if (kms_gcm_seal(key, out, (const unsigned char *)path, strlen(path),
                     (const unsigned char *)plain, len, out + KMS_BLOB_IV_LEN,
                     out + KMS_BLOB_IV_LEN + len) != 0) {
        return svc_internal_error(c, "the home marker does not seal");
    }
    FILE *f = fopen(path, "wb");
    size_t total = KMS_BLOB_IV_LEN + len + KMS_BLOB_TAG_LEN;
    bool ok = f != NULL && fwrite(out, 1, total, f) == total;
    if (f != NULL && fclose(f) != 0) {
        ok = false;
    }
    return ok ? 0 : svc_internal_error(c, "the home marker cannot be written");
}

int sm_efs_home_create(struct svc_call *c, const char *domain_id, const char *profile, long uid)
{
    struct sm_obj d;
    struct sm_obj fs = {0};
    const unsigned char *key = NULL; // the plaintext data key once decrypted
    size_t len = 0;
    int found = sm_get(c, SM_KIND_DOMAIN, domain_id, &d);
    if (found < 0) {
        return -1;
    }
    const char *fs_id = found > 0 ? sm_str(d.doc, "HomeEfsFileSystemId") : NULL;
    int rc = -1;
    if (fs_id == NULL) {
        // not verified against AWS
        sm_error(c, "ResourceNotFound", "Domain %s has no home file system", domain_id);
        goto out;
    }
    found = sm_get(c, EFS_KIND_FS, fs_id, &fs);
    const char *wrapped = found > 0 ? sm_str(sm_internal(fs.doc), "data_key") : NULL;
    if (wrapped == NULL) {
        if (found >= 0) {
            sm_error(c, "ResourceNotFound", "Domain %s has no home file system", domain_id);
        }
        goto out;
    }
    // The data key, through the domain's KMS key: a disabled or deleted key makes the file
    // system unusable, and the home is not made (the profile fails with KMS's reason).
    key = kms_unb64(c, wrapped, &len);
    if (data_key(c, d.doc, fs_id, NULL, true, &key, &len) != 0) {
        key = NULL; // still the blob, not a secret
        goto out;
    }
    if (len != KMS_SYMMETRIC_KEY_LEN) {
        svc_internal_error(c, "the data key of a file system has the wrong size");
        goto out;
    }
    const char *dir = sm_efs_dir(c, fs_id);
    const char *home = sm_fmt(c, "%s/%ld", dir, uid);
    if (make_dir(c, dir) != 0 || make_dir(c, home) != 0 ||
        write_marker(c, sm_fmt(c, "%s/.sagebox-home", home), key, uid, profile) != 0) {
        goto out;
    }
    rc = 0;
out:
    if (key != NULL && len > 0) {
        explicit_bzero((void *)key, len); // the plaintext data key (request arena)
    }
    sm_obj_release(&fs);
    sm_obj_release(&d);
    return rc;
}
