"""Loader unit tests: relation keys and model names, checked against LoopBack 3.28.

LB3 defines foreign keys when a model is attached (belongsTo on the owner, hasMany/hasOne on the
target, referencesMany as an array on the owner) and names them with the npm `inflection` package;
the expected values below were printed by LB3 itself for the same JSON.
"""

from __future__ import annotations

import pytest

from specgen import naming
from specgen.ir import AppSpec, RelationSpec
from tests.specgen.conftest import MakeApp

from .appdir import props


def relation(app: AppSpec, model: str, name: str) -> RelationSpec:
    return next(r for r in app.model(model).relations if r.name == name)


def prop_types(app: AppSpec, model: str) -> dict[str, tuple[str, str | None]]:
    return {p.name: (p.type, p.item_type) for p in app.model(model).properties}


def test_default_foreign_keys_land_where_lb3_puts_them(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {
                "name": "CoffeeShop",
                "properties": {"name": "string"},
                "relations": {
                    "reviews": {"type": "hasMany", "model": "Review"},
                    "manager": {"type": "belongsTo", "model": "Person"},
                    "profile": {"type": "hasOne", "model": "Profile"},
                },
            },
            {"name": "Review", "properties": {"rating": "number"}},
            {"name": "Person", "properties": {"nick": "string"}},
            {"name": "Profile", "properties": {"code": {"type": "string", "id": True}}},
        ]
    )
    assert props(app, "CoffeeShop") == ["name", "id", "managerId"]
    assert props(app, "Review") == ["rating", "id", "coffeeShopId"]
    assert props(app, "Profile") == ["code", "coffeeShopId"]
    assert relation(app, "CoffeeShop", "reviews").foreign_key == "coffeeShopId"
    assert relation(app, "CoffeeShop", "manager").foreign_key == "managerId"
    assert relation(app, "CoffeeShop", "profile").foreign_key == "coffeeShopId"


def test_explicit_and_empty_foreign_keys(make_app: MakeApp) -> None:
    # the LB3 CLI writes "foreignKey": "" for "use the default"
    app, _ = make_app(
        [
            {
                "name": "Review",
                "relations": {
                    "reviewer": {
                        "type": "belongsTo",
                        "model": "Reviewer",
                        "foreignKey": "publisherId",
                    },
                    "shop": {"type": "belongsTo", "model": "Shop", "foreignKey": ""},
                },
            },
            {
                "name": "Reviewer",
                "relations": {
                    "reviews": {"type": "hasMany", "model": "Review", "foreignKey": "publisherId"}
                },
            },
            {"name": "Shop"},
        ]
    )
    assert props(app, "Review") == ["id", "publisherId", "shopId"]
    assert relation(app, "Reviewer", "reviews").foreign_key == "publisherId"
    assert relation(app, "Review", "shop").foreign_key == "shopId"


def test_foreign_key_types_follow_the_key_they_point_at(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {
                "name": "Tag",
                "properties": {"code": {"type": "string", "id": True}, "rank": "number"},
            },
            {
                "name": "Post",
                "relations": {
                    "tag": {"type": "belongsTo", "model": "Tag"},
                    "byRank": {"type": "belongsTo", "model": "Tag", "primaryKey": "rank"},
                },
            },
        ]
    )
    assert prop_types(app, "Post")["tagId"] == ("string", None)
    assert prop_types(app, "Post")["byRankId"] == ("number", None)


def test_a_declared_foreign_key_takes_the_type_of_the_key_it_points_at(make_app: MakeApp) -> None:
    # LB3's defineForeignKey keeps the declaration (place, required) but resets its type
    app, _ = make_app(
        [
            {"name": "Shop"},
            {
                "name": "Review",
                "properties": {"shopId": {"type": "string", "required": True}, "body": "string"},
                "relations": {"shop": {"type": "belongsTo", "model": "Shop"}},
            },
        ]
    )
    assert props(app, "Review") == ["shopId", "body", "id"]
    shop_id = app.model("Review").properties[0]
    assert (shop_id.type, shop_id.required) == ("number", True)


def test_references_many_key_is_named_after_the_target_model(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {"name": "Tag", "properties": {"code": {"type": "string", "id": True}}},
            {"name": "Post", "relations": {"labels": {"type": "referencesMany", "model": "Tag"}}},
        ]
    )
    assert relation(app, "Post", "labels").foreign_key == "tagIds"
    assert prop_types(app, "Post")["tagIds"] == ("array", "string")


