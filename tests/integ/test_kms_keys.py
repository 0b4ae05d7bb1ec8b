# SPDX-License-Identifier: Apache-2.0
# AWS KMS keys and aliases through Debian's boto3 and AWS CLI v2 against the real daemon:
# CreateKey, DescribeKey (id, key ARN, alias name, alias ARN), ListKeys, Enable/DisableKey,
# Schedule/CancelKeyDeletion, key policies (the default one, PutKeyPolicy, the lockout safety
# check, principals that do not exist), tags, rotation, aliases, access denied changing nothing,
# and a restart. Expected codes and messages are AWS's where a source was found (cited next to
# the assertion); the others are marked "not verified".
import json
import time

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def err(excinfo):
    e = excinfo.value.response["Error"]
    return e["Code"], e.get("Message", "")


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal, actions, sid=None, effect="Allow"):
    s = {"Effect": effect, "Principal": {"AWS": principal}, "Action": actions, "Resource": "*"}
    if sid:
        s["Sid"] = sid
    return s


@pytest.fixture
def kms(client):
    return client("kms")


@pytest.fixture
def iam(client):
    return client("iam")


def make_user(iam, client, name, policy=None):
    """An IAM user with an access key (and an inline policy when given); returns its kms client
    and its ARN."""
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return client("kms", key=k["AccessKeyId"], secret=k["SecretAccessKey"]), arn


