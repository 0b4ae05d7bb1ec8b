# SPDX-License-Identifier: Apache-2.0
# IAM managed policies through Debian's boto3 and AWS CLI v2: CreatePolicy, GetPolicy,
# ListPolicies, DeletePolicy, the version operations, policy tags, attaching to users, groups and
# roles, ListAttached*Policies and ListEntitiesForPolicy; and what attachment means: an attached
# policy (customer or AWS managed) authorizes the entity's later calls, a boundary limits them,
# and SetDefaultPolicyVersion changes the decision. Expected codes and messages are AWS's (IAM
# API Reference; real AWS output quoted in public issues), never what sagebox happens to print.
import json

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
     "Action": "sts:AssumeRole"}]}


def doc(actions, effect="Allow", resource="*", condition=None):
    st = {"Effect": effect, "Action": actions, "Resource": resource}
    if condition:
        st["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


def error_of(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(*args, **kwargs)
    r = e.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def new_user(iam, client, name, inline=None):
    """A user with an access key (and an optional inline policy); returns its IAM client."""
    iam.create_user(UserName=name)
    if inline is not None:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=inline)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return client("iam", key=k["AccessKeyId"], secret=k["SecretAccessKey"])


def new_role(iam, name):
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]


# ---- CreatePolicy / GetPolicy ------------------------------------------------------------------

def test_create_and_get_policy(client):
    iam = client("iam")
    p = iam.create_policy(PolicyName="s3-read", Path="/app/", PolicyDocument=doc("s3:GetObject"),
                          Description="reads", Tags=[{"Key": "k", "Value": "v"}])["Policy"]
    assert p["Arn"] == f"arn:aws:iam::{ACCOUNT}:policy/app/s3-read"
    assert p["PolicyId"].startswith("ANPA") and len(p["PolicyId"]) == 21
    assert (p["Path"], p["DefaultVersionId"], p["IsAttachable"]) == ("/app/", "v1", True)
    assert (p["AttachmentCount"], p["PermissionsBoundaryUsageCount"]) == (0, 0)
    assert p["CreateDate"] == p["UpdateDate"]
    got = iam.get_policy(PolicyArn=p["Arn"])["Policy"]
    assert got["PolicyId"] == p["PolicyId"]
    assert got["Description"] == "reads"
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]
    v = iam.get_policy_version(PolicyArn=p["Arn"], VersionId="v1")["PolicyVersion"]
    assert v["Document"] == json.loads(doc("s3:GetObject"))  # URL-decoded by botocore
    assert v["IsDefaultVersion"] is True and v["VersionId"] == "v1"


def test_create_policy_with_the_cli(aws_cli, tmp_path):
    f = tmp_path / "p.json"
    f.write_text(doc("s3:ListBucket"))
    code, out, err = aws_cli("iam", "create-policy", "--policy-name", "cli",
                             "--policy-document", f"file://{f}")
    assert code == 0, err
    arn = json.loads(out)["Policy"]["Arn"]
    code, out, err = aws_cli("iam", "get-policy", "--policy-arn", arn)
    assert code == 0, err
    assert json.loads(out)["Policy"]["DefaultVersionId"] == "v1"


