"""schemathesis hooks (SCHEMATHESIS_HOOKS=tests.contract.schemathesis_hooks).

The document types `filter` and `where` as LB3 does, JSON text in a string, because client generators
send a string as given; its typed schema is the parameter's `x-lb-json`. Read as a JSON parameter
again here, schemathesis generates typed filters (as it did when the document said so) instead of
arbitrary text, which the server rightly refuses with a 400.
"""

from __future__ import annotations

from typing import Any

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
