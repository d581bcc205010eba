"""User's verify, confirm and resetPassword over HTTP on every backend, mail going to a real local
SMTP server (aiosmtpd): the verification link confirms the account once, a reset mail's token is
stored hashed with only the reset-password scope, the `resetPasswordRequest` listener sees LB3's
info, and Email.send is the boot script's replacement. Statuses and bodies are LB3 3.28's
(tests/oracle/lb3-3.28/mail-flows.json) except where docs/lb3-differences.md says otherwise."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa

from runtime.app import LoopBackApp
from runtime.auth.tokens import hash_token_id
from tests.auth.mail_app import make_app, next_message, smtp_server
from tests.auth.test_mail import Mailbox
from tests.databases import ALL_BACKENDS, TestDatabases
from tests.functional.library import app_on
from tests.http.conftest import empty

ORACLE = json.loads(
    (Path(__file__).parents[1] / "oracle" / "lb3-3.28" / "mail-flows.json").read_text("utf-8")
)
LB3 = ORACLE["default"]["answers"]

# the app's module: a resetPasswordRequest listener that mails the token, as LB3 apps do
MEMBER_MODULE = """
def setup(Member):
    async def send_reset(info):
        Member.app.reset_requests.append(info)
        email = Member.app.registry.get_model("Email")
        await email.send({
            "to": info["email"],
            "from": "noreply@example.com",
            "subject": "Password reset",
            "text": "Your reset token: " + info["accessToken"]["id"],
        })

    Member.app.reset_requests = []
    Member.on("resetPasswordRequest", send_reset)
"""

# the boot script: ACLs enforced (LB3's scaffold), Email.send replaced by one that records, then
# sends as before
BOOT = """
def setup(app):
    app.enable_auth()
    email = app.registry.get_model("Email")
    original = email.send

    async def send(message):
        app.outbox.append(message["subject"])
        return await original(message)

    app.outbox = []
    email.send = send
"""


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Mailbox, int]]:
    yield from smtp_server()


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory, smtp: tuple[Mailbox, int]) -> Any:
    return make_app(
        tmp_path_factory.mktemp("flows"),
        "flows",
        smtp_port=smtp[1],
        email_config={"dataSource": "mailer"},
        files={"models/member.py": MEMBER_MODULE, "boot/mail.py": BOOT},
    )


@pytest.fixture(scope="module", params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
async def served(
    package: Any, backend: str, databases: TestDatabases
) -> AsyncIterator[tuple[LoopBackApp, sa.Engine]]:
    async with app_on(package.create_app, backend, databases) as pair:
        yield pair


@pytest.fixture
async def app(served: tuple[LoopBackApp, sa.Engine]) -> AsyncIterator[LoopBackApp]:
    """The backend's app, every table empty, id counters at 1, nothing recorded."""
    application, engine = served
    empty(application, engine)
    application.outbox.clear()  # type: ignore[attr-defined]
    application.reset_requests.clear()  # type: ignore[attr-defined]
    yield application
    await application.models["Member"].events.settle()


@pytest.fixture
def mailbox(smtp: tuple[Mailbox, int]) -> Mailbox:
    box = smtp[0]
    box.messages.clear()
    return box


