// SPDX-License-Identifier: Apache-2.0
// Warnings about policies that IAM accepts but that are probably mistakes, in the spirit of IAM
// Access Analyzer's policy checks (IAM User Guide, "Access Analyzer policy check reference"):
// an action that no service has, a resource ARN of a service none of the statement's actions
// belongs to, Allow with NotAction and Resource "*" (it grants nearly everything), Allow with
// NotResource, and a condition key whose service prefix is unknown. The list of services and
// actions is generated from the AWS service models (iam_actions.c).
#include "policy/iam_actions.h"
#include "policy/policy_int.h"

#include "core/wildcard.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

// Collects warnings: the first max go to out, all are counted.
struct findings {
    struct policy_warning *out;
    size_t max;
    size_t count;
};

__attribute__((format(printf, 3, 4))) static void warn(struct findings *f, uint32_t stmt,
                                                       const char *fmt, ...)
{
    if (f->count < f->max) {
        struct policy_warning *w = &f->out[f->count];
        w->statement_index = stmt;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->message, sizeof w->message, fmt, ap);
        va_end(ap);
    }
    f->count++;
}

// Shortens a policy string for a message so that the fixed-size warning keeps its meaning.
#define SHOWN_MAX 80
#define SHOWN(ps) ((int)((ps)->len < SHOWN_MAX ? (ps)->len : SHOWN_MAX)), (ps)->orig

// Returns true when some known service prefix matches the (possibly wildcarded) prefix pattern
// svc[0..len) and, for one of those services, some action matches name[0..name_len).
static bool any_service_action(const char *svc, size_t len, const char *name, size_t name_len,
                               bool *prefix_known)
{
    *prefix_known = false;
    if (!wildcard_has_wild(svc, len)) {
        int i = iam_actions_find_service(svc, len);
        if (i < 0) {
            return false;
        }
        *prefix_known = true;
        return iam_actions_any_match((size_t)i, name, name_len);
    }
    size_t n = iam_actions_service_count();
    for (size_t i = 0; i < n; i++) {
        const char *p = iam_actions_service_name(i);
        if (wildcard_match(svc, len, p, strlen(p), true)) {
            *prefix_known = true;
            if (iam_actions_any_match(i, name, name_len)) {
                return true;
            }
        }
    }
    return false;
}

// Warns when an Action or NotAction entry names an unknown service or matches no action of its
// service. "*" alone is every action and always fine.
static void lint_action(struct findings *f, const struct pol_stmt *st, const struct pol_str *a)
{
    if (a->len == 1 && a->s[0] == '*') {
        return;
    }
    const char *colon = memchr(a->s, ':', a->len);
    if (colon == NULL) {
        warn(f, st->index, "Action \"%.*s\" has no service prefix (expected \"service:Action\")",
             SHOWN(a));
        return;
    }
    size_t plen = (size_t)(colon - a->s);
    const char *name = colon + 1;
    size_t name_len = a->len - plen - 1;
    bool known = false;
    if (any_service_action(a->s, plen, name, name_len, &known)) {
        return;
    }
    if (!known) {
        warn(f, st->index, "Action \"%.*s\": unknown service prefix \"%.*s\"", SHOWN(a),
             (int)(plen < SHOWN_MAX ? plen : SHOWN_MAX), a->orig);
    } else {
        warn(f, st->index, "Action \"%.*s\" matches no action of service \"%.*s\"", SHOWN(a),
             (int)(plen < SHOWN_MAX ? plen : SHOWN_MAX), a->orig);
    }
}

// Services whose actions legitimately take resources of another service: sts:AssumeRole* and
// sts:TagSession act on IAM roles, SSM's SendCommand/StartSession on EC2 instances, and Service
// Catalog's portfolios and products have "catalog" ARNs.
static const struct {
    const char *action_service;
    const char *resource_service;
} cross_service[] = {
    {"sts", "iam"},
    {"ssm", "ec2"},
    {"servicecatalog", "catalog"},
};

// Returns true when a[0..a_len) is exactly the NUL-terminated b.
static bool service_eq(const char *a, size_t a_len, const char *b)
{
    return strlen(b) == a_len && strncmp(a, b, a_len) == 0;
}

// Returns true when the action pattern act[0..len) (lowercased) may act on resources whose ARN
// service part is rsvc[0..rlen) (as written; ARN service parts are lowercase in practice).
static bool action_may_take(const struct pol_str *act, const char *rsvc, size_t rlen)
{
    const char *colon = memchr(act->s, ':', act->len);
    if (colon == NULL) {
        return true; // "*", or a malformed action already reported
    }
    size_t plen = (size_t)(colon - act->s);
    if (wildcard_has_wild(act->s, plen) || wildcard_has_wild(rsvc, rlen)) {
        return true; // "*:List*" or "arn:aws:*:..." could be anything: stay quiet
    }
    if (plen == rlen && strncasecmp(act->s, rsvc, rlen) == 0) {
        return true;
    }
    for (size_t i = 0; i < sizeof cross_service / sizeof cross_service[0]; i++) {
        if (service_eq(act->s, plen, cross_service[i].action_service) &&
            rlen == strlen(cross_service[i].resource_service) &&
            strncasecmp(rsvc, cross_service[i].resource_service, rlen) == 0) {
            return true;
        }
    }
    return false;
}

