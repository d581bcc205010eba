"""belongsTo, hasOne and hasMany, polymorphic or not: the child holds the parent's key.

The relation's constraint (the child's foreign key equals the parent's key and, when polymorphic, its
discriminator names the parent's model) is ANDed with whatever the caller asks, so no filter reaches
another parent's rows. A scope adds its `where` the same way, and its `order` unless the caller orders.
Every answer comes from the target model's own API, so hidden properties stay hidden and its rules
(validation, a User's password hashing) apply. The child's keys are the server's: whatever a body
says, they are set to the parent's, so no relation write moves a child to another parent (LB3
advisory 2018-01-31; LB3 still lets a polymorphic child move through its discriminator).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, overload

from ..errors import NOT_AN_OBJECT, BadRequest, Conflict, ItemsFailed, NotFound, ValidationFailed
from ..filter.ast import And, Condition, Filter, Or, Where
from .base import Bound, and_, none_found

if TYPE_CHECKING:
    from ..model import Model


class Keyed(Bound):
    """One parent's side of a belongsTo, hasOne or hasMany relation."""

    # ---- hasMany ---------------------------------------------------------------------------------

    async def find(self, filter: dict[str, Any] | Filter | None = None) -> list[dict[str, Any]]:
        flt = self.target.parse_filter(filter)
        constrained = replace(
            flt,
            where=and_(self._children(await self._key()), flt.where),
            order=flt.order or self.relation.scope.order,
        )
        return await self.target.find(constrained, ctx=self.ctx)

    async def count(self, where: dict[str, Any] | Where | None = None) -> int:
        clause = and_(self._children(await self._key()), self.target.parse_where(where))
        return await self.target.count(clause, ctx=self.ctx)

    async def find_by_id(self, fk: Any) -> dict[str, Any]:
        child, _ = await self._child(fk)
        return child

    @overload
    async def create(self, data: dict[str, Any]) -> dict[str, Any]: ...

    @overload
    async def create(self, data: list[Any]) -> list[dict[str, Any]]: ...

    async def create(self, data: Any) -> dict[str, Any] | list[dict[str, Any]]:
        """hasMany: an object or an array (all or nothing); hasOne: one object, and only while
        there is none (LB3 answers a second one with a 500)."""
        await self._may(self.target, "create")
        async with self.target.db.transaction():
            parent = await self._parent()
            key = parent.get(self.relation.primary_key)
            if self.relation.type == "hasOne":
                if not isinstance(data, dict):
                    raise BadRequest(NOT_AN_OBJECT)
                if await self.target.count(self._children(key), ctx=self.ctx) > 0:
                    raise Conflict(
                        f"{self.relation.parent.name} {self.parent_id} already has a "
                        f"{self.relation.name}",
                        code="HAS_ONE_EXISTS",
                    )
                return await self.target.create(self._new(data, parent), ctx=self.ctx)
            if isinstance(data, list):
                items = []
                for index, item in enumerate(data):
                    try:
                        items.append(self._new(item, parent) if isinstance(item, dict) else item)
                    except ValidationFailed as exc:  # reported as the target's create reports it
                        raise ItemsFailed.at(index, exc) from exc
                return await self.target.create(items, ctx=self.ctx)
            if not isinstance(data, dict):
                raise BadRequest(NOT_AN_OBJECT)
            return await self.target.create(self._new(data, parent), ctx=self.ctx)

    async def update_by_id(self, fk: Any, data: Any) -> dict[str, Any]:
        """A partial update of one child (LB3 merges), its keys kept."""
        if not isinstance(data, dict):
            raise BadRequest(NOT_AN_OBJECT)
        async with self.target.db.transaction():
            child, key = await self._child(fk)
            return await self._patch(child, data, key)

    async def destroy_by_id(self, fk: Any) -> None:
        async with self.target.db.transaction():
            child, _ = await self._child(fk)
            await self._may(self.target, "deleteById", child)
            await self.target.destroy_instance(child, ctx=self.ctx)

    async def destroy_all(self) -> int:
        return await self.target.destroy_all(self._children(await self._key()), ctx=self.ctx)

    # ---- belongsTo, hasOne -----------------------------------------------------------------------

    async def get(self) -> dict[str, Any]:
        """The related instance; 404 when there is none (LB3 answers a belongsTo without one with
        200 `{}` or `null`, and a polymorphic one without a known type with a 500)."""
        if self.relation.type == "belongsTo":
            parent = await self._parent()
            target = self._owner_model(parent)
            key = parent.get(self.relation.foreign_key)
            found = None
            if key is not None:
                id_name = self.relation.meta.owner_key(self.relation.parent.meta, target.meta)
                match = Condition(id_name, "eq", key)
                found = await target.find_one(
                    Filter(where=and_(match, self.relation.scope.where)),
                    ctx=self.ctx,
                    rules="findById",
                )
            if found is None:
                raise none_found(target.name)
            return found
        child, _ = await self._only_child()
        return child

    async def update(self, data: Any) -> dict[str, Any]:
        """hasOne: a partial update of the one child; 404 when there is none (LB3: a 500)."""
        if not isinstance(data, dict):
            raise BadRequest(NOT_AN_OBJECT)
        async with self.target.db.transaction():
            child, key = await self._only_child()
            return await self._patch(child, data, key)

    async def destroy(self) -> None:
        """hasOne: delete the one child; 404 when there is none (LB3: a 500)."""
        async with self.target.db.transaction():
            child, _ = await self._only_child()
            await self._may(self.target, "deleteById", child)
            await self.target.destroy_instance(child, ctx=self.ctx)

    # ---- children and keys -----------------------------------------------------------------------

    def _owner_model(self, parent: dict[str, Any]) -> Model:
        """belongsTo: the target, or for a polymorphic one the model the discriminator names
        (case-insensitively, as LB3 looks it up)."""
        discriminator = self.relation.discriminator
        if discriminator is None:
            return self.target
        named = parent.get(discriminator)
        model = self.relation.models.get(named.lower()) if isinstance(named, str) else None
        if model is None:
            raise NotFound(
                f"{self.relation.parent.name} {self.parent_id} has no {self.relation.name}: "
                f"`{discriminator}` is {'not set' if named is None else f'{named!r}, not a model'}",
                code="MODEL_NOT_FOUND",
            )
        return model

    async def _child(self, fk: Any) -> tuple[dict[str, Any], Any]:
        """One child by its id, with the parent's key; 404 when it is not this parent's."""
        key = await self._key()
        fk_key = self.target.codec.coerce_id(fk)
        found = None
        if fk_key is not None:
            match = Condition(self.target.meta.id_name, "eq", fk_key)
            found = await self.target.find_one(
                Filter(where=and_(match, self._children(key))), ctx=self.ctx, rules="findById"
            )
        if found is None:
            raise NotFound(f"No instance with id {fk} found for {self.target.name}")
        return found, key

    async def _only_child(self) -> tuple[dict[str, Any], Any]:
        """hasOne: the child (the first, should there be several), with the parent's key."""
        key = await self._key()
        found = await self.target.find_one(
            Filter(where=self._children(key)), ctx=self.ctx, rules="findById"
        )
        if found is None:
            raise none_found(self.target.name)
        return found, key

    async def _patch(self, child: dict[str, Any], data: dict[str, Any], key: Any) -> dict[str, Any]:
        await self._may(self.target, "prototype.patchAttributes", child)
        return await self.target.patch_attributes(
            child[self.target.meta.id_name], self._owned(data, key), ctx=self.ctx
        )

    def _new(self, data: dict[str, Any], parent: dict[str, Any]) -> dict[str, Any]:
        """A child to create: the parent's keys, the scope's equalities (so the child is visible
        through the relation it was created through; LB3 ignores them) and the `properties` the
        relation copies from the parent (LB3: they override the body)."""
        owned = self._owned(data, parent.get(self.relation.primary_key))
        forced = _equalities(self.relation.scope.where)
        mapping = self.relation.meta.copied
        forced.update({t: parent[s] for s, t in mapping.items() if s in parent})
        sent = {k: data[k] for k in forced if k in data}
        if sent:  # what the server sets is still checked: a value of the wrong type is the client's
            self.target.codec.check(sent, "patch")
        return {**owned, **forced}

    def _owned(self, data: dict[str, Any], key: Any) -> dict[str, Any]:
        """The body with the parent's keys. A key the body sends is still checked: one that is not
        even a valid value is the client's mistake (422), not something to overwrite quietly."""
        fk, discriminator = self.relation.foreign_key, self.relation.discriminator
        sent = {k: data[k] for k in (fk, discriminator) if k is not None and k in data}
        if sent:
            self.target.codec.check(sent, "patch")
        owned = {**data, fk: key}
        if discriminator is not None:
            owned[discriminator] = self.relation.parent.name
        return owned

    def _children(self, key: Any) -> Where:
        """The rows whose foreign key holds this parent's key, within the scope (none when the
        parent has no key value: a null key must not match the children without a parent)."""
        if key is None:
            return Or(())
        match: Where = Condition(self.relation.foreign_key, "eq", key)
        if self.relation.discriminator is not None:
            kind = Condition(self.relation.discriminator, "eq", self.relation.parent.name)
            match = And((match, kind))
        return and_(match, self.relation.scope.where) or match


def _equalities(where: Where | None) -> dict[str, Any]:
    """The `prop = value` conditions a scope's where requires of every row."""
    if isinstance(where, Condition):
        return {where.prop: where.value} if where.op == "eq" else {}
    if isinstance(where, And):
        found: dict[str, Any] = {}
        for item in where.items:
            found.update(_equalities(item))
        return found
    return {}
