"""The Python API of a persisted model: LB3's PersistedModel statics with snake_case names.

The REST handlers call exactly these methods, so Python code (model modules, boot scripts) and HTTP
clients get the same semantics. Instances are plain dicts of JSON values.

    LB3                      here
    find(filter)             await Model.find(filter)
    findById(id, filter)     await Model.find_by_id(id, filter)       -> dict | None
    findOne(filter)          await Model.find_one(filter)             -> dict | None
    count(where)             await Model.count(where)
    exists(id)               await Model.exists(id)
    create(data | [data])    await Model.create(data)
    patchOrCreate(data)      await Model.patch_or_create(data)
    replaceOrCreate(data)    await Model.replace_or_create(data)
    upsertWithWhere(w, data) await Model.upsert_with_where(where, data)
    updateAll(where, data)   await Model.update_all(where, data)     -> count
    replaceById(id, data)    await Model.replace_by_id(id, data)
    prototype.patchAttributes await Model.patch_attributes(id, data)
    destroyById(id)          await Model.destroy_by_id(id)            -> count
    destroyAll(where)        await Model.destroy_all(where)           -> count
    instance.destroy()       await Model.destroy_instance(instance)   -> count
    observe(name, fn)        Model.observe(name, fn)                  (docs/hooks.md)

Every method takes a keyword-only `ctx` (runtime.context.Context; None: a system context). Reads
pass the read stage (runtime/read.py), writes the one pipeline below.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any, overload

import sqlalchemy as sa

from . import read, users
from .bulk import create_items
from .context import Context, context_or_system
from .db import Database, Session
from .errors import NOT_AN_OBJECT, BadRequest, Conflict, ModelNotFound, NotFound
from .events import Events, Listener
from .filter.ast import And, Condition, Exists, Filter, InSelect, Or, Slot, Where
from .filter.limits import DEFAULT_LIMITS, FilterLimits
from .filter.parse import FilterParser
from .hooks import Observer, Observers, Operation
from .instances import InstanceCodec, Mode
from .jsonio import RawJSON
from .operations.hooks import Hook, RemoteHooks
from .operations.remote import Prototype, RemoteMethod, declare, from_declaration, in_setup
from .plan import QueryPlan, plan_query
from .registry import ModelMeta
from .relations import Handle, Relation, bind, inline, loading
from .relations import resolve as resolve_relation
from .sql import builder, json_select, shapes
from .sql.tables import ModelTable
from .validation import Validatable, check_body, check_new, unique_failure, validate
from .validation.check import without_rules

_NO_FILTER = (
    Filter()
)  # findById without a filter: its one-statement path, no Filter built per request


class Model(Validatable):
    def __init__(
        self,
        meta: ModelMeta,
        table: ModelTable,
        db: Database,
        *,
        models: Mapping[str, ModelMeta] | None = None,
        limits: FilterLimits = DEFAULT_LIMITS,
    ) -> None:
        self.meta = meta
        self.name = meta.name
        self.table = table
        self.db = db
        self.codec = InstanceCodec(meta, table.integer_columns())
        self.parser = FilterParser(meta, models, limits)
        self.app: Any = None  # set by the app; model modules reach siblings through it
        # LB3's validateUpsert: false lets patchOrCreate update an instance without the rules
        self.validate_upsert = (meta.raw.get("options") or {}).get("validateUpsert") is not False
        self._relations: dict[str, Relation] = {}
        self.hooks = Observers()  # empty unless observed: every read and write checks this once
        self.acl: Any = None  # a RowScope when ACLs restrict rows (runtime/auth/scoping.py)
        if meta.is_user:  # LB3's User rules: the first built-in observer
            self.hooks.add("persist", users.persist_rules, builtin=True)
        self._insert_stmt = builder.insert_row(table)
        self._by_id = builder.row_by_id(table, self.codec.visible) if meta.id_property else None
        self._id_only = builder.row_by_id(table, [meta.id_name]) if meta.id_property else None
        # PostgreSQL writes the JSON bodies of reads whose columns it prints as the row path does
        self._json_bodies = db.backend == "postgresql" and json_select.renders(
            table, self.codec.visible
        )
        self._by_id_json = (  # findById's hot path: its row's JSON object, `:id` bound
            json_select.select_json(table, _by_id_plan(meta), one=True)
            if self._json_bodies and meta.id_property
            else None
        )
        self.remote_hooks = RemoteHooks()  # matched to this model's operations by the app
        self.prototype = Prototype()  # instance remote methods are assigned here
        self.remote_methods: dict[str, RemoteMethod] = {
            name: from_declaration(name, raw) for name, raw in meta.raw.get("methods", {}).items()
        }
        self.disabled_methods: set[str] = set()  # hidden from REST by disable_remote_method_by_name
        self.events = Events(meta.name)  # LB3's Model.on / Model.emit (runtime/events.py)

    def __repr__(self) -> str:
        return f"<Model {self.name}>"

    @property
    def datasource(self) -> Database:
        """LB3's `Model.dataSource`: `transaction()` and native `execute()` live there."""
        return self.db

    def observe(self, name: str, fn: Observer) -> None:
        """LB3's `Model.observe`: `fn(ctx)`, sync or async, on every operation that fires `name`
        (access, before save, after save, before delete, after delete, loaded, persist)."""
        self.hooks.add(name, fn)

    def remove_observer(self, name: str, fn: Observer) -> None:
        self.hooks.remove(name, fn)

    def on(self, event: str, fn: Listener) -> None:
        """LB3's `Model.on(event, fn)`: `fn(info)`, sync or async, each time the model emits the
        event (User's `resetPasswordRequest`; the app's own through `emit`)."""
        self.events.on(event, fn)

    async def emit(self, event: str, *args: Any) -> bool:
        """LB3's `Model.emit(event, ...)`: call the listeners now (see runtime/events.py)."""
        return await self.events.emit(event, *args)

    async def check_access(self, ctx: Context | None, method: str, model_id: Any = None) -> bool:
        """LB3's `Model.checkAccess`: whether the caller of `ctx` may call `method` (`find`,
        `prototype.patchAttributes`, a remote method's name) about the row `model_id`, by this
        model's ACLs. A system context (no caller) may; the ACLs are read whether or not auth is
        enabled."""
        if self.app is None:
            return True
        allowed: bool = await self.app.auth.check(ctx, self.name, method, model_id)
        return allowed

    # ---- remote hooks (LB3's beforeRemote / afterRemote / afterRemoteError) ----------------------

    def before_remote(self, pattern: str, fn: Hook) -> None:
        """Run `fn(ctx)` (sync or async) before every REST method the pattern names (`create`,
        `*`, `prototype.*`, `prototype.__get__reviews`, `**`): `ctx.args` are bound and may be
        changed; raising stops the call with that error."""
        self.remote_hooks.add("before", pattern, fn)

    def after_remote(self, pattern: str, fn: Hook) -> None:
        """Run `fn(ctx)` after the method succeeded; replacing `ctx.result` changes the response."""
        self.remote_hooks.add("after", pattern, fn)

    def after_remote_error(self, pattern: str, fn: Hook) -> None:
        """Run `fn(ctx)` when the method (or a hook) failed; `ctx.error` is the error."""
        self.remote_hooks.add("error", pattern, fn)

    # ---- remote methods (LB3's remoteMethod / disableRemoteMethodByName) -------------------------

    def remote_method(
        self,
        name: str,
        *,
        accepts: Any = None,
        returns: Any = None,
        http: Any = None,
        is_static: bool | None = None,
        description: str | None = None,
        fn: Any = None,
    ) -> RemoteMethod:
        """Declare a remote method from Python, as LB3's `Model.remoteMethod(name, options)`, in a
        model module's synchronous `setup`: `"prototype.x"` (or `is_static=False`) makes an instance
        method. `fn` is the implementation, or assign it later (`Model.name = fn`)."""
        in_setup(self, f"remote_method({name!r})")
        method = declare(name, accepts=accepts, returns=returns, http=http, is_static=is_static,
                         description=description, fn=fn)  # fmt: skip
        known = self.remote_methods.get(method.name)
        if known is not None and known.declared_in_document:  # the JSON declares it: keep that
            known.fn = fn or known.fn
            return known
        self.remote_methods[method.name] = method
        return method

    def disable_remote_method_by_name(self, name: str) -> None:
        """Hide a built-in or custom method from REST and from the served document (LB3's
        `disableRemoteMethodByName`): `"find"`, `"prototype.patchAttributes"`,
        `"prototype.__get__reviews"`, `"status"`. Call it in setup."""
        in_setup(self, f"disable_remote_method_by_name({name!r})")
        self.disabled_methods.add(name)

    # ---- reads -----------------------------------------------------------------------------------

    def parse_filter(self, raw: dict[str, Any] | Filter | None) -> Filter:
        return raw if isinstance(raw, Filter) else self.parser.parse(raw)

    def parse_where(self, raw: dict[str, Any] | Where | None) -> Where | None:
        if isinstance(raw, Condition | And | Or | InSelect | Exists):
            return raw  # already parsed (relations build their own)
        return self.parser.parse_where(raw)

    async def find(
        self, filter: dict[str, Any] | Filter | None = None, *, ctx: Context | None = None
    ) -> list[dict[str, Any]]:
        flt, op = self.parse_filter(filter), None
        if read.needed(self, flt.where):
            flt, op = await read.restrict(self, flt, ctx)
        found = await self._rows(flt, ctx)
        return await _loaded(op, found) if op is not None else found

    async def _rows(
        self, flt: Filter, ctx: Context | None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The row path of a restricted read: the rows, decoded into JSON values in Python."""
        if flt.include:  # one more statement per included relation level
            return await loading.find(self, flt, limit=limit, ctx=ctx)
        plan = plan_query(self.meta, flt, limit=limit)
        rows = await self.db.shaped_rows(*shapes.ROWS(self.table, plan))
        to_json, cols = self.codec.to_json, plan.columns
        return [to_json(row, cols) for row in rows]

    # ---- reads whose JSON the database writes (runtime/sql/json_select.py) -----------------------

    def reads_plainly(self, flt: Filter) -> bool:
        """Whether the database may write this read's response body, byte for byte the row path's:
        PostgreSQL, columns it prints as Python does, no `loaded` observer (Python changes the
        rows), includes it can render (runtime/relations/inline.py). Decided by the filter's
        shape, before the read runs any hook; `access` hooks and ACLs add to the SQL's where."""
        return (
            self._json_bodies
            and not self.hooks.has("loaded")
            and (not flt.include or inline.inlinable(self, flt.include))
        )

    async def find_body(
        self, filter: dict[str, Any] | Filter | None = None, *, ctx: Context | None = None
    ) -> Any:
        """`find`'s answer for the REST endpoint: the JSON text the database wrote (RawJSON,
        sent as it is) when it reads plainly, else `find`'s rows."""
        flt = self.parse_filter(filter)
        if not self.reads_plainly(flt):
            return await self.find(flt, ctx=ctx)
        return await self._body(flt, ctx)

    async def find_by_id_body(
        self, id: Any, filter: dict[str, Any] | Filter | None = None, *, ctx: Context | None = None
    ) -> Any:
        """`find_by_id`'s answer for the REST endpoint: the instance's JSON text the database
        wrote (RawJSON) when it reads plainly, else the instance; None when there is none."""
        key = self.codec.coerce_id(id)
        if key is None:
            return None
        flt = self.parse_filter(filter)
        if not self.reads_plainly(flt):
            return await self.find_by_id(key, flt, ctx=ctx)
        unscoped = self.acl is None or not self.acl.applies(ctx)
        if flt == Filter() and self._by_id_json is not None and not self.hooks and unscoped:
            row = await self.db.first_row(self._by_id_json, {"id": key})  # one kept statement
            if row is None:
                return None
            text = row[json_select.LABEL]
            if json_select.UNPRINTED in text:
                return await self.find_by_id(key, flt, ctx=ctx)
            return RawJSON(text)
        where = _and(Condition(self.meta.id_name, "eq", key), flt.where)
        return await self._body(
            replace(flt, where=where, order=(), limit=None, skip=0), ctx, one=True
        )

    async def _body(self, flt: Filter, ctx: Context | None, *, one: bool = False) -> Any:
        """The restricted read as one JSON text (`one`: the first row's object, None for none);
        a value the database cannot print as Python does (json_select.UNPRINTED) sends that read
        down the row path, on the filter already restricted (the hooks ran once)."""
        if read.needed(self, flt.where):
            flt, _ = await read.restrict(self, flt, ctx)
        limit = 1 if one else None
        plan = plan_query(self.meta, flt, limit=limit)
        if flt.include:
            plan = replace(plan, includes=await inline.include_plans(self, flt.include, ctx))
        text = await self.db.shaped_value(
            *(shapes.JSON_ONE if one else shapes.JSON_ROWS)(self.table, plan)
        )
        if text is not None and json_select.UNPRINTED in text:
            rows = await self._rows(flt, ctx, limit)
            return (rows[0] if rows else None) if one else rows
        return None if text is None else RawJSON(text)

    async def find_one(
        self,
        filter: dict[str, Any] | Filter | None = None,
        *,
        ctx: Context | None = None,
        rules: str | None = None,
    ) -> dict[str, Any] | None:
        """`rules`: the method whose ACLs narrow the read when it is not `find`'s (a relation
        endpoint reading one target: `findById`)."""
        flt, op = self.parse_filter(filter), None
        if read.needed(self, flt.where):
            flt, op = await read.restrict(self, flt, ctx, write=rules)
        found = await self._rows(flt, ctx, 1)
        if op is not None:
            found = await _loaded(op, found)
        return found[0] if found else None

    async def find_by_id(
        self, id: Any, filter: dict[str, Any] | Filter | None = None, *, ctx: Context | None = None
    ) -> dict[str, Any] | None:
        key = self.codec.coerce_id(id)
        if key is None:
            return None
        flt = _NO_FILTER if filter is None else self.parse_filter(filter)
        unscoped = self.acl is None or not self.acl.applies(ctx)  # no ACL narrows this read
        if flt == _NO_FILTER and self._by_id is not None and not self.hooks and unscoped:
            row = await self.db.first_row(self._by_id, {"id": key})  # the hot path: one statement
            return self.codec.to_json(row) if row is not None else None
        where = _and(Condition(self.meta.id_name, "eq", key), flt.where)
        return await self.find_one(replace(flt, where=where, order=(), limit=None, skip=0), ctx=ctx)

    async def count(
        self, where: dict[str, Any] | Where | None = None, *, ctx: Context | None = None
    ) -> int:
        clause = self.parse_where(where)
        if read.needed(self, clause):
            clause = await read.restrict_where(self, clause, ctx)
        plan = QueryPlan(self.meta.name, (), clause, (), None, 0)
        return int(await self.db.shaped_value(*shapes.COUNT(self.table, plan)))

    def related(self, id: Any, relation: str, *, ctx: Context | None = None) -> Any:
        """One instance's side of a relation: `await CoffeeShop.related(1, "reviews").find()`.
        Each relation is resolved (target, keys, scope) on first use, then kept. Every read and write
        through it carries `ctx` to the target model's hooks."""
        return bind(self.relation(relation), id, ctx)

    def relation(self, name: str) -> Relation:
        """The resolved relation (target, keys, parsed scope), resolved on first use, then kept."""
        resolved = self._relations.get(name)
        if resolved is None:
            models = self.app.models if self.app else {}
            resolved = self._relations[name] = resolve_relation(self, name, models)
        return resolved

    def at(self, instance: Any, *, ctx: Context | None = None) -> Handle:
        """One instance by id (or as the dict a read returned), its relations as snake_case
        attributes: `await CoffeeShop.at(1).reviews.find()`, `await Book.at(b).tags.add(t)`."""
        key = instance.get(self.meta.id_name) if isinstance(instance, dict) else instance
        return Handle(self, key, ctx)

    async def exists(self, id: Any, *, ctx: Context | None = None) -> bool:
        key = self.codec.coerce_id(id)
        if key is None:
            return False
        if self.hooks or (self.acl is not None and self.acl.applies(ctx)):  # the read stage
            return await self.count(self._id_where(key), ctx=ctx) > 0
        if self._id_only is None:
            return bool(
                await self.db.all_rows(builder.row_by_id(self.table, [self.meta.id_name], key))
            )
        return await self.db.first_row(self._id_only, {"id": key}) is not None  # one kept statement

    async def matches(self, key: Any, where: Where) -> bool:
        """Whether the row `key` matches `where` (a system read: the `$owner` test of a row). On a
        model nobody observes, one kept statement per shape of `where` (runtime/sql/shapes.py), its
        values bound."""
        clause = _and(self._id_where(key), where)
        if self.hooks:  # `access` hooks join the read: the read stage's count
            return await self.count(clause) > 0
        plan = QueryPlan(self.meta.name, (self.meta.id_name,), clause, (), 1, 0)
        return bool(await self.db.shaped_rows(*shapes.ROWS(self.table, plan)))

    # ---- writes: one pipeline --------------------------------------------------------------------
    # Every write: (access) -> before save -> validate -> persist -> the statement -> loaded ->
    # after save (deletes: access -> before delete -> the statement -> after delete), in one
    # transaction whose session is the Context's. LB3 runs `before save` before validating, so a hook
    # may fill a required property. A model without observers gets `op is None`: no hook work, and
    # its one-statement writes keep their fast path.

    @overload
    async def create(
        self, data: dict[str, Any], *, ctx: Context | None = None
    ) -> dict[str, Any]: ...

    @overload
    async def create(
        self, data: list[Any], *, ctx: Context | None = None
    ) -> list[dict[str, Any]]: ...

    async def create(
        self, data: dict[str, Any] | list[Any], *, ctx: Context | None = None
    ) -> dict[str, Any] | list[dict[str, Any]]:
        """An array creates every item or, if any fails, none, and the error (ItemsFailed) reports
        each item as LB3 does (LB3 stores the valid ones: docs/validation.md)."""
        op = self._operation(ctx)
        if not isinstance(data, list):
            if op is None:  # the hot path: validated before a connection is taken, one statement
                return await self._insert(
                    None, await self._new_values(data, allow_id=False, ctx=ctx)
                )
            async with self._writing(op) as s:
                return await self._save_new(op, s, data, allow_id=False, ctx=ctx)
        if not all(isinstance(item, dict) for item in data):
            raise BadRequest("Some of array items are not an object.")
        async with self._writing(op) as s:
            return await create_items(self, op, s, data, ctx)

    async def replace_by_id(
        self, id: Any, data: dict[str, Any], *, ctx: Context | None = None
    ) -> dict[str, Any]:
        return await self._replace(id, data, self._operation(ctx), ctx)

    async def patch_attributes(
        self, id: Any, data: dict[str, Any], *, ctx: Context | None = None
    ) -> dict[str, Any]:
        """LB3 finds the instance first (its REST sharedCtor), so a missing id is a 404 whatever
        the body holds."""
        return await self._patch(id, data, self._operation(ctx), ctx)

    async def replace_or_create(
        self, data: dict[str, Any], *, ctx: Context | None = None
    ) -> dict[str, Any]:
        key = self._body_id(data)
        op = self._operation(ctx)
        async with self._writing(op, atomic=True) as s:  # the check and the write: one database
            if key is not None and await self._found(key, op):
                return await self._replace(key, data, op, ctx)  # validated (LB3 too)
            if key is not None and self.meta.force_id:
                raise NotFound(f"Could not replace. Object with id {key} does not exist!")
            return await self._save_new(op, s, data, allow_id=True, ctx=ctx)

    async def patch_or_create(
        self, data: dict[str, Any], *, ctx: Context | None = None
    ) -> dict[str, Any]:
        key = self._body_id(data)
        op = self._operation(ctx)
        async with self._writing(op, atomic=True) as s:
            if key is not None and await self._found(key, op):
                return await self._patch(key, data, op, self._upsert_ctx(ctx))
            if key is not None and self.meta.force_id:
                raise NotFound(f"Could not update attributes. Object with id {key} does not exist!")
            return await self._save_new(op, s, data, allow_id=True, ctx=ctx)

    # LB3's other names of patchOrCreate
    upsert = patch_or_create
    update_or_create = patch_or_create

    async def upsert_with_where(
        self, where: dict[str, Any] | None, data: dict[str, Any], *, ctx: Context | None = None
    ) -> dict[str, Any]:
        await self.checked(data, "replace", allow_id=False, ctx=ctx)  # LB3: the body alone
        op = self._operation(ctx)
        ids = Filter(where=self.parse_where(where), fields=(self.meta.id_name,))
        ids, _ = await read.restrict(self, ids, op.ctx if op else ctx, op, write="upsertWithWhere")
        plan = plan_query(self.meta, ids, limit=2)
        async with self._writing(op, atomic=True) as s:
            matches = await s.all(builder.select_rows(self.table, plan))
            if len(matches) > 1:
                raise BadRequest(
                    "There are multiple instances found.Upsert Operation will not be performed!"
                )
            if matches:
                return await self._patch(matches[0][0], data, op, ctx)
            if self.acl is not None:  # no row the caller may write matched: it creates one
                await self.acl.check(ctx, "create")
            return await self._save_new(op, s, data, allow_id=False, ctx=ctx)

    async def update_all(
        self, where: dict[str, Any] | None, data: dict[str, Any], *, ctx: Context | None = None
    ) -> int:
        op = self._operation(ctx)
        if op is None:  # LB3 ignores an id in an updateAll body; we refuse a non-null one
            values = await self.checked(data, "patch", allow_id=False)
        clause = await read.restrict_where(
            self, self.parse_where(where), ctx, op, write="updateAll"
        )
        shown = hook_where(where)
        async with self._writing(op) as s:
            if op is not None:
                if op.has("before save"):
                    data = (await op.fire("before save", where=shown, data=dict(data))).data or {}
                values = await self.checked(data, "patch", allow_id=False)
            values.pop(self.meta.id_name, None)
            if self.rules:  # the rules of the values written (LB3 runs none here)
                await validate(self, values, "patch", ctx, partial=True)
            key = None
            if self.meta.is_user and users.unique_values(values):
                # a unique value may go to one row only: the one row matched, if there is one
                ids = Filter(where=clause, fields=(self.meta.id_name,))
                matched = await s.all(
                    builder.select_rows(self.table, plan_query(self.meta, ids, limit=2))
                )
                if len(matched) > 1:
                    raise users.not_unique(self, values)
                key = matched[0][0] if matched else None
            if op is not None and op.has("persist"):
                hctx = await op.fire("persist", where=shown, data=values, id=key)
                values = hctx.data or {}
            if not values:
                count = int(await s.scalar(builder.count_rows(self.table, clause)))
            else:
                stmt = builder.update_rows(self.table, clause, values)
                count = int((await self._run_write(s, stmt, values)).rowcount)
            if op is not None and op.has("after save"):
                await op.fire("after save", where=shown, data=values, info={"count": count})
            return count

    async def destroy_by_id(self, id: Any, *, ctx: Context | None = None) -> int:
        key = self.codec.coerce_id(id)
        if key is None:
            return 0
        shown = {self.meta.id_name: key}
        return await self._delete(self._id_where(key), shown, ctx, write="deleteById")

    async def destroy_instance(
        self, instance: dict[str, Any], *, ctx: Context | None = None
    ) -> int:
        """LB3's `instance.destroy()`: delete hooks see the instance (relation deletes use this)."""
        key = self.codec.coerce_id(instance.get(self.meta.id_name))
        if key is None:
            return 0
        where = {self.meta.id_name: key}
        return await self._delete(
            self._id_where(key), where, ctx, instance=instance, write="deleteById"
        )

    async def destroy_all(
        self, where: dict[str, Any] | Where | None = None, *, ctx: Context | None = None
    ) -> int:
        return await self._delete(
            self.parse_where(where), hook_where(where), ctx, write="destroyAll"
        )

    # ---- the pipeline's steps --------------------------------------------------------------------

    async def checked(
        self, data: Any, mode: Mode, *, allow_id: bool = True, ctx: Context | None = None
    ) -> dict[str, Any]:
        """The validate step's first half, on every write: the body checked (types, required,
        forceId) into the values to store; with model rules, a failing body reports the codec's
        problems and the rules' together, as LB3 does (runtime.validation)."""
        if self.rules and mode != "patch":
            return await check_body(self, data, mode, ctx, allow_id=allow_id)
        return self.codec.check(data, mode, allow_id=allow_id)

    async def _new_values(
        self, data: Any, *, allow_id: bool, ctx: Context | None
    ) -> dict[str, Any]:
        """A new instance's values: checked, defaults applied, the model's rules run on them."""
        if self.rules:
            return await check_new(self, data, ctx, allow_id=allow_id)
        return self.codec.complete(self.codec.check(data, "create", allow_id=allow_id))

    def _upsert_ctx(self, ctx: Context | None) -> Context | None:
        """The context patchOrCreate updates with: without the rules when validateUpsert is false
        (LB3 validates replaceOrCreate and upsertWithWhere whatever it says)."""
        return ctx if self.validate_upsert else without_rules(ctx)

    async def _run_write(self, s: Session, stmt: Any, values: dict[str, Any]) -> Any:
        """One insert or update; a uniqueness rule's index refusing it is that rule's 422."""
        try:
            return await s.run(stmt, values) if stmt is self._insert_stmt else await s.run(stmt)
        except Conflict as exc:
            raise unique_failure(self, exc, values) from None

    def _operation(self, ctx: Context | None) -> Operation | None:
        """The operation's hook calls, or None for a model nobody observes (it pays nothing)."""
        return Operation(self, context_or_system(ctx)) if self.hooks else None

    @asynccontextmanager
    async def _writing(
        self, op: Operation | None, *, one_statement: bool = False, atomic: bool = False
    ) -> AsyncIterator[Session]:
        """The write's transaction. With hooks, it is the Context's session while it lasts, so a
        hook's own reads and writes join it and a hook that raises rolls everything back.
        `atomic`: a read and a write that must see the same database (the upserts)."""
        if op is None and not atomic:
            async with self.db.write(one_statement=one_statement) as s:
                yield s
            return
        if op is not None:  # its hooks may ask who calls: read the token before the transaction
            await op.ctx.load_principal()
        async with self.db.transaction() as s:
            if op is None:
                yield s
                return
            ctx = op.ctx
            outer, ctx.session = ctx.session, s
            try:
                yield s
            finally:
                ctx.session = outer

    async def _found(self, key: Any, op: Operation | None) -> bool:
        """Whether the upsert's id exists (through the read stage: `access` fires)."""
        return await self.exists(key, ctx=op.ctx if op else None)

    async def _save_new(
        self, op: Operation | None, s: Session, data: Any, *, allow_id: bool, ctx: Context | None
    ) -> dict[str, Any]:
        """create, and the create side of the upserts (as LB3's SQL connectors run them)."""
        values = await self._prepare_new(op, data, allow_id=allow_id, ctx=ctx)
        return await self._store_new(op, s, values)

    async def _prepare_new(
        self, op: Operation | None, data: Any, *, allow_id: bool, ctx: Context | None
    ) -> dict[str, Any]:
        """A create's first half: before save, then the values checked and validated."""
        if op is not None and op.has("before save"):
            if not isinstance(data, dict):
                raise BadRequest(NOT_AN_OBJECT)
            hctx = await op.fire("before save", instance=dict(data), is_new_instance=True)
            data = hctx.instance
        return await self._new_values(data, allow_id=allow_id, ctx=ctx)

    async def _store_new(
        self, op: Operation | None, s: Session, values: dict[str, Any]
    ) -> dict[str, Any]:
        """A create's second half: persist, the insert, loaded, after save."""
        if op is not None and op.has("persist"):
            hctx = await op.fire(
                "persist", data=values, current_instance=values, is_new_instance=True
            )
            values = hctx.data or {}
        return await _saved(op, await self._insert(s, values), True)

    async def _insert(self, s: Session | None, values: dict[str, Any]) -> dict[str, Any]:
        # one statement object for every insert: its compiled form is cached per set of columns;
        # without a session (a create nobody observes) it runs alone, the database's fastest way
        if s is None:
            try:
                key = await self.db.insert_row(self._insert_stmt, values)  # keyed by property name
            except Conflict as exc:
                raise unique_failure(self, exc, values) from None
        else:
            inserted = (await self._run_write(s, self._insert_stmt, values)).inserted_primary_key
            key = inserted[0] if inserted else None
        id_name = self.meta.id_name
        if id_name not in values and key is not None:
            values = {**values, id_name: key}
        return self.codec.to_json(values)

    async def _replace(
        self, id: Any, data: dict[str, Any], op: Operation | None, ctx: Context | None
    ) -> dict[str, Any]:
        key = self.codec.coerce_id(id)
        self._same_id(  # LB3's replaceById checks this first, before validating
            key,
            self._body_id(data),
            f"id property ({self.meta.id_name}) cannot be updated from {{old}} to {{new}}",
        )
        if op is None:
            values = await self.checked(data, "replace", ctx=ctx)
        async with self._writing(op) as s:
            row = await s.first(self._select_all(key)) if key is not None else None
            if row is None:
                raise NotFound(f"Could not replace. Object with id {id} does not exist!")
            if op is not None:
                if op.has("before save"):
                    instance = {**data, self.meta.id_name: key}
                    hctx = await op.fire("before save", instance=instance, is_new_instance=False)
                    data = hctx.instance or {}
                values = await self.checked(data, "replace", ctx=ctx)
            values = self.codec.complete(values)
            if self.rules:
                await validate(self, values, "replace", ctx, key=key, session=s)
            full = {n: values.get(n) for n in self.meta.properties if n != self.meta.id_name}
            full = await self._persisting(op, full, row, key)
            await self._run_write(
                s, builder.update_rows(self.table, self._id_where(key), full), full
            )
            return await _saved(op, self.codec.to_json({**full, self.meta.id_name: key}), False)

    async def _patch(
        self, id: Any, data: Any, op: Operation | None, ctx: Context | None
    ) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise BadRequest(NOT_AN_OBJECT)
        key = self.codec.coerce_id(id)
        async with self._writing(op) as s:
            row = await s.first(self._select_all(key)) if key is not None else None
            if row is None:
                raise ModelNotFound(f"could not find a model with id {id}")
            self._same_id(
                key,
                self._body_id(data),
                "id cannot be updated from {old} to {new} when forceId is set to true",
            )
            shown = {self.meta.id_name: key}
            current = self.codec.to_json(row._mapping) if op is not None else None
            if op is not None and op.has("before save"):
                hctx = await op.fire(
                    "before save", data=dict(data), where=shown, current_instance=current
                )
                data = hctx.data
            values = await self.checked(data, "patch")
            values.pop(self.meta.id_name, None)
            if self.rules:  # LB3 validates the instance as the patch leaves it
                merged = {**row._mapping, **values}
                await validate(self, merged, "patch", ctx, key=key, session=s)
            values = await self._persisting(op, values, row, key)
            if values:
                stmt = builder.update_rows(self.table, self._id_where(key), values)
                await self._run_write(s, stmt, values)
            return await _saved(op, self.codec.to_json({**row._mapping, **values}), False)

    async def _persisting(
        self, op: Operation | None, values: dict[str, Any], row: Any, key: Any
    ) -> dict[str, Any]:
        """`persist` of a save to a stored row (replace, patch): the values about to be written."""
        if op is None or not op.has("persist"):
            return values
        hctx = await op.fire(
            "persist",
            data=values,
            current_instance=self.codec.to_json(row._mapping),
            where={self.meta.id_name: key},
            id=key,
            is_new_instance=False,
        )
        return hctx.data or {}

    async def _delete(
        self,
        clause: Where | None,
        shown: Any,
        ctx: Context | None,
        *,
        instance: dict[str, Any] | None = None,
        write: str,
    ) -> int:
        """destroyById, destroyAll: access -> before delete -> DELETE -> after delete; the rows
        deleted are the ones the caller may write (`write`: the method whose ACLs decide)."""
        op = self._operation(ctx)
        if op is None:
            if self.acl is not None:
                clause = await read.restrict_where(self, clause, ctx, write=write)
            async with self.db.write(one_statement=True) as s:
                return int((await s.run(builder.delete_rows(self.table, clause))).rowcount)
        clause = await read.restrict_where(self, clause, op.ctx, op, write=write)
        async with self._writing(op) as s:
            if op.has("before delete"):
                await op.fire("before delete", where=shown, instance=instance)
            count = int((await s.run(builder.delete_rows(self.table, clause))).rowcount)
            if op.has("after delete"):
                await op.fire("after delete", where=shown, instance=instance, info={"count": count})
            return count

    # ---- helpers ---------------------------------------------------------------------------------

    def _select_all(self, key: Any) -> sa.Select[Any]:
        return builder.row_by_id(self.table, list(self.meta.properties), key)

    def _id_where(self, key: Any) -> Where:
        return Condition(self.meta.id_name, "eq", key)

    def _body_id(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise BadRequest(NOT_AN_OBJECT)
        raw = data.get(self.meta.id_name)
        return None if raw is None else self.codec.coerce_id(raw)

    def _same_id(self, key: Any, new: Any, message: str) -> None:
        if new is not None and key is not None and new != key:
            raise BadRequest(message.format(old=key, new=new))


async def _loaded(op: Operation, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`loaded` for each row a read found: a hook may change (or replace) `ctx.data`."""
    if not op.has("loaded"):
        return rows
    return [(await op.fire("loaded", data=row, is_new_instance=False)).data or {} for row in rows]


async def _saved(op: Operation | None, out: dict[str, Any], new: bool) -> dict[str, Any]:
    """The end of a save: `loaded` on the stored instance, then `after save`."""
    if op is None:
        return out
    if op.has("loaded"):
        out = (await op.fire("loaded", data=out, is_new_instance=new)).data or {}
    if op.has("after save"):
        out = (await op.fire("after save", instance=out, is_new_instance=new)).instance or {}
    return out


def _by_id_plan(meta: ModelMeta) -> QueryPlan:
    """The visible columns of the row whose id is `:id`."""
    visible = tuple(n for n, p in meta.properties.items() if not p.hidden)
    where = Condition(meta.id_name, "eq", Slot("id"))
    return QueryPlan(meta.name, visible, where, order=(), limit=None, offset=0)


def hook_where(where: Any) -> Any:
    """The where a hook's ctx shows: the caller's LB3 where, or the parsed one as given."""
    return {} if where is None else where


def _and(first: Where, second: Where | None) -> Where:
    return first if second is None else And((first, second))
