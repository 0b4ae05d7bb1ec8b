// SPDX-License-Identifier: Apache-2.0
// Unit tests for the strict JSON reader (src/core/jsonv.c). Expected results come from RFC 8259
// (the grammar: whitespace, literals, numbers, strings and escapes) and RFC 3629 (well-formed
// UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF), not from the code.
#include "core/jsonv.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

struct case_ {
    const char *name;
    const char *text; // NUL-terminated unless len is given
    size_t len;       // 0: strlen(text)
    int want;         // JSONV_OK, JSONV_ESYNTAX or JSONV_EDUPLICATE
};

static int parse(const struct case_ *c, struct arena *a, const struct jsonv **out)
{
    size_t len = c->len ? c->len : strlen(c->text);
    return jsonv_parse(a, c->text, len, out, NULL, NULL);
}

// RFC 8259 section 2-7: what is and is not JSON.
static void test_grammar(void **state)
{
    (void)state;
    static const struct case_ cases[] = {
        {"object", "{\"a\":1}", 0, JSONV_OK},
        {"array", "[1,2,3]", 0, JSONV_OK},
        {"scalar top level (RFC 8259 allows any value)", "\"x\"", 0, JSONV_OK},
        {"literals", "[true,false,null]", 0, JSONV_OK},
        {"the four whitespace characters", " \t\n\r{ \"a\" : [ ] } \r\n", 0, JSONV_OK},
        {"empty input", "", 0, JSONV_ESYNTAX},
        {"only whitespace", "   ", 0, JSONV_ESYNTAX},
        {"trailing comma in array", "[1,]", 0, JSONV_ESYNTAX},
        {"trailing comma in object", "{\"a\":1,}", 0, JSONV_ESYNTAX},
        {"missing colon", "{\"a\" 1}", 0, JSONV_ESYNTAX},
        {"unquoted key", "{a:1}", 0, JSONV_ESYNTAX},
        {"single quotes", "{'a':1}", 0, JSONV_ESYNTAX},
        {"trailing data", "{} x", 0, JSONV_ESYNTAX},
        {"two values", "1 2", 0, JSONV_ESYNTAX},
        {"comment", "{/*c*/}", 0, JSONV_ESYNTAX},
        {"capitalised literal", "True", 0, JSONV_ESYNTAX},
        {"truncated literal", "nul", 0, JSONV_ESYNTAX},
        {"vertical tab is not whitespace", "\v{}", 0, JSONV_ESYNTAX},
        {"form feed is not whitespace", "{}\f", 0, JSONV_ESYNTAX},
        {"unclosed array", "[1", 0, JSONV_ESYNTAX},
        {"unclosed object", "{\"a\":1", 0, JSONV_ESYNTAX},
        {"unclosed string", "\"abc", 0, JSONV_ESYNTAX},
        {"NUL byte outside strings", "{}\0", 3, JSONV_ESYNTAX},
        {"duplicate key", "{\"a\":1,\"a\":2}", 0, JSONV_EDUPLICATE},
        {"duplicate key after unescaping", "{\"a\":1,\"\\u0061\":2}", 0, JSONV_EDUPLICATE},
        {"same key in different objects", "[{\"a\":1},{\"a\":2}]", 0, JSONV_OK},
        // Numbers (section 6).
        {"integer", "0", 0, JSONV_OK},
        {"negative zero", "-0", 0, JSONV_OK},
        {"fraction and exponent", "-12.5e+3", 0, JSONV_OK},
        {"capital E", "1E5", 0, JSONV_OK},
        {"leading zero", "01", 0, JSONV_ESYNTAX},
        {"plus sign", "+1", 0, JSONV_ESYNTAX},
        {"bare fraction", ".5", 0, JSONV_ESYNTAX},
        {"dot without digits", "1.", 0, JSONV_ESYNTAX},
        {"exponent without digits", "1e", 0, JSONV_ESYNTAX},
        {"NaN", "NaN", 0, JSONV_ESYNTAX},
        {"Infinity", "-Infinity", 0, JSONV_ESYNTAX},
        {"hex", "0x10", 0, JSONV_ESYNTAX},
        // Strings (section 7).
        {"every escape", "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041\"", 0, JSONV_OK},
        {"unknown escape", "\"\\x41\"", 0, JSONV_ESYNTAX},
        {"short unicode escape", "\"\\u41\"", 0, JSONV_ESYNTAX},
        {"bad hex digit", "\"\\u00G1\"", 0, JSONV_ESYNTAX},
        {"raw tab in string", "\"a\tb\"", 0, JSONV_ESYNTAX},
        {"raw newline in string", "\"a\nb\"", 0, JSONV_ESYNTAX},
        {"escaped NUL is refused (strings are NUL-terminated)", "\"a\\u0000b\"", 0, JSONV_ESYNTAX},
        {"surrogate pair", "\"\\ud83d\\ude00\"", 0, JSONV_OK},
        {"lone high surrogate", "\"\\ud83d\"", 0, JSONV_ESYNTAX},
        {"lone low surrogate", "\"\\ude00\"", 0, JSONV_ESYNTAX},
        {"high surrogate then letter", "\"\\ud83dx\"", 0, JSONV_ESYNTAX},
        // UTF-8 (RFC 3629).
        {"two-byte UTF-8", "\"caf\xc3\xa9\"", 0, JSONV_OK},
        {"four-byte UTF-8", "\"\xf0\x9f\x98\x80\"", 0, JSONV_OK},
        {"overlong slash", "\"\xc0\xaf\"", 0, JSONV_ESYNTAX},
        {"overlong three-byte", "\"\xe0\x80\xaf\"", 0, JSONV_ESYNTAX},
        {"encoded surrogate", "\"\xed\xa0\x80\"", 0, JSONV_ESYNTAX},
        {"above U+10FFFF", "\"\xf4\x90\x80\x80\"", 0, JSONV_ESYNTAX},
        {"lone continuation byte", "\"\x80\"", 0, JSONV_ESYNTAX},
        {"truncated sequence", "\"\xe2\x82\"", 0, JSONV_ESYNTAX},
        {"Latin-1 byte", "\"\xe9\"", 0, JSONV_ESYNTAX},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct arena a;
        arena_init(&a, NULL, 0);
        const struct jsonv *v = (const struct jsonv *)&a; // must be reset to NULL on failure
        int rc = parse(&cases[i], &a, &v);
        if (rc != cases[i].want) {
            fail_msg("%s: got %d, want %d", cases[i].name, rc, cases[i].want);
        }
        if (rc != JSONV_OK && v != NULL) {
            fail_msg("%s: *out not NULL on failure", cases[i].name);
        }
        arena_release(&a);
    }
}

