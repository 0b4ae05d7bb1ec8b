// SPDX-License-Identifier: Apache-2.0
// Tests of policy_lint (policy.h) and of the generated service/action table (iam_actions.h).
// Each case is a policy document and the warnings expected for it: the checks follow IAM Access
// Analyzer's "unknown service", "unknown action", "resource/action service mismatch", "Allow
// with NotAction" and "Allow with NotResource" findings. The clean cases are the SageMaker
// workshop's policies (shared/scenario.md) and AWS documentation examples, which must lint clean.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "policy/iam_actions.h"
#include "policy/policy.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_WARN 16

// One case: a document, the kind to parse it as, and up to four expected warnings, each as
// (statement index, a fragment of the message). expect_count is the total policy_lint returns.
struct lint_case {
    const char *name;
    enum policy_kind kind;
    const char *json;
    size_t expect_count;
    struct {
        uint32_t stmt;
        const char *fragment;
    } expect[4];
};

static const struct lint_case cases[] = {
    // --- clean policies ------------------------------------------------------------------
    {"workshop read-only",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"AmazonSageMakerReadOnly\","
     "\"Effect\":\"Allow\",\"Action\":[\"sagemaker:Describe*\",\"sagemaker:List*\","
     "\"sagemaker:*App\",\"sagemaker:Search\",\"sagemaker:RenderUiTemplate\","
     "\"sagemaker:BatchGetMetrics\"],\"Resource\":\"arn:aws:sagemaker:*:111122223333:*\"}]}",
     0,
     {{0, NULL}}},
    {"workshop s3 and kms",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":["
     "{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\",\"s3:DeleteObject\","
     "\"s3:ListBucket\",\"s3:CreateBucket\",\"s3:GetBucketLocation\",\"s3:AbortMultipartUpload\"],"
     "\"Resource\":[\"arn:aws:s3:::*SageMaker*\",\"arn:aws:s3:::*Sagemaker*\","
     "\"arn:aws:s3:::*sagemaker*\"]},"
     "{\"Effect\":\"Allow\",\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\",\"kms:ReEncrypt*\","
     "\"kms:GenerateDataKey*\",\"kms:DescribeKey\",\"kms:CreateGrant\"],"
     "\"Resource\":\"arn:aws:kms:*:111122223333:*\","
     "\"Condition\":{\"Bool\":{\"kms:GrantIsForAWSResource\":\"true\"}}}]}",
     0,
     {{0, NULL}}},
    {"workshop PassRole with iam:PassedToService",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"PassModelExecutionRole\","
     "\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\","
     "\"Resource\":\"arn:aws:iam::111122223333:role/*StudioRole*\","
     "\"Condition\":{\"StringEquals\":{\"iam:PassedToService\":\"sagemaker.amazonaws.com\"}}}]}",
     0,
     {{0, NULL}}},
    {"workshop denied services",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":["
     "\"sagemaker:CreatePresignedNotebookInstanceUrl\",\"sagemaker:*NotebookInstance\","
     "\"sagemaker:*NotebookInstanceLifecycleConfig\",\"sagemaker:CreateUserProfile\","
     "\"sagemaker:DeleteDomain\",\"sagemaker:DeleteUserProfile\"],\"Resource\":\"*\"}]}",
     0,
     {{0, NULL}}},
    {"workshop ABAC and network conditions",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":["
     "{\"Effect\":\"Allow\",\"Action\":\"sagemaker:*\",\"Resource\":\"*\",\"Condition\":{"
     "\"StringEquals\":{\"aws:ResourceTag/team\":\"${aws:PrincipalTag/team}\"},"
     "\"ForAnyValue:StringEqualsIgnoreCase\":{\"aws:TagKeys\":[\"team\"]},"
     "\"Null\":{\"aws:RequestTag/team\":\"false\"}}},"
     "{\"Effect\":\"Deny\",\"Action\":\"sagemaker:CreatePresignedDomainUrl\",\"Resource\":\"*\","
     "\"Condition\":{\"NotIpAddress\":{\"aws:VpcSourceIp\":\"192.168.0.0/16\"},"
     "\"StringNotEquals\":{\"aws:SourceVpc\":\"vpc-0123456789abcdef0\"}}}]}",
     0,
     {{0, NULL}}},
    {"case-insensitive action names",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
     "\"Action\":[\"SageMaker:listdomains\",\"S3:getobject\",\"CloudWatch:PutMetricData\"],"
     "\"Resource\":\"*\"}]}",
     0,
     {{0, NULL}}},
    {"IAM-only actions from the hand-kept list",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
     "\"sts:TagSession\",\"sts:SetSourceIdentity\",\"kms:ReEncryptFrom\",\"kms:ReEncryptTo\","
     "\"s3:ListAllMyBuckets\",\"lambda:InvokeFunction\",\"codecommit:GitPull\","
     "\"ssmmessages:OpenDataChannel\"],\"Resource\":\"*\"}]}",
     0,
     {{0, NULL}}},
    {"sts:AssumeRole on a role and ssm:SendCommand on an instance",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":["
     "{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\","
     "\"Resource\":\"arn:aws:iam::111122223333:role/Admin\"},"
     "{\"Effect\":\"Allow\",\"Action\":\"ssm:SendCommand\","
     "\"Resource\":[\"arn:aws:ec2:us-east-1:111122223333:instance/*\","
     "\"arn:aws:ssm:us-east-1::document/AWS-RunShellScript\"]}]}",
     0,
     {{0, NULL}}},
    {"Action * and wildcard service in the ARN",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":["
     "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"arn:aws:s3:::b\"},"
     "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:*:*:*:*\"}]}",
     0,
     {{0, NULL}}},
    {"Deny with NotAction and NotResource is fine",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":["
     "{\"Effect\":\"Deny\",\"NotAction\":[\"iam:*\",\"sts:*\"],\"Resource\":\"*\"},"
     "{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"NotResource\":\"arn:aws:s3:::safe/*\"}]}",
     0,
     {{0, NULL}}},
    {"global, SAML and web identity condition keys",
     POLICY_KIND_TRUST,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
     "\"Principal\":{\"Federated\":\"accounts.google.com\"},"
     "\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{"
     "\"accounts.google.com:aud\":\"123.apps.googleusercontent.com\",\"aws:SourceIp\":\"10.0.0.1\","
     "\"saml:aud\":\"https://signin.aws.amazon.com/saml\"}}}]}",
     0,
     {{0, NULL}}},
    {"workshop trust policy",
     POLICY_KIND_TRUST,
     "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"sagemaker.amazonaws.com\"}"
     ","
     "\"Action\":\"sts:AssumeRole\"}]}",
     0,
     {{0, NULL}}},

    // --- one warning each --------------------------------------------------------------------
    {"unknown service prefix",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
     "\"Action\":[\"sagemaker:ListDomains\",\"sagemkr:ListDomains\"],\"Resource\":\"*\"}]}",
     1,
     {{0, "unknown service prefix \"sagemkr\""}}},
    {"action unknown to its service",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
     "\"Action\":\"s3:GetObjekt\",\"Resource\":\"arn:aws:s3:::b/*\"}]}",
     1,
     {{0, "matches no action of service \"s3\""}}},
    {"wildcard that matches no action",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
     "\"Action\":\"sagemaker:Zap*\",\"Resource\":\"*\"}]}",
     1,
     {{0, "\"sagemaker:Zap*\""}}}, // shown as written
    {"unknown action inside NotAction",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\","
     "\"NotAction\":\"iam:PassRoles\",\"Resource\":\"*\"}]}",
     1,
     {{0, "matches no action"}}},
    {"resource of another service",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
     "\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],"
     "\"Resource\":[\"arn:aws:s3:::bucket/*\","
     "\"arn:aws:sagemaker:us-east-1:111122223333:domain/*\"]}]}",
     1,
     {{0, "\"sagemaker\" action"}}},
    {"Allow with NotAction and Resource *",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
     "\"NotAction\":\"iam:*\",\"Resource\":\"*\"}]}",
     1,
     {{0, "NotAction"}}},
    {"Allow with NotResource",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
     "\"Action\":\"s3:*\",\"NotResource\":\"arn:aws:s3:::secret/*\"}]}",
     1,
     {{0, "NotResource"}}},
    {"condition key of an unknown service",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
     "\"Action\":\"s3:GetObject\",\"Resource\":\"*\","
     "\"Condition\":{\"StringEquals\":{\"s4:prefix\":\"home/\"}}}]}",
     1,
     {{0, "unknown service prefix \"s4\""}}},

    // --- several warnings, with statement indexes ------------------------------------------
    {"warnings carry the statement index",
     POLICY_KIND_IDENTITY,
     "{\"Version\":\"2012-10-17\",\"Statement\":["
     "{\"Sid\":\"Fine\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"},"
     "{\"Sid\":\"Typo\",\"Effect\":\"Allow\",\"Action\":\"ec3:RunInstances\",\"Resource\":\"*\"},"
     "{\"Sid\":\"Wide\",\"Effect\":\"Allow\",\"NotAction\":\"s3:DeleteBucket\","
     "\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"foo:Bar\":\"true\"}}}]}",
     3,
     {{1, "\"ec3\""}, {2, "NotAction"}, {2, "\"foo\""}}},
};

