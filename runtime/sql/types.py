"""Column types per backend: our defaults for LB3 property types, and LB3's `dataType` overrides.

Defaults keep every value the client sent (see docs/lb3-differences.md): numbers are doubles, dates
keep milliseconds, strings compare byte for byte on MySQL as on SQLite (utf8mb4_bin, not a
case-insensitive collation), JSON values are JSON (JSONB on PostgreSQL).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql

from ..registry import PropertyMeta

AnyType = sa.types.TypeEngine[Any]
MYSQL_COLLATION = "utf8mb4_bin"
# an indexed MySQL string must have a length; 255 is LB3's and lets three fit in one index
MYSQL_INDEXED_LENGTH = 255


def settings_key(backend: str) -> str:
    """The key of a backend's settings in model JSON: LB3's connector name (sqlite3 for SQLite)."""
    return "sqlite3" if backend == "sqlite" else backend


class UnknownDataType(ValueError):
    pass


class RawType(sa.types.UserDefinedType[Any]):
    """A `dataType` we have no mapping for: the DDL says what the model says, values pass as is."""

    cache_ok = True

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def get_col_spec(self, **_kw: Any) -> str:
        return self.spec


def column_type(prop: PropertyMeta, backend: str, *, indexed: bool = False) -> AnyType:
    override = prop.settings.get(settings_key(backend))
    if isinstance(override, dict) and isinstance(override.get("dataType"), str):
        return data_type(
            override["dataType"],
            backend,
            length=override.get("dataLength"),
            precision=override.get("dataPrecision"),
            scale=override.get("dataScale"),
        )
    if prop.integer:
        return sa.BigInteger() if backend != "sqlite" else sa.Integer()
    length = prop.settings.get("length")
    if prop.type == "string":
        if isinstance(length, int) and not isinstance(length, bool) and length > 0:
            return _string(backend, length)
        if backend == "mysql" and (indexed or prop.id):
            return _string(backend, MYSQL_INDEXED_LENGTH)
        return mysql.LONGTEXT(collation=MYSQL_COLLATION) if backend == "mysql" else sa.Text()
    if prop.type == "number":
        return sa.Double()
    if prop.type == "boolean":
        return sa.Boolean()
    if prop.type == "date":
        if backend == "postgresql":
            return postgresql.TIMESTAMP(timezone=True)
        if backend == "mysql":
            return mysql.DATETIME(fsp=3)
        return sa.DateTime()
    if prop.type == "buffer":
        return mysql.LONGBLOB() if backend == "mysql" else sa.LargeBinary()
    return postgresql.JSONB() if backend == "postgresql" else sa.JSON()


def _string(backend: str, length: int) -> AnyType:
    if backend == "mysql":
        return mysql.VARCHAR(length, collation=MYSQL_COLLATION)
    return sa.String(length)


_SPEC = re.compile(r"^\s*([a-z][a-z0-9 _]*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$", re.I)


def data_type(
    spec: str, backend: str, *, length: Any = None, precision: Any = None, scale: Any = None
) -> AnyType:
    """LB3's `"postgresql": {"dataType": "varchar", "dataLength": 20}` and the like."""
    match = _SPEC.match(spec)
    if not match:
        raise UnknownDataType(f'dataType "{spec}" is not a SQL type name')
    name = " ".join(match.group(1).lower().split())
    first = int(match.group(2)) if match.group(2) else _int(length) or _int(precision)
    second = int(match.group(3)) if match.group(3) else _int(scale)
    if name in ("varchar", "character varying", "nvarchar", "char", "character", "nchar"):
        size = first or (255 if backend == "mysql" else None)
        fixed = name in ("char", "character", "nchar")
        if backend == "mysql":
            cls = mysql.CHAR if fixed else mysql.VARCHAR
            return cls(size, collation=MYSQL_COLLATION)
        return sa.CHAR(size) if fixed else sa.String(size)
    if name in ("text", "longtext", "mediumtext", "tinytext", "clob"):
        if backend == "mysql":
            kinds: dict[str, type[mysql.types._StringType]] = {
                "tinytext": mysql.TINYTEXT,
                "text": mysql.TEXT,
                "mediumtext": mysql.MEDIUMTEXT,
            }
            text_type: AnyType = kinds.get(name, mysql.LONGTEXT)(collation=MYSQL_COLLATION)
            return text_type
        return sa.Text()
    if name in ("integer", "int", "int4", "mediumint"):
        return sa.Integer()
    if name in ("bigint", "int8"):
        return sa.BigInteger()
    if name in ("smallint", "int2"):
        return sa.SmallInteger()
    if name == "tinyint":
        return (
            sa.Boolean()
            if first == 1
            else mysql.TINYINT()
            if backend == "mysql"
            else sa.SmallInteger()
        )
    if name in ("double precision", "double", "float8", "float"):
        return sa.Double()
    if name in ("real", "float4"):
        return sa.REAL()
    if name in ("numeric", "decimal"):
        return sa.Numeric(first, second, asdecimal=False)
    if name in ("boolean", "bool", "bit"):
        return sa.Boolean()
    if name == "date":
        return sa.Date()
    if name in ("timestamp with time zone", "timestamptz"):
        return postgresql.TIMESTAMP(timezone=True) if backend == "postgresql" else sa.DateTime()
    if name in ("timestamp", "timestamp without time zone", "datetime"):
        if backend == "mysql":
            return mysql.DATETIME(fsp=first if first is not None else 3)
        return sa.DateTime()
    if name in ("time", "time without time zone", "time with time zone", "timetz"):
        # MySQL's drivers return a TIME as a timedelta, which no JSON encoder takes; the dialect's
        # TIME makes it a time of day. Elsewhere the value passes as the driver gives it.
        return mysql.TIME() if backend == "mysql" else RawType(spec.strip())
    if name in ("json", "jsonb"):
        return postgresql.JSONB() if name == "jsonb" and backend == "postgresql" else sa.JSON()
    if name in ("bytea", "blob", "longblob", "binary", "varbinary"):
        return mysql.LONGBLOB() if backend == "mysql" else sa.LargeBinary()
    if name == "uuid":
        return sa.Uuid(as_uuid=False) if backend == "postgresql" else sa.String(36)
    return RawType(spec.strip())


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
