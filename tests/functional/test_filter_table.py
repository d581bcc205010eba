"""The where language through HTTP on every backend: one fixed data set (case, NULLs, unicode, dates,
arrays, objects, embedded items, geopoints), a table of (filter, expected ids in order), and the same
answer on SQLite, PostgreSQL and MySQL/MariaDB. The data set is seeded once per backend; tests that
write reseed it."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import sqlalchemy as sa

from runtime.app import LoopBackApp
from runtime.filter.limits import FilterLimits
from tests.functional.library import backend, library
from tests.http.conftest import empty
from tests.http.support import error, ok

__all__ = ["backend", "library"]  # the fixtures this module uses

AUTHORS: list[dict[str, Any]] = [
    {
        "name": "Ada",
        "email": "ada@x.org",
        "born": "1815-12-10",
        "location": {"lat": 51.5074, "lng": -0.1278},
        "_address": {"city": "London", "street": "St James"},
    },
    {
        "name": "alan",
        "email": "ALAN@x.org",
        "born": "1912-06-23",
        "location": {"lat": 52.2053, "lng": 0.1218},
        "_address": {"city": "Cambridge"},
    },
    {
        "name": "Émile",
        "email": None,
        "born": "1858-04-15",
        "location": {"lat": 48.8566, "lng": 2.3522},
        "_address": {"city": "Paris"},
    },
    {"name": "Grace", "born": None, "location": None},
    {
        "name": "100% Zoë_",
        "email": "z@x.org",
        "born": "2000-01-01T12:00:00.000Z",
        "location": {"lat": 40.7128, "lng": -74.006},
    },
]
BOOKS: list[dict[str, Any]] = [
    {
        "title": "SQL Basics",
        "isbn": "111",
        "published": True,
        "pages": 120,
        "keywords": ["sql", "db"],
        "details": {"publisher": "Acme", "edition": 2, "rare": False},
        "authorId": 1,
    },
    {
        "title": "sql advanced",
        "isbn": "222",
        "published": False,
        "pages": 450,
        "keywords": ["sql", "advanced"],
        "details": {"publisher": "acme", "edition": 1},
        "authorId": 1,
    },
    {
        "title": "Graphs",
        "published": True,
        "keywords": [],
        "details": {"publisher": "Beta", "edition": "2", "meta": {"lang": "fr"}},
        "authorId": 2,
    },
    {
        "title": "Café au lait",
        "isbn": "444",
        "published": True,
        "pages": 80.5,
        "keywords": ["café"],
        "details": None,
        "authorId": 3,
    },
    {
        "title": "50% off_sale",
        "isbn": "555",
        "published": False,
        "pages": 300,
        "keywords": None,
        "details": {"publisher": None, "rare": True},
    },
    {"title": "Zebra", "isbn": "666", "pages": 10, "keywords": ["Z"]},
]
ALL_BOOKS = [1, 2, 3, 4, 5, 6]

LONDON = {"lat": 51.5, "lng": -0.12}
# (name, where or filter, expected ids in order); a dict with "where"/"order"/... is a whole filter
BOOK_TABLE: list[tuple[str, dict[str, Any], list[int]]] = [
    # like family: like/nlike case-sensitive, ilike/nilike not, `\` escapes, NULL never matches
    ("like-case-sensitive", {"title": {"like": "sql%"}}, [2]),
    ("like-upper", {"title": {"like": "SQL%"}}, [1]),
    ("ilike", {"title": {"ilike": "sql%"}}, [1, 2]),
    ("ilike-options-i", {"title": {"like": "SQL%", "options": "i"}}, [1, 2]),
    ("nlike", {"title": {"nlike": "sql%"}}, [1, 3, 4, 5, 6]),
    ("nilike", {"title": {"nilike": "%S%"}}, [4, 6]),
    ("like-escaped-percent", {"title": {"like": "50\\% %"}}, [5]),
    ("like-escaped-underscore", {"title": {"like": "%\\_%"}}, [5]),
    ("like-underscore-one-char", {"title": {"like": "_ebra"}}, [6]),
    ("like-unicode-one-char", {"title": {"like": "Caf_ au lait"}}, [4]),
    ("like-unicode", {"title": {"like": "%é%"}}, [4]),
    ("like-star-is-literal", {"title": {"like": "*"}}, []),
    ("like-null-never", {"isbn": {"like": "%"}}, [1, 2, 4, 5, 6]),
    ("nlike-null-never", {"isbn": {"nlike": "1%"}}, [2, 4, 5, 6]),
    # regexp
    ("regexp", {"title": {"regexp": "^sql"}}, [2]),
    ("regexp-i", {"title": {"regexp": "/^sql/i"}}, [1, 2]),
    ("regexp-options-i", {"title": {"regexp": "^sql", "options": "i"}}, [1, 2]),
    ("regexp-end", {"title": {"regexp": "a$"}}, [6]),
    ("regexp-class", {"title": {"regexp": "^[A-Z]"}}, [1, 3, 4, 6]),
    ("regexp-unicode", {"title": {"regexp": "é"}}, [4]),
    ("regexp-g-ignored", {"title": {"regexp": "/bra/g"}}, [6]),
    ("regexp-digits", {"title": {"regexp": "^\\d+%"}}, [5]),
    # exists and null
    ("exists-true", {"isbn": {"exists": True}}, [1, 2, 4, 5, 6]),
    ("exists-false", {"isbn": {"exists": False}}, [3]),
    ("null", {"isbn": None}, [3]),
    ("eq-null", {"pages": {"eq": None}}, [3]),
    ("neq-null", {"isbn": {"neq": None}}, [1, 2, 4, 5, 6]),
    ("neq-keeps-nulls", {"isbn": {"neq": "111"}}, [2, 3, 4, 5, 6]),
    ("object-null", {"details": None}, [4, 6]),
    ("object-exists", {"details": {"exists": True}}, [1, 2, 3, 5]),
    ("array-null", {"keywords": None}, [5]),
    ("array-exists", {"keywords": {"exists": True}}, [1, 2, 3, 4, 6]),
    # numbers, booleans
    ("gt", {"pages": {"gt": 100}}, [1, 2, 5]),
    ("between", {"pages": {"between": [80.5, 300]}}, [1, 4, 5]),
    ("inq", {"pages": {"inq": [10, 450]}}, [2, 6]),
    ("nin-keeps-nulls", {"pages": {"nin": [10, 450]}}, [1, 3, 4, 5]),
    ("lt-null-matches-nothing", {"pages": {"lt": None}}, []),
    ("boolean", {"published": True}, [1, 3, 4]),
    ("string-between", {"title": {"between": ["C", "T"]}}, [1, 3, 4]),
    # arrays: membership
    ("array-contains", {"keywords": "sql"}, [1, 2]),
    ("array-contains-case", {"keywords": "SQL"}, []),
    ("array-contains-unicode", {"keywords": "café"}, [4]),
    ("array-inq", {"keywords": {"inq": ["db", "café"]}}, [1, 4]),
    ("array-nin", {"keywords": {"nin": ["sql", "Z"]}}, [3, 4, 5]),
    ("array-neq", {"keywords": {"neq": "sql"}}, [3, 4, 5, 6]),
    # paths into an object property: compared as the operand's JSON type
    ("path-eq", {"details.publisher": "Acme"}, [1]),
    ("path-ilike", {"details.publisher": {"ilike": "acme"}}, [1, 2]),
    ("path-number", {"details.edition": 2}, [1]),
    ("path-string-not-number", {"details.edition": "2"}, [3]),
    ("path-gte", {"details.edition": {"gte": 1}}, [1, 2]),
    ("path-boolean-true", {"details.rare": True}, [5]),
    ("path-boolean-false", {"details.rare": False}, [1]),
    ("path-null", {"details.publisher": None}, [4, 5, 6]),
    ("path-exists", {"details.publisher": {"exists": True}}, [1, 2, 3]),
    ("path-nested", {"details.meta.lang": "fr"}, [3]),
    ("path-neq", {"details.publisher": {"neq": "Acme"}}, [2, 3, 4, 5, 6]),
    ("path-inq", {"details.publisher": {"inq": ["Acme", "Beta"]}}, [1, 3]),
    ("path-nin", {"details.publisher": {"nin": ["Acme", "Beta"]}}, [2, 4, 5, 6]),
    ("path-gt-code-point", {"details.publisher": {"gt": "B"}}, [2, 3]),
    ("path-between", {"details.edition": {"between": [1, 1.5]}}, [2]),
    ("path-regexp", {"details.publisher": {"regexp": "^a"}}, [2]),
    ("path-missing-key", {"details.nosuch": "x"}, []),
    # and / or
    ("or", {"or": [{"pages": {"lt": 50}}, {"title": {"like": "%lait"}}]}, [4, 6]),
    ("and", {"and": [{"keywords": "sql"}, {"published": False}]}, [2]),
    # order: NULLs last ascending, first descending, on every backend; ties broken by id
    ("order-asc-nulls-last", {"order": "pages ASC"}, [6, 4, 1, 5, 2, 3]),
    ("order-desc-nulls-first", {"order": "pages DESC"}, [3, 2, 5, 1, 4, 6]),
    ("order-string-desc-nulls-first", {"order": "isbn desc"}, [3, 6, 5, 4, 2, 1]),
    ("order-two-keys", {"order": ["published DESC", "title ASC"]}, [4, 3, 1, 5, 6, 2]),
    ("order-comma-string", {"order": "published DESC, title"}, [4, 3, 1, 5, 6, 2]),
    ("order-path", {"order": "details.edition"}, [2, 1, 3, 4, 5, 6]),
    ("order-path-desc", {"order": "details.publisher DESC"}, [4, 5, 6, 2, 3, 1]),
    ("order-page", {"order": "title", "limit": 2, "skip": 1}, [4, 3]),
    ("order-offset", {"order": "title", "limit": 2, "offset": 4}, [6, 2]),
    (
        "where-order-limit",
        {"where": {"published": False}, "order": "pages DESC", "limit": 2},
        [2, 5],
    ),
]
AUTHOR_TABLE: list[tuple[str, dict[str, Any], list[int]]] = [
    ("like-unicode", {"name": {"like": "%ë%"}}, [5]),
    ("like-escaped", {"name": {"like": "100\\%%"}}, [5]),
    ("like-trailing-underscore", {"name": {"like": "%\\_"}}, [5]),
    ("ilike-ascii", {"name": {"ilike": "ALAN"}}, [2]),
    ("like-exact-case", {"name": {"like": "Alan"}}, []),
    ("regexp-unicode-start", {"name": {"regexp": "^É"}}, [3]),
    ("nilike-null-never", {"email": {"nilike": "%@x.org"}}, []),
    ("ilike-email", {"email": {"ilike": "alan@%"}}, [2]),
    ("date-gt", {"born": {"gt": "1900-01-01"}}, [2, 5]),
    ("date-between", {"born": {"between": ["1800-01-01", "1900-01-01"]}}, [1, 3]),
    ("date-eq", {"born": "2000-01-01T13:00:00+01:00"}, [5]),
    ("date-null", {"born": None}, [4]),
    ("order-date-desc", {"order": "born DESC"}, [4, 5, 2, 3, 1]),
    ("embedded-eq", {"_address.city": "London"}, [1]),
    ("embedded-by-relation-name", {"address.city": {"inq": ["Paris", "Cambridge"]}}, [2, 3]),
    ("embedded-like", {"_address.city": {"like": "%on"}}, [1]),
    ("embedded-null", {"_address.street": None}, [2, 3, 4, 5]),
    ("embedded-order", {"order": "_address.city"}, [2, 1, 3, 4, 5]),
    ("embedded-order-desc", {"order": "address.city DESC"}, [4, 5, 3, 1, 2]),
    ("geopoint-null", {"location": None}, [4]),
    ("geopoint-exists", {"location": {"exists": True}}, [1, 2, 3, 5]),
    # near: rows with a point, nearest first (before any order), within maxDistance if given
    ("near", {"location": {"near": LONDON}}, [1, 2, 3, 5]),
    ("near-km", {"location": {"near": LONDON, "maxDistance": 100, "unit": "kilometers"}}, [1, 2]),
    (
        "near-km-paris",
        {"location": {"near": LONDON, "maxDistance": 400, "unit": "kilometers"}},
        [1, 2, 3],
    ),
    ("near-miles-default", {"location": {"near": "51.5,-0.12", "maxDistance": 60}}, [1, 2]),
    ("near-array", {"location": {"near": [48.85, 2.35]}}, [3, 1, 2, 5]),
    ("near-meters", {"location": {"near": LONDON, "maxDistance": 2000, "unit": "meters"}}, [1]),
    ("near-zero-is-no-max", {"location": {"near": LONDON, "maxDistance": 0}}, [1, 2, 3, 5]),
    (
        "near-before-order",
        {"where": {"location": {"near": "48.85,2.35"}}, "order": "name DESC", "limit": 2},
        [3, 1],
    ),
    (
        "near-with-and",
        {"and": [{"location": {"near": LONDON}}, {"name": {"neq": "Ada"}}]},
        [2, 3, 5],
    ),
]


def as_filter(raw: dict[str, Any]) -> dict[str, Any]:
    keys = {"where", "order", "limit", "skip", "offset", "fields", "include"}
    return raw if raw and set(raw) <= keys else {"where": raw}


def ids(response: httpx.Response) -> list[int]:
    return [row["id"] for row in ok(response)]


async def seed(app: LoopBackApp) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as http:
        for author in AUTHORS:
            ok(await http.post("/Authors", json=author))
        for book in BOOKS:
            ok(await http.post("/Books", json=book))


@pytest.fixture
async def api(library: tuple[LoopBackApp, sa.Engine]) -> Any:
    """The backend's library holding the data set (seeded on first use, and after a writer)."""
    application, engine = library
    if not getattr(application, "filter_table_seeded", False):
        empty(application, engine)
        await seed(application)
        application.filter_table_seeded = True  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as http:
        yield http