static void run_case(const struct lint_case *c)
{
    struct policy *p = NULL;
    struct policy_error err = {0};
    int rc = policy_parse(c->json, strlen(c->json), c->kind, "test", NULL, &p, &err);
    if (rc != 0) {
        fail_msg("%s: parse failed: %s", c->name, err.message);
    }
    struct policy_warning w[MAX_WARN];
    memset(w, 0, sizeof w);
    size_t n = policy_lint(p, w, MAX_WARN);
    if (n != c->expect_count) {
        for (size_t i = 0; i < n && i < MAX_WARN; i++) {
            print_message("  warning %zu (statement %u): %s\n", i, w[i].statement_index,
                          w[i].message);
        }
        policy_free(p);
        fail_msg("%s: %zu warnings, expected %zu", c->name, n, c->expect_count);
    }
    for (size_t i = 0; i < n && i < 4; i++) {
        if (c->expect[i].fragment == NULL) {
            continue;
        }
        if (w[i].statement_index != c->expect[i].stmt ||
            strstr(w[i].message, c->expect[i].fragment) == NULL) {
            char msg[sizeof w[i].message];
            snprintf(msg, sizeof msg, "%s", w[i].message);
            uint32_t got = w[i].statement_index;
            policy_free(p);
            fail_msg(
                "%s: warning %zu is (statement %u) \"%s\", expected (statement %u) \"...%s...\"",
                c->name, i, got, msg, c->expect[i].stmt, c->expect[i].fragment);
        }
    }
    policy_free(p);
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_case(&cases[i]);
    }
}

