"""Reads whose response body PostgreSQL writes: one statement whose single value is the JSON text.

PostgREST's way: the rows are never decoded in Python. A find is

    SELECT '[' || coalesce(string_agg(j, ','), '') || ']' FROM (SELECT <object> AS j FROM t
        WHERE ... ORDER BY ... LIMIT ...) AS rows

and an included relation is a correlated sub-select inside its parent's object: the first target
for belongsTo/hasOne (no key when there is none), the targets' array for hasMany (`[]` when none),
each level with its own where, order, per-parent limit/offset and includes. The text must be the
bytes the row path sends (orjson of InstanceCodec.to_json), so objects are concatenated text, not
`json_build_object` (which spaces its output), and each column is printed as Python prints its
value: a date as JavaScript's toISOString, a double as orjson prints the number LB3 shows (3.0 is
3). What cannot be printed so is refused per shape (`renders`), and the read takes the row path: a
column type other than text, integers, double precision, boolean or timestamp, and PostgreSQL only.

Only a double past 2**53 is decided per value: PostgreSQL and orjson may print such a number with
different (equally exact) digits, so it is printed as a control character (`UNPRINTED`) that JSON
text never holds raw, and the caller answers that read by the row path. Pure: builds statements.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, cast

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from ..coercion import format_date
from ..plan import IncludePlan, QueryPlan
from ..registry import PropertyMeta
from .builder import count_of, order_terms, paged, where_clause
from .tables import ModelTable

LABEL = "lb_json"  # the label of a `one` statement's column
UNPRINTED = "\x01"  # in a body: a value PostgreSQL cannot print as the row path does
_INTEGERS = (sa.Integer, sa.BigInteger, sa.SmallInteger)
_STRINGS = (sa.Text, sa.String, sa.VARCHAR, sa.TEXT)
_SAFE = "9007199254740992"  # 2**53: below it a whole double prints as an integer (JavaScript's)
# toISOString; `\"` is a literal double quote in a to_char pattern, so the pattern quotes the text
_FIRST, _LAST = format_date(datetime.min), format_date(datetime.max)
_ISO = '\'\\"YYYY-MM-DD"T"HH24:MI:SS.MS"Z\\"\''


@lru_cache(maxsize=1024)
def _kind(prop_type: str, integer: bool, column_type: sa.types.TypeEngine[Any]) -> str | None:
    """How a column of this type holding a property of this LB3 type prints as JSON; None: not
    exactly as the row path prints it (the shape takes the row path)."""
    kind = type(column_type)
    if (prop_type == "number" or integer) and kind in _INTEGERS:
        return "text"
    if prop_type == "number" and kind is sa.Double:
        return "number"
    if prop_type == "string" and kind in _STRINGS:
        return "string"
    if prop_type == "boolean" and kind is sa.Boolean:
        return "text"  # a boolean's text is true/false
    if prop_type == "date" and kind in (postgresql.TIMESTAMP, sa.DateTime):
        timezone = bool(getattr(column_type, "timezone", False))
        return "date" if timezone else "naive date"  # a naive value is UTC, as format_date reads it
    return None


def kind_of(mt: ModelTable, prop: str) -> str | None:
    meta: PropertyMeta = mt.model.properties[prop]
    return _kind(meta.type, meta.integer, mt.columns[prop].type)


def renders(mt: ModelTable, props: tuple[str, ...]) -> bool:
    """Whether every one of these columns prints in SQL exactly as the row path prints it."""
    return all(kind_of(mt, p) is not None for p in props)


# ---- the constructs --------------------------------------------------------------------------


class JsonObject(sa.ColumnElement[str]):
    """`{"prop":value,...,"relation":value,...}`: the columns `props` of `source` (a table or its
    alias), printed as their `kinds` say (SQL NULL prints `null`), then the `included` relations'
    values in order, where NULL leaves the key out (a belongsTo/hasOne without a target) unless
    the relation is `many`. Its cache key is the source, the names and the kinds (the columns
    follow from them), so a request builds and keys one element per object, not one per column."""

    __visit_name__ = "lb_json_object"
    inherit_cache = True
    type = sa.Text()
    _traverse_internals = [  # noqa: RUF012  (SQLAlchemy reads a class-level list)
        ("source", InternalTraversal.dp_clauseelement),
        ("props", InternalTraversal.dp_string_list),
        ("kinds", InternalTraversal.dp_string_list),
        ("names", InternalTraversal.dp_string_list),
        ("optional", InternalTraversal.dp_string),
        ("included", InternalTraversal.dp_clauseelement_tuple),
    ]

    def __init__(
        self,
        mt: ModelTable,
        props: tuple[str, ...],
        included: list[tuple[str, sa.ColumnElement[Any], bool]],
    ) -> None:
        self.source = mt.table
        self.props = props
        self.columns = tuple(mt.column(p) for p in props)
        self.kinds = tuple(kind_of(mt, p) or "" for p in props)
        self.names = tuple(i[0] for i in included)
        self.included = tuple(i[1] for i in included)
        self.optional = "".join("1" if i[2] else "0" for i in included)


class JsonRows(sa.ColumnElement[str]):
    """`[a,b,...]`: the JSON texts a select's one column holds, in its rows' order (`[]` for
    none). One construct, not a subquery, an aggregate and a select around it: built per request,
    it is cheaper so, and renders the same SQL."""

    __visit_name__ = "lb_json_rows"
    inherit_cache = True
    type = sa.Text()
    _traverse_internals = [  # noqa: RUF012  (SQLAlchemy reads a class-level list)
        ("rows", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, rows: sa.Select[Any]) -> None:
        self.rows = rows


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _value(c: str, kind: str) -> str:
    """The JSON text of the column `c` (SQL NULL for NULL)."""
    if kind == "text":
        return f"CAST({c} AS TEXT)"
    if kind == "string":
        return f"CAST(to_json({c}) AS TEXT)"
    if kind in ("date", "naive date"):
        # asyncpg writes Python's first and last datetimes as -infinity and infinity, and reads
        # them back as those datetimes
        utc = f"{c} AT TIME ZONE 'UTC'" if kind == "date" else c
        return (
            f"CASE WHEN isfinite({c}) THEN to_char({utc}, {_ISO})"
            f" WHEN {c} < 'epoch' THEN '\"{_FIRST}\"' WHEN {c} > 'epoch' THEN '\"{_LAST}\"' END"
        )
    assert kind == "number", kind
    # as orjson prints Python's value of it: whole numbers below 2**53 as integers (JavaScript
    # prints 3.0 as 3), NaN and the infinities as null; else PostgreSQL's shortest digits (the same
    # digits as orjson's below 2**53), laid out as orjson lays them out (1.5e-05 is 0.000015,
    # 1.0000000000000005e+15 is 1000000000000000.5, 1.5e-07 is 1.5e-7)
    t = f"CAST({c} AS TEXT)"
    sign = f"CASE WHEN {c} < 0 THEN '-' ELSE '' END"
    digits = f"translate(left({t}, -4), '-.', '')"
    return (
        f"CASE WHEN {c} = trunc({c}) AND abs({c}) < {_SAFE} THEN CAST(CAST({c} AS BIGINT) AS TEXT)"
        f" WHEN {c} = 'NaN' OR abs({c}) = 'Infinity' THEN 'null'"
        f" WHEN abs({c}) >= {_SAFE} THEN chr({ord(UNPRINTED)})"
        f" WHEN strpos({t}, 'e') = 0 THEN {t}"
        f" WHEN right({t}, 4) = 'e-05' THEN {sign} || '0.0000' || {digits}"
        f" WHEN right({t}, 4) = 'e+15' THEN {sign} || rpad(left({digits}, 16), 16, '0') || '.'"
        f" || coalesce(nullif(substr({digits}, 17), ''), '0')"
        f" ELSE replace({t}, 'e-0', 'e-') END"
    )


@compiles(JsonObject, "postgresql")
def _pg_object(element: JsonObject, compiler: SQLCompiler, **kw: Any) -> str:
    members = [
        (name, _value(compiler.process(column, **kw), kind), False)
        for name, column, kind in zip(element.props, element.columns, element.kinds, strict=True)
    ]
    for name, value, flag in zip(element.names, element.included, element.optional, strict=True):
        members.append((name, compiler.process(value, **kw), flag == "1"))
    if not members:
        return "'{}'"
    parts: list[str] = []
    leading = members[0][2]  # no member is sure to come first: drop the first comma
    for index, (key, sql, optional) in enumerate(members):
        name = orjson.dumps(key).decode() + ":"
        name = ("," if index or leading else "{") + name
        if optional:
            parts.append(f"coalesce({_literal(name)} || {sql}, '')")
        else:
            parts.append(f"{_literal(name)} || coalesce({sql}, 'null')")
    body = " || ".join(parts)
    if leading:
        return f"('{{' || substr({body}, 2) || '}}')"
    return f"({body} || '}}')"


@compiles(JsonRows, "postgresql")
def _pg_rows(element: JsonRows, compiler: SQLCompiler, **kw: Any) -> str:
    # the aggregate reads its input in the sub-select's order: PostgreSQL keeps the order of a
    # sub-select's ORDER BY for an aggregate above it (it never runs that aggregate in parallel
    # over an ordered sub-select), as PostgREST relies on too
    rows = compiler.process(element.rows, **kw)  # not asfrom: it correlates to the parent row
    return f"(SELECT '[' || coalesce(string_agg(lb_rows.j, ','), '') || ']' FROM ({rows}) AS lb_rows(j))"


# ---- statements ------------------------------------------------------------------------------


def select_json(mt: ModelTable, plan: QueryPlan, *, one: bool = False) -> sa.Select[Any]:
    """The plan's rows as one JSON text: an array, or (`one`) the first row's object (no row: no
    value). The statement's single column is that text."""
    if one:  # read by label where a row is read by label (Database.first_row)
        return paged(sa.select(_object(mt, plan).label(LABEL)).select_from(mt.table), mt, plan)
    rows = paged(sa.select(_object(mt, plan)).select_from(mt.table), mt, plan)
    return sa.select(JsonRows(rows))


