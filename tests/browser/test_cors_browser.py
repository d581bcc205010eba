"""CORS as a browser sees it: headless Chromium loads a page from another origin whose script calls the
API with `fetch` (credentials included, a JSON body, so the browser sends a preflight first). The store
example scaffolds LB3's `cors` middleware and must be reachable; the Coffee Shop example has no
middleware.json, so the same call must be blocked by the browser, as LB3 blocks it without `cors`."""

from __future__ import annotations

import html
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

PAGE = """<!doctype html><html><head><title>cors</title></head><body><pre id="out">pending</pre>
<script>
fetch(%(url)s, {method: "POST", credentials: "include", mode: "cors",
                headers: {"Content-Type": "application/json"}, body: %(body)s})
  .then(r => r.json().then(j => "status " + r.status + " " + JSON.stringify(j)))
  .catch(e => "blocked " + e.name)
  .then(t => { document.getElementById("out").textContent = t; });
</script></body></html>"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _api(app: str, package: str, tmp_path: Path) -> Iterator[str]:
    """`specgen serve` of an example app on a free port; yields its base URL."""
    port = _free_port()
    cmd = [str(BIN / "specgen"), "serve", str(ROOT / "specs" / app), "--generated",
           str(ROOT / "generated" / package), "--port", str(port), "--log-level", "warning"]  # fmt: skip
    log = tmp_path / f"{app}.log"
    env = {**os.environ, "SPECGEN_CACHE": str(tmp_path / "cache")}
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/api/", timeout=1).close()
                break
            except OSError as exc:
                if getattr(exc, "code", None) is not None:
                    break  # an HTTP answer: the server is up
                if proc.poll() is not None:
                    raise AssertionError(log.read_text()) from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def _page(body: str) -> Iterator[str]:
    """A page on its own origin (another port), served from memory."""
    encoded = body.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/page.html"
    finally:
        server.shutdown()
        server.server_close()


def _browser_result(page_url: str, tmp_path: Path) -> str:
    if CHROMIUM is None:
        pytest.fail("headless Chromium is needed: apt-get install chromium (.ci/run installs it)")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=15000",
           "--dump-dom", page_url]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    start = done.stdout.find('<pre id="out">')
    assert start >= 0, done.stderr[-2000:]
    return html.unescape(
        done.stdout[start + len('<pre id="out">') : done.stdout.find("</pre>", start)]
    )


def _call_from_browser(app: str, package: str, url_path: str, body: str, tmp_path: Path) -> str:
    with _api(app, package, tmp_path) as base:
        page = PAGE % {"url": repr(base + url_path), "body": repr(body)}
        with _page(page) as page_url:
            return _browser_result(page_url, tmp_path)


def test_a_page_on_another_origin_creates_through_the_scaffolded_cors(tmp_path: Path) -> None:
    body = '{"name": "Espresso beans", "sku": "ESP-001", "price": 12.5}'
    result = _call_from_browser("store", "store", "/api/Products", body, tmp_path)
    assert result.startswith("status 200 "), result
    assert '"name":"Espresso beans"' in result


def test_without_cors_middleware_the_browser_blocks_the_call(tmp_path: Path) -> None:
    body = '{"name": "Bean There", "city": "Graz"}'
    result = _call_from_browser("coffee-shop", "coffee_shop", "/api/CoffeeShops", body, tmp_path)
    assert result == "blocked TypeError", result