// The tree: types, lengths, order of members, unescaped text, number values.
static void test_tree(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, NULL, 0);
    const char *text = "{\"b\":[1,-2.5e1,true,null],\"a\":\"x\\ty\\u00e9\\ud83d\\ude00\",\"c\":{}}";
    const struct jsonv *root = NULL;
    assert_int_equal(jsonv_parse(&a, text, strlen(text), &root, NULL, NULL), JSONV_OK);
    assert_int_equal(root->type, JSONV_OBJECT);
    assert_int_equal(root->len, 3);
    assert_string_equal(root->u.members[0].key, "b"); // document order, not sorted
    assert_string_equal(root->u.members[1].key, "a");
    const struct jsonv *arr = jsonv_get(root, "b");
    assert_non_null(arr);
    assert_int_equal(arr->type, JSONV_ARRAY);
    assert_int_equal(arr->len, 4);
    assert_int_equal(arr->u.items[0].type, JSONV_NUMBER);
    assert_string_equal(arr->u.items[1].u.str, "-2.5e1"); // numbers keep their text
    assert_true(arr->u.items[1].num == -25.0);
    assert_int_equal(arr->u.items[2].type, JSONV_TRUE);
    assert_int_equal(arr->u.items[3].type, JSONV_NULL);
    const struct jsonv *s = jsonv_get(root, "a");
    assert_int_equal(s->type, JSONV_STRING);
    assert_string_equal(s->u.str, "x\ty\xc3\xa9\xf0\x9f\x98\x80");
    assert_int_equal(s->len, 9);
    const struct jsonv *c = jsonv_get(root, "c");
    assert_int_equal(c->type, JSONV_OBJECT);
    assert_int_equal(c->len, 0);
    assert_null(jsonv_get(root, "missing"));
    assert_null(jsonv_get(arr, "b")); // not an object
    assert_null(jsonv_get(NULL, "b"));
    arena_release(&a);
}

