# SPDX-License-Identifier: Apache-2.0
# AWS KMS grants through Debian's boto3 and AWS CLI v2 against the real daemon: a role without
# key-policy or IAM access that becomes able to Decrypt through a grant, encryption-context
# constraints, Name idempotency, ListGrants/ListRetirableGrants, RetireGrant (by token and by id,
# who may), RevokeGrant, and the errors. Messages not verified against AWS are marked so.
import json

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def err(excinfo):
    e = excinfo.value.response["Error"]
    return e["Code"], e.get("Message", "")


@pytest.fixture
def kms(client):
    return client("kms")


@pytest.fixture
def role_kms(client):
    """A kms client of a session of role "app", which has no IAM policy at all (so the default
    key policy, which delegates to IAM, gives it nothing)."""
    iam = client("iam")
    arn = iam.create_role(RoleName="app", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"}))["Role"]["Arn"]
    iam.create_user(UserName="assumer")
    iam.put_user_policy(UserName="assumer", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn}))
    ak = iam.create_access_key(UserName="assumer")["AccessKey"]
    sts = client("sts", key=ak["AccessKeyId"], secret=ak["SecretAccessKey"])
    cr = sts.assume_role(RoleArn=arn, RoleSessionName="s1")["Credentials"]
    k = client("kms", key=cr["AccessKeyId"], secret=cr["SecretAccessKey"],
               token=cr["SessionToken"])
    k.role_arn = arn
    return k


def test_grant_lets_role_decrypt(kms, role_kms):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"data")["CiphertextBlob"]
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        role_kms.decrypt(CiphertextBlob=blob)
    assert err(ei)[0] == "AccessDeniedException"
    g = kms.create_grant(KeyId=key, GranteePrincipal=role_kms.role_arn,
                         Operations=["Decrypt"], GrantTokens=["ignored"])
    assert len(g["GrantId"]) == 64 and g["GrantToken"]
    assert role_kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"data"
    # Only the granted operations.
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        role_kms.encrypt(KeyId=key, Plaintext=b"x")
    assert err(ei)[0] == "AccessDeniedException"
    kms.revoke_grant(KeyId=key, GrantId=g["GrantId"])
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        role_kms.decrypt(CiphertextBlob=blob)
    assert err(ei)[0] == "AccessDeniedException"


