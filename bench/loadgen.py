"""A small HTTP/1.1 keep-alive load generator: asyncio streams over raw sockets, uvloop when present.

Why not httpx or aiohttp: on a 2-core machine the client shares the CPU with the server, and a full
client library spends more CPU per request than the servers under test, which would measure the
client. This one writes pre-encoded request bytes and parses only the status line and the framing
(Content-Length, chunked, or close). `run_load` is meant to run in its own process (see bench.run)
so that it gets a core of its own and no GIL contention with anything else.

Timing: all connections open first, then run for `warmup + duration` seconds. A response counts
when its request was sent after the warm-up and it arrived before the end; req/s is that count
divided by `duration`.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

MAX_ERROR_SAMPLES = 3
GRACE = (
    10.0  # seconds after the window for in-flight responses before their connections are dropped
)


@dataclass(frozen=True)
class LoadSpec:
    host: str
    port: int
    requests: tuple[bytes, ...]
    connections: int
    warmup: float
    duration: float
    server_pid: int | None = None  # sampled from /proc (with its children) for the server's CPU
    db_process: str | None = None  # e.g. "postgres": the database server's processes, by name
    cpus: tuple[int, ...] | None = None  # pin the load generator to these CPUs; None: anywhere


@dataclass
class LoadResult:
    requests: int
    errors: int  # non-2xx answers plus transport failures
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]  # status code (or "transport") -> count, measured window only
    client_cpu: float  # fraction of one core used by this process during the window
    server_cpu: float | None  # same for the server process and its children (workers), from /proc
    db_cpu: float | None  # the database server's processes (PostgreSQL), part of the work measured
    other_cpu: float | None  # the rest of the machine, kernel networking included: noisy neighbours
    event_loop: str
    stalled: int  # connections still waiting for a response GRACE seconds after the window
    error_samples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class _Window:
    start: float
    end: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)

    def record(self, sent: float, done: float, status: str, body: bytes) -> None:
        if sent < self.start or done > self.end:
            return
        self.latencies.append(done - sent)
        self.statuses[status] += 1
        if not status.startswith("2") and len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(f"{status}: {body[:200].decode(errors='replace')}")


class _Closed(Exception):
    """The server closed the connection (or asked to): reconnect before the next request."""


async def _read_response(reader: asyncio.StreamReader) -> tuple[str, bytes, bool]:
    """(status, body, keep_alive) for one response; only the framing headers are looked at."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = head[9:12].decode()
    lower = head.lower()
    keep_alive = b"\r\nconnection: close" not in lower
    at = lower.find(b"\r\ncontent-length:")
    if at >= 0:
        end = lower.index(b"\r\n", at + 2)
        length = int(lower[at + 17 : end])
        body = await reader.readexactly(length) if length else b""
    elif b"\r\ntransfer-encoding: chunked" in lower:
        body = await _read_chunked(reader)
    elif status[0] == "1" or status in ("204", "304"):
        body = b""
    else:  # no framing: the body runs to the end of the connection
        body = await reader.read()
        keep_alive = False
    return status, body, keep_alive


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def _connection(spec: LoadSpec, offset: int, window: _Window) -> None:
    """One keep-alive connection sending requests back to back until the window closes."""
    clock = time.perf_counter
    requests, n = spec.requests, len(spec.requests)
    i = offset
    writer: asyncio.StreamWriter | None = None
    reader: asyncio.StreamReader | None = None
    while clock() < window.end:
        if writer is None:
            try:
                reader, writer = await asyncio.open_connection(spec.host, spec.port)
            except OSError as exc:
                window.record(clock(), clock(), "transport", repr(exc).encode())
                await asyncio.sleep(0.05)
                continue
        assert reader is not None
        request = requests[i % n]
        i += spec.connections
        sent = clock()
        try:
            writer.write(request)
            status, body, keep_alive = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            window.record(sent, clock(), "transport", repr(exc).encode())
            keep_alive = False
        else:
            window.record(sent, clock(), status, body)
        if not keep_alive:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


def _processes() -> Iterator[tuple[int, str, int, float]]:
    """(pid, command name, parent pid, utime + stime seconds) of every process, from /proc."""
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        head, _, rest = raw.rpartition(")")
        fields = rest.split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        yield int(entry), head.partition("(")[2], int(fields[1]), cpu


def _tree_cpu_seconds(root: int | None) -> dict[int, float]:
    """pid -> CPU seconds of `root` and its descendants: a server's worker processes (uvicorn
    --workers, granian's worker) do its work, the parent only supervises them."""
    if root is None:
        return {}
    table = {pid: (ppid, cpu) for pid, _name, ppid, cpu in _processes()}
    out: dict[int, float] = {}
    for pid, (_ppid, cpu) in table.items():
        at, seen = pid, 0
        while at in table and seen < 64:  # walk up to the root (or to init)
            if at == root:
                out[pid] = cpu
                break
            at, seen = table[at][0], seen + 1
    return out


