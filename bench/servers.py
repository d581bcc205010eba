"""Starting, probing and stopping the servers under test as child processes.

Each server runs alone while it is measured (ours, then LB3, then the bound), so they never share
the CPU. A server can be pinned to a set of CPUs (`taskset -c`, so every thread and child process it
makes inherits it). Output goes to a log file in the run's temp dir and is shown only when a server
fails to come up.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .bound.app import DB_ENV

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log: Path
    cpus: frozenset[int] | None = None  # where it is pinned; None: wherever the kernel puts it

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.origin}/api"

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Poll until the API answers; returns the seconds it took. Raises with the log tail."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.api_url}/CoffeeShops/count", timeout=2):
                    return time.perf_counter() - started
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f}s\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def free_port() -> int:
    """A port nothing listens on: the first free one of $BENCH_PORTS (`20100-20199`: people sharing
    a machine each keep to their own range) when set, else one the kernel picks. The test bind has
    no SO_REUSEADDR, so a port with connections in TIME_WAIT (a server just stopped) is skipped."""
    low, _, high = os.environ.get("BENCH_PORTS", "").partition("-")
    candidates = range(int(low), int(high or low) + 1) if low else range(0, 1)
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise RuntimeError(f"no free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


def _spawn(
    name: str,
    argv: list[str],
    log: Path,
    env: dict[str, str] | None = None,
    cpus: frozenset[int] | None = None,
) -> Server:
    port = free_port()
    full_env = {**os.environ, **(env or {}), "PORT": str(port)}
    argv = [a.replace("{port}", str(port)) for a in argv]
    if cpus is not None:
        argv = ["taskset", "-c", ",".join(map(str, sorted(cpus))), *argv]  # exec's the server
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    return Server(name, proc, port, log, cpus)


def can_pin() -> str | None:
    """None when servers can be pinned (taskset and sched_setaffinity), else why not."""
    if shutil.which("taskset") is None:
        return "no taskset"
    if not hasattr(os, "sched_setaffinity"):
        return "no sched_setaffinity on this platform"
    return None


def _bin(name: str) -> str:
    """A console script of the virtualenv this interpreter runs in."""
    return str(Path(sys.executable).with_name(name))


def serve_accepts_server() -> bool:
    """Whether this tree's `specgen serve` has `--server` (engineer 4's addition)."""
    help_text = subprocess.run(
        [_bin("specgen"), "serve", "--help"], capture_output=True, text=True, cwd=ROOT
    ).stdout
    return "--server" in help_text


def start_ours(
    db_url: str,
    log: Path,
    *,
    server: str | None = None,
    workers: int = 1,
    cpus: frozenset[int] | None = None,
) -> Server:
    """`specgen serve` from the same virtualenv as this interpreter, on the pre-seeded database;
    `server` (uvicorn, granian) is passed as `--server` when given, `workers` as `--workers`."""
    argv = [
        _bin("specgen"), "serve", "specs/coffee-shop", "--generated", "generated/coffee_shop",
        "--host", HOST, "--port", "{port}", "--db", db_url, "--log-level", "warning",
    ]  # fmt: skip
    if server is not None:
        argv += ["--server", server]
    if workers != 1:
        argv += ["--workers", str(workers)]
    return _spawn("ours", argv, log, cpus=cpus)


def start_bound(
    db_url: str,
    log: Path,
    *,
    server: str = "uvicorn",
    workers: int = 1,
    cpus: frozenset[int] | None = None,
) -> Server:
    """bench/bound's bare ASGI app on `server`, configured as `specgen serve` configures it (no
    access log, warnings only; uvicorn picks uvloop and httptools when installed, as for ours)."""
    if server == "granian":
        argv = [
            _bin("granian"), "--interface", "asgi", "--host", HOST, "--port", "{port}",
            "--workers", str(workers), "--log-level", "warning", "--no-access-log",
            "bench.bound.app:app",
        ]  # fmt: skip
    else:
        argv = [
            sys.executable, "-m", "uvicorn", "bench.bound.app:app", "--host", HOST,
            "--port", "{port}", "--workers", str(workers), "--log-level", "warning",
            "--no-access-log",
        ]  # fmt: skip
    return _spawn("bound", argv, log, {DB_ENV: db_url}, cpus)


def start_lb3(
    node_modules: Path,
    log: Path,
    node: str = "node",
    db_url: str | None = None,
    *,
    pool: int = 10,
    migrate: bool = True,
    cpus: frozenset[int] | None = None,
) -> Server:
    """bench/lb3/server.js with NODE_PATH at an LB3 install, so nothing is installed in the repo; on
    its memory connector, or on PostgreSQL (loopback-connector-postgresql) when db_url is given:
    then with a pool of `pool` connections, and its automigrate (which drops the tables) unless
    `migrate` is false."""
    env = {"NODE_PATH": str(node_modules), "HOST": HOST, "NODE_ENV": "production"}
    if db_url:
        env |= {
            "LB3_DB_URL": db_url,
            "LB3_DB_POOL": str(pool),
            "LB3_MIGRATE": "1" if migrate else "0",
        }
    return _spawn("lb3", [node, str(ROOT / "bench" / "lb3" / "server.js")], log, env, cpus)


def node_version(node: str = "node") -> str | None:
    try:
        return subprocess.run(
            [node, "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def package_version(node_modules: Path, package: str) -> str | None:
    import json

    try:
        return str(json.loads((node_modules / package / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None