@pytest.fixture
async def client(app: LoopBackApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3000/api") as c:
        yield c


async def new_member(client: httpx.AsyncClient, email: str = "ann@example.com") -> Any:
    response = await client.post("/Members", json={"email": email, "password": "secret"})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def link_in(text: str) -> str:
    found = re.search(r"http://\S+", text)
    assert found, text
    return found.group(0)


async def email_verified(app: LoopBackApp, uid: Any) -> Any:
    member = await app.models["Member"].find_by_id(uid)
    assert member is not None
    return member.get("emailVerified")


async def verification_token(client: httpx.AsyncClient, mailbox: Mailbox, uid: Any) -> str:
    """Ask for the verification mail; the token its link carries."""
    assert (await client.post(f"/Members/{uid}/verify")).status_code == 204
    text = (await next_message(mailbox)).message.get_body(preferencelist=("plain",))
    assert text is not None
    return parse_qs(urlsplit(link_in(text.get_content())).query)["token"][0]


# ---- verify and confirm ---------------------------------------------------------------------------


async def test_verify_mails_a_link_that_confirms_the_account_once(
    app: LoopBackApp, client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    uid = await new_member(client)
    response = await client.post(f"/Members/{uid}/verify")
    assert (response.status_code, response.text) == (LB3["verify"]["status"], "")
    got = await next_message(mailbox)
    msg = got.message
    assert (got.mail_from, got.rcpt_tos) == ("noreply@example.com", ["ann@example.com"])
    assert msg["Subject"] == "Thanks for Registering"  # LB3's defaults
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    body = text.get_content().replace("\r\n", "\n")
    assert body.startswith("Please verify your email by opening this link in a web browser:\n\t")
    link = link_in(body)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "http",
        "localhost:3000",
        "/api/Members/confirm",
    )
    query = parse_qs(parts.query)
    assert query["uid"] == [str(uid)] and query["redirect"] == ["/"]
    token = query["token"][0]
    assert re.fullmatch(r"[0-9a-f]{128}", token)
    assert "<h1>Thank You</h1>" in html.get_content()
    assert link.replace("&", "&amp;") in html.get_content()
    assert app.outbox == ["Thanks for Registering"]  # type: ignore[attr-defined]

    assert await email_verified(app, uid) in (None, False)
    confirmed = await client.get(f"{parts.path.removeprefix('/api')}?{parts.query}")
    assert (confirmed.status_code, confirmed.headers["location"], confirmed.text) == (302, "/", "")
    assert await email_verified(app, uid) is True
    again = await client.get(f"{parts.path.removeprefix('/api')}?{parts.query}")
    assert again.status_code == 400
    assert again.json() == {
        "error": {
            "statusCode": 400,
            "name": "Error",
            "message": f"Invalid token: {token}",
            "code": "INVALID_TOKEN",
        }
    }


async def test_confirm_without_redirect_answers_204(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    uid = await new_member(client)
    token = await verification_token(client, mailbox, uid)
    response = await client.get("/Members/confirm", params={"uid": uid, "token": token})
    assert (response.status_code, response.text) == (204, "")


async def test_the_link_names_the_port_the_server_listens_on(
    app: LoopBackApp, mailbox: Mailbox
) -> None:
    """As LB3's app.listen sets `port`: config.json says 3000, this server listens on 4321."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:4321/api") as c:
        uid = await new_member(c)
        assert (await c.post(f"/Members/{uid}/verify")).status_code == 204
    text = (await next_message(mailbox)).message.get_body(preferencelist=("plain",))
    assert text is not None
    assert urlsplit(link_in(text.get_content())).netloc == "localhost:4321"


async def test_confirm_redirects_only_to_the_app_itself(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    uid = await new_member(client)
    token = await verification_token(client, mailbox, uid)
    for foreign in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        refused = await client.get(
            "/Members/confirm", params={"uid": uid, "token": token, "redirect": foreign}
        )
        assert refused.status_code == 400, foreign
        assert refused.json()["error"]["code"] == "INVALID_REDIRECT"
    # the token was not spent by the refused attempts; the app's own origin is fine
    own = "http://localhost:3000/welcome?x=ü"
    response = await client.get(
        "/Members/confirm", params={"uid": uid, "token": token, "redirect": own}
    )
    assert response.status_code == 302
    assert response.headers["location"] == "http://localhost:3000/welcome?x=%C3%BC"


@pytest.mark.parametrize(
    ("step", "query"),
    [
        ("confirm_wrong", {"uid": "1", "token": "wrong"}),
        ("confirm_missing_user", {"uid": "99", "token": "x"}),
        ("confirm_no_token", {"uid": "1"}),
        ("confirm_no_uid", {"token": "x"}),
        ("confirm_empty_token", {"uid": "1", "token": ""}),
    ],
)
async def test_confirm_refusals_are_lb3s(
    client: httpx.AsyncClient, step: str, query: dict[str, str]
) -> None:
    assert await new_member(client) == 1
    response = await client.get("/Members/confirm", params=query)
    assert (response.status_code, response.json()) == (LB3[step]["status"], LB3[step]["body"])


@pytest.mark.parametrize("uid", ["abc", "1.5", "99999999999999999999999"])
async def test_confirm_of_an_id_no_user_can_have_is_not_found(
    client: httpx.AsyncClient, uid: str
) -> None:
    response = await client.get("/Members/confirm", params={"uid": uid, "token": "x"})
    assert response.status_code == 404
    assert response.json()["error"] == {**LB3["confirm_missing_user"]["body"]["error"],
                                        "message": f"User not found: {uid}"}  # fmt: skip


async def test_verify_of_an_unknown_user_is_lb3s_404(client: httpx.AsyncClient) -> None:
    response = await client.post("/Members/99/verify")
    expected = LB3["verify_missing"]
    assert (response.status_code, response.json()) == (expected["status"], expected["body"])


# ---- resetPassword --------------------------------------------------------------------------------


async def test_reset_issues_a_hashed_one_scope_token_and_tells_the_listener(
    app: LoopBackApp, client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    uid = await new_member(client)
    body = {"email": "ann@example.com", "extra": 1}
    response = await client.post("/Members/reset", json=body)
    assert (response.status_code, response.text) == (LB3["reset_known"]["status"], "")
    got = await next_message(mailbox)
    await app.models["Member"].events.settle()
    [info] = app.reset_requests  # type: ignore[attr-defined]
    lb3_info = ORACLE["restricted_scope"]["resetPasswordRequest"]
    assert sorted(info) == lb3_info["keys"]
    assert info["email"] == "ann@example.com"
    assert (
        info["options"] == body
    )  # the request's body (LB3's authorizer also adds authorizedRoles)
    assert info["user"]["id"] == uid and "password" not in info["user"]
    token = info["accessToken"]
    assert set(lb3_info["tokenKeys"]) <= set(token)
    assert (token["ttl"], token["scopes"], token["userId"]) == (900, ["reset-password"], uid)
    assert re.fullmatch(r"[A-Za-z0-9]{64}", token["id"])
    assert got.message["Subject"] == "Password reset"
    assert got.message.get_content().strip() == f"Your reset token: {token['id']}"
    rows = await app.models["AccessToken"].find({"where": {"userId": uid}})
    assert [r["id"] for r in rows] == [hash_token_id(token["id"])]  # never the raw id
    assert rows[0]["scopes"] == ["reset-password"]


async def test_reset_of_an_unknown_address_answers_the_same_and_sends_nothing(
    app: LoopBackApp, client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await new_member(client)
    response = await client.post("/Members/reset", json={"email": "nobody@example.com"})
    # LB3 answers 404 EMAIL_NOT_FOUND: which addresses have accounts would show
    assert LB3["reset_unknown"]["status"] == 404
    assert (response.status_code, response.text) == (204, "")
    await app.models["Member"].events.settle()
    assert app.reset_requests == []  # type: ignore[attr-defined]
    assert await app.models["AccessToken"].count() == 0
    assert mailbox.messages == []


@pytest.mark.parametrize(
    ("step", "body"),
    [
        ("reset_empty", {}),
        ("reset_nonstring", {"email": {"neq": ""}}),
        ("reset_badpw", {"email": "ann@example.com", "password": 5}),
    ],
)
async def test_reset_refusals_are_lb3s(
    client: httpx.AsyncClient, step: str, body: dict[str, Any]
) -> None:
    response = await client.post("/Members/reset", json=body)
    assert (response.status_code, response.json()) == (LB3[step]["status"], LB3[step]["body"])


async def test_the_reset_mails_token_sets_the_password_once(
    app: LoopBackApp, client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await new_member(client)
    assert (
        await client.post("/Members/reset", json={"email": "ann@example.com"})
    ).status_code == 204
    text = (await next_message(mailbox)).message.get_content().strip()
    token = text.removeprefix("Your reset token: ")
    headers = {"Authorization": token}
    # the reset token opens nothing else (LB3's restricted scope, always on here)
    assert (await client.get("/Members/1", headers=headers)).status_code == 401
    response = await client.post(
        "/Members/reset-password", json={"newPassword": "n3w secret"}, headers=headers
    )
    assert (response.status_code, response.text) == (204, "")
    login = await client.post(
        "/Members/login", json={"email": "ann@example.com", "password": "n3w secret"}
    )
    assert login.status_code == 200, login.text
    again = await client.post(
        "/Members/reset-password", json={"newPassword": "other"}, headers=headers
    )
    assert again.status_code == 401  # spent (LB3: 204, the token stays valid)
    old = await client.post(
        "/Members/login", json={"email": "ann@example.com", "password": "secret"}
    )
    assert old.status_code == 401
