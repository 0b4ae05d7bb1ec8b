#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Generate tests/unit/data/sigv4/vectors.json: SigV4 test vectors made by the real client.

Every vector is a request signed by Debian's botocore (python3-botocore 1.29.27, the signer that
/usr/bin/aws and boto3 use): botocore.auth.SigV4Auth / S3SigV4Auth for the Authorization header
form and SigV4QueryAuth / S3SigV4QueryAuth for presigned URLs, on hand-made
botocore.awsrequest.AWSRequest objects, with the clock fixed by replacing botocore.auth's datetime.
For each one the file records the request as it goes on the wire (method, raw request-target,
headers in order with repeats, body as hex) and what botocore computed: the canonical request, the
string to sign and the signature. Nothing in the file comes from sagebox.

The request-target on the wire is normally exactly the URL botocore signed. A few vectors ("wire"
set) send a differently spelled but equivalent target - a raw '+' for %2B, a raw '=' inside a
value, lowercase hex escapes, an escaped unreserved character - because real servers decode and
re-encode the query (AWS's SigV4 documentation, "Create a canonical request"), while botocore's
signer copies an already-encoded URL query as it is. Those vectors are signed by botocore on the
canonical spelling of the same request, so the expected values still come from botocore.

Usage: /usr/bin/python3 tools/gen_sigv4_vectors.py [--out tests/unit/data/sigv4/vectors.json]
                                                    [--corpus tests/fuzz/corpus/fuzz_sigv4]
--corpus also writes each vector as a seed for tests/fuzz/fuzz_sigv4.c (its input format is
described there). The output is deterministic; commit it.
"""

import argparse
import calendar
import datetime
import json
import os
import sys
import types

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AMZ_DATE = "20260101T000000Z"
FIXED = datetime.datetime(2026, 1, 1, 0, 0, 0)
NOW = calendar.timegm(FIXED.timetuple())

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = (
    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6example+token/with=padding"
)
ENDPOINT = "http://localhost:4566"


class _FixedDatetime(datetime.datetime):
    """datetime.datetime whose utcnow() is the fixed signing time."""

    @classmethod
    def utcnow(cls):
        return cls(FIXED.year, FIXED.month, FIXED.day, FIXED.hour, FIXED.minute, FIXED.second)


# botocore.auth reads the clock through its module-level `datetime` import only.
botocore.auth.datetime = types.SimpleNamespace(datetime=_FixedDatetime)


def _host_header(url):
    # urllib3 (botocore's HTTP client) sends Host exactly as botocore's signer derives it.
    return botocore.auth._host_from_url(url)


def _text(v):
    return v if isinstance(v, str) else v.decode()


def _target(url):
    rest = url.split("://", 1)[1]
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else "/"


def sign(
    name,
    note,
    service,
    method="POST",
    url=ENDPOINT + "/",
    headers=(),
    body=b"",
    region="us-east-1",
    token=None,
    s3=False,
    presign=False,
    expires=3600,
    wire_target=None,
    params=None,
):
    creds = Credentials(AKID, SECRET, token)
    if presign:
        cls = botocore.auth.S3SigV4QueryAuth if s3 else botocore.auth.SigV4QueryAuth
        signer = cls(creds, service, region, expires=expires)
    else:
        cls = botocore.auth.S3SigV4Auth if s3 else botocore.auth.SigV4Auth
        signer = cls(creds, service, region)
    req = AWSRequest(method=method, url=url, data=body, params=params or {})
    for k, v in headers:
        req.headers[k] = v  # HTTPHeaders appends, so a repeated name gives two header lines
    captured = {}
    orig_cr, orig_sts = signer.canonical_request, signer.string_to_sign

    def cr(request):
        captured["cr"] = orig_cr(request)
        return captured["cr"]

    def sts(request, canonical):
        captured["sts"] = orig_sts(request, canonical)
        return captured["sts"]

    signer.canonical_request, signer.string_to_sign = cr, sts
    signer.add_auth(req)
    prepared = req.prepare()
    # The signed request's own header list keeps repeated names (the prepared copy merges them);
    # Content-Length is added while preparing, after signing, as on the wire.
    wire_headers = [["Host", _host_header(prepared.url)]]
    wire_headers += [[k, _text(v)] for k, v in req.headers.items()]
    if "Content-Length" in prepared.headers and "Content-Length" not in req.headers:
        wire_headers.append(["Content-Length", _text(prepared.headers["Content-Length"])])
    if presign:
        signature = prepared.url.rsplit("X-Amz-Signature=", 1)[1]
    else:
        signature = prepared.headers["Authorization"].rsplit("Signature=", 1)[1]
    pbody = prepared.body or b""
    if isinstance(pbody, str):
        pbody = pbody.encode()
    signed_target = _target(prepared.url)
    v = {
        "name": name,
        "note": note,
        "service": service,
        "region": region,
        "s3": s3,
        "presigned": presign,
        "access_key": AKID,
        "secret_key": SECRET,
        "session_token": token,
        "amz_date": AMZ_DATE,
        "now": NOW,
        "method": method,
        "target": wire_target if wire_target is not None else signed_target,
        "headers": wire_headers,
        "body_hex": pbody.hex(),
        "canonical_request": captured["cr"],
        "string_to_sign": captured["sts"],
        "signature": signature,
    }
    if wire_target is not None:
        v["signed_target"] = signed_target
    return v


FORM = ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
JSON11 = "application/x-amz-json-1.1"


def vectors():
    out = []
    out.append(
        sign(
            "iam_query_post",
            "IAM Query protocol: POST / with a form body, as botocore sends ListUsers",
            "iam",
            headers=[FORM],
            body=b"Action=ListUsers&Version=2010-05-08",
        )
    )
    out.append(
        sign(
            "iam_query_post_encoded_form",
            "IAM CreateUser with a path and tags: the form body carries %2F, '+' for space, %3D",
            "iam",
            headers=[FORM],
            body=b"Action=CreateUser&Version=2010-05-08&UserName=ana&Path=%2Fdiv%2Fteam%2F"
            b"&Tags.member.1.Key=cost+center&Tags.member.1.Value=a%3Db%26c",
        )
    )
    out.append(
        sign(
            "sts_session_token",
            "STS GetCallerIdentity with temporary credentials: X-Amz-Security-Token is signed",
            "sts",
            headers=[FORM],
            body=b"Action=GetCallerIdentity&Version=2011-06-15",
            token=TOKEN,
        )
    )
    out.append(
        sign(
            "kms_json11",
            "KMS JSON 1.1 with X-Amz-Target",
            "kms",
            headers=[("X-Amz-Target", "TrentService.ListKeys"), ("Content-Type", JSON11)],
            body=b'{"Limit": 10}',
            region="eu-west-1",
        )
    )
    out.append(
        sign(
            "sagemaker_json11_unicode_body",
            "SageMaker JSON 1.1 whose body holds UTF-8 text",
            "sagemaker",
            headers=[("X-Amz-Target", "SageMaker.ListDomains"), ("Content-Type", JSON11)],
            body='{"NameContains": "caf\u00e9 \u20ac"}'.encode(),
        )
    )
    out.append(
        sign(
            "logs_json11_empty_body",
            "CloudWatch Logs JSON 1.1 with an empty body (hash of the empty string)",
            "logs",
            headers=[("X-Amz-Target", "Logs_20140328.DescribeLogGroups"), ("Content-Type", JSON11)],
            body=b"",
        )
    )
    out.append(
        sign(
            "path_spaces",
            "a path with encoded spaces: non-S3 services encode the path a second time",
            "execute-api",
            method="GET",
            url=ENDPOINT + "/my%20path/with%20spaces",
        )
    )
    out.append(
        sign(
            "path_unicode",
            "a path with UTF-8 percent-escapes (double-encoded for non-S3)",
            "execute-api",
            method="GET",
            url=ENDPOINT + "/%E2%82%AC/caf%C3%A9",
        )
    )
    out.append(
        sign(
            "path_dot_segments",
            "dot segments are removed before encoding (RFC 3986 5.2.4, as botocore does)",
            "execute-api",
            method="GET",
            url=ENDPOINT + "/a/./b/../c/./d/..",
        )
    )
    out.append(
        sign(
            "path_double_slashes",
            "consecutive slashes are merged for non-S3 services; a trailing slash stays",
            "execute-api",
            method="GET",
            url=ENDPOINT + "//a//b///c/",
        )
    )
    out.append(
        sign(
            "path_reserved_chars",
            "reserved characters in the path: sub-delims sent raw are encoded once, escapes twice",
            "execute-api",
            method="GET",
            url=ENDPOINT + "/a!b$c'd(e)f*g,h;i@j:k~l%2Fm",
        )
    )
    out.append(
        sign(
            "query_repeated_keys",
            "repeated keys sort by value; keys sort before values ('a' < 'a-b' although '-' < '=')",
            "execute-api",
            method="GET",
            url=ENDPOINT + "/?b=2&a-b=x&a=3&a=1&a=2&a.b=y",
        )
    )
    out.append(
        sign(
            "query_empty_values",
            "empty values and a key without '=' both canonicalize to 'key='",
            "execute-api",
            method="GET",
            url=ENDPOINT + "/?empty=&novalue&z=1",
        )
    )
    out.append(
        sign(
            "query_reserved_chars",
            "reserved characters in keys and values, encoded the way botocore encodes them",
            "execute-api",
            method="GET",
            url=ENDPOINT + "/?k%20sp=v%20sp&tilde=a~b&plus=a%2Bb&eq=a%3Db&slash=%2F%3A%40&unreserved=AZaz09-_.~",
        )
    )
    out.append(
        sign(
            "wire_query_raw_plus_and_equals",
            "on the wire a raw '+' (a literal plus, not a space) and a raw '=' inside a value; "
            "signed by botocore as %2B and %3D",
            "execute-api",
            method="GET",
            url=ENDPOINT + "/?plus=a%2Bb&eq=a%3Db%3D",
            wire_target="/?plus=a+b&eq=a=b=",
        )
    )
    out.append(
        sign(
            "wire_query_lowercase_hex_and_escaped_unreserved",
            "on the wire lowercase hex escapes and an escaped unreserved character (%7E, %41); "
            "servers decode and re-encode, botocore signed the canonical spelling",
            "execute-api",
            method="GET",
            url=ENDPOINT + "/?k=%2Fx%3A~A&%C3%A9=1",
            wire_target="/?k=%2fx%3a%7E%41&%c3%a9=1",
        )
    )
    out.append(
        sign(
            "wire_query_unencoded_reserved",
            "on the wire characters a careless client leaves unencoded (!, *, ', (, ), /, :, @)",
            "execute-api",
            method="GET",
            url=ENDPOINT + "/?k=%21%2A%27%28%29%2F%3A%40",
            wire_target="/?k=!*'()/:@",
        )
    )
    out.append(
        sign(
            "headers_whitespace_and_repeats",
            "header values are trimmed, inner runs of spaces collapse, repeated names join with ','",
            "execute-api",
            method="GET",
            url=ENDPOINT + "/",
            headers=[
                ("X-Amz-Meta-Spaces", "  a   b \t c  "),
                ("X-Amz-Meta-Repeat", "first"),
                ("X-Amz-Meta-Repeat", "  second  value "),
                ("My-Header", "Mixed-Case Value"),
                ("X-Amz-Meta-Empty", ""),
            ],
        )
    )
    out.append(
        sign(
            "date_header_instead_of_x_amz_date",
            "a request with a Date header: botocore signs with Date and sends no X-Amz-Date",
            "sts",
            headers=[FORM, ("Date", "placeholder, replaced by botocore")],
            body=b"Action=GetCallerIdentity&Version=2011-06-15",
        )
    )
    out.append(
        sign(
            "s3_header_path_not_normalized",
            "S3 rules: the path is used as sent (no dot-segment removal, no second encoding)",
            "s3",
            method="GET",
            url=ENDPOINT + "/bucket/a/./b//c%20d/..%2Fe",
            s3=True,
        )
    )
    out.append(
        sign(
            "s3_put_with_body",
            "S3 PUT: x-amz-content-sha256 holds the SHA-256 of the body and is signed",
            "s3",
            method="PUT",
            url=ENDPOINT + "/bucket/key%20with%20space.txt",
            headers=[("Content-Type", "text/plain")],
            body=b"hello, world\n",
            s3=True,
        )
    )
    out.append(
        sign(
            "s3_query_list",
            "S3 ListObjectsV2 with an encoded prefix in the query",
            "s3",
            method="GET",
            url=ENDPOINT + "/bucket?list-type=2&prefix=photos%2F2026%20jan&delimiter=%2F",
            s3=True,
        )
    )
    out.append(
        sign(
            "presigned_sts",
            "presigned STS GetCallerIdentity (the form EKS tokens use): GET with X-Amz-* params",
            "sts",
            method="GET",
            url=ENDPOINT + "/?Action=GetCallerIdentity&Version=2011-06-15",
            presign=True,
            expires=900,
        )
    )
    out.append(
        sign(
            "presigned_sts_session_token",
            "presigned with temporary credentials: X-Amz-Security-Token is in the query",
            "sts",
            method="GET",
            url=ENDPOINT + "/?Action=GetCallerIdentity&Version=2011-06-15",
            presign=True,
            token=TOKEN,
        )
    )
    out.append(
        sign(
            "presigned_sts_post_form_moved_to_query",
            "boto3's generate_presigned_url for STS: the Query form body is moved into the URL, the "
            "form Content-Type dropped, and the URL is used with POST (the operation's method)",
            "sts",
            method="POST",
            headers=[FORM],
            body={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
            presign=True,
            expires=900,
        )
    )
    out.append(
        sign(
            "presigned_s3_get",
            "presigned S3 GET: UNSIGNED-PAYLOAD, path as sent",
            "s3",
            method="GET",
            url=ENDPOINT + "/bucket/photos/caf%C3%A9%20%2B.jpg",
            s3=True,
            presign=True,
            expires=604800,
        )
    )
    return out


def fuzz_seed(v):
    """One vector in fuzz_sigv4.c's input format: flags, method, target, headers, blank, body."""
    flags = 1 if v["s3"] else 0  # bit 0: S3 rules; clock bits 0: the signing time itself
    out = bytes([flags]) + v["method"].encode() + b"\n" + v["target"].encode() + b"\n"
    for name, value in v["headers"]:
        out += f"{name}:{value}\n".encode()
    return out + b"\n" + bytes.fromhex(v["body_hex"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--out", default=os.path.join(root, "tests/unit/data/sigv4/vectors.json"))
    ap.add_argument("--corpus", help="also write fuzz seeds into this directory")
    args = ap.parse_args()
    doc = {
        "generator": "tools/gen_sigv4_vectors.py",
        "botocore": botocore.__version__,
        "vectors": vectors(),
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{len(doc['vectors'])} vectors -> {args.out}", file=sys.stderr)
    if args.corpus:
        os.makedirs(args.corpus, exist_ok=True)
        for v in doc["vectors"]:
            with open(os.path.join(args.corpus, v["name"]), "wb") as f:
                f.write(fuzz_seed(v))


if __name__ == "__main__":
    main()
