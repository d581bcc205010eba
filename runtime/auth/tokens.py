"""Access tokens: their ids, how they are stored, how long they live, where a request carries one.

Ids stay what LB3 clients know: opaque 64-character strings of letters and digits (LB3's `uid2`,
`accessTokenIdLength`). Ours come from `secrets` without uid2's modulo bias: 64 characters carry
381 random bits, and no configured length may carry fewer than 128.

The database holds only `hash_token_id(id)` (SHA-256, hex): a copied table yields no token a client
could present, and a lookup by hash is as fast as one by id. SHA-256 (not argon2) is enough because
the id is 128+ random bits: there is no dictionary to try.

TTL follows LB3's User settings (`ttl`, default 1209600 s; `maxTTL`, default 31556926 s, which
caps a requested ttl; `allowEternalTokens` for ttl -1), except that a ttl LB3 would store and then
fail on (negative, not a number, not finite; see tests/oracle/lb3-3.28/auth.md) is refused with a
400 here.

`token_id_from_request` reproduces LB3's `AccessToken.getIdForRequest` over an ASGI scope, in its
order: the `access_token` parameter (path, then body, then query), then the headers `X-Access-Token`
and `Authorization` (raw, `Bearer `, or `Basic`), then the signed cookies `access_token` and
`authorization` (cookie-parser's `s:<value>.<HMAC-SHA256>` format).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
import secrets
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote

from ..errors import BadRequest

DEFAULT_TTL = 1209600  # two weeks, LB3's User `ttl`
DEFAULT_MAX_TTL = 31556926  # one year, LB3's User `maxTTL`
DEFAULT_RESET_PASSWORD_TTL = 900  # LB3's `resetPasswordTokenTTL`
ETERNAL = -1
TOKEN_ID_LENGTH = 64  # LB3's DEFAULT_TOKEN_LEN
ID_ALPHABET = string.ascii_letters + string.digits  # uid2's 62 characters
MIN_TOKEN_BITS = 128
MIN_TOKEN_ID_LENGTH = math.ceil(MIN_TOKEN_BITS / math.log2(len(ID_ALPHABET)))  # 22
MAX_SAFE_INTEGER = 2**53 - 1  # what a JavaScript client can hold exactly


class InvalidTTL(BadRequest):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="INVALID_TTL")


# ---- ids ----------------------------------------------------------------------------------------


def new_token_id(length: int = TOKEN_ID_LENGTH) -> str:
    """A fresh token id as LB3 shapes them (letters and digits), each character uniform."""
    if length < MIN_TOKEN_ID_LENGTH:
        raise ValueError(
            f"accessTokenIdLength {length} gives fewer than {MIN_TOKEN_BITS} random bits; "
            f"use at least {MIN_TOKEN_ID_LENGTH}"
        )
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


def hash_token_id(token_id: str) -> str:
    """What the AccessToken table stores and is searched by, instead of the id itself."""
    return hashlib.sha256(token_id.encode()).hexdigest()


# ---- ttl ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenSettings:
    """A User model's token settings, read once at start-up."""

    ttl: int = DEFAULT_TTL
    max_ttl: int = DEFAULT_MAX_TTL
    allow_eternal_tokens: bool = False

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> TokenSettings:
        """LB3 reads `settings.ttl || DEFAULT_TTL` and `settings.maxTTL || DEFAULT_MAX_TTL`."""
        ttl = settings.get("ttl") or DEFAULT_TTL
        max_ttl = settings.get("maxTTL") or DEFAULT_MAX_TTL
        for name, value in (("ttl", ttl), ("maxTTL", max_ttl)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"{name} must be a positive whole number of seconds, not {value!r}"
                )
        return cls(int(ttl), int(max_ttl), bool(settings.get("allowEternalTokens")))


def resolve_ttl(requested: object, settings: TokenSettings) -> int:
    """The ttl a new token gets for what a login asked: none (or 0, as LB3's `ttl || default`) is
    the model's ttl, anything above maxTTL is maxTTL (LB3's Math.min), -1 only when eternal tokens
    are allowed. A number in a string is read as LB3 coerces it ("100"). Refused with 400
    INVALID_TTL: negatives, -1 without allowEternalTokens, fractions, booleans, objects, text that is
    no number, and values past 2^53-1 (LB3 accepts all of these and then answers 500 or 401 when
    the token is used)."""
    value = _ttl_number(requested)
    if value is None or value == 0:
        return min(settings.ttl, settings.max_ttl)
    if value == ETERNAL:
        if not settings.allow_eternal_tokens:
            raise InvalidTTL("ttl -1 (a token that never expires) is not allowed for this model")
        return ETERNAL
    if value < 0:
        raise InvalidTTL(f"ttl must be a positive number of seconds, not {value}")
    return min(value, settings.max_ttl)


