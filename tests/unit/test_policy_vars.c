// SPDX-License-Identifier: Apache-2.0
// Unit tests for policy variables (policy_vars.c, pol_vars_expand) and the request context they
// read (policy_context.c).
//
// Expected values come from the IAM User Guide, never from the code under test:
//   [vars]   "IAM policy elements: Variables and tags" (reference_policies_variables.md):
//            ${key} is replaced by the value of the request key; "Key names are case-insensitive.
//            For example, aws:CurrentTime is equivalent to AWS:currenttime"; ${*} ${?} ${$} stand
//            for the characters that would otherwise be special ("inserting an * asterisk in the
//            string would be interpreted as a wildcard ... instead of as a literal *"); a default
//            value is written "${aws:userid, 'anonymous'}" (single quotes, separated by a comma and
//            a space), e.g. "arn:aws:s3:::amzn-s3-demo-bucket/${aws:PrincipalTag/team,
//            'company-wide'}/*"; "If AWS cannot resolve a variable, this might cause the entire
//            statement to be invalid" and a key that is "not present ... any attempt to match it
//            fails".
//   [multi]  "Single-valued vs. multivalued condition keys": "You can use any available
//            single-valued condition key as a policy variable. You cannot use a multivalued
//            condition key as a policy variable."
//   [denied] "Troubleshoot access denied error messages": "Because condition key names are not
//            case sensitive, a condition that checks for a key named foo matches foo, Foo, or FOO."
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/wildcard.h"
#include "policy/policy.h"
#include "policy/policy_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define L "\x01" // WILDCARD_LITERAL as a string, for expected outputs

_Static_assert(WILDCARD_LITERAL == '\x01', "the expected outputs below spell the marker as \\x01");

// The request context every case expands against.
static struct policy_context *make_ctx(void)
{
    struct policy_context *ctx = policy_context_new();
    assert_non_null(ctx);
    policy_context_set(ctx, "aws:username", "ana");
    policy_context_set(ctx, "aws:userid", "AIDAEXAMPLE");
    policy_context_set(ctx, "aws:PrincipalTag/team", "ml-platform");
    policy_context_set(ctx, "s3:prefix", "a*b?c");
    policy_context_set(ctx, "test:marker", "a" L "b");
    policy_context_set(ctx, "test:dollar", "${aws:username}");
    const char *one[] = {"CostCenter"};
    policy_context_set_list(ctx, "aws:TagKeys", one, 1);
    const char *two[] = {"athena.amazonaws.com", "dynamodb.amazonaws.com"};
    policy_context_set_list(ctx, "aws:CalledVia", two, 2);
    return ctx;
}

struct var_case {
    const char *name;
    const char *in;
    bool glob_escape;
    bool ok;         // expected return value
    const char *out; // expected expansion when ok
};

