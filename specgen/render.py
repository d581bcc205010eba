"""OpenAPI document + intermediate model -> the files of a generated package, byte-for-byte deterministic.

`render_package` returns {relative path: text} and writes nothing; `write_package` and `diff_package`
apply or compare that result, so `make generate` and the CI stale check share one code path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import yaml

from . import naming
from .binders import remote_code
from .ir import AppSpec
from .openapi.operations import ENDPOINTS, base_path, operation_id
from .openapi.relation_endpoints import Surface, relation_operations
from .openapi.remote_methods import Owner, remote_operations
from .openapi.shared_methods import exposed
from .pydantic_models import render_models

TEMPLATES = Path(__file__).parent / "templates"
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
    autoescape=False,
)


class _NoAliasDumper(yaml.CSafeDumper):
    """Shared sub-schemas are written out in full: anchors make the document harder to read and
    give readers one mutable object in several places. libyaml's emitter (in PyYAML's wheels):
    PyYAML's pure-Python one took 17 s of a 30-model app's compile (bench/generate.py), this
    about a quarter of that; the two fold long quoted strings differently, so it is always this
    one (generated/ is compared byte for byte)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(document: dict[str, Any]) -> str:
    text: str = yaml.dump(
        document, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True, width=100
    )
    return text


def render_package(app: AppSpec, document: dict[str, Any], app_dir_rel: str) -> dict[str, str]:
    """All files of the generated package, by path relative to the package directory."""
    files = _render_files(app, document, app_dir_rel)
    files["models.py"] = render_models(document.get("components", {}).get("schemas", {}))
    return dict(sorted(files.items()))


def _render_files(app: AppSpec, document: dict[str, Any], app_dir_rel: str) -> dict[str, str]:
    surface = Surface.of(app)
    files: dict[str, str] = {"openapi.yaml": dump_yaml(document)}
    modules = []
    for model in surface.served.values():
        module = naming.module_name(model.name)
        modules.append({"name": model.name, "module": module})
        operations = [
            {
                "python_name": ep.python_name,
                "runtime_function": ep.python_name.removesuffix("_post"),
                "verb": ep.verb,
                "path": base_path(model) + ep.path,
                "operation_id": operation_id(model, ep),
                "summary": ep.summary,
            }
            for ep in ENDPOINTS
            if model.id_properties or "id" not in ep.params
        ]
        operations += [
            {
                "python_name": op.python_name,
                "runtime_function": op.runtime_function,
                "verb": op.endpoint.verb,
                "path": op.path,
                "operation_id": op.operation_id,
                "summary": op.summary,
            }
            for op in relation_operations(model, surface)
        ]
        remotes = [
            remote_code(op, set(surface.served))
            for op in remote_operations(Owner.of(model), model.methods)
            if exposed(model, op.lb_name)
        ]
        files[f"handlers/{module}.py"] = _env.get_template("handlers.py.jinja").render(
            model=model,
            operations=operations,
            remotes=remotes,
            uses_models=any(r.uses_models for r in remotes),
        )
    ctx = {"app": app, "models": modules, "app_dir_rel": app_dir_rel}
    files["handlers/__init__.py"] = _env.get_template("handlers_init.py.jinja").render(**ctx)
    files["app.py"] = _env.get_template("app.py.jinja").render(**ctx)
    files["__init__.py"] = _env.get_template("package_init.py.jinja").render(**ctx)
    return files


def write_package(files: dict[str, str], out_dir: Path) -> None:
    """Write the package, removing files a previous generation left that are no longer produced."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in sorted(out_dir.rglob("*")):
        rel = old.relative_to(out_dir).as_posix()
        if old.is_file() and rel not in files and "__pycache__" not in rel:
            old.unlink()
    for rel, text in files.items():
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


def diff_package(files: dict[str, str], out_dir: Path) -> list[str]:
    """Paths that differ between what specgen produces now and what is on disk."""
    stale = []
    existing = {
        p.relative_to(out_dir).as_posix()
        for p in out_dir.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    } if out_dir.exists() else set()  # fmt: skip
    for rel, text in files.items():
        target = out_dir / rel
        if rel not in existing or target.read_text(encoding="utf-8") != text:
            stale.append(rel)
    stale.extend(sorted(existing - set(files)))
    return stale
