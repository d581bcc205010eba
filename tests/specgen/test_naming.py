"""Names LB3 derives must match LB3's byte for byte: they are URLs, keys and model names.

Expected values were printed by LB3 3.28's own dependencies: npm inflection 1.13.4 (`camelize`)
and lodash (`_.upperFirst(_.camelCase(stem))`, loopback-boot's name for a model file without one).
Plurals are in test_loader_relations.py.
"""

from __future__ import annotations

import pytest

from specgen import naming


@pytest.mark.parametrize(
    ("model", "key", "keys"),
    [
        ("CoffeeShop", "coffeeShopId", "coffeeShopIds"),
        ("ABCThing", "aBCThingId", "aBCThingIds"),
        ("order-item", "order-itemId", "order-itemIds"),
        ("user_profile", "userProfileId", "userProfileIds"),
        ("coffee_SHOP", "coffeeShopId", "coffeeShopIds"),
        ("Tag", "tagId", "tagIds"),
    ],
)
def test_foreign_key_names_are_npm_camelize(model: str, key: str, keys: str) -> None:
    assert naming.foreign_key(model) == key
    assert naming.foreign_key(model, "_ids") == keys


@pytest.mark.parametrize(
    ("stem", "name"),
    [
        ("coffee-shop", "CoffeeShop"),
        ("access-token", "AccessToken"),
        ("ACL", "Acl"),
        ("my_model2", "MyModel2"),
        ("FOOBar", "FooBar"),
        ("order-item-v2", "OrderItemV2"),
        ("XMLHttp-request", "XmlHttpRequest"),
    ],
)
def test_model_name_from_file_is_loopback_boots(stem: str, name: str) -> None:
    assert naming.model_name_from_file(stem) == name


@pytest.mark.parametrize(
    ("model", "module"),
    [
        ("CoffeeShop", "coffee_shop"),
        ("order-item", "order_item"),
        ("class", "class_"),
        ("3d-thing", "m_3d_thing"),
    ],
)
def test_python_module_names(model: str, module: str) -> None:
    assert naming.module_name(model) == module


@pytest.mark.parametrize(
    ("lb3", "ours"),
    [
        ("CoffeeShop.find", "CoffeeShop_find"),
        ("CoffeeShop.prototype.__get__reviews", "CoffeeShop_prototype_get_reviews"),
        ("Author.prototype.__findById__books__tags", "Author_prototype_findById_books_tags"),
        ("CoffeeShop.prototype.patchAttributes", "CoffeeShop_prototype_patchAttributes"),
        ("CoffeeShop.replaceById__put_CoffeeShops_{id}", "CoffeeShop_replaceById_put"),
        ("CoffeeShop.exists__get_CoffeeShops_{id}_exists", "CoffeeShop_exists_get"),
        ("order-item.find", "order_item_find"),
        ("3d.find", "_3d_find"),
    ],
)
def test_operation_ids_are_identifiers(lb3: str, ours: str) -> None:
    assert naming.operation_id(lb3) == ours
    assert ours.isidentifier()


def test_operation_ids_that_would_collide_keep_every_part() -> None:
    lb3 = ["M.replaceById__put_Ms_{id}", "M.replaceById__put_Ms_{id}_other", "M.find"]
    assert naming.operation_ids(lb3) == {
        "M.replaceById__put_Ms_{id}": "M_replaceById_put_Ms_id",
        "M.replaceById__put_Ms_{id}_other": "M_replaceById_put_Ms_id_other",
        "M.find": "M_find",
    }
