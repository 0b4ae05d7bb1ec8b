// SPDX-License-Identifier: Apache-2.0
// What every Amazon SageMaker operation of sagebox shares (SageMaker API Reference, 2017-07-24;
// AWS JSON 1.1, target prefix "SageMaker", signing name "sagemaker"): the store layout of
// domains, user profiles, spaces, apps and the domain's home EFS file system, ids and ARNs, the
// service's errors, authorization with the resource's tags, the execution-role checks (exists,
// trusts sagemaker.amazonaws.com, iam:PassRole), and the delays of the background state changes
// (svc/tasks.h).
//
// Stored objects (store.h), in the caller's account and the request's region:
//
//   kind "sm.domain"   id: the domain id ("d-" + 12 of [a-z0-9]). The document holds the members
//                      of DescribeDomainResponse as the model shapes them (timestamps as epoch
//                      seconds, numbers) plus one internal member "_" that is never returned:
//                      {"tags": [{"Key", "Value"}], "next_uid": 200001, ...}
//   kind "sm.profile"  id: "DOMAINID/PROFILENAME", parent: the domain id. The document holds the
//                      members of DescribeUserProfileResponse plus "_": {"tags": [...]}.
//   kind "sm.space"    id: "DOMAINID/SPACENAME", parent: the domain id; DescribeSpaceResponse +
//                      "_".
//   kind "sm.app"      id: "DOMAINID/OWNER/APPTYPE/APPNAME" where OWNER is "user/PROFILENAME" or
//                      "space/SPACENAME"; parent: the domain id; path: "OWNER/" (so that a
//                      profile's or a space's apps list by path prefix); DescribeAppResponse + "_".
//   kind "efs.fs"      id: the file system id ("fs-" + 17 hex digits); the FileSystemDescription
//                      of the EFS API (FileSystemId, FileSystemArn, CreationTime, LifeCycleState,
//                      Encrypted, KmsKeyId, Tags, ...) plus "_": {"domain": id, ...}.
//   kind "efs.mt"      id: the mount target id ("fsmt-" + 17 hex digits), parent: the file system
//                      id; the MountTargetDescription (SubnetId, AvailabilityZoneName, IpAddress,
//                      NetworkInterfaceId, LifeCycleState ...).
//
// ARNs (Service Authorization Reference, Amazon SageMaker, resource types):
//   arn:PARTITION:sagemaker:REGION:ACCOUNT:domain/DOMAINID
//   arn:PARTITION:sagemaker:REGION:ACCOUNT:user-profile/DOMAINID/PROFILENAME
//   arn:PARTITION:sagemaker:REGION:ACCOUNT:space/DOMAINID/SPACENAME
//   arn:PARTITION:sagemaker:REGION:ACCOUNT:app/DOMAINID/OWNERNAME/APPTYPE-LOWERCASE/APPNAME
// A domain's Url is https://DOMAINID.studio.REGION.sagemaker.aws.
//
// Authorization: every operation decides sagemaker:<Operation> on the resource's ARN with the
// resource's tags as aws:ResourceTag/<key> (and sagemaker:ResourceTag/<key>), and for creations
// and AddTags the request's Tags as aws:RequestTag/<key> and aws:TagKeys; a denial changes
// nothing and answers AccessDeniedException with the engine's message (svc_authorize).
#ifndef SAGEBOX_SM_COMMON_H
#define SAGEBOX_SM_COMMON_H

#include "svc/svc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SM_KIND_DOMAIN  "sm.domain"
#define SM_KIND_PROFILE "sm.profile"
#define SM_KIND_SPACE   "sm.space"
#define SM_KIND_APP     "sm.app"
#define EFS_KIND_FS     "efs.fs"
#define EFS_KIND_MT     "efs.mt"

#define SM_SERVICE_PRINCIPAL "sagemaker.amazonaws.com"
#define SM_DOMAIN_ID_LEN     14 // "d-" + 12
#define SM_FIRST_UID         200001

// The store scope of a kind in the caller's account and the request's region.
struct store_scope sm_scope(const struct svc_call *c, const char *kind);

