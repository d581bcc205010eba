"""What the session methods read once at start-up: each User model's settings (LB3's `ttl`,
`maxTTL`, `allowEternalTokens`, `realmRequired`, `realmDelimiter`, `emailVerificationRequired`,
`caseSensitiveEmail`) and the app's login protection (config.json's `loginThrottle` and Express's
`trust proxy`, which LB3's config.json passes to `app.set`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...db import Database
from ...registry import ModelMeta
from ...sql.throttle import ThrottleTable
from ..access_types import model_setting
from ..addresses import Network, trusted_networks
from ..throttle import LoginThrottle, ThrottleSettings
from ..tokens import TOKEN_ID_LENGTH, TokenSettings


@dataclass(frozen=True)
class UserSettings:
    """One User model's login settings (a bad value is a start-up error naming it)."""

    tokens: TokenSettings
    realm_required: bool
    realm_delimiter: str | None
    email_verification_required: bool
    case_sensitive_email: bool
    token_model: str  # the model its `accessTokens` relation points at (AccessToken)

    @classmethod
    def of(cls, meta: ModelMeta) -> UserSettings:
        def setting(key: str) -> Any:
            return user_setting(meta, key)

        values = {k: setting(k) for k in ("ttl", "maxTTL", "allowEternalTokens")}
        try:
            tokens = TokenSettings.from_settings({k: v for k, v in values.items() if v is not None})
        except ValueError as exc:
            raise ValueError(f"{meta.name}: {exc}") from None
        delimiter = setting("realmDelimiter")
        relation = meta.relations.get("accessTokens")
        return cls(
            tokens=tokens,
            realm_required=bool(setting("realmRequired")),
            realm_delimiter=delimiter if isinstance(delimiter, str) and delimiter else None,
            email_verification_required=bool(setting("emailVerificationRequired")),
            case_sensitive_email=setting("caseSensitiveEmail") is not False,
            token_model=(relation.model if relation and relation.model else "AccessToken"),
        )


def user_setting(meta: ModelMeta, key: str) -> Any:
    """LB3's `Model.settings[key]`: the model's own (or inherited) top-level setting, else its
    `options` (User's `options.caseSensitiveEmail` yields to a sub-model's top-level one)."""
    settings = meta.raw.get("settings") or {}
    if key in settings:
        return settings[key]
    return (meta.raw.get("options") or {}).get(key)


def token_id_length(token_meta: ModelMeta | None) -> int:
    """LB3's AccessToken `accessTokenIdLength` setting (at least 22 characters: 128 bits)."""
    value = model_setting(token_meta.raw, "accessTokenIdLength") if token_meta else None
    return value if isinstance(value, int) and not isinstance(value, bool) else TOKEN_ID_LENGTH


@dataclass(frozen=True)
class LoginProtection:
    """The app's throttles (one per database holding a User model) and trusted proxies."""

    throttles: Mapping[Database, LoginThrottle]
    trusted: tuple[Network, ...]


def read_config(app_dir: Path) -> dict[str, Any]:
    path = app_dir / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}  # the loader reports a broken config.json
    return config if isinstance(config, dict) else {}


def throttle_settings(config: Mapping[str, Any]) -> ThrottleSettings:
    """config.json's `loginThrottle`: `accountFailures`, `addressFailures`, `windowSeconds`."""
    raw = config.get("loginThrottle")
    if not isinstance(raw, dict):
        return ThrottleSettings()
    defaults = ThrottleSettings()
    return ThrottleSettings(
        account_failures=int(raw.get("accountFailures", defaults.account_failures)),
        address_failures=int(raw.get("addressFailures", defaults.address_failures)),
        window_seconds=int(raw.get("windowSeconds", defaults.window_seconds)),
    )


def trusted_proxies(config: Mapping[str, Any]) -> tuple[Network, ...]:
    """Express's `trust proxy` as a list of addresses/ranges (or one comma-separated string)."""
    raw = config.get("trust proxy", config.get("trustProxy"))
    if isinstance(raw, str):
        raw = [p for p in raw.split(",") if p.strip()]
    if not isinstance(raw, list):
        return ()
    return trusted_networks([str(p) for p in raw])


def login_protection(
    app_dir: Path,
    user_databases: Sequence[Database],
    metadata_by_db: Mapping[Database, Any],  # each database's sa.MetaData (runtime/sql builds)
) -> LoginProtection:
    """The throttle table goes on each database's metadata, so it is created with the app's
    tables (before workers fork)."""
    config = read_config(app_dir)
    settings = throttle_settings(config)
    throttles = {}
    for db in dict.fromkeys(user_databases):
        metadata = metadata_by_db.get(db)
        table = ThrottleTable.build(metadata) if metadata is not None else ThrottleTable.build()
        throttles[db] = LoginThrottle(db, table, settings)
    return LoginProtection(throttles, trusted_proxies(config))
