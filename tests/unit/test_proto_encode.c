// SPDX-License-Identifier: Apache-2.0
// Tests of response and error encoding (src/proto/proto.c, query.c, json11.c, xmlw.c) and of the
// value helpers of shape.c.
//
// The cmocka tests check exact documents for a few operations, written after the response
// shapes of the AWS API references (IAM, STS, EC2, KMS), and the writers' escaping. The full
// round trip through the real client is tests/integ/test_proto_roundtrip.py: it runs this binary
// as `test_proto_encode --emit tests/unit/data/proto/responses.json`, which prints one JSON line
// per case (status, content type, body) for botocore's own parsers to read back.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "proto/json11.h"
#include "proto/proto.h"
#include "proto/shape.h"
#include "proto/xmlw.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct proto_op *op_of(const char *service, const char *name)
{
    const struct proto_service *svc = proto_service_find(service);
    assert_non_null(svc);
    const struct proto_op *op = proto_op_find(svc, name);
    assert_non_null(op);
    return op;
}

// Encodes out (JSON text, or NULL) for service:operation and compares with want.
static void expect_response(const char *service, const char *name, const char *out_json,
                            const char *want, const char *want_type)
{
    json_t *out = NULL;
    if (out_json != NULL) {
        json_error_t jerr;
        out = json_loads(out_json, 0, &jerr);
        assert_non_null(out);
    }
    struct buf body = BUF_INIT;
    const char *ct = NULL;
    assert_int_equal(proto_encode_response(op_of(service, name), out, "rid-1", &body, &ct), 0);
    assert_string_equal(buf_cstr(&body), want);
    assert_string_equal(ct, want_type);
    buf_free(&body);
    json_decref(out);
}

// STS API reference, GetCallerIdentity "Example": the document's shape, in model member order.
static void test_query_response(void **state)
{
    (void)state;
    expect_response(
        "sts", "GetCallerIdentity",
        "{\"Arn\":\"arn:aws:iam::123456789012:user/Alice\",\"UserId\":\"AIDAX\","
        "\"Account\":\"123456789012\",\"Unknown\":1}",
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
        "<GetCallerIdentityResult><UserId>AIDAX</UserId><Account>123456789012</Account>"
        "<Arn>arn:aws:iam::123456789012:user/Alice</Arn></GetCallerIdentityResult>"
        "<ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>"
        "</GetCallerIdentityResponse>",
        "text/xml");
    // An operation without output: only the metadata (IAM API reference, DeleteUser example).
    expect_response("iam", "DeleteUser", NULL,
                    "<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
                    "<ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>"
                    "</DeleteUserResponse>",
                    "text/xml");
    // Lists as <member>, maps as <entry><key/><value/></entry>, timestamps in ISO 8601 with
    // milliseconds, booleans in lower case.
    expect_response("iam", "ListUsers",
                    "{\"Users\":[{\"Path\":\"/\",\"UserName\":\"a\",\"UserId\":\"AIDAA\","
                    "\"Arn\":\"arn:a\",\"CreateDate\":1700000000.5}],\"IsTruncated\":false}",
                    "<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
                    "<ListUsersResult><Users><member><Path>/</Path><UserName>a</UserName>"
                    "<UserId>AIDAA</UserId><Arn>arn:a</Arn>"
                    "<CreateDate>2023-11-14T22:13:20.500Z</CreateDate></member></Users>"
                    "<IsTruncated>false</IsTruncated></ListUsersResult>"
                    "<ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>"
                    "</ListUsersResponse>",
                    "text/xml");
    expect_response(
        "iam", "GetAccountSummary", "{\"SummaryMap\":{\"Users\":3}}",
        "<GetAccountSummaryResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
        "<GetAccountSummaryResult><SummaryMap><entry><key>Users</key><value>3</value>"
        "</entry></SummaryMap></GetAccountSummaryResult>"
        "<ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>"
        "</GetAccountSummaryResponse>",
        "text/xml");
}