def test_grant_does_not_override_explicit_deny(kms, role_kms):
    policy = doc({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*",
                  "Resource": "*"},
                 {"Effect": "Deny", "Principal": {"AWS": role_kms.role_arn},
                  "Action": "kms:Decrypt", "Resource": "*"})
    key = kms.create_key(Policy=policy)["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"data")["CiphertextBlob"]
    kms.create_grant(KeyId=key, GranteePrincipal=role_kms.role_arn, Operations=["Decrypt"])
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        role_kms.decrypt(CiphertextBlob=blob)
    assert err(ei)[0] == "AccessDeniedException"


def test_constraints(kms, role_kms):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_grant(KeyId=key, GranteePrincipal=role_kms.role_arn,
                     Operations=["Encrypt", "Decrypt"],
                     Constraints={"EncryptionContextSubset": {"dept": "ml"}})
    blob = role_kms.encrypt(KeyId=key, Plaintext=b"a",
                            EncryptionContext={"dept": "ml", "x": "1"})["CiphertextBlob"]
    assert role_kms.decrypt(CiphertextBlob=blob,
                            EncryptionContext={"dept": "ml", "x": "1"})["Plaintext"] == b"a"
    for ctx in ({}, {"dept": "hr"}):
        with pytest.raises(botocore.exceptions.ClientError) as ei:
            role_kms.encrypt(KeyId=key, Plaintext=b"a", EncryptionContext=ctx)
        assert err(ei)[0] == "AccessDeniedException"
    key2 = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_grant(KeyId=key2, GranteePrincipal=role_kms.role_arn, Operations=["Encrypt"],
                     Constraints={"EncryptionContextEquals": {"dept": "ml"}})
    role_kms.encrypt(KeyId=key2, Plaintext=b"a", EncryptionContext={"dept": "ml"})
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        role_kms.encrypt(KeyId=key2, Plaintext=b"a", EncryptionContext={"dept": "ml", "x": "1"})
    assert err(ei)[0] == "AccessDeniedException"


def test_name_idempotent_and_list(kms):
    key = kms.create_key()["KeyMetadata"]
    a = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=ROOT, Operations=["Decrypt"],
                         Name="n1", RetiringPrincipal=ROOT)
    b = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=ROOT, Operations=["Decrypt"],
                         Name="n1", RetiringPrincipal=ROOT)
    assert a["GrantId"] == b["GrantId"] and a["GrantToken"] != b["GrantToken"]
    c = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=ROOT, Operations=["Encrypt"],
                         Name="n1")
    assert c["GrantId"] != a["GrantId"]
    grants = kms.list_grants(KeyId=key["KeyId"])["Grants"]
    assert sorted(g["GrantId"] for g in grants) == sorted([a["GrantId"], c["GrantId"]])
    ga = [g for g in grants if g["GrantId"] == a["GrantId"]][0]
    assert ga["KeyId"] == key["Arn"] and ga["Name"] == "n1" and ga["Operations"] == ["Decrypt"]
    assert ga["IssuingAccount"] == ROOT and ga["RetiringPrincipal"] == ROOT
    assert [g["GrantId"] for g in kms.list_grants(KeyId=key["KeyId"], GrantId=c["GrantId"])[
        "Grants"]] == [c["GrantId"]]
    page = kms.list_grants(KeyId=key["KeyId"], Limit=1)
    assert len(page["Grants"]) == 1 and page["Truncated"]
    rest = kms.list_grants(KeyId=key["KeyId"], Marker=page["NextMarker"])
    assert len(rest["Grants"]) == 1 and not rest["Truncated"]
    retirable = kms.list_retirable_grants(RetiringPrincipal=ROOT)["Grants"]
    assert [g["GrantId"] for g in retirable] == [a["GrantId"]]


def test_retire_by_token_and_by_id(kms, role_kms):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    # The role may retire a grant naming it the retiring principal, by token.
    g1 = kms.create_grant(KeyId=key, GranteePrincipal=ROOT, Operations=["Decrypt"],
                          RetiringPrincipal=role_kms.role_arn)
    role_kms.retire_grant(GrantToken=g1["GrantToken"])
    # A grantee may retire its grant only when the grant includes RetireGrant.
    g2 = kms.create_grant(KeyId=key, GranteePrincipal=role_kms.role_arn, Operations=["Decrypt"])
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        role_kms.retire_grant(KeyId=key, GrantId=g2["GrantId"])
    assert err(ei)[0] == "AccessDeniedException"
    g3 = kms.create_grant(KeyId=key, GranteePrincipal=role_kms.role_arn,
                          Operations=["Decrypt", "RetireGrant"])
    role_kms.retire_grant(KeyId=key, GrantId=g3["GrantId"])
    # The account (root, through the key policy) may retire any grant of its key.
    kms.retire_grant(KeyId=key, GrantId=g2["GrantId"])
    assert kms.list_grants(KeyId=key)["Grants"] == []


def test_errors(kms):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    for bad in ("bm90IGEgdG9rZW4=", "ab=c", "====", "A", "!!!!", "c2JndDE6Ojo="):
        with pytest.raises(botocore.exceptions.ClientError) as ei:
            kms.retire_grant(GrantToken=bad)
        assert err(ei)[0] == "InvalidGrantTokenException"  # wording not verified
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        kms.retire_grant(KeyId=key)
    assert err(ei)[0] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        kms.revoke_grant(KeyId=key, GrantId="0" * 64)
    assert err(ei)[0] == "NotFoundException"  # wording not verified
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        kms.create_grant(KeyId=key, GranteePrincipal=ROOT, Operations=["Sign"])
    assert err(ei)[0] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        kms.create_grant(KeyId="alias/nope", GranteePrincipal=ROOT, Operations=["Decrypt"])
    assert err(ei)[0] == "NotFoundException"
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        kms.create_grant(KeyId=key, GranteePrincipal=ROOT, Operations=["Decrypt"])
    assert err(ei)[0] == "KMSInvalidStateException"


