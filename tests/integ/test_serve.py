# SPDX-License-Identifier: Apache-2.0
# `sagebox serve`: start-up, configuration, the health endpoint, the request log, and a clean stop.
import json
import signal
import socket
import subprocess
import urllib.request


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.headers, r.read()


def test_health_reports_version_uptime_and_configuration(daemon, sagebox):
    status, headers, body = get(daemon.endpoint + "/_sagebox/health")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    doc = json.loads(body)
    version = sagebox("--version").stdout.split()[-1]
    assert doc["version"] == version
    assert doc["uptimeSeconds"] >= 0
    assert doc["accountId"] == "000000000000"
    assert doc["region"] == "us-east-1"
    assert isinstance(doc["services"], list)
    assert isinstance(doc["state"], dict)


def test_one_log_line_per_request(daemon):
    get(daemon.endpoint + "/_sagebox/health")
    get(daemon.endpoint + "/_sagebox/health")
    lines = [l for l in daemon.logs().splitlines() if "sagebox:Health" in l]
    assert len(lines) >= 3  # the fixture's own readiness probe, and ours
    fields = lines[-1].split()
    # time, request id (a UUID), principal, service:action, decision, status, latency
    assert len(fields) == 7
    assert fields[0].endswith("Z")
    assert len(fields[1]) == 36 and fields[1].count("-") == 4
    assert fields[5] == "200"
    assert fields[6].endswith("ms")


def test_concurrent_requests_each_get_one_whole_log_line(daemon, client):
    # Under concurrency the log is written in batches by a background thread (http/accesslog.c):
    # every request must still get exactly one intact line, soon after its answer.
    import re
    import time
    from concurrent.futures import ThreadPoolExecutor

    clients = [client("sts") for _ in range(12)]  # creating boto3 clients is not thread-safe

    def calls(i):
        sts = clients[i]
        return [sts.get_caller_identity()["ResponseMetadata"]["RequestId"] for _ in range(25)]

    with ThreadPoolExecutor(max_workers=12) as ex:
        ids = [i for batch in ex.map(calls, range(12)) for i in batch]
    assert len(set(ids)) == 300
    line_re = re.compile(r"^\S+Z [0-9a-f-]{36} arn:aws:iam::000000000000:root "
                         r"sts:GetCallerIdentity Allowed 200 \d+\.\d{3}ms$")
    deadline = time.monotonic() + 5
    while True:
        lines = [l for l in daemon.logs().splitlines() if "sts:GetCallerIdentity" in l]
        if len(lines) >= 300 or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert len(lines) == 300
    assert all(line_re.match(l) for l in lines), [l for l in lines if not line_re.match(l)][:3]
    assert sorted(l.split()[1] for l in lines) == sorted(ids)


def test_keep_alive_serves_several_requests_on_one_connection(daemon):
    s = socket.create_connection(("127.0.0.1", daemon.port), timeout=5)
    req = b"GET /_sagebox/health HTTP/1.1\r\nHost: x\r\n\r\n"
    s.sendall(req * 3)  # pipelined
    data = b""
    while data.count(b"HTTP/1.1 200") < 3:
        chunk = s.recv(65536)
        assert chunk, data
        data += chunk
    s.close()


def test_configuration_from_environment_and_flags_win(make_daemon, tmp_path):
    d = make_daemon(env={"SAGEBOX_ACCOUNT_ID": "111122223333", "SAGEBOX_REGION": "eu-west-1"},
                    extra_args=["--region", "eu-central-1"]).start()
    _, _, body = get(d.endpoint + "/_sagebox/health")
    doc = json.loads(body)
    assert doc["accountId"] == "111122223333"
    assert doc["region"] == "eu-central-1"


def test_bad_arguments_exit_2(sagebox, tmp_path):
    for args in (["--listen", "nowhere"], ["--listen", "127.0.0.1:99999"],
                 ["--account-id", "12"], ["--threads", "0"], ["--bogus", "x"]):
        r = sagebox("serve", "--data-dir", tmp_path / "d", *args, timeout=10)
        assert r.returncode == 2, (args, r.stderr)
        assert "sagebox serve:" in r.stderr


def test_port_in_use_exits_1(daemon, sagebox, tmp_path):
    r = sagebox("serve", "--listen", f"127.0.0.1:{daemon.port}", "--data-dir", tmp_path / "d2",
                timeout=10)
    assert r.returncode == 1
    assert "cannot listen" in r.stderr


def test_sigterm_stops_cleanly(make_daemon):
    d = make_daemon().start()
    d.proc.send_signal(signal.SIGTERM)
    assert d.proc.wait(timeout=10) == 0
    assert "stopping" in d.logs()
