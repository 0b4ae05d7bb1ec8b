# SPDX-License-Identifier: Apache-2.0
# AWS KMS cryptographic operations on symmetric keys through Debian's boto3 and AWS CLI v2
# against the real daemon: Encrypt/Decrypt round trips with an encryption context, tampered and
# foreign ciphertexts, IncorrectKeyException, key states, ReEncrypt, GenerateDataKey (with and
# without plaintext), GenerateRandom, encryption-context conditions in a key policy, automatic
# rotation keeping old ciphertexts readable, and a restart. Messages not verified against AWS are
# marked so.
import base64
import datetime
import importlib
import json
import os
import stat
import types

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def err(excinfo):
    e = excinfo.value.response["Error"]
    return e["Code"], e.get("Message", "")


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def kms(client):
    return client("kms")


def kms_of(daemon):
    import boto3
    from botocore.config import Config

    return boto3.client("kms", endpoint_url=daemon.endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}))


def blob_version(blob):
    """The backing key version of a sagebox ciphertext blob (kms_crypto.h: format, key id,
    4-byte big-endian version)."""
    return int.from_bytes(blob[37:41], "big")


def test_round_trip_with_context(kms):
    md = kms.create_key()["KeyMetadata"]
    ctx = {"project": "workshop", "stage": "dev"}
    r = kms.encrypt(KeyId=md["KeyId"], Plaintext=b"secret bytes", EncryptionContext=ctx)
    assert r["KeyId"] == md["Arn"] and r["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    blob = r["CiphertextBlob"]
    assert b"secret bytes" not in blob
    d = kms.decrypt(CiphertextBlob=blob, EncryptionContext=dict(reversed(list(ctx.items()))))
    assert d["Plaintext"] == b"secret bytes" and d["KeyId"] == md["Arn"]
    # Two encryptions of the same plaintext differ (random IV).
    assert kms.encrypt(KeyId=md["KeyId"], Plaintext=b"secret bytes",
                       EncryptionContext=ctx)["CiphertextBlob"] != blob
    # A changed or missing context, a tampered blob, garbage: InvalidCiphertextException.
    for bad in ({"CiphertextBlob": blob, "EncryptionContext": {"project": "other",
                                                               "stage": "dev"}},
                {"CiphertextBlob": blob},
                {"CiphertextBlob": blob[:-1] + bytes([blob[-1] ^ 1]),
                 "EncryptionContext": ctx},
                {"CiphertextBlob": b"not a kms ciphertext at all"}):
        with pytest.raises(kms.exceptions.InvalidCiphertextException):
            kms.decrypt(**bad)


def test_key_id_must_match(kms):
    a = kms.create_key()["KeyMetadata"]
    b = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/a", TargetKeyId=a["KeyId"])
    blob = kms.encrypt(KeyId="alias/a", Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, KeyId="alias/a")["Plaintext"] == b"x"
    assert kms.decrypt(CiphertextBlob=blob, KeyId=a["Arn"])["Plaintext"] == b"x"
    with pytest.raises(kms.exceptions.IncorrectKeyException):
        kms.decrypt(CiphertextBlob=blob, KeyId=b["KeyId"])


def test_key_states(kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{kid}"
    blob = kms.encrypt(KeyId=kid, Plaintext=b"x")["CiphertextBlob"]
    kms.disable_key(KeyId=kid)
    # "<ARN> is disabled." is the form localstack/moto reproduce; not verified.
    with pytest.raises(kms.exceptions.DisabledException) as e:
        kms.encrypt(KeyId=kid, Plaintext=b"x")
    assert err(e)[1] == f"{arn} is disabled."
    with pytest.raises(kms.exceptions.DisabledException):
        kms.decrypt(CiphertextBlob=blob)
    kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
    with pytest.raises(kms.exceptions.KMSInvalidStateException) as e:
        kms.decrypt(CiphertextBlob=blob)
    assert err(e)[1] == f"{arn} is pending deletion."
    kms.cancel_key_deletion(KeyId=kid)
    kms.enable_key(KeyId=kid)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_non_symmetric_keys_refused(kms):
    kid = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    with pytest.raises(kms.exceptions.InvalidKeyUsageException):
        kms.encrypt(KeyId=kid, Plaintext=b"x")
    sym = kms.create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(kms.exceptions.InvalidKeyUsageException):
        kms.encrypt(KeyId=sym, Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_1")


def test_re_encrypt(kms):
    a = kms.create_key()["KeyMetadata"]
    b = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=a["KeyId"], Plaintext=b"move me",
                       EncryptionContext={"k": "1"})["CiphertextBlob"]
    r = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"k": "1"},
                       DestinationKeyId=b["KeyId"], DestinationEncryptionContext={"k": "2"})
    assert r["SourceKeyId"] == a["Arn"] and r["KeyId"] == b["Arn"]
    d = kms.decrypt(CiphertextBlob=r["CiphertextBlob"], EncryptionContext={"k": "2"})
    assert d["Plaintext"] == b"move me" and d["KeyId"] == b["Arn"]
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=b["KeyId"])


