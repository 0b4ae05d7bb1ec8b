// SPDX-License-Identifier: Apache-2.0
// Unit tests for the matcher (policy_match.c: ARNs, actions, Resource/NotResource with
// variables) and for principals (policy_principal_parse, policy_context_add_principal_keys).
//
// Expected values come from the IAM User Guide, never from the code under test:
//   [arnop]    "IAM JSON policy elements: Condition operators", ARN condition operators:
//              "Case-sensitive match of the ARN. Each of the six colon-delimited components of the
//              ARN is checked separately and each can include multi-character match wildcards (*)
//              or single-character match wildcards (?)."
//   [resource] "IAM JSON policy elements: Resource": wildcards "within any ARN segment (the
//              parts separated by colons)"; "arn:aws:s3:::my_corporate_bucket/*" refers to all
//              items of the bucket; variables in the trailing part of the ARN.
//   [ids]      "IAM identifiers": ARN formats arn:partition:service:region:account-id:resource-id,
//              .../resource-type/resource-id and .../resource-type:resource-id (the resource part
//              may contain colons, e.g. CloudWatch Logs log-group:name:log-stream:name).
//   [action]   "IAM JSON policy elements: Action": "The prefix and the action name are case
//              insensitive. For example, iam:ListAccessKeys is the same as IAM:listaccesskeys";
//              wildcards "*" and "?" in action names, e.g. "s3:*Object" style patterns in the
//              examples ("Action": "s3:*Object", AllObjectActions).
//   [notres]   "IAM JSON policy elements: NotResource": the statement applies to every resource
//              except those listed.
//   [vars]     "IAM policy elements: Variables and tags": ${aws:username} replaced by the user's
//              friendly name; a missing key cannot match; ${*} is a literal asterisk.
//   [principal] "AWS JSON policy elements: Principal": formats of users (with paths), roles,
//              assumed-role sessions arn:aws:sts::ID:assumed-role/role-name/role-session-name,
//              federated users arn:aws:sts::ID:federated-user/user-name, account root, services
//              service-name.amazonaws.com.
//   [keys]     "AWS global condition context keys": aws:PrincipalArn for a role session is the
//              role's ARN ("Do not specify the assumed role session ARN"), for a federated user
//              arn:aws:sts::ID:federated-user/user-name, for the root user arn:aws:iam::ID:root;
//              aws:PrincipalAccount is the account of the principal; both are absent from anonymous
//              requests ("This key is included in the request context for all signed requests.
//              Anonymous requests do not include this key"); aws:PrincipalServiceName for
//              service principals.
//   [values]   "IAM policy elements: Variables and tags", principal key values: root user:
//              aws:username not present, aws:userid = account ID, aws:PrincipalType = Account;
//              IAM user: aws:username = user name, aws:PrincipalType = User; federated user:
//              aws:userid = account:caller-specified-name, aws:PrincipalType = FederatedUser;
//              assumed role: aws:username not present, aws:PrincipalType = AssumedRole; anonymous
//              caller: aws:PrincipalType = Anonymous.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/wildcard.h"
#include "policy/policy.h"
#include "policy/policy_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// --- pol_match_arn ([arnop], [resource], [ids])
// ------------------------------------------------------

struct arn_case {
    const char *name;
    const char *pattern;
    const char *arn;
    bool match;
};

