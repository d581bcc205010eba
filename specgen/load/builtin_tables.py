"""LB3's built-in models beside the app's own model of the same name in another case (`User` and
`user`): LB3's memory connector keeps them apart, but their tables would be one on SQLite and
PostgreSQL (table names are case-insensitive there), so `serve` crashed creating the second.

The app's model keeps the table name (it holds the app's rows). The built-in one gets no table when
it is neither public nor the target of one of the app's relations (nothing could read or write its
rows through the REST API); otherwise its table is renamed, with a warning saying so.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import pointer
from ..ir import ModelSpec
from .discovery import RawModel
from .problems import Collector


def separate_builtin_tables(
    models: dict[str, ModelSpec], raw: dict[str, RawModel], mc_file: str, errors: Collector
) -> dict[str, ModelSpec]:
    own = {
        (m.datasource, _default_table(m)): m
        for m in models.values()
        if not _builtin(m, raw) and isinstance(m.datasource, str)
    }
    out = dict(models)
    for name, model in models.items():
        if not _builtin(model, raw) or not isinstance(model.datasource, str):
            continue
        clash = own.get((model.datasource, _default_table(model)))
        if clash is None or clash.name == name:
            continue
        used = any(
            r.model == name for m in models.values() if not _builtin(m, raw) for r in m.relations
        )
        at = pointer(name)
        if not model.public and not used:
            errors.warn(
                mc_file,
                at,
                f'the built-in model "{name}" gets no table: its table would be the one of your '
                f'model "{clash.name}", and it is neither public nor used by your models',
            )
            out[name] = replace(model, datasource=None)
            continue
        table = f"{name}_builtin"
        errors.warn(
            mc_file,
            at,
            f'the built-in model "{name}" is stored in table "{table}": its own table would be '
            f'the one of your model "{clash.name}"',
        )
        settings = dict(model.settings)
        for key in ("postgresql", "mysql", "sqlite3"):
            own_settings = settings.get(key)
            base = own_settings if isinstance(own_settings, dict) else {}
            settings[key] = {**base, "table": table.lower() if key == "postgresql" else table}
        out[name] = replace(model, settings=settings)
    return out


def _builtin(model: ModelSpec, raw: dict[str, RawModel]) -> bool:
    return model.name in raw and raw[model.name].builtin


def _default_table(model: ModelSpec) -> str:
    """The table name as the database compares it (case-insensitively on SQLite and PostgreSQL)."""
    return model.name.lower()
