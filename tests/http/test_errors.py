"""Routing and body errors: every one leaves as JSON in LB3's envelope.

Deliberate differences tested as ours: a known path with a wrong verb is 405 with an Allow header
(LB3: 404 "Shared class ... has no method handling"); non-JSON bodies other than forms are 415
(LB3 ignores text/plain); invalid UTF-8 is 400 (LB3 substitutes U+FFFD); 500 bodies carry
name InternalServerError (LB3 sends no name).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from runtime.app import LoopBackApp
from runtime.http import DEFAULT_BODY_LIMIT

from .conftest import SHOPS
from .support import error, lb3_error, ok

UNKNOWN_ROUTES = [
    ("unknown-model", "GET", "/Nope"),
    ("non-public-model", "GET", "/Users"),
    ("non-public-access-tokens", "GET", "/AccessTokens"),
    ("lowercase-unknown", "GET", "/nosuchmodels"),
    ("api-root", "GET", "/"),
    ("unknown-sub-resource", "GET", "/CoffeeShops/1/nosuch"),
    ("post-unknown", "POST", "/Nope"),
    ("delete-unknown", "DELETE", "/Nope/1"),
]


@pytest.mark.parametrize(
    ("verb", "path"), [c[1:] for c in UNKNOWN_ROUTES], ids=[c[0] for c in UNKNOWN_ROUTES]
)
async def test_unknown_route_is_404(client: httpx.AsyncClient, verb: str, path: str) -> None:
    err = error(await client.request(verb, path), 404)
    assert err["name"] == "Error"
    assert err["message"].startswith(f"There is no method to handle {verb} /")
    assert err["message"].endswith(path)
    assert "code" not in err


async def test_outside_the_api_root_is_404(client: httpx.AsyncClient) -> None:
    err = error(await client.get("http://test/nothing"), 404)
    assert err["name"] == "Error" and err["message"].endswith("GET /nothing")


WRONG_VERBS = [
    ("delete-collection", "DELETE", "/CoffeeShops", "GET, HEAD, PATCH, POST, PUT"),
    ("options-collection", "OPTIONS", "/CoffeeShops", "GET, HEAD, PATCH, POST, PUT"),
    ("post-instance", "POST", "/CoffeeShops/1", "DELETE, GET, HEAD, PATCH, PUT"),
    ("post-count", "POST", "/CoffeeShops/count", "GET, HEAD"),
    ("patch-count", "PATCH", "/CoffeeShops/count", "GET, HEAD"),
    ("put-find-one", "PUT", "/CoffeeShops/findOne", "GET, HEAD"),
    ("delete-exists", "DELETE", "/CoffeeShops/1/exists", "GET, HEAD"),
    ("get-replace", "GET", "/CoffeeShops/1/replace", "POST"),
    ("get-update", "GET", "/CoffeeShops/update", "POST"),
    ("get-upsert-with-where", "GET", "/CoffeeShops/upsertWithWhere", "POST"),
    ("get-replace-or-create", "GET", "/CoffeeShops/replaceOrCreate", "POST"),
    ("delete-reviews", "DELETE", "/Reviews", "GET, HEAD, PATCH, POST, PUT"),
]


@pytest.mark.parametrize(
    ("verb", "path", "allow"), [c[1:] for c in WRONG_VERBS], ids=[c[0] for c in WRONG_VERBS]
)
async def test_wrong_verb_is_405_with_allow(
    seeded: httpx.AsyncClient, verb: str, path: str, allow: str
) -> None:
    response = await seeded.request(verb, path)
    assert response.json() == lb3_error(
        405, f"{verb} is not allowed on /api{path}", code="METHOD_NOT_ALLOWED"
    )
    assert error(response, 405)
    assert response.headers["allow"] == allow
    for listed in allow.split(", "):  # the Allow header tells the truth
        answer = await seeded.request(listed, path, json={"name": "N", "city": "C"})
        assert answer.status_code != 405, (listed, path)


NOT_JSON = [
    ("text-plain", "text/plain", b'{"name":"Plain","city":"X"}'),
    ("multipart", "multipart/form-data; boundary=x", b'{"name":"a","city":"b"}'),
    ("xml", "application/xml", b"<shop/>"),
]


@pytest.mark.parametrize(
    ("content_type", "raw"), [c[1:] for c in NOT_JSON], ids=[c[0] for c in NOT_JSON]
)
@pytest.mark.parametrize(
    ("verb", "path"),
    [("POST", "/CoffeeShops"), ("PATCH", "/CoffeeShops/1"), ("PUT", "/CoffeeShops/1")],
    ids=["create", "patch-attributes", "replace-by-id"],
)
async def test_non_json_body_is_415(
    seeded: httpx.AsyncClient, verb: str, path: str, content_type: str, raw: bytes
) -> None:
    response = await seeded.request(verb, path, content=raw, headers={"content-type": content_type})
    media = content_type.split(";")[0]
    assert response.json() == lb3_error(
        415,
        f"Unsupported content type {media}: send application/json",
        name="UnsupportedMediaTypeError",
    )
    assert error(response, 415)
    assert ok(await seeded.get("/CoffeeShops")) == SHOPS


async def test_body_without_content_type_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post("/CoffeeShops", content=b'{"name":"a","city":"b"}')
    assert error(response, 415)["message"] == (
        "Unsupported content type (none): send application/json"
    )


async def test_structured_json_suffix_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/CoffeeShops",
        content=b'{"name":"a","city":"b"}',
        headers={"content-type": "application/vnd.api+json"},
    )
    assert ok(response) == {"name": "a", "city": "b", "id": 1}


MALFORMED = [
    ("truncated", b'{"name": "x",'),
    ("trailing-comma", b'{"name": "x", "city": "y",}'),
    ("single-quotes", b"{'name': 'x'}"),
    ("bare-word", b"notjson"),
    ("whitespace-only", b"  \n"),  # LB3: JSON.parse's "Unexpected end of JSON input"
    ("two-documents", b"{} {}"),
    ("nan", b'{"name": NaN}'),
    ("infinite-number", b'{"name": "x", "city": "y", "rating": 1e999}'),
    ("lone-surrogate-escape", b'{"name": "\\ud800", "city": "y"}'),
]


@pytest.mark.parametrize("raw", [c[1] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
async def test_malformed_json_is_400_syntax_error(client: httpx.AsyncClient, raw: bytes) -> None:
    response = await client.post(
        "/CoffeeShops", content=raw, headers={"content-type": "application/json"}
    )
    err = error(response, 400)
    assert err["name"] == "SyntaxError"
    assert err["message"].startswith("The request body is not valid JSON: ")
    assert ok(await client.get("/CoffeeShops")) == []


INVALID_UTF8 = [
    ("ff-fe", b'{"name":"\xff\xfe","city":"X"}'),
    ("truncated-sequence", b'{"name":"caf\xc3","city":"X"}'),
    ("encoded-surrogate", b'{"name":"\xed\xa0\x80","city":"X"}'),
    ("latin-1", '{"name":"Caf\u00e9","city":"X"}'.encode("latin-1")),
]


@pytest.mark.parametrize("raw", [c[1] for c in INVALID_UTF8], ids=[c[0] for c in INVALID_UTF8])
async def test_invalid_utf8_is_400(client: httpx.AsyncClient, raw: bytes) -> None:
    response = await client.post(
        "/CoffeeShops", content=raw, headers={"content-type": "application/json"}
    )
    body = error(response, 400)
    assert (body["name"], body["message"]) == ("SyntaxError", "The request body is not valid UTF-8")
    assert ok(await client.get("/CoffeeShops")) == []


OBJECT_ONLY = "The request body must be a JSON object. Value is not an object."
OBJECT_OR_ARRAY = "The request body must be a JSON object or array. Value is not an object."
PRIMITIVES = [("string", b'"str"'), ("number", b"5"), ("true", b"true"), ("false", b"false")]
BODY_OPERATIONS = [
    ("create", "POST", "/CoffeeShops", OBJECT_OR_ARRAY),
    ("patch-or-create", "PATCH", "/CoffeeShops", OBJECT_ONLY),
    ("replace-or-create", "PUT", "/CoffeeShops", OBJECT_ONLY),
    ("replace-or-create-post", "POST", "/CoffeeShops/replaceOrCreate", OBJECT_ONLY),
    ("upsert-with-where", "POST", "/CoffeeShops/upsertWithWhere?where[id]=1", OBJECT_ONLY),
    ("update-all", "POST", "/CoffeeShops/update?where[id]=1", OBJECT_ONLY),
    ("replace-by-id", "PUT", "/CoffeeShops/1", OBJECT_ONLY),
    ("replace-by-id-post", "POST", "/CoffeeShops/1/replace", OBJECT_ONLY),
    ("patch-attributes", "PATCH", "/CoffeeShops/1", OBJECT_ONLY),
]


@pytest.mark.parametrize("raw", [c[1] for c in PRIMITIVES], ids=[c[0] for c in PRIMITIVES])
@pytest.mark.parametrize(
    ("verb", "path", "message"), [c[1:] for c in BODY_OPERATIONS], ids=[c[0] for c in BODY_OPERATIONS]
)  # fmt: skip
async def test_primitive_body_is_400(
    seeded: httpx.AsyncClient, verb: str, path: str, message: str, raw: bytes
) -> None:
    response = await seeded.request(
        verb, path, content=raw, headers={"content-type": "application/json"}
    )
    assert error(response, 400)
    assert response.json() == lb3_error(400, message)
    assert ok(await seeded.get("/CoffeeShops")) == SHOPS


@pytest.mark.parametrize(
    ("verb", "path"),
    [("PATCH", "/CoffeeShops"), ("PUT", "/CoffeeShops"), ("PATCH", "/CoffeeShops/1")],
    ids=["patch-or-create", "replace-or-create", "patch-attributes"],
)
async def test_array_body_where_an_object_is_expected(
    seeded: httpx.AsyncClient, verb: str, path: str
) -> None:
    response = await seeded.request(verb, path, json=[{"id": 1, "city": "Z"}])
    assert response.json() == lb3_error(400, OBJECT_ONLY)


async def test_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    name = "x" * DEFAULT_BODY_LIMIT
    response = await client.post("/CoffeeShops", json={"name": name, "city": "X"})
    assert response.json() == lb3_error(
        413, "request entity too large", name="PayloadTooLargeError"
    )
    assert error(response, 413)
    assert ok(await client.get("/CoffeeShops")) == []


async def test_streamed_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> Any:
        for _ in range(DEFAULT_BODY_LIMIT // 65536 + 2):
            yield b" " * 65536

    response = await client.post(
        "/CoffeeShops", content=chunks(), headers={"content-type": "application/json"}
    )
    assert error(response, 413)["name"] == "PayloadTooLargeError"


async def test_body_just_under_the_limit_is_read(client: httpx.AsyncClient) -> None:
    padding = " " * (DEFAULT_BODY_LIMIT - 100)
    raw = f'{{"name": "Big",{padding}"city": "X"}}'.encode()
    response = await client.post(
        "/CoffeeShops", content=raw, headers={"content-type": "application/json"}
    )
    assert ok(response) == {"name": "Big", "city": "X", "id": 1}


async def test_errors_are_json_whatever_the_accept_header(seeded: httpx.AsyncClient) -> None:
    """LB3 renders errors as HTML or XML on request and answers 406 to successes; this server
    speaks JSON only."""
    missing = await seeded.get("/CoffeeShops/9999", headers={"accept": "text/html"})
    assert error(missing, 404)["code"] == "MODEL_NOT_FOUND"
    found = await seeded.get("/CoffeeShops/1", headers={"accept": "application/xml"})
    assert ok(found) == SHOPS[0]


async def test_unexpected_failure_is_500_without_details(
    app: LoopBackApp, seeded: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    for read in ("find", "find_body"):  # the row path, and the body PostgreSQL writes
        monkeypatch.setattr(app.models["CoffeeShop"], read, broken)
    response = await seeded.get("/CoffeeShops")
    assert response.json() == lb3_error(500, "Internal Server Error", name="InternalServerError")
    assert error(response, 500)
    assert "secret" not in response.text
