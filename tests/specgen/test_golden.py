"""generated/ is a golden record: specgen must reproduce it byte for byte (lesson L3).

Each app under specs/ is compiled afresh and written to tmp_path, then the two trees are compared
file by file. The package is compiled for its real place in generated/ (app.py holds the relative
path back to specs/), only written elsewhere. `specgen generate-all --check` is the same comparison
as CI runs it; a stale copy must fail and name the stale file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from specgen import naming
from specgen.cli import compile_app, main
from specgen.render import write_package

from .appdir import GENERATED, ROOT, SPECS

APPS = sorted(p.name for p in SPECS.iterdir() if (p / "model-config.json").exists())
# the one warning an example may give, as its LB3 original deserves it: the access-control tutorial
# lists the built-in User beside its own `user` (LB3's memory connector keeps them apart)
WARNINGS = {"access-control": ['model-config.json#/User: the built-in model "User" gets no table']}


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_every_spec_has_a_generated_package() -> None:
    assert APPS, "specs/ holds at least the Coffee Shop example"
    assert sorted(naming.package_name(a) for a in APPS) == sorted(
        p.name for p in GENERATED.iterdir() if p.is_dir() and p.name != "__pycache__"
    )


@pytest.mark.parametrize("app_name", APPS)
def test_regenerated_package_matches_golden_record(app_name: str, tmp_path: Path) -> None:
    golden = GENERATED / naming.package_name(app_name)
    _, files, problems = compile_app(SPECS / app_name, golden)
    said = [f"{p.file.split('/', 1)[1]}#{p.pointer}: {p.message}" for p in problems]
    expected = WARNINGS.get(app_name, [])
    assert len(said) == len(expected) and all(
        s.startswith(e) for s, e in zip(said, expected, strict=True)
    )
    write_package(files, tmp_path / golden.name)
    fresh, committed = tree(tmp_path / golden.name), tree(golden)
    assert sorted(fresh) == sorted(committed)
    stale = [rel for rel in fresh if fresh[rel] != committed[rel]]
    assert stale == [], f"generated/ is stale, run `make generate`: {stale}"


def test_regenerated_package_passes_ruff(tmp_path: Path) -> None:
    """Generated code is held to the project's lint rules (the generated/** per-file ignores)."""
    for app_name in APPS:
        golden = GENERATED / naming.package_name(app_name)
        _, files, _ = compile_app(SPECS / app_name, golden)
        write_package(files, tmp_path / "generated" / golden.name)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "generated"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_mode_passes_on_the_committed_record(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["generate-all", "specs", "-o", "generated", "--check"]) == 0
    expected = [f"warning: {app}/{w}" for app, said in WARNINGS.items() for w in said]
    said = capsys.readouterr().err.splitlines()
    assert len(said) == len(expected) and all(
        s.startswith(e) for s, e in zip(said, expected, strict=True)
    )


def copy_project(tmp_path: Path) -> Path:
    """specs/ and generated/ side by side, as in the repository, so relative paths stay valid."""
    shutil.copytree(SPECS, tmp_path / "specs")
    shutil.copytree(GENERATED, tmp_path / "generated", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_check_mode_fails_and_names_a_stale_file_after_a_spec_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(tmp_path)
    model = project / "specs/coffee-shop/models/coffee-shop.json"
    model.write_text(model.read_text().replace('"city": {', '"country": "string",\n    "city": {'))
    monkeypatch.chdir(project)
    assert main(["generate-all", "specs", "-o", "generated", "--check"]) == 1
    err = capsys.readouterr().err
    assert "stale: generated/coffee_shop/openapi.yaml" in err.splitlines()
    assert "stale: generated/coffee_shop/models.py" in err.splitlines()
    assert "run `make generate`" in err


def test_check_mode_fails_on_a_hand_edited_or_extra_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(tmp_path)
    handler = project / "generated/coffee_shop/handlers/review.py"
    handler.write_text(handler.read_text() + "# edited by hand\n")
    (project / "generated/coffee_shop/leftover.py").write_text("")
    monkeypatch.chdir(project)
    assert main(["generate-all", "specs", "-o", "generated", "--check"]) == 1
    stale = [line for line in capsys.readouterr().err.splitlines() if line.startswith("stale: ")]
    assert stale == [
        "stale: generated/coffee_shop/handlers/review.py",
        "stale: generated/coffee_shop/leftover.py",
    ]


def test_check_mode_fails_on_a_package_whose_app_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(tmp_path)
    shutil.copytree(project / "generated/coffee_shop", project / "generated/old_shop")
    monkeypatch.chdir(project)
    assert main(["generate-all", "specs", "-o", "generated", "--check"]) == 1
    said = [x for x in capsys.readouterr().err.splitlines() if not x.startswith("warning: ")]
    assert said == ["stale: generated/old_shop (no application in specs generates it)"]
    assert main(["generate-all", "specs", "-o", "generated"]) == 0  # make generate removes it
    assert not (project / "generated/old_shop").exists()
    assert main(["generate-all", "specs", "-o", "generated", "--check"]) == 0
