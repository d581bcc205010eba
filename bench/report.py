"""The printed table and the JSON results file.

The header states what is being compared (database, event loop, machine) because the figures mean
little without it: on `sqlite` LB3 runs on its memory connector while we run on a SQLite file. One
run can cover several databases (`--database auto`): a detailed table per database, then a summary
of every database side by side.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .loadgen import LoadResult
from .scenarios import SCENARIOS
from .statements import Count

# CPU of everything but server and client (kernel networking included) above which a run is suspect
OTHER_CPU_LIMIT = 0.25

# the ratios printed: ours against LB3 (the goal), the bound against LB3, ours against the bound
PAIRS: tuple[tuple[str, str], ...] = (("ours", "lb3"), ("bound", "lb3"), ("ours", "bound"))

Results = dict[str, dict[str, LoadResult]]  # server -> scenario key -> result
Counts = dict[str, dict[str, Count]]  # server -> scenario key -> statements of one request


@dataclass
class Run:
    """Every server (ours, LB3, the bound) on one database."""

    database: str
    header: list[str]
    results: Results = field(default_factory=dict)
    counts: Counts = field(default_factory=dict)
    skipped: dict[str, dict[str, str]] = field(default_factory=dict)  # server -> key -> why
    info: dict[str, dict[str, Any]] = field(default_factory=dict)  # seeding, start-up, probes
    notes: list[str] = field(default_factory=list)  # warnings to print

    def scenario_keys(self) -> list[str]:
        """Scenario keys measured or skipped by any server, in the order they run."""
        seen = [k for per in self.results.values() for k in per]
        seen += [k for per in self.skipped.values() for k in per]
        order = [s.key for s in SCENARIOS]
        return sorted(
            dict.fromkeys(seen), key=lambda k: order.index(k) if k in order else len(order)
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "header": self.header,
            "servers": {
                name: {k: v for k, v in i.items() if k != "probe"} for name, i in self.info.items()
            },
            "results": {
                s: {k: r.as_dict() for k, r in per.items()} for s, per in self.results.items()
            },
            "ratios_ours_over_lb3": ratios(self.results),
            "ratios": {f"{a}/{b}": ratios(self.results, a, b) for a, b in PAIRS},
            "statements": {
                s: {k: c.as_dict() for k, c in per.items()} for s, per in self.counts.items()
            },
            "not_measured": self.skipped,
            "warnings": self.notes,
        }


def ratios(
    results: Results, ours: str = "ours", theirs: str = "lb3"
) -> dict[str, dict[str, float]]:
    """ours/theirs per scenario: req/s above 1 and latencies below 1 mean `ours` is faster."""
    out: dict[str, dict[str, float]] = {}
    for key, mine in results.get(ours, {}).items():
        other = results.get(theirs, {}).get(key)
        if other is None:
            continue
        out[key] = {
            "rps": _div(mine.rps, other.rps),
            "p50": _div(mine.p50_ms, other.p50_ms),
            "p99": _div(mine.p99_ms, other.p99_ms),
        }
    return out


def _div(a: float, b: float) -> float:
    return a / b if b and not math.isnan(a) and not math.isnan(b) else math.nan


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _stmts(count: Count | None) -> str:
    """Statements of one request; `?` when it failed (its count is not the scenario's)."""
    if count is None:
        return "-"
    return f"{count.statements}{'' if count.ok else '?'}"


def _stmt_ratio(counts: Counts, key: str) -> str:
    mine, other = counts.get("ours", {}).get(key), counts.get("lb3", {}).get(key)
    if mine is None or other is None or not (mine.ok and other.ok) or not other.statements:
        return "-"
    return f"{mine.statements / other.statements:.2f}x"


def table(run: Run, titles: dict[str, str]) -> str:
    head = f"{'scenario':<10} {'server':<9} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7} {'stmts':>6} {'srv CPU':>8} {'db CPU':>7} {'cli CPU':>8} {'oth CPU':>8}"
    lines = [head, "-" * len(head)]
    servers = list(dict.fromkeys([*run.results, *run.skipped]))
    keys = run.scenario_keys()
    rel = {pair: ratios(run.results, *pair) for pair in PAIRS}
    for key in keys:
        lines.append(f"{key:<10} {titles.get(key, '')}")
        for server in servers:
            count = run.counts.get(server, {}).get(key)
            r = run.results.get(server, {}).get(key)
            if r is None:
                why = run.skipped.get(server, {}).get(key, "not run")
                lines.append(f"{'':<10} {server:<9} not measured: {why:.90}")
                continue
            lines.append(
                f"{'':<10} {server:<9} {r.rps:>9.0f} {r.p50_ms:>8.2f} {r.p90_ms:>8.2f} {r.p99_ms:>8.2f}"
                f" {r.max_ms:>8.1f} {r.errors:>7} {_stmts(count):>6} {_pct(r.server_cpu):>8}"
                f" {_pct(r.db_cpu):>7} {_pct(r.client_cpu):>8} {_pct(r.other_cpu):>8}"
            )
        for pair, per in rel.items():
            if (x := per.get(key)) is None:
                continue
            stmts = _stmt_ratio(run.counts, key) if pair == ("ours", "lb3") else ""
            lines.append(
                f"{'':<10} {'/'.join(pair):<9} {x['rps']:>8.2f}x {x['p50']:>7.2f}x {'':>8} {x['p99']:>7.2f}x"
                f" {'':>8} {'':>7} {stmts:>6}"
            )
    return "\n".join(lines)


def summary(runs: list[Run]) -> str:
    """One line per database and scenario: the figures to quote, with the ratios side by side."""
    head = (
        f"{'database':<10} {'scenario':<9} {'ours req/s':>10} {'lb3 req/s':>10} {'bound':>7}"
        f" {'ours/lb3':>8} {'bnd/lb3':>8} {'ours/bnd':>8}"
        f" {'ours p99':>9} {'lb3 p99':>8} {'bnd p99':>8} {'p99 o/l':>7} {'ours st':>8} {'lb3 st':>7}"
        f" {'ours cpu':>9} {'lb3 cpu':>8} {'bnd cpu':>8}"
    )
    lines = [head, "-" * len(head)]
    for run in runs:
        rel = {pair: ratios(run.results, *pair) for pair in PAIRS}
        for key in run.scenario_keys():
            mine, other, bound = (run.results.get(s, {}).get(key) for s in ("ours", "lb3", "bound"))
            x, y, z = (rel[pair].get(key) for pair in PAIRS)
            lines.append(
                f"{run.database:<10} {key:<9} {_num(mine, 'rps', '.0f'):>10}"
                f" {_num(other, 'rps', '.0f'):>10} {_num(bound, 'rps', '.0f'):>7}"
                f" {_x(x, 'rps'):>8} {_x(y, 'rps'):>8} {_x(z, 'rps'):>8}"
                f" {_num(mine, 'p99_ms', '.2f'):>9} {_num(other, 'p99_ms', '.2f'):>8}"
                f" {_num(bound, 'p99_ms', '.2f'):>8} {_x(x, 'p99'):>7}"
                f" {_stmts(run.counts.get('ours', {}).get(key)):>8}"
                f" {_stmts(run.counts.get('lb3', {}).get(key)):>7}"
                f" {_cpu_ms(mine):>9} {_cpu_ms(other):>8} {_cpu_ms(bound):>8}"
            )
    return "\n".join(lines)


def _cpu_ms(result: LoadResult | None) -> str:
    """Server-process CPU milliseconds per response: what a request costs the server, which a busy
    machine distorts much less than req/s (the database's share is not in it)."""
    if result is None or result.server_cpu is None or not result.rps:
        return "-"
    return f"{result.server_cpu / result.rps * 1000:.2f}"


def _num(result: LoadResult | None, attr: str, fmt: str) -> str:
    return "-" if result is None else format(getattr(result, attr), fmt)


def _x(ratio: dict[str, float] | None, key: str) -> str:
    return "-" if ratio is None else f"{ratio[key]:.2f}x"


def warnings(results: Results) -> list[str]:
    """What makes a figure suspect: errors, or a load generator that was itself near saturation."""
    out: list[str] = []
    for server, per in results.items():
        for key, r in per.items():
            if r.errors:
                out.append(
                    f"{server}/{key}: {r.errors} error(s) {r.statuses}; e.g. {r.error_samples[:1]}"
                )
            if r.stalled:
                out.append(f"{server}/{key}: {r.stalled} connection(s) never got their last answer")
            if r.other_cpu is not None and r.other_cpu > OTHER_CPU_LIMIT:
                out.append(
                    f"{server}/{key}: other processes used {_pct(r.other_cpu)} of a core while it "
                    "was measured; the machine was not quiet, re-run for figures to quote"
                )
            if r.client_cpu > 0.9:
                out.append(
                    f"{server}/{key}: the load generator used {_pct(r.client_cpu)} of a core; "
                    "the figure may be the client's limit"
                )
    return out


def write_json(path: Path, meta: dict[str, Any], runs: list[Run]) -> None:
    doc = {**meta, "runs": {run.database: run.as_dict() for run in runs}}
    path.parent.mkdir(parents=True, exist_ok=True)
    # NaN is not JSON: write null for a percentile of an empty sample
    path.write_text(json.dumps(_finite(doc), indent=2) + "\n")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