def test_create_policy_failures(client):
    iam = client("iam")
    iam.create_policy(PolicyName="dup", PolicyDocument=doc("s3:*"))
    assert error_of(iam.create_policy, PolicyName="DUP", PolicyDocument=doc("s3:*")) == (
        409, "EntityAlreadyExists",
        "A policy called DUP already exists. Duplicate names are not allowed.")
    with_principal = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})
    assert error_of(iam.create_policy, PolicyName="p", PolicyDocument=with_principal) == (
        400, "MalformedPolicyDocument", "Policy document should not specify a principal.")
    status, code, _ = error_of(iam.create_policy, PolicyName="p", PolicyDocument="{not json")
    assert (status, code) == (400, "MalformedPolicyDocument")
    big = doc([f"s3:GetObject{i}" for i in range(500)])
    assert error_of(iam.create_policy, PolicyName="p", PolicyDocument=big) == (
        409, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144")
    assert error_of(iam.get_policy, PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/p")[1] == "NoSuchEntity"


def test_get_policy_failures(client, aws_cli):
    iam = client("iam")
    missing = f"arn:aws:iam::{ACCOUNT}:policy/missing"
    assert error_of(iam.get_policy, PolicyArn=missing) == (
        404, "NoSuchEntity", f"Policy {missing} was not found.")
    code, _, err = aws_cli("iam", "get-policy", "--policy-arn", missing)
    assert code != 0 and "(NoSuchEntity)" in err
    status, code, _ = error_of(iam.get_policy, PolicyArn="arn:aws:s3:::not-a-policy-arn")
    assert (status, code) == (400, "InvalidInput")
    # The same name under another path is another ARN.
    iam.create_policy(PolicyName="pathy", Path="/a/", PolicyDocument=doc("s3:*"))
    assert error_of(iam.get_policy,
                    PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/pathy")[1] == "NoSuchEntity"


def test_aws_managed_policy_from_the_catalog(client, aws_cli):
    iam = client("iam")
    p = iam.get_policy(PolicyArn=READ_ONLY)["Policy"]
    assert (p["PolicyName"], p["Arn"], p["Path"]) == ("IAMReadOnlyAccess", READ_ONLY, "/")
    assert p["PolicyId"].startswith("ANPA") and p["IsAttachable"] is True
    assert p["AttachmentCount"] == 0
    v = iam.get_policy_version(PolicyArn=READ_ONLY, VersionId=p["DefaultVersionId"])
    stmt = v["PolicyVersion"]["Document"]["Statement"]
    assert any("iam:Get*" in s["Action"] for s in stmt)
    versions = iam.list_policy_versions(PolicyArn=READ_ONLY)["Versions"]
    assert [x["VersionId"] for x in versions] == [p["DefaultVersionId"]]
    assert error_of(iam.get_policy_version, PolicyArn=READ_ONLY,
                    VersionId="v999")[:2] == (404, "NoSuchEntity")
    code, out, err = aws_cli("iam", "get-policy", "--policy-arn",
                             "arn:aws:iam::aws:policy/service-role/AmazonSageMakerCanvasForecastAccess")
    assert code == 0, err
    assert json.loads(out)["Policy"]["Path"] == "/service-role/"
    assert error_of(iam.get_policy, PolicyArn="arn:aws:iam::aws:policy/NoSuchManagedPolicy")[:2] == (
        404, "NoSuchEntity")


def test_aws_managed_policies_cannot_be_changed(client):
    iam = client("iam")
    for call, kw in [(iam.delete_policy, {}),
                     (iam.create_policy_version, {"PolicyDocument": doc("s3:*")}),
                     (iam.tag_policy, {"Tags": [{"Key": "k", "Value": "v"}]})]:
        status, code, msg = error_of(call, PolicyArn=READ_ONLY, **kw)
        assert (status, code) == (403, "AccessDenied")
        assert f"on resource: policy {READ_ONLY} because" in msg
    assert iam.list_policy_tags(PolicyArn=READ_ONLY)["Tags"] == []


# ---- ListPolicies ------------------------------------------------------------------------------

def test_list_policies_scopes_and_paths(client):
    iam = client("iam")
    iam.create_policy(PolicyName="l1", Path="/team/", PolicyDocument=doc("s3:*"))
    iam.create_policy(PolicyName="l2", PolicyDocument=doc("s3:*"))
    local = iam.list_policies(Scope="Local")["Policies"]
    assert [p["PolicyName"] for p in local] == ["l1", "l2"]
    assert all("Description" not in p and "Tags" not in p for p in local)
    team = iam.list_policies(Scope="Local", PathPrefix="/team/")["Policies"]
    assert [p["PolicyName"] for p in team] == ["l1"]
    paginator = iam.get_paginator("list_policies")
    aws = [p for page in paginator.paginate(Scope="AWS", PaginationConfig={"PageSize": 500})
           for p in page["Policies"]]
    assert len(aws) > 1000
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in aws)
    names = [p["PolicyName"] for p in aws]
    assert "AdministratorAccess" in names and "AmazonSageMakerFullAccess" in names
    assert len(set(names)) == len(names)
    roles = iam.list_policies(Scope="AWS", PathPrefix="/service-role/", MaxItems=1000)["Policies"]
    assert roles and all(p["Path"] == "/service-role/" for p in roles)
    every = [p for page in paginator.paginate(PaginationConfig={"PageSize": 700})
             for p in page["Policies"]]
    assert len(every) == len(aws) + 2


def test_list_policies_pages_from_local_into_aws(client):
    iam = client("iam")
    for i in range(3):
        iam.create_policy(PolicyName=f"mine{i}", PolicyDocument=doc("s3:*"))
    page = iam.list_policies(MaxItems=2)
    assert [p["PolicyName"] for p in page["Policies"]] == ["mine0", "mine1"]
    assert page["IsTruncated"]
    page = iam.list_policies(MaxItems=2, Marker=page["Marker"])
    assert page["Policies"][0]["PolicyName"] == "mine2"
    assert page["Policies"][1]["Arn"].startswith("arn:aws:iam::aws:policy/")
    assert page["IsTruncated"]
    nxt = iam.list_policies(MaxItems=2, Marker=page["Marker"])
    assert nxt["Policies"][0]["PolicyName"] > page["Policies"][1]["PolicyName"]


def test_list_policies_only_attached_and_usage(client, aws_cli):
    iam = client("iam")
    arn = iam.create_policy(PolicyName="att", PolicyDocument=doc("s3:*"))["Policy"]["Arn"]
    iam.create_policy(PolicyName="loose", PolicyDocument=doc("s3:*"))
    bnd = iam.create_policy(PolicyName="bnd", PolicyDocument=doc("s3:*"))["Policy"]["Arn"]
    new_role(iam, "r")
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    iam.attach_role_policy(RoleName="r", PolicyArn=READ_ONLY)
    iam.put_role_permissions_boundary(RoleName="r", PermissionsBoundary=bnd)
    attached = iam.list_policies(OnlyAttached=True)["Policies"]
    assert sorted(p["PolicyName"] for p in attached) == ["IAMReadOnlyAccess", "att"]
    assert all(p["AttachmentCount"] == 1 for p in attached)
    boundaries = iam.list_policies(PolicyUsageFilter="PermissionsBoundary")["Policies"]
    assert [p["PolicyName"] for p in boundaries] == ["bnd"]
    assert boundaries[0]["PermissionsBoundaryUsageCount"] == 1
    code, out, err = aws_cli("iam", "list-policies", "--scope", "AWS", "--only-attached")
    assert code == 0, err
    assert [p["Arn"] for p in json.loads(out)["Policies"]] == [READ_ONLY]


# ---- Versions ----------------------------------------------------------------------------------

def test_policy_versions(client):
    iam = client("iam")
    arn = iam.create_policy(PolicyName="ver", PolicyDocument=doc("s3:GetObject"))["Policy"]["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:PutObject"))
    assert v2["PolicyVersion"]["VersionId"] == "v2"
    assert v2["PolicyVersion"]["IsDefaultVersion"] is False
    assert "Document" not in v2["PolicyVersion"]
    v3 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:ListBucket"),
                                   SetAsDefault=True)["PolicyVersion"]
    assert (v3["VersionId"], v3["IsDefaultVersion"]) == ("v3", True)
    p = iam.get_policy(PolicyArn=arn)["Policy"]
    assert p["DefaultVersionId"] == "v3"
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [
        ("v3", True), ("v2", False), ("v1", False)]
    assert all("Document" not in v for v in versions)
    page = iam.list_policy_versions(PolicyArn=arn, MaxItems=2)
    assert page["IsTruncated"] and len(page["Versions"]) == 2
    assert iam.list_policy_versions(PolicyArn=arn, Marker=page["Marker"])["Versions"][0][
        "VersionId"] == "v1"
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]["Document"] == \
        json.loads(doc("s3:PutObject"))
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v3")["PolicyVersion"][
        "IsDefaultVersion"] is False
    assert error_of(iam.delete_policy_version, PolicyArn=arn, VersionId="v1") == (
        409, "DeleteConflict", "Cannot delete the default version of a policy.")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    assert error_of(iam.get_policy_version, PolicyArn=arn, VersionId="v3") == (
        404, "NoSuchEntity", f"Policy {arn} version v3 does not exist or is not attachable.")
    # Version ids are never reused.
    v4 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:*"))["PolicyVersion"]
    assert v4["VersionId"] == "v4"
    assert error_of(iam.set_default_policy_version, PolicyArn=arn, VersionId="v9")[:2] == (
        404, "NoSuchEntity")
    assert error_of(iam.create_policy_version, PolicyArn=arn,
                    PolicyDocument='{"Statement": []}')[1] == "MalformedPolicyDocument"


