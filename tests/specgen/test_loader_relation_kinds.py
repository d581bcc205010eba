"""Loader tests for the relation kinds beyond belongsTo/hasOne/hasMany: HABTM join models, polymorphic
discriminators, embedded relations and referencesMany, against LoopBack 3.28's observed behaviour
(tests/oracle/lb3-3.28/relations.md §0.1 and §2.12).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specgen.ir import AppSpec, PropertySpec, RelationSpec
from specgen.load import load_app
from tests.specgen.conftest import MakeApp

from .appdir import load_ok, props, write_app
from .library import write_library

TAG: dict[str, Any] = {"name": "Tag", "properties": {"name": "string"}}
BOOK: dict[str, Any] = {"name": "Book", "properties": {"title": "string"}}


def relation(app: AppSpec, model: str, name: str) -> RelationSpec:
    return next(r for r in app.model(model).relations if r.name == name)


def prop(app: AppSpec, model: str, name: str) -> PropertySpec:
    return next(p for p in app.model(model).properties if p.name == name)


def habtm(target: str) -> dict[str, Any]:
    return {"type": "hasAndBelongsToMany", "model": target}


def join_of(app: AppSpec, model: str, rel: str) -> str | None:
    return relation(app, model, rel).through


def test_library_join_model_is_tag_book(tmp_path: Path) -> None:
    # Book is registered before Tag and both declare HABTM: LB3 sets up Tag.books first
    app, _ = load_ok(write_library(tmp_path / "app"))
    assert join_of(app, "Book", "tags") == join_of(app, "Tag", "books") == "TagBook"
    join = app.model("TagBook")
    assert props(app, "TagBook") == ["id", "tagId", "bookId"]
    assert (join.public, join.datasource, join.base, join.strict) == (
        False,
        "db",
        "PersistedModel",
        None,  # strict not set: unknown properties are refused (docs/lb3-differences.md)
    )
    for key in ("tagId", "bookId"):
        assert (prop(app, "TagBook", key).type, prop(app, "TagBook", key).integer) == (
            "number",
            True,
        )
        assert prop(app, "TagBook", key).index
    assert [(r.name, r.type, r.model, r.foreign_key) for r in join.relations] == [
        ("tag", "belongsTo", "Tag", "tagId"),
        ("book", "belongsTo", "Book", "bookId"),
    ]
    tags, books = relation(app, "Book", "tags"), relation(app, "Tag", "books")
    assert (tags.foreign_key, tags.key_through) == ("bookId", "tagId")
    assert (books.foreign_key, books.key_through) == ("tagId", "bookId")


def test_both_sides_name_the_join_model_later_then_earlier(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {**TAG, "relations": {"books": habtm("Book")}},
            {**BOOK, "relations": {"tags": habtm("Tag")}},
        ]
    )
    assert join_of(app, "Book", "tags") == join_of(app, "Tag", "books") == "BookTag"


def test_one_side_names_the_join_model_owner_then_target(make_app: MakeApp) -> None:
    # only Tag declares it: Tag + Book, whichever of the two is registered first
    tag = {**TAG, "relations": {"books": habtm("Book")}}
    for models in ([tag, BOOK], [BOOK, tag]):
        app, _ = make_app(models)
        assert join_of(app, "Tag", "books") == "TagBook"
        assert props(app, "TagBook") == ["id", "tagId", "bookId"]


def test_an_existing_ab_or_ba_model_is_reused(make_app: MakeApp) -> None:
    book = {**BOOK, "relations": {"tags": habtm("Tag")}}
    tag = {**TAG, "relations": {"books": habtm("Book")}}
    for existing in ("BookTag", "TagBook", "booktag"):
        app, _ = make_app([{"name": existing, "properties": {"note": "string"}}, book, tag])
        assert join_of(app, "Book", "tags") == join_of(app, "Tag", "books") == existing
        assert props(app, existing) == ["note", "id", "tagId", "bookId"]
        assert {m.name for m in app.models} == {"Book", "Tag", existing}


def test_a_model_registered_after_the_relation_is_not_reused_unless_it_has_the_name(
    make_app: MakeApp,
) -> None:
    # loopback-boot attaches one model at a time: BookTag does not exist yet when Tag.books runs
    book = {**BOOK, "relations": {"tags": habtm("Tag")}}
    tag = {**TAG, "relations": {"books": habtm("Book")}}
    app, _ = make_app([book, tag, {"name": "BookTag", "properties": {"note": "string"}}])
    assert join_of(app, "Book", "tags") == "TagBook"
    assert props(app, "BookTag") == ["note", "id"]
    # a later model with the join model's own name is used, not replaced
    app, _ = make_app([book, tag, {"name": "TagBook", "properties": {"note": "string"}}])
    assert join_of(app, "Book", "tags") == "TagBook"
    assert props(app, "TagBook") == ["note", "id", "tagId", "bookId"]


def test_an_explicit_through_is_used_as_given(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {**BOOK, "relations": {"tags": {**habtm("Tag"), "through": "Shelf"}}},
            TAG,
            {
                "name": "Shelf",
                "relations": {"book": {"type": "belongsTo", "model": "Book", "foreignKey": "bk"}},
            },
        ]
    )
    assert join_of(app, "Book", "tags") == "Shelf"
    # the belongsTo it declares is kept; the missing one to Tag is added, as LB3's through.belongsTo
    assert props(app, "Shelf") == ["id", "tagId", "bk"]
    assert [r.name for r in app.model("Shelf").relations] == ["book", "tag"]
    assert "BookTag" not in {m.name for m in app.models}


def test_polymorphic_relations_carry_their_discriminator(tmp_path: Path) -> None:
    app, _ = load_ok(write_library(tmp_path / "app"))
    for model, rel in (("Author", "pictures"), ("Book", "cover"), ("Picture", "imageable")):
        r = relation(app, model, rel)
        assert (r.foreign_key, r.discriminator) == ("imageableId", "imageableType"), (model, rel)
    assert relation(app, "Book", "author").discriminator is None


def test_polymorphic_habtm_through_and_its_inverse(make_app: MakeApp) -> None:
    # oracle §2.12: Author/Reader.hasAndBelongsToMany(Picture, {through, polymorphic: "imageable"}),
    # Picture.hasMany(Author/Reader, {through, polymorphic: "imageable", invert: true})
    poly = {"through": "PictureLink", "polymorphic": "imageable"}
    inverse = {"type": "hasMany", "invert": True, **poly}
    app, _ = make_app(
        [
            {"name": "Author", "relations": {"pictures": {**habtm("Picture"), **poly}}},
            {"name": "Reader", "relations": {"pictures": {**habtm("Picture"), **poly}}},
            {
                "name": "Picture",
                "relations": {
                    "authors": {**inverse, "model": "Author"},
                    "readers": {**inverse, "model": "Reader"},
                },
            },
            {"name": "PictureLink"},
        ]
    )
    assert props(app, "PictureLink") == ["id", "imageableId", "imageableType", "pictureId"]
    pictures = relation(app, "Author", "pictures")
    assert (pictures.through, pictures.foreign_key, pictures.key_through) == (
        "PictureLink",
        "imageableId",
        "pictureId",
    )
    authors = relation(app, "Picture", "authors")
    assert (authors.type, authors.foreign_key, authors.key_through, authors.invert) == (
        "hasManyThrough",
        "pictureId",
        "imageableId",
        True,
    )
    assert pictures.discriminator == authors.discriminator == "imageableType"
    imageable = relation(app, "PictureLink", "imageable")
    assert (imageable.type, imageable.model, imageable.discriminator) == (
        "belongsTo",
        None,
        "imageableType",
    )


def test_polymorphic_habtm_needs_a_through_model(tmp_path: Path) -> None:
    root = write_app(
        tmp_path / "app",
        [{"name": "Author", "relations": {"pictures": {**habtm("Picture"), "polymorphic": "x"}}},
         {"name": "Picture"}],
    )  # fmt: skip
    app, problems = load_app(root)
    assert app is None
    assert [str(p) for p in problems] == [
        "app/models/author.json#/relations/pictures/through: "
        "a polymorphic hasAndBelongsToMany needs a through model"
    ]


def test_embedded_properties_are_named_as_juggler_names_them(tmp_path: Path) -> None:
    app, _ = load_ok(write_library(tmp_path / "app"))
    # relation name == property name: juggler renames the property `_address`
    assert relation(app, "Author", "address").property == "_address"
    assert props(app, "Author") == ["name", "email", "id", "_address"]
    address = prop(app, "Author", "_address")
    assert (address.type, address.model) == ("object", "Address")
    assert props(app, "Patron") == ["name", "secret", "id", "notes", "stickyNotes", "reminderItems"]
    notes = prop(app, "Patron", "notes")
    assert (notes.type, notes.item_type, notes.model, notes.default) == (
        "array",
        "object",
        "Note",
        [],
    )
    assert relation(app, "Patron", "stickies").property == "stickyNotes"


def test_embedded_property_defaults(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {
                "name": "Person",
                "relations": {
                    "home": {"type": "embedsOne", "model": "Address"},
                    "emails": {"type": "embedsMany", "model": "EmailAddress"},
                    "phones": {"type": "embedsMany", "model": "Phone", "property": "phoneList"},
                },
            },
            {"name": "Address", "base": "Model", "properties": {"city": "string"}},
            {"name": "EmailAddress", "base": "Model", "properties": {"value": "string"}},
            {"name": "Phone", "base": "Model", "properties": {"number": "string"}},
        ]
    )
    # embedsOne: camelCase(target); embedsMany: camelCase(target plural), `_` when equal to the name
    assert [relation(app, "Person", r).property for r in ("home", "emails", "phones")] == [
        "address",
        "emailAddresses",
        "phoneList",
    ]
    app, _ = make_app(
        [
            {"name": "Person", "relations": {"phones": {"type": "embedsMany", "model": "Phone"}}},
            {"name": "Phone", "base": "Model", "properties": {"number": "string"}},
        ]
    )
    assert relation(app, "Person", "phones").property == "_phones"


def test_a_declared_embedded_property_is_kept(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {
                "name": "Person",
                "properties": {"home": {"type": "object", "description": "where"}},
                "relations": {
                    "place": {"type": "embedsOne", "model": "Address", "property": "home"}
                },
            },
            {"name": "Address", "base": "Model", "properties": {"city": "string"}},
        ]
    )
    assert props(app, "Person") == ["home", "id"]
    assert prop(app, "Person", "home").description == "where"


def test_embedded_model_ids(tmp_path: Path) -> None:
    app, _ = load_ok(write_library(tmp_path / "app"))
    # transient connector: a generated string id (LB3: 24 hex chars); memory: a number id
    for model in ("Address", "Note"):
        assert props(app, model)[-1] == "id"
        ident = prop(app, model, "id")
        assert (ident.type, ident.id, ident.generated) == ("string", 1, True), model
    ident = prop(app, "Reminder", "id")
    assert (ident.type, ident.generated) == ("number", True)


def test_an_embedded_model_without_data_source_keeps_its_declared_id(make_app: MakeApp) -> None:
    app, _ = make_app(
        [
            {"name": "Person", "relations": {"tags": {"type": "embedsMany", "model": "Label"}}},
            {
                "name": "Label",
                "base": "Model",
                "properties": {"code": {"type": "number", "id": True}},
            },
            {"name": "Plain", "base": "Model", "properties": {"x": "string"}},
            {"name": "Holder", "relations": {"plain": {"type": "embedsOne", "model": "Plain"}}},
        ],
        attach={
            "Label": {"dataSource": None, "public": False},
            "Plain": {"dataSource": None, "public": False},
        },
    )
    assert [(p.name, p.type) for p in app.model("Label").properties] == [("code", "number")]
    assert (prop(app, "Plain", "id").type, app.model("Plain").datasource) == ("string", None)


def test_references_many_ids_match_the_oracle(tmp_path: Path) -> None:
    app, _ = load_ok(write_library(tmp_path / "app"))
    ids = prop(app, "Book", "relatedTagIds")
    assert (ids.type, ids.item_type, ids.default) == ("array", "number", [])
    assert relation(app, "Book", "relatedTags").foreign_key == "relatedTagIds"
    assert props(app, "Book")[-3:] == ["id", "authorId", "relatedTagIds"]


def test_a_synthesised_join_model_keeps_juggler_s_default_keys(make_app: MakeApp) -> None:
    # juggler's hasAndBelongsToMany passes neither foreignKey nor keyThrough on: the join keys win
    rel = {**habtm("Tag"), "foreignKey": "bk", "keyThrough": "tg"}
    app, _ = make_app([{**BOOK, "relations": {"tags": rel}}, TAG])
    tags = relation(app, "Book", "tags")
    assert (tags.through, tags.foreign_key, tags.key_through) == ("BookTag", "bookId", "tagId")
    assert props(app, "BookTag") == ["id", "bookId", "tagId"]
