"""Who calls: the request's access token, read where LB3's `loopback.token()` reads it, made a Principal.

`PrincipalResolver` is built once at start-up (`app.principals`): which model holds the tokens (LB3's
`registry.getModelByType('AccessToken')`: the first model based on AccessToken, else AccessToken),
where a request carries one (`TokenSources`: middleware.json's `loopback#token` params, the cookie
secrets of `cookie-parser` or config.json's `cookieSecret`), and each user model's
`allowEternalTokens`. Per request it runs only when something asks who calls (an ACL, a hook, a remote
method: `Context.load_principal`), and queries the database only when the request carries a token.

As LB3's `AccessToken.findForRequest`: an unknown token is no token (anonymous); an expired one is
deleted and the request fails with 401 `INVALID_TOKEN`. The table is searched by `hash_token_id(raw)`;
the Principal's `access_token` is the row with the raw id as `id`, as LB3's `ctx.accessToken`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..context import ANONYMOUS, Context, Principal
from ..errors import LoopBackError
from ..middleware.config import read_middleware
from .access_types import model_setting
from .tokens import TokenSources, hash_token_id, is_valid, token_id_from_request

if TYPE_CHECKING:
    from ..app import LoopBackApp
    from ..http import LbRequest
    from ..model import Model

logger = logging.getLogger("runtime.auth")

TOKEN_BASE = "AccessToken"
DEFAULT_SOURCES = TokenSources()


class InvalidToken(LoopBackError):
    """LB3's answer for an expired token (the token middleware's error, before any method runs)."""

    status = 401

    def __init__(self) -> None:
        super().__init__("Invalid Access Token", code="INVALID_TOKEN")


def token_model_name(models: Mapping[str, Model]) -> str | None:
    """LB3's `registry.getModelByType('AccessToken')`: the first model based on AccessToken, else
    AccessToken itself; None when the app has neither (then no request carries a principal)."""
    for name, model in models.items():
        if TOKEN_BASE in model.meta.base_chain:
            return name
    return TOKEN_BASE if TOKEN_BASE in models else None


def token_sources(app_dir: Path) -> TokenSources:
    """middleware.json's `loopback#token` params (LB3's `loopback.token({...})` options) and the
    cookie secrets: `cookie-parser`'s params (a secret or a list of them), else config.json's
    `cookieSecret` (LB3 2.x scaffolds put it there)."""
    options: Mapping[str, Any] = {}
    secrets: list[str] = []
    entries, _ = read_middleware(app_dir)
    for entry in entries:
        params = entry.params if entry.has_params else None
        if entry.name == "loopback#token" and isinstance(params, dict):
            options = params
        elif entry.name == "cookie-parser" and params is not None:
            first = params[0] if isinstance(params, list) and params else params
            found = first if isinstance(first, list) else [first]
            secrets += [s for s in found if isinstance(s, str)]
    if not secrets:
        secret = _config(app_dir).get("cookieSecret")
        if isinstance(secret, str) and secret:
            secrets.append(secret)
    return TokenSources(
        params=_names(options.get("params")),
        headers=_names(options.get("headers")),
        cookies=_names(options.get("cookies")),
        search_default_token_keys=options.get("searchDefaultTokenKeys", True) is not False,
        bearer_token_base64_encoded=bool(options.get("bearerTokenBase64Encoded")),
        cookie_secrets=tuple(secrets),
    )


def _names(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _config(app_dir: Path) -> dict[str, Any]:
    try:
        config = json.loads((app_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return config if isinstance(config, dict) else {}


class PrincipalResolver:
    """The request -> Principal step, with everything it needs decided at start-up."""

    def __init__(
        self,
        token_model: Model | None,
        sources: TokenSources = DEFAULT_SOURCES,
        *,
        user_models: Mapping[str, Model] | None = None,
    ) -> None:
        self.token_model = token_model
        self.sources = sources
        users = dict(user_models or {})
        self.eternal = {
            name: bool(model_setting(m.meta.raw, "allowEternalTokens")) for name, m in users.items()
        }
        # LB3's AccessToken.validate reads its `user` relation's target, else app.models.User
        relation = token_model.meta.relations.get("user") if token_model is not None else None
        target = relation.model if relation is not None else None
        self.default_user = (
            target if target and not (relation and relation.raw.get("polymorphic")) else "User"
        )

    @classmethod
    def for_app(cls, app: LoopBackApp) -> PrincipalResolver:
        name = token_model_name(app.models)
        users = {n: m for n, m in app.models.items() if m.meta.is_user}
        return cls(app.models.get(name) if name else None, token_sources(app.app_dir),
                   user_models=users)  # fmt: skip

    async def resolve(self, request: LbRequest) -> Principal:
        """The caller of one request (anonymous without a token, or with one the table lacks)."""
        if self.token_model is None:
            return ANONYMOUS
        params = request.scope.get("path_params")
        raw = token_id_from_request(request.scope, self.sources, path_params=params)
        if raw is None:
            return ANONYMOUS
        return await self.from_token_id(raw)

    async def from_token_id(self, raw: str) -> Principal:
        """The Principal of a raw token id (a Python caller holding one may ask too)."""
        model = self.token_model
        if model is None or not raw:
            return ANONYMOUS
        row = await model.find_by_id(hash_token_id(raw), ctx=Context.for_system())
        if row is None:
            return ANONYMOUS
        user_model = str(row.get("principalType") or self.default_user)
        if not self._valid(row, user_model):
            await model.destroy_by_id(row[model.meta.id_name], ctx=Context.for_system())
            raise InvalidToken()
        token = {**row, "id": raw}
        return Principal(
            user_id=row.get("userId"),
            user_model=user_model,
            access_token=token,
            app_id=row.get("appId"),
        )

    def _valid(self, row: Mapping[str, Any], user_model: str) -> bool:
        created = _moment(row.get("created"))
        ttl = row.get("ttl")
        if created is None or isinstance(ttl, bool) or not isinstance(ttl, int | float):
            return False  # LB3 asserts on these (a 500 there); an unusable token here
        if isinstance(ttl, float) and not ttl.is_integer():  # LB3 compares seconds with it
            return ttl > 0 and _seconds(created) < ttl
        eternal = self.eternal.get(user_model, False)
        return is_valid(created, int(ttl), allow_eternal_tokens=eternal)


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _seconds(created: datetime) -> float:
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return (datetime.now(UTC) - created).total_seconds()
