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
