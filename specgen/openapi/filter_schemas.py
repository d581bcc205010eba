"""Typed JSON Schemas of the LB3 filter language, per model, in components/schemas.

Per model `X` that a filter can reach (served models, and embedded ones for their embedsMany lists):
- `XWhere`: property names enumerated (hidden ones never: no guessing oracle), each with its value type
  or an operator object; one level of `and`/`or` (`XWhereTerms`); `"rel.prop"` keys for one level of related models;
  `"prop.sub"` keys for an embedsOne item's properties.
- `XFields`, `XOrder`: the visible (`fields`) and sortable (`order`) property names.
- `XInclude`, `XIncludeItem`, `XIncludeObject`, `XIncludeNames`, `X{Rel}IncludeScope`: relation names
  enumerated, in every form LB3 takes (`"rel"`, `["a", "b"]`, `{"a": "b"}`, `{"relation": "a",
  "scope": {...}}`), two levels deep; a scope is the target's `XScope` (its filter, including by name).
- `XFilter`: where, fields, order, limit, skip, offset and include.
Operator objects are shared by value type: `{Kind}Condition` (`StringCondition`, `DateCondition`...),
`{Kind}ListCondition` for arrays of scalars, `GeoPointCondition`, `ObjectCondition`.

The schemas are the contract of what the runtime answers 200 for: a schema-valid filter within the
runtime's default `filterLimits` gets 200, so fuzzers (schemathesis, tests/contract/test_filter_fuzz.py)
can hold the runtime to it. Where the runtime accepts more than a schema can say safely (any regular
expression, deeper includes than the limit allows), the schema documents the portable subset.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..ir import ModelSpec, PropertySpec, RelationSpec
from .schemas import is_integer_key, ref, value_schema

# the runtime's default FilterLimits (runtime/filter/limits.py); an app may raise them in config.json
MAX_LIMIT = 1000
MAX_PATTERN_LENGTH = 512
MAX_INCLUDE_DEPTH = 4
MAX_WHERE_DEPTH = 32
MAX_SAFE_INTEGER = 2**53 - 1  # JavaScript's: the largest skip LB3 can take

COMPARISON_OPERATORS = ("eq", "neq", "gt", "gte", "lt", "lte")
LIST_OPERATORS = ("inq", "nin")
LIKE_OPERATORS = ("like", "nlike", "ilike", "nilike")
SCALAR_TYPES = ("string", "number", "boolean", "date")
DISTANCE_UNITS = ("miles", "kilometers", "meters", "feet", "radians", "degrees")
CONDITION_VALUES = {
    "Boolean": "a boolean",
    "Date": "a date-time",
    "IntegerKey": "an integer id",
    "Number": "a number",
    "String": "a string",
}
# A regular expression every backend (PostgreSQL, MariaDB's PCRE, Python's re) reads alike and that
# always compiles: literal word characters, spaces and `.`, optionally anchored, as a bare string or
# as `/source/flags`. The runtime takes any valid expression; this is the part a schema can promise.
_REGEXP_BODY = r"\^?[A-Za-z0-9 _.]{0,64}\$?"
REGEXP_PATTERN = rf"^(?:{_REGEXP_BODY}|/{_REGEXP_BODY}/[gims]{{0,4}})$"
# "lat,lng" in range, as LB3's GeoPoint parses a string
_LAT = r"-?(?:[1-8]?[0-9](?:\.[0-9]+)?|90(?:\.0+)?)"
_LNG = r"-?(?:1[0-7][0-9](?:\.[0-9]+)?|[1-9]?[0-9](?:\.[0-9]+)?|180(?:\.0+)?)"
POINT_PATTERN = rf"^{_LAT}, ?{_LNG}$"
_SPACE = (
    r"[ \t\r\n]"  # what separates "prop DESC" for every reader (`\s` is wider in JS than Python)
)


def where_kind(p: PropertySpec) -> str | None:
    """The condition family a property's where value uses; None: the property cannot be filtered."""
    if p.hidden:
        return None
    if is_integer_key(p):
        return "IntegerKey"
    if p.type in SCALAR_TYPES:
        return p.type.capitalize()
    if p.type == "geopoint":
        return "GeoPoint"
    if p.type == "array" and not p.model and p.item_type in SCALAR_TYPES:
        return f"{p.item_type.capitalize()}List"
    if p.type == "object" and not p.model:
        return "Object"
    return None


