"""Tables -> LB3 model definitions, as LB3's discoverSchema writes them (names, types, connector
settings, belongsTo/hasMany from foreign keys).

Whatever the runtime could not serve is left out with a warning rather than written for `serve` to
trip over: a table without a primary key, a column whose name cannot become a property, a relation
whose name is taken.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from .. import naming
from .read import Column, Schema, Table

Warn = Callable[[str], None]
# LB3's connector names, which key a model's and a property's database settings; the runtime reads
# LB3's connector names: SQLite's settings live under "sqlite3" (loopback-connector-sqlite3)
SETTINGS_KEY = {"postgresql": "postgresql", "mysql": "mysql", "sqlite": "sqlite3"}
# LoopBack's own models (loopback/common/models): a table of the same name replaces one of them
BUILTIN_MODELS = frozenset(
    {"AccessToken", "ACL", "Application", "Change", "Checkpoint", "Email", "KeyValueModel"}
    | {"Role", "RoleMapping", "Scope", "User"}
)
_WORD = re.compile(r"[0-9A-Za-z]+")
_MODIFIERS = re.compile(r"\s+(CHARACTER SET|COLLATE)\s.*$|\s+(UNSIGNED|ZEROFILL)\b", re.I)


@dataclass
class Model:
    name: str
    table: Table
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)  # in column order
    by_column: dict[str, str] = field(default_factory=dict)  # column -> property name
    relations: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def file_stem(self) -> str:
        return naming.lb3_file_stem(self.name)


def db_name_to_lb3(db_name: str, *, upper_first: bool) -> str:
    """LB3's discovery name mapper (`inventory_item` -> InventoryItem, `first_name` -> firstName),
    except that a mixed-case word keeps its inner capitals: LB3 would turn the `coffeeShopId` column
    of a table it created on MySQL into `coffeeshopid`, unlike the property it came from."""
    words = _WORD.findall(db_name)
    if db_name.upper() == db_name:  # FIRST_NAME, as Oracle-style schemas shout it
        words = [w.lower() for w in words]
    out = "".join(w[:1].upper() + w[1:] for w in words)
    return out if upper_first else out[:1].lower() + out[1:]


def build_models(schema: Schema, warn: Warn) -> list[Model]:
    models: dict[str, Model] = {}
    stems: dict[str, str] = {}
    for table in schema.tables:
        if not table.primary_key:
            warn(f"{table.name}: no primary key; skipped (the REST API finds rows by id)")
            continue
        name = db_name_to_lb3(table.name, upper_first=True)
        model = Model(name=name, table=table)
        if not name or name in models or model.file_stem in stems:
            other = models[name].table.name if name in models else stems.get(model.file_stem)
            why = f"its model name {name!r} is {other}'s" if other else "no model name"
            warn(f"{table.name}: {why}; skipped")
            continue
        if len(table.primary_key) > 1:
            first = db_name_to_lb3(table.primary_key[0], upper_first=False)
            warn(
                f"{table.name}: a composite primary key; /{{id}} routes use {first} alone, as LB3's"
            )
        if name in BUILTIN_MODELS:
            warn(f"{table.name}: model {name} replaces LoopBack's built-in {name} model")
        _add_properties(model, schema, warn)
        models[name] = model
        stems[model.file_stem] = table.name
    _add_relations(models, warn)
    return sorted(models.values(), key=lambda m: m.name)


def _add_properties(model: Model, schema: Schema, warn: Warn) -> None:
    key = SETTINGS_KEY[schema.backend]
    positions = {col: i + 1 for i, col in enumerate(model.table.primary_key)}
    for col in model.table.columns:
        prop = db_name_to_lb3(col.name, upper_first=False)
        if not prop or prop in model.properties:
            why = f"its property name {prop!r} is taken" if prop else "no property name"
            warn(f"{model.table.name}.{col.name}: {why}; column left out")
            continue
        lb3_type = property_type(col, schema.backend)
        if lb3_type is None:
            spelled = col.sql or "(none)"
            warn(f"{model.table.name}.{col.name}: type {spelled} has no LB3 type; made a string")
            lb3_type = "string"
        out: dict[str, Any] = {"type": lb3_type}
        if not col.nullable and not col.has_default and not col.generated:
            out["required"] = True
        length, precision, scale = _size(col)
        if lb3_type == "string" and length:
            out["length"] = length
        if lb3_type == "number" and precision is not None:
            out["precision"] = precision
            out["scale"] = scale
        if col.name in positions:
            out["id"] = positions[col.name]
        if col.generated:
            out["generated"] = True
        out[key] = {
            "columnName": col.name,
            "dataType": data_type(col),
            "dataLength": length,
            "dataPrecision": precision,
            "dataScale": scale,
            "nullable": "Y" if col.nullable else "N",
        }
        model.properties[prop] = out
        model.by_column[col.name] = prop


def property_type(col: Column, backend: str) -> str | None:
    kind = col.type
    if col.json or isinstance(kind, sa.JSON):
        return "object"
    if isinstance(kind, sa.Boolean) or _mysql_boolean(kind, backend):
        return "boolean"
    if isinstance(kind, sa.Integer | sa.Numeric | sa.Float):
        return "number"
    if isinstance(kind, sa.DateTime | sa.Date):
        return "date"
    if isinstance(kind, sa.String | sa.Uuid | sa.Time):  # TEXT, CHAR, ENUM too
        # LB3 reads TIME as a Date, which would put a time of day on 1970-01-01: text is truer
        return "string"
    if isinstance(kind, sa.LargeBinary | sa.BINARY | sa.VARBINARY):
        return "buffer"
    return None


def _mysql_boolean(kind: sa.types.TypeEngine[Any], backend: str) -> bool:
    """MySQL's BOOLEAN is TINYINT(1), and LB3 reads TINYINT(1) back as a boolean."""
    return (
        backend == "mysql"
        and isinstance(kind, mysql.TINYINT)
        and getattr(kind, "display_width", None) == 1
    )


