# SPDX-License-Identifier: Apache-2.0
# STS AssumeRole and GetSessionToken through Debian's boto3 and AWS CLI v2 against the real
# daemon: trust policies, identity policies, session policies, permissions boundaries, role
# chaining, session tags, source identity, expiry. Expected codes and messages are AWS's, each
# with its source:
#   - STS API Reference, AssumeRole and GetSessionToken (parameters, limits, "Cannot call
#     GetSessionToken with session credentials" family of rules);
#   - IAM User Guide: "Passing session tags in AWS STS", "Monitor and control actions taken with
#     assumed roles", "Access denied error messages", "IAM identifiers" (assumed-role ARNs);
#   - real AWS output quoted in public issues, cited next to the assertion that uses it.
import json
import re
import sqlite3
import time

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def stmt(actions, resource="*", effect="Allow", condition=None, principal=None):
    s = {"Effect": effect, "Action": actions}
    if principal is not None:
        s["Principal"] = principal
    else:
        s["Resource"] = resource
    if condition:
        s["Condition"] = condition
    return s


def trust(principal_arn, actions="sts:AssumeRole", condition=None):
    return doc(stmt(actions, principal={"AWS": principal_arn}, condition=condition))


def err(excinfo):
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def role_arn(name, path="/"):
    return f"arn:aws:iam::{ACCOUNT}:role{path}{name}"


def user_arn(name):
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def make_user(iam, name, policy=None):
    iam.create_user(UserName=name)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]


def make_role(iam, name, trust_doc, policy=None, **kw):
    r = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_doc, **kw)["Role"]
    if policy:
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=policy)
    return r


def sts_as(client, key):
    return client("sts", key=key[0], secret=key[1])


def creds_of(resp):
    c = resp["Credentials"]
    return c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]


def with_creds(client, service, creds):
    return client(service, key=creds[0], secret=creds[1], token=creds[2])


CAN_ASSUME_ANY = doc(stmt("sts:AssumeRole"))


@pytest.fixture
def iam(client):
    return client("iam")


# ---- Trust policy and identity policy ---------------------------------------------------------


def test_trusting_the_account_needs_an_identity_policy(client, iam):
    # STS API Reference, AssumeRole: to assume a role in the same account, either attach a policy
    # to the user that allows AssumeRole (as long as the trust policy trusts the account), or
    # name the user in the trust policy.
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(ROOT))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    status, code, msg = err(e)
    assert (status, code) == (403, "AccessDenied")
    # Real AWS: "User: arn:aws:iam::...:user/ScvIntegrationUser is not authorized to perform:
    # sts:AssumeRole on resource: arn:aws:iam::...:role/..." (service-cloud-voice/examples-from-doc
    # issue 34).
    assert msg.startswith(f"User: {user_arn('alice')} is not authorized to perform: "
                          f"sts:AssumeRole on resource: {role['Arn']}")

    iam.put_user_policy(UserName="alice", PolicyName="p",
                        PolicyDocument=doc(stmt("sts:AssumeRole", role["Arn"])))
    out = sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    ar = out["AssumedRoleUser"]
    assert ar["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/R/s1"
    assert ar["AssumedRoleId"] == f"{role['RoleId']}:s1"
    c = out["Credentials"]
    assert c["AccessKeyId"].startswith("ASIA") and len(c["AccessKeyId"]) == 20
    assert len(c["SecretAccessKey"]) == 40
    assert len(c["SessionToken"]) > 300
    # Default DurationSeconds: 3600 (STS API Reference).
    left = c["Expiration"].timestamp() - time.time()
    assert 3500 < left <= 3601
    assert "PackedPolicySize" not in out


def test_trust_naming_the_user_needs_no_identity_policy(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")))
    out = sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="direct")
    assert out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/R/direct")


def test_trust_naming_another_principal_refuses(client, iam):
    iam.create_user(UserName="bob")
    key = make_user(iam, "alice", CAN_ASSUME_ANY)
    role = make_role(iam, "R", trust(user_arn("bob")))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="sess")
    status, code, msg = err(e)
    assert (status, code) == (403, "AccessDenied")
    assert msg.startswith(f"User: {user_arn('alice')} is not authorized to perform: "
                          f"sts:AssumeRole on resource: {role['Arn']}")