def test_create_and_describe_by_every_name(kms):
    md = kms.create_key(Description="workshop key")["KeyMetadata"]
    kid, arn = md["KeyId"], md["Arn"]
    assert arn == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{kid}"
    assert md["KeyState"] == "Enabled" and md["Enabled"] is True
    assert md["KeySpec"] == "SYMMETRIC_DEFAULT" and md["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert md["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    assert md["KeyManager"] == "CUSTOMER" and md["Origin"] == "AWS_KMS"
    assert md["MultiRegion"] is False and md["Description"] == "workshop key"
    kms.create_alias(AliasName="alias/workshop-s3", TargetKeyId=kid)
    for ref in (kid, arn, "alias/workshop-s3",
                f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/workshop-s3"):
        assert kms.describe_key(KeyId=ref)["KeyMetadata"]["KeyId"] == kid


def test_asymmetric_and_hmac_specs(kms):
    md = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert md["SigningAlgorithms"] == ["ECDSA_SHA_256"] and "EncryptionAlgorithms" not in md
    md = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    assert md["MacAlgorithms"] == ["HMAC_SHA_256"]
    md = kms.create_key(KeySpec="RSA_2048")["KeyMetadata"]
    assert md["EncryptionAlgorithms"] == ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
    # ECC keys cannot encrypt (KMS Developer Guide, "Key spec reference"); message not verified.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        kms.create_key(KeySpec="ECC_NIST_P256")
    assert err(e)[0] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        kms.create_key(Origin="EXTERNAL")
    assert err(e)[0] == "UnsupportedOperationException"


def test_not_found_errors(kms):
    # "Key 'arn:aws:kms:...:key/ID' does not exist" (boto/botocore#2107).
    missing = "11111111-2222-4333-8444-555555555555"
    with pytest.raises(kms.exceptions.NotFoundException) as e:
        kms.describe_key(KeyId=missing)
    assert err(e)[1] == f"Key 'arn:aws:kms:us-east-1:{ACCOUNT}:key/{missing}' does not exist"
    # "Invalid keyId testkmskey" (crossplane-contrib/provider-aws#1056).
    with pytest.raises(kms.exceptions.NotFoundException) as e:
        kms.describe_key(KeyId="testkmskey")
    assert err(e)[1] == "Invalid keyId testkmskey"
    # Not verified against a captured AWS response.
    with pytest.raises(kms.exceptions.NotFoundException) as e:
        kms.describe_key(KeyId="alias/none")
    assert err(e)[1] == f"Alias 'arn:aws:kms:us-east-1:{ACCOUNT}:alias/none' is not found."


def test_list_keys_paginates(kms):
    ids = {kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(5)}
    seen, marker = [], None
    while True:
        kw = {"Limit": 2}
        if marker:
            kw["Marker"] = marker
        r = kms.list_keys(**kw)
        assert len(r["Keys"]) <= 2
        seen += [k["KeyId"] for k in r["Keys"]]
        if not r["Truncated"]:
            break
        marker = r["NextMarker"]
    assert set(seen) == ids and len(seen) == 5


def test_enable_disable_and_deletion_states(kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=kid)
    md = kms.describe_key(KeyId=kid)["KeyMetadata"]
    assert md["KeyState"] == "Disabled" and md["Enabled"] is False
    kms.enable_key(KeyId=kid)
    assert kms.describe_key(KeyId=kid)["KeyMetadata"]["KeyState"] == "Enabled"
    for days in (6, 31):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=days)
        assert err(e)[0] == "ValidationException"
    before = time.time()
    r = kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
    assert r["KeyState"] == "PendingDeletion" and r["PendingWindowInDays"] == 7
    assert r["KeyId"].endswith(kid)
    assert abs(r["DeletionDate"].timestamp() - (before + 7 * 86400)) < 5
    md = kms.describe_key(KeyId=kid)["KeyMetadata"]
    assert md["KeyState"] == "PendingDeletion" and "DeletionDate" in md
    with pytest.raises(kms.exceptions.KMSInvalidStateException) as e:
        kms.enable_key(KeyId=kid)
    assert err(e)[1] == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{kid} is pending deletion."
    kms.cancel_key_deletion(KeyId=kid)
    md = kms.describe_key(KeyId=kid)["KeyMetadata"]
    # A canceled deletion leaves the key Disabled (KMS Developer Guide, "Deleting KMS keys").
    assert md["KeyState"] == "Disabled" and "DeletionDate" not in md
    with pytest.raises(kms.exceptions.KMSInvalidStateException):
        kms.cancel_key_deletion(KeyId=kid)


def test_default_key_policy_and_put(kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    pol = json.loads(kms.get_key_policy(KeyId=kid, PolicyName="default")["Policy"])
    assert pol["Statement"] == [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                                 "Principal": {"AWS": ROOT}, "Action": "kms:*",
                                 "Resource": "*"}]
    assert kms.list_key_policies(KeyId=kid)["PolicyNames"] == ["default"]
    new = doc(allow(ROOT, "kms:*", sid="root"))
    kms.put_key_policy(KeyId=kid, PolicyName="default", Policy=new)
    assert kms.get_key_policy(KeyId=kid, PolicyName="default")["Policy"] == new
    # The lockout safety check (CreateKey/PutKeyPolicy API Reference).
    locked = doc(allow(ROOT, "kms:Encrypt"))
    with pytest.raises(kms.exceptions.MalformedPolicyDocumentException) as e:
        kms.put_key_policy(KeyId=kid, PolicyName="default", Policy=locked)
    assert err(e)[1] == ("The new key policy will not allow you to update the key policy in "
                         "the future.")
    assert kms.get_key_policy(KeyId=kid, PolicyName="default")["Policy"] == new
    kms.put_key_policy(KeyId=kid, PolicyName="default", Policy=locked,
                       BypassPolicyLockoutSafetyCheck=True)
    # Now even the root may not read it: the key policy does not trust the account.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        kms.get_key_policy(KeyId=kid, PolicyName="default")
    assert err(e)[0] == "AccessDeniedException"
    with pytest.raises(kms.exceptions.MalformedPolicyDocumentException):
        kms.create_key(Policy="{not json")


def test_policy_naming_a_missing_role_is_refused(kms, iam):
    # scenario.md, KMS: a key policy naming a role that does not exist is refused.
    pol = doc(allow(ROOT, "kms:*"),
              allow(f"arn:aws:iam::{ACCOUNT}:role/no-such-role", "kms:Decrypt"))
    with pytest.raises(kms.exceptions.MalformedPolicyDocumentException) as e:
        kms.create_key(Policy=pol)
    assert err(e)[1] == "Policy contains a statement with one or more invalid principals."
    assert kms.list_keys()["Keys"] == []
    iam.create_role(RoleName="no-such-role", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"}))
    assert kms.create_key(Policy=pol)["KeyMetadata"]["KeyState"] == "Enabled"


def test_workshop_key_policy(kms, iam, client):
    """The account root with kms:*, one user allowed Encrypt/Decrypt/DescribeKey by the key
    policy alone, another user with an IAM policy allowing kms:* but not named by a policy that
    does not trust the account: denied with the engine's message."""
    user_kms, user_arn = make_user(iam, client, "ds-user")
    other_kms, other_arn = make_user(iam, client, "other", policy=doc(
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}))
    pol = doc(allow(ROOT, "kms:*", sid="Enable IAM User Permissions"),
              allow(user_arn, ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt"]))
    kid = kms.create_key(Policy=pol)["KeyMetadata"]["KeyId"]
    # The user has no IAM policy: the key policy alone allows it.
    assert user_kms.describe_key(KeyId=kid)["KeyMetadata"]["KeyId"] == kid
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user_kms.disable_key(KeyId=kid)
    code, msg = err(e)
    assert code == "AccessDeniedException"
    assert f"User: {user_arn} is not authorized to perform: kms:DisableKey on resource: " \
           f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{kid}" in msg
    # The other user: the key policy trusts the account, and its IAM policy allows.
    other_kms.disable_key(KeyId=kid)
    other_kms.enable_key(KeyId=kid)
    # Without the account statement the IAM policy no longer counts.
    kms.put_key_policy(KeyId=kid, PolicyName="default",
                       Policy=doc(allow(ROOT, "kms:PutKeyPolicy"),
                                  allow(user_arn, ["kms:DescribeKey"])))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        other_kms.describe_key(KeyId=kid)
    assert err(e)[0] == "AccessDeniedException"
    assert user_kms.describe_key(KeyId=kid)["KeyMetadata"]["KeyId"] == kid


def test_access_denied_changes_nothing(kms, iam, client):
    nobody, _ = make_user(iam, client, "nobody")
    kid = kms.create_key(Description="before")["KeyMetadata"]["KeyId"]
    for call in (lambda: nobody.update_key_description(KeyId=kid, Description="after"),
                 lambda: nobody.disable_key(KeyId=kid),
                 lambda: nobody.schedule_key_deletion(KeyId=kid),
                 lambda: nobody.tag_resource(KeyId=kid, Tags=[{"TagKey": "a", "TagValue": "b"}]),
                 lambda: nobody.create_alias(AliasName="alias/evil", TargetKeyId=kid),
                 lambda: nobody.create_key(),
                 lambda: nobody.list_keys()):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert err(e)[0] == "AccessDeniedException"
    md = kms.describe_key(KeyId=kid)["KeyMetadata"]
    assert md["Description"] == "before" and md["KeyState"] == "Enabled"
    assert kms.list_resource_tags(KeyId=kid)["Tags"] == []
    # Only the predefined AWS managed aliases, which have no key yet (no TargetKeyId).
    assert all(a["AliasName"].startswith("alias/aws/") and "TargetKeyId" not in a
               for a in kms.list_aliases()["Aliases"])
    assert len(kms.list_keys()["Keys"]) == 1


def test_tags_and_description(kms):
    kid = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "ds"}])["KeyMetadata"]["KeyId"]
    kms.tag_resource(KeyId=kid, Tags=[{"TagKey": "team", "TagValue": "mlops"},
                                      {"TagKey": "env", "TagValue": "dev"}])
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=kid)["Tags"]}
    assert tags == {"team": "mlops", "env": "dev"}
    kms.untag_resource(KeyId=kid, TagKeys=["team"])
    assert kms.list_resource_tags(KeyId=kid)["Tags"] == [{"TagKey": "env", "TagValue": "dev"}]
    kms.update_key_description(KeyId=kid, Description="new")
    assert kms.describe_key(KeyId=kid)["KeyMetadata"]["Description"] == "new"


