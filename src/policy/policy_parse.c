// SPDX-License-Identifier: Apache-2.0
// The policy parser: JSON text to the compiled form of policy_int.h, validated the way IAM
// validates documents (IAM User Guide, "Grammar of the IAM JSON policy language", "IAM JSON
// policy elements reference", "IAM and AWS STS quotas"). IAM checks a document in stages and
// reports the first stage that fails, each with a fixed message; this file keeps that order:
//   1. size quota of the kind (LimitExceeded; whitespace is not counted);
//   2. grammar: "Syntax errors in policy." (unknown elements, wrong JSON types, unknown operators);
//   3. version: managed policies must be 2012-10-17;
//   4. legacy parsing: case-sensitive Effect, date values ("The policy failed legacy parsing");
//   5. unique Sids, then actions present;
//   6. resource ARN format errors, naming the resource;
//   7. action vendor prefixes;
//   8. the kind's rules: Principal forbidden or required, resources present, trust policy actions.
#include "core/jsonv.h"
#include "core/wildcard.h"
#include "policy/policy_int.h"

#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    size_t limit;
} kinds[POLICY_KIND_COUNT] = {
    [POLICY_KIND_IDENTITY] = {"identity", 6144},
    [POLICY_KIND_INLINE_USER] = {"inline-user", 2048},
    [POLICY_KIND_INLINE_GROUP] = {"inline-group", 5120},
    [POLICY_KIND_INLINE_ROLE] = {"inline-role", 10240},
    [POLICY_KIND_BOUNDARY] = {"boundary", 6144},
    [POLICY_KIND_SESSION] = {"session", 2048},
    [POLICY_KIND_TRUST] = {"trust", 2048},
    [POLICY_KIND_RESOURCE] = {"resource", 20480},
    [POLICY_KIND_KEY] = {"key", 32768},
    [POLICY_KIND_SCP] = {"scp", 5120},
    [POLICY_KIND_RCP] = {"rcp", 5120},
    [POLICY_KIND_ENDPOINT] = {"endpoint", 20480},
    [POLICY_KIND_AWS_MANAGED] = {"aws-managed", 1048576},
};

// Small accessors over the jsonv tree; NULL-tolerant so that absent members read as "not a ...".
static bool jv_is(const struct jsonv *v, enum jsonv_type t)
{
    return v != NULL && v->type == t;
}

static bool jv_is_bool(const struct jsonv *v)
{
    return v != NULL && (v->type == JSONV_TRUE || v->type == JSONV_FALSE);
}

static const char *jv_str(const struct jsonv *v)
{
    return v->u.str;
}

static size_t jv_len(const struct jsonv *v)
{
    return v->len;
}

static const struct jsonv *jv_item(const struct jsonv *v, size_t i)
{
    return &v->u.items[i];
}

static const char SYNTAX[] = "Syntax errors in policy.";
static const char LEGACY[] = "The policy failed legacy parsing";

// The IAM resource types an arn:aws:iam:: resource may start with.
static const char *const iam_paths[] = {
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
};

static const char *const partitions[] = {"aws",       "aws-cn",    "aws-us-gov", "aws-iso",
                                         "aws-iso-b", "aws-iso-e", "aws-iso-f",  "aws-eusc"};

// Returns the kind's name as the simulator spells it.
const char *policy_kind_name(enum policy_kind kind)
{
    return (unsigned)kind < POLICY_KIND_COUNT ? kinds[kind].name : "unknown";
}

// The label given to policy_parse.
const char *policy_name(const struct policy *p)
{
    return p->name;
}

// The managed policy ARN given to policy_parse, or NULL.
const char *policy_arn(const struct policy *p)
{
    return p->arn;
}

// The kind given to policy_parse.
enum policy_kind policy_kind(const struct policy *p)
{
    return p->kind;
}

// Frees the policy and everything in its arena.
void policy_free(struct policy *p)
{
    if (p == NULL) {
        return;
    }
    arena_release(&p->arena);
    free(p);
}

static void set_err(struct policy_error *err, enum policy_error_code code, const char *msg)
{
    if (err != NULL) {
        err->code = code;
        size_t n = strlen(msg);
        if (n >= sizeof(err->message)) {
            n = sizeof(err->message) - 1; // a resource error naming a very long ARN is cut short
        }
        memcpy(err->message, msg, n);
        err->message[n] = '\0';
    }
}

static bool is_resource_kind(enum policy_kind k)
{
    return k == POLICY_KIND_TRUST || k == POLICY_KIND_RESOURCE || k == POLICY_KIND_KEY ||
           k == POLICY_KIND_ENDPOINT || k == POLICY_KIND_RCP;
}

// Counts the characters IAM counts against the size quota: every character except whitespace
// outside string literals (UTF-8 continuation bytes are not characters of their own).
static size_t counted_chars(const char *s, size_t len)
{
    size_t n = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80) {
            continue;
        }
        if (in_str) {
            n++;
            if (c == '\\' && i + 1 < len) {
                i++;
                n++;
            } else if (c == '"') {
                in_str = false;
            }
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            continue;
        }
        if (c == '"') {
            in_str = true;
        }
        n++;
    }
    return n;
}

