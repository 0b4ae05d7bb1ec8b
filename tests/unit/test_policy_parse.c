// SPDX-License-Identifier: Apache-2.0
// Unit tests for the policy parser (policy_parse.c): the grammar of IAM JSON policies and the
// validation IAM applies before it accepts a document, with IAM's own MalformedPolicyDocument and
// LimitExceeded wording.
//
// Expected values come from the AWS documentation and from messages AWS returned, never from the
// code under test. The sources cited below are:
//   [grammar]  IAM User Guide, "Grammar of the IAM JSON policy language"
//              (awsdocs/iam-user-guide doc_source/reference_policies_grammar.md)
//   [version]  IAM User Guide, "IAM JSON policy elements: Version"
//   [principal] IAM User Guide, "AWS JSON policy elements: Principal"
//   [quotas]   IAM User Guide, "IAM and AWS STS quotas" (reference_iam-quotas.md): policy sizes,
//              "IAM does not count white space", allowed characters U+0009, U+000A, U+000D,
//              U+0020..U+00FF
//   [vars]     IAM User Guide, "IAM policy elements: Variables and tags"
//   [aws-rec]  error messages recorded from real IAM CreatePolicy calls in moto's
//              tests/test_iam/test_iam_policies.py (spulec/moto, "An error occurred
//              (MalformedPolicyDocument) when calling the CreatePolicy operation: ...")
//   [ct]       CloudTrail records of real CreatePolicy failures (splunk attack_data T1580 capture):
//              "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the
//              regular expression [0-9A-Za-z]*" and "Resource 174313347505.dkr.ecr.us-west-2.
//              amazonaws.com/mhart-experimental must be in ARN format or \"*\"."
//   [tf-13449] hashicorp/terraform#13449 (PutRolePolicy), terraform-provider-aws#10419
//              (PutGroupPolicy): "MalformedPolicyDocument: Policy document should not specify a
//              principal."
//   [ext-6]    kubernetes-sigs/external-dns#3085, hashicorp/terraform#34231 (CreateRole):
//              "MalformedPolicyDocument: Has prohibited field Resource"
//   [tf-iam-47] terraform-aws-modules/terraform-aws-iam#47 (CreateRole, 2020): "Invalid principal
//              in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a
//              statement with no principals!"; quoted again in 2026 as "MalformedPolicyDocument:
//              The passed in policy has a statement with no principals!". ("Missing required field
//              Principal" is Amazon S3's wording for bucket policies, not IAM's.)
//   [iamy-74]  99designs/iamy#74: create-policy --policy-document null -> "Syntax errors in
//              policy."
//   [size]     "LimitExceeded: Cannot exceed quota for PolicySize: 6144" (docker/docs#6218,
//              ministryofjustice/cloud-platform-environments#14473, LBHackney-IT/Data-Platform#2116
//              "Cannot exceed the quota for PolicySize: 6144."), "Maximum policy size of 2048 bytes
//              exceeded for user" (cloud-platform-environments#5303), "Maximum policy size of 5120
//              bytes exceeded for group travis-ci" (HumanCellAtlas/data-store#1963), "Cannot exceed
//              quota for ACLSizePerRole: 2048" (kubeflow/kubeflow#6687, apache/airflow#27331)
//   [version-rec] "Policy document must be version 2012-10-17 or greater." from CreatePolicy
//              without Version or with 2008-10-17 ([aws-rec]; Meteor-CollectionFS#630 in the
//              console; laurilehmijoki/s3_website#219 "The 2008 version would not validate")
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

// The exact messages, spelled once.
#define MSG_SYNTAX     "Syntax errors in policy."
#define MSG_VERSION    "Policy document must be version 2012-10-17 or greater."
#define MSG_LEGACY     "The policy failed legacy parsing"
#define MSG_ACTIONS    "Policy statement must contain actions."
#define MSG_RESOURCES  "Policy statement must contain resources."
#define MSG_VENDOR     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
#define MSG_ONE_COLON  "Actions/Condition can contain only one colon."
#define MSG_SID_UNIQUE "Statement IDs (SID) in a single policy must be unique."
#define MSG_SID_ALNUM                                                                              \
    "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "      \
    "expression [0-9A-Za-z]*"
#define MSG_PRINCIPAL  "Policy document should not specify a principal."
#define MSG_PROHIBITED "Has prohibited field Resource."

// Policies are written with ' for " to stay readable; q() swaps them back. The caller frees.
static char *q(const char *s)
{
    size_t n = strlen(s);
    char *r = malloc(n + 1);
    assert_non_null(r);
    for (size_t i = 0; i <= n; i++) {
        r[i] = s[i] == '\'' ? '"' : s[i];
    }
    return r;
}

// Parses the '-quoted document doc; returns the policy or NULL and fills *err.
static struct policy *parse_q(const char *doc, enum policy_kind kind, struct policy_error *err)
{
    char *json = q(doc);
    struct policy *p = NULL;
    memset(err, 0, sizeof(*err));
    int rc = policy_parse(json, strlen(json), kind, "test", NULL, &p, err);
    free(json);
    if (rc != 0) {
        assert_int_equal(rc, -1);
        assert_null(p);
        return NULL;
    }
    assert_non_null(p);
    return p;
}

static struct policy *must_parse(const char *doc, enum policy_kind kind)
{
    struct policy_error err;
    struct policy *p = parse_q(doc, kind, &err);
    if (p == NULL) {
        fail_msg("policy refused (%d: %s): %s", (int)err.code, err.message, doc);
    }
    return p;
}

// --- Refused documents -------------------------------------------------------------------------

struct err_case {
    const char *name;
    enum policy_kind kind;
    const char *doc;             // '-quoted JSON
    enum policy_error_code code; // expected code
    const char *message;         // exact expected message, or NULL
    const char *contains;        // a substring the message must contain, or NULL
};

#define V "'Version':'2012-10-17',"
#define OKSTMT                                                                                     \
    "{'Effect':'Allow','Action':'s3:ListBucket','Resource':'arn:aws:s3:::example_bucket'}"

