"""Reviewer (base User): what LB3's built-in User enforces on every write, observed on LB3 3.28.

Login, tokens and mass assignment are in tests/auth/ (test_login_http.py, test_sessions_http.py,
test_mass_assignment_http.py). Deliberate: unset properties come back as null; passwords are
argon2id hashes and change only through change-password/reset-password.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from runtime.app import LoopBackApp
from runtime.auth.passwords import verify_password

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


async def test_password_is_stored_as_an_argon2id_hash(
    app: LoopBackApp, alice: dict[str, Any]
) -> None:
    stored = await stored_password(app, 1)
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")  # OWASP's parameters
    assert verify_password("secret", stored).ok and not verify_password("Secret", stored).ok


@pytest.mark.parametrize(
    ("verb", "path", "body", "status"),
    [
        ("PATCH", "/Reviewers/1", {"password": "changed"}, 401),
        ("PUT", "/Reviewers/1", {"email": "a@example.com", "password": "changed"}, 401),
        ("PATCH", "/Reviewers", {"id": 1, "password": "changed"}, 401),
        ("POST", "/Reviewers/update?where[id]=1", {"password": "changed"}, 401),
        ("POST", "/Reviewers/upsertWithWhere?where[id]=1", {"email": "a@example.com", "password": "changed"}, 401),
    ],
    ids=["patch-attributes", "replace-by-id", "patch-or-create", "update-all", "upsert-with-where"],
)  # fmt: skip
async def test_no_write_changes_a_password(
    app: LoopBackApp,
    client: httpx.AsyncClient,
    alice: dict[str, Any],
    verb: str,
    path: str,
    body: dict[str, Any],
    status: int,
) -> None:
    """LB3's `rejectPasswordChangesViaPatchOrReplace`, always: change-password asks for the old
    password, reset-password for the reset token."""
    before = await stored_password(app, 1)
    response = await client.request(verb, path, json=body)
    assert 'password"' not in response.text.replace("Changing user password", "")
    assert error(response, status)["code"] == "PASSWORD_CHANGE_NOT_ALLOWED"
    assert await stored_password(app, 1) == before


async def test_an_absurdly_long_password_is_refused(client: httpx.AsyncClient) -> None:
    """argon2 reads the whole password (no 72-byte cut as bcrypt), but its cost grows with it."""
    response = await client.post(
        "/Reviewers", json={"email": "long@example.com", "password": "é" * 2049}
    )
    err = error(response, 422)
    assert err == {
        "statusCode": 422,
        "name": "Error",
        "message": "The password entered was too long. Max length is 4096 (entered 4098)",
        "code": "PASSWORD_TOO_LONG",
    }
    assert ok(await client.get("/Reviewers")) == []
    beyond_bcrypt = await client.post(
        "/Reviewers", json={"email": "max@example.com", "password": "x" * 100}
    )
    assert ok(beyond_bcrypt)["email"] == "max@example.com"


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


async def test_booleans_compare_with_false_before_true(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    for n, verified in enumerate([None, False, False], start=1):
        body = {"email": f"{n}@example.com", "password": "x", "emailVerified": verified}
        ok(await client.post("/Reviewers", json=body))
    # only the server verifies an e-mail (a client's emailVerified is ignored)
    await app.models["Reviewer"].patch_attributes(3, {"emailVerified": True})
    gt = await client.get('/Reviewers/count?where={"emailVerified":{"gt":false}}')
    assert ok(gt) == {"count": 1}
    lte = await client.get("/Reviewers?filter[where][emailVerified][lte]=true&filter[fields]=id")
    assert ok(lte) == [{"id": 2}, {"id": 3}]
    update = await client.post('/Reviewers/update?where={"emailVerified":{"lt":true}}', json={})
    assert ok(update) == {"count": 1}
