"""`python -m bench.acl`: what authorization costs a request, measured on one server.

bench/acl_app has two models that differ only in their ACLs: `Note` (`$everyone` DENY, `$owner`
ALLOW, ACLs enforced by the app's boot script) and `OpenNote` (none), both with `userId` to the
User-based `Member`. Each is seeded with the same rows (`--rows`, spread over `--members`); a member
logs in over REST, and every request carries the token, so the two differ only by the ACL work:

    findById      GET /OpenNotes/{id}  vs  GET /Notes/{id}      ($owner: the row's owner is the caller)
    find          GET /OpenNotes?filter={where:{userId},order,limit:10}  vs
                  GET /Notes?filter={order,limit:10}             ($owner where ANDed into the SQL)

The ids and filters are the caller's own rows, so both answer the same JSON (checked before the
load). Printed per pair: req/s, p50, p99, server CPU ms per response, and the difference: the cost of
authorization per request. `make bench` runs it after bench.run, on the same databases.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .databases import postgres_databases, postgres_reachable
from .loadgen import LoadResult, LoadSpec, run_load
from .scenarios import POOL, Call, encode
from .seed import request_json
from .servers import HOST, ROOT, Server, _spawn

APP = ROOT / "bench" / "acl_app"
PASSWORD = "bench-password"  # the seeded members' password (a throwaway database)
BATCH = 500


@dataclass(frozen=True)
class Pair:
    key: str
    open: list[Call]  # OpenNote: no ACLs
    acl: list[Call]  # Note: $everyone DENY, $owner ALLOW


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.acl", description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=8.0, help="measured seconds per scenario")
    p.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each")
    p.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    p.add_argument("--rows", type=int, default=10_000, help="rows in each of Note and OpenNote")
    p.add_argument("--members", type=int, default=10, help="Members owning the rows")
    p.add_argument("--seed", type=int, default=42, help="RNG seed of the requests")
    p.add_argument("--database", choices=("auto", "all", "sqlite", "postgresql"), default="auto")
    p.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    # `make bench ARGS=...` passes bench.run's options too: the ones not ours are ignored
    args, _ = p.parse_known_args(argv)
    return args


def compile_app(out: Path) -> Path:
    """bench/acl_app compiled into `out` (as `specgen generate` does)."""
    from specgen.cli import compile_app as compile_spec
    from specgen.render import write_package

    package = out / "bench_acl_app"
    _, files, problems = compile_spec(APP, package)
    if errors := [p for p in problems if p.level == "error"]:
        raise RuntimeError(f"bench/acl_app does not compile: {errors}")
    write_package(files, package)
    return package


def seed(package: Path, db_url: str, rows: int, members: int) -> None:
    """Members, then the same rows in Note and OpenNote (row i owned by member i % members + 1),
    through the Python model API (a system context: no ACL applies)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from specgen.cli import load_generated

        app = load_generated(package).create_app(db_url=db_url)

    async def load() -> None:
        await app.models["Member"].create(
            [{"email": f"m{i}@bench.test", "password": PASSWORD} for i in range(1, members + 1)]
        )
        data = [
            {"title": f"Note {i}", "body": "x" * 40, "userId": i % members + 1}
            for i in range(1, rows + 1)
        ]
        for model in ("Note", "OpenNote"):
            for at in range(0, rows, BATCH):
                await app.models[model].create(data[at : at + BATCH])

    try:
        asyncio.run(load())
    finally:
        app.db.dispose()


def start(package: Path, db_url: str, log: Path) -> Server:
    specgen = Path(sys.executable).with_name("specgen")
    argv = [
        str(specgen), "serve", str(APP), "--generated", str(package), "--host", HOST,
        "--port", "{port}", "--db", db_url, "--log-level", "warning",
    ]  # fmt: skip
    return _spawn("ours", argv, log)


