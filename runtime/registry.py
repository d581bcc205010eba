"""The model registry: what the runtime knows about each model, read once from the document's `x-lb-*`
extensions (the runtime never reads LB3 JSON itself) and frozen for the life of the process."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

MISSING: Any = object()


@dataclass(frozen=True)
class PropertyMeta:
    name: str
    type: str
    item_type: str | None = None
    required: bool = False
    id: int = 0
    generated: bool = False
    integer: bool = False  # an int64 key (a generated id or a foreign key to one), never a double
    default: Any = MISSING
    default_fn: str | None = None
    hidden: bool = False
    protected: bool = False
    index: Any = None
    settings: dict[str, Any] = field(default_factory=dict)
    model: str | None = None  # an embedded model's name: the value is one (or a list of) its items

    def __post_init__(self) -> None:
        if self.id and self.generated and self.type == "number":  # a generated id is an int64 key
            object.__setattr__(self, "integer", True)

    @property
    def integer_id(self) -> bool:
        return bool(self.id) and self.generated and self.type == "number"


@dataclass(frozen=True)
class RelationMeta:
    """A relation's definition, typed once from the model JSON: every runtime stage (relation
    endpoints, include loading, related-model where, EXISTS, table indexes) reads these fields, so a
    key or a join condition is spelled in one place, never read from the raw dict again."""

    name: str
    type: str
    model: str | None
    foreign_key: str | None
    raw: dict[str, Any]
    primary_key: str | None = field(init=False)  # explicit `primaryKey`, else the id (see below)
    through: str | None = field(init=False)  # hasManyThrough/HABTM: the join model
    key_through: str | None = field(init=False)  # the join row's key of the target
    discriminator: str | None = field(init=False)  # polymorphic: the property naming a model
    invert: bool = field(init=False)  # polymorphic through: the discriminator names the target
    scope: dict[str, Any] | None = field(init=False)
    options: dict[str, Any] = field(init=False)
    item_property: str = field(
        init=False
    )  # embedsOne/embedsMany: the parent property holding items
    copied: dict[str, str] = field(init=False)  # `properties`: parent property -> child property

    def __post_init__(self) -> None:
        raw = self.raw

        def text(key: str) -> str | None:
            value = raw.get(key)
            return str(value) if value else None

        scope, options, copied = raw.get("scope"), raw.get("options"), raw.get("properties")
        typed = {
            "primary_key": text("primaryKey"),
            "through": text("through"),
            "key_through": text("keyThrough"),
            "discriminator": text("discriminator"),
            "invert": bool(raw.get("invert")),
            "scope": scope if isinstance(scope, dict) else None,
            "options": options if isinstance(options, dict) else {},
            "item_property": text("property") or self.name,
            "copied": {str(k): str(v) for k, v in copied.items()}
            if isinstance(copied, dict)
            else {},
        }
        for name, value in typed.items():
            object.__setattr__(self, name, value)

    def owner_key(self, parent: ModelMeta, target: ModelMeta | None) -> str:
        """The key the foreign key holds: the target's (belongsTo, referencesMany) or the parent's
        (hasMany, hasOne, through) id, unless `primaryKey` names another property."""
        if self.primary_key:
            return self.primary_key
        owner = target if self.type in ("belongsTo", "referencesMany") else parent
        return owner.id_name if owner is not None else "id"

    def kind_value(self, parent: str, target: str) -> str:
        """The discriminator's value on this relation's rows: the parent model's name, or for an
        inverted through relation the target's."""
        return target if self.invert else parent


