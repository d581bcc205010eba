"""`specgen discover` against real databases: tables made by plain SQL become LB3 model JSON, and the
application directory it writes is generated and served over the same rows.

Every test runs on each configured backend (SQLite always; PostgreSQL and MySQL/MariaDB when
tests/databases.py has their servers).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from runtime.db import sync_engine
from specgen.cli import load_generated, main
from specgen.discover.models import db_name_to_lb3
from tests.databases import ALL_BACKENDS, SERVERS, TestDatabases

BACKENDS = ALL_BACKENDS
KEY = {"sqlite": "sqlite3", "postgresql": "postgresql", "mysql": "mysql"}  # connector settings key

SCHEMA = {
    "postgresql": [
        "CREATE TABLE customer (id serial PRIMARY KEY, full_name varchar(100) NOT NULL, "
        "email text, active boolean NOT NULL DEFAULT true)",
        "CREATE TABLE purchase_order (id serial PRIMARY KEY, "
        "customer_id int REFERENCES customer(id), total numeric(10,2), placed_at timestamp)",
        "CREATE TABLE audit_log (happened_at timestamp, message text)",
        "CREATE VIEW big_orders AS SELECT * FROM purchase_order WHERE total > 50",
    ],
    "mysql": [
        "CREATE TABLE customer (id int AUTO_INCREMENT PRIMARY KEY, "
        "full_name varchar(100) NOT NULL, email text, active boolean NOT NULL DEFAULT true)",
        "CREATE TABLE purchase_order (id int AUTO_INCREMENT PRIMARY KEY, customer_id int, "
        "total decimal(10,2), placed_at datetime, "
        "FOREIGN KEY (customer_id) REFERENCES customer(id))",
        "CREATE TABLE audit_log (happened_at datetime, message text)",
        "CREATE VIEW big_orders AS SELECT * FROM purchase_order WHERE total > 50",
    ],
    "sqlite": [
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, full_name varchar(100) NOT NULL, "
        "email text, active boolean NOT NULL DEFAULT 1)",
        "CREATE TABLE purchase_order (id INTEGER PRIMARY KEY, "
        "customer_id int REFERENCES customer(id), total numeric(10,2), placed_at timestamp)",
        "CREATE TABLE audit_log (happened_at timestamp, message text)",
        "CREATE VIEW big_orders AS SELECT * FROM purchase_order WHERE total > 50",
    ],
}
ROWS = [
    "INSERT INTO customer (full_name, email) VALUES ('Ada Lovelace', 'ada@example.com')",
    "INSERT INTO customer (full_name, email, active) VALUES ('Charles Babbage', NULL, false)",
    "INSERT INTO purchase_order (customer_id, total, placed_at) "
    "VALUES (1, 12.50, '2024-01-02 03:04:05'), (2, 7.25, '2024-02-03 04:05:06'), "
    "(1, 100.00, '2024-03-04 05:06:07')",
    "INSERT INTO audit_log (happened_at, message) VALUES ('2024-01-02 03:04:05', 'hello')",
]


@pytest.fixture
def shop_db(request: pytest.FixtureRequest, databases: TestDatabases, tmp_path: Path) -> str:
    """A new database holding the customer/purchase_order/audit_log tables and their rows."""
    backend = request.param
    url = databases.fresh(backend) if backend != "sqlite" else f"sqlite:///{tmp_path}/db.sqlite"
    with sync_engine(url) as engine, engine.begin() as conn:
        for statement in [*SCHEMA[backend], *ROWS]:
            conn.execute(sa.text(statement))
    return url


def discover(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["discover", *args])
    out, err = capsys.readouterr()
    return status, out, err


def read(app_dir: Path, rel: str) -> Any:
    return json.loads((app_dir / rel).read_text(encoding="utf-8"))


def backend_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else sa.make_url(url).get_backend_name()


def sql(url: str, statement: str) -> list[Any]:
    with sync_engine(url) as engine, engine.begin() as conn:
        result = conn.execute(sa.text(statement))
        return list(result) if result.returns_rows else []


# ---- the model JSON ----------------------------------------------------------------------------


@pytest.mark.parametrize("shop_db", BACKENDS, indirect=True)
def test_tables_become_lb3_models(
    shop_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backend, out = backend_of(shop_db), tmp_path / "app"
    status, stdout, stderr = discover(capsys, "--db", shop_db, "-o", str(out))
    assert status == 0, stderr
    key = KEY[backend]
    assert sorted(p.name for p in (out / "models").iterdir()) == [
        "customer.json",
        "purchase-order.json",
    ]
    customer = read(out, "models/customer.json")
    assert list(customer) == [
        "name",
        "base",
        "idInjection",
        "options",
        key,
        "properties",
        "validations",
        "relations",
        "acls",
        "methods",
    ]
    assert customer["name"] == "Customer"
    assert customer["base"] == "PersistedModel"
    assert customer["idInjection"] is False
    assert customer["options"] == {"validateUpsert": True}
    assert customer[key] == (
        {"schema": "public", "table": "customer"}
        if backend == "postgresql"
        else {"table": "customer"}
    )
    props = customer["properties"]
    assert list(props) == ["id", "fullName", "email", "active"]
    assert {k: v for k, v in props["id"].items() if k != key} == {
        "type": "number",
        "id": 1,
        "generated": True,
    }
    assert props["id"][key]["columnName"] == "id"
    assert props["id"][key]["nullable"] == "N"
    assert {k: v for k, v in props["fullName"].items() if k != key} == {
        "type": "string",
        "required": True,
        "length": 100,
    }
    assert props["fullName"][key] == {
        "columnName": "full_name",
        "dataType": "varchar",
        "dataLength": 100,
        "dataPrecision": None,
        "dataScale": None,
        "nullable": "N",
    }
    assert props["email"]["type"] == "string"
    assert "required" not in props["email"] and "length" not in props["email"]
    assert props["email"][key]["nullable"] == "Y"
    # NOT NULL with a default: the database fills it in, so a client need not send it
    assert props["active"]["type"] == "boolean"
    assert "required" not in props["active"]
    assert customer["relations"] == {
        "purchaseOrders": {"type": "hasMany", "model": "PurchaseOrder", "foreignKey": "customerId"}
    }

    order = read(out, "models/purchase-order.json")
    assert order["name"] == "PurchaseOrder"
    assert order[key]["table"] == "purchase_order"
    props = order["properties"]
    assert list(props) == ["id", "customerId", "total", "placedAt"]
    assert props["customerId"]["type"] == "number"
    assert props["customerId"][key]["columnName"] == "customer_id"
    assert "required" not in props["customerId"]
    assert props["total"]["type"] == "number"
    assert (props["total"]["precision"], props["total"]["scale"]) == (10, 2)
    assert props["total"][key]["dataType"] in ("numeric", "decimal")
    assert (props["total"][key]["dataPrecision"], props["total"][key]["dataScale"]) == (10, 2)
    assert props["placedAt"]["type"] == "date"
    assert props["placedAt"][key]["columnName"] == "placed_at"
    assert order["relations"] == {
        "customer": {"type": "belongsTo", "model": "Customer", "foreignKey": "customerId"}
    }

    assert read(out, "model-config.json") == {
        "_meta": {
            "sources": ["loopback/common/models", "./models"],
            "mixins": [
                "loopback/common/mixins",
                "loopback/server/mixins",
                "../common/mixins",
                "./mixins",
            ],
        },
        "Customer": {"dataSource": "db", "public": True},
        "PurchaseOrder": {"dataSource": "db", "public": True},
    }
    ds = read(out, "datasources.json")["db"]
    assert ds["connector"] == ("sqlite3" if backend == "sqlite" else backend)
    assert "password" not in ds
    if backend != "sqlite":
        url = sa.make_url(shop_db)
        assert (ds["host"], ds["database"], ds["user"]) == (url.host, url.database, url.username)
    assert read(out, "config.json")["restApiRoot"] == "/api"

    assert f"wrote {out / 'models/customer.json'}: Customer <- customer" in stdout
    assert f"wrote {out / 'models/purchase-order.json'}: PurchaseOrder <- purchase_order" in stdout
    assert "discovered 2 models from " in stdout and ", 1 table skipped;" in stdout
    assert "warning: audit_log: no primary key; skipped" in stderr
    assert "big_orders" not in stdout + stderr  # a view is not a table


@pytest.mark.parametrize("shop_db", BACKENDS, indirect=True)
def test_output_is_deterministic_and_the_app_checks(
    shop_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    assert discover(capsys, "--db", shop_db, "-o", str(first))[0] == 0
    assert discover(capsys, "--db", shop_db, "-o", str(second))[0] == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*.json"))
    assert files == sorted(p.relative_to(second) for p in second.rglob("*.json"))
    for rel in files:
        text = (first / rel).read_text(encoding="utf-8")
        assert text == (second / rel).read_text(encoding="utf-8")
        assert text.endswith("}\n") and text.startswith('{\n  "')
    assert main(["check", str(first)]) == 0
    assert "error" not in capsys.readouterr().err


# ---- served as discovered ----------------------------------------------------------------------


@pytest.fixture
async def served(
    shop_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> AsyncIterator[httpx.AsyncClient]:
    """The discovered app generated into a package (named per backend: imports are by name) and
    served on the database it was discovered from."""
    backend, out = backend_of(shop_db), tmp_path / "app"
    assert discover(capsys, "--db", shop_db, "-o", str(out))[0] == 0
    pkg = tmp_path / "pkg" / f"disc_{backend}"
    assert main(["generate", str(out), "-o", str(pkg)]) == 0
    app = load_generated(pkg).create_app(db_url=shop_db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as client:
        yield client
    await app.db.close()


SERVED = BACKENDS


@pytest.mark.parametrize("shop_db", SERVED, indirect=True)
async def test_discovered_app_serves_the_existing_rows(
    shop_db: str, served: httpx.AsyncClient
) -> None:
    r = await served.get("/Customers", params={"filter": '{"order": "id ASC"}'})
    assert r.status_code == 200, r.text
    assert r.json() == [
        {"id": 1, "fullName": "Ada Lovelace", "email": "ada@example.com", "active": True},
        {"id": 2, "fullName": "Charles Babbage", "email": None, "active": False},
    ]

    r = await served.get(
        "/PurchaseOrders", params={"filter": '{"where": {"customerId": 1}, "order": "id ASC"}'}
    )
    assert r.status_code == 200, r.text
    assert r.json() == [
        {"id": 1, "customerId": 1, "total": 12.5, "placedAt": "2024-01-02T03:04:05.000Z"},
        {"id": 3, "customerId": 1, "total": 100, "placedAt": "2024-03-04T05:06:07.000Z"},
    ]

    r = await served.post("/Customers", json={"fullName": "Grace Hopper"})
    assert r.status_code == 200, r.text
    created = r.json()
    assert created["id"] == 3 and created["fullName"] == "Grace Hopper"
    rows = sql(shop_db, "SELECT id, full_name, active FROM customer WHERE id = 3")
    assert [(row[0], row[1], bool(row[2])) for row in rows] == [(3, "Grace Hopper", True)]

    r = await served.post(
        "/PurchaseOrders",
        json={"customerId": 3, "total": 9.99, "placedAt": "2024-05-06T07:08:09.000Z"},
    )
    assert r.status_code == 200, r.text
    rows = sql(shop_db, "SELECT customer_id, total FROM purchase_order WHERE id = 4")
    assert [(row[0], float(row[1])) for row in rows] == [(3, 9.99)]

    r = await served.post("/Customers", json={"email": "no-name@example.com"})
    assert r.status_code == 422  # fullName is required: the column is NOT NULL without a default

    # the database's foreign key refuses an order for a customer that does not exist: 409, no SQL
    r = await served.post("/PurchaseOrders", json={"customerId": 999, "total": 1.5})
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "FOREIGN_KEY_VIOLATION"
    assert "purchase_order" not in r.text and "INSERT" not in r.text


# ---- types ------------------------------------------------------------------------------------

TYPES: dict[str, tuple[str, dict[str, str | None]]] = {
    "postgresql": (
        "CREATE TABLE sample (id bigserial PRIMARY KEY, code char(3) NOT NULL, ref uuid, "
        "big bigint, small smallint, r real, d double precision, on_day date, "
        "at_tz timestamptz, at_time time, doc jsonb, plain_json json, raw bytea, yes boolean, "
        "span interval)",
        {"span": "interval"},
    ),
    "mysql": (
        "CREATE TABLE sample (id bigint AUTO_INCREMENT PRIMARY KEY, code char(3) NOT NULL, "
        "ref varchar(36), big bigint, small smallint, r float, d double, on_day date, "
        "at_tz timestamp NULL, at_time time, doc json, plain_json longtext, raw blob, "
        "yes boolean, span bit(8))",
        {"span": "bit"},
    ),
    "sqlite": (
        "CREATE TABLE sample (id INTEGER PRIMARY KEY, code char(3) NOT NULL, ref varchar(36), "
        "big bigint, small smallint, r real, d double, on_day date, at_tz datetime, "
        "at_time time, doc json, plain_json text, raw blob, yes boolean, span)",
        {"span": None},
    ),
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_sql_types_become_lb3_types(
    backend: str, databases: TestDatabases, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = databases.fresh(backend) if backend != "sqlite" else f"sqlite:///{tmp_path}/db.sqlite"
    ddl, unknown = TYPES[backend]
    with sync_engine(url) as engine, engine.begin() as conn:
        conn.execute(sa.text(ddl))
    out = tmp_path / "app"
    status, _, stderr = discover(capsys, "--db", url, "-o", str(out))
    assert status == 0, stderr
    props = read(out, "models/sample.json")["properties"]
    types = {name: p["type"] for name, p in props.items()}
    assert types == {
        "id": "number",
        "code": "string",
        "ref": "string",
        "big": "number",
        "small": "number",
        "r": "number",
        "d": "number",
        "onDay": "date",
        "atTz": "date",
        "atTime": "string",
        "doc": "object",
        # MySQL's JSON is MariaDB's LONGTEXT with a check; a plain LONGTEXT stays a string
        "plainJson": "object" if backend == "postgresql" else "string",
        "raw": "buffer",
        "yes": "boolean",
        "span": "string",
    }
    assert props["id"]["generated"] is True
    assert props["code"]["required"] is True and props["code"]["length"] == 3
    key = KEY[backend]
    assert props["span"][key]["dataType"] == unknown["span"]
    assert "warning: sample.span: type " in stderr and "has no LB3 type; made a string" in stderr
    assert stderr.count("warning:") == 1
    # every dataType written is one the runtime reads back: the app builds its tables
    pkg = tmp_path / "pkg" / f"disc_types_{backend}"
    assert main(["generate", str(out), "-o", str(pkg)]) == 0
    app = load_generated(pkg).create_app(db_url=url)
    assert set(app.models) == {"Sample"}
    app.db.dispose()


@pytest.mark.parametrize("backend", SERVERS)
def test_schema_option_reads_another_schema(
    backend: str, databases: TestDatabases, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PostgreSQL schema, or a MySQL database other than the URL's; the models are pinned to it."""
    url = databases.fresh(backend)
    if backend == "postgresql":
        schema, kind = "sales", "schema"
        sql(url, "CREATE SCHEMA sales")
    else:
        schema, kind = str(sa.make_url(databases.fresh(backend)).database), "database"
    sql(url, f"CREATE TABLE {schema}.invoice_line (id int PRIMARY KEY)")
    sql(url, "CREATE TABLE other (id int PRIMARY KEY)")
    out = tmp_path / "app"
    status, stdout, stderr = discover(capsys, "--db", url, "--schema", schema, "-o", str(out))
    assert status == 0, stderr
    model = read(out, "models/invoice-line.json")
    assert model["name"] == "InvoiceLine"
    assert model[backend] == {"schema": schema, "table": "invoice_line"}
    assert [p.name for p in (out / "models").iterdir()] == ["invoice-line.json"]
    assert f'({kind} "{schema}")' in stdout


