// SPDX-License-Identifier: Apache-2.0
// Loading a caller's policies from the store; see identity.h and the layout in iam_store.h.
#include "svc/iam/identity.h"
#include "core/jsonload.h"

#include "svc/iam/iam_store.h"
#include "svc/iam/managed_policies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void push(struct svc_call *c, struct iam_policy_docs *l, const char *doc, const char *name,
                 const char *arn, enum policy_kind kind)
{
    if (l->count == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        struct iam_policy_doc *n = arena_alloc(c->arena, ncap * sizeof(*n));
        if (l->count > 0) {
            memcpy(n, l->items, l->count * sizeof(*n));
        }
        l->items = n;
        l->cap = ncap;
    }
    l->items[l->count++] = (struct iam_policy_doc){doc, name, arn, kind};
}

static char *adup(struct svc_call *c, const char *s)
{
    return arena_strndup(c->arena, s, strlen(s));
}

// Reads a member of a stored JSON document into the arena; NULL when absent or not a string.
static const char *doc_string(struct svc_call *c, const char *doc, size_t len, const char *key)
{
    json_t *j = jsonload(doc, len);
    const char *v = NULL;
    if (j != NULL) {
        const json_t *m = json_object_get(j, key);
        if (json_is_string(m)) {
            v = adup(c, json_string_value(m));
        }
        json_decref(j);
    }
    return v;
}

static int store_failure(struct svc_call *c, int rc, const struct store_err *e)
{
    fprintf(stderr, "sagebox: store: %s (%s)\n", e->msg, store_strerror(rc));
    return awserr_set(&c->err, 500, "ServiceFailure",
                      "The request processing has failed because of an unknown error, exception "
                      "or failure.");
}

// Finds a managed policy's default document; see identity.h.
int iam_managed_policy_document(struct svc_call *c, const char *account, const char *arn,
                                const char **doc, const char **name)
{
    struct managed_policy mp;
    if (strncmp(arn, "arn:aws:iam::aws:policy/", 24) == 0) {
        if (managed_policies_find_arn(arn, strlen(arn), &mp) < 0) {
            return SB_ENOTFOUND;
        }
        *doc = mp.document;
        *name = mp.name;
        return 0;
    }
    // arn:aws:iam::ACCOUNT:policy/path/Name: the name is what follows the last '/'.
    const char *slash = strrchr(arn, '/');
    if (slash == NULL || slash[1] == '\0') {
        return SB_ENOTFOUND;
    }
    struct store_scope sc = {account, "", IAM_KIND_POLICY, true};
    struct store_obj pol;
    int rc = store_get_by_name(c->env->store, &sc, slash + 1, c->arena, &pol, NULL);
    if (rc != 0) {
        return rc;
    }
    const char *stored_arn = doc_string(c, pol.doc, pol.doc_len, "Arn");
    const char *version = doc_string(c, pol.doc, pol.doc_len, "DefaultVersionId");
    if (stored_arn == NULL || strcmp(stored_arn, arn) != 0 || version == NULL) {
        return SB_ENOTFOUND; // same name under another path
    }
    size_t id_len = strlen(pol.id) + 1 + strlen(version) + 1;
    char *vid = arena_alloc(c->arena, id_len);
    snprintf(vid, id_len, "%s/%s", pol.id, version);
    struct store_scope vsc = {account, "", IAM_KIND_POLICY_VERSION, false};
    struct store_obj ver;
    rc = store_get(c->env->store, &vsc, vid, c->arena, &ver, NULL);
    if (rc != 0) {
        return rc;
    }
    *doc = doc_string(c, ver.doc, ver.doc_len, "Document");
    *name = doc_string(c, pol.doc, pol.doc_len, "PolicyName");
    return *doc != NULL ? 0 : SB_ENOTFOUND;
}

// Adds the inline policies (kind) and attached managed policies of an entity (user, group or
// role id) to l.
static int entity_policies(struct svc_call *c, const char *account, const char *entity_id,
                           const char *inline_kind, enum policy_kind pkind,
                           struct iam_policy_docs *l)
{
    struct store_err e;
    struct store_list_opts lo = {.parent = entity_id, .limit = STORE_LIST_MAX};
    struct store_scope sc = {account, "", inline_kind, false};
    for (;;) {
        struct store_list page;
        int rc = store_list(c->env->store, &sc, &lo, c->arena, &page, &e);
        if (rc != 0) {
            return store_failure(c, rc, &e);
        }
        for (size_t i = 0; i < page.count; i++) {
            const struct store_obj *o = &page.items[i];
            const char *pname = doc_string(c, o->doc, o->doc_len, "PolicyName");
            const char *pdoc = doc_string(c, o->doc, o->doc_len, "PolicyDocument");
            if (pdoc != NULL) {
                push(c, l, pdoc, pname ? pname : o->id, NULL, pkind);
            }
        }
        if (!page.truncated) {
            break;
        }
        lo.marker = page.next_marker;
    }
    struct store_scope asc = {account, "", IAM_KIND_ATTACHMENT, false};
    struct store_list_opts ao = {.parent = entity_id, .limit = STORE_LIST_MAX};
    for (;;) {
        struct store_list page;
        int rc = store_list(c->env->store, &asc, &ao, c->arena, &page, &e);
        if (rc != 0) {
            return store_failure(c, rc, &e);
        }
        for (size_t i = 0; i < page.count; i++) {
            const struct store_obj *o = &page.items[i];
            const char *arn = doc_string(c, o->doc, o->doc_len, "PolicyArn");
            const char *doc = NULL;
            const char *name = NULL;
            if (arn == NULL) {
                continue;
            }
            int mrc = iam_managed_policy_document(c, account, arn, &doc, &name);
            if (mrc == 0) {
                bool aws = strncmp(arn, "arn:aws:iam::aws:policy/", 24) == 0;
                push(c, l, doc, name, arn, aws ? POLICY_KIND_AWS_MANAGED : POLICY_KIND_IDENTITY);
            } else if (mrc != SB_ENOTFOUND) {
                struct store_err none = {{0}};
                return store_failure(c, mrc, &none);
            }
        }
        if (!page.truncated) {
            break;
        }
        ao.marker = page.next_marker;
    }
    return 0;
}

