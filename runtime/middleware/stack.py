"""middleware.json -> one ASGI application, built once at start-up in LB3's phase order.

Each entry wraps the ones after it, so the first entry sees a request first, as in Express. The REST
API (`loopback#rest`, mounted at `paths`, by default restApiRoot) answers requests under its paths at
its place in the `routes` phase; other requests go on to later phases (`files`: static folders) and end
at the app itself, which answers LB3's JSON 404 (`loopback#urlNotFound`). Routes added by boot scripts
(`app.add_route`) sit just before the REST API.

An entry we cannot run is a warning naming it (file, JSON pointer) and is skipped; `specgen check`
reports the same warnings through `check_middleware`. Python middleware is named by file
(`./middleware/timing`, relative to the app directory) or module (`package.module`), with `#Name` or
`:Name` for the callable (default `middleware`): an ASGI middleware class or factory called as
`Name(app, **params)` (a list of params is passed positionally), as starlette's `Middleware` does.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..extensions import import_file
from ..http import error_payload, send_json
from .compression import Compression
from .config import Entry, Problem, read_middleware
from .cors import Cors
from .files import Favicon, Static, default_icon, read_icon
from .headers import HELMET, SecurityHeaders
from .routes import AppRoutes

Layer = Callable[[ASGIApp], ASGIApp]
# accepted with nothing to run: what they do, our app already does
BUILT_IN_BEHAVIOUR = {
    "loopback#urlNotFound": "unknown paths already answer LB3's 404",
    "strong-error-handler": "errors already leave in LB3's shape",
    "loopback#errorHandler": "errors already leave in LB3's shape",
    "errorhandler": "errors already leave in LB3's shape",
    "body-parser#json": "JSON bodies are already parsed",
    "loopback#token": "access tokens are read when a request needs its caller, with these params",
}
# LB3 entries we know and do not run, with what happens instead
NOT_RUN = {
    "body-parser#urlencoded": "form-encoded bodies are refused with 415 (docs/lb3-differences.md)",
    "loopback#context": "model methods and hooks get an explicit Context instead",
    "loopback-context#per-request": "model methods and hooks get an explicit Context instead",
    "express-session": "sessions are not supported",
    "cookie-parser": "cookies are read only for the access token (its secret is honoured)",
}
REST = "loopback#rest"
DEFAULT_ATTRIBUTE = "middleware"


@dataclass(frozen=True)
class Planned:
    entry: Entry
    layer: Layer | None  # None: the REST API's place, or accepted with nothing to run


def check_middleware(app_dir: Path) -> list[Problem]:
    """The warnings start-up would give, without importing the app's Python middleware."""
    entries, problems = read_middleware(app_dir)
    return problems + _plan(entries, app_dir, load=False)[1]


def build_middleware(
    core: ASGIApp, app_dir: Path, rest_root: str
) -> tuple[ASGIApp, AppRoutes, list[Problem]]:
    """The served application: middleware.json's entries around CORE, the app's routes before the
    REST API. Without a middleware.json, the app's routes and CORE only."""
    entries, problems = read_middleware(app_dir)
    planned, more = _plan(entries, app_dir, load=True)
    problems += more
    if not entries:  # nothing to order: the app's routes, then the API (no per-request path checks)
        routes = AppRoutes(core)
        return routes, routes, problems
    rest_at = next((i for i, p in enumerate(planned) if p.entry.name == REST), None)
    if rest_at is None:  # LB3 would serve no API at all; the API keeps its place after `routes`
        after = ("files", "final")
        rest_at = next((i for i, p in enumerate(planned) if p.entry.phase.startswith(after)),
                       len(planned))  # fmt: skip
        rest_paths: tuple[str, ...] = (rest_root,)
    else:
        rest_paths = planned[rest_at].entry.paths or (rest_root,)
        planned = [p for i, p in enumerate(planned) if i != rest_at]
    app: ASGIApp = core
    for p in reversed(planned[rest_at:]):
        app = _wrap(p, app)
    app = RestMount(app, core, rest_paths)
    routes = AppRoutes(app)
    app = routes
    for p in reversed(planned[:rest_at]):
        app = _wrap(p, app)
    return Guard(app), routes, problems


def _wrap(planned: Planned, inner: ASGIApp) -> ASGIApp:
    if planned.layer is None:
        return inner
    outer = planned.layer(inner)
    if planned.entry.paths:
        return Scoped(outer, inner, planned.entry.paths)
    if isinstance(outer, SecurityHeaders) and isinstance(inner, SecurityHeaders):
        return inner.merged(outer.add, outer.remove)  # one wrapper for helmet's run of entries
    return outer


def _plan(
    entries: list[Entry], app_dir: Path, *, load: bool
) -> tuple[list[Planned], list[Problem]]:
    planned: list[Planned] = []
    problems: list[Problem] = []
    for entry in entries:
        try:
            layer = _layer(entry, app_dir, load=load)
        except _CannotRun as exc:
            problems.append(
                Problem(
                    entry.file,
                    entry.pointer,
                    f'cannot run middleware "{entry.name}": {exc}; it is ignored',
                )
            )
            continue
        planned.append(Planned(entry, layer))
    return planned, problems


