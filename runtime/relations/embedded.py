"""embedsOne and embedsMany: the items live as JSON in one property of the parent's row
(`relation.property`: `_address`, `notes`), validated by the embedded model's own rules.

Every write reads the property, changes it and writes it back in one transaction, with the parent's
row locked first (SELECT ... FOR UPDATE on PostgreSQL and MySQL; on SQLite a no-op UPDATE takes the
database's write lock, which every other writer, in this process or another, waits for), so two
concurrent writes never lose one another's item.

Where LB3 is unsafe or buggy (tests/oracle/lb3-3.28/relations.md §2.7, §2.8, §8) we do not follow
it (docs/lb3-differences.md): an embedsOne with nothing stored is a 404 whether it was
never set or destroyed; embedsMany counts, orders and pages its items; an unknown item id is a 404 for
every operation; an item's id cannot change; an array body is a 400. Items are stored as the embedded
model's JSON (every property, null when unset), so a stored item never makes the parent invalid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..db import Session
from ..errors import NOT_AN_OBJECT, BadRequest, ModelNotFound, ValidationFailed
from ..filter.ast import Filter, Where
from ..filter.evaluate import apply, count
from ..filter.parse import FilterParser
from ..instances import InstanceCodec, next_embedded_id
from ..registry import ModelMeta, PropertyMeta
from ..sql import builder
from .base import Bound, RelationError, none_found

R = TypeVar("R")


@dataclass(frozen=True)
class ItemRules:
    """The embedded model's rules, compiled once per relation (resolve builds it): its codec, its
    filter parser and its date properties."""

    meta: ModelMeta
    codec: InstanceCodec
    parser: FilterParser
    dates: tuple[str, ...]

    @classmethod
    def of(cls, meta: ModelMeta) -> ItemRules:
        dates = tuple(n for n, p in meta.properties.items() if p.type == "date")
        return cls(meta, InstanceCodec(meta), FilterParser(meta), dates)


class Embedded(Bound):
    """What both kinds share: the embedded model's rules and the parent's property, read and
    written back atomically."""

    @property
    def rules(self) -> ItemRules:
        rules = self.relation.items
        if rules is None:
            raise RelationError(f"{self.relation.parent.name}.{self.relation.name}: no model")
        return rules

    @property
    def meta(self) -> ModelMeta:
        return self.rules.meta

    @property
    def codec(self) -> InstanceCodec:
        return self.rules.codec

    @property
    def id_prop(self) -> PropertyMeta | None:
        return self.meta.id_property

    # ---- the parent's property -------------------------------------------------------------------

    async def _stored(self) -> Any:
        """The property's value now (404 for an unknown parent)."""
        async with self.relation.parent.db.read() as session:
            return await self._read(session, lock=False)

    async def _change(self, edit: Callable[[Any], tuple[Any, R]]) -> R:
        """Read the property with the parent's row locked, let `edit` compute the new value (and
        what to answer), write it back; all in one transaction, so an `edit` that raises changes
        nothing."""
        parent = self.relation.parent
        async with parent.db.transaction() as session:
            current = await self._read(session, lock=True)
            new, result = edit(current)
            await parent.patch_attributes(
                self.parent_id, {self.relation.property: new}, ctx=self.ctx
            )
            return result

    async def _read(self, session: Session, *, lock: bool) -> Any:
        parent = self.relation.parent
        key = parent.codec.coerce_id(self.parent_id)
        if key is None:
            raise self._no_parent()
        try:
            parent.table.column(self.relation.property)
        except KeyError:
            raise RelationError(
                f"{parent.name}.{self.relation.name}: {parent.name} has no property "
                f"{self.relation.property!r} to hold it"
            ) from None
        if lock and parent.db.backend == "sqlite":  # no row locks: take the write lock
            await session.run(builder.touch_row(parent.table, self.relation.property, key))
        query = builder.row_by_id(parent.table, [self.relation.property], key, lock=lock)
        row = await session.first(query)
        if row is None:
            raise self._no_parent()
        return row[0]

    def _no_parent(self) -> ModelNotFound:
        return ModelNotFound(f"could not find a model with id {self.parent_id}")

    # ---- items -----------------------------------------------------------------------------------

    def _out(self, item: dict[str, Any]) -> dict[str, Any]:
        """A stored item as the embedded model's JSON (hidden properties left out)."""
        return self.codec.to_json(item)

    def _store(self, values: dict[str, Any]) -> dict[str, Any]:
        """Checked values -> the JSON kept in the parent: every property, hidden ones too."""
        return self.codec.to_json(values, tuple(self.meta.properties))

    def _new(self, data: Any, taken: list[Any]) -> dict[str, Any]:
        """A new item from a body: checked, its id generated when it has none (or always, with the
        relation's `forceId`), its defaults applied."""
        if not isinstance(data, dict):
            raise BadRequest(NOT_AN_OBJECT)
        values = self.codec.check(data, "create")
        prop = self.id_prop
        if prop is not None and (
            values.get(prop.name) is None or self.relation.options.get("forceId")
        ):
            generated = next_embedded_id(
                prop, [self._item_key(i.get(prop.name)) for i in _items(taken)]
            )
            if generated is not None:
                values[prop.name] = generated
        return self._store(self.codec.complete(values))

    def _merged(self, current: dict[str, Any], data: Any) -> dict[str, Any]:
        """A stored item updated by a body (LB3 merges): the result is checked as a whole; its id
        cannot change."""
        if not isinstance(data, dict):
            raise BadRequest(NOT_AN_OBJECT)
        body = dict(data)
        prop = self.id_prop
        if prop is not None and prop.name in body and body[prop.name] is None:
            del body[prop.name]  # a null id is no id: the stored one stays
        if prop is not None and body.get(prop.name) is not None:
            old = current.get(prop.name)
            if self._item_key(body[prop.name]) != self._item_key(old):
                raise BadRequest(
                    f"id property ({prop.name}) cannot be updated from {old} to {body[prop.name]}"
                    if old is not None
                    else f"id property ({prop.name}) cannot be set by an update"
                )
            del body[prop.name]
        return self._store(self.codec.check({**current, **body}, "replace"))

    def _item_key(self, value: Any) -> Any:
        """An item id as the embedded model's id type (a URL's "5" is 5 for a number id); None
        when it cannot be one."""
        return None if value is None else self.codec.coerce_id(value)


