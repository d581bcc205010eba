"""A `"connector": "mail"` data source's settings, read as LB3's MailConnector reads them.

LB3 takes `transports` (a list) or a single `transport`, each handed to nodemailer: `type`
("smtp"; LB3 defaults to "STUB"), `alias` (the name `send({transport: ...})` picks it by), and
nodemailer's SMTP options `host`, `port`, `secure` (TLS from the first byte, port 465),
`auth: {user, pass}`, `tls: {rejectUnauthorized, ca}`, `ignoreTLS`, `requireTLS`, `name`,
`connectionTimeout`. What we cannot honour (another transport type such as ses or sendmail, or
nodemailer's `service` shortcuts) is a warning naming the setting; the transport is left out, as a
transport LB3 cannot load leaves it without one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TIMEOUT = 60.0  # seconds; nodemailer's connectionTimeout is 2 minutes, greeting 30 s


@dataclass(frozen=True)
class SmtpTransport:
    host: str = "localhost"
    port: int = 587
    secure: bool = False  # implicit TLS (SMTPS); otherwise STARTTLS when the server offers it
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    reject_unauthorized: bool = True
    ca: str | None = field(default=None, repr=False)  # PEM certificates to trust (tls.ca)
    ignore_tls: bool = False  # never STARTTLS
    require_tls: bool = False  # fail unless STARTTLS succeeds
    client_name: str | None = None  # the EHLO name
    timeout: float = DEFAULT_TIMEOUT
    alias: str | None = None

    @property
    def name(self) -> str:
        return self.alias or "smtp"


@dataclass(frozen=True)
class MailSettings:
    transports: tuple[SmtpTransport, ...] = ()

    def transport(self, name: object = None) -> SmtpTransport | None:
        """The transport `send()` uses: the one named by alias or type, else the first."""
        for transport in self.transports:
            if name is not None and transport.name == name:
                return transport
        return self.transports[0] if self.transports else None


def read_mail_settings(
    settings: Mapping[str, Any], where: str = "datasources.json"
) -> tuple[MailSettings, list[str]]:
    """The data source's transports, and a warning for each setting we cannot honour."""
    warnings: list[str] = []
    raw = settings.get("transports")
    if raw is None and settings.get("transport") is not None:
        raw = [settings["transport"]]
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        warnings.append(f"{where}: transports must be a list; no mail transport configured")
        raw = []
    transports = []
    for i, entry in enumerate(raw):
        pointer = f"{where}/transports/{i}"
        if not isinstance(entry, Mapping):
            warnings.append(f"{pointer}: a transport must be an object; ignored")
            continue
        kind = str(entry.get("type") or "STUB").lower()
        if kind != "smtp":
            warnings.append(
                f"{pointer}/type: transport type {entry.get('type', 'STUB')!r} is not supported "
                "(only smtp); mail is not sent through it"
            )
            continue
        if entry.get("service") is not None:
            warnings.append(
                f"{pointer}/service: nodemailer's well-known services are not supported; "
                "set host and port instead"
            )
        tls = entry.get("tls")
        for option in (
            sorted(set(tls) - {"rejectUnauthorized", "ca"}) if isinstance(tls, Mapping) else ()
        ):
            warnings.append(f"{pointer}/tls/{option}: not supported; the default is used")
        try:
            transports.append(_smtp(entry))
        except (TypeError, ValueError) as exc:
            warnings.append(f"{pointer}: {exc}; ignored")
    return MailSettings(tuple(transports)), warnings


def _smtp(entry: Mapping[str, Any]) -> SmtpTransport:
    secure = bool(entry.get("secure", False))
    port = entry.get("port", 465 if secure else 587)
    port = int(port)  # nodemailer accepts "465"
    if not 0 < port < 65536:
        raise ValueError(f"port {port} is out of range")
    auth = entry.get("auth") or {}
    tls = entry.get("tls") or {}
    if not isinstance(auth, Mapping) or not isinstance(tls, Mapping):
        raise TypeError("auth and tls must be objects")
    timeout = entry.get("connectionTimeout")
    alias = entry.get("alias")
    return SmtpTransport(
        host=str(entry.get("host") or "localhost"),
        port=port,
        secure=secure,
        user=_text(auth.get("user")),
        password=_text(auth.get("pass")),
        reject_unauthorized=tls.get("rejectUnauthorized", True) is not False,
        ca=_pem(tls.get("ca")),
        ignore_tls=bool(entry.get("ignoreTLS", False)),
        require_tls=bool(entry.get("requireTLS", False)),
        client_name=_text(entry.get("name")),
        timeout=float(timeout) / 1000 if timeout else DEFAULT_TIMEOUT,  # nodemailer: milliseconds
        alias=_text(alias) or _text(entry.get("type")),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _pem(value: Any) -> str | None:
    """nodemailer's `tls.ca`: PEM text or a list of them."""
    if value is None:
        return None
    return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
