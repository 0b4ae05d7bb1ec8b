// SPDX-License-Identifier: Apache-2.0
// What every IAM operation shares: ARNs and ids in IAM's formats, reading and writing the
// objects of iam_store.h, IAM's error wording (NoSuchEntity, EntityAlreadyExists,
// DeleteConflict, MalformedPolicyDocument, LimitExceeded), Marker/MaxItems pagination, tags,
// and policy documents (validated by the engine, returned URL-encoded as IAM does).
#ifndef SAGEBOX_IAM_COMMON_H
#define SAGEBOX_IAM_COMMON_H

#include "svc/iam/iam_store.h"
#include "svc/svc.h"

#include <stdbool.h>
#include <stddef.h>

// The store scope of an IAM kind in the caller's account.
struct store_scope iam_scope(const struct svc_call *c, const char *kind);

// Builds "arn:PARTITION:iam::ACCOUNT:TYPE/PATH-WITHOUT-LEADING-SLASH/NAME" in the arena, e.g.
// type "user", path "/division/", name "ana" -> arn:aws:iam::111122223333:user/division/ana.
const char *iam_arn(const struct svc_call *c, const char *type, const char *path, const char *name);

// A new unique id: prefix ("AIDA" users, "AGPA" groups, "AROA" roles, "ANPA" policies, "AKIA"
// access keys, "ASIA" temporary keys) and 17 characters (16 for access keys), in the arena.
const char *iam_new_id(const struct svc_call *c, const char *prefix);

// Reads a string member of a request (NULL when absent).
const char *iam_in_str(const struct svc_call *c, const char *member);

// Maps a failed store call to the client's error: SB_ENOTFOUND -> 404 NoSuchEntity with
// not_found_msg (printf-free text), SB_EEXISTS -> 409 EntityAlreadyExists with exists_msg,
// anything else -> 500 ServiceFailure (the detail goes to the log only). Returns -1.
int iam_store_error(struct svc_call *c, int rc, const struct store_err *e,
                    const char *not_found_msg, const char *exists_msg);

// Loads the object of kind named name (case-insensitive) into *obj and its parsed document into
// *doc (the caller json_decref()s it). Returns 0, or -1 with 404 NoSuchEntity ("The <what> with
// name <name> cannot be found.") or 500 set in c->err.
int iam_get_named(struct svc_call *c, const char *kind, const char *what, const char *name,
                  struct store_obj *obj, json_t **doc);

// Stores doc (serialized compactly) as the object obj describes (doc/doc_len are filled here)
// with mode. Returns 0, or -1 with c->err set through iam_store_error.
int iam_put(struct svc_call *c, struct store_obj *obj, const json_t *doc, enum store_put_mode mode,
            const char *not_found_msg, const char *exists_msg);

// Validates a policy document as IAM does for the kind (MalformedPolicyDocument 400 with the
// engine's reason, LimitExceeded 409 for sizes; entity names the user/role/group for inline size
// messages). Returns 0 or -1 with c->err set.
int iam_check_policy(struct svc_call *c, const char *doc, enum policy_kind kind,
                     const char *entity);

// Returns doc URL-encoded (RFC 3986, as IAM returns policy documents; botocore decodes them),
// in the arena.
const char *iam_url_encode(const struct svc_call *c, const char *doc);

// Marker/MaxItems of a List* request: MaxItems 1..1000 (default 100); the marker as given.
struct iam_page {
    const char *marker;
    size_t limit;
};
void iam_page_in(const struct svc_call *c, struct iam_page *p);

// Sets IsTruncated (and Marker when truncated) in the output object.
void iam_page_out(json_t *out, const struct store_list *l);

// Validates a Tags list of a request (at most 50, keys 1..128 and values 0..256 characters,
// no duplicate keys case-insensitively, keys not starting with "aws:"), as IAM does
// (InvalidInput 400 / LimitExceeded 409). Returns 0 or -1 with c->err set.
int iam_check_tags(struct svc_call *c, const json_t *tags);

// Adds aws:RequestTag/<key> for each tag and aws:TagKeys (multivalued) to the request context.
void iam_request_tag_keys(struct svc_call *c, const json_t *tags);

// Adds aws:ResourceTag/<key> (and iam:ResourceTag/<key>) for each tag of an existing resource.
void iam_resource_tag_keys(struct svc_call *c, const json_t *tags);

// Records that the entity (entity_type "User" or "Role", its id and name) uses the managed policy
// new_arn as its permissions boundary, forgetting its previous boundary old_arn; either may be
// NULL. ListEntitiesForPolicy and DeletePolicy read these records. Call it inside the store
// transaction that changes the entity. Returns 0 or -1 with c->err set.
int iam_boundary_record(struct svc_call *c, const char *entity_type, const char *entity_id,
                        const char *entity_name, const char *old_arn, const char *new_arn);

// printf into the request's arena.
const char *iam_fmt(struct svc_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Authorizes action on arn (owned by owner, NULL: from the ARN) like svc_authorize, and names the
// resource of a denial as AWS's IAM messages do, "TYPE NAME" ("... iam:GetRole on resource: role
// X because ..."), instead of the ARN; type NULL keeps the ARN. Returns 0 when allowed, -1 with
// c->err set otherwise.
int iam_authorize_named(struct svc_call *c, const char *action, const char *arn, const char *owner,
                        const char *type, const char *name);

// Runs body inside one store transaction (read-write when write, else read-only), committing when
// it succeeds and rolling back otherwise, so that a denied or failed call changes nothing.
int iam_run(struct svc_call *c, bool write, svc_handler_fn body);

// Declares a handler NAME for the body NAME_body run by iam_run:
// IAM_OPERATION(get_role, false) defines get_role().
#define IAM_OPERATION(name, write)                                                                 \
    static int name(struct svc_call *c)                                                            \
    {                                                                                              \
        return iam_run(c, write, name##_body);                                                     \
    }

// Marker/MaxItems over a list of total elements the handler holds whole (tags, inline
// policies): the marker is the index of the next element, which keeps it within the model's
// 320 characters whatever the elements are. Sets [*start, *end); returns 0, or -1 with 400
// InvalidInput for a marker that is not such an index.
int iam_page_range(struct svc_call *c, size_t total, size_t *start, size_t *end);

// Sets IsTruncated, and Marker when elements remain after end (see iam_page_range).
void iam_page_finish(struct svc_call *c, json_t *out, size_t end, size_t total);

// Reads every object of kind whose parent is parent (NULL: the whole account) through all the
// store's pages into an arena array. Returns 0, or -1 with c->err set.
int iam_list_all(struct svc_call *c, const char *kind, const char *parent, struct store_obj **items,
                 size_t *count);

// Counts the objects of kind whose parent is parent. Returns 0, or -1 with c->err set.
int iam_count_children(struct svc_call *c, const char *kind, const char *parent, int64_t *n);

// The current time as the integer epoch seconds stored in CreateDate members.
json_t *iam_now(const struct svc_call *c);

// Checks that the inline policies of an entity (objects of kind whose parent is owner_id), with
// policy_name's document replaced by doc, stay within limit characters as IAM counts them (all
// but whitespace outside string literals; IAM User Guide, "IAM and AWS STS quotas": the sum size
// of all inline policies per entity). noun and owner_name word the error: 409 LimitExceeded
// "Maximum policy size of LIMIT bytes exceeded for NOUN NAME". Returns 0 or -1 with c->err set.
int iam_check_inline_total(struct svc_call *c, const char *kind, const char *owner_id,
                           const char *noun, const char *owner_name, const char *policy_name,
                           const char *doc, size_t limit);

#endif