def is_scalar(kind: str | None) -> bool:
    return kind in CONDITION_VALUES


def _scalar(p: PropertySpec) -> dict[str, Any]:
    """A plain comparison value: any id, existing or not."""
    schema = dict(value_schema(p))
    schema.pop("minimum", None)
    return schema


def _item_scalar(p: PropertySpec) -> dict[str, Any]:
    items: dict[str, Any] = _scalar(p).get("items", {})
    return items


def condition_schemas(models: Iterable[ModelSpec]) -> dict[str, Any]:
    """The operator objects, one per value family the models' properties use (sorted names)."""
    out: dict[str, Any] = {}
    for model in models:
        for p in model.properties:
            kind = where_kind(p)
            if kind is None or f"{kind}Condition" in out:
                continue
            if is_scalar(kind):
                out[f"{kind}Condition"] = _scalar_condition(kind, _scalar(p))
                if kind == "String":  # the simple schemas state no regexp (see simple_schemas)
                    simple = _scalar_condition(kind, _scalar(p))
                    del simple["properties"]["regexp"]
                    out["StringSimpleCondition"] = simple
            elif kind.endswith("List"):
                out[f"{kind}Condition"] = _list_condition(_item_scalar(p))
            elif kind == "GeoPoint":
                out["GeoPointCondition"] = _geopoint_condition()
            else:
                out["ObjectCondition"] = _operators(
                    "Whether the object is set.", {"exists": {"type": "boolean"}}
                )
    return dict(sorted(out.items()))


def _operators(description: str, operators: dict[str, Any]) -> dict[str, Any]:
    """One or more operators; the server ANDs them (`{"gt": 1, "lt": 5}`)."""
    return {
        "type": "object",
        "description": description,
        "properties": operators,
        "additionalProperties": False,
        "minProperties": 1,
    }


def _list(scalar: dict[str, Any]) -> dict[str, Any]:
    """No maxItems: at the limit (1000 values) the URL passes the server's 64 KiB request line."""
    return {"type": "array", "items": scalar}


def _scalar_condition(kind: str, scalar: dict[str, Any]) -> dict[str, Any]:
    """`{"gt": 3}`, `{"inq": [1, 2]}`, `{"between": [a, b]}`, `{"like": "A%"}`, `{"exists": true}`."""
    nullable_scalar = {**scalar, "nullable": True}
    operators: dict[str, Any] = {op: nullable_scalar for op in COMPARISON_OPERATORS}
    operators.update({op: _list(scalar) for op in LIST_OPERATORS})
    operators["between"] = {"type": "array", "items": scalar, "minItems": 2, "maxItems": 2}
    if kind == "String":
        pattern = {"type": "string", "maxLength": MAX_PATTERN_LENGTH}
        operators.update({op: pattern for op in LIKE_OPERATORS})
        operators["regexp"] = {
            "type": "string",
            "pattern": REGEXP_PATTERN,
            "description": "A regular expression, `^A` or `/^a/i` (flags i, m, s; g is ignored). "
            "The server takes any valid expression; this schema lists the portable subset.",
        }
    operators["exists"] = {"type": "boolean"}
    return _operators(f"One operator compared with {CONDITION_VALUES[kind]}.", operators)


def _list_condition(item: dict[str, Any]) -> dict[str, Any]:
    """An array property matches by its items: `{"keywords": "sql"}` holds when one item is "sql"."""
    return _operators(
        "One operator on the array's items: eq (contains), neq (does not contain), inq (contains "
        "any), nin (contains none); or exists.",
        {
            "eq": {**item, "nullable": True},
            "neq": {**item, "nullable": True},
            "inq": _list(item),
            "nin": _list(item),
            "exists": {"type": "boolean"},
        },
    )


def _geopoint_condition() -> dict[str, Any]:
    point = {
        **value_schema(PropertySpec(name="point", type="geopoint")),
        "additionalProperties": False,
    }
    near = {
        "type": "object",
        "description": "Points within maxDistance (in unit, miles by default) of near, nearest first.",
        "properties": {
            "near": {"oneOf": [point, {"type": "string", "pattern": POINT_PATTERN}]},
            "maxDistance": {"type": "number", "minimum": 0},
            "unit": {"type": "string", "enum": list(DISTANCE_UNITS)},
        },
        "required": ["near"],
        "additionalProperties": False,
    }
    exists = _operators("Whether the point is set.", {"exists": {"type": "boolean"}})
    return {"description": "A near query, or exists.", "oneOf": [near, exists]}


