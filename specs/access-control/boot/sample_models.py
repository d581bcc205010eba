"""The tutorial's server/boot/sample-models.js, plus the bank, accounts and transactions of its first
version (LoopBack 1's bank example), so the app has `$owner` rules on every method of a model.

Users John (1), Jane (2) and Bob (3), password "opensesame". project1 is John's, his team John and
Jane; project2 is Jane's, her team Jane. Bob is an admin (a Role and a USER RoleMapping). Two
banks; account 1 is John's at bank 1, account 2 Jane's at bank 2, each with two transactions.
Nothing is created when users exist already (a database kept between runs)."""

from typing import Any

PASSWORD = "opensesame"  # the tutorial's published sample password


async def setup(app: Any) -> None:
    users = app.models["user"]
    if await users.count() > 0:
        return
    john, jane, bob = await users.create(
        [
            {"username": "John", "email": "john@doe.com", "password": PASSWORD},
            {"username": "Jane", "email": "jane@doe.com", "password": PASSWORD},
            {"username": "Bob", "email": "bob@projects.com", "password": PASSWORD},
        ]
    )
    await sample_rows(app, john, jane, bob)


async def sample_rows(
    app: Any, john: dict[str, Any], jane: dict[str, Any], bob: dict[str, Any]
) -> None:
    """Everything but the users: projects, teams, the admin role, banking."""
    users = app.models["user"]
    project1 = await users.at(john).projects.create({"name": "project1", "balance": 100})
    project2 = await users.at(jane).projects.create({"name": "project2", "balance": 100})
    teams = app.models["team"]
    owner1, owner2 = str(project1["ownerId"]), str(project2["ownerId"])
    await teams.create(
        [
            {"ownerId": owner1, "memberId": str(john["id"])},
            {"ownerId": owner1, "memberId": str(jane["id"])},
        ]
    )
    await teams.create({"ownerId": owner2, "memberId": str(jane["id"])})
    admin = await app.models["Role"].create({"name": "admin"})
    await (
        app.models["Role"]
        .at(admin)
        .principals.create({"principalType": "USER", "principalId": str(bob["id"])})
    )
    await banking(app, john, jane)


async def banking(app: Any, *owners: dict[str, Any]) -> None:
    banks = await app.models["bank"].create([{"name": "Bank of LoopBack"}, {"name": "Faux Bank"}])
    for owner, bank in zip(owners, banks, strict=True):
        account = await app.models["account"].create(
            {"balance": 100, "userId": owner["id"], "bankId": bank["id"]}
        )
        await app.models["transaction"].create(
            [
                {"pos": "Deposit into Checking", "credit": 150, "time": "2026-01-05T10:00:00.000Z",
                 "accountId": account["id"], "userId": owner["id"]},
                {"pos": "Faux Mart", "debit": 50, "time": "2026-01-06T10:00:00.000Z",
                 "accountId": account["id"], "userId": owner["id"]},
            ]
        )  # fmt: skip
