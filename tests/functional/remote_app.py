"""A small app with remote methods, the same as the LB3 3.28 reference app the expectations in
test_remote_methods.py were recorded from (a `Shop` with the methods below, served by
loopback@3 + strong-error-handler in production mode)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from specgen.cli import compile_app, load_generated
from specgen.render import write_package

METHODS: dict[str, Any] = {
    "status": {
        "accepts": {"arg": "hour", "type": "number", "required": True},
        "returns": [{"arg": "open", "type": "boolean"}, {"arg": "message", "type": "string"}],
        "http": {"verb": "get"},
    },
    "greet": {
        "accepts": {"arg": "name", "type": "string", "description": "who"},
        "returns": {"arg": "greeting", "type": "string"},
        "http": {"verb": "get"},
    },
    "rootm": {
        "accepts": {"arg": "n", "type": "number", "default": 3},
        "returns": {"arg": "data", "type": "object", "root": True},
        "http": {"verb": "get"},
    },
    "flags": {
        "accepts": [
            {"arg": "b", "type": "boolean"},
            {"arg": "d", "type": "date"},
            {"arg": "a", "type": "array"},
            {"arg": "o", "type": "object"},
            {"arg": "i", "type": "integer"},
        ],
        "returns": {"arg": "data", "type": "object", "root": True},
        "http": {"verb": "get"},
    },
    "bodym": {
        "accepts": {"arg": "data", "type": "object", "http": {"source": "body"}},
        "returns": {"arg": "data", "type": "object", "root": True},
        "http": {"verb": "post"},
    },
    "newShop": {
        "accepts": {"arg": "shop", "type": "Shop", "required": True, "http": {"source": "body"}},
        "returns": {"arg": "shop", "type": "Shop", "root": True},
        "http": {"verb": "post", "path": "/new"},
    },
    "pathm": {
        "accepts": {"arg": "x", "type": "number", "required": True, "http": {"source": "path"}},
        "returns": {"arg": "x", "type": "number"},
        "http": {"verb": "get", "path": "/pathm/:x"},
    },
    "who": {
        "accepts": [
            {"arg": "agent", "type": "string", "http": {"source": "header"}},
            {"arg": "options", "type": "object", "http": "optionsFromRequest"},
        ],
        "returns": {"arg": "who", "type": "string"},
        "http": {"verb": "get"},
    },
    "fail": {
        "returns": {"arg": "x", "type": "number"},
        "http": {"verb": "get", "status": 201, "errorStatus": 409},
    },
    "fail2": {
        "returns": {"arg": "x", "type": "number"},
        "http": {"verb": "get", "errorStatus": 409},
    },
    "created": {"returns": {"arg": "x", "type": "number"}, "http": {"verb": "post", "status": 201}},
    "noret": {"http": {"verb": "get"}},
    "declared": {"http": {"verb": "get"}},
    "twice": {
        "returns": {"arg": "x", "type": "number"},
        "http": [{"verb": "get", "path": "/twice"}, {"verb": "post", "path": "/twice2"}],
    },
    "hidden": {"returns": {"arg": "x", "type": "number"}, "http": {"verb": "get"}},
    "prototype.rename": {
        "accepts": {"arg": "suffix", "type": "string", "required": True},
        "returns": {"arg": "shop", "type": "object", "root": True},
        "http": {"verb": "post"},
    },
}

MODULE = """
import asyncio


class Teapot(Exception):
    status_code = 418
    code = "TEA"


def setup(Shop):
    def status(hour):
        is_open = 6 <= hour < 20
        return is_open, f"msg {hour:g}"

    async def greet(name):
        await asyncio.sleep(0)
        return f"hi {name}"

    def rootm(n):
        return {"n": n, "t": type(n).__name__}

    def flags(b, d, a, o, i):
        return {"b": b, "d": d.isoformat() if d else None, "a": a, "o": o, "i": i}

    def fail():
        raise Teapot("teapot here")

    def fail2():
        raise RuntimeError("plain")

    async def rename(shop, suffix, *, ctx):
        assert ctx.instance is shop
        return await Shop.patch_attributes(shop["id"], {"name": shop["name"] + suffix}, ctx=ctx)

    def who(agent, options):
        return f"{agent} via {options.method.string_name}"

    Shop.status = status
    Shop.greet = greet
    Shop.rootm = rootm
    Shop.flags = flags
    Shop.bodym = lambda data: data
    Shop.newShop = lambda shop: shop
    Shop.pathm = lambda x: x
    Shop.who = who
    Shop.fail = fail
    Shop.fail2 = fail2
    Shop.created = lambda: 5
    Shop.noret = lambda: None
    Shop.twice = lambda: 2
    Shop.hidden = lambda: 1
    Shop.prototype.rename = rename
    Shop.remote_method(
        "echo",
        accepts=[{"arg": "word", "type": "string", "required": True}],
        returns={"arg": "echo", "type": "string"},
        http={"verb": "get"},
        fn=lambda word: word * 2,
    )
    Shop.remote_method(
        "prototype.tag",
        accepts={"arg": "label", "type": "number"},
        returns={"arg": "tagged", "type": "Shop", "root": True},
        http={"verb": "get"},
        fn=lambda shop, label: {**shop, "name": f"{shop['name']} {label:g}"},
    )
    Shop.disable_remote_method_by_name("hidden")
    Shop.disable_remote_method_by_name("destroyById")
"""


def write(path: Path, content: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")


def make_app(tmp: Path, name: str = "shops") -> Any:
    """Compile the app into tmp; return the generated package."""
    app_dir = tmp / name
    config = {
        "_meta": {"sources": ["./models"]},
        "Shop": {
            "dataSource": "db",
            "public": True,
            "options": {"remoting": {"sharedMethods": {"count": False}}},
        },
    }
    write(app_dir / "model-config.json", config)
    write(app_dir / "datasources.json", {"db": {"name": "db", "connector": "memory"}})
    write(
        app_dir / "models" / "shop.json",
        {"name": "Shop", "base": "PersistedModel", "properties": {"name": "string"},
         "methods": METHODS},
    )  # fmt: skip
    write(app_dir / "models" / "shop.py", MODULE)
    out = tmp / "gen" / f"pkg_{name}"
    _, files, _ = compile_app(app_dir, out)
    write_package(files, out)
    return load_generated(out)
