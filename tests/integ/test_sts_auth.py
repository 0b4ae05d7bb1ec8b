# SPDX-License-Identifier: Apache-2.0
# STS GetCallerIdentity and SigV4 authentication through the real clients: Debian's boto3 and
# AWS CLI v2. Expected codes and messages are AWS's (STS API Reference; "Signature Version 4
# error codes"), not what sagebox happens to print.
import json

import botocore.exceptions
import pytest


def test_root_identity_with_boto3(client):
    ident = client("sts").get_caller_identity()
    assert ident["Account"] == "000000000000"
    assert ident["Arn"] == "arn:aws:iam::000000000000:root"
    assert ident["UserId"] == "000000000000"
    assert len(ident["ResponseMetadata"]["RequestId"]) == 36


def test_root_identity_with_the_cli(aws_cli):
    code, out, err = aws_cli("sts", "get-caller-identity")
    assert code == 0, err
    assert json.loads(out)["Arn"] == "arn:aws:iam::000000000000:root"


def test_wrong_secret_is_signature_does_not_match(client):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts", secret="not-the-secret").get_caller_identity()
    err = e.value.response["Error"]
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert err["Code"] == "SignatureDoesNotMatch"
    assert err["Message"].startswith(
        "The request signature we calculated does not match the signature you provided.")


def test_unknown_key_is_invalid_client_token_id(aws_cli):
    code, out, err = aws_cli("sts", "get-caller-identity", key="AKIAUNKNOWNUNKNOWN00")
    assert code != 0
    assert "(InvalidClientTokenId)" in err
    assert "The security token included in the request is invalid." in err


def test_unsigned_request_is_missing_authentication_token(daemon):
    import urllib.error
    import urllib.request

    req = urllib.request.Request(daemon.endpoint + "/", method="POST",
                                 data=b"Action=GetCallerIdentity&Version=2011-06-15",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=5)
    assert e.value.code == 403
    body = e.value.read().decode()
    assert "<Code>MissingAuthenticationToken</Code>" in body
    assert e.value.headers["x-amzn-RequestId"]


def test_session_token_with_a_long_term_key_is_refused(client):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts", token="FQoGZXIvYXdzEJr//////////wEaDCRhFAKE").get_caller_identity()
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_operations_not_served_yet_say_so(client):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts").decode_authorization_message(EncodedMessage="x")
    assert e.value.response["Error"]["Code"] == "InvalidAction"


def test_root_key_comes_from_the_configuration(make_daemon, tmp_path):
    import boto3

    d = make_daemon(env={"SAGEBOX_ROOT_ACCESS_KEY_ID": "AKIAROOTROOTROOT0001",
                         "SAGEBOX_ROOT_SECRET_ACCESS_KEY": "s3cr3t"},
                    extra_args=["--account-id", "111122223333"]).start()
    sts = boto3.client("sts", endpoint_url=d.endpoint, region_name="us-east-1",
                       aws_access_key_id="AKIAROOTROOTROOT0001", aws_secret_access_key="s3cr3t")
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::111122223333:root"
    assert "s3cr3t" not in d.logs()  # secrets are never logged


def test_health_counts_state_and_lists_services(daemon, client):
    import urllib.request

    with urllib.request.urlopen(daemon.endpoint + "/_sagebox/health", timeout=5) as r:
        doc = json.loads(r.read())
    assert "sts" in doc["services"]
    assert doc["state"]["iam.accesskey"] >= 1


def test_request_log_names_principal_action_and_decision(daemon, client):
    client("sts").get_caller_identity()
    line = [l for l in daemon.logs().splitlines() if "sts:GetCallerIdentity" in l][-1]
    fields = line.split()
    assert fields[2] == "arn:aws:iam::000000000000:root"
    assert fields[3] == "sts:GetCallerIdentity"
    assert fields[4] == "Allowed"
    assert fields[5] == "200"


def test_session_token_credentials_cannot_call_iam(client):
    # STS API Reference, GetSessionToken: the credentials "cannot call any IAM API operations
    # unless MFA authentication information is included", and "cannot call any STS API except
    # AssumeRole or GetCallerIdentity".
    creds = client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    kw = dict(key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
              token=creds["SessionToken"])
    assert client("sts", **kw).get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:root"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("iam", **kw).list_users()
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("sts", **kw).decode_authorization_message(EncodedMessage="x")
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"
