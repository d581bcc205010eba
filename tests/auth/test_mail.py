"""The mail connector and Email.send against a real local SMTP server (aiosmtpd) on this branch's
ports: plain, AUTH, STARTTLS and implicit TLS (certificates from trustme)."""

from __future__ import annotations

import email
import email.policy
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from runtime.mail import Email, InvalidMessage, MailError, read_mail_settings
from tests.serving import free_port

# chosen per process: two runs (or two xdist workers) on one machine must not share a port
PORT = free_port()
TLS_PORT = free_port()


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool
    login: str | None


@dataclass
class Mailbox:
    """What the SMTP server accepted."""

    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        login = session.auth_data.login.decode() if session.auth_data else None
        self.messages.append(
            Received(
                str(envelope.mail_from),
                list(envelope.rcpt_tos),
                parsed,
                session.ssl is not None,
                login,
            )
        )
        return "250 Message accepted for delivery"


def authenticator(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"mailer", b"pw")
    # handled=False: the server answers 235 or 535 itself
    return AuthResult(success=ok, handled=False, auth_data=data if ok else None)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


def serve(mailbox: Mailbox, port: int, **kwargs: Any) -> Iterator[Mailbox]:
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    yield from serve(Mailbox(), PORT)


@pytest.fixture
def smtp_auth(server_tls: ssl.SSLContext) -> Iterator[Mailbox]:
    """AUTH required, STARTTLS offered (and required before AUTH, as real servers do)."""
    yield from serve(
        Mailbox(),
        PORT,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
        tls_context=server_tls,
    )


@pytest.fixture
def smtps(server_tls: ssl.SSLContext) -> Iterator[Mailbox]:
    """TLS from the first byte (port 465 style)."""
    yield from serve(Mailbox(), TLS_PORT, ssl_context=server_tls)


def email_for(transport: dict[str, Any]) -> Email:
    settings, warnings = read_mail_settings({"connector": "mail", "transports": [transport]})
    assert warnings == []
    return Email(settings)


MESSAGE = {
    "to": "Zoë <zoe@example.com>",
    "from": "noreply@shop.example",
    "subject": "Verify your e-mail — Café",
    "text": "Open https://shop.example/verify?token=abc to verify.",
    "html": '<p>Click <a href="https://shop.example/verify?token=abc">here</a> ✓</p>',
}


async def test_text_and_html_arrive_as_alternatives(smtp: Mailbox) -> None:
    mailer = email_for({"type": "smtp", "host": "127.0.0.1", "port": PORT, "ignoreTLS": True})
    info = await mailer.send(MESSAGE)
    [got] = smtp.messages
    assert got.mail_from == "noreply@shop.example"
    assert got.rcpt_tos == ["zoe@example.com"]
    msg = got.message
    assert msg["To"] == "Zoë <zoe@example.com>"
    assert msg["From"] == "noreply@shop.example"
    assert msg["Subject"] == "Verify your e-mail — Café"
    assert msg["Message-ID"] == info["messageId"]
    assert msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert text.get_content().strip() == MESSAGE["text"]
    assert html.get_content().strip() == MESSAGE["html"]
    assert info["accepted"] == ["zoe@example.com"]
    assert info["rejected"] == []
    assert info["envelope"] == {"from": "noreply@shop.example", "to": ["zoe@example.com"]}
    assert "250" in info["response"] or "accepted" in info["response"]


async def test_text_only_cc_bcc_reply_to_and_headers(smtp: Mailbox) -> None:
    mailer = email_for({"type": "smtp", "host": "127.0.0.1", "port": PORT})
    await mailer.send(
        {
            "to": ["a@example.com", "b@example.com"],
            "cc": "c@example.com",
            "bcc": "hidden@example.com",
            "replyTo": "support@shop.example",
            "from": "Shop <noreply@shop.example>",
            "subject": "Plain",
            "text": "only text",
            "headers": {"X-Shop-Order": "42"},
        }
    )
    [got] = smtp.messages
    assert sorted(got.rcpt_tos) == sorted(
        ["a@example.com", "b@example.com", "c@example.com", "hidden@example.com"]
    )
    msg = got.message
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content().strip() == "only text"
    assert msg["Cc"] == "c@example.com"
    assert msg["Bcc"] is None  # the blind copy is in the envelope only
    assert msg["Reply-To"] == "support@shop.example"
    assert msg["X-Shop-Order"] == "42"
    assert got.tls is False and got.login is None


async def test_auth_after_starttls(smtp_auth: Mailbox, ca: trustme.CA) -> None:
    pem = ca.cert_pem.bytes().decode()
    mailer = email_for(
        {
            "type": "smtp",
            "host": "127.0.0.1",
            "port": PORT,
            "auth": {"user": "mailer", "pass": "pw"},
            "tls": {"ca": pem},
        }
    )
    await mailer.send(MESSAGE)
    [got] = smtp_auth.messages
    assert got.tls is True  # STARTTLS, taken because the server offered it
    assert got.login == "mailer"


