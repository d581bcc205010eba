"""The caller over HTTP: the request's access token read where LB3 reads it, looked up by its hash,
checked for expiry (an expired token is deleted and answered 401 INVALID_TOKEN, as LB3 3.28 does
with auth enabled), and given to remote methods and hooks as `ctx.access_token` / `ctx.user_id`; a
request nothing asks about does no lookup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from runtime.app import LoopBackApp
from runtime.auth.principal import PrincipalResolver
from runtime.auth.tokens import hash_token_id, sign_cookie
from runtime.context import Context, Principal
from tests.auth.acl_app import COOKIE_SECRET, add_token, make_app
from tests.databases import ALL_BACKENDS, TestDatabases
from tests.functional.library import app_on

TOKEN = "T" * 64
ANONYMOUS = {"userId": None, "tokenId": None, "scopes": None, "userModel": None}
ME = {"userId": 1, "tokenId": TOKEN, "scopes": None, "userModel": "Member"}


@pytest.fixture(scope="module", params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make_app(tmp_path_factory.mktemp("principal"), enable_auth=False, name="principal")


@pytest.fixture(scope="module")
async def served(
    package: Any,
    backend: str,
    databases: TestDatabases,
) -> AsyncIterator[LoopBackApp]:
    async with app_on(package.create_app, backend, databases) as (app, _):
        member = {"email": "a@example.com", "password": "secret-1"}
        await app.models["Member"].create(member, ctx=Context.for_system())
        yield app


@pytest.fixture
async def client(served: LoopBackApp) -> AsyncIterator[httpx.AsyncClient]:
    tokens = served.models["AccessToken"]
    await tokens.destroy_all(ctx=Context.for_system())
    await add_token(served, TOKEN, 1)
    transport = httpx.ASGITransport(app=served)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/api") as http:
        yield http


async def whoami(client: httpx.AsyncClient, **kwargs: Any) -> Any:
    response = await client.get("/Opens/whoami", **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"headers": {"Authorization": TOKEN}},
        {"headers": {"Authorization": f"Bearer {TOKEN}"}},
        {"headers": {"X-Access-Token": TOKEN}},
        {"params": {"access_token": TOKEN}},
        {"cookies": {"access_token": sign_cookie(TOKEN, COOKIE_SECRET)}},
        {"cookies": {"authorization": sign_cookie(TOKEN, COOKIE_SECRET)}},
    ],
    ids=["authorization", "bearer", "x-access-token", "query", "cookie", "cookie-authorization"],
)
async def test_the_token_is_read_where_lb3_reads_it(
    client: httpx.AsyncClient, kwargs: dict[str, Any]
) -> None:
    assert await whoami(client, **kwargs) == ME


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"headers": {"Authorization": "not-a-token"}},
        {"headers": {"Authorization": hash_token_id(TOKEN)}},  # the stored hash is no token
        {"cookies": {"access_token": TOKEN}},  # unsigned
        {"cookies": {"access_token": sign_cookie(TOKEN, "another secret")}},
        {"params": {"access_token": ""}, "headers": {"Authorization": TOKEN}},  # LB3: "" wins
    ],
    ids=["none", "unknown", "the-hash", "unsigned-cookie", "forged-cookie", "empty-query"],
)
async def test_no_usable_token_is_anonymous(
    client: httpx.AsyncClient, kwargs: dict[str, Any]
) -> None:
    assert await whoami(client, **kwargs) == ANONYMOUS


async def test_scopes_and_the_user_model(client: httpx.AsyncClient, served: LoopBackApp) -> None:
    await add_token(served, "S" * 64, 1, scopes=["reset-password"])
    found = await whoami(client, headers={"Authorization": "S" * 64})
    assert found == {**ME, "tokenId": "S" * 64, "scopes": ["reset-password"]}


async def test_an_expired_token_is_deleted_and_refused(
    client: httpx.AsyncClient, served: LoopBackApp
) -> None:
    old = "E" * 64
    await add_token(served, old, 1, ttl=10, age=60)
    response = await client.get("/Opens/whoami", headers={"Authorization": old})
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "statusCode": 401,
            "name": "Error",
            "message": "Invalid Access Token",
            "code": "INVALID_TOKEN",
        }
    }
    tokens = served.models["AccessToken"]
    assert await tokens.find_by_id(hash_token_id(old), ctx=Context.for_system()) is None
    # as in LB3, the next request with it is anonymous: the row is gone
    assert await whoami(client, headers={"Authorization": old}) == ANONYMOUS


async def test_eternal_tokens_need_allow_eternal_tokens(
    client: httpx.AsyncClient, served: LoopBackApp
) -> None:
    await add_token(served, "F" * 64, 1, ttl=-1)
    response = await client.get("/Opens/whoami", headers={"Authorization": "F" * 64})
    assert response.status_code == 401  # Member does not set allowEternalTokens


class CountingResolver(PrincipalResolver):
    def __init__(self, inner: PrincipalResolver) -> None:
        self.__dict__.update(inner.__dict__)
        self.lookups = 0

    async def from_token_id(self, raw: str) -> Principal:
        self.lookups += 1
        return await super().from_token_id(raw)


async def test_nothing_asks_no_lookup(client: httpx.AsyncClient, served: LoopBackApp) -> None:
    """A model without ACLs, hooks or remote methods never reads the token."""
    original = served.principals
    assert original is not None
    counting = served.principals = CountingResolver(original)
    try:
        headers = {"Authorization": TOKEN}
        assert (await client.get("/Opens", headers=headers)).status_code == 200
        assert (
            await client.post("/Opens", json={"label": "x"}, headers=headers)
        ).status_code == 200
        assert counting.lookups == 0
        assert await whoami(client, headers=headers) == ME
        assert counting.lookups == 1
    finally:
        served.principals = original


async def test_hooks_see_the_caller(client: httpx.AsyncClient, served: LoopBackApp) -> None:
    """Remote hooks and operation hooks get the principal, and LB3's `options.accessToken`."""
    seen: list[Any] = []
    model = served.models["Open"]

    def remote(ctx: Context) -> None:
        seen.append(("remote", ctx.user_id, ctx.access_token["id"]))

    def observer(hctx: Any) -> None:
        seen.append(("access", hctx.context.user_id, hctx.options["accessToken"]["id"]))

    model.before_remote("find", remote)
    model.observe("access", observer)
    try:
        response = await client.get("/Opens", headers={"X-Access-Token": TOKEN})
        assert response.status_code == 200
    finally:
        model.remove_observer("access", observer)
    assert seen == [("remote", 1, TOKEN), ("access", 1, TOKEN)]
