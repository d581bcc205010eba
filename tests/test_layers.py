"""The architecture as a test: runtime/ never imports specgen/ or generated/, specgen/'s pipeline never
imports runtime/, and the pure runtime stages (filter parsing, planning) import no SQLAlchemy.

Two parts of specgen/ stand at the edge and may use the runtime: the command line (it serves and
migrates what it compiles) and discovery (it reads a database through the runtime's drivers)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


RULES = [
    ("runtime", {"specgen", "generated"}),
    ("specgen/load", {"runtime", "generated"}),
    ("specgen/openapi", {"runtime", "generated"}),
    ("specgen/render.py", {"runtime", "generated"}),
    ("specgen/naming.py", {"runtime", "generated"}),
    ("specgen/ir.py", {"runtime", "generated"}),
    ("runtime/filter", {"sqlalchemy", "starlette", "connexion"}),
    ("runtime/plan.py", {"sqlalchemy", "starlette", "connexion"}),
    (
        "runtime/auth",
        {"sqlalchemy", "starlette", "connexion"},
    ),  # decisions are pure; I/O is plugged in
]


@pytest.mark.parametrize(("where", "forbidden"), RULES, ids=[r[0] for r in RULES])
def test_layer_imports(where: str, forbidden: set[str]) -> None:
    target = ROOT / where
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    assert files, f"nothing to check under {where}"
    offenders = {str(f.relative_to(ROOT)): imported_roots(f) & forbidden for f in files}
    assert {f: bad for f, bad in offenders.items() if bad} == {}
