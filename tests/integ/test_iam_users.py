# SPDX-License-Identifier: Apache-2.0
# IAM users, access keys, tags, permissions boundaries and user inline policies through Debian's
# boto3 and AWS CLI v2 against the real daemon. Expected codes, statuses and messages are AWS's,
# each with its source:
#   - IAM API Reference (each operation's page; "Common Errors"), data types User,
#     AccessKeyLastUsed, AttachedPermissionsBoundary;
#   - IAM User Guide, "IAM and AWS STS quotas" (2 access keys per user, 2,048 characters of
#     inline policy per user, 50 tags) and "Access denied error messages" (the denial wording);
#   - real AWS output quoted in public issues, cited next to the assertion that uses it.
import json

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"


def allow(*actions, resource="*", condition=None, effect="Allow"):
    stmt = {"Effect": effect, "Action": list(actions), "Resource": resource}
    if condition:
        stmt["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [stmt]})


def err(excinfo):
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def make_user(iam, name, policy=None, path="/"):
    """Creates a user (with an inline policy when given) and an access key; returns the key."""
    iam.create_user(UserName=name, Path=path)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]


def as_user(client, key):
    return client("iam", key=key[0], secret=key[1])


def denied_message(user, action, resource, why=None):
    # "User: <arn> is not authorized to perform: <action> on resource: <arn> because no
    # identity-based policy allows the <action> action" (IAM User Guide, "Access denied error
    # messages"; e.g. real AWS: "User: arn:aws:iam::891377311393:user/s3user is not authorized
    # to perform: iam:ListUsers on resource: arn:aws:iam::891377311393:user/ because no
    # identity-based policy allows the iam:ListUsers action").
    why = why or f"because no identity-based policy allows the {action} action"
    return (f"User: arn:aws:iam::{ACCOUNT}:user/{user} is not authorized to perform: {action} "
            f"on resource: {resource} {why}")


# ---- CreateUser / GetUser ------------------------------------------------------------------


