"""middleware.json over HTTP: the store example's LB3 scaffold defaults (CORS, helmet, compression,
favicon, static files, urlNotFound) with the headers the real LB3 3.28 scaffolded app sends (recorded
from loopback@3 + cors 2.8 + helmet 3.23 + compression 1.8, minus Date, Connection, Keep-Alive and
Express's X-Powered-By), routes added by a boot script, Python middleware, and the warnings for what
cannot run."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from generated.store import create_app
from runtime.app import LoopBackApp
from specgen.cli import compile_app, load_generated, main
from specgen.render import write_package
from tests.http.support import error, lb3_error
from tests.specgen.appdir import write_app, write_json

ORIGIN = "http://example.com"
HELMET = {  # helmet#xssFilter, #frameguard (["deny"] gives helmet's default), #hsts, #ieNoOpen
    "x-xss-protection": "1; mode=block",
    "x-frame-options": "SAMEORIGIN",
    "strict-transport-security": "max-age=0; includeSubDomains",
    "x-download-options": "noopen",
    "x-content-type-options": "nosniff",
}
JSON_HEADERS = {"content-type": "application/json; charset=utf-8"}
NOTE = {"name": "Note", "properties": {"title": "string"}}


@pytest.fixture
async def store() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(db_url="sqlite://")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c
    app.db.dispose()


def _headers(response: httpx.Response, *drop: str) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in drop}


async def test_a_preflight_gets_204_and_lb3s_access_control_headers(
    store: httpx.AsyncClient,
) -> None:
    response = await store.options(
        "/api/Products",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-custom",
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    assert dict(response.headers) == {
        "access-control-allow-origin": ORIGIN,
        "vary": "Origin, Access-Control-Request-Headers",
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET,HEAD,PUT,PATCH,POST,DELETE",
        "access-control-allow-headers": "content-type,x-custom",
        "access-control-max-age": "86400",
        "content-length": "0",
    }


async def test_an_options_request_without_origin_is_answered_by_cors_too(
    store: httpx.AsyncClient,
) -> None:
    response = await store.options("/api/Products")
    assert response.status_code == 204
    assert dict(response.headers) == {
        "vary": "Origin, Access-Control-Request-Headers",
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET,HEAD,PUT,PATCH,POST,DELETE",
        "access-control-max-age": "86400",
        "content-length": "0",
    }


async def test_actual_requests_carry_cors_and_security_headers(store: httpx.AsyncClient) -> None:
    with_origin = await store.get("/api/Products", headers={"Origin": ORIGIN})
    assert with_origin.json() == []
    assert _headers(with_origin, "content-length") == {
        "access-control-allow-origin": ORIGIN,
        "vary": "Origin, Accept-Encoding",
        "access-control-allow-credentials": "true",
        **HELMET,
        **JSON_HEADERS,
    }
    without = await store.get("/api/Products")
    assert _headers(without, "content-length") == {
        "vary": "Origin, Accept-Encoding",
        "access-control-allow-credentials": "true",
        **HELMET,
        **JSON_HEADERS,
    }


async def test_errors_and_unknown_paths_carry_the_headers_and_lb3s_404(
    store: httpx.AsyncClient,
) -> None:
    response = await store.get("/nothing", headers={"Origin": ORIGIN})
    assert error(response, 404) == lb3_error(404, "Cannot GET /nothing")["error"]
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]  # once, not twice


async def test_large_json_is_gzipped_for_clients_that_accept_it(store: httpx.AsyncClient) -> None:
    products = [{"name": f"product {i}", "price": i} for i in range(60)]
    assert (await store.post("/api/Products", json=products)).status_code == 200
    raw = await store.get("/api/Products", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.headers["vary"] == "Origin, Accept-Encoding"
    assert [p["name"] for p in raw.json()] == [p["name"] for p in products]  # httpx inflated it
    plain = await store.get("/api/Products", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert len(gzip.compress(plain.content)) < len(plain.content)


async def test_the_static_folder_and_the_boot_scripts_route(store: httpx.AsyncClient) -> None:
    page = await store.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert b"<h1>Store</h1>" in page.content
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    assert (await store.get("/index.html")).content == page.content
    missing = await store.get("/missing.html")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "Cannot GET /missing.html"
    posted = await store.post("/index.html")  # serve-static only serves GET and HEAD
    assert posted.status_code == 404
    assert posted.json()["error"]["message"] == "Cannot POST /index.html"
    ping = await store.get("/ping")
    assert (ping.status_code, ping.text, ping.headers["content-type"]) == (
        200,
        "pong",
        "text/html; charset=utf-8",
    )
    assert ping.headers["access-control-allow-credentials"] == "true"


async def test_loopback_favicon_serves_an_icon_for_a_year(store: httpx.AsyncClient) -> None:
    icon = await store.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert _headers(icon, "etag") == {
        "cache-control": "public, max-age=31536000",
        "content-type": "image/x-icon",
        "content-length": str(len(icon.content)),
    }
    again = await store.get("/favicon.ico", headers={"If-None-Match": icon.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")


async def test_without_middleware_json_nothing_changes(client: httpx.AsyncClient) -> None:
    response = await client.options("/CoffeeShops", headers={"Origin": ORIGIN})
    assert response.status_code == 405
    assert "access-control-allow-origin" not in response.headers


# -- apps of our own: Python middleware, paths, overrides, warnings -----------------------------

TIMING = """
class Stamp:
    def __init__(self, app, name="x-stamp", value="yes"):
        self.app, self.name, self.value = app, name.encode(), value.encode()

    async def __call__(self, scope, receive, send):
        async def stamped(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (self.name, self.value)]
            await send(message)

        await self.app(scope, receive, stamped)


