"""A client nobody here wrote: openapi-python-client generates a Python client from the Coffee Shop's
document, and that client, used as its README says, talks to a running server. The filter and where
parameters must reach the server as sent (before, the generator dropped them without a word, so an
update_all meant for one row changed every row)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.serving import BIN, ROOT, served

PACKAGE = "coffee_shop_client"


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The generated client, imported from a temp dir."""
    out = tmp_path_factory.mktemp("client") / PACKAGE
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # its ruff hook
    cmd = [
        str(BIN / "openapi-python-client"), "generate", "--meta", "none",
        "--path", str(ROOT / "generated/coffee_shop/openapi.yaml"), "--output-path", str(out),
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    # every query parameter made it into the client: none skipped, no warning
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(out.parent))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out.parent))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`specgen serve` of the Coffee Shop on a fresh SQLite file."""
    directory = tmp_path_factory.mktemp("server")
    with served("coffee-shop", f"sqlite:///{directory / 'db.sqlite'}", directory) as root:
        yield root


def module(package: Any, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{name}")


def test_generated_client_creates_finds_counts_updates_one_row_and_deletes(
    client_package: Any, base_url: str
) -> None:
    api = f"api.coffee_shop.{'{}'}"
    create, find, count, update_all, delete_by_id, find_by_id = (
        module(client_package, api.format(f"coffee_shop_{name}"))
        for name in ("create", "find", "count", "update_all", "delete_by_id", "find_by_id")
    )
    models = module(client_package, "models")
    with client_package.Client(base_url=base_url, raise_on_unexpected_status=True) as client:
        created = [
            create.sync(client=client, body=models.NewCoffeeShop(name=name, city=city))
            for name, city in [
                ("Bel Cafe", "Paris"),
                ("Three Bees", "Rome"),
                ("Zoo Coffee", "Paris"),
            ]
        ]
        assert [(s.id, s.name, s.city) for s in created] == [
            (1, "Bel Cafe", "Paris"), (2, "Three Bees", "Rome"), (3, "Zoo Coffee", "Paris"),
        ]  # fmt: skip

        # a typed filter, sent as the JSON text the parameter is
        paris = models.CoffeeShopSimpleWhere(city="Paris")
        typed = models.CoffeeShopSimpleFilter(
            where=paris,
            order="name DESC",
            limit=1,
            include=[models.CoffeeShopIncludeNamesType1Item("reviews")],
        )
        found = find.sync(client=client, filter_=json.dumps(typed.to_dict()))
        assert [(s.name, s.reviews) for s in found] == [("Zoo Coffee", [])]

        counted = count.sync(client=client, where=json.dumps(paris.to_dict()))
        assert counted.count == 2

        one = models.CoffeeShopSimpleWhere(name="Three Bees")
        updated = update_all.sync(
            client=client, where=json.dumps(one.to_dict()), body=models.CoffeeShopPatch(city="Graz")
        )
        assert updated.count == 1
        everything = find.sync(client=client, filter_=json.dumps({"order": "id ASC"}))
        assert [(s.id, s.city) for s in everything] == [(1, "Paris"), (2, "Graz"), (3, "Paris")]

        assert delete_by_id.sync(2, client=client).count == 1
        gone = find_by_id.sync_detailed(2, client=client)
        assert gone.status_code == 404
        assert gone.parsed.error.status_code == 404
        assert [s.id for s in find.sync(client=client)] == [1, 3]
