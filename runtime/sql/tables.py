"""SQLAlchemy tables from the model registry, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..registry import ModelMeta, PropertyMeta


@dataclass(frozen=True)
class ModelTable:
    model: ModelMeta
    table: sa.Table
    columns: dict[str, sa.Column[object]]  # by property name

    def column(self, prop: str) -> sa.Column[object]:
        return self.columns[prop]


def column_type(prop: PropertyMeta) -> sa.types.TypeEngine[Any]:
    if prop.integer:
        # BIGINT on servers, INTEGER on SQLite (only INTEGER PRIMARY KEY autoincrements there)
        return sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    length = prop.settings.get("length")
    mapping: dict[str, sa.types.TypeEngine[Any]] = {
        "string": sa.String(int(length)) if isinstance(length, int) else sa.Text(),
        "number": sa.Double(),
        "boolean": sa.Boolean(),
        "date": sa.DateTime(),
        "buffer": sa.LargeBinary(),
    }
    return mapping.get(prop.type, sa.JSON())


def build_table(model: ModelMeta, metadata: sa.MetaData, connector: str) -> ModelTable:
    columns: dict[str, sa.Column[object]] = {}
    for prop in model.properties.values():
        col: sa.Column[object] = sa.Column(
            prop.column_name(connector),
            column_type(prop),
            primary_key=bool(prop.id),
            autoincrement=prop.integer_id,
            nullable=not prop.id,
            index=bool(prop.index) and not prop.id,
            key=prop.name,
        )
        columns[prop.name] = col
    # LB3 never hands out a deleted id again; SQLite does unless told AUTOINCREMENT
    integer_id = any(p.integer_id for p in model.properties.values())
    table = sa.Table(
        model.table_name(connector),
        metadata,
        *columns.values(),
        sqlite_autoincrement=integer_id,
    )
    return ModelTable(model=model, table=table, columns=columns)
