"""OpenAPI document + intermediate model -> the files of a generated package, byte-for-byte deterministic.

`render_package` returns {relative path: text} and writes nothing; `write_package` and `diff_package`
apply or compare that result, so `make generate` and the CI stale check share one code path.
"""

from __future__ import annotations

import json
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
MODELS_INPUT = "openapi.json"  # datamodel-code-generator decodes a .json input as JSON

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


class ModelsJob:
    """datamodel-code-generator on the document, in a subprocess (its CLI is its stable API; and
    PYTHONHASHSEED is pinned there, for byte-identical output) started as soon as the document
    exists, so that it runs beside validation and YAML writing: it is most of a large app's
    compile (bench/generate.py). It reads the component schemas alone, as JSON: with
    `--input-file-type openapi` it makes models of `components/schemas` only, so the paths (half of
    a large document) were only parsing work, and its YAML reader is pure Python."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        tmp = Path(self._tmp.name)
        schemas = {
            "openapi": document["openapi"],
            "info": document["info"],
            "paths": {},
            "components": {"schemas": document.get("components", {}).get("schemas", {})},
        }
        (tmp / MODELS_INPUT).write_text(json.dumps(schemas), encoding="utf-8")
        self._out = tmp / "models.py"
        cmd = [
            sys.executable, "-m", "datamodel_code_generator",
            "--input", MODELS_INPUT, "--output", str(self._out), *DATAMODEL_FLAGS,
        ]  # fmt: skip
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        self._proc = subprocess.Popen(
            cmd, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )

    def result(self) -> str:
        """models.py's text; its header names the package's openapi.yaml, whose schemas these are."""
        try:
            _, stderr = self._proc.communicate()
            if self._proc.returncode != 0:
                raise RuntimeError(f"datamodel-code-generator failed:\n{stderr}")
            text = self._out.read_text(encoding="utf-8")
        finally:
            self.close()
        return text.replace(f"filename:  {MODELS_INPUT}\n", "filename:  openapi.yaml\n", 1)

    def close(self) -> None:
        """Stop the subprocess if it still runs (the compile failed) and remove its files."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.communicate()
        self._tmp.cleanup()


def pydantic_models(document: dict[str, Any]) -> str:
    """models.py of the document (datamodel-code-generator, see ModelsJob)."""
    return ModelsJob(document).result()


def render_package(
    app: AppSpec, document: dict[str, Any], app_dir_rel: str, models: ModelsJob | None = None
) -> dict[str, str]:
    """All files of the generated package, by path relative to the package directory; `models`:
    models.py's job when the caller started it earlier (else it starts here, beside the rest)."""
    job = models or ModelsJob(document)
    try:
        files = _render_files(app, document, app_dir_rel)
        files["models.py"] = job.result()
    finally:
        job.close()
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
