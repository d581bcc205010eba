"""Loader unit tests: where model files come from and what sits beside them.

An existing LB3 project must load unchanged: `server/model-config.json` whose `_meta.sources` name
`loopback/common/models` (the built-ins), `../common/models` and `./models`; `.js` files beside the
JSON (ignored, with one warning each) and `.py` files (the Python port's model logic).
"""

from __future__ import annotations

from pathlib import Path

from specgen.load import BUILTIN_DIR, load_app

from .appdir import SPECS, load_ok, props, write_app, write_json

LB3_SOURCES = ["loopback/common/models", "loopback/server/models", "../common/models", "./models"]
FIXTURES = Path(__file__).parent / "fixtures"


def lb3_project(root: Path) -> Path:
    """A project as `lb app` lays it out: models in common/, configuration in server/."""
    server = root / "server"
    write_json(
        server / "model-config.json",
        {
            "_meta": {"sources": LB3_SOURCES, "mixins": ["loopback/common/mixins", "./mixins"]},
            "User": {"dataSource": "db", "public": False},
            "AccessToken": {"dataSource": "db", "public": False},
            "CoffeeShop": {"dataSource": "db", "public": True},
            "Review": {"dataSource": "db", "public": True},
            "Local": {"dataSource": "db", "public": False},
        },
    )
    write_json(server / "datasources.json", {"db": {"name": "db", "connector": "memory"}})
    write_json(server / "config.json", {"restApiRoot": "/v1", "host": "127.0.0.1", "port": 4000})
    write_json(server / "models" / "local.json", {"name": "Local", "properties": {"k": "string"}})
    write_json(root / "common/models/coffee-shop.json", {"name": "CoffeeShop", "properties": {}})
    (root / "common/models/coffee-shop.js").write_text("module.exports = function(M) {};\n")
    write_json(root / "common/models/review.json", {"name": "Review", "properties": {}})
    (root / "common/models/review.py").write_text("def setup(model):\n    pass\n")
    (server / "boot").mkdir()
    (server / "boot/root.js").write_text("module.exports = function(app) {};\n")
    (server / "boot/seed.py").write_text("def setup(app):\n    pass\n")
    (server / "boot/README.md").write_text("not a script\n")
    return server


def test_lb3_project_layout_loads(tmp_path: Path) -> None:
    """Messages name files relative to the project, which is the app directory's parent."""
    app, warnings = load_ok(lb3_project(tmp_path / "shop"))
    assert app.name == "shop"  # the project, not "server"
    assert [m.name for m in app.models] == ["AccessToken", "CoffeeShop", "Local", "Review", "User"]
    assert (app.rest_api_root, app.host, app.port) == ("/v1", "127.0.0.1", 4000)
    sources = {m.name: m.source for m in app.models}
    assert sources["CoffeeShop"] == "common/models/coffee-shop.json"
    assert sources["Local"] == "server/models/local.json"
    assert sources["User"] == "loopback/common/models/user.json"
    modules = {m.name: m.python_module for m in app.models}
    assert modules["Review"] == "../common/models/review.py"  # relative to the app directory
    assert modules["CoffeeShop"] is None
    assert app.boot_scripts == ("boot/seed.py",)
    assert [str(w) for w in warnings] == [
        "warning: common/models/coffee-shop.js#: JavaScript model file ignored; "
        "write coffee-shop.py with setup(Model) instead",
        "warning: server/boot/root.js#: JavaScript boot script ignored "
        "(write boot/*.py with setup(app))",
    ]


def test_missing_meta_sources_default_to_lb3s(tmp_path: Path) -> None:
    server = lb3_project(tmp_path / "shop")
    write_json(
        server / "model-config.json",
        {
            "CoffeeShop": {"dataSource": "db"},
            "Local": {"dataSource": "db"},
            "Role": {"dataSource": "db"},
            "RoleMapping": {"dataSource": "db"},
        },
    )
    app, _ = load_ok(server)
    assert [m.name for m in app.models] == ["CoffeeShop", "Local", "Role", "RoleMapping"]