class Broken:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["path"] == "/boom":
            raise RuntimeError("a bug in the app's middleware")
        await self.app(scope, receive, send)


def middleware(app, *values):
    return Stamp(app, "x-positional", ",".join(values))
"""


def _serve(
    tmp_path: Path, name: str, middleware: dict[str, Any], files: dict[str, str] | None = None
) -> LoopBackApp:
    app_dir = write_app(tmp_path / name, [NOTE])
    write_json(app_dir / "middleware.json", middleware)
    for rel, text in (files or {}).items():
        path = app_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "gen" / f"pkg_{name}"
    _, rendered, _ = compile_app(app_dir, out)
    write_package(rendered, out)
    app: LoopBackApp = load_generated(out).create_app(db_url="sqlite://")
    return app


async def _get(app: LoopBackApp, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        return await c.get(path)


async def test_python_middleware_by_file_with_params_and_paths(tmp_path: Path) -> None:
    app = _serve(
        tmp_path,
        "pyapp",
        {
            "initial": {
                "./middleware/stamp#Stamp": {"params": {"name": "x-timing", "value": "1"}},
                "./middleware/stamp": {"params": ["a", "b"], "paths": ["/api/Notes"]},
                "./middleware/stamp#Broken": {},
            }
        },
        {"middleware/stamp.py": TIMING},
    )
    notes = await _get(app, "/api/Notes")
    assert (notes.headers["x-timing"], notes.headers["x-positional"]) == ("1", "a,b")
    other = await _get(app, "/api/Notes/count")  # under /api/Notes: scoped entries see it
    assert other.headers["x-positional"] == "a,b"
    outside = await _get(app, "/api/NotesX")
    assert outside.headers["x-timing"] == "1" and "x-positional" not in outside.headers
    boom = await _get(app, "/boom")  # a middleware's bug is LB3's JSON 500, not uvicorn's text
    assert (boom.status_code, boom.json()) == (
        500,
        {
            "error": {
                "statusCode": 500,
                "name": "InternalServerError",
                "message": "Internal Server Error",
            }
        },
    )


async def test_local_and_environment_files_override_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NODE_ENV", "staging")
    app = _serve(
        tmp_path,
        "envapp",
        {"initial": {"cors": {"params": {"origin": "http://a.example"}}, "helmet#noSniff": {}}},
        {
            "middleware.local.json": json.dumps(
                {"initial": {"helmet#noSniff": {"enabled": False}}}
            ),
            "middleware.staging.json": json.dumps(
                {"initial": {"cors": {"params": {"origin": "http://b.example"}}}}
            ),
        },
    )
    response = await _get(app, "/nothing")
    assert response.headers["access-control-allow-origin"] == "http://b.example"
    assert response.headers["vary"] == "Origin"


UNRUNNABLE = {
    "initial": {"morgan": {"params": "dev"}, "./middleware/absent": {}, "./middleware/legacy": {}},
    "auth": {"loopback#token": {}},
    "files": {"loopback#static": {"params": "$!../no-such-client"}},
    "final": {"serve-favicon": {}},
}


LEGACY = "module.exports = function() { return function(req, res, next) { next(); }; };\n"


def _expected_warnings(app_dir: Path) -> list[str]:
    name = app_dir.name
    return [
        f'warning: {name}/middleware.json#/initial/morgan: cannot run middleware "morgan": not '
        "built in and not a Python module (name an ASGI middleware as ./file#Name or "
        "package.module#Name); it is ignored",
        f"warning: {name}/middleware.json#/initial/.~1middleware~1absent: cannot run middleware "
        f'"./middleware/absent": no Python file {app_dir.resolve()}/middleware/absent.py; '
        "it is ignored",
        f"warning: {name}/middleware.json#/initial/.~1middleware~1legacy: cannot run middleware "
        '"./middleware/legacy": legacy.js is JavaScript (write it in Python: legacy.py); it is '
        "ignored",
        f'warning: {name}/middleware.json#/files/loopback#static: cannot run middleware "loopback'
        f'#static": the folder {app_dir.resolve().parent}/no-such-client does not exist; it is '
        "ignored",
        f'warning: {name}/middleware.json#/final/serve-favicon: cannot run middleware "serve-'
        'favicon": params must name the icon file; it is ignored',
    ]


async def test_entries_that_cannot_run_are_start_up_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="runtime"):
        app = _serve(tmp_path, "badmw", UNRUNNABLE, {"middleware/legacy.js": LEGACY})
    assert [r.getMessage() for r in caplog.records] == _expected_warnings(tmp_path / "badmw")
    assert (await _get(app, "/api/Notes")).json() == []  # the app serves without them


def test_check_reports_the_same_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app_dir = write_app(tmp_path / "badmw", [NOTE])
    write_json(app_dir / "middleware.json", UNRUNNABLE)
    (app_dir / "middleware").mkdir()
    (app_dir / "middleware" / "legacy.js").write_text(LEGACY, encoding="utf-8")
    assert main(["check", str(app_dir)]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == _expected_warnings(app_dir)
    assert out.startswith(f"{app_dir}: 1 models, ") and out.endswith(" paths, OK\n")


def test_check_reports_middleware_warnings_beside_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app_dir = write_app(tmp_path / "broken", [NOTE], attach={"Note": {"dataSource": "nowhere"}})
    write_json(app_dir / "middleware.json", {"initial": {"morgan": {}}})
    assert main(["check", str(app_dir)]) == 1
    _, err = capsys.readouterr()
    assert err.splitlines() == [
        'broken/model-config.json#/Note/dataSource: unknown data source "nowhere"',
        _expected_warnings(app_dir)[0].replace("badmw", "broken"),
        f"1 error(s) in {app_dir}",
    ]


ROUTES = """
from starlette.responses import PlainTextResponse