def test_at_most_five_versions(client, aws_cli):
    iam = client("iam")
    arn = iam.create_policy(PolicyName="five", PolicyDocument=doc("s3:*"))["Policy"]["Arn"]
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:*"))
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=doc("s3:*")) == (
        409, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a "
        "new version, you must delete an existing version.")
    code, _, err = aws_cli("iam", "create-policy-version", "--policy-arn", arn,
                           "--policy-document", doc("s3:*"))
    assert code != 0 and "(LimitExceeded)" in err
    assert len(iam.list_policy_versions(PolicyArn=arn)["Versions"]) == 5


def test_delete_policy(client, aws_cli):
    iam = client("iam")
    arn = iam.create_policy(PolicyName="gone", PolicyDocument=doc("s3:*"))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:GetObject"))
    assert error_of(iam.delete_policy, PolicyArn=arn) == (
        409, "DeleteConflict", "This policy has more than one version. Before you delete a "
        "policy, you must delete the policy's versions. The default version is deleted with the "
        "policy.")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    new_role(iam, "holder")
    iam.attach_role_policy(RoleName="holder", PolicyArn=arn)
    assert error_of(iam.delete_policy, PolicyArn=arn) == (
        409, "DeleteConflict", "Cannot delete a policy attached to entities.")
    iam.detach_role_policy(RoleName="holder", PolicyArn=arn)
    code, _, err = aws_cli("iam", "delete-policy", "--policy-arn", arn)
    assert code == 0, err
    assert error_of(iam.get_policy, PolicyArn=arn)[1] == "NoSuchEntity"
    assert error_of(iam.delete_policy, PolicyArn=arn) == (
        404, "NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")
    # The name is free again, and the new policy starts at v1.
    again = iam.create_policy(PolicyName="gone", PolicyDocument=doc("s3:*"))["Policy"]
    assert again["DefaultVersionId"] == "v1"