static void size_error(enum policy_kind kind, const char *name, size_t limit,
                       struct policy_error *err)
{
    char msg[256];
    switch (kind) {
    case POLICY_KIND_INLINE_USER:
        snprintf(msg, sizeof(msg), "Maximum policy size of %zu bytes exceeded for user %s", limit,
                 name);
        break;
    case POLICY_KIND_INLINE_GROUP:
        snprintf(msg, sizeof(msg), "Maximum policy size of %zu bytes exceeded for group %s", limit,
                 name);
        break;
    case POLICY_KIND_INLINE_ROLE:
        snprintf(msg, sizeof(msg), "Maximum policy size of %zu bytes exceeded for role %s", limit,
                 name);
        break;
    case POLICY_KIND_TRUST:
        snprintf(msg, sizeof(msg), "Cannot exceed quota for ACLSizePerRole: %zu", limit);
        break;
    default:
        snprintf(msg, sizeof(msg), "Cannot exceed quota for PolicySize: %zu", limit);
        break;
    }
    set_err(err, POLICY_ERR_TOO_LARGE, msg);
}

// --- Stage 2: grammar -----------------------------------------------------------------------

// A string or a list of strings (null list members are tolerated and skipped, as IAM does).
static bool string_or_list(const struct jsonv *v)
{
    if (jv_is(v, JSONV_STRING)) {
        return true;
    }
    if (!jv_is(v, JSONV_ARRAY)) {
        return false;
    }
    size_t i;
    const struct jsonv *x;
    for (i = 0; i < jv_len(v); i++) {
        x = jv_item(v, i);
        if (!jv_is(x, JSONV_NULL) && !jv_is(x, JSONV_STRING)) {
            return false;
        }
    }
    return true;
}

static bool ieq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

// Strips one ForAnyValue:/ForAllValues: prefix and one IfExists suffix from an operator name
// and reports whether what remains is an operator IAM knows.
static bool known_operator(const char *op)
{
    static const char *const ops[] = {
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
        "Null",
    };
    size_t len = strlen(op);
    if (strncmp(op, "ForAnyValue:", 12) == 0) {
        op += 12;
        len -= 12;
    } else if (strncmp(op, "ForAllValues:", 13) == 0) {
        op += 13;
        len -= 13;
    }
    if (len > 8 && strcmp(op + len - 8, "IfExists") == 0) {
        len -= 8;
    }
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (ops[i][0] == op[0] && strncmp(ops[i], op, len) == 0 && ops[i][len] == '\0') {
            return true;
        }
    }
    return false;
}

static bool condition_syntax(const struct jsonv *cond)
{
    if (!jv_is(cond, JSONV_OBJECT)) {
        return false;
    }
    const char *op;
    const struct jsonv *block;
    for (uint32_t mi = 0; mi < jv_len(cond); mi++) {
        op = cond->u.members[mi].key;
        block = &cond->u.members[mi].value;
        if (!jv_is(block, JSONV_OBJECT)) {
            return false;
        }
        for (uint32_t ki = 0; ki < jv_len(block); ki++) {
            const struct jsonv *val = &block->u.members[ki].value;
            if (!(jv_is(val, JSONV_STRING) || jv_is_bool(val) || jv_is(val, JSONV_NUMBER) ||
                  jv_is(val, JSONV_ARRAY))) {
                return false;
            }
            if (jv_is(val, JSONV_ARRAY)) {
                size_t i;
                const struct jsonv *x;
                for (i = 0; i < jv_len(val); i++) {
                    x = jv_item(val, i);
                    if (!(jv_is(x, JSONV_STRING) || jv_is_bool(x) || jv_is(x, JSONV_NUMBER))) {
                        return false;
                    }
                }
            }
        }
        if (!known_operator(op) && jv_len(block) > 0) {
            return false;
        }
    }
    return true;
}

static bool principal_syntax(const struct jsonv *p)
{
    if (jv_is(p, JSONV_STRING)) {
        return strcmp(jv_str(p), "*") == 0;
    }
    if (!jv_is(p, JSONV_OBJECT) || jv_len(p) == 0) {
        return false;
    }
    const char *k;
    const struct jsonv *v;
    for (uint32_t mi = 0; mi < jv_len(p); mi++) {
        k = p->u.members[mi].key;
        v = &p->u.members[mi].value;
        if (strcmp(k, "AWS") != 0 && strcmp(k, "Service") != 0 && strcmp(k, "Federated") != 0 &&
            strcmp(k, "CanonicalUser") != 0) {
            return false;
        }
        if (!string_or_list(v)) {
            return false;
        }
    }
    return true;
}

// A statement's elements, found in one pass over its members (NULL when absent).
struct stmt_view {
    const struct jsonv *sid;
    const struct jsonv *effect;
    const struct jsonv *principal;
    const struct jsonv *not_principal;
    const struct jsonv *action;
    const struct jsonv *not_action;
    const struct jsonv *resource;
    const struct jsonv *not_resource;
    const struct jsonv *condition;
};

