"""SQL of `validates_uniqueness_of`: the unique index that enforces a declared rule, and the query
that finds a row already holding the value (so the client gets LB3's 422 before the write)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

MAX_NAME = 60  # under MySQL's 64 and PostgreSQL's 63 characters


def unique_rules(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The document's uniqueness rules an index can enforce: exact (not ignoreCase) and
    unconditional, on declared properties. `raw` is the model's x-lb-models entry."""
    props = raw.get("properties") or {}
    return [
        rule
        for rule in raw.get("rules") or ()
        if rule.get("validation") == "uniqueness"
        and not rule.get("ignoreCase")
        and not rule.get("conditional")
        and rule.get("property") in props
        and all(k in props for k in rule.get("scopedTo") or ())
    ]


def index_name(table: str, props: Sequence[str]) -> str:
    name = f"{table}_{'_'.join(props)}_uniq"
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_NAME - 14]}_{digest}_uniq"


def unique_index(
    table: str, columns: Mapping[str, sa.Column[object]], rule: Mapping[str, Any]
) -> sa.Index:
    props = [*(rule.get("scopedTo") or ()), rule["property"]]
    return sa.Index(index_name(table, props), *(columns[p] for p in props), unique=True)


def taken(
    table: sa.Table,
    columns: Mapping[str, sa.Column[object]],
    id_name: str,
    prop: str,
    value: Any,
    scope: Mapping[str, Any],
    *,
    ignore_case: bool,
    other_than: Any = None,
) -> sa.Select[Any]:
    """Ids of up to two rows holding `value` in `prop` (and the `scope` values), other than the row
    `other_than` (the instance being updated)."""
    col = columns[prop]
    match = (
        sa.func.lower(col) == value.lower()
        if ignore_case and isinstance(value, str)
        else col == value
    )
    stmt = sa.select(columns[id_name]).where(match)
    for key, scoped in scope.items():
        stmt = stmt.where(columns[key].is_(None) if scoped is None else columns[key] == scoped)
    if other_than is not None:
        stmt = stmt.where(columns[id_name] != other_than)
    return stmt.limit(1)
