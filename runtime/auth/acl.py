"""Which ACL rule decides a call, as LB3 3.28's `ACL.checkAccessForContext` decides it, compiled once.

LB3 gathers a model's static rules (model JSON `acls`, inherited ones included) whose `property` is the
method's name, `*`, or an array holding the name, and the ACL table's rows whose model, property and
access type could apply; keeps those whose principal is the caller (an exact USER/APP/ROLE principal, or
a role the caller is in); sorts them by `getMatchingScore` (model, then property, then access type: exact
3, wildcard 2; then principal type USER > APP > ROLE; then role: static > `$owner` > `$related` >
`$authenticated`/`$unauthenticated` > `$everyone`; then permission, DENY highest) and takes the first.
No rule: DEFAULT, settled to the model's `defaultPermission`, else ALLOW.

Every score depends only on the rule and the method, so `compile_policy` filters and sorts once per
(model, method) at start-up, keeping only rules that can match; a request then walks the sorted rules and
stops at the first whose principal fits, asking role resolvers (sync or async) only as far as it must.
A policy ending in an always-true rule (`$everyone`) drops what follows it; a model with no ACLs and no
`defaultPermission: DENY` gets no policy at all.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .access_types import ALL, EXECUTE, REPLICATE, WRITE, MethodAccess, model_setting
from .roles import AUTHENTICATED, EVERYONE, OWNER, RELATED, UNAUTHENTICATED, RoleRegistry
from .subject import APP, ROLE, USER, AccessContext

ALLOW = "ALLOW"
DENY = "DENY"
DEFAULT = "DEFAULT"
PERMISSION_ORDER = {DEFAULT: 0, ALLOW: 1, "ALARM": 2, "AUDIT": 3, DENY: 4}
ROLE_WEIGHT = {OWNER: 4, RELATED: 3, AUTHENTICATED: 2, UNAUTHENTICATED: 2, EVERYONE: 1}


@dataclass(frozen=True)
class Rule:
    """One ACL entry as LB3 scores it (`property` already narrowed to one name or `*`)."""

    model: str
    property: str
    access_type: str
    principal_type: str
    principal_id: str
    permission: str
    origin: str = "model"  # "model" (JSON acls) or "table" (an ACL row)


def score(rule: Rule, model: str, method: MethodAccess) -> int:
    """LB3's `ACL.getMatchingScore` for a request naming one model, method and access type; -1 when
    the rule cannot apply."""
    total = 0
    for part in (
        _part(rule.model, model),
        _part(rule.property, method.name, names=method.method_names),
        _part(rule.access_type, method.access_type, access=True),
    ):
        if part < 0:
            return -1
        total = total * 4 + part
    total = total * 4 + {USER: 4, APP: 3, ROLE: 2}.get(rule.principal_type, 1)
    total *= 8
    if rule.principal_type == ROLE:
        total += ROLE_WEIGHT.get(rule.principal_id, 5)
    return total * 4 + PERMISSION_ORDER.get(rule.permission or ALLOW, 0) - 1


def _part(
    rule_value: str, requested: str, *, names: tuple[str, ...] = (), access: bool = False
) -> int:
    """One position of the score: 3 exact (a method alias; EXECUTE for any access type, WRITE for
    REPLICATE), 2 the rule's wildcard, 1 the request's wildcard, -1 no match."""
    rule_value, requested = rule_value or ALL, requested or ALL
    exact = rule_value == requested or rule_value in names
    if access and not exact:
        exact = rule_value == EXECUTE or (rule_value == WRITE and requested == REPLICATE)
    if exact:
        return 3
    if rule_value == ALL:
        return 2
    return 1 if requested == ALL else -1


def static_rules(model: str, acls: Iterable[Mapping[str, Any]], method: MethodAccess) -> list[Rule]:
    """LB3's `getStaticACLs`: the model's rules whose property is absent, `*`, the method's own name
    (aliases do not count here), or an array holding it, in declaration order."""
    out = []
    for acl in acls:
        prop = acl.get("property")
        if isinstance(prop, (list, tuple)):
            # the loader stores every property as a list; ["*"] is the wildcard written as a string
            prop = method.name if method.name in prop else (ALL if list(prop) == [ALL] else None)
            if prop is None:
                continue
        if prop and prop != ALL and prop != method.name:
            continue
        out.append(
            Rule(
                model=model,
                property=prop or ALL,
                access_type=acl.get("accessType") or ALL,
                principal_type=str(acl.get("principalType")),
                principal_id=str(acl.get("principalId")),
                permission=str(acl.get("permission")),
            )
        )
    return out


def table_rules(model: str, rows: Iterable[Mapping[str, Any]], method: MethodAccess) -> list[Rule]:
    """The ACL table's rows LB3's query selects for the method: model is the model or `*`, property one
    of the method's names or `*`, access type the method's or `*` (for REPLICATE, WRITE too). The
    query, unlike the scoring, does not select an EXECUTE row for a READ or WRITE method."""
    names = (*method.method_names, ALL)
    types = (
        (REPLICATE, WRITE, ALL) if method.access_type == REPLICATE else (method.access_type, ALL)
    )
    out = []
    for row in rows:
        if row.get("model") not in (model, ALL):
            continue
        if row.get("property") not in names or row.get("accessType") not in types:
            continue
        out.append(
            Rule(
                model=str(row["model"]),
                property=str(row["property"]),
                access_type=str(row["accessType"]),
                principal_type=str(row.get("principalType")),
                principal_id=str(row.get("principalId")),
                permission=str(row.get("permission")),
                origin="table",
            )
        )
    return out


@dataclass(frozen=True)
class MethodPolicy:
    """The rules that can decide one (model, method), best first, and what applies when none does."""

    model: str
    method: MethodAccess
    rules: tuple[Rule, ...]
    default_permission: str = ALLOW


@dataclass(frozen=True)
class Decision:
    """The resolved permission (DEFAULT already settled) and the rule that gave it, if any."""

    permission: str
    rule: Rule | None = None

    @property
    def allowed(self) -> bool:
        return self.permission != DENY


def compile_policy(
    model: str,
    entry: Mapping[str, Any],
    method: MethodAccess,
    *,
    table: Iterable[Mapping[str, Any]] = (),
    roles: RoleRegistry | None = None,
) -> MethodPolicy | None:
    """The policy of `method` on the model whose `x-lb-models` entry is `entry`, with the ACL table's
    rows `table`; None when every caller is allowed without looking (no rule, default ALLOW)."""
    default = _default_permission(entry)
    candidates = [
        *table_rules(model, table, method),
        *static_rules(model, entry.get("acls") or (), method),
    ]
    scored = [(score(r, model, method), r) for r in candidates]
    ordered = [r for s, r in sorted(scored, key=lambda t: -t[0]) if s >= 0]  # stable, as V8's sort
    kept: list[Rule] = []
    for rule in ordered:
        kept.append(rule)
        always = roles.always(rule.principal_id) if roles else rule.principal_id == EVERYONE
        if rule.principal_type == ROLE and always:
            break  # everyone holds it: no rule after it can win
    if not kept and default != DENY:
        return None
    return MethodPolicy(model, method, tuple(kept), default)


def _default_permission(entry: Mapping[str, Any]) -> str:
    value = model_setting(entry, "defaultPermission")
    return str(value) if value else ALLOW


def decide(
    policy: MethodPolicy | None, actx: AccessContext, roles: RoleRegistry
) -> Decision | Awaitable[Decision]:
    """The decision for one call: a `Decision` when every role asked answers at once, else an
    awaitable of one (a resolver or a role source that is async). `decide_async` awaits either."""
    if policy is None:
        return Decision(ALLOW)
    if not actx.scope_allowed(policy.method.scopes):
        return Decision(DENY)
    return _walk(policy, actx, roles, 0)


async def decide_async(
    policy: MethodPolicy | None, actx: AccessContext, roles: RoleRegistry
) -> Decision:
    result = decide(policy, actx, roles)
    return await result if inspect.isawaitable(result) else result


def _walk(
    policy: MethodPolicy, actx: AccessContext, roles: RoleRegistry, start: int
) -> Decision | Awaitable[Decision]:
    rules = policy.rules
    for i in range(start, len(rules)):
        rule = rules[i]
        if any(p.same(rule.principal_type, rule.principal_id) for p in actx.principals):
            return settle(policy, rule)
        if rule.principal_type != ROLE:
            continue
        answer = roles.in_role(rule.principal_id, actx)
        if inspect.isawaitable(answer):
            return _resume(policy, actx, roles, i, answer)
        if answer:
            return settle(policy, rule)
    return Decision(policy.default_permission)


async def _resume(
    policy: MethodPolicy, actx: AccessContext, roles: RoleRegistry, i: int, answer: Awaitable[bool]
) -> Decision:
    if await answer:
        return settle(policy, policy.rules[i])
    rest = _walk(policy, actx, roles, i + 1)
    return await rest if inspect.isawaitable(rest) else rest


def settle(policy: MethodPolicy, rule: Rule) -> Decision:
    """LB3's settleDefaultPermission: a winning DEFAULT rule means the model's default."""
    permission = rule.permission if rule.permission in PERMISSION_ORDER else DEFAULT
    return Decision(policy.default_permission if permission == DEFAULT else permission, rule)
