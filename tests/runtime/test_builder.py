"""runtime.sql.builder: QueryPlan / Where -> SQLAlchemy statements, compiled for SQLite, PostgreSQL and
MySQL with literal values and compared with the SQL each should run. Pure: nothing is executed.

Expected SQL is written with PostgreSQL/SQLite "quotes"; MySQL's backticks are substituted, since no
expected literal contains a double quote. Where dialects differ, each is written out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect

from runtime.filter.ast import And, Condition, Filter, Or, OrderBy, Where
from runtime.filter.parse import OPERATORS
from runtime.plan import plan_query
from runtime.registry import ModelMeta, PropertyMeta, RelationMeta
from runtime.sql import builder
from runtime.sql.tables import (
    ModelTable,
    TableDefinitionError,
    build_table,
    build_tables,
    foreign_keys,
)

DIALECTS: dict[str, Dialect] = {
    "sqlite": sqlite.dialect(),
    "postgresql": postgresql.dialect(),  # type: ignore[no-untyped-call]
    "mysql": mysql.dialect(),
}

META = ModelMeta(
    name="Shop",
    properties={
        p.name: p
        for p in [
            PropertyMeta("name", "string", required=True),
            PropertyMeta("city", "string", settings={"columnName": "town"}),
            PropertyMeta("rating", "number"),
            PropertyMeta("open", "boolean"),
            PropertyMeta("created", "date"),
            PropertyMeta("secret", "string", hidden=True),
            PropertyMeta("id", "number", id=1, generated=True),
        ]
    },
    force_id=True,
    # PostgreSQL folds names to lower case, as LB3 does; the table keeps its case so that one
    # expected text serves every dialect (test_postgresql_folds_names_to_lower_case covers folding)
    settings={"postgresql": {"table": "Shop"}},
)
COLUMNS = '"Shop".name, "Shop".town AS city, "Shop".rating, "Shop".open, "Shop".created, "Shop".id'
SELECT = f'SELECT {COLUMNS} FROM "Shop"'
COUNT = 'SELECT count(*) AS count_1 FROM "Shop"'

Expected = str | dict[str, str]
Build = Callable[[ModelTable], sa.Executable]


def compiled(stmt: sa.Executable, dialect: str) -> str:
    assert isinstance(stmt, sa.ClauseElement)
    sql = stmt.compile(dialect=DIALECTS[dialect], compile_kwargs={"literal_binds": True})
    return " ".join(str(sql).split())


def expected_for(expected: Expected, dialect: str) -> str:
    if isinstance(expected, dict):
        return expected[dialect]
    return expected.replace('"', "`") if dialect == "mysql" else expected


def select(**flt: Any) -> Build:
    return lambda mt: builder.select_rows(mt, plan_query(META, Filter(**flt)))


def count(where: Where | None) -> Build:
    return lambda mt: builder.count_rows(mt, where)


def c(prop: str, op: str, value: Any) -> Condition:
    return Condition(prop, op, value)


ORDER_ID = 'ORDER BY "Shop".id ASC'
PAGE = f'{SELECT} WHERE "Shop".town = \'Paris\' ORDER BY "Shop".name ASC, "Shop".id ASC'

CASES: list[tuple[str, Build, Expected]] = [
    # select: columns, hidden properties left out, column names labelled back to property names
    ("select-all", select(), f"{SELECT} {ORDER_ID}"),
    ("select-fields", select(fields=("name", "id")), f'SELECT "Shop".name, "Shop".id FROM "Shop" {ORDER_ID}'),
    ("select-renamed-column", select(fields=("city",)), f'SELECT "Shop".town AS city FROM "Shop" {ORDER_ID}'),
    ("select-no-fields", select(fields=()), f'SELECT 1 AS anon_1 FROM "Shop" {ORDER_ID}'),
    # order: the id breaks ties unless the client ordered by it
    # order: NULLs last ascending, first descending, as PostgreSQL does by default; the id (never
    # NULL) breaks ties unless the client ordered by it
    ("order-desc-then-id", select(order=(OrderBy("name", True),)), {
        "sqlite": f'{SELECT} ORDER BY "Shop".name DESC NULLS FIRST, "Shop".id ASC',
        "postgresql": f'{SELECT} ORDER BY "Shop".name DESC, "Shop".id ASC',
        "mysql": f'{SELECT} ORDER BY "Shop".name IS NULL DESC, "Shop".name DESC, "Shop".id ASC'.replace('"', "`"),
    }),
    ("order-two-then-id", select(order=(OrderBy("city"), OrderBy("rating", True))), {
        "sqlite": f'{SELECT} ORDER BY "Shop".town ASC NULLS LAST, "Shop".rating DESC NULLS FIRST, "Shop".id ASC',
        "postgresql": f'{SELECT} ORDER BY "Shop".town ASC, "Shop".rating DESC, "Shop".id ASC',
        "mysql": f'{SELECT} ORDER BY "Shop".town IS NULL, "Shop".town ASC, "Shop".rating IS NULL DESC, "Shop".rating DESC, "Shop".id ASC'.replace('"', "`"),
    }),
    ("order-by-id-alone", select(order=(OrderBy("id", True),)), f'{SELECT} ORDER BY "Shop".id DESC'),
    ("order-id-in-the-middle", select(order=(OrderBy("id"), OrderBy("name"))), {
        "sqlite": f'{SELECT} ORDER BY "Shop".id ASC, "Shop".name ASC NULLS LAST',
        "postgresql": f'{SELECT} ORDER BY "Shop".id ASC, "Shop".name ASC',
        "mysql": f'{SELECT} ORDER BY "Shop".id ASC, "Shop".name IS NULL, "Shop".name ASC'.replace('"', "`"),
    }),
    # paging, as each grammar spells it
    ("limit", select(limit=10), {
        "sqlite": f"{SELECT} {ORDER_ID} LIMIT 10 OFFSET 0",
        "postgresql": f"{SELECT} {ORDER_ID} LIMIT 10",
        "mysql": f"{SELECT} {ORDER_ID} LIMIT 10".replace('"', "`"),
    }),
    ("limit-zero-is-no-limit", select(limit=0), f"{SELECT} {ORDER_ID}"),
    ("limit-and-skip", select(limit=10, skip=5), {
        "sqlite": f"{SELECT} {ORDER_ID} LIMIT 10 OFFSET 5",
        "postgresql": f"{SELECT} {ORDER_ID} LIMIT 10 OFFSET 5",
        "mysql": f"{SELECT} {ORDER_ID} LIMIT 5, 10".replace('"', "`"),
    }),
    ("skip-alone", select(skip=5), {
        "sqlite": f"{SELECT} {ORDER_ID} LIMIT ? OFFSET 5",  # SQLAlchemy binds LIMIT -1 here
        "postgresql": f"{SELECT} {ORDER_ID} LIMIT ALL OFFSET 5",
        "mysql": f"{SELECT} {ORDER_ID} LIMIT 5, 18446744073709551615".replace('"', "`"),
    }),
    ("where-order-page", select(where=c("city", "eq", "Paris"), order=(OrderBy("name"),), limit=2, skip=1), {
        "sqlite": f"{PAGE} LIMIT 2 OFFSET 1".replace("name ASC", "name ASC NULLS LAST"),
        "postgresql": f"{PAGE} LIMIT 2 OFFSET 1",
        "mysql": f"{PAGE} LIMIT 1, 2".replace('"', "`").replace("ORDER BY `Shop`.name ASC", "ORDER BY `Shop`.name IS NULL, `Shop`.name ASC"),
    }),
    # where: every operator
    ("eq", count(c("name", "eq", "A")), f"{COUNT} WHERE \"Shop\".name = 'A'"),
    ("eq-quote-escaped", count(c("name", "eq", "O'Brien")), f"{COUNT} WHERE \"Shop\".name = 'O''Brien'"),
    ("eq-null", count(c("name", "eq", None)), f'{COUNT} WHERE "Shop".name IS NULL'),
    ("neq-null", count(c("name", "neq", None)), f'{COUNT} WHERE "Shop".name IS NOT NULL'),
    ("neq-includes-nulls", count(c("name", "neq", "A")), f"{COUNT} WHERE \"Shop\".name != 'A' OR \"Shop\".name IS NULL"),
    ("gt", count(c("rating", "gt", 3)), f'{COUNT} WHERE "Shop".rating > 3'),
    ("gte", count(c("rating", "gte", 1.5)), f'{COUNT} WHERE "Shop".rating >= 1.5'),
    ("lt", count(c("id", "lt", 10)), f'{COUNT} WHERE "Shop".id < 10'),
    ("lte", count(c("city", "lte", "M")), f"{COUNT} WHERE \"Shop\".town <= 'M'"),
    # PostgreSQL binds the list as one array: one prepared statement for every length
    ("inq", count(c("id", "inq", (1, 2))), {
        "sqlite": f'{COUNT} WHERE "Shop".id IN (1, 2)',
        "postgresql": f'{COUNT} WHERE "Shop".id = ANY (ARRAY[1, 2])',
        "mysql": f'{COUNT} WHERE "Shop".id IN (1, 2)'.replace('"', "`"),
    }),
    ("nin-includes-nulls", count(c("name", "nin", ("a", "b"))), f"{COUNT} WHERE (\"Shop\".name NOT IN ('a', 'b')) OR \"Shop\".name IS NULL"),
    ("between", count(c("rating", "between", (1, 3))), f'{COUNT} WHERE "Shop".rating BETWEEN 1 AND 3'),
    ("boolean", count(c("open", "eq", True)), {
        "sqlite": f'{COUNT} WHERE "Shop".open = 1',
        "postgresql": f'{COUNT} WHERE "Shop".open = true',
        "mysql": f"{COUNT} WHERE `Shop`.open = true".replace('"', "`"),
    }),
    ("boolean-ordered", count(c("open", "gt", False)), {
        "sqlite": f'{COUNT} WHERE "Shop".open > 0',
        "postgresql": f'{COUNT} WHERE "Shop".open > false',
        "mysql": f"{COUNT} WHERE `Shop`.open > false".replace('"', "`"),
    }),
    ("date", count(c("created", "gt", datetime(2020, 1, 1, 8))), {
        "sqlite": f"{COUNT} WHERE \"Shop\".created > '2020-01-01 08:00:00.000000'",
        "postgresql": f"{COUNT} WHERE \"Shop\".created > '2020-01-01 08:00:00'",
        "mysql": f"{COUNT} WHERE \"Shop\".created > '2020-01-01 08:00:00'".replace('"', "`"),
    }),
    ("inq-empty-matches-nothing", count(c("id", "inq", ())), {
        "sqlite": f'{COUNT} WHERE "Shop".id IN (SELECT 1 FROM (SELECT 1) WHERE 1!=1)',
        "postgresql": f'{COUNT} WHERE "Shop".id = ANY (ARRAY[])',
        "mysql": f'{COUNT} WHERE "Shop".id IN (NULL) AND (1 != 1)'.replace('"', "`"),
    }),
    # and / or
    ("no-where", count(None), COUNT),
    ("and", count(And((c("id", "gt", 1), c("city", "eq", "Paris")))), f"{COUNT} WHERE \"Shop\".id > 1 AND \"Shop\".town = 'Paris'"),
    ("or", count(Or((c("id", "eq", 1), c("id", "eq", 2)))), f'{COUNT} WHERE "Shop".id = 1 OR "Shop".id = 2'),
    ("or-inside-and", count(And((c("name", "eq", "A"), Or((c("id", "eq", 1), c("id", "eq", 2)))))),
     f"{COUNT} WHERE \"Shop\".name = 'A' AND (\"Shop\".id = 1 OR \"Shop\".id = 2)"),
    ("and-inside-or", count(Or((And((c("id", "gt", 1), c("id", "lt", 3))), c("name", "eq", "Z")))),
     f"{COUNT} WHERE \"Shop\".id > 1 AND \"Shop\".id < 3 OR \"Shop\".name = 'Z'"),
    ("neq-inside-and-is-grouped", count(And((c("name", "neq", "A"), c("id", "eq", 1)))),
     f"{COUNT} WHERE (\"Shop\".name != 'A' OR \"Shop\".name IS NULL) AND \"Shop\".id = 1"),
    ("empty-and-is-true", count(And(())), {
        "sqlite": f"{COUNT} WHERE 1 = 1",
        "postgresql": f"{COUNT} WHERE true",
        "mysql": "SELECT count(*) AS count_1 FROM `Shop` WHERE true = 1",
    }),
    ("empty-or-is-false", count(Or(())), {
        "sqlite": f"{COUNT} WHERE 0 = 1",
        "postgresql": f"{COUNT} WHERE false",
        "mysql": "SELECT count(*) AS count_1 FROM `Shop` WHERE false = 1",
    }),
    # update and delete
    ("update", lambda mt: builder.update_rows(mt, c("id", "eq", 1), {"city": "X", "rating": None}),
     "UPDATE \"Shop\" SET town='X', rating=NULL WHERE \"Shop\".id = 1"),
    ("update-all-rows", lambda mt: builder.update_rows(mt, None, {"name": "N"}), "UPDATE \"Shop\" SET name='N'"),
    ("delete", lambda mt: builder.delete_rows(mt, c("id", "inq", (3, 4))), {
        "sqlite": 'DELETE FROM "Shop" WHERE "Shop".id IN (3, 4)',
        "postgresql": 'DELETE FROM "Shop" WHERE "Shop".id = ANY (ARRAY[3, 4])',
        "mysql": "DELETE FROM `Shop` WHERE `Shop`.id IN (3, 4)",
    }),
    ("delete-all-rows", lambda mt: builder.delete_rows(mt, None), 'DELETE FROM "Shop"'),
]  # fmt: skip


@pytest.mark.parametrize("dialect", list(DIALECTS))
@pytest.mark.parametrize(
    ("build", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_compiled_sql(build: Build, expected: Expected, dialect: str) -> None:
    mt = build_table(META, sa.MetaData(), dialect)
    assert compiled(build(mt), dialect) == expected_for(expected, dialect)


def test_every_operator_is_built() -> None:
    """The operator table and the filter language agree: each operator the parser can produce
    has one SQL spelling."""
    assert {*builder.OPERATORS, *builder.SPECIAL} == set(OPERATORS)


def test_per_connector_table_and_column_names() -> None:
    # replace() copies the fields only: META's cached id_property stays META's
    meta = dataclasses.replace(
        META,
        properties={
            "name": PropertyMeta("name", "string", settings={"postgresql": {"columnName": "pg_name"}}),
            "id": PropertyMeta("id", "number", id=1, generated=True),
        },
        settings={"postgresql": {"table": "shops"}},
    )  # fmt: skip
    plan = plan_query(meta, Filter(where=c("name", "eq", "A")))
    pg = builder.select_rows(build_table(meta, sa.MetaData(), "postgresql"), plan)
    assert compiled(pg, "postgresql") == (
        "SELECT shops.pg_name AS name, shops.id FROM shops "
        "WHERE shops.pg_name = 'A' ORDER BY shops.id ASC"
    )
    lite = builder.select_rows(build_table(meta, sa.MetaData(), "sqlite"), plan)
    assert compiled(lite, "sqlite") == (
        'SELECT "Shop".name, "Shop".id FROM "Shop" WHERE "Shop".name = \'A\' ORDER BY "Shop".id ASC'
    )


def test_postgresql_folds_names_to_lower_case() -> None:
    """LB3's PostgreSQL connector lower-cases table and column names it was not given, and names a
    property's index <table>_<column>_idx; MySQL keeps names and names the index after the column."""
    meta = ModelMeta(
        name="CoffeeShop",
        properties={
            "shopName": PropertyMeta("shopName", "string", index=True),
            "id": PropertyMeta("id", "number", id=1, generated=True),
        },
    )
    pg = build_table(meta, sa.MetaData(), "postgresql").table
    assert (pg.name, [c.name for c in pg.columns]) == ("coffeeshop", ["shopname", "id"])
    assert [i.name for i in pg.indexes] == ["coffeeshop_shopname_idx"]
    my = build_table(meta, sa.MetaData(), "mysql").table
    assert (my.name, [c.name for c in my.columns]) == ("CoffeeShop", ["shopName", "id"])
    assert [i.name for i in my.indexes] == ["shopName"]


