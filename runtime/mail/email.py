"""The built-in Email model's `send(message)`, bound to a mail data source.

As in LB3, a message names its transport by alias or type (`transport`), else the first one is
used; with no transport at all, LB3 warns and answers the message unsent, and so do we (a
development app without SMTP settings still runs its verify and reset flows). An app replaces
`send` as LB3 apps replace `Email.send` (the registry wires that in).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .message import build_message
from .settings import MailSettings
from .smtp import send_message

log = logging.getLogger("lb3py.mail")


class Email:
    def __init__(self, settings: MailSettings | None = None) -> None:
        self.settings = settings or MailSettings()

    async def send(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """Build and send MESSAGE (`to`, `from`, `subject`, `text`, `html`, ...); the SMTP answer,
        or the message itself when no transport is configured."""
        msg = build_message(message)
        transport = self.settings.transport(message.get("transport"))
        if transport is None:
            log.warning(
                "No email transport specified for sending email (to %s, subject %r); "
                "set the mail data source's transports to send it",
                msg["To"],
                msg["Subject"],
            )
            return dict(message)
        return await send_message(msg, transport)
