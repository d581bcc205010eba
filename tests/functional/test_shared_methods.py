"""config.json's app-wide `remoting.sharedMethods` combined with model-config's, against what LB3 3.28
shares for the same app (tests/oracle/lb3-3.28/shared-methods.json, from shared-methods-probe/): in
the compiled document, in the served one, and for the methods declared from Python."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from runtime.app import LoopBackApp
from specgen.cli import compile_app, load_generated
from specgen.render import write_package
from tests.functional.test_extensions import _lifespan

ORACLE = Path(__file__).resolve().parents[1] / "oracle" / "lb3-3.28"
LB3: dict[str, list[str]] = json.loads((ORACLE / "shared-methods.json").read_text("utf-8"))
SHOP = """def setup(Shop):
    Shop.remote_method("shout", returns={"arg": "s", "type": "string"}, http={"verb": "get"},
                       fn=lambda: "HEY")
    Shop.remote_method("whisper", returns={"arg": "s", "type": "string"}, http={"verb": "get"},
                       fn=lambda: "psst")
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("shared")
    app_dir = tmp / "shared"
    shutil.copytree(ORACLE / "shared-methods-probe" / "server", app_dir)
    config = json.loads((app_dir / "config.json").read_text("utf-8"))
    config["remoting"]["sharedMethods"]["shout"] = True  # a method LB3's app does not declare
    (app_dir / "config.json").write_text(json.dumps(config), "utf-8")
    (app_dir / "models" / "shop.py").write_text(SHOP, "utf-8")
    out = tmp / "gen" / "pkg_shared"
    _, files, problems = compile_app(app_dir, out)
    assert not [p for p in problems if p.level == "error"], problems
    write_package(files, out)
    return load_generated(out)


@pytest.fixture
async def app(package: Any) -> AsyncIterator[LoopBackApp]:
    application: LoopBackApp = package.create_app(db_url="sqlite://")
    async with _lifespan(application):
        yield application


def methods(document: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for item in document["paths"].values():
        for op in item.values():
            ext = op["x-lb-operation"]
            found.setdefault(ext["model"], set()).add(ext["method"])
    return {model: sorted(names) for model, names in found.items()}


def test_the_compiled_document_shares_what_lb3_shares(package: Any) -> None:
    compiled = yaml.safe_load((Path(package.__file__).parent / "openapi.yaml").read_text("utf-8"))
    assert methods(compiled) == LB3


async def test_the_served_document_and_routes_add_the_shared_python_methods(
    app: LoopBackApp,
) -> None:
    assert methods(app.document) == {**LB3, "Shop": sorted([*LB3["Shop"], "shout"])}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/api") as client:
        assert (await client.get("/Shops/shout")).json() == {"s": "HEY"}
        assert (await client.get("/Shops/whisper")).status_code == 404  # "*": false
        assert (await client.get("/Kiosks/count")).json() == {"count": 0}
        assert (await client.get("/Shops/count")).status_code == 404  # the model's false wins