def _object(mt: ModelTable, plan: QueryPlan, depth: int = 0) -> JsonObject:
    included = [(i.name, _included(mt, i, depth + 1), not i.many) for i in plan.includes]
    return JsonObject(mt, plan.columns, included)


def _included(parent: ModelTable, include: IncludePlan, depth: int) -> sa.ColumnElement[Any]:
    """The targets of one parent row, correlated to it: the first target's object, or the array."""
    plan = include.plan
    target = aliased(parent.catalog[plan.model], depth)
    stmt = sa.select(_object(target, plan, depth)).select_from(target.table)
    stmt = stmt.where(target.column(include.target_key) == parent.column(include.parent_key))
    clause = where_clause(target, plan.where)
    if clause is not None:
        stmt = stmt.where(clause)
    for o in plan.order:
        stmt = stmt.order_by(*order_terms(target, o))
    stmt = stmt.correlate(parent.table)
    if not include.many:
        return stmt.limit(1).scalar_subquery()
    if plan.limit is not None:
        stmt = stmt.limit(count_of(plan.limit))
    if plan.offset:
        stmt = stmt.offset(count_of(plan.offset))
    return JsonRows(stmt)


_ALIASES: dict[tuple[int, int], tuple[ModelTable, ModelTable]] = {}


def aliased(mt: ModelTable, depth: int) -> ModelTable:
    """The model's table under a name of its own for an included level `depth`: a level may read
    the table its parent reads (a relation of a model to itself). Kept per table and depth, built
    once: siblings share it (each is its own sub-select), a level never shares its parent's."""
    key = (id(mt), depth)
    found = _ALIASES.get(key)
    if found is not None and found[0] is mt:
        return found[1]
    alias = mt.table.alias()
    columns = {name: cast(sa.Column[object], alias.c[name]) for name in mt.columns}
    made = ModelTable(mt.model, cast(sa.Table, alias), columns, mt.catalog, mt.arrays)
    if len(_ALIASES) >= 1024:  # a bound, not an expected size: tables x include depths
        _ALIASES.clear()
    _ALIASES[key] = (mt, made)
    return made
