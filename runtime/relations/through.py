"""hasManyThrough and hasAndBelongsToMany: the parent reaches its targets through join rows.

A target belongs to the parent while a join row holds both keys (and, when the relation is
polymorphic, the discriminator naming the parent's model, or the target's with `invert`). Reads select
the targets `WHERE id IN (SELECT keyThrough FROM join WHERE foreignKey = :parent)`, one statement, so
a dangling join row (its target deleted) or a duplicate one is never listed or counted (LB3 counts
join rows). Links are idempotent and only to targets that exist (LB3 stores a dangling row).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import NOT_AN_OBJECT, BadRequest, ModelNotFound, NotFound
from ..filter.ast import Condition, Filter, InSelect, Or, Where
from .base import Linked, and_

if TYPE_CHECKING:
    from ..model import Model


class Through(Linked):
    """One parent's side of a relation through a join model."""

    @property
    def join(self) -> Model:
        through = self.relation.through
        assert through is not None  # resolve() sets it for every through relation
        return through

    # ---- reads -----------------------------------------------------------------------------------

    async def find(self, filter: dict[str, Any] | Filter | None = None) -> list[dict[str, Any]]:
        flt = self.target.parse_filter(filter)
        members = self._members(await self._key())
        constrained = replace(
            flt,
            where=and_(members, self.relation.scope.where, flt.where),
            order=flt.order or self.relation.scope.order,
        )
        return await self.target.find(constrained, ctx=self.ctx)

    async def count(self, where: dict[str, Any] | Where | None = None) -> int:
        members = self._members(await self._key())
        return await self.target.count(
            and_(members, self.relation.scope.where, self.target.parse_where(where)), ctx=self.ctx
        )

    async def find_by_id(self, fk: Any) -> dict[str, Any]:
        return await self._member(await self._key(), fk)

    # ---- writes to the targets -------------------------------------------------------------------

    async def create(self, data: Any) -> dict[str, Any] | list[dict[str, Any]]:
        """New targets (an object or an array, all or nothing), each linked to the parent."""
        if not isinstance(data, dict | list):
            raise BadRequest(NOT_AN_OBJECT)
        await self._may(self.target, "create")
        await self._may(self.join, "create")
        async with self.target.db.transaction():
            key = await self._key()
            created = await self.target.create(data, ctx=self.ctx)
            for target in created if isinstance(created, list) else [created]:
                await self.join.create(
                    self._join_row({}, key, target[self.target.meta.id_name]), ctx=self.ctx
                )
            return created

    async def update_by_id(self, fk: Any, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise BadRequest(NOT_AN_OBJECT)
        async with self.target.db.transaction():
            target = await self._member(await self._key(), fk)
            await self._may(self.target, "prototype.patchAttributes", target)
            return await self.target.patch_attributes(
                target[self.target.meta.id_name], data, ctx=self.ctx
            )

    async def destroy_by_id(self, fk: Any) -> None:
        """Delete a linked target and every join row that points at it, this parent's and any
        other's (LB3 leaves the others dangling)."""
        async with self.target.db.transaction():
            target = await self._member(await self._key(), fk)
            await self._may(self.target, "deleteById", target)
            target_id = target[self.target.meta.id_name]
            await self.join.destroy_all(self._pointing_at(target_id), ctx=self.ctx)
            await self.target.destroy_instance(target, ctx=self.ctx)

    async def destroy_all(self) -> int:
        """Unlink every target (LB3: the join rows go, the targets stay)."""
        return await self.join.destroy_all(self._links(await self._key()), ctx=self.ctx)

    # ---- links -----------------------------------------------------------------------------------

    async def link(self, fk: Any, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """The join row for (parent, target), created unless it exists (then returned unchanged,
        as LB3 does); extra properties of the join model may come in `data`."""
        if data is not None and not isinstance(data, dict):
            raise BadRequest(NOT_AN_OBJECT)
        if data:  # checked even when the link exists: a bad body is refused, not ignored
            self.join.codec.check(data, "patch")
        async with self.target.db.transaction():
            key = await self._key()
            target_id = await self._existing_target(fk)
            found = await self.join.find_one(Filter(where=self._link(key, target_id)), ctx=self.ctx)
            if found is not None:
                return found
            await self._may(self.join, "create")
            return await self.join.create(self._join_row(data or {}, key, target_id), ctx=self.ctx)

    async def unlink(self, fk: Any) -> None:
        """Remove the link (every join row of the pair); unlinking what is not linked is a no-op,
        as in LB3."""
        key = await self._key()
        target_id = self.target.codec.coerce_id(fk)
        if target_id is not None:
            await self.join.destroy_all(self._link(key, target_id), ctx=self.ctx)

    async def exists(self, fk: Any) -> bool:
        key = await self._key()
        target_id = self.target.codec.coerce_id(fk)
        if target_id is None:
            return False
        match = Condition(self.target.meta.id_name, "eq", target_id)
        return await self.target.count(and_(match, self._members(key)), ctx=self.ctx) > 0

    # ---- keys ------------------------------------------------------------------------------------

    async def _member(self, key: Any, fk: Any) -> dict[str, Any]:
        """A linked target, within the scope; 404 with LB3's words when it is not linked."""
        target_id = self.target.codec.coerce_id(fk)
        found = None
        if target_id is not None:
            match = Condition(self.target.meta.id_name, "eq", target_id)
            where = and_(match, self._members(key), self.relation.scope.where)
            found = await self.target.find_one(Filter(where=where), ctx=self.ctx, rules="findById")
        if found is None:
            parent, target, join = self.relation.parent.name, self.target.name, self.join.name
            raise NotFound(
                f"No relation found in {join} for ({parent}.{self.parent_id},{target}.{fk})"
            )
        return found

    async def _existing_target(self, fk: Any) -> Any:
        target_id = self.target.codec.coerce_id(fk)
        if target_id is None or not await self.target.exists(target_id, ctx=self.ctx):
            raise ModelNotFound(f'Unknown "{self.target.name}" id "{fk}".')
        return target_id

    def _join_row(self, data: dict[str, Any], key: Any, target_id: Any) -> dict[str, Any]:
        """A join row: the pair's keys (and discriminator) are the server's, whatever `data` says."""
        row = {**data, self.relation.foreign_key: key, self.relation.key_through: target_id}
        if self.relation.discriminator is not None:
            row[self.relation.discriminator] = self._kind()
        return row

    def _kind(self) -> str:
        """The discriminator value: the parent's model, or the target's for an `invert` side."""
        return self.relation.kind()

    def _links(self, key: Any) -> Where:
        """This parent's join rows (none when it has no key value)."""
        if key is None:
            return Or(())
        match = Condition(self.relation.foreign_key, "eq", key)
        if self.relation.discriminator is None:
            return match
        return and_(match, Condition(self.relation.discriminator, "eq", self._kind())) or match

    def _link(self, key: Any, target_id: Any) -> Where:
        pair = Condition(self.relation.key_through, "eq", target_id)
        return and_(self._links(key), pair) or pair

    def _pointing_at(self, target_id: Any) -> Where:
        """Every join row whose target is this one, whichever parent holds it."""
        match = Condition(self.relation.key_through, "eq", target_id)
        if self.relation.meta.invert and self.relation.discriminator is not None:
            return (
                and_(match, Condition(self.relation.discriminator, "eq", self.target.name)) or match
            )
        return match

    def _members(self, key: Any) -> Where:
        """The targets this parent is linked to, as one sub-select on the join table."""
        return InSelect(
            self.target.meta.id_name, self.join.table, self.relation.key_through, self._links(key)
        )