// EC2 API reference, CreateVpc / DeleteVpc examples: requestId first, locationNames, no result
// wrapper, <item> lists; <return>true</return> for an action without output.
static void test_ec2_response(void **state)
{
    (void)state;
    expect_response("ec2", "CreateVpc",
                    "{\"Vpc\":{\"CidrBlock\":\"10.0.0.0/16\",\"State\":\"pending\","
                    "\"VpcId\":\"vpc-1\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}],"
                    "\"IsDefault\":false}}",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<CreateVpcResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                    "<requestId>rid-1</requestId><vpc><cidrBlock>10.0.0.0/16</cidrBlock>"
                    "<state>pending</state><vpcId>vpc-1</vpcId><isDefault>false</isDefault>"
                    "<tagSet><item><key>k</key><value>v</value></item></tagSet></vpc>"
                    "</CreateVpcResponse>",
                    "text/xml;charset=UTF-8");
    expect_response("ec2", "DeleteVpc", NULL,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<DeleteVpcResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                    "<requestId>rid-1</requestId><return>true</return></DeleteVpcResponse>",
                    "text/xml;charset=UTF-8");
}

// KMS API reference, Encrypt / DescribeKey response syntax: member names as keys, blobs as base64
// text, timestamps as epoch seconds.
static void test_json_response(void **state)
{
    (void)state;
    expect_response("kms", "Encrypt",
                    "{\"KeyId\":\"k\",\"CiphertextBlob\":\"AQID\",\"EncryptionAlgorithm\":"
                    "\"SYMMETRIC_DEFAULT\"}",
                    "{\"CiphertextBlob\":\"AQID\",\"KeyId\":\"k\",\"EncryptionAlgorithm\":"
                    "\"SYMMETRIC_DEFAULT\"}",
                    "application/x-amz-json-1.1");
    expect_response("kms", "DescribeKey",
                    "{\"KeyMetadata\":{\"KeyId\":\"k\",\"CreationDate\":1714566615.123,"
                    "\"Enabled\":true,\"EncryptionAlgorithms\":[\"SYMMETRIC_DEFAULT\"]}}",
                    "{\"KeyMetadata\":{\"KeyId\":\"k\",\"CreationDate\":1714566615.123,"
                    "\"Enabled\":true,\"EncryptionAlgorithms\":[\"SYMMETRIC_DEFAULT\"]}}",
                    "application/x-amz-json-1.1");
    expect_response("logs", "CreateLogGroup", NULL, "{}", "application/x-amz-json-1.1");
}