def wait_ready(server: Server, timeout: float = 60.0) -> None:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if server.proc.poll() is not None:
            raise RuntimeError(f"the server exited:\n{server.tail()}")
        try:
            status, _ = request_json(f"{server.api_url}/OpenNotes/count", timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {timeout:.0f}s\n{server.tail()}")


def login(server: Server, member: int) -> str:
    body = {"email": f"m{member}@bench.test", "password": PASSWORD}
    status, answer = request_json(f"{server.api_url}/Members/login", body)
    if status != 200 or not isinstance(answer, dict):
        raise RuntimeError(f"login failed: HTTP {status} {answer}")
    return str(answer["id"])


def pairs(args: argparse.Namespace, member: int) -> list[Pair]:
    """The caller's own rows: ids i with i % members + 1 == member."""
    rng = random.Random(f"{args.seed}:acl")
    own = [i for i in range(1, args.rows + 1) if i % args.members + 1 == member]
    ids = [rng.choice(own) for _ in range(POOL)]
    order = {"order": "id DESC", "limit": 10}
    open_filter = {"where": {"userId": member}, **order}

    def q(value: Any) -> str:
        return urllib.parse.quote(json.dumps(value, separators=(",", ":")), safe="")

    return [
        Pair(
            "findById",
            [Call("GET", f"/OpenNotes/{i}") for i in ids],
            [Call("GET", f"/Notes/{i}") for i in ids],
        ),
        Pair(
            "find",
            [Call("GET", f"/OpenNotes?filter={q(open_filter)}")],
            [Call("GET", f"/Notes?filter={q(order)}")],
        ),
    ]


def same_answers(server: Server, pair: Pair, token: str) -> None:
    """The first request of each side answers the same rows (ids excepted: two tables)."""

    def first(calls: list[Call]) -> Any:
        req = urllib.request.Request(f"{server.api_url}{calls[0].path}")
        req.add_header("Authorization", token)
        with urllib.request.urlopen(req, timeout=30) as resp:
            answer = json.loads(resp.read())
        rows = answer if isinstance(answer, list) else [answer]
        return [{k: v for k, v in r.items() if k != "id"} for r in rows]

    a, b = first(pair.open), first(pair.acl)
    if a != b:
        raise RuntimeError(f"{pair.key}: OpenNote and Note answer differently: {a} vs {b}")


def cpu_ms(result: LoadResult) -> float | None:
    if result.server_cpu is None or not result.rps:
        return None
    return result.server_cpu / result.rps * 1000


def run_database(
    database: str, args: argparse.Namespace, db_url: str, package: Path, pool: ProcessPoolExecutor
) -> list[str]:
    member = 1
    with tempfile.TemporaryDirectory(prefix="lb3py-bench-acl-") as tmp:
        url = db_url or f"sqlite:///{Path(tmp) / 'acl.db'}"
        seed(package, url, args.rows, args.members)
        server = start(package, url, Path(tmp) / "server.log")
        try:
            wait_ready(server)
            token = login(server, member)
            lines = [
                f"== {database}: cost of authorization ({args.rows} rows a model, "
                f"{args.connections} connections, {args.warmup:g} s + {args.duration:g} s each)",
                f"{'scenario':<10} {'model':<9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
                f"{'cpu ms':>7} {'errors':>6}",
            ]
            for pair in pairs(args, member):
                same_answers(server, pair, token)
                measured: dict[str, LoadResult] = {}
                for side, calls in (("OpenNote", pair.open), ("Note", pair.acl)):
                    headers = {"Authorization": token}
                    requests = tuple(encode(c, HOST, server.port, headers=headers) for c in calls)
                    spec = LoadSpec(
                        HOST, server.port, requests, args.connections, args.warmup,
                        args.duration, server.proc.pid,
                        "postgres" if database == "postgresql" else None,
                    )  # fmt: skip
                    r = measured[side] = pool.submit(run_load, spec).result()
                    cpu = cpu_ms(r)
                    lines.append(
                        f"{pair.key:<10} {side:<9} {r.rps:>8.0f} {r.p50_ms:>7.2f} "
                        f"{r.p99_ms:>7.2f} {'?' if cpu is None else f'{cpu:.3f}':>7} {r.errors:>6}"
                    )
                lines.append(authorization_cost(pair.key, measured["OpenNote"], measured["Note"]))
            return lines
        finally:
            server.stop()


def authorization_cost(key: str, without: LoadResult, with_acl: LoadResult) -> str:
    a, b = cpu_ms(without), cpu_ms(with_acl)
    cpu = "?" if a is None or b is None else f"{b - a:+.3f} ms CPU ({(b / a - 1) * 100:+.0f}%)"
    return (
        f"{key:<10} authorization: {cpu} a request, p50 {with_acl.p50_ms - without.p50_ms:+.2f} ms, "
        f"req/s {(with_acl.rps / without.rps - 1) * 100 if without.rps else 0:+.0f}%"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wanted = {"auto": ["sqlite", "postgresql"], "all": ["sqlite", "postgresql"]}.get(
        args.database, [args.database]
    )
    out: list[str] = []
    ctx = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory(prefix="lb3py-bench-acl-app-") as compiled,
        ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool,
    ):
        package = compile_app(Path(compiled))  # once: the seeding process imports it by name
        for database in wanted:
            if database == "sqlite":
                out += run_database(database, args, "", package, pool)
                continue
            if (why := postgres_reachable(args.pg_url)) is not None:
                if args.database != "auto":
                    sys.exit(f"PostgreSQL does not answer ({why})")
                out.append(f"NOTE: PostgreSQL skipped ({why})")
                continue
            with postgres_databases(args.pg_url, ["acl"]) as urls:
                out += run_database(database, args, urls["acl"], package, pool)
    print("\n".join(["", *out]))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.SubprocessError) as exc:
        sys.exit(f"bench.acl: {exc}")
