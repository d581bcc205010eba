"""Who owns a row, as LB3's `Role.isOwner` decides it, expressed as a `where` so it can run in SQL.

LB3 loads the row and then, for a model without `ownerRelations`: its `userId` (else `owner`) property
compared with the caller's user id (principal type USER only); when that is empty, the FIRST belongsTo
relation to a User-based model the caller's principal type fits, followed to its user. With
`ownerRelations: true` (or a list of names), any of those belongsTo relations (no property test). For a
User-based model, the row is the user: owner when its id is the caller's id (no row is read).

`owner_where` gives that test as an LB3 `where` (`{"userId": 5}`, `{"or": [...]}`, `{"user.id": 5}` for a
belongsTo whose primaryKey is not the user's id), compiled once per model into an `OwnerSpec`; the
read stage ANDs it into a query, and `is_owner` asks a pluggable `RowLookup` whether the row with a given
id matches it (one EXISTS query in the runtime; `MemoryRows` for data held in memory).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .access_types import model_setting
from .subject import USER, _text

if TYPE_CHECKING:
    from .subject import AccessContext

Where = dict[str, Any]
RowLookup = Callable[[str, Any, Where], "bool | Awaitable[bool]"]
LEGACY_PROPERTIES = ("userId", "owner")


@dataclass(frozen=True)
class OwnerRelation:
    """A belongsTo to a User-based model: the row's `foreign_key` holds the user's `primary_key`."""

    name: str
    target: str
    foreign_key: str
    primary_key: str  # the target's key the foreign key holds
    target_id: str  # the target's id property
    multiple_users: bool  # the target's accessTokens relation is polymorphic


@dataclass(frozen=True)
class OwnerSpec:
    model: str
    id_name: str
    user_model: bool
    properties: tuple[str, ...]  # the legacy `userId` / `owner` properties the model has
    relations: tuple[OwnerRelation, ...]  # every belongsTo to a User-based model, declaration order
    owner_relations: bool | tuple[str, ...] | None  # the `ownerRelations` setting; None: legacy
    multiple_users: bool  # the app's user model has a polymorphic accessTokens relation


def is_user_model(name: str, models: Mapping[str, Mapping[str, Any]]) -> bool:
    entry = models.get(name)
    return name == "User" or (entry is not None and "User" in entry.get("baseChain", ()))


def _id_name(entry: Mapping[str, Any]) -> str:
    ids = sorted(
        ((p.get("id"), n) for n, p in (entry.get("properties") or {}).items() if p.get("id")),
        key=lambda t: int(t[0]),
    )
    return ids[0][1] if ids else "id"


def multiple_users(entry: Mapping[str, Any] | None) -> bool:
    """LB3's _isMultipleUsers: the user model's accessTokens relation is polymorphic."""
    rel = ((entry or {}).get("relations") or {}).get("accessTokens") or {}
    return bool(rel.get("polymorphic"))


def owner_spec(name: str, models: Mapping[str, Mapping[str, Any]]) -> OwnerSpec:
    """The owner test of model `name`, from the document's `x-lb-models` (compiled at start-up)."""
    entry = models[name]
    props = entry.get("properties") or {}
    rels = entry.get("relations") or {}
    relations = []
    for rname, rel in rels.items():
        target = rel.get("model")
        if rel.get("type") != "belongsTo" or not target or not is_user_model(target, models):
            continue
        target_entry = models.get(target, {})
        target_id = _id_name(target_entry)
        relations.append(
            OwnerRelation(
                name=rname,
                target=target,
                foreign_key=rel.get("foreignKey") or f"{rname}Id",
                primary_key=rel.get("primaryKey") or target_id,
                target_id=target_id,
                multiple_users=multiple_users(target_entry),
            )
        )
    users = [m for m in models if is_user_model(m, models)]
    setting = model_setting(entry, "ownerRelations")
    owner_relations: bool | tuple[str, ...] | None
    if setting is None or setting is False:
        owner_relations = None
    elif isinstance(setting, list):
        owner_relations = tuple(str(s) for s in setting)
    else:
        owner_relations = bool(setting)
    return OwnerSpec(
        model=name,
        id_name=_id_name(entry),
        user_model=is_user_model(name, models),
        # `owner` named by a relation is the relation's accessor in LB3, not a value
        properties=tuple(p for p in LEGACY_PROPERTIES if p in props and p not in rels),
        relations=tuple(relations),
        owner_relations=owner_relations,
        multiple_users=multiple_users(models.get("User"))
        or any(multiple_users(models[u]) for u in users),
    )


def principal_fits(spec: OwnerSpec, principal_type: str) -> bool:
    """LB3: one user model and principal type USER, or several and the user model's name."""
    return (not spec.multiple_users and principal_type == USER) or (
        spec.multiple_users and principal_type != USER
    )


def _relation_fits(rel: OwnerRelation, principal_type: str) -> bool:
    return (not rel.multiple_users and principal_type == USER) or (
        rel.multiple_users and principal_type == rel.target
    )