static const struct var_case var_cases[] = {
    // [vars] the documented examples
    {"username in a resource", "arn:aws:s3:::mybucket/${aws:username}/*", false, true,
     "arn:aws:s3:::mybucket/ana/*"},
    {"username in a resource, escaped", "arn:aws:s3:::mybucket/${aws:username}/*", true, true,
     "arn:aws:s3:::mybucket/ana/*"},
    {"queue name", "arn:aws:sqs:us-east-2:*:${aws:username}-queue", true, true,
     "arn:aws:sqs:us-east-2:*:ana-queue"},
    {"principal tag", "arn:aws:s3:::bucket/${aws:PrincipalTag/team}", false, true,
     "arn:aws:s3:::bucket/ml-platform"},
    {"two variables", "${aws:username}:${aws:userid}", false, true, "ana:AIDAEXAMPLE"},
    {"adjacent variables", "${aws:username}${aws:username}", false, true, "anaana"},
    {"variable only", "${aws:userid}", false, true, "AIDAEXAMPLE"},

    // [vars] key names are case-insensitive, inside ${} as everywhere
    {"key name upper case", "${AWS:USERNAME}", false, true, "ana"},
    {"key name mixed case", "home/${Aws:UserName}/", false, true, "home/ana/"},
    {"tag key case [denied]", "${aws:principaltag/TEAM}", false, true, "ml-platform"},

    // [vars] special characters
    {"${*} plain", "a${*}b", false, true, "a*b"},
    {"${*} escaped", "a${*}b", true, true, "a" L "*b"},
    {"${?} plain", "a${?}b", false, true, "a?b"},
    {"${?} escaped", "a${?}b", true, true, "a" L "?b"},
    {"${$} plain", "a${$}b", false, true, "a$b"},
    {"${$} escaped", "a${$}b", true, true, "a$b"},
    // The expansion is one pass: ${$} followed by {...} is not a new variable.
    {"${$} before braces", "a${$}{aws:username}", false, true, "a${aws:username}"},
    // A value that looks like a variable is not expanded again.
    {"value looking like a variable", "x/${test:dollar}", false, true, "x/${aws:username}"},

    // A value's wildcard characters are literal ([vars]: the special characters would
    // otherwise "be misinterpreted"); the pattern's own wildcards stay wildcards.
    {"value with wildcards plain", "${s3:prefix}", false, true, "a*b?c"},
    {"value with wildcards escaped", "home/${s3:prefix}/*", true, true, "home/a" L "*b" L "?c/*"},
    {"value with the marker byte escaped", "${test:marker}", true, true, "a" L L "b"},
    {"value with the marker byte plain", "${test:marker}", false, true, "a" L "b"},

    // [vars] default values
    {"default unused when the key is present", "${aws:username, 'anonymous'}", false, true, "ana"},
    {"default used when the key is absent", "${aws:nosuchkey, 'anonymous'}", false, true,
     "anonymous"},
    {"documented default",
     "arn:aws:s3:::amzn-s3-demo-bucket/${aws:PrincipalTag/dept, "
     "'company-wide'}/*",
     true, true, "arn:aws:s3:::amzn-s3-demo-bucket/company-wide/*"},
    {"default with a space", "${aws:nosuchkey, 'company wide'}", false, true, "company wide"},
    {"default key case-insensitive", "${AWS:UserID, 'anonymous'}", false, true, "AIDAEXAMPLE"},

    // [vars] a key that is not present cannot be matched
    {"missing key", "${aws:nosuchkey}", false, false, NULL},
    {"missing key among text", "arn:aws:s3:::b/${aws:nosuchkey}/*", true, false, NULL},
    {"missing key after a present one", "${aws:username}/${aws:nosuchkey}", false, false, NULL},
    // [multi] multivalued keys cannot be variables, even with one value
    {"multivalued key", "${aws:CalledVia}", false, false, NULL},
    {"multivalued key with one value", "${aws:TagKeys}", false, false, NULL},

    // No variable: the text is unchanged.
    {"no variable", "arn:aws:s3:::b/*", true, true, "arn:aws:s3:::b/*"},
    {"empty text", "", false, true, ""},
    {"lone dollar", "cost$", false, true, "cost$"},
    {"dollar without brace", "$aws:username", false, true, "$aws:username"},
    {"brace without dollar", "{aws:username}", false, true, "{aws:username}"},
    {"dollar space brace", "$ {aws:username}", false, true, "$ {aws:username}"},
};

static void run_var_case(void **state)
{
    const struct var_case *c = *state;
    struct policy_context *ctx = make_ctx();
    char buf[512];
    struct arena a;
    arena_init(&a, buf, sizeof(buf));
    struct pol_env env = {.ctx = ctx, .scratch = &a};
    const char *out = NULL;
    size_t out_len = 0;
    bool ok = pol_vars_expand(c->in, strlen(c->in), &env, c->glob_escape, &out, &out_len);
    if (ok != c->ok) {
        fail_msg("returned %s, expected %s", ok ? "true" : "false", c->ok ? "true" : "false");
    }
    if (c->ok) {
        assert_non_null(out);
        if (out_len != strlen(c->out) || memcmp(out, c->out, out_len) != 0) {
            fail_msg("expanded to \"%.*s\" (%zu), expected \"%s\"", (int)out_len, out, out_len,
                     c->out);
        }
    }
    arena_release(&a);
    policy_context_free(ctx);
}

