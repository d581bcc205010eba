"""Who holds a role: LB3's Role.isInRole, with its resolvers and its Role/RoleMapping tables.

A role named in an ACL is decided, in LB3's order, by a resolver registered under its name (the built-in
`$everyone`, `$authenticated`, `$unauthenticated`, `$owner`, or the app's own, sync or async), else by a
ROLE principal the caller already carries, else by the static mappings (a Role found by name, then a
RoleMapping from that role's id to one of the caller's principals). Static roles come from a
`RoleMappings` source: `StaticRoles` holds them as data; the next round reads them from the database.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .owner import OwnerCheck, is_owner
from .subject import ROLE, AccessContext, PrincipalRef, _text

OWNER = "$owner"
RELATED = "$related"
AUTHENTICATED = "$authenticated"
UNAUTHENTICATED = "$unauthenticated"
EVERYONE = "$everyone"

Answer = bool | Awaitable[bool]
Resolver = Callable[[str, AccessContext], Any]  # returns bool or an awaitable of bool


class RoleMappings(Protocol):
    """Static role membership: is one of these principals mapped to the role named `role`?"""

    def has_role(self, role: str, principals: tuple[PrincipalRef, ...]) -> Answer: ...


@dataclass(frozen=True)
class StaticRoles:
    """Role and RoleMapping rows given as data (`{"id", "name"}`, `{"roleId", "principalType",
    "principalId"}`), matched as LB3 matches them: role by name, mapping by role id and principal, ids
    compared as strings, a principal with an empty id never mapped."""

    roles: tuple[Mapping[str, Any], ...] = ()
    mappings: tuple[Mapping[str, Any], ...] = ()
    _index: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(
        cls, roles: Iterable[Mapping[str, Any]], mappings: Iterable[Mapping[str, Any]]
    ) -> StaticRoles:
        roles, mappings = tuple(roles), tuple(mappings)
        index: dict[str, set[tuple[str, str]]] = {}
        for role in roles:
            if role.get("name") in index:  # LB3's findOne takes the first role of a name
                continue
            rid = _text(role.get("id"))
            index[str(role.get("name"))] = {
                (str(m.get("principalType")), _text(m.get("principalId")))
                for m in mappings
                if _text(m.get("roleId")) == rid
            }
        return cls(roles, mappings, {k: frozenset(v) for k, v in index.items()})

    def has_role(self, role: str, principals: tuple[PrincipalRef, ...]) -> bool:
        members = self._index.get(role)
        if not members:
            return False
        return any(
            p.id not in (None, "", 0) and (p.type, _text(p.id)) in members for p in principals
        )


NO_ROLES = StaticRoles.of((), ())


class RoleRegistry:
    """LB3's `Role.resolvers` plus where static roles and row ownership come from.

    `register_resolver(name, fn)` as LB3's `Role.registerResolver`: `fn(role, access_context)` returns a
    bool or an awaitable of one; a resolver replaces the built-in of the same name."""

    def __init__(self, mappings: RoleMappings = NO_ROLES, owner: OwnerCheck | None = None) -> None:
        self.mappings = mappings
        self.owner = owner
        self.version = 0  # bumped by register_resolver: compiled policies depend on `always`
        self.resolvers: dict[str, Resolver] = {
            EVERYONE: _everyone,
            AUTHENTICATED: _authenticated,
            UNAUTHENTICATED: _unauthenticated,
            OWNER: self._owner,
        }

    def register_resolver(self, role: str, resolver: Resolver) -> None:
        if not callable(resolver):
            raise TypeError(f"the resolver for role {role!r} must be callable")
        self.resolvers[role] = resolver
        self.version += 1

    def always(self, role: str) -> bool:
        """Whether everyone holds `role` whatever the request (the built-in `$everyone`), so a policy
        can stop at such a rule when it compiles."""
        return self.resolvers.get(role) is _everyone

    def builtin(self, role: str) -> bool:
        """Whether `role` is still decided by LB3's built-in resolver (an app may replace it)."""
        resolver = self.resolvers.get(role)
        return resolver is not None and (
            resolver in (_everyone, _authenticated, _unauthenticated)
            or getattr(resolver, "__func__", None) is RoleRegistry._owner
        )

    def in_role(self, role: str, actx: AccessContext) -> Answer:
        """LB3's isInRole: resolver, then a ROLE principal, then the static mappings."""
        resolver = self.resolvers.get(role)
        if resolver is not None:
            result = resolver(role, actx)
            return _as_bool(result) if inspect.isawaitable(result) else bool(result)
        if not actx.principals:
            return False
        if any(p.type == ROLE and p.id == role for p in actx.principals):
            return True
        return self.mappings.has_role(role, actx.principals)

    def _owner(self, role: str, actx: AccessContext) -> Answer:
        return is_owner(actx, self.owner)


async def _as_bool(result: Awaitable[Any]) -> bool:
    return bool(await result)


def _everyone(role: str, actx: AccessContext) -> bool:
    return True


def _authenticated(role: str, actx: AccessContext) -> bool:
    return actx.authenticated


def _unauthenticated(role: str, actx: AccessContext) -> bool:
    return not actx.authenticated
