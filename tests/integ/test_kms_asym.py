# SPDX-License-Identifier: Apache-2.0
# AWS KMS asymmetric and HMAC operations through Debian's boto3 and AWS CLI v2 against the real
# daemon: Sign/Verify (RAW and DIGEST, RSA PSS and PKCS#1 v1.5, ECDSA), GenerateMac/VerifyMac,
# Encrypt/Decrypt with RSA-OAEP, GetPublicKey, GenerateDataKeyPair(WithoutPlaintext). Signatures,
# ciphertexts and key pairs are checked with an independent implementation (Debian's python3
# `cryptography`) on the public key GetPublicKey returns. Error codes follow the AWS KMS API
# Reference; messages are not verified against captured AWS responses and are not asserted.
import base64
import hashlib
import json
import subprocess

import botocore.exceptions
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

ACCOUNT = "000000000000"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


@pytest.fixture
def kms(client):
    return client("kms")


def make_key(kms, spec, usage):
    return kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]


def public_key(kms, kid):
    r = kms.get_public_key(KeyId=kid)
    return r, serialization.load_der_public_key(r["PublicKey"])


HASHES = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}


def check_signature(pub, alg, sig, msg, digest=False):
    """Verifies sig over msg with the cryptography package (raises InvalidSignature)."""
    h = HASHES[alg[-3:]]
    data, h_arg = (msg, utils.Prehashed(h)) if digest else (msg, h)
    if alg.startswith("ECDSA"):
        pub.verify(sig, data, ec.ECDSA(h_arg))
    elif alg.startswith("RSASSA_PSS"):
        pub.verify(sig, data, padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h_arg)
    else:
        pub.verify(sig, data, padding.PKCS1v15(), h_arg)


@pytest.mark.parametrize("spec,algs", [
    ("RSA_2048", ["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256",
                  "RSASSA_PKCS1_V1_5_SHA_384"]),
    ("ECC_NIST_P256", ["ECDSA_SHA_256"]),
    ("ECC_NIST_P384", ["ECDSA_SHA_384"]),
    ("ECC_NIST_P521", ["ECDSA_SHA_512"]),
    ("ECC_SECG_P256K1", ["ECDSA_SHA_256"]),
])
def test_sign_verify_independently_checked(kms, spec, algs):
    md = make_key(kms, spec, "SIGN_VERIFY")
    r, pub = public_key(kms, md["KeyId"])
    assert r["KeySpec"] == spec and r["KeyUsage"] == "SIGN_VERIFY" and r["KeyId"] == md["Arn"]
    assert set(algs) <= set(r["SigningAlgorithms"]) and "EncryptionAlgorithms" not in r
    msg = b"the workshop's model artefact manifest"
    for alg in algs:
        s = kms.sign(KeyId=md["KeyId"], Message=msg, SigningAlgorithm=alg)
        assert s["KeyId"] == md["Arn"] and s["SigningAlgorithm"] == alg
        check_signature(pub, alg, s["Signature"], msg)
        v = kms.verify(KeyId=md["KeyId"], Message=msg, Signature=s["Signature"],
                       SigningAlgorithm=alg)
        assert v["SignatureValid"] is True and v["KeyId"] == md["Arn"]
        # DIGEST: the caller hashes; the signature verifies over the message too.
        digest = hashlib.new("sha" + alg[-3:], msg).digest()
        d = kms.sign(KeyId=md["KeyId"], Message=digest, MessageType="DIGEST",
                     SigningAlgorithm=alg)
        check_signature(pub, alg, d["Signature"], msg)
        check_signature(pub, alg, d["Signature"], digest, digest=True)
        assert kms.verify(KeyId=md["KeyId"], Message=msg, Signature=d["Signature"],
                          SigningAlgorithm=alg)["SignatureValid"]
        # A tampered signature or another message: KMSInvalidSignatureException.
        bad = bytearray(s["Signature"])
        bad[len(bad) // 2] ^= 1
        for m, sig in ((msg, bytes(bad)), (msg + b"!", s["Signature"])):
            with pytest.raises(kms.exceptions.KMSInvalidSignatureException):
                kms.verify(KeyId=md["KeyId"], Message=m, Signature=sig, SigningAlgorithm=alg)
        # A DIGEST of the wrong length.
        with pytest.raises(botocore.exceptions.ClientError) as e:
            kms.sign(KeyId=md["KeyId"], Message=digest[:-1], MessageType="DIGEST",
                     SigningAlgorithm=alg)
        assert code(e) == "ValidationException"


def test_signature_checked_by_openssl_cli(kms, tmp_path):
    kid = make_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")["KeyId"]
    (tmp_path / "pub.der").write_bytes(kms.get_public_key(KeyId=kid)["PublicKey"])
    (tmp_path / "msg").write_bytes(b"hello")
    sig = kms.sign(KeyId=kid, Message=b"hello", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    (tmp_path / "sig").write_bytes(sig)
    r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", str(tmp_path / "pub.der"),
                        "-keyform", "DER", "-signature", str(tmp_path / "sig"),
                        str(tmp_path / "msg")], capture_output=True, text=True)
    assert r.returncode == 0 and "Verified OK" in r.stdout


