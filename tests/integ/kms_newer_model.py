# SPDX-License-Identifier: Apache-2.0
"""A boto3 KMS client that knows the KMS API features Debian's botocore predates.

Debian 12's python3-botocore (1.29.27) has no RotateKeyOnDemand, ListKeyRotations or
EnableKeyRotation RotationPeriodInDays in its KMS model. sagebox's protocol tables take them
from tools/model_overlays/kms.json, an excerpt of the newer official model merged by
tools/model_overlay.py; this module gives the tests a client that sees the same merged model:
Debian's KMS service-2.json with the overlay applied, written once per process to a temporary
directory laid out as <tmp>/kms/2014-11-01/service-2.json, which the botocore session searches
before its own data directory (botocore 1.29 Loader: the data_path entries come first, then
~/.aws/models, then botocore/data). Everything else (endpoints, paginators, retry rules) still
comes from Debian's botocore.

This is a helper module, not a test file: `from kms_newer_model import newer_kms_client`.
"""

import atexit
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO / "tools") not in sys.path:
    sys.path.insert(0, str(REPO / "tools"))

from model_overlay import apply_overlay, load_overlay  # noqa: E402

SERVICE = "kms"
API_VERSION = "2014-11-01"

_data_dir = None


def merged_kms_model():
    """Debian's KMS model with tools/model_overlays/kms.json applied (a new dict)."""
    import botocore.loaders

    base = os.path.join(botocore.loaders.Loader.BUILTIN_DATA_PATH, SERVICE, API_VERSION,
                        "service-2.json")
    with open(base) as f:
        model = json.load(f)
    overlay = load_overlay(SERVICE)
    if overlay is None:
        raise RuntimeError("tools/model_overlays/kms.json is missing")
    return apply_overlay(model, overlay)


def merged_data_dir():
    """The temporary botocore data directory holding the merged KMS model (created on first
    use, removed when the process exits)."""
    global _data_dir
    if _data_dir is None:
        d = tempfile.mkdtemp(prefix="sagebox-kms-model-")
        atexit.register(shutil.rmtree, d, True)
        target = os.path.join(d, SERVICE, API_VERSION)
        os.makedirs(target)
        with open(os.path.join(target, "service-2.json"), "w") as f:
            json.dump(merged_kms_model(), f)
        _data_dir = d
    return _data_dir


def newer_kms_client(endpoint, key="test", secret="test", token=None, region="us-east-1",
                     validate=True):
    """A boto3 KMS client (Debian's boto3) on `endpoint` whose model is the merged one; signed
    with the given keys (default: the account root's test/test), no retries. validate=False
    turns botocore's own parameter checks off, so that out-of-range values reach the server."""
    import boto3
    import botocore.session
    from botocore.config import Config

    bs = botocore.session.get_session()
    bs.set_config_variable("data_path", merged_data_dir())
    loader = bs.get_component("data_loader")
    if loader.search_paths[0] != merged_data_dir():
        raise RuntimeError("botocore did not put the merged model first: %r"
                           % (loader.search_paths,))
    session = boto3.session.Session(botocore_session=bs)
    return session.client(
        SERVICE, endpoint_url=endpoint, region_name=region, aws_access_key_id=key,
        aws_secret_access_key=secret, aws_session_token=token,
        config=Config(retries={"max_attempts": 1}, parameter_validation=validate))
