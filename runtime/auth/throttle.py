"""Login abuse throttling, per account and per client address, shared by every worker.

Each failed login counts against the account it named and the address it came from; when either
reaches its limit inside the window (by default 5 failures per 15 minutes for an account, 20 for an
address, since offices and mobile carriers put many people behind one address), logins for it
answer 429 with Retry-After until the window that began with its first failure ends. A successful
login clears its account's count, never its address's (one valid account must not reset the
count of an address guessing others).

The counts live in the database (runtime/sql/throttle.py), never in a process: workers and
servers behind one load balancer see the same counts, and a restart forgives nothing. The check
runs before the password is verified, so a throttled login costs no hash.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..db import Database
from ..errors import LoopBackError
from ..sql.throttle import ThrottleTable


@dataclass(frozen=True)
class ThrottleSettings:
    """Limits per window; a limit of 0 switches that kind of throttling off."""

    account_failures: int = 5
    address_failures: int = 20
    window_seconds: int = 900

    def __post_init__(self) -> None:
        if self.window_seconds < 1 or self.account_failures < 0 or self.address_failures < 0:
            raise ValueError("throttle limits must be >= 0 and the window >= 1 second")


class TooManyRequests(LoopBackError):
    """429, with the seconds to wait for the Retry-After header."""

    status = 429
    name = "TooManyRequestsError"

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many failed login attempts; try again later", code="LOGIN_THROTTLED")
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def account_key(model: str, identifier: str, realm: str | None = None) -> str:
    """The key of an account as a login names it (email or username, case folded; per model and
    realm), hashed so the table holds no personal data."""
    return _key("account", model, realm or "", identifier.casefold())


def address_key(address: str) -> str:
    return _key("address", address)


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class LoginThrottle:
    """`await check(...)` before verifying a password, then `failed(...)` or `succeeded(...)`."""

    def __init__(
        self,
        db: Database,
        table: ThrottleTable,
        settings: ThrottleSettings | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.table = table
        self.settings = settings or ThrottleSettings()
        self.clock = clock

    @classmethod
    def create(
        cls,
        db: Database,
        settings: ThrottleSettings | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> LoginThrottle:
        """A throttle with its table made on DB when missing (start-up, before workers fork)."""
        table = ThrottleTable.build()
        db.create_all(table.metadata)
        return cls(db, table, settings, clock=clock)

    def _limits(self, account: str | None, address: str | None) -> dict[str, int]:
        limits = {}
        if account is not None and self.settings.account_failures:
            limits[account] = self.settings.account_failures
        if address is not None and self.settings.address_failures:
            limits[address] = self.settings.address_failures
        return limits

    async def check(self, *, account: str | None = None, address: str | None = None) -> None:
        """Raise TooManyRequests when the account or the address has used up its failures."""
        limits = self._limits(account, address)
        if not limits:
            return
        now_ms = self._now_ms()
        window_ms = self.settings.window_seconds * 1000
        async with self.db.read() as s:
            rows = await s.all(self.table.read(list(limits)))
        wait_ms = 0
        for row in rows:
            values = row._mapping
            ends = int(values["window_start"]) + window_ms
            if int(values["failures"]) >= limits[values["key"]] and ends > now_ms:
                wait_ms = max(wait_ms, ends - now_ms)
        if wait_ms:
            raise TooManyRequests(max(1, math.ceil(wait_ms / 1000)))

    async def failed(self, *, account: str | None = None, address: str | None = None) -> None:
        """Count a failed login against both keys (and drop rows whose window has ended)."""
        keys = self._limits(account, address)
        if not keys:
            return
        now_ms = self._now_ms()
        window_ms = self.settings.window_seconds * 1000
        async with self.db.write() as s:
            for key in sorted(keys):  # one order everywhere: no deadlock between two workers
                await s.run(self.table.count_failure(self.db.backend, key, now_ms, window_ms))
            await s.run(self.table.forget_ended(now_ms - window_ms))

    async def succeeded(self, *, account: str | None = None) -> None:
        """A correct password: the account's failures are forgiven."""
        if account is None:
            return
        async with self.db.write(one_statement=True) as s:
            await s.run(self.table.forget(account))

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)
