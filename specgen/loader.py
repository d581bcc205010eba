"""Load a LoopBack 3 application directory into the intermediate model (`AppSpec`).

Reads what an LB3 project keeps in `server/`: model-config.json (with `_meta.sources`), datasources.json,
config.json and the model JSON files found through the sources. Base-model inheritance, implicit ids,
default foreign keys and plurals are resolved here, once. Problems are collected, never raised one by one:
`load_app` returns every error and warning it found.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import naming
from .errors import SpecError, pointer
from .ir import (
    NO_DEFAULT,
    SCALAR_TYPES,
    AclSpec,
    AppSpec,
    DataSourceSpec,
    MethodSpec,
    ModelSpec,
    PropertySpec,
    RelationSpec,
)

BUILTIN_DIR = Path(__file__).parent / "builtins"
BUILTIN_SOURCES = {"loopback/common/models": BUILTIN_DIR, "loopback/server/models": None}
DEFAULT_SOURCES = [
    "loopback/common/models",
    "loopback/server/models",
    "../common/models",
    "./models",
]
ABSTRACT_BASES = {"Model": None, "PersistedModel": "Model", "KeyValueModel": "Model"}
# LB3's Model itself has this id (juggler injects it when Model is defined), so every model inherits it
# unless it declares an id of its own
IMPLICIT_ID = PropertySpec(name="id", type="number", id=1, generated=True)

RELATION_TYPES = {
    "belongsTo",
    "hasOne",
    "hasMany",
    "hasManyThrough",
    "hasAndBelongsToMany",
    "embedsOne",
    "embedsMany",
    "referencesMany",
}
PERMISSIONS = {"ALLOW", "DENY", "ALARM", "AUDIT", "DEFAULT"}
ACCESS_TYPES = {"READ", "WRITE", "EXECUTE", "REPLICATE", "*"}
PRINCIPAL_TYPES = {"ROLE", "USER", "APP", "APPLICATION"}
CONNECTORS = {"memory", "postgresql", "mysql", "sqlite3", "sqlite"}

MODEL_KEYS = {
    "name", "plural", "base", "description", "idInjection", "forceId", "strict", "options", "properties",
    "hidden", "protected", "validations", "relations", "acls", "scopes", "indexes", "methods", "mixins",
    "http", "remoting", "replaceOnPUT", "public", "trackChanges", "enableRemoteReplication",
    "excludeBaseProperties", "injectOptionsFromRemoteContext", "validateUpsert", "postgresql", "mysql",
    "mssql", "oracle", "mongodb", "sqlite3", "memory", "caseSensitiveEmail", "ttl", "maxTTL",
    "emailVerificationRequired", "realmRequired", "realmDelimiter", "resetPasswordTokenTTL",
    "restrictResetPasswordTokenScope", "allowEternalTokens", "saltWorkFactor", "settings", "comments",
    "title", "http.path", "$schema", "dataSource",
}  # fmt: skip
PROPERTY_KEYS = {
    "type", "required", "default", "defaultFn", "id", "generated", "index", "hidden", "protected",
    "description", "doc", "length", "precision", "scale", "postgresql", "mysql", "mssql", "oracle",
    "mongodb", "sqlite3", "memory", "columnName", "dataType", "jsonSchema", "min", "max", "comments",
    "format", "unique", "updateOnly", "useDefaultIdType", "deprecated", "ttl", "title", "nullable",
    "dataLength", "dataPrecision", "dataScale", "example", "enum",
}  # fmt: skip
RELATION_KEYS = {
    "type", "model", "foreignKey", "primaryKey", "through", "keyThrough", "keyFrom", "keyTo",
    "polymorphic", "as", "scope", "options", "properties", "invert", "property", "embed", "methods",
    "default", "description",
}  # fmt: skip
ACL_KEYS = {"principalType", "principalId", "permission", "accessType", "property", "model"}
_UNSAFE_NAME = re.compile(r"[\s/#?%]")
DEFAULT_FNS = {"now", "guid", "uuid", "uuidv4", "shortid", "nanoid"}


@dataclass
class _RawModel:
    name: str
    file: str
    data: dict[str, Any]
    python_module: str | None
    builtin: bool = False  # from loopback/common/models
    force_setting: Any = None  # LB3's resolved `forceId` setting, which sub-models inherit
    hidden: set[str] = field(default_factory=set)  # own and inherited `hidden` names
    protected: set[str] = field(default_factory=set)


class _Collector:
    def __init__(self) -> None:
        self.items: list[SpecError] = []

    def error(self, file: str, ptr: str, message: str) -> None:
        self.items.append(SpecError(file, ptr, message))

    def warn(self, file: str, ptr: str, message: str) -> None:
        self.items.append(SpecError(file, ptr, message, "warning"))


def read_json(path: Path, errors: _Collector, display: str) -> Any:
    """Parse a JSON file; a syntax error is reported with its line and column."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # Node's require() skips a byte-order mark too
    except (OSError, UnicodeDecodeError) as exc:
        errors.error(display, "", f"cannot read file: {exc}")
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        errors.error(
            display, "", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        )
        return None