def test_has_many_through_key_defaults(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {"name": "Tag"},
            {
                "name": "Post",
                "relations": {"tags": {"type": "hasMany", "model": "Tag", "through": "PostTag"}},
            },
            {
                "name": "PostTag",
                "relations": {
                    "post": {"type": "belongsTo", "model": "Post"},
                    "tag": {"type": "belongsTo", "model": "Tag"},
                },
            },
        ]
    )
    tags = relation(app, "Post", "tags")
    assert (tags.type, tags.through, tags.foreign_key, tags.key_through) == (
        "hasManyThrough",
        "PostTag",
        "postId",
        "tagId",
    )
    assert props(app, "PostTag") == ["id", "postId", "tagId"]
    assert "postId" not in props(app, "Tag")  # no key on the target of a through relation


def test_polymorphic_relations(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {
                "name": "Picture",
                "relations": {"imageable": {"type": "belongsTo", "polymorphic": True}},
            },
            {
                "name": "Post",
                "relations": {
                    "pictures": {"type": "hasMany", "model": "Picture", "polymorphic": "imageable"}
                },
            },
        ]
    )
    assert prop_types(app, "Picture") == {
        "id": ("number", None),
        "imageableId": ("number", None),
        "imageableType": ("string", None),
    }
    assert relation(app, "Post", "pictures").foreign_key == "imageableId"
    assert relation(app, "Picture", "imageable").foreign_key == "imageableId"


def test_key_names_use_npm_inflection_camelize(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {"name": "order_line", "relations": {"items": {"type": "hasMany", "model": "Tag"}}},
            {"name": "Tag"},
        ]
    )
    assert relation(app, "order_line", "items").foreign_key == "orderLineId"


def test_inherited_relations_and_model_config_overrides(make_app: MakeApp) -> None:
    # the usual LB3 set-up for a custom user model: AccessToken's user relation re-pointed in
    # model-config.json, and an ACL replaced there
    app, _ = make_app(
        [{"name": "Member", "base": "User"}],
        attach={
            "AccessToken": {
                "dataSource": "db",
                "public": False,
                "relations": {"user": {"model": "Member"}},
                "acls": [
                    # same principal, property and accessType as written: replaces AccessToken's DENY
                    {"principalType": "ROLE", "principalId": "$everyone", "permission": "ALLOW"},
                    # `property: "*"` written out is another entry for LB3's addACL: appended
                    {
                        "principalType": "ROLE",
                        "principalId": "$everyone",
                        "permission": "DENY",
                        "property": "*",
                    },
                ],
            },
        },
    )
    user = relation(app, "AccessToken", "user")
    assert (user.type, user.model, user.foreign_key) == ("belongsTo", "Member", "userId")
    assert relation(app, "Member", "accessTokens").foreign_key == "userId"
    assert [(a.principal_id, a.permission) for a in app.model("AccessToken").acls] == [
        ("$everyone", "ALLOW"),
        ("$everyone", "DENY"),
    ]


@pytest.mark.parametrize(
    ("model", "plural"),
    [
        # printed by `require('inflection').pluralize(name)` in LB3 3.28's node_modules (1.13.4)
        ("CoffeeShop", "CoffeeShops"),
        ("Person", "People"),
        ("Status", "Statuses"),
        ("Category", "Categories"),
        ("Address", "Addresses"),
        ("Campus", "Campuses"),
        ("Virus", "Viruses"),
        ("Fish", "Fishes"),
        ("Criterion", "Criteria"),
        ("Tooth", "teeth"),
        ("Sheep", "Sheep"),
        ("Equipment", "Equipment"),
        ("Index", "Indices"),
        ("Knife", "Knives"),
        ("Leaf", "Leafs"),
        ("Medium", "Media"),
        ("Quiz", "Quizzes"),
        ("ACL", "ACLs"),
        ("RoleMapping", "RoleMappings"),
    ],
)
def test_plurals_are_npm_inflections(model: str, plural: str) -> None:
    assert naming.plural(model) == plural


def test_plural_and_http_path_overrides(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {"name": "Person"},
            {"name": "Goose", "plural": "Geese"},
            {"name": "Pathed", "http": {"path": "/custom"}},
            {"name": "Dotted", "http.path": "dotted-things"},
        ]
    )
    models = {m.name: m for m in app.models}
    assert models["Person"].plural == "People"
    assert models["Goose"].plural == "Geese"
    assert (models["Pathed"].plural, models["Pathed"].http_path) == ("Patheds", "/custom")
    assert models["Dotted"].http_path == "dotted-things"
