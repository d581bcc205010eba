"""The LB3 probe app of tests/oracle/lb3-3.28/relations.md §0: a library using every relation type.

The model JSON is the oracle's, verbatim, and model-config.json lists the models in the oracle's order
(embedded Address and Note on the transient connector, Reminder on `db`, then the public models), which
decides the HABTM join model's name (`TagBook`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .appdir import ROOT, write_app

ORACLE = ROOT / "tests/oracle/lb3-3.28"
SWAGGER = ORACLE / "library-swagger.json"

_MODELS = """
{"name":"Address","base":"Model","properties":{"street":{"type":"string"},"city":{"type":"string","required":true}}}
{"name":"Note","base":"Model","properties":{"text":{"type":"string","required":true}}}
{"name":"Reminder","base":"Model","properties":{"text":{"type":"string","required":true}}}
{"name":"Author","base":"PersistedModel","properties":{"name":{"type":"string","required":true},"email":{"type":"string"}},"relations":{
  "books":{"type":"hasMany","model":"Book","foreignKey":"authorId","options":{"nestRemoting":true}},
  "publishedBooks":{"type":"hasMany","model":"Book","foreignKey":"authorId","scope":{"where":{"published":true},"order":"title ASC"}},
  "signedBooks":{"type":"hasMany","model":"Book","foreignKey":"authorId","properties":{"name":"authorName"}},
  "pictures":{"type":"hasMany","model":"Picture","polymorphic":"imageable"},
  "address":{"type":"embedsOne","model":"Address","property":"address"}}}
{"name":"Book","base":"PersistedModel","hidden":["internalCode"],"properties":{"title":{"type":"string","required":true},"isbn":{"type":"string"},"published":{"type":"boolean","default":false},"authorName":{"type":"string"},"internalCode":{"type":"string"}},"relations":{
  "author":{"type":"belongsTo","model":"Author","foreignKey":"authorId"},
  "tags":{"type":"hasAndBelongsToMany","model":"Tag"},
  "patrons":{"type":"hasMany","model":"Patron","through":"Loan","foreignKey":"bookId","keyThrough":"patronId"},
  "loans":{"type":"hasMany","model":"Loan","foreignKey":"bookId"},
  "cover":{"type":"hasOne","model":"Picture","polymorphic":"imageable"},
  "relatedTags":{"type":"referencesMany","model":"Tag","foreignKey":"relatedTagIds"}}}
{"name":"Tag","base":"PersistedModel","properties":{"name":{"type":"string","required":true}},"relations":{
  "books":{"type":"hasAndBelongsToMany","model":"Book"}}}
{"name":"Patron","base":"PersistedModel","hidden":["secret"],"properties":{"name":{"type":"string","required":true},"secret":{"type":"string"}},"relations":{
  "books":{"type":"hasMany","model":"Book","through":"Loan","foreignKey":"patronId","keyThrough":"bookId"},
  "loans":{"type":"hasMany","model":"Loan","foreignKey":"patronId","options":{"disableInclude":true}},
  "libraryCard":{"type":"hasOne","model":"LibraryCard","foreignKey":"patronId"},
  "noteList":{"type":"embedsMany","model":"Note","property":"notes"},
  "stickies":{"type":"embedsMany","model":"Note","property":"stickyNotes","options":{"forceId":true}},
  "reminders":{"type":"embedsMany","model":"Reminder","property":"reminderItems"}}}
{"name":"Loan","base":"PersistedModel","properties":{"due":{"type":"date"}},"relations":{
  "patron":{"type":"belongsTo","model":"Patron","foreignKey":"patronId"},
  "book":{"type":"belongsTo","model":"Book","foreignKey":"bookId"}}}
{"name":"LibraryCard","base":"PersistedModel","properties":{"number":{"type":"string","required":true}},"relations":{
  "patron":{"type":"belongsTo","model":"Patron","foreignKey":"patronId"}}}
{"name":"Picture","base":"PersistedModel","properties":{"url":{"type":"string","required":true}},"relations":{
  "imageable":{"type":"belongsTo","polymorphic":true}}}
"""


def library_models() -> list[dict[str, Any]]:
    """The oracle's model definitions, in its model-config.json order."""
    text = _MODELS.replace("\n  ", "")  # the oracle wraps each relation onto its own line
    return [json.loads(line) for line in text.strip().splitlines()]


def write_library(root: Path) -> Path:
    models = library_models()
    attach: dict[str, dict[str, Any]] = {
        "Address": {"dataSource": "transient", "public": False},
        "Note": {"dataSource": "transient", "public": False},
        "Reminder": {"dataSource": "db", "public": False},
    }
    datasources = {"db": {"connector": "memory"}, "transient": {"connector": "transient"}}
    return write_app(root, models, attach=attach, datasources=datasources)


def oracle_relation_operations() -> set[tuple[str, str, str]]:
    """(VERB, path, operationId) of every relation endpoint LB3 3.28 served for the library app."""
    swagger = json.loads(SWAGGER.read_text(encoding="utf-8"))
    return {
        (verb.upper(), path, op["operationId"])
        for path, item in swagger["paths"].items()
        for verb, op in item.items()
        if ".prototype.__" in op["operationId"]
    }


def oracle_summaries() -> dict[str, str]:
    swagger = json.loads(SWAGGER.read_text(encoding="utf-8"))
    return {
        op["operationId"]: op["summary"]
        for item in swagger["paths"].values()
        for op in item.values()
        if ".prototype.__" in op["operationId"]
    }