def app_root(path: Path) -> Path:
    """The directory holding model-config.json: PATH itself, or PATH/server for an LB3 project."""
    if not (path / "model-config.json").exists() and (path / "server/model-config.json").exists():
        return path / "server"
    return path


def load_app(app_dir: str | Path) -> tuple[AppSpec | None, list[SpecError]]:
    """Load an LB3 application directory (what LB3 keeps in `server/`; a project root will do)."""
    root = app_root(Path(app_dir))
    errors = _Collector()
    if not root.is_dir():
        errors.error(str(app_dir), "", "not a directory")
        return None, errors.items

    def display(p: Path) -> str:
        """Paths in messages: relative to the app's parent; built-ins as LB3's source names them."""
        if p.parent == BUILTIN_DIR:
            return f"loopback/common/models/{p.name}"
        try:
            return p.resolve().relative_to(root.resolve().parent).as_posix()
        except ValueError:
            return str(p)

    config = _load_optional(root / "config.json", errors, display) or {}
    datasources = _load_datasources(root / "datasources.json", errors, display)
    # a data source whose settings are wrong is reported there, not again by every model using it
    raw_datasources = _load_optional(root / "datasources.json", _Collector(), display)
    datasource_names = set(raw_datasources) if isinstance(raw_datasources, dict) else set()
    model_config_path = root / "model-config.json"
    model_config = _load_optional(model_config_path, errors, display)
    if model_config is None:
        if not model_config_path.exists():
            errors.error(display(model_config_path), "", "model-config.json is missing")
        return None, errors.items
    if not isinstance(model_config, dict):
        errors.error(display(model_config_path), "", "must be a JSON object")
        return None, errors.items

    meta = model_config.get("_meta") or {}
    sources = meta.get("sources", DEFAULT_SOURCES) if isinstance(meta, dict) else DEFAULT_SOURCES
    unreadable: set[str] = set()  # names of model files that did not parse: reported already
    raw_models = _discover_models(
        root, sources, errors, display, display(model_config_path), unreadable
    )

    attached: dict[str, dict[str, Any]] = {}
    mc_file = display(model_config_path)
    for name, entry in model_config.items():
        if name == "_meta":
            continue
        if not isinstance(entry, dict):
            errors.error(mc_file, pointer(name), "must be an object with dataSource and public")
            continue
        if name not in raw_models:
            if name in unreadable:
                continue
            errors.error(
                mc_file, pointer(name), f'unknown model "{name}": no model definition found'
            )
            continue
        ds = entry.get("dataSource")
        if ds is None or ds is False:
            pass  # LB3: null or false configures the model without attaching it
        elif not isinstance(ds, str):
            errors.error(mc_file, pointer(name, "dataSource"), "must be a data source name")
        elif ds not in datasource_names:
            errors.error(mc_file, pointer(name, "dataSource"), f'unknown data source "{ds}"')
        attached[name] = entry

    resolved: dict[str, ModelSpec] = {}
    for name in sorted(raw_models):
        spec = _resolve(name, raw_models, resolved, errors, [])
        if name in attached:
            resolved[name] = _configure(spec, attached[name], raw_models, mc_file, errors)

    models = {n: m for n, m in resolved.items() if n in attached}
    models = _add_relation_keys(models, raw_models, errors)

    boot_dir = root / "boot"
    boot_scripts: list[str] = []
    if boot_dir.is_dir():
        for f in sorted(boot_dir.iterdir()):
            if f.suffix == ".py":
                boot_scripts.append(f"boot/{f.name}")
            elif f.suffix == ".js":
                errors.warn(
                    display(f),
                    "",
                    "JavaScript boot script ignored (write boot/*.py with setup(app))",
                )

    rest_root = config.get("restApiRoot", "/api") if isinstance(config, dict) else "/api"
    app = AppSpec(
        name=root.resolve().name if root.resolve().name != "server" else root.resolve().parent.name,
        app_dir=str(root.resolve()),
        rest_api_root=rest_root if isinstance(rest_root, str) else "/api",
        host=str(config.get("host", "0.0.0.0")) if isinstance(config, dict) else "0.0.0.0",
        port=_as_port(config.get("port", 3000) if isinstance(config, dict) else 3000),
        models=tuple(models[n] for n in sorted(models)),
        datasources=tuple(datasources),
        boot_scripts=tuple(boot_scripts),
    )
    has_errors = any(e.level == "error" for e in errors.items)
    return (None if has_errors else app), sorted(set(errors.items), key=_error_order)


