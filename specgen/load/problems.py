"""Problems found while loading an app: collected, never raised one by one.

Every stage appends to one `Collector`, so `load_app` can report all errors and warnings of a broken
app in a single run, in a stable order.
"""

from __future__ import annotations

from contextvars import ContextVar

from ..errors import SpecError

# the file the loader is reading: named in the one line an internal error becomes (see cli.py)
reading: ContextVar[str] = ContextVar("reading", default="")


class Collector:
    def __init__(self) -> None:
        self.items: list[SpecError] = []
        self.missing_packages: list[str] = []  # npm packages named by _meta.sources, not installed

    def error(self, file: str, ptr: str, message: str) -> None:
        self.items.append(SpecError(file, ptr, message))

    def warn(self, file: str, ptr: str, message: str, *, at_startup: bool = False) -> None:
        self.items.append(SpecError(file, ptr, message, "warning", at_startup))

    def hint(self) -> str:
        """Said after an unknown model: the packages that would have defined it."""
        if not self.missing_packages:
            return ""
        names = ", ".join(self.missing_packages)
        return f" (not installed: {names}; run `npm install {' '.join(self.missing_packages)}`)"


def error_order(e: SpecError) -> tuple[str, str, str, str]:
    return (e.file, e.pointer, e.level, e.message)