// printf into the request's arena (never NULL).
const char *sm_fmt(struct svc_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// A string member of the request, or NULL.
const char *sm_in_str(const struct svc_call *c, const char *member);

// A string member of a document, or NULL.
const char *sm_str(const json_t *doc, const char *member);

// A new domain id: "d-" and 12 random characters of [a-z0-9] (out: SM_DOMAIN_ID_LEN + 1 bytes).
void sm_domain_id(char out[SM_DOMAIN_ID_LEN + 1]);

// arn:PARTITION:sagemaker:REGION:ACCOUNT:TYPE/REST (arena).
const char *sm_arn(struct svc_call *c, const char *type, const char *rest);

// The domain's Studio URL, https://DOMAINID.studio.REGION.sagemaker.aws (arena).
const char *sm_domain_url(struct svc_call *c, const char *domain_id);

// Fills c->err with a 400 error of the given code (ValidationException, ResourceNotFound,
// ResourceInUse, ResourceLimitExceeded ...) and printf-style message; returns -1.
int sm_error(struct svc_call *c, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Maps a failed store call to the service's internal failure (the detail goes to the log);
// returns -1.
int sm_store_error(struct svc_call *c, int rc, const struct store_err *e);

// Runs body inside one store transaction (read-write when write), so that a failed or denied
// call changes nothing.
int sm_run(struct svc_call *c, bool write, svc_handler_fn body);

// Declares a handler NAME running NAME_body in one transaction: SM_OPERATION(create_domain, true).
#define SM_OPERATION(name, write)                                                                  \
    static int name(struct svc_call *c)                                                            \
    {                                                                                              \
        return sm_run(c, write, name##_body);                                                      \
    }

// A stored object read with its document.
struct sm_obj {
    struct store_obj obj; // strings in the request's arena
    json_t *doc;          // owned; sm_obj_release drops it
};

// Reads the object of kind with id. Returns 1 with *o filled, 0 when there is none, -1 with
// c->err set when the store fails.
int sm_get(struct svc_call *c, const char *kind, const char *id, struct sm_obj *o);

// Drops o->doc (o may be released twice).
void sm_obj_release(struct sm_obj *o);

// Writes doc as the object (kind, id) with parent and path (may be NULL), creating it (create)
// or replacing it. Returns 0 or -1 with c->err set (SB_EEXISTS is the caller's to avoid).
int sm_put(struct svc_call *c, const char *kind, const char *id, const char *parent,
           const char *path, const json_t *doc, bool create);

// sm_put with a store name (unique in the kind's scope; listings are in name order).
int sm_put_named(struct svc_call *c, const char *kind, const char *id, const char *name,
                 const char *parent, const char *path, const json_t *doc, bool create);

// Writes o->doc back over the object o was read as (sm_get), keeping its kind, id, name, parent
// and path. Returns 0 or -1 with c->err set.
int sm_update(struct svc_call *c, const struct sm_obj *o);

// The store name of a user profile or space created now: "DOMAINID/MMMMMMMMMMMMMMMM/NAME" with
// the creation time in epoch milliseconds, zero-padded to 16 digits (created: the document's
// CreationTime), so that a domain's children list in creation order straight from the store.
const char *sm_creation_name(struct svc_call *c, const char *domain_id, const json_t *created,
                             const char *name);

// The member "_" of a document, created when absent (borrowed), and the resource tags in it (an
// array, borrowed; never NULL after sm_internal).
json_t *sm_internal(json_t *doc);
json_t *sm_tags(json_t *doc);

// A copy of doc without its internal member "_" (new reference): the output of Describe*.
json_t *sm_public(const json_t *doc);

// Decides action ("sagemaker:DescribeDomain") on arn with the resource's tags (an array of
// {Key, Value}, may be NULL) as aws:ResourceTag/<key> and sagemaker:ResourceTag/<key>. Returns 0
// when allowed, or -1 with c->err set (AccessDeniedException with the engine's message).
int sm_authorize(struct svc_call *c, const char *action, const char *arn, const json_t *tags);

// Adds aws:RequestTag/<key> and aws:TagKeys for a request's Tags (an array of {Key, Value}; NULL
// or empty adds nothing), for the next sm_authorize.
void sm_request_tags(struct svc_call *c, const json_t *tags);

// Checks an execution role the request passes to SageMaker: it must be a role of the caller's
// account that exists and whose trust policy lets sagemaker.amazonaws.com assume it
// (ValidationException otherwise), and the caller must be allowed iam:PassRole on it with
// iam:PassedToService = sagemaker.amazonaws.com (AccessDeniedException otherwise). what names
// the request member in messages ("DefaultUserSettings.ExecutionRole"). Returns 0 or -1 with
// c->err set.
int sm_check_execution_role(struct svc_call *c, const char *role_arn, const char *what);

// The delay of a background state change in milliseconds (Pending -> InService, Deleting ->
// gone ...): SAGEBOX_SAGEMAKER_DELAY_MS, default 1500, read once.
int64_t sm_delay_ms(void);

// The current time (the real clock with the env's offset) as epoch seconds with milliseconds, a
// JSON real (new reference), for CreationTime and the like.
json_t *sm_now(const struct svc_call *c);

#endif