def _error_order(e: SpecError) -> tuple[str, str, str, str]:
    return (e.file, e.pointer, e.level, e.message)


def _as_port(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 3000


def _load_optional(path: Path, errors: _Collector, display: Any) -> Any:
    return read_json(path, errors, display(path)) if path.exists() else None


def _load_datasources(path: Path, errors: _Collector, display: Any) -> list[DataSourceSpec]:
    data = _load_optional(path, errors, display)
    if data is None:
        return []
    if not isinstance(data, dict):
        errors.error(display(path), "", "must be a JSON object")
        return []
    out = []
    for name, settings in sorted(data.items()):
        if not isinstance(settings, dict):
            errors.error(display(path), pointer(name), "must be an object")
            continue
        connector = settings.get("connector", "memory")
        if not isinstance(connector, str):
            errors.error(display(path), pointer(name, "connector"), "must be a string")
            continue
        short = connector.removeprefix("loopback-connector-")
        if short not in CONNECTORS:
            errors.error(
                display(path),
                pointer(name, "connector"),
                f'unsupported connector "{connector}" (supported: {", ".join(sorted(CONNECTORS))})',
            )
            continue
        out.append(DataSourceSpec(name=name, connector=short, settings=dict(settings)))
    return out


def _discover_models(
    root: Path,
    sources: Any,
    errors: _Collector,
    display: Any,
    model_config: str,
    unreadable: set[str],
) -> dict[str, _RawModel]:
    found: dict[str, _RawModel] = {}
    if not isinstance(sources, list):
        errors.error(model_config, "/_meta/sources", "must be an array of directories")
        return found
    for src in sources:
        if not isinstance(src, str):
            continue
        if src in BUILTIN_SOURCES:
            directory = BUILTIN_SOURCES[src]
            if directory is None:
                continue
        else:
            directory = (root / src).resolve()
            if not directory.is_dir():
                continue
        for f in sorted(directory.glob("*.json")):
            if f.name.startswith("_"):  # loopback-boot skips these too
                continue
            data = read_json(f, errors, display(f))
            if data is None:
                unreadable.add(naming.model_name_from_file(f.stem))
                continue
            if not isinstance(data, dict):
                errors.error(display(f), "", "a model definition must be a JSON object")
                continue
            name = data.get("name") or naming.model_name_from_file(f.stem)
            if not isinstance(name, str):
                errors.error(display(f), "/name", "must be a model name")
                continue
            if _UNSAFE_NAME.search(name):
                # the name becomes a URL segment, a schema name and a JSON pointer
                message = f"model name {json.dumps(name)} cannot contain spaces, /, #, ? or %"
                errors.error(display(f), "/name", message)
                unreadable.add(name)
                continue
            if name in found and found[name].builtin:
                # loopback-boot lets a later source replace a model; say so, since it is rarely meant
                errors.warn(display(f), "/name", f'replaces the built-in model "{name}"')
            elif name in found:
                errors.error(
                    display(f),
                    "/name",
                    f'duplicate model "{name}" (also defined in {found[name].file})',
                )
                continue
            py = f.with_suffix(".py")
            if f.with_suffix(".js").exists() and directory != BUILTIN_DIR:
                errors.warn(
                    display(f.with_suffix(".js")),
                    "",
                    f"JavaScript model file ignored; write {py.name} with setup(Model) instead",
                )
            module = os.path.relpath(py, root).replace(os.sep, "/") if py.exists() else None
            found[name] = _RawModel(name, display(f), data, module, builtin=src in BUILTIN_SOURCES)
    return found


def _resolve(
    name: str,
    raw: dict[str, _RawModel],
    done: dict[str, ModelSpec],
    errors: _Collector,
    stack: list[str],
) -> ModelSpec:
    if name in done:
        return done[name]
    rm = raw[name]
    data, file = rm.data, rm.file
    for key in data:
        if key not in MODEL_KEYS:
            errors.warn(file, pointer(key), f'unknown model setting "{key}"')
    base_name = data.get("base", "PersistedModel")
    if not isinstance(base_name, str):
        errors.error(file, "/base", "must be a model name")
        base_name = "PersistedModel"
    # after a problem with the base, go on as if it were PersistedModel, so that every other problem
    # of this model is reported too (the app is rejected anyway)
    if base_name in (*stack, name):
        cycle = " -> ".join([*stack, name, base_name])
        errors.error(file, "/base", f"base models form a cycle: {cycle}")
        base_name = "PersistedModel"
    elif base_name not in ABSTRACT_BASES and base_name not in raw:
        errors.error(file, "/base", f'unknown base model "{base_name}"')
        base_name = "PersistedModel"
    parent: ModelSpec | None = None
    if base_name in ABSTRACT_BASES:
        chain: tuple[str, ...] = _abstract_chain(base_name)
    else:
        parent = _resolve(base_name, raw, done, errors, [*stack, name])
        chain = (base_name, *parent.base_chain)

    model_names = set(raw) | set(ABSTRACT_BASES)
    props = _merge_properties(parent, data, file, errors, model_names)
    own_hidden = _name_list(data, "hidden", file, errors)
    own_protected = _name_list(data, "protected", file, errors)
    hidden = set(parent_hidden(parent)) | own_hidden
    protected = {p.name for p in parent.properties if p.protected} if parent else set()
    protected |= own_protected
    rm.hidden, rm.protected = hidden, protected  # foreign keys defined later are hidden too
    props = {
        n: replace(p, hidden=p.hidden or n in hidden, protected=p.protected or n in protected)
        for n, p in props.items()
    }

    # LB3 injects an id when none is left (after `"id": null` or excludeBaseProperties), unless told not
    # to; `idInjection: false` does not remove the id every model inherits from Model
    id_injection = data.get("idInjection", parent.id_injection if parent else True)
    if not any(p.id for p in props.values()) and id_injection is not False:
        props["id"] = replace(IMPLICIT_ID, hidden="id" in hidden, protected="id" in protected)
    # Model's own setting is "auto" (its implicit id is generated), and sub-models inherit the setting
    inherited_force = raw[base_name].force_setting if parent else "auto"
    force_setting = _force_id(props, data.get("forceId", inherited_force))
    rm.force_setting = force_setting

    relations = {r.name: r for r in parent.relations} if parent else {}
    for rname, rdata in _object(data, "relations", file, errors).items():
        rel = _relation(rname, rdata, file, errors, model_names)
        if rel is not None:
            relations[rname] = rel

    acls = list(parent.acls) if parent else []
    raw_acls = data.get("acls", [])
    if isinstance(raw_acls, list):
        for i, a in enumerate(raw_acls):
            acl = _acl(a, file, pointer("acls", i), errors)
            if acl is not None:
                acls.append(acl)
    else:
        errors.error(file, "/acls", "must be an array")

    methods = {m.name: m for m in parent.methods} if parent else {}
    raw_methods = data.get("methods", {})
    if isinstance(raw_methods, dict):
        for mname, mdata in raw_methods.items():
            method = _method(mname, mdata, file, errors)
            if method is not None:
                methods[method.name] = method
    else:
        errors.error(file, "/methods", "must be an object")

    validations = data.get("validations", [])
    if not isinstance(validations, list):
        errors.error(file, "/validations", "must be an array")
        validations = []
    options = {**(parent.options if parent else {}), **_object(data, "options", file, errors)}
    http = data.get("http") or {}
    http_path = data.get("http.path") or (http.get("path") if isinstance(http, dict) else None)
    plural = data.get("plural") or naming.plural(name)
    if not isinstance(plural, str):
        errors.error(file, "/plural", "must be a string")
        plural = naming.plural(name)
    if http_path is not None and not isinstance(http_path, str):
        errors.error(
            file, "/http/path" if "http.path" not in data else "/http.path", "must be a string"
        )
    settings = {
        k: data[k] for k in ("postgresql", "mysql", "sqlite3", "memory", "mongodb") if k in data
    }
    spec = ModelSpec(
        name=name,
        plural=str(plural),
        base=base_name,
        base_chain=chain,
        source=file,
        properties=tuple(props.values()),
        id_injection=id_injection is not False,
        force_id=bool(force_setting) and any(p.id for p in props.values()),
        strict=data.get("strict", parent.strict if parent else False),
        options=options,
        validations=(*(parent.validations if parent else ()), *validations),
        relations=tuple(relations.values()),
        acls=tuple(acls),
        scopes={**(parent.scopes if parent else {}), **_object(data, "scopes", file, errors)},
        indexes={**(parent.indexes if parent else {}), **_object(data, "indexes", file, errors)},
        methods=tuple(methods.values()),
        mixins={**(parent.mixins if parent else {}), **_object(data, "mixins", file, errors)},
        http_path=http_path if isinstance(http_path, str) else None,
        description=_text(data.get("description")),
        settings=settings,
        python_module=rm.python_module,
    )
    done[name] = spec
    return spec


def _force_id(props: dict[str, PropertySpec], setting: Any) -> Any:
    """LB3's `forceId` after definition (juggler ModelBuilder.define): a generated id forces the id unless
    the model says `forceId: false`; a non-generated id turns an inherited "auto" off. The value, not
    only its truth, is inherited by sub-models, so it is returned as LB3 keeps it."""
    ids = sorted((p for p in props.values() if p.id), key=lambda p: p.id)
    if not ids:
        return setting
    id_prop = (
        props["id"] if props.get("id") and props["id"].id else ids[0]
    )  # ModelDefinition.idName
    if id_prop.generated and setting is not False:
        return "auto"
    if not id_prop.generated and setting == "auto":
        return False
    return setting


def parent_hidden(parent: ModelSpec | None) -> list[str]:
    return [p.name for p in parent.properties if p.hidden] if parent else []


def _configure(
    spec: ModelSpec,
    entry: dict[str, Any],
    raw: dict[str, _RawModel],
    file: str,
    errors: _Collector,
) -> ModelSpec:
    """Apply a model-config.json entry as LB3's `registry.configureModel` does: `relations` extend the
    model's relations by name, `acls` replace an entry for the same principal, property and access
    type or are appended, `options` become model options. Sub-models are not affected (loopback-boot
    defines every model before it configures any)."""
    at = pointer(spec.name)
    relations = {r.name: r for r in spec.relations}
    config_relations = entry.get("relations")
    if isinstance(config_relations, dict):
        model_names = set(raw) | set(ABSTRACT_BASES)
        for rname, rdata in config_relations.items():
            merged = (
                {**_raw_relation(spec, rname, raw), **rdata} if isinstance(rdata, dict) else rdata
            )
            rel = _relation(rname, merged, file, errors, model_names, at)
            if rel is not None:
                relations[rname] = rel
    elif config_relations is not None:
        errors.error(file, f"{at}/relations", "must be an object")
    acls = list(spec.acls)
    # LB3 compares the entries as written: an ACL without `property` does not match one with "*"
    written = [
        _acl_identity(a)
        for m in reversed((spec.name, *spec.base_chain))
        if m in raw and isinstance(raw[m].data.get("acls"), list)
        for a in raw[m].data["acls"]
    ]
    config_acls = entry.get("acls")
    if isinstance(config_acls, list):
        for i, a in enumerate(config_acls):
            acl = _acl(a, file, f"{at}/acls/{i}", errors)
            if acl is None:
                continue
            identity = _acl_identity(a)
            if identity in written and len(written) == len(acls):
                acls[written.index(identity)] = acl
            else:
                acls.append(acl)
                written.append(identity)
    elif config_acls is not None:
        errors.error(file, f"{at}/acls", "must be an array")
    options = entry.get("options")
    if options is not None and not isinstance(options, dict):
        errors.error(file, f"{at}/options", "must be an object")
        options = None
    return replace(
        spec,
        relations=tuple(relations.values()),
        acls=tuple(acls),
        options={**spec.options, **(options or {})},
        public=entry.get("public", True) is not False,
        datasource=entry.get("dataSource") or None,
    )


def _acl_identity(acl: Any) -> tuple[Any, ...]:
    keys = ("property", "accessType", "principalType", "principalId")
    return tuple(json.dumps(acl.get(k)) for k in keys) if isinstance(acl, dict) else ()


def _raw_relation(spec: ModelSpec, name: str, raw: dict[str, _RawModel]) -> dict[str, Any]:
    """The JSON of a relation as the model (or its nearest base declaring it) wrote it."""
    for model_name in (spec.name, *spec.base_chain):
        relations = raw[model_name].data.get("relations") if model_name in raw else None
        if isinstance(relations, dict) and isinstance(relations.get(name), dict):
            return dict(relations[name])
    return {}


def _abstract_chain(base: str) -> tuple[str, ...]:
    chain: list[str] = []
    current: str | None = base
    while current is not None:
        chain.append(current)
        current = ABSTRACT_BASES[current]
    return tuple(chain)


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value) if value is not None else None