def _relation_where(rel: OwnerRelation, user_id: Any) -> Where:
    if rel.primary_key == rel.target_id:
        return {rel.foreign_key: user_id}
    return {f"{rel.name}.{rel.target_id}": user_id}


def owner_where(spec: OwnerSpec, user_id: Any, principal_type: str = USER) -> Where | None:
    """The rows of `spec.model` the user owns, as an LB3 where; None when it can own none."""
    if not _truthy(user_id) or not principal_fits(spec, principal_type):
        return None
    if spec.user_model and principal_type in (USER, spec.model):
        return {spec.id_name: user_id}
    if spec.owner_relations is not None:
        chosen = [
            r
            for r in spec.relations
            if _relation_fits(r, principal_type)
            and (spec.owner_relations is True or r.name in spec.owner_relations)  # type: ignore[operator]
        ]
        return _any([_relation_where(r, user_id) for r in chosen])
    first = next((r for r in spec.relations if _relation_fits(r, principal_type)), None)
    follow = _relation_where(first, user_id) if first is not None else None
    if principal_type != USER or not spec.properties:
        return follow
    # `inst.userId || inst.owner`: the first set property decides; with none set, the relation does
    branches: list[Where] = []
    empty: list[Where] = []
    for prop in spec.properties:
        branches.append(_all([*empty, {prop: user_id}]))
        empty.append({prop: None})
    # the relation's key is one of those properties (Note's `owner` on `userId`): its branch would
    # ask that key to be empty and the user's at once, which no row is, so it is left out
    if follow is not None and not any(key in spec.properties for key in follow):
        branches.append(_all([*empty, follow]))
    return _any(branches)


def _all(parts: list[Where]) -> Where:
    return parts[0] if len(parts) == 1 else {"and": parts}


def _any(parts: list[Where]) -> Where | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"or": parts}


def _truthy(value: Any) -> bool:
    return value not in (None, "", 0, False)


def ids_match(a: Any, b: Any) -> bool:
    """LB3's `matches(id1, id2)`: both set and equal as strings."""
    return _truthy(a) and _truthy(b) and _text(a) == _text(b)


@dataclass(frozen=True)
class OwnerCheck:
    """The `$owner` step, pluggable: each model's compiled `OwnerSpec` and how to test one row."""

    specs: Mapping[str, OwnerSpec]
    lookup: RowLookup

    @classmethod
    def for_models(cls, models: Mapping[str, Mapping[str, Any]], lookup: RowLookup) -> OwnerCheck:
        return cls({name: owner_spec(name, models) for name in models}, lookup)


def is_owner(actx: AccessContext, check: OwnerCheck | None) -> bool | Awaitable[bool]:
    """LB3's `$owner` resolver: needs a model id and a user; reads the row only when the model is not
    the user itself."""
    if check is None or not actx.model or not _truthy(actx.model_id):
        return False
    user = actx.user()
    spec = check.specs.get(actx.model)
    if user is None or spec is None or not _truthy(user.id):
        return False
    if not principal_fits(spec, user.type):
        return False
    if spec.user_model and user.type in (USER, spec.model):
        return ids_match(actx.model_id, user.id)
    where = owner_where(spec, user.id, user.type)
    if where is None:
        return False
    return check.lookup(actx.model, actx.model_id, where)


@dataclass(frozen=True)
class MemoryRows:
    """A `RowLookup` over rows held in memory (`{model: [row, ...]}`), evaluating the owner where with
    LB3's comparison (ids as strings, empty never matches, `null` matches a missing value)."""

    rows: Mapping[str, Iterable[Mapping[str, Any]]]
    specs: Mapping[str, OwnerSpec]

    def __call__(self, model: str, model_id: Any, where: Where) -> bool:
        spec = self.specs[model]
        row = next(
            (r for r in self.rows.get(model, ()) if ids_match(r.get(spec.id_name), model_id)), None
        )
        return row is not None and self.matches(spec, row, where)

    def matches(self, spec: OwnerSpec, row: Mapping[str, Any], where: Where) -> bool:
        for key, value in where.items():
            if key == "and":
                ok = all(self.matches(spec, row, w) for w in value)
            elif key == "or":
                ok = any(self.matches(spec, row, w) for w in value)
            elif "." in key:
                ok = self._related(spec, row, key, value)
            elif value is None:
                ok = row.get(key) is None
            else:
                ok = ids_match(row.get(key), value)
            if not ok:
                return False
        return True

    def _related(self, spec: OwnerSpec, row: Mapping[str, Any], key: str, value: Any) -> bool:
        rname, prop = key.split(".", 1)
        rel = next(r for r in spec.relations if r.name == rname)
        targets = self.rows.get(rel.target, ())
        return any(
            ids_match(t.get(rel.primary_key), row.get(rel.foreign_key))
            and ids_match(t.get(prop), value)
            for t in targets
        )