// An unterminated "${" is not a variable IAM documents. Whatever the engine decides, it must not
// read past the text, and if it accepts the text it must keep it as written.
static void test_unterminated(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "arn:aws:s3:::b/${aws:username", "${", "$", "x${", "${aws:username, 'anon", "${ }",
    };
    struct policy_context *ctx = make_ctx();
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        char buf[256];
        struct arena a;
        arena_init(&a, buf, sizeof(buf));
        struct pol_env env = {.ctx = ctx, .scratch = &a};
        size_t n = strlen(texts[i]);
        char *copy = malloc(n ? n : 1); // exact size so that ASan sees any overread
        assert_non_null(copy);
        memcpy(copy, texts[i], n);
        const char *out = NULL;
        size_t out_len = 0;
        if (pol_vars_expand(copy, n, &env, true, &out, &out_len) && strcmp(texts[i], "${ }") != 0) {
            if (out_len != n || memcmp(out, texts[i], n) != 0) {
                fail_msg("\"%s\" became \"%.*s\"", texts[i], (int)out_len, out);
            }
        }
        free(copy);
        arena_release(&a);
    }
    policy_context_free(ctx);
}

// A long expansion does not fit the initial buffer: the arena grows.
static void test_long_expansion(void **state)
{
    (void)state;
    struct policy_context *ctx = policy_context_new();
    char value[3000];
    memset(value, 'v', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    policy_context_set(ctx, "aws:PrincipalTag/long", value);
    char buf[64];
    struct arena a;
    arena_init(&a, buf, sizeof(buf));
    struct pol_env env = {.ctx = ctx, .scratch = &a};
    const char *in = "p/${aws:PrincipalTag/long}/${aws:PrincipalTag/long}";
    const char *out = NULL;
    size_t out_len = 0;
    assert_true(pol_vars_expand(in, strlen(in), &env, true, &out, &out_len));
    assert_int_equal(out_len, 2 + 2 * 2999 + 1);
    assert_memory_equal(out, "p/", 2);
    assert_int_equal(out[2 + 2999], '/');
    assert_memory_equal(out + 3 + 2999, value, 2999);
    arena_release(&a);
    policy_context_free(ctx);
}

// Only s[0..len) is read: text after len is not part of the string.
static void test_length_bounds_input(void **state)
{
    (void)state;
    struct policy_context *ctx = make_ctx();
    char buf[256];
    struct arena a;
    arena_init(&a, buf, sizeof(buf));
    struct pol_env env = {.ctx = ctx, .scratch = &a};
    const char *in = "u/${aws:username}${aws:nosuchkey}";
    size_t len = strlen("u/${aws:username}");
    const char *out = NULL;
    size_t out_len = 0;
    assert_true(pol_vars_expand(in, len, &env, false, &out, &out_len));
    assert_int_equal(out_len, 5);
    assert_memory_equal(out, "u/ana", 5);
    arena_release(&a);
    policy_context_free(ctx);
}

// --- The request context (policy.h: "Condition keys are case-insensitive. A key holds one value or
// a list; a list (even of one element) makes the key multivalued")
// ----------------------------------

static void test_context_keys_case_insensitive(void **state)
{
    (void)state;
    struct policy_context *ctx = policy_context_new();
    assert_false(policy_context_has(ctx, "aws:username"));
    policy_context_set(ctx, "AWS:UserName", "ana");
    assert_true(policy_context_has(ctx, "aws:username"));
    assert_true(policy_context_has(ctx, "AWS:USERNAME"));
    const struct pol_ctx_entry *e = pol_ctx_find(ctx, "aws:username", strlen("aws:username"));
    assert_non_null(e);
    assert_string_equal(e->key, "aws:username");
    assert_int_equal(e->count, 1);
    assert_false(e->multi);
    assert_int_equal(e->value_lens[0], 3);
    assert_memory_equal(e->values[0], "ana", 3);
    // Values keep their case.
    policy_context_set(ctx, "aws:PrincipalTag/Team", "ML-Platform");
    e = pol_ctx_find(ctx, "aws:principaltag/team", strlen("aws:principaltag/team"));
    assert_non_null(e);
    assert_memory_equal(e->values[0], "ML-Platform", 11);
    policy_context_free(ctx);
    policy_context_free(NULL);
}

static void test_context_set_replaces(void **state)
{
    (void)state;
    struct policy_context *ctx = policy_context_new();
    policy_context_set(ctx, "aws:username", "ana");
    policy_context_set(ctx, "AWS:USERNAME", "bob");
    const struct pol_ctx_entry *e = pol_ctx_find(ctx, "aws:username", strlen("aws:username"));
    assert_non_null(e);
    assert_int_equal(e->count, 1);
    assert_memory_equal(e->values[0], "bob", 3);
    size_t n = 0;
    for (size_t i = 0; i < ctx->count; i++) {
        n += strcmp(ctx->entries[i].key, "aws:username") == 0;
    }
    assert_int_equal(n, 1);

    const char *list[] = {"a", "b"};
    policy_context_set_list(ctx, "aws:username", list, 2);
    e = pol_ctx_find(ctx, "aws:username", strlen("aws:username"));
    assert_int_equal(e->count, 2);
    assert_true(e->multi);
    policy_context_free(ctx);
}

static void test_context_lists(void **state)
{
    (void)state;
    struct policy_context *ctx = policy_context_new();
    const char *one[] = {"CostCenter"};
    policy_context_set_list(ctx, "aws:TagKeys", one, 1);
    const struct pol_ctx_entry *e = pol_ctx_find(ctx, "aws:tagkeys", strlen("aws:tagkeys"));
    assert_non_null(e);
    assert_true(e->multi);
    assert_int_equal(e->count, 1);
    assert_memory_equal(e->values[0], "CostCenter", 10);

    // An empty list is a present key with no values.
    policy_context_set_list(ctx, "aws:CalledVia", NULL, 0);
    assert_true(policy_context_has(ctx, "aws:calledvia"));
    e = pol_ctx_find(ctx, "aws:calledvia", strlen("aws:calledvia"));
    assert_non_null(e);
    assert_true(e->multi);
    assert_int_equal(e->count, 0);

    // Values are copied.
    char v[8] = "vpc-1";
    policy_context_set(ctx, "aws:SourceVpc", v);
    memcpy(v, "XXXXX", 6);
    e = pol_ctx_find(ctx, "aws:sourcevpc", strlen("aws:sourcevpc"));
    assert_memory_equal(e->values[0], "vpc-1", 5);
    assert_null(pol_ctx_find(ctx, "aws:sourcevpce", strlen("aws:sourcevpce")));
    policy_context_free(ctx);
}

int main(void)
{
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_unterminated),
        cmocka_unit_test(test_long_expansion),
        cmocka_unit_test(test_length_bounds_input),
        cmocka_unit_test(test_context_keys_case_insensitive),
        cmocka_unit_test(test_context_set_replaces),
        cmocka_unit_test(test_context_lists),
    };
    size_t n_fixed = sizeof(fixed) / sizeof(fixed[0]);
    size_t n_var = sizeof(var_cases) / sizeof(var_cases[0]);
    struct CMUnitTest *tests = calloc(n_fixed + n_var, sizeof(*tests));
    assert_non_null(tests);
    size_t k = 0;
    for (size_t i = 0; i < n_fixed; i++) {
        tests[k++] = fixed[i];
    }
    for (size_t i = 0; i < n_var; i++) {
        tests[k++] = (struct CMUnitTest){.name = var_cases[i].name,
                                         .test_func = run_var_case,
                                         .initial_state = (void *)&var_cases[i]};
    }
    int rc = _cmocka_run_group_tests("policy_vars", tests, k, NULL, NULL);
    free(tests);
    return rc;
}
