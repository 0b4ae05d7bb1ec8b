# SPDX-License-Identifier: Apache-2.0
# The request context the server gives the policy engine (issue 3, "Every call authorized"): global
# condition keys taken from the request itself (aws:SourceIp, aws:SecureTransport,
# aws:RequestedRegion, aws:CurrentTime, aws:EpochTime), from the principal (aws:username,
# aws:PrincipalArn, aws:PrincipalTag/*, aws:userid) and policy variables over them. Semantics from
# the IAM User Guide, "AWS global condition context keys" and "IAM policy elements: Variables".
import json

import botocore.exceptions
import pytest


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, condition=None, resource="*"):
    s = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        s["Condition"] = condition
    return s


def user_with(client, name, *statements, tags=None):
    iam = client("iam")
    iam.create_user(UserName=name, **({"Tags": tags} if tags else {}))
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return dict(key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def allowed(call):
    try:
        call()
        return True
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "AccessDenied", e.response
        return False


def test_source_ip_is_the_client_address(client):
    # The daemon is reached from 127.0.0.1: an IpAddress condition on 127.0.0.0/8 holds, one on
    # 10.0.0.0/8 does not.
    k1 = user_with(client, "ip-in", allow("iam:ListUsers", {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}))
    k2 = user_with(client, "ip-out", allow("iam:ListUsers", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    assert allowed(lambda: client("iam", **k1).list_users())
    assert not allowed(lambda: client("iam", **k2).list_users())


def test_secure_transport_is_false_over_http(client):
    k = user_with(client, "tls",
                  allow("iam:ListUsers"),
                  {"Effect": "Deny", "Action": "*", "Resource": "*",
                   "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    assert not allowed(lambda: client("iam", **k).list_users())


def test_requested_region_is_the_signing_region(client):
    k = user_with(client, "region",
                  allow("sts:GetCallerIdentity"),
                  allow("iam:ListUsers", {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))
    assert allowed(lambda: client("iam", region="eu-west-1", **k).list_users())
    assert not allowed(lambda: client("iam", region="us-east-1", **k).list_users())


def test_current_time_and_epoch_time(client):
    k1 = user_with(client, "time-ok",
                   allow("iam:ListUsers", {"DateLessThan": {"aws:CurrentTime": "2999-01-01T00:00:00Z"},
                                           "NumericGreaterThan": {"aws:EpochTime": "1700000000"}}))
    k2 = user_with(client, "time-past",
                   allow("iam:ListUsers", {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}))
    assert allowed(lambda: client("iam", **k1).list_users())
    assert not allowed(lambda: client("iam", **k2).list_users())


def test_username_variable_and_principal_arn(client):
    # ${aws:username} in a Resource: a user may read itself only.
    k = user_with(client, "self",
                  allow("iam:GetUser", resource="arn:aws:iam::000000000000:user/${aws:username}"),
                  allow("iam:ListUsers", {"ArnEquals": {"aws:PrincipalArn":
                                                        "arn:aws:iam::000000000000:user/self"}}))
    iam = client("iam")
    iam.create_user(UserName="other")
    assert allowed(lambda: client("iam", **k).get_user(UserName="self"))
    assert not allowed(lambda: client("iam", **k).get_user(UserName="other"))
    assert allowed(lambda: client("iam", **k).list_users())


def test_principal_tags_and_resource_tags(client):
    # Attribute-based access: a user tagged team=team-A may read users tagged the same, through
    # ${aws:PrincipalTag/team} against aws:ResourceTag/team (the lab's tag-based isolation).
    k = user_with(client, "abac",
                  allow("iam:GetUser",
                        {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}),
                  tags=[{"Key": "team", "Value": "team-A"}])
    iam = client("iam")
    iam.create_user(UserName="mate", Tags=[{"Key": "team", "Value": "team-A"}])
    iam.create_user(UserName="stranger", Tags=[{"Key": "team", "Value": "team-B"}])
    assert allowed(lambda: client("iam", **k).get_user(UserName="mate"))
    assert not allowed(lambda: client("iam", **k).get_user(UserName="stranger"))


def test_denial_message_names_the_user_and_the_policy_type(client):
    k = user_with(client, "nope", allow("iam:GetUser"))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("iam", **k).list_users()
    msg = e.value.response["Error"]["Message"]
    assert msg.startswith("User: arn:aws:iam::000000000000:user/nope is not authorized to perform: "
                          "iam:ListUsers on resource: ")
    assert msg.endswith("because no identity-based policy allows the iam:ListUsers action")
