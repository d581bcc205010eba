"""`python -m bench.soak`: the memory of one `specgen serve` worker under the issue's request mix.

The Coffee Shop data set is seeded as bench.run seeds it (`--shops`, `--reviews`), one server is
started alone, and the load generator cycles through one interleaved pool of the mix's requests
(findById, find, create and the include, bench/scenarios.py) on `--connections` connections, in
rounds of `--sample` seconds with the worker's RSS read from /proc after each round:

    warm-up   the first `--warmup` seconds: caches, pools, prepared statements fill up
    100k      on until `--requests` (100,000) responses in all
    soak      then `--soak-seconds` (300) more, RSS sampled every `--sample` (10) seconds

Printed: RSS after the warm-up, after the 100k, the maximum, and the soak's slope (least squares
over its samples, MB a minute). Sustained growth fails the run (exit 1): the fitted line rising by
more than `--max-growth` (5%) of the RSS after the 100k over the soak. So does any error answer.
The worker is the server process or, when the server runs its workers as child processes (granian),
the largest of them.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .databases import postgres_databases, postgres_reachable
from .dataset import Dataset
from .loadgen import LoadSpec, run_load
from .scenarios import SCENARIOS, calls, encode
from .seed import seed_python
from .servers import HOST, Server, start_ours

MB = 1024 * 1024


def default_mix() -> str:
    """The issue's four endpoints; the include is include2 where bench/scenarios.py has no
    `include` (the belongsTo one) yet."""
    keys = {s.key for s in SCENARIOS}
    return ",".join(["findById", "find", "create", "include" if "include" in keys else "include2"])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=100_000, help="responses before the soak")
    p.add_argument("--soak-seconds", type=float, default=300.0, help="seconds of soak after them")
    p.add_argument("--sample", type=float, default=10.0, help="seconds between RSS samples")
    p.add_argument("--warmup", type=float, default=10.0, help="seconds before the first RSS")
    p.add_argument("--max-growth", type=float, default=5.0, help="percent: sustained growth fails")
    p.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    p.add_argument("--shops", type=int, default=10_000, help="CoffeeShops seeded")
    p.add_argument("--reviews", type=int, default=20_000, help="Reviews seeded")
    p.add_argument("--seed", type=int, default=42, help="RNG seed of the data set and requests")
    p.add_argument("--mix", default=default_mix(), help="scenario keys interleaved: %(default)s")
    p.add_argument(
        "--database",
        choices=("auto", "all", "sqlite", "postgresql"),
        default="auto",
        help="auto (default; all is the same): PostgreSQL when --pg-url answers, else SQLite",
    )
    p.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL server (env BENCH_PG_URL; default %(default)s)",
    )
    args, _ = p.parse_known_args(argv)  # `make bench ARGS=...` passes bench.run's options too
    known = {s.key for s in SCENARIOS}
    args.keys = [k for k in args.mix.split(",") if k]
    if unknown := [k for k in args.keys if k not in known]:
        p.error(f"unknown scenario(s) {unknown}; choose from {sorted(known)}")
    return args


def mixed_requests(keys: list[str], dataset: Dataset, port: int) -> tuple[bytes, ...]:
    """One pool: the scenarios' requests interleaved, so every round runs the whole mix."""
    pools = [calls(s, dataset) for k in keys for s in SCENARIOS if s.key == k]
    return tuple(
        encode(pool[i % len(pool)], HOST, port)
        for i in range(max(len(p) for p in pools))
        for pool in pools
    )


def _rss_bytes(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as f:
            out += [int(c) for c in f.read().split()]
    return out


def worker_rss(pid: int) -> int:
    """RSS in bytes of the largest process of the server's tree (its worker)."""
    seen, todo, best = set(), [pid], 0
    while todo:
        at = todo.pop()
        if at in seen:
            continue
        seen.add(at)
        best = max(best, _rss_bytes(at) or 0)
        todo += _children(at)
    return best


@dataclass
class Soak:
    warmup_rss: int = 0
    after_requests_rss: int = 0
    requests_done: int = 0  # responses when after_requests_rss was read
    responses: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds into soak, RSS)

    @property
    def max_rss(self) -> int:
        return max([self.warmup_rss, self.after_requests_rss, *(r for _, r in self.samples)])

    def slope(self) -> float:
        """Least-squares RSS growth of the soak, bytes a second (0 with fewer than 2 samples)."""
        if len(self.samples) < 2:
            return 0.0
        n = len(self.samples)
        mt = sum(t for t, _ in self.samples) / n
        mr = sum(r for _, r in self.samples) / n
        var = sum((t - mt) ** 2 for t, _ in self.samples)
        return sum((t - mt) * (r - mr) for t, r in self.samples) / var if var else 0.0

    def growth_percent(self) -> float:
        """How far the fitted line rises over the soak, in percent of the RSS after the requests."""
        if len(self.samples) < 2 or not self.after_requests_rss:
            return 0.0
        span = self.samples[-1][0] - self.samples[0][0]
        return self.slope() * span / self.after_requests_rss * 100