// Files member k into its slot of the view; false for an element the grammar does not have.
static bool view_slot(struct stmt_view *v, const struct jsonv_member *m)
{
    static const struct {
        const char *name;
        size_t off;
    } slots[] = {
        {"Sid", offsetof(struct stmt_view, sid)},
        {"Effect", offsetof(struct stmt_view, effect)},
        {"Principal", offsetof(struct stmt_view, principal)},
        {"NotPrincipal", offsetof(struct stmt_view, not_principal)},
        {"Action", offsetof(struct stmt_view, action)},
        {"NotAction", offsetof(struct stmt_view, not_action)},
        {"Resource", offsetof(struct stmt_view, resource)},
        {"NotResource", offsetof(struct stmt_view, not_resource)},
        {"Condition", offsetof(struct stmt_view, condition)},
    };
    for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        if (m->key[0] == slots[i].name[0] && m->key[1] == slots[i].name[1] &&
            strcmp(m->key, slots[i].name) == 0) {
            const struct jsonv **slot = (const struct jsonv **)((char *)v + slots[i].off);
            *slot = &m->value;
            return true;
        }
    }
    return false;
}

static bool statement_syntax(const struct jsonv *st, struct stmt_view *v)
{
    memset(v, 0, sizeof(*v));
    if (!jv_is(st, JSONV_OBJECT)) {
        return false;
    }
    for (uint32_t i = 0; i < st->len; i++) {
        if (!view_slot(v, &st->u.members[i])) {
            return false;
        }
    }
    if ((v->action && v->not_action) || (v->resource && v->not_resource) ||
        (v->principal && v->not_principal)) {
        return false;
    }
    if (!jv_is(v->effect, JSONV_STRING) ||
        !(ieq(jv_str(v->effect), "Allow") || ieq(jv_str(v->effect), "Deny"))) {
        return false;
    }
    const struct jsonv *lists[] = {v->action, v->not_action, v->resource, v->not_resource};
    for (size_t i = 0; i < 4; i++) {
        if (lists[i] != NULL && !string_or_list(lists[i])) {
            return false;
        }
    }
    if (v->sid != NULL && !jv_is(v->sid, JSONV_STRING)) {
        return false;
    }
    if (v->condition != NULL && !condition_syntax(v->condition)) {
        return false;
    }
    const struct jsonv *pr = v->principal ? v->principal : v->not_principal;
    if (pr != NULL && !principal_syntax(pr)) {
        return false;
    }
    return true;
}

// Checks the grammar and fills *stmts with a view of each statement (allocated from a).
static bool document_syntax(const struct jsonv *doc, struct stmt_view **stmts, size_t *count,
                            struct arena *a)
{
    if (!jv_is(doc, JSONV_OBJECT)) {
        return false;
    }
    const struct jsonv *ver = NULL;
    const struct jsonv *id = NULL;
    const struct jsonv *st = NULL;
    for (uint32_t i = 0; i < doc->len; i++) {
        const struct jsonv_member *m = &doc->u.members[i];
        if (strcmp(m->key, "Version") == 0) {
            ver = &m->value;
        } else if (strcmp(m->key, "Id") == 0) {
            id = &m->value;
        } else if (strcmp(m->key, "Statement") == 0) {
            st = &m->value;
        } else {
            return false;
        }
    }
    if (ver != NULL && (!jv_is(ver, JSONV_STRING) ||
                        (strcmp(jv_str(ver), "2012-10-17") && strcmp(jv_str(ver), "2008-10-17")))) {
        return false;
    }
    if (id != NULL && !jv_is(id, JSONV_STRING)) {
        return false;
    }
    const struct jsonv *items = NULL;
    if (jv_is(st, JSONV_OBJECT)) {
        items = st;
        *count = 1;
    } else if (jv_is(st, JSONV_ARRAY) && jv_len(st) > 0) {
        items = st->u.items;
        *count = jv_len(st);
    } else {
        return false;
    }
    *stmts = arena_alloc(a, *count * sizeof(struct stmt_view));
    for (size_t i = 0; i < *count; i++) {
        if (!statement_syntax(&items[i], &(*stmts)[i])) {
            return false;
        }
    }
    return true;
}

// The policies IAM itself stores (as opposed to S3, KMS, Organizations, VPC endpoints).
static bool is_iam_kind(enum policy_kind k)
{
    return k == POLICY_KIND_IDENTITY || k == POLICY_KIND_INLINE_USER ||
           k == POLICY_KIND_INLINE_GROUP || k == POLICY_KIND_INLINE_ROLE ||
           k == POLICY_KIND_BOUNDARY || k == POLICY_KIND_SESSION || k == POLICY_KIND_TRUST ||
           k == POLICY_KIND_AWS_MANAGED;
}

// --- Stages 4 and 6: legacy parsing and resource formats ------------------------------------

