"""What a migration has to do: the database (read, never changed here) against the models' tables.

Autoupdate only adds. What the database has and the models lack (a column, an index, a type that
differs) is reported and kept: an LB3 database is often shared with code we cannot see, so dropping
is left to `--drop` or to a person. Only the models' own tables are read; alembic's comparison is
filtered to them, so other tables are never reported, let alone dropped.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from .steps import (
    Plan,
    Step,
    add_column,
    create_index,
    create_schema,
    create_table,
    drop_table,
    qualified,
)

TableKey = tuple[str | None, str]


def plan(conn: sa.Connection, metadata: sa.MetaData, *, drop: bool = False) -> Plan:
    """The steps that bring the database to METADATA, and the warnings; changes nothing."""
    result = Plan(steps=_missing_schemas(conn, metadata))
    if drop:
        _automigrate(conn, metadata, result)
    else:
        _Autoupdate(conn, metadata, result).compare()
    return result


def _automigrate(conn: sa.Connection, metadata: sa.MetaData, result: Plan) -> None:
    inspector = sa.inspect(conn)
    present = [t for t in metadata.sorted_tables if inspector.has_table(t.name, schema=t.schema)]
    # reverse creation order: a table goes before the tables it refers to
    result.steps += [drop_table(t) for t in reversed(present)]
    result.dropped = [qualified(t) for t in present]
    for table in metadata.sorted_tables:
        result.steps += create_table(table)


def _missing_schemas(conn: sa.Connection, metadata: sa.MetaData) -> list[Step]:
    """PostgreSQL schemas the models name (a MySQL "schema" is a database: not ours to create)."""
    if conn.dialect.name != "postgresql":
        return []
    wanted = {t.schema for t in metadata.sorted_tables if t.schema}
    present = set(sa.inspect(conn).get_schema_names())
    return [create_schema(name) for name in sorted(wanted - present)]


class _Autoupdate:
    """Alembic's diff, read back onto our own Table, Column and Index objects (its tuples carry
    copies), so that the DDL is what start-up would emit."""

    def __init__(self, conn: sa.Connection, metadata: sa.MetaData, result: Plan) -> None:
        self.conn, self.metadata, self.result = conn, metadata, result
        default = conn.dialect.default_schema_name
        # keyed as alembic reflects tables: the default schema is None
        self.default = default
        self.ours: dict[TableKey, sa.Table] = {self._key(t): t for t in metadata.sorted_tables}
        self.tables: list[Step] = []
        self.columns: list[Step] = []
        self.indexes: dict[tuple[TableKey, str], Step] = {}  # MySQL names indexes per table
        self.removed_indexes: list[Any] = []

    def compare(self) -> None:
        schemas = {schema for schema, _ in self.ours}

        def include_name(name: str | None, type_: str, parents: dict[str, Any]) -> bool:
            if type_ == "schema":
                return name in schemas
            if type_ == "table":
                return (parents.get("schema_name"), name) in self.ours
            return True  # the columns, indexes and constraints of our tables

        ctx = MigrationContext.configure(
            self.conn,
            opts={"include_schemas": True, "include_name": include_name, "compare_type": True},
        )
        for diff in compare_metadata(ctx, self.metadata):
            if isinstance(diff, list):  # one column's modifications: only its type is worth a word
                self.result.warnings += [
                    self._type_differs(c) for c in diff if c[0] == "modify_type"
                ]
            else:
                self._take(diff)
        for index in self.removed_indexes:
            self._index_removed(index)
        self.result.steps += self.tables + self.columns + list(self.indexes.values())

    def _take(self, diff: tuple[Any, ...]) -> None:
        kind = diff[0]
        if kind == "add_table":
            self.tables += create_table(self._table(diff[1].schema, diff[1].name))
        elif kind == "add_column":
            self._column_added(self._table(diff[1], diff[2]), diff[3].name)
        elif kind == "add_index":
            self._index_added(diff[1])
        elif kind == "remove_index":
            self.removed_indexes.append(diff[1])
        elif kind == "remove_column":
            table, column = diff[3].table, diff[3].name
            self._warn(f"kept: column {qualified(table)}.{column} is not in {self._model(table)}")
        else:
            self._warn(_kept(diff))

    def _column_added(self, table: sa.Table, name: str) -> None:
        column = next(c for c in table.columns if c.name == name)
        if column.primary_key:
            self._warn(
                f"not added: column {qualified(table)}.{name} is the primary key and the rows "
                "there would have no id (use --drop, or alter the table by hand)"
            )
        else:
            self.columns.append(add_column(column))

    def _index_added(self, copy: sa.Index) -> None:
        assert copy.table is not None
        table = self._table(copy.table.schema, copy.table.name)
        if any(s.action == "create table" and s.target == qualified(table) for s in self.tables):
            return  # created with its table
        index = next(i for i in table.indexes if i.name == copy.name)
        self.indexes[self._key(table), str(index.name)] = create_index(index)

    def _index_removed(self, reflected: Any) -> None:
        """A removed index that the models also add under the same name is one that differs."""
        table, name = reflected.table, str(reflected.name)
        if self.indexes.pop((self._key(table), name), None) is not None:
            self._warn(
                f"differs: index {name} on {qualified(table)} is not as the model defines it; "
                "not altered"
            )
        else:
            self._warn(f"kept: index {name} on {qualified(table)} is not in {self._model(table)}")

    def _type_differs(self, change: tuple[Any, ...]) -> str:
        _, schema, table, column, _, existing, wanted = change
        name = f"{schema}.{table}" if schema else table
        return (
            f"differs: column {name}.{column} is {self._sql(existing)} in the database, "
            f"the model says {self._sql(wanted)}; not altered"
        )

    def _key(self, table: sa.Table) -> TableKey:
        """As alembic reflects a table: the default schema is None."""
        return (None if table.schema == self.default else table.schema, table.name)

    def _table(self, schema: str | None, name: str) -> sa.Table:
        return self.ours[(None if schema == self.default else schema, name)]

    def _model(self, reflected: sa.Table) -> str:
        """The model of a table (runtime.migrate.model_metadata tags each with its model's name)."""
        ours = self.ours.get(self._key(reflected))
        model = ours.info.get("model") if ours is not None else None
        return f"model {model}" if model else "the model"

    def _sql(self, kind: sa.types.TypeEngine[Any]) -> str:
        try:
            return str(kind.compile(dialect=self.conn.dialect))
        except sa.exc.SQLAlchemyError:
            return repr(kind)

    def _warn(self, warning: str) -> None:
        self.result.warnings.append(warning)


def _kept(diff: tuple[Any, ...]) -> str:
    """A constraint or foreign key the database has and the models lack (anything else alembic
    might report is named as it is and left alone too)."""
    kind, obj = diff[0], diff[1]
    what = {"remove_constraint": "constraint", "remove_fk": "foreign key"}.get(kind)
    table = getattr(obj, "table", None)
    on = f" on {qualified(table)}" if isinstance(table, sa.Table) else ""
    name = getattr(obj, "name", None)
    if what is None:
        return f"left alone: {kind} {name or ''}{on}".rstrip()
    return f"kept: {what}{f' {name}' if name else ''}{on} is not in the model"
