"""Login throttling with its counts in the database: two workers (two Database objects on one
database) share them; on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from runtime.auth.throttle import (
    LoginThrottle,
    ThrottleSettings,
    TooManyRequests,
    account_key,
    address_key,
)
from runtime.db import Database, open_database
from tests.databases import ALL_BACKENDS, TestDatabases

pytestmark = pytest.mark.parametrize("backend", ALL_BACKENDS)

T0 = 1_800_000_000.0
ALICE = account_key("User", "Alice@Example.com")
BOB = account_key("User", "bob@example.com")
HOME = address_key("203.0.113.7")
OFFICE = address_key("2001:db8::1")


class Clock:
    """The time both workers read: moved by the test instead of waiting."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def url(backend: str, databases: TestDatabases, tmp_path: Path) -> str:
    return (
        f"sqlite:///{tmp_path}/throttle.sqlite" if backend == "sqlite" else databases.fresh(backend)
    )


@pytest.fixture
async def workers(url: str) -> AsyncIterator[list[Database]]:
    """Two workers' databases: separate engines and pools on the same database."""
    dbs = [open_database(url), open_database(url)]
    yield dbs
    for db in dbs:
        await db.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def throttles(
    workers: list[Database], clock: Clock, settings: ThrottleSettings | None = None
) -> list[LoginThrottle]:
    return [LoginThrottle.create(db, settings, clock=clock) for db in workers]


async def failures(throttle: LoginThrottle) -> dict[str, int]:
    async with throttle.db.read() as s:
        rows = await s.all(throttle.table.counts())
    return {row._mapping["key"]: row._mapping["failures"] for row in rows}


async def test_the_sixth_attempt_is_refused_with_retry_after(
    backend: str, workers: list[Database], clock: Clock
) -> None:
    one, two = throttles(workers, clock)
    for i in range(5):
        await (one if i % 2 else two).check(account=ALICE, address=HOME)
        await (one if i % 2 else two).failed(account=ALICE, address=HOME)
        clock.now += 60
    # five failures, counted by two workers: both refuse, with the rest of the 15-minute window
    for worker in (one, two):
        with pytest.raises(TooManyRequests) as caught:
            await worker.check(account=ALICE, address=HOME)
        assert caught.value.retry_after == 900 - 5 * 60
        assert caught.value.headers() == {"Retry-After": "600"}
        assert caught.value.body() == {
            "error": {
                "statusCode": 429,
                "name": "TooManyRequestsError",
                "message": "Too many failed login attempts; try again later",
                "code": "LOGIN_THROTTLED",
            }
        }
    # another account from another address is not affected
    await one.check(account=BOB, address=OFFICE)
    # partial seconds round up: the client never retries too early
    clock.now += 599.5
    with pytest.raises(TooManyRequests) as caught:
        await two.check(account=ALICE)
    assert caught.value.retry_after == 1


async def test_the_window_ends_and_a_new_one_starts(
    backend: str, workers: list[Database], clock: Clock
) -> None:
    one, two = throttles(workers, clock)
    for _ in range(5):
        await one.failed(account=ALICE)
    with pytest.raises(TooManyRequests):
        await two.check(account=ALICE)
    clock.now += 900
    await two.check(account=ALICE)
    await two.failed(account=ALICE)
    assert await failures(one) == {ALICE: 1}  # a fresh window, counted from one


async def test_success_forgives_the_account_but_not_the_address(
    backend: str, workers: list[Database], clock: Clock
) -> None:
    settings = ThrottleSettings(account_failures=3, address_failures=4)
    one, two = throttles(workers, clock, settings)
    for _ in range(3):
        await one.failed(account=ALICE, address=HOME)
    with pytest.raises(TooManyRequests):
        await one.check(account=ALICE)
    await two.succeeded(account=ALICE)
    await one.check(account=ALICE)
    assert await failures(one) == {HOME: 3}
    await two.failed(account=BOB, address=HOME)
    with pytest.raises(TooManyRequests):  # the address used up its 4, whichever account it tries
        await one.check(account=account_key("User", "carol@example.com"), address=HOME)


async def test_an_address_guessing_many_accounts_is_throttled(
    backend: str, workers: list[Database], clock: Clock
) -> None:
    one, two = throttles(workers, clock)
    for i in range(20):
        account = account_key("User", f"user{i}@example.com")
        await (one, two)[i % 2].check(account=account, address=OFFICE)
        await (one, two)[i % 2].failed(account=account, address=OFFICE)
    with pytest.raises(TooManyRequests):
        await one.check(account=account_key("User", "fresh@example.com"), address=OFFICE)
    await one.check(account=account_key("User", "fresh@example.com"), address=HOME)


async def test_concurrent_failures_are_all_counted(
    backend: str, workers: list[Database], clock: Clock
) -> None:
    one, two = throttles(workers, clock, ThrottleSettings(account_failures=100))
    await asyncio.gather(*(w.failed(account=ALICE, address=HOME) for w in [one, two] * 15))
    assert await failures(one) == {ALICE: 30, HOME: 30}


async def test_ended_windows_are_removed(
    backend: str, workers: list[Database], clock: Clock
) -> None:
    one, _ = throttles(workers, clock)
    await one.failed(account=ALICE, address=HOME)
    clock.now += 901
    await one.failed(account=BOB)
    assert await failures(one) == {BOB: 1}


async def test_limits_of_zero_switch_a_kind_off(
    backend: str, workers: list[Database], clock: Clock
) -> None:
    one, _ = throttles(workers, clock, ThrottleSettings(account_failures=0, address_failures=1))
    for _ in range(10):
        await one.failed(account=ALICE)
    await one.check(account=ALICE)
    assert await failures(one) == {}
    await one.failed(account=ALICE, address=HOME)
    with pytest.raises(TooManyRequests):
        await one.check(account=ALICE, address=HOME)


async def test_keys_hold_no_personal_data(backend: str, workers: list[Database]) -> None:
    assert account_key("User", "alice@example.COM") == ALICE  # case folded
    assert account_key("Customer", "alice@example.com") != ALICE  # per model
    assert account_key("User", "alice@example.com", realm="admin") != ALICE  # per realm
    assert "example" not in ALICE and len(ALICE) == 64
    assert address_key("203.0.113.7") != account_key("", "203.0.113.7")
    with pytest.raises(ValueError, match="window"):
        ThrottleSettings(window_seconds=0)
