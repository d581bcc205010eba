"""schemathesis hooks (SCHEMATHESIS_HOOKS=tests.contract.schemathesis_hooks).

The document types `filter` and `where` as LB3 does, JSON text in a string, because client generators
send a string as given; its typed schema is the parameter's `x-lb-json`. Read as a JSON parameter
again here, schemathesis generates typed filters (as it did when the document said so) instead of
arbitrary text, which the server rightly refuses with a 400.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import schemathesis


@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    for item in raw_schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if "x-lb-json" in parameter:
                    parameter.pop("schema", None)
                    parameter["content"] = {"application/json": {"schema": parameter["x-lb-json"]}}


# uvicorn (httptools) reads a request line of at most 64 KiB and answers a longer one itself, with a
# text/plain 400, before the app sees it (docs/lb3-differences.md, "Body size limit"): a generated
# filter whose URL passes that is not a request the API can answer in its own shape.
REQUEST_LINE_BUDGET = 60 * 1024


@schemathesis.hook
def filter_query(context: Any, query: dict[str, Any] | None) -> bool:
    if not query:
        return True
    text = {k: v if isinstance(v, str) else json.dumps(v) for k, v in query.items()}
    return len(urlencode(text)) <= REQUEST_LINE_BUDGET
