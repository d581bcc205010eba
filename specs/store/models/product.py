"""Product's validators: LB3's `validatesPresenceOf`/`validatesLengthOf`/... in Python. They are
enforced on every write and stated in the OpenAPI document (the SKU's pattern, the name's length)."""

from typing import Any


def setup(Product: Any) -> None:
    Product.validates_presence_of("name")
    Product.validates_length_of("name", min=3, max=60)
    Product.validates_format_of("sku", with_=r"^[A-Z]{3}-\d{3}$", allow_null=True, allow_blank=True)
    Product.validates_uniqueness_of("sku")
    Product.validates_numericality_of("price")
    Product.validates_numericality_of("stock", int=True, allow_null=True)
