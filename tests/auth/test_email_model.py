"""The Email model through the registry (`app.registry.get_model("Email")`), listed in
model-config or not, sending through its mail data source to a real local SMTP server, replaced by
a boot script or a model module (sync or async); and a model's events (`Model.on`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime.app import LoopBackApp
from runtime.auth.user_methods.mail_flows import issue_reset_token
from runtime.events import Events
from runtime.mail.model import EmailModel, deliver
from runtime.model import Model
from tests.auth.mail_app import make_app, next_message, smtp_server
from tests.auth.test_mail import Mailbox
from tests.specgen.appdir import load_ok, write_app

ORACLE = json.loads(
    (Path(__file__).parents[1] / "oracle" / "lb3-3.28" / "mail-flows.json").read_text("utf-8")
)
MESSAGE = {
    "to": "ann@example.com",
    "from": "noreply@shop.example",
    "subject": "Hello",
    "text": "plain",
    "html": "<b>rich</b>",
}

WRAPPING_BOOT = """
def setup(app):
    email = app.registry.get_model("Email")
    original = email.send

    async def send(message):          # an app's replacement that logs, then sends as before
        app.sent.append(message["subject"])
        return await original(message)

    app.sent = []
    email.send = send
"""

MY_EMAIL_MODULE = """
def setup(MyEmail):
    def send(message):            # sync, as an LB3 app's Email.send replacement may be
        MyEmail.app.outbox.append(message["subject"])
        return "queued"

    MyEmail.app.outbox = []
    MyEmail.send = send
"""
MY_EMAIL = json.dumps({"name": "MyEmail", "base": "Email", "properties": {}})


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Mailbox, int]]:
    yield from smtp_server()


@pytest.fixture
def mailbox(smtp: tuple[Mailbox, int]) -> Mailbox:
    box = smtp[0]
    box.messages.clear()
    return box


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory, smtp: tuple[Mailbox, int]) -> Any:
    """Email and MyEmail (based on it, its module replacing send) on the mail data source, and a
    boot script wrapping Email.send."""
    return make_app(
        tmp_path_factory.mktemp("email"),
        "listed",
        smtp_port=smtp[1],
        email_config={"dataSource": "mailer"},
        files={
            "boot/mail.py": WRAPPING_BOOT,
            "models/my-email.json": MY_EMAIL,
            "models/my-email.py": MY_EMAIL_MODULE,
        },
        attach={"MyEmail": {"dataSource": "mailer"}},
    )


@pytest.fixture(scope="module")
def unlisted(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Email not in model-config, MyEmail on the database's data source."""
    return make_app(
        tmp_path_factory.mktemp("email"),
        "unlisted",
        smtp_port=None,
        files={"models/my-email.json": MY_EMAIL},
        attach={"MyEmail": {"dataSource": "db"}},
        member=ORACLE["verification_required"]["settings"],
    )


def build(package: Any) -> LoopBackApp:
    app: LoopBackApp = package.create_app(db_url="sqlite://")
    return app


async def test_the_listed_email_model_sends_through_its_mail_data_source(
    listed: Any, mailbox: Mailbox
) -> None:
    app = build(listed)
    email = app.registry.get_model("Email")
    assert isinstance(email, EmailModel) and email.datasource == "mailer"
    info = await deliver(email, MESSAGE)  # the boot script's replacement, then the built-in send
    got = await next_message(mailbox)
    assert got.rcpt_tos == ["ann@example.com"]
    assert got.message["Subject"] == "Hello"
    assert info["accepted"] == ["ann@example.com"]
    assert app.sent == ["Hello"]  # type: ignore[attr-defined]
    assert app.registry.get_model("Member") is app.models["Member"]


async def test_a_model_module_replaces_send_of_a_model_based_on_email(
    listed: Any, mailbox: Mailbox
) -> None:
    app = build(listed)
    my = app.registry.get_model("MyEmail")
    assert isinstance(my, EmailModel) and my.datasource == "mailer"
    assert await deliver(my, MESSAGE) == "queued"  # its module's sync replacement
    assert app.outbox == ["Hello"]  # type: ignore[attr-defined]
    assert mailbox.messages == []


async def test_an_unlisted_email_model_is_there_and_logs_instead_of_sending(
    unlisted: Any, mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="lb3py.mail"):
        app = build(unlisted)
    # MyEmail on a database: LB3 would throw on send; here it says so at start-up
    assert 'model MyEmail: data source "db" is not a mail data source' in caplog.text
    email = app.registry.get_model("Email")
    assert isinstance(email, EmailModel) and email.datasource is None
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="lb3py.mail"):
        answer = await email.send(MESSAGE)
    assert answer == MESSAGE  # unsent, as LB3's mail connector answers without a transport
    assert "not attached to a mail data source" in caplog.text
    assert mailbox.messages == []


