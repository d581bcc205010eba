"""SQLAlchemy tables from the model registry, built once at start-up.

Names and indexes follow LB3's SQL connectors, so that an LB3 application's existing database is
served as it is: PostgreSQL folds table and column names to lower case and names a property's index
`<table>_<column>_idx` (as we do on SQLite); MySQL keeps names as written and names a property's index
after its column.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..registry import ModelMeta, PropertyMeta
from .types import column_type, settings_key
from .unique import unique_index, unique_rules


class TableDefinitionError(ValueError):
    """A model's connector settings or indexes cannot become a table."""


@dataclass(frozen=True)
class ModelTable:
    model: ModelMeta
    table: sa.Table
    columns: dict[str, sa.Column[object]]  # by property name
    # every table built with this one, by model name: where a relation's target table is found
    catalog: dict[str, ModelTable] = field(default_factory=dict, compare=False, repr=False)
    # the database binds a list as one array parameter (PostgreSQL): `inq` is `= ANY(:list)`, one
    # prepared statement for every length of list
    arrays: bool = field(default=False, compare=False)

    def column(self, prop: str) -> sa.Column[object]:
        return self.columns[prop]

    def integer_columns(self) -> dict[str, int]:
        """Number properties whose column holds integers (a `dataType` override), with its bits."""
        out = {}
        for name, col in self.columns.items():
            prop = self.model.properties[name]
            if prop.type == "number" and not prop.integer and isinstance(col.type, sa.Integer):
                out[name] = (
                    16
                    if isinstance(col.type, sa.SmallInteger)
                    else (64 if isinstance(col.type, sa.BigInteger) else 32)
                )
        return out


def table_name(model: ModelMeta, backend: str) -> str:
    explicit = _setting(model.settings, backend, "table")
    if explicit:
        return explicit
    return model.name.lower() if backend == "postgresql" else model.name


def schema_name(model: ModelMeta, backend: str) -> str | None:
    if backend == "sqlite":  # a SQLite "schema" is an attached database file
        return None
    return _setting(model.settings, backend, "schema") or (
        _setting(model.settings, backend, "database") if backend == "mysql" else None
    )


def column_name(prop: PropertyMeta, backend: str) -> str:
    explicit = _setting(prop.settings, backend, "columnName") or prop.settings.get("columnName")
    if isinstance(explicit, str) and explicit:
        return explicit
    return prop.name.lower() if backend == "postgresql" else prop.name


def build_tables(
    models: Iterable[ModelMeta], backend: str
) -> tuple[sa.MetaData, dict[str, ModelTable]]:
    """Every model's table on one MetaData (what start-up, migrate and tests build)."""
    metadata = sa.MetaData()
    models = list(models)
    keys = foreign_keys(models)
    catalog: dict[str, ModelTable] = {}
    for m in models:
        built = build_table(m, metadata, backend, foreign_keys=keys.get(m.name, set()))
        catalog[m.name] = ModelTable(built.model, built.table, built.columns, catalog, built.arrays)
    if backend != "mysql":
        _unique_index_names(metadata)
    return metadata, catalog


def _unique_index_names(metadata: sa.MetaData) -> None:
    """An index name is unique per database on PostgreSQL and SQLite (per table on MySQL): a model
    index name that several tables use (LB3 apps often repeat `code_idx`) is prefixed with its
    table's name, as property indexes are."""
    by_name: dict[str, list[tuple[sa.Table, sa.Index]]] = {}
    for table in metadata.tables.values():
        for index in table.indexes:
            by_name.setdefault(str(index.name), []).append((table, index))
    for name, uses in by_name.items():
        if len(uses) > 1:
            for table, index in uses:
                index.name = sa.sql.elements.conv(f"{table.name}_{name}")


def foreign_keys(models: Iterable[ModelMeta]) -> dict[str, set[str]]:
    """The properties that hold a relation's foreign key, by model: the belongsTo side's own key,
    the target's key of a hasMany/hasOne, and both keys of a through model's join rows. Relation
    queries look rows up by them, so each gets an index."""
    by_name = {m.name: m for m in models}
    found: dict[str, set[str]] = {}
    for model in by_name.values():
        for rel in model.relations.values():
            keys: list[tuple[str | None, str | None]]
            if rel.type == "belongsTo":
                keys = [(model.name, rel.foreign_key)]
            elif rel.type in ("hasMany", "hasOne") and not rel.through:
                keys = [(rel.model, rel.foreign_key)]
            elif rel.through:  # both keys of the join rows
                keys = [(rel.through, rel.foreign_key), (rel.through, rel.key_through)]
            else:
                continue
            for owner, key in keys:
                target = by_name.get(owner or "")
                prop = target.properties.get(key or "") if target is not None else None
                if target is not None and prop is not None and not prop.id:
                    found.setdefault(target.name, set()).add(prop.name)
    return found


