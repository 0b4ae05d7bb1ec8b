// SPDX-License-Identifier: Apache-2.0
// IAM managed policies (IAM API Reference: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy,
// CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion,
// SetDefaultPolicyVersion, TagPolicy, UntagPolicy, ListPolicyTags, ListEntitiesForPolicy) and
// their attachment to users, groups and roles (Attach/Detach{User,Group,Role}Policy,
// ListAttached{User,Group,Role}Policies), stored as iam_store.h lays them out: an attachment is
// two rows written in one transaction, iam.attachment under the entity (what identity.c reads to
// authorize the entity's calls) and iam.attached_entity under the policy ARN (what
// ListEntitiesForPolicy and AttachmentCount read). AWS managed policies (arn:aws:iam::aws:policy/)
// come from the compiled-in catalog (managed_policies.h), which holds their default versions.
//
// Authorization follows the Service Authorization Reference: the policy ARN for policy actions
// (with aws:ResourceTag/* of a customer policy), the user/group/role ARN for attachments with
// iam:PolicyARN and, for users and roles, iam:PermissionsBoundary. AWS managed policies are read
// and attached as if they were the caller's own (AWS lets any identity policy grant that), but
// they belong to AWS: changing one is a cross-account request that no resource policy allows.
#include "svc/iam/iam_common.h"
#include "core/jsonload.h"
#include "svc/iam/identity.h"
#include "svc/iam/managed_policies.h"
#include "svc/registry.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// IAM's default quotas (IAM User Guide, "IAM and AWS STS quotas").
#define POLICY_VERSIONS_MAX   5
#define ATTACHED_POLICIES_MAX 10
#define POLICY_TAGS_MAX       50

#define AWS_POLICY_PREFIX "arn:aws:iam::aws:policy/"

// ---- Small helpers -----------------------------------------------------------

static const char *jstr(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static int delete_obj(struct svc_call *c, const char *kind, const char *id)
{
    struct store_scope sc = iam_scope(c, kind);
    struct store_err e;
    int rc = store_delete(c->env->store, &sc, id, &e);
    return rc == 0 ? 0 : iam_store_error(c, rc, &e, NULL, NULL);
}

// ---- Policies by ARN -------------------------------------------------------------------------

// A managed policy named by an ARN of the request, as loaded for an operation.
struct pol {
    const char *arn;
    const char *name; // parsed from the ARN (the part after its last '/')
    const char *path; // parsed from the ARN ("/" or "/a/b/")
    bool valid;       // the ARN has the form arn:PARTITION:iam::ACCOUNT:policy/[PATH/]NAME
    bool aws;         // an AWS managed policy (account "aws")
    bool found;
    struct managed_policy mp; // aws && found
    struct store_obj obj;     // !aws && found
    json_t *doc;              // !aws && found: the Policy document (owned)
};

static void pol_free(struct pol *p)
{
    json_decref(p->doc);
    p->doc = NULL;
}

// Parses arn into p and looks the policy up: in the catalog for AWS managed policies, by name in
// the caller's account otherwise (the stored ARN must match, path included). Policies of other
// accounts are not found. Returns 0, or -1 with c->err set when the store fails.
static int pol_load(struct svc_call *c, const char *arn, struct pol *p)
{
    memset(p, 0, sizeof(*p));
    p->arn = arn;
    const char *pfx = iam_fmt(c, "arn:%s:iam::", c->env->partition);
    size_t plen = strlen(pfx);
    if (strncmp(arn, pfx, plen) != 0) {
        return 0;
    }
    const char *acct = arn + plen;
    const char *colon = strchr(acct, ':');
    if (colon == NULL || strncmp(colon + 1, "policy/", 7) != 0) {
        return 0;
    }
    const char *rest = colon + 8; // after "policy/"
    const char *last = strrchr(rest, '/');
    const char *name = last ? last + 1 : rest;
    if (*name == '\0' || colon == acct) {
        return 0;
    }
    p->valid = true;
    p->name = name;
    p->path = last ? iam_fmt(c, "/%.*s/", (int)(last - rest), rest) : "/";
    p->aws = (size_t)(colon - acct) == 3 && strncmp(acct, "aws", 3) == 0;
    if (p->aws) {
        p->found = managed_policies_find_arn(arn, strlen(arn), &p->mp) >= 0;
        return 0;
    }
    size_t alen = strlen(c->caller->account);
    if ((size_t)(colon - acct) != alen || strncmp(acct, c->caller->account, alen) != 0) {
        return 0;
    }
    struct store_scope sc = iam_scope(c, IAM_KIND_POLICY);
    struct store_err e;
    int rc = store_get_by_name(c->env->store, &sc, name, c->arena, &p->obj, &e);
    if (rc == SB_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return iam_store_error(c, rc, &e, NULL, NULL);
    }
    p->doc = jsonload(p->obj.doc, p->obj.doc_len);
    if (p->doc == NULL) {
        return iam_store_error(c, SB_ECORRUPT, &e, NULL, NULL);
    }
    const char *stored = jstr(p->doc, "Arn");
    p->found = stored != NULL && strcmp(stored, arn) == 0;
    return 0;
}

// What an operation does with a policy: reads and attachments may name AWS managed policies,
// changes may not.
enum pol_use { USE_READ, USE_CHANGE };

// The NoSuchEntity wording of each operation for a policy that does not exist.
enum pol_missing {
    MISSING_NOT_FOUND,      // "Policy ARN was not found." (GetPolicy)
    MISSING_NOT_ATTACHABLE, // "Policy ARN does not exist or is not attachable."
};

// Loads the policy of the request's PolicyArn, adds its tags as aws:ResourceTag/* and authorizes
// action on it; then requires a well-formed ARN (400 InvalidInput) naming a policy that exists
// (404 NoSuchEntity) and, for changes, that is not AWS's. Returns 0 or -1 with c->err set.
static int pol_authorize(struct svc_call *c, const char *action, enum pol_use use,
                         enum pol_missing missing, struct pol *p)
{
    const char *arn = iam_in_str(c, "PolicyArn");
    if (pol_load(c, arn, p) != 0) {
        return -1;
    }
    if (p->doc != NULL && p->found) {
        iam_resource_tag_keys(c, json_object_get(p->doc, "Tags"));
    }
    const char *owner = (p->aws && use == USE_READ) ? c->caller->account : NULL;
    if (iam_authorize_named(c, action, arn, owner, "policy", arn) != 0) {
        return -1;
    }
    if (!p->valid) {
        return awserr_set(&c->err, 400, "InvalidInput", "ARN %s is not valid.", arn);
    }
    if (!p->found || (p->aws && use == USE_CHANGE)) {
        if (missing == MISSING_NOT_FOUND) {
            return awserr_set(&c->err, 404, "NoSuchEntity", "Policy %s was not found.", arn);
        }
        return awserr_set(&c->err, 404, "NoSuchEntity",
                          "Policy %s does not exist or is not attachable.", arn);
    }
    return 0;
}

// A stable IAM id for an AWS managed policy: the catalog has no ids, so one is derived from the
// ARN (FNV-1a), in IAM's alphabet, the same on every server.
static const char *aws_policy_id(struct svc_call *c, const char *arn)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    char *out = arena_alloc(c->arena, 4 + 17 + 1);
    memcpy(out, "ANPA", 4);
    uint64_t h1 = 1469598103934665603ULL;
    uint64_t h2 = 1099511628211ULL * 31;
    for (const char *s = arn; *s; s++) {
        h1 = (h1 ^ (unsigned char)*s) * 1099511628211ULL;
        h2 = (h2 ^ (unsigned char)*s) * 1099511628211ULL + 7;
    }
    for (int i = 0; i < 17; i++) {
        uint64_t *h = i < 12 ? &h1 : &h2;
        out[4 + i] = alphabet[*h & 31];
        *h >>= 5;
    }
    out[21] = '\0';
    return out;
}

