"""Product's Python logic (LB3's common/models/product.js)."""

from __future__ import annotations

from typing import Any


def setup(Product: Any) -> None:
    remote_methods(Product)


def remote_methods(Product: Any) -> None:
    """`Product.search` (static) and `Product.prototype.restock`, declared in product.json."""

    async def search(q: str, max_price: float | None, *, ctx: Any) -> list[dict[str, Any]]:
        where: dict[str, Any] = {"name": {"ilike": f"%{q}%"}}
        if max_price is not None:
            where["price"] = {"lte": max_price}
        return list(await Product.find({"where": where, "order": "name ASC"}, ctx=ctx))

    async def restock(product: dict[str, Any], units: int, *, ctx: Any) -> tuple[float, bool]:
        stock = (product.get("stock") or 0) + units  # negative units take stock out
        if stock < 0:
            raise OutOfStock(f"only {product.get('stock') or 0} in stock")
        await Product.patch_attributes(product["id"], {"stock": stock}, ctx=ctx)
        return stock, True

    def cheapest_first(ctx: Any) -> None:
        """after_remote: the response is what the hook leaves in ctx.result."""
        ctx.result = sorted(ctx.result, key=lambda p: (p["price"], p["id"]))

    Product.search = search
    Product.prototype.restock = restock
    Product.after_remote("search", cheapest_first)


class OutOfStock(ValueError):
    """Without a status of its own: restock's `errorStatus` (409) applies."""
