"""The `specgen` command: check, generate and serve LoopBack 3 application directories.

specgen check APP_DIR
specgen generate APP_DIR -o OUT_DIR
specgen generate-all SPECS_DIR -o GENERATED_DIR [--check | --if-stale]
specgen serve APP_DIR [--host H] [--port P] [--db URL] [--generated PKG_DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import os
import sys
from pathlib import Path
from typing import Any

from . import naming
from .errors import SpecError, SpecInvalid
from .ir import AppSpec
from .loader import load_app
from .openapi import build_openapi, validate_openapi
from .render import diff_package, render_package, write_package


def compile_app(app_dir: Path, out_dir: Path) -> tuple[AppSpec, dict[str, str], list[SpecError]]:
    """Load, build, validate and render; raises SpecInvalid with every problem when the input is bad."""
    app, problems = load_app(app_dir)
    if app is None:
        raise SpecInvalid(problems)
    document = build_openapi(app)
    validate_openapi(document)
    rel = os.path.relpath(app_dir.resolve(), out_dir.resolve())
    return app, render_package(app, document, Path(rel).as_posix()), problems


def _print_problems(problems: list[SpecError]) -> None:
    for p in problems:
        print(p, file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    app, problems = load_app(args.app_dir)
    _print_problems(problems)
    if app is None:
        errors = sum(1 for p in problems if p.level == "error")
        print(f"{errors} error(s) in {args.app_dir}", file=sys.stderr)
        return 1
    document = build_openapi(app)
    validate_openapi(document)
    print(f"{args.app_dir}: {len(app.models)} models, {len(document['paths'])} paths, OK")
    return 0


def _generate(app_dir: Path, out_dir: Path, mode: str) -> int:
    try:
        _, files, problems = compile_app(app_dir, out_dir)
    except SpecInvalid as exc:
        _print_problems(exc.errors)
        return 1
    _print_problems(problems)
    stale = diff_package(files, out_dir)
    if mode == "check":
        for rel in stale:
            print(f"stale: {out_dir / rel}", file=sys.stderr)
        if stale:
            print("generated code is stale: run `make generate`", file=sys.stderr)
        return 1 if stale else 0
    if stale:
        write_package(files, out_dir)
        print(f"generated {out_dir} ({len(stale)} file(s) changed)")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    return _generate(Path(args.app_dir), Path(args.output), "check" if args.check else "write")


def cmd_generate_all(args: argparse.Namespace) -> int:
    specs, out = Path(args.specs_dir), Path(args.output)
    status = 0
    for app_dir in sorted(p for p in specs.iterdir() if (p / "model-config.json").exists()):
        target = out / naming.package_name(app_dir.name)
        status |= _generate(app_dir, target, "check" if args.check else "write")
    return status


def _cached_package(app_dir: Path) -> Path:
    """Generate into a cache keyed by the app's content, so `serve` works on any LB3 directory."""
    digest = hashlib.sha256()
    for f in sorted(app_dir.rglob("*")):
        if f.is_file() and f.suffix in {".json", ".py"} and "__pycache__" not in f.parts:
            digest.update(f.relative_to(app_dir).as_posix().encode())
            digest.update(f.read_bytes())
    root = Path(os.environ.get("SPECGEN_CACHE", Path.home() / ".cache" / "specgen"))
    pkg = root / digest.hexdigest()[:16] / f"lbapp_{naming.package_name(app_dir.resolve().name)}"
    if _generate(app_dir, pkg, "write") != 0:
        raise SystemExit(1)
    return pkg


def load_generated(pkg_dir: Path) -> Any:
    """Import a generated package from its directory."""
    sys.path.insert(0, str(pkg_dir.resolve().parent))
    return importlib.import_module(pkg_dir.resolve().name)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    app_dir = Path(args.app_dir)
    try:
        pkg_dir = Path(args.generated) if args.generated else _cached_package(app_dir)
    except SpecInvalid as exc:
        _print_problems(exc.errors)
        return 1
    package = load_generated(pkg_dir)
    app = package.create_app(db_url=args.db)
    host = args.host or app.config.host
    port = args.port or app.config.port
    print(f"Web server listening at: http://{host}:{port}{app.config.rest_api_root}")
    print(f"Browse your REST API at http://{host}:{port}/explorer")
    uvicorn.run(app, host=host, port=port, log_level=args.log_level, access_log=False)
    return 0


def main(argv: list[str] | None = None) -> int:
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
    p.add_argument("--db", help="SQLAlchemy URL that overrides datasources.json")
    p.add_argument(
        "--generated", help="use this generated package instead of generating into a cache"
    )
    p.add_argument("--log-level", default="info")
    p.set_defaults(fn=cmd_serve)

    args = parser.parse_args(argv)
    return int(args.fn(args))


if __name__ == "__main__":
    raise SystemExit(main())
