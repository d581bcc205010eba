"""LB3's `mail` connector and the Email model's `send(message)`: settings (settings.py), the MIME
message (message.py), delivery over SMTP (smtp.py) and the model-facing Email (email.py)."""

from .email import Email
from .message import InvalidMessage, build_message
from .settings import MailSettings, SmtpTransport, read_mail_settings
from .smtp import MailError, send_message

__all__ = [
    "Email",
    "InvalidMessage",
    "MailError",
    "MailSettings",
    "SmtpTransport",
    "build_message",
    "read_mail_settings",
    "send_message",
]
