"""Reviewer (base User): what LB3's built-in User enforces on every write, observed on LB3 3.28.

Not covered here: login and ACLs (LB3 answers 401 to GET /Reviewers without a token); this server
does not serve them yet. Deliberate: unset properties come back as null.
"""

from __future__ import annotations

from typing import Any

import bcrypt
import httpx
import pytest
import sqlalchemy as sa

from runtime.app import LoopBackApp
from runtime.users import verify_password

from .support import blank, error, ok, validation_error


def reviewer(id: int, email: str, **changes: Any) -> dict[str, Any]:
    out = {"realm": None, "username": None, "email": email, "emailVerified": None}
    return out | {"id": id, "coffeeShopId": None} | changes


async def stored_password(app: LoopBackApp, id: int) -> str:
    table = app.models["Reviewer"].table
    async with app.db.read() as session:
        query = sa.select(table.column("password")).where(table.column("id") == id)
        return str(await session.scalar(query))


@pytest.fixture
async def alice(client: httpx.AsyncClient) -> dict[str, Any]:
    return dict(ok(await client.post("/Reviewers", json={"email": "a@example.com", "password": "secret"})))  # fmt: skip


async def test_create_never_returns_the_password(
    app: LoopBackApp, client: httpx.AsyncClient, alice: dict[str, Any]
) -> None:
    assert alice == reviewer(1, "a@example.com")
    assert ok(await client.get("/Reviewers/1")) == alice
    assert ok(await client.get("/Reviewers")) == [alice]
    assert ok(await client.get("/Reviewers/findOne")) == alice


async def test_password_is_stored_as_a_bcrypt_hash(app: LoopBackApp, alice: dict[str, Any]) -> None:
    stored = await stored_password(app, 1)
    assert stored != "secret"
    assert stored.startswith("$2b$10$")  # LB3's bcryptjs uses 10 rounds
    assert bcrypt.checkpw(b"secret", stored.encode())
    assert verify_password("secret", stored) and not verify_password("Secret", stored)
    # a hash LB3 (bcryptjs, $2a$) wrote verifies unchanged
    assert verify_password("secret", "$2a$10$" + stored[7:])


@pytest.mark.parametrize(
    ("verb", "path", "body"),
    [
        ("PATCH", "/Reviewers/1", {"password": "changed"}),
        ("PUT", "/Reviewers/1", {"email": "a@example.com", "password": "changed"}),
        ("PATCH", "/Reviewers", {"id": 1, "password": "changed"}),
        ("POST", "/Reviewers/update?where[id]=1", {"password": "changed"}),
        ("POST", "/Reviewers/upsertWithWhere?where[id]=1", {"email": "a@example.com", "password": "changed"}),
    ],
    ids=["patch-attributes", "replace-by-id", "patch-or-create", "update-all", "upsert-with-where"],
)  # fmt: skip
async def test_every_write_hashes_a_new_password(
    app: LoopBackApp,
    client: httpx.AsyncClient,
    alice: dict[str, Any],
    verb: str,
    path: str,
    body: dict[str, Any],
) -> None:
    response = await client.request(verb, path, json=body)
    assert "password" not in response.text
    assert response.status_code == 200, response.text
    stored = await stored_password(app, 1)
    assert stored != "changed" and bcrypt.checkpw(b"changed", stored.encode())


async def test_password_longer_than_bcrypt_reads_is_refused(client: httpx.AsyncClient) -> None:
    """bcrypt ignores what follows 72 bytes; LB3's User.validatePassword refuses such passwords."""
    response = await client.post(
        "/Reviewers", json={"email": "long@example.com", "password": "é" * 37}
    )
    err = error(response, 422)
    assert err == {
        "statusCode": 422,
        "name": "Error",
        "message": "The password entered was too long. Max length is 72 (entered 74)",
        "code": "PASSWORD_TOO_LONG",
    }
    assert ok(await client.get("/Reviewers")) == []
    at_limit = await client.post(
        "/Reviewers", json={"email": "max@example.com", "password": "x" * 72}
    )
    assert ok(at_limit)["email"] == "max@example.com"


