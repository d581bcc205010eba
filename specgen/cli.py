"""The `specgen` command: check, generate and serve LoopBack 3 application directories.

specgen check APP_DIR
specgen generate APP_DIR -o OUT_DIR
specgen generate-all SPECS_DIR -o GENERATED_DIR [--check | --if-stale]
specgen serve APP_DIR [--host H] [--port P] [--db URL] [--generated PKG_DIR] [--workers N]
              [--server uvicorn|granian]
specgen migrate APP_DIR [--db URL] [--drop] [--dry-run] [--generated PKG_DIR]
specgen discover --db URL [--schema S] [--tables a,b] -o DIR
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import importlib
import json
import os
import shutil
import sys
import warnings
from pathlib import Path
from typing import Any

from . import naming
from .errors import SpecError, SpecInvalid
from .implementations import unimplemented
from .ir import AppSpec
from .load import BUILTIN_SOURCES, app_root, load_app
from .load.config_files import environment
from .load.discovery import model_sources
from .load.problems import reading
from .openapi import build_openapi, validate_openapi, validated_beside
from .render import diff_package, render_package, write_package


def compile_app(app_dir: Path, out_dir: Path) -> tuple[AppSpec, dict[str, str], list[SpecError]]:
    """Load, build, validate and render; raises SpecInvalid with every problem when the input is bad."""
    app, problems = load_app(app_dir)
    if app is None:
        raise SpecInvalid(problems)
    app = with_rules(app, problems)
    document = build_openapi(app)
    rel = os.path.relpath(app.app_dir, out_dir.resolve())  # server/ when given an LB3 project
    with validated_beside(document):
        files = render_package(app, document, Path(rel).as_posix())
    return app, files, problems


def with_rules(app: AppSpec, problems: list[SpecError]) -> AppSpec:
    """The app with the validators each model module registers (runtime/validation/declared.py
    says why the compiler reads them through the runtime); what cannot be read is a warning."""
    from runtime.validation.declared import declared_rules

    models = []
    for model in app.models:
        if model.python_module:
            props = [p.name for p in model.properties]
            path = Path(app.app_dir) / model.python_module
            rules, problem = declared_rules(path, model.name, props)
            if problem:
                problems.append(SpecError(model.python_module, "/setup", problem, "warning"))
            model = dataclasses.replace(model, rules=tuple(rules))
        models.append(model)
    return dataclasses.replace(app, models=tuple(models))


def _print_problems(problems: list[SpecError]) -> None:
    for p in problems:
        print(p, file=sys.stderr)


def internal_error(command: str, exc: Exception) -> int:
    """A bug in specgen is one line naming the file it was reading, never a traceback (set
    SPECGEN_TRACEBACK=1 to see it)."""
    if os.environ.get("SPECGEN_TRACEBACK"):
        raise exc
    where = reading.get()
    at = f" while reading {where}" if where else ""
    print(
        f"specgen {command}: internal error{at}: {type(exc).__name__}: {exc} "
        "(a bug in specgen: please report it with that file)",
        file=sys.stderr,
    )
    return 2


def cmd_check(args: argparse.Namespace) -> int:
    try:
        return _check(args)
    except Exception as exc:  # see internal_error
        return internal_error("check", exc)


def _check(args: argparse.Namespace) -> int:
    reading.set("")
    app, problems = load_app(args.app_dir)
    if app is not None:
        problems = [*problems, *unimplemented(app)]
    _print_problems(problems)
    root = app_root(Path(args.app_dir))
    if (root / "model-config.json").is_file():
        _print_problems(_middleware_problems(root))
    if app is None:
        errors = sum(1 for p in problems if p.level == "error")
        print(f"{errors} error(s) in {args.app_dir}", file=sys.stderr)
        return 1
    reading.set(f"{app.app_dir} (its OpenAPI document)")
    found: list[SpecError] = []
    app = with_rules(app, found)
    _print_problems(found)
    document = build_openapi(app)
    validate_openapi(document)
    print(f"{args.app_dir}: {len(app.models)} models, {len(document['paths'])} paths, OK")
    return 0


def _middleware_problems(app_dir: Path) -> list[SpecError]:
    """middleware.json is read by the runtime at start-up (it has per-environment overrides, as
    datasources.json has); check reports the warnings start-up would give."""
    from runtime.middleware.stack import check_middleware

    return [SpecError(p.file, p.pointer, p.message, "warning") for p in check_middleware(app_dir)]


def _generate(
    app_dir: Path, out_dir: Path, mode: str, *, quiet: bool = False, starting: bool = False
) -> int:
    """`starting`: the server starts next and says its start-up warnings itself: not twice."""
    try:
        _, files, problems = compile_app(app_dir, out_dir)
    except SpecInvalid as exc:
        _print_problems(exc.errors)
        return 1
    _print_problems([p for p in problems if not (starting and p.at_startup)])
    stale = diff_package(files, out_dir)
    if mode == "check":
        for rel in stale:
            print(f"stale: {out_dir / rel}", file=sys.stderr)
        if stale:
            print("generated code is stale: run `make generate`", file=sys.stderr)
        return 1 if stale else 0
    if stale:
        write_package(files, out_dir)
        if not quiet:
            print(f"generated {out_dir} ({len(stale)} file(s) changed)")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    return _generate(Path(args.app_dir), Path(args.output), "check" if args.check else "write")


def cmd_generate_all(args: argparse.Namespace) -> int:
    specs, out = Path(args.specs_dir), Path(args.output)
    if not specs.is_dir():
        print(f"{specs}: not a directory", file=sys.stderr)
        return 1
    apps = sorted(p for p in specs.iterdir() if (app_root(p) / "model-config.json").exists())
    if not apps:
        print(f"{specs}: no application directory (with model-config.json) found", file=sys.stderr)
        return 1
    status = 0
    packages = set()
    for app_dir in apps:
        target = out / naming.package_name(app_dir.name)
        packages.add(target.name)
        status |= _generate(app_dir, target, "check" if args.check else "write")
    for orphan in _orphan_packages(out, packages):
        # a package whose app was removed or renamed would otherwise stay, importable and stale
        if args.check:
            print(f"stale: {orphan} (no application in {specs} generates it)", file=sys.stderr)
            status = 1
        else:
            shutil.rmtree(orphan)
            print(f"removed {orphan} (no application in {specs} generates it)")
    return status


def _orphan_packages(out: Path, expected: set[str]) -> list[Path]:
    """Packages in OUT that specgen generated (their __init__ says so) for an app no longer there."""
    found = []
    for pkg in sorted(out.iterdir()) if out.is_dir() else []:
        init = pkg / "__init__.py"
        if pkg.name in expected or not init.is_file():
            continue
        if "generated by specgen" in init.read_text(encoding="utf-8", errors="replace"):
            found.append(pkg)
    return found


def _inputs(app_dir: Path) -> list[Path]:
    """The files an app compiles from: its server/ directory (without node_modules) and the model
    directories `_meta.sources` names (../common/models, a package's models), which may lie
    outside it."""
    root = app_root(app_dir).resolve()
    wanted = {".json", ".py"}
    files = {
        f
        for f in root.rglob("*")
        if f.is_file()
        and f.suffix in wanted
        and not {"__pycache__", "node_modules"} & set(f.relative_to(root).parts)
    }
    try:
        model_config = json.loads((root / "model-config.json").read_text(encoding="utf-8-sig"))
        sources = model_sources(model_config) if isinstance(model_config, dict) else []
    except (OSError, UnicodeDecodeError, ValueError):
        sources = []  # reported by the loader
    for src in sources if isinstance(sources, list) else []:
        if isinstance(src, str) and src not in BUILTIN_SOURCES and (root / src).is_dir():
            files |= {f.resolve() for f in (root / src).iterdir() if f.suffix in wanted}
    return sorted(files)


def _cached_package(app_dir: Path, *, starting: bool = False) -> Path:
    """Generate into a cache keyed by the app's content, so `serve` works on any LB3 directory."""
    digest = hashlib.sha256()
    digest.update(environment().encode())  # model-config.<env>.json depends on it
    for f in _inputs(app_dir):
        digest.update(f.as_posix().encode())
        digest.update(f.read_bytes())
    root = Path(os.environ.get("SPECGEN_CACHE", Path.home() / ".cache" / "specgen"))
    pkg = root / digest.hexdigest()[:16] / f"lbapp_{naming.package_name(app_dir.resolve().name)}"
    if _generate(app_dir, pkg, "write", quiet=True, starting=starting) != 0:  # stdout: DDL
        raise SystemExit(1)
    return pkg


def load_generated(pkg_dir: Path) -> Any:
    """Import a generated package from its directory."""
    sys.path.insert(0, str(pkg_dir.resolve().parent))
    return importlib.import_module(pkg_dir.resolve().name)


FIX_DB = " (start the database named in datasources.json, correct its settings, or pass --db URL)"


def cmd_serve(args: argparse.Namespace) -> int:
    import sqlalchemy

    from runtime import workers
    from runtime.datasources import DataSourceError
    from runtime.db.urls import UnsupportedDatabase
    from runtime.errors import LoopBackError
    from runtime.sql.tables import TableDefinitionError

    try:
        pkg_dir = _package_dir(args, starting=True)
    except SpecInvalid as exc:
        _print_problems(exc.errors)
        return 1
    except Exception as exc:  # see internal_error
        return internal_error("serve", exc)
    try:
        package = load_generated(pkg_dir)
        reading.set(str(Path(args.app_dir) / "datasources.json"))
        app = package.create_app(db_url=args.db)  # creates missing tables, once
    except (DataSourceError, UnsupportedDatabase, TableDefinitionError) as exc:
        print(f"specgen serve: {exc}", file=sys.stderr)
        return 1
    except LoopBackError as exc:  # the database refused or could not be reached at start-up
        print(f"specgen serve: cannot create the tables: {exc.message}{FIX_DB}", file=sys.stderr)
        return 1
    except sqlalchemy.exc.SQLAlchemyError as exc:  # e.g. a login the server refuses
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"specgen serve: cannot create the tables: {reason}{FIX_DB}", file=sys.stderr)
        return 1
    except Exception as exc:  # see internal_error
        return internal_error("serve", exc)
    host = args.host or app.config.host
    port = args.port or app.config.port
    print(f"Web server listening at: http://{host}:{port}{app.config.rest_api_root}")
    print(f"Browse your REST API at http://{host}:{port}/explorer")
    try:
        workers.run(
            app,
            pkg_dir,
            server=args.server,
            host=host,
            port=port,
            workers=args.workers,
            log_level=args.log_level,
        )
    except workers.WorkersRefused as exc:
        print(f"specgen serve: {exc}", file=sys.stderr)
        return 1
    return 0


