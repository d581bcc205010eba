"""Remote methods over HTTP, against what LB3 3.28 answers for the same declarations (recorded from
loopback@3 with strong-error-handler in production mode; see remote_app.py): argument coercion and its
400s, result shapes (root, several returns, none: 204), http.status / errorStatus, an error's own
statusCode, instance methods, a method declared without implementation (LB3: 500; here 501), methods
declared from Python, and methods hidden by sharedMethods and disable_remote_method_by_name."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.app import LoopBackApp
from runtime.operations import arguments
from tests.functional.remote_app import make_app
from tests.functional.test_extensions import _lifespan
from tests.http.support import error, lb3_error, ok


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make_app(tmp_path_factory.mktemp("remote"))


@pytest.fixture
def shops(package: Any) -> LoopBackApp:
    app: LoopBackApp = package.create_app(db_url="sqlite://")
    return app


@pytest.fixture
async def client(shops: LoopBackApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=shops)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/api") as c:
        assert (await c.post("/Shops", json={"name": "a"})).status_code == 200
        yield c


# (query, LB3's status, LB3's body)
LB3_ANSWERS: list[tuple[str, int, Any]] = [
    ("status?hour=7.5", 200, {"open": True, "message": "msg 7.5"}),
    ("status?hour=21", 200, {"open": False, "message": "msg 21"}),
    ("status", 400, lb3_error(400, "hour is a required argument")),
    ("status?hour=", 400, lb3_error(400, "hour is a required argument")),
    ("status?hour=abc", 400, lb3_error(400, "Value is not a number.")),
    ("greet?name=5", 200, {"greeting": "hi 5"}),
    ("rootm?n=4", 200, {"n": 4, "t": "int"}),
    ("flags?b=1&i=2.5", 400, lb3_error(400, "Value is not a safe integer.")),
    ("flags?i=abc", 400, lb3_error(400, "Value is not a number.")),
    ("flags?b=abc", 400, lb3_error(400, "Value is not a boolean.")),
    ("flags?o=notjson", 400, lb3_error(400, "Value is not an object.")),
    ("flags?d=garbage", 400, lb3_error(400, 'Invalid argument "d". Value is not a valid date.')),
    ("pathm/12", 200, {"x": 12}),
    ("pathm/xx", 400, lb3_error(400, "Value is not a number.")),
    ("fail", 418, lb3_error(418, "teapot here", code="TEA")),  # its own statusCode wins
    ("fail2", 409, lb3_error(409, "plain")),  # http.errorStatus
]


@pytest.mark.parametrize(("query", "status", "body"), LB3_ANSWERS, ids=[a[0] for a in LB3_ANSWERS])
async def test_answers_as_lb3(
    client: httpx.AsyncClient, query: str, status: int, body: Any
) -> None:
    response = await client.get(f"/Shops/{query}")
    if status == 200:
        assert ok(response) == body
    else:
        error(response, status)
        assert response.json() == body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("b=true&i=3", {"b": True, "i": 3}),
        ("b=0", {"b": False}),
        ("d=2020-01-01", {"d": "2020-01-01T00:00:00"}),
        ("d=1600000000000", {"d": "2020-09-13T12:26:40"}),  # LB3 reads digits as milliseconds
        ("a=1&a=2", {"a": [1, 2]}),
        ("a=%5B1%2C2%5D", {"a": [1, 2]}),
        ("a=x", {"a": ["x"]}),
        ("o=%7B%22x%22%3A1%7D", {"o": {"x": 1}}),
        ("o%5Bx%5D=1", {"o": {"x": "1"}}),
    ],
)
async def test_query_values_are_converted_as_lb3_converts_them(
    client: httpx.AsyncClient, query: str, expected: dict[str, Any]
) -> None:
    body = ok(await client.get(f"/Shops/flags?{query}"))
    assert {k: v for k, v in body.items() if v is not None} == expected


async def test_a_declared_default_fills_a_missing_argument(client: httpx.AsyncClient) -> None:
    # deliberate: LB3 3.28 leaves the argument undefined (docs/lb3-differences.md)
    assert ok(await client.get("/Shops/rootm")) == {"n": 3, "t": "int"}


async def test_http_status_and_no_returns(client: httpx.AsyncClient) -> None:
    response = await client.post("/Shops/created")
    assert (response.status_code, response.json()) == (201, {"x": 5})
    response = await client.get("/Shops/noret")
    assert (response.status_code, response.content) == (204, b"")


async def test_body_argument(client: httpx.AsyncClient) -> None:
    assert ok(await client.post("/Shops/bodym", json={"a": 1})) == {"a": 1}
    error(await client.post("/Shops/bodym", json=[1]), 400)


async def test_a_model_typed_body_is_checked_by_the_generated_pydantic_model(
    client: httpx.AsyncClient,
) -> None:
    assert ok(await client.post("/Shops/new", json={"name": "x"})) == {"name": "x"}
    err = error(await client.post("/Shops/new", json={"name": 5}), 422)
    assert err["name"] == "ValidationError"
    assert err["details"]["codes"] == {"name": ["string_type"]}
    err = error(await client.post("/Shops/new", json={"nope": 1}), 422)
    assert "nope" in err["details"]["codes"]


async def test_header_argument_and_the_context(client: httpx.AsyncClient) -> None:
    body = ok(await client.get("/Shops/who", headers={"agent": "me"}))
    assert body == {"who": "me via Shop.who"}


async def test_instance_method(client: httpx.AsyncClient) -> None:
    assert ok(await client.post("/Shops/1/rename?suffix=X")) == {"name": "aX", "id": 1}
    assert ok(await client.get("/Shops/1")) == {"name": "aX", "id": 1}
    error(await client.post("/Shops/1/rename"), 400)
    assert (await client.post("/Shops/1/rename")).json() == lb3_error(
        400, "suffix is a required argument"
    )
    missing = await client.post("/Shops/9/rename?suffix=X")  # LB3: the instance first
    error(missing, 404)
    assert missing.json() == lb3_error(
        404, "could not find a model with id 9", code="MODEL_NOT_FOUND"
    )
    error(await client.post("/Shops/9/rename"), 404)


async def test_several_routes(client: httpx.AsyncClient) -> None:
    assert ok(await client.get("/Shops/twice")) == {"x": 2}
    assert ok(await client.post("/Shops/twice2")) == {"x": 2}


async def test_declared_without_implementation_is_501_and_a_startup_warning(
    shops: LoopBackApp, caplog: pytest.LogCaptureFixture
) -> None:
    transport = httpx.ASGITransport(app=shops)
    with caplog.at_level(logging.WARNING, logger="runtime.remote"):
        async with (
            _lifespan(shops),
            httpx.AsyncClient(transport=transport, base_url="http://t/api") as c,
        ):
            response = await c.get("/Shops/declared")
    err = error(response, 501)
    assert err["code"] == "NOT_IMPLEMENTED"
    assert "Shop.declared" in err["message"]
    warned = [r.getMessage() for r in caplog.records if r.name == "runtime.remote"]
    assert len(warned) == 1 and "Shop.declared" in warned[0]


async def test_method_declared_from_python(client: httpx.AsyncClient, shops: LoopBackApp) -> None:
    assert ok(await client.get("/Shops/echo?word=ab")) == {"echo": "abab"}
    assert (await client.get("/Shops/echo")).json() == lb3_error(400, "word is a required argument")
    assert ok(await client.get("/Shops/1/tag?label=2.5"))["name"] == "a 2.5"
    error(await client.get("/Shops/1/tag?label=x"), 400)


async def test_methods_declared_from_python_are_typed_in_the_served_document(
    client: httpx.AsyncClient,
) -> None:
    """Typed by the compiler's own function, as if the JSON declared them."""
    served = (await client.get("/openapi.json")).json()["paths"]
    echo = served["/Shops/echo"]["get"]
    assert echo["operationId"] == "Shop_echo"
    assert echo["parameters"] == [
        {"name": "word", "in": "query", "required": True,
         "schema": {"type": "string", "minLength": 1}}
    ]  # fmt: skip
    assert echo["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "object",
        "properties": {"echo": {"type": "string"}},
    }
    assert echo["x-lb-operation"] == {"model": "Shop", "method": "echo", "remote": True,
                                      "lb3OperationId": "Shop.echo"}  # fmt: skip
    tag = served["/Shops/{id}/tag"]["get"]
    assert [(p["name"], p["schema"]) for p in tag["parameters"]] == [
        ("id", {"type": "integer", "format": "int64", "minimum": 1}),
        ("label", {"type": "number"}),
    ]
    ok_schema = tag["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok_schema == {"$ref": "#/components/schemas/Shop"}
    assert set(tag["responses"]) == {"200", "400", "404", "501"}


async def test_hidden_methods_leave_rest_and_the_document(
    client: httpx.AsyncClient, shops: LoopBackApp, package: Any
) -> None:
    # sharedMethods (model-config) hides count at compile time; disable_remote_method_by_name
    # hides `hidden` and deleteById (by its alias destroyById) at start-up
    compiled = (Path(package.__file__).parent / "openapi.yaml").read_text(encoding="utf-8")
    assert "/Shops/count:" not in compiled and "/Shops/hidden:" in compiled
    paths = shops.document["paths"]
    assert "/Shops/hidden" not in paths and "/Shops/count" not in paths
    assert "delete" not in paths["/Shops/{id}"]
    served = (await client.get("/openapi.json")).json()["paths"]
    assert "/Shops/hidden" not in served and "delete" not in served["/Shops/{id}"]
    error(await client.get("/Shops/count"), 404)  # the findById route: "count" is no id
    error(await client.delete("/Shops/1"), 405)
    assert ok(await client.get("/Shops/1"))["id"] == 1


def test_the_documented_operations_are_typed(package: Any) -> None:
    import yaml

    doc = yaml.safe_load((Path(package.__file__).parent / "openapi.yaml").read_text("utf-8"))
    status = doc["paths"]["/Shops/status"]["get"]
    assert status["operationId"] == "Shop_status"
    assert status["parameters"] == [
        {"name": "hour", "in": "query", "required": True, "schema": {"type": "number"}}
    ]
    ok_schema = status["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok_schema == {
        "type": "object",
        "properties": {"open": {"type": "boolean"}, "message": {"type": "string"}},
    }
    rename = doc["paths"]["/Shops/{id}/rename"]["post"]
    assert rename["x-lb-operation"]["method"] == "prototype.rename"
    assert [p["name"] for p in rename["parameters"]] == ["id", "suffix"]
    new = doc["paths"]["/Shops/new"]["post"]
    assert new["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NewShop"
    }
    assert set(doc["paths"]["/Shops/noret"]["get"]["responses"]) >= {"204", "400", "501"}
    twice = doc["paths"]["/Shops/twice2"]["post"]
    assert twice["operationId"] == "Shop_twice_post"


def test_the_generic_binder_matches_the_generated_one() -> None:
    """A method declared from Python gets the same converters the generated binders call."""
    assert arguments.converter("number", "x")("7.5") == 7.5
    assert arguments.converter(["number"], "x")(["1", "2"]) == [1, 2]
    assert arguments.source_of({"arg": "o", "http": "optionsFromRequest"}) == "context"
    assert arguments.source_of({"arg": "q"}) == "query"


def test_specgen_check_names_the_unimplemented_method(
    package: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from specgen.cli import main

    app_dir = Path(package.__file__).parent.parent.parent / "shops"
    assert main(["check", str(app_dir)]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 1, warnings
    assert "#/methods/declared: Shop.declared is declared but models/shop.py" in warnings[0]


def test_declaring_or_hiding_after_start_up_is_refused(shops: LoopBackApp) -> None:
    shop = shops.models["Shop"]
    with pytest.raises(RuntimeError, match=r"Shop.remote_method\('late'\) after start-up"):
        shop.remote_method("late")
    with pytest.raises(RuntimeError, match=r"disable_remote_method_by_name.*after start-up"):
        shop.disable_remote_method_by_name("find")
