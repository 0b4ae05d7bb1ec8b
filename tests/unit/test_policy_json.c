// SPDX-License-Identifier: Apache-2.0
// The simulator's JSON format (policy_json.c, docs/policy-simulate.md): input errors are refused
// with a message naming the field or the policy, the output has the documented shape, policies
// are parsed with the kind their place implies, and context values and explicit keys reach the
// engine. The evaluation logic itself is tested by test_policy_eval.c.
#include "core/arena.h"
#include "core/buf.h"
#include "policy/policy_json.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define USER  "arn:aws:iam::111122223333:user/ana"
#define QUEUE "arn:aws:sqs:us-east-1:111122223333:orders"
#define ALLOW_SQS                                                                                  \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Sqs\",\"Effect\":\"Allow\","            \
    "\"Action\":\"sqs:*\",\"Resource\":\"*\"}]}"

// Runs the text API on in; returns its result and leaves output and error in *out and *err.
static int simulate(const char *in, struct buf *out, struct buf *err)
{
    buf_reset(out);
    buf_reset(err);
    return policy_json_simulate(in, strlen(in), out, err);
}

// Asserts that in is refused with an error containing want, and that nothing was output.
static void assert_refused(const char *in, const char *want)
{
    struct buf out = BUF_INIT;
    struct buf err = BUF_INIT;
    int rc = simulate(in, &out, &err);
    if (rc != -1 || strstr(buf_cstr(&err), want) == NULL) {
        print_error("input: %s\n  want error containing: %s\n  got rc %d, error: %s\n", in, want,
                    rc, buf_cstr(&err));
    }
    assert_int_equal(rc, -1);
    assert_non_null(strstr(buf_cstr(&err), want));
    assert_int_equal(out.len, 0);
    buf_free(&out);
    buf_free(&err);
}

// Evaluates in (which must be accepted) and returns the decoded output.
static json_t *decide(const char *in)
{
    struct buf out = BUF_INIT;
    struct buf err = BUF_INIT;
    int rc = simulate(in, &out, &err);
    if (rc != 0) {
        print_error("input: %s\n  refused: %s\n", in, buf_cstr(&err));
    }
    assert_int_equal(rc, 0);
    assert_true(out.len > 0 && out.data[out.len - 1] == '\n');
    json_error_t jerr;
    json_t *v = json_loads(buf_cstr(&out), 0, &jerr);
    assert_non_null(v);
    buf_free(&out);
    buf_free(&err);
    return v;
}

static const char *decision_of(const json_t *v)
{
    return json_string_value(json_object_get(v, "decision"));
}

static void invalid_json(void **state)
{
    (void)state;
    assert_refused("", "invalid JSON");
    assert_refused("{\"action\": ", "invalid JSON at line 1");
    assert_refused("{\"action\":\"s3:GetObject\",\"action\":\"s3:PutObject\",\"principal\":\"" USER
                   "\"}",
                   "invalid JSON");
    assert_refused("42", "invalid JSON");
    assert_refused("[1]", "[0] the input must be a JSON object");
}

static void unknown_fields(void **state)
{
    (void)state;
    assert_refused("{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER "\",\"Action\":\"x\"}",
                   "unknown field \"Action\"");
    assert_refused("{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                   "\",\"identityPolicies\":[{\"name\":\"P\",\"policy\":" ALLOW_SQS
                   ",\"version\":1}]}",
                   "identityPolicies[0]: unknown field \"version\"");
}

static void wrong_types_and_missing_fields(void **state)
{
    (void)state;
    assert_refused("{\"action\":7,\"principal\":\"" USER "\"}", "\"action\" must be a string");
    assert_refused("{\"principal\":\"" USER "\"}", "missing \"action\"");
    assert_refused("{\"action\":\"sqs:SendMessage\"}", "missing \"principal\"");
    assert_refused("{\"action\":\"sqs:SendMessage\",\"principal\":\"bob\"}",
                   "\"principal\": \"bob\" is not");
    assert_refused("{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                   "\",\"identityPolicies\":" ALLOW_SQS "}",
                   "\"identityPolicies\" must be a list");
    assert_refused("{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                   "\",\"identityPolicies\":[42]}",
                   "identityPolicies[0]: a policy must be");
    assert_refused("{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                   "\",\"serviceControlPolicies\":[" ALLOW_SQS "]}",
                   "serviceControlPolicies[0]: an organization level must be a list");
    assert_refused("{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                   "\",\"context\":{\"aws:SourceIp\":{\"ip\":\"10.0.0.1\"}}}",
                   "context \"aws:SourceIp\"");
    assert_refused("{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                   "\",\"context\":{\"aws:TagKeys\":[\"a\",null]}}",
                   "context \"aws:TagKeys\"");
    assert_refused("{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                   "\",\"kmsGrantAllows\":\"yes\"}",
                   "\"kmsGrantAllows\" must be true or false");
    assert_refused("{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                   "\",\"principalIdentityArn\":\"arn:aws:iam::111122223333:role/x\"}",
                   "\"principalIdentityArn\" applies only to role sessions");
    assert_refused("{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                   "\",\"identityPolicies\":[{\"name\":\"P\",\"policy\":" ALLOW_SQS
                   ",\"kind\":\"bucket\"}]}",
                   "identityPolicies[0]: \"kind\" must be the name of a policy kind");
}