// Applies IAM's resource format check to one Resource entry; records the message of the last
// failing entry in err_msg (IAM reports the last one it sees).
static void check_resource(const char *r, char *err_msg, size_t cap)
{
    if (strcmp(r, "*") == 0) {
        return;
    }
    const char *c1 = strchr(r, ':');
    if (c1 == NULL) {
        snprintf(err_msg, cap, "Resource %s must be in ARN format or \"*\".", r);
        return;
    }
    const char *part = c1 + 1;
    const char *c2 = strchr(part, ':');
    size_t plen = c2 ? (size_t)(c2 - part) : strlen(part);
    bool known = plen == 1 && part[0] == '*';
    for (size_t i = 0; i < sizeof(partitions) / sizeof(partitions[0]) && !known; i++) {
        known = strlen(partitions[i]) == plen && strncmp(partitions[i], part, plen) == 0;
    }
    if (!known) {
        snprintf(err_msg, cap, "Partition \"%.*s\" is not valid for resource \"%s\".", (int)plen,
                 part, r);
        return;
    }
    if (c2 == NULL) {
        snprintf(err_msg, cap,
                 "Resource vendor must be fully qualified and cannot contain "
                 "regexes.");
        return;
    }
    const char *svc = c2 + 1;
    const char *c3 = strchr(svc, ':');
    size_t slen = c3 ? (size_t)(c3 - svc) : strlen(svc);
    bool iam = slen == 3 && strncmp(svc, "iam", 3) == 0;
    bool s3 = slen == 2 && strncmp(svc, "s3", 2) == 0;
    const char *region = c3 ? c3 + 1 : "";
    const char *c4 = c3 ? strchr(region, ':') : NULL;
    const char *c5 = c4 ? strchr(c4 + 1, ':') : NULL;
    const char *res = c5 ? c5 + 1 : "";
    // Bucket and object ARNs have neither region nor account; the S3 resources that belong to an
    // account (access points, access grants, batch jobs, Storage Lens) carry a region too.
    bool s3_account = c4 != NULL && c5 != NULL && c5 > c4 + 1;
    if ((iam || s3) && c3 != NULL && region[0] != ':' &&
        !(s3 && (s3_account || strncmp(res, "accesspoint/", 12) == 0))) {
        if (iam) {
            snprintf(err_msg, cap, "IAM resource %s cannot contain region information.", r);
        } else {
            snprintf(err_msg, cap, "Resource %s can not contain region information.", r);
        }
        return;
    }
    if (iam && c5 != NULL) {
        for (size_t i = 0; i < sizeof(iam_paths) / sizeof(iam_paths[0]); i++) {
            if (strncmp(res, iam_paths[i], strlen(iam_paths[i])) == 0) {
                return;
            }
        }
        if (strcmp(res, "*") == 0 || strcmp(res, "root") == 0) {
            return;
        }
        snprintf(err_msg, cap,
                 "IAM resource path must either be \"*\" or start with user/, federated-user/, "
                 "role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, "
                 "saml-provider/, oidc-provider/, report/, access-report/.");
    }
}

// IAM's legacy parser rejects resource strings that cannot be ARNs at all: fewer than five
// colons with an empty component, or fewer than three parts.
static bool legacy_resource(const char *r)
{
    if (strcmp(r, "*") == 0 || r[0] == '\0') {
        return true;
    }
    size_t len = strlen(r);
    size_t colons = 0;
    for (const char *c = memchr(r, ':', len); c != NULL && colons < 5;
         c = memchr(c + 1, ':', len - (size_t)(c + 1 - r))) {
        colons++;
    }
    if (colons < 5 && strstr(r, "::") != NULL) {
        return false;
    }
    return len >= 3;
}

// --- Compilation ------------------------------------------------------------------------------

// Makes a pol_str of s[0..len). Strings that need no change point into the document tree,
// which lives in the policy's arena; actions are lowercased into a copy.
static void make_str(struct arena *a, const char *s, size_t len, bool lower, enum pol_version ver,
                     struct pol_str *out)
{
    const char *d = s;
    if (lower) {
        char *c = arena_alloc(a, len + 1);
        size_t i = 0;
        // Eight ASCII bytes at a time: set bit 5 of exactly the bytes in 'A'..'Z'.
        for (; i + 8 <= len; i += 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            const uint64_t ones = 0x0101010101010101ULL;
            uint64_t ascii = ~w & (ones * 0x80);
            uint64_t ge_a = (w & (ones * 0x7f)) + ones * (0x80 - 'A');
            uint64_t gt_z = (w & (ones * 0x7f)) + ones * (0x80 - 'Z' - 1);
            uint64_t upper = ascii & ge_a & ~gt_z & (ones * 0x80);
            w |= upper >> 2;
            memcpy(c + i, &w, 8);
        }
        for (; i < len; i++) {
            char ch = s[i];
            c[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + ('a' - 'A')) : ch;
        }
        c[len] = '\0';
        d = c;
    }
    out->s = d;
    out->orig = s;
    out->len = (uint32_t)len;
    out->arn = NULL;
    out->has_wild = memchr(d, '*', len) != NULL || memchr(d, '?', len) != NULL;
    out->has_vars = false;
    if (ver == POL_VERSION_2012) {
        const char *dollar = memchr(d, '$', len);
        while (dollar != NULL && !out->has_vars) {
            size_t at = (size_t)(dollar - d);
            out->has_vars = at + 1 < len && d[at + 1] == '{';
            dollar = at + 1 < len ? memchr(d + at + 1, '$', len - at - 1) : NULL;
        }
    }
    pol_str_hints(out);
}

