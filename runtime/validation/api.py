"""The validator methods of a model: LB3's `Model.validatesPresenceOf(...)` family in snake_case.

Called in a model module's `setup(Model)`, at start-up:

    def setup(Product):
        Product.validates_length_of("name", min=3, max=40)
        Product.validates_format_of("sku", with_=r"^[A-Z]{3}-\\d{3}$", allow_null=True)
        Product.validates_uniqueness_of("sku")

Each call appends `Rule`s to `Model.rules`; a model that registers none keeps the empty tuple and
its writes skip validation with one falsy test (see runtime/validation/check.py).
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from ..errors import ValidationFailed
from .rules import Condition, Custom, Rule

if TYPE_CHECKING:
    from ..context import Context
    from ..model import Model

logger = logging.getLogger("runtime")
Message = str | Mapping[str, str] | None


def _pattern(value: str | re.Pattern[str] | None) -> re.Pattern[str] | None:
    return re.compile(value) if isinstance(value, str) else value


class Validatable:
    """Mixed into runtime.model.Model; `meta` and `name` are the model's."""

    rules: tuple[Rule, ...] = ()
    name: str
    meta: Any

    def add_rule(self, rule: Rule) -> None:
        """Register a rule (what every `validates_*` method does); a property the model does not
        declare is allowed, as in LB3, with a warning (it may be a typo)."""
        if rule.prop not in self.meta.properties:
            logger.warning("%s: a %s rule names %r, which is not a property", self.name,
                           rule.kind, rule.prop)  # fmt: skip
        self.rules = (*self.rules, rule)

    def _each(self, kind: str, props: Iterable[str], **options: Any) -> None:
        for prop in props:
            self.add_rule(Rule(kind, prop, **options))

    def validates_presence_of(
        self, *props: str, message: Message = None, if_: Condition = None, unless: Condition = None
    ) -> None:
        """Each property must hold a value: not missing, null, "" or []."""
        self._each("presence", props, message=message, if_=if_, unless=unless)

    def validates_absence_of(
        self, *props: str, message: Message = None, if_: Condition = None, unless: Condition = None
    ) -> None:
        """Each property must be blank (the server sets it, say)."""
        self._each("absence", props, message=message, if_=if_, unless=unless)

    def validates_length_of(
        self,
        *props: str,
        min: int | None = None,
        max: int | None = None,
        is_: int | None = None,
        message: Message = None,
        allow_null: bool = False,
        allow_blank: bool = False,
        if_: Condition = None,
        unless: Condition = None,
    ) -> None:
        """Length of a string or array: `min`, `max` and/or exactly `is_`. `message` is one text or
        one per failure: `{"min": "too short", "max": "too long"}`."""
        self._each("length", props, min=min, max=max, is_=is_, message=message,
                   allow_null=allow_null, allow_blank=allow_blank, if_=if_, unless=unless)  # fmt: skip

    def validates_format_of(
        self,
        *props: str,
        with_: str | re.Pattern[str] | None = None,
        without: str | re.Pattern[str] | None = None,
        message: Message = None,
        allow_null: bool = False,
        allow_blank: bool = False,
        if_: Condition = None,
        unless: Condition = None,
    ) -> None:
        """The value must match `with_` and must not match `without` (regular expressions, searched
        as JavaScript's RegExp.test does: anchor them with ^ and $ to match the whole value)."""
        self._each("format", props, with_=_pattern(with_), without=_pattern(without),
                   message=message, allow_null=allow_null, allow_blank=allow_blank, if_=if_,
                   unless=unless)  # fmt: skip

    def validates_inclusion_of(
        self,
        *props: str,
        in_: Iterable[Any],
        message: Message = None,
        allow_null: bool = False,
        allow_blank: bool = False,
        if_: Condition = None,
        unless: Condition = None,
    ) -> None:
        """The value must be one of `in_`."""
        self._each("inclusion", props, in_=tuple(in_), message=message, allow_null=allow_null,
                   allow_blank=allow_blank, if_=if_, unless=unless)  # fmt: skip

    def validates_exclusion_of(
        self,
        *props: str,
        in_: Iterable[Any],
        message: Message = None,
        allow_null: bool = False,
        allow_blank: bool = False,
        if_: Condition = None,
        unless: Condition = None,
    ) -> None:
        """The value must not be one of `in_` (LB3's message: "is reserved")."""
        self._each("exclusion", props, in_=tuple(in_), message=message, allow_null=allow_null,
                   allow_blank=allow_blank, if_=if_, unless=unless)  # fmt: skip

    def validates_numericality_of(
        self,
        *props: str,
        int: bool = False,
        message: Message = None,
        allow_null: bool = False,
        allow_blank: bool = False,
        if_: Condition = None,
        unless: Condition = None,
    ) -> None:
        """The value must be a number (`int=True`: a whole number)."""
        self._each("numericality", props, integer=int, message=message, allow_null=allow_null,
                   allow_blank=allow_blank, if_=if_, unless=unless)  # fmt: skip

    def validates_uniqueness_of(
        self,
        *props: str,
        scoped_to: Iterable[str] = (),
        ignore_case: bool = False,
        message: Message = None,
        if_: Condition = None,
        unless: Condition = None,
    ) -> None:
        """No two instances may share the value (within equal `scoped_to` values). Checked before
        the write and, when the document declares the rule (see runtime/validation/declared.py),
        enforced by a unique index created with the table, so two concurrent creates cannot both
        win; the loser gets the same 422."""
        self._each("uniqueness", props, scoped_to=tuple(scoped_to), ignore_case=ignore_case,
                   message=message, if_=if_, unless=unless)  # fmt: skip

    def validate(
        self,
        prop: str,
        fn: Custom,
        *,
        message: Message = None,
        if_: Condition = None,
        unless: Condition = None,
    ) -> None:
        """A custom validator, sync or async: `fn(instance)` returns None or True when the instance
        is valid, False (the rule's message, default "is invalid") or a message when it is not.
        The code is LB3's `custom`."""
        self.add_rule(Rule("custom", prop, fn=fn, message=message, if_=if_, unless=unless,
                           is_async=inspect.iscoroutinefunction(fn)))  # fmt: skip

    validate_async = validate  # LB3's validateAsync: an async `fn` is awaited either way

    async def is_valid(self, data: dict[str, Any], *, ctx: Context | None = None) -> dict[str, Any]:
        """LB3's `new Model(data).isValid()`: the errors a create of `data` would report, as LB3's
        `details` (`{"codes": {prop: [...]}, "messages": {prop: [...]}}`, both empty when valid).
        Nothing is written."""
        from .check import check_new  # the model's codec lives on the model

        try:
            await check_new(cast("Model", self), data, ctx)
        except ValidationFailed as exc:
            return {"codes": exc.details["codes"], "messages": exc.details["messages"]}
        return {"codes": {}, "messages": {}}
