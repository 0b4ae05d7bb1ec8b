# SPDX-License-Identifier: Apache-2.0
# IAM roles through Debian's boto3 and AWS CLI v2: CreateRole, GetRole, ListRoles, UpdateRole,
# UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole, TagRole, UntagRole, ListRoleTags,
# Put/DeleteRolePermissionsBoundary and the role's inline policies, each with its failures and its
# authorization. Expected codes and messages are AWS's (IAM API Reference; the Service
# Authorization Reference for actions, resources and condition keys; real AWS output quoted in
# public issues), never what sagebox happens to print.
import json
from urllib.parse import quote

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}
S3_READ = {"Version": "2012-10-17",
           "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def error_of(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(*args, **kwargs)
    r = e.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def new_role(iam, name="r1", **kw):
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), **kw)["Role"]


def user_with_policy(iam, client, name, policy=None):
    """A user with an access key and an optional inline policy; returns its IAM client."""
    iam.create_user(UserName=name)
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return client("iam", key=k["AccessKeyId"], secret=k["SecretAccessKey"])


def allow(actions, resource="*", condition=None):
    st = {"Effect": "Allow", "Action": actions, "Resource": resource}
    if condition:
        st["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [st]}


# ---- CreateRole / GetRole / ListRoles ----------------------------------------------------------

def test_create_and_get_role(client):
    iam = client("iam")
    role = new_role(iam, "svc-role", Path="/service/", Description="for SageMaker",
                    Tags=[{"Key": "team", "Value": "ml"}])
    assert role["RoleName"] == "svc-role"
    assert role["Path"] == "/service/"
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/service/svc-role"
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    assert role["AssumeRolePolicyDocument"] == TRUST  # botocore URL-decodes and parses it
    assert role["Description"] == "for SageMaker"
    assert role["Tags"] == [{"Key": "team", "Value": "ml"}]
    assert "MaxSessionDuration" not in role and "RoleLastUsed" not in role

    got = iam.get_role(RoleName="SVC-ROLE")["Role"]  # names are case-insensitive
    assert got["RoleId"] == role["RoleId"]
    assert got["RoleName"] == "svc-role"
    assert got["MaxSessionDuration"] == 3600
    assert got["RoleLastUsed"] == {}
    assert got["AssumeRolePolicyDocument"] == TRUST
    assert got["CreateDate"] == role["CreateDate"]


def test_role_documents_travel_url_encoded(client):
    # IAM returns policy documents URL-encoded (RFC 3986); botocore decodes them.
    iam = client("iam")
    new_role(iam, "enc")
    raw = []
    iam.meta.events.register("after-call.iam.GetRole",
                             lambda http_response, **_: raw.append(http_response.text))
    iam.get_role(RoleName="enc")
    assert quote(json.dumps(TRUST), safe="") in raw[0]


def test_create_role_with_the_cli(aws_cli, tmp_path):
    doc = tmp_path / "trust.json"
    doc.write_text(json.dumps(TRUST))
    code, out, err = aws_cli("iam", "create-role", "--role-name", "cli-role",
                             "--assume-role-policy-document", f"file://{doc}",
                             "--max-session-duration", "7200")
    assert code == 0, err
    assert json.loads(out)["Role"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/cli-role"
    code, out, err = aws_cli("iam", "get-role", "--role-name", "cli-role")
    assert code == 0, err
    assert json.loads(out)["Role"]["MaxSessionDuration"] == 7200


def test_create_role_twice_is_entity_already_exists(client):
    iam = client("iam")
    new_role(iam, "twice")
    status, code, msg = error_of(new_role, iam, "TWICE")
    assert (status, code) == (409, "EntityAlreadyExists")
    assert msg == "Role with name TWICE already exists."


def test_get_missing_role_is_no_such_entity(client, aws_cli):
    status, code, msg = error_of(client("iam").get_role, RoleName="nope")
    assert (status, code, msg) == (404, "NoSuchEntity", "The role with name nope cannot be found.")
    rc, _, err = aws_cli("iam", "get-role", "--role-name", "nope")
    assert rc != 0 and "(NoSuchEntity)" in err


@pytest.mark.parametrize("doc, message", [
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                              "Principal": {"Service": "ec2.amazonaws.com"},
                                              "Resource": "*"}]},
     "Has prohibited field Resource."),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                              "Principal": {"AWS": "not-an-arn"}}]},
     'Invalid principal in policy: "AWS":"not-an-arn"'),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]},
     "The passed in policy has a statement with no principals!"),
    # AWS checks that the IAM users and roles a trust policy names exist.
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                              "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/ghost"}}]},
     f'Invalid principal in policy: "AWS":"arn:aws:iam::{ACCOUNT}:user/ghost"'),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                              "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:root",
                                                                    f"arn:aws:iam::{ACCOUNT}:role/ghost"]}}]},
     f'Invalid principal in policy: "AWS":"arn:aws:iam::{ACCOUNT}:role/ghost"'),
])
def test_bad_trust_policy_is_malformed(client, doc, message):
    iam = client("iam")
    status, code, msg = error_of(iam.create_role, RoleName="bad",
                                 AssumeRolePolicyDocument=json.dumps(doc))
    assert (status, code, msg) == (400, "MalformedPolicyDocument", message)
    assert error_of(iam.get_role, RoleName="bad")[1] == "NoSuchEntity"


