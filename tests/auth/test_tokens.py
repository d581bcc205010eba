"""Access tokens: ids, hashed storage, LB3's ttl rules, and where a request carries the token (in
LB3's order, checked against LB3 3.28's getIdForRequest: tests/oracle/lb3-3.28/auth.md)."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from runtime.auth.tokens import (
    DEFAULT_MAX_TTL,
    DEFAULT_TTL,
    MIN_TOKEN_ID_LENGTH,
    InvalidTTL,
    TokenSettings,
    TokenSources,
    expires_at,
    hash_token_id,
    is_valid,
    new_token_id,
    resolve_ttl,
    sign_cookie,
    signed_cookies,
    token_id_from_request,
    unsign_cookie,
)

SECRET = "s3cret"
# made by LB3's own cookie-signature with the secret above (tests/oracle/lb3-3.28/auth.md)
LB3_SIGNED = "s:cookieTok.NdTgwEXyrgip+7r9b8zkBAtmXxnonjjh9oxNlDg2tcM"
COOKIES = TokenSources(cookie_secrets=(SECRET,))


def scope(query: str = "", **headers: str | list[str]) -> dict[str, Any]:
    pairs: list[tuple[bytes, bytes]] = []
    for name, value in headers.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name.replace("_", "-").encode(), one.encode()))
    return {"type": "http", "query_string": query.encode(), "headers": pairs}


def cookie(value: str, name: str = "access_token") -> str:
    return f"{name}={quote(value, safe='')}"


# ---- ids and storage ------------------------------------------------------------------------------


def test_ids_look_like_lb3_ids_and_differ() -> None:
    ids = {new_token_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9]{64}", i) for i in ids)
    # every character of the alphabet turns up: the ids are not from a narrow range
    assert set("".join(ids)) == set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    )


def test_short_ids_that_carry_under_128_bits_are_refused() -> None:
    assert MIN_TOKEN_ID_LENGTH == 22
    assert len(new_token_id(MIN_TOKEN_ID_LENGTH)) == 22
    with pytest.raises(ValueError, match="fewer than 128 random bits"):
        new_token_id(21)


def test_stored_form_is_a_sha256_that_is_not_the_id() -> None:
    token = new_token_id()
    stored = hash_token_id(token)
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", stored)
    assert stored != token and hash_token_id(stored) != stored


# ---- ttl ------------------------------------------------------------------------------------------

DEFAULTS = TokenSettings()
ETERNAL_OK = TokenSettings.from_settings({"allowEternalTokens": True, "maxTTL": 3600})


@pytest.mark.parametrize(
    ("requested", "settings", "expected"),
    [
        (None, DEFAULTS, DEFAULT_TTL),
        (3600, DEFAULTS, 3600),
        (0, DEFAULTS, DEFAULT_TTL),  # LB3: ttl || settings.ttl
        ("100", DEFAULTS, 100),  # LB3 coerces a numeric string
        (7200.0, DEFAULTS, 7200),
        (10**12, DEFAULTS, DEFAULT_MAX_TTL),  # LB3: Math.min(ttl, maxTTL)
        (None, ETERNAL_OK, 3600),  # the default ttl, capped by maxTTL
        (7200, ETERNAL_OK, 3600),
        (-1, ETERNAL_OK, -1),
        ("-1", ETERNAL_OK, -1),
    ],
)
def test_ttl_as_lb3_grants_it(requested: object, settings: TokenSettings, expected: int) -> None:
    assert resolve_ttl(requested, settings) == expected


@pytest.mark.parametrize(
    "requested",
    [-1, -2, -5, "abc", "Infinity", 1.5, float("nan"), float("inf"), True, {"a": 1}, [5], 2**60],
)
def test_ttl_lb3_would_break_on_is_a_400(requested: object) -> None:
    with pytest.raises(InvalidTTL) as caught:
        resolve_ttl(requested, DEFAULTS)
    body = caught.value.body()["error"]
    assert (body["statusCode"], body["name"], body["code"]) == (400, "Error", "INVALID_TTL")
    assert "ttl" in body["message"]


@pytest.mark.parametrize("requested", [-2, "abc", 0.5])
def test_ttl_refused_even_when_eternal_tokens_are_allowed(requested: object) -> None:
    with pytest.raises(InvalidTTL):
        resolve_ttl(requested, ETERNAL_OK)


def test_settings_are_read_as_lb3_reads_them() -> None:
    assert TokenSettings.from_settings({}) == TokenSettings(DEFAULT_TTL, DEFAULT_MAX_TTL, False)
    assert TokenSettings.from_settings({"ttl": 0, "maxTTL": None}) == TokenSettings()
    with pytest.raises(ValueError, match="maxTTL"):
        TokenSettings.from_settings({"maxTTL": -3})


def test_expiry() -> None:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    assert expires_at(created, 60) == created + timedelta(seconds=60)
    assert expires_at(created, -1) is None
    just_before = created + timedelta(seconds=59, microseconds=999999)
    assert is_valid(created, 60, allow_eternal_tokens=False, now=just_before)
    assert not is_valid(
        created, 60, allow_eternal_tokens=False, now=created + timedelta(seconds=60)
    )
    far = created + timedelta(days=3650)
    assert is_valid(created, -1, allow_eternal_tokens=True, now=far)
    assert not is_valid(created, -1, allow_eternal_tokens=False, now=created)
    for broken in (None, 0, -2):
        assert not is_valid(created, broken, allow_eternal_tokens=True, now=created)
    naive = datetime(2026, 1, 1)  # a database without time zones: UTC
    assert is_valid(naive, 60, allow_eternal_tokens=False, now=just_before)
    assert is_valid(datetime.now(UTC), DEFAULT_TTL, allow_eternal_tokens=False)


# ---- extraction: every form -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_scope", "expected"),
    [
        (scope(authorization="plainTok"), "plainTok"),
        (scope(authorization="Bearer bearerTok"), "bearerTok"),
        (scope(authorization="bearer lowTok"), "bearer lowTok"),  # LB3's Bearer is case-sensitive
        (scope(x_access_token="xTok"), "xTok"),
        (scope("access_token=queryTok"), "queryTok"),
        (scope("access_token=a%2Bb+c"), "a+b c"),
        (scope(cookie=cookie(LB3_SIGNED)), "cookieTok"),
        (scope(cookie=cookie(LB3_SIGNED, "authorization")), "cookieTok"),
        (scope(), None),
    ],
)
def test_each_form(request_scope: dict[str, Any], expected: str | None) -> None:
    assert token_id_from_request(request_scope, COOKIES) == expected


@pytest.mark.parametrize(
    ("credentials", "expected"),
    [
        ("u:longerBasicTok", "longerBasicTok"),  # LB3: the longer of user and password
        ("a2b2c3:", "a2b2c3"),
        (":a2b2c3", "a2b2c3"),
        ("token:a2b2c3", "a2b2c3"),
        ("justTok", "justTok"),
    ],
)
def test_basic_authorization(credentials: str, expected: str) -> None:
    encoded = base64.b64encode(credentials.encode()).decode()
    assert token_id_from_request(scope(authorization=f"Basic {encoded}")) == expected
    assert token_id_from_request(scope(authorization=f"basic {encoded}")) == expected


def test_base64_bearer_when_configured() -> None:
    sources = TokenSources(bearer_token_base64_encoded=True)
    encoded = base64.b64encode(b"decodedTok").decode()
    assert token_id_from_request(scope(authorization=f"Bearer {encoded}"), sources) == "decodedTok"
    assert token_id_from_request(scope(authorization=f"Bearer {encoded}")) == encoded


# ---- extraction: precedence (as LB3 3.28 answered) -----------------------------------------------


def test_query_beats_headers_and_headers_beat_cookies() -> None:
    full = scope(
        "access_token=queryTok",
        x_access_token="xTok",
        authorization="Bearer bearerTok",
        cookie=cookie(LB3_SIGNED),
    )
    assert token_id_from_request(full, COOKIES) == "queryTok"
    full["query_string"] = b""
    assert token_id_from_request(full, COOKIES) == "xTok"  # X-Access-Token before Authorization
    full["headers"] = [h for h in full["headers"] if h[0] != b"x-access-token"]
    assert token_id_from_request(full, COOKIES) == "bearerTok"
    full["headers"] = [h for h in full["headers"] if h[0] != b"authorization"]
    assert token_id_from_request(full, COOKIES) == "cookieTok"


def test_body_and_path_parameters_come_before_the_query() -> None:
    request = scope("access_token=queryTok", authorization="plainTok")
    assert token_id_from_request(request, body={"access_token": "bodyTok"}) == "bodyTok"
    assert (
        token_id_from_request(request, path_params={"access_token": "pathTok"}, body={"x": 1})
        == "pathTok"
    )
    # a non-string body value ends the parameter search for that name, as in LB3
    assert token_id_from_request(request, body={"access_token": {"neq": ""}}) == "plainTok"


def test_an_empty_query_parameter_hides_the_headers_as_in_lb3() -> None:
    assert token_id_from_request(scope("access_token=", x_access_token="xTok")) is None


def test_an_empty_header_is_skipped() -> None:
    request = scope(authorization="", cookie=cookie(LB3_SIGNED))
    assert token_id_from_request(request, COOKIES) == "cookieTok"


@pytest.mark.parametrize(
    "query", ["access_token=a&access_token=b", "access_token[a]=b", "access_token[]=a"]
)
def test_query_arrays_and_objects_are_no_token(query: str) -> None:
    assert token_id_from_request(scope(query)) is None


def test_repeated_headers_as_node_merges_them() -> None:
    assert token_id_from_request(scope(authorization=["first", "second"])) == "first"
    assert token_id_from_request(scope(x_access_token=["a", "b"])) == "a, b"


def test_custom_sources_come_first_and_defaults_can_be_switched_off() -> None:
    request = scope("tok=customQ", authorization="plainTok", x_api_key="customH")
    sources = TokenSources(params=("tok",), headers=("X-Api-Key",))
    assert token_id_from_request(request, sources) == "customQ"
    only_custom = TokenSources(headers=("X-Api-Key",), search_default_token_keys=False)
    assert token_id_from_request(request, only_custom) == "customH"
    assert token_id_from_request(scope(authorization="plainTok"), only_custom) is None


# ---- signed cookies -------------------------------------------------------------------------------


def test_signing_matches_lb3_cookie_signature() -> None:
    assert sign_cookie("cookieTok", SECRET) == LB3_SIGNED
    assert unsign_cookie(LB3_SIGNED, [SECRET]) == "cookieTok"
    assert unsign_cookie(LB3_SIGNED, ["old", SECRET]) == "cookieTok"  # rotated secrets


@pytest.mark.parametrize(
    "tampered",
    [
        LB3_SIGNED.replace("cookieTok", "cookieTol"),  # value changed, signature kept
        LB3_SIGNED[:-1] + ("A" if LB3_SIGNED[-1] != "A" else "B"),  # signature changed
        LB3_SIGNED.rsplit(".", 1)[0],  # signature removed
        sign_cookie("cookieTok", "another secret"),
    ],
)
def test_a_tampered_signed_cookie_is_no_token(tampered: str) -> None:
    assert unsign_cookie(tampered, [SECRET]) is None
    assert signed_cookies(cookie(tampered), [SECRET]) == {"access_token": False}
    request = scope(cookie=cookie(tampered))
    assert token_id_from_request(request, COOKIES) is None


def test_unsigned_cookies_and_cookies_without_a_secret_are_not_read() -> None:
    assert token_id_from_request(scope(cookie="access_token=rawTok"), COOKIES) is None
    assert token_id_from_request(scope(cookie=cookie(LB3_SIGNED))) is None  # no secret set


def test_cookie_header_parsing() -> None:
    header = f'theme=dark; {cookie(LB3_SIGNED)}; access_token="{sign_cookie("second", SECRET)}"'
    assert signed_cookies(header, [SECRET]) == {"access_token": "cookieTok"}  # first one wins
    quoted = f'access_token="{sign_cookie("quotedTok", SECRET)}"'
    assert token_id_from_request(scope(cookie=quoted), COOKIES) == "quotedTok"
    bad_escape = "access_token=%E0%A4%A; other=1"
    assert signed_cookies(bad_escape, [SECRET]) == {}
    json_value = cookie(sign_cookie('j:{"a":1}', SECRET))
    assert signed_cookies(json_value, [SECRET]) == {"access_token": {"a": 1}}
    assert token_id_from_request(scope(cookie=json_value), COOKIES) is None