def _ttl_number(requested: object) -> int | None:
    if requested is None:
        return None
    if isinstance(requested, str) and re.fullmatch(r"\s*-?\d+\s*", requested):
        requested = int(requested)
    if isinstance(requested, float) and math.isfinite(requested) and requested.is_integer():
        requested = int(requested)
    if isinstance(requested, bool) or not isinstance(requested, int):
        raise InvalidTTL(f"ttl must be a whole number of seconds, not {_show(requested)}")
    if abs(requested) > MAX_SAFE_INTEGER:
        raise InvalidTTL(f"ttl must be at most {MAX_SAFE_INTEGER} seconds")
    return requested


def _show(value: object) -> str:
    try:
        return json.dumps(value)[:40]
    except (TypeError, ValueError):
        return type(value).__name__


def expires_at(created: datetime, ttl: int) -> datetime | None:
    """When a token stops being valid; None for an eternal one."""
    return None if ttl == ETERNAL else created + timedelta(seconds=ttl)


def is_valid(
    created: datetime, ttl: int | None, *, allow_eternal_tokens: bool, now: datetime | None = None
) -> bool:
    """LB3's AccessToken.validate: an eternal token only while the model allows them; otherwise
    valid while fewer than ttl seconds have passed. A token without a ttl, or with a ttl LB3 would
    assert on (0, below -1), is invalid rather than an error."""
    if ttl is None or ttl == 0 or ttl < ETERNAL:
        return False
    if ttl == ETERNAL:
        return allow_eternal_tokens
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    moment = now or datetime.now(UTC)
    return (moment - created).total_seconds() < ttl


# ---- where a request carries the token ----------------------------------------------------------

DEFAULT_PARAMS = ("access_token",)
DEFAULT_HEADERS = ("X-Access-Token", "authorization")
DEFAULT_COOKIES = ("access_token", "authorization")
# Node keeps the first of these when a request repeats them and joins other repeats with ", "
_NODE_SINGLE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "content-type", "content-length", "host", "user-agent"}
)
_BASIC = re.compile(r"Basic ", re.IGNORECASE)
_USER_PASS = re.compile(r"([^:]*):(.*)")


@dataclass(frozen=True)
class TokenSources:
    """LB3's `loopback.token({...})` options: extra `params`, `headers` and `cookies` searched before
    the default keys (unless `searchDefaultTokenKeys` is false), `bearerTokenBase64Encoded`, and the
    cookie secrets (cookie-parser's; without one, cookies are not read, as in LB3)."""

    params: Sequence[str] = ()
    headers: Sequence[str] = ()
    cookies: Sequence[str] = ()
    search_default_token_keys: bool = True
    bearer_token_base64_encoded: bool = False
    cookie_secrets: Sequence[str] = ()

    def all_params(self) -> list[str]:
        return [*self.params, *(DEFAULT_PARAMS if self.search_default_token_keys else ())]

    def all_headers(self) -> list[str]:
        return [*self.headers, *(DEFAULT_HEADERS if self.search_default_token_keys else ())]

    def all_cookies(self) -> list[str]:
        return [*self.cookies, *(DEFAULT_COOKIES if self.search_default_token_keys else ())]


def token_id_from_request(
    scope: Mapping[str, Any],
    sources: TokenSources = TokenSources(),
    *,
    path_params: Mapping[str, object] | None = None,
    body: Mapping[str, object] | None = None,
) -> str | None:
    """The token id an ASGI request carries, found where and in the order LB3 looks, or None. As in
    LB3, the first source that holds a string wins even when it is empty (`?access_token=` hides a
    header) and an empty id means no token."""
    found = _find(scope, sources, path_params or {}, body or {})
    return found or None


