// SPDX-License-Identifier: Apache-2.0
// Matching of the Action/NotAction and Resource/NotResource elements (IAM User Guide, "IAM JSON
// policy elements: Action", "Resource") and of ARNs as IAM compares them: actions are
// case-insensitive with '*' and '?' wildcards; ARNs are case-sensitive and compared part by part
// (partition, service, region, account, resource), the resource part taking the rest of the ARN.
#include "core/wildcard.h"
#include "policy/policy_int.h"

#include <string.h>

// Returns true when act[0..len) (lowercased) matches the statement's Action element, or does not
// match its NotAction element; see policy_int.h.
bool pol_match_action(const struct pol_stmt *st, const char *act, size_t len)
{
    bool any = false;
    for (uint32_t i = 0; i < st->actions.count && !any; i++) {
        const struct pol_str *p = &st->actions.items[i];
        if (p->has_wild) {
            any = wildcard_match(p->s, p->len, act, len, false);
        } else {
            any = p->len == len && memcmp(p->s, act, len) == 0;
        }
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
            return wildcard_match(pattern + p, pat_len - p, arn + a, arn_len - a, false);
        }
        if (ae == arn_len) {
            // The ARN has fewer parts than the pattern: only a whole-string match can succeed.
            return wildcard_match(pattern, pat_len, arn, arn_len, false);
        }
        if (!wildcard_match(pattern + p, pe - p, arn + a, ae - a, false)) {
            return false;
        }
        p = pe + 1;
        a = ae + 1;
    }
    return wildcard_match(pattern + p, pat_len - p, arn + a, arn_len - a, false);
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
        if (p->has_vars && !pol_vars_expand(p->s, p->len, env, true, &pat, &plen)) {
            continue; // an unresolvable variable matches nothing
        }
        any = pol_match_arn(pat, plen, resource, rlen);
    }
    return st->not_resource ? !any : any;
}
