"""Generation is byte-for-byte deterministic whatever the hash seed (lesson L4).

Set and dict iteration order changes with PYTHONHASHSEED for strings; if any of it reached the
output, CI's stale check would fail at random. Each run is a fresh interpreter, as `make generate` is.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .appdir import ROOT

SEEDS = ("0", "1", "12345")


def generate(out: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run(
        [sys.executable, "-m", "specgen.cli", "generate-all", "specs", "-o", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_output_bytes_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    # same depth for every run, so the relative path to specs/ in app.py is the same
    outputs = {seed: generate(tmp_path / f"seed{seed}", seed) for seed in SEEDS}
    first = outputs[SEEDS[0]]
    assert "coffee_shop/openapi.yaml" in first and "coffee_shop/models.py" in first
    for seed in SEEDS[1:]:
        assert sorted(outputs[seed]) == sorted(first), seed
        differing = [rel for rel in first if outputs[seed][rel] != first[rel]]
        assert differing == [], f"PYTHONHASHSEED={seed} changed {differing}"
