"""LB3's `include` -> a tuple of typed `Include`s, checked against the model's relations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InvalidFilter
from .ast import Include

if TYPE_CHECKING:
    from .parse import FilterParser


def parse_include(parser: FilterParser, raw: Any, depth: int) -> tuple[Include, ...]:
    if raw in (None, [], {}, ""):
        return ()
    raise InvalidFilter("include is not supported by this server yet")
