"""Our decisions against the real LB3 3.28's, row by row (tests/oracle/lb3_acl_oracle.js recorded them).

Every shared method of every model of the oracle app (tutorial shapes, property rules, conflicting
specificity, default permissions, aclErrorStatus, the ACL table, ownerRelations, a User-based model),
asked by anonymous, two users, an admin (static role) and a custom-role member, on their own row and
another's: the same access type, the same allow/deny, the same status and error body. Principals a
token cannot carry (an APP, a ROLE) are compared with LB3's checkAccessForContext answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runtime.auth.access_types import method_access
from runtime.auth.acl import Decision, compile_policy, decide_async
from runtime.auth.denial import denial
from runtime.auth.roles import RoleRegistry
from runtime.auth.subject import AccessContext, PrincipalRef, principals_of

from .oracle import compile_models, role_registry, truth_table, user_models

TABLE = truth_table()
USER_IDS = {u["name"]: u["id"] for u in TABLE["users"]}


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return compile_models(tmp_path_factory.mktemp("oracle") / "app")


@pytest.fixture(scope="module")
def roles(models: dict[str, Any]) -> RoleRegistry:
    return role_registry(models)


def _id(case: dict[str, Any]) -> str:
    return f"{case['model']}.{case['method']}@{case['modelId']}:{case['principal']}"


async def _decide(
    models: dict[str, Any],
    roles: RoleRegistry,
    case: dict[str, Any],
    principals: tuple[PrincipalRef, ...],
    has_token: bool,
) -> Decision:
    entry = models[case["model"]]
    access = method_access(case["model"], entry, case["method"])
    policy = compile_policy(case["model"], entry, access, table=TABLE["aclTable"], roles=roles)
    actx = AccessContext(
        model=case["model"],
        method=access.name,
        access_type=access.access_type,
        method_names=access.method_names,
        model_id=case["modelId"],
        principals=principals,
        user_models=user_models(models),
        has_token=has_token,
    )
    return await decide_async(policy, actx, roles)


@pytest.mark.parametrize("row", TABLE["methods"], ids=lambda r: f"{r['model']}.{r['method']}")
def test_access_type_and_names(models: dict[str, Any], row: dict[str, Any]) -> None:
    access = method_access(row["model"], models[row["model"]], row["method"])
    assert (access.name, access.access_type) == (row["name"], row["accessType"])
    assert set(access.method_names) == {*row["aliases"], row["name"]}


@pytest.mark.parametrize("case", TABLE["cases"], ids=_id)
async def test_rest_decision(
    models: dict[str, Any], roles: RoleRegistry, case: dict[str, Any]
) -> None:
    token = case["principal"] != "anonymous"
    principals = principals_of(USER_IDS[case["principal"]]) if token else ()
    decision = await _decide(models, roles, case, principals, token)
    assert decision.allowed == case["allowed"]
    if not case["allowed"]:
        error = denial(
            case["model"], models[case["model"]], {}, has_token=token, model_id=case["modelId"]
        )
        assert (error.status, error.body()["error"]) == (case["status"], case["error"])


@pytest.mark.parametrize("case", TABLE["direct"], ids=_id)
async def test_direct_decision(
    models: dict[str, Any], roles: RoleRegistry, case: dict[str, Any]
) -> None:
    principals = tuple(PrincipalRef(p["type"], p["id"]) for p in case["principals"])
    decision = await _decide(models, roles, case, principals, True)
    assert decision.allowed == case["allowed"]
    assert decision.permission == case["permission"]


def test_the_table_is_not_one_sided() -> None:
    """The oracle app exercises both answers and every status LB3 gives."""
    statuses = {c["status"] for c in TABLE["cases"]}
    assert statuses == {200, 401, 403, 404}
    assert {c["allowed"] for c in TABLE["direct"]} == {True, False}


def test_oracle_app_compiles(tmp_path: Path) -> None:
    models = compile_models(tmp_path / "app")
    # Account inherits User's ACLs before its own, as LB3's model inheritance does
    account = [a["property"] for a in models["Account"]["acls"]]
    assert account[-1] == ["find"] and ["login"] in account