static void malformed_policy_names_the_policy(void **state)
{
    (void)state;
    // An unknown element: IAM refuses the document as MalformedPolicyDocument.
    assert_refused("{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                   "\",\"identityPolicies\":[{\"name\":\"Broken\",\"policy\":{\"Version\":"
                   "\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:*\","
                   "\"Resource\":\"*\",\"Bogus\":1}]}}]}",
                   "identityPolicies[0] (Broken): MalformedPolicyDocument: ");
    // The same given as a string holding the document, and without a name.
    assert_refused("{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                   "\",\"sessionPolicy\":\"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Maybe\\\","
                   "\\\"Action\\\":\\\"sqs:*\\\",\\\"Resource\\\":\\\"*\\\"}]}\"}",
                   "sessionPolicy: MalformedPolicyDocument: ");
    // A Principal in an identity-based policy.
    assert_refused("{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                   "\",\"identityPolicies\":[{\"name\":\"P\",\"policy\":{\"Version\":\"2012-10-"
                   "17\",\"Statement\":[{"
                   "\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sqs:*\","
                   "\"Resource\":\"*\"}]}}]}",
                   "identityPolicies[0] (P): MalformedPolicyDocument: ");
    // An array input names the element.
    assert_refused("[{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                   "\"},{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                   "\",\"endpointPolicies\":[\"not json\"]}]",
                   "[1] endpointPolicies[0]: MalformedPolicyDocument: ");
}

static void output_shape(void **state)
{
    (void)state;
    json_t *v = decide("{\"action\":\"sqs:SendMessage\",\"resource\":\"" QUEUE
                       "\",\"principal\":\"" USER "\",\"identityPolicies\":[{\"name\":\"P\","
                       "\"policy\":" ALLOW_SQS "}]}");
    const char *keys[] = {"decision", "blockedBy", "allowedBy", "deniedBy", "message"};
    void *it = json_object_iter(v);
    for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
        assert_non_null(it);
        assert_string_equal(json_object_iter_key(it), keys[i]);
        it = json_object_iter_next(v, it);
    }
    assert_null(it);
    assert_string_equal(decision_of(v), "Allowed");
    assert_int_equal(json_array_size(json_object_get(v, "blockedBy")), 0);
    assert_int_equal(json_array_size(json_object_get(v, "deniedBy")), 0);
    assert_string_equal(json_string_value(json_object_get(v, "message")), "");
    json_t *want = json_pack("{s:s,s:s,s:s}", "type", "identity", "policy", "P", "sid", "Sqs");
    assert_true(json_equal(json_array_get(json_object_get(v, "allowedBy"), 0), want));
    json_decref(want);
    json_decref(v);

    // A Sid-less statement is named by its index; a denial carries a message.
    v = decide("{\"action\":\"sqs:SendMessage\",\"resource\":\"" QUEUE "\",\"principal\":\"" USER
               "\",\"identityPolicies\":[{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
               "\"Allow\",\"Action\":"
               "\"sqs:*\",\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Action\":\"sqs:Send*\","
               "\"Resource\":\"*\"}]}]}");
    assert_string_equal(decision_of(v), "ExplicitlyDenied");
    want = json_pack("{s:s,s:s,s:i}", "type", "identity", "policy", "identityPolicies[0]",
                     "statementIndex", 1);
    assert_true(json_equal(json_array_get(json_object_get(v, "deniedBy"), 0), want));
    json_decref(want);
    assert_string_equal(json_string_value(json_array_get(json_object_get(v, "blockedBy"), 0)),
                        "identity");
    assert_non_null(strstr(json_string_value(json_object_get(v, "message")),
                           "is not authorized to perform: sqs:SendMessage"));
    json_decref(v);
}

