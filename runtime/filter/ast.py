"""The typed filter AST: what a parsed, model-checked LB3 filter is. No SQL here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Condition:
    """`property <op> value`; value is already converted to the property's Python type."""

    prop: str
    op: str  # eq neq gt gte lt lte inq nin between
    value: Any


@dataclass(frozen=True)
class And:
    items: tuple[Where, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Where, ...]


@dataclass(frozen=True)
class InSelect:
    """`property IN (SELECT column FROM source WHERE where)`: a relation reached through another
    table (a through model's join rows). `source` is that model's table, opaque here."""

    prop: str
    source: Any
    column: str
    where: Where | None


Where = Condition | And | Or | InSelect


@dataclass(frozen=True)
class OrderBy:
    prop: str
    descending: bool = False


@dataclass(frozen=True)
class Filter:
    where: Where | None = None
    fields: tuple[str, ...] | None = None  # None: every visible property
    order: tuple[OrderBy, ...] = ()
    limit: int | None = None
    skip: int = 0
