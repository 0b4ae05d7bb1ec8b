# SPDX-License-Identifier: Apache-2.0
# IAM groups, membership and group inline policies through Debian's boto3 and AWS CLI v2 against
# the real daemon. Expected codes, statuses and messages are AWS's: the IAM API Reference (each
# operation's page), the IAM User Guide ("IAM and AWS STS quotas": 10 groups per user, 5,120
# characters of inline policy per group; "Access denied error messages"), and real AWS output
# quoted in public issues, cited where used.
import json

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"


def allow(*actions, resource="*", effect="Allow"):
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": effect, "Action": list(actions),
                                      "Resource": resource}]})


def err(excinfo):
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def make_user(iam, name, policy=None):
    iam.create_user(UserName=name)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]


def as_user(client, key):
    return client("iam", key=key[0], secret=key[1])


def denied_message(user, action, resource, why=None):
    # IAM User Guide, "Access denied error messages"; real AWS: "User:
    # arn:aws:iam::208501907498:user/wrex-cgidd4kc38j349 is not authorized to perform:
    # iam:ListGroups on resource: arn:aws:iam::208501907498:group/ because no identity-based
    # policy allows the iam:ListGroups action".
    why = why or f"because no identity-based policy allows the {action} action"
    return (f"User: arn:aws:iam::{ACCOUNT}:user/{user} is not authorized to perform: {action} "
            f"on resource: {resource} {why}")


# ---- CreateGroup / GetGroup / ListGroups ------------------------------------------------------


