// SPDX-License-Identifier: Apache-2.0
// Tests of request routing, decoding and validation (src/proto/proto.c, query.c, json11.c,
// shape.c). The decoding cases are tests/unit/data/proto/requests.json: bodies serialized by
// Debian's botocore itself (gen_vectors.py) for IAM, STS, CloudFormation, EC2, KMS, Logs, SSM
// and SageMaker operations, each with the typed tree it must decode to. The validation cases
// check AWS's message format (quoted in shape.c) against the constraints of the models.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "proto/proto.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

// Routes and decodes one request; returns the tree or NULL with *err filled.
static json_t *decode(const char *scope, const char *target, const char *body, struct awserr *err,
                      const char **opname)
{
    struct proto_request rq = {.method = "POST",
                               .target = target,
                               .scope_service = scope,
                               .body = body,
                               .body_len = strlen(body)};
    const struct proto_service *svc = NULL;
    const struct proto_op *op = NULL;
    memset(err, 0, sizeof(*err));
    if (proto_route(&rq, &svc, &op, err) != 0) {
        return NULL;
    }
    if (opname != NULL) {
        *opname = proto_op_name(op);
    }
    json_t *out = NULL;
    if (proto_decode(op, body, strlen(body), NULL, &out, err) != 0) {
        assert_null(out);
        return NULL;
    }
    return out;
}

static void expect_error(const char *scope, const char *target, const char *body, int status,
                         const char *code, const char *message)
{
    struct awserr err;
    json_t *t = decode(scope, target, body, &err, NULL);
    if (t != NULL) {
        char *s = json_dumps(t, JSON_COMPACT);
        fail_msg("decoded %s, wanted %s", s, code);
    }
    assert_int_equal(err.status, status);
    assert_string_equal(err.code, code);
    if (message != NULL) {
        assert_string_equal(err.message, message);
    }
}

static void test_botocore_vectors(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *doc = json_load_file(SAGEBOX_TEST_DATA "/proto/requests.json", 0, &jerr);
    if (doc == NULL) {
        fail_msg("requests.json: %s", jerr.text);
    }
    size_t i;
    json_t *c;
    size_t n = 0;
    json_array_foreach(json_object_get(doc, "cases"), i, c)
    {
        const char *scope = json_string_value(json_object_get(c, "signing_name"));
        const char *opname = json_string_value(json_object_get(c, "operation"));
        json_t *headers = json_object_get(c, "headers");
        const char *target = json_string_value(json_object_get(headers, "X-Amz-Target"));
        const char *body = json_string_value(json_object_get(c, "body"));
        struct awserr err;
        const char *routed = NULL;
        json_t *tree = decode(scope, target, body, &err, &routed);
        if (tree == NULL) {
            fail_msg("%s %s: %s: %s", scope, opname, err.code, err.message);
        }
        assert_string_equal(routed, opname);
        json_t *want = json_object_get(c, "tree");
        if (!json_equal(tree, want)) {
            char *got = json_dumps(tree, JSON_COMPACT | JSON_SORT_KEYS);
            char *exp = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
            fail_msg("%s %s:\n got  %s\n want %s", scope, opname, got, exp);
        }
        json_decref(tree);
        n++;
    }
    assert_true(n >= 25);
    json_decref(doc);
}

// Unknown members are ignored, the last of repeated names wins, list indices may have gaps and
// come in any order.
static void test_query_leniency(void **state)
{
    (void)state;
    struct awserr err;
    json_t *t = decode("iam", NULL,
                       "Action=CreateUser&Version=2010-05-08&UserName=x&UserName=ana&Bogus=1&"
                       "Tags.member.3.Key=c&Tags.member.3.Value=3&Tags.member.1.Key=a&"
                       "Tags.member.1.Value=1&NewMember.member.1=z",
                       &err, NULL);
    assert_non_null(t);
    json_t *want = json_pack("{s:s, s:[{s:s,s:s},{s:s,s:s}]}", "UserName", "ana", "Tags", "Key",
                             "a", "Value", "1", "Key", "c", "Value", "3");
    assert_true(json_equal(t, want));
    json_decref(want);
    json_decref(t);
}

