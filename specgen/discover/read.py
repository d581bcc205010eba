"""Read the tables of one schema through SQLAlchemy's inspector, into plain records.

Everything backend-specific about reading stays here (which schema is the default, how a generated
key shows, MariaDB's JSON alias), so that the model step works on the same records for every backend.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from runtime.db.urls import Backend


class DiscoverError(Exception):
    """A problem with the user's request or database, reported as one line without a traceback."""


@dataclass(frozen=True)
class Column:
    name: str
    type: sa.types.TypeEngine[Any]
    sql: str  # the type as the database's DDL spells it, e.g. "VARCHAR(100)"
    nullable: bool
    has_default: bool
    generated: bool  # the database assigns it: serial, identity, AUTO_INCREMENT, SQLite's rowid
    json: bool = False  # MariaDB's JSON is LONGTEXT with a json_valid() check


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    target_schema: str | None  # None: the same schema
    target_table: str
    target_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]


@dataclass(frozen=True)
class Schema:
    backend: Backend
    name: str | None  # the PostgreSQL schema or MySQL database read; None on SQLite
    tables: tuple[Table, ...]


def default_schema(backend: Backend, url: sa.URL, schema: str | None) -> str | None:
    """LB3's defaults: PostgreSQL's `public`, MySQL's database named in the URL."""
    if backend == "sqlite":
        if schema not in (None, "main"):
            raise DiscoverError("--schema does not apply to SQLite (one database per file)")
        return None
    if schema:
        return schema
    if backend == "postgresql":
        return "public"
    if not url.database:
        raise DiscoverError("name the MySQL database in the URL or with --schema")
    return url.database


def read_schema(
    engine: sa.Engine, backend: Backend, schema: str | None, only: Sequence[str] | None
) -> Schema:
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        if schema is not None and schema not in inspector.get_schema_names():
            kind = "schema" if backend == "postgresql" else "database"
            raise DiscoverError(f'{kind} "{schema}" not found')
        # get_table_names() lists base tables only: views have no key to serve by id
        names = sorted(inspector.get_table_names(schema=schema))
        if only is not None:
            views = set(inspector.get_view_names(schema=schema))
            unknown = [f"{t} (a view)" if t in views else t for t in only if t not in names]
            if unknown:
                where = f' in "{schema}"' if schema else ""
                raise DiscoverError(f"no such table{where}: {', '.join(unknown)}")
            names = sorted(set(only))
        json_columns = _mariadb_json_columns(conn, schema) if backend == "mysql" else {}
        tables = tuple(
            _table(conn, inspector, backend, schema, name, json_columns.get(name, set()))
            for name in names
        )
    return Schema(backend=backend, name=schema, tables=tables)


def _table(
    conn: sa.Connection,
    inspector: sa.Inspector,
    backend: Backend,
    schema: str | None,
    name: str,
    json_columns: set[str],
) -> Table:
    pk = tuple(inspector.get_pk_constraint(name, schema=schema).get("constrained_columns") or ())
    rowid = _sqlite_rowid_alias(conn, name, pk) if backend == "sqlite" else None
    columns = []
    for col in inspector.get_columns(name, schema=schema):
        default = col.get("default")
        generated = (
            col.get("autoincrement") is True
            or "identity" in col
            or (isinstance(default, str) and default.lower().startswith("nextval("))
            or col["name"] == rowid
        )
        columns.append(
            Column(
                name=col["name"],
                type=col["type"],
                sql=_sql(col["type"], conn.dialect),
                # SQLite reports a key column nullable; a key is never null, whatever it says
                nullable=bool(col["nullable"]) and col["name"] not in pk,
                has_default=default is not None,
                generated=generated and col["name"] in pk,
                json=col["name"] in json_columns,
            )
        )
    fks = tuple(
        ForeignKey(
            columns=tuple(fk["constrained_columns"]),
            target_schema=fk.get("referred_schema")
            if fk.get("referred_schema") != schema
            else None,
            target_table=fk["referred_table"],
            target_columns=tuple(fk["referred_columns"]),
        )
        for fk in inspector.get_foreign_keys(name, schema=schema)
    )
    return Table(name=name, columns=tuple(columns), primary_key=pk, foreign_keys=fks)


def _sql(kind: sa.types.TypeEngine[Any], dialect: sa.Dialect) -> str:
    """ "" for a column without a type the inspector knows (SQLite allows a column no type)."""
    try:
        return kind.compile(dialect=dialect)
    except sa.exc.CompileError:
        return ""


def _sqlite_rowid_alias(conn: sa.Connection, table: str, pk: tuple[str, ...]) -> str | None:
    """SQLite numbers a row itself only when its one key column is declared exactly INTEGER (the
    rowid alias); `INT PRIMARY KEY` is an ordinary column, and the inspector reports both alike."""
    if len(pk) != 1:
        return None
    for row in conn.exec_driver_sql(f'PRAGMA table_info("{table.replace(chr(34), chr(34) * 2)}")'):
        if row[1] == pk[0]:
            return pk[0] if str(row[2]).strip().upper() == "INTEGER" else None
    return None


_JSON_VALID = re.compile(r"json_valid\(\s*`?([^`)]+)`?\s*\)", re.IGNORECASE)


def _mariadb_json_columns(conn: sa.Connection, schema: str | None) -> dict[str, set[str]]:
    """MariaDB stores a JSON column as LONGTEXT plus a json_valid() check, which the inspector does
    not report; information_schema has the check (MySQL 8 has a real JSON type and no such table
    column, so there the query is skipped)."""
    if not getattr(conn.dialect, "is_mariadb", False):
        return {}
    rows = conn.execute(
        sa.text(
            "SELECT TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
            "WHERE CONSTRAINT_SCHEMA = :schema"
        ),
        {"schema": schema},
    )
    found: dict[str, set[str]] = {}
    for table, clause in rows:
        match = _JSON_VALID.fullmatch(str(clause).strip())
        if match:
            found.setdefault(str(table), set()).add(match.group(1))
    return found