def _named_cpu_seconds(name: str | None) -> dict[int, float]:
    """pid -> CPU seconds of every process whose command name is `name` (PostgreSQL's backends)."""
    if name is None:
        return {}
    return {pid: cpu for pid, command, _ppid, cpu in _processes() if command == name}


def machine_busy_seconds() -> float | None:
    """CPU seconds the whole machine spent not idle, from the first line of /proc/stat."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:9]]
        return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait
    except (OSError, IndexError, ValueError):
        return None


@dataclass(frozen=True)
class _CpuSample:
    client: float
    server: dict[int, float]
    db: dict[int, float]
    machine: float | None

    @staticmethod
    def now(spec: LoadSpec) -> _CpuSample:
        return _CpuSample(
            time.process_time(),
            _tree_cpu_seconds(spec.server_pid),
            _named_cpu_seconds(spec.db_process),
            machine_busy_seconds(),
        )


_Cpu = tuple[float, float | None, float | None, float | None]  # client, server, db, other


async def _sample_cpu(spec: LoadSpec, window: _Window) -> _Cpu:
    """Cores used by this process, the server, the database and everything else between the
    window's ends (database processes that start or end inside the window are not counted)."""
    await asyncio.sleep(max(0.0, window.start - time.perf_counter()))
    a = _CpuSample.now(spec)
    await asyncio.sleep(max(0.0, window.end - time.perf_counter()))
    b = _CpuSample.now(spec)
    client = (b.client - a.client) / spec.duration
    server = None
    if spec.server_pid in a.server and spec.server_pid in b.server:
        both = a.server.keys() & b.server.keys()
        server = sum(b.server[pid] - a.server[pid] for pid in both) / spec.duration
    db = None
    if spec.db_process is not None:
        db = sum(b.db[pid] - a.db[pid] for pid in a.db.keys() & b.db.keys()) / spec.duration
    other = None
    if a.machine is not None and b.machine is not None:
        used = client + (server or 0.0) + (db or 0.0)
        other = max(0.0, (b.machine - a.machine) / spec.duration - used)
    return client, server, db, other


def _percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile in milliseconds."""
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] * 1000


async def _run(spec: LoadSpec) -> tuple[_Window, int, _Cpu]:
    # connections open during the warm-up, so connect cost never lands in the measured window
    start = time.perf_counter()
    window = _Window(start + spec.warmup, start + spec.warmup + spec.duration)
    cpu = asyncio.create_task(_sample_cpu(spec, window))
    conns = [asyncio.create_task(_connection(spec, k, window)) for k in range(spec.connections)]
    # a server that stops answering must not hang the run: drop what is still waiting after GRACE
    _, stalled = await asyncio.wait(conns, timeout=spec.warmup + spec.duration + GRACE)
    for task in stalled:
        task.cancel()
    await asyncio.gather(*conns, return_exceptions=True)
    return window, len(stalled), await cpu


def _loop_factory() -> tuple[Callable[[], asyncio.AbstractEventLoop] | None, str]:
    try:
        import uvloop
    except ImportError:
        return None, "asyncio"
    return uvloop.new_event_loop, "uvloop"


def run_load(spec: LoadSpec) -> LoadResult:
    """Drive `spec.connections` connections for warm-up + duration; runs its own event loop (on
    `spec.cpus` when given: set before the loop starts, so every thread it makes inherits it)."""
    if spec.cpus is not None:
        os.sched_setaffinity(0, spec.cpus)
    factory, loop_name = _loop_factory()
    with asyncio.Runner(loop_factory=factory) as runner:
        window, stalled, (client_cpu, server_cpu, db_cpu, other_cpu) = runner.run(_run(spec))
    ordered = sorted(window.latencies)
    errors = sum(c for s, c in window.statuses.items() if not s.startswith("2"))
    return LoadResult(
        requests=len(ordered),
        errors=errors,
        rps=len(ordered) / spec.duration,
        p50_ms=_percentile(ordered, 0.50),
        p90_ms=_percentile(ordered, 0.90),
        p99_ms=_percentile(ordered, 0.99),
        max_ms=ordered[-1] * 1000 if ordered else math.nan,
        statuses=dict(sorted(window.statuses.items())),
        client_cpu=client_cpu,
        server_cpu=server_cpu,
        db_cpu=db_cpu,
        other_cpu=other_cpu,
        event_loop=loop_name,
        stalled=stalled,
        error_samples=window.error_samples,
    )