class EmbeddedOne(Embedded):
    """One parent's embedsOne: a single item or nothing (null)."""

    async def get(self) -> dict[str, Any]:
        """404 when nothing is stored (LB3: 204 when never set, 404 after a destroy)."""
        stored = await self._stored()
        if not isinstance(stored, dict):
            raise none_found(self.meta.name)
        return self._out(stored)

    async def create(self, data: Any) -> dict[str, Any]:
        """Replaces whatever is stored, as LB3 does; a client's id is kept unless `forceId`."""

        def edit(_current: Any) -> tuple[Any, dict[str, Any]]:
            item = self._new(data, [])
            return item, item

        return self._out(await self._change(edit))

    async def update(self, data: Any) -> dict[str, Any]:
        """Merges the body into the stored item; 404 when nothing is stored, as hasOne (LB3
        creates one, from a partial body that then fails the required properties)."""

        def edit(current: Any) -> tuple[Any, dict[str, Any]]:
            if not isinstance(current, dict):
                raise none_found(self.meta.name)
            item = self._merged(current, data)
            return item, item

        return self._out(await self._change(edit))

    async def destroy(self) -> None:
        """Stores null; 404 when nothing is stored, as `get` (LB3 answers 204 again)."""

        def edit(current: Any) -> tuple[Any, None]:
            if not isinstance(current, dict):
                raise none_found(self.meta.name)
            return None, None

        await self._change(edit)