// Depth is limited so that hostile input cannot exhaust the stack.
static void test_depth(void **state)
{
    (void)state;
    char deep[2 * (JSONV_MAX_DEPTH + 1) + 1];
    for (int n = JSONV_MAX_DEPTH; n <= JSONV_MAX_DEPTH + 1; n++) {
        memset(deep, '[', (size_t)n);
        memset(deep + n, ']', (size_t)n);
        struct arena a;
        arena_init(&a, NULL, 0);
        const struct jsonv *v = NULL;
        int rc = jsonv_parse(&a, deep, 2 * (size_t)n, &v, NULL, NULL);
        assert_int_equal(rc, n <= JSONV_MAX_DEPTH ? JSONV_OK : JSONV_ESYNTAX);
        arena_release(&a);
    }
}

// The statistics the policy parser uses for IAM's size quota and character rules.
static void test_stats(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, NULL, 0);
    const struct jsonv *v = NULL;
    struct jsonv_stats st;
    const char *t1 = "{ \"a\" :\n\t[ \"caf\xc3\xa9 \" ] }";
    assert_int_equal(jsonv_parse(&a, t1, strlen(t1), &v, NULL, &st), JSONV_OK);
    assert_int_equal(st.ws_bytes, 7);        // spaces inside the string do not count
    assert_int_equal(st.utf8_cont_bytes, 1); // e-acute is two bytes, one character
    assert_true(st.max_code_point <= 0xFF);
    assert_false(st.control_chars);

    const char *t2 = "[\"\\u20ac\"]";
    assert_int_equal(jsonv_parse(&a, t2, strlen(t2), &v, NULL, &st), JSONV_OK);
    assert_true(st.max_code_point > 0xFF);
    const char *t3 = "[\"\xe2\x82\xac\"]";
    assert_int_equal(jsonv_parse(&a, t3, strlen(t3), &v, NULL, &st), JSONV_OK);
    assert_true(st.max_code_point > 0xFF);
    assert_int_equal(st.utf8_cont_bytes, 2);

    const char *t4 = "[\"a\\u0001b\"]";
    assert_int_equal(jsonv_parse(&a, t4, strlen(t4), &v, NULL, &st), JSONV_OK);
    assert_true(st.control_chars);
    const char *t5 = "[\"a\\tb\\nc\\r\"]"; // tab, LF and CR are allowed
    assert_int_equal(jsonv_parse(&a, t5, strlen(t5), &v, NULL, &st), JSONV_OK);
    assert_false(st.control_chars);

    size_t off = 0;
    const char *bad = "{\"a\":[1,2,}";
    assert_int_equal(jsonv_parse(&a, bad, strlen(bad), &v, &off, NULL), JSONV_ESYNTAX);
    assert_int_equal(off, 10); // where the '}' stands
    arena_release(&a);
}

// Long strings take the eight-bytes-at-a-time path; its boundaries must not change results.
static void test_long_strings(void **state)
{
    (void)state;
    char buf[200];
    for (size_t n = 0; n < 40; n++) {
        for (size_t q = 0; q <= n; q++) {
            // A string of n 'x' with one special byte at position q (or none when q == n).
            size_t o = 0;
            buf[o++] = '"';
            for (size_t i = 0; i < n; i++) {
                buf[o++] = i == q ? '\\' : 'x';
                if (i == q) {
                    buf[o++] = 'n';
                }
            }
            buf[o++] = '"';
            struct arena a;
            arena_init(&a, NULL, 0);
            const struct jsonv *v = NULL;
            assert_int_equal(jsonv_parse(&a, buf, o, &v, NULL, NULL), JSONV_OK);
            assert_int_equal(v->len, n);
            if (q < n) {
                assert_int_equal(v->u.str[q], '\n');
            }
            arena_release(&a);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grammar),      cmocka_unit_test(test_tree),
        cmocka_unit_test(test_depth),        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_long_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