def test_trust_policy_naming_an_existing_user_or_role_is_accepted(client):
    iam = client("iam")
    iam.create_user(UserName="alice", Path="/people/")
    new_role(iam, "target")
    doc = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:user/people/alice",
                              f"arn:aws:iam::{ACCOUNT}:role/target"]}}]}
    role = iam.create_role(RoleName="trusting", AssumeRolePolicyDocument=json.dumps(doc))["Role"]
    assert role["AssumeRolePolicyDocument"] == doc
    # The user's ARN without its path names no one.
    doc["Statement"][0]["Principal"]["AWS"] = f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert error_of(iam.update_assume_role_policy, RoleName="trusting",
                    PolicyDocument=json.dumps(doc))[1] == "MalformedPolicyDocument"


def test_trust_policy_over_the_quota_is_limit_exceeded(client):
    doc = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"Service": [f"svc{i:04d}.amazonaws.com" for i in range(120)]}}]}
    status, code, msg = error_of(client("iam").create_role, RoleName="big",
                                 AssumeRolePolicyDocument=json.dumps(doc))
    assert (status, code) == (409, "LimitExceeded")
    assert msg == "Cannot exceed quota for ACLSizePerRole: 2048"


def test_max_session_duration_out_of_range_is_a_validation_error(client):
    status, code, _ = error_of(new_role, client("iam"), "long", MaxSessionDuration=43201)
    assert (status, code) == (400, "ValidationError")


def test_list_roles_with_path_prefix_and_pagination(client):
    iam = client("iam")
    for i in range(5):
        new_role(iam, f"team-{i}", Path="/team/")
    new_role(iam, "other", Path="/other/")
    seen, marker = [], None
    while True:
        kw = {"PathPrefix": "/team/", "MaxItems": 2}
        if marker:
            kw["Marker"] = marker
        page = iam.list_roles(**kw)
        assert len(page["Roles"]) <= 2
        seen += [r["RoleName"] for r in page["Roles"]]
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
    assert seen == [f"team-{i}" for i in range(5)]
    listed = iam.list_roles()["Roles"]
    assert {r["RoleName"] for r in listed} == {f"team-{i}" for i in range(5)} | {"other"}
    # ListRoles leaves out PermissionsBoundary, RoleLastUsed and Tags.
    assert all("RoleLastUsed" not in r and "Tags" not in r for r in listed)
    assert all(r["MaxSessionDuration"] == 3600 for r in listed)


def test_list_roles_with_the_cli_paginates(aws_cli, client):
    iam = client("iam")
    for i in range(3):
        new_role(iam, f"c{i}")
    code, out, err = aws_cli("iam", "list-roles", "--page-size", "1")
    assert code == 0, err
    assert [r["RoleName"] for r in json.loads(out)["Roles"]] == ["c0", "c1", "c2"]


# ---- Updates and deletion ----------------------------------------------------------------------