def run_rounds(
    server: Server,
    requests: tuple[bytes, ...],
    args: argparse.Namespace,
    database: str,
    pool: ProcessPoolExecutor,
) -> Soak:
    soak = Soak()

    def one_round(seconds: float) -> int:
        spec = LoadSpec(
            HOST, server.port, requests, args.connections, 0.0, seconds, server.proc.pid,
            "postgres" if database == "postgresql" else None,
        )  # fmt: skip
        result = pool.submit(run_load, spec).result()
        soak.responses += result.requests
        soak.errors += result.errors
        soak.error_samples += result.error_samples[: 3 - len(soak.error_samples)]
        if server.proc.poll() is not None:
            raise RuntimeError(f"the server exited with {server.proc.returncode}\n{server.tail()}")
        return worker_rss(server.proc.pid)

    soak.warmup_rss = one_round(args.warmup)
    log(f"  warm-up: {soak.responses} responses, RSS {soak.warmup_rss / MB:.1f} MB")
    rss = soak.warmup_rss
    while soak.responses < args.requests:
        rss = one_round(args.sample)
        log(f"  {soak.responses:>8} responses, RSS {rss / MB:.1f} MB")
    soak.after_requests_rss, soak.requests_done = rss, soak.responses
    started = time.perf_counter()
    while (at := time.perf_counter() - started) < args.soak_seconds:
        rss = one_round(min(args.sample, max(0.5, args.soak_seconds - at)))
        soak.samples.append((time.perf_counter() - started, rss))
        log(f"  soak {soak.samples[-1][0]:6.0f} s: RSS {rss / MB:.1f} MB")
    return soak


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def database_url(args: argparse.Namespace, database: str, tmp: Path) -> Iterator[str]:
    if database == "sqlite":
        yield f"sqlite:///{tmp / 'soak.db'}"
        return
    with postgres_databases(args.pg_url, ["soak"]) as urls:
        yield urls["soak"]


def pick_database(args: argparse.Namespace) -> str:
    if args.database == "sqlite":
        return "sqlite"
    why = postgres_reachable(args.pg_url)
    if why is None:
        return "postgresql"
    if args.database == "postgresql":
        sys.exit(f"--database postgresql: PostgreSQL does not answer ({why})")
    log(f"NOTE: PostgreSQL does not answer ({why}): soaking on SQLite")
    return "sqlite"


def report(soak: Soak, args: argparse.Namespace, database: str, dataset: Dataset) -> list[str]:
    growth = soak.growth_percent()
    rows = [
        (f"RSS after warm-up ({args.warmup:g} s)", soak.warmup_rss),
        (f"RSS after {soak.requests_done} responses", soak.after_requests_rss),
        ("RSS max", soak.max_rss),
    ]
    return [
        f"== {database}: RSS of one specgen serve worker, mix {args.mix}, "
        f"{args.connections} connections",
        f"data: {dataset.shops} CoffeeShops, {dataset.reviewers} Reviewers, {dataset.reviews} "
        f"Reviews; sustained growth = the soak's fitted line rising > {args.max_growth:g}%",
        *(f"{label:<32} {rss / MB:8.1f} MB" for label, rss in rows),
        f"soak {args.soak_seconds:g} s, {len(soak.samples)} samples: slope "
        f"{soak.slope() * 60 / MB:+.2f} MB/min, fitted growth {growth:+.2f}%",
        f"responses {soak.responses} in all, errors {soak.errors}",
        *(f"  error sample: {s}" for s in soak.error_samples),
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database = pick_database(args)
    dataset = Dataset(shops=args.shops, reviews=args.reviews, seed=args.seed)
    ctx = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory(prefix="lb3py-bench-soak-") as tmp,
        database_url(args, database, Path(tmp)) as db_url,
        ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool,
    ):
        seed_python(db_url, dataset)
        server = start_ours(db_url, Path(tmp) / "ours.log")
        try:
            server.wait_ready()
            requests = mixed_requests(args.keys, dataset, server.port)
            soak = run_rounds(server, requests, args, database, pool)
        finally:
            server.stop()
    lines = report(soak, args, database, dataset)
    grew = soak.growth_percent() > args.max_growth
    if grew:
        lines.append(f"FAIL: RSS grew {soak.growth_percent():.2f}% over the soak")
    if soak.errors:
        lines.append(f"FAIL: {soak.errors} error answers")
    print("\n".join(["", *lines]))
    return 1 if grew or soak.errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:
        sys.exit(f"bench.soak: {exc}")