static const struct err_case err_cases[] = {
    // --- JSON and top level ([aws-rec], [iamy-74], [grammar]) ---
    {"json: not a JSON document", POLICY_KIND_IDENTITY, "This is not a json document",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"json: truncated object", POLICY_KIND_IDENTITY, "{" V "'Statement':" OKSTMT,
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"json: empty text", POLICY_KIND_IDENTITY, "", POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"json: null document [iamy-74]", POLICY_KIND_IDENTITY, "null", POLICY_ERR_MALFORMED,
     MSG_SYNTAX, NULL},
    {"json: top-level array", POLICY_KIND_IDENTITY, "[{" V "'Statement':" OKSTMT "}]",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"json: two top-level objects", POLICY_KIND_IDENTITY,
     "{" V "'Statement':" OKSTMT "}{'Statement':" OKSTMT "}", POLICY_ERR_MALFORMED, NULL, NULL},
    {"top: unknown element", POLICY_KIND_IDENTITY,
     "{" V "'Statement':" OKSTMT ",'Extra field':'value'}", POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"top: Statement missing", POLICY_KIND_IDENTITY, "{'Version':'2012-10-17'}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"top: Statement empty list", POLICY_KIND_IDENTITY, "{" V "'Statement':[]}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"top: Statement list of strings", POLICY_KIND_IDENTITY, "{" V "'Statement':['afd']}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"top: Statement is a string", POLICY_KIND_IDENTITY, "{" V "'Statement':'x'}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"top: Id is a list", POLICY_KIND_IDENTITY,
     "{" V "'Id':['cd3a324d2343d942772346-34234234423404-4c2242343242349d1642ee'],"
     "'Statement':" OKSTMT "}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"top: Id is an object", POLICY_KIND_IDENTITY, "{" V "'Id':{},'Statement':" OKSTMT "}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    // [grammar] "Individual elements must not contain multiple instances of the same key."
    {"top: Statement twice", POLICY_KIND_IDENTITY,
     "{" V "'Statement':" OKSTMT ",'Statement':" OKSTMT "}", POLICY_ERR_MALFORMED, NULL, NULL},
    {"stmt: Effect twice", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Deny','Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'*'}}",
     POLICY_ERR_MALFORMED, NULL, NULL},

    // --- Version ([grammar], [version-rec]) ---
    {"version: unknown value", POLICY_KIND_IDENTITY,
     "{'Version':'2013-10-17','Statement':" OKSTMT "}", POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"version: unknown value (inline)", POLICY_KIND_INLINE_USER,
     "{'Version':'2012-10-18','Statement':" OKSTMT "}", POLICY_ERR_MALFORMED, NULL, NULL},
    {"version: a number", POLICY_KIND_INLINE_USER, "{'Version':2012,'Statement':" OKSTMT "}",
     POLICY_ERR_MALFORMED, NULL, NULL},
    {"version: absent in a managed policy", POLICY_KIND_IDENTITY, "{'Statement':" OKSTMT "}",
     POLICY_ERR_MALFORMED, MSG_VERSION, NULL},
    {"version: 2008-10-17 in a managed policy", POLICY_KIND_IDENTITY,
     "{'Version':'2008-10-17','Statement':" OKSTMT "}", POLICY_ERR_MALFORMED, MSG_VERSION, NULL},
    // A permissions boundary is a managed policy created with CreatePolicy.
    {"version: absent in a boundary", POLICY_KIND_BOUNDARY, "{'Statement':" OKSTMT "}",
     POLICY_ERR_MALFORMED, MSG_VERSION, NULL},

    // --- Effect ([aws-rec]: an unknown value is a syntax error, a wrongly cased one fails the
    // case-sensitive legacy parser) ---
    {"effect: missing", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Action':'s3:ListBucket','Resource':'arn:aws:s3:::example_bucket'}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"effect: invalid", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'invalid','Action':'s3:ListBucket','Resource':'*'}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"effect: lowercase allow", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'allow','Action':'s3:ListBucket','Resource':'*'}}",
     POLICY_ERR_MALFORMED, MSG_LEGACY, NULL},
    {"effect: denY", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'denY','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket'}}",
     POLICY_ERR_MALFORMED, MSG_LEGACY, NULL},
    {"effect: not a string", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':true,'Action':'s3:ListBucket','Resource':'*'}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},

    // --- Action / NotAction ([aws-rec]) ---
    {"action: no vendor", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'invalid',"
     "'Resource':'arn:aws:s3:::example_bucket'}}",
     POLICY_ERR_MALFORMED, MSG_VENDOR, NULL},
    {"action: empty NotAction string", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','NotAction':'',"
     "'Resource':'arn:aws:s3:::example_bucket'}}",
     POLICY_ERR_MALFORMED, MSG_VENDOR, NULL},
    {"action: no vendor in a list", POLICY_KIND_INLINE_ROLE,
     "{" V "'Statement':{'Effect':'Allow','Action':['s3:GetObject','GetObject'],"
     "'Resource':'*'}}",
     POLICY_ERR_MALFORMED, MSG_VENDOR, NULL},
    {"action: two colons", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:List:Bucket',"
     "'Resource':'arn:aws:s3:::example_bucket'}}",
     POLICY_ERR_MALFORMED, MSG_ONE_COLON, NULL},
    {"action: vendor with a space", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'a a:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket'}}",
     POLICY_ERR_MALFORMED, "Vendor a a is not valid", NULL},
    {"action: empty list", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':[],"
     "'Resource':'arn:aws:s3:::example_bucket'}}",
     POLICY_ERR_MALFORMED, MSG_ACTIONS, NULL},
    {"action: empty NotAction list", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','NotAction':[],'Resource':'*'}}", POLICY_ERR_MALFORMED,
     MSG_ACTIONS, NULL},
    {"action: missing", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Resource':'arn:aws:s3:::example_bucket'}}",
     POLICY_ERR_MALFORMED, MSG_ACTIONS, NULL},
    {"action: missing in the first of two statements", POLICY_KIND_IDENTITY,
     "{" V "'Statement':[{'Effect':'Deny'}," OKSTMT "]}", POLICY_ERR_MALFORMED, MSG_ACTIONS, NULL},
    {"action: Action and NotAction", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','NotAction':'s3:ListBucket','Action':'iam:dsf',"
     "'Resource':'arn:aws:s3:::example_bucket'}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"action: Action and empty NotAction list", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','NotAction':'s3s:ListBucket','Action':[],"
     "'Resource':'arn:aws:s3:::example_bucket'}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"action: object", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':{},"
     "'Resource':'arn:aws:s3:::example_bucket'}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"action: nested list", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Deny','Action':[[]],"
     "'Resource':'arn:aws:s3:::example_bucket'}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},

    // --- Resource / NotResource ([aws-rec], [ct]) ---
    {"resource: not an ARN", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'invalid resource'}}",
     POLICY_ERR_MALFORMED, "Resource invalid resource must be in ARN format or \"*\".", NULL},
    {"resource: empty string", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket','Resource':''}}",
     POLICY_ERR_MALFORMED, "Resource  must be in ARN format or \"*\".", NULL},
    {"resource: not an ARN in a list", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket','Resource':['adf']}}",
     POLICY_ERR_MALFORMED, "Resource adf must be in ARN format or \"*\".", NULL},
    {"resource: ECR registry URI [ct]", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'ecr:*',"
     "'Resource':'174313347505.dkr.ecr.us-west-2.amazonaws.com/mhart-experimental'}}",
     POLICY_ERR_MALFORMED,
     "Resource 174313347505.dkr.ecr.us-west-2.amazonaws.com/mhart-experimental must be in ARN "
     "format or \"*\".",
     NULL},
    {"resource: NotResource not an ARN", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Deny','Action':'s3:*','NotResource':'bucket'}}",
     POLICY_ERR_MALFORMED, "Resource bucket must be in ARN format or \"*\".", NULL},
    // [aws-rec] (moto's recorded IAM messages): buckets and objects have no region.
    {"resource: s3 bucket with a region", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:GetObject',"
     "'Resource':'arn:aws:s3:us-east-1::bucket/key'}}",
     POLICY_ERR_MALFORMED,
     "Resource arn:aws:s3:us-east-1::bucket/key can not contain region information.", NULL},
    // [aws-rec]: "Resource vendor must be fully qualified and cannot contain regexes."
    {"resource: ARN without a service", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket','Resource':'arn:aws'}}",
     POLICY_ERR_MALFORMED, NULL, NULL},
    // [aws-rec]: "The policy failed legacy parsing"
    {"resource: ARN with too few parts", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3::example_bucket'}}",
     POLICY_ERR_MALFORMED, NULL, NULL},
    {"resource: missing in an identity policy", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket'}}", POLICY_ERR_MALFORMED,
     MSG_RESOURCES, NULL},
    {"resource: missing in an inline role policy", POLICY_KIND_INLINE_ROLE,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket'}}", POLICY_ERR_MALFORMED,
     MSG_RESOURCES, NULL},
    {"resource: empty list", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket','Resource':[]}}",
     POLICY_ERR_MALFORMED, MSG_RESOURCES, NULL},
    {"resource: Resource and NotResource", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket','NotResource':'*'}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"resource: object", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':{'a':'arn:aws:s3:::example_bucket'}}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"resource: object in a list", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Deny','Action':'s3:ListBucket','Resource':['adfdf',{}]}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    // [quotas]: only tab, LF, CR and U+0020..U+00FF may appear in a policy document.
    {"chars: control character in a string", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:GetObject',"
     "'Resource':'arn:aws:s3:::b/a\\u0001b'}}",
     POLICY_ERR_MALFORMED, NULL, NULL},
    {"chars: character above U+00FF", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:GetObject',"
     "'Resource':'arn:aws:s3:::b/\\u20ac'}}",
     POLICY_ERR_MALFORMED, NULL, NULL},

    // --- Condition block shape ([aws-rec]; the operators are tested in test_policy_cond.c) ---
    {"condition: list", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket','Condition':[]}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"condition: string", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket','Condition':'a'}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"condition: operator value not an object", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket','Condition':{'DateGreaterThan':'b'}}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"condition: unknown operator with a string", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket','Condition':{'a':'b'}}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"condition: unknown operator", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket','Condition':{'x':{'a':'1'}}}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"condition: misspelt operator", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'*','Condition':{'StringEqual':{'aws:username':'ana'}}}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"condition: double colon after the qualifier", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket',"
     "'Condition':{'ForAnyValue::StringEqualsIfExists':{'a':'asf'}}}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"condition: key value is an object", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket','Condition':{'DateGreaterThan':{'a':{}}}}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"condition: list of blocks", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket',"
     "'Condition':[{'ForAllValues:StringEquals':{'aws:TagKeys':'Department'}}]}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},

    // --- Sid ([aws-rec], [ct]) ---
    {"sid: object", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Sid':{},'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket'}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"sid: list", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Sid':[],'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket'}}",
     POLICY_ERR_MALFORMED, MSG_SYNTAX, NULL},
    {"sid: duplicate", POLICY_KIND_IDENTITY,
     "{" V "'Statement':[{'Sid':'sdf','Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket'},"
     "{'Sid':'sdf','Effect':'Allow','Action':'s3:GetObject','Resource':'*'}]}",
     POLICY_ERR_MALFORMED, MSG_SID_UNIQUE, NULL},
    {"sid: duplicate in a bucket policy", POLICY_KIND_RESOURCE,
     "{" V "'Statement':[{'Sid':'One','Effect':'Allow','Principal':'*',"
     "'Action':'s3:GetObject','Resource':'arn:aws:s3:::b/*'},"
     "{'Sid':'One','Effect':'Deny','Principal':'*','Action':'s3:PutObject',"
     "'Resource':'arn:aws:s3:::b/*'}]}",
     POLICY_ERR_MALFORMED, NULL, NULL},
    {"sid: underscores in a managed policy [ct]", POLICY_KIND_IDENTITY,
     "{" V "'Statement':[{'Sid':'Atomic_Red_Team','Effect':'Allow',"
     "'Action':'iam:CreatePolicyVersion','Resource':'arn:aws:iam::*:policy/*'}]}",
     POLICY_ERR_MALFORMED, MSG_SID_ALNUM, NULL},
    {"sid: hyphen in an inline policy", POLICY_KIND_INLINE_USER,
     "{" V "'Statement':[{'Sid':'autogenerated-id','Effect':'Allow',"
     "'Action':'s3:ListBucket','Resource':'arn:aws:s3:::carthage-cache'}]}",
     POLICY_ERR_MALFORMED, MSG_SID_ALNUM, NULL},
    {"sid: spaces in a managed policy", POLICY_KIND_IDENTITY,
     "{" V "'Statement':[{'Sid':'Allow use of KMS key','Effect':'Allow',"
     "'Action':'kms:Encrypt','Resource':'*'}]}",
     POLICY_ERR_MALFORMED, MSG_SID_ALNUM, NULL},

    // --- Principal where none is allowed ([principal]: "You cannot use the Principal element in
    // an identity-based policy"; [grammar]: "It must not be included in identity-based
    // policies"; [tf-13449] for the wording) ---
    {"principal: in a managed policy", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::123456789012:root'},"
     "'Action':'s3:*','Resource':'arn:aws:s3:::dummy-bucket/*'}}",
     POLICY_ERR_MALFORMED, MSG_PRINCIPAL, NULL},
    {"principal: in an inline role policy [tf-13449]", POLICY_KIND_INLINE_ROLE,
     "{" V "'Statement':{'Effect':'Allow','Action':'sts:AssumeRole',"
     "'Principal':{'Service':'ec2.amazonaws.com'},'Resource':'*'}}",
     POLICY_ERR_MALFORMED, MSG_PRINCIPAL, NULL},
    {"principal: in an inline group policy [tf-10419]", POLICY_KIND_INLINE_GROUP,
     "{" V "'Statement':{'Sid':'x1','Effect':'Allow','Action':'sts:AssumeRole',"
     "'Resource':'arn:aws:iam::123456789012:role/iac',"
     "'Principal':{'AWS':'arn:aws:iam::123456789012:user/iac'}}}",
     POLICY_ERR_MALFORMED, MSG_PRINCIPAL, NULL},
    {"principal: in an inline user policy", POLICY_KIND_INLINE_USER,
     "{" V "'Statement':{'Effect':'Allow','Principal':'*','Action':'s3:*','Resource':'*'}}",
     POLICY_ERR_MALFORMED, MSG_PRINCIPAL, NULL},
    {"principal: in a permissions boundary", POLICY_KIND_BOUNDARY,
     "{" V "'Statement':{'Effect':'Allow','Principal':'*','Action':'s3:*','Resource':'*'}}",
     POLICY_ERR_MALFORMED, MSG_PRINCIPAL, NULL},
    {"principal: NotPrincipal in a managed policy", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Deny','NotPrincipal':{'AWS':'arn:aws:iam::123456789012:root'},"
     "'Action':'s3:*','Resource':'*'}}",
     POLICY_ERR_MALFORMED, NULL, NULL},
    {"principal: in a session policy", POLICY_KIND_SESSION,
     "{" V "'Statement':{'Effect':'Allow','Principal':'*','Action':'s3:*','Resource':'*'}}",
     POLICY_ERR_MALFORMED, NULL, NULL},
    {"principal: in a service control policy", POLICY_KIND_SCP,
     "{" V "'Statement':{'Effect':'Deny','Principal':'*','Action':'s3:*','Resource':'*'}}",
     POLICY_ERR_MALFORMED, NULL, NULL},

    // --- Principal required ([grammar]: "The principal_block element is required in
    // resource-based policies ... and in trust policies for IAM roles") ---
    {"principal: missing in a trust policy [tf-iam-47]", POLICY_KIND_TRUST,
     "{" V "'Statement':{'Effect':'Allow','Action':'sts:AssumeRole'}}", POLICY_ERR_MALFORMED, NULL,
     "The passed in policy has a statement with no principals!"},
    {"principal: missing in a bucket policy", POLICY_KIND_RESOURCE,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:GetObject',"
     "'Resource':'arn:aws:s3:::b/*'}}",
     POLICY_ERR_MALFORMED, NULL, NULL},
    {"principal: missing in a key policy", POLICY_KIND_KEY,
     "{" V "'Statement':{'Effect':'Allow','Action':'kms:*','Resource':'*'}}", POLICY_ERR_MALFORMED,
     NULL, NULL},
    // [principal]: "You cannot use a wildcard to match part of a principal name or ARN."
    {"principal: partial wildcard in a trust policy", POLICY_KIND_TRUST,
     "{" V "'Statement':{'Effect':'Allow','Action':'sts:AssumeRole',"
     "'Principal':{'AWS':'arn:aws:iam::123456789012:role/*'}}}",
     POLICY_ERR_MALFORMED, NULL, NULL},
    {"principal: unknown principal type", POLICY_KIND_TRUST,
     "{" V "'Statement':{'Effect':'Allow','Action':'sts:AssumeRole',"
     "'Principal':{'Group':'arn:aws:iam::123456789012:group/admins'}}}",
     POLICY_ERR_MALFORMED, NULL, NULL},
    {"principal: a string other than *", POLICY_KIND_RESOURCE,
     "{" V "'Statement':{'Effect':'Allow','Principal':'arn:aws:iam::123456789012:root',"
     "'Action':'s3:GetObject','Resource':'arn:aws:s3:::b/*'}}",
     POLICY_ERR_MALFORMED, NULL, NULL},

    // --- Trust policies have no Resource ([ext-6]) ---
    {"trust: Resource present [ext-6]", POLICY_KIND_TRUST,
     "{" V "'Statement':[{'Action':['sts:AssumeRole'],'Effect':'Allow','Resource':'*',"
     "'Principal':{'Service':'ec2.amazonaws.com'}}]}",
     POLICY_ERR_MALFORMED, MSG_PROHIBITED, NULL},
    {"trust: NotResource present", POLICY_KIND_TRUST,
     "{" V "'Statement':[{'Action':'sts:AssumeRole','Effect':'Allow','NotResource':'*',"
     "'Principal':{'Service':'ec2.amazonaws.com'}}]}",
     POLICY_ERR_MALFORMED, NULL, NULL},
};

