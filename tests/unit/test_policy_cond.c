// SPDX-License-Identifier: Apache-2.0
// Tests of the condition operators (src/policy/policy_cond.c): pol_cond_compile and
// pol_cond_eval against a request context built with policy_context_set/_set_list. Each table
// block names the IAM User Guide page (and section) its expected values come from:
//   [ops]    "IAM JSON policy elements: Condition operators"
//   [multi]  "Conditions with multiple context keys or values"
//   [single] "Single-valued vs. multivalued context keys" and "Multivalued context key examples"
//   [sets]   "Creating a condition that tests multiple key values (set operations)"
//   [vars]   "IAM policy elements: Variables and tags"
//   [grammar] "Grammar of the IAM JSON policy language"
// Where the documentation is silent the row says "choice:" and policy_cond.c explains why.
// Compile errors are the MalformedPolicyDocument messages IAM returns for such documents.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "policy/policy_int.h"

#include <stdio.h>
#include <string.h>

// --- Harness ---------------------------------------------------------------------------------

// Builds a context from "key=value;key=[a,b];key=[]": a bracketed value makes the key
// multivalued (an empty list is an empty multivalued key). Only the first '=' separates.
static struct policy_context *make_ctx(const char *spec)
{
    struct policy_context *ctx = policy_context_new();
    if (spec == NULL || spec[0] == '\0') {
        return ctx;
    }
    char buf[1024];
    assert_true(strlen(spec) < sizeof(buf));
    memcpy(buf, spec, strlen(spec) + 1);
    char *save = NULL;
    for (char *item = strtok_r(buf, ";", &save); item != NULL; item = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(item, '=');
        assert_non_null(eq);
        *eq = '\0';
        char *val = eq + 1;
        size_t vlen = strlen(val);
        if (vlen >= 2 && val[0] == '[' && val[vlen - 1] == ']') {
            val[vlen - 1] = '\0';
            const char *items[16];
            size_t n = 0;
            char *save2 = NULL;
            for (char *v = strtok_r(val + 1, ",", &save2); v != NULL;
                 v = strtok_r(NULL, ",", &save2)) {
                assert_true(n < 16);
                items[n++] = v;
            }
            policy_context_set_list(ctx, item, items, n);
        } else {
            policy_context_set(ctx, item, val);
        }
    }
    return ctx;
}

// Compiles op/key/values (values is JSON text) for a policy of the given version; fails the test
// when compilation fails.
static void compile(struct arena *a, const char *op, const char *key, const char *values,
                    enum pol_version version, struct pol_cond *out)
{
    const struct jsonv *j = NULL;
    if (jsonv_parse(a, values, strlen(values), &j, NULL, NULL) != JSONV_OK) {
        fail_msg("bad JSON in test table: %s", values);
    }
    struct policy_error err = {0};
    int rc = pol_cond_compile(a, op, key, j, version, out, &err);
    if (rc != 0) {
        fail_msg("pol_cond_compile(%s, %s, %s) failed: %s", op, key, values, err.message);
    }
}

struct eval_case {
    const char *op;
    const char *key;
    const char *values; // JSON
    const char *ctx;    // make_ctx spec
    bool want;
};

static void run_eval_version(const struct eval_case *cases, size_t count, enum pol_version ver)
{
    for (size_t i = 0; i < count; i++) {
        const struct eval_case *c = &cases[i];
        struct arena a;
        arena_init(&a, NULL, 0);
        char scratch_buf[512];
        struct arena scratch;
        arena_init(&scratch, scratch_buf, sizeof(scratch_buf));
        struct pol_cond cond;
        compile(&a, c->op, c->key, c->values, ver, &cond);
        struct policy_context *ctx = make_ctx(c->ctx);
        struct pol_env env = {.ctx = ctx, .scratch = &scratch};
        bool got = pol_cond_eval(&cond, &env);
        policy_context_free(ctx);
        arena_release(&scratch);
        arena_release(&a);
        if (got != c->want) {
            fail_msg("{\"%s\": {\"%s\": %s}} with context \"%s\" = %d, want %d", c->op, c->key,
                     c->values, c->ctx, got, c->want);
        }
    }
}

#define RUN(cases) run_eval_version(cases, sizeof(cases) / sizeof(cases[0]), POL_VERSION_2012)

// --- String operators ------------------------------------------------------------------------

static void test_string(void **state)
{
    (void)state;
    static const struct eval_case cases[] = {
        // [ops] String condition operators: StringEquals is exact and case sensitive; "If a user
        // without the tag attempts to view or edit an access key, the condition returns false".
        {"StringEquals", "aws:PrincipalTag/job-category", "\"iamuser-admin\"",
         "aws:PrincipalTag/job-category=iamuser-admin", true},
        {"StringEquals", "aws:PrincipalTag/job-category", "\"iamuser-admin\"",
         "aws:PrincipalTag/job-category=IAMUSER-ADMIN", false},
        {"StringEquals", "aws:PrincipalTag/job-category", "\"iamuser-admin\"",
         "aws:PrincipalTag/job-category=iamuser-admin2", false},
        {"StringEquals", "aws:PrincipalTag/job-category", "\"iamuser-admin\"", "", false},
        {"StringEquals", "aws:PrincipalTag/job-category", "\"iamuser-admin\"",
         "aws:PrincipalTag/other=iamuser-admin", false},
        // Condition key names are case-insensitive ([ops]; "AWS global condition context keys").
        {"StringEquals", "AWS:PrincipalTag/Job-Category", "\"iamuser-admin\"",
         "aws:principaltag/job-category=iamuser-admin", true},
        {"StringEquals", "aws:principaltag/job-category", "\"iamuser-admin\"",
         "AWS:PRINCIPALTAG/JOB-CATEGORY=iamuser-admin", true},
        {"StringEquals", "s3:prefix", "\"\"", "s3:prefix=", true},
        {"StringEquals", "s3:prefix", "\"\"", "s3:prefix=x", false},
        // Wildcards are ordinary characters for StringEquals.
        {"StringEquals", "k", "\"a*\"", "k=abc", false},
        {"StringEquals", "k", "\"a*\"", "k=a*", true},
        // [grammar] "Quotation marks are optional for numeric and Boolean values".
        {"StringEquals", "s3:max-keys", "10", "s3:max-keys=10", true},
        {"StringEquals", "k", "true", "k=true", true},
        {"StringEquals", "k", "1.5", "k=1.5", true},
        // [multi] several values for one key are ORed.
        {"StringEquals", "aws:PrincipalTag/role", "[\"audit\", \"security\"]",
         "aws:PrincipalTag/role=security", true},
        {"StringEquals", "aws:PrincipalTag/role", "[\"audit\", \"security\"]",
         "aws:PrincipalTag/role=dev", false},
        // [ops] StringNotEquals: negated matching; a missing key makes it true. [multi] several
        // values of a negated operator are NORed.
        {"StringNotEquals", "aws:ResourceTag/environment", "\"production\"",
         "aws:ResourceTag/environment=dev", true},
        {"StringNotEquals", "aws:ResourceTag/environment", "\"production\"",
         "aws:ResourceTag/environment=production", false},
        {"StringNotEquals", "aws:ResourceTag/environment", "\"production\"",
         "aws:ResourceTag/environment=Production", true},
        {"StringNotEquals", "aws:SourceVpc", "\"vpc-111bbb22\"", "", true},
        {"StringNotEquals", "aws:PrincipalTag/role", "[\"audit\", \"security\"]",
         "aws:PrincipalTag/role=audit", false},
        {"StringNotEquals", "aws:PrincipalTag/role", "[\"audit\", \"security\"]",
         "aws:PrincipalTag/role=security", false},
        {"StringNotEquals", "aws:PrincipalTag/role", "[\"audit\", \"security\"]",
         "aws:PrincipalTag/role=dev", true},
        // [ops] StringEqualsIgnoreCase / StringNotEqualsIgnoreCase.
        {"StringEqualsIgnoreCase", "s3:x-amz-server-side-encryption", "\"AES256\"",
         "s3:x-amz-server-side-encryption=aes256", true},
        {"StringEqualsIgnoreCase", "k", "\"AES256\"", "k=aes257", false},
        {"StringEqualsIgnoreCase", "k", "\"AES256\"", "", false},
        {"StringNotEqualsIgnoreCase", "k", "[\"Admin\", \"Root\"]", "k=ADMIN", false},
        {"StringNotEqualsIgnoreCase", "k", "[\"Admin\", \"Root\"]", "k=user", true},
        {"StringNotEqualsIgnoreCase", "k", "[\"Admin\", \"Root\"]", "", true},
        // [ops] StringLike: case-sensitive, '*' and '?' anywhere; the s3:prefix example.
        {"StringLike", "s3:prefix", "[\"\", \"home/\", \"home/ana/\"]", "s3:prefix=home/", true},
        {"StringLike", "s3:prefix", "[\"\", \"home/\", \"home/ana/\"]", "s3:prefix=", true},
        {"StringLike", "s3:prefix", "[\"\", \"home/\", \"home/ana/\"]", "s3:prefix=home/bob/",
         false},
        {"StringLike", "ec2:InstanceType", "[\"t1.*\", \"t2.*\", \"m3.*\"]",
         "ec2:InstanceType=t2.micro", true},
        {"StringLike", "ec2:InstanceType", "[\"t1.*\", \"t2.*\", \"m3.*\"]",
         "ec2:InstanceType=c5.large", false},
        {"StringLike", "ec2:InstanceType", "[\"t1.*\", \"t2.*\", \"m3.*\"]",
         "ec2:InstanceType=T2.micro", false},
        {"StringLike", "ec2:InstanceType", "[\"t1.*\"]", "", false},
        {"StringLike", "k", "\"a?c\"", "k=abc", true},
        {"StringLike", "k", "\"a?c\"", "k=abbc", false},
        // [ops] ARN operators: "With a StringLike condition, the match succeeds".
        {"StringLike", "aws:SourceArn", "\"arn:aws:someservice:*:111122223333:finance/*\"",
         "aws:SourceArn=arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:"
         "finance/document.txt",
         true},
        // [ops] StringNotLike: negated; true for a missing key.
        {"StringNotLike", "k", "[\"key1*\", \"key2*\"]", "k=key1:a", false},
        {"StringNotLike", "k", "[\"key1*\", \"key2*\"]", "k=key3:a", true},
        {"StringNotLike", "k", "[\"key1*\", \"key2*\"]", "", true},
    };
    RUN(cases);
}

