// SPDX-License-Identifier: Apache-2.0
// Unit tests for AWS's denial messages (policy_message.c, policy_decision_message), built from
// hand-made decisions so that they test the wording alone.
//
// Expected values come from AWS, never from the code under test:
//   [denied]  IAM User Guide, "Troubleshoot access denied error messages": the format "User
//             <user> is not authorized to perform <action> on <resource> because <context>";
//             "because no <type> policy allows the <action> action" for implicit denies and
//             "with an explicit deny in a <type> policy" for explicit ones; the examples
//             "... because no identity-based policy allows the codecommit:ListRepositories action",
//             "... on resource: arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:* because
//             no permissions boundary allows the codedeploy:ListDeployments action",
//             "... because no session policy allows ...", "... because no resource-based policy
//             allows ...", "... because no VPC endpoint policy allows ...", "... because no
//             service control policy allows ...", "... with an explicit deny in a service control
//             policy", "... with an explicit deny in a resource control policy", "... with an
//             explicit deny in a VPC endpoint policy", "... with an explicit deny in a
//             resource-based policy", "sts:AssumeRole because no role trust policy allows the
//             sts:AssumeRole action", "sts:AssumeRole with an explicit deny in the role trust
//             policy". Actions without a resource (ListRepositories, sagemaker:ListModels) have no
//             "on resource:".
//   [real]    messages returned by AWS and quoted in public repositories:
//             "User: arn:aws:iam::966994807536:user/Anup is not authorized to perform:
//             ec2:RunInstances on resource: arn:aws:ec2:ap-south-1:966994807536:instance/* with an
//             explicit deny in an identity-based policy:
//             arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3";
//             "User: arn:aws:iam::548387266019:user/bcsad-g10 is not authorized to perform:
//             ec2:RunInstances on resource: arn:aws:ec2:ap-southeast-1:548387266019:instance/* with
//             an explicit deny in a permissions boundary:
//             arn:aws:iam::548387266019:policy/umak-lab-boundary";
//             "User:
//             arn:aws:sts::734500048898:assumed-role/qt_dev-developer/your-user@hashicorp.com is
//             not authorized to perform: ec2:DescribeImages with an explicit deny in a session
//             policy" (the guide's example says "sessions policy"; AWS says "session policy");
//             "User: arn:aws:sts::396608802942:assumed-role/sce-1-8-restricted-1776679765/
//             sce-attack-1776679765 is not authorized to perform: ec2:DescribeInstances with an
//             explicit deny in an identity-based policy:
//             arn:aws:iam::396608802942:policy/sce-1-8-deny-imds-1776679765";
//             "User: anonymous is not authorized to perform: es:ESHttpGet because no resource-based
//             policy allows the es:ESHttpGet action".
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "policy/policy.h"
#include "policy/policy_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// --- Fixtures
// --------------------------------------------------------------------------------------

struct fixture {
    struct policy *identity_managed;  // arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3
    struct policy *identity_managed2; // arn:aws:iam::396608802942:policy/sce-1-8-deny-imds-...
    struct policy *identity_inline;   // no ARN
    struct policy *boundary;          // arn:aws:iam::548387266019:policy/umak-lab-boundary
    struct policy *boundary_noarn;    // no ARN
    struct policy *session;
    struct policy *resource;
    struct policy *trust;
    struct policy *scp;
    struct policy *rcp;
    struct policy *endpoint;
};

static struct policy *mk(const char *doc, enum policy_kind kind, const char *name, const char *arn)
{
    size_t n = strlen(doc);
    char *json = malloc(n + 1);
    assert_non_null(json);
    for (size_t i = 0; i <= n; i++) {
        json[i] = doc[i] == '\'' ? '"' : doc[i];
    }
    struct policy *p = NULL;
    struct policy_error err;
    if (policy_parse(json, n, kind, name, arn, &p, &err) != 0) {
        fail_msg("fixture refused: %s", err.message);
    }
    free(json);
    return p;
}

