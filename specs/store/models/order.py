"""Order's operation hooks (LB3's `Order.observe(...)` in common/models/order.js).

- `before save`: the total is the product's price times the quantity, read from Product inside the
  same transaction (a price changed by the same transaction counts; a failed save changes nothing).
- `after save`: a new order takes its quantity from the product's stock, in that transaction too.
- `access`: archived orders are hidden from every read, update and delete unless the caller's options
  say `archived: True` (Python callers: `Order.find(ctx=Context(options={"archived": True}))`).
"""

from __future__ import annotations

import math
from typing import Any

from runtime.hooks import HookContext
from runtime.model import Model


def setup(Order: Model) -> None:
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