@pytest.fixture
async def writer(api: httpx.AsyncClient, library: tuple[LoopBackApp, sa.Engine]) -> Any:
    """The seeded library for a test that changes it: seeded again for the next test."""
    yield api
    library[0].filter_table_seeded = False  # type: ignore[attr-defined]


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in BOOK_TABLE], ids=[c[0] for c in BOOK_TABLE])  # fmt: skip
async def test_books(api: httpx.AsyncClient, raw: dict[str, Any], expected: list[int]) -> None:
    response = await api.get("/Books", params={"filter": json.dumps(as_filter(raw))})
    assert ids(response) == expected


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in AUTHOR_TABLE], ids=[c[0] for c in AUTHOR_TABLE])  # fmt: skip
async def test_authors(api: httpx.AsyncClient, raw: dict[str, Any], expected: list[int]) -> None:
    response = await api.get("/Authors", params={"filter": json.dumps(as_filter(raw))})
    assert ids(response) == expected


COUNTS = [
    ({"keywords": "sql"}, 2),
    ({"title": {"ilike": "%a%"}}, 6),
    ({"details.publisher": None}, 3),
    ({"isbn": {"exists": False}}, 1),
]


@pytest.mark.parametrize(("where", "expected"), COUNTS, ids=[json.dumps(c[0]) for c in COUNTS])
async def test_count(api: httpx.AsyncClient, where: dict[str, Any], expected: int) -> None:
    response = await api.get("/Books/count", params={"where": json.dumps(where)})
    assert ok(response) == {"count": expected}