def _find(
    scope: Mapping[str, Any],
    sources: TokenSources,
    path_params: Mapping[str, object],
    body: Mapping[str, object],
) -> str | None:
    query = _query(scope)
    for param in sources.all_params():
        for where in (path_params, body):
            if param in where:
                value = where[param]
                if isinstance(value, str):
                    return value
                break
        else:
            value = query.get(param)
            if isinstance(value, str):
                return value
    headers = _headers(scope)
    for name in sources.all_headers():
        header = _header(headers, name)
        if header is None or header == "":
            continue
        if header.startswith("Bearer "):
            header = header[7:]
            if sources.bearer_token_base64_encoded:
                header = _base64_text(header)
        elif _BASIC.match(header):
            header = _base64_text(header[6:])
            parts = _USER_PASS.fullmatch(header)
            if parts:
                user, password = parts.group(1), parts.group(2)
                header = password if len(password) > len(user) else user
        return header
    if sources.cookie_secrets:
        signed = signed_cookies(_header(headers, "cookie") or "", sources.cookie_secrets)
        for name in sources.all_cookies():
            value = signed.get(name)
            if isinstance(value, str):
                return value
    return None


def _query(scope: Mapping[str, Any]) -> dict[str, object]:
    """Query parameters as Express's `qs` sees them: a string when given once, not a string when
    repeated (an array) or written `name[...]` (an object)."""
    raw = scope.get("query_string", b"")
    text = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
    out: dict[str, object] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        base = key.split("[", 1)[0] if "[" in key else key
        if base != key or base in out:
            out[base] = [out.get(base), value]  # array or object: never a token
        else:
            out[key] = value
    return out


def _headers(scope: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (bytes(k).decode("latin-1").lower(), bytes(v).decode("latin-1"))
        for k, v in scope.get("headers", ())
    ]


def _header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """Node's `req.header(name)`: repeats of single-valued headers keep the first, `cookie` repeats
    join with "; ", others with ", "."""
    wanted = name.lower()
    values = [v for k, v in headers if k == wanted]
    if not values:
        return None
    if wanted in _NODE_SINGLE_HEADERS:
        return values[0]
    return ("; " if wanted == "cookie" else ", ").join(values)


def _base64_text(text: str) -> str:
    """Node's lenient `Buffer.from(text, 'base64').toString('utf8')`: stops at padding, skips
    characters outside the alphabet (either alphabet), drops a last lone character."""
    cleaned = re.sub(r"[^A-Za-z0-9+/_-]", "", text.split("=", 1)[0])
    cleaned = cleaned.replace("-", "+").replace("_", "/")
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]
    try:
        raw = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError):
        return ""
    return raw.decode("utf-8", errors="replace")


# ---- signed cookies (cookie-parser / cookie-signature) --------------------------------------------


def sign_cookie(value: str, secret: str) -> str:
    """Express's `res.cookie(name, value, {signed: true})` value, before URL encoding:
    `s:<value>.<base64 HMAC-SHA256 of value, without padding>`."""
    mac = hmac.new(secret.encode(), value.encode(), hashlib.sha256).digest()
    return f"s:{value}.{base64.b64encode(mac).decode().rstrip('=')}"


def unsign_cookie(signed: str, secrets_: Sequence[str]) -> str | None:
    """The value of a `s:`-signed cookie when one of the secrets signed it, else None."""
    if not signed.startswith("s:"):
        return None
    body = signed[2:]
    value = body[: body.rfind(".")] if "." in body else body[:-1]
    for secret in secrets_:
        if hmac.compare_digest(sign_cookie(value, secret)[2:].encode(), body.encode()):
            return value
    return None


def signed_cookies(header: str, secrets_: Sequence[str]) -> dict[str, object]:
    """cookie-parser's `req.signedCookies` for a Cookie header: only `s:` cookies, each its value
    when the signature holds and False when not (a tampered cookie is no token); a `j:` value is
    read as JSON, as cookie-parser does."""
    out: dict[str, object] = {}
    for name, raw in _parse_cookie_header(header).items():
        if not raw.startswith("s:"):
            continue
        value = unsign_cookie(raw, secrets_)
        if value is None:
            out[name] = False
        elif value.startswith("j:"):
            try:
                out[name] = json.loads(value[2:])
            except ValueError:
                out[name] = value
        else:
            out[name] = value
    return out


def _parse_cookie_header(header: str) -> dict[str, str]:
    """The `cookie` package's parse: first occurrence wins, quotes stripped, values URL-decoded."""
    out: dict[str, str] = {}
    for pair in header.split(";"):
        if "=" not in pair:
            continue
        key, value = pair.split("=", 1)
        key, value = key.strip(), value.strip()
        if not key or key in out:
            continue
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        out[key] = _decode(value)
    return out


def _decode(value: str) -> str:
    """decodeURIComponent, or the value as sent when it is no valid encoding (as `cookie` does)."""
    if "%" not in value:
        return value
    try:
        return unquote(value, errors="strict")
    except UnicodeDecodeError:
        return value