from runtime.errors import NotFound


def setup(app):
    async def item(request):
        if request.path_params["id"] == 0:
            raise NotFound("no item 0")
        return {"id": request.path_params["id"], "q": request.query_params.get("q")}

    async def echo(request):
        return await request.json()

    app.add_route("/items/{id:int}", item)
    app.add_route("/echo", echo, methods=["POST", "PUT"])
    app.add_route("/nothing", lambda request: None)
    app.add_route("/plain", lambda request: PlainTextResponse("plain"))
    app.add_route("/api/Notes/count", lambda request: "shadowed", methods=["GET"])
"""


async def test_routes_a_boot_script_adds(tmp_path: Path) -> None:
    app = _serve(tmp_path, "routed", {}, {"boot/routes.py": ROUTES})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        item = await client.get("/items/7?q=x")
        assert (item.status_code, item.json()) == (200, {"id": 7, "q": "x"})
        assert item.headers["content-type"] == "application/json; charset=utf-8"
        missing = await client.get("/items/0")
        assert error(missing, 404) == lb3_error(404, "no item 0")["error"]
        echoed = await client.put("/echo", json={"a": [1, 2]})
        assert echoed.json() == {"a": [1, 2]}
        # a verb the route does not take goes on, as an Express route calls next()
        assert error(await client.get("/echo"), 404)["message"] == "Cannot GET /echo"
        assert (await client.get("/nothing")).status_code == 204
        assert (await client.get("/plain")).text == "plain"
        # as in LB3, a boot script's route comes before the REST API
        assert (await client.get("/api/Notes/count")).text == "shadowed"
        assert (await client.get("/api/Notes")).json() == []


async def test_static_files_are_compressed_and_fall_through(tmp_path: Path) -> None:
    text = "LoopBack static page. " * 200
    app = _serve(
        tmp_path,
        "statics",
        {
            "initial": {"compression": {"params": {"threshold": "1kb"}}},
            "files": {"loopback#static": {"params": "$!./client"}},
        },
        {"client/big.txt": text, "client/docs/index.html": "<p>docs</p>"},
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        big = await client.get("/big.txt", headers={"Accept-Encoding": "gzip"})
        assert (big.status_code, big.text) == (200, text)
        assert big.headers["content-encoding"] == "gzip"
        assert big.headers["vary"] == "Accept-Encoding"
        head = await client.head("/big.txt", headers={"Accept-Encoding": "identity"})
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-length"] == str(len(text))
        folder = await client.get("/docs", follow_redirects=False)  # as serve-static: add the /
        assert (folder.status_code, folder.headers["location"]) == (307, "http://t/docs/")
        assert (await client.get("/docs/")).text == "<p>docs</p>"
        escape = await client.get("/..%2Fmiddleware.json")
        assert error(escape, 404)["message"] == "Cannot GET /../middleware.json"


async def test_python_middleware_by_module_path(tmp_path: Path) -> None:
    app = _serve(
        tmp_path,
        "hosts",
        {
            "initial": {
                "starlette.middleware.trustedhost:TrustedHostMiddleware": {
                    "params": {"allowed_hosts": ["api.example"]}
                }
            }
        },
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        refused = await client.get("http://elsewhere.example/api/Notes")
        assert (refused.status_code, refused.text) == (400, "Invalid host header")
        allowed = await client.get("http://api.example/api/Notes")
        assert (allowed.status_code, allowed.json()) == (200, [])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{", ["#: cannot read it (Expecting property name enclosed in double quotes: line 1 "
               "column 2 (char 1)): no middleware from it"]),
        ("[]", ["#: must be a JSON object: no middleware from it"]),
        (
            '{"initial": [], "routes": {"cors": "yes", "compression": {"paths": 5, "x": 1}}}',
            [
                "#/initial: must be an object: phase ignored",
                "#/routes/cors: must be an object with params, paths or enabled: ignored",
                "#/routes/compression/paths: must be a path or a list of paths: ignored",
            ],
        ),
        ('{"initial": {"cors": {"params": {}, "x": 1}}}', ['#/initial/cors/x: unknown setting "x": ignored']),
    ],
)  # fmt: skip
def test_malformed_middleware_json_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: list[str]
) -> None:
    app_dir = write_app(tmp_path / "odd", [NOTE])
    (app_dir / "middleware.json").write_text(content, encoding="utf-8")
    assert main(["check", str(app_dir)]) == 0
    _, err = capsys.readouterr()
    assert err.splitlines() == [f"warning: odd/middleware.json{line}" for line in expected]