// Copies a string-or-list element into a pol_strlist, skipping null members.
static void make_list(struct arena *a, const struct jsonv *v, bool lower, enum pol_version ver,
                      struct pol_strlist *out)
{
    out->count = 0;
    if (jv_is(v, JSONV_STRING)) {
        out->items = arena_alloc(a, sizeof(struct pol_str));
        make_str(a, jv_str(v), jv_len(v), lower, ver, &out->items[0]);
        out->count = 1;
        return;
    }
    out->items = arena_calloc(a, jv_len(v) + 1, sizeof(struct pol_str));
    size_t i;
    const struct jsonv *x;
    for (i = 0; i < jv_len(v); i++) {
        x = jv_item(v, i);
        if (jv_is(x, JSONV_STRING)) {
            make_str(a, jv_str(x), jv_len(x), lower, ver, &out->items[out->count++]);
        }
    }
}

static size_t list_len(const struct jsonv *v)
{
    if (jv_is(v, JSONV_STRING)) {
        return 1;
    }
    size_t n = 0;
    size_t i;
    const struct jsonv *x;
    for (i = 0; i < jv_len(v); i++) {
        x = jv_item(v, i);
        n += jv_is(x, JSONV_STRING);
    }
    return n;
}

static bool is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return n > 0;
}

// Reports whether an "AWS" principal entry is one IAM accepts: "*", an account id, or the ARN of
// an account root, user, role, assumed-role session or federated user (no wildcards).
static bool valid_aws_principal(const char *s)
{
    size_t len = strlen(s);
    if (strcmp(s, "*") == 0 || (len == 12 && is_digits(s, 12))) {
        return true;
    }
    if (wildcard_has_wild(s, len) || strncmp(s, "arn:", 4) != 0) {
        return false;
    }
    const char *part = s + 4;
    const char *c = strchr(part, ':');
    if (c == NULL || c == part) {
        return false;
    }
    const char *svc = c + 1;
    bool iam = strncmp(svc, "iam::", 5) == 0;
    bool sts = strncmp(svc, "sts::", 5) == 0;
    if (!iam && !sts) {
        return false;
    }
    const char *acct = svc + 5;
    if (!is_digits(acct, 12) || acct[12] != ':') {
        return false;
    }
    const char *res = acct + 13;
    if (iam) {
        return strcmp(res, "root") == 0 || (strncmp(res, "user/", 5) == 0 && res[5]) ||
               (strncmp(res, "role/", 5) == 0 && res[5]);
    }
    if (strncmp(res, "assumed-role/", 13) == 0) {
        const char *slash = strchr(res + 13, '/');
        return slash != NULL && slash != res + 13 && slash[1] != '\0';
    }
    return strncmp(res, "federated-user/", 15) == 0 && res[15] != '\0';
}

// Compiles Principal/NotPrincipal. On an invalid entry writes IAM's message and returns -1.
static int compile_principal(struct arena *a, const struct jsonv *v, struct pol_principal *out,
                             char *msg, size_t cap)
{
    memset(out, 0, sizeof(*out));
    out->present = true;
    if (jv_is(v, JSONV_STRING)) {
        out->any = true; // "*" (the grammar admits no other string)
        return 0;
    }
    const char *k;
    const struct jsonv *val;
    for (uint32_t mi = 0; mi < jv_len(v); mi++) {
        k = v->u.members[mi].key;
        val = &v->u.members[mi].value;
        size_t n = list_len(val);
        if (n == 0) {
            snprintf(msg, cap, "Invalid principal in policy: \"%s\":[]",
                     strcmp(k, "Service") == 0 ? "SERVICE" : k);
            return -1;
        }
        struct pol_strlist *dst = NULL;
        if (strcmp(k, "AWS") == 0) {
            dst = &out->aws;
        } else if (strcmp(k, "Service") == 0) {
            dst = &out->service;
        } else if (strcmp(k, "Federated") == 0) {
            dst = &out->federated;
        } else {
            dst = &out->canonical_user;
        }
        make_list(a, val, false, POL_VERSION_2008, dst);
        for (uint32_t i = 0; i < dst->count; i++) {
            struct pol_str *e = &dst->items[i];
            bool ok = e->len > 0;
            if (dst == &out->aws) {
                ok = valid_aws_principal(e->s);
                if (ok && strcmp(e->s, "*") == 0) {
                    out->any = true;
                } else if (ok && e->len == 12) {
                    char arn[40];
                    snprintf(arn, sizeof(arn), "arn:aws:iam::%s:root", e->s);
                    make_str(a, arena_strndup(a, arn, strlen(arn)), strlen(arn), false,
                             POL_VERSION_2008, e);
                }
            } else if (dst == &out->service) {
                ok = ok && strchr(e->s, ' ') == NULL && !wildcard_has_wild(e->s, e->len);
                ok = ok || strcmp(e->s, "*") == 0;
            } else if (dst == &out->canonical_user) {
                ok = ok && (strcmp(e->s, "*") == 0 || e->len == 64);
            }
            if (!ok) {
                snprintf(msg, cap, "Invalid principal in policy: \"%s\":\"%s\"",
                         strcmp(k, "Service") == 0 ? "SERVICE" : k, e->s);
                return -1;
            }
        }
    }
    return 0;
}

