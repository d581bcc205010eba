"""The AccessToken model an app with users needs, attached whether or not model-config lists it.

LB3 logs users in through `User.accessTokens` (AccessToken); an app that attaches a User-based model
but not AccessToken cannot log anyone in there (LB3 attaches the auth models only when a boot script
calls `app.enableAuth({dataSource})`). Here it always gets one: AccessToken is attached, not public,
to the data source of the first User-based model. When User itself is not attached, the token's
`user` relation points at that model (what LB3 apps write in model-config.json), so a token's
`userId` is kept whether or not model-config lists AccessToken.
"""

from __future__ import annotations

from typing import Any

from .discovery import RawModel

MAX_DEPTH = 32  # a base chain longer than this is a cycle, reported by base-model resolution


def is_user_based(name: str, raw: dict[str, RawModel]) -> bool:
    """Whether the model NAME is User or based on it, from the raw JSON's `base` chain."""
    seen = 0
    while name != "User":
        model = raw.get(name)
        base = model.data.get("base") if model is not None else None
        if not isinstance(base, str) or seen > MAX_DEPTH:
            return False
        name, seen = base, seen + 1
    return True


def with_access_token(
    attached: dict[str, dict[str, Any]], raw: dict[str, RawModel]
) -> dict[str, dict[str, Any]]:
    """ATTACHED, plus an AccessToken entry when a User-based model is attached and it is not; and
    when User itself is not attached, the token's `user` relation pointed at that model (unless
    model-config.json already points it somewhere), so tokens keep their `userId`."""
    if "AccessToken" not in raw:
        return attached
    user_model = next(
        (
            name
            for name, entry in attached.items()
            if isinstance(entry.get("dataSource"), str) and is_user_based(name, raw)
        ),
        None,
    )
    if user_model is None:
        return attached
    entry = dict(attached.get("AccessToken") or {})
    if not entry:
        entry = {"dataSource": attached[user_model]["dataSource"], "public": False}
    relations = entry.get("relations")
    if "User" not in attached and not (isinstance(relations, dict) and "user" in relations):
        user = {"type": "belongsTo", "model": user_model, "foreignKey": "userId"}
        entry["relations"] = {**(relations if isinstance(relations, dict) else {}), "user": user}
    return {**attached, "AccessToken": entry}
