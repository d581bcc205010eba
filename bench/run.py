"""`python -m bench.run`: seed, serve, load, report, for our server, the real LB3 (when installed)
and, on PostgreSQL, the bound (bench/bound: a bare ASGI app on raw asyncpg).

On each database (SQLite, then PostgreSQL when it answers), each server is seeded with the same
data set, started alone, checked (row counts, ids in order, and the first answer of each read
scenario compared across servers so all provably do the same work), then loaded scenario by
scenario from a separate load-generator process; then the SQL statements of one request per scenario
are counted (bench/statements.py). Each server is pinned to one CPU and the load generator to
another (--no-pin: neither). Results print as a table per database plus a summary, and are
written to bench/results/<UTC timestamp>.json.
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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runtime.db.urls import display

from . import report
from .databases import add_find_index, copy_database, postgres_databases, postgres_reachable
from .dataset import Dataset
from .loadgen import LoadResult, LoadSpec, machine_busy_seconds, run_load
from .scenarios import SCENARIOS, Scenario, calls, encode
from .seed import request_json, seed_http, seed_python
from .servers import (
    HOST,
    ROOT,
    Server,
    can_pin,
    node_version,
    package_version,
    serve_accepts_server,
    start_bound,
    start_lb3,
    start_ours,
)
from .statements import count_lb3, count_ours

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
        choices=("auto", "all", "sqlite", "postgresql"),
        default="auto",
        help="sqlite: ours on a SQLite file, LB3 on its memory connector; postgresql: both on "
        "PostgreSQL (each its own database on --pg-url's server); all: sqlite then postgresql; "
        "auto (default): all when --pg-url answers, else sqlite",
    )
    p.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL server for --database postgresql (env BENCH_PG_URL; default %(default)s)",
    )
    p.add_argument(
        "--server",
        choices=("uvicorn", "granian"),
        default="uvicorn",
        help="HTTP server of ours (`specgen serve --server`) and of the bound (default %(default)s)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes of ours and of the bound (default 1; above 1 they are not pinned)",
    )
    p.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="pin nothing (default: each server on the first CPU, the load generator on the "
        "second, PostgreSQL wherever the kernel puts it)",
    )
    p.add_argument(
        "--no-bound",
        dest="bound",
        action="store_false",
        help="skip the bound (bench/bound, PostgreSQL runs only)",
    )
    p.add_argument(
        "--index",
        action="store_true",
        help="PostgreSQL only: after seeding, the same index on CoffeeShop (city, name) in every "
        "server's database (the app declares none: find then measures the servers, not a scan)",
    )
    p.add_argument("--output-dir", type=Path, default=ROOT / "bench" / "results")
    args = p.parse_args(argv)
    if args.workers < 1:
        p.error("--workers must be at least 1")
    # passed on only where `specgen serve` has it, so that uvicorn runs work on older trees too
    args.pass_server = serve_accepts_server()
    if args.server != "uvicorn" and not args.pass_server:
        p.error(f"--server {args.server}: this tree's `specgen serve` has no --server option")
    known = {s.key for s in SCENARIOS}
    picked = [k for k in args.scenarios.split(",") if k]
    if unknown := [k for k in picked if k not in known]:
        p.error(f"unknown scenario(s) {unknown}; choose from {sorted(known)}")
    args.scenario_list = [s for s in SCENARIOS if s.key in picked]
    args.placement = place(args)
    return args


@dataclass(frozen=True)
class Placement:
    """The CPU the servers are pinned to and the load generator's (None: not pinned), and the
    sentence the report prints."""

    server: frozenset[int] | None
    client: tuple[int, ...] | None
    text: str

    def for_server(self, name: str, workers: int) -> frozenset[int] | None:
        """Several workers on one core would measure nothing: they are left unpinned (LB3 is one
        Node process whatever --workers says)."""
        return self.server if name == "lb3" or workers == 1 else None


def place(args: argparse.Namespace) -> Placement:
    """As the issue measures: each server alone on the first CPU, the load generator on the second,
    PostgreSQL unpinned."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    why = "--no-pin" if not args.pin else can_pin()
    if why is None and len(cpus) < 2:
        why = f"only {len(cpus)} CPU available"
    if why is not None:
        return Placement(None, None, f"placement: nothing pinned ({why})")
    server, client = cpus[0], cpus[1]
    where = (
        f"each server pinned to CPU {server} (taskset)"
        if args.workers == 1
        else f"ours and the bound with {args.workers} workers NOT pinned (any CPU), lb3 (one "
        f"process) pinned to CPU {server}"
    )
    return Placement(
        frozenset({server}),
        (client,),
        f"placement: {where}, the load generator to CPU {client}, PostgreSQL unpinned",
    )


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
    """Row counts, and ids in insertion order (scenarios address rows by id): first, middle, last."""
    for _model, path, rows in dataset.tables():
        status, body = request_json(f"{server.api_url}/{path}/count")
        if status != 200 or body != {"count": len(rows)}:
            raise RuntimeError(f"{server.name}: {path}/count is {status} {body}, want {len(rows)}")
        for at in sorted({1, (len(rows) + 1) // 2, len(rows)}):
            status, body = request_json(f"{server.api_url}/{path}/{at}")
            want = {k: v for k, v in rows[at - 1].items() if k != "password"}
            got = {k: body.get(k) for k in want} if isinstance(body, dict) else body
            if status != 200 or got != want:
                raise RuntimeError(f"{server.name}: {path}/{at} is {status} {got}, want {want}")


def probe(server: Server, scenarios: list[Scenario], dataset: Dataset) -> dict[str, Any]:
    """The first request of each read scenario, answered before any load: compared across servers."""
    answers: dict[str, Any] = {}
    for scenario in scenarios:
        first = calls(scenario, dataset)[0]
        if first.method == "GET":
            answers[scenario.key] = request_json(f"{server.api_url}{first.path}")
    return answers


def refused(answer: Any) -> str | None:
    """Why a probed scenario is not worth loading (its first request failed), or None."""
    status, body = answer
    if 200 <= status < 300:
        return None
    message = body.get("error", {}).get("message") if isinstance(body, dict) else body
    return f"HTTP {status}: {message!s:.120}"


def measure(
    server: Server,
    database: str,
    scenarios: list[Scenario],
    args: argparse.Namespace,
    dataset: Dataset,
    pool: ProcessPoolExecutor,
) -> dict[str, LoadResult]:
    results: dict[str, LoadResult] = {}
    for scenario in scenarios:
        requests = tuple(encode(c, HOST, server.port) for c in calls(scenario, dataset))
        spec = LoadSpec(
            HOST,
            server.port,
            requests,
            args.connections,
            args.warmup,
            args.duration,
            server.proc.pid,
            "postgres" if database == "postgresql" else None,
            args.placement.client,
        )
        result = pool.submit(run_load, spec).result()
        log(
            f"  {server.name:<5} {scenario.key:<9} {result.rps:8.0f} req/s  p50 {result.p50_ms:6.2f} ms"
            f"  p99 {result.p99_ms:6.2f} ms  errors {result.errors}"
        )
        results[scenario.key] = result
    return results


def seed_lb3(
    lb3: Path, tmp: Path, args: argparse.Namespace, dataset: Dataset, db_url: str | None
) -> Server:
    """Start LB3 and seed it over REST; the server returned is the one to measure (not yet ready).

    The juggler creates the items of an array concurrently: on the memory connector they still get
    ids in order (it is synchronous); on PostgreSQL only a pool of one connection keeps the INSERTs
    in order, so LB3 seeds through one connection and is then restarted, without automigrate, with
    its normal pool."""
    if db_url is None:
        cpus = args.placement.for_server("lb3", 1)
        server = start_lb3(lb3, tmp / "lb3.log", args.node, cpus=cpus)
        server.wait_ready()
        seed_http(server.api_url, dataset)
        return server
    seeder = start_lb3(lb3, tmp / "lb3-seed.log", args.node, db_url, pool=1)
    try:
        seeder.wait_ready()
        seed_http(seeder.api_url, dataset)
    finally:
        seeder.stop()
    if args.index:
        add_find_index(db_url)
    cpus = args.placement.for_server("lb3", 1)
    return start_lb3(lb3, tmp / "lb3.log", args.node, db_url, migrate=False, cpus=cpus)


def run_server(
    name: str,
    run: report.Run,
    tmp: Path,
    args: argparse.Namespace,
    dataset: Dataset,
    pool: ProcessPoolExecutor,
    lb3: Path | None,
    urls: dict[str, str],
) -> None:
    """Seed, start, check, probe, measure and count one server into `run`; it is always stopped.

    A read scenario whose first request fails (e.g. a feature the server lacks) is not loaded:
    req/s of error answers would mean nothing. Statements are counted after the load, when both
    servers hold the same rows again. The bound is not seeded: it gets a copy of ours' database
    made right after ours is seeded (before ours' create scenario adds rows)."""
    info: dict[str, Any] = run.info.setdefault(name, {})
    db_url = urls.get(name)
    cpus = args.placement.for_server(name, args.workers)
    info["cpus"] = None if cpus is None else sorted(cpus)
    if name == "ours":
        db_url = db_url or f"sqlite:///{tmp / 'coffee-shop.db'}"
        t = time.perf_counter()
        seed_python(db_url, dataset)
        info["seed_s"] = round(time.perf_counter() - t, 2)
        if args.index:
            add_find_index(db_url)
        if "bound" in urls:
            t = time.perf_counter()
            copy_database(args.pg_url, db_url, urls["bound"])
            run.info["bound"] = {"seed_s": round(time.perf_counter() - t, 2)}  # the copy
        server = start_ours(
            db_url,
            tmp / "ours.log",
            server=args.server if args.pass_server else None,
            workers=args.workers,
            cpus=cpus,
        )
    elif name == "bound":
        assert db_url is not None
        server = start_bound(
            db_url, tmp / "bound.log", server=args.server, workers=args.workers, cpus=cpus
        )
    else:
        assert lb3 is not None
        t = time.perf_counter()
        server = seed_lb3(lb3, tmp, args, dataset, db_url)
        info["seed_s"] = round(time.perf_counter() - t, 2)
    try:
        info["startup_s"] = round(server.wait_ready(), 2)
        log(f"{name}: seeded in {info['seed_s']} s, answering after {info['startup_s']} s")
        check_seeded(server, dataset)
        info["probe"] = probe(server, args.scenario_list, dataset)
        skipped = {k: why for k, a in info["probe"].items() if (why := refused(a)) is not None}
        for key, why in skipped.items():
            log(f"  {name:<5} {key:<9} not measured: {why}")
        run.skipped[name] = skipped
        scenarios = [s for s in args.scenario_list if s.key not in skipped]
        run.results[name] = measure(server, run.database, scenarios, args, dataset, pool)
        if name == "lb3":
            run.counts[name] = count_lb3(server.origin, server.api_url, args.scenario_list, dataset)
    finally:
        server.stop()
    if name == "ours":
        assert db_url is not None
        run.counts[name] = count_ours(db_url, args.scenario_list, dataset)


def busy_cores(seconds: float = 1.0) -> float | None:
    """How many cores something else keeps busy right before the run: a noisy machine shows here."""
    before = machine_busy_seconds()
    time.sleep(seconds)
    after = machine_busy_seconds()
    return None if before is None or after is None else (after - before) / seconds


def header(
    args: argparse.Namespace, dataset: Dataset, lb3: Path | None, database: str
) -> list[str]:
    lines = [
        f"== {database}: Coffee Shop REST benchmark, {args.connections} keep-alive connections, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s measured per scenario",
        f"data: {dataset.shops} CoffeeShops, {dataset.reviewers} Reviewers, {dataset.reviews} Reviews "
        f"(seed {dataset.seed}); create runs last so reads see identical tables",
    ]
    procs = f"{args.workers} worker{'s' if args.workers > 1 else ''}"
    if database == "postgresql":
        lines.append(
            f"ours: specgen serve ({args.server}, {procs}) on PostgreSQL (asyncpg, pool of 10)"
        )
    else:
        lines.append(f"ours: specgen serve ({args.server}, {procs}) on a SQLite file (WAL)")
    if lb3 is not None and database == "postgresql":
        lines.append(
            f"lb3:  loopback {package_version(lb3, 'loopback')} on Node {node_version(args.node)}, "
            f"loopback-connector-postgresql {package_version(lb3, 'loopback-connector-postgresql')}, "
            "same PostgreSQL server, its own database made by its automigrate"
        )
    elif lb3 is not None:
        lines.append(
            f"lb3:  loopback {package_version(lb3, 'loopback')} / loopback-boot "
            f"{package_version(lb3, 'loopback-boot')} on Node {node_version(args.node)}, "
            "MEMORY connector (rows in process RAM, no SQL): not a like-for-like database; "
            "its stmts are connector calls"
        )
    if database == "postgresql" and args.bound:
        lines.append(
            f"bound: bench/bound, a bare ASGI app on {args.server} ({procs}) with raw asyncpg "
            "(pool of 10, prepared statements), on a copy of ours' seeded database"
        )
    lines.append(args.placement.text)
    if args.index:
        lines.append("--index: CoffeeShop (city, name) indexed in every server's database")
    busy = busy_cores()
    lines.append(
        f"client: asyncio raw-socket HTTP/1.1 in its own process; {os.cpu_count()} CPUs, "
        f"{'?' if busy is None else f'{busy:.2f}'} busy before start; Python {platform.python_version()}"
    )
    lines.append(
        "stmts: SQL statements of one request (ours: before_cursor_execute in an in-process app; "
        "lb3: its connector's executeSQL calls); ? = the request failed"
    )
    return lines


@contextlib.contextmanager
def databases(
    args: argparse.Namespace, database: str, servers: list[str]
) -> Iterator[dict[str, str]]:
    """No URLs for SQLite (each server makes its own store); one PostgreSQL database per server."""
    if database != "postgresql":
        yield {}
        return
    with postgres_databases(args.pg_url, servers) as urls:
        yield urls


def pick_databases(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """(databases to run, notes): auto = SQLite, plus PostgreSQL when --pg-url answers."""
    wanted = {"auto": ["sqlite", "postgresql"], "all": ["sqlite", "postgresql"]}.get(
        args.database, [args.database]
    )
    if "postgresql" not in wanted:
        return wanted, []
    why = postgres_reachable(args.pg_url)
    if why is None:
        return wanted, []
    if args.database == "auto":
        return [d for d in wanted if d != "postgresql"], [
            f"PostgreSQL skipped: {display(args.pg_url)} does not answer ({why})"
        ]
    sys.exit(f"--database {args.database}: {display(args.pg_url)} does not answer ({why})")


def lb3_for(database: str, lb3: Path | None) -> tuple[Path | None, list[str]]:
    """LB3 on PostgreSQL needs its connector in the same node_modules."""
    if lb3 is None or database != "postgresql":
        return lb3, []
    if (lb3 / "loopback-connector-postgresql" / "package.json").is_file():
        return lb3, []
    return None, [
        f"lb3 skipped on postgresql: no loopback-connector-postgresql in {lb3} (bench/README.md)"
    ]


def run_database(
    database: str,
    args: argparse.Namespace,
    dataset: Dataset,
    lb3: Path | None,
    pool: ProcessPoolExecutor,
) -> report.Run:
    """Ours, then LB3, on one database, one server at a time; the probes compared at the end."""
    lb3, notes = lb3_for(database, lb3)
    run = report.Run(database, header(args, dataset, lb3, database), notes=notes)
    log("\n".join(["", *run.header]))
    servers = ["ours"] + (["lb3"] if lb3 is not None else [])
    if database == "postgresql" and args.bound:
        servers.append("bound")
    with (
        tempfile.TemporaryDirectory(prefix="lb3py-bench-") as tmp,
        databases(args, database, servers) as urls,
    ):
        for name in servers:
            run_server(name, run, Path(tmp), args, dataset, pool, lb3, urls)
    run.notes += report.warnings(run.results)
    for server, skipped in run.skipped.items():
        run.notes += [f"{server}/{key} not measured: {why}" for key, why in skipped.items()]
    ours = run.info["ours"]["probe"]
    for other in servers[1:]:
        theirs = run.info[other]["probe"]
        for key in ours:
            if key in run.skipped["ours"] or key in run.skipped[other]:
                continue
            a, b = normalise(database, ours[key]), normalise(database, theirs.get(key))
            if a != b:
                run.notes.append(
                    f"ours and {other} answer the first {key} request differently: "
                    f"{_first_difference(a, b, other=other)}"
                )
    return run


def normalise(database: str, answer: Any) -> Any:
    """Known differences removed before the probes are compared. LB3's memory connector (the
    sqlite run) leaves a property that was never set out of the JSON, where a SQL table (ours,
    and LB3 on PostgreSQL) holds NULL: Reviewer's realm, username, emailVerified, coffeeShopId.
    So on sqlite, null-valued keys are dropped on both sides; on PostgreSQL answers must be equal."""
    if database != "sqlite":
        return answer
    if isinstance(answer, dict):
        return {k: normalise(database, v) for k, v in answer.items() if v is not None}
    if isinstance(answer, list | tuple):
        return [normalise(database, v) for v in answer]
    return answer


def _first_difference(a: Any, b: Any, where: str = "", other: str = "lb3") -> str:
    """Where two JSON answers first differ, so a warning points at it instead of 200 characters."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                side = "ours" if k in a else other
                value = a.get(k, b.get(k))
                return f"{where}.{k} only in {side}: {value!s:.100}"
            if a[k] != b[k]:
                return _first_difference(a[k], b[k], f"{where}.{k}", other)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if len(a) != len(b):
            return f"{where or '.'} has {len(a)} items in ours, {len(b)} in {other}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{where}[{i}]", other)
    return f"{where or '.'}: ours {a!s:.100} vs {other} {b!s:.100}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    lb3 = lb3_install(args)
    dataset = Dataset(shops=args.shops, reviews=args.reviews, seed=args.seed)
    started, t0 = datetime.now(UTC), time.perf_counter()
    picked, notes = pick_databases(args)
    for note in notes:
        log(f"NOTE: {note}")
    runs: list[report.Run] = []
    # spawn: a clean interpreter for the load generator, sharing nothing with the seeding code
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        for database in picked:
            runs.append(run_database(database, args, dataset, lb3, pool))
    elapsed = time.perf_counter() - t0
    titles = {s.key: s.title for s in SCENARIOS}
    for run in runs:
        print("\n".join(["", *run.header, "", report.table(run, titles), ""]))
        for note in run.notes:
            print(f"WARNING: {run.database}: {note}")
    print(
        "\nsummary (ours, lb3 and the bound measured side by side in this run; st = statements a "
        "request; cpu = server CPU ms a response, worker processes included)"
    )
    print(report.summary(runs))
    for note in notes:
        print(f"NOTE: {note}")
    out = args.output_dir / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    meta = {
        "started": started.isoformat(),
        "elapsed_s": round(elapsed, 1),
        "config": {
            k: v
            for k, v in vars(args).items()
            if k not in {"scenario_list", "lb3_node_modules", "placement"}
        }
        | {
            "lb3_node_modules": str(lb3) if lb3 else None,
            "output_dir": str(args.output_dir),
            "placement": args.placement.text,
        },
        "notes": notes,
    }
    report.write_json(out, meta, runs)
    print(f"total {elapsed:.0f} s; results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
