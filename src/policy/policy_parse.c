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
#include "core/wildcard.h"
#include "policy/policy_int.h"

#include <stdio.h>
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
};

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
        snprintf(err->message, sizeof(err->message), "%s", msg);
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

static bool has_control_chars(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            return true;
        }
    }
    return false;
}

// A string or a list of strings (null list members are tolerated and skipped, as IAM does).
static bool string_or_list(const json_t *v)
{
    if (json_is_string(v)) {
        return !has_control_chars(json_string_value(v));
    }
    if (!json_is_array(v)) {
        return false;
    }
    size_t i;
    const json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_null(x) && (!json_is_string(x) || has_control_chars(json_string_value(x)))) {
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
        if (strlen(ops[i]) == len && strncmp(ops[i], op, len) == 0) {
            return true;
        }
    }
    return false;
}

static bool condition_syntax(const json_t *cond)
{
    if (!json_is_object(cond)) {
        return false;
    }
    const char *op;
    const json_t *block;
    json_object_foreach((json_t *)cond, op, block)
    {
        if (!json_is_object(block)) {
            return false;
        }
        const char *key;
        const json_t *val;
        json_object_foreach((json_t *)block, key, val)
        {
            if (!(json_is_string(val) || json_is_boolean(val) || json_is_number(val) ||
                  json_is_array(val))) {
                return false;
            }
            if (json_is_array(val)) {
                size_t i;
                const json_t *x;
                json_array_foreach(val, i, x)
                {
                    if (!(json_is_string(x) || json_is_boolean(x) || json_is_number(x))) {
                        return false;
                    }
                }
            }
        }
        if (!known_operator(op) && json_object_size(block) > 0) {
            return false;
        }
    }
    return true;
}

static bool principal_syntax(const json_t *p)
{
    if (json_is_string(p)) {
        return strcmp(json_string_value(p), "*") == 0;
    }
    if (!json_is_object(p) || json_object_size(p) == 0) {
        return false;
    }
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)p, k, v)
    {
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

static bool statement_syntax(const json_t *st)
{
    if (!json_is_object(st)) {
        return false;
    }
    static const char *const elems[] = {"Sid",          "Effect",      "Principal",
                                        "NotPrincipal", "Action",      "NotAction",
                                        "Resource",     "NotResource", "Condition"};
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)st, k, v)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof(elems) / sizeof(elems[0]); i++) {
            known = known || strcmp(k, elems[i]) == 0;
        }
        if (!known) {
            return false;
        }
    }
    if ((json_object_get(st, "Action") && json_object_get(st, "NotAction")) ||
        (json_object_get(st, "Resource") && json_object_get(st, "NotResource")) ||
        (json_object_get(st, "Principal") && json_object_get(st, "NotPrincipal"))) {
        return false;
    }
    const json_t *eff = json_object_get(st, "Effect");
    if (!json_is_string(eff) ||
        !(ieq(json_string_value(eff), "Allow") || ieq(json_string_value(eff), "Deny"))) {
        return false;
    }
    static const char *const lists[] = {"Action", "NotAction", "Resource", "NotResource"};
    for (size_t i = 0; i < 4; i++) {
        const json_t *x = json_object_get(st, lists[i]);
        if (x != NULL && !string_or_list(x)) {
            return false;
        }
    }
    const json_t *sid = json_object_get(st, "Sid");
    if (sid != NULL && !json_is_string(sid)) {
        return false;
    }
    const json_t *cond = json_object_get(st, "Condition");
    if (cond != NULL && !condition_syntax(cond)) {
        return false;
    }
    const json_t *pr = json_object_get(st, "Principal");
    if (pr == NULL) {
        pr = json_object_get(st, "NotPrincipal");
    }
    if (pr != NULL && !principal_syntax(pr)) {
        return false;
    }
    return true;
}

