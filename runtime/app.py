"""Build the served application from a generated package: document -> registry -> tables -> models ->
connexion app with LB3 error handling. Everything here runs once, at start-up.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import sqlalchemy as sa
import yaml
from connexion import AsyncApp
from connexion.apps.abstract import AbstractApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from . import heap
from .auth.authorizer import Authorizer
from .auth.enforce import Enforcement, js_enables_auth, role_registry, unprotected_warnings
from .auth.principal import PrincipalResolver
from .auth.user_methods import setup_user_model
from .auth.user_methods.config import login_protection
from .datasources import resolve, resolve_all
from .db import Database, open_database
from .errors import LoopBackError, MethodNotAllowed, ModelNotFound, NotFound
from .extensions import run_setup
from .filter.limits import load_limits
from .http import DEFAULT_BODY_LIMIT, Endpoint, error_payload, send_json
from .inheritance import Inheritance
from .instances import InstanceCodec
from .mail.model import build_email_models
from .middleware.routes import RouteFunction
from .middleware.stack import build_middleware
from .mixins import apply_mixins
from .model import Model
from .operations import Operation
from .operations.arguments import binder
from .operations.remote import caller, success_status, warn_unimplemented
from .operations.surface import surface
from .registry import ModelMeta, Registry, build_registry
from .routes import VERBS, Dispatch, Route, RouteTable
from .sql.tables import ModelTable, build_tables
from .validation.check import stale_rules

logger = logging.getLogger("runtime")


@dataclass(frozen=True)
class AppConfig:
    name: str
    rest_api_root: str
    host: str
    port: int


class _Api(AsyncApi):  # type: ignore[misc]  # connexion ships no type information
    def make_operation(self, operation: Any) -> Any:
        return operation.function  # already an Endpoint: see LoopBackApp._resolve


class _ASGIApp(AsyncASGIApp):  # type: ignore[misc]
    api_cls = _Api


class _ConnexionApp(AsyncApp):  # type: ignore[misc]
    """connexion's AsyncApp routing to our Endpoints."""

    def __init__(self, import_name: str, **kwargs: Any) -> None:
        self._middleware_app = _ASGIApp()
        AbstractApp.__init__(self, import_name, **kwargs)


