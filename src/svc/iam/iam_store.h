// SPDX-License-Identifier: Apache-2.0
// How IAM and STS keep their state in the store: one object kind per entity, all in the account's
// global region (""). Every module of src/svc/iam and src/svc/sts follows this layout; it is the
// contract between the IAM operations, the credential lookup of the auth layer and the loading of
// a caller's policies for authorization.
//
// clang-format off
// kind                 id                     name (ci)   parent         key2  doc (JSON)
// iam.account          the account id         -           -              -     {CreateDate}
// iam.user             UserId (AIDA...)       UserName    -              -     User shape*
// iam.user_policy      UserId/PolicyName      -           UserId         -     {PolicyName, PolicyDocument}
// iam.group            GroupId (AGPA...)      GroupName   -              -     Group shape*
// iam.group_policy     GroupId/PolicyName     -           GroupId        -     {PolicyName, PolicyDocument}
// iam.group_member     GroupId/UserId         -           GroupId        -     {UserId, UserName}
// iam.user_group       UserId/GroupId         -           UserId         -     {GroupId, GroupName}
// iam.role             RoleId (AROA...)       RoleName    -              -     Role shape*
// iam.role_policy      RoleId/PolicyName      -           RoleId         -     {PolicyName, PolicyDocument}
// iam.policy           PolicyId (ANPA...)     PolicyName  -              -     Policy shape*
// iam.policy_version   PolicyId/VersionId     -           PolicyId       -     {VersionId, Document,
//                                                                                IsDefaultVersion, CreateDate}
// iam.attachment       EntityId|PolicyArn     -           EntityId       -     {PolicyArn, PolicyName}
// iam.attached_entity  PolicyArn|EntityId     -           PolicyArn      -     {EntityType, EntityId, EntityName}
// iam.boundary_entity  PolicyArn|EntityId     -           PolicyArn      -     {EntityType, EntityId, EntityName}
// iam.accesskey        AccessKeyId            -           UserId|root    AKID  {AccessKeyId, SecretAccessKey,
//                                                                                Status, CreateDate, UserName,
//                                                                                UserId, LastUsed*}
// sts.session          AccessKeyId (ASIA...)  -           RoleId|UserId  AKID  the session document (below)
// clang-format on
//
// * Shapes as the IAM API returns them (member names of the botocore model; CreateDate as epoch
//   seconds), plus what the API keeps elsewhere: a role also holds "AssumeRolePolicyDocument"
//   (the JSON text, not URL-encoded), users and roles "PermissionsBoundary"
//   ({PermissionsBoundaryType, PermissionsBoundaryArn}) and "Tags" ([{Key, Value}]).
// Paths are stored in the object's path column; names are case-insensitive (name_ci) as in IAM.
//
// The session document of sts.session: {AccessKeyId, SecretAccessKey, SessionToken, Expiration
// (epoch seconds), Arn (assumed-role ARN), AssumedRoleId (RoleId:SessionName), RoleArn, RoleId,
// RoleName, SessionName, Account, SessionPolicies ([JSON text ...] inline then managed, in
// order), Tags ([{Key, Value}]), TransitiveTagKeys, SourceIdentity}; GetSessionToken sessions
// have UserId/UserArn instead of the role members.
#ifndef SAGEBOX_IAM_STORE_H
#define SAGEBOX_IAM_STORE_H

#define IAM_KIND_USER            "iam.user"
#define IAM_KIND_USER_POLICY     "iam.user_policy"
#define IAM_KIND_GROUP           "iam.group"
#define IAM_KIND_GROUP_POLICY    "iam.group_policy"
#define IAM_KIND_GROUP_MEMBER    "iam.group_member"
#define IAM_KIND_USER_GROUP      "iam.user_group"
#define IAM_KIND_ROLE            "iam.role"
#define IAM_KIND_ROLE_POLICY     "iam.role_policy"
#define IAM_KIND_POLICY          "iam.policy"
#define IAM_KIND_POLICY_VERSION  "iam.policy_version"
#define IAM_KIND_ATTACHMENT      "iam.attachment"
#define IAM_KIND_ATTACHED_ENTITY "iam.attached_entity"
#define IAM_KIND_ACCESS_KEY      "iam.accesskey"
#define STS_KIND_SESSION         "sts.session"
#define IAM_KIND_ACCOUNT         "iam.account"
#define IAM_KIND_BOUNDARY_ENTITY "iam.boundary_entity"

// The parent of the account root's access keys.
#define IAM_ROOT_PARENT "root"

#endif
