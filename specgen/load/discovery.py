"""Find the model JSON files of an app through model-config.json's `_meta.sources`, as loopback-boot.

Each source directory is scanned in order; LB3's own models (loopback/common/models) come from the
copies in specgen/builtins. The result is the raw JSON per model name, not yet resolved.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import naming
from .files import Display, read_json
from .problems import Collector

BUILTIN_DIR = Path(__file__).parent.parent / "builtins"
BUILTIN_SOURCES = {"loopback/common/models": BUILTIN_DIR, "loopback/server/models": None}
# models of LB3 components we ship, served when the package is not installed beside the app
COMPONENT_DIRS = {"loopback-component-passport": BUILTIN_DIR / "passport"}
_PACKAGE = re.compile(r"(?:^|/)node_modules/((?:@[^/]+/)?[^/]+)")
DEFAULT_SOURCES = [
    "loopback/common/models",
    "loopback/server/models",
    "../common/models",
    "./models",
]
_UNSAFE_NAME = re.compile(r"[\s/#?%]")


@dataclass
class RawModel:
    name: str
    file: str
    data: dict[str, Any]
    python_module: str | None
    builtin: bool = False  # from loopback/common/models
    force_setting: Any = None  # LB3's resolved `forceId` setting, which sub-models inherit
    hidden: set[str] = field(default_factory=set)  # own and inherited `hidden` names
    protected: set[str] = field(default_factory=set)


def model_sources(model_config: dict[str, Any]) -> Any:
    """`_meta.sources` as written (checked by `discover_models`), or loopback-boot's default."""
    meta = model_config.get("_meta") or {}
    return meta.get("sources", DEFAULT_SOURCES) if isinstance(meta, dict) else DEFAULT_SOURCES


def discover_models(
    root: Path,
    sources: Any,
    errors: Collector,
    display: Display,
    model_config: str,
    unreadable: set[str],
) -> dict[str, RawModel]:
    found: dict[str, RawModel] = {}
    if not isinstance(sources, list):
        errors.error(model_config, "/_meta/sources", "must be an array of directories")
        return found
    implicit = 0
    if "loopback/common/models" not in sources:
        # LB3 defines its built-in models whatever the sources say (`base: "User"` always works)
        sources, implicit = ["loopback/common/models", *sources], 1
    for index, src in enumerate(sources):
        if not isinstance(src, str):
            continue
        component = False
        if src in BUILTIN_SOURCES:
            directory = BUILTIN_SOURCES[src]
            if directory is None:
                continue
        else:
            directory = (root / src).resolve()
            if not directory.is_dir():
                package = _PACKAGE.search(src)
                if package is None:
                    continue
                shipped = COMPONENT_DIRS.get(package.group(1))
                if shipped is None:
                    errors.missing_packages.append(package.group(1))
                    errors.warn(
                        model_config,
                        f"/_meta/sources/{index - implicit}",
                        f'package "{package.group(1)}" is not installed, so its models are unknown: '
                        f"run `npm install {package.group(1)}` beside the app, or copy its model "
                        "JSON files into common/models",
                    )
                    continue
                directory, component = shipped, True
        for f in sorted(directory.glob("*.json")):
            if f.name.startswith("_"):  # loopback-boot skips these too
                continue
            data = read_json(f, errors, display(f))
            if data is None:
                unreadable.add(naming.model_name_from_file(f.stem))
                continue
            if not isinstance(data, dict):
                errors.error(display(f), "", "a model definition must be a JSON object")
                continue
            name = data.get("name") or naming.model_name_from_file(f.stem)
            if not isinstance(name, str):
                errors.error(display(f), "/name", "must be a model name")
                continue
            if _UNSAFE_NAME.search(name):
                # the name becomes a URL segment, a schema name and a JSON pointer
                message = f"model name {json.dumps(name)} cannot contain spaces, /, #, ? or %"
                errors.error(display(f), "/name", message)
                unreadable.add(name)
                continue
            if name in found and found[name].builtin:
                # loopback-boot lets a later source replace a model; say so, since it is rarely meant
                errors.warn(display(f), "/name", f'replaces the built-in model "{name}"')
            elif name in found:
                errors.error(
                    display(f),
                    "/name",
                    f'duplicate model "{name}" (also defined in {found[name].file})',
                )
                continue
            py = f.with_suffix(".py")
            if f.with_suffix(".js").exists() and directory != BUILTIN_DIR and not component:
                errors.warn(
                    display(f.with_suffix(".js")),
                    "",
                    f"JavaScript model file ignored; write {py.name} with setup(Model) instead",
                )
            module = os.path.relpath(py, root).replace(os.sep, "/") if py.exists() else None
            builtin = src in BUILTIN_SOURCES or component
            found[name] = RawModel(name, display(f), data, module, builtin=builtin)
    return found
