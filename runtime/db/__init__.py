"""The database stage (see database.py); URLs and drivers (urls.py); errors (faults.py)."""

from .database import (
    Database,
    ExecuteResult,
    ServerDatabase,
    Session,
    SqliteDatabase,
    open_database,
    sync_engine,
)
from .faults import translate_errors
from .urls import backend_of, display, driver_url, in_memory

__all__ = [
    "Database",
    "ExecuteResult",
    "ServerDatabase",
    "Session",
    "SqliteDatabase",
    "backend_of",
    "display",
    "driver_url",
    "in_memory",
    "open_database",
    "sync_engine",
    "translate_errors",
]
