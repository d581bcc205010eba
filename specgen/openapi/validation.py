"""openapi-spec-validator's OpenAPI 3.0 checks, the same checks without its quadratic bookkeeping.

Its schema walker remembers the schemas it has visited and meta-checked, and the operationIds it has
seen, in lists, and asks `x in list` once per schema reached: a 100-model app reaches ~60,000 of
them, and those look-ups were most of the 49 CPU seconds its validation took (bench/generate.py).
Here the registries are lists that answer `in` from a set beside them; and a schema equal to one
already checked (the same `{"type": "string"}` under thousands of parameters, the same property
condition in every model's where schema) is not checked again: both the meta-schema check and the
walk below a schema are functions of its value alone (every $ref of the document resolves in the
same document). What is checked and the errors raised are openapi-spec-validator's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema.exceptions import ValidationError
from jsonschema_path import SchemaPath
from openapi_spec_validator.validation import OpenAPIV30SpecValidator, keywords
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from openapi_spec_validator.validation.registries import KeywordValidatorRegistry

# SchemaPath keeps the targets of resolved $refs in an LRU cache; its default (128 entries) is far
# smaller than a large app's component schemas, which every operation refers to
RESOLVED_CACHE = 1 << 16


class _Seen(list[Any]):
    """The list openapi-spec-validator appends to and searches, searched through a set."""

    def __init__(self) -> None:
        super().__init__()
        self._set: set[Any] = set()

    def append(self, value: Any) -> None:
        super().append(value)
        self._set.add(value)

    def __contains__(self, value: object) -> bool:
        return value in self._set


class _SchemaValidator(keywords.OpenAPIV30SchemaValidator):
    def __init__(self, registry: KeywordValidatorRegistry) -> None:
        super().__init__(registry)
        self.visited_schema_ids = _Seen()
        self.meta_checked_schema_ids = _Seen()
        self._passed: set[str] = set()  # schema values (canonical JSON) past the meta-schema check
        self._walked: set[tuple[str, bool]] = set()  # (value, require_properties) walked clean

    def __call__(
        self, schema: SchemaPath, require_properties: bool = True, meta_checked: bool = False
    ) -> Iterator[ValidationError]:
        value = schema.read_value()
        if not isinstance(value, Mapping):  # the base class says what is wrong
            yield from super().__call__(schema, require_properties, meta_checked)
            return
        key = (_canonical(value), require_properties)
        if key in self._walked and (meta_checked or key[0] in self._passed):
            return
        yield from super().__call__(schema, require_properties, meta_checked)
        self._walked.add(key)  # not reached after an error: validation stops at the first

    def _validate_schema_meta(
        self, schema: SchemaPath, schema_value: Any
    ) -> OpenAPIValidationError | None:
        key = _canonical(schema_value)
        if key in self._passed:
            return None
        error = super()._validate_schema_meta(schema, schema_value)
        if error is None:
            self._passed.add(key)
        return error


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


class _OperationValidator(keywords.OperationValidator):
    def __init__(self, registry: KeywordValidatorRegistry) -> None:
        super().__init__(registry)
        self.operation_ids_registry = _Seen()


class SpecValidator(OpenAPIV30SpecValidator):
    keyword_validators = {  # noqa: RUF012 (the base class declares it a plain dict)
        **OpenAPIV30SpecValidator.keyword_validators,
        "schema": _SchemaValidator,
        "operation": _OperationValidator,
    }


def validate_document(document: dict[str, Any]) -> None:
    """Raise openapi-spec-validator's first error for an OpenAPI 3.0 document, if it has one."""
    path = SchemaPath.from_dict(document, resolved_cache_maxsize=RESOLVED_CACHE)
    SpecValidator(path).validate()