def test_update_role_and_description(client):
    iam = client("iam")
    new_role(iam, "upd")
    iam.update_role(RoleName="upd", Description="one", MaxSessionDuration=43200)
    got = iam.get_role(RoleName="upd")["Role"]
    assert (got["Description"], got["MaxSessionDuration"]) == ("one", 43200)
    role = iam.update_role_description(RoleName="upd", Description="two")["Role"]
    assert role["Description"] == "two" and role["RoleName"] == "upd"
    assert iam.get_role(RoleName="upd")["Role"]["MaxSessionDuration"] == 43200
    assert error_of(iam.update_role, RoleName="ghost", Description="x")[:2] == (404, "NoSuchEntity")


def test_update_assume_role_policy(client):
    iam = client("iam")
    new_role(iam, "trust")
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                   "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}]}
    iam.update_assume_role_policy(RoleName="trust", PolicyDocument=json.dumps(doc))
    assert iam.get_role(RoleName="trust")["Role"]["AssumeRolePolicyDocument"] == doc
    bad = dict(doc, Statement=[dict(doc["Statement"][0], Resource="*")])
    status, code, msg = error_of(iam.update_assume_role_policy, RoleName="trust",
                                 PolicyDocument=json.dumps(bad))
    assert (status, code, msg) == (400, "MalformedPolicyDocument", "Has prohibited field Resource.")
    assert iam.get_role(RoleName="trust")["Role"]["AssumeRolePolicyDocument"] == doc