// --- Numeric, date, Boolean, binary ----------------------------------------------------------

static void test_numeric(void **state)
{
    (void)state;
    static const struct eval_case cases[] = {
        // [ops] Numeric condition operators: the s3:max-keys "up to 10" example.
        {"NumericLessThanEquals", "s3:max-keys", "\"10\"", "s3:max-keys=10", true},
        {"NumericLessThanEquals", "s3:max-keys", "\"10\"", "s3:max-keys=9", true},
        {"NumericLessThanEquals", "s3:max-keys", "\"10\"", "s3:max-keys=11", false},
        {"NumericLessThanEquals", "s3:max-keys", "\"10\"", "", false},
        // "integer or decimal value"; equal numbers written differently are equal.
        {"NumericLessThanEquals", "s3:max-keys", "10", "s3:max-keys=9.5", true},
        {"NumericLessThanEquals", "s3:max-keys", "10", "s3:max-keys=10.5", false},
        {"NumericEquals", "k", "\"10\"", "k=10.0", true},
        {"NumericEquals", "k", "\"10\"", "k=1e1", true},
        {"NumericEquals", "k", "\"0.1\"", "k=0.10", true},
        {"NumericEquals", "k", "\"-0\"", "k=0", true},
        {"NumericEquals", "k", "\"10\"", "k=10.000001", false},
        {"NumericEquals", "k", "[1, 2, 3]", "k=3", true},
        {"NumericLessThan", "aws:MultiFactorAuthAge", "3600", "aws:MultiFactorAuthAge=3599", true},
        {"NumericLessThan", "aws:MultiFactorAuthAge", "3600", "aws:MultiFactorAuthAge=3600", false},
        {"NumericGreaterThan", "k", "\"-1.5\"", "k=0", true},
        {"NumericGreaterThan", "k", "\"-1.5\"", "k=-1.5", false},
        {"NumericGreaterThanEquals", "k", "\"-1.5\"", "k=-1.5", true},
        {"NumericGreaterThanEquals", "k", "\"-1.5\"", "k=-2", false},
        // [multi] NOR for NumericNotEquals; [ops] a missing key is true for it.
        {"NumericNotEquals", "k", "[\"1\", \"2\"]", "k=3", true},
        {"NumericNotEquals", "k", "[\"1\", \"2\"]", "k=2", false},
        {"NumericNotEquals", "k", "[\"1\", \"2\"]", "", true},
        // choice: a request value that is not a number never satisfies a comparison.
        {"NumericEquals", "k", "\"10\"", "k=ten", false},
        {"NumericNotEquals", "k", "\"10\"", "k=ten", false},
        {"NumericLessThan", "k", "\"10\"", "k=", false},
        {"NumericLessThan", "k", "\"10\"", "k=0x5", false},
    };
    RUN(cases);
}

