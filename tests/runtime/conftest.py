"""The runtime tests share the HTTP suite's app: built once, emptied around every test."""

from __future__ import annotations

from tests.http.conftest import app, backend, shared_app

__all__ = ["app", "backend", "shared_app"]
