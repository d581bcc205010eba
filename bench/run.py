"""`python -m bench.run`: seed, serve, load, report, for our server and (when installed) the real LB3.

Each server is seeded with the same data set, started alone, checked (row counts, and the first
answer of each read scenario compared across servers so both provably do the same work), then loaded
scenario by scenario from a separate load-generator process. Results print as a table and are written
to bench/results/<UTC timestamp>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import report
from .databases import postgres_databases
from .dataset import Dataset
from .loadgen import LoadResult, LoadSpec, machine_busy_seconds, run_load
from .scenarios import SCENARIOS, Scenario, calls, encode
from .seed import request_json, seed_http, seed_python
from .servers import HOST, ROOT, Server, node_version, package_version, start_lb3, start_ours

DEFAULT_LB3 = Path("/tmp/lb3/node_modules")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=8.0, help="measured seconds per scenario")
    p.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each")
    p.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    p.add_argument("--shops", type=int, default=10_000, help="CoffeeShops seeded")
    p.add_argument("--reviews", type=int, default=20_000, help="Reviews seeded")
    p.add_argument("--seed", type=int, default=42, help="RNG seed of the data set and requests")
    p.add_argument(
        "--scenarios",
        default=",".join(s.key for s in SCENARIOS),
        help="comma-separated subset of: %(default)s",
    )
    lb3 = p.add_mutually_exclusive_group()
    lb3.add_argument("--lb3", dest="lb3", action="store_true", default=None, help="require LB3")
    lb3.add_argument("--no-lb3", dest="lb3", action="store_false", help="skip LB3")
    p.add_argument(
        "--lb3-node-modules",
        type=Path,
        default=Path(os.environ.get("LB3_NODE_MODULES", DEFAULT_LB3)),
        help="node_modules holding loopback@3 and loopback-boot@3 (env LB3_NODE_MODULES; default %(default)s)",
    )
    p.add_argument("--node", default="node", help="the Node.js executable for LB3")
    p.add_argument(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="sqlite: ours on a SQLite file, LB3 on its memory connector; postgresql: both on "
        "PostgreSQL (each its own database on --pg-url's server)",
    )
    p.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL server for --database postgresql (env BENCH_PG_URL; default %(default)s)",
    )
    p.add_argument("--output-dir", type=Path, default=ROOT / "bench" / "results")
    args = p.parse_args(argv)
    known = {s.key for s in SCENARIOS}
    picked = [k for k in args.scenarios.split(",") if k]
    if unknown := [k for k in picked if k not in known]:
        p.error(f"unknown scenario(s) {unknown}; choose from {sorted(known)}")
    args.scenario_list = [s for s in SCENARIOS if s.key in picked]
    return args


def lb3_install(args: argparse.Namespace) -> Path | None:
    """The LB3 node_modules to compare against, or None: on when available unless --no-lb3."""
    if args.lb3 is False:
        return None
    found = (args.lb3_node_modules / "loopback" / "package.json").is_file()
    node = node_version(args.node)
    if found and node:
        return Path(args.lb3_node_modules)
    if args.lb3:
        why = "node not found" if not node else f"no loopback in {args.lb3_node_modules}"
        sys.exit(f"--lb3: {why}; install it as described in bench/README.md")
    return None


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def check_seeded(server: Server, dataset: Dataset) -> None:
    for path, expected in (("CoffeeShops", dataset.shops), ("Reviews", dataset.reviews)):
        status, body = request_json(f"{server.api_url}/{path}/count")
        if status != 200 or body != {"count": expected}:
            raise RuntimeError(f"{server.name}: {path}/count is {status} {body}, want {expected}")


def probe(server: Server, scenarios: list[Scenario], dataset: Dataset) -> dict[str, Any]:
    """The first request of each read scenario, answered before any load: compared across servers."""
    answers: dict[str, Any] = {}
    for scenario in scenarios:
        first = calls(scenario, dataset)[0]
        if first.method == "GET":
            answers[scenario.key] = request_json(f"{server.api_url}{first.path}")
    return answers


def measure(
    server: Server,
    args: argparse.Namespace,
    dataset: Dataset,
    pool: ProcessPoolExecutor,
) -> dict[str, LoadResult]:
    results: dict[str, LoadResult] = {}
    for scenario in args.scenario_list:
        requests = tuple(encode(c, HOST, server.port) for c in calls(scenario, dataset))
        spec = LoadSpec(
            HOST,
            server.port,
            requests,
            args.connections,
            args.warmup,
            args.duration,
            server.proc.pid,
        )
        result = pool.submit(run_load, spec).result()
        log(
            f"  {server.name:<5} {scenario.key:<9} {result.rps:8.0f} req/s  p50 {result.p50_ms:6.2f} ms"
            f"  p99 {result.p99_ms:6.2f} ms  errors {result.errors}"
        )
        results[scenario.key] = result
    return results


def run_server(
    name: str,
    tmp: Path,
    args: argparse.Namespace,
    dataset: Dataset,
    pool: ProcessPoolExecutor,
    lb3: Path | None,
    db_url: str | None = None,
) -> tuple[dict[str, Any], dict[str, LoadResult]]:
    """Seed, start, check, probe and measure one server; it is always stopped afterwards."""
    info: dict[str, Any] = {}
    if name == "ours":
        db_url = db_url or f"sqlite:///{tmp / 'coffee-shop.db'}"
        t = time.perf_counter()
        seed_python(db_url, dataset)
        info["seed_s"] = round(time.perf_counter() - t, 2)
        server = start_ours(db_url, tmp / "ours.log")
    else:
        assert lb3 is not None
        server = start_lb3(lb3, tmp / "lb3.log", args.node, db_url)
    try:
        info["startup_s"] = round(server.wait_ready(), 2)
        if name != "ours":
            t = time.perf_counter()
            seed_http(server.api_url, dataset)
            info["seed_s"] = round(time.perf_counter() - t, 2)
        log(f"{name}: seeded in {info['seed_s']} s, answering after {info['startup_s']} s")
        check_seeded(server, dataset)
        info["probe"] = probe(server, args.scenario_list, dataset)
        return info, measure(server, args, dataset, pool)
    finally:
        server.stop()


def busy_cores(seconds: float = 1.0) -> float | None:
    """How many cores something else keeps busy right before the run: a noisy machine shows here."""
    before = machine_busy_seconds()
    time.sleep(seconds)
    after = machine_busy_seconds()
    return None if before is None or after is None else (after - before) / seconds


def header(args: argparse.Namespace, dataset: Dataset, lb3: Path | None) -> list[str]:
    lines = [
        f"Coffee Shop REST benchmark: {args.connections} keep-alive connections, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s measured per scenario",
        f"data: {dataset.shops} CoffeeShops, {dataset.reviewers} Reviewers, {dataset.reviews} Reviews "
        f"(seed {dataset.seed}); create runs last so reads see identical tables",
    ]
    if args.database == "postgresql":
        lines.append("ours: specgen serve (uvicorn, 1 process) on PostgreSQL (asyncpg, pool of 10)")
    else:
        lines.append("ours: specgen serve (uvicorn, 1 process) on a SQLite file (WAL)")
    if lb3 is not None and args.database == "postgresql":
        lines.append(
            f"lb3:  loopback {package_version(lb3, 'loopback')} on Node {node_version(args.node)}, "
            f"loopback-connector-postgresql {package_version(lb3, 'loopback-connector-postgresql')}, "
            "same PostgreSQL server, its own database made by its automigrate"
        )
    elif lb3 is not None:
        lines.append(
            f"lb3:  loopback {package_version(lb3, 'loopback')} / loopback-boot "
            f"{package_version(lb3, 'loopback-boot')} on Node {node_version(args.node)}, "
            "MEMORY connector (rows in process RAM, no SQL): not a like-for-like database"
        )
    busy = busy_cores()
    lines.append(
        f"client: asyncio raw-socket HTTP/1.1 in its own process; {os.cpu_count()} CPUs, "
        f"{'?' if busy is None else f'{busy:.2f}'} busy before start; Python {platform.python_version()}"
    )
    return lines


@contextlib.contextmanager
def databases(args: argparse.Namespace, servers: list[str]) -> Iterator[dict[str, str]]:
    """No URLs for SQLite (each server makes its own store); one PostgreSQL database per server."""
    if args.database != "postgresql":
        yield {}
        return
    with postgres_databases(args.pg_url, servers) as urls:
        yield urls


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    lb3 = lb3_install(args)
    dataset = Dataset(shops=args.shops, reviews=args.reviews, seed=args.seed)
    started, t0 = datetime.now(UTC), time.perf_counter()
    head = header(args, dataset, lb3)
    log("\n".join(head))
    servers = ["ours"] + (["lb3"] if lb3 is not None else [])
    info: dict[str, dict[str, Any]] = {}
    results: report.Results = {}
    # spawn: a clean interpreter for the load generator, sharing nothing with the seeding code
    ctx = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory(prefix="lb3py-bench-") as tmp,
        ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool,
        databases(args, servers) as urls,
    ):
        for name in servers:
            info[name], results[name] = run_server(
                name, Path(tmp), args, dataset, pool, lb3, urls.get(name)
            )
    notes = report.warnings(results)
    if lb3 is not None:
        notes += [
            f"ours and lb3 answer the first {key} request differently: "
            f"{info['ours']['probe'][key]!s:.200} vs {info['lb3']['probe'][key]!s:.200}"
            for key in info["ours"]["probe"]
            if info["ours"]["probe"][key] != info["lb3"]["probe"].get(key)
        ]
    elapsed = time.perf_counter() - t0
    titles = {s.key: s.title for s in SCENARIOS}
    print("\n".join(["", *head, "", report.table(results, titles), ""]))
    for note in notes:
        print(f"WARNING: {note}")
    out = args.output_dir / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    meta = {
        "started": started.isoformat(),
        "elapsed_s": round(elapsed, 1),
        "header": head,
        "config": {
            k: v for k, v in vars(args).items() if k not in {"scenario_list", "lb3_node_modules"}
        }
        | {"lb3_node_modules": str(lb3) if lb3 else None, "output_dir": str(args.output_dir)},
        "servers": {name: {k: v for k, v in i.items() if k != "probe"} for name, i in info.items()},
        "warnings": notes,
    }
    report.write_json(out, meta, results)
    print(f"total {elapsed:.0f} s; results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
