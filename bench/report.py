"""The printed table and the JSON results file.

The header states what is being compared (database, event loop, machine) because the figures mean
little without it: LB3 runs on its memory connector, we run on a SQLite file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .loadgen import LoadResult

# CPU of everything but server and client (kernel networking included) above which a run is suspect
OTHER_CPU_LIMIT = 0.25

Results = dict[str, dict[str, LoadResult]]  # server -> scenario key -> result


def ratios(
    results: Results, ours: str = "ours", theirs: str = "lb3"
) -> dict[str, dict[str, float]]:
    """ours/LB3 per scenario: req/s above 1 and latencies below 1 mean we are faster."""
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


def table(results: Results, titles: dict[str, str]) -> str:
    head = f"{'scenario':<10} {'server':<9} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7} {'srv CPU':>8} {'cli CPU':>8} {'oth CPU':>8}"
    lines = [head, "-" * len(head)]
    keys = list(dict.fromkeys(k for per in results.values() for k in per))
    rel = ratios(results)
    for key in keys:
        lines.append(f"{key:<10} {titles.get(key, '')}")
        for server, per in results.items():
            r = per.get(key)
            if r is None:
                continue
            lines.append(
                f"{'':<10} {server:<9} {r.rps:>9.0f} {r.p50_ms:>8.2f} {r.p90_ms:>8.2f} {r.p99_ms:>8.2f}"
                f" {r.max_ms:>8.1f} {r.errors:>7} {_pct(r.server_cpu):>8} {_pct(r.client_cpu):>8} {_pct(r.other_cpu):>8}"
            )
        if key in rel:
            x = rel[key]
            lines.append(
                f"{'':<10} {'ours/lb3':<9} {x['rps']:>8.2f}x {x['p50']:>7.2f}x {'':>8} {x['p99']:>7.2f}x"
            )
    return "\n".join(lines)


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


def write_json(path: Path, meta: dict[str, Any], results: Results) -> None:
    doc = {
        **meta,
        "results": {s: {k: r.as_dict() for k, r in per.items()} for s, per in results.items()},
        "ratios_ours_over_lb3": ratios(results),
    }
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