static void run_err_case(void **state)
{
    const struct err_case *c = *state;
    struct policy_error err;
    struct policy *p = parse_q(c->doc, c->kind, &err);
    if (p != NULL) {
        policy_free(p);
        fail_msg("accepted, expected code %d \"%s\"", (int)c->code,
                 c->message ? c->message : (c->contains ? c->contains : ""));
    }
    assert_int_equal(err.code, c->code);
    if (c->message != NULL) {
        assert_string_equal(err.message, c->message);
    }
    if (c->contains != NULL && strstr(err.message, c->contains) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err.message, c->contains);
    }
}

// --- Accepted documents --------------------------------------------------------------------------

struct ok_case {
    const char *name;
    enum policy_kind kind;
    const char *doc;
};

static const struct ok_case ok_cases[] = {
    // [aws-managed] AWS's own SageMakerStudioProjectRoleMachineLearningPolicy (v42) names S3
    // access grants, which belong to an account and a region; only bucket and object ARNs (no
    // account) may not carry a region.
    {"s3 resource of an account with a region", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:GetDataAccess',"
     "'Resource':'arn:aws:s3:*:*:access-grants/default/grant/*'}}"},
    {"s3 access point with a region", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:GetObject',"
     "'Resource':'arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/*'}}"},
    // [grammar] Statement as an object or as a list; blocks in any order.
    {"statement as object", POLICY_KIND_IDENTITY, "{" V "'Statement':" OKSTMT "}"},
    {"statement as list", POLICY_KIND_IDENTITY, "{" V "'Statement':[" OKSTMT "]}"},
    {"blocks in any order", POLICY_KIND_IDENTITY,
     "{'Statement':{'Resource':'*','Action':'s3:ListBucket','Effect':'Allow'},"
     "'Version':'2012-10-17'}"},
    // [aws-rec] valid documents: Id accepted by CreatePolicy, Condition {}, NotAction with
    // NotResource, an action of an unknown service, vendors with - and .
    {"id in a managed policy", POLICY_KIND_IDENTITY,
     "{" V "'Id':'sdfsdfsdf','Statement':{'Effect':'Allow','NotAction':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket'}}"},
    {"operator without keys", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket','Condition':{'DateGreaterThan':{}}}}"},
    {"empty condition block", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket','Condition':{}}}"},
    {"NotAction with NotResource *", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','NotAction':'s3:ListBucket','NotResource':'*'}}"},
    {"Deny with a NotResource list", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Deny','Action':'s3:*','NotResource':"
     "['arn:aws:s3:::HRBucket/Payroll','arn:aws:s3:::HRBucket/Payroll/*']}}"},
    {"unknown service in an action", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'aaaaaadsfdsafsadfsadfaaaaa:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket'}}"},
    {"vendor with a hyphen", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3-s:ListBucket','Resource':'*'}}"},
    {"vendor with a dot", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3.s:ListBucket','Resource':'*'}}"},
    {"action *", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'*','Resource':'arn:aws:s3:::example_bucket'}}"},
    {"resource list with *", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':['arn:aws:s3:::example_bucket','*']}}"},
    {"set qualifier and IfExists", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket',"
     "'Condition':{'ForAnyValue:StringEqualsIfExists':{'a':'asf'}}}}"},
    {"self-service MFA policy with variables", POLICY_KIND_IDENTITY,
     "{" V "'Statement':[{'Sid':'AllowManageOwnPasswords','Effect':'Allow',"
     "'Action':['iam:ChangePassword','iam:GetUser'],"
     "'Resource':'arn:aws:iam::*:user/${aws:username}'},"
     "{'Sid':'DenyAllExceptListedIfNoMFA','Effect':'Deny',"
     "'NotAction':['iam:CreateVirtualMFADevice','sts:GetSessionToken'],'Resource':'*',"
     "'Condition':{'BoolIfExists':{'aws:MultiFactorAuthPresent':'false'}}}]}"},
    {"cognito variable", POLICY_KIND_IDENTITY,
     "{" V "'Statement':[{'Sid':'ReadWriteDeleteYourObjects','Effect':'Allow',"
     "'Action':['s3:GetObject','s3:PutObject'],'Resource':["
     "'arn:aws:s3:::bucket-name/cognito/application-name/${cognito-identity.amazonaws.com:sub}',"
     "'arn:aws:s3:::bucket-name/cognito/application-name/${cognito-identity.amazonaws.com:sub}/*'"
     "]}]}"},
    {"statements with and without Sid", POLICY_KIND_IDENTITY,
     "{" V "'Statement':[{'Sid':'sdf','Effect':'Allow','Action':'s3:ListBucket',"
     "'Resource':'arn:aws:s3:::example_bucket'}," OKSTMT "]}"},
    // [quotas]: U+0020..U+00FF are allowed.
    {"latin-1 character", POLICY_KIND_IDENTITY,
     "{" V "'Statement':{'Effect':'Allow','Action':'s3:GetObject',"
     "'Resource':'arn:aws:s3:::b/caf\\u00e9'}}"},
    {"tab and newline whitespace", POLICY_KIND_IDENTITY,
     "{\n\t'Version':'2012-10-17',\r\n\t'Statement':" OKSTMT "\n}"},

    // [version]: inline policies without Version use 2008-10-17 semantics.
    {"inline user policy without Version", POLICY_KIND_INLINE_USER, "{'Statement':" OKSTMT "}"},
    {"inline role policy 2008-10-17", POLICY_KIND_INLINE_ROLE,
     "{'Version':'2008-10-17','Statement':" OKSTMT "}"},

    // Trust policies: [principal] examples; "Sid": "" is what terraform's aws_iam_policy_document
    // writes (hashicorp/terraform#17987, DataDog/stratus-red-team#174).
    {"trust: service principal", POLICY_KIND_TRUST,
     "{" V "'Statement':{'Effect':'Allow','Principal':{'Service':'ec2.amazonaws.com'},"
     "'Action':'sts:AssumeRole'}}"},
    {"trust: empty Sid", POLICY_KIND_TRUST,
     "{" V "'Statement':[{'Sid':'','Effect':'Allow',"
     "'Principal':{'AWS':'arn:aws:iam::123456789012:root'},'Action':'sts:AssumeRole'}]}"},
    {"trust: account id", POLICY_KIND_TRUST,
     "{" V "'Statement':{'Effect':'Allow','Principal':{'AWS':'123456789012'},"
     "'Action':'sts:AssumeRole','Condition':{'StringEquals':{'sts:ExternalId':'secret'}}}}"},
    {"trust: several service principals", POLICY_KIND_TRUST,
     "{" V "'Statement':{'Effect':'Allow','Principal':{'Service':"
     "['ecs.amazonaws.com','elasticloadbalancing.amazonaws.com']},'Action':'sts:AssumeRole'}}"},
    {"trust: SAML provider", POLICY_KIND_TRUST,
     "{" V "'Statement':{'Effect':'Allow','Principal':"
     "{'Federated':'arn:aws:iam::123456789012:saml-provider/provider-name'},"
     "'Action':'sts:AssumeRoleWithSAML',"
     "'Condition':{'StringEquals':{'SAML:aud':'https://signin.aws.amazon.com/saml'}}}}"},
    {"trust: web identity", POLICY_KIND_TRUST,
     "{" V "'Statement':{'Effect':'Allow','Principal':{'Federated':'accounts.google.com'},"
     "'Action':'sts:AssumeRoleWithWebIdentity'}}"},
    {"trust: user, role, session and federated user", POLICY_KIND_TRUST,
     "{" V "'Statement':{'Effect':'Allow','Principal':{'AWS':["
     "'arn:aws:iam::123456789012:user/division/ana',"
     "'arn:aws:iam::123456789012:role/StudioRole',"
     "'arn:aws:sts::123456789012:assumed-role/StudioRole/session1',"
     "'arn:aws:sts::123456789012:federated-user/bob']},'Action':'sts:AssumeRole'}}"},
    {"trust: principal *", POLICY_KIND_TRUST,
     "{" V "'Statement':{'Effect':'Allow','Principal':'*','Action':'sts:AssumeRole',"
     "'Condition':{'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}}}}"},

    // Resource-based policies.
    {"bucket policy: principal * and 2008-10-17", POLICY_KIND_RESOURCE,
     "{'Version':'2008-10-17','Statement':{'Effect':'Allow','Principal':{'AWS':'*'},"
     "'Action':'s3:GetObject','Resource':'arn:aws:s3:::b/*'}}"},
    {"bucket policy: canonical user and accounts", POLICY_KIND_RESOURCE,
     "{" V "'Statement':{'Effect':'Allow','Principal':{'AWS':"
     "['arn:aws:iam::123456789012:root','999999999999'],'CanonicalUser':"
     "'79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be'},"
     "'Action':'s3:GetObject','Resource':'arn:aws:s3:::b/*'}}"},
    {"bucket policy: NotPrincipal with Deny", POLICY_KIND_RESOURCE,
     "{" V "'Statement':{'Effect':'Deny','NotPrincipal':"
     "{'AWS':['arn:aws:iam::444455556666:user/user-name','arn:aws:iam::444455556666:root']},"
     "'Action':'s3:*','Resource':['arn:aws:s3:::BUCKETNAME','arn:aws:s3:::BUCKETNAME/*']}}"},
    // thinkinglabs/aws-iam-policy#5: S3 bucket and KMS key policies accept spaces in Sid.
    {"bucket policy: Sid with spaces", POLICY_KIND_RESOURCE,
     "{" V "'Statement':{'Sid':'Allow public read','Effect':'Allow','Principal':'*',"
     "'Action':'s3:GetObject','Resource':'arn:aws:s3:::b/*'}}"},
    // AWS KMS Developer Guide, "Default key policy".
    {"key policy: default", POLICY_KIND_KEY,
     "{'Version':'2012-10-17','Id':'key-default-1','Statement':[{'Sid':"
     "'Enable IAM User Permissions','Effect':'Allow',"
     "'Principal':{'AWS':'arn:aws:iam::111122223333:root'},'Action':'kms:*','Resource':'*'}]}"},
    {"scp: deny outside regions", POLICY_KIND_SCP,
     "{" V "'Statement':[{'Sid':'DenyOutsideRegions','Effect':'Deny','Action':'*',"
     "'Resource':'*','Condition':{'StringNotEquals':{'aws:RequestedRegion':"
     "['us-east-1','eu-west-1']}}}]}"},
    {"scp: FullAWSAccess", POLICY_KIND_SCP,
     "{" V "'Statement':[{'Effect':'Allow','Action':'*','Resource':'*'}]}"},
    // AWS Organizations User Guide, "RCP syntax": Principal must be "*".
    {"rcp: deny without TLS", POLICY_KIND_RCP,
     "{" V "'Statement':[{'Effect':'Deny','Principal':'*','Action':'s3:*','Resource':'*',"
     "'Condition':{'BoolIfExists':{'aws:SecureTransport':'false'}}}]}"},
    // AWS PrivateLink Guide: the default endpoint policy.
    {"endpoint: default policy", POLICY_KIND_ENDPOINT,
     "{'Statement':[{'Action':'*','Effect':'Allow','Principal':'*','Resource':'*'}]}"},
    {"session: allow list", POLICY_KIND_SESSION,
     "{" V "'Statement':[{'Effect':'Allow','Action':['s3:GetObject'],"
     "'Resource':'arn:aws:s3:::b/*'}]}"},
    {"boundary: allow sagemaker", POLICY_KIND_BOUNDARY,
     "{" V "'Statement':[{'Effect':'Allow','Action':'sagemaker:*','Resource':'*'}]}"},
};

static void run_ok_case(void **state)
{
    const struct ok_case *c = *state;
    struct policy *p = must_parse(c->doc, c->kind);
    assert_int_equal(policy_kind(p), c->kind);
    policy_free(p);
}

// --- The compiled form ---------------------------------------------------------------------------

static void test_accessors(void **state)
{
    (void)state;
    char *json = q("{" V "'Statement':" OKSTMT "}");
    struct policy *p = NULL;
    struct policy_error err;
    assert_int_equal(policy_parse(json, strlen(json), POLICY_KIND_IDENTITY, "DenyAll",
                                  "arn:aws:iam::111122223333:policy/DenyAll", &p, &err),
                     0);
    free(json);
    assert_string_equal(policy_name(p), "DenyAll");
    assert_string_equal(policy_arn(p), "arn:aws:iam::111122223333:policy/DenyAll");
    assert_int_equal(policy_kind(p), POLICY_KIND_IDENTITY);
    policy_free(p);

    // The label and ARN are copied; a NULL ARN stays NULL.
    char name[16] = "inline:ana";
    json = q("{" V "'Statement':" OKSTMT "}");
    assert_int_equal(
        policy_parse(json, strlen(json), POLICY_KIND_INLINE_USER, name, NULL, &p, &err), 0);
    free(json);
    memset(name, 'x', sizeof(name) - 1);
    assert_string_equal(policy_name(p), "inline:ana");
    assert_null(policy_arn(p));
    policy_free(p);
    policy_free(NULL);
}

static void test_json_length_is_honoured(void **state)
{
    (void)state;
    // The document is json[0..json_len): trailing bytes after it are not part of it.
    char *json = q("{" V "'Statement':" OKSTMT "}GARBAGE");
    size_t len = strlen(json) - strlen("GARBAGE");
    struct policy *p = NULL;
    struct policy_error err;
    assert_int_equal(policy_parse(json, len, POLICY_KIND_IDENTITY, "t", NULL, &p, &err), 0);
    policy_free(p);
    free(json);
}

static void test_failure_leaves_out_null(void **state)
{
    (void)state;
    struct policy *p = (struct policy *)&p; // any non-NULL value
    struct policy_error err;
    assert_int_equal(policy_parse("{", 1, POLICY_KIND_IDENTITY, "t", NULL, &p, &err), -1);
    assert_null(p);
    assert_int_equal(err.code, POLICY_ERR_MALFORMED);
}

static void test_statement_fields(void **state)
{
    (void)state;
    struct policy *p = must_parse(
        "{" V "'Id':'Admin_Policy','Statement':["
        "{'Sid':'First','Effect':'Allow','Action':['SageMaker:CreateDomain','s3:Get*'],"
        "'Resource':['arn:aws:s3:::MyBucket/Key','*']},"
        "{'Effect':'Deny','NotAction':'iam:*','NotResource':'arn:aws:iam::*:role/Admin?'}]}",
        POLICY_KIND_IDENTITY);
    assert_int_equal(p->version, POL_VERSION_2012);
    assert_non_null(p->id);
    assert_string_equal(p->id, "Admin_Policy");
    assert_int_equal(p->stmt_count, 2);

    const struct pol_stmt *a = &p->stmts[0];
    assert_int_equal(a->index, 0);
    assert_non_null(a->sid);
    assert_string_equal(a->sid, "First");
    assert_int_equal(a->effect, EFFECT_ALLOW);
    assert_false(a->not_action);
    assert_int_equal(a->actions.count, 2);
    // Actions match case-insensitively; the compiled form holds them lowercased.
    assert_string_equal(a->actions.items[0].s, "sagemaker:createdomain");
    assert_int_equal(a->actions.items[0].len, strlen("sagemaker:createdomain"));
    assert_false(a->actions.items[0].has_wild);
    assert_string_equal(a->actions.items[1].s, "s3:get*");
    assert_true(a->actions.items[1].has_wild);
    assert_true(a->has_resource);
    assert_false(a->not_resource);
    assert_int_equal(a->resources.count, 2);
    // Resources keep their case: ARNs match case-sensitively.
    assert_string_equal(a->resources.items[0].s, "arn:aws:s3:::MyBucket/Key");
    assert_false(a->resources.items[0].has_wild);
    assert_string_equal(a->resources.items[1].s, "*");
    assert_true(a->resources.items[1].has_wild);
    assert_false(a->principal.present);
    assert_int_equal(a->cond_count, 0);

    const struct pol_stmt *b = &p->stmts[1];
    assert_int_equal(b->index, 1);
    assert_null(b->sid);
    assert_int_equal(b->effect, EFFECT_DENY);
    assert_true(b->not_action);
    assert_int_equal(b->actions.count, 1);
    assert_string_equal(b->actions.items[0].s, "iam:*");
    assert_true(b->has_resource);
    assert_true(b->not_resource);
    assert_int_equal(b->resources.count, 1);
    assert_string_equal(b->resources.items[0].s, "arn:aws:iam::*:role/Admin?");
    assert_true(b->resources.items[0].has_wild);
    policy_free(p);
}

static void test_statement_object_is_one_statement(void **state)
{
    (void)state;
    struct policy *p = must_parse("{" V "'Statement':" OKSTMT "}", POLICY_KIND_IDENTITY);
    assert_int_equal(p->stmt_count, 1);
    assert_int_equal(p->stmts[0].index, 0);
    assert_null(p->stmts[0].sid);
    assert_null(p->id);
    policy_free(p);
}

// [version], [vars]: without "2012-10-17", ${...} is literal text.
static void test_version_and_variables(void **state)
{
    (void)state;
    const char *stmt = "'Statement':{'Effect':'Allow','Action':'s3:GetObject',"
                       "'Resource':'arn:aws:s3:::b/${aws:username}/*'}}";
    char doc[512];

    snprintf(doc, sizeof(doc), "{'Version':'2012-10-17',%s", stmt);
    struct policy *p = must_parse(doc, POLICY_KIND_INLINE_USER);
    assert_int_equal(p->version, POL_VERSION_2012);
    assert_true(p->stmts[0].resources.items[0].has_vars);
    policy_free(p);

    snprintf(doc, sizeof(doc), "{'Version':'2008-10-17',%s", stmt);
    p = must_parse(doc, POLICY_KIND_INLINE_USER);
    assert_int_equal(p->version, POL_VERSION_2008);
    assert_false(p->stmts[0].resources.items[0].has_vars);
    assert_string_equal(p->stmts[0].resources.items[0].s, "arn:aws:s3:::b/${aws:username}/*");
    policy_free(p);

    snprintf(doc, sizeof(doc), "{%s", stmt);
    p = must_parse(doc, POLICY_KIND_INLINE_USER);
    assert_int_equal(p->version, POL_VERSION_2008);
    assert_false(p->stmts[0].resources.items[0].has_vars);
    policy_free(p);

    // A resource without "${" has no variables even in 2012-10-17.
    p = must_parse("{" V "'Statement':{'Effect':'Allow','Action':'s3:GetObject',"
                   "'Resource':'arn:aws:s3:::b/$x/{y}'}}",
                   POLICY_KIND_IDENTITY);
    assert_false(p->stmts[0].resources.items[0].has_vars);
    policy_free(p);
}

static const char *find_aws(const struct pol_principal *pr, const char *s)
{
    for (uint32_t i = 0; i < pr->aws.count; i++) {
        if (strcmp(pr->aws.items[i].s, s) == 0) {
            return pr->aws.items[i].s;
        }
    }
    return NULL;
}

// [principal]: "*" and {"AWS":"*"} are equivalent; an account id is the account
// (arn:aws:iam::ID:root); each type keeps its list.
static void test_principal_forms(void **state)
{
    (void)state;
    struct policy *p = must_parse("{" V "'Statement':[{'Effect':'Allow','Principal':'*',"
                                  "'Action':'s3:GetObject','Resource':'arn:aws:s3:::b/*'},"
                                  "{'Effect':'Allow','Principal':{'AWS':'*'},"
                                  "'Action':'s3:GetObject','Resource':'arn:aws:s3:::b/*'},"
                                  "{'Effect':'Allow','Principal':{'AWS':"
                                  "['arn:aws:iam::123456789012:root','999999999999'],"
                                  "'CanonicalUser':'79a59df900b949e55d96a1e698fbacedfd6e09d98eac"
                                  "f8f8d5218e7cd47ef2be'},"
                                  "'Action':'s3:GetObject','Resource':'arn:aws:s3:::b/*'}]}",
                                  POLICY_KIND_RESOURCE);
    assert_int_equal(p->stmt_count, 3);
    assert_true(p->stmts[0].principal.present);
    assert_true(p->stmts[0].principal.any);
    assert_false(p->stmts[0].not_principal);
    assert_true(p->stmts[1].principal.present);
    assert_true(p->stmts[1].principal.any);

    const struct pol_principal *pr = &p->stmts[2].principal;
    assert_true(pr->present);
    assert_false(pr->any);
    assert_int_equal(pr->aws.count, 2);
    assert_non_null(find_aws(pr, "arn:aws:iam::123456789012:root"));
    assert_non_null(find_aws(pr, "arn:aws:iam::999999999999:root"));
    assert_null(find_aws(pr, "999999999999"));
    assert_int_equal(pr->canonical_user.count, 1);
    assert_string_equal(pr->canonical_user.items[0].s,
                        "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be");
    assert_int_equal(pr->service.count, 0);
    assert_int_equal(pr->federated.count, 0);
    policy_free(p);

    p = must_parse("{" V "'Statement':[{'Effect':'Allow','Principal':{"
                   "'Service':['ecs.amazonaws.com','elasticloadbalancing.amazonaws.com'],"
                   "'AWS':['arn:aws:iam::123456789012:user/division/ana',"
                   "'arn:aws:iam::123456789012:role/StudioRole',"
                   "'arn:aws:sts::123456789012:assumed-role/StudioRole/session1',"
                   "'arn:aws:sts::123456789012:federated-user/bob','123456789012']},"
                   "'Action':'sts:AssumeRole'},"
                   "{'Effect':'Allow','Principal':{'Federated':"
                   "'arn:aws:iam::123456789012:saml-provider/provider-name'},"
                   "'Action':'sts:AssumeRoleWithSAML'}]}",
                   POLICY_KIND_TRUST);
    pr = &p->stmts[0].principal;
    assert_true(pr->present);
    assert_false(pr->any);
    assert_int_equal(pr->service.count, 2);
    assert_string_equal(pr->service.items[0].s, "ecs.amazonaws.com");
    assert_string_equal(pr->service.items[1].s, "elasticloadbalancing.amazonaws.com");
    assert_int_equal(pr->aws.count, 5);
    assert_non_null(find_aws(pr, "arn:aws:iam::123456789012:user/division/ana"));
    assert_non_null(find_aws(pr, "arn:aws:iam::123456789012:role/StudioRole"));
    assert_non_null(find_aws(pr, "arn:aws:sts::123456789012:assumed-role/StudioRole/session1"));
    assert_non_null(find_aws(pr, "arn:aws:sts::123456789012:federated-user/bob"));
    assert_non_null(find_aws(pr, "arn:aws:iam::123456789012:root"));
    assert_false(p->stmts[0].has_resource);
    assert_int_equal(p->stmts[1].principal.federated.count, 1);
    assert_string_equal(p->stmts[1].principal.federated.items[0].s,
                        "arn:aws:iam::123456789012:saml-provider/provider-name");
    assert_false(p->stmts[1].has_resource);
    policy_free(p);

    p = must_parse("{" V "'Statement':{'Effect':'Deny','NotPrincipal':"
                   "{'AWS':'arn:aws:iam::444455556666:user/user-name'},"
                   "'Action':'s3:*','Resource':'arn:aws:s3:::BUCKETNAME/*'}}",
                   POLICY_KIND_RESOURCE);
    assert_true(p->stmts[0].not_principal);
    assert_true(p->stmts[0].principal.present);
    assert_int_equal(p->stmts[0].principal.aws.count, 1);
    assert_string_equal(p->stmts[0].principal.aws.items[0].s,
                        "arn:aws:iam::444455556666:user/user-name");
    policy_free(p);
}

static void test_condition_block(void **state)
{
    (void)state;
    struct policy *p =
        must_parse("{" V "'Statement':{'Effect':'Allow','Action':['iam:TagUser','iam:TagRole'],"
                   "'Resource':'*','Condition':{"
                   "'StringEquals':{'aws:RequestTag/CostCenter':['A-123','B-456'],"
                   "'aws:PrincipalTag/Department':'Data'},"
                   "'ForAllValues:StringEquals':{'aws:TagKeys':'CostCenter'},"
                   "'BoolIfExists':{'aws:MultiFactorAuthPresent':'false'}}}}",
                   POLICY_KIND_IDENTITY);
    const struct pol_stmt *st = &p->stmts[0];
    assert_int_equal(st->cond_count, 4);
    int seen = 0;
    for (uint32_t i = 0; i < st->cond_count; i++) {
        const struct pol_cond *c = &st->conds[i];
        // Condition key names are case-insensitive; the compiled form lowercases them.
        if (strcmp(c->key, "aws:requesttag/costcenter") == 0) {
            assert_int_equal(c->op, COND_STRING_EQUALS);
            assert_int_equal(c->set, SET_NONE);
            assert_false(c->if_exists);
            assert_int_equal(c->value_count, 2);
            assert_string_equal(c->values[0].text.s, "A-123");
            assert_string_equal(c->values[1].text.s, "B-456");
            seen |= 1;
        } else if (strcmp(c->key, "aws:principaltag/department") == 0) {
            assert_int_equal(c->op, COND_STRING_EQUALS);
            assert_int_equal(c->value_count, 1);
            seen |= 2;
        } else if (strcmp(c->key, "aws:tagkeys") == 0) {
            assert_int_equal(c->op, COND_STRING_EQUALS);
            assert_int_equal(c->set, SET_ALL);
            seen |= 4;
        } else if (strcmp(c->key, "aws:multifactorauthpresent") == 0) {
            assert_int_equal(c->op, COND_BOOL);
            assert_true(c->if_exists);
            seen |= 8;
        } else {
            fail_msg("unexpected condition key %s", c->key);
        }
        assert_int_equal(c->key_len, strlen(c->key));
    }
    assert_int_equal(seen, 15);
    policy_free(p);
}

// --- Size quotas ([quotas], [size])
// -----------------------------------------------------------------

// Builds a compact document of exactly `size` characters for the kind, padding a Resource ARN (a
// condition value in trust policies, which have no Resource). The caller frees.
static char *doc_of_size(enum policy_kind kind, size_t size)
{
    const char *head;
    const char *tail;
    switch (kind) {
    case POLICY_KIND_TRUST:
        head = "{'Version':'2012-10-17','Statement':{'Effect':'Allow','Principal':{'AWS':"
               "'arn:aws:iam::123456789012:root'},'Action':'sts:AssumeRole','Condition':"
               "{'StringEquals':{'sts:ExternalId':'";
        tail = "'}}}}";
        break;
    case POLICY_KIND_RCP:
        // AWS Organizations, "RCP syntax": Principal must be "*"; custom RCPs deny.
        head = "{'Version':'2012-10-17','Statement':{'Effect':'Deny','Principal':'*',"
               "'Action':'s3:GetObject','Resource':'arn:aws:s3:::b/";
        tail = "'}}";
        break;
    case POLICY_KIND_RESOURCE:
    case POLICY_KIND_KEY:
    case POLICY_KIND_ENDPOINT:
        head = "{'Version':'2012-10-17','Statement':{'Effect':'Allow','Principal':'*',"
               "'Action':'s3:GetObject','Resource':'arn:aws:s3:::b/";
        tail = "'}}";
        break;
    default:
        head = "{'Version':'2012-10-17','Statement':{'Effect':'Allow','Action':'s3:GetObject',"
               "'Resource':'arn:aws:s3:::b/";
        tail = "'}}";
        break;
    }
    size_t fixed = strlen(head) + strlen(tail);
    assert_true(size > fixed);
    char *d = malloc(size + 1);
    assert_non_null(d);
    memcpy(d, head, strlen(head));
    memset(d + strlen(head), 'x', size - fixed);
    memcpy(d + size - strlen(tail), tail, strlen(tail) + 1);
    for (size_t i = 0; i < size; i++) {
        if (d[i] == '\'') {
            d[i] = '"';
        }
    }
    assert_int_equal(strlen(d), size);
    return d;
}

// Inserts white space between the tokens of a compact document (after every ',' ':' '{' '['
// outside strings): IAM does not count it. The caller frees.
static char *pretty(const char *d)
{
    size_t n = strlen(d);
    char *r = malloc(n * 8 + 1);
    assert_non_null(r);
    size_t o = 0;
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        r[o++] = d[i];
        if (d[i] == '"') {
            in_str = !in_str;
        } else if (!in_str && (d[i] == ',' || d[i] == '{' || d[i] == '[' || d[i] == ':')) {
            memcpy(r + o, "\n\t   ", 5);
            o += 5;
        }
    }
    r[o] = '\0';
    return r;
}

struct size_case {
    const char *name;
    enum policy_kind kind;
    size_t limit;
    bool iam_whitespace_free; // [quotas] IAM does not count white space for this kind
    const char *message;      // exact message when over, or NULL
    const char *contains;     // substring of the message when over, or NULL
};

static const struct size_case size_cases[] = {
    {"size: managed policy 6,144", POLICY_KIND_IDENTITY, 6144, true, NULL,
     "quota for PolicySize: 6144"},
    {"size: boundary 6,144", POLICY_KIND_BOUNDARY, 6144, true, NULL, "quota for PolicySize: 6144"},
    {"size: inline user 2,048", POLICY_KIND_INLINE_USER, 2048, true, NULL,
     "Maximum policy size of 2048 bytes exceeded for user"},
    {"size: inline group 5,120", POLICY_KIND_INLINE_GROUP, 5120, true, NULL,
     "Maximum policy size of 5120 bytes exceeded for group"},
    {"size: inline role 10,240", POLICY_KIND_INLINE_ROLE, 10240, true, NULL,
     "Maximum policy size of 10240 bytes exceeded for role"},
    {"size: trust policy 2,048", POLICY_KIND_TRUST, 2048, true,
     "Cannot exceed quota for ACLSizePerRole: 2048", NULL},
    // IAM User Guide, "Session policies": the plaintext can't exceed 2,048 characters.
    {"size: session policy 2,048", POLICY_KIND_SESSION, 2048, false, NULL, NULL},
    // Amazon S3: a bucket policy is limited to 20 KB.
    {"size: bucket policy 20,480", POLICY_KIND_RESOURCE, 20480, false, NULL, NULL},
    // AWS KMS: a key policy is limited to 32 KB (32,768 bytes).
    {"size: key policy 32,768", POLICY_KIND_KEY, 32768, false, NULL, NULL},
    // AWS Organizations quotas: SCPs and RCPs 5,120 characters.
    {"size: SCP 5,120", POLICY_KIND_SCP, 5120, false, NULL, NULL},
    {"size: RCP 5,120", POLICY_KIND_RCP, 5120, false, NULL, NULL},
    // AWS PrivateLink: an endpoint policy is limited to 20,480 characters.
    {"size: endpoint policy 20,480", POLICY_KIND_ENDPOINT, 20480, false, NULL, NULL},
};

static void run_size_case(void **state)
{
    const struct size_case *c = *state;
    struct policy_error err;
    struct policy *p = NULL;

    char *at = doc_of_size(c->kind, c->limit);
    if (policy_parse(at, strlen(at), c->kind, "t", NULL, &p, &err) != 0) {
        fail_msg("a document of exactly %zu characters was refused: %s", c->limit, err.message);
    }
    policy_free(p);

    if (c->iam_whitespace_free) {
        char *spaced = pretty(at);
        assert_true(strlen(spaced) > c->limit);
        p = NULL;
        if (policy_parse(spaced, strlen(spaced), c->kind, "t", NULL, &p, &err) != 0) {
            fail_msg("%zu characters plus white space were refused: %s", c->limit, err.message);
        }
        policy_free(p);
        free(spaced);
    }
    free(at);

    char *over = doc_of_size(c->kind, c->limit + 1);
    p = NULL;
    memset(&err, 0, sizeof(err));
    assert_int_equal(policy_parse(over, strlen(over), c->kind, "t", NULL, &p, &err), -1);
    assert_null(p);
    assert_int_equal(err.code, POLICY_ERR_TOO_LARGE);
    if (c->message != NULL) {
        assert_string_equal(err.message, c->message);
    }
    if (c->contains != NULL && strstr(err.message, c->contains) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err.message, c->contains);
    }
    free(over);
}

// [quotas] The quotas are in characters: a Latin-1 character written as two UTF-8 bytes counts
// once.
static void test_size_counts_characters(void **state)
{
    (void)state;
    char *ascii = doc_of_size(POLICY_KIND_IDENTITY, 6144);
    char *pad = strchr(ascii, 'x');
    assert_non_null(pad);
    size_t pad_count = strspn(pad, "x");
    size_t head = (size_t)(pad - ascii);
    for (size_t extra = 0; extra <= 1; extra++) {
        size_t cap = strlen(ascii) + (pad_count + extra) + 8;
        char *d = malloc(cap);
        assert_non_null(d);
        memcpy(d, ascii, head);
        size_t o = head;
        for (size_t i = 0; i < pad_count + extra; i++) {
            d[o++] = (char)0xc3; // U+00E9 in UTF-8
            d[o++] = (char)0xa9;
        }
        memcpy(d + o, pad + pad_count, strlen(pad + pad_count) + 1);
        struct policy *p = NULL;
        struct policy_error err;
        int rc = policy_parse(d, strlen(d), POLICY_KIND_IDENTITY, "t", NULL, &p, &err);
        if (extra == 0) {
            if (rc != 0) {
                fail_msg("6,144 characters (%zu bytes) refused: %s", strlen(d), err.message);
            }
            policy_free(p);
        } else {
            assert_int_equal(rc, -1);
            assert_int_equal(err.code, POLICY_ERR_TOO_LARGE);
        }
        free(d);
    }
    free(ascii);
}

// A big but valid document of another kind is not held to the managed-policy quota.
static void test_size_quota_depends_on_kind(void **state)
{
    (void)state;
    char *d = doc_of_size(POLICY_KIND_INLINE_ROLE, 8000);
    struct policy *p = NULL;
    struct policy_error err;
    assert_int_equal(policy_parse(d, strlen(d), POLICY_KIND_INLINE_ROLE, "t", NULL, &p, &err), 0);
    policy_free(p);
    p = NULL;
    assert_int_equal(policy_parse(d, strlen(d), POLICY_KIND_IDENTITY, "t", NULL, &p, &err), -1);
    assert_int_equal(err.code, POLICY_ERR_TOO_LARGE);
    free(d);
}

int main(void)
{
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_json_length_is_honoured),
        cmocka_unit_test(test_failure_leaves_out_null),
        cmocka_unit_test(test_statement_fields),
        cmocka_unit_test(test_statement_object_is_one_statement),
        cmocka_unit_test(test_version_and_variables),
        cmocka_unit_test(test_principal_forms),
        cmocka_unit_test(test_condition_block),
        cmocka_unit_test(test_size_quota_depends_on_kind),
        cmocka_unit_test(test_size_counts_characters),
    };
    size_t n_fixed = sizeof(fixed) / sizeof(fixed[0]);
    size_t n_err = sizeof(err_cases) / sizeof(err_cases[0]);
    size_t n_ok = sizeof(ok_cases) / sizeof(ok_cases[0]);
    size_t n_size = sizeof(size_cases) / sizeof(size_cases[0]);
    size_t total = n_fixed + n_err + n_ok + n_size;
    struct CMUnitTest *tests = calloc(total, sizeof(*tests));
    assert_non_null(tests);
    size_t k = 0;
    for (size_t i = 0; i < n_fixed; i++) {
        tests[k++] = fixed[i];
    }
    for (size_t i = 0; i < n_err; i++) {
        tests[k++] = (struct CMUnitTest){.name = err_cases[i].name,
                                         .test_func = run_err_case,
                                         .initial_state = (void *)&err_cases[i]};
    }
    for (size_t i = 0; i < n_ok; i++) {
        tests[k++] = (struct CMUnitTest){.name = ok_cases[i].name,
                                         .test_func = run_ok_case,
                                         .initial_state = (void *)&ok_cases[i]};
    }
    for (size_t i = 0; i < n_size; i++) {
        tests[k++] = (struct CMUnitTest){.name = size_cases[i].name,
                                         .test_func = run_size_case,
                                         .initial_state = (void *)&size_cases[i]};
    }
    int rc = _cmocka_run_group_tests("policy_parse", tests, total, NULL, NULL);
    free(tests);
    return rc;
}