def test_create_get_and_list_groups(client, aws_cli):
    iam = client("iam")
    g = iam.create_group(GroupName="admins")["Group"]
    assert g["Path"] == "/" and g["GroupName"] == "admins"
    assert g["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/admins"
    # Group ids: "AGPA" and 17 characters (IAM User Guide, "Unique identifiers").
    assert g["GroupId"].startswith("AGPA") and len(g["GroupId"]) == 21
    code, out, e = aws_cli("iam", "create-group", "--group-name", "ml", "--path", "/eng/")
    assert code == 0, e
    assert json.loads(out)["Group"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/eng/ml"
    got = iam.get_group(GroupName="ADMINS")  # names are case-insensitive
    assert got["Group"]["GroupId"] == g["GroupId"]
    assert got["Users"] == [] and got["IsTruncated"] is False
    assert [x["GroupName"] for x in iam.list_groups()["Groups"]] == ["admins", "ml"]
    assert [x["GroupName"] for x in iam.list_groups(PathPrefix="/eng/")["Groups"]] == ["ml"]
    page = iam.list_groups(MaxItems=1)
    assert page["IsTruncated"] and page["Groups"][0]["GroupName"] == "admins"
    page = iam.list_groups(MaxItems=1, Marker=page["Marker"])
    assert not page["IsTruncated"] and page["Groups"][0]["GroupName"] == "ml"
    code, out, e = aws_cli("iam", "list-groups", "--page-size", "1")
    assert code == 0, e
    assert [x["GroupName"] for x in json.loads(out)["Groups"]] == ["admins", "ml"]


def test_group_errors(client, aws_cli):
    iam = client("iam")
    iam.create_group(GroupName="g")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_group(GroupName="G")
    assert err(e) == (409, "EntityAlreadyExists", "Group with name G already exists.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.get_group(GroupName="nope")
    assert err(e) == (404, "NoSuchEntity", "The group with name nope cannot be found.")
    code, _, stderr = aws_cli("iam", "delete-group", "--group-name", "nope")
    assert code != 0 and "(NoSuchEntity)" in stderr
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_group(GroupName="bad name")
    assert err(e)[:2] == (400, "ValidationError")


# ---- Membership ------------------------------------------------------------------------------


def test_membership_and_get_group_pagination(client, aws_cli):
    iam = client("iam")
    iam.create_group(GroupName="team")
    for n in ["u1", "u2", "u3"]:
        iam.create_user(UserName=n, Tags=[{"Key": "k", "Value": "v"}])
        iam.add_user_to_group(GroupName="team", UserName=n)
    iam.add_user_to_group(GroupName="team", UserName="u1")  # again: no error, no duplicate
    seen = []
    page = iam.get_group(GroupName="team", MaxItems=1)
    while True:
        assert len(page["Users"]) == 1 and page["Group"]["GroupName"] == "team"
        assert "Tags" not in page["Users"][0]
        seen.append(page["Users"][0]["UserName"])
        if not page["IsTruncated"]:
            break
        page = iam.get_group(GroupName="team", MaxItems=1, Marker=page["Marker"])
    assert sorted(seen) == ["u1", "u2", "u3"] and len(seen) == 3
    code, out, e = aws_cli("iam", "get-group", "--group-name", "team", "--page-size", "1")
    assert code == 0, e
    assert sorted(u["UserName"] for u in json.loads(out)["Users"]) == ["u1", "u2", "u3"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="u2")["Groups"]] == ["team"]
    code, _, e = aws_cli("iam", "remove-user-from-group", "--group-name", "team",
                         "--user-name", "u2")
    assert code == 0, e
    assert iam.list_groups_for_user(UserName="u2")["Groups"] == []
    assert sorted(u["UserName"] for u in iam.get_group(GroupName="team")["Users"]) == ["u1", "u3"]
    # Removing a non-member is not an error (cloud-custodian#4730: "in both the cases, there's no
    # error returned").
    iam.remove_user_from_group(GroupName="team", UserName="u2")


def test_list_groups_for_user_paginates(client):
    iam = client("iam")
    iam.create_user(UserName="m")
    for g in ["a", "b", "c"]:
        iam.create_group(GroupName=g)
        iam.add_user_to_group(GroupName=g, UserName="m")
    seen = []
    page = iam.list_groups_for_user(UserName="m", MaxItems=1)
    while True:
        assert len(page["Groups"]) == 1
        seen.append(page["Groups"][0]["GroupName"])
        if not page["IsTruncated"]:
            break
        page = iam.list_groups_for_user(UserName="m", MaxItems=1, Marker=page["Marker"])
    assert sorted(seen) == ["a", "b", "c"] and len(seen) == 3
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.list_groups_for_user(UserName="nobody")
    assert err(e) == (404, "NoSuchEntity", "The user with name nobody cannot be found.")


def test_membership_errors_and_quota(client):
    iam = client("iam")
    iam.create_group(GroupName="g")
    iam.create_user(UserName="u")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.add_user_to_group(GroupName="g", UserName="nobody")
    # Real AWS: NoSuchEntity "The user with name ansible.creation2 cannot be found." from
    # AddUserToGroup (ansible/ansible#45593).
    assert err(e) == (404, "NoSuchEntity", "The user with name nobody cannot be found.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.add_user_to_group(GroupName="nope", UserName="u")
    assert err(e) == (404, "NoSuchEntity", "The group with name nope cannot be found.")
    for i in range(10):
        iam.create_group(GroupName=f"q{i}")
        iam.add_user_to_group(GroupName=f"q{i}", UserName="u")
    # IAM quotas: a user is in at most 10 groups.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.add_user_to_group(GroupName="g", UserName="u")
    assert err(e) == (409, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10")
    assert iam.get_group(GroupName="g")["Users"] == []
    assert len(iam.list_groups_for_user(UserName="u")["Groups"]) == 10


def test_update_group_renames_for_members(client, aws_cli):
    iam = client("iam")
    g = iam.create_group(GroupName="old")["Group"]
    iam.create_user(UserName="u")
    iam.add_user_to_group(GroupName="old", UserName="u")
    code, _, e = aws_cli("iam", "update-group", "--group-name", "old", "--new-group-name", "new",
                         "--new-path", "/x/")
    assert code == 0, e
    got = iam.get_group(GroupName="new")
    assert got["Group"]["GroupId"] == g["GroupId"]
    assert got["Group"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/x/new"
    assert [u["UserName"] for u in got["Users"]] == ["u"]
    assert [x["GroupName"] for x in iam.list_groups_for_user(UserName="u")["Groups"]] == ["new"]
    iam.create_group(GroupName="other")
    with pytest.raises(botocore.exceptions.ClientError) as ex:
        iam.update_group(GroupName="new", NewGroupName="OTHER")
    assert err(ex) == (409, "EntityAlreadyExists", "Group with name OTHER already exists.")
    # A renamed user shows its new name in the group.
    iam.update_user(UserName="u", NewUserName="u2")
    assert [u["UserName"] for u in iam.get_group(GroupName="new")["Users"]] == ["u2"]


def test_delete_group_conflicts(client, aws_cli):
    iam = client("iam")
    iam.create_group(GroupName="g")
    iam.create_user(UserName="u")
    iam.add_user_to_group(GroupName="g", UserName="u")
    iam.put_group_policy(GroupName="g", PolicyName="p", PolicyDocument=allow("s3:*"))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.delete_group(GroupName="g")
    # Real AWS: "Cannot delete entity, must remove users from group first." (409 DeleteConflict,
    # hashicorp/terraform#29147, go-to-k/delstack#40).
    assert err(e) == (409, "DeleteConflict",
                      "Cannot delete entity, must remove users from group first.")
    iam.remove_user_from_group(GroupName="g", UserName="u")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.delete_group(GroupName="g")
    assert err(e) == (409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
    iam.delete_group_policy(GroupName="g", PolicyName="p")
    code, _, stderr = aws_cli("iam", "delete-group", "--group-name", "g")
    assert code == 0, stderr
    assert iam.list_groups()["Groups"] == []


# ---- Group inline policies -------------------------------------------------------------------


def test_group_inline_policies(client, aws_cli):
    iam = client("iam")
    iam.create_group(GroupName="g")
    doc = allow("ec2:Describe*")
    iam.put_group_policy(GroupName="g", PolicyName="desc", PolicyDocument=doc)
    code, _, e = aws_cli("iam", "put-group-policy", "--group-name", "g", "--policy-name", "all",
                         "--policy-document", allow("s3:*"))
    assert code == 0, e
    got = iam.get_group_policy(GroupName="g", PolicyName="desc")
    assert got["GroupName"] == "g" and got["PolicyName"] == "desc"
    assert got["PolicyDocument"] == json.loads(doc)  # URL-encoded on the wire, decoded by boto
    code, out, e = aws_cli("iam", "get-group-policy", "--group-name", "g", "--policy-name", "all")
    assert code == 0, e
    assert json.loads(out)["PolicyDocument"]["Statement"][0]["Action"] == ["s3:*"]
    page = iam.list_group_policies(GroupName="g", MaxItems=1)
    assert page["PolicyNames"] == ["all"] and page["IsTruncated"]
    page = iam.list_group_policies(GroupName="g", MaxItems=1, Marker=page["Marker"])
    assert page["PolicyNames"] == ["desc"] and not page["IsTruncated"]
    iam.delete_group_policy(GroupName="g", PolicyName="desc")
    with pytest.raises(botocore.exceptions.ClientError) as ex:
        iam.get_group_policy(GroupName="g", PolicyName="desc")
    assert err(ex) == (404, "NoSuchEntity", "The group policy with name desc cannot be found.")
    with pytest.raises(botocore.exceptions.ClientError) as ex:
        iam.delete_group_policy(GroupName="g", PolicyName="desc")
    assert err(ex)[:2] == (404, "NoSuchEntity")
    with pytest.raises(botocore.exceptions.ClientError) as ex:
        iam.put_group_policy(GroupName="g", PolicyName="bad", PolicyDocument="[]")
    assert err(ex)[:2] == (400, "MalformedPolicyDocument")
    with pytest.raises(botocore.exceptions.ClientError) as ex:
        iam.put_group_policy(GroupName="none", PolicyName="p", PolicyDocument=doc)
    assert err(ex) == (404, "NoSuchEntity", "The group with name none cannot be found.")
    assert iam.list_group_policies(GroupName="g")["PolicyNames"] == ["all"]


def test_group_inline_policy_aggregate_size(client):
    iam = client("iam")
    iam.create_group(GroupName="big")

    def big(n):
        return allow(*[f"s3:Action{i:04d}" for i in range(n)])

    # 5,120 characters per group, all its inline policies together.
    iam.put_group_policy(GroupName="big", PolicyName="a", PolicyDocument=big(170))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.put_group_policy(GroupName="big", PolicyName="b", PolicyDocument=big(170))
    assert err(e) == (409, "LimitExceeded",
                      "Maximum policy size of 5120 bytes exceeded for group big")
    assert iam.list_group_policies(GroupName="big")["PolicyNames"] == ["a"]


# ---- Authorization through groups ------------------------------------------------------------


def test_group_policy_authorizes_its_members(client, aws_cli):
    iam = client("iam")
    key = make_user(iam, "mem")
    iam.create_group(GroupName="readers")
    iam.put_group_policy(GroupName="readers", PolicyName="list",
                         PolicyDocument=allow("iam:ListUsers", "iam:ListGroups"))
    u = as_user(client, key)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u.list_users()
    assert err(e)[2] == denied_message("mem", "iam:ListUsers", f"arn:aws:iam::{ACCOUNT}:user/")
    iam.add_user_to_group(GroupName="readers", UserName="mem")
    assert [x["UserName"] for x in u.list_users()["Users"]] == ["mem"]
    code, out, stderr = aws_cli("iam", "list-groups", key=key[0], secret=key[1])
    assert code == 0, stderr
    assert [g["GroupName"] for g in json.loads(out)["Groups"]] == ["readers"]
    iam.remove_user_from_group(GroupName="readers", UserName="mem")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u.list_groups()
    assert err(e)[2] == denied_message("mem", "iam:ListGroups", f"arn:aws:iam::{ACCOUNT}:group/")


def test_deny_in_a_group_policy_wins(client):
    iam = client("iam")
    key = make_user(iam, "dev", allow("iam:*"))
    u = as_user(client, key)
    assert u.list_groups()["Groups"] == []
    iam.create_group(GroupName="fence")
    iam.put_group_policy(GroupName="fence", PolicyName="no-list",
                         PolicyDocument=allow("iam:ListGroups", effect="Deny"))
    iam.add_user_to_group(GroupName="fence", UserName="dev")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u.list_groups()
    assert err(e) == (403, "AccessDenied", denied_message(
        "dev", "iam:ListGroups", f"arn:aws:iam::{ACCOUNT}:group/",
        "with an explicit deny in an identity-based policy"))
    assert u.list_users()["Users"]  # other actions still allowed by the user's policy


def test_denied_group_calls_change_nothing(client):
    iam = client("iam")
    key = make_user(iam, "eve", allow("iam:GetGroup", "iam:ListGroups"))
    iam.create_group(GroupName="admins")
    iam.put_group_policy(GroupName="admins", PolicyName="all", PolicyDocument=allow("*"))
    u = as_user(client, key)
    attempts = [
        lambda: u.add_user_to_group(GroupName="admins", UserName="eve"),
        lambda: u.create_group(GroupName="mine"),
        lambda: u.put_group_policy(GroupName="admins", PolicyName="x", PolicyDocument=allow("*")),
        lambda: u.delete_group_policy(GroupName="admins", PolicyName="all"),
        lambda: u.update_group(GroupName="admins", NewGroupName="renamed"),
        lambda: u.delete_group(GroupName="admins"),
        lambda: u.list_groups_for_user(UserName="eve"),
    ]
    for attempt in attempts:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            attempt()
        assert err(e)[:2] == (403, "AccessDenied")
    assert [g["GroupName"] for g in iam.list_groups()["Groups"]] == ["admins"]
    assert iam.get_group(GroupName="admins")["Users"] == []
    assert iam.list_group_policies(GroupName="admins")["PolicyNames"] == ["all"]
    assert iam.list_groups_for_user(UserName="eve")["Groups"] == []
    # A group that does not exist is decided on its would-be ARN before NoSuchEntity.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u.add_user_to_group(GroupName="ghost", UserName="eve")
    assert err(e)[2] == denied_message("eve", "iam:AddUserToGroup",
                                       f"arn:aws:iam::{ACCOUNT}:group/ghost")
