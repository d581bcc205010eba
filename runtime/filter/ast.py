"""The typed filter AST: what a parsed, model-checked LB3 filter is. No SQL here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Pattern:
    """A `regexp` operand: the expression's source and its flags (`/x/i` -> ("x", "i"))."""

    source: str
    flags: str = ""

    @property
    def ignore_case(self) -> bool:
        return "i" in self.flags


@dataclass(frozen=True)
class Near:
    """A `near` operand on a geopoint property: the point, and the optional radius in `unit`."""

    lat: float
    lng: float
    max_distance: float | None = None
    unit: str = "miles"  # LB3's default: miles, kilometers, meters, feet, radians, degrees


@dataclass(frozen=True)
class Slot:
    """A Condition's value left to bind when a kept statement runs (`:name`), so one statement
    serves every value (the `$owner` test of a row: runtime/auth/scoping.py; a read's shape:
    runtime/sql/shapes.py). `sample`: a value of the kind it will hold, which types the parameter as
    that value would be (None: the column's type)."""

    name: str
    sample: Any = field(default=None, compare=False)


@dataclass(frozen=True)
class Condition:
    """`property <op> value`; value is already converted to the property's Python type.

    ops: eq neq gt gte lt lte inq nin between (value: a tuple of two), like nlike ilike nilike
    (value: the SQL LIKE pattern, str), regexp (value: Pattern), exists (value: bool), near (value:
    Near). `path` is a key path inside a JSON value (an object property or an embedsOne item:
    `"address.city"` is prop "_address"/"address", path ("city",)); empty for a plain column.
    On an array property, eq/inq/nin/neq test membership of the array's items."""

    prop: str
    op: str
    value: Any
    path: tuple[str, ...] = ()


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


@dataclass(frozen=True)
class Exists:
    """Rows with at least one related row that matches `where` (beyond LB3: `{"reviews.rating":
    {"gte": 4}}` on CoffeeShop). `relation` names a relation of the model being filtered; `where`
    is checked against the relation's target model (and may hold further Exists)."""

    relation: str
    where: Where | None


Where = Condition | And | Or | InSelect | Exists


@dataclass(frozen=True)
class OrderBy:
    prop: str
    descending: bool = False


@dataclass(frozen=True)
class Include:
    """One relation to load with the rows, and the filter (LB3's `scope`) of its targets: where,
    fields, order, limit, skip and its own nested include."""

    relation: str
    filter: Filter


@dataclass(frozen=True)
class Filter:
    where: Where | None = None
    fields: tuple[str, ...] | None = None  # None: every visible property
    order: tuple[OrderBy, ...] = ()
    limit: int | None = None
    skip: int = 0
    include: tuple[Include, ...] = ()