#define DENY_ALL                                                                                   \
    "{'Version':'2012-10-17','Statement':{'Effect':'Deny','Action':'*','Resource':'*'}}"
#define DENY_ALL_P                                                                                 \
    "{'Version':'2012-10-17','Statement':{'Effect':'Deny','Principal':'*','Action':'*',"           \
    "'Resource':'*'}}"

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->identity_managed = mk(DENY_ALL, POLICY_KIND_IDENTITY, "AWSCompromisedKeyQuarantineV3",
                             "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3");
    f->identity_managed2 = mk(DENY_ALL, POLICY_KIND_IDENTITY, "sce-1-8-deny-imds-1776679765",
                              "arn:aws:iam::396608802942:policy/sce-1-8-deny-imds-1776679765");
    f->identity_inline = mk(DENY_ALL, POLICY_KIND_INLINE_ROLE, "inline:deny", NULL);
    f->boundary = mk(DENY_ALL, POLICY_KIND_BOUNDARY, "umak-lab-boundary",
                     "arn:aws:iam::548387266019:policy/umak-lab-boundary");
    f->boundary_noarn = mk(DENY_ALL, POLICY_KIND_BOUNDARY, "boundary", NULL);
    f->session = mk(DENY_ALL, POLICY_KIND_SESSION, "session", NULL);
    f->resource = mk(DENY_ALL_P, POLICY_KIND_RESOURCE, "bucket-policy", NULL);
    f->trust = mk("{'Version':'2012-10-17','Statement':{'Effect':'Deny','Principal':'*',"
                  "'Action':'sts:AssumeRole'}}",
                  POLICY_KIND_TRUST, "trust", NULL);
    f->scp = mk(DENY_ALL, POLICY_KIND_SCP, "DenyAll", NULL);
    f->rcp = mk(DENY_ALL_P, POLICY_KIND_RCP, "DenyAllRcp", NULL);
    f->endpoint = mk(DENY_ALL_P, POLICY_KIND_ENDPOINT, "vpce-policy", NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    policy_free(f->identity_managed);
    policy_free(f->identity_managed2);
    policy_free(f->identity_inline);
    policy_free(f->boundary);
    policy_free(f->boundary_noarn);
    policy_free(f->session);
    policy_free(f->resource);
    policy_free(f->trust);
    policy_free(f->scp);
    policy_free(f->rcp);
    policy_free(f->endpoint);
    free(f);
    return 0;
}

static struct policy_request request(const char *principal_arn, const char *action,
                                     const char *resource)
{
    struct policy_request r;
    memset(&r, 0, sizeof(r));
    r.action = action;
    r.resource = resource;
    r.principal.arn = principal_arn;
    if (strcmp(principal_arn, "anonymous") == 0) {
        r.principal.type = POLICY_PRINCIPAL_ANONYMOUS;
        r.principal.account = "";
    } else if (strstr(principal_arn, ":assumed-role/") != NULL) {
        r.principal.type = POLICY_PRINCIPAL_ROLE_SESSION;
        r.principal.account = "";
    } else {
        r.principal.type = POLICY_PRINCIPAL_USER;
        r.principal.account = "";
    }
    return r;
}

static struct policy_decision decision(enum policy_result result, enum policy_type reason,
                                       const struct policy *reason_policy)
{
    struct policy_decision d;
    memset(&d, 0, sizeof(d));
    d.result = result;
    d.reason = reason;
    d.blocked_by = reason;
    d.reason_policy = reason_policy;
    if (reason_policy != NULL) {
        d.denied_by[0] = (struct policy_match){
            .type = reason, .policy = reason_policy, .statement_index = 0, .sid = NULL};
        d.denied_count = 1;
    }
    return d;
}

