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

// Finds the end of the next ARN part starting at s[i]: the next ':' that is not escaped by the
// WILDCARD_LITERAL marker, or n.
static size_t part_end(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] != ':') {
        i += (s[i] == WILDCARD_LITERAL && i + 1 < n) ? 2 : 1;
    }
    return i;
}

// Matches one ARN part: "*" takes anything, a part without wildcards compares bytes.
static bool part_match(const char *pat, size_t pl, const char *text, size_t tl)
{
    if (pl == 1 && pat[0] == '*') {
        return true;
    }
    if (memchr(pat, '*', pl) == NULL && memchr(pat, '?', pl) == NULL &&
        memchr(pat, WILDCARD_LITERAL, pl) == NULL) {
        return pl == tl && memcmp(pat, text, pl) == 0;
    }
    return wildcard_match(pat, pl, text, tl, false);
}

// Component-wise ARN match; see policy_int.h.
bool pol_match_arn(const char *pattern, size_t pat_len, const char *arn, size_t arn_len)
{
    if (pat_len == 1 && pattern[0] == '*') {
        return true;
    }
    size_t p = 0;
    size_t a = 0;
    for (int part = 0; part < 5; part++) {
        size_t pe = part_end(pattern, pat_len, p);
        size_t ae = part_end(arn, arn_len, a);
        if (pe == pat_len) {
            // The pattern has no more parts: its last part takes the rest of the ARN.
            return part_match(pattern + p, pat_len - p, arn + a, arn_len - a);
        }
        if (ae == arn_len) {
            // The ARN has fewer parts than the pattern: only a whole-string match can succeed.
            return wildcard_match(pattern, pat_len, arn, arn_len, false);
        }
        if (!part_match(pattern + p, pe - p, arn + a, ae - a)) {
            return false;
        }
        p = pe + 1;
        a = ae + 1;
    }
    return part_match(pattern + p, pat_len - p, arn + a, arn_len - a);
}

// Returns true when resource matches the Resource element (or not the NotResource element),
// expanding policy variables; see policy_int.h.
bool pol_match_resource(const struct pol_stmt *st, const char *resource, const struct pol_env *env)
{
    if (!st->has_resource) {
        return true;
    }
    size_t rlen = strlen(resource);
    bool any = false;
    for (uint32_t i = 0; i < st->resources.count && !any; i++) {
        const struct pol_str *p = &st->resources.items[i];
        const char *pat = p->s;
        size_t plen = p->len;
        // The literal text before the first wildcard or variable must begin the ARN.
        if (p->pre_len > rlen || memcmp(p->s, resource, p->pre_len) != 0) {
            continue;
        }
        if (p->has_vars && !pol_vars_expand(p->s, p->len, env, true, &pat, &plen)) {
            continue; // an unresolvable variable matches nothing
        }
        any = pol_match_arn(pat, plen, resource, rlen);
    }
    return st->not_resource ? !any : any;
}
