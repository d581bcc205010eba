"""The tutorial's server/boot/authentication.js: ACLs are enforced once the app enables auth."""

from typing import Any


def setup(app: Any) -> None:
    enable_auth = getattr(app, "enable_auth", None)
    if enable_auth is None:  # a runtime from before issue 12's wiring: nothing to enable
        return
    enable_auth()
