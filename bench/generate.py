"""`python -m bench.generate`: how long `specgen generate` takes on a synthetic 100-model LB3 app.

The app is written into a temp dir from a fixed recipe (no RNG): `--models` models (100) with a
property of every LB3 type, a belongsTo/hasMany chain between neighbours, a hasOne to the model two
along (which belongsTo it back), and every tenth model from the third a through model giving its
two predecessors a hasManyThrough each way; every fifth model carries Review-like ACLs. Three
models already hold every relation kind. Then:

    generate      `specgen generate APP -o OUT` in a fresh interpreter, into an empty OUT: the
                  number the issue's target is about (wall clock under `--target`, default 10 s)
    import models `import models` of that output in a fresh interpreter, every class complete
    generate-all  `specgen generate-all SPECS -o OUT` over a specs dir holding only this app
    stages        the compiler's stages in this process (load, openapi, validate, yaml, and
                  models.py), CPU seconds each

Wall and CPU seconds are both printed: CPU (this process's children, or this process) is what a
loaded machine does not distort. Exit 1 when `generate` is over the target. `--profile FILE`
writes a cProfile of the in-process stages (`python -m pstats FILE`).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .servers import ROOT

THROUGH_EVERY = 10  # every tenth model (from the third) links its two predecessors both ways
HAS_ONE = 2  # each model hasOne the model this far along (which belongsTo it as `owner`)
ACL_EVERY = 5  # every fifth model carries ACLs

PROPERTIES: dict[str, dict[str, Any]] = {
    "name": {"type": "string", "required": True},
    "description": {"type": "string", "default": ""},
    "price": {"type": "number"},
    "quantity": {"type": "number", "default": 0},
    "active": {"type": "boolean", "default": True},
    "createdAt": {"type": "date"},
    "settings": {"type": "object"},
    "tags": {"type": ["string"]},
    "location": {"type": "geopoint"},
}

ACLS: list[dict[str, Any]] = [
    {"accessType": "*", "principalType": "ROLE", "principalId": "$everyone", "permission": "DENY"},
    {
        "accessType": "READ",
        "principalType": "ROLE",
        "principalId": "$everyone",
        "permission": "ALLOW",
    },
    {
        "accessType": "EXECUTE",
        "principalType": "ROLE",
        "principalId": "$authenticated",
        "permission": "ALLOW",
        "property": "create",
    },
    {
        "accessType": "WRITE",
        "principalType": "ROLE",
        "principalId": "$owner",
        "permission": "ALLOW",
    },
]


def model_name(i: int) -> str:
    return f"Thing{i:03d}"


def is_through(i: int, n: int) -> bool:
    return i % THROUGH_EVERY == 2 and i < n


def synthetic_models(n: int) -> dict[str, dict[str, Any]]:
    """LB3 model definitions by name: relations of every kind the issue names, between them."""
    models: dict[str, dict[str, Any]] = {}
    for i in range(n):
        rel: dict[str, dict[str, Any]] = {}
        if i > 0:  # a chain: each model belongs to the one before, which has many of it
            rel["parent"] = {
                "type": "belongsTo",
                "model": model_name(i - 1),
                "foreignKey": "parentId",
            }
        if i + 1 < n:
            rel["children"] = {
                "type": "hasMany",
                "model": model_name(i + 1),
                "foreignKey": "parentId",
            }
        if i + HAS_ONE < n:
            to = model_name(i + HAS_ONE)
            rel["profile"] = {"type": "hasOne", "model": to, "foreignKey": "ownerId"}
        if i >= HAS_ONE:
            to = model_name(i - HAS_ONE)
            rel["owner"] = {"type": "belongsTo", "model": to, "foreignKey": "ownerId"}
        models[model_name(i)] = {
            "name": model_name(i),
            "base": "PersistedModel",
            "idInjection": True,
            "options": {"validateUpsert": True},
            "properties": dict(PROPERTIES),
            "validations": [],
            "relations": rel,
            "acls": list(ACLS) if i % ACL_EVERY == 0 else [],
            "methods": {},
        }
    for i in range(n):
        if not is_through(i, n):
            continue
        link, left, right = model_name(i), model_name(i - 1), model_name(i - 2)
        models[link]["relations"] |= {
            "left": {"type": "belongsTo", "model": left, "foreignKey": "leftId"},
            "right": {"type": "belongsTo", "model": right, "foreignKey": "rightId"},
        }
        models[left]["relations"]["rights"] = {
            "type": "hasMany", "model": right, "through": link,
            "foreignKey": "leftId", "keyThrough": "rightId",
        }  # fmt: skip
        models[right]["relations"]["lefts"] = {
            "type": "hasMany", "model": left, "through": link,
            "foreignKey": "rightId", "keyThrough": "leftId",
        }  # fmt: skip
    return models


def write_app(app_dir: Path, n: int) -> None:
    """An LB3 server/ directory: config, a memory data source, model-config, models/*.json."""
    models = synthetic_models(n)
    (app_dir / "models").mkdir(parents=True)
    config = {"restApiRoot": "/api", "host": "127.0.0.1", "port": 3000}
    datasources = {"db": {"name": "db", "connector": "memory"}}
    model_config: dict[str, Any] = {
        "_meta": {"sources": ["loopback/common/models", "loopback/server/models", "./models"]},
        **{m: {"dataSource": "db", "public": False} for m in ("User", "AccessToken", "ACL")},
        **{m: {"dataSource": "db", "public": False} for m in ("RoleMapping", "Role")},
        **{name: {"dataSource": "db", "public": True} for name in models},
    }
    for file, value in (
        ("config.json", config),
        ("datasources.json", datasources),
        ("model-config.json", model_config),
    ):
        (app_dir / file).write_text(json.dumps(value, indent=2))
    for name, definition in models.items():
        (app_dir / "models" / f"thing-{name[5:]}.json").write_text(json.dumps(definition, indent=2))


def cpu_children() -> float:
    """CPU seconds of every finished child process so far (their children included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_command(argv: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one specgen command in a fresh interpreter; CPU is what a loaded
    machine does not distort. Raises on failure."""
    t, cpu = time.perf_counter(), cpu_children()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t, cpu_children() - cpu
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed


def phases(app_dir: Path) -> tuple[dict[str, float], int]:
    """CPU seconds of each compiler stage in this process, and the size of the OpenAPI document in
    bytes."""
    from specgen.cli import with_rules
    from specgen.load import load_app
    from specgen.openapi import build_openapi, validate_openapi
    from specgen.pydantic_models import render_models
    from specgen.render import dump_yaml

    out: dict[str, float] = {}
    t = time.process_time()
    app, problems = load_app(app_dir)
    if app is None:
        raise RuntimeError(f"the synthetic app does not load: {problems[:5]}")
    app = with_rules(app, problems)
    out["load"] = time.process_time() - t
    t = time.process_time()
    document = build_openapi(app)
    out["openapi"] = time.process_time() - t
    t = time.process_time()
    validate_openapi(document)
    out["validate"] = time.process_time() - t
    t = time.process_time()
    text = dump_yaml(document)
    out["yaml"] = time.process_time() - t
    t = time.process_time()
    render_models(document["components"]["schemas"])
    out["models.py"] = time.process_time() - t
    return out, len(text.encode())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("--models", type=int, default=100, help="models in the synthetic app")
    p.add_argument("--target", type=float, default=10.0, help="seconds `generate` must stay under")
    p.add_argument("--no-all", dest="all", action="store_false", help="skip generate-all")
    p.add_argument("--no-phases", dest="phases", action="store_false", help="skip the stages")
    p.add_argument("--profile", type=Path, help="write a cProfile of the in-process stages here")
    p.add_argument("--keep", type=Path, help="also copy the synthetic app here (to look at it)")
    args, _ = p.parse_known_args(argv)  # `make bench ARGS=...` may pass bench.run's options
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    specgen = str(Path(sys.executable).with_name("specgen"))
    relations = sum(len(m["relations"]) for m in synthetic_models(args.models).values())
    lines = [
        f"== specgen generate on a synthetic app: {args.models} models, {relations} relations, "
        f"{len(PROPERTIES)} properties a model; target {args.target:g} s (wall)",
        f"{'step':<14} {'wall s':>8} {'cpu s':>8}",
    ]
    with tempfile.TemporaryDirectory(prefix="lb3py-bench-generate-") as tmp:
        specs = Path(tmp) / "specs"
        app_dir = specs / "synthetic"
        write_app(app_dir, args.models)
        if args.keep:
            shutil.copytree(app_dir, args.keep, dirs_exist_ok=True)
        out = Path(tmp) / "out"
        wall, cpu = timed_command([specgen, "generate", str(app_dir), "-o", str(out)])
        files = [p for p in out.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files) / 1e6
        lines.append(
            f"{'generate':<14} {wall:>8.2f} {cpu:>8.2f}   (fresh interpreter, empty output: "
            f"{len(files)} files, {size:.1f} MB)"
        )
        # the output is of use only when it imports: models.py's classes, complete
        check = (
            "import sys; sys.path.insert(0, sys.argv[1]); import models, pydantic; "
            "incomplete = [n for n, c in vars(models).items() if isinstance(c, type) and "
            "issubclass(c, pydantic.BaseModel) and c.__module__ == 'models' "
            "and not c.__pydantic_complete__]; "
            "sys.exit(f'incomplete: {incomplete[:5]}' if incomplete else 0)"
        )
        imported = timed_command([sys.executable, "-c", check, str(out)])
        lines.append(f"{'import models':<14} {imported[0]:>8.2f} {imported[1]:>8.2f}")
        if args.all:
            every = timed_command([specgen, "generate-all", str(specs), "-o", f"{tmp}/all"])
            lines.append(f"{'generate-all':<14} {every[0]:>8.2f} {every[1]:>8.2f}")
        if args.phases:
            profiler = cProfile.Profile() if args.profile else None
            if profiler:
                profiler.enable()
            stages, document = phases(app_dir)
            if profiler:
                profiler.disable()
                profiler.dump_stats(args.profile)
            lines += [f"  {name:<12} {'':>8} {s:>8.2f}" for name, s in stages.items()]
            lines.append(f"  (stages in this process; OpenAPI document {document / 1e6:.1f} MB)")
    if args.profile and args.phases:
        lines.append(f"profile of the stages: {args.profile} (python -m pstats)")
    ok = wall < args.target
    lines.append(f"{'OK' if ok else 'OVER TARGET'}: generate {wall:.2f} s vs {args.target:g} s")
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:
        sys.exit(f"bench.generate: {exc}")
