// SPDX-License-Identifier: Apache-2.0
// The evaluation logic (IAM User Guide, "Policy evaluation logic", "Cross-account policy
// evaluation logic", "Permissions boundaries for IAM entities", "Session policies"; Organizations
// User Guide, SCP and RCP evaluation; AWS KMS Developer Guide, "Key policies"):
//   1. an explicit Deny in any applicable policy decides;
//   2. every RCP level, every SCP level and every VPC endpoint policy must allow;
//   3. resource-based and identity-based policies: within one account either may allow, except
//      that a grant to a role ARN (not the session) or to the federating user is still limited by
//      an implicit deny in a permissions boundary or session policy, and a KMS key policy or a
//      role trust policy must allow (directly, or by trusting the account so that IAM policies
//      can); across accounts both sides must allow;
//   4. permissions boundaries and session policies must allow what identity policies grant; a
//      federated user session without a session policy has no permissions.
// The root user needs no identity policy; service principals and anonymous callers are allowed
// only by a resource-based policy; sts:GetCallerIdentity is always allowed.
#include "policy/policy_int.h"

#include <string.h>

// How a resource-based policy's Allow reached the principal (the strongest match counts).
enum grant_class {
    GRANT_NONE = 0,
    GRANT_ACCOUNT, // the principal's account: IAM policies of that account decide
    GRANT_LIMITED, // the role of a role session, or the IAM user who federated
    GRANT_DIRECT,  // the principal itself (user, session, federated user, service, "*")
};

// What one pass over one policy found.
struct scan {
    bool allow;
    bool deny;
    enum grant_class grant; // resource-based kinds only
};

struct eval {
    const struct policy_request *req;
    const char *action; // lowercased
    size_t action_len;
    uint64_t service_bit; // pol_service_bit of the action
    const char *resource;
    struct pol_env env;
    struct policy_decision *d;
};

static bool is_arn_of(const struct pol_str *e, const char *arn)
{
    return arn != NULL && strcmp(e->s, arn) == 0;
}

// Builds "arn:aws:iam::ACCOUNT:root" for the principal's account into buf.
static const char *account_root(const struct policy_principal *p, char *buf, size_t cap)
{
    if (p->account == NULL || p->account[0] == '\0') {
        return NULL;
    }
    size_t n = strlen(p->account);
    static const char pre[] = "arn:aws:iam::";
    static const char post[] = ":root";
    if (sizeof(pre) - 1 + n + sizeof(post) > cap) {
        return NULL;
    }
    memcpy(buf, pre, sizeof(pre) - 1);
    memcpy(buf + sizeof(pre) - 1, p->account, n);
    memcpy(buf + sizeof(pre) - 1 + n, post, sizeof(post));
    return buf;
}

// Classifies how a Principal element names the request's principal.
static enum grant_class principal_grant(const struct pol_principal *pe,
                                        const struct policy_principal *p)
{
    if (pe->any) {
        return GRANT_DIRECT;
    }
    enum grant_class best = GRANT_NONE;
    char rootbuf[64];
    const char *root = account_root(p, rootbuf, sizeof(rootbuf));
    bool iam_identity = p->type == POLICY_PRINCIPAL_ROOT || p->type == POLICY_PRINCIPAL_USER ||
                        p->type == POLICY_PRINCIPAL_ROLE_SESSION ||
                        p->type == POLICY_PRINCIPAL_FEDERATED_USER;
    if (iam_identity) {
        for (uint32_t i = 0; i < pe->aws.count && best != GRANT_DIRECT; i++) {
            const struct pol_str *e = &pe->aws.items[i];
            if (is_arn_of(e, p->arn)) {
                best = p->type == POLICY_PRINCIPAL_ROOT ? GRANT_ACCOUNT : GRANT_DIRECT;
            } else if (is_arn_of(e, p->identity_arn)) {
                best = best < GRANT_LIMITED ? GRANT_LIMITED : best;
            } else if (is_arn_of(e, root)) {
                best = best < GRANT_ACCOUNT ? GRANT_ACCOUNT : best;
            }
        }
    }
    if (p->type == POLICY_PRINCIPAL_SERVICE) {
        for (uint32_t i = 0; i < pe->service.count; i++) {
            if (is_arn_of(&pe->service.items[i], p->arn)) {
                return GRANT_DIRECT;
            }
        }
    }
    if (p->type == POLICY_PRINCIPAL_WEB_IDENTITY) {
        for (uint32_t i = 0; i < pe->federated.count; i++) {
            if (is_arn_of(&pe->federated.items[i], p->arn)) {
                return GRANT_DIRECT;
            }
        }
    }
    return best;
}

static bool listed(const struct pol_strlist *l, const char *s)
{
    for (uint32_t i = 0; s != NULL && i < l->count; i++) {
        if (strcmp(l->items[i].s, s) == 0) {
            return true;
        }
    }
    return false;
}

