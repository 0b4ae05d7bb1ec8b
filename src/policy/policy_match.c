// SPDX-License-Identifier: Apache-2.0
// Matching of the Action/NotAction and Resource/NotResource elements (IAM User Guide, "IAM JSON
// policy elements: Action", "Resource") and of ARNs as IAM compares them: actions are
// case-insensitive with '*' and '?' wildcards; ARNs are case-sensitive and compared part by part
// (partition, service, region, account, resource), the resource part taking the rest of the ARN.
#include "core/wildcard.h"
#include "policy/policy_int.h"

#include <string.h>

// Computes the literal prefix and the one-star shape of a pattern; see policy_int.h.
void pol_str_hints(struct pol_str *p)
{
    p->pre_len = p->len;
    p->one_star = false;
    p->suf_len = 0;
    if (!p->has_wild && !p->has_vars) {
        return;
    }
    const char *s = p->s;
    size_t n = p->len;
    const char *star = memchr(s, '*', n);
    const char *question = memchr(s, '?', n);
    size_t first = star ? (size_t)(star - s) : n;
    if (question != NULL && (size_t)(question - s) < first) {
        first = (size_t)(question - s);
    }
    if (p->has_vars) {
        for (const char *d = memchr(s, '$', first); d != NULL;
             d = memchr(d + 1, '$', first - (size_t)(d + 1 - s))) {
            if ((size_t)(d - s) + 1 < n && d[1] == '{') {
                first = (size_t)(d - s);
                break;
            }
        }
    }
    p->pre_len = (uint32_t)first;
    if (!p->has_vars && question == NULL && star != NULL &&
        memchr(star + 1, '*', n - (size_t)(star + 1 - s)) == NULL) {
        p->one_star = true;
        p->suf_len = (uint32_t)(n - (size_t)(star - s) - 1);
    }
}

// Matches a variable-free pattern using its hints; see policy_int.h.
bool pol_str_match(const struct pol_str *p, const char *text, size_t n)
{
    if (!p->has_wild) {
        return p->len == n && memcmp(p->s, text, n) == 0;
    }
    if (n < p->pre_len || memcmp(p->s, text, p->pre_len) != 0) {
        return false;
    }
    if (p->one_star) {
        return n >= (size_t)p->pre_len + p->suf_len &&
               memcmp(p->s + p->len - p->suf_len, text + n - p->suf_len, p->suf_len) == 0;
    }
    return wildcard_match(p->s + p->pre_len, p->len - p->pre_len, text + p->pre_len, n - p->pre_len,
                          false);
}

// Hashes the service prefix (FNV-1a) onto one of 64 bits; see policy_int.h.
uint64_t pol_service_bit(const char *act, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len && act[i] != ':'; i++) {
        h = (h ^ (unsigned char)act[i]) * 16777619u;
    }
    return (uint64_t)1 << (h & 63);
}

// Returns true when act[0..len) (lowercased) matches the statement's Action element, or does not
// match its NotAction element; see policy_int.h.
bool pol_match_action(const struct pol_stmt *st, const char *act, size_t len)
{
    bool any = false;
    for (uint32_t i = 0; i < st->actions.count && !any; i++) {
        any = pol_str_match(&st->actions.items[i], act, len);
    }
    return st->not_action ? !any : any;
}

// Splits an ARN or pattern into parts; see policy_int.h.
void pol_arn_split(const char *s, size_t len, bool classify, struct pol_arn *out)
{
    out->s = s;
    out->len = (uint32_t)len;
    out->count = 0;
    size_t start = 0;
    size_t i = 0;
    while (out->count < 5) {
        while (i < len && s[i] != ':') {
            i += (s[i] == WILDCARD_LITERAL && i + 1 < len) ? 2 : 1;
        }
        if (i >= len) {
            break;
        }
        out->off[out->count] = (uint32_t)start;
        out->part_len[out->count] = (uint32_t)(i - start);
        out->count++;
        start = ++i;
    }
    out->off[out->count] = (uint32_t)start;
    out->part_len[out->count] = (uint32_t)(len - start);
    out->count++;
    if (classify) {
        for (uint8_t k = 0; k < out->count; k++) {
            const char *p = s + out->off[k];
            size_t n = out->part_len[k];
            if (n == 1 && p[0] == '*') {
                out->kind[k] = ARN_PART_ANY;
            } else if (memchr(p, '*', n) || memchr(p, '?', n) || memchr(p, WILDCARD_LITERAL, n)) {
                out->kind[k] = ARN_PART_WILD;
            } else {
                out->kind[k] = ARN_PART_LITERAL;
            }
        }
    }
}

static bool part_match(const struct pol_arn *pat, uint8_t k, const char *text, size_t tl)
{
    const char *p = pat->s + pat->off[k];
    size_t pl = pat->part_len[k];
    switch (pat->kind[k]) {
    case ARN_PART_ANY:
        return true;
    case ARN_PART_LITERAL:
        return pl == tl && memcmp(p, text, pl) == 0;
    default:
        return wildcard_match(p, pl, text, tl, false);
    }
}

// Component-wise ARN match of split texts; see policy_int.h. Part i of the pattern is compared
// with part i of the ARN; the pattern's last part takes the rest of the ARN; an ARN with fewer
// parts than the pattern can only match as a whole string.
bool pol_match_arn_split(const struct pol_arn *pat, const struct pol_arn *arn)
{
    if (pat->len == 1 && pat->s[0] == '*') {
        return true;
    }
    for (uint8_t i = 0; i + 1 < pat->count; i++) {
        if (i + 1 == arn->count) {
            return wildcard_match(pat->s, pat->len, arn->s, arn->len, false);
        }
        if (!part_match(pat, i, arn->s + arn->off[i], arn->part_len[i])) {
            return false;
        }
    }
    uint8_t last = (uint8_t)(pat->count - 1);
    return part_match(pat, last, arn->s + arn->off[last], arn->len - arn->off[last]);
}

// Component-wise ARN match; see policy_int.h.
bool pol_match_arn(const char *pattern, size_t pat_len, const char *arn, size_t arn_len)
{
    struct pol_arn p;
    struct pol_arn a;
    pol_arn_split(pattern, pat_len, true, &p);
    pol_arn_split(arn, arn_len, false, &a);
    return pol_match_arn_split(&p, &a);
}

// Returns true when resource matches the Resource element (or not the NotResource element),
// expanding policy variables; see policy_int.h.
bool pol_match_resource(const struct pol_stmt *st, const char *resource, const struct pol_env *env)
{
    if (!st->has_resource) {
        return true;
    }
    struct pol_arn local;
    const struct pol_arn *r = env->resource;
    if (r == NULL || r->s != resource) {
        pol_arn_split(resource, strlen(resource), false, &local);
        r = &local;
    }
    bool any = false;
    for (uint32_t i = 0; i < st->resources.count && !any; i++) {
        const struct pol_str *p = &st->resources.items[i];
        // The literal text before the first wildcard or variable must begin the ARN.
        if (p->pre_len > r->len || memcmp(p->s, resource, p->pre_len) != 0) {
            continue;
        }
        if (p->arn != NULL) {
            any = pol_match_arn_split(p->arn, r);
            continue;
        }
        const char *pat = p->s;
        size_t plen = p->len;
        if (p->has_vars && !pol_vars_expand(p->s, p->len, env, true, &pat, &plen)) {
            continue; // an unresolvable variable matches nothing
        }
        struct pol_arn split;
        pol_arn_split(pat, plen, true, &split);
        any = pol_match_arn_split(&split, r);
    }
    return st->not_resource ? !any : any;
}
