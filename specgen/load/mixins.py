"""Mixins: a model's `"mixins": {"Name": options}` found in model-config.json's `_meta.mixins`
directories, as loopback-boot finds them, or built in.

A mixin is a Python module `<mixins dir>/<name>.py` with `setup(Model, options)`; the runtime runs it
at start-up, before the model's own module. The file name matches as loopback-boot's default
normalisation does: `time_stamp.py`, `time-stamp.py` and `TimeStamp.py` all provide "TimeStamp". An
app's own file wins over a built-in one. Built-in mixins whose properties the document must show
(LB3's common TimeStamp, loopback-ds-timestamp-mixin) add them here, at compile time.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import pointer
from ..ir import ModelSpec, PropertySpec
from .problems import Collector

DEFAULT_MIXIN_DIRS = ["./mixins"]  # loopback-boot's default without `_meta.mixins`


def _timestamp(options: dict[str, Any]) -> list[PropertySpec]:
    """loopback-ds-timestamp-mixin 3.x: `createdAt` (defaultFn now) and `updatedAt` (set by its
    `before save` hook), names from the options. Both are set by the server on create, so neither is
    required from clients (see docs/lb3-differences.md)."""
    names = (options.get("createdAt", "createdAt"), options.get("updatedAt", "updatedAt"))
    texts = (
        "Set by the server when the instance is created.",
        "Set by the server whenever the instance is saved.",
    )
    return [
        PropertySpec(name=n, type="date", default_fn="now", description=text)
        for n, text in zip(names, texts, strict=True)
        if isinstance(n, str) and n
    ]


BUILTIN_MIXINS = {"TimeStamp": _timestamp}


def mixin_dirs(model_config: dict[str, Any], root: Path) -> list[Path]:
    """`_meta.mixins` as directories of the app; `loopback/...` entries name LB3's own (empty) ones."""
    meta = model_config.get("_meta")
    listed = meta.get("mixins") if isinstance(meta, dict) else None
    entries = listed if isinstance(listed, list) else DEFAULT_MIXIN_DIRS
    return [
        (root / e).resolve()
        for e in entries
        if isinstance(e, str) and not e.startswith("loopback/")
    ]


def classify(stem: str) -> str:
    """loopback-boot's default mixin name for a file: `time-stamp` -> `TimeStamp`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_.\s]+", stem) if part)


def find_mixin(name: str, dirs: list[Path], suffix: str = ".py") -> Path | None:
    for directory in dirs:
        if not directory.is_dir():
            continue
        for f in sorted(directory.iterdir()):
            if f.suffix == suffix and name in (f.stem, classify(f.stem)):
                return f
    return None


def enabled_mixins(model: ModelSpec) -> dict[str, dict[str, Any]]:
    """The mixins juggler applies: `true` is no options, an object is the options, anything else
    (`false`) leaves the mixin out."""
    out: dict[str, dict[str, Any]] = {}
    for name, options in model.mixins.items():
        if options is True:
            out[name] = {}
        elif isinstance(options, dict):
            out[name] = options
    return out


def apply_mixins(
    models: dict[str, ModelSpec], dirs: list[Path], root: Path, errors: Collector
) -> dict[str, ModelSpec]:
    """Each model with its mixins' modules found and built-in mixins' properties added; a mixin
    found nowhere is a warning (it is ignored, at compile time and at start-up)."""
    shown = ", ".join(_relative(d, root) for d in dirs) or "none"
    out = {}
    for name, model in models.items():
        modules: dict[str, str] = {}
        props = {p.name: p for p in model.properties}
        for mixin, options in enabled_mixins(model).items():
            found = find_mixin(mixin, dirs)
            if found is not None:
                modules[mixin] = _relative(found, root)
            elif mixin in BUILTIN_MIXINS:
                props.update({p.name: p for p in BUILTIN_MIXINS[mixin](options)})
            else:
                script = find_mixin(mixin, dirs, ".js")
                hint = (
                    f"JavaScript mixin {_relative(script, root)} ignored (write it in Python "
                    "beside it, with setup(Model, options))"
                    if script is not None
                    else f'unknown mixin "{mixin}": no {mixin}.py in the mixin directories '
                    f"({shown}); it is ignored"
                )
                errors.warn(model.source, pointer("mixins", mixin), hint, at_startup=True)
        out[name] = replace(model, properties=tuple(props.values()), mixin_modules=modules)
    return out


def _relative(path: Path, root: Path) -> str:
    """Relative to the app directory (`../common/mixins/x.py` too): the document stays portable."""
    return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