def test_grant_operations_condition(kms, client):
    iam = client("iam")
    iam.create_user(UserName="u")
    iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "kms:CreateGrant", "Resource": "*",
         "Condition": {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt"]}}}))
    ak = iam.create_access_key(UserName="u")["AccessKey"]
    uk = client("kms", key=ak["AccessKeyId"], secret=ak["SecretAccessKey"])
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    uk.create_grant(KeyId=key, GranteePrincipal=ROOT, Operations=["Decrypt"])
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        uk.create_grant(KeyId=key, GranteePrincipal=ROOT, Operations=["Decrypt", "Encrypt"])
    assert err(ei)[0] == "AccessDeniedException"


def test_cli(kms, aws_cli):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    rc, out, errtext = aws_cli("kms", "create-grant", "--key-id", key, "--grantee-principal",
                               ROOT, "--operations", "Decrypt", "Encrypt", "--output", "json")
    assert rc == 0, errtext
    gid = json.loads(out)["GrantId"]
    rc, out, errtext = aws_cli("kms", "list-grants", "--key-id", key, "--output", "json")
    assert rc == 0, errtext
    assert [g["GrantId"] for g in json.loads(out)["Grants"]] == [gid]
    rc, out, errtext = aws_cli("kms", "revoke-grant", "--key-id", key, "--grant-id", gid)
    assert rc == 0, errtext
    rc, out, errtext = aws_cli("kms", "revoke-grant", "--key-id", key, "--grant-id", gid)
    assert rc != 0 and "NotFoundException" in errtext


def test_aws_managed_key_visible(kms, aws_cli):
    # DescribeKey of a predefined AWS alias creates the AWS managed key (DescribeKey API
    # Reference).
    md = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert md["KeyManager"] == "AWS" and md["KeyState"] == "Enabled"
    assert md["Description"] == "Default key that protects my S3 objects when no other key is defined"
    assert kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"] == md["KeyId"]
    assert md["KeyId"] in [k["KeyId"] for k in kms.list_keys()["Keys"]]
    aliases = {a["AliasName"]: a for a in kms.list_aliases()["Aliases"]}
    assert aliases["alias/aws/s3"]["TargetKeyId"] == md["KeyId"]
    policy = json.loads(kms.get_key_policy(KeyId=md["KeyId"], PolicyName="default")["Policy"])
    conds = [s.get("Condition", {}).get("StringEquals", {}) for s in policy["Statement"]]
    assert {"kms:CallerAccount": ACCOUNT,
            "kms:ViaService": "s3.us-east-1.amazonaws.com"} in conds
    # The account may not use it directly, change its policy or delete it.
    own = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/movable", TargetKeyId=own)
    for call in (lambda: kms.encrypt(KeyId="alias/aws/s3", Plaintext=b"x"),
                 lambda: kms.put_key_policy(KeyId=md["KeyId"], PolicyName="default",
                                            Policy=doc({"Effect": "Allow",
                                                        "Principal": {"AWS": ROOT},
                                                        "Action": "kms:*", "Resource": "*"})),
                 lambda: kms.schedule_key_deletion(KeyId=md["KeyId"]),
                 lambda: kms.disable_key(KeyId=md["KeyId"]),
                 # A customer alias onto an AWS managed key: its key policy allows no
                 # kms:CreateAlias, and UpdateAlias onto it needs kms:UpdateAlias there.
                 lambda: kms.create_alias(AliasName="alias/mine", TargetKeyId=md["KeyId"]),
                 lambda: kms.update_alias(AliasName="alias/movable", TargetKeyId=md["KeyId"])):
        with pytest.raises(botocore.exceptions.ClientError) as ei:
            call()
        assert err(ei)[0] == "AccessDeniedException"
    rc, out, errtext = aws_cli("kms", "describe-key", "--key-id", "alias/aws/ebs", "--output",
                               "json")
    assert rc == 0, errtext
    assert json.loads(out)["KeyMetadata"]["KeyManager"] == "AWS"
    # An alias/aws/ name of no AWS managed key stays not found.
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        kms.describe_key(KeyId="alias/aws/nope")
    assert err(ei)[0] == "NotFoundException"


def test_retire_delegated_by_iam_not_by_key_policy(kms, client):
    iam = client("iam")
    users = {}
    for name, pol in (("deleg", {"Effect": "Allow", "Action": "kms:RetireGrant",
                                 "Resource": "*"}),
                      ("other", None)):
        arn = iam.create_user(UserName=name)["User"]["Arn"]
        if pol:
            iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(pol))
        ak = iam.create_access_key(UserName=name)["AccessKey"]
        users[name] = (arn, client("kms", key=ak["AccessKeyId"], secret=ak["SecretAccessKey"]))
    # "The kms:RetireGrant permission is not effective in a key policy" (Developer Guide,
    # "Retiring and revoking grants"): the key policy allowing "other" does not let it retire.
    key = kms.create_key(Policy=doc(
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": users["other"][0]}, "Action": "kms:RetireGrant",
         "Resource": "*"}))["KeyMetadata"]["KeyId"]
    g = kms.create_grant(KeyId=key, GranteePrincipal=ROOT, Operations=["Decrypt"])
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        users["other"][1].retire_grant(KeyId=key, GrantId=g["GrantId"])
    assert err(ei)[0] == "AccessDeniedException"
    # The account delegates kms:RetireGrant to an IAM principal with an IAM policy.
    users["deleg"][1].retire_grant(GrantToken=g["GrantToken"])
    assert kms.list_grants(KeyId=key)["Grants"] == []