static void test_date(void **state)
{
    (void)state;
    static const struct eval_case cases[] = {
        // [ops] Date condition operators: credentials issued after 2020-01-01T00:00:01Z; the
        // key is absent when no temporary credentials are used.
        {"DateGreaterThan", "aws:TokenIssueTime", "\"2020-01-01T00:00:01Z\"",
         "aws:TokenIssueTime=2020-06-01T00:00:00Z", true},
        {"DateGreaterThan", "aws:TokenIssueTime", "\"2020-01-01T00:00:01Z\"",
         "aws:TokenIssueTime=2020-01-01T00:00:01Z", false},
        {"DateGreaterThan", "aws:TokenIssueTime", "\"2020-01-01T00:00:01Z\"",
         "aws:TokenIssueTime=2019-12-31T23:59:59Z", false},
        {"DateGreaterThan", "aws:TokenIssueTime", "\"2020-01-01T00:00:01Z\"", "", false},
        // ISO 8601 or epoch (UNIX) time on either side.
        {"DateGreaterThan", "aws:EpochTime", "\"2020-01-01T00:00:01Z\"", "aws:EpochTime=1600000000",
         true},
        {"DateGreaterThan", "aws:EpochTime", "\"2020-01-01T00:00:01Z\"", "aws:EpochTime=1577836801",
         false},
        {"DateLessThan", "aws:CurrentTime", "\"1577836801\"",
         "aws:CurrentTime=2020-01-01T00:00:00Z", true},
        {"DateLessThan", "aws:CurrentTime", "1577836801", "aws:CurrentTime=2020-01-01T00:00:01Z",
         false},
        {"DateLessThanEquals", "aws:CurrentTime", "\"2020-01-01T00:00:01Z\"",
         "aws:CurrentTime=1577836801", true},
        {"DateGreaterThanEquals", "aws:CurrentTime", "\"2020-01-01\"",
         "aws:CurrentTime=2020-01-01T00:00:00Z", true},
        {"DateGreaterThanEquals", "aws:CurrentTime", "\"2020-01-01\"",
         "aws:CurrentTime=2019-12-31T23:59:59Z", false},
        // The same instant written with an offset.
        {"DateEquals", "aws:CurrentTime", "\"2020-01-01T00:00:00Z\"",
         "aws:CurrentTime=2020-01-01T01:00:00+01:00", true},
        {"DateEquals", "aws:CurrentTime", "\"2020-01-01T00:00:00Z\"",
         "aws:CurrentTime=2020-01-01T00:00:00.001Z", false},
        // The range example of IAM's own validator: after 2017-07-01 and before 2018.
        {"DateLessThan", "aws:CurrentTime", "[\"2017-12-31T23:59:59Z\"]",
         "aws:CurrentTime=2017-08-15T12:00:00Z", true},
        // [multi] NOR; [ops] missing key true for the negated operator.
        {"DateNotEquals", "aws:CurrentTime", "[\"2020-01-01\", \"2021-01-01\"]",
         "aws:CurrentTime=2021-01-01T00:00:00Z", false},
        {"DateNotEquals", "aws:CurrentTime", "[\"2020-01-01\", \"2021-01-01\"]",
         "aws:CurrentTime=2022-01-01T00:00:00Z", true},
        {"DateNotEquals", "aws:CurrentTime", "\"2020-01-01\"", "", true},
        // choice: a request value that is not a date never satisfies a comparison.
        {"DateLessThan", "aws:CurrentTime", "\"2020-01-01\"", "aws:CurrentTime=yesterday", false},
        {"DateNotEquals", "aws:CurrentTime", "\"2020-01-01\"", "aws:CurrentTime=yesterday", false},
    };
    RUN(cases);
}

static void test_bool_binary(void **state)
{
    (void)state;
    static const struct eval_case cases[] = {
        // [ops] Boolean condition operators: deny when not over SSL.
        {"Bool", "aws:SecureTransport", "\"false\"", "aws:SecureTransport=false", true},
        {"Bool", "aws:SecureTransport", "\"false\"", "aws:SecureTransport=true", false},
        {"Bool", "aws:SecureTransport", "\"false\"", "aws:SecureTransport=FALSE", true},
        {"Bool", "aws:SecureTransport", "\"False\"", "aws:SecureTransport=false", true},
        {"Bool", "aws:SecureTransport", "false", "aws:SecureTransport=false", true},
        {"Bool", "aws:SecureTransport", "true", "aws:SecureTransport=true", true},
        {"Bool", "aws:SecureTransport", "\"false\"", "", false},
        // Request values that are not Booleans match neither value.
        {"Bool", "aws:SecureTransport", "\"false\"", "aws:SecureTransport=no", false},
        {"Bool", "aws:SecureTransport", "\"true\"", "aws:SecureTransport=1", false},
        {"Bool", "aws:SecureTransport", "[\"true\", \"false\"]", "aws:SecureTransport=true", true},
        // [ops] Binary condition operators: byte-for-byte against the base64 value.
        {"BinaryEquals", "key", "\"QmluYXJ5VmFsdWVJbkJhc2U2NA==\"",
         "key=QmluYXJ5VmFsdWVJbkJhc2U2NA==", true},
        {"BinaryEquals", "key", "\"QmluYXJ5VmFsdWVJbkJhc2U2NA==\"",
         "key=QmluYXJ5VmFsdWVJbkJhc2U2NA", true}, // same bytes without padding
        {"BinaryEquals", "key", "\"QmluYXJ5VmFsdWVJbkJhc2U2NA==\"",
         "key=QmluYXJ5VmFsdWVJbkJhc2U2NQ==", false},
        {"BinaryEquals", "key", "\"QmluYXJ5VmFsdWVJbkJhc2U2NA==\"", "key=not base64!", false},
        {"BinaryEquals", "key", "\"QmluYXJ5VmFsdWVJbkJhc2U2NA==\"", "", false},
        {"BinaryEquals", "key", "\"\"", "key=", true},
        {"BinaryEquals", "key", "[\"AA==\", \"AQ==\"]", "key=AQ==", true},
    };
    RUN(cases);
}

// --- IP addresses and ARNs --------------------------------------------------------------------

static void test_ip(void **state)
{
    (void)state;
    static const struct eval_case cases[] = {
        // [ops] IP address condition operators: 203.0.113.0 to 203.0.113.255; the key is absent
        // for requests through a VPC endpoint and "the condition returns false".
        {"IpAddress", "aws:SourceIp", "\"203.0.113.0/24\"", "aws:SourceIp=203.0.113.0", true},
        {"IpAddress", "aws:SourceIp", "\"203.0.113.0/24\"", "aws:SourceIp=203.0.113.255", true},
        {"IpAddress", "aws:SourceIp", "\"203.0.113.0/24\"", "aws:SourceIp=203.0.114.1", false},
        {"IpAddress", "aws:SourceIp", "\"203.0.113.0/24\"", "", false},
        // "If you specify an IP address without the associated routing prefix, IAM uses /32."
        {"IpAddress", "aws:SourceIp", "\"203.0.113.9\"", "aws:SourceIp=203.0.113.9", true},
        {"IpAddress", "aws:SourceIp", "\"203.0.113.9\"", "aws:SourceIp=203.0.113.10", false},
        // Mixing IPv4 and IPv6 ranges.
        {"IpAddress", "aws:SourceIp", "[\"203.0.113.0/24\", \"2001:DB8:1234:5678::/64\"]",
         "aws:SourceIp=2001:db8:1234:5678::42", true},
        {"IpAddress", "aws:SourceIp", "[\"203.0.113.0/24\", \"2001:DB8:1234:5678::/64\"]",
         "aws:SourceIp=2001:db8:1234:5679::42", false},
        {"IpAddress", "aws:SourceIp", "[\"203.0.113.0/24\", \"2001:DB8:1234:5678::/64\"]",
         "aws:SourceIp=203.0.113.77", true},
        {"IpAddress", "aws:SourceIp", "\"::/0\"", "aws:SourceIp=2600:1f18::1", true},
        // choice (cidr.h): "::/0" does not cover IPv4 sources.
        {"IpAddress", "aws:SourceIp", "\"::/0\"", "aws:SourceIp=10.0.0.1", false},
        {"IpAddress", "aws:SourceIp", "\"0.0.0.0/0\"", "aws:SourceIp=10.0.0.1", true},
        // [ops] NotIpAddress: "All IP addresses except"; [multi] NOR; missing key true.
        {"NotIpAddress", "aws:SourceIp", "\"203.0.113.0/24\"", "aws:SourceIp=203.0.113.5", false},
        {"NotIpAddress", "aws:SourceIp", "\"203.0.113.0/24\"", "aws:SourceIp=198.51.100.5", true},
        {"NotIpAddress", "aws:SourceIp", "[\"203.0.113.0/24\", \"2001:DB8::/32\"]",
         "aws:SourceIp=2001:db8::1", false},
        {"NotIpAddress", "aws:SourceIp", "[\"203.0.113.0/24\", \"2001:DB8::/32\"]",
         "aws:SourceIp=2001:db9::1", true},
        {"NotIpAddress", "aws:SourceIp", "\"203.0.113.0/24\"", "", true},
        // choice: a request value that is not a single address matches neither operator.
        {"IpAddress", "aws:SourceIp", "\"0.0.0.0/0\"", "aws:SourceIp=not-an-ip", false},
        {"NotIpAddress", "aws:SourceIp", "\"203.0.113.0/24\"", "aws:SourceIp=not-an-ip", false},
        {"IpAddress", "aws:SourceIp", "\"0.0.0.0/0\"", "aws:SourceIp=10.0.0.0/8", false},
    };
    RUN(cases);
}