BRACKETS = [
    ("filter[where][pages][gt]=100", [1, 2, 5]),
    ("filter[where][published]=false", [2, 5, 6]),
    ("filter[where][title][like]=sql%25", [2]),
    ("filter[where][title][regexp]=/^SQL/i", [1, 2]),
    ("filter[where][keywords]=sql", [1, 2]),
    ("filter[where][keywords][inq][0]=db&filter[where][keywords][inq][1]=Z", [1, 6]),
    ("filter[where][isbn][exists]=false", [3]),
    ("filter[where][details.edition]=2", [3]),  # a free-form value is text in this form
    ("filter[where][pages][between][0]=10&filter[where][pages][between][1]=100", [4, 6]),
    ("filter[order]=pages%20DESC&filter[limit]=2", [3, 2]),
    ("filter[order][0]=published%20DESC&filter[order][1]=title", [4, 3, 1, 5, 6, 2]),
]


@pytest.mark.parametrize(("query", "expected"), BRACKETS, ids=[b[0] for b in BRACKETS])
async def test_bracket_form(api: httpx.AsyncClient, query: str, expected: list[int]) -> None:
    assert ids(await api.get(f"/Books?{query}")) == expected


NEAR_BRACKETS = [
    (
        "filter[where][location][near]=51.5,-0.12&filter[where][location][maxDistance]=100&filter[where][location][unit]=kilometers",
        [1, 2],
    ),
    (
        "filter[where][location][near][lat]=48.85&filter[where][location][near][lng]=2.35",
        [3, 1, 2, 5],
    ),
    ("filter[where][born][gt]=1900-01-01", [2, 5]),
    ("filter[where][_address.city]=Paris", [3]),
]


