"""The error LB3 answers when authorization denies a call (loopback/lib/application.js).

The status is the model's `aclErrorStatus`, else the app's, else 401; a request without a valid access
token always gets 401. 401 says AUTHORIZATION_REQUIRED, 403 ACCESS_DENIED, 404 MODEL_NOT_FOUND (with
the path's id, JavaScript's `undefined` when there is none); any other configured status carries 403's
message and code. The body's `name` is LB3's plain `Error`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import LoopBackError
from .access_types import model_setting

MESSAGES = {
    401: ("Authorization Required", "AUTHORIZATION_REQUIRED"),
    403: ("Access Denied", "ACCESS_DENIED"),
}


class AccessError(LoopBackError):
    """A call the ACLs refuse; `status` is per instance, as LB3's is per model."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message, code=code)
        self.status = status


def denial_status(model: Mapping[str, Any], app: Mapping[str, Any], *, has_token: bool) -> int:
    """`model` is the `x-lb-models` entry (its `options` are LB3 settings), `app` the app's settings."""
    if not has_token:
        return 401
    configured = model_setting(model, "aclErrorStatus") or app.get("aclErrorStatus") or 401
    try:
        return int(configured)
    except (TypeError, ValueError):
        return 401


def denial(
    model_name: str,
    model: Mapping[str, Any],
    app: Mapping[str, Any],
    *,
    has_token: bool,
    model_id: Any = None,
) -> AccessError:
    status = denial_status(model, app, has_token=has_token)
    if status == 404:
        shown = "undefined" if model_id is None else str(model_id)
        return AccessError(404, f"could not find {model_name} with id {shown}", "MODEL_NOT_FOUND")
    message, code = MESSAGES.get(status, MESSAGES[403])
    return AccessError(status, message, code)
