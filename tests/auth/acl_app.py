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


def make_app(
    tmp: Path, *, enable_auth: bool = True, name: str = "acl", boot_js: str | None = None
) -> Any:
    """Compile the app into tmp; return the generated package. `boot_js`: the text of a
    boot/authentication.js (LB3's scaffold's, which cannot run here)."""
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
    if boot_js is not None:
        write(app_dir / "boot" / "authentication.js", boot_js)
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


TOKENS = {"a": "A" * 64, "b": "B" * 64, "c": "C" * 64, "admin": "D" * 64}
USER_IDS = {"a": 1, "b": 2, "c": 3, "admin": 4}
SCOPED = "R" * 64  # scopes ["reset-password"]
EXPIRED = "X" * 64  # ttl 1, made 30 s ago

# (who, verb, path, body): the requests tests/oracle/lb3_acl_http.js sends to LB3 3.28 and
# tests/auth/test_acl_http.py to us, in this order (writes change the rows later requests see)
REQUESTS: list[tuple[str | None, str, str, Any]] = [
    (None, "GET", "/Notes", None),
    ("a", "GET", "/Notes", None),
    ("c", "GET", "/Notes", None),  # USER 3 DENY find
    ("c", "GET", "/Notes/1", None),
    (None, "GET", "/Notes/count", None),  # property rule: $everyone ALLOW count
    (None, "GET", "/Notes/1", None),
    ("a", "PATCH", "/Notes/1", {"title": "mine"}),
    ("a", "PATCH", "/Notes/2", {"title": "theirs"}),
    ("a", "PATCH", "/Notes/2?id=1", {"title": "theirs"}),  # only the path's id counts
    ("admin", "PATCH", "/Notes/2", {"title": "admin"}),  # admin through RoleMapping
    ("a", "POST", "/Notes", {"title": "new"}),  # $owner needs a row id
    ("a", "DELETE", "/Notes/2", None),
    ("a", "GET", "/Notes/2/owner", None),
    (None, "GET", "/Memos", None),
    ("a", "GET", "/Memos", None),  # aclErrorStatus 403 once a token is valid
    ("b", "GET", "/Memos", None),  # teamMember: the app's resolver
    (None, "GET", "/Members/1", None),
    ("a", "GET", "/Members/1", None),  # User's $owner findById
    ("b", "GET", "/Members/1", None),
    ("a", "GET", "/Members", None),
    (None, "POST", "/Members", {"email": "new@example.com", "password": "secret-2"}),
    (None, "GET", "/Opens", None),  # no ACLs
    ("scoped", "GET", "/Notes", None),
    ("scoped", "GET", "/Opens", None),
    ("a", "GET", "/Opens/whoami", None),
    (None, "GET", "/Opens/mayDeleteNote?id=1", None),
    ("a", "GET", "/Opens/mayDeleteNote?id=1", None),
    ("a", "GET", "/Opens/mayDeleteNote?id=2", None),
    ("admin", "GET", "/Opens/mayDeleteNote?id=2", None),
    ("a", "POST", "/RoleMappings", {"roleId": "1", "principalType": "USER", "principalId": "1"}),
    ("admin", "GET", "/RoleMappings", None),
    ("expired", "GET", "/Notes", None),
    ("expired", "GET", "/Notes", None),  # the row is gone: anonymous
]


def token_of(who: str | None) -> str | None:
    return {"scoped": SCOPED, "expired": EXPIRED}.get(who or "", TOKENS.get(who or ""))


def oracle_cases() -> dict[str, Any]:
    """tests/oracle/lb3-3.28/acl-http-cases.json: what the LB3 recorder needs."""
    cases = []
    for who, verb, path, body in REQUESTS:
        token = token_of(who)
        cases.append({"who": who, "verb": verb, "path": path, "body": body,
                      "headers": {"Authorization": token} if token else {}})  # fmt: skip
    models = {m["name"]: m for m in MODELS.values()}
    return {"models": models, "tokens": TOKENS, "userIds": USER_IDS, "scopedToken": SCOPED,
            "expiredToken": EXPIRED, "cases": cases}  # fmt: skip


if (
    __name__ == "__main__"
):  # python -m tests.auth.acl_app > tests/oracle/lb3-3.28/acl-http-cases.json
    print(json.dumps(oracle_cases(), indent=1))
