"""Helpers for compiler tests: write a small LB3 application from dicts into `tmp_path`.

Loader tests describe each case as the JSON an LB3 developer would write, so a test reads like the
input it covers; `write_app` lays it out as LB3 does (model-config.json, datasources.json and
models/<dashed-name>.json).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from specgen import naming
from specgen.errors import SpecError
from specgen.ir import AppSpec
from specgen.load import load_app

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
GENERATED = ROOT / "generated"
DEFAULT_SOURCES = ["loopback/common/models", "./models"]


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def write_app(
    root: Path,
    models: list[dict[str, Any]],
    *,
    attach: dict[str, dict[str, Any]] | None = None,
    datasources: dict[str, Any] | None = None,
    sources: list[str] | None = None,
) -> Path:
    """An LB3 app directory. Every model in `models` is attached to `db` and public unless `attach`
    (model-config entries by model name; None leaves a model out) says otherwise; `attach` may also
    attach built-ins."""
    model_config: dict[str, Any] = {"_meta": {"sources": sources or DEFAULT_SOURCES}}
    for m in models:
        model_config[m["name"]] = {"dataSource": "db", "public": True}
    model_config.update(attach or {})
    model_config = {k: v for k, v in model_config.items() if v is not None}
    write_json(root / "model-config.json", model_config)
    write_json(root / "datasources.json", datasources or {"db": {"connector": "memory"}})
    for m in models:
        write_json(root / "models" / f"{naming.lb3_file_stem(m['name'])}.json", m)
    return root


def load_ok(root: Path) -> tuple[AppSpec, list[SpecError]]:
    """Load an app that must have no errors; its warnings are returned for the test to check."""
    app, problems = load_app(root)
    assert app is not None, "\n".join(map(str, problems))
    assert [p for p in problems if p.level == "error"] == []
    return app, problems


def props(app: AppSpec, model: str) -> list[str]:
    """Property names of a model in LB3's order."""
    return [p.name for p in app.model(model).properties]