@pytest.mark.parametrize(("query", "expected"), NEAR_BRACKETS, ids=[b[0][:60] for b in NEAR_BRACKETS])  # fmt: skip
async def test_author_bracket_form(api: httpx.AsyncClient, query: str, expected: list[int]) -> None:
    assert ids(await api.get(f"/Authors?{query}")) == expected


async def test_fields_and_find_one(api: httpx.AsyncClient) -> None:
    flt = {"where": {"keywords": "sql"}, "fields": ["title", "keywords"], "order": "title DESC"}
    rows = ok(await api.get("/Books", params={"filter": json.dumps(flt)}))
    assert rows == [
        {"title": "sql advanced", "keywords": ["sql", "advanced"]},
        {"title": "SQL Basics", "keywords": ["sql", "db"]},
    ]
    flt = {"where": {"details.publisher": {"ilike": "ACME"}}, "order": "pages DESC"}
    one = ok(await api.get("/Books/findOne", params={"filter": json.dumps(flt)}))
    assert one["id"] == 2
    flt = {"fields": {"details": False, "keywords": False}, "where": {"id": 4}}
    (row,) = ok(await api.get("/Books", params={"filter": json.dumps(flt)}))
    assert "details" not in row and "keywords" not in row and row["title"] == "Café au lait"