// How many entities have the policy attached, and use it as their permissions boundary.
struct usage {
    int64_t attached;
    int64_t boundary;
};

static int usage_of(struct svc_call *c, const char *arn, struct usage *u)
{
    if (iam_count_children(c, IAM_KIND_ATTACHED_ENTITY, arn, &u->attached) != 0) {
        return -1;
    }
    return iam_count_children(c, IAM_KIND_BOUNDARY_ENTITY, arn, &u->boundary);
}

// The Policy shape: GetPolicy and CreatePolicy show Description and Tags; ListPolicies does not
// ("It is not included in the response to the ListPolicies operation").
enum pol_view { VIEW_FULL, VIEW_LIST };

static void copy_member(json_t *out, const json_t *doc, const char *key)
{
    json_t *v = json_object_get(doc, key);
    if (v != NULL) {
        json_object_set(out, key, v);
    }
}

static json_t *customer_out(const json_t *doc, const struct usage *u, enum pol_view view)
{
    json_t *o = json_object();
    copy_member(o, doc, "PolicyName");
    copy_member(o, doc, "PolicyId");
    copy_member(o, doc, "Arn");
    copy_member(o, doc, "Path");
    copy_member(o, doc, "DefaultVersionId");
    json_object_set_new(o, "AttachmentCount", json_integer(u->attached));
    json_object_set_new(o, "PermissionsBoundaryUsageCount", json_integer(u->boundary));
    json_object_set_new(o, "IsAttachable", json_true());
    if (view == VIEW_FULL) {
        copy_member(o, doc, "Description");
    }
    copy_member(o, doc, "CreateDate");
    copy_member(o, doc, "UpdateDate");
    if (view == VIEW_FULL && json_array_size(json_object_get(doc, "Tags")) > 0) {
        copy_member(o, doc, "Tags");
    }
    return o;
}

static json_t *aws_out(struct svc_call *c, const struct managed_policy *mp, const struct usage *u,
                       enum pol_view view)
{
    json_t *o = json_object();
    json_object_set_new(o, "PolicyName", json_string(mp->name));
    json_object_set_new(o, "PolicyId", json_string(aws_policy_id(c, mp->arn)));
    json_object_set_new(o, "Arn", json_string(mp->arn));
    json_object_set_new(o, "Path", json_string(mp->path));
    json_object_set_new(o, "DefaultVersionId", json_string(mp->version_id));
    json_object_set_new(o, "AttachmentCount", json_integer(u->attached));
    json_object_set_new(o, "PermissionsBoundaryUsageCount", json_integer(u->boundary));
    json_object_set_new(o, "IsAttachable", json_true());
    if (view == VIEW_FULL && mp->description != NULL) {
        json_object_set_new(o, "Description", json_string(mp->description));
    }
    json_object_set_new(o, "CreateDate", json_integer(mp->create_date_ms / 1000));
    json_object_set_new(o, "UpdateDate", json_integer(mp->update_date_ms / 1000));
    return o;
}

static const char *version_id_of(struct svc_call *c, const struct pol *p, const char *vid)
{
    return iam_fmt(c, "%s/%s", p->obj.id, vid);
}

// Writes one version of a customer policy.
static int version_put(struct svc_call *c, const char *policy_id, const char *vid,
                       const char *document, bool is_default, json_int_t created,
                       enum store_put_mode mode)
{
    json_t *doc = json_pack("{s:s, s:s, s:b, s:I}", "VersionId", vid, "Document", document,
                            "IsDefaultVersion", is_default, "CreateDate", created);
    struct store_obj o = {
        .account = c->caller->account,
        .region = "",
        .kind = IAM_KIND_POLICY_VERSION,
        .id = iam_fmt(c, "%s/%s", policy_id, vid),
        .parent = policy_id,
    };
    int rc = iam_put(c, &o, doc, mode, NULL, NULL);
    json_decref(doc);
    return rc;
}

// Loads one version of a customer policy (404 with AWS's version wording when absent).
static int version_load(struct svc_call *c, const struct pol *p, const char *vid, json_t **doc)
{
    struct store_scope sc = iam_scope(c, IAM_KIND_POLICY_VERSION);
    struct store_obj o;
    struct store_err e;
    *doc = NULL;
    int rc = store_get(c->env->store, &sc, version_id_of(c, p, vid), c->arena, &o, &e);
    if (rc != 0) {
        return iam_store_error(
            c, rc, &e,
            iam_fmt(c, "Policy %s version %s does not exist or is not attachable.", p->arn, vid),
            NULL);
    }
    *doc = jsonload(o.doc, o.doc_len);
    return *doc != NULL ? 0 : iam_store_error(c, SB_ECORRUPT, &e, NULL, NULL);
}

static int policy_save(struct svc_call *c, struct pol *p)
{
    struct store_obj o = p->obj;
    return iam_put(c, &o, p->doc, STORE_REPLACE, NULL, NULL);
}

static int check_policy_tags(struct svc_call *c, const json_t *tags, size_t total)
{
    if (total > POLICY_TAGS_MAX) {
        return awserr_set(&c->err, 409, "LimitExceeded",
                          "Cannot exceed quota for TagsPerPolicy: %d.", POLICY_TAGS_MAX);
    }
    return iam_check_tags(c, tags);
}

// ---- Policies --------------------------------------------------------------------------------

