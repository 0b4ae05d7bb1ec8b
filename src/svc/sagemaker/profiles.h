// SPDX-License-Identifier: Apache-2.0
// What the user profiles (profiles.c) share with the spaces (spaces.c): the parent domain's
// checks, the next POSIX uid of the domain's home file system, the dependents check (apps of an
// owner), and the listing of a domain's children with the filters, sort and pagination of
// ListUserProfiles and ListSpaces.
#ifndef SAGEBOX_SM_PROFILES_H
#define SAGEBOX_SM_PROFILES_H

#include "svc/sagemaker/sm_common.h"

#include <stdbool.h>

// Loads domain domain_id for the creation of a child (a user profile or a space) into *d.
// Returns 0 with d->doc owned by the caller, or -1 with c->err set: ResourceNotFound when there
// is no such domain, ValidationException when it is not InService or Updating.
int sm_child_domain(struct svc_call *c, const char *domain_id, struct sm_obj *d);

// Takes the next home-directory uid of the domain (its "_".next_uid, from SM_FIRST_UID) and
// stores the domain back with the counter incremented, in the caller's write transaction.
// Returns the uid, or -1 with c->err set.
long sm_take_uid(struct svc_call *c, struct sm_obj *d);

// One listing of ListUserProfiles / ListSpaces.
struct sm_child_list {
    const char *kind;        // SM_KIND_PROFILE or SM_KIND_SPACE
    const char *name_member; // "UserProfileName" or "SpaceName"
    const char *contains_in; // "UserProfileNameContains" or "SpaceNameContains"
    const char *out_member;  // "UserProfiles" or "Spaces"
};

// Fills c->out with one page of the children of kind: DomainIdEquals, the name filter
// (substring), SortBy CreationTime (default) or LastModifiedTime, SortOrder Ascending (default)
// or Descending, MaxResults (default 10) and NextToken. Each item has DomainId, the name,
// Status, CreationTime and LastModifiedTime. Returns 0 or -1 with c->err set.
int sm_list_children(struct svc_call *c, const struct sm_child_list *l);

// What tells a user profile from a space for the code they share (profiles.c).
struct sm_child_kind {
    const char *kind;            // SM_KIND_PROFILE, SM_KIND_SPACE
    const char *what;            // "UserProfile", "Space" (in messages and task names)
    const char *arn_member;      // "UserProfileArn", "SpaceArn"
    const char *name_member;     // "UserProfileName", "SpaceName"
    const char *settings_member; // "UserSettings", "SpaceSettings"
    const char *owner;           // "user", "space": the owner part of their apps' ids
    const char *arn_type;        // "user-profile", "space": the resource type of their ARNs
    const char *const *extra;    // request members stored as given (NULL-terminated), or NULL
};

extern const struct sm_child_kind sm_profile_kind;
extern const struct sm_child_kind sm_space_kind;

// The store id of the request's child: "DOMAINID/NAME" (arena).
const char *sm_child_id(struct svc_call *c, const struct sm_child_kind *k);

// Loads the request's child and decides action on it with its tags. Returns 0 with *o filled
// (release it), or -1 with c->err set (AccessDeniedException, then ResourceNotFound).
int sm_child_load(struct svc_call *c, const struct sm_child_kind *k, const char *action,
                  struct sm_obj *o);

// CreateUserProfile / CreateSpace: decides action with the request's tags, requires the domain
// (sm_child_domain), refuses a name in use (ResourceInUse), checks a new ExecutionRole, takes a
// uid of the domain, stores the child Pending under its creation-ordered name and schedules
// "<what>Created". Fills c->out. Returns 0 or -1 with c->err set.
int sm_child_create(struct svc_call *c, const struct sm_child_kind *k, const char *action);

// Schedules the task type of the request's child (args: DomainId and the child's name member).
int sm_child_schedule(struct svc_call *c, const struct sm_child_kind *k, const char *type);

// The rest of UpdateUserProfile / UpdateSpace once o is loaded and authorized: the child must be
// InService (ResourceInUse), a new ExecutionRole is checked, the request's settings are merged
// over the stored ones, then Updating and the task "<what>Updated". Fills c->out. Returns 0 or
// -1 with c->err set.
int sm_child_update(struct svc_call *c, const struct sm_child_kind *k, struct sm_obj *o);

// The rest of DeleteUserProfile / DeleteSpace once o is loaded and authorized: refused while
// apps live (ResourceInUse), then Deleting and the task "<what>Deleted" (nothing to do when it
// is Deleting already). Returns 0 or -1 with c->err set.
int sm_child_delete(struct svc_call *c, const struct sm_child_kind *k, struct sm_obj *o);

// The tasks of a child named by the task's args: Pending -> InService with its home directory
// (Failed with the reason when the home cannot be made), Updating -> InService, Deleting ->
// gone. Return 0 (also when the child is gone or in another state) or -1 with c->err set.
int sm_child_task_created(struct svc_call *c, const struct sm_child_kind *k);
int sm_child_task_updated(struct svc_call *c, const struct sm_child_kind *k);
int sm_child_task_deleted(struct svc_call *c, const struct sm_child_kind *k);

#endif