static void test_arn(void **state)
{
    (void)state;
    static const char long_arn[] = "aws:SourceArn=arn:aws:someservice:us-east-2:999999999999:"
                                   "store/abc:111122223333:finance/document.txt";
    static const struct eval_case cases[] = {
        // [ops] ARN condition operators: "With an ArnLike condition, which matches elements
        // between colons, the match fails."
        {"ArnLike", "aws:SourceArn", "\"arn:aws:someservice:*:111122223333:finance/*\"", long_arn,
         false},
        {"ArnLike", "aws:SourceArn", "\"arn:aws:someservice:*:111122223333:finance/*\"",
         "aws:SourceArn=arn:aws:someservice:us-east-2:111122223333:finance/document.txt", true},
        // The SQS/SNS example, and "ArnEquals and ArnLike behave identically".
        {"ArnEquals", "aws:SourceArn", "\"arn:aws:sns:us-east-1:123456789012:topic\"",
         "aws:SourceArn=arn:aws:sns:us-east-1:123456789012:topic", true},
        {"ArnEquals", "aws:SourceArn", "\"arn:aws:sns:us-east-1:123456789012:topic\"",
         "aws:SourceArn=arn:aws:sns:us-east-1:123456789012:other", false},
        {"ArnEquals", "aws:SourceArn", "\"arn:aws:sns:*:123456789012:*\"",
         "aws:SourceArn=arn:aws:sns:us-east-1:123456789012:topic", true},
        {"ArnEquals", "ec2:SourceInstanceARN", "\"arn:aws:ec2:*:*:instance/instance-id\"",
         "ec2:SourceInstanceARN=arn:aws:ec2:eu-west-1:111122223333:instance/instance-id", true},
        // "Case-sensitive matching of the ARN".
        {"ArnEquals", "aws:SourceArn", "\"arn:aws:sns:us-east-1:123456789012:topic\"",
         "aws:SourceArn=arn:aws:SNS:us-east-1:123456789012:topic", false},
        {"ArnLike", "aws:SourceArn", "\"arn:aws:sns:*:123456789012:*\"", "", false},
        {"ArnLike", "aws:PrincipalArn", "\"arn:aws:iam::*:role/admin-?\"",
         "aws:PrincipalArn=arn:aws:iam::111122223333:role/admin-1", true},
        // [ops] ArnNotEquals, ArnNotLike: negated; NOR; missing key true.
        {"ArnNotLike", "aws:PrincipalArn",
         "[\"arn:aws:iam::*:role/admin\", "
         "\"arn:aws:iam::*:role/ops-*\"]",
         "aws:PrincipalArn=arn:aws:iam::111122223333:role/ops-1", false},
        {"ArnNotLike", "aws:PrincipalArn",
         "[\"arn:aws:iam::*:role/admin\", "
         "\"arn:aws:iam::*:role/ops-*\"]",
         "aws:PrincipalArn=arn:aws:iam::111122223333:role/dev", true},
        {"ArnNotLike", "aws:PrincipalArn", "\"arn:aws:iam::*:role/admin\"", "", true},
        {"ArnNotEquals", "aws:SourceArn", "\"arn:aws:sns:us-east-1:123456789012:topic\"",
         "aws:SourceArn=arn:aws:sns:us-east-1:123456789012:topic", false},
        {"ArnNotEquals", "aws:SourceArn", "\"arn:aws:sns:us-east-1:123456789012:topic\"",
         "aws:SourceArn=arn:aws:sns:us-east-1:123456789012:topic2", true},
        {"ArnNotEquals", "aws:SourceArn", "\"arn:aws:someservice:*:111122223333:finance/*\"",
         long_arn, true},
    };
    RUN(cases);
}

// --- IfExists and Null -------------------------------------------------------------------------

static void test_if_exists_null(void **state)
{
    (void)state;
    static const struct eval_case cases[] = {
        // [ops] ...IfExists: "If the key is not present, evaluate the condition element as true";
        // the RunInstances example.
        {"StringLikeIfExists", "ec2:InstanceType", "[\"t1.*\", \"t2.*\", \"m3.*\"]", "", true},
        {"StringLikeIfExists", "ec2:InstanceType", "[\"t1.*\", \"t2.*\", \"m3.*\"]",
         "ec2:InstanceType=t2.micro", true},
        {"StringLikeIfExists", "ec2:InstanceType", "[\"t1.*\", \"t2.*\", \"m3.*\"]",
         "ec2:InstanceType=c5.large", false},
        {"StringNotEqualsIfExists", "aws:PrincipalTag/team", "\"red\"", "", true},
        {"StringNotEqualsIfExists", "aws:PrincipalTag/team", "\"red\"", "aws:PrincipalTag/team=red",
         false},
        {"NumericLessThanIfExists", "k", "5", "", true},
        {"NumericLessThanIfExists", "k", "5", "k=6", false},
        {"DateGreaterThanIfExists", "aws:TokenIssueTime", "\"2020-01-01\"", "", true},
        {"BoolIfExists", "aws:MultiFactorAuthPresent", "\"false\"", "", true},
        {"BoolIfExists", "aws:MultiFactorAuthPresent", "\"false\"",
         "aws:MultiFactorAuthPresent=true", false},
        {"BoolIfExists", "aws:MultiFactorAuthPresent", "\"false\"",
         "aws:MultiFactorAuthPresent=false", true},
        {"IpAddressIfExists", "aws:SourceIp", "\"10.0.0.0/8\"", "", true},
        {"NotIpAddressIfExists", "aws:SourceIp", "\"10.0.0.0/8\"", "aws:SourceIp=10.1.1.1", false},
        {"ArnLikeIfExists", "aws:SourceArn", "\"arn:aws:s3:::b\"", "", true},
        {"BinaryEqualsIfExists", "k", "\"AA==\"", "", true},
        // [ops] Null: true means the key is absent, false that it is present.
        {"Null", "aws:TokenIssueTime", "\"true\"", "", true},
        {"Null", "aws:TokenIssueTime", "\"true\"", "aws:TokenIssueTime=2020-01-01T00:00:00Z",
         false},
        {"Null", "aws:TokenIssueTime", "\"false\"", "", false},
        {"Null", "aws:TokenIssueTime", "\"false\"", "aws:TokenIssueTime=2020-01-01T00:00:00Z",
         true},
        {"Null", "aws:TokenIssueTime", "true", "", true},
        {"Null", "aws:TokenIssueTime", "\"TRUE\"", "", true},
        {"Null", "aws:TagKeys", "\"false\"", "aws:TagKeys=[a,b]", true},
        // [single] a Null check with false guards against "context keys with empty values".
        {"Null", "aws:TagKeys", "\"false\"", "aws:TagKeys=[]", false},
        {"Null", "aws:TagKeys", "\"true\"", "aws:TagKeys=[]", true},
        // An empty string is a value: the key is present.
        {"Null", "s3:prefix", "\"false\"", "s3:prefix=", true},
        // [multi] values ORed.
        {"Null", "k", "[\"true\", \"false\"]", "", true},
        {"Null", "k", "[\"true\", \"false\"]", "k=v", true},
    };
    RUN(cases);
}

// --- Multivalued keys and set operators --------------------------------------------------------

