"""The benchmarks still run: each `python -m bench.*` on a tiny data set for a fraction of a second
exits 0 and prints its table. Nothing here is timed or compared (speed is `make bench`'s job):
a benchmark that crashes, or a scenario every request of which fails, is what this catches."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import ENV

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--connections", "2"]


def bench(module: str, *args: str, tmp_path: Path) -> str:
    """Run `python -m bench.<module> ARGS` from the repository; its stdout, after exit 0."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, f"bench.{module} exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return proc.stdout


def server_url(backend: str) -> list[str]:
    """bench's database options for BACKEND: SQLite files, or its own databases on the server."""
    if backend == "sqlite":
        return ["--database", "sqlite"]
    return ["--database", backend, "--pg-url", os.environ[ENV[backend]]]


def test_bench_run(tmp_path: Path) -> None:
    """SQLite only: the PostgreSQL path of the same requests is test_bench_soak's (time budget)."""
    out = bench(
        "run", "--database", "sqlite", "--no-lb3", "--duration", "0.5", "--warmup", "0.2",
        "--shops", "200", "--reviews", "400", *TINY, "--output-dir", str(tmp_path),
        tmp_path=tmp_path,
    )  # fmt: skip
    assert "summary" in out
    for key in ("findById", "find", "count", "include2", "create"):
        assert key in out
    assert "not measured" not in out
    assert list(tmp_path.glob("*.json")), "no results file written"


def test_bench_acl(tmp_path: Path) -> None:
    out = bench(
        "acl", "--database", "sqlite", "--duration", "0.5", "--warmup", "0.2",
        "--rows", "100", "--members", "2", *TINY,
        tmp_path=tmp_path,
    )  # fmt: skip
    assert "findById   authorization:" in out
    assert "find       authorization:" in out


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_bench_soak(backend: str, tmp_path: Path) -> None:
    out = bench(
        "soak", *server_url(backend), "--shops", "200", "--reviews", "400", "--requests", "100",
        "--warmup", "0.5", "--sample", "0.5", "--soak-seconds", "1", *TINY,
        tmp_path=tmp_path,
    )  # fmt: skip
    assert "RSS after warm-up" in out
    assert "slope" in out
    assert "errors 0" in out


def test_bench_generate(tmp_path: Path) -> None:
    """Three models hold every relation kind of the recipe (hasManyThrough included); the 10 s
    target is beyond a loaded CI machine's wall clock, so that is not what is checked here."""
    out = bench("generate", "--models", "3", "--target", "600", "--no-all", tmp_path=tmp_path)
    assert "3 models, 10 relations" in out
    assert "OK: generate" in out
    assert "import models" in out  # the generated models.py imports, every class complete
    assert "models.py" in out