class LoopBackApp:
    """The ASGI application, with the model registry and Python API for model modules and boot
    scripts: `app.models["CoffeeShop"]`, `app.db`, `app.config`."""

    def __init__(
        self,
        document: dict[str, Any],
        handlers: dict[str, ModuleType],
        app_dir: Path,
        db_url: str | None = None,
        *,
        swagger_ui: bool = True,
        body_limit: int = DEFAULT_BODY_LIMIT,
        direct_dispatch: bool = True,
        create_tables: bool = True,
    ) -> None:
        self.document = document
        self.app_dir = app_dir
        # set by runtime/workers.py for a served process: freeze its heap after start-up (runtime/heap.py)
        self.settle_heap = False
        self.registry: Registry = build_registry(document)
        meta = self.registry.app
        self.config = AppConfig(
            name=str(meta.get("name", "app")),
            rest_api_root=str(meta.get("restApiRoot", "/api")),
            host=str(meta.get("host", "0.0.0.0")),
            port=int(meta.get("port", 3000)),
        )
        # one Database per data source, as LB3 serves each model from its own (data sources with the
        # same URL, and every one under --db, share it)
        sources = resolve_all(app_dir, self.registry.datasources(), db_url)
        primary = self.registry.datasource
        self.datasource = sources.get(primary or "") or resolve(app_dir, primary, db_url)
        by_url = {self.datasource.url: open_database(self.datasource.url, self.datasource.pool)}
        for source in sources.values():
            if source.url not in by_url:
                by_url[source.url] = open_database(source.url, source.pool)
        self.db = by_url[self.datasource.url]
        self.databases = {name: by_url[source.url] for name, source in sources.items()}
        stored = [m for m in self.registry.models.values() if m.has_table]
        tables, self.metadata_by_db = self._tables(stored)
        self.metadata = self.metadata_by_db.get(self.db) or sa.MetaData()
        limits = self.limits = load_limits(app_dir)  # config.json's filterLimits
        self.models: dict[str, Model] = {
            m.name: Model(
                m, tables[m.name], self._db_of(m), models=self.registry.models, limits=limits
            )
            for m in stored
        }
        embedded = {
            m.name: InstanceCodec(m) for m in self.registry.models.values() if not m.has_table
        }
        for model in self.models.values():
            model.codec.embed(embedded)
        users = [m.db for m in self.models.values() if m.meta.is_user]
        self.login_protection = login_protection(app_dir, users, self.metadata_by_db)
        self.principals: PrincipalResolver | None = PrincipalResolver.for_app(self)
        # before model modules and boot scripts run: they register role resolvers
        self.roles = role_registry(self)
        self.auth = Enforcement(self, self.roles)
        if scripts := js_enables_auth(app_dir):
            logger.warning(
                "boot/%s calls enableAuth(): ACLs are enforced (JavaScript boot scripts do not run; "
                "port the rest of it to boot/*.py)",
                ", boot/".join(scripts),
            )
            self.auth.enabled = True
        if create_tables:
            for db, metadata in self.metadata_by_db.items():
                db.create_all(metadata)
        # middleware.json around the API, and the routes boot scripts add (docs/middleware.md)
        self._served, self._routes, problems = build_middleware(
            self._serve, app_dir, self.config.rest_api_root
        )
        for problem in problems:
            logger.warning("%s", problem)
        self._startup: list[Awaitable[Any]] = []
        # the Email models (the built-in one always) beside the stored ones: runtime/mail/model.py
        self.email_models = build_email_models(self.registry, app_dir)
        self.registry.live.update({**self.email_models, **self.models})
        for email_model in self.email_models.values():
            email_model.app = self
            if module := email_model.meta.raw.get("pythonModule"):
                self._later(run_setup(app_dir / module, email_model))
        for model in self.models.values():
            model.app = self
        inheritance = Inheritance(self, app_dir)
        self.base_models = inheritance.stand_ins  # bases that are not served (LB3's registry)
        for model in inheritance.in_order(self.models.values()):  # bases first, as LB3 defines them
            inheritance.inherit(model)
            if model.meta.is_user:  # LB3's User methods, before the app's module may replace them
                setup_user_model(model)
            self._startup += apply_mixins(model, app_dir)
            module = model.meta.raw.get("pythonModule")
            if module:
                self._later(run_setup(app_dir / module, model))
        for model in self.models.values():
            if stale := stale_rules(model):
                logger.warning(stale)
        boot = app_dir / "boot"
        for script in sorted(boot.glob("*.py")) if boot.is_dir() else []:
            self._later(run_setup(script, self))
        self._body_limit = body_limit
        self._handlers = handlers
        self.document = document = surface(document, self.models)  # after every model's setup
        self.routes = RouteTable(document)
        self._endpoints = self._build_endpoints()
        self.auth.attach(self.operations())
        self._dispatch = Dispatch(document, self._endpoints) if direct_dispatch else None
        root = self.config.rest_api_root.rstrip("/")
        self._root_paths = {root, root + "/"}
        self._explorer = root + "/explorer"
        self.connexion = self._build_connexion(swagger_ui)

    def enable_auth(self) -> None:
        """LB3's `app.enableAuth()` (a boot script calls it, as LB3's scaffold does): every REST
        call is checked against the ACLs from now on."""
        self.auth.enabled = True
        if hasattr(self, "_endpoints"):  # called after start-up (an async boot script, a test)
            self.auth.attach(self.operations())

    @property
    def authorizer(self) -> Authorizer:
        """The app's `runtime.auth.authorizer.Authorizer`, built from the served document."""
        return self.auth.authorizer

    def operations(self) -> list[Operation]:
        """Every REST operation the app serves."""
        return [e.handler for e in self._endpoints.values() if isinstance(e.handler, Operation)]

    def add_route(self, path: str, fn: RouteFunction, methods: Sequence[str] = ("GET",)) -> None:
        """A route of the app's own beside the REST API (LB3's `app.get('/ping', ...)` in a boot
        script): `fn(request)` gets starlette's Request and returns a Response or a value to send."""
        self._routes.add(path, fn, methods)

    def _db_of(self, model: ModelMeta) -> Database:
        return self.databases.get(model.datasource or "", self.db)

    def _tables(
        self, stored: list[ModelMeta]
    ) -> tuple[dict[str, ModelTable], dict[Database, sa.MetaData]]:
        """Each database's tables on a MetaData of its own (index names are unique per database)."""
        groups: dict[Database, list[ModelMeta]] = {}
        for m in stored:
            groups.setdefault(self._db_of(m), []).append(m)
        tables: dict[str, ModelTable] = {}
        metadata: dict[Database, sa.MetaData] = {}
        for db, models in groups.items():
            metadata[db], catalog = build_tables(models, db.backend)
            tables.update(catalog)
        return tables, metadata

    def _later(self, awaitable: Awaitable[Any] | None) -> None:
        if awaitable is not None:
            self._startup.append(awaitable)

    def _build_endpoints(self) -> dict[str, Endpoint]:
        """One endpoint per operation, its generated binder and handler resolved once; each model's
        remote hooks are matched to its operations here and whenever one is registered."""
        endpoints = {}
        for path_item in self.document["paths"].values():
            for verb, op in path_item.items():
                if verb in VERBS:
                    ext = op["x-lb-operation"]
                    model = self.models[ext["model"]]
                    operation = self._operation(model, ext)
                    model.remote_hooks.attach(operation)
                    oid = op["operationId"]
                    endpoints[oid] = Endpoint(
                        operation,
                        model,
                        oid,
                        self._body_limit,
                        ext.get("relation"),
                        ext.get("nested"),
                        operation.status,
                    )
        return endpoints

    def _operation(self, model: Model, ext: dict[str, Any]) -> Operation:
        """The operation of one x-lb-operation: its generated binder and handler; a remote method
        declared from Python has none and gets the equivalent built here."""
        relation, nested = ext.get("relation"), ext.get("nested")
        if not ext.get("remote"):
            module = self._handlers[ext["model"]]
            bind, call = module.BINDERS[ext["handler"]], getattr(module, ext["handler"])
            return Operation(model, ext["method"], bind, call, relation=relation, nested=nested)
        method = model.remote_methods[ext["method"].removeprefix("prototype.")]
        index = int(ext.get("route", 0))
        if "handler" in ext:
            module = self._handlers[ext["model"]]
            bind, call = module.BINDERS[ext["handler"]], getattr(module, ext["handler"])
        else:
            bind, call = binder(method.accepts, is_static=method.is_static), caller(method)
        status = success_status(method, index)
        return Operation(
            model, ext["method"], bind, call, status=status, remote=method, route_index=index
        )

    def _resolve(self, operation_id: str) -> Endpoint:
        return self._endpoints[operation_id]

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app: Any) -> AsyncIterator[None]:
        for awaitable in self._startup:
            await awaitable
        self._startup.clear()
        for model in self.models.values():  # after async setups too: they may assign methods
            warn_unimplemented(model)
        if self.auth.enabled:
            await self.auth.load_table()
        else:
            for warning in unprotected_warnings(self):
                logger.warning("%s", warning)
        if self.settle_heap:
            heap.settle()
        yield
        for live in self.registry.live.values():  # listeners still running (runtime/events.py)
            await live.events.settle()
        for db in {id(d): d for d in (self.db, *self.databases.values())}.values():
            await db.close()

    def _build_connexion(self, swagger_ui: bool) -> _ConnexionApp:
        middlewares = [
            ServerErrorMiddleware,
            ExceptionMiddleware,
            SwaggerUIMiddleware,
            RoutingMiddleware,
            LifespanMiddleware,
            ContextMiddleware,
        ]
        app = _ConnexionApp(
            __name__,
            middlewares=middlewares,
            lifespan=self._lifespan,
            swagger_ui_options=SwaggerUIOptions(
                swagger_ui=swagger_ui, swagger_ui_path="/explorer", serve_spec=False
            ),
        )
        # served from bytes made once (connexion would serialise its ref-resolved copy per request,
        # which is cyclic for the recursive where schema); added before the API mount to win
        root = self.config.rest_api_root.rstrip("/")
        served = _served_document(self.document)
        spec_json = orjson.dumps(served)
        spec_yaml: list[bytes] = []

        async def openapi_json(_request: Any) -> Response:
            return Response(spec_json, media_type="application/json")

        async def openapi_yaml(_request: Any) -> Response:
            # made on first use: dumping YAML at start-up would double the start-up time
            if not spec_yaml:
                spec_yaml.append(
                    yaml.safe_dump(served, sort_keys=False, allow_unicode=True).encode()
                )
            return Response(spec_yaml[0], media_type="application/yaml")

        app.add_url_rule(f"{root}/openapi.json", "openapi_json", openapi_json, methods=["GET"])
        app.add_url_rule(f"{root}/openapi.yaml", "openapi_yaml", openapi_yaml, methods=["GET"])
        app.add_api(
            _served_document(self.document),
            resolver=Resolver(function_resolver=self._resolve),
            base_path=self.config.rest_api_root,
        )
        if swagger_ui:
            explorer = f"{self.config.rest_api_root}/explorer/"

            async def to_explorer(_request: Any) -> RedirectResponse:
                return RedirectResponse(explorer)

            app.add_url_rule("/explorer", "explorer", to_explorer, methods=["GET"])
            app.add_url_rule("/explorer/", "explorer_slash", to_explorer, methods=["GET"])
        app.add_error_handler(ProblemException, self._problem)
        app.add_error_handler(HTTPException, self._http_error)
        app.add_error_handler(Exception, self._unexpected)
        return app

    def _http_error(self, request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, HTTPException)
        path, method = request.url.path, request.method
        route = self.routes.match(path)
        error: LoopBackError
        if exc.status_code == 405:
            verbs = list(route.verbs) if route else []
            error = MethodNotAllowed(f"{method} is not allowed on {path}", verbs)
        elif exc.status_code == 404:
            error = self._not_found(route, path, method)
        else:
            error = LoopBackError(str(exc.detail))
            error.status = exc.status_code
        return _response(error)

    def _not_found(self, route: Route | None, path: str, method: str) -> LoopBackError:
        """LB3's wording: an id the route refused is MODEL_NOT_FOUND; any other path under the REST
        root has "no method to handle" it; outside the root, express says "Cannot GET"."""
        if route is not None and route.param is not None and method in route.verbs:
            return ModelNotFound(f'Unknown "{route.model}" id "{route.param.group("id")}".')
        rel = self.routes.relative(path)
        if rel is None:
            return NotFound(f"Cannot {method} {path}")
        return NotFound(f"There is no method to handle {method} {rel}")

    def _problem(self, _request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        """connexion's own problems (problem+json by default) leave in LB3's shape too."""
        assert isinstance(exc, ProblemException)
        error = LoopBackError(str(exc.detail or exc.title or "Error"))
        error.status = int(exc.status or 500)
        return _response(error)

    def _unexpected(self, _request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        return _response(exc)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self.connexion(scope, receive, send)
        elif self._served is self._routes and not self._routes.routes:
            await self._serve(scope, receive, send)  # no middleware.json, no app routes: no layer
        else:
            await self._served(scope, receive, send)

    async def _serve(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if path in self._root_paths:  # starlette would redirect /api to /api/ and back
                status, payload, _ = error_payload(self._not_found(None, path, scope["method"]))
                await send_json(send, status, payload, head=scope["method"] == "HEAD")
                return
            if path.endswith("/") and path != "/" and not path.startswith(self._explorer):
                # express (LB3) routes /CoffeeShops/ as /CoffeeShops; starlette answers 307
                path = path.rstrip("/")
                scope = {**scope, "path": path}
            hit = self._dispatch.find(scope["method"], path) if self._dispatch else None
            if hit is not None:
                endpoint, scope["path_params"] = hit
                await endpoint(scope, receive, send)
                return
        await self.connexion(scope, receive, send)


def _response(exc: BaseException) -> ConnexionResponse:
    status, payload, headers = error_payload(exc)
    return ConnexionResponse(
        status_code=status,
        body=orjson.dumps(payload),
        content_type="application/json; charset=utf-8",
        headers={k.decode(): v.decode() for k, v in headers}
        | {"X-Content-Type-Options": "nosniff"},
    )


def _served_document(document: dict[str, Any]) -> dict[str, Any]:
    """The document as served: the runtime's x-lb-models stay in the process, not on the wire."""
    return {k: v for k, v in document.items() if k not in ("x-lb-models", "x-lb-app")}


def load_document(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as f:
        document: dict[str, Any] = yaml.load(f, Loader=loader)
    return document


def build_app(
    openapi: Path,
    *,
    handlers: dict[str, ModuleType],
    app_dir: Path,
    db_url: str | None = None,
    **options: Any,
) -> LoopBackApp:
    """Entry point of generated packages."""
    return LoopBackApp(load_document(openapi), handlers, app_dir, db_url, **options)
