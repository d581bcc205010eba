"""The statuses ACL enforcement adds to an operation's responses: 401, and the app's `aclErrorStatus`.

When an app enables auth (runtime/auth/enforce.py), an operation whose (model, method) policy is not
opened by its best rule (`$everyone` ALLOW) gets a guard: the guard reads the caller's token, so an
expired token answers 401 INVALID_TOKEN, and a refused anonymous caller 401 AUTHORIZATION_REQUIRED.
A caller with a token may be refused only when a rule can deny (a DENY rule, or `defaultPermission:
DENY`): then the model's (else the app's) `aclErrorStatus` answers (runtime/auth/denial.py). A relation
endpoint also reads through its target, whose rules (runtime/auth/scoping.py) add theirs. The policies
are the runtime's own (`compile_policy` over `x-lb-models`, the ACL table left out: its rows exist only
at run time), so the document and the guards agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runtime.auth.access_types import READ, method_access
from runtime.auth.acl import DENY, MethodPolicy, compile_policy
from runtime.auth.denial import MESSAGES, denial_status
from runtime.auth.enforce import ALLOWING, _document_for_acls, app_settings
from runtime.auth.roles import EVERYONE
from runtime.auth.subject import ROLE

from .operations import error_response

# what a relation endpoint's read or write of its target is decided by (runtime/auth/scoping.py)
TARGET_READS = ("find", "findById")
TARGET_WRITES = ("create", "updateAll", "deleteById", "prototype.patchAttributes", "replaceById")


def add_access_responses(paths: dict[str, Any], models: Mapping[str, Any], app_dir: str) -> None:
    """Add the statuses a guard can answer to every operation of `paths` (x-lb-operation names it)."""
    entries = _document_for_acls({"x-lb-models": models})["x-lb-models"]
    app = app_settings(Path(app_dir))
    for item in paths.values():
        for verb, op in item.items():
            x_lb = op.get("x-lb-operation")
            if not isinstance(x_lb, dict) or x_lb.get("model") not in entries:
                continue
            statuses = _statuses(entries, app, x_lb)
            if statuses:
                op["responses"] = _with(op["responses"], statuses, head=verb == "head")


def _statuses(
    entries: Mapping[str, Any], app: Mapping[str, Any], x_lb: Mapping[str, Any]
) -> set[int]:
    name = str(x_lb["model"])
    method = str(x_lb["method"])
    out = _refusals(name, entries[name], app, method)
    targets = _targets(entries, name, x_lb)
    if targets:
        reads = method_access(name, entries[name], method).access_type == READ
        for target in targets:
            for target_method in TARGET_READS if reads else TARGET_WRITES:
                out |= _refusals(target, entries[target], app, target_method)
    return out


def _refusals(name: str, entry: Mapping[str, Any], app: Mapping[str, Any], method: str) -> set[int]:
    """401 when the method is guarded; the configured status too when a rule can refuse a token."""
    policy = compile_policy(name, entry, method_access(name, entry, method))
    if policy is None or _everyone_allowed(policy):
        return set()
    out = {401}
    if policy.default_permission == DENY or any(r.permission == DENY for r in policy.rules):
        out.add(denial_status(entry, app, has_token=True))
    return out


def _everyone_allowed(policy: MethodPolicy) -> bool:
    """As the runtime's `Enforcement._everyone_allowed` (with the built-in roles): no guard."""
    first = policy.rules[0] if policy.rules else None
    return (
        first is not None
        and first.principal_type == ROLE
        and first.principal_id == EVERYONE
        and first.permission in ALLOWING
    )


def _targets(entries: Mapping[str, Any], name: str, x_lb: Mapping[str, Any]) -> list[str]:
    """The models a relation endpoint reads or writes through: the relation's target, and for a
    nested endpoint the nesting relation's target too."""
    relation = x_lb.get("relation")
    if not relation:
        return []
    chain = [str(x_lb["nested"]), str(relation)] if x_lb.get("nested") else [str(relation)]
    out: list[str] = []
    owner = name
    for rel in chain:
        target = (entries[owner].get("relations") or {}).get(rel, {}).get("model")
        if not isinstance(target, str) or target not in entries:
            break
        out.append(target)
        owner = target
    return out


def _with(responses: dict[str, Any], statuses: set[int], *, head: bool) -> dict[str, Any]:
    out = dict(responses)
    for status in sorted(statuses):
        description = _description(status)
        if str(status) in out:  # already documented for another reason (User's password rule)
            description = f"{out[str(status)]['description']}; or: {description}"
        response = error_response(description)
        out[str(status)] = {"description": description} if head else response
    return dict(sorted(out.items()))


def _description(status: int) -> str:
    if status == 401:
        return (
            "Authorization required (AUTHORIZATION_REQUIRED), or an expired token (INVALID_TOKEN)"
        )
    if status == 404:
        return "Access denied, answered as not found (MODEL_NOT_FOUND: aclErrorStatus 404)"
    message, code = MESSAGES.get(status, MESSAGES[403])
    return f"{message} ({code})"
