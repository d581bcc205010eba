"""Every broken input is reported, all at once, as `file#/json/pointer: message` lines (lesson L2).

Each directory under bad_specs/ is an LB3 application with something wrong; its expected.txt holds
the exact stderr of `specgen check <case>` run from bad_specs/ (so paths in messages are relative and
stable). Rewrite the expectations after an intended change with `UPDATE_GOLDEN=1 pytest ...`, then
read the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from specgen.cli import main

BAD_SPECS = Path(__file__).parent / "bad_specs"
CASES = sorted(p.name for p in BAD_SPECS.iterdir() if p.is_dir())
# `warning: ` optional, a file, `#`, a JSON pointer (empty for the whole file), `: `, a message
PROBLEM_LINE = re.compile(r"^(warning: )?[^\s#]+#(/[^:\s]*)*: \S.*$")


def run_check(case: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    cwd = Path.cwd()
    os.chdir(BAD_SPECS)
    try:
        status = main(["check", case])
    finally:
        os.chdir(cwd)
    out, err = capsys.readouterr()
    return status, out, err


def test_there_is_a_case_for_each_kind_of_problem() -> None:
    assert set(CASES) >= {
        "bad_acl",
        "base_cycle",
        "duplicate_model",
        "invalid_json",
        "many_problems",
        "missing_model_config",
        "unknown_base",
        "unknown_datasource",
        "unknown_model_in_config",
        "unknown_property_type",
        "unknown_relation_model",
    }


@pytest.mark.parametrize("case", CASES)
def test_bad_spec_output(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_check(case, capsys)
    expected_file = BAD_SPECS / case / "expected.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_file.write_text(err, encoding="utf-8")
    assert err == expected_file.read_text(encoding="utf-8")
    assert status == 1
    assert out == ""
    *problems, summary = err.splitlines()
    assert problems, "a failing check names at least one problem"
    assert all(PROBLEM_LINE.match(line) for line in problems), problems
    errors = sum(1 for line in problems if not line.startswith("warning: "))
    assert summary == f"{errors} error(s) in {case}"


def test_several_problems_are_all_reported(capsys: pytest.CaptureFixture[str]) -> None:
    """One broken base must not hide the other problems of the same model or of the app."""
    _, _, err = run_check("many_problems", capsys)
    located = [re.match(r"(.*?#\S*): ", line) for line in err.splitlines()[:-1]]
    pointers = [m.group(1) for m in located if m]
    assert pointers == [
        "many_problems/model-config.json#/Invoice",
        "many_problems/model-config.json#/Line/dataSource",
        "warning: many_problems/models/line.json#/hidden",
        "many_problems/models/order.json#/acls/0/permission",
        "many_problems/models/order.json#/base",
        "many_problems/models/order.json#/properties/placed/type",
        "many_problems/models/order.json#/properties/total/type",
        "warning: many_problems/models/order.json#/relations/customer/model",
        "many_problems/models/order.json#/relations/lines/type",
    ]


def test_invalid_json_names_line_and_column(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run_check("invalid_json", capsys)
    assert "invalid_json/models/item.json#: invalid JSON at line 5, column 5:" in err
    assert "unknown model" not in err  # the unreadable file is reported once, not again
