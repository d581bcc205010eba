"""A create of several items (`POST /Model` with an array, `Model.create([...])`): every item or none.

LB3 creates the items one by one, in parallel and outside any transaction, stores the valid ones and
answers an array of errors, one per item up to the last that failed. Here the items are created in
the write's one transaction, in two passes, so that a batch with a bad item writes nothing and
still reports every bad item:

1. each item: `before save`, then its values checked and validated (LB3's order: every item's
   `before save` runs before the first is stored); an invalid item is recorded and the next one
   goes on;
2. if none was invalid, each item: `persist`, the insert, `loaded`, `after save`. The database
   refusing an item (a duplicate key, a value its column cannot hold) stops at that item.

Either pass's item failures are one `ItemsFailed` (LB3's body, with the first failed item's
status). Anything else (a hook refusing the operation) is not the item's: it stops the create and
is raised as it is, as for a single create.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import Conflict, ItemsFailed, LoopBackError, Unprocessable, ValidationFailed

if TYPE_CHECKING:
    from .context import Context
    from .db import Session
    from .hooks import Operation
    from .model import Model

ITEM_ERRORS = (ValidationFailed, Conflict, Unprocessable)  # what is wrong with one item's data


async def create_items(
    model: Model, op: Operation | None, s: Session, items: list[dict[str, Any]], ctx: Context | None
) -> list[dict[str, Any]]:
    prepared: list[dict[str, Any]] = []
    failures: list[LoopBackError | None] = []
    for item in items:
        try:  # model rules that read the table (a uniqueness rule) run here too
            prepared.append(await model._prepare_new(op, item, allow_id=False, ctx=ctx))
            failures.append(None)
        except ValidationFailed as exc:
            failures.append(exc)
    if any(f is not None for f in failures):
        raise ItemsFailed(failures)
    created = []
    for index, values in enumerate(prepared):
        try:
            created.append(await model._store_new(op, s, values))
        except ITEM_ERRORS as exc:
            raise ItemsFailed.at(index, exc) from exc
    return created
