"""runtime: the LoopBack 3 PersistedModel REST API over SQLAlchemy, driven by the generated OpenAPI document."""
