// SPDX-License-Identifier: Apache-2.0
// Tests of the CloudWatch Logs filter pattern parser and matcher (src/svc/logs/filter_pattern.c).
// Patterns, messages and expected results are the examples of the CloudWatch Logs User Guide,
// "Filter pattern syntax for metric filters, subscription filters, filter log events, and Live
// Tail" (formerly "Filter and Pattern Syntax"): "Matching terms in log events" (examples 1-4, the
// OR examples over "ERROR WARN message" / "ERROR message" / "WARN message"), the JSON examples
// over the eventType/sourceIPAddress/arrayKey/objectList document and the compound conditions over
// the user/users/actions/coordinates document, "Numeric comparisons", the space-delimited Apache
// access log examples, and "Supported regular expressions" (%AUTHORIZED%). Patterns AWS rejects
// come from public reports of InvalidParameterException "Invalid filter pattern": an unquoted
// e-mail address (Miserlou/Zappa#651), typographic quotes ("Invalid character(s) in term",
// dougmoscrop/serverless-plugin-log-subscription#47), an empty quoted term
// (DefangLabs/defang#1008). Cases marked "not in the guide" are this implementation's reading
// where the guide is silent.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svc/logs/filter_pattern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mcase {
    const char *pattern;
    const char *message;
    bool want;
};

static void run(const struct mcase *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct filter_pattern *p = NULL;
        char why[200];
        int rc =
            filter_pattern_parse(cases[i].pattern, strlen(cases[i].pattern), &p, why, sizeof(why));
        if (rc != 0) {
            fail_msg("pattern %s did not parse: %s", cases[i].pattern, why);
        }
        bool got = filter_pattern_match(p, cases[i].message, strlen(cases[i].message));
        if (got != cases[i].want) {
            fail_msg("pattern %s on message %s: got %d, want %d", cases[i].pattern,
                     cases[i].message, got, cases[i].want);
        }
        filter_pattern_free(p);
    }
}

static void test_terms(void **state)
{
    (void)state;
    static const struct mcase cases[] = {
        // Example 1: match everything.
        {"", "anything at all", true},
        {"   ", "anything at all", true},
        // Example 2: a single term, case-sensitive substring.
        {"ERROR", "[ERROR] A fatal exception has occurred", true},
        {"ERROR", "Exiting with ERRORCODE: -1", true},
        {"ERROR", "error in lower case", false},
        {"\"ERROR\"", "Exiting with ERRORCODE: -1", true},
        // Example 3: include a term and exclude a term.
        {"\"ERROR\" - \"Exiting\"", "Exiting with ERRORCODE: -1", false},
        {"\"ERROR\" - \"Exiting\"", "[ERROR] A fatal exception has occurred", true},
        // Example 4: multiple terms must all occur.
        {"ERROR Exception", "[ERROR] Caught IllegalArgumentException", true},
        {"ERROR Exception", "[ERROR] Unhandled Exception", true},
        {"ERROR Exception", "[ERROR] Unhandled failure", false},
        {"Failed to process the request", "[WARN] Failed to process the request", true},
        {"Failed to process the request",
         "[ERROR] Unable to continue: Failed to process the request", true},
        // OR pattern matching over the guide's three events.
        {"ERROR", "ERROR WARN message", true},
        {"ERROR", "WARN message", false},
        {"?ERROR ?WARN", "ERROR WARN message", true},
        {"?ERROR ?WARN", "ERROR message", true},
        {"?ERROR ?WARN", "WARN message", true},
        {"?ERROR ?WARN", "INFO message", false},
        {"ERROR WARN", "ERROR WARN message", true},
        {"ERROR WARN", "ERROR message", false},
        {"ERROR -WARN", "ERROR message", true},
        {"ERROR -WARN", "ERROR WARN message", false},
        {"ERROR -WARN", "WARN message", false},
        // Quoted phrases keep their spaces and may hold any character.
        {"\"INTERNAL SERVER ERROR\"", "500 INTERNAL SERVER ERROR", true},
        {"\"INTERNAL SERVER ERROR\"", "INTERNAL ERROR SERVER", false},
        {"\"email@domain.com\"", "mail from email@domain.com", true},
        {"\"say \\\"hi\\\"\"", "they say \"hi\" twice", true},
    };
    run(cases, sizeof(cases) / sizeof(cases[0]));
}

// The JSON document of the guide's "JSON metric filter examples".
static const char *const EVENT_JSON =
    "{\"eventType\": \"UpdateTrail\", \"sourceIPAddress\": \"111.111.111.111\", "
    "\"arrayKey\": [\"value\", \"another value\"], "
    "\"objectList\": [{\"name\": \"a\", \"id\": 1}, {\"name\": \"b\", \"id\": 2}], "
    "\"SomeObject\": null, \"ThisFlag\": true}";

