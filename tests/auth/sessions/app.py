"""The app the session tests serve: `Member` (base User, LB3's defaults) with a `Note` each, and
`Agent` (base User) with the settings a login reads: realms, a verified e-mail, eternal tokens,
a shorter maxTTL, case-insensitive e-mails. Compiled once per test session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from specgen.cli import compile_app, load_generated
from specgen.render import write_package

MODELS: dict[str, dict[str, Any]] = {
    "Member": {"base": "User", "properties": {"nick": "string"}},
    "Agent": {
        "base": "User",
        "realmRequired": True,
        "emailVerificationRequired": True,
        "allowEternalTokens": True,
        "maxTTL": 7200,
        "caseSensitiveEmail": False,
    },
    "Note": {
        "properties": {"text": "string", "memberId": "number"},
        "relations": {"member": {"type": "belongsTo", "model": "Member", "foreignKey": "memberId"}},
    },
}
CONFIG = {"loginThrottle": {"accountFailures": 3, "addressFailures": 6, "windowSeconds": 600}}


def write_app(app_dir: Path) -> Path:
    def put(path: Path, content: Any) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content), "utf-8")

    model_config: dict[str, Any] = {"_meta": {"sources": ["loopback/common/models", "./models"]}}
    for name, definition in MODELS.items():
        model_config[name] = {"dataSource": "db", "public": True}
        put(app_dir / "models" / f"{name.lower()}.json", {"name": name, **definition})
    put(app_dir / "model-config.json", model_config)
    put(app_dir / "datasources.json", {"db": {"name": "db", "connector": "memory"}})
    put(app_dir / "config.json", {"restApiRoot": "/api", **CONFIG})
    return app_dir


def build_package(root: Path) -> Any:
    """The generated package (its create_app)."""
    app_dir = write_app(root / "session_app")
    out = root / "gen" / "pkg_session_app"
    _, files, problems = compile_app(app_dir, out)
    assert not [p for p in problems if p.level == "error"], problems
    write_package(files, out)
    return load_generated(out)
