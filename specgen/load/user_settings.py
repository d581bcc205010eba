"""The User settings the runtime's e-mail flows and login read (runtime/auth/user_methods/),
carried in the model's `settings` (x-lb-models) and inherited as LB3's model settings are: a
model based on a User-based model keeps its base's unless it sets its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

USER_SETTINGS = (
    "verifyOptions", "emailVerificationRequired", "resetPasswordTokenTTL",
    # what login reads (runtime/auth/user_methods/session.py)
    "ttl", "maxTTL", "allowEternalTokens", "realmRequired", "realmDelimiter", "caseSensitiveEmail",
)  # fmt: skip


def user_settings(inherited: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The base's User settings, then the model's own."""
    found = {k: inherited[k] for k in USER_SETTINGS if k in inherited}
    found.update({k: data[k] for k in USER_SETTINGS if k in data})
    return found
