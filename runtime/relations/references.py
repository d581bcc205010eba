"""referencesMany: the parent holds an array of target ids (`Book.relatedTagIds`).

Reads select `WHERE id IN (:ids)` and keep the array's order unless the caller orders. Count counts the
referenced targets (LB3 counts the whole target table); delete-all empties the array and deletes no
target (LB3 deletes every row of the target table); links are idempotent and only to targets that
exist (LB3: 422 on a second link, `null` for a missing target).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import NOT_AN_OBJECT, BadRequest, ModelNotFound, NotFound
from ..filter.ast import Condition, Filter, Where
from .base import Linked, and_


class References(Linked):
    """One parent's side of a referencesMany relation."""

    # ---- reads -----------------------------------------------------------------------------------

    async def find(self, filter: dict[str, Any] | Filter | None = None) -> list[dict[str, Any]]:
        flt = self.target.parse_filter(filter)
        ids = await self._ids()
        where = and_(self._among(ids), self.relation.scope.where, flt.where)
        order = flt.order or self.relation.scope.order
        id_name = self.target.meta.id_name
        shown = flt.fields is None or id_name in flt.fields
        if order or not shown:
            return await self.target.find(replace(flt, where=where, order=order), ctx=self.ctx)
        # the array's order: the rows are at most the referenced ones, so page after sorting
        rows = await self.target.find(replace(flt, where=where, limit=None, skip=0), ctx=self.ctx)
        position = {key: index for index, key in enumerate(ids)}
        rows.sort(key=lambda row: position.get(row[id_name], len(position)))
        end = flt.skip + flt.limit if flt.limit else None
        return rows[flt.skip : end]

    async def count(self, where: dict[str, Any] | Where | None = None) -> int:
        ids = await self._ids()
        clause = and_(self._among(ids), self.relation.scope.where, self.target.parse_where(where))
        return await self.target.count(clause, ctx=self.ctx)

    async def find_by_id(self, fk: Any) -> dict[str, Any]:
        return await self._member(await self._ids(), fk)

    # ---- writes ----------------------------------------------------------------------------------

    async def create(self, data: Any) -> dict[str, Any] | list[dict[str, Any]]:
        """New targets (an object or an array, all or nothing), their ids appended."""
        if not isinstance(data, dict | list):
            raise BadRequest(NOT_AN_OBJECT)
        await self._may(self.target, "create")
        async with self.target.db.transaction():
            ids = await self._ids()
            created = await self.target.create(data, ctx=self.ctx)
            items = created if isinstance(created, list) else [created]
            await self._store([*ids, *(item[self.target.meta.id_name] for item in items)])
            return created

    async def update_by_id(self, fk: Any, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise BadRequest(NOT_AN_OBJECT)
        async with self.target.db.transaction():
            target = await self._member(await self._ids(), fk)
            await self._may(self.target, "prototype.patchAttributes", target)
            return await self.target.patch_attributes(
                target[self.target.meta.id_name], data, ctx=self.ctx
            )

    async def destroy_by_id(self, fk: Any) -> None:
        """Delete the referenced target and take its id out of the array (as LB3)."""
        async with self.target.db.transaction():
            ids = await self._ids()
            target = await self._member(ids, fk)
            target_id = target[self.target.meta.id_name]
            await self._may(self.target, "deleteById", target)
            await self.target.destroy_instance(target, ctx=self.ctx)
            await self._store([i for i in ids if i != target_id])

    async def destroy_all(self) -> int:
        """Empty the array; the targets stay, as other parents may reference them."""
        async with self.target.db.transaction():
            ids = await self._ids()
            if ids:
                await self._store([])
            return len(ids)

    # ---- links -----------------------------------------------------------------------------------

    async def link(self, fk: Any, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Reference an existing target; referencing it again changes nothing (a referencesMany
        link has no data of its own: `data` is ignored)."""
        async with self.target.db.transaction():
            ids = await self._ids()
            target_id = self.target.codec.coerce_id(fk)
            target = None
            if target_id is not None:
                target = await self.target.find_by_id(target_id, ctx=self.ctx)
            if target is None:
                raise ModelNotFound(f'Unknown "{self.target.name}" id "{fk}".')
            if target_id not in ids:
                await self._store([*ids, target_id])
            return target

    async def unlink(self, fk: Any) -> None:
        async with self.target.db.transaction():
            ids = await self._ids()
            target_id = self.target.codec.coerce_id(fk)
            if target_id is not None and target_id in ids:
                await self._store([i for i in ids if i != target_id])

    async def exists(self, fk: Any) -> bool:
        ids = await self._ids()
        target_id = self.target.codec.coerce_id(fk)
        return (
            target_id is not None
            and target_id in ids
            and await self.target.exists(target_id, ctx=self.ctx)
        )

    # ---- the array -------------------------------------------------------------------------------

    async def _ids(self) -> list[Any]:
        ids = (await self._parent()).get(self.relation.foreign_key)
        return [i for i in ids if i is not None] if isinstance(ids, list) else []

    async def _store(self, ids: list[Any]) -> None:
        await self.relation.parent.patch_attributes(
            self.parent_id, {self.relation.foreign_key: ids}, ctx=self.ctx
        )

    async def _member(self, ids: list[Any], fk: Any) -> dict[str, Any]:
        target_id = self.target.codec.coerce_id(fk)
        found = None
        if target_id is not None and target_id in ids:
            match = Condition(self.target.meta.id_name, "eq", target_id)
            where = and_(match, self.relation.scope.where)
            found = await self.target.find_one(Filter(where=where), ctx=self.ctx, rules="findById")
        if found is None:
            raise NotFound(f"No instance with id {fk} found for {self.target.name}")
        return found

    def _among(self, ids: list[Any]) -> Where:
        return Condition(self.relation.primary_key, "inq", list(ids))
