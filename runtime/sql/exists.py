"""`Exists` (a where on a related model's properties) -> a correlated EXISTS sub-select."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from ..filter.ast import Exists, Where
from .tables import ModelTable

WhereCompiler = Callable[[ModelTable, Where | None], sa.ColumnElement[bool] | None]


def exists_clause(
    mt: ModelTable, node: Exists, compile_where: WhereCompiler
) -> sa.ColumnElement[bool]:
    raise NotImplementedError(f"{mt.model.name}.{node.relation}: related where")