static void test_sets(void **state)
{
    (void)state;
    static const struct eval_case cases[] = {
        // [sets] ForAllValues:StringLike on requested attributes; the evaluation table: with
        // PostDateTime and UserName "the condition operator returns false".
        {"ForAllValues:StringLike", "dynamodb:requestedAttributes",
         "[\"PostDateTime\", \"Message\", \"Tags\"]",
         "dynamodb:requestedAttributes=[PostDateTime,Message]", true},
        {"ForAllValues:StringLike", "dynamodb:requestedAttributes",
         "[\"PostDateTime\", \"Message\", \"Tags\"]",
         "dynamodb:requestedAttributes=[PostDateTime,UserName]", false},
        {"ForAllValues:StringLike", "dynamodb:requestedAttributes",
         "[\"PostDateTime\", \"Message\", \"Tags\"]", "dynamodb:requestedAttributes=[ID]", false},
        // [single] ForAllValues "also returns true if there are no context keys in the request";
        // [sets] "an empty data set ... ForAllValues returns true, ForAnyValue returns false".
        {"ForAllValues:StringLike", "dynamodb:requestedAttributes",
         "[\"PostDateTime\", \"Message\", \"Tags\"]", "", true},
        {"ForAllValues:StringLike", "dynamodb:requestedAttributes",
         "[\"PostDateTime\", \"Message\", \"Tags\"]", "dynamodb:requestedAttributes=[]", true},
        // [sets] "(for example, an empty string)" is an empty data set under a qualifier.
        {"ForAllValues:StringEquals", "k", "\"a\"", "k=", true},
        {"ForAnyValue:StringLike", "k", "[\"\", \"a\"]", "k=", false},
        {"ForAnyValue:StringLike", "k", "[\"\", \"a\"]", "k=[]", false},
        {"StringLike", "k", "[\"\", \"a\"]", "k=", true},
        // [sets] ForAnyValue:StringLike deny example: UserName, Message, PostDateTime matches;
        // UserName alone does not.
        {"ForAnyValue:StringLike", "dynamodb:requestedAttributes", "[\"ID\", \"PostDateTime\"]",
         "dynamodb:requestedAttributes=[UserName,Message,PostDateTime]", true},
        {"ForAnyValue:StringLike", "dynamodb:requestedAttributes", "[\"ID\", \"PostDateTime\"]",
         "dynamodb:requestedAttributes=[UserName]", false},
        {"ForAnyValue:StringLike", "dynamodb:requestedAttributes", "[\"ID\", \"PostDateTime\"]", "",
         false},
        {"ForAnyValue:StringLike", "dynamodb:requestedAttributes", "[\"ID\", \"PostDateTime\"]",
         "dynamodb:requestedAttributes=[]", false},
        // [single] examples: "ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"} and its
        // evaluation table (Deny: match means denied).
        {"ForAllValues:StringNotLike", "aws:TagKeys", "\"key1*\"", "aws:TagKeys=[key1:legal]",
         false},
        {"ForAllValues:StringNotLike", "aws:TagKeys", "\"key1*\"",
         "aws:TagKeys=[key1:hr,key1:personnel]", false},
        {"ForAllValues:StringNotLike", "aws:TagKeys", "\"key1*\"", "aws:TagKeys=[key2:audit]",
         true},
        {"ForAllValues:StringNotLike", "aws:TagKeys", "\"key1*\"", "", true},
        // Negated operator under a qualifier: per request value, NOR over the policy values.
        {"ForAllValues:StringNotLike", "aws:TagKeys", "[\"key1*\", \"key2*\"]",
         "aws:TagKeys=[key3:a,key4:b]", true},
        {"ForAllValues:StringNotLike", "aws:TagKeys", "[\"key1*\", \"key2*\"]",
         "aws:TagKeys=[key3:a,key2:b]", false},
        {"ForAnyValue:StringNotEquals", "aws:TagKeys", "[\"a\", \"b\"]", "aws:TagKeys=[a,c]", true},
        {"ForAnyValue:StringNotEquals", "aws:TagKeys", "[\"a\", \"b\"]", "aws:TagKeys=[a,b]",
         false},
        {"ForAnyValue:StringNotEquals", "aws:TagKeys", "[\"a\", \"b\"]", "", false},
        {"ForAllValues:StringNotEquals", "aws:TagKeys", "\"Project\"", "aws:TagKeys=[Owner,Env]",
         true},
        {"ForAllValues:StringNotEquals", "aws:TagKeys", "\"Project\"",
         "aws:TagKeys=[Owner,Project]", false},
        // IAM's validator example: ForAllValues:StringEquals aws:TagKeys "CostCenter".
        {"ForAllValues:StringEquals", "aws:TagKeys", "\"CostCenter\"", "aws:TagKeys=[CostCenter]",
         true},
        {"ForAllValues:StringEquals", "aws:TagKeys", "\"CostCenter\"",
         "aws:TagKeys=[CostCenter,Other]", false},
        {"ForAllValues:StringEquals", "aws:TagKeys", "\"CostCenter\"", "aws:TagKeys=[costcenter]",
         false},
        {"ForAnyValue:StringEquals", "aws:CalledVia", "\"athena.amazonaws.com\"",
         "aws:CalledVia=[cloudformation.amazonaws.com,athena.amazonaws.com]", true},
        {"ForAnyValue:StringEqualsIgnoreCase", "aws:TagKeys", "\"costcenter\"",
         "aws:TagKeys=[Owner,CostCenter]", true},
        // Set operators with typed operators.
        {"ForAllValues:NumericLessThan", "k", "10", "k=[1,2,9.5]", true},
        {"ForAllValues:NumericLessThan", "k", "10", "k=[1,20]", false},
        {"ForAnyValue:IpAddress", "k", "\"10.0.0.0/8\"", "k=[192.168.0.1,10.2.3.4]", true},
        {"ForAnyValue:ArnLike", "k", "\"arn:aws:iam::*:role/x\"",
         "k=[arn:aws:iam::111122223333:role/y,arn:aws:iam::111122223333:role/x]", true},
        {"ForAllValues:ArnNotLike", "k", "\"arn:aws:iam::*:role/x\"",
         "k=[arn:aws:iam::111122223333:role/y,arn:aws:iam::111122223333:role/z]", true},
        // ...IfExists with a qualifier: a missing key is true.
        {"ForAnyValue:StringEqualsIfExists", "aws:TagKeys", "\"a\"", "", true},
        {"ForAnyValue:StringEqualsIfExists", "aws:TagKeys", "\"a\"", "aws:TagKeys=[b]", false},
        // choice: a single-valued key under a qualifier is a set of one value.
        {"ForAnyValue:StringEquals", "aws:PrincipalTag/team", "\"red\"",
         "aws:PrincipalTag/team=red", true},
        {"ForAllValues:StringEquals", "aws:PrincipalTag/team", "\"red\"",
         "aws:PrincipalTag/team=blue", false},
        // choice (policy_int.h): without a qualifier a multivalued key satisfies a positive
        // operator when any value does, and a negated operator when no value matches.
        {"StringEquals", "aws:TagKeys", "\"a\"", "aws:TagKeys=[a,b]", true},
        {"StringEquals", "aws:TagKeys", "\"c\"", "aws:TagKeys=[a,b]", false},
        {"StringNotEquals", "aws:TagKeys", "\"a\"", "aws:TagKeys=[a,b]", false},
        {"StringNotEquals", "aws:TagKeys", "\"c\"", "aws:TagKeys=[a,b]", true},
        // choice: an empty list counts as a missing key.
        {"StringEquals", "aws:TagKeys", "\"a\"", "aws:TagKeys=[]", false},
        {"StringNotEquals", "aws:TagKeys", "\"a\"", "aws:TagKeys=[]", true},
        {"StringEqualsIfExists", "aws:TagKeys", "\"a\"", "aws:TagKeys=[]", true},
        // Null ignores a qualifier.
        {"ForAnyValue:Null", "aws:TagKeys", "\"true\"", "", true},
        {"ForAllValues:Null", "aws:TagKeys", "\"true\"", "aws:TagKeys=[a]", false},
    };
    RUN(cases);
}

