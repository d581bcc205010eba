"""The Python bound: a bare ASGI app on raw asyncpg answering the benchmark's requests (app.py)."""
