# SPDX-License-Identifier: Apache-2.0
# IAM SimulatePrincipalPolicy and SimulateCustomPolicy through Debian's boto3 and AWS CLI v2
# against the real daemon. Expected shapes and values are AWS's, each with its source:
#   - IAM API Reference, SimulatePrincipalPolicy, SimulateCustomPolicy, EvaluationResult,
#     ResourceSpecificResult, Statement;
#   - the AWS CLI's own examples (awscli/examples/iam/simulate-custom-policy.rst and
#     simulate-principal-policy.rst, installed with Debian's awscli);
#   - a real boto3 response recorded in a public repository, cited where used.
import json

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"

# The policy of the AWS CLI's simulate-custom-policy example.
DATED = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
         '"Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":'
         '"2018-08-16T12:00:00Z"}}}}')


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def stmt(actions, resource="*", effect="Allow", condition=None, principal=None, sid=None):
    s = {"Effect": effect, "Action": actions, "Resource": resource}
    if sid:
        s["Sid"] = sid
    if principal:
        s["Principal"] = principal
    if condition:
        s["Condition"] = condition
    return s


def err(excinfo):
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def current_time(value):
    return [{"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": [value],
             "ContextKeyType": "date"}]


@pytest.fixture
def iam(client):
    return client("iam")


# ---- SimulateCustomPolicy ------------------------------------------------------------------------


def test_custom_policy_allowed(iam):
    out = iam.simulate_custom_policy(PolicyInputList=[DATED],
                                     ActionNames=["dynamodb:CreateBackup"],
                                     ContextEntries=current_time("2019-04-25T11:00:00Z"))
    # The CLI example's output: allowed, matched PolicyInputList.1 on line 1, no missing values.
    [r] = out["EvaluationResults"]
    assert r["EvalActionName"] == "dynamodb:CreateBackup"
    assert r["EvalResourceName"] == "*"
    assert r["EvalDecision"] == "allowed"
    [m] = r["MatchedStatements"]
    assert m["SourcePolicyId"] == "PolicyInputList.1"
    assert m["StartPosition"]["Line"] == 1 and m["EndPosition"]["Line"] == 1
    # The statement spans columns 38..167 in the example; allow one column either way at each
    # end (the example and a recorded response disagree by one on where IAM starts counting).
    assert abs(m["StartPosition"]["Column"] - 38) <= 1
    assert abs(m["EndPosition"]["Column"] - 167) <= 1
    assert r["MissingContextValues"] == []
    assert out["IsTruncated"] is False


def test_custom_policy_implicit_deny(iam):
    out = iam.simulate_custom_policy(PolicyInputList=[DATED],
                                     ActionNames=["dynamodb:CreateBackup"],
                                     ContextEntries=current_time("2014-04-25T11:00:00Z"))
    [r] = out["EvaluationResults"]
    # The CLI example's output for a date before the condition's.
    assert r["EvalDecision"] == "implicitDeny"
    assert r["MatchedStatements"] == []
    assert r["MissingContextValues"] == []


def test_custom_policy_reports_missing_context_values(iam):
    out = iam.simulate_custom_policy(PolicyInputList=[DATED],
                                     ActionNames=["dynamodb:CreateBackup", "s3:GetObject"])
    first, second = out["EvaluationResults"]
    assert first["EvalDecision"] == "implicitDeny"
    assert first["MissingContextValues"] == ["aws:CurrentTime"]
    # The condition belongs to a statement for dynamodb:*: s3:GetObject needs no value.
    assert second["MissingContextValues"] == []


def test_custom_policy_explicit_deny(iam):
    allow_all = doc(stmt("s3:*"))
    deny_delete = doc(stmt("s3:GetObject", sid="Allowed"),
                      stmt("s3:DeleteObject", "arn:aws:s3:::b/*", effect="Deny", sid="NoDelete"))
    out = iam.simulate_custom_policy(PolicyInputList=[allow_all, deny_delete],
                                     ActionNames=["s3:DeleteObject", "s3:PutObject"],
                                     ResourceArns=["arn:aws:s3:::b/k"])
    delete, put = out["EvaluationResults"]
    assert delete["EvalDecision"] == "explicitDeny"
    # IAM API Reference, EvaluationResult: for an explicit deny "the deny statement is the only
    # entry included in the result".
    [m] = delete["MatchedStatements"]
    assert m["SourcePolicyId"] == "PolicyInputList.2"
    text = deny_delete.splitlines()[0]
    start = m["StartPosition"]["Column"]
    assert text[start - 1:start + 1] in ('{"', '"S')
    assert put["EvalDecision"] == "allowed"
    assert [m["SourcePolicyId"] for m in put["MatchedStatements"]] == ["PolicyInputList.1"]


