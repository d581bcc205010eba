"""A custom mixin: `Model.find_text(text)` finds the instances whose listed properties contain TEXT.

Used by Product (`"mixins": {"Search": {"properties": ["name", "sku"]}}`) and by the `/search` route
of boot/routes.py.
"""

from typing import Any


def setup(Model: Any, options: dict[str, Any]) -> None:
    properties = list(options.get("properties", ["name"]))

    async def find_text(text: str) -> list[dict[str, Any]]:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where = {"or": [{p: {"like": pattern}} for p in properties]}
        found: list[dict[str, Any]] = await Model.find({"where": where, "order": "id ASC"})
        return found

    Model.find_text = find_text
