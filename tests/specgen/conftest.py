"""Fixtures for compiler tests; the helpers themselves live in `appdir.py`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from specgen.errors import SpecError
from specgen.ir import AppSpec

from .appdir import load_ok, write_app

MakeApp = Callable[..., tuple[AppSpec, list[SpecError]]]


@pytest.fixture
def make_app(tmp_path: Path) -> MakeApp:
    """make_app([...models], **write_app options) -> the loaded AppSpec and its warnings."""

    def make(models: list[dict[str, Any]], **options: Any) -> tuple[AppSpec, list[SpecError]]:
        return load_ok(write_app(tmp_path / "app", models, **options))

    return make
