"""Passwords: argon2id at OWASP's parameters; LB3's bcrypt hashes verify and ask for a rehash."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, extract_parameters

from runtime.auth import passwords
from runtime.auth.passwords import (
    MAX_PASSWORD_BYTES,
    InvalidPassword,
    PasswordTooLong,
    Verification,
    check_password,
    dummy_verify,
    hash_password,
    verify_password,
)

# made by LB3 3.28's own bcryptjs (2.4.3, 10 rounds, as User.hashPassword) and by bcryptjs 3.0.3;
# see tests/oracle/lb3-3.28/auth.md for how
LB3_HASHES = {
    "secret": "$2a$10$7YLpX0H2xfqjBrfzx8ePxu4bAZjRwfvqmnjXX5azmWvM7TIW55a4y",
    "correct horse battery staple": "$2a$10$/IJEpresKE.Q1.lv3DslZuxpm2Oq5hgu6Xr9gtrJfVom132q2W6D2",
    "pässwörd": "$2a$10$7hJvgHQDYUf4fdyr1CERR.q3quSWAgvOkXYjz9BxIhDOm9LdYsX1.",
    "x" * 72: "$2a$10$35dTQwFJnpggskyiGbqxhuTiq3RkQQKhWev.bMuYoHLyPqnXC0Yme",
}
BCRYPTJS_3_SECRET = "$2b$10$rpbLbcf4Ryp1i/ESkKx4gOoQU1maQdz3i/eomJPZZhxOo4O2VP/Pa"


def test_new_hashes_are_argon2id_at_owasp_parameters() -> None:
    stored = hash_password("secret")
    assert stored.startswith("$argon2id$v=19$")
    params = extract_parameters(stored)
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)
    assert stored != hash_password("secret")  # salted


def test_argon2_round_trip() -> None:
    stored = hash_password("pässwörd 🔑")
    assert verify_password("pässwörd 🔑", stored) == Verification(ok=True, needs_rehash=False)
    assert verify_password("pässwörd", stored) == Verification(ok=False)
    assert verify_password("", stored) == Verification(ok=False)


@pytest.mark.parametrize(("plain", "stored"), LB3_HASHES.items())
def test_lb3_bcrypt_hashes_verify_and_ask_for_a_rehash(plain: str, stored: str) -> None:
    assert verify_password(plain, stored) == Verification(ok=True, needs_rehash=True)
    assert verify_password(plain + "!", stored).ok is False


def test_bcryptjs_3_2b_hash_verifies() -> None:
    assert verify_password("secret", BCRYPTJS_3_SECRET) == Verification(True, True)
    assert verify_password("Secret", BCRYPTJS_3_SECRET).ok is False


def test_bcrypt_never_matches_past_72_bytes() -> None:
    """bcrypt compares 72 bytes; LB3 refused longer passwords, so a longer candidate is wrong even
    when its first 72 bytes are the password."""
    assert verify_password("x" * 73, LB3_HASHES["x" * 72]).ok is False


def test_weaker_argon2_parameters_ask_for_a_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("secret")
    assert verify_password("secret", weak) == Verification(ok=True, needs_rehash=True)


@pytest.mark.parametrize("stored", [None, "", "plain text", "$2a$10$broken", "$argon2id$broken"])
def test_unknown_or_malformed_hashes_never_match(stored: str | None) -> None:
    assert verify_password("plain text", stored).ok is False


def test_length_limit() -> None:
    at_limit = "é" * (MAX_PASSWORD_BYTES // 2)  # two bytes each: exactly the limit
    assert check_password(at_limit) == at_limit
    assert verify_password(at_limit, hash_password(at_limit)).ok is True
    with pytest.raises(PasswordTooLong) as caught:
        hash_password(at_limit + "a")
    assert caught.value.status == 422
    assert caught.value.body()["error"]["code"] == "PASSWORD_TOO_LONG"
    assert f"Max length is {MAX_PASSWORD_BYTES} (entered {MAX_PASSWORD_BYTES + 1})" in (
        caught.value.message
    )
    assert verify_password("a" * (MAX_PASSWORD_BYTES + 1), hash_password("a")).ok is False


@pytest.mark.parametrize("value", [{"neq": ""}, ["secret"], 123, None, True])
def test_operator_objects_and_other_types_are_refused(value: object) -> None:
    with pytest.raises(InvalidPassword) as caught:
        check_password(value)
    assert caught.value.status == 400
    assert verify_password(value, hash_password("secret")).ok is False  # type: ignore[arg-type]


def test_dummy_verification_costs_a_real_verification() -> None:
    """Same algorithm and parameters as a stored hash, so the same work (timing is for benchmarks,
    not tests: this checks what is computed)."""
    dummy_verify()
    dummy = passwords._dummy_hash()
    assert extract_parameters(dummy) == extract_parameters(hash_password("secret"))
    assert dummy == passwords._dummy_hash()  # made once per process
