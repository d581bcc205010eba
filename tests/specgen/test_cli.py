"""The `specgen` command as users and CI call it: exit codes, what goes to stdout and stderr, and a
generated package that imports and starts.

The installed console script is run once for real (check, good and bad); the rest calls
`specgen.cli.main` in-process, which is the same code without the interpreter start-up.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from specgen.cli import load_generated, main

from .appdir import ROOT, SPECS, write_app

SPECGEN = Path(sys.executable).parent / "specgen"
BAD = Path(__file__).parent / "bad_specs"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SPECGEN), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_check_on_the_example_prints_ok_and_exits_0() -> None:
    proc = run("check", "specs/coffee-shop")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("specs/coffee-shop: 8 models, ")
    assert proc.stdout.rstrip().endswith(" paths, OK")
    assert proc.stderr == ""


def test_check_on_a_bad_spec_exits_1_with_problems_on_stderr() -> None:
    proc = run("check", "unknown_base", cwd=BAD)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (BAD / "unknown_base" / "expected.txt").read_text()


def test_check_on_a_missing_directory_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "no/such/app"]) == 1
    assert "no/such/app#: not a directory" in capsys.readouterr().err


def test_warnings_alone_do_not_fail_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_app(tmp_path / "app", [{"name": "Item", "hidden": ["nope"]}])
    assert main(["check", str(root)]) == 0
    out, err = capsys.readouterr()
    assert out.endswith("OK\n")
    assert err == 'warning: app/models/item.json#/hidden: unknown property "nope"\n'


def test_generate_then_check_then_stale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pkg" / "lbapp_cli_check"
    app_dir = str(SPECS / "coffee-shop")
    assert main(["generate", app_dir, "-o", str(out)]) == 0
    assert f"generated {out}" in capsys.readouterr().out
    assert main(["generate", app_dir, "-o", str(out), "--check"]) == 0
    (out / "openapi.yaml").write_text("openapi: 3.0.3\n")
    assert main(["generate", app_dir, "-o", str(out), "--check"]) == 1
    assert f"stale: {out / 'openapi.yaml'}" in capsys.readouterr().err
    assert main(["generate", app_dir, "-o", str(out)]) == 0  # rewrites only what changed
    assert "(1 file(s) changed)" in capsys.readouterr().out


def test_generate_refuses_a_bad_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pkg"
    assert main(["generate", str(BAD / "bad_acl"), "-o", str(out)]) == 1
    assert "principalId is missing" in capsys.readouterr().err
    assert not out.exists()


def test_generated_package_imports_and_starts_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "pkg" / "lbapp_cli_import"
    assert main(["generate", str(SPECS / "coffee-shop"), "-o", str(out)]) == 0
    monkeypatch.setattr(sys, "path", list(sys.path))  # load_generated prepends the package's parent
    package = load_generated(out)
    try:
        app = package.create_app(db_url="sqlite://")
        try:
            assert len(app.models) == 8
            assert sorted(app.models)[:3] == ["ACL", "AccessToken", "CoffeeShop"]
        finally:
            app.db.dispose()
    finally:
        for name in [m for m in sys.modules if m.split(".")[0] == "lbapp_cli_import"]:
            del sys.modules[name]


def test_generate_all_needs_a_directory_with_apps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate-all", str(tmp_path / "nowhere"), "-o", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err == f"{tmp_path / 'nowhere'}: not a directory\n"
    assert main(["generate-all", str(tmp_path), "-o", str(tmp_path / "out")]) == 1
    assert "no application directory" in capsys.readouterr().err


def test_generate_from_an_lb3_project_root_points_the_package_at_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "shop"
    write_app(project / "server", [{"name": "Item", "properties": {"title": "string"}}])
    out = tmp_path / "pkg" / "shop"
    assert main(["generate", str(project), "-o", str(out)]) == 0
    assert 'APP_DIR = (HERE / "../../shop/server").resolve()' in (out / "app.py").read_text()
    assert main(["check", str(project)]) == 0
    out_text = capsys.readouterr().out
    assert ": 1 models, " in out_text and out_text.endswith(" paths, OK\n")