// policy_lint counts every finding but writes only max of them; max 0 with no buffer counts.
static void test_count_beyond_max(void **state)
{
    (void)state;
    const char *json = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
                       "\"Action\":[\"a1:X\",\"a2:X\",\"a3:X\"],\"Resource\":\"*\"}}";
    struct policy *p = NULL;
    struct policy_error err = {0};
    assert_int_equal(policy_parse(json, strlen(json), POLICY_KIND_IDENTITY, "t", NULL, &p, &err),
                     0);
    struct policy_warning w[2];
    memset(w, 0, sizeof w);
    assert_int_equal(policy_lint(p, w, 1), 3);
    assert_non_null(strstr(w[0].message, "\"a1\""));
    assert_string_equal(w[1].message, ""); // untouched
    assert_int_equal(policy_lint(p, NULL, 0), 3);
    policy_free(p);
}

// The generated table: lookups are case-insensitive, include the hand-kept IAM-only actions,
// and map the models that sign under another name to their IAM prefix.
static void test_iam_actions_table(void **state)
{
    (void)state;
    assert_true(iam_actions_service_count() > 250);
    int s3 = iam_actions_find_service("s3", 2);
    assert_true(s3 >= 0);
    assert_string_equal(iam_actions_service_name((size_t)s3), "s3");
    assert_int_equal(iam_actions_find_service("S3", 2), s3);
    assert_int_equal(iam_actions_find_service("s3x", 3), -1);
    assert_int_equal(iam_actions_find_service("", 0), -1);
    assert_true(iam_actions_has_action((size_t)s3, "GetObject", 9));
    assert_true(iam_actions_has_action((size_t)s3, "listbucket", 10));
    assert_false(iam_actions_has_action((size_t)s3, "GetObjec", 8));
    assert_true(iam_actions_any_match((size_t)s3, "get*", 4));
    assert_false(iam_actions_any_match((size_t)s3, "zz*", 3));

    int iam = iam_actions_find_service("iam", 3);
    assert_true(iam >= 0);
    assert_true(iam_actions_has_action((size_t)iam, "PassRole", 8));
    assert_true(iam_actions_find_service("cloudwatch", 10) >= 0); // signs as "monitoring"
    assert_true(iam_actions_find_service("sagemaker", 9) >= 0);
    int sm = iam_actions_find_service("sagemaker", 9);
    // sagemaker-runtime's InvokeEndpoint is a sagemaker: action too.
    assert_true(iam_actions_has_action((size_t)sm, "InvokeEndpoint", 14));
    assert_true(iam_actions_has_action((size_t)sm, "CreatePresignedDomainUrl", 24));

    // Every service's actions are sorted case-insensitively, which the binary search needs.
    for (size_t s = 0; s < iam_actions_service_count(); s++) {
        for (size_t i = 1; i < iam_actions_action_count(s); i++) {
            assert_true(
                strcasecmp(iam_actions_action_name(s, i - 1), iam_actions_action_name(s, i)) <= 0);
        }
        if (s > 0) {
            assert_true(strcmp(iam_actions_service_name(s - 1), iam_actions_service_name(s)) < 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_count_beyond_max),
        cmocka_unit_test(test_iam_actions_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
