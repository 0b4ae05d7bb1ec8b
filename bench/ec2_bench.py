#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# ec2_bench: EC2 Describe* calls must stay flat as the account grows (issue 4): the same requests
# are measured with 100, 1,000 and 10,000 ENIs (in 10, 100 and 1,000 subnets of 10 VPCs), each
# replayed by wrk (Debian's package) over 16 keep-alive connections on loopback, signed once by
# Debian's botocore. Printed: requests per second and the server's CPU per request at each size,
# and the ratio of the largest size to the smallest (flat means close to 1). A benchmark, not a
# test: it exits 0 unless something could not be measured.
#
#   /usr/bin/python3 bench/ec2_bench.py [--bin build/sagebox] [--seconds 3]
import argparse
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server_bench as sb  # noqa: E402  (start/stop/wrk helpers)

VPCS = 10
SUBNETS_PER_VPC = 100
ENIS_PER_SUBNET = 10
SIZES = (100, 1000, 10000)  # ENIs; subnets are a tenth


def client(endpoint):
    return boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, max_pool_connections=16))


def grow(ec2, state, enis):
    """Adds subnets (10 ENIs each) until the account holds `enis` ENIs."""
    while len(state["subnets"]) * ENIS_PER_SUBNET < enis:
        n = len(state["subnets"])
        v, s = divmod(n, SUBNETS_PER_VPC)
        if s == 0:
            state["vpcs"].append(ec2.create_vpc(CidrBlock=f"10.{v}.0.0/16")["Vpc"]["VpcId"])
        sn = ec2.create_subnet(VpcId=state["vpcs"][v], CidrBlock=f"10.{v}.{s}.0/24",
                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        state["subnets"].append(sn)

        def make(_):
            return ec2.create_network_interface(SubnetId=sn)["NetworkInterface"][
                "NetworkInterfaceId"]

        with ThreadPoolExecutor(max_workers=8) as ex:
            state["enis"].extend(ex.map(make, range(ENIS_PER_SUBNET)))


def idle(endpoint):
    """Waits until the server answers its health check at once."""
    import time
    import urllib.request
    while True:
        t0 = time.monotonic()
        with urllib.request.urlopen(endpoint + "/_sagebox/health", timeout=30) as r:
            r.read()
        if time.monotonic() - t0 < 0.05:
            return


def requests(state):
    """The measured requests (EC2 Query bodies) for the current state: always the first objects,
    so that every size asks for the same thing."""
    v = "Version=2016-11-15"
    sn, eni, vpc = state["subnets"][0], state["enis"][0], state["vpcs"][0]
    return [
        ("DescribeNetworkInterfaces by id",
         f"Action=DescribeNetworkInterfaces&NetworkInterfaceId.1={eni}&{v}"),
        ("DescribeNetworkInterfaces subnet-id filter",
         f"Action=DescribeNetworkInterfaces&Filter.1.Name=subnet-id&Filter.1.Value.1={sn}&{v}"),
        ("DescribeNetworkInterfaces MaxResults=5",
         f"Action=DescribeNetworkInterfaces&MaxResults=5&{v}"),
        ("DescribeSubnets by id", f"Action=DescribeSubnets&SubnetId.1={sn}&{v}"),
        ("DescribeSubnets vpc-id filter, 5",
         f"Action=DescribeSubnets&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}&MaxResults=5&{v}"),
        ("DescribeVpcs by id", f"Action=DescribeVpcs&VpcId.1={vpc}&{v}"),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(sb.REPO, "build", "sagebox"))
    ap.add_argument("--seconds", type=int, default=3)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("ec2_bench: wrk is not installed (apt-get install wrk)")
    work = tempfile.mkdtemp(prefix="sagebox-ec2-bench-")
    log = open(os.path.join(work, "server.log"), "wb")
    port = sb.free_port()
    endpoint = f"http://127.0.0.1:{port}"
    results = {}  # name -> [(size, rps, cpu_us)]
    try:
        proc, _ = sb.start(args.bin, os.path.join(work, "data"), port, log)
        ec2 = client(endpoint)
        state = {"vpcs": [], "subnets": [], "enis": []}
        for size in SIZES:
            grow(ec2, state, size)
            for name, body in requests(state):
                script = os.path.join(work, "req.lua")
                sb.wrk_script(script, *sb.signed(endpoint, "ec2", body))
                idle(endpoint)  # no request of the previous run still queued
                rps, _, _, non2xx, cpu, raw = sb.run_wrk(endpoint, script, args.seconds, proc.pid)
                if rps is None or non2xx:
                    sys.stderr.write(raw)
                    raise SystemExit(f"ec2_bench: {name} failed at {size} ENIs")
                results.setdefault(name, []).append((size, rps, cpu[0] + cpu[1]))
        sb.stop(proc)
    finally:
        log.close()
        shutil.rmtree(work, ignore_errors=True)

    print(f"ec2_bench: wrk -t2 -c16 -d{args.seconds}s on loopback, {os.cpu_count()} cores shared "
          "with wrk; requests/s and server CPU us/request at each account size")
    head = "".join(f"{f'{s:,} ENIs':>22}" for s in SIZES)
    print(f"{'request':<44}{head}{'CPU ratio':>11}")
    for name, rows in results.items():
        cells = "".join(f"{f'{rps:,.0f}/s {cpu:.0f}us':>22}" for _, rps, cpu in rows)
        ratio = rows[-1][2] / rows[0][2] if rows[0][2] else float("nan")
        print(f"{name:<44}{cells}{ratio:>10.2f}x")
    print(f"({SIZES[-1] // ENIS_PER_SUBNET:,} subnets in {VPCS} VPCs at the largest size; "
          "CPU ratio = server CPU per request at the largest size / at the smallest)")


if __name__ == "__main__":
    main()
