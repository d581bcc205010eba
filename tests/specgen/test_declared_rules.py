"""What the compiler reads of a model module's validators (runtime/validation/declared.py): the rules
its setup registers, whatever else setup does; a setup it cannot run is a warning, never fatal."""

from __future__ import annotations

import json
from pathlib import Path

from specgen.cli import compile_app

GOOD = """
def setup(Note):
    Note.validates_length_of("title", max=20)
    Note.shout = lambda: Note.app.models["Note"].title.upper()  # remote logic: accepted, ignored
    Note.observe("before save", lambda ctx: None)
    Note.validates_inclusion_of("tone", in_=["calm", "loud"])
"""
BROKEN = """
def setup(Note):
    Note.validates_presence_of("title")
    raise RuntimeError("needs the database")
"""
ASYNC = """
async def setup(Note):
    Note.validates_presence_of("title")
"""


def _compile(tmp_path: Path, module: str) -> tuple[dict[str, object], list[str]]:
    app = tmp_path / "app"
    (app / "models").mkdir(parents=True)
    (app / "model-config.json").write_text(json.dumps(
        {"_meta": {"sources": ["./models"]}, "Note": {"dataSource": "db", "public": True}}))  # fmt: skip
    (app / "datasources.json").write_text(json.dumps({"db": {"connector": "memory"}}))
    (app / "models" / "note.json").write_text(
        json.dumps({"name": "Note", "properties": {"title": "string", "tone": "string"}})
    )
    (app / "models" / "note.py").write_text(module)
    spec, _files, problems = compile_app(app, tmp_path / "out" / "pkg")
    return {"rules": list(spec.model("Note").rules)}, [str(p) for p in problems]


def test_rules_are_read_whatever_else_setup_does(tmp_path: Path) -> None:
    found, problems = _compile(tmp_path, GOOD)
    assert found["rules"] == [
        {"validation": "length", "property": "title", "max": 20},
        {"validation": "inclusion", "property": "tone", "in": ["calm", "loud"]},
    ]
    assert problems == []


def test_a_setup_that_fails_is_a_warning_keeping_what_it_registered(tmp_path: Path) -> None:
    found, problems = _compile(tmp_path, BROKEN)
    assert found["rules"] == [{"validation": "presence", "property": "title"}]
    assert len(problems) == 1 and problems[0].startswith("warning: models/note.py#/setup")
    assert "RuntimeError: needs the database" in problems[0]


def test_an_async_setup_is_a_warning(tmp_path: Path) -> None:
    found, problems = _compile(tmp_path, ASYNC)
    assert found["rules"] == []
    assert len(problems) == 1 and "coroutine" in problems[0]