def test_constraint_semantics(kms, role_kms):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_grant(KeyId=key, GranteePrincipal=role_kms.role_arn,
                     Operations=["Encrypt", "DescribeKey"],
                     Constraints={"EncryptionContextEquals": {"Dept": "ml"}})
    # Constraint keys compare case-insensitively, values case-sensitively (GrantConstraints API
    # Reference).
    role_kms.encrypt(KeyId=key, Plaintext=b"a", EncryptionContext={"dept": "ml"})
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        role_kms.encrypt(KeyId=key, Plaintext=b"a", EncryptionContext={"dept": "ML"})
    assert err(ei)[0] == "AccessDeniedException"
    # The constraint does not apply to DescribeKey.
    assert role_kms.describe_key(KeyId=key)["KeyMetadata"]["KeyId"] == key
    # No encryption context constraints on HMAC keys (wording not verified).
    hmac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        kms.create_grant(KeyId=hmac["KeyId"], GranteePrincipal=ROOT, Operations=["GenerateMac"],
                         Constraints={"EncryptionContextSubset": {"a": "b"}})
    assert err(ei)[0] == "ValidationException"
    kms.create_grant(KeyId=hmac["KeyId"], GranteePrincipal=ROOT, Operations=["GenerateMac"])


def test_grantee_creates_grants_within_its_grant(kms, role_kms):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_grant(KeyId=key, GranteePrincipal=role_kms.role_arn,
                     Operations=["Decrypt", "Encrypt", "CreateGrant"],
                     Constraints={"EncryptionContextSubset": {"dept": "ml"}})
    # Same or fewer operations, same or stricter constraints: allowed.
    role_kms.create_grant(KeyId=key, GranteePrincipal=ROOT, Operations=["Decrypt"],
                          Constraints={"EncryptionContextSubset": {"dept": "ml", "x": "1"}})
    role_kms.create_grant(KeyId=key, GranteePrincipal=ROOT, Operations=["Encrypt"],
                          Constraints={"EncryptionContextEquals": {"dept": "ml"}})
    # An operation the grant lacks, or a looser constraint: denied.
    for ops, cons in ((["Decrypt", "GenerateDataKey"], {"EncryptionContextSubset": {"dept": "ml"}}),
                      (["Decrypt"], {"EncryptionContextSubset": {"x": "1"}}),
                      (["Decrypt"], None)):
        kw = {"Constraints": cons} if cons else {}
        with pytest.raises(botocore.exceptions.ClientError) as ei:
            role_kms.create_grant(KeyId=key, GranteePrincipal=ROOT, Operations=ops, **kw)
        assert err(ei)[0] == "AccessDeniedException"
