"""Parse one ACL entry, and name it the way LB3 matches entries when model-config.json adds ACLs.

An entry with a wrong permission, access type or principal is reported and left out, never guessed.
"""

from __future__ import annotations

import json
from typing import Any

from ..ir import AclSpec
from .problems import Collector

PERMISSIONS = {"ALLOW", "DENY", "ALARM", "AUDIT", "DEFAULT"}
ACCESS_TYPES = {"READ", "WRITE", "EXECUTE", "REPLICATE", "*"}
PRINCIPAL_TYPES = {"ROLE", "USER", "APP", "APPLICATION"}
ACL_KEYS = {"principalType", "principalId", "permission", "accessType", "property", "model"}


def parse_acl(data: Any, file: str, ptr: str, errors: Collector) -> AclSpec | None:
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


def acl_identity(acl: Any) -> tuple[Any, ...]:
    """The settings by which LB3's configureModel finds an ACL to replace, compared as written."""
    keys = ("property", "accessType", "principalType", "principalId")
    return tuple(json.dumps(acl.get(k)) for k in keys) if isinstance(acl, dict) else ()