// NotPrincipal excludes a principal only when every identity it acts as is listed: its account,
// its role or federating user, and itself (IAM User Guide, "NotPrincipal").
static bool not_principal_excludes(const struct pol_principal *pe, const struct policy_principal *p)
{
    if (pe->any) {
        return true;
    }
    if (p->type == POLICY_PRINCIPAL_SERVICE) {
        return listed(&pe->service, p->arn);
    }
    if (p->type == POLICY_PRINCIPAL_WEB_IDENTITY) {
        return listed(&pe->federated, p->arn);
    }
    if (p->type == POLICY_PRINCIPAL_ANONYMOUS) {
        return false;
    }
    char rootbuf[64];
    const char *root = account_root(p, rootbuf, sizeof(rootbuf));
    if (!listed(&pe->aws, root)) {
        return false;
    }
    if (p->identity_arn != NULL && !listed(&pe->aws, p->identity_arn)) {
        return false;
    }
    return p->type == POLICY_PRINCIPAL_ROOT || listed(&pe->aws, p->arn);
}

static void add_match(struct policy_match *list, size_t *count, enum policy_type type,
                      const struct policy *p, const struct pol_stmt *st)
{
    if (*count < POLICY_MAX_MATCHES) {
        list[*count].type = type;
        list[*count].policy = p;
        list[*count].statement_index = st->index;
        list[*count].sid = st->sid;
        (*count)++;
    }
}

// Evaluates every statement of p against the request and records what applies.
static struct scan scan_policy(struct eval *ev, const struct policy *p, enum policy_type type)
{
    struct scan s = {0};
    const struct policy_principal *pr = &ev->req->principal;
    for (uint32_t i = 0; i < p->stmt_count; i++) {
        const struct pol_stmt *st = &p->stmts[i];
        if ((st->service_mask & ev->service_bit) == 0 ||
            !pol_match_action(st, ev->action, ev->action_len)) {
            continue;
        }
        if (!pol_match_resource(st, ev->resource, &ev->env)) {
            continue;
        }
        enum grant_class g = GRANT_DIRECT;
        if (st->principal.present) {
            if (st->not_principal) {
                bool boundary_quirk = st->effect == EFFECT_DENY && pr->has_boundary;
                if (!boundary_quirk && not_principal_excludes(&st->principal, pr)) {
                    continue;
                }
            } else {
                g = principal_grant(&st->principal, pr);
                if (g == GRANT_NONE) {
                    continue;
                }
            }
        }
        bool conds = true;
        for (uint32_t c = 0; c < st->cond_count && conds; c++) {
            conds = pol_cond_eval(&st->conds[c], &ev->env);
        }
        if (!conds) {
            continue;
        }
        if (st->effect == EFFECT_DENY) {
            s.deny = true;
            add_match(ev->d->denied_by, &ev->d->denied_count, type, p, st);
        } else {
            s.allow = true;
            if (g > s.grant) {
                s.grant = g;
            }
            add_match(ev->d->allowed_by, &ev->d->allowed_count, type, p, st);
        }
    }
    return s;
}

// Scans a list of policies of one type: allowed when any allows.
static struct scan scan_list(struct eval *ev, const struct policy *const *list, size_t count,
                             enum policy_type type)
{
    struct scan all = {0};
    for (size_t i = 0; i < count; i++) {
        if (list[i] == NULL) {
            continue;
        }
        struct scan s = scan_policy(ev, list[i], type);
        all.allow = all.allow || s.allow;
        all.deny = all.deny || s.deny;
        if (s.grant > all.grant) {
            all.grant = s.grant;
        }
    }
    return all;
}

// Scans Organizations levels: *every_level_allows is false when some level has no Allow.
static bool scan_levels(struct eval *ev, const struct policy_level *levels, size_t count,
                        enum policy_type type, bool *every_level_allows)
{
    bool deny = false;
    *every_level_allows = true;
    for (size_t i = 0; i < count; i++) {
        struct scan s = scan_list(ev, levels[i].policies, levels[i].count, type);
        deny = deny || s.deny;
        *every_level_allows = *every_level_allows && s.allow;
    }
    return deny;
}