def _where_value(p: PropertySpec, kind: str, *, simple: bool = False) -> dict[str, Any]:
    if is_scalar(kind):
        condition = "StringSimpleCondition" if simple and kind == "String" else f"{kind}Condition"
        return {"oneOf": [{**_scalar(p), "nullable": True}, ref(condition)]}
    if kind.endswith("List"):
        return {"oneOf": [{**_item_scalar(p), "nullable": True}, ref(f"{kind}Condition")]}
    return ref(f"{kind}Condition")


def _embedded_item(p: PropertySpec, catalog: Mapping[str, ModelSpec]) -> ModelSpec | None:
    """The embedsOne item model stored in `p` (an object property with a model)."""
    if p.hidden or p.type != "object" or not p.model:
        return None
    return catalog.get(p.model)


def queryable_relations(model: ModelSpec, catalog: Mapping[str, ModelSpec]) -> list[RelationSpec]:
    """Relations a where may reach into (`"rel.prop"`): rows of another table, one known target.
    referencesMany keeps its ids in a JSON array: not searchable from SQL (400); a relation with
    `options.disableInclude` is closed to where too (the runtime's rule)."""
    return [
        r
        for r in model.relations
        if r.type not in ("embedsOne", "embedsMany", "referencesMany")
        and not r.options.get("disableInclude")
        and r.model is not None
        and r.model in catalog
    ]


def where_properties(
    model: ModelSpec, catalog: Mapping[str, ModelSpec], *, paths: bool = True
) -> dict[str, Any]:
    """Every key a where object of `model` may hold, with its value schema (and/or left out);
    `paths=False`: the model's own properties only (no `"rel.prop"`, no `"prop.sub"`)."""
    out: dict[str, Any] = {}
    for p in model.properties:
        kind = where_kind(p)
        if kind is not None:
            out[p.name] = _where_value(p, kind, simple=not paths)
        item = _embedded_item(p, catalog) if paths else None
        for sub in item.properties if item else ():
            sub_kind = where_kind(sub)
            if is_scalar(sub_kind) and sub_kind is not None:
                out[f"{p.name}.{sub.name}"] = _where_value(sub, sub_kind)
    if not paths:
        return out
    for r in queryable_relations(model, catalog):
        target = catalog[str(r.model)]
        for p in target.properties:
            kind = where_kind(p)
            if is_scalar(kind) and kind is not None:
                out[f"{r.name}.{p.name}"] = _where_value(p, kind)
    return out


def includable_relations(model: ModelSpec, catalog: Mapping[str, ModelSpec]) -> list[RelationSpec]:
    """Relations `include` may name: not disabled (`options.disableInclude`), target known to the
    schemas or polymorphic (a belongsTo to whichever model the row names)."""
    return [
        r
        for r in model.relations
        if not r.options.get("disableInclude") and (r.model is None or r.model in catalog)
    ]


def _include_schemas(model: ModelSpec, catalog: Mapping[str, ModelSpec]) -> dict[str, Any]:
    """Two levels: a relation, its scope (the target's `Scope`: a filter without include) or the
    names of the target's relations to include with it. The server takes `maxIncludeDepth` levels;
    the document stays finite, so fuzzers' coverage of it stays tractable."""
    name = model.name
    relations = includable_relations(model, catalog)
    names = {"type": "string", "enum": [r.name for r in relations]}
    nested = {
        r.name: ref(f"{r.model}IncludeNames")
        for r in relations
        if r.model is not None and includable_relations(catalog[r.model], catalog)
    }
    item: list[dict[str, Any]] = [names]
    out: dict[str, Any] = {
        f"{name}IncludeNames": {
            "description": f"Relations of {name}: a name or an array of names.",
            "oneOf": [names, {"type": "array", "items": names}],
        }
    }
    if nested:
        out[f"{name}IncludeObject"] = {
            "type": "object",
            "description": f'Relations of {name} with their own includes: {{"rel": <names>}}.',
            "properties": nested,
            "additionalProperties": False,
            "minProperties": 1,
        }
        item.append(ref(f"{name}IncludeObject"))
    for r in relations:  # one schema per relation: each a named class in models.py
        scope_name = f"{name}{r.name[:1].upper()}{r.name[1:]}IncludeScope"
        properties: dict[str, Any] = {"relation": {"type": "string", "enum": [r.name]}}
        if r.model is not None:
            properties["scope"] = _nullable(ref(f"{r.model}Scope"))
        out[scope_name] = {
            "type": "object",
            "description": f"The {r.name} relation of {name}"
            + (f", with a filter of its {r.model} targets." if r.model else "."),
            "properties": properties,
            "required": ["relation"],
            "additionalProperties": False,
        }
        item.append(ref(scope_name))
    out[f"{name}IncludeItem"] = {"oneOf": item}
    out[f"{name}Include"] = {
        "description": f"Related models to return with each {name}: a relation name, "
        '{"rel": <names>}, {"relation": "rel", "scope": <filter>}, or an array of those. '
        f"The server takes up to {MAX_INCLUDE_DEPTH} levels (a scope's own include); this "
        "schema describes two.",
        "oneOf": [*item, {"type": "array", "items": ref(f"{name}IncludeItem")}],
    }
    return out


