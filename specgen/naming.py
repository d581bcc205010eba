"""Names, decided once: LB3 model names become plurals, Python modules, class names and identifiers here
and nowhere else."""

from __future__ import annotations

import keyword
import re

import inflection


def plural(model_name: str) -> str:
    """LB3 pluralises with the `inflection` npm package; this is the same Rails inflector, ported."""
    return str(inflection.pluralize(model_name))


def camel_lower(name: str) -> str:
    """CoffeeShop -> coffeeShop: LB3's default foreign-key stem (`coffeeShopId`)."""
    return name[:1].lower() + name[1:] if name else name


def module_name(model_name: str) -> str:
    """CoffeeShop -> coffee_shop; order-item -> order_item; class -> class_."""
    snake = re.sub(r"[^0-9a-zA-Z]+", "_", inflection.underscore(model_name)).strip("_").lower()
    if not snake or snake[0].isdigit():
        snake = f"m_{snake}"
    if keyword.iskeyword(snake):
        snake += "_"
    return snake


def package_name(app_dir_name: str) -> str:
    """coffee-shop -> coffee_shop."""
    return module_name(app_dir_name)


def lb3_file_stem(model_name: str) -> str:
    """CoffeeShop -> coffee-shop: LB3's file naming for models/<stem>.json."""
    return inflection.dasherize(inflection.underscore(model_name))
