"""Build each model's `ModelSpec` from its JSON and its base model's spec, as juggler defines models.

Bases are resolved first (recursively, with cycles reported), so a model inherits its base's
properties, hidden/protected names, relations, ACLs, methods and settings, with its own declarations
merged over them in LB3's order. Implicit ids and `forceId` are decided here too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import naming
from ..errors import pointer
from ..ir import ModelSpec, PropertySpec
from .acls import parse_acl
from .discovery import RawModel
from .methods import parse_method
from .problems import Collector, reading
from .properties import IMPLICIT_ID, merge_properties
from .relations import parse_relation
from .user_settings import user_settings
from .values import name_list, object_setting, text

# model settings authorization reads; LB3 takes them at the top level or in `options` (which wins)
AUTH_SETTINGS = (
    "aclErrorStatus", "defaultPermission", "ownerRelations", "restrictResetPasswordTokenScope",
)  # fmt: skip
ABSTRACT_BASES = {"Model": None, "PersistedModel": "Model", "KeyValueModel": "Model"}
MODEL_KEYS = {
    "name", "plural", "base", "description", "idInjection", "forceId", "strict", "options", "properties",
    "hidden", "protected", "validations", "relations", "acls", "scopes", "indexes", "methods", "mixins",
    "http", "remoting", "replaceOnPUT", "public", "trackChanges", "enableRemoteReplication",
    "excludeBaseProperties", "injectOptionsFromRemoteContext", "validateUpsert", "postgresql", "mysql",
    "mssql", "oracle", "mongodb", "sqlite3", "memory", "caseSensitiveEmail", "ttl", "maxTTL",
    "emailVerificationRequired", "realmRequired", "realmDelimiter", "resetPasswordTokenTTL",
    "restrictResetPasswordTokenScope", "allowEternalTokens", "saltWorkFactor", "settings", "comments",
    "title", "http.path", "$schema", "dataSource", "verifyOptions", *AUTH_SETTINGS,
}  # fmt: skip


def resolve(
    name: str,
    raw: dict[str, RawModel],
    done: dict[str, ModelSpec],
    errors: Collector,
    stack: list[str],
) -> ModelSpec:
    if name in done:
        return done[name]
    rm = raw[name]
    data, file = rm.data, rm.file
    reading.set(file)
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
        errors.error(file, "/base", f'unknown base model "{base_name}"{errors.hint()}')
        base_name = "PersistedModel"
    parent: ModelSpec | None = None
    if base_name in ABSTRACT_BASES:
        chain: tuple[str, ...] = _abstract_chain(base_name)
    else:
        parent = resolve(base_name, raw, done, errors, [*stack, name])
        chain = (base_name, *parent.base_chain)

    model_names = set(raw) | set(ABSTRACT_BASES)
    props = merge_properties(parent, data, file, errors, model_names)
    own_hidden = name_list(data, "hidden", file, errors)
    own_protected = name_list(data, "protected", file, errors)
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
    for rname, rdata in object_setting(data, "relations", file, errors).items():
        rel = parse_relation(rname, rdata, file, errors, model_names)
        if rel is not None:
            relations[rname] = rel

    acls = list(parent.acls) if parent else []
    raw_acls = data.get("acls", [])
    if isinstance(raw_acls, list):
        for i, a in enumerate(raw_acls):
            acl = parse_acl(a, file, pointer("acls", i), errors)
            if acl is not None:
                acls.append(acl)
    else:
        errors.error(file, "/acls", "must be an array")

    methods = {m.name: m for m in parent.methods} if parent else {}
    raw_methods = data.get("methods", {})
    if raw_methods is None or raw_methods == []:
        raw_methods = {}  # LB3 (juggler) reads an empty array as no methods; generators write it
    if isinstance(raw_methods, dict):
        for mname, mdata in raw_methods.items():
            method = parse_method(mname, mdata, file, errors)
            if method is not None:
                methods[method.name] = method
    else:
        errors.error(file, "/methods", "must be an object")

    validations = data.get("validations", [])
    if not isinstance(validations, list):
        errors.error(file, "/validations", "must be an array")
        validations = []
    options = {
        **(parent.options if parent else {}),
        **{k: data[k] for k in AUTH_SETTINGS if k in data},
        **object_setting(data, "options", file, errors),
    }
    if "validateUpsert" in data:  # LB3 reads it at the top level or in options
        options["validateUpsert"] = data["validateUpsert"]
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
    settings: dict[str, Any] = {
        k: data[k] for k in ("postgresql", "mysql", "sqlite3", "memory", "mongodb") if k in data
    }
    settings.update(user_settings(parent.settings if parent else {}, data))
    spec = ModelSpec(
        name=name,
        plural=str(plural),
        base=base_name,
        base_chain=chain,
        source=file,
        properties=tuple(props.values()),
        id_injection=id_injection is not False,
        force_id=bool(force_setting) and any(p.id for p in props.values()),
        strict=data.get("strict", parent.strict if parent else None),
        options=options,
        validations=(*(parent.validations if parent else ()), *validations),
        relations=tuple(relations.values()),
        acls=tuple(acls),
        scopes={
            **(parent.scopes if parent else {}),
            **object_setting(data, "scopes", file, errors),
        },
        indexes={
            **(parent.indexes if parent else {}),
            **object_setting(data, "indexes", file, errors),
        },
        methods=tuple(methods.values()),
        mixins={
            **(parent.mixins if parent else {}),
            **object_setting(data, "mixins", file, errors),
        },
        http_path=http_path if isinstance(http_path, str) else None,
        description=text(data.get("description")),
        settings=settings,
        python_module=rm.python_module,
    )
    done[name] = spec
    return spec


def parent_hidden(parent: ModelSpec | None) -> list[str]:
    return [p.name for p in parent.properties if p.hidden] if parent else []


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


def _abstract_chain(base: str) -> tuple[str, ...]:
    chain: list[str] = []
    current: str | None = base
    while current is not None:
        chain.append(current)
        current = ABSTRACT_BASES[current]
    return tuple(chain)
