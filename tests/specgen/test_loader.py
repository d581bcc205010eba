"""Loader unit tests: base inheritance, ids and property declarations, each checked against what
LoopBack 3.28 itself builds from the same JSON (observed with `loopback.createModel` + `app.model`).

Relations and plurals are in test_loader_relations.py, directory layout and sources in
test_loader_layout.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from specgen.ir import NO_DEFAULT
from specgen.load import load_app
from tests.specgen.conftest import MakeApp

from .appdir import props, write_app

# a User sub-model needs what User's relations point at, as in every LB3 app
USER_MODELS = {m: {"dataSource": "db", "public": False} for m in ("User", "AccessToken")}


def test_builtin_user_base_hides_password_and_requires_email(make_app: MakeApp) -> None:
    app, _ = make_app(
        [{"name": "Reviewer", "base": "User", "properties": {"nick": "string"}}],
        attach=USER_MODELS,
    )
    reviewer = app.model("Reviewer")
    by_name = {p.name: p for p in reviewer.properties}
    # LB3 order: own properties, then the inherited ones (User's, ending with Model's id)
    assert props(app, "Reviewer") == [
        "nick",
        "realm",
        "username",
        "password",
        "email",
        "emailVerified",
        "verificationToken",
        "id",
    ]
    assert by_name["password"].hidden and by_name["password"].required
    assert by_name["verificationToken"].hidden
    assert by_name["email"].required and not by_name["email"].hidden
    assert reviewer.base_chain == ("User", "PersistedModel", "Model")
    assert reviewer.is_user and reviewer.persisted
    assert reviewer.acls[0].principal_id == "$everyone"  # User's ACLs come first


def test_custom_base_properties_follow_own_and_redefinitions_keep_own_position(
    make_app: MakeApp,
) -> None:
    app, _ = make_app(
        [
            {"name": "Animal", "properties": {"legs": "number", "sound": "string"}},
            {
                "name": "Dog",
                "base": "Animal",
                "properties": {"breed": "string", "legs": {"type": "number", "required": True}},
            },
        ]
    )
    assert props(app, "Animal") == ["legs", "sound", "id"]
    assert props(app, "Dog") == ["breed", "legs", "sound", "id"]
    assert app.model("Dog").base_chain == ("Animal", "PersistedModel", "Model")
    assert {p.name: p.required for p in app.model("Dog").properties}["legs"] is True


def test_null_property_removes_an_inherited_one(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {"name": "Animal", "properties": {"legs": "number", "sound": "string"}},
            {"name": "Fish", "base": "Animal", "properties": {"legs": None, "fins": "number"}},
        ]
    )
    assert props(app, "Fish") == ["fins", "sound", "id"]


def test_exclude_base_properties_lists_the_names_to_drop(make_app: MakeApp) -> None:
    # LB3's excludeBaseProperties is an array of names (juggler ModelBuilder.define), not a flag
    app, _ = make_app(
        [
            {
                "name": "Member",
                "base": "User",
                "excludeBaseProperties": ["password", "realm"],
                "properties": {"x": "string"},
            }
        ],
        attach=USER_MODELS,
    )
    assert props(app, "Member") == [
        "x",
        "username",
        "email",
        "emailVerified",
        "verificationToken",
        "id",
    ]


def test_implicit_id_is_a_generated_number_after_own_properties(make_app: MakeApp) -> None:
    app, _ = make_app([{"name": "CoffeeShop", "properties": {"name": "string", "city": "string"}}])
    shop = app.model("CoffeeShop")
    assert props(app, "CoffeeShop") == ["name", "city", "id"]
    (pk,) = shop.id_properties
    assert (pk.name, pk.type, pk.id, pk.generated) == ("id", "number", 1, True)
    assert shop.force_id and shop.id_injection


def test_id_injection_false_keeps_the_id_inherited_from_model(make_app: MakeApp) -> None:
    # LB3 quirk, kept for compatibility: Model itself has the generated id, so idInjection: false
    # changes nothing unless the id is removed too ("id": null)
    app, _ = make_app(
        [
            {"name": "Kept", "idInjection": False, "properties": {"n": "string"}},
            {"name": "Keyless", "idInjection": False, "properties": {"id": None, "n": "string"}},
        ]
    )
    assert props(app, "Kept") == ["n", "id"]
    assert not app.model("Kept").id_injection
    assert props(app, "Keyless") == ["n"]
    assert app.model("Keyless").id_properties == ()
    assert not app.model("Keyless").force_id


def test_own_id_replaces_inherited_ids_and_turns_force_id_off(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {"name": "Shop", "properties": {"name": "string"}},
            {
                "name": "Branch",
                "base": "Shop",
                "properties": {"code": {"type": "string", "id": True}},
            },
        ]
    )
    assert props(app, "Branch") == ["code", "name"]
    assert [p.name for p in app.model("Branch").id_properties] == ["code"]
    assert not app.model("Branch").force_id  # inherited "auto" with a non-generated id -> false


def test_force_id_follows_lb3_rules(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {"name": "Auto", "properties": {"n": "string"}},
            {"name": "Off", "forceId": False, "properties": {"n": "string"}},
            {"name": "On", "forceId": True, "properties": {"code": {"type": "string", "id": True}}},
            {
                "name": "OwnGenerated",
                "idInjection": False,
                "properties": {"key": {"type": "number", "id": True, "generated": True}},
            },
            {"name": "Natural", "properties": {"code": {"type": "string", "id": True}}},
            {
                "name": "Child",
                "base": "Natural",
                "properties": {"k": {"type": "number", "id": True, "generated": True}},
            },
        ]
    )
    forced = {m.name: m.force_id for m in app.models}
    # Child inherits Natural's resolved forceId (false), which a generated id does not override
    assert forced == {
        "Auto": True,
        "Off": False,
        "On": True,
        "OwnGenerated": True,
        "Natural": False,
        "Child": False,
    }


def test_composite_id_properties_sorted_by_position(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {
                "name": "Pair",
                "properties": {"x": {"type": "string", "id": 2}, "y": {"type": "number", "id": 1}},
            }
        ]
    )
    assert [p.name for p in app.model("Pair").id_properties] == ["y", "x"]
    assert props(app, "Pair") == ["x", "y"]


def test_property_declarations_shorthand_case_arrays_and_model_types(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {"name": "Address", "properties": {"street": "string"}},
            {
                "name": "Thing",
                "properties": {
                    "short": "string",
                    "upper": {"type": "STRING"},
                    "mixed": "Number",
                    "tags": ["string"],
                    "matrix": {"type": ["number"], "required": True},
                    "anything": [],
                    "home": "Address",
                    "homes": ["Address"],
                    "day": "DateString",
                    "blob": "Binary",
                    "body": "Text",
                    "extra": {"type": "json"},
                    "pages": ["text"],
                    "where": "GeoPoint",
                    "push": {"apns": {"certData": "string"}, "gcm": {"serverApiKey": "string"}},
                },
            },
        ]
    )
    types = {p.name: (p.type, p.item_type) for p in app.model("Thing").properties}
    assert types == {
        "short": ("string", None),
        "upper": ("string", None),
        "mixed": ("number", None),
        "tags": ("array", "string"),
        "matrix": ("array", "number"),
        "anything": ("array", "any"),
        "home": ("object", None),
        "homes": ("array", "object"),
        "day": ("string", None),
        "blob": ("buffer", None),
        "body": ("string", None),  # juggler's Text and JSON types, registered next to String
        "extra": ("object", None),
        "pages": ("array", "string"),
        "where": ("geopoint", None),
        "push": ("object", None),  # an object without `type` is an anonymous nested model
        "id": ("number", None),
    }


def test_property_settings_are_kept(make_app: MakeApp) -> None:
    app, warnings = make_app(
        [
            {
                "name": "Item",
                "properties": {
                    "code": {
                        "type": "string",
                        "required": True,
                        "default": "x",
                        "index": {"unique": True},
                        "description": ["two", "lines"],
                        "postgresql": {"columnName": "item_code"},
                        "length": 20,
                    },
                    "created": {"type": "date", "defaultFn": "now"},
                    "plain": "string",
                },
            }
        ]
    )
    by_name = {p.name: p for p in app.model("Item").properties}
    code = by_name["code"]
    assert code.required and code.default == "x" and code.index == {"unique": True}
    assert code.description == "two\nlines"
    assert code.settings == {"postgresql": {"columnName": "item_code"}, "length": 20}
    assert by_name["created"].default_fn == "now"
    assert by_name["plain"].default is NO_DEFAULT
    assert warnings == []


def test_hidden_and_protected_lists_merge_with_the_base(make_app: MakeApp) -> None:
    app, warnings = make_app(
        [
            {
                "name": "Member",
                "base": "User",
                "properties": {"secret": "string", "note": "string"},
                "hidden": ["secret"],
                "protected": ["note", "email"],
            }
        ],
        attach=USER_MODELS,
    )
    by_name = {p.name: p for p in app.model("Member").properties}
    assert {n for n, p in by_name.items() if p.hidden} == {
        "secret",
        "password",
        "verificationToken",
    }
    assert {n for n, p in by_name.items() if p.protected} == {"note", "email"}
    assert warnings == []


def test_hidden_name_of_an_unknown_property_is_a_warning(make_app: MakeApp) -> None:
    _, warnings = make_app([{"name": "Item", "properties": {"a": "string"}, "hidden": ["nope"]}])
    assert [str(w) for w in warnings] == [
        'warning: app/models/item.json#/hidden: unknown property "nope"'
    ]


def test_model_sections_are_parsed(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {
                "name": "Order",
                "description": "An order",
                "strict": True,
                "options": {"validateUpsert": True},
                "properties": {"total": "number"},
                "validations": [{"total": {"min": 0}}],
                "acls": [
                    {
                        "principalType": "ROLE",
                        "principalId": "$owner",
                        "permission": "ALLOW",
                        "accessType": "WRITE",
                        "property": ["create", "upsert"],
                    }
                ],
                "methods": {
                    "summary": {
                        "accepts": {"arg": "since", "type": "date"},
                        "returns": [{"arg": "total", "type": "number", "root": True}],
                        "http": {"verb": "get", "path": "/summary"},
                    },
                    "prototype.ship": {"http": [{"verb": "post"}]},
                },
                "mixins": {"TimeStamp": {"required": False}},
                "scopes": {"big": {"where": {"total": {"gt": 100}}}},
                "indexes": {"total_idx": {"keys": {"total": 1}}},
                "postgresql": {"schema": "shop", "table": "orders"},
            }
        ]
    )
    order = app.model("Order")
    assert order.description == "An order" and order.strict is True
    assert order.options == {"validateUpsert": True}
    assert order.validations == ({"total": {"min": 0}},)
    (acl,) = order.acls
    assert (acl.principal_type, acl.principal_id, acl.permission, acl.access_type) == (
        "ROLE",
        "$owner",
        "ALLOW",
        "WRITE",
    )
    assert acl.property == ("create", "upsert")
    methods = {m.name: m for m in order.methods}
    assert methods["summary"].is_static and not methods["ship"].is_static
    assert methods["summary"].accepts == ({"arg": "since", "type": "date"},)
    assert methods["summary"].http == ({"verb": "get", "path": "/summary"},)
    assert order.mixins == {"TimeStamp": {"required": False}}
    assert order.scopes == {"big": {"where": {"total": {"gt": 100}}}}
    assert order.indexes == {"total_idx": {"keys": {"total": 1}}}
    assert order.settings == {"postgresql": {"schema": "shop", "table": "orders"}}


def test_acl_defaults_and_inheritance_order(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {
                "name": "Base",
                "acls": [
                    {"principalType": "ROLE", "principalId": "$everyone", "permission": "DENY"}
                ],
            },
            {
                "name": "Sub",
                "base": "Base",
                "acls": [{"principalType": "ROLE", "principalId": "admin", "permission": "ALLOW"}],
            },
        ]
    )
    acls = app.model("Sub").acls
    assert [a.principal_id for a in acls] == ["$everyone", "admin"]
    assert (acls[0].access_type, acls[0].property) == ("*", ("*",))


def test_model_config_sets_public_and_datasource(make_app: MakeApp) -> None:
    app, _ = make_app(
        [{"name": "Open"}, {"name": "Closed"}, {"name": "Unattached"}],
        attach={
            "Open": {"dataSource": "db"},
            "Closed": {"dataSource": "other", "public": False},
            "Unattached": None,  # defined in models/, left out of model-config.json
        },
        datasources={"db": {"connector": "memory"}, "other": {"connector": "sqlite3"}},
    )
    models = {m.name: m for m in app.models}
    assert (models["Open"].public, models["Open"].datasource) == (True, "db")
    assert (models["Closed"].public, models["Closed"].datasource) == (False, "other")
    assert "Unattached" not in models
    assert [d.name for d in app.datasources] == ["db", "other"]
    assert {d.name: d.connector for d in app.datasources} == {"db": "memory", "other": "sqlite3"}


def test_model_config_null_or_false_data_source_leaves_a_model_unattached(
    make_app: MakeApp,
) -> None:
    # LB3 (registry.configureModel): null or false configures the model without a data source
    app, warnings = make_app(
        [{"name": "Line", "base": "Model"}, {"name": "Draft"}],
        attach={"Line": {"dataSource": None, "public": False}, "Draft": {"dataSource": False}},
    )
    assert {m.name: m.datasource for m in app.models} == {"Draft": None, "Line": None}
    assert warnings == []


def test_problem_pointers_escape_slash_and_tilde(tmp_path: Path) -> None:
    root = write_app(tmp_path / "app", [{"name": "Item", "properties": {"a/b~c": "nope"}}])
    app, problems = load_app(root)
    assert app is None
    assert [str(p) for p in problems] == [
        'app/models/item.json#/properties/a~1b~0c/type: unknown type "nope"'
    ]


# Not juggler type names (lib/types.js registers Text, JSON, Any, String, Number, Boolean, Date,
# DateString, Buffer/Binary, Array, GeoPoint, Object). LB3 3.28 boots with such a type, as a
# placeholder model, then answers every POST that sets the property with a 500 ("Model int is not
# defined", observed through loopback-boot and the REST API), so the loader refuses them up front.
@pytest.mark.parametrize(
    "declared", ["int", "integer", "Integer", "float", "double", "bool", "datetime", "DateTime"]
)
def test_type_names_lb3_does_not_register_are_unknown_types(tmp_path: Path, declared: str) -> None:
    models = [{"name": "Item", "properties": {"one": declared, "many": {"type": [declared]}}}]
    app, problems = load_app(write_app(tmp_path / "app", models))
    assert app is None
    assert [str(p) for p in problems] == [
        f'app/models/item.json#/properties/many/type: unknown type ["{declared}"]',
        f'app/models/item.json#/properties/one/type: unknown type "{declared}"',
    ]