// A handler's tree of the wrong type is refused, not half-rendered as if fine.
static void test_bad_output(void **state)
{
    (void)state;
    const char *bad[][3] = {
        {"sts", "GetCallerIdentity", "{\"Account\":12}"},
        {"iam", "ListUsers", "{\"Users\":{}}"},
        {"iam", "ListUsers", "{\"IsTruncated\":\"yes\"}"},
        {"kms", "DescribeKey", "{\"KeyMetadata\":{\"CreationDate\":\"yesterday\"}}"},
        {"kms", "ListKeys", "{\"Keys\":[1]}"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *out = json_loads(bad[i][2], 0, NULL);
        struct buf body = BUF_INIT;
        const char *ct;
        assert_int_equal(proto_encode_response(op_of(bad[i][0], bad[i][1]), out, "r", &body, &ct),
                         -1);
        buf_free(&body);
        json_decref(out);
    }
}

static void expect_error_body(const char *service, int status, const char *code,
                              const char *message, const char *want, const char *want_type)
{
    struct awserr e;
    awserr_set(&e, status, code, "%s", message);
    struct buf body = BUF_INIT;
    const char *ct = NULL;
    const struct proto_service *svc = service != NULL ? proto_service_find(service) : NULL;
    assert_int_equal(proto_encode_error(svc, &e, "rid-1", &body, &ct), 0);
    assert_string_equal(buf_cstr(&body), want);
    assert_string_equal(ct, want_type);
    buf_free(&body);
}

// The error shapes of AWS's "Common error" and protocol documentation.
static void test_errors(void **state)
{
    (void)state;
    expect_error_body("iam", 404, "NoSuchEntity", "The user with name a cannot be found.",
                      "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
                      "<Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name a "
                      "cannot be found.</Message></Error><RequestId>rid-1</RequestId>"
                      "</ErrorResponse>",
                      "text/xml");
    expect_error_body("sts", 500, "InternalFailure", "a<b",
                      "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
                      "<Type>Receiver</Type><Code>InternalFailure</Code><Message>a&lt;b</Message>"
                      "</Error><RequestId>rid-1</RequestId></ErrorResponse>",
                      "text/xml");
    expect_error_body("ec2", 400, "InvalidVpcID.NotFound", "The vpc ID 'vpc-1' does not exist",
                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
                      "<Code>InvalidVpcID.NotFound</Code><Message>The vpc ID 'vpc-1' does not "
                      "exist</Message></Error></Errors><RequestID>rid-1</RequestID></Response>",
                      "text/xml;charset=UTF-8");
    // JSON: the message key as the service's model spells it for that error.
    expect_error_body("kms", 400, "NotFoundException", "Key 'k' does not exist",
                      "{\"__type\":\"NotFoundException\",\"message\":\"Key 'k' does not exist\"}",
                      "application/x-amz-json-1.1");
    expect_error_body("sagemaker", 400, "ResourceNotFound", "gone",
                      "{\"__type\":\"ResourceNotFound\",\"Message\":\"gone\"}",
                      "application/x-amz-json-1.1");
    expect_error_body("sagemaker", 400, "ValidationException", "bad \"x\"\n",
                      "{\"__type\":\"ValidationException\",\"message\":\"bad \\\"x\\\"\\n\"}",
                      "application/x-amz-json-1.1");
    expect_error_body("kms", 400, "UnknownOperationException", "",
                      "{\"__type\":\"UnknownOperationException\"}", "application/x-amz-json-1.1");
    expect_error_body(NULL, 403, "InvalidClientTokenId", "bad",
                      "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>"
                      "<Message>bad</Message></Error><RequestId>rid-1</RequestId></ErrorResponse>",
                      "text/xml");
    // Bytes that are not UTF-8 never reach a document.
    expect_error_body("kms", 400, "SerializationException", "x\xff\xc3",
                      "{\"__type\":\"SerializationException\",\"message\":\"x??\"}",
                      "application/x-amz-json-1.1");
    // Statuses from the models' error traits (IAM API reference: NoSuchEntity 404,
    // EntityAlreadyExists 409); JSON services' errors default to 400.
    assert_int_equal(proto_error_status(proto_service_find("iam"), "NoSuchEntity"), 404);
    assert_int_equal(proto_error_status(proto_service_find("iam"), "EntityAlreadyExists"), 409);
    assert_int_equal(proto_error_status(proto_service_find("sts"), "MalformedPolicyDocument"), 400);
    assert_int_equal(proto_error_status(proto_service_find("kms"), "KMSInternalException"), 500);
    assert_int_equal(proto_error_status(proto_service_find("kms"), "NotFoundException"), 400);
    assert_int_equal(proto_error_status(proto_service_find("iam"), "Nope"), 0);
    assert_string_equal(proto_request_id_header(proto_service_find("iam")), "x-amzn-RequestId");
    assert_string_equal(proto_request_id_header(NULL), "x-amzn-RequestId");
}

// XML 1.0 escaping: markup characters, CR kept as a reference, forbidden characters replaced.
static void test_xml_escape(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    xmlw_escape(&b, "a&b<c>d\"e'\r\n\t\x01\xef\xbf\xbf\xff\xc3\xa9", 20, false);
    assert_string_equal(buf_cstr(&b), "a&amp;b&lt;c&gt;d\"e'&#xD;\n\t\xef\xbf\xbd\xef\xbf\xbd"
                                      "\xef\xbf\xbd\xc3\xa9");
    buf_reset(&b);
    xmlw_escape(&b, "\"\t\n", 3, true);
    assert_string_equal(buf_cstr(&b), "&quot;&#x9;&#xA;");
    buf_reset(&b);
    struct xmlw w;
    xmlw_init(&w, &b);
    for (int i = 0; i < XMLW_MAX_DEPTH + 1; i++) {
        xmlw_open(&w, "a", NULL);
    }
    assert_true(w.overflow);
    xmlw_finish(&w);
    xmlw_close(&w);
    buf_free(&b);
    json11_put_string(&b, "\x7f\x1f\\/", 4);
    assert_string_equal(buf_cstr(&b), "\"\\u007f\\u001f\\\\/\"");
    buf_free(&b);
}

// The escaping of json11_put_string, which skips eight bytes at a time, byte by byte as the
// reference: every byte value at every position of a 21-byte string (so at each place of the
// 8-byte words), besides bytes that need no escaping.
static void reference_escape(struct buf *b, const unsigned char *s, size_t len)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        const char *named = c == '"'    ? "\\\""
                            : c == '\\' ? "\\\\"
                            : c == '\n' ? "\\n"
                            : c == '\r' ? "\\r"
                            : c == '\t' ? "\\t"
                            : c == '\b' ? "\\b"
                            : c == '\f' ? "\\f"
                                        : NULL;
        if (named != NULL) {
            buf_puts(b, named);
        } else if (c < 0x20 || c == 0x7F) {
            buf_printf(b, "\\u%04x", c);
        } else {
            buf_putc(b, (char)c);
        }
    }
    buf_putc(b, '"');
}

