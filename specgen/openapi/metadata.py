"""The `x-lb-*` extensions: everything the runtime needs that OpenAPI cannot say itself.

Data source settings are deliberately left out (they may hold credentials and the document is served);
the runtime reads datasources.json from the application directory at start-up.
"""

from __future__ import annotations

from typing import Any

from ..ir import NO_DEFAULT, AclSpec, AppSpec, MethodSpec, ModelSpec, PropertySpec, RelationSpec


def app_extension(app: AppSpec) -> dict[str, Any]:
    return {
        "name": app.name,
        "restApiRoot": app.rest_api_root,
        "host": app.host,
        "port": app.port,
        "datasources": {d.name: {"connector": d.connector} for d in app.datasources},
    }


def model_extension(model: ModelSpec, *, table: bool = True) -> dict[str, Any]:
    """`table: false` marks a model whose instances have no table of their own (not persisted, or on
    the transient connector or no data source): the runtime creates none and serves none."""
    out: dict[str, Any] = {
        "plural": model.plural,
        "base": model.base,
        "baseChain": list(model.base_chain),
        "public": model.public,
        "dataSource": model.datasource,
        "idInjection": model.id_injection,
        "forceId": model.force_id,
        "properties": {p.name: _property(p) for p in model.properties},
        "relations": {r.name: _relation(r) for r in model.relations},
        "acls": [_acl(a) for a in model.acls],
    }
    if not table:
        out["table"] = False
    optional = {
        "httpPath": model.http_path,
        "pythonModule": model.python_module,
        "baseModules": model.base_modules or None,
        "strict": model.strict,
        "options": model.options or None,
        "rules": list(model.rules) or None,
        "validations": list(model.validations) or None,
        "scopes": model.scopes or None,
        "indexes": model.indexes or None,
        "mixins": model.mixins or None,
        "mixinModules": model.mixin_modules or None,
        "settings": model.settings or None,
        "methods": {m.name: _method(m) for m in model.methods} or None,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def _method(m: MethodSpec) -> dict[str, Any]:
    out: dict[str, Any] = {
        "isStatic": m.is_static,
        "accepts": list(m.accepts),
        "returns": list(m.returns),
        "http": list(m.http),
    }
    access = {
        "accessType": m.access_type,
        "aliases": list(m.aliases) or None,
        "accessScopes": list(m.access_scopes) if m.access_scopes is not None else None,
        "httpList": m.http_list or None,
    }
    out.update({k: v for k, v in access.items() if v is not None})
    return out


def _property(p: PropertySpec) -> dict[str, Any]:
    out: dict[str, Any] = {"type": p.type}
    if p.type == "array":  # `items`, as a schema would say it: linters read every `type: array`
        out["items"] = {"type": p.item_type} if p.item_type else {}
    if p.model:  # an embedded model's instance (object) or instances (array)
        out["model"] = p.model
    flags = {
        "required": p.required,
        "id": p.id,
        "generated": p.generated,
        "integer": p.integer or bool(p.id and p.generated and p.type == "number"),
        "hidden": p.hidden,
        "protected": p.protected,
    }
    out.update({k: v for k, v in flags.items() if v})
    if p.default is not NO_DEFAULT:
        out["default"] = p.default
    if p.default_fn:
        out["defaultFn"] = p.default_fn
    if p.index:
        out["index"] = p.index
    if p.settings:
        out["settings"] = p.settings
    return out


def _relation(r: RelationSpec) -> dict[str, Any]:
    fields = {
        "type": r.type,
        "model": r.model,
        "foreignKey": r.foreign_key,
        "primaryKey": r.primary_key,
        "through": r.through,
        "keyThrough": r.key_through,
        "polymorphic": r.polymorphic,
        "discriminator": r.discriminator,
        "as": r.as_,
        "scope": r.scope,
        "options": r.options or None,
        "properties": r.properties,
        "invert": r.invert or None,
        "property": r.property,
    }
    return {k: v for k, v in fields.items() if v is not None}


def _acl(a: AclSpec) -> dict[str, Any]:
    return {
        "principalType": a.principal_type,
        "principalId": a.principal_id,
        "permission": a.permission,
        "accessType": a.access_type,
        "property": list(a.property),
    }