static void array_of_requests(void **state)
{
    (void)state;
    json_t *v = decide("[{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                       "\",\"identityPolicies\":[" ALLOW_SQS "]},"
                       "{\"action\":\"s3:GetObject\",\"principal\":\"" USER
                       "\",\"identityPolicies\":[" ALLOW_SQS "]}]");
    assert_true(json_is_array(v));
    assert_int_equal(json_array_size(v), 2);
    assert_string_equal(decision_of(json_array_get(v, 0)), "Allowed");
    assert_string_equal(decision_of(json_array_get(v, 1)), "ImplicitlyDenied");
    json_decref(v);
    v = decide("[]");
    assert_true(json_is_array(v));
    assert_int_equal(json_array_size(v), 0);
    json_decref(v);
}

// Builds a resource-based policy of about size characters that grants sqs/kms to everyone.
static char *big_policy(const char *action, size_t size)
{
    struct buf b = BUF_INIT;
    buf_printf(&b,
               "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
               "\"Principal\":\"*\",\"Action\":\"%s\",\"Resource\":[",
               action);
    for (int i = 0; b.len < size; i++) {
        buf_printf(&b, "%s\"arn:aws:sqs:us-east-1:111122223333:queue-%06d\"", i ? "," : "", i);
    }
    buf_puts(&b, ",\"*\"]}]}");
    char *s = sb_xmalloc(b.len + 1);
    memcpy(s, b.data, b.len + 1);
    buf_free(&b);
    return s;
}

static void kind_follows_place(void **state)
{
    (void)state;
    struct buf in = BUF_INIT;
    struct buf out = BUF_INIT;
    struct buf err = BUF_INIT;

    // 25,000 characters: within the KMS key policy quota (32,768), beyond other resource-based
    // policies (20,480). The action decides which kind the resource policy is.
    char *kms = big_policy("kms:*", 25000);
    buf_printf(&in,
               "{\"action\":\"kms:Decrypt\",\"resource\":\"arn:aws:kms:us-east-1:111122223333:"
               "key/k\",\"principal\":\"" USER "\",\"resourcePolicy\":%s}",
               kms);
    assert_int_equal(policy_json_simulate(in.data, in.len, &out, &err), 0);
    buf_reset(&in);
    buf_printf(&in,
               "{\"action\":\"sqs:SendMessage\",\"resource\":\"" QUEUE "\",\"principal\":\"" USER
               "\",\"resourcePolicy\":%s}",
               kms);
    buf_reset(&out);
    assert_int_equal(policy_json_simulate(in.data, in.len, &out, &err), -1);
    assert_non_null(strstr(buf_cstr(&err), "resourcePolicy: LimitExceeded: "));
    free(kms);

    // A trust policy has no Resource element; it is parsed as one for sts:AssumeRole.
    buf_reset(&in);
    buf_reset(&out);
    buf_reset(&err);
    buf_puts(&in, "{\"action\":\"sts:AssumeRole\",\"resource\":\"arn:aws:iam::111122223333:role/"
                  "r\",\"principal\":\"" USER "\",\"resourcePolicy\":{\"Version\":\"2012-10-17\","
                  "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" USER "\"},"
                  "\"Action\":\"sts:AssumeRole\"}]}}");
    assert_int_equal(policy_json_simulate(in.data, in.len, &out, &err), 0);
    assert_non_null(strstr(buf_cstr(&out), "\"Allowed\""));

    // An entry's "kind" overrides the place: an inline role policy may hold 10,240 characters,
    // a managed policy 6,144.
    buf_reset(&in);
    buf_reset(&out);
    buf_reset(&err);
    struct buf doc = BUF_INIT;
    buf_puts(&doc, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                   "\"sqs:*\",\"Resource\":[");
    for (int i = 0; doc.len < 8000; i++) {
        buf_printf(&doc, "%s\"arn:aws:sqs:us-east-1:111122223333:queue-%06d\"", i ? "," : "", i);
    }
    buf_puts(&doc, "]}]}");
    buf_printf(&in,
               "{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
               "\",\"identityPolicies\":[{\"name\":\"Big\",\"policy\":%s}]}",
               doc.data);
    assert_int_equal(policy_json_simulate(in.data, in.len, &out, &err), -1);
    assert_non_null(strstr(buf_cstr(&err), "identityPolicies[0] (Big): LimitExceeded: "));
    buf_reset(&in);
    buf_reset(&err);
    buf_printf(&in,
               "{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
               "\",\"identityPolicies\":[{\"name\":\"Big\",\"kind\":\"inline-role\","
               "\"policy\":%s}]}",
               doc.data);
    assert_int_equal(policy_json_simulate(in.data, in.len, &out, &err), 0);

    buf_free(&doc);
    buf_free(&in);
    buf_free(&out);
    buf_free(&err);
}