static const struct arn_case arn_cases[] = {
    {"exact", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket", true},
    {"objects of a bucket", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt", true},
    {"objects pattern vs the bucket", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false},
    {"objects pattern vs another bucket", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket2/x", false},
    {"any region, one account", "arn:aws:sagemaker:*:111122223333:*",
     "arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123", true},
    {"any region, other account", "arn:aws:sagemaker:*:111122223333:*",
     "arn:aws:sagemaker:us-east-1:444455556666:domain/d-abc123", false},
    {"any region, other service", "arn:aws:sagemaker:*:111122223333:*",
     "arn:aws:s3:us-east-1:111122223333:domain/d-abc123", false},
    {"role name infix", "arn:aws:iam::*:role/*StudioRole*",
     "arn:aws:iam::111122223333:role/service-role/MyStudioRole-1", true},
    {"role name infix vs a user", "arn:aws:iam::*:role/*StudioRole*",
     "arn:aws:iam::111122223333:user/StudioRole", false},
    // A '*' in one component does not reach into the next one.
    {"region * does not swallow colons", "arn:aws:sagemaker:*:111122223333:domain/*",
     "arn:aws:sagemaker:us-east-1:999999999999:111122223333:domain/x", false},
    {"region * with the right account", "arn:aws:sagemaker:*:111122223333:domain/*",
     "arn:aws:sagemaker:us-east-1:111122223333:domain/x", true},
    {"service * does not swallow colons", "arn:aws:*:us-east-1:111122223333:table/t",
     "arn:aws:dynamodb:eu-west-1:us-east-1:111122223333:table/t", false},
    {"? is one character of a component", "arn:aws:ec2:us-east-?:*:instance/*",
     "arn:aws:ec2:us-east-1:111122223333:instance/i-1", true},
    {"* matches an empty component", "arn:aws:s3:*:*:bucket", "arn:aws:s3:::bucket", true},
    {"empty region pattern vs a region", "arn:aws:iam::111122223333:role/R",
     "arn:aws:iam:us-east-1:111122223333:role/R", false},
    // The resource part takes the rest of the ARN, colons included.
    {"resource part with colons", "arn:aws:s3:::*", "arn:aws:s3:::a:b", true},
    {"log stream under a log group", "arn:aws:logs:*:*:log-group:/aws/sagemaker/*",
     "arn:aws:logs:us-east-1:111122223333:log-group:/aws/sagemaker/TrainingJobs:log-stream:x",
     true},
    {"resource type:id exact", "arn:aws:logs:us-east-1:111122223333:log-group:g:*",
     "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s", true},
    {"resource type:id other group", "arn:aws:logs:us-east-1:111122223333:log-group:g:*",
     "arn:aws:logs:us-east-1:111122223333:log-group:h:log-stream:s", false},
    // Case-sensitive.
    {"case of the resource", "arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x", false},
    {"case of the resource (reverse)", "arn:aws:iam::111122223333:user/Bob",
     "arn:aws:iam::111122223333:user/bob", false},
    {"? in the resource", "arn:aws:s3:::b/file?.txt", "arn:aws:s3:::b/file1.txt", true},
    {"? is exactly one character", "arn:aws:s3:::b/file?.txt", "arn:aws:s3:::b/file12.txt", false},
    {"several wildcards in one component", "arn:aws:s3:::*-logs-*/20?\?/*",
     "arn:aws:s3:::app-logs-eu/2024/01/x.gz", true},
    // "*" alone is every resource.
    {"* alone", "*", "arn:aws:s3:::bucket/x", true},
    {"* alone vs the empty-resource marker", "*", "*", true},
    // A pattern or text that is not a six-part ARN.
    {"pattern with too few parts", "arn:aws:s3", "arn:aws:s3:::b", false},
    {"ARN pattern vs *", "arn:aws:s3:::*", "*", false},
    {"text with too few parts", "arn:aws:s3:::*", "arn:aws:s3", false},
    // A WILDCARD_LITERAL byte makes the next character literal (wildcard.h).
    {"literal * from a variable", "arn:aws:s3:::b/\x01*", "arn:aws:s3:::b/*", true},
    {"literal * does not match others", "arn:aws:s3:::b/\x01*", "arn:aws:s3:::b/x", false},
};

static void run_arn_case(void **state)
{
    const struct arn_case *c = *state;
    bool got = pol_match_arn(c->pattern, strlen(c->pattern), c->arn, strlen(c->arn));
    if (got != c->match) {
        fail_msg("\"%s\" vs \"%s\": %s, expected %s", c->pattern, c->arn,
                 got ? "match" : "no match", c->match ? "match" : "no match");
    }
}

// Only pattern[0..pat_len) and arn[0..arn_len) are read.
static void test_arn_lengths(void **state)
{
    (void)state;
    const char *pat = "arn:aws:s3:::b/xyz";
    const char *arn = "arn:aws:s3:::b/xyzzy";
    assert_true(pol_match_arn(pat, strlen("arn:aws:s3:::b/x"), arn, strlen("arn:aws:s3:::b/x")));
    assert_false(pol_match_arn(pat, strlen(pat), arn, strlen(arn)));
}

// --- Helpers over parsed policies
// ------------------------------------------------------------------

static struct policy *parse(const char *doc, enum policy_kind kind)
{
    size_t n = strlen(doc);
    char *json = malloc(n + 1);
    assert_non_null(json);
    // ' stands for "; \' for a real single quote.
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (doc[i] == '\\' && doc[i + 1] == '\'') {
            json[o++] = '\'';
            i++;
        } else {
            json[o++] = doc[i] == '\'' ? '"' : doc[i];
        }
    }
    json[o] = '\0';
    struct policy *p = NULL;
    struct policy_error err;
    if (policy_parse(json, o, kind, "t", NULL, &p, &err) != 0) {
        fail_msg("refused (%s): %s", err.message, doc);
    }
    free(json);
    return p;
}

static bool action_matches(const struct pol_stmt *st, const char *lower_action)
{
    return pol_match_action(st, lower_action, strlen(lower_action));
}

// --- pol_match_action ([action])
// ---------------------------------------------------------------------

static void test_action_case_insensitive(void **state)
{
    (void)state;
    struct policy *p = parse("{'Version':'2012-10-17','Statement':["
                             "{'Effect':'Allow','Action':'SageMaker:Describe*','Resource':'*'},"
                             "{'Effect':'Allow','Action':'IAM:ListAccessKeys','Resource':'*'}]}",
                             POLICY_KIND_IDENTITY);
    assert_true(action_matches(&p->stmts[0], "sagemaker:describedomain"));
    assert_true(action_matches(&p->stmts[0], "sagemaker:describeuserprofile"));
    assert_false(action_matches(&p->stmts[0], "sagemaker:listdomains"));
    assert_false(action_matches(&p->stmts[0], "sagemakergeospatial:describeearthobservationjob"));
    assert_true(action_matches(&p->stmts[1], "iam:listaccesskeys"));
    assert_false(action_matches(&p->stmts[1], "iam:listaccesskeys2"));
    policy_free(p);
}

static void test_action_wildcards(void **state)
{
    (void)state;
    struct policy *p =
        parse("{'Version':'2012-10-17','Statement':["
              "{'Effect':'Allow','Action':'*','Resource':'*'},"
              "{'Effect':'Allow','Action':'s3:*Object','Resource':'*'},"
              "{'Effect':'Allow','Action':'s3:Get?bject','Resource':'*'},"
              "{'Effect':'Allow','Action':'s3:*','Resource':'*'},"
              "{'Effect':'Allow','Action':['ec2:Describe*','ec2:List*'],'Resource':'*'},"
              "{'Effect':'Allow','Action':'iam:*AccessKey*','Resource':'*'}]}",
              POLICY_KIND_IDENTITY);
    const struct pol_stmt *s = p->stmts;
    assert_true(action_matches(&s[0], "sagemaker:createdomain"));
    assert_true(action_matches(&s[0], "sts:assumerole"));

    assert_true(action_matches(&s[1], "s3:getobject"));
    assert_true(action_matches(&s[1], "s3:putobject"));
    assert_true(action_matches(&s[1], "s3:deleteobject"));
    assert_false(action_matches(&s[1], "s3:getobjectacl"));
    assert_false(action_matches(&s[1], "s3:listbucket"));

    assert_true(action_matches(&s[2], "s3:getobject"));
    assert_false(action_matches(&s[2], "s3:getobjects"));
    assert_false(action_matches(&s[2], "s3:getbject"));

    // A service prefix is a whole word: s3:* is not s3-object-lambda:*.
    assert_true(action_matches(&s[3], "s3:listallmybuckets"));
    assert_false(action_matches(&s[3], "s3-object-lambda:getobject"));
    assert_false(action_matches(&s[3], "s3express:createsession"));

    assert_true(action_matches(&s[4], "ec2:describeinstances"));
    assert_true(action_matches(&s[4], "ec2:listimagesinrecyclebin"));
    assert_false(action_matches(&s[4], "ec2:runinstances"));

    assert_true(action_matches(&s[5], "iam:createaccesskey"));
    assert_true(action_matches(&s[5], "iam:listaccesskeys"));
    assert_false(action_matches(&s[5], "iam:createuser"));
    policy_free(p);
}

// NotAction: the statement applies to every action except those listed.
static void test_not_action(void **state)
{
    (void)state;
    struct policy *p = parse("{'Version':'2012-10-17','Statement':"
                             "{'Effect':'Deny','NotAction':['iam:*','sts:GetSessionToken'],"
                             "'Resource':'*'}}",
                             POLICY_KIND_IDENTITY);
    assert_true(action_matches(&p->stmts[0], "s3:getobject"));
    assert_true(action_matches(&p->stmts[0], "sts:assumerole"));
    assert_false(action_matches(&p->stmts[0], "iam:createuser"));
    assert_false(action_matches(&p->stmts[0], "sts:getsessiontoken"));
    policy_free(p);
}

// --- pol_match_resource ([resource], [notres], [vars])
// -------------------------------------------------

struct env_holder {
    char buf[1024];
    struct arena arena;
    struct pol_env env;
};

static void env_init(struct env_holder *h, const struct policy_context *ctx)
{
    arena_init(&h->arena, h->buf, sizeof(h->buf));
    h->env.ctx = ctx;
    h->env.scratch = &h->arena;
    h->env.resource = NULL;
}

static bool res_matches(const struct pol_stmt *st, const char *arn, const struct policy_context *c)
{
    struct env_holder h;
    env_init(&h, c);
    bool r = pol_match_resource(st, arn, &h.env);
    arena_release(&h.arena);
    return r;
}

static void test_resource_plain(void **state)
{
    (void)state;
    struct policy_context *ctx = policy_context_new();
    struct policy *p =
        parse("{'Version':'2012-10-17','Statement':["
              "{'Effect':'Allow','Action':'s3:*','Resource':"
              "['arn:aws:s3:::my_corporate_bucket','arn:aws:s3:::my_corporate_bucket/*']},"
              "{'Effect':'Allow','Action':'s3:*','Resource':'*'},"
              "{'Effect':'Allow','Action':'iam:*','Resource':"
              "'arn:aws:iam::111122223333:user/accounting/*'}]}",
              POLICY_KIND_IDENTITY);
    const struct pol_stmt *s = p->stmts;
    assert_true(res_matches(&s[0], "arn:aws:s3:::my_corporate_bucket", ctx));
    assert_true(res_matches(&s[0], "arn:aws:s3:::my_corporate_bucket/k/x", ctx));
    assert_false(res_matches(&s[0], "arn:aws:s3:::my_corporate_bucket2", ctx));
    assert_false(res_matches(&s[0], "*", ctx));
    assert_true(res_matches(&s[1], "arn:aws:s3:::anything", ctx));
    assert_true(res_matches(&s[1], "*", ctx));
    assert_true(res_matches(&s[2], "arn:aws:iam::111122223333:user/accounting/ana", ctx));
    assert_false(res_matches(&s[2], "arn:aws:iam::111122223333:user/sales/ana", ctx));
    assert_false(res_matches(&s[2], "arn:aws:iam::444455556666:user/accounting/ana", ctx));
    policy_free(p);
    policy_context_free(ctx);
}

static void test_not_resource(void **state)
{
    (void)state;
    struct policy_context *ctx = policy_context_new();
    struct policy *p = parse("{'Version':'2012-10-17','Statement':{'Effect':'Deny','Action':'s3:*',"
                             "'NotResource':['arn:aws:s3:::HRBucket/Payroll',"
                             "'arn:aws:s3:::HRBucket/Payroll/*']}}",
                             POLICY_KIND_IDENTITY);
    const struct pol_stmt *s = &p->stmts[0];
    assert_false(res_matches(s, "arn:aws:s3:::HRBucket/Payroll", ctx));
    assert_false(res_matches(s, "arn:aws:s3:::HRBucket/Payroll/2024.csv", ctx));
    assert_true(res_matches(s, "arn:aws:s3:::HRBucket/Other", ctx));
    assert_true(res_matches(s, "arn:aws:s3:::OtherBucket/x", ctx));
    policy_free(p);
    policy_context_free(ctx);
}

static void test_resource_variables(void **state)
{
    (void)state;
    struct policy *p = parse("{'Version':'2012-10-17','Statement':["
                             "{'Effect':'Allow','Action':'s3:*',"
                             "'Resource':'arn:aws:s3:::mybucket/${aws:username}/*'},"
                             "{'Effect':'Allow','Action':'s3:*',"
                             "'Resource':'arn:aws:s3:::mybucket/${*}'},"
                             "{'Effect':'Allow','Action':'dynamodb:*','Resource':"
                             "'arn:aws:dynamodb:us-east-2:111122223333:table/${aws:username}'},"
                             "{'Effect':'Allow','Action':'s3:*','Resource':"
                             "'arn:aws:s3:::b/${aws:PrincipalTag/team, \\'company-wide\\'}/*'}]}",
                             POLICY_KIND_IDENTITY);
    const struct pol_stmt *s = p->stmts;
    struct policy_context *ana = policy_context_new();
    policy_context_set(ana, "aws:username", "ana");
    struct policy_context *star = policy_context_new();
    policy_context_set(star, "aws:username", "*");
    policy_context_set(star, "aws:PrincipalTag/team", "ml");
    struct policy_context *none = policy_context_new();

    assert_true(res_matches(&s[0], "arn:aws:s3:::mybucket/ana/notes.txt", ana));
    assert_false(res_matches(&s[0], "arn:aws:s3:::mybucket/bob/notes.txt", ana));
    // No aws:username in the request: the variable cannot be resolved and nothing matches.
    assert_false(res_matches(&s[0], "arn:aws:s3:::mybucket/ana/notes.txt", none));
    assert_false(res_matches(&s[0], "arn:aws:s3:::mybucket/${aws:username}/x", none));
    // A '*' in the value is a literal asterisk, not a wildcard.
    assert_false(res_matches(&s[0], "arn:aws:s3:::mybucket/bob/notes.txt", star));
    assert_true(res_matches(&s[0], "arn:aws:s3:::mybucket/*/notes.txt", star));

    // ${*} is a literal '*'.
    assert_true(res_matches(&s[1], "arn:aws:s3:::mybucket/*", none));
    assert_false(res_matches(&s[1], "arn:aws:s3:::mybucket/anything", none));

    assert_true(res_matches(&s[2], "arn:aws:dynamodb:us-east-2:111122223333:table/ana", ana));
    assert_false(res_matches(&s[2], "arn:aws:dynamodb:us-east-2:111122223333:table/ana2", ana));

    assert_true(res_matches(&s[3], "arn:aws:s3:::b/company-wide/x", ana));
    assert_true(res_matches(&s[3], "arn:aws:s3:::b/ml/x", star));
    assert_false(res_matches(&s[3], "arn:aws:s3:::b/company-wide/x", star));
    policy_free(p);
    policy_context_free(ana);
    policy_context_free(star);
    policy_context_free(none);
}

// [vars]: without Version 2012-10-17, ${aws:username} is literal text.
static void test_resource_variables_2008(void **state)
{
    (void)state;
    struct policy_context *ana = policy_context_new();
    policy_context_set(ana, "aws:username", "ana");
    struct policy *p = parse("{'Statement':{'Effect':'Allow','Action':'s3:*',"
                             "'Resource':'arn:aws:s3:::mybucket/${aws:username}/*'}}",
                             POLICY_KIND_INLINE_USER);
    assert_false(res_matches(&p->stmts[0], "arn:aws:s3:::mybucket/ana/x", ana));
    assert_true(res_matches(&p->stmts[0], "arn:aws:s3:::mybucket/${aws:username}/x", ana));
    policy_free(p);
    policy_context_free(ana);
}

// A trust policy statement has no Resource: it applies to the role it is attached to.
static void test_resource_absent_in_trust(void **state)
{
    (void)state;
    struct policy_context *ctx = policy_context_new();
    struct policy *p = parse("{'Version':'2012-10-17','Statement':{'Effect':'Allow',"
                             "'Principal':{'Service':'sagemaker.amazonaws.com'},"
                             "'Action':'sts:AssumeRole'}}",
                             POLICY_KIND_TRUST);
    assert_true(res_matches(&p->stmts[0], "arn:aws:iam::111122223333:role/StudioRole", ctx));
    assert_true(res_matches(&p->stmts[0], "*", ctx));
    policy_free(p);
    policy_context_free(ctx);
}

// --- policy_principal_parse ([principal])
// -----------------------------------------------------------

struct principal_case {
    const char *name;
    const char *text;
    int rc;
    enum policy_principal_type type;
    const char *arn;
    const char *account;
    const char *identity_arn; // NULL: must be NULL; "-": not checked
};

static const struct principal_case principal_cases[] = {
    {"user", "arn:aws:iam::111122223333:user/ana", 0, POLICY_PRINCIPAL_USER,
     "arn:aws:iam::111122223333:user/ana", "111122223333", NULL},
    {"user with a path", "arn:aws:iam::111122223333:user/division_abc/subdivision_xyz/JaneDoe", 0,
     POLICY_PRINCIPAL_USER, "arn:aws:iam::111122223333:user/division_abc/subdivision_xyz/JaneDoe",
     "111122223333", NULL},
    {"role session", "arn:aws:sts::111122223333:assumed-role/StudioRole/ana-session", 0,
     POLICY_PRINCIPAL_ROLE_SESSION, "arn:aws:sts::111122223333:assumed-role/StudioRole/ana-session",
     "111122223333", "arn:aws:iam::111122223333:role/StudioRole"},
    {"role session named like an email",
     "arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/ana@example.com",
     0, POLICY_PRINCIPAL_ROLE_SESSION,
     "arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/"
     "ana@example.com",
     "444455556666", "arn:aws:iam::444455556666:role/AWSReservedSSO_Admin_0123456789abcdef"},
    {"federated user", "arn:aws:sts::111122223333:federated-user/bob", 0,
     POLICY_PRINCIPAL_FEDERATED_USER, "arn:aws:sts::111122223333:federated-user/bob",
     "111122223333", "-"},
    {"root", "arn:aws:iam::111122223333:root", 0, POLICY_PRINCIPAL_ROOT,
     "arn:aws:iam::111122223333:root", "111122223333", NULL},
    {"service", "sagemaker.amazonaws.com", 0, POLICY_PRINCIPAL_SERVICE, "sagemaker.amazonaws.com",
     "", NULL},
    {"service in China", "ec2.amazonaws.com.cn", 0, POLICY_PRINCIPAL_SERVICE,
     "ec2.amazonaws.com.cn", "", NULL},
    {"anonymous", "anonymous", 0, POLICY_PRINCIPAL_ANONYMOUS, "anonymous", "", NULL},
    {"junk word", "bob", -1, 0, NULL, NULL, NULL},
    {"empty", "", -1, 0, NULL, NULL, NULL},
    {"bucket ARN", "arn:aws:s3:::bucket", -1, 0, NULL, NULL, NULL},
    {"user without a name", "arn:aws:iam::111122223333:user/", -1, 0, NULL, NULL, NULL},
    {"session without a session name", "arn:aws:sts::111122223333:assumed-role/StudioRole", -1, 0,
     NULL, NULL, NULL},
    {"truncated ARN", "arn:aws:iam::111122223333", -1, 0, NULL, NULL, NULL},
};

static void run_principal_case(void **state)
{
    const struct principal_case *c = *state;
    char storage[512];
    struct policy_principal pr;
    memset(&pr, 0, sizeof(pr));
    int rc = policy_principal_parse(c->text, &pr, storage, sizeof(storage));
    if (rc != c->rc) {
        fail_msg("\"%s\": returned %d, expected %d", c->text, rc, c->rc);
    }
    if (rc != 0) {
        return;
    }
    assert_int_equal(pr.type, c->type);
    assert_non_null(pr.arn);
    assert_string_equal(pr.arn, c->arn);
    assert_non_null(pr.account);
    assert_string_equal(pr.account, c->account);
    if (c->identity_arn == NULL) {
        assert_null(pr.identity_arn);
    } else if (strcmp(c->identity_arn, "-") != 0) {
        assert_non_null(pr.identity_arn);
        assert_string_equal(pr.identity_arn, c->identity_arn);
    }
    // A derived ARN lives in the caller's storage, not in a temporary.
    if (pr.identity_arn != NULL && pr.type == POLICY_PRINCIPAL_ROLE_SESSION) {
        assert_true(pr.identity_arn >= storage && pr.identity_arn < storage + sizeof(storage));
    }
}

// --- policy_context_add_principal_keys ([keys], [values])
// -----------------------------------------

// Returns the single value of key (lowercase) or NULL when absent.
static const char *ctx_value(const struct policy_context *ctx, const char *lkey, char *buf,
                             size_t cap)
{
    const struct pol_ctx_entry *e = pol_ctx_find(ctx, lkey, strlen(lkey));
    if (e == NULL) {
        return NULL;
    }
    assert_int_equal(e->count, 1);
    assert_true(e->value_lens[0] < cap);
    memcpy(buf, e->values[0], e->value_lens[0]);
    buf[e->value_lens[0]] = '\0';
    return buf;
}

struct keys_case {
    const char *name;
    const char *principal;
    const char *principal_arn; // expected aws:PrincipalArn, NULL: absent
    const char *account;       // expected aws:PrincipalAccount, NULL: absent
    const char *type;          // expected aws:PrincipalType, NULL: not checked
    const char *username;      // expected aws:username, NULL: absent
    const char *userid;        // expected aws:userid, NULL: not checked, "": absent
    const char *service_name;  // expected aws:PrincipalServiceName, NULL: absent
};

static const struct keys_case keys_cases[] = {
    {"keys: IAM user", "arn:aws:iam::111122223333:user/division/ana",
     "arn:aws:iam::111122223333:user/division/ana", "111122223333", "User", "ana", NULL, NULL},
    {"keys: role session", "arn:aws:sts::111122223333:assumed-role/StudioRole/ana-session",
     "arn:aws:iam::111122223333:role/StudioRole", "111122223333", "AssumedRole", NULL, NULL, NULL},
    {"keys: federated user", "arn:aws:sts::111122223333:federated-user/bob",
     "arn:aws:sts::111122223333:federated-user/bob", "111122223333", "FederatedUser", NULL,
     "111122223333:bob", NULL},
    {"keys: root", "arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:root",
     "111122223333", "Account", NULL, "111122223333", NULL},
    // aws:userid is not checked: "Specifying default values" says anonymous users do not
    // populate ${aws:userid}, while the principal key value table lists "anonymous".
    {"keys: anonymous", "anonymous", NULL, NULL, "Anonymous", NULL, NULL, NULL},
    {"keys: service", "sagemaker.amazonaws.com", NULL, NULL, NULL, NULL, NULL,
     "sagemaker.amazonaws.com"},
};

static void run_keys_case(void **state)
{
    const struct keys_case *c = *state;
    char storage[512];
    struct policy_principal pr;
    assert_int_equal(policy_principal_parse(c->principal, &pr, storage, sizeof(storage)), 0);
    struct policy_context *ctx = policy_context_new();
    policy_context_add_principal_keys(ctx, &pr);
    char buf[256];
    const char *v;

    if (pr.type != POLICY_PRINCIPAL_SERVICE) {
        v = ctx_value(ctx, "aws:principalarn", buf, sizeof(buf));
        if (c->principal_arn == NULL) {
            assert_null(v);
        } else {
            assert_non_null(v);
            assert_string_equal(v, c->principal_arn);
        }
        v = ctx_value(ctx, "aws:principalaccount", buf, sizeof(buf));
        if (c->account == NULL) {
            assert_null(v);
        } else {
            assert_non_null(v);
            assert_string_equal(v, c->account);
        }
    }
    if (c->type != NULL) {
        v = ctx_value(ctx, "aws:principaltype", buf, sizeof(buf));
        assert_non_null(v);
        assert_string_equal(v, c->type);
    }
    v = ctx_value(ctx, "aws:username", buf, sizeof(buf));
    if (c->username == NULL) {
        assert_null(v);
    } else {
        assert_non_null(v);
        assert_string_equal(v, c->username);
    }
    if (c->userid != NULL) {
        v = ctx_value(ctx, "aws:userid", buf, sizeof(buf));
        if (c->userid[0] == '\0') {
            assert_null(v);
        } else {
            assert_non_null(v);
            assert_string_equal(v, c->userid);
        }
    }
    v = ctx_value(ctx, "aws:principalservicename", buf, sizeof(buf));
    if (c->service_name == NULL) {
        assert_null(v);
    } else {
        assert_non_null(v);
        assert_string_equal(v, c->service_name);
    }
    policy_context_free(ctx);
}

// Keys already in the context are kept (policy.h: "when they are not already set").
static void test_keys_not_overwritten(void **state)
{
    (void)state;
    char storage[256];
    struct policy_principal pr;
    assert_int_equal(
        policy_principal_parse("arn:aws:iam::111122223333:user/ana", &pr, storage, sizeof(storage)),
        0);
    struct policy_context *ctx = policy_context_new();
    policy_context_set(ctx, "AWS:UserName", "preset");
    policy_context_set(ctx, "aws:userid", "AIDAEXAMPLE");
    policy_context_add_principal_keys(ctx, &pr);
    char buf[64];
    assert_string_equal(ctx_value(ctx, "aws:username", buf, sizeof(buf)), "preset");
    assert_string_equal(ctx_value(ctx, "aws:userid", buf, sizeof(buf)), "AIDAEXAMPLE");
    assert_string_equal(ctx_value(ctx, "aws:principalaccount", buf, sizeof(buf)), "111122223333");
    policy_context_free(ctx);
}

int main(void)
{
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_arn_lengths),
        cmocka_unit_test(test_action_case_insensitive),
        cmocka_unit_test(test_action_wildcards),
        cmocka_unit_test(test_not_action),
        cmocka_unit_test(test_resource_plain),
        cmocka_unit_test(test_not_resource),
        cmocka_unit_test(test_resource_variables),
        cmocka_unit_test(test_resource_variables_2008),
        cmocka_unit_test(test_resource_absent_in_trust),
        cmocka_unit_test(test_keys_not_overwritten),
    };
    size_t n_fixed = sizeof(fixed) / sizeof(fixed[0]);
    size_t n_arn = sizeof(arn_cases) / sizeof(arn_cases[0]);
    size_t n_pr = sizeof(principal_cases) / sizeof(principal_cases[0]);
    size_t n_keys = sizeof(keys_cases) / sizeof(keys_cases[0]);
    size_t total = n_fixed + n_arn + n_pr + n_keys;
    struct CMUnitTest *tests = calloc(total, sizeof(*tests));
    assert_non_null(tests);
    size_t k = 0;
    for (size_t i = 0; i < n_fixed; i++) {
        tests[k++] = fixed[i];
    }
    for (size_t i = 0; i < n_arn; i++) {
        tests[k++] = (struct CMUnitTest){.name = arn_cases[i].name,
                                         .test_func = run_arn_case,
                                         .initial_state = (void *)&arn_cases[i]};
    }
    for (size_t i = 0; i < n_pr; i++) {
        tests[k++] = (struct CMUnitTest){.name = principal_cases[i].name,
                                         .test_func = run_principal_case,
                                         .initial_state = (void *)&principal_cases[i]};
    }
    for (size_t i = 0; i < n_keys; i++) {
        tests[k++] = (struct CMUnitTest){.name = keys_cases[i].name,
                                         .test_func = run_keys_case,
                                         .initial_state = (void *)&keys_cases[i]};
    }
    int rc = _cmocka_run_group_tests("policy_match", tests, total, NULL, NULL);
    free(tests);
    return rc;
}
