"""The engine on a committed document: the Coffee Shop's generated openapi.yaml, whose Review and
Reviewer carry the ACLs of LB3's Coffee Shop tutorial (Review: `$everyone` READ, `$authenticated`
create, `$owner` WRITE through its belongsTo to Reviewer, a User-based model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runtime.app import load_document
from runtime.auth.acl import ALLOW, DENY, Decision
from runtime.auth.authorizer import Authorizer
from runtime.auth.owner import MemoryRows, OwnerCheck
from runtime.auth.roles import RoleRegistry
from runtime.auth.rows import RowAccess, decide_rows
from runtime.context import Principal

DOCUMENT = Path(__file__).resolve().parents[2] / "generated" / "coffee_shop" / "openapi.yaml"
REVIEWS = [{"id": 1, "publisherId": 7}, {"id": 2, "publisherId": 8}]


@pytest.fixture(scope="module")
def authorizer() -> Authorizer:
    document = load_document(DOCUMENT)
    models = document["x-lb-models"]
    specs = OwnerCheck.for_models(models, lambda *a: False).specs
    roles = RoleRegistry(owner=OwnerCheck(specs, MemoryRows({"Review": REVIEWS}, specs)))
    return Authorizer(document, roles)


def user(uid: int) -> Principal:
    return Principal(user_id=uid, user_model="Reviewer", access_token={"id": f"t{uid}"})


def allowed(result: Any) -> bool:
    assert isinstance(result, Decision)  # no async resolver here: decided synchronously
    return result.allowed


def test_the_tutorial_rules(authorizer: Authorizer) -> None:
    assert allowed(authorizer.check("Review", "find", None))
    assert allowed(authorizer.check("Review", "findById", None, model_id=1))
    assert not allowed(authorizer.check("Review", "create", None))
    assert authorizer.error("Review", None).status == 401
    assert allowed(authorizer.check("Review", "create", user(7)))
    assert allowed(authorizer.check("Review", "prototype.patchAttributes", user(7), model_id=1))
    assert not allowed(authorizer.check("Review", "prototype.patchAttributes", user(7), model_id=2))
    assert not allowed(authorizer.check("Review", "deleteById", user(8), model_id=1))
    assert allowed(authorizer.check("Review", "deleteById", user(8), model_id=2))


def test_models_without_acls_have_no_policy(authorizer: Authorizer) -> None:
    shop_ops = [m for (model, m) in authorizer._policies if model == "CoffeeShop"]
    assert shop_ops and all(authorizer.policy("CoffeeShop", m)[1] is None for m in shop_ops)


async def test_owner_rows_for_a_bulk_write(authorizer: Authorizer) -> None:
    _, policy = authorizer.policy("Review", "updateAll")
    actx = authorizer.context("Review", "updateAll", user(7))
    assert await decide_rows(policy, actx, authorizer.roles) == RowAccess(ALLOW, {"publisherId": 7})
    anonymous = authorizer.context("Review", "updateAll", None)
    assert await decide_rows(policy, anonymous, authorizer.roles) == RowAccess(DENY)