def test_statements_run_on_sqlite() -> None:
    """The compiled text is what runs: the same statements, executed, give the expected rows."""
    mt = build_table(META, sa.MetaData(), "sqlite")
    engine = sa.create_engine("sqlite://")
    mt.table.metadata.create_all(engine)
    rows: list[dict[str, Any]] = [
        {"name": "A", "city": "Paris", "rating": 1.0},
        {"name": "B", "city": None, "rating": 5.0},
        {"name": "C", "city": "Rome", "rating": None},
    ]
    with engine.begin() as conn:
        conn.execute(sa.insert(mt.table), rows)
        neq = builder.select_rows(
            mt, plan_query(META, Filter(where=c("city", "neq", "Paris"), fields=("name",)))
        )
        assert [r.name for r in conn.execute(neq)] == ["B", "C"]
        page = builder.select_rows(
            mt, plan_query(META, Filter(order=(OrderBy("name", True),), skip=1))
        )
        assert [r.name for r in conn.execute(page)] == ["B", "A"]
        assert conn.execute(builder.count_rows(mt, Or(()))).scalar() == 0
        assert conn.execute(builder.count_rows(mt, And(()))).scalar() == 3
        updated = conn.execute(builder.update_rows(mt, c("rating", "gte", 1), {"city": "X"}))
        assert updated.rowcount == 2
        renamed = builder.select_rows(mt, plan_query(META, Filter(fields=("city", "id"))))
        assert [dict(r._mapping) for r in conn.execute(renamed)] == [
            {"city": "X", "id": 1},
            {"city": "X", "id": 2},
            {"city": "Rome", "id": 3},
        ]
        assert conn.execute(builder.delete_rows(mt, c("id", "nin", (1,)))).rowcount == 2
    engine.dispose()