static void test_routing(void **state)
{
    (void)state;
    const struct proto_service *svc;
    const struct proto_op *op;
    struct awserr err;
    // Unsigned STS requests (AssumeRoleWithWebIdentity) are told apart by their Version.
    const char *web = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=a";
    struct proto_request rq = {.method = "POST", .body = web, .body_len = strlen(web)};
    assert_int_equal(proto_route(&rq, &svc, &op, &err), 0);
    assert_string_equal(proto_service_name(svc), "sts");
    assert_string_equal(proto_op_name(op), "AssumeRoleWithWebIdentity");
    // A Query GET carries its parameters in the query string.
    struct proto_request get = {.method = "GET",
                                .query = "Action=GetCallerIdentity&Version=2011-06-15",
                                .scope_service = "sts"};
    assert_int_equal(proto_route(&get, &svc, &op, &err), 0);
    assert_string_equal(proto_op_name(op), "GetCallerIdentity");
    // JSON by target prefix.
    struct proto_request js = {.method = "POST",
                               .target = "SageMaker.ListTrainingJobs",
                               .scope_service = "sagemaker",
                               .body = "{}",
                               .body_len = 2};
    assert_int_equal(proto_route(&js, &svc, &op, &err), 0);
    assert_int_equal(proto_service_protocol(svc), PROTO_JSON);
    assert_ptr_equal(proto_op_service(op), svc);
    assert_string_equal(proto_service_signing_name(proto_service_find("sagemaker")), "sagemaker");
    assert_string_equal(proto_service_api_version(proto_service_find("kms")), "2014-11-01");
    assert_null(proto_service_find("s3"));
    assert_non_null(proto_op_find(proto_service_find("ec2"), "RunInstances"));
    assert_null(proto_op_find(proto_service_find("ec2"), "runinstances"));

    expect_error("iam", NULL, "Version=2010-05-08", 400, "MissingAction", "Missing Action");
    expect_error("iam", NULL, "Action=Frobnicate&Version=2010-05-08", 400, "InvalidAction",
                 "The action Frobnicate is not valid for this web service.");
    // The credential scope decides between Query services: CreateUser is not an STS action.
    expect_error("sts", NULL, "Action=CreateUser&Version=2010-05-08", 400, "InvalidAction",
                 "The action CreateUser is not valid for this web service.");
    expect_error("kms", "TrentService.Frobnicate", "{}", 400, "UnknownOperationException", "");
    expect_error("kms", "Nope.ListKeys", "{}", 400, "UnknownOperationException", "");
    rq = (struct proto_request){.target = "Nope.ListKeys", .scope_service = "kms"};
    assert_int_equal(proto_route(&rq, &svc, &op, &err), -1);
    assert_ptr_equal(svc, proto_service_find("kms")); // the error renders as JSON
    assert_null(op);
}

// The constraint messages, in AWS's words, for each kind of constraint.
static void test_validation_query(void **state)
{
    (void)state;
    expect_error("iam", NULL, "Action=CreateUser&Version=2010-05-08&UserName=ana+smith", 400,
                 "ValidationError",
                 "1 validation error detected: Value 'ana smith' at 'userName' failed to satisfy "
                 "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    expect_error("iam", NULL, "Action=CreateUser&Version=2010-05-08&UserName=", 400,
                 "ValidationError",
                 "2 validation errors detected: Value '' at 'userName' failed to satisfy "
                 "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; "
                 "Value '' at 'userName' failed to satisfy constraint: Member must have length "
                 "greater than or equal to 1");
    expect_error("iam", NULL, "Action=CreateUser&Version=2010-05-08", 400, "ValidationError",
                 "1 validation error detected: Value null at 'userName' failed to satisfy "
                 "constraint: Member must not be null");
    expect_error("iam", NULL,
                 "Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=%7B%7D"
                 "&MaxSessionDuration=100",
                 400, "ValidationError",
                 "1 validation error detected: Value '100' at 'maxSessionDuration' failed to "
                 "satisfy constraint: Member must have value greater than or equal to 3600");
    expect_error("iam", NULL,
                 "Action=UpdateAccessKey&Version=2010-05-08&AccessKeyId=AKIAIOSFODNN7EXAMPLE"
                 "&Status=Enabled",
                 400, "ValidationError",
                 "1 validation error detected: Value 'Enabled' at 'status' failed to satisfy "
                 "constraint: Member must satisfy enum value set: [Active, Inactive]");
    // A path through a list: <list>.<n>.member.<member>.
    char body[1024];
    char key[130];
    memset(key, 'k', 129);
    key[129] = '\0';
    snprintf(body, sizeof(body),
             "Action=CreateUser&Version=2010-05-08&UserName=ana&Tags.member.1.Key=ok&"
             "Tags.member.1.Value=v&Tags.member.2.Key=%s&Tags.member.2.Value=v",
             key);
    char want[1024];
    snprintf(want, sizeof(want),
             "1 validation error detected: Value '%s' at 'tags.2.member.key' failed to satisfy "
             "constraint: Member must have length less than or equal to 128",
             key);
    expect_error("iam", NULL, body, 400, "ValidationError", want);
    // Several members, counted.
    expect_error("sts", NULL,
                 "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"
                 "&RoleSessionName=a&DurationSeconds=60",
                 400, "ValidationError",
                 "2 validation errors detected: Value 'a' at 'roleSessionName' failed to satisfy "
                 "constraint: Member must have length greater than or equal to 2; Value '60' at "
                 "'durationSeconds' failed to satisfy constraint: Member must have value greater "
                 "than or equal to 900");
    // A list of strings beyond its size, quoted as Java's List.toString.
    struct buf b = BUF_INIT;
    struct buf shown = BUF_INIT;
    buf_puts(&b, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"
                 "&RoleSessionName=ab");
    buf_putc(&shown, '[');
    for (int i = 1; i <= 51; i++) {
        buf_printf(&b, "&TransitiveTagKeys.member.%d=k%d", i, i);
        buf_printf(&shown, "%sk%d", i > 1 ? ", " : "", i);
    }
    buf_putc(&shown, ']');
    snprintf(want, sizeof(want),
             "1 validation error detected: Value '%s' at 'transitiveTagKeys' failed to satisfy "
             "constraint: Member must have length less than or equal to 50",
             buf_cstr(&shown));
    expect_error("sts", NULL, buf_cstr(&b), 400, "ValidationError", want);
    buf_free(&b);
    buf_free(&shown);
}

