# SPDX-License-Identifier: Apache-2.0
# Malformed requests, signed correctly with Debian's botocore signer and sent raw: each gets the
# error AWS returns for it and none a 5xx (issue 3, "How it must be checked"). Codes from the IAM
# and STS API references ("Common Errors": MissingAction, InvalidAction, ValidationError,
# MalformedQueryString / MalformedInput) and botocore's models.
import urllib.error
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def send(daemon, service, body, content_type="application/x-www-form-urlencoded; charset=utf-8",
         headers=None):
    req = AWSRequest(method="POST", url=daemon.endpoint + "/", data=body,
                     headers={"Content-Type": content_type, **(headers or {})})
    SigV4Auth(Credentials("test", "test"), service, "us-east-1").add_auth(req)
    r = urllib.request.Request(req.url, data=body.encode() if isinstance(body, str) else body,
                               headers=dict(req.headers.items()), method="POST")
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


CASES = [
    # (service, body, expected status, expected code)
    ("iam", "Version=2010-05-08", 400, "MissingAction"),
    ("iam", "Action=FlyToTheMoon&Version=2010-05-08", 400, "InvalidAction"),
    ("iam", "Action=GetUser&Version=2010-05-08&UserName=", 400, "ValidationError"),
    ("iam", "Action=CreateUser&Version=2010-05-08", 400, "ValidationError"),  # UserName missing
    ("iam", "Action=CreateUser&Version=2010-05-08&UserName=bad%20name", 400, "ValidationError"),
    ("iam", "Action=CreateUser&Version=2010-05-08&UserName=" + "x" * 65, 400, "ValidationError"),
    ("iam", "Action=ListUsers&Version=2010-05-08&MaxItems=abc", 400, None),
    ("iam", "Action=ListUsers&Version=2010-05-08&MaxItems=0", 400, "ValidationError"),
    ("iam", "Action=ListUsers&Version=2010-05-08&MaxItems=1001", 400, "ValidationError"),
    ("iam", "Action=CreateUser&Version=2010-05-08&UserName=u&Path=nopath", 400, "ValidationError"),
    ("iam", "Action=CreatePolicy&Version=2010-05-08&PolicyName=p&PolicyDocument=%7Bnot-json",
     400, "MalformedPolicyDocument"),
    ("iam", "Action=CreatePolicy&Version=2010-05-08&PolicyName=p&PolicyDocument=" + "%25" * 5,
     400, "MalformedPolicyDocument"),
    ("iam", "Action=TagUser&Version=2010-05-08&UserName=u&Tags.member.1.Key=k", 400,
     "ValidationError"),  # a tag needs a Value
    ("iam", "\xff\xfe\x00garbage", 400, None),
    ("sts", "Action=AssumeRole&Version=2011-06-15&RoleArn=nope&RoleSessionName=s", 400,
     "ValidationError"),
    ("sts", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::000000000000:role/x"
     "&RoleSessionName=bad%20name", 400, "ValidationError"),
    ("sts", "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=10", 400,
     "ValidationError"),
]


@pytest.mark.parametrize("service,body,status,code", CASES)
def test_malformed_query_requests(daemon, service, body, status, code):
    got_status, text = send(daemon, service, body)
    assert got_status < 500, text
    assert got_status == status, text
    assert "<ErrorResponse" in text and "<RequestId>" in text, text
    if code is not None:
        assert f"<Code>{code}</Code>" in text, text


def test_json_protocol_request_to_an_unknown_target(daemon):
    status, text = send(daemon, "kms", "{}", content_type="application/x-amz-json-1.1",
                        headers={"X-Amz-Target": "TrentService.FlyToTheMoon"})
    assert status == 400, text
    assert "UnknownOperationException" in text


def test_no_request_made_the_server_fail(daemon):
    for service, body, _, _ in CASES:
        send(daemon, service, body)
    assert " 500 " not in daemon.logs()
    assert " 503 " not in daemon.logs()