async def test_update_all_where(writer: httpx.AsyncClient) -> None:
    where = json.dumps({"title": {"ilike": "sql%"}, "keywords": "sql"})
    response = await writer.post(f"/Books/update?where={quote(where)}", json={"isbn": "X"})
    assert ok(response) == {"count": 2}
    flt = json.dumps({"where": {"isbn": "X"}})
    assert ids(await writer.get("/Books", params={"filter": flt})) == [1, 2]
    where = json.dumps({"details.rare": True})
    response = await writer.post(f"/Books/update?where={quote(where)}", json={"pages": 1})
    assert ok(response) == {"count": 1}


async def test_destroy_all_where(
    writer: httpx.AsyncClient, library: tuple[LoopBackApp, sa.Engine]
) -> None:
    books = library[0].models["Book"]
    assert await books.destroy_all({"title": {"regexp": "/^s/i"}}) == 2
    assert await books.destroy_all({"details.publisher": {"exists": False}}) == 3
    assert ids(await writer.get("/Books")) == [3]
    authors = library[0].models["Author"]
    assert await authors.destroy_all({"location": {"near": LONDON, "maxDistance": 1}}) == 1
    assert await authors.count({"location": {"exists": True}}) == 3


# ---- client errors: 400 in LB3's shape, never a 500 ----------------------------------------------