def test_custom_policy_with_resources(iam):
    # The shape of a recorded real response (smoketurner test fixture, 2020): one result per
    # action, EvalDecisionDetails present and empty within one account, and one
    # ResourceSpecificResult per resource carrying the matched statements.
    bucket = "arn:aws:s3:::smoketurner-test-iam-bucket/*"
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": bucket}]})
    out = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["s3:GetObject"],
                                     ResourceArns=[bucket])
    [r] = out["EvaluationResults"]
    assert r["EvalResourceName"] == bucket
    assert r["EvalDecision"] == "allowed"
    assert r["EvalDecisionDetails"] == {}
    assert r["MissingContextValues"] == []
    [m] = r["MatchedStatements"]
    assert m["SourcePolicyId"] == "PolicyInputList.1"
    assert m["SourcePolicyType"] == "IAM Policy"
    assert m["StartPosition"] == {"Line": 1, "Column": 41}
    [rs] = r["ResourceSpecificResults"]
    assert rs["EvalResourceName"] == bucket
    assert rs["EvalResourceDecision"] == "allowed"
    assert rs["MatchedStatements"] == r["MatchedStatements"]


def test_custom_policy_several_resources(iam):
    policy = doc(stmt("s3:GetObject", "arn:aws:s3:::good/*"),
                 stmt("s3:GetObject", "arn:aws:s3:::bad/*", effect="Deny"))
    out = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["s3:GetObject"],
                                     ResourceArns=["arn:aws:s3:::good/x", "arn:aws:s3:::bad/x",
                                                   "arn:aws:s3:::other/x"])
    [r] = out["EvaluationResults"]
    got = {x["EvalResourceName"]: x["EvalResourceDecision"] for x in r["ResourceSpecificResults"]}
    assert got == {"arn:aws:s3:::good/x": "allowed", "arn:aws:s3:::bad/x": "explicitDeny",
                   "arn:aws:s3:::other/x": "implicitDeny"}
    assert r["EvalDecision"] == "explicitDeny"