def test_explicit_deny_in_identity_policy_wins(client, iam):
    key = make_user(iam, "alice", doc(stmt("sts:AssumeRole", effect="Deny")))
    role = make_role(iam, "R", trust(user_arn("alice")))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="sess")
    assert err(e)[:2] == (403, "AccessDenied")


def test_a_missing_role_is_access_denied_not_no_such_entity(client, iam):
    # AWS does not reveal whether a role exists: a wrong ARN is refused like a role that does not
    # trust the caller (aws-vault issue 668: "AWS reports it as: User: xxx is not authorized to
    # perform: sts:AssumeRole on resource: arn:...").
    key = make_user(iam, "alice", CAN_ASSUME_ANY)
    missing = role_arn("Nope")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_as(client, key).assume_role(RoleArn=missing, RoleSessionName="sess")
    status, code, msg = err(e)
    assert (status, code) == (403, "AccessDenied")
    assert msg.startswith(f"User: {user_arn('alice')} is not authorized to perform: "
                          f"sts:AssumeRole on resource: {missing}")
    # A well-formed ARN that is not a role is refused the same way (selling-partner-api-models
    # issue 2523: "... is not authorized to perform: sts:AssumeRole on resource:
    # arn:aws:iam::...:user/Qikink").
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_as(client, key).assume_role(RoleArn=user_arn("alice"), RoleSessionName="sess")
    assert err(e)[:2] == (403, "AccessDenied")


def test_root_cannot_assume_roles(client, iam):
    role = make_role(iam, "R", trust(ROOT))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="sess")
    # Real AWS: {"Code":"AccessDenied","Message":"Roles may not be assumed by root accounts."}
    # with 403 (double-break/spapi-php issue 45).
    assert err(e) == (403, "AccessDenied", "Roles may not be assumed by root accounts.")


def test_malformed_role_arn_is_a_validation_error(client, iam):
    key = make_user(iam, "alice", CAN_ASSUME_ANY)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_as(client, key).assume_role(RoleArn="not-an-arn-at-all-really", RoleSessionName="s1")
    status, code, msg = err(e)
    assert (status, code) == (400, "ValidationError")
    assert msg == "not-an-arn-at-all-really is invalid"


def test_role_session_name_pattern(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")))
    # roleSessionNameType: [\w+=,.@-]*, 2..64 (the STS model); botocore checks only the length.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="has space")
    assert err(e)[:2] == (400, "ValidationError")
    ok = sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="a+b=c,d.e@f-g_h")
    assert ok["AssumedRoleUser"]["Arn"].endswith("/a+b=c,d.e@f-g_h")


# ---- Conditions of the trust policy -------------------------------------------------------------


def test_external_id_condition(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice"),
                                     condition={"StringEquals": {"sts:ExternalId": "Example987"}}))
    sts = sts_as(client, key)
    for extra in ({}, {"ExternalId": "wrong-id"}):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sess", **extra)
        assert err(e)[:2] == (403, "AccessDenied")
    out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sess", ExternalId="Example987")
    assert out["AssumedRoleUser"]["Arn"].endswith("/R/sess")


def test_role_session_name_condition(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice"),
                                     condition={"StringLike": {"sts:RoleSessionName":
                                                               "${aws:username}"}}))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="someone")
    assert err(e)[:2] == (403, "AccessDenied")
    sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="alice")