static void context_values(void **state)
{
    (void)state;
    // A boolean and a number become the condition key's text; a list makes the key multivalued.
    json_t *v = decide("{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER
                       "\",\"context\":{\"aws:MultiFactorAuthPresent\":true,"
                       "\"aws:MultiFactorAuthAge\":300,\"aws:TagKeys\":[\"team\",\"cost\"]},"
                       "\"identityPolicies\":[{\"Version\":\"2012-10-17\",\"Statement\":[{"
                       "\"Effect\":\"Allow\",\"Action\":\"sqs:*\",\"Resource\":\"*\","
                       "\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"},"
                       "\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"3600\"},"
                       "\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"team\",\"cost\","
                       "\"owner\"]}}}]}]}");
    assert_string_equal(decision_of(v), "Allowed");
    json_decref(v);

    // Keys derived from the principal apply unless the input sets them.
#define ARN_PRE "{\"action\":\"sqs:SendMessage\",\"principal\":\"" USER "\","
#define ARN_POST                                                                                   \
    "\"identityPolicies\":[{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","      \
    "\"Action\":\"sqs:*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{"                    \
    "\"aws:PrincipalArn\":\"" USER "\"}}}]}]}"
    v = decide(ARN_PRE ARN_POST);
    assert_string_equal(decision_of(v), "Allowed");
    json_decref(v);
    v = decide(
        ARN_PRE
        "\"context\":{\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:user/other\"}," ARN_POST);
    assert_string_equal(decision_of(v), "ImplicitlyDenied");
    json_decref(v);
}

static void principal_identity_arn(void **state)
{
    (void)state;
    // A role with a path: the session ARN does not show it, the input can.
#define SESS_PRE                                                                                   \
    "{\"action\":\"sqs:SendMessage\",\"principal\":\"arn:aws:sts::111122223333:assumed-role/app/"  \
    "s1\","
#define SESS_POST                                                                                  \
    "\"resourcePolicy\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","         \
    "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/team/app\"},\"Action\":\"sqs:*\","    \
    "\"Resource\":\"*\"}]}}"
    json_t *v = decide(SESS_PRE SESS_POST);
    assert_string_equal(decision_of(v), "ImplicitlyDenied");
    json_decref(v);
    v = decide(SESS_PRE
               "\"principalIdentityArn\":\"arn:aws:iam::111122223333:role/team/app\"," SESS_POST);
    assert_string_equal(decision_of(v), "Allowed");
    json_decref(v);
}

static void kind_names(void **state)
{
    (void)state;
    enum policy_kind k = POLICY_KIND_IDENTITY;
    assert_int_equal(policy_json_kind_from_name("trust", &k), 0);
    assert_int_equal(k, POLICY_KIND_TRUST);
    assert_int_equal(policy_json_kind_from_name("KEY", &k), 0);
    assert_int_equal(k, POLICY_KIND_KEY);
    assert_int_equal(policy_json_kind_from_name("inline-role", &k), 0);
    assert_int_equal(k, POLICY_KIND_INLINE_ROLE);
    assert_int_equal(policy_json_kind_from_name("bucket", &k), -1);
    assert_int_equal(k, POLICY_KIND_INLINE_ROLE);
    for (int i = 0; i < POLICY_KIND_COUNT; i++) {
        assert_int_equal(policy_json_kind_from_name(policy_kind_name((enum policy_kind)i), &k), 0);
        assert_int_equal(k, i);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invalid_json),
        cmocka_unit_test(unknown_fields),
        cmocka_unit_test(wrong_types_and_missing_fields),
        cmocka_unit_test(malformed_policy_names_the_policy),
        cmocka_unit_test(output_shape),
        cmocka_unit_test(array_of_requests),
        cmocka_unit_test(kind_follows_place),
        cmocka_unit_test(context_values),
        cmocka_unit_test(principal_identity_arn),
        cmocka_unit_test(kind_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
