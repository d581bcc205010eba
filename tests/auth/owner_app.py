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
from runtime.context import Context, Principal
from specgen.cli import compile_app, load_generated
from specgen.render import write_package
from tests.functional.test_extensions import _lifespan

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
BUILTINS: dict[str, Any] = {
    "User": {"dataSource": "db", "public": False},
    "AccessToken": {
        "dataSource": "db",
        "public": True,
        "relations": {"user": {"type": "belongsTo", "model": "Member", "foreignKey": "userId"}},
    },
    # public, as in the LB3 probe: ordinary users must still not be able to write them
    **{name: {"dataSource": "db", "public": True} for name in ("ACL", "RoleMapping", "Role")},
}

# docs/auth.md's "A default admin user" boot script, word for word
ADMIN_BOOT = """
import os


async def setup(app):
    \"\"\"LB3's "Creating a default admin user": a user, the Role "admin" and a RoleMapping, once.\"\"\"
    app.enable_auth()
    Member, Role = app.models["Member"], app.models["Role"]
    RoleMapping = app.models["RoleMapping"]
    email = os.environ.get("ADMIN_EMAIL", "carol@example.com")
    admin = await Member.find_one({"where": {"email": email}})
    if admin is None:
        password = os.environ.get("ADMIN_PASSWORD", "secret-pw")
        admin = await Member.create({"email": email, "password": password})
    role = await Role.find_one({"where": {"name": "admin"}})
    if role is None:
        role = await Role.create({"name": "admin"})
    mapping = {"principalType": "USER", "principalId": str(admin["id"]), "roleId": role["id"]}
    if await RoleMapping.count(mapping) == 0:
        await RoleMapping.create(mapping)
"""

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
    (root / "boot").mkdir(exist_ok=True)
    (root / "boot" / "admin.py").write_text(ADMIN_BOOT, "utf-8")
    return root


def build_package(root: Path) -> tuple[Any, dict[str, Any]]:
    """The generated package (its create_app) and its OpenAPI document."""
    app_dir = write_app(root / "owner_app")
    out = root / "gen" / "pkg_owner_app"
    _, files, problems = compile_app(app_dir, out)
    assert not [p for p in problems if p.level == "error"], problems
    write_package(files, out)
    return load_generated(out), yaml.safe_load((out / "openapi.yaml").read_text("utf-8"))


def serving(app: LoopBackApp) -> Any:
    """The app started as a server starts it (its boot scripts run: auth enabled, the admin made)."""
    return _lifespan(app)


async def seed(app: LoopBackApp) -> None:
    """The probe's rows; carol, the third user, is made by boot/admin.py when the app starts."""
    members = app.models["Member"]
    for name in ("alice", "bob"):
        await members.create({"email": f"{name}@example.com", "password": "secret-pw"})
    await app.models["Board"].create(BOARDS)
    await app.models["Note"].create(NOTES)
    await app.models["Secret"].create([{"text": "s1", "boardId": 1}, {"text": "s2", "boardId": 2}])


def as_user(user_id: int | None) -> Context:
    """A request's context for a caller (None: anonymous), as the HTTP boundary makes it."""
    if user_id is None:
        return Context()
    return Context(principal=Principal(user_id=user_id, access_token={"id": f"t{user_id}"}))
