# SPDX-License-Identifier: Apache-2.0
# State that survives: a restart keeps everything, kill -9 loses no acknowledged write, and a data
# directory that is not this version's store is refused untouched (issue 3, "State").
import hashlib
import os
import random
import signal
import sqlite3
import threading
import time

import boto3
import pytest
from botocore.config import Config


def iam_client(endpoint):
    return boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}))


def db_path(data_dir):
    return os.path.join(str(data_dir), "sagebox.db")


def test_restart_keeps_state(make_daemon, tmp_path):
    d = make_daemon().start()
    iam = iam_client(d.endpoint)
    iam.create_user(UserName="ana", Path="/team/")
    key = iam.create_access_key(UserName="ana")["AccessKey"]
    d.stop()
    d.start()
    iam = iam_client(d.endpoint)
    user = iam.get_user(UserName="ana")["User"]
    assert user["Path"] == "/team/"
    keys = iam.list_access_keys(UserName="ana")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [key["AccessKeyId"]]
    # The key still signs requests after the restart.
    sts = boto3.client("sts", endpoint_url=d.endpoint, region_name="us-east-1",
                       aws_access_key_id=key["AccessKeyId"],
                       aws_secret_access_key=key["SecretAccessKey"])
    assert sts.get_caller_identity()["Arn"].endswith(":user/team/ana")


def test_kill_9_loses_no_acknowledged_write(make_daemon, tmp_path):
    """Creates users from 4 threads, kills the daemon with SIGKILL in the middle, restarts it and
    checks that every user whose CreateUser was answered is there, and that SQLite's integrity
    check passes."""
    d = make_daemon().start()
    acked = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n):
        iam = iam_client(d.endpoint)
        i = 0
        while not stop.is_set():
            name = f"crash-{n}-{i}"
            try:
                iam.create_user(UserName=name)
            except Exception:
                return  # the daemon died: this write was not acknowledged
            with lock:
                acked.append(name)
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(random.uniform(0.5, 1.5))
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acked) > 20, "too few writes before the kill to mean anything"
    d.stop()

    con = sqlite3.connect(db_path(d.data_dir))
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()

    d.start()
    iam = iam_client(d.endpoint)
    present = set()
    for page in iam.get_paginator("list_users").paginate(PathPrefix="/"):
        present.update(u["UserName"] for u in page["Users"])
    missing = [n for n in acked if n not in present]
    assert missing == []


def test_newer_schema_is_refused_untouched(make_daemon, sagebox, tmp_path):
    d = make_daemon().start()
    d.stop()
    path = db_path(d.data_dir)
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    con.commit()
    con.close()
    before = hashlib.sha256(open(path, "rb").read()).hexdigest()
    listing = sorted(os.listdir(d.data_dir))
    r = sagebox("serve", "--listen", "127.0.0.1:0", "--data-dir", d.data_dir, timeout=20)
    assert r.returncode == 1
    assert "schema" in r.stderr.lower()
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == before
    assert sorted(os.listdir(d.data_dir)) == listing


def test_foreign_file_is_refused(sagebox, tmp_path):
    data = tmp_path / "foreign"
    data.mkdir()
    con = sqlite3.connect(data / "sagebox.db")
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    r = sagebox("serve", "--listen", "127.0.0.1:0", "--data-dir", data, timeout=20)
    assert r.returncode == 1
    assert "not a sagebox store" in r.stderr
