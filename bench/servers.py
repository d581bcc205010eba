"""Starting, probing and stopping the servers under test as child processes.

Each server runs alone while it is measured (ours first, then LB3), so the two never share the CPU.
Output goes to a log file in the run's temp dir and is shown only when a server fails to come up.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

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
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _spawn(name: str, argv: list[str], log: Path, env: dict[str, str] | None = None) -> Server:
    port = free_port()
    full_env = {**os.environ, **(env or {}), "PORT": str(port)}
    argv = [a.replace("{port}", str(port)) for a in argv]
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    return Server(name, proc, port, log)


def start_ours(db_url: str, log: Path) -> Server:
    """`specgen serve` from the same virtualenv as this interpreter, on the pre-seeded SQLite file."""
    specgen = Path(sys.executable).with_name("specgen")
    argv = [
        str(specgen), "serve", "specs/coffee-shop", "--generated", "generated/coffee_shop",
        "--host", HOST, "--port", "{port}", "--db", db_url, "--log-level", "warning",
    ]  # fmt: skip
    return _spawn("ours", argv, log)


def start_lb3(
    node_modules: Path,
    log: Path,
    node: str = "node",
    db_url: str | None = None,
    *,
    pool: int = 10,
    migrate: bool = True,
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
    return _spawn("lb3", [node, str(ROOT / "bench" / "lb3" / "server.js")], log, env)


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