def data_type(col: Column) -> str | None:
    """The type name without its size (which goes in dataLength/dataPrecision/dataScale), as LB3's
    discovery writes dataType, so that runtime/sql/types.py `data_type` reads it back; None (the
    property type's column) for a column without a type."""
    if col.json:
        return "json"
    bare = re.sub(r"\([^)]*\)", "", _MODIFIERS.sub("", col.sql))
    return " ".join(bare.lower().split()) or None


def _size(col: Column) -> tuple[int | None, int | None, int | None]:
    """(length, precision, scale): a string's length, a decimal's digits; TINYINT(1)'s width."""
    kind = col.type
    if isinstance(kind, sa.String) and not isinstance(kind, sa.Enum):
        return (kind.length or None, None, None)
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return (None, kind.precision, kind.scale)
    if isinstance(kind, mysql.TINYINT) and getattr(kind, "display_width", None) == 1:
        return (1, None, None)
    return (None, None, None)


def _add_relations(models: dict[str, Model], warn: Warn) -> None:
    """belongsTo on the table holding the key, then hasMany back on the table it points at."""
    by_table = {m.table.name: m for m in models.values()}
    links: list[tuple[Model, Model, str]] = []  # (source, target, foreign key property)
    for source in sorted(models.values(), key=lambda m: m.name):
        for fk in sorted(source.table.foreign_keys, key=lambda f: f.columns):
            other = f"{fk.target_schema}.{fk.target_table}" if fk.target_schema else fk.target_table
            where = f"{source.table.name}({', '.join(fk.columns)}) -> {other}"
            target = by_table.get(fk.target_table) if fk.target_schema is None else None
            if len(fk.columns) != 1:
                warn(f"{where}: a composite foreign key; no relation")
            elif target is None:
                warn(f"{where}: {other} is not being discovered; no relation")
            elif fk.target_columns != target.table.primary_key:
                warn(f"{where}: does not reference the primary key; no relation")
            elif fk.columns[0] in source.by_column:
                key = source.by_column[fk.columns[0]]
                name = _free(source, _belongs_to_names(key, target.name))
                if name is None:
                    warn(f"{where}: relation names taken in {source.name}; no belongsTo")
                else:
                    source.relations[name] = {
                        "type": "belongsTo",
                        "model": target.name,
                        "foreignKey": key,
                    }
                links.append((source, target, key))
    for source, target, key in links:
        name = _free(target, [_lower_first(naming.plural(source.name))])
        if name is None:
            warn(f"{target.name}: relation name for {source.name}.{key} taken; no hasMany")
            continue
        target.relations[name] = {"type": "hasMany", "model": source.name, "foreignKey": key}


def _belongs_to_names(key: str, target: str) -> list[str]:
    stripped = [key[:-2]] if len(key) > 2 and key[-2:] in ("Id", "ID") else []
    return [*stripped, _lower_first(target)]


def _free(model: Model, candidates: list[str]) -> str | None:
    return next(
        (n for n in candidates if n not in model.properties and n not in model.relations), None
    )


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def model_json(model: Model, backend: str, schema: str | None) -> dict[str, Any]:
    """LB3's key order, which readers of model JSON expect; relations sorted by name."""
    table: dict[str, Any] = {"schema": schema} if schema else {}
    table["table"] = model.table.name
    return {
        "name": model.name,
        "base": "PersistedModel",
        "idInjection": False,
        "options": {"validateUpsert": True},
        SETTINGS_KEY[backend]: table,
        "properties": model.properties,
        "validations": [],
        "relations": dict(sorted(model.relations.items())),
        "acls": [],
        "methods": {},
    }