// Adds the permissions boundary named in an entity's stored document.
static int entity_boundary(struct svc_call *c, const char *account, const struct store_obj *o,
                           struct iam_policy_docs *boundary)
{
    json_t *j = jsonload(o->doc, o->doc_len);
    const char *arn = NULL;
    if (j != NULL) {
        const json_t *pb = json_object_get(j, "PermissionsBoundary");
        const json_t *a = json_object_get(pb, "PermissionsBoundaryArn");
        if (json_is_string(a)) {
            arn = adup(c, json_string_value(a));
        }
        json_decref(j);
    }
    if (arn == NULL) {
        return 0;
    }
    const char *doc = NULL;
    const char *name = NULL;
    int rc = iam_managed_policy_document(c, account, arn, &doc, &name);
    if (rc == 0) {
        bool aws = strncmp(arn, "arn:aws:iam::aws:policy/", 24) == 0;
        push(c, boundary, doc, name, arn, aws ? POLICY_KIND_AWS_MANAGED : POLICY_KIND_BOUNDARY);
    } else if (rc != SB_ENOTFOUND) {
        struct store_err none = {{0}};
        return store_failure(c, rc, &none);
    }
    return 0;
}

static int user_policies(struct svc_call *c, const char *account, const char *user_id,
                         struct iam_policy_docs *identity, struct iam_policy_docs *boundary)
{
    struct store_scope usc = {account, "", IAM_KIND_USER, true};
    struct store_obj user;
    struct store_err e;
    int rc = store_get(c->env->store, &usc, user_id, c->arena, &user, &e);
    if (rc == SB_ENOTFOUND) {
        return 0; // deleted since the key was issued: nothing grants anything
    }
    if (rc != 0) {
        return store_failure(c, rc, &e);
    }
    if (entity_policies(c, account, user_id, IAM_KIND_USER_POLICY, POLICY_KIND_INLINE_USER,
                        identity) != 0 ||
        entity_boundary(c, account, &user, boundary) != 0) {
        return -1;
    }
    struct store_scope gsc = {account, "", IAM_KIND_USER_GROUP, false};
    struct store_list_opts lo = {.parent = user_id, .limit = STORE_LIST_MAX};
    struct store_list page;
    rc = store_list(c->env->store, &gsc, &lo, c->arena, &page, &e);
    if (rc != 0) {
        return store_failure(c, rc, &e);
    }
    for (size_t i = 0; i < page.count; i++) {
        const char *gid = doc_string(c, page.items[i].doc, page.items[i].doc_len, "GroupId");
        if (gid != NULL && entity_policies(c, account, gid, IAM_KIND_GROUP_POLICY,
                                           POLICY_KIND_INLINE_GROUP, identity) != 0) {
            return -1;
        }
    }
    return 0;
}

static int role_policies(struct svc_call *c, const char *account, const char *role_id,
                         struct iam_policy_docs *identity, struct iam_policy_docs *boundary)
{
    struct store_scope rsc = {account, "", IAM_KIND_ROLE, true};
    struct store_obj role;
    struct store_err e;
    int rc = store_get(c->env->store, &rsc, role_id, c->arena, &role, &e);
    if (rc == SB_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return store_failure(c, rc, &e);
    }
    if (entity_policies(c, account, role_id, IAM_KIND_ROLE_POLICY, POLICY_KIND_INLINE_ROLE,
                        identity) != 0) {
        return -1;
    }
    return entity_boundary(c, account, &role, boundary);
}

static void session_policies(struct svc_call *c, struct iam_policy_docs *session)
{
    if (c->caller->session_doc == NULL) {
        return;
    }
    json_t *j = jsonload_str(c->caller->session_doc);
    const json_t *list = json_object_get(j, "SessionPolicies");
    size_t i;
    const json_t *p;
    json_array_foreach(list, i, p)
    {
        if (json_is_string(p)) {
            char label[48];
            snprintf(label, sizeof(label), "session policy %zu", i + 1);
            push(c, session, adup(c, json_string_value(p)), adup(c, label), NULL,
                 POLICY_KIND_SESSION);
        }
    }
    json_decref(j);
}

// Collects the caller's policies; see identity.h.
int iam_caller_policies(struct svc_call *c, struct iam_policy_docs *identity,
                        struct iam_policy_docs *boundary, struct iam_policy_docs *session)
{
    const struct svc_caller *who = c->caller;
    switch (who->principal.type) {
    case POLICY_PRINCIPAL_USER:
        return user_policies(c, who->account, who->entity_id, identity, boundary);
    case POLICY_PRINCIPAL_ROLE_SESSION:
        if (role_policies(c, who->account, who->entity_id, identity, boundary) != 0) {
            return -1;
        }
        session_policies(c, session);
        return 0;
    case POLICY_PRINCIPAL_FEDERATED_USER:
        if (user_policies(c, who->account, who->entity_id, identity, boundary) != 0) {
            return -1;
        }
        session_policies(c, session);
        return 0;
    default:
        return 0; // root, services and anonymous callers have no identity policies
    }
}
