# SPDX-License-Identifier: Apache-2.0
# KMS key rotation with the newer API that Debian's botocore predates: EnableKeyRotation with
# RotationPeriodInDays, GetKeyRotationStatus with its period and next date, RotateKeyOnDemand and
# ListKeyRotations. The client is Debian's boto3 loading Debian's KMS model merged with the
# excerpt of the newer official model in tools/model_overlays/kms.json (kms_newer_model.py), the
# same model sagebox's protocol tables are generated from. Messages not verified against AWS are
# marked so.
import datetime
import importlib
import json
import os
import subprocess
import types

import botocore.exceptions
import pytest

from kms_newer_model import merged_data_dir, newer_kms_client

ACCOUNT = "000000000000"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
DAY = 86400


def err(excinfo):
    e = excinfo.value.response["Error"]
    return e["Code"], e.get("Message", "")


def blob_version(blob):
    """The backing key version of a sagebox ciphertext blob (kms_crypto.h)."""
    return int.from_bytes(blob[37:41], "big")


def epoch(value):
    return value.timestamp() if isinstance(value, datetime.datetime) else float(value)


@pytest.fixture
def kms(daemon):
    return newer_kms_client(daemon.endpoint)


def shift_client_clock(monkeypatch, offset):
    """Signs requests with a clock moved offset seconds on, as a daemon started with
    SAGEBOX_CLOCK_OFFSET_SECONDS expects (see test_kms_crypto_ops.py)."""
    import botocore.auth

    class Shifted(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return datetime.datetime.utcnow() + datetime.timedelta(seconds=offset)

    clock = types.SimpleNamespace(datetime=Shifted, timezone=datetime.timezone,
                                  timedelta=datetime.timedelta)
    monkeypatch.setattr(botocore.auth, "datetime", clock)
    try:
        monkeypatch.setattr(importlib.import_module("botocore.crt.auth"), "datetime", clock)
    except ImportError:
        pass


def test_rotation_period_and_status(kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{kid}"
    st = kms.get_key_rotation_status(KeyId=kid)
    assert st["KeyRotationEnabled"] is False and st["KeyId"] == arn
    assert "RotationPeriodInDays" not in st and "NextRotationDate" not in st
    kms.enable_key_rotation(KeyId=kid, RotationPeriodInDays=180)
    st = kms.get_key_rotation_status(KeyId=kid)
    assert st["KeyRotationEnabled"] is True and st["RotationPeriodInDays"] == 180
    now = datetime.datetime.now(datetime.timezone.utc).timestamp()
    assert abs(epoch(st["NextRotationDate"]) - (now + 180 * DAY)) < 120
    # A new period on a key that never rotated counts from now.
    kms.enable_key_rotation(KeyId=kid, RotationPeriodInDays=2560)
    st = kms.get_key_rotation_status(KeyId=kid)
    assert st["RotationPeriodInDays"] == 2560
    assert abs(epoch(st["NextRotationDate"]) - (now + 2560 * DAY)) < 120
    # Without a period: the default, 365 days.
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=other)
    assert kms.get_key_rotation_status(KeyId=other)["RotationPeriodInDays"] == 365
    # 90..2560 (RotationPeriodInDaysType of the model), checked by the server too.
    unchecked = newer_kms_client(kms.meta.endpoint_url, validate=False)
    for bad in (89, 2561):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            unchecked.enable_key_rotation(KeyId=kid, RotationPeriodInDays=bad)
        assert err(e)[0] == "ValidationException"
    assert kms.get_key_rotation_status(KeyId=kid)["RotationPeriodInDays"] == 2560
    kms.disable_key_rotation(KeyId=kid)
    st = kms.get_key_rotation_status(KeyId=kid)
    assert st["KeyRotationEnabled"] is False and "NextRotationDate" not in st


def test_rotate_on_demand_and_list(kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    assert kms.list_key_rotations(KeyId=kid)["Rotations"] == []
    old = kms.encrypt(KeyId=kid, Plaintext=b"before", EncryptionContext={"a": "b"})
    assert blob_version(old["CiphertextBlob"]) == 1
    # The response names the key by its id (the API Reference's example).
    for _ in range(2):
        r = kms.rotate_key_on_demand(KeyId=kid)
        r.pop("ResponseMetadata")
        assert r == {"KeyId": kid}
    new = kms.encrypt(KeyId=kid, Plaintext=b"after")["CiphertextBlob"]
    assert blob_version(new) == 3  # two on-demand rotations above
    assert kms.decrypt(CiphertextBlob=old["CiphertextBlob"],
                       EncryptionContext={"a": "b"})["Plaintext"] == b"before"
    assert kms.decrypt(CiphertextBlob=new)["Plaintext"] == b"after"
    r = kms.list_key_rotations(KeyId=kid)
    assert r["Truncated"] is False and len(r["Rotations"]) == 2
    now = datetime.datetime.now(datetime.timezone.utc).timestamp()
    for entry in r["Rotations"]:
        assert entry["KeyId"] == kid and entry["RotationType"] == "ON_DEMAND"
        assert abs(epoch(entry["RotationDate"]) - now) < 120
    # On-demand rotation leaves the automatic schedule alone (disabled here).
    assert kms.get_key_rotation_status(KeyId=kid)["KeyRotationEnabled"] is False
    # Pages of one.
    kms.rotate_key_on_demand(KeyId=kid)
    seen, marker = [], None
    while True:
        page = kms.list_key_rotations(KeyId=kid, Limit=1, **({"Marker": marker} if marker else {}))
        assert len(page["Rotations"]) == 1
        seen.append(page["Rotations"][0]["RotationDate"])
        if not page["Truncated"]:
            break
        marker = page["NextMarker"]
    assert len(seen) == 3
    with pytest.raises(kms.exceptions.InvalidMarkerException):
        kms.list_key_rotations(KeyId=kid, Marker="not-a-marker")
    # By alias and by ARN, as every key operation.
    kms.create_alias(AliasName="alias/rotating", TargetKeyId=kid)
    assert kms.rotate_key_on_demand(KeyId="alias/rotating")["KeyId"] == kid
    assert len(kms.list_key_rotations(
        KeyId=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{kid}")["Rotations"]) == 4


def test_on_demand_limit_and_key_kinds(kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    for _ in range(25):
        kms.rotate_key_on_demand(KeyId=kid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        kms.rotate_key_on_demand(KeyId=kid)
    assert err(e)[0] == "LimitExceededException"  # message not verified against AWS
    assert len(kms.list_key_rotations(KeyId=kid)["Rotations"]) == 25
    # Only symmetric encryption keys rotate.
    for spec, usage in (("RSA_2048", "ENCRYPT_DECRYPT"), ("HMAC_256", "GENERATE_VERIFY_MAC"),
                        ("ECC_NIST_P256", "SIGN_VERIFY")):
        other = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
        for call in (kms.rotate_key_on_demand, kms.list_key_rotations):
            with pytest.raises(kms.exceptions.UnsupportedOperationException):
                call(KeyId=other)
    # Key states: disabled, pending deletion, missing.
    off = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=off)
    with pytest.raises(kms.exceptions.DisabledException):
        kms.rotate_key_on_demand(KeyId=off)
    kms.schedule_key_deletion(KeyId=off, PendingWindowInDays=7)
    with pytest.raises(kms.exceptions.KMSInvalidStateException):
        kms.rotate_key_on_demand(KeyId=off)
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.rotate_key_on_demand(KeyId="1234abcd-12ab-34cd-56ef-1234567890ab")


def test_rotation_is_authorized(daemon, kms, client):
    iam = client("iam")
    iam.create_user(UserName="rotator")
    iam.put_user_policy(UserName="rotator", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["kms:ListKeyRotations",
                                                      "kms:GetKeyRotationStatus"],
                       "Resource": "*"}]}))
    k = iam.create_access_key(UserName="rotator")["AccessKey"]
    user = newer_kms_client(daemon.endpoint, key=k["AccessKeyId"], secret=k["SecretAccessKey"])
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.rotate_key_on_demand(KeyId=kid)
    code, msg = err(e)
    assert code == "AccessDeniedException"
    assert "kms:RotateKeyOnDemand" in msg and kid in msg
    assert user.list_key_rotations(KeyId=kid)["Rotations"] == []  # nothing happened
    # The AWS managed key's policy allows its account no rotation of its own.
    kms.describe_key(KeyId="alias/aws/s3")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        kms.rotate_key_on_demand(KeyId="alias/aws/s3")
    assert err(e)[0] == "AccessDeniedException"


def test_conflict_near_automatic_rotation(make_daemon, tmp_path, monkeypatch):
    """RotateKeyOnDemand is refused within 20 minutes of a scheduled automatic rotation
    (ConflictException); past the date, the automatic rotation happens first."""
    data = tmp_path / "conflict"
    d = make_daemon(data_dir=data).start()
    kms = newer_kms_client(d.endpoint)
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=kid, RotationPeriodInDays=90)
    d.stop()

    offset = 90 * DAY - 10 * 60  # ten minutes before the automatic rotation
    shift_client_clock(monkeypatch, offset)
    near = make_daemon(data_dir=data, env={"SAGEBOX_CLOCK_OFFSET_SECONDS": str(offset)}).start()
    kms = newer_kms_client(near.endpoint)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        kms.rotate_key_on_demand(KeyId=kid)
    assert err(e)[0] == "ConflictException"  # the message is not verified against AWS
    assert kms.list_key_rotations(KeyId=kid)["Rotations"] == []
    near.stop()

    offset = 90 * DAY + 3600  # an hour after it
    shift_client_clock(monkeypatch, offset)
    later = make_daemon(data_dir=data, env={"SAGEBOX_CLOCK_OFFSET_SECONDS": str(offset)}).start()
    kms = newer_kms_client(later.endpoint)
    kms.rotate_key_on_demand(KeyId=kid)
    kinds = [r["RotationType"] for r in kms.list_key_rotations(KeyId=kid)["Rotations"]]
    assert kinds == ["AUTOMATIC", "ON_DEMAND"]
    st = kms.get_key_rotation_status(KeyId=kid)
    later_now = datetime.datetime.now(datetime.timezone.utc).timestamp() + offset
    assert abs(epoch(st["NextRotationDate"]) - (later_now + 90 * DAY)) < 120


def test_aws_cli_with_the_newer_model(daemon, tmp_path):
    """Debian's AWS CLI loads the same merged model through AWS_DATA_PATH."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1", AWS_DATA_PATH=str(merged_data_dir()),
               AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(
                   tmp_path / "none"), AWS_PAGER="")

    def cli(*args):
        out = subprocess.run(["/usr/bin/aws", "--endpoint-url", daemon.endpoint, "--output",
                              "json", "kms", *args], capture_output=True, text=True, env=env,
                             timeout=60)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout) if out.stdout.strip() else {}

    kid = cli("create-key")["KeyMetadata"]["KeyId"]
    cli("enable-key-rotation", "--key-id", kid, "--rotation-period-in-days", "120")
    assert cli("get-key-rotation-status", "--key-id", kid)["RotationPeriodInDays"] == 120
    assert cli("rotate-key-on-demand", "--key-id", kid) == {"KeyId": kid}
    rotations = cli("list-key-rotations", "--key-id", kid)["Rotations"]
    assert [r["RotationType"] for r in rotations] == ["ON_DEMAND"]