// CreatePolicy: a customer managed policy with version v1 as its default. Authorized as
// iam:CreatePolicy on the new policy's ARN with aws:RequestTag/* and aws:TagKeys.
static int create_policy_body(struct svc_call *c)
{
    const char *name = iam_in_str(c, "PolicyName");
    const char *path = iam_in_str(c, "Path");
    const char *document = iam_in_str(c, "PolicyDocument");
    const char *desc = iam_in_str(c, "Description");
    const json_t *tags = json_object_get(c->in, "Tags");
    if (path == NULL) {
        path = "/";
    }
    const char *arn = iam_arn(c, "policy", path, name);
    if (tags != NULL) {
        iam_request_tag_keys(c, tags);
    }
    if (iam_authorize_named(c, "iam:CreatePolicy", arn, NULL, "policy", name) != 0) {
        return -1;
    }
    if (check_policy_tags(c, tags, json_array_size(tags)) != 0 ||
        iam_check_policy(c, document, POLICY_KIND_IDENTITY, name) != 0) {
        return -1;
    }
    const char *id = iam_new_id(c, "ANPA");
    json_t *doc = json_object();
    json_object_set_new(doc, "PolicyName", json_string(name));
    json_object_set_new(doc, "PolicyId", json_string(id));
    json_object_set_new(doc, "Arn", json_string(arn));
    json_object_set_new(doc, "Path", json_string(path));
    json_object_set_new(doc, "DefaultVersionId", json_string("v1"));
    json_object_set_new(doc, "IsAttachable", json_true());
    if (desc != NULL) {
        json_object_set_new(doc, "Description", json_string(desc));
    }
    json_object_set_new(doc, "CreateDate", iam_now(c));
    json_object_set_new(doc, "UpdateDate", iam_now(c));
    if (json_array_size(tags) > 0) {
        json_object_set(doc, "Tags", (json_t *)tags);
    }
    json_object_set_new(doc, "NextVersion", json_integer(2)); // version ids are never reused
    struct store_obj o = {
        .account = c->caller->account,
        .region = "",
        .kind = IAM_KIND_POLICY,
        .id = id,
        .name = name,
        .name_ci = true,
        .path = path,
    };
    int rc = iam_put(
        c, &o, doc, STORE_CREATE, NULL,
        iam_fmt(c, "A policy called %s already exists. Duplicate names are not allowed.", name));
    if (rc == 0) {
        rc = version_put(c, id, "v1", document, true, (json_int_t)c->now, STORE_CREATE);
    }
    if (rc == 0) {
        struct usage u = {0, 0};
        c->out = json_pack("{s:o}", "Policy", customer_out(doc, &u, VIEW_FULL));
    }
    json_decref(doc);
    return rc;
}
IAM_OPERATION(create_policy, true)

// GetPolicy: a customer or AWS managed policy with its attachment counts (in this account).
static int get_policy_body(struct svc_call *c)
{
    struct pol p;
    struct usage u;
    int rc = pol_authorize(c, "iam:GetPolicy", USE_READ, MISSING_NOT_FOUND, &p);
    if (rc == 0) {
        rc = usage_of(c, p.arn, &u);
    }
    if (rc == 0) {
        json_t *o = p.aws ? aws_out(c, &p.mp, &u, VIEW_FULL) : customer_out(p.doc, &u, VIEW_FULL);
        c->out = json_pack("{s:o}", "Policy", o);
    }
    pol_free(&p);
    return rc;
}
IAM_OPERATION(get_policy, false)

// The attachment and boundary counts of every policy of the account that has any, sorted by ARN
// for bsearch (ListPolicies reads them for a whole page, and for its filters).
struct usage_row {
    const char *arn;
    struct usage u;
};

struct usage_map {
    struct usage_row *rows;
    size_t count;
};

static int usage_row_cmp(const void *a, const void *b)
{
    return strcmp(((const struct usage_row *)a)->arn, ((const struct usage_row *)b)->arn);
}

static int usage_map_build(struct svc_call *c, struct usage_map *m)
{
    struct store_obj *att = NULL;
    struct store_obj *bnd = NULL;
    size_t natt = 0;
    size_t nbnd = 0;
    if (iam_list_all(c, IAM_KIND_ATTACHED_ENTITY, NULL, &att, &natt) != 0 ||
        iam_list_all(c, IAM_KIND_BOUNDARY_ENTITY, NULL, &bnd, &nbnd) != 0) {
        return -1;
    }
    // One row per use, sorted by ARN, then folded into one row per policy.
    struct usage_row *uses = arena_calloc(c->arena, natt + nbnd + 1, sizeof(*uses));
    size_t n = 0;
    for (size_t i = 0; i < natt + nbnd; i++) {
        const struct store_obj *o = i < natt ? &att[i] : &bnd[i - natt];
        if (o->parent != NULL) {
            uses[n].arn = o->parent;
            uses[n].u.attached = i < natt;
            uses[n].u.boundary = i >= natt;
            n++;
        }
    }
    qsort(uses, n, sizeof(*uses), usage_row_cmp);
    m->rows = uses;
    m->count = 0;
    for (size_t i = 0; i < n; i++) {
        struct usage_row *last = m->count ? &m->rows[m->count - 1] : NULL;
        if (last != NULL && strcmp(last->arn, uses[i].arn) == 0) {
            last->u.attached += uses[i].u.attached;
            last->u.boundary += uses[i].u.boundary;
        } else {
            m->rows[m->count++] = uses[i];
        }
    }
    return 0;
}

static struct usage usage_map_get(const struct usage_map *m, const char *arn)
{
    struct usage_row key = {.arn = arn};
    const struct usage_row *r =
        m->count ? bsearch(&key, m->rows, m->count, sizeof(*m->rows), usage_row_cmp) : NULL;
    struct usage none = {0, 0};
    return r ? r->u : none;
}

// The filters of ListPolicies. OnlyAttached keeps policies attached to a user, group or role;
// PolicyUsageFilter keeps those used for that purpose (attached as a permissions policy, or set
// as a permissions boundary).
struct list_filter {
    const char *path_prefix;
    bool only_attached;
    const char *usage; // NULL, "PermissionsPolicy" or "PermissionsBoundary"
};

static bool filter_keeps(const struct list_filter *f, const char *path, const struct usage *u)
{
    if (f->path_prefix != NULL && strncmp(path, f->path_prefix, strlen(f->path_prefix)) != 0) {
        return false;
    }
    if (f->only_attached && u->attached == 0) {
        return false;
    }
    if (f->usage != NULL && strcmp(f->usage, "PermissionsPolicy") == 0 && u->attached == 0) {
        return false;
    }
    if (f->usage != NULL && strcmp(f->usage, "PermissionsBoundary") == 0 && u->boundary == 0) {
        return false;
    }
    return true;
}