def _package_dir(args: argparse.Namespace, *, starting: bool = False) -> Path:
    if args.generated:
        return Path(args.generated)
    return _cached_package(Path(args.app_dir), starting=starting)


def cmd_migrate(args: argparse.Namespace) -> int:
    from runtime.migrate import run_migrate

    try:
        pkg_dir = _package_dir(args)
    except SpecInvalid as exc:
        _print_problems(exc.errors)
        return 1
    return run_migrate(
        Path(args.app_dir), pkg_dir, db=args.db, drop=args.drop, dry_run=args.dry_run
    )


def cmd_discover(args: argparse.Namespace) -> int:
    from .discover import run_discover

    tables = [t.strip() for t in args.tables.split(",") if t.strip()] if args.tables else None
    return run_discover(args.db, Path(args.output), schema=args.schema, tables=tables)


def main(argv: list[str] | None = None) -> int:
    # connexion imports starlette's test client, which warns about httpx on every start: not ours
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    parser = argparse.ArgumentParser(prog="specgen", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="validate an LB3 application directory, report every problem")
    p.add_argument("app_dir")
    p.set_defaults(fn=cmd_check)

    p = sub.add_parser("generate", help="compile an LB3 application directory into a package")
    p.add_argument("app_dir")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--check", action="store_true", help="fail if OUTPUT differs, write nothing")
    p.set_defaults(fn=cmd_generate)

    p = sub.add_parser("generate-all", help="generate every app under SPECS_DIR")
    p.add_argument("specs_dir")
    p.add_argument("-o", "--output", required=True)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="fail if any output is stale")
    mode.add_argument("--if-stale", action="store_true", help="write only what changed (default)")
    p.set_defaults(fn=cmd_generate_all)

    p = sub.add_parser("serve", help="serve an LB3 application directory")
    p.add_argument("app_dir")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument(
        "--db", help="database URL (sqlite://, postgresql://, mysql://) overriding datasources.json"
    )
    p.add_argument(
        "--generated", help="use this generated package instead of generating into a cache"
    )
    p.add_argument("--log-level", default="info")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (PostgreSQL, MySQL or a SQLite file; they share nothing else)",
    )
    p.add_argument(
        "--server",
        choices=("uvicorn", "granian"),
        default="uvicorn",
        help="the HTTP server (default: uvicorn)",
    )
    p.set_defaults(fn=cmd_serve)

    p = sub.add_parser(
        "migrate",
        help="create missing tables, columns and indexes (autoupdate); --drop recreates them",
    )
    p.add_argument("app_dir")
    p.add_argument("--db", help="database URL that overrides datasources.json")
    p.add_argument(
        "--drop", action="store_true", help="automigrate: drop the models' tables and recreate them"
    )
    p.add_argument("--dry-run", action="store_true", help="print the DDL, change nothing")
    p.add_argument("--generated", help="use this generated package instead of the cache")
    p.set_defaults(fn=cmd_migrate)

    p = sub.add_parser(
        "discover", help="write LB3 model JSON for the tables of an existing database"
    )
    p.add_argument("--db", required=True, help="database URL to read")
    p.add_argument("--schema", help="schema (PostgreSQL) or database (MySQL) to read")
    p.add_argument("--tables", help="comma-separated table names (default: every table)")
    p.add_argument("-o", "--output", required=True, help="application directory to write")
    p.set_defaults(fn=cmd_discover)

    args = parser.parse_args(argv)
    return int(args.fn(args))


if __name__ == "__main__":
    raise SystemExit(main())