def test_wrong_algorithm_and_usage(kms):
    rsa = make_key(kms, "RSA_2048", "SIGN_VERIFY")["KeyId"]
    ecc = make_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")["KeyId"]
    sym = kms.create_key()["KeyMetadata"]["KeyId"]
    rsa_enc = make_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")["KeyId"]
    mac = make_key(kms, "HMAC_256", "GENERATE_VERIFY_MAC")["KeyId"]
    for kid, alg in ((rsa, "ECDSA_SHA_256"), (ecc, "ECDSA_SHA_384"), (ecc, "RSASSA_PSS_SHA_256"),
                     (sym, "RSASSA_PSS_SHA_256"), (rsa_enc, "RSASSA_PSS_SHA_256"),
                     (mac, "ECDSA_SHA_256")):
        with pytest.raises(kms.exceptions.InvalidKeyUsageException):
            kms.sign(KeyId=kid, Message=b"m", SigningAlgorithm=alg)
    for kid in (sym, rsa, ecc):
        with pytest.raises(kms.exceptions.InvalidKeyUsageException):
            kms.generate_mac(KeyId=kid, Message=b"m", MacAlgorithm="HMAC_SHA_256")
    with pytest.raises(kms.exceptions.InvalidKeyUsageException):
        kms.generate_mac(KeyId=mac, Message=b"m", MacAlgorithm="HMAC_SHA_512")
    # Encrypt: a signing key, a symmetric key with an RSA algorithm, an RSA key without one.
    for kid, kw in ((rsa, {"EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
                    (sym, {"EncryptionAlgorithm": "RSAES_OAEP_SHA_1"}),
                    (rsa_enc, {})):
        with pytest.raises(kms.exceptions.InvalidKeyUsageException):
            kms.encrypt(KeyId=kid, Plaintext=b"x", **kw)
    # GetPublicKey of keys without one; GenerateDataKeyPair under a non-symmetric key.
    for kid in (sym, mac):
        with pytest.raises(kms.exceptions.UnsupportedOperationException):
            kms.get_public_key(KeyId=kid)
    with pytest.raises(kms.exceptions.InvalidKeyUsageException):
        kms.generate_data_key_pair(KeyId=rsa_enc, KeyPairSpec="RSA_2048")


@pytest.mark.parametrize("spec,alg,n", [("HMAC_224", "HMAC_SHA_224", 28),
                                        ("HMAC_256", "HMAC_SHA_256", 32),
                                        ("HMAC_384", "HMAC_SHA_384", 48),
                                        ("HMAC_512", "HMAC_SHA_512", 64)])
def test_mac_round_trip(kms, spec, alg, n):
    md = make_key(kms, spec, "GENERATE_VERIFY_MAC")
    assert md["MacAlgorithms"] == [alg]
    r = kms.generate_mac(KeyId=md["KeyId"], Message=b"payload", MacAlgorithm=alg)
    assert len(r["Mac"]) == n and r["KeyId"] == md["Arn"] and r["MacAlgorithm"] == alg
    # Deterministic: the same message gives the same MAC; another message another one.
    assert kms.generate_mac(KeyId=md["KeyId"], Message=b"payload",
                            MacAlgorithm=alg)["Mac"] == r["Mac"]
    assert kms.generate_mac(KeyId=md["KeyId"], Message=b"payload2",
                            MacAlgorithm=alg)["Mac"] != r["Mac"]
    v = kms.verify_mac(KeyId=md["KeyId"], Message=b"payload", MacAlgorithm=alg, Mac=r["Mac"])
    assert v["MacValid"] is True and v["KeyId"] == md["Arn"]
    bad = bytes([r["Mac"][0] ^ 1]) + r["Mac"][1:]
    for m, mac in ((b"payload", bad), (b"other", r["Mac"]), (b"payload", r["Mac"][:-1])):
        with pytest.raises(kms.exceptions.KMSInvalidMacException):
            kms.verify_mac(KeyId=md["KeyId"], Message=m, MacAlgorithm=alg, Mac=mac)
    # Another HMAC key of the same spec does not accept the MAC.
    other = make_key(kms, spec, "GENERATE_VERIFY_MAC")["KeyId"]
    with pytest.raises(kms.exceptions.KMSInvalidMacException):
        kms.verify_mac(KeyId=other, Message=b"payload", MacAlgorithm=alg, Mac=r["Mac"])


@pytest.mark.parametrize("spec,limits", [("RSA_2048", {"RSAES_OAEP_SHA_1": 214,
                                                       "RSAES_OAEP_SHA_256": 190}),
                                         ("RSA_3072", {"RSAES_OAEP_SHA_256": 318})])
def test_rsa_encrypt_decrypt(kms, spec, limits):
    md = make_key(kms, spec, "ENCRYPT_DECRYPT")
    r, pub = public_key(kms, md["KeyId"])
    assert r["EncryptionAlgorithms"] == ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
    assert "SigningAlgorithms" not in r
    for alg, limit in limits.items():
        h = hashes.SHA1() if alg.endswith("_1") else hashes.SHA256()
        oaep = padding.OAEP(mgf=padding.MGF1(h), algorithm=h, label=None)
        e = kms.encrypt(KeyId=md["KeyId"], Plaintext=b"p" * limit, EncryptionAlgorithm=alg)
        assert e["EncryptionAlgorithm"] == alg and e["KeyId"] == md["Arn"]
        d = kms.decrypt(KeyId=md["KeyId"], CiphertextBlob=e["CiphertextBlob"],
                        EncryptionAlgorithm=alg)
        assert d["Plaintext"] == b"p" * limit and d["EncryptionAlgorithm"] == alg
        # Encrypted independently with the public key, decrypted by KMS.
        ct = pub.encrypt(b"independent", oaep)
        assert kms.decrypt(KeyId=md["KeyId"], CiphertextBlob=ct,
                           EncryptionAlgorithm=alg)["Plaintext"] == b"independent"
        with pytest.raises(botocore.exceptions.ClientError) as x:
            kms.encrypt(KeyId=md["KeyId"], Plaintext=b"p" * (limit + 1), EncryptionAlgorithm=alg)
        assert code(x) == "ValidationException"
        tampered = bytearray(e["CiphertextBlob"])
        tampered[5] ^= 1
        with pytest.raises(kms.exceptions.InvalidCiphertextException):
            kms.decrypt(KeyId=md["KeyId"], CiphertextBlob=bytes(tampered), EncryptionAlgorithm=alg)
    # The other algorithm does not decrypt; nor does a decrypt without KeyId.
    e = kms.encrypt(KeyId=md["KeyId"], Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(KeyId=md["KeyId"], CiphertextBlob=e["CiphertextBlob"],
                    EncryptionAlgorithm="RSAES_OAEP_SHA_1")
    with pytest.raises(botocore.exceptions.ClientError) as x:
        kms.decrypt(CiphertextBlob=e["CiphertextBlob"], EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert code(x) == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as x:
        kms.encrypt(KeyId=md["KeyId"], Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_256",
                    EncryptionContext={"a": "b"})
    assert code(x) == "ValidationException"


@pytest.mark.parametrize("pair_spec", ["RSA_2048", "ECC_NIST_P256", "ECC_SECG_P256K1"])
def test_generate_data_key_pair(kms, pair_spec):
    kid = kms.create_key()["KeyMetadata"]
    ctx = {"purpose": "pair"}
    r = kms.generate_data_key_pair(KeyId=kid["KeyId"], KeyPairSpec=pair_spec,
                                   EncryptionContext=ctx)
    assert r["KeyPairSpec"] == pair_spec and r["KeyId"] == kid["Arn"]
    priv = serialization.load_der_private_key(r["PrivateKeyPlaintext"], password=None)
    pub = serialization.load_der_public_key(r["PublicKey"])
    assert priv.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo) == r["PublicKey"]
    # The private key is a normal ciphertext blob under the symmetric key and its context.
    d = kms.decrypt(CiphertextBlob=r["PrivateKeyCiphertextBlob"], EncryptionContext=ctx)
    assert d["Plaintext"] == r["PrivateKeyPlaintext"]
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=r["PrivateKeyCiphertextBlob"])
    if pair_spec.startswith("ECC"):
        sig = priv.sign(b"m", ec.ECDSA(hashes.SHA256()))
        pub.verify(sig, b"m", ec.ECDSA(hashes.SHA256()))
    w = kms.generate_data_key_pair_without_plaintext(KeyId=kid["KeyId"], KeyPairSpec=pair_spec)
    assert "PrivateKeyPlaintext" not in w and w["PublicKey"] != r["PublicKey"]
    wpriv = serialization.load_der_private_key(
        kms.decrypt(CiphertextBlob=w["PrivateKeyCiphertextBlob"])["Plaintext"], password=None)
    assert wpriv.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo) == w["PublicKey"]


def test_key_states(kms):
    sig_key = make_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")["KeyId"]
    mac_key = make_key(kms, "HMAC_256", "GENERATE_VERIFY_MAC")["KeyId"]
    rsa_key = make_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")["KeyId"]
    sym = kms.create_key()["KeyMetadata"]["KeyId"]
    sig = kms.sign(KeyId=sig_key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    calls = [
        lambda: kms.sign(KeyId=sig_key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256"),
        lambda: kms.verify(KeyId=sig_key, Message=b"m", Signature=sig,
                           SigningAlgorithm="ECDSA_SHA_256"),
        lambda: kms.get_public_key(KeyId=sig_key),
        lambda: kms.generate_mac(KeyId=mac_key, Message=b"m", MacAlgorithm="HMAC_SHA_256"),
        lambda: kms.encrypt(KeyId=rsa_key, Plaintext=b"m", EncryptionAlgorithm="RSAES_OAEP_SHA_1"),
        lambda: kms.generate_data_key_pair(KeyId=sym, KeyPairSpec="ECC_NIST_P256"),
    ]
    for kid in (sig_key, mac_key, rsa_key, sym):
        kms.disable_key(KeyId=kid)
    for call in calls:
        with pytest.raises(kms.exceptions.DisabledException):
            call()
    for kid in (sig_key, mac_key, rsa_key, sym):
        kms.enable_key(KeyId=kid)
        kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
    for call in calls:
        with pytest.raises(kms.exceptions.KMSInvalidStateException):
            call()
    for kid in (sig_key, mac_key, rsa_key, sym):
        kms.cancel_key_deletion(KeyId=kid)
        kms.enable_key(KeyId=kid)
    for call in calls:
        call()


def test_not_found(kms):
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.sign(KeyId="alias/none", Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.get_public_key(KeyId="11111111-2222-3333-4444-555555555555")


def test_denied_caller(kms, client):
    iam = client("iam")
    user_arn = iam.create_user(UserName="signer")["User"]["Arn"]
    k = iam.create_access_key(UserName="signer")["AccessKey"]
    app = client("kms", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
    pol = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": user_arn},
         "Action": ["kms:Verify", "kms:GetPublicKey"], "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "kms:Sign",
         "Resource": "*", "Condition": {"StringEquals": {"kms:SigningAlgorithm":
                                                         "RSASSA_PSS_SHA_256"}}}]})
    kid = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY", Policy=pol)["KeyMetadata"]
    sig = app.sign(KeyId=kid["KeyId"], Message=b"m",
                   SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    assert app.verify(KeyId=kid["KeyId"], Message=b"m", Signature=sig,
                      SigningAlgorithm="RSASSA_PSS_SHA_256")["SignatureValid"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        app.sign(KeyId=kid["KeyId"], Message=b"m", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")
    assert code(e) == "AccessDeniedException"
    assert f"User: {user_arn} is not authorized to perform: kms:Sign" in \
        e.value.response["Error"]["Message"]
    mac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    sym = kms.create_key()["KeyMetadata"]
    for call in (lambda: app.generate_mac(KeyId=mac["KeyId"], Message=b"m",
                                          MacAlgorithm="HMAC_SHA_256"),
                 lambda: app.generate_data_key_pair(KeyId=sym["KeyId"], KeyPairSpec="RSA_2048"),
                 lambda: app.get_public_key(KeyId=mac["KeyId"])):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert code(e) == "AccessDeniedException"


def test_cli_sign_verify(aws_cli, tmp_path):
    rc, out, err = aws_cli("kms", "create-key", "--key-spec", "ECC_NIST_P384", "--key-usage",
                           "SIGN_VERIFY")
    assert rc == 0, err
    kid = json.loads(out)["KeyMetadata"]["KeyId"]
    (tmp_path / "msg").write_bytes(b"cli message")
    rc, out, err = aws_cli("kms", "sign", "--key-id", kid, "--message", f"fileb://{tmp_path}/msg",
                           "--signing-algorithm", "ECDSA_SHA_384")
    assert rc == 0, err
    sig = base64.b64decode(json.loads(out)["Signature"])
    (tmp_path / "sig").write_bytes(sig)
    rc, out, err = aws_cli("kms", "verify", "--key-id", kid, "--message",
                           f"fileb://{tmp_path}/msg", "--signature", f"fileb://{tmp_path}/sig",
                           "--signing-algorithm", "ECDSA_SHA_384")
    assert rc == 0 and json.loads(out)["SignatureValid"] is True, err
    (tmp_path / "sig").write_bytes(sig[:-1] + bytes([sig[-1] ^ 1]))
    rc, out, err = aws_cli("kms", "verify", "--key-id", kid, "--message",
                           f"fileb://{tmp_path}/msg", "--signature", f"fileb://{tmp_path}/sig",
                           "--signing-algorithm", "ECDSA_SHA_384")
    assert rc != 0 and "KMSInvalidSignatureException" in err


def test_algorithm_and_pair_spec_conditions(kms, client):
    iam = client("iam")
    user_arn = iam.create_user(UserName="crypto")["User"]["Arn"]
    k = iam.create_access_key(UserName="crypto")["AccessKey"]
    app = client("kms", key=k["AccessKeyId"], secret=k["SecretAccessKey"])

    def policy(action, cond):
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": action,
             "Resource": "*", "Condition": {"StringEquals": cond}}]})

    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT",
                         Policy=policy(["kms:Encrypt", "kms:Decrypt"],
                                       {"kms:EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}))
    rid = rsa["KeyMetadata"]["KeyId"]
    ct = app.encrypt(KeyId=rid, Plaintext=b"x",
                     EncryptionAlgorithm="RSAES_OAEP_SHA_256")["CiphertextBlob"]
    assert app.decrypt(KeyId=rid, CiphertextBlob=ct,
                       EncryptionAlgorithm="RSAES_OAEP_SHA_256")["Plaintext"] == b"x"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        app.encrypt(KeyId=rid, Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_1")
    assert code(e) == "AccessDeniedException"
    sym = kms.create_key(Policy=policy("kms:GenerateDataKeyPair",
                                       {"kms:DataKeyPairSpec": "ECC_NIST_P256"}))
    sid = sym["KeyMetadata"]["KeyId"]
    assert app.generate_data_key_pair(KeyId=sid, KeyPairSpec="ECC_NIST_P256")["PublicKey"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        app.generate_data_key_pair(KeyId=sid, KeyPairSpec="RSA_2048")
    assert code(e) == "AccessDeniedException"
    # A denied call changes nothing and leaks no key material.
    assert "PrivateKeyPlaintext" not in e.value.response
