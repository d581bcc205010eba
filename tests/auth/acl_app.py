"""A small app for the HTTP tests of the caller and of ACL enforcement: a User-based `Member`, LB3's
AccessToken (its `user` the Member), Role/RoleMapping/ACL, `Note` with the oracle's Note rules
(tests/oracle/lb3_acl_oracle.js: `$everyone` DENY, `$authenticated` READ, `$owner` WRITE through the
`owner` belongsTo, `admin` ALLOW), `Open` with no ACLs and a remote method `whoami` that answers what
the caller is, and `boot/auth.py` calling `app.enable_auth()` when asked for."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from runtime.app import LoopBackApp
from runtime.auth.tokens import hash_token_id
from runtime.context import Context
from specgen.cli import compile_app, load_generated
from specgen.render import write_package

COOKIE_SECRET = "kitten-secret"

NOTE_ACLS = [
    {"principalType": "ROLE", "principalId": "$everyone", "permission": "DENY"},
    {"principalType": "ROLE", "principalId": "$authenticated", "permission": "ALLOW",
     "accessType": "READ"},
    {"principalType": "ROLE", "principalId": "$owner", "permission": "ALLOW", "accessType": "WRITE"},
    {"principalType": "ROLE", "principalId": "admin", "permission": "ALLOW"},
    {"principalType": "ROLE", "principalId": "$everyone", "permission": "ALLOW",
     "property": "count"},
    {"principalType": "USER", "principalId": "3", "permission": "DENY", "property": "find"},
]  # fmt: skip

MEMO_ACLS = [
    {"principalType": "ROLE", "principalId": "$everyone", "permission": "DENY"},
    {"principalType": "ROLE", "principalId": "teamMember", "permission": "ALLOW",
     "accessType": "READ"},
]  # fmt: skip

MODELS: dict[str, Any] = {
    "member": {"name": "Member", "base": "User", "properties": {"nickname": "string"}},
    "note": {
        "name": "Note",
        "base": "PersistedModel",
        "properties": {"title": "string", "ownerId": "number"},
        "relations": {"owner": {"type": "belongsTo", "model": "Member", "foreignKey": "ownerId"}},
        "acls": NOTE_ACLS,
    },
    "memo": {
        "name": "Memo",
        "base": "PersistedModel",
        "properties": {"text": "string", "team": "string"},
        "acls": MEMO_ACLS,
        "options": {"aclErrorStatus": 403},
    },
    "open": {
        "name": "Open",
        "base": "PersistedModel",
        "properties": {"label": "string"},
        "methods": {
            "whoami": {
                "accepts": [{"arg": "options", "type": "object", "http": "optionsFromRequest"}],
                "returns": {"arg": "data", "type": "object", "root": True},
                "http": {"verb": "get"},
            },
            "mayDeleteNote": {
                "accepts": [
                    {"arg": "id", "type": "number", "required": True},
                    {"arg": "options", "type": "object", "http": "optionsFromRequest"},
                ],
                "returns": {"arg": "allowed", "type": "boolean"},
                "http": {"verb": "get"},
            },
        },
    },
}

OPEN_MODULE = """
def setup(Open):
    def whoami(options):
        token = options.access_token
        return {
            "userId": options.user_id,
            "tokenId": token["id"] if token else None,
            "scopes": options.principal.scopes,
            "userModel": options.principal.user_model,
        }

    async def may_delete_note(id, options):
        Note = Open.app.models["Note"]
        return await Note.check_access(options, "deleteById", id)

    Open.whoami = whoami
    Open.mayDeleteNote = may_delete_note
"""

BOOT = """
def setup(app):
    app.enable_auth()

    def team_member(role, actx):  # LB3's Role.registerResolver("teamMember", fn)
        return actx.user_id is not None and str(actx.user_id) == "2"

    app.models["Role"].register_resolver("teamMember", team_member)
"""


def write(path: Path, content: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")


def make_app(tmp: Path, *, enable_auth: bool = True, name: str = "acl") -> Any:
    """Compile the app into tmp; return the generated package."""
    app_dir = tmp / name
    config = {
        "_meta": {"sources": ["./models"]},
        "Member": {"dataSource": "db", "public": True},
        "AccessToken": {
            "dataSource": "db",
            "public": False,
            "relations": {"user": {"type": "belongsTo", "model": "Member", "foreignKey": "userId"}},
        },
        "Role": {"dataSource": "db", "public": False},
        "RoleMapping": {"dataSource": "db", "public": True},
        "ACL": {"dataSource": "db", "public": False},
        "Note": {"dataSource": "db", "public": True},
        "Memo": {"dataSource": "db", "public": True},
        "Open": {"dataSource": "db", "public": True},
    }
    write(app_dir / "model-config.json", config)
    write(app_dir / "datasources.json", {"db": {"name": "db", "connector": "memory"}})
    write(app_dir / "config.json", {"restApiRoot": "/api", "cookieSecret": COOKIE_SECRET})
    for stem, model in MODELS.items():
        write(app_dir / "models" / f"{stem}.json", model)
    write(app_dir / "models" / "open.py", OPEN_MODULE)
    if enable_auth:
        write(app_dir / "boot" / "auth.py", BOOT)
    out = tmp / "gen" / f"pkg_{name}"
    _, files, _ = compile_app(app_dir, out)
    write_package(files, out)
    return load_generated(out)


async def add_token(
    app: LoopBackApp,
    raw: str,
    user_id: Any,
    *,
    ttl: int = 1209600,
    age: float = 0,
    scopes: list[str] | None = None,
) -> None:
    """A token row as helper #3's login stores it: the id hashed, `created` `age` seconds ago."""
    created = datetime.now(UTC) - timedelta(seconds=age)
    row: dict[str, Any] = {"id": hash_token_id(raw), "userId": user_id, "ttl": ttl,
                           "created": created.isoformat()}  # fmt: skip
    if scopes is not None:
        row["scopes"] = scopes
    await app.models["AccessToken"].create(row, ctx=Context.for_system())