// --- Policy variables --------------------------------------------------------------------------

static void test_variables(void **state)
{
    (void)state;
    static const struct eval_case cases[] = {
        // [ops] "You can use a policy variable with the String condition operator": the home
        // directory example, home/${aws:username}/.
        {"StringLike", "s3:prefix", "[\"\", \"home/\", \"home/${aws:username}/\"]",
         "aws:username=ana;s3:prefix=home/ana/", true},
        {"StringLike", "s3:prefix", "[\"\", \"home/\", \"home/${aws:username}/\"]",
         "aws:username=ana;s3:prefix=home/bob/", false},
        {"StringLike", "s3:prefix", "\"home/${aws:username}/*\"",
         "aws:username=ana;s3:prefix=home/ana/photos/1.jpg", true},
        // [vars] A variable that cannot be resolved makes its value match nothing.
        {"StringLike", "s3:prefix", "\"home/${aws:username}/*\"", "s3:prefix=home/ana/x", false},
        {"StringLike", "s3:prefix", "[\"home/${aws:username}/*\", \"public/*\"]",
         "s3:prefix=public/x", true},
        {"StringNotLike", "s3:prefix", "\"home/${aws:username}/*\"", "s3:prefix=home/ana/x", true},
        // [vars] Variables in StringEquals (the ec2:ResourceTag/VolumeUser example).
        {"StringEquals", "ec2:ResourceTag/VolumeUser", "\"${aws:username}\"",
         "aws:username=ana;ec2:ResourceTag/VolumeUser=ana", true},
        {"StringEquals", "ec2:ResourceTag/VolumeUser", "\"${aws:username}\"",
         "aws:username=ana;ec2:ResourceTag/VolumeUser=bob", false},
        {"StringEquals", "aws:ResourceTag/team", "\"${aws:PrincipalTag/team}\"",
         "aws:PrincipalTag/team=red;aws:ResourceTag/team=red", true},
        // [vars] Default values: ${key, 'default'}.
        {"StringEquals", "aws:ResourceTag/team", "\"${aws:PrincipalTag/team, 'none'}\"",
         "aws:ResourceTag/team=none", true},
        {"StringEquals", "aws:ResourceTag/team", "\"${aws:PrincipalTag/team, 'none'}\"",
         "aws:PrincipalTag/team=red;aws:ResourceTag/team=none", false},
        // [vars] ${*}, ${?}, ${$} are the literal characters.
        {"StringLike", "k", "\"a${*}b\"", "k=a*b", true},
        {"StringLike", "k", "\"a${*}b\"", "k=axb", false},
        {"StringLike", "k", "\"a${?}b\"", "k=a?b", true},
        {"StringLike", "k", "\"a${?}b\"", "k=axb", false},
        {"StringEquals", "k", "\"${$}{x}\"", "k=${x}", true},
        // A '*' inside a substituted value is literal, not a wildcard.
        {"StringLike", "s3:prefix", "\"home/${aws:username}/*\"",
         "aws:username=a*;s3:prefix=home/a*/x", true},
        {"StringLike", "s3:prefix", "\"home/${aws:username}/*\"",
         "aws:username=a*;s3:prefix=home/abc/x", false},
        // A multivalued key cannot be a variable: the value does not resolve.
        {"StringEquals", "k", "\"${aws:TagKeys}\"", "aws:TagKeys=[a];k=a", false},
        // [ops] "You can use a policy variable with the ARN condition operator".
        {"ArnLike", "aws:SourceArn", "\"arn:aws:iam::*:user/${aws:username}\"",
         "aws:username=ana;aws:SourceArn=arn:aws:iam::111122223333:user/ana", true},
        {"ArnLike", "aws:SourceArn", "\"arn:aws:iam::*:user/${aws:username}\"",
         "aws:username=ana;aws:SourceArn=arn:aws:iam::111122223333:user/bob", false},
        {"ArnEquals", "aws:SourceArn", "\"arn:aws:iam::*:user/${aws:username}\"",
         "aws:username=*;aws:SourceArn=arn:aws:iam::111122223333:user/bob", false},
        // [ops] "You can use a policy variable with the Boolean condition operator".
        {"Bool", "aws:SecureTransport", "\"${aws:PrincipalTag/needs-tls}\"",
         "aws:PrincipalTag/needs-tls=true;aws:SecureTransport=true", true},
        {"Bool", "aws:SecureTransport", "\"${aws:PrincipalTag/needs-tls}\"",
         "aws:PrincipalTag/needs-tls=TRUE;aws:SecureTransport=false", false},
        {"Bool", "aws:SecureTransport", "\"${aws:PrincipalTag/needs-tls}\"",
         "aws:PrincipalTag/needs-tls=maybe;aws:SecureTransport=true", false},
        {"Bool", "aws:SecureTransport", "\"${aws:PrincipalTag/needs-tls, 'false'}\"",
         "aws:SecureTransport=false", true},
        // Variables under a set operator.
        {"ForAllValues:StringEquals", "aws:TagKeys", "[\"${aws:PrincipalTag/allowed}\", \"x\"]",
         "aws:PrincipalTag/allowed=a;aws:TagKeys=[a,x]", true},
        {"ForAllValues:StringEquals", "aws:TagKeys", "[\"${aws:PrincipalTag/allowed}\", \"x\"]",
         "aws:TagKeys=[a,x]", false},
    };
    RUN(cases);

    // [vars] "If you don't include a Version element set to 2012-10-17, variables such as
    // ${aws:username} won't be recognized as variables and will instead be treated as literal
    // strings in the policy."
    static const struct eval_case literal[] = {
        {"StringEquals", "k", "\"${aws:username}\"", "aws:username=ana;k=${aws:username}", true},
        {"StringEquals", "k", "\"${aws:username}\"", "aws:username=ana;k=ana", false},
        {"StringLike", "k", "\"home/${aws:username}/*\"", "aws:username=ana;k=home/ana/x", false},
        {"StringLike", "k", "\"home/${aws:username}/*\"",
         "aws:username=ana;k=home/${aws:username}/x", true},
    };
    run_eval_version(literal, sizeof(literal) / sizeof(literal[0]), POL_VERSION_2008);
}

// --- Compilation -------------------------------------------------------------------------------

struct error_case {
    const char *op;
    const char *key;
    const char *values;
    enum pol_version version;
    const char *message;
};

#define SYNTAX "Syntax errors in policy."
#define LEGACY "The policy failed legacy parsing"

