"""The relation endpoints of the OpenAPI document, for the LB3 probe app that uses every relation type
(tests/specgen/library.py), checked against the swagger LB3 3.28 served for it.

Every relation operation LB3 listed must be ours with the same verb, path, operationId and summary.
Ours has more, by design (relations contract §4, §7): PATCH beside PUT for hasOne/embedsOne, and the
full nestRemoting surface (LB3 nests only what the target had when the parent was registered).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from specgen.ir import AppSpec
from specgen.openapi import build_openapi
from specgen.openapi.relation_endpoints import Surface, relation_operations
from specgen.render import render_package

from .appdir import load_ok
from .library import oracle_relation_operations, oracle_summaries, write_library

VERBS = {"get", "put", "post", "patch", "delete", "head"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> AppSpec:
    loaded, _ = load_ok(write_library(tmp_path_factory.mktemp("library") / "app"))
    return loaded


@pytest.fixture(scope="module")
def document(app: AppSpec) -> dict[str, Any]:
    return build_openapi(app)


def relation_ops(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for verb, op in item.items():
            if verb in VERBS and ".prototype.__" in lb3_id(op):
                yield verb.upper(), path, op


def lb3_id(op: dict[str, Any]) -> str:
    """LB3's operationId (loopback-swagger's), which ours is made from."""
    return str(op["x-lb-operation"]["lb3OperationId"])


def op_by_id(document: dict[str, Any], operation_id: str) -> dict[str, Any]:
    """The relation operation LB3 calls `operation_id`."""
    return next(op for _, _, op in relation_ops(document) if lb3_id(op) == operation_id)


def ok_schema(op: dict[str, Any]) -> Any:
    return op["responses"]["200"]["content"]["application/json"]["schema"]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_document_is_valid_and_operation_ids_are_unique(document: dict[str, Any]) -> None:
    validate(document)
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_every_lb3_relation_operation_is_ours_with_its_summary(document: dict[str, Any]) -> None:
    ours = {(verb, path, lb3_id(op)): op["summary"] for verb, path, op in relation_ops(document)}
    assert sorted(oracle_relation_operations() - set(ours)) == []
    summaries = oracle_summaries()
    assert {oid: s for (_, _, oid), s in ours.items() if oid in summaries} == summaries


def test_the_extra_operations_are_patch_and_the_full_nested_surface(
    document: dict[str, Any],
) -> None:
    ours = {(verb, path, lb3_id(op)) for verb, path, op in relation_ops(document)}
    extra = ours - oracle_relation_operations()
    patches = {
        ("PATCH", "/Authors/{id}/address", "Author.prototype.__patch__address"),
        ("PATCH", "/Books/{id}/cover", "Book.prototype.__patch__cover"),
        ("PATCH", "/Patrons/{id}/libraryCard", "Patron.prototype.__patch__libraryCard"),
    }
    # Author.books has nestRemoting: every endpoint of every served relation of Book, under {nk}
    nested = {
        (verb, path.replace("/Books/{id}/", "/Authors/{id}/books/{nk}/"), _nested_id(oid))
        for verb, path, oid in ours
        if oid.startswith("Book.prototype.")
    }
    assert extra == patches | (nested - oracle_relation_operations())
    assert (
        "GET",
        "/Authors/{id}/books/{nk}/author",
        "Author.prototype.__get__books__author",
    ) in ours


def _nested_id(book_operation_id: str) -> str:
    """Book.prototype.__link__tags -> Author.prototype.__link__books__tags"""
    method, rel = book_operation_id.removeprefix("Book.prototype.__").split("__", 1)
    return f"Author.prototype.__{method}__books__{rel}"


def test_x_lb_operation_names_model_method_handler_and_relation(document: dict[str, Any]) -> None:
    for _, path, op in relation_ops(document):
        x_lb = op["x-lb-operation"]
        model, method = lb3_id(op).split(".", 1)
        assert op["operationId"] == f"{model}_{method.replace('.__', '_').replace('__', '_')}"
        assert (x_lb["model"], x_lb["method"]) == (model, method), path
        relation = path.split("/")[3]
        assert x_lb["relation"] == relation, path
        if "{nk}" in path:
            assert x_lb["nested"] == path.split("/")[5], path
            assert x_lb["handler"].startswith(f"{relation}__"), path
        else:
            assert "nested" not in x_lb, path
    assert op_by_id(document, "Author.prototype.__get__books__author")["x-lb-operation"] == {
        "model": "Author",
        "method": "prototype.__get__books__author",
        "handler": "books__author_get",
        "relation": "books",
        "nested": "author",
        "lb3OperationId": "Author.prototype.__get__books__author",
    }
    assert op_by_id(document, "Book.prototype.__patch__cover")["x-lb-operation"] == {
        "model": "Book",
        "method": "prototype.__patch__cover",
        "handler": "cover_patch",
        "relation": "cover",
        "lb3OperationId": "Book.prototype.__patch__cover",
    }


def test_link_bodies_and_responses(document: dict[str, Any]) -> None:
    for oid, through in (
        ("Book.prototype.__link__tags", "TagBook"),
        ("Tag.prototype.__link__books", "TagBook"),
        ("Patron.prototype.__link__books", "Loan"),
        ("Book.prototype.__link__patrons", "Loan"),
    ):
        op = op_by_id(document, oid)
        body = op["requestBody"]
        assert body["required"] is False, oid
        assert body["content"]["application/json"]["schema"] == ref(f"New{through}"), oid
        assert ok_schema(op) == ref(through), oid
        assert "422" in op["responses"], oid
    references = op_by_id(document, "Book.prototype.__link__relatedTags")
    assert "requestBody" not in references
    assert ok_schema(references) == ref("Tag")
    # the join model has no paths, but its schemas exist; its id is the server's
    schemas = document["components"]["schemas"]
    assert set(schemas["TagBook"]["properties"]) == {"id", "tagId", "bookId"}
    assert schemas["NewTagBook"]["properties"]["id"]["enum"] == [None]
    assert not any(p.startswith("/TagBooks") for p in document["paths"])


def test_unlink_and_exists(document: dict[str, Any]) -> None:
    for rel in ("tags", "patrons", "relatedTags"):
        unlink = op_by_id(document, f"Book.prototype.__unlink__{rel}")
        assert set(unlink["responses"]) == {"204", "400", "404"}
        exists = op_by_id(document, f"Book.prototype.__exists__{rel}")
        assert set(exists["responses"]) == {"200", "400", "404"}
        assert all("content" not in r for r in exists["responses"].values())
        assert [p["name"] for p in exists["parameters"]] == ["id", "fk"]


def test_polymorphic_belongs_to_answers_one_of_its_owners(document: dict[str, Any]) -> None:
    op = op_by_id(document, "Picture.prototype.__get__imageable")
    assert ok_schema(op) == {"anyOf": [ref("Author"), ref("Book")]}


def test_create_bodies(document: dict[str, Any]) -> None:
    def body(oid: str) -> Any:
        return op_by_id(document, oid)["requestBody"]["content"]["application/json"]["schema"]

    many = {"oneOf": [ref("NewTag"), {"type": "array", "items": ref("NewTag")}]}
    assert body("Book.prototype.__create__tags") == many
    assert body("Book.prototype.__create__relatedTags") == many
    assert body("Patron.prototype.__create__noteList") == ref("NewNote")  # one item, never a list
    assert body("Author.prototype.__create__address") == ref("NewAddress")
    assert body("Author.prototype.__update__address") == ref("AddressPatch")
    assert body("Author.prototype.__patch__address") == ref("AddressPatch")
    assert body("Patron.prototype.__updateById__reminders") == ref("ReminderPatch")


def test_embedded_models_have_schemas_but_no_paths(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name in ("Address", "Note", "Reminder"):
        for schema in (name, f"New{name}", f"{name}Patch", f"{name}Filter", f"{name}Where"):
            assert schema in schemas
        assert f"{name}Replace" not in schemas
    assert schemas["Note"]["properties"]["id"]["type"] == "string"
    assert "id" in schemas["NewNote"]["properties"]  # LB3 keeps a client id on an embedded item
    assert "enum" not in schemas["NewNote"]["properties"]["id"]
    assert schemas["NotePatch"]["properties"]["id"]["enum"] == [None]  # an item keeps its id
    assert schemas["Author"]["properties"]["_address"] == {
        "allOf": [ref("Address")],
        "type": "object",  # `nullable` needs a type beside it (linters, OpenAPI 3.0.3)
        "nullable": True,
    }
    assert schemas["Patron"]["properties"]["notes"]["items"] == ref("Note")
    note_list = op_by_id(document, "Patron.prototype.__get__noteList")
    assert ok_schema(note_list) == {"type": "array", "items": ref("Note")}
    fk = op_by_id(document, "Patron.prototype.__findById__noteList")["parameters"][1]
    assert (fk["name"], fk["schema"]) == ("fk", {"type": "string"})
    assert not any(p.startswith(("/Addresses", "/Notes", "/Reminders")) for p in document["paths"])


def test_nested_operations_take_the_parent_key_as_nk(document: dict[str, Any]) -> None:
    op = op_by_id(document, "Author.prototype.__findById__books__tags")
    assert [p["name"] for p in op["parameters"]] == ["id", "nk", "fk"]
    create = op_by_id(document, "Author.prototype.__create__books__tags")
    links = create["responses"]["200"]["links"]
    assert links["findById"] == {
        "operationId": "Author_prototype_findById_books_tags",
        "parameters": {
            "id": "$request.path.id",
            "nk": "$request.path.nk",
            "fk": "$response.body#/id",
        },
    }


def test_x_lb_models_relations_of_book(document: dict[str, Any]) -> None:
    models = document["x-lb-models"]
    assert models["Book"]["relations"] == {
        "author": {"type": "belongsTo", "model": "Author", "foreignKey": "authorId"},
        "tags": {
            "type": "hasAndBelongsToMany",
            "model": "Tag",
            "foreignKey": "bookId",
            "through": "TagBook",
            "keyThrough": "tagId",
        },
        "patrons": {
            "type": "hasManyThrough",
            "model": "Patron",
            "foreignKey": "bookId",
            "through": "Loan",
            "keyThrough": "patronId",
        },
        "loans": {"type": "hasMany", "model": "Loan", "foreignKey": "bookId"},
        "cover": {
            "type": "hasOne",
            "model": "Picture",
            "foreignKey": "imageableId",
            "polymorphic": "imageable",
            "discriminator": "imageableType",
        },
        "relatedTags": {"type": "referencesMany", "model": "Tag", "foreignKey": "relatedTagIds"},
    }
    assert models["Picture"]["relations"]["imageable"] == {
        "type": "belongsTo",
        "foreignKey": "imageableId",
        "polymorphic": True,
        "discriminator": "imageableType",
    }
    assert models["Author"]["relations"]["address"]["property"] == "_address"
    assert models["Author"]["properties"]["_address"] == {"type": "object", "model": "Address"}


def test_x_lb_models_mark_models_without_a_table(document: dict[str, Any]) -> None:
    models = document["x-lb-models"]
    no_table = sorted(name for name, m in models.items() if m.get("table") is False)
    # Address and Note are transient; Reminder is on `db` but not a PersistedModel
    assert no_table == ["Address", "Note", "Reminder"]
    assert models["TagBook"]["public"] is False and "table" not in models["TagBook"]
    assert models["TagBook"]["dataSource"] == "db"


def test_handler_names_and_runtime_functions(app: AppSpec) -> None:
    surface = Surface.of(app)
    book = [
        (op.python_name, op.runtime_function)
        for op in relation_operations(app.model("Book"), surface)
    ]
    names = [name for name, _ in book]
    assert len(names) == len(set(names))
    assert names[:2] == ["author_get", "tags_find"]
    assert ("tags_link", "related_link") in book
    assert ("tags_unlink", "related_unlink") in book
    assert ("related_tags_exists", "related_exists") in book
    assert ("cover_patch", "related_update") in book
    assert ("cover_update", "related_update") in book
    author = {
        op.python_name: op.runtime_function
        for op in relation_operations(app.model("Author"), surface)
    }
    assert author["books__author_get"] == "related_get"
    assert author["books__tags_delete_all"] == "related_delete_all"


def test_rendered_handlers_call_the_runtime(
    app: AppSpec, document: dict[str, Any], tmp_path: Path
) -> None:
    files = render_package(app, document, "../../specs/library")
    assert sorted(f for f in files if f.startswith("handlers/")) == [
        "handlers/__init__.py",
        "handlers/author.py",
        "handlers/book.py",
        "handlers/library_card.py",
        "handlers/loan.py",
        "handlers/patron.py",
        "handlers/picture.py",
        "handlers/tag.py",
    ]
    book = files["handlers/book.py"]
    assert (
        "async def cover_patch(ctx: Context) -> Any:\n"
        '    """PATCH /Books/{id}/cover (Book.prototype.__patch__cover): Update cover of this model."""\n'
        "    return await rest.related_update(ctx)\n"
    ) in book
    assert "return await rest.related_exists(ctx)" in book
    assert '"cover_patch": rest.BINDERS["related_update"],' in book
    assert "async def books__tags_link(" in files["handlers/author.py"]