def test_generate_data_key(kms):
    kid = kms.create_key()["KeyMetadata"]["KeyId"]
    for kw, n in (({"KeySpec": "AES_256"}, 32), ({"KeySpec": "AES_128"}, 16),
                  ({"NumberOfBytes": 1}, 1), ({"NumberOfBytes": 1024}, 1024)):
        r = kms.generate_data_key(KeyId=kid, EncryptionContext={"a": "b"}, **kw)
        assert len(r["Plaintext"]) == n
        d = kms.decrypt(CiphertextBlob=r["CiphertextBlob"], EncryptionContext={"a": "b"})
        assert d["Plaintext"] == r["Plaintext"]
    r = kms.generate_data_key_without_plaintext(KeyId=kid, KeySpec="AES_256")
    assert "Plaintext" not in r
    assert len(kms.decrypt(CiphertextBlob=r["CiphertextBlob"])["Plaintext"]) == 32
    for kw in ({}, {"KeySpec": "AES_256", "NumberOfBytes": 32}):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            kms.generate_data_key(KeyId=kid, **kw)
        assert err(e)[0] == "ValidationException"  # message not verified
    with pytest.raises(botocore.exceptions.ClientError) as e:
        kms.generate_data_key(KeyId=kid, NumberOfBytes=1025)
    assert err(e)[0] == "ValidationException"


def test_generate_random(kms, daemon):
    import boto3
    from botocore.config import Config

    a = kms.generate_random(NumberOfBytes=32)["Plaintext"]
    b = kms.generate_random(NumberOfBytes=32)["Plaintext"]
    assert len(a) == 32 and a != b
    assert len(kms.generate_random(NumberOfBytes=1024)["Plaintext"]) == 1024
    # botocore checks the minimum itself; a client that does not still gets the model's error.
    raw = boto3.client("kms", endpoint_url=daemon.endpoint, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test",
                       config=Config(retries={"max_attempts": 1}, parameter_validation=False))
    for n in (0, 1025):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            raw.generate_random(NumberOfBytes=n)
        assert err(e)[0] == "ValidationException"