@pytest.mark.parametrize("shop_db", BACKENDS, indirect=True)
async def test_a_date_column_is_served(
    shop_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql(shop_db, "CREATE TABLE holiday (id int PRIMARY KEY, day date)")
    sql(shop_db, "INSERT INTO holiday (id, day) VALUES (1, '2024-12-25')")
    out = tmp_path / "app"
    assert discover(capsys, "--db", shop_db, "--tables", "holiday", "-o", str(out))[0] == 0
    assert read(out, "models/holiday.json")["properties"]["day"]["type"] == "date"
    pkg = tmp_path / "pkg" / f"disc_date_{backend_of(shop_db)}"
    assert main(["generate", str(out), "-o", str(pkg)]) == 0
    app = load_generated(pkg).create_app(db_url=shop_db)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as client:
            r = await client.get("/Holidays")
        assert r.json() == [{"id": 1, "day": "2024-12-25T00:00:00.000Z"}]
    finally:
        await app.db.close()


# ---- options and refusals ----------------------------------------------------------------------


@pytest.mark.parametrize("shop_db", BACKENDS, indirect=True)
def test_tables_option_restricts_discovery(
    shop_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "app"
    status, _, stderr = discover(
        capsys, "--db", shop_db, "--tables", "purchase_order", "-o", str(out)
    )
    assert status == 0, stderr
    assert [p.name for p in (out / "models").iterdir()] == ["purchase-order.json"]
    assert list(read(out, "model-config.json")) == ["_meta", "PurchaseOrder"]
    # the key stays a property; the relation needs its target discovered too
    order = read(out, "models/purchase-order.json")
    assert "customerId" in order["properties"]
    assert order["relations"] == {}
    assert "purchase_order(customer_id) -> customer: customer is not being discovered" in stderr
    assert "audit_log" not in stderr  # not asked for, so not reported either


@pytest.mark.parametrize("shop_db", BACKENDS, indirect=True)
def test_unknown_tables_and_views_are_refused(
    shop_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "app"
    status, _, stderr = discover(
        capsys, "--db", shop_db, "--tables", "customer,nope,big_orders", "-o", str(out)
    )
    assert status == 1
    assert stderr.startswith("discover: no such table") and stderr.count("\n") == 1
    assert "nope" in stderr and "big_orders (a view)" in stderr
    assert not out.exists()


@pytest.mark.parametrize("shop_db", BACKENDS, indirect=True)
def test_existing_files_are_never_overwritten(
    shop_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "app"
    (out / "models").mkdir(parents=True)  # an existing empty directory is fine
    assert discover(capsys, "--db", shop_db, "-o", str(out))[0] == 0
    edited = out / "models" / "customer.json"
    edited.write_text('{"name": "Customer"}\n', encoding="utf-8")
    status, _, stderr = discover(capsys, "--db", shop_db, "-o", str(out))
    assert status == 1
    assert "already holds" in stderr and "models/customer.json" in stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert edited.read_text(encoding="utf-8") == '{"name": "Customer"}\n'


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unreachable_database_exits_1_with_one_line(
    backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = {
        "sqlite": f"sqlite:///{tmp_path}/missing.sqlite",
        "postgresql": "postgresql://lb:secret@127.0.0.1:1/nowhere",
        "mysql": "mysql://lb:secret@127.0.0.1:1/nowhere",
    }[backend]
    status, stdout, stderr = discover(capsys, "--db", url, "-o", str(tmp_path / "app"))
    assert status == 1
    assert stdout == "" and stderr.startswith("discover: ") and stderr.count("\n") == 1
    assert "secret" not in stderr
    assert not (tmp_path / "app").exists()
    if backend == "sqlite":  # and discover did not create the database it was asked to read
        assert not (tmp_path / "missing.sqlite").exists()
    else:
        assert "cannot read" in stderr and "127.0.0.1:1" in stderr


@pytest.mark.parametrize("backend", SERVERS)
def test_an_unknown_schema_is_refused(
    backend: str, databases: TestDatabases, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = databases.url(backend)
    status, _, stderr = discover(capsys, "--db", url, "--schema", "no_such", "-o", str(tmp_path))
    assert status == 1
    assert stderr.rstrip().endswith('"no_such" not found')


def test_schema_is_refused_on_sqlite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/db.sqlite"
    with sync_engine(url) as engine, engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
    status, _, stderr = discover(capsys, "--db", url, "--schema", "x", "-o", str(tmp_path / "a"))
    assert status == 1 and "--schema does not apply to SQLite" in stderr


# ---- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("db_name", "model", "prop"),
    [
        ("inventory_item", "InventoryItem", "inventoryItem"),
        ("first_name", "FirstName", "firstName"),
        ("FIRST_NAME", "FirstName", "firstName"),
        ("coffeeShopId", "CoffeeShopId", "coffeeShopId"),
        ("order-line", "OrderLine", "orderLine"),
        ("id", "Id", "id"),
        ("customer", "Customer", "customer"),
    ],
)
def test_names_are_lb3s(db_name: str, model: str, prop: str) -> None:
    assert db_name_to_lb3(db_name, upper_first=True) == model
    assert db_name_to_lb3(db_name, upper_first=False) == prop


def test_relations_name_clashes_and_self_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/db.sqlite"
    with sync_engine(url) as engine, engine.begin() as conn:
        for statement in [
            "CREATE TABLE employee (id INTEGER PRIMARY KEY, manager_id int REFERENCES employee(id))",
            "CREATE TABLE ticket (id INTEGER PRIMARY KEY, "
            "opened_by int REFERENCES employee(id), closed_by_id int REFERENCES employee(id), "
            "closed_by text)",
        ]:
            conn.execute(sa.text(statement))
    out = tmp_path / "app"
    status, _, stderr = discover(capsys, "--db", url, "-o", str(out))
    assert status == 0, stderr
    employee = read(out, "models/employee.json")["relations"]
    assert employee == {
        "manager": {"type": "belongsTo", "model": "Employee", "foreignKey": "managerId"},
        "employees": {"type": "hasMany", "model": "Employee", "foreignKey": "managerId"},
        "tickets": {"type": "hasMany", "model": "Ticket", "foreignKey": "closedById"},
    }
    ticket = read(out, "models/ticket.json")["relations"]
    # closedById -> closedBy is a property already: the target's name instead; openedBy has no
    # Id suffix, so the target's name too, which is then taken: no second belongsTo
    assert ticket == {
        "employee": {"type": "belongsTo", "model": "Employee", "foreignKey": "closedById"}
    }
    assert "relation names taken in Ticket; no belongsTo" in stderr
    assert "Employee: relation name for Ticket.openedBy taken; no hasMany" in stderr