static void test_compile_errors(void **state)
{
    (void)state;
    static const struct error_case cases[] = {
        // Unknown operators and malformed qualifiers (IAM: "Syntax errors in policy.").
        {"StringEqualz", "aws:username", "\"ana\"", POL_VERSION_2012, SYNTAX},
        {"x", "a", "\"1\"", POL_VERSION_2012, SYNTAX},
        {"ForAnyValue::StringEqualsIfExists", "a", "\"asf\"", POL_VERSION_2012, SYNTAX},
        {"ForAnyValue:ForAllValues:StringEquals", "a", "\"b\"", POL_VERSION_2012, SYNTAX},
        {"ForAllValues:", "a", "\"b\"", POL_VERSION_2012, SYNTAX},
        {"IfExists", "a", "\"b\"", POL_VERSION_2012, SYNTAX},
        {"StringEqualsIfExistsIfExists", "a", "\"b\"", POL_VERSION_2012, SYNTAX},
        {"StringEquals ", "a", "\"b\"", POL_VERSION_2012, SYNTAX},
        {"stringequals", "a", "\"b\"", POL_VERSION_2012, SYNTAX}, // choice: case-sensitive
        // [ops] "You can add IfExists to the end of any condition operator name except Null".
        {"NullIfExists", "aws:TokenIssueTime", "\"true\"", POL_VERSION_2012, SYNTAX},
        // [grammar] a condition value is a string, number or Boolean.
        {"DateGreaterThan", "a", "{}", POL_VERSION_2012, SYNTAX},
        {"StringEquals", "a", "{\"b\": \"c\"}", POL_VERSION_2012, SYNTAX},
        {"StringEquals", "a", "null", POL_VERSION_2012, SYNTAX},
        {"StringEquals", "a", "[\"b\", null]", POL_VERSION_2012, SYNTAX},
        {"StringEquals", "a", "[[\"b\"]]", POL_VERSION_2012, SYNTAX},
        {"StringEquals", "a", "[\"b\", {}]", POL_VERSION_2012, SYNTAX},
        {"StringEquals", "", "\"b\"", POL_VERSION_2012, SYNTAX},
        // Values their operator cannot read (IAM: "The policy failed legacy parsing" for Date).
        {"DateGreaterThan", "a", "\"sdfdsf\"", POL_VERSION_2012, LEGACY},
        {"DateLessThanEquals", "a", "\"234-13\"", POL_VERSION_2012, LEGACY},
        {"DateLessThan", "a", "\"9223372036854775808\"", POL_VERSION_2012, LEGACY},
        {"DateLessThanEquals", "a", "\"2016-12-13T21:20:37.1999999999+10:59\"", POL_VERSION_2012,
         LEGACY},
        {"DateGreaterThan", "a", "[\"2020-01-01\", \"tomorrow\"]", POL_VERSION_2012, LEGACY},
        {"DateGreaterThan", "a", "true", POL_VERSION_2012, LEGACY},
        // [ops] no policy variables with Date, Numeric, IpAddress, Binary or Null: the text is
        // literal and does not parse.
        {"DateGreaterThan", "aws:CurrentTime", "\"${aws:TokenIssueTime}\"", POL_VERSION_2012,
         LEGACY},
        {"NumericLessThan", "s3:max-keys", "\"${aws:PrincipalTag/max}\"", POL_VERSION_2012, LEGACY},
        {"IpAddress", "aws:SourceIp", "\"${aws:PrincipalTag/ip}\"", POL_VERSION_2012, LEGACY},
        {"BinaryEquals", "k", "\"${aws:PrincipalTag/b}\"", POL_VERSION_2012, LEGACY},
        {"Null", "k", "\"${aws:PrincipalTag/b}\"", POL_VERSION_2012, LEGACY},
        {"NumericEquals", "k", "\"ten\"", POL_VERSION_2012, LEGACY},
        {"NumericEquals", "k", "\"\"", POL_VERSION_2012, LEGACY},
        {"NumericEquals", "k", "\"1.2.3\"", POL_VERSION_2012, LEGACY},
        {"NumericEquals", "k", "\"0x10\"", POL_VERSION_2012, LEGACY},
        {"NumericEquals", "k", "\" 10\"", POL_VERSION_2012, LEGACY},
        {"NumericGreaterThan", "k", "true", POL_VERSION_2012, LEGACY},
        {"IpAddress", "aws:SourceIp", "\"203.0.113.0/33\"", POL_VERSION_2012, LEGACY},
        {"NotIpAddress", "aws:SourceIp", "\"not-an-ip\"", POL_VERSION_2012, LEGACY},
        {"IpAddress", "aws:SourceIp", "[\"10.0.0.0/8\", \"10.0.0.256\"]", POL_VERSION_2012, LEGACY},
        {"IpAddress", "aws:SourceIp", "10", POL_VERSION_2012, LEGACY},
        {"Bool", "aws:SecureTransport", "\"yes\"", POL_VERSION_2012, LEGACY},
        {"Bool", "aws:SecureTransport", "1", POL_VERSION_2012, LEGACY},
        {"Bool", "aws:SecureTransport", "\"${aws:PrincipalTag/tls}\"", POL_VERSION_2008, LEGACY},
        {"BinaryEquals", "k", "\"not base64!\"", POL_VERSION_2012, LEGACY},
        {"BinaryEquals", "k", "\"QQ=\"", POL_VERSION_2012, LEGACY},
        {"BinaryEquals", "k", "\"Q\"", POL_VERSION_2012, LEGACY},
        {"BinaryEquals", "k", "\"QUJD====\"", POL_VERSION_2012, LEGACY},
        {"Null", "k", "\"maybe\"", POL_VERSION_2012, LEGACY},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct error_case *c = &cases[i];
        struct arena a;
        arena_init(&a, NULL, 0);
        const struct jsonv *j = NULL;
        assert_int_equal(jsonv_parse(&a, c->values, strlen(c->values), &j, NULL, NULL), JSONV_OK);
        struct policy_error err = {0};
        struct pol_cond out;
        memset(&out, 0x5a, sizeof(out));
        struct pol_cond before = out;
        int rc = pol_cond_compile(&a, c->op, c->key, j, c->version, &out, &err);
        arena_release(&a);
        if (rc != -1 || err.code != POLICY_ERR_MALFORMED || strcmp(err.message, c->message) != 0) {
            fail_msg("pol_cond_compile(\"%s\", \"%s\", %s) = %d \"%s\", want -1 \"%s\"", c->op,
                     c->key, c->values, rc, err.message, c->message);
        }
        if (memcmp(&out, &before, sizeof(out)) != 0) {
            fail_msg("pol_cond_compile(\"%s\") changed *out on failure", c->op);
        }
    }
}

