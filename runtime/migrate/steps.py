"""The DDL steps of a migration, each emitted through alembic's Operations: live on a connection, or
as SQL text on the same dialect (what `--dry-run` prints), from one definition."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

Action = Literal["create schema", "drop table", "create table", "add column", "create index"]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Step:
    action: Action
    target: str
    emit: Callable[[Operations], None] = field(compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.action} {self.target}"


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # tables whose rows `--drop` deletes

    def count(self, action: Action) -> int:
        return sum(1 for s in self.steps if s.action == action)


class StepFailed(Exception):
    def __init__(self, number: int, total: int, step: Step, error: sa.exc.SQLAlchemyError) -> None:
        super().__init__(f"[{number}/{total}] {step}: {reason(error)}")
        self.number, self.step, self.error = number, step, error


def apply(conn: sa.Connection, steps: Sequence[Step], progress: Progress = print) -> None:
    """Run the steps on CONN, one progress line each, before the step (a slow CREATE INDEX shows
    what it is waiting for). The caller commits: PostgreSQL then applies all or nothing; MySQL
    commits each DDL statement as it runs, whatever we do."""
    ops = Operations(MigrationContext.configure(conn))
    for number, step in enumerate(steps, 1):
        progress(f"[{number}/{len(steps)}] {step}")
        try:
            step.emit(ops)
        except sa.exc.SQLAlchemyError as exc:
            raise StepFailed(number, len(steps), step, exc) from exc


def render_sql(dialect: sa.Dialect, steps: Sequence[Step]) -> list[list[str]]:
    """Each step's statements as DIALECT writes them, one line each, ending with `;`."""
    rendered = []
    for step in steps:
        buffer = _Statements()
        opts = {"as_sql": True, "output_buffer": buffer, "literal_binds": True}
        step.emit(Operations(MigrationContext.configure(dialect=dialect, opts=opts)))
        rendered.append(buffer.statements)
    return rendered


def reason(exc: BaseException) -> str:
    """The driver's own first line: SQLAlchemy's wrapper repeats the statement and adds a link."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def qualified(table: sa.Table) -> str:
    return f"{table.schema}.{table.name}" if table.schema else table.name


def create_schema(name: str) -> Step:
    return Step(
        "create schema",
        name,
        lambda ops: ops.execute(sa.schema.CreateSchema(name, if_not_exists=True)),
    )


def drop_table(table: sa.Table) -> Step:
    return Step(
        "drop table", qualified(table), lambda ops: ops.drop_table(table.name, schema=table.schema)
    )


def create_table(table: sa.Table) -> list[Step]:
    """The table, then its indexes: the DDL the server's start-up `create_all` emits, so a table
    migrate made and one the server made are the same."""
    create = Step(
        "create table", qualified(table), lambda ops: ops.execute(sa.schema.CreateTable(table))
    )
    return [create, *(create_index(i) for i in sorted(table.indexes, key=lambda i: str(i.name)))]


def add_column(column: sa.Column[Any]) -> Step:
    """Always nullable: existing rows get NULL (which LB3 reads as an absent value), so the ALTER
    cannot fail on a table with rows; `required` is enforced on writes, as it always is."""
    table = column.table
    added = sa.Column(column.name, column.type, nullable=True)
    return Step(
        "add column",
        f"{qualified(table)}.{column.name}",
        lambda ops: ops.add_column(table.name, added, schema=table.schema),
    )


def create_index(index: sa.Index) -> Step:
    assert index.table is not None
    target = f"{index.name} on {qualified(index.table)}"
    return Step("create index", target, lambda ops: ops.execute(sa.schema.CreateIndex(index)))


class _Statements(io.StringIO):
    """Alembic's offline output, caught one statement per write and folded onto one line."""

    def __init__(self) -> None:
        super().__init__()
        self.statements: list[str] = []

    def write(self, text: str) -> int:
        sql = re.sub(r"\(\s*\n\s*", "(", text.strip())
        sql = re.sub(r"\s*\n\s*\)", ")", sql)
        self.statements.append(re.sub(r"\s*\n\s*", " ", sql))
        return len(text)
