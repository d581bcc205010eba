"""Password-reset tokens: good only for setting the password, and only once.

LB3's `User.resetPassword` makes an ordinary access token (unless `restrictResetPasswordTokenScope`
is set), so the link in a reset e-mail logs its holder in as the user for 15 minutes. Here a reset
token always carries only the `reset-password` scope (LB3's scope mechanism: a token may call a
method when one of its scopes is among the method's `accessScopes`, which default to `DEFAULT`),
so it can call `reset-password` and nothing else; setting the password revokes it, and every other
token of the user, as LB3's `logoutSessionsOnSensitiveChanges` does for a password change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .tokens import DEFAULT_RESET_PASSWORD_TTL

DEFAULT_SCOPE = "DEFAULT"
RESET_PASSWORD_SCOPE = "reset-password"
DEFAULT_SCOPES = (DEFAULT_SCOPE,)


@dataclass(frozen=True)
class ResetTokenSpec:
    """What `resetPassword` creates: the token's ttl and scopes."""

    ttl: int
    scopes: tuple[str, ...] = (RESET_PASSWORD_SCOPE,)


def reset_token_spec(settings: Mapping[str, Any]) -> ResetTokenSpec:
    """LB3's `resetPasswordTokenTTL` (default 900 s), always with the reset-password scope only."""
    ttl = settings.get("resetPasswordTokenTTL") or DEFAULT_RESET_PASSWORD_TTL
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 1:
        raise ValueError(f"resetPasswordTokenTTL must be a positive whole number, not {ttl!r}")
    return ResetTokenSpec(ttl)


def scope_allows(
    token_scopes: Sequence[str] | None, method_scopes: Sequence[str] | None = None
) -> bool:
    """LB3's AccessContext.isScopeAllowed: a token without scopes has DEFAULT, a method without
    accessScopes needs DEFAULT, and one shared scope is enough."""
    granted = DEFAULT_SCOPES if token_scopes is None else token_scopes
    required = DEFAULT_SCOPES if method_scopes is None else method_scopes
    return any(scope in granted for scope in required)


def set_password_scopes() -> tuple[str, ...]:
    """The accessScopes of `reset-password` (POST /Users/reset-password): reset tokens, and
    ordinary tokens (a logged-in user may set the password the same way, as in LB3 without the
    restriction)."""
    return (RESET_PASSWORD_SCOPE, DEFAULT_SCOPE)


@dataclass(frozen=True)
class Revocation:
    """Which of the user's tokens a password change deletes: all of them, except `keep`."""

    user_id: Any
    keep: str | None


def after_password_change(
    user_id: Any, current_token_id: str | None, current_scopes: Sequence[str] | None
) -> Revocation:
    """A password set through a reset token revokes every token, that one included (one use);
    a change by a logged-in user (change-password, with the old password) keeps the session that
    made it and revokes the others, as LB3 does."""
    is_reset = current_scopes is not None and RESET_PASSWORD_SCOPE in current_scopes
    return Revocation(user_id, None if is_reset else current_token_id)