// What a compiled condition holds: the parsed operator name, the lowercased key, the values'
// text and their pre-parsed typed form.
static void test_compile_form(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, NULL, 0);
    struct pol_cond c;

    compile(&a, "ForAllValues:StringNotLikeIfExists", "AWS:TagKeys", "[\"key1*\", \"k?\", \"x\"]",
            POL_VERSION_2012, &c);
    assert_int_equal(c.op, COND_STRING_NOT_LIKE);
    assert_int_equal(c.set, SET_ALL);
    assert_true(c.if_exists);
    assert_string_equal(c.key, "aws:tagkeys");
    assert_int_equal(c.key_len, 11);
    assert_int_equal(c.value_count, 3);
    assert_string_equal(c.values[0].text.s, "key1*");
    assert_true(c.values[0].text.has_wild);
    assert_true(c.values[1].text.has_wild);
    assert_false(c.values[2].text.has_wild);
    assert_false(c.values[0].text.has_vars);

    compile(&a, "ForAnyValue:StringEquals", "k", "\"x\"", POL_VERSION_2012, &c);
    assert_int_equal(c.set, SET_ANY);
    assert_false(c.if_exists);
    assert_int_equal(c.value_count, 1);

    // IAM's validator accepts these operator spellings.
    compile(&a, "ForAnyValue:StringEqualsIfExists", "a", "\"asf\"", POL_VERSION_2012, &c);
    compile(&a, "BoolIfExists", "aws:MultiFactorAuthPresent", "\"false\"", POL_VERSION_2012, &c);
    assert_int_equal(c.op, COND_BOOL);
    assert_true(c.if_exists);
    assert_true(c.values[0].parsed);
    assert_false(c.values[0].v.b);

    // Every operator of the operators page, with and without IfExists.
    static const char *const names[] = {
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
        "Null",
    };
    static const char *const values[] = {
        "\"a\"",
        "\"a\"",
        "\"a\"",
        "\"a\"",
        "\"a\"",
        "\"a\"",
        "1",
        "1",
        "1",
        "1",
        "1",
        "1",
        "\"2020-01-01\"",
        "\"2020-01-01\"",
        "\"2020-01-01\"",
        "\"2020-01-01\"",
        "\"2020-01-01\"",
        "\"2020-01-01\"",
        "true",
        "\"AA==\"",
        "\"10.0.0.0/8\"",
        "\"10.0.0.0/8\"",
        "\"arn:aws:s3:::b\"",
        "\"arn:aws:s3:::b\"",
        "\"arn:aws:s3:::b\"",
        "\"arn:aws:s3:::b\"",
        "true",
    };
    _Static_assert(sizeof(names) / sizeof(names[0]) == COND_OP_COUNT, "one name per operator");
    _Static_assert(sizeof(values) / sizeof(values[0]) == COND_OP_COUNT, "one value per operator");
    for (int op = 0; op < COND_OP_COUNT; op++) {
        compile(&a, names[op], "k", values[op], POL_VERSION_2012, &c);
        assert_int_equal(c.op, op);
        assert_false(c.if_exists);
        if (op != COND_NULL) {
            char name[64];
            snprintf(name, sizeof(name), "%sIfExists", names[op]);
            compile(&a, name, "k", values[op], POL_VERSION_2012, &c);
            assert_int_equal(c.op, op);
            assert_true(c.if_exists);
        }
    }

    // Typed values are parsed at compile time.
    compile(&a, "NumericLessThan", "k", "[\"10\", 2.5, -3]", POL_VERSION_2012, &c);
    assert_true(c.values[0].parsed);
    assert_true(c.values[0].v.num == 10.0);
    assert_true(c.values[1].v.num == 2.5);
    assert_true(c.values[2].v.num == -3.0);
    assert_string_equal(c.values[1].text.s, "2.5");
    assert_string_equal(c.values[2].text.s, "-3");

    compile(&a, "StringEquals", "k", "[0.1, 1e300, 100, true, false]", POL_VERSION_2012, &c);
    assert_string_equal(c.values[0].text.s, "0.1");
    // A JSON number is compared as written in the document (no reformatting).
    assert_string_equal(c.values[1].text.s, "1e300");
    assert_string_equal(c.values[2].text.s, "100");
    assert_string_equal(c.values[3].text.s, "true");
    assert_string_equal(c.values[4].text.s, "false");
    assert_int_equal(c.values[4].text.len, 5);

    compile(&a, "DateGreaterThan", "k", "[\"2020-01-01T00:00:01Z\", \"1577836801\"]",
            POL_VERSION_2012, &c);
    assert_true(c.values[0].v.ms == 1577836801000);
    assert_true(c.values[1].v.ms == 1577836801000);

    compile(&a, "IpAddress", "k", "[\"203.0.113.0/24\", \"2001:DB8:1234:5678::/64\"]",
            POL_VERSION_2012, &c);
    assert_true(c.values[0].parsed);
    assert_true(c.values[0].v.cidr.v4);
    assert_int_equal(c.values[0].v.cidr.prefix, 96 + 24);
    assert_false(c.values[1].v.cidr.v4);
    assert_int_equal(c.values[1].v.cidr.prefix, 64);

    // [ops] the BinaryEquals example value "QmluYXJ5VmFsdWVJbkJhc2U2NA==".
    compile(&a, "BinaryEquals", "k", "\"QmluYXJ5VmFsdWVJbkJhc2U2NA==\"", POL_VERSION_2012, &c);
    assert_int_equal(c.values[0].v.bin.len, 19);
    assert_memory_equal(c.values[0].v.bin.bytes, "BinaryValueInBase64", 19);

    compile(&a, "Null", "k", "[\"TRUE\", false]", POL_VERSION_2012, &c);
    assert_true(c.values[0].v.b);
    assert_false(c.values[1].v.b);

    // Variables: recognised in 2012-10-17 policies for String, ARN and Bool operators only.
    compile(&a, "StringLike", "k", "[\"home/${aws:username}/*\", \"$x{\", \"plain\"]",
            POL_VERSION_2012, &c);
    assert_true(c.values[0].text.has_vars);
    assert_false(c.values[1].text.has_vars);
    assert_false(c.values[2].text.has_vars);
    compile(&a, "StringLike", "k", "\"home/${aws:username}/*\"", POL_VERSION_2008, &c);
    assert_false(c.values[0].text.has_vars);
    compile(&a, "Bool", "k", "\"${aws:PrincipalTag/x}\"", POL_VERSION_2012, &c);
    assert_true(c.values[0].text.has_vars);
    assert_false(c.values[0].parsed);
    compile(&a, "ArnLike", "k", "\"arn:aws:iam::*:user/${aws:username}\"", POL_VERSION_2012, &c);
    assert_true(c.values[0].text.has_vars);

    // IAM accepts an empty value list (moto's documents recorded from IAM include
    // {"DateGreaterThan": {"a": []}}); the condition then has no value to match.
    compile(&a, "StringEquals", "k", "[]", POL_VERSION_2012, &c);
    assert_int_equal(c.value_count, 0);

    // A NULL error pointer is allowed.
    const struct jsonv *bad = NULL;
    assert_int_equal(jsonv_parse(&a, "\"x\"", 3, &bad, NULL, NULL), JSONV_OK);
    assert_int_equal(pol_cond_compile(&a, "Nope", "k", bad, POL_VERSION_2012, &c, NULL), -1);

    arena_release(&a);
}

// The scratch arena grows onto the heap when variables need more room than its buffer.
static void test_large_expansion(void **state)
{
    (void)state;
    char big[3000];
    memset(big, 'v', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    char value_json[128];
    snprintf(value_json, sizeof(value_json), "[\"${aws:PrincipalTag/big}\", \"x${aws:username}\"]");
    struct arena a;
    arena_init(&a, NULL, 0);
    struct pol_cond c;
    compile(&a, "StringEquals", "k", value_json, POL_VERSION_2012, &c);
    char scratch_buf[64];
    struct arena scratch;
    arena_init(&scratch, scratch_buf, sizeof(scratch_buf));
    struct policy_context *ctx = policy_context_new();
    policy_context_set(ctx, "aws:PrincipalTag/big", big);
    policy_context_set(ctx, "k", big);
    struct pol_env env = {.ctx = ctx, .scratch = &scratch};
    assert_true(pol_cond_eval(&c, &env));
    policy_context_set(ctx, "k", "xana");
    assert_false(pol_cond_eval(&c, &env)); // aws:username is missing
    policy_context_set(ctx, "aws:username", "ana");
    assert_true(pol_cond_eval(&c, &env));
    policy_context_free(ctx);
    arena_release(&scratch);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string),
        cmocka_unit_test(test_numeric),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_bool_binary),
        cmocka_unit_test(test_ip),
        cmocka_unit_test(test_arn),
        cmocka_unit_test(test_if_exists_null),
        cmocka_unit_test(test_sets),
        cmocka_unit_test(test_variables),
        cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_compile_form),
        cmocka_unit_test(test_large_expansion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