// ListPolicies: the account's customer managed policies (Scope Local), then the AWS managed
// catalog (Scope AWS), filtered and paged. The marker says where to resume: "L" and the store's
// marker within the account's policies, "A" and the name of the last catalog policy returned.
static int list_policies_body(struct svc_call *c)
{
    if (svc_authorize(c, "iam:ListPolicies", "*", NULL, NULL) != 0) {
        return -1;
    }
    const char *scope = iam_in_str(c, "Scope");
    bool local = scope == NULL || strcmp(scope, "AWS") != 0;
    bool aws = scope == NULL || strcmp(scope, "Local") != 0;
    struct list_filter f = {
        .path_prefix = iam_in_str(c, "PathPrefix"),
        .only_attached = json_is_true(json_object_get(c->in, "OnlyAttached")),
        .usage = iam_in_str(c, "PolicyUsageFilter"),
    };
    struct iam_page pg;
    iam_page_in(c, &pg);
    const char *marker = pg.marker;
    if (marker != NULL && marker[0] != 'L' && marker[0] != 'A') {
        return awserr_set(&c->err, 400, "InvalidInput", "Invalid Marker.");
    }
    struct usage_map um;
    if (usage_map_build(c, &um) != 0) {
        return -1;
    }
    json_t *list = json_array();
    c->out = json_pack("{s:o}", "Policies", list);
    const char *next = NULL;

    if (local && (marker == NULL || marker[0] == 'L')) {
        struct store_scope sc = iam_scope(c, IAM_KIND_POLICY);
        struct store_list_opts lo = {
            .path_prefix = f.path_prefix,
            .marker = (marker != NULL && marker[1] != '\0') ? marker + 1 : NULL,
        };
        for (;;) {
            // Never ask for more than the page still needs, so that the store's marker of the
            // last object fetched is also the marker of the last object kept.
            lo.limit = pg.limit - json_array_size(list);
            struct store_list l;
            struct store_err e;
            int rc = store_list(c->env->store, &sc, &lo, c->arena, &l, &e);
            if (rc == SB_EINVAL && lo.marker != NULL) {
                return awserr_set(&c->err, 400, "InvalidInput", "Invalid Marker.");
            }
            if (rc != 0) {
                return iam_store_error(c, rc, &e, NULL, NULL);
            }
            for (size_t i = 0; i < l.count; i++) {
                json_t *d = jsonload(l.items[i].doc, l.items[i].doc_len);
                const char *arn = jstr(d, "Arn");
                if (arn != NULL) {
                    struct usage u = usage_map_get(&um, arn);
                    if (filter_keeps(&f, l.items[i].path ? l.items[i].path : "/", &u)) {
                        json_array_append_new(list, customer_out(d, &u, VIEW_LIST));
                    }
                }
                json_decref(d);
            }
            if (!l.truncated) {
                break;
            }
            lo.marker = l.next_marker;
            if (json_array_size(list) >= pg.limit) {
                next = iam_fmt(c, "L%s", l.next_marker);
                break;
            }
        }
        marker = NULL;
    }

    if (aws && next == NULL) {
        size_t n = managed_policies_count();
        size_t i = 0;
        if (marker != NULL && marker[0] == 'A') {
            i = managed_policies_after(marker + 1, strlen(marker + 1));
        }
        const char *last = NULL;
        for (; i < n; i++) {
            struct managed_policy mp;
            managed_policies_at(i, &mp);
            struct usage u = usage_map_get(&um, mp.arn);
            if (!filter_keeps(&f, mp.path, &u)) {
                continue;
            }
            if (json_array_size(list) >= pg.limit) {
                // More remain: resume after the last policy of this page (or from the start of
                // the catalog when the page ended with the account's own policies).
                next = last ? iam_fmt(c, "A%s", last) : "A";
                break;
            }
            json_array_append_new(list, aws_out(c, &mp, &u, VIEW_LIST));
            last = mp.name;
        }
    }
    json_object_set_new(c->out, "IsTruncated", json_boolean(next != NULL));
    if (next != NULL) {
        json_object_set_new(c->out, "Marker", json_string(next));
    }
    return 0;
}
IAM_OPERATION(list_policies, false)

// DeletePolicy: refused while the policy is attached or used as a boundary, or while it has
// versions besides the default one; the default version goes with the policy.
static int delete_policy_body(struct svc_call *c)
{
    struct pol p;
    struct usage u;
    int64_t versions = 0;
    int rc = pol_authorize(c, "iam:DeletePolicy", USE_CHANGE, MISSING_NOT_ATTACHABLE, &p);
    if (rc == 0) {
        rc = usage_of(c, p.arn, &u);
    }
    if (rc == 0 && (u.attached > 0 || u.boundary > 0)) {
        rc = awserr_set(&c->err, 409, "DeleteConflict",
                        "Cannot delete a policy attached to entities.");
    }
    if (rc == 0) {
        rc = iam_count_children(c, IAM_KIND_POLICY_VERSION, p.obj.id, &versions);
    }
    if (rc == 0 && versions > 1) {
        rc = awserr_set(&c->err, 409, "DeleteConflict",
                        "This policy has more than one version. Before you delete a policy, you "
                        "must delete the policy's versions. The default version is deleted with "
                        "the policy.");
    }
    if (rc == 0) {
        struct store_scope sc = iam_scope(c, IAM_KIND_POLICY_VERSION);
        struct store_err e;
        int src = store_delete_children(c->env->store, &sc, p.obj.id, NULL, &e);
        rc = src == 0 ? delete_obj(c, IAM_KIND_POLICY, p.obj.id)
                      : iam_store_error(c, src, &e, NULL, NULL);
    }
    pol_free(&p);
    return rc;
}
IAM_OPERATION(delete_policy, true)

// ---- Versions --------------------------------------------------------------------------------

// CreatePolicyVersion: a new version (at most 5), optionally made the default. Version ids
// count up and are never reused.
static int create_policy_version_body(struct svc_call *c)
{
    struct pol p;
    int rc = pol_authorize(c, "iam:CreatePolicyVersion", USE_CHANGE, MISSING_NOT_ATTACHABLE, &p);
    const char *document = iam_in_str(c, "PolicyDocument");
    bool set_default = json_is_true(json_object_get(c->in, "SetAsDefault"));
    int64_t versions = 0;
    if (rc == 0) {
        rc = iam_check_policy(c, document, POLICY_KIND_IDENTITY, p.name);
    }
    if (rc == 0) {
        rc = iam_count_children(c, IAM_KIND_POLICY_VERSION, p.obj.id, &versions);
    }
    if (rc == 0 && versions >= POLICY_VERSIONS_MAX) {
        rc = awserr_set(&c->err, 409, "LimitExceeded",
                        "A managed policy can have up to %d versions. Before you create a new "
                        "version, you must delete an existing version.",
                        POLICY_VERSIONS_MAX);
    }
    const char *vid = NULL;
    if (rc == 0) {
        const json_t *nv = json_object_get(p.doc, "NextVersion");
        json_int_t n = json_is_integer(nv) ? json_integer_value(nv) : versions + 1;
        vid = iam_fmt(c, "v%lld", (long long)n);
        json_object_set_new(p.doc, "NextVersion", json_integer(n + 1));
        rc = version_put(c, p.obj.id, vid, document, set_default, (json_int_t)c->now, STORE_CREATE);
    }
    if (rc == 0 && set_default) {
        const char *old = iam_fmt(c, "%s", jstr(p.doc, "DefaultVersionId"));
        json_t *od = NULL;
        rc = version_load(c, &p, old, &od);
        if (rc == 0) {
            rc = version_put(c, p.obj.id, old, jstr(od, "Document"), false,
                             json_integer_value(json_object_get(od, "CreateDate")), STORE_REPLACE);
        }
        json_decref(od);
        json_object_set_new(p.doc, "DefaultVersionId", json_string(vid));
        json_object_set_new(p.doc, "UpdateDate", iam_now(c));
    }
    if (rc == 0) {
        rc = policy_save(c, &p);
    }
    if (rc == 0) {
        c->out = json_pack("{s:{s:s, s:b, s:I}}", "PolicyVersion", "VersionId", vid,
                           "IsDefaultVersion", set_default, "CreateDate", (json_int_t)c->now);
    }
    pol_free(&p);
    return rc;
}
IAM_OPERATION(create_policy_version, true)

