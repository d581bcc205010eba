"""The operation layer: one `Operation` per REST endpoint, built at start-up from the document's
`x-lb-operation`, between the HTTP boundary and the model methods.

    request -> bind (LB3's accepts -> ctx.args) -> before-remote hooks -> call (the model method,
            with the Context) -> after-remote hooks -> result        (after-remote-error on failure)

Hooks are matched to each operation when they are registered (`hooks.py`), never per request; an
operation without hooks runs bind and call and nothing else.
"""

from .hooks import RemoteHooks, matches
from .operation import Operation

__all__ = ["Operation", "RemoteHooks", "matches"]
