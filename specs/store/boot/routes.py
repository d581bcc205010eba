"""LB3's "add a custom Express route" tutorial in Python: routes of the app's own, served before the
REST API. GET /ping answers "pong"; GET /search?q=mug uses the Search mixin's Product.find_text."""

from typing import Any


def setup(app: Any) -> None:
    def ping(_request: Any) -> str:
        return "pong"

    async def search(request: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await app.models["Product"].find_text(
            request.query_params.get("q", "")
        )
        return found

    app.add_route("/ping", ping)
    app.add_route("/search", search)