// GetPolicyVersion: one version with its document URL-encoded. The catalog holds only the
// default version of an AWS managed policy.
static int get_policy_version_body(struct svc_call *c)
{
    struct pol p;
    const char *vid = iam_in_str(c, "VersionId");
    int rc = pol_authorize(c, "iam:GetPolicyVersion", USE_READ, MISSING_NOT_ATTACHABLE, &p);
    if (rc != 0) {
        pol_free(&p);
        return -1;
    }
    if (p.aws) {
        if (strcmp(vid, p.mp.version_id) != 0) {
            pol_free(&p);
            return awserr_set(&c->err, 404, "NoSuchEntity",
                              "Policy %s version %s does not exist or is not attachable.", p.arn,
                              vid);
        }
        c->out = json_pack("{s:{s:s, s:s, s:b, s:I}}", "PolicyVersion", "Document",
                           iam_url_encode(c, p.mp.document), "VersionId", p.mp.version_id,
                           "IsDefaultVersion", 1, "CreateDate",
                           (json_int_t)(p.mp.version_create_date_ms / 1000));
        pol_free(&p);
        return 0;
    }
    json_t *v = NULL;
    rc = version_load(c, &p, vid, &v);
    if (rc == 0) {
        const char *text = jstr(v, "Document");
        c->out = json_pack("{s:{s:s, s:s, s:O, s:O}}", "PolicyVersion", "Document",
                           iam_url_encode(c, text ? text : ""), "VersionId", vid,
                           "IsDefaultVersion", json_object_get(v, "IsDefaultVersion"), "CreateDate",
                           json_object_get(v, "CreateDate"));
    }
    json_decref(v);
    pol_free(&p);
    return rc;
}
IAM_OPERATION(get_policy_version, false)

static long version_number(const char *vid)
{
    return vid != NULL && vid[0] == 'v' ? strtol(vid + 1, NULL, 10) : 0;
}

static int version_cmp_desc(const void *a, const void *b)
{
    long x = version_number(jstr(*(json_t *const *)a, "VersionId"));
    long y = version_number(jstr(*(json_t *const *)b, "VersionId"));
    return (x < y) - (x > y);
}

// ListPolicyVersions: the versions, newest first, without their documents.
static int list_policy_versions_body(struct svc_call *c)
{
    struct pol p;
    int rc = pol_authorize(c, "iam:ListPolicyVersions", USE_READ, MISSING_NOT_ATTACHABLE, &p);
    if (rc != 0) {
        pol_free(&p);
        return -1;
    }
    json_t *all[POLICY_VERSIONS_MAX + 1];
    size_t n = 0;
    if (p.aws) {
        all[n++] = json_pack("{s:s, s:b, s:I}", "VersionId", p.mp.version_id, "IsDefaultVersion", 1,
                             "CreateDate", (json_int_t)(p.mp.version_create_date_ms / 1000));
    } else {
        struct store_obj *items = NULL;
        size_t count = 0;
        rc = iam_list_all(c, IAM_KIND_POLICY_VERSION, p.obj.id, &items, &count);
        for (size_t i = 0; rc == 0 && i < count && n < POLICY_VERSIONS_MAX + 1; i++) {
            json_t *d = jsonload(items[i].doc, items[i].doc_len);
            if (d != NULL) {
                json_object_del(d, "Document");
                all[n++] = d;
            }
        }
    }
    pol_free(&p);
    qsort(all, n, sizeof(all[0]), version_cmp_desc);
    size_t start = 0;
    size_t end = 0;
    if (rc == 0) {
        rc = iam_page_range(c, n, &start, &end);
    }
    if (rc == 0) {
        json_t *list = json_array();
        for (size_t i = start; i < end; i++) {
            json_array_append(list, all[i]);
        }
        c->out = json_pack("{s:o}", "Versions", list);
        iam_page_finish(c, c->out, end, n);
    }
    for (size_t i = 0; i < n; i++) {
        json_decref(all[i]);
    }
    return rc;
}
IAM_OPERATION(list_policy_versions, false)

// DeletePolicyVersion: any version but the default one.
static int delete_policy_version_body(struct svc_call *c)
{
    struct pol p;
    const char *vid = iam_in_str(c, "VersionId");
    int rc = pol_authorize(c, "iam:DeletePolicyVersion", USE_CHANGE, MISSING_NOT_ATTACHABLE, &p);
    json_t *v = NULL;
    if (rc == 0) {
        rc = version_load(c, &p, vid, &v);
    }
    if (rc == 0 && json_is_true(json_object_get(v, "IsDefaultVersion"))) {
        rc = awserr_set(&c->err, 409, "DeleteConflict",
                        "Cannot delete the default version of a policy.");
    }
    if (rc == 0) {
        rc = delete_obj(c, IAM_KIND_POLICY_VERSION, version_id_of(c, &p, vid));
    }
    json_decref(v);
    pol_free(&p);
    return rc;
}
IAM_OPERATION(delete_policy_version, true)

// SetDefaultPolicyVersion: makes a version the one that applies wherever the policy is attached.
static int set_default_policy_version_body(struct svc_call *c)
{
    struct pol p;
    const char *vid = iam_in_str(c, "VersionId");
    int rc =
        pol_authorize(c, "iam:SetDefaultPolicyVersion", USE_CHANGE, MISSING_NOT_ATTACHABLE, &p);
    json_t *v = NULL;
    json_t *od = NULL;
    if (rc == 0) {
        rc = version_load(c, &p, vid, &v);
    }
    const char *old = rc == 0 ? iam_fmt(c, "%s", jstr(p.doc, "DefaultVersionId")) : NULL;
    if (rc == 0 && strcmp(old, vid) != 0) {
        rc = version_load(c, &p, old, &od);
        if (rc == 0) {
            rc = version_put(c, p.obj.id, old, jstr(od, "Document"), false,
                             json_integer_value(json_object_get(od, "CreateDate")), STORE_REPLACE);
        }
        if (rc == 0) {
            rc = version_put(c, p.obj.id, vid, jstr(v, "Document"), true,
                             json_integer_value(json_object_get(v, "CreateDate")), STORE_REPLACE);
        }
        if (rc == 0) {
            json_object_set_new(p.doc, "DefaultVersionId", json_string(vid));
            json_object_set_new(p.doc, "UpdateDate", iam_now(c));
            rc = policy_save(c, &p);
        }
    }
    json_decref(v);
    json_decref(od);
    pol_free(&p);
    return rc;
}
IAM_OPERATION(set_default_policy_version, true)

// ---- Tags ------------------------------------------------------------------------------------

