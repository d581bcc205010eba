"""hasOne through REST on an app that declares one (Patron hasOne LibraryCard), on every backend:
LB3's answers where they are sound (tests/oracle/lb3-3.28/relations.md section 2.5), and 409/404 where
LB3 answers 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from specgen.cli import compile_app, load_generated
from specgen.render import write_package
from tests.databases import ALL_BACKENDS, TestDatabases
from tests.http.support import error, ok
from tests.specgen.appdir import write_app

PATRON = {
    "name": "Patron",
    "properties": {"name": {"type": "string", "required": True}},
    "relations": {
        "libraryCard": {"type": "hasOne", "model": "LibraryCard", "foreignKey": "patronId"}
    },
}
CARD = {
    "name": "LibraryCard",
    "properties": {"number": {"type": "string", "required": True}},
    "relations": {"patron": {"type": "belongsTo", "model": "Patron", "foreignKey": "patronId"}},
}


@pytest.fixture(params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def library(
    backend: str, databases: TestDatabases, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    app_dir = write_app(tmp_path / "library", [PATRON, CARD])
    package = tmp_path / f"has_one_{backend}"
    _, files, _ = compile_app(app_dir, package)
    write_package(files, package)
    app = load_generated(package).create_app(db_url=databases.fresh(backend))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as client:
        assert len(ok(await client.post("/Patrons", json=[{"name": "Ann"}, {"name": "Bob"}]))) == 2
        yield client
    await app.db.close()


async def test_has_one_lifecycle(library: httpx.AsyncClient) -> None:
    err = error(await library.get("/Patrons/1/libraryCard"), 404)
    assert (err["message"], err["code"]) == (
        'No "LibraryCard" instance(s) found',
        "MODEL_NOT_FOUND",
    )
    created = ok(
        await library.post("/Patrons/1/libraryCard", json={"number": "C-1", "patronId": 2})
    )
    assert created == {"number": "C-1", "id": 1, "patronId": 1}  # the key is the server's
    assert ok(await library.get("/Patrons/1/libraryCard")) == created
    assert ok(await library.get("/LibraryCards/1/patron")) == {"name": "Ann", "id": 1}
    # a second one: LB3 answers 500; the relation holds one, so this is a conflict
    err = error(await library.post("/Patrons/1/libraryCard", json={"number": "C-1b"}), 409)
    assert err["code"] == "HAS_ONE_EXISTS"
    updated = ok(await library.put("/Patrons/1/libraryCard", json={"number": "C-1-upd", "patronId": 2}))  # fmt: skip
    assert updated == {"number": "C-1-upd", "id": 1, "patronId": 1}
    err = error(await library.put("/Patrons/1/libraryCard", json={"number": None}), 422)
    assert err["details"]["codes"] == {"number": ["presence"]}
    response = await library.delete("/Patrons/1/libraryCard")
    assert (response.status_code, response.content) == (204, b"")
    assert ok(await library.get("/LibraryCards/count")) == {"count": 0}


async def test_has_one_with_nothing_there_is_404(library: httpx.AsyncClient) -> None:
    """LB3 answers 500 `HasOne relation libraryCard is empty` to both."""
    for method in ("PUT", "DELETE"):
        body = {"number": "x"} if method == "PUT" else None
        err = error(await library.request(method, "/Patrons/2/libraryCard", json=body), 404)
        assert err["message"] == 'No "LibraryCard" instance(s) found'
    for method in ("GET", "POST", "PUT", "DELETE"):
        body = {"number": "x"} if method in ("POST", "PUT") else None
        err = error(await library.request(method, "/Patrons/999/libraryCard", json=body), 404)
        assert (err["message"], err["code"]) == ("could not find a model with id 999", "MODEL_NOT_FOUND")  # fmt: skip


async def test_has_one_validates_the_body(library: httpx.AsyncClient) -> None:
    err = error(await library.post("/Patrons/1/libraryCard", json={}), 422)
    assert err["details"]["codes"] == {"number": ["presence"]}
    err = error(await library.post("/Patrons/1/libraryCard", json=[{"number": "A"}]), 400)
    assert err["message"] == "The request body must be a JSON object. Value is not an object."
    assert ok(await library.get("/LibraryCards/count")) == {"count": 0}
