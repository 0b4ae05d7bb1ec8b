// SPDX-License-Identifier: Apache-2.0
// The request context of an authorization decision (IAM User Guide, "AWS global condition context
// keys"): condition keys with one value or a list of values, looked up case-insensitively, and the
// principal of the request with the global keys AWS derives from it (aws:PrincipalArn,
// aws:PrincipalAccount, aws:PrincipalType, aws:username, aws:userid).
#include "policy/policy_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Keys, values and the entry array are allocated from the context's arena: a replaced value's old
// copy stays there until the context is freed, which costs little for a request's few keys.
static char *lower_dup(struct policy_context *ctx, const char *s, size_t *len_out)
{
    size_t len = strlen(s);
    char *d = arena_alloc(&ctx->arena, len + 1);
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        d[i] = (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
    }
    d[len] = '\0';
    *len_out = len;
    return d;
}

static char *dup_str(struct policy_context *ctx, const char *s, size_t *len_out)
{
    size_t len = strlen(s);
    char *d = arena_strndup(&ctx->arena, s, len);
    if (len_out) {
        *len_out = len;
    }
    return d;
}

// Returns a new empty context; see policy.h.
struct policy_context *policy_context_new(void)
{
    struct policy_context *ctx = sb_xmalloc(sizeof(*ctx));
    ctx->entries = NULL;
    ctx->count = 0;
    ctx->cap = 0;
    arena_init(&ctx->arena, ctx->inline_buf, sizeof(ctx->inline_buf));
    return ctx;
}

// Frees a context and every key and value it copied.
void policy_context_free(struct policy_context *ctx)
{
    if (ctx == NULL) {
        return;
    }
    arena_release(&ctx->arena);
    free(ctx);
}

// Finds the entry for an already lowercased key; see policy_int.h.
const struct pol_ctx_entry *pol_ctx_find(const struct policy_context *ctx, const char *lkey,
                                         size_t len)
{
    if (ctx == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < ctx->count; i++) {
        const struct pol_ctx_entry *e = &ctx->entries[i];
        if (e->key_len == len && memcmp(e->key, lkey, len) == 0) {
            return e;
        }
    }
    return NULL;
}

// Returns the entry for key, creating an empty one when absent (an existing one is emptied).
static struct pol_ctx_entry *entry_for(struct policy_context *ctx, const char *key)
{
    size_t len = 0;
    char *lkey = lower_dup(ctx, key, &len);
    for (size_t i = 0; i < ctx->count; i++) {
        struct pol_ctx_entry *e = &ctx->entries[i];
        if (e->key_len == len && memcmp(e->key, lkey, len) == 0) {
            e->values = NULL;
            e->value_lens = NULL;
            e->count = 0;
            return e;
        }
    }
    if (ctx->count == ctx->cap) {
        size_t ncap = ctx->cap ? ctx->cap * 2 : 16;
        struct pol_ctx_entry *n = arena_alloc(&ctx->arena, ncap * sizeof(*n));
        if (ctx->count > 0) {
            memcpy(n, ctx->entries, ctx->count * sizeof(*n));
        }
        ctx->entries = n;
        ctx->cap = ncap;
    }
    struct pol_ctx_entry *e = &ctx->entries[ctx->count++];
    memset(e, 0, sizeof(*e));
    e->key = lkey;
    e->key_len = len;
    return e;
}

// Sets a single-valued key, replacing any earlier value.
void policy_context_set(struct policy_context *ctx, const char *key, const char *value)
{
    struct pol_ctx_entry *e = entry_for(ctx, key);
    e->values = arena_alloc(&ctx->arena, sizeof(char *));
    e->value_lens = arena_alloc(&ctx->arena, sizeof(size_t));
    e->values[0] = dup_str(ctx, value, &e->value_lens[0]);
    e->count = 1;
    e->multi = false;
}

