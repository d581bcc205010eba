"""The Email model as an app reaches it: `app.registry.get_model("Email")`, whether or not
model-config.json lists it (LB3 always defines its built-in Email; `User.verify` sends through it).

Its `send(message)` (async; `message` a dict with `to`, `from`, `subject`, `text`, `html`) goes
through the `"connector": "mail"` data source the model is attached to (model-config
`"Email": {"dataSource": "myEmailDataSource"}`, LB3's `transports` in datasources.json). An Email
attached to none logs the message and answers it unsent: LB3 throws "You must connect the Email
Model to a Mail connector" there, which fails a sign-up's verify with a 500 in development; a
warning serves the same purpose without breaking the flow.

An app replaces `send` as LB3 apps replace `Email.send`, from a boot script or the model's module:

    def setup(app):
        def send(message):                 # sync or async
            outbox.append(message)
        app.registry.get_model("Email").send = send

`deliver()` is how the runtime calls it, whichever kind it is. Models based on Email (`"base":
"Email"`) are Email models of their own, each with its data source.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..datasources import DataSourceError, connector_of, read_datasources
from ..events import Events, Listener
from ..registry import ModelMeta, PropertyMeta, Registry
from .email import Email
from .settings import read_mail_settings

if TYPE_CHECKING:
    from ..app import LoopBackApp

log = logging.getLogger("lb3py.mail")

EMAIL = "Email"
MAIL_CONNECTOR = "mail"
# LB3's common/models/email.json, for an app whose model-config does not list Email
BUILTIN_EMAIL = ModelMeta(
    name=EMAIL,
    properties={
        "to": PropertyMeta("to", "string", required=True),
        "from": PropertyMeta("from", "string", required=True),
        "subject": PropertyMeta("subject", "string", required=True),
        "text": PropertyMeta("text", "string"),
        "html": PropertyMeta("html", "string"),
    },
    plural="Emails",
    base_chain=("Model",),
    public=False,
    raw={"table": False},
)


class EmailModel:
    """One Email model: its definition, the mail data source it is attached to (if any), and
    `send`, which the app may replace."""

    def __init__(self, meta: ModelMeta, mailer: Email | None, datasource: str | None) -> None:
        self.meta = meta
        self.name = meta.name
        self.datasource = datasource  # the mail data source's name, None when attached to none
        self.mailer = mailer
        self.app: LoopBackApp | None = None
        self.events = Events(meta.name)

    def __repr__(self) -> str:
        return f"<EmailModel {self.name} on {self.datasource or 'no mail data source'}>"

    async def send(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """Send MESSAGE through the mail data source: nodemailer's answer (`messageId`,
        `envelope`, `accepted`, `rejected`, `response`), or the message itself when it was not
        sent (no data source, or one without a transport)."""
        if self.mailer is None:
            log.warning(
                "the %s model is not attached to a mail data source: the message to %s "
                '(subject %r) is not sent; attach it in model-config.json ("%s": '
                '{"dataSource": "<a data source with "connector": "mail">"})',
                self.name,
                message.get("to"),
                message.get("subject"),
                self.name,
            )
            return dict(message)
        return await self.mailer.send(message)

    def on(self, event: str, fn: Listener) -> None:
        self.events.on(event, fn)


async def deliver(model: Any, message: Mapping[str, Any]) -> Any:
    """Call MODEL's `send(message)`, the built-in one or the app's replacement, sync or async."""
    result = model.send(message)
    if inspect.isawaitable(result):
        result = await result
    return result


def is_email_model(meta: ModelMeta) -> bool:
    """Email itself or a model based on it, when nothing stores it (a model based on Email is not
    persisted; one that is would be served as a table)."""
    return (meta.name == EMAIL or EMAIL in meta.base_chain) and not meta.has_table


def build_email_models(registry: Registry, app_dir: Path) -> dict[str, EmailModel]:
    """Every Email model of the app, the built-in Email always among them, each bound to its mail
    data source's transports (read from datasources.json here: credentials never enter the
    served document). A setting we cannot honour is a start-up warning."""
    metas = [m for m in registry.models.values() if is_email_model(m)]
    if EMAIL not in registry.models:
        metas.append(BUILTIN_EMAIL)
    if not metas:
        return {}
    try:
        sources = read_datasources(app_dir)
    except DataSourceError as exc:  # the database side reports it; mail is then unconfigured
        log.warning("mail data sources not read: %s", exc)
        sources = {}
    found: dict[str, EmailModel] = {}
    for meta in metas:
        name = meta.datasource
        settings = sources.get(name or "")
        mailer = None
        if settings is not None and connector_of(settings) == MAIL_CONNECTOR:
            mail_settings, warnings = read_mail_settings(settings, f"datasources.json#/{name}")
            for warning in warnings:
                log.warning("%s", warning)
            mailer = Email(mail_settings)
        elif name:
            log.warning(
                'model %s: data source "%s" is not a mail data source ("connector": "mail"); '
                "its messages are not sent",
                meta.name,
                name,
            )
        found[meta.name] = EmailModel(meta, mailer, name if mailer is not None else None)
    return found
