"""Which access type (READ, WRITE, EXECUTE, REPLICATE) each remote method needs, as LB3 3.28 decides it.

LB3 asks `Model._getAccessTypeForMethod(sharedMethod)`: the method's declared `accessType` first (every
built-in PersistedModel and relation method declares one), then READ for an `http.verb` of GET or HEAD,
then a fixed table of CRUD names, and EXECUTE for everything else (User's login, logout, verify,
resetPassword, changePassword, setPassword, and every custom method that declares nothing). The ACL
`property` a rule names is matched against the method's name and its aliases (`updateAttributes` is
`patchAttributes`), so those travel with the access type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

READ = "READ"
WRITE = "WRITE"
EXECUTE = "EXECUTE"
REPLICATE = "REPLICATE"
ALL = "*"
ACCESS_TYPES = (READ, REPLICATE, WRITE, EXECUTE)
DEFAULT_SCOPES = ("DEFAULT",)


@dataclass(frozen=True)
class MethodAccess:
    """What an ACL check needs to know about one remote method.

    `name` is LB3's shared-method name, without `prototype.` (the ACL `property` LB3 compares);
    `aliases` are the other names a rule may use; `scopes` are the token scopes the method accepts."""

    name: str
    access_type: str
    is_static: bool = True
    aliases: tuple[str, ...] = ()
    scopes: tuple[str, ...] = DEFAULT_SCOPES

    @property
    def method_names(self) -> tuple[str, ...]:
        """LB3's `methodNames`: the aliases, then the name."""
        return (*self.aliases, self.name)


# persisted-model.js setupRemoting: every built-in declares its accessType (and some have aliases)
PERSISTED: dict[str, tuple[str, tuple[str, ...]]] = {
    "create": (WRITE, ()),
    "patchOrCreate": (WRITE, ("upsert", "updateOrCreate")),
    "replaceOrCreate": (WRITE, ()),
    "upsertWithWhere": (WRITE, ("patchOrCreateWithWhere",)),
    "exists": (READ, ()),
    "findById": (READ, ()),
    "replaceById": (WRITE, ()),
    "find": (READ, ()),
    "findOne": (READ, ()),
    "destroyAll": (WRITE, ()),
    "updateAll": (WRITE, ("update",)),
    "deleteById": (WRITE, ("destroyById", "removeById")),
    "count": (READ, ()),
    "prototype.patchAttributes": (WRITE, ("updateAttributes",)),
    "createChangeStream": (READ, ()),
    # change tracking (trackChanges: true)
    "diff": (READ, ()),
    "changes": (READ, ()),
    "checkpoint": (REPLICATE, ()),
    "currentCheckpoint": (READ, ()),
    "createUpdates": (READ, ()),
    "bulkUpdate": (WRITE, ()),
    "findLastChange": (READ, ()),
    "updateLastChange": (WRITE, ()),
}

# model.js belongsToRemoting / hasOneRemoting / hasManyRemoting / scopeRemoting; a nestRemoting method
# takes the access type of the method it nests, which the same prefix names
RELATION_PREFIXES: dict[str, str] = {
    "__get__": READ,
    "__findById__": READ,
    "__count__": READ,
    "__exists__": READ,
    "__create__": WRITE,
    "__update__": WRITE,
    "__patch__": WRITE,  # ours: PATCH beside hasOne's PUT, the same write
    "__destroy__": WRITE,
    "__delete__": WRITE,
    "__updateById__": WRITE,
    "__destroyById__": WRITE,
    "__link__": WRITE,
    "__unlink__": WRITE,
}
RELATION_METHOD = re.compile(r"^(__[A-Za-z]+__)[^_].*$")

# user.js declares these without an accessType: the verb or, failing that, EXECUTE decides
USER_METHODS: dict[str, tuple[bool, str]] = {
    "login": (True, "post"),
    "logout": (True, "all"),
    "prototype.verify": (False, "post"),
    "confirm": (True, "get"),
    "resetPassword": (True, "post"),
    "changePassword": (True, "POST"),
    "setPassword": (True, "POST"),
}

# key-value-model.js (KeyValueModel's REST API): verbs only
KEY_VALUE_METHODS: dict[str, str] = {
    "get": "get",
    "set": "put",
    "expire": "put",
    "ttl": "get",
    "keys": "get",
}

# model.js _getAccessTypeForMethod's last resort, by name
BY_NAME: dict[str, str] = {
    "create": WRITE,
    "updateOrCreate": WRITE,
    "upsertWithWhere": WRITE,
    "upsert": WRITE,
    "exists": READ,
    "findById": READ,
    "find": READ,
    "findOne": READ,
    "destroyById": WRITE,
    "deleteById": WRITE,
    "removeById": WRITE,
    "count": READ,
}


