"""Delivery over SMTP with aiosmtplib: an asyncio client (a send never blocks the event loop the
server's requests share), maintained, typed, with implicit TLS, STARTTLS and AUTH, which is what
nodemailer's SMTP transport gives LB3 apps. One connection per message: mail here is verification
and password-reset messages, rare enough that a pool would only hold idle sockets."""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from ..errors import LoopBackError
from .settings import SmtpTransport


class MailError(LoopBackError):
    """The SMTP server could not be reached or refused the message (a 500 to the client: the
    request was right, the mail system failed)."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message, code="EMAIL_NOT_SENT")


async def send_message(msg: EmailMessage, transport: SmtpTransport) -> dict[str, Any]:
    """Send MSG; nodemailer's answer shape: `messageId`, `envelope`, `accepted`, `rejected`,
    `response`."""
    tls_context = ssl.create_default_context(cadata=transport.ca)
    if not transport.reject_unauthorized:
        tls_context.check_hostname = False
        tls_context.verify_mode = ssl.CERT_NONE
    if transport.ignore_tls:
        start_tls: bool | None = False
    elif transport.require_tls:
        start_tls = True
    else:
        start_tls = None  # when the server offers it
    recipients = [
        addr.addr_spec
        for header in ("To", "Cc", "Bcc")
        for addr in getattr(msg.get(header), "addresses", ())
    ]
    sender = msg["From"].addresses[0].addr_spec
    try:
        refused, response = await aiosmtplib.send(
            msg,
            hostname=transport.host,
            port=transport.port,
            use_tls=transport.secure,
            start_tls=None if transport.secure else start_tls,
            username=transport.user,
            password=transport.password,
            tls_context=tls_context,
            timeout=transport.timeout,
            local_hostname=transport.client_name,
            sender=sender,
            recipients=recipients,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise MailError(f"Email could not be sent: {exc}") from None
    return {
        "messageId": msg["Message-ID"],
        "envelope": {"from": sender, "to": recipients},
        "accepted": [r for r in recipients if r not in refused],
        "rejected": sorted(refused),
        "response": response,
    }
