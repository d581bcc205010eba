"""Any JSON value in any setting gives SpecErrors or a model, never a traceback (lesson L2).

Each known model, property, relation and ACL setting, and each model-config entry key, is given
values of every JSON kind. The loader must answer with problems in `file#/pointer: message` form or
accept the value; an exception would reach users of `specgen check` as a Python traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from specgen.load import ACL_KEYS, MODEL_KEYS, PROPERTY_KEYS, RELATION_KEYS, load_app

from .appdir import write_app

VALUES: list[Any] = [1, 1.5, "x", True, None, [], [1], [{"a": 1}], {}, {"a": 1}]
ITEM: dict[str, Any] = {
    "name": "Item",
    "properties": {"title": "string"},
    "relations": {"other": {"type": "belongsTo", "model": "Other"}},
    "acls": [{"principalType": "ROLE", "principalId": "$everyone", "permission": "ALLOW"}],
}
OTHER = {"name": "Other", "properties": {"n": "string"}}


def variants() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(label, Item model, extra model-config) for every setting and value kind."""
    out: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for value in VALUES:
        v = json.dumps(value)
        for key in sorted(MODEL_KEYS - {"name"}):
            out.append((f"model {key}={v}", {**ITEM, key: value}, {}))
        for key in sorted(PROPERTY_KEYS):
            prop = {"title": {"type": "string", key: value}}
            out.append((f"property {key}={v}", {**ITEM, "properties": prop}, {}))
        for key in sorted(RELATION_KEYS):
            for rtype in (
                "belongsTo",
                "hasMany",
                "referencesMany",
                "hasAndBelongsToMany",
                "embedsMany",
            ):
                rel = {"other": {"type": rtype, "model": "Other", key: value}}
                out.append((f"{rtype} {key}={v}", {**ITEM, "relations": rel}, {}))
        for key in sorted(ACL_KEYS):
            acl = {**ITEM["acls"][0], key: value}
            out.append((f"acl {key}={v}", {**ITEM, "acls": [acl]}, {}))
        for key in ("dataSource", "public", "relations", "acls", "options"):
            entry = {"dataSource": "db", key: value}
            out.append((f"model-config {key}={v}", ITEM, {"Item": entry}))
        out.append((f"relation={v}", {**ITEM, "relations": {"other": value}}, {}))
        out.append((f"property={v}", {**ITEM, "properties": {"title": value}}, {}))
        out.append((f"polymorphic={v}", {**ITEM, "relations": {"p": {"type": "hasMany", "model": "Other", "polymorphic": value}}}, {}))  # fmt: skip
        out.append((f"method={v}", {**ITEM, "methods": {"m": value}}, {}))
    return out


def test_no_setting_value_makes_the_loader_raise(tmp_path: Path) -> None:
    raised = []
    for i, (label, item, config) in enumerate(variants()):
        root = write_app(tmp_path / str(i), [item, OTHER], attach=config)
        try:
            app, problems = load_app(root)
        except Exception as exc:  # collected, so one run lists every failing setting
            raised.append(f"{label}: {exc!r}")
            continue
        assert app is not None or any(p.level == "error" for p in problems), label
    assert raised == []


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({**ITEM, "relations": [1]}, "app/models/item.json#/relations: must be an object"),
        (
            {**ITEM, "relations": {"other": {"type": "belongsTo", "model": ["Other"]}}},
            'app/models/item.json#/relations/other/model: unknown model ["Other"]',
        ),
        ({**ITEM, "plural": {"a": 1}}, "app/models/item.json#/plural: must be a string"),
        (
            {**ITEM, "acls": [{**ITEM["acls"][0], "permission": ["ALLOW"]}]},
            "app/models/item.json#/acls/0/permission: permission must be one of "
            "ALARM, ALLOW, AUDIT, DEFAULT, DENY",
        ),
    ],
)
def test_wrong_value_kinds_are_plain_problems(
    tmp_path: Path, item: dict[str, Any], expected: str
) -> None:
    app, problems = load_app(write_app(tmp_path / "app", [item, OTHER]))
    assert app is None
    assert expected in [str(p) for p in problems]