class _CannotRun(Exception):
    pass


def _layer(entry: Entry, app_dir: Path, *, load: bool) -> Layer | None:
    name, params = entry.name, (entry.params if entry.has_params else None)
    options = params if isinstance(params, dict) else {}
    if name == REST or name in BUILT_IN_BEHAVIOUR:
        return None
    if name in NOT_RUN:
        raise _CannotRun(NOT_RUN[name])
    if name == "cors":
        return lambda app: Cors(app, **options)
    if name in HELMET:
        add, remove = HELMET[name](params)
        return lambda app: SecurityHeaders(app, add, remove)
    if name == "compression":
        return lambda app: Compression(app, **options)
    if name in ("loopback#static", "serve-static"):
        folder = _first(params)
        if not isinstance(folder, str):
            raise _CannotRun("params must name the folder to serve")
        path = _path(folder, app_dir)
        if not path.is_dir():
            raise _CannotRun(f"the folder {path} does not exist")
        return lambda app: Static(app, str(path))
    if name in ("loopback#favicon", "serve-favicon"):
        return _favicon(name, params, app_dir)
    return _python(entry, app_dir, load=load)


def _favicon(name: str, params: Any, app_dir: Path) -> Layer:
    file = _first(params)
    if file is None and name == "loopback#favicon":
        icon = default_icon()
    elif not isinstance(file, str):
        raise _CannotRun("params must name the icon file")
    else:
        path = _path(file, app_dir)
        if not path.is_file():
            raise _CannotRun(f"the icon {path} does not exist")
        icon = read_icon(str(path))
    opts = params[1] if isinstance(params, list) and len(params) > 1 else {}
    max_age = opts.get("maxAge") if isinstance(opts, dict) else None
    if isinstance(max_age, int | float) and not isinstance(max_age, bool):
        return lambda app: Favicon(app, icon, int(max_age) // 1000)  # milliseconds in LB3
    return lambda app: Favicon(app, icon)


def _python(entry: Entry, app_dir: Path, *, load: bool) -> Layer:
    """A Python middleware by file or module path; anything else (an npm package) cannot run."""
    target, _, attribute = entry.name.replace(":", "#").partition("#")
    attribute = attribute or DEFAULT_ATTRIBUTE
    if target.startswith(("./", "../", "/")):
        path = _path(target, app_dir)
        path = path if path.suffix == ".py" else path.with_name(path.name + ".py")
        if not path.is_file():
            script = path.with_suffix(".js")
            if script.is_file():
                raise _CannotRun(f"{script.name} is JavaScript (write it in Python: {path.name})")
            raise _CannotRun(f"no Python file {path}")
        if not load:
            return lambda app: app
        factory = getattr(import_file(path), attribute, None)
    else:
        try:
            found = importlib.util.find_spec(target) if target else None
        except (ImportError, ValueError):
            found = None
        if found is None:
            raise _CannotRun(
                "not built in and not a Python module (name an ASGI middleware as "
                "./file#Name or package.module#Name)"
            )
        if not load:
            return lambda app: app
        factory = getattr(importlib.import_module(target), attribute, None)
    if not callable(factory):
        raise _CannotRun(f"{target} has no middleware class or factory named {attribute}")
    params = entry.params if entry.has_params else None

    def layer(app: ASGIApp) -> ASGIApp:
        if isinstance(params, dict):
            return factory(app, **params)  # type: ignore[no-any-return]
        if isinstance(params, list):
            return factory(app, *params)  # type: ignore[no-any-return]
        return factory(app) if params is None else factory(app, params)  # type: ignore[no-any-return]

    return layer


def _first(params: Any) -> Any:
    return params[0] if isinstance(params, list) and params else params


def _path(value: str, app_dir: Path) -> Path:
    path = Path(value)
    return path if path.is_absolute() else (app_dir / path).resolve()


def under(path: str, prefixes: tuple[str, ...]) -> bool:
    """Express's `app.use(path)` match: the prefix itself or anything below it."""
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)


class Guard:
    """Outermost: an exception from an app's own middleware leaves as LB3's JSON 500 (uvicorn would
    answer plain text), unless the response had already started."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started or scope["type"] != "http":
                raise
            status, payload, headers = error_payload(exc)
            await send_json(send, status, payload, head=scope["method"] == "HEAD", headers=headers)


class Scoped:
    """An entry with `paths`: it sees only requests under them; others skip it."""

    def __init__(self, app: ASGIApp, skip: ASGIApp, paths: tuple[str, ...]) -> None:
        self.app, self.skip, self.paths = app, skip, paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = (
            self.app if scope["type"] != "http" or under(scope["path"], self.paths) else self.skip
        )
        await target(scope, receive, send)


class RestMount:
    """`loopback#rest`: requests under its paths go to the API now; the rest go on to later phases."""

    def __init__(self, app: ASGIApp, api: ASGIApp, paths: tuple[str, ...]) -> None:
        self.app, self.api, self.paths = app, api, paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = (
            self.api if scope["type"] != "http" or under(scope["path"], self.paths) else self.app
        )
        await target(scope, receive, send)