def test_explicit_deny_in_trust_policy(client, iam):
    t = doc(stmt("sts:AssumeRole", principal={"AWS": ROOT}),
            stmt("sts:AssumeRole", principal={"AWS": user_arn("alice")}, effect="Deny"))
    key = make_user(iam, "alice", CAN_ASSUME_ANY)
    role = make_role(iam, "R", t)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="sess")
    assert err(e)[:2] == (403, "AccessDenied")


# ---- What the session may do ---------------------------------------------------------------------


def test_session_acts_with_the_roles_policies(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")), doc(stmt("iam:ListUsers")))
    creds = creds_of(sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="sess"))
    ident = with_creds(client, "sts", creds).get_caller_identity()
    # IAM User Guide, "IAM identifiers": the assumed-role ARN and the unique id
    # "AROA...:session-name".
    assert ident["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/R/sess"
    assert ident["UserId"] == f"{role['RoleId']}:sess"
    assert ident["Account"] == ACCOUNT
    sess_iam = with_creds(client, "iam", creds)
    sess_iam.list_users()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sess_iam.list_roles()
    status, code, msg = err(e)
    assert (status, code) == (403, "AccessDenied")
    assert msg.startswith(f"User: arn:aws:sts::{ACCOUNT}:assumed-role/R/sess is not authorized to "
                          f"perform: iam:ListRoles")


def test_assumed_role_arn_leaves_out_the_role_path(client, iam):
    # IAM User Guide, "IAM identifiers": arn:aws:sts::account:assumed-role/role-name/session-name
    # (the role's path is not part of it).
    key = make_user(iam, "alice")
    role = make_role(iam, "Pathy", trust(user_arn("alice")), Path="/team/a/")
    assert role["Arn"] == role_arn("Pathy", "/team/a/")
    out = sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="pp")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Pathy/pp"
    # The ARN must name the role with its path.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_as(client, key).assume_role(RoleArn=role_arn("Pathy"), RoleSessionName="pp")
    assert err(e)[:2] == (403, "AccessDenied")


def test_inline_session_policy_restricts_the_session(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")),
                     doc(stmt(["iam:ListUsers", "iam:ListRoles"])))
    session_policy = doc(stmt("iam:ListUsers"))
    out = sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="sess",
                                          Policy=session_policy)
    assert 0 < out["PackedPolicySize"] <= 100
    sess_iam = with_creds(client, "iam", creds_of(out))
    sess_iam.list_users()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sess_iam.list_roles()
    status, code, msg = err(e)
    assert (status, code) == (403, "AccessDenied")
    # IAM User Guide, "Access denied error messages": "... because no session policy allows the
    # <action> action".
    assert msg.endswith("because no session policy allows the iam:ListRoles action")


def test_session_policy_cannot_grant_more_than_the_role(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")), doc(stmt("iam:ListUsers")))
    out = sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="sess",
                                          Policy=doc(stmt("iam:*")))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        with_creds(client, "iam", creds_of(out)).list_roles()
    assert err(e)[2].endswith("because no identity-based policy allows the iam:ListRoles action")


