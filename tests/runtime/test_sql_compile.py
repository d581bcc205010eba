"""Compile-only: every where operator as SQLite, PostgreSQL and MySQL/MariaDB spell it, with literal
values (runtime.sql.operators + runtime.sql.builder). Pure: nothing runs here; the cross-backend
answers are tests/functional/test_filter_table.py's."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from runtime.db.database import register_sqlite_functions
from runtime.filter.ast import Condition, Filter, Near, OrderBy, Pattern
from runtime.filter.patterns import like_to_glob, pcre_regexp, pg_regexp, python_regexp
from runtime.plan import plan_query
from runtime.registry import ModelMeta, PropertyMeta
from runtime.sql import builder
from runtime.sql.tables import ModelTable, build_table
from tests.runtime.test_builder import DIALECTS

META = ModelMeta(
    name="Book",
    properties={
        p.name: p
        for p in [
            PropertyMeta("title", "string"),
            PropertyMeta("tags", "array", item_type="string"),
            PropertyMeta("extra", "object"),
            PropertyMeta("spot", "geopoint"),
            PropertyMeta("id", "number", id=1, generated=True),
        ]
    },
    settings={"postgresql": {"table": "Book"}},  # one quoted name on every dialect
)
C = Condition
CONDITIONS: dict[str, Condition] = {
    "like": C("title", "like", "a%"),
    "nlike": C("title", "nlike", "a\\_%"),
    "ilike": C("title", "ilike", "a%"),
    "nilike": C("title", "nilike", "a%"),
    "regexp": C("title", "regexp", Pattern("^a", "")),
    "regexp-im": C("title", "regexp", Pattern("^a", "im")),
    "regexp-s": C("title", "regexp", Pattern("a.b", "s")),
    "exists": C("title", "exists", True),
    "exists-false": C("title", "exists", False),
    "array-eq": C("tags", "eq", "x"),
    "array-eq-number": C("tags", "eq", 2),
    "array-eq-true": C("tags", "eq", True),
    "array-inq": C("tags", "inq", ("x", "y")),
    "array-neq": C("tags", "neq", "x"),
    "json-null": C("extra", "eq", None),
    "json-exists": C("extra", "exists", True),
    "path-eq-string": C("extra", "eq", "x", ("a", "b")),
    "path-gt-number": C("extra", "gt", 2, ("n",)),
    "path-eq-boolean": C("extra", "eq", True, ("on",)),
    "path-neq": C("extra", "neq", "x", ("a",)),
    "path-null": C("extra", "eq", None, ("a",)),
    "path-like": C("extra", "like", "x%", ("a",)),
}
EXPECTED: dict[str, dict[str, str]] = {
    'like': {
        'sqlite': '("Book".title GLOB \'a*\') = 1',
        'postgresql': '("Book".title LIKE \'a%%\' ESCAPE \'\\\')',
        'mysql': "(`Book`.title LIKE 'a%%' ESCAPE '\\\\') = 1",
    },
    'nlike': {
        'sqlite': '("Book".title NOT GLOB \'a_*\') = 1',
        'postgresql': '("Book".title NOT LIKE \'a\\_%%\' ESCAPE \'\\\')',
        'mysql': "(`Book`.title NOT LIKE 'a\\\\_%%' ESCAPE '\\\\') = 1",
    },
    'ilike': {
        'sqlite': '("Book".title LIKE \'a%\' ESCAPE \'\\\') = 1',
        'postgresql': '("Book".title ILIKE \'a%%\' ESCAPE \'\\\')',
        'mysql': "(LOWER(`Book`.title) LIKE LOWER('a%%') ESCAPE '\\\\') = 1",
    },
    'nilike': {
        'sqlite': '("Book".title NOT LIKE \'a%\' ESCAPE \'\\\') = 1',
        'postgresql': '("Book".title NOT ILIKE \'a%%\' ESCAPE \'\\\')',
        'mysql': "(LOWER(`Book`.title) NOT LIKE LOWER('a%%') ESCAPE '\\\\') = 1",
    },
    'regexp': {
        'sqlite': '("Book".title REGEXP \'(?-i)^a\') = 1',
        'postgresql': '("Book".title ~ \'(?p)^a\')',
        'mysql': "(`Book`.title REGEXP '(?-i)^a') = 1",
    },
    'regexp-im': {
        'sqlite': '("Book".title REGEXP \'(?im)^a\') = 1',
        'postgresql': '("Book".title ~ \'(?ni)^a\')',
        'mysql': "(`Book`.title REGEXP '(?im)^a') = 1",
    },
    'regexp-s': {
        'sqlite': '("Book".title REGEXP \'(?s-i)a.b\') = 1',
        'postgresql': '("Book".title ~ \'(?s)a.b\')',
        'mysql': "(`Book`.title REGEXP '(?s-i)a.b') = 1",
    },
    'exists': {
        'sqlite': '"Book".title IS NOT NULL',
        'postgresql': '"Book".title IS NOT NULL',
        'mysql': '`Book`.title IS NOT NULL',
    },
    'exists-false': {
        'sqlite': '"Book".title IS NULL',
        'postgresql': '"Book".title IS NULL',
        'mysql': '`Book`.title IS NULL',
    },
    'array-eq': {
        'sqlite': 'EXISTS (SELECT 1 FROM json_each("Book".tags) AS lb_item WHERE lb_item.type IN (\'text\') AND lb_item.value = \'x\') = 1',
        'postgresql': '("Book".tags @> CAST(\'["x"]\' AS JSONB))',
        'mysql': '(COALESCE(JSON_CONTAINS(`Book`.tags, \'"x"\'), 0) = 1) = 1',
    },
    'array-eq-number': {
        'sqlite': 'EXISTS (SELECT 1 FROM json_each("Book".tags) AS lb_item WHERE lb_item.type IN (\'integer\', \'real\') AND lb_item.value = 2) = 1',
        'postgresql': '("Book".tags @> CAST(\'[2]\' AS JSONB))',
        'mysql': "(COALESCE(JSON_CONTAINS(`Book`.tags, '2'), 0) = 1) = 1",
    },
    'array-eq-true': {
        'sqlite': 'EXISTS (SELECT 1 FROM json_each("Book".tags) AS lb_item WHERE lb_item.type IN (\'true\')) = 1',
        'postgresql': '("Book".tags @> CAST(\'[true]\' AS JSONB))',
        'mysql': "(COALESCE(JSON_CONTAINS(`Book`.tags, 'true'), 0) = 1) = 1",
    },
    'array-inq': {
        'sqlite': 'EXISTS (SELECT 1 FROM json_each("Book".tags) AS lb_item WHERE lb_item.type IN (\'text\') AND lb_item.value = \'x\') = 1 OR EXISTS (SELECT 1 FROM json_each("Book".tags) AS lb_item WHERE lb_item.type IN (\'text\') AND lb_item.value = \'y\') = 1',
        'postgresql': '("Book".tags @> CAST(\'["x"]\' AS JSONB)) OR ("Book".tags @> CAST(\'["y"]\' AS JSONB))',
        'mysql': '(COALESCE(JSON_CONTAINS(`Book`.tags, \'"x"\'), 0) = 1) = 1 OR (COALESCE(JSON_CONTAINS(`Book`.tags, \'"y"\'), 0) = 1) = 1',
    },
    'array-neq': {
        'sqlite': '"Book".tags IS NULL OR EXISTS (SELECT 1 FROM json_each("Book".tags) AS lb_item WHERE lb_item.type IN (\'text\') AND lb_item.value = \'x\') = 0',
        'postgresql': '"Book".tags IS NULL OR NOT ("Book".tags @> CAST(\'["x"]\' AS JSONB))',
        'mysql': '`Book`.tags IS NULL OR (COALESCE(JSON_CONTAINS(`Book`.tags, \'"x"\'), 0) = 1) = 0',
    },
    'json-null': {
        'sqlite': '(COALESCE(json_type("Book".extra, \'$\'), \'null\') != \'null\') = 0',
        'postgresql': 'NOT (COALESCE(jsonb_typeof("Book".extra #> \'{}\'), \'null\') != \'null\')',
        'mysql': "(COALESCE(JSON_TYPE(JSON_EXTRACT(`Book`.extra, '$')), 'NULL') != 'NULL') = 0",
    },
    'json-exists': {
        'sqlite': '(COALESCE(json_type("Book".extra, \'$\'), \'null\') != \'null\') = 1',
        'postgresql': '(COALESCE(jsonb_typeof("Book".extra #> \'{}\'), \'null\') != \'null\')',
        'mysql': "(COALESCE(JSON_TYPE(JSON_EXTRACT(`Book`.extra, '$')), 'NULL') != 'NULL') = 1",
    },
    'path-eq-string': {
        'sqlite': '(CASE WHEN json_type("Book".extra, \'$."a"."b"\') IN (\'text\') THEN json_extract("Book".extra, \'$."a"."b"\') END) = \'x\'',
        'postgresql': '(CASE WHEN jsonb_typeof("Book".extra #> \'{"a","b"}\') = \'string\' THEN "Book".extra #>> \'{"a","b"}\' END) = \'x\'',
        'mysql': '(CASE WHEN JSON_TYPE(JSON_EXTRACT(`Book`.extra, \'$."a"."b"\')) IN (\'STRING\') THEN JSON_UNQUOTE(JSON_EXTRACT(`Book`.extra, \'$."a"."b"\')) COLLATE utf8mb4_bin END) = \'x\'',
    },
    'path-gt-number': {
        'sqlite': '(CASE WHEN json_type("Book".extra, \'$."n"\') IN (\'integer\', \'real\') THEN json_extract("Book".extra, \'$."n"\') END) > 2',
        'postgresql': '(CASE WHEN jsonb_typeof("Book".extra #> \'{"n"}\') = \'number\' THEN CAST("Book".extra #>> \'{"n"}\' AS DOUBLE PRECISION) END) > 2',
        'mysql': '(CASE WHEN JSON_TYPE(JSON_EXTRACT(`Book`.extra, \'$."n"\')) IN (\'INTEGER\', \'DOUBLE\', \'DECIMAL\') THEN CAST(JSON_EXTRACT(`Book`.extra, \'$."n"\') AS DOUBLE) END) > 2',
    },
    'path-eq-boolean': {
        'sqlite': '(CASE json_type("Book".extra, \'$."on"\') WHEN \'true\' THEN \'true\' WHEN \'false\' THEN \'false\' END) = \'true\'',
        'postgresql': '(CASE WHEN jsonb_typeof("Book".extra #> \'{"on"}\') = \'boolean\' THEN "Book".extra #>> \'{"on"}\' END) = \'true\'',
        'mysql': '(CASE WHEN JSON_TYPE(JSON_EXTRACT(`Book`.extra, \'$."on"\')) IN (\'BOOLEAN\') THEN JSON_UNQUOTE(JSON_EXTRACT(`Book`.extra, \'$."on"\')) COLLATE utf8mb4_bin END) = \'true\'',
    },
    'path-neq': {
        'sqlite': '(CASE WHEN json_type("Book".extra, \'$."a"\') IN (\'text\') THEN json_extract("Book".extra, \'$."a"\') END) != \'x\' OR (CASE WHEN json_type("Book".extra, \'$."a"\') IN (\'text\') THEN json_extract("Book".extra, \'$."a"\') END) IS NULL',
        'postgresql': '(CASE WHEN jsonb_typeof("Book".extra #> \'{"a"}\') = \'string\' THEN "Book".extra #>> \'{"a"}\' END) != \'x\' OR (CASE WHEN jsonb_typeof("Book".extra #> \'{"a"}\') = \'string\' THEN "Book".extra #>> \'{"a"}\' END) IS NULL',
        'mysql': '(CASE WHEN JSON_TYPE(JSON_EXTRACT(`Book`.extra, \'$."a"\')) IN (\'STRING\') THEN JSON_UNQUOTE(JSON_EXTRACT(`Book`.extra, \'$."a"\')) COLLATE utf8mb4_bin END) != \'x\' OR (CASE WHEN JSON_TYPE(JSON_EXTRACT(`Book`.extra, \'$."a"\')) IN (\'STRING\') THEN JSON_UNQUOTE(JSON_EXTRACT(`Book`.extra, \'$."a"\')) COLLATE utf8mb4_bin END) IS NULL',
    },
    'path-null': {
        'sqlite': '(COALESCE(json_type("Book".extra, \'$."a"\'), \'null\') != \'null\') = 0',
        'postgresql': 'NOT (COALESCE(jsonb_typeof("Book".extra #> \'{"a"}\'), \'null\') != \'null\')',
        'mysql': '(COALESCE(JSON_TYPE(JSON_EXTRACT(`Book`.extra, \'$."a"\')), \'NULL\') != \'NULL\') = 0',
    },
    'path-like': {
        'sqlite': '((CASE WHEN json_type("Book".extra, \'$."a"\') IN (\'text\') THEN json_extract("Book".extra, \'$."a"\') END) GLOB \'x*\') = 1',
        'postgresql': '((CASE WHEN jsonb_typeof("Book".extra #> \'{"a"}\') = \'string\' THEN "Book".extra #>> \'{"a"}\' END) LIKE \'x%%\' ESCAPE \'\\\')',
        'mysql': '((CASE WHEN JSON_TYPE(JSON_EXTRACT(`Book`.extra, \'$."a"\')) IN (\'STRING\') THEN JSON_UNQUOTE(JSON_EXTRACT(`Book`.extra, \'$."a"\')) COLLATE utf8mb4_bin END) LIKE \'x%%\' ESCAPE \'\\\\\') = 1',
    },

}  # fmt: skip


def table(dialect: str) -> ModelTable:
    return build_table(META, sa.MetaData(), dialect)


def compiled(stmt: Any, dialect: str) -> str:
    sql = stmt.compile(dialect=DIALECTS[dialect], compile_kwargs={"literal_binds": True})
    return " ".join(str(sql).split())


@pytest.mark.parametrize("dialect", list(DIALECTS))
@pytest.mark.parametrize("name", list(CONDITIONS))
def test_where_operator(name: str, dialect: str) -> None:
    sql = compiled(builder.count_rows(table(dialect), CONDITIONS[name]), dialect)
    assert sql.split(" WHERE ", 1)[1] == EXPECTED[name][dialect]


def test_every_condition_has_every_spelling() -> None:
    assert set(EXPECTED) == set(CONDITIONS)
    assert all(set(per) == set(DIALECTS) for per in EXPECTED.values())


@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_near_filters_and_orders_by_haversine(dialect: str) -> None:
    """LB3's geo.js: radius per unit, DEG2RAD, haversine; nearest first, before the client's
    order; asin kept in its domain."""
    flt = Filter(
        where=C("spot", "near", Near(1.0, 2.0, 5.0, "kilometers")), order=(OrderBy("title"),)
    )
    sql = compiled(builder.select_rows(table(dialect), plan_query(META, flt)), dialect)
    where, order = sql.split(" WHERE ", 1)[1].split(" ORDER BY ", 1)
    assert where.startswith("2.0 * asin(CASE WHEN (sqrt(power(sin(") and where.endswith(
        "* 6370.99056 <= 5.0"
    )
    assert order.startswith("2.0 * asin(") and "6370.99056, " in order
    assert order.endswith(("title ASC NULLS LAST, \"Book\".id ASC", "title ASC, \"Book\".id ASC", "title ASC, `Book`.id ASC"))  # fmt: skip
    without_max = compiled(
        builder.count_rows(table(dialect), C("spot", "near", Near(1.0, 2.0))), dialect
    )
    assert "asin" not in without_max and without_max.count("IS NOT NULL") == 2


ORDERS = {
    "sqlite": 'ORDER BY (CASE WHEN json_type("Book".extra, \'$."a"\') IN (\'integer\', \'real\') THEN json_extract("Book".extra, \'$."a"\') END) DESC NULLS FIRST, (CASE WHEN json_type("Book".extra, \'$."a"\') IN (\'text\') THEN json_extract("Book".extra, \'$."a"\') END) DESC NULLS FIRST, "Book".id ASC',
    "postgresql": 'ORDER BY (CASE WHEN jsonb_typeof("Book".extra #> \'{"a"}\') = \'number\' THEN CAST("Book".extra #>> \'{"a"}\' AS DOUBLE PRECISION) END) DESC, (CASE WHEN jsonb_typeof("Book".extra #> \'{"a"}\') = \'string\' THEN "Book".extra #>> \'{"a"}\' END) DESC, "Book".id ASC',
}  # fmt: skip


@pytest.mark.parametrize("dialect", list(ORDERS))
def test_order_by_a_path_orders_numbers_then_strings(dialect: str) -> None:
    flt = Filter(order=(OrderBy("extra.a", True),))
    sql = compiled(builder.select_rows(table(dialect), plan_query(META, flt)), dialect)
    assert sql.split(" ", 1)[1].split('"Book" ', 1)[1] == ORDERS[dialect]


def test_mysql_orders_nulls_with_is_null() -> None:
    flt = Filter(order=(OrderBy("title"), OrderBy("id", True)))
    sql = compiled(builder.select_rows(table("mysql"), plan_query(META, flt)), "mysql")
    assert sql.endswith("ORDER BY `Book`.title IS NULL, `Book`.title ASC, `Book`.id DESC")


def test_values_are_bound_not_spliced() -> None:
    """Client text reaches every dialect as bound parameters (one per spelling)."""
    where = C("extra", "like", "x'; DROP TABLE b; --", ("a",))
    for dialect in DIALECTS:
        stmt = builder.count_rows(table(dialect), where).compile(dialect=DIALECTS[dialect])
        assert "DROP" not in str(stmt)
        assert any("DROP" in str(v) for v in stmt.params.values())


GLOBS = [
    ("a%", "a*"),
    ("a_b", "a?b"),
    ("100\\%", "100%"),
    ("x\\_y", "x_y"),
    ("*?[", "[*][?][[]"),
    ("a\\\\b", "a\\b"),
    ("\\*", "[*]"),
]


@pytest.mark.parametrize(("like", "glob"), GLOBS)
def test_like_to_glob(like: str, glob: str) -> None:
    assert like_to_glob(like) == glob


REGEXPS = [
    ("", "(?p)", "(?-i)"),
    ("i", "(?pi)", "(?i)"),
    ("m", "(?n)", "(?m-i)"),
    ("s", "(?s)", "(?s-i)"),
    ("ims", "(?wi)", "(?ims)"),
]


@pytest.mark.parametrize(("flags", "pg", "pcre"), REGEXPS)
def test_regexp_flags_per_dialect(flags: str, pg: str, pcre: str) -> None:
    assert pg_regexp("x", flags) == f"{pg}x"
    assert pcre_regexp("x", flags) == f"{pcre}x"


@pytest.mark.parametrize(
    ("source", "flags", "text", "hit"),
    [
        ("a", "", "A", False),
        ("a", "i", "A", True),
        ("x.y", "", "x\ny", False),
        ("x.y", "s", "x\ny", True),
        ("^x", "m", "q\nx", True),
        ("^x", "", "q\nx", False),
    ],
)
def test_sqlite_regexp_function_follows_javascript_flags(
    source: str, flags: str, text: str, hit: bool
) -> None:
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        register_sqlite_functions(conn.connection.dbapi_connection)
        found = conn.execute(
            sa.text("SELECT :t REGEXP :p"), {"t": text, "p": pcre_regexp(source, flags)}
        )
        assert bool(found.scalar()) is hit
        assert conn.execute(sa.text("SELECT NULL REGEXP 'a'")).scalar() is None
    engine.dispose()
    assert (python_regexp(pcre_regexp(source, flags)).search(text) is not None) is hit


def test_operator_elements_are_cacheable() -> None:
    """Each construct has a cache key that holds its spelling but not its values."""
    mt = table("postgresql")
    first = builder.count_rows(mt, C("title", "like", "a%"))
    second = builder.count_rows(mt, C("title", "like", "b%"))
    other = builder.count_rows(mt, C("title", "ilike", "a%"))
    key = first._generate_cache_key()
    assert key is not None and key == second._generate_cache_key()
    assert key != other._generate_cache_key()