def test_model_indexes_in_every_lb3_form() -> None:
    """LB3 writes a model's indexes as {keys, options}, MySQL-style {columns, kind}, or the keys
    alone; each becomes one named index, composite and unique where it says so."""
    meta = ModelMeta(
        name="Shop",
        properties={
            "name": PropertyMeta("name", "string"),
            "city": PropertyMeta("city", "string"),
            "id": PropertyMeta("id", "number", id=1, generated=True),
        },
        raw={
            "indexes": {
                "name_city": {"keys": {"name": 1, "city": -1}, "options": {"unique": True}},
                "by_city": {"columns": "city, name", "kind": "UNIQUE"},
                "just_name": {"name": 1},
            }
        },
    )
    for backend in DIALECTS:
        table = build_table(meta, sa.MetaData(), backend).table
        found = {
            ix.name: (ix.unique, [str(e).split(".")[-1] for e in ix.expressions])
            for ix in table.indexes
        }
        assert found == {
            "name_city": (True, ["name", "city DESC"]),
            "by_city": (True, ["city", "name"]),
            "just_name": (False, ["name"]),
        }, backend


def test_an_index_on_a_missing_property_is_named() -> None:
    meta = ModelMeta(
        name="Shop",
        properties={"id": PropertyMeta("id", "number", id=1, generated=True)},
        raw={"indexes": {"bad": {"keys": {"nope": 1}}}},
    )
    with pytest.raises(TableDefinitionError, match='index "bad" names "nope"'):
        build_table(meta, sa.MetaData(), "sqlite")


