"""Apply model-config.json: which models are attached to which data source, public or not, and the
relations, ACLs and options an entry adds, as LB3's `registry.configureModel` does.

Only models with an entry here end up in the app; the others are bases and relation targets.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import pointer
from ..ir import ModelSpec
from .acls import acl_identity, parse_acl
from .discovery import RawModel
from .inheritance import ABSTRACT_BASES
from .problems import Collector
from .relations import parse_relation


def attached_entries(
    model_config: dict[str, Any],
    raw_models: dict[str, RawModel],
    unreadable: set[str],
    datasource_names: set[str],
    mc_file: str,
    errors: Collector,
) -> dict[str, dict[str, Any]]:
    """The model-config.json entries by model name, each checked against the models and data sources
    found (a model whose file did not parse is reported there, not again here)."""
    attached: dict[str, dict[str, Any]] = {}
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
                mc_file,
                pointer(name),
                f'unknown model "{name}": no model definition found{errors.hint()}',
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
    return attached


def configure(
    spec: ModelSpec,
    entry: dict[str, Any],
    raw: dict[str, RawModel],
    file: str,
    errors: Collector,
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
            rel = parse_relation(rname, merged, file, errors, model_names, at)
            if rel is not None:
                relations[rname] = rel
    elif config_relations is not None:
        errors.error(file, f"{at}/relations", "must be an object")
    acls = list(spec.acls)
    # LB3 compares the entries as written: an ACL without `property` does not match one with "*"
    written = [
        acl_identity(a)
        for m in reversed((spec.name, *spec.base_chain))
        if m in raw and isinstance(raw[m].data.get("acls"), list)
        for a in raw[m].data["acls"]
    ]
    config_acls = entry.get("acls")
    if isinstance(config_acls, list):
        for i, a in enumerate(config_acls):
            acl = parse_acl(a, file, f"{at}/acls/{i}", errors)
            if acl is None:
                continue
            identity = acl_identity(a)
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


def _raw_relation(spec: ModelSpec, name: str, raw: dict[str, RawModel]) -> dict[str, Any]:
    """The JSON of a relation as the model (or its nearest base declaring it) wrote it."""
    for model_name in (spec.name, *spec.base_chain):
        relations = raw[model_name].data.get("relations") if model_name in raw else None
        if isinstance(relations, dict) and isinstance(relations.get(name), dict):
            return dict(relations[name])
    return {}