def test_policy_used_as_a_boundary_cannot_be_deleted(client):
    iam = client("iam")
    arn = iam.create_policy(PolicyName="b", PolicyDocument=doc("s3:*"))["Policy"]["Arn"]
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST),
                    PermissionsBoundary=arn)
    assert error_of(iam.delete_policy, PolicyArn=arn)[:2] == (409, "DeleteConflict")


def test_user_boundary_counts_as_a_use_of_the_policy(client):
    # A policy used as a user's permissions boundary is listed by ListEntitiesForPolicy with
    # PolicyUsageFilter PermissionsBoundary and cannot be deleted (DeleteConflict) until the user lets
    # go of it (IAM API Reference, DeletePolicy: "detach the policy from all users, groups, and
    # roles that the policy is attached to" / boundaries); the same after DeleteUser.
    iam = client("iam")
    arn = iam.create_policy(PolicyName="ub", PolicyDocument=doc("s3:*"))["Policy"]["Arn"]
    iam.create_user(UserName="bounded1", PermissionsBoundary=arn)
    iam.create_user(UserName="bounded2")
    iam.put_user_permissions_boundary(UserName="bounded2", PermissionsBoundary=arn)
    listed = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsBoundary")
    assert sorted(u["UserName"] for u in listed["PolicyUsers"]) == ["bounded1", "bounded2"]
    assert error_of(iam.delete_policy, PolicyArn=arn)[:2] == (409, "DeleteConflict")
    iam.delete_user_permissions_boundary(UserName="bounded1")
    iam.delete_user(UserName="bounded2")
    listed = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsBoundary")
    assert listed["PolicyUsers"] == []
    iam.delete_policy(PolicyArn=arn)


