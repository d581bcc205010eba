"""ACLs enforced, as an LB3 scaffold's boot/authentication.js does."""

from typing import Any


def setup(app: Any) -> None:
    app.enable_auth()
