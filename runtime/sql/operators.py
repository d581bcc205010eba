"""SQL expressions each dialect spells its own way, so that one filter gives the same rows on
SQLite, PostgreSQL and MySQL/MariaDB: values inside JSON columns, array membership, LIKE with one case
rule, regular expressions with JavaScript's flags, and NULLs ordered last.

Each construct is a cacheable SQLAlchemy element; its client values are bound parameters (built
when the element is, one per dialect spelling where the spellings differ), never SQL text. JSON path
keys are checked by the parser (word characters only) and rendered as literals.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from ..filter.patterns import ESCAPE, PATH_KEY, like_to_glob, pcre_regexp, pg_regexp

KINDS = ("string", "number", "boolean")
_SQLITE_TYPES = {"string": "'text'", "number": "'integer', 'real'", "boolean": "'true', 'false'"}
_MYSQL_TYPES = {"string": "'STRING'", "number": "'INTEGER', 'DOUBLE', 'DECIMAL'", "boolean": "'BOOLEAN'"}  # fmt: skip


def _unsupported(element: sa.ClauseElement, compiler: SQLCompiler, **_kw: Any) -> str:
    raise sa.exc.CompileError(f"{type(element).__name__} has no {compiler.dialect.name} spelling")


def _col(compiler: SQLCompiler, element: Any, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


def _is_jsonb(column: Any) -> bool:
    return isinstance(getattr(column, "type", None), postgresql.JSONB)


def _pg_path(path: tuple[str, ...]) -> str:
    return "'{" + ",".join(f'"{k}"' for k in path) + "}'"


def _dot_path(path: tuple[str, ...]) -> str:
    return "'$" + "".join(f'."{k}"' for k in path) + "'"


# ---- values inside a JSON column ---------------------------------------------------------------


class JsonValue(sa.ColumnElement[Any]):
    """The value at `path` inside a JSON column when it is a JSON `kind` (string: its text; number:
    a double; boolean: the text 'true'/'false', which orders as false < true), else NULL. A value of
    another kind never compares, so `"5"` never equals 5 on any backend."""

    __visit_name__ = "lb_json_value"
    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012  (SQLAlchemy reads a class-level list)
        ("column", InternalTraversal.dp_clauseelement),
        ("path", InternalTraversal.dp_string_list),
        ("kind", InternalTraversal.dp_string),
    ]

    def __init__(self, column: sa.ColumnElement[Any], path: tuple[str, ...], kind: str) -> None:
        assert kind in KINDS and all(PATH_KEY.match(k) for k in path), (kind, path)
        self.column = column
        self.path = tuple(path)
        self.kind = kind
        self.type = sa.Double() if kind == "number" else sa.Text()


class JsonPresent(sa.ColumnElement[bool]):
    """Whether `path` inside a JSON column holds a value other than null (`exists: true`); with
    no path, whether the column does (a JSON column may hold SQL NULL or JSON's null)."""

    __visit_name__ = "lb_json_present"
    inherit_cache = True
    type = sa.Boolean()
    _traverse_internals = [  # noqa: RUF012  (SQLAlchemy reads a class-level list)
        ("column", InternalTraversal.dp_clauseelement),
        ("path", InternalTraversal.dp_string_list),
    ]

    def __init__(self, column: sa.ColumnElement[Any], path: tuple[str, ...]) -> None:
        assert all(PATH_KEY.match(k) for k in path), path
        self.column = column
        self.path = tuple(path)


compiles(JsonValue)(_unsupported)
compiles(JsonPresent)(_unsupported)


@compiles(JsonValue, "postgresql")
def _pg_json_value(element: JsonValue, compiler: SQLCompiler, **kw: Any) -> str:
    col, path = _col(compiler, element, **kw), _pg_path(element.path)
    typeof = "jsonb_typeof" if _is_jsonb(element.column) else "json_typeof"
    test = f"{typeof}({col} #> {path}) = '{element.kind}'"
    text = f"{col} #>> {path}"
    if element.kind == "number":
        text = f"CAST({text} AS DOUBLE PRECISION)"
    return f"(CASE WHEN {test} THEN {text} END)"


@compiles(JsonPresent, "postgresql")
def _pg_json_present(element: JsonPresent, compiler: SQLCompiler, **kw: Any) -> str:
    col, path = _col(compiler, element, **kw), _pg_path(element.path)
    typeof = "jsonb_typeof" if _is_jsonb(element.column) else "json_typeof"
    return f"(COALESCE({typeof}({col} #> {path}), 'null') != 'null')"


@compiles(JsonValue, "mysql")
def _my_json_value(element: JsonValue, compiler: SQLCompiler, **kw: Any) -> str:
    raw = f"JSON_EXTRACT({_col(compiler, element, **kw)}, {_dot_path(element.path)})"
    test = f"JSON_TYPE({raw}) IN ({_MYSQL_TYPES[element.kind]})"
    # JSON text is utf8mb4_bin already; said again so a comparison never borrows the connection's
    # case-insensitive collation
    text = f"JSON_UNQUOTE({raw}) COLLATE utf8mb4_bin"
    if element.kind == "number":
        text = f"CAST({raw} AS DOUBLE)"
    return f"(CASE WHEN {test} THEN {text} END)"


@compiles(JsonPresent, "mysql")
def _my_json_present(element: JsonPresent, compiler: SQLCompiler, **kw: Any) -> str:
    raw = f"JSON_EXTRACT({_col(compiler, element, **kw)}, {_dot_path(element.path)})"
    return f"(COALESCE(JSON_TYPE({raw}), 'NULL') != 'NULL')"


@compiles(JsonValue, "sqlite")
def _lite_json_value(element: JsonValue, compiler: SQLCompiler, **kw: Any) -> str:
    col, path = _col(compiler, element, **kw), _dot_path(element.path)
    if element.kind == "boolean":
        return f"(CASE json_type({col}, {path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END)"  # fmt: skip
    test = f"json_type({col}, {path}) IN ({_SQLITE_TYPES[element.kind]})"
    return f"(CASE WHEN {test} THEN json_extract({col}, {path}) END)"


@compiles(JsonPresent, "sqlite")
def _lite_json_present(element: JsonPresent, compiler: SQLCompiler, **kw: Any) -> str:
    col, path = _col(compiler, element, **kw), _dot_path(element.path)
    return f"(COALESCE(json_type({col}, {path}), 'null') != 'null')"


def json_value_kind(value: Any) -> str:
    """The JSON kind a filter operand compares as."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string"


def json_operand(value: Any) -> Any:
    """A filter operand as JsonValue yields it (booleans are compared as their JSON text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


# ---- membership in a JSON array column ---------------------------------------------------------


class ArrayContains(sa.ColumnElement[bool]):
    """A JSON array column holds `value` (an item of the same JSON kind and equal value)."""

    __visit_name__ = "lb_array_contains"
    inherit_cache = True
    type = sa.Boolean()
    _traverse_internals = [  # noqa: RUF012  (SQLAlchemy reads a class-level list)
        ("column", InternalTraversal.dp_clauseelement),
        ("document", InternalTraversal.dp_clauseelement),
        ("item", InternalTraversal.dp_clauseelement),
        ("item_value", InternalTraversal.dp_clauseelement),
        ("item_types", InternalTraversal.dp_string),
    ]

    def __init__(self, column: sa.ColumnElement[Any], value: Any) -> None:
        self.column = column
        self.document = sa.literal(json.dumps([value]), sa.Text())  # PostgreSQL: col @> [value]
        self.item = sa.literal(json.dumps(value), sa.Text())  # MySQL: JSON_CONTAINS(col, value)
        # SQLite: json_each's type and value; a boolean is told by its type alone
        kind = json_value_kind(value)
        if kind == "boolean":
            self.item_types = "'true'" if value else "'false'"
            self.item_value: sa.ColumnElement[Any] = sa.literal(1)
        else:
            self.item_types = _SQLITE_TYPES[kind]
            self.item_value = sa.literal(value)


compiles(ArrayContains)(_unsupported)


@compiles(ArrayContains, "postgresql")
def _pg_contains(element: ArrayContains, compiler: SQLCompiler, **kw: Any) -> str:
    col = _col(compiler, element, **kw)
    if not _is_jsonb(element.column):
        col = f"CAST({col} AS JSONB)"
    return f"({col} @> CAST({compiler.process(element.document, **kw)} AS JSONB))"


@compiles(ArrayContains, "mysql")
def _my_contains(element: ArrayContains, compiler: SQLCompiler, **kw: Any) -> str:
    item = compiler.process(element.item, **kw)
    return f"(COALESCE(JSON_CONTAINS({_col(compiler, element, **kw)}, {item}), 0) = 1)"


@compiles(ArrayContains, "sqlite")
def _lite_contains(element: ArrayContains, compiler: SQLCompiler, **kw: Any) -> str:
    col = _col(compiler, element, **kw)
    test = f"lb_item.type IN ({element.item_types})"
    if element.item_types not in ("'true'", "'false'"):
        test += f" AND lb_item.value = {compiler.process(element.item_value, **kw)}"
    return f"EXISTS (SELECT 1 FROM json_each({col}) AS lb_item WHERE {test})"


# ---- LIKE, with one case rule on every backend --------------------------------------------------


class LikeMatch(sa.ColumnElement[bool]):
    """`expr [NOT] LIKE pattern`: case-sensitive (like/nlike) or not (ilike/nilike) on every
    backend, `\\` escaping `%`, `_` and itself. NULL never matches, either way (as LB3's SQL)."""

    __visit_name__ = "lb_like"
    inherit_cache = True
    type = sa.Boolean()
    _traverse_internals = [  # noqa: RUF012  (SQLAlchemy reads a class-level list)
        ("column", InternalTraversal.dp_clauseelement),
        ("pattern", InternalTraversal.dp_clauseelement),
        ("glob", InternalTraversal.dp_clauseelement),
        ("fold", InternalTraversal.dp_boolean),
        ("negate", InternalTraversal.dp_boolean),
    ]

    def __init__(
        self, column: sa.ColumnElement[Any], pattern: str, *, fold: bool, negate: bool
    ) -> None:
        self.column = column
        self.pattern = sa.literal(pattern, sa.Text())
        self.glob = sa.literal(like_to_glob(pattern), sa.Text())
        self.fold = fold
        self.negate = negate


compiles(LikeMatch)(_unsupported)


def _escape(compiler: SQLCompiler) -> str:
    return str(compiler.render_literal_value(ESCAPE, sa.Text()))


@compiles(LikeMatch, "postgresql")
def _pg_like(element: LikeMatch, compiler: SQLCompiler, **kw: Any) -> str:
    op = ("NOT " if element.negate else "") + ("ILIKE" if element.fold else "LIKE")
    pattern = compiler.process(element.pattern, **kw)
    return f"({_col(compiler, element, **kw)} {op} {pattern} ESCAPE {_escape(compiler)})"


@compiles(LikeMatch, "mysql")
def _my_like(element: LikeMatch, compiler: SQLCompiler, **kw: Any) -> str:
    col, pattern = _col(compiler, element, **kw), compiler.process(element.pattern, **kw)
    if element.fold:
        col, pattern = f"LOWER({col})", f"LOWER({pattern})"
    op = "NOT LIKE" if element.negate else "LIKE"
    return f"({col} {op} {pattern} ESCAPE {_escape(compiler)})"


@compiles(LikeMatch, "sqlite")
def _lite_like(element: LikeMatch, compiler: SQLCompiler, **kw: Any) -> str:
    col = _col(compiler, element, **kw)
    if element.fold:
        op = "NOT LIKE" if element.negate else "LIKE"
        pattern = compiler.process(element.pattern, **kw)
        return f"({col} {op} {pattern} ESCAPE {_escape(compiler)})"
    op = "NOT GLOB" if element.negate else "GLOB"
    return f"({col} {op} {compiler.process(element.glob, **kw)})"


# ---- regular expressions with JavaScript's flags -------------------------------------------------


class RegexpMatch(sa.ColumnElement[bool]):
    """`expr` matches a regular expression; NULL never does."""

    __visit_name__ = "lb_regexp"
    inherit_cache = True
    type = sa.Boolean()
    _traverse_internals = [  # noqa: RUF012  (SQLAlchemy reads a class-level list)
        ("column", InternalTraversal.dp_clauseelement),
        ("pg", InternalTraversal.dp_clauseelement),
        ("pcre", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: sa.ColumnElement[Any], source: str, flags: str) -> None:
        self.column = column
        self.pg = sa.literal(pg_regexp(source, flags), sa.Text())
        self.pcre = sa.literal(pcre_regexp(source, flags), sa.Text())


compiles(RegexpMatch)(_unsupported)


@compiles(RegexpMatch, "postgresql")
def _pg_regexp(element: RegexpMatch, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({_col(compiler, element, **kw)} ~ {compiler.process(element.pg, **kw)})"


@compiles(RegexpMatch, "mysql")
@compiles(RegexpMatch, "sqlite")  # REGEXP calls the regexp() function runtime.db registers
def _pcre_regexp(element: RegexpMatch, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({_col(compiler, element, **kw)} REGEXP {compiler.process(element.pcre, **kw)})"


# ---- NULLs last in ascending order, first in descending, everywhere ------------------------------


class OrderTerm(sa.ColumnElement[Any]):
    """One ORDER BY term where NULL sorts as the largest value (PostgreSQL's default order, which
    LB3's PostgreSQL connector gives); SQLite and MySQL put NULL first unless told."""

    __visit_name__ = "lb_order_term"
    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012  (SQLAlchemy reads a class-level list)
        ("column", InternalTraversal.dp_clauseelement),
        ("descending", InternalTraversal.dp_boolean),
    ]

    def __init__(self, column: sa.ColumnElement[Any], descending: bool) -> None:
        self.column = column
        self.descending = descending


compiles(OrderTerm)(_unsupported)


@compiles(OrderTerm, "postgresql")
def _pg_order(element: OrderTerm, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{_col(compiler, element, **kw)} {'DESC' if element.descending else 'ASC'}"


@compiles(OrderTerm, "sqlite")
def _lite_order(element: OrderTerm, compiler: SQLCompiler, **kw: Any) -> str:
    col = _col(compiler, element, **kw)
    return f"{col} DESC NULLS FIRST" if element.descending else f"{col} ASC NULLS LAST"


@compiles(OrderTerm, "mysql")
def _my_order(element: OrderTerm, compiler: SQLCompiler, **kw: Any) -> str:
    col = _col(compiler, element, **kw)
    if element.descending:
        return f"{col} IS NULL DESC, {col} DESC"
    return f"{col} IS NULL, {col} ASC"
