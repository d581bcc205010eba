"""The loader's former single-module home, kept so `specgen.loader` imports go on working.

The loader is now the package `specgen.load` (one module per stage); this facade re-exports its
public names. New code imports from `specgen.load`.
"""

from __future__ import annotations

from .load import (
    ABSTRACT_BASES,
    ACCESS_TYPES,
    ACL_KEYS,
    BUILTIN_DIR,
    BUILTIN_SOURCES,
    CONNECTORS,
    DEFAULT_FNS,
    DEFAULT_SOURCES,
    IMPLICIT_ID,
    MODEL_KEYS,
    PERMISSIONS,
    PRINCIPAL_TYPES,
    PROPERTY_KEYS,
    RELATION_KEYS,
    RELATION_TYPES,
    app_root,
    load_app,
    normalise_type,
    parent_hidden,
    read_json,
)

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
