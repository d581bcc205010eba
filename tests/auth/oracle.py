"""The LB3 3.28 ACL truth table (tests/oracle/lb3-3.28/acl-truth-table.json) and the same app compiled by
us: its models go through specgen's loader and OpenAPI stage, so the engine reads the ACLs the way the
runtime will, from the document's `x-lb-models`."""

from __future__ import annotations

import asyncio
import json
from functools import cache
from pathlib import Path
from typing import Any

from runtime.auth.owner import MemoryRows, OwnerCheck, is_user_model
from runtime.auth.roles import RoleRegistry, StaticRoles
from runtime.auth.subject import AccessContext
from specgen.openapi import build_openapi
from tests.specgen.appdir import load_ok, write_app

ORACLE = Path(__file__).resolve().parents[1] / "oracle" / "lb3-3.28" / "acl-truth-table.json"
BUILTINS = ("User", "AccessToken", "ACL", "RoleMapping", "Role")


@cache
def truth_table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ORACLE.read_text(encoding="utf-8"))
    return data


def compile_models(tmp: Path) -> dict[str, Any]:
    """The oracle's models as our document's `x-lb-models`."""
    attach = {name: {"dataSource": "db", "public": name == "User"} for name in BUILTINS}
    app, _ = load_ok(write_app(tmp, truth_table()["models"], attach=attach))
    models: dict[str, Any] = build_openapi(app)["x-lb-models"]
    return models


def role_registry(models: dict[str, Any]) -> RoleRegistry:
    """The oracle app's roles: its Role/RoleMapping rows, its rows for `$owner`, and its custom
    `teamMember` resolver (the user whose id the oracle names), async so that the oracle walks the
    engine's async path too."""
    table = truth_table()
    mappings = StaticRoles.of(table["roles"], table["roleMappings"])
    rows = dict(table["rows"])
    rows["User"] = [{"id": u["id"]} for u in table["users"]]
    check = OwnerCheck.for_models(models, lambda *a: False)
    owner = OwnerCheck(check.specs, MemoryRows(rows, check.specs))
    roles = RoleRegistry(mappings, owner)
    member = str(table["teamMember"])

    async def team_member(role: str, actx: AccessContext) -> bool:
        """Async, as a resolver that reads a database would be (LB3's is callback-based)."""
        await asyncio.sleep(0)
        return str(actx.user_id) == member

    roles.register_resolver("teamMember", team_member)
    return roles


def user_models(models: dict[str, Any]) -> frozenset[str]:
    return frozenset(name for name in models if is_user_model(name, models))