// Warns about each Resource ARN whose service part no action of the statement has. Only for
// Action lists without "*" and for concrete ARNs (not "*", service part without a variable).
static void lint_resources(struct findings *f, const struct pol_stmt *st)
{
    if (st->not_action || !st->has_resource || st->not_resource) {
        return;
    }
    for (uint32_t i = 0; i < st->actions.count; i++) {
        const struct pol_str *a = &st->actions.items[i];
        if (a->len == 1 && a->s[0] == '*') {
            return;
        }
    }
    for (uint32_t r = 0; r < st->resources.count; r++) {
        const struct pol_str *res = &st->resources.items[r];
        if (res->len < 4 || strncmp(res->s, "arn:", 4) != 0) {
            continue; // "*" or a non-ARN resource
        }
        const char *part = memchr(res->s + 4, ':', res->len - 4); // end of the partition
        if (part == NULL) {
            continue;
        }
        const char *svc = part + 1;
        const char *end = memchr(svc, ':', res->len - (size_t)(svc - res->s));
        if (end == NULL) {
            continue;
        }
        size_t rlen = (size_t)(end - svc);
        if (rlen == 0 || memchr(svc, '$', rlen) != NULL) {
            continue;
        }
        bool ok = false;
        for (uint32_t i = 0; i < st->actions.count && !ok; i++) {
            ok = action_may_take(&st->actions.items[i], svc, rlen);
        }
        if (!ok) {
            warn(f, st->index,
                 "Resource \"%.*s\" can never match: no action of the statement is a \"%.*s\" "
                 "action",
                 SHOWN(res), (int)(rlen < SHOWN_MAX ? rlen : SHOWN_MAX), svc);
        }
    }
}

// Warns about a condition key whose prefix is neither "aws", a known service, "saml" nor the
// host name of a web identity provider ("accounts.google.com:aud", "<oidc-host>:sub").
static void lint_condition_key(struct findings *f, const struct pol_stmt *st,
                               const struct pol_cond *c)
{
    const char *colon = memchr(c->key, ':', c->key_len);
    if (colon == NULL) {
        warn(f, st->index, "Condition key \"%.*s\" has no service prefix",
             (int)(c->key_len < SHOWN_MAX ? c->key_len : SHOWN_MAX), c->key);
        return;
    }
    size_t plen = (size_t)(colon - c->key);
    if (service_eq(c->key, plen, "aws") || service_eq(c->key, plen, "saml") ||
        memchr(c->key, '.', plen) != NULL || iam_actions_find_service(c->key, plen) >= 0) {
        return;
    }
    warn(f, st->index, "Condition key \"%.*s\" has an unknown service prefix \"%.*s\"",
         (int)(c->key_len < SHOWN_MAX ? c->key_len : SHOWN_MAX), c->key,
         (int)(plen < SHOWN_MAX ? plen : SHOWN_MAX), c->key);
}

static bool has_star_resource(const struct pol_stmt *st)
{
    for (uint32_t i = 0; i < st->resources.count; i++) {
        if (st->resources.items[i].len == 1 && st->resources.items[i].s[0] == '*') {
            return true;
        }
    }
    return false;
}

// Runs every check over every statement of p, in statement order. See policy.h for the
// contract: at most max warnings are written to out (which may be NULL when max is 0); the
// return value counts them all. p is not modified.
size_t policy_lint(const struct policy *p, struct policy_warning *out, size_t max)
{
    struct findings f = {.out = out, .max = out == NULL ? 0 : max, .count = 0};
    if (p == NULL) {
        return 0;
    }
    for (uint32_t s = 0; s < p->stmt_count; s++) {
        const struct pol_stmt *st = &p->stmts[s];
        for (uint32_t i = 0; i < st->actions.count; i++) {
            lint_action(&f, st, &st->actions.items[i]);
        }
        lint_resources(&f, st);
        if (st->effect == EFFECT_ALLOW && st->not_action && st->has_resource && !st->not_resource &&
            has_star_resource(st)) {
            warn(&f, st->index,
                 "Allow with NotAction and Resource \"*\" allows every action of every service "
                 "except the listed ones");
        }
        if (st->effect == EFFECT_ALLOW && st->has_resource && st->not_resource) {
            warn(&f, st->index,
                 "Allow with NotResource allows the actions on every resource except the listed "
                 "ones, including resources created later");
        }
        for (uint32_t c = 0; c < st->cond_count; c++) {
            lint_condition_key(&f, st, &st->conds[c]);
        }
    }
    return f.count;
}
