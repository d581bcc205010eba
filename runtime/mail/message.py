"""The MIME message for an Email `send(message)` dict (LB3's fields: `to`, `from`, `subject`,
`text`, `html`; also nodemailer's `cc`, `bcc`, `replyTo` and `headers`), built with the standard
library's email package: text and html become a multipart/alternative with both parts, non-ASCII
headers are RFC 2047-encoded, and a line break in a header value is refused (no header
injection from user data such as a name in a subject)."""

from __future__ import annotations

from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid
from typing import Any

from ..errors import BadRequest

ADDRESS_FIELDS = {"to": "To", "cc": "Cc", "bcc": "Bcc", "from": "From", "replyTo": "Reply-To"}


class InvalidMessage(BadRequest):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="INVALID_EMAIL")


def build_message(message: Mapping[str, Any]) -> EmailMessage:
    """The message to send; InvalidMessage when a required field is missing or a value cannot be
    a header."""
    for required in ("to", "from"):
        if not message.get(required):
            raise InvalidMessage(f"Email `{required}` is required")
    msg = EmailMessage()
    try:
        for key, header in ADDRESS_FIELDS.items():
            value = message.get(key)
            if value:
                msg[header] = _addresses(value, key)
        msg["Subject"] = str(message.get("subject") or "")
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid()
        for name, value in (message.get("headers") or {}).items():
            if name in msg:
                msg.replace_header(name, str(value))
            else:
                msg[name] = str(value)
    except (ValueError, TypeError) as exc:
        raise InvalidMessage(f"Email header cannot be sent: {exc}") from None
    text, html = message.get("text"), message.get("html")
    if html is not None:
        msg.set_content(str(text or ""))
        msg.add_alternative(str(html), subtype="html")
    else:
        msg.set_content(str(text or ""))
    return msg


def _addresses(value: Any, key: str) -> str:
    """One address, a comma-separated list or a list of them (nodemailer takes each)."""
    values = value if isinstance(value, list | tuple) else [value]
    texts = [str(v) for v in values]
    for text in texts:
        if "\r" in text or "\n" in text:
            raise ValueError(f"a line break in `{key}`")
    found = [addr for _, addr in getaddresses(texts)]
    if not found or any("@" not in addr for addr in found):
        raise ValueError(f"`{key}` is not an e-mail address: {', '.join(texts)}")
    return ", ".join(texts)
