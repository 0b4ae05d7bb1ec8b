// SPDX-License-Identifier: Apache-2.0
// Policy variables (IAM User Guide, "IAM policy elements: Variables and tags"): ${key} is replaced
// by the request's single value of that key, ${key, 'default'} supplies a value when the key is
// absent, and ${*}, ${?}, ${$} stand for the literal characters. Only policies of Version
// 2012-10-17 have variables; the parser marks which strings contain them.
#include "core/wildcard.h"
#include "policy/policy_int.h"

#include <string.h>

// One ${...} occurrence: where it ends and what it resolves to.
struct var_ref {
    size_t end;        // index just past the closing '}'
    const char *value; // resolved value, or NULL when unresolved
    size_t value_len;
    bool literal; // ${*} ${?} ${$}: the value is a literal character from the policy
};

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

// Parses the variable starting at s[i] == '$' (s[i+1] == '{'). Returns false when there is no
// closing brace: the text is then not a variable and is copied as it stands.
static bool parse_var(const char *s, size_t len, size_t i, const struct pol_env *env,
                      struct var_ref *out)
{
    size_t j = i + 2;
    size_t close = j;
    while (close < len && s[close] != '}') {
        close++;
    }
    if (close >= len) {
        return false;
    }
    out->end = close + 1;
    out->value = NULL;
    out->value_len = 0;
    out->literal = false;

    size_t inner_len = close - j;
    if (inner_len == 1 && (s[j] == '*' || s[j] == '?' || s[j] == '$')) {
        out->value = s + j;
        out->value_len = 1;
        out->literal = true;
        return true;
    }
    // key [, 'default']
    size_t key_end = j;
    while (key_end < close && s[key_end] != ',') {
        key_end++;
    }
    size_t ks = j;
    size_t ke = key_end;
    while (ks < ke && is_space(s[ks])) {
        ks++;
    }
    while (ke > ks && is_space(s[ke - 1])) {
        ke--;
    }
    char lkey[256];
    const struct pol_ctx_entry *e = NULL;
    if (ke > ks && ke - ks < sizeof(lkey)) {
        for (size_t k = ks; k < ke; k++) {
            lkey[k - ks] = lower(s[k]);
        }
        e = pol_ctx_find(env->ctx, lkey, ke - ks);
    }
    if (e != NULL) {
        // Multivalued keys cannot be used as variables: the string does not resolve.
        if (!e->multi && e->count == 1) {
            out->value = e->values[0];
            out->value_len = e->value_lens[0];
        }
        return true;
    }
    if (key_end < close) {
        // A default value: ${key, 'text'} (the quotes are required; spaces around are allowed).
        size_t d = key_end + 1;
        size_t de = close;
        while (d < de && is_space(s[d])) {
            d++;
        }
        while (de > d && is_space(s[de - 1])) {
            de--;
        }
        if (de - d >= 2 && s[d] == '\'' && s[de - 1] == '\'') {
            out->value = s + d + 1;
            out->value_len = de - d - 2;
        }
    }
    return true;
}

static size_t escaped_len(const char *v, size_t n, bool glob_escape)
{
    size_t extra = 0;
    if (glob_escape) {
        for (size_t i = 0; i < n; i++) {
            if (v[i] == '*' || v[i] == '?' || v[i] == WILDCARD_LITERAL) {
                extra++;
            }
        }
    }
    return n + extra;
}

static size_t put_escaped(char *dst, const char *v, size_t n, bool glob_escape)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (glob_escape && (v[i] == '*' || v[i] == '?' || v[i] == WILDCARD_LITERAL)) {
            dst[o++] = WILDCARD_LITERAL;
        }
        dst[o++] = v[i];
    }
    return o;
}

// Expands the variables of s[0..len); see policy_int.h for the contract.
bool pol_vars_expand(const char *s, size_t len, const struct pol_env *env, bool glob_escape,
                     const char **out, size_t *out_len)
{
    // First pass: resolve every variable and measure the result.
    size_t total = 0;
    bool any = false;
    for (size_t i = 0; i < len;) {
        struct var_ref v;
        if (s[i] == '$' && i + 1 < len && s[i + 1] == '{' && parse_var(s, len, i, env, &v)) {
            if (v.value == NULL) {
                return false;
            }
            total += escaped_len(v.value, v.value_len, glob_escape);
            any = true;
            i = v.end;
        } else {
            total++;
            i++;
        }
    }
    if (!any) {
        *out = s;
        *out_len = len;
        return true;
    }
    // Second pass: write it.
    char *dst = arena_alloc(env->scratch, total + 1);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        struct var_ref v;
        if (s[i] == '$' && i + 1 < len && s[i + 1] == '{' && parse_var(s, len, i, env, &v)) {
            o += put_escaped(dst + o, v.value, v.value_len, glob_escape);
            i = v.end;
        } else {
            dst[o++] = s[i++];
        }
    }
    dst[o] = '\0';
    *out = dst;
    *out_len = o;
    return true;
}