def test_sources_that_do_not_exist_are_skipped_and_underscore_files_ignored(tmp_path: Path) -> None:
    root = write_app(
        tmp_path / "app",
        [{"name": "Thing"}],
        sources=["./models", "../nowhere", "some-npm-module/models"],
    )
    write_json(root / "models" / "_draft.json", {"name": "Thing", "properties": "broken"})
    app, warnings = load_ok(root)
    assert [m.name for m in app.models] == ["Thing"]
    assert warnings == []


def test_model_without_name_is_named_after_its_file(tmp_path: Path) -> None:
    root = write_app(tmp_path / "app", [], attach={"OrderItem": {"dataSource": "db"}})
    write_json(root / "models" / "order-item.json", {"properties": {"qty": "number"}})
    app, _ = load_ok(root)
    assert props(app, "OrderItem") == ["qty", "id"]


def test_app_model_may_replace_a_builtin_with_a_warning(tmp_path: Path) -> None:
    root = write_app(
        tmp_path / "app",
        [{"name": "Role", "properties": {"label": "string"}}],
    )
    app, warnings = load_ok(root)
    assert props(app, "Role") == ["label", "id"]
    assert [str(w) for w in warnings] == [
        'warning: app/models/role.json#/name: replaces the built-in model "Role"'
    ]


def test_builtin_models_are_lb3s_own_files() -> None:
    """The packaged built-ins are LoopBack's JSON, unchanged (MIT, see LICENSE-loopback)."""
    assert sorted(p.name for p in BUILTIN_DIR.glob("*.json")) == [
        "access-token.json",
        "acl.json",
        "application.json",
        "change.json",
        "checkpoint.json",
        "email.json",
        "key-value-model.json",
        "role-mapping.json",
        "role.json",
        "scope.json",
        "user.json",
    ]
    assert (BUILTIN_DIR / "LICENSE-loopback").read_text().startswith("Copyright (c) IBM Corp.")


def test_every_lb3_builtin_model_file_loads_unchanged(tmp_path: Path) -> None:
    """All eleven files of loopback 3.28's common/models are packaged and attach without a warning."""
    names = ["AccessToken", "ACL", "Role", "RoleMapping", "User"]
    names += ["Application", "Change", "Checkpoint", "Email", "KeyValueModel", "Scope"]
    root = write_app(
        tmp_path / "app",
        [],
        attach={n: {"dataSource": "db", "public": True} for n in names},
        sources=["loopback/common/models"],
    )
    app, warnings = load_ok(root)
    assert sorted(m.name for m in app.models) == sorted(names)
    assert warnings == []
    application = {p.name: p for p in app.model("Application").properties}
    assert application["id"].type == "string" and not application["id"].generated
    assert application["pushSettings"].type == "object"
    assert (application["callbackUrls"].type, application["callbackUrls"].item_type) == (
        "array",
        "string",
    )
    assert not app.model("Email").persisted and app.model("Email").base == "Model"


def test_the_coffee_shop_example_loads() -> None:
    app, problems = load_app(SPECS / "coffee-shop")
    assert app is not None and problems == []
    assert [m.name for m in app.models] == [
        "ACL",
        "AccessToken",
        "CoffeeShop",
        "Review",
        "Reviewer",
        "Role",
        "RoleMapping",
        "User",
    ]
    assert [m.name for m in app.models if m.public] == ["CoffeeShop", "Review", "Reviewer"]
    assert props(app, "Review") == [
        "date",
        "rating",
        "comments",
        "id",
        "coffeeShopId",
        "publisherId",
    ]


def test_a_project_root_is_read_from_its_server_directory(tmp_path: Path) -> None:
    server = lb3_project(tmp_path / "shop")
    from_root, _ = load_ok(tmp_path / "shop")
    from_server, _ = load_ok(server)
    assert from_root == from_server
    assert from_root.app_dir == str(server.resolve())
