#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# kms_bench: KMS Encrypt and Decrypt of 4 KB through the API of `sagebox serve` on loopback (issue
# 5): requests per second with 16 keep-alive connections (wrk, Debian's package), and the
# server's CPU per request, next to a reference request of the same size that does no
# cryptography (what HTTP, SigV4 and the protocol layer cost alone). The JSON 1.1 requests are signed once with Debian's botocore and
# replayed (AWS accepts a signed request for 15 minutes, and so does sagebox). The same
# operations through the internal interface are measured by bench/kms_internal_bench.c
# (build/bench/kms_internal_bench), which also prints the AES-256-GCM ceiling; this script runs it
# when it exists so that both figures appear together. A benchmark, not a test: it prints figures
# and exits 0 unless something could not be measured.
#
#   /usr/bin/python3 bench/kms_bench.py [--bin build/sagebox] [--seconds 5] [--runs 3]
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_bench import REPO, free_port, run_wrk, start, stop, wrk_script  # noqa: E402

SIZE = 4096


def signed_json(endpoint, target, payload):
    """A JSON 1.1 KMS request signed by botocore, as (method, headers, body)."""
    body = json.dumps(payload)
    req = AWSRequest(method="POST", url=endpoint + "/", data=body,
                     headers={"Content-Type": "application/x-amz-json-1.1",
                              "X-Amz-Target": f"TrentService.{target}"})
    SigV4Auth(Credentials("test", "test"), "kms", "us-east-1").add_auth(req)
    return req.method, dict(req.headers.items()), body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "sagebox"))
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("kms_bench: wrk is not installed (apt-get install wrk)")
    work = tempfile.mkdtemp(prefix="sagebox-kms-bench-")
    log = open(os.path.join(work, "server.log"), "wb")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        proc, _ = start(args.bin, os.path.join(work, "data"), port, log)
        kms = boto3.client("kms", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
        kid = kms.create_key()["KeyMetadata"]["KeyId"]
        plain = os.urandom(SIZE)
        ctx = {"bench": "kms"}
        blob = kms.encrypt(KeyId=kid, Plaintext=plain, EncryptionContext=ctx)["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=ctx)["Plaintext"] == plain
        rows = []
        for name, target, payload in (
                ("kms:Encrypt 4 KB", "Encrypt",
                 {"KeyId": kid, "Plaintext": base64.b64encode(plain).decode(),
                  "EncryptionContext": ctx}),
                ("kms:Decrypt 4 KB", "Decrypt",
                 {"CiphertextBlob": base64.b64encode(blob).decode(), "EncryptionContext": ctx}),
                # The reference: a request of the same size through the same HTTP, SigV4, JSON and
                # authorization path without cryptography (ListKeys ignores the member it does not
                # know, as AWS does for members newer SDKs send).
                ("reference 4 KB", "ListKeys",
                 {"Limit": 1, "Padding": base64.b64encode(plain).decode()})):
            script = os.path.join(work, target + ".lua")
            wrk_script(script, *signed_json(endpoint, target, payload))
            runs = []
            for _ in range(args.runs):
                rps, p50, p99, non2xx, cpu, raw = run_wrk(endpoint, script, args.seconds, proc.pid)
                if rps is None:
                    sys.stderr.write(raw)
                    raise SystemExit(f"kms_bench: wrk produced no figure for {name}")
                runs.append((rps, p50, p99, non2xx, cpu))
            runs.sort(key=lambda r: r[0])
            rps, p50, p99, non2xx, cpu = runs[len(runs) // 2]  # the median run
            rows.append((name, rps, runs[-1][0], p50, p99, sum(r[3] for r in runs), cpu))
        stop(proc)

        print(f"kms_bench: sagebox serve on loopback, wrk -t2 -c16 -d{args.seconds}s, "
              f"{os.cpu_count()} cores shared with wrk; {args.runs} runs each, median and best")
        print(f"{'request':<20}{'requests/s':>12}{'best':>9}{'p50':>10}{'p99':>10}{'non-2xx':>9}"
              f"{'server CPU us/req':>24}")
        for name, rps, best, p50, p99, non2xx, cpu in rows:
            cpu_s = f"{cpu[0]:.1f} usr + {cpu[1]:.1f} sys"
            print(f"{name:<20}{rps:>12,.0f}{best:>9,.0f}{p50:>10}{p99:>10}{non2xx:>9}{cpu_s:>24}")
        ref = rows[-1]
        for name, rps, *_ in rows[:-1]:
            print(f"{name}: {rps / ref[1]:.0%} of the reference's requests/s")
        internal = os.path.join(os.path.dirname(args.bin), "bench", "kms_internal_bench")
        if os.path.exists(internal):
            print("internal interface (kms_internal_bench):")
            sys.stdout.flush()
            subprocess.run([internal], check=True)
    finally:
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