static void test_json_string_escapes(void **state)
{
    (void)state;
    struct buf got = BUF_INIT;
    struct buf want = BUF_INIT;
    unsigned char s[21];
    for (unsigned v = 0; v < 256; v++) {
        for (size_t pos = 0; pos < sizeof(s); pos++) {
            memset(s, 'a', sizeof(s));
            s[pos] = (unsigned char)v;
            s[(pos + 9) % sizeof(s)] = 0xC3; // a UTF-8 lead byte elsewhere, copied as it is
            buf_reset(&got);
            buf_reset(&want);
            json11_put_string(&got, (const char *)s, sizeof(s));
            reference_escape(&want, s, sizeof(s));
            assert_int_equal(got.len, want.len);
            assert_memory_equal(got.data, want.data, got.len);
        }
    }
    buf_free(&got);
    buf_free(&want);
}

// Value helpers: base64 (RFC 4648 test vectors, section 10), UTF-16 lengths, time and numbers.
static void test_helpers(void **state)
{
    (void)state;
    const char *vec[][2] = {{"", ""},
                            {"Zg==", "f"},
                            {"Zm8=", "fo"},
                            {"Zm9v", "foo"},
                            {"Zm9vYg==", "foob"},
                            {"Zm9vYmE=", "fooba"},
                            {"Zm9vYmFy", "foobar"}};
    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        size_t n = 99;
        assert_true(shape_base64_check(vec[i][0], strlen(vec[i][0]), &n));
        assert_int_equal(n, strlen(vec[i][1]));
    }
    const char *bad[] = {"Zg=", "Zh==", "Zm9=", "Z===", "Zg==Zg==", "Zm9v\n", "Zm-v", "Zm9v===="};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t n;
        assert_false(shape_base64_check(bad[i], strlen(bad[i]), &n));
    }
    // A byte that is not a base64 digit anywhere in a long text is refused.
    char text[65];
    memset(text, 'A', 64);
    text[64] = '\0';
    size_t n64;
    assert_true(shape_base64_check(text, 64, &n64));
    assert_int_equal(n64, 48);
    for (unsigned v = 0; v < 256; v++) {
        bool digit = (v >= 'A' && v <= 'Z') || (v >= 'a' && v <= 'z') || (v >= '0' && v <= '9') ||
                     v == '+' || v == '/';
        for (size_t pos = 0; pos < 60; pos += 7) {
            memset(text, 'A', 64);
            text[pos] = (char)v;
            assert_true(shape_base64_check(text, 64, &n64) == digit);
        }
    }
    assert_int_equal(shape_utf16_length("a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80", 10), 5);
    assert_true(shape_utf8_valid("\xf4\x8f\xbf\xbf", 4));
    assert_false(shape_utf8_valid("\xed\xa0\x80", 3));     // a surrogate
    assert_false(shape_utf8_valid("\xc0\xaf", 2));         // overlong
    assert_false(shape_utf8_valid("\xf4\x90\x80\x80", 4)); // beyond U+10FFFF
    char t[40];
    shape_format_iso8601(0, t, sizeof(t));
    assert_string_equal(t, "1970-01-01T00:00:00.000Z");
    shape_format_iso8601(-1, t, sizeof(t));
    assert_string_equal(t, "1969-12-31T23:59:59.999Z");
    shape_format_epoch(1714566615000, t, sizeof(t));
    assert_string_equal(t, "1714566615");
    shape_format_epoch(1714566615120, t, sizeof(t));
    assert_string_equal(t, "1714566615.12");
    shape_format_epoch(-1500, t, sizeof(t));
    assert_string_equal(t, "-1.5");
    shape_format_double(0.1, t, sizeof(t));
    assert_string_equal(t, "0.1");
    shape_format_double(1e100, t, sizeof(t));
    assert_string_equal(t, "1e+100");
    shape_format_double(1.0 / 3.0, t, sizeof(t));
    assert_string_equal(t, "0.3333333333333333");
    json_t *s = json_string("2024-05-01T12:30:15.5+02:00");
    int64_t ms;
    assert_int_equal(shape_timestamp_ms(s, &ms), 0);
    assert_int_equal(ms, 1714559415500);
    json_decref(s);
    assert_true(shape_double_is_whole(3.0, 10));
    assert_false(shape_double_is_whole(3.5, 10));
    assert_false(shape_double_is_whole(30, 10));
    assert_int_equal(shape_seconds_to_ms(-0.0015), -2);
}