// Checks the grammar and collects the statements into *stmts (borrowed references).
static bool document_syntax(const json_t *doc, const json_t ***stmts, size_t *count,
                            struct arena *a)
{
    if (!json_is_object(doc)) {
        return false;
    }
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)doc, k, v)
    {
        if (strcmp(k, "Version") != 0 && strcmp(k, "Id") != 0 && strcmp(k, "Statement") != 0) {
            return false;
        }
    }
    const json_t *ver = json_object_get(doc, "Version");
    if (ver != NULL && (!json_is_string(ver) || (strcmp(json_string_value(ver), "2012-10-17") &&
                                                 strcmp(json_string_value(ver), "2008-10-17")))) {
        return false;
    }
    const json_t *id = json_object_get(doc, "Id");
    if (id != NULL && !json_is_string(id)) {
        return false;
    }
    const json_t *st = json_object_get(doc, "Statement");
    if (json_is_object(st)) {
        *stmts = arena_alloc(a, sizeof(json_t *));
        (*stmts)[0] = st;
        *count = 1;
    } else if (json_is_array(st) && json_array_size(st) > 0) {
        *count = json_array_size(st);
        *stmts = arena_alloc(a, *count * sizeof(json_t *));
        for (size_t i = 0; i < *count; i++) {
            (*stmts)[i] = json_array_get(st, i);
        }
    } else {
        return false;
    }
    for (size_t i = 0; i < *count; i++) {
        if (!statement_syntax((*stmts)[i])) {
            return false;
        }
    }
    return true;
}

// IAM documents may only hold tab, LF, CR and U+0020..U+00FF ("IAM and AWS STS quotas").
static bool latin1_text(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    for (; *u; u++) {
        if (*u < 0x20 && *u != '\t' && *u != '\n' && *u != '\r') {
            return false;
        }
        // UTF-8 lead bytes 0xC4 and above start code points beyond U+00FF.
        if (*u >= 0xC4) {
            return false;
        }
    }
    return true;
}

static bool latin1_json(const json_t *v)
{
    if (json_is_string(v)) {
        return latin1_text(json_string_value(v));
    }
    if (json_is_array(v)) {
        size_t i;
        const json_t *x;
        json_array_foreach(v, i, x)
        {
            if (!latin1_json(x)) {
                return false;
            }
        }
        return true;
    }
    if (json_is_object(v)) {
        const char *k;
        const json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            if (!latin1_text(k) || !latin1_json(x)) {
                return false;
            }
        }
    }
    return true;
}

