"""Product's Python logic (LB3's common/models/product.js): validators (LB3's `validatesPresenceOf`,
`validatesLengthOf`, ... enforced on every write and stated in the OpenAPI document: the SKU's pattern,
the name's length) and remote methods."""

from __future__ import annotations

from typing import Any


def setup(Product: Any) -> None:
    validators(Product)
    remote_methods(Product)


def validators(Product: Any) -> None:
    Product.validates_presence_of("name")
    Product.validates_length_of("name", min=3, max=60)
    Product.validates_format_of("sku", with_=r"^[A-Z]{3}-\d{3}$", allow_null=True, allow_blank=True)
    Product.validates_uniqueness_of("sku")
    Product.validates_numericality_of("price")
    Product.validates_numericality_of("stock", int=True, allow_null=True)


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
