# SPDX-License-Identifier: Apache-2.0
# Fixtures for the integration tests: where the sagebox binary and the repository are, and a
# helper that runs the binary the way a user would (arguments, standard input, exit status).
# Run with Debian's interpreter: /usr/bin/python3 -m pytest tests/integ
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return REPO / "examples"


@pytest.fixture(scope="session")
def sagebox_bin() -> Path:
    """The binary under test: $SAGEBOX_BIN, or build/sagebox of this repository."""
    path = Path(os.environ.get("SAGEBOX_BIN", REPO / "build" / "sagebox"))
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"sagebox binary not found at {path}: build it, or set SAGEBOX_BIN")
    return path


@pytest.fixture
def sagebox(sagebox_bin):
    """Runs sagebox with the given arguments and optional standard input (str); returns the
    CompletedProcess with text stdout and stderr."""

    def run(*args, stdin=None, timeout=30):
        return subprocess.run(
            [str(sagebox_bin), *map(str, args)],
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """A running `sagebox serve` on a free loopback port with its own data directory."""

    def __init__(self, binary: Path, data_dir: Path, extra_args=(), env=None):
        self.binary = binary
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.env = env
        self.port = _free_port()
        self.proc = None
        self.log_path = data_dir.parent / f"sagebox-{self.port}.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=10.0):
        import time
        import urllib.request

        env = dict(os.environ)
        env.update(self.env or {})
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(self.binary), "serve", "--listen", f"127.0.0.1:{self.port}",
             "--data-dir", str(self.data_dir), *self.extra_args],
            stdout=self.log, stderr=self.log, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sagebox exited with {self.proc.returncode}: "
                                   + self.log_path.read_text(errors="replace"))
            try:
                with urllib.request.urlopen(self.endpoint + "/_sagebox/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("sagebox did not answer its health check in time")

    def stop(self, sig=None):
        import signal

        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig if sig is not None else signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def daemon(sagebox_bin, tmp_path):
    """A started daemon, stopped after the test."""
    d = Daemon(sagebox_bin, tmp_path / "data").start()
    yield d
    d.stop()


@pytest.fixture
def make_daemon(sagebox_bin, tmp_path):
    """A factory for daemons the test starts, stops and restarts itself."""
    made = []

    def make(data_dir=None, extra_args=(), env=None):
        d = Daemon(sagebox_bin, data_dir or tmp_path / "data", extra_args, env)
        made.append(d)
        return d

    yield make
    for d in made:
        d.stop()


AWS_CLI = "/usr/bin/aws"


@pytest.fixture
def client(daemon):
    """boto3 clients (Debian's) pointed at the daemon, signed with the given keys (default: the
    account root's test/test)."""
    import boto3
    from botocore.config import Config

    def make(service, key="test", secret="test", token=None, region="us-east-1"):
        return boto3.client(
            service, endpoint_url=daemon.endpoint, region_name=region,
            aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
            config=Config(retries={"max_attempts": 1}))

    return make


@pytest.fixture
def aws_cli(daemon, tmp_path):
    """Runs Debian's AWS CLI v2 against the daemon; returns (exit code, stdout, stderr)."""

    def run(*args, key="test", secret="test", token=None, region="us-east-1"):
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "AWS_ACCESS_KEY_ID": key,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_DEFAULT_REGION": region,
            "AWS_PAGER": "",
            "AWS_CONFIG_FILE": str(tmp_path / "nonexistent-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "nonexistent-credentials"),
        }
        if token:
            env["AWS_SESSION_TOKEN"] = token
        r = subprocess.run([AWS_CLI, "--endpoint-url", daemon.endpoint, *args],
                           capture_output=True, text=True, env=env, timeout=60)
        return r.returncode, r.stdout, r.stderr

    return run
