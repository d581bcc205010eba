"""Arguments the server supplies from the caller, never the client: LB3 declares them with a
function as `http` (user.js), which a JSON `methods` block cannot hold, so the built-in User model
names them by source instead:

    accessTokenId    the caller's access token id (logout)
    userIdFromToken  the caller's user id (changePassword, setPassword); 403 when the token was
                     made for another user model (LB3's getUserIdFromRequestContext)
    verifyOptions    the model's verify options (prototype.verify: `Model.get_verify_options()`)

Each is computed when the method is called (after the before-remote hooks) and put in `ctx.args`,
so after-remote hooks see it as LB3's do.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import LoopBackError

if TYPE_CHECKING:
    from ..context import Context


class AccessDenied(LoopBackError):
    status = 403

    def __init__(self) -> None:
        super().__init__("Access Denied")


def token_of(ctx: Context) -> Any:
    """The caller's access token (a row, or None)."""
    return ctx.principal.access_token


def _field(token: Any, name: str) -> Any:
    if token is None:
        return None
    if isinstance(token, dict):
        return token.get(name)
    return getattr(token, name, None)


def access_token_id(ctx: Context) -> Any:
    return _field(token_of(ctx), "id")


def user_id_from_token(ctx: Context) -> Any:
    principal = ctx.principal
    token = principal.access_token
    if token is None:
        return None
    model = ctx.method.model if ctx.method is not None else None
    if model is not None and _other_user_model(model, principal.user_model, token):
        raise AccessDenied()  # a token of another user model sharing the AccessToken model
    return principal.user_id


def _other_user_model(model: Any, user_model: str | None, token: Any) -> bool:
    """LB3 refuses a token whose `principalType` names another model; here also one whose user
    model (from the AccessToken's `user` relation) is another User-based model the app serves."""
    declared = _field(token, "principalType")
    if declared is not None:
        return bool(declared != model.name)
    models = getattr(model.app, "models", None) or {}
    other = models.get(user_model) if user_model and user_model != model.name else None
    return other is not None and bool(other.meta.is_user)


def verify_options(ctx: Context) -> Any:
    model = ctx.method.model if ctx.method is not None else None
    get = getattr(model, "get_verify_options", None)
    return get() if callable(get) else None


SUPPLIERS: dict[str, Callable[[Context], Any]] = {
    "accessTokenId": access_token_id,
    "userIdFromToken": user_id_from_token,
    "verifyOptions": verify_options,
}


async def supplied(ctx: Context, source: str, name: str) -> Any:
    """The value of argument NAME whose `http.source` is SOURCE, also set in `ctx.args`."""
    await ctx.load_principal()
    value = SUPPLIERS[source](ctx)
    if inspect.isawaitable(value):
        value = await value
    if value is not None:
        ctx.args[name] = value
    return value