static int compile_conditions(struct arena *a, const struct jsonv *cond, enum pol_version ver,
                              struct pol_stmt *st, struct policy_error *err)
{
    size_t n = 0;
    const char *op;
    const struct jsonv *block;
    for (uint32_t mi = 0; mi < jv_len(cond); mi++) {
        op = cond->u.members[mi].key;
        block = &cond->u.members[mi].value;
        n += jv_len(block);
    }
    st->conds = arena_calloc(a, n ? n : 1, sizeof(struct pol_cond));
    st->cond_count = 0;
    for (uint32_t mi = 0; mi < jv_len(cond); mi++) {
        op = cond->u.members[mi].key;
        block = &cond->u.members[mi].value;
        for (uint32_t ki = 0; ki < jv_len(block); ki++) {
            const char *key = block->u.members[ki].key;
            const struct jsonv *val = &block->u.members[ki].value;
            if (pol_cond_compile(a, op, key, val, ver, &st->conds[st->cond_count], err) != 0) {
                return -1;
            }
            st->cond_count++;
        }
    }
    return 0;
}

static bool trust_action(const char *a)
{
    static const char *const ok[] = {
        "sts:AssumeRole",
        "sts:AssumeRoleWithSAML",
        "sts:AssumeRoleWithWebIdentity",
        "sts:TagSession",
        "sts:SetSourceIdentity",
        "sts:SetContext",
        "sts:DecodeAuthorizationMessage",
        "sts:GetAccessKeyInfo",
        "sts:GetCallerIdentity",
        "sts:GetFederationToken",
        "sts:GetServiceBearerToken",
        "sts:GetSessionToken",
    };
    if (strcmp(a, "*") == 0 || strcmp(a, "sts:*") == 0) {
        return true;
    }
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        if (strcmp(a, ok[i]) == 0) {
            return true;
        }
    }
    return false;
}

// Validates an action's vendor prefix; returns NULL or IAM's message.
static const char *action_prefix_error(const char *a, char *msg, size_t cap)
{
    if (strcmp(a, "*") == 0) {
        return NULL;
    }
    const char *c = strchr(a, ':');
    if (c == NULL) {
        return "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
    }
    if (strchr(c + 1, ':') != NULL) {
        return "Actions/Condition can contain only one colon.";
    }
    for (const char *p = a; p < c; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '.';
        if (!ok) {
            snprintf(msg, cap, "Vendor %.*s is not valid", (int)(c - a), a);
            return msg;
        }
    }
    return NULL;
}