NULL = {"type": "string", "nullable": True, "enum": [None], "description": "null: as if absent."}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """A `$ref` or null. OpenAPI 3.0.3's `nullable` works only beside a `type` (an allOf of one
    with `nullable` allows no null to a strict validator), so null is an alternative of its own:
    NULL's enum admits null alone, whatever its (linter-required) type says."""
    return {"oneOf": [schema, NULL]}


def filter_schemas(model: ModelSpec, catalog: Mapping[str, ModelSpec]) -> dict[str, Any]:
    """`catalog`: every model that has filter schemas (relation targets outside it are left out)."""
    name = model.name
    visible = [p.name for p in model.properties if not p.hidden]
    sortable = [p.name for p in model.properties if is_scalar(where_kind(p))]
    terms = where_properties(model, catalog)
    where_props = dict(terms)
    where_props["and"] = {"type": "array", "items": ref(f"{name}WhereTerms")}
    where_props["or"] = {"type": "array", "items": ref(f"{name}WhereTerms")}
    alternatives = "|".join(re.escape(n) for n in sortable)
    one_order = (
        rf"{_SPACE}*(?:{alternatives})(?:{_SPACE}+(?:[Aa][Ss][Cc]|[Dd][Ee][Ss][Cc]))?{_SPACE}*"
    )
    order_item = {"type": "string", "pattern": rf"^{one_order}$"}
    count = {"type": "integer", "minimum": 0, "maximum": MAX_SAFE_INTEGER}
    filter_props: dict[str, Any] = {
        "where": _nullable(ref(f"{name}Where")),
        "fields": _nullable(ref(f"{name}Fields")),
        "order": _nullable(ref(f"{name}Order")),
        "limit": {**count, "maximum": MAX_LIMIT, "nullable": True},
        "skip": {**count, "nullable": True},
        "offset": {**count, "nullable": True},
    }
    scope_props = dict(filter_props)  # an include scope: includes by name only (finite)
    includes = _include_schemas(model, catalog) if includable_relations(model, catalog) else {}
    if includes:
        filter_props["include"] = _nullable(ref(f"{name}Include"))
        scope_props["include"] = _nullable(ref(f"{name}IncludeNames"))
    return {
        f"{name}Where": {
            "type": "object",
            "description": f"Criteria that {name} instances must match (LB3 `where`); "
            f'`"relation.property"` keys match instances with a related one that matches. '
            f"The server takes {MAX_WHERE_DEPTH} levels of and/or; this schema describes one "
            "(finite, so that fuzzers can cover it).",
            "properties": where_props,
            "additionalProperties": False,
        },
        f"{name}WhereTerms": {
            "type": "object",
            "description": f"The terms of an and/or of {name}Where.",
            "properties": terms,
            "additionalProperties": False,
        },
        f"{name}Fields": {
            "description": "Properties to return: a name, a list of names, or {name: true|false}.",
            "oneOf": [
                {"type": "string", "enum": visible},
                {"type": "array", "items": {"type": "string", "enum": visible}},
                {
                    "type": "object",
                    "properties": {n: {"type": "boolean"} for n in visible},
                    "additionalProperties": False,
                },
            ],
        },
        f"{name}Order": {
            "description": 'Sort order: "prop ASC|DESC", a comma-separated list of those, or an array.',
            "oneOf": [
                {"type": "string", "pattern": rf"^(?:{one_order}(?:,{one_order})*)?$"},
                {"type": "array", "items": order_item},
            ],
        },
        **includes,
        f"{name}Scope": {
            "type": "object",
            "description": f"The filter of {name} instances included with another model's (its own "
            "includes by name).",
            "properties": scope_props,
            "additionalProperties": False,
        },
        f"{name}Filter": {
            "type": "object",
            "description": f"LB3 filter for {name}. limit is at most {MAX_LIMIT} (the server's "
            "default `filterLimits.maxLimit`).",
            # every key may be null: LB3 reads a null key as an absent one
            "properties": filter_props,
            "additionalProperties": False,
        },
    }


