"""Where keys that name a related model's property (`"reviews.rating"`) -> `Exists`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InvalidFilter
from .ast import Where

if TYPE_CHECKING:
    from .parse import FilterParser


def parse_related(parser: FilterParser, relation: str, where: dict[str, Any], depth: int) -> Where:
    raise InvalidFilter(f"Filtering by the properties of {relation} is not supported yet")