def test_create_and_get_user(client):
    iam = client("iam")
    u = iam.create_user(UserName="ana")["User"]
    assert u["UserName"] == "ana"
    assert u["Path"] == "/"
    assert u["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/ana"
    # IAM unique ids: "AIDA" and 17 more characters for users (IAM User Guide, "Unique
    # identifiers").
    assert u["UserId"].startswith("AIDA") and len(u["UserId"]) == 21
    assert "Tags" not in u and "PermissionsBoundary" not in u
    got = iam.get_user(UserName="ana")["User"]
    assert got["UserId"] == u["UserId"]
    assert got["CreateDate"] == u["CreateDate"]
    # Names are case-insensitive in IAM: GetUser finds ANA as ana.
    assert iam.get_user(UserName="ANA")["User"]["UserId"] == u["UserId"]


def test_create_user_with_path_and_tags_through_the_cli(aws_cli):
    code, out, e = aws_cli("iam", "create-user", "--user-name", "bo", "--path", "/eng/ml/",
                           "--tags", "Key=team,Value=blue", "Key=cost,Value=")
    assert code == 0, e
    u = json.loads(out)["User"]
    assert u["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/eng/ml/bo"
    assert u["Path"] == "/eng/ml/"
    assert u["Tags"] == [{"Key": "team", "Value": "blue"}, {"Key": "cost", "Value": ""}]
    code, out, e = aws_cli("iam", "get-user", "--user-name", "bo")
    assert code == 0, e
    assert json.loads(out)["User"]["Tags"][0] == {"Key": "team", "Value": "blue"}


def test_create_user_twice_is_entity_already_exists(client, aws_cli):
    iam = client("iam")
    iam.create_user(UserName="ana")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_user(UserName="ANA")  # names differ only in case: the same name to IAM
    assert err(e) == (409, "EntityAlreadyExists", "User with name ANA already exists.")
    code, _, stderr = aws_cli("iam", "create-user", "--user-name", "ana")
    assert code != 0 and "(EntityAlreadyExists)" in stderr


def test_get_unknown_user_is_no_such_entity(client, aws_cli):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("iam").get_user(UserName="nobody")
    # "The user with name X cannot be found." (real AWS output in ansible/ansible#45593).
    assert err(e) == (404, "NoSuchEntity", "The user with name nobody cannot be found.")
    code, _, stderr = aws_cli("iam", "get-user", "--user-name", "nobody")
    assert code == 254 and "(NoSuchEntity)" in stderr


def test_get_user_without_name_as_root_and_as_user(client):
    iam = client("iam")
    root = iam.get_user()["User"]
    # The root's "user": its account id as UserId, its root ARN, and no UserName
    # (grycap/scar#181: "when AWS root account credentials are used, the User object does not
    # return a UserName field").
    assert root["UserId"] == ACCOUNT
    assert root["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert "UserName" not in root
    key = make_user(iam, "cal", allow("iam:GetUser"), path="/x/")
    me = as_user(client, key).get_user()["User"]
    assert me["UserName"] == "cal" and me["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/x/cal"


def test_malformed_user_names_are_validation_errors(client):
    iam = client("iam")
    for bad in ["has space", "x" * 65, "slash/name"]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            iam.create_user(UserName=bad)
        status, code, _ = err(e)
        assert status == 400 and code == "ValidationError", bad
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_user(UserName="ok", Path="no-slashes")
    assert err(e)[:2] == (400, "ValidationError")
    assert iam.list_users()["Users"] == []


# ---- ListUsers -----------------------------------------------------------------------------


def test_list_users_paginates_with_max_items(client, aws_cli):
    iam = client("iam")
    for n in ["carla", "ana", "bo"]:
        iam.create_user(UserName=n)
    seen = []
    page = iam.list_users(MaxItems=1)
    while True:
        assert len(page["Users"]) == 1
        seen.append(page["Users"][0]["UserName"])
        if not page["IsTruncated"]:
            assert "Marker" not in page
            break
        page = iam.list_users(MaxItems=1, Marker=page["Marker"])
    assert seen == ["ana", "bo", "carla"]
    # The CLI follows the markers itself; --page-size 1 makes it send three requests.
    code, out, e = aws_cli("iam", "list-users", "--page-size", "1")
    assert code == 0, e
    assert [u["UserName"] for u in json.loads(out)["Users"]] == ["ana", "bo", "carla"]


def test_list_users_by_path_prefix_without_tags(client):
    iam = client("iam")
    iam.create_user(UserName="a", Path="/eng/", Tags=[{"Key": "k", "Value": "v"}])
    iam.create_user(UserName="b", Path="/eng/ml/")
    iam.create_user(UserName="c", Path="/ops/")
    users = iam.list_users(PathPrefix="/eng/")["Users"]
    assert [u["UserName"] for u in users] == ["a", "b"]
    # ListUsers API Reference: "This operation does not return the following attributes, even
    # though they are an attribute of the returned object: PermissionsBoundary, Tags".
    assert all("Tags" not in u for u in users)
    assert iam.list_users(PathPrefix="/none/")["Users"] == []


# ---- UpdateUser / DeleteUser ---------------------------------------------------------------


def test_update_user_renames_and_moves_keeping_the_id(client, aws_cli):
    iam = client("iam")
    key = make_user(iam, "old", allow("sts:GetCallerIdentity"))
    uid = iam.get_user(UserName="old")["User"]["UserId"]
    code, _, e = aws_cli("iam", "update-user", "--user-name", "old", "--new-user-name", "new",
                         "--new-path", "/moved/")
    assert code == 0, e
    u = iam.get_user(UserName="new")["User"]
    assert u["UserId"] == uid
    assert u["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/moved/new" and u["Path"] == "/moved/"
    with pytest.raises(botocore.exceptions.ClientError) as ex:
        iam.get_user(UserName="old")
    assert err(ex)[1] == "NoSuchEntity"
    # The key follows the user: it authenticates as the renamed user and lists under its name.
    ident = client("sts", key=key[0], secret=key[1]).get_caller_identity()
    assert ident["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/moved/new"
    assert iam.list_access_keys(UserName="new")["AccessKeyMetadata"][0]["UserName"] == "new"


def test_update_user_to_a_taken_name_changes_nothing(client):
    iam = client("iam")
    iam.create_user(UserName="a")
    iam.create_user(UserName="b")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.update_user(UserName="a", NewUserName="B")
    assert err(e) == (409, "EntityAlreadyExists", "User with name B already exists.")
    assert sorted(u["UserName"] for u in iam.list_users()["Users"]) == ["a", "b"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.update_user(UserName="zed", NewUserName="q")
    assert err(e) == (404, "NoSuchEntity", "The user with name zed cannot be found.")


def test_delete_user_conflicts_in_order(client, aws_cli):
    iam = client("iam")
    iam.create_user(UserName="d")
    akid = iam.create_access_key(UserName="d")["AccessKey"]["AccessKeyId"]
    iam.put_user_policy(UserName="d", PolicyName="p", PolicyDocument=allow("s3:*"))
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="d")

    def conflict():
        with pytest.raises(botocore.exceptions.ClientError) as e:
            iam.delete_user(UserName="d")
        status, code, msg = err(e)
        assert (status, code) == (409, "DeleteConflict")
        return msg

    # AWS's wording: hashicorp/terraform#8621 (access keys), #3774 (groups); "must delete
    # policies first" for inline policies.
    assert conflict() == "Cannot delete entity, must delete access keys first."
    iam.delete_access_key(UserName="d", AccessKeyId=akid)
    assert conflict() == "Cannot delete entity, must delete policies first."
    iam.delete_user_policy(UserName="d", PolicyName="p")
    assert conflict() == "Cannot delete entity, must remove users from group first."
    iam.remove_user_from_group(GroupName="g", UserName="d")
    code, _, e = aws_cli("iam", "delete-user", "--user-name", "d")
    assert code == 0, e
    with pytest.raises(botocore.exceptions.ClientError) as ex:
        iam.delete_user(UserName="d")
    assert err(ex) == (404, "NoSuchEntity", "The user with name d cannot be found.")


# ---- Tags ----------------------------------------------------------------------------------


def test_tag_untag_and_list_user_tags(client, aws_cli):
    iam = client("iam")
    iam.create_user(UserName="t", Tags=[{"Key": "a", "Value": "1"}])
    iam.tag_user(UserName="t", Tags=[{"Key": "b", "Value": "2"}, {"Key": "A", "Value": "3"}])
    tags = iam.list_user_tags(UserName="t")["Tags"]
    assert tags == [{"Key": "A", "Value": "3"}, {"Key": "b", "Value": "2"}]
    page = iam.list_user_tags(UserName="t", MaxItems=1)
    assert page["IsTruncated"] and page["Tags"] == [{"Key": "A", "Value": "3"}]
    page = iam.list_user_tags(UserName="t", MaxItems=1, Marker=page["Marker"])
    assert not page["IsTruncated"] and page["Tags"] == [{"Key": "b", "Value": "2"}]
    code, _, e = aws_cli("iam", "untag-user", "--user-name", "t", "--tag-keys", "a", "zz")
    assert code == 0, e
    assert iam.list_user_tags(UserName="t")["Tags"] == [{"Key": "b", "Value": "2"}]
    assert iam.get_user(UserName="t")["User"]["Tags"] == [{"Key": "b", "Value": "2"}]


def test_tag_errors(client):
    iam = client("iam")
    iam.create_user(UserName="t")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.tag_user(UserName="t", Tags=[{"Key": "aws:x", "Value": "1"}])
    assert err(e)[:2] == (400, "InvalidInput")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.tag_user(UserName="nobody", Tags=[{"Key": "k", "Value": "1"}])
    assert err(e)[:2] == (404, "NoSuchEntity")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.list_user_tags(UserName="nobody")
    assert err(e)[:2] == (404, "NoSuchEntity")
    iam.tag_user(UserName="t", Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.tag_user(UserName="t", Tags=[{"Key": "one-more", "Value": "v"}])
    assert err(e)[:2] == (409, "LimitExceeded")
    assert len(iam.list_user_tags(UserName="t")["Tags"]) == 50


# ---- Permissions boundaries ------------------------------------------------------------------


BOUNDARY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def test_permissions_boundary_on_create_put_and_delete(client, aws_cli):
    iam = client("iam")
    u = iam.create_user(UserName="pb", PermissionsBoundary=BOUNDARY)["User"]
    # AttachedPermissionsBoundary: PermissionsBoundaryType is "PermissionsBoundaryPolicy".
    expected = {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                "PermissionsBoundaryArn": BOUNDARY}
    assert u["PermissionsBoundary"] == expected
    assert iam.get_user(UserName="pb")["User"]["PermissionsBoundary"] == expected
    code, _, e = aws_cli("iam", "delete-user-permissions-boundary", "--user-name", "pb")
    assert code == 0, e
    assert "PermissionsBoundary" not in iam.get_user(UserName="pb")["User"]
    code, _, e = aws_cli("iam", "put-user-permissions-boundary", "--user-name", "pb",
                         "--permissions-boundary", "arn:aws:iam::aws:policy/IAMFullAccess")
    assert code == 0, e
    got = iam.get_user(UserName="pb")["User"]["PermissionsBoundary"]
    assert got["PermissionsBoundaryArn"] == "arn:aws:iam::aws:policy/IAMFullAccess"


def test_unknown_boundary_is_refused_and_creates_nothing(client):
    iam = client("iam")
    missing = f"arn:aws:iam::{ACCOUNT}:policy/NoSuchBoundary"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_user(UserName="pb", PermissionsBoundary=missing)
    # Real AWS: "NoSuchEntity: Scope ARN: arn:aws:iam::301721915996:policy/xuelinop does not
    # exist or is not attachable." (status code 404; openshift/rosa issue reports).
    assert err(e) == (404, "NoSuchEntity",
                      f"Scope ARN: {missing} does not exist or is not attachable.")
    assert iam.list_users()["Users"] == []
    iam.create_user(UserName="pb")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.put_user_permissions_boundary(UserName="pb", PermissionsBoundary=missing)
    assert err(e)[:2] == (404, "NoSuchEntity")
    assert "PermissionsBoundary" not in iam.get_user(UserName="pb")["User"]


def test_boundary_limits_the_user(client):
    iam = client("iam")
    key = make_user(iam, "lim", allow("iam:*"))
    iam.put_user_permissions_boundary(UserName="lim", PermissionsBoundary=BOUNDARY)
    u = as_user(client, key)
    assert u.get_user(UserName="lim")["User"]["UserName"] == "lim"  # ReadOnlyAccess allows it
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u.create_user(UserName="x")
    assert err(e) == (403, "AccessDenied", denied_message(
        "lim", "iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/x",
        "because no permissions boundary allows the iam:CreateUser action"))
    iam.delete_user_permissions_boundary(UserName="lim")
    u.create_user(UserName="x")


def test_create_user_condition_on_the_boundary_key(client):
    iam = client("iam")
    # iam:PermissionsBoundary is a condition key of iam:CreateUser (Service Authorization
    # Reference): a delegated admin may only create users that carry this boundary.
    key = make_user(iam, "admin", allow("iam:CreateUser", condition={
        "StringEquals": {"iam:PermissionsBoundary": BOUNDARY}}))
    u = as_user(client, key)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u.create_user(UserName="free")
    assert err(e)[:2] == (403, "AccessDenied")
    u.create_user(UserName="bound", PermissionsBoundary=BOUNDARY)
    assert [x["UserName"] for x in iam.list_users()["Users"]] == ["admin", "bound"]


# ---- Access keys -----------------------------------------------------------------------------


def test_access_keys_lifecycle_and_quota(client, aws_cli):
    iam = client("iam")
    iam.create_user(UserName="k")
    k1 = iam.create_access_key(UserName="k")["AccessKey"]
    # Access key ids: "AKIA" and 16 more characters; secrets: 40 characters.
    assert k1["AccessKeyId"].startswith("AKIA") and len(k1["AccessKeyId"]) == 20
    assert len(k1["SecretAccessKey"]) == 40
    assert k1["Status"] == "Active" and k1["UserName"] == "k"
    code, out, e = aws_cli("iam", "create-access-key", "--user-name", "k")
    assert code == 0, e
    k2 = json.loads(out)["AccessKey"]
    iam.update_access_key(UserName="k", AccessKeyId=k2["AccessKeyId"], Status="Inactive")
    # Two keys per user, active or inactive: "Cannot exceed quota for AccessKeysPerUser: 2"
    # (real AWS output in simonw/s3-credentials#64, where deactivating one did not help).
    with pytest.raises(botocore.exceptions.ClientError) as ex:
        iam.create_access_key(UserName="k")
    assert err(ex) == (409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
    meta = iam.list_access_keys(UserName="k")["AccessKeyMetadata"]
    assert sorted((m["AccessKeyId"], m["Status"]) for m in meta) == sorted(
        [(k1["AccessKeyId"], "Active"), (k2["AccessKeyId"], "Inactive")])
    assert all("SecretAccessKey" not in m and m["UserName"] == "k" for m in meta)
    page = iam.list_access_keys(UserName="k", MaxItems=1)
    assert page["IsTruncated"] and len(page["AccessKeyMetadata"]) == 1
    rest = iam.list_access_keys(UserName="k", MaxItems=1, Marker=page["Marker"])
    assert not rest["IsTruncated"] and len(rest["AccessKeyMetadata"]) == 1
    iam.delete_access_key(UserName="k", AccessKeyId=k2["AccessKeyId"])
    iam.create_access_key(UserName="k")  # room again


def test_inactive_and_deleted_keys_fail_authentication(client, aws_cli):
    iam = client("iam")
    key = make_user(iam, "k", allow("sts:GetCallerIdentity"))
    sts = client("sts", key=key[0], secret=key[1])
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/k"
    iam.update_access_key(UserName="k", AccessKeyId=key[0], Status="Inactive")
    # An inactive key is refused like an unknown one (STS API Reference, common errors:
    # InvalidClientTokenId, "The security token included in the request is invalid.").
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.get_caller_identity()
    assert err(e) == (403, "InvalidClientTokenId",
                      "The security token included in the request is invalid.")
    code, _, stderr = aws_cli("sts", "get-caller-identity", key=key[0], secret=key[1])
    assert code != 0 and "(InvalidClientTokenId)" in stderr
    iam.update_access_key(UserName="k", AccessKeyId=key[0], Status="Active")
    assert sts.get_caller_identity()["Account"] == ACCOUNT
    iam.delete_access_key(UserName="k", AccessKeyId=key[0])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.get_caller_identity()
    assert err(e)[1] == "InvalidClientTokenId"


def test_keys_of_another_user_are_not_found(client):
    iam = client("iam")
    iam.create_user(UserName="a")
    iam.create_user(UserName="b")
    akid = iam.create_access_key(UserName="a")["AccessKey"]["AccessKeyId"]
    # "The Access Key with id X cannot be found." (NoSuchEntity, 404).
    msg = f"The Access Key with id {akid} cannot be found."
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.update_access_key(UserName="b", AccessKeyId=akid, Status="Inactive")
    assert err(e) == (404, "NoSuchEntity", msg)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.delete_access_key(UserName="b", AccessKeyId=akid)
    assert err(e) == (404, "NoSuchEntity", msg)
    assert iam.list_access_keys(UserName="a")["AccessKeyMetadata"][0]["Status"] == "Active"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_access_key(UserName="nobody")
    assert err(e) == (404, "NoSuchEntity", "The user with name nobody cannot be found.")


def test_access_keys_of_the_caller_itself(client):
    iam = client("iam")
    key = make_user(iam, "self", allow("iam:CreateAccessKey", "iam:ListAccessKeys",
                                      "iam:DeleteAccessKey",
                                      resource=f"arn:aws:iam::{ACCOUNT}:user/self"))
    me = as_user(client, key)
    k2 = me.create_access_key()["AccessKey"]  # no UserName: the caller's own user
    assert k2["UserName"] == "self"
    ids = {m["AccessKeyId"] for m in me.list_access_keys()["AccessKeyMetadata"]}
    assert ids == {key[0], k2["AccessKeyId"]}
    me.delete_access_key(AccessKeyId=k2["AccessKeyId"])
    # The root manages its own keys too (CreateAccessKey API Reference: "you can use this
    # operation to manage AWS account root user credentials"); "test" is already one of two.
    root_keys = iam.list_access_keys()["AccessKeyMetadata"]
    assert [m["AccessKeyId"] for m in root_keys] == ["test"]
    rk = iam.create_access_key()["AccessKey"]
    assert client("sts", key=rk["AccessKeyId"], secret=rk["SecretAccessKey"]) \
        .get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_access_key()
    assert err(e)[:2] == (409, "LimitExceeded")


def test_get_access_key_last_used(client, aws_cli):
    iam = client("iam")
    iam.create_user(UserName="lu")
    akid = iam.create_access_key(UserName="lu")["AccessKey"]["AccessKeyId"]
    r = iam.get_access_key_last_used(AccessKeyId=akid)
    # A key never used: ServiceName and Region "N/A", no LastUsedDate (AccessKeyLastUsed data
    # type; the console shows the same "Last used region N/A / Last used service N/A",
    # hashicorp/terraform-provider-aws#39693).
    assert r["UserName"] == "lu"
    assert r["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}
    code, out, e = aws_cli("iam", "get-access-key-last-used", "--access-key-id", akid)
    assert code == 0, e
    assert json.loads(out)["AccessKeyLastUsed"]["Region"] == "N/A"
    with pytest.raises(botocore.exceptions.ClientError) as ex:
        iam.get_access_key_last_used(AccessKeyId="AKIAAAAAAAAAAAAAAAAA")
    assert err(ex)[:2] == (404, "NoSuchEntity")


# ---- Inline policies -------------------------------------------------------------------------


def test_user_inline_policies(client, aws_cli):
    iam = client("iam")
    iam.create_user(UserName="ip")
    doc = allow("s3:GetObject", resource="arn:aws:s3:::b/*")
    iam.put_user_policy(UserName="ip", PolicyName="read", PolicyDocument=doc)
    code, _, e = aws_cli("iam", "put-user-policy", "--user-name", "ip", "--policy-name", "all",
                         "--policy-document", allow("s3:*"))
    assert code == 0, e
    got = iam.get_user_policy(UserName="ip", PolicyName="read")
    # IAM returns the document URL-encoded; botocore decodes it back into a structure.
    assert got["UserName"] == "ip" and got["PolicyName"] == "read"
    assert got["PolicyDocument"] == json.loads(doc)
    assert iam.list_user_policies(UserName="ip")["PolicyNames"] == ["all", "read"]
    page = iam.list_user_policies(UserName="ip", MaxItems=1)
    assert page["PolicyNames"] == ["all"] and page["IsTruncated"]
    page = iam.list_user_policies(UserName="ip", MaxItems=1, Marker=page["Marker"])
    assert page["PolicyNames"] == ["read"] and not page["IsTruncated"]
    # Replacing keeps one policy of that name.
    iam.put_user_policy(UserName="ip", PolicyName="read", PolicyDocument=allow("s3:ListBucket"))
    assert iam.get_user_policy(UserName="ip", PolicyName="read")["PolicyDocument"][
        "Statement"][0]["Action"] == ["s3:ListBucket"]
    code, out, e = aws_cli("iam", "get-user-policy", "--user-name", "ip", "--policy-name", "all")
    assert code == 0, e
    assert json.loads(out)["PolicyDocument"]["Statement"][0]["Action"] == ["s3:*"]
    iam.delete_user_policy(UserName="ip", PolicyName="read")
    with pytest.raises(botocore.exceptions.ClientError) as ex:
        iam.get_user_policy(UserName="ip", PolicyName="read")
    assert err(ex) == (404, "NoSuchEntity", "The user policy with name read cannot be found.")
    with pytest.raises(botocore.exceptions.ClientError) as ex:
        iam.delete_user_policy(UserName="ip", PolicyName="read")
    assert err(ex) == (404, "NoSuchEntity", "The user policy with name read cannot be found.")


def test_user_inline_policy_validation(client):
    iam = client("iam")
    iam.create_user(UserName="v")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.put_user_policy(UserName="v", PolicyName="bad", PolicyDocument="{not json")
    assert err(e)[:2] == (400, "MalformedPolicyDocument")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.put_user_policy(UserName="v", PolicyName="bad", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "s3:*",
                                                    "Resource": "*"}]}))
    assert err(e)[:2] == (400, "MalformedPolicyDocument")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.put_user_policy(UserName="nobody", PolicyName="p", PolicyDocument=allow("s3:*"))
    assert err(e) == (404, "NoSuchEntity", "The user with name nobody cannot be found.")

    # 2,048 characters of inline policy per user, in aggregate (whitespace not counted):
    # two policies of ~1,100 characters do not fit together.
    def big(n):
        return allow(*[f"s3:Action{i:04d}" for i in range(n)])

    iam.put_user_policy(UserName="v", PolicyName="one", PolicyDocument=big(60))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.put_user_policy(UserName="v", PolicyName="two", PolicyDocument=big(60))
    assert err(e) == (409, "LimitExceeded",
                      "Maximum policy size of 2048 bytes exceeded for user v")
    assert iam.list_user_policies(UserName="v")["PolicyNames"] == ["one"]
    iam.put_user_policy(UserName="v", PolicyName="one", PolicyDocument=big(100))  # replaces


# ---- Authorization ---------------------------------------------------------------------------


def test_inline_policy_authorizes_the_users_next_call(client, aws_cli):
    iam = client("iam")
    key = make_user(iam, "bob")
    u = as_user(client, key)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u.list_users()
    assert err(e) == (403, "AccessDenied", denied_message(
        "bob", "iam:ListUsers", f"arn:aws:iam::{ACCOUNT}:user/"))
    iam.put_user_policy(UserName="bob", PolicyName="list", PolicyDocument=allow("iam:ListUsers"))
    assert [x["UserName"] for x in u.list_users()["Users"]] == ["bob"]
    code, out, stderr = aws_cli("iam", "list-users", key=key[0], secret=key[1])
    assert code == 0, stderr
    code, _, stderr = aws_cli("iam", "get-user", "--user-name", "bob", key=key[0], secret=key[1])
    assert code != 0 and "(AccessDenied)" in stderr
    assert denied_message("bob", "iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/bob") in stderr
    # A Deny in the user's own policies wins over the Allow.
    iam.put_user_policy(UserName="bob", PolicyName="deny",
                        PolicyDocument=allow("iam:List*", effect="Deny"))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u.list_users()
    assert err(e)[2] == denied_message(
        "bob", "iam:ListUsers", f"arn:aws:iam::{ACCOUNT}:user/",
        "with an explicit deny in an identity-based policy")


def test_denied_calls_change_nothing(client):
    iam = client("iam")
    key = make_user(iam, "eve", allow("iam:GetUser", "iam:ListUsers"))
    iam.create_user(UserName="victim")
    vkey = iam.create_access_key(UserName="victim")["AccessKey"]["AccessKeyId"]
    u = as_user(client, key)
    attempts = [
        lambda: u.create_user(UserName="new"),
        lambda: u.delete_access_key(UserName="victim", AccessKeyId=vkey),
        lambda: u.update_access_key(UserName="victim", AccessKeyId=vkey, Status="Inactive"),
        lambda: u.create_access_key(UserName="victim"),
        lambda: u.put_user_policy(UserName="victim", PolicyName="x", PolicyDocument=allow("*")),
        lambda: u.tag_user(UserName="victim", Tags=[{"Key": "k", "Value": "v"}]),
        lambda: u.update_user(UserName="victim", NewUserName="renamed"),
        lambda: u.put_user_permissions_boundary(UserName="victim", PermissionsBoundary=BOUNDARY),
        lambda: u.delete_user(UserName="victim"),
        lambda: u.put_user_policy(UserName="eve", PolicyName="escalate",
                                  PolicyDocument=allow("*")),
    ]
    for attempt in attempts:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            attempt()
        assert err(e)[:2] == (403, "AccessDenied")
    assert [x["UserName"] for x in iam.list_users()["Users"]] == ["eve", "victim"]
    v = iam.get_user(UserName="victim")["User"]
    assert "Tags" not in v and "PermissionsBoundary" not in v
    meta = iam.list_access_keys(UserName="victim")["AccessKeyMetadata"]
    assert [(m["AccessKeyId"], m["Status"]) for m in meta] == [(vkey, "Active")]
    assert iam.list_user_policies(UserName="victim")["PolicyNames"] == []
    assert iam.list_user_policies(UserName="eve")["PolicyNames"] == ["p"]


def test_unknown_user_is_denied_before_it_is_not_found(client):
    iam = client("iam")
    key = make_user(iam, "nosy")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        as_user(client, key).get_user(UserName="ghost")
    assert err(e) == (403, "AccessDenied", denied_message(
        "nosy", "iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/ghost"))


def test_request_and_resource_tag_conditions(client):
    iam = client("iam")
    key = make_user(iam, "tagger", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"}}},
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}},
    ]}))
    u = as_user(client, key)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u.create_user(UserName="red", Tags=[{"Key": "team", "Value": "red"}])
    assert err(e)[:2] == (403, "AccessDenied")
    u.create_user(UserName="blue", Tags=[{"Key": "team", "Value": "blue"}])
    assert u.get_user(UserName="blue")["User"]["UserName"] == "blue"
    iam.create_user(UserName="plain")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u.get_user(UserName="plain")
    assert err(e)[:2] == (403, "AccessDenied")


