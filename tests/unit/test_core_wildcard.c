// SPDX-License-Identifier: Apache-2.0
// Tests of wildcard_match and wildcard_has_wild (src/core/wildcard.c). Expected results follow
// the IAM User Guide: "IAM JSON policy elements: Condition operators" (StringLike: "multi-character
// match wildcards (*) and single-character match wildcards (?) anywhere in the string"; the
// StringLike example where "arn:aws:someservice:*:111122223333:finance/*" matches a value whose
// first '*' spans colons), "IAM JSON policy elements: Action" (action names are case-insensitive)
// and the WILDCARD_LITERAL contract in wildcard.h.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/wildcard.h"

#include <stdlib.h>
#include <string.h>

struct match_case {
    const char *pattern;
    const char *text;
    bool fold;
    bool want;
};

static void run_cases(const struct match_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const struct match_case *c = &cases[i];
        bool got =
            wildcard_match(c->pattern, strlen(c->pattern), c->text, strlen(c->text), c->fold);
        if (got != c->want) {
            fail_msg("wildcard_match(\"%s\", \"%s\", fold=%d) = %d, want %d", c->pattern, c->text,
                     c->fold, got, c->want);
        }
    }
}

// '*' matches any run of characters, including none and including ':' and '/'.
static void test_star(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        {"", "", false, true},
        {"", "a", false, false},
        {"a", "", false, false},
        {"*", "", false, true},
        {"*", "anything:at/all", false, true},
        {"**", "x", false, true},
        {"s3:Get*", "s3:GetObject", false, true},
        {"s3:Get*", "s3:Get", false, true},
        {"s3:Get*", "s3:PutObject", false, false},
        {"t1.*", "t1.micro", false, true}, // the ...IfExists example of the operators page
        {"t2.*", "t1.micro", false, false},
        {"*Object", "s3:GetObject", false, true},
        {"*Object", "s3:GetObjects", false, false},
        {"a*b*c", "abc", false, true},
        {"a*b*c", "abxbyc", false, true},
        {"a*b*c", "abxbyd", false, false},
        {"*ab", "aab", false, true},
        {"a*ab", "aaab", false, true},
        {"a*ab", "aaba", false, false},
        {"home/*", "home/", false, true},
        {"home/*", "home", false, false},
        // The operators page: with StringLike "the first asterisk matches
        // us-east-2:999999999999:store/abc:".
        {"arn:aws:someservice:*:111122223333:finance/*",
         "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
         false, true},
    };
    run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

// '?' matches exactly one character.
static void test_question(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        {"?", "", false, false},
        {"?", "a", false, true},
        {"?", "*", false, true},
        {"?", "ab", false, false},
        {"a?c", "abc", false, true},
        {"a?c", "ac", false, false},
        {"a?c", "abbc", false, false},
        {"???", "abc", false, true},
        {"*?", "", false, false},
        {"*?", "x", false, true},
        {"?*?", "x", false, false},
        {"?*?", "xy", false, true},
        {"ec2:Describe?pcs", "ec2:DescribeVpcs", false, true},
    };
    run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

// Without fold_case every byte compares exactly (StringLike, ArnLike are case-sensitive); with it
// only ASCII letters fold (action names).
static void test_case(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        {"s3:GetObject", "s3:getobject", false, false},
        {"s3:GetObject", "s3:getobject", true, true},
        {"S3:GET*", "s3:getobject", true, true},
        {"S3:GET*", "s3:getobject", false, false},
        {"s3:get?bject", "S3:GETOBJECT", true, true},
        {"[", "{", true, false}, // 0x5b and 0x7b differ by the case bit but are not letters
        {"@", "`", true, false},
        {"a", "A", false, false},
        {"Z", "z", true, true},
    };
    run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

// WILDCARD_LITERAL followed by any byte c matches exactly c (wildcard.h).
static void test_literal_marker(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        {"\x01*", "*", false, true},
        {"\x01*", "a", false, false},
        {"\x01*", "", false, false},
        {"a\x01?c", "a?c", false, true},
        {"a\x01?c", "abc", false, false},
        {"\x01\x01", "\x01", false, true},
        {"\x01"
         "a",
         "a", false, true},
        {"\x01"
         "A",
         "a", true, true}, // a literal letter still folds when asked
        {"*\x01*x", "ab*x", false, true},
        {"*\x01*x", "abx", false, false},
        {"*\x01*", "***", false, true},
        {"home/\x01*/*", "home/*/file", false, true},
        {"home/\x01*/*", "home/ana/file", false, false},
        {"\x01?\x01?", "??", false, true},
        {"\x01?\x01?", "ab", false, false},
    };
    run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

// Patterns that make naive backtracking exponential must stay fast (O(pattern * text)).
static void test_pathological(void **state)
{
    (void)state;
    size_t n = 200000;
    char *text = malloc(n + 2);
    assert_non_null(text);
    memset(text, 'a', n);
    text[n] = '\0';
    assert_false(wildcard_match("a*a*a*a*b", 9, text, n, false));
    assert_false(wildcard_match("*a*a*a*a*a*a*a*a*a*a*b", 22, text, n, false));
    assert_true(wildcard_match("a*a*a*a*a", 9, text, n, false));
    assert_true(wildcard_match("*a*a*a*a*a*a*a*a*a*a*", 21, text, n, true));
    assert_false(wildcard_match("*?*?*?*?*?b", 11, text, n, false));
    text[n] = 'b';
    text[n + 1] = '\0';
    assert_true(wildcard_match("a*a*a*a*b", 9, text, n + 1, false));
    assert_true(wildcard_match("*a*a*a*a*a*a*a*a*a*a*b", 22, text, n + 1, false));
    // A long pattern of stars against a short text.
    char pat[4001];
    memset(pat, '*', 4000);
    pat[4000] = '\0';
    assert_true(wildcard_match(pat, 4000, "", 0, false));
    assert_true(wildcard_match(pat, 4000, text, 1000, false));
    pat[3999] = 'b';
    assert_false(wildcard_match(pat, 4000, text, 100000, false));
    free(text);
}

static void test_has_wild(void **state)
{
    (void)state;
    assert_false(wildcard_has_wild("", 0));
    assert_false(wildcard_has_wild("arn:aws:s3:::bucket", 19));
    assert_true(wildcard_has_wild("arn:aws:s3:::bucket/*", 21));
    assert_true(wildcard_has_wild("s3:Get?bject", 12));
    assert_false(wildcard_has_wild("ab*", 2)); // the length bounds the text
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_star),         cmocka_unit_test(test_question),
        cmocka_unit_test(test_case),         cmocka_unit_test(test_literal_marker),
        cmocka_unit_test(test_pathological), cmocka_unit_test(test_has_wild),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
