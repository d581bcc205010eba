"""What every relation kind shares: the resolved relation, one parent's side of it, and the helpers
that AND a relation's constraint with whatever the caller asks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..context import Context
from ..errors import ModelNotFound
from ..filter.ast import And, Filter, Where
from ..registry import ModelMeta, RelationMeta

if TYPE_CHECKING:
    from ..model import Model
    from .embedded import ItemRules

KEYED = ("belongsTo", "hasOne", "hasMany")
THROUGH = ("hasManyThrough", "hasAndBelongsToMany")
EMBEDDED = ("embedsOne", "embedsMany")


class RelationError(ValueError):
    """A relation the runtime cannot serve (unknown name, or a model that is not in this app)."""


@dataclass(frozen=True)
class Relation:
    """A relation of one model, resolved once: its models, keys and parsed scope.

    `target` is None for a polymorphic belongsTo (the target is named per row) and for embedded
    relations (the items live in the parent's row; `target_meta` describes them)."""

    parent: Model
    meta: RelationMeta
    target: Model | None
    scope: Filter
    target_meta: ModelMeta | None = None
    through: Model | None = None
    models: dict[str, Model] = field(default_factory=dict)  # polymorphic belongsTo: by lower name
    items: ItemRules | None = None  # embedsOne/embedsMany: the embedded model's compiled rules

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def type(self) -> str:
        return self.meta.type

    @property
    def foreign_key(self) -> str:
        return str(self.meta.foreign_key)

    @property
    def key_through(self) -> str:
        return str(self.meta.key_through)

    @property
    def discriminator(self) -> str | None:
        return self.meta.discriminator

    @property
    def options(self) -> dict[str, Any]:
        return self.meta.options

    @property
    def primary_key(self) -> str:
        """The key the foreign key holds (RelationMeta.owner_key)."""
        return self.meta.owner_key(self.parent.meta, self.target.meta if self.target else None)

    def kind(self, target: Model | None = None) -> str:
        """The discriminator value of this relation's rows (RelationMeta.kind_value)."""
        owner = target or self.target
        return self.meta.kind_value(self.parent.name, owner.name if owner else self.parent.name)

    @property
    def property(self) -> str:  # last: the name shadows the builtin for the rest of the class
        """embedsOne/embedsMany: the parent's property holding the items."""
        return self.meta.item_property

    def target_model(self) -> Model:
        if self.target is None:
            raise RelationError(f"{self.parent.name}.{self.name} has no single target model")
        return self.target


class Bound:
    """One parent instance's side of one relation: finds the parent (404 when there is none).
    Every read and write it makes carries the caller's context to the models' hooks."""

    def __init__(self, relation: Relation, parent_id: Any, ctx: Context | None = None) -> None:
        self.relation = relation
        self.parent_id = parent_id
        self.ctx = ctx

    @property
    def target(self) -> Model:
        return self.relation.target_model()

    async def _parent(self) -> dict[str, Any]:
        parent = await self.relation.parent.find_by_id(self.parent_id, ctx=self.ctx)
        if parent is None:
            raise ModelNotFound(f"could not find a model with id {self.parent_id}")
        return parent

    async def _may(self, model: Model, method: str, instance: dict[str, Any] | None = None) -> None:
        """A write through the relation needs the written model's own ACL too (`create`, or
        `prototype.patchAttributes`/`deleteById` about `instance`), when it has ACLs: LB3 checks
        only the parent's relation method."""
        if model.acl is not None:
            model_id = instance.get(model.meta.id_name) if instance is not None else None
            await model.acl.check(self.ctx, method, model_id)

    async def _key(self) -> Any:
        """The parent's key that the relation's foreign key holds; 404 for an unknown parent."""
        return (await self._parent()).get(self.relation.primary_key)


class Linked(Bound):
    """A relation a target is linked to and unlinked from (through/HABTM, referencesMany), with
    the Python names of LB3's `book.tags.add(tag)` / `.remove(tag)`: an instance or an id."""

    async def link(self, fk: Any, data: dict[str, Any] | None = None) -> dict[str, Any]:
        raise NotImplementedError

    async def unlink(self, fk: Any) -> None:
        raise NotImplementedError

    async def add(self, target: Any, data: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.link(item_id(target, self.target.meta.id_name), data)

    async def remove(self, target: Any) -> None:
        await self.unlink(item_id(target, self.target.meta.id_name))


def none_found(name: str) -> ModelNotFound:
    return ModelNotFound(f'No "{name}" instance(s) found')


def and_(*parts: Where | None) -> Where | None:
    present = tuple(p for p in parts if p is not None)
    if not present:
        return None
    return present[0] if len(present) == 1 else And(present)


def item_id(value: Any, id_name: str) -> Any:
    """An id given as itself or as an instance (`book.tags.add(tag)` or `.add(3)`)."""
    return value.get(id_name) if isinstance(value, dict) else value
