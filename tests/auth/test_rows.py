"""`decide_rows`: the rows a caller may touch when `$owner` decides and no single row is named.

The strongest check: for every call of the LB3 truth table about one row, the row-level answer (all,
none, or the rows matching the owner where), applied to that row, gives LB3's own decision for it.
"""

from __future__ import annotations

from typing import Any

import pytest

from runtime.auth.access_types import MethodAccess, method_access
from runtime.auth.acl import ALLOW, DENY, compile_policy
from runtime.auth.owner import MemoryRows
from runtime.auth.roles import RoleRegistry
from runtime.auth.rows import RowAccess, decide_rows
from runtime.auth.subject import AccessContext, principals_of

from .oracle import compile_models, role_registry, truth_table, user_models

TABLE = truth_table()
USER_IDS = {u["name"]: u["id"] for u in TABLE["users"]}
BY_ID = [c for c in TABLE["cases"] if c["modelId"] is not None]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return compile_models(tmp_path_factory.mktemp("rows") / "app")


@pytest.fixture(scope="module")
def roles(models: dict[str, Any]) -> RoleRegistry:
    return role_registry(models)


def _context(
    models: dict[str, Any], model: str, access: MethodAccess, principal: str
) -> AccessContext:
    user = USER_IDS.get(principal)
    return AccessContext(
        model=model,
        method=access.name,
        access_type=access.access_type,
        method_names=access.method_names,
        principals=principals_of(user),
        user_models=user_models(models),
        has_token=user is not None,
    )


async def _rows(
    models: dict[str, Any], roles: RoleRegistry, model: str, method: str, principal: str
) -> RowAccess:
    access = method_access(model, models[model], method)
    policy = compile_policy(model, models[model], access, table=TABLE["aclTable"], roles=roles)
    return await decide_rows(policy, _context(models, model, access, principal), roles)


@pytest.mark.parametrize(
    "case", BY_ID, ids=lambda c: f"{c['model']}.{c['method']}@{c['modelId']}:{c['principal']}"
)
async def test_row_split_agrees_with_lb3_on_each_row(
    models: dict[str, Any], roles: RoleRegistry, case: dict[str, Any]
) -> None:
    access = await _rows(models, roles, case["model"], case["method"], case["principal"])
    if access.where is None:
        allowed = access.allowed
    else:
        lookup = roles.owner.lookup if roles.owner else None
        assert isinstance(lookup, MemoryRows)
        spec = lookup.specs[case["model"]]
        row = next(r for r in TABLE["rows"][case["model"]] if r["id"] == case["modelId"])
        allowed = lookup.matches(spec, row, access.where) != access.negate
    assert allowed == case["allowed"]


async def test_owner_write_on_a_list_is_the_callers_rows(
    models: dict[str, Any], roles: RoleRegistry
) -> None:
    # Note: $owner ALLOW WRITE outranks admin ALLOW * and $everyone DENY
    assert await _rows(models, roles, "Note", "updateAll", "alice") == RowAccess(
        ALLOW, {"ownerId": 1}
    )
    assert await _rows(models, roles, "Note", "updateAll", "admin") == RowAccess(
        ALLOW
    )  # admin: all
    assert await _rows(models, roles, "Note", "updateAll", "anonymous") == RowAccess(DENY)
    # Memo: $owner ALLOW * through the legacy userId property
    assert await _rows(models, roles, "Memo", "find", "bob") == RowAccess(ALLOW, {"userId": 2})
    # Post: ownerRelations true: author or editor
    assert await _rows(models, roles, "Post", "count", "bob") == RowAccess(
        ALLOW, {"or": [{"authorId": 2}, {"editorId": 2}]}
    )


async def test_owner_deny_leaves_the_other_rows(models: dict[str, Any]) -> None:
    entry = {
        "acls": [
            {
                "principalType": "ROLE",
                "principalId": "$owner",
                "permission": "DENY",
                "accessType": "WRITE",
                "property": ["*"],
            },
            {
                "principalType": "ROLE",
                "principalId": "$authenticated",
                "permission": "ALLOW",
                "property": ["*"],
            },
        ]
    }
    roles = role_registry(models)
    access = method_access("Memo", models["Memo"], "updateAll")
    policy = compile_policy("Memo", entry, access, roles=roles)
    found = await decide_rows(policy, _context(models, "Memo", access, "alice"), roles)
    assert found == RowAccess(ALLOW, {"userId": 1}, negate=True)


async def test_a_replaced_owner_resolver_is_not_turned_into_a_where(models: dict[str, Any]) -> None:
    roles = role_registry(models)
    roles.register_resolver("$owner", lambda role, actx: False)
    assert not roles.builtin("$owner") and roles.builtin("$everyone")
    assert await _rows(models, roles, "Memo", "find", "bob") == RowAccess(DENY)