def test_get_model_answers_lb3s_error_for_an_unknown_model(unlisted: Any) -> None:
    app = build(unlisted)
    with pytest.raises(LookupError, match="Model not found: Nope"):
        app.registry.get_model("Nope")
    assert app.registry.find_model("Nope") is None


def test_a_stored_model_on_a_mail_data_source_is_a_warning(tmp_path: Path) -> None:
    root = write_app(
        tmp_path,
        [{"name": "Note", "properties": {"title": "string"}}],
        attach={"Note": {"dataSource": "mailer", "public": True}},
        datasources={"db": {"connector": "memory"}, "mailer": {"connector": "mail"}},
    )
    _, problems = load_ok(root)
    messages = [p.message for p in problems]
    assert any('data source "mailer" only sends mail' in m for m in messages), messages
    assert not any('connector "mail" is not served' in m for m in messages)


# ---- events -----------------------------------------------------------------------------------


async def test_listeners_sync_and_async_in_order() -> None:
    events = Events("Member")
    seen: list[Any] = []

    def first(info: dict[str, Any]) -> None:
        seen.append(("sync", info["email"]))

    async def second(info: dict[str, Any]) -> None:
        seen.append(("async", info["email"]))

    events.on("resetPasswordRequest", first)
    events.on("resetPasswordRequest", second)
    assert await events.emit("resetPasswordRequest", {"email": "a@example.com"})
    assert seen == [("sync", "a@example.com"), ("async", "a@example.com")]
    assert not await events.emit("other", {})
    events.remove_listener("resetPasswordRequest", first)
    assert events.listeners("resetPasswordRequest") == [second]


async def test_emit_after_runs_later_and_logs_a_failing_listener(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events = Events("Member")
    seen: list[str] = []

    async def fails(info: str) -> None:
        raise RuntimeError("smtp down")

    def records(info: str) -> None:
        seen.append(info)

    events.on("ok", records)
    events.on("bad", fails)
    assert events.emit_after("ok", "x") and events.emit_after("bad", "y")
    assert seen == []  # not before the caller yields
    assert not events.emit_after("nobody", "z")
    with caplog.at_level(logging.ERROR, logger="runtime.events"):
        await events.settle()
    assert seen == ["x"]
    assert "'bad' listener of Member failed" in caplog.text


def test_a_model_registers_listeners_with_on(unlisted: Any) -> None:
    app = build(unlisted)
    member: Model = app.models["Member"]
    member.on("resetPasswordRequest", print)
    assert member.events.listeners("resetPasswordRequest") == [print]
    with pytest.raises(TypeError):
        member.on("resetPasswordRequest", "not callable")  # type: ignore[arg-type]


# ---- the flows from Python, with the model's settings (LB3's verification_required probe) -------


async def test_verify_from_python_with_the_models_options_and_a_mailer_of_its_own(
    unlisted: Any,
) -> None:
    app = build(unlisted)
    member: Any = app.models["Member"]  # with the User methods setup_user_model assigned
    assert (
        member.get_verify_options() == ORACLE["verification_required"]["settings"]["verifyOptions"]
    )
    user = await member.create({"email": "ann@example.com", "password": "secret"})
    sent: list[dict[str, Any]] = []

    class Mailer:
        @staticmethod
        async def send(message: dict[str, Any]) -> str:
            sent.append(message)
            return "sent"

    options = {**member.get_verify_options(), "mailer": Mailer, "templateFn": lambda o: "<p/>"}
    answer = await member.prototype.verify(user, options)
    [message] = sent
    token = answer["token"]
    assert answer == {"email": "sent", "token": token, "uid": user["id"]}
    href = f"http://localhost:3000/api/Members/confirm?uid={user['id']}&redirect=%2Fwelcome&token={token}"
    # LB3 recorded: "Open http://<host>:<port>/api/Members/confirm?uid=1&redirect=%2Fwelcome&token=.. now"
    assert message["text"] == f"Open {href} now"
    assert (message["from"], message["to"], message["subject"]) == (
        "shop@example.com",
        "ann@example.com",
        "Welcome",
    )
    assert message["html"] == "<p/>" and message["verifyHref"] == href
    assert message["user"] == user


async def test_reset_tokens_only_for_verified_addresses_when_the_model_requires_it(
    unlisted: Any,
) -> None:
    app = build(unlisted)
    member = app.models["Member"]
    user = await member.create({"email": "ann@example.com", "password": "secret"})
    assert await issue_reset_token(member, {"email": "ann@example.com"}) is None  # LB3: 401
    await member.update_all({"id": user["id"]}, {"emailVerified": True})
    assert await issue_reset_token(member, {"email": "ann@example.com", "realm": "x"}) is None
    operator = {"email": "ann@example.com", "realm": {"neq": ""}}
    assert await issue_reset_token(member, operator) is None  # never an operator in the where
    info = await issue_reset_token(member, {"email": "ann@example.com"})
    assert info is not None
    assert (info["accessToken"]["ttl"], info["accessToken"]["scopes"]) == (60, ["reset-password"])
