"""Reading through a model's relations: belongsTo, hasOne and hasMany (not through, not polymorphic).

    await CoffeeShop.related(1, "reviews").find({"where": {"rating": 5}})
    await CoffeeShop.related(1, "reviews").count()
    await CoffeeShop.related(1, "reviews").find_by_id(7)
    await Review.related(7, "coffeeShop").get()

The relation's constraint (the child's foreign key equals the parent's key) is ANDed with whatever the
caller asks, so no filter can reach another parent's rows. A relation `scope` adds its `where` the same
way, and its `order` unless the caller orders. Every answer comes from the target model's own API, so
hidden properties stay hidden.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .errors import ModelNotFound, NotFound
from .filter.ast import And, Condition, Filter, Or, Where
from .registry import RelationMeta

if TYPE_CHECKING:
    from .model import Model

READABLE = ("belongsTo", "hasOne", "hasMany")


class RelationError(ValueError):
    """A relation the runtime cannot serve (unknown name, or a kind not supported yet)."""


class Related:
    """One parent instance's side of one relation."""

    def __init__(
        self, parent: Model, relation: RelationMeta, target: Model, parent_id: Any
    ) -> None:
        self.parent = parent
        self.relation = relation
        self.target = target
        self.parent_id = parent_id
        scope = relation.raw.get("scope")
        self._scope = target.parse_filter(scope) if isinstance(scope, dict) else Filter()

    # ---- hasMany ---------------------------------------------------------------------------------

    async def find(self, filter: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        flt = self.target.parse_filter(filter)
        constrained = replace(
            flt,
            where=_and(await self._constraint(), self._scope.where, flt.where),
            order=flt.order or self._scope.order,
        )
        return await self.target.find(constrained)

    async def count(self, where: dict[str, Any] | None = None) -> int:
        clause = _and(await self._constraint(), self._scope.where, self.target.parse_where(where))
        return await self.target.count(clause)

    async def find_by_id(self, fk: Any) -> dict[str, Any]:
        key = self.target.codec.coerce_id(fk)
        constraint = await self._constraint()
        found = None
        if key is not None:
            where = _and(
                Condition(self.target.meta.id_name, "eq", key), constraint, self._scope.where
            )
            found = await self.target.find_one(Filter(where=where))
        if found is None:
            raise NotFound(f"No instance with id {fk} found for {self.target.name}")
        return found

    # ---- belongsTo, hasOne -----------------------------------------------------------------------

    async def get(self) -> dict[str, Any]:
        """The related instance; 404 when there is none (LB3 answers a belongsTo without one with
        200 `{}` or `null`)."""
        if self.relation.type == "belongsTo":
            parent = await self._parent()
            key = parent.get(self._foreign_key)
            found = None
            if key is not None:
                where = _and(Condition(self._primary_key, "eq", key), self._scope.where)
                found = await self.target.find_one(Filter(where=where))
        else:
            found = await self.target.find_one(
                Filter(where=_and(await self._constraint(), self._scope.where))
            )
        if found is None:
            raise ModelNotFound(f'No "{self.target.name}" instance(s) found')
        return found

    # ---- keys ------------------------------------------------------------------------------------

    @property
    def _foreign_key(self) -> str:
        return str(self.relation.foreign_key)

    @property
    def _primary_key(self) -> str:
        """The key the foreign key holds: the parent's (hasMany/hasOne) or the target's (belongsTo)
        id, unless the relation names another."""
        explicit = self.relation.raw.get("primaryKey")
        if isinstance(explicit, str) and explicit:
            return explicit
        owner = self.target if self.relation.type == "belongsTo" else self.parent
        return owner.meta.id_name

    async def _parent(self) -> dict[str, Any]:
        parent = await self.parent.find_by_id(self.parent_id)
        if parent is None:
            raise ModelNotFound(f"could not find a model with id {self.parent_id}")
        return parent

    async def _constraint(self) -> Where:
        """hasMany/hasOne: the children whose foreign key holds this parent's key (none when the
        parent has no key value: a null key must not match the children without a parent)."""
        parent = await self._parent()
        key = parent.get(self._primary_key)
        return Or(()) if key is None else Condition(self._foreign_key, "eq", key)


def resolve(parent: Model, name: str, models: dict[str, Model]) -> tuple[RelationMeta, Model]:
    relation = parent.meta.relations.get(name)
    if relation is None:
        raise RelationError(f"{parent.name} has no relation {name!r}")
    supported = relation.type in READABLE and not relation.raw.get("through")
    if not supported or relation.raw.get("polymorphic") or not relation.foreign_key:
        raise RelationError(f"{parent.name}.{name}: {relation.type} relations are not served yet")
    target = models.get(relation.model or "")
    if target is None:
        raise RelationError(f"{parent.name}.{name}: model {relation.model!r} is not in this app")
    return relation, target


def _and(*parts: Where | None) -> Where:
    present = tuple(p for p in parts if p is not None)
    return present[0] if len(present) == 1 else And(present)