// The document of the guide's "JSON compound conditions".
static const char *const USERS_JSON =
    "{\"user\": {\"id\": 1, \"email\": \"John.Stiles@example.com\"}, "
    "\"users\": [{\"id\": 2, \"email\": \"John.Doe@example.com\"}, "
    "{\"id\": 3, \"email\": \"Jane.Doe@example.com\"}], "
    "\"actions\": [\"GET\", \"PUT\", \"DELETE\"], "
    "\"coordinates\": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]}";

static void test_json(void **state)
{
    (void)state;
    const struct mcase cases[] = {
        {"{ $.eventType = \"UpdateTrail\" }", EVENT_JSON, true},
        {"{ $.eventType = UpdateTrail }", EVENT_JSON, true},
        {"{ $.eventType = \"DeleteTrail\" }", EVENT_JSON, false},
        {"{ $.sourceIPAddress != 123.123.* }", EVENT_JSON, true},
        {"{ $.sourceIPAddress != 111.111.* }", EVENT_JSON, false},
        {"{ $.sourceIPAddress = 111.111.* }", EVENT_JSON, true},
        {"{ $.arrayKey[0] = \"value\" }", EVENT_JSON, true},
        {"{ $.arrayKey[1] = \"value\" }", EVENT_JSON, false},
        {"{ $.objectList[1].id = 2 }", EVENT_JSON, true},
        {"{ $.objectList[0].id = 2 }", EVENT_JSON, false},
        {"{ $.SomeObject IS NULL }", EVENT_JSON, true},
        {"{ $.eventType IS NULL }", EVENT_JSON, false},
        {"{ $.SomeOtherObject NOT EXISTS }", EVENT_JSON, true},
        {"{ $.SomeObject NOT EXISTS }", EVENT_JSON, false},
        {"{ $.ThisFlag IS TRUE }", EVENT_JSON, true},
        {"{ $.ThisFlag IS FALSE }", EVENT_JSON, false},
        // "*Event will match PutEvent and GetEvent. Event* will match EventId and EventName."
        {"{ $.eventType = *Trail }", EVENT_JSON, true},
        {"{ $.eventType = Update* }", EVENT_JSON, true},
        {"{ $.eventType = Up*ail }", EVENT_JSON, true},
        {"{ $.eventType = *Event }", EVENT_JSON, false},
        // A selector on an array or object is no value node: neither = nor != applies.
        {"{ $.arrayKey = 1 }", EVENT_JSON, false},
        {"{ $.arrayKey != 1 }", EVENT_JSON, false},
        {"{ $.users = 1 }", "{\"users\": [1, 2, 3]}", false},
        {"{ $.users != 1 }", "{\"users\": [1, 2, 3]}", false},
        // OR pattern matching in JSON filters.
        {"{$.foo = bar}", "{\"foo\": \"bar\"}", true},
        {"{$.foo = baz }", "{\"foo\": \"bar\"}", false},
        {"{$.foo = baz }", "{\"foo\": \"baz\"}", true},
        {"{$.foo = bar || $.foo = baz }", "{\"foo\": \"bar\"}", true},
        {"{$.foo = bar || $.foo = baz }", "{\"foo\": \"baz\"}", true},
        {"{$.foo = bar || $.foo = baz }", "{\"foo\": \"qux\"}", false},
        // Compound conditions: () > && > ||.
        {"{ ($.user.id = 1) && ($.users[0].email = \"John.Doe@example.com\") }", USERS_JSON, true},
        {"{ ($.user.id = 2 && $.users[0].email = \"nonmatch\") || $.actions[2] = \"GET\" }",
         USERS_JSON, false},
        {"{ $.user.email = \"John.Stiles@example.com\" || $.coordinates[0][1] = nonmatch && "
         "$.actions[2] = nomatch }",
         USERS_JSON, true},
        {"{ ($.user.email = \"John.Stiles@example.com\" || $.coordinates[0][1] = nonmatch) && "
         "$.actions[2] = nomatch }",
         USERS_JSON, false},
        {"{ $.coordinates[2][0] = 7 }", USERS_JSON, true},
        // Numeric comparisons.
        {"{ $.latency >= 500 }", "{\"latency\": 500}", true},
        {"{ $.latency >= 500 }", "{\"latency\": 499.9}", false},
        {"{ $.numbers[0] < 10e3 }", "{\"numbers\": [9999]}", true},
        {"{ $.numbers[0] < 10e-3 }", "{\"numbers\": [0.01]}", false},
        {"{ $.numbers[0] < 10e-3 }", "{\"numbers\": [0.001]}", true},
        {"{ $.processes[4].averageRuntime <= 55.5 }",
         "{\"processes\": [{}, {}, {}, {}, {\"averageRuntime\": 55.5}]}", true},
        {"{ $.errorCode = 400 }", "{\"errorCode\": 400}", true},
        {"{ $.errorCode = 400 }", "{\"errorCode\": 400.0}", true},
        {"{ $.errorCode != 500 }", "{\"errorCode\": 400}", true},
        {"{ $.errorCode != 500 }", "{\"errorCode\": 500}", false},
        {"{ $.latency > +1000 }", "{\"latency\": 1001}", true},
        {"{ $.latency > +1000 }", "{\"latency\": \"2000\"}", false},
        // "{ $.latency = * }" (the guide's metric value example): any value.
        {"{ $.latency = * }", "{\"latency\": 12}", true},
        {"{ $.latency = * }", "{\"other\": 12}", false},
        // A message that is not JSON never matches a JSON pattern.
        {"{ $.a NOT EXISTS }", "plain text", false},
        {"{ $.a = 1 }", "{\"a\": 1", false},
        // Regular expressions as values (current guide: "can be incorporated with JSON").
        {"{ $.eventType = %Update[A-Z]rail% }", EVENT_JSON, true},
        {"{ $.eventType = %^Trail% }", EVENT_JSON, false},
    };
    run(cases, sizeof(cases) / sizeof(cases[0]));
}

