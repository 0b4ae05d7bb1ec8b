// SPDX-License-Identifier: Apache-2.0
// Tests of the Java-subset pattern matcher (src/proto/jregex.c). The bulk of the cases come from
// tests/unit/data/proto/regex_cases.json: every pattern of the service models, with strings drawn
// from the pattern and mutated, and the verdict of Python's re.fullmatch (after translating the
// constructs where Java and Python differ; see gen_regex_cases.py). The hand-written cases below
// cover what that oracle cannot: Java's line terminators for '.', Unicode categories, escaped
// surrogate pairs, the inline (?i) flag, lookarounds, and the limits.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "proto/jregex.h"
#include "proto/model.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int match(const char *pattern, const char *s)
{
    struct jregex *re = NULL;
    const char *why = NULL;
    if (jregex_compile(pattern, strlen(pattern), &re, &why) != 0) {
        fail_msg("pattern %s refused: %s", pattern, why);
    }
    int r = jregex_match(re, s, strlen(s));
    jregex_free(re);
    return r;
}

static void test_oracle_cases(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *doc = json_load_file(SAGEBOX_TEST_DATA "/proto/regex_cases.json", 0, &jerr);
    if (doc == NULL) {
        fail_msg("regex_cases.json: %s", jerr.text);
    }
    json_t *pats = json_object_get(doc, "patterns");
    size_t i;
    json_t *p;
    int refused = 0;
    int checked = 0;
    json_array_foreach(pats, i, p)
    {
        const char *pat = json_string_value(json_object_get(p, "pattern"));
        struct jregex *re = NULL;
        const char *why = NULL;
        if (jregex_compile(pat, strlen(pat), &re, &why) != 0) {
            // Only the ISO 8601 pattern with backreferences (\3, \17) is outside the subset.
            assert_non_null(strstr(pat, "\\17"));
            refused++;
            continue;
        }
        size_t j;
        json_t *c;
        json_array_foreach(json_object_get(p, "cases"), j, c)
        {
            const char *s = json_string_value(json_array_get(c, 0));
            size_t len = json_string_length(json_array_get(c, 0));
            int want = json_is_true(json_array_get(c, 1)) ? 1 : 0;
            int got = jregex_match(re, s, len);
            if (got != want) {
                fail_msg("pattern %s on \"%s\": got %d, want %d", pat, s, got, want);
            }
            checked++;
        }
        jregex_free(re);
    }
    assert_int_equal(refused, 1);
    assert_true(checked > 8000);
    json_decref(doc);
}

// Every pattern the models hold compiles, but for the one with backreferences.
static void test_model_patterns_compile(void **state)
{
    (void)state;
    int refused = 0;
    for (unsigned i = 0; i < model_pattern_count; i++) {
        const char *pat = model_str(model_patterns[i]);
        struct jregex *re = NULL;
        if (jregex_compile(pat, strlen(pat), &re, NULL) != 0) {
            refused++;
        }
        jregex_free(re);
    }
    assert_int_equal(refused, 1);
}

// The IAM name pattern from the brief: the whole input must match (Matcher.matches).
static void test_whole_input(void **state)
{
    (void)state;
    assert_int_equal(match("[\\w+=,.@-]+", "ana@example.com"), 1);
    assert_int_equal(match("[\\w+=,.@-]+", "ana smith"), 0);
    assert_int_equal(match("[\\w+=,.@-]+", ""), 0);
    assert_int_equal(match("[\\w+=,.@-]+", "\xc3\xa9"), 0); // \w is ASCII in Java by default
    assert_int_equal(match("^(range|count|sum)", "rangeX"), 0);
}

// Java's '.' excludes \n, \r, U+0085, U+2028 and U+2029 (Pattern: "Line terminators").
static void test_dot_line_terminators(void **state)
{
    (void)state;
    assert_int_equal(match(".*", "a\tb"), 1);
    assert_int_equal(match(".*", "a\rb"), 0);
    assert_int_equal(match(".*", "a\nb"), 0);
    assert_int_equal(match(".*", "a\xc2\x85"
                                 "b"),
                     0);
    assert_int_equal(match(".*", "a\xe2\x80\xa8"), 0);
    assert_int_equal(match("[\\s\\S]*", "a\r\nb"), 1);
    // $ may match before a final line terminator, but whole-input matching still needs it eaten.
    assert_int_equal(match("a$", "a\n"), 0);
    assert_int_equal(match("a$\\n", "a\n"), 1);
}

// \p{X}: the major general categories, for any script.
static void test_unicode_categories(void **state)
{
    (void)state;
    const char *tag = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*";
    assert_int_equal(match(tag, "Caf\xc3\xa9 \xe4\xb8\xad 42"), 1); // é, 中
    assert_int_equal(match(tag, "\xd9\xa3"), 1);                    // Arabic-Indic digit 3
    assert_int_equal(match(tag, "a!"), 0);
    assert_int_equal(match(tag, "\xf0\x9f\x98\x80"), 0); // emoji: So
    assert_int_equal(match("\\p{S}+", "\xf0\x9f\x98\x80$+"), 1);
    assert_int_equal(match("\\P{L}+", "12"), 1);
    assert_int_equal(match("\\pL", "x"), 1);
    assert_int_equal(match("[\\p{M}]", "\xcc\x81"), 1); // combining acute accent
}

