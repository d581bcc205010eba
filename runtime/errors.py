"""One error hierarchy, rendered in LB3's shape at one boundary (runtime.http).

    LoopBackError (status, name, message, code?, details?)
     +-- BadRequest            400  malformed body, bad parameter values
     |    +-- InvalidFilter    400  INVALID_FILTER: unknown property/operator, bad limit, ...
     +-- NotFound             404  MODEL_NOT_FOUND and LB3's "Could not ..." variants
     +-- MethodNotAllowed     405  with the allowed verbs
     +-- Conflict             409  the database refused a write for a key it already holds
     +-- PayloadTooLarge      413
     +-- UnsupportedMediaType 415
     +-- ValidationFailed     422  ValidationError with details.codes / details.messages
     +-- ItemsFailed          4xx  a bulk create: one error per failed item in details (LB3's array)
     +-- Unprocessable        422  a value its database column cannot hold (DATA_ERROR)
     +-- ServiceUnavailable   503  the database cannot be reached

Bodies match LB3 3.28 in production mode (strong-error-handler): `{"error": {statusCode, name, message,
code?, details?}}`, keys in that order, never a stack.
"""

from __future__ import annotations

from typing import Any

import orjson

# LB3's words for a body that is not the JSON object the operation takes
NOT_AN_OBJECT = "The request body must be a JSON object. Value is not an object."


class LoopBackError(Exception):
    status = 500
    name = "Error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "statusCode": self.status,
            "name": self.name,
            "message": self.message,
        }
        if self.code is not None:
            error["code"] = self.code
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}

    def headers(self) -> dict[str, str]:
        """Response headers the error needs (Allow for a 405, Retry-After for a 429)."""
        return {}


class BadRequest(LoopBackError):
    status = 400


class SyntaxErrorBody(BadRequest):
    name = "SyntaxError"


class InvalidFilter(BadRequest):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="INVALID_FILTER")


class NotFound(LoopBackError):
    status = 404


class ModelNotFound(NotFound):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="MODEL_NOT_FOUND")


class MethodNotAllowed(LoopBackError):
    status = 405

    def __init__(self, message: str, allowed: list[str]) -> None:
        super().__init__(message, code="METHOD_NOT_ALLOWED")
        self.allowed = allowed

    def headers(self) -> dict[str, str]:
        return {"Allow": ", ".join(self.allowed)}


class Conflict(LoopBackError):
    status = 409


class PayloadTooLarge(LoopBackError):
    status = 413
    name = "PayloadTooLargeError"


class UnsupportedMediaType(LoopBackError):
    status = 415
    name = "UnsupportedMediaTypeError"


class ServiceUnavailable(LoopBackError):
    status = 503


class Unprocessable(LoopBackError):
    """A value the database cannot store although it passed the model's rules."""

    status = 422
    name = "UnprocessableEntityError"


class ValidationFailed(LoopBackError):
    """LB3's ValidationError: one or more (property, code, message) problems with one instance."""

    status = 422
    name = "ValidationError"

    def __init__(self, model: str, problems: list[tuple[str, str, str, Any]]) -> None:
        codes: dict[str, list[str]] = {}
        messages: dict[str, list[str]] = {}
        parts = []
        for prop, code, text, value in problems:
            codes.setdefault(prop, []).append(code)
            messages.setdefault(prop, []).append(text)
            parts.append(f"`{prop}` {text} (value: {show_value(value)})")
        self.summary = "; ".join(parts)  # the details, for an embedding instance's message
        message = f"The `{model}` instance is not valid. Details: {self.summary}."
        super().__init__(message, details={"context": model, "codes": codes, "messages": messages})
        self.problems = problems


class _Undefined:
    """A value the client did not send (LB3 prints it as `undefined`)."""

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED: Any = _Undefined()


def show_value(value: Any, limit: int = 60) -> str:
    """A client's value quoted in an error message: JSON, shortened, `undefined` when absent."""
    if value is UNDEFINED:
        return "undefined"
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ItemsFailed(LoopBackError):
    """A create of several items that some of them failed: LB3's answer to an array of errors, the
    message strong-error-handler gives it and `details` holding each item's error up to the last
    that failed (`null` for an item that did not). LB3 answers 500; the status here is the first
    failed item's (422 for a ValidationError): the request was the client's mistake."""

    MESSAGE = "Failed with multiple errors, see `details` for more information."

    def __init__(self, errors: list[LoopBackError | None]) -> None:
        errors = list(errors)
        while errors and errors[-1] is None:
            errors.pop()
        first = next(e for e in errors if e is not None)
        details = [None if e is None else e.body()["error"] for e in errors]
        super().__init__(self.MESSAGE, details=details)
        self.status, self.name = first.status, first.name
        self.errors = errors

    @classmethod
    def at(cls, index: int, error: LoopBackError) -> ItemsFailed:
        """Item `index` failed, the ones before it did not."""
        return cls([*([None] * index), error])