#define APACHE_200                                                                                 \
    "127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 1534"
#define APACHE_500                                                                                 \
    "127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] \"GET /apache_pb.gif HTTP/1.0\" 500 5324"
#define APACHE_404                                                                                 \
    "127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] \"GET /index.html HTTP/1.0\" 404 1534"

static void test_delimited(void **state)
{
    (void)state;
    static const struct mcase cases[] = {
        {"[ip, user, username, timestamp, request, status_code, bytes]", APACHE_200, true},
        {"[ip, user, username, timestamp, request, status_code]", APACHE_200, false},
        {"[..., status_code, bytes]", APACHE_200, true},
        {"[ip, user, ..., status_code, bytes]", APACHE_200, true},
        {"[ip, user, ...]", APACHE_200, true},
        {"[ip, user, username, timestamp, request, status_code, bytes > 1000]", APACHE_200, true},
        {"[ip, user, username, timestamp, request, status_code, bytes > 2000]", APACHE_200, false},
        {"[ip, user, username, timestamp, request, status_code = 200, bytes]", APACHE_200, true},
        {"[ip, user, username, timestamp, request, status_code = 200, bytes]", APACHE_500, false},
        {"[ip, user, username, timestamp, request, status_code = 4*, bytes]", APACHE_404, true},
        {"[ip, user, username, timestamp, request, status_code = 4*, bytes]", APACHE_500, false},
        {"[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", APACHE_404,
         true},
        {"[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", APACHE_200,
         false},
        {"[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]",
         APACHE_404, true},
        {"[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]",
         APACHE_500, false},
        {"[..., request=*.html*, status_code=4*,]", APACHE_404, true},
        {"[ip, user, username, timestamp = 10/Oct/2000*, ...]", APACHE_200, true},
        {"[ip = 127.0.0.*, ...]", APACHE_200, true},
        // The OR examples over "ERROR WARN message", "ERROR message" and "WARN message".
        {"[w1=ERROR, w2]", "ERROR message", true},
        {"[w1=ERROR, w2]", "ERROR WARN message", false},
        {"[w1=ERROR, w2]", "WARN message", false},
        {"[w1=ERROR || w1=WARN, w2]", "ERROR message", true},
        {"[w1=ERROR || w1=WARN, w2]", "WARN message", true},
        {"[w1=ERROR || w1=WARN, w2]", "INFO message", false},
        {"[w1!=ERROR&&w1!=WARN, w2]", "INFO message", true},
        {"[w1!=ERROR&&w1!=WARN, w2]", "WARN message", false},
        // Conditions on other fields of the pattern (not in the guide beyond its && example).
        {"[a, b, c = x && a = 1]", "1 2 x", true},
        {"[a, b, c = x && a = 1]", "2 2 x", false},
        {"[a, b != 2, c]", "1 2 3", false},
        {"[a, b != 2, c]", "1 3 3", true},
        // Several ellipses backtrack.
        {"[..., x = needle, ..., y = hay]", "a b needle c d hay", true},
        {"[..., x = needle, ..., y = hay]", "a b needle c d straw", false},
    };
    run(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_regex(void **state)
{
    (void)state;
    static const struct mcase cases[] = {
        {"%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST", true},
        {"%AUTHORIZED%", "[SUCCESS 200] AUTHORIZED REQUEST", true},
        {"%AUTHORIZED%", "[SUCCESS 200] OK", false},
        {"%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%", "from 10.0.12.255 port 22", true},
        {"%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%", "from 10.0.x.255 port 22", false},
        {"%[Ee]rror|[Ff]ail%", "an Error here", true},
        {"%[Ee]rror|[Ff]ail%", "it will fail", true},
        {"%[Ee]rror|[Ff]ail%", "all good", false},
        {"%^ERROR%", "ERROR first", true},
        {"%^ERROR%", "not ERROR first", false},
        {"%done$%", "all done", true},
        {"%done$%", "done already", false},
        {"%a.c%", "xxabcxx", true},
        {"%ab+c%", "ac", false},
        {"%ab?c%", "ac", true},
        {"%[^0-9]x%", "9x", false},
        {"%[^0-9]x%", "ax", true},
    };
    run(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "email@domain.com",               // unquoted '@' (Zappa#651)
        "\xe2\x80\x9cquoted\xe2\x80\x9d", // typographic quotes
        "\"\"",                           // empty quoted term (defang#1008)
        "\"unterminated",                 // not in the guide
        "ERROR -",                        // nothing to exclude
        "{ $.a = 1",                      // '{' without '}'
        "{ }",                            // no condition
        "{ a = 1 }",                      // selectors start with $
        "{ $.a ~ 1 }",                    // no such operator
        "{ $.a > abc }",                  // numeric comparison without a number
        "{ $.a IS MAYBE }",               // IS NULL / TRUE / FALSE only
        "{ $.a NOT THERE }",              // NOT EXISTS only
        "{ ($.a = 1 }",                   // unbalanced parenthesis
        "{ $.a = 1 } trailing",           // text after the expression
        "{ $.a = b@c }",                  // '@' needs quotes (user guide)
        "{ $[0] = 1 }",                   // an index must follow a property
        "[a, b",                          // '[' without ']'
        "[]",                             // no field
        "[a, b = ]",                      // no value
        "[a, b > x]",                     // numeric comparison without a number
        "[a, c = 1 && z = 2]",            // z is no field of the pattern
        "%%",                             // empty regular expression
        "%a b%",                          // a blank is not among the allowed characters
        "%(a)%",                          // no parentheses in CloudWatch Logs regex
        "%a{2,1}%",                       // reversed repetition
        "%*a%",                           // nothing to repeat
        "%[a-%",                          // unterminated class
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct filter_pattern *p = (struct filter_pattern *)(uintptr_t)1;
        char why[200] = "unset";
        int rc = filter_pattern_parse(bad[i], strlen(bad[i]), &p, why, sizeof(why));
        if (rc != -1 || p != NULL || why[0] == '\0') {
            fail_msg("pattern %s was accepted (rc %d)", bad[i], rc);
        }
    }
    // Longer than the model's 1024 characters.
    char big[1100];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    struct filter_pattern *p = NULL;
    assert_int_equal(filter_pattern_parse(big, strlen(big), &p, NULL, 0), -1);
    assert_null(p);
}

static void test_kinds(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        enum filter_pattern_kind kind;
    } cases[] = {
        {"ERROR", FILTER_PATTERN_TERMS},
        {"  { $.a = 1 }  ", FILTER_PATTERN_JSON},
        {"[a, b]", FILTER_PATTERN_DELIMITED},
        {"%abc%", FILTER_PATTERN_REGEX},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct filter_pattern *p = NULL;
        assert_int_equal(filter_pattern_parse(cases[i].text, strlen(cases[i].text), &p, NULL, 0),
                         0);
        assert_int_equal(filter_pattern_kind(p), cases[i].kind);
        filter_pattern_free(p);
    }
    filter_pattern_free(NULL);
}

// A pathological pattern against a long message stays bounded and reports no match.
static void test_bounded(void **state)
{
    (void)state;
    char msg[4001];
    for (size_t i = 0; i < 4000; i++) {
        msg[i] = (i % 2) ? ' ' : 'a';
    }
    msg[4000] = '\0';
    const char *pat = "[..., a = b, ..., c = d, ..., e = f, ..., g = h]";
    struct filter_pattern *p = NULL;
    assert_int_equal(filter_pattern_parse(pat, strlen(pat), &p, NULL, 0), 0);
    assert_false(filter_pattern_match(p, msg, strlen(msg)));
    filter_pattern_free(p);
    const char *rx = "%a*a*a*a*a*a*a*a*b%";
    assert_int_equal(filter_pattern_parse(rx, strlen(rx), &p, NULL, 0), 0);
    assert_false(filter_pattern_match(p, msg, strlen(msg)));
    filter_pattern_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terms),     cmocka_unit_test(test_json),
        cmocka_unit_test(test_delimited), cmocka_unit_test(test_regex),
        cmocka_unit_test(test_invalid),   cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