static void test_validation_json(void **state)
{
    (void)state;
    expect_error("kms", "TrentService.ScheduleKeyDeletion",
                 "{\"KeyId\":\"k\",\"PendingWindowInDays\":400}", 400, "ValidationException",
                 "1 validation error detected: Value '400' at 'pendingWindowInDays' failed to "
                 "satisfy constraint: Member must have value less than or equal to 365");
    // Sensitive members are not quoted.
    expect_error("kms", "TrentService.Encrypt", "{\"KeyId\":\"k\",\"Plaintext\":\"\"}", 400,
                 "ValidationException",
                 "1 validation error detected: Value at 'plaintext' failed to satisfy "
                 "constraint: Member must have length greater than or equal to 1");
    expect_error("sagemaker", "SageMaker.DescribeTrainingJob", "{\"TrainingJobName\":\"bad_name\"}",
                 400, "ValidationException",
                 "1 validation error detected: Value 'bad_name' at 'trainingJobName' failed to "
                 "satisfy constraint: Member must satisfy regular expression pattern: "
                 "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
    // CloudWatch Logs names the same failures InvalidParameterException
    // (fluent-plugins-nursery/fluent-plugin-cloudwatch-logs#223).
    expect_error("logs", "Logs_20140328.CreateLogGroup", "{}", 400, "InvalidParameterException",
                 "1 validation error detected: Value null at 'logGroupName' failed to satisfy "
                 "constraint: Member must not be null");
}

static void test_validation_ec2(void **state)
{
    (void)state;
    expect_error("ec2", NULL, "Action=RunInstances&Version=2016-11-15&MaxCount=1", 400,
                 "MissingParameter", "The request must contain the parameter MinCount");
    expect_error("ec2", NULL, "Action=RunInstances&Version=2016-11-15&MaxCount=1&MinCount=x", 400,
                 "InvalidParameterValue", "Value (x) for parameter MinCount is invalid.");
}

// Values of the wrong type: Query's MalformedInput, JSON's SerializationException.
static void test_type_errors(void **state)
{
    (void)state;
    expect_error("iam", NULL, "Action=ListUsers&Version=2010-05-08&MaxItems=ten", 400,
                 "MalformedInput", "int must follow xsd1.1 definition");
    expect_error("iam", NULL, "Action=ListUsers&Version=2010-05-08&MaxItems=99999999999", 400,
                 "MalformedInput", "int must follow xsd1.1 definition");
    expect_error("iam", NULL,
                 "Action=CreatePolicyVersion&Version=2010-05-08&PolicyArn=arn%3Aaws%3Aiam%3A%3A1"
                 "%3Apolicy%2Fp&PolicyDocument=x&SetAsDefault=TRUE",
                 400, "MalformedInput", "boolean must follow xsd1.1 definition");
    expect_error("iam", NULL, "Action=CreateUser&Version=2010-05-08&UserName=%FF", 400,
                 "MalformedInput", NULL);
    expect_error("kms", "TrentService.ScheduleKeyDeletion",
                 "{\"KeyId\":\"k\",\"PendingWindowInDays\":\"7\"}", 400, "SerializationException",
                 "STRING_VALUE can not be converted to an Integer");
    expect_error("kms", "TrentService.Encrypt", "{\"KeyId\":\"k\",\"GrantTokens\":{}}", 400,
                 "SerializationException", "Start of structure or map found where not expected.");
    expect_error("kms", "TrentService.Encrypt", "{\"KeyId\":[]}", 400, "SerializationException",
                 "Start of list found where not expected");
    expect_error("kms", "TrentService.Encrypt", "{\"KeyId\":\"k\",\"Plaintext\":\"abc\"}", 400,
                 "SerializationException", NULL);
    expect_error("kms", "TrentService.ListKeys", "{\"Limit\":", 400, "SerializationException",
                 NULL);
    expect_error("kms", "TrentService.ListKeys", "[1]", 400, "SerializationException", NULL);
    // An empty JSON body is an empty input; JSON null is an absent member.
    struct awserr err;
    json_t *t = decode("kms", "TrentService.ListKeys", "", &err, NULL);
    assert_non_null(t);
    assert_int_equal(json_object_size(t), 0);
    json_decref(t);
    t = decode("kms", "TrentService.ListKeys", "{\"Limit\":null,\"Marker\":\"m\",\"New\":1}", &err,
               NULL);
    assert_non_null(t);
    assert_int_equal(json_object_size(t), 1);
    json_decref(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_botocore_vectors), cmocka_unit_test(test_query_leniency),
        cmocka_unit_test(test_routing),          cmocka_unit_test(test_validation_query),
        cmocka_unit_test(test_validation_json),  cmocka_unit_test(test_validation_ec2),
        cmocka_unit_test(test_type_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
