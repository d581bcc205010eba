"""The tutorial's server/boot/authentication.js: ACLs are enforced once the app enables auth."""

from typing import Any


def setup(app: Any) -> None:
    app.enable_auth()
