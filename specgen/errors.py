"""Spec problems as values, so the compiler reports every problem at once instead of stopping at the first.

Codes go by stage: SPEC1xx while loading LB3 JSON, SPEC2xx while building the OpenAPI document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class SpecError:
    file: str
    pointer: str
    message: str
    level: Level = "error"
    # the server warns about it again when it starts (an unknown mixin): `specgen serve`, which
    # compiles and then starts it, prints it once
    at_startup: bool = False

    def __str__(self) -> str:
        prefix = "warning: " if self.level == "warning" else ""
        return f"{prefix}{self.file}#{self.pointer}: {self.message}"


class SpecInvalid(Exception):
    """Raised by the high-level entry points when loading found errors."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def pointer(*parts: str | int) -> str:
    """JSON pointer (RFC 6901) from path parts."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "/" + "/".join(escaped) if parts else ""
