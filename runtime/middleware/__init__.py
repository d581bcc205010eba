"""App assembly around the REST API: middleware.json (config.py, stack.py) with LB3's scaffold
middleware built in (cors.py, headers.py, compression.py, files.py) and routes boot scripts add
(routes.py). docs/middleware.md describes what each entry does."""