async def test_wrong_credentials_are_a_mail_error(smtp_auth: Mailbox, ca: trustme.CA) -> None:
    mailer = email_for(
        {
            "type": "smtp",
            "host": "127.0.0.1",
            "port": PORT,
            "auth": {"user": "mailer", "pass": "wrong"},
            "tls": {"ca": ca.cert_pem.bytes().decode()},
        }
    )
    with pytest.raises(MailError) as caught:
        await mailer.send(MESSAGE)
    assert caught.value.body()["error"]["code"] == "EMAIL_NOT_SENT"
    assert smtp_auth.messages == []


async def test_implicit_tls(smtps: Mailbox, ca: trustme.CA) -> None:
    mailer = email_for(
        {
            "type": "smtp",
            "host": "127.0.0.1",
            "port": TLS_PORT,
            "secure": True,
            "tls": {"ca": ca.cert_pem.bytes().decode()},
        }
    )
    await mailer.send(MESSAGE)
    [got] = smtps.messages
    assert got.message["Subject"] == MESSAGE["subject"]


async def test_an_untrusted_certificate_is_refused_unless_told_otherwise(smtps: Mailbox) -> None:
    transport = {"type": "smtp", "host": "127.0.0.1", "port": TLS_PORT, "secure": True}
    with pytest.raises(MailError):
        await email_for(transport).send(MESSAGE)
    assert smtps.messages == []
    await email_for({**transport, "tls": {"rejectUnauthorized": False}}).send(MESSAGE)
    assert len(smtps.messages) == 1


async def test_transport_is_picked_by_alias(smtp: Mailbox, smtps: Mailbox) -> None:
    settings, _ = read_mail_settings(
        {
            "transports": [
                {"type": "smtp", "host": "127.0.0.1", "port": PORT},
                {
                    "type": "smtp",
                    "alias": "secure",
                    "host": "127.0.0.1",
                    "port": TLS_PORT,
                    "secure": True,
                    "tls": {"rejectUnauthorized": False},
                },
            ]
        }
    )
    mailer = Email(settings)
    await mailer.send({**MESSAGE, "transport": "secure"})
    await mailer.send(MESSAGE)
    await mailer.send({**MESSAGE, "transport": "unknown"})  # LB3: the first one
    assert (len(smtps.messages), len(smtp.messages)) == (1, 2)


async def test_unreachable_server_is_a_mail_error() -> None:
    mailer = email_for(
        {"type": "smtp", "host": "127.0.0.1", "port": 4179, "connectionTimeout": 2000}
    )
    with pytest.raises(MailError, match="Email could not be sent"):
        await mailer.send(MESSAGE)


async def test_no_transport_answers_the_message_unsent_as_lb3(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert await Email().send(MESSAGE) == MESSAGE
    assert "No email transport" in caplog.text


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ({"from": "a@example.com", "subject": "x"}, "`to` is required"),
        ({"to": "a@example.com", "subject": "x"}, "`from` is required"),
        ({**MESSAGE, "subject": "Hi\r\nBcc: victim@example.com"}, "cannot be sent"),
        ({**MESSAGE, "to": "a@example.com\r\nBcc: victim@example.com"}, "line break"),
        ({**MESSAGE, "to": "not an address"}, "not an e-mail address"),
    ],
)
async def test_bad_messages_are_refused_before_sending(
    message: dict[str, Any], problem: str
) -> None:
    with pytest.raises(InvalidMessage, match=problem) as caught:
        await email_for({"type": "smtp", "port": 4179}).send(message)
    assert caught.value.status == 400


def test_settings_as_lb3_reads_them() -> None:
    settings, warnings = read_mail_settings(
        {
            "transport": {
                "type": "SMTP",
                "host": "smtp.example.com",
                "secure": True,
                "auth": {"user": "u", "pass": "hunter2-secret"},
                "tls": {"rejectUnauthorized": False, "ciphers": "SSLv3"},
            }
        }
    )
    [smtp] = settings.transports
    assert (smtp.host, smtp.port, smtp.secure, smtp.user, smtp.password) == (
        "smtp.example.com",
        465,
        True,
        "u",
        "hunter2-secret",
    )
    assert smtp.reject_unauthorized is False
    assert "hunter2" not in repr(smtp)  # no password in logs
    assert warnings == [
        "datasources.json/transports/0/tls/ciphers: not supported; the default is used"
    ]
    none, warned = read_mail_settings(
        {"transports": [{"type": "ses"}, {"host": "x"}, {"type": "smtp", "port": 70000}, "x"]}
    )
    assert none.transports == ()
    assert len(warned) == 4
    assert "'ses' is not supported" in warned[0]
    assert "'STUB' is not supported" in warned[1]
    assert "out of range" in warned[2]
    assert read_mail_settings({}) == (read_mail_settings({"transports": []})[0], [])
