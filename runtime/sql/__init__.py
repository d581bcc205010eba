"""SQL: tables from the registry and statements from plans, through SQLAlchemy Core."""