// TagPolicy: adds tags, replacing the value of a key the policy already has.
static int tag_policy_body(struct svc_call *c)
{
    const json_t *tags = json_object_get(c->in, "Tags");
    iam_request_tag_keys(c, tags);
    struct pol p;
    int rc = pol_authorize(c, "iam:TagPolicy", USE_CHANGE, MISSING_NOT_ATTACHABLE, &p);
    if (rc == 0) {
        rc = check_policy_tags(c, tags, json_array_size(tags));
    }
    if (rc == 0) {
        json_t *have = json_object_get(p.doc, "Tags");
        if (have == NULL) {
            have = json_array();
            json_object_set_new(p.doc, "Tags", have);
        }
        size_t i;
        const json_t *t;
        json_array_foreach(tags, i, t)
        {
            const char *k = jstr(t, "Key");
            bool replaced = false;
            for (size_t j = 0; j < json_array_size(have) && !replaced; j++) {
                const char *hk = jstr(json_array_get(have, j), "Key");
                if (hk != NULL && k != NULL && strcasecmp(hk, k) == 0) {
                    json_array_set(have, j, (json_t *)t);
                    replaced = true;
                }
            }
            if (!replaced) {
                json_array_append(have, (json_t *)t);
            }
        }
        rc = check_policy_tags(c, NULL, json_array_size(have));
    }
    if (rc == 0) {
        rc = policy_save(c, &p);
    }
    pol_free(&p);
    return rc;
}
IAM_OPERATION(tag_policy, true)

// UntagPolicy: removes the tags with the given keys.
static int untag_policy_body(struct svc_call *c)
{
    const json_t *keys = json_object_get(c->in, "TagKeys");
    size_t n = json_array_size(keys);
    const char **list = arena_calloc(c->arena, n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        list[i] = json_string_value(json_array_get(keys, i));
    }
    policy_context_set_list(c->ctx, "aws:TagKeys", list, n);
    struct pol p;
    int rc = pol_authorize(c, "iam:UntagPolicy", USE_CHANGE, MISSING_NOT_ATTACHABLE, &p);
    if (rc == 0) {
        json_t *have = json_object_get(p.doc, "Tags");
        for (size_t j = json_array_size(have); j-- > 0;) {
            const char *k = jstr(json_array_get(have, j), "Key");
            for (size_t i = 0; i < n; i++) {
                if (k != NULL && list[i] != NULL && strcasecmp(k, list[i]) == 0) {
                    json_array_remove(have, j);
                    break;
                }
            }
        }
        if (have != NULL && json_array_size(have) == 0) {
            json_object_del(p.doc, "Tags");
        }
        rc = policy_save(c, &p);
    }
    pol_free(&p);
    return rc;
}
IAM_OPERATION(untag_policy, true)

// ListPolicyTags: the policy's tags (none for AWS managed policies), a page at a time.
static int list_policy_tags_body(struct svc_call *c)
{
    struct pol p;
    int rc = pol_authorize(c, "iam:ListPolicyTags", USE_READ, MISSING_NOT_ATTACHABLE, &p);
    const json_t *all = p.doc ? json_object_get(p.doc, "Tags") : NULL;
    size_t start = 0;
    size_t end = 0;
    if (rc == 0) {
        rc = iam_page_range(c, json_array_size(all), &start, &end);
    }
    if (rc == 0) {
        json_t *tags = json_array();
        for (size_t i = start; i < end; i++) {
            json_array_append(tags, json_array_get(all, i));
        }
        c->out = json_pack("{s:o}", "Tags", tags);
        iam_page_finish(c, c->out, end, json_array_size(all));
    }
    pol_free(&p);
    return rc;
}
IAM_OPERATION(list_policy_tags, false)

// ---- Attachments -----------------------------------------------------------------------------

// The three kinds of entity a managed policy attaches to.
struct entity_type {
    const char *type;        // EntityType of ListEntitiesForPolicy: "User", "Group", "Role"
    const char *kind;        // the store kind
    const char *what;        // "user": ARN resource type and NoSuchEntity wording
    const char *name_member; // the request member naming it
    const char *quota;       // LimitExceeded's quota name
    bool has_tags;           // taggable: aws:ResourceTag/* applies
    bool has_boundary;       // iam:PermissionsBoundary applies to attach/detach
};

static const struct entity_type USER = {
    "User", IAM_KIND_USER, "user", "UserName", "PoliciesPerUser", true, true};
static const struct entity_type GROUP = {
    "Group", IAM_KIND_GROUP, "group", "GroupName", "PoliciesPerGroup", false, false};
static const struct entity_type ROLE = {
    "Role", IAM_KIND_ROLE, "role", "RoleName", "PoliciesPerRole", true, true};

// An entity named by the request, as loaded for an operation.
struct entity {
    const struct entity_type *t;
    const char *name;
    const char *arn;
    bool found;
    struct store_obj obj;
    json_t *doc; // owned; NULL when not found
};

static void entity_free(struct entity *en)
{
    json_decref(en->doc);
    en->doc = NULL;
}

// Loads the entity of the request and authorizes action on its ARN with its tags
// (aws:ResourceTag/*) and, where the action supports it, its boundary (iam:PermissionsBoundary);
// then requires that it exists. Returns 0 or -1 with c->err set.
static int entity_authorize(struct svc_call *c, const struct entity_type *t, const char *action,
                            bool boundary_key, struct entity *en)
{
    memset(en, 0, sizeof(*en));
    en->t = t;
    en->name = iam_in_str(c, t->name_member);
    struct store_scope sc = iam_scope(c, t->kind);
    struct store_err e;
    int rc = store_get_by_name(c->env->store, &sc, en->name, c->arena, &en->obj, &e);
    if (rc != 0 && rc != SB_ENOTFOUND) {
        return iam_store_error(c, rc, &e, NULL, NULL);
    }
    if (rc == 0) {
        en->doc = jsonload(en->obj.doc, en->obj.doc_len);
        if (en->doc == NULL) {
            return iam_store_error(c, SB_ECORRUPT, &e, NULL, NULL);
        }
        en->found = true;
        en->name = en->obj.name;
        en->arn = jstr(en->doc, "Arn");
        if (t->has_tags) {
            iam_resource_tag_keys(c, json_object_get(en->doc, "Tags"));
        }
        const char *b =
            jstr(json_object_get(en->doc, "PermissionsBoundary"), "PermissionsBoundaryArn");
        if (boundary_key && t->has_boundary && b != NULL) {
            policy_context_set(c->ctx, "iam:PermissionsBoundary", b);
        }
    }
    if (en->arn == NULL) {
        en->arn = iam_arn(c, t->what, en->found ? en->obj.path : "/", en->name);
    }
    if (iam_authorize_named(c, action, en->arn, NULL, t->what, en->name) != 0) {
        return -1;
    }
    if (!en->found) {
        return awserr_set(&c->err, 404, "NoSuchEntity", "The %s with name %s cannot be found.",
                          t->what, en->name);
    }
    return 0;
}

static const char *attachment_id(struct svc_call *c, const struct entity *en, const char *arn)
{
    return iam_fmt(c, "%s|%s", en->obj.id, arn);
}

static const char *attached_entity_id(struct svc_call *c, const struct entity *en, const char *arn)
{
    return iam_fmt(c, "%s|%s", arn, en->obj.id);
}