def build_table(
    model: ModelMeta, metadata: sa.MetaData, backend: str, *, foreign_keys: Collection[str] = ()
) -> ModelTable:
    indexed = _indexed_properties(model) | set(foreign_keys)
    columns: dict[str, sa.Column[object]] = {}
    for prop in model.properties.values():
        try:
            kind = column_type(prop, backend, indexed=prop.name in indexed)
        except ValueError as exc:
            raise TableDefinitionError(f"{model.name}.{prop.name}: {exc}") from None
        columns[prop.name] = sa.Column(
            column_name(prop, backend),
            kind,
            primary_key=bool(prop.id),
            autoincrement=prop.integer_id,
            nullable=not prop.id,
            key=prop.name,
        )
    name = table_name(model, backend)
    # LB3 never hands out a deleted id again; SQLite does unless told AUTOINCREMENT
    integer_id = any(p.integer_id for p in model.properties.values())
    table = sa.Table(
        name,
        metadata,
        *columns.values(),
        *_indexes(model, name, columns, backend, foreign_keys),
        schema=schema_name(model, backend),
        sqlite_autoincrement=integer_id,
    )
    return ModelTable(model=model, table=table, columns=columns, arrays=backend == "postgresql")


def _indexes(
    model: ModelMeta,
    table: str,
    columns: dict[str, sa.Column[object]],
    backend: str,
    foreign_keys: Collection[str],
) -> list[sa.Index]:
    out: list[sa.Index] = []
    for prop in model.properties.values():
        if (prop.index or prop.name in foreign_keys) and not prop.id:
            col = columns[prop.name]
            # MySQL names it after the column (LB3's connector does); PostgreSQL and SQLite need
            # names unique across the database, so they get LB3's PostgreSQL form
            name = col.name if backend == "mysql" else f"{table}_{col.name}_idx"
            unique = isinstance(prop.index, dict) and bool(prop.index.get("unique"))
            out.append(sa.Index(name, col, unique=unique))
    for name, spec in (model.raw.get("indexes") or {}).items():
        keys, unique = _index_spec(model, name, spec)
        exprs: list[Any] = []
        for key, direction in keys:
            if key not in columns:
                raise TableDefinitionError(
                    f'{model.name}: index "{name}" names "{key}", which is not a property'
                )
            exprs.append(columns[key].desc() if direction < 0 else columns[key])
        out.append(sa.Index(name, *exprs, unique=unique))
    # validates_uniqueness_of, as the document declares it: created with the table
    out.extend(unique_index(table, columns, rule) for rule in unique_rules(model.raw))
    return out


def _index_spec(model: ModelMeta, name: str, spec: Any) -> tuple[list[tuple[str, int]], bool]:
    """LB3 writes a model index as {keys: {prop: 1|-1}, options: {unique}}, as {columns: "a, b",
    kind: "unique"} (MySQL style), or as the keys alone ({prop: 1})."""
    if not isinstance(spec, dict):
        raise TableDefinitionError(f'{model.name}: index "{name}" must be an object')
    options = spec["options"] if isinstance(spec.get("options"), dict) else {}
    unique = bool(options.get("unique")) or str(spec.get("kind", "")).lower() == "unique"
    if isinstance(spec.get("keys"), dict):
        keys = [(k, _direction(v)) for k, v in spec["keys"].items()]
    elif isinstance(spec.get("columns"), str):
        keys = [(c.strip(), 1) for c in spec["columns"].split(",") if c.strip()]
    else:
        keys = [(k, _direction(v)) for k, v in spec.items() if k not in ("options", "kind", "type")]
    if not keys:
        raise TableDefinitionError(f'{model.name}: index "{name}" has no keys')
    return keys, unique


def _direction(value: Any) -> int:
    return -1 if value in (-1, "-1") or str(value).upper() == "DESC" else 1


def _indexed_properties(model: ModelMeta) -> set[str]:
    names = {p.name for p in model.properties.values() if p.index}
    for rule in unique_rules(model.raw):
        names.update([rule["property"], *(rule.get("scopedTo") or ())])
    for name, spec in (model.raw.get("indexes") or {}).items():
        try:
            names.update(k for k, _ in _index_spec(model, name, spec)[0])
        except TableDefinitionError:
            continue  # reported by _indexes
    return names


def _setting(settings: dict[str, Any], backend: str, key: str) -> str | None:
    per_backend = settings.get(settings_key(backend))
    if isinstance(per_backend, dict):
        value = per_backend.get(key)
        if isinstance(value, str) and value:
            return value
    return None
