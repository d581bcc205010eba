"""Fixtures shared by the authorization tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.auth.owner_app import build_package


@pytest.fixture(scope="session")
def owner_package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    """tests/auth/owner_app.py compiled once per run (generating a package takes seconds)."""
    return build_package(tmp_path_factory.mktemp("owner"))