class InvalidAccessType(ValueError):
    """A remote method declares an accessType LB3 refuses (its assert fails at start-up)."""


def access_type_for(name: str, *, declared: Any = None, http: Any = None) -> str:
    """LB3's `_getAccessTypeForMethod` for a shared method named `name` (no `prototype.`).

    `http` is the method's `http` setting as declared: an object's `verb` counts, an array's does not
    (LB3 reads `method.http.verb`, undefined on an array)."""
    if declared:
        if declared not in ACCESS_TYPES:
            raise InvalidAccessType(
                f'invalid accessType {declared}. It must be "READ", "REPLICATE", "WRITE", or "EXECUTE"'
            )
        return str(declared)
    verb = http.get("verb") if isinstance(http, Mapping) else None
    if isinstance(verb, str) and verb.upper() in ("GET", "HEAD"):
        return READ
    return BY_NAME.get(name, EXECUTE)


def split_method(method: str) -> tuple[str, bool]:
    """`prototype.verify` -> (`verify`, instance method); `find` -> (`find`, static)."""
    if method.startswith("prototype."):
        return method[len("prototype.") :], False
    return method, True


def builtin_access(
    method: str, *, user_model: bool = False, key_value: bool = False
) -> MethodAccess | None:
    """The access of a built-in method as the document's `x-lb-operation.method` names it
    (`find`, `prototype.patchAttributes`, `prototype.__get__reviews`, `login`), or None if it is not one
    LB3 defines for such a model."""
    name, is_static = split_method(method)
    if method in PERSISTED and not key_value:
        access, aliases = PERSISTED[method]
        return MethodAccess(name, access, is_static, aliases)
    if not is_static:
        match = RELATION_METHOD.match(name)
        if match and match.group(1) in RELATION_PREFIXES:
            return MethodAccess(name, RELATION_PREFIXES[match.group(1)], False)
    if user_model and method in USER_METHODS:
        static, verb = USER_METHODS[method]
        return MethodAccess(name, access_type_for(name, http={"verb": verb}), static)
    if key_value and method in KEY_VALUE_METHODS:
        return MethodAccess(name, access_type_for(name, http={"verb": KEY_VALUE_METHODS[method]}))
    return None


def remote_method_access(method: str, definition: Mapping[str, Any]) -> MethodAccess:
    """The access of a custom remote method from its `x-lb-models` `methods` entry (or the model JSON's:
    its name may carry `prototype.`, `isStatic: false` makes it an instance method). The document
    keeps `http` as a list; `httpList` says it was declared as one, whose verb LB3 never reads."""
    name, is_static = split_method(method)
    if definition.get("isStatic") is False:
        is_static = False
    http = definition.get("http")
    if isinstance(http, list):
        http = None if definition.get("httpList") or len(http) != 1 else http[0]
    aliases = tuple(definition.get("aliases") or ())
    scopes = tuple(definition.get("accessScopes") or DEFAULT_SCOPES)
    access = access_type_for(name, declared=definition.get("accessType"), http=http)
    return MethodAccess(name, access, is_static, aliases, scopes)


def method_access(model_name: str, model: Mapping[str, Any], method: str) -> MethodAccess:
    """The access of `method` on a model given as its `x-lb-models` entry: a custom method of the
    model's `methods` block first (an app may redefine a built-in name), then LB3's built-ins; an
    unknown name is resolved as LB3 resolves any undeclared method (by name, else EXECUTE)."""
    methods = model.get("methods") or {}
    name, is_static = split_method(method)
    chain = (model_name, *model.get("baseChain", ()))
    if (
        method == "setPassword"
        and "User" in chain
        and model_setting(model, "restrictResetPasswordTokenScope")
    ):  # LB3 declares it so, whatever the methods block (User's own) says
        access = access_type_for(name, http={"verb": "POST"})
        return MethodAccess(name, access, True, (), ("reset-password",))
    for key in (method, name, f"prototype.{name}"):
        definition = methods.get(key)
        if isinstance(definition, Mapping):
            found = remote_method_access(key, definition)
            if found.is_static == is_static:
                return found
    builtin = builtin_access(method, user_model="User" in chain, key_value="KeyValueModel" in chain)
    if builtin is None:
        return MethodAccess(name, access_type_for(name), is_static)
    return builtin


def model_setting(model: Mapping[str, Any], key: str) -> Any:
    """A model setting as LB3 sees it, from its `x-lb-models` entry: the JSON's `options` (where the
    loader also puts the top-level authorization settings) are merged into its settings."""
    options = model.get("options") or {}
    return options.get(key, (model.get("settings") or {}).get(key))
