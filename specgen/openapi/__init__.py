"""Intermediate model -> one OpenAPI 3.0.3 document (connexion 3.3 rejects 3.1).

Paths, verbs and summaries are LB3's own (as loopback-swagger names them), so an LB3 client and an LB3
swagger diff both line up. operationIds are LB3's names made identifiers (`CoffeeShop_find`; client
generators make method names of them, and linters refuse `.` and `{id}`); LB3's own name stays in
`x-lb-operation` (`lb3OperationId`, beside `method`). Metadata the runtime needs travels in `x-lb-*`
extensions: the document is the one contract the runtime reads.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .. import naming
from ..ir import AppSpec, ModelSpec
from .access_responses import add_access_responses
from .filter_schemas import (
    add_included_properties,
    condition_schemas,
    filter_schemas,
    simple_schemas,
)
from .metadata import app_extension, model_extension
from .operations import model_paths
from .related_schemas import related_models, related_schemas
from .relation_endpoints import Surface
from .relations import relation_paths
from .remote_methods import remote_paths
from .schemas import error_schemas, model_schemas
from .shared_methods import hide
from .validation import validate_document

OPENAPI_VERSION = "3.0.3"


def build_openapi(app: AppSpec) -> dict[str, Any]:
    """Build the document; it is validated by `validate_openapi`, and a failure there is a specgen bug."""
    # LB3 exposes a public model without a data source too, and answers every call with a 500; a model
    # without a table (transient, embedded-only) has nothing to serve either
    surface = Surface.of(app)
    public = list(surface.served.values())
    embedded, _ = related_models(surface)
    filtered = {m.name: m for m in public + embedded}  # the models with filter schemas
    schemas: dict[str, Any] = {**error_schemas(), **condition_schemas(filtered.values())}
    paths: dict[str, Any] = {}
    for model in public:  # every schema first: relation endpoints use their targets'
        schemas.update(model_schemas(model))
        schemas.update(filter_schemas(model, filtered))
        schemas.update(simple_schemas(model, filtered))
    schemas.update(related_schemas(surface, filtered))
    for model in public:  # after every target's schema exists
        add_included_properties(model, filtered, schemas)
    for model in public:
        own = {**model_paths(model, schemas)}
        for path, item in relation_paths(model, surface, schemas).items():
            own.setdefault(path, {}).update(item)
        for path, item in remote_paths(model, schemas).items():
            own.setdefault(path, {}).update(item)
        paths.update(hide(own, model))
    name_operations(paths)
    models = {m.name: model_extension(m, table=app.has_table(m)) for m in app.models}
    add_access_responses(paths, models, app.app_dir)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": app.name,
            "version": "1.0.0",
            "description": f"LoopBack 3 application {app.name}, compiled by specgen.",
        },
        "servers": [{"url": app.rest_api_root}],
        # every operation takes anonymous calls (access rules decide per caller, in the runtime):
        # stated, so linters and generators need not guess
        "security": [],
        "tags": [{"name": m.name, "description": m.description or m.name} for m in public],
        "paths": dict(sorted(paths.items(), key=lambda kv: _path_order(kv[0], public))),
        "components": {"schemas": schemas},
        "x-lb-app": app_extension(app),
        "x-lb-models": models,
    }


def name_operations(paths: dict[str, Any]) -> None:
    """LB3's operationIds (what the builders set, links included) -> identifiers, in one place for
    every kind of operation; LB3's name moves to x-lb-operation."""
    operations = [op for item in paths.values() for op in item.values() if "operationId" in op]
    names = naming.operation_ids([op["operationId"] for op in operations])
    for op in operations:
        lb3 = op["operationId"]
        op["operationId"] = names[lb3]
        if "x-lb-operation" in op:
            op["x-lb-operation"] = {**op["x-lb-operation"], "lb3OperationId": lb3}
        for response in op.get("responses", {}).values():  # links name their target operation
            for link in response.get("links", {}).values():
                link["operationId"] = names[link["operationId"]]


def _path_order(path: str, models: list[ModelSpec]) -> tuple[int, str]:
    """Keep each model's paths together, in model order, so the explorer reads like LB3's."""
    for i, m in enumerate(models):
        base = "/" + (m.http_path or m.plural).strip("/")
        if path == base or path.startswith(base + "/"):
            return (i, path)
    return (len(models), path)


def validate_openapi(document: dict[str, Any]) -> None:
    """openapi-spec-validator's checks (see validation.py for how they are made fast)."""
    validate_document(document)


@contextmanager
def validated_beside(document: dict[str, Any]) -> Iterator[None]:
    """`validate_openapi(document)` in a forked process while the body runs: validation and the
    writing of the files are the two halves of a large app's compile (bench/generate.py), and a
    fork hands the document over without copying it. Where a fork is not safe (other threads
    running; macOS, whose system libraries refuse to run in a forked child; no fork at all) it
    validates here first. Either way an invalid document raises its error on leaving, and the
    body's work is not used."""
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        validate_openapi(document)
        yield
        return
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports through the pipe and ends without the parent's cleanup
        code = 1
        try:
            os.close(read)
            with os.fdopen(write, "wb") as out:
                out.write(_outcome(document))
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    try:
        yield
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)
        raise
    with os.fdopen(read, "rb") as inp:
        payload = inp.read()
    _, status = os.waitpid(pid, 0)
    if payload:
        raise pickle.loads(payload)
    if status != 0:
        raise RuntimeError(f"the OpenAPI validation process ended with status {status}")


def _outcome(document: dict[str, Any]) -> bytes:
    """Nothing when the document is valid, else its error pickled (as text when it does not
    come back from a pickle whole)."""
    try:
        validate_openapi(document)
    except Exception as exc:
        try:
            payload = pickle.dumps(exc)
            pickle.loads(payload)
        except Exception:
            payload = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
        return payload
    return b""
