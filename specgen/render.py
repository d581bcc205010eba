"""OpenAPI document + intermediate model -> the files of a generated package, byte-for-byte deterministic.

`render_package` returns {relative path: text} and writes nothing; `write_package` and `diff_package`
apply or compare that result, so `make generate` and the CI stale check share one code path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
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

TEMPLATES = Path(__file__).parent / "templates"

# Flags from the stack prototype: pydantic v2, no timestamp, builtin formatter (no black/isort run).
DATAMODEL_FLAGS = (
    "--input-file-type", "openapi",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--use-annotated", "--field-constraints", "--use-standard-collections", "--use-union-operator",
    "--target-python-version", "3.11", "--use-double-quotes", "--disable-timestamp",
    "--strict-nullable", "--formatters", "builtin", "--output-datetime-class", "datetime",
    "--use-schema-description", "--collapse-root-models", "--enum-field-as-literal", "all",
)  # fmt: skip

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
    autoescape=False,
)


class _NoAliasDumper(yaml.SafeDumper):
    """Shared sub-schemas are written out in full: anchors make the document harder to read and
    give readers one mutable object in several places."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(document: dict[str, Any]) -> str:
    text: str = yaml.dump(
        document, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True, width=100
    )
    return text


def pydantic_models(openapi_yaml: str) -> str:
    """Run datamodel-code-generator on the document (as a subprocess: its CLI is its stable API)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "openapi.yaml"
        out = Path(tmp) / "models.py"
        src.write_text(openapi_yaml, encoding="utf-8")
        cmd = [
            sys.executable, "-m", "datamodel_code_generator",
            "--input", "openapi.yaml", "--output", str(out), *DATAMODEL_FLAGS,
        ]  # fmt: skip
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"datamodel-code-generator failed:\n{proc.stderr}")
        return out.read_text(encoding="utf-8")


def render_package(app: AppSpec, document: dict[str, Any], app_dir_rel: str) -> dict[str, str]:
    """All files of the generated package, by path relative to the package directory."""
    openapi_yaml = dump_yaml(document)
    surface = Surface.of(app)
    files: dict[str, str] = {
        "openapi.yaml": openapi_yaml,
        "models.py": pydantic_models(openapi_yaml),
    }
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
    return dict(sorted(files.items()))


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
