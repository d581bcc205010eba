"""The validators' checks alone, with JavaScript's semantics where LB3's juggler relies on them
(lib/validations.js): what has no length passes a length rule, inclusion is strict equality, a
format rule reads numbers as text, `min: 0` is no minimum, blank is undefined, null, "", [] or NaN."""

from __future__ import annotations

import re
from typing import Any

import pytest

from runtime.errors import UNDEFINED
from runtime.validation import Rule, is_blank


def codes(rule: Rule, **instance: Any) -> list[tuple[str, str]]:
    return [(code, text) for _, code, text, _ in rule.check(instance)]


@pytest.mark.parametrize(
    ("value", "blank"),
    [(UNDEFINED, True), (None, True), ("", True), ([], True), (float("nan"), True),
     (0, False), (False, False), (" ", False), ({}, False)],
)  # fmt: skip
def test_blank_is_lb3s(value: Any, blank: bool) -> None:
    assert is_blank(value) is blank


def test_length() -> None:
    rule = Rule("length", "a", min=2, max=3)
    assert codes(rule, a="x") == [("length.min", "too short")]
    assert codes(rule, a=["x", "y", "z", "w"]) == [("length.max", "too long")]
    assert codes(rule, a=12345) == []  # a number has no length: LB3 compares undefined, false
    assert codes(rule) == [("length.blank", "is blank")]
    assert codes(rule, a=None) == [("length.null", "is null")]
    assert codes(Rule("length", "a", min=0, max=1), a="") == [("length.blank", "is blank")]
    assert codes(Rule("length", "a", is_=2), a="abc") == [("length.is", "length is wrong")]
    worded = Rule("length", "a", min=2, message={"min": "Too short!"})
    assert codes(worded, a="x") == [("length.min", "Too short!")]
    assert codes(worded) == [("length.blank", "is blank")]  # not a failure the message names


def test_numericality_and_membership() -> None:
    number = Rule("numericality", "n", integer=True)
    assert codes(number, n=2.0) == []
    assert codes(number, n=2.5) == [("numericality.int", "is not an integer")]
    assert codes(number, n=True) == [("numericality.number", "is not a number")]
    assert codes(number, n="3") == [("numericality.number", "is not a number")]
    inclusion = Rule("inclusion", "v", in_=(1, "a", False))
    assert codes(inclusion, v=1.0) == []  # one number type in JavaScript
    assert codes(inclusion, v=True) == [("inclusion", "is not included in the list")]
    assert codes(inclusion, v=False) == []
    assert codes(Rule("exclusion", "v", in_=("www",)), v="www") == [("exclusion", "is reserved")]
    assert codes(Rule("exclusion", "v", in_=("www",), allow_blank=True), v="") == []


def test_format() -> None:
    rule = Rule("format", "z", with_=re.compile(r"^\d{5}$"), without=re.compile("^0"))
    assert codes(rule, z="12345") == []
    assert codes(rule, z=12345) == []  # JavaScript's RegExp.test reads a number as its text
    assert codes(rule, z="01234") == [("format", "is invalid")]
    assert codes(rule, z=["12345"]) == [("format", "is invalid")]
    assert codes(Rule("format", "z", with_=re.compile("b")), z="abc") == []  # searched, as test()


def test_presence_absence_and_conditions() -> None:
    assert codes(Rule("presence", "p"), p=[]) == [("presence", "can't be blank")]
    assert codes(Rule("absence", "p"), p=0) == [("absence", "can't be set")]
    assert codes(Rule("absence", "p", message="server-owned"), p="x") == [
        ("absence", "server-owned")
    ]
    by_name = Rule("presence", "p", if_="flag")
    assert by_name.applies({"flag": True}) and not by_name.applies({"flag": 0})
    assert by_name.applies({})  # LB3: `if` naming a property the instance lacks validates
    assert not Rule("presence", "p", unless="flag").applies({})  # and `unless` skips
    assert not Rule("presence", "p", unless=lambda inst: inst["k"] > 1).applies({"k": 2})


def test_describe_is_the_documents_form() -> None:
    rule = Rule("uniqueness", "code", scoped_to=("org",), ignore_case=True, if_="x")
    assert rule.describe() == {"validation": "uniqueness", "property": "code",
                               "scopedTo": ["org"], "ignoreCase": True, "conditional": True}  # fmt: skip
    assert Rule("inclusion", "g", in_=("m", "f"), allow_blank=True).describe() == {
        "validation": "inclusion", "property": "g", "in": ["m", "f"], "allowBlank": True}  # fmt: skip
