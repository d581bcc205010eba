"""Load a LoopBack 3 application directory into the intermediate model (`AppSpec`).

Reads what an LB3 project keeps in `server/`: model-config.json (with `_meta.sources`), datasources.json,
config.json and the model JSON files found through the sources. Base-model inheritance, implicit ids,
default foreign keys and plurals are resolved here, once. Problems are collected, never raised one by one:
`load_app` returns every error and warning it found.

One module per stage or declaration kind, in the order `load_app` (app.py) runs them:

    files.py          read JSON without raising; config.json, datasources.json
    discovery.py      model files through `_meta.sources`; LB3's built-in models
    inheritance.py    base models -> ModelSpec, with properties, relations, ACLs and methods from
        properties.py, relations.py, acls.py, methods.py   (one declaration each)
    model_config.py   model-config.json: attachment, public, extra relations/ACLs/options
    mixins.py         mixins found through `_meta.mixins`; built-in mixins' properties (TimeStamp)
    join_models.py    the through models of hasAndBelongsToMany relations (synthesised when absent)
    embeds.py         embedded relations' storage properties; string ids of transient embedded models
    relation_keys.py  default foreign keys and the key properties LB3 defines at attach time
    problems.py, values.py   the problem collector; readers for settings of one JSON kind
"""

from __future__ import annotations

from .acls import ACCESS_TYPES, ACL_KEYS, PERMISSIONS, PRINCIPAL_TYPES
from .app import load_app
from .discovery import BUILTIN_DIR, BUILTIN_SOURCES, DEFAULT_SOURCES
from .files import CONNECTORS, app_root, read_json
from .inheritance import ABSTRACT_BASES, MODEL_KEYS, parent_hidden
from .properties import DEFAULT_FNS, IMPLICIT_ID, PROPERTY_KEYS, normalise_type
from .relations import RELATION_KEYS, RELATION_TYPES

__all__ = [
    "ABSTRACT_BASES",
    "ACCESS_TYPES",
    "ACL_KEYS",
    "BUILTIN_DIR",
    "BUILTIN_SOURCES",
    "CONNECTORS",
    "DEFAULT_FNS",
    "DEFAULT_SOURCES",
    "IMPLICIT_ID",
    "MODEL_KEYS",
    "PERMISSIONS",
    "PRINCIPAL_TYPES",
    "PROPERTY_KEYS",
    "RELATION_KEYS",
    "RELATION_TYPES",
    "app_root",
    "load_app",
    "normalise_type",
    "parent_hidden",
    "read_json",
]
