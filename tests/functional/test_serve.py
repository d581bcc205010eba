"""`specgen serve` on any LB3 application directory: it compiles into its cache, then serves; and a
conflict the database detects (a duplicate key) is a 409 in LB3's shape, never SQL text or a 500."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import httpx

from specgen.cli import compile_app, load_generated
from specgen.render import write_package
from tests.specgen.appdir import write_app

BIN = Path(sys.executable).parent
TAG = {"name": "Tag", "idInjection": False, "properties": {"code": {"type": "string", "id": True}}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(url: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_serve_compiles_any_app_directory_into_its_cache(tmp_path: Path) -> None:
    app_dir = write_app(tmp_path / "tags", [TAG])
    (app_dir / "models" / "tag.js").write_text("module.exports = function(Tag) {};\n")
    port = _free_port()
    env = {**os.environ, "SPECGEN_CACHE": str(tmp_path / "cache")}
    cmd = [
        str(BIN / "specgen"),
        "serve",
        str(app_dir),
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = _request(f"http://127.0.0.1:{port}/api/Tags")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert (status, body) == (200, [])
        assert _request(f"http://127.0.0.1:{port}/api/Tags", {"code": "a"}) == (200, {"code": "a"})
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert list((tmp_path / "cache").glob("*/lbapp_tags/openapi.yaml"))
    warnings = [line for line in log.read_text().splitlines() if "tag.js" in line]
    assert len(warnings) == 1 and "JavaScript model file ignored" in warnings[0]


async def test_a_duplicate_key_is_a_409_without_sql(tmp_path: Path) -> None:
    app_dir = write_app(tmp_path / "dupes", [TAG])
    out = tmp_path / "gen" / "pkg_dupes"
    _, files, _ = compile_app(app_dir, out)
    write_package(files, out)
    app = load_generated(out).create_app(db_url="sqlite://")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/api") as client:
        assert (await client.post("/Tags", json={"code": "x"})).status_code == 200
        response = await client.post("/Tags", json={"code": "x"})
        assert (await client.get("/Tags/count")).json() == {"count": 1}
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["statusCode"], error["name"], error["code"]) == (409, "Error", "UNIQUE_VIOLATION")
    assert "INSERT" not in error["message"] and "UNIQUE constraint" not in error["message"]
