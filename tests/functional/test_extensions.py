"""Python beside the model JSON: `models/<name>.py` setup(Model) and `boot/*.py` setup(app), on an app
compiled into tmp_path, served in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from specgen.cli import compile_app, load_generated
from specgen.render import write_package

MODEL_MODULE = """
def setup(Note):
    async def titles():
        return [n["title"] for n in await Note.find({"order": "title ASC"})]

    Note.titles = titles
"""

BOOT_SCRIPT = """
async def setup(app):
    notes = app.models["Note"]
    if await notes.count() == 0:
        await notes.create([{"title": "b"}, {"title": "a"}])
    app.booted = await notes.titles()
"""


def _write(path: Path, content: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")


def _make_app(tmp_path: Path, name: str) -> Any:
    app_dir = tmp_path / name
    _write(app_dir / "model-config.json", {"_meta": {"sources": ["./models"]},
                                            "Note": {"dataSource": "db", "public": True}})  # fmt: skip
    _write(app_dir / "datasources.json", {"db": {"name": "db", "connector": "memory"}})
    _write(app_dir / "models" / "note.json", {"name": "Note", "properties": {"title": "string"}})
    _write(app_dir / "models" / "note.py", MODEL_MODULE)
    _write(app_dir / "boot" / "10-sample.py", BOOT_SCRIPT)
    out = tmp_path / "gen" / f"pkg_{name}"
    _, files, _ = compile_app(app_dir, out)
    write_package(files, out)
    return load_generated(out)


async def test_model_module_and_async_boot_script_run_before_serving(tmp_path: Path) -> None:
    package = _make_app(tmp_path, "notes_a")
    app = package.create_app(db_url="sqlite://")
    transport = httpx.ASGITransport(app=app)
    async with (
        _lifespan(app),
        httpx.AsyncClient(transport=transport, base_url="http://t/api") as client,
    ):
        response = await client.get("/Notes", params={"filter": '{"order": "title ASC"}'})
    assert [n["title"] for n in response.json()] == ["a", "b"]
    assert app.booted == ["a", "b"]  # the model module's method, called from the boot script


class _lifespan:
    """Drive the ASGI lifespan protocol, as uvicorn does, so startup work runs."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __aenter__(self) -> None:
        import asyncio

        self.queue: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        self.sent: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        await self.queue.put({"type": "lifespan.startup"})
        self.task = asyncio.create_task(
            self.app(
                {"type": "lifespan", "asgi": {"version": "3.0"}}, self.queue.get, self.sent.put
            )
        )
        message = await self.sent.get()
        assert message["type"] == "lifespan.startup.complete", message

    async def __aexit__(self, *exc: object) -> None:
        await self.queue.put({"type": "lifespan.shutdown"})
        message = await self.sent.get()
        assert message["type"] == "lifespan.shutdown.complete", message
        await self.task