// Runs stages 3 to 8 over the statements and compiles them into p.
static int compile(struct policy *p, const struct jsonv *doc, const struct stmt_view *stmts,
                   size_t count, struct policy_error *err)
{
    struct arena *a = &p->arena;
    char msg[512];
    const struct jsonv *ver = jsonv_get(doc, "Version");
    p->version =
        (ver && strcmp(jv_str(ver), "2012-10-17") == 0) ? POL_VERSION_2012 : POL_VERSION_2008;
    if ((p->kind == POLICY_KIND_IDENTITY || p->kind == POLICY_KIND_BOUNDARY ||
         p->kind == POLICY_KIND_AWS_MANAGED) &&
        p->version != POL_VERSION_2012) {
        set_err(err, POLICY_ERR_MALFORMED,
                "Policy document must be version 2012-10-17 or greater.");
        return -1;
    }
    const struct jsonv *id = jsonv_get(doc, "Id");
    p->id = id ? arena_strndup(a, jv_str(id), strlen(jv_str(id))) : NULL;

    // Stage 4: legacy parsing. Effect is case-sensitive here; resource strings must look like
    // ARNs. Resource format errors are remembered for stage 6.
    char res_err[512] = "";
    for (size_t i = 0; i < count; i++) {
        const char *eff = jv_str(stmts[i].effect);
        if (strcmp(eff, "Allow") != 0 && strcmp(eff, "Deny") != 0) {
            set_err(err, POLICY_ERR_MALFORMED, LEGACY);
            return -1;
        }
    }
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < count; i++) {
            const struct jsonv *r = k == 0 ? stmts[i].resource : stmts[i].not_resource;
            if (r == NULL) {
                continue;
            }
            bool legacy_ok = true;
            if (jv_is(r, JSONV_STRING)) {
                check_resource(jv_str(r), res_err, sizeof(res_err));
                legacy_ok = legacy_resource(jv_str(r));
            } else {
                size_t j;
                const struct jsonv *x;
                for (j = 0; j < jv_len(r); j++) {
                    x = jv_item(r, j);
                    if (jv_is(x, JSONV_STRING) && jv_len(x) > 0) {
                        check_resource(jv_str(x), res_err, sizeof(res_err));
                        legacy_ok = legacy_ok && legacy_resource(jv_str(x));
                    }
                }
            }
            if (res_err[0] == '\0' && !legacy_ok) {
                set_err(err, POLICY_ERR_MALFORMED, LEGACY);
                return -1;
            }
        }
    }

    // Stage 5: Sids (alphanumeric in IAM's own policies, unique), then actions present.
    for (size_t i = 0; i < count && is_iam_kind(p->kind); i++) {
        const struct jsonv *si = stmts[i].sid;
        const char *sv = si ? jv_str(si) : "";
        for (; *sv; sv++) {
            bool alnum = (*sv >= '0' && *sv <= '9') || (*sv >= 'A' && *sv <= 'Z') ||
                         (*sv >= 'a' && *sv <= 'z');
            if (!alnum) {
                set_err(err, POLICY_ERR_MALFORMED,
                        "Statement IDs (SID) must be alpha-numeric. Check that your input "
                        "satisfies the regular expression [0-9A-Za-z]*");
                return -1;
            }
        }
    }
    for (size_t i = 0; i < count; i++) {
        const struct jsonv *si = stmts[i].sid;
        if (si == NULL || jv_len(si) == 0) {
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            const struct jsonv *sj = stmts[j].sid;
            if (sj != NULL && strcmp(jv_str(si), jv_str(sj)) == 0) {
                set_err(err, POLICY_ERR_MALFORMED,
                        "Statement IDs (SID) in a single policy must be unique.");
                return -1;
            }
        }
    }
    for (size_t i = 0; i < count; i++) {
        const struct jsonv *act = stmts[i].action;
        if (act == NULL) {
            act = stmts[i].not_action;
        }
        if (act == NULL || list_len(act) == 0) {
            set_err(err, POLICY_ERR_MALFORMED, "Policy statement must contain actions.");
            return -1;
        }
    }
    // Stage 6: resource formats.
    if (res_err[0] != '\0') {
        set_err(err, POLICY_ERR_MALFORMED, res_err);
        return -1;
    }
    // Stage 7: action vendor prefixes.
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < count; i++) {
            const struct jsonv *act = k == 0 ? stmts[i].action : stmts[i].not_action;
            if (act == NULL) {
                continue;
            }
            size_t n = jv_is(act, JSONV_STRING) ? 1 : jv_len(act);
            for (size_t j = 0; j < n; j++) {
                const struct jsonv *x = jv_is(act, JSONV_STRING) ? act : jv_item(act, j);
                if (!jv_is(x, JSONV_STRING)) {
                    continue;
                }
                const char *e = action_prefix_error(jv_str(x), msg, sizeof(msg));
                if (e != NULL) {
                    set_err(err, POLICY_ERR_MALFORMED, e);
                    return -1;
                }
            }
        }
    }
    // Stage 8: the rules of the kind.
    bool resource_kind = is_resource_kind(p->kind);
    for (size_t i = 0; i < count; i++) {
        const struct stmt_view *st = &stmts[i];
        bool has_pr = st->principal || st->not_principal;
        bool has_res = st->resource || st->not_resource;
        if (has_pr && !resource_kind) {
            set_err(err, POLICY_ERR_MALFORMED, "Policy document should not specify a principal.");
            return -1;
        }
        if (!has_pr && p->kind == POLICY_KIND_TRUST) {
            set_err(err, POLICY_ERR_MALFORMED,
                    "The passed in policy has a statement with no principals!");
            return -1;
        }
        if (!has_pr && resource_kind && p->kind != POLICY_KIND_RCP) {
            set_err(err, POLICY_ERR_MALFORMED, "Missing required field Principal.");
            return -1;
        }
        if (p->kind == POLICY_KIND_TRUST) {
            const struct jsonv *act = st->action;
            bool ok = act != NULL;
            size_t n = act ? (jv_is(act, JSONV_STRING) ? 1 : jv_len(act)) : 0;
            for (size_t j = 0; j < n && ok; j++) {
                const struct jsonv *x = jv_is(act, JSONV_STRING) ? act : jv_item(act, j);
                ok = !jv_is(x, JSONV_STRING) || trust_action(jv_str(x));
            }
            if (!ok) {
                set_err(err, POLICY_ERR_MALFORMED,
                        "Trust Policy statement actions can only be sts:AssumeRole, "
                        "sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity");
                return -1;
            }
            if (has_res) {
                set_err(err, POLICY_ERR_MALFORMED, "Has prohibited field Resource.");
                return -1;
            }
        } else if (!has_res) {
            set_err(err, POLICY_ERR_MALFORMED, "Policy statement must contain resources.");
            return -1;
        } else {
            const struct jsonv *r = st->resource;
            if (r == NULL) {
                r = st->not_resource;
            }
            if (list_len(r) == 0) {
                set_err(err, POLICY_ERR_MALFORMED, "Policy statement must contain resources.");
                return -1;
            }
        }
    }

    // Compile.
    p->stmts = arena_calloc(a, count, sizeof(struct pol_stmt));
    p->stmt_count = (uint32_t)count;
    for (size_t i = 0; i < count; i++) {
        const struct stmt_view *js = &stmts[i];
        struct pol_stmt *st = &p->stmts[i];
        st->index = (uint32_t)i;
        const struct jsonv *sid = js->sid;
        st->sid = (sid && jv_len(sid) > 0) ? arena_strndup(a, jv_str(sid), jv_len(sid)) : NULL;
        st->effect = strcmp(jv_str(js->effect), "Allow") == 0 ? EFFECT_ALLOW : EFFECT_DENY;
        const struct jsonv *act = js->action;
        st->not_action = act == NULL;
        make_list(a, act ? act : js->not_action, true, POL_VERSION_2008, &st->actions);
        st->service_mask = st->not_action ? ~(uint64_t)0 : 0;
        for (uint32_t k = 0; k < st->actions.count && !st->not_action; k++) {
            const struct pol_str *e = &st->actions.items[k];
            const char *colon = memchr(e->s, ':', e->len);
            size_t plen = colon ? (size_t)(colon - e->s) : e->len;
            if (memchr(e->s, '*', plen) != NULL || memchr(e->s, '?', plen) != NULL) {
                st->service_mask = ~(uint64_t)0;
            } else {
                st->service_mask |= pol_service_bit(e->s, e->len);
            }
        }
        const struct jsonv *res = js->resource;
        const struct jsonv *nres = js->not_resource;
        st->has_resource = res != NULL || nres != NULL;
        st->not_resource = res == NULL && nres != NULL;
        if (st->has_resource) {
            make_list(a, res ? res : nres, false, p->version, &st->resources);
            for (uint32_t k = 0; k < st->resources.count; k++) {
                struct pol_str *e = &st->resources.items[k];
                if (!e->has_vars) {
                    struct pol_arn *split = arena_alloc(a, sizeof(*split));
                    pol_arn_split(e->s, e->len, true, split);
                    e->arn = split;
                }
            }
        }
        const struct jsonv *pr = js->principal;
        const struct jsonv *npr = js->not_principal;
        st->not_principal = pr == NULL && npr != NULL;
        if (pr != NULL || npr != NULL) {
            if (compile_principal(a, pr ? pr : npr, &st->principal, msg, sizeof(msg)) != 0) {
                set_err(err, POLICY_ERR_MALFORMED, msg);
                return -1;
            }
        }
        const struct jsonv *cond = js->condition;
        if (cond != NULL && compile_conditions(a, cond, p->version, st, err) != 0) {
            if (err != NULL) {
                err->code = POLICY_ERR_MALFORMED;
            }
            return -1;
        }
    }
    return 0;
}

