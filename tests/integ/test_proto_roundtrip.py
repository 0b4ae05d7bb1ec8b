# SPDX-License-Identifier: Apache-2.0
# Response and error encoding (src/proto/) read back by the real client: every case of
# tests/unit/data/proto/responses.json is encoded by the protocol layer (through the unit test
# binary's --emit mode) and parsed by Debian botocore's own parser for the service's protocol
# (botocore/parsers.py: QueryParser, EC2QueryParser, JSONParser), which must give back exactly
# the tree that went in: timestamps as the same instants, blobs as the same bytes, lists, maps
# and nested structures intact, and for errors the code, message and request id.
# Run with Debian's interpreter: /usr/bin/python3 -m pytest tests/integ
import base64
import datetime
import json
import os
import subprocess
from pathlib import Path

import botocore.parsers
import botocore.session
import botocore.utils
import pytest
from dateutil.tz import tzutc

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "unit" / "data" / "proto" / "responses.json"


def _driver() -> Path:
    """test_proto_encode next to $SAGEBOX_BIN (build-asan/ under `make integ`), else build/."""
    bindir = Path(os.environ.get("SAGEBOX_BIN", REPO / "build" / "sagebox")).parent
    return bindir / "test_proto_encode"


@pytest.fixture(scope="module")
def emitted():
    driver = _driver()
    if not driver.is_file():
        pytest.fail(f"{driver} not found: build the unit tests (cmake --build ...)")
    run = subprocess.run([str(driver), "--emit", str(CASES)], capture_output=True, text=True,
                         timeout=60, check=True)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    return {(x["kind"], x["index"]): x for x in lines}


SESSION = botocore.session.get_session()
CASEDATA = json.loads(CASES.read_text())


def _expected(shape, value):
    """The parsed form botocore gives for an output tree of proto.h's conventions."""
    t = shape.type_name
    if t == "structure":
        return {k: _expected(shape.members[k], v) for k, v in value.items()
                if k in shape.members and v is not None}
    if t == "list":
        return [_expected(shape.member, v) for v in value]
    if t == "map":
        return {k: _expected(shape.value, v) for k, v in value.items()}
    if t == "timestamp":
        if isinstance(value, str):
            return botocore.utils.parse_timestamp(value)
        return datetime.datetime.fromtimestamp(value, tzutc())
    if t == "blob":
        return base64.b64decode(value)
    if t in ("float", "double"):
        return float(value)
    return value


def _xml_text(s):
    # XML 1.0 cannot carry most control characters; the writer sends U+FFFD instead.
    return "".join("\ufffd" if ord(c) < 0x20 and c not in "\t\n\r" else c for c in s)


@pytest.mark.parametrize("index", range(len(CASEDATA["responses"])),
                         ids=[f'{c["service"]}-{c["operation"]}'
                              for c in CASEDATA["responses"]])
def test_response_parsed_by_botocore(emitted, index):
    case = CASEDATA["responses"][index]
    got = emitted[("response", index)]
    assert got["rc"] == 0
    model = SESSION.get_service_model(case["service"])
    op = model.operation_model(case["operation"])
    protocol = model.metadata["protocol"]
    parser = botocore.parsers.create_parser(protocol)
    headers = {"x-amzn-requestid": got["request_id"], "content-type": got["content_type"]}
    parsed = parser.parse({"body": got["body"].encode(), "headers": headers, "status_code": 200},
                          op.output_shape)
    meta = parsed.pop("ResponseMetadata")
    assert meta["RequestId"] == got["request_id"]
    want = _expected(op.output_shape, case["output"]) if case["output"] else {}
    assert parsed == want
    if protocol == "ec2":
        assert got["content_type"] == "text/xml;charset=UTF-8"
    elif protocol == "query":
        assert got["content_type"] == "text/xml"
    else:
        assert got["content_type"] == "application/x-amz-json-1.1"


@pytest.mark.parametrize("index", range(len(CASEDATA["errors"])),
                         ids=[f'{c["service"]}-{c["code"]}' for c in CASEDATA["errors"]])
def test_error_parsed_by_botocore(emitted, index):
    case = CASEDATA["errors"][index]
    got = emitted[("error", index)]
    service = case["service"]
    protocol = SESSION.get_service_model(service).metadata["protocol"] if service else "query"
    parser = botocore.parsers.create_parser(protocol)
    headers = {got["header"].lower(): got["request_id"], "content-type": got["content_type"]}
    parsed = parser.parse({"body": got["body"].encode(), "headers": headers,
                           "status_code": case["status"]}, None)
    err = parsed["Error"]
    assert err["Code"] == case["code"]
    message = case["message"] if protocol == "json" else _xml_text(case["message"])
    assert (err.get("Message") or "") == message
    assert parsed["ResponseMetadata"]["RequestId"] == got["request_id"]
    if protocol == "query":
        assert err["Type"] == ("Receiver" if case["status"] >= 500 else "Sender")
