"""The one entry point of validation: `await validate(model, instance, kind, ctx, ...)`.

Every write path calls it with the instance as it will be stored (a create after defaults, a replace
in full, a patch merged with the stored row), inside the write's transaction when it has one; the
write pipeline calls it at its "validate" step. It raises one 422 ValidationError listing every
problem, grouped by property as LB3 groups them. A model that registered no rule pays one falsy
test at each call site (`if model.rules:`), nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from ..errors import UNDEFINED, Conflict, LoopBackError, ValidationFailed
from ..sql.unique import index_name, taken
from .rules import Problem, Rule

if TYPE_CHECKING:
    from ..context import Context
    from ..db import Session
    from ..model import Model

Kind = Literal["create", "replace", "patch"]
UNKNOWN = "unknown-property"
WHOLE = ("custom", "uniqueness")  # rules that need the whole instance or the table


async def validate(
    model: Model,
    instance: Mapping[str, Any],
    kind: Kind,
    ctx: Context | None = None,
    *,
    key: Any = None,
    session: Session | None = None,
    problems: Iterable[Problem] = (),
    partial: bool = False,
) -> None:
    """Run the model's rules on `instance`; raise ValidationFailed with them and `problems` (what
    the codec found already). `key` is the id of the instance being replaced or patched (a
    uniqueness check skips its own row); `ctx.options["validate"] = False` skips the rules, as LB3's
    `options.validate` does. `partial`: `instance` holds only the values an updateAll writes to
    many rows; the rules of those values alone run (no custom, conditional or uniqueness rule:
    they need a whole instance; the unique index still holds)."""
    found, later = list(problems), list[Problem]()
    if ctx is None or ctx.options.get("validate") is not False:
        found, later = await run_rules(
            model, instance, key=key, session=session, problems=found, partial=partial
        )
    if found or later:
        raise ValidationFailed(model.name, ordered(model, found, later))


async def run_rules(
    model: Model,
    instance: Mapping[str, Any],
    *,
    key: Any = None,
    session: Session | None = None,
    problems: list[Problem] | None = None,
    partial: bool = False,
) -> tuple[list[Problem], list[Problem]]:
    """The problems of the synchronous rules (after `problems`) and those of the asynchronous
    ones (uniqueness, async custom validators): LB3 reports the latter after the former."""
    found = list(problems or ())
    later: list[Problem] = []
    for rule in model.rules:
        if partial and (rule.prop not in instance or rule.conditional or rule.kind in WHOLE):
            continue
        if not rule.applies(instance):
            continue
        if rule.kind == "custom":
            (later if rule.is_async else found).extend(await rule.check_custom(instance))
        elif rule.kind == "uniqueness":
            later += await _uniqueness(model, rule, instance, key, session)
        else:
            found += rule.check(instance)
    return found, later


def ordered(model: Model, found: list[Problem], later: Iterable[Problem] = ()) -> list[Problem]:
    """LB3's order: its validators run property by property (required properties first: LB3
    registers their presence check when it defines the model, then the others in the order they
    were registered), synchronous ones first, and errors are grouped by property in the order each
    property got its first error; unknown properties last. A problem reported twice in the same
    words (a required property with its own validates_presence_of) is listed once."""
    rank: dict[str, int] = {}
    for prop in (*model.codec.required, *(rule.prop for rule in model.rules)):
        rank.setdefault(prop, len(rank))
    for prop, *_rest in (*found, *later):
        rank.setdefault(prop, len(rank))
    by_rank = [*sorted(found, key=lambda p: rank[p[0]]), *sorted(later, key=lambda p: rank[p[0]])]
    first: dict[str, int] = {}
    for index, (prop, *_rest) in enumerate(by_rank):
        first.setdefault(prop, index)
    unique = list(dict.fromkeys((p[0], p[1], p[2]) for p in by_rank))
    values = {(p[0], p[1], p[2]): p[3] for p in reversed(by_rank)}
    problems = [(*key, values[key]) for key in unique]
    return sorted(problems, key=lambda p: (p[1] == UNKNOWN, first[p[0]]))


async def check_new(
    model: Model, data: Any, ctx: Context | None = None, *, allow_id: bool = False
) -> dict[str, Any]:
    """A create's body -> the values to insert (defaults applied), or one 422 with the codec's
    problems (types, required, unknown properties) and the rules' together."""
    values = await check_body(model, data, "create", ctx, allow_id=allow_id)
    values = model.codec.complete(values)
    if model.rules:
        await validate(model, values, "create", ctx)
    return values