// Parses and validates a policy document; see policy.h for the contract.
int policy_parse(const char *json, size_t json_len, enum policy_kind kind, const char *name,
                 const char *arn, struct policy **out, struct policy_error *err)
{
    int rc = -1;
    const struct jsonv *doc = NULL;
    struct policy *p = NULL;
    *out = NULL;
    if (err != NULL) {
        err->code = POLICY_ERR_NONE;
        err->message[0] = '\0';
    }
    if ((unsigned)kind >= POLICY_KIND_COUNT) {
        set_err(err, POLICY_ERR_MALFORMED, SYNTAX);
        goto out;
    }
    if (name == NULL) {
        name = "";
    }
    // The document tree is built in the policy's own arena: the compiled form points into its
    // strings instead of copying them. The parser's statistics give the size IAM counts
    // without another pass; a document that does not parse is measured separately.
    p = sb_xcalloc(1, sizeof(*p));
    arena_init(&p->arena, NULL, 0);
    struct jsonv_stats stats;
    size_t counted;
    if (jsonv_parse(&p->arena, json, json_len, &doc, NULL, &stats) == JSONV_OK) {
        counted = json_len - stats.ws_bytes - stats.utf8_cont_bytes;
    } else {
        doc = NULL;
        counted = counted_chars(json, json_len);
    }
    if (counted > kinds[kind].limit) {
        size_error(kind, name, kinds[kind].limit, err);
        goto out;
    }
    p->kind = kind;
    p->name = arena_strndup(&p->arena, name, strlen(name));
    p->arn = arn ? arena_strndup(&p->arena, arn, strlen(arn)) : NULL;
    struct stmt_view *stmts = NULL;
    size_t count = 0;
    // IAM documents may only hold tab, LF, CR and U+0020..U+00FF ("IAM and AWS STS quotas").
    // Other kinds take any Unicode, but no policy may hold control characters: they have no
    // meaning in ARNs, actions or keys, and the matcher reserves one of them.
    bool latin1 = doc != NULL && stats.max_code_point <= 0xFF;
    if (doc == NULL || stats.control_chars || !document_syntax(doc, &stmts, &count, &p->arena) ||
        (is_iam_kind(kind) && !latin1)) {
        set_err(err, POLICY_ERR_MALFORMED, SYNTAX);
        goto out;
    }
    if (compile(p, doc, stmts, count, err) != 0) {
        goto out;
    }
    *out = p;
    p = NULL;
    rc = 0;
out:
    policy_free(p);
    return rc;
}