// \uXXXX takes exactly four digits; an escaped surrogate pair is one code point.
static void test_unicode_escapes(void **state)
{
    (void)state;
    assert_int_equal(match("[\\u0020-\\u00FF]+", "caf\xc3\xa9"), 1);
    assert_int_equal(match("[\\u0020-\\u00FF]+", "\xc4\x80"), 0); // U+0100
    const char *xml = "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*";
    assert_int_equal(match(xml, "\xf0\x9f\x98\x80\t"), 1); // U+1F600 in the joined range
    assert_int_equal(match(xml, "\x01"), 0);
    // "\u10000" is \u1000 followed by '0', as in Java.
    assert_int_equal(match("\\u10000", "\xe1\x80\x80"
                                       "0"),
                     1);
    assert_int_equal(match("\\x41\\0101", "AA"), 1);
}

static void test_flags_and_lookaround(void **state)
{
    (void)state;
    assert_int_equal(match("(?i)all|[0-9]{12}", "ALL"), 1);
    assert_int_equal(match("(?i)all|[0-9]{12}", "123456789012"), 1);
    assert_int_equal(match("(?i)all|[0-9]{12}", "12345678901"), 0);
    const char *dns = "^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$";
    assert_int_equal(match(dns, "a-b-c"), 1);
    assert_int_equal(match(dns, "a--b"), 0);
    const char *noend = "([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)$";
    assert_int_equal(match(noend, "abc-d"), 1);
    assert_int_equal(match(noend, "abc-"), 0);
    assert_int_equal(match("^(?!\\s*$).+", "  "), 0);
    assert_int_equal(match("^(?!\\s*$).+", " x"), 1);
    assert_int_equal(match("arn:\\b(aws|aws-cn)\\b:x", "arn:aws-cn:x"), 1);
    assert_int_equal(match("a\\Bb", "ab"), 1);
    assert_int_equal(match("(?<=ab)c|abc", "abc"), 1);
    assert_int_equal(match("^([\\p{L}]*)${1,128}", "abc"), 1);
    assert_int_equal(match("a{2,3}?b", "aab"), 1);
}

// Malformed patterns and constructs outside the subset are refused with a reason.
static void test_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "(a)\\1", "a++",    "[a-z&&[^e]]", "\\Qa\\E", "(?s).",         "(a",      "a)", "[a",
        "*a",     "a{3,2}", "[z-a]",       "\\p{Lu}", "(?<n>x)\\k<n>", "(?<=a+)b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct jregex *re = NULL;
        const char *why = NULL;
        assert_int_equal(jregex_compile(bad[i], strlen(bad[i]), &re, &why), -1);
        assert_null(re);
        assert_non_null(why);
    }
    jregex_free(NULL);
}

// No backtracking blow-up: the classic (a*)*b on a long run of a's answers at once, and a
// program larger than the cap is refused.
static void test_limits(void **state)
{
    (void)state;
    size_t n = 100000;
    char *s = malloc(n + 1);
    memset(s, 'a', n);
    s[n] = '\0';
    assert_int_equal(match("(a*)*b", s), 0);
    assert_int_equal(match("(a|aa)*", s), 1);
    free(s);
    struct jregex *re = NULL;
    const char *big = "((((a{100}){100}){100}))";
    assert_int_equal(jregex_compile(big, strlen(big), &re, NULL), -1);
    // Invalid UTF-8 input is not an answer.
    assert_int_equal(match("a*", "\xff"), -1);
}

// "[...]+" and "[...]*" are answered from an ASCII table (jregex.c); "(?:[...])+" takes the full
// matcher. Both must agree on every input, ASCII or not.
static void test_class_fast_path(void **state)
{
    (void)state;
    static const char *const classes[] = {
        "[\\w+=,.@-]",
        "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]",
        "[^:]",
        "[a-zA-Z0-9_.-]",
        "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]",
        "[\\x21-\\x7E]",
        "[\\]a]",
        "[\\\\]",
    };
    static const char *const texts[] = {
        "",          "a",      "role-name_1",   "r@x.com",       "with space",
        "tab\there", "colon:", "\u00e9t\u00e9", "caf\xc3\xa9",   "\x7f",
        "]",         "\\",     "a]b",           "x\xe2\x82\xac", "\x01",
        "{}",        "A=B,C",
    };
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        for (int star = 0; star < 2; star++) {
            char fast[128];
            char slow[128];
            snprintf(fast, sizeof(fast), "%s%c", classes[i], star ? '*' : '+');
            snprintf(slow, sizeof(slow), "(?:%s)%c", classes[i], star ? '*' : '+');
            for (size_t j = 0; j < sizeof(texts) / sizeof(texts[0]); j++) {
                int a = match(fast, texts[j]);
                int b = match(slow, texts[j]);
                if (a != b) {
                    print_error("%s vs %s on \"%s\": %d != %d\n", fast, slow, texts[j], a, b);
                    fail();
                }
            }
        }
    }
    assert_int_equal(match("[\\w+=,.@-]+", ""), 0);
    assert_int_equal(match("[\\w+=,.@-]*", ""), 1);
    assert_int_equal(match("[\\w+=,.@-]+", "bench-role-04242"), 1);
    assert_int_equal(match("[\\w+=,.@-]+", "bench role"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oracle_cases),
        cmocka_unit_test(test_model_patterns_compile),
        cmocka_unit_test(test_whole_input),
        cmocka_unit_test(test_dot_line_terminators),
        cmocka_unit_test(test_unicode_categories),
        cmocka_unit_test(test_unicode_escapes),
        cmocka_unit_test(test_flags_and_lookaround),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_class_fast_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