def _object(data: dict[str, Any], key: str, file: str, errors: _Collector) -> dict[str, Any]:
    value = data.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.error(file, pointer(key), "must be an object")
        return {}
    return value


def _name_list(data: dict[str, Any], key: str, file: str, errors: _Collector) -> set[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.error(file, pointer(key), "must be an array of property names")
        return set()
    return set(value)


def _merge_properties(
    parent: ModelSpec | None,
    data: dict[str, Any],
    file: str,
    errors: _Collector,
    model_names: set[str],
) -> dict[str, PropertySpec]:
    """LB3's `ModelClass.extend` order: the model's own properties first, then the inherited ones it does
    not redefine. Declaring an id drops every inherited id; `null`/`false` and the names listed in
    `excludeBaseProperties` remove a property."""
    raw_props = data.get("properties", {})
    if raw_props is None:
        raw_props = {}
    if not isinstance(raw_props, dict):
        errors.error(file, "/properties", "must be an object")
        raw_props = {}
    excluded = data.get("excludeBaseProperties")
    if excluded is None:
        excluded = []
    elif not isinstance(excluded, list) or not all(isinstance(v, str) for v in excluded):
        errors.error(file, "/excludeBaseProperties", "must be an array of property names")
        excluded = []
    props: dict[str, PropertySpec] = {}
    for pname, pdata in raw_props.items():
        if pdata is None or pdata is False:
            continue
        prop = _property(pname, pdata, file, errors, model_names)
        if prop is not None:
            props[pname] = prop
    own_ids = any(isinstance(v, dict) and v.get("id") for v in raw_props.values())
    for inherited in parent.properties if parent is not None else (IMPLICIT_ID,):
        if inherited.name in raw_props or (own_ids and inherited.id):
            continue
        props[inherited.name] = inherited
    return {n: p for n, p in props.items() if n not in excluded}


def normalise_type(raw: Any, model_names: set[str]) -> tuple[str, str | None] | None:
    """LB3 type declaration -> (type, item type); None when it is not a type LB3 knows."""
    if isinstance(raw, list):
        if not raw:
            return ("array", "any")
        inner = normalise_type(raw[0], model_names)
        if inner is None or inner[0] == "array":
            return None
        return ("array", inner[0])
    if isinstance(raw, dict):  # an anonymous nested model definition
        return ("object", None)
    if not isinstance(raw, str):
        return None
    lowered = raw.lower()
    aliases = {"int": "number", "integer": "number", "float": "number", "double": "number",
               "bool": "boolean", "datetime": "date", "json": "object", "text": "string",
               "datestring": "string", "binary": "buffer"}  # fmt: skip
    lowered = aliases.get(lowered, lowered)
    if lowered in SCALAR_TYPES:
        return (lowered, "any" if lowered == "array" else None)
    if raw in model_names:  # a model used as a type: stored as an embedded object
        return ("object", None)
    return None


def _property(
    name: str, data: Any, file: str, errors: _Collector, model_names: set[str]
) -> PropertySpec | None:
    ptr = pointer("properties", name)
    if "." in name:  # juggler refuses the model: the name would be read as a nested path
        errors.error(file, ptr, "property names containing dots are not supported")
        return None
    if not isinstance(data, dict):
        data = {"type": data}  # shorthand: "prop": "string" or "prop": ["string"]
    if data and not data.get("type") and not any(k in PROPERTY_KEYS for k in data):
        # LB3 (ModelBuilder.resolveType) reads an object without `type` as an anonymous nested model,
        # as in the built-in Application's `pushSettings: {apns: {...}, gcm: {...}}`
        return PropertySpec(name=name, type="object")
    for key in data:
        if key not in PROPERTY_KEYS:
            errors.warn(file, pointer("properties", name, key), f'unknown property setting "{key}"')
    if "type" not in data:
        errors.error(file, ptr + "/type", "property type is missing")
        return None
    typ = normalise_type(data["type"], model_names)
    if typ is None:
        errors.error(file, ptr + "/type", f"unknown type {json.dumps(data['type'])}")
        return None
    default_fn = data.get("defaultFn")
    if default_fn is not None and (
        not isinstance(default_fn, str) or default_fn not in DEFAULT_FNS
    ):
        errors.error(
            file,
            ptr + "/defaultFn",
            f"unknown defaultFn {json.dumps(default_fn)} (known: {', '.join(sorted(DEFAULT_FNS))})",
        )
        default_fn = None
    default = data.get("default")
    if default is not None and not _default_fits(typ[0], default):
        errors.error(file, ptr + "/default", f"default {json.dumps(default)} is not a {typ[0]}")
    raw_id = data.get("id", False)
    id_pos = (
        (int(raw_id) if isinstance(raw_id, int) and not isinstance(raw_id, bool) else 1)
        if raw_id
        else 0
    )
    known = {"type", "required", "default", "defaultFn", "id", "generated", "index", "hidden",
             "protected", "description", "doc"}  # fmt: skip
    return PropertySpec(
        name=name,
        type=typ[0],
        item_type=typ[1],
        required=bool(data.get("required", False)),
        id=id_pos,
        generated=bool(data.get("generated", False)),
        default=data.get("default", NO_DEFAULT),
        default_fn=default_fn,
        index=data.get("index"),
        hidden=bool(data.get("hidden", False)),
        protected=bool(data.get("protected", False)),
        description=_text(data.get("description", data.get("doc"))),
        settings={k: v for k, v in data.items() if k not in known},
    )


# JSON values a default may take, by property type; the other types are not checked
_DEFAULT_VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "boolean": (bool,),
    "date": (str, int, float),  # ISO text, epoch milliseconds or "$now"
    "array": (list,),
    "object": (dict,),
}


