"""Loading the data set into each server.

Ours is seeded through the Python model API straight into the SQLite file before the server starts:
fast, and independent of whatever the REST layer enforces (ACLs, rate limits). LB3 keeps its memory
connector's data in the server process, so it can only be seeded over REST, with array bulk creates.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import warnings
from typing import Any

from .dataset import Dataset, batches

# config.json caps JSON bodies at 100kb (LB3 answers 413 above it); 500 reviews are about 65kB
BATCH = 500


def seed_python(db_url: str, dataset: Dataset) -> None:
    """Create every row with `create_app(db_url).models[...].create([...])`, one transaction a batch."""
    with warnings.catch_warnings():  # import-time deprecation noise from connexion's dependencies
        warnings.simplefilter("ignore")
        from generated.coffee_shop import create_app

    app = create_app(db_url=db_url)

    async def load() -> None:
        for model, _path, rows in dataset.tables():
            for chunk in batches(rows, BATCH):
                await app.models[model].create(chunk)

    try:
        asyncio.run(load())
    finally:
        app.db.dispose()


def seed_http(api_url: str, dataset: Dataset) -> None:
    """POST arrays to /api/<Model>s; any non-200 answer aborts the run."""
    for _model, path, rows in dataset.tables():
        for chunk in batches(rows, BATCH):
            status, body = request_json(f"{api_url}/{path}", chunk)
            if status != 200 or not isinstance(body, list) or len(body) != len(chunk):
                raise RuntimeError(f"seeding {path} failed: HTTP {status} {str(body)[:300]}")


def request_json(url: str, payload: Any = None, timeout: float = 30) -> tuple[int, Any]:
    """A one-off request with the standard library; the hot path uses bench.loadgen instead."""
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, method="GET" if data is None else "POST")
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, raw.decode(errors="replace")
