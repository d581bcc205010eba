"""LB3's validators as data: one `Rule` per `validates_*_of` call, checked against an instance dict.

The checks, codes and messages are loopback-datasource-juggler 3.x's (lib/validations.js), recorded
against the real LB3 3.28 in tests/oracle/lb3-3.28/validation.json: a rule that finds no value reports
`<kind>.blank` ("is blank") or `<kind>.null` ("is null") unless `allow_blank`/`allow_null`; a failed
length reports `length.min|max|is`, numericality `numericality.int|number`.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import UNDEFINED

Problem = tuple[str, str, str, Any]  # (property, code, message, value): runtime.errors' shape
Condition = str | Callable[[dict[str, Any]], Any] | None
Custom = Callable[[dict[str, Any]], Any] | Callable[[dict[str, Any]], Awaitable[Any]]

DEFAULT_MESSAGES: dict[str, Any] = {
    "presence": "can't be blank",
    "absence": "can't be set",
    "length": {"min": "too short", "max": "too long", "is": "length is wrong"},
    "numericality": {"int": "is not an integer", "number": "is not a number"},
    "inclusion": "is not included in the list",
    "exclusion": "is reserved",
    "format": "is invalid",
    "uniqueness": "is not unique",
    "custom": "is invalid",
}
COMMON = {"blank": "is blank", "null": "is null"}


def is_blank(value: Any) -> bool:
    """LB3's `blank()`: undefined, null, "", [] and NaN."""
    if value is UNDEFINED or value is None or value == "" or value == []:
        return True
    return isinstance(value, float) and math.isnan(value)


@dataclass(frozen=True)
class Rule:
    """One validator on one property. `kind` is LB3's validation name; `options` its settings."""

    kind: str
    prop: str
    min: int | None = None
    max: int | None = None
    is_: int | None = None
    in_: tuple[Any, ...] = ()
    with_: re.Pattern[str] | None = None
    without: re.Pattern[str] | None = None
    integer: bool = False
    scoped_to: tuple[str, ...] = ()
    ignore_case: bool = False
    fn: Custom | None = None
    allow_null: bool = False
    allow_blank: bool = False
    if_: Condition = None
    unless: Condition = None
    message: str | Mapping[str, str] | None = None
    is_async: bool = field(default=False, compare=False)

    @property
    def conditional(self) -> bool:
        return self.if_ is not None or self.unless is not None

    def applies(self, instance: Mapping[str, Any]) -> bool:
        """LB3's skipValidation: a function is called with the instance; a string names a property
        whose value decides (a property the instance does not hold passes `if_`, fails `unless`)."""
        for cond, wanted in ((self.if_, True), (self.unless, False)):
            if cond is None:
                continue
            if callable(cond):
                validates = bool(cond(dict(instance))) == wanted
            elif cond in instance and instance[cond] is not UNDEFINED:
                validates = bool(instance[cond]) == wanted
            else:
                validates = wanted  # LB3: `if` on an absent property validates, `unless` skips
            if not validates:
                return False
        return True

    def problem(self, value: Any, sub: str | None = None, text: str | None = None) -> Problem:
        """LB3's `err(kind)`: code `kind[.sub]`, the rule's message or the default one."""
        code = self.kind if sub is None else f"{self.kind}.{sub}"
        if text is None:
            text = self._message(sub)
        return (self.prop, code, text, value)

    def _message(self, sub: str | None) -> str:
        message = self.message if self.message is not None else DEFAULT_MESSAGES.get(self.kind)
        if sub is None:
            return message if isinstance(message, str) else "is invalid"
        if isinstance(message, Mapping) and sub in message:
            return str(message[sub])
        if sub in COMMON:
            return COMMON[sub]
        # LB3 answers "is invalid" for a plain-string message here; the message given is meant
        return message if isinstance(message, str) else "is invalid"

    def check(self, instance: Mapping[str, Any]) -> list[Problem]:
        """The synchronous checks (every kind but uniqueness and async custom validators)."""
        value = instance.get(self.prop, UNDEFINED)
        kind = self.kind
        if kind == "presence":
            return [self.problem(value)] if is_blank(value) else []
        if kind == "absence":
            return [] if is_blank(value) else [self.problem(value)]
        if kind == "custom":
            return []  # run by check_custom
        if value is UNDEFINED or value == "":
            return [] if self.allow_blank else [self.problem(value, "blank")]
        if value is None:
            return [] if self.allow_null else [self.problem(value, "null")]
        return CHECKS[kind](self, value) if kind in CHECKS else []

    async def check_custom(self, instance: Mapping[str, Any]) -> list[Problem]:
        """A custom validator returns None/True (valid), False (invalid) or a message (invalid)."""
        assert self.fn is not None
        verdict = self.fn(dict(instance))
        if inspect.isawaitable(verdict):
            verdict = await verdict
        if verdict is None or verdict is True:
            return []
        value = instance.get(self.prop, UNDEFINED)
        return [self.problem(value, text=verdict if isinstance(verdict, str) else None)]

    def describe(self) -> dict[str, Any]:
        """The rule as JSON, for the document (specgen turns it into JSON Schema keywords)."""
        out: dict[str, Any] = {"validation": self.kind, "property": self.prop}
        extra: dict[str, Any] = {
            "min": self.min,
            "max": self.max,
            "is": self.is_,
            "in": list(self.in_) if self.kind in ("inclusion", "exclusion") else None,
            "with": self.with_.pattern if self.with_ is not None else None,
            "without": self.without.pattern if self.without is not None else None,
            "int": self.integer or None,
            "scopedTo": list(self.scoped_to) or None,
            "ignoreCase": self.ignore_case or None,
            "allowNull": self.allow_null or None,
            "allowBlank": self.allow_blank or None,
            "conditional": self.conditional or None,
        }
        out.update({k: v for k, v in extra.items() if v is not None})
        return out


