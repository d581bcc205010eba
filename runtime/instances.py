"""Checking and completing instance data before it is written: the LB3 rules for create, replace and
patch (presence of required properties, forceId, defaults), with every problem of one instance reported
at once as a 422 ValidationError."""

from __future__ import annotations

import math
import secrets
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from .coercion import Converter, Invalid, input_converter, integral, output_converter
from .errors import NOT_AN_OBJECT, UNDEFINED, BadRequest, ValidationFailed
from .registry import MISSING, ModelMeta, PropertyMeta

Mode = Literal["create", "replace", "patch"]


def _now() -> datetime:
    """UTC now with JavaScript's millisecond precision, as parse_date stores client dates."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


DEFAULT_FNS: dict[str, Callable[[], Any]] = {
    "now": _now,
    "guid": lambda: str(uuid.uuid4()),
    "uuid": lambda: str(uuid.uuid4()),
    "uuidv4": lambda: str(uuid.uuid4()),
    "shortid": lambda: secrets.token_urlsafe(7),
    "nanoid": lambda: secrets.token_urlsafe(16),
}


def next_embedded_id(prop: PropertyMeta, taken: list[Any]) -> Any:
    """A server id for an embedded item: 24 hex characters for a string id (LB3's transient
    connector), one more than the largest for a number id (1 for the first, as LB3); None for other
    id types."""
    if prop.type == "string":
        return secrets.token_hex(12)
    if prop.type == "number":
        numbers = [k for k in taken if isinstance(k, int | float) and not isinstance(k, bool)]
        return math.floor(max(numbers, default=0)) + 1
    return None


def id_required(model: ModelMeta) -> bool:
    """A stored model whose id nothing generates (no `generated`, default or defaultFn): a create
    must send it, or the row could not be stored."""
    prop = model.id_property
    return (
        prop is not None
        and model.has_table
        and not prop.generated
        and prop.default is MISSING
        and prop.default_fn is None
    )


def is_blank(value: Any) -> bool:
    """LB3's presence check: undefined, null and "" are blank."""
    return value is UNDEFINED or value is None or value == ""


