#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# sm_bench: the SageMaker figures of issue 6 through the API of `sagebox serve` on loopback:
# DescribeDomain, ListUserProfiles of a domain with 1,000 user profiles (its first page of 100)
# and CreatePresignedDomainUrl, requests per second with 16 keep-alive connections (wrk, Debian's
# package) and the server's CPU per request. The set-up is the lab's: a VPC with two private
# subnets, a security group, a KMS key, an execution role trusting SageMaker, an IAM-mode VpcOnly
# domain polled to InService, then the profiles. The JSON 1.1 requests are signed once with
# Debian's botocore and replayed (AWS accepts a signed request for 15 minutes, as sagebox does).
# A benchmark, not a test: it prints figures and exits 0 unless something could not be measured.
#
#   /usr/bin/python3 bench/sm_bench.py [--bin build/sagebox] [--seconds 5] [--runs 3]
#                                      [--profiles 1000]
import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_bench import REPO, free_port, run_wrk, start, stop, wrk_script  # noqa: E402

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


def signed_json(endpoint, target, payload):
    """A JSON 1.1 SageMaker request signed by botocore, as (method, headers, body)."""
    body = json.dumps(payload)
    req = AWSRequest(method="POST", url=endpoint + "/", data=body,
                     headers={"Content-Type": "application/x-amz-json-1.1",
                              "X-Amz-Target": f"SageMaker.{target}"})
    SigV4Auth(Credentials("test", "test"), "sagemaker", "us-east-1").add_auth(req)
    return req.method, dict(req.headers.items()), body


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def lab_domain(endpoint):
    """The lab's network, key, role and domain; returns the domain id once InService."""
    ec2, iam, kms, sm = (client(endpoint, s) for s in ("ec2", "iam", "kms", "sagemaker"))
    vpc = ec2.create_vpc(CidrBlock="192.168.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]
               ["SubnetId"] for cidr, az in (("192.168.0.0/20", "us-east-1a"),
                                            ("192.168.16.0/20", "us-east-1b"))]
    sg = ec2.create_security_group(GroupName="sagemaker", Description="studio",
                                   VpcId=vpc)["GroupId"]
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    role = iam.create_role(RoleName="sagemaker-execution",
                           AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    arn = sm.create_domain(DomainName="bench", AuthMode="IAM", VpcId=vpc, SubnetIds=subnets,
                           AppNetworkAccessType="VpcOnly", KmsKeyId=key,
                           DefaultUserSettings={"ExecutionRole": role,
                                                "SecurityGroups": [sg]})["DomainArn"]
    domain = arn.rsplit("/", 1)[1]
    deadline = time.monotonic() + 60
    while sm.describe_domain(DomainId=domain)["Status"] != "InService":
        if time.monotonic() > deadline:
            raise SystemExit("sm_bench: the domain never reached InService")
        time.sleep(0.05)
    return domain


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "sagebox"))
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--profiles", type=int, default=1000)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("sm_bench: wrk is not installed (apt-get install wrk)")
    work = tempfile.mkdtemp(prefix="sagebox-sm-bench-")
    log = open(os.path.join(work, "server.log"), "wb")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["SAGEBOX_SAGEMAKER_DELAY_MS"] = "50"
    try:
        proc, _ = start(args.bin, os.path.join(work, "data"), port, log)
        domain = lab_domain(endpoint)
        t0 = time.monotonic()
        local = threading.local()

        def make(i):
            if not hasattr(local, "sm"):  # one client a thread: making one costs milliseconds
                local.sm = client(endpoint, "sagemaker")
            local.sm.create_user_profile(
                DomainId=domain, UserProfileName=f"user-{i:04d}",
                Tags=[{"Key": "team", "Value": "team-A" if i % 2 else "team-B"}])

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(make, range(args.profiles)))
        seed_s = time.monotonic() - t0
        rows = []
        for name, target, payload in (
                ("DescribeDomain", "DescribeDomain", {"DomainId": domain}),
                (f"ListUserProfiles ({args.profiles:,})", "ListUserProfiles",
                 {"DomainIdEquals": domain}),
                ("CreatePresignedDomainUrl", "CreatePresignedDomainUrl",
                 {"DomainId": domain, "UserProfileName": "user-0001"})):
            script = os.path.join(work, target + ".lua")
            wrk_script(script, *signed_json(endpoint, target, payload))
            runs = []
            for _ in range(args.runs):
                rps, p50, p99, non2xx, cpu, raw = run_wrk(endpoint, script, args.seconds, proc.pid)
                if rps is None:
                    sys.stderr.write(raw)
                    raise SystemExit(f"sm_bench: wrk produced no figure for {name}")
                runs.append((rps, p50, p99, non2xx, cpu))
            runs.sort(key=lambda r: r[0])
            rps, p50, p99, non2xx, cpu = runs[len(runs) // 2]  # the median run
            rows.append((name, rps, runs[-1][0], p50, p99, sum(r[3] for r in runs), cpu))
        stop(proc)

        print(f"sm_bench: sagebox serve on loopback, wrk -t2 -c16 -d{args.seconds}s, "
              f"{os.cpu_count()} cores shared with wrk; {args.runs} runs each, median and best; "
              f"{args.profiles:,} user profiles created in {seed_s:.1f} s")
        print(f"{'request':<34}{'requests/s':>12}{'best':>9}{'p50':>10}{'p99':>10}{'non-2xx':>9}"
              f"{'server CPU us/req':>24}")
        for name, rps, best, p50, p99, non2xx, cpu in rows:
            cpu_s = f"{cpu[0]:.1f} usr + {cpu[1]:.1f} sys"
            print(f"{name:<34}{rps:>12,.0f}{best:>9,.0f}{p50:>10}{p99:>10}{non2xx:>9}{cpu_s:>24}")
    finally:
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