async def check_body(
    model: Model, data: Any, kind: Kind, ctx: Context | None = None, *, allow_id: bool = True
) -> dict[str, Any]:
    """The codec's check; when it fails and the model has rules, the rules' problems join its
    (LB3 reports a missing required `name` with a length rule as `presence` and `length.blank`)."""
    try:
        return model.codec.check(data, kind, allow_id=allow_id)
    except ValidationFailed as exc:
        if not model.rules or kind == "patch":
            raise
        seen = {p[0] for p in exc.problems if p[1] != "presence"}  # bad values: not checked again
        instance = model.codec.complete({k: v for k, v in data.items() if k not in seen})
        numeric = {r.prop for r in model.rules if r.kind == "numericality"}
        problems = [  # LB3 reads a non-number as NaN, which its numericality rule reports
            (p[0], "numericality.number", p[2], p[3]) if p[1] == "type" and p[0] in numeric else p
            for p in exc.problems
        ]
        await validate(model, instance, kind, ctx, problems=problems)
        raise


async def _uniqueness(
    model: Model, rule: Rule, instance: Mapping[str, Any], key: Any, session: Session | None
) -> list[Problem]:
    value = instance.get(rule.prop, UNDEFINED)
    if value is UNDEFINED or value is None or value == "":
        return []  # LB3 checks no blank value
    if rule.prop not in model.table.columns or any(
        k not in model.table.columns for k in rule.scoped_to
    ):
        return []
    scope = {k: instance[k] for k in rule.scoped_to if instance.get(k, UNDEFINED) is not UNDEFINED}
    stmt = taken(model.table.table, model.table.columns, model.meta.id_name, rule.prop, value,
                 scope, ignore_case=rule.ignore_case, other_than=key)  # fmt: skip
    if session is not None:
        row = await session.first(stmt)
    else:
        async with model.db.read() as s:
            row = await s.first(stmt)
    return [] if row is None else [rule.problem(value)]


def unique_failure(model: Model, exc: LoopBackError, values: Mapping[str, Any]) -> LoopBackError:
    """A unique index of a uniqueness rule refused the write (a concurrent create won the race):
    the same 422 the rule's check gives. Any other error is returned unchanged."""
    if not isinstance(exc, Conflict) or exc.code != "UNIQUE_VIOLATION":
        return exc
    text = str(getattr(exc.__context__, "orig", exc.__context__) or "")
    table = model.table.table.name
    for rule in model.rules:
        if rule.kind != "uniqueness" or rule.prop not in model.table.columns:
            continue
        column = model.table.columns[rule.prop].name
        names = (index_name(table, [*rule.scoped_to, rule.prop]), f"{table}.{column}")
        if any(n in text for n in names):
            return ValidationFailed(model.name, [rule.problem(values.get(rule.prop, UNDEFINED))])
    return exc


def without_rules(ctx: Context | None) -> Context:
    """The context with LB3's `options.validate = false`: codec checks still run, rules do not."""
    from ..context import Context, context_or_system

    base = context_or_system(ctx)
    return Context(request=base.request, principal=base.principal,
                   options={**base.options, "validate": False}, session=base.session,
                   system=base.system)  # fmt: skip


def stale_rules(model: Model) -> str | None:
    """What differs between the rules the model module registered and those the document states
    (and built unique indexes from), or None: a document compiled before the module changed."""
    registered = [rule.describe() for rule in model.rules if rule.kind != "custom"]
    declared = list(model.meta.raw.get("rules") or ())
    if registered == declared:
        return None
    return (
        f"{model.name}: its model module registers {len(registered)} rule(s) but the document "
        f"states {len(declared)} differently; they are enforced, but the OpenAPI document and the "
        "unique indexes are stale: run `make generate` (specgen generate)"
    )