// Attach{User,Group,Role}Policy: attaches a customer or AWS managed policy (at most 10 per
// entity; attaching one already attached changes nothing). Service-linked role policies
// (/aws-service-role/) attach only to their service's roles.
static int attach(struct svc_call *c, const struct entity_type *t, const char *action)
{
    const char *arn = iam_in_str(c, "PolicyArn");
    policy_context_set(c->ctx, "iam:PolicyARN", arn);
    struct entity en;
    struct pol p;
    memset(&p, 0, sizeof(p));
    int rc = entity_authorize(c, t, action, true, &en);
    if (rc == 0) {
        rc = pol_load(c, arn, &p);
    }
    if (rc == 0 && !p.valid) {
        rc = awserr_set(&c->err, 400, "InvalidInput", "ARN %s is not valid.", arn);
    }
    if (rc == 0 && !p.found) {
        rc = awserr_set(&c->err, 404, "NoSuchEntity",
                        "Policy %s does not exist or is not attachable.", arn);
    }
    if (rc == 0 && p.aws && strcmp(p.mp.path, "/aws-service-role/") == 0) {
        rc = awserr_set(&c->err, 400, "PolicyNotAttachable",
                        "Cannot attach a Service Role Policy to a Customer Role.");
    }
    bool already = false;
    if (rc == 0) {
        struct store_scope sc = iam_scope(c, IAM_KIND_ATTACHMENT);
        struct store_err e;
        int src = store_get(c->env->store, &sc, attachment_id(c, &en, arn), NULL, NULL, &e);
        already = src == 0;
        if (src != 0 && src != SB_ENOTFOUND) {
            rc = iam_store_error(c, src, &e, NULL, NULL);
        }
    }
    int64_t n = 0;
    if (rc == 0 && !already) {
        rc = iam_count_children(c, IAM_KIND_ATTACHMENT, en.obj.id, &n);
    }
    if (rc == 0 && !already && n >= ATTACHED_POLICIES_MAX) {
        rc = awserr_set(&c->err, 409, "LimitExceeded", "Cannot exceed quota for %s: %d.", t->quota,
                        ATTACHED_POLICIES_MAX);
    }
    if (rc == 0 && !already) {
        const char *pname = p.aws ? p.mp.name : jstr(p.doc, "PolicyName");
        json_t *a = json_pack("{s:s, s:s}", "PolicyArn", arn, "PolicyName", pname ? pname : "");
        struct store_obj o = {
            .account = c->caller->account,
            .region = "",
            .kind = IAM_KIND_ATTACHMENT,
            .id = attachment_id(c, &en, arn),
            .parent = en.obj.id,
        };
        rc = iam_put(c, &o, a, STORE_CREATE, NULL, NULL);
        json_decref(a);
    }
    if (rc == 0 && !already) {
        json_t *b = json_pack("{s:s, s:s, s:s}", "EntityType", t->type, "EntityId", en.obj.id,
                              "EntityName", en.name);
        struct store_obj o = {
            .account = c->caller->account,
            .region = "",
            .kind = IAM_KIND_ATTACHED_ENTITY,
            .id = attached_entity_id(c, &en, arn),
            .parent = arn,
        };
        rc = iam_put(c, &o, b, STORE_UPSERT, NULL, NULL);
        json_decref(b);
    }
    pol_free(&p);
    entity_free(&en);
    return rc;
}

// Detach{User,Group,Role}Policy: removes an attachment (404 when the policy is not attached).
static int detach(struct svc_call *c, const struct entity_type *t, const char *action)
{
    const char *arn = iam_in_str(c, "PolicyArn");
    policy_context_set(c->ctx, "iam:PolicyARN", arn);
    struct entity en;
    int rc = entity_authorize(c, t, action, true, &en);
    if (rc == 0) {
        struct store_scope sc = iam_scope(c, IAM_KIND_ATTACHMENT);
        struct store_err e;
        int src = store_delete(c->env->store, &sc, attachment_id(c, &en, arn), &e);
        if (src != 0) {
            rc = iam_store_error(c, src, &e, iam_fmt(c, "Policy %s was not found.", arn), NULL);
        }
    }
    if (rc == 0) {
        struct store_scope sc = iam_scope(c, IAM_KIND_ATTACHED_ENTITY);
        struct store_err e;
        int src = store_delete(c->env->store, &sc, attached_entity_id(c, &en, arn), &e);
        if (src != 0 && src != SB_ENOTFOUND) {
            rc = iam_store_error(c, src, &e, NULL, NULL);
        }
    }
    entity_free(&en);
    return rc;
}

// The path of a managed policy, from its ARN ("arn:aws:iam::A:policy/a/b/N" -> "/a/b/").
static const char *path_of_policy_arn(struct svc_call *c, const char *arn)
{
    const char *s = strstr(arn, ":policy/");
    if (s == NULL) {
        return "/";
    }
    s += 8;
    const char *last = strrchr(s, '/');
    return last ? iam_fmt(c, "/%.*s/", (int)(last - s), s) : "/";
}

// ListAttached{User,Group,Role}Policies: the entity's managed policies whose path starts with
// PathPrefix, a page at a time.
static int list_attached(struct svc_call *c, const struct entity_type *t, const char *action)
{
    struct entity en;
    int rc = entity_authorize(c, t, action, false, &en);
    struct store_obj *items = NULL;
    size_t count = 0;
    if (rc == 0) {
        rc = iam_list_all(c, IAM_KIND_ATTACHMENT, en.obj.id, &items, &count);
    }
    entity_free(&en);
    if (rc != 0) {
        return -1;
    }
    const char *prefix = iam_in_str(c, "PathPrefix");
    json_t **kept = arena_calloc(c->arena, count + 1, sizeof(json_t *));
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        json_t *d = jsonload(items[i].doc, items[i].doc_len);
        const char *arn = jstr(d, "PolicyArn");
        if (arn != NULL &&
            (prefix == NULL || strncmp(path_of_policy_arn(c, arn), prefix, strlen(prefix)) == 0)) {
            kept[n++] = d;
        } else {
            json_decref(d);
        }
    }
    size_t start = 0;
    size_t end = 0;
    rc = iam_page_range(c, n, &start, &end);
    if (rc == 0) {
        json_t *list = json_array();
        for (size_t i = start; i < end; i++) {
            json_array_append_new(
                list, json_pack("{s:O, s:O}", "PolicyName", json_object_get(kept[i], "PolicyName"),
                                "PolicyArn", json_object_get(kept[i], "PolicyArn")));
        }
        c->out = json_pack("{s:o}", "AttachedPolicies", list);
        iam_page_finish(c, c->out, end, n);
    }
    for (size_t i = 0; i < n; i++) {
        json_decref(kept[i]);
    }
    return rc;
}

static int attach_user_policy_body(struct svc_call *c)
{
    return attach(c, &USER, "iam:AttachUserPolicy");
}
IAM_OPERATION(attach_user_policy, true)

static int attach_group_policy_body(struct svc_call *c)
{
    return attach(c, &GROUP, "iam:AttachGroupPolicy");
}
IAM_OPERATION(attach_group_policy, true)

static int attach_role_policy_body(struct svc_call *c)
{
    return attach(c, &ROLE, "iam:AttachRolePolicy");
}
IAM_OPERATION(attach_role_policy, true)

static int detach_user_policy_body(struct svc_call *c)
{
    return detach(c, &USER, "iam:DetachUserPolicy");
}
IAM_OPERATION(detach_user_policy, true)