static void expect_message(const struct policy_decision *d, const struct policy_request *r,
                           const char *want)
{
    char out[1024];
    memset(out, 'Z', sizeof(out));
    size_t n = policy_decision_message(d, r, out, sizeof(out));
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

// --- Implicit denies ([denied])
// ----------------------------------------------------------------------

struct implicit_case {
    const char *name;
    enum policy_type type;
    const char *principal;
    const char *action;
    const char *resource;
    const char *want;
};

static const struct implicit_case implicit_cases[] = {
    {"implicit: identity-based policy", POLICY_TYPE_IDENTITY, "arn:aws:iam::123456789012:role/HR",
     "codecommit:ListRepositories", "*",
     "User: arn:aws:iam::123456789012:role/HR is not authorized to perform: "
     "codecommit:ListRepositories because no identity-based policy allows the "
     "codecommit:ListRepositories action"},
    {"implicit: identity-based policy, with a resource", POLICY_TYPE_IDENTITY,
     "arn:aws:iam::111122223333:user/ana", "s3:GetObject", "arn:aws:s3:::b/k",
     "User: arn:aws:iam::111122223333:user/ana is not authorized to perform: s3:GetObject on "
     "resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action"},
    {"implicit: resource-based policy", POLICY_TYPE_RESOURCE, "arn:aws:iam::123456789012:user/John",
     "secretsmanager:GetSecretValue", "*",
     "User: arn:aws:iam::123456789012:user/John is not authorized to perform: "
     "secretsmanager:GetSecretValue because no resource-based policy allows the "
     "secretsmanager:GetSecretValue action"},
    {"implicit: permissions boundary", POLICY_TYPE_BOUNDARY, "arn:aws:iam::123456789012:user/John",
     "codedeploy:ListDeployments", "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:*",
     "User: arn:aws:iam::123456789012:user/John is not authorized to perform: "
     "codedeploy:ListDeployments on resource: "
     "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:* because no permissions "
     "boundary allows the codedeploy:ListDeployments action"},
    {"implicit: session policy", POLICY_TYPE_SESSION, "arn:aws:iam::123456789012:user/John",
     "codecommit:ListRepositories", "*",
     "User: arn:aws:iam::123456789012:user/John is not authorized to perform: "
     "codecommit:ListRepositories because no session policy allows the "
     "codecommit:ListRepositories action"},
    {"implicit: service control policy", POLICY_TYPE_SCP, "arn:aws:iam::777788889999:user/John",
     "codecommit:ListRepositories", "*",
     "User: arn:aws:iam::777788889999:user/John is not authorized to perform: "
     "codecommit:ListRepositories because no service control policy allows the "
     "codecommit:ListRepositories action"},
    {"implicit: VPC endpoint policy", POLICY_TYPE_ENDPOINT, "arn:aws:iam::123456789012:user/John",
     "codecommit:ListRepositories", "*",
     "User: arn:aws:iam::123456789012:user/John is not authorized to perform: "
     "codecommit:ListRepositories because no VPC endpoint policy allows the "
     "codecommit:ListRepositories action"},
    // The general form "because no <type> policy allows" with the RCP type name.
    {"implicit: resource control policy", POLICY_TYPE_RCP, "arn:aws:iam::123456789012:user/John",
     "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:123456789012:secret:*",
     "User: arn:aws:iam::123456789012:user/John is not authorized to perform: "
     "secretsmanager:GetSecretValue on resource: "
     "arn:aws:secretsmanager:us-east-1:123456789012:secret:* because no resource control "
     "policy allows the secretsmanager:GetSecretValue action"},
    {"implicit: anonymous caller [real]", POLICY_TYPE_RESOURCE, "anonymous", "es:ESHttpGet", "*",
     "User: anonymous is not authorized to perform: es:ESHttpGet because no resource-based "
     "policy allows the es:ESHttpGet action"},
    {"implicit: anonymous caller with a resource", POLICY_TYPE_RESOURCE, "anonymous",
     "s3:GetObject", "arn:aws:s3:::b/k",
     "User: anonymous is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k "
     "because no resource-based policy allows the s3:GetObject action"},
    {"implicit: role session", POLICY_TYPE_IDENTITY,
     "arn:aws:sts::111122223333:assumed-role/StudioRole/ana", "sagemaker:CreateDomain",
     "arn:aws:sagemaker:us-east-1:111122223333:domain/d-1",
     "User: arn:aws:sts::111122223333:assumed-role/StudioRole/ana is not authorized to perform: "
     "sagemaker:CreateDomain on resource: arn:aws:sagemaker:us-east-1:111122223333:domain/d-1 "
     "because no identity-based policy allows the sagemaker:CreateDomain action"},
};

static void run_implicit_case(void **state)
{
    const struct implicit_case *c = *state;
    struct policy_request r = request(c->principal, c->action, c->resource);
    struct policy_decision d = decision(POLICY_IMPLICIT_DENY, c->type, NULL);
    expect_message(&d, &r, c->want);
}

// --- Explicit denies ([denied], [real])
// ----------------------------------------------------------------

static void test_explicit_identity_managed(void **state)
{
    struct fixture *f = *state;
    struct policy_request r = request("arn:aws:iam::966994807536:user/Anup", "ec2:RunInstances",
                                      "arn:aws:ec2:ap-south-1:966994807536:instance/*");
    struct policy_decision d =
        decision(POLICY_EXPLICIT_DENY, POLICY_TYPE_IDENTITY, f->identity_managed);
    expect_message(&d, &r,
                   "User: arn:aws:iam::966994807536:user/Anup is not authorized to perform: "
                   "ec2:RunInstances on resource: arn:aws:ec2:ap-south-1:966994807536:instance/* "
                   "with an explicit deny in an identity-based policy: "
                   "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3");
}

static void test_explicit_identity_no_resource(void **state)
{
    struct fixture *f = *state;
    struct policy_request r =
        request("arn:aws:sts::396608802942:assumed-role/sce-1-8-restricted-1776679765/"
                "sce-attack-1776679765",
                "ec2:DescribeInstances", "*");
    struct policy_decision d =
        decision(POLICY_EXPLICIT_DENY, POLICY_TYPE_IDENTITY, f->identity_managed2);
    expect_message(&d, &r,
                   "User: arn:aws:sts::396608802942:assumed-role/sce-1-8-restricted-1776679765/"
                   "sce-attack-1776679765 is not authorized to perform: ec2:DescribeInstances "
                   "with an explicit deny in an identity-based policy: "
                   "arn:aws:iam::396608802942:policy/sce-1-8-deny-imds-1776679765");
}

// An inline policy has no ARN: nothing is appended ([denied] example).
static void test_explicit_identity_inline(void **state)
{
    struct fixture *f = *state;
    struct policy_request r =
        request("arn:aws:iam::123456789012:role/HR", "codedeploy:ListDeployments",
                "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:*");
    struct policy_decision d =
        decision(POLICY_EXPLICIT_DENY, POLICY_TYPE_IDENTITY, f->identity_inline);
    expect_message(&d, &r,
                   "User: arn:aws:iam::123456789012:role/HR is not authorized to perform: "
                   "codedeploy:ListDeployments on resource: "
                   "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:* with an explicit "
                   "deny in an identity-based policy");
}

static void test_explicit_boundary(void **state)
{
    struct fixture *f = *state;
    struct policy_request r =
        request("arn:aws:iam::548387266019:user/bcsad-g10", "ec2:RunInstances",
                "arn:aws:ec2:ap-southeast-1:548387266019:instance/*");
    struct policy_decision d = decision(POLICY_EXPLICIT_DENY, POLICY_TYPE_BOUNDARY, f->boundary);
    expect_message(&d, &r,
                   "User: arn:aws:iam::548387266019:user/bcsad-g10 is not authorized to perform: "
                   "ec2:RunInstances on resource: "
                   "arn:aws:ec2:ap-southeast-1:548387266019:instance/* with an explicit deny in "
                   "a permissions boundary: arn:aws:iam::548387266019:policy/umak-lab-boundary");
}

static void test_explicit_boundary_without_arn(void **state)
{
    struct fixture *f = *state;
    struct policy_request r =
        request("arn:aws:iam::777788889999:user/John", "sagemaker:ListModels", "*");
    struct policy_decision d =
        decision(POLICY_EXPLICIT_DENY, POLICY_TYPE_BOUNDARY, f->boundary_noarn);
    expect_message(&d, &r,
                   "User: arn:aws:iam::777788889999:user/John is not authorized to perform: "
                   "sagemaker:ListModels with an explicit deny in a permissions boundary");
}

static void test_explicit_session(void **state)
{
    struct fixture *f = *state;
    struct policy_request r =
        request("arn:aws:sts::734500048898:assumed-role/qt_dev-developer/your-user@hashicorp.com",
                "ec2:DescribeImages", "*");
    struct policy_decision d = decision(POLICY_EXPLICIT_DENY, POLICY_TYPE_SESSION, f->session);
    expect_message(&d, &r,
                   "User: arn:aws:sts::734500048898:assumed-role/qt_dev-developer/"
                   "your-user@hashicorp.com is not authorized to perform: ec2:DescribeImages "
                   "with an explicit deny in a session policy");
}

static void test_explicit_resource_based(void **state)
{
    struct fixture *f = *state;
    struct policy_request r =
        request("arn:aws:iam::123456789012:user/John", "secretsmanager:GetSecretValue",
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:*");
    struct policy_decision d = decision(POLICY_EXPLICIT_DENY, POLICY_TYPE_RESOURCE, f->resource);
    expect_message(&d, &r,
                   "User: arn:aws:iam::123456789012:user/John is not authorized to perform: "
                   "secretsmanager:GetSecretValue on resource: "
                   "arn:aws:secretsmanager:us-east-1:123456789012:secret:* with an explicit deny "
                   "in a resource-based policy");
}

static void test_explicit_scp(void **state)
{
    struct fixture *f = *state;
    struct policy_request r =
        request("arn:aws:iam::777788889999:user/John", "codecommit:ListRepositories", "*");
    struct policy_decision d = decision(POLICY_EXPLICIT_DENY, POLICY_TYPE_SCP, f->scp);
    expect_message(&d, &r,
                   "User: arn:aws:iam::777788889999:user/John is not authorized to perform: "
                   "codecommit:ListRepositories with an explicit deny in a service control "
                   "policy");
}

static void test_explicit_rcp(void **state)
{
    struct fixture *f = *state;
    struct policy_request r =
        request("arn:aws:iam::123456789012:user/John", "secretsmanager:GetSecretValue",
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:*");
    struct policy_decision d = decision(POLICY_EXPLICIT_DENY, POLICY_TYPE_RCP, f->rcp);
    expect_message(&d, &r,
                   "User: arn:aws:iam::123456789012:user/John is not authorized to perform: "
                   "secretsmanager:GetSecretValue on resource: "
                   "arn:aws:secretsmanager:us-east-1:123456789012:secret:* with an explicit deny "
                   "in a resource control policy");
}

static void test_explicit_endpoint(void **state)
{
    struct fixture *f = *state;
    struct policy_request r =
        request("arn:aws:iam::123456789012:user/John", "codedeploy:ListDeployments",
                "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:*");
    struct policy_decision d = decision(POLICY_EXPLICIT_DENY, POLICY_TYPE_ENDPOINT, f->endpoint);
    expect_message(&d, &r,
                   "User: arn:aws:iam::123456789012:user/John is not authorized to perform: "
                   "codedeploy:ListDeployments on resource: "
                   "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:* with an explicit "
                   "deny in a VPC endpoint policy");
}

static void test_explicit_anonymous(void **state)
{
    struct fixture *f = *state;
    struct policy_request r = request("anonymous", "s3:GetObject", "arn:aws:s3:::b/k");
    struct policy_decision d = decision(POLICY_EXPLICIT_DENY, POLICY_TYPE_RESOURCE, f->resource);
    expect_message(&d, &r,
                   "User: anonymous is not authorized to perform: s3:GetObject on resource: "
                   "arn:aws:s3:::b/k with an explicit deny in a resource-based policy");
}

// --- sts:AssumeRole and the role trust policy ([denied]) -----------------------------------------

static void expect_trust(const struct policy_decision *d, const struct policy_request *r,
                         const char *prefix, const char *suffix)
{
    char out[512];
    size_t n = policy_decision_message(d, r, out, sizeof(out));
    assert_int_equal(n, strlen(out));
    if (strncmp(out, prefix, strlen(prefix)) != 0) {
        fail_msg("\"%s\" does not start with \"%s\"", out, prefix);
    }
    size_t len = strlen(out);
    if (len < strlen(suffix) || strcmp(out + len - strlen(suffix), suffix) != 0) {
        fail_msg("\"%s\" does not end with \"%s\"", out, suffix);
    }
}

static void test_trust_implicit(void **state)
{
    (void)state;
    struct policy_request r = request("arn:aws:iam::123456789012:user/John", "sts:AssumeRole",
                                      "arn:aws:iam::123456789012:role/broker");
    struct policy_decision d = decision(POLICY_IMPLICIT_DENY, POLICY_TYPE_RESOURCE, NULL);
    expect_trust(&d, &r,
                 "User: arn:aws:iam::123456789012:user/John is not authorized to perform: "
                 "sts:AssumeRole",
                 " because no role trust policy allows the sts:AssumeRole action");
}

static void test_trust_explicit(void **state)
{
    struct fixture *f = *state;
    struct policy_request r = request("arn:aws:iam::777788889999:user/John", "sts:AssumeRole",
                                      "arn:aws:iam::777788889999:role/broker");
    struct policy_decision d = decision(POLICY_EXPLICIT_DENY, POLICY_TYPE_RESOURCE, f->trust);
    expect_trust(&d, &r,
                 "User: arn:aws:iam::777788889999:user/John is not authorized to perform: "
                 "sts:AssumeRole",
                 " with an explicit deny in the role trust policy");
}

// The identity side of an AssumeRole keeps the identity-based wording.
static void test_assume_role_identity_side(void **state)
{
    (void)state;
    struct policy_request r = request("arn:aws:iam::123456789012:user/alice", "sts:AssumeRole",
                                      "arn:aws:iam::987654321098:role/InfraDeployRole");
    struct policy_decision d = decision(POLICY_IMPLICIT_DENY, POLICY_TYPE_IDENTITY, NULL);
    expect_trust(&d, &r,
                 "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: "
                 "sts:AssumeRole",
                 " because no identity-based policy allows the sts:AssumeRole action");
}

// --- Buffer handling (policy.h: like snprintf)
// -----------------------------------------------------------

#define FULL                                                                                       \
    "User: arn:aws:iam::111122223333:user/ana is not authorized to perform: s3:GetObject on "      \
    "resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action"

static void test_truncation(void **state)
{
    (void)state;
    struct policy_request r =
        request("arn:aws:iam::111122223333:user/ana", "s3:GetObject", "arn:aws:s3:::b/k");
    struct policy_decision d = decision(POLICY_IMPLICIT_DENY, POLICY_TYPE_IDENTITY, NULL);
    size_t full = strlen(FULL);
    char out[512];

    // Small buffer: cap - 1 characters and a NUL; the return value is the full length.
    memset(out, 'Z', sizeof(out));
    assert_int_equal(policy_decision_message(&d, &r, out, 10), full);
    assert_int_equal(out[9], '\0');
    assert_memory_equal(out, FULL, 9);
    assert_int_equal(out[10], 'Z');

    // Exactly enough room.
    memset(out, 'Z', sizeof(out));
    assert_int_equal(policy_decision_message(&d, &r, out, full + 1), full);
    assert_string_equal(out, FULL);
    assert_int_equal(out[full + 1], 'Z');

    // One byte short: the last character is dropped.
    memset(out, 'Z', sizeof(out));
    assert_int_equal(policy_decision_message(&d, &r, out, full), full);
    assert_int_equal(strlen(out), full - 1);
    assert_memory_equal(out, FULL, full - 1);

    // cap 1: only the NUL.
    memset(out, 'Z', sizeof(out));
    assert_int_equal(policy_decision_message(&d, &r, out, 1), full);
    assert_int_equal(out[0], '\0');
    assert_int_equal(out[1], 'Z');

    // cap 0: nothing written.
    memset(out, 'Z', sizeof(out));
    assert_int_equal(policy_decision_message(&d, &r, out, 0), full);
    assert_int_equal(out[0], 'Z');
}

static void test_allowed_is_empty(void **state)
{
    (void)state;
    struct policy_request r =
        request("arn:aws:iam::111122223333:user/ana", "s3:GetObject", "arn:aws:s3:::b/k");
    struct policy_decision d;
    memset(&d, 0, sizeof(d));
    d.result = POLICY_ALLOWED;
    char out[64];
    memset(out, 'Z', sizeof(out));
    assert_int_equal(policy_decision_message(&d, &r, out, sizeof(out)), 0);
    assert_string_equal(out, "");
}

// policy.h: the names the simulator prints.
static void test_names(void **state)
{
    (void)state;
    assert_string_equal(policy_result_name(POLICY_ALLOWED), "Allowed");
    assert_string_equal(policy_result_name(POLICY_IMPLICIT_DENY), "ImplicitlyDenied");
    assert_string_equal(policy_result_name(POLICY_EXPLICIT_DENY), "ExplicitlyDenied");
    assert_string_equal(policy_type_name(POLICY_TYPE_IDENTITY), "identity");
    assert_string_equal(policy_type_name(POLICY_TYPE_RESOURCE), "resource");
    assert_string_equal(policy_type_name(POLICY_TYPE_SCP), "scp");
    assert_string_equal(policy_type_name(POLICY_TYPE_RCP), "rcp");
    assert_string_equal(policy_type_name(POLICY_TYPE_BOUNDARY), "boundary");
    assert_string_equal(policy_type_name(POLICY_TYPE_SESSION), "session");
    assert_string_equal(policy_type_name(POLICY_TYPE_ENDPOINT), "vpc-endpoint");
}

int main(void)
{
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test_setup_teardown(test_explicit_identity_managed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_identity_no_resource, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_identity_inline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_boundary_without_arn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_resource_based, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_scp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_rcp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_anonymous, setup, teardown),
        cmocka_unit_test(test_trust_implicit),
        cmocka_unit_test_setup_teardown(test_trust_explicit, setup, teardown),
        cmocka_unit_test(test_assume_role_identity_side),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_allowed_is_empty),
        cmocka_unit_test(test_names),
    };
    size_t n_fixed = sizeof(fixed) / sizeof(fixed[0]);
    size_t n_imp = sizeof(implicit_cases) / sizeof(implicit_cases[0]);
    struct CMUnitTest *tests = calloc(n_fixed + n_imp, sizeof(*tests));
    assert_non_null(tests);
    size_t k = 0;
    for (size_t i = 0; i < n_fixed; i++) {
        tests[k++] = fixed[i];
    }
    for (size_t i = 0; i < n_imp; i++) {
        tests[k++] = (struct CMUnitTest){.name = implicit_cases[i].name,
                                         .test_func = run_implicit_case,
                                         .initial_state = (void *)&implicit_cases[i]};
    }
    int rc = _cmocka_run_group_tests("policy_message", tests, k, NULL, NULL);
    free(tests);
    return rc;
}
