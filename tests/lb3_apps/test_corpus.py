"""Real-world LB3 app shapes load unchanged: each directory under corpus/ is a small LB3 application
(written by us) reproducing one class of input that real apps ship and that LB3 boots.

For each case, `specgen check <case>/server` run from corpus/ must print exactly `check.txt`
(warnings and errors on stderr, then the summary line), and then the app must serve: every public
model's list endpoint answers 200 (on SQLite in memory via --db unless the case's `serve.json` says
otherwise). A case whose serve is refused without --db holds the one expected line in `refused.txt`,
then serves with --db.
Rewrite the expectations after an intended change with `UPDATE_GOLDEN=1 pytest ...`, then read the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.datasources import DataSourceError
from specgen.cli import compile_app, load_generated, main
from specgen.render import write_package

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "server").is_dir())


def run_check(case: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    cwd = Path.cwd()
    os.chdir(CORPUS)
    try:
        status = main(["check", f"{case}/server"])
    finally:
        os.chdir(cwd)
    out, err = capsys.readouterr()
    return status, err + out


@pytest.mark.parametrize("case", CASES)
def test_check_output(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, text = run_check(case, capsys)
    expected = CORPUS / case / "check.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(text, encoding="utf-8")
    assert text == expected.read_text(encoding="utf-8")
    assert status == (0 if text.rstrip().endswith(", OK") else 1)


def serve_options(case: str) -> dict[str, Any]:
    path = CORPUS / case / "serve.json"
    options: dict[str, Any] = {"db_url": "sqlite://"}
    if path.exists():
        options.update(json.loads(path.read_text(encoding="utf-8")))
    return options


def loads(case: str) -> bool:
    expected = CORPUS / case / "check.txt"
    return expected.exists() and expected.read_text(encoding="utf-8").rstrip().endswith(", OK")


@pytest.mark.parametrize("case", [c for c in CASES if loads(c)])
async def test_serve_answers_every_list_endpoint(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = serve_options(case)
    for key, value in options.pop("env", {}).items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(
        tmp_path
    )  # a memory data source's file is written beside the working directory
    out = tmp_path / "gen" / f"lbapp_{case}"
    _, files, _ = compile_app(CORPUS / case / "server", out)
    write_package(files, out)
    package = load_generated(out)
    refused = CORPUS / case / "refused.txt"
    if refused.exists():
        with pytest.raises(DataSourceError) as caught:
            package.create_app(**options)
        assert str(caught.value) + "\n" == refused.read_text(encoding="utf-8")
        options["db_url"] = "sqlite://"  # the fix the line names
    app = package.create_app(**options)
    paths = [
        p
        for p, item in app.document["paths"].items()
        if "get" in item and "{" not in p and p.count("/") == 1 and not p.endswith("/count")
    ]
    assert paths
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/api") as client:
        for path in paths:
            response = await client.get(path)
            assert (path, response.status_code) == (path, 200), response.text
            assert response.json() == []
    await app.db.close()
