"""The bound: the benchmark's requests answered by a bare ASGI app on raw asyncpg.

What a Python server cannot beat on the same PostgreSQL tables: no framework (a plain
`async def app(scope, receive, send)`), an asyncpg pool of 10 whose statements are prepared once per
connection (asyncpg's statement cache: the SQL of a filter shape is always the same text), rows
shaped into dicts and encoded with orjson. It reads ours' tables (a copy of ours' seeded database,
see bench.run) and answers the scenarios' requests with the bodies ours and LB3 give, which bench.run
checks. The filter is parsed only as far as the scenarios need: a where of equalities or one
comparison (`gt`, `gte`, `lt`, `lte`) per property, `order` of one property, `limit`, and `include`
of the Coffee Shop's relations (a name, a list, or `{relation, scope: {include}}`). Anything else
gets a 400 in LB3's error shape.

Run: `BENCH_BOUND_DB=postgresql://… uvicorn bench.bound.app:app` (or granian --interface asgi).
"""

from __future__ import annotations

import asyncio
import json
import os
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import asyncpg
import orjson

DB_ENV = "BENCH_BOUND_DB"
POOL_SIZE = 10  # ours' and LB3's pool size

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Row = dict[str, Any]


class BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _number(value: Any) -> Any:
    """A double as JavaScript prints it: 3.0 is 3 (rating is double precision, as ours makes it)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _date(value: Any) -> Any:
    """LB3's Date JSON: milliseconds, UTC, `Z`."""
    if value is None:
        return None
    d = value.astimezone(UTC)
    return f"{d:%Y-%m-%dT%H:%M:%S}.{d.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Model:
    name: str
    table: str
    keys: tuple[str, ...]  # JSON keys in ours' (and LB3's) order; columns are their lower case
    shapers: dict[str, Callable[[Any], Any]]
    writable: tuple[str, ...] = ()

    @property
    def select(self) -> str:
        return ", ".join(f'"{k.lower()}"' for k in self.keys)

    def column(self, key: str) -> str:
        if key not in self.keys:
            raise BadRequest(400, f"{self.name} has no property {key!r}")
        return f'"{key.lower()}"'

    def shape(self, record: asyncpg.Record) -> Row:
        row = dict(zip(self.keys, record, strict=True))
        for key, shaper in self.shapers.items():
            row[key] = shaper(row[key])
        return row


SHOP = Model("CoffeeShop", "coffeeshop", ("name", "city", "id"), {}, ("name", "city"))
REVIEW = Model(
    "Review",
    "review",
    ("date", "rating", "comments", "id", "coffeeShopId", "publisherId"),
    {"date": _date, "rating": _number},
)
# Reviewer is a User: password and verificationToken are hidden
REVIEWER = Model(
    "Reviewer",
    "reviewer",
    ("realm", "username", "email", "emailVerified", "id", "coffeeShopId"),
    {},
)
MODELS = {"CoffeeShops": SHOP, "Reviews": REVIEW, "Reviewers": REVIEWER}


@dataclass(frozen=True)
class Relation:
    target: Model
    key: str  # belongsTo: the source's foreign key; hasMany: the target's
    many: bool


RELATIONS: dict[tuple[str, str], Relation] = {
    ("CoffeeShop", "reviews"): Relation(REVIEW, "coffeeShopId", True),
    ("CoffeeShop", "reviewers"): Relation(REVIEWER, "coffeeShopId", True),
    ("Review", "coffeeShop"): Relation(SHOP, "coffeeShopId", False),
    ("Review", "reviewer"): Relation(REVIEWER, "publisherId", False),
    ("Reviewer", "reviews"): Relation(REVIEW, "publisherId", True),
}
OPERATORS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

_pool: asyncpg.Pool | None = None
_pool_lock = asyncio.Lock()


async def pool() -> asyncpg.Pool:
    """The pool, made at lifespan start-up (or on the first request, on a server without it)."""
    global _pool
    if _pool is None:
        async with _pool_lock:
            if _pool is None:
                _pool = await asyncpg.create_pool(
                    os.environ[DB_ENV], min_size=POOL_SIZE, max_size=POOL_SIZE
                )
    return _pool


def where_sql(model: Model, where: Any, params: list[Any]) -> str:
    if not where:
        return ""
    if not isinstance(where, dict):
        raise BadRequest(400, "where must be an object")
    terms = []
    for key, value in where.items():
        column = model.column(key)
        if isinstance(value, dict):
            if len(value) != 1 or next(iter(value)) not in OPERATORS:
                raise BadRequest(400, f"unsupported where on {key}: {value}")
            op, value = next(iter(value.items()))
            params.append(value)
            terms.append(f"{column} {OPERATORS[op]} ${len(params)}")
        else:
            params.append(value)
            terms.append(f"{column} = ${len(params)}")
    return " WHERE " + " AND ".join(terms)


def order_sql(model: Model, order: Any) -> str:
    """One property, ASC by default; without one, by id (LB3's SQL connectors do the same)."""
    if not order:
        return ' ORDER BY "id"'
    if not isinstance(order, str):
        raise BadRequest(400, "order must be a string")
    key, _, direction = order.partition(" ")
    direction = direction.strip().upper() or "ASC"
    if direction not in ("ASC", "DESC"):
        raise BadRequest(400, f"bad order {order!r}")
    return f" ORDER BY {model.column(key)} {direction}"


