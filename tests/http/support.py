"""Assertions shared by the HTTP compatibility tests: LB3's JSON responses and error envelope."""

from __future__ import annotations

from typing import Any

import httpx

JSON = "application/json; charset=utf-8"
ENVELOPE_KEYS = ("statusCode", "name", "message", "code", "details")


def ok(response: httpx.Response) -> Any:
    """A 200 JSON response's body."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == JSON
    return response.json()


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The error object of an LB3 error response, after checking its envelope: JSON, nosniff,
    `{"error": {...}}` with statusCode/name/message first and code/details only when set."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == JSON
    assert response.headers["x-content-type-options"] == "nosniff"
    body = response.json()
    assert list(body) == ["error"]
    err = body["error"]
    assert list(err)[:3] == ["statusCode", "name", "message"]
    assert set(err) <= set(ENVELOPE_KEYS)
    assert list(err) == [k for k in ENVELOPE_KEYS if k in err]  # LB3's key order
    assert err["statusCode"] == status
    assert isinstance(err["message"], str) and err["message"]
    assert "stack" not in err
    return dict(err)


def lb3_error(
    status: int, message: str, *, name: str = "Error", code: str | None = None
) -> dict[str, Any]:
    """An LB3 error body, as strong-error-handler writes it."""
    err: dict[str, Any] = {"statusCode": status, "name": name, "message": message}
    if code is not None:
        err["code"] = code
    return {"error": err}


def not_found(model: str, id: object) -> dict[str, Any]:
    return lb3_error(404, f'Unknown "{model}" id "{id}".', code="MODEL_NOT_FOUND")


def validation_error(model: str, *problems: tuple[str, str, str, str]) -> dict[str, Any]:
    """LB3's 422 body from (property, code, message, shown value) problems, in order."""
    codes: dict[str, list[str]] = {}
    messages: dict[str, list[str]] = {}
    parts = []
    for prop, code, text, value in problems:
        codes.setdefault(prop, []).append(code)
        messages.setdefault(prop, []).append(text)
        parts.append(f"`{prop}` {text} (value: {value})")
    return {
        "error": {
            "statusCode": 422,
            "name": "ValidationError",
            "message": f"The `{model}` instance is not valid. Details: {'; '.join(parts)}.",
            "details": {"context": model, "codes": codes, "messages": messages},
        }
    }


def blank(prop: str, value: str = "undefined") -> tuple[str, str, str, str]:
    return (prop, "presence", "can't be blank", value)
