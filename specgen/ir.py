"""The intermediate model: a typed, validated view of a LoopBack 3 application.

The loader resolves everything LB3 resolves at boot (base-model inheritance, implicit ids, default
foreign keys, plurals), once, so later stages never look at raw JSON again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# LB3 property types after normalisation (LB3 accepts them case-insensitively).
SCALAR_TYPES = (
    "string",
    "number",
    "boolean",
    "date",
    "object",
    "array",
    "any",
    "geopoint",
    "buffer",
)


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()


@dataclass(frozen=True)
class PropertySpec:
    name: str
    type: str
    item_type: str | None = None  # element type of typed arrays such as ["string"]
    required: bool = False
    id: int = 0  # 0: not an id; n: position in a (composite) id
    generated: bool = False
    # holds integer keys: a generated number id, or a foreign key to one (BIGINT, not a double)
    integer: bool = False
    default: Any = NO_DEFAULT
    default_fn: str | None = None
    index: Any = None
    hidden: bool = False
    protected: bool = False
    description: str | None = None
    # connector and other settings kept verbatim (postgresql, mysql, length, precision, ...)
    settings: dict[str, Any] = field(default_factory=dict)
    # the model whose instances the value holds (an embedsOne object or embedsMany items)
    model: str | None = None


@dataclass(frozen=True)
class RelationSpec:
    name: str
    type: str
    model: str | None
    foreign_key: str | None
    primary_key: str | None = None
    through: str | None = None
    key_through: str | None = None
    polymorphic: Any = None
    as_: str | None = None
    scope: dict[str, Any] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] | None = None
    invert: bool = False
    property: str | None = None  # embeds*: the owner property that stores the data (resolved)
    discriminator: str | None = None  # polymorphic: the property naming the related model


@dataclass(frozen=True)
class AclSpec:
    principal_type: str
    principal_id: str
    permission: str
    access_type: str = "*"
    property: tuple[str, ...] = ("*",)


@dataclass(frozen=True)
class MethodSpec:
    name: str
    is_static: bool
    accepts: tuple[dict[str, Any], ...]
    returns: tuple[dict[str, Any], ...]
    http: tuple[dict[str, Any], ...]
    description: str | None = None
    # authorization: the declared accessType, aliases and accessScopes; `http` declared as an array
    access_type: str | None = None
    aliases: tuple[str, ...] = ()
    access_scopes: tuple[str, ...] | None = None
    http_list: bool = False


@dataclass(frozen=True)
class ModelSpec:
    name: str
    plural: str
    base: str
    base_chain: tuple[str, ...]  # nearest base first, ends with Model
    source: str  # file the definition came from
    properties: tuple[PropertySpec, ...]
    id_injection: bool = True
    force_id: bool = False
    strict: bool | str | None = None  # None: the model does not say
    options: dict[str, Any] = field(default_factory=dict)
    validations: tuple[Any, ...] = ()
    # the validators the model's Python module registers, as JSON (runtime Rule.describe()): read at
    # compile time by the command line, stated in the document as JSON Schema keywords
    rules: tuple[dict[str, Any], ...] = ()
    relations: tuple[RelationSpec, ...] = ()
    acls: tuple[AclSpec, ...] = ()
    scopes: dict[str, Any] = field(default_factory=dict)
    indexes: dict[str, Any] = field(default_factory=dict)
    methods: tuple[MethodSpec, ...] = ()
    mixins: dict[str, Any] = field(default_factory=dict)
    http_path: str | None = None
    description: str | None = None
    # model-level connector settings (postgresql: {schema, table}, mysql: {table}, ...)
    settings: dict[str, Any] = field(default_factory=dict)
    # from model-config.json
    public: bool = False
    datasource: str | None = None
    python_module: str | None = None  # models/<file>.py beside the JSON, relative to the app dir
    # the Python modules of the base models (name -> path, nearest base first): what a sub-model
    # inherits from them (implementations, operation hooks) is found at start-up (runtime/inheritance.py)
    base_modules: dict[str, str] = field(default_factory=dict)
    # mixins found as Python files (name -> path relative to the app dir); built-ins are not listed
    mixin_modules: dict[str, str] = field(default_factory=dict)

    @property
    def persisted(self) -> bool:
        return "PersistedModel" in self.base_chain or self.name == "PersistedModel"

    @property
    def id_properties(self) -> tuple[PropertySpec, ...]:
        return tuple(sorted((p for p in self.properties if p.id), key=lambda p: p.id))

    @property
    def is_user(self) -> bool:
        return self.name == "User" or "User" in self.base_chain


@dataclass(frozen=True)
class DataSourceSpec:
    name: str
    connector: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AppSpec:
    name: str
    app_dir: str
    rest_api_root: str
    host: str
    port: int
    models: tuple[ModelSpec, ...]  # every model attached to a datasource, sorted by name
    datasources: tuple[DataSourceSpec, ...]
    boot_scripts: tuple[str, ...] = ()

    def model(self, name: str) -> ModelSpec:
        for m in self.models:
            if m.name == name:
                return m
        raise KeyError(name)

    def connector(self, model: ModelSpec) -> str | None:
        """The connector of the model's data source; None when it has none."""
        return next((d.connector for d in self.datasources if d.name == model.datasource), None)

    def has_table(self, model: ModelSpec) -> bool:
        """Whether the model's instances are stored in a table of their own: a persisted model on a
        data source that stores (embedded-only models live on `transient` or on none)."""
        return model.persisted and self.connector(model) not in (None, "transient")