// Sets a multivalued key to a copy of values[0..count).
void policy_context_set_list(struct policy_context *ctx, const char *key, const char *const *values,
                             size_t count)
{
    struct pol_ctx_entry *e = entry_for(ctx, key);
    e->values = arena_calloc(&ctx->arena, count ? count : 1, sizeof(char *));
    e->value_lens = arena_calloc(&ctx->arena, count ? count : 1, sizeof(size_t));
    for (size_t i = 0; i < count; i++) {
        e->values[i] = dup_str(ctx, values[i], &e->value_lens[i]);
    }
    e->count = count;
    e->multi = true;
}

// Reports whether key is present (case-insensitively).
bool policy_context_has(const struct policy_context *ctx, const char *key)
{
    char lkey[256];
    size_t len = strlen(key);
    if (len >= sizeof(lkey)) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = key[i];
        lkey[i] = (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
    }
    return pol_ctx_find(ctx, lkey, len) != NULL;
}

// Removes a key; see policy.h. The entry's memory stays in the context's arena.
void policy_context_unset(struct policy_context *ctx, const char *key)
{
    size_t len = strlen(key);
    for (size_t i = 0; i < ctx->count; i++) {
        struct pol_ctx_entry *e = &ctx->entries[i];
        if (e->key_len != len) {
            continue;
        }
        bool same = true;
        for (size_t k = 0; k < len && same; k++) {
            char c = key[k];
            c = (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
            same = e->key[k] == c;
        }
        if (same) {
            ctx->entries[i] = ctx->entries[ctx->count - 1];
            ctx->count--;
            return;
        }
    }
}

static void set_default(struct policy_context *ctx, const char *key, const char *value)
{
    if (value != NULL && !policy_context_has(ctx, key)) {
        policy_context_set(ctx, key, value);
    }
}

// Adds the principal-derived global keys that are not already present; see policy.h. Values
// follow "AWS global condition context keys": aws:PrincipalArn of a role session is the role's
// ARN; aws:PrincipalType is Account, User, FederatedUser, AssumedRole or Anonymous.
void policy_context_add_principal_keys(struct policy_context *ctx, const struct policy_principal *p)
{
    char userid[300];
    // Every signed request carries aws:PrincipalIsAWSService ("AWS global condition context
    // keys"); anonymous requests are not signed and have no principal keys.
    if (p->type != POLICY_PRINCIPAL_ANONYMOUS) {
        set_default(ctx, "aws:PrincipalIsAWSService",
                    p->type == POLICY_PRINCIPAL_SERVICE ? "true" : "false");
    }
    switch (p->type) {
    case POLICY_PRINCIPAL_ANONYMOUS:
        set_default(ctx, "aws:PrincipalType", "Anonymous");
        set_default(ctx, "aws:userid", "anonymous");
        break;
    case POLICY_PRINCIPAL_ROOT:
        set_default(ctx, "aws:PrincipalArn", p->arn);
        set_default(ctx, "aws:PrincipalAccount", p->account);
        set_default(ctx, "aws:PrincipalType", "Account");
        set_default(ctx, "aws:userid", p->account);
        break;
    case POLICY_PRINCIPAL_USER: {
        set_default(ctx, "aws:PrincipalArn", p->arn);
        set_default(ctx, "aws:PrincipalAccount", p->account);
        set_default(ctx, "aws:PrincipalType", "User");
        const char *slash = strrchr(p->arn, '/');
        set_default(ctx, "aws:username", slash ? slash + 1 : p->arn);
        break;
    }
    case POLICY_PRINCIPAL_ROLE_SESSION:
        set_default(ctx, "aws:PrincipalArn", p->identity_arn ? p->identity_arn : p->arn);
        set_default(ctx, "aws:PrincipalAccount", p->account);
        set_default(ctx, "aws:PrincipalType", "AssumedRole");
        break;
    case POLICY_PRINCIPAL_FEDERATED_USER: {
        set_default(ctx, "aws:PrincipalArn", p->arn);
        set_default(ctx, "aws:PrincipalAccount", p->account);
        set_default(ctx, "aws:PrincipalType", "FederatedUser");
        const char *slash = strrchr(p->arn, '/');
        if (slash != NULL) {
            snprintf(userid, sizeof(userid), "%s:%s", p->account, slash + 1);
            set_default(ctx, "aws:userid", userid);
        }
        break;
    }
    case POLICY_PRINCIPAL_SERVICE:
        set_default(ctx, "aws:PrincipalServiceName", p->arn);
        break;
    case POLICY_PRINCIPAL_WEB_IDENTITY:
        break;
    }
}

static bool is_account_id(const char *s, size_t len)
{
    if (len != 12) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len > n && memcmp(s + len - n, suffix, n) == 0;
}

// Parses a principal given as an ARN, "anonymous" or a service name; see policy.h.
int policy_principal_parse(const char *text, struct policy_principal *out, char *storage,
                           size_t storage_len)
{
    size_t len = strlen(text);
    struct policy_principal p = {0};
    // The text, the account and an identity ARN (at most len + 32 bytes) are stored.
    if (len == 0 || 3 * len + 64 > storage_len) {
        return -1;
    }
    char *arn = storage;
    memcpy(arn, text, len + 1);
    char *acct = arn + len + 1;
    char *ident = acct + 13;
    acct[0] = '\0';
    p.arn = arn;
    p.account = acct;

    if (strcmp(text, "anonymous") == 0) {
        p.type = POLICY_PRINCIPAL_ANONYMOUS;
        p.arn = "anonymous";
        *out = p;
        return 0;
    }
    if (ends_with(text, len, ".amazonaws.com") || ends_with(text, len, ".amazonaws.com.cn")) {
        p.type = POLICY_PRINCIPAL_SERVICE;
        *out = p;
        return 0;
    }
    // arn:PARTITION:SERVICE::ACCOUNT:RESOURCE
    const char *parts[6];
    size_t lens[6];
    const char *s = text;
    for (int i = 0; i < 5; i++) {
        const char *colon = strchr(s, ':');
        if (colon == NULL) {
            return -1;
        }
        parts[i] = s;
        lens[i] = (size_t)(colon - s);
        s = colon + 1;
    }
    parts[5] = s;
    lens[5] = strlen(s);
    if (lens[0] != 3 || memcmp(parts[0], "arn", 3) != 0 || lens[1] == 0 || lens[3] != 0 ||
        !is_account_id(parts[4], lens[4]) || lens[5] == 0) {
        return -1;
    }
    memcpy(acct, parts[4], 12);
    acct[12] = '\0';
    bool iam = lens[2] == 3 && memcmp(parts[2], "iam", 3) == 0;
    bool sts = lens[2] == 3 && memcmp(parts[2], "sts", 3) == 0;
    const char *res = parts[5];
    if (iam && strcmp(res, "root") == 0) {
        p.type = POLICY_PRINCIPAL_ROOT;
    } else if (iam && strncmp(res, "user/", 5) == 0 && res[5] != '\0' &&
               res[strlen(res) - 1] != '/') {
        p.type = POLICY_PRINCIPAL_USER;
    } else if (sts && strncmp(res, "assumed-role/", 13) == 0) {
        const char *role = res + 13;
        const char *slash = strchr(role, '/');
        if (slash == NULL || slash == role || slash[1] == '\0' || strchr(slash + 1, '/')) {
            return -1;
        }
        p.type = POLICY_PRINCIPAL_ROLE_SESSION;
        // arn:PARTITION:iam::ACCOUNT:role/NAME
        size_t off = 0;
        memcpy(ident + off, "arn:", 4);
        off += 4;
        memcpy(ident + off, parts[1], lens[1]);
        off += lens[1];
        memcpy(ident + off, ":iam::", 6);
        off += 6;
        memcpy(ident + off, acct, 12);
        off += 12;
        memcpy(ident + off, ":role/", 6);
        off += 6;
        memcpy(ident + off, role, (size_t)(slash - role));
        off += (size_t)(slash - role);
        ident[off] = '\0';
        p.identity_arn = ident;
    } else if (sts && strncmp(res, "federated-user/", 15) == 0 && res[15] != '\0') {
        p.type = POLICY_PRINCIPAL_FEDERATED_USER;
    } else {
        return -1;
    }
    *out = p;
    return 0;
}
