"""The validation probe app (tests/oracle/lb3-3.28/validation-probe.js, and bulk-create-probe.js's
Hooked) as our own LB3 app directory: the same models, the same validators written in Python, compiled once per test session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from specgen.cli import compile_app, load_generated
from specgen.render import write_package

PRODUCT = """
def setup(Product):
    Product.validates_length_of("name", min=3, max=10)
    Product.validates_format_of("sku", with_=r"^[A-Z]{3}-\\d{3}$", allow_null=True, allow_blank=True)
    Product.validates_numericality_of("stock", int=True, allow_null=True, allow_blank=True)
    Product.validates_uniqueness_of("sku")
"""

MEMBER = """
import asyncio


def setup(Member):
    Member.validates_presence_of("name", "email")
    Member.validates_length_of("password", min=5, message={"min": "Password is too short"})
    Member.validates_length_of("state", is_=2, allow_blank=True)
    Member.validates_length_of("nick", max=4, message="bad nick", allow_blank=True)
    Member.validates_inclusion_of("gender", in_=["male", "female"], allow_blank=True)
    Member.validates_exclusion_of("domain", in_=["www", "billing", "admin"], allow_blank=True)
    Member.validates_numericality_of("age", int=True, allow_blank=True)
    Member.validates_absence_of("reserved")
    Member.validates_format_of("kind", with_="^[a-z]+$", message="must be lowercase", if_="vip")
    Member.validates_uniqueness_of("email", message="email is not unique")
    Member.validates_uniqueness_of("code", scoped_to=["org"], ignore_case=True)
    Member.validate("name", lambda member: member.get("name") != "bad", message="Bad name")

    async def not_spam(member):
        await asyncio.sleep(0)
        return member.get("email") != "x@spam.com"

    Member.validate_async("email", not_spam, message="is spam")
"""

SHORT_NAME = """
def setup(Model):
    Model.validates_length_of("name", min=3)
"""

MODELS: dict[str, dict[str, Any]] = {
    "Product": {
        "properties": {
            "name": {"type": "string", "required": True},
            "sku": "string",
            "price": {"type": "number", "required": True},
            "stock": "number",
        }
    },
    "Member": {
        "properties": {
            **dict.fromkeys(
                ["name", "email", "password", "gender", "domain", "state", "nick", "reserved",
                 "kind", "code", "org"],
                "string",
            ),
            "age": "number",
            "vip": "boolean",
        }
    },
    "Strict": {"properties": {"name": "string"}, "strict": True},
    "Loose": {"properties": {"name": "string"}, "strict": False},
    "Filtered": {"properties": {"name": "string"}, "strict": "filter"},
    "Lenient": {"properties": {"name": {"type": "string", "required": True}}, "validateUpsert": False},
    "Checked": {"properties": {"name": {"type": "string", "required": True}}, "options": {"validateUpsert": True}},
    "Plain": {
        "properties": {"name": {"type": "string", "required": True}},
        "relations": {"checks": {"type": "hasMany", "model": "Checked", "foreignKey": "plainId"}},
    },
    "Hooked": {"properties": {"name": {"type": "string", "required": True}}},
    "Stamp": {
        "properties": {
            "at": {"type": "date", "default": "$now"},
            "now": {"type": "date", "defaultFn": "now"},
            "guid": {"type": "string", "defaultFn": "guid"},
            "uuid": {"type": "string", "defaultFn": "uuid"},
            "uuidv4": {"type": "string", "defaultFn": "uuidv4"},
            "shortid": {"type": "string", "defaultFn": "shortid"},
        }
    },
}  # fmt: skip
MODULES = {"Product": PRODUCT, "Member": MEMBER, "Lenient": SHORT_NAME, "Checked": SHORT_NAME,
           "Plain": SHORT_NAME, "Hooked": SHORT_NAME}  # fmt: skip


def write_app(app_dir: Path) -> Path:
    def put(path: Path, content: Any) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")

    config: dict[str, Any] = {"_meta": {"sources": ["./models"]}}
    for name, definition in MODELS.items():
        config[name] = {"dataSource": "db", "public": True}
        put(app_dir / "models" / f"{name.lower()}.json", {"name": name, **definition})
        if name in MODULES:
            put(app_dir / "models" / f"{name.lower()}.py", MODULES[name])
    put(app_dir / "model-config.json", config)
    put(app_dir / "datasources.json", {"db": {"name": "db", "connector": "memory"}})
    return app_dir


def build_package(root: Path) -> tuple[Any, dict[str, Any]]:
    """The generated package (its create_app) and its OpenAPI document."""
    app_dir = write_app(root / "validation_app")
    out = root / "gen" / "pkg_validation_app"
    _, files, problems = compile_app(app_dir, out)
    assert not problems, problems
    write_package(files, out)
    package = load_generated(out)
    import yaml

    return package, yaml.safe_load((out / "openapi.yaml").read_text("utf-8"))
