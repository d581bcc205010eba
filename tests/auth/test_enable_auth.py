"""How enforcement is turned on: `app.enable_auth()` from a boot script (tests/auth/test_acl_http.py),
or an LB3 app's own boot/authentication.js calling `enableAuth()` (it cannot run; what it says about
auth is honoured, with a start-up line saying so); without either, ACLs are not enforced (as in LB3)
and start-up says which models answer every caller."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.auth.enforce import js_enables_auth
from runtime.context import Context
from tests.auth.acl_app import add_token, make_app
from tests.functional.test_extensions import _lifespan

SCAFFOLD = """'use strict';

module.exports = function enableAuthentication(server) {
  // enable authentication
  server.enableAuth();
};
"""
COMMENTED = """module.exports = function(server) {
  // server.enableAuth();
  /* server.enableAuth({datasource: 'db'}); */
};
"""


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """The app compiled once; each test writes its own boot/authentication.js (read at start-up)."""
    tmp = tmp_path_factory.mktemp("boot_js")
    return make_app(tmp, enable_auth=False, name="boot_js", boot_js=""), tmp / "boot_js"


def with_boot_js(compiled: tuple[Any, Path], text: str) -> Any:
    package, app_dir = compiled
    (app_dir / "boot" / "authentication.js").write_text(text)
    return package


async def test_a_boot_js_that_enables_auth(
    compiled: tuple[Any, Path], caplog: pytest.LogCaptureFixture
) -> None:
    package = with_boot_js(compiled, SCAFFOLD)
    with caplog.at_level(logging.WARNING, logger="runtime"):
        app = package.create_app(db_url="sqlite://")
    assert app.auth.enabled
    assert "boot/authentication.js calls enableAuth(): ACLs are enforced" in caplog.text
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/api") as client:
        assert (await client.get("/Notes")).status_code == 401
        assert (await client.get("/Opens")).status_code == 200
        assert (await client.get("/AccessTokens")).status_code == 404  # public: false


async def test_without_enable_auth_nothing_is_enforced_and_start_up_says_so(
    compiled: tuple[Any, Path], caplog: pytest.LogCaptureFixture
) -> None:
    package = with_boot_js(compiled, COMMENTED)
    app = package.create_app(db_url="sqlite://")
    assert not app.auth.enabled
    assert all(op.guard is None for op in app.operations())
    transport = httpx.ASGITransport(app=app)
    with caplog.at_level(logging.WARNING, logger="runtime"):
        async with (
            _lifespan(app),
            httpx.AsyncClient(transport=transport, base_url="http://t/api") as client,
        ):
            assert (await client.get("/Notes")).status_code == 200
            created = await client.post("/RoleMappings", json={"principalId": "1"})
            assert created.status_code == 200  # as LB3 without enableAuth()
    assert "ACLs are not enforced (no boot script calls app.enable_auth()): " in caplog.text
    assert "RoleMapping are public and auth is not enabled" in caplog.text


def test_only_a_call_counts(tmp_path: Path) -> None:
    boot = tmp_path / "boot"
    boot.mkdir()
    (boot / "a.js").write_text(COMMENTED)
    (boot / "b.js").write_text("app.enableAuthentication = 1;\n")
    assert js_enables_auth(tmp_path) == []
    (boot / "c.js").write_text("module.exports = (app) => app.enableAuth ( );\n")
    assert js_enables_auth(tmp_path) == ["c.js"]


ADMIN_BOOT = """
import os

from runtime.context import Context


async def setup(app):
    ctx = Context.for_system()
    users, roles, mappings = app.models["Member"], app.models["Role"], app.models["RoleMapping"]
    email = os.environ["ADMIN_EMAIL"]
    admin = await users.find_one({"where": {"email": email}}, ctx=ctx)
    if admin is None:
        admin = await users.create({"email": email, "password": os.environ["ADMIN_PASSWORD"]}, ctx=ctx)
    role = await roles.find_one({"where": {"name": "admin"}}, ctx=ctx)
    if role is None:
        role = await roles.create({"name": "admin"}, ctx=ctx)
    link = {"roleId": role["id"], "principalType": "USER", "principalId": str(admin["id"])}
    if await mappings.count(link, ctx=ctx) == 0:
        await mappings.create(link, ctx=ctx)
"""


async def test_the_documented_default_admin(
    compiled: tuple[Any, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/auth.md's "Creating a default admin" boot script, as written there."""
    package = with_boot_js(compiled, SCAFFOLD)
    script = compiled[1] / "boot" / "admin.py"
    script.write_text(ADMIN_BOOT)
    monkeypatch.setenv("ADMIN_EMAIL", "root@example.com")
    monkeypatch.setenv("ADMIN_PASSWORD", "a long passphrase")
    try:
        app = package.create_app(db_url="sqlite://")
    finally:
        script.unlink()
    transport = httpx.ASGITransport(app=app)
    async with (
        _lifespan(app),
        httpx.AsyncClient(transport=transport, base_url="http://t/api") as client,
    ):
        system = Context.for_system()
        admin = await app.models["Member"].find_one({"where": {"email": "root@example.com"}})
        assert admin is not None
        await add_token(app, "Z" * 64, admin["id"])
        await app.models["Note"].create({"title": "x", "ownerId": 99}, ctx=system)
        patched = await client.patch(
            "/Notes/1", json={"title": "y"}, headers={"Authorization": "Z" * 64}
        )
        assert patched.status_code == 200, patched.text
        assert (await client.patch("/Notes/1", json={"title": "z"})).status_code == 401
