"""The architecture as a test: runtime/ never imports specgen/ or generated/, specgen/'s pipeline never
imports runtime/, and the pure runtime stages (filter parsing, planning) import no SQLAlchemy.

Two parts of specgen/ stand at the edge and may use the runtime: the command line (it serves and
migrates what it compiles) and discovery (it reads a database through the runtime's drivers).
Three files cross the line on purpose, each so that one rule has one implementation (EDGES below);
the next step is to move what they share into a package both sides may import."""

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


# file -> the forbidden roots it may import, and why
EDGES: dict[str, set[str]] = {
    # the served document types the remote methods a model module declares from Python with the
    # compiler's own function (issue 11: no second implementation of the typing)
    "runtime/operations/remote.py": {"specgen"},
    # remoting.sharedMethods (config.json, model-config) decided by the compiler's own rule
    "runtime/operations/surface.py": {"specgen"},
    # the 401/403/404 an operation documents are what the runtime's own ACL policies answer
    "specgen/openapi/access_responses.py": {"runtime"},
}


@pytest.mark.parametrize(("where", "forbidden"), RULES, ids=[r[0] for r in RULES])
def test_layer_imports(where: str, forbidden: set[str]) -> None:
    target = ROOT / where
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    assert files, f"nothing to check under {where}"
    offenders = {
        str(f.relative_to(ROOT)): imported_roots(f)
        & forbidden - EDGES.get(str(f.relative_to(ROOT)), set())
        for f in files
    }
    assert {f: bad for f, bad in offenders.items() if bad} == {}