def test_foreign_keys_get_indexes() -> None:
    """Relation queries look rows up by foreign key: the belongsTo side's key and the target's key
    of a hasMany/hasOne are indexed, named as a property index would be."""
    shop = ModelMeta(
        name="Shop",
        properties={"id": PropertyMeta("id", "number", id=1, generated=True)},
        relations={
            "reviews": RelationMeta("reviews", "hasMany", "Review", "shopId", {}),
            "owner": RelationMeta("owner", "hasOne", "Owner", "shopKey", {}),
        },
    )
    review = ModelMeta(
        name="Review",
        properties={
            "id": PropertyMeta("id", "number", id=1, generated=True),
            "shopId": PropertyMeta("shopId", "number", integer=True),
            "authorId": PropertyMeta("authorId", "number", integer=True),
        },
        relations={"author": RelationMeta("author", "belongsTo", "Author", "authorId", {})},
    )
    owner = ModelMeta(
        name="Owner",
        properties={
            "id": PropertyMeta("id", "number", id=1, generated=True),
            "shopKey": PropertyMeta("shopKey", "string"),
        },
    )
    assert foreign_keys([shop, review, owner]) == {
        "Review": {"shopId", "authorId"},
        "Owner": {"shopKey"},
    }
    for backend in DIALECTS:
        _, tables = build_tables([shop, review, owner], backend)
        names = {t: {i.name for i in mt.table.indexes} for t, mt in tables.items()}
        expected = {
            "sqlite": {"Review": {"Review_shopId_idx", "Review_authorId_idx"}, "Owner": {"Owner_shopKey_idx"}},
            "postgresql": {"Review": {"review_shopid_idx", "review_authorid_idx"}, "Owner": {"owner_shopkey_idx"}},
            "mysql": {"Review": {"shopId", "authorId"}, "Owner": {"shopKey"}},
        }[backend]  # fmt: skip
        assert names == {"Shop": set(), **expected}
    # an indexed MySQL string needs a length
    _, tables = build_tables([shop, review, owner], "mysql")
    assert str(tables["Owner"].column("shopKey").type).startswith("VARCHAR(255)")