static int detach_group_policy_body(struct svc_call *c)
{
    return detach(c, &GROUP, "iam:DetachGroupPolicy");
}
IAM_OPERATION(detach_group_policy, true)

static int detach_role_policy_body(struct svc_call *c)
{
    return detach(c, &ROLE, "iam:DetachRolePolicy");
}
IAM_OPERATION(detach_role_policy, true)

static int list_attached_user_policies_body(struct svc_call *c)
{
    return list_attached(c, &USER, "iam:ListAttachedUserPolicies");
}
IAM_OPERATION(list_attached_user_policies, false)

static int list_attached_group_policies_body(struct svc_call *c)
{
    return list_attached(c, &GROUP, "iam:ListAttachedGroupPolicies");
}
IAM_OPERATION(list_attached_group_policies, false)

static int list_attached_role_policies_body(struct svc_call *c)
{
    return list_attached(c, &ROLE, "iam:ListAttachedRolePolicies");
}
IAM_OPERATION(list_attached_role_policies, false)

// ListEntitiesForPolicy: the users, groups and roles that have the policy attached
// (PolicyUsageFilter PermissionsPolicy), use it as their boundary (PermissionsBoundary), or
// either (no filter), narrowed by EntityFilter and the entities' PathPrefix. The three lists are
// paged together, in that order.
static int list_entities_for_policy_body(struct svc_call *c)
{
    struct pol p;
    int rc = pol_authorize(c, "iam:ListEntitiesForPolicy", USE_READ, MISSING_NOT_ATTACHABLE, &p);
    bool aws = p.aws;
    const char *arn = p.arn;
    pol_free(&p);
    if (rc != 0) {
        return -1;
    }
    const char *usage = iam_in_str(c, "PolicyUsageFilter");
    const char *filter = iam_in_str(c, "EntityFilter");
    const char *prefix = iam_in_str(c, "PathPrefix");
    struct store_obj *att = NULL;
    struct store_obj *bnd = NULL;
    size_t natt = 0;
    size_t nbnd = 0;
    if (usage == NULL || strcmp(usage, "PermissionsPolicy") == 0) {
        rc = iam_list_all(c, IAM_KIND_ATTACHED_ENTITY, arn, &att, &natt);
    }
    if (rc == 0 && (usage == NULL || strcmp(usage, "PermissionsBoundary") == 0)) {
        rc = iam_list_all(c, IAM_KIND_BOUNDARY_ENTITY, arn, &bnd, &nbnd);
    }
    if (rc != 0) {
        return -1;
    }
    bool none = filter != NULL && ((strcmp(filter, "LocalManagedPolicy") == 0 && aws) ||
                                   (strcmp(filter, "AWSManagedPolicy") == 0 && !aws));
    static const struct entity_type *const types[] = {&GROUP, &USER, &ROLE};
    static const char *const members[] = {"PolicyGroups", "PolicyUsers", "PolicyRoles"};
    // Every matching entity as (type index, name, id), groups then users then roles.
    struct hit {
        size_t type;
        const char *name;
        const char *id;
    };
    struct hit *hits = arena_calloc(c->arena, natt + nbnd + 1, sizeof(*hits));
    size_t nhits = 0;
    for (size_t ti = 0; ti < 3 && !none; ti++) {
        const struct entity_type *t = types[ti];
        if (filter != NULL && strcmp(filter, t->type) != 0 &&
            strcmp(filter, "LocalManagedPolicy") != 0 && strcmp(filter, "AWSManagedPolicy") != 0) {
            continue;
        }
        size_t first = nhits;
        for (size_t i = 0; i < natt + nbnd; i++) {
            const struct store_obj *row = i < natt ? &att[i] : &bnd[i - natt];
            json_t *d = jsonload(row->doc, row->doc_len);
            const char *etype = jstr(d, "EntityType");
            const char *eid = jstr(d, "EntityId");
            bool mine = etype != NULL && eid != NULL && strcmp(etype, t->type) == 0;
            const char *id = mine ? iam_fmt(c, "%s", eid) : NULL;
            json_decref(d);
            if (!mine) {
                continue;
            }
            bool dup = false;
            for (size_t k = first; k < nhits && !dup; k++) {
                dup = strcmp(hits[k].id, id) == 0;
            }
            struct store_scope sc = iam_scope(c, t->kind);
            struct store_obj o;
            struct store_err e;
            int src = dup ? SB_ENOTFOUND : store_get(c->env->store, &sc, id, c->arena, &o, &e);
            if (src == SB_ENOTFOUND) {
                continue; // listed twice, or deleted since
            }
            if (src != 0) {
                return iam_store_error(c, src, &e, NULL, NULL);
            }
            const char *path = o.path ? o.path : "/";
            if (prefix != NULL && strncmp(path, prefix, strlen(prefix)) != 0) {
                continue;
            }
            hits[nhits++] = (struct hit){ti, o.name, id};
        }
    }
    size_t start = 0;
    size_t end = 0;
    if (iam_page_range(c, nhits, &start, &end) != 0) {
        return -1;
    }
    json_t *lists[3] = {json_array(), json_array(), json_array()};
    static const char *const name_keys[] = {"GroupName", "UserName", "RoleName"};
    static const char *const id_keys[] = {"GroupId", "UserId", "RoleId"};
    for (size_t i = start; i < end; i++) {
        size_t ti = hits[i].type;
        json_array_append_new(lists[ti],
                              json_pack("{s:s, s:s}", name_keys[ti],
                                        hits[i].name ? hits[i].name : "", id_keys[ti], hits[i].id));
    }
    c->out = json_object();
    for (size_t ti = 0; ti < 3; ti++) {
        json_object_set_new(c->out, members[ti], lists[ti]);
    }
    iam_page_finish(c, c->out, end, nhits);
    return 0;
}
IAM_OPERATION(list_entities_for_policy, false)

const struct svc_handler iam_policy_handlers[] = {
    {"CreatePolicy", create_policy},
    {"GetPolicy", get_policy},
    {"ListPolicies", list_policies},
    {"DeletePolicy", delete_policy},
    {"CreatePolicyVersion", create_policy_version},
    {"GetPolicyVersion", get_policy_version},
    {"ListPolicyVersions", list_policy_versions},
    {"DeletePolicyVersion", delete_policy_version},
    {"SetDefaultPolicyVersion", set_default_policy_version},
    {"TagPolicy", tag_policy},
    {"UntagPolicy", untag_policy},
    {"ListPolicyTags", list_policy_tags},
    {"AttachUserPolicy", attach_user_policy},
    {"DetachUserPolicy", detach_user_policy},
    {"AttachGroupPolicy", attach_group_policy},
    {"DetachGroupPolicy", detach_group_policy},
    {"AttachRolePolicy", attach_role_policy},
    {"DetachRolePolicy", detach_role_policy},
    {"ListAttachedUserPolicies", list_attached_user_policies},
    {"ListAttachedGroupPolicies", list_attached_group_policies},
    {"ListAttachedRolePolicies", list_attached_role_policies},
    {"ListEntitiesForPolicy", list_entities_for_policy},
    {NULL, NULL},
};
