"""`specgen serve --workers N`: several processes serve one database and keep no state of their own,
on uvicorn and on granian; and a database that cannot be reached at start-up is one clear line,
not a traceback."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.databases import SERVERS, TestDatabases
from tests.functional.test_serve import _free_port, _request

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def serve(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    cmd = [
        str(BIN / "specgen"),
        "serve",
        "specs/coffee-shop",
        "--generated",
        "generated/coffee_shop",
    ]
    with log.open("w") as out:
        return subprocess.Popen(
            [*cmd, *args, "--log-level", "warning"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )


def stopped(proc: subprocess.Popen[bytes], timeout: float = 20) -> int:
    """Its exit code after SIGTERM; killed (and reaped) when it does not exit in `timeout` s, so
    that no server outlives its test."""
    proc.terminate()
    return exit_code(proc, timeout)


def exit_code(proc: subprocess.Popen[bytes], timeout: float = 60) -> int:
    """Its exit code once it ends by itself; killed (and reaped) when it runs past `timeout` s."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


def wait_until_served(proc: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            assert _request(f"{base}/CoffeeShops") == (200, [])
            return
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)


@pytest.mark.parametrize("server", ["uvicorn", "granian"])
@pytest.mark.parametrize("backend", SERVERS)
def test_workers_share_the_database_and_nothing_else(
    backend: str, server: str, databases: TestDatabases, tmp_path: Path
) -> None:
    port = _free_port()
    log = tmp_path / "serve.log"
    db = databases.fresh(backend)
    proc = serve(["--db", db, "--port", str(port), "--workers", "2", "--server", server], log)
    base = f"http://127.0.0.1:{port}/api"
    try:
        wait_until_served(proc, base, log)
        # the server's supervisor plus two workers, each with its own app
        workers = [p for p in children(proc.pid) if Path(f"/proc/{p}/cmdline").exists()]
        assert len(workers) >= 2, log.read_text()
        created = [
            _request(f"{base}/CoffeeShops", {"name": f"Shop {i}", "city": "Paris"})
            for i in range(10)
        ]
        assert [status for status, _ in created] == [200] * 10
        assert sorted(body["id"] for _, body in created) == list(range(1, 11))
        for _ in range(20):  # whichever worker answers sees every row
            assert _request(f"{base}/CoffeeShops/count") == (200, {"count": 10})
    finally:
        stopped(proc)


def test_one_granian_worker_serves_an_in_memory_database(tmp_path: Path) -> None:
    """granian's worker is another process: it makes the in-memory tables the parent made."""
    port = _free_port()
    log = tmp_path / "serve.log"
    proc = serve(["--db", "sqlite://", "--port", str(port), "--server", "granian"], log)
    base = f"http://127.0.0.1:{port}/api"
    try:
        wait_until_served(proc, base, log)
        shop = {"name": "Shop", "city": "Paris"}
        assert _request(f"{base}/CoffeeShops", shop) == (200, {**shop, "id": 1})
        assert _request(f"{base}/CoffeeShops/1") == (200, {**shop, "id": 1})
    finally:
        assert stopped(proc) == 0, log.read_text()


@pytest.mark.parametrize("server", ["uvicorn", "granian"])
def test_workers_refuse_an_in_memory_database(server: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    args = ["--db", "sqlite://", "--port", str(_free_port()), "--workers", "2", "--server", server]
    proc = serve(args, log)
    assert exit_code(proc) == 1
    assert "--workers needs a database the workers share" in log.read_text()


def test_serve_says_so_when_the_database_is_down(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    proc = serve(["--db", "postgresql://postgres@127.0.0.1:1/lb", "--port", str(_free_port())], log)
    assert exit_code(proc) == 1
    text = log.read_text()
    assert "specgen serve: cannot create the tables: The database is unavailable" in text
    assert "Traceback" not in text
