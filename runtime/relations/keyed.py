"""A model's relations: belongsTo, hasOne and hasMany (not through, not polymorphic).

    await CoffeeShop.related(1, "reviews").find({"where": {"rating": 5}})
    await CoffeeShop.related(1, "reviews").count()
    await CoffeeShop.related(1, "reviews").find_by_id(7)
    await CoffeeShop.related(1, "reviews").create({...})       # update_by_id, destroy_by_id,
    await Review.related(7, "coffeeShop").get()                 # destroy_all; hasOne: create,
                                                                # update, destroy

The relation's constraint (the child's foreign key equals the parent's key) is ANDed with whatever the
caller asks, so no filter can reach another parent's rows. A relation `scope` adds its `where` the same
way, and its `order` unless the caller orders. Every answer comes from the target model's own API, so
hidden properties stay hidden and its rules (validation, a User's password hashing) apply. A child's
foreign key is the server's: whatever a body says, it is set to the parent's key, so no relation
write moves a child to another parent (LB3 advisory 2018-01-31).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, overload

from .errors import (
    NOT_AN_OBJECT,
    BadRequest,
    Conflict,
    ModelNotFound,
    NotFound,
    ValidationFailed,
)
from .filter.ast import And, Condition, Filter, Or, Where
from .registry import RelationMeta

if TYPE_CHECKING:
    from .model import Model

READABLE = ("belongsTo", "hasOne", "hasMany")


class RelationError(ValueError):
    """A relation the runtime cannot serve (unknown name, or a kind not supported yet)."""


@dataclass(frozen=True)
class Relation:
    """A relation of one model, resolved once: its target model, keys and parsed scope."""

    parent: Model
    meta: RelationMeta
    target: Model
    scope: Filter

    @property
    def foreign_key(self) -> str:
        return str(self.meta.foreign_key)

    @property
    def primary_key(self) -> str:
        """The key the foreign key holds: the parent's (hasMany/hasOne) or the target's (belongsTo)
        id, unless the relation names another."""
        explicit = self.meta.raw.get("primaryKey")
        if isinstance(explicit, str) and explicit:
            return explicit
        owner = self.target if self.meta.type == "belongsTo" else self.parent
        return owner.meta.id_name


class Related:
    """One parent instance's side of one relation."""

    def __init__(self, relation: Relation, parent_id: Any) -> None:
        self.relation = relation
        self.target = relation.target
        self.parent_id = parent_id

    # ---- hasMany ---------------------------------------------------------------------------------

    async def find(self, filter: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        flt = self.target.parse_filter(filter)
        constrained = replace(
            flt,
            where=_and(self._children(await self._key()), flt.where),
            order=flt.order or self.relation.scope.order,
        )
        return await self.target.find(constrained)

    async def count(self, where: dict[str, Any] | None = None) -> int:
        clause = _and(self._children(await self._key()), self.target.parse_where(where))
        return await self.target.count(clause)

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
        async with self.target.db.transaction():
            key = await self._key()
            if self.relation.meta.type == "hasOne":
                if not isinstance(data, dict):
                    raise BadRequest(NOT_AN_OBJECT)
                if await self.target.count(self._children(key)) > 0:
                    raise Conflict(
                        f"{self.relation.parent.name} {self.parent_id} already has a "
                        f"{self.relation.meta.name}",
                        code="HAS_ONE_EXISTS",
                    )
                return await self.target.create(self._owned(data, key))
            if isinstance(data, list):
                items = []
                for index, item in enumerate(data):
                    try:
                        items.append(self._owned(item, key) if isinstance(item, dict) else item)
                    except ValidationFailed as exc:
                        exc.details["index"] = index
                        raise
                return await self.target.create(items)
            if not isinstance(data, dict):
                raise BadRequest(NOT_AN_OBJECT)
            return await self.target.create(self._owned(data, key))

    async def update_by_id(self, fk: Any, data: Any) -> dict[str, Any]:
        """A partial update of one child (LB3 merges), its foreign key kept."""
        if not isinstance(data, dict):
            raise BadRequest(NOT_AN_OBJECT)
        async with self.target.db.transaction():
            child, key = await self._child(fk)
            return await self._patch(child, data, key)

    async def destroy_by_id(self, fk: Any) -> None:
        async with self.target.db.transaction():
            child, _ = await self._child(fk)
            await self.target.destroy_by_id(child[self.target.meta.id_name])

    async def destroy_all(self) -> int:
        return await self.target.destroy_all(self._children(await self._key()))

    # ---- belongsTo, hasOne -----------------------------------------------------------------------

    async def get(self) -> dict[str, Any]:
        """The related instance; 404 when there is none (LB3 answers a belongsTo without one with
        200 `{}` or `null`)."""
        if self.relation.meta.type == "belongsTo":
            parent = await self._parent()
            key = parent.get(self.relation.foreign_key)
            found = None
            if key is not None:
                match = Condition(self.relation.primary_key, "eq", key)
                found = await self.target.find_one(
                    Filter(where=_and(match, self.relation.scope.where))
                )
            if found is None:
                raise _none_found(self.target)
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
            await self.target.destroy_by_id(child[self.target.meta.id_name])

    # ---- children and keys -----------------------------------------------------------------------

    async def _child(self, fk: Any) -> tuple[dict[str, Any], Any]:
        """One child by its id, with the parent's key; 404 when it is not this parent's."""
        key = await self._key()
        fk_key = self.target.codec.coerce_id(fk)
        found = None
        if fk_key is not None:
            match = Condition(self.target.meta.id_name, "eq", fk_key)
            found = await self.target.find_one(Filter(where=_and(match, self._children(key))))
        if found is None:
            raise NotFound(f"No instance with id {fk} found for {self.target.name}")
        return found, key

    async def _only_child(self) -> tuple[dict[str, Any], Any]:
        """hasOne: the child (the first, should there be several), with the parent's key."""
        key = await self._key()
        found = await self.target.find_one(Filter(where=self._children(key)))
        if found is None:
            raise _none_found(self.target)
        return found, key

    async def _patch(self, child: dict[str, Any], data: dict[str, Any], key: Any) -> dict[str, Any]:
        return await self.target.patch_attributes(
            child[self.target.meta.id_name], self._owned(data, key)
        )

    def _owned(self, data: dict[str, Any], key: Any) -> dict[str, Any]:
        """The body with the parent's key. A key the body sends is still checked: one that is not
        even a valid value is the client's mistake (422), not something to overwrite quietly."""
        fk = self.relation.foreign_key
        if fk in data:
            self.target.codec.check({fk: data[fk]}, "patch")
        return {**data, fk: key}

    def _children(self, key: Any) -> Where:
        """The rows whose foreign key holds this parent's key, within the scope (none when the
        parent has no key value: a null key must not match the children without a parent)."""
        if key is None:
            return Or(())
        return _and(Condition(self.relation.foreign_key, "eq", key), self.relation.scope.where)

    async def _key(self) -> Any:
        """The parent's key that its children's foreign key holds; 404 for an unknown parent."""
        return (await self._parent()).get(self.relation.primary_key)

    async def _parent(self) -> dict[str, Any]:
        parent = await self.relation.parent.find_by_id(self.parent_id)
        if parent is None:
            raise ModelNotFound(f"could not find a model with id {self.parent_id}")
        return parent


def resolve(parent: Model, name: str, models: dict[str, Model]) -> Relation:
    meta = parent.meta.relations.get(name)
    if meta is None:
        raise RelationError(f"{parent.name} has no relation {name!r}")
    supported = meta.type in READABLE and not meta.raw.get("through")
    if not supported or meta.raw.get("polymorphic") or not meta.foreign_key:
        raise RelationError(f"{parent.name}.{name}: {meta.type} relations are not served yet")
    target = models.get(meta.model or "")
    if target is None:
        raise RelationError(f"{parent.name}.{name}: model {meta.model!r} is not in this app")
    scope = meta.raw.get("scope")
    return Relation(
        parent, meta, target, target.parse_filter(scope) if isinstance(scope, dict) else Filter()
    )


def _none_found(target: Model) -> ModelNotFound:
    return ModelNotFound(f'No "{target.name}" instance(s) found')


def _and(*parts: Where | None) -> Where:
    present = tuple(p for p in parts if p is not None)
    return present[0] if len(present) == 1 else And(present)
