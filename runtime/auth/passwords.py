"""Password hashing: argon2id for every new hash, LB3's bcrypt hashes still accepted.

argon2id at OWASP's Password Storage Cheat Sheet parameters (m=19 MiB, t=2, p=1): memory-hard, so a
stolen table costs an attacker GPU memory, not just cycles. Hashes an LB3 database already holds
(bcryptjs, `$2a$`/`$2b$`, 10 rounds) verify unchanged and report `needs_rehash`, so the login that
proves the password also replaces the hash with argon2id; argon2 hashes made with weaker parameters
are upgraded the same way.

Length: argon2 reads the whole password (no 72-byte truncation as bcrypt), but its cost grows with
the length and a request can carry a megabyte, so a password over MAX_PASSWORD_BYTES (4096 bytes of
UTF-8, Django's limit: any passphrase fits) is refused before hashing. A bcrypt hash only ever saw 72
bytes (LB3 refused longer passwords when they were set), so a longer candidate never matches one.

Timing: the comparison inside argon2 and bcrypt is constant-time; `dummy_verify()` spends what a real
verification spends, so a login for an unknown user takes as long as a wrong password.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
from dataclasses import dataclass

import bcrypt
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import BadRequest, LoopBackError

MAX_PASSWORD_BYTES = 4096
BCRYPT_MAX_BYTES = 72
BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
ARGON2_PREFIX = "$argon2"

# OWASP Password Storage Cheat Sheet, argon2id: m=19456 KiB, t=2, p=1
HASHER = PasswordHasher(
    time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)


class PasswordTooLong(LoopBackError):
    """LB3's PASSWORD_TOO_LONG error (422), with our larger limit."""

    status = 422

    def __init__(self, size: int) -> None:
        super().__init__(
            f"The password entered was too long. Max length is {MAX_PASSWORD_BYTES} (entered {size})",
            code="PASSWORD_TOO_LONG",
        )


class InvalidPassword(BadRequest):
    """A password that is not a string (`{"neq": ""}`): an operator object must never reach a
    comparison or a query."""

    def __init__(self) -> None:
        super().__init__("password must be a string", code="INVALID_PASSWORD")


@dataclass(frozen=True)
class Verification:
    """What verifying a password found: `ok` when it matches; `needs_rehash` when the stored hash
    should be replaced by `hash_password(plain)` now that the password is known (bcrypt, or argon2
    with parameters below today's)."""

    ok: bool
    needs_rehash: bool = False


def check_password(value: object) -> str:
    """The password a client sent, refused unless it is a string of at most MAX_PASSWORD_BYTES."""
    if not isinstance(value, str):
        raise InvalidPassword()
    size = len(value.encode())
    if size > MAX_PASSWORD_BYTES:
        raise PasswordTooLong(size)
    return value


def hash_password(plain: str) -> str:
    """An argon2id hash (PHC string, `$argon2id$v=19$m=19456,t=2,p=1$...`) of a checked password."""
    return HASHER.hash(check_password(plain))


def verify_password(plain: str, stored: str | None) -> Verification:
    """Whether `plain` matches `stored` (argon2 or LB3's bcrypt). A stored value that is no hash we
    know, or none at all, never matches but still costs a dummy verification, so the time spent
    says nothing about the account."""
    if not isinstance(plain, str) or len(plain.encode()) > MAX_PASSWORD_BYTES:
        dummy_verify()
        return Verification(False)
    if isinstance(stored, str) and stored.startswith(ARGON2_PREFIX):
        try:
            HASHER.verify(stored, plain)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verification(False)
        return Verification(True, HASHER.check_needs_rehash(stored))
    if isinstance(stored, str) and stored.startswith(BCRYPT_PREFIXES):
        return Verification(_bcrypt_matches(plain, stored), needs_rehash=True)
    dummy_verify()
    return Verification(False)


def dummy_verify() -> None:
    """Spend one argon2 verification: what a login for an unknown user calls instead of
    `verify_password`, so its answer comes as late as a wrong password's."""
    with contextlib.suppress(VerifyMismatchError):
        HASHER.verify(_dummy_hash(), "a wrong password for the dummy hash")


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, made once per process with today's parameters."""
    return HASHER.hash(secrets.token_urlsafe(32))


def _bcrypt_matches(plain: str, stored: str) -> bool:
    encoded = plain.encode()
    if len(encoded) > BCRYPT_MAX_BYTES:
        # LB3 never stored a hash of a longer password; bcrypt would compare only 72 bytes of it
        bcrypt.checkpw(encoded[:BCRYPT_MAX_BYTES], stored.encode())  # same time, result ignored
        return False
    try:
        return bcrypt.checkpw(encoded, stored.encode())
    except ValueError:  # a malformed bcrypt string
        return False
