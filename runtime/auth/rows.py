"""Which rows a caller may read or write when the decision depends on `$owner` and there is no one row.

LB3 resolves `$owner` only for a call about one row id: `find`, `count` or an `updateAll` is never "by
the owner", so `$everyone DENY` + `$owner ALLOW` refuses every list read. The issue asks instead that
such a read see the caller's own rows, filtered in SQL. `decide_rows` gives that answer: ALLOW for every
row, DENY, or ALLOW for the rows matching (or, `negate`, not matching) the owner where.

It is LB3's walk with one change: at a `$owner` rule (the built-in resolver) the rows split. Owned rows
take that rule's permission (no rule above it matched the caller, whatever the row); the other rows
take what the rules below it give with `$owner` false. Rules that do not depend on the row are decided
as `decide` decides them.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from .acl import ALLOW, DENY, Decision, MethodPolicy, settle
from .owner import OwnerCheck, Where, owner_where
from .roles import OWNER, RoleRegistry
from .subject import ROLE, USER, AccessContext


@dataclass(frozen=True)
class RowAccess:
    """ALLOW with no `where`: every row; DENY: none; ALLOW with a `where`: the rows it matches, or
    with `negate` the rows it does not match (NULL counts as not matching, so `NOT COALESCE(w, false)`)."""

    permission: str
    where: Where | None = None
    negate: bool = False

    @property
    def allowed(self) -> bool:
        return self.permission != DENY


async def decide_rows(
    policy: MethodPolicy | None, actx: AccessContext, roles: RoleRegistry
) -> RowAccess:
    if policy is None:
        return RowAccess(ALLOW)
    if not actx.scope_allowed(policy.method.scopes):
        return RowAccess(DENY)
    owned = _owned_where(actx, roles)
    rules = policy.rules
    for i, rule in enumerate(rules):
        if any(p.same(rule.principal_type, rule.principal_id) for p in actx.principals):
            return _row_access(settle(policy, rule))
        if rule.principal_type != ROLE:
            continue
        if rule.principal_id == OWNER and owned is not None:
            mine = settle(policy, rule).allowed
            others = (await _rest(policy, actx, roles, i + 1)).allowed
            if mine == others:
                return RowAccess(ALLOW if mine else DENY)
            return RowAccess(ALLOW, owned, negate=not mine)
        if await _in_role(roles, rule.principal_id, actx):
            return _row_access(settle(policy, rule))
    return RowAccess(policy.default_permission)


def _owned_where(actx: AccessContext, roles: RoleRegistry) -> Where | None:
    """The owner where when `$owner` is the built-in test and the caller can own rows of the model."""
    check: OwnerCheck | None = roles.owner
    if check is None or not roles.builtin(OWNER):
        return None
    spec = check.specs.get(actx.model)
    user = actx.user()
    if spec is None or user is None:
        return None
    return owner_where(spec, user.id, user.type or USER)


async def _rest(
    policy: MethodPolicy, actx: AccessContext, roles: RoleRegistry, start: int
) -> Decision:
    """The decision of the rules from `start` on, for a row the caller does not own."""
    for rule in policy.rules[start:]:
        if any(p.same(rule.principal_type, rule.principal_id) for p in actx.principals):
            return settle(policy, rule)
        if rule.principal_type != ROLE or rule.principal_id == OWNER:
            continue
        if await _in_role(roles, rule.principal_id, actx):
            return settle(policy, rule)
    return Decision(policy.default_permission)


async def _in_role(roles: RoleRegistry, role: str, actx: AccessContext) -> bool:
    answer: Any = roles.in_role(role, actx)
    return bool(await answer) if inspect.isawaitable(answer) else bool(answer)


def _row_access(decision: Decision) -> RowAccess:
    return RowAccess(decision.permission)