async def find(conn: asyncpg.Connection, model: Model, filt: dict[str, Any]) -> list[Row]:
    params: list[Any] = []
    sql = f"SELECT {model.select} FROM {model.table}{where_sql(model, filt.get('where'), params)}"
    sql += order_sql(model, filt.get("order"))
    if (limit := filt.get("limit")) is not None:
        params.append(int(limit))
        sql += f" LIMIT ${len(params)}"
    rows = [model.shape(r) for r in await conn.fetch(sql, *params)]
    if (include := filt.get("include")) is not None:
        await load(conn, model, rows, include)
    return rows


def _includes(include: Any) -> list[tuple[str, Any]]:
    """(relation, nested include or None) from a name, a list, or {relation, scope}."""
    if isinstance(include, str):
        return [(include, None)]
    if isinstance(include, list):
        return [pair for item in include for pair in _includes(item)]
    if isinstance(include, dict) and isinstance(include.get("relation"), str):
        scope = include.get("scope") or {}
        return [(include["relation"], scope.get("include"))]
    raise BadRequest(400, f"unsupported include {include!r}")


async def load(conn: asyncpg.Connection, model: Model, rows: list[Row], include: Any) -> None:
    """Each included relation with one query over every parent's key (`= ANY($1)`), by id."""
    for name, nested in _includes(include):
        rel = RELATIONS.get((model.name, name))
        if rel is None:
            raise BadRequest(400, f"Relation {name!r} is not defined for {model.name} model")
        target = rel.target
        match = target.column(rel.key if rel.many else "id")
        keys = list({k for r in rows if (k := r["id" if rel.many else rel.key]) is not None})
        sql = f'SELECT {target.select} FROM {target.table} WHERE {match} = ANY($1) ORDER BY "id"'
        children = [target.shape(r) for r in await conn.fetch(sql, keys)] if keys else []
        if nested is not None:
            await load(conn, target, children, nested)
        if rel.many:
            groups: dict[Any, list[Row]] = {r["id"]: [] for r in rows}
            for child in children:
                groups[child[rel.key]].append(child)
            for r in rows:
                r[name] = groups[r["id"]]
        else:
            by_id = {child["id"]: child for child in children}
            for r in rows:
                if (found := by_id.get(r[rel.key])) is not None:
                    r[name] = found


def _json_param(query_string: bytes, name: str) -> Any:
    raw = urllib.parse.parse_qs(query_string.decode("latin-1")).get(name) if query_string else None
    if not raw:
        return {}
    try:
        return json.loads(raw[0])
    except ValueError as exc:
        raise BadRequest(400, f"bad {name}: {exc}") from exc


async def answer(method: str, path: str, query_string: bytes, body: bytes) -> tuple[int, Any]:
    parts = path.removeprefix("/api/").split("/") if path.startswith("/api/") else []
    model = MODELS.get(parts[0]) if parts else None
    if model is None or len(parts) > 2:
        raise BadRequest(404, f"Shared class not found for {path}")
    async with (await pool()).acquire() as conn:
        if method == "POST" and len(parts) == 1:
            return 200, await create(conn, model, body)
        if method != "GET":
            raise BadRequest(404, f"no {method} {path}")
        if len(parts) == 1:
            filt = _json_param(query_string, "filter")
            return 200, await find(conn, model, filt if isinstance(filt, dict) else {})
        if parts[1] == "count":
            params: list[Any] = []
            sql = f"SELECT count(*) FROM {model.table}"
            sql += where_sql(model, _json_param(query_string, "where"), params)
            return 200, {"count": await conn.fetchval(sql, *params)}
        try:
            ident = int(parts[1])
        except ValueError as exc:
            raise BadRequest(400, f"bad id {parts[1]!r}") from exc
        sql = f'SELECT {model.select} FROM {model.table} WHERE "id" = $1'
        record = await conn.fetchrow(sql, ident)
        if record is None:
            raise BadRequest(404, f'Unknown "{model.name}" id "{ident}".')
        return 200, model.shape(record)


async def create(conn: asyncpg.Connection, model: Model, body: bytes) -> Row:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(400, f"bad JSON body: {exc}") from exc
    if not model.writable or not isinstance(data, dict):
        raise BadRequest(400, f"cannot create {model.name} from this body")
    keys = [k for k in model.writable if k in data]
    columns = ", ".join(model.column(k) for k in keys)
    marks = ", ".join(f"${i}" for i in range(1, len(keys) + 1))
    sql = f"INSERT INTO {model.table} ({columns}) VALUES ({marks}) RETURNING {model.select}"
    return model.shape(await conn.fetchrow(sql, *(data[k] for k in keys)))


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _lifespan(receive: Receive, send: Send) -> None:
    global _pool
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await pool()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if _pool is not None:
                await _pool.close()
                _pool = None
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    if scope["type"] != "http":
        return
    body = await _body(receive) if scope["method"] == "POST" else b""
    try:
        status, payload = await answer(scope["method"], scope["path"], scope["query_string"], body)
    except BadRequest as exc:
        status = exc.status
        payload = {"error": {"statusCode": status, "name": "Error", "message": str(exc)}}
    except (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError) as exc:
        status, payload = 400, {"error": {"statusCode": 400, "name": "Error", "message": str(exc)}}
    data = orjson.dumps(payload)
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(data)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