def test_rotation(kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    assert kms.get_key_rotation_status(KeyId=kid)["KeyRotationEnabled"] is False
    kms.enable_key_rotation(KeyId=kid)
    assert kms.get_key_rotation_status(KeyId=kid)["KeyRotationEnabled"] is True
    kms.disable_key_rotation(KeyId=kid)
    assert kms.get_key_rotation_status(KeyId=kid)["KeyRotationEnabled"] is False
    hmac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    with pytest.raises(kms.exceptions.UnsupportedOperationException):
        kms.enable_key_rotation(KeyId=hmac["KeyId"])
    kms.disable_key(KeyId=kid)
    with pytest.raises(kms.exceptions.DisabledException):
        kms.enable_key_rotation(KeyId=kid)


def test_aliases(kms):
    a = kms.create_key()["KeyMetadata"]["KeyId"]
    b = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/one", TargetKeyId=a)
    kms.create_alias(AliasName="alias/two",
                     TargetKeyId=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{b}")
    kms.create_alias(AliasName="alias/three", TargetKeyId=b)
    # Not verified against a captured AWS response.
    with pytest.raises(kms.exceptions.AlreadyExistsException) as e:
        kms.create_alias(AliasName="alias/one", TargetKeyId=b)
    assert err(e)[1] == (f"An alias with the name arn:aws:kms:us-east-1:{ACCOUNT}:alias/one "
                         "already exists")
    # aws-controllers-k8s/community#1878.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        kms.create_alias(AliasName="one", TargetKeyId=a)
    assert err(e) == ("ValidationException", "Alias must start with the prefix \"alias/\". "
                      "Please see https://docs.aws.amazon.com/kms/latest/developerguide/"
                      "kms-alias.html")
    # hashicorp/terraform-provider-aws#12891.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        kms.create_alias(AliasName="alias/Service:Test", TargetKeyId=a)
    assert err(e) == ("ValidationException",
                      "alias/Service:Test contains invalid characters for an alias")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        kms.create_alias(AliasName="alias/aws/s3", TargetKeyId=a)
    assert err(e)[0] == "NotAuthorizedException"  # moto's code; message not verified
    # The account's aliases, then the predefined AWS managed aliases whose key does not exist
    # yet, without a TargetKeyId ("predefined aliases that AWS has created but has not yet
    # associated with a KMS key", ListAliases API Reference).
    predefined = ["alias/aws/dynamodb", "alias/aws/ebs", "alias/aws/elasticfilesystem",
                  "alias/aws/lambda", "alias/aws/rds", "alias/aws/s3", "alias/aws/sagemaker",
                  "alias/aws/secretsmanager", "alias/aws/ssm"]
    listed = kms.list_aliases()["Aliases"]
    names = [x["AliasName"] for x in listed]
    assert sorted(names[:3]) == ["alias/one", "alias/three", "alias/two"]
    assert names[3:] == predefined
    assert all("TargetKeyId" not in x for x in listed[3:])
    assert listed[3]["AliasArn"] == f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/aws/dynamodb"
    r = kms.list_aliases(KeyId=b)["Aliases"]
    assert sorted(x["AliasName"] for x in r) == ["alias/three", "alias/two"]
    assert all(x["TargetKeyId"] == b for x in r)
    # Pages of 2: the store's aliases, then the predefined ones, 12 in all.
    seen, marker = [], None
    while True:
        page = kms.list_aliases(Limit=2, **({"Marker": marker} if marker else {}))
        assert len(page["Aliases"]) <= 2
        seen += [x["AliasName"] for x in page["Aliases"]]
        if not page["Truncated"]:
            break
        marker = page["NextMarker"]
    assert seen == names
    with pytest.raises(kms.exceptions.InvalidMarkerException):
        kms.list_aliases(Marker="predefined:99")
    # A predefined alias in use lists once, with its key.
    managed = kms.describe_key(KeyId="alias/aws/ebs")["KeyMetadata"]["KeyId"]
    listed = kms.list_aliases()["Aliases"]
    ebs = [x for x in listed if x["AliasName"] == "alias/aws/ebs"]
    assert len(ebs) == 1 and ebs[0]["TargetKeyId"] == managed and len(listed) == 12
    kms.update_alias(AliasName="alias/one", TargetKeyId=b)
    assert kms.describe_key(KeyId="alias/one")["KeyMetadata"]["KeyId"] == b
    rsa = kms.create_key(KeySpec="RSA_2048")["KeyMetadata"]["KeyId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        kms.update_alias(AliasName="alias/one", TargetKeyId=rsa)
    assert err(e)[0] == "ValidationException"
    kms.delete_alias(AliasName="alias/one")
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.describe_key(KeyId="alias/one")
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.delete_alias(AliasName="alias/one")


def test_cli_round_trip(aws_cli):
    rc, out, errout = aws_cli("kms", "create-key", "--description", "cli", "--output", "json")
    assert rc == 0, errout
    kid = json.loads(out)["KeyMetadata"]["KeyId"]
    rc, out, errout = aws_cli("kms", "create-alias", "--alias-name", "alias/cli",
                              "--target-key-id", kid)
    assert rc == 0, errout
    rc, out, errout = aws_cli("kms", "describe-key", "--key-id", "alias/cli", "--output", "json")
    assert rc == 0 and json.loads(out)["KeyMetadata"]["KeyId"] == kid
    rc, out, errout = aws_cli("kms", "describe-key", "--key-id", "alias/nope")
    assert rc != 0 and "NotFoundException" in errout


def test_restart_keeps_keys(make_daemon, tmp_path):
    import boto3
    from botocore.config import Config

    d = make_daemon().start()

    def kms_of(daemon):
        return boto3.client("kms", endpoint_url=daemon.endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1}))

    k = kms_of(d)
    kid = k.create_key(Description="durable")["KeyMetadata"]["KeyId"]
    k.create_alias(AliasName="alias/durable", TargetKeyId=kid)
    d.stop()
    d2 = make_daemon(data_dir=d.data_dir).start()
    k2 = kms_of(d2)
    assert k2.describe_key(KeyId="alias/durable")["KeyMetadata"]["Description"] == "durable"