def simple_schemas(model: ModelSpec, catalog: Mapping[str, ModelSpec]) -> dict[str, Any]:
    """What the `filter`/`where` parameters' own schemas state: the model's properties (and/or
    nesting freely), fields, order, limit/skip and includes by name; no regexp (a pattern cannot
    say "a valid regular expression", so a fuzzer would find invalid ones accepted by the schema or
    valid ones refused by it). Fuzzers generate from these;
    the whole language (`{M}Filter`, `{M}Where`: related keys, scopes) is one `x-lb-filter` /
    `x-lb-where` away, because covering it combinatorially takes a fuzzer hours per operation."""
    name = model.name
    where_props = where_properties(model, catalog, paths=False)
    where_props["and"] = {"type": "array", "items": ref(f"{name}SimpleWhere")}
    where_props["or"] = {"type": "array", "items": ref(f"{name}SimpleWhere")}
    full = filter_schemas(model, catalog)[f"{name}Filter"]["properties"]
    props = {k: v for k, v in full.items() if k not in ("where", "include")}
    props["where"] = _nullable(ref(f"{name}SimpleWhere"))
    if includable_relations(model, catalog):
        props["include"] = _nullable(ref(f"{name}IncludeNames"))
    return {
        f"{name}SimpleWhere": {
            "type": "object",
            "description": f"{name}'s own properties in a where (the whole language: {name}Where).",
            "properties": where_props,
            "additionalProperties": False,
        },
        f"{name}SimpleFilter": {
            "type": "object",
            "description": f"A filter of {name} by its own properties, including relations by "
            f"name (the whole language: {name}Filter).",
            "properties": {k: props[k] for k in full if k in props},
            "additionalProperties": False,
        },
    }


def query_parameter(name: str, model: str, description: str) -> dict[str, Any]:
    """The `filter` or `where` query parameter of an operation on `model`: LB3's JSON text, typed
    as LB3's own document types it (`string`, format JSON). Client generators drop or mangle an
    object-typed query parameter (openapi-python-client skips `content` parameters and flattens
    object ones into top-level keys, so an `updateAll` where vanished and every row changed); a
    string reaches the server as sent, and the typed schemas it holds are in components:
    `{M}Simple{Filter,Where}` (x-lb-json, what fuzzers generate from) and the whole language
    `{M}{Filter,Where}` (x-lb-filter / x-lb-where)."""
    kind = "Filter" if name == "filter" else "Where"
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{description} Its schema: {model}Simple{kind}; the whole filter "
        f"language of {model}: {model}{kind} (x-lb-{name}).",
        "schema": {"type": "string", "format": "json"},
        "x-lb-json": ref(f"{model}Simple{kind}"),
        f"x-lb-{name}": ref(f"{model}{kind}"),
    }


MANY = ("hasMany", "hasManyThrough", "hasAndBelongsToMany", "referencesMany", "embedsMany")


def add_included_properties(
    model: ModelSpec, catalog: Mapping[str, ModelSpec], schemas: dict[str, Any]
) -> None:
    """An instance read with `include` carries its relations: each includable relation is an
    optional property of the model's instance schema (an array for the many-kinds, the target
    otherwise; a polymorphic belongsTo's target varies per row)."""
    instance = schemas[model.name]["properties"]
    for r in includable_relations(model, catalog):
        if r.name in instance:
            continue
        target = ref(str(r.model)) if r.model in schemas else {"type": "object"}
        instance[r.name] = (
            {"type": "array", "items": target, "description": f"Included {r.name}."}
            if r.type in MANY
            else {**target, "description": f"Included {r.name}."}
            if "$ref" not in target
            else {"allOf": [target], "description": f"Included {r.name}."}
        )