static bool action_is(const struct eval *ev, const char *lower_action)
{
    return strcmp(ev->action, lower_action) == 0;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

// The account that owns the resource: given, or the fifth part of its ARN.
static void resource_account(const struct policy_request *req, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (req->resource_account != NULL) {
        size_t n = strlen(req->resource_account);
        if (n < cap) {
            memcpy(buf, req->resource_account, n + 1);
        }
        return;
    }
    const char *r = req->resource ? req->resource : "";
    if (strncmp(r, "arn:", 4) != 0) {
        return;
    }
    const char *s = r;
    for (int i = 0; i < 4; i++) {
        s = strchr(s, ':');
        if (s == NULL) {
            return;
        }
        s++;
    }
    const char *e = strchr(s, ':');
    size_t n = e ? (size_t)(e - s) : 0;
    if (n < cap) {
        memcpy(buf, s, n);
        buf[n] = '\0';
    }
}

// The order in which AWS's logic reaches each check, used to pick the type a message names.
static const enum policy_type deny_order[] = {
    POLICY_TYPE_RCP,      POLICY_TYPE_SCP,      POLICY_TYPE_ENDPOINT, POLICY_TYPE_RESOURCE,
    POLICY_TYPE_IDENTITY, POLICY_TYPE_BOUNDARY, POLICY_TYPE_SESSION,
};
static const enum policy_type implicit_order[] = {
    POLICY_TYPE_RCP,      POLICY_TYPE_SCP,      POLICY_TYPE_ENDPOINT, POLICY_TYPE_IDENTITY,
    POLICY_TYPE_RESOURCE, POLICY_TYPE_BOUNDARY, POLICY_TYPE_SESSION,
};

static enum policy_type first_of(unsigned bits, const enum policy_type *order)
{
    for (size_t i = 0; i < 7; i++) {
        if (bits & order[i]) {
            return order[i];
        }
    }
    return 0;
}

// The context of a request that carries none: no keys.
static const struct policy_context empty_context;

// Decides the request; see policy.h for the contract.
enum policy_result policy_evaluate(const struct policy_request *req, const struct policy_set *set,
                                   struct policy_decision *out)
{
    char scratch_buf[4096];
    char action_buf[256];
    struct arena scratch;
    struct eval ev = {0};

    memset(out, 0, sizeof(*out));
    arena_init(&scratch, scratch_buf, sizeof(scratch_buf));
    ev.req = req;
    ev.d = out;
    ev.resource = req->resource ? req->resource : "*";
    ev.env.ctx = req->context ? req->context : &empty_context;
    ev.env.scratch = &scratch;
    struct pol_arn resource_split;
    pol_arn_split(ev.resource, strlen(ev.resource), false, &resource_split);
    ev.env.resource = &resource_split;

    const char *action = req->action ? req->action : "";
    size_t alen = strlen(action);
    char *lower = alen < sizeof(action_buf) ? action_buf : arena_alloc(&scratch, alen + 1);
    for (size_t i = 0; i <= alen; i++) {
        char c = action[i];
        lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
    }
    ev.action = lower;
    ev.action_len = alen;
    ev.service_bit = pol_service_bit(lower, alen);

    // sts:GetCallerIdentity needs no permission and cannot be denied.
    if (action_is(&ev, "sts:getcalleridentity")) {
        out->result = POLICY_ALLOWED;
        goto out;
    }

    const struct policy_principal *pr = &req->principal;
    bool iam_identity = pr->type == POLICY_PRINCIPAL_USER ||
                        pr->type == POLICY_PRINCIPAL_ROLE_SESSION ||
                        pr->type == POLICY_PRINCIPAL_FEDERATED_USER;
    bool in_account = iam_identity || pr->type == POLICY_PRINCIPAL_ROOT;
    bool session =
        pr->type == POLICY_PRINCIPAL_ROLE_SESSION || pr->type == POLICY_PRINCIPAL_FEDERATED_USER;

    // Gather every policy type's verdict. All of them are scanned so that a decision lists every
    // statement that matched, and every explicit deny is found wherever it is.
    struct scan id = {0}, bd = {0}, ss = {0}, res = {0}, ep = {0};
    if (iam_identity) {
        id = scan_list(&ev, set->identity, set->identity_count, POLICY_TYPE_IDENTITY);
        bd = scan_list(&ev, set->boundaries, set->boundary_count, POLICY_TYPE_BOUNDARY);
    }
    if (session) {
        ss = scan_list(&ev, set->session, set->session_count, POLICY_TYPE_SESSION);
    }
    if (set->resource != NULL) {
        res = scan_policy(&ev, set->resource, POLICY_TYPE_RESOURCE);
    }
    bool ep_ok = true; // every endpoint on the path allows on its own
    for (size_t i = 0; i < set->endpoint_count; i++) {
        if (set->endpoint[i] != NULL) {
            struct scan s = scan_policy(&ev, set->endpoint[i], POLICY_TYPE_ENDPOINT);
            ep.deny = ep.deny || s.deny;
            ep_ok = ep_ok && s.allow;
        }
    }
    bool scp_ok = true;
    bool rcp_ok = true;
    bool scp_deny = false;
    if (in_account) {
        scp_deny = scan_levels(&ev, set->scp, set->scp_level_count, POLICY_TYPE_SCP, &scp_ok);
    }
    bool rcp_deny = scan_levels(&ev, set->rcp, set->rcp_level_count, POLICY_TYPE_RCP, &rcp_ok);

    // 1. Explicit deny.
    unsigned denied = (id.deny ? POLICY_TYPE_IDENTITY : 0) | (bd.deny ? POLICY_TYPE_BOUNDARY : 0) |
                      (ss.deny ? POLICY_TYPE_SESSION : 0) | (res.deny ? POLICY_TYPE_RESOURCE : 0) |
                      (ep.deny ? POLICY_TYPE_ENDPOINT : 0) | (scp_deny ? POLICY_TYPE_SCP : 0) |
                      (rcp_deny ? POLICY_TYPE_RCP : 0);
    if (denied != 0) {
        out->result = POLICY_EXPLICIT_DENY;
        out->blocked_by = denied;
        out->reason = first_of(denied, deny_order);
        for (size_t i = 0; i < out->denied_count; i++) {
            if (out->denied_by[i].type == out->reason) {
                out->reason_policy = out->denied_by[i].policy;
                break;
            }
        }
        goto out;
    }

    // 2. Organizations policies and VPC endpoint policies must each allow.
    unsigned failing = 0;
    if (!rcp_ok) {
        failing |= POLICY_TYPE_RCP;
    }
    if (!scp_ok) {
        failing |= POLICY_TYPE_SCP;
    }
    if (!ep_ok) {
        failing |= POLICY_TYPE_ENDPOINT;
    }

    // 3 and 4. Resource-based, identity-based, boundaries, sessions.
    char acct[64];
    resource_account(req, acct, sizeof(acct));
    bool same_account = in_account && (acct[0] == '\0' || strcmp(acct, pr->account) == 0);
    // The actions decided against a role's trust policy (AssumeRole*, and the session tagging
    // and source identity that ride on it) and every KMS action on a KMS key need their resource
    // policy (AWS KMS Developer Guide, "Key policies": no principal, not even the root, has access
    // to a key unless the key policy allows it). KMS actions without a key (CreateKey, ListKeys,
    // ListAliases, GenerateRandom, and the alias half of the alias actions) are decided by IAM
    // policies alone ("IAM policies" in the same guide).
    bool required = (starts_with(ev.action, "kms:") && strstr(ev.resource, ":key/") != NULL) ||
                    starts_with(ev.action, "sts:assumerole") || action_is(&ev, "sts:tagsession") ||
                    action_is(&ev, "sts:setsourceidentity");
    enum grant_class grant = res.grant;
    if (set->kms_grant_allows && starts_with(ev.action, "kms:") && grant < GRANT_DIRECT) {
        grant = GRANT_DIRECT;
    }
    bool bound_ok = set->boundary_count == 0 || bd.allow;
    bool sess_ok = true;
    if (pr->type == POLICY_PRINCIPAL_ROLE_SESSION) {
        sess_ok = set->session_count == 0 || ss.allow;
    } else if (pr->type == POLICY_PRINCIPAL_FEDERATED_USER) {
        sess_ok = set->session_count > 0 && ss.allow;
    }
    unsigned chain = (id.allow ? 0 : POLICY_TYPE_IDENTITY) | (bound_ok ? 0 : POLICY_TYPE_BOUNDARY) |
                     (sess_ok ? 0 : POLICY_TYPE_SESSION);

    switch (pr->type) {
    case POLICY_PRINCIPAL_SERVICE:
    case POLICY_PRINCIPAL_ANONYMOUS:
    case POLICY_PRINCIPAL_WEB_IDENTITY:
        if (grant != GRANT_DIRECT) {
            failing |= POLICY_TYPE_RESOURCE;
        }
        break;
    case POLICY_PRINCIPAL_ROOT:
        if ((!same_account || required) && grant == GRANT_NONE) {
            failing |= POLICY_TYPE_RESOURCE;
        }
        break;
    default:
        if (same_account) {
            if (grant == GRANT_DIRECT) {
                break;
            }
            if (grant == GRANT_LIMITED) {
                failing |= chain & (POLICY_TYPE_BOUNDARY | POLICY_TYPE_SESSION);
                break;
            }
            if (required && grant == GRANT_NONE) {
                failing |= POLICY_TYPE_RESOURCE;
                break;
            }
            failing |= chain;
        } else {
            failing |= chain;
            if (grant == GRANT_NONE) {
                failing |= POLICY_TYPE_RESOURCE;
            }
        }
        break;
    }

    if (failing != 0) {
        out->result = POLICY_IMPLICIT_DENY;
        out->blocked_by = failing;
        out->reason = first_of(failing, implicit_order);
    } else {
        out->result = POLICY_ALLOWED;
    }
out:
    arena_release(&scratch);
    return out->result;
}