// --emit FILE: encodes every case of responses.json, one JSON line per case on stdout.
static int emit(const char *path)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (doc == NULL) {
        fprintf(stderr, "%s: %s\n", path, jerr.text);
        return 2;
    }
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "responses"), i, c)
    {
        const char *service = json_string_value(json_object_get(c, "service"));
        const char *opname = json_string_value(json_object_get(c, "operation"));
        const struct proto_service *svc = proto_service_find(service);
        const struct proto_op *op = svc != NULL ? proto_op_find(svc, opname) : NULL;
        struct buf body = BUF_INIT;
        const char *ct = "";
        char rid[32];
        snprintf(rid, sizeof(rid), "req-%zu", i);
        int rc = op != NULL
                     ? proto_encode_response(op, json_object_get(c, "output"), rid, &body, &ct)
                     : -1;
        json_t *line =
            json_pack("{s:s,s:i,s:i,s:s,s:s,s:s}", "kind", "response", "index", (int)i, "rc", rc,
                      "content_type", ct, "request_id", rid, "body", buf_cstr(&body));
        char *text = json_dumps(line, JSON_COMPACT);
        printf("%s\n", text);
        free(text);
        json_decref(line);
        buf_free(&body);
    }
    json_array_foreach(json_object_get(doc, "errors"), i, c)
    {
        const char *service = json_string_value(json_object_get(c, "service"));
        struct awserr e;
        awserr_set(&e, (int)json_integer_value(json_object_get(c, "status")),
                   json_string_value(json_object_get(c, "code")), "%s",
                   json_string_value(json_object_get(c, "message")));
        struct buf body = BUF_INIT;
        const char *ct = "";
        char rid[32];
        snprintf(rid, sizeof(rid), "err-%zu", i);
        const struct proto_service *svc = service != NULL ? proto_service_find(service) : NULL;
        proto_encode_error(svc, &e, rid, &body, &ct);
        json_t *line = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s}", "kind", "error", "index", (int)i,
                                 "content_type", ct, "request_id", rid, "header",
                                 proto_request_id_header(svc), "body", buf_cstr(&body));
        char *text = json_dumps(line, JSON_COMPACT);
        printf("%s\n", text);
        free(text);
        json_decref(line);
        buf_free(&body);
    }
    json_decref(doc);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--emit") == 0) {
        return emit(argv[2]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_response), cmocka_unit_test(test_ec2_response),
        cmocka_unit_test(test_json_response),  cmocka_unit_test(test_bad_output),
        cmocka_unit_test(test_errors),         cmocka_unit_test(test_xml_escape),
        cmocka_unit_test(test_helpers),        cmocka_unit_test(test_json_string_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
