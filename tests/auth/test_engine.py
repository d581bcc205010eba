"""The decision engine's own contract, beyond the LB3 truth table: compiled once, synchronous unless a
resolver is async, resolvers asked only as far as needed, models without ACLs untouched, the owner test
as a where, token scopes, and LB3's denial for each configured status."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any

import pytest

from runtime.auth.access_types import MethodAccess, method_access
from runtime.auth.acl import ALLOW, DENY, Decision, compile_policy, decide, decide_async
from runtime.auth.authorizer import Authorizer
from runtime.auth.denial import denial
from runtime.auth.owner import MemoryRows, OwnerCheck, owner_spec, owner_where
from runtime.auth.roles import RoleRegistry, StaticRoles
from runtime.auth.subject import AccessContext, PrincipalRef, principals_of
from runtime.context import Principal
from specgen.openapi import build_openapi
from tests.specgen.appdir import load_ok, write_app

from .oracle import BUILTINS, truth_table

ACL = dict[str, Any]


def acl(
    principal: str, permission: str, prop: str = "*", access: str = "*", ptype: str = "ROLE"
) -> ACL:
    return {
        "principalType": ptype,
        "principalId": principal,
        "permission": permission,
        "accessType": access,
        "property": [prop],
    }


def actx(
    method: MethodAccess, principals: tuple[PrincipalRef, ...] = (), **kw: Any
) -> AccessContext:
    return AccessContext(
        model=kw.pop("model", "Thing"),
        method=method.name,
        access_type=method.access_type,
        method_names=method.method_names,
        principals=principals,
        **kw,
    )


FIND = MethodAccess("find", "READ")
CREATE = MethodAccess("create", "WRITE")


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    attach = {name: {"dataSource": "db", "public": name == "User"} for name in BUILTINS}
    root = tmp_path_factory.mktemp("engine") / "app"
    app, _ = load_ok(write_app(root, truth_table()["models"], attach=attach))
    return build_openapi(app)


def test_a_model_without_acls_pays_nothing(document: dict[str, Any]) -> None:
    authorizer = Authorizer(document, RoleRegistry())
    ops = [m for (model, m) in authorizer._policies if model == "Open"]
    assert "find" in ops and "prototype.patchAttributes" in ops
    assert all(authorizer.policy("Open", m)[1] is None for m in ops)
    # allowed without building an access context, and synchronously
    assert authorizer.check("Open", "deleteById", None, model_id=1) == Decision(ALLOW)


def test_policies_keep_only_rules_that_can_match(document: dict[str, Any]) -> None:
    authorizer = Authorizer(document, RoleRegistry())
    _, policy = authorizer.policy("Product", "find")
    assert policy is not None
    # READ rules and `*` rules only; the first `$everyone` rule ends the list (nothing after it wins)
    assert [(r.principal_id, r.permission) for r in policy.rules] == [("$everyone", ALLOW)]
    _, create = authorizer.policy("Product", "create")
    assert create is not None
    assert [(r.property, r.principal_id) for r in create.rules] == [
        ("create", "$authenticated"),
        ("*", "$everyone"),
    ]


def test_default_permission_deny_without_rules_still_denies() -> None:
    entry = {"acls": [], "options": {"defaultPermission": "DENY"}}
    policy = compile_policy("Thing", entry, FIND)
    assert policy is not None and policy.rules == ()
    assert decide(policy, actx(FIND), RoleRegistry()) == Decision(DENY)
    assert compile_policy("Thing", {"acls": []}, FIND) is None


def test_synchronous_unless_a_resolver_is_async() -> None:
    entry = {"acls": [acl("$everyone", DENY), acl("vip", ALLOW)]}
    policy = compile_policy("Thing", entry, FIND)
    roles = RoleRegistry()
    sync = decide(policy, actx(FIND, principals_of(7)), roles)
    assert sync == Decision(DENY, policy.rules[1] if policy else None)

    async def vip(role: str, ctx: AccessContext) -> bool:
        await asyncio.sleep(0)
        return str(ctx.user_id) == "7"

    roles.register_resolver("vip", vip)
    pending = decide(policy, actx(FIND, principals_of(7)), roles)
    assert inspect.isawaitable(pending)
    assert asyncio.run(_await(pending)).permission == ALLOW
    other = asyncio.run(decide_async(policy, actx(FIND, principals_of(8)), roles))
    assert other.permission == DENY


async def _await(x: Any) -> Decision:
    result: Decision = await x
    return result


def test_resolvers_are_asked_only_as_far_as_needed() -> None:
    asked: list[str] = []

    def resolver(role: str, ctx: AccessContext) -> bool:
        asked.append(role)
        return role == "first"

    entry = {"acls": [acl("second", DENY, access="READ"), acl("first", ALLOW, prop="find")]}
    roles = RoleRegistry()
    roles.register_resolver("first", resolver)
    roles.register_resolver("second", resolver)
    decision = decide(compile_policy("Thing", entry, FIND), actx(FIND, principals_of(1)), roles)
    assert decision == Decision(ALLOW, decision.rule) and asked == ["first"]  # type: ignore[union-attr]


def test_static_roles_match_as_lb3_does() -> None:
    roles = StaticRoles.of(
        [{"id": 10, "name": "admin"}, {"id": 11, "name": "editor"}],
        [{"roleId": "10", "principalType": "USER", "principalId": "3"}],
    )
    assert roles.has_role("admin", principals_of(3))  # ids compared as strings
    assert not roles.has_role("admin", principals_of(4))
    assert not roles.has_role("editor", principals_of(3))
    assert not roles.has_role("nobody", principals_of(3))
    registry = RoleRegistry(roles)
    method = FIND
    assert registry.in_role("admin", actx(method, principals_of(3)))
    assert not registry.in_role("admin", actx(method))  # no principals: never in a static role
    assert registry.in_role("auditor", actx(method, principals_of(None, roles=("auditor",))))


def test_scopes_restrict_tokens_as_lb3_does(document: dict[str, Any]) -> None:
    user = dict(document["x-lb-models"]["User"])
    user["options"] = {**user.get("options", {}), "restrictResetPasswordTokenScope": True}
    set_password = method_access("User", user, "setPassword")
    assert set_password.scopes == ("reset-password",)
    policy = compile_policy("User", user, set_password)
    roles = RoleRegistry()
    plain = actx(set_password, principals_of(1), model="User")
    assert decide(policy, plain, roles) == Decision(DENY)  # a DEFAULT-scope token
    scoped = actx(set_password, principals_of(1), model="User", scopes=("reset-password",))
    assert decide(policy, scoped, roles).permission == ALLOW  # type: ignore[union-attr]
    find = method_access("User", user, "find")
    scoped_find = actx(find, principals_of(1), model="User", scopes=("reset-password",))
    assert decide(compile_policy("User", user, find), scoped_find, roles) == Decision(DENY)


def test_authorizer_reads_the_runtime_principal(document: dict[str, Any]) -> None:
    table = truth_table()
    roles = RoleRegistry(StaticRoles.of(table["roles"], table["roleMappings"]))
    authorizer = Authorizer(document, roles, app_settings={"aclErrorStatus": 403})
    admin = Principal(user_id=3, user_model="User", access_token={"id": "t"})
    decision = authorizer.check("Note", "find", admin)
    assert isinstance(decision, Decision) and decision.allowed
    # `$authenticated ALLOW READ` outranks `admin ALLOW *`: the access type weighs before the role
    assert decision.rule is not None and decision.rule.principal_id == "$authenticated"
    nobody = authorizer.check("Note", "find", None)
    assert isinstance(nobody, Decision) and not nobody.allowed
    assert authorizer.error("Note", None).status == 401
    assert authorizer.error("Note", admin).status == 403  # the app's aclErrorStatus
    assert authorizer.error("Vault", admin).status == 403
    assert authorizer.error("Ledger", admin, model_id=5).body()["error"]["message"] == (
        "could not find Ledger with id 5"
    )


@pytest.mark.parametrize(
    ("configured", "has_token", "status", "code"),
    [
        (None, True, 401, "AUTHORIZATION_REQUIRED"),
        (403, True, 403, "ACCESS_DENIED"),
        (403, False, 401, "AUTHORIZATION_REQUIRED"),
        ("403", True, 403, "ACCESS_DENIED"),
        (404, True, 404, "MODEL_NOT_FOUND"),
        (418, True, 418, "ACCESS_DENIED"),
    ],
)
def test_denial_status(configured: Any, has_token: bool, status: int, code: str) -> None:
    model = {"options": {"aclErrorStatus": configured}} if configured else {}
    error = denial("Thing", model, {}, has_token=has_token)
    assert (error.status, error.body()["error"]["code"], error.body()["error"]["name"]) == (
        status,
        code,
        "Error",
    )


def _models(**entries: dict[str, Any]) -> dict[str, Any]:
    user = {"baseChain": ["User", "PersistedModel", "Model"], "properties": {"id": {"id": 1}}}
    return {
        "User": {"baseChain": ["PersistedModel", "Model"], "properties": {"id": {"id": 1}}},
        "Customer": user,
        **entries,
    }


def test_owner_where_legacy_properties_then_first_belongs_to() -> None:
    models = _models(
        Order={
            "properties": {"id": {"id": 1}, "userId": {}, "owner": {}, "buyerId": {}},
            "relations": {
                "buyer": {"type": "belongsTo", "model": "Customer", "foreignKey": "buyerId"},
                "seller": {"type": "belongsTo", "model": "User", "foreignKey": "sellerId"},
            },
        }
    )
    spec = owner_spec("Order", models)
    assert owner_where(spec, 5) == {
        "or": [
            {"userId": 5},
            {"and": [{"userId": None}, {"owner": 5}]},
            {"and": [{"userId": None}, {"owner": None}, {"buyerId": 5}]},
        ]
    }
    assert owner_where(spec, None) is None and owner_where(spec, 0) is None
    rows = MemoryRows(
        {"Order": [{"id": 1, "userId": None, "owner": None, "buyerId": 5}]}, {"Order": spec}
    )
    check = OwnerCheck({"Order": spec}, rows)
    ask = AccessContext("Order", "findById", "READ", model_id=1, principals=principals_of(5))
    assert RoleRegistry(owner=check).in_role("$owner", ask)
    assert not RoleRegistry(owner=check).in_role(
        "$owner", ask.__class__("Order", "find", "READ", principals=principals_of(5))
    )


def test_owner_where_leaves_out_a_relation_on_a_legacy_property() -> None:
    """The belongsTo's key is `userId` itself: its branch (`userId` empty and the user's) matches
    no row, so the where is the property test alone (one condition an index serves)."""
    models = _models(
        Note={
            "properties": {"id": {"id": 1}, "userId": {}},
            "relations": {"owner": {"type": "belongsTo", "model": "User", "foreignKey": "userId"}},
        }
    )
    spec = owner_spec("Note", models)
    assert owner_where(spec, 5) == {"userId": 5}
    rows = MemoryRows({"Note": [{"id": 1, "userId": 5}, {"id": 2, "userId": None}]}, {"Note": spec})
    check = OwnerCheck({"Note": spec}, rows)
    for model_id, owner in ((1, True), (2, False)):
        ask = AccessContext(
            "Note", "findById", "READ", model_id=model_id, principals=principals_of(5)
        )
        assert RoleRegistry(owner=check).in_role("$owner", ask) is owner


def test_owner_where_owner_relations_and_custom_keys() -> None:
    models = _models(
        Post={
            "options": {"ownerRelations": ["editor"]},
            "properties": {"id": {"id": 1}, "userId": {}},
            "relations": {
                "author": {"type": "belongsTo", "model": "User", "foreignKey": "authorId"},
                "editor": {
                    "type": "belongsTo",
                    "model": "User",
                    "foreignKey": "editorEmail",
                    "primaryKey": "email",
                },
            },
        }
    )
    spec = owner_spec("Post", models)
    where = owner_where(spec, 9)
    assert where == {"editor.id": 9}  # the property test is LB3's legacy path only
    rows = MemoryRows(
        {"Post": [{"id": 1, "editorEmail": "e@x"}], "User": [{"id": 9, "email": "e@x"}]},
        {"Post": spec},
    )
    assert rows("Post", 1, where) and not rows("Post", 1, {"editor.id": 8})
    user = owner_spec("Customer", models)
    assert owner_where(user, 4) == {"id": 4}


def test_owner_with_several_user_models_needs_the_model_name() -> None:
    poly = {"accessTokens": {"type": "hasMany", "model": "AccessToken", "polymorphic": "principal"}}
    models = _models(
        Note={
            "properties": {"id": {"id": 1}},
            "relations": {
                "customer": {"type": "belongsTo", "model": "Customer", "foreignKey": "customerId"}
            },
        }
    )
    models["Customer"] = {**models["Customer"], "relations": poly}
    spec = owner_spec("Note", models)
    assert owner_where(spec, 2, "USER") is None
    assert owner_where(spec, 2, "Customer") == {"customerId": 2}


def test_authorization_settings_at_the_top_level_reach_the_document(tmp_path: Path) -> None:
    """LB3 reads aclErrorStatus, defaultPermission and ownerRelations from the model JSON's top
    level or its `options` (which win), and a sub-model inherits them."""
    models: list[dict[str, Any]] = [
        {
            "name": "Safe",
            "properties": {"label": "string"},
            "aclErrorStatus": 403,
            "defaultPermission": "DENY",
            "ownerRelations": True,
            "options": {"aclErrorStatus": 404},
        },
        {"name": "SmallSafe", "base": "Safe", "properties": {}},
    ]
    app, problems = load_ok(write_app(tmp_path / "app", models))
    assert not [p for p in problems if "unknown model setting" in p.message]
    entries = build_openapi(app)["x-lb-models"]
    for name in ("Safe", "SmallSafe"):
        options = entries[name]["options"]
        assert options["aclErrorStatus"] == 404 and options["defaultPermission"] == "DENY"
        assert options["ownerRelations"] is True
    policy = compile_policy("SmallSafe", entries["SmallSafe"], FIND)
    assert policy is not None and decide(policy, actx(FIND), RoleRegistry()) == Decision(DENY)


def test_a_resolver_registered_later_recompiles_the_policies(document: dict[str, Any]) -> None:
    """A policy stops at `$everyone` only while `$everyone` is the built-in; replacing it (a boot
    script after start-up) must not leave policies built on the old answer."""
    table = truth_table()
    roles = RoleRegistry(StaticRoles.of(table["roles"], table["roleMappings"]))
    authorizer = Authorizer(document, roles)
    admin = Principal(user_id=3, user_model="User", access_token={"id": "t"})
    _, before = authorizer.policy("Clash", "findById")
    assert before is not None and [r.principal_id for r in before.rules] == ["$everyone"]
    roles.register_resolver("$everyone", lambda role, actx: False)
    _, after = authorizer.policy("Clash", "findById")
    assert after is not None and "admin" in [r.principal_id for r in after.rules]
    decision = authorizer.check("Clash", "findById", admin, model_id=2)
    assert isinstance(decision, Decision) and decision.permission == DENY
    assert decision.rule is not None and decision.rule.principal_id == "admin"
