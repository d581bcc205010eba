"""The validators a model module registers (ModelSpec.rules), stated as JSON Schema in request bodies.

Each rule is LB3's: presence and every rule LB3 null-checks (length, format, inclusion, exclusion,
numericality) refuse a missing or "" value unless `allowBlank`, and null unless `allowNull`; so they
make the property required in create and replace bodies and not nullable in every body. Then:
length -> minLength/maxLength (minItems/maxItems for arrays), format -> pattern (`not` pattern for
`without`), inclusion -> enum, exclusion -> not enum, numericality with int -> multipleOf 1, absence
-> only null (or ""). Uniqueness, custom validators and rules with `if`/`unless` depend on more than
the value and are not stated. Patterns are written as registered: keep them to the common subset of
Python and ECMA-262 regular expressions (what LB3 apps use) so clients read them as the server does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..ir import NO_DEFAULT, ModelSpec, PropertySpec

BOUNDS: dict[str, Any] = {"minLength": max, "minItems": max, "maxLength": min, "maxItems": min}
NULL_CHECKED = {"length", "format", "inclusion", "exclusion", "numericality"}


@dataclass
class PropertyRules:
    """What the rules of one property add to its body schema."""

    keywords: dict[str, Any] = field(default_factory=dict)
    extra: list[dict[str, Any]] = field(default_factory=list)  # more than one of a keyword: allOf
    required: bool = False  # in create and replace bodies
    not_null: bool = False
    enum: list[Any] | None = None

    def add(self, key: str, value: Any) -> None:
        if key in self.keywords and key in BOUNDS:  # the tighter bound holds both
            self.keywords[key] = BOUNDS[key](self.keywords[key], value)
        elif key in self.keywords and self.keywords[key] != value:
            self.extra.append({key: value})
        else:
            self.keywords[key] = value

    def apply(self, schema: dict[str, Any]) -> dict[str, Any]:
        """`schema` with the rules (their `required` goes in the body's list, not here)."""
        out = dict(schema)
        for key, value in self.keywords.items():
            out[key] = BOUNDS[key](out[key], value) if key in out and key in BOUNDS else value
        if self.extra:
            out["allOf"] = [*out.get("allOf", []), *self.extra]
        if self.not_null:
            out.pop("nullable", None)
        if self.enum is not None:
            out["enum"] = [*self.enum, None] if out.get("nullable") else list(self.enum)
        return out


def property_rules(model: ModelSpec) -> dict[str, PropertyRules]:
    props = {p.name: p for p in model.properties}
    found: dict[str, PropertyRules] = {}
    for rule in model.rules:
        p = props.get(rule.get("property", ""))
        if p is None or rule.get("conditional"):
            continue
        _add(found.setdefault(p.name, PropertyRules()), p, rule)
    return found


def _add(out: PropertyRules, p: PropertySpec, rule: dict[str, Any]) -> None:
    kind = rule["validation"]
    text, array = p.type == "string", p.type == "array"
    blank_ok = bool(rule.get("allowBlank")) and kind != "presence"
    if kind == "presence" or (kind in NULL_CHECKED and not blank_ok):
        out.required = p.default is NO_DEFAULT  # a default fills a missing value first
        if text:
            out.add("minLength", max(1, out.keywords.get("minLength", 1)))
        elif array and kind == "presence":
            out.add("minItems", max(1, out.keywords.get("minItems", 1)))
    if kind == "presence" or (kind in NULL_CHECKED and not rule.get("allowNull")):
        out.not_null = True
    if kind == "absence":
        out.enum = [""] if text else []
    elif kind == "inclusion":
        allowed = list(rule.get("in", []))
        if blank_ok and text:
            allowed.append("")
        out.enum = allowed if out.enum is None else [v for v in out.enum if v in allowed]
    elif kind == "exclusion":
        out.extra.append({"not": {"enum": list(rule.get("in", []))}})
    else:
        found = _value_keywords(kind, rule, p)
        if blank_ok and text and "pattern" in found:  # "" passes the rule: one pattern says so
            found["pattern"] = f"^$|(?:{found['pattern']})"
        elif found and blank_ok and text:
            out.extra.append({"anyOf": [{"maxLength": 0}, found]})
            found = {}
        for key, value in found.items():
            if key == "not":
                out.extra.append({key: value})
            else:
                out.add(key, value)


def _value_keywords(kind: str, rule: dict[str, Any], p: PropertySpec) -> dict[str, Any]:
    text, array = p.type == "string", p.type == "array"
    found: dict[str, Any] = {}
    if kind == "length" and (text or array):
        low, high = ("minLength", "maxLength") if text else ("minItems", "maxItems")
        exact = rule.get("is")
        if rule.get("min") or exact:
            found[low] = exact or rule["min"]
        if rule.get("max") or exact:
            found[high] = exact or rule["max"]
    elif kind == "format" and text:
        if rule.get("with"):
            found["pattern"] = rule["with"]
        if rule.get("without"):
            found["not"] = {"pattern": rule["without"]}
    elif kind == "numericality" and p.type == "number" and rule.get("int"):
        found["multipleOf"] = 1
    return found