def test_delete_role_conflicts_then_succeeds(client, aws_cli):
    iam = client("iam")
    new_role(iam, "del")
    iam.put_role_policy(RoleName="del", PolicyName="inline", PolicyDocument=json.dumps(S3_READ))
    iam.attach_role_policy(RoleName="del", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    # Attached policies are checked first, then inline ones.
    assert error_of(iam.delete_role, RoleName="del") == (
        409, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
    iam.detach_role_policy(RoleName="del", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert error_of(iam.delete_role, RoleName="del") == (
        409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
    iam.delete_role_policy(RoleName="del", PolicyName="inline")
    code, _, err = aws_cli("iam", "delete-role", "--role-name", "del")
    assert code == 0, err
    assert error_of(iam.get_role, RoleName="del")[1] == "NoSuchEntity"
    assert error_of(iam.delete_role, RoleName="del")[:2] == (404, "NoSuchEntity")


# ---- Tags --------------------------------------------------------------------------------------

def test_tag_list_untag_role(client):
    iam = client("iam")
    new_role(iam, "tagged", Tags=[{"Key": "a", "Value": "1"}])
    iam.tag_role(RoleName="tagged", Tags=[{"Key": "A", "Value": "2"}, {"Key": "b", "Value": "3"}])
    assert iam.list_role_tags(RoleName="tagged")["Tags"] == [
        {"Key": "A", "Value": "2"}, {"Key": "b", "Value": "3"}]
    page = iam.list_role_tags(RoleName="tagged", MaxItems=1)
    assert page["IsTruncated"] and page["Tags"] == [{"Key": "A", "Value": "2"}]
    rest = iam.list_role_tags(RoleName="tagged", Marker=page["Marker"])
    assert rest["Tags"] == [{"Key": "b", "Value": "3"}] and not rest["IsTruncated"]
    iam.untag_role(RoleName="tagged", TagKeys=["a", "missing"])
    assert iam.get_role(RoleName="tagged")["Role"]["Tags"] == [{"Key": "b", "Value": "3"}]
    iam.untag_role(RoleName="tagged", TagKeys=["b"])
    assert "Tags" not in iam.get_role(RoleName="tagged")["Role"]
    assert iam.list_role_tags(RoleName="tagged")["Tags"] == []


def test_tag_role_failures(client):
    iam = client("iam")
    new_role(iam, "t", Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(49)])
    status, code, msg = error_of(iam.tag_role, RoleName="t",
                                 Tags=[{"Key": "x", "Value": "1"}, {"Key": "y", "Value": "2"}])
    assert (status, code) == (409, "LimitExceeded")
    assert len(iam.list_role_tags(RoleName="t")["Tags"]) == 49  # nothing changed
    status, code, msg = error_of(iam.tag_role, RoleName="t", Tags=[{"Key": "aws:x", "Value": "1"}])
    assert (status, code) == (400, "InvalidInput")
    assert "aws:" in msg
    assert error_of(iam.tag_role, RoleName="ghost",
                    Tags=[{"Key": "x", "Value": "1"}])[:2] == (404, "NoSuchEntity")


# ---- Permissions boundary ----------------------------------------------------------------------

def test_role_permissions_boundary(client):
    iam = client("iam")
    arn = iam.create_policy(PolicyName="bound", PolicyDocument=json.dumps(S3_READ))["Policy"]["Arn"]
    new_role(iam, "bounded", PermissionsBoundary="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=arn)
    assert iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"][
        "PermissionsBoundaryArn"] == arn
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    ents = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsBoundary")
    assert [r["RoleName"] for r in ents["PolicyRoles"]] == ["bounded"]
    iam.delete_role_permissions_boundary(RoleName="bounded")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="bounded")["Role"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"] == 0


def test_boundary_that_does_not_exist_is_no_such_entity(client):
    iam = client("iam")
    ghost = f"arn:aws:iam::{ACCOUNT}:policy/ghost"
    status, code, msg = error_of(new_role, iam, "b", PermissionsBoundary=ghost)
    assert (status, code, msg) == (404, "NoSuchEntity",
                                   f"Scope ARN: {ghost} does not exist or is not attachable.")
    assert error_of(iam.get_role, RoleName="b")[1] == "NoSuchEntity"
    new_role(iam, "b")
    assert error_of(iam.put_role_permissions_boundary, RoleName="b",
                    PermissionsBoundary=ghost)[:2] == (404, "NoSuchEntity")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="b")["Role"]


# ---- Inline policies ---------------------------------------------------------------------------

def test_role_inline_policies(client, aws_cli):
    iam = client("iam")
    new_role(iam, "inl")
    for name in ("b", "a", "c"):
        iam.put_role_policy(RoleName="inl", PolicyName=name, PolicyDocument=json.dumps(S3_READ))
    got = iam.get_role_policy(RoleName="inl", PolicyName="a")
    assert (got["RoleName"], got["PolicyName"], got["PolicyDocument"]) == ("inl", "a", S3_READ)
    assert iam.list_role_policies(RoleName="inl")["PolicyNames"] == ["a", "b", "c"]
    page = iam.list_role_policies(RoleName="inl", MaxItems=2)
    assert page["PolicyNames"] == ["a", "b"] and page["IsTruncated"]
    assert iam.list_role_policies(RoleName="inl", Marker=page["Marker"])["PolicyNames"] == ["c"]
    code, out, err = aws_cli("iam", "get-role-policy", "--role-name", "inl", "--policy-name", "b")
    assert code == 0, err
    assert json.loads(out)["PolicyDocument"] == S3_READ
    iam.delete_role_policy(RoleName="inl", PolicyName="b")
    assert iam.list_role_policies(RoleName="inl")["PolicyNames"] == ["a", "c"]
    assert error_of(iam.get_role_policy, RoleName="inl", PolicyName="b") == (
        404, "NoSuchEntity", "The role policy with name b cannot be found.")
    assert error_of(iam.delete_role_policy, RoleName="inl", PolicyName="b") == (
        404, "NoSuchEntity", "The role policy with name b cannot be found.")


def test_role_inline_policy_failures(client):
    iam = client("iam")
    new_role(iam, "inl")
    with_principal = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}
    assert error_of(iam.put_role_policy, RoleName="inl", PolicyName="p",
                    PolicyDocument=json.dumps(with_principal)) == (
        400, "MalformedPolicyDocument", "Policy document should not specify a principal.")
    big = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": [f"s3:GetObject{i}" for i in range(800)], "Resource": "*"}]}
    assert error_of(iam.put_role_policy, RoleName="inl", PolicyName="p",
                    PolicyDocument=json.dumps(big)) == (
        409, "LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role inl")
    assert iam.list_role_policies(RoleName="inl")["PolicyNames"] == []
    assert error_of(iam.put_role_policy, RoleName="ghost", PolicyName="p",
                    PolicyDocument=json.dumps(S3_READ))[:2] == (404, "NoSuchEntity")


def test_role_inline_policies_share_one_size_quota(client):
    # "the total aggregate policy size (the sum size of all inline policies) per role cannot
    # exceed 10,240 characters" (IAM User Guide, "IAM and AWS STS quotas").
    iam = client("iam")
    new_role(iam, "agg")
    half = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": [f"s3:GetObject{i:04d}" for i in range(300)], "Resource": "*"}]})
    iam.put_role_policy(RoleName="agg", PolicyName="one", PolicyDocument=half)
    iam.put_role_policy(RoleName="agg", PolicyName="one", PolicyDocument=half)  # a replacement
    assert error_of(iam.put_role_policy, RoleName="agg", PolicyName="two",
                    PolicyDocument=half) == (
        409, "LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role agg")
    assert iam.list_role_policies(RoleName="agg")["PolicyNames"] == ["one"]


# ---- Authorization -----------------------------------------------------------------------------

def test_role_operations_are_denied_without_a_policy(client):
    iam = client("iam")
    new_role(iam, "existing")
    user = user_with_policy(iam, client, "nobody")
    status, code, msg = error_of(user.create_role, RoleName="x",
                                 AssumeRolePolicyDocument=json.dumps(TRUST))
    assert (status, code) == (403, "AccessDenied")
    assert msg == (f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: "
                   f"iam:CreateRole on resource: arn:aws:iam::{ACCOUNT}:role/x because no "
                   "identity-based policy allows the iam:CreateRole action")
    assert error_of(iam.get_role, RoleName="x")[1] == "NoSuchEntity"  # nothing was created
    # A denied caller learns nothing about existence: AccessDenied for both.
    assert error_of(user.get_role, RoleName="existing")[1] == "AccessDenied"
    assert error_of(user.get_role, RoleName="ghost")[1] == "AccessDenied"
    # For an existing role IAM names it "role NAME" (real AWS: "... iam:DeleteRole on resource:
    # role AWSBackupDefaultServiceRole with an explicit deny ...").
    assert error_of(user.delete_role, RoleName="existing") == (
        403, "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: iam:DeleteRole "
        "on resource: role existing because no identity-based policy allows the iam:DeleteRole "
        "action")
    assert error_of(user.get_role, RoleName="ghost")[2].endswith(
        "iam:GetRole on resource: role ghost because no identity-based policy allows the "
        "iam:GetRole action")
    assert iam.get_role(RoleName="existing")["Role"]["RoleName"] == "existing"


def test_denied_updates_change_nothing(client):
    iam = client("iam")
    new_role(iam, "keep", Description="before", Tags=[{"Key": "k", "Value": "v"}])
    user = user_with_policy(iam, client, "u", allow("iam:GetRole"))
    for call, kw in [
        (user.update_role, {"Description": "after"}),
        (user.update_role_description, {"Description": "after"}),
        (user.update_assume_role_policy, {"PolicyDocument": json.dumps(TRUST)}),
        (user.tag_role, {"Tags": [{"Key": "k", "Value": "changed"}]}),
        (user.untag_role, {"TagKeys": ["k"]}),
        (user.put_role_policy, {"PolicyName": "p", "PolicyDocument": json.dumps(S3_READ)}),
        (user.put_role_permissions_boundary,
         {"PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
    ]:
        assert error_of(call, RoleName="keep", **kw)[1] == "AccessDenied"
    role = user.get_role(RoleName="keep")["Role"]
    assert role["Description"] == "before"
    assert role["Tags"] == [{"Key": "k", "Value": "v"}]
    assert "PermissionsBoundary" not in role
    assert iam.list_role_policies(RoleName="keep")["PolicyNames"] == []


def test_create_role_request_tag_condition(client):
    iam = client("iam")
    user = user_with_policy(iam, client, "tagger", allow(
        "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/*",
        {"StringEquals": {"aws:RequestTag/team": "ml"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}))
    assert error_of(user.create_role, RoleName="untagged",
                    AssumeRolePolicyDocument=json.dumps(TRUST))[1] == "AccessDenied"
    assert error_of(user.create_role, RoleName="wrong", AssumeRolePolicyDocument=json.dumps(TRUST),
                    Tags=[{"Key": "team", "Value": "web"}])[1] == "AccessDenied"
    assert error_of(user.create_role, RoleName="extra", AssumeRolePolicyDocument=json.dumps(TRUST),
                    Tags=[{"Key": "team", "Value": "ml"}, {"Key": "x", "Value": "y"}])[1] == "AccessDenied"
    role = user.create_role(RoleName="tagged", AssumeRolePolicyDocument=json.dumps(TRUST),
                            Tags=[{"Key": "team", "Value": "ml"}])["Role"]
    assert role["RoleName"] == "tagged"


def test_create_role_permissions_boundary_condition(client):
    # The delegation pattern of the IAM User Guide: a user may create roles only with a given
    # boundary (iam:PermissionsBoundary).
    iam = client("iam")
    boundary = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    user = user_with_policy(iam, client, "delegate", allow(
        ["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"],
        f"arn:aws:iam::{ACCOUNT}:role/*",
        {"StringEquals": {"iam:PermissionsBoundary": boundary}}))
    assert error_of(user.create_role, RoleName="free",
                    AssumeRolePolicyDocument=json.dumps(TRUST))[1] == "AccessDenied"
    assert error_of(user.create_role, RoleName="other", AssumeRolePolicyDocument=json.dumps(TRUST),
                    PermissionsBoundary="arn:aws:iam::aws:policy/AdministratorAccess")[1] == "AccessDenied"
    user.create_role(RoleName="bounded", AssumeRolePolicyDocument=json.dumps(TRUST),
                     PermissionsBoundary=boundary)
    # PutRolePolicy is judged on the role's current boundary.
    user.put_role_policy(RoleName="bounded", PolicyName="p", PolicyDocument=json.dumps(S3_READ))
    new_role(iam, "unbounded")
    assert error_of(user.put_role_policy, RoleName="unbounded", PolicyName="p",
                    PolicyDocument=json.dumps(S3_READ))[1] == "AccessDenied"


def test_resource_tag_condition_on_roles(client):
    iam = client("iam")
    new_role(iam, "mine", Tags=[{"Key": "owner", "Value": "me"}])
    new_role(iam, "theirs", Tags=[{"Key": "owner", "Value": "them"}])
    user = user_with_policy(iam, client, "owner", allow(
        ["iam:GetRole", "iam:UpdateRoleDescription"], f"arn:aws:iam::{ACCOUNT}:role/*",
        {"StringEquals": {"aws:ResourceTag/owner": "me"}}))
    assert user.get_role(RoleName="mine")["Role"]["RoleName"] == "mine"
    user.update_role_description(RoleName="mine", Description="ok")
    assert error_of(user.get_role, RoleName="theirs")[1] == "AccessDenied"
    assert error_of(user.update_role_description, RoleName="theirs",
                    Description="no")[1] == "AccessDenied"


def test_role_arn_with_path_is_the_authorized_resource(client):
    iam = client("iam")
    new_role(iam, "deep", Path="/a/b/")
    user = user_with_policy(iam, client, "pathy", allow("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/a/*"))
    assert user.get_role(RoleName="deep")["Role"]["Path"] == "/a/b/"
    new_role(iam, "shallow")
    assert error_of(user.get_role, RoleName="shallow")[1] == "AccessDenied"


def test_roles_survive_a_restart(make_daemon, tmp_path):
    import boto3

    d = make_daemon().start()

    def iam_of(daemon):
        return boto3.client("iam", endpoint_url=daemon.endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")

    iam = iam_of(d)
    new_role(iam, "durable", Tags=[{"Key": "k", "Value": "v"}])
    iam.put_role_policy(RoleName="durable", PolicyName="p", PolicyDocument=json.dumps(S3_READ))
    d.stop()
    d2 = make_daemon().start()
    iam = iam_of(d2)
    assert iam.get_role(RoleName="durable")["Role"]["Tags"] == [{"Key": "k", "Value": "v"}]
    assert iam.get_role_policy(RoleName="durable", PolicyName="p")["PolicyDocument"] == S3_READ
