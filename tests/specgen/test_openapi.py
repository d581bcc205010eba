"""The OpenAPI document built from the Coffee Shop example: valid, LB3's operations, the runtime's
metadata, and nothing secret.

The expected operations were taken from the real LB3 3.28 explorer (`GET /explorer/swagger.json` of
the same app) and copied here, so the test needs no Node at run time. They are the PersistedModel
endpoints: relation endpoints (`prototype.__get__reviews`...), change-stream and User's own methods
(login, logout...) are compared elsewhere or not built yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from specgen.load import load_app
from specgen.openapi import build_openapi

from .appdir import SPECS, write_app

VERBS = {"get", "put", "post", "patch", "delete", "head", "options"}
USER_METHODS = {
    "login",
    "logout",
    "verify",
    "confirm",
    "resetPassword",
    "changePassword",
    "setPassword",
}

LB3_PERSISTED_MODEL_OPERATIONS = {
    ("DELETE", "/CoffeeShops/{id}", "CoffeeShop.deleteById"),
    ("DELETE", "/Reviewers/{id}", "Reviewer.deleteById"),
    ("DELETE", "/Reviews/{id}", "Review.deleteById"),
    ("GET", "/CoffeeShops", "CoffeeShop.find"),
    ("GET", "/CoffeeShops/count", "CoffeeShop.count"),
    ("GET", "/CoffeeShops/findOne", "CoffeeShop.findOne"),
    ("GET", "/CoffeeShops/{id}", "CoffeeShop.findById"),
    ("GET", "/CoffeeShops/{id}/exists", "CoffeeShop.exists__get_CoffeeShops_{id}_exists"),
    ("GET", "/Reviewers", "Reviewer.find"),
    ("GET", "/Reviewers/count", "Reviewer.count"),
    ("GET", "/Reviewers/findOne", "Reviewer.findOne"),
    ("GET", "/Reviewers/{id}", "Reviewer.findById"),
    ("GET", "/Reviewers/{id}/exists", "Reviewer.exists__get_Reviewers_{id}_exists"),
    ("GET", "/Reviews", "Review.find"),
    ("GET", "/Reviews/count", "Review.count"),
    ("GET", "/Reviews/findOne", "Review.findOne"),
    ("GET", "/Reviews/{id}", "Review.findById"),
    ("GET", "/Reviews/{id}/exists", "Review.exists__get_Reviews_{id}_exists"),
    ("HEAD", "/CoffeeShops/{id}", "CoffeeShop.exists__head_CoffeeShops_{id}"),
    ("HEAD", "/Reviewers/{id}", "Reviewer.exists__head_Reviewers_{id}"),
    ("HEAD", "/Reviews/{id}", "Review.exists__head_Reviews_{id}"),
    ("PATCH", "/CoffeeShops", "CoffeeShop.patchOrCreate"),
    ("PATCH", "/CoffeeShops/{id}", "CoffeeShop.prototype.patchAttributes"),
    ("PATCH", "/Reviewers", "Reviewer.patchOrCreate"),
    ("PATCH", "/Reviewers/{id}", "Reviewer.prototype.patchAttributes"),
    ("PATCH", "/Reviews", "Review.patchOrCreate"),
    ("PATCH", "/Reviews/{id}", "Review.prototype.patchAttributes"),
    ("POST", "/CoffeeShops", "CoffeeShop.create"),
    (
        "POST",
        "/CoffeeShops/replaceOrCreate",
        "CoffeeShop.replaceOrCreate__post_CoffeeShops_replaceOrCreate",
    ),
    ("POST", "/CoffeeShops/update", "CoffeeShop.updateAll"),
    ("POST", "/CoffeeShops/upsertWithWhere", "CoffeeShop.upsertWithWhere"),
    ("POST", "/CoffeeShops/{id}/replace", "CoffeeShop.replaceById__post_CoffeeShops_{id}_replace"),
    ("POST", "/Reviewers", "Reviewer.create"),
    (
        "POST",
        "/Reviewers/replaceOrCreate",
        "Reviewer.replaceOrCreate__post_Reviewers_replaceOrCreate",
    ),
    ("POST", "/Reviewers/update", "Reviewer.updateAll"),
    ("POST", "/Reviewers/upsertWithWhere", "Reviewer.upsertWithWhere"),
    ("POST", "/Reviewers/{id}/replace", "Reviewer.replaceById__post_Reviewers_{id}_replace"),
    ("POST", "/Reviews", "Review.create"),
    ("POST", "/Reviews/replaceOrCreate", "Review.replaceOrCreate__post_Reviews_replaceOrCreate"),
    ("POST", "/Reviews/update", "Review.updateAll"),
    ("POST", "/Reviews/upsertWithWhere", "Review.upsertWithWhere"),
    ("POST", "/Reviews/{id}/replace", "Review.replaceById__post_Reviews_{id}_replace"),
    ("PUT", "/CoffeeShops", "CoffeeShop.replaceOrCreate__put_CoffeeShops"),
    ("PUT", "/CoffeeShops/{id}", "CoffeeShop.replaceById__put_CoffeeShops_{id}"),
    ("PUT", "/Reviewers", "Reviewer.replaceOrCreate__put_Reviewers"),
    ("PUT", "/Reviewers/{id}", "Reviewer.replaceById__put_Reviewers_{id}"),
    ("PUT", "/Reviews", "Review.replaceOrCreate__put_Reviews"),
    ("PUT", "/Reviews/{id}", "Review.replaceById__put_Reviews_{id}"),
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app, problems = load_app(SPECS / "coffee-shop")
    assert app is not None, problems
    return build_openapi(app)


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for verb, op in item.items():
            if verb in VERBS:
                yield verb, path, op


def is_persisted_model_operation(path: str, operation_id: str) -> bool:
    method = operation_id.split(".", 1)[1].removeprefix("prototype.")
    return (
        not method.startswith("__") and "change-stream" not in path and method not in USER_METHODS
    )


def schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


def test_document_is_valid_openapi_3_0(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.0.3"
    validate(document)  # raises on an invalid document
    assert document["servers"] == [{"url": "/api"}]


def test_persisted_model_operations_are_lb3s(document: dict[str, Any]) -> None:
    ours = {
        (verb.upper(), path, op["x-lb-operation"]["lb3OperationId"])
        for verb, path, op in operations(document)
        if is_persisted_model_operation(path, op["x-lb-operation"]["lb3OperationId"])
    }
    assert ours == LB3_PERSISTED_MODEL_OPERATIONS


def test_operation_ids_are_identifiers_made_from_lb3s(document: dict[str, Any]) -> None:
    """Client generators make method names of them; linters refuse `.` and `{id}`."""
    ids = {
        op["x-lb-operation"]["lb3OperationId"]: op["operationId"] for *_, op in operations(document)
    }
    assert all(i.isidentifier() for i in ids.values()), ids
    assert ids["CoffeeShop.find"] == "CoffeeShop_find"
    assert ids["CoffeeShop.prototype.__get__reviews"] == "CoffeeShop_prototype_get_reviews"
    assert ids["CoffeeShop.replaceById__put_CoffeeShops_{id}"] == "CoffeeShop_replaceById_put"
    assert (
        ids["CoffeeShop.replaceById__post_CoffeeShops_{id}_replace"]
        == "CoffeeShop_replaceById_post"
    )
    assert ids["CoffeeShop.exists__head_CoffeeShops_{id}"] == "CoffeeShop_exists_head"


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids))


def test_every_operation_documents_its_errors_with_the_loopback_error_schema(
    document: dict[str, Any],
) -> None:
    error_ref = {"$ref": "#/components/schemas/LoopBackError"}
    for verb, path, op in operations(document):
        errors = {
            code: r for code, r in op["responses"].items() if code == "default" or code >= "400"
        }
        where = f"{verb.upper()} {path}"
        assert "400" in errors, where
        if "{id}" in path:
            assert "404" in errors, where
        if "requestBody" in op:
            assert "422" in errors, where
        for code, response in errors.items():
            if verb == "head" and "content" not in response:
                continue  # a HEAD response has no body to describe
            assert response["content"]["application/json"]["schema"] == error_ref, (where, code)
    envelope = schema(document, "LoopBackError")
    assert envelope["required"] == ["error"]
    assert envelope["properties"]["error"]["required"] == ["statusCode", "name", "message"]


def test_hidden_properties_are_written_but_never_read(document: dict[str, Any]) -> None:
    reviewer = schema(document, "Reviewer")["properties"]
    created = schema(document, "NewReviewer")["properties"]
    for hidden in ("password", "verificationToken"):
        assert hidden not in reviewer
        assert hidden in created
    assert "email" in reviewer and "email" in created


def test_required_lists(document: dict[str, Any]) -> None:
    # a response may lack any property (a `fields` filter), so the instance schema requires none
    assert "required" not in schema(document, "CoffeeShop")
    assert set(schema(document, "NewCoffeeShop")["required"]) == {"name", "city"}
    assert set(schema(document, "NewReview")["required"]) == {"date", "comments"}
    assert set(schema(document, "NewReviewer")["required"]) == {"email", "password"}
    # forceId: the generated id cannot be sent on create; null means "no id", as in LB3
    assert schema(document, "NewCoffeeShop")["properties"]["id"]["enum"] == [None]


def test_x_lb_models_carries_every_attached_model(document: dict[str, Any]) -> None:
    models = document["x-lb-models"]
    assert sorted(models) == [
        "ACL",
        "AccessToken",
        "CoffeeShop",
        "Review",
        "Reviewer",
        "Role",
        "RoleMapping",
        "User",
    ]
    assert models["User"]["public"] is False and models["CoffeeShop"]["public"] is True
    review = models["Review"]
    assert review["relations"]["reviewer"]["foreignKey"] == "publisherId"
    assert review["relations"]["coffeeShop"]["foreignKey"] == "coffeeShopId"
    assert review["dataSource"] == "db" and review["plural"] == "Reviews"
    assert models["Reviewer"]["baseChain"] == ["User", "PersistedModel", "Model"]
    assert models["Reviewer"]["properties"]["password"]["hidden"] is True


def test_data_source_settings_stay_out_of_the_document(tmp_path: Path) -> None:
    secrets = ("s3cret", "db.internal.example", "postgres://app:pw@")
    root = write_app(
        tmp_path / "app",
        [{"name": "Item", "properties": {"title": "string"}}],
        datasources={
            "db": {
                "connector": "postgresql",
                "host": "db.internal.example",
                "user": "app",
                "password": "s3cret",
                "url": "postgres://app:pw@db.internal.example/app",
            }
        },
    )
    app, problems = load_app(root)
    assert app is not None, problems
    document = build_openapi(app)
    validate(document)
    text = yaml.safe_dump(document)
    assert [s for s in secrets if s in text] == []
    assert document["x-lb-app"]["datasources"] == {"db": {"connector": "postgresql"}}


def test_operations_an_acl_can_refuse_document_the_refusals(tmp_path: Path) -> None:
    """401 wherever a guard reads the token; the model's aclErrorStatus where a rule can deny; a
    relation endpoint adds its target's; `$everyone` ALLOW first needs no guard."""
    deny_writes = {"principalType": "ROLE", "principalId": "$everyone", "permission": "DENY",
                   "accessType": "WRITE"}  # fmt: skip
    allow_reads = {"principalType": "ROLE", "principalId": "$everyone", "permission": "ALLOW",
                   "accessType": "READ"}  # fmt: skip
    root = write_app(
        tmp_path / "app",
        [
            {"name": "Shelf", "properties": {"label": "string"}, "acls": [allow_reads],
             "relations": {"books": {"type": "hasMany", "model": "Book", "foreignKey": "shelfId"}}},
            {"name": "Book", "properties": {"title": "string"}, "options": {"aclErrorStatus": 403},
             "acls": [deny_writes]},
        ],
    )  # fmt: skip
    app, problems = load_app(root)
    assert app is not None, problems
    paths = build_openapi(app)["paths"]

    def statuses(path: str, verb: str) -> set[str]:
        return set(paths[path][verb]["responses"]) & {"401", "403"}

    assert statuses("/Books", "get") == set()  # no rule about reads: no guard
    assert statuses("/Books", "post") == {"401", "403"}
    assert statuses("/Shelves", "get") == set()  # `$everyone` ALLOW: no guard, no token read
    assert statuses("/Shelves/{id}/books", "post") == {"401", "403"}  # Book's write rules
    assert statuses("/Shelves/{id}/books", "get") == set()
    assert paths["/Books"]["post"]["responses"]["403"]["content"]
