"""`Exists` (a where on a related model's properties) -> a correlated EXISTS sub-select.

    hasMany/hasOne   EXISTS (SELECT * FROM target t WHERE t.fk = parent.pk [AND t.type = 'Parent'] AND w)
    belongsTo        EXISTS (SELECT * FROM target t WHERE t.pk = parent.fk AND w)
    through/HABTM    EXISTS (SELECT * FROM join j JOIN target t ON t.id = j.keyThrough
                             WHERE j.fk = parent.pk [AND j.type = ...] AND w)

The target (and join) tables are aliased, so a relation of a model to itself correlates with the
outer row, not with its own table; the same statement works in SELECT, count, UPDATE and DELETE.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import sqlalchemy as sa

from ..errors import InvalidFilter
from ..filter.ast import Exists, Where
from .tables import ModelTable

WhereCompiler = Callable[[ModelTable, Where | None], sa.ColumnElement[bool] | None]


def aliased(mt: ModelTable) -> ModelTable:
    """The same model over an alias of its table: its columns keyed by property name."""
    alias = mt.table.alias()
    columns = {prop: alias.c[col.key] for prop, col in mt.columns.items()}
    return ModelTable(mt.model, cast(Any, alias), cast(Any, columns), mt.catalog, mt.arrays)


def exists_clause(
    mt: ModelTable, node: Exists, compile_where: WhereCompiler
) -> sa.ColumnElement[bool]:
    relation = mt.model.relations[node.relation]
    for other in (relation.model, relation.through):
        if other is not None and str(other) not in mt.catalog:
            # the catalog holds one database's tables: an EXISTS cannot reach another database
            raise InvalidFilter(
                f'a where on relation "{node.relation}" reads model "{other}", which is stored '
                "in another data source's database: filter it in a request of its own"
            )
    target = aliased(mt.catalog[str(relation.model)])
    fk = str(relation.foreign_key)
    key = relation.owner_key(mt.model, target.model)  # the key the foreign key holds
    conditions: list[sa.ColumnElement[bool]] = []
    source: Any = target.table
    if relation.type == "belongsTo":
        conditions.append(target.column(key) == mt.column(fk))
    elif relation.through:
        join = aliased(mt.catalog[relation.through])
        source = join.table.join(
            target.table,
            target.column(target.model.id_name) == join.column(str(relation.key_through)),
        )
        conditions.append(join.column(fk) == mt.column(key))
        if relation.discriminator:
            kind = relation.kind_value(mt.model.name, target.model.name)
            conditions.append(join.column(relation.discriminator) == kind)
    else:  # hasMany, hasOne
        conditions.append(target.column(fk) == mt.column(key))
        if relation.discriminator:
            conditions.append(target.column(relation.discriminator) == mt.model.name)
    inner = compile_where(target, node.where)
    if inner is not None:
        conditions.append(inner)
    return sa.exists().select_from(source).where(*conditions)