@dataclass(frozen=True)
class ModelMeta:
    name: str
    properties: dict[str, PropertyMeta]
    plural: str = ""
    base_chain: tuple[str, ...] = ()
    public: bool = True
    datasource: str | None = None
    force_id: bool = False
    strict: bool | str | None = None  # None: not set (unknown properties are refused)
    relations: dict[str, RelationMeta] = field(default_factory=dict)
    acls: tuple[dict[str, Any], ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    # derived from the frozen fields once, not per request (a create reads id_name, a findById
    # id_property); cached_property writes the instance's __dict__, which frozen allows
    @cached_property
    def id_property(self) -> PropertyMeta | None:
        ids = sorted((p for p in self.properties.values() if p.id), key=lambda p: p.id)
        return ids[0] if ids else None

    @cached_property
    def id_name(self) -> str:
        pk = self.id_property
        return pk.name if pk else "id"

    @cached_property
    def hidden(self) -> frozenset[str]:
        return frozenset(p.name for p in self.properties.values() if p.hidden)

    @cached_property
    def is_user(self) -> bool:
        return self.name == "User" or "User" in self.base_chain

    @property
    def has_table(self) -> bool:
        """False for a model that only describes embedded items (no table, no data source)."""
        return self.raw.get("table", True) is not False


@dataclass(frozen=True)
class Registry:
    """The models' definitions (`models`, `model(name)`), and once the app has built them, the
    model objects it serves (`get_model(name)`, LB3's `app.registry.getModel`)."""

    app: dict[str, Any]
    models: dict[str, ModelMeta]
    # name -> the app's model object (a runtime Model, or an Email model): filled by the app
    live: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def model(self, name: str) -> ModelMeta:
        return self.models[name]

    def get_model(self, name: str) -> Any:
        """LB3's `registry.getModel(name)`: the model the app built (its Python API), the built-in
        Email always among them; LookupError with LB3's message when there is none."""
        found = self.live.get(name)
        if found is None:
            raise LookupError(f"Model not found: {name}")
        return found

    def find_model(self, name: str) -> Any | None:
        """LB3's `registry.findModel(name)`: the model, or None."""
        return self.live.get(name)

    @property
    def datasource(self) -> str | None:
        """The data source the app serves (the first public model's; one per app for now)."""
        return next((m.datasource for m in self.models.values() if m.public and m.has_table), None)

    def datasources(self) -> dict[str, list[str]]:
        """Model names by the data source each is attached to."""
        found: dict[str, list[str]] = {}
        for m in self.models.values():
            if m.has_table:
                found.setdefault(m.datasource or "", []).append(m.name)
        return found


def _property(name: str, raw: dict[str, Any]) -> PropertyMeta:
    return PropertyMeta(
        name=name,
        type=raw["type"],
        item_type=raw.get("items", {}).get("type"),
        required=bool(raw.get("required", False)),
        id=int(raw.get("id", 0)),
        generated=bool(raw.get("generated", False)),
        integer=bool(raw.get("integer", False)),
        default=raw.get("default", MISSING),
        default_fn=raw.get("defaultFn"),
        hidden=bool(raw.get("hidden", False)),
        protected=bool(raw.get("protected", False)),
        index=raw.get("index"),
        settings=dict(raw.get("settings", {})),
        model=raw.get("model"),
    )


def build_registry(document: dict[str, Any]) -> Registry:
    models: dict[str, ModelMeta] = {}
    for name, raw in document.get("x-lb-models", {}).items():
        models[name] = ModelMeta(
            name=name,
            plural=raw["plural"],
            base_chain=tuple(raw.get("baseChain", ())),
            public=bool(raw.get("public", False)),
            datasource=raw.get("dataSource"),
            force_id=bool(raw.get("forceId", False)),
            strict=raw.get("strict"),
            properties={p: _property(p, r) for p, r in raw.get("properties", {}).items()},
            relations={
                r: RelationMeta(r, d["type"], d.get("model"), d.get("foreignKey"), d)
                for r, d in raw.get("relations", {}).items()
            },
            acls=tuple(raw.get("acls", ())),
            settings=dict(raw.get("settings", {})),
            raw=raw,
        )
    return Registry(app=dict(document.get("x-lb-app", {})), models=models)