INVALID = [
    ("no-password", {"email": "b@example.com"}, [blank("password")]),
    ("no-email", {"password": "secret"}, [blank("email")]),
    ("empty-password", {"email": "b@example.com", "password": ""}, [blank("password", '""')]),
    ("bad-email", {"email": "notanemail", "password": "x"}, [("email", "custom.email", "is invalid", '"notanemail"')]),
    ("email-with-space", {"email": "a b@example.com", "password": "x"}, [("email", "custom.email", "is invalid", '"a b@example.com"')]),
    ("duplicate-email", {"email": "a@example.com", "password": "x"}, [("email", "uniqueness", "Email already exists", '"a@example.com"')]),
    ("email-number", {"email": 5, "password": "x"}, [("email", "type", "is not a string", "5")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "problems"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
async def test_create_validation(
    client: httpx.AsyncClient, alice: dict[str, Any], body: dict[str, Any], problems: list[Any]
) -> None:
    response = await client.post("/Reviewers", json=body)
    assert error(response, 422)
    assert response.json() == validation_error("Reviewer", *problems)
    assert ok(await client.get("/Reviewers")) == [alice]


@pytest.mark.parametrize(
    ("sent", "stored"), [(True, False), (False, False), (None, None)], ids=["true", "false", "null"]
)
async def test_sign_up_cannot_verify_its_own_email(
    client: httpx.AsyncClient, sent: Any, stored: Any
) -> None:
    body = {"email": "v@example.com", "password": "x", "emailVerified": sent}
    created = ok(await client.post("/Reviewers", json=body))
    assert created == reviewer(1, "v@example.com", emailVerified=stored)
    assert ok(await client.get("/Reviewers/1"))["emailVerified"] == stored


async def test_bulk_sign_up_cannot_verify_emails(client: httpx.AsyncClient) -> None:
    body = [{"email": f"{n}@example.com", "password": "x", "emailVerified": True} for n in "ab"]
    created = ok(await client.post("/Reviewers", json=body))
    assert [r["emailVerified"] for r in created] == [False, False]


async def test_email_uniqueness_is_case_sensitive_as_in_lb3(
    client: httpx.AsyncClient, alice: dict[str, Any]
) -> None:
    response = await client.post("/Reviewers", json={"email": "A@Example.com", "password": "x"})
    assert ok(response) == reviewer(2, "A@Example.com")


async def test_duplicate_username(client: httpx.AsyncClient) -> None:
    first = {"email": "c@example.com", "password": "x", "username": "cc"}
    assert ok(await client.post("/Reviewers", json=first)) == reviewer(1, "c@example.com", username="cc")  # fmt: skip
    response = await client.post(
        "/Reviewers", json={"email": "d@example.com", "password": "x", "username": "cc"}
    )
    assert response.json() == validation_error(
        "Reviewer", ("username", "uniqueness", "User already exists", '"cc"')
    )


async def test_changing_to_a_taken_email(client: httpx.AsyncClient, alice: dict[str, Any]) -> None:
    ok(await client.post("/Reviewers", json={"email": "c@example.com", "password": "x"}))
    taken = validation_error("Reviewer", ("email", "uniqueness", "Email already exists", '"c@example.com"'))  # fmt: skip
    assert (await client.patch("/Reviewers/1", json={"email": "c@example.com"})).json() == taken
    assert (await client.patch("/Reviewers", json={"id": 1, "email": "c@example.com"})).json() == taken  # fmt: skip
    update = await client.post("/Reviewers/update?where[id]=1", json={"email": "c@example.com"})
    assert update.json() == taken
    keep_own = await client.patch("/Reviewers/1", json={"email": "a@example.com"})
    assert ok(keep_own) == alice


async def test_update_all_cannot_give_one_email_to_many(
    client: httpx.AsyncClient, alice: dict[str, Any]
) -> None:
    ok(await client.post("/Reviewers", json={"email": "b@example.com", "password": "x"}))
    response = await client.post("/Reviewers/update", json={"email": "same@example.com"})
    assert response.json() == validation_error(
        "Reviewer", ("email", "uniqueness", "Email already exists", '"same@example.com"')
    )
    emails = [r["email"] for r in ok(await client.get("/Reviewers"))]
    assert emails == ["a@example.com", "b@example.com"]
    one = await client.post("/Reviewers/update?where[id]=2", json={"email": "same@example.com"})
    assert ok(one) == {"count": 1}
    cleared = await client.post("/Reviewers/update", json={"username": None})
    assert ok(cleared) == {"count": 2}


async def test_bulk_create_with_a_duplicate_stores_nothing(client: httpx.AsyncClient) -> None:
    body = [
        {"email": "e@example.com", "password": "x"},
        {"email": "e@example.com", "password": "y"},
    ]
    response = await client.post("/Reviewers", json=body)
    err = error(response, 422)
    assert err["details"][0] is None
    assert err["details"][1]["details"]["codes"] == {"email": ["uniqueness"]}
    assert ok(await client.get("/Reviewers")) == []


HIDDEN = [
    ("where", '{"where":{"password":"x"}}', 'Unknown property "password" of model Reviewer'),
    ("order", '{"order":"password"}', 'Unknown property "password" of model Reviewer'),
    ("fields", '{"fields":["password"]}', 'Unknown property "password" in fields of model Reviewer'),
    ("where-token", '{"where":{"verificationToken":"t"}}', 'Unknown property "verificationToken" of model Reviewer'),
]  # fmt: skip


@pytest.mark.parametrize(("flt", "message"), [c[1:] for c in HIDDEN], ids=[c[0] for c in HIDDEN])
async def test_hidden_properties_cannot_be_queried(
    client: httpx.AsyncClient, alice: dict[str, Any], flt: str, message: str
) -> None:
    """No guessing oracle: a filter on the password hash is refused like an unknown property."""
    response = await client.get("/Reviewers", params={"filter": flt})
    assert error(response, 400) == {
        "statusCode": 400,
        "name": "Error",
        "message": message,
        "code": "INVALID_FILTER",
    }


async def test_booleans_compare_with_false_before_true(client: httpx.AsyncClient) -> None:
    for n, verified in enumerate([None, False, False], start=1):
        body = {"email": f"{n}@example.com", "password": "x", "emailVerified": verified}
        ok(await client.post("/Reviewers", json=body))
    ok(await client.patch("/Reviewers/3", json={"emailVerified": True}))
    gt = await client.get('/Reviewers/count?where={"emailVerified":{"gt":false}}')
    assert ok(gt) == {"count": 1}
    lte = await client.get("/Reviewers?filter[where][emailVerified][lte]=true&filter[fields]=id")
    assert ok(lte) == [{"id": 2}, {"id": 3}]
    update = await client.post('/Reviewers/update?where={"emailVerified":{"lt":true}}', json={})
    assert ok(update) == {"count": 1}
