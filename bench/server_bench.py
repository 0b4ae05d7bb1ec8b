#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# server_bench: figures for `sagebox serve` on loopback (issue 3's goals on a 2-core machine):
#   - requests per second and latency for SigV4-signed sts:GetCallerIdentity and iam:GetRole,
#     replayed by wrk (Debian's package) over 16 keep-alive connections;
#   - time from exec to the first answered request with 10,000 stored resources;
#   - resident memory of the idle daemon.
# Requests are signed once with Debian's botocore (its own SigV4 signer) and replayed: AWS accepts
# a signed request for 15 minutes, and so does sagebox. This is a benchmark, not a test: it prints
# figures and exits 0 unless something could not be measured.
#
#   /usr/bin/python3 bench/server_bench.py [--bin build/sagebox] [--seconds 5] [--resources 10000]
#                                          [--runs 3]
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary, data_dir, port, log):
    t0 = time.monotonic()
    proc = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}",
                             "--data-dir", data_dir], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/_sagebox/health"
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"server_bench: sagebox exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return proc, (time.monotonic() - t0) * 1000.0
        except OSError:
            time.sleep(0.001)


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def signed(endpoint, service, body):
    """A Query request signed by botocore, as (method, headers, body)."""
    req = AWSRequest(method="POST", url=endpoint + "/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials("test", "test"), service, "us-east-1").add_auth(req)
    return req.method, dict(req.headers.items()), body


def wrk_script(path, method, headers, body):
    def lua(s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    with open(path, "w") as f:
        f.write(f"wrk.method = {lua(method)}\n")
        f.write(f"wrk.body = {lua(body)}\n")
        for k, v in headers.items():
            if k.lower() in ("content-length", "host"):
                continue
            f.write(f"wrk.headers[{lua(k)}] = {lua(v)}\n")


def cpu_seconds(pid):
    """User and system CPU seconds the process has used so far (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def run_wrk(endpoint, script, seconds, pid):
    u0, s0 = cpu_seconds(pid)
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", script,
                          endpoint + "/"], capture_output=True, text=True, timeout=seconds + 30)
    u1, s1 = cpu_seconds(pid)
    rps = lat50 = lat99 = None
    non2xx = 0
    total = None
    for line in out.stdout.splitlines():
        if "requests in" in line:
            total = int(line.split()[0])
        parts = line.split()
        if line.startswith("Requests/sec:"):
            rps = float(parts[1])
        elif parts[:1] == ["50%"]:
            lat50 = parts[1]
        elif parts[:1] == ["99%"]:
            lat99 = parts[1]
        elif line.strip().startswith("Non-2xx"):
            non2xx = int(parts[-1])
    # The server's own CPU per request (user, system) in microseconds: steadier than requests
    # per second on a shared machine, since it does not count time the server waited for a core.
    cpu = ((u1 - u0) * 1e6 / total, (s1 - s0) * 1e6 / total) if total else (0.0, 0.0)
    return rps, lat50, lat99, non2xx, cpu, out.stdout


def seed(endpoint, count):
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    trust = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
             '{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}')

    def create(i):
        iam.create_role(RoleName=f"bench-role-{i:05d}", AssumeRolePolicyDocument=trust)

    with ThreadPoolExecutor(max_workers=8) as ex:
        list(ex.map(create, range(count)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "sagebox"))
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--resources", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("server_bench: wrk is not installed (apt-get install wrk)")
    work = tempfile.mkdtemp(prefix="sagebox-bench-")
    data = os.path.join(work, "data")
    log = open(os.path.join(work, "server.log"), "wb")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        proc, cold_ms = start(args.bin, data, port, log)
        t0 = time.monotonic()
        seed(endpoint, args.resources)
        seed_s = time.monotonic() - t0
        stop(proc)

        proc, start_ms = start(args.bin, data, port, log)
        time.sleep(1.0)
        idle_rss = rss_kib(proc.pid)

        rows = []
        for name, service, body in (
                ("sts:GetCallerIdentity", "sts", "Action=GetCallerIdentity&Version=2011-06-15"),
                ("iam:GetRole", "iam", "Action=GetRole&RoleName=bench-role-04242&Version=2010-05-08")):
            script = os.path.join(work, name.replace(":", "_") + ".lua")
            wrk_script(script, *signed(endpoint, service, body))
            runs = []
            for _ in range(args.runs):
                rps, p50, p99, non2xx, cpu, raw = run_wrk(endpoint, script, args.seconds, proc.pid)
                if rps is None:
                    sys.stderr.write(raw)
                    raise SystemExit(f"server_bench: wrk produced no figure for {name}")
                runs.append((rps, p50, p99, non2xx, cpu))
            runs.sort(key=lambda r: r[0])
            rps, p50, p99, non2xx, cpu = runs[len(runs) // 2]  # the median run
            best = runs[-1][0]
            rows.append((name, rps, best, p50, p99, sum(r[3] for r in runs), cpu))
        busy_rss = rss_kib(proc.pid)
        stop(proc)

        print(f"server_bench: sagebox serve on loopback, wrk -t2 -c16 -d{args.seconds}s, "
              f"{os.cpu_count()} cores shared with wrk")
        print(f"{args.runs} runs each; the median run is shown, with the best run's requests/s")
        print(f"{'request':<24}{'requests/s':>12}{'best':>9}{'p50':>10}{'p99':>10}{'non-2xx':>9}"
              f"{'server CPU us/req':>20}   goal")
        for name, rps, best, p50, p99, non2xx, cpu in rows:
            met = "met" if rps >= 30000 and non2xx == 0 else "NOT MET"
            cpu_s = f"{cpu[0]:.1f} usr + {cpu[1]:.1f} sys"
            print(f"{name:<24}{rps:>12,.0f}{best:>9,.0f}{p50:>10}{p99:>10}{non2xx:>9}"
                  f"{cpu_s:>20}   >= 30,000/s (median): {met}")
        print(f"seeded {args.resources:,} roles in {seed_s:.1f} s through the API")
        met = "met" if start_ms < 50 else "NOT MET"
        print(f"start to first answered request with {args.resources:,} resources: "
              f"{start_ms:.1f} ms (empty store: {cold_ms:.1f} ms)   goal < 50 ms: {met}")
        met = "met" if idle_rss < 15 * 1024 else "NOT MET"
        print(f"resident memory idle: {idle_rss / 1024:.1f} MiB (after the load: "
              f"{busy_rss / 1024:.1f} MiB)   goal < 15 MiB: {met}")
    finally:
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