def _default_fits(type_name: str, value: Any) -> bool:
    allowed = _DEFAULT_VALUE_TYPES.get(type_name)
    if allowed is None:
        return True
    if isinstance(value, bool) and bool not in allowed:
        return False  # JSON true is not a number
    return isinstance(value, allowed)


def _relation(
    name: str, data: Any, file: str, errors: _Collector, model_names: set[str], at: str = ""
) -> RelationSpec | None:
    ptr = at + pointer("relations", name)
    if not isinstance(data, dict):
        errors.error(file, ptr, "a relation must be an object")
        return None
    for key in data:
        if key not in RELATION_KEYS:
            errors.warn(file, f"{ptr}{pointer(key)}", f'unknown relation setting "{key}"')
    ok = True

    def problem(key: str, message: str) -> None:
        nonlocal ok
        errors.error(file, f"{ptr}/{key}", message)
        ok = False

    rtype = data.get("type")
    if not isinstance(rtype, str) or rtype not in RELATION_TYPES:
        known = ", ".join(sorted(RELATION_TYPES))
        problem("type", f"unknown relation type {json.dumps(rtype)} (known: {known})")
    for key in ("foreignKey", "primaryKey", "keyThrough", "property", "as"):
        if data.get(key) is not None and not isinstance(data[key], str):
            problem(key, "must be a property name")
    for key in ("scope", "options", "properties"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            problem(key, "must be an object")
    polymorphic = data.get("polymorphic")
    if polymorphic is not None and not isinstance(polymorphic, (bool, str, dict)):
        problem("polymorphic", "must be true, a relation name or an object")
    for key in ("foreignKey", "discriminator", "selector", "as", "idType"):
        if isinstance(polymorphic, dict) and not isinstance(polymorphic.get(key, ""), str):
            problem(f"polymorphic/{key}", "must be a name")
    target, through = data.get("model"), data.get("through")
    if target is None and not (polymorphic and rtype == "belongsTo"):
        problem("model", "the related model is missing")
    for key, value in (("model", target), ("through", through)):
        if value is not None and (not isinstance(value, str) or value not in model_names):
            problem(key, f"unknown model {json.dumps(value)}")
    if not ok:
        return None
    if through and rtype == "hasMany":
        rtype = "hasManyThrough"
    return RelationSpec(
        name=name,
        type=str(rtype),
        model=target,
        foreign_key=data.get("foreignKey") or None,
        primary_key=data.get("primaryKey") or None,
        through=through,
        key_through=data.get("keyThrough") or None,
        polymorphic=polymorphic,
        as_=data.get("as"),
        scope=data.get("scope"),
        options=data.get("options") or {},
        properties=data.get("properties"),
        invert=bool(data.get("invert", False)),
        property=data.get("property"),
    )


def _acl(data: Any, file: str, ptr: str, errors: _Collector) -> AclSpec | None:
    if not isinstance(data, dict):
        errors.error(file, ptr, "an ACL entry must be an object")
        return None
    ok = True
    for key in data:
        if key not in ACL_KEYS:
            errors.warn(file, f"{ptr}/{key}", f'unknown ACL setting "{key}"')
    permission = data.get("permission")
    if not isinstance(permission, str) or permission not in PERMISSIONS:
        errors.error(
            file, ptr + "/permission", f"permission must be one of {', '.join(sorted(PERMISSIONS))}"
        )
        ok = False
    access = data.get("accessType", "*")
    if not isinstance(access, str) or access not in ACCESS_TYPES:
        errors.error(
            file,
            ptr + "/accessType",
            f"accessType must be one of {', '.join(sorted(ACCESS_TYPES))}",
        )
        ok = False
    ptype = data.get("principalType")
    if not isinstance(ptype, str) or not ptype:
        errors.error(file, ptr + "/principalType", "principalType is missing")
        ok = False
    pid = data.get("principalId")
    if not isinstance(pid, (str, int)) or pid == "":
        errors.error(file, ptr + "/principalId", "principalId is missing")
        ok = False
    prop = data.get("property", "*")
    if isinstance(prop, str):
        props: tuple[str, ...] = (prop,)
    elif isinstance(prop, list) and all(isinstance(p, str) for p in prop):
        props = tuple(prop)
    else:
        errors.error(file, ptr + "/property", "property must be a name or an array of names")
        ok = False
        props = ("*",)
    if not ok:
        return None
    return AclSpec(
        principal_type=str(ptype),
        principal_id=str(pid),
        permission=str(permission),
        access_type=str(access),
        property=props,
    )


def _method(name: str, data: Any, file: str, errors: _Collector) -> MethodSpec | None:
    ptr = pointer("methods", name)
    if not isinstance(data, dict):
        errors.error(file, ptr, "a method must be an object")
        return None
    is_static = not name.startswith("prototype.") and data.get("isStatic", True) is not False

    def as_tuple(key: str) -> tuple[dict[str, Any], ...]:
        value = data.get(key, [])
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(v, dict) for v in items):
            errors.error(file, f"{ptr}/{key}", "must be an object or an array of objects")
            return ()
        return tuple(items)

    return MethodSpec(
        name=name.removeprefix("prototype."),
        is_static=is_static,
        accepts=as_tuple("accepts"),
        returns=as_tuple("returns"),
        http=as_tuple("http"),
        description=_text(data.get("description")),
    )