// The policies IAM itself stores (as opposed to S3, KMS, Organizations, VPC endpoints).
static bool is_iam_kind(enum policy_kind k)
{
    return k == POLICY_KIND_IDENTITY || k == POLICY_KIND_INLINE_USER ||
           k == POLICY_KIND_INLINE_GROUP || k == POLICY_KIND_INLINE_ROLE ||
           k == POLICY_KIND_BOUNDARY || k == POLICY_KIND_SESSION || k == POLICY_KIND_TRUST;
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
    if ((iam || s3) && c3 != NULL && region[0] != ':' &&
        !(s3 && strncmp(res, "accesspoint/", 12) == 0)) {
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
    size_t colons = 0;
    for (const char *s = r; *s; s++) {
        colons += *s == ':';
    }
    if (colons < 5 && strstr(r, "::") != NULL) {
        return false;
    }
    return strlen(r) >= 3;
}

// --- Compilation ------------------------------------------------------------------------------

static void to_lower(char *s)
{
    for (; *s; s++) {
        if (*s >= 'A' && *s <= 'Z') {
            *s = (char)(*s + ('a' - 'A'));
        }
    }
}

static void make_str(struct arena *a, const char *s, bool lower, enum pol_version ver,
                     struct pol_str *out)
{
    size_t len = strlen(s);
    char *d = arena_strndup(a, s, len);
    if (lower) {
        to_lower(d);
    }
    out->s = d;
    out->len = (uint32_t)len;
    out->has_wild = wildcard_has_wild(d, len);
    out->has_vars = ver == POL_VERSION_2012 && strstr(d, "${") != NULL;
}

// Copies a string-or-list element into a pol_strlist, skipping null members.
static void make_list(struct arena *a, const json_t *v, bool lower, enum pol_version ver,
                      struct pol_strlist *out)
{
    out->count = 0;
    if (json_is_string(v)) {
        out->items = arena_alloc(a, sizeof(struct pol_str));
        make_str(a, json_string_value(v), lower, ver, &out->items[0]);
        out->count = 1;
        return;
    }
    out->items = arena_calloc(a, json_array_size(v) + 1, sizeof(struct pol_str));
    size_t i;
    const json_t *x;
    json_array_foreach(v, i, x)
    {
        if (json_is_string(x)) {
            make_str(a, json_string_value(x), lower, ver, &out->items[out->count++]);
        }
    }
}

static size_t list_len(const json_t *v)
{
    if (json_is_string(v)) {
        return 1;
    }
    size_t n = 0;
    size_t i;
    const json_t *x;
    json_array_foreach(v, i, x)
    {
        n += json_is_string(x);
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
static int compile_principal(struct arena *a, const json_t *v, struct pol_principal *out, char *msg,
                             size_t cap)
{
    memset(out, 0, sizeof(*out));
    out->present = true;
    if (json_is_string(v)) {
        out->any = true; // "*" (the grammar admits no other string)
        return 0;
    }
    const char *k;
    const json_t *val;
    json_object_foreach((json_t *)v, k, val)
    {
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
                    make_str(a, arn, false, POL_VERSION_2008, e);
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

static int compile_conditions(struct arena *a, const json_t *cond, enum pol_version ver,
                              struct pol_stmt *st, struct policy_error *err)
{
    size_t n = 0;
    const char *op;
    const json_t *block;
    json_object_foreach((json_t *)cond, op, block)
    {
        n += json_object_size(block);
    }
    st->conds = arena_calloc(a, n ? n : 1, sizeof(struct pol_cond));
    st->cond_count = 0;
    json_object_foreach((json_t *)cond, op, block)
    {
        const char *key;
        const json_t *val;
        json_object_foreach((json_t *)block, key, val)
        {
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
static int compile(struct policy *p, const json_t *doc, const json_t **stmts, size_t count,
                   struct policy_error *err)
{
    struct arena *a = &p->arena;
    char msg[512];
    const json_t *ver = json_object_get(doc, "Version");
    p->version = (ver && strcmp(json_string_value(ver), "2012-10-17") == 0) ? POL_VERSION_2012
                                                                            : POL_VERSION_2008;
    if ((p->kind == POLICY_KIND_IDENTITY || p->kind == POLICY_KIND_BOUNDARY) &&
        p->version != POL_VERSION_2012) {
        set_err(err, POLICY_ERR_MALFORMED,
                "Policy document must be version 2012-10-17 or greater.");
        return -1;
    }
    const json_t *id = json_object_get(doc, "Id");
    p->id = id ? arena_strndup(a, json_string_value(id), strlen(json_string_value(id))) : NULL;

    // Stage 4: legacy parsing. Effect is case-sensitive here; resource strings must look like
    // ARNs. Resource format errors are remembered for stage 6.
    char res_err[512] = "";
    for (size_t i = 0; i < count; i++) {
        const char *eff = json_string_value(json_object_get(stmts[i], "Effect"));
        if (strcmp(eff, "Allow") != 0 && strcmp(eff, "Deny") != 0) {
            set_err(err, POLICY_ERR_MALFORMED, LEGACY);
            return -1;
        }
    }
    static const char *const res_keys[] = {"Resource", "NotResource"};
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < count; i++) {
            const json_t *r = json_object_get(stmts[i], res_keys[k]);
            if (r == NULL) {
                continue;
            }
            bool legacy_ok = true;
            if (json_is_string(r)) {
                check_resource(json_string_value(r), res_err, sizeof(res_err));
                legacy_ok = legacy_resource(json_string_value(r));
            } else {
                size_t j;
                const json_t *x;
                json_array_foreach(r, j, x)
                {
                    if (json_is_string(x) && json_string_length(x) > 0) {
                        check_resource(json_string_value(x), res_err, sizeof(res_err));
                        legacy_ok = legacy_ok && legacy_resource(json_string_value(x));
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
        const json_t *si = json_object_get(stmts[i], "Sid");
        const char *sv = si ? json_string_value(si) : "";
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
        const json_t *si = json_object_get(stmts[i], "Sid");
        if (si == NULL || json_string_length(si) == 0) {
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            const json_t *sj = json_object_get(stmts[j], "Sid");
            if (sj != NULL && strcmp(json_string_value(si), json_string_value(sj)) == 0) {
                set_err(err, POLICY_ERR_MALFORMED,
                        "Statement IDs (SID) in a single policy must be unique.");
                return -1;
            }
        }
    }
    for (size_t i = 0; i < count; i++) {
        const json_t *act = json_object_get(stmts[i], "Action");
        if (act == NULL) {
            act = json_object_get(stmts[i], "NotAction");
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
    static const char *const act_keys[] = {"Action", "NotAction"};
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < count; i++) {
            const json_t *act = json_object_get(stmts[i], act_keys[k]);
            if (act == NULL) {
                continue;
            }
            size_t n = json_is_string(act) ? 1 : json_array_size(act);
            for (size_t j = 0; j < n; j++) {
                const json_t *x = json_is_string(act) ? act : json_array_get(act, j);
                if (!json_is_string(x)) {
                    continue;
                }
                const char *e = action_prefix_error(json_string_value(x), msg, sizeof(msg));
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
        const json_t *st = stmts[i];
        bool has_pr = json_object_get(st, "Principal") || json_object_get(st, "NotPrincipal");
        bool has_res = json_object_get(st, "Resource") || json_object_get(st, "NotResource");
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
            const json_t *act = json_object_get(st, "Action");
            bool ok = act != NULL;
            size_t n = act ? (json_is_string(act) ? 1 : json_array_size(act)) : 0;
            for (size_t j = 0; j < n && ok; j++) {
                const json_t *x = json_is_string(act) ? act : json_array_get(act, j);
                ok = !json_is_string(x) || trust_action(json_string_value(x));
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
            const json_t *r = json_object_get(st, "Resource");
            if (r == NULL) {
                r = json_object_get(st, "NotResource");
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
        const json_t *js = stmts[i];
        struct pol_stmt *st = &p->stmts[i];
        st->index = (uint32_t)i;
        const json_t *sid = json_object_get(js, "Sid");
        st->sid = (sid && json_string_length(sid) > 0)
                      ? arena_strndup(a, json_string_value(sid), json_string_length(sid))
                      : NULL;
        st->effect = strcmp(json_string_value(json_object_get(js, "Effect")), "Allow") == 0
                         ? EFFECT_ALLOW
                         : EFFECT_DENY;
        const json_t *act = json_object_get(js, "Action");
        st->not_action = act == NULL;
        make_list(a, act ? act : json_object_get(js, "NotAction"), true, POL_VERSION_2008,
                  &st->actions);
        const json_t *res = json_object_get(js, "Resource");
        const json_t *nres = json_object_get(js, "NotResource");
        st->has_resource = res != NULL || nres != NULL;
        st->not_resource = res == NULL && nres != NULL;
        if (st->has_resource) {
            make_list(a, res ? res : nres, false, p->version, &st->resources);
        }
        const json_t *pr = json_object_get(js, "Principal");
        const json_t *npr = json_object_get(js, "NotPrincipal");
        st->not_principal = pr == NULL && npr != NULL;
        if (pr != NULL || npr != NULL) {
            if (compile_principal(a, pr ? pr : npr, &st->principal, msg, sizeof(msg)) != 0) {
                set_err(err, POLICY_ERR_MALFORMED, msg);
                return -1;
            }
        }
        const json_t *cond = json_object_get(js, "Condition");
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
    json_t *doc = NULL;
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
    if (counted_chars(json, json_len) > kinds[kind].limit) {
        size_error(kind, name, kinds[kind].limit, err);
        goto out;
    }
    json_error_t jerr;
    doc = json_loadb(json, json_len, JSON_REJECT_DUPLICATES, &jerr);
    p = sb_xcalloc(1, sizeof(*p));
    arena_init(&p->arena, NULL, 0);
    p->kind = kind;
    p->name = arena_strndup(&p->arena, name, strlen(name));
    p->arn = arn ? arena_strndup(&p->arena, arn, strlen(arn)) : NULL;
    const json_t **stmts = NULL;
    size_t count = 0;
    if (doc == NULL || !document_syntax(doc, &stmts, &count, &p->arena) ||
        (is_iam_kind(kind) && !latin1_json(doc))) {
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
    json_decref(doc);
    return rc;
}
