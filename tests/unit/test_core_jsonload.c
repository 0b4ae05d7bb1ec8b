// SPDX-License-Identifier: Apache-2.0
// Tests of jsonload (src/core/jsonload.c): for every stored-document shape sagebox writes it must
// give the same jansson tree that json_loadb gives (the loader it replaced), and NULL for text
// that is not strict JSON. Each case is checked against json_loadb itself with json_equal.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/jsonload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Loads text both ways and checks the trees are equal and of the same types at the top.
static void same_as_jansson(const char *text)
{
    json_t *want = json_loads(text, JSON_DECODE_ANY, NULL);
    json_t *got = jsonload(text, strlen(text));
    assert_non_null(want);
    assert_non_null(got);
    if (!json_equal(want, got)) {
        char *a = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY);
        char *b = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
        print_error("jansson %s\njsonload %s\n", a, b);
        free(a);
        free(b);
        fail();
    }
    assert_int_equal(json_typeof(want), json_typeof(got));
    json_decref(want);
    json_decref(got);
}

static void test_documents(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "{}",
        "[]",
        ("{\"Path\":\"/\",\"RoleName\":\"r\",\"CreateDate\":1795858929,\"MaxSessionDuration\":3600,"
         "\"AssumeRolePolicyDocument\":\"{\\\"Version\\\":\\\"2012-10-17\\\"}\"}"),
        "{\"Tags\":[{\"Key\":\"team\",\"Value\":\"team-A\"},{\"Key\":\"k\",\"Value\":\"\"}]}",
        "{\"a\":null,\"b\":true,\"c\":false,\"d\":-0,\"e\":1.5,\"f\":1e3,\"g\":-12345678901234}",
        "{\"s\":\"caf\\u00e9 \\ud83d\\ude00 \\n\\t\\\"\\\\ /\",\"u\":\"\xc3\xa9\xe2\x82\xac\"}",
        "{\"deep\":[[[[{\"x\":[1,[2,[3]]]}]]]]}",
        "  {\"spaced\" : [ 1 , 2 ] }  ",
        "\"a bare string\"",
        "42",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        same_as_jansson(docs[i]);
    }
}

static void test_numbers(void **state)
{
    (void)state;
    json_t *v = jsonload_str("[9223372036854775807, -9223372036854775808, 2.5, 7, 1e300]");
    assert_non_null(v);
    assert_true(json_is_integer(json_array_get(v, 0)));
    assert_true(json_integer_value(json_array_get(v, 0)) == INT64_MAX);
    assert_true(json_integer_value(json_array_get(v, 1)) == INT64_MIN);
    assert_true(json_is_real(json_array_get(v, 2)));
    assert_true(json_is_integer(json_array_get(v, 3)));
    assert_true(json_is_real(json_array_get(v, 4)));
    json_decref(v);
    // Beyond json_int_t, or a real beyond a double: json_loadb refuses them, and so does
    // jsonload (it reads request bodies before jansson does).
    static const char *const beyond[] = {"[9223372036854775808]", "[-9223372036854775809]",
                                         "{\"a\": 1e400}", "[-1E+999]"};
    for (size_t i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++) {
        assert_null(json_loadb(beyond[i], strlen(beyond[i]), JSON_REJECT_DUPLICATES, NULL));
        assert_null(jsonload_str(beyond[i]));
    }
}

static void test_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "{",
        "{\"a\":1,}",
        "[1 2]",
        "{'a':1}",
        "nul",
        "01",
        "{\"a\":1}x",
        "\"\\u0000\"",
        "\"\x80\"",
        "[1,]",
        "{\"a\":1,\"a\":2}", // a duplicate key: sagebox never writes one
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *v = jsonload(bad[i], strlen(bad[i]));
        if (v != NULL) {
            print_error("accepted: %s\n", bad[i]);
            json_decref(v);
            fail();
        }
    }
    assert_null(jsonload_str(NULL));
    assert_null(jsonload(NULL, 0));
}

static void test_large(void **state)
{
    (void)state;
    // Bigger than the loader's 4 KiB scratch buffer: the arena spills to the heap.
    size_t n = 3000;
    char *text = malloc(n * 8 + 16);
    size_t o = 0;
    text[o++] = '[';
    for (size_t i = 0; i < n; i++) {
        o += (size_t)sprintf(text + o, "%s\"v%zu\"", i ? "," : "", i % 100);
    }
    text[o++] = ']';
    text[o] = '\0';
    same_as_jansson(text);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documents),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
