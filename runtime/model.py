"""The Python API of a persisted model: LB3's PersistedModel statics with snake_case names.

The REST handlers call exactly these methods, so Python code (model modules, boot scripts) and HTTP
clients get the same semantics. Instances are plain dicts of JSON values.

    LB3                      here
    find(filter)             await Model.find(filter)
    findById(id, filter)     await Model.find_by_id(id, filter)       -> dict | None
    findOne(filter)          await Model.find_one(filter)             -> dict | None
    count(where)             await Model.count(where)
    exists(id)               await Model.exists(id)
    create(data | [data])    await Model.create(data)
    patchOrCreate(data)      await Model.patch_or_create(data)
    replaceOrCreate(data)    await Model.replace_or_create(data)
    upsertWithWhere(w, data) await Model.upsert_with_where(where, data)
    updateAll(where, data)   await Model.update_all(where, data)     -> count
    replaceById(id, data)    await Model.replace_by_id(id, data)
    prototype.patchAttributes await Model.patch_attributes(id, data)
    destroyById(id)          await Model.destroy_by_id(id)            -> count
    destroyAll(where)        await Model.destroy_all(where)           -> count
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, overload

import sqlalchemy as sa

from . import users
from .context import Context
from .db import Database, Session
from .errors import NOT_AN_OBJECT, BadRequest, ModelNotFound, NotFound, ValidationFailed
from .filter.ast import And, Condition, Exists, Filter, InSelect, Or, Where
from .filter.limits import DEFAULT_LIMITS, FilterLimits
from .filter.parse import FilterParser
from .instances import InstanceCodec
from .plan import plan_query
from .registry import ModelMeta
from .relations import Handle, Relation, bind, loading
from .relations import resolve as resolve_relation
from .sql import builder
from .sql.tables import ModelTable


class Model:
    def __init__(
        self,
        meta: ModelMeta,
        table: ModelTable,
        db: Database,
        *,
        models: Mapping[str, ModelMeta] | None = None,
        limits: FilterLimits = DEFAULT_LIMITS,
    ) -> None:
        self.meta = meta
        self.name = meta.name
        self.table = table
        self.db = db
        self.codec = InstanceCodec(meta, table.integer_columns())
        self.parser = FilterParser(meta, models, limits)
        self.app: Any = None  # set by the app; model modules reach siblings through it
        self._relations: dict[str, Relation] = {}
        id_name = meta.id_name
        self._insert_stmt = sa.insert(table.table)
        self._by_id = (
            sa.select(*builder.selected(table, self.codec.visible)).where(
                table.column(id_name) == sa.bindparam("id")
            )
            if meta.id_property
            else None
        )

    def __repr__(self) -> str:
        return f"<Model {self.name}>"

    @property
    def datasource(self) -> Database:
        """LB3's `Model.dataSource`: `transaction()` and native `execute()` live there."""
        return self.db

    # ---- reads -----------------------------------------------------------------------------------

    def parse_filter(self, raw: dict[str, Any] | Filter | None) -> Filter:
        return raw if isinstance(raw, Filter) else self.parser.parse(raw)

    def parse_where(self, raw: dict[str, Any] | Where | None) -> Where | None:
        if isinstance(raw, Condition | And | Or | InSelect | Exists):
            return raw  # already parsed (relations build their own)
        return self.parser.parse_where(raw)

    async def find(
        self, filter: dict[str, Any] | Filter | None = None, *, ctx: Context | None = None
    ) -> list[dict[str, Any]]:
        flt = self.parse_filter(filter)
        if flt.include:  # one more statement per included relation level
            return await loading.find(self, flt)
        plan = plan_query(self.meta, flt)
        async with self.db.read() as s:
            rows = await s.all(builder.select_rows(self.table, plan))
        to_json, cols = self.codec.to_json, plan.columns
        return [to_json(row._mapping, cols) for row in rows]

    async def find_one(
        self, filter: dict[str, Any] | Filter | None = None, *, ctx: Context | None = None
    ) -> dict[str, Any] | None:
        flt = self.parse_filter(filter)
        if flt.include:
            found = await loading.find(self, flt, limit=1)
            return found[0] if found else None
        plan = plan_query(self.meta, flt, limit=1)
        async with self.db.read() as s:
            row = await s.first(builder.select_rows(self.table, plan))
        return self.codec.to_json(row._mapping, plan.columns) if row is not None else None

    async def find_by_id(
        self, id: Any, filter: dict[str, Any] | Filter | None = None, *, ctx: Context | None = None
    ) -> dict[str, Any] | None:
        key = self.codec.coerce_id(id)
        if key is None:
            return None
        flt = self.parse_filter(filter)
        if flt == Filter() and self._by_id is not None:  # the hot path: one prepared statement
            async with self.db.read() as s:
                row = await s.first(self._by_id, {"id": key})
            return self.codec.to_json(row._mapping) if row is not None else None
        where = _and(Condition(self.meta.id_name, "eq", key), flt.where)
        return await self.find_one(replace(flt, where=where, order=(), limit=None, skip=0))

    async def count(
        self, where: dict[str, Any] | Where | None = None, *, ctx: Context | None = None
    ) -> int:
        async with self.db.read() as s:
            return int(await s.scalar(builder.count_rows(self.table, self.parse_where(where))))

    def related(self, id: Any, relation: str, *, ctx: Context | None = None) -> Any:
        """One instance's side of a relation: `await CoffeeShop.related(1, "reviews").find()`.
        Each relation is resolved (target, keys, scope) on first use, then kept."""
        return bind(self.relation(relation), id)

    def relation(self, name: str) -> Relation:
        """The resolved relation (target, keys, parsed scope), resolved on first use, then kept."""
        resolved = self._relations.get(name)
        if resolved is None:
            models = self.app.models if self.app else {}
            resolved = self._relations[name] = resolve_relation(self, name, models)
        return resolved

    def at(self, instance: Any) -> Handle:
        """One instance by id (or as the dict a read returned), its relations as snake_case
        attributes: `await CoffeeShop.at(1).reviews.find()`, `await Book.at(b).tags.add(t)`."""
        key = instance.get(self.meta.id_name) if isinstance(instance, dict) else instance
        return Handle(self, key)

    async def exists(self, id: Any, *, ctx: Context | None = None) -> bool:
        key = self.codec.coerce_id(id)
        if key is None:
            return False
        async with self.db.read() as s:
            return await s.first(self._select_id(key)) is not None

    # ---- writes ----------------------------------------------------------------------------------

    @overload
    async def create(
        self, data: dict[str, Any], *, ctx: Context | None = None
    ) -> dict[str, Any]: ...

    @overload
    async def create(
        self, data: list[Any], *, ctx: Context | None = None
    ) -> list[dict[str, Any]]: ...

    async def create(
        self, data: dict[str, Any] | list[Any], *, ctx: Context | None = None
    ) -> dict[str, Any] | list[dict[str, Any]]:
        """An array creates every item or, if any is invalid, none (LB3 stores the valid ones)."""
        if isinstance(data, list):
            checked = []
            for index, item in enumerate(data):
                if not isinstance(item, dict):
                    raise BadRequest("Some of array items are not an object.")
                try:
                    checked.append(await self._prepare_new(item))
                except ValidationFailed as exc:
                    exc.details["index"] = index
                    raise
            async with self.db.write() as s:
                created = []
                for index, values in enumerate(checked):
                    try:  # model rules that read the table (a User's unique email) fail here
                        created.append(await self._insert(s, values))
                    except ValidationFailed as exc:
                        exc.details["index"] = index
                        raise
                return created
        values = await self._prepare_new(data)
        async with self.db.write(one_statement=not self.meta.is_user) as s:
            return await self._insert(s, values)

    async def replace_by_id(
        self, id: Any, data: dict[str, Any], *, ctx: Context | None = None
    ) -> dict[str, Any]:
        key = self.codec.coerce_id(id)
        self._same_id(  # LB3's replaceById checks this first, before validating
            key,
            self._body_id(data),
            f"id property ({self.meta.id_name}) cannot be updated from {{old}} to {{new}}",
        )
        values = self.codec.check(data, "replace")
        async with self.db.write() as s:
            if key is None or await s.first(self._select_id(key)) is None:
                raise NotFound(f"Could not replace. Object with id {id} does not exist!")
            values = await self._prepare_write(s, self.codec.complete(values), key)
            full = {n: values.get(n) for n in self.meta.properties if n != self.meta.id_name}
            await s.run(builder.update_rows(self.table, self._id_where(key), full))
        return self.codec.to_json({**full, self.meta.id_name: key})

    async def patch_attributes(
        self, id: Any, data: dict[str, Any], *, ctx: Context | None = None
    ) -> dict[str, Any]:
        """LB3 finds the instance first (its REST sharedCtor), so a missing id is a 404 whatever
        the body holds."""
        if not isinstance(data, dict):
            raise BadRequest(NOT_AN_OBJECT)
        key = self.codec.coerce_id(id)
        async with self.db.write() as s:
            row = await s.first(self._select_all(key)) if key is not None else None
            if row is None:
                raise ModelNotFound(f"could not find a model with id {id}")
            self._same_id(
                key,
                self._body_id(data),
                "id cannot be updated from {old} to {new} when forceId is set to true",
            )
            values = self.codec.check(data, "patch")
            values.pop(self.meta.id_name, None)
            values = await self._prepare_write(s, values, key)
            if values:
                await s.run(builder.update_rows(self.table, self._id_where(key), values))
            return self.codec.to_json({**row._mapping, **values})

    async def replace_or_create(
        self, data: dict[str, Any], *, ctx: Context | None = None
    ) -> dict[str, Any]:
        key = self._body_id(data)
        async with self.db.transaction():  # the check and the write see the same database
            if key is not None and await self.exists(key):
                return await self.replace_by_id(key, data)
            if key is not None and self.meta.force_id:
                raise NotFound(f"Could not replace. Object with id {key} does not exist!")
            return await self._create_one(data, allow_id=True)

    async def patch_or_create(
        self, data: dict[str, Any], *, ctx: Context | None = None
    ) -> dict[str, Any]:
        key = self._body_id(data)
        async with self.db.transaction():
            if key is not None and await self.exists(key):
                return await self.patch_attributes(key, data)
            if key is not None and self.meta.force_id:
                raise NotFound(f"Could not update attributes. Object with id {key} does not exist!")
            return await self._create_one(data, allow_id=True)

    # LB3's other names of patchOrCreate
    upsert = patch_or_create
    update_or_create = patch_or_create

    async def upsert_with_where(
        self, where: dict[str, Any] | None, data: dict[str, Any], *, ctx: Context | None = None
    ) -> dict[str, Any]:
        self.codec.check(data, "replace", allow_id=False)  # LB3 validates the body alone, in full
        plan = plan_query(
            self.meta, Filter(where=self.parse_where(where), fields=(self.meta.id_name,)), limit=2
        )
        async with self.db.transaction() as s:
            matches = await s.all(builder.select_rows(self.table, plan))
            if len(matches) > 1:
                raise BadRequest(
                    "There are multiple instances found.Upsert Operation will not be performed!"
                )
            if matches:
                return await self.patch_attributes(matches[0][0], data)
            return await self._create_one(data, allow_id=False)

    async def update_all(
        self, where: dict[str, Any] | None, data: dict[str, Any], *, ctx: Context | None = None
    ) -> int:
        # LB3 ignores an id in an updateAll body; we refuse a non-null one, as the schema says
        values = self.codec.check(data, "patch", allow_id=False)
        values.pop(self.meta.id_name, None)
        clause = self.parse_where(where)
        async with self.db.write() as s:
            key = None
            if self.meta.is_user and users.unique_values(values):
                # a unique value may go to one row only: the one row matched, if there is one
                ids = Filter(where=clause, fields=(self.meta.id_name,))
                matched = await s.all(
                    builder.select_rows(self.table, plan_query(self.meta, ids, limit=2))
                )
                if len(matched) > 1:
                    raise users.not_unique(self, values)
                key = matched[0][0] if matched else None
            values = await self._prepare_write(s, values, key)
            if not values:
                return int(await s.scalar(builder.count_rows(self.table, clause)))
            result = await s.run(builder.update_rows(self.table, clause, values))
            return int(result.rowcount)

    async def destroy_by_id(self, id: Any, *, ctx: Context | None = None) -> int:
        key = self.codec.coerce_id(id)
        if key is None:
            return 0
        async with self.db.write(one_statement=True) as s:
            return int((await s.run(builder.delete_rows(self.table, self._id_where(key)))).rowcount)

    async def destroy_all(
        self, where: dict[str, Any] | Where | None = None, *, ctx: Context | None = None
    ) -> int:
        async with self.db.write(one_statement=True) as s:
            clause = self.parse_where(where)
            return int((await s.run(builder.delete_rows(self.table, clause))).rowcount)

    # ---- helpers ---------------------------------------------------------------------------------

    async def _create_one(self, data: dict[str, Any], *, allow_id: bool) -> dict[str, Any]:
        values = await self._prepare_new(data, allow_id=allow_id)
        async with self.db.write(one_statement=not self.meta.is_user) as s:
            return await self._insert(s, values)

    async def _prepare_new(self, data: dict[str, Any], *, allow_id: bool = False) -> dict[str, Any]:
        return self.codec.complete(self.codec.check(data, "create", allow_id=allow_id))

    async def _prepare_write(self, s: Session, values: dict[str, Any], key: Any) -> dict[str, Any]:
        """Model-specific rules on the way to the table (User: unique email, hashed password)."""
        if self.meta.is_user:
            return await users.prepare(self, s, values, key)
        return values

    async def _insert(self, s: Session, values: dict[str, Any]) -> dict[str, Any]:
        values = await self._prepare_write(s, values, None)
        # one statement object for every insert: its compiled form is cached per set of columns
        result = await s.run(self._insert_stmt, values)  # columns are keyed by property name
        id_name = self.meta.id_name
        if id_name not in values and result.inserted_primary_key:
            values = {**values, id_name: result.inserted_primary_key[0]}
        return self.codec.to_json(values)

    def _select_id(self, key: Any) -> sa.Select[Any]:
        col = self.table.column(self.meta.id_name)
        return sa.select(col).where(col == key)

    def _select_all(self, key: Any) -> sa.Select[Any]:
        cols = builder.selected(self.table, list(self.meta.properties))
        return sa.select(*cols).where(self.table.column(self.meta.id_name) == key)

    def _id_where(self, key: Any) -> Where:
        return Condition(self.meta.id_name, "eq", key)

    def _body_id(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise BadRequest(NOT_AN_OBJECT)
        raw = data.get(self.meta.id_name)
        return None if raw is None else self.codec.coerce_id(raw)

    def _same_id(self, key: Any, new: Any, message: str) -> None:
        if new is not None and key is not None and new != key:
            raise BadRequest(message.format(old=key, new=new))


def _and(first: Where, second: Where | None) -> Where:
    return first if second is None else And((first, second))
