"""A small app whose ACLs make `$owner` decide list reads, includes and bulk writes, compiled once per
test session: Member (a User; role `admin` may do anything), Note (`$everyone` DENY, `$owner` ALLOW,
`$authenticated` may create), Board (no ACLs) with notes and secrets, Secret (`$everyone` DENY READ:
never readable). Users alice (1), bob (2), carol (3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from runtime.app import LoopBackApp
from runtime.auth.authorizer import Authorizer
from runtime.auth.owner import OwnerCheck
from runtime.auth.roles import RoleRegistry
from runtime.auth.scoping import attach, row_lookup
from runtime.context import Context, Principal
from specgen.cli import compile_app, load_generated
from specgen.render import write_package

EVERYONE_DENY = {"principalType": "ROLE", "principalId": "$everyone", "permission": "DENY"}
OWNER_ALLOW = {"principalType": "ROLE", "principalId": "$owner", "permission": "ALLOW"}
ADMIN_ALLOW = {"principalType": "ROLE", "principalId": "admin", "permission": "ALLOW"}

# the very models of tests/oracle/lb3_owner_probe.js (test_owner_http checks they are the same)
MODELS: list[dict[str, Any]] = [
    {
        "name": "Member",
        "base": "User",
        "relations": {"notes": {"type": "hasMany", "model": "Note", "foreignKey": "ownerId"}},
        "acls": [ADMIN_ALLOW],
    },
    {
        "name": "Note",
        "properties": {
            "title": {"type": "string", "required": True},
            "code": "string",
            "ownerId": "number",
            "boardId": "number",
        },
        "hidden": ["code"],
        "relations": {
            "owner": {"type": "belongsTo", "model": "Member", "foreignKey": "ownerId"},
            "board": {"type": "belongsTo", "model": "Board", "foreignKey": "boardId"},
        },
        "acls": [
            EVERYONE_DENY,
            OWNER_ALLOW,
            {
                "principalType": "ROLE",
                "principalId": "$authenticated",
                "permission": "ALLOW",
                "property": "create",
            },
        ],
    },
    {
        "name": "Board",
        "properties": {"name": {"type": "string", "required": True}, "code": "string"},
        "hidden": ["code"],
        "relations": {
            "notes": {"type": "hasMany", "model": "Note", "foreignKey": "boardId"},
            "secrets": {"type": "hasMany", "model": "Secret", "foreignKey": "boardId"},
        },
    },
    {
        "name": "Secret",
        "properties": {"text": "string", "boardId": "number"},
        "relations": {"board": {"type": "belongsTo", "model": "Board", "foreignKey": "boardId"}},
        "acls": [{**EVERYONE_DENY, "accessType": "READ"}],
    },
]
BUILTINS = {
    name: {"dataSource": "db", "public": False}
    for name in ("User", "AccessToken", "ACL", "RoleMapping", "Role")
}

ALICE, BOB = 1, 2
BOARDS = [{"name": "home", "code": "h-code"}, {"name": "work", "code": "w-code"}]
NOTES = [  # ids 1..4: alice owns 1 and 3, bob 2 and 4
    {"title": "a1", "code": "alpha", "ownerId": ALICE, "boardId": 1},
    {"title": "b1", "code": "bravo", "ownerId": BOB, "boardId": 1},
    {"title": "a2", "code": "charlie", "ownerId": ALICE, "boardId": 2},
    {"title": "b2", "code": "delta", "ownerId": BOB, "boardId": 2},
]


def write_app(root: Path) -> Path:
    config: dict[str, Any] = {"_meta": {"sources": ["loopback/common/models", "./models"]}}
    config.update(BUILTINS)
    for model in MODELS:
        config[model["name"]] = {"dataSource": "db", "public": True}
        path = root / "models" / f"{model['name'].lower()}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(model), "utf-8")
    (root / "model-config.json").write_text(json.dumps(config), "utf-8")
    (root / "datasources.json").write_text(json.dumps({"db": {"connector": "memory"}}), "utf-8")
    return root


def build_package(root: Path) -> tuple[Any, dict[str, Any]]:
    """The generated package (its create_app) and its OpenAPI document."""
    app_dir = write_app(root / "owner_app")
    out = root / "gen" / "pkg_owner_app"
    _, files, problems = compile_app(app_dir, out)
    assert not [p for p in problems if p.level == "error"], problems
    write_package(files, out)
    return load_generated(out), yaml.safe_load((out / "openapi.yaml").read_text("utf-8"))


def enforce(app: LoopBackApp) -> Authorizer:
    """ACL enforcement for the Python API: the authorizer and the row scopes, as `enable_auth`
    builds them."""
    roles = RoleRegistry(owner=OwnerCheck.for_models(app.document["x-lb-models"],
                                                     row_lookup(app.models)))  # fmt: skip
    authorizer = Authorizer(app.document, roles)
    attach(app.models.values(), authorizer)
    return authorizer


async def seed(app: LoopBackApp) -> None:
    members = app.models["Member"]
    for name in ("alice", "bob", "carol"):
        await members.create({"email": f"{name}@example.com", "password": "secret-pw"})
    await app.models["Board"].create(BOARDS)
    await app.models["Note"].create(NOTES)
    await app.models["Secret"].create([{"text": "s1", "boardId": 1}, {"text": "s2", "boardId": 2}])


def as_user(user_id: int | None) -> Context:
    """A request's context for a caller (None: anonymous), as the HTTP boundary makes it."""
    if user_id is None:
        return Context()
    return Context(principal=Principal(user_id=user_id, access_token={"id": f"t{user_id}"}))