class EmbeddedMany(Embedded):
    """One parent's embedsMany: a list of items, each found by its id."""

    async def find(self, filter: dict[str, Any] | Filter | None = None) -> list[dict[str, Any]]:
        """where, order, skip/limit and fields are honoured (LB3 ignores all but where); equal
        items keep their stored order."""
        flt = filter if isinstance(filter, Filter) else self.rules.parser.parse(filter)
        return apply(flt, self._visible(await self._stored()), dates=self.rules.dates)

    async def count(self, where: dict[str, Any] | Where | None = None) -> int:
        """The number of matching items (LB3 always answers 0)."""
        clause = (
            self.rules.parser.parse_where(where)
            if where is None or isinstance(where, dict)
            else where
        )
        return count(clause, self._visible(await self._stored()), dates=self.rules.dates)

    async def find_by_id(self, fk: Any) -> dict[str, Any]:
        items = _items(await self._stored())
        return self._out(items[self._index(items, fk)])

    async def create(self, data: Any) -> dict[str, Any]:
        """One object (an array is a 400: LB3 would read it as one invalid item). A client's id is
        kept unless the relation's `forceId`; one already taken is a 422 uniqueness."""

        def edit(current: Any) -> tuple[Any, dict[str, Any]]:
            items = _list(current)
            item = self._new(data, items)
            self._unique(item, items)
            return [*items, item], item

        return self._out(await self._change(edit))

    async def update_by_id(self, fk: Any, data: Any) -> dict[str, Any]:
        """Merges the body into the item; 404 for an unknown id (LB3: 200 null)."""

        def edit(current: Any) -> tuple[Any, dict[str, Any]]:
            items = _list(current)
            index = self._index(items, fk)
            item = self._merged(items[index], data)
            return [*items[:index], item, *items[index + 1 :]], item

        return self._out(await self._change(edit))

    async def destroy_by_id(self, fk: Any) -> None:
        """404 for an unknown id (LB3: 204)."""

        def edit(current: Any) -> tuple[Any, None]:
            items = _list(current)
            index = self._index(items, fk)
            return [*items[:index], *items[index + 1 :]], None

        await self._change(edit)

    async def destroy_all(self) -> int:
        """Empties the list; the number of items removed."""

        def edit(current: Any) -> tuple[Any, int]:
            return [], len(_list(current))

        return await self._change(edit)

    # ---- helpers ---------------------------------------------------------------------------------

    def _visible(self, stored: Any) -> list[dict[str, Any]]:
        return [self._out(item) for item in _items(stored)]

    def _index(self, items: list[Any], fk: Any) -> int:
        """The position of the item whose id is fk, compared as the id's type; 404 when there is
        none (and always for an embedded model without an id)."""
        key = self._item_key(fk)
        prop = self.id_prop
        if key is not None and prop is not None:
            for index, item in enumerate(items):
                if isinstance(item, dict) and self._item_key(item.get(prop.name)) == key:
                    return index
        raise ModelNotFound(f'Unknown "{self.meta.name}" id "{fk}".')

    def _unique(self, item: dict[str, Any], items: list[Any]) -> None:
        """LB3's 422 for an id the list already holds (named by the parent's property)."""
        prop = self.id_prop
        key = self._item_key(item.get(prop.name)) if prop is not None else None
        if prop is None or key is None:
            return
        if any(self._item_key(other.get(prop.name)) == key for other in _items(items)):
            raise ValidationFailed(
                self.relation.parent.name,
                [
                    (
                        self.relation.property,
                        "uniqueness",
                        f"contains duplicate `{prop.name}`",
                        item[prop.name],
                    )
                ],
            )


def _list(value: Any) -> list[Any]:
    """The stored list (null or a value that is not a list reads as empty)."""
    return list(value) if isinstance(value, list) else []


def _items(value: Any) -> list[dict[str, Any]]:
    """The stored items that are objects; anything else (written through the parent directly) is
    skipped by reads and left in place by writes."""
    return [item for item in _list(value) if isinstance(item, dict)]
