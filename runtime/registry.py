"""The model registry: what the runtime knows about each model, read once from the document's `x-lb-*`
extensions (the runtime never reads LB3 JSON itself) and frozen for the life of the process."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    name: str
    type: str
    model: str | None
    foreign_key: str | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class ModelMeta:
    name: str
    properties: dict[str, PropertyMeta]
    plural: str = ""
    base_chain: tuple[str, ...] = ()
    public: bool = True
    datasource: str | None = None
    force_id: bool = False
    strict: bool | str = False
    relations: dict[str, RelationMeta] = field(default_factory=dict)
    acls: tuple[dict[str, Any], ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def id_property(self) -> PropertyMeta | None:
        ids = sorted((p for p in self.properties.values() if p.id), key=lambda p: p.id)
        return ids[0] if ids else None

    @property
    def id_name(self) -> str:
        pk = self.id_property
        return pk.name if pk else "id"

    @property
    def hidden(self) -> frozenset[str]:
        return frozenset(p.name for p in self.properties.values() if p.hidden)

    @property
    def is_user(self) -> bool:
        return self.name == "User" or "User" in self.base_chain

    @property
    def has_table(self) -> bool:
        """False for a model that only describes embedded items (no table, no data source)."""
        return self.raw.get("table", True) is not False


@dataclass(frozen=True)
class Registry:
    app: dict[str, Any]
    models: dict[str, ModelMeta]

    def model(self, name: str) -> ModelMeta:
        return self.models[name]

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
            strict=raw.get("strict", False),
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