# ---- Tags --------------------------------------------------------------------------------------

def test_policy_tags(client):
    iam = client("iam")
    arn = iam.create_policy(PolicyName="t", PolicyDocument=doc("s3:*"),
                            Tags=[{"Key": "a", "Value": "1"}])["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [
        {"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}]
    page = iam.list_policy_tags(PolicyArn=arn, MaxItems=1)
    assert page["IsTruncated"] and len(page["Tags"]) == 1
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Tags"] == [{"Key": "b", "Value": "2"}]
    assert error_of(iam.tag_policy, PolicyArn=arn,
                    Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])[:2] == (
        409, "LimitExceeded")
    assert len(iam.list_policy_tags(PolicyArn=arn)["Tags"]) == 1
    missing = f"arn:aws:iam::{ACCOUNT}:policy/none"
    assert error_of(iam.list_policy_tags, PolicyArn=missing)[:2] == (404, "NoSuchEntity")


# ---- Attachments -------------------------------------------------------------------------------

def test_attach_to_users_groups_and_roles(client, aws_cli):
    iam = client("iam")
    arn = iam.create_policy(PolicyName="shared", Path="/p/",
                            PolicyDocument=doc("s3:*"))["Policy"]["Arn"]
    iam.create_user(UserName="u", Path="/people/")
    iam.create_group(GroupName="g")
    new_role(iam, "r")
    iam.attach_user_policy(UserName="u", PolicyArn=arn)
    iam.attach_user_policy(UserName="u", PolicyArn=READ_ONLY)
    iam.attach_user_policy(UserName="u", PolicyArn=arn)  # again: nothing changes
    iam.attach_group_policy(GroupName="g", PolicyArn=arn)
    code, _, err = aws_cli("iam", "attach-role-policy", "--role-name", "r", "--policy-arn", arn)
    assert code == 0, err
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
    assert iam.get_policy(PolicyArn=READ_ONLY)["Policy"]["AttachmentCount"] == 1
    assert sorted(p["PolicyArn"] for p in iam.list_attached_user_policies(UserName="u")[
        "AttachedPolicies"]) == sorted([arn, READ_ONLY])
    assert iam.list_attached_user_policies(UserName="u", PathPrefix="/p/")["AttachedPolicies"] == [
        {"PolicyName": "shared", "PolicyArn": arn}]
    page = iam.list_attached_user_policies(UserName="u", MaxItems=1)
    assert page["IsTruncated"] and len(page["AttachedPolicies"]) == 1
    assert iam.list_attached_group_policies(GroupName="g")["AttachedPolicies"] == [
        {"PolicyName": "shared", "PolicyArn": arn}]
    code, out, err = aws_cli("iam", "list-attached-role-policies", "--role-name", "r")
    assert code == 0, err
    assert json.loads(out)["AttachedPolicies"] == [{"PolicyName": "shared", "PolicyArn": arn}]

    ents = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in ents["PolicyUsers"]] == ["u"]
    assert [g["GroupName"] for g in ents["PolicyGroups"]] == ["g"]
    assert [r["RoleName"] for r in ents["PolicyRoles"]] == ["r"]
    assert ents["PolicyUsers"][0]["UserId"].startswith("AIDA")
    only_roles = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert (only_roles["PolicyUsers"], only_roles["PolicyGroups"]) == ([], [])
    people = iam.list_entities_for_policy(PolicyArn=arn, PathPrefix="/people/")
    assert [u["UserName"] for u in people["PolicyUsers"]] == ["u"] and people["PolicyRoles"] == []
    assert iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="AWSManagedPolicy")[
        "PolicyUsers"] == []
    page = iam.list_entities_for_policy(PolicyArn=arn, MaxItems=2)
    assert page["IsTruncated"]
    rest = iam.list_entities_for_policy(PolicyArn=arn, Marker=page["Marker"])
    assert len(page["PolicyGroups"] + page["PolicyUsers"] + page["PolicyRoles"] +
               rest["PolicyGroups"] + rest["PolicyUsers"] + rest["PolicyRoles"]) == 3

    iam.detach_user_policy(UserName="u", PolicyArn=arn)
    iam.detach_group_policy(GroupName="g", PolicyArn=arn)
    iam.detach_role_policy(RoleName="r", PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 0
    assert iam.list_attached_user_policies(UserName="u")["AttachedPolicies"] == [
        {"PolicyName": "IAMReadOnlyAccess", "PolicyArn": READ_ONLY}]
    ents = iam.list_entities_for_policy(PolicyArn=arn)
    assert ents["PolicyUsers"] == ents["PolicyGroups"] == ents["PolicyRoles"] == []


def test_attach_failures(client):
    iam = client("iam")
    new_role(iam, "r")
    missing = f"arn:aws:iam::{ACCOUNT}:policy/missing"
    assert error_of(iam.attach_role_policy, RoleName="r", PolicyArn=missing) == (
        404, "NoSuchEntity", f"Policy {missing} does not exist or is not attachable.")
    assert error_of(iam.attach_role_policy, RoleName="r",
                    PolicyArn="arn:aws:iam::aws:policy/NoSuchThing")[:2] == (404, "NoSuchEntity")
    user = new_user(iam, client, "weak")
    assert error_of(user.attach_user_policy, UserName="weak", PolicyArn=READ_ONLY)[2].endswith(
        "iam:AttachUserPolicy on resource: user weak because no identity-based policy allows the "
        "iam:AttachUserPolicy action")
    assert iam.list_attached_user_policies(UserName="weak")["AttachedPolicies"] == []
    assert error_of(iam.attach_user_policy, UserName="ghost", PolicyArn=READ_ONLY) == (
        404, "NoSuchEntity", "The user with name ghost cannot be found.")
    assert error_of(iam.attach_group_policy, GroupName="ghost", PolicyArn=READ_ONLY) == (
        404, "NoSuchEntity", "The group with name ghost cannot be found.")
    assert error_of(iam.attach_role_policy, RoleName="r",
                    PolicyArn="arn:aws:iam::aws:policy/aws-service-role/APIGatewayServiceRolePolicy") == (
        400, "PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.")
    assert error_of(iam.detach_role_policy, RoleName="r", PolicyArn=READ_ONLY) == (
        404, "NoSuchEntity", f"Policy {READ_ONLY} was not found.")
    assert error_of(iam.list_attached_role_policies, RoleName="ghost")[:2] == (404, "NoSuchEntity")
    assert error_of(iam.list_entities_for_policy, PolicyArn=missing) == (
        404, "NoSuchEntity", f"Policy {missing} does not exist or is not attachable.")
    assert iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"] == []


def test_at_most_ten_attached_policies(client):
    iam = client("iam")
    new_role(iam, "full")
    arns = [iam.create_policy(PolicyName=f"p{i}", PolicyDocument=doc("s3:*"))["Policy"]["Arn"]
            for i in range(11)]
    for arn in arns[:10]:
        iam.attach_role_policy(RoleName="full", PolicyArn=arn)
    assert error_of(iam.attach_role_policy, RoleName="full", PolicyArn=arns[10]) == (
        409, "LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10.")
    iam.attach_role_policy(RoleName="full", PolicyArn=arns[0])  # already there: not an 11th
    assert len(iam.list_attached_role_policies(RoleName="full")["AttachedPolicies"]) == 10
    assert iam.get_policy(PolicyArn=arns[10])["Policy"]["AttachmentCount"] == 0


# ---- What attachment means for authorization ---------------------------------------------------

def test_attached_aws_managed_policy_authorizes_the_user(client):
    iam = client("iam")
    new_role(iam, "visible")
    user = new_user(iam, client, "reader")
    assert error_of(user.list_roles)[1] == "AccessDenied"
    iam.attach_user_policy(UserName="reader", PolicyArn=READ_ONLY)
    assert [r["RoleName"] for r in user.list_roles()["Roles"]] == ["visible"]
    assert user.get_role(RoleName="visible")["Role"]["RoleName"] == "visible"
    assert user.get_policy(PolicyArn=READ_ONLY)["Policy"]["AttachmentCount"] == 1
    status, code, msg = error_of(user.create_role, RoleName="x",
                                 AssumeRolePolicyDocument=json.dumps(TRUST))
    assert (status, code) == (403, "AccessDenied")
    assert "because no identity-based policy allows the iam:CreateRole action" in msg
    iam.detach_user_policy(UserName="reader", PolicyArn=READ_ONLY)
    assert error_of(user.list_roles)[1] == "AccessDenied"


def test_customer_policy_attached_to_a_group_authorizes_its_members(client):
    iam = client("iam")
    arn = iam.create_policy(PolicyName="list-roles",
                            PolicyDocument=doc("iam:ListRoles"))["Policy"]["Arn"]
    user = new_user(iam, client, "member")
    iam.create_group(GroupName="readers")
    iam.add_user_to_group(GroupName="readers", UserName="member")
    assert error_of(user.list_roles)[1] == "AccessDenied"
    iam.attach_group_policy(GroupName="readers", PolicyArn=arn)
    assert user.list_roles()["Roles"] == []


def test_boundary_limits_an_attached_policy(client):
    iam = client("iam")
    user = new_user(iam, client, "bounded")
    iam.attach_user_policy(UserName="bounded", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    new_role(iam, "r")
    user.create_policy(PolicyName="made-by-user", PolicyDocument=doc("s3:*"))
    iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=READ_ONLY)
    assert user.get_role(RoleName="r")["Role"]["RoleName"] == "r"
    status, code, msg = error_of(user.create_policy, PolicyName="x", PolicyDocument=doc("s3:*"))
    assert (status, code) == (403, "AccessDenied")
    # Real AWS: "... iam:CreatePolicy on resource: policy platform-team-mbergo-policy because no
    # permissions boundary allows the iam:CreatePolicy action".
    assert msg == (f"User: arn:aws:iam::{ACCOUNT}:user/bounded is not authorized to perform: "
                   "iam:CreatePolicy on resource: policy x because no permissions boundary "
                   "allows the iam:CreatePolicy action")
    assert error_of(iam.get_policy, PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/x")[1] == "NoSuchEntity"


def test_set_default_policy_version_changes_the_decision(client):
    iam = client("iam")
    arn = iam.create_policy(PolicyName="switch", PolicyDocument=doc("iam:ListRoles"))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("iam:ListPolicies"))
    user = new_user(iam, client, "switched")
    iam.attach_user_policy(UserName="switched", PolicyArn=arn)
    assert user.list_roles()["Roles"] == []
    assert error_of(user.list_policies, Scope="Local")[1] == "AccessDenied"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    assert error_of(user.list_roles)[1] == "AccessDenied"
    assert user.list_policies(Scope="Local")["Policies"][0]["PolicyName"] == "switch"
    iam.create_policy_version(PolicyArn=arn, SetAsDefault=True,
                              PolicyDocument=doc("iam:*", effect="Deny"))
    assert error_of(user.list_policies, Scope="Local")[1] == "AccessDenied"


def test_policy_arn_condition_on_attach(client):
    iam = client("iam")
    new_role(iam, "target")
    allowed = iam.create_policy(PolicyName="ok", PolicyDocument=doc("s3:*"))["Policy"]["Arn"]
    user = new_user(iam, client, "attacher", doc(
        ["iam:AttachRolePolicy", "iam:DetachRolePolicy"], resource=f"arn:aws:iam::{ACCOUNT}:role/*",
        condition={"ArnEquals": {"iam:PolicyARN": allowed}}))
    status, code, msg = error_of(user.attach_role_policy, RoleName="target",
                                 PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    assert (status, code) == (403, "AccessDenied")
    assert msg.endswith("iam:AttachRolePolicy on resource: role target because no "
                        "identity-based policy allows the iam:AttachRolePolicy action")
    assert iam.list_attached_role_policies(RoleName="target")["AttachedPolicies"] == []
    user.attach_role_policy(RoleName="target", PolicyArn=allowed)
    assert iam.list_attached_role_policies(RoleName="target")["AttachedPolicies"] == [
        {"PolicyName": "ok", "PolicyArn": allowed}]
    user.detach_role_policy(RoleName="target", PolicyArn=allowed)


def test_policy_operations_are_authorized_on_the_policy_arn(client):
    iam = client("iam")
    mine = iam.create_policy(PolicyName="mine", Path="/team/", PolicyDocument=doc("s3:*"),
                             Tags=[{"Key": "owner", "Value": "me"}])["Policy"]["Arn"]
    other = iam.create_policy(PolicyName="other", PolicyDocument=doc("s3:*"))["Policy"]["Arn"]
    user = new_user(iam, client, "pol", doc(
        ["iam:GetPolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy"],
        resource=f"arn:aws:iam::{ACCOUNT}:policy/team/*"))
    assert user.get_policy(PolicyArn=mine)["Policy"]["PolicyName"] == "mine"
    status, code, msg = error_of(user.get_policy, PolicyArn=other)
    assert (status, code) == (403, "AccessDenied")
    assert msg == (f"User: arn:aws:iam::{ACCOUNT}:user/pol is not authorized to perform: "
                   f"iam:GetPolicy on resource: policy {other} because no identity-based policy "
                   "allows the iam:GetPolicy action")
    assert error_of(user.create_policy_version, PolicyArn=other,
                    PolicyDocument=doc("s3:*"))[1] == "AccessDenied"
    assert len(iam.list_policy_versions(PolicyArn=other)["Versions"]) == 1
    user.create_policy_version(PolicyArn=mine, PolicyDocument=doc("s3:*"))
    # aws:ResourceTag of a customer managed policy.
    tagged = new_user(iam, client, "tagged", doc(
        "iam:GetPolicy", condition={"StringEquals": {"aws:ResourceTag/owner": "me"}}))
    assert tagged.get_policy(PolicyArn=mine)["Policy"]["Tags"] == [{"Key": "owner", "Value": "me"}]
    assert error_of(tagged.get_policy, PolicyArn=other)[1] == "AccessDenied"


def test_denied_policy_changes_change_nothing(client):
    iam = client("iam")
    arn = iam.create_policy(PolicyName="fixed", PolicyDocument=doc("s3:GetObject"),
                            Tags=[{"Key": "k", "Value": "v"}])["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:PutObject"))
    new_role(iam, "r")
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    user = new_user(iam, client, "looker", doc(["iam:GetPolicy", "iam:ListPolicyVersions"]))
    for call, kw in [
        (user.delete_policy, {}),
        (user.delete_policy_version, {"VersionId": "v2"}),
        (user.set_default_policy_version, {"VersionId": "v2"}),
        (user.create_policy_version, {"PolicyDocument": doc("s3:*"), "SetAsDefault": True}),
        (user.tag_policy, {"Tags": [{"Key": "k", "Value": "changed"}]}),
        (user.untag_policy, {"TagKeys": ["k"]}),
    ]:
        status, code, msg = error_of(call, PolicyArn=arn, **kw)
        assert (status, code) == (403, "AccessDenied")
        assert f"on resource: policy {arn} because no identity-based policy allows" in msg
    assert error_of(user.detach_role_policy, RoleName="r", PolicyArn=arn)[1] == "AccessDenied"
    p = user.get_policy(PolicyArn=arn)["Policy"]
    assert (p["DefaultVersionId"], p["AttachmentCount"], p["Tags"]) == (
        "v1", 1, [{"Key": "k", "Value": "v"}])
    assert [v["VersionId"] for v in user.list_policy_versions(PolicyArn=arn)["Versions"]] == [
        "v2", "v1"]


def test_attachments_survive_a_restart(make_daemon):
    import boto3

    def iam_of(daemon):
        return boto3.client("iam", endpoint_url=daemon.endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")

    d = make_daemon().start()
    iam = iam_of(d)
    arn = iam.create_policy(PolicyName="keep", PolicyDocument=doc("s3:*"))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:GetObject"), SetAsDefault=True)
    new_role(iam, "r")
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    d.stop()
    iam = iam_of(make_daemon().start())
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    assert iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"] == [
        {"PolicyName": "keep", "PolicyArn": arn}]