def test_rename_needs_permission_on_both_names(client):
    iam = client("iam")
    # UpdateUser API Reference: "the requester must have appropriate permissions on both the
    # source object and the target object".
    key = make_user(iam, "ren", allow("iam:UpdateUser",
                                     resource=f"arn:aws:iam::{ACCOUNT}:user/src"))
    iam.create_user(UserName="src")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        as_user(client, key).update_user(UserName="src", NewUserName="dst")
    assert err(e)[2] == denied_message("ren", "iam:UpdateUser",
                                       f"arn:aws:iam::{ACCOUNT}:user/dst")
    assert iam.get_user(UserName="src")["User"]["UserName"] == "src"


def test_users_and_keys_survive_a_restart(make_daemon):
    import boto3

    d = make_daemon().start()

    def iam_client(key="test", secret="test"):
        return boto3.client("iam", endpoint_url=d.endpoint, region_name="us-east-1",
                            aws_access_key_id=key, aws_secret_access_key=secret)

    iam = iam_client()
    key = make_user(iam, "keep", allow("iam:GetUser"), path="/p/")
    d.stop()
    d.start()
    assert iam_client(*key).get_user()["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/p/keep"
    assert iam_client().list_user_policies(UserName="keep")["PolicyNames"] == ["p"]


def test_a_marker_that_was_never_issued_is_a_client_error(client):
    iam = client("iam")
    iam.create_user(UserName="m", Tags=[{"Key": "a", "Value": "1"}])
    for call in [lambda: iam.list_users(Marker="not-a-marker"),
                 lambda: iam.list_user_tags(UserName="m", Marker="not-a-marker"),
                 lambda: iam.list_access_keys(UserName="m", Marker="%%%")]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert err(e)[0] == 400  # never a 500


def test_last_used_is_recorded_after_a_call(client):
    # After the key signs a call, GetAccessKeyLastUsed reports when, for which service and in
    # which region (AccessKeyLastUsed data type: LastUsedDate, ServiceName, Region).
    import datetime

    iam = client("iam")
    iam.create_user(UserName="lu2")
    key = iam.create_access_key(UserName="lu2")["AccessKey"]
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"],
           region="eu-west-1").get_caller_identity()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert used["ServiceName"] == "sts"
    assert used["Region"] == "eu-west-1"
    assert used["LastUsedDate"] >= before


def test_long_policy_names_page_with_valid_markers(client):
    # Markers must fit IAM's markerType (at most 320 characters) even when the listed names are
    # the longest IAM allows (128-character policy names), so that the next page can be asked for.
    iam = client("iam")
    iam.create_user(UserName="u" * 64)
    doc = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    names = [str(i) + "p" * 127 for i in range(3)]
    for n in names:
        iam.put_user_policy(UserName="u" * 64, PolicyName=n, PolicyDocument=doc)
    got = []
    for page in iam.get_paginator("list_user_policies").paginate(
            UserName="u" * 64, PaginationConfig={"PageSize": 1}):
        got += page["PolicyNames"]
    assert got == names
