"""A small app with a User-based model and the Email model, compiled into a temporary directory:
the app of the mail, verification and reset tests. Its mail data source points at a local SMTP
server (aiosmtpd, tests/auth/test_mail.py's Mailbox) on a free port."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from specgen.cli import compile_app, load_generated
from specgen.render import write_package
from tests.auth.test_mail import Mailbox, Received, serve
from tests.serving import free_port


def write(path: Path, content: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else json.dumps(content, indent=2)
    path.write_text(text, encoding="utf-8")


def make_app(
    tmp: Path,
    name: str,
    *,
    smtp_port: int | None,
    email_config: dict[str, Any] | None = None,
    member: dict[str, Any] | None = None,
    files: dict[str, str] | None = None,
    attach: dict[str, Any] | None = None,
) -> Any:
    """Compile the app into TMP and return its generated package. `smtp_port`: the mail data
    source's server (None: no mail data source); `email_config`: model-config's Email entry (None:
    Email not listed); `member`: extra keys of Member's JSON; `files`: more files by path (boot
    scripts, model modules); `attach`: more model-config entries."""
    app_dir = tmp / name
    config: dict[str, Any] = {
        "_meta": {"sources": ["loopback/common/models", "./models"]},
        "Member": {"dataSource": "db", "public": True},
        "AccessToken": {"dataSource": "db", "public": False},
    }
    if email_config is not None:
        config["Email"] = email_config
    config.update(attach or {})
    datasources: dict[str, Any] = {"db": {"name": "db", "connector": "memory"}}
    if smtp_port is not None:
        datasources["mailer"] = {
            "name": "mailer",
            "connector": "mail",
            "transports": [
                {"type": "smtp", "host": "127.0.0.1", "port": smtp_port, "ignoreTLS": True}
            ],
        }
    write(app_dir / "model-config.json", config)
    write(app_dir / "datasources.json", datasources)
    write(app_dir / "config.json", {"restApiRoot": "/api", "host": "localhost", "port": 3000})
    write(
        app_dir / "models" / "member.json",
        {"name": "Member", "base": "User", "properties": {}, **(member or {})},
    )
    for path, text in (files or {}).items():
        write(app_dir / path, text)
    out = tmp / "gen" / f"pkg_{name}"
    _, generated, _ = compile_app(app_dir, out)
    write_package(generated, out)
    return load_generated(out)


def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """A local SMTP server on a free port, for a module's tests."""
    port = free_port()
    for mailbox in serve(Mailbox(), port):
        yield mailbox, port


async def next_message(mailbox: Mailbox, count: int = 1, timeout: float = 10.0) -> Received:
    """The COUNT-th message the server accepted, waiting for it (a listener sends after the
    answer, from a task of its own)."""
    deadline = time.monotonic() + timeout
    while len(mailbox.messages) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"no message #{count} arrived; got {len(mailbox.messages)}")
        await asyncio.sleep(0.02)
    return mailbox.messages[count - 1]