def test_managed_session_policy_by_arn(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")), doc(stmt("iam:ListUsers")))
    out = sts_as(client, key).assume_role(
        RoleArn=role["Arn"], RoleSessionName="sess",
        PolicyArns=[{"arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        with_creds(client, "iam", creds_of(out)).list_users()
    assert err(e)[2].endswith("because no session policy allows the iam:ListUsers action")
    out = sts_as(client, key).assume_role(
        RoleArn=role["Arn"], RoleSessionName="sess",
        PolicyArns=[{"arn": "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}])
    with_creds(client, "iam", creds_of(out)).list_users()


def test_malformed_session_policy(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="sess",
                                        Policy='{"Version": "2012-10-17", "Statement": [')
    assert err(e)[:2] == (400, "MalformedPolicyDocument")


def test_packed_policy_too_large(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")))
    # A 2,000-character session policy of distinct resource names: within the 2,048-character
    # plaintext limit, beyond the packed budget. AWS words the failure "Packed policy consumes n%
    # of allotted space, please use smaller policy." (AWS re:Post knowledge center,
    # "iam-role-aws-sts-error").
    resources = [f"arn:aws:s3:::bucket-{i:03d}-{'x' * 20}/*" for i in range(200)]
    policy = doc(stmt("s3:GetObject", resources))
    while len(policy) > 2000:
        resources.pop()
        policy = doc(stmt("s3:GetObject", resources))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="sess",
                                        Policy=policy)
    status, code, msg = err(e)
    assert (status, code) == (400, "PackedPolicyTooLarge")
    assert re.fullmatch(r"Packed policy consumes \d+% of allotted space, please use smaller "
                        r"policy\.", msg), msg


def test_permissions_boundary_on_the_role_limits_the_session(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")), doc(stmt("iam:ListUsers")))
    with_creds(client, "iam", creds_of(sts_as(client, key).assume_role(
        RoleArn=role["Arn"], RoleSessionName="sess"))).list_users()
    iam.put_role_permissions_boundary(
        RoleName="R", PermissionsBoundary="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    creds = creds_of(sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="sess"))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        with_creds(client, "iam", creds).list_users()
    status, code, msg = err(e)
    assert (status, code) == (403, "AccessDenied")
    assert msg.endswith("because no permissions boundary allows the iam:ListUsers action")


# ---- Durations and role chaining -----------------------------------------------------------------


def test_duration_within_the_roles_maximum(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")), MaxSessionDuration=7200)
    sts = sts_as(client, key)
    out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sess", DurationSeconds=7200)
    left = out["Credentials"]["Expiration"].timestamp() - time.time()
    assert 7100 < left <= 7201
    out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sess", DurationSeconds=900)
    assert out["Credentials"]["Expiration"].timestamp() - time.time() <= 901
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sess", DurationSeconds=7201)
    # Real AWS: "ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration
    # set for this role." status 400 (kreuzwerker/awsu issue 27).
    assert err(e) == (400, "ValidationError",
                      "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                      "role.")


def test_role_chaining(client, iam):
    key = make_user(iam, "alice")
    r2 = make_role(iam, "R2", trust(ROOT), doc(stmt("iam:ListUsers")), MaxSessionDuration=43200)
    r1 = make_role(iam, "R1", trust(user_arn("alice")), doc(stmt("sts:AssumeRole", r2["Arn"])))
    c1 = creds_of(sts_as(client, key).assume_role(RoleArn=r1["Arn"], RoleSessionName="one"))
    sts1 = with_creds(client, "sts", c1)
    # Real AWS: "ValidationError: The requested DurationSeconds exceeds the 1 hour session limit
    # for roles assumed by role chaining." (aws/eks-anywhere pull 9485).
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts1.assume_role(RoleArn=r2["Arn"], RoleSessionName="two", DurationSeconds=7200)
    assert err(e) == (400, "ValidationError",
                      "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                      "assumed by role chaining.")
    out = sts1.assume_role(RoleArn=r2["Arn"], RoleSessionName="two")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/R2/two"
    c2 = creds_of(out)
    assert with_creds(client, "sts", c2).get_caller_identity()["Arn"].endswith("/R2/two")
    with_creds(client, "iam", c2).list_users()
    # R1's session may not assume a role its policy does not name.
    r3 = make_role(iam, "R3", trust(ROOT))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts1.assume_role(RoleArn=r3["Arn"], RoleSessionName="three")
    assert err(e)[2].startswith(f"User: arn:aws:sts::{ACCOUNT}:assumed-role/R1/one is not "
                                f"authorized to perform: sts:AssumeRole on resource: {r3['Arn']}")


def test_get_session_token_credentials_chain_for_one_hour(client, iam):
    # Temporary credentials from GetSessionToken make AssumeRole role chaining too
    # (mmmorris1975/aws-runas issue 11: "ValidationError: The requested DurationSeconds exceeds
    # the 1 hour session limit for roles assumed by role chaining.").
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")), MaxSessionDuration=7200)
    st = creds_of(sts_as(client, key).get_session_token())
    with pytest.raises(botocore.exceptions.ClientError) as e:
        with_creds(client, "sts", st).assume_role(RoleArn=role["Arn"], RoleSessionName="sess",
                                                  DurationSeconds=7200)
    assert err(e)[:2] == (400, "ValidationError")
    with_creds(client, "sts", st).assume_role(RoleArn=role["Arn"], RoleSessionName="sess")


# ---- Session tags and source identity ------------------------------------------------------------


def test_session_tags_need_sts_tag_session_in_the_trust_policy(client, iam):
    # IAM User Guide, "Passing session tags in AWS STS": sts:TagSession must be allowed, or the
    # user can't assume the role with tags.
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")))
    sts = sts_as(client, key)
    tags = [{"Key": "Project", "Value": "Automation"}]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sess", Tags=tags)
    status, code, msg = err(e)
    assert (status, code) == (403, "AccessDenied")
    assert "sts:TagSession" in msg
    iam.update_assume_role_policy(
        RoleName="R", PolicyDocument=trust(user_arn("alice"), ["sts:AssumeRole", "sts:TagSession"]))
    out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sess", Tags=tags,
                          TransitiveTagKeys=["Project"])
    assert 0 < out["PackedPolicySize"] <= 100


def test_session_tag_conditions_in_the_trust_policy(client, iam):
    t = doc(stmt(["sts:AssumeRole", "sts:TagSession"], principal={"AWS": user_arn("alice")},
                 condition={"StringEquals": {"aws:RequestTag/Department": ["Engineering"]}}))
    key = make_user(iam, "alice")
    role = make_role(iam, "R", t)
    sts = sts_as(client, key)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sess",
                        Tags=[{"Key": "Department", "Value": "Marketing"}])
    assert err(e)[:2] == (403, "AccessDenied")
    sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sess",
                    Tags=[{"Key": "Department", "Value": "Engineering"}])


def test_transitive_tag_keys_must_be_session_tags(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice"), ["sts:AssumeRole", "sts:TagSession"]))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="sess",
                                        Tags=[{"Key": "A", "Value": "1"}],
                                        TransitiveTagKeys=["B"])
    # InvalidParameterValue, as LocalStack's snapshot-tested STS provider records AWS's answer.
    assert err(e) == (400, "InvalidParameterValue",
                      "The specified transitive tag key must be included in the requested tags.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_as(client, key).assume_role(RoleArn=role["Arn"], RoleSessionName="sess",
                                        Tags=[{"Key": "A", "Value": "1"},
                                              {"Key": "a", "Value": "2"}])
    assert err(e) == (400, "InvalidParameterValue",
                      "Duplicate tag keys found. Please note that Tag keys are case insensitive.")


def test_transitive_tags_pass_on_and_cannot_be_overridden(client, iam):
    both = ["sts:AssumeRole", "sts:TagSession"]
    key = make_user(iam, "alice")
    r2 = make_role(iam, "R2", trust(ROOT, both))
    r1 = make_role(iam, "R1", trust(user_arn("alice"), both),
                   doc(stmt(["sts:AssumeRole", "sts:TagSession"], r2["Arn"])))
    c1 = creds_of(sts_as(client, key).assume_role(
        RoleArn=r1["Arn"], RoleSessionName="one", Tags=[{"Key": "Star", "Value": "1"}],
        TransitiveTagKeys=["Star"]))
    # IAM User Guide, "Chaining roles with session tags": passing a session tag with the key of
    # an inherited transitive tag fails.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        with_creds(client, "sts", c1).assume_role(RoleArn=r2["Arn"], RoleSessionName="two",
                                                  Tags=[{"Key": "star", "Value": "3"}])
    assert err(e) == (400, "InvalidParameterValue",
                      "One of the specified transitive tag keys can't be set because it conflicts "
                      "with a transitive tag key from the calling session.")
    with_creds(client, "sts", c1).assume_role(RoleArn=r2["Arn"], RoleSessionName="two")


def test_source_identity_needs_sts_set_source_identity(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")))
    sts = sts_as(client, key)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sess", SourceIdentity="alice")
    assert err(e)[:2] == (403, "AccessDenied")
    # IAM User Guide, "Monitor and control actions taken with assumed roles": the trust policy
    # allows sts:SetSourceIdentity with a condition on sts:SourceIdentity.
    iam.update_assume_role_policy(RoleName="R", PolicyDocument=doc(
        stmt(["sts:AssumeRole", "sts:SetSourceIdentity"], principal={"AWS": user_arn("alice")},
             condition={"StringEquals": {"sts:SourceIdentity": "alice"}})))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sess", SourceIdentity="mallory")
    assert err(e)[:2] == (403, "AccessDenied")
    out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sess", SourceIdentity="alice")
    assert out["SourceIdentity"] == "alice"


# ---- GetSessionToken -------------------------------------------------------------------------------


def test_get_session_token_acts_as_the_user(client, iam):
    key = make_user(iam, "alice", doc(stmt("iam:ListUsers")))
    out = sts_as(client, key).get_session_token(DurationSeconds=900)
    c = out["Credentials"]
    assert c["AccessKeyId"].startswith("ASIA")
    assert 800 < c["Expiration"].timestamp() - time.time() <= 901
    creds = creds_of(out)
    ident = with_creds(client, "sts", creds).get_caller_identity()
    assert ident["Arn"] == user_arn("alice")
    # Default 43,200 seconds for IAM users (STS API Reference, GetSessionToken).
    c = sts_as(client, key).get_session_token()["Credentials"]
    assert 43100 < c["Expiration"].timestamp() - time.time() <= 43201
    # Real AWS: "AccessDenied: Cannot call GetSessionToken with session credentials"
    # (aws/aws-sdk-js issue 3670).
    with pytest.raises(botocore.exceptions.ClientError) as e:
        with_creds(client, "sts", creds).get_session_token()
    assert err(e) == (403, "AccessDenied", "Cannot call GetSessionToken with session credentials")


def test_get_session_token_of_root_lasts_at_most_an_hour(client):
    # STS API Reference, GetSessionToken: for the account root, a longer duration defaults to one
    # hour.
    c = client("sts").get_session_token(DurationSeconds=7200)["Credentials"]
    assert 3500 < c["Expiration"].timestamp() - time.time() <= 3601
    creds = (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    assert with_creds(client, "sts", creds).get_caller_identity()["Arn"] == ROOT


def test_get_session_token_with_the_cli(aws_cli, iam):
    code, out, errtext = aws_cli("sts", "get-session-token", "--duration-seconds", "900")
    assert code == 0, errtext
    c = json.loads(out)["Credentials"]
    code, out, errtext = aws_cli("sts", "get-caller-identity", key=c["AccessKeyId"],
                                 secret=c["SecretAccessKey"], token=c["SessionToken"])
    assert code == 0, errtext
    assert json.loads(out)["Arn"] == ROOT


def test_assume_role_with_the_cli(aws_cli, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")))
    code, out, errtext = aws_cli("sts", "assume-role", "--role-arn", role["Arn"],
                                 "--role-session-name", "cli", key=key[0], secret=key[1])
    assert code == 0, errtext
    got = json.loads(out)
    assert got["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/R/cli"
    c = got["Credentials"]
    code, out, errtext = aws_cli("sts", "get-caller-identity", key=c["AccessKeyId"],
                                 secret=c["SecretAccessKey"], token=c["SessionToken"])
    assert code == 0, errtext
    assert json.loads(out)["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/R/cli"


# ---- Tokens: wrong, missing, expired ---------------------------------------------------------------


def test_wrong_or_missing_session_token(client, iam):
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")))
    akid, secret, token = creds_of(sts_as(client, key).assume_role(RoleArn=role["Arn"],
                                                                   RoleSessionName="sess"))
    for bad in (token[:-4] + "AAAA", None):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            client("sts", key=akid, secret=secret, token=bad).get_caller_identity()
        # STS API Reference, Common Errors: InvalidClientTokenId, 403, "The security token
        # included in the request is invalid."
        assert err(e) == (403, "InvalidClientTokenId",
                          "The security token included in the request is invalid.")


def test_expired_credentials(make_daemon, tmp_path):
    import boto3
    from botocore.config import Config

    d = make_daemon().start()

    def mk(service, key="test", secret="test", token=None):
        return boto3.client(service, endpoint_url=d.endpoint, region_name="us-east-1",
                            aws_access_key_id=key, aws_secret_access_key=secret,
                            aws_session_token=token, config=Config(retries={"max_attempts": 1}))

    iam = mk("iam")
    key = make_user(iam, "alice")
    role = make_role(iam, "R", trust(user_arn("alice")))
    rc = creds_of(mk("sts", *key).assume_role(RoleArn=role["Arn"], RoleSessionName="sess",
                                              DurationSeconds=900))
    sc = creds_of(mk("sts", *key).get_session_token(DurationSeconds=900))
    mk("sts", *rc).get_caller_identity()
    d.stop()
    # Move both sessions' expiration into the past (the store layout of store_sqlite.c and the
    # session document of iam_store.h).
    db = sqlite3.connect(d.data_dir / "sagebox.db")
    past = int(time.time()) - 5
    rows = db.execute("SELECT rowid, doc FROM obj WHERE kind = 'sts.session'").fetchall()
    assert len(rows) == 2
    for rowid, text in rows:
        sess = json.loads(text)
        sess["Expiration"] = past
        db.execute("UPDATE obj SET doc = ? WHERE rowid = ?", (json.dumps(sess), rowid))
    db.commit()
    db.close()
    d.start()
    for creds in (rc, sc):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            mk("sts", *creds).get_caller_identity()
        # STS API Reference, Common Errors: ExpiredToken, 403 (ExpiredTokenException is the
        # JSON protocols' name); "The security token included in the request is expired".
        status, code, msg = err(e)
        assert (status, code) == (403, "ExpiredToken")
        assert msg.startswith("The security token included in the request is expired")


def test_assume_role_records_role_last_used(client):
    # IAM API Reference, RoleLastUsed: LastUsedDate and Region of the last use; GetRole returns
    # an empty RoleLastUsed for a role never used. A denied AssumeRole is not a use.
    iam = client("iam")
    key, secret = make_user(iam, "user1", doc(stmt("sts:AssumeRole")))
    sts = client("sts", key, secret, region="eu-west-1")
    iam.create_role(RoleName="used", AssumeRolePolicyDocument=trust(user_arn("user1")))
    iam.create_role(RoleName="closed", AssumeRolePolicyDocument=trust(
        user_arn("user1"), condition={"StringEquals": {"sts:ExternalId": "needed"}}))
    assert iam.get_role(RoleName="used")["Role"]["RoleLastUsed"] == {}
    before = time.time()
    sts.assume_role(RoleArn=role_arn("used"), RoleSessionName="s1")
    used = iam.get_role(RoleName="used")["Role"]["RoleLastUsed"]
    assert used["Region"] == "eu-west-1"
    assert before - 2 <= used["LastUsedDate"].timestamp() <= time.time() + 2
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=role_arn("closed"), RoleSessionName="s1")
    assert err(e)[1] == "AccessDenied"
    assert iam.get_role(RoleName="closed")["Role"]["RoleLastUsed"] == {}