def test_custom_policy_with_a_permissions_boundary(iam):
    out = iam.simulate_custom_policy(PolicyInputList=[doc(stmt(["s3:*", "iam:*"]))],
                                     PermissionsBoundaryPolicyInputList=[doc(stmt("s3:*"))],
                                     ActionNames=["s3:ListBucket", "iam:ListUsers"])
    s3, iam_r = out["EvaluationResults"]
    assert s3["EvalDecision"] == "allowed"
    assert s3["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert iam_r["EvalDecision"] == "implicitDeny"
    assert iam_r["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}


def test_custom_policy_with_a_resource_policy(iam):
    caller = f"arn:aws:iam::{ACCOUNT}:user/ana"
    rp = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::b/*"}]})
    out = iam.simulate_custom_policy(PolicyInputList=[doc(stmt("s3:ListBucket"))],
                                     ResourcePolicy=rp, CallerArn=caller,
                                     ActionNames=["s3:GetObject"],
                                     ResourceArns=["arn:aws:s3:::b/k"])
    # Within one account a resource-based policy that names the caller is enough.
    [r] = out["EvaluationResults"]
    assert r["EvalDecision"] == "allowed"
    assert [m["SourcePolicyId"] for m in r["MatchedStatements"]] == ["ResourcePolicy"]


def test_custom_policy_pagination(iam):
    actions = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
    first = iam.simulate_custom_policy(PolicyInputList=[doc(stmt("s3:*"))], ActionNames=actions,
                                       MaxItems=2)
    assert [r["EvalActionName"] for r in first["EvaluationResults"]] == actions[:2]
    assert first["IsTruncated"] is True
    rest = iam.simulate_custom_policy(PolicyInputList=[doc(stmt("s3:*"))], ActionNames=actions,
                                      MaxItems=2, Marker=first["Marker"])
    assert [r["EvalActionName"] for r in rest["EvaluationResults"]] == actions[2:]
    assert rest["IsTruncated"] is False
    # The paginator of botocore walks the same pages.
    pages = iam.get_paginator("simulate_custom_policy").paginate(
        PolicyInputList=[doc(stmt("s3:*"))], ActionNames=actions,
        PaginationConfig={"PageSize": 1})
    assert [r["EvalActionName"] for p in pages for r in p["EvaluationResults"]] == actions


def test_custom_policy_malformed_input(iam):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.simulate_custom_policy(PolicyInputList=['{"Version": "2012-10-17"'],
                                   ActionNames=["s3:GetObject"])
    assert err(e)[0] == 400


# ---- SimulatePrincipalPolicy ---------------------------------------------------------------------


def test_principal_policy_of_a_user(iam):
    iam.create_user(UserName="alejandro")
    iam.put_user_policy(UserName="alejandro", PolicyName="Grant-Access-To-CodeCommit-ListRepo",
                        PolicyDocument=doc(stmt("codecommit:ListRepositories")))
    arn = f"arn:aws:iam::{ACCOUNT}:user/alejandro"
    out = iam.simulate_principal_policy(PolicySourceArn=arn,
                                        ActionNames=["codecommit:ListRepositories",
                                                     "dynamodb:CreateBackup"])
    allowed, denied = out["EvaluationResults"]
    # The CLI's simulate-principal-policy example: the inline policy's name is the
    # SourcePolicyId.
    assert allowed["EvalDecision"] == "allowed"
    [m] = allowed["MatchedStatements"]
    assert m["SourcePolicyId"] == "Grant-Access-To-CodeCommit-ListRepo"
    assert m["SourcePolicyType"] == "user"
    assert denied["EvalDecision"] == "implicitDeny"
    assert denied["MatchedStatements"] == []


def test_principal_policy_includes_group_policies_and_inputs(iam):
    iam.create_user(UserName="ana")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="ana")
    iam.put_group_policy(GroupName="devs", PolicyName="devs-read",
                         PolicyDocument=doc(stmt("s3:GetObject")))
    arn = f"arn:aws:iam::{ACCOUNT}:user/ana"
    out = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        PolicyInputList=[doc(stmt("s3:PutObject")), doc(stmt("s3:*", effect="Deny",
                                                              condition={"Bool": {
                                                                  "aws:SecureTransport":
                                                                  "false"}}))],
        ContextEntries=[{"ContextKeyName": "aws:SecureTransport", "ContextKeyValues": ["true"],
                         "ContextKeyType": "boolean"}])
    get, put, delete = out["EvaluationResults"]
    assert get["EvalDecision"] == "allowed"
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in get["MatchedStatements"]] == [
        ("devs-read", "group")]
    assert put["EvalDecision"] == "allowed"
    assert [m["SourcePolicyId"] for m in put["MatchedStatements"]] == ["PolicyInputList.1"]
    assert delete["EvalDecision"] == "implicitDeny"
    # The group itself can be simulated.
    out = iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:group/devs",
                                        ActionNames=["s3:GetObject"])
    assert out["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_principal_policy_of_a_role_with_a_boundary(iam):
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "sts:AssumeRole"}]})
    role = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(RoleName="worker", PolicyName="wide",
                        PolicyDocument=doc(stmt(["s3:*", "iam:ListUsers"])))
    iam.put_role_permissions_boundary(
        RoleName="worker", PermissionsBoundary="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    out = iam.simulate_principal_policy(PolicySourceArn=role["Arn"],
                                        ActionNames=["s3:GetObject", "iam:ListUsers"])
    s3, iam_r = out["EvaluationResults"]
    assert s3["EvalDecision"] == "allowed"
    assert s3["MatchedStatements"][0]["SourcePolicyType"] == "role"
    assert s3["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert iam_r["EvalDecision"] == "implicitDeny"
    assert iam_r["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    # A boundary given with the request replaces the role's (IAM API Reference,
    # PermissionsBoundaryPolicyInputList).
    out = iam.simulate_principal_policy(PolicySourceArn=role["Arn"],
                                        ActionNames=["iam:ListUsers"],
                                        PermissionsBoundaryPolicyInputList=[doc(stmt("iam:*"))])
    assert out["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_principal_policy_explicit_deny_of_a_managed_policy(iam):
    iam.create_user(UserName="ana")
    iam.attach_user_policy(UserName="ana",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.put_user_policy(UserName="ana", PolicyName="no-iam",
                        PolicyDocument=doc(stmt("iam:*", effect="Deny")))
    out = iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/ana",
                                        ActionNames=["iam:CreateUser", "ec2:RunInstances"])
    create, run = out["EvaluationResults"]
    assert create["EvalDecision"] == "explicitDeny"
    assert [m["SourcePolicyId"] for m in create["MatchedStatements"]] == ["no-iam"]
    assert run["EvalDecision"] == "allowed"
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in run["MatchedStatements"]] == [
        ("AdministratorAccess", "aws-managed")]


def test_principal_policy_of_a_missing_user(iam):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/nobody",
                                      ActionNames=["s3:GetObject"])
    status, code, msg = err(e)
    # IAM's NoSuchEntity wording: "The user with name <name> cannot be found." (IAM API
    # Reference, GetUser errors).
    assert (status, code) == (404, "NoSuchEntity")
    assert msg == "The user with name nobody cannot be found."


def test_principal_policy_with_the_cli(aws_cli, iam):
    iam.create_user(UserName="alejandro")
    iam.put_user_policy(UserName="alejandro", PolicyName="Grant-Access-To-CodeCommit-ListRepo",
                        PolicyDocument=doc(stmt("codecommit:ListRepositories")))
    code, out, errtext = aws_cli("iam", "simulate-principal-policy", "--policy-source-arn",
                                 f"arn:aws:iam::{ACCOUNT}:user/alejandro", "--action-names",
                                 "codecommit:ListRepositories")
    assert code == 0, errtext
    [r] = json.loads(out)["EvaluationResults"]
    assert r["EvalDecision"] == "allowed"
    assert r["MatchedStatements"][0]["SourcePolicyId"] == "Grant-Access-To-CodeCommit-ListRepo"


# ---- Who may simulate ----------------------------------------------------------------------------


def test_simulating_needs_permission(client, iam):
    iam.create_user(UserName="alice")
    iam.create_user(UserName="bob")
    k = iam.create_access_key(UserName="bob")["AccessKey"]
    bob = client("iam", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
    alice_arn = f"arn:aws:iam::{ACCOUNT}:user/alice"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.simulate_principal_policy(PolicySourceArn=alice_arn, ActionNames=["s3:GetObject"])
    status, code, msg = err(e)
    assert (status, code) == (403, "AccessDenied")
    # IAM User Guide, "Access denied error messages".
    assert msg == (f"User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: "
                   f"iam:SimulatePrincipalPolicy on resource: {alice_arn} because no "
                   f"identity-based policy allows the iam:SimulatePrincipalPolicy action")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.simulate_custom_policy(PolicyInputList=[doc(stmt("s3:*"))],
                                   ActionNames=["s3:GetObject"])
    assert err(e)[:2] == (403, "AccessDenied")
    # IAM User Guide, "Testing IAM policies with the IAM policy simulator": to simulate Alice's
    # policies, Bob needs iam:SimulatePrincipalPolicy on arn:aws:iam::...:user/alice.
    iam.put_user_policy(UserName="bob", PolicyName="sim", PolicyDocument=doc(
        stmt("iam:SimulatePrincipalPolicy", alice_arn), stmt("iam:SimulateCustomPolicy")))
    bob.simulate_principal_policy(PolicySourceArn=alice_arn, ActionNames=["s3:GetObject"])
    bob.simulate_custom_policy(PolicyInputList=[doc(stmt("s3:*"))], ActionNames=["s3:GetObject"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/bob",
                                      ActionNames=["s3:GetObject"])
    assert err(e)[:2] == (403, "AccessDenied")
