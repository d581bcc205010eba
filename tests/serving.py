"""An example app served by `specgen serve` in a subprocess, as a user runs it: for the tests whose
client is another program (schemathesis, a generated client)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(example: str, db: str, directory: Path) -> Iterator[str]:
    """specs/<example> on `db`, its log in `directory`; yields the REST root's URL once the served
    document answers, and stops the server after."""
    port = free_port()
    package = f"generated/{example.replace('-', '_')}"
    cmd = [
        str(BIN / "specgen"), "serve", f"specs/{example}", "--generated", package,
        "--host", "127.0.0.1", "--port", str(port), "--db", db, "--log-level", "warning",
    ]  # fmt: skip
    log = directory / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    root = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{root}/openapi.json", timeout=1):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                pytest.fail(f"server did not start:\n{log.read_text()}")
            time.sleep(0.2)
    try:
        yield root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