class InstanceCodec:
    """Per-model converters, compiled once."""

    def __init__(self, model: ModelMeta, integer_columns: dict[str, int] | None = None) -> None:
        """integer_columns: number properties stored in integer columns, with the columns' bits."""
        self.model = model
        self.inputs: dict[str, Converter] = {
            n: input_converter(p) for n, p in model.properties.items()
        }
        for name, bits in (integer_columns or {}).items():
            self.inputs[name] = integral(bits)
        self.outputs = {
            n: conv
            for n, p in model.properties.items()
            if (conv := output_converter(p)) is not None
        }
        self.required = tuple(n for n, p in model.properties.items() if p.required and not p.id)
        self.id_name = model.id_name
        # LB3's strict false and "filter" drop unknown properties (the response shows what was
        # stored); true, and a model that does not say, refuse them (422 unknown-property)
        self.drop_unknown = model.strict is False or model.strict == "filter"
        self.id_prop = model.id_property
        self.id_required = id_required(model)
        self.visible = tuple(n for n, p in model.properties.items() if not p.hidden)
        # a read with `include` carries related objects under relation names: a client writing
        # that instance back sends them too, and LB3 drops them (they are never stored)
        self.relation_keys = frozenset(model.relations) - set(model.properties)
        # properties holding embedded items, with their model's codec (set by the app: see embed)
        self.embedded: dict[str, InstanceCodec] = {}

    def embed(self, codecs: Mapping[str, InstanceCodec]) -> None:
        """Check the items of properties typed by an embedded model with that model's rules."""
        for name, prop in self.model.properties.items():
            if prop.model is not None and prop.model in codecs:
                self.embedded[name] = codecs[prop.model]

    def check(self, data: Any, mode: Mode, *, allow_id: bool = True) -> dict[str, Any]:
        """Body -> column values (by property name), or a 422 listing every problem."""
        if not isinstance(data, dict):
            raise BadRequest(NOT_AN_OBJECT)
        problems: list[tuple[str, str, str, Any]] = []
        values: dict[str, Any] = {}
        for key, raw in data.items():
            conv = self.inputs.get(key)
            if conv is None:
                if self.drop_unknown or key in self.relation_keys:
                    continue
                # LB3 shows the value as undefined: the instance never held it
                problems.append((key, "unknown-property", "is not defined in the model", UNDEFINED))
                continue
            if key == self.id_name and raw is None:
                continue  # a null id is no id (LB3's absence check agrees): the table assigns one
            if key == self.id_name and self.model.force_id and not allow_id:
                problems.append((key, "absence", "can't be set", raw))
                continue
            if raw is None:
                values[key] = None
                continue
            if key == self.id_name and isinstance(raw, str):
                # LB3 takes a string id in a body ("3"), as it does in a URL
                coerced = self.coerce_id(raw)
                raw = raw if coerced is None else coerced
            try:
                values[key] = conv(raw)
            except Invalid as exc:
                problems.append((key, exc.code, exc.message, raw))
                continue
            if key in self.embedded:
                items, invalid = self._embedded_items(self.embedded[key], values[key])
                if invalid:
                    problems.append((key, "invalid", f"is invalid: {invalid}", raw))
                values[key] = items
        required = (
            self.required if mode != "patch" else tuple(k for k in self.required if k in data)
        )
        reported = {p[0] for p in problems}
        if mode == "create" and self.id_required:
            required = (self.id_name, *required)  # nothing else would give the row its id
        for key in required:
            if key not in reported and is_blank(data.get(key, UNDEFINED)):
                problems.append((key, "presence", "can't be blank", data.get(key, UNDEFINED)))
        if problems:  # LB3 lists unknown properties after every validator's problems
            problems.sort(key=lambda p: p[1] == "unknown-property")
            raise ValidationFailed(self.model.name, problems)
        return values

    @staticmethod
    def _embedded_items(codec: InstanceCodec, value: Any) -> tuple[Any, str | None]:
        """Embedded items (one object or a list) as they are stored: checked with their model's
        rules, ids generated where missing and defaults applied, every property present; or what is
        wrong with them, in LB3's words. Their ids are theirs to keep: the embedded model's forceId
        applies to relation writes only."""
        items = value if isinstance(value, list) else [value]
        checked = []
        for index, item in enumerate(items):
            where = f"item at index `{index}`: " if isinstance(value, list) else ""
            try:
                checked.append(codec.check(item, "create"))
            except ValidationFailed as exc:
                return None, where + exc.summary
            except BadRequest:
                return None, f"{where}not an object"
        prop = codec.id_prop
        if prop is not None:
            taken = [item.get(prop.name) for item in checked]
            for item in checked:
                if item.get(prop.name) is None:
                    item[prop.name] = next_embedded_id(prop, taken)
                    taken.append(item[prop.name])
        every = tuple(codec.model.properties)
        stored = [codec.to_json(codec.complete(item), every) for item in checked]
        return (stored if isinstance(value, list) else stored[0]), None

    def complete(self, values: dict[str, Any]) -> dict[str, Any]:
        """Apply `default` and `defaultFn` to properties the client left out (create and replace)."""
        out = dict(values)
        for name, prop in self.model.properties.items():
            if name in out:
                continue
            if prop.default is not MISSING:
                if prop.default is None:
                    out[name] = None
                elif prop.type == "date" and prop.default == "$now":  # LB3's date default
                    out[name] = _now()
                else:
                    out[name] = self.inputs[name](prop.default)
            elif prop.default_fn in DEFAULT_FNS:
                out[name] = DEFAULT_FNS[prop.default_fn]()
            elif prop.id and prop.generated and not prop.integer_id:
                out[name] = uuid.uuid4().hex
        return out

    def to_json(
        self, values: Mapping[Any, Any], columns: tuple[str, ...] | None = None
    ) -> dict[str, Any]:
        """Stored values -> the JSON object LB3 returns (declared order; hidden properties left out)."""
        outputs = self.outputs
        out: dict[str, Any] = {}
        for name in columns if columns is not None else self.visible:
            value = values.get(name)
            conv = outputs.get(name)
            out[name] = conv(value) if conv is not None and value is not None else value
        return out

    def coerce_id(self, raw: Any) -> Any:
        """An id from a URL or a body; None when it cannot be an id of this model (-> 404)."""
        prop = self.id_prop
        if prop is None:
            return None
        if prop.integer_id or prop.type == "number":
            if isinstance(raw, bool):
                return None
            if isinstance(raw, str):
                text = raw.strip()
                if not text.lstrip("-").isdigit():
                    return None
                raw = int(text)
            if not isinstance(raw, int) or not -(2**63) <= raw <= 2**63 - 1:
                return None
            return raw
        return raw if isinstance(raw, str) else str(raw)
