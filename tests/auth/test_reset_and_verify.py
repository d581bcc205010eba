"""Reset tokens (one scope, one use) and e-mail verification (LB3's verify options, a token the
server makes, confirm, and redirects only to the app itself)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from runtime.auth.reset import (
    RESET_PASSWORD_SCOPE,
    ResetTokenSpec,
    Revocation,
    after_password_change,
    reset_token_spec,
    scope_allows,
    set_password_scopes,
)
from runtime.auth.verification import (
    SERVER_ONLY_PROPERTIES,
    AppAddress,
    InvalidToken,
    InvalidVerifyOptions,
    UnsafeRedirect,
    confirm_updates,
    new_verification_token,
    safe_redirect,
    verify_options,
    with_token,
)

# ---- reset tokens ---------------------------------------------------------------------------------


def test_reset_tokens_live_15_minutes_with_one_scope() -> None:
    assert reset_token_spec({}) == ResetTokenSpec(900, (RESET_PASSWORD_SCOPE,))
    assert reset_token_spec({"resetPasswordTokenTTL": 60}).ttl == 60
    with pytest.raises(ValueError, match="resetPasswordTokenTTL"):
        reset_token_spec({"resetPasswordTokenTTL": -5})


def test_a_reset_token_can_set_the_password_and_nothing_else() -> None:
    reset = reset_token_spec({}).scopes
    assert scope_allows(reset, set_password_scopes())
    assert not scope_allows(reset)  # any method without accessScopes: find, patch, logout...
    assert not scope_allows(reset, ["DEFAULT"])


def test_ordinary_tokens_keep_lb3s_default_scope() -> None:
    assert scope_allows(None)  # LB3: a token without scopes has DEFAULT
    assert scope_allows(["DEFAULT"], None)
    assert scope_allows(None, set_password_scopes())
    assert not scope_allows(None, ["admin"])
    assert scope_allows(["read", "admin"], ["admin"])
    assert not scope_allows([], None)


def test_a_reset_token_is_spent_by_the_password_it_sets() -> None:
    assert after_password_change(7, "resetTok", [RESET_PASSWORD_SCOPE]) == Revocation(7, None)


def test_a_password_change_keeps_only_the_session_that_made_it() -> None:
    assert after_password_change(7, "sessionTok", None) == Revocation(7, "sessionTok")
    assert after_password_change(7, "sessionTok", ["DEFAULT"]) == Revocation(7, "sessionTok")
    assert after_password_change(7, None, None) == Revocation(7, None)  # from Python: all


# ---- verification ---------------------------------------------------------------------------------


def test_verification_tokens_are_128_hex_characters_and_unpredictable() -> None:
    tokens = {new_verification_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(re.fullmatch(r"[0-9a-f]{128}", t) for t in tokens)
    assert "verificationToken" in SERVER_ONLY_PROPERTIES
    assert "emailVerified" in SERVER_ONLY_PROPERTIES


def test_verify_options_filled_in_as_lb3() -> None:
    out = verify_options(
        {"type": "email", "from": "noreply@shop.example"},
        user_id=42,
        user_email="zoe@example.com",
        users_path="/Users",
    )
    assert out["verifyHref"] == "http://localhost:3000/api/Users/confirm?uid=42&redirect=%2F"
    assert (out["to"], out["subject"], out["redirect"], out["headers"]) == (
        "zoe@example.com",
        "Thanks for Registering",
        "/",
        {},
    )
    sent = with_token(out, "abc")
    assert sent["verifyHref"].endswith("&token=abc")
    assert sent["verificationToken"] == "abc"
    assert sent["text"] == (
        "Please verify your email by opening this link in a web browser:\n\t" + sent["verifyHref"]
    )


def test_verify_options_with_the_apps_address_and_own_text() -> None:
    out = verify_options(
        {
            "type": "email",
            "from": "noreply@shop.example",
            "to": "other@example.com",
            "protocol": "https",
            "port": 443,
            "redirect": "/welcome",
            "text": "Go to {href} now ({href})",
        },
        user_id="u-1",
        user_email="zoe@example.com",
        users_path="customers",
        app=AppAddress(host="shop.example", port=8080, rest_api_root="/v1/"),
    )
    href = out["verifyHref"]
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "shop.example",
        "/v1/customers/confirm",
    )
    assert parse_qs(parts.query) == {"uid": ["u-1"], "redirect": ["/welcome"]}
    assert out["to"] == "other@example.com"
    sent = with_token(out, "t0k")
    assert sent["text"] == f"Go to {sent['verifyHref']} now ({sent['verifyHref']})"
    custom = with_token({**out, "verifyHref": "https://shop.example/verify"}, "t0k")
    assert custom["verifyHref"] == "https://shop.example/verify?token=t0k"


@pytest.mark.parametrize(
    ("options", "email", "message"),
    [
        ({"from": "a@example.com"}, "z@example.com", "verification type"),
        ({"type": "sms", "from": "a@example.com"}, "z@example.com", "Unsupported"),
        ({"type": "email", "from": "a@example.com"}, None, "verifyOptions.to"),
        ({"type": "email"}, "z@example.com", "verifyOptions.from"),
    ],
)
def test_verify_options_refused_as_lb3_asserts(
    options: dict[str, Any], email: str | None, message: str
) -> None:
    with pytest.raises(InvalidVerifyOptions, match=message):
        verify_options(options, user_id=1, user_email=email, users_path="/Users")


def test_confirm_spends_the_token() -> None:
    token = new_verification_token()
    assert confirm_updates(token, token) == {"verificationToken": None, "emailVerified": True}


@pytest.mark.parametrize(
    ("stored", "presented"),
    [
        ("abc", "abd"),
        ("abc", ""),
        (None, "abc"),
        (None, "null"),
        ("abc", {"neq": ""}),
        ("abc", None),
    ],
)
def test_confirm_refuses_anything_else(stored: str | None, presented: object) -> None:
    with pytest.raises(InvalidToken) as caught:
        confirm_updates(stored, presented)
    body = caught.value.body()["error"]
    assert (body["statusCode"], body["code"]) == (400, "INVALID_TOKEN")
    assert body["message"].startswith("Invalid token: ")


@pytest.mark.parametrize(
    "redirect",
    [
        "/",
        "/welcome?x=1",
        "https://shop.example/done",
        "HTTPS://Shop.Example/done",
        "http://localhost:3000/",
    ],
)
def test_redirects_to_the_app_itself(redirect: str) -> None:
    own = ["https://shop.example", "http://localhost:3000/"]
    assert safe_redirect(redirect, own) == redirect


@pytest.mark.parametrize(
    "redirect",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "https://shop.example.evil.example/",
        "https://shop.example@evil.example/",
        "javascript:alert(1)",
        "welcome",
        "ftp://shop.example/",
    ],
)
def test_open_redirects_are_refused(redirect: str) -> None:
    with pytest.raises(UnsafeRedirect) as caught:
        safe_redirect(redirect, ["https://shop.example"])
    assert caught.value.status == 400


def test_no_redirect() -> None:
    assert safe_redirect(None) is None
    assert safe_redirect("") is None
