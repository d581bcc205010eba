"""Order's Python logic (LB3's common/models/order.js)."""

from __future__ import annotations

from typing import Any


def setup(Order: Any) -> None:
    remote_methods(Order)


def remote_methods(Order: Any) -> None:
    """`Order.prototype.cancel` (declared in order.json) and a before-remote hook on create."""

    async def cancel(order: dict[str, Any], reason: str | None, *, ctx: Any) -> dict[str, Any]:
        if order.get("status") == "cancelled":
            raise AlreadyCancelled(f"order {order['id']} is already cancelled")
        data = {"status": "cancelled" if not reason else f"cancelled: {reason}"[:255]}
        return dict(await Order.patch_attributes(order["id"], data, ctx=ctx))

    async def price_the_order(ctx: Any) -> None:
        """before_remote on create: an order without a total gets quantity x its product's price
        (ctx.args["data"] is the bound body, changed before the method runs)."""
        data = ctx.args["data"]
        if isinstance(data, dict) and data.get("total") is None and data.get("productId"):
            product = await Order.app.models["Product"].find_by_id(data["productId"], ctx=ctx)
            quantity = data.get("quantity")
            if product is not None and isinstance(quantity, int | float):
                ctx.args["data"] = {**data, "total": product["price"] * quantity}

    Order.prototype.cancel = cancel
    Order.before_remote("create", price_the_order)


class AlreadyCancelled(Exception):
    """Without a status of its own: the method's `errorStatus` (409) applies."""