def test_encryption_context_condition(kms, client):
    iam = client("iam")
    user_arn = iam.create_user(UserName="app")["User"]["Arn"]
    k = iam.create_access_key(UserName="app")["AccessKey"]
    app = client("kms", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
    pol = doc({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*",
               "Resource": "*"},
              {"Effect": "Allow", "Principal": {"AWS": user_arn},
               "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*",
               "Condition": {"StringEquals": {"kms:EncryptionContext:project": "workshop"}}})
    kid = kms.create_key(Policy=pol)["KeyMetadata"]["KeyId"]
    blob = app.encrypt(KeyId=kid, Plaintext=b"ok",
                       EncryptionContext={"project": "workshop"})["CiphertextBlob"]
    assert app.decrypt(CiphertextBlob=blob,
                       EncryptionContext={"project": "workshop"})["Plaintext"] == b"ok"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        app.encrypt(KeyId=kid, Plaintext=b"no", EncryptionContext={"project": "other"})
    code, msg = err(e)
    assert code == "AccessDeniedException"
    assert f"User: {user_arn} is not authorized to perform: kms:Encrypt" in msg
    with pytest.raises(botocore.exceptions.ClientError) as e:
        app.generate_data_key(KeyId=kid, KeySpec="AES_256",
                              EncryptionContext={"project": "workshop"})
    assert err(e)[0] == "AccessDeniedException"


def test_master_key_file(daemon, kms):
    kms.encrypt(KeyId=kms.create_key()["KeyMetadata"]["KeyId"], Plaintext=b"x")
    path = daemon.data_dir / "kms-master.key"
    st = os.stat(path)
    assert st.st_size == 32 and stat.S_IMODE(st.st_mode) == 0o600


def test_rotation_keeps_old_ciphertexts(make_daemon, tmp_path, monkeypatch):
    """Automatic rotation (yearly) adds a backing key version; ciphertexts of the old version
    still decrypt. The daemon's clock is moved a year and a day on over the same store, and the
    client signs with a clock moved as far (see test_ec2_gateways.py)."""
    import botocore.auth

    data = tmp_path / "rot"
    d = make_daemon(data_dir=data).start()
    k = kms_of(d)
    kid = k.create_key()["KeyMetadata"]["KeyId"]
    k.enable_key_rotation(KeyId=kid)
    old = k.encrypt(KeyId=kid, Plaintext=b"old")["CiphertextBlob"]
    assert blob_version(old) == 1
    d.stop()

    offset = 366 * 86400

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
    later = make_daemon(data_dir=data, env={"SAGEBOX_CLOCK_OFFSET_SECONDS": str(offset)}).start()
    k = kms_of(later)
    new = k.encrypt(KeyId=kid, Plaintext=b"new")["CiphertextBlob"]
    assert blob_version(new) == 2
    assert k.decrypt(CiphertextBlob=old)["Plaintext"] == b"old"
    assert k.decrypt(CiphertextBlob=new)["Plaintext"] == b"new"
    # A key without rotation keeps its one version.
    plain = k.create_key()["KeyMetadata"]["KeyId"]
    assert blob_version(k.encrypt(KeyId=plain, Plaintext=b"x")["CiphertextBlob"]) == 1


def test_restart_keeps_keys_usable(make_daemon, tmp_path):
    data = tmp_path / "restart"
    d = make_daemon(data_dir=data).start()
    k = kms_of(d)
    kid = k.create_key()["KeyMetadata"]["KeyId"]
    blob = k.encrypt(KeyId=kid, Plaintext=b"durable")["CiphertextBlob"]
    d.stop()
    d2 = make_daemon(data_dir=data).start()
    assert kms_of(d2).decrypt(CiphertextBlob=blob)["Plaintext"] == b"durable"


def test_cli_encrypt_decrypt(aws_cli, tmp_path):
    rc, out, errout = aws_cli("kms", "create-key", "--output", "json")
    assert rc == 0, errout
    kid = json.loads(out)["KeyMetadata"]["KeyId"]
    src = tmp_path / "plain.bin"
    src.write_bytes(b"cli secret")
    rc, out, errout = aws_cli("kms", "encrypt", "--key-id", kid, "--plaintext",
                              f"fileb://{src}", "--encryption-context", "app=cli",
                              "--output", "json")
    assert rc == 0, errout
    blob = tmp_path / "blob.bin"
    blob.write_bytes(base64.b64decode(json.loads(out)["CiphertextBlob"]))
    rc, out, errout = aws_cli("kms", "decrypt", "--ciphertext-blob", f"fileb://{blob}",
                              "--encryption-context", "app=cli", "--output", "json")
    assert rc == 0, errout
    assert base64.b64decode(json.loads(out)["Plaintext"]) == b"cli secret"
    rc, out, errout = aws_cli("kms", "decrypt", "--ciphertext-blob", f"fileb://{blob}")
    assert rc != 0 and "InvalidCiphertextException" in errout


def test_changes_are_seen_by_the_next_call(kms):
    """The cryptographic calls read keys, aliases and key aliases through per-thread caches
    (kms_cache.h); every change must be seen by the very next call, whichever thread serves it."""
    a = kms.create_key()["KeyMetadata"]
    b = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/moving", TargetKeyId=a["KeyId"])
    for _ in range(8):  # warm every server thread's cache
        assert kms.encrypt(KeyId="alias/moving", Plaintext=b"x")["KeyId"] == a["Arn"]
    kms.update_alias(AliasName="alias/moving", TargetKeyId=b["KeyId"])
    for _ in range(8):
        assert kms.encrypt(KeyId="alias/moving", Plaintext=b"x")["KeyId"] == b["Arn"]
    blob = kms.encrypt(KeyId=b["KeyId"], Plaintext=b"y")["CiphertextBlob"]
    kms.disable_key(KeyId=b["KeyId"])
    for _ in range(4):
        with pytest.raises(kms.exceptions.DisabledException):
            kms.encrypt(KeyId="alias/moving", Plaintext=b"x")
        with pytest.raises(kms.exceptions.DisabledException):
            kms.decrypt(CiphertextBlob=blob)
    kms.enable_key(KeyId=b["KeyId"])
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"y"
    # kms:ResourceAliases follows the aliases at once: a Deny for keys with this alias.
    deny = doc({"Sid": "root", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*",
                "Resource": "*"},
               {"Sid": "no-tagged", "Effect": "Deny", "Principal": {"AWS": "*"},
                "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/blocked"}}})
    kms.put_key_policy(KeyId=b["KeyId"], PolicyName="default", Policy=deny)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"y"
    kms.create_alias(AliasName="alias/blocked", TargetKeyId=b["KeyId"])
    for _ in range(4):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            kms.decrypt(CiphertextBlob=blob)
        assert err(e)[0] == "AccessDeniedException"
    kms.delete_alias(AliasName="alias/blocked")
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"y"
    # A deleted alias is gone for the next call.
    kms.delete_alias(AliasName="alias/moving")
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.encrypt(KeyId="alias/moving", Plaintext=b"x")