def _length(rule: Rule, value: Any) -> list[Problem]:
    if not isinstance(value, str | list):
        return []  # JavaScript's `undefined < min` is false: LB3 accepts what has no length
    size = len(value)
    out = []
    if rule.min and size < rule.min:
        out.append(rule.problem(value, "min"))
    if rule.max and size > rule.max:
        out.append(rule.problem(value, "max"))
    if rule.is_ and size != rule.is_:
        out.append(rule.problem(value, "is"))
    return out


def _numericality(rule: Rule, value: Any) -> list[Problem]:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return [rule.problem(value, "number")]
    if rule.integer and value != round(value):
        return [rule.problem(value, "int")]
    return []


def _inclusion(rule: Rule, value: Any) -> list[Problem]:
    return [] if _member(value, rule.in_) else [rule.problem(value)]


def _exclusion(rule: Rule, value: Any) -> list[Problem]:
    return [rule.problem(value)] if _member(value, rule.in_) else []


def _member(value: Any, allowed: tuple[Any, ...]) -> bool:
    """JavaScript's indexOf: strict equality, so true is not 1."""
    return any(type(value) is type(a) and value == a for a in allowed) or (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and any(
            isinstance(a, int | float) and not isinstance(a, bool) and a == value for a in allowed
        )
    )


def _format(rule: Rule, value: Any) -> list[Problem]:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return [rule.problem(value)]
    text = value if isinstance(value, str) else _js_number(value)
    if rule.with_ is not None and not rule.with_.search(text):
        return [rule.problem(value)]
    if rule.without is not None and rule.without.search(text):
        return [rule.problem(value)]
    return []


def _js_number(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


CHECKS: dict[str, Callable[[Rule, Any], list[Problem]]] = {
    "length": _length,
    "numericality": _numericality,
    "inclusion": _inclusion,
    "exclusion": _exclusion,
    "format": _format,
}
