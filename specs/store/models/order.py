"""Order's Python logic (LB3's common/models/order.js): operation hooks, a remote method and a
remote hook.

- `before save`: the total is the product's price times the quantity, read from Product inside the
  same transaction (a price changed by the same transaction counts; a failed save changes nothing).
- `after save`: a new order takes its quantity from the product's stock, in that transaction too.
- `access`: archived orders are hidden from every read, update and delete unless the caller's options
  say `archived: True` (Python callers: `Order.find(ctx=Context(options={"archived": True}))`).
- A quantity is a whole number of units (a validator; the stock is an integer too).
- `Order.prototype.cancel` (declared in order.json) and a before-remote hook on create that stores
  the status in lower case.
"""

from __future__ import annotations

import math
from typing import Any

from runtime.hooks import HookContext
from runtime.model import Model


def setup(Order: Model) -> None:
    Order.validates_numericality_of("quantity", int=True)  # whole units leave the stock whole
    remote_methods(Order)
    operation_hooks(Order)


def operation_hooks(Order: Model) -> None:
    """The total, the stock and archived orders (see the module's docstring)."""

    def products() -> Model:
        return Order.app.models["Product"]  # type: ignore[no-any-return]

    async def price(ctx: HookContext) -> None:
        changed = ctx.instance if ctx.instance is not None else ctx.data
        if changed is None:
            return
        current: dict[str, Any] = ctx.current_instance or {}
        product_id = changed.get("productId", current.get("productId"))
        quantity = changed.get("quantity", current.get("quantity"))
        if product_id is None or not isinstance(quantity, int | float):
            return
        sent = changed.get("total")
        if sent is not None and (isinstance(sent, bool) or not isinstance(sent, int | float)):
            return  # no number: left for validation to refuse (422), as the schema says
        product = await products().find_by_id(product_id, ctx=ctx.context)
        if product is not None and isinstance(product.get("price"), int | float):
            total = product["price"] * quantity
            if math.isfinite(total):  # a product of huge numbers is no total to store
                changed["total"] = round(total, 2)

    async def take_stock(ctx: HookContext) -> None:
        order = ctx.instance
        if not ctx.is_new_instance or order is None or order.get("productId") is None:
            return
        product = await products().find_by_id(order["productId"], ctx=ctx.context)
        if product is not None:
            stock = (product.get("stock") or 0) - (order.get("quantity") or 0)
            if math.isfinite(stock):
                await products().patch_attributes(product["id"], {"stock": stock}, ctx=ctx.context)

    def hide_archived(ctx: HookContext) -> None:
        if not ctx.options.get("archived") and ctx.query is not None:
            ctx.query.where = {"status": {"neq": "archived"}}

    Order.observe("before save", price)
    Order.observe("after save", take_stock)
    Order.observe("access", hide_archived)


def remote_methods(Order: Any) -> None:
    """`Order.prototype.cancel` (declared in order.json) and a before-remote hook on create."""

    async def cancel(order: dict[str, Any], reason: str | None, *, ctx: Any) -> dict[str, Any]:
        if order.get("status") == "cancelled":
            raise AlreadyCancelled(f"order {order['id']} is already cancelled")
        data = {"status": "cancelled" if not reason else f"cancelled: {reason}"[:255]}
        return dict(await Order.patch_attributes(order["id"], data, ctx=ctx))

    def lower_case_status(ctx: Any) -> None:
        """before_remote on create: the status is stored in lower case (ctx.args["data"] is the
        bound body, changed before the method runs)."""
        data = ctx.args["data"]
        if isinstance(data, dict) and isinstance(data.get("status"), str):
            ctx.args["data"] = {**data, "status": data["status"].lower()}

    Order.prototype.cancel = cancel
    Order.before_remote("create", lower_case_status)


class AlreadyCancelled(Exception):
    """Without a status of its own: the method's `errorStatus` (409) applies."""
