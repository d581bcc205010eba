"""Which relation endpoints a model gets, and their LB3 names: one table per relation type.

    belongsTo                GET    /M/{id}/rel             prototype.__get__rel
    hasOne, embedsOne        GET    /M/{id}/rel             prototype.__get__rel
                             POST   /M/{id}/rel             prototype.__create__rel
                             PUT    /M/{id}/rel             prototype.__update__rel
                             PATCH  /M/{id}/rel             prototype.__patch__rel (not in LB3)
                             DELETE /M/{id}/rel             prototype.__destroy__rel
    hasMany, embedsMany      GET    /M/{id}/rel             prototype.__get__rel (filter)
                             POST   /M/{id}/rel             prototype.__create__rel
                             DELETE /M/{id}/rel             prototype.__delete__rel
                             GET    /M/{id}/rel/count       prototype.__count__rel (where)
                             GET    /M/{id}/rel/{fk}        prototype.__findById__rel
                             PUT    /M/{id}/rel/{fk}        prototype.__updateById__rel
                             DELETE /M/{id}/rel/{fk}        prototype.__destroyById__rel
    hasManyThrough, HABTM,   the hasMany seven, and
    referencesMany           PUT    /M/{id}/rel/rel/{fk}    prototype.__link__rel
                             DELETE /M/{id}/rel/rel/{fk}    prototype.__unlink__rel
                             HEAD   /M/{id}/rel/rel/{fk}    prototype.__exists__rel

A relation with `options.nestRemoting` (hasMany-like) also gets every endpoint of its target's relations
under `/M/{id}/rel/{nk}/`, one level deep (`prototype.__get__books__author`). Only relations whose
target is served get endpoints (LB3 would expose a private target, such as a User's access tokens,
through its owner); embedded relations need only their target's schemas.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import naming
from ..ir import AppSpec, ModelSpec, RelationSpec
from .operations import base_path


@dataclass(frozen=True)
class RelationEndpoint:
    kind: str  # get | find | count | findById | create | update | patch | link | ...
    verb: str
    suffix: str  # after /M/{id}/rel
    summary: str


BELONGS_TO = (RelationEndpoint("get", "get", "", "Fetches {type} relation {rel}."),)
HAS_ONE = (
    *BELONGS_TO,
    RelationEndpoint("create", "post", "", "Creates a new instance in {rel} of this model."),
    RelationEndpoint("update", "put", "", "Update {rel} of this model."),
    RelationEndpoint("patch", "patch", "", "Update {rel} of this model."),
    RelationEndpoint("destroy", "delete", "", "Deletes {rel} of this model."),
)
HAS_MANY = (
    RelationEndpoint("find", "get", "", "Queries {rel} of {M}."),
    RelationEndpoint("create", "post", "", "Creates a new instance in {rel} of this model."),
    RelationEndpoint("deleteAll", "delete", "", "Deletes all {rel} of this model."),
    RelationEndpoint("count", "get", "/count", "Counts {rel} of {M}."),
    RelationEndpoint("findById", "get", "/{fk}", "Find a related item by id for {rel}."),
    RelationEndpoint("updateById", "put", "/{fk}", "Update a related item by id for {rel}."),
    RelationEndpoint("destroyById", "delete", "/{fk}", "Delete a related item by id for {rel}."),
)
LINKED = (
    *HAS_MANY,
    RelationEndpoint("link", "put", "/rel/{fk}", "Add a related item by id for {rel}."),
    RelationEndpoint(
        "unlink", "delete", "/rel/{fk}", "Remove the {rel} relation to an item by id."
    ),
    RelationEndpoint(
        "exists", "head", "/rel/{fk}", "Check the existence of {rel} relation to an item by id."
    ),
)
ENDPOINTS = {
    "belongsTo": BELONGS_TO,
    "hasOne": HAS_ONE,
    "embedsOne": HAS_ONE,
    "hasMany": HAS_MANY,
    "embedsMany": HAS_MANY,
    "hasManyThrough": LINKED,
    "hasAndBelongsToMany": LINKED,
    "referencesMany": LINKED,
}
METHOD = {
    "get": "__get__",
    "find": "__get__",
    "count": "__count__",
    "findById": "__findById__",
    "create": "__create__",
    "update": "__update__",
    "patch": "__patch__",
    "destroy": "__destroy__",
    "deleteAll": "__delete__",
    "updateById": "__updateById__",
    "destroyById": "__destroyById__",
    "link": "__link__",
    "unlink": "__unlink__",
    "exists": "__exists__",
}
RUNTIME_KIND = {"patch": "update"}  # PATCH is PUT's second verb: one runtime function
MANY = ("hasMany", "hasManyThrough", "hasAndBelongsToMany", "referencesMany", "embedsMany")
THROUGH = ("hasManyThrough", "hasAndBelongsToMany")
NESTING = ("hasMany", "hasManyThrough", "hasAndBelongsToMany", "referencesMany")


@dataclass(frozen=True)
class Surface:
    """The models of one app as the REST API sees them."""

    served: dict[str, ModelSpec]  # public models stored in a table: they have paths of their own
    models: dict[str, ModelSpec]  # every model of the app

    @classmethod
    def of(cls, app: AppSpec) -> Surface:
        served = {m.name: m for m in app.models if m.public and app.has_table(m)}
        return cls(served=served, models={m.name: m for m in app.models})


@dataclass(frozen=True)
class Related:
    """A relation that gets endpoints, with the models they read and write."""

    relation: RelationSpec
    target: ModelSpec | None  # None only for a polymorphic belongsTo
    through: ModelSpec | None = None
    owners: tuple[ModelSpec, ...] = ()  # polymorphic belongsTo: the models it may point at


@dataclass(frozen=True)
class RelationOperation:
    """One relation endpoint of a model; `parent` is the nestRemoting relation it is nested in."""

    model: ModelSpec
    related: Related
    endpoint: RelationEndpoint
    parent: Related | None = None

    @property
    def owner(self) -> ModelSpec:
        """The model that declares the relation served here (the parent's target when nested)."""
        return self.parent.target if self.parent and self.parent.target else self.model

    @property
    def relation_name(self) -> str:
        """The model's relation the path starts with (x-lb-operation `relation`)."""
        return (self.parent or self.related).relation.name

    @property
    def nested(self) -> str | None:
        return self.related.relation.name if self.parent else None

    @property
    def method(self) -> str:
        names = [r.relation.name for r in (self.parent, self.related) if r is not None]
        return f"prototype.{METHOD[self.endpoint.kind]}{'__'.join(names)}"

    @property
    def operation_id(self) -> str:
        return f"{self.model.name}.{self.method}"

    @property
    def python_name(self) -> str:
        """`reviews_find`, `books__author_get`: unique beside the PersistedModel handler names."""
        names = [naming.module_name(r.relation.name) for r in (self.parent, self.related) if r]
        return f"{'__'.join(names)}_{naming.module_name(self.endpoint.kind)}"

    @property
    def runtime_function(self) -> str:
        kind = RUNTIME_KIND.get(self.endpoint.kind, self.endpoint.kind)
        return f"related_{naming.module_name(kind)}"

    @property
    def path(self) -> str:
        nest = f"/{self.parent.relation.name}/{{nk}}" if self.parent else ""
        rel = self.related.relation.name
        return f"{base_path(self.model)}/{{id}}{nest}/{rel}{self.endpoint.suffix}"

    @property
    def summary(self) -> str:
        rel = self.related.relation
        kind = "hasOne" if rel.type == "embedsOne" else rel.type  # LB3 shares hasOne's text
        return self.endpoint.summary.format(type=kind, rel=rel.name, M=self.owner.name)


def served_relations(model: ModelSpec, surface: Surface) -> list[Related]:
    """The model's relations that get endpoints, in declaration order."""
    if not model.id_properties:
        return []
    out = []
    for rel in model.relations:
        related = _related(model, rel, surface)
        if related is not None:
            out.append(related)
    return out


def _related(model: ModelSpec, rel: RelationSpec, surface: Surface) -> Related | None:
    if rel.type in ("embedsOne", "embedsMany"):
        target = surface.models.get(rel.model or "")
        return Related(rel, target) if target is not None and rel.property else None
    if rel.type == "belongsTo" and rel.polymorphic:
        return Related(rel, None, owners=polymorphic_owners(model, rel, surface))
    target = surface.served.get(rel.model or "")
    if target is None or rel.type not in ENDPOINTS or not rel.foreign_key:
        return None
    if rel.type in THROUGH:
        through = surface.models.get(rel.through or "")
        return Related(rel, target, through) if through and rel.key_through else None
    return Related(rel, target)


def polymorphic_owners(
    model: ModelSpec, rel: RelationSpec, surface: Surface
) -> tuple[ModelSpec, ...]:
    """The served models whose polymorphic hasOne/hasMany points at this belongsTo's keys."""
    return tuple(
        owner
        for owner in surface.served.values()
        if any(
            r.type in ("hasOne", "hasMany")
            and r.polymorphic
            and r.model == model.name
            and (r.foreign_key, r.discriminator) == (rel.foreign_key, rel.discriminator)
            for r in owner.relations
        )
    )


def relation_operations(model: ModelSpec, surface: Surface) -> list[RelationOperation]:
    """Every relation endpoint of the model, nested ones right after the relation they nest in."""
    out = []
    for related in served_relations(model, surface):
        out += [RelationOperation(model, related, ep) for ep in ENDPOINTS[related.relation.type]]
        if (
            related.relation.type in NESTING
            and related.relation.options.get("nestRemoting") is True
        ):
            assert related.target is not None
            for inner in served_relations(related.target, surface):
                out += [
                    RelationOperation(model, inner, ep, parent=related)
                    for ep in ENDPOINTS[inner.relation.type]
                ]
    return out
