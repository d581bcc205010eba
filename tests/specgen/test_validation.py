"""specgen's fast OpenAPI validation (specgen/openapi/validation.py) raises what openapi-spec-validator
raises: on a valid generated document nothing, on broken copies of it the same first error."""

from __future__ import annotations

import copy
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from specgen.openapi import validated_beside
from specgen.openapi.validation import validate_document

DOCUMENT = Path(__file__).parents[2] / "generated" / "library" / "openapi.yaml"


def _dup_operation_id(d: dict[str, Any]) -> None:
    ops = [op for item in d["paths"].values() for op in item.values() if "operationId" in op]
    ops[5]["operationId"] = ops[1]["operationId"]


def _bad_type(d: dict[str, Any]) -> None:
    name = list(d["components"]["schemas"])[3]
    d["components"]["schemas"][name]["properties"] = {"x": {"type": "strin"}}


def _bad_copy(d: dict[str, Any]) -> None:  # equal to a schema already checked, then broken
    schemas = d["components"]["schemas"]
    schemas["Zzz"] = copy.deepcopy(schemas[list(schemas)[-1]])
    schemas["Zzz"]["properties"] = {"a": {"type": "string", "minLength": -1}}


def _required_not_defined(d: dict[str, Any]) -> None:
    d["components"]["schemas"]["Q"] = {
        "allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}],
        "required": ["b"],
    }


def _bad_default_after_good(d: dict[str, Any]) -> None:
    schemas = d["components"]["schemas"]
    schemas["Q1"] = {"type": "object", "properties": {"p": {"type": "integer", "default": 1}}}
    schemas["Q2"] = {"type": "object", "properties": {"p": {"type": "integer", "default": "x"}}}


def _unresolved_path_parameter(d: dict[str, Any]) -> None:
    path = list(d["paths"])[3]
    d["paths"][path + "/{zz}"] = copy.deepcopy(d["paths"][path])
    for op in d["paths"][path + "/{zz}"].values():
        op["operationId"] += "_zz"


def _unchanged(d: dict[str, Any]) -> None:
    pass


def _first_error(check: Callable[[dict[str, Any]], None], document: dict[str, Any]) -> Any:
    try:
        check(document)
    except Exception as exc:  # the comparison is of whatever is raised
        return type(exc).__name__, str(exc)
    return None


@pytest.mark.parametrize(
    "breakage",
    [
        _unchanged,
        _dup_operation_id,
        _bad_type,
        _bad_copy,
        _required_not_defined,
        _bad_default_after_good,
        _unresolved_path_parameter,
    ],
)
def test_same_first_error_as_openapi_spec_validator(breakage: Callable[..., None]) -> None:
    document = yaml.load(DOCUMENT.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    breakage(document)
    expected = _first_error(validate, copy.deepcopy(document))
    assert _first_error(validate_document, document) == expected
    assert (expected is None) == (breakage is _unchanged)


BESIDE = """
import sys, yaml
from specgen.openapi import validated_beside
document = yaml.load(open(sys.argv[1]), Loader=yaml.CSafeLoader)
if sys.argv[2] == "broken":
    document["paths"]["/x"] = {"get": {"responses": {"200": {"description": 1}}}}
ran = []
try:
    with validated_beside(document):
        ran.append(True)
except Exception as exc:
    print("raised", type(exc).__name__, "after the body" if ran else "before the body")
else:
    print("valid")
"""


@pytest.mark.parametrize("state", ["valid", "broken"])
def test_validation_beside_in_a_forked_process(state: str, tmp_path: Path) -> None:
    """One thread (the CLI): the document is validated in a child while the body runs; an error
    there is raised, as itself, when the body is done."""
    script = tmp_path / "beside.py"
    script.write_text(BESIDE, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(script), str(DOCUMENT), state],
        capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2],
    ).stdout.strip()  # fmt: skip
    assert out == ("valid" if state == "valid" else "raised OpenAPIValidationError after the body")


def test_validation_beside_with_threads_running_validates_first() -> None:
    document = yaml.load(DOCUMENT.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    document["paths"]["/x"] = {"get": {"responses": {"200": {"description": 1}}}}
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    ran = []
    try:
        with pytest.raises(OpenAPIValidationError), validated_beside(document):
            ran.append(True)
    finally:
        stop.set()
        other.join()
    assert ran == []