BAD: list[tuple[str, str, dict[str, Any], str]] = [
    ("Books", "regexp-invalid", {"where": {"title": {"regexp": "("}}}, "invalid regexp"),
    ("Books", "regexp-flags", {"where": {"title": {"regexp": "/a/x"}}}, "Invalid regex flags: x"),
    ("Books", "regexp-number", {"where": {"title": {"regexp": 5}}}, "Expected a string"),
    ("Books", "regexp-too-long", {"where": {"title": {"regexp": "a" * 513}}}, "maxRegexpLength"),
    ("Books", "like-number", {"where": {"title": {"like": 5}}}, "Expected a string"),
    ("Books", "like-trailing-escape", {"where": {"title": {"like": "a\\"}}}, "escape character"),
    ("Books", "like-on-number", {"where": {"pages": {"like": "1%"}}}, "string properties only"),
    ("Books", "options-not-i", {"where": {"title": {"like": "a", "options": "x"}}}, '"options"'),
    (
        "Books",
        "exists-not-boolean",
        {"where": {"isbn": {"exists": 1}}},
        "exists takes true or false",
    ),
    ("Books", "limit-over-max", {"limit": 1001}, "maxLimit"),
    ("Books", "inq-over-max", {"where": {"pages": {"inq": list(range(1001))}}}, "maxInqSize"),
    (
        "Books",
        "near-not-geopoint",
        {"where": {"title": {"near": "1,2"}}},
        "geopoint properties only",
    ),
    ("Books", "hidden", {"where": {"internalCode": "x"}}, 'Unknown property "internalCode"'),
    ("Books", "hidden-order", {"order": "internalCode"}, 'Unknown property "internalCode"'),
    ("Books", "path-into-string", {"where": {"title.x": "a"}}, "not an object"),
    ("Books", "path-index", {"where": {"details.0": "a"}}, "each key of a path must be a name"),
    (
        "Books",
        "path-object-value",
        {"where": {"details.meta": {"eq": {"a": 1}}}},
        "string, number or boolean",
    ),
    ("Books", "object-compare", {"where": {"details": "x"}}, "is an object"),
    ("Books", "array-gt", {"where": {"keywords": {"gt": "a"}}}, "is an array"),
    ("Books", "array-item-type", {"where": {"keywords": 5}}, "is not a string"),
    (
        "Books",
        "unknown-operator",
        {"where": {"title": {"contains": "a"}}},
        'Unknown operator "contains"',
    ),
    (
        "Books",
        "where-depth",
        {"where": json.loads('{"or": [' * 34 + "{}" + "]}" * 34)},
        "maxWhereDepth",
    ),
    ("Authors", "near-bad-point", {"where": {"location": {"near": "x"}}}, "is not a geopoint"),
    (
        "Authors",
        "near-out-of-range",
        {"where": {"location": {"near": [91, 0]}}},
        "is not a geopoint",
    ),
    ("Authors", "near-unit", {"where": {"location": {"near": LONDON, "unit": "parsecs"}}}, "unit"),
    (
        "Authors",
        "near-max-negative",
        {"where": {"location": {"near": LONDON, "maxDistance": -1}}},
        "maxDistance",
    ),
    ("Authors", "max-without-near", {"where": {"location": {"maxDistance": 1}}}, "without near"),
    (
        "Authors",
        "geopoint-eq",
        {"where": {"location": {"lat": 1, "lng": 2}}},
        "near, exists or null",
    ),
    (
        "Authors",
        "embedded-unknown",
        {"where": {"_address.zip": "x"}},
        'Unknown property "zip" of model Address',
    ),
    ("Authors", "embedded-type", {"where": {"_address.city": 5}}, "is not a string"),
    ("Authors", "date-invalid", {"where": {"born": {"gt": "yesterday"}}}, "is not a valid date"),
]


@pytest.mark.parametrize(("model", "raw", "words"), [(b[0], *b[2:]) for b in BAD], ids=[b[1] for b in BAD])  # fmt: skip
async def test_bad_filters_are_400(
    api: httpx.AsyncClient, model: str, raw: dict[str, Any], words: str
) -> None:
    err = error(await api.get(f"/{model}", params={"filter": json.dumps(raw)}), 400)
    assert words in err["message"], err
    assert err["code"] == "INVALID_FILTER" and err["name"] == "Error"


def test_the_app_passes_its_limits_to_every_parser(library: tuple[LoopBackApp, sa.Engine]) -> None:
    application = library[0]
    assert application.limits == FilterLimits()  # specs/library/config.json sets none
    assert all(m.parser.limits is application.limits for m in application.models.values())
