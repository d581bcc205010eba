"""LB3's "add a custom Express route" tutorial in Python: GET /ping answers "pong", before the API."""

from typing import Any


def setup(app: Any) -> None:
    def ping(_request: Any) -> str:
        return "pong"

    app.add_route("/ping", ping)