def _polymorphic(rel: RelationSpec) -> tuple[str, str] | None:
    """(foreign key, discriminator) of a polymorphic relation, as juggler's normalizePolymorphic names
    them: `true` selects by the relation name, a string names the selector, an object may set both."""
    poly = rel.polymorphic
    if not poly:
        return None
    selector: Any = rel.name
    if isinstance(poly, str):
        selector = poly
    elif isinstance(poly, dict):
        selector = poly.get("selector") or poly.get("as") or rel.name
    settings = poly if isinstance(poly, dict) else {}
    fk = settings.get("foreignKey") or naming.camelize(f"{selector}_id", low_first_letter=True)
    discriminator = settings.get("discriminator") or naming.camelize(
        f"{selector}_type", low_first_letter=True
    )
    return str(fk), str(discriminator)


def _add_relation_keys(
    models: dict[str, ModelSpec], raw: dict[str, _RawModel], errors: _Collector
) -> dict[str, ModelSpec]:
    """Give each relation its LB3 default foreign key and define missing key properties, as LB3 does at
    attach time: belongsTo on the owner, hasMany/hasOne on the target."""
    extra: dict[str, dict[str, PropertySpec]] = {n: {} for n in models}

    def key_type(model_name: str | None, key: str | None = None) -> str:
        """Type of `key` (default: the id) on a model: what LB3's defineForeignKey copies."""
        target = models.get(model_name or "")
        if target is None:
            return "number"
        by_name = {p.name: p for p in target.properties}
        if key in by_name:
            return by_name[key].type
        return target.id_properties[0].type if target.id_properties else "number"

    # keys LB3 defines with defineForeignKey: a property the model already declares keeps its place
    # and settings but takes the type of the key it points at
    retype: dict[str, dict[str, str]] = {n: {} for n in models}

    def define(owner: str | None, prop: PropertySpec, foreign_key: bool = True) -> None:
        if owner in extra:
            extra[owner].setdefault(prop.name, prop)
            if foreign_key:
                retype[owner].setdefault(prop.name, prop.type)

    updated: dict[str, ModelSpec] = {}
    for name, model in models.items():
        rels = []
        for rel in model.relations:
            if rel.model is not None and rel.model not in models and rel.type != "embedsOne":
                if rel.model not in ABSTRACT_BASES:
                    errors.error(
                        model.source,
                        pointer("relations", rel.name, "model"),
                        f'model "{rel.model}" is not attached to a data source in model-config.json',
                    )
                rels.append(rel)
                continue
            fk, key_through = rel.foreign_key, rel.key_through
            poly = _polymorphic(rel)
            if rel.type == "belongsTo":
                if (
                    poly is not None
                ):  # the key points at models of several types: typed like our own id
                    fk = poly[0]
                    define(name, PropertySpec(name=fk, type=key_type(name, rel.primary_key)))
                    define(name, PropertySpec(name=poly[1], type="string", index=True), False)
                else:
                    fk = fk or f"{rel.name}Id"
                    define(name, PropertySpec(name=fk, type=key_type(rel.model, rel.primary_key)))
            elif rel.type in {"hasMany", "hasOne"}:
                fk = poly[0] if poly is not None else fk or naming.foreign_key(name)
                define(rel.model, PropertySpec(name=fk, type=key_type(name, rel.primary_key)))
                if poly is not None:
                    define(rel.model, PropertySpec(name=poly[1], type="string", index=True), False)
            elif rel.type in {"hasManyThrough", "hasAndBelongsToMany"}:
                fk = fk or naming.foreign_key(name)
                key_through = key_through or naming.foreign_key(rel.model or "")
                if poly is not None:
                    fk, key_through = (fk, poly[0]) if rel.invert else (poly[0], key_through)
            elif rel.type == "referencesMany":
                fk = fk or naming.foreign_key(rel.model or "", "_ids")
                item = key_type(rel.model, rel.primary_key)
                define(name, PropertySpec(name=fk, type="array", item_type=item, default=[]), False)
            rels.append(replace(rel, foreign_key=fk, key_through=key_through))
        updated[name] = replace(model, relations=tuple(rels))
    out = {}
    for name, model in updated.items():
        rm = raw[name]
        existing = {p.name for p in model.properties}
        added = tuple(
            replace(p, hidden=n in rm.hidden, protected=n in rm.protected)
            for n, p in extra[name].items()
            if n not in existing
        )
        own = tuple(
            replace(p, type=retype[name][p.name], item_type=None)
            if p.name in retype[name] and p.type != retype[name][p.name]
            else p
            for p in model.properties
        )
        out[name] = replace(model, properties=own + added)
        known = existing | {p.name for p in added}
        for key in ("hidden", "protected"):
            names = rm.data.get(key)
            listed = {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()
            for p_name in sorted(listed - known):
                errors.warn(rm.file, pointer(key), f'unknown property "{p_name}"')
    return out
